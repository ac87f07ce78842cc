"""What crypto-shredding leaves behind: the tombstone's sealed token, and what a shred achieved.

A shredded subject keeps a row in ``subject_keys`` so that it never silently
gets a new data key. The row holds a sealed token of the identifier, not the
identifier (Art. 17: what is erased should not stay behind in the erasure's
own bookkeeping); the format is in ``docs/token-format.md``.
"""

from __future__ import annotations

import re
from typing import Final

import attrs

from gdprkit import _crypto
from gdprkit._errors import UnknownKeyId
from gdprkit._pseudonym.keyring import Keyring
from gdprkit.store import Checkpoint

__all__ = ["ShredResult", "Tombstones"]

# HKDF-SHA256 `info` label of the tombstone subkey, and the associated-data label that the
# key id follows (docs/token-format.md).
_TOMB_INFO: Final = b"gdprkit/v1/tombstone"
_TOMB_AD: Final = b"gdprkit/v1/tombstone\x00"
_TOMB_MARK: Final = "t1"
_TOKEN = re.compile(r"([A-Za-z0-9]{1,16})\.t1\.((?:[0-9a-f]{2}){16,})")


@attrs.frozen
class ShredResult:
    """What :meth:`SubjectKeys.shred` did: whether a key was destroyed, and whether it is gone.

    ``destroyed`` is what ``shred()`` returned before (and the truth value
    of the result, so ``if keys.shred(s):`` keeps its meaning): a live data
    key was destroyed by this call. ``complete`` says whether the store's
    engine confirmed that no copy of it is left in its files: on SQLite a
    reader holding an older snapshot keeps the write-ahead log from being
    truncated, so the wrapped key can still be read from the ``-wal`` file
    until :meth:`SubjectKeys.finish_shreds` (or another shred) succeeds once
    the reader is gone. ``checkpoint`` is the engine's answer in full
    (Art. 17(1): erasure "without undue delay"; Art. 32).
    """

    #: A live data key was destroyed by this call (False: there was none, or it was shredded).
    destroyed: bool
    #: What the store's checkpoint after the shred achieved.
    checkpoint: Checkpoint

    @property
    def complete(self) -> bool:
        """True when no copy of a shredded key is left in the store's log."""
        return self.checkpoint.complete

    def __bool__(self) -> bool:
        return self.destroyed


class Tombstones:
    """Seals and opens the identifiers in tombstones: ``<key id>.t1.<hex>`` (AES-SIV).

    Deterministic, so a tombstone is found again from the identifier, and
    reversible by a key holder, so :meth:`SubjectKeys.rewrap` can move it to
    a new key before the old one is retired (a one-way token could not be
    moved, and would be lost with its key).
    """

    __slots__ = ("_ciphers",)

    def __init__(self, kek: Keyring) -> None:
        self._ciphers = {
            key_id: _crypto.AesSiv(kek._derive(key_id, _TOMB_INFO, 64)) for key_id in kek.key_ids
        }

    def seal(self, key_id: str, subject: str) -> str:
        """The tombstone token of ``subject`` under ``key_id`` (a live key)."""
        siv = self._ciphers[key_id]
        body = siv.encrypt(subject.encode("utf-8"), [_TOMB_AD + key_id.encode("ascii")])
        return f"{key_id}.{_TOMB_MARK}.{body.hex()}"

    def tokens(self, subject: str) -> list[str]:
        """The tokens ``subject`` has under each live key: where its tombstone may be."""
        return [self.seal(key_id, subject) for key_id in self._ciphers]

    def open(self, token: str) -> str:
        """The identifier in a tombstone token; :class:`~gdprkit.UnknownKeyId` if its key is gone."""
        found = _TOKEN.fullmatch(token)
        siv = None if found is None else self._ciphers.get(found.group(1))
        if found is None or siv is None:
            key_id = "?" if found is None else found.group(1)
            raise UnknownKeyId(
                f"a tombstone is sealed under key {key_id!r}, which the keyring lacks; "
                "rewrap() before retiring a key"
            )
        plain = siv.decrypt(
            bytes.fromhex(found.group(2)), [_TOMB_AD + found.group(1).encode("ascii")]
        )
        if plain is None:
            raise UnknownKeyId(
                f"a tombstone does not open under key {found.group(1)!r} "
                "(another keyring with the same ids, or a changed store)"
            )
        return plain.decode("utf-8")
