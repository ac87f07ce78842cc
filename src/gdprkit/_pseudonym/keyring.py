"""The keyring: versioned secret keys with short ids, one of them active."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from datetime import datetime

import attrs

from gdprkit import _crypto
from gdprkit._errors import KeyringError, UnknownKeyId
from gdprkit._pseudonym import keyring_json, keyring_store
from gdprkit._pseudonym.inputs import at_or_now
from gdprkit._pseudonym.kek import KekProvider
from gdprkit._pseudonym.keys import (
    Key,
    KeyInfo,
    KeyStatus,
    check_key_id,
    info_order,
    key_order,
    new_key_id,
)
from gdprkit._pseudonym.persist import Row
from gdprkit._pseudonym.secret import KEY_BYTES, secret_from
from gdprkit.store import Store

__all__ = ["Keyring", "check_keyring"]


@attrs.frozen(repr=False)
class Keyring:
    """Versioned secret keys with short ids, one of them active: the key to every token.

    A keyring is a value: :meth:`rotate` and :meth:`retire` return a new one.
    Keys are at least 256 bits. Ids are random and URL-safe, and appear in
    every token so a rotation is visible. The ``repr`` shows the key count
    and the active id, never material (Art. 32: confidentiality of the means
    of re-identification, Art. 4(5): "kept separately").

    Build one with :meth:`generate`, :meth:`from_key`, :meth:`from_json` or
    :meth:`load`; each subkey used by this module is derived from a key with
    HKDF-SHA256 and a purpose/domain label (``docs/token-format.md``). At
    rest (:meth:`to_json`, :meth:`save`) a keyring is always wrapped by a
    key-encryption key that lives outside the store (:class:`Kek`).
    """

    _keys: tuple[Key, ...] = attrs.field(alias="keys")
    _retired: tuple[KeyInfo, ...] = attrs.field(default=(), alias="retired")

    def __attrs_post_init__(self) -> None:
        if not isinstance(self._keys, tuple) or not all(isinstance(k, Key) for k in self._keys):
            raise TypeError("keys must be a tuple of keys; build a Keyring with generate()")
        if not isinstance(self._retired, tuple) or not all(
            isinstance(i, KeyInfo) for i in self._retired
        ):
            raise TypeError("retired must be a tuple of KeyInfo")
        # One canonical order (oldest first), so equal keyrings compare equal after a round trip.
        object.__setattr__(self, "_keys", tuple(sorted(self._keys, key=key_order)))
        object.__setattr__(self, "_retired", tuple(sorted(self._retired, key=info_order)))
        if not self._keys:
            raise KeyringError("the keyring is empty: it needs at least one key")
        ids = [k.info.id for k in self._keys]
        retired = [info.id for info in self._retired]
        if len(set(ids)) != len(ids) or len(set(retired)) != len(retired):
            raise KeyringError("the keyring holds the same key id twice")
        if set(ids) & set(retired):
            raise KeyringError("a key id is both live and retired in the keyring")
        statuses = [k.info.status for k in self._keys]
        if statuses.count(KeyStatus.ACTIVE) != 1:
            raise KeyringError("a keyring needs exactly one active key")
        if KeyStatus.RETIRED in statuses or any(
            info.status is not KeyStatus.RETIRED for info in self._retired
        ):
            raise KeyringError("retired keys carry no material")

    # -- constructors

    @classmethod
    def generate(cls, *, at: datetime | None = None) -> Keyring:
        """A new keyring holding one random 256-bit active key, created ``at`` (default: now)."""
        return cls.from_key(secrets.token_bytes(KEY_BYTES), at=at)

    @classmethod
    def from_key(
        cls, material: bytes, *, key_id: str | None = None, at: datetime | None = None
    ) -> Keyring:
        """A keyring holding ``material`` (at least 256 bits) as its active key.

        For keys that come from elsewhere (a KMS, a test vector); the id is
        random unless given.
        """
        secret = secret_from(material)
        key_id = new_key_id(()) if key_id is None else check_key_id(key_id)
        info = KeyInfo(key_id, at_or_now(at), KeyStatus.ACTIVE)
        return cls(keys=(Key(info, secret),))

    # -- lifecycle

    def rotate(
        self,
        *,
        material: bytes | None = None,
        key_id: str | None = None,
        at: datetime | None = None,
    ) -> Keyring:
        """A keyring with a new active key; the old active key becomes ``PREVIOUS``.

        New tokens carry the new id; what the old key made still verifies and
        unseals until the old key is retired (Art. 32(1): regular renewal of
        keys limits the damage of a leak).
        """
        secret = secret_from(secrets.token_bytes(KEY_BYTES) if material is None else material)
        taken = [*self.key_ids, *self.retired_ids]
        if key_id is None:
            key_id = new_key_id(taken)
        elif check_key_id(key_id) in taken:
            raise KeyringError(f"key id {key_id!r} is already used in this keyring")
        demoted = tuple(
            attrs.evolve(k, info=attrs.evolve(k.info, status=KeyStatus.PREVIOUS))
            if k.info.status is KeyStatus.ACTIVE
            else k
            for k in self._keys
        )
        new = Key(KeyInfo(key_id, at_or_now(at), KeyStatus.ACTIVE), secret)
        return Keyring(keys=(*demoted, new), retired=self._retired)

    def retire(self, key_id: str) -> Keyring:
        """A keyring without ``key_id``'s material; its tokens no longer unseal or verify.

        Retire a key after :meth:`Sealer.reseal` / :meth:`SubjectKeys.rewrap`
        moved everything to the active key. The id stays reserved. Retiring
        the active key is refused (rotate first); retiring twice is a no-op.
        """
        check_key_id(key_id)
        if key_id in self.retired_ids:
            return self
        key = self._key(key_id)
        if key.info.status is KeyStatus.ACTIVE:
            raise KeyringError(f"key {key_id!r} is the active key; rotate before retiring it")
        tombstone = attrs.evolve(key.info, status=KeyStatus.RETIRED)
        return Keyring(
            keys=tuple(k for k in self._keys if k.info.id != key_id),
            retired=(*self._retired, tombstone),
        )

    # -- inspection

    @property
    def active_id(self) -> str:
        """The id of the key that makes new tokens."""
        return self._active().info.id

    @property
    def key_ids(self) -> tuple[str, ...]:
        """The ids of the live keys (active and previous), oldest first."""
        return tuple(k.info.id for k in self._keys)

    @property
    def retired_ids(self) -> tuple[str, ...]:
        """The ids of retired keys, kept so they are never reused."""
        return tuple(info.id for info in self._retired)

    def info(self) -> tuple[KeyInfo, ...]:
        """Id, creation time and status of every key, live and retired."""
        return (*(k.info for k in self._keys), *self._retired)

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key_id: object) -> bool:
        return any(k.info.id == key_id for k in self._keys)

    def __repr__(self) -> str:
        return (
            f"Keyring(keys={len(self._keys)}, active={self.active_id!r}, "
            f"retired={len(self._retired)})"
        )

    # -- material, for the pseudonymisation tools only

    def _active(self) -> Key:
        for key in self._keys:
            if key.info.status is KeyStatus.ACTIVE:
                return key
        raise AssertionError("a validated keyring has an active key")

    def _key(self, key_id: str) -> Key:
        for key in self._keys:
            if key.info.id == key_id:
                return key
        if key_id in self.retired_ids:
            raise UnknownKeyId(f"key {key_id!r} was retired; its material is gone")
        raise UnknownKeyId(f"the keyring holds no key {key_id!r}")

    def _derive(self, key_id: str, info: bytes, length: int) -> bytes:
        return _crypto.hkdf_sha256(self._key(key_id).secret.reveal(), info, length)

    # -- JSON, for a secret manager

    def to_json(self, *, kek: KekProvider) -> str:
        """The keyring as JSON text for a secret manager, its material wrapped by ``kek``.

        Format (``docs/token-format.md``): ``{"format": "gdprkit.keyring",
        "version": 2, "kek": <kek id>, "keys": [{"id", "status",
        "created_at"}], "sealed": <base64url>}``; ``sealed`` holds the
        material, encrypted under the key-encryption key with the listing as
        associated data, so a changed document is refused by
        :meth:`from_json` (Art. 32(1)(b)). Keep ``kek`` apart from the text.
        """
        return keyring_json.to_json(self._keys, self._retired, kek)

    @classmethod
    def from_json(cls, text: str | bytes, *, kek: KekProvider) -> Keyring:
        """Load a keyring written by :meth:`to_json`; any defect raises :class:`KeyringError`.

        A document changed in any way that matters, or one wrapped by
        another key-encryption key, is refused (:class:`~gdprkit.KekError`
        where the KEK is missing or wrong). Messages say which entry and
        field is wrong, never the material.
        """
        return _keyring_from_rows(keyring_json.rows_from_json(text, kek))

    @classmethod
    def from_unprotected_json(cls, text: str | bytes) -> Keyring:
        """Load version-1 keyring JSON, the keys in clear with no integrity check: to migrate.

        Older gdprkit wrote this form. Nothing tells a changed document from
        the real one, so read it once, write it again with
        ``to_json(kek=...)`` and destroy the old text.
        """
        return _keyring_from_rows(keyring_json.rows_from_unprotected_json(text))

    # -- the store (SQLite or PostgreSQL)

    def save(self, store: Store, *, kek: KekProvider, name: str = "default") -> None:
        """Write the keyring to ``store`` under ``name``, wrapped by ``kek``, in one transaction.

        The store holds each key's material wrapped (AES-256-GCM, or what
        the :class:`KekProvider` does) by the key-encryption key, bound to
        the keyring's name and the key's id, status and creation time; the
        store alone reveals no key. Saving a keyring that lacks a key the
        store already has (a stale copy) is refused rather than losing it;
        a retired key's material is deleted from the store.
        """
        keyring_store.save(store, name, self._keys, self._retired, kek)
        logging.getLogger("gdprkit.keys").info(
            "keyring %r saved: %d keys, active key %s", name, len(self), self.active_id
        )

    @classmethod
    def load(cls, store: Store, *, kek: KekProvider, name: str = "default") -> Keyring:
        """Read the keyring saved under ``name``; :class:`KeyringError` if there is none.

        Without the key-encryption key that wrapped it: :class:`~gdprkit.KekError`.
        """
        return _keyring_from_rows(keyring_store.load_rows(store, name, kek))


def _keyring_from_rows(rows: Iterable[Row]) -> Keyring:
    keys: list[Key] = []
    retired: list[KeyInfo] = []
    for info, secret in rows:
        if secret is None:
            retired.append(info)
        else:
            keys.append(Key(info, secret))
    return Keyring(keys=tuple(keys), retired=tuple(retired))


def check_keyring(keyring: object) -> Keyring:
    """``keyring`` if it is a :class:`Keyring`, else a :class:`TypeError` naming its type."""
    if not isinstance(keyring, Keyring):
        raise TypeError(f"keyring must be a Keyring, got {type(keyring).__name__}")
    return keyring
