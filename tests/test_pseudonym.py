"""gdprkit.pseudonym: keyrings, tokens, sealing, crypto-shredding — and that no key ever leaks."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import logging
import pickle
import re
import sqlite3
import stat
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from hypothesis import assume, given
from hypothesis import strategies as st

import gdprkit as gk
from gdprkit import _crypto, pseudonym
from gdprkit._audit.chain import ChainKeys
from gdprkit._pseudonym.kek import check_kek
from gdprkit._pseudonym.persist import prefixed
from gdprkit.audit import AuditLog
from gdprkit.pseudonym import (
    Kek,
    KeyInfo,
    Keyring,
    KeyStatus,
    Pseudonymizer,
    Sealer,
    SubjectKeys,
    UnknownTokenKey,
    normalize_email,
    normalize_identity,
    normalize_phone_se,
)
from gdprkit.store.sqlite import SQLiteStore

KEY = bytes(range(32))
KEY_HEX = KEY.hex()
T0 = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)

# ---------------------------------------------------------------- leak detection

#: Every key material a test created, with the subkeys derived from it.
SECRETS: dict[bytes, None] = {}  # an ordered set


def _hkdf(ikm: bytes, info: bytes, length: int) -> bytes:
    """RFC 5869 HKDF-SHA256 without salt, in plain stdlib: the reference for the docs."""
    prk = hmac.new(b"\x00" * 32, ikm, hashlib.sha256).digest()
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        out += block
        counter += 1
    return out[:length]


DOMAINS = ("analytics", "support", "d")


def track(material: bytes) -> bytes:
    """Remember ``material`` (and its derived subkeys) as a secret that must never print."""
    if material in SECRETS:
        return material
    SECRETS[material] = None
    SECRETS[_hkdf(material, b"gdprkit/v1/kek", 32)] = None
    SECRETS[_hkdf(material, b"gdprkit/v1/tombstone", 64)] = None
    SECRETS[_hkdf(material, b"gdprkit/v1/keyring-kek", 32)] = None
    SECRETS[_hkdf(material, b"gdprkit/v1/audit-chain", 32)] = None
    for domain in DOMAINS:
        SECRETS[_hkdf(material, b"gdprkit/v1/token\x00" + domain.encode(), 32)] = None
        SECRETS[_hkdf(material, b"gdprkit/v1/seal\x00" + domain.encode(), 64)] = None
    return material


def track_keyring(keyring: Keyring) -> Keyring:
    for key in keyring._keys:
        track(key.secret.reveal())
    return keyring


def spellings(secret: bytes) -> list[str]:
    """The ways a secret could show up in text."""
    forms = [
        secret.hex(),
        secret.hex().upper(),
        secret.hex()[:16],
        base64.b64encode(secret).decode(),
        base64.urlsafe_b64encode(secret).decode().rstrip("="),
        base64.b64encode(secret[:12]).decode(),
        repr(secret)[2:-1],
        secret.decode("latin-1"),
    ]
    return [f for f in forms if len(f) >= 12]


_FORMS: dict[bytes, list[str]] = {}


def assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        forms = _FORMS.get(secret)
        if forms is None:
            forms = _FORMS[secret] = spellings(secret)
        for form in forms:
            assert form not in text, "key material leaked"


def exception_text(exc: BaseException) -> tuple[str, str]:
    """(the formatted traceback, and str/repr/args of ``exc`` and every chained cause)."""
    parts = []
    seen: BaseException | None = exc
    while seen is not None:
        parts += [str(seen), repr(seen), repr(seen.args)]
        seen = seen.__cause__ or seen.__context__
    return "".join(traceback.format_exception(exc)), "\n".join(parts)


@contextmanager
def raises(
    error: type[BaseException] | tuple[type[BaseException], ...],
    match: str | None = None,
    *,
    values: tuple[str, ...] = (),
) -> Iterator[pytest.ExceptionInfo[BaseException]]:
    """``pytest.raises`` that also checks the error shows no key and none of ``values``.

    The traceback is searched for key material; the error's own text (not
    the traceback, which quotes the test's source) for the personal values.
    """
    with pytest.raises(error, match=match) as info:
        yield info
    formatted, own = exception_text(info.value)
    assert_no_secret(formatted + own)
    for value in values:
        assert value not in own, "a personal value leaked"


track(KEY)


def keyring(material: bytes = KEY, key_id: str = "test01", at: datetime = T0) -> Keyring:
    return Keyring.from_key(track(material), key_id=key_id, at=at)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


#: The key-encryption key the tests wrap keyrings with, and the text a Kek reads.
KEK_MATERIAL = track(bytes(range(50, 82)))
WRAP_TEXT = f"kek1:{b64(KEK_MATERIAL)}"


def wrap_text() -> str:
    return WRAP_TEXT


WRAP = Kek.from_callable(wrap_text)


@pytest.fixture
def kr() -> Keyring:
    return keyring()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    with SQLiteStore(tmp_path / "gdprkit.db") as s:
        yield s


# Hypothesis keys are not tracked (thousands would slow every check); the fixed ones are.
materials = st.binary(min_size=32, max_size=64)
texts = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
values = st.one_of(texts, st.binary(max_size=40))

# ---------------------------------------------------------------- published test vectors

# The same table is in docs/token-format.md: key 000102…1f, key id "test01".
TOKEN_VECTORS = [
    ("analytics", "anna@example.se", "test01.YN1Di7C77rJ2y6vzSoXmrsLZ"),
    ("analytics", "", "test01.FLGh_Aq91NHBcbMpM4Zcr99j"),
    ("analytics", "Åsa Öberg", "test01.kep5fXNeU2kagKDADeq6_MmB"),
    ("analytics", b"\x00\xff", "test01.s_QKdPgp8bWfbyPsw65xLcnP"),
    ("support", "anna@example.se", "test01.EdB6pOckv8g8grDtqaZwgqkI"),
    ("support", "", "test01.aux5Jugio9waA4TQuxPKd9rt"),
    ("support", "Åsa Öberg", "test01.19PJ0Aj1GJCk5KTuTa4u3nKk"),
    ("support", b"\x00\xff", "test01.n74ZGsYnq5sPxV2_BuhCddMn"),
]
SEAL_VECTORS = [
    (
        "support",
        "anna@example.se",
        "test01.s1.8d8f599cf2444f031a545cfbeb4c9cf7e228956aaeb9ebf963e5a1f333762f",
    ),
    ("support", "", "test01.s1.ea98ea203543bfc389c3d3f75fb21978"),
    ("support", "Åsa Öberg", "test01.s1.5120ac1a5f3ecf997030726c42a5eabf81f42e8883c8eb20cc435c"),
]
TOMBSTONE_VECTORS = [
    ("C-1042", "test01.t1.677672d0168f340804b52bf40e525df05d3d92771411"),
    ("Åsa Öberg", "test01.t1.a3f6ece0a942c9a93c3380267fe25d1a1d4abe485b2fd408e3553d"),
]
SUBKEY_VECTORS = [
    (
        b"gdprkit/v1/token\x00analytics",
        32,
        "e9529240565ea94150af8b6185a3ffaff79af0b64a61e8040b1aa597f5b3dfe5",
    ),
    (
        b"gdprkit/v1/token\x00support",
        32,
        "41592dc09ba9d76752f652f99f4831c576793d29def728e36e08bf60eb443958",
    ),
    (b"gdprkit/v1/kek", 32, "1da71d0fff57b547f55bc38b3c49c289b2470175989ed4f9c16afa0967325bbe"),
]


@pytest.mark.parametrize(("domain", "value", "token"), TOKEN_VECTORS)
def test_token_vectors(kr: Keyring, domain: str, value: str | bytes, token: str) -> None:
    assert Pseudonymizer(kr, domain=domain).token(value) == token
    assert reference_token(KEY, "test01", domain, value) == token


@pytest.mark.parametrize(("domain", "value", "token"), SEAL_VECTORS)
def test_seal_vectors(kr: Keyring, domain: str, value: str, token: str) -> None:
    sealer = Sealer(kr, domain=domain)
    assert sealer.seal(value) == token
    assert sealer.unseal(token) == value


@pytest.mark.parametrize(("subject", "token"), TOMBSTONE_VECTORS)
def test_tombstone_vectors(kr: Keyring, store: SQLiteStore, subject: str, token: str) -> None:
    # The documented construction, from the primitive (docs/token-format.md) ...
    siv = AESSIV(_hkdf(KEY, b"gdprkit/v1/tombstone", 64))
    body = siv.encrypt(subject.encode(), [b"gdprkit/v1/tombstone\x00test01"])
    assert "test01.t1." + body.hex() == token
    # ... is what a shred leaves in the store.
    SubjectKeys(store, kr).shred(subject, at=T0)
    assert store.query("SELECT subject, token_key FROM subject_keys") == [(token, "test01")]


@pytest.mark.parametrize(("info", "length", "subkey"), SUBKEY_VECTORS)
def test_subkey_vectors(info: bytes, length: int, subkey: str) -> None:
    assert _crypto.hkdf_sha256(KEY, info, length).hex() == subkey
    assert _hkdf(KEY, info, length).hex() == subkey


def reference_token(material: bytes, key_id: str, domain: str, value: str | bytes) -> str:
    """The plain twin of the fast path: the spec of docs/token-format.md in stdlib."""
    data = value.encode() if isinstance(value, str) else value
    subkey = _hkdf(material, b"gdprkit/v1/token\x00" + domain.encode(), 32)
    digest = hashlib.blake2b(data, key=subkey, digest_size=18).digest()
    return key_id + "." + base64.urlsafe_b64encode(digest).decode()


# ---------------------------------------------------------------- Keyring


def test_generate() -> None:
    ring = track_keyring(Keyring.generate(at=T0))
    assert len(ring) == 1
    assert re.fullmatch(r"[a-z2-7]{6}", ring.active_id)
    assert ring.key_ids == (ring.active_id,)
    (info,) = ring.info()
    assert info == KeyInfo(ring.active_id, T0, KeyStatus.ACTIVE)
    assert repr(ring) == f"Keyring(keys=1, active={ring.active_id!r}, retired=0)"
    assert str(ring) == repr(ring)


def test_generate_defaults_to_now() -> None:
    before = datetime.now(UTC)
    ring = track_keyring(Keyring.generate())
    assert before <= ring.info()[0].created_at <= datetime.now(UTC)


def test_generated_keys_differ() -> None:
    a, b = track_keyring(Keyring.generate()), track_keyring(Keyring.generate())
    assert a != b
    assert a._keys[0].secret != b._keys[0].secret


@pytest.mark.parametrize("length", [0, 1, 16, 31])
def test_short_keys_are_refused(length: int) -> None:
    with raises(gk.KeyringError, match="at least 256 bits"):
        Keyring.from_key(bytes(length))
    ring = keyring()
    with raises(gk.KeyringError, match="at least 256 bits"):
        ring.rotate(material=bytes(length))


@pytest.mark.parametrize("material", ["0" * 64, bytearray(32), None, 42], ids=repr)
def test_key_material_must_be_bytes(material: object) -> None:
    with raises(TypeError, match="material must be bytes"):
        Keyring.from_key(material)  # type: ignore[arg-type]


@pytest.mark.parametrize("key_id", ["", "a.b", "a-b", "x" * 17, "é", "a b"])
def test_bad_key_ids(key_id: str) -> None:
    with raises(gk.KeyringError, match="key_id"):
        Keyring.from_key(KEY, key_id=key_id)


def test_key_id_type() -> None:
    with raises(TypeError, match="key_id"):
        Keyring.from_key(KEY, key_id=7)  # type: ignore[arg-type]


def test_naive_time_is_refused() -> None:
    with raises(gk.NaiveDatetimeError):
        Keyring.from_key(KEY, at=datetime(2026, 1, 1))


def test_empty_keyring() -> None:
    with raises(gk.KeyringError, match="empty"):
        Keyring(keys=())
    with raises(TypeError):
        Keyring(keys=[])  # type: ignore[arg-type]


def test_rotate_is_a_new_value(kr: Keyring) -> None:
    rotated = track_keyring(kr.rotate(at=T0 + timedelta(days=1)))
    assert kr.active_id == "test01"  # unchanged
    assert len(kr) == 1
    assert len(rotated) == 2
    assert rotated.active_id != "test01"
    assert [(i.id, i.status) for i in rotated.info()] == [
        ("test01", KeyStatus.PREVIOUS),
        (rotated.active_id, KeyStatus.ACTIVE),
    ]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        kr._keys = ()  # type: ignore[misc]


def test_rotate_with_given_material_and_id(kr: Keyring) -> None:
    rotated = kr.rotate(material=track(bytes(range(1, 33))), key_id="test02", at=T0)
    assert rotated.active_id == "test02"
    with raises(gk.KeyringError, match="already used"):
        rotated.rotate(key_id="test01")


def test_retire(kr: Keyring) -> None:
    ring = kr.rotate(material=track(bytes(range(1, 33))), key_id="test02", at=T0)
    with raises(gk.KeyringError, match="active"):
        ring.retire("test02")
    with raises(gk.UnknownKeyId, match="nope"):
        ring.retire("nope")
    retired = ring.retire("test01")
    assert retired.key_ids == ("test02",)
    assert retired.retired_ids == ("test01",)
    assert "test01" not in retired
    assert "test02" in retired
    assert retired.retire("test01") == retired  # idempotent
    with raises(gk.KeyringError, match="already used"):
        retired.rotate(key_id="test01")
    with raises(gk.UnknownKeyId, match="retired"):
        retired._key("test01")
    assert repr(retired) == "Keyring(keys=1, active='test02', retired=1)"


def test_equality_is_by_value_and_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        calls.append(1)
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    assert keyring() == keyring()
    assert calls
    assert hash(keyring()) == hash(keyring())
    assert keyring() != keyring(bytes(range(1, 33)))


def test_key_material_does_not_pickle_but_copies(kr: Keyring) -> None:
    with raises(TypeError, match="cannot be pickled"):
        pickle.dumps(kr)
    assert copy.deepcopy(kr) == kr
    assert copy.copy(kr) == kr


# -- JSON


def rings() -> st.SearchStrategy[Keyring]:
    """Keyrings after random rotations and retirements."""

    @st.composite
    def build(draw: st.DrawFn) -> Keyring:
        ring = Keyring.from_key(draw(materials), at=T0)
        for step in range(draw(st.integers(0, 4))):
            ring = ring.rotate(material=draw(materials), at=T0 + timedelta(hours=step + 1))
            previous = [i.id for i in ring.info() if i.status is KeyStatus.PREVIOUS]
            retire: bool = draw(st.booleans())
            if previous and retire:
                ring = ring.retire(draw(st.sampled_from(previous)))
        return ring

    return build()


@given(rings())
def test_json_round_trip(ring: Keyring) -> None:
    text = ring.to_json(kek=WRAP)
    assert Keyring.from_json(text, kek=WRAP) == ring
    assert Keyring.from_json(text.encode(), kek=WRAP) == ring
    assert ring.active_id in text


def test_json_shape(kr: Keyring) -> None:
    data = json.loads(kr.to_json(kek=WRAP))
    sealed = data.pop("sealed")
    assert data == {
        "format": "gdprkit.keyring",
        "version": 2,
        "kek": "kek1",
        "keys": [{"id": "test01", "status": "active", "created_at": "2026-01-15T09:30:00+00:00"}],
    }
    # nonce, the 4-byte length and the key, the tag: nothing else, and no key in clear
    assert len(base64.urlsafe_b64decode(sealed + "==")) == 12 + 4 + 32 + 16
    assert_no_secret(kr.to_json(kek=WRAP))


def test_json_is_wrapped_by_the_kek_and_refused_without_it(kr: Keyring) -> None:
    text = kr.to_json(kek=WRAP)
    other = Kek.from_callable(
        lambda: "kek1:" + base64.urlsafe_b64encode(bytes(range(90, 122))).decode().rstrip("=")
    )
    with raises(gk.KekError, match="does not unwrap"):
        Keyring.from_json(text, kek=other)
    with raises(gk.KekError, match="holds no KEK 'kek1'"):
        Keyring.from_json(text, kek=Kek.from_callable(lambda: Kek.generate(key_id="kek2")))
    with raises(gk.KekError, match="kek must be a key-encryption key provider"):
        Keyring.from_json(text, kek=KEY)  # type: ignore[arg-type]
    with raises(gk.KekError, match="kek must be"):
        kr.to_json(kek=None)  # type: ignore[arg-type]


#: A keyring of three keys (one retired), as JSON: what the mutation tests change.
MUTATED = (
    keyring()
    .rotate(material=track(bytes(range(1, 33))), key_id="test02", at=T0 + timedelta(days=1))
    .rotate(material=track(bytes(range(2, 34))), key_id="test03", at=T0 + timedelta(days=2))
    .retire("test01")
)


def _loads_the_same_or_is_refused(text: bytes) -> bool:
    """Whether a changed document is refused with a KeyringError (True) or loads unchanged."""
    try:
        loaded = Keyring.from_json(text, kek=WRAP)
    except gk.KeyringError:
        return True
    assert loaded == MUTATED, "a changed keyring document loaded as another keyring"
    assert [(i.id, i.status, i.created_at) for i in loaded.info()] == [
        (i.id, i.status, i.created_at) for i in MUTATED.info()
    ]
    return False


@pytest.mark.slow
def test_every_single_byte_change_is_refused_or_changes_nothing() -> None:
    original = MUTATED.to_json(kek=WRAP).encode()
    kept = 0
    for at in range(len(original)):
        for value in range(256):
            if value == original[at]:
                continue
            changed = original[:at] + bytes((value,)) + original[at + 1 :]
            kept += not _loads_the_same_or_is_refused(changed)
    # What may load: the same document with other whitespace between its tokens.
    assert 0 < kept < len(original) * 4


@given(st.data())
def test_random_changes_are_refused_or_change_nothing(data: st.DataObject) -> None:
    original = bytearray(MUTATED.to_json(kek=WRAP).encode())
    for _ in range(data.draw(st.integers(1, 6))):
        at = data.draw(st.integers(0, len(original) - 1))
        op = data.draw(st.sampled_from(["set", "delete", "insert"]))
        if op == "set":
            original[at] = data.draw(st.integers(0, 255))
        elif op == "delete" and len(original) > 1:
            del original[at]
        else:
            original.insert(at, data.draw(st.integers(0, 255)))
    _loads_the_same_or_is_refused(bytes(original))


def _doc(*keys: Any, **top: Any) -> str:
    data: dict[str, Any] = {"format": "gdprkit.keyring", "version": 1, "keys": list(keys)}
    data.update(top)
    return json.dumps(data)


GOOD = {
    "id": "test01",
    "status": "active",
    "created_at": "2026-01-15T09:30:00+00:00",
    "key": base64.urlsafe_b64encode(KEY).decode().rstrip("="),
}


def _v2(**changes: Any) -> str:
    """The version-2 document of ``keyring()``, with top-level fields changed."""
    data = json.loads(keyring().to_json(kek=WRAP))
    data.update(changes)
    return json.dumps(data)


def _v2_entry(**changes: Any) -> str:
    data = json.loads(keyring().to_json(kek=WRAP))
    data["keys"][0].update(changes)
    return json.dumps(data)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("{not json" + GOOD["key"], "malformed"),
        ("[]", "not a 'gdprkit.keyring'"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"format": "gdprkit.keyring", "format": "gdprkit.keyring"}', "names a field twice"),
        (_v2(version=3), "version"),
        (_v2(version=True), "version"),
        (_v2(version=2.0), "version"),
        (_v2(version="2"), "version"),
        (_v2(extra=1), "unknown fields: extra"),
        (_v2(kek=["kek1"]), "kek must be"),
        (_v2(kek="kek.1"), "kek must be"),
        (_v2(sealed=12), "sealed is not"),
        (_v2(sealed="AAAA"), "does not unwrap"),
        (_v2(keys=[]), "no keys"),
        (_v2(keys={"id": "test01"}), "no keys"),
        (_v2_entry(status=["active"]), r"keys\[0\].status must be one of"),
        (_v2_entry(status={"s": 1}), r"keys\[0\].status must be one of"),
        (_v2_entry(status=None), r"keys\[0\].status must be one of"),
        (_v2_entry(id=7), r"keys\[0\].id"),
        (_v2_entry(created_at=["2026"]), "created_at"),
        (_v2_entry(key=GOOD["key"]), "unknown fields: key"),
        (_v2_entry(status="previous"), "does not unwrap"),
        (_v2_entry(created_at="2026-01-15T09:30:00+01:00"), "does not unwrap"),
        (_doc(GOOD), "version-1 keyring JSON"),
    ],
    ids=lambda v: v if len(str(v)) < 30 else None,
)
def test_malformed_json_gets_keyring_errors(text: str, match: str) -> None:
    with raises(gk.KeyringError, match=match) as info:
        Keyring.from_json(text, kek=WRAP)
    assert info.value.__context__ is None or "key" not in str(info.value.__context__)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("{not json" + GOOD["key"], "malformed"),
        (json.dumps({"format": "other", "keys": [GOOD]}), "not a 'gdprkit.keyring'"),
        (_doc(GOOD, version=3), "version"),
        (_doc(GOOD, version=True), "version"),
        (_doc(GOOD, version=2), "not version 1"),
        (_doc(), "no keys"),
        (_doc(GOOD, keys="x"), "no keys"),
        (_doc("x"), r"keys\[0\] must be an object"),
        (_doc({**GOOD, "key": GOOD["key"] + "=="}), "base64"),
        (_doc({**GOOD, "key": GOOD["key"][:-1] + "!"}), "base64"),
        (_doc({**GOOD, "key": 12}), "base64"),
        (_doc({**GOOD, "key": GOOD["key"][:40]}), "at least 256 bits"),
        (_doc({**GOOD, "extra": 1}), "unknown fields: extra"),
        (_doc({**GOOD, "id": "a.b"}), r"keys\[0\].id"),
        (_doc({**GOOD, "status": "revoked"}), r"keys\[0\].status"),
        (_doc({**GOOD, "status": ["active"]}), r"keys\[0\].status"),
        (_doc({**GOOD, "created_at": "2026-01-15T09:30:00"}), "created_at"),
        (_doc({**GOOD, "created_at": "yesterday"}), "created_at"),
        (_doc({**GOOD, "created_at": None}), "created_at"),
        (_doc({k: v for k, v in GOOD.items() if k != "key"}), r"keys\[0\].key is missing"),
        (_doc({**GOOD, "status": "retired"}), "still carries key material"),
        (_doc(GOOD, {**GOOD, "id": "test02"}), "exactly one active"),
        (_doc(GOOD, GOOD), "same key id twice"),
        (_doc({**GOOD, "status": "previous"}), "exactly one active"),
        (_doc(GOOD, {**GOOD, "status": "retired", "key": None}), "both live and retired"),
        (_doc({**GOOD, "key": GOOD["key"] + "AA"}), "base64"),
    ],
    ids=lambda v: v if len(str(v)) < 30 else None,
)
def test_malformed_unprotected_json_gets_keyring_errors(text: str, match: str) -> None:
    with raises(gk.KeyringError, match=match) as info:
        Keyring.from_unprotected_json(text)
    assert info.value.__context__ is None or "key" not in str(info.value.__context__)


def test_unprotected_json_migrates_once(kr: Keyring) -> None:
    legacy = _doc(GOOD)
    assert Keyring.from_unprotected_json(legacy) == kr
    assert Keyring.from_json(kr.to_json(kek=WRAP), kek=WRAP) == kr


def test_malformed_json_carries_no_context() -> None:
    with raises(gk.KeyringError) as info:
        Keyring.from_json('{"keys": "' + GOOD["key"], kek=WRAP)
    assert info.value.__context__ is None
    assert info.value.__cause__ is None


def test_from_json_type() -> None:
    with raises(TypeError, match="text"):
        Keyring.from_json(None, kek=WRAP)  # type: ignore[arg-type]


# -- the store


def test_store_round_trip(store: SQLiteStore) -> None:
    ring = keyring().rotate(material=track(bytes(range(1, 33))), key_id="test02", at=T0)
    ring.save(store, kek=WRAP)
    assert Keyring.load(store, kek=WRAP) == ring
    retired = ring.retire("test01")
    retired.save(store, kek=WRAP)
    assert Keyring.load(store, kek=WRAP) == retired
    rows = store.query("SELECT key_id, status, material IS NULL FROM keyring_keys ORDER BY 1")
    assert rows == [("test01", "retired", 1), ("test02", "active", 0)]


@given(rings())
def test_store_round_trip_property(ring: Keyring) -> None:
    with SQLiteStore.memory() as memory:
        ring.save(memory, kek=WRAP, name="p")
        assert Keyring.load(memory, kek=WRAP, name="p") == ring


def test_store_rotation_sequence(store: SQLiteStore) -> None:
    ring = keyring()
    ring.save(store, kek=WRAP)
    for day in range(1, 4):
        ring = track_keyring(ring.rotate(at=T0 + timedelta(days=day)))
        ring.save(store, kek=WRAP)
        assert Keyring.load(store, kek=WRAP) == ring
    ring = ring.retire("test01")
    ring.save(store, kek=WRAP)
    assert Keyring.load(store, kek=WRAP) == ring


def test_named_keyrings_are_separate(store: SQLiteStore) -> None:
    keyring().save(store, kek=WRAP, name="tokens")
    keyring(bytes(range(1, 33)), key_id="kek001").save(store, kek=WRAP, name="kek")
    assert Keyring.load(store, kek=WRAP, name="tokens").active_id == "test01"
    assert Keyring.load(store, kek=WRAP, name="kek").active_id == "kek001"
    with raises(gk.KeyringError, match="no keyring named 'default'"):
        Keyring.load(store, kek=WRAP)


def test_stale_keyring_is_not_saved(store: SQLiteStore) -> None:
    old = keyring()
    newer = track_keyring(old.rotate(at=T0 + timedelta(days=1)))
    newer.save(store, kek=WRAP)
    with raises(gk.KeyringError, match="lacks"):
        old.save(store, kek=WRAP)
    assert Keyring.load(store, kek=WRAP) == newer


def test_other_material_under_the_same_id_is_refused(store: SQLiteStore) -> None:
    keyring().save(store, kek=WRAP)
    with raises(gk.KeyringError, match="other material"):
        keyring(bytes(range(1, 33))).save(store, kek=WRAP)


def test_retired_key_cannot_come_back(store: SQLiteStore) -> None:
    ring = keyring().rotate(material=track(bytes(range(1, 33))), key_id="test02", at=T0)
    ring.retire("test01").save(store, kek=WRAP)
    with raises(gk.KeyringError, match="lacks|retired"):
        ring.save(store, kek=WRAP)


def test_retired_material_leaves_the_file(tmp_path: Path) -> None:
    path = tmp_path / "k.db"
    with SQLiteStore(path) as s:
        ring = keyring().rotate(material=track(bytes(range(1, 33))), key_id="test02", at=T0)
        ring.save(s, kek=WRAP)
        ring.retire("test01").save(s, kek=WRAP)
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert KEY not in raw
    assert bytes(range(1, 33)) not in raw  # the live key is there wrapped, never in clear


def test_store_arguments(kr: Keyring, store: SQLiteStore) -> None:
    with raises(TypeError, match="store"):
        kr.save("sqlite:///x.db", kek=WRAP)  # type: ignore[arg-type]
    with raises(gk.KekError, match="kek must be"):
        kr.save(store, kek="kek1:AAAA")  # type: ignore[arg-type]
    with raises(TypeError, match="store"):
        Keyring.load(None, kek=WRAP)  # type: ignore[arg-type]
    with raises(ValueError, match="name"):
        kr.save(store, kek=WRAP, name="")


def test_corrupt_store_rows(store: SQLiteStore) -> None:
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO keyring_keys (keyring, key_id, created_at, status, material, kek_id)"
            " VALUES ('default', 'test01', 'not a time', 'active', ?, 'kek1')",
            (KEY,),
        )
    with raises(gk.KeyringError, match="created_at"):
        Keyring.load(store, kek=WRAP)


# ---------------------------------------------------------------- keyrings wrapped at rest


def test_a_keyring_in_the_store_is_wrapped_and_bound_to_its_row(
    tmp_path: Path, store: SQLiteStore
) -> None:
    ring = keyring().rotate(material=track(bytes(range(1, 33))), key_id="test02", at=T0)
    ring.save(store, kek=WRAP, name="tokens")
    assert store.checkpoint().complete
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert KEY not in raw and bytes(range(1, 33)) not in raw
    assert store.query("SELECT DISTINCT kek_id FROM keyring_keys") == [("kek1",)]
    with store.transaction() as conn:  # a writer promotes the previous key: it no longer unwraps
        conn.execute("UPDATE keyring_keys SET status = 'retired', material = NULL, kek_id = NULL"
                     " WHERE key_id = 'test02'")  # fmt: skip
        conn.execute("UPDATE keyring_keys SET status = 'active' WHERE key_id = 'test01'")
    with raises(gk.KekError, match="does not unwrap"):
        Keyring.load(store, kek=WRAP, name="tokens")


def test_a_wrapped_key_moved_to_another_keyring_does_not_unwrap(store: SQLiteStore) -> None:
    keyring().save(store, kek=WRAP, name="tokens")
    with store.transaction() as conn:
        conn.execute("UPDATE keyring_keys SET keyring = 'audit'")
    with raises(gk.KekError, match="does not unwrap"):
        Keyring.load(store, kek=WRAP, name="audit")


def _three_generations(store: SQLiteStore) -> Keyring:
    """A keyring with a retired, a previous and an active key, saved as ``tokens``."""
    ring = keyring().rotate(material=track(bytes(range(1, 33))), key_id="test02", at=T0)
    ring = ring.rotate(material=track(bytes(range(2, 34))), key_id="test03", at=T0)
    ring = ring.retire("test01")
    ring.save(store, kek=WRAP, name="tokens")
    return ring


@pytest.mark.parametrize(
    "change",
    [
        "DELETE FROM keyring_keys WHERE key_id = 'test02'",
        "DELETE FROM keyring_keys WHERE key_id = 'test01'",
        "UPDATE keyring_keys SET keyring = 'other' WHERE key_id = 'test01'",
        "UPDATE keyring_keys SET key_id = 'test09' WHERE key_id = 'test01'",
        "UPDATE keyring_keys SET created_at = '2020-01-01T00:00:00+00:00' WHERE key_id = 'test01'",
        "INSERT INTO keyring_keys (keyring, key_id, created_at, status, material, kek_id)"
        " VALUES ('tokens', 'test07', '2026-01-15T09:30:00+00:00', 'retired', NULL, NULL)",
    ],
    ids=["a live key deleted", "a retired key deleted", "a retired key moved away",
         "a retired key renamed", "a retired key's time changed", "a retired key added"],
)  # fmt: skip
def test_a_keyring_whose_rows_were_changed_is_refused_not_loaded_otherwise(
    store: SQLiteStore, change: str
) -> None:
    """Each wrapped key is bound to the keyring's whole listing (ids, statuses, times), so a
    writer without the KEK cannot make the store load a keyring other than the one saved."""
    ring = _three_generations(store)
    assert Keyring.load(store, kek=WRAP, name="tokens") == ring
    with store.transaction() as conn:
        conn.execute(change)
    with raises(gk.KekError, match="does not unwrap"):
        Keyring.load(store, kek=WRAP, name="tokens")


def test_rows_bound_key_by_key_by_an_earlier_gdprkit_load_and_are_bound_whole_when_saved(
    store: SQLiteStore,
) -> None:
    ring = _three_generations(store)
    with store.transaction() as conn:  # as the previous release wrapped them: row by row
        for key in ring._keys:
            info = key.info
            ad = b"gdprkit/v1/keyring-key\x00" + prefixed(
                p.encode() for p in ("tokens", info.id, info.status.value,
                                     info.created_at.isoformat())
            )  # fmt: skip
            conn.execute(
                "UPDATE keyring_keys SET material = ? WHERE key_id = ?",
                (WRAP.wrap(key.secret.reveal(), ad)[1], info.id),
            )
    assert Keyring.load(store, kek=WRAP, name="tokens") == ring
    (old,) = store.query("SELECT material FROM keyring_keys WHERE key_id = 'test02'")
    assert pseudonym.rewrap_keyrings(store, WRAP) == 2  # bound to the listing now
    assert pseudonym.rewrap_keyrings(store, WRAP) == 0
    with store.transaction() as conn:  # one row put back as an older backup holds it
        conn.execute("UPDATE keyring_keys SET material = ? WHERE key_id = 'test02'", old)
    with raises(gk.KeyringError, match="mixes keys wrapped by two different saves"):
        Keyring.load(store, kek=WRAP, name="tokens")
    with store.transaction() as conn:
        conn.execute("DELETE FROM keyring_keys WHERE key_id = 'test01'")
    with raises(gk.KekError, match="does not unwrap"):
        Keyring.load(store, kek=WRAP, name="tokens")


def test_loading_without_the_right_kek_is_a_kek_error(store: SQLiteStore) -> None:
    keyring().save(store, kek=WRAP)
    wrong = Kek.from_callable(lambda: f"kek1:{b64(bytes(range(90, 122)))}")
    with raises(gk.KekError, match="does not unwrap with the KEK of the KEK callable"):
        Keyring.load(store, kek=wrong)
    other = Kek.from_callable(lambda: Kek.generate(key_id="other"))
    with raises(gk.KekError, match="holds no KEK 'kek1'"):
        Keyring.load(store, kek=other)
    with raises(gk.KekError):  # a stale save cannot even compare
        keyring().save(store, kek=wrong)
    assert issubclass(gk.KekError, gk.KeyringError)


def _plain_rows(store: Any, name: str, ring: Keyring) -> None:
    """Write ``ring`` as an older gdprkit did: the material in clear, no KEK."""
    with store.transaction() as conn:
        for key in ring._keys:
            conn.execute(
                "INSERT INTO keyring_keys (keyring, key_id, created_at, status, material)"
                " VALUES (?, ?, ?, ?, ?)",
                (name, key.info.id, key.info.created_at.isoformat(), key.info.status.value,
                 key.secret.reveal()),
            )  # fmt: skip


def test_a_keyring_an_older_gdprkit_saved_in_clear_is_refused_until_wrapped(
    tmp_path: Path, store: SQLiteStore
) -> None:
    ring = keyring().rotate(material=track(bytes(range(1, 33))), key_id="test02", at=T0)
    _plain_rows(store, "tokens", ring)
    _plain_rows(store, "other", keyring(bytes(range(3, 35)), key_id="test09"))
    with raises(gk.KeyringError, match=r"stored unwrapped .*rewrap_keyrings\(store, kek\)"):
        Keyring.load(store, kek=WRAP, name="tokens")
    assert pseudonym.rewrap_keyrings(store, WRAP) == 3
    assert pseudonym.rewrap_keyrings(store, WRAP) == 0
    assert Keyring.load(store, kek=WRAP, name="tokens") == ring
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert KEY not in raw and bytes(range(1, 33)) not in raw and bytes(range(3, 35)) not in raw


def test_saving_wraps_a_keyring_an_older_gdprkit_saved_in_clear(store: SQLiteStore) -> None:
    ring = keyring()
    _plain_rows(store, "default", ring)
    with raises(gk.KeyringError, match="other material"):
        keyring(bytes(range(1, 33))).save(store, kek=WRAP)
    ring.save(store, kek=WRAP)
    assert store.query("SELECT kek_id FROM keyring_keys") == [("kek1",)]
    assert Keyring.load(store, kek=WRAP) == ring


def test_kek_rotation_and_retirement_leave_old_backups_unreadable(tmp_path: Path) -> None:
    new = f"kek2:{b64(track(bytes(range(60, 92))))}"
    texts = {"now": WRAP_TEXT}
    kek = Kek.from_callable(lambda: texts["now"])
    ring = keyring()
    live, backup = tmp_path / "gdprkit.db", tmp_path / "backup.db"
    with SQLiteStore(live) as store:
        ring.save(store, kek=kek)
        store.checkpoint()
    backup.write_bytes(live.read_bytes())
    backup.chmod(0o600)
    texts["now"] = f"{new} {WRAP_TEXT}"  # rotate: the new KEK first, the old one still there
    assert kek.active_id == "kek2"
    with SQLiteStore(live) as store:
        assert pseudonym.rewrap_keyrings(store, kek) == 1
        assert store.query("SELECT kek_id FROM keyring_keys") == [("kek2",)]
    texts["now"] = new  # retire: the old KEK is gone
    with SQLiteStore(live) as store:
        assert Keyring.load(store, kek=kek) == ring
    with SQLiteStore(backup, read_only=True) as old, raises(gk.KekError, match="no KEK 'kek1'"):
        Keyring.load(old, kek=kek)


def test_kek_from_a_file_the_environment_and_a_callable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store: SQLiteStore
) -> None:
    ring = keyring()
    path = tmp_path / "gdprkit.kek"
    made = Kek.create_file(path, key_id="filekek")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert made == Kek.file(path) and made.active_id == "filekek"
    track(base64.urlsafe_b64decode(path.read_text().split(":")[1].strip() + "=="))
    text = ring.to_json(kek=made)
    assert Keyring.from_json(text, kek=Kek.file(path)) == ring
    with raises(gk.KekError, match="exists already"):
        Kek.create_file(path)
    assert Kek.create_file(path, exist_ok=True) == made
    path.chmod(0o644)
    with raises(gk.KekError, match="chmod 600"):
        Keyring.from_json(text, kek=made)
    monkeypatch.setenv("GDPRKIT_KEK", WRAP_TEXT)
    ring.save(store, kek=Kek.env())
    assert Keyring.load(store, kek=WRAP) == ring
    monkeypatch.delenv("GDPRKIT_KEK")
    with raises(gk.KekError, match="'GDPRKIT_KEK' is not set"):
        Keyring.load(store, kek=Kek.env())
    assert pickle.loads(pickle.dumps(Kek.env("OTHER"))) == Kek.env("OTHER")
    assert repr(Kek.env()) == "Kek.env('GDPRKIT_KEK')"
    assert repr(WRAP) == "Kek.from_callable(<wrap_text>)"


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "holds no KEK"),
        ("kek1", "entry 1 is not"),
        (f"kek1:{b64(bytes(16))}", "shorter than 256 bits"),
        (f"{WRAP_TEXT}, kek.2:{b64(bytes(32))}", "entry 2 is not"),
        (f"{WRAP_TEXT}\n{WRAP_TEXT}", "'kek1' twice"),
        (f"kek1:{b64(KEK_MATERIAL)}==", "entry 1 is not"),
        ("kék1:AAAA".encode("latin-1"), "not ASCII"),
        (42, "returned int"),
    ],
    ids=["empty", "no key", "short", "bad id", "twice", "padded", "not ascii", "not text"],
)
def test_malformed_kek_text_is_refused_without_echo(kr: Keyring, text: object, match: str) -> None:
    kek = Kek.from_callable(lambda: text)  # type: ignore[arg-type, return-value]
    with raises(gk.KekError, match=match, values=(b64(KEK_MATERIAL), "kék1")):
        kr.to_json(kek=kek)


class _Kms:
    """A stand-in for a KMS that never lets its key out: it only wraps and unwraps."""

    active_id = "kms1"

    def __init__(self) -> None:
        self._aead = _crypto.AesGcm(bytes(range(7, 39)))
        self.calls = 0

    def wrap(self, data: bytes, associated_data: bytes) -> tuple[str, bytes]:
        self.calls += 1
        return "kms1", self._aead.encrypt(data, associated_data)

    def unwrap(self, kek_id: str, wrapped: bytes, associated_data: bytes) -> bytes:
        self.calls += 1
        plain = self._aead.decrypt(wrapped, associated_data)
        if kek_id != "kms1" or plain is None:
            raise PermissionError("AccessDeniedException: the KMS refused (request 7f3a)")
        return plain


def test_a_kms_provider_that_keeps_its_key(store: SQLiteStore) -> None:
    kms = _Kms()
    track(bytes(range(7, 39)))
    assert check_kek(kms) is kms
    ring = keyring().rotate(material=track(bytes(range(1, 33))), key_id="test02", at=T0)
    ring.save(store, kek=kms)
    assert Keyring.load(store, kek=kms) == ring
    assert Keyring.from_json(ring.to_json(kek=kms), kek=kms) == ring
    assert kms.calls > 0
    with store.transaction() as conn:
        conn.execute("UPDATE keyring_keys SET created_at = '2026-01-16T09:30:00+00:00'"
                     " WHERE key_id = 'test01'")  # fmt: skip
    with raises(
        gk.KekError, match=r"could not unwrap under KEK 'kms1' \(PermissionError\)"
    ) as info:
        Keyring.load(store, kek=kms)
    assert "7f3a" not in str(info.value) and info.value.__context__ is None


def test_a_provider_that_misbehaves_is_a_kek_error(kr: Keyring) -> None:
    class Broken(_Kms):
        def wrap(self, data: bytes, associated_data: bytes) -> tuple[str, bytes]:
            return "kms1", "not bytes"  # type: ignore[return-value]

    with raises(gk.KekError, match="failed to wrap"):
        kr.to_json(kek=Broken())


# ---------------------------------------------------------------- Pseudonymizer


def test_token_format(kr: Keyring) -> None:
    token = Pseudonymizer(kr, domain="analytics").token("anna@example.se")
    assert re.fullmatch(r"test01\.[A-Za-z0-9_-]{24}", token)


@given(materials, st.text(min_size=1, max_size=12), values)
def test_tokens_are_deterministic_and_match_the_reference(
    material: bytes, domain: str, value: str | bytes
) -> None:
    ring = Keyring.from_key(material, key_id="k1", at=T0)
    one = Pseudonymizer(ring, domain=domain)
    two = Pseudonymizer(Keyring.from_key(material, key_id="k1", at=T0), domain=domain)
    token = one.token(value)
    assert token == one.token(value) == two.token(value)
    assert token == reference_token(material, "k1", domain, value)
    assert len(token) == len("k1.") + 24
    assert one.matches(value, token)


@given(texts)
def test_text_and_its_utf8_bytes_agree(value: str) -> None:
    p = Pseudonymizer(keyring(), domain="analytics")
    assert p.token(value) == p.token(value.encode())


@given(st.lists(values, max_size=60))
def test_batch_agrees_with_one_by_one(batch: list[str | bytes]) -> None:
    p = Pseudonymizer(keyring(), domain="analytics")
    assert p.tokens(batch) == [p.token(v) for v in batch]
    assert p.tokens(iter(batch)) == p.tokens(tuple(batch))


@pytest.mark.parametrize("n", [0, 1, 1023, 1024, 1025, 2048, 3000])
def test_batch_across_chunk_boundaries(kr: Keyring, n: int) -> None:
    p = Pseudonymizer(kr, domain="analytics")
    batch: list[str | bytes] = [f"u{i}" if i % 3 else f"u{i}".encode() for i in range(n)]
    expected = [reference_token(KEY, "test01", "analytics", v) for v in batch]
    assert p.tokens(batch) == expected
    assert p.tokens(v for v in batch) == p.tokens(batch)
    assert p._token_block(batch) == "".join(t.split(".")[1] for t in expected).encode()


@given(st.lists(values, max_size=60), st.booleans())
def test_token_block_is_the_tokens_end_to_end(batch: list[str | bytes], normal: bool) -> None:
    """The block gdprkit.dask builds its token columns from agrees with tokens()."""
    if normal:
        batch = [v.decode("latin-1") if isinstance(v, bytes) else v for v in batch]
    p = Pseudonymizer(keyring(), domain="analytics", normalizer=normalize_email if normal else None)
    block = p._token_block(batch)
    assert [f"test01.{block[i : i + 24].decode()}" for i in range(0, len(block), 24)] == (
        p.tokens(batch)
    )


def test_batch_error_index_counts_across_chunks(kr: Keyring) -> None:
    p = Pseudonymizer(kr, domain="analytics")
    batch: list[object] = [f"u{i}" for i in range(3000)]
    batch[2500] = 7
    for tokens in (p.tokens, p._token_block):
        with raises(TypeError, match=r"^values\[2500\] must be str or bytes, got int"):
            tokens(batch)  # type: ignore[arg-type]
    batch[2500] = "x\udfff"
    for tokens in (p.tokens, p._token_block):
        with raises(ValueError, match=r"^values\[2500\] is not valid Unicode"):
            tokens(batch)  # type: ignore[arg-type]


@given(st.lists(texts, max_size=30))
def test_batch_with_normalizer_agrees(batch: list[str]) -> None:
    p = Pseudonymizer(keyring(), domain="analytics", normalizer=normalize_email)
    assert p.tokens(batch) == [p.token(v) for v in batch]


@given(materials, values, st.sampled_from(DOMAINS), st.sampled_from(DOMAINS))
def test_domains_are_unlinkable(material: bytes, value: str | bytes, d1: str, d2: str) -> None:
    assume(d1 != d2)
    ring = Keyring.from_key(material, key_id="k1", at=T0)
    a = Pseudonymizer(ring, domain=d1).token(value)
    b = Pseudonymizer(ring, domain=d2).token(value)
    assert a != b
    assert not Pseudonymizer(ring, domain=d2).matches(value, a)


@given(materials, materials, values)
def test_keys_are_unlinkable(m1: bytes, m2: bytes, value: str | bytes) -> None:
    assume(m1 != m2)
    a = Pseudonymizer(Keyring.from_key(m1, key_id="k1"), domain="d").token(value)
    b = Pseudonymizer(Keyring.from_key(m2, key_id="k1"), domain="d").token(value)
    assert a != b


@given(st.lists(values, min_size=1, max_size=10, unique=True))
def test_rotation_is_visible_and_old_tokens_still_match(batch: list[str | bytes]) -> None:
    ring = keyring()
    old = Pseudonymizer(ring, domain="analytics").tokens(batch)
    rotated = ring.rotate(material=track(bytes(range(1, 33))), key_id="test02", at=T0)
    p = Pseudonymizer(rotated, domain="analytics")
    new = p.tokens(batch)
    assert all(t.startswith("test02.") for t in new)
    assert all(t.startswith("test01.") for t in old)
    assert set(old).isdisjoint(new)
    assert all(p.matches(v, t) for v, t in zip(batch, old, strict=True))
    pinned = Pseudonymizer(rotated, domain="analytics", key_id="test01")
    assert pinned.tokens(batch) == old
    assert pinned.token_key_id == "test01"
    retired = rotated.retire("test01")
    with raises(UnknownTokenKey):
        Pseudonymizer(retired, domain="analytics").matches(batch[0], old[0])


def test_unique_values_get_unique_tokens(kr: Keyring) -> None:
    batch = [f"user{i}@example.se" for i in range(20_000)]
    assert len(set(Pseudonymizer(kr, domain="analytics").tokens(batch))) == len(batch)


def test_matches(kr: Keyring) -> None:
    p = Pseudonymizer(kr, domain="analytics")
    token = p.token("anna@example.se")
    assert p.matches("anna@example.se", token)
    assert p.matches(b"anna@example.se", token)
    assert not p.matches("bo@example.se", token)
    assert not p.matches("anna@example.se", token[:-1])
    assert not p.matches("anna@example.se", "not a token")
    with raises(UnknownTokenKey, match="'other1'") as info:
        p.matches("anna@example.se", "other1" + token[6:])
    assert isinstance(info.value, gk.UnknownKeyId)
    assert isinstance(info.value, gk.InvalidToken)
    with raises(TypeError, match="token"):
        p.matches("anna@example.se", token.encode())  # type: ignore[arg-type]


def test_matches_compares_in_constant_time(kr: Keyring, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[Any, Any]] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        seen.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    p = Pseudonymizer(kr, domain="analytics")
    assert p.matches("x", p.token("x"))
    assert seen


def test_normalizers_in_use(kr: Keyring) -> None:
    p = Pseudonymizer(kr, domain="analytics", normalizer=normalize_email)
    assert p.token("  Anna@Example.SE ") == p.token("anna@example.se")
    assert p.matches("ANNA@example.se", p.token("anna@example.se"))
    plain = Pseudonymizer(kr, domain="analytics")
    assert plain.token("Anna@Example.SE") != plain.token("anna@example.se")
    with raises(TypeError, match="normalizer"):
        p.token(b"anna@example.se")
    with raises(TypeError, match="normalizer"):
        p.tokens([b"anna@example.se"])


def test_normalizer_must_return_text(kr: Keyring) -> None:
    p = Pseudonymizer(kr, domain="d", normalizer=lambda v: None)  # type: ignore[arg-type,return-value]
    with raises(TypeError, match="normalizer must return a str"):
        p.token("x")


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("  Anna@Example.SE\n", "anna@example.se"),
        ("STRASSE@x.de", "strasse@x.de"),
        ("Straße@x.de", "strasse@x.de"),
        ("A\u0308sa@x.se", "äsa@x.se"),
    ],
    ids=["strip and fold", "upper", "sharp s", "combining diaeresis"],
)
def test_normalize_email(raw: str, normal: str) -> None:
    assert normalize_email(raw) == normal


def test_normalize_identity() -> None:
    assert normalize_identity("A\u0308sa") == "Äsa"
    assert normalize_identity(" Äsa ") == " Äsa "  # NFC only


@pytest.mark.parametrize(
    "raw",
    ["070-123 45 67", "+46 70 123 45 67", "+46 (0)70 123 45 67", "0046701234567", "0701234567"],
)
def test_normalize_phone_se(raw: str) -> None:
    assert normalize_phone_se(raw) == "+46701234567"


def test_normalize_phone_se_landline() -> None:
    assert normalize_phone_se("08-123 456 78") == "+46812345678"


@pytest.mark.parametrize("raw", ["+4512345678", "12345", "07", "070-ABC", "+46 70 123 45 67 89 0"])
def test_normalize_phone_se_refuses_without_echo(raw: str) -> None:
    with raises(ValueError, match="not a Swedish telephone number", values=(raw,)):
        normalize_phone_se(raw)


@pytest.mark.parametrize("fn", [normalize_email, normalize_identity, normalize_phone_se])
def test_normalizers_want_text(fn: Callable[[str], str]) -> None:
    with raises(TypeError, match="value must be a str"):
        fn(b"x")  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [12345678, None, 1.5, ["anna@example.se"], bytearray(b"x")])
def test_wrong_types_name_the_parameter_not_the_value(kr: Keyring, bad: object) -> None:
    p = Pseudonymizer(kr, domain="analytics")
    echo = tuple(s for s in (str(bad), repr(bad)) if s not in {"None"})
    with raises(TypeError, match="^value must be str or bytes", values=echo):
        p.token(bad)  # type: ignore[arg-type]
    with raises(TypeError, match=r"^values\[1\] must be str or bytes", values=echo):
        p.tokens(["ok", bad])  # type: ignore[list-item]


def test_str_and_bytes_subclasses_are_values(kr: Keyring) -> None:
    class Email(str):
        pass

    class Raw(bytes):
        pass

    p = Pseudonymizer(kr, domain="analytics")
    assert (
        p.tokens([Email("anna@example.se"), Raw(b"anna@example.se")])
        == [p.token("anna@example.se")] * 2
    )
    assert Sealer(kr, domain="d").seal(Raw(b"x")) == Sealer(kr, domain="d").seal("x")


def test_tokens_wants_an_iterable_of_values(kr: Keyring) -> None:
    p = Pseudonymizer(kr, domain="analytics")
    with raises(TypeError, match="not a single str"):
        p.tokens("anna@example.se")
    with raises(TypeError):
        p.tokens(None)  # type: ignore[arg-type]
    assert p.tokens([]) == []


def test_lone_surrogates_are_refused_without_echo(kr: Keyring) -> None:
    p = Pseudonymizer(kr, domain="analytics")
    value = "anna\ud800@example.se"
    with raises(ValueError, match="not valid Unicode", values=(value, "anna")) as info:
        p.token(value)
    assert info.value.__context__ is None
    with raises(ValueError, match=r"values\[1\] is not valid Unicode", values=("anna",)) as info:
        p.tokens(["ok", value])
    assert info.value.__context__ is None
    with raises(ValueError, match="not valid Unicode", values=("anna",)) as info:
        Sealer(kr, domain="d").seal(value)
    assert info.value.__context__ is None


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"domain": ""}, ValueError, "domain"),
        ({"domain": 3}, TypeError, "domain"),
        ({"domain": "a\udc00"}, ValueError, "domain is not valid"),
        ({"domain": "d", "normalizer": "email"}, TypeError, "normalizer"),
        ({"domain": "d", "key_id": "nope"}, gk.UnknownKeyId, "nope"),
        ({"domain": "d", "key_id": "a.b"}, gk.KeyringError, "key_id"),
    ],
    ids=["empty domain", "domain type", "surrogate", "normalizer type", "unknown key", "bad id"],
)
def test_pseudonymizer_arguments(
    kr: Keyring, kwargs: dict[str, Any], error: type[Exception], match: str
) -> None:
    with raises(error, match=match):
        Pseudonymizer(kr, **kwargs)


def test_pseudonymizer_wants_a_keyring() -> None:
    with raises(TypeError, match="keyring must be a Keyring"):
        Pseudonymizer(KEY, domain="d")  # type: ignore[arg-type]
    with raises(TypeError, match="keyring must be a Keyring"):
        Sealer("x", domain="d")  # type: ignore[arg-type]


def test_pseudonymizer_is_a_frozen_value(kr: Keyring) -> None:
    p = Pseudonymizer(kr, domain="analytics", normalizer=normalize_email)
    assert p == Pseudonymizer(keyring(), domain="analytics", normalizer=normalize_email)
    assert p != Pseudonymizer(kr, domain="support", normalizer=normalize_email)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        p.domain = "x"  # type: ignore[misc]
    assert repr(p) == (
        "Pseudonymizer(domain='analytics', key_id='test01', normalizer=normalize_email, "
        "keyring=Keyring(keys=1, active='test01', retired=0))"
    )


# ---------------------------------------------------------------- Sealer


@given(values, st.sampled_from(DOMAINS))
def test_seal_round_trip_and_determinism(value: str | bytes, domain: str) -> None:
    sealer = Sealer(keyring(), domain=domain)
    token = sealer.seal(value)
    assert token == sealer.seal(value)
    assert re.fullmatch(r"test01\.s1\.[0-9a-f]{32,}", token)
    raw = value.encode() if isinstance(value, str) else value
    assert sealer.unseal_bytes(token) == raw
    if isinstance(value, str):
        assert sealer.unseal(token) == value
        assert sealer.seal(raw) == token
    assert sealer.key_id_of(token) == "test01"


@given(values, st.sampled_from(DOMAINS), st.sampled_from(DOMAINS))
def test_sealed_tokens_are_bound_to_their_domain(value: str | bytes, d1: str, d2: str) -> None:
    assume(d1 != d2)
    ring = keyring()
    token = Sealer(ring, domain=d1).seal(value)
    other = Sealer(ring, domain=d2)
    assert other.seal(value) != token
    with raises(gk.InvalidToken):
        other.unseal_bytes(token)


def flips(token: str) -> Iterator[str]:
    """Every token that differs from ``token`` in exactly one bit of one character."""
    for i, char in enumerate(token):
        for bit in range(8):
            yield token[:i] + chr(ord(char) ^ (1 << bit)) + token[i + 1 :]


@pytest.mark.parametrize(
    "value",
    ["anna@example.se", "", "Åsa", b"\x00\xff" * 20],
    ids=["email", "empty", "non-ascii", "binary"],
)
def test_every_single_bit_flip_is_rejected(kr: Keyring, value: str | bytes) -> None:
    sealer = Sealer(kr.rotate(material=track(bytes(range(1, 33))), key_id="test02"), domain="d")
    token = sealer.seal(value)
    messages = set()
    for changed in flips(token):
        with pytest.raises(gk.InvalidToken) as info:
            sealer.unseal_bytes(changed)
        messages.add(exception_text(info.value)[1])
    assert_no_secret("\n".join(messages))


@given(values, st.data())
def test_random_bit_flips_are_rejected(value: str | bytes, data: st.DataObject) -> None:
    sealer = Sealer(keyring(), domain="d")
    token = sealer.seal(value)
    i = data.draw(st.integers(0, len(token) - 1))
    bit = data.draw(st.integers(0, 7))
    changed = token[:i] + chr(ord(token[i]) ^ (1 << bit)) + token[i + 1 :]
    with raises(gk.InvalidToken):
        sealer.unseal(changed)


def test_truncated_and_extended_tokens_are_rejected(kr: Keyring) -> None:
    sealer = Sealer(kr, domain="d")
    token = sealer.seal("anna@example.se")
    for end in range(len(token)):
        with raises(gk.InvalidToken):
            sealer.unseal(token[:end])
    for extra in ("0", "00", "=", "\n", " "):
        with raises(gk.InvalidToken):
            sealer.unseal(token + extra)
    with raises(gk.InvalidToken):
        sealer.unseal(token.upper())


def test_a_token_under_a_foreign_key_with_the_same_id(kr: Keyring) -> None:
    token = Sealer(kr, domain="d").seal("x")
    other = Sealer(keyring(bytes(range(1, 33))), domain="d")
    with raises(gk.InvalidToken):
        other.unseal(token)


@given(st.lists(values, min_size=1, max_size=8))
def test_rotation_and_reseal(batch: list[str | bytes]) -> None:
    ring = keyring()
    old = [Sealer(ring, domain="d").seal(v) for v in batch]
    rotated = ring.rotate(material=track(bytes(range(1, 33))), key_id="test02", at=T0)
    sealer = Sealer(rotated, domain="d")
    resealed = [sealer.reseal(t) for t in old]
    for value, before, after in zip(batch, old, resealed, strict=True):
        raw = value.encode() if isinstance(value, str) else value
        assert sealer.unseal_bytes(before) == raw == sealer.unseal_bytes(after)
        assert after.startswith("test02.s1.")
        assert after == sealer.seal(value)
        assert sealer.reseal(after) == after
    after_retire = Sealer(rotated.retire("test01"), domain="d")
    assert [after_retire.unseal_bytes(t) for t in resealed] == [
        v.encode() if isinstance(v, str) else v for v in batch
    ]
    with raises(UnknownTokenKey, match="'test01'") as info:
        after_retire.unseal(old[0])
    assert isinstance(info.value, gk.InvalidToken)
    assert isinstance(info.value, gk.UnknownKeyId)


def test_reseal_checks_integrity(kr: Keyring) -> None:
    sealer = Sealer(kr, domain="d")
    token = sealer.seal("anna")
    changed = token[:-1] + ("0" if token[-1] != "0" else "1")
    with raises(gk.InvalidToken):
        sealer.reseal(changed)


def test_unseal_text_of_binary(kr: Keyring) -> None:
    sealer = Sealer(kr, domain="d")
    token = sealer.seal(b"\xff\xfe")
    with raises(ValueError, match="unseal_bytes"):
        sealer.unseal(token)
    assert sealer.unseal_bytes(token) == b"\xff\xfe"


@pytest.mark.parametrize("bad", [12345678, None, ["x"]])
def test_sealer_wrong_types(kr: Keyring, bad: object) -> None:
    sealer = Sealer(kr, domain="d")
    echo = tuple(s for s in (str(bad), repr(bad)) if s != "None")
    with raises(TypeError, match="^value must be str or bytes", values=echo):
        sealer.seal(bad)  # type: ignore[arg-type]
    with raises(TypeError, match="^token must be a str"):
        sealer.unseal(bad)  # type: ignore[arg-type]
    with raises(TypeError, match="^token must be a str"):
        sealer.unseal(sealer.seal("x").encode())  # type: ignore[arg-type]
    with raises(TypeError, match="^value must be str or bytes") as info:
        sealer.seal(bytearray(b"x"))  # type: ignore[arg-type]
    assert info.value.__context__ is None


def test_a_str_subclass_is_read_as_its_text(kr: Keyring) -> None:
    """A str subclass seals and tokenises as its text: an overridden encode() cannot substitute other bytes."""

    class Sly(str):
        def encode(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
            return b"someone else"

    sealer = Sealer(kr, domain="d")
    token = sealer.seal(Sly("anna@example.se"))
    assert token == sealer.seal("anna@example.se") == sealer.seal(b"anna@example.se")
    assert sealer.unseal(token) == "anna@example.se"
    tokens = Pseudonymizer(kr, domain="d")
    assert tokens.token(Sly("anna@example.se")) == tokens.token("anna@example.se")
    assert tokens.tokens([Sly("anna@example.se")]) == [tokens.token("anna@example.se")]


def test_sealer_repr(kr: Keyring) -> None:
    assert repr(Sealer(kr, domain="support")) == (
        "Sealer(domain='support', keyring=Keyring(keys=1, active='test01', retired=0))"
    )


def test_invalid_token_messages_do_not_echo(kr: Keyring) -> None:
    sealer = Sealer(kr, domain="d")
    for junk in ("anna@example.se", "anna.s1.00", "x" * 200):
        with raises(gk.InvalidToken, values=("anna", "xxxxxxxx")):
            sealer.unseal(junk)


# The fast path of unsealing against the format read plainly (STYLE.md rule 8).

#: The sealed-token pattern exactly as docs/token-format.md writes it.
DOCUMENTED_SEALED = re.compile(r"([A-Za-z0-9]{1,16})\.s1\.([0-9a-f]{2}){16,}")
TWIN_MATERIAL = {"test01": KEY, "test02": bytes(range(1, 33))}
TWIN_RING = keyring().rotate(material=track(TWIN_MATERIAL["test02"]), key_id="test02", at=T0)
TWIN_DOMAIN = "d"


def plain_unseal_bytes(token: str) -> bytes | type[Exception]:
    """docs/token-format.md read plainly: its pattern, stdlib HKDF, AES-SIV; the error type."""
    found = DOCUMENTED_SEALED.fullmatch(token)
    if found is None:
        return gk.InvalidToken
    key_id = token.split(".")[0]
    if key_id not in TWIN_MATERIAL:
        return UnknownTokenKey
    domain = TWIN_DOMAIN.encode()
    subkey = _hkdf(TWIN_MATERIAL[key_id], b"gdprkit/v1/seal\x00" + domain, 64)
    ad = b"gdprkit/v1/seal\x00" + key_id.encode() + b"\x00" + domain
    try:
        return AESSIV(subkey).decrypt(bytes.fromhex(token.split(".")[2]), [ad])
    except InvalidTag:
        return gk.InvalidToken


def outcome(unseal: Callable[[str], object], token: str) -> object:
    try:
        return unseal(token)
    except Exception as exc:  # the type is the outcome
        return type(exc)


@st.composite
def near_tokens(draw: st.DrawFn) -> str:
    """Sealed tokens of either key, intact or changed by one edit, or arbitrary text."""
    kinds = ["intact", "edited", "edited", "cased", "moved", "arbitrary", "shaped"]
    kind = draw(st.sampled_from(kinds))
    if kind == "arbitrary":
        return draw(st.text(max_size=80))
    if kind == "shaped":
        head = draw(st.sampled_from(["test02.s1.", "test01.s1.", "test03.s1.", "test02.S1."]))
        return head + draw(st.text(alphabet="0123456789abcdefABCDEF .\n-", max_size=80))
    key_id = draw(st.sampled_from(["test01", "test02"]))
    ring = TWIN_RING if key_id == "test02" else keyring()
    token = Sealer(ring, domain=TWIN_DOMAIN).seal(draw(values))
    if kind == "intact":
        return token
    head, _, body = token.rpartition(".")
    if kind == "moved":  # the body alone, under the other key, or behind more text
        return draw(st.sampled_from([body, f"test01.s1.{body}", f"test02.s1.{body}", f"x{token}"]))
    if kind == "cased":  # hex that decodes to the same bytes, but not in the canonical case
        letters = [i for i, c in enumerate(body) if c in "abcdef"] or [0]
        i = draw(st.sampled_from(letters))
        body = draw(st.sampled_from([body.upper(), body[:i] + body[i].upper() + body[i + 1 :]]))
        return f"{head}.{body}"
    i = draw(st.integers(0, len(token)))
    char = draw(st.one_of(st.characters(), st.sampled_from("0123456789abcdefABCDEF. ")))
    edit = draw(st.sampled_from(["replace", "insert", "delete", "upper", "truncate"]))
    if edit == "insert":
        return token[:i] + char + token[i:]
    if edit == "truncate":
        return token[:i]
    if i == len(token):
        i -= 1
    if edit == "upper":
        return token[:i] + token[i].upper() + token[i + 1 :]
    return token[:i] + (char if edit == "replace" else "") + token[i + 1 :]


@given(near_tokens())
def test_fast_unsealing_agrees_with_the_documented_format(token: str) -> None:
    sealer = Sealer(TWIN_RING, domain=TWIN_DOMAIN)
    expected = plain_unseal_bytes(token)
    assert outcome(sealer.unseal_bytes, token) == expected
    if isinstance(expected, bytes):
        try:
            text: object = expected.decode("utf-8")
        except UnicodeDecodeError:
            text = ValueError
        assert outcome(sealer.unseal, token) == text
    else:
        assert outcome(sealer.unseal, token) == expected


def test_a_token_in_uppercase_hex_is_refused_though_it_decrypts(kr: Keyring) -> None:
    sealer = Sealer(kr, domain="d")
    token = sealer.seal("anna@example.se")
    head = len("test01.s1.")
    letter = next(i for i in range(head, len(token)) if token[i] in "abcdef")
    for changed in (
        token[:head] + token[head:].upper(),
        token[:letter] + token[letter].upper() + token[letter + 1 :],
        token + " ",
        token[:head] + " " + token[head:],
    ):
        with raises(gk.InvalidToken):
            sealer.unseal(changed)
        with raises(gk.InvalidToken):
            sealer.unseal_bytes(changed)


# ---------------------------------------------------------------- SubjectKeys


@pytest.fixture
def kek() -> Keyring:
    return keyring(bytes(range(100, 132)), key_id="kek001")


@pytest.fixture
def sk(store: SQLiteStore, kek: Keyring) -> SubjectKeys:
    return SubjectKeys(store, kek)


subjects = st.text(min_size=1, max_size=12)
SHREDDED = "the data subject's key was shredded; the data is erased"
fields = st.sampled_from(["email", "phone", "address"])


@given(st.lists(st.tuples(subjects, fields, values), min_size=1, max_size=8))
def test_encrypt_decrypt_round_trip(items: list[tuple[str, str, str | bytes]]) -> None:
    with SQLiteStore.memory() as memory:
        keys = SubjectKeys(memory, keyring(bytes(range(100, 132)), key_id="kek001"))
        sealed = [(s, f, v, keys.encrypt(s, f, v, at=T0)) for s, f, v in items]
        for subject, field, value, ciphertext in sealed:
            raw = value.encode() if isinstance(value, str) else value
            assert keys.decrypt(subject, field, ciphertext) == raw
            assert len(ciphertext) == 1 + 12 + len(raw) + 16
            assert ciphertext[0] == 1


def test_encryption_is_randomised(sk: SubjectKeys) -> None:
    a = sk.encrypt("C-1042", "email", "anna@example.se")
    b = sk.encrypt("C-1042", "email", "anna@example.se")
    assert a != b
    assert sk.decrypt("C-1042", "email", a) == sk.decrypt("C-1042", "email", b)


def test_subject_and_field_are_bound(sk: SubjectKeys) -> None:
    ciphertext = sk.encrypt("C-1042", "email", "anna@example.se")
    sk.encrypt("C-7", "email", "bo@example.se")
    with raises(gk.InvalidToken, values=("C-1042", "anna")):
        sk.decrypt("C-1042", "phone", ciphertext)
    with raises(gk.InvalidToken, values=("C-1042", "anna")):
        sk.decrypt("C-7", "email", ciphertext)
    with raises(gk.InvalidToken, values=("C-999",)):
        sk.decrypt("C-999", "email", ciphertext)  # a subject without key


@given(st.binary(max_size=30), st.data())
def test_tampered_ciphertexts_are_rejected(value: bytes, data: st.DataObject) -> None:
    with SQLiteStore.memory() as memory:
        keys = SubjectKeys(memory, keyring(bytes(range(100, 132)), key_id="kek001"))
        ciphertext = keys.encrypt("C-1", "f", value)
        i = data.draw(st.integers(0, len(ciphertext) - 1))
        bit = data.draw(st.integers(0, 7))
        changed = bytearray(ciphertext)
        changed[i] ^= 1 << bit
        with raises(gk.InvalidToken):
            keys.decrypt("C-1", "f", bytes(changed))
        for end in (0, 1, 13, 28, len(ciphertext) - 1):
            with raises(gk.InvalidToken):
                keys.decrypt("C-1", "f", ciphertext[:end])


@given(st.lists(subjects, min_size=2, max_size=6, unique=True), st.data())
def test_shredding_one_subject_erases_them_only(names: list[str], data: st.DataObject) -> None:
    with SQLiteStore.memory() as memory:
        keys = SubjectKeys(memory, keyring(bytes(range(100, 132)), key_id="kek001"))
        sealed = {n: keys.encrypt(n, "email", f"{n}@example.se") for n in names}
        victim = data.draw(st.sampled_from(names))
        assert keys.shred(victim, at=T0).destroyed is True
        assert keys.shred(victim, at=T0).destroyed is False  # idempotent
        assert keys.is_shredded(victim)
        # The message is fixed: a subject that happens to be a piece of it is no echo.
        fixed = exception_text(gk.SubjectShredded(SHREDDED))[1]
        echo = (victim,) if len(victim) > 3 and victim not in fixed else ()
        with raises(gk.SubjectShredded, match=f"^{re.escape(SHREDDED)}$", values=echo):
            keys.decrypt(victim, "email", sealed[victim])
        with raises(gk.SubjectShredded):
            keys.encrypt(victim, "email", "new value")
        for name in names:
            if name != victim:
                assert not keys.is_shredded(name)
                assert keys.decrypt(name, "email", sealed[name]) == f"{name}@example.se".encode()


def test_shredding_an_unknown_subject_blocks_a_new_key(sk: SubjectKeys) -> None:
    assert not sk.is_shredded("C-5")
    assert sk.shred("C-5", at=T0).destroyed is False
    assert sk.is_shredded("C-5")
    with raises(gk.SubjectShredded):
        sk.encrypt("C-5", "email", "x")


def test_shred_records_times(sk: SubjectKeys, store: SQLiteStore) -> None:
    sk.encrypt("C-1", "email", "x", at=T0)
    sk.shred("C-1", at=T0 + timedelta(days=30))
    assert store.query("SELECT created_at, shredded_at, kek_id, wrapped_key FROM subject_keys") == [
        ("2026-01-15T09:30:00+00:00", "2026-02-14T09:30:00+00:00", None, None)
    ]
    with raises(gk.NaiveDatetimeError):
        sk.shred("C-2", at=datetime(2026, 1, 1))


def test_shredded_key_leaves_the_database_file(tmp_path: Path, kek: Keyring) -> None:
    path = tmp_path / "s.db"
    with SQLiteStore(path) as s:
        keys = SubjectKeys(s, kek)
        keys.encrypt("C-1", "email", "anna@example.se")
        keys.encrypt("C-2", "email", "bo@example.se")
        wrapped = s.query("SELECT wrapped_key FROM subject_keys WHERE subject = 'C-1'")[0][0]
        other = s.query("SELECT wrapped_key FROM subject_keys WHERE subject = 'C-2'")[0][0]
        keys.shred("C-1")
        raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
        assert wrapped not in raw
        assert other in raw


def test_keys_survive_reopening(tmp_path: Path, kek: Keyring) -> None:
    path = tmp_path / "s.db"
    with SQLiteStore(path) as s:
        ciphertext = SubjectKeys(s, kek).encrypt("C-1", "email", "anna@example.se")
    with SQLiteStore(path) as s:
        assert SubjectKeys(s, kek).decrypt("C-1", "email", ciphertext) == b"anna@example.se"


def test_kek_rotation_rewrap_and_retire(store: SQLiteStore, kek: Keyring) -> None:
    keys = SubjectKeys(store, kek)
    sealed = {n: keys.encrypt(n, "email", n) for n in ("C-1", "C-2", "C-3")}
    keys.shred("C-3")
    rotated = kek.rotate(material=track(bytes(range(140, 172))), key_id="kek002", at=T0)
    moved = SubjectKeys(store, rotated)
    assert moved.rewrap() == 2
    assert moved.rewrap() == 0
    final = SubjectKeys(store, rotated.retire("kek001"))
    assert final.decrypt("C-1", "email", sealed["C-1"]) == b"C-1"
    with raises(gk.SubjectShredded):
        final.decrypt("C-3", "email", sealed["C-3"])


def test_retiring_the_kek_before_rewrap_names_the_key(store: SQLiteStore, kek: Keyring) -> None:
    ciphertext = SubjectKeys(store, kek).encrypt("C-1", "email", "x")
    rotated = kek.rotate(material=track(bytes(range(140, 172))), key_id="kek002", at=T0)
    with raises(gk.UnknownKeyId, match="kek001"):
        SubjectKeys(store, rotated.retire("kek001")).decrypt("C-1", "email", ciphertext)


def test_a_wrong_kek_with_the_same_id(store: SQLiteStore, kek: Keyring) -> None:
    ciphertext = SubjectKeys(store, kek).encrypt("C-1", "email", "x")
    wrong = keyring(bytes(range(200, 232)), key_id="kek001")
    with raises(gk.KeyringError, match="does not unwrap"):
        SubjectKeys(store, wrong).decrypt("C-1", "email", ciphertext)


def test_a_data_key_moved_to_another_subject_does_not_unwrap(
    sk: SubjectKeys, store: SQLiteStore
) -> None:
    sk.encrypt("C-1", "email", "anna")
    ciphertext = sk.encrypt("C-2", "email", "bo")
    with store.transaction() as conn:
        conn.execute(
            "UPDATE subject_keys SET wrapped_key ="
            " (SELECT wrapped_key FROM subject_keys WHERE subject = 'C-1') WHERE subject = 'C-2'"
        )
    with raises(gk.KeyringError, match="does not unwrap"):
        sk.decrypt("C-2", "email", ciphertext)


def _files(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.iterdir()))


def test_a_shred_under_a_concurrent_reader_tells_the_truth_and_finishes(
    tmp_path: Path, kek: Keyring, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="gdprkit.keys")
    path = tmp_path / "s.db"
    with SQLiteStore(path, timeout=0.05) as s:
        keys = SubjectKeys(s, kek)
        ciphertext = keys.encrypt("C-1042", "email", "anna@example.se", at=T0)
        wrapped = s.query("SELECT wrapped_key FROM subject_keys")[0][0]
        reader = sqlite3.connect(path, isolation_level=None)
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM subject_keys").fetchall()  # holds a snapshot

        result = keys.shred("C-1042", at=T0)
        assert result.destroyed and result  # truthiness: a key was destroyed now
        assert not result.complete and result.checkpoint.busy
        assert wrapped in Path(f"{path}-wal").read_bytes()  # the reader keeps it in the log
        said = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "gdprkit.keys"]
        assert ("INFO", "a subject key was shredded") in said
        assert any(level == "WARNING" and "finish_shreds()" in text for level, text in said)
        assert not any("C-1042" in text for _, text in said)
        with raises(gk.SubjectShredded):
            keys.decrypt("C-1042", "email", ciphertext)
        assert not keys.finish_shreds().complete  # still held

        reader.execute("COMMIT")
        reader.close()
        assert keys.finish_shreds().complete
        on_disk = _files(tmp_path)
        assert wrapped not in on_disk
        assert b"C-1042" not in on_disk  # nor the identifier: the tombstone holds a token
        again = keys.shred("C-1042", at=T0)
        assert not again and again.complete


def test_a_shred_without_readers_is_complete_at_once(tmp_path: Path, kek: Keyring) -> None:
    with SQLiteStore(tmp_path / "s.db") as s:
        keys = SubjectKeys(s, kek)
        keys.encrypt("C-1042", "email", "anna@example.se", at=T0)
        wrapped = s.query("SELECT wrapped_key FROM subject_keys")[0][0]
        result = keys.shred("C-1042", at=T0)
        assert result.destroyed and result.complete
        assert wrapped not in _files(tmp_path) and b"C-1042" not in _files(tmp_path)


def test_a_tombstone_holds_a_sealed_token_not_the_identifier(
    sk: SubjectKeys, store: SQLiteStore
) -> None:
    sk.encrypt("C-1042", "email", "anna@example.se", at=T0)
    sk.shred("C-1042", at=T0)
    sk.shred("C-7", at=T0)  # never had a key
    stored = [r[0] for r in store.query("SELECT subject FROM subject_keys ORDER BY subject")]
    assert all(re.fullmatch(r"kek001\.t1\.[0-9a-f]{32,}", s) for s in stored)
    assert not any("C-1042" in s or "C-7" in s for s in stored)
    assert sk.is_shredded("C-1042") and sk.is_shredded("C-7")
    assert not sk.is_shredded("C-1043")
    with raises(gk.SubjectShredded):
        sk.encrypt("C-1042", "email", "again")
    # Another keyring's tokens do not find the tombstone: the token is keyed.
    other = SubjectKeys(store, keyring(bytes(range(200, 232)), key_id="kek001"))
    assert not other.is_shredded("C-1042")


def test_tombstones_move_with_rewrap_and_outlive_the_retired_key(
    store: SQLiteStore, kek: Keyring
) -> None:
    keys = SubjectKeys(store, kek)
    keys.encrypt("C-1", "email", "x", at=T0)
    keys.shred("C-2", at=T0)
    rotated = kek.rotate(material=track(bytes(range(140, 172))), key_id="kek002", at=T0)
    assert SubjectKeys(store, rotated).rewrap() == 1  # one data key; the tombstone moves too
    final = SubjectKeys(store, rotated.retire("kek001"))
    assert final.is_shredded("C-2")
    with raises(gk.SubjectShredded):
        final.encrypt("C-2", "email", "new data")
    assert store.query("SELECT token_key FROM subject_keys WHERE kek_id IS NULL") == [("kek002",)]


def test_retiring_before_rewrap_names_the_key_of_a_tombstone(
    store: SQLiteStore, kek: Keyring
) -> None:
    SubjectKeys(store, kek).shred("C-2", at=T0)
    rotated = kek.rotate(material=track(bytes(range(140, 172))), key_id="kek002", at=T0)
    with raises(gk.UnknownKeyId, match="tombstone is sealed under key 'kek001'", values=("C-2",)):
        SubjectKeys(store, rotated.retire("kek001")).rewrap()


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda k: k.encrypt(1042, "email", "x"), TypeError, "subject must be a str"),
        (lambda k: k.encrypt("", "email", "x"), ValueError, "subject must be a non-empty"),
        (lambda k: k.encrypt("C-1", None, "x"), TypeError, "field must be a str"),
        (lambda k: k.encrypt("C-1", "email", 5551234), TypeError, "value must be str or bytes"),
        (lambda k: k.decrypt("C-1", "email", "abc"), TypeError, "ciphertext must be bytes"),
        (lambda k: k.encrypt("C-1042\ud800", "f", "x"), ValueError, "subject is not valid"),
        (lambda k: k.shred(None), TypeError, "subject must be a str"),
        (lambda k: k.is_shredded(7), TypeError, "subject must be a str"),
    ],
    ids=[
        "subject int",
        "subject empty",
        "field None",
        "value int",
        "ct str",
        "surrogate",
        "shred",
        "is",
    ],
)
def test_subject_keys_bad_input(
    sk: SubjectKeys, call: Callable[[SubjectKeys], object], error: type[Exception], match: str
) -> None:
    with raises(error, match=match, values=("1042", "5551234")):
        call(sk)


def test_subject_keys_arguments(store: SQLiteStore, kek: Keyring) -> None:
    with raises(TypeError, match="store"):
        SubjectKeys("sqlite:///x", kek)  # type: ignore[arg-type]
    with raises(gk.KekError, match="kek must be a Keyring"):
        SubjectKeys(store, KEY)  # type: ignore[arg-type]
    keys = SubjectKeys(store, kek)
    assert keys.store is store
    assert keys.kek is kek


# ---------------------------------------------------------------- no key ever prints


def test_no_key_holding_object_shows_material(tmp_path: Path) -> None:
    ring = keyring().rotate(material=track(bytes(range(1, 33))), key_id="test02", at=T0)
    ring = ring.rotate(material=track(bytes(range(2, 34))), key_id="test03", at=T0).retire("test01")
    kek = keyring(bytes(range(100, 132)), key_id="kek001")
    kek_file = tmp_path / "kek"
    kek_file.write_text(WRAP_TEXT)
    kek_file.chmod(0o600)
    with SQLiteStore(tmp_path / "x.db") as s:
        ring.save(s, kek=WRAP)
        objects: list[object] = [
            WRAP,
            Kek.env(),
            Kek.file(kek_file),
            Kek.from_callable(lambda: WRAP_TEXT),
            s.query("SELECT keyring, key_id, status, material, kek_id FROM keyring_keys"),
            AuditLog(s, keyring=ring),
            ChainKeys(ring),
            ring,
            *ring._keys,
            *(k.secret for k in ring._keys),
            *ring.info(),
            Pseudonymizer(ring, domain="analytics"),
            Pseudonymizer(ring, domain="support", normalizer=normalize_email, key_id="test02"),
            Sealer(ring, domain="support"),
            SubjectKeys(s, kek),
            s,
            s.query("SELECT keyring, key_id, status FROM keyring_keys"),
        ]
        for obj in objects:
            assert_no_secret(repr(obj))
            assert_no_secret(str(obj))
            if attrs.has(type(obj)):
                assert_no_secret(repr(attrs.asdict(obj, recurse=False)))  # type: ignore[arg-type]
    assert repr(ring._keys[0].secret) == "<key material>"


# ---------------------------------------------------------------- the module's names

#: gdprkit.pseudonym's __all__, written down before the module became a facade.
PUBLIC_NAMES = {
    "KEY_BYTES",
    "MIN_KEY_BYTES",
    "KeyInfo",
    "KeyStatus",
    "Keyring",
    "Pseudonymizer",
    "Sealer",
    "SubjectKeys",
    "UnknownTokenKey",
    "normalize_email",
    "normalize_identity",
    "normalize_phone_se",
}
#: gdprkit names the module also held before the split (errors, the store type, helpers).
ALSO_IMPORTABLE = {
    "InvalidToken",
    "KekError",
    "KeyringError",
    "Store",
    "SubjectShredded",
    "UnknownKeyId",
    "check_store",
    "require_aware",
}


#: Names added since the split.
ADDED_NAMES = {"KEK_ENV", "Kek", "KekProvider", "ShredResult", "rewrap_keyrings"}


def test_every_name_of_the_module_stays_importable() -> None:
    assert set(pseudonym.__all__) == PUBLIC_NAMES | ADDED_NAMES
    assert set(dir(pseudonym)) >= PUBLIC_NAMES | ALSO_IMPORTABLE
    assert pseudonym.UnknownTokenKey is gk.UnknownTokenKey
    assert pseudonym.InvalidToken is gk.InvalidToken


#: Every public entry point that takes a key-encryption key, called with ``kek``.
KEK_ENTRY_POINTS: dict[str, Callable[[Keyring, SQLiteStore, object], object]] = {
    "Keyring.to_json": lambda kr, store, kek: kr.to_json(kek=kek),  # type: ignore[arg-type]
    "Keyring.from_json": lambda kr, store, kek: Keyring.from_json(
        kr.to_json(kek=WRAP),
        kek=kek,  # type: ignore[arg-type]
    ),
    "Keyring.save": lambda kr, store, kek: kr.save(store, kek=kek),  # type: ignore[arg-type]
    "Keyring.load": lambda kr, store, kek: Keyring.load(store, kek=kek),  # type: ignore[arg-type]
    "rewrap_keyrings": lambda kr, store, kek: pseudonym.rewrap_keyrings(store, kek),
    "SubjectKeys": lambda kr, store, kek: SubjectKeys(store, kek),  # type: ignore[arg-type]
    "KeyringSource.env": lambda kr, store, kek: _source().env("GK_KEYS", kek=kek),  # type: ignore[arg-type]
    "KeyringSource.store": lambda kr, store, kek: _source().store(
        "sqlite:////srv/gk.db",
        kek=kek,  # type: ignore[arg-type]
    ),
}


def _source() -> type[Any]:
    """``KeyringSource``, imported from its module (the facade ``gdprkit.dask`` needs dask)."""
    from gdprkit._dask.keys import KeyringSource

    return KeyringSource


@pytest.mark.parametrize(
    ("kek", "hint"),
    [
        pytest.param(WRAP_TEXT, "Kek.env()", id="the KEK's text"),
        pytest.param(WRAP_TEXT.encode(), "Kek.env()", id="the KEK's text as bytes"),
        pytest.param(None, "", id="None"),
        pytest.param(KEY, "Kek.env()", id="raw key bytes"),
    ],
)
@pytest.mark.parametrize("entry", KEK_ENTRY_POINTS)
def test_a_kek_of_the_wrong_type_is_a_kek_error_that_says_what_to_pass(
    entry: str, kek: object, hint: str, kr: Keyring, store: SQLiteStore
) -> None:
    if kek is None and entry.startswith("KeyringSource"):
        pytest.skip("kek=None is KeyringSource's default: the worker's GDPRKIT_KEK")
    with raises(gk.KekError, match=f"kek must be .*got {type(kek).__name__}") as caught:
        KEK_ENTRY_POINTS[entry](kr, store, kek)
    message = str(caught.value)
    if entry == "SubjectKeys":  # its kek is the keyring that wraps data keys
        assert "Keyring.load(store, kek=Kek.env()" in message
    else:
        assert "Kek.env('GDPRKIT_KEK'), Kek.file(path)" in message and hint in message
    assert WRAP_TEXT not in message and WRAP_TEXT.split(":")[1] not in message
    assert caught.value.__context__ is None


def test_subject_keys_refuse_a_kek_provider_for_their_keyring(store: SQLiteStore) -> None:
    with raises(gk.KekError, match=r"kek must be a Keyring .*got Kek"):
        SubjectKeys(store, WRAP)  # type: ignore[arg-type]
