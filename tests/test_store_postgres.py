"""The PostgreSQL store against a real, throw-away server: migrations, transactions, the
writers' lock under eight processes, the modules that keep state, and SQLSource with psycopg.

Without PostgreSQL (server binaries or psycopg) these tests skip with the reason; with
``CI`` set they fail instead, so CI cannot pass without running them (``.ci/run``
installs the server). See ``tests/pg.py`` for the cluster.
"""

from __future__ import annotations

import itertools
import multiprocessing
import sqlite3
import sys
import threading
import time
import uuid
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import pytest

import gdprkit as gk
from gdprkit import rights
from gdprkit import store as gstore
from gdprkit._demo import models, service
from gdprkit.audit import AuditLog
from gdprkit.pseudonym import Keyring, Pseudonymizer, SubjectKeys
from gdprkit.store import sqlite as sqlite_store
from tests import pg
from tests.conftest import pg_unavailable

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
        pg_unavailable("psycopg is not installed (pip install 'gdprkit[postgres]')")


AT = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
STHLM = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=STHLM)


@pytest.fixture
def url(cluster: pg.Cluster) -> Iterator[str]:
    """A fresh, empty database for one test."""
    with cluster.database(f"t_{uuid.uuid4().hex[:12]}") as database_url:
        yield database_url


@pytest.fixture
def store(url: str) -> Iterator[PostgresStore]:
    with PostgresStore(url) as opened:
        yield opened


def _raw(url: str) -> psycopg.Connection[tuple[Any, ...]]:
    return psycopg.connect(url, autocommit=True)


# -- the migrations stay in step with SQLite's --------------------------------------------


@pytest.mark.usefixtures("driver")
def test_migrations_are_index_aligned_with_sqlite() -> None:
    # A migration added to one engine and not the other would leave the stores at the same
    # version number with different tables: append to both tuples, or to neither.
    assert len(postgres.MIGRATIONS) == len(sqlite_store.MIGRATIONS)
    assert postgres.SCHEMA_VERSION == sqlite_store.SCHEMA_VERSION
    assert postgres.MIGRATIONS[0] == sqlite_store.MIGRATIONS[0] == ""


