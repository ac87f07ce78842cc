"""Erasure (Art. 17) that keeps what the law requires, and rectification (Art. 16)."""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import attrs

from gdprkit._errors import RectificationError, SourceError
from gdprkit._sources import DataSource, RecordErasure, SubjectRef
from gdprkit._util import require_aware
from gdprkit.retention import Action, FieldVerdict, LegalHold, Status, evaluate_object
from gdprkit.tagging import schema_of
from gdprkit.vocab import LegalBasis, Origin

if TYPE_CHECKING:
    from gdprkit.audit import AuditLog
    from gdprkit.policy import Policy, Recipient
    from gdprkit.pseudonym import SubjectKeys

__all__ = [
    "ErasableSource",
    "ErasureAction",
    "ErasureItem",
    "ErasurePlan",
    "ErasureReceipt",
    "execute_erasure",
    "plan_erasure",
    "rectify",
]

#: Bases whose processing survives an erasure request: Art. 17(3)(b).
_RETAINING_BASES = frozenset({LegalBasis.LEGAL_OBLIGATION, LegalBasis.PUBLIC_TASK})


class ErasureAction(enum.Enum):
    """What an erasure does to one field."""

    ERASE = "erase"
    """Delete the value now (the record too when nothing of it stays)."""
    SHRED = "shred"
    """Destroy the subject's key, so every ciphertext of theirs is unreadable."""
    ANONYMIZE = "anonymize"
    """Keep the value only as anonymous data: the record loses every identifier."""
    RETAIN = "retain"
    """Keep it until ``until`` under an Art. 17(3) exception, restricted (Art. 18)."""


@runtime_checkable
class ErasableSource(DataSource, Protocol):
    """A :class:`~gdprkit.rights.DataSource` that can erase record by record."""

    def record_key(self, record: object) -> tuple[object, ...]:
        """The key that identifies ``record`` in this source."""

    def erase(self, subject: SubjectRef, changes: Iterable[RecordErasure]) -> int:
        """Apply the changes; return how many records changed (0 when already done)."""


@attrs.frozen
class ErasureItem:
    """One action for one field of a group of records of one source."""

    source: str
    field: str
    action: ErasureAction
    records: tuple[tuple[object, ...], ...] = attrs.field(repr=False)
    until: datetime | None = None
    purpose: str | None = None
    legal_reference: str = ""
    reason: str = ""

    @property
    def count(self) -> int:
        """How many records the item covers."""
        return len(self.records)


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
        return _render_for_subject(self.items, self.recipients, lang)


@attrs.frozen
class ErasureReceipt:
    """What an erasure did: what went, what stays until when and why, what failed (Art. 17, 19)."""

    subject: SubjectRef
    at: datetime
    changed: tuple[tuple[str, int], ...]
    retained: tuple[ErasureItem, ...]
    failed: tuple[tuple[str, str], ...]
    shredded: bool
    recipients: tuple[Recipient, ...]
    items: tuple[ErasureItem, ...] = attrs.field(repr=False, default=())

    @property
    def complete(self) -> bool:
        """True when every source did its part; a rerun finishes what failed."""
        return not self.failed

    @property
    def total_changed(self) -> int:
        """Records changed by this run (0 on a rerun of a completed erasure)."""
        return sum(n for _, n in self.changed)

    def render(self, lang: str = "en") -> str:
        """The receipt as text that can be sent to the data subject."""
        text = _render_for_subject(self.items, self.recipients, lang)
        if self.failed:
            head = "Ej slutfört för" if lang == "sv" else "Not yet completed for"
            text += f"\n{head}: " + ", ".join(name for name, _ in self.failed) + "\n"
        return text


