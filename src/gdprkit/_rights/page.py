"""The export package's ``index.html``: what a person reads when they ask what is held on them.

Self-contained (no scripts, fonts or images), in the language asked for
(Art. 12(1): concise, intelligible, in clear and plain language), readable
from a 360 px phone to a desktop and on paper (:mod:`.page_style`). It says
who holds the data, shows the records themselves by kind
(:mod:`.page_kinds`; Art. 15(3)), why each is processed, on what basis, for
how long and for whom (Art. 15(1)(a)-(d)), where it came from (15(1)(g)),
transfers outside the EU/EEA (15(2)), the subject's rights and how to
complain (15(1)(e)-(f)), automated decisions (15(1)(h)) and the files of
the package. Its texts are :data:`gdprkit._i18n.PAGE`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from gdprkit._i18n import LANGUAGES, PAGE, RIGHTS, Language, language
from gdprkit._rights.page_html import (
    count,
    esc,
    example_flag,
    facts,
    link,
    records,
    rows_table,
)
from gdprkit._rights.page_kinds import kind_name, kind_section, purposes_section
from gdprkit._rights.page_style import CSP, STYLE
from gdprkit._rights.preview import Preview
from gdprkit.vocab import Right

if TYPE_CHECKING:
    from gdprkit.policy import Policy

__all__ = ["index_html", "page_language"]


def page_language(policy: Policy, lang: str | None) -> Language:
    """The page's language: ``lang`` if given (``"sv"`` or ``"en"``, else
    :class:`~gdprkit.UnknownLanguage`), by default the first of the policy's
    languages gdprkit has texts in, and English when it has none of them."""
    if lang is not None:
        return language(lang)
    return next((language(x) for x in policy.languages if x in LANGUAGES), "en")


def _local_time(iso: str) -> str:
    """``2026-11-25T10:30:00+01:00`` as ``<time>`` reading ``2026-11-25 10:30 (UTC+01:00)``."""
    at = datetime.fromisoformat(iso)
    offset = at.strftime("%z")
    words = f"{at:%Y-%m-%d %H:%M}" + (f" (UTC{offset[:3]}:{offset[3:5]})" if offset else "")
    return f'<time datetime="{esc(iso)}">{esc(words)}</time>'


def _held(manifest: Mapping[str, Any]) -> bool:
    """Whether the page speaks of data held: not when the manifest says none is."""
    return manifest.get("personal_data_held") is not False


def index_html(
    manifest: Mapping[str, Any],
    policy: Policy,
    previews: Mapping[str, Preview] | None = None,
) -> str:
    """The page of an export package, in the manifest's language.

    ``previews`` are the first records of each source (by source name); a
    kind without one is described but its records are only in the files.
    """
    lang = language(manifest["language"])
    previews = previews or {}
    paths: dict[str | None, list[str]] = {}
    for f in manifest["files"]:
        paths.setdefault(f.get("source"), []).append(f["path"])
    kinds = manifest["record_kinds"]
    out = _head(manifest, lang)
    out.append('<main id="main">')
    if _held(manifest):
        out.append(
            f'<section aria-labelledby="held"><h2 id="held">{esc(PAGE.text("what", lang))}</h2>'
        )
        out.append(
            f'<p class="note">{esc(PAGE.text("times", lang).format(tz=policy.timezone.key))}</p>'
        )
        for kind in kinds:
            out += kind_section(
                kind, paths.get(kind["source"], []), previews.get(kind["source"]), policy, lang
            )
        out.append("</section>")
        out += purposes_section(kinds, policy, lang)
        out += _transfers(policy, lang)
    out += _rights(manifest, policy, lang)
    out += _files(manifest, lang)
    out.append("</main></div></body></html>")
    return "\n".join(out) + "\n"


def _head(manifest: Mapping[str, Any], lang: Language) -> list[str]:
    """From the doctype to the table of contents: whose data, held by whom."""
    c = manifest["controller"]
    title = esc(PAGE.text("title", lang).format(name=c["name"]))
    org = f"{PAGE.text('org', lang)} {c['org_number']}" if c.get("org_number") else None
    meta = [esc(c["name"])]
    if org:
        meta.append(f'<span class="nb">{esc(org)}</span>')
    if c.get("address"):
        meta.append(esc(c["address"]))
    if c.get("email"):
        meta.append(link(f"mailto:{c['email']}", c["email"]))
    if c.get("phone"):
        meta.append(f'<span class="nb">{esc(c["phone"])}</span>')
    return [
        "<!DOCTYPE html>",
        f'<html lang="{esc(lang)}">',
        '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        f"<title>{title}</title>",
        f"<style>{STYLE}</style>",
        "</head><body>",
        f'<a class="skip" href="#main">{esc(PAGE.text("skip", lang))}</a>',
        '<div class="page"><header>',
        f"<h1>{title}</h1>",
        f'<p class="meta">{" · ".join(meta)}</p>',
        *_intro(manifest, lang),
        "</header>",
        *_toc(manifest, lang),
    ]


def _toc(manifest: Mapping[str, Any], lang: Language) -> list[str]:
    """The page's contents, each kind of record with its count."""
    entries = []
    if _held(manifest):
        kinds = "".join(
            f"<li>{link('#k-' + k['source'], kind_name(k, lang))} ({esc(records(int(k['rows']), lang))})</li>"
            for k in manifest["record_kinds"]
        )
        entries += [
            f"<li>{link('#held', PAGE.text('what', lang))}<ol>{kinds}</ol></li>",
            f"<li>{link('#why', PAGE.text('why', lang))}</li>",
            f"<li>{link('#transfers', PAGE.text('transfers', lang))}</li>",
        ]
    entries += [
        f"<li>{link('#rights', PAGE.text('rights', lang))}</li>",
        f"<li>{link('#files', PAGE.text('files.h', lang))}</li>",
    ]
    return [
        f'<nav class="toc" aria-labelledby="toc"><h2 id="toc">{esc(PAGE.text("toc", lang))}</h2>',
        f"<ol>{''.join(entries)}</ol></nav>",
    ]


