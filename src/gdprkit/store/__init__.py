"""Where gdprkit keeps durable state: keyrings, subject keys, and later ledgers and logs.

Open a store by URL with :func:`open`; SQLite (:class:`SQLiteStore`, stdlib
``sqlite3``) is the embedded default and the only engine so far.
"""

from __future__ import annotations

from gdprkit._errors import StoreError
from gdprkit.store.sqlite import SQLiteStore

__all__ = ["SQLiteStore", "open"]

_SQLITE = "sqlite://"


def open(url: str, *, timeout: float = 5.0) -> SQLiteStore:
    """Open the store named by ``url``: ``sqlite:///relative/path``, ``sqlite:////abs/path``.

    ``sqlite:///:memory:`` opens a private in-memory database. Any other
    scheme raises :class:`~gdprkit.StoreError` naming the scheme (never the
    rest of the URL, which may hold a password).
    """
    if not isinstance(url, str):
        raise TypeError(f"url must be a str, got {type(url).__name__}")
    scheme, sep, _ = url.partition("://")
    if not sep:
        raise StoreError("the store URL has no scheme; expected e.g. 'sqlite:///gdprkit.db'")
    if scheme.lower() != "sqlite":
        shown = scheme if scheme.isascii() and scheme.replace("+", "").isalnum() else "?"
        raise StoreError(f"unsupported store scheme {shown!r}; supported: 'sqlite'")
    rest = url[len(_SQLITE) :]
    if not rest.startswith("/") or len(rest) < 2:
        raise StoreError(
            "a SQLite store URL needs a path after three slashes, e.g. 'sqlite:///gdprkit.db'"
        )
    return SQLiteStore(rest[1:], timeout=timeout)
