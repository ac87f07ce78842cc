from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from html.parser import HTMLParser
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

import gdprkit as gk
from gdprkit import rights
from gdprkit._demo import models, service
from gdprkit._rights.cells import CellEncoder, csv_cell, csv_value, json_value
from gdprkit._rights.sql_source import paramstyle_of
from gdprkit._sqlvalues import column_converters, from_db

from .conftest import SERVICE_HOURS

AT = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
ROOT = Path(__file__).resolve().parent.parent


def _export(db, subject, tmp_path, scope="access", name=None, **kw):
    out = tmp_path / (name or f"{scope}.zip")
    return rights.export_subject(
        subject, service.sources(db), models.policy, scope=scope, at=AT, out=out, **kw
    )


def _read(path, member):
    with zipfile.ZipFile(path) as zf:
        return zf.read(member).decode("utf-8")


def test_access_package_holds_everything(db, anna, tmp_path):
    result = _export(db, anna, tmp_path)
    manifest = rights.verify_package(result.path)
    kinds = {k["record_kind"]: k for k in manifest["record_kinds"]}
    assert set(kinds) == {
        "Customer", "Contract", "Invoice", "MeterReading", "SupportTicket",
        "MarketingPreference", "ChurnScore",
    }  # fmt: skip
    assert kinds["MeterReading"]["rows"] == SERVICE_HOURS
    assert kinds["Invoice"]["rows"] == 8
    # derived data is in the access package (EDPB 01/2022)
    scores = [
        json.loads(line) for line in _read(result.path, "data/churn_scores.jsonl").splitlines()
    ]
    assert len(scores) == 1 and 0 <= scores[0]["score"] <= 1
    assert all(k["excluded_fields"] == [] for k in manifest["record_kinds"])
    assert result.rows == sum(k["rows"] for k in manifest["record_kinds"])
    with zipfile.ZipFile(result.path) as zf:
        assert zf.namelist()[-2:] == ["index.html", "manifest.json"]


def test_manifest_has_the_art15_information(db, anna, tmp_path):
    manifest = _export(db, anna, tmp_path).manifest
    assert manifest["schema"] == rights.MANIFEST_SCHEMA_VERSION
    assert manifest["scope"] == "access"
    assert manifest["subject"] == {"kind": "customer", "id": "C-1042"}
    assert manifest["controller"]["name"] == "Picofrost AB"
    assert manifest["supervisory_authority"]["address"] == "Box 8114, 104 20 Stockholm"
    assert manifest["supervisory_authority"]["right"] == "GDPR Art. 77"
    assert manifest["generated_at"] == "2026-11-25T10:30:00+01:00"
    assert manifest["automated_decision_making"]["en"].startswith("We make no decisions")
    invoice = next(k for k in manifest["record_kinds"] if k["record_kind"] == "Invoice")
    book = next(p for p in invoice["purposes"] if p["id"] == "bookkeeping")
    assert book["legal_basis"]["article"] == "GDPR Art. 6(1)(c)"
    assert book["legal_reference"] == "Bokföringslagen (1999:1078) 7 kap. 2 §"
    assert book["recipients"][0]["country"] == "SE"
    assert "sjunde året" in book["retention"]["rule"]["sv"]
    assert {
        "right": "complaint",
        "article": "GDPR Art. 77",
        "label": invoice["rights"][-1]["label"],
    } in invoice["rights"]
    fields = {f["name"]: f for f in invoice["fields"]}
    assert fields["amount_sek"]["origin"] == "derived"
    assert fields["invoice_id"]["personal"] is False


def test_manifest_names_kinds_and_fields_for_people_in_every_language(db, anna, tmp_path):
    manifest = _export(db, anna, tmp_path).manifest
    kinds = {k["record_kind"]: k for k in manifest["record_kinds"]}
    assert kinds["MeterReading"]["label"] == {"sv": "Mätvärden", "en": "Meter readings"}
    fields = {f["name"]: f["label"] for f in kinds["Invoice"]["fields"]}
    assert fields["invoice_id"] == {"sv": "Fakturanummer", "en": "Invoice number"}  # untagged
    assert fields["customer_id"] == {"sv": "Kundnummer", "en": "Customer number"}  # category


