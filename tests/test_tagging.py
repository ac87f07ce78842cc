from __future__ import annotations

import dataclasses
from typing import Annotated

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import gdprkit as gk


@pytest.fixture
def Customer(minimal):
    @gk.personal_data(subject="customer", policy=minimal)
    @attrs.frozen
    class Customer:
        customer_id: str = gk.pd_field(
            category="identity.customer_id", purposes=("service",), identifies=True
        )
        email: str = gk.pd_field(
            category="contact.email", purposes=("service", "news"), identifies=True
        )
        area_m2: int = gk.pd_field(category="housing.area", purposes=("service", "stats"))
        plan: str = "basic"

    return Customer


def test_schema(Customer):
    schema = gk.schema_of(Customer)
    assert schema.subject == "customer"
    assert schema.personal_fields == ("customer_id", "email", "area_m2")
    assert schema.identifying == ("customer_id", "email")
    assert schema.all_fields == ("customer_id", "email", "area_m2", "plan")
    assert schema.fields_for("news") == ("email",)
    assert schema.fields_for("care") == ()
    assert schema.tag("email").category == gk.DataCategory("contact.email")
    assert schema.tag("email").origin is gk.Origin.PROVIDED
    with pytest.raises(KeyError):
        schema.tag("plan")
    with pytest.raises(gk.UnknownPurpose):
        schema.fields_for("newsletter")
    assert gk.schema_of(Customer("C-1", "a@example.se", 70)) == schema


def test_project_returns_only_the_purposes_fields(Customer):
    c = Customer("C-1", "a@example.se", 70)
    assert gk.project(c, "news") == {"email": "a@example.se"}
    assert gk.project(c, "stats") == {"area_m2": 70}
    assert gk.project(c, "service") == {
        "customer_id": "C-1",
        "email": "a@example.se",
        "area_m2": 70,
    }


def test_project_unknown_purpose_and_purpose_without_fields(Customer):
    c = Customer("C-1", "a@example.se", 70)
    with pytest.raises(gk.UnknownPurpose, match="'newsletter'"):
        gk.project(c, "newsletter")
    with pytest.raises(gk.PurposeNotAllowed, match="'care'"):
        gk.project(c, "care")


def test_project_runs_guards(Customer):
    calls = []

    class NoNews:
        def check(self, obj, schema, purpose, at):
            calls.append(purpose)
            if purpose == "news":
                raise gk.Objected("subject objected to 'news'")

    c = Customer("C-1", "a@example.se", 70)
    assert gk.project(c, "stats", guards=[NoNews()]) == {"area_m2": 70}
    with pytest.raises(gk.Objected):
        gk.project(c, "news", guards=[NoNews()])
    assert calls == ["stats", "news"]


def test_decoration_keeps_the_class(Customer):
    c = Customer("C-1", "a@example.se", 70)
    assert type(c) is Customer
    assert attrs.has(Customer)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        c.email = "b@example.se"  # type: ignore[misc]


def _define(policy, **tag):
    @gk.personal_data(subject="customer", policy=policy)
    @attrs.frozen
    class Model:
        value: str = gk.pd_field(**tag)

    return Model


def test_unknown_purpose_fails_at_definition(minimal):
    with pytest.raises(gk.PolicyError, match=r"Model\.value: unknown purpose 'newsletter'"):
        _define(minimal, category="contact.email", purposes=("newsletter",))


def test_unknown_category_fails_at_definition(minimal):
    with pytest.raises(gk.PolicyError, match=r"Model\.value: unknown data category 'contact.fax'"):
        _define(minimal, category="contact.fax", purposes=("service",))


def test_malformed_category_fails():
    with pytest.raises(gk.PolicyError, match="dotted lowercase"):
        gk.pd_field(category="Contact Email", purposes=("service",))


def test_special_category_needs_an_art9_condition(minimal):
    with pytest.raises(gk.PolicyError, match=r"Art\. 9\(2\) condition"):
        _define(minimal, category="health", purposes=("service",))
    # explicitly marked special data in an ordinary category needs one too
    with pytest.raises(gk.PolicyError, match="health"):
        _define(minimal, category="equipment", purposes=("service",), special="health")
    # the purpose may carry the condition ...
    assert _define(minimal, category="health", purposes=("care",))
    # ... or the field
    assert _define(minimal, category="health", purposes=("service",), condition="9(2)(a)")


def test_identifying_field_on_anonymized_only_purpose_fails(minimal):
    with pytest.raises(gk.PolicyError, match="only anonymized data"):
        _define(minimal, category="contact.email", purposes=("stats",), identifies=True)
    assert _define(minimal, category="housing.area", purposes=("stats",))


