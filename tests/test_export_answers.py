"""What an access package must answer, as worked cases (issue 13, points 4-6; LEGAL.md §3, §4).

Art. 15(1) first asks *whether* personal data about the subject are processed:
"no" is a complete answer and keeps its Art. 12(3) deadline. Expected dates are
computed by hand from Reg. 1182/71 and Lag (1989:253), not read from the code.
"""

from __future__ import annotations

import json
import re
import zipfile
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
import pytest

import gdprkit as gk
from gdprkit import rights
from gdprkit._demo import models, service
from gdprkit.requests import RequestKind, RequestRegister, RequestState
from gdprkit.store.sqlite import SQLiteStore

from .answered import RESELLER, signup_model
from .conftest import service_database

STHLM = ZoneInfo("Europe/Stockholm")


def _text(path: Path, member: str) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read(member).decode("utf-8")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _page_text(path: Path) -> str:
    page = _Text()
    page.feed(_text(path, "index.html"))
    return " ".join(page.parts)


# -- Art. 15(1), first limb: "we hold nothing about you" ---------------------------------------


@pytest.mark.parametrize(
    ("received", "answered", "due"),
    [
        (datetime(2026, 11, 30, 10, 0), datetime(2026, 12, 30, 16, 0), date(2026, 12, 30)),
        (datetime(2029, 11, 30, 9, 0), datetime(2029, 12, 31, 23, 30), date(2029, 12, 31)),
        (datetime(2026, 1, 31, 12, 0), datetime(2026, 3, 2, 9, 0), date(2026, 3, 2)),
        (datetime(2026, 12, 24, 8, 0), datetime(2027, 1, 11, 8, 0), date(2027, 1, 25)),
    ],
    ids=[
        "received Mon 30 Nov, answered on the last day, Wed 30 Dec",
        "raw Sun 30 Dec 2029 rolls to Mon 31 Dec (nyårsafton is a working day)",
        "received Sat 31 Jan, clamped Sat 28 Feb rolls to Mon 2 Mar",
        "received julafton, raw Sun 24 Jan rolls to Mon 25 Jan, answered early",
    ],
)
def test_an_access_request_about_someone_we_hold_nothing_on_is_answered_in_time(
    tmp_path, received, answered, due
):
    received, answered = received.replace(tzinfo=STHLM), answered.replace(tzinfo=STHLM)
    conn = service_database(tmp_path / "elveta.db")
    register = RequestRegister(SQLiteStore(tmp_path / "gdprkit.db"))
    request = register.receive(
        RequestKind.ACCESS, "customer", "C-9999", received_at=received, channel="e-mail"
    )
    assert request.due == due
    register.verify(request.id, at=received)

    result = rights.export_subject(
        rights.SubjectRef(kind="customer", id="C-9999"),
        service.sources(conn),
        models.policy,
        at=answered,
        out=tmp_path / "C-9999.zip",
    )
    assert result.personal_data_held is False
    assert not register.get(request.id).is_overdue(answered)
    done = register.complete(
        request.id, at=answered, note=f"no personal data held; package sha256 {result.sha256}"
    )
    assert done.state is RequestState.DONE
    assert done.closed_at == answered

    manifest = rights.verify_package(result.path)
    assert manifest["personal_data_held"] is False
    assert [f["path"] for f in manifest["files"]] == ["index.html"]  # no empty data files
    with zipfile.ZipFile(result.path) as zf:
        assert zf.namelist() == ["index.html", "manifest.json"]
    assert {k["source"]: k["rows"] for k in manifest["record_kinds"]} == {
        s.name: 0 for s in service.sources(conn)
    }  # what was searched is still listed
    assert "Vi behandlar inga personuppgifter om dig" in _page_text(result.path)


def test_a_late_answer_is_late_even_when_it_is_nothing(tmp_path):
    register = RequestRegister(SQLiteStore(tmp_path / "gdprkit.db"))
    request = register.receive(
        RequestKind.ACCESS, "customer", "C-9999",
        received_at=datetime(2026, 11, 30, 10, 0, tzinfo=STHLM), channel="e-mail",
    )  # fmt: skip
    # due Wed 30 Dec 2026: late from midnight, Stockholm time
    assert register.get(request.id).is_overdue(datetime(2026, 12, 31, 0, 0, tzinfo=STHLM))
    assert not register.get(request.id).is_overdue(datetime(2026, 12, 30, 23, 59, tzinfo=STHLM))


