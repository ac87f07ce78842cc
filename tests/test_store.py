"""What every store does, on SQLite and on PostgreSQL: migrations, transactions, closing,
and the modules that keep their state in a store.

Each test runs once per engine. The PostgreSQL run starts a throw-away server
(``tests/pg.py``); without one it skips with the reason shown, and fails in CI
(``GDPRKIT_REQUIRE_POSTGRES``, set by ``.ci/run``). What only one engine does
is tested in ``test_store_sqlite.py`` and ``test_store_postgres.py``.
"""

from __future__ import annotations

import itertools
import json
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest

import gdprkit as gk
from gdprkit import pseudonym
from gdprkit import store as gstore
from gdprkit.audit import AuditLog
from gdprkit.pseudonym import Kek, Keyring, Pseudonymizer, SubjectKeys
from gdprkit.store import _migrations
from gdprkit.store.sqlite import SQLiteStore

AT = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
#: The key-encryption key keyrings are wrapped with at rest (made once per test run).
KEK_TEXT = Kek.generate(key_id="kek1")
KEK = Kek.from_callable(lambda: KEK_TEXT)


@attrs.frozen
class Engine:
    """One store engine under test: where its databases are, and what differs between engines."""

    name: str
    store_class: type[Any]
    #: Makes a fresh, empty database (a file path or a URL) each call.
    new_target: Callable[[], str]
    #: What the driver raises when a statement breaks a constraint.
    integrity_error: type[Exception]
    #: The statement that records ``{version}`` as the store's schema version.
    version_sql: str
    #: Queries whose rows together describe the tables, columns, constraints and indexes.
    schema_queries: tuple[str, ...]
    #: A query for the names of the tables gdprkit's migrations made.
    tables_query: str
    target: str = attrs.field(
        default=attrs.Factory(lambda self: self.new_target(), takes_self=True)
    )

    def open(self, migrations: Sequence[str] | None = None, target: str | None = None) -> Any:
        """Open the store at ``target`` (default: this test's), knowing ``migrations``."""
        cls = self.store_class
        if migrations is not None:
            cls = type("Versioned", (cls,), {"migrations": tuple(migrations)})
        return cls(target or self.target)

    @property
    def migrations(self) -> tuple[str, ...]:
        return tuple(self.store_class.migrations)

    def schema(self, store: Any) -> list[list[tuple[Any, ...]]]:
        return [store.query(q) for q in self.schema_queries]

    def tables(self, store: Any) -> set[str]:
        return {row[0] for row in store.query(self.tables_query)}


def _sqlite(tmp_path: Path) -> Engine:
    counter = itertools.count()
    return Engine(
        name="sqlite",
        store_class=SQLiteStore,
        new_target=lambda: str(tmp_path / f"gdprkit-{next(counter)}.db"),
        integrity_error=sqlite3.IntegrityError,
        version_sql="PRAGMA user_version = {version}",
        schema_queries=("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name",),
        tables_query="SELECT name FROM sqlite_master WHERE type = 'table'",
    )


def _postgres(request: pytest.FixtureRequest) -> Engine:
    new_database = request.getfixturevalue("new_database")  # skips without PostgreSQL
    import psycopg

    from gdprkit.store.postgres import PostgresStore

    here = "table_schema = current_schema() AND table_name <> 'gdprkit_schema'"
    return Engine(
        name="postgres",
        store_class=PostgresStore,
        new_target=new_database,
        integrity_error=psycopg.errors.IntegrityError,
        version_sql="INSERT INTO gdprkit_schema (version) VALUES ({version})",
        schema_queries=(
            "SELECT table_name, column_name, ordinal_position, data_type, is_nullable,"
            " column_default, collation_name, is_identity, identity_generation"
            f" FROM information_schema.columns WHERE {here} ORDER BY 1, 3",
            "SELECT tablename, indexname, indexdef FROM pg_indexes"
            " WHERE schemaname = current_schema() ORDER BY 1, 2",
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
            " FROM pg_constraint WHERE connamespace = current_schema()::regnamespace"
            " ORDER BY 1, 2",
        ),
        tables_query=f"SELECT table_name FROM information_schema.tables WHERE {here}",
    )


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Engine:
    """Each engine in turn; PostgreSQL skips (or fails in CI) where there is no server."""
    return _sqlite(tmp_path) if request.param == "sqlite" else _postgres(request)


