"""The values of the audit log: an entry, the head, and the canonical JSON they are hashed in."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any, TypeAlias

import attrs

from gdprkit._errors import AuditIntegrityError, InvalidAuditHead

__all__ = ["GENESIS", "AuditEntry", "AuditHead", "JSONValue", "canonical_json", "details_of"]

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
    """One audit entry: what was done, when, by whom, to which subject token.

    ``key_id`` names the audit keyring's key whose chain key MACed the entry
    and ``mac`` is that MAC as stored; both are ``None`` for a legacy entry
    (written before the chain was keyed), whose hash is plain SHA-256.
    """

    seq: int
    at: str
    actor: str
    action: str
    subject: str | None
    details: Mapping[str, JSONValue] = attrs.field(eq=False, hash=False)
    prev_hash: str
    key_id: str | None = attrs.field(default=None, kw_only=True)
    mac: str | None = attrs.field(default=None, kw_only=True)

    def to_dict(self) -> dict[str, JSONValue]:
        """The entry as the JSON object that is hashed (``key`` only in a keyed entry)."""
        data: dict[str, JSONValue] = {
            "seq": self.seq,
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "subject": self.subject,
            "details": dict(self.details),
            "prev": self.prev_hash,
        }
        if self.key_id is not None:
            data["key"] = self.key_id
        return data

    @property
    def hash(self) -> str:
        """The next entry's ``prev_hash``: the stored MAC of a keyed entry, else SHA-256 (hex)."""
        if self.mac is not None:
            return self.mac
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


def details_of(seq: object, text: object) -> dict[str, JSONValue]:
    """An entry's stored details; :class:`~gdprkit.AuditIntegrityError` if not a JSON object."""
    details: object = None
    if isinstance(text, str):
        try:
            details = json.loads(text)
        except (ValueError, RecursionError):  # the decoder's error quotes the text: drop it
            details = None
    if not isinstance(details, dict):
        raise AuditIntegrityError(f"audit entry {seq} has details that are not a JSON object")
    return details
