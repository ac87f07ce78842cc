"""What only the PostgreSQL store does, against a real, throw-away server: its schema table,
the ``?`` translation, the writers' lock across connections and processes, credentials, and
SQLSource with psycopg. What every store does is in ``test_store.py``.

Without PostgreSQL (server binaries or psycopg) these tests skip with the reason; with
``CI`` set they fail instead, so CI cannot pass without running them (``.ci/run``
installs the server). See ``tests/pg.py`` for the cluster, ``conftest.py`` for its fixtures.
"""

from __future__ import annotations

import itertools
import multiprocessing
import sqlite3
import sys
import time
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import gdprkit as gk
from gdprkit import rights
from gdprkit import store as gstore
from gdprkit._demo import models, service
from gdprkit._rights import sql_source
from gdprkit.audit import AuditLog
from gdprkit.pseudonym import Kek, Keyring, Pseudonymizer
from tests import pg
from tests.conftest import SERVICE_HOURS, postgres_unavailable

try:
    import psycopg

    from gdprkit.store import postgres
    from gdprkit.store.postgres import PostgresStore, translate
except ImportError:
    HAVE_PSYCOPG = False
else:
    HAVE_PSYCOPG = True


@pytest.fixture
def driver() -> None:
    """For the tests that need psycopg but no server."""
    if not HAVE_PSYCOPG:
        postgres_unavailable("psycopg is not installed (pip install 'gdprkit[postgres]')")


AT = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
STHLM = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=STHLM)


@pytest.fixture
def store(pg_url: str) -> Iterator[PostgresStore]:
    with PostgresStore(pg_url) as opened:
        yield opened


def _raw(pg_url: str) -> psycopg.Connection[tuple[Any, ...]]:
    return psycopg.connect(pg_url, autocommit=True)


# -- the schema table ------------------------------------------------------------------------


def test_a_new_database_is_migrated_once(pg_url: str) -> None:
    with PostgresStore(pg_url) as first:
        assert first.version == postgres.SCHEMA_VERSION
    with PostgresStore(pg_url) as again:  # reopening applies nothing
        assert again.version == postgres.SCHEMA_VERSION
    with _raw(pg_url) as conn:
        versions = [r[0] for r in conn.execute("SELECT version FROM gdprkit_schema ORDER BY 1")]
    assert versions == list(range(1, postgres.SCHEMA_VERSION + 1))


def test_a_service_database_opened_read_only_is_refused_and_left_alone(pg_url: str) -> None:
    with _raw(pg_url) as conn:
        conn.execute("CREATE TABLE customers (id TEXT PRIMARY KEY, email TEXT)")
        conn.execute("INSERT INTO customers VALUES ('C-1042', 'anna@example.se')")
    listing = "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
    with pytest.raises(gk.StoreError, match="not a gdprkit store"):
        gstore.open(pg_url, read_only=True)
    with _raw(pg_url) as conn:
        assert [r[0] for r in conn.execute(listing)] == ["customers"]


def test_a_read_only_store_runs_read_only_transactions(pg_url: str) -> None:
    PostgresStore(pg_url).close()
    with PostgresStore(pg_url, read_only=True) as reader:
        assert reader.query("SHOW transaction_read_only") == [("on",)]
        with pytest.raises(gk.StoreError, match="read-only"), reader.transaction():
            pass


_LITE_COLUMNS = """
    SELECT m.name, p.name, p."notnull", p.pk > 0 FROM sqlite_master m, pragma_table_info(m.name) p
    WHERE m.type = 'table' ORDER BY m.name, p.cid
"""
_PG_COLUMNS = """
    SELECT c.table_name, c.column_name, c.is_nullable = 'NO', EXISTS (
        SELECT 1 FROM information_schema.table_constraints t
        JOIN information_schema.key_column_usage k USING (constraint_schema, constraint_name)
        WHERE t.constraint_type = 'PRIMARY KEY' AND t.table_schema = c.table_schema
          AND k.table_name = c.table_name AND k.column_name = c.column_name)
    FROM information_schema.columns c
    WHERE c.table_schema = current_schema() AND c.table_name <> 'gdprkit_schema'
      AND c.column_name <> 'rowid'  -- SQLite's implicit row id, made explicit (_migrations.py)
    ORDER BY c.table_name, c.ordinal_position
"""
# Indexes made by CREATE INDEX, not those behind a PRIMARY KEY or UNIQUE constraint.
_LITE_INDEXES = """
    SELECT m.name, il.name, il."unique", il.partial, ii.seqno, ii.name
    FROM sqlite_master m, pragma_index_list(m.name) il, pragma_index_info(il.name) ii
    WHERE m.type = 'table' AND il.origin = 'c'
"""
_PG_INDEXES = """
    SELECT t.relname, i.relname, x.indisunique, x.indpred IS NOT NULL, k.n - 1, a.attname
    FROM pg_index x
    JOIN pg_class i ON i.oid = x.indexrelid
    JOIN pg_class t ON t.oid = x.indrelid
    CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, n)
    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
    WHERE t.relnamespace = current_schema()::regnamespace
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
"""


