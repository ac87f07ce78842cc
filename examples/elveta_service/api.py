"""The service's HTTP API on FastAPI (``pip install fastapi``): a customer per purpose.

Each handler asks for one purpose and gets only the fields that purpose may
use (``gk.project``); the OpenAPI document shows, through ``CustomerOut``'s
JSON Schema, which fields are personal data and for which purposes.
``tests/test_example_service.py`` runs it with FastAPI's test client.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, HTTPException
from sqlalchemy.orm import Session, sessionmaker

import gdprkit as gk
from elveta_service import service
from elveta_service.models import CustomerOut


def create_app(factory: sessionmaker[Session]) -> FastAPI:
    """The API over the service database ``factory`` opens."""
    app = FastAPI(title="Elveta customer service")

    @app.get("/customers/{customer_id}")
    def customer_service_view(customer_id: str) -> CustomerOut:
        """What customer service (purpose ``crm``) sees of a customer."""
        return CustomerOut(**_view(factory, customer_id, "crm"))

    @app.get("/customers/{customer_id}/purposes/{purpose}")
    def purpose_view(customer_id: str, purpose: str) -> dict[str, Any]:
        """The fields of a customer one purpose of the policy may use."""
        return _view(factory, customer_id, purpose)

    @app.delete("/customers/{customer_id}")
    def erase(customer_id: str) -> dict[str, Any]:
        """Erase a customer (Art. 17): what went, what stays until when, and why."""
        receipt = service.erase_customer(factory, customer_id, at=datetime.now(UTC))
        return {"complete": receipt.complete, "receipt": receipt.render("en")}

    return app


def _view(factory: sessionmaker[Session], customer_id: str, purpose: str) -> dict[str, Any]:
    try:
        return service.view(factory, customer_id, purpose)
    except KeyError:
        raise HTTPException(404, "no such customer") from None
    except gk.UnknownPurpose:
        raise HTTPException(404, f"the policy has no purpose {purpose!r}") from None
    except gk.ProcessingRefused as refused:
        raise HTTPException(403, str(refused)) from None
