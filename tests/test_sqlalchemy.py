"""gdprkit.sqlalchemy: tagged mapped classes and the data source over them, on SQLite and on
PostgreSQL (a throw-away server, tests/pg.py): relationships, export, erasure, crypto-shredding,
rectification, and what bad input raises.

Without SQLAlchemy these tests skip with the reason; without a PostgreSQL server the
PostgreSQL half skips too (and fails under CI, as the store tests do).
"""

from __future__ import annotations

import itertools
import json
import zipfile
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import hypothesis
import pytest

pytest.importorskip("sqlalchemy", reason="gdprkit[sqlalchemy] is not installed (sqlalchemy)")

import sqlalchemy as sa  # after the skip: the module needs the extra
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    mapped_column,
    relationship,
    sessionmaker,
)

import gdprkit as gk
from gdprkit import rights
from gdprkit import store as gstore
from gdprkit._tagging.models import batch_reading
from gdprkit.pseudonym import Keyring, SubjectKeys
from gdprkit.sqlalchemy import MappedSource, UTCDateTime, pd_column, subject_sources
from tests.sa_service import (
    Customer,
    Invoice,
    Meter,
    MeterReading,
    Ticket,
    engine,
    policy,
    seed,
)

__all__ = ["engine"]  # the fixture, imported for the tests below

STHLM = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=STHLM)
ANNA = rights.SubjectRef("customer", "C-1042")
ERIK = rights.SubjectRef("customer", "C-1043")
FACTS = {"contract_ended": date(2025, 6, 30)}  # Anna's contract; read from her row below


@pytest.fixture
def seeded(engine: sa.Engine) -> sa.Engine:
    seed(engine)
    return engine


def _sources(bind: Any, **options: Any) -> dict[str, MappedSource]:
    return {
        s.name: s for s in subject_sources(bind, Customer, subject_column="customer_id", **options)
    }


def _rows(engine: sa.Engine, model: type, *columns: Any) -> list[tuple[Any, ...]]:
    with Session(engine) as session:
        return [tuple(r) for r in session.execute(sa.select(*columns).order_by(*columns))]


# -- tagging ---------------------------------------------------------------------------------


def test_mapped_classes_carry_their_tags() -> None:
    schema = gk.schema_of(Customer)
    fields = ("customer_id", "name", "email", "postcode", "heat_pump", "contract_ended")
    # relationships are no fields; segment is declared not personal
    assert schema.all_fields == (*fields, "segment")
    assert schema.personal_fields == fields
    assert schema.tag("email").purposes == ("contract", "crm", "marketing")
    assert schema.subject_id_field == "customer_id"
    assert gk.schema_of(MeterReading).tag("read_at").origin is gk.Origin.OBSERVED
    assert gk.check_classified(Customer, Invoice, Meter, MeterReading).ok


def test_mapped_annotated_tags() -> None:
    class Base(DeclarativeBase):
        pass

    @gk.personal_data(subject="customer", policy=policy)
    class Contact(Base):
        __tablename__ = "contacts"
        id: Mapped[Annotated[int, gk.NotPersonal()]] = mapped_column(primary_key=True)
        email: Mapped[
            Annotated[str | None, gk.Personal(category="contact.email", purposes=("crm",))]
        ] = mapped_column(sa.String)

    assert gk.schema_of(Contact).personal_fields == ("email",)
    assert gk.check_classified(Contact).models[0].not_personal == ("id",)


def test_project_a_mapped_instance_for_a_purpose() -> None:
    anna = Customer(customer_id="C-1042", name="Anna", email="anna@example.se", heat_pump="none")
    assert gk.project(anna, "marketing") == {"name": "Anna", "email": "anna@example.se"}
    with pytest.raises(gk.PurposeNotAllowed):
        gk.project(anna, "security")
    with pytest.raises(gk.UnknownPurpose):
        gk.project(anna, "astrology")


