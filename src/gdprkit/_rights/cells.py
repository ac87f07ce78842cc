"""How a record's values are written to the package: JSON tokens and CSV cells.

Dates and times are ISO 8601 with their offset (a stored wall-clock time is
read in the policy's zone), decimals are exact text, and each text-like value
is turned into text once for both files.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Iterable
from datetime import date, datetime, tzinfo
from decimal import Decimal
from enum import Enum
from json.encoder import encode_basestring as json_string  # json.dumps' str (ensure_ascii=False)
from typing import Any

__all__ = ["CellEncoder", "csv_value", "getter", "json_string", "json_value"]


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


def getter(fields: tuple[str, ...]) -> Callable[[object], tuple[object, ...]]:
    """A function giving a record's values of ``fields`` as a tuple (one C call for most)."""
    if len(fields) >= 2:
        return operator.attrgetter(*fields)
    if len(fields) == 1:
        (name,) = fields
        return lambda record: (getattr(record, name),)
    return lambda record: ()


class CellEncoder:
    """A row's JSON tokens and CSV cells, equal to ``json.dumps`` of :func:`json_value` and
    :func:`csv_value`, with the common types dispatched on their exact type.

    Text-like values (str, Decimal, dates) are turned into their text once and
    used for both files; anything else takes the general path.
    """

    __slots__ = ("_text", "_tz")

    def __init__(self, tz: tzinfo) -> None:
        def iso(value: datetime) -> str:
            if value.tzinfo is None:
                value = value.replace(tzinfo=tz)  # stored wall-clock time in the policy's zone
            return value.isoformat()

        self._tz = tz
        self._text: dict[type, Callable[[Any], str]] = {
            str: str.__str__,
            Decimal: Decimal.__str__,
            datetime: iso,
            date: date.isoformat,
        }

    def __call__(self, values: Iterable[object]) -> tuple[list[str], list[str]]:
        text_of = self._text
        json_cells: list[str] = []
        csv_cells: list[str] = []
        for value in values:
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
                csv_cells.append(csv_value(plain))
        return json_cells, csv_cells
