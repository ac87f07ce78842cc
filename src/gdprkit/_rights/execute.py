"""Carrying out an erasure plan (Art. 17), restricting what stays (Art. 18(2)), auditing it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from gdprkit._rights.actions import ErasureAction
from gdprkit._rights.plan import ErasurePlan
from gdprkit._rights.receipt import ErasureReceipt
from gdprkit._rights.sources import DataSource, ErasableSource, RecordErasure
from gdprkit._util import require_aware

if TYPE_CHECKING:
    from gdprkit.audit import AuditLog
    from gdprkit.pseudonym import SubjectKeys

__all__ = ["RestrictionLedger", "execute_erasure"]


class RestrictionLedger(Protocol):
    """What :func:`execute_erasure` needs of a ledger: to record an Art. 18 restriction.

    :class:`gdprkit.consent.Ledger` is one; what an erasure keeps under Art.
    17(3) may then be processed only for the purposes that keep it (Art. 18(2)).
    """

    def restrict(
        self, subject: str, *, allowed_purposes: Iterable[str], at: datetime, reason: str
    ) -> object:
        """Restrict processing of the subject's data to ``allowed_purposes`` from ``at``."""


def _changes(
    plan: ErasurePlan, name: str, deleted: Iterable[tuple[object, ...]]
) -> list[RecordErasure]:
    """What one source must do: delete the records nothing stays of, NULL the erased fields of the others."""
    deleted_set = set(deleted)
    fields: dict[tuple[object, ...], list[str]] = {}
    for item in plan.for_source(name):
        if item.action in (ErasureAction.ERASE, ErasureAction.SHRED):
            for key in item.records:
                if key not in deleted_set:
                    fields.setdefault(key, []).append(item.field)
    return [RecordErasure(k, delete=True) for k in deleted] + [
        RecordErasure(k, tuple(f)) for k, f in fields.items()
    ]


def _erase_everywhere(
    plan: ErasurePlan, by_name: Mapping[str, DataSource]
) -> tuple[tuple[tuple[str, int], ...], tuple[tuple[str, str], ...]]:
    """Each source erases its part; return what each changed, and which failed (by exception type)."""
    changed: list[tuple[str, int]] = []
    failed: list[tuple[str, str]] = []
    for name, deleted in plan.deletes:
        source = by_name.get(name)
        if source is None or not isinstance(source, ErasableSource):
            failed.append((name, "source not given"))
            continue
        changes = _changes(plan, name, deleted)
        try:
            changed.append((name, source.erase(plan.subject, changes)))
        except Exception as exc:  # reported, never re-raised: the other sources must complete
            failed.append((name, type(exc).__name__))
    return tuple(changed), tuple(failed)


def execute_erasure(
    plan: ErasurePlan,
    sources: Iterable[DataSource] | None = None,
    *,
    at: datetime | None = None,
    audit: AuditLog | None = None,
    ledger: RestrictionLedger | None = None,
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
    changed, failed = _erase_everywhere(plan, by_name)
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
    receipt = ErasureReceipt(subject=plan.subject, at=when, changed=changed,
                             retained=plan.retained, failed=failed, shredded=shredded,
                             recipients=plan.recipients, items=plan.items,
                             not_notified=plan.not_notified)  # fmt: skip
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
