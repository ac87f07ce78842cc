"""Retention rules, legal holds, verdicts, streaming sweeps and SQL cut-offs.

A rule says how long personal data may be kept after the facts that justify
it (Art. 5(1)(e) GDPR, storage limitation) and what happens then: erasure
(Art. 17) or anonymization. Rules are frozen values built with :func:`after`,
:func:`while_active`, :func:`max_of`, :func:`min_of` and
:func:`anonymized_only`, or read from a policy with :func:`rule_from_mapping`.

**Facts.** A rule is evaluated against a mapping from event names to a
:class:`~datetime.date` (a whole day), an aware :class:`~datetime.datetime`
(an instant), or ``None``:

* a name that is **absent** is an unknown fact: the verdict is ``UNKNOWN``
  and names it in ``missing`` (never erase on doubt, never keep silently);
* a name mapped to ``None`` is a known fact saying the event **has not
  happened yet** (a contract still running, an SQL ``NULL``): the rule keeps
  the data until it happens.

Periods are counted by :func:`gdprkit.timecalc.period_end` (Reg. 1182/71):
"one month after 2026-03-10" has run out at 2026-04-11 00:00 in the policy's
time zone, while a datetime event keeps its wall-clock time.

**Holds.** An active :class:`LegalHold` (Art. 17(3)(e): legal claims; an
authority's order) overrides every expiry: the status is ``HELD`` until it is
lifted.

**Scale.** :func:`sweep` streams statuses over rows with one comparison per
row; :func:`cutoff` and :func:`sql_predicate` push the same decision into a
database.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, Final, Literal, TypeAlias, TypeVar, cast, overload

import attrs

from gdprkit._errors import NaiveDatetimeError, PolicyError, PolicyProblem, RetentionError
from gdprkit._util import is_identifier, require_aware
from gdprkit.timecalc import (
    ALIGNMENTS,
    STOCKHOLM,
    Align,
    Period,
    first_day_after,
    localize,
    period_end,
    start_of_day,
)

__all__ = [
    "Action",
    "After",
    "AnonymizedOnly",
    "ColumnType",
    "Expiry",
    "ExpiryKind",
    "FactValue",
    "Facts",
    "FieldVerdict",
    "LegalHold",
    "MaxOf",
    "MinOf",
    "ObjectVerdict",
    "Paramstyle",
    "Rule",
    "Status",
    "Verdict",
    "WhileActive",
    "after",
    "anonymized_only",
    "cutoff",
    "evaluate",
    "evaluate_object",
    "expiry",
    "max_of",
    "min_of",
    "record_facts",
    "rule_from_mapping",
    "rule_to_mapping",
    "sql_predicate",
    "sqlite_text",
    "sweep",
    "while_active",
]

FactValue: TypeAlias = date | datetime | None
"""A fact: a whole day, an aware instant, or ``None`` for "has not happened yet"."""

Facts: TypeAlias = Mapping[str, FactValue]
"""Event name -> fact. An absent name is an unknown fact."""

ColumnType = Literal["date", "timestamp"]
Paramstyle = Literal["qmark", "format", "pyformat", "named"]

R = TypeVar("R")
M = TypeVar("M", bound=Mapping[str, object])


class Action(enum.Enum):
    """What happens to the data when its retention has run out (Art. 17; Recital 26)."""

    ERASE = "erase"
    ANONYMIZE = "anonymize"


class Status(enum.Enum):
    """The outcome of evaluating a rule at an instant."""

    KEEP = "keep"
    """Retention has not run out (or the event it waits for has not happened)."""
    EXPIRED = "expired"
    """Retention has run out: apply the verdict's action (Art. 5(1)(e), 17(1)(a))."""
    HELD = "held"
    """An active legal hold keeps the data whatever the rule says (Art. 17(3)(e))."""
    UNKNOWN = "unknown"
    """A fact the rule needs is missing; decide nothing until it is known."""


# --------------------------------------------------------------------------- validators


