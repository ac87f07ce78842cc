"""Generalisers and re-identification risk measures for candidate anonymized data.

Anonymized data falls outside the GDPR only if the data subject is "not or no
longer identifiable" by any means reasonably likely to be used (Recital 26).
This module gives the two halves of getting there: *generalisers* that coarsen
quasi-identifiers (location, postcode, dates, numbers, categories) and a
:class:`Generalization` that applies them to rows and drops every column not
declared; and *measures* (:func:`k_anonymity`, :func:`risk_report`,
:func:`l_diversity`) plus :func:`enforce_k`, which suppresses the rows of
equivalence classes that are too small.

The measures address the WP29 criteria of Opinion 05/2014 (WP216) only in
part: k-anonymity bounds *singling out* within the released table, l-diversity
limits one kind of *inference*; neither says anything about *linkability* with
other releases. A measured k is evidence for a risk assessment, not a verdict.

Error messages name the column, parameter and what was expected, never the
value: the value is usually personal data.
"""

from __future__ import annotations

import bisect
import decimal
import itertools
import math
import operator
import re
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Final, Literal, TypeVar, overload

import attrs

from gdprkit._errors import AnonymizationError, GdprkitError, NaiveDatetimeError
from gdprkit._util import FrozenMap, require_aware

__all__ = [
    "EARTH_RADIUS_KM",
    "Bucket",
    "Clamp",
    "CoarseLocation",
    "DateUnit",
    "EdgeBucket",
    "From",
    "Generalization",
    "PostcodePrefix",
    "Recode",
    "RiskReport",
    "Suppress",
    "SuppressionReport",
    "TimeUnit",
    "Truncate",
    "bucket",
    "clamp",
    "coarse_location",
    "edge_bucket",
    "enforce_k",
    "k_anonymity",
    "l_diversity",
    "postcode_prefix",
    "risk_report",
    "truncate",
]

RowT = TypeVar("RowT", bound=Mapping[str, object])
N = TypeVar("N", int, float, Decimal)

#: Mean Earth radius (IUGG), the sphere the location grid is laid on.
EARTH_RADIUS_KM: Final = 6371.0088
_KM_PER_DEGREE: Final = math.pi * EARTH_RADIUS_KM / 180.0
_MIN_KM: Final = 0.001

DateUnit = Literal["day", "week", "month", "quarter", "year"]
TimeUnit = Literal["minute", "hour", "day", "week", "month", "quarter", "year"]
_DATE_UNITS: Final = ("day", "week", "month", "quarter", "year")
_TIME_UNITS: Final = ("minute", "hour", *_DATE_UNITS)

# Wide enough that every float (and any sane Decimal) is handled exactly: the
# integer part of a bucket index must never be rounded.
_CTX: Final = decimal.Context(prec=1200, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)

_POSTCODE: Final = re.compile(
    r"\s*(?:SE[-\s]?)?([1-9]\d{2})\s?(\d{2})\s*\Z", re.IGNORECASE | re.ASCII
)
_PREFIX: Final = re.compile(r"\s*([1-9]\d{0,4})\s*\Z", re.ASCII)


# --------------------------------------------------------------------------- checks


