"""Generalising one column of a partition, vectorised where that is exact.

Each path gives what :meth:`~gdprkit.anonymize.Generalization.apply` gives
row by row: bucket numbers computed with NumPy where floating point cannot
misplace a value, one generaliser call per distinct value where equal
values give equal results, and one call per row otherwise.
"""

from __future__ import annotations

import decimal
import math
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any, Final

from gdprkit._dask.extra import require
from gdprkit._errors import AnonymizationError, GdprkitError, NaiveDatetimeError
from gdprkit.anonymize import Bucket, EdgeBucket, Suppress, Truncate

__all__ = ["call_each", "generalize_column", "is_object", "pylist", "to_array"]

#: Relative error allowed for a bucket number computed in float64, with a wide margin:
#: (x - origin) / width is off by a few ulp, the shortest repr of x by half an ulp.
_FLOAT_MARGIN: Final = 1e-12
_EXACT_FLOAT_INT: Final = 2**53
_SAFE_INT: Final = 2**61

#: inferred dtypes of object columns on which equal values give equal generaliser results
_DEDUPABLE_OBJECTS: Final = frozenset({"string", "bytes", "date", "integer", "boolean", "empty"})


def _wrap_error(name: str, exc: Exception) -> Exception:
    """The typed error of a failed generaliser, as :meth:`Generalization.apply` words it."""
    if isinstance(exc, AnonymizationError | NaiveDatetimeError):
        return type(exc)(f"column {name!r}: {exc}")
    if isinstance(exc, GdprkitError):
        return exc
    # A user's generaliser may echo the value in its message: keep only the type.
    return AnonymizationError(f"column {name!r}: generaliser raised {type(exc).__name__}")


def call_each(
    generaliser: Callable[..., object], rows: Iterable[tuple[Any, ...]], name: str
) -> list[object]:
    try:
        return [generaliser(*args) for args in rows]
    except Exception as exc:
        error = _wrap_error(name, exc)
    # Raised outside the handler: the generaliser's own error may quote the value, and would
    # otherwise stay reachable as ``__context__``.
    raise error


def to_array(values: Sequence[object], dtype: Any) -> Any:
    """A pandas array of ``dtype`` from Python results (tuples stay single objects)."""
    np = require("numpy")
    pd = require("pandas")
    if is_object(dtype):
        return np.fromiter(values, dtype=object, count=len(values))
    return pd.array(values if isinstance(values, np.ndarray) else list(values), dtype=dtype)


def is_object(dtype: Any) -> bool:
    """Whether ``dtype`` is NumPy's object dtype (Python objects of any type)."""
    np = require("numpy")
    return isinstance(dtype, np.dtype) and dtype.kind == "O"


def _dedupable(series: Any) -> bool:
    """Whether equal values of ``series`` give equal results of any pure generaliser."""
    pd = require("pandas")
    dtype = series.dtype
    if is_object(dtype):
        return bool(pd.api.types.infer_dtype(series, skipna=False) in _DEDUPABLE_OBJECTS)
    return True


def _by_distinct(series: Any, generaliser: Callable[..., object], name: str, dtype: Any) -> Any:
    """Call the generaliser once per distinct value of ``series`` and gather the results."""
    pd = require("pandas")
    codes, uniques = pd.factorize(series, use_na_sentinel=False)
    results = call_each(generaliser, ((u,) for u in pylist(uniques)), name)
    return to_array(results, dtype).take(codes)


def pylist(values: Any) -> list[Any]:
    """Python scalars (int, float, str, Timestamp …), as ``to_dict('records')`` gives them."""
    return list(values.tolist())


def _numeric(series: Any) -> Any:
    """The column as a NumPy int64 or float64 array, or None if it is not plainly numeric."""
    np = require("numpy")
    pd = require("pandas")
    api = pd.api.types
    dtype = series.dtype
    if api.is_bool_dtype(dtype) or not api.is_numeric_dtype(dtype) or series.hasnans:
        return None
    if api.is_integer_dtype(dtype):
        if api.is_unsigned_integer_dtype(dtype) and len(series) and series.max() >= _SAFE_INT:
            return None
        values = series.to_numpy(dtype=np.int64)
        if len(values) and (values.min() <= -_SAFE_INT or values.max() >= _SAFE_INT):
            return None
        return values
    if api.is_float_dtype(dtype):
        return series.to_numpy(dtype=np.float64)
    return None


def _by_code(
    values: Any, codes: Any, certain: Any, generaliser: Callable[..., object], name: str, dtype: Any
) -> Any:
    """Results for rows sharing a bucket code computed once per code; uncertain rows one by one.

    ``codes`` numbers each row's bucket; rows with the same code have the same
    result, so the generaliser is called on one representative of each.
    ``certain`` is False where the code cannot be trusted.
    """
    np = require("numpy")
    pd = require("pandas")
    n = len(values)
    out = np.empty(n, dtype=object)
    index = np.flatnonzero(certain)
    if len(index):
        keys, uniques = pd.factorize(codes[index])
        representative = np.empty(len(uniques), dtype=np.int64)
        representative[keys] = index
        labels = call_each(generaliser, ((values[i].item(),) for i in representative), name)
        out[index] = np.fromiter(labels, dtype=object, count=len(labels))[keys]
    rest = np.flatnonzero(~certain)
    if len(rest):
        tail = pd.Series(values[rest])
        out[rest] = np.asarray(
            _by_distinct(tail, generaliser, name, np.dtype(object)), dtype=object
        )
    return to_array(out, dtype)