def _normal(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Rows with SQLite's 0/1 flags read as PostgreSQL's booleans."""
    return [tuple(bool(v) if isinstance(v, int) and i in (2, 3) else v for i, v in enumerate(r))
            for r in rows]  # fmt: skip


def test_the_same_tables_columns_and_indexes_as_sqlite(store: PostgresStore) -> None:
    # Both engines render the one declaration in gdprkit.store._migrations; what they make
    # of it must agree: the same tables and columns in the same order, the same NOT NULL and
    # primary keys, and the same indexes over the same columns.
    with gstore.SQLiteStore.memory() as lite:
        assert _normal(lite.query(_LITE_COLUMNS)) == _normal(store.query(_PG_COLUMNS))
        indexes = _normal(lite.query(_LITE_INDEXES))
    assert sorted(indexes) == sorted(_normal(store.query(_PG_INDEXES)))
    assert {i[1] for i in indexes} >= {"keyring_keys_one_active", "subject_requests_open"}


def test_writers_wait_for_the_database_lock(pg_url: str) -> None:
    # The lock is PostgreSQL's: a second connection, not a second thread, has to wait.
    with PostgresStore(pg_url) as holder, PostgresStore(pg_url, timeout=0.3) as waiter:
        with holder.transaction():
            started = time.monotonic()
            with pytest.raises(gk.StoreError, match="another writer held"), waiter.transaction():
                pass
            assert time.monotonic() - started >= 0.25
            assert waiter.query("SELECT 1") == [(1,)]  # reads do not wait
        with waiter.transaction() as conn:  # free again
            conn.execute(
                "INSERT INTO subject_keys (subject, created_at, shredded_at) VALUES ('a', 't', 't')"
            )
        assert holder.query("SELECT subject FROM subject_keys") == [("a",)]


# -- URLs, credentials ----------------------------------------------------------------------


def test_open_by_url_with_either_scheme(pg_url: str, cluster: pg.Cluster) -> None:
    with gstore.open(pg_url) as opened:
        assert isinstance(opened, PostgresStore)
        assert opened.version == postgres.SCHEMA_VERSION
    with gstore.open(pg_url.replace("postgresql://", "postgres://", 1), timeout=1) as opened:
        assert isinstance(opened, PostgresStore)
    with gstore.open("sqlite:///:memory:") as lite:  # SQLite stays the default engine
        assert isinstance(lite, gstore.SQLiteStore)


def test_the_password_never_shows(pg_url: str, cluster: pg.Cluster) -> None:
    with PostgresStore(pg_url) as opened:
        shown = repr(opened)
    assert cluster.password not in shown and "gdprkit:" not in shown
    assert f"port={cluster.port}" in shown
    wrong = pg_url.replace(cluster.password, "hunter2-wrong")
    with pytest.raises(
        gk.StoreError, match="cannot connect to the PostgreSQL store at 127.0.0.1"
    ) as info:
        gstore.open(wrong)
    text = str(info.value)
    assert "hunter2" not in text and cluster.password not in text and '"gdprkit"' not in text
    assert info.value.__cause__ is None and info.value.__context__ is None
    with pytest.raises(gk.StoreError, match="malformed") as bad:
        PostgresStore("postgresql://u:hunter2@[::1")
    assert "hunter2" not in str(bad.value)
    assert bad.value.__context__ is None  # psycopg's own error quotes the URL
    refused = f"postgresql://u:hunter2@127.0.0.1:{pg._free_port()}/x"
    with pytest.raises(gk.StoreError, match="at 127.0.0.1") as info:
        gstore.open(refused)
    assert "hunter2" not in str(info.value)


def test_missing_psycopg_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # what an absent package looks like
    monkeypatch.delitem(sys.modules, "gdprkit.store.postgres", raising=False)
    with pytest.raises(gk.StoreError, match=r"pip install 'gdprkit\[postgres\]'") as info:
        gstore.open("postgresql://u:hunter2@db.example/gdpr")
    assert "hunter2" not in str(info.value)
    with pytest.raises(ImportError, match=r"gdprkit\[postgres\]"):
        import gdprkit.store.postgres  # noqa: F401


# -- the ? translation ----------------------------------------------------------------------


@pytest.mark.usefixtures("driver")
@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT ? , ?", "SELECT %s , %s"),
        ("SELECT '?', ?", "SELECT '?', %s"),
        ("SELECT 'it''s ?' || ?", "SELECT 'it''s ?' || %s"),
        ("SELECT \"odd?name\" FROM t WHERE x = ?", "SELECT \"odd?name\" FROM t WHERE x = %s"),
        ("SELECT E'a\\'?' , ?", "SELECT E'a\\'?' , %s"),
        ("SELECT 1 -- why? because\n, ?", "SELECT 1 -- why? because\n, %s"),
        ("SELECT /* a /* nested? */ ? */ ?", "SELECT /* a /* nested? */ ? */ %s"),
        ("SELECT $$ ? $$, $q$ ? $q$, ?", "SELECT $$ ? $$, $q$ ? $q$, %s"),
        ("SELECT x LIKE 'a%' AND y = ?", "SELECT x LIKE 'a%%' AND y = %s"),
        ("SELECT 5 % 2, ?", "SELECT 5 %% 2, %s"),
        ("SELECT '%s', ?", "SELECT '%%s', %s"),
        ("SELECT 'unterminated ?", "SELECT 'unterminated ?"),
    ],
    ids=[
        "plain", "in a string", "doubled quote", "quoted identifier", "escape string",
        "line comment", "nested block comment", "dollar quotes", "LIKE percent",
        "modulo", "percent-s in a string", "unterminated",
    ],
)  # fmt: skip
def test_translate_placeholders(sql: str, expected: str) -> None:
    assert translate(sql) == expected


def test_translated_sql_runs(store: PostgresStore) -> None:
    rows = store.query("SELECT ?, '?' , 'a%' LIKE 'a%', $$?$$, 7 % 4, ? -- ?", ("x", 2))
    assert rows == [("x", "?", True, "?", 3, 2)]


# -- many processes, one store ------------------------------------------------------------


def test_eight_processes_append_to_one_audit_chain(store: PostgresStore, pg_url: str) -> None:
    # Each append reads the last entry and inserts the next; without the writers' lock two
    # processes would read the same head and one insert would fail or fork the chain.
    writers, each = 8, 25
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(writers)
    procs = [
        ctx.Process(target=pg.append_audit, args=(pg_url, w, each, barrier)) for w in range(writers)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=180)
    assert [p.exitcode for p in procs] == [0] * writers
    log = AuditLog(store, keyring=pg.audit_keyring())
    head = log.verify()
    assert head is not None and head.seq == writers * each
    written = [(e.details["worker"], e.details["n"]) for e in log.entries()]
    assert sorted(written) == [(w, n) for w in range(writers) for n in range(each)]
    # the appends really interleaved: writers took turns rather than running one after another
    switches = sum(1 for a, b in itertools.pairwise(written) if a[0] != b[0])
    assert switches >= writers


# -- SQLSource with psycopg against PostgreSQL tables -------------------------------------

#: The Elveta service's tables in PostgreSQL's own types (SQLite keeps dates as text).
_PG_TYPES: dict[Any, str] = {
    int: "INTEGER",
    float: "DOUBLE PRECISION",
    bool: "BOOLEAN",
    str: "TEXT",
    date: "DATE",
    datetime: "TIMESTAMPTZ",
}


def _pg_schema(conn: psycopg.Connection[tuple[Any, ...]]) -> None:
    import typing
    from decimal import Decimal

    import attrs

    for model, (table, subject_column, key) in service.TABLES.items():
        hints = typing.get_type_hints(model)
        cols = []
        for field in attrs.fields(model):
            hint = hints[field.name]
            base = next((a for a in typing.get_args(hint) if a is not type(None)), hint)
            sql_type = "NUMERIC" if base is Decimal else _PG_TYPES.get(base, "TEXT")
            cols.append(f'"{field.name}" {sql_type}')
        conn.execute(f'CREATE TABLE "{table}" ({", ".join(cols)})')
        conn.execute(f'CREATE INDEX "{table}_subject" ON "{table}" ("{subject_column}")')
        del key
        anonymous = service.anonymous_table(model)
        if anonymous is not None:
            labels = ", ".join(f'"{c}" TEXT' for c in anonymous[1])
            conn.execute(f'CREATE TABLE "{anonymous[0]}" ({labels})')
    conn.commit()


class _Seeder:
    """Lets ``service.seed`` (written for sqlite3) fill the PostgreSQL tables with the same rows."""

    def __init__(self, conn: psycopg.Connection[tuple[Any, ...]]) -> None:
        self.conn = conn

    def executemany(self, sql: str, rows: Any) -> None:
        with self.conn.cursor() as cursor:
            cursor.executemany(translate(sql), list(rows))

    def commit(self) -> None:
        self.conn.commit()


def _pg_facts(conn: psycopg.Connection[tuple[Any, ...]], cid: str) -> dict[str, Any]:
    """``service.facts_for`` in PostgreSQL's SQL and types."""
    ended, open_contracts = conn.execute(
        "SELECT max(ended_on), count(*) - count(ended_on) FROM contracts WHERE customer_id = %s",
        (cid,),
    ).fetchone() or (None, 0)
    (fiscal,) = conn.execute(
        "SELECT max(fiscal_year_end) FROM invoices WHERE customer_id = %s", (cid,)
    ).fetchone() or (None,)
    return {"contract_ended": ended if open_contracts == 0 else None, "fiscal_year_end": fiscal}


@pytest.fixture
def pgdb(pg_url: str) -> Iterator[psycopg.Connection[tuple[Any, ...]]]:
    conn = psycopg.connect(pg_url)
    conn.execute("SET TIME ZONE 'UTC'")  # timestamps come back as UTC, as SQLite's text says
    conn.commit()
    _pg_schema(conn)
    service.seed(_Seeder(conn), customers=3, hours=SERVICE_HOURS)
    try:
        yield conn
    finally:
        conn.close()


ANNA = rights.SubjectRef("customer", "C-1042")


def _data_members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist() if n.startswith("data/")}


