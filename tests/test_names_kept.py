"""Names users could import from the policy, tagging, vocabulary and anonymization modules
before they became facades over private packages stay importable (issue 12).

``ALL`` is each module's ``__all__`` as it was; ``MORE`` the other gdprkit names
the module's namespace held (errors, vocabulary, type variables). Imports of
the standard library and attrs (``os``, ``Any``, ``tomllib``) are not gdprkit's
names and are not kept: ``import gdprkit`` must not load ``tomllib``.
"""

from __future__ import annotations

import importlib

import pytest

ALL = {
    "gdprkit.policy": (
        "EEA", "Authority", "Controller", "CookieDeclaration", "CookiePurpose", "Policy",
        "Purpose", "Recipient", "SubjectKind", "Text",
    ),
    "gdprkit.anonymize": (
        "EARTH_RADIUS_KM", "Bucket", "Clamp", "CoarseLocation", "DateUnit", "EdgeBucket",
        "From", "Generalization", "PostcodePrefix", "Recode", "RiskReport", "Suppress",
        "SuppressionReport", "TimeUnit", "Truncate", "bucket", "clamp", "coarse_location",
        "edge_bucket", "enforce_k", "k_anonymity", "l_diversity", "postcode_prefix",
        "risk_report", "truncate",
    ),
    "gdprkit.tagging": (
        "FieldInfo", "Guard", "Personal", "Schema", "Tag", "install_guards", "pd_field",
        "personal_data", "project", "schema_of", "using_guards",
    ),
    "gdprkit.vocab": (
        "BUILTIN_TAXONOMY", "DPV", "DPV_GDPR", "DPV_PD", "Art9Condition", "CategoryInfo",
        "DataCategory", "LegalBasis", "Origin", "Right", "SpecialCategory", "Taxonomy",
    ),
}  # fmt: skip

MORE = {
    "gdprkit.policy": (
        "Art9Condition", "BUILTIN_TAXONOMY", "CategoryInfo", "DPV", "DataCategory",
        "FrozenMap", "LegalBasis", "PolicyError", "PolicyProblem", "Problems", "Reader",
        "Right", "Taxonomy", "UnknownPurpose",
    ),
    "gdprkit.anonymize": (
        "AnonymizationError", "FrozenMap", "GdprkitError", "N", "NaiveDatetimeError", "RowT",
        "require_aware",
    ),
    "gdprkit.tagging": (
        "Art9Condition", "BUILTIN_TAXONOMY", "C", "DataCategory", "NotTagged", "Origin",
        "PolicyError", "PolicyProblem", "PurposeNotAllowed", "SpecialCategory", "T", "TAG_KEY",
        "UnknownPurpose",
    ),
    "gdprkit.vocab": ("PolicyError", "PolicyProblem"),
}  # fmt: skip


@pytest.mark.parametrize("module", sorted(ALL))
def test_names_in_all_stay_in_all(module):
    names = importlib.import_module(module).__all__
    assert set(ALL[module]) <= set(names), sorted(set(ALL[module]) - set(names))


@pytest.mark.parametrize(
    ("module", "name"),
    [(m, n) for m in sorted(ALL) for n in (*ALL[m], *MORE[m])],
    ids=lambda value: str(value),
)
def test_names_stay_importable(module, name):
    assert hasattr(importlib.import_module(module), name)


@pytest.mark.parametrize("module", sorted(ALL))
def test_every_name_in_all_is_there(module):
    mod = importlib.import_module(module)
    assert [n for n in mod.__all__ if not hasattr(mod, n)] == []


def test_a_kept_name_is_the_object_it_names():
    from gdprkit import _errors, _util, vocab
    from gdprkit.anonymize import AnonymizationError, FrozenMap
    from gdprkit.policy import LegalBasis, PolicyError

    assert PolicyError is _errors.PolicyError
    assert AnonymizationError is _errors.AnonymizationError
    assert FrozenMap is _util.FrozenMap
    assert LegalBasis is vocab.LegalBasis
