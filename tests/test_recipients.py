"""Recipients (Art. 19; Art. 15(1)(c); CJEU C-154/21): worked cases on Elveta's service database.

Elveta's policy names its recipients by category only. These cases add, to a
copy of it, recipients named by identity in those categories (invented
companies) and one that can no longer be told: it was wound up. Erasing,
correcting and restricting Anna's data (C-1042, on 25 November 2026) then
tells the named recipients of the purposes concerned, lists the one that
cannot be told with the reason, and ``recipients_for`` answers her question
"who received my data?" by identity.
"""

from __future__ import annotations

import copy
import tomllib
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import gdprkit as gk
from gdprkit import rights
from gdprkit._demo import models, service

STHLM = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=STHLM)

NAMED = {
    "faktura_norden": {
        "name": {"sv": "Faktura Norden AB", "en": "Faktura Norden AB"},
        "identity": "Faktura Norden AB",
        "category": "payment_providers",
        "contact": "dataskydd@faktura-norden.example",
    },
    "utskick": {
        "name": {"sv": "Utskick Sverige AB", "en": "Utskick Sverige AB"},
        "identity": "Utskick Sverige AB",
        "category": "email_provider",
    },
    "nyhetsbrev_ost": {
        "name": {"sv": "Nyhetsbrev Öst AB", "en": "Nyhetsbrev Öst AB"},
        "identity": "Nyhetsbrev Öst AB",
        "category": "email_provider",
        "notification": "impossible",
        "notification_reason": {
            "sv": "bolaget avvecklades 2025-03-31 (Bolagsverket)",
            "en": "the company was wound up on 2025-03-31 (Bolagsverket)",
        },
    },
}


def _elveta_with(recipients: dict[str, Any]) -> dict[str, Any]:
    with open(models.POLICY_PATH, "rb") as fh:
        data = tomllib.load(fh)
    data["recipients"].update(copy.deepcopy(recipients))
    return data


@pytest.fixture(scope="module")
def policy() -> gk.Policy:
    return gk.Policy.from_dict(_elveta_with(NAMED), source="elveta+named.toml")


def _ids(recipients: tuple[gk.policy.Recipient, ...]) -> list[str]:
    return [r.id for r in recipients]


# -- erasure, rectification, restriction: who is told ------------------------------------------


def test_erasure_tells_the_named_recipients_and_says_who_cannot_be_told(db, anna, policy):
    facts = service.facts_for(db, anna.id)
    plan = rights.plan_erasure(anna, service.sources(db), policy, facts, NOW)
    # contract -> payment providers -> Faktura Norden AB; marketing -> e-mail provider ->
    # Utskick Sverige AB; crm etc. -> IT providers, a category with no one named in it
    assert _ids(plan.recipients) == ["it_providers", "faktura_norden", "utskick"]
    assert _ids(plan.not_notified) == ["nyhetsbrev_ost"]
    # bookkeeping keeps the invoices (Art. 17(3)(b)): its auditors are not told of an erasure
    assert "auditors_and_authorities" not in _ids(plan.recipients)
    receipt = rights.execute_erasure(plan)
    text = receipt.render("en")
    assert "Recipients notified (Article 19): IT and cloud providers (processors); " \
           "Faktura Norden AB; Utskick Sverige AB" in text  # fmt: skip
    assert "- Nyhetsbrev Öst AB: impossible: the company was wound up on 2025-03-31" in text
    assert "det är omöjligt: bolaget avvecklades 2025-03-31" in receipt.render("sv")
    assert plan.notification.unnamed == (policy.recipients["it_providers"],)


@pytest.mark.parametrize(
    ("fields", "told", "not_told"),
    [
        # e-mail serves contract, crm and marketing
        (("email",), ["it_providers", "faktura_norden", "utskick"], ["nyhetsbrev_ost"]),
        # the dwelling's area serves contract and analytics: no e-mail provider
        (("area_m2",), ["it_providers", "faktura_norden"], []),
    ],
    ids=["e-mail corrected", "area corrected"],
)
def test_a_correction_is_told_to_the_recipients_of_the_fields_purposes(
    db, anna, policy, fields, told, not_told
):
    customers = service.sources(db)[0]
    changes = {"email": "anna.berg@example.org", "area_m2": 150}
    n = rights.rectify(anna, customers, {f: changes[f] for f in fields}, at=NOW)
    receipt = rights.rectification_receipt(anna, customers, fields, policy, at=NOW, records=n)
    assert receipt.records == 1 and receipt.fields == fields
    assert _ids(receipt.recipients) == told
    assert _ids(receipt.not_notified) == not_told
    text = receipt.render("sv")
    assert text.startswith("Rättelse av personuppgifter (artikel 16)")
    assert "example.org" not in text  # the receipt names fields, never values


