"""Crypto-shredding: a random data key per data subject, wrapped in the store.

Erasure by destroying the one key that decrypts a person's data, wherever
copies of the ciphertext went (Art. 17(1) GDPR; Art. 32 for the cipher).
The ciphertext and key-wrapping formats are in ``docs/token-format.md``.
"""

from __future__ import annotations

import logging
import struct
from datetime import datetime
from typing import Final

from gdprkit import _crypto
from gdprkit._errors import InvalidToken, KeyringError, SubjectShredded
from gdprkit._pseudonym.inputs import at_or_now, check_text, encode_value
from gdprkit._pseudonym.keyring import Keyring, check_keyring
from gdprkit.store import Store, check_store

__all__ = ["SubjectKeys"]

# HKDF-SHA256 `info` label of the key-encryption key (docs/token-format.md).
_KEK_INFO: Final = b"gdprkit/v1/kek"
# Associated-data labels: of a wrapped data key, and of an encrypted field.
_DEK_AD: Final = b"gdprkit/v1/dek\x00"
_FIELD_AD: Final = b"gdprkit/v1/field\x00"
_CIPHERTEXT_VERSION: Final = 1


def _dek_ad(key_id: str, subject: str) -> bytes:
    return _DEK_AD + key_id.encode("ascii") + b"\x00" + subject.encode("utf-8")


def _field_ad(subject: str, field: str) -> bytes:
    encoded = subject.encode("utf-8")
    return _FIELD_AD + struct.pack(">I", len(encoded)) + encoded + field.encode("utf-8")


