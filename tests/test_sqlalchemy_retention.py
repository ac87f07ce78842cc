"""gdprkit.sqlalchemy.expired: retention cut-offs as SQLAlchemy expressions, checked against
retention.evaluate (Hypothesis, as tests/test_retention.py checks cutoff) on SQLite, and the
same statements on PostgreSQL; a retention job of one statement per table."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("sqlalchemy", reason="gdprkit[sqlalchemy] is not installed (sqlalchemy)")

import sqlalchemy as sa  # after the skip: the module needs the extra
from sqlalchemy.orm import Session

import gdprkit as gk
from gdprkit.retention import (
    ExpiryKind,
    Rule,
    Status,
    after,
    cutoff,
    evaluate,
    expiry,
    max_of,
    min_of,
    while_active,
)
from gdprkit.sqlalchemy import UTCDateTime, expired
from tests.sa_service import (
    Customer,
    Invoice,
    Meter,
    MeterReading,
    engine,
    policy,
    seed,
)
from tests.test_retention import (
    SQL_CASE_IDS,
    SQL_CASES,
    ZONES,
    _date_window,
    _instant_window,
    event_dates,
    nows,
    single_event_rules,
)

__all__ = ["engine"]  # the fixture, imported for the tests below

STHLM = ZoneInfo("Europe/Stockholm")
metadata = sa.MetaData()
events = sa.Table(
    "events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("ended_on", sa.Date),
    sa.Column("ended_at", UTCDateTime),
)


@pytest.fixture(scope="module")
def lite() -> Iterator[sa.Engine]:
    """One in-memory SQLite database for the property test's many examples."""
    created = sa.create_engine("sqlite://")
    metadata.create_all(created)
    yield created
    created.dispose()


def _fill(conn: sa.Connection, days: list[date], moments: list[datetime]) -> None:
    conn.execute(sa.delete(events))
    rows = [{"id": 0, "ended_on": None, "ended_at": None}]
    rows += [{"id": i, "ended_on": d, "ended_at": None} for i, d in enumerate(days, start=1)]
    start = len(rows)
    rows += [{"id": i, "ended_on": None, "ended_at": m} for i, m in enumerate(moments, start)]
    conn.execute(sa.insert(events), rows)


def _selected(conn: sa.Connection, where: sa.ColumnElement[bool]) -> set[int]:
    return set(conn.scalars(sa.select(events.c.id).where(where)))


@settings(max_examples=60)
@given(st.data(), single_event_rules, st.sampled_from(ZONES), st.lists(event_dates(), max_size=6))
def test_expired_agrees_with_evaluate(
    lite: sa.Engine, data: st.DataObject, rule: Rule, tz: tzinfo, specials: list[date]
) -> None:
    now = data.draw(nows(tz))
    try:
        day_cut = cutoff(rule, now, tz=tz)
        ts_cut = cutoff(rule, now, tz=tz, column_type="timestamp")
    except gk.RetentionError:
        assert expiry(rule, {}, tz=tz).kind is ExpiryKind.IMMEDIATE
        with pytest.raises(gk.RetentionError):
            expired(events.c.ended_on, rule, now, tz=tz)
        return
    assert day_cut is not None and ts_cut is not None
    days = _date_window(day_cut.date(), tz) + specials
    moments = _instant_window(ts_cut, tz, specials)

    def status(value: date) -> Status:
        return evaluate(rule, {"e": value}, now, tz=tz).status

    with lite.begin() as conn:
        _fill(conn, days, moments)
        by_day = _selected(conn, expired(events.c.ended_on, rule, now, tz=tz))
        by_instant = _selected(conn, expired(events.c.ended_at, rule, now, tz=tz))
    # Date events: exactly what evaluate() says, also at month ends and on DST days.
    assert by_day == {i for i, d in enumerate(days, start=1) if status(d) is Status.EXPIRED}
    # Instants: the database compares what Python compares (cutoff), and never erases early.
    first = len(days) + 1
    assert by_instant == {i for i, m in enumerate(moments, first) if m < ts_cut}
    assert all(status(moments[i - first]) is Status.EXPIRED for i in by_instant)
    assert 0 not in by_day | by_instant  # NULL: not happened, never expired


