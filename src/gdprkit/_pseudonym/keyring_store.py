"""A keyring as rows of a store, each key's material wrapped by a key-encryption key.

``keyring_keys.material`` holds what the :class:`~gdprkit.pseudonym.KekProvider`
wrapped, bound (associated data) to the keyring's name, the key's id, status
and creation time, so a wrapped key moved to another row, keyring or status
does not unwrap; ``kek_id`` names the KEK. The store alone thus reveals no
key (Art. 4(5) GDPR: "kept separately"; Art. 32). Rows an older gdprkit wrote
in clear (``kek_id`` NULL) are refused until :func:`rewrap_keyrings` wraps
them.
"""

from __future__ import annotations

import hmac
from typing import Any, Final

from gdprkit._errors import KeyringError
from gdprkit._pseudonym.inputs import check_text
from gdprkit._pseudonym.kek import KekProvider, check_kek, unwrap_with, wrap_with
from gdprkit._pseudonym.keys import Key, KeyInfo, KeyStatus
from gdprkit._pseudonym.persist import Row, check_info, keyring_error, prefixed, with_material
from gdprkit.store import Store, StoreConnection, check_store

__all__ = ["load_rows", "rewrap_keyrings", "save"]

# The associated-data label of a wrapped key; name, id, status, creation time follow.
_ROW_AD: Final = b"gdprkit/v1/keyring-key\x00"
_COLUMNS: Final = "keyring, key_id, status, created_at, material, kek_id"


def _ad(name: str, key_id: str, status: str, created_at: str) -> bytes:
    return _ROW_AD + prefixed(p.encode("utf-8") for p in (name, key_id, status, created_at))


def _material(kek: KekProvider, row: tuple[Any, ...]) -> bytes | None:
    """The plain material of a stored row (``_COLUMNS``); None for a retired key."""
    name, key_id, status, created_at, material, kek_id = row
    if material is None:
        return None
    if not all(isinstance(v, str) for v in (name, key_id, status, created_at)):
        keyring_error(f"stored key of keyring {name!r} is malformed")
    if kek_id is None:
        keyring_error(
            f"keyring {name!r} is stored unwrapped (written by an older gdprkit); wrap it "
            "once with gdprkit.pseudonym.rewrap_keyrings(store, kek)"
        )
    return unwrap_with(kek, kek_id, bytes(material), _ad(name, key_id, status, created_at))


def _check_stale(
    conn: StoreConnection,
    name: str,
    keys: tuple[Key, ...],
    retired: tuple[KeyInfo, ...],
    kek: KekProvider,
) -> None:
    """Refuse to save a keyring that lacks a stored key or holds other material under its id."""
    live = {k.info.id: k for k in keys}
    gone = {i.id for i in retired}
    rows = conn.execute(f"SELECT {_COLUMNS} FROM keyring_keys WHERE keyring = ?", (name,))
    for row in rows.fetchall():
        key_id, status = row[1], row[2]
        if key_id not in live and key_id not in gone:
            raise KeyringError(
                f"the store holds key {key_id!r} that this keyring lacks; "
                "load the stored keyring and change that one"
            )
        if key_id in live:
            if status == KeyStatus.RETIRED.value:
                raise KeyringError(f"key {key_id!r} is retired in the store")
            # An older gdprkit's row in clear is compared as it is; this save wraps it.
            stored = row[4] if row[5] is None else _material(kek, row)
            if stored is None or not hmac.compare_digest(
                bytes(stored), live[key_id].secret.reveal()
            ):
                raise KeyringError(f"key {key_id!r} has other material in the store")


def save(
    store: Store, name: str, keys: tuple[Key, ...], retired: tuple[KeyInfo, ...], kek: object
) -> None:
    """Write a keyring's keys to ``store`` under ``name``, wrapped, in one transaction."""
    check_store(store)
    check_text(name, "name")
    provider = check_kek(kek)
    with store.transaction() as conn:
        _check_stale(conn, name, keys, retired, provider)
        # Retire and demote first: the store allows one active key per keyring at any moment.
        for info in retired:
            conn.execute(
                "INSERT INTO keyring_keys (keyring, key_id, created_at, status, material, kek_id)"
                " VALUES (?, ?, ?, 'retired', NULL, NULL) ON CONFLICT (keyring, key_id)"
                " DO UPDATE SET status = 'retired', material = NULL, kek_id = NULL",
                (name, info.id, info.created_at.isoformat()),
            )
        for key in sorted(keys, key=lambda k: k.info.status is KeyStatus.ACTIVE):
            created = key.info.created_at.isoformat()
            status = key.info.status.value
            ad = _ad(name, key.info.id, status, created)
            kek_id, wrapped = wrap_with(provider, key.secret.reveal(), ad)
            conn.execute(
                "INSERT INTO keyring_keys (keyring, key_id, created_at, status, material, kek_id)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (keyring, key_id)"
                " DO UPDATE SET created_at = excluded.created_at, status = excluded.status,"
                " material = excluded.material, kek_id = excluded.kek_id",
                (name, key.info.id, created, status, wrapped, kek_id),
            )
    # The rows' old images (a retired key's wrapped material, an older gdprkit's clear
    # material) leave SQLite's log; where a reader holds them, the next checkpoint does.
    store.checkpoint()


def load_rows(store: Store, name: str, kek: object) -> list[Row]:
    """The keys saved under ``name``, unwrapped; :class:`KeyringError` if there are none."""
    check_store(store)
    check_text(name, "name")
    provider = check_kek(kek)
    rows = store.query(
        f"SELECT {_COLUMNS} FROM keyring_keys WHERE keyring = ? ORDER BY created_at, key_id",
        (name,),
    )
    if not rows:
        raise KeyringError(f"the store holds no keyring named {name!r}")
    parsed = []
    for row in rows:
        where = f"stored key {row[1]!r}"
        info = check_info(row[1], row[2], row[3], where)
        parsed.append(with_material(info, _material(provider, row), where, "material"))
    return parsed


def rewrap_keyrings(store: Store, kek: object) -> int:
    """Wrap every keyring in ``store`` under ``kek``'s active KEK; returns how many keys moved.

    Run after putting a new KEK first in the KEK text (the old one still
    after it), then remove the old KEK everywhere: store backups wrapped
    under it can no longer be read. It also wraps the keys an older gdprkit
    saved in clear (``docs/howto/key-management.md``).
    """
    check_store(store)
    provider = check_kek(kek)
    moved = 0
    with store.transaction() as conn:
        rows = conn.execute(
            f"SELECT {_COLUMNS} FROM keyring_keys WHERE material IS NOT NULL"
            " ORDER BY keyring, key_id"
        ).fetchall()
        active = provider.active_id
        for row in rows:
            name, key_id, status, created_at, material, kek_id = row
            if kek_id is not None and kek_id == active:
                continue
            plain = bytes(material) if kek_id is None else _material(provider, row)
            assert plain is not None
            new_id, wrapped = wrap_with(provider, plain, _ad(name, key_id, status, created_at))
            conn.execute(
                "UPDATE keyring_keys SET material = ?, kek_id = ? WHERE keyring = ? AND key_id = ?",
                (wrapped, new_id, name, key_id),
            )
            moved += 1
    if moved:
        store.checkpoint()
    return moved
