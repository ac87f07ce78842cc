"""Planning an erasure (Art. 17): everything goes except what Art. 17(3) lets or makes us keep."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Final

import attrs

from gdprkit._errors import SourceError
from gdprkit._rights.actions import ErasureAction, ErasureItem
from gdprkit._rights.receipt import render_for_subject
from gdprkit._rights.recipients import RecipientNotification, notification_for
from gdprkit._rights.sources import DataSource, ErasableSource, ShreddableSource, SubjectRef
from gdprkit._util import require_aware
from gdprkit.retention import Action, FieldVerdict, LegalHold, Status, evaluate_object
from gdprkit.tagging import Schema, schema_of
from gdprkit.vocab import LegalBasis

if TYPE_CHECKING:
    from gdprkit.policy import Policy, Recipient

__all__ = ["ErasurePlan", "plan_erasure"]

#: Bases whose processing survives an erasure request: Art. 17(3)(b).
_RETAINING_BASES = frozenset({LegalBasis.LEGAL_OBLIGATION, LegalBasis.PUBLIC_TASK})

_KEY_KEPT: Final = (
    "erased row by row: the subject's key stays, as it also protects data kept under Art. 17(3)"
)

#: A record's key in its source (:meth:`~gdprkit.rights.ErasableSource.record_key`).
_Key = tuple[object, ...]


@attrs.frozen
class ErasurePlan:
    """For every source, record and personal field: ERASE, SHRED, ANONYMIZE or RETAIN until.

    A value: print it, review it, render it for the data subject, then pass
    it to :func:`execute_erasure`.
    """

    subject: SubjectRef
    at: datetime
    items: tuple[ErasureItem, ...]
    deletes: tuple[tuple[str, tuple[tuple[object, ...], ...]], ...] = attrs.field(repr=False)
    recipients: tuple[Recipient, ...] = ()
    sources: tuple[DataSource, ...] = attrs.field(default=(), eq=False, repr=False)
    not_notified: tuple[Recipient, ...] = ()

    @property
    def notification(self) -> RecipientNotification:
        """Who is told of the erasure (:attr:`recipients`) and who cannot be (Art. 19)."""
        return RecipientNotification(self.recipients, self.not_notified)

    def by_action(self, action: ErasureAction) -> tuple[ErasureItem, ...]:
        """The items with ``action``."""
        return tuple(i for i in self.items if i.action is action)

    @property
    def retained(self) -> tuple[ErasureItem, ...]:
        """What stays, with until when and why."""
        return self.by_action(ErasureAction.RETAIN)

    @property
    def retaining_purposes(self) -> frozenset[str]:
        """The purposes that keep something (processing is restricted to them, Art. 18)."""
        return frozenset(i.purpose for i in self.retained if i.purpose is not None)

    def for_source(self, name: str) -> tuple[ErasureItem, ...]:
        """The items of one source."""
        return tuple(i for i in self.items if i.source == name)

    def __str__(self) -> str:
        rows = [("source", "field", "action", "records", "until", "why")]
        for i in self.items:
            until = (
                i.until.date().isoformat()
                if i.until
                else ("-" if i.action is not ErasureAction.RETAIN else "review")
            )
            rows.append(
                (
                    i.source,
                    i.field,
                    i.action.value,
                    str(i.count),
                    until,
                    i.legal_reference or i.reason,
                )
            )
        widths = [max(len(r[c]) for r in rows) for c in range(6)]
        return "\n".join(
            "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip()
            for r in rows
        )

    def render(self, lang: str = "en") -> str:
        """A plain-text answer for the data subject: what goes, what stays until when and why."""
        return render_for_subject(self.items, self.notification, lang)


@attrs.frozen
class _Decision:
    """What the erasure does to one field of a record: the action, until when, and why."""

    action: ErasureAction
    until: datetime | None = None
    legal_reference: str = ""
    reason: str = ""


@attrs.frozen
class _Group:
    """The records of one source whose field gets the same decision: one :class:`ErasureItem`."""

    source: str
    field: str
    purpose: str | None
    decision: _Decision

    def item(self, records: tuple[_Key, ...]) -> ErasureItem:
        """The plan's item for ``records``."""
        d = self.decision
        return ErasureItem(source=self.source, field=self.field, action=d.action, records=records,
                           until=d.until, purpose=self.purpose, legal_reference=d.legal_reference,
                           reason=d.reason)  # fmt: skip


@attrs.frozen
class _Request:
    """What every record of one erasure request is planned under."""

    subject: SubjectRef
    policy: Policy
    facts: Mapping[str, date | datetime | None]
    now: datetime
    inactive_purposes: tuple[str, ...]
    holds: tuple[LegalHold, ...]


@attrs.frozen
class _SourcePlan:
    """One source's part of the plan: its groups, the records deleted whole, erased purposes."""

    groups: tuple[tuple[_Group, tuple[_Key, ...]], ...]
    deleted: tuple[_Key, ...]
    erased_purposes: frozenset[str]


