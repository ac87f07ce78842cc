"""Tests for gdprkit.timecalc: periods, 1182/71 counting, Swedish holidays, Art. 12(3) deadlines."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gdprkit import NaiveDatetimeError, RetentionError
from gdprkit.timecalc import (
    STOCKHOLM,
    SWEDEN,
    SWEDEN_WITH_EVES,
    HolidayCalendar,
    Period,
    SwedishCalendar,
    add_months,
    easter_sunday,
    end_of,
    end_of_day,
    first_day_after,
    is_working_day,
    localize,
    next_working_day,
    period_end,
    receipt_date,
    response_deadline,
    response_late_from,
    start_of_day,
)

D = date.fromisoformat


def same_instant(got: datetime, expected: str) -> bool:
    """Equal as instants and in UTC offset (PEP 495: an ambiguous time never equals across zones)."""
    want = datetime.fromisoformat(expected)
    return got.astimezone(UTC) == want.astimezone(UTC) and got.utcoffset() == want.utcoffset()


def sthlm(text: str) -> datetime:
    """A wall-clock time in Stockholm, attached with fold=0."""
    return datetime.fromisoformat(text).replace(tzinfo=STOCKHOLM)


periods = st.builds(
    Period,
    years=st.integers(0, 50),
    months=st.integers(0, 600),
    days=st.integers(0, 3000),
)
days_ = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))


# --------------------------------------------------------------------------- Period


@pytest.mark.parametrize("field", ["years", "months", "days"])
def test_negative_component_refused(field: str) -> None:
    with pytest.raises(RetentionError, match=field):
        Period(**{field: -1})


@pytest.mark.parametrize("value", [1.5, "7", True, None], ids=["float", "str", "bool", "none"])
def test_non_int_component_refused(value: object) -> None:
    with pytest.raises(RetentionError, match="years must be an int"):
        Period(years=value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected", "canonical"),
    [
        ("P7Y", Period(years=7), "P7Y"),
        ("P24M", Period(months=24), "P24M"),
        ("P30D", Period(days=30), "P30D"),
        ("P2W", Period(days=14), "P14D"),
        ("P1Y2M3D", Period(1, 2, 3), "P1Y2M3D"),
        ("P1Y1W2D", Period(years=1, days=9), "P1Y9D"),
        ("P0D", Period(), "P0D"),
        (" P13M ", Period(months=13), "P13M"),
    ],
    ids=["years", "months", "days", "weeks", "mixed", "weeks-and-days", "zero", "padded"],
)
def test_parse_iso_period(text: str, expected: Period, canonical: str) -> None:
    assert Period.parse(text) == expected
    assert str(Period.parse(text)) == canonical


@pytest.mark.parametrize(
    "text",
    ["", "P", "7Y", "PT1H", "P1DT1H", "P1.5Y", "P-1Y", "p7y", "P1M1Y", "P7 Y"],
    ids=[
        "empty",
        "bare-P",
        "no-P",
        "time-only",
        "time-part",
        "fraction",
        "negative",
        "lowercase",
        "wrong-order",
        "space",
    ],
)
def test_parse_rejects(text: str) -> None:
    with pytest.raises(RetentionError, match="ISO 8601 duration"):
        Period.parse(text)


def test_parse_rejects_time_part_with_hint() -> None:
    with pytest.raises(ValueError, match="time components"):
        Period.parse("PT12H")


def test_parse_rejects_non_string() -> None:
    with pytest.raises(RetentionError, match="must be a string"):
        Period.parse(7)  # type: ignore[arg-type]


@given(periods)
def test_period_str_round_trip(period: Period) -> None:
    assert Period.parse(str(period)) == period


@pytest.mark.parametrize(
    ("start", "period", "expected"),
    [
        ("2026-01-31", Period(months=1), "2026-02-28"),
        ("2028-01-31", Period(months=1), "2028-02-29"),
        ("2026-01-29", Period(months=1), "2026-02-28"),
        ("2026-03-31", Period(months=1), "2026-04-30"),
        ("2026-08-31", Period(months=6), "2027-02-28"),
        ("2026-12-31", Period(months=1), "2027-01-31"),
        ("2028-02-29", Period(years=1), "2029-02-28"),
        ("2028-02-29", Period(years=4), "2032-02-29"),
        ("2028-02-29", Period(years=1, months=1), "2029-03-29"),
        ("2026-01-31", Period(months=1, days=1), "2026-03-01"),
        ("2026-03-10", Period(months=1), "2026-04-10"),
        ("2028-01-01", Period(years=1), "2029-01-01"),
        ("2026-02-28", Period(days=1), "2026-03-01"),
        ("2028-02-28", Period(days=1), "2028-02-29"),
        ("2025-12-31", Period(years=7), "2032-12-31"),
    ],
    ids=[
        "jan31+1m-common-year",
        "jan31+1m-leap-year",
        "jan29+1m-common-year",
        "mar31+1m",
        "aug31+6m",
        "dec31+1m-next-year",
        "feb29+1y",
        "feb29+4y-leap-again",
        "feb29+1y1m-months-together",
        "jan31+1m1d",
        "same-date",
        "leap-year-is-366-days",
        "feb28+1d-common",
        "feb28+1d-leap",
        "bfl-seven-years",
    ],
)
def test_add_to_dates(start: str, period: Period, expected: str) -> None:
    assert period.add_to(D(start)) == D(expected)


def _months_later_plain(day: date, months: int) -> date:
    """Plain twin of add_months: step month by month, clamp once at the end."""
    year, month = day.year, day.month
    for _ in range(months):
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@given(days_, st.integers(0, 400))
def test_add_months_matches_plain_twin(day: date, months: int) -> None:
    assert add_months(day, months) == _months_later_plain(day, months)


@given(days_, periods)
def test_add_to_is_monotone_and_never_backwards(day: date, period: Period) -> None:
    later = min(day + timedelta(days=1), date(2200, 12, 31))
    assert period.add_to(day) >= day
    assert period.add_to(later) >= period.add_to(day)


def test_add_to_outside_calendar() -> None:
    with pytest.raises(RetentionError, match="outside the calendar"):
        Period(years=9000).add_to(date(2026, 1, 1))


@pytest.mark.parametrize(
    ("start", "period", "expected", "utc_hours"),
    [
        ("2026-03-28T12:00", Period(days=1), "2026-03-29T12:00+02:00", 23),
        ("2026-10-24T12:00", Period(days=1), "2026-10-25T12:00+01:00", 25),
        ("2026-03-28T02:30", Period(days=1), "2026-03-29T03:30+02:00", 24),
        ("2026-10-24T02:30", Period(days=1), "2026-10-25T02:30+02:00", 24),
        ("2026-01-31T23:59", Period(months=1), "2026-02-28T23:59+01:00", None),
        ("2026-02-28T12:00", Period(months=1), "2026-03-28T12:00+01:00", None),
    ],
    ids=[
        "spring-forward-keeps-wall-clock",
        "fall-back-keeps-wall-clock",
        "lands-in-gap-moves-forward",
        "lands-in-repeated-hour-takes-first",
        "month-end-clamp",
        "month-before-dst",
    ],
)
def test_add_to_datetime_keeps_wall_clock(
    start: str, period: Period, expected: str, utc_hours: int | None
) -> None:
    begin = sthlm(start)
    end = period.add_to(begin)
    assert same_instant(end, expected)
    if utc_hours is not None:
        assert end.astimezone(UTC) - begin.astimezone(UTC) == timedelta(hours=utc_hours)


def test_add_zero_keeps_the_instant_in_the_repeated_hour() -> None:
    second = datetime(2026, 10, 25, 2, 30, tzinfo=STOCKHOLM, fold=1)
    assert Period().add_to(second).utcoffset() == timedelta(hours=1)


def test_add_to_naive_datetime_refused() -> None:
    with pytest.raises(NaiveDatetimeError):
        Period(days=1).add_to(datetime(2026, 1, 1, 12))


def test_add_to_wrong_type_refused() -> None:
    with pytest.raises(TypeError):
        Period(days=1).add_to("2026-01-01")  # type: ignore[call-overload]


# --------------------------------------------------------------------------- days and instants


@pytest.mark.parametrize(
    ("wall", "expected"),
    [
        ("2026-03-29T02:30", "2026-03-29T03:30+02:00"),
        ("2026-03-29T02:00", "2026-03-29T03:00+02:00"),
        ("2026-10-25T02:30", "2026-10-25T02:30+02:00"),
        ("2026-10-25T03:00", "2026-10-25T03:00+01:00"),
        ("2026-06-01T12:00", "2026-06-01T12:00+02:00"),
    ],
    ids=["gap", "gap-start", "ambiguous-fold-0", "after-repeated-hour", "ordinary"],
)
def test_localize(wall: str, expected: str) -> None:
    assert same_instant(localize(datetime.fromisoformat(wall), STOCKHOLM), expected)


def test_localize_refuses_aware() -> None:
    with pytest.raises(ValueError, match="naive"):
        localize(sthlm("2026-01-01T00:00"), STOCKHOLM)


@pytest.mark.parametrize(
    ("day", "unit", "last", "after"),
    [
        ("2026-02-10", "day", "2026-02-10", "2026-02-11"),
        ("2026-02-10", "month", "2026-02-28", "2026-03-01"),
        ("2028-02-10", "month", "2028-02-29", "2028-03-01"),
        ("2026-12-31", "month", "2026-12-31", "2027-01-01"),
        ("2026-06-30", "year", "2026-12-31", "2027-01-01"),
    ],
    ids=["day", "month", "leap-february", "december", "year"],
)
def test_alignment(day: str, unit: str, last: str, after: str) -> None:
    assert end_of(D(day), unit) == D(last)  # type: ignore[arg-type]
    assert first_day_after(D(day), unit) == D(after)  # type: ignore[arg-type]


def test_alignment_unknown_unit() -> None:
    with pytest.raises(RetentionError, match="align"):
        end_of(D("2026-01-01"), "week")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("day", "expected_hours"),
    [("2026-03-29", 23), ("2026-10-25", 25), ("2026-06-01", 24)],
    ids=["spring-forward-day", "fall-back-day", "ordinary-day"],
)
def test_day_length_across_dst(day: str, expected_hours: int) -> None:
    length = end_of_day(D(day), STOCKHOLM).astimezone(UTC) - start_of_day(D(day), STOCKHOLM)
    assert length == timedelta(hours=expected_hours)


def test_start_of_day_refuses_datetime() -> None:
    with pytest.raises(TypeError):
        start_of_day(sthlm("2026-01-01T00:00"), STOCKHOLM)


@pytest.mark.parametrize(
    ("event", "period", "align", "expected"),
    [
        (D("2026-03-10"), Period(months=1), None, "2026-04-11T00:00+02:00"),
        (D("2026-01-30"), Period(months=1), None, "2026-03-01T00:00+01:00"),
        (D("2026-01-31"), Period(months=1), None, "2026-03-01T00:00+01:00"),
        (D("2025-12-31"), Period(years=7), "year", "2033-01-01T00:00+01:00"),
        (D("2026-06-30"), Period(years=7), "year", "2034-01-01T00:00+01:00"),
        (D("2026-01-15"), Period(months=1), "month", "2026-03-01T00:00+01:00"),
        (D("2026-03-28"), Period(days=1), None, "2026-03-30T00:00+02:00"),
        (D("2026-03-10"), Period(), None, "2026-03-11T00:00+01:00"),
        (sthlm("2026-03-28T12:00"), Period(days=1), None, "2026-03-29T12:00+02:00"),
        (sthlm("2026-03-28T12:00"), Period(days=1), "day", "2026-03-30T00:00+02:00"),
        (sthlm("2026-03-28T12:00"), Period(), None, "2026-03-28T12:00+01:00"),
        (
            datetime(2026, 3, 9, 23, 30, tzinfo=UTC),
            Period(months=1),
            None,
            "2026-04-10T00:30+02:00",
        ),
    ],
    ids=[
        "one-month-after-mar10",
        "one-month-after-jan30",
        "one-month-after-jan31",
        "bfl-calendar-fiscal-year",
        "bfl-broken-fiscal-year",
        "aligned-to-month",
        "day-across-dst",
        "zero-period-whole-day",
        "datetime-wall-clock",
        "datetime-aligned-day",
        "datetime-zero-period",
        "utc-event-counted-in-policy-zone",
    ],
)
def test_period_end(event: date, period: Period, align: str | None, expected: str) -> None:
    end = period_end(event, period, align=align, tz=STOCKHOLM)  # type: ignore[arg-type]
    assert same_instant(end, expected)
    assert end.tzinfo is STOCKHOLM


@given(days_, periods)
def test_date_event_runs_out_at_a_local_midnight_after_the_event(day: date, period: Period) -> None:
    end = period_end(day, period, tz=STOCKHOLM)
    assert end.timetz().replace(tzinfo=None) == datetime.min.time()
    assert end.date() == period.add_to(day) + timedelta(days=1)


def test_period_end_rejects_naive_and_strings() -> None:
    with pytest.raises(NaiveDatetimeError):
        period_end(datetime(2026, 1, 1), Period(days=1), tz=STOCKHOLM)
    with pytest.raises(TypeError):
        period_end("2026-01-01", Period(days=1), tz=STOCKHOLM)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- holidays


def _gauss_easter(year: int) -> date:
    """Plain twin of easter_sunday: Gauss's Easter algorithm (Gregorian)."""
    a, b, c = year % 19, year % 4, year % 7
    k = year // 100
    p = (13 + 8 * k) // 25
    q = k // 4
    m = (15 - p + k - q) % 30
    n = (4 + k - q) % 7
    d = (19 * a + m) % 30
    e = (2 * b + 4 * c + 6 * d + n) % 7
    if d == 29 and e == 6:
        return date(year, 4, 19)
    if d == 28 and e == 6 and (11 * m + 11) % 30 < 19:
        return date(year, 4, 18)
    return date(year, 3, 22) + timedelta(days=d + e)


