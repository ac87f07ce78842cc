"""Termination signals turned into an exception, so that a command's cleanup runs.

The default action of ``SIGTERM`` and ``SIGHUP`` ends the process on the
spot: no ``finally`` block and no ``except`` runs, and an export would leave
the staging file of a half-written package (a person's data) behind.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

from gdprkit._cli.status import Exit

__all__ = ["Interrupted", "unwind_on_signals"]

#: The signals that end a command: terminate, interrupt, and a closed terminal.
_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGINT", "SIGHUP") if hasattr(signal, name)
)


class Interrupted(BaseException):
    """A termination signal arrived; raised so that ``finally`` blocks and cleanups run.

    A ``BaseException``, like ``KeyboardInterrupt``: a source's ``except
    Exception`` must not swallow it.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def name(self) -> str:
        """The signal's name, such as ``SIGTERM``."""
        return signal.Signals(self.signum).name

    @property
    def status(self) -> Exit:
        """The exit status the shell reports for it: 128 + the signal's number."""
        return Exit(128 + self.signum)


@contextlib.contextmanager
def unwind_on_signals() -> Iterator[None]:
    """Turn ``SIGTERM``, ``SIGINT`` and ``SIGHUP`` into :class:`Interrupted` within the block.

    A second signal while the first unwinds is ignored, so it cannot cut the
    cleanup short. Handlers can only be set in the main thread; elsewhere the
    block runs unchanged. The previous handlers are restored afterwards.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    fired = False

    def handler(signum: int, _frame: FrameType | None) -> None:
        nonlocal fired
        if not fired:
            fired = True
            raise Interrupted(signum)

    previous = {signum: signal.signal(signum, handler) for signum in _SIGNALS}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)
