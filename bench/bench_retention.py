"""Benchmark retention sweeps: ratios against baselines measured in the same run.

    python bench/bench_retention.py            # 1,000,000 rows
    python bench/bench_retention.py --rows 100000 --check

Prints times and ratios, never compares absolute times with a budget. The
targets (from the retention issue) are ratios:

* ``sweep`` at least 0.5x the speed of a hand-written loop comparing each
  event with a precomputed threshold;
* ``sweep`` at least 10x the speed of calling ``evaluate`` per row;
* deleting expired rows in SQLite with ``sql_predicate`` at least 10x faster
  than selecting every row into Python, evaluating it and deleting by id.

``--check`` exits with status 1 when a ratio misses its target.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import time
from collections.abc import Iterator, Mapping
from datetime import date, datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from _common import timed_best  # bench/_common.py: the script's folder is on sys.path

from gdprkit import retention
from gdprkit.retention import FactValue, Status

TZ = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 11, 24, 9, 30, tzinfo=TZ)
EVENT = "contract_ended"
RULE = retention.while_active(EVENT, then=retention.after(EVENT, months=24))

Row = dict[str, object]


def make_rows(n: int, seed: int = 1042) -> list[Row]:
    """``n`` customer rows: contracts ended over ten years, 5% still running (None)."""
    rng = random.Random(seed)
    first = date(2017, 1, 1)
    return [
        {"id": i, EVENT: None if rng.random() < 0.05 else first + timedelta(rng.randrange(3650))}
        for i in range(n)
    ]


def hand_written(rows: list[Row], threshold: date) -> Iterator[tuple[Row, bool]]:
    """The baseline: one comparison per row with a threshold computed beforehand."""
    for row in rows:
        value = row[EVENT]
        yield row, value is not None and value < threshold  # type: ignore[operator]


def bench_python(rows: list[Row]) -> dict[str, float]:
    """sweep vs the hand-written loop vs evaluate per row; all three must agree."""
    cut = retention.cutoff(RULE, NOW, tz=TZ)
    assert cut is not None
    threshold = cut.date()
    expired = Status.EXPIRED

    def run_hand() -> int:
        return sum(1 for _, is_expired in hand_written(rows, threshold) if is_expired)

    def run_sweep() -> int:
        return sum(1 for _, status in retention.sweep(rows, RULE, NOW, tz=TZ) if status is expired)

    def run_evaluate() -> int:
        count = 0
        for row in rows:
            facts = cast(Mapping[str, FactValue], row)
            count += retention.evaluate(RULE, facts, NOW, tz=TZ).status is expired
        return count

    t_hand, n_hand = timed_best(3, run_hand)
    t_sweep, n_sweep = timed_best(3, run_sweep)
    t_eval, n_eval = timed_best(1, run_evaluate)
    assert n_hand == n_sweep == n_eval, (n_hand, n_sweep, n_eval)
    print(f"expired rows: {n_sweep:,} of {len(rows):,}")
    print(f"hand-written loop      {t_hand:8.3f} s")
    print(f"sweep                  {t_sweep:8.3f} s")
    print(f"evaluate per row       {t_eval:8.3f} s")
    return {"sweep_vs_hand": t_hand / t_sweep, "sweep_vs_evaluate": t_eval / t_sweep}


def load(rows: list[Row]) -> sqlite3.Connection:
    """A fresh in-memory table in the storage convention of ``sqlite_text`` (ISO dates)."""
    conn = sqlite3.connect(":memory:")
    conn.execute(f"CREATE TABLE customers (id INTEGER PRIMARY KEY, {EVENT} TEXT)")
    conn.execute(f"CREATE INDEX customers_ended ON customers ({EVENT})")
    conn.executemany(
        "INSERT INTO customers VALUES (?, ?)",
        ((row["id"], None if row[EVENT] is None else str(row[EVENT])) for row in rows),
    )
    conn.commit()
    return conn


def bench_sqlite(rows: list[Row]) -> dict[str, float]:
    """DELETE with sql_predicate vs SELECT everything, evaluate in Python, DELETE by id."""
    pushed = load(rows)
    start = time.perf_counter()
    where, params = retention.sql_predicate(RULE, NOW, tz=TZ, column=EVENT)
    deleted_sql = pushed.execute(f"DELETE FROM customers WHERE {where}", params).rowcount
    pushed.commit()
    t_sql = time.perf_counter() - start

    pulled = load(rows)
    start = time.perf_counter()
    doomed = []
    for row_id, text in pulled.execute(f"SELECT id, {EVENT} FROM customers"):
        facts = {EVENT: None if text is None else date.fromisoformat(text)}
        if retention.evaluate(RULE, facts, NOW, tz=TZ).status is Status.EXPIRED:
            doomed.append((row_id,))
    deleted_py = pulled.executemany("DELETE FROM customers WHERE id = ?", doomed).rowcount
    pulled.commit()
    t_py = time.perf_counter() - start

    assert deleted_sql == deleted_py, (deleted_sql, deleted_py)
    left = "SELECT count(*) FROM customers"
    assert pushed.execute(left).fetchone() == pulled.execute(left).fetchone()
    print(f"sqlite DELETE with sql_predicate          {t_sql:8.3f} s ({deleted_sql:,} rows)")
    print(f"sqlite SELECT + evaluate + DELETE by id   {t_py:8.3f} s")
    return {"sql_vs_python": t_py / t_sql}


TARGETS = {"sweep_vs_hand": 0.5, "sweep_vs_evaluate": 10.0, "sql_vs_python": 10.0}
LABELS = {
    "sweep_vs_hand": "sweep speed / hand-written loop speed",
    "sweep_vs_evaluate": "sweep speed / evaluate-per-row speed",
    "sql_vs_python": "SQL DELETE speed / Python select+evaluate speed",
}


def main(argv: list[str] | None = None) -> int:
    """Run both benchmarks and print the ratios with their targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows (default 1,000,000)")
    parser.add_argument("--check", action="store_true", help="exit 1 if a ratio misses its target")
    args = parser.parse_args(argv)
    rows = make_rows(args.rows)
    ratios = bench_python(rows) | bench_sqlite(rows)
    missed = False
    print()
    for name, ratio in ratios.items():
        ok = ratio >= TARGETS[name]
        missed |= not ok
        verdict = "ok" if ok else "BELOW TARGET"
        print(f"{LABELS[name]:<50} {ratio:7.2f}x  (target >= {TARGETS[name]}x) {verdict}")
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
