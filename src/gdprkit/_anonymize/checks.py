"""Argument checks shared by the generalisers and the measures; they never echo a value."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from decimal import Decimal

from gdprkit._errors import AnonymizationError


def positive_int(value: object, what: str, *, upper: int | None = None) -> int:
    """Return ``value`` if it is an int from 1 (to ``upper``); bools are refused."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise AnonymizationError(f"{what} must be a positive int")
    if upper is not None and value > upper:
        raise AnonymizationError(f"{what} must be at most {upper}")
    return value


def real(value: object, what: str) -> float | Decimal:
    """Return ``value`` if it is a finite int, float or Decimal; the value is never echoed."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise AnonymizationError(
            f"{what} must be an int, float or Decimal, got {type(value).__name__}"
        )
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise AnonymizationError(f"{what} must be finite")
        return value
    if isinstance(value, float) and not math.isfinite(value):
        raise AnonymizationError(f"{what} must be finite")
    return value


def column(value: object, what: str) -> str:
    """Return ``value`` if it is a non-empty column name."""
    if not isinstance(value, str) or not value:
        raise AnonymizationError(f"{what} must hold non-empty column names (str)")
    return value


def names(value: str | Iterable[str], what: str) -> tuple[str, ...]:
    """Column names, one or a sequence of them, none named twice."""
    try:
        raw: tuple[object, ...] = (value,) if isinstance(value, str) else tuple(value)
    except TypeError:
        raise AnonymizationError(f"{what} must be a sequence of column names") from None
    columns = tuple(column(name, what) for name in raw)
    if len(set(columns)) != len(columns):
        raise AnonymizationError(f"{what} names a column twice")
    return columns


def quasi_identifiers(value: Sequence[str]) -> tuple[str, ...]:
    """The quasi-identifier columns of a measure: a non-empty sequence, not a single str."""
    if isinstance(value, str):
        raise AnonymizationError(
            "quasi_identifiers must be a sequence of column names, not a single str; "
            "write (name,) for one column"
        )
    columns = names(value, "quasi_identifiers")
    if not columns:
        raise AnonymizationError("quasi_identifiers must name at least one column")
    return columns
