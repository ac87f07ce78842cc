"""Replaying erasures after a restore: every erasure since the restore point, again, as of now.

A service database restored from a backup taken before some erasures holds
the erased people's data again; the erasures must be done again (Art. 17(1):
"without undue delay"; Art. 5(2) accountability). :func:`replay_erasures`
re-runs, in the order they were executed, the erasures the journal holds
after the restore point. Each is planned afresh as of now: retention and
legal holds decide as they stand today (a hold placed since is honoured; a
retention period that ended since lets more go). Running it again changes
nothing, and every replay is audited.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import attrs

from gdprkit._rights.actions import ErasureAction
from gdprkit._rights.execute import RestrictionLedger, execute_erasure
from gdprkit._rights.journal import ErasureJournal, JournalEntry
from gdprkit._rights.plan import plan_erasure
from gdprkit._rights.sources import DataSource, SubjectRef
from gdprkit._util import require_aware

if TYPE_CHECKING:
    from gdprkit._anonymize.forms import AnonymousForm
    from gdprkit.audit import AuditLog
    from gdprkit.policy import Policy
    from gdprkit.pseudonym import SubjectKeys
    from gdprkit.retention import LegalHold

__all__ = ["ReplayReport", "ReplayedErasure", "replay_erasures"]

Facts = Mapping[str, date | datetime | None]


@attrs.frozen
class ReplayedErasure:
    """One journal entry replayed: found or not, and what changed (or would, in a dry run).

    ``changes`` counts, per source, the records that changed (or would);
    ``shred`` says whether the subject's key was (or would be) destroyed now.
    """

    entry: JournalEntry
    found: bool
    changes: tuple[tuple[str, int], ...] = ()
    shred: bool = False
    failed: tuple[tuple[str, str], ...] = ()

    @property
    def changed(self) -> int:
        """Records changed (or that would change) in all sources."""
        return sum(n for _, n in self.changes)


@attrs.frozen
class ReplayReport:
    """What a replay did (or, with ``dry_run``, would do) for every erasure since ``since``."""

    since: datetime
    at: datetime
    dry_run: bool
    erasures: tuple[ReplayedErasure, ...]

    @property
    def changed(self) -> int:
        """Records changed (or that would change) by the whole replay; 0 when all was done."""
        return sum(r.changed for r in self.erasures)

    @property
    def not_found(self) -> tuple[JournalEntry, ...]:
        """Entries whose subject the restored data (or the journal) could not name."""
        return tuple(r.entry for r in self.erasures if not r.found)

    def __str__(self) -> str:
        verb = "would change" if self.dry_run else "changed"
        lines = [f"{len(self.erasures)} erasures executed after {self.since.isoformat()}"]
        for r in self.erasures:
            head = f"#{r.entry.seq} {r.entry.executed_at.isoformat()} {r.entry.subject_kind}"
            if not r.found:
                lines.append(f"{head}: subject not found in the restored data")
                continue
            what = ", ".join(f"{name} {n}" for name, n in r.changes if n) or "nothing"
            shred = "; shreds the key" if r.shred else ""
            failed = "; failed: " + ", ".join(n for n, _ in r.failed) if r.failed else ""
            lines.append(f"{head}: {verb} {what}{shred}{failed}")
        lines.append(f"records {verb}: {self.changed}")
        return "\n".join(lines)


@attrs.frozen
class _Replay:
    """What every entry is replayed with."""

    sources: tuple[DataSource, ...]
    policy: Policy
    now: datetime
    facts: Callable[[SubjectRef], Facts]
    holds: tuple[LegalHold, ...]
    forms: Mapping[str, AnonymousForm] | None


def _replay_one(
    entry: JournalEntry,
    subject: SubjectRef,
    replay: _Replay,
    *,
    dry_run: bool,
    execute: Mapping[str, Any],
) -> ReplayedErasure:
    """Plan the erasure of ``subject`` as of now and carry it out (unless a dry run)."""
    plan = plan_erasure(subject, replay.sources, replay.policy, replay.facts(subject),
                        replay.now, holds=replay.holds, forms=replay.forms)  # fmt: skip
    shreds = bool(plan.by_action(ErasureAction.SHRED))
    keys: SubjectKeys | None = execute.get("subject_keys")
    would_shred = shreds and keys is not None and not keys.is_shredded(subject.id)
    if dry_run:
        return ReplayedErasure(entry, True, plan.pending, would_shred)
    receipt = execute_erasure(plan, at=replay.now, **execute)
    return ReplayedErasure(entry, True, receipt.changed, receipt.shredded, receipt.failed)


def replay_erasures(
    sources: Iterable[DataSource],
    policy: Policy,
    *,
    since: datetime,
    now: datetime,
    journal: ErasureJournal,
    entries: Iterable[JournalEntry] | None = None,
    candidates: Iterable[SubjectRef] = (),
    facts: Callable[[SubjectRef], Facts] | None = None,
    holds: Iterable[LegalHold] = (),
    forms: Mapping[str, AnonymousForm] | None = None,
    dry_run: bool = False,
    audit: AuditLog | None = None,
    ledger: RestrictionLedger | None = None,
    subject_keys: SubjectKeys | None = None,
    actor: str = "gdprkit.replay",
) -> ReplayReport:
    """Re-run every erasure executed after ``since`` (the restore point), in order, as of ``now``.

    The entries come from ``journal`` (or ``entries``, read from an exported
    file with :func:`read_journal`). Each subject is found again by its
    sealed id where the journal keeps it, else among ``candidates``: the
    subjects the restored data holds, compared by their keyed tokens. Each
    erasure is planned afresh with ``facts(subject)``, ``holds`` and the
    policy as they stand ``now`` (Art. 17(3) is honoured as of today, not as of
    the first erasure), and carried out through ``sources``; with
    ``subject_keys`` a crypto-shred is repeated too (a no-op for a key
    already destroyed). Idempotent: a second replay changes nothing. Each
    replayed entry is audited as ``erasure.replayed`` (with ``audit``);
    ``dry_run`` changes nothing and reports, per entry and source, how many
    records would change. An entry whose subject cannot be found is reported,
    never guessed.
    """
    require_aware(since, "since")
    require_aware(now, "now")
    replay = _Replay(tuple(sources), policy, now, facts or (lambda _: {}), tuple(holds), forms)
    todo = list(journal.entries(since=since) if entries is None else entries)
    todo = sorted((e for e in todo if e.executed_at > since), key=lambda e: (e.executed_at, e.seq))
    by_token = journal.tokens_of(candidates) if any(e.sealed_subject is None for e in todo) else {}
    execute = {"ledger": ledger, "subject_keys": subject_keys, "actor": actor}
    done = []
    for entry in todo:
        subject = journal.find(entry, by_token)
        if subject is None:
            done.append(ReplayedErasure(entry, False))
            continue
        result = _replay_one(entry, subject, replay, dry_run=dry_run, execute=execute)
        done.append(result)
        if audit is not None and not dry_run:
            audit.record("erasure.replayed", at=now, actor=actor, subject=subject.id,
                         details={"journal_seq": entry.seq,
                                  "executed_at": entry.executed_at.isoformat(),
                                  "changed": dict(result.changes), "shredded": result.shred,
                                  "failed": [n for n, _ in result.failed]})  # fmt: skip
    return ReplayReport(since, now, dry_run, tuple(done))
