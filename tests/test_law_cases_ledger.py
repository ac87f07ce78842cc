"""Worked cases of the ledger's decisions, written from the law (LEGAL.md §1.3, §5.3-5.5, §10).

Valid consent and its status at an instant (Art. 4(11), 7, Recital 32; CJEU
C-673/17 Planet49; issue 13, point 7). Expected values are worked out by hand
from the law and the dates, not read from the implementation; every case runs
on a real SQLite store through the public API.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest

import gdprkit as gk
from gdprkit.audit import AuditLog
from gdprkit.consent import ConsentStatus, IndicationMethod, Ledger
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


def test_a_grant_that_does_not_state_its_indication_warns_and_is_recorded(ledger: Ledger) -> None:
    with pytest.warns(DeprecationWarning, match=r"indication=.*4\(11\)"):
        record = ledger.grant(SUBJECT, ["newsletter"], notice_version="n1", method="web form",
                              at=sthlm(2026, 3, 1, 10))  # fmt: skip
    assert record.indication is None
    assert ledger.has_consent(SUBJECT, "newsletter", sthlm(2026, 3, 1, 10))
    with pytest.warns(DeprecationWarning, match="renew"):
        ledger.renew(SUBJECT, ["newsletter"], method="link", at=sthlm(2026, 4, 1))


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
