"""Anna's access request with what a real service has besides its own records: sign-ups a
reseller passed on (Art. 14, 15(1)(g)) and a neighbour's phone number written into one of her
support tickets (Art. 15(4)). The page tests read the package as HTML and in a browser.
"""

from __future__ import annotations

import sqlite3

import attrs

import gdprkit as gk
from gdprkit import rights
from gdprkit._demo import models, service

__all__ = [
    "NEIGHBOUR",
    "RESELLER",
    "PartnerSignup",
    "signup_model",
    "sources",
    "withhold_the_neighbours_number",
]


def signup_model(model_source: gk.Text | str | None = None) -> type:
    """Sign-ups through a reseller, who passed on these details (Art. 14); ``model_source``
    is where the model says its third-party data came from (``@personal_data(source=)``)."""

    @gk.personal_data(
        subject="customer",
        policy=models.policy,
        label={"sv": "Anmälningar via partner", "en": "Sign-ups through partners"},
        source=model_source,
    )
    @attrs.frozen
    class PartnerSignup:
        """A customer signed up through a partner, who passed on these details."""

        signup_id: str
        customer_id: str = gk.pd_field(
            category="identity.customer_id", purposes=("contract",), identifies=True
        )
        name: str = gk.pd_field(
            category="identity.name", purposes=("contract",), origin="third_party",
            label={"sv": "Namn", "en": "Name"},
        )  # fmt: skip
        phone: str = gk.pd_field(
            category="contact.phone", purposes=("contract",), origin="third_party",
            label={"sv": "Telefon", "en": "Phone"},
        )  # fmt: skip
        dwelling: str = gk.pd_field(
            category="housing.dwelling_type", purposes=("contract",), origin="third_party",
            source="Lantmäteriet", label={"sv": "Bostadstyp", "en": "Type of home"},
        )  # fmt: skip
        product: str = gk.pd_field(
            category="energy", purposes=("contract",), label={"sv": "Produkt", "en": "Product"}
        )

    return PartnerSignup


PartnerSignup = signup_model()


#: Where the reseller's sign-ups came from, as their data source says (Art. 15(1)(g)).
RESELLER = gk.Text.of({"sv": "Återförsäljaren Solpartner AB", "en": "the reseller Solpartner AB"})
#: Another person's number, written into Anna's support ticket.
NEIGHBOUR = "070-123 45 67"


def withhold_the_neighbours_number(kind: str, field: str, value: object, record: object) -> object:
    """The controller's redaction hook: another person's number is not Anna's data."""
    if field == "message" and isinstance(value, str) and NEIGHBOUR in value:
        return rights.Redacted(value.replace(NEIGHBOUR, "[nummer borttaget]"))
    return value


def sources(db: sqlite3.Connection) -> list[rights.DataSource]:
    """The service's sources, Anna's ticket now naming her neighbour, and the reseller's."""
    db.execute(
        "UPDATE support_tickets SET message = ? WHERE customer_id = 'C-1042'",
        (f"Ring min granne Bo på {NEIGHBOUR} om nyckeln till mätarskåpet.",),
    )
    signups = rights.IterableSource(
        "partner_signups", PartnerSignup,
        [PartnerSignup("S-1", "C-1042", "Anna Berg", "+46701234567", "villa", "Elveta Sol")],
        subject_field="customer_id", source_of_data=RESELLER,
    )  # fmt: skip
    return [*service.sources(db), signups]