@pytest.mark.parametrize(
    ("year", "expected"),
    [(2026, "2026-04-05"), (2027, "2027-03-28"), (2019, "2019-04-21"), (2285, "2285-03-22")],
    ids=["2026", "2027", "2019-late", "2285-earliest-possible"],
)
def test_easter_known_dates(year: int, expected: str) -> None:
    assert easter_sunday(year) == D(expected)


def test_easter_matches_gauss_for_four_centuries() -> None:
    for year in range(1900, 2300):
        assert easter_sunday(year) == _gauss_easter(year), year


@given(st.integers(1600, 4000))
def test_easter_is_a_sunday_between_22_march_and_25_april(year: int) -> None:
    easter = easter_sunday(year)
    assert easter.weekday() == 6
    assert date(year, 3, 22) <= easter <= date(year, 4, 25)


HOLIDAYS = {
    2026: [
        ("2026-01-01", "nyårsdagen"),
        ("2026-01-06", "trettondedag jul"),
        ("2026-04-03", "långfredagen"),
        ("2026-04-05", "påskdagen"),
        ("2026-04-06", "annandag påsk"),
        ("2026-05-01", "första maj"),
        ("2026-05-14", "Kristi himmelsfärdsdag"),
        ("2026-05-24", "pingstdagen"),
        ("2026-06-06", "Sveriges nationaldag"),
        ("2026-06-20", "midsommardagen"),
        ("2026-10-31", "alla helgons dag"),
        ("2026-12-25", "juldagen"),
        ("2026-12-26", "annandag jul"),
    ],
    2027: [
        ("2027-01-01", "nyårsdagen"),
        ("2027-01-06", "trettondedag jul"),
        ("2027-03-26", "långfredagen"),
        ("2027-03-28", "påskdagen"),
        ("2027-03-29", "annandag påsk"),
        ("2027-05-01", "första maj"),
        ("2027-05-06", "Kristi himmelsfärdsdag"),
        ("2027-05-16", "pingstdagen"),
        ("2027-06-06", "Sveriges nationaldag"),
        ("2027-06-26", "midsommardagen"),
        ("2027-11-06", "alla helgons dag"),
        ("2027-12-25", "juldagen"),
        ("2027-12-26", "annandag jul"),
    ],
}
EVES = {
    2026: [
        ("2026-06-19", "midsommarafton"),
        ("2026-12-24", "julafton"),
        ("2026-12-31", "nyårsafton"),
    ],
    2027: [
        ("2027-06-25", "midsommarafton"),
        ("2027-12-24", "julafton"),
        ("2027-12-31", "nyårsafton"),
    ],
}