def test_same_tables_and_columns_as_sqlite(store: PostgresStore) -> None:
    lite = sqlite3.connect(":memory:")
    try:
        for script in sqlite_store.MIGRATIONS:
            lite.executescript(script)
        names = [r[0] for r in lite.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        expected = {
            name: [c[1] for c in lite.execute(f'PRAGMA table_info("{name}")')] for name in names
        }
    finally:
        lite.close()
    rows = store.query(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name <> 'gdprkit_schema'"
        " ORDER BY table_name, ordinal_position"
    )
    found: dict[str, list[str]] = {}
    for table, column in rows:
        if column != "rowid":  # SQLite's implicit row id, made explicit (see postgres.py)
            found.setdefault(table, []).append(column)
    assert found == expected


def test_a_new_database_is_migrated_once(url: str) -> None:
    with PostgresStore(url) as first:
        assert first.version == postgres.SCHEMA_VERSION
    with PostgresStore(url) as again:  # reopening applies nothing
        assert again.version == postgres.SCHEMA_VERSION
    with _raw(url) as conn:
        versions = [r[0] for r in conn.execute("SELECT version FROM gdprkit_schema ORDER BY 1")]
    assert versions == list(range(1, postgres.SCHEMA_VERSION + 1))


def test_an_older_database_is_brought_up_to_date(url: str) -> None:
    class _OldStore(PostgresStore):
        migrations: ClassVar[tuple[str, ...]] = postgres.MIGRATIONS[:2]

    with _OldStore(url) as old:
        assert old.version == 1
        assert old.query("SELECT to_regclass('audit_log')") == [(None,)]
    with PostgresStore(url) as current:
        assert current.version == postgres.SCHEMA_VERSION
        assert current.query("SELECT count(*) FROM audit_log") == [(0,)]


def test_a_newer_schema_is_refused(url: str) -> None:
    PostgresStore(url).close()
    with _raw(url) as conn:
        conn.execute(
            "INSERT INTO gdprkit_schema (version) VALUES (%s)", (postgres.SCHEMA_VERSION + 1,)
        )
    with pytest.raises(gk.StoreError, match="newer than the"):
        PostgresStore(url)


def test_a_failing_migration_leaves_the_database_as_it_was(url: str) -> None:
    class Broken(PostgresStore):
        migrations: ClassVar[tuple[str, ...]] = (
            *postgres.MIGRATIONS,
            "CREATE TABLE half_done (x INTEGER); CREATE TABLE broken (",
        )

    PostgresStore(url).close()
    with pytest.raises(gk.StoreError, match="migrating the PostgreSQL store failed"):
        Broken(url)
    with PostgresStore(url) as reopened:
        assert reopened.version == postgres.SCHEMA_VERSION
        assert reopened.query("SELECT to_regclass('half_done')") == [(None,)]


# -- transactions ---------------------------------------------------------------------------


def _keys(store: PostgresStore) -> list[str]:
    return [r[0] for r in store.query("SELECT key_id FROM keyring_keys ORDER BY key_id")]


def _insert_key(conn: Any, key_id: str) -> None:
    conn.execute(
        "INSERT INTO keyring_keys (keyring, key_id, created_at, status, material)"
        " VALUES (?, ?, ?, 'previous', ?)",
        ("t", key_id, "2026-01-01", b"\x00" * 32),
    )


def test_a_transaction_commits_or_rolls_back_whole(store: PostgresStore) -> None:
    with store.transaction() as conn:
        _insert_key(conn, "a")

    def fails_after(*key_ids: str) -> None:
        with store.transaction() as conn:
            for key_id in key_ids:
                _insert_key(conn, key_id)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        fails_after("b")
    with pytest.raises(psycopg.errors.UniqueViolation):
        fails_after("c", "a")  # the database refuses the second "a"; "c" goes with it
    assert _keys(store) == ["a"]


def test_nested_transactions_are_savepoints(store: PostgresStore) -> None:

    def inner_fails() -> None:
        with store.transaction() as inner:
            _insert_key(inner, "inner")
            raise ValueError

    with store.transaction() as conn:
        _insert_key(conn, "outer")
        with pytest.raises(ValueError):
            inner_fails()
        with store.transaction() as inner:
            _insert_key(inner, "kept")
    assert _keys(store) == ["kept", "outer"]


def test_cursor_behaves_like_sqlite3(store: PostgresStore) -> None:
    with store.transaction() as conn:
        _insert_key(conn, "a")
        _insert_key(conn, "b")
        cursor = conn.execute(
            "UPDATE keyring_keys SET status = 'previous' WHERE keyring = ?", ("t",)
        )
        assert cursor.rowcount == 2
        assert (
            conn.execute("SELECT key_id FROM keyring_keys WHERE key_id = ?", ("zz",)).fetchone()
            is None
        )
        assert [r[0] for r in conn.execute("SELECT key_id FROM keyring_keys ORDER BY 1")] == [
            "a",
            "b",
        ]
        conn.executemany(
            "UPDATE keyring_keys SET created_at = ? WHERE key_id = ?",
            [("2026-02-01", "a"), ("2026-03-01", "b")],
        )
    material = store.query("SELECT material, '50%?' FROM keyring_keys WHERE key_id = ?", ("a",))
    assert material == [(b"\x00" * 32, "50%?")]
    assert type(material[0][0]) is bytes


def test_writers_wait_for_the_database_lock(url: str) -> None:
    # The lock is PostgreSQL's: a second connection, not a second thread, has to wait.
    with PostgresStore(url) as holder, PostgresStore(url, timeout=0.3) as waiter:
        with holder.transaction():
            started = time.monotonic()
            with pytest.raises(gk.StoreError, match="another writer held"), waiter.transaction():
                pass
            assert time.monotonic() - started >= 0.25
            assert waiter.query("SELECT 1") == [(1,)]  # reads do not wait
        with waiter.transaction() as conn:  # free again
            _insert_key(conn, "after")
        assert _keys(holder) == ["after"]


def test_threads_share_one_store(store: PostgresStore) -> None:
    def work(n: int) -> None:
        for i in range(10):
            with store.transaction() as conn:
                _insert_key(conn, f"{n}-{i}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(_keys(store)) == 40


def test_closed_store_and_close_inside_a_transaction(store: PostgresStore) -> None:
    with store.transaction(), pytest.raises(gk.StoreError, match="inside a transaction"):
        store.close()
    store.close()
    store.close()
    assert store.closed
    assert "closed" in repr(store)
    with pytest.raises(gk.StoreError, match="closed"):
        store.query("SELECT 1")
    with pytest.raises(gk.StoreError, match="closed"), store.transaction():
        pass
    with pytest.raises(gk.StoreError, match="closed"):
        store.version


def test_checkpoint_is_a_harmless_no_op(store: PostgresStore) -> None:
    store.checkpoint()


# -- URLs, credentials ----------------------------------------------------------------------


def test_open_by_url_with_either_scheme(url: str, cluster: pg.Cluster) -> None:
    with gstore.open(url) as opened:
        assert isinstance(opened, PostgresStore)
        assert opened.version == postgres.SCHEMA_VERSION
    with gstore.open(url.replace("postgresql://", "postgres://", 1), timeout=1) as opened:
        assert isinstance(opened, PostgresStore)
    with gstore.open("sqlite:///:memory:") as lite:  # SQLite stays the default engine
        assert isinstance(lite, gstore.SQLiteStore)


def test_the_password_never_shows(url: str, cluster: pg.Cluster) -> None:
    with PostgresStore(url) as opened:
        shown = repr(opened)
    assert cluster.password not in shown and "gdprkit:" not in shown
    assert f"port={cluster.port}" in shown
    wrong = url.replace(cluster.password, "hunter2-wrong")
    with pytest.raises(
        gk.StoreError, match="cannot connect to the PostgreSQL store at 127.0.0.1"
    ) as info:
        gstore.open(wrong)
    text = str(info.value)
    assert "hunter2" not in text and cluster.password not in text and '"gdprkit"' not in text
    assert info.value.__cause__ is None and info.value.__suppress_context__
    with pytest.raises(gk.StoreError, match="malformed") as bad:
        PostgresStore("postgresql://u:hunter2@[::1")
    assert "hunter2" not in str(bad.value)
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


def test_check_store_knows_both_engines(store: PostgresStore) -> None:
    assert gstore.check_store(store) is store
    with gstore.SQLiteStore.memory() as lite:
        assert gstore.check_store(lite) is lite
    with pytest.raises(TypeError, match="must be a gdprkit store"):
        gstore.check_store(object())


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


# -- the modules that keep state, on PostgreSQL ----------------------------------------------


def test_keyring_save_and_load(store: PostgresStore) -> None:
    ring = Keyring.generate(at=AT)
    ring.save(store, name="tokens")
    loaded = Keyring.load(store, name="tokens")
    assert loaded.key_ids == ring.key_ids
    token = Pseudonymizer(ring, domain="d").token("C-1042")
    assert Pseudonymizer(loaded, domain="d").token("C-1042") == token
    rotated = loaded.rotate(at=AT)
    rotated.save(store, name="tokens")
    retired = rotated.retire(ring.active_id)
    retired.save(store, name="tokens")
    assert Keyring.load(store, name="tokens").key_ids == retired.key_ids
    (material,) = store.query(
        "SELECT material FROM keyring_keys WHERE keyring = ? AND status = 'active'", ("tokens",)
    )[0]
    assert type(material) is bytes
    with pytest.raises(gk.KeyringError, match="lacks"):
        ring.save(store, name="tokens")  # a stale copy
    with pytest.raises(gk.KeyringError, match="no keyring named"):
        Keyring.load(store, name="nope")


def test_subject_keys_encrypt_shred_rewrap(store: PostgresStore) -> None:
    kek = Keyring.generate(at=AT)
    keys = SubjectKeys(store, kek)
    sealed = keys.encrypt("C-1042", "email", "anna@example.se", at=AT)
    assert keys.decrypt("C-1042", "email", sealed) == b"anna@example.se"
    rotated = kek.rotate(at=AT)
    moved = SubjectKeys(store, rotated)
    assert moved.rewrap() == 1
    assert moved.decrypt("C-1042", "email", sealed) == b"anna@example.se"
    assert moved.shred("C-1042", at=AT) is True
    assert moved.shred("C-1042", at=AT) is False
    assert moved.is_shredded("C-1042")
    with pytest.raises(gk.SubjectShredded):
        moved.decrypt("C-1042", "email", sealed)
    with pytest.raises(gk.SubjectShredded):
        moved.encrypt("C-1042", "email", "again")
    assert store.query("SELECT wrapped_key, kek_id FROM subject_keys") == [(None, None)]


def test_audit_log_chain_and_tampering(store: PostgresStore, url: str) -> None:
    log = AuditLog(store, pseudonymizer=Pseudonymizer(Keyring.generate(), domain="audit"))
    for n in range(5):
        log.record("export.created", at=AT, actor="dpo", subject="C-1042", details={"n": n})
    head = log.verify()
    assert head is not None and head.seq == 5
    assert [e.details["n"] for e in log.entries(subject="C-1042")] == [0, 1, 2, 3, 4]
    with _raw(url) as conn:
        conn.execute("UPDATE audit_log SET details = '{\"n\":9}' WHERE seq = 3")
    with pytest.raises(gk.AuditIntegrityError, match="entry 3 was changed"):
        log.verify()


def test_eight_processes_append_to_one_audit_chain(store: PostgresStore, url: str) -> None:
    # Each append reads the last entry and inserts the next; without the writers' lock two
    # processes would read the same head and one insert would fail or fork the chain.
    writers, each = 8, 25
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(writers)
    procs = [
        ctx.Process(target=pg.append_audit, args=(url, w, each, barrier)) for w in range(writers)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=180)
    assert [p.exitcode for p in procs] == [0] * writers
    log = AuditLog(store)
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
def pgdb(url: str) -> Iterator[psycopg.Connection[tuple[Any, ...]]]:
    conn = psycopg.connect(url)
    conn.execute("SET TIME ZONE 'UTC'")  # timestamps come back as UTC, as SQLite's text says
    conn.commit()
    _pg_schema(conn)
    service.seed(_Seeder(conn), customers=3, hours=48)
    try:
        yield conn
    finally:
        conn.close()


@pytest.fixture
def litedb(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(tmp_path / "elveta.db")
    service.create_schema(conn)
    service.seed(conn, customers=3, hours=48)
    yield conn
    conn.close()


ANNA = rights.SubjectRef("customer", "C-1042")


def _data_members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist() if n.startswith("data/")}


@pytest.mark.parametrize("scope", ["access", "portability"])
def test_export_from_postgres_equals_the_sqlite_export(
    pgdb: psycopg.Connection[tuple[Any, ...]],
    litedb: sqlite3.Connection,
    tmp_path: Path,
    scope: str,
) -> None:
    assert rights.paramstyle_of(pgdb) == "pyformat"
    from_pg = rights.export_subject(
        ANNA, service.sources(pgdb), models.policy, scope=scope, at=AT, out=tmp_path / "pg.zip"
    )
    from_lite = rights.export_subject(
        ANNA, service.sources(litedb), models.policy, scope=scope, at=AT, out=tmp_path / "lite.zip"
    )
    manifest = rights.verify_package(from_pg.path)
    kinds = {k["record_kind"]: k["rows"] for k in manifest["record_kinds"]}
    if scope == "access":
        assert kinds["MeterReading"] == 48 and kinds["Invoice"] == 8
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
        "SELECT count(*) FROM meter_readings WHERE customer_id IS NULL"
    ).fetchone() == (48,)
    pgdb.rollback()
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


def test_ledger_and_requests_on_postgres(store: PostgresStore) -> None:
    from datetime import timedelta

    from gdprkit.consent import Ledger
    from gdprkit.requests import RequestKind, RequestRegister

    ring = Keyring.generate(at=AT)
    audit = AuditLog(store, pseudonymizer=Pseudonymizer(ring, domain="audit"))
    ledger = Ledger(
        store, pg.elveta(), pseudonymizer=Pseudonymizer(ring, domain="consent"), audit=audit
    )
    ledger.grant("C-1042", ["cookies.analytics"], notice_version="1", method="banner", at=AT)
    assert ledger.has_consent("C-1042", "cookies.analytics", AT)
    ledger.withdraw("C-1042", method="settings", at=AT + timedelta(hours=1))
    assert not ledger.has_consent("C-1042", "cookies.analytics", AT + timedelta(hours=1))
    objection = ledger.object("C-1042", "marketing", at=AT + timedelta(hours=2))
    assert objection.absolute
    assert ledger.has_objected("C-1042", "marketing", AT + timedelta(hours=3))
    ledger.restrict(
        "C-1042", allowed_purposes=["bookkeeping"], at=AT + timedelta(hours=3), reason="18(1)(a)"
    )
    assert ledger.restriction("C-1042", AT + timedelta(hours=4)) is not None
    register = RequestRegister(store, audit=audit)
    request = register.receive(
        RequestKind.ACCESS, "customer", "C-1042", received_at=AT, channel="email"
    )
    register.verify(request.id, at=AT + timedelta(hours=1))
    done = register.complete(request.id, at=AT + timedelta(hours=2))
    assert [e.state.value for e in done.history] == ["received", "verified", "done"]
    assert audit.verify() is not None


def test_concurrent_consent_changes_lose_nothing(store: PostgresStore, url: str) -> None:
    from datetime import timedelta

    from gdprkit.consent import ConsentState, Ledger

    ring = Keyring.generate(at=pg.T0)
    ledger = Ledger(store, pg.elveta(), pseudonymizer=Pseudonymizer(ring, domain="consent"))
    purposes = [f"cookies.{c}" for c in pg.COOKIE_CATEGORIES]
    ledger.grant("C-1042", purposes, notice_version="2026-01", method="banner", at=pg.T0)
    writers, rounds = 6, 5
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(writers)
    procs = [
        ctx.Process(target=pg.change_consent, args=(url, w, rounds, ring.to_json(), barrier))
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
