"""The SQL source's batch path against its plain twin (house style 8).

:class:`~gdprkit.rights.SQLSource` converts a batch of fetched rows a column
at a time (one C call per value for ISO times and decimal texts) and makes
the records as they are taken; the row-by-row code it replaces stays as the
path that raises at the row that fails. Both are held here against each
other and against :func:`~gdprkit._sqlvalues.from_db`'s conversions.
"""

from __future__ import annotations

import itertools
import sqlite3
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import gdprkit as gk
from gdprkit import rights
from gdprkit._demo import models
from gdprkit._rights.sql_source import _Rows
from gdprkit._sqlvalues import column_converters, convert_column, field_hints

from .conftest import service_database


def _pooled(values: st.SearchStrategy[object], max_size: int = 12) -> st.SearchStrategy[list]:
    """Lists drawn from a few values (so that they repeat, as a column's values often do) or
    from all of them."""
    pooled = st.lists(values, min_size=1, max_size=4).flatmap(
        lambda pool: st.lists(st.sampled_from(pool), max_size=max_size)
    )
    return st.one_of(pooled, st.lists(values, max_size=max_size))


# -- SQL values, a column at a time ---------------------------------------------------------

_HINTS = [datetime, date, Decimal, bool, int, float, str, datetime | None, int | str]
_SQL_KINDS = [
    st.none(), st.integers(-3, 3), st.floats(allow_nan=False), st.text(max_size=4),
    st.dates().map(date.isoformat), st.datetimes().map(datetime.isoformat),
    st.datetimes(timezones=st.just(UTC)).map(datetime.isoformat),
    st.decimals(allow_nan=False, places=2).map(str), st.decimals(places=2),
]  # fmt: skip
#: A column of values of one kind (as a typed SQL column holds), with NULLs or not, or a mix.
_SQL_COLUMNS = st.one_of(
    st.sampled_from(_SQL_KINDS).flatmap(_pooled),
    st.sampled_from(_SQL_KINDS).flatmap(lambda kind: _pooled(st.one_of(st.none(), kind))),
    _pooled(st.one_of(*_SQL_KINDS)),
)


def _each(convert, keep, column):
    try:
        return [v if v is None or type(v) is keep else convert(v) for v in column]
    except gk.SourceError:
        return None


def _typed(values):
    return None if values is None else [(type(v), repr(v)) for v in values]


@given(st.sampled_from(_HINTS), _SQL_COLUMNS)
def test_a_column_converts_as_each_of_its_values_would(hint, column):
    converters = column_converters(("f",), {"f": hint}, lambda field: f"t.{field}")
    if not converters:
        return  # values of this hint pass unchanged, in both paths
    ((_, keep, convert),) = converters
    assert _typed(convert_column(column, keep, convert)) == _typed(_each(convert, keep, column))


@pytest.mark.parametrize(
    ("hint", "column", "expected"),
    [
        (Decimal, [0.1, 2.5, None], [Decimal("0.1"), Decimal("2.5"), None]),
        (Decimal, ["0.10", "7"], [Decimal("0.10"), Decimal("7")]),
        (Decimal, [3, 4], [Decimal(3), Decimal(4)]),
        (datetime, ["2026-11-01T00:00:00+01:00"], [datetime(2026, 11, 1, tzinfo=timezone(timedelta(hours=1)))]),
        (date, ["2026-11-01", datetime(2026, 11, 2, 5)], [date(2026, 11, 1), date(2026, 11, 2)]),
        (float, [1, 2], [1.0, 2.0]),
        (int, [1.0, 2.5], None),
        (datetime, ["2026-11-01", "yesterday"], None),
    ],
    ids=["REAL to exact decimals, by their text", "decimal text", "INTEGER to decimals",
         "ISO text to times", "text and times to dates", "INTEGER to float",
         "2.5 is no int", "a text that is no time"],
)  # fmt: skip
def test_a_column_converts_to_its_fields_type(hint, column, expected):
    ((_, keep, convert),) = column_converters(("f",), {"f": hint}, lambda field: f"t.{field}")
    assert _typed(convert_column(column, keep, convert)) == _typed(expected)


@attrs.frozen(kw_only=True)
class _Reading:
    """A meter reading the SQL source cannot call with a row's values in order."""

    customer_id: str
    meter_id: str
    read_at: datetime
    kwh: Decimal


_READ_AT = st.one_of(
    st.datetimes(timezones=st.just(UTC)).map(datetime.isoformat), st.just("not a time")
)
_ROWS = st.lists(
    st.tuples(st.sampled_from(["C-1042", "c-1042", "C-7"]), st.sampled_from(["M-1", "M-2"]),
              _READ_AT, st.decimals(allow_nan=False, places=2).map(str)),
    min_size=1, max_size=12,
)  # fmt: skip


def _outcome(records):
    made = []
    try:
        for record in records:
            made.append(attrs.astuple(record))
    except gk.SourceError as error:
        return made, str(error)
    return made, None


@pytest.mark.parametrize("model", [models.MeterReading, _Reading], ids=["positional", "keywords"])
@pytest.mark.parametrize("aliases", [(), ((1, "M-2"),)], ids=["subject", "subject or alias"])
@given(batch=_ROWS)
def test_a_batch_of_rows_gives_the_records_row_by_row_gives(model, aliases, batch):
    fields = ("customer_id", "meter_id", "read_at", "kwh")
    converters = column_converters(fields, field_hints(model), lambda field: f"t.{field}")
    rows = _Rows(fields, model, converters, 0, "C-1042", aliases)
    plain = _outcome(rows.one_by_one(batch))
    by_columns = rows.by_columns(batch)
    if by_columns is None:  # a value failed: the rows before it come, then the error
        assert plain[1] == "column t.read_at holds a value that is not of type datetime"
    else:
        assert _outcome(by_columns) == plain


def test_a_bad_value_in_a_batch_comes_after_the_records_before_it(tmp_path):
    conn = service_database(tmp_path / "elveta.db", hours=10)
    conn.execute(
        "UPDATE meter_readings SET read_at = 'yesterday' WHERE rowid = ("
        " SELECT rowid FROM meter_readings WHERE customer_id = 'C-1042' LIMIT 1 OFFSET 6)"
    )
    source = rights.SQLSource(conn, table="meter_readings", subject_column="customer_id",
                              model=models.MeterReading, batch_size=4)  # fmt: skip
    records = source.records(rights.SubjectRef("customer", "C-1042"))
    got = list(itertools.islice(records, 6))
    assert len(got) == 6
    with pytest.raises(gk.SourceError, match=r"meter_readings\.read_at .* not of type datetime"):
        next(records)


def test_rows_the_database_matches_but_python_does_not_are_left_out(tmp_path):
    conn = sqlite3.connect(tmp_path / "nocase.db")
    conn.execute("CREATE TABLE readings (customer_id TEXT COLLATE NOCASE, meter_id TEXT,"
                 " read_at TEXT, kwh TEXT)")  # fmt: skip
    ids = ["C-1042", "c-1042", "C-1042", "C-1042", "c-1042", "C-1042", "C-1042"]
    conn.executemany(
        "INSERT INTO readings VALUES (?, 'M-1', ?, '1.5')",
        [(cid, f"2026-11-01T{h:02d}:00:00+00:00") for h, cid in enumerate(ids)],
    )
    source = rights.SQLSource(conn, table="readings", subject_column="customer_id",
                              model=models.MeterReading, batch_size=3)  # fmt: skip
    got = list(source.records(rights.SubjectRef("customer", "C-1042")))
    assert [r.read_at.hour for r in got] == [0, 2, 3, 5, 6]
