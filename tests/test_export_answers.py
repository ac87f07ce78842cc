"""What an access package must answer, as worked cases (issue 13, points 4-6; LEGAL.md §3, §4).

Art. 15(1) first asks *whether* personal data about the subject are processed:
"no" is a complete answer and keeps its Art. 12(3) deadline. Expected dates are
computed by hand from Reg. 1182/71 and Lag (1989:253), not read from the code.
"""

from __future__ import annotations

import json
import zipfile
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from gdprkit import rights
from gdprkit._demo import models, service
from gdprkit.requests import RequestKind, RequestRegister, RequestState
from gdprkit.store.sqlite import SQLiteStore

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
