"""The tables of ``docs/performance.md`` from the JSON files the benches wrote.

    python bench/summary.py                          # bench/results/*.json
    python bench/summary.py --before OLD_DIR NEW_DIR # a before/after column

Prints two Markdown tables: every measure with a goal (its ratio: the median of the per-round ratios,
the goal, met or not) and how the cost per item grows from the smallest size
to the largest for the benches run at several sizes. With ``--before``, the
first table has the figures of both runs side by side.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from _common import RESULTS


def load(directory: Path) -> dict[str, dict[str, Any]]:
    """Every result of every JSON file in ``directory``, by key, with its run's load average."""
    results: dict[str, dict[str, Any]] = {}
    for path in sorted(directory.glob("*.json")):
        run = json.loads(path.read_text(encoding="utf-8"))
        for result in run["results"]:
            results[result["key"]] = {**result, "load": run.get("load_average_start")}
    return results


def figure(result: dict[str, Any] | None) -> str:
    """The measured figure of a result, as the table shows it."""
    if result is None:
        return "–"
    if "ratio" in result:
        return f"{result['ratio']:.2f}x"
    return f"{result['value']:.1f}{result['unit']}"


def goals_table(after: dict[str, dict[str, Any]], before: dict[str, dict[str, Any]] | None) -> str:
    """The measures with a goal: figure (before and) after, the goal, met or not."""
    head = ["measure", *(["before"] if before is not None else []), "after", "goal", "met"]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for key, result in after.items():
        goal = result["goal"]
        if goal is None:
            continue
        sign = "≥" if goal["op"] == ">=" else "≤"
        size = f" ({result['size']:,})" if result.get("size") else ""
        cells = [f"`{key}`{size}: {goal['what']}"]
        if before is not None:
            cells.append(figure(before.get(key)))
        cells += [figure(result), f"{sign} {goal['value']:g}{goal['unit']}"]
        cells.append("yes" if result["met"] else "**no**")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def growth_table(results: dict[str, dict[str, Any]]) -> str:
    """Nanoseconds per item at each size, for the pairs measured at more than one size."""
    sized: dict[str, list[dict[str, Any]]] = {}
    for result in results.values():
        if "ours" in result and result.get("size") and result["key"].endswith(f"_{result['size']}"):
            sized.setdefault(result["key"].rsplit("_", 1)[0], []).append(result)
    lines = [
        "| measure | side | " + " | ".join(["per item, small", "per item, large", "growth"]) + " |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, runs in sized.items():
        if len(runs) < 2:
            continue
        small, large = sorted(runs, key=lambda r: r["size"])[:: len(runs) - 1]
        for side in ("ours", "baseline"):
            per = [statistics.median(r[side]["times"]) / r["size"] * 1e9 for r in (small, large)]
            lines.append(
                f"| `{name}` {small['size']:,} -> {large['size']:,} | {small[side]['label']} | "
                f"{per[0]:.0f} ns | {per[1]:.0f} ns | {per[1] / per[0]:.2f}x |"
            )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the tables."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("after", nargs="?", type=Path, default=RESULTS, help="a results folder")
    parser.add_argument("--before", type=Path, help="the results folder of an earlier run")
    args = parser.parse_args(argv)
    after = load(args.after)
    if not after:
        print(f"no results in {args.after}; run the benches first (nox -s bench)")
        return 1
    print(goals_table(after, None if args.before is None else load(args.before)))
    print()
    print(growth_table(after))
    loads = sorted({tuple(r["load"]) for r in after.values() if r.get("load")})
    if loads:
        print(f"\nload averages (1, 5, 15 min) at the start of the runs: {loads}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