def _event_name(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value.strip() or value != value.strip():
        raise RetentionError(f"{attribute.name} must be a non-empty event name without spaces")


def _text(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str):
        raise RetentionError(f"{attribute.name} must be a string, got {type(value).__name__}")


def _period(instance: object, attribute: attrs.Attribute[Period], value: Period) -> None:
    if not isinstance(value, Period):
        raise RetentionError(f"period must be a Period, got {type(value).__name__}")


def _align(instance: object, attribute: attrs.Attribute[Align | None], value: object) -> None:
    if value is not None and value not in ALIGNMENTS:
        raise RetentionError("align must be None, 'day', 'month' or 'year'")


def _action(instance: object, attribute: attrs.Attribute[Action], value: object) -> None:
    if not isinstance(value, Action):
        raise RetentionError("action must be Action.ERASE or Action.ANONYMIZE")


def _optional_rule(
    instance: object, attribute: attrs.Attribute[Rule | None], value: object
) -> None:
    if value is not None and not isinstance(value, _RULE_TYPES):
        raise RetentionError(f"{attribute.name} must be a rule or None, got {type(value).__name__}")


def _rules(instance: object, attribute: attrs.Attribute[tuple[Rule, ...]], value: object) -> None:
    if not isinstance(value, tuple) or not value:
        raise RetentionError(f"{type(instance).__name__} needs at least one rule")
    for item in value:
        if not isinstance(item, _RULE_TYPES):
            raise RetentionError(
                f"{type(instance).__name__} takes rules, got {type(item).__name__}"
            )


# --------------------------------------------------------------------------- rules


def _period_words(period: Period) -> str:
    parts = [
        f"{n} {unit}{'' if n == 1 else 's'}"
        for n, unit in ((period.years, "year"), (period.months, "month"), (period.days, "day"))
        if n
    ]
    if len(parts) > 1:
        return ", ".join(parts[:-1]) + " and " + parts[-1]
    return parts[0] if parts else ""


def _why(words: str, reason: str, legal_reference: str) -> str:
    if reason:
        words = f"{words}: {reason}"
    if legal_reference:
        words = f"{words} ({legal_reference})"
    return words


_DONE = {Action.ERASE: "erased", Action.ANONYMIZE: "anonymized"}


@attrs.frozen
class After:
    """Keep until ``period`` after ``event`` has run out (Art. 5(1)(e) GDPR; Reg. 1182/71 Art. 3).

    With ``align`` the end moves to the end of the day, month or calendar year
    containing event + period: Bokföringslagen (1999:1078) 7 kap. 2 § is
    ``after("fiscal_year_end", years=7, align="year")``.
    """

    event: str = attrs.field(validator=_event_name)
    period: Period = attrs.field(factory=Period, validator=_period)
    align: Align | None = attrs.field(default=None, validator=_align)
    action: Action = attrs.field(default=Action.ERASE, validator=_action)
    reason: str = attrs.field(default="", validator=_text)
    legal_reference: str = attrs.field(default="", validator=_text)

    def describe(self) -> str:
        """The rule in English words, with its reason and legal reference."""
        span = _period_words(self.period)
        base = f"{span} after {self.event}" if span else self.event
        if self.align is None:
            words = f"kept until {base}"
        elif self.align == "day":
            words = f"kept until the end of the day of {base}"
        else:
            unit = "calendar year" if self.align == "year" else "month"
            words = f"kept until {base}, to the end of that {unit}"
        words += f", then {_DONE[self.action]}"
        return _why(words, self.reason, self.legal_reference)


@attrs.frozen
class WhileActive:
    """Keep while ``event`` has not happened, then hand over to ``then`` (Art. 6(1)(b), 5(1)(e)).

    Without ``then`` the data goes when the event happens (a date event at the
    end of that day). With ``then`` the following rule decides once the event
    has happened; its facts are not needed before.
    """

    event: str = attrs.field(validator=_event_name)
    then: Rule | None = attrs.field(default=None, validator=_optional_rule)
    action: Action = attrs.field(default=Action.ERASE, validator=_action)
    reason: str = attrs.field(default="", validator=_text)
    legal_reference: str = attrs.field(default="", validator=_text)

    def describe(self) -> str:
        """The rule in English words, with its reason and legal reference."""
        words = f"kept while {self.event} has not happened"
        if self.then is None:
            words += f", then {_DONE[self.action]}"
            return _why(words, self.reason, self.legal_reference)
        return _why(words, self.reason, self.legal_reference) + "; then " + self.then.describe()


def _first_action(rules: tuple[Rule, ...]) -> Action:
    return rules[0].action


def _listing(rules: tuple[Rule, ...]) -> str:
    return "; ".join(f"({i}) {r.describe()}" for i, r in enumerate(rules, start=1))


@attrs.frozen
class _Combined:
    """What max_of and min_of share: the combined rules, whose own action and reason decide."""

    rules: tuple[Rule, ...] = attrs.field(validator=_rules)

    @property
    def action(self) -> Action:
        """The first rule's action (the verdict names the action of the rule that decides)."""
        return _first_action(self.rules)

    @property
    def reason(self) -> str:
        """Empty: each combined rule carries its own reason."""
        return ""

    @property
    def legal_reference(self) -> str:
        """Empty: each combined rule carries its own legal reference."""
        return ""


@attrs.frozen
class MaxOf(_Combined):
    """Keep until every one of ``rules`` has run out: the latest expiry wins (Art. 17(3)(b))."""

    def describe(self) -> str:
        """The rule in English words."""
        return f"kept until the last of these has run out: {_listing(self.rules)}"


@attrs.frozen
class MinOf(_Combined):
    """Keep until the first of ``rules`` runs out: the earliest expiry wins (Art. 5(1)(e))."""

    def describe(self) -> str:
        """The rule in English words."""
        return f"kept until the first of these runs out: {_listing(self.rules)}"


@attrs.frozen
class AnonymizedOnly:
    """No identifying data is kept at all: expired at once, action ANONYMIZE (Recital 26)."""

    reason: str = attrs.field(default="", validator=_text)
    legal_reference: str = attrs.field(default="", validator=_text)

    @property
    def action(self) -> Action:
        """Always :attr:`Action.ANONYMIZE`."""
        return Action.ANONYMIZE

    def describe(self) -> str:
        """The rule in English words."""
        return _why(
            "no identifying data kept: anonymized at once", self.reason, self.legal_reference
        )


Rule: TypeAlias = After | WhileActive | MaxOf | MinOf | AnonymizedOnly
"""Any retention rule."""

_RULE_TYPES: Final = (After, WhileActive, MaxOf, MinOf, AnonymizedOnly)


def after(
    event: str,
    *,
    years: int = 0,
    months: int = 0,
    days: int = 0,
    align: Align | None = None,
    action: Action = Action.ERASE,
    reason: str = "",
    legal_reference: str = "",
) -> After:
    """Keep until the period after ``event`` has run out (Art. 5(1)(e); Reg. 1182/71 Art. 3(2)(c)).

    ``align="year"`` keeps to the end of the calendar year containing
    event + period (Bokföringslagen (1999:1078) 7 kap. 2 §).
    """
    return After(
        event,
        Period(years=years, months=months, days=days),
        align=align,
        action=action,
        reason=reason,
        legal_reference=legal_reference,
    )


def while_active(
    event: str,
    then: Rule | None = None,
    *,
    action: Action = Action.ERASE,
    reason: str = "",
    legal_reference: str = "",
) -> WhileActive:
    """Keep until ``event`` (e.g. ``contract_ended``) has happened, then apply ``then``.

    Art. 6(1)(b) GDPR: data needed for a contract are kept while it runs.
    """
    return WhileActive(event, then, action=action, reason=reason, legal_reference=legal_reference)


def max_of(*rules: Rule) -> MaxOf:
    """Keep until all of ``rules`` have run out (an Art. 17(3)(b) obligation outlasts a purpose)."""
    return MaxOf(rules)


def min_of(*rules: Rule) -> MinOf:
    """Keep until the first of ``rules`` has run out."""
    return MinOf(rules)


def anonymized_only(*, reason: str = "", legal_reference: str = "") -> AnonymizedOnly:
    """Keep nothing identifying: expired at once, to be anonymized (Recital 26 GDPR)."""
    return AnonymizedOnly(reason=reason, legal_reference=legal_reference)


# --------------------------------------------------------------------------- holds


def _non_empty(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise RetentionError(f"LegalHold.{attribute.name} must be a non-empty string")


def _aware(instance: object, attribute: attrs.Attribute[datetime], value: object) -> None:
    require_aware(value, f"LegalHold.{attribute.name}")


def _aware_or_none(
    instance: object, attribute: attrs.Attribute[datetime | None], value: object
) -> None:
    if value is not None:
        require_aware(value, f"LegalHold.{attribute.name}")


@attrs.frozen
class LegalHold:
    """A hold that stops erasure until lifted (Art. 17(3)(e) legal claims; an authority's order).

    ``subject`` and ``record`` say what it covers; a hold naming neither covers
    everything it is given to. :func:`evaluate` applies every active hold it is
    passed; :meth:`applies_to` helps a caller pick a subject's or record's holds.
    """

    reason: str = attrs.field(validator=_non_empty)
    reference: str = attrs.field(validator=_non_empty)
    placed_at: datetime = attrs.field(validator=_aware)
    lifted_at: datetime | None = attrs.field(default=None, validator=_aware_or_none)
    subject: str | None = attrs.field(default=None, repr=False)  # a subject id: personal data
    record: str | int | None = None

    def __attrs_post_init__(self) -> None:
        # Compared in UTC: Python compares datetimes sharing a tzinfo by wall
        # time, which misorders the repeated autumn hour.
        if self.lifted_at is not None and _utc(self.lifted_at) < _utc(self.placed_at):
            raise RetentionError("LegalHold.lifted_at is before placed_at")

    def is_active(self, at: datetime) -> bool:
        """True from ``placed_at`` until (not including) ``lifted_at``."""
        at = _utc(require_aware(at, "at"))
        return _utc(self.placed_at) <= at and (self.lifted_at is None or at < _utc(self.lifted_at))

    def applies_to(self, *, subject: str | None = None, record: str | int | None = None) -> bool:
        """True when the hold covers that subject and record (a field left None covers all)."""
        return (self.subject is None or self.subject == subject) and (
            self.record is None or self.record == record
        )


# --------------------------------------------------------------------------- expiry


class ExpiryKind(enum.Enum):
    """How a rule's end is known for a set of facts."""

    AT = "at"
    """Retention runs out at :attr:`Expiry.at`."""
    PENDING = "pending"
    """The event the rule waits for has not happened: kept until it does."""
    IMMEDIATE = "immediate"
    """Nothing identifying may be kept at all (:func:`anonymized_only`)."""
    UNKNOWN = "unknown"
    """A fact the rule needs is missing (:attr:`Expiry.missing`)."""


@attrs.frozen
class Expiry:
    """When a rule lets data go for one set of facts, independent of ``now`` and of holds.

    ``rule`` is the rule that decides (its action and reason apply); it is None
    when the expiry is unknown.
    """

    kind: ExpiryKind
    at: datetime | None = None
    rule: Rule | None = None
    missing: tuple[str, ...] = ()


_MISSING: Final = object()


def _utc(moment: datetime) -> datetime:
    """The instant in UTC, so comparisons are by instant even within one zone's repeated hour."""
    return moment.astimezone(UTC)


def _fact(facts: Mapping[str, object], name: str) -> object:
    """The fact ``name``, validated; ``_MISSING`` when absent. Never echoes the value."""
    value = facts.get(name, _MISSING)
    if value is None or value is _MISSING:
        return value
    if isinstance(value, datetime):
        if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
            raise NaiveDatetimeError(
                f"fact {name!r} is a naive datetime; pass an aware one or a date"
            )
        return value
    if isinstance(value, date):
        return value
    raise RetentionError(
        f"fact {name!r} must be a date, an aware datetime or None, got {type(value).__name__}"
    )


def _unique(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(names))


def _expiry(rule: Rule, facts: Mapping[str, object], tz: tzinfo) -> Expiry:
    if isinstance(rule, After):
        value = _fact(facts, rule.event)
        if value is _MISSING:
            return Expiry(ExpiryKind.UNKNOWN, missing=(rule.event,))
        if value is None:
            return Expiry(ExpiryKind.PENDING, rule=rule)
        if not isinstance(value, date):  # pragma: no cover - _fact returns a date here
            raise AssertionError
        return Expiry(ExpiryKind.AT, period_end(value, rule.period, align=rule.align, tz=tz), rule)
    if isinstance(rule, WhileActive):
        value = _fact(facts, rule.event)
        if value is _MISSING:
            return Expiry(ExpiryKind.UNKNOWN, missing=(rule.event,))
        if value is None:
            return Expiry(ExpiryKind.PENDING, rule=rule)
        if not isinstance(value, date):  # pragma: no cover - _fact returns a date here
            raise AssertionError
        ended = period_end(value, Period(), tz=tz)
        if rule.then is None:
            return Expiry(ExpiryKind.AT, ended, rule)
        nxt = _expiry(rule.then, facts, tz)
        if nxt.kind is ExpiryKind.IMMEDIATE:
            return Expiry(ExpiryKind.AT, ended, nxt.rule)
        if nxt.kind is ExpiryKind.AT and nxt.at is not None:
            return Expiry(ExpiryKind.AT, max(ended, nxt.at, key=_utc), nxt.rule)
        return nxt
    if isinstance(rule, MaxOf):
        return _combine(tuple(_expiry(r, facts, tz) for r in rule.rules), latest=True)
    if isinstance(rule, MinOf):
        return _combine(tuple(_expiry(r, facts, tz) for r in rule.rules), latest=False)
    return Expiry(ExpiryKind.IMMEDIATE, rule=rule)


def _combine(parts: tuple[Expiry, ...], *, latest: bool) -> Expiry:
    # "Never" (PENDING) absorbs a maximum and "at once" (IMMEDIATE) absorbs a
    # minimum; otherwise one unknown part makes the whole unknown.
    absorbing = ExpiryKind.PENDING if latest else ExpiryKind.IMMEDIATE
    for part in parts:
        if part.kind is absorbing:
            return part
    missing = _unique(itertools.chain.from_iterable(p.missing for p in parts))
    if missing:
        return Expiry(ExpiryKind.UNKNOWN, missing=missing)
    timed = [p for p in parts if p.kind is ExpiryKind.AT]
    if not timed:
        return parts[0]
    pick = max if latest else min
    return pick(timed, key=_instant)


def _instant(part: Expiry) -> datetime:
    return _utc(part.at) if part.at is not None else _UTC_MIN


def expiry(rule: Rule, facts: Facts, *, tz: tzinfo = STOCKHOLM) -> Expiry:
    """When ``rule`` lets data go for ``facts``, in ``tz`` (Art. 5(1)(e); Reg. 1182/71 Art. 3).

    The building block under :func:`evaluate` for callers that need the
    instant itself (per-object plans, Art. 15(1)(d) "the period for which the
    personal data will be stored"). Raises :class:`~gdprkit.NaiveDatetimeError`
    or :class:`~gdprkit.RetentionError` naming a malformed fact.
    """
    _check_rule(rule)
    _check_tz(tz)
    _check_facts(facts)
    return _expiry(rule, facts, tz)


# --------------------------------------------------------------------------- verdicts


@attrs.frozen
class Verdict:
    """What a rule says about one set of facts at one instant.

    ``expires_at`` is the first instant erasure is allowed, in the policy's
    zone; None when unknown or when the awaited event has not happened. For
    :func:`anonymized_only` it is the evaluation instant itself. ``reason``
    holds the deciding rule in words with its legal reference; ``action`` is
    that rule's action.
    """

    status: Status
    expires_at: datetime | None
    action: Action
    reason: str
    legal_reference: str = ""
    missing: tuple[str, ...] = ()
    holds: tuple[LegalHold, ...] = ()


def _check_rule(rule: object) -> None:
    if not isinstance(rule, _RULE_TYPES):
        raise RetentionError(f"expected a retention rule, got {type(rule).__name__}")


def _check_facts(facts: object) -> None:
    if not isinstance(facts, Mapping):
        raise RetentionError(f"facts must be a mapping of event names, got {type(facts).__name__}")


def _check_tz(tz: object) -> None:
    if not isinstance(tz, tzinfo):
        raise TypeError(
            f"tz must be a tzinfo such as ZoneInfo('Europe/Stockholm'), not {type(tz).__name__}"
        )


def _active_holds(holds: Iterable[LegalHold], now: datetime) -> tuple[LegalHold, ...]:
    active = []
    for hold in holds:
        if not isinstance(hold, LegalHold):
            raise RetentionError(f"holds must be LegalHold values, got {type(hold).__name__}")
        if hold.is_active(now):
            active.append(hold)
    return tuple(active)


def _status(ex: Expiry, now: datetime) -> Status:
    if ex.kind is ExpiryKind.AT:
        return Status.EXPIRED if ex.at is not None and _utc(now) >= _utc(ex.at) else Status.KEEP
    if ex.kind is ExpiryKind.IMMEDIATE:
        return Status.EXPIRED
    return Status.KEEP if ex.kind is ExpiryKind.PENDING else Status.UNKNOWN


def _verdict(
    rule: Rule, ex: Expiry, now: datetime, tz: tzinfo, holds: tuple[LegalHold, ...]
) -> Verdict:
    deciding = ex.rule
    action = deciding.action if deciding is not None else rule.action
    status = _status(ex, now)
    expires_at = ex.at if ex.kind is ExpiryKind.AT else None
    if ex.kind is ExpiryKind.IMMEDIATE:
        expires_at = now.astimezone(tz)
    if holds:
        return Verdict(
            Status.HELD,
            expires_at,
            action,
            "kept under legal hold: " + "; ".join(f"{h.reason} ({h.reference})" for h in holds),
            "; ".join(h.reference for h in holds),
            ex.missing,
            holds,
        )
    if status is Status.UNKNOWN or deciding is None:
        names = ", ".join(ex.missing)
        reason = f"cannot decide without the fact(s) {names}; the rule: {rule.describe()}"
        return Verdict(status, expires_at, action, reason, "", ex.missing)
    return Verdict(
        status, expires_at, action, deciding.describe(), deciding.legal_reference, ex.missing
    )


def evaluate(
    rule: Rule,
    facts: Facts,
    now: datetime,
    *,
    tz: tzinfo = STOCKHOLM,
    holds: Iterable[LegalHold] = (),
) -> Verdict:
    """Decide whether data governed by ``rule`` may still be kept at ``now`` (Art. 5(1)(e), 17).

    ``EXPIRED`` from :attr:`Verdict.expires_at` on; ``UNKNOWN`` when a fact the
    rule needs is absent from ``facts``; ``HELD`` while any of ``holds`` is
    active (Art. 17(3)(e)) -- pass the holds that cover this subject or record.
    ``now`` must be aware; naive or ill-typed facts raise typed errors that name
    the fact, never its value.
    """
    _check_rule(rule)
    _check_tz(tz)
    _check_facts(facts)
    now = require_aware(now, "now")
    active = _active_holds(holds, now)
    return _verdict(rule, _expiry(rule, facts, tz), now, tz, active)


# --------------------------------------------------------------------------- cut-offs

_UTC_MIN: Final = datetime.min.replace(tzinfo=UTC)
_UTC_MAX: Final = datetime.max.replace(tzinfo=UTC)
_TICK: Final = timedelta(microseconds=1)


@attrs.frozen
class _Cut:
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
class _NoCut:
    why: str


_IMMEDIATE: Final = "immediate"


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
        return _UTC_MIN
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


def _after_cut(rule: After, now_local: datetime, tz: tzinfo) -> _Cut:
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
        return _Cut(rule.event, before, lo, hi)
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
    return _Cut(rule.event, before, min(lo, hi), hi)


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


def _merge(cuts: list[_Cut], *, latest: bool, what: str) -> _Cut | _NoCut:
    events = _unique(c.event for c in cuts)
    if len(events) > 1:
        named = ", ".join(repr(e) for e in events)
        return _NoCut(f"{what} combines the events {named}; no single cutoff exists")
    # "Latest expiry" rules expire when every part has: the earliest threshold;
    # "earliest expiry" rules when any part has: the latest threshold.
    pick = min if latest else max
    return _Cut(
        events[0],
        pick(c.before for c in cuts),
        pick(c.lo for c in cuts),
        pick(c.hi for c in cuts),
    )


def _compile(rule: Rule, now: datetime, tz: tzinfo) -> _Cut | _NoCut | str:
    now_local = now.astimezone(tz)
    if isinstance(rule, After):
        return _after_cut(rule, now_local, tz)
    if isinstance(rule, WhileActive):
        end_now = now.astimezone(UTC) + _TICK
        own = _Cut(rule.event, now_local.date(), end_now, end_now)
        if rule.then is None:
            return own
        nxt = _compile(rule.then, now, tz)
        if isinstance(nxt, _NoCut):
            return nxt
        if nxt == _IMMEDIATE:
            return own
        if not isinstance(nxt, _Cut):  # pragma: no cover - the three outcomes are exhaustive
            raise AssertionError
        return _merge([own, nxt], latest=True, what=f"while_active({rule.event!r}, then=...)")
    if isinstance(rule, MaxOf | MinOf):
        latest = isinstance(rule, MaxOf)
        parts = [_compile(r, now, tz) for r in rule.rules]
        for part in parts:
            if isinstance(part, _NoCut):
                return part
        if not latest and _IMMEDIATE in parts:
            return _IMMEDIATE
        cuts = [p for p in parts if isinstance(p, _Cut)]
        if not cuts:
            return _IMMEDIATE
        return _merge(cuts, latest=latest, what="max_of" if latest else "min_of")
    return _IMMEDIATE


def _cut(rule: Rule, now: datetime, tz: tzinfo) -> _Cut:
    compiled = _compile(rule, now, tz)
    if isinstance(compiled, _NoCut):
        raise RetentionError(compiled.why)
    if not isinstance(compiled, _Cut):
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
    _check_rule(rule)
    _check_tz(tz)
    now = require_aware(now, "now")
    kind = _column_type(column_type)
    cut = _cut(rule, now, tz)
    if kind == "date":
        return None if cut.before == date.min else start_of_day(cut.before, tz)
    return None if cut.lo == _UTC_MIN else cut.lo


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
    _check_rule(rule)
    _check_tz(tz)
    now = require_aware(now, "now")
    kind = _column_type(column_type)
    cut = _cut(rule, now, tz)
    named = paramstyle in ("named", "pyformat")
    nothing = cut.before == date.min if kind == "date" else cut.lo == _UTC_MIN
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


# --------------------------------------------------------------------------- sweep


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
    cut: _Cut,
    facts_of: Callable[[R], Mapping[str, object]] | None,
    held: Callable[[R], bool] | None,
    plain: Callable[[Mapping[str, object]], Status],
) -> Iterator[tuple[R, Status]]:
    event, before, lo, hi = cut.event, cut.before, cut.lo, cut.hi
    keep, expired, unknown, held_status = Status.KEEP, Status.EXPIRED, Status.UNKNOWN, Status.HELD
    date_type, datetime_type, missing = date, datetime, _MISSING
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
    _check_rule(rule)
    _check_tz(tz)
    now = require_aware(now, "now")
    active = _active_holds(holds, now)
    held = _hold_matcher(active, subject, record)

    def plain(facts: Mapping[str, object]) -> Status:
        if not isinstance(facts, Mapping):
            raise RetentionError(f"a row's facts must be a mapping, got {type(facts).__name__}")
        return _status(_expiry(rule, facts, tz), now)

    compiled = _compile(rule, now, tz)
    if isinstance(compiled, _Cut):
        return _sweep_cut(rows, compiled, key, held, plain)
    if isinstance(compiled, _NoCut):
        return _sweep_plain(rows, key, held, plain)
    return _sweep_constant(rows, held, Status.EXPIRED)


# --------------------------------------------------------------------------- policy mappings

_KINDS: Final = ("after", "while_active", "max_of", "min_of", "anonymized_only")
_META: Final = ("action", "reason", "legal_reference")
_KEYS: Final[Mapping[str, tuple[str, ...]]] = {
    "after": ("kind", "event", "period", "years", "months", "days", "align", *_META),
    "while_active": ("kind", "event", "then", *_META),
    "max_of": ("kind", "rules"),
    "min_of": ("kind", "rules"),
    "anonymized_only": ("kind", "reason", "legal_reference"),
}
_ACTIONS: Final = {a.value: a for a in Action}


def _where(location: str, key: str) -> str:
    return f"{location}.{key}" if location else key


def _kind_of(value: object) -> str:
    """A value's kind for a message, never the value itself."""
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, str):
        return "a string"
    return "a " + type(value).__name__


