"""Type-checked, never run: anonymous forms, the erasure journal and its replay, Art. 19 receipts."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Literal

from typing_extensions import assert_type

import gdprkit as gk
from gdprkit import anonymize, rights
from gdprkit.pseudonym import Keyring
from gdprkit.store.sqlite import SQLiteStore

now = datetime(2026, 11, 25, tzinfo=UTC)
policy = gk.Policy.from_toml("policy.toml")
subject = rights.SubjectRef("customer", "C-1042")
conn = sqlite3.connect(":memory:")
source = rights.SQLSource(
    conn, table="t", subject_column="c", model=object, anonymous_table="t_anonymous"
)

monthly = anonymize.AnonymousForm(
    anonymize.Generalization({"month": anonymize.From("read_at", anonymize.Truncate("month"))}),
    5,
    {"kwh_band": anonymize.Measure("sum", "kwh", anonymize.Bucket(100))},
)
assert_type(monthly.rows([{"read_at": now, "kwh": 1}]), list[dict[str, str | None]])
assert_type(monthly.check([], []), anonymize.AnonymityCheck)
assert_type(monthly.method, Literal["generalize", "aggregate"])
declared = policy.purposes["analytics"].anonymization_for("MeterReading")
if declared is not None:
    assert_type(anonymize.AnonymousForm.from_declaration(declared), anonymize.AnonymousForm)

plan = rights.plan_erasure(subject, [source], policy, {}, now, forms={"MeterReading": monthly})
assert_type(plan.anonymous, tuple[rights.AnonymousPart, ...])
assert_type(plan.not_anonymized, tuple[rights.AnonymizationOutcome, ...])
assert_type(plan.pending, tuple[tuple[str, int], ...])
rights.plan_erasure(subject, [source], policy, {}, now, forms={"MeterReading": 5})  # type: ignore[dict-item]

store = SQLiteStore("gdprkit.db")
journal = rights.ErasureJournal(store, keyring=Keyring.generate())
receipt = rights.execute_erasure(plan, journal=journal)
assert_type(receipt.anonymized, tuple[rights.AnonymizationOutcome, ...])
assert_type(list(journal.entries(since=now)), list[rights.JournalEntry])
assert_type(rights.read_journal("journal.jsonl", keyring=journal.keyring),
            tuple[rights.JournalEntry, ...])  # fmt: skip
assert_type(
    rights.read_journal("old.jsonl", keyring=journal.keyring, accept_unverified=True),
    tuple[rights.JournalEntry, ...],
)
rights.read_journal("journal.jsonl")  # type: ignore[call-arg]  # the keyring verifies it


def facts(s: rights.SubjectRef) -> dict[str, date | datetime | None]:
    return {}


report = rights.replay_erasures(
    [source], policy, since=now, now=now, journal=journal, candidates=[subject], facts=facts
)
assert_type(report, rights.ReplayReport)
assert_type(report.erasures, tuple[rights.ReplayedErasure, ...])
rights.replay_erasures([source], policy, since=now, now=now)  # type: ignore[call-arg]

answer = rights.recipients_for(subject, [source], policy)
assert_type(answer, rights.RecipientsAnswer)
assert_type(rights.restriction_receipt(subject, policy, at=now, purposes=["marketing"]),
            rights.RestrictionReceipt)  # fmt: skip
assert_type(rights.rectification_receipt(subject, source, ["email"], policy, at=now, records=1),
            rights.RectificationReceipt)  # fmt: skip


class Archive:
    """An anonymizing source written outside gdprkit: the protocol is met by its members alone."""

    name = "archive"
    schemas: tuple[gk.Schema, ...] = ()
    keeps_anonymous = True

    def records(self, subject: rights.SubjectRef) -> Iterator[object]:
        return iter(())

    def record_key(self, record: object) -> tuple[object, ...]:
        return ()

    def erase(self, subject: rights.SubjectRef, changes: Iterable[rights.RecordErasure]) -> int:
        return 0

    def anonymous_rows(self, columns: Sequence[str]) -> Iterable[Sequence[object]]:
        return ()

    def anonymize(
        self,
        subject: rights.SubjectRef,
        changes: Iterable[rights.RecordErasure],
        anonymous: Sequence[tuple[Sequence[str], Sequence[Sequence[object]]]],
    ) -> tuple[int, int]:
        return 0, 0


keeper: rights.AnonymizingSource = Archive()