def test_mapped_classes_are_checked_against_the_policy() -> None:
    class Base(DeclarativeBase):
        pass

    with pytest.raises(gk.PolicyError) as caught:

        @gk.personal_data(subject="customer", policy=policy)
        class Careless(Base):
            __tablename__ = "careless"
            customer_id: Mapped[str] = pd_column(
                sa.String, primary_key=True, category="identity.customer_id",
                purposes=("analytics",), identifies=True,
            )  # fmt: skip
            note: Mapped[str] = pd_column(sa.String, category="contact.email", purposes=("nope",))

    found = {(p.location.split(".", 2)[-1], p.message.split(";")[0]) for p in caught.value.problems}
    assert ("Careless.note", "unknown purpose 'nope'") in found
    assert any(loc == "Careless.customer_id" and "anonymized" in msg for loc, msg in found)


def test_tag_and_not_personal_on_one_column_is_refused() -> None:
    class Base(DeclarativeBase):
        pass

    with pytest.raises(gk.PolicyError, match="both tagged and declared NotPersonal"):

        @gk.personal_data(subject="customer", policy=policy)
        class Both(Base):
            __tablename__ = "both"
            customer_id: Mapped[Annotated[str, gk.NotPersonal()]] = pd_column(
                sa.String, primary_key=True, category="identity.customer_id",
                purposes=("contract",), identifies=True,
            )  # fmt: skip


def test_import_gdprkit_sqlalchemy_needs_version_2() -> None:
    import gdprkit.sqlalchemy as gks

    assert int(sa.__version__.split(".")[0]) >= 2
    assert set(gks.__all__) >= {"MappedSource", "subject_sources", "expired", "UTCDateTime"}


# -- the source: relationships and reading ---------------------------------------------------


def test_sources_follow_one_to_many_relationships_children_first(seeded: sa.Engine) -> None:
    sources = subject_sources(seeded, Customer, subject_column="customer_id")
    assert [s.name for s in sources] == ["meter_readings", "invoices", "meters", "customers"]
    assert repr(sources[0]) == (
        "<MappedSource 'meter_readings': Customer.meters.readings as MeterReading>"
    )
    assert all(isinstance(s, rights.ErasableSource) for s in sources)  # and so a DataSource
    assert gk.sqlalchemy.MappedSource is MappedSource  # gk.sqlalchemy loads on first use
    by_name = {s.name: s for s in sources}
    assert {r.customer_id for r in by_name["invoices"].records(ANNA)} == {"C-1042"}  # type: ignore[attr-defined]
    readings = list(by_name["meter_readings"].records(ANNA))
    assert [r.meter_id for r in readings] == ["M-7700"] * 6  # type: ignore[attr-defined]
    assert readings[0].read_at.tzinfo is not None  # type: ignore[attr-defined]
    assert [s.name for s in subject_sources(seeded, Customer, subject_column=Customer.customer_id,
                                            follow=("meters.readings",))] == [
        "meter_readings", "meters", "customers",
    ]  # fmt: skip


def test_records_equal_what_the_orm_loads(seeded: sa.Engine) -> None:
    # The source builds instances from rows itself (a fast path); the ORM is its plain twin.
    sources = _sources(seeded)
    with Session(seeded) as session:
        for model, name in ((MeterReading, "meter_readings"), (Invoice, "invoices")):
            schema = gk.schema_of(model)
            orm = session.scalars(
                sa.select(model)
                .join(Meter if model is MeterReading else Customer)
                .where(
                    (Meter.customer_id if model is MeterReading else Customer.customer_id)
                    == "C-1042"
                )
            ).all()
            ours = list(sources[name].records(ANNA))
            assert all(isinstance(r, model) for r in ours)
            values = sorted(tuple(getattr(r, f) for f in schema.all_fields) for r in ours)
            assert values == sorted(tuple(getattr(r, f) for f in schema.all_fields) for r in orm)


def test_the_id_matches_exactly(seeded: sa.Engine) -> None:
    sources = _sources(seeded, alias_columns={"email": "email"})
    for name in ("customers", "meter_readings"):
        assert list(sources[name].records(rights.SubjectRef("customer", "C-1042' OR '1'='1"))) == []
        assert list(sources[name].records(rights.SubjectRef("customer", "c-1042"))) == []
    by_alias = rights.SubjectRef("customer", "unknown", aliases={"email": "anna@example.se"})
    assert [r.customer_id for r in sources["customers"].records(by_alias)] == ["C-1042"]  # type: ignore[attr-defined]
    assert len(list(sources["meter_readings"].records(by_alias))) == 6


