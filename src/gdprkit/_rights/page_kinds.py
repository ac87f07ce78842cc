"""The export page's account of the data: each kind of record with the records themselves,
then why each is processed, on what basis, for how long and for whom.

Answers Art. 15(1)(a)-(d) and (g) and gives the copy of Art. 15(3) on the
page itself; every name comes from the manifest's labels or the policy, in
the page's language, never from class or table names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from gdprkit._i18n import PAGE, Language
from gdprkit._rights.page_html import (
    article,
    count,
    esc,
    example_flag,
    facts,
    key_values,
    link,
    local_text,
    records,
    rows_table,
    text,
)
from gdprkit._rights.preview import Preview, cell_class, cell_text
from gdprkit._rights.redact import RedactionGround
from gdprkit._rights.scope import BASIS, DERIVED, THIRD_PARTY, UNTAGGED
from gdprkit.vocab import LegalBasis, Origin

if TYPE_CHECKING:
    from gdprkit.policy import Policy

__all__ = ["kind_name", "kind_section", "purposes_section"]

#: The manifest's reasons for leaving a field out, and the page's plain words for them.
_REASONS: Final = {
    DERIVED: "reason.derived",
    THIRD_PARTY: "reason.third_party",
    UNTAGGED: "reason.untagged",
}

#: More columns than this and a table of records is cards at every width.
_WIDE: Final = 6
#: Up to this many columns a table of records fits a phone as a table.
_NARROW: Final = 3


def _layout(columns: int) -> str:
    """How a table of records lays out: a table, cards on a phone, or cards everywhere."""
    if columns <= _NARROW:
        return ""
    return "rows wide" if columns > _WIDE else "rows"


def kind_name(kind: Mapping[str, Any], lang: Language) -> str:
    """The kind's name for people: its label in ``lang`` (a manifest without one: its source)."""
    label = kind.get("label")
    return local_text(label, lang) if label else str(kind["source"])


def _field_names(kind: Mapping[str, Any], lang: Language) -> dict[str, str]:
    return {
        f["name"]: local_text(f["label"], lang) if f.get("label") else f["name"]
        for f in kind["fields"]
    }


def _category_names(kind: Mapping[str, Any], policy: Policy, lang: Language) -> str:
    names = {
        policy.taxonomy[c].label(lang) if c in policy.taxonomy else c for c in kind["categories"]
    }
    return esc(", ".join(sorted(names)))


def _listed(items: Sequence[str]) -> str:
    """Items of HTML: one as it is, several as a list, none as nothing."""
    if len(items) < 2:
        return "".join(items)
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def _origins(kind: Mapping[str, Any], names: Mapping[str, str], lang: Language) -> str:
    """Where the data came from (Art. 15(1)(g)): its origins, and who third-party data came
    from, each source with the fields it gave (by their names for people)."""
    words = [Origin(o).label(lang) for o in kind["origins"]]
    items = [w[:1].upper() + w[1:] for w in words]
    sources = [
        f"{local_text(s['text'], lang)} ({', '.join(names.get(f, f) for f in s['fields'])})"
        for s in kind.get("sources_of_data") or ()
    ]
    if sources:
        items.append(f"{PAGE.text('sources', lang)}: {'; '.join(sources)}")
    return _listed([esc(item) for item in items])


def _excluded(
    kind: Mapping[str, Any], names: Mapping[str, str], policy: Policy, lang: Language
) -> str:
    """Each field a portability package leaves out, with why in plain words (Art. 20(1))."""
    by_name = {f["name"]: f for f in kind["fields"]}
    items = []
    for x in kind["excluded_fields"]:
        reason = x["reason"]
        if reason in _REASONS:
            words = PAGE.text(_REASONS[reason], lang)
        elif reason.startswith(BASIS) and x["field"] in by_name:
            bases = {
                policy.purpose(p).basis.label(lang).lower()
                for p in by_name[x["field"]].get("purposes", ())
                if p in policy.purposes
            }
            words = PAGE.text("reason.basis", lang).format(names=", ".join(sorted(bases)))
        else:
            words = reason
        items.append(
            f"<li><strong>{esc(names.get(x['field'], x['field']))}</strong>: {esc(words)}</li>"
        )
    return f"<ul>{''.join(items)}</ul>"


