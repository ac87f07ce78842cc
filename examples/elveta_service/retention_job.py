"""The retention job (Art. 5(1)(e)): one DELETE per table, with gdprkit.sqlalchemy.expired."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from elveta_service import service

EXPECT = ["meter_readings: 48", "meters: 1", "invoices: 1", "customers: 0", "next run: 0"]

# Maja's contract ended 2024-03-31: its 24 months have run out, and her 2016 invoice is
# past Bokföringslagen's seven years; her 2023 invoice (and so her account) stays.
now = datetime(2026, 11, 25, 2, 0, tzinfo=ZoneInfo("Europe/Stockholm"))
factory = service.open_database(service.workdir())
service.seed(factory)
for table, deleted in service.retention_job(factory, now).items():
    print(f"{table}: {deleted} deleted")
print(f"next run: {sum(service.retention_job(factory, now).values())} deleted")
