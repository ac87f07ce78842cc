"""Type-checked with mypy --strict, never run: the classification gate and the pydantic
integration keep their types."""

from __future__ import annotations

from typing import Annotated, Any

import attrs
import pydantic
from typing_extensions import assert_type

import gdprkit as gk
from gdprkit.pydantic import tag_json
from gdprkit.testing import assert_classified

policy = gk.Policy.from_toml("examples/elveta/policy.toml")


@gk.personal_data(subject="customer", policy=policy)
@attrs.frozen
class Account:
    email: str = gk.pd_field(category="contact.email", purposes=("crm",))
    plan: str = gk.not_personal(default="basic", reason="a tariff")
    note: Annotated[str, gk.NotPersonal()] = ""


assert_type(Account("a@example.se").plan, str)
Account("a@example.se", plan=1)  # type: ignore[arg-type]
assert_type(gk.check_classified(Account, "service.models"), gk.Classification)
assert_type(gk.check_classified(Account).unclassified, tuple[str, ...])
assert_type(assert_classified(Account), gk.Classification)
gk.check_classified(42)  # type: ignore[arg-type]
assert_type(gk.UnclassifiedFields(["m.C.f"]).fields, tuple[str, ...])
assert_type(gk.NotPersonal("why").reason, str)


@gk.personal_data(subject="customer", policy=policy)
class CustomerOut(pydantic.BaseModel):
    email: Annotated[str, gk.Personal(category="contact.email", purposes=("crm",))]
    segment: Annotated[str, gk.NotPersonal()] = "residential"


assert_type(CustomerOut(email="a@example.se").email, str)
assert_type(gk.project(CustomerOut(email="a@example.se"), "crm"), dict[str, Any])
assert_type(tag_json(gk.schema_of(CustomerOut).tag("email"), policy), dict[str, Any])