def test_manifest_carries_computed_retention_dates_when_facts_are_given(db, anna, tmp_path):
    facts = service.facts_for(db, "C-1042")
    manifest = _export(db, anna, tmp_path, facts=facts).manifest
    invoice = next(k for k in manifest["record_kinds"] if k["record_kind"] == "Invoice")
    book = next(p for p in invoice["purposes"] if p["id"] == "bookkeeping")
    # fiscal year 2025 ended 2025-12-31: kept to the end of 2032 (BFL 7 kap. 2 §)
    assert book["retention"]["erasable_from"] == "2033-01-01T00:00:00+01:00"
    assert book["retention"]["status"] == "keep"


def test_portability_leaves_out_derived_data_and_says_why(db, anna, tmp_path):
    manifest = _export(db, anna, tmp_path, scope="portability").manifest
    kinds = {k["record_kind"]: k for k in manifest["record_kinds"]}
    churn = {x["field"]: x["reason"] for x in kinds["ChurnScore"]["excluded_fields"]}
    assert set(churn) >= {"score", "computed_at"}
    assert "WP242" in churn["score"]
    invoice = {x["field"]: x["reason"] for x in kinds["Invoice"]["excluded_fields"]}
    assert "amount_sek" in invoice and "paid_on" not in invoice  # paid_on is observed, contract
    marketing = {x["field"]: x["reason"] for x in kinds["MarketingPreference"]["excluded_fields"]}
    assert "Art. 20(1)(a)" in marketing["email_opt_in"]  # legitimate interests only
    header = next(csv.reader(io.StringIO(_read(_export(db, anna, tmp_path, scope="portability",
                                                          name="p2.zip").path, "data/customers.csv"))))  # fmt: skip
    assert "email" in header and "segment" not in header
    readings = _read(tmp_path / "portability.zip", "data/meter_readings.jsonl").splitlines()
    assert set(json.loads(readings[0])) == {"customer_id", "meter_id", "read_at", "kwh"}


