"""Public modules that became facades (issue 12) keep their API and every gdprkit name they held.

Each row is a module's ``__all__``, pinned exactly (a name joins or leaves the
API on purpose), and the other gdprkit names its namespace held before the
split as by-products of its imports (errors, vocabulary, helpers): users may
import those from it, so they stay, re-exported as ``from x import Name as Name``.
Names of the standard library, ``typing`` and attrs that such modules exposed
the same way (``datetime``, ``Any``, ``attrs``), and the type variables of
their signatures, were never gdprkit's API and are not kept; that no module
re-exports them is checked in tests/test_architecture.py. The pins of
``gdprkit.pseudonym``, ``gdprkit.dask``, ``gdprkit.audit`` and
``gdprkit.rights`` are with those modules' tests; ``gdprkit.store`` and the
exceptions and warnings the package exports are pinned here too.
"""

from __future__ import annotations

import importlib

import pytest

import gdprkit as gk

FACADES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "gdprkit.anonymize": (
        (
            "EARTH_RADIUS_KM", "AnonymityCheck", "AnonymousForm", "Bucket", "Clamp", "CoarseLocation", "DateUnit", "EdgeBucket",
            "From", "Generalization", "Measure", "PostcodePrefix", "Recode", "RiskReport", "Suppress",
            "SuppressionReport", "TimeUnit", "Truncate", "bucket", "clamp", "coarse_location",
            "edge_bucket", "enforce_k", "k_anonymity", "l_diversity", "postcode_prefix",
            "risk_report", "truncate",
        ),
        (
            "AnonymizationError", "FrozenMap", "GdprkitError", "NaiveDatetimeError",
            "require_aware",
        ),
    ),
    "gdprkit.consent": (
        (
            "COOKIE_PREFIX", "SCHEMA_VERSION", "ConsentEvent", "ConsentPurpose", "ConsentRecord",
            "ConsentState", "ConsentStatus", "IndicationMethod", "Ledger", "LedgerError",
            "Objection", "ObjectionState", "Restriction", "RestrictionScope",
        ),
        (
            "Art9Condition", "ConsentRequired", "CookieDeclaration", "DPV", "DPV_GDPR", "DPV_PD",
            "LegalBasis", "Objected", "Period", "Policy", "Pseudonymizer", "Purpose",
            "Restricted", "Store", "StoreConnection", "UnknownPurpose", "check_store",
            "require_aware", "require_text", "utc_stamp",
        ),
    ),
    "gdprkit.policy": (
        (
            "EEA", "Authority", "Controller", "CookieDeclaration", "CookiePurpose", "Policy",
            "ProcessingActivity", "Purpose", "Recipient", "RecordOfProcessing", "SubjectKind",
            "Text",
        ),
        (
            "Art9Condition", "BUILTIN_TAXONOMY", "CategoryInfo", "DPV", "DataCategory",
            "FrozenMap", "LegalBasis", "PolicyError", "PolicyProblem", "Problems", "Reader",
            "Right", "Taxonomy", "UnknownPurpose",
        ),
    ),
    "gdprkit.requests": (
        (
            "RequestEvent", "RequestKind", "RequestRegister", "RequestState", "SubjectRequest",
            "UnknownRequest",
        ),
        (
            "HolidayCalendar", "RequestStateError", "Right", "SWEDEN", "Store", "StoreConnection",
            "check_store", "end_of_day", "receipt_date", "require_aware", "require_text",
            "response_deadline", "utc_stamp",
        ),
    ),
    "gdprkit.retention": (
        (
            "Action", "After", "AnonymizedOnly", "ColumnType", "Expiry", "ExpiryKind",
            "FactValue", "Facts", "FieldVerdict", "LegalHold", "MaxOf", "MinOf", "ObjectVerdict",
            "Paramstyle", "Rule", "Status", "Verdict", "WhileActive", "after", "anonymized_only",
            "cutoff", "evaluate", "evaluate_object", "expiry", "max_of", "min_of",
            "record_facts", "rule_from_mapping", "rule_to_mapping", "sql_predicate",
            "sqlite_text", "sweep", "sweep_counts", "while_active",
        ),
        (
            "ALIGNMENTS", "Align", "NaiveDatetimeError", "Period", "PolicyError",
            "PolicyProblem", "RetentionError", "STOCKHOLM", "first_day_after", "is_identifier",
            "localize", "period_end", "require_aware", "start_of_day",
        ),
    ),
    "gdprkit.tagging": (
        (
            "FieldInfo", "GroundedGuard", "Guard", "Label", "ModelAdapter", "ModelField",
            "NotPersonal", "Personal", "RestrictionGround", "Schema", "Tag", "install_guards",
            "not_personal", "pd_field", "personal_data", "project", "register_model_adapter",
            "schema_of", "using_guards",
        ),
        (
            "Art9Condition", "BUILTIN_TAXONOMY", "DataCategory", "NotTagged", "Origin",
            "PolicyError", "PolicyProblem", "PurposeNotAllowed", "SpecialCategory", "TAG_KEY",
            "UnknownPurpose",
        ),
    ),
    "gdprkit.vocab": (
        (
            "BUILTIN_TAXONOMY", "DPV", "DPV_GDPR", "DPV_PD", "Art9Condition", "CategoryInfo",
            "DataCategory", "LegalBasis", "Origin", "Right", "SpecialCategory", "Taxonomy",
        ),
        ("PolicyError", "PolicyProblem"),
    ),
}  # fmt: skip


