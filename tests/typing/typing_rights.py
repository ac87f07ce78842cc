"""Type-checked with mypy --strict, never run: gdprkit.rights keeps its types."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from typing_extensions import assert_type

from gdprkit import Text, rights
from gdprkit._demo.models import Customer, policy
from gdprkit.audit import AuditLog
from gdprkit.store import SQLiteStore

now = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Europe/Stockholm"))
facts: dict[str, date | datetime | None] = {"contract_ended": date(2025, 6, 30)}
audit = AuditLog(SQLiteStore.memory())

# --- subjects and sources
subject = rights.SubjectRef(kind="customer", id="C-1042", aliases={"email": "anna@example.se"})
assert_type(subject, rights.SubjectRef)
assert_type(subject.kind, str)
assert_type(subject.id, str)
assert_type(subject.alias("email"), str | None)
conn = sqlite3.connect("elveta.db")
source = rights.SQLSource(
    conn, table="customers", subject_column="customer_id", model=Customer, key=("customer_id",)
)
assert_type(source, rights.SQLSource)
assert_type(source.name, str)
listed = rights.IterableSource("crm", Customer, [], subject_field="customer_id")
assert_type(listed, rights.IterableSource)
sources: list[rights.DataSource] = [source, listed]

rights.SubjectRef(kind="customer", id=1042)  # type: ignore[arg-type]
rights.SQLSource(conn, "customers", "customer_id", Customer)  # type: ignore[call-arg]
subject.id = "C-9"  # type: ignore[misc]

# --- the Art. 15 / 20 package
result = rights.export_subject(
    subject, sources, policy, scope="portability", at=now, out="C-1042.zip", audit=audit
)
assert_type(result, rights.ExportResult)
assert_type(result.path, Path)
assert_type(result.sha256, str)
assert_type(result.rows, int)
rights.verify_package(result.path)

rights.export_subject(subject, sources, policy, scope="all", at=now, out="x.zip")  # type: ignore[arg-type]
rights.export_subject(subject, sources, policy, out="x.zip")  # type: ignore[call-arg]
rights.export_subject("C-1042", sources, policy, at=now, out="x.zip")  # type: ignore[arg-type]

assert_type(result.personal_data_held, bool)

# --- where third-party data came from (Art. 15(1)(g))
partner = rights.IterableSource(
    "crm", Customer, [], subject_field="customer_id", source_of_data="Partner AB"
)
assert_type(partner.source_of_data, Text | None)
third_party: rights.ThirdPartySource = partner
rights.SQLSource(
    conn, table="t", subject_column="c", model=Customer, source_of_data=Text.of({"sv": "a"})
)
rights.IterableSource("crm", Customer, [], subject_field="customer_id", source_of_data=1)  # type: ignore[arg-type]

# --- other people's data withheld from the copy (Art. 15(4), 20(4))


def mask(kind: str, field: str, value: object, record: object) -> object:
    return rights.Redacted("[removed]") if field == "message" else value


hook: rights.Redactor = mask
redacted = rights.export_subject(subject, sources, policy, at=now, out="C-1042.zip", redact=mask)
assert_type(redacted.redacted, int)
assert_type(rights.Redacted(ground=rights.RedactionGround.TRADE_SECRET).replacement, object)
rights.export_subject(subject, sources, policy, at=now, out="x.zip", redact="phone")  # type: ignore[arg-type]

# --- erasure (Art. 17) and rectification (Art. 16)
plan = rights.plan_erasure(subject, sources, policy, facts, now)
assert_type(plan, rights.ErasurePlan)
assert_type(plan.items, tuple[rights.ErasureItem, ...])
assert_type(plan.retained, tuple[rights.ErasureItem, ...])
assert_type(plan.by_action(rights.ErasureAction.RETAIN), tuple[rights.ErasureItem, ...])
assert_type(plan.items[0].until, datetime | None)
receipt = rights.execute_erasure(plan, audit=audit)
assert_type(receipt, rights.ErasureReceipt)
assert_type(rights.execute_erasure(plan, sources, at=now), rights.ErasureReceipt)
assert_type(receipt.complete, bool)
assert_type(receipt.total_changed, int)
assert_type(receipt.render("sv"), str)
assert_type(rights.rectify(subject, source, {"phone": "+46 70 123 45 67"}, at=now), int)

rights.plan_erasure(subject, sources, policy, facts, "2026-11-25")  # type: ignore[arg-type]
rights.plan_erasure(subject, sources, policy, {"contract_ended": "2025-06-30"}, now)  # type: ignore[dict-item]
rights.execute_erasure(plan, at="now")  # type: ignore[arg-type]
rights.rectify(subject, source, {"phone": "+46"})  # type: ignore[call-arg]
