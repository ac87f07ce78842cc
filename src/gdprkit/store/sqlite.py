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

Read-only
---------
``SQLiteStore(path, read_only=True)`` opens an existing store through
SQLite's ``mode=ro``: nothing is created or migrated and every write is
refused. A database that is not a gdprkit store at this code's schema
version (a service's own database, say) is refused with
:class:`~gdprkit.StoreError` and left byte for byte as it was. The
commands that only read (``gdprkit audit verify``, ``gdprkit requests
due``) open stores this way.

At rest
-------
A new database file is created readable by its owner only (``0600``; SQLite
gives the ``-wal``/``-shm`` files the same mode); opening an existing file
that group or others may read warns with :class:`~gdprkit.StoreWarning`.
``secure_delete`` is on, so deleted rows (a shredded subject's key) are
overwritten with zeros instead of lingering in free pages, and
:meth:`SQLiteStore.checkpoint` folds the write-ahead log back so that old
page images do not outlive a deletion, and says whether it could
(Art. 17 and Art. 32 GDPR). What the rows contain, and how keys in them are
protected, is documented by the module that writes them.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar, Final, Self

from gdprkit._errors import StoreError, StoreWarning
from gdprkit.store._common import (
    Checkpoint,
    StoreBase,
    log_opened,
    require_schema,
    require_tables,
)
from gdprkit.store._migrations import SQLITE, pending, render

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "SQLiteStore"]

#: ``MIGRATIONS[n]`` brings a version ``n - 1`` database to version ``n``: the scripts of
#: :mod:`gdprkit.store._migrations`, declared once for both engines, in SQLite's spelling.
MIGRATIONS: Final[tuple[str, ...]] = render(SQLITE)

#: The newest schema version this code knows.
SCHEMA_VERSION: Final = len(MIGRATIONS) - 1

_SQLITE_MAGIC: Final = b"SQLite format 3\x00"


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


def _create_private(path: Path) -> bool:
    """Create an empty database file readable by its owner only; False if it existed.

    The mode is given to ``open(2)`` itself rather than set by a ``chmod``
    afterwards (no window in which the file is readable) or a ``umask``
    (process-wide, so it would race with the service's other threads).
    SQLite creates the ``-wal`` and ``-shm`` files with the database file's
    mode, so they are private too.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    except OSError as exc:
        raise StoreError(f"cannot create the SQLite store file: {exc.strerror}") from None
    os.close(fd)
    return True


def _warn_if_exposed(path: str) -> None:
    """Warn (:class:`~gdprkit.StoreWarning`) if the store file is open to group or others."""
    if os.name != "posix":
        return
    mode = stat.S_IMODE(os.stat(path).st_mode)
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        warnings.warn(
            StoreWarning(
                f"the SQLite store {path!r} is accessible to group or others (mode "
                f"{mode:04o}); it holds wrapped keys, tombstones and the audit log: chmod 600 it"
            ),
            stacklevel=3,
        )


def _header_version(path: str) -> int | None:
    """The ``user_version`` in the file's header, where the header alone is authoritative.

    It is, unless a non-empty write-ahead log may hold a newer first page.
    Reading it before SQLite opens the file means that a file which is not
    a gdprkit store at the right version is refused without SQLite creating
    ``-wal``/``-shm`` files beside it (it does for a WAL database, even
    read-only).
    """
    try:
        with open(path, "rb") as handle:
            header = handle.read(100)
    except OSError as exc:
        raise StoreError(f"cannot read the SQLite store file: {exc.strerror}") from None
    if not header:
        return 0  # SQLite reads an empty file as an empty database
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        raise StoreError("the file is not an SQLite database, so not a gdprkit store")
    wal = f"{path}-wal"
    if header[18:20] == b"\x02\x02" and os.path.exists(wal) and os.path.getsize(wal) > 0:
        return None
    return int.from_bytes(header[60:64], "big")


def _connect(
    text: str, timeout: float, read_only: bool, migrations: tuple[str, ...]
) -> sqlite3.Connection:
    """Connect, read-only through a ``mode=ro`` URI so that nothing can write the file."""
    if read_only:
        if text == ":memory:":
            raise StoreError("an in-memory store cannot be opened read-only")
        if not os.path.isfile(text):
            raise StoreError("the store file does not exist")
        known = len(migrations) - 1
        version = _header_version(text)
        if version is not None and version != known:
            require_schema(version, known, (), migrations)
        target, uri = Path(text).resolve().as_uri() + "?mode=ro", True
    else:
        target, uri = text, False
    try:
        return sqlite3.connect(
            target, timeout=timeout, isolation_level=None, check_same_thread=False, uri=uri
        )
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open the SQLite store: {exc}") from None


def _configure(conn: sqlite3.Connection, text: str, timeout: float, read_only: bool) -> None:
    """Set the pragmas: busy timeout; then WAL and secure deletion, or query-only."""
    conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
    if read_only:
        conn.execute("PRAGMA query_only = ON")
        return
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA secure_delete = ON")
    if text != ":memory:":
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StoreError(f"the SQLite store could not switch to WAL (got {mode})")
        conn.execute("PRAGMA synchronous = NORMAL")


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

    def __init__(
        self, path: str | os.PathLike[str], *, timeout: float = 5.0, read_only: bool = False
    ) -> None:
        """Open (creating and migrating as needed) the database at ``path``.

        ``timeout`` is how many seconds a write waits for another writer
        (``PRAGMA busy_timeout``). ``":memory:"`` opens a private in-memory
        database (no WAL there; see :meth:`memory`).

        ``read_only=True`` opens an existing store for reading only (SQLite's
        ``mode=ro``): nothing is created or migrated, every write is refused,
        and a file that is not a gdprkit store at this code's schema version
        raises :class:`~gdprkit.StoreError` and stays byte for byte as it
        was. Opening an existing file that group or others may read warns
        with :class:`~gdprkit.StoreWarning`.
        """
        if not isinstance(path, str | os.PathLike):
            raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
        if not isinstance(timeout, int | float) or timeout < 0:
            raise TypeError("timeout must be a non-negative number of seconds")
        if not isinstance(read_only, bool):
            raise TypeError("read_only must be a bool")
        text = os.fspath(path)
        if not text:
            raise StoreError("the store path is empty")
        self._path = text
        self._lock = threading.RLock()
        self._depth = 0
        self._read_only = read_only
        created = not read_only and text != ":memory:" and _create_private(Path(text))
        conn = self._conn = _connect(text, timeout, read_only, type(self).migrations)
        try:
            _configure(conn, text, timeout, read_only)
            if read_only:
                self._check_schema()
            else:
                self._migrate()
        except sqlite3.Error as exc:
            conn.close()
            raise StoreError(f"cannot set up the SQLite store: {exc}") from None
        except BaseException:
            conn.close()
            raise
        if text != ":memory:" and not created:
            _warn_if_exposed(text)

    @classmethod
    def memory(cls) -> Self:
        """A private in-memory store, migrated to the current schema (for tests and demos)."""
        return cls(":memory:")

    def _tables(self) -> list[str]:
        return [r[0] for r in self.query("SELECT name FROM sqlite_master WHERE type = 'table'")]

    def _check_schema(self) -> None:
        """Read-only: refuse anything but a gdprkit store at the current version, intact."""
        migrations = type(self).migrations
        known = len(migrations) - 1
        version = int(self.query("PRAGMA user_version")[0][0])
        require_schema(version, known, self._tables(), migrations)
        log_opened(self, version, known)

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
        require_tables(known, self._tables(), migrations)
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
            conn = self._writable()
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
        """Run one read statement and return all its rows.

        A failure of the database (a missing table, a file that is not a
        database) raises :class:`~gdprkit.StoreError`; SQLite's messages name
        tables and columns, never the parameters.
        """
        with self._lock:
            conn = self._connection()
            try:
                return conn.execute(sql, params).fetchall()
            except sqlite3.DatabaseError as exc:
                reason = str(exc)
            raise StoreError(f"reading the SQLite store failed: {reason}")

    def checkpoint(self) -> Checkpoint:
        """Fold the write-ahead log into the database file and truncate it; say whether it did.

        Called after deleting secrets so that no copy of the deleted pages
        stays in the ``-wal`` file. A reader that holds a snapshot (an open
        read transaction, in this process or another) keeps the log from
        being truncated: the result is then ``busy`` (not
        :attr:`~Checkpoint.complete`); call again once the reader is done.
        Inside a transaction nothing can be checkpointed, which the result
        says as well. An in-memory store has no log (always complete).
        """
        with self._lock:
            conn = self._writable()
            if self._path == ":memory:":
                return Checkpoint(busy=False, log_frames=-1, checkpointed_frames=-1)
            if self._depth > 0:
                return Checkpoint(busy=True, log_frames=-1, checkpointed_frames=-1)
            busy, log, done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            return Checkpoint(busy=bool(busy), log_frames=int(log), checkpointed_frames=int(done))

    def __repr__(self) -> str:
        return f"SQLiteStore(path={self._path!r}, {self._state()})"
