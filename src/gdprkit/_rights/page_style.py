"""The stylesheet of the export page: readable from a 360 px phone to a desktop, and on paper.

No scripts, fonts or images: the page must open offline years later (Art.
12(1), 15(3)). Narrow screens stack each table row into a card whose cells
carry their column's name (``data-label``), so nothing scrolls sideways;
text colours meet WCAG 2.2 AA (4.5:1) on every background they are used on,
in light and dark mode (a test computes the ratios from these values).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

__all__ = ["CSP", "DARK", "LIGHT", "PRINT", "STYLE", "TEXT_ON"]

#: The colours, by custom property, in light mode, dark mode and print.
LIGHT: Final = {
    "bg": "#ffffff", "fg": "#1f2328", "muted": "#59636e", "line": "#d1d9e0",
    "head": "#f6f8fa", "band": "#f6f8fa", "link": "#0550ae", "note": "#fff8c5",
}  # fmt: skip
DARK: Final = {
    "bg": "#0d1117", "fg": "#e6edf3", "muted": "#9198a1", "line": "#3d444d",
    "head": "#161b22", "band": "#161b22", "link": "#58a6ff", "note": "#2c2613",
}  # fmt: skip
PRINT: Final = {
    "bg": "#ffffff", "fg": "#000000", "muted": "#333333", "line": "#999999",
    "head": "#eeeeee", "band": "#ffffff", "link": "#000000", "note": "#ffffff",
}  # fmt: skip

#: Which text colour is drawn on which background (the pairs the contrast test checks).
TEXT_ON: Final = tuple(
    (text, background)
    for text in ("fg", "muted", "link")
    for background in ("bg", "head", "band", "note")
)

#: Below this width (40rem, 640 px at the default font size) tables become stacked cards.
_NARROW = "39.99rem"


def _palette(colours: Mapping[str, str]) -> str:
    return ";".join(f"--{name}:{value}" for name, value in colours.items())


def _stacked(table: str) -> str:
    """The rules that turn each row of ``table`` into a card of "column name: value" lines.

    The label column is at least as wide as its longest word, so a label
    never breaks inside a word; values break anywhere if they must.
    """
    rules = (
        "{t} thead{{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);"
        "white-space:nowrap}}",
        "{t},{t} tbody,{t} tr,{t} td{{display:block;width:100%}}",
        "{t} tr{{border:1px solid var(--line);border-radius:.4rem;margin:0 0 .75rem}}",
        "{t} td,{t} tr:nth-child(even) td{{border:0;border-top:1px solid var(--line);"
        "background:none;display:grid;grid-template-columns:minmax(min-content,var(--label,40%)) "
        "minmax(0,1fr);gap:.75rem;padding:.35rem .6rem;text-align:left}}",
        "{t} td:first-child{{border-top:0}}{t} td.num{{text-align:left}}",
        # The column's name before each value. The header cells stay for screen readers,
        # so the label gets empty alternative text where that syntax is understood.
        "{t} td::before{{content:attr(data-label);font-weight:600;overflow-wrap:normal;white-space:normal}}",
        '{t} td::before{{content:attr(data-label) / ""}}',
    )
    return "".join(rule.format(t=table) for rule in rules)


_RULES = (
    f":root{{color-scheme:light dark;{_palette(LIGHT)}}}",
    f"@media (prefers-color-scheme:dark){{:root{{{_palette(DARK)}}}}}",
    "*,::before,::after{box-sizing:border-box}",
    "html{-webkit-text-size-adjust:100%;text-size-adjust:100%}",
    "body{margin:0;background:var(--bg);color:var(--fg);"
    "font:1rem/1.55 system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',sans-serif}",
    ".page{max-width:60rem;margin:0 auto;padding:1rem 1rem 3rem}",
    "@media (min-width:40rem){.page{padding:2rem 1.5rem 4rem}}",
    ".skip{position:absolute;left:.5rem;top:-4rem;padding:.5rem .75rem;background:var(--bg);"
    "color:var(--link);border:2px solid var(--link)}.skip:focus{top:.5rem}",
    "h1,h2,h3{line-height:1.25;overflow-wrap:break-word}",
    "h1{font-size:1.6rem;margin:0 0 .5rem}@media (min-width:40rem){h1{font-size:2rem}}",
    "h2{font-size:1.35rem;margin:2.5rem 0 .75rem;padding-bottom:.3rem;"
    "border-bottom:2px solid var(--line)}",
    "h3{font-size:1.15rem;margin:2rem 0 .5rem}",
    "p,ul,ol,dl{margin:.5rem 0 1rem}p,li,dd{overflow-wrap:break-word}",
    "ul,ol{padding-left:1.25rem}li{margin:.2rem 0}",
    "a{color:var(--link);text-decoration:underline;text-underline-offset:.15em}",
    "a:focus-visible{outline:3px solid var(--link);outline-offset:2px}",
    ".meta,.note{color:var(--muted)}.note{font-size:.9rem}",
    ".callout{background:var(--note);border:1px solid var(--line);border-left:.4rem solid "
    "var(--fg);padding:.75rem 1rem;border-radius:.25rem}",
    ".toc{border:1px solid var(--line);border-radius:.4rem;padding:.25rem 1rem;margin:1.5rem 0}",
    ".toc h2{font-size:1rem;margin:.75rem 0 .25rem;padding:0;border:0}",
    ".toc ol ol{margin:.25rem 0}.toc li{break-inside:avoid;margin:0 0 .3rem}",
    "@media (min-width:48rem){.toc>ol{columns:2;column-gap:2.5rem}}",
    ".facts{display:grid;grid-template-columns:minmax(0,1fr);gap:0}",
    ".facts dt{font-weight:600;margin-top:.6rem}.facts dd{margin:0}",
    "@media (min-width:40rem){.facts{grid-template-columns:minmax(9rem,15rem) minmax(0,1fr)}"
    ".facts dt,.facts dd{margin:0;padding:.35rem 0;border-top:1px solid var(--line)}"
    ".facts dd{padding-left:1.25rem}}",
    ".facts ul{margin:0}",
    "code{font:.875em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}",
    "table{border-collapse:collapse;width:100%;margin:.5rem 0 1.25rem;font-size:.95rem}",
    "th,td{border:1px solid var(--line);padding:.45rem .6rem;text-align:left;vertical-align:top}",
    # Long values (a checksum, an e-mail address, a URL in a message) break anywhere
    # rather than widen the table; words in headings and labels stay whole.
    "td{overflow-wrap:anywhere}th,td.path{overflow-wrap:break-word}",
    "th{background:var(--head);font-weight:600}",
    "tbody tr:nth-child(even) td{background:var(--band)}",
    "td.num{text-align:right;font-variant-numeric:tabular-nums}",
    "time,.nb{white-space:nowrap}",
    ".kv th{width:30%}",
    ".hash{font-size:.85em}",
    f"@media (max-width:{_NARROW}){{{_stacked('.rows')}}}",
    _stacked(".rows.wide"),
    "@media print{"
    f":root{{color-scheme:light;{_palette(PRINT)}}}"
    "body{font-size:10.5pt}.page{max-width:none;padding:0}.skip,.toc{display:none}"
    "a[href^='http']::after{content:' <' attr(href) '>';overflow-wrap:anywhere}"
    "h2,h3{break-after:avoid}tr,.facts dt,.facts dd,li{break-inside:avoid}"
    "thead{display:table-header-group}}",
)

#: The whole stylesheet, as it goes into the page's ``<style>`` element.
STYLE: Final = "".join(_RULES)

#: The page's Content-Security-Policy: its own inline stylesheet and nothing else. The page
#: holds no script and loads nothing, so a value that ever slipped past the escaping could
#: neither run nor send the person's data anywhere.
CSP: Final = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
