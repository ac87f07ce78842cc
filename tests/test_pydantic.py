"""gdprkit.pydantic: pydantic v2 models tagged with Annotated[..., Personal(...)], checked
against the policy, projected per purpose, exported, and their JSON Schema (and FastAPI's
OpenAPI document) carrying the tags."""

from __future__ import annotations

import json
import zipfile
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import pytest

pydantic = pytest.importorskip("pydantic", reason="gdprkit[pydantic] is not installed (pydantic)")

from pydantic import BaseModel, ConfigDict, Field  # noqa: E402  # after the skip

import gdprkit as gk  # noqa: E402
from gdprkit import rights  # noqa: E402
from gdprkit.pydantic import JSON_SCHEMA_KEY, tag_json, tags_json_schema  # noqa: E402
from tests.conftest import ELVETA_POLICY  # noqa: E402

policy = gk.Policy.from_toml(ELVETA_POLICY)
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Europe/Stockholm"))

CustomerId = Annotated[
    str,
    gk.Personal(category="identity.customer_id", purposes=("contract", "crm"), identifies=True),
]


@gk.personal_data(subject="customer", policy=policy)
class CustomerOut(BaseModel):
    """What the API returns about a customer."""

    customer_id: CustomerId
    email: Annotated[
        str,
        Field(alias="eMail", max_length=200),
        gk.Personal(category="contact.email", purposes=("contract", "marketing"), identifies=True),
    ]
    heat_pump: Annotated[
        str | None,
        gk.Personal(
            category="equipment.heat_pump", purposes=("crm", "analytics"), origin="observed"
        ),
    ] = None
    segment: Annotated[str, gk.NotPersonal("a tariff segment")] = "residential"
    api_version: Annotated[str, gk.NotPersonal()] = "1"


ANNA = CustomerOut(customer_id="C-1042", eMail="anna@example.se", heat_pump="NIBE S1255")


def test_a_pydantic_model_has_a_schema() -> None:
    schema = gk.schema_of(CustomerOut)
    assert schema.all_fields == ("customer_id", "email", "heat_pump", "segment", "api_version")
    assert schema.personal_fields == ("customer_id", "email", "heat_pump")
    assert schema.fields_for("marketing") == ("email",)
    assert gk.schema_of(ANNA).tag("heat_pump").origin is gk.Origin.OBSERVED
    assert gk.check_classified(CustomerOut).ok


def test_project_a_pydantic_instance() -> None:
    assert gk.project(ANNA, "marketing") == {"email": "anna@example.se"}
    assert gk.project(ANNA, "crm") == {"customer_id": "C-1042", "heat_pump": "NIBE S1255"}
    with pytest.raises(gk.PurposeNotAllowed):
        gk.project(ANNA, "bookkeeping")
    with pytest.raises(gk.UnknownPurpose):
        gk.project(ANNA, "astrology")


def test_pydantic_models_are_checked_against_the_policy() -> None:
    with pytest.raises(gk.PolicyError) as caught:

        @gk.personal_data(subject="customer", policy=policy)
        class Careless(BaseModel):
            customer_id: Annotated[
                str,
                gk.Personal(
                    category="identity.customer_id", purposes=("analytics",), identifies=True
                ),
            ]
            diagnosis: Annotated[str, gk.Personal(category="health", purposes=("contract",))]

    messages = {p.location.rsplit(".", 2)[-2:][-1]: p.message for p in caught.value.problems}
    assert "anonymized" in messages["customer_id"]
    assert "Art. 9(2)" in messages["diagnosis"]


