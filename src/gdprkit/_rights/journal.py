"""The erasure journal: every executed erasure, kept where a restore of the service does not reach.

A backup taken before an erasure still holds the erased person's data; when
the service's database is restored from it, the data comes back, and the
controller must erase it again without undue delay (Art. 17(1); Art. 5(1)(e),
5(2)). The journal lets it do so: each executed erasure is an entry in the
gdprkit store (which lives apart from the service's data and is not rolled
back with it) and can be exported to a file kept apart from both.

An entry holds no personal data in the clear: the subject appears as a keyed
token of their id (domain ``gdprkit/erasure-journal``), the rest is source
names, counts, dates and the policy version. Finding the subject again after
a restore takes either the restored data itself (``candidates``: the token of
each id there is compared, so the journal needs nothing reversible), or, where
the controller chose ``seal_subjects=True``, the id sealed (AES-SIV) under the
journal's keyring: reversible only with that key, and dropped by
:meth:`ErasureJournal.forget_subjects` once no backup older than the erasure
is kept. ``docs/howto/restore-backup.md`` weighs the two against Art. 17.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs

from gdprkit._errors import JournalError
from gdprkit._rights.journal_file import JournalWriter, journal_lines
from gdprkit._rights.sources import SubjectRef
from gdprkit._rights.staging import (
    check_destination,
    clean_stale_exports,
    create_staging,
    discard,
)
from gdprkit._util import FrozenMap, require_aware, utc_stamp
from gdprkit.store._decode import stored_json, stored_texts, stored_time

if TYPE_CHECKING:
    from gdprkit._rights.plan import ErasurePlan
    from gdprkit._rights.receipt import ErasureReceipt
    from gdprkit.pseudonym import Keyring
    from gdprkit.store import Store

__all__ = ["ErasureJournal", "JournalEntry", "read_journal", "read_journal_file"]

#: The pseudonymization domain of the journal's tokens and sealed ids.
DOMAIN: Final = "gdprkit/erasure-journal"

_TABLE: Final = "erasure_journal"
_COLUMNS: Final = (
    "seq, executed_at, subject_kind, subject_token, sealed_subject, sources, summary, "
    "policy_version"
)


def _frozen_summary(value: Mapping[str, Any]) -> Mapping[str, Any]:
    """The summary frozen at the top: an entry is a value (its JSON lists stay as read)."""
    return value if isinstance(value, FrozenMap) else FrozenMap(value)


@attrs.frozen
class JournalEntry:
    """One executed erasure: when, whose (a keyed token), where, and what it did in counts.

    ``sealed_subject`` is the subject sealed under the journal's keyring, if
    the journal keeps it (never shown in the repr); ``summary`` holds counts
    per source and action, retention ends and whether the key was shredded.
    """

    seq: int
    executed_at: datetime
    subject_kind: str
    subject_token: str
    sources: tuple[str, ...]
    summary: Mapping[str, Any] = attrs.field(eq=False, converter=_frozen_summary)
    policy_version: str = ""
    sealed_subject: str | None = attrs.field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The entry as one JSON object of an exported journal."""
        return {
            "seq": self.seq,
            "executed_at": utc_stamp(self.executed_at),
            "subject_kind": self.subject_kind,
            "subject_token": self.subject_token,
            "sealed_subject": self.sealed_subject,
            "sources": list(self.sources),
            "summary": dict(self.summary),
            "policy_version": self.policy_version,
        }

    @classmethod
    def from_dict(cls, data: object, where: str = "entry") -> JournalEntry:
        """An entry read back; a malformed one raises :class:`~gdprkit.JournalError` naming it."""
        try:
            if not isinstance(data, Mapping):
                raise TypeError
            at = datetime.fromisoformat(str(data["executed_at"]))
            sources = data["sources"]
            summary = data["summary"]
            if at.tzinfo is None or not isinstance(sources, list) or not isinstance(summary, dict):
                raise TypeError
            entry = cls(int(data["seq"]), at, str(data["subject_kind"]),
                        str(data["subject_token"]), tuple(str(s) for s in sources), summary,
                        str(data.get("policy_version") or ""),
                        None if data.get("sealed_subject") is None else str(data["sealed_subject"]))  # fmt: skip
        except (KeyError, TypeError, ValueError):
            raise JournalError(f"{where} is not a journal entry") from None
        return entry


def _stored_entry(
    seq: int, at: object, kind: str, token: str, sealed: str | None, sources: object,
    summary: object, version: str,
) -> JournalEntry:  # fmt: skip
    """An ``erasure_journal`` row as an entry, each decoded column checked."""
    return JournalEntry(
        int(seq),
        stored_time(at, None, _TABLE, "executed_at", seq),
        kind,
        token,
        stored_texts(sources, _TABLE, "sources", seq),
        stored_json(summary, dict, _TABLE, "summary", seq),
        version,
        sealed,
    )


