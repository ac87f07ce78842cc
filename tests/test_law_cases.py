"""Worked legal cases across the public API, written from LEGAL.md, DESIGN.md and the issue texts.

Expected values are hand-computed from the law (Reg. 1182/71, Lag (1989:253),
Bokföringslagen 7 kap. 2 §, GDPR Art. 12, 15, 17, 20, 21, 7), not read from
the implementation. Only the public API is used.
"""

from __future__ import annotations

import contextlib
import copy
import json
import sqlite3
import zipfile
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest

import gdprkit as gk
from gdprkit import anonymize, pseudonym, retention, rights, timecalc
from gdprkit.audit import AuditLog
from gdprkit.consent import Ledger
from gdprkit.requests import RequestKind, RequestRegister, RequestState
from gdprkit.store.sqlite import SQLiteStore

ROOT = Path(__file__).resolve().parent.parent
POLICY_PATH = ROOT / "examples" / "elveta" / "policy.toml"
STHLM = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=STHLM)
TICKED = gk.consent.IndicationMethod.TICKED_BOX


@pytest.fixture(scope="module")
def policy() -> gk.Policy:
    return gk.Policy.from_toml(POLICY_PATH)


# ---------------------------------------------------------------------------
# Art. 12(3) response deadlines (R3, R4; LEGAL.md §2; issue 3)
# ---------------------------------------------------------------------------

DEFAULT_CASES = [
    # issue 3 examples
    (date(2026, 3, 10), date(2026, 4, 10)),
    (date(2026, 1, 31), date(2026, 3, 2)),  # 28 Feb 2026 is a Saturday
    (date(2026, 5, 6), date(2026, 6, 8)),  # 6 June National Day (Sat), 7 June Sunday
    # clamping to the month's last day
    (date(2026, 1, 30), date(2026, 3, 2)),  # raw 28 Feb (Sat)
    (date(2028, 1, 31), date(2028, 2, 29)),  # leap year, Tuesday
    (date(2027, 1, 29), date(2027, 3, 1)),  # raw 28 Feb 2027 (Sun)
    (date(2026, 3, 31), date(2026, 4, 30)),  # clamp to 30 April, Thursday
    (date(2026, 8, 31), date(2026, 9, 30)),  # Wednesday
    # receipt on a weekend still counts from that day
    (date(2026, 3, 14), date(2026, 4, 14)),  # Sat -> Tue
    (date(2026, 3, 15), date(2026, 4, 15)),  # Sun -> Wed
    # weekend roll-forward
    (date(2026, 2, 11), date(2026, 3, 11)),  # Wednesday
    (date(2026, 6, 12), date(2026, 7, 13)),  # raw 12 July (Sun) -> Mon
    (date(2026, 6, 11), date(2026, 7, 13)),  # raw 11 July (Sat) -> Mon
    # Easter 2026: Good Friday 3 Apr, Easter Monday 6 Apr
    (date(2026, 3, 3), date(2026, 4, 7)),  # raw Good Friday -> Sat, Sun, Easter Monday -> Tue
    (date(2026, 3, 6), date(2026, 4, 7)),  # raw Easter Monday -> Tue
    (date(2026, 3, 2), date(2026, 4, 2)),  # Maundy Thursday is a working day
    # Easter 2027: Good Friday 26 Mar, Easter Monday 29 Mar
    (date(2027, 2, 26), date(2027, 3, 30)),
    (date(2027, 2, 28), date(2027, 3, 30)),  # raw 28 Mar (Easter Sunday) -> Mon holiday -> Tue
    # Easter 2028: Good Friday 14 Apr, Easter Monday 17 Apr
    (date(2028, 3, 14), date(2028, 4, 18)),
    (date(2028, 3, 17), date(2028, 4, 18)),
    # Easter 2029: Good Friday 30 Mar, Easter Monday 2 Apr
    (date(2029, 2, 28), date(2029, 3, 28)),  # Wed, no holiday
    (date(2029, 3, 2), date(2029, 4, 3)),  # raw 2 Apr Easter Monday -> Tue
    # Easter 2030: Good Friday 19 Apr, Easter Monday 22 Apr
    (date(2030, 3, 19), date(2030, 4, 23)),
    (date(2030, 3, 22), date(2030, 4, 23)),
    # Ascension Day (Easter + 39)
    (date(2026, 4, 14), date(2026, 5, 15)),  # 14 May 2026
    (date(2027, 4, 6), date(2027, 5, 7)),  # 6 May 2027
    (date(2028, 4, 25), date(2028, 5, 26)),  # 25 May 2028
    (date(2029, 4, 10), date(2029, 5, 11)),  # 10 May 2029
    (date(2030, 4, 30), date(2030, 5, 31)),  # 30 May 2030
    # Whit Monday is NOT a holiday since 2005
    (date(2026, 4, 25), date(2026, 5, 25)),  # Mon 25 May 2026 = annandag pingst
    (date(2028, 5, 5), date(2028, 6, 5)),  # Mon 5 June 2028 = annandag pingst
    # National Day 6 June
    (date(2028, 5, 6), date(2028, 6, 7)),  # Tue -> Wed
    (date(2029, 5, 6), date(2029, 6, 7)),  # Wed -> Thu
    (date(2030, 5, 6), date(2030, 6, 7)),  # Thu -> Fri
    (date(2027, 5, 6), date(2027, 6, 7)),  # Sun -> Mon
    # 1 May
    (date(2029, 4, 1), date(2029, 5, 2)),  # Tue -> Wed
    (date(2030, 4, 1), date(2030, 5, 2)),  # Wed -> Thu
    # New Year's Day, Epiphany
    (date(2026, 12, 1), date(2027, 1, 4)),  # Fri 1 Jan -> Mon
    (date(2027, 12, 6), date(2028, 1, 7)),  # Thu 6 Jan -> Fri
    (date(2029, 12, 1), date(2030, 1, 2)),  # Tue 1 Jan -> Wed
    (date(2029, 12, 6), date(2030, 1, 7)),  # Sun 6 Jan -> Mon
    # Christmas Day, Boxing Day
    (date(2028, 11, 25), date(2028, 11, 27) + timedelta(days=30)),  # Mon 25 Dec, Tue 26 -> Wed 27
    (date(2029, 11, 25), date(2029, 12, 27)),  # Tue 25, Wed 26 -> Thu 27
    # Midsummer Day / All Saints' Day are Saturdays (weekend anyway)
    (date(2026, 5, 20), date(2026, 6, 22)),  # raw 20 June 2026 (Midsummer Day) -> Mon
    (date(2027, 10, 6), date(2027, 11, 8)),  # raw 6 Nov 2027 (All Saints) -> Mon
    # eves are working days by default (R4)
    (date(2026, 5, 19), date(2026, 6, 19)),  # Midsummer Eve 2026 (Fri)
    (date(2027, 5, 25), date(2027, 6, 25)),  # Midsummer Eve 2027 (Fri)
    (date(2026, 11, 24), date(2026, 12, 24)),  # Christmas Eve 2026 (Thu)
    (date(2029, 11, 30), date(2029, 12, 31)),  # LEGAL.md §2.3: raw Sun 30 Dec -> Mon 31 Dec
    (date(2026, 11, 30), date(2026, 12, 30)),  # Wed
]


@pytest.mark.parametrize(("received", "due"), DEFAULT_CASES)
def test_response_deadline_default_calendar(received: date, due: date) -> None:
    assert timecalc.response_deadline(received) == due


EVES_CASES = [
    (date(2026, 5, 19), date(2026, 6, 22)),  # Midsummer Eve Fri -> Sat (Midsummer Day), Sun -> Mon
    (date(2027, 5, 25), date(2027, 6, 28)),
    (date(2026, 11, 24), date(2026, 12, 28)),  # Christmas Eve Thu, 25, 26 Sat, 27 Sun -> Mon 28
    (date(2029, 11, 30), date(2030, 1, 2)),  # LEGAL.md §2.3
    (date(2026, 3, 10), date(2026, 4, 10)),  # unchanged away from the eves
    (date(2026, 1, 31), date(2026, 3, 2)),
]


@pytest.mark.parametrize(("received", "due"), EVES_CASES)
def test_response_deadline_with_eves(received: date, due: date) -> None:
    assert timecalc.response_deadline(received, calendar=timecalc.SWEDEN_WITH_EVES) == due
    cal = timecalc.SwedishCalendar(eves_as_holidays=True)
    assert timecalc.response_deadline(received, calendar=cal) == due


EXTENDED_CASES = [
    (date(2026, 1, 31), date(2026, 4, 30)),  # three months in all (LEGAL.md §2.4)
    (date(2026, 3, 10), date(2026, 6, 10)),
    (date(2026, 3, 6), date(2026, 6, 8)),  # raw 6 June (Sat, National Day) -> Mon
    (date(2026, 11, 30), date(2027, 3, 1)),  # clamp 28 Feb 2027 (Sun) -> Mon 1 Mar
    (date(2027, 11, 30), date(2028, 2, 29)),  # leap year, Tue
    (date(2029, 9, 30), date(2029, 12, 31)),  # raw Sun 30 Dec -> Mon 31 Dec
    (date(2026, 1, 6), date(2026, 4, 7)),  # raw 6 April Easter Monday -> Tue
]


@pytest.mark.parametrize(("received", "due"), EXTENDED_CASES)
def test_response_deadline_extended(received: date, due: date) -> None:
    assert timecalc.response_deadline(received, extended=True) == due


def test_extended_with_eves_nyarsafton() -> None:
    assert timecalc.response_deadline(
        date(2029, 9, 30), extended=True, calendar=timecalc.SWEDEN_WITH_EVES
    ) == date(2030, 1, 2)


def test_response_deadline_uses_stockholm_local_receipt_date() -> None:
    # 23:30 UTC on 9 March is 00:30 on 10 March in Stockholm
    received = datetime(2026, 3, 9, 23, 30, tzinfo=UTC)
    assert timecalc.response_deadline(received) == date(2026, 4, 10)
    # 22:30 UTC on 31 March 2026 is 00:30 CEST on 1 April
    assert timecalc.response_deadline(datetime(2026, 3, 31, 22, 30, tzinfo=UTC)) == date(
        2026, 5, 4
    )  # 1 May (Fri, holiday), Sat, Sun -> Mon 4 May


def test_response_deadline_rejects_naive_datetime() -> None:
    with pytest.raises(gk.NaiveDatetimeError):
        timecalc.response_deadline(datetime(2026, 3, 10, 12, 0))


def test_response_late_from_is_midnight_after_due() -> None:
    late = timecalc.response_late_from(date(2026, 3, 10))
    assert late == datetime(2026, 4, 11, 0, 0, tzinfo=STHLM)
    assert late.utcoffset() == timedelta(hours=2)


