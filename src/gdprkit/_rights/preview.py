"""The first records of each kind, kept while the package streams, as the page shows them.

The page shows a person their data itself, not only links to files (Art.
15(3): a copy of the data, in a commonly used form). A kind with many records
(hourly meter readings) shows its first :data:`PREVIEW_ROWS`, with the count
and the files that hold every one; only those rows are kept, so the export's
memory stays flat however many records a subject has.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from decimal import Decimal
from enum import Enum
from typing import Final

import attrs

from gdprkit._i18n import PAGE, Language

__all__ = ["PREVIEW_ROWS", "Preview", "cell_class", "cell_text"]

#: How many records of each kind the page shows; the files hold all of them.
PREVIEW_ROWS: Final = 50


@attrs.frozen
class Preview:
    """The first records of one source, as the values of the fields in the package."""

    fields: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]


def cell_class(value: object) -> str:
    """How a value sits in its cell: numbers aligned right (``num``); dates, times and
    yes/no kept on one line (``nb``); text wrapping as it must (no class)."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return "num"
    if isinstance(value, date | bool):
        return "nb"
    return ""


def cell_text(value: object, lang: Language, tz: tzinfo) -> str:
    """A value as a person reads it: local times to the minute, yes/no, lists joined.

    The files keep the exact values (ISO 8601 with offset, exact decimals);
    the page says the time zone its times are in.
    """
    if value is None:
        return "–"
    if isinstance(value, bool):
        return PAGE.text("yes" if value else "no", lang)
    if isinstance(value, datetime):
        # a stored wall-clock time is read in the policy's zone, as the files do
        local = value.astimezone(tz) if value.tzinfo is not None else value
        return f"{local:%Y-%m-%d %H:%M}" + (f":{local:%S}" if local.second else "")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return cell_text(value.value, lang, tz)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, set | frozenset):  # sorted: the same data gives the same page
        return ", ".join(sorted(cell_text(v, lang, tz) for v in value))
    if isinstance(value, list | tuple):
        return ", ".join(cell_text(v, lang, tz) for v in value)
    return str(value)
