"""Benchmark the subject export: ratios against a baseline measured in the same run.

    python bench/bench_export.py               # 1,000,000 meter readings
    python bench/bench_export.py --rows 100000 --check

One subject (the demo customer ``C-1042``) with N hourly meter readings in a
real SQLite file, exported through the ``meter_readings`` source of the
Elveta demo service. Prints times and ratios, never compares absolute times
with a budget. The targets (from the export issue):

* ``export_subject`` at least 0.5x the throughput (rows per second) of a
  baseline that reads the same rows with ``sqlite3`` and writes them with
  ``json.dumps`` per line straight into a ``zipfile`` entry. The two sides
  do not do the same work, and the output says what each writes: the
  baseline writes one JSONL entry of the raw column values; gdprkit converts
  every value to the model's type (ISO text to aware datetimes, text to
  exact decimals), builds a ``MeterReading`` per row, writes JSONL *and* CSV,
  hashes every file, adds ``index.html`` and ``manifest.json``, writes under
  a temporary name and hashes the finished ZIP.
* peak memory exporting N rows at most 50 MB above the peak exporting N/10
  rows (at the default N: 1,000,000 against 100,000), i.e. rows stream and
  memory does not grow with the package.

Memory is the peak resident set size of a fresh subprocess per size that
only opens the database and exports: ``VmHWM`` from ``/proc/self/status`` on
Linux, ``getrusage(RUSAGE_SELF).ru_maxrss`` elsewhere. Not ``ru_maxrss`` on
Linux, because the kernel carries the parent's high-water mark over into
the child at exec, so a child started by this (large, freshly seeded)
process would report the parent's peak; ``VmHWM`` is the same figure for
the child's own address space. Peak RSS rather than ``tracemalloc``
because the question is whether the process stays bounded, and much of an
export's memory is outside the Python heap where tracemalloc cannot see it
(SQLite's page cache, zlib's deflate state, file buffers); tracemalloc
would also slow the allocation-heavy row loop several times over. A fresh
process per size because a high-water mark never goes down.

``--check`` exits with status 1 when a target is missed.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from _common import (  # bench/_common.py: the script's folder is on sys.path
    child_memory,
    export_parser,
    meets,
    memory_growth,
    timed_best,
)

from gdprkit import rights
from gdprkit._demo import models, service

AT = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
SUBJECT = "C-1042"
TABLE = "meter_readings"
COLUMNS = ("customer_id", "meter_id", "read_at", "kwh")
THROUGHPUT_TARGET = 0.5
MEMORY_TARGET_MB = 50.0


def make_db(path: Path, rows: int) -> None:
    """A demo service database with one customer holding ``rows`` meter readings."""
    conn = sqlite3.connect(path)
    try:
        service.create_schema(conn)
        service.seed(conn, customers=1, hours=rows)
    finally:
        conn.close()


def export_gdprkit(db: Path, out: Path) -> int:
    """The subject's meter readings through ``rights.export_subject``; returns the rows."""
    conn = sqlite3.connect(db)
    try:
        (source,) = [s for s in service.sources(conn) if s.name == TABLE]
        result = rights.export_subject(
            rights.SubjectRef("customer", SUBJECT), [source], models.policy, at=AT, out=out
        )
    finally:
        conn.close()
    return result.rows


def export_baseline(db: Path, out: Path) -> int:
    """The same rows with sqlite3, one ``json.dumps`` per row into a deflated ZIP entry."""
    conn = sqlite3.connect(db)
    rows = 0
    try:
        cols = ", ".join(f'"{c}"' for c in COLUMNS)
        cursor = conn.execute(f'SELECT {cols} FROM "{TABLE}" WHERE "customer_id" = ?', (SUBJECT,))
        with (
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf,
            zf.open(f"data/{TABLE}.jsonl", "w", force_zip64=True) as entry,
        ):
            for row in cursor:
                entry.write((json.dumps(dict(zip(COLUMNS, row, strict=True))) + "\n").encode())
                rows += 1
    finally:
        conn.close()
    return rows


def bench_throughput(db: Path, warm_db: Path, work: Path, rows: int, repeats: int) -> float:
    """Time both sides on the same file; returns gdprkit's throughput / the baseline's."""
    out_base, out_ours = work / "baseline.zip", work / "gdprkit.zip"
    export_baseline(warm_db, out_base)  # first-call costs (imports, caches) are not the rows'
    export_gdprkit(warm_db, out_ours)
    # Alternate the sides so that drift in the machine's speed hits both alike.
    t_base = t_ours = float("inf")
    n_base = n_ours = 0
    for _ in range(repeats):
        t, n_base = timed_best(1, lambda: export_baseline(db, out_base))
        t_base = min(t_base, t)
        t, n_ours = timed_best(1, lambda: export_gdprkit(db, out_ours))
        t_ours = min(t_ours, t)
    if n_base != rows or n_ours != rows:
        raise SystemExit(f"row counts differ: baseline {n_base}, gdprkit {n_ours}, expected {rows}")
    mib = 1024 * 1024
    print(f"throughput, best of {repeats}, {rows:,} rows of one subject:")
    print(
        f"  baseline  {t_base:8.3f} s  {rows / t_base / 1e3:8.1f} k rows/s  "
        f"{out_base.stat().st_size / mib:7.1f} MiB  "
        "(sqlite3 -> json.dumps per row -> one JSONL ZIP entry; raw column values)"
    )
    print(
        f"  gdprkit   {t_ours:8.3f} s  {rows / t_ours / 1e3:8.1f} k rows/s  "
        f"{out_ours.stat().st_size / mib:7.1f} MiB  "
        "(SQLSource -> typed MeterReading -> JSONL + CSV, SHA-256 per file, "
        "index.html, manifest.json, SHA-256 of the ZIP)"
    )
    return t_base / t_ours


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures with their targets."""
    args = export_parser(__doc__).parse_args(argv)
    if args.child_memory:
        db, out = Path(args.child_memory[0]), Path(args.child_memory[1])
        child_memory(lambda: export_gdprkit(db, out))
        return 0
    rows = args.rows
    small_rows = max(1, rows // 10)
    with tempfile.TemporaryDirectory(prefix="gdprkit-bench-") as tmp:
        work = Path(tmp)
        start = time.perf_counter()
        large_db, small_db = work / "large.sqlite", work / "small.sqlite"
        make_db(large_db, rows)
        make_db(small_db, small_rows)
        print(
            f"seeded {rows:,} + {small_rows:,} meter readings in "
            f"{time.perf_counter() - start:.1f} s (SQLite files in {tmp})"
        )
        ratio = bench_throughput(large_db, small_db, work, rows, args.repeat)
        growth = memory_growth(
            __file__,
            [str(small_db), str(work / "small.zip")],
            [str(large_db), str(work / "large.zip")],
        )
    print()
    missed = not meets(
        "gdprkit throughput / baseline throughput", ratio, at_least=THROUGHPUT_TARGET
    )
    if growth is not None:
        label = f"peak memory {rows:,} rows - {small_rows:,} rows"
        missed |= not meets(label, growth, at_most=MEMORY_TARGET_MB)
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