def test_a_case_insensitive_column_matches_only_the_exact_id(tmp_path) -> None:
    class Base(DeclarativeBase):
        pass

    @gk.personal_data(subject="customer", policy=policy)
    class Person(Base):
        __tablename__ = "people"
        customer_id: Mapped[str] = pd_column(
            sa.String(collation="NOCASE"), primary_key=True, category="identity.customer_id",
            purposes=("crm",), identifies=True,
        )  # fmt: skip
        email: Mapped[str | None] = pd_column(
            sa.String, category="contact.email", purposes=("crm",)
        )

    engine = sa.create_engine(f"sqlite:///{tmp_path / 'nocase.db'}")
    Base.metadata.create_all(engine)
    with Session(engine) as session, session.begin():
        session.add(Person(customer_id="C-1042", email="anna@example.se"))
    source = MappedSource(engine, Person, subject_column="customer_id")
    other = rights.SubjectRef("customer", "c-1042")  # equal under NOCASE, another id
    assert list(source.records(other)) == []
    assert rights.rectify(other, source, {"email": "x@example.se"}, at=NOW) == 0
    assert [p.email for p in source.records(rights.SubjectRef("customer", "C-1042"))] == [  # type: ignore[attr-defined]
        "anna@example.se"
    ]
    engine.dispose()


def test_records_stream_in_batches(seeded: sa.Engine) -> None:
    source = _sources(seeded, batch_size=2)["meter_readings"]
    stream = source.records(ANNA)
    assert [r.kwh for r in itertools.islice(stream, 3)] == [  # type: ignore[attr-defined]
        Decimal("0.350"), Decimal("0.360"), Decimal("0.370"),
    ]  # fmt: skip
    stream.close()  # type: ignore[attr-defined]  # closes its session


# -- export (Art. 15, 20) --------------------------------------------------------------------


def test_export_subject_through_mapped_sources(seeded: sa.Engine, tmp_path) -> None:
    sources = subject_sources(seeded, Customer, subject_column="customer_id")
    out = tmp_path / "anna.zip"
    result = rights.export_subject(ANNA, sources, policy, scope="access", at=NOW, out=out)
    assert result.rows == 1 + 2 + 1 + 6
    manifest = rights.verify_package(out)
    assert {k["source"] for k in manifest["record_kinds"]} == {
        "customers", "invoices", "meters", "meter_readings",
    }  # fmt: skip
    with zipfile.ZipFile(out) as zf:
        customers = zf.read("data/customers.jsonl").decode()
        assert '"segment": "residential"' in customers and "C-1043" not in customers
        assert '"amount_sek": "1250.00"' in zf.read("data/invoices.jsonl").decode()
    portable = rights.export_subject(
        ANNA, sources, policy, scope="portability", at=NOW, out=tmp_path / "p.zip"
    )
    assert portable.rows == result.rows


def test_an_export_of_many_mapped_rows_holds_each_one_once(engine: sa.Engine, tmp_path) -> None:
    # 250 readings: mapped instances are exported in smaller batches than attrs records
    # (tests/test_export_batches.py); the lines must be the rows, in order, each once.
    seed(engine, hours=250)
    source = _sources(engine)["meter_readings"]
    heard: list[tuple[str, int]] = []
    out = tmp_path / "anna.zip"
    result = rights.export_subject(
        ANNA,
        [source],
        policy,
        at=NOW,
        out=out,
        progress=lambda name, rows: heard.append((name, rows)),
    )
    assert result.rows == 250 and heard == [("meter_readings", 250)]
    with zipfile.ZipFile(out) as zf:
        lines = zf.read("data/meter_readings.jsonl").decode().splitlines()
        cells = zf.read("data/meter_readings.csv").decode().splitlines()
    assert len(lines) == len(cells) - 1 == 250
    expected = [r.read_at.isoformat() for r in source.records(ANNA)]  # type: ignore[attr-defined]
    assert [json.loads(line)["read_at"] for line in lines] == expected


