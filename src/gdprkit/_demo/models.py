"""Elveta's data models, tagged with category, purposes and origin.

Shipped inside gdprkit for ``python -m gdprkit demo`` and shown in
``examples/elveta/``: this is how a service declares what it holds and why.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import attrs

import gdprkit as gk

POLICY_PATH = Path(__file__).with_name("policy.toml")
policy = gk.Policy.from_toml(POLICY_PATH)

CUSTOMER = "customer"


@gk.personal_data(subject=CUSTOMER, policy=policy)
@attrs.frozen
class Customer:
    """A direct customer's account."""

    customer_id: str = gk.pd_field(
        category="identity.customer_id",
        purposes=("contract", "crm", "security", "bookkeeping"),
        identifies=True,
    )
    name: str = gk.pd_field(
        category="identity.name",
        purposes=("contract", "crm", "personalisation", "marketing", "bookkeeping"),
        identifies=True,
    )
    email: str = gk.pd_field(
        category="contact.email", purposes=("contract", "crm", "marketing"), identifies=True
    )
    phone: str = gk.pd_field(category="contact.phone", purposes=("contract", "crm"))
    street: str = gk.pd_field(
        category="contact.postal_address", purposes=("contract", "bookkeeping"), identifies=True
    )
    postcode: str = gk.pd_field(
        category="contact.postal_address", purposes=("contract", "bookkeeping", "analytics")
    )
    city: str = gk.pd_field(category="contact.postal_address", purposes=("contract", "bookkeeping"))
    dwelling: str = gk.pd_field(
        category="housing.dwelling_type", purposes=("contract", "analytics")
    )
    area_m2: int = gk.pd_field(category="housing.area", purposes=("contract", "analytics"))
    heating: str = gk.pd_field(category="housing.heating", purposes=("contract", "analytics"))
    heat_pump: str = gk.pd_field(
        category="equipment.heat_pump", purposes=("contract", "crm", "analytics")
    )
    segment: str = "residential"


@gk.personal_data(subject=CUSTOMER, policy=policy)
@attrs.frozen
class Contract:
    """A supply contract; its end date drives the 24-month retention."""

    contract_id: str
    customer_id: str = gk.pd_field(
        category="identity.customer_id", purposes=("contract", "crm"), identifies=True
    )
    product: str = gk.pd_field(category="energy", purposes=("contract", "crm"))
    started_on: date = gk.pd_field(category="energy", purposes=("contract",))
    ended_on: date | None = gk.pd_field(category="energy", purposes=("contract",), default=None)


@gk.personal_data(subject=CUSTOMER, policy=policy)
@attrs.frozen
class Invoice:
    """An invoice: räkenskapsinformation kept under Bokföringslagen 7 kap. 2 §."""

    invoice_id: str
    fiscal_year_end: date
    customer_id: str = gk.pd_field(
        category="identity.customer_id", purposes=("contract", "bookkeeping"), identifies=True
    )
    issued_on: date = gk.pd_field(
        category="financial.invoice", purposes=("contract", "bookkeeping"), origin=gk.Origin.DERIVED
    )
    amount_sek: Decimal = gk.pd_field(
        category="financial.invoice", purposes=("contract", "bookkeeping"), origin=gk.Origin.DERIVED
    )
    paid_on: date | None = gk.pd_field(
        category="financial.payment",
        purposes=("contract", "bookkeeping"),
        origin=gk.Origin.OBSERVED,
        default=None,
    )


@gk.personal_data(subject=CUSTOMER, policy=policy)
@attrs.frozen
class MeterReading:
    """An hourly meter reading: observed data, portable under Art. 20."""

    customer_id: str = gk.pd_field(
        category="identity.customer_id", purposes=("contract",), identifies=True
    )
    meter_id: str = gk.pd_field(
        category="energy.meter_id", purposes=("contract", "crm"), origin=gk.Origin.OBSERVED
    )
    read_at: datetime = gk.pd_field(
        category="energy.consumption", purposes=("contract", "analytics"), origin=gk.Origin.OBSERVED
    )
    kwh: Decimal = gk.pd_field(
        category="energy.consumption",
        purposes=("contract", "analytics", "personalisation"),
        origin=gk.Origin.OBSERVED,
    )


@gk.personal_data(subject=CUSTOMER, policy=policy)
@attrs.frozen
class SupportTicket:
    """A customer-service case."""

    ticket_id: str
    customer_id: str = gk.pd_field(
        category="identity.customer_id", purposes=("crm",), identifies=True
    )
    opened_at: datetime = gk.pd_field(category="communication", purposes=("crm",))
    message: str = gk.pd_field(category="communication.customer_service", purposes=("crm",))


@gk.personal_data(subject=CUSTOMER, policy=policy)
@attrs.frozen
class MarketingPreference:
    """Whether the customer wants marketing e-mail."""

    customer_id: str = gk.pd_field(
        category="identity.customer_id", purposes=("marketing",), identifies=True
    )
    email_opt_in: bool = gk.pd_field(category="preferences.marketing", purposes=("marketing",))
    updated_at: datetime = gk.pd_field(category="preferences.marketing", purposes=("marketing",))


@gk.personal_data(subject=CUSTOMER, policy=policy)
@attrs.frozen
class ChurnScore:
    """A churn score computed by Elveta: derived data, in access but not in portability."""

    customer_id: str = gk.pd_field(
        category="identity.customer_id", purposes=("personalisation",), identifies=True
    )
    score: float = gk.pd_field(
        category="profile.churn_score", purposes=("personalisation",), origin=gk.Origin.DERIVED
    )
    computed_at: datetime = gk.pd_field(
        category="profile.churn_score", purposes=("personalisation",), origin=gk.Origin.DERIVED
    )
