"""The example service (examples/elveta_service/): its models pass the classification gate,
it answers an access request, erases a customer, runs the retention job, and (with FastAPI)
projects a customer per request and shows the tags in its OpenAPI document.

Its scripts run under examples/run_all.py; these tests check the same tasks in detail."""

from __future__ import annotations

import warnings
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

pytest.importorskip("sqlalchemy", reason="gdprkit[sqlalchemy] is not installed (sqlalchemy)")
pytest.importorskip("pydantic", reason="gdprkit[pydantic] is not installed (pydantic)")

import sqlalchemy as sa  # after the skips: the example needs both extras
from sqlalchemy.orm import Session, sessionmaker

import gdprkit as gk
from gdprkit import cli, rights
from gdprkit.testing import assert_classified

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Europe/Stockholm"))


@pytest.fixture
def example(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.syspath_prepend(str(EXAMPLES))
    from elveta_service import service

    return service


@pytest.fixture
def factory(example: Any, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    made: sessionmaker[Session] = example.open_database(tmp_path)
    example.seed(made)
    yield made
    bind = made.kw["bind"]
    bind.dispose()


def test_every_model_of_the_example_is_classified(example: Any) -> None:
    report = assert_classified("elveta_service.models")
    assert len(report.models) == 5 and not report.unclassified


def test_check_models_passes_on_the_example(
    example: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["check-models", "--path", str(EXAMPLES), "elveta_service.models"]) == 0
    assert "0 unclassified" in capsys.readouterr().out


def test_access_request(example: Any, factory: sessionmaker[Session], tmp_path: Path) -> None:
    out = tmp_path / "anna.zip"
    result = example.answer_access_request(factory, "C-1042", out, at=NOW)
    manifest = rights.verify_package(out)
    assert {k["source"]: k["rows"] for k in manifest["record_kinds"]} == {
        "customers": 1, "invoices": 2, "meters": 1, "meter_readings": 48,
    }  # fmt: skip
    assert result.rows == 52
    with zipfile.ZipFile(out) as zf:
        assert "C-1043" not in zf.read("data/invoices.csv").decode()


def test_access_request_by_alias(example: Any, factory: sessionmaker[Session]) -> None:
    by_email = rights.SubjectRef("customer", "unknown", aliases={"email": "anna@example.se"})
    counts = {s.name: sum(1 for _ in s.records(by_email)) for s in example.sources(factory)}
    assert counts == {"meter_readings": 48, "invoices": 2, "meters": 1, "customers": 1}


def test_erase_a_customer(example: Any, factory: sessionmaker[Session]) -> None:
    receipt = example.erase_customer(factory, "C-1042", at=NOW)
    assert receipt.complete
    assert {i.until.year for i in receipt.retained if i.until} == {2032, 2033}
    from elveta_service.models import Customer, Invoice, MeterReading

    with factory() as session:
        anna = session.get(Customer, "C-1042")
        assert anna is not None and anna.email is None and anna.name == "Anna Berg"
        assert anna.contract_ended is not None  # kept with the accounting records
        invoices = session.scalars(sa.select(Invoice.customer_id)).all()
        assert invoices.count("C-1042") == 2
        readings = session.scalar(sa.select(sa.func.count()).select_from(MeterReading))
        assert readings == 2 * 48  # Erik's and Maja's; Anna's are erased, none kept anonymous
    assert example.erase_customer(factory, "C-1042", at=NOW).total_changed == 0


def test_the_retention_job(example: Any, factory: sessionmaker[Session]) -> None:
    assert example.retention_job(factory, NOW) == {
        "meter_readings": 48, "meters": 1, "invoices": 1, "customers": 0,
    }  # fmt: skip
    assert set(example.retention_job(factory, NOW).values()) == {0}
    # Maja's last invoice (2023) runs out on 2031-01-01; then her account goes too
    later = datetime(2031, 1, 1, 0, 0, tzinfo=ZoneInfo("Europe/Stockholm"))
    assert example.retention_job(factory, later)["customers"] == 1
    # Anna's, erased in between, still leaves when her invoices run out
    example.erase_customer(factory, "C-1042", at=NOW)
    gone = example.retention_job(factory, datetime(2033, 1, 1, tzinfo=ZoneInfo("UTC")))
    assert gone["invoices"] == 2 and gone["customers"] == 1


def test_project_per_request(example: Any, factory: sessionmaker[Session]) -> None:
    assert example.view(factory, "C-1042", "marketing") == {
        "name": "Anna Berg", "email": "anna@example.se",
    }  # fmt: skip
    with pytest.raises(gk.PurposeNotAllowed):
        example.view(factory, "C-1042", "security")
    with pytest.raises(KeyError):
        example.view(factory, "C-9999", "crm")


def test_the_api(example: Any, factory: sessionmaker[Session]) -> None:
    pytest.importorskip("fastapi", reason="FastAPI is not installed")
    pytest.importorskip("httpx", reason="httpx (FastAPI's test client) is not installed")
    with warnings.catch_warnings():
        # newer Starlette asks for its httpx2 fork; httpx works, and is what CI installs
        warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
        from fastapi.testclient import TestClient
    from elveta_service.api import create_app

    client = TestClient(create_app(factory))
    crm = client.get("/customers/C-1042")
    assert crm.status_code == 200
    assert crm.json() == {
        "customer_id": "C-1042", "name": "Anna Berg", "email": "anna@example.se",
        "heat_pump": "NIBE S1255",
    }  # fmt: skip
    assert client.get("/customers/C-1042/purposes/marketing").json() == {
        "name": "Anna Berg", "email": "anna@example.se",
    }  # fmt: skip
    assert client.get("/customers/C-1042/purposes/security").status_code == 403
    assert client.get("/customers/C-1042/purposes/astrology").status_code == 404
    assert client.get("/customers/C-9999").status_code == 404
    schema = client.get("/openapi.json").json()["components"]["schemas"]["CustomerOut"]
    assert schema["properties"]["email"]["x-gdprkit"]["purposes"] == ["crm"]
    erased = client.delete("/customers/C-1043")
    assert erased.status_code == 200 and erased.json()["complete"]
    assert client.get("/customers/C-1043").json()["email"] is None