@pytest.mark.parametrize("scope", ["access", "portability"])
def test_export_from_postgres_equals_the_sqlite_export(
    pgdb: psycopg.Connection[tuple[Any, ...]],
    db: sqlite3.Connection,
    tmp_path: Path,
    scope: str,
) -> None:
    assert sql_source.paramstyle_of(pgdb) == "pyformat"
    from_pg = rights.export_subject(
        ANNA, service.sources(pgdb), models.policy, scope=scope, at=AT, out=tmp_path / "pg.zip"
    )
    from_lite = rights.export_subject(
        ANNA, service.sources(db), models.policy, scope=scope, at=AT, out=tmp_path / "lite.zip"
    )
    manifest = rights.verify_package(from_pg.path)
    kinds = {k["record_kind"]: k["rows"] for k in manifest["record_kinds"]}
    if scope == "access":
        assert kinds["MeterReading"] == SERVICE_HOURS and kinds["Invoice"] == 8
    assert from_pg.rows == from_lite.rows > 0
    # the same records, typed the same way, give the same bytes: dates, decimals, instants
    assert _data_members(from_pg.path) == _data_members(from_lite.path)


def test_sql_source_matches_exactly_on_postgres(
    pgdb: psycopg.Connection[tuple[Any, ...]], tmp_path: Path
) -> None:
    customers = service.sources(pgdb)[0]
    assert [c.customer_id for c in customers.records(rights.SubjectRef("customer", "C-1043"))] == [
        "C-1043"
    ]
    assert list(customers.records(rights.SubjectRef("customer", "c-1043"))) == []
    evil = rights.SubjectRef(kind="customer", id="x' OR '1'='1")
    result = rights.export_subject(
        evil, service.sources(pgdb), models.policy, scope="access", at=AT, out=tmp_path / "evil.zip"
    )
    assert result.rows == 0
    like = rights.SubjectRef(kind="customer", id="C-10%")
    assert sum(1 for s in service.sources(pgdb) for _ in s.records(like)) == 0
    pgdb.rollback()
    assert pgdb.execute("SELECT count(*) FROM customers").fetchone() == (3,)


