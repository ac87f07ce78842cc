"""Benchmark the export through gdprkit.sqlalchemy against the DB-API SQLSource.

    python bench/bench_sqlalchemy.py               # 100,000 and 1,000,000 meter readings
    python bench/bench_sqlalchemy.py --quick       # a smoke run

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
least 0.5x the baseline's speed at 1M rows, sides alternated (ABAB); peak
memory exporting 1M rows at most 50 MB above 100k (a fresh process per size).
Prints times and ratios, never absolute budgets; ``--check`` exits with
status 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path

import sqlalchemy as sa
from _common import (  # bench/_common.py: the script's folder is on sys.path
    Goal,
    Report,
    child_memory,
    common_arguments,
    memory_growth,
    sizes_of,
)
from bench_export import AT
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


#: Issue 15: each SQLAlchemy path at least half the DB-API SQLSource's speed.
THROUGHPUT = Goal(
    ">=", 0.5, "x", "export through MappedSource speed / through SQLSource (issue 15)"
)


def bench_throughput(
    report: Report, base_db: Path, mapped_db: Path, work: Path, rows: int, rounds: int
) -> None:
    """Each SQLAlchemy path against SQLSource, in turns; the goal applies at the largest size."""
    base = ("SQLSource (DB-API)", partial(export_sqlsource, base_db, work / "base.zip"))
    paths = {
        "mapped": ("MappedSource", partial(export_mapped, mapped_db, work / "mapped.zip")),
        "mapped_via": (
            "MappedSource via Customer.readings (a join)",
            partial(export_mapped, mapped_db, work / "via.zip", via=True),
        ),
    }
    for label, run in (base, *paths.values()):
        if run() != rows:
            raise SystemExit(f"{label} exported another number of rows than {rows}")
    for key, ours in paths.items():
        report.compare(
            f"{key}_{rows}",
            f"export_subject through {ours[0]} vs through SQLSource",
            ours,
            base,
            items=rows,
            rounds=rounds,
            kind="speed",
            goal=THROUGHPUT if rows >= 1_000_000 else None,
            warmup=False,  # the row-count check above was the warm-up
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Seed the databases, run the pairs and the memory figures, print them with their goals."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--child-memory", nargs=2, metavar=("DB", "OUT"), help=argparse.SUPPRESS)
    common_arguments(parser, sizes="rows per export")
    args = parser.parse_args(argv)
    if args.child_memory:
        db, out = Path(args.child_memory[0]), Path(args.child_memory[1])
        child_memory(partial(export_mapped, db, out, via=True))
        return 0
    report = Report("sqlalchemy", args, argv)
    sizes = sizes_of(args)
    with tempfile.TemporaryDirectory(prefix="gdprkit-bench-") as tmp:
        work = Path(tmp)
        start = time.perf_counter()
        mapped = {n: work / f"mapped-{n}.db" for n in sizes}
        for n in sizes:
            make_sqlsource_db(work / f"base-{n}.db", n)
            make_mapped_db(mapped[n], n)
        print(f"seeded {' + '.join(f'{n:,}' for n in sizes)} rows twice in "
              f"{time.perf_counter() - start:.1f} s")  # fmt: skip
        for n in sizes:
            rounds = args.rounds or (2 if args.quick else 3)
            bench_throughput(report, work / f"base-{n}.db", mapped[n], work, n, rounds)
        if len(sizes) > 1:
            memory_growth(
                report,
                "sqlalchemy_memory",
                __file__,
                [str(mapped[sizes[0]]), str(work / "small.zip")],
                [str(mapped[sizes[-1]]), str(work / "large.zip")],
            )
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
