"""Where gdprkit keeps durable state: keyrings, subject keys, the audit log, ledgers, requests.

Open a store by URL with :func:`open` (``read_only=True`` for code that only
reads: it never creates or migrates anything). SQLite (:class:`SQLiteStore`, stdlib
``sqlite3``) is the embedded default; PostgreSQL
(:class:`gdprkit.store.postgres.PostgresStore`, extra ``gdprkit[postgres]``)
serves several processes or machines. Both follow the :class:`Store`
protocol, which is all that the modules keeping state rely on.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from types import TracebackType
from typing import Any, Protocol, Self

from gdprkit._errors import StoreError
from gdprkit.store._common import Checkpoint
from gdprkit.store.sqlite import SQLiteStore

__all__ = [
    "Checkpoint",
    "SQLiteStore",
    "Store",
    "StoreConnection",
    "StoreCursor",
    "check_store",
    "open",
]

_SQLITE = "sqlite://"
_POSTGRES_SCHEMES = ("postgresql", "postgres")


class StoreCursor(Protocol):
    """The result of one statement run in a transaction (``sqlite3.Cursor``, psycopg's cursor)."""

    @property
    def rowcount(self) -> int:
        """How many rows the statement changed (-1 where the engine cannot tell)."""

    def fetchone(self) -> Any:
        """The next row as a tuple, or ``None``."""

    def fetchall(self) -> list[Any]:
        """The remaining rows as tuples."""

    def __iter__(self) -> Iterator[Any]: ...


class StoreConnection(Protocol):
    """What a :meth:`Store.transaction` block runs statements on.

    SQL is written with ``?`` placeholders and portable SQL (what SQLite and
    PostgreSQL both accept); the PostgreSQL store translates the placeholders.
    """

    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> StoreCursor:
        """Run one statement with its parameters."""

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> StoreCursor:
        """Run one statement once per parameter sequence."""


class Store(Protocol):
    """A gdprkit store: versioned schema, serialized write transactions, reads.

    :meth:`transaction` serializes writers across processes (SQLite's
    ``BEGIN IMMEDIATE``, PostgreSQL's advisory lock), so a module may read
    and then write in one block (the audit chain's last entry, a record's
    next event number) without another writer slipping in between.
    """

    @property
    def version(self) -> int:
        """The schema version of the open database."""

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""

    @property
    def read_only(self) -> bool:
        """True for a store opened ``read_only``: it never migrates and refuses writes."""

    def transaction(self) -> AbstractContextManager[StoreConnection]:
        """A write transaction; nested calls become savepoints (refused when read-only)."""

    def query(self, sql: str, params: Sequence[Any] = ...) -> list[tuple[Any, ...]]:
        """Run one read statement and return all its rows."""

    def checkpoint(self) -> Checkpoint:
        """Make deletions durable in the engine's files where it can, and say whether it could."""

    def close(self) -> None:
        """Close the store."""

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


def check_store(store: object, name: str = "store") -> Store:
    """``store`` if it is one of gdprkit's stores, else :class:`TypeError` naming ``name``.

    A nominal check: a look-alike object would fail half-way through a
    transaction instead. The PostgreSQL class is checked only once its
    module was imported, so that SQLite users never import psycopg.
    """
    if isinstance(store, SQLiteStore):
        return store
    postgres = sys.modules.get("gdprkit.store.postgres")
    if postgres is not None and isinstance(store, postgres.PostgresStore):
        checked: Store = store
        return checked
    raise TypeError(
        f"{name} must be a gdprkit store (SQLiteStore or PostgresStore; "
        f"see gdprkit.store.open), got {type(store).__name__}"
    )


def open(url: str, *, timeout: float = 5.0, read_only: bool = False) -> Store:
    """Open the store named by ``url``: SQLite by path, or a PostgreSQL database.

    ``sqlite:///relative/path``, ``sqlite:////abs/path``, or
    ``sqlite:///:memory:`` for a private in-memory database;
    ``postgresql://user:password@host:port/dbname`` (or ``postgres://``) for
    PostgreSQL, which needs ``pip install 'gdprkit[postgres]'``. ``timeout``
    is how many seconds a write waits for another writer. Any other scheme
    raises :class:`~gdprkit.StoreError` naming the scheme (never the rest of
    the URL, which may hold a password).

    ``read_only=True`` opens an existing store for reading only: nothing is
    created or migrated, writes are refused, and a database that is not a
    gdprkit store at this code's schema version raises
    :class:`~gdprkit.StoreError` and is left unchanged.
    """
    if not isinstance(url, str):
        raise TypeError(f"url must be a str, got {type(url).__name__}")
    scheme, sep, _ = url.partition("://")
    if not sep:
        raise StoreError("the store URL has no scheme; expected e.g. 'sqlite:///gdprkit.db'")
    if scheme.lower() in _POSTGRES_SCHEMES:
        try:
            from gdprkit.store.postgres import PostgresStore
        except ImportError:
            raise StoreError(
                "a PostgreSQL store needs psycopg 3: pip install 'gdprkit[postgres]'"
            ) from None
        return PostgresStore(url, timeout=timeout, read_only=read_only)
    if scheme.lower() != "sqlite":
        shown = scheme if scheme.isascii() and scheme.replace("+", "").isalnum() else "?"
        raise StoreError(f"unsupported store scheme {shown!r}; supported: 'sqlite', 'postgresql'")
    rest = url[len(_SQLITE) :]
    if not rest.startswith("/") or len(rest) < 2:
        raise StoreError(
            "a SQLite store URL needs a path after three slashes, e.g. 'sqlite:///gdprkit.db'"
        )
    return SQLiteStore(rest[1:], timeout=timeout, read_only=read_only)
