"""What a restriction of processing covers: all data held on the subject, or part of it (Art. 18).

Art. 18(1) restricts processing of the data concerned: where a customer
contests the accuracy of October's meter readings (18(1)(a)), those readings
are restricted while the controller verifies them, and everything else goes on
as before. A scope names a kind of record (the ``@personal_data`` class, as the
export manifest's ``record_kind`` names it) and, within it, record ids or a
period of a date or datetime field; no kind at all means everything.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING, Any

import attrs

from gdprkit._errors import LedgerError
from gdprkit._util import require_aware, require_text, utc_stamp
from gdprkit.store._decode import stored_json, stored_value
from gdprkit.tagging import schema_of
from gdprkit.timecalc import start_of_day

if TYPE_CHECKING:
    from gdprkit.tagging import Schema

__all__ = ["RestrictionScope"]

#: A bound of a period: a date (its start in the policy's time zone) or an aware datetime.
Bound = date | datetime


def _ids(values: Iterable[object]) -> frozenset[str]:
    if isinstance(values, str | bytes):
        raise TypeError("ids must be an iterable of record ids, not a single string")
    ids = frozenset(str(v) for v in values)
    if not ids or any(not i for i in ids):
        raise ValueError("ids must name at least one record, each by a non-empty id")
    return ids


def _bound(value: object, name: str) -> Bound:
    if isinstance(value, datetime):
        return require_aware(value, name)
    if isinstance(value, date):
        return value
    raise TypeError(f"{name} must be a date or an aware datetime, got {type(value).__name__}")


def _instant(value: Bound, tz: tzinfo) -> datetime:
    """A bound or a record's value as an instant: a date is its first moment in ``tz``."""
    return value if isinstance(value, datetime) else start_of_day(value, tz)


def _kind(kind: type | str, *fields: str | None) -> str:
    """The record kind's name; with a class, ``fields`` must be among its fields."""
    if isinstance(kind, type):
        schema = schema_of(kind)
        for name in fields:
            if name is not None and name not in schema.all_fields:
                raise LedgerError(f"{schema.name} has no field {name!r} to scope a restriction by")
        return schema.name
    return require_text(kind, "kind")


