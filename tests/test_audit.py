from __future__ import annotations

import hashlib
import itertools
import multiprocessing
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

import gdprkit as gk
from gdprkit._audit.chain import ChainKeys
from gdprkit._cli.status import Exit
from gdprkit.audit import GENESIS, AuditEntry, AuditHead, AuditLog, canonical_json
from gdprkit.cli import main
from gdprkit.pseudonym import Kek, Keyring, Pseudonymizer
from gdprkit.store.sqlite import SQLiteStore
from tests.test_store import rewrite_as_legacy_chain

AT = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path):
    with SQLiteStore(tmp_path / "gdprkit.db") as s:
        yield s


#: The audit keyring of the tests that run in several processes: the same in each.
SHARED = Keyring.from_key(bytes(range(32)), key_id="audit1", at=AT)


@pytest.fixture
def kek(tmp_path):
    """The key-encryption key the store's keyrings are wrapped with, in a 0600 file."""
    return Kek.create_file(tmp_path / "gdprkit.kek")


@pytest.fixture
def keyring(store, kek):
    """The audit keyring, saved in the store (wrapped) where `gdprkit audit verify` finds it."""
    ring = Keyring.generate(at=AT)
    ring.save(store, kek=kek)
    return ring


@pytest.fixture
def log(store, keyring):
    return AuditLog(store, pseudonymizer=Pseudonymizer(keyring, domain="audit"))


def _fill(log, n=5):
    return [
        log.record("export.produced", at=AT + timedelta(minutes=i), actor="dpo", subject="C-1042",
                   details={"rows": i, "package_sha256": "ab" * 32})
        for i in range(n)
    ]  # fmt: skip


def test_chain_links_each_entry_to_the_previous(log):
    entries = _fill(log)
    assert entries[0].prev_hash == GENESIS
    for a, b in itertools.pairwise(entries):
        assert b.prev_hash == a.hash
    head = log.verify()
    assert head == AuditHead(5, entries[-1].hash)
    assert log.head() == head
    assert [e.seq for e in log.entries()] == [1, 2, 3, 4, 5]


def test_subjects_appear_only_as_tokens(log, store):
    _fill(log, 2)
    dump = "\n".join(str(row) for row in store.query("SELECT * FROM audit_log"))
    assert "C-1042" not in dump
    assert len(list(log.entries(subject="C-1042"))) == 2
    assert list(log.entries(subject="C-9")) == []
    with pytest.raises(TypeError, match="pseudonymizer"):
        AuditLog(store, keyring=SHARED).record("x", at=AT, actor="a", subject="C-1042")


def _tamper(store, sql, params=()):
    conn = sqlite3.connect(store.path)
    conn.execute(sql, params)
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3", "changed|chain"),
        ("UPDATE audit_log SET details = '{\"rows\":99}' WHERE seq = 2", "changed|chain"),
        ("DELETE FROM audit_log WHERE seq = 3", "missing"),
        ("UPDATE audit_log SET seq = seq + 100 WHERE seq = 2", "missing"),
    ],
    ids=["changed field", "changed details", "deleted", "moved"],
)
def test_verify_detects_tampering(log, store, sql, message):
    _fill(log)
    _tamper(store, sql)
    with pytest.raises(gk.AuditIntegrityError, match=message):
        log.verify()


def test_verify_detects_reordering_and_insertion(log, store):
    entries = _fill(log)
    # swap the contents of entries 2 and 3 (keeping their seq numbers)
    rows = {r[0]: r for r in store.query("SELECT * FROM audit_log WHERE seq IN (2, 3)")}
    for seq, other in ((2, 3), (3, 2)):
        _tamper(store, "UPDATE audit_log SET at=?, actor=?, action=?, subject=?, details=?, prev_hash=?, "
                "hash=? WHERE seq=?", (*rows[other][1:-2], f"x{seq}", seq))  # fmt: skip
    with pytest.raises(gk.AuditIntegrityError):
        log.verify()
    store2 = store
    _tamper(store2, "DELETE FROM audit_log")
    for e in entries[:2]:
        _tamper(store2, "INSERT INTO audit_log VALUES (?,?,?,?,?,?,?,?,?)",
                (e.seq, e.at, e.actor, e.action, e.subject, '{"package_sha256":"' + "ab" * 32 + '","rows":'
                 + str(e.details["rows"]) + "}", e.prev_hash, e.hash, e.key_id))  # fmt: skip
    # an entry forged in between, with a made-up hash
    _tamper(store2, "INSERT INTO audit_log VALUES (3, ?, 'mallory', 'noop', NULL, '{}', ?, ?, ?)",
            (entries[2].at, "f" * 64, "e" * 64, entries[2].key_id))  # fmt: skip
    with pytest.raises(gk.AuditIntegrityError, match="chain"):
        log.verify()


