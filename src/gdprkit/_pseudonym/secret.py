"""Key material that never prints, pickles or compares in variable time.

Whoever holds the key material can re-identify every pseudonym, so it must
be "kept separately" (Art. 4(5) GDPR) and confidential (Art. 32): it never
appears in a repr, a log, a pickle or an exception, and it is compared in
constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import stat
from typing import Final, NoReturn

from gdprkit._errors import KeyringError

__all__ = ["KEY_BYTES", "MIN_KEY_BYTES", "Secret", "read_secret_file", "secret_from"]

#: Length of generated keys, in bytes (256 bits).
KEY_BYTES: Final = 32
#: Shortest key material accepted, in bytes (256 bits).
MIN_KEY_BYTES: Final = 32


class Secret:
    """Key material that never prints, pickles or compares in variable time."""

    __slots__ = ("_value",)

    _value: bytes

    def __init__(self, value: bytes) -> None:
        object.__setattr__(self, "_value", value)

    def reveal(self) -> bytes:
        """The raw bytes, for a key derivation or the store; never for display."""
        return self._value

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("key material is immutable")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value, other._value)

    def __hash__(self) -> int:
        return hash(hashlib.sha256(b"gdprkit/v1/secret-hash\x00" + self._value).digest())

    def __repr__(self) -> str:
        return "<key material>"

    def __reduce__(self) -> NoReturn:
        raise TypeError("key material cannot be pickled; use Keyring.to_json() for a secret store")

    def __copy__(self) -> Secret:
        return self

    def __deepcopy__(self, memo: object) -> Secret:
        return self


def secret_from(material: object, what: str = "key") -> Secret:
    """``material`` as a :class:`Secret` if it is bytes of at least 256 bits."""
    if not isinstance(material, bytes):
        raise TypeError(f"{what} material must be bytes, got {type(material).__name__}")
    if len(material) < MIN_KEY_BYTES:
        raise KeyringError(
            f"{what} is too short: {len(material) * 8} bits; at least {MIN_KEY_BYTES * 8} "
            "bits are required"
        )
    return Secret(bytes(material))


def read_secret_file(path: str, what: str, error: type[KeyringError]) -> bytes:
    """The bytes of a file that holds a secret, refused if group or others may read it.

    As ``ssh`` refuses a private key that others can read: a secret in such
    a file is not one any more. Errors (``error``) name ``what`` and the
    path, never the content.
    """
    try:
        info = os.stat(path)
    except OSError:
        raise error(f"{what} {path!r} is missing or unreadable here") from None
    if os.name == "posix" and info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise error(f"{what} {path!r} is accessible to group or others; chmod 600 it")
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        raise error(f"{what} {path!r} is missing or unreadable here") from None