@attrs.frozen
class RestrictionScope:
    """What a restriction covers (Art. 18(1)): everything, a kind of record, some ids, a period.

    Build one with :meth:`everything`, :meth:`of_kind`, :meth:`records` or
    :meth:`period`. ``kind`` is a record kind, the ``@personal_data`` class's
    name; ``key`` and ``ids`` pick records by the value of their id field;
    ``field``, ``start`` and ``end`` pick those whose date or datetime field
    lies in ``[start, end)``, a date bound meaning its first moment in the
    policy's time zone.
    """

    kind: str | None = None
    key: str | None = None
    ids: frozenset[str] = frozenset()
    field: str | None = None
    start: Bound | None = None
    end: Bound | None = None

    def __attrs_post_init__(self) -> None:
        # A scope built directly, not by a constructor, must still say one thing clearly.
        by_ids, by_period = self.key is not None or bool(self.ids), self.field is not None
        if (by_ids or by_period or self.start or self.end) and self.kind is None:
            raise ValueError("a restriction scope that selects records must name their kind")
        if by_ids and (self.key is None or not self.ids or by_period):
            raise ValueError("a scope by record ids needs key= and ids, and no period")
        if by_period != (self.start is not None and self.end is not None):
            raise ValueError("a scope by period needs field=, start= and end=")

    @classmethod
    def everything(cls) -> RestrictionScope:
        """All data held on the subject: the restriction of the whole subject."""
        return cls()

    @classmethod
    def of_kind(cls, kind: type | str) -> RestrictionScope:
        """Every record of one kind (a class declared with ``@personal_data``, or its name)."""
        return cls(kind=_kind(kind))

    @classmethod
    def records(cls, kind: type | str, ids: Iterable[object], *, key: str) -> RestrictionScope:
        """The records of ``kind`` whose field ``key`` holds one of ``ids`` (compared as text)."""
        return cls(kind=_kind(kind, require_text(key, "key")), key=key, ids=_ids(ids))

    @classmethod
    def period(cls, kind: type | str, field: str, start: Bound, end: Bound) -> RestrictionScope:
        """The records of ``kind`` whose date or datetime ``field`` lies in ``[start, end)``.

        October 2026's meter readings: ``period(MeterReading, "read_at",
        date(2026, 10, 1), date(2026, 11, 1))``.
        """
        name = _kind(kind, require_text(field, "field"))
        first, until = _bound(start, "start"), _bound(end, "end")
        if type(first) is not type(until):
            raise TypeError("start and end must both be dates or both be datetimes")
        if not first < until:
            raise ValueError("start must be before end: the period is [start, end)")
        return cls(kind=name, field=field, start=first, end=until)

    @property
    def whole(self) -> bool:
        """Whether the scope is everything held on the subject."""
        return self.kind is None

    def covers(self, obj: object, schema: Schema, tz: tzinfo) -> bool:
        """Whether the record ``obj`` (of ``schema``) lies within the scope.

        A record whose id or time field the scope names but which has none
        is an error, not "outside": a restriction is never missed quietly.
        """
        if self.kind is None:
            return True
        if schema.name != self.kind:
            return False
        if self.key is not None:
            return str(self._value(obj, schema, self.key)) in self.ids
        if self.field is None or self.start is None or self.end is None:
            return True
        value = self._value(obj, schema, self.field)
        if value is None:
            return False
        if not isinstance(value, date):
            raise LedgerError(
                f"{schema.name}.{self.field} is no date or datetime; a restriction's period "
                "is over a date or datetime field"
            )
        if isinstance(value, datetime):
            require_aware(value, f"{schema.name}.{self.field}")
        instant = _instant(value, tz)
        return _instant(self.start, tz) <= instant < _instant(self.end, tz)

    def _value(self, obj: object, schema: Schema, name: str) -> Any:
        try:
            return getattr(obj, name)
        except AttributeError:
            raise LedgerError(
                f"a restriction of {schema.name} records is scoped by field {name!r}, "
                "which the record lacks"
            ) from None

    def summary(self) -> dict[str, str | int]:
        """The scope without record ids, for the audit log: kind, selector and period."""
        if self.kind is None:
            return {"kind": "everything"}
        out: dict[str, str | int] = {"kind": self.kind}
        if self.key is not None:
            out |= {"key": self.key, "records": len(self.ids)}
        if self.field is not None and self.start is not None and self.end is not None:
            out |= {"field": self.field, "start": _text(self.start), "end": _text(self.end)}
        return out

    def _to_json(self) -> str:
        """The scope as canonical JSON text: equal scopes give equal text ('' for everything)."""
        if self.kind is None:
            return ""
        data: dict[str, Any] = {"kind": self.kind}
        if self.key is not None:
            data |= {"key": self.key, "ids": sorted(self.ids)}
        if self.field is not None and self.start is not None and self.end is not None:
            data |= {"field": self.field, "start": _text(self.start), "end": _text(self.end)}
        return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def _from_json(cls, text: object, tz: tzinfo, row: int) -> RestrictionScope:
        """The scope a ``restrictions`` row keeps (``row``); checked as read."""
        if text is None or text == "":
            return cls()
        data: dict[str, Any] = stored_json(text, dict, "restrictions", "scope", row)

        def read() -> RestrictionScope:
            bounds = {k: _parse(data[k], tz) for k in ("start", "end") if k in data}
            ids = data.get("ids", [])
            if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
                raise TypeError("ids")
            scope = cls(
                kind=data["kind"],
                key=data.get("key"),
                ids=frozenset(ids),
                field=data.get("field"),
                **bounds,
            )
            if not all(isinstance(v, str | None) for v in (scope.kind, scope.key, scope.field)):
                raise TypeError("kind, key and field are text")
            return scope

        return stored_value(read, "a restriction scope", "restrictions", "scope", row)


def _text(bound: Bound) -> str:
    return utc_stamp(bound) if isinstance(bound, datetime) else bound.isoformat()


def _parse(text: object, tz: tzinfo) -> Bound:
    """A stored bound: a day, or an aware instant (read in ``tz``)."""
    if not isinstance(text, str):
        raise TypeError("a bound is text")
    if len(text) == len("2026-10-01"):
        return date.fromisoformat(text)
    instant = datetime.fromisoformat(text)
    return require_aware(instant, "bound").astimezone(tz)
