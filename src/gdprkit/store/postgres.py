"""gdprkit's durable state in PostgreSQL: the SQLite store's protocol behind a server.

Install the extra (``pip install 'gdprkit[postgres]'``, psycopg 3) and open
the store by URL: ``gdprkit.store.open("postgresql://user@host/dbname")``.
Every module that keeps state (``gdprkit.pseudonym``, ``gdprkit.audit``,
``gdprkit.consent``, ``gdprkit.requests``) works unchanged on it: they write
the same ``?``-placeholder SQL, which :class:`PostgresStore` translates.

Writers are serialized
----------------------
Every outer write transaction starts with ``pg_advisory_xact_lock`` on one
constant key, held to ``COMMIT``/``ROLLBACK``. That is what ``BEGIN
IMMEDIATE`` gives on SQLite, and the modules rely on it: the audit log reads
its last entry and inserts the next in one transaction, so two writers that
interleaved would fork the hash chain; the consent ledger numbers a record's
events from the highest number so far. PostgreSQL's default isolation (READ
COMMITTED) takes a fresh snapshot for each statement, so every statement
after the lock sees everything the previous holder committed. A Python lock
would serialize the threads of one process only; the advisory lock holds
across processes and machines. Reads (:meth:`PostgresStore.query`) take no
lock. The key is per database: gdprkit stores in different schemas of one
database wait for each other, which is correct and rarely noticeable.

Schema versions
---------------
:data:`MIGRATIONS` holds the PostgreSQL DDL of the same tables as
``gdprkit.store.sqlite.MIGRATIONS``, version for version: both are rendered
from the one declaration in :mod:`gdprkit.store._migrations`, which also says
how the column types are spelled here (``bytea`` for bytes, ``TEXT`` with the
``"C"`` collation so that text sorts by bytes as in SQLite, identity columns
for row ids). The applied versions are rows of ``gdprkit_schema``; opening a
store applies the missing scripts under the writers' lock in one transaction
(PostgreSQL DDL is transactional, so a half-migrated database cannot exist)
and refuses a database whose version is newer than this code knows with
:class:`~gdprkit.StoreError`.

Credentials
-----------
The password in a URL never appears in a repr or an error message; errors
name the host at most. At rest, secrets in the rows (a keyring saved with
``Keyring.save``) are protected by the server's access control and storage
encryption, which are the operator's to set up (Art. 32 GDPR).
"""

from __future__ import annotations

import functools
import math
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar, Final

try:
    import psycopg
    from psycopg import errors as pg_errors
    from psycopg.conninfo import conninfo_to_dict
except ImportError:  # pragma: no cover - exercised with psycopg hidden
    raise ImportError(
        "the PostgreSQL store needs psycopg 3: pip install 'gdprkit[postgres]'",
        name="psycopg",
    ) from None

from gdprkit._errors import StoreError
from gdprkit.store._common import (
    Checkpoint,
    StoreBase,
    log_opened,
    require_schema,
    require_tables,
)
from gdprkit.store._migrations import POSTGRESQL, pending, render

__all__ = [
    "LOCK_KEY",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "PostgresConnection",
    "PostgresStore",
    "translate",
]

#: The advisory-lock key every write transaction takes (``pg_advisory_xact_lock``):
#: the first eight bytes of SHA-256("gdprkit.store") as a signed 64-bit integer, so that it
#: is unlikely to collide with another application's advisory locks in the same database.
LOCK_KEY: Final = -806_897_747_580_609_648

#: ``MIGRATIONS[n]`` brings a version ``n - 1`` database to version ``n``: the scripts of
#: :mod:`gdprkit.store._migrations`, declared once for both engines, in PostgreSQL's spelling.
MIGRATIONS: Final[tuple[str, ...]] = render(POSTGRESQL)

#: The newest schema version this code knows.
SCHEMA_VERSION: Final = len(MIGRATIONS) - 1

_SCHEMA_TABLE: Final = """
CREATE TABLE gdprkit_schema (
    version    INTEGER PRIMARY KEY NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
)
"""