# -- erasure (Art. 17) and crypto-shredding --------------------------------------------------


def test_erasure_keeps_the_bookkeeping_and_erases_readings(seeded: sa.Engine) -> None:
    sources = subject_sources(seeded, Customer, subject_column="customer_id")
    plan = rights.plan_erasure(ANNA, sources, policy, FACTS, NOW)
    kept = {(i.source, i.field) for i in plan.retained}
    assert ("invoices", "amount_sek") in kept and ("customers", "name") in kept
    receipt = rights.execute_erasure(plan)
    assert receipt.complete, receipt.failed
    assert dict(receipt.changed) == {
        "meter_readings": 6, "invoices": 0, "meters": 1, "customers": 1,
    }  # fmt: skip
    assert _rows(seeded, Customer, Customer.customer_id, Customer.email) == [
        ("C-1042", None), ("C-1043", "erik@example.se"), ("C-1044", "maja@example.se"),
    ]  # fmt: skip
    assert _rows(seeded, Meter, Meter.meter_id) == [("M-7701",), ("M-7702",)]
    readings = _rows(seeded, MeterReading, MeterReading.meter_id)
    # a mapped source keeps no anonymous set: erased, not merely stripped of the meter
    assert readings.count((None,)) == 0 and readings.count(("M-7701",)) == 6
    assert {o.reason for o in plan.not_anonymized} == {rights.NotAnonymous.NO_ANONYMOUS_SET}
    assert len(_rows(seeded, Invoice, Invoice.invoice_id)) == 6
    again = rights.execute_erasure(plan)
    assert again.complete and again.total_changed == 0


def test_a_write_is_one_transaction(seeded: sa.Engine) -> None:
    source = _sources(seeded)["customers"]
    changes = [
        rights.RecordErasure(("C-1042",), ("email",)),
        rights.RecordErasure(("C-1042",), ("segment",)),  # NOT NULL: refused
    ]
    with pytest.raises(gk.SourceError, match="segment is NOT NULL"):
        source.erase(ANNA, changes)
    assert _rows(seeded, Customer, Customer.email)[0] == ("anna@example.se",)  # rolled back


def test_erase_touches_only_the_subjects_rows(seeded: sa.Engine) -> None:
    invoices = _sources(seeded)["invoices"]
    # Erik's invoice key in a change for Anna: not hers, so nothing happens
    erik_key = ("F-2024-C-1043",)
    assert invoices.erase(ANNA, [rights.RecordErasure(erik_key, delete=True)]) == 0
    assert invoices.erase(ANNA, [rights.RecordErasure(("F-2024-C-1042",), ("paid_on",))]) == 1
    with pytest.raises(gk.SourceError, match="1 parts"):
        invoices.erase(ANNA, [rights.RecordErasure(("a", "b"), delete=True)])
    with pytest.raises(gk.SourceError, match="no field 'colour'"):
        invoices.erase(ANNA, [rights.RecordErasure(("F-2024-C-1042",), ("colour",))])


def test_crypto_shredding_through_mapped_sources(engine: sa.Engine, tmp_path) -> None:
    with gstore.open(f"sqlite:///{tmp_path / 'keys.db'}") as store:
        keys = SubjectKeys(store, Keyring.generate())

        def encrypt(subject: str, field: str, text: str) -> bytes:
            return keys.encrypt(subject, field, text, at=NOW)

        seed(engine, encrypt=encrypt)
        tickets = MappedSource(engine, Ticket, subject_column="customer_id", shreddable=True)
        plan = rights.plan_erasure(ANNA, [tickets], policy, FACTS, NOW)
        assert {i.action for i in plan.items} == {rights.ErasureAction.SHRED}

        def message(customer_id: str) -> bytes:
            with Session(engine) as session:
                found = session.scalar(
                    sa.select(Ticket.message).where(Ticket.customer_id == customer_id)
                )
            assert found is not None
            return found

        ciphertext = message("C-1042")
        receipt = rights.execute_erasure(plan, subject_keys=keys, at=NOW)
        assert receipt.shredded and receipt.complete
        with pytest.raises(gk.SubjectShredded):
            keys.decrypt("C-1042", "message", ciphertext)
        assert [t for (t,) in _rows(engine, Ticket, Ticket.customer_id)] == ["C-1043", "C-1044"]
        assert keys.decrypt("C-1043", "message", message("C-1043")) == b"Question from C-1043"