def _summary(plan: ErasurePlan, receipt: ErasureReceipt) -> dict[str, Any]:
    """What the erasure did, in counts: no value, no identifier.

    ``actions`` counts (field, record) pairs per source and action, as the
    plan's items do; ``changed`` the records each source changed.
    """
    actions: dict[str, dict[str, int]] = {}
    for item in plan.items:
        per = actions.setdefault(item.source, {})
        per[item.action.value] = per.get(item.action.value, 0) + item.count
    return {"actions": actions, **receipt.counts()}


class ErasureJournal:
    """The erasure journal in a gdprkit store: append, read, export, forget sealed ids.

    ``keyring`` makes the tokens (and seals the ids, with ``seal_subjects``);
    at rest it is wrapped by a key-encryption key kept outside the store
    (:class:`~gdprkit.pseudonym.Kek`). Reading needs no keyring; recording,
    exporting (the file is MACed under it) and finding subjects again do.
    """

    __slots__ = ("_keyring", "_seal", "_store")

    def __init__(
        self, store: Store, *, keyring: Keyring | None = None, seal_subjects: bool = False
    ) -> None:
        from gdprkit.store import check_store

        self._store = check_store(store)
        self._keyring = keyring
        self._seal = bool(seal_subjects)
        if self._seal and keyring is None:
            raise TypeError("seal_subjects=True needs the keyring that seals them")

    def __repr__(self) -> str:
        return f"<ErasureJournal in {self._store!r}>"

    @property
    def keyring(self) -> Keyring:
        """The journal's keyring; :class:`TypeError` when it was opened without one."""
        if self._keyring is None:
            raise TypeError(
                "this ErasureJournal has no keyring; pass keyring= to record, export or find"
            )
        return self._keyring

    def token(self, subject_id: str) -> str:
        """The keyed token that stands for ``subject_id`` in the journal."""
        from gdprkit.pseudonym import Pseudonymizer

        return Pseudonymizer(self.keyring, domain=DOMAIN).token(subject_id)

    def record(self, plan: ErasurePlan, receipt: ErasureReceipt) -> JournalEntry:
        """Append the erasure ``receipt`` reports (planned as ``plan``); return its entry."""
        subject = plan.subject
        sealed = None
        if self._seal:
            from gdprkit.pseudonym import Sealer

            body = json.dumps({"id": subject.id, "aliases": dict(subject.aliases)}, sort_keys=True)
            sealed = Sealer(self.keyring, domain=DOMAIN).seal(body)
        sources = tuple(name for name, _ in plan.deletes)
        summary = _summary(plan, receipt)
        stamp = utc_stamp(require_aware(receipt.at, "at"))
        token = self.token(subject.id)
        with self._store.transaction() as conn:
            conn.execute(
                "INSERT INTO erasure_journal (executed_at, subject_kind, subject_token,"
                " sealed_subject, sources, summary, policy_version) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (stamp, subject.kind, token, sealed, json.dumps(list(sources)),
                 json.dumps(summary, sort_keys=True), plan.policy_version),
            )  # fmt: skip
            seq = conn.execute("SELECT max(seq) FROM erasure_journal").fetchone()[0]
        return JournalEntry(int(seq), datetime.fromisoformat(stamp), subject.kind, token,
                            sources, summary, plan.policy_version, sealed)  # fmt: skip

    def entries(self, *, since: datetime | None = None) -> Iterator[JournalEntry]:
        """The entries in the order the erasures were executed (those after ``since``)."""
        sql = f"SELECT {_COLUMNS} FROM erasure_journal"
        params: tuple[str, ...] = ()
        if since is not None:
            sql += " WHERE executed_at > ?"
            params = (utc_stamp(require_aware(since, "since")),)
        for row in self._store.query(sql + " ORDER BY executed_at, seq", params):
            yield _stored_entry(*row)

    def export(self, path: str | os.PathLike[str], *, since: datetime | None = None) -> int:
        """Write the entries (after ``since``) to a JSON Lines file; return how many.

        The first line names the format and the key; each further line is one
        entry, and a closing line gives the count. Each line carries an
        HMAC-SHA256 under a key derived from the journal's keyring, chained to
        the line before, so :func:`~gdprkit.rights.read_journal` refuses a file
        in which an erasure was removed, changed or reordered (Art. 17(1),
        32(1)(b) GDPR). The file holds tokens and, where kept, sealed ids, so
        it is written as an export package is
        (:func:`~gdprkit.rights.export_subject`): a ``path`` that cannot take
        it (a folder) is an :class:`~gdprkit.ExportPathError`, and it goes to a
        new staging file beside ``path``, readable by its owner only and never
        one that was already there, renamed into place when complete and
        removed on any error.
        """
        keyring = self.keyring
        target = check_destination(Path(path))
        clean_stale_exports(target.parent, destination=target.name)
        fd, staging = create_staging(target)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                writer = JournalWriter(out, keyring)
                for entry in self.entries(since=since):
                    writer.entry(entry.to_dict())
                count = writer.close()
                out.flush()
                if os.name == "posix":
                    os.replace(staging, target)  # while its lock is held: no cleanup takes it
            if os.name != "posix":
                os.replace(staging, target)  # Windows renames no open file
        except BaseException:
            discard(staging)
            raise
        return count

    def forget_subjects(self, *, before: datetime) -> int:
        """Drop the sealed ids of erasures executed before ``before``; return how many.

        Call it with the time of the oldest backup still kept: an erasure older
        than every backup can no longer come back, so what finds its subject
        again is no longer needed (Art. 5(1)(c), (e)). The token and the counts
        stay as evidence that the erasure was done (Art. 5(2)).
        """
        stamp = utc_stamp(require_aware(before, "before"))
        with self._store.transaction() as conn:
            cursor = conn.execute(
                "UPDATE erasure_journal SET sealed_subject = NULL"
                " WHERE executed_at < ? AND sealed_subject IS NOT NULL",
                (stamp,),
            )
            forgotten = max(int(cursor.rowcount), 0)
        if forgotten:
            self._store.checkpoint()
        return forgotten

    def find(self, entry: JournalEntry, candidates: Mapping[str, SubjectRef]) -> SubjectRef | None:
        """The subject ``entry`` erased: unsealed, or the candidate whose id has its token.

        ``candidates`` maps tokens (:meth:`token`) to the subjects the restored
        data holds; a token made under an older key is matched one by one.
        """
        if entry.sealed_subject is not None:
            from gdprkit.pseudonym import Sealer

            body = json.loads(Sealer(self.keyring, domain=DOMAIN).unseal(entry.sealed_subject))
            return SubjectRef(entry.subject_kind, body["id"], aliases=body["aliases"])
        found = candidates.get(entry.subject_token)
        if found is not None:
            return found
        from gdprkit.pseudonym import Pseudonymizer

        tokens = Pseudonymizer(self.keyring, domain=DOMAIN)
        return next(
            (c for c in candidates.values() if tokens.matches(c.id, entry.subject_token)), None
        )

    def tokens_of(self, candidates: Iterable[SubjectRef]) -> dict[str, SubjectRef]:
        """``candidates`` by their tokens, for :meth:`find`."""
        from gdprkit.pseudonym import Pseudonymizer

        tokens = Pseudonymizer(self.keyring, domain=DOMAIN)
        refs = list(candidates)
        return dict(zip(tokens.tokens([r.id for r in refs]), refs, strict=True))


