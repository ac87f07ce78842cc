"""A store named on the command line (a SQLite file path or a store URL), opened read-only."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from gdprkit._cli.status import CommandFailed
from gdprkit._errors import StoreError

if TYPE_CHECKING:
    from gdprkit.store import Store

__all__ = ["STORE_HELP", "open_existing_store", "shown", "store_url"]

#: The help text of every argument that names a store.
STORE_HELP = (
    "the gdprkit store: a SQLite file path, or a store URL "
    "(sqlite:///path/to/gdprkit.db, postgresql://user@host/dbname)"
)

_SQLITE = "sqlite:///"


def store_url(argument: str) -> str:
    """The store URL of a command-line argument: a URL as given, a path as ``sqlite:///path``."""
    return argument if "://" in argument else _SQLITE + argument


def open_existing_store(argument: str, *, read_only: bool = True) -> Store:
    """Open the store the argument names, read-only by default; a SQLite file must exist already.

    A command that only reads must not change what it reads. It must never
    create a store: a mistyped path would otherwise yield an empty store and a
    report of nothing (an empty audit log "intact", no requests due). It never
    migrates an older store, and a database that is not a gdprkit store (a
    service's own database given by mistake) is refused with
    :class:`~gdprkit.StoreError` (exit status 3) and left byte for byte as it
    was. Every store goes through :func:`gdprkit.store.open`, the one place
    that decides how a store opens. A command that writes (``erasure
    replay`` audits what it erased) passes ``read_only=False``; that store
    is migrated if older, but still never created.
    """
    from gdprkit import store

    url = store_url(argument)
    scheme = url.partition("://")[0].lower()
    if scheme not in ("sqlite", "postgresql", "postgres"):
        shown = scheme if scheme.isascii() and scheme.replace("+", "").isalnum() else "?"
        raise CommandFailed(
            f"a store is a SQLite file path or a sqlite:/// or postgresql:// URL, not {shown}://"
        )
    if scheme == "sqlite":
        if url[: len(_SQLITE)].lower() != _SQLITE or len(url) == len(_SQLITE):
            raise CommandFailed(
                "a SQLite store URL has three slashes before the path: sqlite:///gdprkit.db "
                "(relative), sqlite:////var/lib/gdprkit.db (absolute)"
            )
        path = url[len(_SQLITE) :]
        if path == ":memory:":
            raise CommandFailed("sqlite:///:memory: is a new, empty store; name a store file")
        if not os.path.isfile(path):
            what = "is a folder, not a store file" if os.path.isdir(path) else "does not exist"
            raise StoreError(f"the store file {path} {what}")
    return store.open(url, read_only=read_only)


def shown(argument: str) -> str:
    """How to name the store in output: a URL without its password or query parameters.

    ``postgresql://app:s3cret@db.internal/gdprkit?sslmode=require`` is shown as
    ``postgresql://app@db.internal/gdprkit``: output lands in logs and mails.
    """
    scheme, sep, rest = argument.partition("://")
    if not sep or scheme.lower() == "sqlite":
        return argument
    netloc, slash, path = rest.partition("/")
    userinfo, at, host = netloc.rpartition("@")
    user = userinfo.partition(":")[0] if at else ""
    return f"{scheme}://{user + '@' if user else ''}{host}{slash}{path.partition('?')[0]}"
