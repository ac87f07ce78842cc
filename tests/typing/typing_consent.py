"""Type-checked, never run: the public types of gdprkit.consent and gdprkit.requests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from typing_extensions import assert_type

import gdprkit as gk
from gdprkit.consent import (
    ConsentEvent,
    ConsentRecord,
    ConsentState,
    ConsentStatus,
    IndicationMethod,
    Ledger,
    Objection,
    ObjectionState,
    Restriction,
    RestrictionScope,
)
from gdprkit.pseudonym import Keyring, Pseudonymizer
from gdprkit.requests import (
    RequestEvent,
    RequestKind,
    RequestRegister,
    RequestState,
    SubjectRequest,
)
from gdprkit.store.sqlite import SQLiteStore
from gdprkit.tagging import Guard
from gdprkit.timecalc import SWEDEN_WITH_EVES, Period

now = datetime(2026, 3, 1, tzinfo=UTC)
store = SQLiteStore.memory()
policy = gk.Policy.from_toml("policy.toml")
ledger = Ledger(store, policy, pseudonymizer=Pseudonymizer(Keyring.generate(), domain="consent"))

# --- consent
TICKED = IndicationMethod.TICKED_BOX
record = ledger.grant(
    "C-1", ["survey"], notice_version="v3", method="form", indication=TICKED, at=now,
    duration=Period(months=12),
)  # fmt: skip
assert_type(record, ConsentRecord)
assert_type(ledger.grant("B-1", ("cookies.analytics",), notice_version="v3", method="dialog",
                         indication=IndicationMethod.CHOSE_SETTINGS, at=now, duration="P13M"),
            ConsentRecord)  # fmt: skip
assert_type(record.indication, IndicationMethod | None)
assert_type(record.events[0].indication, IndicationMethod | None)
assert_type(IndicationMethod.PRE_TICKED_BOX.affirmative, bool)
assert_type(record.events, tuple[ConsentEvent, ...])
assert_type(record.events[0].state, ConsentState)
assert_type(record.events[0].duration, Period | None)
assert_type(record.purpose_ids, tuple[str, ...])
assert_type(record.to_dpv(), dict[str, Any])
assert_type(ledger.withdraw("C-1", method="settings", at=now), tuple[ConsentRecord, ...])
assert_type(
    ledger.withdraw("C-1", ["survey"], method="settings", at=now), tuple[ConsentRecord, ...]
)
assert_type(ledger.renew("C-1", ["survey"], method="link", indication=TICKED, at=now),
            tuple[ConsentRecord, ...])  # fmt: skip
assert_type(ledger.has_consent("C-1", "survey", now), bool)
assert_type(ledger.consent_status("C-1", "survey", now), ConsentStatus)
assert_type(ConsentStatus.EXPIRED.valid, bool)
assert_type(ledger.consented_purposes("C-1", now), frozenset[str])
assert_type(ledger.records("C-1"), tuple[ConsentRecord, ...])
assert_type(ledger.object("C-1", "marketing", at=now), Objection)
assert_type(ledger.record_overriding_grounds("C-1", "crm", at=now, grounds="g"), Objection)
assert_type(ledger.has_objected("C-1", "marketing", now), bool)
assert_type(ledger.uphold_objection("C-1", "crm", at=now, reason="r"), Objection)
assert_type(ledger.objection_state("C-1", "crm", now), ObjectionState | None)
assert_type(ledger.objections("C-1")[0].state(now), ObjectionState | None)
assert_type(ledger.objections("C-1")[0].upheld_at, datetime | None)
assert_type(ObjectionState.UPHELD.erasable, bool)
assert_type(ledger.restrict("C-1", allowed_purposes={"contract"}, at=now, reason="18(1)(a)"),
            Restriction)  # fmt: skip
assert_type(ledger.lift_restriction("C-1", at=now), Restriction)
assert_type(ledger.restriction("C-1", now), Restriction | None)
october = RestrictionScope.period("MeterReading", "read_at", date(2026, 10, 1), date(2026, 11, 1))
assert_type(october, RestrictionScope)
assert_type(RestrictionScope.records("Invoice", ["F-1"], key="invoice_id"), RestrictionScope)
assert_type(RestrictionScope.of_kind("Invoice").whole, bool)
assert_type(ledger.restrict("C-1", scope=october, at=now, reason="18(1)(a)"), Restriction)
assert_type(ledger.record_subject_informed("C-1", scope=october, method="letter", at=now),
            Restriction)  # fmt: skip
assert_type(ledger.lift_restriction("C-1", scope=october, at=now), Restriction)
assert_type(ledger.restriction("C-1", now, scope=october), Restriction | None)
assert_type(ledger.restrictions("C-1", now), tuple[Restriction, ...])
assert_type(ledger.restrictions("C-1", now)[0].scope, RestrictionScope)
assert_type(ledger.restrictions("C-1", now)[0].informed_at, datetime | None)
assert_type(ledger.inactive_purposes("C-1", now), frozenset[str])
assert_type(ledger.allowed_cookies("B-1", now), tuple[gk.CookieDeclaration, ...])
assert_type(ledger.purge_evidence(now, Period(years=3)), int)
guard: Guard = ledger  # the ledger is a project() guard

ledger.grant("C-1", ["survey"], notice_version="v3", method="form", at=now, duration=12)  # type: ignore[arg-type]
ledger.grant("C-1", ["survey"], notice_version="v3", at=now)  # type: ignore[call-arg]
ledger.grant("C-1", ["survey"], notice_version="v3", method="form", at=now, indication="ticked_box")  # type: ignore[arg-type]
ledger.consent_status("C-1", "survey")  # type: ignore[call-arg]
ledger.has_consent("C-1", "survey", date(2026, 3, 1))  # type: ignore[arg-type]
ledger.withdraw("C-1", method="settings")  # type: ignore[call-arg]
ledger.restrict("C-1", allowed_purposes=["contract"], at=now)  # type: ignore[call-arg]
ledger.restrict("C-1", scope="October", at=now, reason="18(1)(a)")  # type: ignore[arg-type]
ledger.record_subject_informed("C-1", at=now)  # type: ignore[call-arg]
ledger.uphold_objection("C-1", "crm", at=now)  # type: ignore[call-arg]
ledger.purge_evidence(now, 3)  # type: ignore[arg-type]

# --- requests
register = RequestRegister(store, calendar=SWEDEN_WITH_EVES)
request = register.receive(RequestKind.ACCESS, "customer", "C-1", received_at=now, channel="e-mail")
assert_type(request, SubjectRequest)
assert_type(request.due, date)
assert_type(request.late_from, datetime)
assert_type(request.state, RequestState)
assert_type(request.history, tuple[RequestEvent, ...])
assert_type(request.kind.article, str)
assert_type(register.verify(request.id, at=now), SubjectRequest)
assert_type(register.complete(request.id, at=now, note="sent"), SubjectRequest)
assert_type(register.refuse(request.id, at=now, reason="unfounded"), SubjectRequest)
assert_type(register.extend(request.id, reason="complex", at=now), SubjectRequest)
assert_type(register.get(request.id), SubjectRequest)
assert_type(register.open_requests(), list[SubjectRequest])
assert_type(register.due(at=now, within=7), list[SubjectRequest])
assert_type(register.overdue(now), list[SubjectRequest])

register.receive("access", "customer", "C-1", received_at=now, channel="web")  # type: ignore[arg-type]
register.refuse(request.id, at=now)  # type: ignore[call-arg]
register.extend(request.id, at=now)  # type: ignore[call-arg]
register.due(now)  # type: ignore[call-arg]
