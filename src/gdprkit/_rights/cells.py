"""How a record's values are written to the package: JSON tokens and CSV cells.

Dates and times are ISO 8601 with their offset (a stored wall-clock time is
read in the policy's zone), decimals are exact text, and each text-like value
is turned into text once for both files.

A CSV cell that a spreadsheet would run as a formula (a text starting with
``=``, ``+``, ``-``, ``@``, a tab, a carriage return or a NUL) gets a leading
single quote, as OWASP's CSV-injection guidance and ASVS 5.0 (1.2.10) advise:
the subject opens the file in a spreadsheet, and a value someone else wrote
into their record (a support-ticket text, a name) must not run there. So does
a text whose first character after leading spaces and other blanks is one of
``=+-@``: importers trim them (LibreOffice's "Trim spaces", Google Sheets),
and what is left would run. And a formula character after a ``;`` (and
blanks) gets one before it: Excel in Swedish, as in most of Europe, opens a
``.csv`` with ``;`` as its list separator, so ``Hej;=1+1`` is two cells there,
the second a formula (OWASP: "take care of the field separator"). Numbers are not texts and are written as they
are; the JSON Lines file keeps every value exactly, for portability (Art.
20(1)).
"""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from enum import Enum
from json.encoder import encode_basestring as json_string  # json.dumps' str (ensure_ascii=False)
from types import NoneType
from typing import Any, Final, TypeAlias

__all__ = [
    "FORMULA_START",
    "RISKY_FIRST",
    "CellEncoder",
    "columns_getter",
    "csv_cell",
    "csv_value",
    "getter",
    "iso_texts",
    "json_string",
    "json_value",
    "transpose",
]

#: The first characters that make a spreadsheet read a cell as a formula (OWASP, CSV
#: injection; ASVS 5.0 1.2.10 adds NUL).
FORMULA_START: Final = "=+-@\t\r\x00"
#: What an importer may trim before a formula: blanks, and NUL.
#: (Every character ``str.isspace()`` holds, written out rather than found by scanning the
#: code points each time the module is imported; tests/test_export_hostile.py checks it.)
_BLANKS: Final = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\x00"
)
_FORMULA: Final = frozenset("=+-@")
#: A cell starting with one of these needs a closer look (:func:`neutralised`).
RISKY_FIRST: Final = frozenset(FORMULA_START + _BLANKS)
#: The list separator of Excel in Swedish (and most European) locales, then blanks and a
#: formula character: there a new cell starts with that formula.
_AFTER_SEPARATOR: Final = re.compile("(;[" + re.escape(_BLANKS) + "]*)([=+@-])")


def neutralised(text: str) -> str:
    """``text`` as a spreadsheet shows it but does not run it: single quotes put in.

    One in front when it starts with a formula character, a tab, a carriage
    return or a NUL, or its first character after leading blanks is one of
    ``=+-@``; one before each formula character that follows a ``;`` (and
    blanks).
    """
    if ";" in text:
        text = _AFTER_SEPARATOR.sub(r"\1'\2", text)
    if text and (text[0] in FORMULA_START or text.lstrip(_BLANKS)[:1] in _FORMULA):
        return "'" + text
    return text


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


def columns_getter(fields: tuple[str, ...]) -> Callable[[Sequence[object]], list[list[object]]]:
    """A function giving the values of ``fields`` of a batch of records, a column per field.

    One C call per value, and no object per record: a thousand short-lived
    objects at once would set off the garbage collector.
    """
    getters = [operator.attrgetter(field) for field in fields]
    return lambda records: [list(map(get, records)) for get in getters]


def transpose(rows: Sequence[Sequence[object]], width: int) -> list[list[object]]:
    """The columns of ``rows`` (each of ``width`` values), without an object per row.

    ``zip(*rows)`` would make an iterator per row: a thousand short-lived
    objects at once would set off the garbage collector.
    """
    return [list(map(operator.itemgetter(index), rows)) for index in range(width)]


#: A column's JSON tokens and CSV cells; None for the tokens when each is its cell in quotes.
_Cells: TypeAlias = tuple[Sequence[str] | None, Sequence[str]]

_TZINFO: Final = operator.attrgetter("tzinfo")
_FIRST: Final = operator.itemgetter(slice(0, 1))


def _may_run(column: Sequence[str]) -> bool:
    """Whether :func:`neutralised` may change a text of ``column``, with a C call per text
    (its first character) and one search for ``;``; it must hold for every text that
    function changes."""
    return not RISKY_FIRST.isdisjoint(map(_FIRST, column)) or ";" in "".join(column)


def _str_column(column: Sequence[str]) -> _Cells:
    """A column of texts: JSON strings; CSV cells neutralised where they would run (OWASP).

    A column of few distinct texts (the subject's id, a meter's) encodes each once.
    """
    distinct = set(column)
    if 2 * len(distinct) <= len(column):
        tokens = {text: json_string(text) for text in distinct}
        cells = {text: neutralised(text) for text in distinct}
        same = all(cell is text for text, cell in cells.items())
        return list(map(tokens.__getitem__, column)), (
            column if same else list(map(cells.__getitem__, column))
        )
    if _may_run(column):
        return list(map(json_string, column)), [neutralised(value) for value in column]
    return list(map(json_string, column)), column