def _decide(verdict: FieldVerdict, policy: Policy, shreddable: bool) -> _Decision:
    """Map a field's retention verdict under an erasure request to an action, until, reference, reason."""
    if verdict.status is Status.HELD:
        return _Decision(
            ErasureAction.RETAIN, None, f"Art. 17(3)(e); {verdict.legal_reference}", verdict.reason
        )
    if verdict.status in (Status.KEEP, Status.UNKNOWN):
        ref = verdict.legal_reference or (
            policy.purpose(verdict.purpose).legal_reference or "" if verdict.purpose else ""
        )
        reason = verdict.reason
        if verdict.status is Status.UNKNOWN:
            reason = "kept until the missing facts are known (never erase on doubt): " + reason
        return _Decision(
            ErasureAction.RETAIN, verdict.expires_at, f"Art. 17(3)(b); {ref}".rstrip("; "), reason
        )
    if verdict.action is Action.ANONYMIZE:
        return _Decision(
            ErasureAction.ANONYMIZE, reason="kept only as anonymous data; " + verdict.reason
        )
    if shreddable:
        return _Decision(
            ErasureAction.SHRED, reason="the subject's key is destroyed (crypto-shredding)"
        )
    return _Decision(ErasureAction.ERASE, reason=verdict.reason)


def _hold_key(key: _Key) -> str | int | None:
    if len(key) == 1 and isinstance(key[0], str | int):
        return key[0]
    return "/".join(str(k) for k in key) if key else None


def _record_decisions(
    record: object, key: _Key, schema: Schema, shreddable: bool, request: _Request
) -> list[tuple[FieldVerdict, _Decision]]:
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
    return planned


def _plan_source(source: ErasableSource, shreddable: bool, request: _Request) -> _SourcePlan:
    """Decide for every personal field of every record the subject has in one source."""
    groups: dict[_Group, list[_Key]] = {}
    deleted: list[_Key] = []
    erased: set[str] = set()
    for record in source.records(request.subject):
        key = source.record_key(record)
        schema = schema_of(record)
        keeps = False
        for v, decision in _record_decisions(record, key, schema, shreddable, request):
            keeps = keeps or decision.action in (ErasureAction.RETAIN, ErasureAction.ANONYMIZE)
            if decision.action is not ErasureAction.RETAIN:
                erased.update(schema.tag(v.field).purposes)
            groups.setdefault(_Group(source.name, v.field, v.purpose, decision), []).append(key)
        if not keeps:
            deleted.append(key)
    return _SourcePlan(
        tuple((g, tuple(keys)) for g, keys in groups.items()), tuple(deleted), frozenset(erased)
    )


def _keep_shared_keys(
    items: tuple[ErasureItem, ...], shreddable_sources: set[str]
) -> tuple[ErasureItem, ...]:
    """SHRED becomes ERASE where a shreddable source also keeps something.

    The subject's one key also encrypts what a shreddable source keeps:
    destroying it would destroy data that Art. 17(3) makes us keep, so those
    fields are erased instead.
    """
    if not any(i.action is ErasureAction.RETAIN and i.source in shreddable_sources for i in items):
        return items
    return tuple(
        attrs.evolve(i, action=ErasureAction.ERASE, reason=_KEY_KEPT)
        if i.action is ErasureAction.SHRED
        else i
        for i in items
    )


def _inactive(policy: Policy) -> tuple[str, ...]:
    """The purposes an erasure request ends: all but Art. 17(3)(b) and anonymized-only ones.

    An anonymized-only purpose stays: anonymous data is no longer personal
    data (Recital 26), so anonymizing satisfies the request as erasing does.
    """
    return tuple(
        p
        for p, v in policy.purposes.items()
        if v.basis not in _RETAINING_BASES and not v.anonymized_only
    )


def plan_erasure(
    subject: SubjectRef,
    sources: Iterable[DataSource],
    policy: Policy,
    facts: Mapping[str, date | datetime | None],
    now: datetime,
    *,
    holds: Iterable[LegalHold] = (),
) -> ErasurePlan:
    """Plan an Art. 17 erasure: everything goes except what Art. 17(3) lets or makes us keep.

    Only purposes whose basis is a legal obligation or public task (Art.
    17(3)(b)) keep counting, and an active legal hold (Art. 17(3)(e)) keeps
    everything it covers; those fields are RETAINed until their retention
    ends. A field whose retention cannot be computed for lack of facts is
    retained for review, never erased on doubt. Every other personal field
    is ERASEd (SHREDded in a source that holds ciphertexts under the
    subject's key, unless such a source retains something: the one key
    protects that too, so it stays), or ANONYMIZEd where its rule says so.
    Recipients to notify (Art. 19) come from the policy: those of every
    purpose something is erased for, each category replaced by the recipients
    named in it; those the policy says cannot be told (impossible,
    disproportionate effort) are listed apart with the reason.
    """
    require_aware(now, "now")
    if not isinstance(subject, SubjectRef):
        raise TypeError("subject must be a SubjectRef")
    request = _Request(subject, policy, facts, now, _inactive(policy), tuple(holds))
    groups: dict[_Group, list[_Key]] = {}
    deletes: list[tuple[str, tuple[_Key, ...]]] = []
    erased_purposes: set[str] = set()
    shreddable_sources: set[str] = set()
    source_list = tuple(sources)
    for source in source_list:
        if not isinstance(source, ErasableSource):
            raise SourceError(f"source {source.name!r} cannot erase (it has no erase/record_key)")
        shreddable = isinstance(source, ShreddableSource) and bool(source.shreddable)
        if shreddable:
            shreddable_sources.add(source.name)
        part = _plan_source(source, shreddable, request)
        for group, keys in part.groups:
            groups.setdefault(group, []).extend(keys)
        deletes.append((source.name, part.deleted))
        erased_purposes |= part.erased_purposes
    items = tuple(group.item(tuple(keys)) for group, keys in groups.items())
    notification = notification_for(policy, sorted(erased_purposes))
    return ErasurePlan(
        subject=subject,
        at=now,
        items=_keep_shared_keys(items, shreddable_sources),
        deletes=tuple(deletes),
        recipients=notification.notified,
        sources=source_list,
        not_notified=notification.not_notified,
    )
