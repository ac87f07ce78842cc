"""A store changed outside gdprkit: every decoded column, read back through the public API.

Each case corrupts one column of the rows gdprkit wrote (a NULL, text that
is no timestamp, a naive timestamp, JSON of another shape, a state word
gdprkit never writes) with the engine's own driver, constraints dropped as
someone with access to the database could, then reads it back through the
call that decodes it. The answer is a :class:`~gdprkit.StoredRowError` (a
:class:`~gdprkit.StoreError`) naming the table and the column, and never the
text found there, the subject or its token. SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest

import gdprkit as gk
from gdprkit import rights
from gdprkit.cli import main
from gdprkit.consent import IndicationMethod, Ledger, RestrictionScope
from gdprkit.pseudonym import Keyring, Pseudonymizer
from gdprkit.requests import RequestKind, RequestRegister
from gdprkit.store import open as open_store

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LATER = T0 + timedelta(days=40)
SUBJECT = "C-1042"
KEYS = Keyring.generate(at=T0)
#: Personal-looking garbage that sorts before any stamp gdprkit writes (so SQL range filters
#: keep the row), and one that sorts after (for "until" columns); neither may be shown.
LOW = "1985-07-09 Anna Andersson"
HIGH = "Anna Andersson, 1985-07-09"
NAIVE = "2026-03-02T09:00:00.000000"
NOT_UTC = "2026-03-02T10:00:00.000000+01:00"


@attrs.frozen
class Kit:
    """The store and the gdprkit objects that read it."""

    store: Any
    ledger: Ledger
    register: RequestRegister
    journal: rights.ErasureJournal
    request_id: str
    customer: type[Any]


def _populate(store: Any, elveta: gk.Policy) -> str:
    """One subject's consent, objection, restriction and request, and one journal entry."""
    ledger = Ledger(store, elveta, pseudonymizer=Pseudonymizer(KEYS, domain="consent"))
    ledger.grant(SUBJECT, ["cookies.analytics"], notice_version="1", method="banner", at=T0,
                 duration="P12M", indication=IndicationMethod.CLICKED_ACCEPT)  # fmt: skip
    ledger.object(SUBJECT, "personalisation", at=T0, grounds="moved abroad")
    ledger.uphold_objection(SUBJECT, "personalisation", at=T0 + timedelta(days=1), reason="ok")
    scope = RestrictionScope.period("MeterReading", "read_at", T0.date(), LATER.date())
    ledger.restrict(SUBJECT, at=T0, reason="18(1)(a)", allowed_purposes=["bookkeeping"],
                    scope=scope)  # fmt: skip
    ledger.record_subject_informed(SUBJECT, at=T0 + timedelta(days=2), method="letter",
                                   scope=scope)  # fmt: skip
    register = RequestRegister(store)
    request = register.receive(RequestKind.ACCESS, "customer", SUBJECT, received_at=T0,
                               channel="email")  # fmt: skip
    register.extend(request.id, at=T0 + timedelta(days=3), reason="many requests")
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO erasure_journal (executed_at, subject_kind, subject_token, sources,"
            " summary, policy_version) VALUES (?, 'customer', 'tok', '[\"customers\"]',"
            " '{\"changed\": {}}', '1')",
            (T0.isoformat(timespec="microseconds"),),
        )
    return request.id


def _tamper_sqlite(path: str, table: str, column: str, value: object) -> None:
    """Drop what stands in the way (NOT NULL, STRICT's INTEGER, CHECKs) and write ``value``."""
    with sqlite3.connect(path) as conn:
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
        loose = re.sub(rf"(\n\s*{column}\s+)(\w+)( NOT NULL)?", r"\1ANY", sql, count=1)
        conn.execute("PRAGMA writable_schema = ON")
        conn.execute("UPDATE sqlite_master SET sql = ? WHERE name = ?", (loose, table))
        version = conn.execute("PRAGMA schema_version").fetchone()[0]
        conn.execute(f"PRAGMA schema_version = {version + 1}")
    conn.close()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA ignore_check_constraints = ON")
        conn.execute(f"UPDATE {table} SET {column} = ?", (value,))
    conn.close()


def _tamper_postgres(url: str, table: str, column: str, value: object) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        checks = conn.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'c'",
            (table,),
        ).fetchall()
        for (name,) in checks:
            conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        conn.execute(f"ALTER TABLE {table} ALTER COLUMN {column} DROP NOT NULL")
        conn.execute(f"UPDATE {table} SET {column} = %s", (value,))


@attrs.frozen
class Engine:
    name: str
    target: str
    tamper: Callable[[str, str, str, object], None]

    def open(self) -> Any:
        return open_store(self.target if self.name == "postgres" else f"sqlite:///{self.target}")


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Engine:
    if request.param == "sqlite":
        return Engine("sqlite", str(tmp_path / "gdprkit.db"), _tamper_sqlite)
    return Engine("postgres", request.getfixturevalue("pg_url"), _tamper_postgres)


