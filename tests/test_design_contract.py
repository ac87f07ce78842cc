"""The public API at a glance (shared/DESIGN.md), run as written: the contract other code uses."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from zoneinfo import ZoneInfo

import gdprkit as gk
from gdprkit import anonymize, pseudonym, retention, rights, timecalc

from .conftest import ELVETA_POLICY


def test_the_api_at_a_glance(tmp_path, elveta_customer):
    policy = gk.Policy.from_toml(ELVETA_POLICY)
    assert policy.purposes["bookkeeping"].basis is gk.LegalBasis.LEGAL_OBLIGATION
    assert (
        policy.purposes["bookkeeping"].legal_reference == "Bokföringslagen (1999:1078) 7 kap. 2 §"
    )
    assert policy.purposes["marketing"].direct_marketing is True
    assert policy.timezone == ZoneInfo("Europe/Stockholm")
    assert policy.ropa() and policy.render_notice(lang="sv") and policy.to_dpv()

    assert gk.LegalBasis.CONSENT.article == "6(1)(a)"
    assert gk.LegalBasis.CONSENT.dpv == "https://w3id.org/dpv#Consent"
    assert {gk.Origin.PROVIDED, gk.Origin.OBSERVED, gk.Origin.DERIVED, gk.Origin.THIRD_PARTY}

    Customer = elveta_customer  # DESIGN.md's class, as written there (conftest.py)
    customer = Customer("C-1042", "anna@example.se")
    assert gk.schema_of(Customer).fields_for("marketing") == ("email",)
    assert gk.project(customer, "marketing") == {"email": "anna@example.se"}

    assert timecalc.Period(years=7) == timecalc.Period.parse("P7Y")
    assert timecalc.response_deadline(date(2026, 1, 31)) == date(2026, 3, 2)
    assert timecalc.response_deadline(date(2026, 1, 31), extended=True) == date(2026, 4, 30)

    now = datetime(2026, 11, 25, 10, tzinfo=policy.timezone)
    rule = retention.after("fiscal_year_end", years=7, align="year")
    v = retention.evaluate(rule, {"fiscal_year_end": date(2025, 12, 31)}, now, tz=policy.timezone)
    assert v.status is retention.Status.KEEP
    assert v.expires_at == datetime(2033, 1, 1, tzinfo=policy.timezone)
    assert v.action is retention.Action.ERASE and v.reason and v.missing == ()
    cut = retention.cutoff(rule, now, tz=policy.timezone)
    assert cut is not None and cut.date() == date(2019, 1, 1)  # expired <=> event < cutoff

    keyring = pseudonym.Keyring.generate()
    token = pseudonym.Pseudonymizer(keyring, domain="analytics").token("anna@example.se")
    assert pseudonym.Pseudonymizer(keyring, domain="analytics").tokens(["anna@example.se"]) == [
        token
    ]
    sealer = pseudonym.Sealer(keyring, domain="support")
    assert sealer.unseal(sealer.seal("anna@example.se")) == "anna@example.se"

    rows = [{"postcode3": "183", "dwelling": "house"}] * 3
    assert anonymize.k_anonymity(rows, quasi_identifiers=("postcode3", "dwelling")) == 3

    conn = sqlite3.connect(tmp_path / "service.db")
    conn.execute("CREATE TABLE customers (customer_id TEXT, email TEXT, plan TEXT)")
    conn.execute("INSERT INTO customers VALUES ('C-1042', 'anna@example.se', 'basic')")
    conn.commit()
    subject = rights.SubjectRef(kind="customer", id="C-1042")
    source = rights.SQLSource(conn, table="customers", subject_column="customer_id", model=Customer)
    path = tmp_path / "export.zip"
    rights.export_subject(subject, [source], policy, scope="portability", at=now, out=path)
    assert rights.verify_package(path)["scope"] == "portability"

    facts = {"contract_ended": date(2025, 6, 30)}
    plan = rights.plan_erasure(subject, [source], policy, facts, now)
    receipt = rights.execute_erasure(plan)
    assert receipt.complete
    # contract and crm are erasure-request purposes: nothing of this record stays
    assert conn.execute("SELECT count(*) FROM customers").fetchone()[0] == 0
    assert rights.execute_erasure(plan).total_changed == 0


def test_conveniences_a_caller_expects():
    stockholm = ZoneInfo("Europe/Stockholm")
    assert date(2026, 1, 31) + timecalc.Period(months=1) == date(2026, 2, 28)
    assert date(2024, 2, 29) + timecalc.Period(years=1) == date(2025, 2, 28)
    # the nyårsafton edge case of LEGAL.md §2.3, both readings
    assert timecalc.response_deadline(date(2029, 11, 30)) == date(2029, 12, 31)
    assert timecalc.response_deadline(date(2029, 11, 30), eves_as_holidays=True) == date(2030, 1, 2)
    try:
        timecalc.response_deadline(
            date(2029, 11, 30), calendar=timecalc.SWEDEN, eves_as_holidays=True
        )
    except TypeError:
        pass
    else:
        raise AssertionError("calendar= and eves_as_holidays= together must be refused")
    # tz defaults to Europe/Stockholm, the zone the deadlines use
    rule = retention.after("fiscal_year_end", years=7, align="year")
    now = datetime(2026, 11, 25, 10, tzinfo=stockholm)
    v = retention.evaluate(rule, {"fiscal_year_end": date(2025, 12, 31)}, now)
    assert v.expires_at == datetime(2033, 1, 1, tzinfo=stockholm)
    assert retention.cutoff(rule, now) == retention.cutoff(rule, now, tz=stockholm)
    assert gk.LegalBasis.LEGITIMATE_INTEREST is gk.LegalBasis.LEGITIMATE_INTERESTS
    assert gk.LegalBasis.VITAL_INTEREST is gk.LegalBasis.VITAL_INTERESTS
    assert len(gk.LegalBasis) == 6
