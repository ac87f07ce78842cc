"""What an erasure request does to each personal field of one record, and why.

A field's retention verdict under the request decides: RETAIN under an
Art. 17(3) exception, SHRED or ERASE, or ANONYMIZE where an anonymized-only
purpose keeps it. ANONYMIZE stands only where the record keeps no
identifier, the purpose declares how the record kind is made anonymous and
the source keeps an anonymous set; otherwise the field is erased, with why
(Recital 26; WP216).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING

import attrs

from gdprkit._rights.actions import ErasureAction
from gdprkit._rights.anonymous import NotAnonymous
from gdprkit._rights.sources import AnonymizingSource, DataSource, SubjectRef
from gdprkit.retention import Action, FieldVerdict, LegalHold, Status, evaluate_object
from gdprkit.tagging import Schema

if TYPE_CHECKING:
    from gdprkit._anonymize.forms import AnonymousForm
    from gdprkit.policy import Policy

__all__ = ["Decision", "Request", "record_decisions"]

_Key = tuple[object, ...]


@attrs.frozen
class Decision:
    """What the erasure does to one field of a record: the action, until when, and why."""

    action: ErasureAction
    until: datetime | None = None
    legal_reference: str = ""
    reason: str = ""


@attrs.frozen
class Request:
    """What every record of one erasure request is planned under."""

    subject: SubjectRef
    policy: Policy
    facts: Mapping[str, date | datetime | None]
    now: datetime
    inactive_purposes: tuple[str, ...]
    holds: tuple[LegalHold, ...]
    forms: Mapping[tuple[str, str], AnonymousForm] = attrs.field(factory=dict, eq=False)


@attrs.frozen
class RecordPlan:
    """One record's decisions, and what of it goes into an anonymous form.

    ``anonymous`` maps each purpose whose form takes the record to the
    fields the form reads; ``not_anonymous`` maps each purpose whose
    ANONYMIZE fields were erased instead to why.
    """

    decisions: tuple[tuple[FieldVerdict, Decision], ...]
    anonymous: Mapping[str, dict[str, object]]
    not_anonymous: Mapping[str, NotAnonymous]


def _decide(verdict: FieldVerdict, policy: Policy, shreddable: bool) -> Decision:
    """Map a field's retention verdict under an erasure request to an action, until, reference, reason."""
    if verdict.status is Status.HELD:
        return Decision(
            ErasureAction.RETAIN, None, f"Art. 17(3)(e); {verdict.legal_reference}", verdict.reason
        )
    if verdict.status in (Status.KEEP, Status.UNKNOWN):
        ref = verdict.legal_reference or (
            policy.purpose(verdict.purpose).legal_reference or "" if verdict.purpose else ""
        )
        reason = verdict.reason
        if verdict.status is Status.UNKNOWN:
            reason = "kept until the missing facts are known (never erase on doubt): " + reason
        return Decision(
            ErasureAction.RETAIN, verdict.expires_at, f"Art. 17(3)(b); {ref}".rstrip("; "), reason
        )
    if verdict.action is Action.ANONYMIZE:
        return Decision(
            ErasureAction.ANONYMIZE, reason="kept only as anonymous data; " + verdict.reason
        )
    if shreddable:
        return Decision(
            ErasureAction.SHRED, reason="the subject's key is destroyed (crypto-shredding)"
        )
    return Decision(ErasureAction.ERASE, reason=verdict.reason)


def _hold_key(key: _Key) -> str | int | None:
    if len(key) == 1 and isinstance(key[0], str | int):
        return key[0]
    return "/".join(str(k) for k in key) if key else None


def _anonymous_forms(
    planned: list[tuple[FieldVerdict, Decision]],
    record: object,
    schema: Schema,
    source: DataSource,
    request: Request,
) -> RecordPlan:
    """Keep ANONYMIZE where a declared form can make the data anonymous; else ERASE, with why.

    Per purpose that anonymizes: the form it declares for the record kind
    must exist (removing identifiers alone is not anonymisation, Recital 26),
    the source must keep an anonymous set, and the form may read only fields
    the record keeps for that purpose.
    """
    keeps_set = isinstance(source, AnonymizingSource) and source.keeps_anonymous
    fields: dict[str, set[str]] = {}
    for v, d in planned:
        if d.action is ErasureAction.ANONYMIZE and v.purpose is not None:
            fields.setdefault(v.purpose, set()).add(v.field)
    anonymous: dict[str, dict[str, object]] = {}
    erased: dict[str, NotAnonymous] = {}
    for purpose, kept in fields.items():
        form = request.forms.get((purpose, schema.name))
        if form is None:
            erased[purpose] = NotAnonymous.NO_METHOD
        elif not keeps_set:
            erased[purpose] = NotAnonymous.NO_ANONYMOUS_SET
        elif not form.fields <= kept:
            erased[purpose] = NotAnonymous.FIELD_NOT_ANONYMOUS
        else:
            anonymous[purpose] = {f: getattr(record, f) for f in form.fields}
    decisions = tuple(
        (v, attrs.evolve(d, action=ErasureAction.ERASE, reason=erased[v.purpose].words))
        if d.action is ErasureAction.ANONYMIZE and v.purpose in erased
        else (v, d)
        for v, d in planned
    )
    return RecordPlan(decisions, anonymous, erased)


def record_decisions(
    record: object,
    key: _Key,
    schema: Schema,
    source: DataSource,
    shreddable: bool,
    request: Request,
) -> RecordPlan:
    """Each personal field of one record: its retention verdict under the request, and the decision."""
    covering = [
        h for h in request.holds if h.applies_to(subject=request.subject.id, record=_hold_key(key))
    ]
    verdicts = evaluate_object(
        record,
        request.facts,
        request.now,
        policy=request.policy,
        holds=covering,
        inactive_purposes=request.inactive_purposes,
    )
    planned = [(v, _decide(v, request.policy, shreddable)) for v in verdicts.fields]
    if any(d.action is ErasureAction.RETAIN and schema.tag(v.field).identifies for v, d in planned):
        # the record keeps an identifier: nothing in it is anonymous
        not_anonymous = "the record keeps an identifier, so nothing in it is anonymous"
        planned = [
            (v, attrs.evolve(d, action=ErasureAction.ERASE, reason=not_anonymous))
            if d.action is ErasureAction.ANONYMIZE
            else (v, d)
            for v, d in planned
        ]
    return _anonymous_forms(planned, record, schema, source, request)