def test_the_json_schema_carries_the_tags() -> None:
    schema = CustomerOut.model_json_schema()
    assert schema[JSON_SCHEMA_KEY] == {"subject": "customer"}
    props = schema["properties"]
    assert props["eMail"][JSON_SCHEMA_KEY] == {
        "personal": True,
        "category": "contact.email",
        "purposes": ["contract", "marketing"],
        "basis": {"contract": "contract", "marketing": "legitimate_interests"},
        "origin": "provided",
        "identifies": True,
    }
    assert props["eMail"]["maxLength"] == 200  # pydantic's own keywords stay
    assert props["heat_pump"][JSON_SCHEMA_KEY]["origin"] == "observed"
    assert props["segment"][JSON_SCHEMA_KEY] == {"personal": False, "reason": "a tariff segment"}
    assert props["api_version"][JSON_SCHEMA_KEY] == {"personal": False}
    serial = CustomerOut.model_json_schema(mode="serialization")["properties"]
    assert serial["eMail"][JSON_SCHEMA_KEY]["category"] == "contact.email"
    json.dumps(schema)  # plain JSON


def test_tag_json_without_a_policy_has_no_basis() -> None:
    tag = gk.Personal(category="health", purposes=("care",), special="health",
                      condition="explicit_consent")  # fmt: skip
    assert tag_json(tag) == {
        "personal": True,
        "category": "health",
        "purposes": ["care"],
        "origin": "provided",
        "identifies": False,
        "special": "health",
        "condition": "9(2)(a)",
    }


def test_a_models_own_json_schema_extra_still_applies() -> None:
    def add_example(schema: dict[str, Any]) -> None:
        schema["examples"] = [{"customer_id": "C-1"}]

    @gk.personal_data(subject="customer", policy=policy)
    class WithCallable(BaseModel):
        model_config = ConfigDict(json_schema_extra=add_example)
        customer_id: CustomerId

    @gk.personal_data(subject="customer", policy=policy)
    class WithDict(BaseModel):
        model_config = ConfigDict(json_schema_extra={"description": "a customer"})
        customer_id: CustomerId

    for model, key in ((WithCallable, "examples"), (WithDict, "description")):
        schema = model.model_json_schema()
        assert key in schema and JSON_SCHEMA_KEY in schema["properties"]["customer_id"]


def test_a_subclass_is_not_declared_by_its_parent() -> None:
    class Extended(CustomerOut):
        note: str = ""

    schema = Extended.model_json_schema()
    assert JSON_SCHEMA_KEY not in schema  # declare it with @personal_data to get the tags
    with pytest.raises(gk.NotTagged):
        gk.schema_of(Extended)
    tags_json_schema(Extended, schema)  # nothing to add, and no error
    assert JSON_SCHEMA_KEY not in schema


def test_the_gate_lists_unclassified_pydantic_fields() -> None:
    class Request(BaseModel):
        customer_id: CustomerId
        purpose: str

    with pytest.raises(gk.UnclassifiedFields, match=r"Request\.purpose: neither tagged"):
        gk.check_classified(Request)


def test_pydantic_records_go_into_an_export_package(tmp_path) -> None:
    source = rights.IterableSource(
        "customers", CustomerOut, [ANNA, ANNA.model_copy(update={"customer_id": "C-9"})],
        subject_field="customer_id",
    )  # fmt: skip
    out = tmp_path / "anna.zip"
    result = rights.export_subject(
        rights.SubjectRef("customer", "C-1042"), [source], policy, scope="portability",
        at=NOW, out=out,
    )  # fmt: skip
    assert result.rows == 1
    rights.verify_package(out)
    with zipfile.ZipFile(out) as zf:
        row = json.loads(zf.read("data/customers.jsonl"))
    # observed data is portable too (WP242); untagged fields are not personal data of hers
    assert row == {"customer_id": "C-1042", "email": "anna@example.se", "heat_pump": "NIBE S1255"}


def test_fastapi_openapi_shows_the_tags() -> None:
    fastapi = pytest.importorskip("fastapi", reason="FastAPI is not installed")

    app = fastapi.FastAPI()

    @app.get("/customers/{customer_id}")
    def read(customer_id: str) -> CustomerOut:
        return ANNA

    component = app.openapi()["components"]["schemas"]["CustomerOut"]
    assert component[JSON_SCHEMA_KEY] == {"subject": "customer"}
    assert component["properties"]["eMail"][JSON_SCHEMA_KEY]["purposes"] == [
        "contract",
        "marketing",
    ]