@pytest.fixture
def written(engine: Engine, elveta: gk.Policy) -> str:
    with engine.open() as store:
        return _populate(store, elveta)


@pytest.fixture
def reopen(
    engine: Engine, elveta: gk.Policy, elveta_customer: type[Any], written: str
) -> Iterator[Callable[[], Kit]]:
    opened: list[Any] = []

    def kit() -> Kit:
        store = engine.open()
        opened.append(store)
        ledger = Ledger(store, elveta, pseudonymizer=Pseudonymizer(KEYS, domain="consent"))
        return Kit(store, ledger, RequestRegister(store), rights.ErasureJournal(store), written,
                   elveta_customer)  # fmt: skip

    yield kit
    for store in opened:
        store.close()


def _project(kit: Kit) -> object:
    """What ``project()`` asks of the ledger without an instant: every entry's latest time."""
    record = kit.customer(customer_id=SUBJECT, email="anna@example.se")
    return gk.project(record, "marketing", guards=[kit.ledger])


READS: dict[str, Callable[[Kit], object]] = {
    "consent_status": lambda k: k.ledger.consent_status(SUBJECT, "cookies.analytics", LATER),
    "records": lambda k: k.ledger.records(SUBJECT),
    "inactive_purposes": lambda k: k.ledger.inactive_purposes(SUBJECT, LATER),
    "purge_evidence": lambda k: k.ledger.purge_evidence(
        now=LATER + timedelta(days=9999), keep="P1D"
    ),
    "objection_state": lambda k: k.ledger.objection_state(SUBJECT, "personalisation", LATER),
    "objections": lambda k: k.ledger.objections(SUBJECT),
    "restrictions": lambda k: k.ledger.restrictions(SUBJECT, LATER - timedelta(days=1)),
    "project": _project,
    "request": lambda k: k.register.get(k.request_id),
    "due": lambda k: k.register.due(at=LATER),
    "journal": lambda k: list(k.journal.entries()),
}


@attrs.frozen
class Case:
    table: str
    column: str
    value: object
    read: str
    #: PostgreSQL's column types hold: no text in an integer column there.
    sqlite_only: bool = False


