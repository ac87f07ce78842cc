"""gdprkit reports what it does through stdlib logging, and never with personal data or keys."""

from __future__ import annotations

import base64
import logging
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

import gdprkit as gk
from gdprkit import pseudonym, rights
from gdprkit._demo import service
from gdprkit.audit import AuditLog
from gdprkit.cli import main
from gdprkit.consent import Ledger
from gdprkit.store import SQLiteStore

from .conftest import ELVETA_POLICY

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
CONCERNS = ("export", "erasure", "consent", "store", "keys")


def test_the_gdprkit_logger_has_a_null_handler() -> None:
    assert any(isinstance(h, logging.NullHandler) for h in logging.getLogger("gdprkit").handlers)


def _key_material(keyring: pseudonym.Keyring, kek_file: Path) -> list[str]:
    """Every form a key of ``keyring`` or the KEK could take in a message: base64, hex."""
    _, _, encoded = kek_file.read_text(encoding="ascii").strip().partition(":")
    kek = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    forms = []
    for raw in (*(key.secret.reveal() for key in keyring._keys), kek):
        forms += [
            base64.urlsafe_b64encode(raw).decode().rstrip("="),
            base64.b64encode(raw).decode(),
            raw.hex(),
            raw.hex().upper(),
        ]
    return forms


def test_an_export_erasure_and_consent_flow_logs_no_personal_data_or_keys(
    db: sqlite3.Connection,
    elveta: gk.Policy,
    anna: rights.SubjectRef,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    customer = db.execute(
        "SELECT name, email, phone, street FROM customers WHERE customer_id = ?", (anna.id,)
    ).fetchone()
    caplog.set_level(logging.DEBUG, logger="gdprkit")
    with SQLiteStore(tmp_path / "gdprkit.db") as store:
        keyring = pseudonym.Keyring.generate(at=NOW)
        keyring.save(store, kek=pseudonym.Kek.create_file(tmp_path / "gdprkit.kek"))
        audit = AuditLog(store, pseudonymizer=pseudonym.Pseudonymizer(keyring, domain="audit"))
        ledger = Ledger(
            store, elveta, pseudonymizer=pseudonym.Pseudonymizer(keyring, domain="l"), audit=audit
        )
        ledger.grant(
            "browser-7f3a", ["cookies.analytics"], notice_version="2026-11", method="dialog", at=NOW
        )
        ledger.object(anna.id, "marketing", at=NOW)
        keys = pseudonym.SubjectKeys(store, keyring)
        keys.encrypt(anna.id, "note", "Ring mig efter 17")
        sources = service.sources(db)
        facts = service.facts_for(db, anna.id)
        rights.export_subject(
            anna, sources, elveta, at=NOW, out=tmp_path / "p.zip", facts=facts, audit=audit
        )
        plan = rights.plan_erasure(anna, sources, elveta, facts, NOW)
        rights.execute_erasure(plan, audit=audit, ledger=ledger, subject_keys=keys)
        keys.shred(anna.id, at=NOW)
    heard = {r.name.removeprefix("gdprkit.") for r in caplog.records}
    assert set(CONCERNS) <= heard, heard
    said = "\n".join(f"{r.name} {r.levelname} {r.getMessage()} {r.args!r}" for r in caplog.records)
    keys_held = _key_material(keyring, tmp_path / "gdprkit.kek")
    for secret in (anna.id, "browser-7f3a", *customer, *keys_held):
        assert secret not in said, secret
    assert "access package written: " in said and "from 7 sources (customers, " in said
    assert "consent.given: purposes=['cookies.analytics']" in said
    assert "objection.recorded: purposes=['marketing']" in said


def test_an_unconfigured_application_hears_nothing(tmp_path: Path) -> None:
    """A failed erasure source is a warning; without handlers it must not reach stderr."""
    script = f"""
import sqlite3
from datetime import datetime, UTC
from gdprkit import rights
from gdprkit._demo import models, service
conn = sqlite3.connect({str(tmp_path / "s.db")!r})
service.create_schema(conn)
service.seed(conn, customers=1, hours=2)
subject = rights.SubjectRef(kind="customer", id="C-1042")
sources = service.sources(conn)
now = datetime(2029, 1, 1, tzinfo=UTC)
plan = rights.plan_erasure(subject, sources, models.policy, service.facts_for(conn, "C-1042"), now)
conn.execute("DROP TABLE meter_readings")
receipt = rights.execute_erasure(plan)
assert receipt.failed, receipt
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


def test_verbose_shows_the_log_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from .conftest import service_database

    service_database(tmp_path / "elveta.db").close()
    out = tmp_path / "p.zip"
    args = ["export", "--policy", str(ELVETA_POLICY), "--db", str(tmp_path / "elveta.db"),
            "--sources", "gdprkit._demo.service:sources", "--kind", "customer",
            "--subject", "C-1042", "--out", str(out), "-v"]  # fmt: skip
    try:
        assert main(args) == 0
    finally:
        for handler in list(logging.getLogger("gdprkit").handlers):
            if not isinstance(handler, logging.NullHandler):
                logging.getLogger("gdprkit").removeHandler(handler)
        logging.getLogger("gdprkit").setLevel(logging.NOTSET)
    err = capsys.readouterr().err
    assert "gdprkit.export: access package written: " in err
    assert "C-1042" not in err