#: gdprkit.store's __all__: not a facade (the store sits beneath the layers), pinned the same way.
STORE_API = (
    "Checkpoint", "SQLiteStore", "Store", "StoreConnection", "StoreCursor", "check_store", "open",
)  # fmt: skip

#: The exceptions and warnings of gdprkit._errors, every one exported from the package.
ERRORS = (
    "AnonymizationError", "AuditIntegrityError", "ConsentRequired", "ExportPathError",
    "GdprkitError", "GdprkitWarning", "InvalidAuditHead", "InvalidConsent", "InvalidToken",
    "JournalError", "JournalIntegrityError", "KekError", "KeyringError", "LedgerError",
    "NaiveDatetimeError", "NoGuard",
    "NotTagged", "Objected", "ObjectionPending", "PackageIntegrityError", "PolicyError",
    "PolicyProblem", "ProcessingRefused", "PurposeNotAllowed", "RectificationError",
    "RequestStateError", "Restricted", "RetentionError", "SourceError", "StoreError",
    "StoreWarning", "StoredRowError", "SubjectNotInformed", "SubjectShredded", "UnclassifiedFields", "UnknownKeyId",
    "UnknownLanguage", "UnknownPurpose", "UnknownRequest", "UnknownTokenKey",
)  # fmt: skip


def test_the_store_api_is_pinned():
    from gdprkit import store

    assert sorted(store.__all__) == sorted(STORE_API)
    assert [n for n in store.__all__ if not hasattr(store, n)] == []


def test_every_error_and_warning_is_pinned_and_exported_from_the_package():
    from gdprkit import _errors

    assert sorted(_errors.__all__) == sorted(ERRORS)
    assert set(ERRORS) <= set(gk.__all__)
    for name in ERRORS:
        assert getattr(gk, name) is getattr(_errors, name), name
    assert issubclass(gk.StoreWarning, gk.GdprkitWarning)
    assert not issubclass(gk.GdprkitWarning, gk.GdprkitError)  # a warning, not an error


@pytest.mark.parametrize("name", sorted(FACADES))
def test_all_is_the_pinned_api(name):
    module = importlib.import_module(name)
    api, _ = FACADES[name]
    assert sorted(module.__all__) == sorted(api)
    assert [n for n in module.__all__ if not hasattr(module, n)] == []


@pytest.mark.parametrize(
    ("module", "name"),
    [(m, n) for m in sorted(FACADES) for n in FACADES[m][1]],
    ids=lambda value: str(value),
)
def test_a_gdprkit_name_the_module_held_is_still_importable(module, name):
    namespace: dict[str, object] = {}
    exec(f"from {module} import {name}", namespace)
    assert namespace[name] is getattr(importlib.import_module(module), name)


def test_kept_names_are_the_objects_of_their_homes():
    from gdprkit import _errors, _util, consent, policy, requests, retention, tagging, timecalc
    from gdprkit.anonymize import AnonymizationError, FrozenMap

    assert consent.SCHEMA_VERSION == "https://w3id.org/dpv/schema/dpv-27560#record-eu-gdpr"
    assert consent.COOKIE_PREFIX == "cookies."
    assert consent.ConsentRequired is gk.ConsentRequired
    assert consent.Policy is gk.Policy
    assert requests.RequestStateError is gk.RequestStateError
    assert requests.response_deadline is timecalc.response_deadline
    assert policy.PolicyError is _errors.PolicyError
    assert policy.LegalBasis is gk.LegalBasis
    assert AnonymizationError is _errors.AnonymizationError
    assert FrozenMap is _util.FrozenMap
    assert retention.STOCKHOLM is timecalc.STOCKHOLM
    assert retention.Period is timecalc.Period
    assert tagging.UnknownPurpose is gk.UnknownPurpose


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("gdprkit.retention", "datetime"),
        ("gdprkit.retention", "attrs"),
        ("gdprkit.retention", "itertools"),
        ("gdprkit.retention", "Any"),
        ("gdprkit.retention", "R"),
        ("gdprkit.anonymize", "RowT"),
    ],
    ids=lambda value: str(value),
)
def test_names_that_were_never_gdprkit_api_are_gone(module, name):
    with pytest.raises(ImportError, match=f"cannot import name '{name}'"):
        exec(f"from {module} import {name}", {})
