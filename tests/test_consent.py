"""The consent ledger: consent (Art. 7), objection (Art. 21), restriction (Art. 18), cookies."""

from __future__ import annotations

import copy
import json
import re
import sqlite3
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import gdprkit as gk
from gdprkit.audit import AuditLog
from gdprkit.consent import (
    SCHEMA_VERSION,
    ConsentRecord,
    ConsentState,
    IndicationMethod,
    Ledger,
    LedgerError,
    Restriction,
)
from gdprkit.pseudonym import Keyring, Pseudonymizer
from gdprkit.store.sqlite import SQLiteStore
from gdprkit.timecalc import STOCKHOLM, Period

from .conftest import MINIMAL, ROOT

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
SUBJECT = "C-1042"
KEYRING = Keyring.generate()
BOX = IndicationMethod.TICKED_BOX
LINK = IndicationMethod.CLICKED_ACCEPT  # a renewal link the subject followed and confirmed


def _policy_dict() -> dict[str, Any]:
    data = copy.deepcopy(MINIMAL)
    data["purposes"]["offers"] = {
        "name": {"sv": "Erbjudanden", "en": "Offers"},
        "description": {"sv": "Erbjudanden per e-post.", "en": "Offers by e-mail."},
        "basis": "consent",
        "direct_marketing": True,
    }
    data["purposes"]["survey"] = {
        "name": {"sv": "Enkät", "en": "Survey"},
        "description": {"sv": "Kundenkät.", "en": "Customer survey."},
        "basis": "consent",
        "categories": ["contact.email"],
        "dpv": ["CustomerRelationshipManagement"],
    }
    data["purposes"]["registry"] = {
        "name": {"sv": "Register", "en": "Registry"},
        "description": {"sv": "Myndighetsuppgift.", "en": "Public task."},
        "basis": "public_task",
        "legal_reference": "Lag (2009:400) om offentlighet och sekretess",
    }
    data["cookies"] = [
        {"name": "sid", "provider": "Exempel AB", "purpose": "strictly_necessary",
         "lifetime": "session", "description": {"sv": "Session.", "en": "Session."}},
        {"name": "lang", "provider": "Exempel AB", "purpose": "preferences",
         "lifetime": "P12M", "description": {"sv": "Språk.", "en": "Language."}},
        {"name": "_stats", "provider": "Exempel AB", "purpose": "analytics",
         "lifetime": "P13M", "description": {"sv": "Statistik.", "en": "Statistics."}},
        {"name": "_ads", "provider": "Annons AB", "purpose": "marketing", "party": "third",
         "lifetime": "P90D", "description": {"sv": "Annonser.", "en": "Ads."}},
    ]  # fmt: skip
    return data


POLICY = gk.Policy.from_dict(_policy_dict(), source="consent-test.toml")


@pytest.fixture
def store(tmp_path: Path):
    with SQLiteStore(tmp_path / "gdprkit.db") as s:
        yield s


@pytest.fixture
def audit(store):
    return AuditLog(store, pseudonymizer=Pseudonymizer(KEYRING, domain="audit"))


@pytest.fixture
def ledger(store, audit):
    return Ledger(
        store, POLICY, pseudonymizer=Pseudonymizer(KEYRING, domain="consent"), audit=audit
    )


def at(days: float = 0, **kw: float) -> datetime:
    return T0 + timedelta(days=days, **kw)


def grant(
    ledger: Ledger, purposes: Any = ("survey",), when: datetime = T0, **kw: Any
) -> ConsentRecord:
    kw.setdefault("notice_version", "notice-v3")
    kw.setdefault("method", "unticked checkbox on the account page")
    kw.setdefault("indication", IndicationMethod.TICKED_BOX)
    return ledger.grant(SUBJECT, purposes, at=when, **kw)