def _intro(manifest: Mapping[str, Any], lang: Language) -> list[str]:
    """What this page answers, when it was made, and (for Art. 20) what it holds."""
    request = PAGE.text(manifest["scope"], lang)
    at = _local_time(manifest["generated_at"])
    # Nothing held: the page must not promise to show data it does not have (Art. 12(1)).
    intro = PAGE.text("intro" if _held(manifest) else "intro.none", lang)
    out = [f"<p>{esc(intro).format(request=esc(request), at=at)}</p>"]
    if manifest["scope"] == "portability":
        out.append(f"<p>{esc(PAGE.text('intro.portability', lang))}</p>")
    if manifest.get("example_values"):
        # Art. 12(1): the reader is told which statements are not the controller's.
        out.append(f'<p class="note">{esc(PAGE.text("examples", lang))}</p>')
    if not _held(manifest):
        # Art. 15(1), first limb: "no" is an answer; where it was looked for makes it one.
        kinds = ", ".join(kind_name(k, lang) for k in manifest["record_kinds"])
        said = [PAGE.text("nothing.searched", lang).format(kinds=kinds)] if kinds else []
        said.append(PAGE.text("nothing.more", lang))
        out.append(
            f'<p class="callout"><strong>{esc(PAGE.text("nothing", lang))}</strong> '
            f"{' '.join(esc(x) for x in said)}</p>"
        )
    return out


def _transfers(policy: Policy, lang: Language) -> list[str]:
    """Transfers outside the EU/EEA, with their safeguards (Art. 15(2), 44-46)."""
    outside = [r for r in policy.recipients.values() if r.third_country]
    out = [
        f'<section aria-labelledby="transfers"><h2 id="transfers">{esc(PAGE.text("transfers", lang))}</h2>'
    ]
    if not outside:
        out.append(f"<p>{esc(PAGE.text('transfers.none', lang))}</p>")
    else:
        out.append(f"<p>{esc(PAGE.text('transfers.some', lang))}</p><ul>")
        for r in outside:
            safeguard = r.safeguards or PAGE.text("safeguards.none", lang)
            out.append(
                f"<li><strong>{esc(r.name.get(lang))}</strong> ({esc(r.country)}): {esc(safeguard)}</li>"
            )
        out.append("</ul>")
    out.append("</section>")
    return out


