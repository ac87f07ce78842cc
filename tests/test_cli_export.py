"""gdprkit export: a verifiable package for a subject, and clean errors when it cannot be one."""

from __future__ import annotations

import hashlib
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from gdprkit import rights
from gdprkit._demo.service import sources as service_sources
from gdprkit.cli import main

from .conftest import ELVETA_POLICY, SERVICE_HOURS, service_database

RESULT_LINE = re.compile(r"(?P<path>.+): (?P<rows>\d+) rows, sha256 (?P<sha>[0-9a-f]{64})")


@pytest.fixture
def db(tmp_path):
    """The path of a fresh service database (the command opens it itself)."""
    path = tmp_path / "elveta.db"
    service_database(path).close()
    return path


#: The data sources of Elveta's service, for ``--sources``.
SOURCES = "gdprkit._demo.service:sources"


def _args(db, out, subject="C-1042", *extra):
    return ["export", "--policy", str(ELVETA_POLICY), "--db", str(db), "--sources", SOURCES,
            "--kind", "customer", "--subject", subject, "--out", str(out), *extra]  # fmt: skip


def test_export_writes_a_verifiable_package(db, tmp_path, capsys):
    out = tmp_path / "packages" / "C-1042-access.zip"
    assert main(_args(db, out)) == 0
    printed = capsys.readouterr()
    match = RESULT_LINE.fullmatch(printed.out.strip())
    assert match is not None, printed.out
    assert Path(match["path"]) == out
    # one customer, contract, ticket, preference and score; 8 invoices; a reading an hour
    assert int(match["rows"]) == 5 + 8 + SERVICE_HOURS
    assert match["sha"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert printed.err == ""  # progress is shown on a terminal only
    manifest = rights.verify_package(out)
    assert manifest["scope"] == "access"
    assert manifest["subject"] == {"kind": "customer", "id": "C-1042"}
    rows = {k["source"]: k["rows"] for k in manifest["record_kinds"]}
    assert rows["meter_readings"] == SERVICE_HOURS
    assert sorted(p.name for p in out.parent.iterdir()) == ["C-1042-access.zip"]


def test_portability_scope(db, tmp_path, capsys):
    out = tmp_path / "portability.zip"
    assert main(_args(db, out, "C-1043", "--scope", "portability")) == 0
    assert RESULT_LINE.fullmatch(capsys.readouterr().out.strip())
    manifest = rights.verify_package(out)
    assert manifest["scope"] == "portability"
    assert manifest["subject"]["id"] == "C-1043"
    kinds = {k["record_kind"]: k for k in manifest["record_kinds"]}
    assert {x["field"] for x in kinds["ChurnScore"]["excluded_fields"]} >= {"score"}


def _garbage(tmp_path: Path) -> Path:
    path = tmp_path / "garbage.db"
    path.write_bytes(b"this is not an SQLite database, not even close" * 100)
    return path


def _empty(tmp_path: Path) -> Path:
    path = tmp_path / "empty.db"
    sqlite3.connect(path).close()
    return path


@pytest.mark.parametrize(
    ("make_db", "subject", "message"),
    [
        (lambda tmp, db: tmp / "missing.db", "C-1042", "no database file"),
        (lambda tmp, db: tmp, "C-1042", "no database file"),  # a directory
        (lambda tmp, db: _garbage(tmp), "C-1042", "cannot read the database"),
        (lambda tmp, db: _empty(tmp), "C-1042", "cannot read the database"),
        (lambda tmp, db: db, "", "--subject"),
        (lambda tmp, db: db, "   ", "--subject"),
    ],
    ids=[
        "missing database file",
        "database path is a directory",
        "file is not a database",
        "database without the tables",
        "empty subject id",
        "blank subject id",
    ],
)
def test_errors_are_clean_and_write_nothing(db, tmp_path, capsys, make_db, subject, message):
    out = tmp_path / "out" / "package.zip"
    status = main(_args(make_db(tmp_path, db), out, subject))
    printed = capsys.readouterr()
    assert status != 0
    assert printed.out == ""
    assert printed.err.startswith("gdprkit: ")
    assert message in printed.err
    assert "Traceback" not in printed.err
    assert not out.exists()
    assert not out.parent.exists() or list(out.parent.iterdir()) == []
    assert not (tmp_path / "missing.db").exists()  # read-only: never creates a database


def test_a_failed_export_leaves_an_existing_package_alone(db, tmp_path, capsys):
    out = tmp_path / "package.zip"
    out.write_bytes(b"an earlier package")
    assert main([*_args(db, out), "--sources", "tests.test_cli_export:failing_sources"]) != 0
    assert "cannot read the database" in capsys.readouterr().err
    assert out.read_bytes() == b"an earlier package"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["elveta.db", "package.zip"]


def failing_sources(conn):
    """The service's sources, reading a table that is not there after the first."""
    from gdprkit._demo import models

    first, *_ = service_sources(conn)
    broken = rights.SQLSource(conn, table="no_such_table", subject_column="customer_id",
                              model=models.Customer, name="broken")  # fmt: skip
    return [first, broken]


@pytest.mark.parametrize(
    "subject",
    ["C-9999", "c-1042", "x' OR '1'='1", "anna.berg@example.se"],
    ids=["unknown subject", "subject id in the wrong case", "SQL injection attempt", "an e-mail"],
)
def test_a_subject_without_data_gets_a_package_that_confirms_it(db, tmp_path, capsys, subject):
    """Art. 15(1): confirming that no personal data are processed is an answer, not an error."""
    out = tmp_path / "none.zip"
    assert main(_args(db, out, subject)) == 0
    printed = capsys.readouterr()
    assert printed.out.startswith(f"{out}: no personal data about this customer in any source")
    assert printed.err == ""
    assert subject not in printed.out  # the id is personal data: never repeated
    manifest = rights.verify_package(out)
    assert all(k["rows"] == 0 for k in manifest["record_kinds"])


def test_missing_policy_and_bad_sources(db, tmp_path, capsys):
    args = _args(db, tmp_path / "p.zip")
    args[2] = str(tmp_path / "nope.toml")
    assert main(args) == 2
    assert "file not found" in capsys.readouterr().err
    assert main([*_args(db, tmp_path / "p.zip"), "--sources", "no.such.module:sources"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("gdprkit: --sources no.such.module:sources: no module no.such.module")
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("db_name", "subject", "status"),
    [("missing.db", "C-1042", 3), ("elveta.db", "", 2)],
    ids=["missing database", "empty subject id"],
)
def test_the_command_fails_without_a_traceback(db, tmp_path, db_name, subject, status):
    proc = subprocess.run(
        [sys.executable, "-m", "gdprkit", *_args(tmp_path / db_name, tmp_path / "p.zip", subject)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == status
    assert proc.stdout == ""
    assert proc.stderr.startswith("gdprkit: ")
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.splitlines()) == 1