class _Reader:
    def __init__(self, data: Mapping[str, object], location: str, problems: list[PolicyProblem]):
        self.data, self.location, self.problems = data, location, problems

    def add(self, key: str, message: str) -> None:
        self.problems.append(PolicyProblem(_where(self.location, key), message))

    def text(self, key: str, *, required: bool = False) -> str | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.add(key, "is required")
            return None
        if not isinstance(value, str) or (required and not value.strip()):
            self.add(key, f"must be a non-empty string, got {_kind_of(value)}")
            return None
        return value

    def count(self, key: str) -> int | None:
        value = self.data.get(key)
        if value is None:
            return 0
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.add(key, f"must be a non-negative integer, got {_kind_of(value)}")
            return None
        return value


def _parse(data: object, location: str, problems: list[PolicyProblem]) -> Rule | None:
    if not isinstance(data, Mapping):
        problems.append(PolicyProblem(location, f"must be a table, got {_kind_of(data)}"))
        return None
    r = _Reader(data, location, problems)
    kind = data.get("kind")
    if kind is None:
        r.add("kind", "is required; one of " + ", ".join(_KINDS))
        return None
    if kind not in _KINDS:
        r.add("kind", "must be one of " + ", ".join(_KINDS))
        return None
    allowed = _KEYS[str(kind)]
    for name in data:
        if name not in allowed:
            r.add(str(name), "unknown key; expected one of " + ", ".join(sorted(allowed)))
    before = len(problems)
    reason = r.text("reason") or ""
    legal_reference = r.text("legal_reference") or ""
    action = Action.ERASE
    if "action" in data and "action" in allowed:
        raw_action = data["action"]
        if raw_action in _ACTIONS:
            action = _ACTIONS[str(raw_action)]
        else:
            r.add("action", "must be 'erase' or 'anonymize'")
    rule: Rule | None = None
    if kind == "after":
        event = r.text("event", required=True)
        period = _parse_period(r)
        align = data.get("align")
        if align is not None and align not in ALIGNMENTS:
            r.add("align", "must be 'day', 'month' or 'year'")
        if len(problems) == before and event is not None and period is not None:
            rule = _build(
                r,
                lambda: After(event, period, align, action, reason, legal_reference),  # type: ignore[arg-type]
            )
    elif kind == "while_active":
        event = r.text("event", required=True)
        then = None
        if "then" in data:
            then = _parse(data["then"], _where(location, "then"), problems)
        if len(problems) == before and event is not None:
            rule = _build(r, lambda: WhileActive(event, then, action, reason, legal_reference))
    elif kind in ("max_of", "min_of"):
        items = data.get("rules")
        where = _where(location, "rules")
        parts: list[Rule | None] = []
        if not isinstance(items, list | tuple) or not items:
            r.add("rules", f"must be a non-empty list of rule tables, got {_kind_of(items)}")
        else:
            parts = [_parse(item, f"{where}[{i}]", problems) for i, item in enumerate(items)]
        if len(problems) == before and parts:
            rules = tuple(p for p in parts if p is not None)
            rule = MaxOf(rules) if kind == "max_of" else MinOf(rules)
    elif len(problems) == before:
        rule = AnonymizedOnly(reason, legal_reference)
    return rule


