"""The SQLite store: migrations, refusal of newer schemas, WAL, transactions, URLs."""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
from pathlib import Path
from typing import ClassVar

import pytest

import gdprkit as gk
from gdprkit import store as gstore
from gdprkit.store.sqlite import MIGRATIONS, SCHEMA_VERSION, SQLiteStore, _statements


def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    conn.close()
    return {r[0] for r in rows}


def user_version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "gdprkit.db"


def test_migrations_list_starts_with_the_empty_database() -> None:
    assert MIGRATIONS[0] == ""
    assert SCHEMA_VERSION == len(MIGRATIONS) - 1 >= 1


def test_migrates_an_empty_file_from_version_0(db: Path) -> None:
    sqlite3.connect(db).close()  # an existing, empty version-0 file
    assert user_version(db) == 0
    with SQLiteStore(db) as store:
        assert store.version == SCHEMA_VERSION
    assert user_version(db) == SCHEMA_VERSION
    assert {"keyring_keys", "subject_keys"} <= tables(db)


def test_reopening_is_a_no_op(db: Path) -> None:
    SQLiteStore(db).close()
    with SQLiteStore(db) as store:
        assert store.version == SCHEMA_VERSION


def test_refuses_a_newer_schema(db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(gk.StoreError, match="newer"):
        SQLiteStore(db)
    assert user_version(db) == SCHEMA_VERSION + 1  # untouched
    assert "keyring_keys" not in tables(db)


class _V2Store(SQLiteStore):
    """Adding a migration is one appended string."""

    migrations: ClassVar[tuple[str, ...]] = (
        *MIGRATIONS,
        "CREATE TABLE future_table (seq INTEGER PRIMARY KEY, entry TEXT NOT NULL) STRICT;",
    )


class _BrokenStore(SQLiteStore):
    migrations: ClassVar[tuple[str, ...]] = (
        *MIGRATIONS,
        "CREATE TABLE half (x INTEGER); INSERT INTO no_such_table VALUES (1);",
    )


def test_appended_migration_upgrades_an_existing_store(db: Path) -> None:
    SQLiteStore(db).close()
    with _V2Store(db) as store:
        assert store.version == SCHEMA_VERSION + 1
        with store.transaction() as conn:
            conn.execute("INSERT INTO future_table (entry) VALUES ('x')")
    assert "future_table" in tables(db)
    # and the older code now refuses the newer file
    with pytest.raises(gk.StoreError, match="newer"):
        SQLiteStore(db)


def test_a_failing_migration_leaves_the_file_unchanged(db: Path) -> None:
    SQLiteStore(db).close()
    with pytest.raises(gk.StoreError, match="migrating"):
        _BrokenStore(db)
    assert user_version(db) == SCHEMA_VERSION
    assert "half" not in tables(db)


def test_migration_from_zero_is_atomic(db: Path) -> None:
    with pytest.raises(gk.StoreError):
        _BrokenStore(db)
    assert user_version(db) == 0
    assert "keyring_keys" not in tables(db)


def test_statement_splitting_keeps_semicolons_in_strings_and_triggers() -> None:
    script = """
        CREATE TABLE t (x TEXT);
        CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN SELECT 'a;b'; SELECT 1; END;
        INSERT INTO t VALUES ('semi;colon');
    """
    parts = list(_statements(script))
    assert len(parts) == 3
    assert "END;" in parts[1]
    with pytest.raises(gk.StoreError, match="incomplete"):
        list(_statements("INSERT INTO t VALUES ('unterminated"))


def test_wal_foreign_keys_secure_delete_and_private_file(db: Path) -> None:
    with SQLiteStore(db) as store:
        assert store.journal_mode == "wal"
        assert store.query("PRAGMA foreign_keys")[0][0] == 1
        assert store.query("PRAGMA secure_delete")[0][0] == 1
        assert store.query("PRAGMA busy_timeout")[0][0] == 5000
    assert stat.S_IMODE(os.stat(db).st_mode) == 0o600


def test_memory_store() -> None:
    with SQLiteStore.memory() as store:
        assert store.path == ":memory:"
        assert store.version == SCHEMA_VERSION
        store.checkpoint()  # a no-op in memory


def test_transaction_commits(db: Path) -> None:
    with SQLiteStore(db) as store:
        with store.transaction() as conn:
            conn.execute(
                "INSERT INTO subject_keys (subject, created_at, shredded_at) VALUES ('a', 't', 't')"
            )
        assert store.query("SELECT count(*) FROM subject_keys") == [(1,)]


def insert(conn: sqlite3.Connection, subject: str) -> None:
    conn.execute(
        "INSERT INTO subject_keys (subject, created_at, shredded_at) VALUES (?, 't', 't')",
        (subject,),
    )


def write_then_fail(store: SQLiteStore, error: Exception, *subjects: str) -> None:
    with store.transaction() as conn:
        for subject in subjects:
            insert(conn, subject)
        raise error


def test_transaction_rolls_back_on_exception(db: Path) -> None:
    with SQLiteStore(db) as store:
        with pytest.raises(RuntimeError, match="boom"):
            write_then_fail(store, RuntimeError("boom"), "a", "b")
        assert store.query("SELECT count(*) FROM subject_keys") == [(0,)]
        # the store is usable afterwards
        with store.transaction() as conn:
            insert(conn, "c")
        assert store.query("SELECT subject FROM subject_keys") == [("c",)]


def test_a_constraint_violation_rolls_back_the_whole_transaction(db: Path) -> None:
    def violate() -> None:
        with store.transaction() as conn:
            insert(conn, "a")
            # violates the CHECK: neither a key nor a shred time
            conn.execute("INSERT INTO subject_keys (subject, created_at) VALUES ('b', 't')")

    with SQLiteStore(db) as store:
        with pytest.raises(sqlite3.IntegrityError):
            violate()
        assert store.query("SELECT count(*) FROM subject_keys") == [(0,)]


def test_nested_transactions_are_savepoints(db: Path) -> None:
    with SQLiteStore(db) as store:
        with store.transaction() as conn:
            insert(conn, "a")
            with pytest.raises(KeyError):
                write_then_fail(store, KeyError("inner"), "b")
            insert(conn, "c")
        assert store.query("SELECT subject FROM subject_keys ORDER BY 1") == [("a",), ("c",)]


def test_writes_are_visible_to_a_second_connection(db: Path) -> None:
    with SQLiteStore(db) as one, SQLiteStore(db) as two:
        with one.transaction() as conn:
            conn.execute(
                "INSERT INTO subject_keys (subject, created_at, shredded_at) VALUES ('a', 't', 't')"
            )
        assert two.query("SELECT count(*) FROM subject_keys") == [(1,)]


def test_threads_share_one_store(db: Path) -> None:
    with SQLiteStore(db) as store:

        def write(n: int) -> None:
            for i in range(20):
                with store.transaction() as conn:
                    conn.execute(
                        "INSERT INTO subject_keys (subject, created_at, shredded_at)"
                        " VALUES (?, 't', 't')",
                        (f"{n}-{i}",),
                    )

        threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert store.query("SELECT count(*) FROM subject_keys") == [(80,)]


def test_close_is_idempotent_and_final(db: Path) -> None:
    store = SQLiteStore(db)
    store.close()
    store.close()
    assert store.closed
    assert "closed" in repr(store)
    with pytest.raises(gk.StoreError, match="closed"):
        store.query("SELECT 1")
    with pytest.raises(gk.StoreError, match="closed"), store.transaction():
        pass


def test_cannot_close_inside_a_transaction(db: Path) -> None:
    with (
        SQLiteStore(db) as store,
        store.transaction(),
        pytest.raises(gk.StoreError, match="inside a transaction"),
    ):
        store.close()


def test_repr_names_path_and_schema(db: Path) -> None:
    with SQLiteStore(db) as store:
        assert repr(store) == f"SQLiteStore(path={str(db)!r}, schema={SCHEMA_VERSION})"


@pytest.mark.parametrize(
    ("path", "error"),
    [(42, TypeError), ("", gk.StoreError)],
    ids=["not a path", "empty path"],
)
def test_bad_paths(path: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        SQLiteStore(path)  # type: ignore[arg-type]


@pytest.mark.parametrize("timeout", [-1, "5", None])
def test_bad_timeout(db: Path, timeout: object) -> None:
    with pytest.raises(TypeError, match="timeout"):
        SQLiteStore(db, timeout=timeout)  # type: ignore[arg-type]


def test_unopenable_path(tmp_path: Path) -> None:
    with pytest.raises(gk.StoreError, match="cannot create"):
        SQLiteStore(tmp_path / "missing-dir" / "x.db")


def test_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not an SQLite file" * 100)
    with pytest.raises(gk.StoreError):
        SQLiteStore(path)


# -- gdprkit.store.open


def test_open_sqlite_relative_and_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with gstore.open("sqlite:///rel.db") as store:
        assert store.path == "rel.db"
    assert (tmp_path / "rel.db").exists()
    absolute = tmp_path / "abs.db"
    with gstore.open(f"sqlite:///{absolute}") as store:
        assert store.path == str(absolute)
    with gstore.open("sqlite:///:memory:") as store:
        assert store.path == ":memory:"


@pytest.mark.parametrize(
    ("url", "match"),
    [
        ("mysql+pymysql://u:p@h/d", "'mysql\\+pymysql'"),
        ("gdprkit.db", "no scheme"),
        ("sqlite://host/path.db", "three slashes"),
        ("sqlite:///", "three slashes"),
    ],
    ids=["driver suffix", "no scheme", "netloc", "no path"],
)
def test_open_rejects_unknown_urls(url: str, match: str) -> None:
    with pytest.raises(gk.StoreError, match=match) as info:
        gstore.open(url)
    assert "hunter2" not in str(info.value)


def test_open_wrong_type() -> None:
    with pytest.raises(TypeError, match="url"):
        gstore.open(b"sqlite:///x")  # type: ignore[arg-type]