def dump(store: SQLiteStore) -> str:
    conn = sqlite3.connect(store.path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return "\n".join(str(row) for t in tables for row in conn.execute(f"SELECT * FROM {t}"))
    finally:
        conn.close()


# --------------------------------------------------------------------------- consent records


def test_grant_returns_an_iso_27560_record(ledger):
    record = grant(ledger, ["survey", "cookies.analytics"], duration="P12M", language="en")
    assert uuid.UUID(record.record_id).version == 4
    assert record.schema_version == SCHEMA_VERSION
    assert record.subject.startswith(KEYRING.active_id + ".")
    assert SUBJECT not in record.subject
    assert record.controller == "Exempel AB"
    assert record.jurisdiction == "SE"
    assert record.notice_version == "notice-v3"
    assert record.language == "en"
    assert record.by == "data_subject"
    assert record.purpose_ids == ("survey", "cookies.analytics")
    assert {p.basis for p in record.purposes} == {gk.LegalBasis.CONSENT}
    assert record.purposes[0].categories == ("contact.email",)
    assert "unticked checkbox" in record.withdrawal_method  # same channel by default
    (event,) = record.events
    assert event.state is ConsentState.GIVEN
    assert event.at == T0
    assert event.at.tzinfo == STOCKHOLM
    assert event.duration == Period(months=12)
    assert event.expires_at == datetime(2027, 3, 1, 10, 0, tzinfo=STOCKHOLM)
    assert record.given_at == T0
    assert ledger.records(SUBJECT) == (record,)


def test_the_store_holds_tokens_never_the_subject_id(ledger, store):
    grant(ledger)
    ledger.withdraw(SUBJECT, method="settings page", at=at(1))
    ledger.object(SUBJECT, "news", at=at(2))
    ledger.restrict(SUBJECT, allowed_purposes=["service"], at=at(3), reason="18(1)(a)")
    assert SUBJECT not in dump(store)


def test_to_dpv_has_the_shape_of_legal_10_1(ledger):
    record = grant(ledger, ["cookies.analytics"], duration=Period(months=12))
    (record,) = ledger.withdraw(SUBJECT, method="cookie dialog, one click", at=at(30))
    doc = record.to_dpv()
    json.dumps(doc)  # JSON-valid
    assert doc["@type"] == "dpv:ConsentRecord"
    assert doc["@id"] == f"urn:uuid:{record.record_id}"
    assert doc["dct:conformsTo"] == {"@id": SCHEMA_VERSION}
    assert doc["dpv:hasDataSubject"] == record.subject
    assert doc["dpv:hasNotice"]["dct:language"] == "sv"
    assert doc["dpv:hasJurisdiction"] == {"@id": "loc:SE"}
    process = doc["dpv:hasProcess"]
    assert process["dpv:hasPurpose"] == [{"@id": "dpv:ServiceUsageAnalytics"}]
    assert process["dpv:hasLegalBasis"] == {"@id": "eu-gdpr:A6-1-a"}
    assert process["dpv:hasConsentControl"]["@type"] == "dpv:WithdrawConsent"
    given_, withdrawn = doc["dpv:hasConsentStatus"]
    assert given_["@type"] == "dpv:ConsentGiven"
    assert given_["dpv:isIndicatedAtTime"] == "2026-03-01T10:00:00+01:00"
    assert given_["dpv:isIndicatedBy"] == "dpv:DataSubject"
    assert given_["dpv:hasDuration"] == {"@type": "dpv:TemporalDuration", "rdf:value": "P12M"}
    assert withdrawn["@type"] == "dpv:ConsentWithdrawn"
    assert withdrawn["dpv:hasIndicationMethod"] == "cookie dialog, one click"
    assert "dpv:hasDuration" not in withdrawn


def test_to_dpv_lists_several_processes(ledger):
    record = grant(ledger, ["survey", "care"])
    doc = record.to_dpv()
    assert [p["dct:identifier"] for p in doc["dpv:hasProcess"]] == ["survey", "care"]
    care = doc["dpv:hasProcess"][1]
    assert care["dpv:hasLegalBasis"] == [{"@id": "eu-gdpr:A6-1-a"}, {"@id": "eu-gdpr:A9-2-a"}]
    assert doc["dpv:hasConsentStatus"][0]["dpv:hasDuration"] == {"@type": "dpv:EndlessDuration"}


@pytest.mark.parametrize(
    ("purposes", "error", "match"),
    [
        pytest.param(["service"], LedgerError, "contract", id="contract purpose is not consent"),
        pytest.param(["news"], LedgerError, "legitimate_interests", id="LI purpose is not consent"),
        pytest.param(["nope"], gk.UnknownPurpose, "'nope'", id="unknown purpose"),
        pytest.param([], LedgerError, "at least one", id="no purpose at all"),
        pytest.param("survey", TypeError, "single string", id="a bare string"),
        pytest.param([""], TypeError, "non-empty", id="an empty purpose id"),
        pytest.param(
            ["cookies.strictly_necessary"], LedgerError, "need no consent",
            id="strictly necessary cookies need no consent",
        ),
        pytest.param(["cookies.tracking"], gk.UnknownPurpose, "cookies.tracking",
                     id="undeclared cookie category"),
    ],
)  # fmt: skip
def test_grant_refuses_what_is_not_a_consent_purpose(ledger, purposes, error, match):
    with pytest.raises(error, match=match) as info:
        grant(ledger, purposes)
    assert SUBJECT not in str(info.value)
    assert ledger.records(SUBJECT) == ()


@pytest.mark.parametrize(
    ("kw", "error", "match"),
    [
        pytest.param({"when": datetime(2026, 3, 1, 9)}, gk.NaiveDatetimeError, "at",
                     id="naive at"),
        pytest.param({"method": " "}, ValueError, "method", id="empty method"),
        pytest.param({"notice_version": 3}, TypeError, "notice_version", id="notice not text"),
        pytest.param({"language": "Swedish"}, ValueError, "language", id="bad language"),
        pytest.param({"duration": "12 months"}, LedgerError, "duration", id="bad duration"),
        pytest.param({"duration": "P0D"}, LedgerError, "duration", id="zero duration"),
        pytest.param({"duration": 12}, TypeError, "duration", id="duration not a period"),
        pytest.param({"by": ""}, ValueError, "by", id="empty by"),
    ],
)  # fmt: skip
def test_grant_rejects_bad_input_naming_the_parameter(ledger, kw, error, match):
    with pytest.raises(error, match=match) as info:
        grant(ledger, **kw)
    assert SUBJECT not in str(info.value)


def test_bad_subjects_are_named_not_echoed(ledger):
    with pytest.raises(TypeError, match="subject"):
        ledger.has_consent(1042, "survey", T0)
    with pytest.raises(ValueError, match="subject") as info:
        ledger.has_consent("   ", "survey", T0)
    assert "   " not in str(info.value).replace("subject must not be empty", "")


# --------------------------------------------------------------------------- has_consent


TIMELINE = [  # (day, action, purposes, duration)
    (0, "grant", ("survey", "offers"), "P1M"),
    (10, "withdraw", ("offers",), None),
    (20, "grant", ("offers",), None),
    (40, "renew", ("survey",), "P1M"),
    (50, "withdraw", None, None),
]


@pytest.fixture
def timeline(ledger):
    for day, action, purposes, duration in TIMELINE:
        if action == "grant":
            grant(ledger, purposes, when=at(day), duration=duration)
        elif action == "renew":
            ledger.renew(SUBJECT, purposes, method="e-mail link", at=at(day), duration=duration,
                         indication=IndicationMethod.CLICKED_ACCEPT)  # fmt: skip
        else:
            ledger.withdraw(SUBJECT, purposes, method="settings page", at=at(day))
    return ledger


@pytest.mark.parametrize(
    ("when", "purpose", "expected"),
    [
        pytest.param(at(-1), "survey", False, id="before any consent"),
        pytest.param(at(0), "survey", True, id="at the instant of the grant"),
        pytest.param(at(9), "offers", True, id="before the withdrawal"),
        pytest.param(at(10), "offers", False, id="at the withdrawal"),
        pytest.param(at(10, seconds=-1), "offers", True, id="a second before the withdrawal"),
        pytest.param(at(15), "survey", True, id="other purpose untouched by withdrawal"),
        pytest.param(datetime(2026, 4, 1, 9, 59, tzinfo=STOCKHOLM), "survey", True,
                     id="last minute of the one-month validity"),
        pytest.param(datetime(2026, 4, 1, 10, 0, tzinfo=STOCKHOLM), "survey", False,
                     id="validity ran out (P1M from 10:00 CET is 10:00 CEST)"),
        pytest.param(at(25), "offers", True, id="given again"),
        pytest.param(at(39), "survey", False, id="still expired before the renewal"),
        pytest.param(at(40), "survey", True, id="renewed"),
        pytest.param(at(49), "offers", True, id="endless consent still valid"),
        pytest.param(at(50), "offers", False, id="withdraw-all reaches every purpose"),
        pytest.param(at(50), "survey", False, id="withdraw-all reaches renewed purpose"),
        pytest.param(at(15), "care", False, id="never consented"),
        pytest.param(at(15), "service", False, id="contract purpose has no consent"),
    ],
)  # fmt: skip
def test_has_consent_as_of_any_instant(timeline, when, purpose, expected):
    assert timeline.has_consent(SUBJECT, purpose, when) is expected


def test_withdrawal_is_recorded_on_each_record_and_returned(timeline):
    records = timeline.records(SUBJECT)
    assert len(records) == 2
    first, second = records
    assert [e.state for e in first.events] == [
        ConsentState.GIVEN,
        ConsentState.WITHDRAWN,
        ConsentState.RENEWED,
        ConsentState.WITHDRAWN,
    ]
    assert first.events[1].purposes == ("offers",)
    assert first.events[3].purposes == ("survey",)  # offers lives on in the second record
    assert first.latest("offers") == first.events[1]
    assert [e.state for e in second.events] == [ConsentState.GIVEN, ConsentState.WITHDRAWN]
    assert second.events[1].purposes == ("offers",)


def test_withdraw_with_nothing_active_changes_nothing(ledger):
    assert ledger.withdraw(SUBJECT, method="settings page", at=T0) == ()
    assert ledger.withdraw(SUBJECT, ["survey"], method="settings page", at=T0) == ()


def test_withdraw_refuses_purposes_that_do_not_rest_on_consent(ledger):
    with pytest.raises(LedgerError, match="not on consent"):
        ledger.withdraw(SUBJECT, ["service"], method="x", at=T0)
    with pytest.raises(gk.UnknownPurpose):
        ledger.withdraw(SUBJECT, ["nope"], method="x", at=T0)


def test_history_cannot_be_rewritten_backwards(ledger):
    grant(ledger, when=at(1))
    grant(ledger, when=at(5))
    with pytest.raises(LedgerError, match="append-only"):
        grant(ledger, when=at(4))
    with pytest.raises(LedgerError, match="append-only"):
        ledger.renew(SUBJECT, ["survey"], method="x", at=at(3), indication=LINK)
    with pytest.raises(LedgerError, match="append-only"):
        ledger.withdraw(SUBJECT, method="x", at=at(3))
    assert ledger.withdraw(SUBJECT, method="x", at=at(0)) == ()  # nothing was active yet
    assert [len(r.events) for r in ledger.records(SUBJECT)] == [1, 1]
    assert ledger.has_consent(SUBJECT, "survey", at(5))


def test_renew_needs_a_consent_to_renew(ledger):
    with pytest.raises(LedgerError, match="no consent to renew"):
        ledger.renew(SUBJECT, ["survey"], method="x", at=T0, indication=LINK)


# Hypothesis: the SQL answer agrees with a plain replay of the events.

_STEPS = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=20 * 24),  # hours after the previous step
        st.sampled_from(["grant", "withdraw", "withdraw_all", "renew"]),
        st.lists(st.sampled_from(["survey", "care", "cookies.analytics"]), min_size=1,
                 max_size=3, unique=True),
        st.sampled_from([None, "P1D", "P3D", "P1M"]),
    ),
    max_size=8,
)  # fmt: skip


