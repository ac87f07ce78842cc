"""The service's tasks, free of any web framework: open the database, seed invented
customers, find a subject's rows, answer access requests, erase, run the retention job."""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

import gdprkit as gk
from elveta_service.models import Base, Customer, Invoice, Meter, MeterReading, policy
from gdprkit import rights
from gdprkit.sqlalchemy import MappedSource, expired, subject_sources

__all__ = [
    "answer_access_request",
    "erase_customer",
    "facts_for",
    "open_database",
    "retention_job",
    "seed",
    "sources",
    "view",
    "workdir",
]

FIRST_READING = datetime(2026, 11, 1, tzinfo=UTC)


def workdir() -> Path:
    """$GDPRKIT_EXAMPLE_DIR (set by examples/run_all.py), or a new temporary folder."""
    path = Path(os.environ.get("GDPRKIT_EXAMPLE_DIR") or tempfile.mkdtemp(prefix="elveta-"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def open_database(folder: Path, *, fresh: bool = True) -> sessionmaker[Session]:
    """The service's SQLite database in ``folder`` (emptied when ``fresh``), as a session factory."""
    engine = sa.create_engine(f"sqlite:///{folder / 'elveta-service.db'}")
    if fresh:
        Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    return sessionmaker(engine)


def seed(factory: sessionmaker[Session], *, hours: int = 48) -> None:
    """Three invented customers: Anna (C-1042, contract ended 2025-06-30), Erik (C-1043,
    active), Maja (C-1044, contract ended 2024-03-31); invoices, a meter and readings each."""
    people = [
        ("C-1042", "Anna Berg", "183 30", "NIBE S1255", date(2025, 6, 30)),
        ("C-1043", "Erik Lind", "114 55", "none", None),
        ("C-1044", "Maja Holm", "752 36", "Thermia Atlas", date(2024, 3, 31)),
    ]
    with factory() as session, session.begin():
        for n, (cid, name, postcode, pump, ended) in enumerate(people):
            first = name.split()[0].lower()
            session.add(
                Customer(customer_id=cid, name=name, email=f"{first}@example.se",
                         postcode=postcode, heat_pump=pump, contract_ended=ended)
            )  # fmt: skip
            years = (2016, 2023) if cid == "C-1044" else (2024, 2025)
            session.add_all(
                Invoice(invoice_id=f"F-{year}-{cid}", customer_id=cid,
                        fiscal_year_end=date(year, 12, 31), amount_sek=Decimal("1250.00") + n,
                        paid_on=date(year + 1, 1, 25))
                for year in years
            )  # fmt: skip
            session.add(Meter(meter_id=f"M-{7700 + n}", customer_id=cid))
            session.add_all(
                MeterReading(meter_id=f"M-{7700 + n}", read_at=FIRST_READING + timedelta(hours=h),
                             kwh=Decimal("0.350") + Decimal(h % 24) / 100)
                for h in range(hours)
            )  # fmt: skip


def sources(factory: sessionmaker[Session]) -> tuple[MappedSource, ...]:
    """The customer's rows: her account, invoices, meters and their readings."""
    return subject_sources(
        factory, Customer, subject_column="customer_id", alias_columns={"email": "email"}
    )


def facts_for(factory: sessionmaker[Session], customer_id: str) -> dict[str, date | None]:
    """The retention facts of one customer: when her contract ended (None: it runs)."""
    with factory() as session:
        ended = session.scalar(
            sa.select(Customer.contract_ended).where(Customer.customer_id == customer_id)
        )
    return {"contract_ended": ended}


def view(factory: sessionmaker[Session], customer_id: str, purpose: str) -> dict[str, Any]:
    """A customer as one purpose may see her (Art. 5(1)(b)-(c)); KeyError when there is none.

    ``gk.UnknownPurpose`` and ``gk.PurposeNotAllowed`` say why a purpose gets nothing.
    """
    with factory() as session:
        customer = session.get(Customer, customer_id)
        if customer is None:
            raise KeyError(customer_id)
        return gk.project(customer, purpose)


def answer_access_request(
    factory: sessionmaker[Session], customer_id: str, out: Path, *, at: datetime
) -> rights.ExportResult:
    """Write the customer's access package (Art. 15) to ``out``."""
    subject = rights.SubjectRef("customer", customer_id)
    return rights.export_subject(subject, sources(factory), policy, scope="access", at=at, out=out)


def erase_customer(
    factory: sessionmaker[Session], customer_id: str, *, at: datetime
) -> rights.ErasureReceipt:
    """Erase the customer (Art. 17), keeping what Bokföringslagen requires; the receipt."""
    subject = rights.SubjectRef("customer", customer_id)
    found = sources(factory)
    plan = rights.plan_erasure(subject, found, policy, facts_for(factory, customer_id), at)
    return rights.execute_erasure(plan, found, at=at)


def retention_job(factory: sessionmaker[Session], now: datetime) -> dict[str, int]:
    """Storage limitation (Art. 5(1)(e)): one DELETE per table; rows deleted, by table.

    Readings and meters go 24 months after the contract ended; an invoice goes
    when that has run out and Bokföringslagen's seven years too; the account
    goes after its last invoice.
    """
    contract = policy.purposes["contract"].retention
    bookkeeping = policy.purposes["bookkeeping"].retention
    assert contract is not None
    assert bookkeeping is not None
    tz = policy.timezone
    ended = sa.select(Customer.customer_id).where(
        expired(Customer.contract_ended, contract, now, tz=tz)
    )
    their_meters = sa.select(Meter.meter_id).where(Meter.customer_id.in_(ended))
    statements = {
        "meter_readings": sa.delete(MeterReading).where(MeterReading.meter_id.in_(their_meters)),
        "meters": sa.delete(Meter).where(Meter.customer_id.in_(ended)),
        "invoices": sa.delete(Invoice).where(
            expired(Invoice.fiscal_year_end, bookkeeping, now, tz=tz),
            Invoice.customer_id.in_(ended),
        ),
        "customers": sa.delete(Customer).where(
            Customer.customer_id.in_(ended),
            ~sa.exists().where(Invoice.customer_id == Customer.customer_id),
            ~sa.exists().where(Meter.customer_id == Customer.customer_id),
        ),
    }
    with factory() as session, session.begin():
        return {
            table: int(session.execute(stmt).rowcount)  # type: ignore[attr-defined]
            for table, stmt in statements.items()
        }
