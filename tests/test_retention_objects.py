"""evaluate_object: per-field verdicts for tagged records (Art. 5(1)(e), 17)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

import gdprkit as gk
from gdprkit import retention
from gdprkit._demo import models

STHLM = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=STHLM)
ANNA = models.Customer(
    customer_id="C-1042", name="Anna Berg", email="anna@example.se", phone="+46 70 000 00 00",
    street="Storgatan 1", postcode="183 30", city="Täby", dwelling="house", area_m2=142,
    heating="heat pump", heat_pump="NIBE S1255",
)  # fmt: skip
ENDED = {"contract_ended": date(2025, 6, 30), "fiscal_year_end": date(2025, 12, 31)}
LO_ONLY = [
    p for p, v in models.policy.purposes.items() if v.basis is not gk.LegalBasis.LEGAL_OBLIGATION
]


def test_a_field_is_kept_while_any_purpose_needs_it():
    v = retention.evaluate_object(ANNA, ENDED, NOW)
    email = v["email"]
    # contract and crm keep it 24 months after the contract ended: 2025-06-30 -> 2027-07-01 00:00
    assert email.status is retention.Status.KEEP
    assert email.expires_at == datetime(2027, 7, 1, tzinfo=STHLM)
    assert email.purpose in ("contract", "crm")
    # the bookkeeping purpose keeps the name to the end of 2032 (BFL 7 kap. 2 §)
    assert v["name"].expires_at == datetime(2033, 1, 1, tzinfo=STHLM)
    assert v["name"].purpose == "bookkeeping"
    assert "Bokföringslagen" in v["name"].legal_reference


def test_erasure_request_leaves_only_legal_obligations():
    v = retention.evaluate_object(ANNA, ENDED, NOW, inactive_purposes=LO_ONLY)
    assert set(v.with_status(retention.Status.EXPIRED)) == {
        "email", "phone", "dwelling", "area_m2", "heating", "heat_pump",
    }  # fmt: skip
    assert set(v.with_status(retention.Status.KEEP)) == {
        "customer_id", "name", "street", "postcode", "city",
    }  # fmt: skip
    assert v["email"].reason == "no purpose remains that needs this field"


def test_missing_facts_give_unknown_not_expired():
    v = retention.evaluate_object(ANNA, {}, NOW, inactive_purposes=LO_ONLY)
    assert v["name"].status is retention.Status.UNKNOWN
    assert v["name"].missing == ("fiscal_year_end",)
    assert v["email"].status is retention.Status.EXPIRED


def test_record_facts_come_from_the_record_itself():
    invoice = models.Invoice(
        "F-1", date(2026, 6, 30), "C-1042", date(2026, 3, 28), Decimal("120.50")
    )
    v = retention.evaluate_object(invoice, {}, NOW, inactive_purposes=LO_ONLY)
    # a fiscal year that ended 2026-06-30 is kept to the end of 2033
    assert v["amount_sek"].expires_at == datetime(2034, 1, 1, tzinfo=STHLM)
    assert retention.record_facts(invoice, {"x": None})["fiscal_year_end"] == date(2026, 6, 30)


def test_anonymized_only_purpose_anonymizes_non_identifying_fields():
    reading = models.MeterReading(
        "C-1042", "M-7700", datetime(2026, 11, 1, 10, tzinfo=STHLM), Decimal("1.5")
    )
    v = retention.evaluate_object(
        reading, {}, NOW, inactive_purposes=("contract", "personalisation", "crm")
    )
    assert v["kwh"].status is retention.Status.EXPIRED
    assert v["kwh"].action is retention.Action.ANONYMIZE
    assert v["customer_id"].action is retention.Action.ERASE


def test_holds_override_everything():
    hold = retention.LegalHold(
        "dispute over invoice F-1", "Tingsrätt T 123-26", datetime(2026, 1, 1, tzinfo=STHLM)
    )
    v = retention.evaluate_object(ANNA, ENDED, NOW, holds=[hold])
    assert set(v.with_status(retention.Status.HELD)) == set(gk.schema_of(ANNA).personal_fields)
    assert "Tingsrätt" in v["email"].legal_reference


def test_bad_input():
    with pytest.raises(gk.NaiveDatetimeError):
        retention.evaluate_object(ANNA, ENDED, datetime(2026, 1, 1))
    with pytest.raises(gk.NotTagged):
        retention.evaluate_object(object(), ENDED, NOW)
    with pytest.raises(KeyError):
        retention.evaluate_object(ANNA, ENDED, NOW)["plan"]