@pytest.fixture(scope="module")
def shared_ledger(tmp_path_factory):
    with SQLiteStore(tmp_path_factory.mktemp("prop") / "gdprkit.db") as s:
        yield Ledger(s, POLICY, pseudonymizer=Pseudonymizer(KEYRING, domain="consent"))


Event = tuple[datetime, int, str, str, "str | None"]  # at, record, purpose, state, duration


def _last(
    events: list[Event], record: int, purpose: str, when: datetime | None = None
) -> Event | None:
    found = None
    for ev in events:
        if ev[1] == record and ev[2] == purpose and (when is None or ev[0] <= when):
            found = ev
    return found


def _replay(events: list[Event], purpose: str, when: datetime) -> bool:
    """Plain twin of LEGAL.md §10.3: the purpose's latest event at or before ``when`` is
    given or renewed and its duration has not run out."""
    last = None
    for ev in events:
        if ev[2] == purpose and ev[0] <= when:
            last = ev
    if last is None or last[3] == "withdrawn":
        return False
    duration = last[4]
    return duration is None or when < Period.parse(duration).add_to(last[0].astimezone(STOCKHOLM))


def _open_records(events: list[Event], purpose: str) -> list[int]:
    return sorted(
        r for r in {ev[1] for ev in events}
        if (last := _last(events, r, purpose)) is not None and last[3] in ("given", "renewed")
    )  # fmt: skip