def test_truncation_is_caught_against_a_saved_head(log, store):
    _fill(log)
    saved = str(log.head())
    _tamper(store, "DELETE FROM audit_log WHERE seq >= 4")
    log.verify()  # the shorter chain is internally consistent ...
    with pytest.raises(gk.AuditIntegrityError, match="truncated"):
        log.verify(saved)  # ... but not against the saved head
    assert AuditHead.parse(saved).seq == 5
    with pytest.raises(ValueError):
        AuditHead.parse("5:xyz")


def test_rewritten_history_is_caught_against_a_saved_head(log, store):
    _fill(log, 3)
    saved = log.head()
    _tamper(store, "DELETE FROM audit_log")
    for i in range(4):  # a fresh, consistent chain written over the old one
        log.record("noop", at=AT, actor="mallory", details={"i": i})
    log.verify()
    with pytest.raises(gk.AuditIntegrityError, match="rewritten"):
        log.verify(saved)


def test_bad_input(log):
    with pytest.raises(gk.NaiveDatetimeError):
        log.record("x", at=datetime(2026, 1, 1), actor="a")
    with pytest.raises(ValueError, match="action"):
        log.record("", at=AT, actor="a")
    with pytest.raises(TypeError, match="JSON"):
        log.record("x", at=AT, actor="a", details={"when": AT})
    assert log.head() is None and log.verify() is None


def _append_many(path: str, worker: int, n: int) -> None:
    with SQLiteStore(path, timeout=30) as store:
        audit = AuditLog(store, keyring=SHARED)
        for i in range(n):
            audit.record("test.append", at=AT, actor=f"worker-{worker}", details={"i": i})


def test_two_processes_appending_lose_nothing(tmp_path):
    path = str(tmp_path / "shared.db")
    SQLiteStore(path).close()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_append_many, args=(path, w, 50)) for w in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    with SQLiteStore(path) as store:
        log = AuditLog(store, keyring=SHARED)
        assert log.verify() == log.head()
        assert log.head().seq == 100
        actors = [e.actor for e in log.entries()]
        assert actors.count("worker-0") == 50 and actors.count("worker-1") == 50