@pytest.mark.parametrize(
    ("day", "name"),
    [pair for year in (2026, 2027) for pair in HOLIDAYS[year]],
    ids=[f"{d}-{n}" for year in (2026, 2027) for d, n in HOLIDAYS[year]],
)
def test_every_swedish_holiday(day: str, name: str) -> None:
    for cal in (SWEDEN, SWEDEN_WITH_EVES):
        assert cal.is_holiday(D(day))
        assert not cal.is_working_day(D(day))
        assert (D(day), name) in [(h.day, h.name) for h in cal.holidays(D(day).year)]


@pytest.mark.parametrize(
    ("day", "name"),
    [pair for year in (2026, 2027) for pair in EVES[year]],
    ids=[f"{d}-{n}" for year in (2026, 2027) for d, n in EVES[year]],
)
def test_eves_only_with_the_option(day: str, name: str) -> None:
    assert not SWEDEN.is_holiday(D(day))
    assert SWEDEN_WITH_EVES.is_holiday(D(day))
    assert name not in [h.name for h in SWEDEN.holidays(D(day).year)]
    assert (D(day), name) in [(h.day, h.name) for h in SWEDEN_WITH_EVES.holidays(D(day).year)]


@pytest.mark.parametrize("year", [2026, 2027])
def test_holiday_lists_are_complete(year: int) -> None:
    assert [(h.day.isoformat(), h.name) for h in SWEDEN.holidays(year)] == HOLIDAYS[year]
    both = sorted(HOLIDAYS[year] + EVES[year])
    assert [(h.day.isoformat(), h.name) for h in SWEDEN_WITH_EVES.holidays(year)] == both


