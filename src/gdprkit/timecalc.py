"""Calendar arithmetic for retention periods and request deadlines.

Periods are counted in calendar years, months and days in the policy's time
zone (Europe/Stockholm for Elveta), never as fixed 365-day years, and the way
Regulation (EEC, Euratom) No 1182/71 counts them:

* a period runs from the day *after* the event (Art. 3(1), 2nd subparagraph),
  so a :class:`~datetime.date` event is a whole day and a period after it ends
  at the end of the day with the same date in the last month, or that month's
  last day where it has none (Art. 3(2)(c));
* an aware :class:`~datetime.datetime` event keeps its wall-clock time: one day
  after 2026-03-28 12:00 Europe/Stockholm is 2026-03-29 12:00, across the
  change to summer time.

Wall-clock times are attached to a zone deterministically (:func:`localize`):
an ambiguous time (the repeated hour in autumn) takes ``fold=0``, the first
occurrence; a time in the spring gap is read the way :mod:`zoneinfo` reads it
with ``fold=0`` (with the offset in force before the change) and then
normalised, so 02:30 on 2026-03-29 in Stockholm becomes 03:30 CEST.

Response deadlines for Art. 12(3) GDPR requests (:func:`response_deadline`)
add Art. 3(4) of 1182/71: a period whose last day is a Saturday, Sunday or
public holiday ends with the following working day. Holiday calendars are
pluggable (:class:`HolidayCalendar`); the Swedish one (:data:`SWEDEN`,
Lag (1989:253) om allmänna helgdagar) is built in.
"""

from __future__ import annotations

import functools
import re
from calendar import monthrange
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Final, Literal, Protocol, overload, runtime_checkable
from zoneinfo import ZoneInfo

import attrs

from gdprkit._errors import RetentionError
from gdprkit._util import require_aware

__all__ = [
    "ALIGNMENTS",
    "STOCKHOLM",
    "SWEDEN",
    "SWEDEN_WITH_EVES",
    "Align",
    "Holiday",
    "HolidayCalendar",
    "Period",
    "SwedishCalendar",
    "add_months",
    "easter_sunday",
    "end_of",
    "end_of_day",
    "first_day_after",
    "is_working_day",
    "localize",
    "next_working_day",
    "period_end",
    "receipt_date",
    "response_deadline",
    "response_late_from",
    "start_of_day",
]

STOCKHOLM: Final = ZoneInfo("Europe/Stockholm")
"""Elveta's policy time zone, the default for deadlines."""

Align = Literal["day", "month", "year"]
"""The unit a period's end is moved to the end of."""

ALIGNMENTS: Final[tuple[Align, ...]] = ("day", "month", "year")


# --------------------------------------------------------------------------- periods


