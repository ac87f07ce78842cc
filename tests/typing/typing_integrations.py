"""Type-checked with mypy --strict, never run: the classification gate, the pydantic and the
SQLAlchemy integrations keep their types."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

import attrs
import pydantic
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker
from typing_extensions import assert_type

import gdprkit as gk
from gdprkit import rights
from gdprkit.pydantic import tag_json
from gdprkit.sqlalchemy import (
    MappedSource,
    UTCDateTime,
    expired,
    not_personal_column,
    pd_column,
    subject_sources,
)
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
assert_type(gk.check_classified(Account, "examples.elveta_service.models"), gk.Classification)
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


class Base(DeclarativeBase):
    pass


@gk.personal_data(subject="customer", policy=policy)
class Customer(Base):
    __tablename__ = "customers"
    customer_id: Mapped[str] = pd_column(
        sa.String(20), primary_key=True, category="identity.customer_id", purposes=("crm",)
    )
    segment: Mapped[str] = not_personal_column(sa.String(20), reason="a tariff")
    contract_ended: Mapped[date | None] = mapped_column(sa.Date)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    balance: Mapped[Annotated[Decimal, gk.NotPersonal()]] = mapped_column(sa.Numeric(12, 2))


engine = sa.create_engine("sqlite://")
source = MappedSource(engine, Customer, subject_column=Customer.customer_id)
assert_type(source.name, str)
assert_type(source.record_key(Customer()), tuple[object, ...])
assert_type(source.erase(rights.SubjectRef("customer", "C-1"), []), int)
assert_type(source.rectify(rights.SubjectRef("customer", "C-1"), {"segment": "x"}), int)
sources = subject_sources(sessionmaker(engine), Customer, subject_column="customer_id")
assert_type(sources, tuple[MappedSource, ...])
as_sources: Iterable[rights.DataSource] = sources
rule = gk.retention.after("contract_ended", months=24)
where = expired(Customer.contract_ended, rule, datetime.now(policy.timezone), tz=policy.timezone)
assert_type(where, sa.ColumnElement[bool])
assert_type(sa.delete(Customer).where(where), sa.Delete)
expired(Customer.contract_ended, rule, "2026-01-01")  # type: ignore[arg-type]