def test_cli_audit_verify(log, store, tmp_path, capsys):
    _fill(log, 3)
    args = ["audit", "verify", store.path, f"--kek-file={tmp_path / 'gdprkit.kek'}"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "3 entries, chain intact" in out and "all 3 entries are keyed" in out
    _tamper(store, "UPDATE audit_log SET actor = 'x' WHERE seq = 2")
    assert main(args) == 1
    assert "AuditIntegrityError: audit entry 2 was changed" in capsys.readouterr().err


def test_cli_audit_verify_refuses_a_missing_store(tmp_path, capsys):
    # A mistyped path must not be created and reported as an empty, intact log.
    missing = tmp_path / "missing.db"
    assert main(["audit", "verify", str(missing)]) == 3
    assert "does not exist" in capsys.readouterr().err
    assert not missing.exists()


#: gdprkit.audit's __all__, with JSONValue (the type of entry details) now among them.
PUBLIC_NAMES = {
    "GENESIS",
    "AuditCheck",
    "AuditEntry",
    "AuditHead",
    "AuditLog",
    "JSONValue",
    "canonical_json",
}
#: gdprkit names the module also holds; importable from it, so kept.
ALSO_IMPORTABLE = {"AuditIntegrityError", "require_aware", "utc_stamp"}


def test_every_name_of_the_module_stays_importable():
    import gdprkit.audit as audit

    assert set(audit.__all__) == PUBLIC_NAMES
    assert set(dir(audit)) >= PUBLIC_NAMES | ALSO_IMPORTABLE
    assert audit.AuditIntegrityError is gk.AuditIntegrityError


def test_details_that_are_not_json_data_are_refused(log):
    with pytest.raises(TypeError, match="details must be JSON data"):
        log.record("x", at=AT, actor="dpo", details={"when": AT})
    assert log.head() is None


@pytest.mark.parametrize(
    "head",
    [
        "5:xyz",
        "5",
        ":" + "a" * 64,
        "x:" + "a" * 64,
        "5:" + "g" * 64,
        "-1:" + "a" * 64,
        "5:" + "a" * 65,
    ],
    ids=["short digest", "no digest", "no seq", "seq not a number", "not hex", "negative", "long"],
)
def test_a_malformed_head_is_a_typed_error(log, store, capsys, head):
    _fill(log, 1)
    with pytest.raises(gk.InvalidAuditHead, match="<seq>:<64 hex digits>") as info:
        AuditHead.parse(head)
    assert isinstance(info.value, ValueError) and info.value.__context__ is None
    assert main(["audit", "verify", store.path, f"--head={head}"]) == Exit.USAGE
    err = capsys.readouterr().err
    assert "InvalidAuditHead" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "details",
    ["{not json", "[1, 2]", '"text"', "[" * 100_000],
    ids=["malformed", "a list", "a string", "deeply nested"],
)
def test_details_that_are_not_a_json_object_are_an_integrity_error(
    log, store, tmp_path, capsys, details
):
    _fill(log, 2)
    _tamper(store, "UPDATE audit_log SET details = ? WHERE seq = 2", (details,))
    with pytest.raises(gk.AuditIntegrityError, match="entry 2 has details that are not") as info:
        log.verify()
    assert info.value.__context__ is None
    with pytest.raises(gk.AuditIntegrityError):
        list(log.entries())
    assert main(["audit", "verify", store.path, f"--kek-file={tmp_path / 'gdprkit.kek'}"]) == 1
    err = capsys.readouterr().err
    assert "AuditIntegrityError: audit entry 2" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("details", "message"),
    [
        ('{ "rows": 1, "package_sha256": "' + "ab" * 32 + '" }', "not as gdprkit writes them"),
        ('{"package_sha256":"' + "ab" * 32 + '","rows":9,"rows":1}', "not as gdprkit writes them"),
        ('{"package_sha256":"' + "ab" * 32 + '","rows":1.0}', "MAC does not verify"),
        ('{"package_sha256":"' + "ab" * 32 + '","rows":NaN}', "not as gdprkit writes them"),
        ('{"package_sha256":"' + "ab" * 32 + '","rows":1e400}', "not as gdprkit writes them"),
        ('{"package_sha256":"\\u0061' + "b" + "ab" * 31 + '","rows":1}', "not as gdprkit writes"),
    ],
    ids=["spaces", "a key twice", "a float", "NaN", "infinity", "a unicode escape"],
)
def test_details_that_read_the_same_but_are_not_as_written_are_an_integrity_error(
    log, store, tmp_path, capsys, details, message
):
    """The MAC covers the details as gdprkit writes them (canonical JSON); the stored text is
    what an auditor's SQL reads, so text that differs from it is a change, even where it
    parses to the same object (a duplicate key reads as the first value in SQLite's json)."""
    _fill(log, 3)
    _tamper(store, "UPDATE audit_log SET details = ? WHERE seq = 2", (details,))
    with pytest.raises(gk.AuditIntegrityError, match=f"entry 2 .*{message}"):
        log.verify()
    assert main(["audit", "verify", store.path, f"--kek-file={tmp_path / 'gdprkit.kek'}"]) == 1
    err = capsys.readouterr().err
    assert "AuditIntegrityError: audit entry 2" in err and "Traceback" not in err


# -- a keyed chain: a writer without the keyring cannot forge ---------------------------------


