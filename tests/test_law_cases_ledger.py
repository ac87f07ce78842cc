"""Worked cases of the ledger's decisions, written from the law (LEGAL.md §1.3, §5.3-5.5, §10).

Valid consent and its status at an instant (Art. 4(11), 7, Recital 32; CJEU
C-673/17 Planet49; issue 13, point 7); restriction scoped to what is contested
(Art. 18; issue 13, point 1); objection as a decision (Art. 21, 18(1)(d),
17(1)(c); issue 13, point 2). Expected values are worked out by hand
from the law and the dates, not read from the implementation; every case runs
on a real SQLite store through the public API.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest

import gdprkit as gk
from gdprkit import retention
from gdprkit._demo import models as demo
from gdprkit._demo.models import ChurnScore, Invoice, MeterReading
from gdprkit.audit import AuditLog
from gdprkit.consent import (
    ConsentStatus,
    IndicationMethod,
    Ledger,
    ObjectionState,
    RestrictionScope,
)
from gdprkit.pseudonym import Keyring, Pseudonymizer
from gdprkit.store.sqlite import SQLiteStore

from .conftest import MINIMAL

STHLM = ZoneInfo("Europe/Stockholm")
KEYRING = Keyring.generate()
SUBJECT = "C-1042"


def sthlm(*parts: int) -> datetime:
    """An instant on the Stockholm wall clock: ``sthlm(2026, 10, 1, 9)``."""
    return datetime(*parts, tzinfo=STHLM)  # type: ignore[misc]


def _policy() -> gk.Policy:
    data = copy.deepcopy(MINIMAL)
    data["purposes"]["newsletter"] = {
        "name": {"sv": "Nyhetsbrev", "en": "Newsletter"},
        "description": {"sv": "Nyhetsbrev.", "en": "Newsletter."},
        "basis": "consent",
        "categories": ["contact.email"],
    }
    data["purposes"]["registry"] = {
        "name": {"sv": "Register", "en": "Registry"},
        "description": {"sv": "Myndighetsuppgift.", "en": "Public task."},
        "basis": "public_task",
        "legal_reference": "Lag (2009:400) om offentlighet och sekretess",
    }
    return gk.Policy.from_dict(data, source="ledger-cases.toml")


POLICY = _policy()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    with SQLiteStore(tmp_path / "gdprkit.db") as opened:
        yield opened


@pytest.fixture
def audit(store: SQLiteStore) -> AuditLog:
    return AuditLog(store, pseudonymizer=Pseudonymizer(KEYRING, domain="audit"))


@pytest.fixture
def ledger(store: SQLiteStore, audit: AuditLog) -> Ledger:
    return Ledger(store, POLICY, pseudonymizer=Pseudonymizer(KEYRING, domain="ledger"), audit=audit)


def _grant(ledger: Ledger, at: datetime, **kw: Any) -> Any:
    kw.setdefault("notice_version", "notice-2026-01")
    kw.setdefault("method", "newsletter box on the account page")
    kw.setdefault("indication", IndicationMethod.TICKED_BOX)
    return ledger.grant(SUBJECT, ["newsletter"], at=at, **kw)


# ---------------------------------------------------------------------------
# Consent is an affirmative act (Art. 4(11), Recital 32; Planet49)
# ---------------------------------------------------------------------------

AFFIRMATIVE = [
    pytest.param(IndicationMethod.TICKED_BOX, id="ticked an unticked box: consent (Recital 32)"),
    pytest.param(IndicationMethod.CLICKED_ACCEPT, id="pressed 'I agree': consent"),
    pytest.param(IndicationMethod.CHOSE_SETTINGS, id="chose settings in a dialog: consent"),
    pytest.param(IndicationMethod.WRITTEN_STATEMENT, id="wrote an e-mail saying yes: consent"),
    pytest.param(IndicationMethod.SIGNED_STATEMENT, id="signed a declaration: consent"),
    pytest.param(IndicationMethod.ORAL_STATEMENT, id="said yes on a recorded call: consent"),
    pytest.param(IndicationMethod.OTHER_AFFIRMATIVE_ACT, id="other clear conduct: consent"),
]
NOT_CONSENT = [
    pytest.param(IndicationMethod.PRE_TICKED_BOX, "Planet49",
                 id="pre-ticked box left ticked: not consent (Planet49)"),
    pytest.param(IndicationMethod.SILENCE, "Recital 32", id="silence: not consent (Recital 32)"),
    pytest.param(IndicationMethod.INACTIVITY, "Recital 32",
                 id="no answer to an opt-out: not consent (Recital 32)"),
    pytest.param(IndicationMethod.CONTINUED_USE, "05/2020",
                 id="went on scrolling: not consent (EDPB 05/2020 para. 86)"),
]  # fmt: skip


@pytest.mark.parametrize("indication", AFFIRMATIVE)
def test_an_affirmative_act_is_recorded_as_consent(
    ledger: Ledger, indication: IndicationMethod
) -> None:
    record = _grant(ledger, sthlm(2026, 3, 1, 10), indication=indication)
    assert indication.affirmative
    assert record.indication is indication
    assert record.events[0].indication is indication
    assert ledger.records(SUBJECT)[0].indication is indication  # read back from the store
    assert ledger.consent_status(SUBJECT, "newsletter", sthlm(2026, 3, 1, 10)) is (
        ConsentStatus.GIVEN
    )


@pytest.mark.parametrize(("indication", "reference"), NOT_CONSENT)
def test_what_is_no_affirmative_act_is_refused_and_nothing_recorded(
    ledger: Ledger, audit: AuditLog, indication: IndicationMethod, reference: str
) -> None:
    with pytest.raises(gk.InvalidConsent) as info:
        _grant(ledger, sthlm(2026, 3, 1, 10), indication=indication)
    text = str(info.value)
    assert indication.name in text and "4(11)" in text and reference in text
    assert SUBJECT not in text
    assert isinstance(info.value, gk.LedgerError)
    assert ledger.records(SUBJECT) == ()
    assert list(audit.entries(subject=SUBJECT)) == []
    assert ledger.consent_status(SUBJECT, "newsletter", sthlm(2026, 3, 2)) is (
        ConsentStatus.NEVER_GIVEN
    )


def test_a_renewal_is_consent_given_again_and_is_checked_the_same_way(ledger: Ledger) -> None:
    _grant(ledger, sthlm(2026, 3, 1, 10), duration="P12M")
    with pytest.raises(gk.InvalidConsent, match="PRE_TICKED_BOX"):
        ledger.renew(SUBJECT, ["newsletter"], method="renewal e-mail, box pre-ticked",
                     indication=IndicationMethod.PRE_TICKED_BOX, at=sthlm(2027, 2, 1))  # fmt: skip
    (record,) = ledger.renew(SUBJECT, ["newsletter"], method="renewal e-mail, 'Yes, keep me'",
                             indication=IndicationMethod.CLICKED_ACCEPT, at=sthlm(2027, 2, 1),
                             duration="P12M")  # fmt: skip
    assert record.events[-1].indication is IndicationMethod.CLICKED_ACCEPT


WORDS_OF_NO_CONSENT = [
    pytest.param("web form, box pre-ticked", "PRE_TICKED_BOX", id="pre-ticked box (Planet49)"),
    pytest.param("Pre-checked checkbox at sign-up", "PRE_TICKED_BOX", id="pre-checked"),
    pytest.param("webbformulär, förkryssad ruta", "PRE_TICKED_BOX", id="sv: förkryssad ruta"),
    pytest.param("förbockad ruta i appen", "PRE_TICKED_BOX", id="sv: förbockad ruta"),
    pytest.param("no objection within 30 days", "SILENCE", id="no objection (Recital 32)"),
    pytest.param("tystnad efter utskick", "SILENCE", id="sv: tystnad"),
    pytest.param("opt-out e-mail not answered", "INACTIVITY", id="opt-out (Recital 32)"),
    pytest.param("newsletter on by default", "INACTIVITY", id="on by default"),
    pytest.param("implied by the contract", "INACTIVITY", id="implied consent"),
    pytest.param("kundens inaktivitet", "INACTIVITY", id="sv: inaktivitet"),
    pytest.param("continued browsing after the banner", "CONTINUED_USE",
                 id="continued browsing (EDPB 05/2020 para. 86)"),
    pytest.param("user scrolled past the notice", "CONTINUED_USE", id="scrolling"),
    pytest.param("fortsatt användning av appen", "CONTINUED_USE", id="sv: fortsatt användning"),
]  # fmt: skip
WORDS_OF_CONSENT = [
    pytest.param("web form", id="web form"),
    pytest.param("ticked the newsletter box at sign-up", id="ticked a box"),
    pytest.param("kryssade i rutan i Mina sidor", id="sv: kryssade i rutan"),
    pytest.param("said yes on a recorded call", id="oral yes"),
    pytest.param("defaulted-on setting changed by user to yes", id="'default' inside a word"),
]


@pytest.mark.parametrize(("method", "named"), WORDS_OF_NO_CONSENT)
def test_a_grant_without_indication_whose_words_describe_no_consent_is_refused(
    ledger: Ledger, audit: AuditLog, method: str, named: str
) -> None:
    with pytest.raises(gk.InvalidConsent, match=rf"{named}.*4\(11\).*indication=") as info:
        ledger.grant(SUBJECT, ["newsletter"], notice_version="n1", method=method,
                     at=sthlm(2026, 3, 1, 10))  # fmt: skip
    assert SUBJECT not in str(info.value)
    assert ledger.records(SUBJECT) == ()
    assert list(audit.entries(subject=SUBJECT)) == []
    _grant(ledger, sthlm(2026, 3, 1, 10), duration="P12M")
    with pytest.raises(gk.InvalidConsent, match=named):
        ledger.renew(SUBJECT, ["newsletter"], method=method, at=sthlm(2026, 4, 1))


@pytest.mark.parametrize("method", WORDS_OF_CONSENT)
def test_a_grant_without_indication_is_recorded_as_the_act_its_words_describe(
    ledger: Ledger, method: str
) -> None:
    record = ledger.grant(SUBJECT, ["newsletter"], notice_version="n1", method=method,
                          at=sthlm(2026, 3, 1, 10), duration="P12M")  # fmt: skip
    assert record.indication is None and record.method == method
    assert ledger.has_consent(SUBJECT, "newsletter", sthlm(2026, 3, 1, 10))
    (renewed,) = ledger.renew(SUBJECT, ["newsletter"], method=method, at=sthlm(2026, 4, 1))
    assert renewed.events[-1].indication is None


def test_a_stated_indication_decides_over_the_words(ledger: Ledger) -> None:
    # Words that look like no consent, but the subject did act: the stated value wins.
    record = ledger.grant(SUBJECT, ["newsletter"], notice_version="n1",
                          method="unticked the pre-ticked 'no' box, then ticked 'yes'",
                          indication=IndicationMethod.TICKED_BOX, at=sthlm(2026, 3, 1, 10))  # fmt: skip
    assert record.indication is IndicationMethod.TICKED_BOX


def test_an_indication_of_the_wrong_type_is_refused(ledger: Ledger) -> None:
    with pytest.raises(TypeError, match="indication"):
        _grant(ledger, sthlm(2026, 3, 1), indication="ticked_box")


# ---------------------------------------------------------------------------
# Consent status as of an instant (Art. 7(1), 7(3); ISO/IEC TS 27560 validity)
# ---------------------------------------------------------------------------


@pytest.fixture
def history(ledger: Ledger) -> Ledger:
    """Given 31 Jan 2026 10:00 for one month; renewed 1 Mar for six; withdrawn 15 Aug 14:00.

    A month from 31 January ends on the last day of February (1182/71, as
    ``Period`` counts): 28 Feb 2026 10:00. The renewal on 1 March 09:00 runs
    to 1 Sep 2026 09:00, but the subject withdraws on 15 August (Art. 7(3)).
    """
    _grant(ledger, sthlm(2026, 1, 31, 10), duration="P1M")
    ledger.renew(SUBJECT, ["newsletter"], method="reminder e-mail, 'renew'", duration="P6M",
                 indication=IndicationMethod.CLICKED_ACCEPT, at=sthlm(2026, 3, 1, 9))  # fmt: skip
    ledger.withdraw(SUBJECT, ["newsletter"], method="unsubscribe link", at=sthlm(2026, 8, 15, 14))
    return ledger


STATUS_CASES = [
    pytest.param(sthlm(2026, 1, 31, 9, 59), ConsentStatus.NEVER_GIVEN, id="a minute before the grant"),
    pytest.param(sthlm(2026, 1, 31, 10), ConsentStatus.GIVEN, id="at the grant"),
    pytest.param(sthlm(2026, 2, 28, 9, 59), ConsentStatus.GIVEN, id="28 Feb 09:59, last minute"),
    pytest.param(sthlm(2026, 2, 28, 10), ConsentStatus.EXPIRED, id="28 Feb 10:00, one month ran out"),
    pytest.param(sthlm(2026, 3, 1, 8), ConsentStatus.EXPIRED, id="1 Mar 08:00, before renewal"),
    pytest.param(sthlm(2026, 3, 1, 9), ConsentStatus.GIVEN, id="1 Mar 09:00, renewed"),
    pytest.param(sthlm(2026, 8, 15, 13, 59), ConsentStatus.GIVEN, id="15 Aug 13:59, still given"),
    pytest.param(sthlm(2026, 8, 15, 14), ConsentStatus.WITHDRAWN, id="15 Aug 14:00, withdrawn"),
    pytest.param(sthlm(2026, 9, 1, 9), ConsentStatus.WITHDRAWN,
                 id="1 Sep 09:00, withdrawn before it could run out"),
    pytest.param(sthlm(2030, 1, 1), ConsentStatus.WITHDRAWN, id="years later, still withdrawn"),
]  # fmt: skip


@pytest.mark.parametrize(("when", "status"), STATUS_CASES)
def test_consent_status_as_of_an_instant(
    history: Ledger, when: datetime, status: ConsentStatus
) -> None:
    assert history.consent_status(SUBJECT, "newsletter", when) is status
    assert history.has_consent(SUBJECT, "newsletter", when) is status.valid
    assert ("newsletter" in history.consented_purposes(SUBJECT, when)) is status.valid


def test_a_withdrawal_after_consent_ran_out_changes_nothing(ledger: Ledger) -> None:
    _grant(ledger, sthlm(2026, 1, 31, 10), duration="P1M")  # runs out 28 Feb 10:00
    assert ledger.withdraw(SUBJECT, method="settings", at=sthlm(2026, 3, 15)) == ()
    assert ledger.consent_status(SUBJECT, "newsletter", sthlm(2026, 3, 16)) is (
        ConsentStatus.EXPIRED
    )


def test_a_purpose_not_on_consent_was_never_given_consent(ledger: Ledger) -> None:
    assert ledger.consent_status(SUBJECT, "service", sthlm(2026, 3, 1)) is (
        ConsentStatus.NEVER_GIVEN
    )
    with pytest.raises(gk.UnknownPurpose, match="'nope'"):
        ledger.consent_status(SUBJECT, "nope", sthlm(2026, 3, 1))
    with pytest.raises(gk.NaiveDatetimeError, match="at"):
        ledger.consent_status(SUBJECT, "newsletter", datetime(2026, 3, 1))


@pytest.mark.parametrize(
    ("status", "iri"),
    [
        (ConsentStatus.GIVEN, "https://w3id.org/dpv#ConsentGiven"),
        (ConsentStatus.WITHDRAWN, "https://w3id.org/dpv#ConsentWithdrawn"),
        (ConsentStatus.EXPIRED, "https://w3id.org/dpv#ConsentExpired"),
        (ConsentStatus.NEVER_GIVEN, "https://w3id.org/dpv#ConsentUnknown"),
    ],
    ids=lambda v: v.value if isinstance(v, ConsentStatus) else None,
)
def test_consent_status_speaks_dpv(status: ConsentStatus, iri: str) -> None:
    assert status.dpv == iri


def test_consent_status_guards_project(ledger: Ledger) -> None:
    @gk.personal_data(subject="customer", policy=POLICY)
    @attrs.frozen
    class Reader:
        customer_id: str = gk.pd_field(
            category="identity.customer_id", purposes=("service",), identifies=True
        )
        email: str = gk.pd_field(category="contact.email", purposes=("service", "newsletter"))

    reader = Reader(SUBJECT, "anna@example.se")
    _grant(ledger, sthlm(2026, 1, 31, 10), duration="P1M")
    assert gk.project(reader, "newsletter", at=sthlm(2026, 2, 1), guards=[ledger])
    with pytest.raises(gk.ConsentRequired):  # expired: no consent (Art. 6(1)(a))
        gk.project(reader, "newsletter", at=sthlm(2026, 2, 28, 10), guards=[ledger])


# ---------------------------------------------------------------------------
# Restriction scoped to what is contested (Art. 18(1)-(3); issue 13, point 1)
# ---------------------------------------------------------------------------
#
# Elveta's customer C-1042 contests the accuracy of October 2026's meter readings on
# 3 November 2026 (Art. 18(1)(a)). From 3 Nov 09:00 those readings are only stored; every
# other record, and every reading outside October (Stockholm time), goes on as before.

PLACED = sthlm(2026, 11, 3, 9)
OCTOBER = RestrictionScope.period(MeterReading, "read_at", date(2026, 10, 1), date(2026, 11, 1))
UTC_ = ZoneInfo("UTC")


def _reading(read_at: datetime) -> MeterReading:
    return MeterReading(customer_id=SUBJECT, meter_id="M-77", read_at=read_at, kwh=Decimal("1.25"))


def _invoice(invoice_id: str) -> Invoice:
    return Invoice(invoice_id=invoice_id, fiscal_year_end=date(2026, 12, 31), customer_id=SUBJECT,
                   issued_on=date(2026, 10, 31), amount_sek=Decimal("812.50"))  # fmt: skip


@pytest.fixture
def elveta(store: SQLiteStore, audit: AuditLog) -> Ledger:
    """The ledger of Elveta's demo policy, October's readings restricted from 3 Nov 09:00."""
    ledger = Ledger(
        store, demo.policy, pseudonymizer=Pseudonymizer(KEYRING, domain="ledger"), audit=audit
    )
    ledger.restrict(SUBJECT, scope=OCTOBER, at=PLACED,
                    reason="18(1)(a): the customer contests October's readings")  # fmt: skip
    return ledger


SCOPE_CASES = [
    pytest.param(_reading(sthlm(2026, 9, 30, 23, 59)), "allowed",
                 id="reading 30 Sep 23:59 Stockholm: before October, allowed"),
    pytest.param(_reading(sthlm(2026, 10, 1, 0, 0)), "Restricted",
                 id="reading 1 Oct 00:00 Stockholm: the first instant of October, restricted"),
    pytest.param(_reading(datetime(2026, 9, 30, 22, 30, tzinfo=UTC_)), "Restricted",
                 id="reading 30 Sep 22:30 UTC = 1 Oct 00:30 Stockholm (CEST): restricted"),
    pytest.param(_reading(sthlm(2026, 10, 31, 23, 59)), "Restricted",
                 id="reading 31 Oct 23:59 Stockholm (CET after the DST change): restricted"),
    pytest.param(_reading(sthlm(2026, 11, 1, 0, 0)), "allowed",
                 id="reading 1 Nov 00:00 Stockholm: the end is excluded, allowed"),
    pytest.param(_invoice("F-2026-0042"), "allowed",
                 id="an invoice of October: another kind of record, allowed"),
]  # fmt: skip


@pytest.mark.parametrize(("record", "expected"), SCOPE_CASES)
def test_a_scoped_restriction_covers_only_what_is_contested(
    elveta: Ledger, record: object, expected: str
) -> None:
    after = sthlm(2026, 11, 10)
    assert _outcome(lambda: gk.project(record, "contract", at=after, guards=[elveta])) == expected
    # before it was placed, the same use was lawful: the ledger is a history
    before = PLACED - timedelta(minutes=1)
    assert _outcome(lambda: gk.project(record, "contract", at=before, guards=[elveta])) == "allowed"


def _outcome(run: Any) -> str:
    try:
        run()
    except gk.ProcessingRefused as exc:
        return type(exc).__name__
    return "allowed"


def test_restricted_data_is_only_stored_for_every_purpose(elveta: Ledger) -> None:
    reading = _reading(sthlm(2026, 10, 15, 12))
    for purpose in gk.schema_of(MeterReading).purposes:  # contract, analytics, personalisation
        with pytest.raises(gk.Restricted, match=r"Art\. 18") as info:
            gk.project(reading, purpose, at=sthlm(2026, 11, 10), guards=[elveta])
        assert "storage only" in str(info.value) and "ground=" in str(info.value)
        assert SUBJECT not in str(info.value) and "M-77" not in str(info.value)


GROUNDS = [
    pytest.param(gk.RestrictionGround.CONSENT, id="with the subject's consent"),
    pytest.param(gk.RestrictionGround.LEGAL_CLAIMS, id="for legal claims"),
    pytest.param(gk.RestrictionGround.RIGHTS_OF_OTHERS, id="to protect another person's rights"),
    pytest.param(gk.RestrictionGround.PUBLIC_INTEREST, id="for an important public interest"),
]


@pytest.mark.parametrize("ground", GROUNDS)
def test_an_art_18_2_ground_lets_restricted_data_through_and_is_audited(
    elveta: Ledger, audit: AuditLog, ground: gk.RestrictionGround
) -> None:
    reading = _reading(sthlm(2026, 10, 15, 12))
    when = sthlm(2026, 11, 12, 14)
    used = gk.project(reading, "contract", at=when, guards=[elveta], ground=ground)
    assert used["kwh"] == Decimal("1.25")
    entry = list(audit.entries(subject=SUBJECT))[-1]
    assert entry.action == "restriction.processed_on_ground"
    assert entry.details == {"purposes": ["contract"], "ground": ground.value,
                             "article": "18(2)", "kinds": ["MeterReading"],
                             "objection_pending": False}  # fmt: skip
    assert entry.at == "2026-11-12T13:00:00.000000+00:00"  # 14:00 CET is 13:00 UTC
    text = json.dumps(entry.to_dict())
    for personal in (SUBJECT, "M-77", "1.25", "2026-10-15"):
        assert personal not in text
    audit.verify()


def test_a_ground_is_recorded_only_where_it_was_needed(elveta: Ledger, audit: AuditLog) -> None:
    before = len(list(audit.entries(subject=SUBJECT)))
    outside = _reading(sthlm(2026, 9, 15, 12))
    gk.project(outside, "contract", at=sthlm(2026, 11, 12), guards=[elveta],
               ground=gk.RestrictionGround.LEGAL_CLAIMS)  # fmt: skip
    assert len(list(audit.entries(subject=SUBJECT))) == before


def test_a_ground_is_recorded_with_the_instant_of_the_use(elveta: Ledger) -> None:
    reading = _reading(sthlm(2026, 10, 15, 12))
    with pytest.raises(TypeError, match="at="):  # "as things stand" is no instant to audit
        gk.project(reading, "contract", guards=[elveta], ground=gk.RestrictionGround.LEGAL_CLAIMS)
    with pytest.raises(gk.Restricted):
        gk.project(reading, "contract", guards=[elveta])  # as things stand: restricted


def test_a_ground_needs_an_audit_log_and_an_instant(store: SQLiteStore) -> None:
    bare = Ledger(store, demo.policy, pseudonymizer=Pseudonymizer(KEYRING, domain="ledger"))
    bare.restrict(SUBJECT, scope=OCTOBER, at=PLACED, reason="18(1)(a)")
    reading = _reading(sthlm(2026, 10, 15, 12))
    claims = gk.RestrictionGround.LEGAL_CLAIMS
    with pytest.raises(gk.LedgerError, match="audit"):
        gk.project(reading, "contract", at=sthlm(2026, 11, 12), guards=[bare], ground=claims)
    with pytest.raises(gk.Restricted):  # and without a ground, refused as always
        gk.project(reading, "contract", at=sthlm(2026, 11, 12), guards=[bare])


def test_lifting_needs_the_subject_told_first(elveta: Ledger, audit: AuditLog) -> None:
    reading = _reading(sthlm(2026, 10, 15, 12))
    with pytest.raises(gk.SubjectNotInformed, match=r"18\(3\)"):
        elveta.lift_restriction(SUBJECT, scope=OCTOBER, at=sthlm(2026, 11, 20))
    assert elveta.restriction(SUBJECT, sthlm(2026, 11, 21), scope=OCTOBER) is not None
    told = elveta.record_subject_informed(
        SUBJECT, scope=OCTOBER, method="letter: readings verified", at=sthlm(2026, 11, 20, 10)
    )
    assert told.informed_at == sthlm(2026, 11, 20, 10)
    with pytest.raises(gk.LedgerError, match="already"):
        elveta.record_subject_informed(SUBJECT, scope=OCTOBER, method="again",
                                       at=sthlm(2026, 11, 21))  # fmt: skip
    lifted = elveta.lift_restriction(SUBJECT, scope=OCTOBER, at=sthlm(2026, 11, 24, 9))
    assert (lifted.since, lifted.informed_at, lifted.lifted_at) == (
        PLACED, sthlm(2026, 11, 20, 10), sthlm(2026, 11, 24, 9))  # fmt: skip
    assert _outcome(lambda: gk.project(reading, "contract", at=sthlm(2026, 11, 24, 9),
                                       guards=[elveta])) == "allowed"  # fmt: skip
    assert _outcome(lambda: gk.project(reading, "contract", at=sthlm(2026, 11, 24, 8, 59),
                                       guards=[elveta])) == "Restricted"  # fmt: skip
    actions = [e.action for e in audit.entries(subject=SUBJECT)]
    assert actions[-3:] == [
        "restriction.placed", "restriction.subject_informed", "restriction.lifted"]  # fmt: skip
    with pytest.raises(gk.LedgerError, match="no restriction"):
        elveta.lift_restriction(SUBJECT, scope=OCTOBER, at=sthlm(2026, 11, 25))


def test_scoped_and_whole_restrictions_side_by_side(elveta: Ledger) -> None:
    invoice, other = _invoice("F-2026-0042"), _invoice("F-2026-0043")
    disputed = RestrictionScope.records(Invoice, ["F-2026-0042"], key="invoice_id")
    elveta.restrict(SUBJECT, scope=disputed, allowed_purposes=["bookkeeping"],
                    at=sthlm(2026, 11, 5), reason="18(1)(c): needed for the customer's claim")  # fmt: skip
    when = sthlm(2026, 11, 6)
    assert _outcome(lambda: gk.project(invoice, "contract", at=when, guards=[elveta])) == (
        "Restricted"
    )
    assert gk.project(invoice, "bookkeeping", at=when, guards=[elveta])  # allowed by the controller
    assert _outcome(lambda: gk.project(other, "contract", at=when, guards=[elveta])) == "allowed"
    assert [r.scope for r in elveta.restrictions(SUBJECT, when)] == [OCTOBER, disputed]
    assert elveta.restriction(SUBJECT, when) is None  # no restriction of everything
    # the restriction of everything, as before scopes: every record, every kind
    elveta.restrict(SUBJECT, at=sthlm(2026, 11, 7), reason="18(1)(b): erasure opposed")
    whole = elveta.restriction(SUBJECT, sthlm(2026, 11, 8))
    assert whole is not None and whole.scope == RestrictionScope.everything() and whole.scope.whole
    assert _outcome(lambda: gk.project(other, "contract", at=sthlm(2026, 11, 8),
                                       guards=[elveta])) == "Restricted"  # fmt: skip
    assert len(elveta.restrictions(SUBJECT, sthlm(2026, 11, 8))) == 3
    # a new restriction with the same scope replaces the one in force
    elveta.restrict(SUBJECT, scope=disputed, at=sthlm(2026, 11, 9), reason="18(1)(c)")
    replaced = elveta.restriction(SUBJECT, sthlm(2026, 11, 9), scope=disputed)
    assert replaced is not None and replaced.allowed_purposes == frozenset()
    assert len(elveta.restrictions(SUBJECT, sthlm(2026, 11, 9))) == 3


def test_a_restriction_never_moves_a_retention_date(elveta: Ledger) -> None:
    """Art. 18(2) allows storage: a restriction stops use, not the clock of Art. 5(1)(e)."""
    reading = _reading(sthlm(2026, 10, 15, 12))
    facts = {"contract_ended": date(2026, 6, 30)}
    before = retention.evaluate_object(reading, facts, PLACED - timedelta(days=1))
    after_ = retention.evaluate_object(reading, facts, sthlm(2026, 11, 10),
                                       inactive_purposes=elveta.inactive_purposes(
                                           SUBJECT, sthlm(2026, 11, 10)))  # fmt: skip
    assert elveta.inactive_purposes(SUBJECT, sthlm(2026, 11, 10)) == frozenset()
    assert after_ == before  # the same verdicts, field by field
    # 24 months after 30 June 2026, then from the start of the next day (1182/71)
    assert after_["kwh"].expires_at == sthlm(2028, 7, 1)
    whole = elveta.restrict(SUBJECT, at=sthlm(2026, 11, 11), reason="18(1)(b)")
    assert whole.scope.whole
    assert elveta.inactive_purposes(SUBJECT, sthlm(2026, 11, 12)) == frozenset()


SCOPE_ERRORS = [
    pytest.param(lambda: RestrictionScope.period(MeterReading, "read_at", date(2026, 11, 1),
                                                 date(2026, 10, 1)),
                 ValueError, "before end", id="a period that ends before it starts"),
    pytest.param(lambda: RestrictionScope.period(MeterReading, "read_at", date(2026, 10, 1),
                                                 sthlm(2026, 11, 1)),
                 TypeError, "both", id="a date and a datetime mixed"),
    pytest.param(lambda: RestrictionScope.period(MeterReading, "read_at", datetime(2026, 10, 1),
                                                 datetime(2026, 11, 1)),
                 gk.NaiveDatetimeError, "start", id="naive datetimes"),
    pytest.param(lambda: RestrictionScope.period(MeterReading, "taken_at", date(2026, 10, 1),
                                                 date(2026, 11, 1)),
                 gk.LedgerError, "taken_at", id="a field the record kind lacks"),
    pytest.param(lambda: RestrictionScope.records(Invoice, [], key="invoice_id"),
                 ValueError, "at least one", id="no record ids"),
    pytest.param(lambda: RestrictionScope.records(Invoice, "F-1", key="invoice_id"),
                 TypeError, "single string", id="one id as a bare string"),
    pytest.param(lambda: RestrictionScope.of_kind(""), ValueError, "kind", id="an empty kind"),
    pytest.param(lambda: RestrictionScope(key="invoice_id", ids=frozenset({"F-1"})),
                 ValueError, "kind", id="built directly: ids without a kind"),
    pytest.param(lambda: RestrictionScope(kind="Invoice", key="invoice_id"),
                 ValueError, "ids", id="built directly: a key without ids"),
    pytest.param(lambda: RestrictionScope(kind="MeterReading", field="read_at",
                                          start=date(2026, 10, 1)),
                 ValueError, "end=", id="built directly: a period without its end"),
]  # fmt: skip


@pytest.mark.parametrize(("make", "error", "match"), SCOPE_ERRORS)
def test_a_malformed_scope_is_a_typed_error(make: Any, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        make()


def test_a_record_the_scope_cannot_read_is_refused_not_passed(elveta: Ledger) -> None:
    naive = _reading(datetime(2026, 10, 15, 12))
    with pytest.raises(gk.NaiveDatetimeError, match=r"MeterReading\.read_at"):
        gk.project(naive, "contract", at=sthlm(2026, 11, 10), guards=[elveta])
    with pytest.raises(TypeError, match="scope"):
        elveta.restrict(SUBJECT, scope="October", at=sthlm(2026, 11, 10), reason="x")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# Objection to legitimate interests as a decision (Art. 21(1), 18(1)(d), 17(1)(c))
# ---------------------------------------------------------------------------
#
# On 2 Nov 2026 10:00 C-1042 objects to personalisation (legitimate interests, Art.
# 6(1)(f)) on grounds of her particular situation. Elveta assesses it and decides on
# 16 Nov 2026 15:00: either it records compelling legitimate grounds, or it upholds it.

OBJECTED = sthlm(2026, 11, 2, 10)
DECIDED = sthlm(2026, 11, 16, 15)
SCORE = ChurnScore(customer_id=SUBJECT, score=0.31, computed_at=sthlm(2026, 10, 31, 2))
OPEN = {"contract_ended": None}  # the customer relationship goes on


@pytest.fixture
def objected(elveta: Ledger) -> Ledger:
    elveta.object(SUBJECT, "personalisation", at=OBJECTED, grounds="particular situation")
    return elveta


def _decide(ledger: Ledger, decision: str) -> None:
    if decision == "grounds recorded":
        ledger.record_overriding_grounds(
            SUBJECT, "personalisation", at=DECIDED,
            grounds="LIA-3 reviewed: fraud-relevant scoring, compelling grounds",
        )  # fmt: skip
    else:
        ledger.uphold_objection(SUBJECT, "personalisation", at=DECIDED,
                                reason="the subject's situation outweighs the interest")  # fmt: skip


OBJECTION_CASES = [
    pytest.param("grounds recorded", OBJECTED - timedelta(minutes=1), None, "allowed", False,
                 id="before the objection: allowed"),
    pytest.param("grounds recorded", OBJECTED, ObjectionState.PENDING_ASSESSMENT,
                 "ObjectionPending", False,
                 id="pending: restricted (18(1)(d)), not yet erasable (17(1)(c))"),
    pytest.param("grounds recorded", DECIDED - timedelta(minutes=1),
                 ObjectionState.PENDING_ASSESSMENT, "ObjectionPending", False,
                 id="a minute before the decision: still pending"),
    pytest.param("grounds recorded", DECIDED, ObjectionState.OVERRIDDEN, "allowed", False,
                 id="compelling grounds recorded: processing resumes"),
    pytest.param("upheld", DECIDED - timedelta(minutes=1), ObjectionState.PENDING_ASSESSMENT,
                 "ObjectionPending", False, id="before upholding: pending"),
    pytest.param("upheld", DECIDED, ObjectionState.UPHELD, "Objected", True,
                 id="upheld: stops for good, erasable under 17(1)(c)"),
    pytest.param("upheld", sthlm(2027, 6, 1), ObjectionState.UPHELD, "Objected", True,
                 id="months later: still upheld"),
]  # fmt: skip


@pytest.mark.parametrize(("decision", "when", "state", "outcome", "inactive"), OBJECTION_CASES)
def test_an_objection_is_pending_until_the_controller_decides(
    objected: Ledger, decision: str, when: datetime, state: ObjectionState | None,
    outcome: str, inactive: bool,
) -> None:  # fmt: skip
    _decide(objected, decision)
    assert objected.objection_state(SUBJECT, "personalisation", when) is state
    assert _outcome(lambda: gk.project(SCORE, "personalisation", at=when, guards=[objected])) == (
        outcome
    )
    assert ("personalisation" in objected.inactive_purposes(SUBJECT, when)) is inactive
    verdict = retention.evaluate_object(
        SCORE, OPEN, when, inactive_purposes=objected.inactive_purposes(SUBJECT, when)
    )
    expected = retention.Status.EXPIRED if inactive else retention.Status.KEEP
    assert verdict["score"].status is expected


def test_a_pending_objection_is_both_objected_and_restricted(objected: Ledger) -> None:
    with pytest.raises(gk.ObjectionPending) as info:
        gk.project(SCORE, "personalisation", at=OBJECTED, guards=[objected])
    assert isinstance(info.value, gk.Objected) and isinstance(info.value, gk.Restricted)
    assert "18(1)(d)" in str(info.value) and "21(1)" in str(info.value)
    assert SUBJECT not in str(info.value)


def test_while_pending_an_art_18_2_ground_lets_processing_through_and_is_audited(
    objected: Ledger, audit: AuditLog
) -> None:
    when = sthlm(2026, 11, 5, 11)
    assert gk.project(SCORE, "personalisation", at=when, guards=[objected],
                      ground=gk.RestrictionGround.LEGAL_CLAIMS)  # fmt: skip
    entry = list(audit.entries(subject=SUBJECT))[-1]
    assert entry.action == "restriction.processed_on_ground"
    assert entry.details == {"purposes": ["personalisation"], "ground": "legal_claims",
                             "article": "18(2)", "kinds": [], "objection_pending": True}  # fmt: skip
    objected.uphold_objection(SUBJECT, "personalisation", at=DECIDED, reason="upheld")
    with pytest.raises(gk.Objected):  # once upheld, no ground reopens the purpose
        gk.project(SCORE, "personalisation", at=DECIDED, guards=[objected],
                   ground=gk.RestrictionGround.LEGAL_CLAIMS)  # fmt: skip


def test_the_decision_is_kept_as_evidence(objected: Ledger, audit: AuditLog) -> None:
    _decide(objected, "grounds recorded")
    (objection,) = objected.objections(SUBJECT)
    assert objection.overridden_at == DECIDED and objection.upheld_at is None
    assert objection.overriding_grounds is not None and "LIA-3" in objection.overriding_grounds
    assert "LIA-3" not in repr(objection) and "particular" not in repr(objection)
    assert [e.action for e in audit.entries(subject=SUBJECT)][-2:] == [
        "objection.recorded", "objection.overridden"]  # fmt: skip
    # a new objection (a new particular situation) is pending again
    again = objected.object(SUBJECT, "personalisation", at=sthlm(2027, 1, 10))
    assert again.state(sthlm(2027, 1, 10)) is ObjectionState.PENDING_ASSESSMENT
    objected.uphold_objection(SUBJECT, "personalisation", at=sthlm(2027, 1, 20), reason="upheld")
    upheld = objected.objections(SUBJECT)[-1]
    assert (upheld.upheld_at, upheld.upholding_reason) == (sthlm(2027, 1, 20), "upheld")
    assert objected.object(SUBJECT, "personalisation", at=sthlm(2027, 2, 1)) == upheld


def test_direct_marketing_is_absolute_from_the_moment_recorded(elveta: Ledger) -> None:
    objection = elveta.object(SUBJECT, "marketing", at=OBJECTED)
    assert objection.absolute
    assert elveta.objection_state(SUBJECT, "marketing", OBJECTED) is ObjectionState.UPHELD
    assert "marketing" in elveta.inactive_purposes(SUBJECT, OBJECTED)  # 17(1)(c), 21(2)
    with pytest.raises(gk.LedgerError, match=r"21\(3\)"):
        elveta.record_overriding_grounds(SUBJECT, "marketing", at=DECIDED, grounds="we insist")
    with pytest.raises(gk.LedgerError, match=r"21\(3\)"):
        elveta.uphold_objection(SUBJECT, "marketing", at=DECIDED, reason="nothing to assess")


def test_an_objection_to_a_public_task_follows_art_21_1_too(ledger: Ledger) -> None:
    ledger.object(SUBJECT, "registry", at=OBJECTED, grounds="particular situation")
    assert ledger.objection_state(SUBJECT, "registry", OBJECTED) is (
        ObjectionState.PENDING_ASSESSMENT
    )
    assert "registry" not in ledger.inactive_purposes(SUBJECT, OBJECTED)
    ledger.uphold_objection(SUBJECT, "registry", at=DECIDED, reason="no compelling grounds")
    assert "registry" in ledger.inactive_purposes(SUBJECT, DECIDED)


DECISION_ERRORS = [
    pytest.param(False, lambda lg: lg.uphold_objection(SUBJECT, "personalisation", at=DECIDED,
                                                       reason="x"),
                 gk.LedgerError, "pending assessment", id="nothing to uphold"),
    pytest.param(False, lambda lg: lg.uphold_objection(SUBJECT, "contract", at=DECIDED,
                                                       reason="x"),
                 gk.LedgerError, "pending assessment", id="no objection to a contract purpose"),
    pytest.param(True, lambda lg: (_decide(lg, "upheld"), _decide(lg, "upheld")),
                 gk.LedgerError, "latest was upheld", id="upheld twice"),
    pytest.param(True, lambda lg: (_decide(lg, "upheld"), _decide(lg, "grounds recorded")),
                 gk.LedgerError, "latest was upheld", id="grounds after upholding"),
    pytest.param(True, lambda lg: (_decide(lg, "grounds recorded"), _decide(lg, "upheld")),
                 gk.LedgerError, "latest was overridden", id="upheld after grounds"),
    pytest.param(True, lambda lg: lg.uphold_objection(SUBJECT, "personalisation", at=DECIDED,
                                                      reason=" "),
                 ValueError, "reason", id="a blank reason"),
    pytest.param(True, lambda lg: lg.uphold_objection(SUBJECT, "personalisation",
                                                      at=datetime(2026, 11, 16), reason="x"),
                 gk.NaiveDatetimeError, "at", id="a naive instant"),
    pytest.param(True, lambda lg: lg.uphold_objection(SUBJECT, "personalisation",
                                                      at=OBJECTED - timedelta(days=1), reason="x"),
                 gk.LedgerError, "append-only", id="a decision dated before the objection"),
]  # fmt: skip


@pytest.mark.parametrize(("objects_first", "call", "error", "match"), DECISION_ERRORS)
def test_decisions_that_do_not_fit_are_typed_errors(
    elveta: Ledger, objects_first: bool, call: Any, error: type[Exception], match: str
) -> None:
    if objects_first:
        elveta.object(SUBJECT, "personalisation", at=OBJECTED)
    with pytest.raises(error, match=match) as info:
        call(elveta)
    assert SUBJECT not in str(info.value)