@functools.lru_cache(maxsize=1024)
def translate(sql: str) -> str:
    """Turn SQLite-style ``?`` placeholders into psycopg's ``%s``, outside literals and comments.

    The modules write their SQL once, with ``?``; psycopg (``pyformat``)
    wants ``%s`` and reads every ``%`` as the start of a placeholder, so a
    literal ``%`` (``LIKE 'a%'``) is doubled everywhere. A ``?`` inside a
    string, quoted identifier, dollar-quoted body or comment is left alone;
    every other ``?`` is a parameter (PostgreSQL's ``jsonb ?`` operators are
    therefore not available through this store: use ``jsonb_exists()``).
    """
    out: list[str] = []
    i = 0
    n = len(sql)
    while i < n:
        c = sql[i]
        if c == "?":
            out.append("%s")
            i += 1
        elif c == "%":
            out.append("%%")
            i += 1
        elif c == "'" or c == '"':
            escapes = c == "'" and i > 0 and sql[i - 1] in "eE" and _word_start(sql, i - 1)
            end = _quoted_end(sql, i, c, escapes)
            out.append(sql[i:end].replace("%", "%%"))
            i = end
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end < 0 else end
            out.append(sql[i:end].replace("%", "%%"))
            i = end
        elif sql.startswith("/*", i):
            end = _comment_end(sql, i)
            out.append(sql[i:end].replace("%", "%%"))
            i = end
        elif c == "$" and (tag := _dollar_tag(sql, i)) is not None:
            close = sql.find(tag, i + len(tag))
            end = n if close < 0 else close + len(tag)
            out.append(sql[i:end].replace("%", "%%"))
            i = end
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _word_start(sql: str, i: int) -> bool:
    """Whether ``sql[i]`` begins a word (so ``E'…'`` is an escape string, ``TABLE'…'`` is not)."""
    return i == 0 or not (sql[i - 1].isalnum() or sql[i - 1] in "_$")


def _quoted_end(sql: str, start: int, quote: str, escapes: bool) -> int:
    """The index after the literal or identifier that opens at ``start`` (doubled quotes kept)."""
    i = start + 1
    n = len(sql)
    while i < n:
        c = sql[i]
        if escapes and c == "\\":
            i += 2
            continue
        if c == quote:
            if i + 1 < n and sql[i + 1] == quote:
                i += 2
                continue
            return i + 1
        i += 1
    return n


def _comment_end(sql: str, start: int) -> int:
    """The index after a (nestable, as in PostgreSQL) block comment opening at ``start``."""
    depth = 0
    i = start
    n = len(sql)
    while i < n:
        if sql.startswith("/*", i):
            depth += 1
            i += 2
        elif sql.startswith("*/", i):
            depth -= 1
            i += 2
            if depth == 0:
                return i
        else:
            i += 1
    return n


def _dollar_tag(sql: str, i: int) -> str | None:
    """The ``$tag$`` opening a dollar-quoted string at ``sql[i]``, if one does."""
    if i > 0 and (sql[i - 1].isalnum() or sql[i - 1] == "_"):
        return None  # part of an identifier such as a$b
    j = i + 1
    while j < len(sql) and (sql[j].isalnum() or sql[j] == "_"):
        j += 1
    if j >= len(sql) or sql[j] != "$":
        return None
    tag = sql[i : j + 1]
    return None if tag[1:2].isdigit() else tag


class PostgresConnection:
    """What a :meth:`PostgresStore.transaction` block runs its statements on.

    The same calls as on the ``sqlite3.Connection`` the SQLite store
    yields: ``execute(sql, params)`` with ``?`` placeholders returns a cursor
    with ``fetchone``, ``fetchall``, ``rowcount`` and iteration;
    ``executemany`` runs one statement for each parameter tuple.
    """

    __slots__ = ("_conn",)

    def __init__(self, conn: psycopg.Connection[tuple[Any, ...]]) -> None:
        self._conn = conn

    def execute(
        self, sql: str, parameters: Sequence[Any] = (), /
    ) -> psycopg.Cursor[tuple[Any, ...]]:
        """Run one statement (``?`` placeholders) and return its cursor."""
        return self._conn.execute(translate(sql), tuple(parameters))

    def executemany(
        self, sql: str, parameters: Iterable[Sequence[Any]], /
    ) -> psycopg.Cursor[tuple[Any, ...]]:
        """Run one statement once for each parameter sequence; return the cursor."""
        cursor = self._conn.cursor()
        cursor.executemany(translate(sql), [tuple(p) for p in parameters])
        return cursor

    def __repr__(self) -> str:
        return "<PostgresConnection in a gdprkit transaction>"