def _forge(store, seq, prev, *, key_id=None, mac=None, actor="mallory"):
    """Append an entry as someone who can write the database but has no key: with a correct
    SHA-256 chain hash (what the unkeyed chain of old accepted), or a made-up MAC."""
    entry = AuditEntry(seq, AT.isoformat(), actor, "export.produced", None, {"rows": 0}, prev,
                       key_id=key_id)  # fmt: skip
    stored = mac if mac is not None else hashlib.sha256(canonical_json(entry.to_dict())).hexdigest()
    columns = "seq, at, actor, action, subject, details, prev_hash, hash"
    values = (seq, entry.at, actor, entry.action, None, '{"rows":0}', prev, stored)
    if key_id is not None:
        columns, values = columns + ", key_id", (*values, key_id)
    marks = ", ".join("?" * len(values))
    _tamper(store, f"INSERT INTO audit_log ({columns}) VALUES ({marks})", values)
    return AuditHead(seq, stored)


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("unkeyed, hashed as before", "not keyed although entries before it are"),
        ("under the log's key id, with a guessed MAC", "its MAC does not verify"),
        ("under another keyring's key", "its MAC does not verify"),
        ("under a key id the keyring lacks", "which the audit keyring lacks"),
    ],
)
def test_entries_forged_after_the_head_are_detected(log, store, keyring, how, message):
    entries = _fill(log, 3)
    saved = log.verify()
    head = entries[-1]
    if how.startswith("unkeyed"):
        _forge(store, 4, head.hash)
    elif how.startswith("under the log's"):
        _forge(store, 4, head.hash, key_id=keyring.active_id, mac="a" * 64)
    elif how.startswith("under another"):
        other = AuditEntry(4, AT.isoformat(), "mallory", "export.produced", None, {"rows": 0},
                           head.hash, key_id=keyring.active_id)  # fmt: skip
        forged_ring = Keyring.from_key(bytes(range(1, 33)), key_id=keyring.active_id, at=AT)
        mac = ChainKeys(forged_ring).mac(other)
        _forge(store, 4, head.hash, key_id=keyring.active_id, mac=mac)
    else:
        _forge(store, 4, head.hash, key_id="zzz", mac="b" * 64)
    with pytest.raises(gk.AuditIntegrityError, match=message):
        log.verify()
    with pytest.raises(gk.AuditIntegrityError, match=message):
        log.verify(saved)  # the saved head alone would not have caught an append


def _as_legacy_chain(path):
    """Every row of the log rewritten as a legacy chain, with plain sqlite3; the new head."""
    conn = sqlite3.connect(path)
    head = rewrite_as_legacy_chain(conn)
    conn.commit()
    conn.close()
    return head


def _old_store(path, legacy=3):
    """A store written by a gdprkit from before the keyed chain (schema version 5), with
    ``legacy`` unkeyed entries; opening it with SQLiteStore migrates it."""
    old_schema = type("Old", (SQLiteStore,), {"migrations": SQLiteStore.migrations[:6]})
    prev = GENESIS
    with old_schema(path) as old:
        for seq in range(1, legacy + 1):
            prev = _forge(old, seq, prev, actor="dpo").hash
    return prev


def test_a_keyed_log_rewritten_as_a_legacy_chain_is_refused(log, store, capsys):
    _fill(log, 4)
    saved = log.verify()
    forged = _as_legacy_chain(store.path)
    assert AuditLog(store).head() == forged  # a consistent chain: each hash checks out
    for check in (log.check, log.verify, AuditLog(store).check):
        with pytest.raises(gk.AuditIntegrityError, match="entry 1 is a legacy .* created with"):
            check()
    with pytest.raises(gk.AuditIntegrityError, match="entry 1 is a legacy"):
        log.verify(saved)
    assert main(["audit", "verify", store.path]) == Exit.FOUND
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and "AuditIntegrityError: audit entry 1 is a legacy" in err


def test_a_store_records_how_far_its_log_may_be_legacy(tmp_path):
    with SQLiteStore(tmp_path / "new.db") as new:
        assert new.query("SELECT legacy_until FROM audit_chain") == [(0,)]
    _old_store(tmp_path / "old.db", legacy=3)
    with SQLiteStore(tmp_path / "old.db") as migrated:
        assert migrated.query("SELECT legacy_until FROM audit_chain") == [(3,)]
    before = type("V8", (SQLiteStore,), {"migrations": SQLiteStore.migrations[:9]})
    _old_store(tmp_path / "mixed.db", legacy=2)
    with before(tmp_path / "mixed.db") as v8:  # keyed entries after the legacy ones
        for n in range(2):
            AuditLog(v8, keyring=SHARED).record("x", at=AT, actor="dpo", details={"n": n})
    with SQLiteStore(tmp_path / "mixed.db") as migrated:
        assert migrated.query("SELECT legacy_until FROM audit_chain") == [(2,)]
        assert AuditLog(migrated, keyring=SHARED).check().legacy == 2


def test_a_migrated_log_keeps_its_legacy_entries_but_no_more(tmp_path, capsys):
    path = tmp_path / "old.db"
    _old_store(path, legacy=3)
    with SQLiteStore(path) as store:
        log = AuditLog(store, keyring=SHARED)
        for n in range(2):
            log.record("export.produced", at=AT, actor="dpo", details={"n": n})
        found = log.check()
        assert (found.entries, found.legacy, found.keyed) == (5, 3, 2)
        _as_legacy_chain(store.path)
        with pytest.raises(gk.AuditIntegrityError, match="entry 4 .* only up to entry 3 when"):
            log.check()
    assert main(["audit", "verify", str(path)]) == Exit.FOUND
    assert "entry 4 is a legacy" in capsys.readouterr().err