PURPOSES = ("survey", "care", "cookies.analytics")


@given(steps=_STEPS, probes=st.lists(st.integers(min_value=-24, max_value=80 * 24), max_size=12))
def test_has_consent_agrees_with_a_plain_replay(shared_ledger, steps, probes):
    subject = str(uuid.uuid4())
    events: list[Event] = []
    records = 0
    when = T0
    for hours, action, purposes, duration in steps:
        when = when + timedelta(hours=hours)
        if action == "grant":
            shared_ledger.grant(subject, purposes, notice_version="v1", method="form", indication=BOX,
                                at=when, duration=duration)  # fmt: skip
            events += [(when, records, p, "given", duration) for p in purposes]
            records += 1
        elif action == "renew":
            if not all(_open_records(events, p) for p in purposes):
                with pytest.raises(LedgerError):
                    shared_ledger.renew(subject, purposes, method="link", at=when,
                                        indication=LINK)  # fmt: skip
                continue
            shared_ledger.renew(subject, purposes, method="link", at=when, duration=duration,
                                indication=LINK)  # fmt: skip
            events += [(when, r, p, "renewed", duration) for p in purposes
                       for r in _open_records(events, p)]  # fmt: skip
        else:
            targets = PURPOSES if action == "withdraw_all" else purposes
            # withdrawing a purpose consented now closes every open record of it
            hit = [p for p in targets if _replay(events, p, when)]
            shared_ledger.withdraw(
                subject, None if action == "withdraw_all" else purposes, method="settings", at=when
            )
            events += [
                (when, r, p, "withdrawn", None) for p in hit for r in _open_records(events, p)
            ]
    for hours in probes:
        probe = T0 + timedelta(hours=hours)
        for purpose in PURPOSES:
            assert shared_ledger.has_consent(subject, purpose, probe) is _replay(
                events, purpose, probe
            )
        consented = shared_ledger.consented_purposes(subject, probe)
        assert consented == {p for p in PURPOSES if _replay(events, p, probe)}


# --------------------------------------------------------------------------- objection


