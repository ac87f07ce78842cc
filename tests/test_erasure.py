"""Erasure (Art. 17) that keeps bookkeeping data, and rectification (Art. 16), end to end."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

import gdprkit as gk
from gdprkit import retention, rights
from gdprkit._demo import models, service
from gdprkit.audit import AuditLog
from gdprkit.pseudonym import Keyring, Pseudonymizer
from gdprkit.store.sqlite import SQLiteStore

from .conftest import SERVICE_HOURS

STHLM = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=STHLM)
A = rights.ErasureAction


@pytest.fixture
def audit(tmp_path):
    with SQLiteStore(tmp_path / "gdprkit.db") as store:
        yield AuditLog(store, pseudonymizer=Pseudonymizer(Keyring.generate(), domain="audit"))


def _plan(db, subject, **kw):
    facts = service.facts_for(db, subject.id)
    return rights.plan_erasure(subject, service.sources(db), models.policy, facts, NOW, **kw)


def _count(db, table, cid="C-1042"):
    return db.execute(f"SELECT count(*) FROM {table} WHERE customer_id = ?", (cid,)).fetchone()[0]


def test_plan_keeps_bookkeeping_until_the_bfl_date_and_erases_the_rest(db, anna):
    plan = _plan(db, anna)
    kept = {(i.source, i.field): i for i in plan.retained}
    # invoices of fiscal year 2025 are kept to the end of 2032; of 2024 to the end of 2031
    invoice_until = {
        i.until for i in plan.retained if i.source == "invoices" and i.field == "amount_sek"
    }
    assert invoice_until == {datetime(2032, 1, 1, tzinfo=STHLM), datetime(2033, 1, 1, tzinfo=STHLM)}
    name = kept[("customers", "name")]
    assert name.until == datetime(2033, 1, 1, tzinfo=STHLM)
    assert name.purpose == "bookkeeping"
    assert name.legal_reference == "Art. 17(3)(b); Bokföringslagen (1999:1078) 7 kap. 2 §"
    erased = {(i.source, i.field) for i in plan.by_action(A.ERASE)}
    assert {("customers", "email"), ("customers", "phone"), ("support_tickets", "message"),
            ("marketing_preferences", "email_opt_in"), ("churn_scores", "score"),
            ("meter_readings", "customer_id")} <= erased  # fmt: skip
    assert ("customers", "email") not in kept
    # meter readings serve anonymized analytics, which declares their anonymous form
    assert {i.field for i in plan.by_action(A.ANONYMIZE)} == {"read_at", "kwh"}
    (part,) = plan.anonymous
    assert (part.source, part.kind, part.purpose) == ("meter_readings", "MeterReading", "analytics")
    assert plan.retaining_purposes == {"bookkeeping"}
    # recipients of the erased processing are notified (Art. 19)
    assert "email_provider" in {r.id for r in plan.recipients}
    assert "Bokföringslagen" in str(plan)
    text = plan.render("sv")
    assert "till 2033-01-01" in text and "artikel 19" in text


def test_execute_erases_keeps_and_is_idempotent(db, anna, audit):
    before_other = _count(db, "customers", "C-1043")
    receipt = rights.execute_erasure(_plan(db, anna), service.sources(db), audit=audit)
    assert receipt.complete
    assert receipt.total_changed > 0
    row = db.execute(
        "SELECT name, email, phone, street FROM customers WHERE customer_id='C-1042'"
    ).fetchone()
    assert row[0] == "Anna Berg" or row[0] is not None  # kept for bookkeeping
    assert row[1] is None and row[2] is None  # e-mail and phone are gone
    assert _count(db, "support_tickets") == 0
    assert _count(db, "marketing_preferences") == 0
    assert _count(db, "churn_scores") == 0
    assert _count(db, "contracts") == 0
    assert _count(db, "invoices") == 8  # räkenskapsinformation stays
    # the readings leave the table; their one monthly row alone would single Anna out
    # (k = 1 < 5), so no anonymous row is written either (Recital 26)
    assert (
        db.execute("SELECT count(*) FROM meter_readings WHERE customer_id IS NULL").fetchone()[0]
        == 0
    )
    assert _count(db, "meter_readings") == 0
    assert db.execute("SELECT count(*) FROM meter_readings_anonymous").fetchone()[0] == 0
    (outcome,) = [o for o in receipt.anonymized if o.source == "meter_readings"]
    assert (outcome.written, outcome.k, outcome.reason) == (0, 1, rights.NotAnonymous.BELOW_K)
    assert _count(db, "customers", "C-1043") == before_other  # nobody else touched
    # the second run changes nothing
    again = rights.execute_erasure(_plan(db, anna), service.sources(db), audit=audit)
    assert again.total_changed == 0 and again.complete
    assert {i.until for i in again.retained} == {i.until for i in receipt.retained}
    entries = [e for e in audit.entries() if e.action == "erasure.executed"]
    assert len(entries) == 2
    assert audit.verify() is not None
    assert "Anna" not in str([e.to_dict() for e in audit.entries()])


def test_a_failing_source_is_reported_and_a_rerun_finishes(db, anna):
    sources = service.sources(db)

    class Flaky:
        def __init__(self, inner):
            self.inner = inner
            self.fail = True
            self.name = inner.name
            self.schemas = inner.schemas

        def records(self, subject):
            return self.inner.records(subject)

        def record_key(self, record):
            return self.inner.record_key(record)

        def erase(self, subject, changes):
            if self.fail:
                raise ConnectionError("support database unreachable")
            return self.inner.erase(subject, changes)

    flaky = Flaky(sources[4])
    mixed = [*sources[:4], flaky, *sources[5:]]
    plan = rights.plan_erasure(anna, mixed, models.policy, service.facts_for(db, "C-1042"), NOW)
    receipt = rights.execute_erasure(plan, mixed)
    assert receipt.failed == (("support_tickets", "ConnectionError"),)
    assert not receipt.complete
    assert "support_tickets" in receipt.render()
    assert _count(db, "support_tickets") == 1 and _count(db, "churn_scores") == 0
    flaky.fail = False
    rerun = rights.execute_erasure(plan, mixed)
    assert rerun.complete and dict(rerun.changed)["support_tickets"] == 1
    assert dict(rerun.changed)["churn_scores"] == 0


def test_a_legal_hold_keeps_everything_it_covers(db, anna):
    hold = retention.LegalHold("debt collection", "Kronofogden 2026-123", datetime(2026, 10, 1, tzinfo=UTC),
                               subject="C-1042")  # fmt: skip
    plan = _plan(db, anna, holds=[hold])
    assert plan.by_action(A.ERASE) == ()
    assert all(i.legal_reference.startswith("Art. 17(3)(e)") for i in plan.retained)
    other = _plan(db, rights.SubjectRef("customer", "C-1043"), holds=[hold])
    assert other.by_action(A.ERASE)


def test_missing_facts_keep_bookkeeping_data_for_review(db, anna):
    plan = rights.plan_erasure(anna, service.sources(db)[:1], models.policy, {}, NOW)
    kept = {i.field: i for i in plan.retained}
    assert kept["name"].until is None and "never erase on doubt" in kept["name"].reason
    assert {i.field for i in plan.by_action(A.ERASE)} >= {"email", "phone"}


@pytest.mark.parametrize(
    ("lang", "phrase", "doubled"),
    [("en", "until reviewed", "until until"), ("sv", "tills vidare", "till tills")],
    ids=["English", "Swedish"],
)
def test_a_field_kept_for_review_reads_without_a_doubled_word(db, anna, lang, phrase, doubled):
    plan = rights.plan_erasure(anna, service.sources(db)[:1], models.policy, {}, NOW)
    text = plan.render(lang)
    assert f"customers.street: {phrase}; bookkeeping;" in text
    assert doubled not in text
    dated = _plan(db, anna).render(lang)
    assert ("until 2033-01-01;" if lang == "en" else "till 2033-01-01;") in dated


def test_shreddable_source_plans_shredding(db, anna):
    source = rights.SQLSource(db, table="support_tickets", subject_column="customer_id",
                              model=models.SupportTicket, key=("ticket_id",), shreddable=True)  # fmt: skip
    plan = rights.plan_erasure(anna, [source], models.policy, {}, NOW)
    assert {i.action for i in plan.items} == {A.SHRED}


def test_no_shredding_while_a_shreddable_source_keeps_data(db, anna):
    # One key encrypts all of the subject's ciphertexts: destroying it would destroy the
    # invoices Bokföringslagen makes us keep (Art. 17(3)(b)), so the plan erases instead.
    def shreddable(model, table, key):
        return rights.SQLSource(db, table=table, subject_column="customer_id", model=model,
                                key=(key,), shreddable=True)  # fmt: skip

    sources = [
        shreddable(models.Invoice, "invoices", "invoice_id"),
        shreddable(models.SupportTicket, "support_tickets", "ticket_id"),
    ]
    plan = rights.plan_erasure(anna, sources, models.policy, service.facts_for(db, anna.id), NOW)
    assert {i.source for i in plan.retained} == {"invoices"}
    assert plan.by_action(A.SHRED) == ()
    erased = plan.for_source("support_tickets")
    assert erased and all(i.action is A.ERASE and "key" in i.reason for i in erased)


def test_plan_needs_erasable_sources(db, anna):
    plain = rights.IterableSource("t", models.SupportTicket, [], subject_field="customer_id")
    with pytest.raises(gk.SourceError, match="cannot erase"):
        rights.plan_erasure(anna, [plain], models.policy, {}, NOW)
    with pytest.raises(gk.NaiveDatetimeError):
        rights.plan_erasure(anna, [], models.policy, {}, datetime(2026, 1, 1))


# -- rectification ----------------------------------------------------------------------


def test_rectify_applies_and_audits_without_values(db, anna, audit):
    customers = service.sources(db)[0]
    n = rights.rectify(
        anna, customers, {"email": "anna.berg@example.org", "area_m2": 150}, at=NOW, audit=audit
    )
    assert n == 1
    row = db.execute("SELECT email, area_m2 FROM customers WHERE customer_id='C-1042'").fetchone()
    assert row == ("anna.berg@example.org", 150)
    entry = next(audit.entries())
    assert entry.action == "rectification.applied"
    assert entry.details == {"source": "customers", "fields": ["area_m2", "email"], "records": 1}
    dump = str(entry.to_dict())
    assert "example.org" not in dump and "Anna" not in dump


def test_rectify_one_record_by_key(db, anna):
    invoices = service.sources(db)[2]
    n = rights.rectify(anna, invoices, {"paid_on": date(2025, 4, 1)}, at=NOW, key=("F-0-2025-3",))
    assert n == 1
    assert (
        db.execute("SELECT paid_on FROM invoices WHERE invoice_id='F-0-2025-3'").fetchone()[0]
        == "2025-04-01"
    )


def test_rectify_finds_a_record_by_a_datetime_key(db, anna):
    # The key goes to the database as the rows were written (ISO text), as erase's does.
    readings = service.sources(db)[3]
    first = next(iter(readings.records(anna)))
    key = readings.record_key(first)
    n = rights.rectify(anna, readings, {"kwh": Decimal("9.99")}, at=NOW, key=key)
    assert n == 1
    assert [r.kwh for r in readings.records(anna) if readings.record_key(r) == key] == [
        Decimal("9.99")
    ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"fax": "x"}, "no field 'fax'"),
        ({"segment": "business"}, "not personal data"),
        ({"area_m2": "large"}, "expects int, got str"),
        ({"area_m2": True}, "expects int, got bool"),
        ({}, "no changes"),
    ],
)
def test_rectify_rejects_bad_changes(db, anna, changes, message):
    with pytest.raises(gk.RectificationError, match=message):
        rights.rectify(anna, service.sources(db)[0], changes, at=NOW)


def test_rectify_refuses_derived_data_and_never_echoes_values(db, anna):
    with pytest.raises(gk.RectificationError, match="derived") as info:
        rights.rectify(anna, service.sources(db)[6], {"score": 0.01}, at=NOW)
    assert "0.01" not in str(info.value)
    with pytest.raises(gk.RectificationError) as info:
        rights.rectify(anna, service.sources(db)[0], {"area_m2": "secret-value"}, at=NOW)
    assert "secret-value" not in str(info.value)


def test_a_source_without_key_finds_records_by_all_their_values(db, anna):
    """Without key= a record is matched on every column (NULLs with IS NULL)."""
    keyless = rights.SQLSource(db, table="meter_readings", subject_column="customer_id",
                               model=models.MeterReading)  # fmt: skip
    plan = rights.plan_erasure(anna, [keyless], models.policy, {}, NOW)
    receipt = rights.execute_erasure(plan)  # the plan remembers its sources
    assert receipt.total_changed == SERVICE_HOURS  # one reading an hour
    assert _count(db, "meter_readings") == 0
    # this source keeps no anonymous set: the readings are erased, not anonymised
    assert plan.not_anonymized[0].reason is rights.NotAnonymous.NO_ANONYMOUS_SET
    assert db.execute("SELECT count(*) FROM meter_readings").fetchone()[0] == 2 * SERVICE_HOURS
    assert (
        db.execute("SELECT count(*) FROM meter_readings WHERE customer_id = 'C-1043'").fetchone()[0]
        == SERVICE_HOURS
    )
    assert rights.execute_erasure(plan).total_changed == 0


def test_rectify_refuses_the_subject_id(db, anna):
    with pytest.raises(gk.RectificationError, match="another subject"):
        rights.rectify(anna, service.sources(db)[0], {"customer_id": "C-9"}, at=NOW)
    assert _count(db, "customers") == 1


def test_legal_hold_repr_hides_the_subject():
    hold = retention.LegalHold("claim", "T 1-26", NOW, subject="C-1042")
    assert "C-1042" not in repr(hold)


# -- capabilities of a source written outside gdprkit ----------------------------------------


class TicketBox:
    """Tickets in memory: no gdprkit base class, only the members the protocols name."""

    name = "ticket_box"
    schemas = (gk.schema_of(models.SupportTicket),)

    def __init__(self, tickets, *, shreddable=False):
        self.tickets = {t.ticket_id: t for t in tickets}
        self.shreddable = shreddable
        self.rectified = []

    def records(self, subject):
        return [t for t in self.tickets.values() if t.customer_id == subject.id]

    def record_key(self, record):
        return (record.ticket_id,)

    def erase(self, subject, changes):
        gone = [c.key[0] for c in changes if c.delete and c.key[0] in self.tickets]
        for ticket_id in gone:
            del self.tickets[ticket_id]
        return len(gone)

    def rectify(self, subject, changes, *, key=None):
        self.rectified.append(dict(changes))
        return 1


def _ticket():
    return models.SupportTicket("T-1", "C-1042", NOW, "Hej! Fel kod E12.")


def test_a_source_meets_the_capability_protocols_by_its_members(anna):
    box = TicketBox([_ticket()], shreddable=True)
    for protocol in (rights.ErasableSource, rights.ShreddableSource, rights.RectifiableSource):
        assert isinstance(box, protocol), protocol.__name__
    assert not isinstance(box, rights.SubjectFieldSource)
    plan = rights.plan_erasure(anna, [box], models.policy, {}, NOW)
    assert {i.action for i in plan.items} == {A.SHRED}
    assert rights.execute_erasure(plan).total_changed == 1
    assert box.tickets == {}
    kept_key = TicketBox([_ticket()], shreddable=False)
    plan = rights.plan_erasure(anna, [kept_key], models.policy, {}, NOW)
    assert {i.action for i in plan.items} == {A.ERASE}


def test_rectify_asks_the_source_and_protects_whose_records_they_are(anna):
    box = TicketBox([_ticket()])
    assert rights.rectify(anna, box, {"message": "Hej! Felkod E21."}, at=NOW) == 1
    assert box.rectified == [{"message": "Hej! Felkod E21."}]
    # box names no subject_field: the schema's subject id field is the one protected
    with pytest.raises(gk.RectificationError, match="another subject"):
        rights.rectify(anna, box, {"customer_id": "C-9"}, at=NOW)
    reader = rights.IterableSource(
        "t", models.SupportTicket, [_ticket()], subject_field="customer_id"
    )
    assert isinstance(reader, rights.SubjectFieldSource)
    assert not isinstance(reader, rights.RectifiableSource)
    with pytest.raises(gk.SourceError, match="cannot rectify"):
        rights.rectify(anna, reader, {"message": "x"}, at=NOW)


def test_a_shred_held_back_by_a_reader_is_reported_and_a_rerun_finishes(db, anna, tmp_path):
    import sqlite3

    from gdprkit.pseudonym import SubjectKeys

    source = rights.SQLSource(db, table="support_tickets", subject_column="customer_id",
                              model=models.SupportTicket, key=("ticket_id",), shreddable=True)  # fmt: skip
    plan = rights.plan_erasure(anna, [source], models.policy, {}, NOW)
    path = tmp_path / "keys.db"
    with SQLiteStore(path, timeout=0.05) as store:
        keys = SubjectKeys(store, Keyring.generate(at=NOW))
        keys.encrypt(anna.id, "note", "Ring mig efter 17", at=NOW)
        reader = sqlite3.connect(path, isolation_level=None)
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM subject_keys").fetchall()
        receipt = rights.execute_erasure(plan, [source], subject_keys=keys)
        assert receipt.shredded and not receipt.complete
        assert ("subject_keys", "ShredIncomplete") in receipt.failed
        reader.execute("COMMIT")
        reader.close()
        rerun = rights.execute_erasure(plan, [source], subject_keys=keys)
        assert rerun.complete and rerun.failed == ()
        assert keys.is_shredded(anna.id)
