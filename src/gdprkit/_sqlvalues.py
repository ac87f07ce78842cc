"""How gdprkit moves Python values into SQL columns (:func:`to_db`) and back (:func:`from_db`)."""

from __future__ import annotations

import typing
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from types import NoneType, UnionType
from typing import Any

from gdprkit._errors import SourceError


def to_db(value: object) -> object:
    """A DB-API parameter for ``value``: ISO text for dates and text for decimals.

    Bools pass through: sqlite3 stores them as 1/0 and PostgreSQL's BOOLEAN
    columns refuse integers.
    """
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def field_hints(model: type) -> dict[str, Any]:
    """The type hints of ``model``'s fields, or none when they cannot be resolved."""
    try:
        return typing.get_type_hints(model)
    except Exception:
        return {}


def from_db(value: object, hint: Any, what: str) -> object:
    """Turn a database value into the model field's type (dates from ISO text, …)."""
    if value is None:
        return value
    target = _target(hint)
    return value if target is None else _convert(value, target, what)


#: The field types a database value is converted to; values of other hints pass unchanged.
_CONVERTED: tuple[type, ...] = (datetime, date, Decimal, bool, int, float, str)


def _target(hint: Any) -> type | None:
    """The type ``from_db`` converts to for ``hint`` (``X | None`` and ``Annotated`` unwrapped),
    or None when values of this hint pass unchanged."""
    while hint is not None and hint is not Any:
        origin = typing.get_origin(hint)
        if origin in (typing.Union, UnionType):
            args = [a for a in typing.get_args(hint) if a is not NoneType]
            if len(args) != 1:
                return None
            hint = args[0]
        elif origin is typing.Annotated:
            hint = typing.get_args(hint)[0]
        else:
            return hint if any(hint is t for t in _CONVERTED) else None
    return None


def _convert(value: object, hint: Any, what: str) -> object:
    """Convert a non-None ``value`` to ``hint``, one of ``_CONVERTED``."""
    converted = _try_convert(value, hint)
    if converted is _FAILED:
        # Raised outside the ``except`` of _try_convert: the conversion's own error quotes
        # the value, and would ride along as ``__context__`` (``from None`` only hides it).
        raise SourceError(
            f"column {what} holds a value that is not of type {getattr(hint, '__name__', hint)}"
        )
    return converted


_FAILED = object()


def _try_convert(value: object, hint: Any) -> object:
    """``value`` converted to ``hint``, or ``_FAILED``."""
    try:
        if hint is datetime or hint is date:
            return _to_time(value, hint)
        if hint is Decimal:
            return value if isinstance(value, Decimal) else Decimal(str(value))
        if hint is bool:
            if isinstance(value, bool):
                return value
            if value in (0, 1):
                return bool(value)
            return _FAILED
        if hint is int and isinstance(value, float) and not value.is_integer():
            # int(2.5) would silently drop the fraction, int(inf) overflow: neither is an int.
            return _FAILED
        if hint in (int, float, str) and not isinstance(value, hint):
            return hint(value)
    except (ValueError, TypeError, OverflowError, InvalidOperation):
        return _FAILED
    return value


def _to_time(value: object, hint: type[date]) -> date:
    """``value`` as a ``datetime`` or a ``date`` (the date of a ``datetime``, ISO 8601 text)."""
    if hint is datetime:
        return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def column_converters(
    fields: tuple[str, ...], hints: Mapping[str, Any], what: Callable[[str], str]
) -> tuple[tuple[int, type, Callable[[object], object]], ...]:
    """For each column that needs it: its index, the type its values already have when they
    need no conversion (``_convert`` returns such values unchanged), and the conversion."""
    out = []
    for index, field in enumerate(fields):
        target = _target(hints.get(field))
        if target is not None:
            out.append((index, target, _bind_convert(target, what(field))))
    return tuple(out)


def _bind_convert(target: type, what: str) -> Callable[[object], object]:
    return lambda value: _convert(value, target, what)


#: Conversions from text that one C call does exactly as :func:`_try_convert` would:
#: ``datetime.fromisoformat(str(v))`` is ``datetime.fromisoformat(v)`` for a ``str`` ``v``.
_FROM_TEXT: Mapping[type, Callable[[str], object]] = {
    datetime: datetime.fromisoformat,
    date: date.fromisoformat,
    Decimal: Decimal,
}


def convert_column(
    values: Sequence[object], keep: type, convert: Callable[[object], object]
) -> Sequence[object] | None:
    """A column of a batch of rows converted as :func:`column_converters` would, value by value.

    ``keep`` and ``convert`` are one converter's; a value that is None or of
    type ``keep`` stays. A column of one type takes one C call per value:
    none when it already has the type, the parser when it is ISO or decimal
    text. Returns None when a value cannot be converted, so that the caller
    goes row by row and raises at the row where it would have, with
    ``convert``'s message.
    """
    kinds = set(map(type, values))
    kinds.discard(NoneType)
    if not kinds or kinds == {keep}:
        return values
    parse = _FROM_TEXT.get(keep)
    if parse is not None and kinds == {str} and None not in values:
        try:
            return list(map(parse, values))  # type: ignore[arg-type]
        except Exception:  # the row-by-row pass raises it again, at its row
            return None
    try:
        return [v if v is None or type(v) is keep else convert(v) for v in values]
    except Exception:  # as above
        return None
