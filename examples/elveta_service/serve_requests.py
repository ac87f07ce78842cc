"""Project a customer per request: each purpose sees only the fields tagged for it."""

from __future__ import annotations

import gdprkit as gk
from elveta_service import service

EXPECT = [
    "crm: {'customer_id': 'C-1042', 'name': 'Anna Berg', 'email': 'anna@example.se'",
    "marketing: {'name': 'Anna Berg', 'email': 'anna@example.se'}",
    "security: refused (PurposeNotAllowed)",
    "astrology: refused (UnknownPurpose)",
]

factory = service.open_database(service.workdir())
service.seed(factory)
for purpose in ("crm", "marketing", "security", "astrology"):
    try:
        print(f"{purpose}: {service.view(factory, 'C-1042', purpose)}")
    except (gk.UnknownPurpose, gk.ProcessingRefused) as refused:
        print(f"{purpose}: refused ({type(refused).__name__})")
