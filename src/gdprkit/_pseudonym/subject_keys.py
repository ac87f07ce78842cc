"""Crypto-shredding: a random data key per data subject, wrapped in the store.

Erasure by destroying the one key that decrypts a person's data, wherever
copies of the ciphertext went (Art. 17(1) GDPR; Art. 32 for the cipher).
The ciphertext and key-wrapping formats are in ``docs/token-format.md``.
"""

from __future__ import annotations

import logging
import struct
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Final

from gdprkit import _crypto
from gdprkit._errors import InvalidToken, KekError, KeyringError, SubjectShredded
from gdprkit._pseudonym.inputs import at_or_now, check_text, encode_value
from gdprkit._pseudonym.keyring import Keyring
from gdprkit._pseudonym.shredding import ShredResult, Tombstones
from gdprkit.store import Checkpoint, Store, check_store

__all__ = ["SubjectKeys"]

# HKDF-SHA256 `info` label of the key-encryption key (docs/token-format.md).
_KEK_INFO: Final = b"gdprkit/v1/kek"
# Associated-data labels: of a wrapped data key, and of an encrypted field.
_DEK_AD: Final = b"gdprkit/v1/dek\x00"
_FIELD_AD: Final = b"gdprkit/v1/field\x00"
_CIPHERTEXT_VERSION: Final = 1
_COLUMNS: Final = "subject, kek_id, wrapped_key, token_key"