def _render_for_subject(
    items: Iterable[ErasureItem], recipients: Iterable[Recipient], lang: str
) -> str:
    sv = lang == "sv"
    gone: dict[str, set[str]] = {}
    kept: dict[tuple[str, str, str], set[str]] = {}
    for i in items:
        if i.action is ErasureAction.RETAIN:
            until = (
                i.until.date().isoformat()
                if i.until
                else ("tills vidare" if sv else "until reviewed")
            )
            kept.setdefault((until, i.purpose or "", i.legal_reference or i.reason), set()).add(
                f"{i.source}.{i.field}"
            )
        else:
            gone.setdefault(i.source, set()).add(i.field)
    out = [
        "Radering av personuppgifter (artikel 17)"
        if sv
        else "Erasure of personal data (Article 17)",
        "",
    ]
    out.append("Raderat eller anonymiserat:" if sv else "Erased or anonymised:")
    out += [f"- {src}: {', '.join(sorted(fields))}" for src, fields in sorted(gone.items())] or [
        "- -"
    ]
    out += [
        "",
        "Sparas, med begränsad behandling (artikel 18):"
        if sv
        else "Kept, with processing restricted (Article 18):",
    ]
    for (until, purpose, why), fields in sorted(kept.items()):
        label = "till" if sv else "until"
        out.append(f"- {', '.join(sorted(fields))}: {label} {until}; {purpose}; {why}")
    if not kept:
        out.append("- -")
    names = [r.name.get(lang) for r in recipients]
    if names:
        out += [
            "",
            (
                "Mottagare som underrättas (artikel 19): "
                if sv
                else "Recipients notified (Article 19): "
            )
            + "; ".join(names),
        ]
    return "\n".join(out) + "\n"


_KEY_KEPT = (
    "erased row by row: the subject's key stays, as it also protects data kept under Art. 17(3)"
)