@pytest.mark.parametrize("scope", ["access", "portability"])
def test_only_sources_that_hold_something_get_data_files(tmp_path, scope):
    conn = service_database(tmp_path / "elveta.db")
    conn.execute("DELETE FROM churn_scores WHERE customer_id = 'C-1042'")
    conn.execute("DELETE FROM support_tickets WHERE customer_id = 'C-1042'")
    result = rights.export_subject(
        rights.SubjectRef(kind="customer", id="C-1042"),
        service.sources(conn),
        models.policy,
        scope=scope,
        at=datetime(2026, 11, 25, 10, 0, tzinfo=STHLM),
        out=tmp_path / "anna.zip",
    )
    manifest = rights.verify_package(result.path)
    assert manifest["personal_data_held"] is True
    rows = {k["source"]: k["rows"] for k in manifest["record_kinds"]}
    assert rows["churn_scores"] == rows["support_tickets"] == 0
    sources = {f["source"] for f in manifest["files"] if "source" in f}
    assert sources == {name for name, count in rows.items() if count}
    assert "Vi behandlar inga personuppgifter" not in _page_text(result.path)
    assert json.loads(_text(result.path, "manifest.json")) == manifest


# -- Art. 15(1)(g), 14(2)(f): where data not collected from the subject came from -------------

LANTMATERIET = {"text": {"sv": "Lantmäteriet", "en": "Lantmäteriet"}, "fields": ["dwelling"]}


@pytest.mark.parametrize(
    ("model_source", "source_of_data", "expected"),
    [
        (
            RESELLER,
            None,
            [{"text": {"sv": "Återförsäljaren Solpartner AB", "en": "the reseller Solpartner AB"},
              "fields": ["name", "phone"]}, LANTMATERIET],
        ),
        (
            RESELLER,
            "Elpartner Norr AB",
            [{"text": {"sv": "Elpartner Norr AB", "en": "Elpartner Norr AB"},
              "fields": ["name", "phone"]}, LANTMATERIET],
        ),
        (None, None, [LANTMATERIET]),
    ],
    ids=[
        "the model names the reseller; a field names its own source",
        "the data source knows better than the model",
        "only the field names a source",
    ],
)  # fmt: skip
def test_the_package_says_where_third_party_data_came_from(
    tmp_path, model_source, source_of_data, expected
):
    model = signup_model(model_source)
    signup = model("S-1", "C-1042", "Anna Berg", "+46701234567", "villa", "Elveta Sol")
    source = rights.IterableSource(
        "partner_signups", model, [signup], subject_field="customer_id",
        source_of_data=source_of_data,
    )  # fmt: skip
    assert isinstance(source, rights.ThirdPartySource)
    result = rights.export_subject(
        rights.SubjectRef(kind="customer", id="C-1042"), [source], models.policy,
        at=datetime(2026, 11, 25, 10, 0, tzinfo=STHLM), out=tmp_path / "anna.zip",
    )  # fmt: skip
    (kind,) = rights.verify_package(result.path)["record_kinds"]
    assert kind["sources_of_data"] == expected
    # the page names each source with the fields it gave, by their names for people
    labels = {f["name"]: f["label"]["sv"] for f in kind["fields"]}
    shown = "; ".join(
        f"{x['text']['sv']} ({', '.join(labels[f] for f in x['fields'])})" for x in expected
    )
    assert f"Källor: {shown}" in _page_text(result.path)


def test_a_custom_source_names_its_source_through_the_protocol(tmp_path):
    model = signup_model(None)

    class PartnerFeed:
        name = "partner_feed"
        schemas = (gk.schema_of(model),)
        source_of_data = RESELLER

        def records(self, subject):
            yield model("S-1", "C-1042", "Anna Berg", "+46701234567", "villa", "Elveta Sol")

    assert isinstance(PartnerFeed(), rights.ThirdPartySource)
    result = rights.export_subject(
        rights.SubjectRef(kind="customer", id="C-1042"), [PartnerFeed()], models.policy,
        scope="portability", at=datetime(2026, 11, 25, 10, 0, tzinfo=STHLM),
        out=tmp_path / "anna.zip",
    )  # fmt: skip
    (kind,) = result.manifest["record_kinds"]
    assert [x["fields"] for x in kind["sources_of_data"]] == [["name", "phone"], ["dwelling"]]
    # third-party data is not portable (Art. 20(1), WP242): said, with where it came from
    excluded = {x["field"]: x["reason"] for x in kind["excluded_fields"]}
    assert {f for f, reason in excluded.items() if "third party" in reason} == {
        "name", "phone", "dwelling"
    }  # fmt: skip


