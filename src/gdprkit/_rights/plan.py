"""Planning an erasure (Art. 17): everything goes except what Art. 17(3) lets or makes us keep."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Final

import attrs

from gdprkit._errors import SourceError
from gdprkit._rights.actions import ErasureAction, ErasureItem
from gdprkit._rights.anonymous import AnonymizationOutcome, AnonymousPart, forms_of, outcome_lines
from gdprkit._rights.decide import Decision, RecordPlan, Request, record_decisions
from gdprkit._rights.receipt import render_for_subject
from gdprkit._rights.recipients import RecipientNotification, notification_for
from gdprkit._rights.sources import (
    DataSource,
    ErasableSource,
    ShreddableSource,
    SubjectRef,
)
from gdprkit._util import require_aware
from gdprkit.retention import LegalHold
from gdprkit.tagging import schema_of
from gdprkit.vocab import LegalBasis

if TYPE_CHECKING:
    from gdprkit._anonymize.forms import AnonymousForm
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
    it to :func:`execute_erasure`. ``anonymous`` holds, per source and record
    kind, the anonymous form the ANONYMIZE items become (its rows and the k
    they reach now); ``not_anonymized`` the records an anonymized-only purpose
    would keep that are erased instead, and why (Recital 26).
    """

    subject: SubjectRef
    at: datetime
    items: tuple[ErasureItem, ...]
    deletes: tuple[tuple[str, tuple[tuple[object, ...], ...]], ...] = attrs.field(repr=False)
    recipients: tuple[Recipient, ...] = ()
    sources: tuple[DataSource, ...] = attrs.field(default=(), eq=False, repr=False)
    not_notified: tuple[Recipient, ...] = ()
    anonymous: tuple[AnonymousPart, ...] = ()
    not_anonymized: tuple[AnonymizationOutcome, ...] = ()
    #: Per source, how many records the plan would change: those still there to delete, or
    #: holding a value it removes (0 everywhere once the erasure was carried out).
    pending: tuple[tuple[str, int], ...] = ()
    policy_version: str = ""

    @property
    def anonymization(self) -> tuple[AnonymizationOutcome, ...]:
        """What the plan keeps as anonymous data (as the sets stand now) and what it erases instead."""
        previews = tuple(
            AnonymizationOutcome.of(p, p.preview) for p in self.anonymous if p.preview is not None
        )
        return previews + self.not_anonymized

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
        lines = [
            "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip()
            for r in rows
        ]
        if self.anonymous:
            lines += [
                "",
                "anonymous forms (Recital 26):",
                *(f"  {p.line()}" for p in self.anonymous),
            ]
        if self.not_anonymized:
            lines += ["", "erased instead of anonymised:"]
            lines += [f"  {o.source} ({o.kind}, {o.purpose}): {o.records} records: "
                      f"{o.reason.words if o.reason else ''}" for o in self.not_anonymized]  # fmt: skip
        return "\n".join(lines)

    def render(self, lang: str = "en") -> str:
        """A plain-text answer for the data subject: what goes, what stays until when and why."""
        text = render_for_subject(self.items, self.notification, lang)
        return text + "".join(line + "\n" for line in outcome_lines(self.anonymization, lang))


@attrs.frozen
class _Group:
    """The records of one source whose field gets the same decision: one :class:`ErasureItem`."""

    source: str
    field: str
    purpose: str | None
    decision: Decision

    def item(self, records: tuple[_Key, ...]) -> ErasureItem:
        """The plan's item for ``records``."""
        d = self.decision
        return ErasureItem(source=self.source, field=self.field, action=d.action, records=records,
                           until=d.until, purpose=self.purpose, legal_reference=d.legal_reference,
                           reason=d.reason)  # fmt: skip


@attrs.frozen
class _SourcePlan:
    """One source's part of the plan: its groups, the records deleted whole, erased purposes,
    and what it keeps as anonymous data or erases instead."""

    groups: tuple[tuple[_Group, tuple[_Key, ...]], ...]
    deleted: tuple[_Key, ...]
    erased_purposes: frozenset[str]
    anonymous: tuple[AnonymousPart, ...] = ()
    not_anonymized: tuple[AnonymizationOutcome, ...] = ()
    pending: int = 0


class _Anonymous:
    """What one source's records give its anonymous forms while the source is planned."""

    def __init__(self, source: ErasableSource, request: Request) -> None:
        self.source = source
        self.request = request
        self.inputs: dict[tuple[str, str], tuple[list[_Key], list[dict[str, object]]]] = {}
        self.erased: dict[tuple[str, str, object], int] = {}

    def add(self, key: _Key, kind: str, plan: RecordPlan) -> None:
        """Take one record's part: its fields for each form, or a count of why it was erased."""
        for purpose, values in plan.anonymous.items():
            keys, rows = self.inputs.setdefault((purpose, kind), ([], []))
            keys.append(key)
            rows.append(values)
        for purpose, why in plan.not_anonymous.items():
            self.erased[(purpose, kind, why)] = self.erased.get((purpose, kind, why), 0) + 1

    def parts(self) -> tuple[AnonymousPart, ...]:
        """The anonymous form of each (purpose, kind), its rows, and the k they reach now."""
        out = []
        for (purpose, kind), (keys, values) in self.inputs.items():
            form: AnonymousForm = self.request.forms[(purpose, kind)]
            part = AnonymousPart(self.source.name, kind, purpose, form, tuple(keys),
                                 tuple(form.rows(values)))  # fmt: skip
            out.append(attrs.evolve(part, preview=part.check(self.source)))
        return tuple(out)

    def not_anonymized(self) -> tuple[AnonymizationOutcome, ...]:
        """The records erased instead of anonymised, counted per purpose, kind and reason."""
        return tuple(
            AnonymizationOutcome(self.source.name, kind, purpose, n, reason=why)  # type: ignore[arg-type]
            for (purpose, kind, why), n in self.erased.items()
        )