#: A row of ``subject_keys``: the stored subject (identifier or tombstone token), the id of
#: the key that wraps the data key, the wrapped key (None once shredded), the tombstone's key.
_Row = tuple[str, str | None, bytes | None, str | None]
#: Runs one read statement: the store's ``query``, or ``execute`` in a transaction.
_Run = Callable[[str, Sequence[Any]], list[Any]]


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
    subject never silently gets a new key: its row stays as a tombstone that
    holds a sealed token of the identifier, not the identifier. Store
    backups older than the shred still hold the wrapped key: rotate ``kek``,
    :meth:`rewrap`, then retire the old key so they cannot be unwrapped
    either (``docs/howto/key-management.md``).
    """

    __slots__ = ("_kek", "_store", "_tombs", "_wrappers")

    def __init__(self, store: Store, kek: Keyring) -> None:
        """Use ``store`` for the wrapped data keys and ``kek`` to wrap them."""
        check_store(store)
        self._store = store
        if not isinstance(kek, Keyring):
            # A Kek (which wraps keyrings at rest) or the KEK's text are the usual mistakes.
            raise KekError(
                "kek must be a Keyring whose keys wrap the subjects' data keys (e.g. "
                "Keyring.load(store, kek=Kek.env(), name='subject-keys')), "
                f"got {type(kek).__name__}"
            )
        self._kek = kek
        self._wrappers = {
            key_id: _crypto.AesGcm(kek._derive(key_id, _KEK_INFO, 32)) for key_id in kek.key_ids
        }
        self._tombs = Tombstones(kek)

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

    def _find(self, run: _Run, subject: str) -> _Row | None:
        """``subject``'s row: under the identifier (a live key), or a tombstone token.

        A tombstone wins over a live row, should a restored store hold both.
        """
        candidates = [subject, *self._tombs.tokens(subject)]
        marks = ", ".join("?" * len(candidates))
        rows = run(f"SELECT {_COLUMNS} FROM subject_keys WHERE subject IN ({marks})", candidates)
        rows.sort(key=lambda row: row[2] is not None)
        return (rows[0][0], rows[0][1], rows[0][2], rows[0][3]) if rows else None

    def _row(self, subject: str) -> tuple[str | None, bytes | None] | None:
        found = self._find(self._store.query, subject)
        return None if found is None else (found[1], found[2])

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
                found = self._find(lambda sql, p: conn.execute(sql, p).fetchall(), subject)
                if found is None:
                    new_id, new_wrapped = self._wrap(subject, _crypto.new_aes256_key())
                    conn.execute(
                        "INSERT INTO subject_keys (subject, kek_id, wrapped_key, created_at)"
                        " VALUES (?, ?, ?, ?)",
                        (subject, new_id, new_wrapped, when),
                    )
                    found = (subject, new_id, new_wrapped, None)
                row = (found[1], found[2])
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

    def shred(self, subject: str, *, at: datetime | None = None) -> ShredResult:
        """Destroy ``subject``'s data key (Art. 17 erasure by crypto-shredding). Idempotent.

        The subject is recorded as shredded ``at`` (default: now) and never
        gets a new key; the row keeps a sealed token of the identifier
        instead of the identifier. The result is true if a live key was
        destroyed now (what this method returned as a ``bool`` before), and
        says whether the store confirmed the key gone from its files
        (:attr:`ShredResult.complete`): on SQLite a reader that holds an older
        snapshot keeps the wrapped key in the ``-wal`` file; then call
        :meth:`finish_shreds` (or ``shred`` again) once the reader is done.
        """
        check_text(subject, "subject")
        when = at_or_now(at).isoformat()
        active = self._kek.active_id
        token = self._tombs.seal(active, subject)
        with self._store.transaction() as conn:
            found = self._find(lambda sql, p: conn.execute(sql, p).fetchall(), subject)
            if found is None:
                conn.execute(
                    "INSERT INTO subject_keys (subject, created_at, shredded_at, token_key)"
                    " VALUES (?, ?, ?, ?)",
                    (token, when, when, active),
                )
            elif found[2] is not None or found[3] is None:
                # A live key, or a tombstone an older gdprkit left with the identifier in it.
                conn.execute(
                    "UPDATE subject_keys SET subject = ?, token_key = ?, kek_id = NULL,"
                    " wrapped_key = NULL, shredded_at = COALESCE(shredded_at, ?)"
                    " WHERE subject = ?",
                    (token, active, when, found[0]),
                )
        result = ShredResult(
            destroyed=found is not None and found[2] is not None,
            checkpoint=self._store.checkpoint(),
        )
        _log_shred(result)
        return result

    def finish_shreds(self) -> Checkpoint:
        """Retry making earlier shreds complete on disk; call once the readers are gone.

        A shred whose :attr:`ShredResult.complete` was False left old copies
        of the wrapped key in the store's log (SQLite's ``-wal``), held there
        by a reader's snapshot. This checkpoints the store again and returns
        the engine's answer; a :attr:`~gdprkit.store.Checkpoint.complete`
        result means no shredded key is left in the log.
        """
        return self._store.checkpoint()

    def is_shredded(self, subject: str) -> bool:
        """Whether ``subject``'s key was shredded."""
        check_text(subject, "subject")
        row = self._row(subject)
        return row is not None and row[1] is None

    def rewrap(self) -> int:
        """Re-wrap every data key under ``kek``'s active key; returns how many moved.

        Run after :meth:`Keyring.rotate` of the key-encryption keyring, then
        retire the old key: store copies made before can no longer be
        unwrapped, so shredding also reaches old backups. The tombstones of
        shredded subjects move to the active key too (and those an older
        gdprkit left with the identifier in clear are sealed), so retiring
        the old key does not forget who was shredded.
        """
        active = self._kek.active_id
        moved = sealed = 0
        with self._store.transaction() as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM subject_keys WHERE (wrapped_key IS NOT NULL AND"
                " kek_id != ?) OR (wrapped_key IS NULL AND (token_key IS NULL OR token_key != ?))",
                (active, active),
            ).fetchall()
            for stored, kek_id, wrapped, token_key in rows:
                if wrapped is not None:
                    new_id, new_wrapped = self._wrap(stored, self._unwrap(stored, kek_id, wrapped))
                    conn.execute(
                        "UPDATE subject_keys SET kek_id = ?, wrapped_key = ? WHERE subject = ?",
                        (new_id, new_wrapped, stored),
                    )
                    moved += 1
                    continue
                subject = stored if token_key is None else self._tombs.open(stored)
                conn.execute(
                    "UPDATE subject_keys SET subject = ?, token_key = ? WHERE subject = ?",
                    (self._tombs.seal(active, subject), active, stored),
                )
                sealed += 1
        if moved or sealed:
            self._store.checkpoint()
        return moved

    def __repr__(self) -> str:
        return f"SubjectKeys(store={self._store!r}, kek={self._kek!r})"


def _log_shred(result: ShredResult) -> None:
    """Log what a shred did: never the subject id, only that a key was destroyed and if fully."""
    logger = logging.getLogger("gdprkit.keys")
    logger.info(
        "a subject key was shredded" if result.destroyed else "a subject was already shredded"
    )
    if not result.complete:
        logger.warning(
            "a shredded key may remain in the store's log while a reader holds a snapshot; "
            "finish_shreds() completes the shred once the reader is gone"
        )