class SubjectKeys:
    """A random data key per data subject, wrapped in the store; shred it to erase them.

    Each subject's fields are encrypted with AES-256-GCM under that
    subject's own data key (random 96-bit nonce; subject and field bound as
    associated data, so a ciphertext moved to another person or column does
    not decrypt). The data key is stored wrapped (AES-256-GCM) by a
    key-encryption key derived from ``kek``'s active key; keep ``kek`` out of
    the store (a secret manager), so the store alone reveals nothing.

    :meth:`shred` deletes the data key: every ciphertext of the subject, in
    every table, copy and backup, becomes unreadable at once — erasure by
    crypto-shredding (Art. 17(1), with Art. 32 for the cipher). A shredded
    subject never silently gets a new key. Store backups older than the
    shred still hold the wrapped key: rotate ``kek``, :meth:`rewrap`, then
    retire the old key so they cannot be unwrapped either.
    """

    __slots__ = ("_kek", "_store", "_wrappers")

    def __init__(self, store: Store, kek: Keyring) -> None:
        """Use ``store`` for the wrapped data keys and ``kek`` to wrap them."""
        check_store(store)
        self._store = store
        self._kek = check_keyring(kek)
        self._wrappers = {
            key_id: _crypto.AesGcm(kek._derive(key_id, _KEK_INFO, 32)) for key_id in kek.key_ids
        }

    @property
    def store(self) -> Store:
        """The store holding the wrapped data keys."""
        return self._store

    @property
    def kek(self) -> Keyring:
        """The key-encryption keyring."""
        return self._kek

    def _wrap(self, subject: str, data_key: bytes) -> tuple[str, bytes]:
        key_id = self._kek.active_id
        return key_id, self._wrappers[key_id].encrypt(data_key, _dek_ad(key_id, subject))

    def _unwrap(self, subject: str, key_id: str, wrapped: bytes) -> bytes:
        wrapper = self._wrappers.get(key_id)
        if wrapper is None:
            self._kek._key(key_id)  # raises UnknownKeyId with the reason
            raise AssertionError("unreachable: every live key has a wrapper")
        data_key = wrapper.decrypt(wrapped, _dek_ad(key_id, subject))
        if data_key is None:
            raise KeyringError(
                f"a stored data key does not unwrap under key-encryption key {key_id!r} "
                "(another keyring with the same ids, or a changed store)"
            )
        return data_key

    def _row(self, subject: str) -> tuple[str | None, bytes | None] | None:
        rows = self._store.query(
            "SELECT kek_id, wrapped_key FROM subject_keys WHERE subject = ?", (subject,)
        )
        return (rows[0][0], rows[0][1]) if rows else None

    def encrypt(
        self, subject: str, field: str, value: bytes | str, *, at: datetime | None = None
    ) -> bytes:
        """Encrypt ``value`` (``str`` as UTF-8) for ``subject``'s ``field``; creates the key once.

        Format: ``0x01 || nonce (12) || AES-GCM ciphertext and tag``. ``at``
        stamps a newly created key (default: now).
        """
        check_text(subject, "subject")
        check_text(field, "field")
        data = encode_value(value, "value")
        row = self._row(subject)
        if row is None:
            when = at_or_now(at).isoformat()
            with self._store.transaction() as conn:
                found = conn.execute(
                    "SELECT kek_id, wrapped_key FROM subject_keys WHERE subject = ?", (subject,)
                ).fetchone()
                if found is None:
                    new_id, new_wrapped = self._wrap(subject, _crypto.new_aes256_key())
                    conn.execute(
                        "INSERT INTO subject_keys (subject, kek_id, wrapped_key, created_at)"
                        " VALUES (?, ?, ?, ?)",
                        (subject, new_id, new_wrapped, when),
                    )
                    found = (new_id, new_wrapped)
                row = (found[0], found[1])
        kek_id, wrapped = row
        if kek_id is None or wrapped is None:
            raise SubjectShredded("the data subject's key was shredded; nothing is encrypted")
        data_key = self._unwrap(subject, kek_id, wrapped)
        sealed = _crypto.AesGcm(data_key).encrypt(data, _field_ad(subject, field))
        return bytes((_CIPHERTEXT_VERSION,)) + sealed

    def decrypt(self, subject: str, field: str, ciphertext: bytes) -> bytes:
        """The plaintext of ``ciphertext``; :class:`~gdprkit.SubjectShredded` after a shred.

        A changed ciphertext, or one of another subject or field, raises
        :class:`~gdprkit.InvalidToken`.
        """
        check_text(subject, "subject")
        check_text(field, "field")
        if not isinstance(ciphertext, bytes):
            raise TypeError(f"ciphertext must be bytes, got {type(ciphertext).__name__}")
        if (
            len(ciphertext) < 1 + _crypto.GCM_NONCE_BYTES + _crypto.GCM_TAG_BYTES
            or ciphertext[0] != _CIPHERTEXT_VERSION
        ):
            raise InvalidToken("the ciphertext is invalid")
        row = self._row(subject)
        if row is None:
            raise InvalidToken("the ciphertext is invalid")
        kek_id, wrapped = row
        if kek_id is None or wrapped is None:
            raise SubjectShredded("the data subject's key was shredded; the data is erased")
        data_key = self._unwrap(subject, kek_id, wrapped)
        plain = _crypto.AesGcm(data_key).decrypt(ciphertext[1:], _field_ad(subject, field))
        if plain is None:
            raise InvalidToken("the ciphertext is invalid")
        return plain

    def shred(self, subject: str, *, at: datetime | None = None) -> bool:
        """Destroy ``subject``'s data key (Art. 17 erasure by crypto-shredding). Idempotent.

        Returns True if a key was destroyed now, False if there was none or
        it was already shredded; either way the subject is recorded as
        shredded ``at`` (default: now) and will never get a new key.
        """
        check_text(subject, "subject")
        when = at_or_now(at).isoformat()
        with self._store.transaction() as conn:
            found = conn.execute(
                "SELECT wrapped_key FROM subject_keys WHERE subject = ?", (subject,)
            ).fetchone()
            if found is None:
                conn.execute(
                    "INSERT INTO subject_keys (subject, created_at, shredded_at) VALUES (?, ?, ?)",
                    (subject, when, when),
                )
                destroyed = False
            elif found[0] is None:
                destroyed = False
            else:
                conn.execute(
                    "UPDATE subject_keys SET kek_id = NULL, wrapped_key = NULL, shredded_at = ?"
                    " WHERE subject = ?",
                    (when, subject),
                )
                destroyed = True
        if destroyed:
            self._store.checkpoint()
        # never the subject id: that a key was destroyed is what may be logged
        logging.getLogger("gdprkit.keys").info(
            "a subject key was shredded" if destroyed else "a subject was already shredded"
        )
        return destroyed

    def is_shredded(self, subject: str) -> bool:
        """Whether ``subject``'s key was shredded."""
        check_text(subject, "subject")
        row = self._row(subject)
        return row is not None and row[1] is None

    def rewrap(self) -> int:
        """Re-wrap every data key under ``kek``'s active key; returns how many moved.

        Run after :meth:`Keyring.rotate` of the key-encryption keyring, then
        retire the old key: store copies made before can no longer be
        unwrapped, so shredding also reaches old backups.
        """
        active = self._kek.active_id
        moved = 0
        with self._store.transaction() as conn:
            rows = conn.execute(
                "SELECT subject, kek_id, wrapped_key FROM subject_keys"
                " WHERE wrapped_key IS NOT NULL AND kek_id != ?",
                (active,),
            ).fetchall()
            for subject, kek_id, wrapped in rows:
                new_id, new_wrapped = self._wrap(subject, self._unwrap(subject, kek_id, wrapped))
                conn.execute(
                    "UPDATE subject_keys SET kek_id = ?, wrapped_key = ? WHERE subject = ?",
                    (new_id, new_wrapped, subject),
                )
                moved += 1
        if moved:
            self._store.checkpoint()
        return moved

    def __repr__(self) -> str:
        return f"SubjectKeys(store={self._store!r}, kek={self._kek!r})"
