"""Building blocks of the export page: escaped text, links, fact lists and tables.

Every value is escaped by :func:`gdprkit._rights.markup.escape`, which also
shows Unicode's bidi controls as code points, so that no value can reverse
the text around it.

Every table names its header cells with ``scope``; a table whose rows stack
into cards on a narrow screen (class ``rows``) gives each cell its column's
name in ``data-label`` and keeps its table roles explicit, because some
browsers drop a table's semantics once its display is changed by CSS.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from gdprkit._i18n import PAGE, Language
from gdprkit._rights.markup import escape

if TYPE_CHECKING:
    from gdprkit._policy.values import PolicyView

__all__ = [
    "article",
    "count",
    "esc",
    "example_flag",
    "facts",
    "key_values",
    "link",
    "local_text",
    "records",
    "rows_table",
    "text",
]

_ARTICLE = re.compile(r"^(?:GDPR )?(?:Art\. )?(\d+)((?:\(\w+\))*)$")


#: ``text`` escaped for HTML text and attribute values, bidi controls made visible: every
#: value on the page goes through it (:func:`gdprkit._rights.markup.escape`).
esc = escape


#: A long token's natural break points: after / @ _ and before a dot (as URLs are set).
_BREAKS = re.compile(r"(?<=[/@_])(?=[^\s/])|(?<=\S)(?=\.\S)")
#: Tokens at least this long get those break points.
_LONG = 16


def text(value: object) -> str:
    """``value`` escaped, with a line-break opportunity (``<wbr>``) at the natural break
    points of each long token (an e-mail address, a path, a URL), so a narrow cell
    breaks ``anna.berg@|example.se`` rather than inside a word."""
    return " ".join(
        "<wbr>".join(esc(part) for part in _BREAKS.split(token))
        if len(token) >= _LONG
        else esc(token)
        for token in str(value).split(" ")
    )


#: Addresses a link may have: the page's own anchors and files, the web, e-mail.
_LINKABLE = re.compile(r"(#|data/|index\.html|https?://|mailto:)", re.IGNORECASE)


def link(href: str, words: str | None = None) -> str:
    """A link whose text is ``words`` (the address itself by default).

    Only to an anchor or file of the package, a web or an e-mail address: an
    address that would run something when followed (``javascript:``,
    ``data:``) is shown as text, whatever wrote it.
    """
    shown = text(href if words is None else words)
    if not _LINKABLE.match(href):
        return shown
    return f'<a href="{esc(href)}">{shown}</a>'


def article(reference: str, lang: Language) -> str:
    """A GDPR article as its readers cite it: ``artikel 6.1 b`` in Swedish, ``Art. 6(1)(b)``.

    ``reference`` is ``"6(1)(b)"`` or the manifest's ``"GDPR Art. 6(1)(b)"``;
    anything else is returned as it is.
    """
    match = _ARTICLE.match(reference.strip())
    if match is None:
        return reference
    number, rest = match.groups()
    parts = re.findall(r"\((\w+)\)", rest)
    if lang == "en":
        return f"Art. {number}{rest}"
    digits = [p for p in parts if p.isdigit()]
    letters = [p for p in parts if not p.isdigit()]
    return " ".join(["artikel", ".".join([number, *digits]), *letters])


def count(n: int, lang: Language) -> str:
    """A whole number grouped by thousands as the language writes it: 1 000 000, 1,000,000."""
    grouped = f"{n:,}"
    return grouped.replace(",", "\N{NO-BREAK SPACE}") if lang == "sv" else grouped


def records(n: int, lang: Language) -> str:
    """``"1 post"``, ``"48 poster"``, ``"1 record"``, ``"48 records"``."""
    key = "records.one" if n == 1 else "records.many"
    return PAGE.text(key, lang).format(n=count(n, lang))


def local_text(value: object, lang: Language) -> str:
    """A text of the manifest in ``lang``: a plain string, or one text per language."""
    if isinstance(value, Mapping):
        chosen = value.get(lang) or value.get("en") or next(iter(value.values()), "")
        return str(chosen)
    return "" if value is None else str(value)


def facts(items: Iterable[tuple[str, str]]) -> str:
    """A description list of (term, HTML description) pairs; terms are escaped here."""
    body = "".join(f"<dt>{esc(term)}</dt><dd>{value}</dd>" for term, value in items)
    return f'<dl class="facts">{body}</dl>'


def key_values(rows: Iterable[tuple[str, str]], *, labelled_by: str) -> str:
    """A two-column table of (label, escaped value) rows: one record, read down."""
    body = "".join(
        f'<tr><th scope="row">{esc(label)}</th><td>{value}</td></tr>' for label, value in rows
    )
    return f'<table class="kv" aria-labelledby="{esc(labelled_by)}"><tbody>{body}</tbody></table>'


def rows_table(
    header: Sequence[str],
    rows: Iterable[Sequence[tuple[str, str]]],
    *,
    labelled_by: str,
    described_by: str | None = None,
    layout: str = "rows",
) -> str:
    """A table of records, one per row; with ``layout="rows"`` it stacks into cards on a
    narrow screen, with ``"rows wide"`` at every width, with ``""`` never (few columns).

    ``rows`` hold (escaped HTML, class) cells in ``header``'s order. The
    cards' label column is as wide as the longest header needs, up to 16
    characters (``--label``), so short labels leave the values room.
    """
    names = [esc(h) for h in header]
    label = min(max((len(h) for h in header), default=0) + 1, 16)
    head = "".join(f'<th scope="col" role="columnheader">{n}</th>' for n in names)
    body = "".join(
        '<tr role="row">'
        + "".join(
            f'<td role="cell" data-label="{name}"{_class(kind)}>{value}</td>'
            for name, (value, kind) in zip(names, row, strict=True)
        )
        + "</tr>"
        for row in rows
    )
    described = f' aria-describedby="{esc(described_by)}"' if described_by else ""
    return (
        f'<table{_class(layout)} style="--label:{label}ch" '
        f'role="table" aria-labelledby="{esc(labelled_by)}"{described}>'
        f'<thead role="rowgroup"><tr role="row">{head}</tr></thead>'
        f'<tbody role="rowgroup">{body}</tbody></table>'
    )


def _class(kind: str) -> str:
    return f' class="{kind}"' if kind else ""


def example_flag(policy: PolicyView, path: str, lang: Language) -> str:
    """A marked note after a value ``[policy] examples`` lists; nothing for the controller's own.

    Art. 5(1)(a), 12(1): no invented value reaches the person as the
    controller's fact.
    """
    if not policy.is_example(path):
        return ""
    return f' <span class="note">({esc(PAGE.text("example", lang))})</span>'
