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
its tables. **To add a migration, append one string to** :data:`MIGRATIONS`;
never edit a published one.

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
from gdprkit.store._common import StoreBase

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "SQLiteStore"]

_V1_KEYS: Final = """
-- Keyrings (gdprkit.pseudonym.Keyring.save/load). One row per key id and named keyring.
-- 'active' makes new tokens (at most one per keyring), 'previous' still verifies and
-- unseals, 'retired' is a tombstone: the id stays reserved, the material is gone.
CREATE TABLE keyring_keys (
    keyring    TEXT NOT NULL,
    key_id     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('active', 'previous', 'retired')),
    material   BLOB,
    PRIMARY KEY (keyring, key_id),
    CHECK ((status = 'retired') = (material IS NULL))
) STRICT;
CREATE UNIQUE INDEX keyring_keys_one_active ON keyring_keys (keyring) WHERE status = 'active';

-- Per-subject data keys (gdprkit.pseudonym.SubjectKeys), wrapped by a key-encryption key.
-- A shredded subject keeps its row as a tombstone without key, so it never gets a new one.
CREATE TABLE subject_keys (
    subject     TEXT PRIMARY KEY NOT NULL,
    kek_id      TEXT,
    wrapped_key BLOB,
    created_at  TEXT NOT NULL,
    shredded_at TEXT,
    CHECK ((wrapped_key IS NULL) = (shredded_at IS NOT NULL)),
    CHECK ((wrapped_key IS NULL) = (kek_id IS NULL))
) STRICT;
"""

_V2_AUDIT: Final = """
-- The hash-chained audit log (gdprkit.audit.AuditLog). 'prev_hash' is the SHA-256 of the
-- canonical JSON of the entry before; 'subject' is a keyed token, never an identifier.
CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY NOT NULL,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    subject   TEXT,
    details   TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL UNIQUE
) STRICT;
CREATE INDEX audit_log_subject ON audit_log (subject);
"""

