"""Retention as a cut-off instant, and as an SQL predicate that lets the database sweep.

A rule over a single event is reduced, at one ``now``, to a threshold: a
record is expired exactly when its event is before it (Art. 5(1)(e) GDPR;
periods counted by Reg. 1182/71). :func:`cutoff` gives the threshold,
:func:`sql_predicate` a parameterised WHERE clause with it, and
:mod:`gdprkit._retention.sweep` compares rows in Python with the same
thresholds.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Final, Literal, overload

import attrs

from gdprkit._errors import RetentionError
from gdprkit._retention.expiry import UTC_MIN, check_tz, unique
from gdprkit._retention.rules import After, MaxOf, MinOf, Rule, WhileActive, check_rule
from gdprkit._util import is_identifier, require_aware
from gdprkit.timecalc import STOCKHOLM, first_day_after, localize, start_of_day

ColumnType = Literal["date", "timestamp"]
Paramstyle = Literal["qmark", "format", "pyformat", "named"]

_UTC_MAX: Final = datetime.max.replace(tzinfo=UTC)
_TICK: Final = timedelta(microseconds=1)


@attrs.frozen
class Cut:
    """A single-event rule reduced to thresholds at one ``now``.

    Date facts: expired exactly when ``value < before``. Datetime facts:
    expired when ``value < lo``, kept when ``value >= hi``; between them (only
    around month-end clamping and DST changes) the plain evaluation decides.
    """

    event: str
    before: date
    lo: datetime
    hi: datetime


@attrs.frozen
class NoCut:
    """A rule that no single threshold decides; ``why`` says which events it combines."""

    why: str


IMMEDIATE: Final = "immediate"
"""What :func:`compile_cut` returns for a rule that expires every record at once."""


def _first_date(pred: Callable[[date], bool], hi: date) -> date:
    """The first date d <= hi with pred(d), for pred monotone (False..True) and pred(hi) true."""
    lo_ord, hi_ord = date.min.toordinal(), hi.toordinal()
    while lo_ord < hi_ord:
        mid = (lo_ord + hi_ord) // 2
        if pred(date.fromordinal(mid)):
            hi_ord = mid
        else:
            lo_ord = mid + 1
    return date.fromordinal(lo_ord)


def _beyond(fn: Callable[[date], date], limit: date) -> Callable[[date], bool]:
    """pred(d) = fn(d) >= limit, where a period running off the calendar counts as beyond."""

    def pred(day: date) -> bool:
        try:
            return fn(day) >= limit
        except RetentionError:
            return True

    return pred


def _midnight(day: date, tz: tzinfo) -> datetime:
    if day == date.min:
        return UTC_MIN
    try:
        return start_of_day(day, tz).astimezone(UTC)
    except OverflowError:
        return _UTC_MAX


def _steady_offset(tz: tzinfo, first: date, last: date) -> bool:
    """True when ``tz`` keeps one UTC offset from ``first`` to ``last`` (sampled hourly)."""
    start = _midnight(first, tz)
    offsets = {
        (start + timedelta(hours=h)).astimezone(tz).utcoffset()
        for h in range(((last - first).days + 1) * 24 + 1)
    }
    return len(offsets) == 1


def _after_cut(rule: After, now_local: datetime, tz: tzinfo) -> Cut:
    today = now_local.date()
    try:
        tomorrow, overmorrow = today + timedelta(days=1), today + timedelta(days=2)
    except OverflowError:
        tomorrow = overmorrow = date.max
    plus = rule.period.add_to

    # A date event d has run out exactly when the boundary after d + period is
    # not later than today (period_end is local midnight of that boundary).
    def boundary(day: date) -> date:
        return first_day_after(plus(day), rule.align or "day")

    before = _first_date(_beyond(boundary, tomorrow), today)
    if rule.align is not None:
        # A datetime event's end falls on the same local date as plus(d), so the
        # aligned end is the same as for the date: one threshold for both.
        lo = hi = _midnight(before, tz)
        return Cut(rule.event, before, lo, hi)
    # Datetime events keep their wall-clock time, so their ends are not ordered
    # like the events around month-end clamping (28-31 Jan + 1 month all end
    # on 28 Feb) and DST changes. ``lo`` is the first event instant that is not
    # expired; events from ``hi`` on certainly are not.
    first = _first_date(_beyond(plus, today), today)
    hi = _midnight(_first_date(_beyond(plus, overmorrow), overmorrow), tz)
    try:
        steady = _steady_offset(tz, first - timedelta(days=1), first + timedelta(days=1))
        steady = steady and _steady_offset(tz, today - timedelta(days=1), tomorrow)
    except OverflowError:
        steady = False
    if steady:
        lo = _first_unexpired(plus, first, today, now_local.time(), tz)
    else:
        # Near a DST change fall back to whole days: an event on a day before
        # ``first`` ends on a day before today, so it has certainly run out.
        lo = _midnight(first, tz)
    return Cut(rule.event, before, min(lo, hi), hi)


def _first_unexpired(
    plus: Callable[[date], date], first: date, today: date, now_time: time, tz: tzinfo
) -> datetime:
    """The first event instant not yet expired, from day ``first`` on (no DST change near).

    An event at wall time t on a day d landing today has run out when t is not
    after the wall time of now; a day landing after today has not run out.
    """
    day = first
    while True:
        try:
            lands_after_today = plus(day) > today
        except RetentionError:
            lands_after_today = True
        if lands_after_today:
            return _midnight(day, tz)
        if now_time < time.max:
            return localize(datetime.combine(day, now_time), tz).astimezone(UTC) + _TICK
        # now is the last microsecond of today: every event of this day has run out.
        day += timedelta(days=1)


def _merge(cuts: list[Cut], *, latest: bool, what: str) -> Cut | NoCut:
    events = unique(c.event for c in cuts)
    if len(events) > 1:
        named = ", ".join(repr(e) for e in events)
        return NoCut(f"{what} combines the events {named}; no single cutoff exists")
    # "Latest expiry" rules expire when every part has: the earliest threshold;
    # "earliest expiry" rules when any part has: the latest threshold.
    pick = min if latest else max
    return Cut(
        events[0],
        pick(c.before for c in cuts),
        pick(c.lo for c in cuts),
        pick(c.hi for c in cuts),
    )


def compile_cut(rule: Rule, now: datetime, tz: tzinfo) -> Cut | NoCut | str:
    """``rule`` at ``now`` as thresholds, as the reason there are none, or :data:`IMMEDIATE`."""
    now_local = now.astimezone(tz)
    if isinstance(rule, After):
        return _after_cut(rule, now_local, tz)
    if isinstance(rule, WhileActive):
        end_now = now.astimezone(UTC) + _TICK
        own = Cut(rule.event, now_local.date(), end_now, end_now)
        if rule.then is None:
            return own
        nxt = compile_cut(rule.then, now, tz)
        if isinstance(nxt, NoCut):
            return nxt
        if nxt == IMMEDIATE:
            return own
        if not isinstance(nxt, Cut):  # pragma: no cover - the three outcomes are exhaustive
            raise AssertionError
        return _merge([own, nxt], latest=True, what=f"while_active({rule.event!r}, then=...)")
    if isinstance(rule, MaxOf | MinOf):
        latest = isinstance(rule, MaxOf)
        parts = [compile_cut(r, now, tz) for r in rule.rules]
        for part in parts:
            if isinstance(part, NoCut):
                return part
        if not latest and IMMEDIATE in parts:
            return IMMEDIATE
        cuts = [p for p in parts if isinstance(p, Cut)]
        if not cuts:
            return IMMEDIATE
        return _merge(cuts, latest=latest, what="max_of" if latest else "min_of")
    return IMMEDIATE


def _cut(rule: Rule, now: datetime, tz: tzinfo) -> Cut:
    compiled = compile_cut(rule, now, tz)
    if isinstance(compiled, NoCut):
        raise RetentionError(compiled.why)
    if not isinstance(compiled, Cut):
        raise RetentionError(
            "the rule expires every record whatever its events (anonymized_only); "
            "there is no event column to cut on"
        )
    return compiled


def _column_type(column_type: object) -> ColumnType:
    if column_type == "date":
        return "date"
    if column_type == "timestamp":
        return "timestamp"
    raise RetentionError("column_type must be 'date' or 'timestamp'")


def cutoff(
    rule: Rule, now: datetime, *, tz: tzinfo = STOCKHOLM, column_type: ColumnType = "date"
) -> datetime | None:
    """The instant T such that a record is expired at ``now`` when its event is before T.

    For rules over a single event (:func:`after`, :func:`while_active` handing
    over to rules on the same event, :func:`max_of` / :func:`min_of` of such
    rules); other rules raise :class:`~gdprkit.RetentionError` saying why. A
    ``None`` event (not happened) is never expired. None means no event
    instant is expired.

    ``column_type="date"``: a date event d counts as its local midnight in
    ``tz``; T is a local midnight in ``tz``, and d is expired exactly when
    d < T.date(). ``column_type="timestamp"``: an aware event e is expired
    whenever e < T; T is given in UTC so that Python compares it with events
    in any zone as an instant (datetimes sharing a tzinfo compare by wall
    time, which misorders the repeated autumn hour).
    Exact except where wall-clock arithmetic reorders events (events on 29-31
    January all end on 28 February one month later; DST changes): there T is
    the first event instant that is not yet expired, so a few later events that
    have already run out are caught by a later cutoff, never erased early.
    Dates are compared at the whole-day level (Reg. 1182/71 Art. 3(2)(c)).
    """
    check_rule(rule)
    check_tz(tz)
    now = require_aware(now, "now")
    kind = _column_type(column_type)
    cut = _cut(rule, now, tz)
    if kind == "date":
        return None if cut.before == date.min else start_of_day(cut.before, tz)
    return None if cut.lo == UTC_MIN else cut.lo


def sqlite_text(value: date | datetime) -> str:
    """The text a date or instant is stored as for :func:`sql_predicate` with SQLite.

    Dates: ``YYYY-MM-DD``. Instants: ``value.astimezone(UTC).isoformat()``,
    i.e. ``YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00``; such texts sort like the
    instants (a ``Z`` suffix or a space separator would not).
    """
    if isinstance(value, datetime):
        return require_aware(value, "value").astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"value must be a date or an aware datetime, not {type(value).__name__}")


@overload
def sql_predicate(
    rule: Rule,
    now: datetime,
    *,
    tz: tzinfo = STOCKHOLM,
    column: str,
    paramstyle: Literal["qmark", "format"] = "qmark",
    column_type: ColumnType = "date",
    param_name: str = "cutoff",
) -> tuple[str, tuple[object, ...]]: ...
@overload
def sql_predicate(
    rule: Rule,
    now: datetime,
    *,
    tz: tzinfo = STOCKHOLM,
    column: str,
    paramstyle: Literal["named", "pyformat"],
    column_type: ColumnType = "date",
    param_name: str = "cutoff",
) -> tuple[str, dict[str, object]]: ...
def sql_predicate(
    rule: Rule,
    now: datetime,
    *,
    tz: tzinfo = STOCKHOLM,
    column: str,
    paramstyle: Paramstyle = "qmark",
    column_type: ColumnType = "date",
    param_name: str = "cutoff",
) -> tuple[str, tuple[object, ...] | dict[str, object]]:
    """A parameterised WHERE clause selecting the rows whose retention has run out (Art. 5(1)(e)).

    ``"ended_on" < ?`` with the :func:`cutoff` as its parameter, so the database
    does the sweep. A NULL event is never selected (NULL < x is not true).
    ``qmark`` and ``named`` are for :mod:`sqlite3`: the parameter is text in
    the storage convention of :func:`sqlite_text` (dates ``YYYY-MM-DD``,
    instants ISO text normalised to UTC). ``format`` and ``pyformat`` are for
    psycopg: the parameter is a :class:`~datetime.date` (``date`` columns) or
    an aware :class:`~datetime.datetime` (``timestamptz`` columns). The column
    name must be a plain identifier; it is double-quoted, so its case matters.
    Legal holds are not applied here: exclude held subjects or records yourself.
    """
    if not isinstance(column, str) or not is_identifier(column):
        raise RetentionError("column must be a plain identifier (letters, digits, underscore)")
    if not isinstance(param_name, str) or not is_identifier(param_name):
        raise RetentionError("param_name must be a plain identifier")
    if paramstyle not in ("qmark", "format", "pyformat", "named"):
        raise RetentionError("paramstyle must be 'qmark', 'format', 'pyformat' or 'named'")
    check_rule(rule)
    check_tz(tz)
    now = require_aware(now, "now")
    kind = _column_type(column_type)
    cut = _cut(rule, now, tz)
    named = paramstyle in ("named", "pyformat")
    nothing = cut.before == date.min if kind == "date" else cut.lo == UTC_MIN
    if nothing:
        return ("1 = 0", {} if named else ())
    text_param = paramstyle in ("qmark", "named")
    value: object
    if kind == "date":
        value = cut.before.isoformat() if text_param else cut.before
    else:
        value = sqlite_text(cut.lo) if text_param else cut.lo
    marker = {
        "qmark": "?",
        "format": "%s",
        "named": f":{param_name}",
        "pyformat": f"%({param_name})s",
    }[paramstyle]
    sql = f'"{column}" < {marker}'
    return (sql, {param_name: value}) if named else (sql, (value,))