def _positive_int(value: object, what: str, *, upper: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise AnonymizationError(f"{what} must be a positive int")
    if upper is not None and value > upper:
        raise AnonymizationError(f"{what} must be at most {upper}")
    return value


def _real(value: object, what: str) -> float | Decimal:
    """Return ``value`` if it is a finite int, float or Decimal; the value is never echoed."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise AnonymizationError(
            f"{what} must be an int, float or Decimal, got {type(value).__name__}"
        )
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise AnonymizationError(f"{what} must be finite")
        return value
    if isinstance(value, float) and not math.isfinite(value):
        raise AnonymizationError(f"{what} must be finite")
    return value


def _declared(value: int | float | Decimal) -> Decimal:
    """A checked number as its author wrote it: ``0.3`` is 0.3, not its binary neighbour.

    A float is taken at its shortest repr, so ``bucket(0.3, 0.1)`` is
    ``"[0.3, 0.4)"``, as a reader expects, and the float bounds of
    :meth:`Bucket.range` still hold the float value.
    """
    if isinstance(value, float):
        return Decimal(repr(value))
    return value if isinstance(value, Decimal) else Decimal(value)


def _fmt(value: Decimal) -> str:
    if value == 0:
        return "0"
    return format(value.normalize(_CTX), "f")


def _column(value: object, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise AnonymizationError(f"{what} must hold non-empty column names (str)")
    return value


def _names(value: str | Iterable[str], what: str) -> tuple[str, ...]:
    try:
        raw: tuple[object, ...] = (value,) if isinstance(value, str) else tuple(value)
    except TypeError:
        raise AnonymizationError(f"{what} must be a sequence of column names") from None
    names = tuple(_column(name, what) for name in raw)
    if len(set(names)) != len(names):
        raise AnonymizationError(f"{what} names a column twice")
    return names


def _quasi_identifiers(value: Sequence[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        raise AnonymizationError(
            "quasi_identifiers must be a sequence of column names, not a single str; "
            "write (name,) for one column"
        )
    names = _names(value, "quasi_identifiers")
    if not names:
        raise AnonymizationError("quasi_identifiers must name at least one column")
    return names


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
    digits = _positive_int(digits, "digits", upper=5)
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
        _positive_int(value, "digits", upper=5)

    def __call__(self, postcode: object) -> str:
        """Return the first ``digits`` digits of ``postcode``."""
        return postcode_prefix(postcode, self.digits)


# --------------------------------------------------------------------------- location


def _grid_cell(lat: object, lon: object, km: float) -> tuple[int, int, float, float]:
    """Row, column and centre of the grid cell holding (lat, lon); see :class:`CoarseLocation`."""
    la = float(_real(lat, "latitude"))
    lo = float(_real(lon, "longitude"))
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
    km = float(_real(value, "km"))
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


# --------------------------------------------------------------------------- numbers


def _range_label(lo: Decimal, hi: Decimal, integral: bool) -> str:
    if integral:
        last = hi - 1
        return _fmt(lo) if last == lo else f"{_fmt(lo)}–{_fmt(last)}"
    return f"[{_fmt(lo)}, {_fmt(hi)})"


def _as_number(bound: Decimal, integral: bool) -> float:
    if not bound.is_finite():
        return float(bound)  # -inf or inf
    return int(bound) if integral else float(bound)


def _bounds(
    lo: Decimal, hi: Decimal, value: object, integral: bool
) -> tuple[float, float] | tuple[Decimal, Decimal]:
    """Bucket bounds in the value's own kind: exact for a Decimal, else int or float.

    A float value was placed by its shortest repr, and float conversion is
    monotone, so ``lo <= value < hi`` holds for the floats too.
    """
    if isinstance(value, Decimal):
        return lo, hi
    return _as_number(lo, integral), _as_number(hi, integral)


def _bound(value: object, what: str) -> float | Decimal | None:
    return None if value is None else _real(value, what)


@attrs.frozen
class Bucket:
    """A declared fixed-width bucketing: a number -> the label of its bucket, e.g. ``"100–149"``.

    Buckets are ``[origin + i*width, origin + (i+1)*width)``. With an int
    ``width`` and ``origin`` they are labelled as integer ranges
    (``"100–149"`` holds 100 <= x < 150, floats included); otherwise as
    half-open intervals (``"[0.5, 1)"``). Optional ``bottom``/``top`` code the
    tails, which single out most easily (a 400 m² villa is unique in most
    postcodes): values below ``bottom`` become ``"< bottom"``,
    values at or above ``top`` become ``">= top"``. Both must lie on a bucket
    edge so that no bucket is cut in two.
    """

    width: float | Decimal = attrs.field()
    origin: float | Decimal = attrs.field(default=0, kw_only=True)
    bottom: float | Decimal | None = attrs.field(default=None, kw_only=True)
    top: float | Decimal | None = attrs.field(default=None, kw_only=True)

    @width.validator
    def _check_width(self, _attribute: object, value: object) -> None:
        if _real(value, "width") <= 0:
            raise AnonymizationError("width must be > 0")

    @origin.validator
    def _check_origin(self, _attribute: object, value: object) -> None:
        _real(value, "origin")

    def __attrs_post_init__(self) -> None:
        bottom = _bound(self.bottom, "bottom")
        top = _bound(self.top, "top")
        if bottom is not None and top is not None and _declared(bottom) >= _declared(top):
            raise AnonymizationError("bottom must be below top")
        for what, edge in (("bottom", bottom), ("top", top)):
            if edge is not None:
                offset = _CTX.subtract(_declared(edge), _declared(self.origin))
                try:
                    on_edge = _CTX.remainder(offset, _declared(self.width)) == 0
                except decimal.DecimalException:
                    on_edge = False
                if not on_edge:
                    raise AnonymizationError(f"{what} must lie on a bucket edge (origin + i*width)")

    @property
    def _integral(self) -> bool:
        return isinstance(self.width, int) and isinstance(self.origin, int)

    def _locate(self, value: object) -> tuple[Decimal, Decimal, str]:
        exact = _declared(_real(value, "value"))
        if self.bottom is not None and exact < _declared(self.bottom):
            low = Decimal("-Infinity")
            return low, _declared(self.bottom), f"< {_fmt(_declared(self.bottom))}"
        if self.top is not None and exact >= _declared(self.top):
            return _declared(self.top), Decimal("Infinity"), f">= {_fmt(_declared(self.top))}"
        width = _declared(self.width)
        origin = _declared(self.origin)
        try:
            index, rest = _CTX.divmod(_CTX.subtract(exact, origin), width)
        except decimal.DecimalException:
            raise AnonymizationError("value is too large to bucket at this width") from None
        if rest < 0:  # divmod truncates toward zero; a bucket index is a floor
            index -= 1
        lo = _CTX.add(origin, _CTX.multiply(index, width))
        hi = _CTX.add(lo, width)
        return lo, hi, _range_label(lo, hi, self._integral)

    def __call__(self, value: object) -> str:
        """Return the label of the bucket holding ``value``."""
        return self._locate(value)[2]

    @overload
    def range(self, value: Decimal) -> tuple[Decimal, Decimal]: ...
    @overload
    def range(self, value: float) -> tuple[float, float]: ...
    def range(self, value: float | Decimal) -> tuple[float, float] | tuple[Decimal, Decimal]:
        """Return the bucket ``(lo, hi)`` holding ``value``: ``lo <= value < hi``.

        Bounds are Decimals for a Decimal value (exact), else ints for an
        integral bucketing and floats otherwise; a coded tail is unbounded
        (``-inf``/``inf``) on its open side.
        """
        lo, hi, _ = self._locate(value)
        return _bounds(lo, hi, value, self._integral)


def bucket(
    value: object,
    width: float | Decimal,
    *,
    origin: float | Decimal = 0,
    bottom: float | Decimal | None = None,
    top: float | Decimal | None = None,
) -> str:
    """Return the label of the fixed-width bucket holding ``value``; see :class:`Bucket`."""
    return Bucket(width, origin=origin, bottom=bottom, top=top)(value)


def _edges(value: Iterable[float | Decimal]) -> tuple[float | Decimal, ...]:
    if isinstance(value, str | bytes):
        raise AnonymizationError("edges must be a sequence of numbers")
    edges = tuple(_real(edge, "edges") for edge in value)
    if not edges:
        raise AnonymizationError("edges must hold at least one number")
    declared = [_declared(edge) for edge in edges]
    if any(a >= b for a, b in itertools.pairwise(declared)):
        raise AnonymizationError("edges must be strictly increasing")
    return edges


@attrs.frozen
class EdgeBucket:
    """Bucketing on explicit edges: ``(50, 100)`` gives ``"< 50"``, ``"50–99"``, ``">= 100"``.

    For skewed quantities (annual kWh, dwelling area) where equal widths
    leave the tails thin. Values below the first edge and at or above the last
    are bottom- and top-coded. With int edges the inner buckets are labelled
    as integer ranges, otherwise as half-open intervals (see :class:`Bucket`).
    """

    edges: tuple[float | Decimal, ...] = attrs.field(converter=_edges)

    def _locate(self, value: object) -> tuple[Decimal, Decimal, str]:
        exact = _declared(_real(value, "value"))
        edges = [_declared(edge) for edge in self.edges]
        i = bisect.bisect_right(edges, exact)
        if i == 0:
            return Decimal("-Infinity"), edges[0], f"< {_fmt(edges[0])}"
        if i == len(edges):
            return edges[-1], Decimal("Infinity"), f">= {_fmt(edges[-1])}"
        integral = all(isinstance(edge, int) for edge in self.edges)
        return edges[i - 1], edges[i], _range_label(edges[i - 1], edges[i], integral)

    def __call__(self, value: object) -> str:
        """Return the label of the bucket holding ``value``."""
        return self._locate(value)[2]

    @overload
    def range(self, value: Decimal) -> tuple[Decimal, Decimal]: ...
    @overload
    def range(self, value: float) -> tuple[float, float]: ...
    def range(self, value: float | Decimal) -> tuple[float, float] | tuple[Decimal, Decimal]:
        """Return the bucket ``(lo, hi)`` holding ``value``: ``lo <= value < hi``.

        Bound types as for :meth:`Bucket.range`.
        """
        lo, hi, _ = self._locate(value)
        integral = all(isinstance(edge, int) for edge in self.edges)
        return _bounds(lo, hi, value, integral)


def edge_bucket(value: object, edges: Iterable[float | Decimal]) -> str:
    """Return the label of the bucket between ``edges`` holding ``value`` (:class:`EdgeBucket`)."""
    return EdgeBucket(tuple(edges))(value)


@attrs.frozen
class Clamp:
    """A declared top/bottom coding: tails become ``"< bottom"`` / ``">= top"``, the rest passes.

    Extreme values single out (WP216) even when everything else is
    coarse; coding only the tails keeps the body of the distribution exact.
    """

    bottom: float | Decimal | None = attrs.field(default=None, kw_only=True)
    top: float | Decimal | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        bottom = _bound(self.bottom, "bottom")
        top = _bound(self.top, "top")
        if bottom is None and top is None:
            raise AnonymizationError("Clamp needs bottom, top or both")
        if bottom is not None and top is not None and _declared(bottom) >= _declared(top):
            raise AnonymizationError("bottom must be below top")

    def __call__(self, value: N) -> N | str:
        """Return ``value``, or its tail label if it lies below ``bottom`` or at/above ``top``."""
        exact = _declared(_real(value, "value"))
        if self.bottom is not None and exact < _declared(self.bottom):
            return f"< {_fmt(_declared(self.bottom))}"
        if self.top is not None and exact >= _declared(self.top):
            return f">= {_fmt(_declared(self.top))}"
        return value


def clamp(
    value: N, *, bottom: float | Decimal | None = None, top: float | Decimal | None = None
) -> N | str:
    """Top/bottom-code one number; see :class:`Clamp`."""
    return Clamp(bottom=bottom, top=top)(value)


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

    table: FrozenMap[Any, str | None] = attrs.field(converter=_table)
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


# --------------------------------------------------------------------------- rows


def _sources(value: str | Iterable[str]) -> tuple[str, ...]:
    return _names(value, "From sources")


@attrs.frozen
class From:
    """An output column computed from another column, or from several.

    In a :class:`Generalization`, ``"cell": From(("lat", "lon"),
    CoarseLocation(10))`` calls the generaliser with the source values, in
    order, and names the result ``cell``.
    """

    sources: tuple[str, ...] = attrs.field(converter=_sources)
    generaliser: Callable[..., object] = attrs.field()

    @sources.validator
    def _check_sources(self, _attribute: object, value: tuple[str, ...]) -> None:
        if not value:
            raise AnonymizationError("From needs at least one source column")

    @generaliser.validator
    def _check_generaliser(self, _attribute: object, value: object) -> None:
        if not callable(value):
            raise AnonymizationError("From needs a callable generaliser")


def _rules(value: Mapping[str, Callable[[Any], object] | From]) -> FrozenMap[str, From]:
    if not isinstance(value, Mapping):
        raise AnonymizationError("rules must be a mapping of output column -> generaliser")
    rules: dict[str, From] = {}
    for key, rule in value.items():
        name = _column(key, "rules")
        if isinstance(rule, From):
            rules[name] = rule
        elif callable(rule):
            rules[name] = From(name, rule)
        else:
            raise AnonymizationError(f"rule for column {name!r} must be callable or From")
    return FrozenMap(rules)


def _column_names(value: str | Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        raise AnonymizationError("keep and drop take a sequence of column names, not a str")
    return _names(value, "keep/drop")


@attrs.frozen
class Generalization:
    """A declared set of generalisers, applied to rows to make candidate anonymized data.

    ``rules`` maps each output column to a generaliser of the same-named
    input column, or to :class:`From` for other or several sources. ``keep``
    lists columns copied verbatim. Every other column is dropped, so an
    identifier added to the source later cannot leak by accident; ``drop``
    documents what is dropped on purpose, and with ``strict=True`` a row
    holding a column that is neither generalised, kept nor dropped is an
    error. Output columns come in the order: rules, then keep.

    Removing direct identifiers is not anonymization (WP216: it leaves
    singling out and linkability); measure the result with :func:`k_anonymity`
    and :func:`enforce_k`.
    """

    rules: FrozenMap[str, From] = attrs.field(converter=_rules)
    keep: tuple[str, ...] = attrs.field(default=(), kw_only=True, converter=_column_names)
    drop: tuple[str, ...] = attrs.field(default=(), kw_only=True, converter=_column_names)
    strict: bool = attrs.field(default=False, kw_only=True)

    def __attrs_post_init__(self) -> None:
        outputs = set(self.rules)
        for what, clash in (
            ("both kept and dropped", set(self.keep) & set(self.drop)),
            ("both generalised and kept", outputs & set(self.keep)),
            ("both an output and dropped", outputs & set(self.drop)),
        ):
            if clash:
                raise AnonymizationError(f"column {sorted(clash)[0]!r} is {what}")

    @property
    def columns(self) -> tuple[str, ...]:
        """The output columns, in output order."""
        return (*self.rules, *self.keep)

    def _declared(self) -> frozenset[str]:
        sources = {s for rule in self.rules.values() for s in rule.sources}
        return frozenset((*sources, *self.keep, *self.drop))

    def __call__(self, row: Mapping[str, object]) -> dict[str, object]:
        """Return a new dict holding only the generalised and kept columns of ``row``."""
        return self._apply(row, 0, self._declared() if self.strict else None)

    def apply(self, rows: Iterable[Mapping[str, object]]) -> Iterator[dict[str, object]]:
        """Generalise ``rows`` one at a time, as they are consumed (memory does not grow)."""
        declared = self._declared() if self.strict else None
        for i, row in enumerate(rows):
            yield self._apply(row, i, declared)

    def _apply(
        self, row: Mapping[str, object], index: int, declared: frozenset[str] | None
    ) -> dict[str, object]:
        if not isinstance(row, Mapping):
            raise AnonymizationError(f"row {index} is not a mapping")
        if declared is not None:
            for column in row:
                if column not in declared:
                    raise AnonymizationError(
                        f"row {index}: column {column!r} is not generalised, kept or dropped "
                        "(strict=True)"
                    )
        out: dict[str, object] = {}
        for name, rule in self.rules.items():
            args = [_get(row, source, index) for source in rule.sources]
            try:
                out[name] = rule.generaliser(*args)
            except (AnonymizationError, NaiveDatetimeError) as exc:
                # Same type, with the column named; our messages never carry the value.
                raise type(exc)(f"row {index}, column {name!r}: {exc}") from None
            except GdprkitError:
                raise
            except Exception as exc:
                # A user's generaliser may echo the value in its message: keep only the type.
                raise AnonymizationError(
                    f"row {index}, column {name!r}: generaliser raised {type(exc).__name__}"
                ) from None
        for name in self.keep:
            out[name] = _get(row, name, index)
        return out


def _get(row: Mapping[str, object], column: str, index: int) -> object:
    try:
        return row[column]
    except KeyError:
        raise AnonymizationError(f"row {index} has no column {column!r}") from None


# --------------------------------------------------------------------------- risk


def _diagnose(
    row: object, index: int, columns: tuple[str, ...], sensitive: str | None = None
) -> AnonymizationError:
    """The typed error for a row whose key could not be built or hashed."""
    if not isinstance(row, Mapping):
        return AnonymizationError(f"row {index} is not a mapping")
    for column in (*columns, sensitive) if sensitive is not None else columns:
        if column not in row:
            kind = "sensitive" if column == sensitive else "quasi-identifier"
            return AnonymizationError(f"row {index} has no {kind} column {column!r}")
        if not isinstance(row[column], Hashable):
            return AnonymizationError(
                f"row {index}: column {column!r} holds an unhashable value "
                f"({type(row[column]).__name__}); values must be hashable"
            )
        try:
            hash(row[column])
        except TypeError:
            return AnonymizationError(
                f"row {index}: column {column!r} holds an unhashable value; values must be hashable"
            )
    return AnonymizationError(f"row {index} could not be read")


def _class_sizes(rows: Iterable[Mapping[str, object]], columns: tuple[str, ...]) -> Counter[object]:
    """Equivalence-class sizes in one pass: a Counter of quasi-identifier tuples."""
    getter = _getter(columns)
    last: object = None
    index = -1

    def keys() -> Iterator[object]:
        nonlocal last, index
        for index, last in enumerate(rows):  # noqa: B007  # both are read by the error path
            yield getter(last)

    try:
        # Counter counts in C; the generator only remembers the row for the error path.
        return Counter(keys())
    except (KeyError, TypeError, IndexError):
        raise _diagnose(last, index, columns) from None


def _getter(columns: tuple[str, ...]) -> Callable[[Mapping[str, object]], object]:
    """The key of a row: its quasi-identifier values (a tuple, or the value for one column)."""
    getter: Callable[[Mapping[str, object]], object] = operator.itemgetter(*columns)
    return getter


def k_anonymity(rows: Iterable[Mapping[str, object]], quasi_identifiers: Sequence[str]) -> int:
    """Return k: the size of the smallest equivalence class over ``quasi_identifiers``.

    Every row shares its quasi-identifier values with at least k-1 others,
    so no row can be singled out by them alone (Sweeney 2002; WP216 on
    generalisation). For no rows the result is 0, which fails every
    ``k >= target`` check: an empty table is not evidence of anything. One
    pass over ``rows``, counting tuples of values in a Counter.
    """
    columns = _quasi_identifiers(quasi_identifiers)
    sizes = _class_sizes(rows, columns)
    return min(sizes.values(), default=0)


@attrs.frozen
class RiskReport:
    """A table's equivalence classes over its quasi-identifiers, and its rows at risk."""

    quasi_identifiers: tuple[str, ...]
    rows: int
    k: int  #: smallest class size; 0 for no rows
    classes: int
    #: class size -> number of classes of that size, ascending by size
    histogram: FrozenMap[int, int]
    target_k: int
    classes_at_risk: int  #: classes smaller than ``target_k``
    rows_at_risk: int  #: rows in those classes: what :func:`enforce_k` would suppress

    @property
    def meets_target(self) -> bool:
        """True if the table is non-empty and every class has at least ``target_k`` rows."""
        return self.k >= self.target_k


def risk_report(
    rows: Iterable[Mapping[str, object]], quasi_identifiers: Sequence[str], *, target_k: int
) -> RiskReport:
    """Measure a table's equivalence classes: k, how many classes, their sizes, what is at risk.

    The histogram shows how close a table is to a target: a k of 1 with
    three singletons calls for suppression, one with three hundred for
    coarser generalisers.
    """
    columns = _quasi_identifiers(quasi_identifiers)
    target = _positive_int(target_k, "target_k")
    sizes = _class_sizes(rows, columns)
    histogram = Counter(sizes.values())
    small = [size for size in sizes.values() if size < target]
    return RiskReport(
        quasi_identifiers=columns,
        rows=sum(sizes.values()),
        k=min(sizes.values(), default=0),
        classes=len(sizes),
        histogram=FrozenMap(sorted(histogram.items())),
        target_k=target,
        classes_at_risk=len(small),
        rows_at_risk=sum(small),
    )


def l_diversity(
    rows: Iterable[Mapping[str, object]], quasi_identifiers: Sequence[str], sensitive: str
) -> int:
    """Return distinct l: the fewest distinct ``sensitive`` values in any equivalence class.

    k-anonymity does not stop *inference*: if all k rows of a class share
    one sensitive value, knowing someone is in the class reveals it (the
    homogeneity attack; Machanavajjhala et al. 2007; WP216). l >= 2 rules
    that out, but not skewed or semantically close values. For no rows the
    result is 0. One pass; values must be hashable.
    """
    columns = _quasi_identifiers(quasi_identifiers)
    sensitive = _column(sensitive, "sensitive")
    if sensitive in columns:
        raise AnonymizationError(f"sensitive column {sensitive!r} is also a quasi-identifier")
    getter = _getter(columns)
    values: dict[object, set[object]] = {}
    index = -1
    last: object = None
    try:
        for row in rows:
            index += 1
            last = row
            values.setdefault(getter(row), set()).add(row[sensitive])
    except (KeyError, TypeError, IndexError):
        raise _diagnose(last, index, columns, sensitive) from None
    return min((len(v) for v in values.values()), default=0)


@attrs.frozen
class SuppressionReport:
    """What :func:`enforce_k` did: rows and classes suppressed, k before and after."""

    quasi_identifiers: tuple[str, ...]
    target_k: int
    rows_in: int
    rows_kept: int
    rows_suppressed: int
    classes_kept: int
    classes_suppressed: int
    k_before: int  #: 0 for no rows
    k: int  #: k of the rows kept; >= target_k, or 0 if nothing is kept


def enforce_k(
    rows: Iterable[RowT], quasi_identifiers: Sequence[str], k: int
) -> tuple[list[RowT], SuppressionReport]:
    """Suppress the rows of every equivalence class smaller than ``k``; keep the rest, report.

    Row suppression is the usual complement of generalisation: generalise
    until few classes are small, then drop those. The rows kept are the
    input objects, in input order; the result is k-anonymous
    (``report.k >= k``) or empty. Two passes, so ``rows`` is read into a
    list first. Suppressing many rows biases the data: check
    ``report.rows_suppressed`` and coarsen the generalisers instead.
    """
    columns = _quasi_identifiers(quasi_identifiers)
    target = _positive_int(k, "k")
    table = list(rows)
    sizes = _class_sizes(table, columns)
    getter = _getter(columns)
    kept = [row for row in table if sizes[getter(row)] >= target]
    big = [size for size in sizes.values() if size >= target]
    return kept, SuppressionReport(
        quasi_identifiers=columns,
        target_k=target,
        rows_in=len(table),
        rows_kept=len(kept),
        rows_suppressed=len(table) - len(kept),
        classes_kept=len(big),
        classes_suppressed=len(sizes) - len(big),
        k_before=min(sizes.values(), default=0),
        k=min(big, default=0),
    )
