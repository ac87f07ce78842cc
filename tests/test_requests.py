"""The request register: Art. 12(3) deadlines, extension, states, the ``requests due`` command."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

import gdprkit as gk
from gdprkit.audit import AuditLog
from gdprkit.cli import main
from gdprkit.pseudonym import Keyring, Pseudonymizer
from gdprkit.requests import (
    RequestKind,
    RequestRegister,
    RequestState,
    SubjectRequest,
    UnknownRequest,
)
from gdprkit.store.sqlite import SQLiteStore
from gdprkit.timecalc import SWEDEN_WITH_EVES

SE = gk.timecalc.STOCKHOLM
SUBJECT = "C-1042"


def local(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SE)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "gdprkit.db"


@pytest.fixture
def store(db):
    with SQLiteStore(db) as s:
        yield s


@pytest.fixture
def audit(store):
    return AuditLog(store, pseudonymizer=Pseudonymizer(Keyring.generate(), domain="audit"))


@pytest.fixture
def register(store, audit):
    return RequestRegister(store, audit=audit)


def receive(
    register: RequestRegister,
    when: datetime,
    kind: RequestKind = RequestKind.ACCESS,
    subject: str = SUBJECT,
) -> SubjectRequest:
    return register.receive(kind, "customer", subject, received_at=when, channel="e-mail")


@pytest.mark.parametrize(
    ("kind", "article"),
    [
        (RequestKind.ACCESS, "15"),
        (RequestKind.RECTIFICATION, "16"),
        (RequestKind.ERASURE, "17"),
        (RequestKind.RESTRICTION, "18"),
        (RequestKind.PORTABILITY, "20"),
        (RequestKind.OBJECTION, "21"),
    ],
    ids=lambda v: v.value if isinstance(v, RequestKind) else f"Art. {v}",
)
def test_request_kinds_know_their_article(kind, article):
    assert kind.article == article
    assert kind.right.value == kind.value
    assert kind.label("sv").startswith("rätt")


# --------------------------------------------------------------------------- deadlines


@pytest.mark.parametrize(
    ("received", "due"),
    [
        pytest.param(local(2026, 3, 10), date(2026, 4, 10), id="same date next month (Fri)"),
        pytest.param(local(2026, 1, 31), date(2026, 3, 2),
                     id="31 Jan: clamped to 28 Feb (Sat), rolled to Mon 2 Mar"),
        pytest.param(local(2026, 5, 6), date(2026, 6, 8),
                     id="6 Jun is national day and a Sat; rolled to Mon 8 Jun"),
        pytest.param(datetime(2026, 3, 31, 23, 30, tzinfo=UTC), date(2026, 5, 4),
                     id="23:30 UTC on 31 Mar is 1 Apr in Stockholm; 1 May holiday, rolled to Mon"),
        pytest.param(local(2026, 3, 7), date(2026, 4, 7),
                     id="received on a Saturday still counts from that day"),
    ],
)  # fmt: skip
def test_due_date_of_a_new_request(register, received, due):
    request = receive(register, received)
    assert request.due == due
    assert request.late_from == datetime.combine(due + timedelta(days=1), datetime.min.time(), SE)
    assert request.state is RequestState.RECEIVED
    assert not request.extended
    assert request.received_at == received
    assert request.received_at.tzinfo == SE


def test_utc_receipt_just_before_midnight_is_the_next_local_day(register):
    request = receive(register, datetime(2026, 3, 31, 23, 30, tzinfo=UTC))
    assert request.received_at.date() == date(2026, 4, 1)


def test_calendar_is_pluggable(store):
    # received 2029-11-30: raw 2029-12-30 (Sun) -> 31 Dec by default, 2 Jan with the eves
    plain = RequestRegister(store)
    eves = RequestRegister(store, calendar=SWEDEN_WITH_EVES)
    assert receive(plain, local(2029, 11, 30)).due == date(2029, 12, 31)
    assert receive(eves, local(2029, 11, 30)).due == date(2030, 1, 2)


# --------------------------------------------------------------------------- extension


@pytest.mark.parametrize(
    ("received", "asked", "due"),
    [
        pytest.param(local(2026, 1, 31), local(2026, 2, 10), date(2026, 4, 30),
                     id="31 Jan extended: three months from receipt, 30 Apr"),
        pytest.param(local(2026, 1, 31), local(2026, 3, 2, 23, 59), date(2026, 4, 30),
                     id="asked in the last minute of the one-month deadline"),
        pytest.param(local(2026, 3, 10), local(2026, 4, 10, 9), date(2026, 6, 10),
                     id="10 Mar extended to Wed 10 Jun"),
    ],
)  # fmt: skip
def test_extension_moves_the_deadline_to_three_months(register, received, asked, due):
    request = receive(register, received)
    extended = register.extend(request.id, reason="many requests at once", at=asked)
    assert extended.extended
    assert extended.due == due
    assert extended.extension_reason == "many requests at once"
    assert extended.extended_at == asked
    assert extended.history[-1].note == "extended: many requests at once"
    assert extended.history[-1].state is RequestState.RECEIVED


@pytest.mark.parametrize(
    ("setup", "reason", "asked", "match"),
    [
        pytest.param([], "complex", local(2026, 3, 3, 0, 0), "too late",
                     id="asked on 3 Mar for a request received 31 Jan"),
        pytest.param([], "  ", local(2026, 2, 1), "reason is required", id="no reason"),
        pytest.param(["extend"], "again", local(2026, 2, 2), "already extended",
                     id="only once"),
        pytest.param(["verify", "complete"], "late", local(2026, 2, 3), "'done'",
                     id="not after it was answered"),
        pytest.param(["refuse"], "late", local(2026, 2, 3), "'refused'",
                     id="not after it was refused"),
    ],
)  # fmt: skip
def test_extension_is_refused(register, setup, reason, asked, match):
    request = receive(register, local(2026, 1, 31))
    for i, step in enumerate(setup):
        when = local(2026, 2, 1 + i)
        if step == "extend":
            register.extend(request.id, reason="complex", at=when)
        elif step == "verify":
            register.verify(request.id, at=when)
        elif step == "complete":
            register.complete(request.id, at=when)
        else:
            register.refuse(request.id, at=when, reason="manifestly unfounded")
    before = register.get(request.id)
    with pytest.raises(gk.RequestStateError, match=match):
        register.extend(request.id, reason=reason, at=asked)
    assert register.get(request.id) == before


# --------------------------------------------------------------------------- states


@pytest.mark.parametrize(
    ("path", "ok"),
    [
        pytest.param(["verify", "complete"], True, id="received -> verified -> done"),
        pytest.param(["refuse"], True, id="received -> refused"),
        pytest.param(["verify", "refuse"], True, id="verified -> refused"),
        pytest.param(["complete"], False, id="received -> done skips verification"),
        pytest.param(["verify", "verify"], False, id="verified twice"),
        pytest.param(["verify", "complete", "refuse"], False, id="nothing leaves done"),
        pytest.param(["refuse", "verify"], False, id="nothing leaves refused"),
    ],
)  # fmt: skip
def test_state_transitions(register, path, ok):
    request = receive(register, local(2026, 3, 10))
    steps = {
        "verify": lambda when: register.verify(request.id, at=when),
        "complete": lambda when: register.complete(request.id, at=when, note="package sent"),
        "refuse": lambda when: register.refuse(
            request.id, at=when, reason="identity not confirmed"
        ),
    }
    *head, last = path
    for i, step in enumerate(head):
        steps[step](local(2026, 3, 11 + i))
    state = register.get(request.id).state
    if ok:
        result = steps[last](local(2026, 3, 20))
        assert result.state.value == {"verify": "verified", "complete": "done",
                                      "refuse": "refused"}[last]  # fmt: skip
        assert [h.state for h in result.history][-1] is result.state
        assert len(result.history) == len(path) + 1
    else:
        with pytest.raises(gk.RequestStateError, match=f"state {state.value!r}"):
            steps[last](local(2026, 3, 20))


def test_refusal_needs_a_reason_and_keeps_it(register):
    request = receive(register, local(2026, 3, 10))
    with pytest.raises(gk.RequestStateError, match=r"12\(4\)"):
        register.refuse(request.id, at=local(2026, 3, 11), reason="")
    with pytest.raises(TypeError, match="reason"):
        register.refuse(request.id, at=local(2026, 3, 11), reason=None)
    refused = register.refuse(request.id, at=local(2026, 3, 11), reason="manifestly excessive")
    assert refused.refusal_reason == "manifestly excessive"
    assert refused.closed_at == local(2026, 3, 11)
    assert not refused.is_open


def test_history_runs_forward_only(register):
    request = receive(register, local(2026, 3, 10))
    with pytest.raises(gk.RequestStateError, match="forward"):
        register.verify(request.id, at=local(2026, 3, 9))


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        pytest.param({"kind": "access"}, TypeError, "kind", id="kind must be a RequestKind"),
        pytest.param({"subject_id": ""}, ValueError, "subject_id", id="empty subject id"),
        pytest.param({"subject_kind": 3}, TypeError, "subject_kind", id="subject kind not text"),
        pytest.param({"received_at": datetime(2026, 3, 10, 9)}, gk.NaiveDatetimeError,
                     "received_at", id="naive receipt"),
        pytest.param({"received_at": date(2026, 3, 10)}, TypeError, "received_at",
                     id="a date is not an instant"),
        pytest.param({"channel": ""}, ValueError, "channel", id="empty channel"),
    ],
)  # fmt: skip
def test_receive_rejects_bad_input_naming_the_parameter(register, kwargs, error, match):
    args = {"kind": RequestKind.ERASURE, "subject_kind": "customer",
            "subject_id": SUBJECT, "received_at": local(2026, 3, 10), "channel": "web"}  # fmt: skip
    args |= kwargs
    kind, sk, sid = args.pop("kind"), args.pop("subject_kind"), args.pop("subject_id")
    with pytest.raises(error, match=match) as info:
        register.receive(kind, sk, sid, **args)
    assert SUBJECT not in str(info.value)


def test_unknown_request(register):
    with pytest.raises(UnknownRequest) as info:
        register.get("00000000-0000-4000-8000-000000000000")
    assert isinstance(info.value, LookupError)
    with pytest.raises(UnknownRequest):
        register.verify("nope", at=local(2026, 1, 1))


# --------------------------------------------------------------------------- listing


@pytest.fixture
def three(register):
    a = receive(register, local(2026, 3, 10))  # due 2026-04-10
    b = receive(register, local(2026, 1, 31), RequestKind.ERASURE)  # due 2026-03-02
    c = receive(register, local(2026, 5, 6), RequestKind.PORTABILITY)  # due 2026-06-08
    done = receive(register, local(2026, 1, 5))
    register.verify(done.id, at=local(2026, 1, 6))
    register.complete(done.id, at=local(2026, 1, 7))
    return a, b, c


def test_open_requests_soonest_first(register, three):
    a, b, c = three
    assert [r.id for r in register.open_requests()] == [b.id, a.id, c.id]


@pytest.mark.parametrize(
    ("when", "within", "expected"),
    [
        pytest.param(local(2026, 2, 20), None, "bac", id="every open request"),
        pytest.param(local(2026, 2, 20), 10, "b", id="due within ten days"),
        pytest.param(local(2026, 3, 31), 10, "ba", id="overdue ones are due too"),
        pytest.param(local(2026, 3, 31), 0, "b", id="due today or before"),
    ],
)  # fmt: skip
def test_due(register, three, when, within, expected):
    names = dict(zip("abc", (r.id for r in three), strict=True))
    assert [r.id for r in register.due(at=when, within=within)] == [names[x] for x in expected]


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        pytest.param(local(2026, 3, 2, 23, 59), "", id="last minute of the deadline day"),
        pytest.param(local(2026, 3, 3, 0, 0), "b", id="late from midnight after it"),
        pytest.param(local(2026, 7, 1), "bac", id="all of them"),
    ],
)
def test_overdue(register, three, when, expected):
    names = dict(zip("abc", (r.id for r in three), strict=True))
    assert [r.id for r in register.overdue(when)] == [names[x] for x in expected]
    assert all(r.is_overdue(when) for r in register.overdue(when))


def test_due_checks_its_arguments(register):
    with pytest.raises(gk.NaiveDatetimeError):
        register.due(at=datetime(2026, 1, 1))
    with pytest.raises(TypeError, match="within"):
        register.due(at=local(2026, 1, 1), within="7")
    with pytest.raises(ValueError, match="within"):
        register.due(at=local(2026, 1, 1), within=-1)


def test_requests_survive_reopening_the_store(db):
    with SQLiteStore(db) as store:
        request = receive(RequestRegister(store), local(2026, 3, 10))
        RequestRegister(store).extend(request.id, reason="complex", at=local(2026, 3, 11))
    with SQLiteStore(db) as store:
        again = RequestRegister(store).get(request.id)
    assert isinstance(again, SubjectRequest)
    assert again.due == date(2026, 6, 10)
    assert [h.state for h in again.history] == [RequestState.RECEIVED, RequestState.RECEIVED]


def test_every_change_is_audited_under_a_token(register, audit, db):
    request = receive(register, local(2026, 3, 10))
    register.extend(request.id, reason="complex", at=local(2026, 3, 11))
    register.verify(request.id, at=local(2026, 3, 12))
    register.complete(request.id, at=local(2026, 3, 13))
    entries = list(audit.entries(subject=SUBJECT))
    assert [e.action for e in entries] == [
        "request.received",
        "request.extended",
        "request.verified",
        "request.completed",
    ]
    assert entries[0].details == {"request": request.id, "kind": "access", "article": "15"}
    conn = sqlite3.connect(db)
    try:
        logged = conn.execute("SELECT subject, details FROM audit_log").fetchall()
    finally:
        conn.close()
    assert SUBJECT not in str(logged)


def test_repr_shows_no_subject(register):
    request = receive(register, local(2026, 3, 10))
    assert SUBJECT not in repr(request)
    assert "calendar" in repr(register)


# --------------------------------------------------------------------------- the command


def test_cli_requests_due_lists_soonest_first(db, capsys):
    with SQLiteStore(db) as store:
        register = RequestRegister(store)
        a = receive(register, local(2026, 3, 10))
        b = receive(register, local(2026, 1, 31), RequestKind.ERASURE)
        c = receive(register, local(2026, 5, 6), RequestKind.PORTABILITY)
    assert main(["requests", "due", str(db), "--at", "2026-03-31T12:00+02:00"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == [
        "due", "left", "kind", "article", "state", "received", "extended", "request", "id",
    ]  # fmt: skip
    assert [line.split()[-1] for line in lines[2:5]] == [b.id, a.id, c.id]
    assert "OVERDUE" in lines[2]
    assert "10 d" in lines[3]
    assert lines[2].index("erasure") == lines[3].index("access")  # aligned columns
    assert lines[-1] == "3 open, 1 overdue"
    assert SUBJECT not in out


def test_cli_requests_due_limit_and_naive_at(db, capsys):
    with SQLiteStore(db) as store:
        register = RequestRegister(store)
        receive(register, local(2026, 3, 10))
        receive(register, local(2026, 5, 6))
    assert main(["requests", "due", str(db), "--at", "2026-04-11", "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert "OVERDUE" in out
    assert out.splitlines()[-1] == "2 open, 1 overdue, 1 more not shown"


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        pytest.param(["--at", "next tuesday"], 2, "--at", id="bad --at"),
        pytest.param(["--limit", "0"], 2, "--limit", id="bad --limit"),
    ],
)
def test_cli_requests_due_errors(db, capsys, args, status, message):
    SQLiteStore(db).close()
    assert main(["requests", "due", str(db), *args]) == status
    assert message in capsys.readouterr().err


def test_cli_requests_due_empty_and_missing_store(db, tmp_path, capsys):
    SQLiteStore(db).close()
    assert main(["requests", "due", str(db)]) == 0
    assert "no open requests" in capsys.readouterr().out
    missing = tmp_path / "missing.db"
    assert main(["requests", "due", str(missing)]) == 3
    assert "does not exist" in capsys.readouterr().err
    assert not missing.exists()


# --------------------------------------------------------------------------- the facade


@pytest.mark.parametrize(
    "name", ["RequestKind", "RequestRegister", "RequestState", "SubjectRequest"]
)
def test_rights_re_exports_the_request_types_documented_under_requests(name):
    """One object, two import paths; its module is gdprkit.requests, as before the split."""
    from gdprkit import requests, rights

    assert getattr(rights, name) is getattr(requests, name)
    assert getattr(requests, name).__module__ == "gdprkit.requests"