def test_a_correction_of_an_unknown_field_is_refused(db, anna, policy):
    with pytest.raises(gk.RectificationError, match="no personal field 'segment'"):
        rights.rectification_receipt(
            anna, service.sources(db)[0], ["segment"], policy, at=NOW, records=0
        )


def test_a_restriction_of_marketing_is_told_to_the_e_mail_providers(anna, policy):
    receipt = rights.restriction_receipt(anna, policy, at=NOW, purposes=["marketing"])
    assert _ids(receipt.recipients) == ["utskick"]
    assert _ids(receipt.not_notified) == ["nyhetsbrev_ost"]
    text = receipt.render(policy, "sv")
    assert "- Försäljning och marknadsföring" in text
    assert "Mottagare som underrättas (artikel 19): Utskick Sverige AB" in text
    with pytest.raises(gk.UnknownPurpose):
        rights.restriction_receipt(anna, policy, at=NOW, purposes=["newsletter"])
    with pytest.raises(gk.NaiveDatetimeError):
        rights.restriction_receipt(anna, policy, at=datetime(2026, 11, 25), purposes=[])


# -- "who received my data?" -------------------------------------------------------------------


def test_recipients_for_names_the_actual_recipients(db, anna, policy):
    answer = rights.recipients_for(anna, service.sources(db), policy)
    got = {r.recipient.id: r for r in answer.recipients}
    assert list(got) == [
        "it_providers", "auditors_and_authorities", "faktura_norden", "utskick", "nyhetsbrev_ost",
    ]  # fmt: skip
    assert got["faktura_norden"].purposes == ("contract",)
    assert got["faktura_norden"].category == policy.recipients["payment_providers"]
    assert set(got["utskick"].purposes) == {"marketing"}
    assert "bookkeeping" in got["auditors_and_authorities"].purposes
    # categories with no one named: the policy cannot give identities (C-154/21)
    assert [r.id for r in answer.unnamed] == ["it_providers", "auditors_and_authorities"]
    text = answer.render(policy, "en")
    assert "- Faktura Norden AB (Payment and invoicing providers): for Service and contract" in text
    assert "the policy does not give their identities" in text


def test_the_answer_follows_the_data_held_in_the_sources_asked(db, anna, policy):
    # only the marketing preferences: the e-mail providers got them, nobody else
    preferences = [s for s in service.sources(db) if s.name == "marketing_preferences"]
    answer = rights.recipients_for(anna, preferences, policy)
    assert [r.recipient.id for r in answer.recipients] == ["utskick", "nyhetsbrev_ost"]
    assert answer.unnamed == ()


def test_a_subject_with_no_data_received_nothing(db, policy):
    nobody = rights.SubjectRef("customer", "C-9999")
    answer = rights.recipients_for(nobody, service.sources(db), policy)
    assert answer.recipients == ()
    assert "None of your data has been disclosed" in answer.render(policy)


# -- the policy file ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "location", "message"),
    [
        ({"notification": "impossible"}, "notification_reason", "Art. 19"),
        ({"notification": "later"}, "notification", "must be 'required', 'impossible'"),
        ({"notification_reason": {"sv": "x", "en": "x"}}, "notification_reason", "is only for"),
        ({"category": "utskick"}, "category", "must name a category of recipients"),
        ({"category": "printers"}, "category", "unknown recipient 'printers'"),
    ],
    ids=["no reason for skipping", "unknown notification", "a reason with nothing to excuse",
         "a category that is itself named", "an unknown category"],
)  # fmt: skip
def test_recipient_declarations_are_checked(change, location, message):
    named = copy.deepcopy(NAMED)
    named["faktura_norden"].update(change)
    with pytest.raises(gk.PolicyError) as info:
        gk.Policy.from_dict(_elveta_with(named), source="p.toml")
    where = f"p.toml: recipients.faktura_norden.{location}"
    assert any(p.location == where and message in p.message for p in info.value.problems), [
        str(p) for p in info.value.problems
    ]


def test_a_category_itself_belongs_to_no_category():
    named = {"payment_providers": {"name": {"sv": "B", "en": "B"}, "category": "email_provider"}}
    with pytest.raises(gk.PolicyError, match="only a recipient named by identity"):
        gk.Policy.from_dict(_elveta_with(named))
