"""What the SQLite and PostgreSQL stores share: the closed state, closing, ``with``, the repr,
read-only opening, the checkpoint result, the check that gdprkit's tables are all there, and
the log line of an open."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from types import TracebackType
from typing import ClassVar, Final, Generic, Protocol, Self, TypeVar

import attrs

from gdprkit._errors import StoreError

__all__ = [
    "Checkpoint",
    "StoreBase",
    "expected_tables",
    "require_schema",
    "require_tables",
]

_TABLE_DDL: Final = re.compile(
    r"\b(CREATE|DROP)\s+TABLE\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?(\w+)"
    r"|\bALTER\s+TABLE\s+(\w+)\s+RENAME\s+TO\s+(\w+)",
    re.IGNORECASE,
)


@attrs.frozen
class Checkpoint:
    """What :meth:`Store.checkpoint` achieved: whether old page images may still be on disk.

    SQLite keeps every page a transaction wrote in its write-ahead log
    (``-wal``) until a checkpoint copies the pages into the database file
    and truncates the log; a reader that holds an older snapshot keeps the
    log from being truncated. Until then a deleted secret (a shredded data
    key, a retired key's material) may still be in the log file (Art. 17
    and 32 GDPR). ``busy`` is SQLite's own answer; ``log_frames`` and
    ``checkpointed_frames`` are the frames in the log and those copied back
    (-1 where the engine has no such log: an in-memory store, PostgreSQL).
    """

    #: A reader or writer kept the checkpoint from finishing; retry once it is gone.
    busy: bool
    #: Frames in the write-ahead log when the checkpoint ran (0 once truncated; -1: no log).
    log_frames: int
    #: Frames copied into the database file (-1: no log).
    checkpointed_frames: int

    @property
    def complete(self) -> bool:
        """True when the engine confirmed that no old page image is left in its log."""
        return not self.busy


def expected_tables(scripts: Iterable[str]) -> frozenset[str]:
    """The tables that exist after running ``scripts`` in order (CREATE, DROP, RENAME)."""
    tables: set[str] = set()
    for script in scripts:
        for found in _TABLE_DDL.finditer(script):
            verb, name, old, new = found.groups()
            if verb is not None and verb.upper() == "CREATE":
                tables.add(name.lower())
            elif verb is not None:
                tables.discard(name.lower())
            else:
                tables.discard(old.lower())
                tables.add(new.lower())
    return frozenset(tables)


def require_schema(
    version: int, known: int, present: Iterable[str], migrations: tuple[str, ...]
) -> None:
    """Refuse, for a read-only open, a database that is not a gdprkit store at ``known``.

    A read-only store cannot migrate: a database without gdprkit's schema
    version (a service's own database) or at an older version is an error,
    and the file is left as it was.
    """
    if version == 0:
        raise StoreError("the database is not a gdprkit store (it has no gdprkit schema version)")
    if version > known:
        raise StoreError(
            f"the store has schema version {version}, newer than the "
            f"{known} this gdprkit knows; upgrade gdprkit"
        )
    if version < known:
        raise StoreError(
            f"the store has schema version {version} and needs migrating to {known}; "
            "open it once without read_only to migrate it"
        )
    require_tables(version, present, migrations)


def require_tables(version: int, present: Iterable[str], migrations: tuple[str, ...]) -> None:
    """Refuse a store at ``version`` that lacks one of the tables its migrations made.

    Checked on every open: a table dropped by hand (or a database that only
    claims gdprkit's version) would otherwise surface as a driver error
    half-way through some later call.
    """
    missing = expected_tables(migrations[1 : version + 1]) - {t.lower() for t in present}
    if missing:
        raise StoreError(
            f"the store lacks gdprkit's table(s) {', '.join(sorted(missing))}: "
            "it is damaged or not a gdprkit store"
        )


class _Closable(Protocol):
    def close(self) -> None: ...


ConnT = TypeVar("ConnT", bound=_Closable)


class StoreBase(Generic[ConnT]):
    """One driver connection guarded by a lock, and the transaction depth (-1 once closed).

    A store sets the four attributes in its ``__init__``; ``_depth`` counts
    the open (nested) transactions, so a store cannot be closed inside one.
    """

    migrations: ClassVar[tuple[str, ...]]

    __slots__ = ("_conn", "_depth", "_lock", "_read_only")
    _conn: ConnT
    _depth: int
    _lock: threading.RLock
    _read_only: bool

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._depth < 0

    @property
    def read_only(self) -> bool:
        """True for a store opened ``read_only``: it never migrates, and it refuses writes."""
        return self._read_only

    def _connection(self) -> ConnT:
        if self._depth < 0:
            raise StoreError("the store is closed")
        return self._conn

    def _writable(self) -> ConnT:
        """The connection, for a write; a read-only store refuses."""
        conn = self._connection()
        if self._read_only:
            raise StoreError("the store was opened read-only; it cannot be written")
        return conn

    def close(self) -> None:
        """Close the connection; further use raises :class:`~gdprkit.StoreError`. Idempotent."""
        with self._lock:
            if self._depth < 0:
                return
            if self._depth > 0:
                raise StoreError("cannot close the store inside a transaction")
            self._conn.close()
            self._depth = -1

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _state(self) -> str:
        """The end of the repr: ``closed``, or the schema version the store migrated to."""
        if self.closed:
            return "closed"
        ro = ", read-only" if self._read_only else ""
        return f"schema={len(type(self).migrations) - 1}{ro}"


def log_opened(store: object, version: int, known: int) -> None:
    """To ``gdprkit.store``: a store opened, and migrated if it was (its repr shows no secret)."""
    log = logging.getLogger("gdprkit.store")
    if version != known:
        log.info("%r: schema migrated from version %d to %d", store, version, known)
    else:
        log.debug("%r opened (schema version %d)", store, known)