@pytest.mark.parametrize(("rule", "event", "now"), SQL_CASES, ids=SQL_CASE_IDS)
def test_expired_on_both_databases(
    engine: sa.Engine, rule: Rule, event: str, now: datetime
) -> None:
    metadata.create_all(engine)
    local = now.astimezone(STHLM).date()
    days = [local - timedelta(days=k) for k in range(0, 3000, 3)]
    moments = [now.astimezone(UTC) - timedelta(hours=7 * k) for k in range(0, 9000, 5)]
    threshold = cutoff(rule, now, tz=STHLM, column_type="timestamp")
    assert threshold is not None
    with engine.begin() as conn:
        _fill(conn, days, moments)
        by_day = _selected(conn, expired(events.c.ended_on, rule, now, tz=STHLM))
        by_instant = _selected(conn, expired(events.c.ended_at, rule, now, tz=STHLM))
        deleted = conn.execute(
            sa.delete(events).where(expired(events.c.ended_on, rule, now, tz=STHLM))
        )
        assert deleted.rowcount == len(by_day)

    def gone(value: date) -> bool:
        return evaluate(rule, {event: value}, now, tz=STHLM).status is Status.EXPIRED

    assert by_day == {i for i, d in enumerate(days, start=1) if gone(d)}
    first = len(days) + 1
    assert by_instant == {i for i, m in enumerate(moments, first) if m < threshold}
    assert all(gone(moments[i - first]) for i in by_instant)


def test_a_rule_nothing_has_run_out_of_selects_nothing(lite: sa.Engine) -> None:
    now = datetime(1, 1, 2, tzinfo=UTC)  # five years after nothing that can be stored
    with lite.begin() as conn:
        _fill(conn, [date(1, 1, 1)], [datetime(1, 1, 1, tzinfo=UTC)])
        for column in (events.c.ended_on, events.c.ended_at):
            where = expired(column, after("e", years=5), now, tz=UTC)
            assert str(where) == "false" and _selected(conn, where) == set()


def test_the_retention_job_is_one_statement_per_table(engine: sa.Engine) -> None:
    """Elveta's job (the example service's, spelled out): readings go 24 months after the
    contract ended; invoices when that and Bokföringslagen's seven years have run out."""
    seed(engine)
    contract = policy.purposes["contract"].retention
    bookkeeping = policy.purposes["bookkeeping"].retention
    assert contract is not None and bookkeeping is not None
    # Anna's 2025 invoice has just run out; Maja's contract ended 2024, her last invoice 2023
    now = datetime(2033, 1, 1, 0, 0, tzinfo=STHLM)
    ended = sa.select(Customer.customer_id).where(expired(Customer.contract_ended, contract, now))
    with Session(engine) as session, session.begin():
        meters = sa.select(Meter.meter_id).where(Meter.customer_id.in_(ended))
        readings = session.execute(sa.delete(MeterReading).where(MeterReading.meter_id.in_(meters)))
        invoices = session.execute(
            sa.delete(Invoice).where(
                expired(Invoice.fiscal_year_end, bookkeeping, now, tz=policy.timezone),
                Invoice.customer_id.in_(ended),
            )
        )
        assert (readings.rowcount, invoices.rowcount) == (12, 4)  # type: ignore[attr-defined]
        # Erik's invoices have run out under Bokföringslagen too, but his contract runs
        kept = sa.select(Invoice.customer_id).where(
            expired(Invoice.fiscal_year_end, bookkeeping, now, tz=policy.timezone)
        )
        assert session.scalars(kept).all() == ["C-1043", "C-1043"]
    with Session(engine) as session:
        assert session.scalars(sa.select(MeterReading.meter_id).distinct()).all() == ["M-7701"]


def test_expired_refuses_what_it_cannot_cut() -> None:
    now = datetime(2026, 11, 25, tzinfo=UTC)
    table = sa.Table(
        "odd",
        sa.MetaData(),
        sa.Column("text_day", sa.String),
        sa.Column("wall_time", sa.DateTime),
        sa.Column("aware", sa.DateTime(timezone=True)),
    )
    with pytest.raises(gk.RetentionError, match="text_day is neither a Date nor a DateTime"):
        expired(table.c.text_day, after("e", years=1), now)
    with pytest.raises(gk.RetentionError, match="wall_time is a DateTime without time zone"):
        expired(table.c.wall_time, after("e", years=1), now)
    with pytest.raises(gk.RetentionError, match="needs a column"):
        expired("ended_on", after("e", years=1), now)
    with pytest.raises(gk.RetentionError, match="no single cutoff"):
        expired(table.c.aware, max_of(after("a"), after("b")), now)
    with pytest.raises(gk.NaiveDatetimeError):
        expired(table.c.aware, while_active("e"), datetime(2026, 1, 1))
    where = expired(table.c.aware, min_of(after("e", years=1), while_active("e")), now)
    assert str(where) == "odd.aware < :param_1"
