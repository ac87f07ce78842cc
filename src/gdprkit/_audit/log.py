"""The audit log in a store: appending under the writers' lock, reading, verifying."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

import attrs

from gdprkit._audit.chain import AuditCheck, ChainKeys, ChainWalk, LegacyBound
from gdprkit._audit.entries import (
    GENESIS,
    AuditEntry,
    AuditHead,
    JSONValue,
    canonical_json,
    details_of,
)
from gdprkit._errors import AuditIntegrityError
from gdprkit._util import require_aware, utc_stamp

if TYPE_CHECKING:
    from gdprkit.pseudonym import Keyring, Pseudonymizer
    from gdprkit.store import Store

__all__ = ["AuditLog"]

_COLUMNS = "seq, at, actor, action, subject, details, prev_hash, hash, key_id"


class AuditLog:
    """The audit log in a store; ``record()`` appends, ``verify()`` re-checks the chain.

    Appends run in one store transaction that reads the last entry and
    inserts the next; the store serializes writers in several processes
    (SQLite's ``BEGIN IMMEDIATE``, PostgreSQL's advisory lock), so the chain
    stays linear. The chain is keyed: each entry's hash is an HMAC under a
    key derived from ``keyring`` (by default the keyring of
    ``pseudonymizer``), so that someone who can write the store but does not
    hold the keyring can neither append nor rewrite entries that verify
    (Art. 5(2), 32(1)(b) GDPR). Recording needs the keyring; verifying a log
    needs it once the log holds keyed entries. Keep the keys whose ids the
    entries name for as long as the log must verify: an entry MACed under a
    retired key can no longer be checked.
    """

    __slots__ = ("_chain", "_pseudonymizer", "_store")

    def __init__(
        self,
        store: Store,
        *,
        pseudonymizer: Pseudonymizer | None = None,
        keyring: Keyring | None = None,
    ) -> None:
        self._store = store
        self._pseudonymizer = pseudonymizer
        if keyring is None and pseudonymizer is not None:
            keyring = pseudonymizer.keyring
        self._chain: ChainKeys | None = None
        if keyring is not None:
            from gdprkit._pseudonym.keyring import check_keyring

            self._chain = ChainKeys(check_keyring(keyring))

    def __repr__(self) -> str:
        return f"<AuditLog in {self._store!r}>"

    def subject_token(self, subject: str) -> str:
        """The token that stands for ``subject`` in this log."""
        if self._pseudonymizer is None:
            raise TypeError(
                "this AuditLog has no pseudonymizer; pass pseudonymizer= to record subjects "
                "(the log never stores a raw subject identifier)"
            )
        return self._pseudonymizer.token(subject)

    def record(
        self,
        action: str,
        *,
        at: datetime,
        actor: str,
        subject: str | None = None,
        details: Mapping[str, JSONValue] | None = None,
    ) -> AuditEntry:
        """Append one entry, MACed under the audit keyring's active key, and return it.

        ``details`` must be JSON data that holds no personal data: counts,
        field names, package hashes, purpose ids.
        """
        require_aware(at, "at")
        if not isinstance(action, str) or not action:
            raise ValueError("action must be a non-empty string")
        if not isinstance(actor, str) or not actor:
            raise ValueError("actor must be a non-empty string")
        chain = self._chain
        if chain is None:
            raise TypeError(
                "this AuditLog has no keyring; pass keyring= (or pseudonymizer=, whose keyring "
                "is used): the chain is keyed so that a database writer cannot forge entries"
            )
        token = None if subject is None else self.subject_token(subject)
        body = dict(details or {})
        try:
            text = canonical_json(body).decode("utf-8")
        except (TypeError, ValueError):
            raise TypeError(
                "details must be JSON data (str, int, float, bool, None, lists, dicts)"
            ) from None
        stamp = utc_stamp(at)
        with self._store.transaction() as conn:
            last = conn.execute(
                "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"
            ).fetchone()
            seq, prev = (1, GENESIS) if last is None else (int(last[0]) + 1, str(last[1]))
            entry = AuditEntry(seq, stamp, actor, action, token, body, prev, key_id=chain.active_id)
            entry = attrs.evolve(entry, mac=chain.mac(entry))
            conn.execute(
                f"INSERT INTO audit_log ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (seq, stamp, actor, action, token, text, prev, entry.hash, entry.key_id),
            )
        return entry

    def entries(self, *, subject: str | None = None) -> Iterator[AuditEntry]:
        """Every entry in order (or only those of ``subject``), as stored; not verified."""
        sql = f"SELECT {_COLUMNS} FROM audit_log"
        params: tuple[str, ...] = ()
        if subject is not None:
            sql += " WHERE subject = ?"
            params = (self.subject_token(subject),)
        for row in self._store.query(sql + " ORDER BY seq", params):
            seq, at, actor, action, token, details, prev, stored, key_id = row
            yield AuditEntry(
                int(seq), at, actor, action, token, details_of(seq, details), prev,
                key_id=key_id, mac=None if key_id is None else str(stored),
            )  # fmt: skip

    def head(self) -> AuditHead | None:
        """The last entry's head, or ``None`` for an empty log."""
        rows = self._store.query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        return AuditHead(int(rows[0][0]), str(rows[0][1])) if rows else None

    def check(self, expected_head: AuditHead | str | None = None) -> AuditCheck:
        """Re-check the whole chain, and say how much of it is keyed.

        Raises :class:`~gdprkit.AuditIntegrityError` where the chain breaks,
        an entry's MAC (or a legacy entry's hash) does not verify, an
        unkeyed entry follows a keyed one, or an unkeyed entry lies beyond
        the legacy entries the store held when it was upgraded to the keyed
        chain (none, for a store created keyed; none either when the store's
        record of that bound was deleted); :class:`~gdprkit.KeyringError` if
        the log holds keyed entries and this ``AuditLog`` has no keyring. With
        ``expected_head`` (saved elsewhere from an earlier :meth:`head`), also
        detect truncation and a rewritten history: that entry must still be
        in the log with the same hash.
        """
        if isinstance(expected_head, str):
            expected_head = AuditHead.parse(expected_head)
        walk = ChainWalk(self._chain, self._legacy_bound())
        for row in self._store.query(f"SELECT {_COLUMNS} FROM audit_log ORDER BY seq"):
            walk.step(row)
        head = walk.head()
        if expected_head is not None:
            if head is None or head.seq < expected_head.seq:
                raise AuditIntegrityError(
                    f"the audit log was truncated: it ends at entry {walk.seq}, "
                    f"the saved head is entry {expected_head.seq}"
                )
            if walk.hashes.get(expected_head.seq) != expected_head.hash:
                raise AuditIntegrityError(
                    f"audit entry {expected_head.seq} differs from the saved head: "
                    "the history was rewritten"
                )
        return AuditCheck(head=head, entries=walk.seq, legacy=walk.legacy)

    def _legacy_bound(self) -> LegacyBound:
        """The store's record of how far its log may hold legacy entries; 0 if it is gone."""
        rows = self._store.query("SELECT legacy_until FROM audit_chain WHERE id = 1")
        return LegacyBound(int(rows[0][0])) if rows else LegacyBound(0, recorded=False)

    def verify(self, expected_head: AuditHead | str | None = None) -> AuditHead | None:
        """Re-check the whole chain (:meth:`check`) and return its head, None for an empty log."""
        return self.check(expected_head).head