def _rights(manifest: Mapping[str, Any], policy: Policy, lang: Language) -> list[str]:
    """The subject's rights, whom to ask, automated decisions, the authority (Art. 15(1)(e)-(h), 77)."""
    held = {r["right"] for k in manifest["record_kinds"] for r in k["rights"]}
    listed = [r for r in Right if r.value in held and r.value in RIGHTS.messages]
    contact = manifest["how_to_exercise_rights"]["contact"]
    contact_html = link(f"mailto:{contact}", contact) if "@" in contact else esc(contact)
    out = [
        f'<section aria-labelledby="rights"><h2 id="rights">{esc(PAGE.text("rights", lang))}</h2>',
        f"<p>{esc(PAGE.text('contact', lang)).format(contact=contact_html)}</p>",
        "<ul>",
    ]
    for right in listed:
        name = right.label(lang)
        out.append(
            f"<li><strong>{esc(name[:1].upper() + name[1:])}.</strong> "
            f"{esc(RIGHTS.text(right.value, lang))}</li>"
        )
    out.append("</ul>")
    out.append(f'<h3 id="auto">{esc(PAGE.text("auto", lang))}</h3>')
    automated = esc(policy.automated_decisions.get(lang))
    out.append(f"<p>{automated}{example_flag(policy, 'rights.automated_decisions', lang)}</p>")
    out += _authority(manifest["supervisory_authority"], lang)
    out.append("</section>")
    return out


def _authority(a: Mapping[str, Any], lang: Language) -> list[str]:
    """Where to complain, with the authority's web address as a link (Art. 15(1)(f), 77)."""
    name = a.get("name_local") if lang != "en" and a.get("name_local") else a["name"]
    items = []
    if a.get("website"):
        items.append((PAGE.text("web", lang), link(a["website"])))
    if a.get("complaint_url"):
        items.append((PAGE.text("complaint_url", lang), link(a["complaint_url"])))
    for key in ("address", "email", "phone"):
        if a.get(key):
            value = link(f"mailto:{a[key]}", a[key]) if key == "email" else esc(a[key])
            items.append((PAGE.text(key, lang), value))
    return [
        f'<h3 id="complain">{esc(PAGE.text("complain", lang))}</h3>',
        f"<p>{esc(PAGE.text('complain.text', lang).format(authority=name))}</p>",
        facts(items),
    ]


def _files(manifest: Mapping[str, Any], lang: Language) -> list[str]:
    """The package's files, what each is for, their records and SHA-256."""
    files: Sequence[Mapping[str, Any]] = manifest["files"]
    # With nothing held there are no data files to explain, only the manifest.
    kinds = (
        ("files.csv", "files.jsonl", "files.manifest") if _held(manifest) else ("files.manifest",)
    )
    out = [
        f'<section aria-labelledby="files"><h2 id="files">{esc(PAGE.text("files.h", lang))}</h2>',
        "<ul>",
        *(f"<li>{esc(PAGE.text(key, lang))}</li>" for key in kinds),
        "</ul>",
    ]
    if manifest.get("csv_formula_neutralised") and _held(manifest):
        out.append(f"<p>{esc(PAGE.text('files.formula', lang))}</p>")
    out.append(f'<p class="note" id="hash-note">{esc(PAGE.text("hash.explain", lang))}</p>')
    header = [PAGE.text("file", lang), PAGE.text("records", lang), PAGE.text("hash", lang)]
    rows = [
        [
            (link(f["path"]), "path"),
            (esc(_rows_of(f.get("rows"), lang)), "num"),
            (f'<code class="hash">{esc(f["sha256"])}</code>', ""),
        ]
        for f in files
    ]
    out.append(rows_table(header, rows, labelled_by="files", described_by="hash-note"))
    out.append("</section>")
    return out


def _rows_of(n: object, lang: Language) -> str:
    return count(n, lang) if isinstance(n, int) else ""
