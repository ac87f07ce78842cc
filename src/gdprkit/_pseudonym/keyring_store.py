"""A keyring as rows of a store, each key's material wrapped by a key-encryption key.

``keyring_keys.material`` holds what the :class:`~gdprkit.pseudonym.KekProvider`
wrapped, bound (associated data) to the keyring's name, the key's id, status
and creation time, and to the keyring's whole listing (every key's id,
status and creation time, retired keys included), so a wrapped key moved to
another row, keyring or status does not unwrap, and neither does any key of
a keyring one of whose rows was deleted, added or changed; ``kek_id`` names
the KEK. The store alone thus reveals no key (Art. 4(5) GDPR: "kept
separately"; Art. 32), and a writer without the KEK cannot make it load
another keyring than the one saved (Art. 32(1)(b)). Rows an older gdprkit
wrote in clear (``kek_id`` NULL) are refused until :func:`rewrap_keyrings`
wraps them; rows it bound key by key still load, and are bound to the listing
at the next save or :func:`rewrap_keyrings`.
"""

from __future__ import annotations

import hmac
import itertools
from collections.abc import Iterable
from typing import Any, Final

from gdprkit._errors import KekError, KeyringError
from gdprkit._pseudonym.inputs import check_text
from gdprkit._pseudonym.kek import KekProvider, check_kek, unwrap_with, wrap_with
from gdprkit._pseudonym.keys import Key, KeyInfo, KeyStatus
from gdprkit._pseudonym.persist import Row, check_info, keyring_error, prefixed, with_material
from gdprkit.store import Store, StoreConnection, check_store

__all__ = ["load_rows", "rewrap_keyrings", "save"]

# The associated-data labels of a wrapped key; name, id, status, creation time follow, and
# (from v2 on) the keyring's listing.
_ROW_AD: Final = b"gdprkit/v1/keyring-key\x00"
_LISTED_AD: Final = b"gdprkit/v2/keyring-key\x00"
_COLUMNS: Final = "keyring, key_id, status, created_at, material, kek_id"


def _listing(rows: Iterable[tuple[Any, ...]]) -> bytes:
    """The canonical listing of a keyring's rows (``_COLUMNS``): each key's id, status, time."""
    keys = sorted((str(row[1]), str(row[2]), str(row[3])) for row in rows)
    return prefixed(prefixed(part.encode("utf-8") for part in key) for key in keys)


def _ad(name: str, key_id: str, status: str, created_at: str, listing: bytes | None) -> bytes:
    """A row's associated data: bound to the listing, or (``None``) to the row alone (v1)."""
    parts = [p.encode("utf-8") for p in (name, key_id, status, created_at)]
    if listing is None:
        return _ROW_AD + prefixed(parts)
    return _LISTED_AD + prefixed([*parts, listing])


def _material(kek: KekProvider, row: tuple[Any, ...], listing: bytes) -> tuple[bytes | None, bool]:
    """The plain material of a stored row (``_COLUMNS``), None for a retired key, and whether
    it was bound to the listing (False: key by key, as gdprkit wrapped it before)."""
    name, key_id, status, created_at, material, kek_id = row
    if material is None:
        return None, True
    if not all(isinstance(v, str) for v in (name, key_id, status, created_at)):
        keyring_error(f"stored key of keyring {name!r} is malformed")
    if kek_id is None:
        keyring_error(
            f"keyring {name!r} is stored unwrapped (written by an older gdprkit); wrap it "
            "once with gdprkit.pseudonym.rewrap_keyrings(store, kek)"
        )
    wrapped = bytes(material)
    listed = _ad(name, key_id, status, created_at, listing)
    try:
        return unwrap_with(kek, kek_id, wrapped, listed), True
    except KekError:
        pass  # perhaps bound key by key; if not, that attempt's error says so
    return unwrap_with(kek, kek_id, wrapped, _ad(name, key_id, status, created_at, None)), False


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
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM keyring_keys WHERE keyring = ?", (name,)
    ).fetchall()
    listing = _listing(rows)
    for row in rows:
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
            stored = row[4] if row[5] is None else _material(kek, row, listing)[0]
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
        listing = _listing(
            (name, i.id, i.status.value, i.created_at.isoformat())
            for i in (*(k.info for k in keys), *retired)
        )
        # Retire and demote first: the store allows one active key per keyring at any moment.
        for info in retired:
            conn.execute(
                "INSERT INTO keyring_keys (keyring, key_id, created_at, status, material, kek_id)"
                " VALUES (?, ?, ?, 'retired', NULL, NULL) ON CONFLICT (keyring, key_id)"
                " DO UPDATE SET created_at = excluded.created_at, status = 'retired',"
                " material = NULL, kek_id = NULL",
                (name, info.id, info.created_at.isoformat()),
            )
        for key in sorted(keys, key=lambda k: k.info.status is KeyStatus.ACTIVE):
            created = key.info.created_at.isoformat()
            status = key.info.status.value
            ad = _ad(name, key.info.id, status, created, listing)
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
    listing = _listing(rows)
    parsed = []
    bound = set()
    for row in rows:
        where = f"stored key {row[1]!r}"
        info = check_info(row[1], row[2], row[3], where)
        material, listed = _material(provider, row, listing)
        if material is not None:
            bound.add(listed)
        parsed.append(with_material(info, material, where, "material"))
    if len(bound) > 1:  # a writer mixed rows of two saves: no save writes both kinds
        keyring_error(f"keyring {name!r} mixes keys wrapped by two different saves")
    return parsed


def _rewrap(
    conn: StoreConnection, kek: KekProvider, active: str, rows: list[tuple[Any, ...]]
) -> int:
    """Wrap one keyring's keys under the active KEK, bound to its listing; how many moved."""
    listing = _listing(rows)
    moved = 0
    for row in rows:
        name, key_id, status, created_at, material, kek_id = row
        if material is None:
            continue
        plain, listed = (bytes(material), False) if kek_id is None else _material(kek, row, listing)
        if kek_id == active and listed:
            continue
        assert plain is not None
        ad = _ad(name, key_id, status, created_at, listing)
        new_id, wrapped = wrap_with(kek, plain, ad)
        conn.execute(
            "UPDATE keyring_keys SET material = ?, kek_id = ? WHERE keyring = ? AND key_id = ?",
            (wrapped, new_id, name, key_id),
        )
        moved += 1
    return moved


def rewrap_keyrings(store: Store, kek: object) -> int:
    """Wrap every keyring in ``store`` under ``kek``'s active KEK; returns how many keys moved.

    Run after putting a new KEK first in the KEK text (the old one still
    after it), then remove the old KEK everywhere: store backups wrapped
    under it can no longer be read. It also wraps the keys an older gdprkit
    saved in clear, and binds keys an older gdprkit wrapped key by key to
    their keyring's listing (``docs/howto/key-management.md``).
    """
    check_store(store)
    provider = check_kek(kek)
    moved = 0
    with store.transaction() as conn:
        rows = conn.execute(
            f"SELECT {_COLUMNS} FROM keyring_keys ORDER BY keyring, key_id"
        ).fetchall()
        active = provider.active_id
        for _, ring in itertools.groupby(rows, key=lambda row: row[0]):
            moved += _rewrap(conn, provider, active, list(ring))
    if moved:
        store.checkpoint()
    return moved