def test_unknown_subject_kind(minimal):
    with pytest.raises(gk.PolicyError, match="unknown subject kind 'visitor'"):

        @gk.personal_data(subject="visitor", policy=minimal)
        @attrs.frozen
        class Model:
            value: str = gk.pd_field(category="contact.email", purposes=("service",))


def test_all_problems_of_a_class_at_once(minimal):
    with pytest.raises(gk.PolicyError) as info:

        @gk.personal_data(subject="customer", policy=minimal)
        @attrs.frozen
        class Model:
            a: str = gk.pd_field(category="contact.fax", purposes=("service",))
            b: str = gk.pd_field(category="contact.email", purposes=("nope",))

    locations = [p.location for p in info.value.problems]
    assert locations == ["test_all_problems_of_a_class_at_once.<locals>.Model.a",
                         "test_all_problems_of_a_class_at_once.<locals>.Model.b"]  # fmt: skip


def test_bad_tag_arguments():
    with pytest.raises(gk.PolicyError, match="origin"):
        gk.pd_field(category="contact.email", purposes=("service",), origin="somewhere")
    with pytest.raises(gk.PolicyError, match="purposes"):
        gk.pd_field(category="contact.email", purposes=("service", ""))


def test_untagged_and_plain_classes(minimal):
    with pytest.raises(gk.NotTagged):

        @gk.personal_data(subject="customer", policy=minimal)
        class Plain:
            pass

    with pytest.raises(gk.PolicyError, match="no field is tagged"):

        @gk.personal_data(subject="customer", policy=minimal)
        @attrs.frozen
        class Nothing:
            plan: str = "basic"

    @attrs.frozen
    class Undecorated:
        x: int = 1

    with pytest.raises(gk.NotTagged):
        gk.schema_of(Undecorated)
    with pytest.raises(gk.NotTagged):
        gk.project(Undecorated(), "service")


def test_dataclasses_with_annotated(minimal):
    @gk.personal_data(subject="customer", policy=minimal)
    @dataclasses.dataclass(frozen=True)
    class Visit:
        email: Annotated[str, gk.Personal(category="contact.email", purposes=("service", "news"))]
        area: Annotated[int, gk.Personal(category="housing.area", purposes=("stats",))]
        note: str = ""

    v = Visit("a@example.se", 50)
    assert gk.schema_of(Visit).personal_fields == ("email", "area")
    assert gk.project(v, "news") == {"email": "a@example.se"}
    assert gk.project(v, "stats") == {"area": 50}


def test_without_policy_uses_builtin_taxonomy_and_tags():
    @gk.personal_data(subject="customer")
    @attrs.frozen
    class Free:
        email: str = gk.pd_field(category="contact.email", purposes=("mail",))

    assert gk.project(Free("x@example.se"), "mail") == {"email": "x@example.se"}
    with pytest.raises(gk.UnknownPurpose):
        gk.project(Free("x@example.se"), "other")


def test_elveta_models_load():
    from gdprkit._demo import models

    schema = gk.schema_of(models.Customer)
    assert "email" in schema.fields_for("marketing")
    assert set(schema.fields_for("analytics")).isdisjoint(schema.identifying)
    assert gk.schema_of(models.ChurnScore).tag("score").origin is gk.Origin.DERIVED


# -- property: a projection never holds a field not tagged for the purpose -----------

PURPOSES = ("service", "news", "stats", "care")


@given(
    st.lists(
        st.tuples(st.sets(st.sampled_from(PURPOSES[:3]), min_size=1), st.integers()),
        min_size=1,
        max_size=8,
    ),
    st.sampled_from(PURPOSES),
)
def test_projection_is_exactly_the_tagged_fields(minimal, spec, purpose):
    fields = {
        f"f{i}": attrs.field(
            default=value,
            metadata={
                "gdprkit.tag": gk.Tag(category="housing.area", purposes=tuple(sorted(tagged)))
            },
        )
        for i, (tagged, value) in enumerate(spec)
    }
    fields["untagged"] = attrs.field(default="secret")
    cls = gk.personal_data(subject="customer", policy=minimal)(
        attrs.make_class("Generated", fields, frozen=True)
    )
    obj = cls()
    expected = {f"f{i}": v for i, (tagged, v) in enumerate(spec) if purpose in tagged}
    if not expected:
        with pytest.raises(gk.PurposeNotAllowed):
            gk.project(obj, purpose)
        return
    got = gk.project(obj, purpose)
    assert got == expected
    assert "untagged" not in got