# -- rectification (Art. 16) -----------------------------------------------------------------


def test_rectify_through_a_mapped_source(seeded: sa.Engine) -> None:
    sources = _sources(seeded)
    customers, invoices = sources["customers"], sources["invoices"]
    assert rights.rectify(ANNA, customers, {"email": "anna.berg@example.se"}, at=NOW) == 1
    assert _rows(seeded, Customer, Customer.email) == [
        ("anna.berg@example.se",), ("erik@example.se",), ("maja@example.se",),
    ]  # fmt: skip
    paid = date(2025, 1, 21)
    assert rights.rectify(ANNA, invoices, {"paid_on": paid}, key=("F-2024-C-1042",), at=NOW) == 1
    assert rights.rectify(ANNA, invoices, {"paid_on": paid}, key=("F-2024-C-1043",), at=NOW) == 0
    with pytest.raises(gk.RectificationError, match="customer_id"):
        rights.rectify(ANNA, invoices, {"customer_id": "C-1043"}, at=NOW)
    with pytest.raises(gk.RectificationError, match=r"email expects str, got int"):
        rights.rectify(ANNA, customers, {"email": 42}, at=NOW)
    with pytest.raises(gk.RectificationError, match="expects date"):
        rights.rectify(ANNA, invoices, {"paid_on": NOW}, at=NOW)
    with pytest.raises(gk.RectificationError, match="derived"):
        rights.rectify(ANNA, invoices, {"amount_sek": Decimal(1)}, at=NOW)
    with pytest.raises(gk.SourceError, match="has 1 parts"):
        customers.rectify(ANNA, {"email": "a@b.se"}, key=("C-1042", "x"))


def test_rectify_refuses_naive_and_missing_values(seeded: sa.Engine) -> None:
    readings = _sources(seeded)["meter_readings"]
    with pytest.raises(gk.RectificationError, match="naive"):
        readings.rectify(ANNA, {"read_at": datetime(2026, 11, 1, 3)})
    with pytest.raises(gk.RectificationError, match="NOT NULL"):
        readings.rectify(ANNA, {"kwh": None})
    moved = datetime(2026, 11, 1, 3, tzinfo=STHLM)
    key = (readings.record_key(next(iter(readings.records(ANNA))))[0],)
    assert readings.rectify(ANNA, {"read_at": moved}, key=key) == 1
    (first,) = [r for r in readings.records(ANNA) if readings.record_key(r) == key]
    assert first.read_at == moved and first.read_at.tzinfo is not None  # type: ignore[attr-defined]


# -- bad input -------------------------------------------------------------------------------


def test_bad_sources_raise_source_errors(seeded: sa.Engine) -> None:
    with (
        Session(seeded) as session,
        pytest.raises(gk.SourceError, match="Engine or a sessionmaker"),
    ):
        MappedSource(session, Customer, subject_column="customer_id")  # type: ignore[arg-type]
    cases: list[tuple[dict[str, Any], str]] = [
        ({"subject_column": "nope"}, "columns of Customer"),
        ({"subject_column": Invoice.customer_id}, "columns of Customer"),
        ({"subject_column": "customer_id", "order_by": ("nope",)}, "order_by"),
        ({"subject_column": "customer_id", "batch_size": 0}, "batch_size"),
        ({"subject_column": "customer_id", "name": "a b"}, "plain identifier"),
    ]
    for options, message in cases:
        with pytest.raises(gk.SourceError, match=message):
            MappedSource(seeded, Customer, **options)
    with pytest.raises(gk.SourceError, match="Invoice.customer is many-to-one"):
        MappedSource(seeded, Customer, subject_column="customer_id", via=(Invoice.customer,))
    with pytest.raises(gk.SourceError, match="does not lead to"):
        MappedSource(seeded, MeterReading, subject_column="customer_id", via=(Customer.meters,))
    with pytest.raises(gk.SourceError, match="not a relationship"):
        MappedSource(seeded, Invoice, subject_column="customer_id", via=(Customer.email,))
    with pytest.raises(gk.SourceError, match="no relationship 'bills'"):
        subject_sources(seeded, Customer, subject_column="customer_id", follow=("bills",))
    with pytest.raises(gk.SourceError, match="list of dotted"):
        subject_sources(seeded, Customer, subject_column="customer_id", follow="invoices")
    with pytest.raises(gk.NotTagged):
        MappedSource(seeded, sa.orm.DeclarativeBase, subject_column="x")


