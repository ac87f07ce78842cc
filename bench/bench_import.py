"""The time ``import gdprkit`` takes in a fresh interpreter, and what it must not load.

Three figures, each from fresh processes (an import is paid once per process):

* the cumulative time of the ``gdprkit`` line of ``python -X importtime -c
  "import gdprkit"``: the median of 5 processes. Goal (issue 16): ≤ 50 ms;
* the wall time of ``python -c "import gdprkit"`` against a bare
  ``python -c pass``, in turns (ABAB…), median of 5 each: what a command
  line tool built on gdprkit pays at start-up;
* the modules ``import gdprkit`` must not load: ``cryptography``,
  ``sqlite3``, ``tomllib`` (they load with the first use of the module that
  needs them). Part of the goal;
* without a goal: the wall time of ``import gdprkit`` followed by the first
  use of every name it re-exports (its submodules aside), in a fresh process,
  median of 5. The facade loads those names on first use, so this is what a
  program that uses the policy, tagging, vocabulary, errors and the
  classification gate pays once.

The modules that cost the most (self time, median of the runs) are listed,
so the next step is visible.

Usage: ``python bench/bench_import.py [--runs 5] [--quick] [--json PATH] [--check]``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Sequence

from _common import GOALS, Report, Side, alternate, common_arguments, median

FORBIDDEN = ("cryptography", "sqlite3", "tomllib")
_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \| ( *)(\S+)")


def _run(code: str, *flags: str) -> subprocess.CompletedProcess[str]:
    """``python [flags] -c code`` in a fresh process, from an empty folder (no stray imports)."""
    with tempfile.TemporaryDirectory() as empty:
        return subprocess.run(
            [sys.executable, *flags, "-c", code],
            check=True,
            capture_output=True,
            text=True,
            cwd=empty,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )


def importtime(runs: int) -> tuple[list[float], dict[str, list[float]]]:
    """The cumulative ms of the ``gdprkit`` line per run, and each module's self ms per run."""
    totals: list[float] = []
    selfs: dict[str, list[float]] = defaultdict(list)
    for _ in range(runs):
        err = _run("import gdprkit", "-X", "importtime").stderr
        total = None
        for line in err.splitlines():
            found = _LINE.match(line)
            if found is None:
                continue
            self_us, cumulative_us, indent, name = found.groups()
            selfs[name].append(int(self_us) / 1e3)
            if name == "gdprkit" and not indent:
                total = int(cumulative_us) / 1e3
        if total is None:
            raise SystemExit("no 'gdprkit' line in the -X importtime output")
        totals.append(total)
    return totals, selfs


def loaded_forbidden() -> list[str]:
    """Which of :data:`FORBIDDEN` a fresh ``import gdprkit`` loads."""
    code = (
        "import sys, json, gdprkit; "
        f"print(json.dumps([m for m in {list(FORBIDDEN)!r} if m in sys.modules]))"
    )
    found: list[str] = json.loads(_run(code).stdout)
    return found


# The submodules (gdprkit.dask, gdprkit.pseudonym …) are left out: each is a capability
# a program loads when it uses it. find_spec finds them without importing them, and
# runs between the two timed parts.
_FIRST_USE = """
import time
from importlib.util import find_spec
start = time.perf_counter()
import gdprkit
took = time.perf_counter() - start
names = [n for n in gdprkit.__all__ if find_spec("gdprkit." + n) is None]
start = time.perf_counter()
for name in names:
    getattr(gdprkit, name)
print((took + time.perf_counter() - start) * 1e3)
"""


def first_use(runs: int) -> list[float]:
    """The ms of ``import gdprkit`` and a first use of every re-exported name, per fresh process."""
    return [float(_run(_FIRST_USE).stdout) for _ in range(runs)]


def main(argv: Sequence[str] | None = None) -> int:
    """Measure and print the import figures with the goal."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per figure (5)")
    common_arguments(parser)
    args = parser.parse_args(argv)
    report = Report("import", args, argv)
    runs = 2 if args.quick else (args.rounds or args.runs)
    totals, selfs = importtime(runs)
    forbidden = loaded_forbidden()
    ms = median(totals)
    print(
        f"-X importtime, cumulative ms of 'gdprkit' per run: {', '.join(f'{t:.1f}' for t in totals)}"
    )
    print("  most costly modules, self time (median ms):")
    ranked = sorted(selfs.items(), key=lambda kv: -median(kv[1]))[:10]
    for name, values in ranked:
        print(f"    {median(values):7.2f}  {name}")
    print(f"  loaded by 'import gdprkit' although it must not be: {forbidden or 'none'}")
    goal = GOALS["import"]
    report.value(
        "import",
        "import gdprkit, cumulative (-X importtime, median)",
        ms,
        " ms",
        goal=goal,
        also=not forbidden,
        runs=totals,
        forbidden_loaded=forbidden,
        top_self_ms={name: median(values) for name, values in ranked},
    )
    uses = first_use(runs)
    report.value(
        "import_first_use",
        "import gdprkit, then every re-exported name used once (wall time, median; no goal)",
        median(uses),
        " ms",
        runs=uses,
    )
    bare_t, ours_t = alternate(
        lambda: _run("pass"), lambda: _run("import gdprkit"), runs, warmup=True
    )
    report.pair(
        "import_wall",
        "python -c 'import gdprkit' vs a bare python -c pass (wall time, no goal)",
        Side("python -c 'import gdprkit'", 1, ours_t),
        Side("python -c pass", 1, bare_t),
        kind="time",
    )
    report.value(
        "import_wall_extra",
        "import gdprkit adds, wall time (median difference)",
        (median(ours_t) - median(bare_t)) * 1e3,
        " ms",
    )
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
