"""Retention rules and legal holds: frozen values, what they say, and their validation.

A rule says how long personal data may be kept after the facts that justify
it (Art. 5(1)(e) GDPR, storage limitation) and what happens then: erasure
(Art. 17) or anonymization. A legal hold stops erasure while it is active
(Art. 17(3)(e)). These values import nothing above :mod:`gdprkit.timecalc`,
so that a policy can hold them.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Final, TypeAlias

import attrs

from gdprkit._errors import RetentionError
from gdprkit._util import require_aware
from gdprkit.timecalc import ALIGNMENTS, Align, Period


class Action(enum.Enum):
    """What happens to the data when its retention has run out (Art. 17; Recital 26)."""

    ERASE = "erase"
    ANONYMIZE = "anonymize"


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
    if value is not None and not isinstance(value, RULE_TYPES):
        raise RetentionError(f"{attribute.name} must be a rule or None, got {type(value).__name__}")


def _rules(instance: object, attribute: attrs.Attribute[tuple[Rule, ...]], value: object) -> None:
    if not isinstance(value, tuple) or not value:
        raise RetentionError(f"{type(instance).__name__} needs at least one rule")
    for item in value:
        if not isinstance(item, RULE_TYPES):
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


# Any retention rule; documented on gdprkit.retention, where users import it.
Rule: TypeAlias = After | WhileActive | MaxOf | MinOf | AnonymizedOnly

RULE_TYPES: Final = (After, WhileActive, MaxOf, MinOf, AnonymizedOnly)


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
        if self.lifted_at is not None and utc(self.lifted_at) < utc(self.placed_at):
            raise RetentionError("LegalHold.lifted_at is before placed_at")

    def is_active(self, at: datetime) -> bool:
        """True from ``placed_at`` until (not including) ``lifted_at``."""
        at = utc(require_aware(at, "at"))
        return utc(self.placed_at) <= at and (self.lifted_at is None or at < utc(self.lifted_at))

    def applies_to(self, *, subject: str | None = None, record: str | int | None = None) -> bool:
        """True when the hold covers that subject and record (a field left None covers all)."""
        return (self.subject is None or self.subject == subject) and (
            self.record is None or self.record == record
        )


def utc(moment: datetime) -> datetime:
    """The instant in UTC, so comparisons are by instant even within one zone's repeated hour."""
    return moment.astimezone(UTC)


def active_holds(holds: Iterable[LegalHold], now: datetime) -> tuple[LegalHold, ...]:
    """The holds active at ``now``; anything but a :class:`LegalHold` raises."""
    active = []
    for hold in holds:
        if not isinstance(hold, LegalHold):
            raise RetentionError(f"holds must be LegalHold values, got {type(hold).__name__}")
        if hold.is_active(now):
            active.append(hold)
    return tuple(active)


def check_rule(rule: object) -> None:
    """Raise :class:`~gdprkit.RetentionError` unless ``rule`` is a retention rule."""
    if not isinstance(rule, RULE_TYPES):
        raise RetentionError(f"expected a retention rule, got {type(rule).__name__}")
