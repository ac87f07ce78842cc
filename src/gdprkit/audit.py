"""An append-only, hash-chained audit log that never holds raw personal data.

Each entry stores the SHA-256 of the canonical JSON of the entry before it,
so a changed, deleted, inserted or reordered entry breaks the chain;
truncation is caught against a head saved earlier. Subjects appear only as
keyed tokens (``gdprkit.pseudonym``), never as identifiers. This is the
controller's evidence of accountability (GDPR Art. 5(2), 24(1), 30).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeAlias

import attrs

from gdprkit._errors import AuditIntegrityError, InvalidAuditHead
from gdprkit._util import require_aware, utc_stamp

if TYPE_CHECKING:
    from gdprkit.pseudonym import Pseudonymizer
    from gdprkit.store import Store

__all__ = ["GENESIS", "AuditEntry", "AuditHead", "AuditLog", "JSONValue", "canonical_json"]

#: The "previous hash" of the first entry.
GENESIS = "0" * 64

_HEAD = re.compile(r"([0-9]{1,18}):([0-9a-fA-F]{64})", re.ASCII)

#: JSON data, as :func:`json.loads` gives it: what an entry's ``details`` hold. The
#: items of lists and objects are not spelled out (``Any``), so that a caller's
#: ``list[str]`` or ``dict[str, int]`` is accepted as it is.
JSONValue: TypeAlias = str | int | float | bool | list[Any] | dict[str, Any] | None


def canonical_json(value: JSONValue) -> bytes:
    """Canonical JSON: sorted keys, no spaces, UTF-8; the bytes that are hashed."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


@attrs.frozen
class AuditEntry:
    """One audit entry: what was done, when, by whom, to which subject token."""

    seq: int
    at: str
    actor: str
    action: str
    subject: str | None
    details: Mapping[str, JSONValue] = attrs.field(eq=False, hash=False)
    prev_hash: str

    def to_dict(self) -> dict[str, JSONValue]:
        """The entry as the JSON object that is hashed."""
        return {
            "seq": self.seq,
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "subject": self.subject,
            "details": dict(self.details),
            "prev": self.prev_hash,
        }

    @property
    def hash(self) -> str:
        """SHA-256 (hex) of this entry's canonical JSON; the next entry's ``prev_hash``."""
        return hashlib.sha256(canonical_json(self.to_dict())).hexdigest()


@attrs.frozen
class AuditHead:
    """The last entry's sequence number and hash; keep it elsewhere to detect truncation."""

    seq: int
    hash: str

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"

    @classmethod
    def parse(cls, text: str) -> AuditHead:
        """Read a head written by ``str(head)`` (``"<seq>:<64 hex digits>"``).

        Anything else raises :class:`~gdprkit.InvalidAuditHead` (a
        :class:`ValueError`).
        """
        if not isinstance(text, str):
            raise TypeError(f"an audit head must be a str, got {type(text).__name__}")
        found = _HEAD.fullmatch(text.strip())
        if found is None:
            raise InvalidAuditHead("an audit head looks like '<seq>:<64 hex digits>'")
        return cls(int(found.group(1)), found.group(2).lower())


def _details(seq: object, text: object) -> dict[str, JSONValue]:
    """An entry's stored details; :class:`~gdprkit.AuditIntegrityError` if they are not a JSON object."""
    details: object = None
    if isinstance(text, str):
        try:
            details = json.loads(text)
        except (ValueError, RecursionError):  # the decoder's error quotes the text: drop it
            details = None
    if not isinstance(details, dict):
        raise AuditIntegrityError(f"audit entry {seq} has details that are not a JSON object")
    return details


class AuditLog:
    """The audit log in a store; ``record()`` appends, ``verify()`` re-checks the chain.

    Appends run in one store transaction that reads the last entry and
    inserts the next; the store serializes writers in several processes
    (SQLite's ``BEGIN IMMEDIATE``, PostgreSQL's advisory lock), so the chain
    stays linear.
    """

    __slots__ = ("_pseudonymizer", "_store")

    def __init__(self, store: Store, *, pseudonymizer: Pseudonymizer | None = None) -> None:
        self._store = store
        self._pseudonymizer = pseudonymizer

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
        """Append one entry and return it.

        ``details`` must be JSON data that holds no personal data: counts,
        field names, package hashes, purpose ids.
        """
        require_aware(at, "at")
        if not isinstance(action, str) or not action:
            raise ValueError("action must be a non-empty string")
        if not isinstance(actor, str) or not actor:
            raise ValueError("actor must be a non-empty string")
        token = None if subject is None else self.subject_token(subject)
        body = dict(details or {})
        try:
            canonical_json(body)
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
            entry = AuditEntry(seq, stamp, actor, action, token, body, prev)
            conn.execute(
                "INSERT INTO audit_log (seq, at, actor, action, subject, details, prev_hash, hash)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    seq,
                    stamp,
                    actor,
                    action,
                    token,
                    canonical_json(body).decode("utf-8"),
                    prev,
                    entry.hash,
                ),
            )
        return entry

    def entries(self, *, subject: str | None = None) -> Iterator[AuditEntry]:
        """Every entry in order (or only those of ``subject``)."""
        sql = "SELECT seq, at, actor, action, subject, details, prev_hash FROM audit_log"
        params: tuple[str, ...] = ()
        if subject is not None:
            sql += " WHERE subject = ?"
            params = (self.subject_token(subject),)
        for row in self._store.query(sql + " ORDER BY seq", params):
            yield AuditEntry(
                int(row[0]), row[1], row[2], row[3], row[4], _details(row[0], row[5]), row[6]
            )

    def head(self) -> AuditHead | None:
        """The last entry's head, or ``None`` for an empty log."""
        rows = self._store.query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        return AuditHead(int(rows[0][0]), str(rows[0][1])) if rows else None

    def verify(self, expected_head: AuditHead | str | None = None) -> AuditHead | None:
        """Re-check the whole chain; raise :class:`~gdprkit.AuditIntegrityError` where it breaks.

        With ``expected_head`` (saved from an earlier :meth:`head`), also
        detect truncation and a rewritten history: that entry must still be
        in the log with the same hash.
        """
        if isinstance(expected_head, str):
            expected_head = AuditHead.parse(expected_head)
        prev = GENESIS
        seq = 0
        stored_hashes = {
            int(s): str(h) for s, h in self._store.query("SELECT seq, hash FROM audit_log")
        }
        for entry in self.entries():
            if entry.seq != seq + 1:
                raise AuditIntegrityError(
                    f"audit entry {seq + 1} is missing (next entry is {entry.seq})"
                )
            if entry.prev_hash != prev:
                raise AuditIntegrityError(
                    f"audit entry {entry.seq} does not follow entry {seq}: the chain is broken "
                    "(an entry was changed, inserted, deleted or reordered)"
                )
            if stored_hashes.get(entry.seq) != entry.hash:
                raise AuditIntegrityError(
                    f"audit entry {entry.seq} was changed after it was written"
                )
            prev = entry.hash
            seq = entry.seq
        head = AuditHead(seq, prev) if seq else None
        if expected_head is not None:
            if head is None or head.seq < expected_head.seq:
                raise AuditIntegrityError(
                    f"the audit log was truncated: it ends at entry {seq}, "
                    f"the saved head is entry {expected_head.seq}"
                )
            if stored_hashes.get(expected_head.seq) != expected_head.hash:
                raise AuditIntegrityError(
                    f"audit entry {expected_head.seq} differs from the saved head: "
                    "the history was rewritten"
                )
        return head
