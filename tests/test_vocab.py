from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gdprkit import PolicyError
from gdprkit.vocab import (
    BUILTIN_TAXONOMY,
    Art9Condition,
    CategoryInfo,
    DataCategory,
    LegalBasis,
    Origin,
    Right,
    SpecialCategory,
)

DPV = "https://w3id.org/dpv#"


@pytest.mark.parametrize(
    ("basis", "article", "iri", "gdpr_iri", "en", "sv"),
    [
        (LegalBasis.CONSENT, "6(1)(a)", "Consent", "A6-1-a", "Consent", "Samtycke"),
        (LegalBasis.CONTRACT, "6(1)(b)", "Contract", "A6-1-b", "Contract", "Avtal"),
        (
            LegalBasis.LEGAL_OBLIGATION,
            "6(1)(c)",
            "LegalObligation",
            "A6-1-c",
            "Legal obligation",
            "Rättslig förpliktelse",
        ),
        (
            LegalBasis.VITAL_INTERESTS,
            "6(1)(d)",
            "VitalInterest",
            "A6-1-d",
            "Vital interests",
            "Grundläggande intressen",
        ),
        (
            LegalBasis.PUBLIC_TASK,
            "6(1)(e)",
            "PublicInterest",
            "A6-1-e",
            "Public task",
            "Allmänt intresse eller myndighetsutövning",
        ),
        (
            LegalBasis.LEGITIMATE_INTERESTS,
            "6(1)(f)",
            "LegitimateInterest",
            "A6-1-f",
            "Legitimate interests",
            "Berättigat intresse",
        ),
    ],
    ids=lambda v: v.name if isinstance(v, LegalBasis) else None,
)
def test_basis_article_iri_and_labels(basis, article, iri, gdpr_iri, en, sv):
    assert basis.article == article
    assert basis.dpv == DPV + iri
    assert basis.dpv_gdpr == "https://w3id.org/dpv/legal/eu/gdpr#" + gdpr_iri
    assert basis.label("en") == en
    assert basis.label("sv") == sv
    assert basis.label("de") == en  # unknown languages fall back to English


def test_objection_and_withdrawal_follow_from_the_basis():
    assert {b for b in LegalBasis if b.objectable} == {
        LegalBasis.PUBLIC_TASK,
        LegalBasis.LEGITIMATE_INTERESTS,
    }
    assert {b for b in LegalBasis if b.withdrawable} == {LegalBasis.CONSENT}
    assert {b for b in LegalBasis if b.portable} == {LegalBasis.CONSENT, LegalBasis.CONTRACT}
    for b in LegalBasis:
        assert (Right.OBJECTION in b.rights) is b.objectable
        assert (Right.WITHDRAW_CONSENT in b.rights) is b.withdrawable
        assert (Right.PORTABILITY in b.rights) is b.portable
        assert Right.ACCESS in b.rights and Right.COMPLAINT in b.rights
    # Art. 17(3)(b): no erasure while a legal obligation requires the processing.
    assert Right.ERASURE not in LegalBasis.LEGAL_OBLIGATION.rights


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("consent", LegalBasis.CONSENT),
        ("CONTRACT", LegalBasis.CONTRACT),
        ("6(1)(c)", LegalBasis.LEGAL_OBLIGATION),
        ("legal obligation", LegalBasis.LEGAL_OBLIGATION),
        ("vital_interest", LegalBasis.VITAL_INTERESTS),
        ("legitimate-interest", LegalBasis.LEGITIMATE_INTERESTS),
        ("LegitimateInterest", LegalBasis.LEGITIMATE_INTERESTS),
        ("public_task", LegalBasis.PUBLIC_TASK),
    ],
)
def test_basis_parse(text, expected):
    assert LegalBasis.parse(text) is expected


@pytest.mark.parametrize("bad", ["", "consentt", "6(1)(g)", "art 9"])
def test_basis_parse_rejects_unknown(bad):
    with pytest.raises(ValueError, match="unknown legal basis"):
        LegalBasis.parse(bad)


def test_basis_parse_rejects_non_string():
    with pytest.raises(TypeError):
        LegalBasis.parse(6)  # type: ignore[arg-type]