def _bucket_fast(values: Any, bucket: Bucket, name: str, dtype: Any) -> Any:
    np = require("numpy")
    width = (
        Decimal(repr(bucket.width)) if isinstance(bucket.width, float) else Decimal(bucket.width)
    )
    origin = (
        Decimal(repr(bucket.origin)) if isinstance(bucket.origin, float) else Decimal(bucket.origin)
    )
    if (
        values.dtype.kind == "i"
        and width == width.to_integral_value()
        and origin == origin.to_integral_value()
    ):
        w, o = int(width), int(origin)
        if abs(w) >= _SAFE_INT or abs(o) >= _SAFE_INT:
            return None
        index = (values - o) // w
        certain = np.ones(len(values), dtype=bool)
    else:
        x = values.astype(np.float64)
        if values.dtype.kind == "i" and len(x) and np.abs(values).max() > _EXACT_FLOAT_INT:
            return None
        w_f, o_f = float(width), float(origin)
        if not math.isfinite(w_f) or not math.isfinite(o_f) or w_f <= 0:
            return None
        if not np.isfinite(x).all():
            return None
        q = (x - o_f) / w_f
        floor = np.floor(q)
        frac = q - floor
        margin = _FLOAT_MARGIN * (1.0 + (np.abs(x) + abs(o_f)) / w_f)
        certain = (frac >= margin) & (frac <= 1.0 - margin) & (margin < 1e-3)
        index = np.where(certain, floor, 0).astype(np.int64)
    codes = index
    for edge, below in ((bucket.bottom, True), (bucket.top, False)):
        if edge is None:
            continue
        exact = Decimal(repr(edge)) if isinstance(edge, float) else Decimal(edge)
        try:
            at = int(decimal.Context(prec=1200).divide(exact - origin, width))
        except (decimal.DecimalException, OverflowError):
            return None
        if abs(at) >= _SAFE_INT:
            return None
        codes = np.where(codes < at, at - 1, codes) if below else np.where(codes >= at, at, codes)
    return _by_code(values, codes, certain, bucket, name, dtype)


def _float_exact(edge: object) -> float | None:
    """``edge`` as a float that orders against float values exactly as the Decimal rules do."""
    if isinstance(edge, float):
        return edge
    if isinstance(edge, int):
        return float(edge) if abs(edge) <= _EXACT_FLOAT_INT else None
    if not isinstance(edge, Decimal):
        return None
    as_float = float(edge)
    return as_float if math.isfinite(as_float) and Decimal(repr(as_float)) == edge else None


def _edge_bucket_fast(values: Any, bucket: EdgeBucket, name: str, dtype: Any) -> Any:
    np = require("numpy")
    edges = [_float_exact(edge) for edge in bucket.edges]
    if any(edge is None for edge in edges):
        return None
    if values.dtype.kind == "i" and len(values) and np.abs(values).max() > _EXACT_FLOAT_INT:
        return None
    x = values.astype(np.float64)
    if not np.isfinite(x).all():
        return None
    # The shortest repr of a float orders like the float, so bisect on Decimals is
    # searchsorted on floats.
    codes = np.searchsorted(np.array(edges, dtype=np.float64), x, side="right")
    return _by_code(values, codes, np.ones(len(x), dtype=bool), bucket, name, dtype)


_NUMPY_UNITS: Final = {
    "minute": "datetime64[m]",
    "hour": "datetime64[h]",
    "day": "datetime64[D]",
    "month": "datetime64[M]",
    "year": "datetime64[Y]",
}


def _truncate_fast(series: Any, truncate: Truncate, name: str, dtype: Any) -> Any:
    """Truncate an aware datetime column on its wall clock, as :func:`truncate` does each value.

    The wall-clock time is truncated with NumPy and localised again; a result
    the zone makes ambiguous or skips (a DST change) goes through the
    generaliser, which decides it as Python's ``fold=0`` does.
    """
    np = require("numpy")
    pd = require("pandas")
    if series.hasnans:
        return None
    local = series.dt.tz_localize(None).to_numpy()
    unit = truncate.unit
    if unit == "week":
        days = local.astype("datetime64[D]")
        weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
        floored = days - weekday.astype("timedelta64[D]")
    elif unit == "quarter":
        months = local.astype("datetime64[M]").astype(np.int64)
        floored = (months - months % 3).astype("datetime64[M]")
    else:
        floored = local.astype(_NUMPY_UNITS[unit])
    naive = pd.Series(floored.astype(local.dtype), index=series.index)
    result = naive.dt.tz_localize(dtype.tz, ambiguous="NaT", nonexistent="NaT")
    unsure = result.isna().to_numpy()
    if unsure.any():
        rows = np.flatnonzero(unsure)
        fixed = call_each(truncate, ((v,) for v in pylist(series.iloc[rows])), name)
        result.iloc[rows] = pd.array(fixed, dtype=dtype)
    return result.array


def generalize_column(
    series: Any, generaliser: Callable[..., object], name: str, dtype: Any
) -> Any:
    pd = require("pandas")
    if len(series) == 0:
        return to_array([], dtype)
    if isinstance(generaliser, Suppress):
        return to_array([generaliser.marker] * len(series), dtype)
    fast = None
    if isinstance(generaliser, Truncate) and isinstance(series.dtype, pd.DatetimeTZDtype):
        fast = _truncate_fast(series, generaliser, name, dtype)
    elif isinstance(generaliser, Bucket | EdgeBucket):
        values = _numeric(series)
        if values is not None:
            fast = (
                _bucket_fast(values, generaliser, name, dtype)
                if isinstance(generaliser, Bucket)
                else _edge_bucket_fast(values, generaliser, name, dtype)
            )
    if fast is not None:
        return fast
    if _dedupable(series):
        return _by_distinct(series, generaliser, name, dtype)
    return to_array(call_each(generaliser, ((v,) for v in pylist(series)), name), dtype)
