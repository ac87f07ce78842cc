"""The keyed chain: each entry's hash is an HMAC under a key only the controller holds.

An unkeyed hash chain protects against accidents, not against a writer: anyone
who can write the database can append entries that hash correctly after the
last one, or rewrite the whole log consistently. Keyed with HMAC-SHA256 under a
key derived from a keyring (HKDF, a label of its own, so it is independent of
every other use of that keyring), entries can be forged or rewritten only by
someone who holds the keyring, which lives apart from the store
(Art. 5(2) and 32(1)(b) GDPR: accountability, integrity).

Entries an older gdprkit wrote are hashed with plain SHA-256 (``key_id``
NULL). They still verify, as *legacy* entries, but only before the first
keyed entry: the first keyed entry's MAC covers the legacy chain's last hash,
so from then on the legacy entries cannot be changed either, while an
unkeyed entry after a keyed one is a forgery. And only up to the bound the
store recorded when it was upgraded to this gdprkit (:class:`LegacyBound`):
without it, a writer could replace the whole log, keyed entries and all, with
a consistent chain of legacy entries that no key is needed to write.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

import attrs

from gdprkit._audit.entries import GENESIS, AuditEntry, AuditHead, canonical_json, details_of
from gdprkit._errors import AuditIntegrityError, KeyringError

if TYPE_CHECKING:
    from gdprkit.pseudonym import Keyring

__all__ = ["AuditCheck", "ChainKeys", "ChainWalk", "LegacyBound"]

# HKDF-SHA256 `info` label of the chain key (docs/token-format.md).
_CHAIN_INFO: Final = b"gdprkit/v1/audit-chain"


class ChainKeys:
    """The audit chain's MAC keys: one per live key of a keyring, the active one to write."""

    __slots__ = ("_active", "_keys")

    def __init__(self, keyring: Keyring) -> None:
        self._keys = {kid: keyring._derive(kid, _CHAIN_INFO, 32) for kid in keyring.key_ids}
        self._active = keyring.active_id

    @property
    def active_id(self) -> str:
        """The key id new entries are MACed under."""
        return self._active

    def mac(self, entry: AuditEntry) -> str | None:
        """HMAC-SHA256 (hex) of the entry's canonical JSON under its key; None if that is gone."""
        key = None if entry.key_id is None else self._keys.get(entry.key_id)
        if key is None:
            return None
        return hmac.new(key, canonical_json(entry.to_dict()), hashlib.sha256).hexdigest()

    def __repr__(self) -> str:
        return f"<audit chain keys: {len(self._keys)}, active {self._active!r}>"


@attrs.frozen
class AuditCheck:
    """What :meth:`AuditLog.check` found: the head, and how much of the log is keyed.

    ``legacy`` entries (at the start, written before the chain was keyed)
    are chained with plain SHA-256: whoever could write the store then could
    have written them. The first keyed entry seals them: they cannot be
    changed since without breaking its MAC. There are never more of them
    than the store held when it was upgraded to the keyed chain.
    """

    #: The last entry's head, or None for an empty log.
    head: AuditHead | None
    #: How many entries the log holds.
    entries: int
    #: How many of them, at the start, are legacy (unkeyed) entries.
    legacy: int

    @property
    def keyed(self) -> int:
        """How many entries are MACed under the audit keyring."""
        return self.entries - self.legacy


@attrs.frozen
class LegacyBound:
    """The last entry the store's audit log may hold unkeyed; what :meth:`AuditLog.check` enforces.

    The store records it once, when it reaches the schema version that knows
    it: the entry before the first keyed one, else the last entry (a store an
    older gdprkit wrote), and 0 for a store this gdprkit created, whose
    entries are all keyed. ``recorded`` is False when that record is missing
    (deleted); the bound is then 0, so that a deletion cannot let legacy
    entries through.
    """

    #: Entries 1 to ``until`` may be legacy entries; 0: none may.
    until: int
    #: Whether the store holds the record (False: deleted, and taken as 0).
    recorded: bool = True

    def refuse(self, seq: int) -> AuditIntegrityError:
        """The error for legacy entry ``seq`` beyond the bound: what happened, no entry content."""
        if not self.recorded:
            return AuditIntegrityError(
                f"audit entry {seq} is a legacy (unkeyed) entry, but the store's record of how "
                "far its audit log may hold legacy entries is missing (deleted): without it no "
                "legacy entry is accepted"
            )
        where = (
            "the store was created with the keyed chain, so it never held legacy entries"
            if self.until == 0
            else f"the store held legacy entries only up to entry {self.until} when it was "
            "upgraded to the keyed chain"
        )
        return AuditIntegrityError(
            f"audit entry {seq} is a legacy (unkeyed) entry, but {where}: gdprkit did not "
            "write it (the log was rewritten or forged without the audit keyring)"
        )