@pytest.mark.parametrize(
    "day", ["2026-05-25", "2027-05-17"], ids=["annandag-pingst-2026", "annandag-pingst-2027"]
)
def test_whit_monday_is_no_longer_a_holiday(day: str) -> None:
    assert not SWEDEN_WITH_EVES.is_holiday(D(day))
    assert SWEDEN.is_working_day(D(day))


@given(st.integers(1900, 2500))
def test_movable_saturdays_and_feasts(year: int) -> None:
    by_name = {h.name: h.day for h in SWEDEN_WITH_EVES.holidays(year)}
    easter = _gauss_easter(year)
    assert by_name["långfredagen"] == easter - timedelta(days=2)
    assert by_name["annandag påsk"] == easter + timedelta(days=1)
    assert by_name["Kristi himmelsfärdsdag"] == easter + timedelta(days=39)
    assert by_name["Kristi himmelsfärdsdag"].weekday() == 3
    assert by_name["pingstdagen"] == easter + timedelta(days=49)
    assert by_name["pingstdagen"].weekday() == 6
    midsummer, all_saints = by_name["midsommardagen"], by_name["alla helgons dag"]
    assert midsummer.weekday() == all_saints.weekday() == 5
    assert date(year, 6, 20) <= midsummer <= date(year, 6, 26)
    assert date(year, 10, 31) <= all_saints <= date(year, 11, 6)
    assert by_name["midsommarafton"] == midsummer - timedelta(days=1)
    assert len(SWEDEN.holidays(year)) == 13
    assert len(SWEDEN_WITH_EVES.holidays(year)) == 16