@pytest.mark.parametrize(
    ("purpose", "absolute"),
    [
        pytest.param("news", True, id="direct marketing on legitimate interests: absolute"),
        pytest.param("offers", True, id="direct marketing on consent: Art. 21(2) too"),
        pytest.param("stats", False, id="legitimate interests: until overriding grounds"),
        pytest.param("registry", False, id="public task: until overriding grounds"),
    ],
)
def test_objection_takes_effect_at_its_instant(ledger, purpose, absolute):
    objection = ledger.object(SUBJECT, purpose, at=at(1), grounds="particular situation")
    assert objection.absolute is absolute
    assert objection.at == at(1)
    assert not ledger.has_objected(SUBJECT, purpose, at(1, seconds=-1))
    assert ledger.has_objected(SUBJECT, purpose, at(1))
    assert ledger.has_objected(SUBJECT, purpose, at(400))
    # only an upheld objection makes the purpose inactive (Art. 17(1)(c)); others await assessment
    assert (purpose in ledger.inactive_purposes(SUBJECT, at(2))) is absolute


def test_overriding_grounds_end_an_objection_from_their_instant(ledger):
    ledger.object(SUBJECT, "stats", at=at(1))
    objection = ledger.record_overriding_grounds(
        SUBJECT, "stats", at=at(5), grounds="LIA-2 review: compelling grounds"
    )
    assert objection.overridden_at == at(5)
    assert ledger.has_objected(SUBJECT, "stats", at(4))
    assert not ledger.has_objected(SUBJECT, "stats", at(5))
    # a new objection counts again
    ledger.object(SUBJECT, "stats", at=at(6))
    assert ledger.has_objected(SUBJECT, "stats", at(6))
    assert len(ledger.objections(SUBJECT)) == 2


def test_repeated_objection_returns_the_one_in_force(ledger):
    first = ledger.object(SUBJECT, "news", at=at(1))
    assert ledger.object(SUBJECT, "news", at=at(2)) == first
    assert len(ledger.objections(SUBJECT)) == 1


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        pytest.param(lambda lg: lg.object(SUBJECT, "service", at=T0), LedgerError,
                     "right to object", id="no objection to contract processing"),
        pytest.param(lambda lg: lg.object(SUBJECT, "survey", at=T0), LedgerError,
                     "right to object", id="consent is withdrawn, not objected to"),
        pytest.param(lambda lg: lg.object(SUBJECT, "nope", at=T0), gk.UnknownPurpose,
                     "nope", id="unknown purpose"),
        pytest.param(lambda lg: lg.record_overriding_grounds(SUBJECT, "news", at=T0,
                                                             grounds="we want to"),
                     LedgerError, r"21\(3\)", id="no overriding grounds for direct marketing"),
        pytest.param(lambda lg: lg.record_overriding_grounds(SUBJECT, "stats", at=T0,
                                                             grounds="x"),
                     LedgerError, "no objection", id="nothing to override"),
        pytest.param(lambda lg: lg.record_overriding_grounds(SUBJECT, "stats", at=T0,
                                                             grounds=""),
                     ValueError, "grounds", id="grounds are required"),
        pytest.param(lambda lg: lg.object(SUBJECT, "news", at=datetime(2026, 1, 1)),
                     gk.NaiveDatetimeError, "at", id="naive at"),
    ],
)  # fmt: skip
def test_objection_errors(ledger, call, error, match):
    with pytest.raises(error, match=match) as info:
        call(ledger)
    assert SUBJECT not in str(info.value)


# --------------------------------------------------------------------------- restriction


def test_restriction_lifecycle(ledger):
    assert ledger.restriction(SUBJECT, T0) is None
    placed = ledger.restrict(
        SUBJECT, allowed_purposes=["service"], at=at(1), reason="18(1)(a) accuracy contested"
    )
    assert placed == Restriction(frozenset({"service"}), at(1), "18(1)(a) accuracy contested")
    assert placed.allows("service") and not placed.allows("news")
    assert ledger.restriction(SUBJECT, at(2)) == placed
    with pytest.raises(gk.SubjectNotInformed, match=r"18\(3\)"):
        ledger.lift_restriction(SUBJECT, at=at(3))
    informed = ledger.record_subject_informed(SUBJECT, at=at(3), method="letter")
    assert informed.informed_at == at(3)
    lifted = ledger.lift_restriction(SUBJECT, at=at(3))
    assert lifted.lifted_at == at(3)
    assert ledger.restriction(SUBJECT, at(2)) == lifted
    assert ledger.restriction(SUBJECT, at(3)) is None
    with pytest.raises(LedgerError, match="no restriction"):
        ledger.lift_restriction(SUBJECT, at=at(4))


def test_a_new_restriction_replaces_the_one_in_force(ledger):
    ledger.restrict(SUBJECT, allowed_purposes=[], at=at(1), reason="18(1)(d) pending objection")
    ledger.restrict(SUBJECT, allowed_purposes=["service"], at=at(2), reason="18(1)(a)")
    assert ledger.restriction(SUBJECT, at(1)).allowed_purposes == frozenset()
    assert ledger.restriction(SUBJECT, at(2)).allowed_purposes == {"service"}
    with pytest.raises(LedgerError, match="append-only"):
        ledger.restrict(SUBJECT, allowed_purposes=[], at=at(1), reason="late")