def _redaction_reason(redaction: Mapping[str, Any], lang: Language) -> str:
    """Why values were withheld, in ``lang`` and citing the article as its readers do; a
    ground gdprkit does not know keeps the manifest's own reason."""
    grounds = {g.value: g for g in RedactionGround}
    ground = grounds.get(str(redaction.get("ground")))
    if ground is None:
        return local_text(redaction.get("reason"), lang)
    return ground.reason(article(redaction["article"], lang), lang)


def _redactions(kind: Mapping[str, Any], names: Mapping[str, str], lang: Language) -> str:
    """How many values of which field were withheld to protect others, and why (Art. 15(4),
    20(4)); never which values."""
    items = []
    for r in kind["redactions"]:
        n = int(r["count"])
        words = PAGE.text("redacted.one" if n == 1 else "redacted.many", lang).format(
            field=names.get(r["field"], r["field"]),
            count=count(n, lang),
            reason=_redaction_reason(r, lang),
        )
        items.append(f"<li>{esc(words)}</li>")
    return f"<ul>{''.join(items)}</ul>"


def _kind_facts(
    kind: Mapping[str, Any], paths: Sequence[str], policy: Policy, lang: Language
) -> str:
    names = _field_names(kind, lang)
    links = [
        link(f"#p-{p['id']}", _purpose_name(p, policy, lang))
        for p in _in_policy_order(kind["purposes"], policy)
    ]
    purposes = _listed(links)
    items = [
        (PAGE.text("cats", lang), _category_names(kind, policy, lang)),
        (PAGE.text("from", lang), _origins(kind, names, lang)),
    ]
    if purposes:
        items.append((PAGE.text("purposes", lang), purposes))
    if paths:
        items.append((PAGE.text("files", lang), ", ".join(link(p) for p in paths)))
    if kind["excluded_fields"]:
        items.append((PAGE.text("excluded", lang), _excluded(kind, names, policy, lang)))
    if kind.get("redactions"):
        items.append((PAGE.text("redacted", lang), _redactions(kind, names, lang)))
    return facts(items)


def _same_in_all(
    header: list[str], rows: list[list[tuple[str, str]]]
) -> tuple[list[str], list[int]]:
    """The columns whose value is the same in every row shown (the customer number of each
    meter reading), as "name value" texts, and the indexes of the other columns.

    Lifting them out of the table spares the reader a column that says nothing
    new; when every column is the same, the table keeps them all.
    """
    same = [i for i in range(len(header)) if len({row[i] for row in rows}) == 1]
    if len(rows) < 2 or len(same) == len(header):
        return [], list(range(len(header)))
    lifted = [f"<strong>{esc(header[i])}</strong>: {rows[0][i][0]}" for i in same]
    return lifted, [i for i in range(len(header)) if i not in same]


def _records(
    kind: Mapping[str, Any],
    preview: Preview | None,
    paths: Sequence[str],
    policy: Policy,
    lang: Language,
) -> list[str]:
    """The records themselves: one read down a table, several as rows, the first N of many."""
    total = int(kind["rows"])
    if total == 0:
        return [f"<p>{esc(PAGE.text('none.held', lang))}</p>"]
    if preview is None or not preview.rows or not preview.fields:
        return []  # nothing of this kind is in the package (all left out): no empty table
    names = _field_names(kind, lang)
    header = [names.get(f, f) for f in preview.fields]
    tz = policy.timezone
    heading = f"k-{kind['source']}"
    rows = [[(text(cell_text(v, lang, tz)), cell_class(v)) for v in row] for row in preview.rows]
    if total == 1 and len(rows) == 1:
        return [
            key_values(
                [(h, v) for h, (v, _) in zip(header, rows[0], strict=True)], labelled_by=heading
            )
        ]
    out = []
    notes = []
    if total > len(rows):
        files = ", ".join(link(p) for p in paths)
        notes.append(esc(PAGE.text("shown.first", lang)).format(
            shown=count(len(rows), lang), total=count(total, lang), files=files))  # fmt: skip
    lifted, kept = _same_in_all(header, rows)
    if lifted:
        notes.append(esc(PAGE.text("same.all", lang)).format(values="; ".join(lifted)))
    described = f"{heading}-note" if notes else None
    if notes:
        out.append(f'<p class="note" id="{described}">{" ".join(notes)}</p>')
    out.append(
        rows_table(
            [header[i] for i in kept],
            [[row[i] for i in kept] for row in rows],
            labelled_by=heading,
            described_by=described,
            layout=_layout(len(kept)),
        )
    )
    return out