def test_portability_manifest_validates_against_the_json_schema(db, anna, tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((ROOT / "docs" / "export-manifest.schema.json").read_text(encoding="utf-8"))
    for scope in ("access", "portability"):
        jsonschema.validate(_export(db, anna, tmp_path, scope=scope).manifest, schema)


def test_csv_and_jsonl_encoding(db, anna, tmp_path):
    path = _export(db, anna, tmp_path).path
    tickets = list(csv.DictReader(io.StringIO(_read(path, "data/support_tickets.csv"), newline="")))
    assert tickets[0]["message"] == "Hej! Min värmepump visar fel kod E12, kan ni hjälpa mig?"
    assert tickets[0]["opened_at"].endswith("+00:00")
    raw = zipfile.ZipFile(path).read("data/invoices.csv")
    assert b"\r\n" in raw  # RFC 4180 line breaks
    stored = db.execute(
        "SELECT amount_sek FROM invoices WHERE customer_id='C-1042' ORDER BY invoice_id"
    ).fetchall()
    exported = sorted(
        json.loads(line)["amount_sek"] for line in _read(path, "data/invoices.jsonl").splitlines()
    )
    assert exported == sorted(r[0] for r in stored)  # decimals exact, as text


def test_same_inputs_give_the_same_bytes(db, anna, tmp_path):
    a = _export(db, anna, tmp_path, name="a.zip")
    b = _export(db, anna, tmp_path, name="b.zip")
    assert a.path.read_bytes() == b.path.read_bytes()
    assert a.sha256 == b.sha256


def test_failure_midway_leaves_no_file(db, anna, tmp_path):
    class Broken:
        name = "broken"
        schemas = (gk.schema_of(models.SupportTicket),)

        def records(self, subject):
            yield from service.sources(db)[4].records(subject)
            raise RuntimeError("database went away")

    out = tmp_path / "out.zip"
    with pytest.raises(RuntimeError):
        rights.export_subject(anna, [Broken()], models.policy, at=AT, out=out)
    assert list(tmp_path.iterdir()) == [tmp_path / "elveta.db"]


def test_verify_detects_tampering(db, anna, tmp_path):
    path = _export(db, anna, tmp_path).path
    with zipfile.ZipFile(path) as zf:
        entries = {n: zf.read(n) for n in zf.namelist()}

    def rewrite(name, changes):
        target = tmp_path / name
        with zipfile.ZipFile(target, "w") as zf:
            for n, data in {**entries, **changes}.items():
                if data is not None:
                    zf.writestr(n, data)
        return target

    changed = rewrite("changed.zip", {"data/customers.csv": entries["data/customers.csv"] + b"x"})
    with pytest.raises(gk.PackageIntegrityError, match="customers.csv"):
        rights.verify_package(changed)
    with pytest.raises(gk.PackageIntegrityError, match="missing"):
        rights.verify_package(rewrite("missing.zip", {"data/customers.csv": None}))
    with pytest.raises(gk.PackageIntegrityError, match="not in the manifest"):
        rights.verify_package(rewrite("extra.zip", {"data/extra.csv": b"a"}))
    with pytest.raises(gk.PackageIntegrityError, match="no manifest"):
        rights.verify_package(rewrite("nomanifest.zip", {"manifest.json": None}))
    (tmp_path / "junk.zip").write_bytes(b"not a zip")
    with pytest.raises(gk.PackageIntegrityError):
        rights.verify_package(tmp_path / "junk.zip")


@pytest.mark.parametrize(
    "files",
    [
        pytest.param(None, id="files is null"),
        pytest.param({"a": 1}, id="files is a table"),
        pytest.param([1], id="an entry is a number"),
        pytest.param([{"sha256": "0" * 64}], id="an entry has no path"),
        pytest.param([{"path": ["x"]}], id="a path is a list"),
    ],
)
def test_verify_reports_a_malformed_file_list_as_an_integrity_error(tmp_path, files):
    path = tmp_path / "bad.zip"
    with zipfile.ZipFile(path, "w") as zf:
        manifest = {"schema": rights.MANIFEST_SCHEMA_VERSION, "files": files}
        zf.writestr("manifest.json", json.dumps(manifest))
    with pytest.raises(gk.PackageIntegrityError, match="file list"):
        rights.verify_package(path)


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []
        self.attrs = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_data(self, data):
        self.text.append(data)


def test_index_html_is_self_contained_and_readable(db, anna, tmp_path):
    page = _Page()
    page.feed(_read(_export(db, anna, tmp_path).path, "index.html"))
    assert not {"script", "img", "link", "iframe", "object"} & set(page.tags)
    assert not [v for k, v in page.attrs if k == "src"]
    authority = models.policy.authority
    outside = {v for k, v in page.attrs if k == "href" and ("//" in v or ":" in v)}
    # links out are the subject's to follow: the authority and e-mail; nothing is loaded
    assert outside == {
        authority.website,
        authority.complaint_url,
        f"mailto:{authority.email}",
        f"mailto:{models.policy.controller.email}",
    }
    assert ("lang", "sv") in page.attrs
    text = " ".join(page.text)
    assert "Dina personuppgifter hos Picofrost AB" in text
    assert "Integritetsskyddsmyndigheten" in text
    assert "Följa rättsliga åtaganden (bokföring)" in text
    assert ("href", "data/meter_readings.jsonl") in page.attrs


def test_injection_attempt_exports_nothing_and_breaks_nothing(db, tmp_path):
    evil = rights.SubjectRef(kind="customer", id="x' OR '1'='1")
    result = _export(db, evil, tmp_path)
    assert result.rows == 0
    assert db.execute("SELECT count(*) FROM customers").fetchone()[0] == 3
    like = rights.SubjectRef(kind="customer", id="C-10%")
    assert _export(db, like, tmp_path, name="like.zip").rows == 0


def test_records_match_exactly(db):
    source = service.sources(db)[0]
    assert [c.customer_id for c in source.records(rights.SubjectRef("customer", "C-1043"))] == [
        "C-1043"
    ]
    assert list(source.records(rights.SubjectRef("customer", "c-1043"))) == []


def test_alias_columns(db):
    source = rights.SQLSource(db, table="customers", subject_column="customer_id",
                              model=models.Customer, alias_columns={"email": "email"})  # fmt: skip
    ref = rights.SubjectRef("customer", "unknown", aliases={"email": "erik.nystrom@example.se"})
    assert [c.customer_id for c in source.records(ref)] == ["C-1043"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"table": "customers; DROP TABLE customers"}, "plain identifiers"),
        ({"table": 'customers"'}, "plain identifiers"),
        ({"subject_column": "nope"}, "subject column"),
        ({"columns": {"email": "e mail"}}, "plain identifiers"),
        ({"columns": {"nope": "x"}}, "no field 'nope'"),
        ({"paramstyle": "weird"}, "paramstyle"),
    ],
)
def test_sql_source_validates_names(db, kwargs, message):
    args = {
        "table": "customers",
        "subject_column": "customer_id",
        "model": models.Customer,
        **kwargs,
    }
    with pytest.raises(gk.SourceError, match=message):
        rights.SQLSource(db, **args)


