"""Human names for models and fields: declared labels, else the data category's name."""

from __future__ import annotations

import dataclasses
from typing import Annotated

import attrs
import pytest

import gdprkit as gk
from gdprkit._demo import models
from gdprkit._rights.labels import field_labels, kind_label


def _reading_model(policy, **kind):
    @gk.personal_data(subject="customer", policy=policy, **kind)
    @attrs.frozen
    class Reading:
        customer_id: str = gk.pd_field(
            category="identity.customer_id", purposes=("service",), identifies=True
        )
        street: str = gk.pd_field(category="contact.postal_address", purposes=("service",))
        city: str = gk.pd_field(category="contact.postal_address", purposes=("service",))
        area_m2: int = gk.pd_field(
            category="housing.area",
            purposes=("service",),
            label={"sv": "Boyta (m²)", "en": "Living area (m²)"},
        )
        reading_no: str = "1"

    return Reading


@pytest.mark.parametrize(
    ("label", "sv", "en"),
    [
        pytest.param("Mätare", "Mätare", "Mätare", id="one string serves every language"),
        pytest.param({"sv": "Mätare", "en": "Meter"}, "Mätare", "Meter", id="one per language"),
        pytest.param(gk.Text.of({"sv": "Mätare", "en": "Meter"}), "Mätare", "Meter", id="a Text"),
    ],
)
def test_a_field_label_is_a_text(label, sv, en):
    tag = gk.pd_field(category="energy.meter_id", purposes=("x",), label=label).metadata[
        "gdprkit.tag"
    ]
    assert (tag.label.get("sv"), tag.label.get("en")) == (sv, en)


@pytest.mark.parametrize(
    "label",
    [
        pytest.param("", id="empty"),
        pytest.param("   ", id="blank"),
        pytest.param({}, id="no language"),
        pytest.param({"sv": ""}, id="empty text"),
        pytest.param({"sv": 3}, id="not text"),
        pytest.param(7, id="a number"),
    ],
)
def test_a_bad_label_is_a_policy_error_naming_the_label(label):
    with pytest.raises(gk.PolicyError, match="label must be"):
        gk.Personal(category="energy", purposes=("x",), label=label)
    with pytest.raises(gk.PolicyError, match="label must be"):
        gk.personal_data(subject="customer", label=label)


def test_personal_carries_a_label_in_a_dataclass(minimal):
    @gk.personal_data(subject="customer", policy=minimal, label="Konton")
    @dataclasses.dataclass
    class Account:
        email: Annotated[
            str, gk.Personal(category="contact.email", purposes=("service",), label="E-post")
        ]

    schema = gk.schema_of(Account)
    assert schema.label == gk.Text.of("Konton")
    assert schema.field_label("email") == gk.Text.of("E-post")


def test_field_labels_name_untagged_fields(minimal):
    Reading = _reading_model(minimal, field_labels={"reading_no": {"sv": "Nr", "en": "No."}})
    schema = gk.schema_of(Reading)
    assert schema.field_label("reading_no").get("en") == "No."
    assert schema.field_label("area_m2").get("sv") == "Boyta (m²)"
    assert schema.field_label("city") is None


@pytest.mark.parametrize(
    ("field_labels", "where", "message"),
    [
        pytest.param({"nonesuch": "X"}, "Reading.nonesuch", "names no such field", id="no field"),
        pytest.param({"area_m2": "Yta"}, "Reading.area_m2", "labelled twice", id="twice"),
    ],
)
def test_field_labels_must_name_fields_once(minimal, field_labels, where, message):
    with pytest.raises(gk.PolicyError, match=message) as caught:
        _reading_model(minimal, field_labels=field_labels)
    assert where in str(caught.value)


def test_field_labels_must_be_a_mapping_of_labels():
    with pytest.raises(gk.PolicyError, match="field_labels must map"):
        gk.personal_data(subject="customer", field_labels=["area_m2"])  # type: ignore[arg-type]
    with pytest.raises(gk.PolicyError, match="field_labels must map"):
        gk.personal_data(subject="customer", field_labels={"area_m2": None})


@pytest.mark.parametrize(
    ("lang", "kind", "fields"),
    [
        pytest.param(
            "sv",
            "Postadress",
            ["Kundnummer", "Postadress (street)", "Postadress (city)", "Boyta (m²)", "Reading no"],
            id="sv: category names, told apart; the untagged field by its name",
        ),
        pytest.param(
            "en",
            "Postal address",
            ["Customer number", "Postal address (street)", "Postal address (city)",
             "Living area (m²)", "Reading no"],
            id="en",
        ),
    ],
)  # fmt: skip
def test_without_labels_the_category_names_the_kind_and_its_fields(minimal, lang, kind, fields):
    schema = gk.schema_of(_reading_model(minimal))
    assert kind_label(schema, minimal.taxonomy, lang) == kind
    assert list(field_labels(schema, minimal.taxonomy, lang).values()) == fields


def test_a_kind_of_identifiers_only_is_named_by_them(minimal):
    @gk.personal_data(subject="customer", policy=minimal)
    @attrs.frozen
    class Ids:
        customer_id: str = gk.pd_field(
            category="identity.customer_id", purposes=("service",), identifies=True
        )

    assert kind_label(gk.schema_of(Ids), minimal.taxonomy, "sv") == "Kundnummer"


@pytest.mark.parametrize(
    "model",
    [
        models.Customer,
        models.Contract,
        models.Invoice,
        models.MeterReading,
        models.SupportTicket,
        models.MarketingPreference,
        models.ChurnScore,
    ],
    ids=lambda m: m.__name__,
)
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_every_elveta_kind_and_field_has_a_human_name(model, lang):
    """No class name, no field name: what the customer reads is declared or a category."""
    schema = gk.schema_of(model)
    name = kind_label(schema, models.policy.taxonomy, lang)
    names = field_labels(schema, models.policy.taxonomy, lang)
    assert name != model.__name__
    assert schema.label is not None
    assert len(set(names.values())) == len(names)
    for field, label in names.items():
        assert label[:1].isupper(), (field, label)
        # declared, or a category's name that no other field shares (no field name appended)
        assert schema.field_label(field) is not None or field in schema.personal_fields
        assert f"({field.replace('_', ' ')})" not in label, (field, label)
