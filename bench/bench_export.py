"""The subject export against the plain code a user would write, measured in the same run.

    python bench/bench_export.py                    # 100,000 and 1,000,000 meter readings
    python bench/bench_export.py --quick --json /tmp/export.json

One subject (the demo customer ``C-1042``) with N hourly meter readings in a
real SQLite file, exported through the ``meter_readings`` source of the
Elveta demo service. Each pair runs its two sides in turn (ABAB…) and prints
the minimum and median of each. The goals are those of issue 16:

* ``export_subject`` at 1,000,000 rows at least 0.8x the speed of the
  baseline: the same rows read with ``sqlite3``, one ``json.dumps`` per row,
  the lines gathered and written to a deflated ``zipfile`` entry in 1 MB
  chunks. The two sides do not do the same work, and the output says what
  each writes: the baseline writes one JSONL entry of the raw column
  values; gdprkit converts every value to the model's type (ISO text to
  aware datetimes, text to exact decimals), builds a ``MeterReading`` per
  row, writes JSONL *and* CSV, hashes every file, adds ``index.html`` and
  ``manifest.json``, writes under a temporary name and hashes the finished
  ZIP. 100,000 rows are measured too, so the growth of the cost shows.
* peak memory flat: exporting 1,000,000 rows peaks at most 50 MB above
  exporting 100,000 (rows stream; memory does not grow with the package).

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
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from _common import (
    GOALS,
    Report,
    Side,
    alternate,
    child_memory,
    common_arguments,
    memory_growth,
    sizes_of,
)

from gdprkit import rights

# The demo service (schema, seeding, sources, policy) is private; this is its one import.
from gdprkit._demo import models, service

AT = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
SUBJECT = "C-1042"
TABLE = "meter_readings"
COLUMNS = ("customer_id", "meter_id", "read_at", "kwh")
CHUNK = 1 << 20  # the baseline writes to the ZIP entry in 1 MB chunks


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
    """The same rows with sqlite3 and ``json.dumps`` per row, written in 1 MB chunks."""
    conn = sqlite3.connect(db)
    rows = 0
    dumps = json.dumps
    try:
        cols = ", ".join(f'"{c}"' for c in COLUMNS)
        cursor = conn.execute(f'SELECT {cols} FROM "{TABLE}" WHERE "customer_id" = ?', (SUBJECT,))
        with (
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf,
            zf.open(f"data/{TABLE}.jsonl", "w", force_zip64=True) as entry,
        ):
            lines: list[str] = []
            size = 0
            for row in cursor:
                line = dumps(dict(zip(COLUMNS, row, strict=True)))
                lines.append(line)
                size += len(line) + 1
                if size >= CHUNK:
                    entry.write(("\n".join(lines) + "\n").encode())
                    rows += len(lines)
                    lines.clear()
                    size = 0
            if lines:
                entry.write(("\n".join(lines) + "\n").encode())
                rows += len(lines)
    finally:
        conn.close()
    return rows


def bench_throughput(report: Report, db: Path, work: Path, rows: int, rounds: int) -> None:
    """Both sides on the same file, in turns; the goal applies at the largest size."""
    out_base, out_ours = work / "baseline.zip", work / "gdprkit.zip"
    if export_baseline(db, out_base) != rows or export_gdprkit(db, out_ours) != rows:
        raise SystemExit(f"a side exported another number of rows than {rows}")
    base_t, ours_t = alternate(
        lambda: export_baseline(db, out_base),
        lambda: export_gdprkit(db, out_ours),
        rounds,
        warmup=False,  # the row-count check above was the warm-up
    )
    mib = 1024 * 1024
    report.pair(
        f"export_{rows}",
        "export_subject vs sqlite3 + json.dumps + zipfile in 1 MB chunks",
        Side(
            "gdprkit export_subject",
            rows,
            ours_t,
            f"{out_ours.stat().st_size / mib:.1f} MiB: typed MeterReading -> JSONL + CSV, "
            "SHA-256 per file, index.html, manifest.json, SHA-256 of the ZIP",
        ),
        Side(
            "sqlite3 + json.dumps + zipfile, 1 MB chunks",
            rows,
            base_t,
            f"{out_base.stat().st_size / mib:.1f} MiB: one JSONL entry of the raw column values",
        ),
        kind="speed",
        goal=GOALS["export"] if rows >= 1_000_000 else None,
        size=rows,
    )


def bench_memory(report: Report, small_db: Path, large_db: Path, work: Path) -> None:
    """Peak RSS of an export at both sizes, in fresh processes, and the difference."""
    memory_growth(
        report,
        "export_memory",
        __file__,
        [str(small_db), str(work / "small.zip")],
        [str(large_db), str(work / "large.zip")],
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Seed the databases, run the pairs and the memory figures, print them with their goals."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--child-memory", nargs=2, metavar=("DB", "OUT"), help=argparse.SUPPRESS)
    common_arguments(parser, sizes="rows per export")
    args = parser.parse_args(argv)
    if args.child_memory:
        db, out = Path(args.child_memory[0]), Path(args.child_memory[1])
        child_memory(lambda: export_gdprkit(db, out))
        return 0
    report = Report("export", args, argv)
    sizes = sizes_of(args)
    with tempfile.TemporaryDirectory(prefix="gdprkit-bench-") as tmp:
        work = Path(tmp)
        start = time.perf_counter()
        dbs = {n: work / f"readings-{n}.sqlite" for n in sizes}
        for n, db in dbs.items():
            make_db(db, n)
        print(
            f"seeded {' + '.join(f'{n:,}' for n in sizes)} meter readings in "
            f"{time.perf_counter() - start:.1f} s (SQLite files in {tmp})"
        )
        for n, db in dbs.items():
            rounds = args.rounds or (2 if args.quick else 5)
            bench_throughput(report, db, work, n, rounds)
        if len(sizes) > 1:
            bench_memory(report, dbs[sizes[0]], dbs[sizes[-1]], work)
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
