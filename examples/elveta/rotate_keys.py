"""Rotate the keyring: old tokens still unseal, reseal moves them, retiring the old key ends it."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from _setup import workdir

import gdprkit as gk
from gdprkit import pseudonym
from gdprkit.store.sqlite import SQLiteStore

EXPECT = [
    "unsealed after rotation: True",
    "resealed under the new key: True",
    "old token after the old key is retired: UnknownTokenKey",
    "resealed token still unseals: True",
]

now = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Europe/Stockholm"))
folder = workdir()
# The key-encryption key that wraps keyrings at rest lives outside the store. A service
# reads it from its secret manager (pseudonym.Kek.env(), Kek.from_callable(...)); this
# example keeps a throw-away one beside the store, readable by its owner only.
kek = pseudonym.Kek.create_file(folder / "gdprkit.kek", exist_ok=True)
with SQLiteStore(folder / "gdprkit.db") as store:
    keyring = pseudonym.Keyring.generate(at=now)
    sealed = pseudonym.Sealer(keyring, domain="support").seal("anna.berg@example.se")

    rotated = keyring.rotate(at=now)
    rotated.save(store, kek=kek)
    print(f"keys {rotated.key_ids}, active {rotated.active_id}: {rotated!r}")
    sealer = pseudonym.Sealer(rotated, domain="support")
    print(f"unsealed after rotation: {sealer.unseal(sealed) == 'anna.berg@example.se'}")
    moved = sealer.reseal(sealed)
    print(f"resealed under the new key: {moved.startswith(rotated.active_id + '.')}")

    retired = rotated.retire(keyring.active_id)
    retired.save(store, kek=kek)
    assert pseudonym.Keyring.load(store, kek=kek) == retired
    try:
        pseudonym.Sealer(retired, domain="support").unseal(sealed)
    except gk.InvalidToken as exc:
        print(f"old token after the old key is retired: {type(exc).__name__}")
    still = pseudonym.Sealer(retired, domain="support").unseal(moved) == "anna.berg@example.se"
    print(f"resealed token still unseals: {still}")