CASES = {
    # consent_events: read by every consent answer, and by the records
    "event state NULL": Case("consent_events", "state", None, "consent_status"),
    "event state unknown word": Case("consent_events", "state", "granted", "consent_status"),
    "event state unknown, all purposes": Case(
        "consent_events", "state", "yes", "inactive_purposes"
    ),
    "event at garbage": Case("consent_events", "at", LOW, "records"),
    "event at NULL": Case("consent_events", "at", None, "records"),
    "event at naive": Case("consent_events", "at", NAIVE, "records"),
    "event at not UTC": Case("consent_events", "at", NOT_UTC, "records"),
    "event at garbage, project()": Case("consent_events", "at", HIGH, "project"),
    "event expiry garbage": Case("consent_events", "expires_at", HIGH, "consent_status"),
    "event expiry naive": Case("consent_events", "expires_at", NAIVE, "records"),
    "event expiry garbage, purge": Case("consent_events", "expires_at", LOW, "purge_evidence"),
    "event duration garbage": Case("consent_events", "duration", LOW, "records"),
    "event indication unknown": Case("consent_events", "indication", "nodded", "records"),
    "record indication unknown": Case("consent_records", "indication", "nodded", "records"),
    "purpose basis unknown": Case("consent_record_purposes", "basis", "whim", "records"),
    "snapshot NULL": Case("consent_record_purposes", "snapshot", None, "records"),
    "snapshot not JSON": Case("consent_record_purposes", "snapshot", HIGH, "records"),
    "snapshot an array": Case("consent_record_purposes", "snapshot", "[]", "records"),
    "snapshot dpv a number": Case("consent_record_purposes", "snapshot", '{"dpv": 3}', "records"),
    "snapshot condition unknown": Case(
        "consent_record_purposes", "snapshot", '{"condition": "whim"}', "records"
    ),
    # objections
    "objection at garbage": Case("objections", "at", LOW, "objection_state"),
    "objection at NULL": Case("objections", "at", None, "objections"),
    "objection at naive": Case("objections", "at", NAIVE, "objection_state"),
    "objection upheld_at garbage": Case("objections", "upheld_at", LOW, "objection_state"),
    "objection upheld_at garbage, project()": Case("objections", "upheld_at", HIGH, "project"),
    "objection absolute 2": Case("objections", "absolute", 2, "objections"),
    "objection absolute text": Case("objections", "absolute", HIGH, "objections", True),
    # restrictions
    "restriction since naive": Case("restrictions", "since", NAIVE, "restrictions"),
    "restriction since garbage": Case("restrictions", "since", LOW, "restrictions"),
    "restriction lifted_at garbage": Case("restrictions", "lifted_at", HIGH, "restrictions"),
    "restriction informed_at garbage": Case("restrictions", "informed_at", LOW, "restrictions"),
    "allowed purposes NULL": Case("restrictions", "allowed_purposes", None, "restrictions"),
    "allowed purposes not JSON": Case("restrictions", "allowed_purposes", HIGH, "restrictions"),
    "allowed purposes an object": Case("restrictions", "allowed_purposes", "{}", "restrictions"),
    "allowed purposes numbers": Case("restrictions", "allowed_purposes", "[1]", "restrictions"),
    "scope not JSON": Case("restrictions", "scope", HIGH, "restrictions"),
    "scope an array": Case("restrictions", "scope", "[]", "restrictions"),
    "scope without kind": Case("restrictions", "scope", '{"field": "read_at"}', "restrictions"),
    "scope kind a number": Case("restrictions", "scope", '{"kind": 3}', "restrictions"),
    "scope ids not text": Case(
        "restrictions", "scope", '{"kind": "M", "key": "id", "ids": [1]}', "restrictions"
    ),
    "scope bound garbage": Case(
        "restrictions",
        "scope",
        f'{{"kind": "M", "field": "at", "start": "{LOW}", "end": "2026-11-01"}}',
        "restrictions",
    ),
    "scope bound naive": Case(
        "restrictions",
        "scope",
        f'{{"kind": "M", "field": "at", "start": "{NAIVE}", "end": "2027-11-01T00:00:00+00:00"}}',
        "restrictions",
    ),
    # the request register
    "request kind unknown": Case("subject_requests", "kind", "complaint", "request"),
    "request state unknown": Case("subject_requests", "state", "lost", "request"),
    "request due garbage": Case("subject_requests", "due", LOW, "due"),
    "request due NULL": Case("subject_requests", "due", None, "request"),
    "request due no day": Case("subject_requests", "due", "2026-13-45", "due"),
    "request received_at naive": Case("subject_requests", "received_at", NAIVE, "due"),
    "request received_at NULL": Case("subject_requests", "received_at", None, "request"),
    "request extended_at garbage": Case("subject_requests", "extended_at", LOW, "request"),
    "request extended 2": Case("subject_requests", "extended", 2, "due"),
    "request extended text": Case("subject_requests", "extended", HIGH, "request", True),
    "history state unknown": Case("subject_request_history", "state", "lost", "request"),
    "history at garbage": Case("subject_request_history", "at", LOW, "due"),
    "history at naive": Case("subject_request_history", "at", NAIVE, "request"),
    # the erasure journal
    "journal executed_at garbage": Case("erasure_journal", "executed_at", LOW, "journal"),
    "journal executed_at naive": Case("erasure_journal", "executed_at", NAIVE, "journal"),
    "journal executed_at NULL": Case("erasure_journal", "executed_at", None, "journal"),
    "journal sources NULL": Case("erasure_journal", "sources", None, "journal"),
    "journal sources not JSON": Case("erasure_journal", "sources", HIGH, "journal"),
    "journal sources an object": Case("erasure_journal", "sources", "{}", "journal"),
    "journal sources numbers": Case("erasure_journal", "sources", "[1, 2]", "journal"),
    "journal summary not JSON": Case("erasure_journal", "summary", HIGH, "journal"),
    "journal summary an array": Case("erasure_journal", "summary", "[]", "journal"),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_a_changed_row_is_a_stored_row_error_naming_table_and_column(
    case: Case, engine: Engine, reopen: Callable[[], Kit]
) -> None:
    if case.sqlite_only and engine.name != "sqlite":
        pytest.skip("PostgreSQL's integer columns hold no text")
    token = Pseudonymizer(KEYS, domain="consent").token(SUBJECT)
    engine.tamper(engine.target, case.table, case.column, case.value)
    with pytest.raises(gk.StoredRowError) as caught:
        READS[case.read](reopen())
    message = str(caught.value)
    assert isinstance(caught.value, gk.StoreError)
    assert message.startswith(case.table) and case.column in message.partition("column")[2]
    assert "changed outside gdprkit" in message
    shown = [case.value] if isinstance(case.value, str) else []
    for secret in (*shown, SUBJECT, token, "Anna"):
        assert secret not in message
    assert caught.value.__context__ is None  # nor is the decoder's error, which quotes it


def test_an_untouched_store_reads_back_without_error(reopen: Callable[[], Kit]) -> None:
    kit = reopen()
    for read in READS.values():
        read(kit)


def test_the_cli_reports_a_changed_request_in_one_line_as_an_unusable_store(
    engine: Engine, reopen: Callable[[], Kit], capsys: pytest.CaptureFixture[str]
) -> None:
    engine.tamper(engine.target, "subject_requests", "due", LOW)
    url = engine.target if engine.name == "postgres" else f"sqlite:///{engine.target}"
    assert main(["requests", "due", url]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "StoredRowError: subject_requests row" in err and "'due'" in err
    assert "Anna" not in err and "Traceback" not in err