def _as_written(seq: int, text: object) -> dict[str, Any]:
    """An entry's details, which must be stored exactly as gdprkit writes them.

    The hash or MAC covers the canonical JSON of the details, while an auditor
    reading the table sees the stored text: text that parses to the same
    object but is not that JSON (spaces, a key twice, of which SQLite's
    ``json_extract`` reads the first, an escape) is a change the hash would
    not show. NaN and infinities, which gdprkit never writes, are one too.
    """
    details = details_of(seq, text)
    try:
        written = canonical_json(details).decode("utf-8")
    except ValueError:
        written = None
    if written != text:
        raise AuditIntegrityError(
            f"audit entry {seq} has details that are not as gdprkit writes them: "
            "they were changed after it was written"
        )
    return details


class ChainWalk:
    """Verifies the rows of a log in order, entry by entry; keeps what a head check needs."""

    __slots__ = ("_bound", "_keys", "hashes", "legacy", "prev", "seq")

    def __init__(self, keys: ChainKeys | None, bound: LegacyBound) -> None:
        self._keys = keys
        self._bound = bound
        self.prev = GENESIS
        self.seq = 0
        self.legacy = 0
        self.hashes: dict[int, str] = {}

    def step(self, row: Sequence[Any]) -> None:
        """Check one row (``seq, at, actor, action, subject, details, prev_hash, hash, key_id``)."""
        seq, at, actor, action, subject, details, prev_hash, stored, key_id = row
        seq = int(seq)
        entry = AuditEntry(seq, at, actor, action, subject, _as_written(seq, details), prev_hash,
                           key_id=key_id)  # fmt: skip
        if seq != self.seq + 1:
            raise AuditIntegrityError(
                f"audit entry {self.seq + 1} is missing (next entry is {seq})"
            )
        if prev_hash != self.prev:
            raise AuditIntegrityError(
                f"audit entry {seq} does not follow entry {self.seq}: the chain is broken "
                "(an entry was changed, inserted, deleted or reordered)"
            )
        if key_id is None:
            self._legacy(entry, str(stored))
        else:
            self._keyed(entry, str(stored))
        self.prev = self.hashes[seq] = str(stored)
        self.seq = seq

    def _legacy(self, entry: AuditEntry, stored: str) -> None:
        if self.legacy != self.seq:
            raise AuditIntegrityError(
                f"audit entry {entry.seq} is not keyed although entries before it are: "
                "gdprkit did not write it (it was forged or rewritten)"
            )
        if entry.seq > self._bound.until:
            raise self._bound.refuse(entry.seq)
        if entry.hash != stored:
            raise AuditIntegrityError(f"audit entry {entry.seq} was changed after it was written")
        self.legacy += 1

    def _keyed(self, entry: AuditEntry, stored: str) -> None:
        if self._keys is None:
            raise KeyringError(
                f"the audit log is keyed from entry {entry.seq} on; verifying it needs the "
                "audit keyring (AuditLog(..., keyring=...); gdprkit audit verify --keyring)"
            )
        expected = self._keys.mac(entry)
        if expected is None:
            raise AuditIntegrityError(
                f"audit entry {entry.seq} is keyed under key {entry.key_id!r}, which the audit "
                "keyring lacks (retired, or another keyring): it cannot be verified"
            )
        if not hmac.compare_digest(expected, stored):
            raise AuditIntegrityError(
                f"audit entry {entry.seq} was changed after it was written, or forged: "
                "its MAC does not verify"
            )

    def head(self) -> AuditHead | None:
        """The head of what was walked, or None for an empty log."""
        return AuditHead(self.seq, self.prev) if self.seq else None