def test_art9_conditions():
    assert [c.article for c in Art9Condition] == [f"9(2)({x})" for x in "abcdefghij"]
    assert Art9Condition.EXPLICIT_CONSENT.dpv.endswith("gdpr#A9-2-a")
    assert Art9Condition.parse("9(2)(f)") is Art9Condition.LEGAL_CLAIMS
    assert Art9Condition.parse("explicit_consent") is Art9Condition.EXPLICIT_CONSENT
    assert Art9Condition.parse("h") is Art9Condition.HEALTH_OR_SOCIAL_CARE
    with pytest.raises(ValueError, match="Art. 9"):
        Art9Condition.parse("9(2)(k)")
    assert len(SpecialCategory) == 8
    assert SpecialCategory.parse("health") is SpecialCategory.HEALTH
    assert SpecialCategory.HEALTH.dpv == "https://w3id.org/dpv/pd#Health"


def test_origin_provided_by_subject_matches_art20():
    assert Origin.PROVIDED.provided_by_subject
    assert Origin.OBSERVED.provided_by_subject
    assert not Origin.DERIVED.provided_by_subject
    assert not Origin.THIRD_PARTY.provided_by_subject
    assert Origin.OBSERVED.dpv == DPV + "ObservedPersonalData"
    assert Origin.parse("third-party") is Origin.THIRD_PARTY


def test_rights_have_articles_and_dpv():
    assert Right.ACCESS.article == "15"
    assert Right.ACCESS.dpv.endswith("gdpr#A15")
    assert Right.WITHDRAW_CONSENT.dpv.endswith("gdpr#A7-3")
    assert Right.COMPLAINT.label("sv") == "rätt att klaga hos en tillsynsmyndighet"


def test_category_hierarchy():
    email = DataCategory("contact.email")
    assert email.is_within("contact")
    assert email.is_within(DataCategory("contact.email"))
    assert not email.is_within("contact.e")  # a prefix of a word is not a parent
    assert not DataCategory("contact").is_within("contact.email")
    assert email.parent == DataCategory("contact")
    assert email.root == DataCategory("contact")
    assert DataCategory("a.b.c").ancestors == (DataCategory("a.b"), DataCategory("a"))
    assert DataCategory("contact").parent is None


@pytest.mark.parametrize("bad", ["", "Contact", "contact.", ".email", "contact..email", "e mail"])
def test_category_names_are_validated(bad):
    with pytest.raises(ValueError, match="dotted lowercase"):
        DataCategory(bad)


segment = st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True)


@given(st.lists(segment, min_size=1, max_size=5), st.lists(segment, min_size=1, max_size=3))
def test_category_within_is_prefix_of_segments(head, tail):
    outer = DataCategory(".".join(head))
    inner = DataCategory(".".join(head + tail))
    assert inner.is_within(outer)
    assert all(inner.is_within(a) for a in inner.ancestors)
    assert outer in inner.ancestors
    assert not outer.is_within(inner)
    # is_within agrees with comparing whole segments
    other = DataCategory(".".join(tail))
    assert inner.is_within(other) == (inner.name.split(".")[: len(tail)] == tail)


def test_builtin_taxonomy_covers_elveta():
    for name in [
        "identity.name",
        "identity.national_id",
        "identity.customer_id",
        "contact.email",
        "contact.phone",
        "contact.postal_address",
        "financial.invoice",
        "financial.payment",
        "financial.bank_account",
        "location.precise",
        "location.coarse",
        "energy.consumption",
        "energy.production",
        "energy.meter_id",
        "housing.dwelling_type",
        "housing.area",
        "housing.heating",
        "equipment.heat_pump",
        "equipment.ev_charger",
        "equipment.solar",
        "equipment.battery",
        "online.ip_address",
        "online.cookie_id",
        "online.device_id",
        "technical.logs",
        "communication.customer_service",
        "preferences.marketing",
    ]:
        assert name in BUILTIN_TAXONOMY, name
    # every category's parent is in the taxonomy too
    for name in BUILTIN_TAXONOMY:
        parent = DataCategory(name).parent
        assert parent is None or parent.name in BUILTIN_TAXONOMY
    assert BUILTIN_TAXONOMY.special_of("health") is SpecialCategory.HEALTH
    assert BUILTIN_TAXONOMY.special_of("contact.email") is None
    assert "categories" in repr(BUILTIN_TAXONOMY)


def test_taxonomy_extension_needs_parents():
    ok = BUILTIN_TAXONOMY.extended(
        [CategoryInfo(DataCategory("energy.flex"), "flexibility", "flexibilitet")]
    )
    assert "energy.flex" in ok and "energy.flex" not in BUILTIN_TAXONOMY
    with pytest.raises(PolicyError, match="no parent category 'vehicle'"):
        BUILTIN_TAXONOMY.extended([CategoryInfo(DataCategory("vehicle.plate"), "plate", "regnr")])
