"""One key of a keyring: its id, age and status, and its material.

Key ids are short, random and URL-safe: they appear in every token, so a
rotation is visible, and they never contain the ``.`` that separates the
parts of a token (``docs/token-format.md``).
"""

from __future__ import annotations

import enum
import re
import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Final

import attrs

from gdprkit._errors import KeyringError
from gdprkit._pseudonym.secret import Secret

__all__ = [
    "KEY_ID",
    "Key",
    "KeyInfo",
    "KeyStatus",
    "check_key_id",
    "info_order",
    "key_order",
    "new_key_id",
]

# Key ids: short, URL-safe, never containing the separator "." of the token formats.
KEY_ID = re.compile(r"[A-Za-z0-9]{1,16}")
_ID_ALPHABET: Final = "abcdefghijklmnopqrstuvwxyz234567"
_ID_LENGTH: Final = 6


class KeyStatus(enum.StrEnum):
    """What a key of a :class:`Keyring` may still do."""

    #: Makes every new token and ciphertext; exactly one per keyring.
    ACTIVE = "active"
    #: Still verifies, unseals and unwraps what it made; makes nothing new.
    PREVIOUS = "previous"
    #: Gone: the material is destroyed, the id stays reserved so it is never reused.
    RETIRED = "retired"


@attrs.frozen
class KeyInfo:
    """What may be shown about a key: its id, age and status — never its material."""

    id: str
    created_at: datetime
    status: KeyStatus


@attrs.frozen(repr=False)
class Key:
    """A live key: what may be shown about it, and its material."""

    info: KeyInfo
    secret: Secret

    def __repr__(self) -> str:
        return f"Key(id={self.info.id!r}, status={self.info.status.value!r})"


def info_order(info: KeyInfo) -> tuple[datetime, str]:
    """Oldest first, then by id: the one canonical order of a keyring's keys."""
    return (info.created_at, info.id)


def key_order(key: Key) -> tuple[datetime, str]:
    """:func:`info_order` of a live key."""
    return info_order(key.info)


def new_key_id(taken: Iterable[str]) -> str:
    """A random id (30 bits, independent of the key material) not already in ``taken``."""
    used = set(taken)
    while True:
        key_id = "".join(secrets.choice(_ID_ALPHABET) for _ in range(_ID_LENGTH))
        if key_id not in used:
            return key_id


def check_key_id(key_id: object, what: str = "key_id") -> str:
    """``key_id`` if it is 1 to 16 ASCII letters or digits, else a typed error."""
    if not isinstance(key_id, str):
        raise TypeError(f"{what} must be a str, got {type(key_id).__name__}")
    if not KEY_ID.fullmatch(key_id):
        raise KeyringError(f"{what} must be 1 to 16 ASCII letters or digits")
    return key_id