def test_erasure_and_rectification_on_postgres(
    pgdb: psycopg.Connection[tuple[Any, ...]], store: PostgresStore
) -> None:
    audit = AuditLog(store, pseudonymizer=Pseudonymizer(Keyring.generate(), domain="audit"))

    def plan() -> rights.ErasurePlan:
        facts = _pg_facts(pgdb, ANNA.id)
        pgdb.rollback()
        return rights.plan_erasure(ANNA, service.sources(pgdb), models.policy, facts, NOW)

    def count(table: str, cid: str = "C-1042") -> int:
        row = pgdb.execute(
            f'SELECT count(*) FROM "{table}" WHERE customer_id = %s', (cid,)
        ).fetchone()
        pgdb.rollback()
        return int(row[0]) if row else -1

    first = plan()
    assert {
        i.until for i in first.retained if i.source == "invoices" and i.field == "amount_sek"
    } == {
        datetime(2032, 1, 1, tzinfo=STHLM),
        datetime(2033, 1, 1, tzinfo=STHLM),
    }
    before_other = count("customers", "C-1043")
    # four households alike are in the anonymous set already: her month makes five (k = 5)
    (band,) = first.anonymous[0].rows
    with pgdb.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO meter_readings_anonymous (month, kwh_band) VALUES (%s, %s)",
            [(band["month"], band["kwh_band"])] * 4,
        )
    pgdb.commit()
    receipt = rights.execute_erasure(first, service.sources(pgdb), audit=audit)
    assert receipt.complete and receipt.total_changed > 0
    row = pgdb.execute(
        "SELECT name, email, phone FROM customers WHERE customer_id = 'C-1042'"
    ).fetchone()
    pgdb.rollback()
    assert row is not None and row[0] is not None and row[1] is None and row[2] is None
    for table in ("support_tickets", "marketing_preferences", "churn_scores", "contracts"):
        assert count(table) == 0, table
    assert count("invoices") == 8
    assert pgdb.execute(
        "SELECT count(*) FROM meter_readings WHERE customer_id IS NULL OR customer_id = 'C-1042'"
    ).fetchone() == (0,)
    assert pgdb.execute(
        "SELECT month, kwh_band, count(*) FROM meter_readings_anonymous GROUP BY 1, 2"
    ).fetchall() == [(band["month"], band["kwh_band"], 5)]
    pgdb.rollback()
    assert [(o.written, o.k) for o in receipt.anonymized] == [(1, 5)]
    assert count("customers", "C-1043") == before_other
    again = rights.execute_erasure(plan(), service.sources(pgdb), audit=audit)
    assert again.complete and again.total_changed == 0
    assert audit.verify() is not None
    # rectification (Art. 16) of a kept field, and of nobody
    customers = service.sources(pgdb)[0]
    assert customers.rectify(ANNA, {"city": "Solna"}) == 1
    assert customers.rectify(rights.SubjectRef("customer", "nobody"), {"city": "Solna"}) == 0
    assert pgdb.execute("SELECT city FROM customers WHERE customer_id = 'C-1042'").fetchone() == (
        "Solna",
    )
    pgdb.rollback()