_V3_LEDGER: Final = """
-- The consent ledger (gdprkit.consent.Ledger). Subjects are keyed tokens, never identifiers.
-- Instants are UTC ISO 8601 text with microseconds ('2026-03-01T08:00:00.000000+00:00'), so
-- text order is time order. One consent record per grant (ISO/IEC TS 27560 shaped evidence,
-- Art. 7(1)); its purposes are a snapshot of the policy at grant time.
CREATE TABLE consent_records (
    record_id         TEXT PRIMARY KEY NOT NULL,
    subject           TEXT NOT NULL,
    schema_version    TEXT NOT NULL,
    controller        TEXT NOT NULL,
    controller_iri    TEXT,
    policy_version    TEXT NOT NULL,
    notice_version    TEXT NOT NULL,
    language          TEXT NOT NULL,
    jurisdiction      TEXT NOT NULL,
    method            TEXT NOT NULL,
    indicated_by      TEXT NOT NULL,
    withdrawal_method TEXT NOT NULL,
    created_at        TEXT NOT NULL
) STRICT;
CREATE INDEX consent_records_subject ON consent_records (subject);

CREATE TABLE consent_record_purposes (
    record_id TEXT NOT NULL REFERENCES consent_records (record_id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    purpose   TEXT NOT NULL,
    basis     TEXT NOT NULL,
    snapshot  TEXT NOT NULL,
    PRIMARY KEY (record_id, purpose)
) STRICT;

-- Append-only events of a record, one row per purpose an event covers ('event_no' groups
-- them). 'expires_at' is the end of a given/renewed consent's validity duration.
CREATE TABLE consent_events (
    seq          INTEGER PRIMARY KEY NOT NULL,
    record_id    TEXT NOT NULL REFERENCES consent_records (record_id) ON DELETE CASCADE,
    event_no     INTEGER NOT NULL,
    subject      TEXT NOT NULL,
    purpose      TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('given', 'renewed', 'withdrawn')),
    at           TEXT NOT NULL,
    indicated_by TEXT NOT NULL,
    method       TEXT NOT NULL,
    duration     TEXT,
    expires_at   TEXT,
    CHECK ((duration IS NULL) = (expires_at IS NULL)),
    CHECK (state <> 'withdrawn' OR duration IS NULL),
    UNIQUE (record_id, event_no, purpose)
) STRICT;
CREATE INDEX consent_events_lookup ON consent_events (subject, purpose, at);

-- Objections (Art. 21). 'absolute' marks direct marketing (Art. 21(3)): never overridden.
CREATE TABLE objections (
    id                 INTEGER PRIMARY KEY NOT NULL,
    subject            TEXT NOT NULL,
    purpose            TEXT NOT NULL,
    at                 TEXT NOT NULL,
    absolute           INTEGER NOT NULL CHECK (absolute IN (0, 1)),
    grounds            TEXT,
    overridden_at      TEXT,
    overriding_grounds TEXT,
    CHECK ((overridden_at IS NULL) = (overriding_grounds IS NULL)),
    CHECK (absolute = 0 OR overridden_at IS NULL)
) STRICT;
CREATE INDEX objections_lookup ON objections (subject, purpose, at);

-- Restrictions of processing (Art. 18); 'allowed_purposes' is a JSON array of purpose ids.
CREATE TABLE restrictions (
    id               INTEGER PRIMARY KEY NOT NULL,
    subject          TEXT NOT NULL,
    since            TEXT NOT NULL,
    reason           TEXT NOT NULL,
    allowed_purposes TEXT NOT NULL,
    lifted_at        TEXT,
    CHECK (lifted_at IS NULL OR lifted_at >= since)
) STRICT;
CREATE INDEX restrictions_subject ON restrictions (subject, since);

-- Data-subject requests (gdprkit.requests.RequestRegister, Art. 12). 'due' is the local
-- date (ISO) of the Art. 12(3) deadline; the subject id is kept so the request can be answered.
CREATE TABLE subject_requests (
    id               TEXT PRIMARY KEY NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('access', 'rectification', 'erasure',
                                                    'restriction', 'portability', 'objection')),
    subject_kind     TEXT NOT NULL,
    subject_id       TEXT NOT NULL,
    received_at      TEXT NOT NULL,
    channel          TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('received', 'verified', 'done', 'refused')),
    due              TEXT NOT NULL,
    extended         INTEGER NOT NULL DEFAULT 0 CHECK (extended IN (0, 1)),
    extension_reason TEXT,
    extended_at      TEXT,
    refusal_reason   TEXT,
    CHECK ((extended = 1) = (extension_reason IS NOT NULL)),
    CHECK ((extended = 1) = (extended_at IS NOT NULL)),
    CHECK ((state = 'refused') = (refusal_reason IS NOT NULL))
) STRICT;
CREATE INDEX subject_requests_open ON subject_requests (due)
    WHERE state IN ('received', 'verified');

CREATE TABLE subject_request_history (
    request_id TEXT NOT NULL REFERENCES subject_requests (id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    state      TEXT NOT NULL CHECK (state IN ('received', 'verified', 'done', 'refused')),
    at         TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (request_id, seq)
) STRICT;
"""

#: ``MIGRATIONS[n]`` brings a version ``n - 1`` database to version ``n``. Append only.
MIGRATIONS: Final[tuple[str, ...]] = (
    "",  # version 0: the empty database
    _V1_KEYS,
    _V2_AUDIT,
    _V3_LEDGER,
)

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
                if version > known:
                    raise StoreError(
                        f"the store has schema version {version}, newer than the "
                        f"{known} this gdprkit knows; upgrade gdprkit"
                    )
                for target in range(version + 1, known + 1):
                    for statement in _statements(migrations[target]):
                        conn.execute(statement)
                if version != known:
                    conn.execute(f"PRAGMA user_version = {known}")
        except sqlite3.Error as exc:
            raise StoreError(f"migrating the SQLite store failed: {exc}") from None

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