def _build(r: _Reader, make: Callable[[], Rule]) -> Rule | None:
    try:
        return make()
    except RetentionError as exc:
        r.problems.append(PolicyProblem(r.location, str(exc)))
        return None


def _parse_period(r: _Reader) -> Period | None:
    has_period = "period" in r.data
    has_parts = any(k in r.data for k in ("years", "months", "days"))
    if has_period and has_parts:
        r.add("period", "give either period or years/months/days, not both")
        return None
    if has_period:
        text = r.data["period"]
        if not isinstance(text, str):
            r.add("period", f"must be an ISO 8601 duration such as 'P7Y', got {_kind_of(text)}")
            return None
        try:
            return Period.parse(text)
        except RetentionError as exc:
            r.add("period", str(exc))
            return None
    if not has_parts:
        r.add("period", "is required: an ISO 8601 duration such as 'P7Y', or years/months/days")
        return None
    years, months, days = r.count("years"), r.count("months"), r.count("days")
    if years is None or months is None or days is None:
        return None
    return Period(years=years, months=months, days=days)


def rule_from_mapping(data: Mapping[str, object], *, location: str) -> Rule:
    """Build a rule from its policy-file table (Art. 5(1)(e), 30(1)(f) GDPR).

    ``{kind="after", event="fiscal_year_end", period="P7Y", align="year"}``,
    ``{kind="while_active", event="contract_ended", then={...}}``,
    ``{kind="max_of", rules=[...]}``, ``{kind="min_of", rules=[...]}``,
    ``{kind="anonymized_only"}``; ``after`` also takes ``years``/``months``/
    ``days`` instead of ``period``, and every kind but the composites takes
    ``action`` (``"erase"``/``"anonymize"``), ``reason`` and ``legal_reference``.
    Raises :class:`~gdprkit.PolicyError` listing every problem, each located
    at ``location`` plus the key path (``...retention.rules[1].period``).
    """
    problems: list[PolicyProblem] = []
    rule = _parse(data, location, problems)
    if problems or rule is None:
        raise PolicyError(problems or [PolicyProblem(location, "is not a valid rule")])
    return rule