@pytest.fixture
def store(engine: Engine) -> Iterator[Any]:
    with engine.open() as opened:
        yield opened


# -- migrations -----------------------------------------------------------------------------


def test_both_spellings_cover_the_same_words() -> None:
    # A word spelled for one engine only would fail the other engine's import, or leave a
    # column without a type there.
    assert set(_migrations.SQLITE) == set(_migrations.POSTGRESQL)
    used = {w for s in _migrations.SCRIPTS for w in re.findall(r"\$([A-Z_]+)", s)}
    assert used == set(_migrations.SQLITE)


def test_pending_versions_and_a_newer_store() -> None:
    assert list(_migrations.pending(0, 3)) == [1, 2, 3]
    assert list(_migrations.pending(3, 3)) == []
    with pytest.raises(gk.StoreError, match="schema version 4, newer than the 3"):
        _migrations.pending(4, 3)


def test_a_new_store_is_at_the_current_version_and_reopening_changes_nothing(
    engine: Engine,
) -> None:
    known = len(engine.migrations) - 1
    with engine.open() as first:
        assert first.version == known
        schema = engine.schema(first)
    with engine.open() as again:
        assert again.version == known
        assert engine.schema(again) == schema


@pytest.mark.parametrize("old", range(len(_migrations.SCRIPTS) - 1), ids="from version {}".format)
def test_a_store_at_an_older_version_migrates_to_the_same_schema(engine: Engine, old: int) -> None:
    with engine.open() as fresh:
        expected = engine.schema(fresh)
    target = engine.new_target()
    with engine.open(engine.migrations[: old + 1], target) as before:
        assert before.version == old
    with engine.open(target=target) as after:
        assert after.version == len(engine.migrations) - 1
        assert engine.schema(after) == expected


def test_a_newer_schema_is_refused_and_left_alone(engine: Engine) -> None:
    known = len(engine.migrations) - 1
    with engine.open() as current, current.transaction() as conn:
        conn.execute(engine.version_sql.format(version=known + 1))
    with pytest.raises(gk.StoreError, match=f"version {known + 1}, newer than the {known}"):
        engine.open()
    with engine.open((*engine.migrations, "")) as newer:  # code that knows the newer version
        assert newer.version == known + 1


FUTURE = "CREATE TABLE future_table (seq INTEGER PRIMARY KEY, entry TEXT NOT NULL);"
BROKEN = "CREATE TABLE half_done (x INTEGER); INSERT INTO no_such_table VALUES (1);"


def test_an_appended_migration_upgrades_an_existing_store(engine: Engine) -> None:
    known = len(engine.migrations) - 1
    engine.open().close()
    with engine.open((*engine.migrations, FUTURE)) as upgraded:
        assert upgraded.version == known + 1
        with upgraded.transaction() as conn:
            conn.execute("INSERT INTO future_table (seq, entry) VALUES (1, 'x')")
        assert "future_table" in engine.tables(upgraded)
    with pytest.raises(gk.StoreError, match="newer"):  # the older code now refuses it
        engine.open()


@pytest.mark.parametrize("start", ["current", "empty"])
def test_a_failing_migration_leaves_the_store_as_it_was(engine: Engine, start: str) -> None:
    if start == "current":
        engine.open().close()
    with pytest.raises(gk.StoreError, match="migrating the .* store failed"):
        engine.open((*engine.migrations, BROKEN))
    known = len(engine.migrations) - 1 if start == "current" else 0
    with engine.open(engine.migrations[: known + 1]) as reopened:
        assert reopened.version == known
        tables = engine.tables(reopened)
    assert "half_done" not in tables
    assert ("keyring_keys" in tables) is (start == "current")


# -- transactions ---------------------------------------------------------------------------


def _insert_key(conn: Any, key_id: str) -> None:
    conn.execute(
        "INSERT INTO keyring_keys (keyring, key_id, created_at, status, material)"
        " VALUES (?, ?, ?, 'previous', ?)",
        ("t", key_id, "2026-01-01", b"\x00" * 32),
    )


