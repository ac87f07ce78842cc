"""An SQLite-backed Elveta service: its tables, synthetic customers, and its data sources.

Used by ``python -m gdprkit demo``, by ``examples/elveta/`` and by the tests.
All people in it are invented.
"""

from __future__ import annotations

import random
import sqlite3
import typing
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING or __package__:
    from gdprkit._demo.models import (
        ChurnScore,
        Contract,
        Customer,
        Invoice,
        MarketingPreference,
        MeterReading,
        SupportTicket,
        policy,
    )
else:  # run from examples/elveta/, beside models.py: use that module, not a second copy
    from models import (
        ChurnScore,
        Contract,
        Customer,
        Invoice,
        MarketingPreference,
        MeterReading,
        SupportTicket,
        policy,
    )
from gdprkit._sqlvalues import to_db
from gdprkit.rights import SQLSource, SubjectRef

__all__ = [
    "TABLES",
    "anonymous_table",
    "create_schema",
    "facts_for",
    "insert",
    "seed",
    "sources",
    "subjects",
]

#: model -> (table, subject column, key fields)
TABLES: dict[type, tuple[str, str, tuple[str, ...]]] = {
    Customer: ("customers", "customer_id", ("customer_id",)),
    Contract: ("contracts", "customer_id", ("contract_id",)),
    Invoice: ("invoices", "customer_id", ("invoice_id",)),
    MeterReading: ("meter_readings", "customer_id", ("meter_id", "read_at")),
    SupportTicket: ("support_tickets", "customer_id", ("ticket_id",)),
    MarketingPreference: ("marketing_preferences", "customer_id", ("customer_id",)),
    ChurnScore: ("churn_scores", "customer_id", ("customer_id", "computed_at")),
}

_SQL_TYPES = {int: "INTEGER", float: "REAL", bool: "INTEGER"}


def anonymous_table(model: type) -> tuple[str, tuple[str, ...]] | None:
    """The table of ``model``'s anonymous set and its columns, if the policy declares a form.

    The analytics purpose declares how meter readings and customers are kept
    as anonymous data (``[purposes.analytics.anonymization.<Kind>]``); their
    anonymous rows live beside the records, in ``<table>_anonymous``, so that
    a restored backup brings back both as they were together.
    """
    declared = policy.purposes["analytics"].anonymization_for(model.__name__)
    if declared is None:
        return None
    return f"{TABLES[model][0]}_anonymous", tuple(c.name for c in declared.columns)


def create_schema(conn: sqlite3.Connection) -> None:
    """Create the service's tables (dates and decimals as ISO text) and its anonymous sets."""
    for model, (table, subject_column, _) in TABLES.items():
        hints = typing.get_type_hints(model)
        cols = ", ".join(
            f'"{f.name}" {_SQL_TYPES.get(hints[f.name], "TEXT")}' for f in attrs.fields(model)
        )
        conn.execute(f'CREATE TABLE IF NOT EXISTS "{table}" ({cols})')
        conn.execute(
            f'CREATE INDEX IF NOT EXISTS "{table}_subject" ON "{table}" ("{subject_column}")'
        )
        anonymous = anonymous_table(model)
        if anonymous is not None:
            labels = ", ".join(f'"{c}" TEXT' for c in anonymous[1])
            conn.execute(f'CREATE TABLE IF NOT EXISTS "{anonymous[0]}" ({labels})')


def insert(conn: sqlite3.Connection, records: list[Any]) -> None:
    """Insert records of one model into its table."""
    if not records:
        return
    model = type(records[0])
    table = TABLES[model][0]
    names = [f.name for f in attrs.fields(model)]
    cols = ", ".join(f'"{n}"' for n in names)
    marks = ", ".join("?" for _ in names)
    conn.executemany(
        f'INSERT INTO "{table}" ({cols}) VALUES ({marks})',
        ([to_db(getattr(r, n)) for n in names] for r in records),
    )


_FIRST = ["Anna", "Erik", "Maja", "Lars", "Sara", "Johan", "Elin", "Karl", "Ida", "Nils"]
_LAST = ["Berg", "Lind", "Holm", "Nyström", "Ek", "Sjöberg", "Wallin", "Dahl", "Lund", "Åkesson"]
_CITIES = [
    ("183 30", "Täby"),
    ("114 55", "Stockholm"),
    ("752 36", "Uppsala"),
    ("411 19", "Göteborg"),
]
_PUMPS = ["NIBE S1255", "Thermia Atlas", "IVT Air X", "none"]


def customer_id(n: int) -> str:
    """The id of the n-th synthetic customer (``C-1042`` is the first)."""
    return f"C-{1042 + n}"


def seed(
    conn: sqlite3.Connection,
    *,
    customers: int = 3,
    hours: int = 24 * 7,
    start: datetime = datetime(2026, 11, 1, tzinfo=UTC),
    seed: int = 1042,
    progress: Callable[[int, int], None] | None = None,
) -> list[str]:
    """Fill the tables with invented customers; returns their ids.

    The first customer's contract ended on 2025-06-30 (so her data is due for
    review); the others are active. Each has invoices in fiscal years 2024 and
    2025, hourly meter readings, a support ticket, a marketing preference and a
    churn score. ``progress(done, total)`` hears of each customer written.
    """
    rng = random.Random(seed)
    ids = [customer_id(n) for n in range(customers)]
    for n, cid in enumerate(ids):
        for records in _records_of(n, cid, start, hours, rng):
            insert(conn, records)
        if progress is not None:
            progress(n + 1, customers)
    conn.commit()
    return ids


