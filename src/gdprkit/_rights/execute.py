"""Carrying out an erasure plan (Art. 17), restricting what stays (Art. 18(2)), auditing it."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

import attrs

from gdprkit._rights.actions import ErasureAction
from gdprkit._rights.anonymous import AnonymizationOutcome
from gdprkit._rights.plan import ErasurePlan
from gdprkit._rights.receipt import ErasureReceipt
from gdprkit._rights.sources import AnonymizingSource, DataSource, ErasableSource, RecordErasure
from gdprkit._util import require_aware

if TYPE_CHECKING:
    from gdprkit._rights.journal import ErasureJournal
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


#: What leaves the record: its value goes, or goes into the anonymous set (never stays as it is).
_REMOVED = (ErasureAction.ERASE, ErasureAction.SHRED, ErasureAction.ANONYMIZE)


def _changes(
    plan: ErasurePlan, name: str, deleted: Iterable[tuple[object, ...]]
) -> list[RecordErasure]:
    """What one source must do: delete the records nothing stays of, NULL the erased fields of the others.

    An ANONYMIZEd field leaves the record too: its anonymous form goes into
    the source's anonymous set, never the value as it was (Recital 26).
    """
    deleted_set = set(deleted)
    anonymized = {k for part in plan.anonymous if part.source == name for k in part.records}
    fields: dict[tuple[object, ...], list[str]] = {}
    for item in plan.for_source(name):
        if item.action in _REMOVED:
            for key in item.records:
                if key not in deleted_set:
                    fields.setdefault(key, []).append(item.field)
    return [RecordErasure(k, delete=True, anonymized=k in anonymized) for k in deleted] + [
        RecordErasure(k, tuple(f), anonymized=k in anonymized) for k, f in fields.items()
    ]


@attrs.frozen
class _Done:
    """What the sources did: records changed, failures (by exception type), anonymous outcomes."""

    changed: tuple[tuple[str, int], ...]
    failed: tuple[tuple[str, str], ...]
    anonymized: tuple[AnonymizationOutcome, ...]


def _erase_source(
    plan: ErasurePlan, name: str, source: ErasableSource, changes: list[RecordErasure]
) -> tuple[int, list[AnonymizationOutcome]]:
    """One source's part: erase, or erase and add the anonymous rows that reach k, at once.

    k is checked against the anonymous set as it is now, not as it was when
    the plan was made; rows whose class stays below k are not written.
    """
    parts = [p for p in plan.anonymous if p.source == name]
    if not parts or not isinstance(source, AnonymizingSource) or not source.keeps_anonymous:
        return source.erase(plan.subject, changes), []
    checks = [(p, p.check(source)) for p in parts]
    count, added = source.anonymize(plan.subject, changes, [p.table(c) for p, c in checks])
    if added == 0 and (count == 0 or any(c.written for _, c in checks)):
        return count, []  # a rerun: the records were anonymized before
    return count, [AnonymizationOutcome.of(p, c) for p, c in checks]


def _erase_everywhere(plan: ErasurePlan, by_name: Mapping[str, DataSource]) -> _Done:
    """Each source erases its part; return what each changed, which failed, what became anonymous."""
    changed: list[tuple[str, int]] = []
    failed: list[tuple[str, str]] = []
    anonymized: list[AnonymizationOutcome] = []
    for name, deleted in plan.deletes:
        source = by_name.get(name)
        if source is None or not isinstance(source, ErasableSource):
            failed.append((name, "source not given"))
            continue
        try:
            count, outcomes = _erase_source(plan, name, source, _changes(plan, name, deleted))
        except Exception as exc:  # reported, never re-raised: the other sources must complete
            failed.append((name, type(exc).__name__))
            continue
        changed.append((name, count))
        anonymized += outcomes
    return _Done(tuple(changed), tuple(failed), tuple(anonymized))


def execute_erasure(
    plan: ErasurePlan,
    sources: Iterable[DataSource] | None = None,
    *,
    at: datetime | None = None,
    audit: AuditLog | None = None,
    ledger: RestrictionLedger | None = None,
    subject_keys: SubjectKeys | None = None,
    journal: ErasureJournal | None = None,
    actor: str = "gdprkit",
) -> ErasureReceipt:
    """Carry out a plan through each source's ``erase``; audit it; return the receipt.

    Idempotent: a second run changes nothing. A source that fails is listed
    in the receipt (by exception type only) while the others complete; a
    rerun finishes the job. ``sources`` defaults to the ones the plan was made
    from. With ``ledger``, what is retained is restricted to the retaining
    purposes (Art. 18(2)); with ``subject_keys``, SHRED items destroy the
    subject's key, and a shred the store could not yet confirm on disk
    (:attr:`~gdprkit.pseudonym.ShredResult.complete`) is listed as
    ``("subject_keys", "ShredIncomplete")`` until a rerun finishes it. With ``journal``, the erasure is journalled (a keyed token
    of the subject, the sources, counts, the time; no personal data), so that
    it can be replayed after a backup of the service's data is restored
    (:func:`~gdprkit.rights.replay_erasures`; Art. 17(1), 5(2)).
    """
    when = require_aware(at if at is not None else plan.at, "at")
    by_name = {s.name: s for s in (plan.sources if sources is None else sources)}
    done = _erase_everywhere(plan, by_name)
    failed = done.failed
    shredded = False
    if plan.by_action(ErasureAction.SHRED) and subject_keys is not None:
        shred = subject_keys.shred(plan.subject.id, at=when)
        shredded = shred.destroyed
        if not shred.complete:  # a reader kept the key in the store's log; a rerun finishes it
            failed = (*failed, ("subject_keys", "ShredIncomplete"))
    if ledger is not None and plan.retained:
        ledger.restrict(
            plan.subject.id,
            allowed_purposes=sorted(plan.retaining_purposes),
            at=when,
            reason="Art. 18(2): kept after erasure only for the purposes of Art. 17(3)",
        )
    receipt = ErasureReceipt(subject=plan.subject, at=when, changed=done.changed,
                             retained=plan.retained, failed=failed, shredded=shredded,
                             recipients=plan.recipients, items=plan.items,
                             not_notified=plan.not_notified,
                             anonymized=done.anonymized + plan.not_anonymized)  # fmt: skip
    _log_erasure(receipt)
    if journal is not None:
        journal.record(plan, receipt)
    if audit is not None:
        audit.record("erasure.executed", at=when, actor=actor, subject=plan.subject.id,
                     details=receipt.counts())  # fmt: skip
    return receipt


def _log_erasure(receipt: ErasureReceipt) -> None:
    """Counts and source names to ``gdprkit.erasure``; a failed source is a warning."""
    log = logging.getLogger("gdprkit.erasure")
    log.info(
        "erasure executed: %d records changed in %d sources, %d fields retained, key shredded: %s",
        receipt.total_changed, len(receipt.changed), len(receipt.retained), receipt.shredded,
    )  # fmt: skip
    for name, error in receipt.failed:
        log.warning("erasure: source %s failed (%s); run the erasure again to finish", name, error)