def test_every_sunday_is_a_holiday_and_saturday_is_not_a_working_day() -> None:
    assert SWEDEN.is_holiday(D("2026-03-08"))
    assert not SWEDEN.is_holiday(D("2026-03-07"))
    assert not is_working_day(D("2026-03-07"))
    assert is_working_day(D("2026-03-09"))


def test_calendar_names_and_protocol() -> None:
    assert isinstance(SWEDEN, HolidayCalendar)
    assert "1989:253" in SWEDEN.name
    assert "1930:173" in SWEDEN_WITH_EVES.name
    assert SwedishCalendar(eves_as_holidays=True) == SWEDEN_WITH_EVES
    with pytest.raises(TypeError):
        SwedishCalendar(eves_as_holidays="yes")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        SWEDEN.is_holiday(sthlm("2026-01-01T12:00"))


# --------------------------------------------------------------------------- Art. 12(3) deadlines


@pytest.mark.parametrize(
    ("received", "default", "with_eves"),
    [
        ("2026-03-10", "2026-04-10", "2026-04-10"),
        ("2026-01-31", "2026-03-02", "2026-03-02"),
        ("2026-05-06", "2026-06-08", "2026-06-08"),
        ("2029-11-30", "2029-12-31", "2030-01-02"),
        ("2026-03-05", "2026-04-07", "2026-04-07"),
        ("2026-03-03", "2026-04-07", "2026-04-07"),
        ("2026-04-01", "2026-05-04", "2026-05-04"),
        ("2026-04-14", "2026-05-15", "2026-05-15"),
        ("2026-05-19", "2026-06-19", "2026-06-22"),
        ("2026-11-24", "2026-12-24", "2026-12-28"),
        ("2027-11-24", "2027-12-24", "2027-12-27"),
        ("2026-03-07", "2026-04-07", "2026-04-07"),
        ("2027-12-31", "2028-01-31", "2028-01-31"),
    ],
    ids=[
        "plain-month",
        "jan31-clamped-to-saturday-feb28",
        "national-day-then-sunday",
        "rolls-onto-nyarsafton",
        "easter-sunday-and-monday",
        "good-friday-weekend-easter-monday",
        "first-of-may-then-weekend",
        "ascension-day",
        "midsommarafton",
        "julafton-2026",
        "julafton-2027",
        "received-on-a-saturday",
        "over-new-year",
    ],
)
def test_response_deadline(received: str, default: str, with_eves: str) -> None:
    assert response_deadline(D(received)) == D(default)
    assert response_deadline(D(received), calendar=SWEDEN_WITH_EVES) == D(with_eves)


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        ("2026-01-31", "2026-04-30"),
        ("2026-03-10", "2026-06-10"),
        ("2025-11-30", "2026-03-02"),
        ("2027-11-29", "2028-02-29"),
    ],
    ids=["jan31-three-months", "plain", "feb28-2026-saturday", "leap-day"],
)
def test_extended_deadline_is_three_months_from_receipt(received: str, expected: str) -> None:
    assert response_deadline(D(received), extended=True) == D(expected)