def _component(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RetentionError(f"Period.{attribute.name} must be an int, got {type(value).__name__}")
    if value < 0:
        # Retention periods run forward from an event; a negative one is a typo
        # that would make data expire before the event that justifies keeping it.
        raise RetentionError(f"Period.{attribute.name} must not be negative")


_ISO_PERIOD = re.compile(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?")


@attrs.frozen
class Period:
    """A calendar period of years, months and days (Reg. 1182/71 Art. 3(2)(c)).

    Years and months are added together as months, with the day clamped to the
    last day of the target month (31 January + 1 month = last day of February;
    29 February + 1 year = 28 February), then the days are added. Negative
    components are refused with :class:`~gdprkit.RetentionError`.
    """

    years: int = attrs.field(default=0, validator=_component)
    months: int = attrs.field(default=0, validator=_component)
    days: int = attrs.field(default=0, validator=_component)

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse an ISO 8601 duration of years, months, weeks and days (``"P7Y"``, ``"P2W"``).

        Weeks become seven days each. Time components (``"PT1H"``) are refused:
        retention and deadlines are counted in whole days.
        """
        if not isinstance(text, str):
            raise RetentionError(f"a period must be a string, got {type(text).__name__}")
        match = _ISO_PERIOD.fullmatch(text.strip())
        if match is None or not any(match.groups()):
            hint = " (time components such as 'T1H' are not supported)" if "T" in text else ""
            raise RetentionError(
                "must be an ISO 8601 duration of years, months, weeks and days,"
                f" such as 'P7Y', 'P24M' or 'P30D'{hint}"
            )
        years, months, weeks, days = (int(g) if g else 0 for g in match.groups())
        return cls(years=years, months=months, days=weeks * 7 + days)

    def __str__(self) -> str:
        units = ((self.years, "Y"), (self.months, "M"), (self.days, "D"))
        text = "".join(f"{n}{unit}" for n, unit in units if n)
        return f"P{text}" if text else "P0D"

    @property
    def total_months(self) -> int:
        """Years and months together, in months."""
        return self.years * 12 + self.months

    @property
    def is_zero(self) -> bool:
        """True for the empty period ``P0D``."""
        return not (self.years or self.months or self.days)

    @overload
    def __radd__(self, value: datetime) -> datetime: ...
    @overload
    def __radd__(self, value: date) -> date: ...
    def __radd__(self, value: date) -> date:
        """``date + Period`` and ``datetime + Period``: the same as :meth:`add_to`."""
        if not isinstance(value, date):
            return NotImplemented
        return self.add_to(value)

    @overload
    def add_to(self, value: datetime) -> datetime: ...
    @overload
    def add_to(self, value: date) -> date: ...
    def add_to(self, value: date) -> date:
        """Add the period to a date, or to an aware datetime keeping its wall-clock time.

        A datetime is moved in its own zone (convert it to the policy's zone
        first); the new wall-clock time is attached with :func:`localize`.
        Naive datetimes raise :class:`~gdprkit.NaiveDatetimeError`.
        """
        if isinstance(value, datetime):
            aware = require_aware(value, "the datetime a period is added to")
            if self.is_zero:
                return aware
            zone = aware.tzinfo
            if zone is None:  # pragma: no cover - require_aware guarantees a zone
                raise AssertionError
            wall = aware.replace(tzinfo=None)
            return localize(datetime.combine(self._add_date(wall.date()), wall.time()), zone)
        if not isinstance(value, date):
            raise TypeError(f"a period is added to a date or datetime, not {type(value).__name__}")
        return self._add_date(value)

    def _add_date(self, day: date) -> date:
        moved = add_months(day, self.total_months)
        try:
            return moved + timedelta(days=self.days)
        except OverflowError:
            raise RetentionError("the end of the period is outside the calendar") from None


def add_months(day: date, months: int) -> date:
    """Move a date by whole months, clamped to the last day of a shorter month.

    Reg. 1182/71 Art. 3(2)(c): where the last month has no such date, the last day of that month.
    """
    total = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(total, 12)
    if not 1 <= year <= 9999:
        raise RetentionError("the end of the period is outside the calendar")
    last = monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


# --------------------------------------------------------------------------- days and instants


def localize(wall: datetime, tz: tzinfo) -> datetime:
    """Attach a zone to a naive wall-clock time, deterministically.

    An ambiguous time takes ``fold=0`` (its first occurrence). A time in a gap
    is read as :mod:`zoneinfo` reads it with ``fold=0`` (with the offset before
    the change) and normalised, so it moves forward by the length of the gap.
    """
    if wall.tzinfo is not None:
        raise ValueError("localize() takes a naive wall-clock time")
    return wall.replace(tzinfo=tz, fold=0).astimezone(UTC).astimezone(tz)


def start_of_day(day: date, tz: tzinfo) -> datetime:
    """The first instant of a calendar day in ``tz`` (its local midnight)."""
    if isinstance(day, datetime):
        raise TypeError("start_of_day() takes a date, not a datetime")
    return localize(datetime.combine(day, time()), tz)


def end_of_day(day: date, tz: tzinfo) -> datetime:
    """The instant a calendar day ends in ``tz``: the next day's local midnight.

    Reg. 1182/71 Art. 3(2): a period ends "with the expiry of the last hour" of
    its last day; the first instant after that is when it has run out.
    """
    return start_of_day(_next_day(day), tz)


def end_of(day: date, unit: Align) -> date:
    """The last day of the day, month or calendar year that contains ``day``."""
    if unit == "day":
        return day
    if unit == "month":
        return day.replace(day=monthrange(day.year, day.month)[1])
    if unit == "year":
        return day.replace(month=12, day=31)
    raise RetentionError("align must be one of 'day', 'month', 'year'")


def first_day_after(day: date, unit: Align) -> date:
    """The first day after the day, month or calendar year that contains ``day``."""
    return _next_day(end_of(day, unit))


def _next_day(day: date) -> date:
    try:
        return day + timedelta(days=1)
    except OverflowError:
        raise RetentionError("the end of the period is outside the calendar") from None


def period_end(
    event: date | datetime, period: Period, *, align: Align | None = None, tz: tzinfo
) -> datetime:
    """The first instant after ``period`` counted from ``event`` has run out, in ``tz``.

    A date event is a whole day: the period ends at the end of the day
    ``period.add_to(event)`` (Reg. 1182/71 Art. 3(1), 3(2)(c)), so one month
    after 2026-03-10 has run out at 2026-04-11 00:00. A datetime event keeps
    its wall-clock time in ``tz``. With ``align`` the end moves to the end of
    the day, month or calendar year containing event + period (BFL 7 kap. 2 §
    counts to the end of a calendar year).
    """
    if isinstance(event, datetime):
        local = require_aware(event, "event").astimezone(tz)
        end = period.add_to(local)
        if align is None:
            return end
        return start_of_day(first_day_after(end.date(), align), tz)
    if not isinstance(event, date):
        raise TypeError(f"event must be a date or datetime, not {type(event).__name__}")
    return start_of_day(first_day_after(period.add_to(event), align or "day"), tz)


# --------------------------------------------------------------------------- holiday calendars


@runtime_checkable
class HolidayCalendar(Protocol):
    """Which days are public holidays (Reg. 1182/71 Art. 2(1)), with a name for messages."""

    @property
    def name(self) -> str:
        """A short name such as ``"Sweden (Lag 1989:253)"``."""

    def is_holiday(self, day: date, /) -> bool:
        """True when ``day`` is a public holiday."""


def is_working_day(day: date, calendar: HolidayCalendar | None = None) -> bool:
    """True for a day that is not a Saturday, Sunday or holiday (Reg. 1182/71 Art. 2(2))."""
    cal = SWEDEN if calendar is None else calendar
    return day.weekday() < 5 and not cal.is_holiday(day)


def next_working_day(day: date, calendar: HolidayCalendar | None = None) -> date:
    """``day`` itself if it is a working day, else the following working day (1182/71 Art. 3(4))."""
    while not is_working_day(day, calendar):
        day = _next_day(day)
    return day


@attrs.frozen
class Holiday:
    """One named public holiday: its date, Swedish name and English name."""

    day: date
    name: str
    name_en: str


def easter_sunday(year: int) -> date:
    """Easter Sunday of a Gregorian year (the anonymous Gregorian computus, Meeus/Jones/Butcher).

    Lag (1989:253) 1 §: påskdagen is the Sunday after the (ecclesiastical) full
    moon that falls on or next after 21 March.
    """
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday_shift = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday_shift) // 451
    month, day0 = divmod(h + weekday_shift - 7 * m + 114, 31)
    return date(year, month, day0 + 1)


def _saturday_from(first: date) -> date:
    """The first Saturday on or after ``first`` (a Saturday in a seven-day window)."""
    return first + timedelta(days=(5 - first.weekday()) % 7)


@functools.lru_cache(maxsize=512)
def _swedish_days(year: int, eves: bool) -> tuple[Holiday, ...]:
    easter = easter_sunday(year)
    midsummer = _saturday_from(date(year, 6, 20))  # the Saturday 20-26 June
    days = [
        Holiday(date(year, 1, 1), "nyårsdagen", "New Year's Day"),
        Holiday(date(year, 1, 6), "trettondedag jul", "Epiphany"),
        Holiday(easter - timedelta(days=2), "långfredagen", "Good Friday"),
        Holiday(easter, "påskdagen", "Easter Sunday"),
        Holiday(easter + timedelta(days=1), "annandag påsk", "Easter Monday"),
        Holiday(date(year, 5, 1), "första maj", "May Day"),
        Holiday(easter + timedelta(days=39), "Kristi himmelsfärdsdag", "Ascension Day"),
        Holiday(easter + timedelta(days=49), "pingstdagen", "Whit Sunday"),
        Holiday(date(year, 6, 6), "Sveriges nationaldag", "National Day of Sweden"),
        Holiday(midsummer, "midsommardagen", "Midsummer Day"),
        # the Saturday 31 October - 6 November
        Holiday(_saturday_from(date(year, 10, 31)), "alla helgons dag", "All Saints' Day"),
        Holiday(date(year, 12, 25), "juldagen", "Christmas Day"),
        Holiday(date(year, 12, 26), "annandag jul", "Boxing Day"),
    ]
    if eves:
        # Lag (1930:173) 2 § treats these three eves like holidays for Swedish
        # statutory time limits; they are not allmänna helgdagar.
        days += [
            Holiday(midsummer - timedelta(days=1), "midsommarafton", "Midsummer Eve"),
            Holiday(date(year, 12, 24), "julafton", "Christmas Eve"),
            Holiday(date(year, 12, 31), "nyårsafton", "New Year's Eve"),
        ]
    return tuple(sorted(days, key=lambda h: h.day))


@functools.lru_cache(maxsize=512)
def _swedish_dates(year: int, eves: bool) -> frozenset[date]:
    return frozenset(h.day for h in _swedish_days(year, eves))


def _bool_only(instance: object, attribute: attrs.Attribute[bool], value: bool) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"{attribute.name} must be True or False")


@attrs.frozen
class SwedishCalendar:
    """Swedish public holidays, *allmänna helgdagar* (Lag (1989:253) om allmänna helgdagar).

    Every Sunday, plus nyårsdagen, trettondedag jul, långfredagen, påskdagen,
    annandag påsk, första maj, Kristi himmelsfärdsdag, pingstdagen,
    nationaldagen, midsommardagen, alla helgons dag, juldagen and annandag jul,
    computed for any year by the rules in force since 2005 (SFS 2004:1320:
    annandag pingst is no longer a holiday; earlier years are not modelled
    historically). With ``eves_as_holidays=True`` midsommarafton, julafton and
    nyårsafton count too, the reading of Lag (1930:173) 2 § (LEGAL.md §2.3).
    """

    eves_as_holidays: bool = attrs.field(default=False, validator=_bool_only)

    @property
    def name(self) -> str:
        """``"Sweden (Lag 1989:253)"``, with the eves noted when they count."""
        if self.eves_as_holidays:
            return "Sweden (Lag 1989:253, with the eves of Lag 1930:173 2 §)"
        return "Sweden (Lag 1989:253)"

    def is_holiday(self, day: date, /) -> bool:
        """True for a Sunday or a named holiday (and, with the option, the three eves)."""
        if isinstance(day, datetime):
            raise TypeError("is_holiday() takes a date, not a datetime")
        return day.weekday() == 6 or day in _swedish_dates(day.year, self.eves_as_holidays)

    def is_working_day(self, day: date) -> bool:
        """True for a day that is neither a Saturday, a Sunday nor a holiday (1182/71 Art. 2(2))."""
        return is_working_day(day, self)

    def holidays(self, year: int) -> tuple[Holiday, ...]:
        """The named holidays of ``year`` in date order (ordinary Sundays are not listed)."""
        return _swedish_days(year, self.eves_as_holidays)


SWEDEN: Final = SwedishCalendar()
"""Saturdays, Sundays and *allmänna helgdagar*: the default for Art. 12(3) deadlines."""

SWEDEN_WITH_EVES: Final = SwedishCalendar(eves_as_holidays=True)
""":data:`SWEDEN` plus midsommarafton, julafton and nyårsafton (Lag (1930:173) 2 §)."""


# --------------------------------------------------------------------------- Art. 12(3) deadlines


def receipt_date(received: date | datetime, *, tz: tzinfo = STOCKHOLM) -> date:
    """The calendar day a request was received on: a datetime's local date in ``tz``.

    A receipt on a Saturday or holiday still counts from that day (1182/71
    counts calendar days; LEGAL.md §2.4 step 1).
    """
    if isinstance(received, datetime):
        return require_aware(received, "received").astimezone(tz).date()
    if isinstance(received, date):
        return received
    raise TypeError(f"received must be a date or an aware datetime, not {type(received).__name__}")


def response_deadline(
    received: date | datetime,
    *,
    extended: bool = False,
    calendar: HolidayCalendar | None = None,
    tz: tzinfo = STOCKHOLM,
    eves_as_holidays: bool = False,
) -> date:
    """The last day to answer a data-subject request (Art. 12(3) GDPR).

    One month from receipt, or three months in all when ``extended``, counted
    under Reg. 1182/71: the period ends on the same date in the last month, or
    that month's last day where it has none (Art. 3(2)(c)); a Saturday, Sunday
    or holiday moves it to the following working day (Art. 3(4)). A datetime
    receipt is first turned into its local date in ``tz``. The calendar is
    Sweden's (Lag (1989:253)); ``eves_as_holidays=True`` adds midsommarafton,
    julafton and nyårsafton (Lag (1930:173) 2 §); ``calendar=`` replaces both.
    """
    if calendar is None:
        calendar = SWEDEN_WITH_EVES if eves_as_holidays else SWEDEN
    elif eves_as_holidays:
        raise TypeError("pass either calendar= or eves_as_holidays=, not both")
    start = receipt_date(received, tz=tz)
    return next_working_day(add_months(start, 3 if extended else 1), calendar)


def response_late_from(
    received: date | datetime,
    *,
    extended: bool = False,
    calendar: HolidayCalendar | None = None,
    tz: tzinfo = STOCKHOLM,
    eves_as_holidays: bool = False,
) -> datetime:
    """The instant an answer is late from: 00:00 in ``tz`` on the day after the deadline.

    Reg. 1182/71 Art. 3(2)(c): the period ends with the expiry of the last hour
    of its last day (Art. 12(3) GDPR).
    """
    deadline = response_deadline(
        received, extended=extended, calendar=calendar, tz=tz, eves_as_holidays=eves_as_holidays
    )
    return end_of_day(deadline, tz)