# -- the consent ledger and request register --------------------------------------------------


def test_concurrent_consent_changes_lose_nothing(store: PostgresStore, pg_url: str) -> None:
    from datetime import timedelta

    from gdprkit.consent import ConsentState, IndicationMethod, Ledger

    ring = Keyring.generate(at=pg.T0)
    ledger = Ledger(store, pg.elveta(), pseudonymizer=Pseudonymizer(ring, domain="consent"))
    purposes = [f"cookies.{c}" for c in pg.COOKIE_CATEGORIES]
    ledger.grant("C-1042", purposes, notice_version="2026-01", method="banner", at=pg.T0,
                 indication=IndicationMethod.CLICKED_ACCEPT)  # fmt: skip
    writers, rounds = 6, 5
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(writers)
    kek_text = Kek.generate()
    wrapped = ring.to_json(kek=Kek.from_callable(lambda: kek_text))
    procs = [
        ctx.Process(target=pg.change_consent, args=(pg_url, w, rounds, wrapped, kek_text, barrier))
        for w in range(writers)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=180)
    assert [p.exitcode for p in procs] == [0] * writers
    (record,) = ledger.records("C-1042")
    renewed = [e for e in record.events if e.state is ConsentState.RENEWED]
    # every renewal is an event of its own (none merged, none lost) ...
    assert sorted(e.method for e in renewed) == sorted(
        f"banner w{w} r{n}" for w in range(writers) for n in range(rounds)
    )
    assert all(len(e.purposes) == 1 for e in renewed)
    # ... and only the first withdrawal found anything to withdraw
    withdrawn = [e for e in record.events if e.state is ConsentState.WITHDRAWN]
    assert len(withdrawn) == 1 and sorted(withdrawn[0].purposes) == sorted(purposes)
    assert not ledger.consented_purposes("C-1042", pg.T0 + timedelta(hours=3))
