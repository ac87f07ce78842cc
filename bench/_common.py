"""What the benchmarks share: alternating timings, the goals of issue 16, the report and its JSON.

Each bench script runs from this folder (``python bench/bench_x.py``), so it
imports this module as ``_common``. A *pair* times gdprkit ("ours") and the
strongest plain code a user would write for the same job ("baseline") in
turns, ABAB…, so drift in the machine's speed (other processes, turbo,
thermal limits) hits both sides alike; each side's minimum and median are
printed. Each round times A then B back to back, and the median of the
per-round ratios is what is compared with the goal: a change in the
machine's speed between rounds cancels out of it. Their spread (10th to
90th percentile) shows how stable the ratio is; the ratios of the two
sides' medians and minimums are printed too. Nothing here compares an
absolute time with a budget, except the import time, whose goal is
absolute (issue 16).

Every run also writes its figures as JSON: ``bench/results/<bench>.json``
or the path given with ``--json``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


@dataclass(frozen=True)
class Goal:
    """A goal of issue 16: the measured figure must be ``>=`` or ``<=`` ``value``."""

    op: Literal[">=", "<="]
    value: float
    unit: str
    what: str

    def met(self, figure: float) -> bool:
        """Whether ``figure`` reaches the goal."""
        return figure >= self.value if self.op == ">=" else figure <= self.value

    def __str__(self) -> str:
        return f"goal {'≥' if self.op == '>=' else '≤'} {self.value:g}{self.unit}"


#: The goals of issue 16, exactly as its table states them; keyed by measure.
GOALS: dict[str, Goal] = {
    "import": Goal(
        "<=",
        50.0,
        " ms",
        "`import gdprkit`, cumulative in -X importtime (median of 5 fresh processes), "
        "without cryptography, sqlite3, tomllib",
    ),
    "unseal": Goal(
        "<=", 1.2, "x", "Sealer.unseal() time / raw AESSIV.decrypt time, same associated data"
    ),
    "seal": Goal("<=", 1.15, "x", "Sealer.seal() time / raw AESSIV.encrypt time, stable"),
    "sweep": Goal(
        ">=",
        0.6,
        "x",
        "retention.sweep_counts (the counting path of a sweep) speed / a plain counting "
        "loop with a precomputed threshold, at every size, and linear",
    ),
    "sweep_linear": Goal(
        "<=",
        1.1,
        "x",
        "sweep_counts linear: its per-row cost at 1M rows / at 100k rows, relative to the plain "
        "loop's (which slows too, as rows leave the CPU caches)",
    ),
    "tokens": Goal(
        ">=", 3.5, "x", "Pseudonymizer.tokens() speed / the naive hmac.new(...) + base64 loop"
    ),
    "export": Goal(
        ">=",
        0.8,
        "x",
        "export_subject speed at 1M rows / raw sqlite3 + json.dumps + zipfile in 1 MB chunks",
    ),
    "export_memory": Goal(
        "<=",
        50.0,
        " MB",
        "peak memory flat: an export of 1M rows peaks at most 50 MB above one of 100k rows",
    ),
    "dask": Goal(
        ">=",
        1.85,
        "x",
        "Dask pseudonymization, 2 workers vs the same work in one process, 1M rows",
    ),
}


def median(values: Sequence[float]) -> float:
    """The median of ``values`` (at least one)."""
    return statistics.median(values)


def _percentile(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile of ``values`` by linear interpolation (``q`` in 0..1)."""
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class Side:
    """One side of a pair: its label, what it does, and the wall time of each run (seconds)."""

    label: str
    items: int
    times: list[float] = field(default_factory=list)
    note: str = ""

    @property
    def min(self) -> float:
        """The shortest run."""
        return min(self.times)

    @property
    def median(self) -> float:
        """The median run."""
        return median(self.times)

    def per_item_ns(self, which: float) -> float:
        """A run time as nanoseconds per item."""
        return which / self.items * 1e9


def alternate(
    a: Callable[[], object],
    b: Callable[[], object],
    rounds: int,
    *,
    warmup: bool = True,
    before: Callable[[], object] | None = None,
) -> tuple[list[float], list[float]]:
    """Run ``a`` and ``b`` in turn, ABAB…, ``rounds`` times each; their wall times in seconds.

    With ``warmup`` each runs once first, untimed: imports, caches and the
    first allocation of a large result are not the rows' cost. ``before``
    runs ahead of every run, untimed (e.g. a fresh copy of a database).
    """
    prepare = before if before is not None else _nothing
    if warmup:
        prepare()
        a()
        prepare()
        b()
    times_a: list[float] = []
    times_b: list[float] = []
    clock = time.perf_counter
    for _ in range(rounds):
        for run, times in ((a, times_a), (b, times_b)):
            prepare()
            start = clock()
            run()
            times.append(clock() - start)
    return times_a, times_b