def kind_section(
    kind: Mapping[str, Any],
    paths: Sequence[str],
    preview: Preview | None,
    policy: Policy,
    lang: Language,
) -> list[str]:
    """One kind of record: what it is, where it came from, and the records."""
    heading = f"k-{kind['source']}"
    return [
        f'<section aria-labelledby="{esc(heading)}">',
        f'<h3 id="{esc(heading)}">{esc(kind_name(kind, lang))} '
        f'<span class="note">({esc(records(int(kind["rows"]), lang))})</span></h3>',
        _kind_facts(kind, paths, policy, lang),
        *_records(kind, preview, paths, policy, lang),
        "</section>",
    ]


def _in_policy_order(
    purposes: Sequence[Mapping[str, Any]], policy: Policy
) -> list[Mapping[str, Any]]:
    """Purposes in the order the policy declares them (its own reading order)."""
    order = {pid: i for i, pid in enumerate(policy.purposes)}
    return sorted(purposes, key=lambda p: order.get(p["id"], len(order)))


def _purpose_name(p: Mapping[str, Any], policy: Policy, lang: Language) -> str:
    purpose = policy.purposes.get(p["id"])
    return purpose.name.get(lang) if purpose is not None else local_text(p.get("name"), lang)


def _basis(p: Mapping[str, Any], policy: Policy, lang: Language) -> str:
    basis = LegalBasis(p["legal_basis"]["code"])
    words = f"{basis.label(lang)} ({article(p['legal_basis']['article'], lang)})"
    if p.get("legal_reference"):
        words += f"; {p['legal_reference']}"
    return esc(words) + example_flag(policy, f"purposes.{p['id']}.basis", lang)


def _retention(p: Mapping[str, Any], policy: Policy, lang: Language) -> str:
    purpose = policy.purposes.get(p["id"])
    words = purpose.retention_words(lang) if purpose is not None else None
    text = esc(words or local_text(p["retention"].get("rule"), lang))
    text += example_flag(policy, f"purposes.{p['id']}.retention", lang)
    erasable = p["retention"].get("erasable_from")
    if erasable and not (purpose is not None and purpose.anonymized_only):
        key = "expired" if p["retention"].get("status") == "expired" else "erasable"
        words = esc(PAGE.text(key, lang).format(date=erasable[:10]))
        text += f'<br><span class="note">{words}</span>'
    return text


def _recipients(p: Mapping[str, Any], policy: Policy, lang: Language) -> str:
    purpose = policy.purposes.get(p["id"])
    if purpose is None:
        names = [esc(str(r["name"])) for r in p["recipients"]]
    else:
        at = f"purposes.{purpose.id}.recipients"
        names = [
            esc(policy.recipients[r].name.get(lang))
            + (example_flag(policy, f"recipients.{r}", lang) or example_flag(policy, at, lang))
            for r in purpose.recipients
        ]
    return ", ".join(names) if names else esc(PAGE.text("to.none", lang))


def purposes_section(
    kinds: Sequence[Mapping[str, Any]], policy: Policy, lang: Language
) -> list[str]:
    """Each purpose any record kind serves: why, basis, how long, to whom (Art. 15(1)(a)-(d))."""
    first: dict[str, Mapping[str, Any]] = {}
    served: dict[str, list[str]] = {}
    for kind in kinds:
        for p in kind["purposes"]:
            first.setdefault(p["id"], p)
            served.setdefault(p["id"], []).append(
                link(f"#k-{kind['source']}", kind_name(kind, lang))
            )
    order = [pid for pid in policy.purposes if pid in first] + [
        pid for pid in first if pid not in policy.purposes
    ]
    out = [f'<section aria-labelledby="why"><h2 id="why">{esc(PAGE.text("why", lang))}</h2>']
    for pid in order:
        p = first[pid]
        purpose = policy.purposes.get(pid)
        items = [(PAGE.text("basis", lang), _basis(p, policy, lang))]
        if p.get("special_condition"):
            items.append((PAGE.text("special", lang), esc(article(p["special_condition"], lang))))
        items += [
            (PAGE.text("long", lang), _retention(p, policy, lang)),
            (PAGE.text("to", lang), _recipients(p, policy, lang)),
            (PAGE.text("concerns", lang), ", ".join(served[pid])),
        ]
        out += [
            f'<section aria-labelledby="p-{esc(pid)}">',
            f'<h3 id="p-{esc(pid)}">{esc(_purpose_name(p, policy, lang))}</h3>',
            f"<p>{esc(purpose.description.get(lang))}</p>" if purpose is not None else "",
            facts(items),
            "</section>",
        ]
    out.append("</section>")
    return out
