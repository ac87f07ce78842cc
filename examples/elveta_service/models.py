"""The service's tables as SQLAlchemy mapped classes, and its API model, all tagged.

Every column is classified: tagged with what it holds and why
(``pd_column``, ``Personal``), or declared not personal (``NotPersonal``);
``gdprkit check-models elveta_service.models`` keeps it so.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import pydantic
from sqlalchemy import Date, ForeignKey, Numeric, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

import gdprkit as gk
from gdprkit.sqlalchemy import UTCDateTime, not_personal_column, pd_column

POLICY_PATH = Path(__file__).resolve().parent.parent / "elveta" / "policy.toml"
policy = gk.Policy.from_toml(POLICY_PATH)

CUSTOMER = "customer"


class Base(DeclarativeBase):
    """The service's declarative base."""


@gk.personal_data(subject=CUSTOMER, policy=policy)
class Customer(Base):
    """A customer's account; its contract end drives the 24-month retention."""

    __tablename__ = "customers"

    customer_id: Mapped[str] = pd_column(
        String(20),
        primary_key=True,
        category="identity.customer_id",
        purposes=("contract", "crm", "bookkeeping"),
        identifies=True,
    )
    name: Mapped[str | None] = pd_column(
        String(200),
        category="identity.name",
        purposes=("contract", "crm", "personalisation", "marketing", "bookkeeping"),
        identifies=True,
    )
    email: Mapped[str | None] = pd_column(
        String(200),
        category="contact.email",
        purposes=("contract", "crm", "marketing"),
        identifies=True,
    )
    postcode: Mapped[str | None] = pd_column(
        String(10), category="contact.postal_address", purposes=("contract", "bookkeeping")
    )
    heat_pump: Mapped[str | None] = pd_column(
        String(50), category="equipment.heat_pump", purposes=("contract", "crm", "analytics")
    )
    # Kept with the accounting records (the contract behind the invoices is
    # räkenskapsinformation too), so the retention job still knows when it ended.
    contract_ended: Mapped[date | None] = pd_column(
        Date, category="energy", purposes=("contract", "bookkeeping")
    )
    segment: Mapped[str] = not_personal_column(
        String(20), default="residential", reason="a tariff segment thousands of customers share"
    )

    invoices: Mapped[list[Invoice]] = relationship(back_populates="customer")
    meters: Mapped[list[Meter]] = relationship()


@gk.personal_data(subject=CUSTOMER, policy=policy)
class Invoice(Base):
    """An invoice: räkenskapsinformation, kept under Bokföringslagen 7 kap. 2 §."""

    __tablename__ = "invoices"

    invoice_id: Mapped[Annotated[str, gk.NotPersonal("the invoice number")]] = mapped_column(
        String(20), primary_key=True
    )
    customer_id: Mapped[str] = pd_column(
        ForeignKey("customers.customer_id"),
        category="identity.customer_id",
        purposes=("contract", "bookkeeping"),
        identifies=True,
    )
    fiscal_year_end: Mapped[date] = not_personal_column(Date, reason="Elveta's fiscal year")
    amount_sek: Mapped[Decimal] = pd_column(
        Numeric(12, 2),
        category="financial.invoice",
        purposes=("contract", "bookkeeping"),
        origin=gk.Origin.DERIVED,
    )
    paid_on: Mapped[date | None] = pd_column(
        Date,
        category="financial.payment",
        purposes=("contract", "bookkeeping"),
        origin=gk.Origin.OBSERVED,
    )

    # many-to-one: the data sources never follow it (the customer's row is a source of its own)
    customer: Mapped[Customer] = relationship(back_populates="invoices")


@gk.personal_data(subject=CUSTOMER, policy=policy)
class Meter(Base):
    """An electricity meter at the customer's home."""

    __tablename__ = "meters"

    meter_id: Mapped[str] = pd_column(
        String(20),
        primary_key=True,
        category="energy.meter_id",
        purposes=("contract", "crm"),
        origin=gk.Origin.OBSERVED,
    )
    customer_id: Mapped[str] = pd_column(
        ForeignKey("customers.customer_id"),
        category="identity.customer_id",
        purposes=("contract",),
        identifies=True,
    )

    readings: Mapped[list[MeterReading]] = relationship()


@gk.personal_data(subject=CUSTOMER, policy=policy)
class MeterReading(Base):
    """An hourly reading; erased when the contract's data goes (no anonymous set is kept)."""

    __tablename__ = "meter_readings"

    id: Mapped[int] = not_personal_column(
        primary_key=True, reason="a row number, meaningless outside this table"
    )
    meter_id: Mapped[str | None] = pd_column(
        ForeignKey("meters.meter_id"),
        category="energy.meter_id",
        purposes=("contract",),
        origin=gk.Origin.OBSERVED,
    )
    read_at: Mapped[datetime] = pd_column(
        UTCDateTime,
        category="energy.consumption",
        purposes=("contract", "analytics"),
        origin=gk.Origin.OBSERVED,
    )
    kwh: Mapped[Decimal] = pd_column(
        Numeric(12, 3),
        category="energy.consumption",
        purposes=("contract", "analytics", "personalisation"),
        origin=gk.Origin.OBSERVED,
    )


@gk.personal_data(subject=CUSTOMER, policy=policy)
class CustomerOut(pydantic.BaseModel):
    """What the API answers for the customer-service purpose (crm): its schema shows the tags."""

    customer_id: Annotated[
        str,
        gk.Personal(category="identity.customer_id", purposes=("crm",), identifies=True),
    ]
    name: Annotated[
        str | None, gk.Personal(category="identity.name", purposes=("crm",), identifies=True)
    ] = None
    email: Annotated[
        str | None, gk.Personal(category="contact.email", purposes=("crm",), identifies=True)
    ] = None
    heat_pump: Annotated[
        str | None, gk.Personal(category="equipment.heat_pump", purposes=("crm",))
    ] = None
