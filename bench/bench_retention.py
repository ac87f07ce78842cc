"""Retention sweeps against the plain code a user would write, measured in the same run.

    python bench/bench_retention.py                 # 100,000 and 1,000,000 rows
    python bench/bench_retention.py --quick --json /tmp/retention.json

Each pair runs its two sides in turn (ABAB…) and prints the minimum and
median of each. The goal is that of issue 16:

* ``retention.sweep_counts``, the counting path of a sweep, against a
  plain counting loop that compares each row's date with a threshold
  computed beforehand (``if ended is not None and ended < threshold: n +=
  1``): goal ≥ 0.6x the speed at 100,000 and 1,000,000 rows, and linear:
  its per-row cost may grow from the small size to the large one by at most
  10% more than the plain loop's own (which grows too, as a million rows
  leave the CPU caches).

Without a goal, for orientation:

* ``retention.sweep``, which streams every row with its status, counting
  the expired ones against the same plain loop;
* ``sweep`` against calling ``retention.evaluate`` per row (on 50,000 rows:
  evaluate is slow, which is the point);
* deleting the expired rows of a SQLite *file* database with
  ``sql_predicate`` against selecting every row into Python, comparing it
  with a precomputed cutoff and deleting by id (each run on a fresh copy of
  the file).
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import cast
from zoneinfo import ZoneInfo

from _common import GOALS, Report, common_arguments, median, sizes_of

from gdprkit import retention
from gdprkit.retention import FactValue, Status

TZ = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 11, 24, 9, 30, tzinfo=TZ)
EVENT = "contract_ended"
RULE = retention.while_active(EVENT, then=retention.after(EVENT, months=24))
EVALUATE_ROWS = 50_000

Row = dict[str, object]


def make_rows(n: int, seed: int = 1042) -> list[Row]:
    """``n`` customer rows: contracts ended over ten years, 5% still running (None)."""
    rng = random.Random(seed)
    first = date(2017, 1, 1)
    return [
        {"id": i, EVENT: None if rng.random() < 0.05 else first + timedelta(rng.randrange(3650))}
        for i in range(n)
    ]


def threshold() -> date:
    """The first day that is still kept: what a hand-written loop would precompute."""
    cut = retention.cutoff(RULE, NOW, tz=TZ)
    assert cut is not None
    return cut.date()


def plain_count(rows: Sequence[Row], before: date) -> int:
    """The baseline: one comparison per row with a precomputed threshold."""
    n = 0
    for row in rows:
        ended = row[EVENT]
        if ended is not None and ended < before:  # type: ignore[operator]
            n += 1
    return n


def counts_count(rows: Sequence[Row]) -> int:
    """The expired rows, as ``retention.sweep_counts`` counts them."""
    return retention.sweep_counts(rows, RULE, NOW, tz=TZ)[Status.EXPIRED]


def sweep_count(rows: Sequence[Row]) -> int:
    """The expired rows, as ``retention.sweep`` streams them."""
    expired = Status.EXPIRED
    n = 0
    for _, status in retention.sweep(rows, RULE, NOW, tz=TZ):
        if status is expired:
            n += 1
    return n


def evaluate_count(rows: Sequence[Row]) -> int:
    """The expired rows, ``retention.evaluate`` called per row."""
    expired = Status.EXPIRED
    n = 0
    for row in rows:
        n += (
            retention.evaluate(RULE, cast(Mapping[str, FactValue], row), NOW, tz=TZ).status
            is expired
        )
    return n


def bench_sweep(report: Report, sizes: Sequence[int], rounds: int) -> None:
    """sweep_counts, then sweep, against the plain loop at each size; then growth with size."""
    before = threshold()
    per_row: dict[int, tuple[float, float]] = {}
    plain = "plain loop, precomputed threshold"
    # sweep_counts is held to the goal; sweep, streaming every row, is shown beside it.
    ours = (
        ("sweep", "retention.sweep_counts", "sweep_counts()[EXPIRED]", counts_count, True),
        (
            "sweep_stream",
            "retention.sweep, streaming",
            "sweep, counting EXPIRED",
            sweep_count,
            False,
        ),
    )
    for n in sizes:
        rows = make_rows(n)
        if not plain_count(rows, before) == counts_count(rows) == sweep_count(rows):
            raise SystemExit("sweep, sweep_counts and the plain loop disagree")
        for key, what, label, count, graded in ours:
            report.compare(
                f"{key}_{n}",
                f"{what} vs a plain counting loop{'' if graded else ' (no goal)'}",
                (f"retention.{label}", partial(count, rows)),
                (plain, partial(plain_count, rows, before)),
                items=n,
                rounds=rounds,
                kind="speed",
                goal=GOALS["sweep"] if graded else None,
            )
            if graded:
                times = report.results[-1]["ours"]["times"], report.results[-1]["baseline"]["times"]
                per_row[n] = (median(times[0]) / n, median(times[1]) / n)
    small, large = min(sizes), max(sizes)
    if small != large:
        sweep_growth = per_row[large][0] / per_row[small][0]
        plain_growth = per_row[large][1] / per_row[small][1]
        print(
            f"per-row cost from {small:,} to {large:,} rows: sweep_counts "
            f"{per_row[small][0] * 1e9:.1f} -> "
            f"{per_row[large][0] * 1e9:.1f} ns ({sweep_growth:.3f}x), plain loop "
            f"{per_row[small][1] * 1e9:.1f} -> {per_row[large][1] * 1e9:.1f} ns ({plain_growth:.3f}x)"
        )
        report.value(
            "sweep_linear",
            "sweep_counts' per-row growth relative to the plain loop's",
            sweep_growth / plain_growth,
            "x",
            goal=GOALS["sweep_linear"],
            sweep_growth=sweep_growth,
            plain_growth=plain_growth,
        )


def bench_evaluate(report: Report, n: int, rounds: int) -> None:
    """sweep against evaluate per row (no goal)."""
    rows = make_rows(n)
    report.compare(
        f"sweep_vs_evaluate_{n}",
        "retention.sweep vs retention.evaluate per row (no goal)",
        ("retention.sweep", lambda: sweep_count(rows)),
        ("retention.evaluate per row", lambda: evaluate_count(rows)),
        items=n,
        rounds=rounds,
        kind="speed",
    )


def make_db(path: Path, rows: Sequence[Row]) -> None:
    """A SQLite file in the storage convention of ``sqlite_text`` (ISO dates), indexed."""
    conn = sqlite3.connect(path)
    try:
        conn.execute(f"CREATE TABLE customers (id INTEGER PRIMARY KEY, {EVENT} TEXT)")
        conn.execute(f"CREATE INDEX customers_ended ON customers ({EVENT})")
        conn.executemany(
            "INSERT INTO customers VALUES (?, ?)",
            ((row["id"], None if row[EVENT] is None else str(row[EVENT])) for row in rows),
        )
        conn.commit()
    finally:
        conn.close()


def delete_sql(path: Path) -> int:
    """DELETE … WHERE sql_predicate: the database does the sweep."""
    conn = sqlite3.connect(path)
    try:
        where, params = retention.sql_predicate(RULE, NOW, tz=TZ, column=EVENT)
        deleted = int(conn.execute(f"DELETE FROM customers WHERE {where}", params).rowcount)
        conn.commit()
    finally:
        conn.close()
    return deleted


def delete_python(path: Path, before: str) -> int:
    """The baseline: select every row, compare with a precomputed cutoff, delete by id."""
    conn = sqlite3.connect(path)
    try:
        doomed = [
            (row_id,)
            for row_id, ended in conn.execute(f"SELECT id, {EVENT} FROM customers")
            if ended is not None and ended < before
        ]
        deleted = int(conn.executemany("DELETE FROM customers WHERE id = ?", doomed).rowcount)
        conn.commit()
    finally:
        conn.close()
    return deleted


def bench_sqlite(report: Report, n: int, rounds: int) -> None:
    """sql_predicate DELETE against the Python loop, on fresh copies of one file (no goal)."""
    before = threshold().isoformat()
    with tempfile.TemporaryDirectory(prefix="gdprkit-bench-") as tmp:
        template, work = Path(tmp) / "template.sqlite", Path(tmp) / "work.sqlite"
        make_db(template, make_rows(n))

        def fresh() -> None:
            shutil.copyfile(template, work)

        fresh()
        deleted = delete_sql(work)
        fresh()
        if delete_python(work, before) != deleted:
            raise SystemExit("sql_predicate and the Python loop delete different rows")
        report.compare(
            f"sql_delete_{n}",
            f"SQLite file: DELETE with sql_predicate vs SELECT + loop + DELETE by id "
            f"({deleted:,} deleted; no goal)",
            ("DELETE … WHERE sql_predicate", lambda: delete_sql(work)),
            ("SELECT, compare with cutoff, DELETE by id", lambda: delete_python(work, before)),
            items=n,
            rounds=rounds,
            kind="speed",
            before=fresh,
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the pairs and print the figures with their goals."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    common_arguments(parser, sizes="rows per sweep run")
    args = parser.parse_args(argv)
    report = Report("retention", args, argv)
    sizes = sizes_of(args)
    rounds, slow_rounds, evaluate_rows = (2, 1, 2_000) if args.quick else (7, 3, EVALUATE_ROWS)
    if args.rounds is not None:
        rounds = slow_rounds = args.rounds
    bench_sweep(report, sizes, rounds)
    bench_evaluate(report, min(evaluate_rows, max(sizes)), slow_rounds)
    bench_sqlite(report, max(sizes), slow_rounds)
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
