"""The export package's ``index.html``: the manifest's facts as a page a person can read.

Written in the policy's first language (English when gdprkit has no texts in
it), self-contained (no scripts, fonts or images) and readable on screen and
on paper, so the subject can understand their data without tools (Art.
12(1), 15(1)); its texts are in :data:`gdprkit._i18n.PAGE`. Every value goes
through :func:`gdprkit._rights.markup.escape`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from gdprkit._i18n import PAGE, Language, language
from gdprkit._rights.markup import escape
from gdprkit._rights.redact import RedactionGround
from gdprkit.vocab import Origin, Right

if TYPE_CHECKING:
    from gdprkit.policy import Policy

__all__ = ["index_html"]

# Readable on screen and on paper, in light and dark mode; no external fonts or images.
_HTML_STYLE = (
    ":root{color-scheme:light dark;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--head:#f6f8fa;"
    "--band:#fbfcfd;--link:#0550ae}"
    "@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--line:#3d444d;"
    "--head:#151b23;--band:#10151c;--link:#4493f8}body{background:#0d1117}}"
    "body{font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:var(--fg);"
    "max-width:62rem;margin:0 auto;padding:2rem 1.25rem 3rem}"
    "h1{font-size:1.75rem;line-height:1.25;margin:0 0 .25rem}"
    "h2{font-size:1.35rem;margin:2.25rem 0 .75rem;padding-bottom:.3rem;"
    "border-bottom:2px solid var(--line)}"
    "h3{font-size:1.1rem;margin:1.75rem 0 .5rem}h3 small{font-weight:normal;color:var(--muted)}"
    ".meta{color:var(--muted);margin:0 0 1.25rem}"
    "table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;font-size:.95rem}"
    "th,td{border:1px solid var(--line);padding:.4rem .6rem;text-align:left;vertical-align:top}"
    "thead th,.kv th{background:var(--head);font-weight:600}.kv,.purposes{table-layout:fixed}"
    ".kv th,.purposes th:first-child{width:22%}.purposes th:nth-child(2){width:17%}"
    ".purposes th:nth-child(3){width:31%}td{overflow-wrap:break-word}"
    "tbody tr:nth-child(even) td{background:var(--band)}"
    ".num{text-align:right;font-variant-numeric:tabular-nums}"
    ".note{display:block;color:var(--muted);font-size:.9em}"
    "ul{margin:.25rem 0;padding-left:1.25rem}a{color:var(--link)}"
    "code{font:.85em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;word-break:break-all}"
    "@media print{body{max-width:none;padding:0}a{color:inherit}section{break-inside:avoid}}"
)


def _local_time(iso: str) -> str:
    """``2026-11-25T10:30:00+01:00`` as ``2026-11-25 10:30 (UTC+01:00)``."""
    at = datetime.fromisoformat(iso)
    offset = at.strftime("%z")
    return (
        f"{at:%Y-%m-%d %H:%M} (UTC{offset[:3]}:{offset[3:5]})" if offset else f"{at:%Y-%m-%d %H:%M}"
    )


#: The English reasons of the manifest that the page words in the subject's language.
_REASONS: Final = {
    PAGE.text(key, "en"): key
    for key in ("excluded.derived", "excluded.third_party", "excluded.untagged")
}


def _excluded_reason(
    reason: str, field: Mapping[str, Any] | None, policy: Policy, lang: Language
) -> str:
    """The manifest's reason (in English) for leaving a field out, in the page's language."""
    if lang != "sv":
        return reason
    if reason in _REASONS:
        return PAGE.text(_REASONS[reason], lang)
    if field is not None and reason.startswith("Art. 20(1)(a)"):
        bases = {policy.purpose(p).basis for p in field.get("purposes", ())}
        labels = {(b.label("sv"), b.article) for b in bases}
        names = ", ".join(sorted(f"{w[:1].lower()}{w[1:]} (art. {art})" for w, art in labels))
        return PAGE.text("excluded.basis", lang).format(names=names)
    return reason


def index_html(manifest: Mapping[str, Any], policy: Policy) -> str:
    """A self-contained page (no scripts, no external assets) a person can read.

    Written in the policy's first language; the same facts as the manifest,
    one section per record kind with its purposes as a table (Art. 15(1)(a)-(h)).
    """
    lang = language(manifest["language"], default="en")
    t = PAGE.texts(lang)
    out = _head(manifest, t, lang)
    paths: dict[str | None, list[str]] = {f.get("source"): [] for f in manifest["files"]}
    for f in manifest["files"]:
        paths[f.get("source")].append(f["path"])
    for kind in manifest["record_kinds"]:
        out += _kind_section(kind, paths.get(kind["source"], []), policy, t, lang)
    out += _rights_section(manifest, policy, t, lang)
    out += _files_section(manifest["files"], t)
    return "\n".join(out) + "\n"


def _head(manifest: Mapping[str, Any], t: Mapping[str, str], lang: Language) -> list[str]:
    """From the doctype to the heading of the record kinds: who holds the data, when, why."""
    e = escape
    c = manifest["controller"]
    title = e(t["title"].format(name=c["name"]))
    meta = " · ".join(
        e(x) for x in (c["name"], f"{t['org']} {c['org_number']}" if c["org_number"] else None,
                       c["address"], c["email"]) if x
    )  # fmt: skip
    at = _local_time(manifest["generated_at"])
    return [
        "<!DOCTYPE html>",
        f'<html lang="{e(lang)}">',
        '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title>",
        f"<style>{_HTML_STYLE}</style>",
        "</head><body>",
        f"<h1>{title}</h1>",
        f'<p class="meta">{meta}</p>',
        f"<p>{e(t['intro'].format(at=at, request=t[manifest['scope']]))}</p>",
        f"<p>{e(t['csv'])}</p>",
        # Art. 15(1), first limb: say plainly that nothing is held, when nothing is.
        *([] if manifest["personal_data_held"] else [f"<p><strong>{e(t['none'])}</strong></p>"]),
        f"<h2>{e(t['what'])}</h2>",
    ]


def _kind_section(
    kind: Mapping[str, Any],
    paths: Sequence[str],
    policy: Policy,
    t: Mapping[str, str],
    lang: Language,
) -> list[str]:
    """One record kind: rows, categories, origins, files, left-out fields, then its purposes."""
    e = escape
    personal = [f for f in kind["fields"] if f["personal"]]
    labels = sorted({policy.taxonomy[f["category"]].label(lang) if f["category"] in policy.taxonomy
                     else f["category"] for f in personal})  # fmt: skip
    origins = sorted({Origin(f["origin"]).label(lang) for f in personal})
    links = ", ".join(f'<a href="{e(p)}"><code>{e(p)}</code></a>' for p in paths)
    out = [
        "<section>",
        f"<h3>{e(kind['record_kind'])} <small>({e(kind['source'])})</small></h3>",
        '<table class="kv">',
        f"<tr><th>{e(t['rows'])}</th><td>{kind['rows']}</td></tr>",
        f"<tr><th>{e(t['cats'])}</th><td>{e(', '.join(labels))}</td></tr>",
        f"<tr><th>{e(t['from'])}</th><td>{e('; '.join(origins))}</td></tr>",
    ]
    if kind["sources_of_data"]:  # Art. 15(1)(g): who the third-party data came from
        named = "; ".join(f"{x['text'].get(lang) or next(iter(x['text'].values()))} "
                          f"({', '.join(x['fields'])})" for x in kind["sources_of_data"])  # fmt: skip
        out.append(f"<tr><th>{e(t['source'])}</th><td>{e(named)}</td></tr>")
    if links:
        out.append(f"<tr><th>{e(t['files'])}</th><td>{links}</td></tr>")
    if kind["excluded_fields"]:
        by_name = {f["name"]: f for f in kind["fields"]}
        items = "".join(
            f"<li><code>{e(x['field'])}</code>: "
            f"{e(_excluded_reason(x['reason'], by_name.get(x['field']), policy, lang))}</li>"
            for x in kind["excluded_fields"]
        )
        out.append(f"<tr><th>{e(t['excluded'])}</th><td><ul>{items}</ul></td></tr>")
    if kind["redactions"]:  # Art. 15(4), 20(4): how many values, and why; never which
        reasons = [RedactionGround(x["ground"]).reason(x["article"].removeprefix("GDPR Art. "), lang)
                   for x in kind["redactions"]]  # fmt: skip
        items = "".join(f"<li><code>{e(x['field'])}</code>: {x['count']} ({e(why)})</li>"
                        for x, why in zip(kind["redactions"], reasons, strict=True))  # fmt: skip
        out.append(f"<tr><th>{e(t['redacted'])}</th><td><ul>{items}</ul></td></tr>")
    out.append("</table>")
    if kind["purposes"]:
        out.append(f'<table class="purposes"><thead><tr><th>{e(t["why"])}</th>'
                   f'<th>{e(t["basis"])}</th><th>{e(t["long"])}</th><th>{e(t["to"])}</th>'
                   "</tr></thead><tbody>")  # fmt: skip
        out += [_purpose_row(p, policy, t, lang) for p in kind["purposes"]]
        out.append("</tbody></table>")
    out.append("</section>")
    return out


def _purpose_row(p: Mapping[str, Any], policy: Policy, t: Mapping[str, str], lang: Language) -> str:
    """One purpose: why, on what basis, how long, to whom (Art. 15(1)(a), (c), (d))."""
    e = escape
    purpose = policy.purpose(p["id"])
    article = p["legal_basis"]["article"]
    if p["legal_reference"]:
        article += f"; {p['legal_reference']}"
    basis = f'{e(purpose.basis.label(lang))} <span class="note">{e(article)}</span>'
    keep = e(purpose.retention_words(lang) or "")
    if p["retention"].get("erasable_from"):
        date_text = t["erasable"].format(date=p["retention"]["erasable_from"][:10])
        keep += f' <span class="note">{e(date_text)}</span>'
    to = e(", ".join(policy.recipients[r].name.get(lang) for r in purpose.recipients))
    return (f"<tr><td><strong>{e(purpose.name.get(lang))}</strong></td>"
            f"<td>{basis}</td><td>{keep}</td><td>{to}</td></tr>")  # fmt: skip


def _rights_section(
    manifest: Mapping[str, Any], policy: Policy, t: Mapping[str, str], lang: Language
) -> list[str]:
    """The subject's rights, whom to contact, automated decisions, the authority (Art. 15(1)(e)-(h))."""
    e = escape
    a = manifest["supervisory_authority"]
    rights = sorted({(r["right"], r["article"]) for k in manifest["record_kinds"] for r in k["rights"]},
                    key=lambda x: [m.value for m in Right].index(x[0]))  # fmt: skip
    out = [f"<section><h2>{e(t['rights'])}</h2><ul>"]
    for value, article in rights:
        out.append(f"<li>{e(Right(value).label(lang).capitalize())} ({e(article)})</li>")
    out.append("</ul>")
    out.append(f"<p>{e(t['contact'])} {e(manifest['how_to_exercise_rights']['contact'])}</p>")
    out.append(f"<p><strong>{e(t['auto'])}:</strong> {e(policy.automated_decisions.get(lang))}</p>")
    out.append(
        f"<p>{e(t['complain'])}: {e(a['name_local'] if lang != 'en' else a['name'])}"
        + "".join(f", {e(x)}" for x in (a["address"], a["website"]) if x)
        + "</p></section>"
    )
    return out


def _files_section(files: Sequence[Mapping[str, Any]], t: Mapping[str, str]) -> list[str]:
    """The package's data files with their rows and SHA-256, as the manifest lists them."""
    e = escape
    out = [f"<section><h2>{e(t['files'])}</h2><table><thead><tr><th>{e(t['file'])}</th>"
           f'<th class="num">{e(t["rows"])}</th><th>{e(t["hash"])}</th></tr></thead><tbody>']  # fmt: skip
    for f in files:
        out.append(f'<tr><td><a href="{e(f["path"])}"><code>{e(f["path"])}</code></a></td>'
                   f'<td class="num">{f.get("rows", "")}</td><td><code>{e(f["sha256"])}</code></td></tr>')  # fmt: skip
    out.append("</tbody></table></section></body></html>")
    return out
