"""Generalisers of one value: postcode prefix, coarse location, date truncation, recoding,
suppression.

Each comes as a function for one value and as a declared, frozen class to be
applied to many rows (in a :class:`~gdprkit.anonymize.Generalization`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Final, Literal, overload

import attrs

from gdprkit._anonymize import checks
from gdprkit._errors import AnonymizationError
from gdprkit._util import FrozenMap, require_aware

#: Mean Earth radius (IUGG), the sphere the location grid is laid on.
EARTH_RADIUS_KM: Final = 6371.0088
_KM_PER_DEGREE: Final = math.pi * EARTH_RADIUS_KM / 180.0
_MIN_KM: Final = 0.001

DateUnit = Literal["day", "week", "month", "quarter", "year"]
TimeUnit = Literal["minute", "hour", "day", "week", "month", "quarter", "year"]
_DATE_UNITS: Final = ("day", "week", "month", "quarter", "year")
_TIME_UNITS: Final = ("minute", "hour", *_DATE_UNITS)

_POSTCODE: Final = re.compile(
    r"\s*(?:SE[-\s]?)?([1-9]\d{2})\s?(\d{2})\s*\Z", re.IGNORECASE | re.ASCII
)
_PREFIX: Final = re.compile(r"\s*([1-9]\d{0,4})\s*\Z", re.ASCII)


# --------------------------------------------------------------------------- postcode


def postcode_prefix(postcode: object, digits: int = 3) -> str:
    """Generalise a Swedish postcode to its first ``digits`` digits: ``"114 55"`` -> ``"114"``.

    Accepts ``"11455"``, ``"114 55"``, ``"SE-114 55"`` (any case, surrounding
    blanks) and, so that generalising twice changes nothing, a bare prefix of
    at least ``digits`` digits. Swedish postcodes are five ASCII digits and
    never start with 0. A postcode is a quasi-identifier that helps single a
    household out (WP216): three digits cover a district, two a region. The
    error never shows the rejected value.
    """
    digits = checks.positive_int(digits, "digits", upper=5)
    if not isinstance(postcode, str):
        raise AnonymizationError(f"postcode must be a str, got {type(postcode).__name__}")
    match = _POSTCODE.match(postcode)
    if match is not None:
        return (match[1] + match[2])[:digits]
    match = _PREFIX.match(postcode)
    if match is not None and len(match[1]) >= digits:
        return match[1][:digits]
    raise AnonymizationError(
        "postcode is not a Swedish postcode (expected 'NNN NN', 'NNNNN' or 'SE-NNN NN', "
        f"first digit 1-9, or a prefix of at least {digits} digits)"
    )


@attrs.frozen
class PostcodePrefix:
    """A declared :func:`postcode_prefix` generaliser, applied to many rows."""

    digits: int = attrs.field(default=3)

    @digits.validator
    def _check(self, _attribute: object, value: object) -> None:
        checks.positive_int(value, "digits", upper=5)

    def __call__(self, postcode: object) -> str:
        """Return the first ``digits`` digits of ``postcode``."""
        return postcode_prefix(postcode, self.digits)


# --------------------------------------------------------------------------- location


def _grid_cell(lat: object, lon: object, km: float) -> tuple[int, int, float, float]:
    """Row, column and centre of the grid cell holding (lat, lon); see :class:`CoarseLocation`."""
    la = float(checks.real(lat, "latitude"))
    lo = float(checks.real(lon, "longitude"))
    if not -90.0 <= la <= 90.0:
        raise AnonymizationError("latitude must lie in [-90, 90]")
    if not -180.0 <= lo <= 180.0:
        raise AnonymizationError("longitude must lie in [-180, 180]")
    rows = max(1, round(180.0 * _KM_PER_DEGREE / km))
    band = 180.0 / rows
    row = min(int((la + 90.0) // band), rows - 1)
    centre_lat = -90.0 + (row + 0.5) * band
    circumference = 360.0 * _KM_PER_DEGREE * math.cos(math.radians(centre_lat))
    cols = max(1, round(circumference / km))
    width = 360.0 / cols
    col = int((lo + 180.0) // width) % cols  # +180 is the same meridian as -180
    centre_lon = -180.0 + (col + 0.5) * width
    # Rounded to 0.1 m for readable output; far below half a cell (km >= 0.001), so a
    # rounded centre still lies in its own cell.
    return row, col, round(centre_lat, 6), round(centre_lon, 6)


def _check_km(value: float | Decimal) -> float:
    km = float(checks.real(value, "km"))
    if km < _MIN_KM:
        raise AnonymizationError(
            f"km must be at least {_MIN_KM} (a grid finer than 1 m generalises nothing)"
        )
    return km


def coarse_location(lat: object, lon: object, *, km: float) -> tuple[float, float]:
    """Snap a WGS84 point to the centre of its cell in a grid of about ``km`` x ``km``.

    Precise location singles a household out (WP216); a cell of a few
    km holds many. See :class:`CoarseLocation` for the grid and its
    approximation.
    """
    _, _, centre_lat, centre_lon = _grid_cell(lat, lon, _check_km(km))
    return centre_lat, centre_lon


@attrs.frozen
class CoarseLocation:
    """A declared location generaliser: a point -> the centre of its grid cell of about ``km``.

    The grid is laid on a sphere of radius :data:`EARTH_RADIUS_KM` (WGS84
    coordinates are taken as spherical; the error is far below a cell). It
    has ``round(20015 / km)`` latitude bands of equal height, so each is
    about ``km`` tall. Each band is cut into ``round(L / km)`` equal
    longitude cells, where ``L`` is the length of the parallel through the
    band centre (the equator's length scaled by ``cos`` of the centre
    latitude). A cell is therefore about ``km`` wide at the band centre,
    slightly narrower at its poleward edge and wider at its equatorward edge
    (at 60° N and 10 km, by about 0.15 %); near the poles a band may be a single
    cell. Cells are roughly equal in area, which is what coarsening needs:
    every point maps to exactly one cell, and no cell is much smaller than
    the others.

    ``__call__`` returns the cell centre ``(lat, lon)``, computed from the
    cell id alone (so all points of a cell give the same floats) and rounded
    to 6 decimals; :meth:`cell` returns the cell id ``(row, col)``, row 0 at
    the south pole and column 0 at 180° W. Both are idempotent: a centre lies
    in its own cell. ``km`` must be at least 0.001.
    """

    km: float = attrs.field(converter=_check_km)

    def __call__(self, lat: object, lon: object) -> tuple[float, float]:
        """Return the centre ``(lat, lon)`` of the cell holding the point."""
        _, _, centre_lat, centre_lon = _grid_cell(lat, lon, self.km)
        return centre_lat, centre_lon

    def cell(self, lat: object, lon: object) -> tuple[int, int]:
        """Return the id ``(row, col)`` of the cell holding the point (row 0: the south pole)."""
        row, col, _, _ = _grid_cell(lat, lon, self.km)
        return row, col


# --------------------------------------------------------------------------- time


def _check_unit(unit: object, allowed: tuple[str, ...], what: str) -> str:
    if not isinstance(unit, str) or unit not in allowed:
        raise AnonymizationError(f"unit for {what} must be one of: {', '.join(allowed)}")
    return unit


def _truncate_date(value: date, unit: str) -> date:
    if unit == "day":
        return value
    if unit == "week":
        return value - timedelta(days=value.weekday())
    if unit == "month":
        return value.replace(day=1)
    if unit == "quarter":
        return value.replace(month=(value.month - 1) // 3 * 3 + 1, day=1)
    return value.replace(month=1, day=1)


def _truncate(value: object, unit: object) -> date:
    if isinstance(value, datetime):
        aware = require_aware(value, "value")
        _check_unit(unit, _TIME_UNITS, "a datetime")
        if unit == "minute":
            return aware.replace(second=0, microsecond=0)
        if unit == "hour":
            return aware.replace(minute=0, second=0, microsecond=0)
        day = _truncate_date(aware.date(), str(unit))
        return datetime.combine(day, datetime.min.time(), tzinfo=aware.tzinfo)
    if isinstance(value, date):
        return _truncate_date(value, _check_unit(unit, _DATE_UNITS, "a date"))
    raise AnonymizationError(f"value must be a date or datetime, got {type(value).__name__}")


@overload
def truncate(value: datetime, unit: TimeUnit) -> datetime: ...
@overload
def truncate(value: date, unit: DateUnit) -> date: ...
def truncate(value: date, unit: TimeUnit) -> date:
    """Truncate a date or an aware datetime to the start of its ``unit``.

    Dates go to ``day``/``week`` (ISO, Monday)/``month``/``quarter``/``year``;
    aware datetimes also to ``minute``/``hour``, keeping their time zone: the
    wall-clock fields are truncated in the zone the value carries, so convert
    first (``dt.astimezone(policy.timezone)``) to bucket in local time. A
    timestamp singles out (WP216); a month seldom does. Naive datetimes
    raise :class:`~gdprkit.NaiveDatetimeError`, as everywhere in gdprkit.
    Truncating a truncated value changes nothing.
    """
    return _truncate(value, unit)


@attrs.frozen
class Truncate:
    """A declared :func:`truncate` generaliser: every date or aware datetime to its ``unit``.

    A plain date given to ``Truncate("hour")`` or ``Truncate("minute")`` is
    an error: a date has no hour to truncate to.
    """

    unit: TimeUnit = attrs.field()

    @unit.validator
    def _check(self, _attribute: object, value: object) -> None:
        _check_unit(value, _TIME_UNITS, "Truncate")

    @overload
    def __call__(self, value: datetime) -> datetime: ...
    @overload
    def __call__(self, value: date) -> date: ...
    def __call__(self, value: date) -> date:
        """Return the start of the unit holding ``value``."""
        return _truncate(value, self.unit)


# --------------------------------------------------------------------------- categories


def _table(value: Mapping[Any, str | None]) -> FrozenMap[Any, str | None]:
    if not isinstance(value, Mapping):
        raise AnonymizationError("table must be a mapping")
    return FrozenMap(value)


@attrs.frozen
class Recode:
    """A declared global recoding: each value -> its coarser category, anything else -> ``other``.

    For categories with a long tail (heat-pump models, equipment makes):
    a rare model singles its owner out; its make or type seldom does.
    Listing the categories explicitly means an unforeseen value becomes
    ``other`` instead of leaking through.
    """

    table: Mapping[Any, str | None] = attrs.field(converter=_table)
    other: str | None = attrs.field(default="*", kw_only=True)

    def __call__(self, value: object) -> str | None:
        """Return the category of ``value``, or ``other``."""
        try:
            return self.table.get(value, self.other)
        except TypeError:
            raise AnonymizationError("Recode needs hashable values") from None


@attrs.frozen
class Suppress:
    """A declared suppression: every value -> ``marker`` (``None`` or e.g. ``"*"``).

    For a column that must stay in the output's shape but must not carry
    information; to remove a column, leave it out of the :class:`Generalization`.
    """

    marker: str | None = None

    def __call__(self, value: object) -> str | None:
        """Return ``marker``, whatever ``value`` is."""
        return self.marker