SWEDISH_HOLIDAYS = {
    2026: [
        date(2026, 1, 1), date(2026, 1, 6), date(2026, 4, 3), date(2026, 4, 5),
        date(2026, 4, 6), date(2026, 5, 1), date(2026, 5, 14), date(2026, 5, 24),
        date(2026, 6, 6), date(2026, 6, 20), date(2026, 10, 31), date(2026, 12, 25),
        date(2026, 12, 26),
    ],
    2027: [
        date(2027, 1, 1), date(2027, 1, 6), date(2027, 3, 26), date(2027, 3, 28),
        date(2027, 3, 29), date(2027, 5, 1), date(2027, 5, 6), date(2027, 5, 16),
        date(2027, 6, 6), date(2027, 6, 26), date(2027, 11, 6), date(2027, 12, 25),
        date(2027, 12, 26),
    ],
    2028: [
        date(2028, 1, 1), date(2028, 1, 6), date(2028, 4, 14), date(2028, 4, 16),
        date(2028, 4, 17), date(2028, 5, 1), date(2028, 5, 25), date(2028, 6, 4),
        date(2028, 6, 6), date(2028, 6, 24), date(2028, 11, 4), date(2028, 12, 25),
        date(2028, 12, 26),
    ],
    2029: [
        date(2029, 1, 1), date(2029, 1, 6), date(2029, 3, 30), date(2029, 4, 1),
        date(2029, 4, 2), date(2029, 5, 1), date(2029, 5, 10), date(2029, 5, 20),
        date(2029, 6, 6), date(2029, 6, 23), date(2029, 11, 3), date(2029, 12, 25),
        date(2029, 12, 26),
    ],
    2030: [
        date(2030, 1, 1), date(2030, 1, 6), date(2030, 4, 19), date(2030, 4, 21),
        date(2030, 4, 22), date(2030, 5, 1), date(2030, 5, 30), date(2030, 6, 9),
        date(2030, 6, 6), date(2030, 6, 22), date(2030, 11, 2), date(2030, 12, 25),
        date(2030, 12, 26),
    ],
}  # fmt: skip

EVES = {
    2026: [date(2026, 6, 19), date(2026, 12, 24), date(2026, 12, 31)],
    2027: [date(2027, 6, 25), date(2027, 12, 24), date(2027, 12, 31)],
    2028: [date(2028, 6, 23), date(2028, 12, 24), date(2028, 12, 31)],
    2029: [date(2029, 6, 22), date(2029, 12, 24), date(2029, 12, 31)],
    2030: [date(2030, 6, 21), date(2030, 12, 24), date(2030, 12, 31)],
}


@pytest.mark.parametrize("year", sorted(SWEDISH_HOLIDAYS))
def test_swedish_public_holidays(year: int) -> None:
    cal = timecalc.SWEDEN
    listed = {h.day for h in cal.holidays(year)}
    for d in SWEDISH_HOLIDAYS[year]:
        assert cal.is_holiday(d), d
        if d.weekday() != 6:  # Sundays may or may not be listed by name
            assert d in listed, d
    for d in EVES[year]:
        if d.weekday() == 6:  # an eve on a Sunday is a holiday as a Sunday
            continue
        assert not cal.is_holiday(d), d
        assert timecalc.SWEDEN_WITH_EVES.is_holiday(d), d
    # Whit Monday is an ordinary working day (replaced by National Day in 2005)
    whit_monday = timecalc.easter_sunday(year) + timedelta(days=50)
    assert not cal.is_holiday(whit_monday) or whit_monday == date(year, 6, 6)
    assert timecalc.is_working_day(whit_monday) or whit_monday == date(year, 6, 6)
    # listed non-Sunday holidays are exactly the expected ones
    expected = {d for d in SWEDISH_HOLIDAYS[year] if d.weekday() != 6}
    assert {d for d in listed if d.weekday() != 6} == expected


def test_easter_sunday() -> None:
    assert [timecalc.easter_sunday(y) for y in range(2026, 2031)] == [
        date(2026, 4, 5), date(2027, 3, 28), date(2028, 4, 16), date(2029, 4, 1),
        date(2030, 4, 21),
    ]  # fmt: skip


def test_saturday_is_not_working_day_and_eve_is() -> None:
    assert not timecalc.is_working_day(date(2026, 3, 14))
    assert timecalc.is_working_day(date(2026, 6, 19))  # midsommarafton
    assert not timecalc.is_working_day(date(2026, 6, 19), timecalc.SWEDEN_WITH_EVES)
    assert timecalc.next_working_day(date(2026, 4, 3)) == date(2026, 4, 7)


# ---------------------------------------------------------------------------
# Periods, 1182/71 date facts, DST (issue 3)
# ---------------------------------------------------------------------------


def test_period_month_end_clamping() -> None:
    assert timecalc.Period(months=1).add_to(date(2026, 1, 31)) == date(2026, 2, 28)
    assert timecalc.Period(years=1).add_to(date(2028, 2, 29)) == date(2029, 2, 28)
    assert timecalc.Period(months=1).add_to(date(2028, 1, 31)) == date(2028, 2, 29)
    assert timecalc.Period(years=7).add_to(date(2025, 12, 31)) == date(2032, 12, 31)


def test_negative_period_rejected() -> None:
    with pytest.raises((gk.GdprkitError, ValueError)):
        timecalc.Period(months=-1)
    with pytest.raises((gk.GdprkitError, ValueError)):
        retention.after("x", days=-1)


@pytest.mark.parametrize(
    ("event", "kwargs", "erasable_from"),
    [
        (date(2026, 3, 10), {"months": 1}, datetime(2026, 4, 11, tzinfo=STHLM)),
        (date(2026, 1, 30), {"months": 1}, datetime(2026, 3, 1, tzinfo=STHLM)),
        (date(2026, 1, 31), {"months": 1}, datetime(2026, 3, 1, tzinfo=STHLM)),
        (date(2026, 1, 29), {"months": 1}, datetime(2026, 3, 1, tzinfo=STHLM)),
        (date(2028, 1, 31), {"months": 1}, datetime(2028, 3, 1, tzinfo=STHLM)),
        (date(2028, 2, 29), {"years": 1}, datetime(2029, 3, 1, tzinfo=STHLM)),
        (date(2026, 3, 10), {"days": 1}, datetime(2026, 3, 12, tzinfo=STHLM)),
        (date(2026, 3, 28), {"days": 1}, datetime(2026, 3, 30, tzinfo=STHLM)),
        (date(2026, 10, 24), {"days": 1}, datetime(2026, 10, 26, tzinfo=STHLM)),
        (date(2026, 8, 31), {"months": 3}, datetime(2026, 12, 1, tzinfo=STHLM)),
        (date(2024, 5, 31), {"months": 24}, datetime(2026, 6, 1, tzinfo=STHLM)),
    ],
)
def test_date_fact_periods_per_1182_71(
    event: date, kwargs: dict[str, int], erasable_from: datetime
) -> None:
    rule = retention.after("ev", **kwargs)
    v = retention.evaluate(rule, {"ev": event}, erasable_from, tz=STHLM)
    assert v.status is retention.Status.EXPIRED
    assert v.expires_at == erasable_from
    assert v.expires_at.utcoffset() == erasable_from.utcoffset()
    before = retention.evaluate(
        rule, {"ev": event}, erasable_from - timedelta(microseconds=1), tz=STHLM
    )
    assert before.status is retention.Status.KEEP
    assert before.expires_at == erasable_from
    assert timecalc.period_end(event, timecalc.Period(**kwargs), tz=STHLM) == erasable_from


def test_datetime_fact_keeps_wall_clock_across_dst() -> None:
    # spring forward: 2026-03-29 02:00 CET -> 03:00 CEST
    ev = datetime(2026, 3, 28, 12, 0, tzinfo=STHLM)
    v = retention.evaluate(retention.after("ev", days=1), {"ev": ev}, NOW, tz=STHLM)
    assert v.expires_at == datetime(2026, 3, 29, 12, 0, tzinfo=STHLM)
    assert v.expires_at.astimezone(UTC) - ev.astimezone(UTC) == timedelta(hours=23)
    # given in UTC: still wall clock in the policy's zone
    ev_utc = datetime(2026, 3, 28, 11, 0, tzinfo=UTC)
    v = retention.evaluate(retention.after("ev", days=1), {"ev": ev_utc}, NOW, tz=STHLM)
    assert v.expires_at == datetime(2026, 3, 29, 10, 0, tzinfo=UTC)
    # fall back: 2026-10-25 03:00 CEST -> 02:00 CET
    ev = datetime(2026, 10, 24, 12, 0, tzinfo=STHLM)
    v = retention.evaluate(retention.after("ev", days=1), {"ev": ev}, NOW, tz=STHLM)
    assert v.expires_at == datetime(2026, 10, 25, 12, 0, tzinfo=STHLM)
    assert v.expires_at.astimezone(UTC) - ev.astimezone(UTC) == timedelta(hours=25)
    # months across DST
    ev = datetime(2026, 3, 10, 9, 30, tzinfo=STHLM)
    v = retention.evaluate(retention.after("ev", months=1), {"ev": ev}, NOW, tz=STHLM)
    assert v.expires_at == datetime(2026, 4, 10, 9, 30, tzinfo=STHLM)


# ---------------------------------------------------------------------------
# Bokföringslagen 7 kap. 2 § (R9, LEGAL.md §7)
# ---------------------------------------------------------------------------

BFL = retention.after("fiscal_year_end", years=7, align="year")


@pytest.mark.parametrize(
    ("fy_end", "erasable_year"),
    [
        (date(2025, 12, 31), 2033),  # issue 3
        (date(2026, 6, 30), 2034),  # FY 2025-07-01..2026-06-30 (LEGAL.md: kept until 2033-12-31)
        (date(2009, 6, 30), 2017),  # dagbokenab example
        (date(2009, 12, 31), 2017),
        (date(2024, 4, 30), 2032),
        (date(2027, 8, 31), 2035),
        (date(2028, 2, 29), 2036),
        (date(2026, 1, 31), 2034),
    ],
)
def test_bokforingslagen_release_date(fy_end: date, erasable_year: int) -> None:
    release = datetime(erasable_year, 1, 1, tzinfo=STHLM)
    v = retention.evaluate(BFL, {"fiscal_year_end": fy_end}, release, tz=STHLM)
    assert v.status is retention.Status.EXPIRED
    assert v.expires_at == release  # never moved by weekday/holiday (1 Jan is nyårsdagen)
    last = datetime(erasable_year - 1, 12, 31, 23, 59, 59, tzinfo=STHLM)
    assert retention.evaluate(BFL, {"fiscal_year_end": fy_end}, last, tz=STHLM).status is (
        retention.Status.KEEP
    )


def test_bokforingslagen_from_policy(policy: gk.Policy) -> None:
    p = policy.purposes["bookkeeping"]
    assert p.basis is gk.LegalBasis.LEGAL_OBLIGATION
    assert p.legal_reference == "Bokföringslagen (1999:1078) 7 kap. 2 §"
    rule = p.retention
    v = retention.evaluate(rule, {"fiscal_year_end": date(2025, 12, 31)}, NOW, tz=policy.timezone)
    assert v.status is retention.Status.KEEP
    assert v.expires_at == datetime(2033, 1, 1, tzinfo=STHLM)