@pytest.mark.parametrize(
    ("kw", "error", "match"),
    [
        pytest.param({"allowed_purposes": ["nope"]}, gk.UnknownPurpose, "nope",
                     id="unknown allowed purpose"),
        pytest.param({"allowed_purposes": "service"}, TypeError, "allowed_purposes",
                     id="a bare string"),
        pytest.param({"reason": ""}, ValueError, "reason", id="reason required"),
    ],
)  # fmt: skip
def test_restriction_errors(ledger, kw, error, match):
    args: dict[str, Any] = {"allowed_purposes": ["service"], "at": T0, "reason": "18(1)(a)"}
    with pytest.raises(error, match=match):
        ledger.restrict(SUBJECT, **(args | kw))


# --------------------------------------------------------------------------- the guard


@pytest.fixture(scope="module")
def Member():
    @gk.personal_data(subject="customer", policy=POLICY)
    @attrs.frozen
    class Member:
        member_id: str = gk.pd_field(
            category="identity.customer_id", purposes=("service",), identifies=True
        )
        email: str = gk.pd_field(
            category="contact.email", purposes=("service", "news", "survey", "stats")
        )

    return Member


@pytest.mark.parametrize(
    ("setup", "purpose", "error"),
    [
        pytest.param([], "service", None, id="contract purpose, nothing recorded: allowed"),
        pytest.param([], "survey", gk.ConsentRequired, id="consent purpose without consent"),
        pytest.param([("grant", "survey")], "survey", None, id="consent purpose with consent"),
        pytest.param([("grant", "survey"), ("withdraw", "survey")], "survey",
                     gk.ConsentRequired, id="consent withdrawn"),
        pytest.param([("object", "news")], "news", gk.Objected, id="objected to marketing"),
        pytest.param([("object", "stats"), ("override", "stats")], "stats", None,
                     id="objection overridden"),
        pytest.param([("restrict", "service")], "news", gk.Restricted,
                     id="restricted to another purpose"),
        pytest.param([("restrict", "service")], "service", None,
                     id="restricted, purpose allowed"),
        pytest.param([("restrict", "news"), ("object", "news")], "news", gk.Objected,
                     id="allowed by restriction but objected"),
    ],
)  # fmt: skip
def test_guard_in_project(ledger, Member, setup, purpose, error):
    for i, (action, pid) in enumerate(setup):
        when = at(i)
        if action == "grant":
            grant(ledger, [pid], when=when)
        elif action == "withdraw":
            ledger.withdraw(SUBJECT, [pid], method="settings", at=when)
        elif action == "object":
            ledger.object(SUBJECT, pid, at=when)
        elif action == "override":
            ledger.record_overriding_grounds(SUBJECT, pid, at=when, grounds="compelling")
        else:
            ledger.restrict(SUBJECT, allowed_purposes=[pid], at=when, reason="18(1)(a)")
    member = Member(SUBJECT, "anna@example.se")
    now = at(len(setup))
    if error is None:
        assert gk.project(member, purpose, at=now, guards=[ledger])
    else:
        with pytest.raises(error) as info:
            gk.project(member, purpose, at=now, guards=[ledger])
        assert SUBJECT not in str(info.value)
        assert "anna" not in str(info.value)


def test_guard_without_at_answers_as_things_stand(ledger, Member):
    member = Member(SUBJECT, "a@example.se")
    assert gk.project(member, "service", guards=[ledger])  # nothing recorded: allowed
    with pytest.raises(gk.ConsentRequired):
        gk.project(member, "survey", guards=[ledger])
    grant(ledger, ["survey"])  # no time limit
    assert gk.project(member, "survey", guards=[ledger]) == {"email": "a@example.se"}
    ledger.object(SUBJECT, "news", at=at(1))
    with pytest.raises(gk.Objected):
        gk.project(member, "news", guards=[ledger])
    grant(ledger, ["survey"], when=at(2), duration="P1M")  # one that can run out
    with pytest.raises(TypeError, match="at="):
        gk.project(member, "survey", guards=[ledger])


def test_installed_guards_run_when_project_gets_none(ledger, Member):
    member = Member(SUBJECT, "a@example.se")
    ledger.object(SUBJECT, "news", at=T0)
    with gk.using_guards(ledger):
        with pytest.raises(gk.Objected):
            gk.project(member, "news", at=at(1))
        assert gk.project(member, "news", at=at(1), guards=()) == {"email": "a@example.se"}
    assert gk.project(member, "news", at=at(1)) == {"email": "a@example.se"}  # block ended


