"""Where ``project()`` finds its guards: installed for the whole process, overridden per context.

Guards installed at start-up must hold in every thread of a service: a
threaded WSGI server, a ``ThreadPoolExecutor`` or a plain
``threading.Thread`` starts with a fresh context, so a ``ContextVar`` alone
would leave those threads unguarded. The installed guards are therefore one
process-wide value behind a lock, and the context variable carries only the
overrides of a ``using_guards()`` block, which hold in that context and in
the asyncio tasks it starts (they copy the context), not in new threads.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Generic, TypeVar

__all__ = ["GuardRegistry"]

G = TypeVar("G")


class GuardRegistry(Generic[G]):
    """The installed guards (process-wide) and the overrides of the current context.

    ``current()`` is ``None`` when nothing was installed and no override is
    in force: the caller then decides whether to go on unguarded.
    """

    __slots__ = ("_installed", "_lock", "_override")

    def __init__(self, name: str) -> None:
        self._lock = threading.Lock()
        self._installed: tuple[G, ...] | None = None
        self._override: ContextVar[tuple[G, ...] | None] = ContextVar(name, default=None)

    def install(self, guards: tuple[G, ...]) -> None:
        """Make ``guards`` the process-wide default; an empty tuple uninstalls them."""
        with self._lock:
            self._installed = guards or None

    @contextlib.contextmanager
    def using(self, guards: tuple[G, ...]) -> Iterator[None]:
        """Override the installed guards in this context (and its asyncio tasks) for a block."""
        token = self._override.set(guards)
        try:
            yield
        finally:
            self._override.reset(token)

    def current(self) -> tuple[G, ...] | None:
        """The override in force in this context, else the installed guards, else ``None``."""
        override = self._override.get()
        if override is not None:
            return override
        with self._lock:
            return self._installed