def _records_of(
    n: int, cid: str, start: datetime, hours: int, rng: random.Random
) -> Iterator[list[Any]]:
    """The n-th customer's records, one list per table, drawn from ``rng`` in this order."""
    yield [_customer(n, cid, rng)]
    ended = date(2025, 6, 30) if n == 0 else None
    yield [Contract(f"K-{n}", cid, "Elveta Hem", date(2023, 7, 1), ended)]
    yield [
        Invoice(
            f"F-{n}-{year}-{month}",
            date(year, 12, 31),
            cid,
            date(year, month, 28),
            Decimal(rng.randrange(40000, 250000)) / 100,
            date(year, month, 28) + timedelta(days=14),
        )
        for year in (2024, 2025)
        for month in (3, 6, 9, 12)
    ]
    yield list(_readings(cid, f"M-{7700 + n}", start, hours, rng))
    yield [
        SupportTicket(
            f"T-{n}",
            cid,
            start - timedelta(days=40),
            "Hej! Min värmepump visar fel kod E12, kan ni hjälpa mig?",
        )
    ]
    yield [MarketingPreference(cid, True, start - timedelta(days=200))]
    yield [ChurnScore(cid, round(rng.random(), 3), start - timedelta(days=1))]


def _customer(n: int, cid: str, rng: random.Random) -> Customer:
    """The n-th customer's account: a Swedish name, an address and a home."""
    first, last = _FIRST[n % len(_FIRST)], _LAST[(n * 3) % len(_LAST)]
    postcode, city = _CITIES[n % len(_CITIES)]
    return Customer(
        customer_id=cid,
        name=f"{first} {last}",
        email=f"{first.lower()}.{last.lower()}@example.se".replace("ö", "o").replace("å", "a"),
        phone=f"+46 70 {rng.randrange(100, 999)} {rng.randrange(10, 99)} 00",
        street=f"Storgatan {n + 1}",
        postcode=postcode,
        city=city,
        dwelling=rng.choice(["house", "apartment", "townhouse"]),
        area_m2=rng.randrange(45, 220),
        heating=rng.choice(["heat pump", "district heating", "electric"]),
        heat_pump=rng.choice(_PUMPS),
    )


def _readings(
    cid: str, meter: str, start: datetime, hours: int, rng: random.Random
) -> Iterator[MeterReading]:
    for h in range(hours):
        kwh = Decimal(rng.randrange(20, 400)) / 100
        yield MeterReading(cid, meter, start + timedelta(hours=h), kwh)


def sources(conn: sqlite3.Connection) -> list[SQLSource]:
    """One :class:`~gdprkit.rights.SQLSource` per table, as an export or erasure walks them.

    The meter readings and customers keep their anonymous sets in the tables
    :func:`anonymous_table` names.
    """
    return [_source(conn, model) for model in TABLES]


def _source(conn: sqlite3.Connection, model: type) -> SQLSource:
    table, subject_column, key = TABLES[model]
    anonymous = anonymous_table(model)
    return SQLSource(
        conn,
        table=table,
        subject_column=subject_column,
        model=model,
        key=key,
        anonymous_table=anonymous[0] if anonymous else None,
    )


def subjects(conn: sqlite3.Connection) -> list[SubjectRef]:
    """Every customer the database holds: where an erasure journal finds its subjects again."""
    return [
        SubjectRef("customer", cid) for (cid,) in conn.execute("SELECT customer_id FROM customers")
    ]


def facts_for(conn: sqlite3.Connection, cid: str) -> dict[str, date | datetime | None]:
    """The retention facts of one customer: contract end and the latest fiscal year end."""
    ended = conn.execute(
        "SELECT max(ended_on), count(*) - count(ended_on) FROM contracts WHERE customer_id = ?",
        (cid,),
    ).fetchone()
    fiscal = conn.execute(
        "SELECT max(fiscal_year_end) FROM invoices WHERE customer_id = ?", (cid,)
    ).fetchone()[0]
    contract_ended = date.fromisoformat(ended[0]) if ended[0] and ended[1] == 0 else None
    return {
        "contract_ended": contract_ended,
        "fiscal_year_end": date.fromisoformat(fiscal) if fiscal else None,
    }


def analytics_rows(conn: sqlite3.Connection) -> Iterator[dict[str, object]]:
    """One row per customer for analysis: housing, equipment, postcode and kWh per week.

    Still personal data (it holds the customer id and postcode); pass it
    through :data:`ANALYTICS` and measure k before it leaves the service.
    """
    query = """
        SELECT c.customer_id, c.postcode, c.dwelling, c.area_m2, c.heating, c.heat_pump,
               (SELECT sum(CAST(kwh AS REAL)) FROM meter_readings m
                 WHERE m.customer_id = c.customer_id) AS kwh
        FROM customers c ORDER BY c.customer_id
    """
    names = ("customer_id", "postcode", "dwelling", "area_m2", "heating", "heat_pump", "kwh")
    for row in conn.execute(query):
        yield dict(zip(names, row, strict=True))


def analytics_generalization() -> Any:
    """The generalisation Elveta's analytics purpose applies (identifiers dropped by default)."""
    from gdprkit import anonymize

    return anonymize.Generalization(
        {
            "region": anonymize.From("postcode", anonymize.PostcodePrefix(1)),
            "dwelling": anonymize.Recode(
                {"house": "house", "townhouse": "house", "apartment": "apartment"}
            ),
            "area_band": anonymize.From("area_m2", anonymize.Bucket(100, top=200)),
            "heating": anonymize.Recode({"heat pump": "heat pump"}, other="other"),
            "kwh_band": anonymize.From("kwh", anonymize.Bucket(250)),
        },
        drop=("customer_id", "postcode", "area_m2", "heat_pump", "kwh"),
    )