def _conninfo(url: str) -> dict[str, Any]:
    """The connection parameters of ``url``; a malformed one is a :class:`StoreError`.

    psycopg's own error quotes the URL, password and all: it is not kept as ``__context__``.
    """
    try:
        return conninfo_to_dict(url)
    except psycopg.Error:
        pass
    raise StoreError("the PostgreSQL store URL is malformed")


def _reason(exc: psycopg.Error) -> str:
    """The server's primary message (it names tables and constraints, never connection secrets)."""
    return exc.diag.message_primary or type(exc).__name__


def _scrub(text: str, *secrets: str) -> str:
    """``text`` with every occurrence of the given secrets replaced by ``***``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def _connect(
    url: str, params: dict[str, Any], host: str, timeout: float
) -> psycopg.Connection[tuple[Any, ...]]:
    """An autocommit connection; a failure names the host, never the URL or the password."""
    extra: dict[str, Any] = {}
    if "connect_timeout" not in params:
        extra["connect_timeout"] = max(2, math.ceil(timeout))
    try:
        return psycopg.connect(url, autocommit=True, **extra)
    except psycopg.Error as exc:
        user = str(params.get("user") or "")
        reason = _scrub(
            str(exc).strip(), url, str(params.get("password") or ""), f'"{user}"' if user else ""
        )
    # Raised outside the handler: psycopg's error (the URL, the user) is not kept as
    # __context__, which ``from None`` would only hide.
    raise StoreError(f"cannot connect to the PostgreSQL store at {host}: {reason}")


class PostgresStore(StoreBase[psycopg.Connection[tuple[Any, ...]]]):
    """gdprkit's durable state in a PostgreSQL database (psycopg 3, versioned schema).

    The same protocol as :class:`~gdprkit.store.SQLiteStore`: writes go
    through :meth:`transaction`, which serializes writers across processes
    with an advisory lock (see the module docs for why), reads through
    :meth:`query`. One connection per store, guarded by a lock, so a store may
    be shared by the threads of one process; every process opens its own.
    """

    #: The migrations this class applies; a subclass (tests) may extend them.
    migrations: ClassVar[tuple[str, ...]] = MIGRATIONS

    __slots__ = ("_shown", "_timeout")

    def __init__(self, url: str, *, timeout: float = 5.0, read_only: bool = False) -> None:
        """Connect to ``url`` (a ``postgresql://`` URL or libpq ``key=value`` string) and migrate.

        ``timeout`` is how many seconds a write waits for another writer
        (``lock_timeout``; the advisory lock above) and, rounded up to at
        least 2, how long connecting may take unless the URL says otherwise.
        The database must exist; the schema is created in it as needed.

        ``read_only=True`` runs every statement in a read-only transaction
        (``default_transaction_read_only``), never creates or migrates the
        schema, and refuses a database without gdprkit's schema at this
        code's version with :class:`~gdprkit.StoreError`.
        """
        if not isinstance(url, str):
            raise TypeError(f"url must be a str, got {type(url).__name__}")
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout < 0:
            raise TypeError("timeout must be a non-negative number of seconds")
        if not isinstance(read_only, bool):
            raise TypeError("read_only must be a bool")
        self._read_only = read_only
        params = _conninfo(url)
        host = str(params.get("host") or params.get("hostaddr") or "the default host")
        port = params.get("port")
        dbname = params.get("dbname")
        self._shown = f"host={host!r}" + (f", port={port}" if port else "")
        self._shown += f", dbname={dbname!r}" if dbname else ""
        self._timeout = float(timeout)
        self._lock = threading.RLock()
        self._depth = 0
        self._conn = conn = _connect(url, params, host, timeout)
        try:
            # lock_timeout 0 would mean "wait forever"; a timeout of 0 means "do not wait".
            millis = max(1, round(timeout * 1000))
            conn.execute(f"SET lock_timeout = {millis}")
            if read_only:
                conn.execute("SET default_transaction_read_only = on")
                self._check_schema()
            else:
                self._migrate()
        except psycopg.Error as exc:
            conn.close()
            raise StoreError(f"cannot set up the PostgreSQL store: {_reason(exc)}") from None
        except BaseException:
            conn.close()
            raise

    def _migrate(self) -> None:
        """Apply every missing migration in one locked transaction; refuse a newer schema."""
        migrations = type(self).migrations
        known = len(migrations) - 1
        try:
            with self.transaction():
                raw = self._conn
                exists = raw.execute("SELECT to_regclass('gdprkit_schema')").fetchone()
                if exists is None or exists[0] is None:
                    raw.execute(_SCHEMA_TABLE)
                version = self._read_version()
                for target in pending(version, known):
                    script = migrations[target]
                    if script.strip():
                        raw.execute(script)  # no parameters: psycopg sends the whole script
                    raw.execute("INSERT INTO gdprkit_schema (version) VALUES (%s)", (target,))
        except psycopg.Error as exc:
            raise StoreError(f"migrating the PostgreSQL store failed: {_reason(exc)}") from None
        require_tables(known, self._tables(), migrations)
        log_opened(self, version, known)

    def _tables(self) -> list[str]:
        return [
            r[0]
            for r in self.query(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = current_schema()"
            )
        ]

    def _check_schema(self) -> None:
        """Read-only: refuse anything but a gdprkit store at the current version, intact."""
        migrations = type(self).migrations
        exists = self._conn.execute("SELECT to_regclass('gdprkit_schema')").fetchone()
        known = len(migrations) - 1
        version = 0 if exists is None or exists[0] is None else self._read_version()
        require_schema(version, known, self._tables(), migrations)
        log_opened(self, version, known)

    def _read_version(self) -> int:
        row = self._conn.execute("SELECT COALESCE(MAX(version), 0) FROM gdprkit_schema").fetchone()
        return 0 if row is None else int(row[0])

    @property
    def version(self) -> int:
        """The schema version of the open database (the highest row of ``gdprkit_schema``)."""
        with self._lock:
            self._connection()
            return self._read_version()

    @contextmanager
    def transaction(self) -> Iterator[PostgresConnection]:
        """Run a block as one write transaction, holding the writers' lock until it ends.

        ``BEGIN``, ``pg_advisory_xact_lock`` … ``COMMIT``, or ``ROLLBACK`` on
        any exception, which propagates. Nested calls become savepoints, so
        a helper that writes may be called inside a caller's transaction.
        Waiting longer than ``timeout`` for another writer raises
        :class:`~gdprkit.StoreError`.
        """
        with self._lock:
            conn = self._writable()
            depth = self._depth
            with conn.transaction(savepoint_name=f"gdprkit_sp{depth}" if depth else None):
                if depth == 0:
                    self._take_writers_lock(conn)
                self._depth = depth + 1
                try:
                    yield PostgresConnection(conn)
                finally:
                    self._depth = depth

    def _take_writers_lock(self, conn: psycopg.Connection[tuple[Any, ...]]) -> None:
        try:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
        except pg_errors.LockNotAvailable:
            raise StoreError(
                f"another writer held the PostgreSQL store for more than {self._timeout:g} s"
            ) from None

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run one read statement (``?`` placeholders) and return all its rows.

        A failure of the database (a missing table) raises
        :class:`~gdprkit.StoreError` with the server's primary message, which
        names tables and columns, never the parameters.
        """
        with self._lock:
            conn = self._connection()
            try:
                return conn.execute(translate(sql), tuple(params)).fetchall()
            except psycopg.Error as exc:
                reason = _reason(exc)
            raise StoreError(f"reading the PostgreSQL store failed: {reason}")

    def checkpoint(self) -> Checkpoint:
        """Nothing gdprkit can do on PostgreSQL: a complete result, with no log to speak of.

        On SQLite it folds the write-ahead log back after a deletion. On
        PostgreSQL a deleted row stays in the table file until ``VACUUM``
        reclaims it and in the WAL until it is recycled, both run by the
        server; a shredded key's old images age out with the operator's
        vacuum and WAL/backup retention, and rotating and retiring the
        key-encryption key makes them useless before that (Art. 17 and 32
        GDPR; ``docs/howto/key-management.md``).
        """
        with self._lock:
            self._writable()
            return Checkpoint(busy=False, log_frames=-1, checkpointed_frames=-1)

    def __repr__(self) -> str:
        return f"PostgresStore({self._shown}, {self._state()})"