# ---------------------------------------------------------------------------
# Verdicts: UNKNOWN, holds, naive datetimes, cutoff agreement
# ---------------------------------------------------------------------------


def test_missing_fact_is_unknown() -> None:
    v = retention.evaluate(BFL, {}, NOW, tz=STHLM)
    assert v.status is retention.Status.UNKNOWN
    assert v.missing == ("fiscal_year_end",)
    assert v.expires_at is None
    # max_of with one expired and one unknown is never EXPIRED
    r = retention.max_of(retention.after("a", days=1), retention.after("b", days=1))
    v = retention.evaluate(r, {"a": date(2020, 1, 1)}, NOW, tz=STHLM)
    assert v.status is retention.Status.UNKNOWN
    assert "b" in v.missing
    # while_active: event absent -> unknown
    v = retention.evaluate(retention.while_active("contract_ended"), {}, NOW, tz=STHLM)
    assert v.status is retention.Status.UNKNOWN


def test_min_of_with_missing_fact_never_keeps_silently() -> None:
    r = retention.min_of(retention.after("a", days=1), retention.after("b", days=1))
    v = retention.evaluate(r, {"a": date(2020, 1, 1)}, NOW, tz=STHLM)
    assert v.status in (retention.Status.EXPIRED, retention.Status.UNKNOWN)


def test_while_active_hands_over() -> None:
    r = retention.while_active("contract_ended", retention.after("contract_ended", months=24))
    assert retention.evaluate(r, {"contract_ended": None}, NOW, tz=STHLM).status is (
        retention.Status.KEEP
    )
    v = retention.evaluate(r, {"contract_ended": date(2026, 3, 31)}, NOW, tz=STHLM)
    assert v.status is retention.Status.KEEP
    assert v.expires_at == datetime(2028, 4, 1, tzinfo=STHLM)
    v = retention.evaluate(r, {"contract_ended": date(2024, 3, 31)}, NOW, tz=STHLM)
    assert v.status is retention.Status.EXPIRED


def test_legal_hold_overrides_expiry() -> None:
    facts = {"fiscal_year_end": date(2015, 12, 31)}
    later = datetime(2030, 1, 1, tzinfo=STHLM)
    assert retention.evaluate(BFL, facts, later, tz=STHLM).status is retention.Status.EXPIRED
    hold = retention.LegalHold(
        reason="debt collection",
        reference="Art. 17(3)(e)",
        placed_at=datetime(2026, 1, 1, tzinfo=STHLM),
    )
    assert (
        retention.evaluate(BFL, facts, later, tz=STHLM, holds=[hold]).status
        is retention.Status.HELD
    )
    lifted = attrs.evolve(hold, lifted_at=datetime(2027, 1, 1, tzinfo=STHLM))
    assert retention.evaluate(BFL, facts, later, tz=STHLM, holds=[lifted]).status is (
        retention.Status.EXPIRED
    )
    # a hold placed after `now` is not yet active
    future = attrs.evolve(hold, placed_at=datetime(2031, 1, 1, tzinfo=STHLM))
    assert retention.evaluate(BFL, facts, later, tz=STHLM, holds=[future]).status is (
        retention.Status.EXPIRED
    )


def test_sweep_respects_holds_per_subject() -> None:
    rows = [
        {"id": 1, "subject": "A", "fiscal_year_end": date(2015, 12, 31)},
        {"id": 2, "subject": "B", "fiscal_year_end": date(2015, 12, 31)},
        {"id": 3, "subject": "B", "fiscal_year_end": date(2025, 12, 31)},
        {"id": 4, "subject": "C"},
    ]
    hold = retention.LegalHold(
        reason="dispute",
        reference="Art. 17(3)(e)",
        placed_at=datetime(2026, 1, 1, tzinfo=STHLM),
        subject="A",
    )
    out = {
        r["id"]: s
        for r, s in retention.sweep(
            iter(rows), BFL, NOW, tz=STHLM, holds=[hold], subject=lambda r: r["subject"]
        )
    }
    assert out == {
        1: retention.Status.HELD,
        2: retention.Status.EXPIRED,
        3: retention.Status.KEEP,
        4: retention.Status.UNKNOWN,
    }


@pytest.mark.parametrize(
    "call",
    [
        lambda n: retention.evaluate(BFL, {"fiscal_year_end": date(2025, 12, 31)}, n, tz=STHLM),
        lambda n: retention.cutoff(BFL, n, tz=STHLM),
        lambda n: retention.evaluate(
            retention.after("e", days=1), {"e": datetime(2026, 1, 1, 10)}, NOW, tz=STHLM
        ),
        lambda n: list(retention.sweep([{"fiscal_year_end": date(2020, 1, 1)}], BFL, n, tz=STHLM)),
        lambda n: retention.LegalHold(reason="x", reference="y", placed_at=n),
        lambda n: timecalc.response_late_from(n),
        lambda n: retention.sql_predicate(BFL, n, tz=STHLM, column="fy"),
    ],
)
def test_naive_datetimes_rejected_in_retention(call: Any) -> None:
    with pytest.raises(gk.NaiveDatetimeError):
        call(datetime(2026, 11, 25, 10, 0))


@pytest.mark.parametrize(
    "rule",
    [
        retention.after("e", months=1),
        retention.after("e", years=7, align="year"),
        retention.after("e", months=3, align="month"),
        retention.after("e", days=10),
        retention.max_of(retention.after("e", months=1), retention.after("e", days=40)),
        retention.min_of(retention.after("e", months=1), retention.after("e", days=25)),
        retention.while_active("e", retention.after("e", months=24)),
    ],
)
def test_cutoff_agrees_with_evaluate_on_dates(rule: retention.Rule) -> None:
    start = date(2024, 12, 1)
    events = [start + timedelta(days=i) for i in range(500)]
    for now in [
        datetime(2025, 3, 1, tzinfo=STHLM),
        datetime(2025, 3, 1, 0, 0, tzinfo=STHLM) - timedelta(microseconds=1),
        datetime(2025, 2, 28, 23, 30, tzinfo=STHLM),
        datetime(2025, 3, 31, 12, 0, tzinfo=STHLM),
        datetime(2026, 1, 1, tzinfo=STHLM),
        datetime(2032, 6, 1, tzinfo=STHLM),
    ]:
        t = retention.cutoff(rule, now, tz=STHLM)
        for ev in events:
            expired = (
                retention.evaluate(rule, {"e": ev}, now, tz=STHLM).status
                is retention.Status.EXPIRED
            )
            by_cut = t is not None and datetime.combine(ev, datetime.min.time(), STHLM) < t
            assert expired == by_cut, (rule, now, ev, t)


def test_sql_predicate_deletes_exactly_expired_rows() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE inv (id INTEGER, fy TEXT)")
    fys = [
        date(2015, 12, 31),
        date(2024, 12, 31),
        date(2025, 6, 30),
        date(2018, 12, 31),
        date(2019, 1, 1),
    ]
    conn.executemany(
        "INSERT INTO inv VALUES (?, ?)", [(i, d.isoformat()) for i, d in enumerate(fys)]
    )
    now = datetime(2026, 1, 1, tzinfo=STHLM)
    sql, params = retention.sql_predicate(BFL, now, tz=STHLM, column="fy")
    got = {r[0] for r in conn.execute(f"SELECT id FROM inv WHERE {sql}", params)}
    want = {
        i for i, d in enumerate(fys)
        if retention.evaluate(BFL, {"fiscal_year_end": d}, now, tz=STHLM).status is retention.Status.EXPIRED
    }  # fmt: skip
    assert want == {0, 3}
    assert got == want


# ---------------------------------------------------------------------------
# Vocabulary (issue 2, R12)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "article", "dpv", "gdpr", "objectable", "withdrawable"),
    [
        ("CONSENT", "6(1)(a)", "Consent", "A6-1-a", False, True),
        ("CONTRACT", "6(1)(b)", "Contract", "A6-1-b", False, False),
        ("LEGAL_OBLIGATION", "6(1)(c)", "LegalObligation", "A6-1-c", False, False),
        ("VITAL_INTERESTS", "6(1)(d)", "VitalInterest", "A6-1-d", False, False),
        ("PUBLIC_TASK", "6(1)(e)", None, "A6-1-e", True, False),
        ("LEGITIMATE_INTERESTS", "6(1)(f)", "LegitimateInterest", "A6-1-f", True, False),
    ],
)
def test_legal_basis(
    name: str, article: str, dpv: str | None, gdpr: str, objectable: bool, withdrawable: bool
) -> None:
    b = gk.LegalBasis[name]
    assert b.article == article
    if dpv is not None:
        assert b.dpv == "https://w3id.org/dpv#" + dpv
    assert b.dpv.startswith("https://w3id.org/dpv#")
    assert b.dpv_gdpr == "https://w3id.org/dpv/legal/eu/gdpr#" + gdpr
    assert b.objectable is objectable
    assert b.withdrawable is withdrawable
    assert b.label("en") and b.label("sv") and b.label("en") != b.label("sv")


def test_legal_basis_contract_names() -> None:
    assert gk.LegalBasis.CONSENT.article == "6(1)(a)"
    assert gk.LegalBasis.CONSENT.dpv == "https://w3id.org/dpv#Consent"
    assert {o.name for o in gk.Origin} == {"PROVIDED", "OBSERVED", "DERIVED", "THIRD_PARTY"}
    assert len(list(gk.Art9Condition)) == 10
    assert gk.Art9Condition.EXPLICIT_CONSENT.dpv == "https://w3id.org/dpv/legal/eu/gdpr#A9-2-a"


def test_data_category_hierarchy() -> None:
    email = gk.DataCategory("contact.email")
    contact = gk.DataCategory("contact")
    assert email.is_within(contact)
    assert not contact.is_within(email)
    assert not gk.DataCategory("contact.phone").is_within(email)
    assert email.parent == contact


def test_special_category_without_condition_refused(policy: gk.Policy) -> None:
    with pytest.raises(gk.PolicyError) as err:

        @gk.personal_data(subject="customer", policy=policy)
        @attrs.frozen
        class Equipment:
            customer_id: str = gk.pd_field(
                category="identity.customer_id", purposes=("contract",), identifies=True
            )
            oxygen: bool = gk.pd_field(
                category="equipment", purposes=("contract",), special="health"
            )

    assert "oxygen" in str(err.value)
    assert "9(2)" in str(err.value)

    # with explicit consent condition it is accepted
    @gk.personal_data(subject="customer", policy=policy)
    @attrs.frozen
    class Equipment2:
        customer_id: str = gk.pd_field(
            category="identity.customer_id", purposes=("contract",), identifies=True
        )
        oxygen: bool = gk.pd_field(
            category="equipment", purposes=("contract",), special="health", condition="9(2)(a)"
        )

    assert "oxygen" in gk.schema_of(Equipment2).fields_for("contract")


