"""Values read back from the store, checked against what gdprkit writes there.

A store is a database anyone with access can edit. A row changed outside
gdprkit (a NULL where an instant was, text that is no timestamp, JSON of
another shape, a state word gdprkit never writes) must not surface as a
``ValueError`` from deep inside, nor be taken for something it is not: a
naive or non-UTC stamp would be read in the wrong time zone and sorted out
of time order. Each function here returns the decoded value or raises
:class:`~gdprkit.StoredRowError` naming the table, the row and the column,
never the value (which may be personal data, or a token).
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, tzinfo
from typing import Any, Final, NoReturn, TypeVar

from gdprkit._errors import StoredRowError

__all__ = [
    "TIMESTAMP",
    "stored_date",
    "stored_enum",
    "stored_flag",
    "stored_json",
    "stored_stamp",
    "stored_texts",
    "stored_time",
    "stored_value",
    "wrong_row",
]

E = TypeVar("E", bound=enum.Enum)
T = TypeVar("T")

#: Stands for a value that is there but wrong, where the value itself is not at hand.
_NOT_NULL: Final = object()

#: What a stored instant is: the text :func:`gdprkit._util.utc_stamp` writes.
TIMESTAMP: Final = "a UTC timestamp"


def wrong_row(table: str, column: str, row: object, expected: str, value: object) -> NoReturn:
    """Raise :class:`~gdprkit.StoredRowError`: ``column`` of ``row`` holds no ``expected``.

    ``row`` is the row's key (an id or sequence number gdprkit assigned), or
    ``None`` where the value came from several rows (a ``MAX()``).
    ``value`` is only looked at to tell NULL from a wrong value; it is never shown.
    """
    where = table if row is None else f"{table} row {row}"
    found = "is NULL, not" if value is None else "does not hold"
    raise StoredRowError(
        f"{where}: column {column!r} {found} {expected} as gdprkit writes it "
        "(the store was changed outside gdprkit)"
    ) from None


def stored_time(
    value: object, tz: tzinfo | None, table: str, column: str, row: object = None
) -> datetime:
    """A stored instant (UTC ISO 8601 text) as an aware datetime, in ``tz`` when given."""
    try:
        parsed = datetime.fromisoformat(value)  # type: ignore[arg-type]  # checked by its errors
    except (TypeError, ValueError):
        parsed = None  # raised below, outside the handler: the parser's error quotes the value
    if parsed is None or parsed.tzinfo is not UTC:
        wrong_row(table, column, row, TIMESTAMP, value)
    return parsed if tz is None else parsed.astimezone(tz)


def stored_stamp(value: object, table: str, column: str, row: object = None) -> str:
    """A stored instant kept as its text (for text comparisons), once checked to be one."""
    stored_time(value, None, table, column, row)
    return value  # type: ignore[return-value]  # stored_time accepted it: a str


def stored_date(value: object, table: str, column: str, row: object = None) -> date:
    """A stored day (ISO 8601 ``YYYY-MM-DD`` text) as a date."""
    if isinstance(value, str) and len(value) == len("2026-01-01"):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    wrong_row(table, column, row, "a date (YYYY-MM-DD)", value)


def stored_enum(kind: type[E], value: object, table: str, column: str, row: object = None) -> E:
    """The member of the enum ``kind`` whose value is stored; the message lists the values."""
    try:
        return kind(value)
    except (TypeError, ValueError):
        pass  # raised below, outside the handler: the enum's error quotes the value
    words = ", ".join(str(m.value) for m in kind)
    wrong_row(table, column, row, f"one of {words}", value)


def stored_flag(value: object, table: str, column: str, row: object = None) -> bool:
    """A stored flag: the integer 0 or 1."""
    if type(value) is int and (value == 0 or value == 1):
        return value == 1
    wrong_row(table, column, row, "0 or 1", value)


def stored_json(value: object, shape: type[T], table: str, column: str, row: object = None) -> T:
    """Stored JSON text whose top level is ``shape`` (``dict`` or ``list``)."""
    data: object = None
    if isinstance(value, str):
        try:
            data = json.loads(value)
        except (ValueError, RecursionError):  # the decoder's error may quote the text: drop it
            data = None
    if not isinstance(data, shape):
        expected = "a JSON object" if shape is dict else "a JSON array"
        wrong_row(table, column, row, expected, value)
    return data


def stored_texts(value: object, table: str, column: str, row: object = None) -> tuple[str, ...]:
    """Stored JSON text of an array of strings, as a tuple."""
    items: list[Any] = stored_json(value, list, table, column, row)
    if not all(isinstance(item, str) for item in items):
        wrong_row(table, column, row, "a JSON array of strings", value)
    return tuple(items)


def stored_value(
    decode: Callable[[], T], expected: str, table: str, column: str, row: object = None
) -> T:
    """What ``decode()`` makes of a stored value of several parts (a JSON scope, a snapshot).

    ``decode`` reads a value that passed :func:`stored_json` (so it is not
    NULL); a ``KeyError``, ``TypeError``, ``AttributeError`` or
    ``ValueError`` it raises (gdprkit's value errors among them) means the
    value is not of the shape gdprkit writes.
    """
    try:
        return decode()
    except StoredRowError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError):
        pass  # raised below, outside the handler, whose error may quote the value
    wrong_row(table, column, row, expected, _NOT_NULL)