def _tag_provided_with_source() -> None:
    @gk.personal_data(subject="customer", policy=models.policy)
    @attrs.frozen
    class Wrong:
        customer_id: str = gk.pd_field(
            category="identity.customer_id", purposes=("contract",), identifies=True,
            source="Partner AB",
        )  # fmt: skip


def _model_source_without_third_party_data() -> None:
    @gk.personal_data(subject="customer", policy=models.policy, source="Partner AB")
    @attrs.frozen
    class Wrong:
        customer_id: str = gk.pd_field(
            category="identity.customer_id", purposes=("contract",), identifies=True
        )


def _data_source_without_third_party_data() -> None:
    rights.IterableSource(
        "tickets", models.SupportTicket, [], subject_field="customer_id",
        source_of_data="Partner AB",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("declare", "error", "message"),
    [
        (_tag_provided_with_source, gk.PolicyError, r"Wrong\.customer_id: source .*'provided'"),
        (_model_source_without_third_party_data, gk.PolicyError, "no field has origin"),
        (_data_source_without_third_party_data, gk.SourceError, "no field of SupportTicket"),
        (lambda: gk.Tag("contact.phone", ("crm",), "third_party", source=""), gk.PolicyError,
         "it is empty"),
        (lambda: gk.Tag("contact.phone", ("crm",), "third_party", source=42), gk.PolicyError,
         "a Text or a str, got int"),
        (lambda: gk.Tag("contact.phone", ("crm",), "third_party", source=gk.Text(())),
         gk.PolicyError, "it is empty"),
    ],
    ids=[
        "a source on data the subject provided",
        "a model source with no third-party field",
        "a data source's source with no third-party field",
        "an empty source",
        "a source that is not a text",
        "a Text in no language",
    ],
)  # fmt: skip
def test_a_source_is_only_named_for_third_party_data(declare, error, message):
    """Art. 14(2)(f), 15(1)(g) concern data "not collected from the data subject"."""
    with pytest.raises(error, match=message):
        declare()


# -- Art. 15(4), 20(4): other people's data inside the subject's records -----------------------

#: A Swedish mobile number as people write it into a message.
PHONE = re.compile(r"\b07\d(?:[ -]?\d){7}\b")
NEIGHBOUR = "070-123 45 67"


def _mask_phone_numbers(kind, field, value, record):
    """The controller's hook: another person's number in a ticket text is withheld."""
    if kind == "SupportTicket" and field == "message" and PHONE.search(value):
        return rights.Redacted(PHONE.sub("[nummer borttaget]", value))
    return value


def _tickets(conn) -> None:
    conn.execute(
        "UPDATE support_tickets SET message = ? WHERE customer_id = 'C-1042'",
        (f"Ring min granne Bo på {NEIGHBOUR} om nyckeln till mätarskåpet.",),
    )
    conn.execute(
        "INSERT INTO support_tickets SELECT 'T-9', customer_id, opened_at, 'Tack för hjälpen!'"
        " FROM support_tickets WHERE customer_id = 'C-1042'"
    )


@pytest.mark.parametrize(
    ("scope", "article", "artikel"),
    [("access", "15(4)", "15.4"), ("portability", "20(4)", "20.4")],
    ids=["access, Art. 15(4)", "portability, Art. 20(4)"],
)
def test_another_persons_number_in_a_ticket_is_withheld_and_noted(
    tmp_path, scope, article, artikel
):
    conn = service_database(tmp_path / "elveta.db")
    _tickets(conn)
    result = rights.export_subject(
        rights.SubjectRef(kind="customer", id="C-1042"), service.sources(conn), models.policy,
        scope=scope, at=datetime(2026, 11, 25, 10, 0, tzinfo=STHLM), out=tmp_path / "anna.zip",
        redact=_mask_phone_numbers,
    )  # fmt: skip
    manifest = rights.verify_package(result.path)  # the hashes cover what was delivered
    kinds = {k["record_kind"]: k for k in manifest["record_kinds"]}
    assert kinds["SupportTicket"]["redactions"] == [
        {
            "field": "message",
            "count": 1,
            "ground": "other_person",
            "article": f"GDPR Art. {article}",
            "reason": f"GDPR Art. {article}: personal data of another person, withheld to "
            "protect their rights and freedoms",
        }
    ]
    assert all(k["redactions"] == [] for name, k in kinds.items() if name != "SupportTicket")
    assert result.redacted == 1
    messages = sorted(
        json.loads(line)["message"]
        for line in _text(result.path, "data/support_tickets.jsonl").splitlines()
    )
    assert messages == [
        "Ring min granne Bo på [nummer borttaget] om nyckeln till mätarskåpet.",
        "Tack för hjälpen!",
    ]
    with zipfile.ZipFile(result.path) as zf:
        for name in zf.namelist():
            assert NEIGHBOUR.encode() not in zf.read(name), name
    page = _page_text(result.path)
    assert "Utelämnat för att skydda andra" in page
    assert f"Meddelande: 1 uppgift utelämnad (artikel {artikel}: personuppgifter om någon" in page


