"""Shared fixtures: the Elveta policy and a small valid policy to break on purpose."""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

import gdprkit as gk
from tests import pg

ROOT = Path(__file__).resolve().parent.parent
ELVETA_POLICY = ROOT / "examples" / "elveta" / "policy.toml"

# These machines are shared and noisy: a slow data generator is not a failure.
_RELAXED = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("ci", max_examples=200, **_RELAXED)
settings.register_profile("thorough", max_examples=2000, **_RELAXED)
settings.register_profile("dev", max_examples=50, **_RELAXED)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)

MINIMAL: dict[str, Any] = {
    "policy": {
        "version": "1",
        "effective": "2026-01-01",
        "timezone": "Europe/Stockholm",
        "languages": ["sv", "en"],
    },
    "controller": {"name": "Exempel AB", "email": "dpo@example.se", "address": "Stockholm"},
    "authority": {
        "name": {"sv": "Integritetsskyddsmyndigheten", "en": "IMY"},
        "website": "https://www.imy.se/",
    },
    "rights": {
        "contact": "dpo@example.se",
        "automated_decisions": {
            "sv": "Inga automatiserade beslut.",
            "en": "No automated decisions.",
        },
        "security_measures": {"sv": "Kryptering.", "en": "Encryption."},
    },
    "subjects": {"customer": {"name": {"sv": "Kunder", "en": "Customers"}}},
    "purposes": {
        "service": {
            "name": {"sv": "Tjänst", "en": "Service"},
            "description": {"sv": "Leverans.", "en": "Delivery."},
            "basis": "contract",
            "categories": ["contact.email"],
            "subjects": ["customer"],
        },
        "news": {
            "name": {"sv": "Nyheter", "en": "News"},
            "description": {"sv": "Utskick.", "en": "Mailings."},
            "basis": "legitimate_interests",
            "legitimate_interest_assessment": "LIA-1",
            "direct_marketing": True,
        },
        "stats": {
            "name": {"sv": "Statistik", "en": "Statistics"},
            "description": {"sv": "Anonym.", "en": "Anonymous."},
            "basis": "legitimate_interests",
            "legitimate_interest_assessment": "LIA-2",
            "anonymized_only": True,
        },
        "care": {
            "name": {"sv": "Vård", "en": "Care"},
            "description": {"sv": "Hälsa.", "en": "Health."},
            "basis": "consent",
            "special_condition": "9(2)(a)",
        },
    },
}


@pytest.fixture(scope="session")
def elveta() -> gk.Policy:
    """Elveta's policy as shipped in examples/elveta/policy.toml."""
    return gk.Policy.from_toml(ELVETA_POLICY)


@pytest.fixture
def minimal_dict() -> dict[str, Any]:
    """A deep copy of a small valid policy, to be broken by a test."""
    return copy.deepcopy(MINIMAL)


@pytest.fixture(scope="session")
def minimal() -> gk.Policy:
    """The small valid policy."""
    return gk.Policy.from_dict(copy.deepcopy(MINIMAL), source="minimal.toml")


#: Set by CI (and ``.ci/run``): a run without PostgreSQL is then a failure, not a skip.
PG_REQUIRED = bool(os.environ.get("CI") or os.environ.get("GDPRKIT_REQUIRE_POSTGRES"))


def pg_unavailable(reason: str) -> None:
    """Skip a PostgreSQL test for ``reason`` (fail it instead where CI requires PostgreSQL)."""
    if PG_REQUIRED:
        pytest.fail(f"CI must run the PostgreSQL tests, but {reason}")
    pytest.skip(f"PostgreSQL tests skipped: {reason}")


@pytest.fixture(scope="session")
def cluster() -> Iterator[pg.Cluster]:
    """One throw-away PostgreSQL cluster for the whole run (tests/pg.py), deleted at the end."""
    missing = pg.missing_reason()
    if missing is not None:
        pg_unavailable(missing)
    bindir = pg.find_bindir()
    assert bindir is not None
    running = pg.Cluster(bindir)
    try:
        running.start()
        yield running
    finally:
        running.stop()
