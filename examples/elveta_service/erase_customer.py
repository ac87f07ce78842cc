"""Erase Anna (Art. 17) through the SQLAlchemy sources; Bokföringslagen keeps her invoices."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from elveta_service import service
from elveta_service.models import Customer, Invoice, MeterReading

EXPECT = [
    "Bokföringslagen (1999:1078) 7 kap. 2 §",
    "invoices kept: 2",
    "readings left: 96",
    "second run changed 0",
]

now = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Europe/Stockholm"))
factory = service.open_database(service.workdir())
service.seed(factory)
receipt = service.erase_customer(factory, "C-1042", at=now)
print(receipt.render("en"))
with factory() as session:
    kept = session.scalar(
        sa.select(sa.func.count()).select_from(Invoice).where(Invoice.customer_id == "C-1042")
    )
    # Anna's readings are erased: this service keeps no anonymous set for them (Recital 26)
    readings = session.scalar(sa.select(sa.func.count()).select_from(MeterReading))
    email = session.scalar(sa.select(Customer.email).where(Customer.customer_id == "C-1042"))
print(f"invoices kept: {kept}; readings left: {readings} (Erik's, Maja's); e-mail left: {email}")
again = service.erase_customer(factory, "C-1042", at=now)
print(f"first run changed {receipt.total_changed} rows, second run changed {again.total_changed}")
