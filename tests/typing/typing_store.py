"""Type-checked with mypy --strict, never run: gdprkit.store and both engines keep their types."""

from __future__ import annotations

import sqlite3
from typing import Any

import psycopg
from typing_extensions import assert_type

import gdprkit.store
from gdprkit.store import Checkpoint, Store, StoreConnection, StoreCursor, check_store
from gdprkit.store import postgres as pg
from gdprkit.store import sqlite as lite
from gdprkit.store.postgres import PostgresConnection, PostgresStore, translate
from gdprkit.store.sqlite import SQLiteStore

# --- opening by URL gives the protocol; the classes give themselves
opened = gdprkit.store.open("sqlite:///gdprkit.db")
assert_type(opened, Store)
assert_type(gdprkit.store.open("postgresql://app@db/gdpr", timeout=2.5), Store)
assert_type(check_store(object()), Store)
assert_type(check_store(object(), "audit_store"), Store)
assert_type(SQLiteStore("gdprkit.db"), SQLiteStore)
assert_type(SQLiteStore.memory(), SQLiteStore)
assert_type(PostgresStore("postgresql://app@db/gdpr", timeout=1), PostgresStore)

gdprkit.store.open(b"sqlite:///x")  # type: ignore[arg-type]
gdprkit.store.open("sqlite:///x", 5.0)  # type: ignore[call-arg]
SQLiteStore("gdprkit.db", timeout="5")  # type: ignore[arg-type]
PostgresStore(42)  # type: ignore[arg-type]

# --- the protocol: what the modules that keep state rely on
assert_type(opened.version, int)
assert_type(opened.closed, bool)
assert_type(opened.query("SELECT 1"), list[tuple[Any, ...]])
assert_type(opened.query("SELECT ?", ("x",)), list[tuple[Any, ...]])
assert_type(opened.checkpoint(), Checkpoint)
assert_type(opened.checkpoint().complete, bool)
assert_type(opened.read_only, bool)
assert_type(gdprkit.store.open("sqlite:///gdprkit.db", read_only=True), Store)
assert_type(SQLiteStore("gdprkit.db", read_only=True), SQLiteStore)
assert_type(PostgresStore("postgresql://app@db/gdpr", read_only=True), PostgresStore)
SQLiteStore("gdprkit.db", read_only="yes")  # type: ignore[arg-type]
opened.read_only = False  # type: ignore[misc]
with opened.transaction() as conn:
    assert_type(conn, StoreConnection)
    cursor = conn.execute("SELECT ?", ("x",))
    assert_type(cursor, StoreCursor)
    assert_type(cursor.rowcount, int)
    assert_type(cursor.fetchall(), list[Any])
    assert_type(conn.executemany("INSERT INTO t VALUES (?)", [("a",), ("b",)]), StoreCursor)
    conn.execute("SELECT ?", "x", "y")  # type: ignore[call-arg]
with opened as same:
    assert_type(same, Store)

opened.query(b"SELECT 1")  # type: ignore[arg-type]
opened.version = 2  # type: ignore[misc]


def keeps_state(store: Store) -> None:
    """A module that keeps state takes any store."""


keeps_state(SQLiteStore.memory())
keeps_state(PostgresStore("postgresql://app@db/gdpr"))
keeps_state(sqlite3.connect(":memory:"))  # type: ignore[arg-type]

# --- each engine's own connection in a transaction
lite_store = SQLiteStore(":memory:")
with lite_store.transaction() as lite_conn:
    assert_type(lite_conn, sqlite3.Connection)
with lite_store as lite_same:
    assert_type(lite_same, SQLiteStore)
assert_type(lite_store.path, str)
assert_type(lite_store.journal_mode, str)

server = PostgresStore("postgresql://app@db/gdpr")
with server.transaction() as pg_conn:
    assert_type(pg_conn, PostgresConnection)
    assert_type(pg_conn.execute("SELECT ?", (1,)), psycopg.Cursor[tuple[Any, ...]])
with server as server_same:
    assert_type(server_same, PostgresStore)
assert_type(translate("SELECT ?"), str)

# --- the schema versions, declared once and rendered per engine
assert_type(lite.MIGRATIONS, tuple[str, ...])
assert_type(lite.SCHEMA_VERSION, int)
assert_type(pg.MIGRATIONS, tuple[str, ...])
assert_type(pg.SCHEMA_VERSION, int)
assert_type(SQLiteStore.migrations, tuple[str, ...])