def test_sql_source_uses_the_drivers_paramstyle(db):
    pg = rights.SQLSource(db, table="customers", subject_column="customer_id",
                          model=models.Customer, paramstyle="pyformat")  # fmt: skip
    sql, params = pg.select_sql(rights.SubjectRef("customer", "C-1"))
    assert sql.endswith('WHERE "customer_id" = %s') and params == ("C-1",)
    assert paramstyle_of(db) == "qmark"
    named = rights.SQLSource(db, table="customers", subject_column="customer_id",
                             model=models.Customer, paramstyle="named")  # fmt: skip
    assert named.select_sql(rights.SubjectRef("customer", "C-1"))[1] == {"p0": "C-1"}


def test_iterable_source(anna, tmp_path):
    ticket = models.SupportTicket("T-9", "C-1042", AT, "hej")
    other = models.SupportTicket("T-8", "C-9", AT, "hallå")
    source = rights.IterableSource(
        "tickets", models.SupportTicket, [ticket, other], subject_field="customer_id"
    )
    assert list(source.records(anna)) == [ticket]
    from_callable = rights.IterableSource("t2", models.SupportTicket, lambda s: [ticket, other],
                                          subject_field="customer_id")  # fmt: skip
    assert list(from_callable.records(anna)) == [ticket]
    assert isinstance(source, rights.DataSource)
    bad = rights.IterableSource(
        "t3", models.SupportTicket, ["not a ticket"], subject_field="customer_id"
    )
    with pytest.raises(gk.SourceError, match="yielded a str"):
        list(bad.records(anna))
    with pytest.raises(gk.SourceError):
        rights.IterableSource("bad name!", models.SupportTicket, [], subject_field="customer_id")


def test_bad_arguments(db, anna, tmp_path):
    with pytest.raises(gk.NaiveDatetimeError):
        rights.export_subject(
            anna, [], models.policy, at=datetime(2026, 1, 1), out=tmp_path / "x.zip"
        )
    with pytest.raises(ValueError, match="scope"):
        rights.export_subject(
            anna, [], models.policy, scope="everything", at=AT, out=tmp_path / "x.zip"
        )  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        rights.SubjectRef(kind="customer", id="")
    assert "C-1042" not in repr(anna)


# -- the fast row encoder against its plain twin ------------------------------------------


class _Colour(Enum):
    RED = "röd"


