"""ANONYMIZE produces anonymous data (issue 17 point 1; Recital 26; WP29 Opinion 05/2014).

Worked cases on Elveta's service database (a real SQLite file). Anna (C-1042)
asks for erasure on 25 November 2026. Her 48 hourly meter readings of
1-2 November 2026 serve the analytics purpose, which keeps only anonymous
data and declares how (``[purposes.analytics.anonymization.MeterReading]``):
one row per customer and month, the month and the month's use in 100 kWh
bands, k = 5. Her readings become the row ("2026-11", her band) only where
that row's class in ``meter_readings_anonymous`` then holds five rows;
otherwise they are erased, and the receipt says why. The expected labels
are computed here from the readings (a sum and an integer division), not by
the form.
"""

from __future__ import annotations

import copy
import sqlite3
import tomllib
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import gdprkit as gk
from gdprkit import anonymize, rights
from gdprkit._demo import models, service

STHLM = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=STHLM)
A = rights.ErasureAction


def _band(total: Decimal) -> str:
    """The 100 kWh band of a total, as the policy declares it: 100 -> "100–199"."""
    low = int(total // 100) * 100
    return f"{low}–{low + 99}"


def _november_band(db: sqlite3.Connection, cid: str) -> str:
    rows = db.execute("SELECT kwh FROM meter_readings WHERE customer_id = ?", (cid,)).fetchall()
    return _band(sum((Decimal(k) for (k,) in rows), Decimal(0)))


def _other(band: str) -> str:
    return "1000–1099" if band != "1000–1099" else "900–999"


def _seed_anonymous(db: sqlite3.Connection, rows: list[tuple[str, str]]) -> None:
    """Rows earlier erasures left in the anonymous set."""
    db.executemany("INSERT INTO meter_readings_anonymous (month, kwh_band) VALUES (?, ?)", rows)
    db.commit()


def _anonymous(db: sqlite3.Connection) -> list[tuple[str, str]]:
    return db.execute("SELECT month, kwh_band FROM meter_readings_anonymous").fetchall()


def _erase(db: sqlite3.Connection, subject: rights.SubjectRef, **kw: Any) -> Any:
    facts = service.facts_for(db, subject.id)
    plan = rights.plan_erasure(subject, service.sources(db), kw.pop("policy", models.policy),
                               facts, kw.pop("now", NOW), **kw)  # fmt: skip
    return plan, rights.execute_erasure(plan)


@pytest.mark.parametrize(
    ("alike", "others", "written", "k"),
    [
        pytest.param(4, 5, 1, 5, id="her row joins four alike: k = 5, written"),
        pytest.param(9, 5, 1, 10, id="her row joins nine alike: k = 10, written"),
        pytest.param(3, 5, 0, 4, id="her row would join three alike: k = 4 < 5, erased instead"),
        pytest.param(0, 9, 0, 1, id="an empty class: her row alone would single her out"),
    ],
)
def test_meter_readings_become_anonymous_only_where_k_is_reached(db, anna, alike, others,
                                                                  written, k):  # fmt: skip
    band = _november_band(db, anna.id)
    _seed_anonymous(db, [("2026-11", band)] * alike + [("2026-11", _other(band))] * others)
    plan, receipt = _erase(db, anna)
    (part,) = plan.anonymous
    assert part.rows == ({"month": "2026-11", "kwh_band": band},)
    assert part.preview.smallest == alike + 1
    (outcome,) = receipt.anonymized
    assert (outcome.written, outcome.k, outcome.target_k) == (written, k, 5)
    assert outcome.reason is (None if written else rights.NotAnonymous.BELOW_K)
    # her readings are gone either way: no row is merely stripped of its identifiers
    assert db.execute("SELECT count(*) FROM meter_readings WHERE customer_id = 'C-1042'"
                      " OR customer_id IS NULL").fetchone() == (0,)  # fmt: skip
    table = _anonymous(db)
    assert table.count(("2026-11", band)) == alike + written
    if written:
        # the anonymised readings reach the declared k over the whole anonymous set
        assert (
            anonymize.k_anonymity(
                [dict(zip(("month", "kwh_band"), r, strict=True)) for r in table],
                ("month", "kwh_band"),
            )
            >= 5
        )
        assert "Kept only as anonymous data (Recital 26):" in receipt.render("en")
    else:
        assert "too few similar records to hide you among (k = " in receipt.render("en")
        assert "för få liknande uppgifter" in receipt.render("sv")


def test_the_anonymous_set_holds_no_exact_hourly_value(db, anna):
    band = _november_band(db, anna.id)
    hourly = db.execute(
        "SELECT read_at, kwh FROM meter_readings WHERE customer_id = 'C-1042'"
    ).fetchall()
    _seed_anonymous(db, [("2026-11", band)] * 4)
    _erase(db, anna)
    cells = {cell for row in _anonymous(db) for cell in row}
    assert cells == {"2026-11", band}
    for read_at, kwh in hourly:
        assert read_at not in cells and kwh not in cells  # no timestamp, no hourly reading
        assert read_at[:13] not in cells  # nor an hour


def test_a_rerun_adds_no_anonymous_row_twice(db, anna):
    band = _november_band(db, anna.id)
    _seed_anonymous(db, [("2026-11", band)] * 4)
    plan, first = _erase(db, anna)
    again = rights.execute_erasure(plan)
    assert again.total_changed == 0 and again.anonymized == ()
    assert len(_anonymous(db)) == 5
    assert [o.written for o in first.anonymized] == [1]


def test_k_is_checked_again_when_the_plan_is_carried_out(db, anna):
    band = _november_band(db, anna.id)
    plan = rights.plan_erasure(anna, service.sources(db), models.policy,
                               service.facts_for(db, anna.id), NOW)  # fmt: skip
    assert plan.anonymous[0].preview.smallest == 1  # nothing alike yet
    _seed_anonymous(db, [("2026-11", band)] * 4)  # others were erased since
    receipt = rights.execute_erasure(plan)
    assert [(o.written, o.k) for o in receipt.anonymized] == [(1, 5)]


def _policy_without(kind: str) -> gk.Policy:
    with open(models.POLICY_PATH, "rb") as fh:
        data = tomllib.load(fh)
    del data["purposes"]["analytics"]["anonymization"][kind]
    return gk.Policy.from_dict(copy.deepcopy(data), source="elveta-without-form.toml")


def test_without_a_declared_method_the_readings_are_erased(db, anna):
    policy = _policy_without("MeterReading")
    band = _november_band(db, anna.id)
    _seed_anonymous(db, [("2026-11", band)] * 9)  # k would be reached: it is not the reason
    plan, receipt = _erase(db, anna, policy=policy)
    assert plan.anonymous == ()
    assert plan.by_action(A.ANONYMIZE) == ()
    readings = {i.field: i for i in plan.for_source("meter_readings")}
    assert readings["kwh"].action is A.ERASE
    assert "removing identifiers alone is not anonymisation" in readings["kwh"].reason
    (why,) = plan.not_anonymized
    assert (why.source, why.kind, why.records) == ("meter_readings", "MeterReading", 48)
    assert why.reason is rights.NotAnonymous.NO_METHOD
    assert receipt.anonymized == (why,)
    assert "Erased instead of anonymised:" in receipt.render("en")
    assert len(_anonymous(db)) == 9
    assert db.execute("SELECT count(*) FROM meter_readings WHERE customer_id IS NULL").fetchone() \
        == (0,)  # fmt: skip


def test_a_form_given_in_code_is_used_for_its_record_kind(db, anna):
    db.execute("CREATE TABLE week_use (week TEXT, kwh_band TEXT)")
    weekly = anonymize.AnonymousForm(
        anonymize.Generalization({"week": anonymize.From("read_at", anonymize.Truncate("week"))}),
        2,
        {"kwh_band": anonymize.Measure("sum", "kwh", anonymize.Bucket(1000))},
        tz=STHLM,
    )
    db.executemany("INSERT INTO week_use VALUES (?, ?)", [("2026-W44", "0–999")] * 3)
    sources = [
        s if s.name != "meter_readings" else rights.SQLSource(
            db, table="meter_readings", subject_column="customer_id", model=models.MeterReading,
            key=("meter_id", "read_at"), anonymous_table="week_use")
        for s in service.sources(db)
    ]  # fmt: skip
    plan = rights.plan_erasure(anna, sources, models.policy, service.facts_for(db, anna.id), NOW,
                               forms={"MeterReading": weekly})  # fmt: skip
    # 1 Nov 2026 is a Sunday (ISO week 44); 2 Nov is the Monday of week 45
    assert sorted(r["week"] for r in plan.anonymous[0].rows) == ["2026-W44", "2026-W45"]
    receipt = rights.execute_erasure(plan)
    (outcome,) = receipt.anonymized
    assert (outcome.written, outcome.suppressed) == (1, 1)  # week 45 has no company: suppressed
    assert db.execute("SELECT count(*) FROM week_use").fetchone() == (4,)
    with pytest.raises(TypeError, match="AnonymousForm"):
        rights.plan_erasure(anna, sources, models.policy, {}, NOW, forms={"MeterReading": 5})


# -- a whole home, once the bookkeeping years are over: the generalize form ---------------------

LATER = datetime(2034, 1, 2, 9, 0, tzinfo=STHLM)  # FY 2025 records may go from 2033-01-01


def _home(db: sqlite3.Connection, cid: str) -> tuple[str, ...]:
    """Her home as the Customer form declares it, worked out by hand from her row."""
    dwelling, area, heating, pump, postcode = db.execute(
        "SELECT dwelling, area_m2, heating, heat_pump, postcode FROM customers"
        " WHERE customer_id = ?", (cid,),
    ).fetchone()  # fmt: skip
    band = ("< 60" if area < 60 else "60–99" if area < 100 else "100–149" if area < 150
            else ">= 150")  # fmt: skip
    make = {"NIBE S1255": "NIBE", "Thermia Atlas": "Thermia", "IVT Air X": "IVT"}.get(pump, pump)
    return (
        "house" if dwelling in ("house", "townhouse") else dwelling,
        band,
        heating if heating in ("heat pump", "district heating") else "other",
        make,
        postcode[:2],
    )


def test_a_customer_row_becomes_a_generalised_home_once_nothing_identifies(db, anna):
    home = _home(db, anna.id)
    db.executemany(
        "INSERT INTO customers_anonymous (dwelling, area_band, heating, heat_pump, region)"
        " VALUES (?, ?, ?, ?, ?)", [home] * 4,
    )  # fmt: skip
    plan, receipt = _erase(db, anna, now=LATER)
    customer = {i.field: i.action for i in plan.for_source("customers")}
    assert customer["name"] is A.ERASE and customer["customer_id"] is A.ERASE
    assert customer["postcode"] is A.ANONYMIZE and customer["area_m2"] is A.ANONYMIZE
    outcomes = {o.source: o for o in receipt.anonymized}
    assert (outcomes["customers"].written, outcomes["customers"].k) == (1, 5)
    rows = db.execute("SELECT * FROM customers_anonymous").fetchall()
    assert rows.count(home) == 5 and len(rows) == 5
    assert db.execute("SELECT count(*) FROM customers WHERE customer_id = 'C-1042'").fetchone() \
        == (0,)  # fmt: skip


def test_a_record_that_keeps_an_identifier_has_nothing_anonymous(db, anna):
    plan, _ = _erase(db, anna)  # 2026: bookkeeping keeps her name until 2033
    customer = {i.field: i for i in plan.for_source("customers")}
    assert customer["area_m2"].action is A.ERASE
    assert "keeps an identifier" in customer["area_m2"].reason
    assert all(p.source != "customers" for p in plan.anonymous)
