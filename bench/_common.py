"""What the benchmarks share. Imported as ``_common``: each bench runs as a script from here."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

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


def peak_rss_mb() -> tuple[float, str]:
    """This process's peak resident set size in MB, and how it was read.

    ``VmHWM`` from ``/proc/self/status`` on Linux, not ``ru_maxrss``: the
    kernel carries the parent's high-water mark over into a child at exec, so
    a child started by a large, freshly seeded bench would report the
    parent's peak. ``getrusage(RUSAGE_SELF).ru_maxrss`` elsewhere.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024, "VmHWM"
    except OSError:
        pass
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports kilobytes, macOS bytes.
    return (peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024), "ru_maxrss"


def child_memory(export: Callable[[], int]) -> None:
    """In a fresh process: run ``export`` and print the peak RSS before and after, as JSON."""
    before, _ = peak_rss_mb()
    rows = export()
    peak, method = peak_rss_mb()
    print(json.dumps({"rows": rows, "before_mb": before, "peak_mb": peak, "method": method}))


def memory_growth(script: str, small: list[str], large: list[str]) -> float | None:
    """Peak RSS of ``script --child-memory ARGS`` in a fresh interpreter for the small and the
    large arguments; prints both and returns the difference in MB (None: unsupported here).

    A fresh process per size because a high-water mark never goes down.
    """
    if not Path("/proc/self/status").exists():
        try:
            import resource  # noqa: F401  # not on Windows
        except ImportError:
            print("memory: neither /proc nor the resource module is available here; skipped")
            return None
    figures: list[dict[str, Any]] = []
    for args in (small, large):
        done = subprocess.run(
            [sys.executable, script, "--child-memory", *args],
            check=True,
            capture_output=True,
            text=True,
        )
        figures.append(json.loads(done.stdout))
    print(f"peak memory ({figures[1]['method']} of a fresh process that only exports):")
    for one in figures:
        print(
            f"  {int(one['rows']):>10,} rows  peak {one['peak_mb']:7.1f} MB  "
            f"(after imports {one['before_mb']:6.1f} MB, "
            f"export added {one['peak_mb'] - one['before_mb']:6.1f} MB)"
        )
    return float(figures[1]["peak_mb"] - figures[0]["peak_mb"])


def meets(
    label: str, value: float, *, at_least: float | None = None, at_most: float | None = None
) -> bool:
    """Print ``value`` against its target (a ratio ``at_least``, or MB ``at_most``); whether met."""
    if at_least is not None:
        ok = value >= at_least
        print(
            f"{label:<48} {value:7.2f}x   (target >= {at_least}x) {'ok' if ok else 'BELOW TARGET'}"
        )
        return ok
    assert at_most is not None
    ok = value <= at_most
    print(
        f"{label:<48} {value:7.1f} MB  (target <= {at_most:.0f} MB) {'ok' if ok else 'ABOVE TARGET'}"
    )
    return ok


def export_parser(doc: str) -> argparse.ArgumentParser:
    """The options of the export benches: ``--rows``, ``--repeat``, ``--check`` and the
    hidden ``--child-memory DB OUT`` of the fresh process that measures memory."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per side; the best counts")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--child-memory", nargs=2, metavar=("DB", "OUT"), help=argparse.SUPPRESS)
    return parser