def _int_column(column: Sequence[int]) -> _Cells:
    """A column of ints: the same digits in both files."""
    texts = list(map(int.__repr__, column))
    return texts, texts


def _none_column(column: Sequence[None]) -> _Cells:
    """A column of nulls: JSON ``null``, an empty CSV cell."""
    return ["null"] * len(column), [""] * len(column)


def _offset_text(offset: timedelta | None) -> str:
    """How ``datetime.isoformat`` writes a UTC offset (``+01:00``; nothing for None)."""
    if offset is None:
        return ""
    return datetime(2000, 1, 1, tzinfo=timezone(offset)).isoformat()[len("2000-01-01T00:00:00") :]


def iso_texts(column: Sequence[datetime], zones: set[tzinfo]) -> list[str]:
    """``datetime.isoformat()`` of each aware datetime of ``column`` (``zones``: their tzinfos).

    Built from its parts, each distinct one formatted once: the date, the
    time of day and the offset (read once when all share one fixed-offset
    zone, such as UTC). A column of times has far fewer distinct parts than
    values (hourly readings: 24 times of day, a date per 24 values, one
    offset), and ``isoformat`` is one of the slowest steps of a large
    export. A column whose parts seldom repeat is formatted value by value.
    """
    times = list(map(datetime.time, column))
    distinct_times = set(times)
    dates = list(map(datetime.date, column))
    distinct_dates = set(dates)
    if 2 * (len(distinct_times) + len(distinct_dates)) > len(column):
        return list(map(datetime.isoformat, column))  # few repeat: formatting parts costs more
    date_text = {day: day.isoformat() + "T" for day in distinct_dates}
    if len(zones) == 1 and type(zone := next(iter(zones))) is timezone:
        # One fixed offset (UTC, say): it ends every time of day's text.
        suffix = _offset_text(zone.utcoffset(None))
        time_text = {moment: moment.isoformat() + suffix for moment in distinct_times}
        return list(map(operator.add, map(date_text.__getitem__, dates),
                        map(time_text.__getitem__, times)))  # fmt: skip
    time_text = {moment: moment.isoformat() for moment in distinct_times}
    deltas = list(map(datetime.utcoffset, column))
    offset_text = {delta: _offset_text(delta) for delta in set(deltas)}
    local = map(operator.add, map(date_text.__getitem__, dates), map(time_text.__getitem__, times))
    return list(map(operator.add, local, map(offset_text.__getitem__, deltas)))


class CellEncoder:
    """A row's JSON tokens and CSV cells, equal to ``json.dumps`` of :func:`json_value` and
    :func:`csv_cell`, with the common types dispatched on their exact type.

    Text-like values (str, Decimal, dates) are turned into their text once and
    used for both files; anything else takes the general path. Only a str can
    start with a formula character among them (a negative Decimal is a number).
    """

    __slots__ = ("_columns", "_text", "_tz")

    def __init__(self, tz: tzinfo) -> None:
        def iso(value: datetime) -> str:
            if value.tzinfo is None:
                value = value.replace(tzinfo=tz)  # stored wall-clock time in the policy's zone
            return value.isoformat()

        def iso_column(column: Sequence[datetime]) -> _Cells:
            zones = set(map(_TZINFO, column))
            if None in zones:
                return None, [iso(value) for value in column]
            return None, iso_texts(column, zones)

        self._tz = tz
        self._text: dict[type, Callable[[Any], str]] = {
            Decimal: Decimal.__str__,
            datetime: iso,
            date: date.isoformat,
        }
        self._columns: dict[type, Callable[[Sequence[Any]], _Cells]] = {
            str: _str_column,
            # Their texts need no escaping in JSON (digits, letters, "+-.:"): the token is
            # the text in quotes.
            Decimal: lambda column: (None, list(map(Decimal.__str__, column))),
            datetime: iso_column,
            date: lambda column: (None, list(map(date.isoformat, column))),
            int: _int_column,
            NoneType: _none_column,
        }

    def __call__(self, values: Iterable[object]) -> tuple[list[str], list[str]]:
        text_of = self._text
        risky = RISKY_FIRST
        json_cells: list[str] = []
        csv_cells: list[str] = []
        for value in values:
            if type(value) is str:
                json_cells.append(json_string(value))
                csv_cells.append(
                    neutralised(value) if value and (value[0] in risky or ";" in value) else value
                )
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

    def columns(
        self, columns: Iterable[Sequence[object]]
    ) -> tuple[list[Sequence[str] | None], list[Sequence[str]]]:
        """The JSON tokens and CSV cells of the values of a batch of rows, given a column at
        a time.

        Equal, column by column, to calling the encoder on each row, except
        that a column of decimals, dates or times has None for its tokens:
        each is its CSV cell in double quotes. A column whose values all have
        one of the common types is encoded with one C call per value; any
        other goes value by value.
        """
        json_columns: list[Sequence[str] | None] = []
        csv_columns: list[Sequence[str]] = []
        for column in columns:
            kinds = set(map(type, column))
            encode = self._columns.get(kinds.pop()) if len(kinds) == 1 else None
            json_column, csv_column = (encode or self)(column)
            json_columns.append(json_column)
            csv_columns.append(csv_column)
        return json_columns, csv_columns
