"""What the benchmarks share. Imported as ``_common``: each bench runs as a script from here."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def timed_best(repeats: int, fn: Callable[[], T]) -> tuple[float, T]:
    """The shortest wall time of ``repeats`` runs of ``fn``, in seconds, and its last result."""
    best = float("inf")
    result: T
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def best_of(repeats: int, fn: Callable[[], object]) -> float:
    """The shortest wall time of ``repeats`` runs of ``fn``, in seconds."""
    return timed_best(repeats, fn)[0]
