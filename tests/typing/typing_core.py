"""Type-checked with mypy --strict, never run: the core API keeps its types."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import attrs
from typing_extensions import assert_type

import gdprkit as gk
from gdprkit.policy import RecordOfProcessing
from gdprkit.tagging import Schema

policy = gk.Policy.from_toml("examples/elveta/policy.toml")
assert_type(policy, gk.Policy)
assert_type(policy.purposes, Mapping[str, gk.Purpose])
assert_type(policy.purposes["bookkeeping"], gk.Purpose)
assert_type(policy.purposes["bookkeeping"].basis, gk.LegalBasis)
assert_type(policy.purposes["bookkeeping"].legal_reference, str | None)
assert_type(policy.timezone, ZoneInfo)
assert_type(policy.render_notice(lang="sv"), str)
assert_type(policy.to_dpv(), dict[str, Any])
assert_type(policy.ropa(), RecordOfProcessing)
assert_type(policy.ropa().to_json(), str)
assert_type(gk.LegalBasis.CONSENT.article, str)
assert_type(gk.LegalBasis.CONSENT.objectable, bool)


@gk.personal_data(
    subject="customer",
    policy=policy,
    label={"sv": "Kunder", "en": "Customers"},
    field_labels={"plan": "Plan"},
)
@attrs.frozen
class Customer:
    customer_id: str = gk.pd_field(
        category="identity.customer_id", purposes=("contract", "crm"), identifies=True
    )
    email: str = gk.pd_field(category="contact.email", purposes=("marketing",), label="E-post")
    plan: str = "basic"


customer = Customer("C-1042", "anna@example.se")
# the decorator keeps the class: its constructor and attributes are still typed
assert_type(customer, Customer)
assert_type(customer.email, str)
assert_type(gk.project(customer, "marketing"), dict[str, Any])
assert_type(
    gk.project(customer, "marketing", guards=(), ground=gk.RestrictionGround.LEGAL_CLAIMS),
    dict[str, Any],
)
assert_type(gk.RestrictionGround.CONSENT.article, str)
gk.install_guards()
gk.project(customer, "marketing", ground="legal_claims")  # type: ignore[arg-type]
assert_type(gk.schema_of(Customer), Schema)
assert_type(gk.schema_of(Customer).fields_for("marketing"), tuple[str, ...])
assert_type(gk.schema_of(Customer).field_label("email"), gk.Text | None)
gk.pd_field(category="contact.email", purposes=("crm",), label=3)  # type: ignore[call-overload]
Customer(customer_id=1)  # type: ignore[arg-type]


@gk.personal_data(subject="customer", policy=policy)
@dataclasses.dataclass(frozen=True)
class Visit:
    email: Annotated[str, gk.Personal(category="contact.email", purposes=("crm",))]


assert_type(Visit("a@example.se").email, str)