def test_elveta_marketing_is_refused_after_an_objection(tmp_path):
    from gdprkit._demo.models import Customer, policy

    with SQLiteStore(tmp_path / "elveta.db") as store:
        ledger = Ledger(store, policy, pseudonymizer=Pseudonymizer(KEYRING, domain="consent"))
        customer = Customer(
            customer_id="C-1042", name="Anna Svensson", email="anna@example.se",
            phone="070-000 00 00", street="Storgatan 1", postcode="18330", city="Täby",
            dwelling="villa", area_m2=140, heating="heat_pump", heat_pump="NIBE F1255",
        )  # fmt: skip
        assert gk.project(customer, "marketing", at=T0, guards=[ledger]) == {
            "name": "Anna Svensson",
            "email": "anna@example.se",
        }
        ledger.object("C-1042", "marketing", at=at(1))
        with pytest.raises(gk.Objected, match=r"21\(3\)"):
            gk.project(customer, "marketing", at=at(1), guards=[ledger])
        assert gk.project(customer, "marketing", at=T0, guards=[ledger])  # history holds
        with pytest.raises(LedgerError, match=r"21\(3\)"):
            ledger.record_overriding_grounds("C-1042", "marketing", at=at(2), grounds="x")


# --------------------------------------------------------------------------- inactive purposes


def test_inactive_purposes(ledger):
    consent_based = {"care", "offers", "survey"}
    assert ledger.inactive_purposes(SUBJECT, T0) == consent_based
    grant(ledger, ["survey"], when=at(1))
    ledger.object(SUBJECT, "news", at=at(2))
    ledger.object(SUBJECT, "stats", at=at(3))
    ledger.record_overriding_grounds(SUBJECT, "stats", at=at(4), grounds="compelling")
    assert ledger.inactive_purposes(SUBJECT, at(2)) == {"care", "offers", "news"}
    assert ledger.inactive_purposes(SUBJECT, at(3)) == {"care", "offers", "news"}  # pending
    assert ledger.inactive_purposes(SUBJECT, at(4)) == {"care", "offers", "news"}  # overridden
    ledger.restrict(SUBJECT, allowed_purposes=[], at=at(5), reason="18(1)(b)")
    assert ledger.inactive_purposes(SUBJECT, at(5)) == {"care", "offers", "news"}
    ledger.object(SUBJECT, "registry", at=at(6))
    ledger.uphold_objection(SUBJECT, "registry", at=at(7), reason="no compelling grounds")
    assert ledger.inactive_purposes(SUBJECT, at(6)) == {"care", "offers", "news"}
    assert ledger.inactive_purposes(SUBJECT, at(7)) == {"care", "offers", "news", "registry"}


# --------------------------------------------------------------------------- cookies


@pytest.mark.parametrize(
    ("granted", "withdrawn", "expected"),
    [
        pytest.param((), (), ["sid"], id="no consent: strictly necessary only"),
        pytest.param(("cookies.analytics",), (), ["sid", "_stats"], id="statistics accepted"),
        pytest.param(("cookies.analytics", "cookies.preferences", "cookies.marketing"), (),
                     ["sid", "lang", "_stats", "_ads"], id="accept all"),
        pytest.param(("cookies.analytics", "cookies.marketing"), ("cookies.marketing",),
                     ["sid", "_stats"], id="marketing withdrawn"),
    ],
)  # fmt: skip
def test_allowed_cookies(ledger, granted, withdrawn, expected):
    browser = "browser-7f3a"
    if granted:
        ledger.grant(browser, granted, notice_version="cookies-v3", method="cookie dialog",
                     indication=IndicationMethod.CHOSE_SETTINGS,
                     at=T0, duration="P12M")  # fmt: skip
    if withdrawn:
        ledger.withdraw(browser, withdrawn, method="cookie dialog", at=at(1))
    assert [c.name for c in ledger.allowed_cookies(browser, at(2))] == expected
    assert [c.name for c in ledger.allowed_cookies(browser, at(-1))] == ["sid"]
    assert [c.name for c in ledger.allowed_cookies(browser, at(400))] == ["sid"]  # expired


def test_cookie_consent_record_names_the_third_party(ledger):
    record = ledger.grant("browser-1", ["cookies.marketing"], notice_version="cookies-v3",
                          method="cookie dialog", at=T0,
                          indication=IndicationMethod.CHOSE_SETTINGS)  # fmt: skip
    (purpose,) = record.purposes
    assert purpose.recipients == ("Annons AB",)
    assert purpose.retention == "_ads: P90D"


# --------------------------------------------------------------------------- evidence


def test_purge_evidence_deletes_only_records_ended_longer_ago_than_keep(ledger, store):
    grant(ledger, ["survey"], when=at(0))  # stays open: no end
    grant(ledger, ["care"], when=at(0), duration="P1M")  # expires 2026-04-01
    grant(ledger, ["offers"], when=at(0))
    ledger.withdraw(SUBJECT, ["offers"], method="settings", at=at(100))
    ledger.object(SUBJECT, "news", at=at(1))
    keep = Period(years=1)
    assert ledger.purge_evidence(datetime(2027, 4, 1, 9, 0, tzinfo=STOCKHOLM), keep) == 0
    assert ledger.purge_evidence(datetime(2027, 4, 1, 10, 0, tzinfo=STOCKHOLM), keep) == 1
    assert [r.purpose_ids for r in ledger.records(SUBJECT)] == [("survey",), ("offers",)]
    assert ledger.purge_evidence(at(100 + 366), "P1Y") == 1
    assert [r.purpose_ids for r in ledger.records(SUBJECT)] == [("survey",)]
    assert ledger.has_objected(SUBJECT, "news", at(1000))  # objections are kept
    assert store.query("SELECT COUNT(*) FROM consent_events")[0][0] == 1
    with pytest.raises(LedgerError, match="consent_evidence_retention"):
        ledger.purge_evidence(at(1000), None)  # the test policy declares no rule


