"""How the commands that only read open a store: read-only, never created, never migrated."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gdprkit.store import Store

__all__ = ["open_for_reading"]


def open_for_reading(where: str) -> Store:
    """The store at ``where`` (a SQLite path, or a ``sqlite://`` / ``postgresql://`` URL), read-only.

    A command that only reads must not change what it reads: a missing file
    is not created, an older store is not migrated, and a database that is
    not a gdprkit store (a service's own database given by mistake) is
    refused with :class:`~gdprkit.StoreError` and left byte for byte as it
    was.
    """
    from gdprkit import store

    if "://" in where:
        return store.open(where, read_only=True)
    return store.SQLiteStore(where, read_only=True)
