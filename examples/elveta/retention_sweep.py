"""Sweep expired accounting records in the database with retention.sql_predicate."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import models
import service
from _setup import service_db, workdir

from gdprkit import retention

EXPECT = ["cutoff 2019-01-01", "deleted 2 invoices", "kept 24"]

STOCKHOLM = ZoneInfo("Europe/Stockholm")
now = datetime(2026, 11, 25, 2, 0, tzinfo=STOCKHOLM)
conn = service_db(workdir())
# two invoices from fiscal years long past (2016 and 2017) next to the seeded 2024-2025 ones
service.insert(
    conn,
    [
        models.Invoice(f"F-old-{y}", date(y, 12, 31), "C-1043", date(y, 6, 1), Decimal("99.00"))
        for y in (2016, 2017)
    ],
)

rule = models.policy.purposes["bookkeeping"].retention
assert rule is not None
print(f"rule: {rule.describe()}")
# Fiscal years that ended before 2019-01-01 were kept through 2025 and may go now.
# No cutoff (None) would mean that no record can have expired yet under this rule.
cut = retention.cutoff(rule, now, tz=STOCKHOLM)
print(f"cutoff {cut.date()}" if cut is not None else "no cutoff: nothing has expired yet")
where, params = retention.sql_predicate(rule, now, tz=STOCKHOLM, column="fiscal_year_end")
deleted = conn.execute(f"DELETE FROM invoices WHERE {where}", params).rowcount
conn.commit()
remaining = conn.execute("SELECT count(*) FROM invoices").fetchone()[0]
print(f"deleted {deleted} invoices (WHERE {where}), kept {remaining}")
