"""Small pieces shared by the modules: aware datetimes, stored instants, checked text,
identifiers, a frozen mapping."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import TypeVar

from gdprkit._errors import NaiveDatetimeError

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

K = TypeVar("K")
V = TypeVar("V")


def require_aware(value: object, what: str) -> datetime:
    """Return ``value`` if it is a time-zone-aware datetime, else raise a typed error."""
    if not isinstance(value, datetime):
        raise TypeError(f"{what} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise NaiveDatetimeError(
            f"{what} is a naive datetime; pass an aware one (e.g. tzinfo=ZoneInfo('Europe/Stockholm'))"
        )
    return value


def utc_stamp(at: datetime) -> str:
    """An instant as fixed-width UTC text with microseconds, so text order is time order."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def require_text(value: object, name: str) -> str:
    """Return ``value`` if it is a non-blank str; the errors name ``name``, never the value."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__}")
    if not value.strip():
        raise ValueError(f"{name} must not be empty")
    return value


def is_identifier(name: str) -> bool:
    """True for a plain ASCII identifier, safe to use as an SQL or file name."""
    return bool(_IDENT.match(name))


class FrozenMap(Mapping[K, V]):
    """An immutable, hashable, insertion-ordered mapping for frozen value types."""

    __slots__ = ("_data", "_hash")
    _data: dict[K, V]
    _hash: int | None

    def __init__(self, items: Mapping[K, V] | Iterable[tuple[K, V]] = ()) -> None:
        data = dict(items)
        object.__setattr__(self, "_data", data)
        object.__setattr__(self, "_hash", None)

    def __getitem__(self, key: K) -> V:
        return self._data[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        value = self._hash
        if value is None:
            value = hash(tuple(self._data.items()))
            object.__setattr__(self, "_hash", value)
        return value

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FrozenMap):
            return self._data == other._data
        return NotImplemented

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("FrozenMap is immutable")

    def __reduce__(self) -> tuple[type[FrozenMap[K, V]], tuple[dict[K, V]]]:
        # pickling rebuilds through __init__: the default would call the refusing __setattr__
        return (type(self), (self._data,))

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"