def _nothing() -> None:
    """No preparation."""


def load_average() -> list[float] | None:
    """The 1, 5 and 15 minute load averages, where the platform has them."""
    if hasattr(os, "getloadavg"):
        return [round(x, 2) for x in os.getloadavg()]
    return None


#: The sizes of the cost-growth benches (issue 16: 100k and 1M), and of their smoke runs.
SIZES = (100_000, 1_000_000)
QUICK_SIZES = (2_000, 20_000)


def common_arguments(parser: argparse.ArgumentParser, *, sizes: str | None = None) -> None:
    """The options every bench script takes; ``--sizes`` (described by ``sizes``) if given."""
    if sizes is not None:
        parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help=sizes)
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: tiny sizes, few rounds (for tests)"
    )
    parser.add_argument(
        "--rounds", type=int, default=None, help="ABAB rounds per pair (default: per bench)"
    )
    parser.add_argument(
        "--json", type=Path, default=None, help="write the results here (default: bench/results/)"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if a goal is missed")


def sizes_of(args: argparse.Namespace) -> list[int]:
    """The sizes to run, smallest first: ``--sizes``, or the quick ones with ``--quick``."""
    return sorted(QUICK_SIZES if args.quick else args.sizes)


class Report:
    """The figures of one bench run: printed as they come, summarised and written as JSON."""

    def __init__(self, name: str, args: argparse.Namespace, argv: Sequence[str] | None) -> None:
        self.name = name
        self.quick = bool(args.quick)
        self.check = bool(args.check)
        self.path: Path = args.json if args.json is not None else RESULTS / f"{name}.json"
        self.results: list[dict[str, Any]] = []
        self.meta: dict[str, Any] = {
            "bench": name,
            "argv": list(sys.argv[1:] if argv is None else argv),
            "quick": self.quick,
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
            "python": sys.version.split()[0],
            "implementation": platform.python_implementation(),
            "platform": platform.platform(),
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
            "load_average_start": load_average(),
        }
        load = self.meta["load_average_start"]
        shown = f", load average {load[0]:.2f}" if load else ""
        print(
            f"== {name}{' (quick)' if self.quick else ''}: Python {self.meta['python']}, "
            f"{self.meta['cpus']} CPUs{shown}"
        )

    def pair(
        self,
        key: str,
        title: str,
        ours: Side,
        baseline: Side,
        *,
        kind: Literal["speed", "time"],
        goal: Goal | None = None,
        size: int | None = None,
    ) -> float:
        """Print and record a pair; returns its ratio, the median of the per-round ratios.

        ``kind="speed"``: baseline time / our time (how many times faster
        gdprkit is); ``kind="time"``: our time / baseline time.
        """

        def ratio(ours_t: float, base_t: float) -> float:
            return base_t / ours_t if kind == "speed" else ours_t / base_t

        rounds = [ratio(o, b) for o, b in zip(ours.times, baseline.times, strict=True)]
        # Each round times both sides back to back, so its ratio cancels a change in the
        # machine's speed that a ratio of two sides' medians would mix in.
        headline = median(rounds)
        by_median = ratio(ours.median, baseline.median)
        by_min = ratio(ours.min, baseline.min)
        spread = (_percentile(rounds, 0.1), _percentile(rounds, 0.9))
        met = None if goal is None else goal.met(headline)
        print(f"{title}{'' if size is None else f' ({size:,} items)'}")
        for side in (baseline, ours):
            per_item = f"  ({side.per_item_ns(side.median):9.1f} ns/item)" if side.items > 1 else ""
            print(
                f"  {side.label:<44} min {side.min * 1e3:10.3f} ms  median "
                f"{side.median * 1e3:10.3f} ms{per_item}" + (f"  {side.note}" if side.note else "")
            )
        what = "speed-up" if kind == "speed" else "time ratio"
        verdict = "" if goal is None else f"  {goal}: {'met' if met else 'MISSED'}"
        print(
            f"  {what} {headline:6.3f}x (median of {len(rounds)} rounds, p10-p90 "
            f"{spread[0]:.3f}-{spread[1]:.3f}x; of the medians {by_median:.3f}x, of the "
            f"minimums {by_min:.3f}x){verdict}"
        )
        self.results.append(
            {
                "key": key,
                "title": title,
                "size": size,
                "kind": kind,
                "ours": asdict(ours),
                "baseline": asdict(baseline),
                "ratio": headline,
                "ratio_of_medians": by_median,
                "ratio_of_minimums": by_min,
                "round_ratio_p10": spread[0],
                "round_ratio_p90": spread[1],
                "goal": None if goal is None else asdict(goal),
                "met": met,
            }
        )
        return by_median

    def compare(
        self,
        key: str,
        title: str,
        ours: tuple[str, Callable[[], object]],
        baseline: tuple[str, Callable[[], object]],
        *,
        items: int,
        rounds: int,
        kind: Literal["speed", "time"],
        goal: Goal | None = None,
        warmup: bool = True,
        before: Callable[[], object] | None = None,
    ) -> float:
        """Time a labelled pair in turns (:func:`alternate`), then :meth:`pair` it."""
        base_t, ours_t = alternate(baseline[1], ours[1], rounds, warmup=warmup, before=before)
        return self.pair(
            key,
            title,
            Side(ours[0], items, ours_t),
            Side(baseline[0], items, base_t),
            kind=kind,
            goal=goal,
            size=items,
        )

    def value(
        self,
        key: str,
        title: str,
        figure: float,
        unit: str,
        *,
        goal: Goal | None = None,
        also: bool = True,
        **extra: Any,
    ) -> None:
        """Print and record a single figure (a time in ms, a memory growth in MB …).

        ``also``: a further condition of the goal (e.g. "without loading X").
        """
        met = None if goal is None else goal.met(figure) and also
        verdict = "" if goal is None else f"  {goal}: {'met' if met else 'MISSED'}"
        print(f"{title}: {figure:.3f}{unit}{verdict}")
        self.results.append(
            {
                "key": key,
                "title": title,
                "value": figure,
                "unit": unit,
                "goal": None if goal is None else asdict(goal),
                "met": met,
                **extra,
            }
        )

    def finish(self) -> int:
        """Print the goals, write the JSON file; the exit status (1: ``--check`` and a miss)."""
        self.meta["load_average_end"] = load_average()
        graded = [r for r in self.results if r["goal"] is not None]
        if graded:
            print("goals (issue 16):")
        for result in graded:
            goal = result["goal"]
            figure = result.get("ratio", result.get("value"))
            sign = "≥" if goal["op"] == ">=" else "≤"
            size = f" [{result['size']:,}]" if result.get("size") else ""
            print(
                f"  {'met   ' if result['met'] else 'MISSED'} {result['key']}{size}: "
                f"{figure:.3f}{goal['unit']} (goal {sign} {goal['value']:g}{goal['unit']}) "
                f"{goal['what']}"
            )
        load = self.meta["load_average_end"]
        if load:
            print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(
            json.dumps({**self.meta, "results": self.results}, indent=2) + "\n", encoding="utf-8"
        )
        print(f"results written to {self.path}")
        missed = any(r["met"] is False for r in self.results)
        return 1 if self.check and missed else 0


def _peak_rss_mb() -> tuple[float, str]:
    """This process's peak resident set size in MB, and how it was read.

    ``VmHWM`` from ``/proc/self/status`` on Linux, not ``ru_maxrss``: the
    kernel carries the parent's high-water mark over into a child at exec.
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
    before, _ = _peak_rss_mb()
    rows = export()
    peak, method = _peak_rss_mb()
    print(json.dumps({"rows": rows, "before_mb": before, "peak_mb": peak, "method": method}))


def _measure_memory(script: str, args: Sequence[str]) -> dict[str, Any]:
    """Run ``script --child-memory ARGS`` in a fresh interpreter; its figures."""
    done = subprocess.run(
        [sys.executable, script, "--child-memory", *args],
        check=True,
        capture_output=True,
        text=True,
    )
    figures: dict[str, Any] = json.loads(done.stdout)
    return figures


def memory_growth(
    report: Report, key: str, script: str, small: Sequence[str], large: Sequence[str]
) -> None:
    """Record the peak RSS of ``script``'s export at two sizes (fresh processes) and the growth.

    A fresh process per size, because a high-water mark never goes down. The
    goal is issue 16's: memory flat (at most 50 MB more for ten times the rows).
    """
    if not Path("/proc/self/status").exists():
        try:
            import resource  # noqa: F401  # not on Windows
        except ImportError:
            print("memory: neither /proc nor the resource module is available here; skipped")
            return
    low, high = _measure_memory(script, small), _measure_memory(script, large)
    print(f"peak memory ({high['method']} of a fresh process that only exports):")
    for figures in (low, high):
        print(
            f"  {int(figures['rows']):>10,} rows  peak {figures['peak_mb']:7.1f} MB  "
            f"(after imports {figures['before_mb']:6.1f} MB, "
            f"export added {figures['peak_mb'] - figures['before_mb']:6.1f} MB)"
        )
    report.value(
        key,
        f"peak memory, {int(high['rows']):,} rows - {int(low['rows']):,} rows",
        float(high["peak_mb"] - low["peak_mb"]),
        " MB",
        goal=GOALS["export_memory"],
        small=low,
        large=high,
    )
