"""The cryptographic primitives gdprkit is built on: the one module that imports ``cryptography``.

gdprkit follows pyca/cryptography's split between recipes and hazmat:
:mod:`gdprkit.pseudonym` holds the recipes (documented token formats,
keyrings, typed errors that never carry a value), this module the raw
primitives they are made of, each behind one small function or class. Every
use of the ``cryptography`` package can thus be reviewed on one page, and
``import gdprkit`` does not load it: this module is imported with the first
use of :mod:`gdprkit.pseudonym`. The algorithms are those of Art. 32(1)(a)
GDPR's "pseudonymisation and encryption"; ``docs/token-format.md`` specifies
how the recipes use them.

Decryption returns ``None`` for a message that does not authenticate, so
the caller raises its own typed error with no exception context (a
traceback must not hold key or plaintext). The one exception is the hot
path of unsealing, which calls the primitive's own method
(:attr:`AesSiv.decrypt_raw`) and catches :data:`Unauthentic`, which carries
nothing; it too raises its typed error outside the ``except`` block.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, AESSIV
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = [
    "GCM_NONCE_BYTES",
    "GCM_TAG_BYTES",
    "AesGcm",
    "AesSiv",
    "Unauthentic",
    "hkdf_sha256",
    "keyed_blake2b",
    "new_aes256_key",
]

#: Length of an AES-GCM nonce, in bytes (96 bits, the size GCM is designed for).
GCM_NONCE_BYTES: Final = 12
#: Length of an AES-GCM authentication tag, in bytes (128 bits).
GCM_TAG_BYTES: Final = 16
#: What :attr:`AesSiv.decrypt_raw` raises for a message that does not authenticate
#: (cryptography's ``InvalidTag``: it holds neither key nor data).
Unauthentic: Final = InvalidTag


def hkdf_sha256(material: bytes, info: bytes, length: int) -> bytes:
    """HKDF-SHA256 (RFC 5869) with no salt: the documented subkey derivation."""
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(material)


def keyed_blake2b(key: bytes, digest_size: int) -> hashlib.blake2b:
    """A keyed BLAKE2b state (RFC 7693, a PRF): copy it for each message to MAC."""
    return hashlib.blake2b(key=key, digest_size=digest_size)


def new_aes256_key() -> bytes:
    """A random 256-bit AES key from the operating system's CSPRNG."""
    return AESGCM.generate_key(256)


class AesSiv:
    """AES-SIV (RFC 5297): deterministic, misuse-resistant authenticated encryption.

    Equal plaintexts under equal associated data give equal ciphertexts;
    nothing else is revealed. ``encrypt`` and ``decrypt_raw`` are the
    primitive's own bound methods, so the hot paths of sealing and unsealing
    pay no extra call; ``decrypt_raw`` raises :data:`Unauthentic` where
    :meth:`decrypt` returns ``None``.
    """

    __slots__ = ("_aead", "decrypt_raw", "encrypt")

    encrypt: Callable[[bytes, Sequence[bytes]], bytes]
    decrypt_raw: Callable[[bytes, Sequence[bytes]], bytes]

    def __init__(self, key: bytes) -> None:
        """Use ``key`` (64 bytes for AES-256-SIV)."""
        self._aead = AESSIV(key)
        self.encrypt = self._aead.encrypt
        self.decrypt_raw = self._aead.decrypt

    def decrypt(self, data: bytes, associated_data: Sequence[bytes]) -> bytes | None:
        """The plaintext, or ``None`` if ``data`` does not authenticate."""
        try:
            return self._aead.decrypt(data, associated_data)
        except InvalidTag:
            return None


class AesGcm:
    """AES-GCM with a random nonce per message, sent as ``nonce || ciphertext || tag``."""

    __slots__ = ("_aead",)

    def __init__(self, key: bytes) -> None:
        """Use ``key`` (32 bytes for AES-256-GCM)."""
        self._aead = AESGCM(key)

    def encrypt(self, data: bytes, associated_data: bytes) -> bytes:
        """``data`` encrypted under a fresh random 96-bit nonce, which leads the result."""
        nonce = os.urandom(GCM_NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, data, associated_data)

    def decrypt(self, message: bytes, associated_data: bytes) -> bytes | None:
        """The plaintext of what :meth:`encrypt` made, or ``None`` if it does not authenticate."""
        if len(message) < GCM_NONCE_BYTES + GCM_TAG_BYTES:
            return None
        nonce, body = message[:GCM_NONCE_BYTES], message[GCM_NONCE_BYTES:]
        try:
            return self._aead.decrypt(nonce, body, associated_data)
        except InvalidTag:
            return None
