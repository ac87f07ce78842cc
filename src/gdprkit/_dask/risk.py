"""k-anonymity of a Dask DataFrame, measured and enforced over all of its partitions.

An equivalence class may be spread over many partitions, so classes are
counted in each partition and summed before anything is decided.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from gdprkit._dask.extra import map_partitions, require
from gdprkit._errors import AnonymizationError
from gdprkit.anonymize import SuppressionReport, _quasi_identifiers

if TYPE_CHECKING:
    import dask.dataframe as dd

__all__ = ["enforce_k", "k_anonymity"]


def _class_sizes(ddf: Any, quasi_identifiers: Sequence[str]) -> tuple[Any, list[str]]:
    require("dask.dataframe")
    columns = list(_quasi_identifiers(quasi_identifiers))
    present = set(ddf._meta.columns)
    for column in columns:
        if column not in present:
            raise AnonymizationError(f"the data frame has no quasi-identifier column {column!r}")
    sizes = ddf.groupby(columns, dropna=False, observed=True, sort=False).size()
    return sizes, columns


def _as_int(value: Any) -> int:
    number = float(value)
    return 0 if math.isnan(number) else int(number)


def k_anonymity(ddf: dd.DataFrame, quasi_identifiers: Sequence[str]) -> int:
    """k of a Dask DataFrame: the smallest equivalence class over ``quasi_identifiers``.

    Classes are counted in each partition and summed across partitions
    before the minimum is taken (a class split over partitions is one
    class); missing values form a class of their own, as ``None`` does in
    :func:`gdprkit.anonymize.k_anonymity`. Computes; 0 for no rows.
    """
    sizes, _ = _class_sizes(ddf, quasi_identifiers)
    return _as_int(sizes.min().compute())


def _drop_small(frame: Any, columns: list[str], small: Any) -> Any:
    """One partition without the rows whose class is in ``small`` (the Dask task)."""
    pd = require("pandas")
    if len(small) == 0 or len(frame) == 0:
        return frame
    keys = pd.MultiIndex.from_frame(frame[columns])
    return frame[~keys.isin(small)]


def enforce_k(
    ddf: dd.DataFrame, quasi_identifiers: Sequence[str], k: int
) -> tuple[dd.DataFrame, SuppressionReport]:
    """Suppress the rows of every class smaller than ``k``; the lazy result and a report.

    One pass counts the classes across all partitions (and fills the
    :class:`~gdprkit.anonymize.SuppressionReport`, as
    :func:`gdprkit.anonymize.enforce_k` does); the returned frame drops the
    rows of the small classes when it is computed. The small classes'
    generalised values travel in its graph: they are quasi-identifiers after
    generalisation, not keys, but the rarest ones. Re-reading ``ddf`` must
    give the same rows (persist it first if it is expensive or random).
    """
    dask = require("dask")
    pd = require("pandas")
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise AnonymizationError("k must be a positive int")
    sizes, columns = _class_sizes(ddf, quasi_identifiers)
    small, big = sizes[sizes < k], sizes[sizes >= k]
    small_sizes, total, classes, k_before, big_count, big_sum, big_min = dask.compute(
        small, sizes.sum(), sizes.count(), sizes.min(), big.count(), big.sum(), big.min()
    )
    small_index = pd.MultiIndex.from_frame(small_sizes.index.to_frame(index=False)[columns])
    kept = map_partitions(ddf, _drop_small, columns, small_index, meta=ddf._meta)
    rows_in = _as_int(total)
    rows_kept = _as_int(big_sum)
    return kept, SuppressionReport(
        quasi_identifiers=tuple(columns),
        target_k=k,
        rows_in=rows_in,
        rows_kept=rows_kept,
        rows_suppressed=rows_in - rows_kept,
        classes_kept=_as_int(big_count),
        classes_suppressed=_as_int(classes) - _as_int(big_count),
        k_before=_as_int(k_before),
        k=_as_int(big_min),
    )