def test_tag_errors_name_class_and_field(policy: gk.Policy) -> None:
    with pytest.raises(gk.PolicyError) as err:

        @gk.personal_data(subject="customer", policy=policy)
        @attrs.frozen
        class Bad:
            a: str = gk.pd_field(category="contact.email", purposes=("nosuchpurpose",))
            b: str = gk.pd_field(category="no.such.category", purposes=("contract",))
            c: str = gk.pd_field(
                category="identity.customer_id", purposes=("analytics",), identifies=True
            )

    msg = str(err.value)
    assert "Bad.a" in msg and "nosuchpurpose" in msg
    assert "Bad.b" in msg and "no.such.category" in msg
    assert "Bad.c" in msg and "analytics" in msg


# ---------------------------------------------------------------------------
# Policy errors (issue 2): file + key path, every problem
# ---------------------------------------------------------------------------

BAD_TOML = """
[policy]
version = "1"
effective = "2026-13-01"
timezone = "Europe/Stokholm"
languages = ["sv", "en"]

[controller]
name = "X AB"
email = "x@example.se"
address = "Stockholm"

[authority]
name.sv = "IMY"
name.en = "IMY"
website = "https://www.imy.se/"

[rights]
contact = "x@example.se"
automated_decisions.sv = "Inga."
automated_decisions.en = "None."
security_measures.sv = "K."
security_measures.en = "E."

[subjects.customer]
name.sv = "Kunder"
name.en = "Customers"

[purposes.books]
name.sv = "B"
name.en = "B"
description.sv = "B"
description.en = "B"
basis = "legal_obligation"
categories = ["financial.invoice"]

[purposes.promo]
name.sv = "P"
name.en = "P"
description.sv = "P"
description.en = "P"
basis = "legitimate_interests"
categories = ["contact.email"]

[purposes.weird]
name.sv = "W"
name.en = "W"
description.sv = "W"
description.en = "W"
basis = "good_vibes"
categories = ["no_such_category"]
"""


def test_policy_error_names_file_keypath_and_lists_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad-policy.toml"
    path.write_text(BAD_TOML, encoding="utf-8")
    with pytest.raises(gk.PolicyError) as err:
        gk.Policy.from_toml(path)
    msg = str(err.value)
    assert "bad-policy.toml" in msg
    # every problem, each with its key path
    assert "purposes.books" in msg  # missing legal reference
    assert "legal_reference" in msg or "legal reference" in msg
    assert "purposes.promo" in msg  # missing balancing test reference
    assert "purposes.weird.basis" in msg and "good_vibes" in msg
    assert "no_such_category" in msg
    assert "Stokholm" in msg  # unknown time zone
    assert "policy.effective" in msg or "effective" in msg  # invalid date
    assert len(err.value.problems) >= 6


def test_policy_error_duplicate_purpose_and_naive_effective(tmp_path: Path) -> None:
    text = BAD_TOML.replace("effective = 2026-13-01", "effective = 2026-01-01T10:00:00")
    text = text.replace('timezone = "Europe/Stokholm"', 'timezone = "Europe/Stockholm"')
    path = tmp_path / "p.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(gk.PolicyError) as err:
        gk.Policy.from_toml(path)
    assert "effective" in str(err.value)


def test_elveta_policy_contract(policy: gk.Policy) -> None:
    assert policy.purposes["bookkeeping"].basis is gk.LegalBasis.LEGAL_OBLIGATION
    assert policy.purposes["marketing"].direct_marketing is True
    assert policy.timezone == ZoneInfo("Europe/Stockholm")
    assert len(policy.purposes) == 8
    policy.ropa()
    assert policy.render_notice(lang="sv")
    assert policy.render_notice(lang="en")
    dpv = policy.to_dpv()
    assert "https://w3id.org/dpv/legal/eu/gdpr#A6-1-c" in json.dumps(
        dpv
    ) or "eu-gdpr:A6-1-c" in json.dumps(dpv)


# ---------------------------------------------------------------------------
# Projection (DESIGN.md "at a glance")
# ---------------------------------------------------------------------------


def test_projection(elveta_customer: type[Any]) -> None:
    Customer = elveta_customer
    c = Customer("C-1042", "anna@example.se")
    assert gk.schema_of(Customer).fields_for("marketing") == ("email",)
    assert gk.project(c, "marketing") == {"email": "anna@example.se"}
    assert gk.project(c, "contract") == {"customer_id": "C-1042", "email": "anna@example.se"}
    with pytest.raises(gk.UnknownPurpose):
        gk.project(c, "nonexistent")
    with pytest.raises(gk.PurposeNotAllowed):
        gk.project(c, "bookkeeping")
    for p in ("contract", "crm", "marketing"):
        assert "plan" not in gk.project(c, p)


# ---------------------------------------------------------------------------
# Export: portability vs access (R5, R6; issue 5)
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def export_world(policy: gk.Policy) -> dict[str, Any]:
    @gk.personal_data(subject="customer", policy=policy)
    @attrs.frozen
    class Profile:
        customer_id: str = gk.pd_field(
            category="identity.customer_id", purposes=("contract",), identifies=True
        )
        email: str = gk.pd_field(category="contact.email", purposes=("contract", "marketing"))
        kwh: Decimal = gk.pd_field(
            category="energy.consumption", purposes=("contract",), origin=gk.Origin.OBSERVED
        )
        churn: float = gk.pd_field(
            category="profile.churn_score", purposes=("personalisation",), origin=gk.Origin.DERIVED
        )
        bill_total: Decimal = gk.pd_field(
            category="financial.invoice", purposes=("contract",), origin=gk.Origin.DERIVED
        )
        credit_ref: str = gk.pd_field(
            category="financial", purposes=("contract",), origin=gk.Origin.THIRD_PARTY
        )
        ip: str = gk.pd_field(
            category="online", purposes=("monitoring",), origin=gk.Origin.OBSERVED
        )
        pref: bool = gk.pd_field(
            category="preferences.marketing", purposes=("marketing",), origin=gk.Origin.PROVIDED
        )
        invoice_no: str = gk.pd_field(
            category="financial.invoice", purposes=("bookkeeping",), origin=gk.Origin.PROVIDED
        )
        internal: str = "x"

    rows = [
        Profile("C-1", "anna@example.se", Decimal("12.345"), 0.73, Decimal("99.50"), "UC-77",
                "192.0.2.1", True, "F-1"),
        Profile("C-2", "bo@example.se", Decimal("1.0"), 0.1, Decimal("1"), "UC-1", "192.0.2.2",
                False, "F-2"),
    ]  # fmt: skip
    return {"model": Profile, "rows": rows}


def _source(world: dict[str, Any]) -> rights.IterableSource:
    return rights.IterableSource(
        "profiles", world["model"], world["rows"], subject_field="customer_id"
    )


def _jsonl(path: Path, name: str) -> list[dict[str, Any]]:
    with zipfile.ZipFile(path) as zf:
        return [json.loads(line) for line in zf.read(name).decode("utf-8").splitlines() if line]


def test_portability_excludes_derived_thirdparty_and_non_consent_contract(
    tmp_path: Path, policy: gk.Policy, export_world: dict[str, Any]
) -> None:
    out = tmp_path / "port.zip"
    rights.export_subject(
        rights.SubjectRef(kind="customer", id="C-1"), [_source(export_world)], policy,
        scope="portability", at=NOW, out=out,
    )  # fmt: skip
    rows = _jsonl(out, "data/profiles.jsonl")
    assert len(rows) == 1
    keys = set(rows[0])
    assert {"email", "kwh"} <= keys  # provided/observed under contract
    assert "churn" not in keys  # derived
    assert "bill_total" not in keys  # derived
    assert "credit_ref" not in keys  # third party
    assert "ip" not in keys  # legitimate interests only
    assert "pref" not in keys  # legitimate interests only
    assert "invoice_no" not in keys  # legal obligation only
    assert "internal" not in keys  # not personal data
    assert "C-2" not in json.dumps(rows) and "bo@example.se" not in json.dumps(rows)
    rights.verify_package(out)


def test_access_includes_derived(
    tmp_path: Path, policy: gk.Policy, export_world: dict[str, Any]
) -> None:
    out = tmp_path / "access.zip"
    rights.export_subject(
        rights.SubjectRef(kind="customer", id="C-1"), [_source(export_world)], policy,
        scope="access", at=NOW, out=out,
    )  # fmt: skip
    rows = _jsonl(out, "data/profiles.jsonl")
    assert len(rows) == 1
    for k in ("email", "kwh", "churn", "bill_total", "credit_ref", "ip", "pref", "invoice_no"):
        assert k in rows[0], k
    assert Decimal(str(rows[0]["kwh"])) == Decimal("12.345")
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        assert {"manifest.json", "index.html", "data/profiles.csv"} <= names
        manifest = json.loads(zf.read("manifest.json"))
    text = json.dumps(manifest, ensure_ascii=False)
    assert "imy" in text.lower()  # complaint route, Art. 15(1)(f)


