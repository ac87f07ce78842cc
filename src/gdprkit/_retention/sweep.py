"""Streaming retention statuses over many rows, one comparison per row (Art. 5(1)(e) GDPR)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime, tzinfo
from typing import Any, TypeVar, cast, overload

from gdprkit._errors import NaiveDatetimeError, RetentionError
from gdprkit._retention.cutoff import Cut, NoCut, compile_cut
from gdprkit._retention.expiry import MISSING, Status, check_tz, rule_expiry, status_at
from gdprkit._retention.rules import LegalHold, Rule, active_holds, check_rule
from gdprkit._util import require_aware
from gdprkit.timecalc import STOCKHOLM

R = TypeVar("R")
M = TypeVar("M", bound=Mapping[str, object])


def _hold_matcher(
    holds: tuple[LegalHold, ...],
    subject: Callable[[R], object] | None,
    record: Callable[[R], object] | None,
) -> Callable[[R], bool] | None:
    if not holds:
        return None
    if any(h.subject is None and h.record is None for h in holds):
        return lambda row: True
    subjects = {h.subject for h in holds if h.record is None}
    records = {h.record for h in holds if h.subject is None}
    pairs = {(h.subject, h.record) for h in holds if h.subject is not None and h.record is not None}
    if (subjects or pairs) and subject is None:
        raise RetentionError("holds name subjects: pass subject= to tell which rows they cover")
    if (records or pairs) and record is None:
        raise RetentionError("holds name records: pass record= to tell which rows they cover")

    def held(row: R) -> bool:
        s = subject(row) if subject is not None else None
        r = record(row) if record is not None else None
        return s in subjects or r in records or (s, r) in pairs

    return held


def _sweep_cut(
    rows: Iterable[R],
    cut: Cut,
    facts_of: Callable[[R], Mapping[str, object]] | None,
    held: Callable[[R], bool] | None,
    plain: Callable[[Mapping[str, object]], Status],
) -> Iterator[tuple[R, Status]]:
    event, before, lo, hi = cut.event, cut.before, cut.lo, cut.hi
    keep, expired, unknown, held_status = Status.KEEP, Status.EXPIRED, Status.UNKNOWN, Status.HELD
    date_type, datetime_type, missing = date, datetime, MISSING
    for row in rows:
        # Any: the hot loop avoids cast() calls; the kinds are checked by type() below.
        facts: Any = row if facts_of is None else facts_of(row)
        if held is not None and held(row):
            yield row, held_status
            continue
        value: Any = facts.get(event, missing)
        kind = type(value)
        if kind is date_type:
            yield row, expired if value < before else keep
        elif value is None:
            yield row, keep
        elif kind is datetime_type and value.tzinfo is not None:
            try:
                if value < lo:
                    yield row, expired
                elif value >= hi:
                    yield row, keep
                else:
                    yield row, plain(facts)
            except TypeError:
                # A tzinfo whose utcoffset() is None compares like a naive value.
                raise NaiveDatetimeError(
                    f"fact {event!r} is a naive datetime; pass an aware one or a date"
                ) from None
        elif value is missing:
            yield row, unknown
        else:
            # Subclasses, naive datetimes and wrong types: the plain path
            # validates and raises the typed error.
            yield row, plain(facts)


def _sweep_plain(
    rows: Iterable[R],
    facts_of: Callable[[R], Mapping[str, object]] | None,
    held: Callable[[R], bool] | None,
    plain: Callable[[Mapping[str, object]], Status],
) -> Iterator[tuple[R, Status]]:
    for row in rows:
        if held is not None and held(row):
            yield row, Status.HELD
        else:
            facts = cast(Mapping[str, object], row) if facts_of is None else facts_of(row)
            yield row, plain(facts)


def _sweep_constant(
    rows: Iterable[R], held: Callable[[R], bool] | None, status: Status
) -> Iterator[tuple[R, Status]]:
    for row in rows:
        yield row, Status.HELD if held is not None and held(row) else status


@overload
def sweep(
    rows: Iterable[M],
    rule: Rule,
    now: datetime,
    *,
    tz: tzinfo = STOCKHOLM,
    key: None = None,
    holds: Iterable[LegalHold] = (),
    subject: Callable[[M], object] | None = None,
    record: Callable[[M], object] | None = None,
) -> Iterator[tuple[M, Status]]: ...
@overload
def sweep(
    rows: Iterable[R],
    rule: Rule,
    now: datetime,
    *,
    tz: tzinfo = STOCKHOLM,
    key: Callable[[R], Mapping[str, object]],
    holds: Iterable[LegalHold] = (),
    subject: Callable[[R], object] | None = None,
    record: Callable[[R], object] | None = None,
) -> Iterator[tuple[R, Status]]: ...
def sweep(
    rows: Iterable[R],
    rule: Rule,
    now: datetime,
    *,
    tz: tzinfo = STOCKHOLM,
    key: Callable[[R], Mapping[str, object]] | None = None,
    holds: Iterable[LegalHold] = (),
    subject: Callable[[R], object] | None = None,
    record: Callable[[R], object] | None = None,
) -> Iterator[tuple[R, Status]]:
    """Stream ``(row, Status)`` lazily, deciding each row as :func:`evaluate` would (Art. 5(1)(e)).

    Each row is a facts mapping, or ``key(row)`` gives its facts. The rule is
    reduced once to thresholds (:func:`cutoff`), so a row costs one comparison;
    only rows near a threshold around month-end clamping or a DST change, and
    rules over several events, take the plain evaluation. Yields the status
    only: call :func:`evaluate` on a row for its expiry instant and reason.
    Active ``holds`` make rows HELD; holds naming subjects or records need
    ``subject=`` / ``record=`` to read them from a row. Arguments are checked
    at the call, facts as rows arrive.
    """
    check_rule(rule)
    check_tz(tz)
    now = require_aware(now, "now")
    active = active_holds(holds, now)
    held = _hold_matcher(active, subject, record)

    def plain(facts: Mapping[str, object]) -> Status:
        if not isinstance(facts, Mapping):
            raise RetentionError(f"a row's facts must be a mapping, got {type(facts).__name__}")
        return status_at(rule_expiry(rule, facts, tz), now)

    compiled = compile_cut(rule, now, tz)
    if isinstance(compiled, Cut):
        return _sweep_cut(rows, compiled, key, held, plain)
    if isinstance(compiled, NoCut):
        return _sweep_plain(rows, key, held, plain)
    return _sweep_constant(rows, held, Status.EXPIRED)