def rule_to_mapping(rule: Rule) -> dict[str, object]:
    """The policy-file table of a rule; :func:`rule_from_mapping` reads it back to an equal rule."""
    _check_rule(rule)
    out: dict[str, object]
    if isinstance(rule, After):
        out = {"kind": "after", "event": rule.event, "period": str(rule.period)}
        if rule.align is not None:
            out["align"] = rule.align
    elif isinstance(rule, WhileActive):
        out = {"kind": "while_active", "event": rule.event}
        if rule.then is not None:
            out["then"] = rule_to_mapping(rule.then)
    elif isinstance(rule, MaxOf | MinOf):
        kind = "max_of" if isinstance(rule, MaxOf) else "min_of"
        return {"kind": kind, "rules": [rule_to_mapping(r) for r in rule.rules]}
    else:
        out = {"kind": "anonymized_only"}
    if isinstance(rule, After | WhileActive) and rule.action is not Action.ERASE:
        out["action"] = rule.action.value
    if rule.reason:
        out["reason"] = rule.reason
    if rule.legal_reference:
        out["legal_reference"] = rule.legal_reference
    return out


# --------------------------------------------------------------------------- per object


@attrs.frozen
class FieldVerdict:
    """The retention verdict of one personal field: kept while any of its purposes needs it.

    ``purpose`` is the purpose that keeps the field longest (or that decided an
    expiry); ``verdict`` is that purpose's rule verdict.
    """

    field: str
    status: Status
    expires_at: datetime | None
    action: Action
    purpose: str | None
    reason: str
    legal_reference: str = ""
    missing: tuple[str, ...] = ()