def test_a_deleted_legacy_bound_fails_closed(tmp_path, log, store, capsys):
    _old_store(tmp_path / "old.db", legacy=2)
    _tamper(store, "DELETE FROM audit_chain")
    _fill(log, 2)
    assert log.check().keyed == 2  # a log with no legacy entry needs no bound
    with SQLiteStore(tmp_path / "old.db") as old:
        assert AuditLog(old).check().legacy == 2
        _tamper(old, "DELETE FROM audit_chain")
        with pytest.raises(gk.AuditIntegrityError, match="entry 1 .* missing \\(deleted\\)"):
            AuditLog(old).check()
    assert main(["audit", "verify", str(tmp_path / "old.db")]) == Exit.FOUND
    assert "record of how far its audit log may hold legacy entries is missing" in (
        capsys.readouterr().err
    )


def test_verifying_a_keyed_log_needs_its_keyring(log, store):
    _fill(log, 2)
    with pytest.raises(gk.KeyringError, match="keyed from entry 1 on; verifying it needs"):
        AuditLog(store).verify()
    with pytest.raises(TypeError, match="no keyring"):
        AuditLog(store).record("x", at=AT, actor="a")


def test_rotated_audit_keys_verify_until_retired(log, store, keyring):
    _fill(log, 2)
    rotated = keyring.rotate(at=AT + timedelta(days=1))
    after = AuditLog(store, keyring=rotated)
    after.record("export.produced", at=AT + timedelta(days=1), actor="dpo")
    assert [e.key_id for e in after.entries()] == [keyring.active_id] * 2 + [rotated.active_id]
    assert after.check().keyed == 3
    retired = rotated.retire(keyring.active_id)
    with pytest.raises(gk.AuditIntegrityError, match="entry 1 is keyed under key .* lacks"):
        AuditLog(store, keyring=retired).verify()


def test_a_legacy_log_verifies_and_is_sealed_by_the_first_keyed_entry(tmp_path, capsys):
    path = tmp_path / "old.db"
    prev = _old_store(path, legacy=3)  # version 5: before the chain was keyed
    with SQLiteStore(path) as store:  # migrates to the keyed schema
        log = AuditLog(store, keyring=SHARED)
        found = log.check()
        assert (found.entries, found.legacy, found.keyed) == (3, 3, 0)
        assert AuditLog(store).check() == found  # no key needed for legacy entries
        entry = log.record("export.produced", at=AT, actor="dpo")
        assert entry.prev_hash == prev and entry.key_id == "audit1"
        found = log.check()
        assert (found.entries, found.legacy, found.keyed) == (4, 3, 1)
        assert main(["audit", "verify", str(path)]) == 1  # keyed now: the CLI needs the keyring
        assert "no keyring named 'default'" in capsys.readouterr().err
        _tamper(store, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 2")
        with pytest.raises(gk.AuditIntegrityError, match="entry 2 was changed"):
            log.verify()


def test_cli_says_what_a_legacy_log_is_worth(tmp_path, capsys):
    path = tmp_path / "old.db"
    _old_store(path, legacy=2)
    SQLiteStore(path).close()  # migrated: the two entries are the legacy ones it held
    assert main(["audit", "verify", str(path)]) == 0
    out = capsys.readouterr().out
    assert "2 entries, chain intact" in out
    assert "all 2 entries are legacy" in out and "anyone who can write the store" in out


def test_cli_loads_the_audit_keyring_from_the_store(log, store, tmp_path, capsys, monkeypatch):
    _fill(log, 2)
    monkeypatch.setenv("MY_KEK", (tmp_path / "gdprkit.kek").read_text())
    assert main(["audit", "verify", store.path, "--kek-env", "MY_KEK"]) == 0
    assert "all 2 entries are keyed" in capsys.readouterr().out
    assert main(["audit", "verify", store.path, "--kek-env", "MY_KEK", "--keyring", "nope"]) == 1
    assert "no keyring named 'nope'" in capsys.readouterr().err
    monkeypatch.setenv("MY_KEK", Kek.generate(key_id="other"))
    assert main(["audit", "verify", store.path, "--kek-env", "MY_KEK"]) == 1
    err = capsys.readouterr().err
    assert "KekError" in err and "Traceback" not in err