def read_journal_file(
    path: str | os.PathLike[str], *, keyring: Keyring, accept_unverified: bool = False
) -> tuple[tuple[JournalEntry, ...], bool]:
    """The entries of an exported journal file in order, and whether its MACs verified.

    See :func:`read_journal`; the flag is False only for a file of the
    format without MACs read with ``accept_unverified``.
    """
    lines, verified = journal_lines(path, keyring=keyring, accept_unverified=accept_unverified)
    entries = [JournalEntry.from_dict(value, f"line {number}") for number, value in lines]
    ordered = sorted(entries, key=lambda e: (e.executed_at.astimezone(UTC), e.seq))
    return tuple(ordered), verified


def read_journal(
    path: str | os.PathLike[str], *, keyring: Keyring, accept_unverified: bool = False
) -> tuple[JournalEntry, ...]:
    """The entries of an exported journal file, in order, once its MACs verify.

    ``keyring`` is the journal's keyring, whose key MACed the file
    (:meth:`ErasureJournal.export`). A file that does not verify (a line
    changed, removed, reordered or inserted, cut short, a line appended,
    another keyring) raises :class:`~gdprkit.JournalIntegrityError` naming the
    line; a malformed file a :class:`~gdprkit.JournalError`. A file an older
    gdprkit wrote, without MACs, is refused unless ``accept_unverified``:
    then it is read as it is and a warning is logged (``gdprkit.erasure``).
    Export it again from the store instead where the store still holds the
    journal: the opt-out is for a journal the store no longer has
    (Art. 17(1), 32(1)(b) GDPR).
    """
    return read_journal_file(path, keyring=keyring, accept_unverified=accept_unverified)[0]
