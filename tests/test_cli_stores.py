"""The commands that only read a store (``audit verify``, ``requests due``): read-only, never
a traceback, and a database that is not a gdprkit store left byte for byte as it was, with
exit status 3 (a store that cannot be used, in the table of ``gdprkit._cli.status``)."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from gdprkit._cli.status import Exit
from gdprkit.cli import main
from gdprkit.store.sqlite import SQLiteStore

COMMANDS = {
    "audit verify": ["audit", "verify"],
    "requests due": ["requests", "due", "--at", "2026-11-25T09:00+01:00"],
}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def service_db(path: Path) -> Path:
    """A service's own database: tables of its own, no gdprkit schema."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE customers (id TEXT PRIMARY KEY, email TEXT)")
    conn.execute("INSERT INTO customers VALUES ('C-1042', 'anna@example.se')")
    conn.commit()
    conn.close()
    path.chmod(0o600)
    return path


def older_store(path: Path) -> Path:
    """A gdprkit store at schema version 2, as an older gdprkit left it."""
    cls = type("Old", (SQLiteStore,), {"migrations": SQLiteStore.migrations[:3]})
    cls(path).close()
    return path


def store_without(table: str) -> Callable[[Path], Path]:
    def make(path: Path) -> Path:
        with SQLiteStore(path) as store, store.transaction() as conn:
            conn.execute(f"DROP TABLE {table}")
        return path

    return make


#: How to make the file, what the error says, and whether SQLite opened it (a WAL database at
#: the right version: SQLite then makes its -wal/-shm companions, even read-only; the others
#: are refused from the file's header, before SQLite touches them).
CASES = {
    "service database": (service_db, "StoreError: the database is not a gdprkit store", False),
    "older store": (older_store, "needs migrating to", False),
    "store missing a table": (
        store_without("subject_request_history"),
        "lacks gdprkit's table",
        True,
    ),
}


@pytest.mark.parametrize("command", COMMANDS, ids=str)
@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_reading_command_refuses_and_leaves_the_file_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, case: str
) -> None:
    make, message, opened = CASES[case]
    db = make(tmp_path / "target.db")
    before, listing = digest(db), {p.name for p in tmp_path.iterdir()}
    assert main([*COMMANDS[command], str(db)]) == Exit.UNAVAILABLE
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert digest(db) == before
    companions = {"target.db-wal", "target.db-shm"} if opened else set()
    assert {p.name for p in tmp_path.iterdir()} - listing <= companions


@pytest.mark.parametrize("command", COMMANDS, ids=str)
def test_a_reading_command_never_creates_a_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    missing = tmp_path / "missing.db"
    assert main([*COMMANDS[command], str(missing)]) == Exit.UNAVAILABLE
    assert "does not exist" in capsys.readouterr().err
    assert not missing.exists()


@pytest.mark.parametrize("command", COMMANDS, ids=str)
def test_a_reading_command_reads_a_store_without_writing_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    db = tmp_path / "gdprkit.db"
    SQLiteStore(db).close()
    before = digest(db)
    assert main([*COMMANDS[command], str(db)]) == 0
    assert "Traceback" not in capsys.readouterr().err
    assert digest(db) == before


def test_the_real_command_prints_no_traceback(tmp_path: Path) -> None:
    db = service_db(tmp_path / "service.db")
    before = digest(db)
    done = subprocess.run(
        [sys.executable, "-m", "gdprkit", "audit", "verify", str(db)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == Exit.UNAVAILABLE
    assert "not a gdprkit store" in done.stderr
    assert "Traceback" not in done.stderr
    assert digest(db) == before