def test_an_undeclared_relationship_target_is_an_error(tmp_path) -> None:
    class Base(DeclarativeBase):
        pass

    @gk.personal_data(subject="customer", policy=policy)
    class Account(Base):
        __tablename__ = "accounts"
        customer_id: Mapped[str] = pd_column(
            sa.String, primary_key=True, category="identity.customer_id", purposes=("crm",),
            identifies=True,
        )  # fmt: skip
        notes: Mapped[list[Note]] = relationship()

    class Note(Base):
        __tablename__ = "notes"
        id: Mapped[int] = mapped_column(primary_key=True)
        customer_id: Mapped[str] = mapped_column(sa.ForeignKey("accounts.customer_id"))
        text: Mapped[str]

    engine = sa.create_engine(f"sqlite:///{tmp_path / 'n.db'}")
    # its rows would be missing from every access request and erasure: say so
    with pytest.raises(
        gk.SourceError, match=r"Account\.notes leads to \S*Note, which is not declared"
    ):
        subject_sources(engine, Account, subject_column="customer_id")
    assert [s.name for s in subject_sources(engine, Account, subject_column="customer_id",
                                            follow=())] == ["accounts"]  # fmt: skip
    engine.dispose()


def test_naive_timestamp_columns_are_refused(tmp_path) -> None:
    class Base(DeclarativeBase):
        pass

    @gk.personal_data(subject="customer", policy=policy)
    class Login(Base):
        __tablename__ = "logins"
        customer_id: Mapped[str] = pd_column(
            sa.String, primary_key=True, category="identity.customer_id", purposes=("security",),
            identifies=True,
        )  # fmt: skip
        at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))

    engine = sa.create_engine(f"sqlite:///{tmp_path / 'l.db'}")
    with pytest.raises(gk.SourceError, match=r"Login\.at is a DateTime that keeps no time zone"):
        MappedSource(engine, Login, subject_column="customer_id")
    engine.dispose()


def test_composite_keys_along_a_relationship(engine: sa.Engine) -> None:
    class Base(DeclarativeBase):
        pass

    @gk.personal_data(subject="customer", policy=policy)
    class Account(Base):
        __tablename__ = "accounts"
        customer_id: Mapped[str] = pd_column(
            sa.String(20), primary_key=True, category="identity.customer_id", purposes=("crm",),
            identifies=True,
        )  # fmt: skip
        usage: Mapped[list[Usage]] = relationship()

    @gk.personal_data(subject="customer", policy=policy)
    class Usage(Base):
        __tablename__ = "daily_usage"
        customer_id: Mapped[str] = pd_column(
            sa.ForeignKey("accounts.customer_id"), primary_key=True,
            category="identity.customer_id", purposes=("crm",), identifies=True,
        )  # fmt: skip
        day: Mapped[date] = pd_column(
            sa.Date, primary_key=True, category="energy", purposes=("crm",)
        )
        kwh: Mapped[Decimal | None] = pd_column(
            sa.Numeric(9, 3), category="energy.consumption", purposes=("crm",)
        )

    Base.metadata.create_all(engine)
    days = [date(2026, 11, d) for d in (1, 2)]
    with Session(engine) as session, session.begin():
        session.add_all([Account(customer_id="C-1042"), Account(customer_id="C-1043")])
        session.add_all(
            Usage(customer_id=c, day=d, kwh=Decimal(3)) for c in ("C-1042", "C-1043") for d in days
        )
    (usage, _) = subject_sources(engine, Account, subject_column="customer_id")
    assert sorted(usage.record_key(r) for r in usage.records(ANNA)) == [
        ("C-1042", days[0]), ("C-1042", days[1]),
    ]  # fmt: skip
    erase = [rights.RecordErasure(("C-1043", days[0]), delete=True)]
    assert usage.erase(ANNA, erase) == 0  # Erik's row, in a change for Anna
    assert usage.erase(ANNA, [rights.RecordErasure(("C-1042", days[0]), ("kwh",))]) == 1
    assert usage.rectify(ANNA, {"kwh": Decimal(4)}, key=("C-1042", days[1])) == 1
    assert usage.erase(ANNA, [rights.RecordErasure(("C-1042", days[1]), delete=True)]) == 1
    assert [(r.day, r.kwh) for r in usage.records(ANNA)] == [(days[0], None)]  # type: ignore[attr-defined]
    assert len(list(usage.records(ERIK))) == 2