def _item_for(
    verdict: FieldVerdict, policy: Policy, shreddable: bool
) -> tuple[ErasureAction, datetime | None, str, str]:
    """Map a field's retention verdict under an erasure request to an action, until, reference, reason."""
    if verdict.status is Status.HELD:
        return (
            ErasureAction.RETAIN,
            None,
            f"Art. 17(3)(e); {verdict.legal_reference}",
            verdict.reason,
        )
    if verdict.status in (Status.KEEP, Status.UNKNOWN):
        ref = verdict.legal_reference or (
            policy.purpose(verdict.purpose).legal_reference or "" if verdict.purpose else ""
        )
        reason = verdict.reason
        if verdict.status is Status.UNKNOWN:
            reason = "kept until the missing facts are known (never erase on doubt): " + reason
        return (
            ErasureAction.RETAIN,
            verdict.expires_at,
            f"Art. 17(3)(b); {ref}".rstrip("; "),
            reason,
        )
    if verdict.action is Action.ANONYMIZE:
        return ErasureAction.ANONYMIZE, None, "", "kept only as anonymous data; " + verdict.reason
    if shreddable:
        return ErasureAction.SHRED, None, "", "the subject's key is destroyed (crypto-shredding)"
    return ErasureAction.ERASE, None, "", verdict.reason


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
    Recipients to notify (Art. 19) come from the policy.
    """
    require_aware(now, "now")
    if not isinstance(subject, SubjectRef):
        raise TypeError("subject must be a SubjectRef")
    # An anonymized-only purpose stays: anonymous data is no longer personal data
    # (Recital 26), so anonymizing satisfies the request as erasing does.
    inactive = [
        p
        for p, v in policy.purposes.items()
        if v.basis not in _RETAINING_BASES and not v.anonymized_only
    ]
    hold_list = tuple(holds)
    groups: dict[tuple[Any, ...], list[tuple[object, ...]]] = {}
    deletes: list[tuple[str, tuple[tuple[object, ...], ...]]] = []
    erased_purposes: set[str] = set()
    shreddable_sources: set[str] = set()
    source_list = tuple(sources)
    for source in source_list:
        if not isinstance(source, ErasableSource):
            raise SourceError(f"source {source.name!r} cannot erase (it has no erase/record_key)")
        shreddable = bool(getattr(source, "shreddable", False))
        if shreddable:
            shreddable_sources.add(source.name)
        to_delete: list[tuple[object, ...]] = []
        for record in source.records(subject):
            key = source.record_key(record)
            schema = schema_of(record)
            covering = [
                h for h in hold_list if h.applies_to(subject=subject.id, record=_hold_key(key))
            ]
            verdicts = evaluate_object(
                record, facts, now, policy=policy, holds=covering, inactive_purposes=inactive
            )
            planned = [(v, *_item_for(v, policy, shreddable)) for v in verdicts.fields]
            identified = any(
                action is ErasureAction.RETAIN and schema.tag(v.field).identifies
                for v, action, *_ in planned
            )
            keeps = False
            for v, action, until, ref, reason in planned:
                if action is ErasureAction.ANONYMIZE and identified:
                    # the record keeps an identifier: nothing in it is anonymous
                    action = ErasureAction.ERASE
                    reason = "the record keeps an identifier, so nothing in it is anonymous"
                keeps = keeps or action in (ErasureAction.RETAIN, ErasureAction.ANONYMIZE)
                if action is not ErasureAction.RETAIN:
                    erased_purposes.update(schema.tag(v.field).purposes)
                group = (source.name, v.field, action, until, v.purpose, ref, reason)
                groups.setdefault(group, []).append(key)
            if not keeps:
                to_delete.append(key)
        deletes.append((source.name, tuple(to_delete)))
    items = tuple(
        ErasureItem(source=g[0], field=g[1], action=g[2], records=tuple(keys), until=g[3],
                    purpose=g[4], legal_reference=g[5], reason=g[6])
        for g, keys in groups.items()
    )  # fmt: skip
    if any(i.action is ErasureAction.RETAIN and i.source in shreddable_sources for i in items):
        # The subject's one key also encrypts what a shreddable source keeps: destroying it
        # would destroy data that Art. 17(3) makes us keep, so those fields are erased instead.
        items = tuple(
            attrs.evolve(i, action=ErasureAction.ERASE, reason=_KEY_KEPT)
            if i.action is ErasureAction.SHRED
            else i
            for i in items
        )
    recipient_ids = sorted({r for p in erased_purposes for r in policy.purpose(p).recipients})
    return ErasurePlan(
        subject=subject,
        at=now,
        items=items,
        deletes=tuple(deletes),
        recipients=tuple(policy.recipients[r] for r in recipient_ids),
        sources=source_list,
    )


def _hold_key(key: tuple[object, ...]) -> str | int | None:
    if len(key) == 1 and isinstance(key[0], str | int):
        return key[0]
    return "/".join(str(k) for k in key) if key else None


def execute_erasure(
    plan: ErasurePlan,
    sources: Iterable[DataSource] | None = None,
    *,
    at: datetime | None = None,
    audit: AuditLog | None = None,
    ledger: Any = None,
    subject_keys: SubjectKeys | None = None,
    actor: str = "gdprkit",
) -> ErasureReceipt:
    """Carry out a plan through each source's ``erase``; audit it; return the receipt.

    Idempotent: a second run changes nothing. A source that fails is listed
    in the receipt (by exception type only) while the others complete; a
    rerun finishes the job. ``sources`` defaults to the ones the plan was made
    from. With ``ledger``, what is retained is restricted to the retaining
    purposes (Art. 18(2)); with ``subject_keys``, SHRED items destroy the
    subject's key.
    """
    when = require_aware(at if at is not None else plan.at, "at")
    by_name = {s.name: s for s in (plan.sources if sources is None else sources)}
    changed: list[tuple[str, int]] = []
    failed: list[tuple[str, str]] = []
    for name, deleted in plan.deletes:
        source = by_name.get(name)
        if source is None or not isinstance(source, ErasableSource):
            failed.append((name, "source not given"))
            continue
        deleted_set = set(deleted)
        fields: dict[tuple[object, ...], list[str]] = {}
        for item in plan.for_source(name):
            if item.action in (ErasureAction.ERASE, ErasureAction.SHRED):
                for key in item.records:
                    if key not in deleted_set:
                        fields.setdefault(key, []).append(item.field)
        changes = [RecordErasure(k, delete=True) for k in deleted] + [
            RecordErasure(k, tuple(f)) for k, f in fields.items()
        ]
        try:
            changed.append((name, source.erase(plan.subject, changes)))
        except Exception as exc:  # reported, never re-raised: the other sources must complete
            failed.append((name, type(exc).__name__))
    shredded = False
    if plan.by_action(ErasureAction.SHRED) and subject_keys is not None:
        shredded = subject_keys.shred(plan.subject.id, at=when)
    if ledger is not None and plan.retained:
        ledger.restrict(
            plan.subject.id,
            allowed_purposes=sorted(plan.retaining_purposes),
            at=when,
            reason="Art. 18(2): kept after erasure only for the purposes of Art. 17(3)",
        )
    receipt = ErasureReceipt(
        subject=plan.subject,
        at=when,
        changed=tuple(changed),
        retained=plan.retained,
        failed=tuple(failed),
        shredded=shredded,
        recipients=plan.recipients,
        items=plan.items,
    )
    if audit is not None:
        audit.record(
            "erasure.executed",
            at=when,
            actor=actor,
            subject=plan.subject.id,
            details={
                "changed": dict(changed),
                "failed": [n for n, _ in failed],
                "retained_until": sorted({i.until.isoformat() for i in plan.retained if i.until}),
                "shredded": shredded,
                "complete": receipt.complete,
            },
        )
    return receipt


# -- rectification (Art. 16) ------------------------------------------------------------


def _type_ok(value: object, hint: Any) -> bool:
    if hint is None or hint is Any:
        return True
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_type_ok(value, a) for a in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is date:
        return isinstance(value, date) and not isinstance(value, datetime)
    if hint is datetime:
        return isinstance(value, datetime) and value.tzinfo is not None
    if hint is Decimal:
        return isinstance(value, Decimal)
    if isinstance(hint, type):
        return isinstance(value, hint)
    return True


def rectify(
    subject: SubjectRef,
    source: DataSource,
    changes: Mapping[str, object],
    *,
    at: datetime,
    key: Iterable[object] | None = None,
    audit: AuditLog | None = None,
    actor: str = "gdprkit",
) -> int:
    """Correct or complete a subject's personal data in one source (GDPR Art. 16).

    Each change is checked against the tagged schema: an unknown field, a
    field that is not personal data, a DERIVED field (rectified by
    recomputing it, not by editing) or a value of the wrong type raises
    :class:`~gdprkit.RectificationError` naming the field, never the value.
    The audit entry names the fields, never the old or the new value.
    Returns the number of records changed.
    """
    require_aware(at, "at")
    if not changes:
        raise RectificationError("no changes given")
    (schema,) = source.schemas
    hints = typing.get_type_hints(schema.model)
    tagged = {f.name: f.tag for f in schema.fields}
    subject_field = getattr(source, "subject_field", None) or schema.subject_id_field
    for field, value in changes.items():
        if field not in schema.all_fields:
            raise RectificationError(f"{schema.name} has no field {field!r}")
        if field == subject_field:
            raise RectificationError(
                f"{schema.name}.{field} holds whose records these are; changing it would move "
                "them to another subject, which is not a rectification"
            )
        tag = tagged.get(field)
        if tag is None:
            raise RectificationError(f"{schema.name}.{field} is not personal data of the subject")
        if tag.origin is Origin.DERIVED:
            raise RectificationError(
                f"{schema.name}.{field} is derived by the controller; correct its inputs and "
                "recompute it instead"
            )
        if not _type_ok(value, hints.get(field)):
            expected = getattr(hints.get(field), "__name__", str(hints.get(field)))
            raise RectificationError(
                f"{schema.name}.{field} expects {expected}, got {type(value).__name__}"
            )
    rectifier = getattr(source, "rectify", None)
    if rectifier is None:
        raise SourceError(f"source {source.name!r} cannot rectify")
    count = int(rectifier(subject, dict(changes), key=key))
    if audit is not None:
        audit.record(
            "rectification.applied",
            at=at,
            actor=actor,
            subject=subject.id,
            details={"source": source.name, "fields": sorted(changes), "records": count},
        )
    return count
