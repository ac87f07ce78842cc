"""A keyring at rest, what its two forms share: base64, length prefixes, one key's checks.

The two forms are the JSON document for a secret manager
(``keyring_json``) and the rows of a store (``keyring_store``). Both keep
the material wrapped by a key-encryption key (``kek``). Reading either
checks every entry and names the entry and field that is wrong, never the
material (Art. 32: confidentiality of the means of re-identification). The
formats are specified in ``docs/token-format.md``.
"""

from __future__ import annotations

import base64
import binascii
import struct
from collections.abc import Iterable
from datetime import datetime
from typing import NoReturn

from gdprkit._errors import KeyringError
from gdprkit._pseudonym.keys import KEY_ID, KeyInfo, KeyStatus
from gdprkit._pseudonym.secret import Secret, secret_from

__all__ = [
    "Row",
    "b64",
    "check_info",
    "keyring_error",
    "prefixed",
    "split_prefixed",
    "unb64",
    "with_material",
]

#: One key as read back: what may be shown about it, and its material (None when retired).
Row = tuple[KeyInfo, Secret | None]

_STATUSES = frozenset(s.value for s in KeyStatus)


def keyring_error(message: str) -> NoReturn:
    """Raise :class:`~gdprkit.KeyringError` (outside any ``except``: no context to leak)."""
    raise KeyringError(message)


def b64(data: bytes) -> str:
    """URL-safe base64 without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes | None:
    """Decode canonical unpadded URL-safe base64, or None (so no exception context holds it)."""
    if len(text) % 4 == 1:
        return None
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        return None
    # Reject non-canonical spellings (set unused low bits): a changed token must not verify.
    if b64(raw) != text:
        return None
    return raw


def prefixed(parts: Iterable[bytes]) -> bytes:
    """Each part after its length (4 bytes, big-endian): an unambiguous concatenation."""
    return b"".join(struct.pack(">I", len(part)) + part for part in parts)


def split_prefixed(data: bytes) -> list[bytes] | None:
    """The parts :func:`prefixed` joined, or None if ``data`` is not such a concatenation."""
    parts: list[bytes] = []
    at = 0
    while at < len(data):
        if at + 4 > len(data):
            return None
        (size,) = struct.unpack_from(">I", data, at)
        at += 4
        if at + size > len(data):
            return None
        parts.append(data[at : at + size])
        at += size
    return parts


def check_info(key_id: object, status: object, created_at: object, where: str) -> KeyInfo:
    """What may be shown about one key, checked and read; :class:`~gdprkit.KeyringError`."""
    if not isinstance(key_id, str) or not KEY_ID.fullmatch(key_id):
        keyring_error(f"{where}.id must be 1 to 16 ASCII letters or digits")
    if not isinstance(status, str) or status not in _STATUSES:
        keyring_error(f"{where}.status must be one of: active, previous, retired")
    when: datetime | None = None
    if isinstance(created_at, str):
        try:
            when = datetime.fromisoformat(created_at)
        except ValueError:
            when = None
    if when is None or when.tzinfo is None:
        keyring_error(f"{where}.created_at must be an ISO 8601 time with offset")
    return KeyInfo(key_id, when, KeyStatus(status))


def with_material(info: KeyInfo, material: bytes | None, where: str, field: str = "key") -> Row:
    """One key with its material: none for a retired key, at least 256 bits for a live one."""
    if info.status is KeyStatus.RETIRED:
        if material is not None:
            keyring_error(f"{where} is retired but still carries key material")
        return info, None
    if material is None:
        keyring_error(f"{where}.{field} is missing")
    return info, secret_from(material, f"key {info.id!r}")