@attrs.frozen
class ObjectVerdict:
    """Every personal field's :class:`FieldVerdict` for one record."""

    model: str
    fields: tuple[FieldVerdict, ...]

    def __getitem__(self, field: str) -> FieldVerdict:
        for verdict in self.fields:
            if verdict.field == field:
                return verdict
        raise KeyError(field)

    def with_status(self, status: Status) -> tuple[str, ...]:
        """The names of the fields with ``status``."""
        return tuple(v.field for v in self.fields if v.status is status)


def record_facts(obj: object, facts: Facts) -> dict[str, FactValue]:
    """``facts`` overlaid with the record's own date and datetime fields (its own events win).

    An invoice's ``fiscal_year_end`` field is the fact its bookkeeping rule
    needs; a customer-wide ``contract_ended`` comes from ``facts``.
    """
    from gdprkit.tagging import schema_of

    merged: dict[str, FactValue] = dict(facts)
    for name in schema_of(obj).all_fields:
        value = getattr(obj, name)
        if isinstance(value, date):
            merged[name] = value
    return merged


def evaluate_object(
    obj: object,
    facts: Facts,
    now: datetime,
    *,
    policy: Any = None,
    tz: tzinfo | None = None,
    holds: Iterable[LegalHold] = (),
    inactive_purposes: Iterable[str] = (),
) -> ObjectVerdict:
    """Each personal field's verdict: kept while any of its purposes' rules keeps it (Art. 5(1)(e)).

    Per field, every tagged purpose's rule is evaluated against ``facts``
    overlaid with the record's own dates (:func:`record_facts`). A field is
    HELD if a hold is active, else KEEP until the latest expiry among its
    purposes, else UNKNOWN if any purpose lacks a fact or has no rule (never
    erase on doubt), else EXPIRED. ``inactive_purposes`` (an objection, a
    withdrawn consent, an erasure request) no longer count as reasons to keep;
    a field left with no purpose at all is EXPIRED at ``now``. The action at
    expiry is ANONYMIZE only when a deciding rule says so and the field does
    not identify the subject; otherwise ERASE.
    """
    from gdprkit.tagging import schema_of

    schema = schema_of(obj)
    pol = policy if policy is not None else schema.policy
    if pol is None:
        raise TypeError(f"{schema.name} was declared without a policy; pass policy=")
    zone = tz if tz is not None else pol.timezone
    now = require_aware(now, "now")
    dropped = frozenset(inactive_purposes)
    held = tuple(holds)
    merged = record_facts(obj, facts)
    cache: dict[str, Verdict | None] = {}

    def verdict_for(purpose_id: str) -> Verdict | None:
        if purpose_id not in cache:
            rule = pol.purpose(purpose_id).retention
            cache[purpose_id] = (
                None if rule is None else evaluate(rule, merged, now, tz=zone, holds=held)
            )
        return cache[purpose_id]

    active_holds = _active_holds(held, now)
    out = []
    for info in schema.fields:
        active = [p for p in info.tag.purposes if p not in dropped]
        if not active and active_holds:
            # a hold keeps data even when no purpose is left (Art. 17(3)(e))
            active = list(info.tag.purposes)
        out.append(_field_verdict(info.name, info.tag.identifies, active, verdict_for, now, zone))
    return ObjectVerdict(schema.name, tuple(out))


