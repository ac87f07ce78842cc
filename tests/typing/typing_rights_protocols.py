"""Type-checked, never run: the public types of gdprkit.rights, and its capability protocols."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from typing_extensions import assert_type

import gdprkit as gk
from gdprkit import rights
from gdprkit.consent import Ledger
from gdprkit.pseudonym import Keyring, Pseudonymizer
from gdprkit.store.sqlite import SQLiteStore

now = datetime(2026, 11, 25, tzinfo=UTC)
policy = gk.Policy.from_toml("policy.toml")
subject = rights.SubjectRef("customer", "C-1042")
source = rights.SQLSource(sqlite3.connect(":memory:"), table="t", subject_column="c", model=object)


class Tickets:
    """A source written outside gdprkit: the protocols are met by its members alone."""

    name = "tickets"
    schemas: tuple[gk.Schema, ...] = ()
    shreddable = True
    subject_field = "customer_id"

    def records(self, subject: rights.SubjectRef) -> Iterator[object]:
        return iter(())

    def record_key(self, record: object) -> tuple[object, ...]:
        return ()

    def erase(self, subject: rights.SubjectRef, changes: Iterable[rights.RecordErasure]) -> int:
        return 0

    def rectify(
        self,
        subject: rights.SubjectRef,
        changes: Mapping[str, object],
        *,
        key: Iterable[object] | None = None,
    ) -> int:
        return 0


class ReadOnly:
    name = "read_only"
    schemas: tuple[gk.Schema, ...] = ()

    def records(self, subject: rights.SubjectRef) -> Iterator[object]:
        return iter(())


tickets = Tickets()
erasable: rights.ErasableSource = tickets
shreddable: rights.ShreddableSource = tickets
rectifiable: rights.RectifiableSource = tickets
named: rights.SubjectFieldSource = tickets
sql_erasable: rights.ErasableSource = source
sql_shreddable: rights.ShreddableSource = source
sql_rectifiable: rights.RectifiableSource = source
sql_named: rights.SubjectFieldSource = source
read_only: rights.DataSource = ReadOnly()
not_erasable: rights.ErasableSource = ReadOnly()  # type: ignore[assignment]
not_rectifiable: rights.RectifiableSource = ReadOnly()  # type: ignore[assignment]

# --- export
scope: rights.Scope = "portability"
result = rights.export_subject(subject, [source, tickets], policy, scope=scope, at=now, out="a.zip")
assert_type(result, rights.ExportResult)
assert_type(result.path, Path)
assert_type(result.rows, int)
assert_type(rights.verify_package(result.path), dict[str, Any])
rights.export_subject(subject, [source], policy, scope="everything", at=now, out="b.zip")  # type: ignore[arg-type]

# --- erasure: any ledger that can record a restriction will do
plan = rights.plan_erasure(subject, [source, tickets], policy, {}, now)
assert_type(plan, rights.ErasurePlan)
assert_type(plan.by_action(rights.ErasureAction.RETAIN), tuple[rights.ErasureItem, ...])
ledger = Ledger(
    SQLiteStore.memory(), policy, pseudonymizer=Pseudonymizer(Keyring.generate(), domain="c")
)
restricting: rights.RestrictionLedger = ledger
receipt = rights.execute_erasure(plan, ledger=ledger)
assert_type(receipt, rights.ErasureReceipt)
assert_type(receipt.render("sv"), str)
rights.execute_erasure(plan, ledger=ReadOnly())  # type: ignore[arg-type]

# --- rectification
assert_type(rights.rectify(subject, tickets, {"message": "x"}, at=now), int)
