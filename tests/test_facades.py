"""Public modules that became facades (issue 12) still offer every name they offered before.

Each row is a module's ``__all__`` before the split, and the other gdprkit
names it exposed then as by-products of its imports; both stay importable.
The standard-library and typing names such modules exposed the same way
(``json``, ``Any``, ...) were never meant to be imported from them and are not kept.
"""

from __future__ import annotations

import importlib

import pytest

import gdprkit as gk

BEFORE_THE_SPLIT: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "gdprkit.consent": (
        (
            "COOKIE_PREFIX",
            "SCHEMA_VERSION",
            "ConsentEvent",
            "ConsentPurpose",
            "ConsentRecord",
            "ConsentState",
            "Ledger",
            "LedgerError",
            "Objection",
            "Restriction",
        ),
        (
            "Art9Condition",
            "ConsentRequired",
            "CookieDeclaration",
            "DPV",
            "DPV_GDPR",
            "DPV_PD",
            "LegalBasis",
            "Objected",
            "Period",
            "Policy",
            "Pseudonymizer",
            "Purpose",
            "Restricted",
            "Store",
            "StoreConnection",
            "UnknownPurpose",
            "check_store",
            "require_aware",
            "require_text",
            "utc_stamp",
        ),
    ),
    "gdprkit.requests": (
        (
            "RequestEvent",
            "RequestKind",
            "RequestRegister",
            "RequestState",
            "SubjectRequest",
            "UnknownRequest",
        ),
        (
            "HolidayCalendar",
            "RequestStateError",
            "Right",
            "SWEDEN",
            "Store",
            "StoreConnection",
            "check_store",
            "end_of_day",
            "receipt_date",
            "require_aware",
            "require_text",
            "response_deadline",
            "utc_stamp",
        ),
    ),
}


@pytest.mark.parametrize("name", sorted(BEFORE_THE_SPLIT))
def test_every_name_from_before_the_split_is_still_importable(name):
    module = importlib.import_module(name)
    api, by_products = BEFORE_THE_SPLIT[name]
    assert set(api) <= set(module.__all__)  # names may be added, none taken away
    missing = sorted(n for n in (*api, *by_products) if not hasattr(module, n))
    assert missing == []


def test_kept_names_are_the_objects_of_their_homes():
    from gdprkit import consent, requests

    assert consent.SCHEMA_VERSION == "https://w3id.org/dpv/schema/dpv-27560#record-eu-gdpr"
    assert consent.COOKIE_PREFIX == "cookies."
    assert consent.ConsentRequired is gk.ConsentRequired
    assert consent.Policy is gk.Policy
    assert requests.RequestStateError is gk.RequestStateError
    assert requests.response_deadline is gk.timecalc.response_deadline