# --------------------------------------------------------------------------- audit


def test_every_change_is_audited_with_purpose_ids_only(ledger, audit, store):
    grant(ledger, ["survey"])
    ledger.renew(SUBJECT, ["survey"], method="link", at=at(1), indication=LINK)
    ledger.withdraw(SUBJECT, method="settings", at=at(2))
    ledger.object(SUBJECT, "stats", at=at(3))
    ledger.record_overriding_grounds(SUBJECT, "stats", at=at(4), grounds="compelling")
    ledger.restrict(SUBJECT, allowed_purposes=["service"], at=at(5), reason="18(1)(a)")
    ledger.record_subject_informed(SUBJECT, at=at(6), method="letter")
    ledger.lift_restriction(SUBJECT, at=at(6))
    entries = list(audit.entries(subject=SUBJECT))
    assert [e.action for e in entries] == [
        "consent.given",
        "consent.renewed",
        "consent.withdrawn",
        "objection.recorded",
        "objection.overridden",
        "restriction.placed",
        "restriction.subject_informed",
        "restriction.lifted",
    ]
    assert all(set(e.details) - {"scope"} == {"purposes"} for e in entries)
    assert entries[-1].details["scope"] == {"kind": "everything"}
    assert entries[2].details == {"purposes": ["survey"]}
    audit.verify()
    assert SUBJECT not in dump(store)


def test_a_failed_audit_rolls_the_change_back(store):
    ledger = Ledger(store, POLICY, pseudonymizer=Pseudonymizer(KEYRING, domain="consent"),
                    audit=AuditLog(store))  # fmt: skip  # no pseudonymizer: cannot audit subjects
    with pytest.raises(TypeError, match="pseudonymizer"):
        grant(ledger)
    assert ledger.records(SUBJECT) == ()


def test_constructor_checks_and_summary_repr(store):
    ps = Pseudonymizer(KEYRING, domain="consent")
    with pytest.raises(TypeError, match="store"):
        Ledger("gdprkit.db", POLICY, pseudonymizer=ps)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="policy"):
        Ledger(store, {}, pseudonymizer=ps)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="pseudonymizer"):
        Ledger(store, POLICY, pseudonymizer=KEYRING)  # type: ignore[arg-type]
    assert repr(Ledger(store, POLICY, pseudonymizer=ps)).startswith("<Ledger in SQLiteStore(")


def test_purge_evidence_defaults_to_the_policys_rule(tmp_path):
    """Consent evidence outlives erasure for as long as the policy says (Art. 7(1))."""
    from gdprkit._demo import models as demo_models

    assert demo_models.policy.consent_evidence_retention == "P3Y"
    store_ = SQLiteStore(tmp_path / "evidence.db")
    ledger_ = Ledger(
        store_, demo_models.policy, pseudonymizer=Pseudonymizer(Keyring.generate(), domain="l")
    )
    t0 = datetime(2026, 1, 10, 12, tzinfo=UTC)
    ledger_.grant("B-1", ["cookies.analytics"], notice_version="v1", method="dialog", at=t0,
                  indication=IndicationMethod.CHOSE_SETTINGS)  # fmt: skip
    ledger_.withdraw("B-1", method="dialog", at=t0 + timedelta(days=1))
    assert ledger_.purge_evidence(datetime(2028, 1, 1, tzinfo=UTC)) == 0  # within three years
    assert ledger_.purge_evidence(datetime(2029, 2, 1, tzinfo=UTC)) == 1
    bare = Ledger(store_, gk.Policy.from_dict(copy.deepcopy(MINIMAL)),
                  pseudonymizer=Pseudonymizer(Keyring.generate(), domain="l"))  # fmt: skip
    with pytest.raises(LedgerError, match="consent_evidence_retention"):
        bare.purge_evidence(datetime(2029, 2, 1, tzinfo=UTC))
    store_.close()


# --------------------------------------------------------------------------- the reference page


def test_reference_page_documents_every_public_member_of_the_ledger():
    """The page lists the ledger's members one by one (in reading order), so none may be left out."""
    page = (ROOT / "docs" / "reference" / "consent.md").read_text(encoding="utf-8")
    documented = re.findall(r"^\s*\.\. auto(?:method|property):: (\w+)$", page, re.MULTILINE)
    assert sorted(documented) == sorted(n for n in dir(Ledger) if not n.startswith("_"))
