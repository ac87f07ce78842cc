"""The export's batch paths against their plain twins (house style 8).

The package is written a batch of records at a time: SQL values are
converted a column at a time, cells are encoded a column at a time, and the
lines of both data files are joined from their columns in one call. Each of
these is held here against the row-by-row code it replaces (``json.dumps``,
:func:`csv.writer`, ``datetime.isoformat``, :func:`~gdprkit._sqlvalues.from_db`),
and whole packages of several batches against the plain encoding of every
record.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import sqlite3
import zipfile
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import gdprkit as gk
from gdprkit import rights
from gdprkit._demo import models, service
from gdprkit._rights.cells import CellEncoder, csv_cell, iso_texts, json_string, json_value
from gdprkit._rights.export import _BATCH_ROWS
from gdprkit._rights.lines import RowText, interleave
from gdprkit._rights.sql_source import _Rows
from gdprkit._sqlvalues import column_converters, convert_column, field_hints

from .conftest import service_database

AT = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
STHLM = ZoneInfo("Europe/Stockholm")


class _Floating(tzinfo):
    """A zone that gives no offset: its times are aware, but written without one."""

    def utcoffset(self, dt: datetime | None) -> None:
        return None


_ZONES = st.sampled_from(
    [UTC, STHLM, _Floating(), timezone(timedelta(hours=-3, minutes=-30)),
     timezone(timedelta(hours=5, seconds=7)), timezone(timedelta(microseconds=-1))]
)  # fmt: skip


def _pooled(values: st.SearchStrategy[object], max_size: int = 12) -> st.SearchStrategy[list]:
    """Lists drawn from a few values (so that they repeat, as a column's values often do) or
    from all of them."""
    pooled = st.lists(values, min_size=1, max_size=4).flatmap(
        lambda pool: st.lists(st.sampled_from(pool), max_size=max_size)
    )
    return st.one_of(pooled, st.lists(values, max_size=max_size))


# -- datetime.isoformat, a part at a time ---------------------------------------------------


@given(_pooled(st.datetimes(timezones=_ZONES), max_size=40))
def test_iso_texts_are_isoformat(column):
    zones = {value.tzinfo for value in column}
    assert iso_texts(column, zones) == [value.isoformat() for value in column]


def test_iso_texts_of_hourly_readings_in_one_zone_are_isoformat():
    start = datetime(2026, 3, 28, tzinfo=STHLM)  # across the change to summer time
    column = [start + timedelta(hours=h) for h in range(72)]
    assert iso_texts(column, {STHLM}) == [value.isoformat() for value in column]
    utc = [value.astimezone(UTC) for value in column]
    assert iso_texts(utc, {UTC}) == [value.isoformat() for value in utc]


# -- cells, a column at a time --------------------------------------------------------------

#: Texts, and texts a spreadsheet might run: formula characters first, after blanks, after ";".
_TEXTS = st.one_of(
    st.text(max_size=6),
    st.sampled_from("=+-@\t\r\0").flatmap(lambda c: st.text(max_size=4).map(lambda t: c + t)),
    st.lists(st.sampled_from(["x", ";", " ", "\u3000", "=", "-1", "@", "\0", ""]), max_size=5).map(
        "".join
    ),
)
_COLUMN_KINDS = [
    _TEXTS, st.integers(), st.decimals(allow_nan=False), st.dates(),
    st.datetimes(timezones=_ZONES), st.datetimes(), st.none(), st.booleans(), st.floats(),
    st.one_of(st.none(), _TEXTS, st.integers(), st.decimals(allow_nan=False), st.dates()),
]  # fmt: skip


@st.composite
def _batches(draw):
    """A batch of rows given as columns, each of one kind of value (or a mix), often repeated."""
    kinds = draw(st.lists(st.sampled_from(_COLUMN_KINDS), min_size=1, max_size=4))
    rows = draw(st.integers(1, 12))
    columns = []
    for kind in kinds:
        values = draw(st.lists(kind, min_size=1, max_size=rows if draw(st.booleans()) else 3))
        columns.append(draw(st.lists(st.sampled_from(values), min_size=rows, max_size=rows)))
    return columns


@pytest.mark.parametrize("zone", [UTC, STHLM], ids=["policy in UTC", "policy in Stockholm"])
@given(columns=_batches())
def test_cells_of_a_batch_are_the_plain_cells_of_each_value(zone, columns):
    tokens, cells = CellEncoder(zone).columns(columns)
    for column, column_tokens, column_cells in zip(columns, tokens, cells, strict=True):
        assert list(column_cells) == [csv_cell(v, zone) for v in column]
        if column_tokens is None:  # each token is the cell in quotes
            column_tokens = [f'"{cell}"' for cell in column_cells]
        assert list(column_tokens) == [
            json.dumps(json_value(v, zone), ensure_ascii=False) for v in column
        ]


@given(st.lists(_TEXTS, min_size=1, max_size=12, unique=True))
def test_a_column_of_distinct_texts_is_neutralised_as_each_text_is(column):
    # Texts that seldom repeat take the path that looks at each text, not each distinct one.
    _, (cells,) = CellEncoder(UTC).columns([column])
    assert list(cells) == [csv_cell(v, UTC) for v in column]


@pytest.mark.parametrize(
    "risky",
    ["=1+1", "+1", "-1", "@A1", "\t=1", "\r=1", "\0=1", " =1+1", "\u3000@A1", "x;=2", "x; -1"],
    ids=["formula", "plus", "minus", "at", "tab", "carriage return", "NUL", "blank, formula",
         "ideographic space, at", "formula after ;", "formula after ; and a blank"],
)  # fmt: skip
def test_one_text_a_spreadsheet_might_run_among_others_is_neutralised_as_it_would_be(risky):
    column = ["a", "b", "c", risky, "d", "e"]
    _, (cells,) = CellEncoder(UTC).columns([column])
    assert list(cells) == [csv_cell(v, UTC) for v in column]


def test_a_column_of_one_formula_is_neutralised_in_every_row():
    _, cells = CellEncoder(UTC).columns([["=HYPERLINK(x)"] * 6, ["-1"] * 6, [Decimal("-1")] * 6])
    assert [list(c) for c in cells] == [["'=HYPERLINK(x)"] * 6, ["'-1"] * 6, ["-1"] * 6]


# -- lines, joined from columns -------------------------------------------------------------

_FIELDS = st.lists(
    st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True), min_size=0, max_size=4, unique=True
)
_CELL_TEXT = st.one_of(st.text(max_size=5), st.sampled_from(["", ",", '"', "\r\n", "a\0", " "]))


@given(fields=_FIELDS, data=st.data())
def test_lines_are_those_of_json_dumps_and_the_csv_writer(fields, data):
    rows = data.draw(st.lists(st.tuples(*[_CELL_TEXT] * len(fields)), min_size=1, max_size=8))
    columns = [[row[i] for row in rows] for i in range(len(fields))]
    # Plain texts of digits may go as "cells in quotes" (None tokens), others as tokens.
    quoted = [data.draw(st.booleans()) and all(c.isdigit() for c in col) for col in columns]
    tokens = [
        None if q else [json_string(c) for c in col] for q, col in zip(quoted, columns, strict=True)
    ]
    text = RowText(fields)
    assert text.jsonl(tokens, columns, len(rows)) == "".join(
        json.dumps(dict(zip(fields, row, strict=True)), ensure_ascii=False) + "\n" for row in rows
    )
    table = io.StringIO(newline="")
    writer = csv.writer(table, lineterminator="\r\n")
    writer.writerow(fields)
    header = table.getvalue()
    writer.writerows(rows)
    assert text.csv_header(fields) + text.csv(columns, len(rows)) == table.getvalue()
    assert text.csv_header(fields) == header  # the writer's buffer is emptied each time


def test_interleave_needs_one_separator_more_than_columns_and_columns_of_the_rows():
    assert interleave(["<", "|", ">\n"], [["a", "b"], ["1", "2"]], 2) == "<a|1>\n<b|2>\n"
    with pytest.raises(ValueError, match="one separator more"):
        interleave(["<", ">"], [["a"], ["b"]], 1)
    with pytest.raises(ValueError, match="size"):
        interleave(["<", ">"], [["a"]], 2)


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


# -- whole packages of several batches ------------------------------------------------------


def _plain_files(records, fields, zone, deliver=lambda record, field, value: value):
    """The JSON Lines and CSV text of ``records``, one value at a time with the plain functions."""
    lines, table = [], io.StringIO(newline="")
    writer = csv.writer(table, lineterminator="\r\n")
    writer.writerow(fields)
    for record in records:
        values = [deliver(record, f, getattr(record, f)) for f in fields]
        plain = {f: json_value(v, zone) for f, v in zip(fields, values, strict=True)}
        lines.append(json.dumps(plain, ensure_ascii=False) + "\n")
        writer.writerow([csv_cell(v, zone) for v in values])
    return "".join(lines), table.getvalue()


def _files(path, name):
    with zipfile.ZipFile(path) as zf:
        return tuple(zf.read(f"data/{name}.{ext}").decode("utf-8") for ext in ("jsonl", "csv"))


def test_a_package_of_many_batches_holds_each_record_as_the_plain_encoding_does(tmp_path):
    hours = 3 * _BATCH_ROWS + 17
    conn = service_database(tmp_path / "elveta.db", hours=hours)
    anna = rights.SubjectRef("customer", "C-1042")
    (source,) = [s for s in service.sources(conn) if s.name == "meter_readings"]
    result = rights.export_subject(anna, [source], models.policy, at=AT, out=tmp_path / "a.zip")
    records = list(source.records(anna))
    fields = tuple(attrs.fields_dict(models.MeterReading))
    assert len(records) == hours == result.rows
    assert _files(result.path, "meter_readings") == _plain_files(
        records, fields, models.policy.timezone
    )
    rights.verify_package(result.path)


def test_a_hook_redacts_across_batches_and_the_page_shows_the_first_records(tmp_path):
    start = datetime(2026, 1, 1, tzinfo=STHLM)
    tickets = [models.SupportTicket(f"T-{i}", "C-1042", start + timedelta(hours=i),
                                    f"=call {i}" if i % 7 == 0 else f"ticket {i}")
               for i in range(2 * _BATCH_ROWS + 3)]  # fmt: skip
    calls = []

    def withhold_every_seventh(kind, field, value, record):
        calls.append(field)
        if field == "message" and value.startswith("="):
            return rights.Redacted("[withheld]")
        return value

    def deliver(record, field, value):
        answer = withhold_every_seventh("SupportTicket", field, value, record)
        return answer.replacement if isinstance(answer, rights.Redacted) else answer

    source = rights.IterableSource("tickets", models.SupportTicket, tickets,
                                   subject_field="customer_id")  # fmt: skip
    result = rights.export_subject(rights.SubjectRef("customer", "C-1042"), [source],
                                   models.policy, at=AT, out=tmp_path / "t.zip",
                                   redact=withhold_every_seventh)  # fmt: skip
    fields = tuple(attrs.fields_dict(models.SupportTicket))
    assert len(calls) == len(tickets) * len(fields)
    assert result.redacted == len(range(0, len(tickets), 7))
    assert _files(result.path, "tickets") == _plain_files(
        tickets, fields, models.policy.timezone, deliver
    )
    with zipfile.ZipFile(result.path) as zf:
        page = zf.read("index.html").decode("utf-8")
    assert "ticket 48" in page and "ticket 50" not in page  # the first 50 records, no more