def _plan_source(source: ErasableSource, shreddable: bool, request: Request) -> _SourcePlan:
    """Decide for every personal field of every record the subject has in one source."""
    groups: dict[_Group, list[_Key]] = {}
    deleted: list[_Key] = []
    erased: set[str] = set()
    anonymous = _Anonymous(source, request)
    pending = 0
    for record in source.records(request.subject):
        key = source.record_key(record)
        schema = schema_of(record)
        planned = record_decisions(record, key, schema, source, shreddable, request)
        anonymous.add(key, schema.name, planned)
        keeps = changes = False
        for v, decision in planned.decisions:
            keeps = keeps or decision.action is ErasureAction.RETAIN
            if decision.action is not ErasureAction.RETAIN:
                erased.update(schema.tag(v.field).purposes)
                changes = changes or getattr(record, v.field) is not None
            groups.setdefault(_Group(source.name, v.field, v.purpose, decision), []).append(key)
        if not keeps:
            deleted.append(key)
        pending += not keeps or changes
    return _SourcePlan(
        tuple((g, tuple(keys)) for g, keys in groups.items()),
        tuple(deleted),
        frozenset(erased),
        anonymous.parts(),
        anonymous.not_anonymized(),
        pending,
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


def _items(parts: Iterable[_SourcePlan]) -> tuple[ErasureItem, ...]:
    """One item per group of records that get the same decision, over every source's part."""
    groups: dict[_Group, list[_Key]] = {}
    for group, keys in (g for part in parts for g in part.groups):
        groups.setdefault(group, []).extend(keys)
    return tuple(group.item(tuple(keys)) for group, keys in groups.items())


def _shreddable(source: DataSource) -> bool:
    """Whether ``source`` may be planned for; a shreddable one holds ciphertexts under the key."""
    if not isinstance(source, ErasableSource):
        raise SourceError(f"source {source.name!r} cannot erase (it has no erase/record_key)")
    return isinstance(source, ShreddableSource) and bool(source.shreddable)


def plan_erasure(
    subject: SubjectRef,
    sources: Iterable[DataSource],
    policy: Policy,
    facts: Mapping[str, date | datetime | None],
    now: datetime,
    *,
    holds: Iterable[LegalHold] = (),
    forms: Mapping[str, AnonymousForm] | None = None,
) -> ErasurePlan:
    """Plan an Art. 17 erasure: everything goes except what Art. 17(3) lets or makes us keep.

    Only purposes whose basis is a legal obligation or public task (Art.
    17(3)(b)) keep counting, and an active legal hold (Art. 17(3)(e)) keeps
    everything it covers; those fields are RETAINed until their retention
    ends. A field whose retention cannot be computed for lack of facts is
    retained for review, never erased on doubt. Every other personal field
    is ERASEd (SHREDded in a source that holds ciphertexts under the
    subject's key, unless such a source retains something: the one key
    protects that too, so it stays).

    A field an anonymized-only purpose keeps is ANONYMIZEd only where that
    purpose declares the record kind's anonymous form (in the policy, or
    ``forms`` by record kind) and the source keeps an anonymous set
    (:class:`~gdprkit.rights.AnonymizingSource`); the plan holds the form's
    rows and the k they reach now (:attr:`ErasurePlan.anonymous`). Otherwise
    it is erased: removing identifiers is not anonymisation (Recital 26;
    WP216), and :attr:`ErasurePlan.not_anonymized` says why.

    Recipients to notify (Art. 19) come from the policy: those of every
    purpose something is erased for, each category replaced by the recipients
    named in it; those the policy says cannot be told (impossible,
    disproportionate effort) are listed apart with the reason.
    """
    require_aware(now, "now")
    if not isinstance(subject, SubjectRef):
        raise TypeError("subject must be a SubjectRef")
    request = Request(subject, policy, facts, now, _inactive(policy), tuple(holds),
                      forms_of(policy, forms))  # fmt: skip
    source_list = tuple(sources)
    parts = [(s, shred, _plan_source(s, shred, request))  # type: ignore[arg-type]
             for s, shred in [(s, _shreddable(s)) for s in source_list]]  # fmt: skip
    notification = notification_for(
        policy, sorted({p for *_, pt in parts for p in pt.erased_purposes})
    )
    return ErasurePlan(
        subject=subject,
        at=now,
        items=_keep_shared_keys(_items(p for *_, p in parts), {s.name for s, sh, _ in parts if sh}),
        deletes=tuple((s.name, part.deleted) for s, _, part in parts),
        recipients=notification.notified,
        sources=source_list,
        not_notified=notification.not_notified,
        anonymous=tuple(a for _, _, part in parts for a in part.anonymous),
        not_anonymized=tuple(o for _, _, part in parts for o in part.not_anonymized),
        pending=tuple((s.name, part.pending) for s, _, part in parts),
        policy_version=policy.version,
    )