def test_export_is_deterministic_and_verifiable(
    tmp_path: Path, policy: gk.Policy, export_world: dict[str, Any]
) -> None:
    subj = rights.SubjectRef(kind="customer", id="C-1")
    a, b = tmp_path / "a.zip", tmp_path / "b.zip"
    rights.export_subject(subj, [_source(export_world)], policy, scope="access", at=NOW, out=a)
    rights.export_subject(subj, [_source(export_world)], policy, scope="access", at=NOW, out=b)
    assert a.read_bytes() == b.read_bytes()
    rights.verify_package(a)
    # tamper with one data file, keep the zip valid
    tampered = tmp_path / "t.zip"
    with zipfile.ZipFile(a) as src, zipfile.ZipFile(tampered, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "data/profiles.jsonl":
                data = data.replace(b"anna", b"anne")
            dst.writestr(info, data)
    with pytest.raises(gk.GdprkitError):
        rights.verify_package(tampered)


def test_export_rejects_naive_at(
    tmp_path: Path, policy: gk.Policy, export_world: dict[str, Any]
) -> None:
    with pytest.raises(gk.NaiveDatetimeError):
        rights.export_subject(
            rights.SubjectRef(kind="customer", id="C-1"), [_source(export_world)], policy,
            scope="access", at=datetime(2026, 11, 25, 10, 0), out=tmp_path / "x.zip",
        )  # fmt: skip
    assert not (tmp_path / "x.zip").exists()


def test_export_atomic_on_failure(
    tmp_path: Path, policy: gk.Policy, export_world: dict[str, Any]
) -> None:
    def boom(subject: rights.SubjectRef) -> Any:
        yield export_world["rows"][0]
        raise RuntimeError("source broke")

    src = rights.IterableSource(
        "profiles", export_world["model"], boom, subject_field="customer_id"
    )
    out = tmp_path / "partial.zip"
    with pytest.raises(RuntimeError):
        rights.export_subject(
            rights.SubjectRef(kind="customer", id="C-1"), [src], policy,
            scope="access", at=NOW, out=out,
        )  # fmt: skip
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_sqlsource_injection_exports_nothing(
    tmp_path: Path, policy: gk.Policy, elveta_customer: type[Any]
) -> None:
    Customer = elveta_customer
    conn = sqlite3.connect(tmp_path / "db.sqlite")
    conn.execute("CREATE TABLE customers (customer_id TEXT, email TEXT, plan TEXT)")
    conn.execute("INSERT INTO customers VALUES ('C-1', 'a@example.se', 'basic')")
    conn.commit()
    src = rights.SQLSource(conn, table="customers", subject_column="customer_id", model=Customer)
    assert list(src.records(rights.SubjectRef(kind="customer", id="x' OR '1'='1"))) == []
    assert list(src.records(rights.SubjectRef(kind="customer", id="C-%"))) == []
    assert len(list(src.records(rights.SubjectRef(kind="customer", id="C-1")))) == 1


# ---------------------------------------------------------------------------
# Tokens, sealing, shredding (issue 4)
# ---------------------------------------------------------------------------


def _b64url_decode(s: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def test_tokens_deterministic_domain_separated_keyid_128bit() -> None:
    kr = pseudonym.Keyring.generate()
    p = pseudonym.Pseudonymizer(kr, domain="analytics")
    t1 = p.token("anna@example.se")
    assert t1 == pseudonym.Pseudonymizer(kr, domain="analytics").token("anna@example.se")
    assert t1 != pseudonym.Pseudonymizer(kr, domain="support").token("anna@example.se")
    assert t1 != p.token("Anna@example.se")  # no hidden normalisation
    key_id = kr.info()[0].id
    assert t1.startswith(key_id)
    mac_part = t1[len(key_id) :].lstrip(".:_-")
    assert len(_b64url_decode(mac_part)) * 8 >= 128
    assert all(c.isalnum() or c in "-_." for c in t1)  # URL-safe
    values = [f"user{i}@example.se" for i in range(50)]
    assert p.tokens(values) == [p.token(v) for v in values]
    assert len({len(t) for t in p.tokens(values)}) == 1  # fixed length
    # another key gives other tokens; rotation changes the key id prefix
    assert (
        pseudonym.Pseudonymizer(pseudonym.Keyring.generate(), domain="analytics").token(
            "anna@example.se"
        )
        != t1
    )
    kr2 = kr.rotate()
    t2 = pseudonym.Pseudonymizer(kr2, domain="analytics").token("anna@example.se")
    new_id = next(i.id for i in kr2.info() if i.status.name == "ACTIVE")
    assert new_id != key_id and t2.startswith(new_id) and t2 != t1
    # key material never in repr
    material = kr._key(key_id).secret.reveal()
    assert material.hex() not in repr(kr) and repr(material) not in repr(kr)


def test_short_key_refused() -> None:
    with pytest.raises(gk.GdprkitError):
        pseudonym.Keyring.from_key(b"\x01" * 16)


def test_sealing_roundtrip_tamper_domain_rotation() -> None:
    kr = pseudonym.Keyring.generate()
    s = pseudonym.Sealer(kr, domain="support")
    tok = s.seal("anna@example.se")
    assert s.seal("anna@example.se") == tok  # deterministic
    assert s.unseal(tok) == "anna@example.se"
    # every single-character change is detected
    alphabet = "0123456789abcdef"
    head, _, body = tok.rpartition(".")
    for i in range(len(body)):
        c = body[i]
        repl = alphabet[(alphabet.index(c) + 1) % 16] if c in alphabet else "0"
        bad = head + "." + body[:i] + repl + body[i + 1 :]
        with pytest.raises(gk.InvalidToken):
            s.unseal(bad)
    with pytest.raises(gk.InvalidToken):
        s.unseal(tok[:-2])
    with pytest.raises(gk.InvalidToken):
        s.unseal("")
    with pytest.raises(gk.InvalidToken):
        pseudonym.Sealer(kr, domain="analytics").unseal(tok)
    with pytest.raises(gk.InvalidToken):
        pseudonym.Sealer(pseudonym.Keyring.generate(), domain="support").unseal(tok)
    kr2 = kr.rotate()
    s2 = pseudonym.Sealer(kr2, domain="support")
    assert s2.unseal(tok) == "anna@example.se"
    moved = s2.reseal(tok)
    assert moved != tok and s2.unseal(moved) == "anna@example.se"
    assert moved == s2.seal("anna@example.se")


def test_subject_keys_shredding(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "k.db")
    sk = pseudonym.SubjectKeys(store, pseudonym.Keyring.generate())
    ca = sk.encrypt("C-1", "email", "anna@example.se")
    cb = sk.encrypt("C-2", "email", "bo@example.se")
    assert sk.decrypt("C-1", "email", ca) == b"anna@example.se"
    with pytest.raises(gk.GdprkitError):
        sk.decrypt("C-1", "phone", ca)  # field bound as associated data
    with pytest.raises(gk.GdprkitError):
        sk.decrypt("C-2", "email", ca)  # subject bound
    sk.shred("C-1")
    with pytest.raises(gk.SubjectShredded):
        sk.decrypt("C-1", "email", ca)
    sk.shred("C-1")  # idempotent
    assert sk.is_shredded("C-1")
    assert sk.decrypt("C-2", "email", cb) == b"bo@example.se"
    store.close()


# ---------------------------------------------------------------------------
# k-anonymity (issue 4), hand-checked tables
# ---------------------------------------------------------------------------

TABLE = (
    [{"pc": "183", "dw": "villa", "kwh": "high"}] * 3
    + [
        {"pc": "183", "dw": "apartment", "kwh": "low"},
        {"pc": "183", "dw": "apartment", "kwh": "high"},
    ]
    + [{"pc": "114", "dw": "villa", "kwh": v} for v in ("low", "low", "high", "mid", "low")]
)


def test_k_anonymity_hand_checked() -> None:
    assert anonymize.k_anonymity(TABLE, quasi_identifiers=("pc", "dw")) == 2
    assert anonymize.k_anonymity(TABLE, quasi_identifiers=("pc",)) == 5
    assert anonymize.k_anonymity(TABLE[:3], quasi_identifiers=("pc", "dw")) == 3
    assert anonymize.l_diversity(TABLE, quasi_identifiers=("pc", "dw"), sensitive="kwh") == 1
    assert anonymize.l_diversity(TABLE, quasi_identifiers=("pc",), sensitive="kwh") == 2
    kept, report = anonymize.enforce_k(TABLE, ("pc", "dw"), 3)
    assert len(kept) == 8
    assert report.rows_suppressed == 2
    assert report.k == 3 and report.k_before == 2
    assert anonymize.k_anonymity(kept, ("pc", "dw")) == 3
    assert anonymize.postcode_prefix("183 65", 3) == "183"


# ---------------------------------------------------------------------------
# Erasure (issue 6, R7)
# ---------------------------------------------------------------------------


@pytest.fixture
def erasure_world(tmp_path: Path, policy: gk.Policy) -> dict[str, Any]:
    @gk.personal_data(subject="customer", policy=policy)
    @attrs.frozen
    class Cust:
        customer_id: str = gk.pd_field(
            category="identity.customer_id",
            purposes=("contract", "crm", "bookkeeping"),
            identifies=True,
        )
        name: str | None = gk.pd_field(
            category="identity.name", purposes=("contract", "marketing", "bookkeeping")
        )
        email: str | None = gk.pd_field(
            category="contact.email", purposes=("contract", "crm", "marketing")
        )
        phone: str | None = gk.pd_field(category="contact.phone", purposes=("contract", "crm"))
        street: str | None = gk.pd_field(
            category="contact.postal_address", purposes=("contract", "bookkeeping")
        )

    @gk.personal_data(subject="customer", policy=policy)
    @attrs.frozen
    class Inv:
        invoice_id: str
        fiscal_year_end: date
        customer_id: str = gk.pd_field(
            category="identity.customer_id", purposes=("contract", "bookkeeping"), identifies=True
        )
        amount: str | None = gk.pd_field(
            category="financial.invoice", purposes=("contract", "bookkeeping")
        )

    @gk.personal_data(subject="customer", policy=policy)
    @attrs.frozen
    class Pref:
        pref_id: str
        customer_id: str = gk.pd_field(
            category="identity.customer_id", purposes=("marketing",), identifies=True
        )
        opt_in: int | None = gk.pd_field(category="preferences.marketing", purposes=("marketing",))

    conn = sqlite3.connect(tmp_path / "svc.db")
    conn.executescript(
        """
        CREATE TABLE cust (customer_id TEXT PRIMARY KEY, name TEXT, email TEXT, phone TEXT, street TEXT);
        CREATE TABLE inv (invoice_id TEXT PRIMARY KEY, fiscal_year_end TEXT, customer_id TEXT, amount TEXT);
        CREATE TABLE pref (pref_id TEXT PRIMARY KEY, customer_id TEXT, opt_in INTEGER);
        INSERT INTO cust VALUES ('C-1', 'Anna A', 'anna@example.se', '0701', 'Storgatan 1');
        INSERT INTO cust VALUES ('C-2', 'Bo B', 'bo@example.se', '0702', 'Lillgatan 2');
        INSERT INTO inv VALUES ('I-1', '2025-12-31', 'C-1', '100.00');
        INSERT INTO inv VALUES ('I-2', '2025-12-31', 'C-2', '200.00');
        INSERT INTO pref VALUES ('P-1', 'C-1', 1);
        INSERT INTO pref VALUES ('P-2', 'C-2', 1);
        """
    )
    conn.commit()
    sources = [
        rights.SQLSource(
            conn, table="cust", subject_column="customer_id", model=Cust, key=("customer_id",)
        ),
        rights.SQLSource(
            conn, table="inv", subject_column="customer_id", model=Inv, key=("invoice_id",)
        ),
        rights.SQLSource(
            conn, table="pref", subject_column="customer_id", model=Pref, key=("pref_id",)
        ),
    ]
    return {"conn": conn, "sources": sources}


FACTS = {"contract_ended": date(2026, 3, 31), "fiscal_year_end": date(2025, 12, 31)}


def test_erasure_keeps_bookkeeping_until_bfl_date_and_erases_rest(
    erasure_world: dict[str, Any], policy: gk.Policy, tmp_path: Path
) -> None:
    conn, sources = erasure_world["conn"], erasure_world["sources"]
    subj = rights.SubjectRef(kind="customer", id="C-1")
    plan = rights.plan_erasure(subj, sources, policy, FACTS, NOW)
    retained = {(i.source, i.field): i for i in plan.by_action(rights.ErasureAction.RETAIN)}
    release = datetime(2033, 1, 1, tzinfo=STHLM)
    for key in [("cust", "name"), ("cust", "street"), ("inv", "amount")]:
        assert key in retained, key
        assert retained[key].until == release
        assert retained[key].purpose == "bookkeeping"
        assert "Bokföringslagen" in retained[key].legal_reference
    for key in [("cust", "email"), ("cust", "phone"), ("pref", "opt_in")]:
        assert key not in retained, key
    store = SQLiteStore(tmp_path / "g.db")
    audit = AuditLog(
        store, pseudonymizer=pseudonym.Pseudonymizer(pseudonym.Keyring.generate(), domain="audit")
    )
    receipt = rights.execute_erasure(plan, sources, audit=audit)
    assert receipt.complete
    assert conn.execute("SELECT email, phone FROM cust WHERE customer_id='C-1'").fetchone() == (
        None,
        None,
    )
    assert conn.execute("SELECT name, street FROM cust WHERE customer_id='C-1'").fetchone() == (
        "Anna A",
        "Storgatan 1",
    )
    assert conn.execute("SELECT amount FROM inv WHERE invoice_id='I-1'").fetchone() == ("100.00",)
    assert conn.execute(
        "SELECT count(*) FROM pref WHERE customer_id='C-1' AND opt_in IS NOT NULL"
    ).fetchone() == (0,)
    # the other customer is untouched
    assert conn.execute("SELECT email FROM cust WHERE customer_id='C-2'").fetchone() == (
        "bo@example.se",
    )
    assert conn.execute("SELECT count(*) FROM pref WHERE customer_id='C-2'").fetchone() == (1,)
    again = rights.execute_erasure(plan, sources, audit=audit)
    assert again.total_changed == 0
    assert audit.verify() is not None
    # no raw subject id in the audit log
    for e in audit.entries():
        assert "C-1" not in json.dumps(e.to_dict())
    store.close()


def test_erasure_after_bfl_date_erases_bookkeeping_too(
    erasure_world: dict[str, Any], policy: gk.Policy
) -> None:
    subj = rights.SubjectRef(kind="customer", id="C-1")
    later = datetime(2033, 1, 1, 0, 0, tzinfo=STHLM)
    plan = rights.plan_erasure(subj, erasure_world["sources"], policy, FACTS, later)
    assert not [
        i for i in plan.by_action(rights.ErasureAction.RETAIN) if i.purpose == "bookkeeping"
    ]


def test_erasure_legal_hold_retains(erasure_world: dict[str, Any], policy: gk.Policy) -> None:
    subj = rights.SubjectRef(kind="customer", id="C-1")
    hold = retention.LegalHold(
        reason="debt collection", reference="GDPR Art. 17(3)(e)",
        placed_at=datetime(2026, 10, 1, tzinfo=STHLM), subject="C-1",
    )  # fmt: skip
    plan = rights.plan_erasure(subj, erasure_world["sources"], policy, FACTS, NOW, holds=[hold])
    erased = plan.by_action(rights.ErasureAction.ERASE)
    assert not [i for i in erased if i.source == "cust"], erased


def test_erasure_rejects_naive_now(erasure_world: dict[str, Any], policy: gk.Policy) -> None:
    with pytest.raises(gk.NaiveDatetimeError):
        rights.plan_erasure(
            rights.SubjectRef(kind="customer", id="C-1"), erasure_world["sources"], policy,
            FACTS, datetime(2026, 11, 25, 10, 0),
        )  # fmt: skip


# ---------------------------------------------------------------------------
# Objection, consent, cookies (issue 6; R2, R8, R10)
# ---------------------------------------------------------------------------

CONSENT_POLICY: dict[str, Any] = {
    "policy": {"version": "1", "effective": "2026-01-01", "timezone": "Europe/Stockholm", "languages": ["sv", "en"]},
    "controller": {"name": "Exempel AB", "email": "dpo@example.se", "address": "Stockholm"},
    "authority": {"name": {"sv": "IMY", "en": "IMY"}, "website": "https://www.imy.se/"},
    "rights": {
        "contact": "dpo@example.se",
        "automated_decisions": {"sv": "Inga.", "en": "None."},
        "security_measures": {"sv": "K.", "en": "E."},
    },
    "subjects": {"customer": {"name": {"sv": "Kunder", "en": "Customers"}}},
    "purposes": {
        "service": {
            "name": {"sv": "T", "en": "S"}, "description": {"sv": "T", "en": "S"},
            "basis": "contract", "categories": ["contact.email"], "subjects": ["customer"],
        },
        "news": {
            "name": {"sv": "N", "en": "N"}, "description": {"sv": "N", "en": "N"},
            "basis": "legitimate_interests", "legitimate_interest_assessment": "LIA-1",
            "direct_marketing": True,
        },
        "tailor": {
            "name": {"sv": "A", "en": "A"}, "description": {"sv": "A", "en": "A"},
            "basis": "legitimate_interests", "legitimate_interest_assessment": "LIA-2",
        },
        "newsletter": {
            "name": {"sv": "B", "en": "B"}, "description": {"sv": "B", "en": "B"},
            "basis": "consent",
        },
    },
}  # fmt: skip


@pytest.fixture
def ledger_world(tmp_path: Path) -> dict[str, Any]:
    pol = gk.Policy.from_dict(copy.deepcopy(CONSENT_POLICY), source="consent.toml")

    @gk.personal_data(subject="customer", policy=pol)
    @attrs.frozen
    class Member:
        customer_id: str = gk.pd_field(
            category="identity.customer_id", purposes=("service",), identifies=True
        )
        email: str = gk.pd_field(
            category="contact.email", purposes=("service", "news", "tailor", "newsletter")
        )

    store = SQLiteStore(tmp_path / "l.db")
    ledger = Ledger(
        store,
        pol,
        pseudonymizer=pseudonym.Pseudonymizer(pseudonym.Keyring.generate(), domain="ledger"),
    )
    yield {"policy": pol, "Member": Member, "ledger": ledger, "store": store}
    store.close()


def test_marketing_objection_is_absolute(ledger_world: dict[str, Any]) -> None:
    ledger, Member = ledger_world["ledger"], ledger_world["Member"]
    m = Member("C-1", "anna@example.se")
    assert gk.project(m, "news", at=NOW, guards=[ledger]) == {"email": "anna@example.se"}
    ledger.object("C-1", "news", at=NOW)
    later = NOW + timedelta(seconds=1)
    with pytest.raises(gk.Objected):
        gk.project(m, "news", at=later, guards=[ledger])
    # no balancing test: compelling grounds cannot override a direct-marketing objection
    with contextlib.suppress(gk.GdprkitError):
        ledger.record_overriding_grounds("C-1", "news", at=later, grounds="we really want to")
    with pytest.raises(gk.Objected):
        gk.project(m, "news", at=later + timedelta(seconds=1), guards=[ledger])
    # other purposes unaffected, other subjects unaffected
    assert gk.project(m, "service", at=later, guards=[ledger])
    assert gk.project(Member("C-2", "bo@example.se"), "news", at=later, guards=[ledger])
    assert ledger.has_objected("C-1", "news", later)
    assert not ledger.has_objected("C-1", "news", NOW - timedelta(seconds=1))


def test_legitimate_interest_objection_until_overriding_grounds(
    ledger_world: dict[str, Any],
) -> None:
    ledger, Member = ledger_world["ledger"], ledger_world["Member"]
    m = Member("C-1", "anna@example.se")
    ledger.object("C-1", "tailor", at=NOW)
    t1 = NOW + timedelta(hours=1)
    with pytest.raises(gk.ProcessingRefused):
        gk.project(m, "tailor", at=t1, guards=[ledger])
    ledger.record_overriding_grounds(
        "C-1", "tailor", at=t1, grounds="compelling grounds documented"
    )
    assert gk.project(m, "tailor", at=t1 + timedelta(hours=1), guards=[ledger])


def test_consent_grant_withdraw_as_of(ledger_world: dict[str, Any]) -> None:
    ledger, Member = ledger_world["ledger"], ledger_world["Member"]
    m = Member("C-1", "anna@example.se")
    with pytest.raises(gk.ConsentRequired):
        gk.project(m, "newsletter", at=NOW, guards=[ledger])
    ledger.grant(
        "C-1", ["newsletter"], notice_version="v1", method="web form, unticked box", at=NOW,
        indication=TICKED,
    )  # fmt: skip
    t1 = NOW + timedelta(days=1)
    assert ledger.has_consent("C-1", "newsletter", t1)
    assert not ledger.has_consent("C-1", "newsletter", NOW - timedelta(seconds=1))
    assert gk.project(m, "newsletter", at=t1, guards=[ledger]) == {"email": "anna@example.se"}
    ledger.withdraw("C-1", ["newsletter"], method="one click", at=t1)
    t2 = t1 + timedelta(seconds=1)
    assert not ledger.has_consent("C-1", "newsletter", t2)
    assert ledger.has_consent("C-1", "newsletter", t1 - timedelta(seconds=1))  # past stays lawful
    with pytest.raises(gk.ConsentRequired):
        gk.project(m, "newsletter", at=t2, guards=[ledger])
    rec = ledger.records("C-1")[0]
    assert rec.notice_version == "v1"
    assert "C-1" not in rec.subject  # pseudonymous


def test_consent_for_non_consent_purpose_or_naive_refused(ledger_world: dict[str, Any]) -> None:
    ledger = ledger_world["ledger"]
    with pytest.raises(gk.NaiveDatetimeError):
        ledger.grant(
            "C-1", ["newsletter"], notice_version="v1", method="x", at=datetime(2026, 1, 1),
            indication=TICKED,
        )  # fmt: skip
    with pytest.raises(gk.NaiveDatetimeError):
        ledger.has_consent("C-1", "newsletter", datetime(2026, 1, 1))
    with pytest.raises(gk.NaiveDatetimeError):
        ledger.object("C-1", "news", at=datetime(2026, 1, 1))
    with pytest.raises(gk.NaiveDatetimeError):
        ledger.allowed_cookies("b-1", datetime(2026, 1, 1))


def test_consent_duration_expires(ledger_world: dict[str, Any]) -> None:
    ledger = ledger_world["ledger"]
    ledger.grant("C-9", ["newsletter"], notice_version="v1", method="x", at=NOW, duration="P12M",
                 indication=TICKED)  # fmt: skip
    assert ledger.has_consent("C-9", "newsletter", NOW + timedelta(days=300))
    assert not ledger.has_consent("C-9", "newsletter", NOW + timedelta(days=400))


def test_allowed_cookies(tmp_path: Path, policy: gk.Policy) -> None:
    store = SQLiteStore(tmp_path / "c.db")
    ledger = Ledger(
        store,
        policy,
        pseudonymizer=pseudonym.Pseudonymizer(pseudonym.Keyring.generate(), domain="c"),
    )
    names = {c.name for c in ledger.allowed_cookies("browser-1", NOW)}
    assert names == {"sessionid", "csrftoken", "cookie_consent"}
    ledger.grant(
        "browser-1", ["cookies.analytics"], notice_version="cookie-v3", method="dialog", at=NOW,
        indication=gk.consent.IndicationMethod.CHOSE_SETTINGS,
    )  # fmt: skip
    t1 = NOW + timedelta(minutes=1)
    names = {c.name for c in ledger.allowed_cookies("browser-1", t1)}
    assert names == {"sessionid", "csrftoken", "cookie_consent", "_elveta_stats"}
    ledger.withdraw("browser-1", ["cookies.analytics"], method="dialog", at=t1)
    names = {c.name for c in ledger.allowed_cookies("browser-1", t1 + timedelta(minutes=1))}
    assert names == {"sessionid", "csrftoken", "cookie_consent"}
    store.close()


# ---------------------------------------------------------------------------
# Requests (issue 6, R3 extension rules)
# ---------------------------------------------------------------------------


@pytest.fixture
def register(tmp_path: Path) -> Any:
    store = SQLiteStore(tmp_path / "r.db")
    yield RequestRegister(store)
    store.close()


def test_request_due_and_extension(register: RequestRegister) -> None:
    received = datetime(2026, 1, 31, 9, 0, tzinfo=STHLM)
    r = register.receive(
        RequestKind.ACCESS, "customer", "C-1", received_at=received, channel="email"
    )
    assert r.due == date(2026, 3, 2)
    assert r.late_from == datetime(2026, 3, 3, tzinfo=STHLM)
    with pytest.raises(gk.GdprkitError):
        register.extend(r.id, reason="", at=received + timedelta(days=1))
    ext = register.extend(r.id, reason="many sources", at=datetime(2026, 3, 2, 23, 0, tzinfo=STHLM))
    assert ext.extended and ext.due == date(2026, 4, 30)
    assert ext.extension_reason == "many sources"
    with pytest.raises(gk.RequestStateError):
        register.extend(r.id, reason="again", at=datetime(2026, 3, 2, 23, 30, tzinfo=STHLM))


def test_request_extension_too_late(register: RequestRegister) -> None:
    r = register.receive(
        RequestKind.ERASURE, "customer", "C-1", received_at=datetime(2026, 1, 31, 9, 0, tzinfo=STHLM),
        channel="web",
    )  # fmt: skip
    with pytest.raises(gk.RequestStateError):
        register.extend(r.id, reason="complex", at=datetime(2026, 3, 3, 0, 0, tzinfo=STHLM))


def test_request_state_transitions(register: RequestRegister) -> None:
    at = datetime(2026, 3, 10, 9, 0, tzinfo=STHLM)
    r = register.receive(
        RequestKind.PORTABILITY, "customer", "C-1", received_at=at, channel="email"
    )
    assert r.state is RequestState.RECEIVED and r.due == date(2026, 4, 10)
    with pytest.raises(gk.RequestStateError):
        register.complete(r.id, at=at + timedelta(hours=1))
    register.verify(r.id, at=at + timedelta(hours=1))
    done = register.complete(r.id, at=at + timedelta(hours=2))
    assert done.state is RequestState.DONE
    with pytest.raises(gk.RequestStateError):
        register.refuse(r.id, at=at + timedelta(hours=3), reason="x")
    r2 = register.receive(RequestKind.ACCESS, "customer", "C-2", received_at=at, channel="email")
    with pytest.raises(gk.GdprkitError):
        register.refuse(r2.id, at=at + timedelta(hours=1), reason="")
    assert register.refuse(
        r2.id, at=at + timedelta(hours=1), reason="manifestly unfounded"
    ).state is (RequestState.REFUSED)
    with pytest.raises(gk.NaiveDatetimeError):
        register.receive(
            RequestKind.ACCESS, "customer", "C-3", received_at=datetime(2026, 3, 10), channel="x"
        )


def test_request_overdue(register: RequestRegister) -> None:
    r = register.receive(
        RequestKind.OBJECTION, "customer", "C-1", received_at=datetime(2026, 5, 6, 12, 0, tzinfo=STHLM),
        channel="email",
    )  # fmt: skip
    assert r.due == date(2026, 6, 8)
    assert not r.is_overdue(datetime(2026, 6, 8, 23, 59, tzinfo=STHLM))
    assert r.is_overdue(datetime(2026, 6, 9, 0, 0, tzinfo=STHLM))
    assert [x.id for x in register.overdue(datetime(2026, 6, 9, 0, 1, tzinfo=STHLM))] == [r.id]


# ---------------------------------------------------------------------------
# Audit log tamper detection (issue 5)
# ---------------------------------------------------------------------------


@pytest.fixture
def audit_world(tmp_path: Path) -> Any:
    store = SQLiteStore(tmp_path / "a.db")
    log = AuditLog(
        store, pseudonymizer=pseudonym.Pseudonymizer(pseudonym.Keyring.generate(), domain="audit")
    )
    for i in range(5):
        log.record(
            "export", at=NOW + timedelta(minutes=i), actor="svc", subject=f"C-{i}", details={"n": i}
        )
    yield store, log
    store.close()


def test_audit_verifies_and_holds_no_raw_subject(audit_world: Any) -> None:
    _store, log = audit_world
    head = log.verify()
    assert head is not None and head.seq in (4, 5)
    for e in log.entries():
        assert e.subject is None or not e.subject.startswith("C-")
    with pytest.raises(gk.NaiveDatetimeError):
        log.record("x", at=datetime(2026, 1, 1), actor="svc")


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_log SET details = '{\"n\":99}' WHERE seq = (SELECT min(seq) + 2 FROM audit_log)",
        "UPDATE audit_log SET actor = 'mallory' WHERE seq = (SELECT min(seq) + 1 FROM audit_log)",
        "DELETE FROM audit_log WHERE seq = (SELECT min(seq) + 2 FROM audit_log)",
        "UPDATE audit_log SET at = '2020-01-01T00:00:00.000000+00:00' WHERE seq = (SELECT min(seq) FROM audit_log)",
    ],
)
def test_audit_detects_tampering(audit_world: Any, sql: str) -> None:
    store, log = audit_world
    with store.transaction() as conn:
        conn.execute(sql)
    with pytest.raises(gk.AuditIntegrityError):
        log.verify()


