"""What an erasure does to one field: :class:`ErasureAction`, and :class:`ErasureItem` for a group."""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

__all__ = ["ErasureAction", "ErasureItem"]


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
