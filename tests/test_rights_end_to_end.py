"""Issue-level end to end: objection, consent withdrawal and erasure take effect everywhere."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import attrs
import pytest

import gdprkit as gk
from gdprkit import retention, rights
from gdprkit._demo import models, service
from gdprkit.audit import AuditLog
from gdprkit.consent import IndicationMethod, Ledger
from gdprkit.pseudonym import Keyring, Pseudonymizer
from gdprkit.store.sqlite import SQLiteStore

STHLM = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=STHLM)


@pytest.fixture
def world(tmp_path):
    conn = sqlite3.connect(tmp_path / "elveta.db")
    service.create_schema(conn)
    service.seed(conn, customers=2, hours=24)
    store = SQLiteStore(tmp_path / "gdprkit.db")
    keyring = Keyring.generate()
    audit = AuditLog(store, pseudonymizer=Pseudonymizer(keyring, domain="audit"))
    ledger = Ledger(
        store, models.policy, pseudonymizer=Pseudonymizer(keyring, domain="ledger"), audit=audit
    )
    yield conn, ledger, audit
    store.close()
    conn.close()


def _customer(conn, cid="C-1043"):
    return next(iter(service.sources(conn)[0].records(rights.SubjectRef("customer", cid))))


def test_marketing_objection_takes_effect_in_project_and_retention(world):
    conn, ledger, _ = world
    erik = _customer(conn)  # an active customer
    facts = service.facts_for(conn, erik.customer_id)
    assert gk.project(erik, "marketing", at=NOW, guards=[ledger]) == {
        "name": erik.name,
        "email": erik.email,
    }
    ledger.object(erik.customer_id, "marketing", at=NOW)
    later = NOW + timedelta(minutes=1)
    with pytest.raises(gk.Objected):
        gk.project(erik, "marketing", at=later, guards=[ledger])
    # before the objection, processing was allowed: the ledger answers as of any instant
    assert gk.project(erik, "marketing", at=NOW - timedelta(days=1), guards=[ledger])
    # contract purposes are untouched
    assert gk.project(erik, "contract", at=later, guards=[ledger])
    inactive = ledger.inactive_purposes(erik.customer_id, later)
    assert "marketing" in inactive
    # retention no longer counts marketing: the marketing-only preference expires at once
    pref = next(
        iter(service.sources(conn)[5].records(rights.SubjectRef("customer", erik.customer_id)))
    )
    assert (
        retention.evaluate_object(pref, facts, NOW)["email_opt_in"].status is retention.Status.KEEP
    )
    gone = retention.evaluate_object(pref, facts, later, inactive_purposes=inactive)
    assert gone["email_opt_in"].status is retention.Status.EXPIRED


def test_consent_withdrawal_takes_effect_in_project_and_retention(tmp_path, minimal):
    store = SQLiteStore(tmp_path / "g.db")
    ledger = Ledger(
        store, minimal, pseudonymizer=Pseudonymizer(Keyring.generate(), domain="ledger")
    )

    @gk.personal_data(subject="customer", policy=minimal, id_field="customer_id")
    @attrs.frozen
    class Device:
        customer_id: str = gk.pd_field(
            category="identity.customer_id", purposes=("service",), identifies=True
        )
        oxygen_concentrator: bool = gk.pd_field(category="health", purposes=("care",))

    dev = Device("C-7", True)
    with pytest.raises(gk.ConsentRequired):
        gk.project(dev, "care", at=NOW, guards=[ledger])
    ledger.grant("C-7", ["care"], notice_version="v1", method="web form, unticked box", at=NOW,
                 indication=IndicationMethod.TICKED_BOX)  # fmt: skip
    t1 = NOW + timedelta(hours=1)
    assert gk.project(dev, "care", at=t1, guards=[ledger]) == {"oxygen_concentrator": True}
    assert "care" not in ledger.inactive_purposes("C-7", t1)
    ledger.withdraw("C-7", ["care"], method="web form, one click", at=t1)
    t2 = t1 + timedelta(minutes=1)
    with pytest.raises(gk.ConsentRequired):
        gk.project(dev, "care", at=t2, guards=[ledger])
    assert "care" in ledger.inactive_purposes("C-7", t2)
    store.close()


def test_after_erasure_what_stays_is_restricted(world):
    conn, ledger, audit = world
    anna_ref = rights.SubjectRef("customer", "C-1042")
    sources = service.sources(conn)
    plan = rights.plan_erasure(
        anna_ref, sources, models.policy, service.facts_for(conn, "C-1042"), NOW
    )
    receipt = rights.execute_erasure(plan, sources, audit=audit, ledger=ledger)
    assert receipt.complete
    anna = _customer(conn, "C-1042")
    later = NOW + timedelta(minutes=1)
    assert gk.project(anna, "bookkeeping", at=later, guards=[ledger])["name"]
    with pytest.raises(gk.Restricted):
        gk.project(anna, "contract", at=later, guards=[ledger])
    with pytest.raises(gk.Restricted):
        gk.project(anna, "crm", at=later, guards=[ledger])
    assert audit.verify() is not None