def test_audit_detects_truncation_against_saved_head(audit_world: Any) -> None:
    store, log = audit_world
    head = log.verify()
    with store.transaction() as conn:
        conn.execute("DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)")
    log.verify()  # the remaining chain is consistent in itself
    with pytest.raises(gk.AuditIntegrityError):
        log.verify(head)


def test_audit_detects_reorder(audit_world: Any) -> None:
    store, log = audit_world
    rows = store.query("SELECT seq FROM audit_log ORDER BY seq")
    a, b = rows[1][0], rows[2][0]
    with store.transaction() as conn:
        conn.execute("UPDATE audit_log SET seq = -1 WHERE seq = ?", (a,))
        conn.execute("UPDATE audit_log SET seq = ? WHERE seq = ?", (a, b))
        conn.execute("UPDATE audit_log SET seq = ? WHERE seq = -1", (b,))
    with pytest.raises(gk.AuditIntegrityError):
        log.verify()


# ---------------------------------------------------------------------------
# Second round: policy-level Art. 9, more wiring (DESIGN's snippet: test_design_contract.py)
# ---------------------------------------------------------------------------


def test_policy_purpose_with_special_category_needs_art9_condition() -> None:
    d = copy.deepcopy(CONSENT_POLICY)
    d["purposes"]["service"]["categories"] = ["contact.email", "health"]
    with pytest.raises(gk.PolicyError) as err:
        gk.Policy.from_dict(d, source="x.toml")
    assert "purposes.service" in str(err.value)


