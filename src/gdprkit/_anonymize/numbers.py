"""Generalisers of numbers: fixed-width and edge bucketing, top and bottom coding."""

from __future__ import annotations

import bisect
import decimal
import itertools
from collections.abc import Iterable
from decimal import Decimal
from typing import Final, TypeVar, overload

import attrs

from gdprkit._anonymize import checks
from gdprkit._errors import AnonymizationError

N = TypeVar("N", int, float, Decimal)

# Wide enough that every float (and any sane Decimal) is handled exactly: the
# integer part of a bucket index must never be rounded.
_CTX: Final = decimal.Context(prec=1200, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)


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
    return None if value is None else checks.real(value, what)


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
        if checks.real(value, "width") <= 0:
            raise AnonymizationError("width must be > 0")

    @origin.validator
    def _check_origin(self, _attribute: object, value: object) -> None:
        checks.real(value, "origin")

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
        exact = _declared(checks.real(value, "value"))
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
    edges = tuple(checks.real(edge, "edges") for edge in value)
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
        exact = _declared(checks.real(value, "value"))
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
        exact = _declared(checks.real(value, "value"))
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
