"""When a rule lets data go for a set of facts, and the verdict at an instant.

**Facts.** A rule is evaluated against a mapping from event names to a
:class:`~datetime.date` (a whole day), an aware :class:`~datetime.datetime`
(an instant), or ``None``: an absent name is an unknown fact (the verdict is
``UNKNOWN``: never erase on doubt, never keep silently); a name mapped to
``None`` is an event that has not happened yet (kept until it does).
Periods are counted by :func:`gdprkit.timecalc.period_end` (Reg. 1182/71).
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, tzinfo
from typing import Final, TypeAlias

import attrs

from gdprkit._errors import NaiveDatetimeError, RetentionError
from gdprkit._retention.rules import (
    Action,
    After,
    LegalHold,
    MaxOf,
    MinOf,
    Rule,
    WhileActive,
    active_holds,
    check_rule,
    utc,
)
from gdprkit._util import require_aware
from gdprkit.timecalc import STOCKHOLM, Period, period_end

# The fact types; their documentation is on gdprkit.retention, where users import them.
FactValue: TypeAlias = date | datetime | None
Facts: TypeAlias = Mapping[str, FactValue]

UTC_MIN: Final = datetime.min.replace(tzinfo=UTC)
"""Earlier than any instant: the sort key of "no instant"."""

MISSING: Final = object()
"""What :func:`fact_value` returns for a fact that is absent (unknown)."""


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


def fact_value(facts: Mapping[str, object], name: str) -> object:
    """The fact ``name``, validated; ``MISSING`` when absent. Never echoes the value."""
    value = facts.get(name, MISSING)
    if value is None or value is MISSING:
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


def unique(names: Iterable[str]) -> tuple[str, ...]:
    """The names in their first order, each once."""
    return tuple(dict.fromkeys(names))


def rule_expiry(rule: Rule, facts: Mapping[str, object], tz: tzinfo) -> Expiry:
    """The expiry of a checked ``rule`` for ``facts`` (facts are validated as they are read)."""
    if isinstance(rule, After):
        return _after_expiry(rule, facts, tz)
    if isinstance(rule, WhileActive):
        return _while_active_expiry(rule, facts, tz)
    if isinstance(rule, MaxOf | MinOf):
        parts = tuple(rule_expiry(r, facts, tz) for r in rule.rules)
        return _combine(parts, latest=isinstance(rule, MaxOf))
    return Expiry(ExpiryKind.IMMEDIATE, rule=rule)


def _happened(rule: After | WhileActive, facts: Mapping[str, object]) -> date | Expiry:
    """When the rule's event happened, or the expiry when that is unknown or has not happened."""
    value = fact_value(facts, rule.event)
    if value is MISSING:
        return Expiry(ExpiryKind.UNKNOWN, missing=(rule.event,))
    if value is None:
        return Expiry(ExpiryKind.PENDING, rule=rule)
    if not isinstance(value, date):  # pragma: no cover - fact_value returns a date here
        raise AssertionError
    return value


def _after_expiry(rule: After, facts: Mapping[str, object], tz: tzinfo) -> Expiry:
    happened = _happened(rule, facts)
    if isinstance(happened, Expiry):
        return happened
    return Expiry(ExpiryKind.AT, period_end(happened, rule.period, align=rule.align, tz=tz), rule)


def _while_active_expiry(rule: WhileActive, facts: Mapping[str, object], tz: tzinfo) -> Expiry:
    happened = _happened(rule, facts)
    if isinstance(happened, Expiry):
        return happened
    ended = period_end(happened, Period(), tz=tz)
    if rule.then is None:
        return Expiry(ExpiryKind.AT, ended, rule)
    nxt = rule_expiry(rule.then, facts, tz)
    if nxt.kind is ExpiryKind.IMMEDIATE:
        return Expiry(ExpiryKind.AT, ended, nxt.rule)
    if nxt.kind is ExpiryKind.AT and nxt.at is not None:
        return Expiry(ExpiryKind.AT, max(ended, nxt.at, key=utc), nxt.rule)
    return nxt


def _combine(parts: tuple[Expiry, ...], *, latest: bool) -> Expiry:
    # "Never" (PENDING) absorbs a maximum and "at once" (IMMEDIATE) absorbs a
    # minimum; otherwise one unknown part makes the whole unknown.
    absorbing = ExpiryKind.PENDING if latest else ExpiryKind.IMMEDIATE
    for part in parts:
        if part.kind is absorbing:
            return part
    missing = unique(itertools.chain.from_iterable(p.missing for p in parts))
    if missing:
        return Expiry(ExpiryKind.UNKNOWN, missing=missing)
    timed = [p for p in parts if p.kind is ExpiryKind.AT]
    if not timed:
        return parts[0]
    pick = max if latest else min
    return pick(timed, key=_instant)


def _instant(part: Expiry) -> datetime:
    return utc(part.at) if part.at is not None else UTC_MIN


def expiry(rule: Rule, facts: Facts, *, tz: tzinfo = STOCKHOLM) -> Expiry:
    """When ``rule`` lets data go for ``facts``, in ``tz`` (Art. 5(1)(e); Reg. 1182/71 Art. 3).

    The building block under :func:`evaluate` for callers that need the
    instant itself (per-object plans, Art. 15(1)(d) "the period for which the
    personal data will be stored"). Raises :class:`~gdprkit.NaiveDatetimeError`
    or :class:`~gdprkit.RetentionError` naming a malformed fact.
    """
    check_rule(rule)
    check_tz(tz)
    check_facts(facts)
    return rule_expiry(rule, facts, tz)


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


def check_facts(facts: object) -> None:
    """Raise :class:`~gdprkit.RetentionError` unless ``facts`` is a mapping."""
    if not isinstance(facts, Mapping):
        raise RetentionError(f"facts must be a mapping of event names, got {type(facts).__name__}")


def check_tz(tz: object) -> None:
    """Raise TypeError unless ``tz`` is a tzinfo (a zone name is a common slip)."""
    if not isinstance(tz, tzinfo):
        raise TypeError(
            f"tz must be a tzinfo such as ZoneInfo('Europe/Stockholm'), not {type(tz).__name__}"
        )


def status_at(ex: Expiry, now: datetime) -> Status:
    """The status an expiry gives at ``now``, before holds."""
    if ex.kind is ExpiryKind.AT:
        return Status.EXPIRED if ex.at is not None and utc(now) >= utc(ex.at) else Status.KEEP
    if ex.kind is ExpiryKind.IMMEDIATE:
        return Status.EXPIRED
    return Status.KEEP if ex.kind is ExpiryKind.PENDING else Status.UNKNOWN


def _verdict(
    rule: Rule, ex: Expiry, now: datetime, tz: tzinfo, holds: tuple[LegalHold, ...]
) -> Verdict:
    deciding = ex.rule
    action = deciding.action if deciding is not None else rule.action
    status = status_at(ex, now)
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
    check_rule(rule)
    check_tz(tz)
    check_facts(facts)
    now = require_aware(now, "now")
    active = active_holds(holds, now)
    return _verdict(rule, rule_expiry(rule, facts, tz), now, tz, active)
