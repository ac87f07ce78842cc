"""Generalising Dask DataFrames and Arrow record batches with a :class:`Generalization`.

Output columns and their types are fixed before any partition runs, so
every partition agrees and only the declared columns leave (WP216).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import attrs

from gdprkit._dask.columns import call_each, generalize_column, pylist, to_array
from gdprkit._dask.extra import map_partitions, require
from gdprkit._errors import AnonymizationError
from gdprkit.anonymize import (
    Bucket,
    EdgeBucket,
    From,
    Generalization,
    PostcodePrefix,
    Recode,
    Suppress,
    Truncate,
)

if TYPE_CHECKING:
    import dask.dataframe as dd
    import pyarrow as pa  # type: ignore[import-untyped]

__all__ = ["generalize", "generalize_batches"]

_STRING_GENERALISERS: Final = (PostcodePrefix, Bucket, EdgeBucket, Recode, Suppress)


def _rule_dtype(rule: From, dtypes: Mapping[str, Any]) -> Any:
    """The pandas dtype of a rule's output column: fixed before any partition runs."""
    pd = require("pandas")
    generaliser = rule.generaliser
    if isinstance(generaliser, _STRING_GENERALISERS):
        return pd.StringDtype("pyarrow")
    if isinstance(generaliser, Truncate) and len(rule.sources) == 1:
        dtype = dtypes[rule.sources[0]]
        if isinstance(dtype, pd.DatetimeTZDtype):
            return dtype
    return require("numpy").dtype(object)


@attrs.frozen
class _Plan:
    """A generalisation and its output dtypes, as one task argument Dask can tokenise.

    Dask names tasks by a hash of their arguments; a ``Generalization`` pickles
    differently once its mappings cached their hash, so the plan gives its repr.
    """

    generalization: Generalization
    dtypes: tuple[Any, ...]

    def __dask_tokenize__(self) -> tuple[str, str, tuple[str, ...]]:
        return ("gdprkit.generalize", repr(self.generalization), tuple(map(str, self.dtypes)))


def _generalize_frame(frame: Any, plan: _Plan) -> Any:
    """One partition: the rules' columns, then the kept ones (the Dask task)."""
    pd = require("pandas")
    generalization = plan.generalization
    out: dict[str, Any] = {}
    for (name, rule), dtype in zip(generalization.rules.items(), plan.dtypes, strict=True):
        if len(rule.sources) == 1:
            values = generalize_column(frame[rule.sources[0]], rule.generaliser, name, dtype)
        else:
            columns = [pylist(frame[source]) for source in rule.sources]
            rows = zip(*columns, strict=True)
            values = to_array(call_each(rule.generaliser, rows, name), dtype)
        out[name] = pd.Series(values, index=frame.index, name=name)
    for name in generalization.keep:
        out[name] = frame[name]
    return pd.DataFrame(out, index=frame.index)


def _check_generalization(generalization: object, columns: Sequence[str]) -> Generalization:
    if not isinstance(generalization, Generalization):
        raise TypeError(
            f"generalization must be a Generalization, got {type(generalization).__name__}"
        )
    present = set(columns)
    for rule in generalization.rules.values():
        for source in rule.sources:
            if source not in present:
                raise AnonymizationError(f"the data frame has no column {source!r}")
    for name in generalization.keep:
        if name not in present:
            raise AnonymizationError(f"the data frame has no column {name!r}")
    if generalization.strict:
        declared = generalization._declared()
        for column in columns:
            if column not in declared:
                raise AnonymizationError(
                    f"column {column!r} is not generalised, kept or dropped (strict=True)"
                )
    return generalization


def _output_meta(meta: Any, generalization: Generalization) -> tuple[Any, tuple[Any, ...]]:
    pd = require("pandas")
    dtypes = dict(meta.dtypes.items())
    rule_dtypes = tuple(_rule_dtype(rule, dtypes) for rule in generalization.rules.values())
    columns: dict[str, Any] = {}
    for name, dtype in zip(generalization.rules, rule_dtypes, strict=True):
        columns[name] = pd.Series([], dtype=dtype, name=name)
    for name in generalization.keep:
        columns[name] = meta[name]
    return pd.DataFrame(columns, index=meta.index), rule_dtypes


def generalize(ddf: dd.DataFrame, generalization: Generalization) -> dd.DataFrame:
    """Apply ``generalization`` to every partition of ``ddf``: candidate anonymized data.

    The result has the generalisation's output columns (rules, then kept
    columns) and nothing else, so an undeclared identifier cannot leak
    (WP216; see :class:`~gdprkit.anonymize.Generalization`). Column types are
    fixed up front: string labels for the gdprkit bucketing, postcode, recode
    and suppression generalisers, the input's dtype for :class:`Truncate` of
    an aware datetime column, Python objects otherwise. Values, missing ones
    included, reach the generaliser as :meth:`Generalization.apply` gives them,
    so a generaliser that cannot take a missing value raises here too (fill or
    drop them first). Generalisers must be pure: equal inputs, equal outputs.
    """
    require("dask.dataframe")
    meta = ddf._meta
    checked = _check_generalization(generalization, list(meta.columns))
    new_meta, dtypes = _output_meta(meta, checked)
    return map_partitions(ddf, _generalize_frame, _Plan(checked, dtypes), meta=new_meta)


def generalize_batches(
    batches: Iterable[pa.RecordBatch], generalization: Generalization
) -> Iterator[pa.RecordBatch]:
    """Generalise each PyArrow ``RecordBatch`` (through pandas); the mapInArrow shape.

    The same rules and results as :func:`generalize`; object columns (a
    :class:`~gdprkit.anonymize.CoarseLocation` pair) must be typed by the
    caller's Arrow schema.
    """
    pa = require("pyarrow")
    for batch in batches:
        frame = batch.to_pandas()
        checked = _check_generalization(generalization, list(frame.columns))
        _, dtypes = _output_meta(frame.iloc[:0], checked)
        out = _generalize_frame(frame, _Plan(checked, dtypes))
        yield pa.RecordBatch.from_pandas(out, preserve_index=False)
