"""The embedded default store: one SQLite file, versioned schema, explicit write transactions.

gdprkit keeps its durable state (keyrings, per-subject data keys, and later
the audit log, consent ledger, objections and requests) in one SQLite file
so that a service needs no extra server. The module knows tables, not
meaning: the code that gives the rows a meaning (``gdprkit.pseudonym``,
``gdprkit.audit`` …) lives with that meaning.

Schema versions
---------------
The schema version is SQLite's ``PRAGMA user_version``. :data:`MIGRATIONS`
holds one SQL script per version: ``MIGRATIONS[n]`` turns a version ``n - 1``
database into a version ``n`` one (``MIGRATIONS[0]`` is the empty database).
Opening a file applies every missing script, in order, in one ``BEGIN
IMMEDIATE`` transaction, so a half-migrated file cannot exist; a file whose
version is newer than :data:`SCHEMA_VERSION` is refused with
:class:`~gdprkit.StoreError` rather than written by code that does not know
its tables. The scripts are declared once for SQLite and PostgreSQL, in
:mod:`gdprkit.store._migrations`: **to add a migration, append one script
there**; never edit a published one.

At rest
-------
A new database file is created readable by its owner only (``0600``; SQLite
gives the ``-wal``/``-shm`` files the same mode). ``secure_delete`` is on, so
deleted rows (a shredded subject's key) are overwritten with zeros instead of
lingering in free pages, and :meth:`SQLiteStore.checkpoint` folds the
write-ahead log back so that old page images do not outlive a deletion
(Art. 17 and Art. 32 GDPR). What the rows contain, and how keys in them are
protected, is documented by the module that writes them.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar, Final, Self

from gdprkit._errors import StoreError
from gdprkit.store._common import StoreBase, log_opened
from gdprkit.store._migrations import SQLITE, pending, render

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "SQLiteStore"]

#: ``MIGRATIONS[n]`` brings a version ``n - 1`` database to version ``n``: the scripts of
#: :mod:`gdprkit.store._migrations`, declared once for both engines, in SQLite's spelling.
MIGRATIONS: Final[tuple[str, ...]] = render(SQLITE)

#: The newest schema version this code knows.
SCHEMA_VERSION: Final = len(MIGRATIONS) - 1


def _statements(script: str) -> Iterator[str]:
    """Split an SQL script into complete statements (semicolons in strings and triggers kept)."""
    buffer = ""
    for piece in script.split(";"):
        buffer += piece + ";"
        if sqlite3.complete_statement(buffer):
            if buffer.strip(" \t\r\n;"):
                yield buffer
            buffer = ""
    if buffer.strip(" \t\r\n;"):
        raise StoreError("a migration script ends with an incomplete SQL statement")


def _create_private(path: Path) -> None:
    """Create an empty database file readable by its owner only, unless it exists."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    except OSError as exc:
        raise StoreError(f"cannot create the SQLite store file: {exc.strerror}") from None
    os.close(fd)


class SQLiteStore(StoreBase[sqlite3.Connection]):
    """gdprkit's durable state in one SQLite file (WAL, foreign keys, versioned schema).

    Every write goes through :meth:`transaction` (``BEGIN IMMEDIATE``, so
    writers queue on SQLite's lock instead of failing half-way); reads go
    through :meth:`query`. One connection per store, guarded by a lock, so a
    store may be shared by the threads of one process; several processes
    may open the same file (``busy_timeout`` makes them wait).
    """

    #: The migrations this class applies; a subclass (tests) may extend them.
    migrations: ClassVar[tuple[str, ...]] = MIGRATIONS

    __slots__ = ("_path",)

    def __init__(self, path: str | os.PathLike[str], *, timeout: float = 5.0) -> None:
        """Open (creating and migrating as needed) the database at ``path``.

        ``timeout`` is how many seconds a write waits for another writer
        (``PRAGMA busy_timeout``). ``":memory:"`` opens a private in-memory
        database (no WAL there; see :meth:`memory`).
        """
        if not isinstance(path, str | os.PathLike):
            raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
        if not isinstance(timeout, int | float) or timeout < 0:
            raise TypeError("timeout must be a non-negative number of seconds")
        text = os.fspath(path)
        if not text:
            raise StoreError("the store path is empty")
        self._path = text
        self._lock = threading.RLock()
        self._depth = 0
        if text != ":memory:":
            _create_private(Path(text))
        try:
            conn = sqlite3.connect(
                text, timeout=timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the SQLite store: {exc}") from None
        self._conn = conn
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA secure_delete = ON")
            if text != ":memory:":
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    raise StoreError(f"the SQLite store could not switch to WAL (got {mode})")
                conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.Error as exc:
            conn.close()
            raise StoreError(f"cannot set up the SQLite store: {exc}") from None
        except BaseException:
            conn.close()
            raise
        try:
            self._migrate()
        except BaseException:
            conn.close()
            raise

    @classmethod
    def memory(cls) -> Self:
        """A private in-memory store, migrated to the current schema (for tests and demos)."""
        return cls(":memory:")

    def _migrate(self) -> None:
        """Apply every missing migration in one transaction; refuse a newer schema."""
        migrations = type(self).migrations
        known = len(migrations) - 1
        try:
            with self.transaction() as conn:
                version = int(conn.execute("PRAGMA user_version").fetchone()[0])
                for target in pending(version, known):
                    for statement in _statements(migrations[target]):
                        conn.execute(statement)
                if version != known:
                    conn.execute(f"PRAGMA user_version = {known}")
        except sqlite3.Error as exc:
            raise StoreError(f"migrating the SQLite store failed: {exc}") from None
        log_opened(self, version, known)

    @property
    def path(self) -> str:
        """The database path as given (``":memory:"`` for an in-memory store)."""
        return self._path

    @property
    def version(self) -> int:
        """The schema version of the open database (``PRAGMA user_version``)."""
        return int(self.query("PRAGMA user_version")[0][0])

    @property
    def journal_mode(self) -> str:
        """SQLite's journal mode: ``"wal"`` for a file store."""
        return str(self.query("PRAGMA journal_mode")[0][0]).lower()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run a block as one write transaction: ``BEGIN IMMEDIATE`` … ``COMMIT``, or ``ROLLBACK``.

        The block gets the connection to execute statements on. Any exception
        rolls everything back and propagates. Nested calls become savepoints,
        so a helper that writes may be called inside a caller's transaction.
        """
        with self._lock:
            conn = self._connection()
            depth = self._depth
            savepoint = f"gdprkit_sp{depth}"
            conn.execute("BEGIN IMMEDIATE" if depth == 0 else f"SAVEPOINT {savepoint}")
            self._depth = depth + 1
            try:
                yield conn
            except BaseException:
                self._depth = depth
                if depth == 0:
                    conn.execute("ROLLBACK")
                else:
                    conn.execute(f"ROLLBACK TO {savepoint}")
                    conn.execute(f"RELEASE {savepoint}")
                raise
            self._depth = depth
            try:
                conn.execute("COMMIT" if depth == 0 else f"RELEASE {savepoint}")
            except BaseException:
                if depth == 0 and conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run one read statement and return all its rows."""
        with self._lock:
            return self._connection().execute(sql, params).fetchall()

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the database file and truncate it (best effort).

        Called after deleting secrets so that no copy of the deleted pages
        stays in the ``-wal`` file; a reader in another process may keep
        the log from being truncated until it finishes.
        """
        with self._lock:
            conn = self._connection()
            if self._depth == 0 and self._path != ":memory:":
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()

    def __repr__(self) -> str:
        return f"SQLiteStore(path={self._path!r}, {self._state()})"