def test_datetime_receipt_counts_its_local_date() -> None:
    late_evening_utc = datetime(2026, 3, 9, 23, 30, tzinfo=UTC)  # 00:30 on 10 March in Stockholm
    assert receipt_date(late_evening_utc) == D("2026-03-10")
    assert response_deadline(late_evening_utc) == D("2026-04-10")
    assert response_deadline(late_evening_utc, tz=UTC) == D("2026-04-09")
    assert receipt_date(D("2026-03-10")) == D("2026-03-10")


def test_response_late_from_is_midnight_after_the_deadline() -> None:
    late = response_late_from(D("2026-03-10"))
    assert late == datetime(2026, 4, 11, tzinfo=STOCKHOLM)
    assert late.utcoffset() == timedelta(hours=2)
    assert response_late_from(D("2029-11-30"), calendar=SWEDEN_WITH_EVES) == datetime(
        2030, 1, 3, tzinfo=STOCKHOLM
    )


def test_deadline_rejects_naive_and_strings() -> None:
    with pytest.raises(NaiveDatetimeError):
        response_deadline(datetime(2026, 3, 10, 12))
    with pytest.raises(TypeError):
        response_deadline("2026-03-10")  # type: ignore[arg-type]


class _EveryFriday:
    """A made-up calendar: every Friday is a holiday."""

    name = "Fridays off"

    def is_holiday(self, day: date, /) -> bool:
        return day.weekday() == 4


def test_pluggable_calendar() -> None:
    cal = _EveryFriday()
    assert isinstance(cal, HolidayCalendar)
    # 2026-04-10 is a Friday, then a weekend.
    assert response_deadline(D("2026-03-10"), calendar=cal) == D("2026-04-13")
    assert next_working_day(D("2026-04-10"), cal) == D("2026-04-13")
    assert next_working_day(D("2026-04-09"), cal) == D("2026-04-09")


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)), st.booleans())
def test_deadline_properties(received: date, eves: bool) -> None:
    cal = SWEDEN_WITH_EVES if eves else SWEDEN
    raw = add_months(received, 1)
    due = response_deadline(received, calendar=cal)
    assert cal.is_working_day(due)
    assert raw <= due
    day = raw
    while day < due:  # every day skipped is a weekend day or holiday
        assert not cal.is_working_day(day)
        day += timedelta(days=1)
    assert response_deadline(received, extended=True, calendar=cal) > due
    assert response_deadline(received, calendar=SWEDEN) <= response_deadline(
        received, calendar=SWEDEN_WITH_EVES
    )


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)))
def test_deadline_from_an_instant_uses_the_stockholm_date(moment: datetime) -> None:
    instant = moment.replace(tzinfo=UTC)
    local = instant.astimezone(ZoneInfo("Europe/Stockholm")).date()
    assert response_deadline(instant) == response_deadline(local)
