"""Benchmark the export through gdprkit.sqlalchemy against the DB-API SQLSource.

    python bench/bench_sqlalchemy.py               # 1,000,000 meter readings
    python bench/bench_sqlalchemy.py --rows 100000 --check

One subject (``C-1042``) with N hourly meter readings, exported with
``rights.export_subject`` into the same package (JSONL + CSV, hashes,
index.html, manifest) three ways, each from a real SQLite file:

* ``SQLSource`` (the baseline): the Elveta demo service's ``meter_readings``
  table (dates and decimals as ISO text), read with ``sqlite3`` and turned
  into the attrs ``MeterReading``;
* ``MappedSource``: the same rows in a SQLAlchemy 2.0 mapped class
  (``UTCDateTime``, ``Numeric``), read through SQLAlchemy Core and turned into
  instances of the mapped class, ordered by primary key;
* ``MappedSource via Customer.readings``: the same, found from the customer
  along the relationship (a join), as ``subject_sources`` builds it.

Each side reads a table in its own storage convention, so the two files hold
the same rows, not the same bytes. Targets (issue 15): each SQLAlchemy path at
least 0.5x the baseline's throughput; peak memory exporting N rows at most
50 MB above exporting N/10 (a fresh process per size, as in
bench/bench_export.py). Prints times and ratios, never absolute budgets.
``--check`` exits with status 1 when a target is missed.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from _common import (  # bench/_common.py: the script's folder is on sys.path
    child_memory,
    export_parser,
    meets,
    memory_growth,
    timed_best,
)
from bench_export import AT, MEMORY_TARGET_MB, THROUGHPUT_TARGET
from bench_export import export_gdprkit as export_sqlsource  # the baseline: SQLSource
from bench_export import make_db as make_sqlsource_db
from sqlalchemy.orm import DeclarativeBase, Mapped, relationship

import gdprkit as gk
from gdprkit import rights
from gdprkit._demo import models
from gdprkit.sqlalchemy import MappedSource, UTCDateTime, pd_column

SUBJECT = rights.SubjectRef("customer", "C-1042")
START = datetime(2026, 11, 1, tzinfo=UTC)
policy = models.policy


class Base(DeclarativeBase):
    pass


@gk.personal_data(subject="customer", policy=policy)
class Customer(Base):
    __tablename__ = "customers"
    customer_id: Mapped[str] = pd_column(
        sa.String(20), primary_key=True, category="identity.customer_id", purposes=("contract",),
        identifies=True,
    )  # fmt: skip
    readings: Mapped[list[Reading]] = relationship()


@gk.personal_data(subject="customer", policy=policy)
class Reading(Base):
    """The demo's MeterReading, mapped: the same four fields and tags."""

    __tablename__ = "meter_readings"
    customer_id: Mapped[str] = pd_column(
        sa.ForeignKey("customers.customer_id"), index=True, category="identity.customer_id",
        purposes=("contract",), identifies=True,
    )  # fmt: skip
    meter_id: Mapped[str] = pd_column(
        sa.String(20), primary_key=True, category="energy.meter_id", purposes=("contract", "crm"),
        origin="observed",
    )  # fmt: skip
    read_at: Mapped[datetime] = pd_column(
        UTCDateTime, primary_key=True, category="energy.consumption",
        purposes=("contract", "analytics"), origin="observed",
    )  # fmt: skip
    kwh: Mapped[Decimal] = pd_column(
        sa.Numeric(12, 3), category="energy.consumption",
        purposes=("contract", "analytics", "personalisation"), origin="observed",
    )  # fmt: skip


def make_mapped_db(path: Path, rows: int) -> None:
    """The mapped tables with the same customer and ``rows`` readings."""
    engine = sa.create_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(sa.insert(Customer), [{"customer_id": SUBJECT.id}])
        for first in range(0, rows, 50_000):
            conn.execute(
                sa.insert(Reading),
                [
                    {"customer_id": SUBJECT.id, "meter_id": "M-7700",
                     "read_at": START + timedelta(hours=h), "kwh": Decimal("0.350") + h % 97}
                    for h in range(first, min(rows, first + 50_000))
                ],
            )  # fmt: skip
    engine.dispose()


def export_mapped(db: Path, out: Path, *, via: bool = False) -> int:
    """Through a MappedSource: on the readings' own column, or from the customer (a join)."""
    engine = sa.create_engine(f"sqlite:///{db}")
    try:
        if via:
            source = MappedSource(
                engine, Reading, subject_column="customer_id", via=(Customer.readings,)
            )
        else:
            source = MappedSource(engine, Reading, subject_column="customer_id")
        return rights.export_subject(SUBJECT, [source], policy, at=AT, out=out).rows
    finally:
        engine.dispose()


def bench_throughput(
    base_db: Path, mapped_db: Path, work: Path, rows: int, repeats: int
) -> dict[str, float]:
    """Time the three sides, alternating; returns each SQLAlchemy side's throughput ratio."""
    sides: dict[str, Callable[[], int]] = {
        "SQLSource": lambda: export_sqlsource(base_db, work / "base.zip"),
        "MappedSource": lambda: export_mapped(mapped_db, work / "mapped.zip"),
        "MappedSource via Customer.readings": lambda: export_mapped(
            mapped_db, work / "via.zip", via=True
        ),
    }
    best = dict.fromkeys(sides, float("inf"))
    for _ in range(repeats):
        for name, run in sides.items():
            t, n = timed_best(1, run)
            if n != rows:
                raise SystemExit(f"{name} exported {n} rows, expected {rows}")
            best[name] = min(best[name], t)
    print(f"throughput, best of {repeats}, {rows:,} rows of one subject:")
    for name, t in best.items():
        print(f"  {name:<36} {t:8.3f} s  {rows / t / 1e3:8.1f} k rows/s")
    return {name: best["SQLSource"] / t for name, t in best.items() if name != "SQLSource"}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures with their targets."""
    args = export_parser(__doc__).parse_args(argv)
    if args.child_memory:
        db, out = Path(args.child_memory[0]), Path(args.child_memory[1])
        child_memory(lambda: export_mapped(db, out, via=True))
        return 0
    rows, small_rows = args.rows, max(1, args.rows // 10)
    with tempfile.TemporaryDirectory(prefix="gdprkit-bench-") as tmp:
        work = Path(tmp)
        start = time.perf_counter()
        base_db, mapped_db, small_db = work / "base.db", work / "mapped.db", work / "small.db"
        make_sqlsource_db(base_db, rows)
        make_mapped_db(mapped_db, rows)
        make_mapped_db(small_db, small_rows)
        print(
            f"seeded {rows:,} rows twice and {small_rows:,} in {time.perf_counter() - start:.1f} s"
        )
        ratios = bench_throughput(base_db, mapped_db, work, rows, args.repeat)
        growth = memory_growth(
            __file__, [str(small_db), str(work / "s.zip")], [str(mapped_db), str(work / "l.zip")]
        )
    print()
    missed = False
    for name, ratio in ratios.items():
        missed |= not meets(f"{name} / SQLSource", ratio, at_least=THROUGHPUT_TARGET)
    if growth is not None:
        label = f"peak memory {rows:,} rows - {small_rows:,} rows"
        missed |= not meets(label, growth, at_most=MEMORY_TARGET_MB)
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
