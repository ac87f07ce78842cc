"""Per-object retention: each personal field of a tagged record kept while a purpose needs it.

Storage limitation (Art. 5(1)(e) GDPR) applies per purpose; a field serving
several purposes is kept until the last of them lets it go. This module sits
above the policy and the tagged classes: it reads both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, tzinfo

import attrs

from gdprkit._retention.expiry import UTC_MIN, Facts, FactValue, Status, Verdict, evaluate
from gdprkit._retention.rules import Action, LegalHold, active_holds, utc
from gdprkit._util import require_aware
from gdprkit.policy import Policy
from gdprkit.tagging import schema_of


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
    policy: Policy | None = None,
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

    holding = active_holds(held, now)
    out = []
    for info in schema.fields:
        active = [p for p in info.tag.purposes if p not in dropped]
        if not active and holding:
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
    return UTC_MIN if value is None else utc(value)