def test_special_category_from_taxonomy_without_condition_refused() -> None:
    pol = gk.Policy.from_dict(copy.deepcopy(CONSENT_POLICY), source="c.toml")
    with pytest.raises(gk.PolicyError):

        @gk.personal_data(subject="customer", policy=pol)
        @attrs.frozen
        class Dev:
            customer_id: str = gk.pd_field(
                category="identity.customer_id", purposes=("service",), identifies=True
            )
            oxygen: bool = gk.pd_field(category="health", purposes=("service",))


def test_evaluate_object_per_field(policy: gk.Policy) -> None:
    @gk.personal_data(subject="customer", policy=policy)
    @attrs.frozen
    class C:
        customer_id: str = gk.pd_field(
            category="identity.customer_id", purposes=("contract", "bookkeeping"), identifies=True
        )
        email: str = gk.pd_field(category="contact.email", purposes=("contract", "marketing"))
        pref: bool = gk.pd_field(category="preferences.marketing", purposes=("marketing",))

    c = C("C-1", "a@example.se", True)
    facts = {"contract_ended": date(2026, 3, 31), "fiscal_year_end": date(2025, 12, 31)}
    ov = retention.evaluate_object(c, facts, NOW)
    assert ov["customer_id"].status is retention.Status.KEEP
    assert ov["customer_id"].purpose == "bookkeeping"
    assert ov["customer_id"].expires_at == datetime(2033, 1, 1, tzinfo=STHLM)
    assert ov["email"].status is retention.Status.KEEP
    assert ov["email"].purpose == "contract"
    assert ov["email"].expires_at == datetime(2028, 4, 1, tzinfo=STHLM)
    assert ov["pref"].status is retention.Status.EXPIRED  # marketing while_active ended
    # missing facts -> unknown, never expired
    ov = retention.evaluate_object(c, {}, NOW)
    assert ov["customer_id"].status is retention.Status.UNKNOWN
    with pytest.raises(gk.NaiveDatetimeError):
        retention.evaluate_object(c, facts, datetime(2026, 11, 25))


def test_marketing_objection_drops_out_of_retention(tmp_path: Path, policy: gk.Policy) -> None:
    @gk.personal_data(subject="customer", policy=policy)
    @attrs.frozen
    class Pref:
        customer_id: str = gk.pd_field(
            category="identity.customer_id", purposes=("marketing",), identifies=True
        )
        opt_in: bool = gk.pd_field(category="preferences.marketing", purposes=("marketing",))

    store = SQLiteStore(tmp_path / "o.db")
    ledger = Ledger(
        store,
        policy,
        pseudonymizer=pseudonym.Pseudonymizer(pseudonym.Keyring.generate(), domain="o"),
    )
    p = Pref("C-1", True)
    facts = {"contract_ended": None}
    assert retention.evaluate_object(p, facts, NOW)["opt_in"].status is retention.Status.KEEP
    ledger.object("C-1", "marketing", at=NOW)
    later = NOW + timedelta(seconds=1)
    inactive = ledger.inactive_purposes("C-1", later)
    assert "marketing" in inactive
    assert retention.evaluate_object(p, facts, later, inactive_purposes=inactive)[
        "opt_in"
    ].status is (retention.Status.EXPIRED)
    with pytest.raises(gk.Objected):
        gk.project(p, "marketing", at=later, guards=[ledger])
    store.close()