_values = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(),
    st.sampled_from("=+-@\t\r\x00").flatmap(lambda c: st.text().map(lambda t: c + t)),
    st.text(" \n\u00a0\u3000\x00", min_size=1).flatmap(
        lambda blanks: st.sampled_from(["=1+1", "@A1", "hej", ""]).map(lambda t: blanks + t)
    ),
    st.lists(st.sampled_from(["x", ";", " ", "=", "-1", "@", "\x00"]), max_size=8).map("".join),
    st.decimals(allow_nan=False), st.dates(),
    st.datetimes(timezones=st.sampled_from([UTC, ZoneInfo("Europe/Stockholm")])),
    st.datetimes(), st.binary(max_size=8), st.just(_Colour.RED),
    st.lists(st.integers(), max_size=3),
)  # fmt: skip


@given(st.lists(_values, max_size=6))
def test_cell_encoder_equals_the_plain_encoding(values):
    tz = ZoneInfo("Europe/Stockholm")
    json_cells, csv_cells = CellEncoder(tz)(values)
    plain = [json_value(v, tz) for v in values]
    assert json_cells == [json.dumps(p, ensure_ascii=False) for p in plain]
    assert csv_cells == [csv_cell(v, tz) for v in values]

    blanks = "".join(chr(c) for c in range(0x3001) if chr(c).isspace()) + "\0"

    def shown(cell: str) -> str:
        """What a spreadsheet must not run: a quote before each formula character that starts
        a cell where ';' separates cells, then before the cell, if it starts one."""
        out, after_separator = [], False
        for char in cell:
            if after_separator and char in "=+-@":
                out.append("'")
            after_separator = char == ";" or (after_separator and char in blanks)
            out.append(char)
        text = "".join(out)
        trimmed = text.lstrip(blanks)
        runs = text[:1] in ("=", "+", "-", "@", "\t", "\r", "\0") or trimmed[:1] in tuple("=+-@")
        return "'" + text if runs else text

    assert csv_cells == [
        c if isinstance(v, int | float | Decimal) else shown(c)
        for v, c in zip(values, (csv_value(p) for p in plain), strict=True)
    ]
    assert all(
        isinstance(v, Decimal) is False or c == str(v)
        for v, c in zip(values, csv_cells, strict=True)
    )


_HINTS = [datetime, date, Decimal, bool, int, float, str, datetime | None,
          Annotated[int, "note"], int | str, list[int]]  # fmt: skip
_column_values = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=False), st.text(max_size=4),
    st.dates(), st.dates().map(date.isoformat), st.datetimes().map(datetime.isoformat),
    st.decimals(allow_nan=False, allow_infinity=False, places=2),
)  # fmt: skip


def _outcome(convert, value):
    try:
        return ("value", type(result := convert(value)), result)
    except gk.SourceError as error:
        return ("error", str(error))


@given(st.sampled_from(_HINTS), _column_values)
def test_sql_row_conversion_equals_from_db(hint, value):
    # SQLSource.records converts a column only when its value is not already of the kept
    # type; from_db converts every value: both must give the same field value.
    converters = column_converters(("f",), {"f": hint}, lambda field: f"t.{field}")

    def per_row(v):
        for _, keep, convert in converters:
            if v is not None and type(v) is not keep:
                return convert(v)
        return v

    assert _outcome(per_row, value) == _outcome(lambda v: from_db(v, hint, "t.f"), value)


def test_progress_is_reported_once_per_step_and_subclasses_export(anna, tmp_path):
    class Ticket(models.SupportTicket):
        pass

    tickets = [Ticket(f"T-{i}", "C-1042", AT, "hej") for i in range(20000)]
    source = rights.IterableSource(
        "tickets", models.SupportTicket, tickets, subject_field="customer_id"
    )
    calls = []
    result = rights.export_subject(anna, [source], models.policy, at=AT, out=tmp_path / "t.zip",
                                   progress=lambda name, rows: calls.append(rows))  # fmt: skip
    assert result.rows == 20000
    assert calls == [10000, 20000]


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), 2.5])
def test_a_float_that_is_not_a_whole_number_is_no_int_column_value(value):
    with pytest.raises(gk.SourceError, match=r"t\.f holds a value that is not of type int"):
        from_db(value, int, "t.f")
    assert from_db(3.0, int, "t.f") == 3