def _field_verdict(
    name: str,
    identifies: bool,
    purposes: list[str],
    verdict_for: Callable[[str], Verdict | None],
    now: datetime,
    zone: tzinfo,
) -> FieldVerdict:
    if not purposes:
        return FieldVerdict(
            name, Status.EXPIRED, now.astimezone(zone), Action.ERASE, None,
            "no purpose remains that needs this field",
        )  # fmt: skip
    verdicts = [(p, verdict_for(p)) for p in purposes]
    for p, v in verdicts:
        if v is not None and v.status is Status.HELD:
            return FieldVerdict(name, v.status, None, v.action, p, v.reason, v.legal_reference)
    keeping = [(p, v) for p, v in verdicts if v is not None and v.status is Status.KEEP]
    if keeping:
        # the purpose that keeps it longest; an open-ended keep (None) outlasts any date
        p, v = max(keeping, key=lambda pv: (pv[1].expires_at is None, _key_utc(pv[1].expires_at)))
        return FieldVerdict(
            name, v.status, v.expires_at, v.action, p, v.reason, v.legal_reference, v.missing
        )
    for p, v in verdicts:
        if v is None:
            return FieldVerdict(
                name, Status.UNKNOWN, None, Action.ERASE, p,
                f"purpose {p!r} has no retention rule; decide before erasing",
            )  # fmt: skip
        if v.status is Status.UNKNOWN:
            return FieldVerdict(name, v.status, None, v.action, p, v.reason, "", v.missing)
    # all expired: the latest expiry decides; anonymize only what does not identify
    p, v = max(verdicts, key=lambda pv: _key_utc(pv[1].expires_at if pv[1] else None))
    assert v is not None
    anonymize = not identifies and any(
        w is not None and w.action is Action.ANONYMIZE for _, w in verdicts
    )
    action = Action.ANONYMIZE if anonymize else Action.ERASE
    return FieldVerdict(name, Status.EXPIRED, v.expires_at, action, p, v.reason, v.legal_reference)


def _key_utc(value: datetime | None) -> datetime:
    return _UTC_MIN if value is None else value.astimezone(UTC)