@gk.personal_data(subject="customer", policy=models.policy)
@attrs.frozen
class Offer:
    """A tailored price offer; how the price was computed is Elveta's trade secret."""

    offer_id: str
    customer_id: str = gk.pd_field(
        category="identity.customer_id", purposes=("contract",), identifies=True
    )
    price_sek: str = gk.pd_field(category="financial.invoice", purposes=("contract",))
    pricing_model: str = gk.pd_field(
        category="financial.invoice", purposes=("contract",), origin="derived"
    )


def test_a_hook_sees_every_value_with_its_record_and_may_withhold_a_trade_secret(tmp_path):
    offers = [Offer("O-1", "C-1042", "1.25", "v3: spot + 0.12 * risk"),
              Offer("O-2", "C-1042", "1.31", "v3: spot + 0.18 * risk")]  # fmt: skip
    calls = []

    def withhold_pricing_model(kind, field, value, record):
        calls.append((kind, field, value, record.offer_id))
        if field == "pricing_model":
            return rights.Redacted(ground=rights.RedactionGround.TRADE_SECRET)
        return value

    source = rights.IterableSource("offers", Offer, offers, subject_field="customer_id")
    result = rights.export_subject(
        rights.SubjectRef(kind="customer", id="C-1042"), [source], models.policy,
        at=datetime(2026, 11, 25, 10, 0, tzinfo=STHLM), out=tmp_path / "anna.zip",
        redact=withhold_pricing_model,
    )  # fmt: skip
    assert calls[:4] == [
        ("Offer", "offer_id", "O-1", "O-1"),
        ("Offer", "customer_id", "C-1042", "O-1"),
        ("Offer", "price_sek", "1.25", "O-1"),
        ("Offer", "pricing_model", "v3: spot + 0.12 * risk", "O-1"),
    ]
    assert len(calls) == 8
    (kind,) = result.manifest["record_kinds"]
    assert [(x["field"], x["count"], x["ground"]) for x in kind["redactions"]] == [
        ("pricing_model", 2, "trade_secret")
    ]
    assert "Recital 63" in kind["redactions"][0]["reason"]
    rows = [json.loads(line) for line in _text(result.path, "data/offers.jsonl").splitlines()]
    assert [r["pricing_model"] for r in rows] == [None, None]
    assert "risk" not in _text(result.path, "data/offers.csv")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: rights.Redacted(rights.Redacted()), "not another Redacted"),
        (lambda: rights.Redacted("x", ground="other_person"), "ground"),
    ],
    ids=["a Redacted in a Redacted", "a ground that is not a RedactionGround"],
)
def test_a_malformed_redaction_is_refused(make, message):
    with pytest.raises(TypeError, match=message):
        make()


def test_a_failing_or_missing_hook_leaves_nothing_behind(tmp_path):
    conn = service_database(tmp_path / "elveta.db")
    anna = rights.SubjectRef(kind="customer", id="C-1042")
    at = datetime(2026, 11, 25, 10, 0, tzinfo=STHLM)

    def broken(kind, field, value, record):
        raise LookupError("the redaction service is down")

    with pytest.raises(LookupError):
        rights.export_subject(anna, service.sources(conn), models.policy, at=at,
                              out=tmp_path / "out" / "anna.zip", redact=broken)  # fmt: skip
    assert list((tmp_path / "out").iterdir()) == []
    with pytest.raises(TypeError, match="redact must be a callable"):
        rights.export_subject(anna, service.sources(conn), models.policy, at=at,
                              out=tmp_path / "out" / "anna.zip", redact="phone")  # fmt: skip
