"""What only the SQLite store does: ``user_version``, statement splitting, WAL and pragmas, the
private file, paths and ``sqlite://`` URLs. What every store does is in ``test_store.py``."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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
def store_file(tmp_path: Path) -> Path:
    return tmp_path / "gdprkit.db"


def test_migrations_list_starts_with_the_empty_database() -> None:
    assert MIGRATIONS[0] == ""
    assert SCHEMA_VERSION == len(MIGRATIONS) - 1 >= 1


def test_migrates_an_empty_file_from_version_0(store_file: Path) -> None:
    sqlite3.connect(store_file).close()  # an existing, empty version-0 file
    store_file.chmod(0o600)
    assert user_version(store_file) == 0
    with SQLiteStore(store_file) as store:
        assert store.version == SCHEMA_VERSION
    assert user_version(store_file) == SCHEMA_VERSION
    assert {"keyring_keys", "subject_keys"} <= tables(store_file)


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


def test_wal_foreign_keys_secure_delete_and_private_file(store_file: Path) -> None:
    with SQLiteStore(store_file) as store:
        assert store.journal_mode == "wal"
        assert store.query("PRAGMA foreign_keys")[0][0] == 1
        assert store.query("PRAGMA secure_delete")[0][0] == 1
        assert store.query("PRAGMA busy_timeout")[0][0] == 5000
    assert stat.S_IMODE(os.stat(store_file).st_mode) == 0o600


def test_memory_store() -> None:
    with SQLiteStore.memory() as store:
        assert store.path == ":memory:"
        assert store.version == SCHEMA_VERSION
        store.checkpoint()  # a no-op in memory


def test_repr_names_path_and_schema(store_file: Path) -> None:
    with SQLiteStore(store_file) as store:
        assert repr(store) == f"SQLiteStore(path={str(store_file)!r}, schema={SCHEMA_VERSION})"


@pytest.mark.parametrize(
    ("path", "error"),
    [(42, TypeError), ("", gk.StoreError)],
    ids=["not a path", "empty path"],
)
def test_bad_paths(path: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        SQLiteStore(path)  # type: ignore[arg-type]


@pytest.mark.parametrize("timeout", [-1, "5", None])
def test_bad_timeout(store_file: Path, timeout: object) -> None:
    with pytest.raises(TypeError, match="timeout"):
        SQLiteStore(store_file, timeout=timeout)  # type: ignore[arg-type]


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


# -- private files, read-only opening, checkpoints


@contextmanager
def umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_new_store_and_its_wal_and_shm_are_private_whatever_the_umask(
    store_file: Path,
) -> None:
    with umask(0), SQLiteStore(store_file) as store:  # umask 0 would leave 0666 files
        with store.transaction() as conn:
            conn.execute(
                "INSERT INTO subject_keys (subject, created_at, shredded_at) VALUES ('s', 't', 't')"
            )
        companions = [Path(f"{store_file}-wal"), Path(f"{store_file}-shm")]
        assert all(p.exists() for p in companions)
        assert [mode(p) for p in (store_file, *companions)] == [0o600, 0o600, 0o600]


@pytest.mark.parametrize("read_only", [False, True], ids=["writable", "read-only"])
@pytest.mark.parametrize("loose", [0o644, 0o640, 0o606], ids=["0644", "0640", "0606"])
def test_opening_a_store_others_may_read_warns(
    store_file: Path, loose: int, read_only: bool
) -> None:
    SQLiteStore(store_file).close()
    store_file.chmod(loose)
    with pytest.warns(gk.StoreWarning, match=f"mode {loose:04o}.*chmod 600") as warned:
        SQLiteStore(store_file, read_only=read_only).close()
    assert warned[0].filename == __file__  # it points at the caller
    assert issubclass(gk.StoreWarning, gk.GdprkitWarning)
    store_file.chmod(0o600)
    SQLiteStore(store_file, read_only=read_only).close()  # no warning (warnings are errors here)


def test_a_service_database_opened_read_only_is_refused_and_left_byte_identical(
    tmp_path: Path,
) -> None:
    service = tmp_path / "service.db"
    conn = sqlite3.connect(service)
    conn.execute("CREATE TABLE customers (id TEXT PRIMARY KEY, email TEXT)")
    conn.execute("INSERT INTO customers VALUES ('C-1042', 'anna@example.se')")
    conn.commit()
    conn.close()
    service.chmod(0o600)
    before, listing = digest(service), sorted(tmp_path.iterdir())
    with pytest.raises(gk.StoreError, match="not a gdprkit store"):
        SQLiteStore(service, read_only=True)
    with pytest.raises(gk.StoreError, match="not a gdprkit store"):
        gstore.open(f"sqlite:///{service}", read_only=True)
    assert digest(service) == before
    assert sorted(tmp_path.iterdir()) == listing  # no -wal, -shm or journal left beside it


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda p: None, "does not exist"),
        (lambda p: p.write_bytes(b"not a database" * 300), "not an SQLite database"),
        (lambda p: p.write_bytes(b""), "not a gdprkit store"),
    ],
    ids=["missing", "junk", "empty file"],
)
def test_read_only_refuses_what_is_not_a_store(tmp_path: Path, make: Any, match: str) -> None:
    path = tmp_path / "x.db"
    make(path)
    before = digest(path) if path.exists() else None
    with pytest.raises(gk.StoreError, match=match):
        SQLiteStore(path, read_only=True)
    assert (digest(path) if path.exists() else None) == before


def test_read_only_memory_store_is_refused() -> None:
    with pytest.raises(gk.StoreError, match="in-memory"):
        SQLiteStore(":memory:", read_only=True)
    with pytest.raises(TypeError, match="read_only"):
        SQLiteStore(":memory:", read_only="yes")  # type: ignore[arg-type]


def test_checkpoint_is_busy_while_a_reader_holds_a_snapshot(store_file: Path) -> None:
    with SQLiteStore(store_file) as store:
        reader = sqlite3.connect(store_file, isolation_level=None)
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM subject_keys").fetchall()
        with store.transaction() as conn:
            conn.execute(
                "INSERT INTO subject_keys (subject, created_at, shredded_at) VALUES ('s', 't', 't')"
            )
        store.query("PRAGMA busy_timeout = 50")
        held = store.checkpoint()
        assert held.busy and not held.complete and held.log_frames > 0
        reader.execute("COMMIT")
        reader.close()
        done = store.checkpoint()
        assert done.complete and (done.log_frames, done.checkpointed_frames) == (0, 0)
        assert os.path.getsize(f"{store_file}-wal") == 0
