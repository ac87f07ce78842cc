"""The example service (examples/elveta_service/) for the SQLAlchemy tests: its models on
SQLite and on PostgreSQL (the ``engine`` fixture), its invented customers, and support tickets
whose message is a ciphertext under the customer's subject key (for crypto-shredding).

Imported only after ``pytest.importorskip("sqlalchemy")``; the example's models are the
ones the tests check, so that the example cannot drift from what is tested.
"""

from __future__ import annotations

import contextlib
import sys
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, Integer, LargeBinary, String, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, sessionmaker

import gdprkit as gk
from gdprkit.sqlalchemy import UTCDateTime, not_personal_column, pd_column
from tests import pg
from tests.conftest import postgres_unavailable

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
if str(EXAMPLES) not in sys.path:  # the example is a package beside the scripts that use it
    sys.path.insert(0, str(EXAMPLES))

from elveta_service import service as example  # noqa: E402
from elveta_service.models import (  # noqa: E402
    Base,
    Customer,
    Invoice,
    Meter,
    MeterReading,
    policy,
)

__all__ = [
    "Customer",
    "Invoice",
    "Meter",
    "MeterReading",
    "Ticket",
    "engine",
    "policy",
    "seed",
]


class TicketBase(DeclarativeBase):
    """Tickets live apart from the example's tables: only the shredding tests need them."""


@gk.personal_data(subject="customer", policy=policy)
class Ticket(TicketBase):
    """A support case; its message is a ciphertext under the customer's subject key."""

    __tablename__ = "tickets"

    ticket_id: Mapped[int] = not_personal_column(Integer, primary_key=True)
    customer_id: Mapped[str] = pd_column(
        String(20), category="identity.customer_id", purposes=("crm",), identifies=True
    )
    opened_at: Mapped[datetime] = pd_column(
        UTCDateTime, category="communication", purposes=("crm",)
    )
    message: Mapped[bytes | None] = pd_column(
        LargeBinary, category="communication.customer_service", purposes=("crm",)
    )


def seed(
    engine: Engine, *, hours: int = 6, encrypt: Callable[[str, str, str], bytes] | None = None
) -> None:
    """The example's customers (Anna C-1042, Erik C-1043, Maja C-1044) with ``hours``
    readings each, and a ticket each (``encrypt(subject, field, text)`` makes its message a
    ciphertext)."""
    example.seed(sessionmaker(engine), hours=hours)
    with Session(engine) as session, session.begin():
        for n, cid in enumerate(("C-1042", "C-1043", "C-1044")):
            text = f"Question from {cid}"
            message = text.encode() if encrypt is None else encrypt(cid, "message", text)
            session.add(
                Ticket(
                    customer_id=cid, opened_at=example.FIRST_READING, message=message, ticket_id=n
                )
            )


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """The service's tables on SQLite (a file) and on PostgreSQL (a fresh database of the
    run's throw-away cluster), empty."""
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path / 'service.db'}"
        else:
            missing = pg.missing_reason()
            if missing is not None:
                postgres_unavailable(missing)
            cluster: pg.Cluster = request.getfixturevalue("cluster")
            raw = stack.enter_context(cluster.database(f"sa_{uuid.uuid4().hex[:12]}"))
            url = raw.replace("postgresql://", "postgresql+psycopg://", 1)
        created = create_engine(url)
        stack.callback(created.dispose)
        Base.metadata.create_all(created)
        TicketBase.metadata.create_all(created)
        yield created