def _keys(store: Any) -> list[str]:
    return [r[0] for r in store.query("SELECT key_id FROM keyring_keys ORDER BY key_id")]


def test_a_transaction_commits_or_rolls_back_whole(store: Any, engine: Engine) -> None:
    with store.transaction() as conn:
        _insert_key(conn, "a")

    def fails_after(*key_ids: str) -> None:
        with store.transaction() as conn:
            for key_id in key_ids:
                _insert_key(conn, key_id)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        fails_after("b")
    with pytest.raises(engine.integrity_error):
        fails_after("c", "a")  # the database refuses the second "a"; "c" goes with it

    def breaks_a_check() -> None:
        with store.transaction() as conn:
            _insert_key(conn, "d")
            # neither a key nor a shred time: the CHECK refuses it, and "d" goes with it
            conn.execute("INSERT INTO subject_keys (subject, created_at) VALUES ('b', 't')")

    with pytest.raises(engine.integrity_error):
        breaks_a_check()
    assert _keys(store) == ["a"]
    with store.transaction() as conn:  # the store is usable afterwards
        _insert_key(conn, "e")
    assert _keys(store) == ["a", "e"]


def test_nested_transactions_are_savepoints(store: Any) -> None:
    def inner_fails() -> None:
        with store.transaction() as inner:
            _insert_key(inner, "inner")
            raise ValueError

    with store.transaction() as conn:
        _insert_key(conn, "outer")
        with pytest.raises(ValueError):
            inner_fails()
        with store.transaction() as inner:
            _insert_key(inner, "kept")
    assert _keys(store) == ["kept", "outer"]


def test_cursors_answer_alike(store: Any) -> None:
    with store.transaction() as conn:
        _insert_key(conn, "a")
        _insert_key(conn, "b")
        cursor = conn.execute(
            "UPDATE keyring_keys SET status = 'previous' WHERE keyring = ?", ("t",)
        )
        assert cursor.rowcount == 2
        missing = conn.execute("SELECT key_id FROM keyring_keys WHERE key_id = ?", ("zz",))
        assert missing.fetchone() is None
        listed = conn.execute("SELECT key_id FROM keyring_keys ORDER BY 1")
        assert [r[0] for r in listed] == ["a", "b"]
        conn.executemany(
            "UPDATE keyring_keys SET created_at = ? WHERE key_id = ?",
            [("2026-02-01", "a"), ("2026-03-01", "b")],
        )
    material = store.query("SELECT material, '50%?' FROM keyring_keys WHERE key_id = ?", ("a",))
    assert material == [(b"\x00" * 32, "50%?")]
    assert type(material[0][0]) is bytes


def test_writes_are_visible_to_a_second_store(store: Any, engine: Engine) -> None:
    with engine.open() as second:
        with store.transaction() as conn:
            _insert_key(conn, "a")
        assert _keys(second) == ["a"]


