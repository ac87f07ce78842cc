"""Modules of the service importable for one command: the working directory first, as ``python -m``."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["importable"]


@contextmanager
def importable(*folders: str) -> Iterator[str]:
    """The working directory, then ``folders``, on ``sys.path`` inside the block only.

    Yields the working directory (for messages). The path is restored after
    the block: a command run in-process (tests, a notebook) leaves no trace.
    """
    here = os.getcwd()
    wanted = dict.fromkeys([here, *(os.path.abspath(f) for f in folders)])
    added = [f for f in wanted if f not in sys.path]
    sys.path[:0] = added
    try:
        yield here
    finally:
        for folder in added:
            if folder in sys.path:
                sys.path.remove(folder)
