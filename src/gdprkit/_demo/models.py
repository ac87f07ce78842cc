"""Elveta's data models, tagged with category, purposes and origin.

Shipped inside gdprkit for ``python -m gdprkit demo`` and shown in
``examples/elveta/``: this is how a service declares what it holds and why,
and what a customer reads on the export page: each model and field has a
label in Swedish and English (a field without one is called by its data
category, "Telefonnummer" for ``contact.phone``).
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


@gk.personal_data(
    subject=CUSTOMER,
    policy=policy,
    label={"sv": "Kunduppgifter", "en": "Customer details"},
    field_labels={"segment": {"sv": "Kundsegment", "en": "Customer segment"}},
)
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
        category="contact.postal_address",
        purposes=("contract", "bookkeeping"),
        identifies=True,
        label={"sv": "Gatuadress", "en": "Street address"},
    )
    postcode: str = gk.pd_field(
        category="contact.postal_address",
        purposes=("contract", "bookkeeping", "analytics"),
        label={"sv": "Postnummer", "en": "Postcode"},
    )
    city: str = gk.pd_field(
        category="contact.postal_address",
        purposes=("contract", "bookkeeping"),
        label={"sv": "Ort", "en": "Town"},
    )
    dwelling: str = gk.pd_field(
        category="housing.dwelling_type", purposes=("contract", "analytics")
    )
    area_m2: int = gk.pd_field(
        category="housing.area",
        purposes=("contract", "analytics"),
        label={"sv": "Boyta (m²)", "en": "Living area (m²)"},
    )
    heating: str = gk.pd_field(category="housing.heating", purposes=("contract", "analytics"))
    heat_pump: str = gk.pd_field(
        category="equipment.heat_pump", purposes=("contract", "crm", "analytics")
    )
    segment: str = "residential"


@gk.personal_data(
    subject=CUSTOMER,
    policy=policy,
    label={"sv": "Avtal", "en": "Contracts"},
    field_labels={"contract_id": {"sv": "Avtalsnummer", "en": "Contract number"}},
)
@attrs.frozen
class Contract:
    """A supply contract; its end date drives the 24-month retention."""

    contract_id: str
    customer_id: str = gk.pd_field(
        category="identity.customer_id", purposes=("contract", "crm"), identifies=True
    )
    product: str = gk.pd_field(
        category="energy",
        purposes=("contract", "crm"),
        label={"sv": "Produkt", "en": "Product"},
    )
    started_on: date = gk.pd_field(
        category="energy",
        purposes=("contract",),
        label={"sv": "Startdatum", "en": "Start date"},
    )
    ended_on: date | None = gk.pd_field(
        category="energy",
        purposes=("contract",),
        default=None,
        label={"sv": "Slutdatum", "en": "End date"},
    )


@gk.personal_data(
    subject=CUSTOMER,
    policy=policy,
    label={"sv": "Fakturor", "en": "Invoices"},
    field_labels={
        "invoice_id": {"sv": "Fakturanummer", "en": "Invoice number"},
        "fiscal_year_end": {"sv": "Räkenskapsårets slut", "en": "End of the fiscal year"},
    },
)
@attrs.frozen
class Invoice:
    """An invoice: räkenskapsinformation kept under Bokföringslagen 7 kap. 2 §."""

    invoice_id: str
    fiscal_year_end: date
    customer_id: str = gk.pd_field(
        category="identity.customer_id", purposes=("contract", "bookkeeping"), identifies=True
    )
    issued_on: date = gk.pd_field(
        category="financial.invoice",
        purposes=("contract", "bookkeeping"),
        origin=gk.Origin.DERIVED,
        label={"sv": "Fakturadatum", "en": "Invoice date"},
    )
    amount_sek: Decimal = gk.pd_field(
        category="financial.invoice",
        purposes=("contract", "bookkeeping"),
        origin=gk.Origin.DERIVED,
        label={"sv": "Belopp (kr)", "en": "Amount (SEK)"},
    )
    paid_on: date | None = gk.pd_field(
        category="financial.payment",
        purposes=("contract", "bookkeeping"),
        origin=gk.Origin.OBSERVED,
        default=None,
        label={"sv": "Betald", "en": "Paid on"},
    )


@gk.personal_data(
    subject=CUSTOMER,
    policy=policy,
    label={"sv": "Mätvärden", "en": "Meter readings"},
)
@attrs.frozen
class MeterReading:
    """An hourly meter reading: observed data, portable under Art. 20."""

    customer_id: str = gk.pd_field(
        category="identity.customer_id", purposes=("contract",), identifies=True
    )
    meter_id: str = gk.pd_field(
        category="energy.meter_id",
        purposes=("contract", "crm"),
        origin=gk.Origin.OBSERVED,
        label={"sv": "Mätare", "en": "Meter"},
    )
    read_at: datetime = gk.pd_field(
        category="energy.consumption",
        purposes=("contract", "analytics"),
        origin=gk.Origin.OBSERVED,
        label={"sv": "Tidpunkt", "en": "Time"},
    )
    kwh: Decimal = gk.pd_field(
        category="energy.consumption",
        purposes=("contract", "analytics", "personalisation"),
        origin=gk.Origin.OBSERVED,
        label={"sv": "Förbrukning (kWh)", "en": "Consumption (kWh)"},
    )


@gk.personal_data(
    subject=CUSTOMER,
    policy=policy,
    label={"sv": "Kundtjänstärenden", "en": "Customer-service cases"},
    field_labels={"ticket_id": {"sv": "Ärendenummer", "en": "Case number"}},
)
@attrs.frozen
class SupportTicket:
    """A customer-service case."""

    ticket_id: str
    customer_id: str = gk.pd_field(
        category="identity.customer_id", purposes=("crm",), identifies=True
    )
    opened_at: datetime = gk.pd_field(
        category="communication",
        purposes=("crm",),
        label={"sv": "Öppnat", "en": "Opened"},
    )
    message: str = gk.pd_field(
        category="communication.customer_service",
        purposes=("crm",),
        label={"sv": "Meddelande", "en": "Message"},
    )


@gk.personal_data(
    subject=CUSTOMER,
    policy=policy,
    label={"sv": "Val om marknadsföring", "en": "Marketing choices"},
)
@attrs.frozen
class MarketingPreference:
    """Whether the customer wants marketing e-mail."""

    customer_id: str = gk.pd_field(
        category="identity.customer_id", purposes=("marketing",), identifies=True
    )
    email_opt_in: bool = gk.pd_field(
        category="preferences.marketing",
        purposes=("marketing",),
        label={"sv": "Vill ha erbjudanden via e-post", "en": "Wants offers by e-mail"},
    )
    updated_at: datetime = gk.pd_field(
        category="preferences.marketing",
        purposes=("marketing",),
        label={"sv": "Senast ändrat", "en": "Last changed"},
    )


@gk.personal_data(
    subject=CUSTOMER,
    policy=policy,
    label={"sv": "Beräknad risk att du lämnar oss", "en": "Estimated risk that you leave us"},
)
@attrs.frozen
class ChurnScore:
    """A churn score computed by Elveta: derived data, in access but not in portability."""

    customer_id: str = gk.pd_field(
        category="identity.customer_id", purposes=("personalisation",), identifies=True
    )
    score: float = gk.pd_field(
        category="profile.churn_score",
        purposes=("personalisation",),
        origin=gk.Origin.DERIVED,
        label={"sv": "Riskpoäng (0–1)", "en": "Risk score (0–1)"},
    )
    computed_at: datetime = gk.pd_field(
        category="profile.churn_score",
        purposes=("personalisation",),
        origin=gk.Origin.DERIVED,
        label={"sv": "Beräknad", "en": "Computed"},
    )
