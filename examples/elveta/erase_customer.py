"""Erase a customer (Art. 17) while keeping what Bokföringslagen requires, and show the receipt."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import models
import service
from _setup import service_db, workdir

from gdprkit import rights

EXPECT = ["Bokföringslagen (1999:1078) 7 kap. 2 §", "2033-01-01", "second run changed 0"]

now = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Europe/Stockholm"))
conn = service_db(workdir())
subject = rights.SubjectRef(kind="customer", id="C-1042")
sources = service.sources(conn)

plan = rights.plan_erasure(
    subject, sources, models.policy, service.facts_for(conn, subject.id), now
)
print(plan)
print()
receipt = rights.execute_erasure(plan, sources)
print(receipt.render(lang="en"))
again = rights.execute_erasure(plan, sources)
print(
    f"first run changed {receipt.total_changed} records, second run changed {again.total_changed}"
)