def test_a_sessionmaker_works_as_the_bind(seeded: sa.Engine) -> None:
    factory = sessionmaker(seeded)
    source = MappedSource(factory, Invoice, subject_column="customer_id", via=(Customer.invoices,))
    assert sorted(source.record_key(r) for r in source.records(ANNA)) == [
        ("F-2024-C-1042",), ("F-2025-C-1042",),
    ]  # fmt: skip
    assert source.subject_field == "customer_id" and source.key == ("invoice_id",)


def test_utc_datetime_stores_instants(seeded: sa.Engine) -> None:
    with Session(seeded) as session, session.begin():
        session.add(MeterReading(meter_id="M-7701", read_at=datetime(2026, 11, 1, 1, tzinfo=STHLM),
                                 kwh=Decimal(1)))  # fmt: skip
    with Session(seeded) as session:
        moments = session.scalars(sa.select(MeterReading.read_at).order_by(MeterReading.id)).all()
    assert moments[-1] == datetime(2026, 11, 1, 1, tzinfo=STHLM)  # the same instant, in UTC
    assert all(m.utcoffset() == timedelta(0) for m in moments)
    naive = MeterReading(meter_id="M-7701", read_at=datetime(2026, 1, 1), kwh=Decimal(1))
    with Session(seeded) as session:
        session.add(naive)
        with pytest.raises(sa.exc.StatementError) as caught:
            session.flush()
    assert isinstance(caught.value.orig, gk.NaiveDatetimeError)
    assert UTCDateTime().python_type is datetime


# -- reading timestamps and columns quickly, with the same values -------------------------------


def _long_way(text: Any) -> datetime | None:
    """What UTCDateTime read on SQLite before it parsed the text itself: SQLite DATETIME's
    own reading, then process_result_value."""
    dialect = sa.create_engine("sqlite://").dialect
    read = UTCDateTime().impl_instance.dialect_impl(dialect).result_processor(dialect, None)
    assert read is not None
    return UTCDateTime().process_result_value(read(text), dialect)


def _quick_way(text: Any) -> datetime | None:
    dialect = sa.create_engine("sqlite://").dialect
    read = UTCDateTime().dialect_impl(dialect).result_processor(dialect, None)
    assert read is not None
    return read(text)


def _same_reading(text: Any) -> None:
    try:
        expected: object = _long_way(text)
    except (TypeError, ValueError) as exc:
        expected = type(exc)
    try:
        got: object = _quick_way(text)
    except (TypeError, ValueError) as exc:
        got = type(exc)
    assert got == expected
    if isinstance(got, datetime):
        assert got.tzinfo is UTC


MOMENTS = {
    "naive-as-utc": datetime(2026, 11, 1, 5, 0),
    "aware-stockholm": datetime(2026, 11, 1, 1, 30, tzinfo=STHLM),
    "microseconds": datetime(2026, 3, 29, 1, 59, 59, 999999, tzinfo=STHLM),
    "year-1": datetime(1, 1, 1, 0, 0, tzinfo=UTC),
    "year-9999": datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    "leap-day": datetime(2028, 2, 29, 12, 0, 0, 1, tzinfo=UTC),
}


