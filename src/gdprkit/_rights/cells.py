"""How a record's values are written to the package: JSON tokens and CSV cells.

Dates and times are ISO 8601 with their offset (a stored wall-clock time is
read in the policy's zone), decimals are exact text, and each text-like value
is turned into text once for both files.

A CSV cell that a spreadsheet would run as a formula (a text starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a leading single
quote, as OWASP's CSV-injection guidance advises: the subject opens the file
in a spreadsheet, and a value someone else wrote into their record (a
support-ticket text, a name) must not run there. Numbers are not texts and
are written as they are; the JSON Lines file keeps every value exactly, for
portability (Art. 20(1)).
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, tzinfo
from decimal import Decimal
from enum import Enum
from json.encoder import encode_basestring as json_string  # json.dumps' str (ensure_ascii=False)
from typing import Any, Final

__all__ = [
    "FORMULA_START",
    "CellEncoder",
    "csv_cell",
    "csv_value",
    "getter",
    "json_string",
    "json_value",
    "transpose",
]

#: The first characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection).
FORMULA_START: Final = "=+-@\t\r"


def neutralised(text: str) -> str:
    """``text`` with a single quote in front when a spreadsheet would run it as a formula."""
    return "'" + text if text and text[0] in FORMULA_START else text


def json_value(value: object, tz: tzinfo) -> object:
    """``value`` as plain JSON data: exact decimals as text, times ISO 8601 with their offset."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return (
            value if value == value and value not in (float("inf"), float("-inf")) else str(value)
        )
    if isinstance(value, Decimal):
        return str(value)  # exact: a JSON number would go through binary floating point
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=tz)  # stored wall-clock time in the policy's zone
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return json_value(value.value, tz)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, list | tuple | frozenset | set):
        return [json_value(v, tz) for v in value]
    return str(value)


def csv_value(value: object) -> str:
    """The CSV cell of a value made plain by :func:`json_value` (lists as JSON text)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def csv_cell(value: object, tz: tzinfo) -> str:
    """The CSV cell of a record's value: :func:`csv_value`, and a text that would run as a formula
    neutralised; numbers stay as they are."""
    cell = csv_value(json_value(value, tz))
    return cell if isinstance(value, int | float | Decimal) else neutralised(cell)


def getter(fields: tuple[str, ...]) -> Callable[[object], tuple[object, ...]]:
    """A function giving a record's values of ``fields`` as a tuple (one C call for most)."""
    if len(fields) >= 2:
        return operator.attrgetter(*fields)
    if len(fields) == 1:
        (name,) = fields
        return lambda record: (getattr(record, name),)
    return lambda record: ()


def transpose(rows: Sequence[Sequence[object]], width: int) -> list[list[object]]:
    """The columns of ``rows`` (each of ``width`` values), without an object per row.

    ``zip(*rows)`` would make an iterator per row: a thousand short-lived
    objects at once would set off the garbage collector.
    """
    return [list(map(operator.itemgetter(index), rows)) for index in range(width)]


class CellEncoder:
    """A row's JSON tokens and CSV cells, equal to ``json.dumps`` of :func:`json_value` and
    :func:`csv_cell`, with the common types dispatched on their exact type.

    Text-like values (str, Decimal, dates) are turned into their text once and
    used for both files; anything else takes the general path. Only a str can
    start with a formula character among them (a negative Decimal is a number).
    """

    __slots__ = ("_text", "_tz")

    def __init__(self, tz: tzinfo) -> None:
        def iso(value: datetime) -> str:
            if value.tzinfo is None:
                value = value.replace(tzinfo=tz)  # stored wall-clock time in the policy's zone
            return value.isoformat()

        self._tz = tz
        self._text: dict[type, Callable[[Any], str]] = {
            Decimal: Decimal.__str__,
            datetime: iso,
            date: date.isoformat,
        }

    def __call__(self, values: Iterable[object]) -> tuple[list[str], list[str]]:
        text_of = self._text
        json_cells: list[str] = []
        csv_cells: list[str] = []
        for value in values:
            if type(value) is str:
                json_cells.append(json_string(value))
                csv_cells.append("'" + value if value and value[0] in FORMULA_START else value)
                continue
            kind = type(value)
            to_text = text_of.get(kind)
            if to_text is not None:
                text = to_text(value)
                json_cells.append(json_string(text))
                csv_cells.append(text)
            elif kind is int:
                text = int.__repr__(value)
                json_cells.append(text)
                csv_cells.append(text)
            elif value is None:
                json_cells.append("null")
                csv_cells.append("")
            else:
                plain = json_value(value, self._tz)
                json_cells.append(json.dumps(plain, ensure_ascii=False))
                cell = csv_value(plain)
                csv_cells.append(
                    cell if isinstance(value, int | float | Decimal) else neutralised(cell)
                )
        return json_cells, csv_cells
