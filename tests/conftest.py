"""Shared fixtures: the Elveta policy and a small valid policy to break on purpose, Elveta's
service database and its first customer, DESIGN.md's ``Customer`` model, and a throw-away
PostgreSQL server for the store tests."""

from __future__ import annotations

import contextlib
import copy
import os
import sqlite3
import sysconfig
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, settings

import gdprkit as gk
from gdprkit import rights
from gdprkit._demo import service
from tests import pg

ROOT = Path(__file__).resolve().parent.parent
ELVETA_POLICY = ROOT / "examples" / "elveta" / "policy.toml"


def pytest_report_header() -> str:
    """Which gdprkit the run tests: the source tree, or an installed copy (``nox -s wheel``)."""
    return f"gdprkit {gk.__version__} from {Path(gk.__file__).resolve().parent}"


def pytest_sessionstart(session: pytest.Session) -> None:
    """With ``GDPRKIT_TESTS_AGAINST=installed``, refuse to test anything but site-packages' copy.

    ``nox -s wheel`` sets it: a suite that imported the source tree instead
    would pass without testing the wheel at all.
    """
    if os.environ.get("GDPRKIT_TESTS_AGAINST") != "installed":
        return
    site = Path(sysconfig.get_paths()["purelib"]).resolve()
    package = Path(gk.__file__).resolve().parent
    if site not in package.parents:
        raise pytest.UsageError(f"the tests must import gdprkit from {site}, not from {package}")


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


@pytest.fixture(autouse=True)
def _no_guards_left_installed() -> Iterator[None]:
    """Guards installed with ``gk.install_guards()`` are process-wide: none outlives its test."""
    yield
    gk.install_guards()


#: With :func:`change_key`: remove the key instead of setting it.
DELETE = object()


def change_key(data: dict[str, Any], path: str, value: object) -> None:
    """Set (or, with :data:`DELETE`, remove) the key at a dotted ``path`` of a policy mapping."""
    *parents, last = path.split(".")
    node = data
    for key in parents:
        node = node[key]
    if value is DELETE:
        del node[last]
    else:
        node[last] = value


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


# -- Elveta's service -------------------------------------------------------------------------

#: Hours of meter readings each invented customer has: one reading an hour.
SERVICE_HOURS = 48


def service_database(path: Path, *, hours: int = SERVICE_HOURS) -> sqlite3.Connection:
    """Elveta's service database at ``path``: three invented customers, C-1042 first.

    Each has a contract, 8 invoices, ``hours`` hourly meter readings, a support
    ticket, a marketing preference and a churn score (``gdprkit._demo.service``).
    """
    conn = sqlite3.connect(path)
    service.create_schema(conn)
    service.seed(conn, customers=3, hours=hours)
    return conn


@pytest.fixture
def db(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    """A connection to a fresh :func:`service_database`."""
    conn = service_database(tmp_path / "elveta.db")
    yield conn
    conn.close()


@pytest.fixture
def anna() -> rights.SubjectRef:
    """The first invented customer, whose contract ended on 2025-06-30."""
    return rights.SubjectRef(kind="customer", id="C-1042")


@pytest.fixture(scope="session")
def elveta_customer(elveta: gk.Policy) -> type[Any]:
    """DESIGN.md's ``Customer`` model, as written there, tagged against Elveta's policy."""

    @gk.personal_data(subject="customer", policy=elveta)
    @attrs.frozen
    class Customer:
        customer_id: str = gk.pd_field(
            category="identity.customer_id", purposes=("contract", "crm"), identifies=True
        )
        email: str = gk.pd_field(
            category="contact.email",
            purposes=("contract", "crm", "marketing"),
            origin=gk.Origin.PROVIDED,
        )
        plan: str = "basic"  # untagged: not personal data

    return Customer


# -- PostgreSQL -------------------------------------------------------------------------------


def _postgres_required() -> bool:
    """Whether a run without PostgreSQL fails rather than skips.

    ``GDPRKIT_REQUIRE_POSTGRES=1`` (``.ci/run``) says so and ``=0`` says not (the
    core-only run, which has no psycopg); without it, ``CI`` decides.
    """
    explicit = os.environ.get("GDPRKIT_REQUIRE_POSTGRES", "")
    return explicit != "0" if explicit else bool(os.environ.get("CI"))


POSTGRES_REQUIRED = _postgres_required()


def postgres_unavailable(reason: str) -> None:
    """Skip a PostgreSQL test with ``reason`` shown, or fail it where CI requires PostgreSQL."""
    if POSTGRES_REQUIRED:
        pytest.fail(f"CI must run the PostgreSQL tests, but {reason}")
    pytest.skip(f"PostgreSQL tests skipped: {reason}")


@pytest.fixture(scope="session")
def cluster() -> Iterator[pg.Cluster]:
    """One throw-away cluster for the whole run, stopped and deleted at the end."""
    missing = pg.missing_reason()
    if missing is not None:
        postgres_unavailable(missing)
    bindir = pg.find_bindir()
    assert bindir is not None
    running = pg.Cluster(bindir)
    try:
        running.start()
        yield running
    finally:
        running.stop()


@pytest.fixture
def new_database(cluster: pg.Cluster) -> Iterator[Callable[[], str]]:
    """Makes fresh, empty PostgreSQL databases and returns their URLs; drops them after the test."""
    with contextlib.ExitStack() as stack:
        yield lambda: stack.enter_context(cluster.database(f"t_{uuid.uuid4().hex[:12]}"))


@pytest.fixture
def pg_url(new_database: Callable[[], str]) -> str:
    """A fresh, empty PostgreSQL database for one test."""
    return new_database()
