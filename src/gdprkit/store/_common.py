"""What the SQLite and PostgreSQL stores share: the closed state, closing, ``with``, the repr."""

from __future__ import annotations

import logging
import threading
from types import TracebackType
from typing import ClassVar, Generic, Protocol, Self, TypeVar

from gdprkit._errors import StoreError


class _Closable(Protocol):
    def close(self) -> None: ...


ConnT = TypeVar("ConnT", bound=_Closable)


class StoreBase(Generic[ConnT]):
    """One driver connection guarded by a lock, and the transaction depth (-1 once closed).

    A store sets the three attributes in its ``__init__``; ``_depth`` counts
    the open (nested) transactions, so a store cannot be closed inside one.
    """

    migrations: ClassVar[tuple[str, ...]]

    __slots__ = ("_conn", "_depth", "_lock")
    _conn: ConnT
    _depth: int
    _lock: threading.RLock

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._depth < 0

    def _connection(self) -> ConnT:
        if self._depth < 0:
            raise StoreError("the store is closed")
        return self._conn

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
        return "closed" if self.closed else f"schema={len(type(self).migrations) - 1}"


def log_opened(store: object, version: int, known: int) -> None:
    """To ``gdprkit.store``: a store opened, and migrated if it was (its repr shows no secret)."""
    log = logging.getLogger("gdprkit.store")
    if version != known:
        log.info("%r: schema migrated from version %d to %d", store, version, known)
    else:
        log.debug("%r opened (schema version %d)", store, known)