def test_erasure_restricts_what_stays_and_lists_recipients(
    erasure_world: dict[str, Any], policy: gk.Policy, tmp_path: Path
) -> None:
    sources = erasure_world["sources"]
    store = SQLiteStore(tmp_path / "g.db")
    ledger = Ledger(
        store,
        policy,
        pseudonymizer=pseudonym.Pseudonymizer(pseudonym.Keyring.generate(), domain="l"),
    )
    subj = rights.SubjectRef(kind="customer", id="C-1")
    plan = rights.plan_erasure(subj, sources, policy, FACTS, NOW)
    receipt = rights.execute_erasure(plan, sources, ledger=ledger)
    assert receipt.complete
    recipients = {r.id for r in receipt.recipients}
    assert "email_provider" in recipients  # marketing data was disclosed to it (Art. 19)
    text = receipt.render(lang="en")
    assert "2033-01-01" in text and "Bokföringslagen" in text
    cust = next(iter(sources[0].records(subj)))
    later = NOW + timedelta(minutes=1)
    assert gk.project(cust, "bookkeeping", at=later, guards=[ledger])
    with pytest.raises(gk.Restricted):
        gk.project(cust, "contract", at=later, guards=[ledger])
    with pytest.raises(gk.NaiveDatetimeError):
        rights.execute_erasure(plan, sources, at=datetime(2026, 11, 25, 10, 0))
    store.close()


def test_withdraw_all_in_one_call(ledger_world: dict[str, Any]) -> None:
    ledger = ledger_world["ledger"]
    ledger.grant("C-5", ["newsletter"], notice_version="v1", method="form", at=NOW,
                 indication=TICKED)  # fmt: skip
    ledger.withdraw("C-5", method="one click", at=NOW + timedelta(hours=1))
    assert not ledger.has_consent("C-5", "newsletter", NOW + timedelta(hours=2))
    with pytest.raises(gk.NaiveDatetimeError):
        ledger.withdraw("C-5", method="x", at=datetime(2026, 12, 1))


def test_export_manifest_lists_exclusions_and_formats(
    tmp_path: Path, policy: gk.Policy, export_world: dict[str, Any]
) -> None:
    out = tmp_path / "p.zip"
    rights.export_subject(
        rights.SubjectRef(kind="customer", id="C-1"), [_source(export_world)], policy,
        scope="portability", at=NOW, out=out,
    )  # fmt: skip
    with zipfile.ZipFile(out) as zf:
        manifest = zf.read("manifest.json").decode("utf-8")
        html = zf.read("index.html").decode("utf-8").lower()
        csv_text = zf.read("data/profiles.csv").decode("utf-8")
    for f in ("churn", "bill_total", "credit_ref", "ip", "pref", "invoice_no"):
        assert f in manifest, f
    assert "20(1)" in manifest
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org", "")
    header = csv_text.split("\r\n")[0]
    assert "email" in header and "churn" not in header
    assert "\r\n" in csv_text  # RFC 4180


def test_export_datetime_with_offset(tmp_path: Path, policy: gk.Policy) -> None:
    @gk.personal_data(subject="customer", policy=policy)
    @attrs.frozen
    class Reading:
        customer_id: str = gk.pd_field(
            category="identity.customer_id", purposes=("contract",), identifies=True
        )
        read_at: datetime = gk.pd_field(
            category="energy.consumption", purposes=("contract",), origin="observed"
        )
        day: date = gk.pd_field(
            category="energy.consumption", purposes=("contract",), origin="observed"
        )

    src = rights.IterableSource(
        "readings", Reading,
        [Reading("C-1", datetime(2026, 7, 1, 12, 0, tzinfo=STHLM), date(2026, 7, 1))],
        subject_field="customer_id",
    )  # fmt: skip
    out = tmp_path / "r.zip"
    rights.export_subject(
        rights.SubjectRef("customer", "C-1"),
        [src],
        policy,
        scope="portability",
        at=NOW,
        out=out,
    )
    row = _jsonl(out, "data/readings.jsonl")[0]
    assert datetime.fromisoformat(row["read_at"]) == datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
    assert datetime.fromisoformat(row["read_at"]).utcoffset() is not None
    assert row["day"] == "2026-07-01"


def test_rectification_validated_and_not_logged(
    erasure_world: dict[str, Any], tmp_path: Path
) -> None:
    sources = erasure_world["sources"]
    store = SQLiteStore(tmp_path / "a.db")
    audit = AuditLog(
        store, pseudonymizer=pseudonym.Pseudonymizer(pseudonym.Keyring.generate(), domain="a")
    )
    subj = rights.SubjectRef(kind="customer", id="C-1")
    n = rights.rectify(subj, sources[0], {"email": "anna.new@example.se"}, at=NOW, audit=audit)
    assert n == 1
    assert erasure_world["conn"].execute(
        "SELECT email FROM cust WHERE customer_id='C-1'"
    ).fetchone() == ("anna.new@example.se",)
    dump = json.dumps([e.to_dict() for e in audit.entries()], ensure_ascii=False)
    assert "anna@example.se" not in dump and "anna.new@example.se" not in dump
    with pytest.raises(gk.RectificationError):
        rights.rectify(subj, sources[0], {"nosuch": "x"}, at=NOW)
    with pytest.raises(gk.RectificationError):
        rights.rectify(subj, sources[0], {"email": 42}, at=NOW)
    with pytest.raises(gk.NaiveDatetimeError):
        rights.rectify(subj, sources[0], {"email": "x@example.se"}, at=datetime(2026, 1, 1))
    store.close()


def test_sweep_streams() -> None:
    import itertools

    def endless():
        for i in itertools.count():
            yield {"fiscal_year_end": date(2010 + i % 20, 12, 31)}

    got = list(itertools.islice(retention.sweep(endless(), BFL, NOW, tz=STHLM), 20))
    assert len(got) == 20
    assert got[0][1] is retention.Status.EXPIRED  # FY 2010 -> 2018-01-01
    assert got[15][1] is retention.Status.KEEP  # FY 2025 -> 2033-01-01


def test_audit_detects_forged_append(audit_world: Any) -> None:
    store, log = audit_world
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO audit_log (seq, at, actor, action, subject, details, prev_hash, hash) "
            "SELECT max(seq) + 1, '2026-12-01T00:00:00.000000+00:00', 'x', 'export', NULL, '{}', "
            "'00', 'ff' FROM audit_log"
        )
    with pytest.raises(gk.AuditIntegrityError):
        log.verify()


def test_request_extension_moves_overdue(register: RequestRegister) -> None:
    r = register.receive(
        RequestKind.ACCESS, "customer", "C-1", received_at=datetime(2026, 3, 10, 9, 0, tzinfo=STHLM),
        channel="email",
    )  # fmt: skip
    ext = register.extend(r.id, reason="complex", at=datetime(2026, 3, 20, 9, 0, tzinfo=STHLM))
    assert ext.due == date(2026, 6, 10)
    assert not ext.is_overdue(datetime(2026, 5, 1, tzinfo=STHLM))
    assert ext.is_overdue(datetime(2026, 6, 11, tzinfo=STHLM))
    with pytest.raises(gk.NaiveDatetimeError):
        register.extend(r.id, reason="x", at=datetime(2026, 3, 21))


def test_key_material_never_in_repr_or_errors() -> None:
    import base64

    material = bytes(range(32))
    kr = pseudonym.Keyring.from_key(material, key_id="k1")
    forms = [
        material.hex(),
        base64.b64encode(material).decode(),
        base64.urlsafe_b64encode(material).decode().rstrip("="),
    ]
    objs = [kr, pseudonym.Pseudonymizer(kr, domain="a"), pseudonym.Sealer(kr, domain="a")]
    for o in objs:
        for f in forms:
            assert f not in repr(o) and f not in str(o)
    with pytest.raises(gk.InvalidToken) as err:
        pseudonym.Sealer(kr, domain="a").unseal("k1.s1." + "00" * 20)
    for f in forms:
        assert f not in str(err.value)


@pytest.mark.parametrize(
    ("event", "rule", "erasable_from"),
    [
        (date(2026, 1, 15), retention.after("e", months=3, align="month"), datetime(2026, 5, 1, tzinfo=STHLM)),
        (date(2026, 1, 31), retention.after("e", months=1, align="month"), datetime(2026, 3, 1, tzinfo=STHLM)),
        (date(2026, 12, 31), retention.after("e", days=1, align="year"), datetime(2028, 1, 1, tzinfo=STHLM)),
        (datetime(2026, 3, 10, 10, 0, tzinfo=STHLM), retention.after("e", days=1, align="day"),
         datetime(2026, 3, 12, tzinfo=STHLM)),
        (datetime(2025, 12, 31, 23, 59, tzinfo=STHLM), retention.after("e", years=7, align="year"),
         datetime(2033, 1, 1, tzinfo=STHLM)),
    ],
)  # fmt: skip
def test_alignment(event: Any, rule: retention.Rule, erasable_from: datetime) -> None:
    v = retention.evaluate(rule, {"e": event}, NOW, tz=STHLM)
    assert v.expires_at == erasable_from


@pytest.mark.parametrize(
    "rule",
    [retention.after("e", days=1), retention.after("e", months=1), retention.after("e", days=30)],
)
def test_timestamp_cutoff_never_erases_early(rule: retention.Rule) -> None:
    # hourly events across both 2026 DST changes and month ends, in UTC
    start = datetime(2026, 1, 25, 0, 30, tzinfo=UTC)
    events = [start + timedelta(minutes=30 * i) for i in range(24 * 2 * 300)]
    nows = [datetime(2026, m, d, h, tzinfo=STHLM) for m, d, h in
            [(2, 28, 5), (3, 1, 0), (3, 29, 3), (3, 30, 2), (4, 28, 1), (10, 25, 2), (10, 26, 2), (11, 25, 2)]]  # fmt: skip
    for now in nows:
        t = retention.cutoff(rule, now, tz=STHLM, column_type="timestamp")
        mismatches = 0
        for ev in events[::7]:
            expired = (
                retention.evaluate(rule, {"e": ev}, now, tz=STHLM).status
                is retention.Status.EXPIRED
            )
            by_cut = t is not None and ev < t
            assert not (by_cut and not expired), (rule, now, ev, t)  # never early
            mismatches += expired != by_cut
        assert mismatches <= 48, (rule, now, mismatches)


def test_consent_renew_and_survives_erasure(ledger_world: dict[str, Any]) -> None:
    ledger = ledger_world["ledger"]
    ledger.grant("C-7", ["newsletter"], notice_version="v1", method="form", at=NOW, duration="P12M",
                 indication=TICKED)  # fmt: skip
    ledger.renew(
        "C-7", ["newsletter"], method="email link", at=NOW + timedelta(days=330), duration="P12M",
        indication=gk.consent.IndicationMethod.CLICKED_ACCEPT,
    )  # fmt: skip
    assert ledger.has_consent("C-7", "newsletter", NOW + timedelta(days=450))
    assert not ledger.has_consent("C-7", "newsletter", NOW + timedelta(days=330 + 370))
    assert ledger.records("C-7")


def test_request_register_with_eves_calendar(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "r2.db")
    reg = RequestRegister(store, calendar=timecalc.SWEDEN_WITH_EVES)
    r = reg.receive(
        RequestKind.ACCESS,
        "customer",
        "C-1",
        received_at=datetime(2029, 11, 30, 9, tzinfo=STHLM),
        channel="web",
    )
    assert r.due == date(2030, 1, 2)
    store.close()