@pytest.mark.parametrize("moment", MOMENTS.values(), ids=MOMENTS.keys())
def test_utc_datetime_reads_sqlite_text_as_before(tmp_path, moment: datetime) -> None:
    # Rows written by UTCDateTime and by plain DateTime columns (the format SQLAlchemy's
    # SQLite DATETIME writes, unchanged), read back the quick way and the long way.
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'moments.db'}")
    meta = sa.MetaData()
    table = sa.Table(
        "moments", meta, sa.Column("ours", UTCDateTime), sa.Column("plain", sa.DateTime)
    )
    meta.create_all(engine)
    ours = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(table.insert(), [{"ours": ours, "plain": moment}])
        texts = conn.execute(sa.text("SELECT ours, plain FROM moments")).one()
        read = conn.execute(
            sa.select(table.c.ours, sa.type_coerce(table.c.plain, UTCDateTime))
        ).one()
    engine.dispose()
    # stored as before: naive UTC text, as SQLAlchemy's SQLite DATETIME writes it
    utc = ours.astimezone(UTC).replace(tzinfo=None)
    assert texts == (
        utc.isoformat(" ", "microseconds"),
        moment.replace(tzinfo=None).isoformat(" ", "microseconds"),
    )
    assert read[0] == ours and read[0].utcoffset() == timedelta(0)
    # a plain DateTime keeps the wall time; UTCDateTime reads it as UTC, as it always did
    assert read[1] == _long_way(texts[1]) == moment.replace(tzinfo=UTC)
    for text in texts:
        _same_reading(text)


TEXTS = {
    "sqlalchemy": "2026-11-01 05:00:00.000000",
    "no-fraction": "2026-11-01 05:00:00",
    "iso-t": "2026-11-01T05:00:00",
    "bare-date": "2026-11-01",
    "basic-date": "20261101",
    "hour-only": "2026-11-01T05",
    "offset": "2026-11-01 05:00:00+01:00",
    "offset-fraction": "2026-11-01 05:00:00.5+0100",
    "zulu": "2026-11-01 05:00:00Z",
    "minus-zero": "2026-11-01 05:00:00-00:00",
    "iso-week": "2026-W44-7",
    "hour-24": "2026-11-01 24:00:00",
    "trailing-plus": "2026-11-01 05:00:00+",
    "empty": "",
    "words": "tomorrow",
    "none": None,
    "int": 20261101,
}


@pytest.mark.parametrize("text", TEXTS.values(), ids=TEXTS.keys())
def test_utc_datetime_reads_odd_texts_as_before(text: Any) -> None:
    # Texts SQLAlchemy does not write (another program may have): the same instant, or the
    # same error, as the long way.
    _same_reading(text)


@hypothesis.given(hypothesis.strategies.text(alphabet="0123456789-:T .+Z,W", max_size=34))
def test_utc_datetime_reads_any_text_as_before(text: str) -> None:
    _same_reading(text)


def test_the_export_reads_loaded_values_and_loads_the_others(seeded: sa.Engine) -> None:
    reading = batch_reading(MeterReading)
    assert reading is not None and 10_000 % reading.batch_rows == 0
    reader = reading.columns(MeterReading, ("kwh", "read_at"))
    records = list(_sources(seeded)["meter_readings"].records(ANNA))
    assert reader(records) == [[r.kwh for r in records], [r.read_at for r in records]]  # type: ignore[attr-defined]
    assert sa.inspect(records[0]).mapper is MeterReading.__mapper__  # still ORM instances
    with Session(seeded) as session:
        attached = session.scalars(sa.select(MeterReading).order_by(MeterReading.id)).all()
        session.expire(attached[0], ["kwh"])  # not loaded: the descriptor loads it
        assert "kwh" not in vars(attached[0])
        kwh, _ = reader(attached)
        assert kwh == [r.kwh for r in attached] and kwh[0] is not None
