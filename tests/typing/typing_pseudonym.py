"""Type-checked with mypy --strict, never run: gdprkit.pseudonym keeps its types."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from typing_extensions import assert_type

from gdprkit.pseudonym import (
    KEK_ENV,
    Kek,
    KekProvider,
    KeyInfo,
    Keyring,
    KeyStatus,
    Pseudonymizer,
    Sealer,
    ShredResult,
    SubjectKeys,
    normalize_email,
    normalize_identity,
    normalize_phone_se,
    rewrap_keyrings,
)
from gdprkit.store import Checkpoint
from gdprkit.store.sqlite import SQLiteStore

now = datetime(2026, 1, 15, tzinfo=UTC)

# --- keyrings are values
ring = Keyring.generate()
assert_type(ring, Keyring)
assert_type(Keyring.generate(at=now), Keyring)
assert_type(Keyring.from_key(b"\x00" * 32, key_id="k1"), Keyring)
assert_type(ring.rotate(), Keyring)
assert_type(ring.rotate(material=b"\x01" * 32, key_id="k2", at=now), Keyring)
assert_type(ring.retire("k1"), Keyring)
assert_type(ring.active_id, str)
assert_type(ring.key_ids, tuple[str, ...])
assert_type(ring.retired_ids, tuple[str, ...])
assert_type(ring.info(), tuple[KeyInfo, ...])
assert_type(ring.info()[0].status, KeyStatus)
assert_type(ring.info()[0].created_at, datetime)
assert_type(len(ring), int)
assert_type("k1" in ring, bool)
# --- keyrings at rest are wrapped by a key-encryption key from outside the store
kek = Kek.env()
assert_type(kek, Kek)
assert_type(Kek.env("MY_KEK"), Kek)
assert_type(Kek.file("/run/secrets/gdprkit-kek"), Kek)
assert_type(Kek.from_callable(lambda: "kek1:..."), Kek)
assert_type(Kek.from_callable(lambda: b"kek1:..."), Kek)
assert_type(Kek.create_file("gdprkit.kek", exist_ok=True), Kek)
assert_type(Kek.generate(key_id="kek1"), str)
assert_type(kek.active_id, str)
assert_type(kek.ids, tuple[str, ...])
assert_type(kek.wrap(b"key", b"ad"), tuple[str, bytes])
provider: KekProvider = kek
assert_type(ring.to_json(kek=kek), str)
assert_type(Keyring.from_json("{}", kek=kek), Keyring)
assert_type(Keyring.from_json(b"{}", kek=provider), Keyring)
assert_type(Keyring.from_unprotected_json("{}"), Keyring)
assert_type(KEK_ENV, Literal["GDPRKIT_KEK"])

ring.to_json()  # type: ignore[call-arg]
Keyring.from_json("{}")  # type: ignore[call-arg]
Kek.from_callable(lambda: 42)  # type: ignore[arg-type, return-value]
provider = "kek1:..."  # type: ignore[assignment]

Keyring.from_key("not bytes")  # type: ignore[arg-type]
Keyring.generate(now)  # type: ignore[call-arg]
ring.active_id = "x"  # type: ignore[misc]

# --- tokens
p = Pseudonymizer(ring, domain="analytics", normalizer=normalize_email)
assert_type(p.token("anna@example.se"), str)
assert_type(p.token(b"anna@example.se"), str)
assert_type(p.tokens(["a", b"b"]), list[str])
assert_type(p.tokens(v for v in ("a", "b")), list[str])
assert_type(p.matches("a", "k1.x"), bool)
assert_type(p.token_key_id, str)
Pseudonymizer(ring, domain="d", normalizer=normalize_identity)
Pseudonymizer(ring, domain="d", normalizer=normalize_phone_se, key_id="k1")

p.token(1042)  # type: ignore[arg-type]
p.token(None)  # type: ignore[arg-type]
p.tokens([1, 2])  # type: ignore[list-item]
Pseudonymizer(ring, "analytics")  # type: ignore[call-arg]
Pseudonymizer(ring, domain="d", normalizer=len)  # type: ignore[arg-type]

# --- sealing
sealer = Sealer(ring, domain="support")
assert_type(sealer.seal("anna@example.se"), str)
assert_type(sealer.seal(b"\x00"), str)
assert_type(sealer.unseal("k1.s1.00"), str)
assert_type(sealer.unseal_bytes("k1.s1.00"), bytes)
assert_type(sealer.reseal("k1.s1.00"), str)
assert_type(sealer.key_id_of("k1.s1.00"), str)
sealer.unseal(b"k1.s1.00")  # type: ignore[arg-type]

# --- keys in a store (typing_store.py has the store itself) and crypto-shredding
store = SQLiteStore("gdprkit.db")
ring.save(store, kek=kek)
ring.save(store, kek=kek, name="tokens")
assert_type(Keyring.load(store, kek=kek, name="tokens"), Keyring)
assert_type(rewrap_keyrings(store, kek), int)
ring.save(store)  # type: ignore[call-arg]

keys = SubjectKeys(store, ring)
assert_type(keys.encrypt("C-1042", "email", "anna@example.se"), bytes)
assert_type(keys.encrypt("C-1042", "email", b"x", at=now), bytes)
assert_type(keys.decrypt("C-1042", "email", b"..."), bytes)
assert_type(keys.shred("C-1042"), ShredResult)
assert_type(keys.shred("C-1042", at=now).destroyed, bool)
assert_type(keys.shred("C-1042").complete, bool)
assert_type(keys.shred("C-1042").checkpoint, Checkpoint)
assert_type(keys.finish_shreds(), Checkpoint)
shredded: bool = keys.shred("C-1042")  # type: ignore[assignment]
assert_type(keys.is_shredded("C-1042"), bool)
assert_type(keys.rewrap(), int)

keys.decrypt("C-1042", "email", "text")  # type: ignore[arg-type]
keys.encrypt(1042, "email", b"x")  # type: ignore[arg-type]
SubjectKeys(store, b"\x00" * 32)  # type: ignore[arg-type]
