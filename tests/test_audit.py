from __future__ import annotations

import itertools
import multiprocessing
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

import gdprkit as gk
from gdprkit.audit import GENESIS, AuditHead, AuditLog
from gdprkit.cli import main
from gdprkit.pseudonym import Keyring, Pseudonymizer
from gdprkit.store.sqlite import SQLiteStore

AT = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path):
    with SQLiteStore(tmp_path / "gdprkit.db") as s:
        yield s


@pytest.fixture
def log(store):
    return AuditLog(store, pseudonymizer=Pseudonymizer(Keyring.generate(), domain="audit"))


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
        AuditLog(store).record("x", at=AT, actor="a", subject="C-1042")


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
                "hash=? WHERE seq=?", (*rows[other][1:-1], f"x{seq}", seq))  # fmt: skip
    with pytest.raises(gk.AuditIntegrityError):
        log.verify()
    store2 = store
    _tamper(store2, "DELETE FROM audit_log")
    for e in entries[:2]:
        _tamper(store2, "INSERT INTO audit_log VALUES (?,?,?,?,?,?,?,?)",
                (e.seq, e.at, e.actor, e.action, e.subject, '{"package_sha256":"' + "ab" * 32 + '","rows":'
                 + str(e.details["rows"]) + "}", e.prev_hash, e.hash))  # fmt: skip
    # an entry forged in between, with a made-up hash
    _tamper(store2, "INSERT INTO audit_log VALUES (3, ?, 'mallory', 'noop', NULL, '{}', ?, ?)",
            (entries[2].at, "f" * 64, "e" * 64))  # fmt: skip
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
        audit = AuditLog(store)
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
        log = AuditLog(store)
        assert log.verify() == log.head()
        assert log.head().seq == 100
        actors = [e.actor for e in log.entries()]
        assert actors.count("worker-0") == 50 and actors.count("worker-1") == 50


def test_cli_audit_verify(log, store, capsys):
    _fill(log, 3)
    assert main(["audit", "verify", store.path]) == 0
    assert "3 entries" in capsys.readouterr().out
    _tamper(store, "UPDATE audit_log SET actor = 'x' WHERE seq = 2")
    assert main(["audit", "verify", store.path]) == 1
    assert "AuditIntegrityError" in capsys.readouterr().err


def test_cli_audit_verify_refuses_a_missing_store(tmp_path, capsys):
    # A mistyped path must not be created and reported as an empty, intact log.
    missing = tmp_path / "missing.db"
    assert main(["audit", "verify", str(missing)]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert not missing.exists()


#: gdprkit.audit's __all__, with JSONValue (the type of entry details) now among them.
PUBLIC_NAMES = {"GENESIS", "AuditEntry", "AuditHead", "AuditLog", "JSONValue", "canonical_json"}
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
    assert main(["audit", "verify", store.path, f"--head={head}"]) == 1
    err = capsys.readouterr().err
    assert "InvalidAuditHead" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "details",
    ["{not json", "[1, 2]", '"text"', "[" * 100_000],
    ids=["malformed", "a list", "a string", "deeply nested"],
)
def test_details_that_are_not_a_json_object_are_an_integrity_error(log, store, capsys, details):
    _fill(log, 2)
    _tamper(store, "UPDATE audit_log SET details = ? WHERE seq = 2", (details,))
    with pytest.raises(gk.AuditIntegrityError, match="entry 2 has details that are not") as info:
        log.verify()
    assert info.value.__context__ is None
    with pytest.raises(gk.AuditIntegrityError):
        list(log.entries())
    assert main(["audit", "verify", store.path]) == 1
    err = capsys.readouterr().err
    assert "AuditIntegrityError: audit entry 2" in err and "Traceback" not in err