def test_threads_share_one_store(store: Any) -> None:
    def work(n: int) -> None:
        for i in range(10):
            with store.transaction() as conn:
                _insert_key(conn, f"{n}-{i}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(_keys(store)) == 40


def test_closing_is_idempotent_and_final(store: Any) -> None:
    with store.transaction(), pytest.raises(gk.StoreError, match="inside a transaction"):
        store.close()
    store.checkpoint()  # harmless on every engine
    store.close()
    store.close()
    assert store.closed
    assert "closed" in repr(store)
    with pytest.raises(gk.StoreError, match="closed"):
        store.query("SELECT 1")
    with pytest.raises(gk.StoreError, match="closed"), store.transaction():
        pass
    with pytest.raises(gk.StoreError, match="closed"):
        store.version
    with pytest.raises(gk.StoreError, match="closed"):
        store.checkpoint()


def test_check_store_knows_the_engine(store: Any) -> None:
    assert gstore.check_store(store) is store
    with pytest.raises(TypeError, match="settings must be a gdprkit store"):
        gstore.check_store(object(), "settings")


# -- read-only stores and damaged ones ---------------------------------------------------------


def _open_read_only(engine: Engine, target: str | None = None) -> Any:
    return engine.store_class(target or engine.target, read_only=True)


def test_a_read_only_store_reads_and_refuses_every_write(engine: Engine) -> None:
    with engine.open() as writer, writer.transaction() as conn:
        _insert_key(conn, "a")
    with _open_read_only(engine) as reader:
        assert reader.read_only
        assert "read-only" in repr(reader)
        assert reader.version == len(engine.migrations) - 1
        assert _keys(reader) == ["a"]
        with pytest.raises(gk.StoreError, match="read-only"), reader.transaction():
            pass
        with pytest.raises(gk.StoreError, match="read-only"):
            reader.checkpoint()
    with engine.open() as writer:
        assert not writer.read_only
        assert _keys(writer) == ["a"]


def test_a_read_only_open_never_migrates(engine: Engine) -> None:
    target = engine.new_target()
    with engine.open(engine.migrations[:2], target) as old:
        schema = engine.schema(old)
    with pytest.raises(gk.StoreError, match=r"schema version 1 and needs migrating"):
        _open_read_only(engine, target)
    with engine.open(engine.migrations[:2], target) as old:
        assert old.version == 1
        assert engine.schema(old) == schema


def test_a_read_only_open_refuses_a_newer_store(engine: Engine) -> None:
    known = len(engine.migrations) - 1
    with engine.open() as current, current.transaction() as conn:
        conn.execute(engine.version_sql.format(version=known + 1))
    with pytest.raises(gk.StoreError, match=f"version {known + 1}, newer than the {known}"):
        _open_read_only(engine)


@pytest.mark.parametrize("read_only", [False, True], ids=["writable", "read-only"])
def test_a_store_missing_one_of_its_tables_is_refused(engine: Engine, read_only: bool) -> None:
    with engine.open() as store, store.transaction() as conn:
        conn.execute("DROP TABLE audit_log")
    with pytest.raises(gk.StoreError, match="lacks gdprkit's table.s. audit_log") as info:
        engine.store_class(engine.target, read_only=read_only)
    assert info.value.__cause__ is None and info.value.__context__ is None


def test_a_table_dropped_while_open_is_a_store_error(store: Any, engine: Engine) -> None:
    with engine.open() as other, other.transaction() as conn:
        conn.execute("DROP TABLE subject_requests CASCADE" if engine.name == "postgres"
                     else "DROP TABLE subject_requests")  # fmt: skip
    with pytest.raises(gk.StoreError, match="reading the .* store failed: .*subject_requests"):
        store.query("SELECT id FROM subject_requests")


def test_checkpoint_says_what_it_did(store: Any) -> None:
    done = store.checkpoint()
    assert isinstance(done, gstore.Checkpoint)
    assert done.complete and not done.busy
    with store.transaction():
        inside = store.checkpoint()
    if store.checkpoint().log_frames >= 0:  # an engine with a log cannot fold it mid-transaction
        assert not inside.complete


# -- the modules that keep their state in a store ---------------------------------------------


def test_keyring_save_and_load(store: Any) -> None:
    ring = Keyring.generate(at=AT)
    ring.save(store, kek=KEK, name="tokens")
    loaded = Keyring.load(store, kek=KEK, name="tokens")
    assert loaded.key_ids == ring.key_ids
    token = Pseudonymizer(ring, domain="d").token("C-1042")
    assert Pseudonymizer(loaded, domain="d").token("C-1042") == token
    rotated = loaded.rotate(at=AT)
    rotated.save(store, kek=KEK, name="tokens")
    retired = rotated.retire(ring.active_id)
    retired.save(store, kek=KEK, name="tokens")
    assert Keyring.load(store, kek=KEK, name="tokens").key_ids == retired.key_ids
    (material,) = store.query(
        "SELECT material FROM keyring_keys WHERE keyring = ? AND status = 'active'", ("tokens",)
    )[0]
    assert type(material) is bytes
    # a stale copy: it lacks the new key and holds the retired one live; which of the two
    # is named first follows the engine's row order
    with pytest.raises(gk.KeyringError, match="this keyring lacks|is retired in the store"):
        ring.save(store, kek=KEK, name="tokens")
    with pytest.raises(gk.KeyringError, match="no keyring named"):
        Keyring.load(store, kek=KEK, name="nope")


def test_keyrings_are_wrapped_at_rest_and_an_older_store_is_wrapped_once(engine: Engine) -> None:
    ring = Keyring.generate(at=AT)
    material = ring._keys[0].secret.reveal()
    target = engine.new_target()
    # A version-4 store as an older gdprkit left it: the keyring's material in clear.
    with engine.open(engine.migrations[:5], target) as old, old.transaction() as conn:
        conn.execute(
            "INSERT INTO keyring_keys (keyring, key_id, created_at, status, material)"
            " VALUES ('tokens', ?, ?, 'active', ?)",
            (ring.active_id, ring.info()[0].created_at.isoformat(), material),
        )
    with engine.open(target=target) as store:
        with pytest.raises(gk.KeyringError, match="stored unwrapped"):
            Keyring.load(store, kek=KEK, name="tokens")
        assert pseudonym.rewrap_keyrings(store, KEK) == 1
        assert Keyring.load(store, kek=KEK, name="tokens") == ring
        ((stored, kek_id),) = store.query("SELECT material, kek_id FROM keyring_keys")
        assert kek_id == "kek1" and material not in bytes(stored)
        both = f"{Kek.generate(key_id='kek2')} {KEK_TEXT}"
        rotated = Kek.from_callable(lambda: both)
        assert pseudonym.rewrap_keyrings(store, rotated) == 1
        with pytest.raises(gk.KekError, match="holds no KEK 'kek2'"):
            Keyring.load(store, kek=KEK, name="tokens")


def test_subject_keys_encrypt_shred_rewrap(store: Any) -> None:
    kek = Keyring.generate(at=AT)
    keys = SubjectKeys(store, kek)
    sealed = keys.encrypt("C-1042", "email", "anna@example.se", at=AT)
    assert keys.decrypt("C-1042", "email", sealed) == b"anna@example.se"
    moved = SubjectKeys(store, kek.rotate(at=AT))
    assert moved.rewrap() == 1
    assert moved.decrypt("C-1042", "email", sealed) == b"anna@example.se"
    assert moved.shred("C-1042", at=AT).destroyed is True
    assert moved.shred("C-1042", at=AT).destroyed is False
    assert moved.is_shredded("C-1042")
    with pytest.raises(gk.SubjectShredded):
        moved.decrypt("C-1042", "email", sealed)
    with pytest.raises(gk.SubjectShredded):
        moved.encrypt("C-1042", "email", "again")
    assert store.query("SELECT wrapped_key, kek_id FROM subject_keys") == [(None, None)]


def test_tombstones_an_older_gdprkit_left_are_sealed_after_migrating(engine: Engine) -> None:
    # A version-3 store, as gdprkit wrote it before tombstones were sealed: the shredded
    # subject's identifier is in clear in its row.
    kek = Keyring.generate(at=AT)
    target = engine.new_target()
    with engine.open(engine.migrations[:4], target) as old, old.transaction() as conn:
        conn.execute(
            "INSERT INTO subject_keys (subject, created_at, shredded_at)"
            " VALUES ('C-9', 't', 't'), ('C-8', 't', 't')"
        )
    with engine.open(target=target) as store:
        keys = SubjectKeys(store, kek)
        assert keys.is_shredded("C-9") and keys.is_shredded("C-8")  # found by identifier
        ciphertext = keys.encrypt("C-1", "email", "c1@example.se", at=AT)
        assert keys.shred("C-8", at=AT).destroyed is False  # a shred seals it
        assert keys.rewrap() == 0  # no data key to move; the other tombstone is sealed
        stored = {r[0] for r in store.query("SELECT subject FROM subject_keys")}
        assert "C-1" in stored and not stored & {"C-8", "C-9"}
        assert keys.is_shredded("C-9") and keys.is_shredded("C-8")
        with pytest.raises(gk.SubjectShredded):
            keys.encrypt("C-9", "email", "x")
        assert keys.decrypt("C-1", "email", ciphertext) == b"c1@example.se"
        assert store.query("SELECT shredded_at FROM subject_keys WHERE subject <> 'C-1'") == [
            ("t",),
            ("t",),
        ]  # the time of the shred stays


def test_audit_log_chain_and_tampering(store: Any) -> None:
    log = AuditLog(store, pseudonymizer=Pseudonymizer(Keyring.generate(), domain="audit"))
    for n in range(5):
        log.record("export.created", at=AT, actor="dpo", subject="C-1042", details={"n": n})
    head = log.verify()
    assert head is not None and head.seq == 5
    assert [e.details["n"] for e in log.entries(subject="C-1042")] == [0, 1, 2, 3, 4]
    with store.transaction() as conn:
        conn.execute("UPDATE audit_log SET details = '{\"n\":9}' WHERE seq = 3")
    with pytest.raises(gk.AuditIntegrityError, match="entry 3 was changed"):
        log.verify()


@pytest.mark.parametrize("keyed", [False, True], ids=["unkeyed forgery", "guessed MAC"])
def test_an_entry_forged_by_a_writer_without_the_key_is_detected(store: Any, keyed: bool) -> None:
    from gdprkit.audit import AuditEntry, canonical_json

    ring = Keyring.generate(at=AT)
    log = AuditLog(store, keyring=ring)
    last = [log.record("export.created", at=AT, actor="dpo", details={"n": n}) for n in range(3)][
        -1
    ]
    forged = AuditEntry(4, last.at, "mallory", "erasure.executed", None, {}, last.hash,
                        key_id=ring.active_id if keyed else None)  # fmt: skip
    stored = "0" * 64 if keyed else forged.hash  # SHA-256: what the unkeyed chain accepted
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO audit_log (seq, at, actor, action, subject, details, prev_hash, hash,"
            " key_id) VALUES (4, ?, 'mallory', 'erasure.executed', NULL, ?, ?, ?, ?)",
            (forged.at, canonical_json({}).decode(), last.hash, stored, forged.key_id),
        )
    with pytest.raises(gk.AuditIntegrityError, match="entry 4 "):
        log.verify()


def rewrite_as_legacy_chain(conn: Any) -> gk.audit.AuditHead:
    """Rewrite every row of the log as a writer without the keyring can: a consistent chain of
    legacy entries, hashed with plain SHA-256 as entries.py hashes an unkeyed entry; the new head.

    ``conn`` is a driver connection (SQLite's or psycopg's) inside a transaction.
    """
    from gdprkit.audit import GENESIS, AuditEntry, AuditHead

    rows = conn.execute(
        "SELECT seq, at, actor, action, subject, details FROM audit_log ORDER BY seq"
    ).fetchall()
    prev = GENESIS
    for seq, at, actor, action, subject, details in rows:
        entry = AuditEntry(seq, at, actor, action, subject, json.loads(details), prev)
        conn.execute(
            "UPDATE audit_log SET prev_hash = ?, hash = ?, key_id = NULL WHERE seq = ?",
            (prev, entry.hash, seq),
        )
        prev = entry.hash
    return AuditHead(len(rows), prev)


def _rewrite_as_legacy_chain(store: Any) -> None:
    with store.transaction() as conn:
        rewrite_as_legacy_chain(conn)


def test_a_keyed_log_rewritten_as_legacy_entries_is_refused(store: Any) -> None:
    log = AuditLog(store, keyring=Keyring.generate(at=AT))
    for n in range(3):
        log.record("export.created", at=AT, actor="dpo", details={"n": n})
    _rewrite_as_legacy_chain(store)
    with pytest.raises(gk.AuditIntegrityError, match="entry 1 is a legacy .* created with"):
        log.check()
    with pytest.raises(gk.AuditIntegrityError, match="entry 1 is a legacy"):
        AuditLog(store).verify()


def test_a_migrated_log_verifies_its_legacy_entries_up_to_the_recorded_bound(
    engine: Engine,
) -> None:
    from gdprkit.audit import GENESIS, AuditEntry

    target = engine.new_target()
    before_keyed = _migrations.SCRIPTS.index(_migrations._V6_AUDIT_KEYED)
    with engine.open(engine.migrations[:before_keyed], target) as old, old.transaction() as conn:
        prev = GENESIS
        for seq in (1, 2):
            entry = AuditEntry(seq, "2026-11-25T09:30:00+00:00", "dpo", "x", None, {}, prev)
            conn.execute(
                "INSERT INTO audit_log (seq, at, actor, action, subject, details, prev_hash, hash)"
                " VALUES (?, ?, 'dpo', 'x', NULL, '{}', ?, ?)",
                (seq, entry.at, prev, entry.hash),
            )
            prev = entry.hash
    with engine.open(target=target) as store:
        assert store.query("SELECT legacy_until FROM audit_chain") == [(2,)]
        log = AuditLog(store, keyring=Keyring.generate(at=AT))
        log.record("export.created", at=AT, actor="dpo")
        found = log.check()
        assert (found.entries, found.legacy, found.keyed) == (3, 2, 1)
        _rewrite_as_legacy_chain(store)
        with pytest.raises(gk.AuditIntegrityError, match="entry 3 .* only up to entry 2 when"):
            log.check()
        with store.transaction() as conn:
            conn.execute("DELETE FROM audit_chain")
        with pytest.raises(gk.AuditIntegrityError, match="entry 1 .* missing"):
            log.check()


def test_ledger_and_requests(store: Any, elveta: gk.Policy) -> None:
    from gdprkit.consent import IndicationMethod, Ledger
    from gdprkit.requests import RequestKind, RequestRegister

    ring = Keyring.generate(at=AT)
    audit = AuditLog(store, pseudonymizer=Pseudonymizer(ring, domain="audit"))
    ledger = Ledger(store, elveta, pseudonymizer=Pseudonymizer(ring, domain="consent"), audit=audit)
    ledger.grant("C-1042", ["cookies.analytics"], notice_version="1", method="banner", at=AT,
                 indication=IndicationMethod.CLICKED_ACCEPT)  # fmt: skip
    assert ledger.has_consent("C-1042", "cookies.analytics", AT)
    ledger.withdraw("C-1042", method="settings", at=AT + timedelta(hours=1))
    assert not ledger.has_consent("C-1042", "cookies.analytics", AT + timedelta(hours=1))
    objection = ledger.object("C-1042", "marketing", at=AT + timedelta(hours=2))
    assert objection.absolute
    assert ledger.has_objected("C-1042", "marketing", AT + timedelta(hours=3))
    ledger.restrict(
        "C-1042", allowed_purposes=["bookkeeping"], at=AT + timedelta(hours=3), reason="18(1)(a)"
    )
    assert ledger.restriction("C-1042", AT + timedelta(hours=4)) is not None
    register = RequestRegister(store, audit=audit)
    request = register.receive(
        RequestKind.ACCESS, "customer", "C-1042", received_at=AT, channel="email"
    )
    register.verify(request.id, at=AT + timedelta(hours=1))
    done = register.complete(request.id, at=AT + timedelta(hours=2))
    assert [e.state.value for e in done.history] == ["received", "verified", "done"]
    assert audit.verify() is not None


def test_a_ledger_from_before_the_decision_columns_migrates_with_its_entries(
    engine: Engine, elveta: gk.Policy
) -> None:
    from gdprkit.consent import ConsentStatus, Ledger, ObjectionState

    before = _migrations.SCRIPTS.index(_migrations._V7_LEDGER_DECISIONS) - 1
    ring = Keyring.generate(at=AT)
    names = Pseudonymizer(ring, domain="consent")
    token, stamp = names.token("C-1042"), "2026-11-25T09:30:00.000000+00:00"
    target = engine.new_target()
    with engine.open(engine.migrations[: before + 1], target) as old, old.transaction() as conn:
        conn.execute(
            "INSERT INTO consent_records (record_id, subject, schema_version, controller,"
            " controller_iri, policy_version, notice_version, language, jurisdiction, method,"
            " indicated_by, withdrawal_method, created_at)"
            " VALUES ('r-1', ?, 's', 'Picofrost AB', NULL, '1', 'n1', 'sv', 'SE', 'banner',"
            " 'data_subject', 'settings', ?)",
            (token, stamp),
        )
        conn.execute(
            "INSERT INTO consent_record_purposes (record_id, position, purpose, basis, snapshot)"
            " VALUES ('r-1', 0, 'cookies.analytics', 'consent', '{}')"
        )
        conn.execute(
            "INSERT INTO consent_events (record_id, event_no, subject, purpose, state, at,"
            " indicated_by, method) VALUES ('r-1', 1, ?, 'cookies.analytics', 'given', ?,"
            " 'data_subject', 'banner')",
            (token, stamp),
        )
        conn.execute(
            "INSERT INTO restrictions (subject, since, reason, allowed_purposes)"
            " VALUES (?, ?, '18(1)(a)', '[\"bookkeeping\"]')",
            (token, stamp),
        )
        conn.executemany(
            "INSERT INTO objections (subject, purpose, at, absolute) VALUES (?, ?, ?, ?)",
            [(token, "personalisation", stamp, 0), (token, "marketing", stamp, 1)],
        )
    with engine.open(target=target) as migrated:
        ledger = Ledger(migrated, elveta, pseudonymizer=names)
        (record,) = ledger.records("C-1042")
        assert record.indication is None and record.events[0].indication is None
        later = AT + timedelta(days=1)
        assert ledger.consent_status("C-1042", "cookies.analytics", later) is ConsentStatus.GIVEN
        whole = ledger.restriction("C-1042", later)  # a restriction from before scopes: everything
        assert whole is not None and whole.scope.whole and whole.allowed_purposes == {"bookkeeping"}
        with pytest.raises(gk.SubjectNotInformed):
            ledger.lift_restriction("C-1042", at=later)
        # an objection in force before decisions were kept awaits the controller's assessment
        state = ledger.objection_state("C-1042", "personalisation", later)
        assert state is ObjectionState.PENDING_ASSESSMENT
        assert ledger.objection_state("C-1042", "marketing", later) is ObjectionState.UPHELD
        assert ledger.inactive_purposes("C-1042", later) == {"marketing"}


def test_scoped_restrictions_round_trip(store: Any, elveta: gk.Policy) -> None:
    from gdprkit._demo.models import MeterReading
    from gdprkit.consent import Ledger, RestrictionScope

    ledger = Ledger(store, elveta, pseudonymizer=Pseudonymizer(Keyring.generate(), domain="c"))
    october = RestrictionScope.period(
        MeterReading, "read_at", datetime(2026, 9, 30, 22, tzinfo=UTC),
        datetime(2026, 10, 31, 23, tzinfo=UTC),
    )  # fmt: skip
    invoices = RestrictionScope.records("Invoice", ["F-2", "F-1"], key="invoice_id")
    ledger.restrict("C-1042", scope=october, at=AT, reason="18(1)(a)")
    ledger.restrict("C-1042", scope=invoices, at=AT, reason="18(1)(c)", allowed_purposes=["crm"])
    later = AT + timedelta(days=1)
    assert [r.scope for r in ledger.restrictions("C-1042", later)] == [october, invoices]
    ledger.record_subject_informed("C-1042", scope=october, method="letter", at=later)
    lifted = ledger.lift_restriction("C-1042", scope=october, at=later)
    assert lifted.informed_at == later and lifted.lifted_at == later
    (left,) = ledger.restrictions("C-1042", later)
    assert left.scope == invoices and left.allowed_purposes == {"crm"}


def test_objection_decisions_round_trip(store: Any, elveta: gk.Policy) -> None:
    from gdprkit.consent import Ledger, ObjectionState

    ledger = Ledger(store, elveta, pseudonymizer=Pseudonymizer(Keyring.generate(), domain="c"))
    ledger.object("C-1042", "personalisation", at=AT, grounds="particular situation")
    ledger.object("C-1043", "personalisation", at=AT)
    ledger.uphold_objection("C-1042", "personalisation", at=AT + timedelta(days=9), reason="r")
    ledger.record_overriding_grounds(
        "C-1043", "personalisation", at=AT + timedelta(days=9), grounds="g"
    )
    later = AT + timedelta(days=10)
    assert ledger.objection_state("C-1042", "personalisation", later) is ObjectionState.UPHELD
    assert ledger.objection_state("C-1043", "personalisation", later) is ObjectionState.OVERRIDDEN
    assert ledger.inactive_purposes("C-1042", later) == {"personalisation"}
    assert ledger.inactive_purposes("C-1043", later) == frozenset()
