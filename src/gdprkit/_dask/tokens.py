"""Pseudonymising the columns of Dask DataFrames and of Arrow record batches.

Each distinct value of a partition is tokenised once where a column
repeats, and the tokens are gathered back with Arrow's ``take``. A token
column is built in Arrow buffers, never as one Python string per token;
the tokens always equal ``Pseudonymizer.tokens()`` (Art. 4(5) GDPR).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import chain
from typing import TYPE_CHECKING, Any, Final

from gdprkit._dask.columns import is_object
from gdprkit._dask.extra import map_partitions, require
from gdprkit._dask.keys import KeyringSource, check_source
from gdprkit._pseudonym.inputs import check_domain
from gdprkit._pseudonym.keys import check_key_id
from gdprkit.pseudonym import Pseudonymizer

if TYPE_CHECKING:
    import dask.dataframe as dd
    import pyarrow as pa  # type: ignore[import-untyped]

__all__ = ["pseudonymize", "pseudonymize_batches"]

#: Values sampled to decide whether a token column repeats enough to tokenise it by
#: distinct value: dictionary-encoding a column of distinct values costs ~25% of tokenising.
_SAMPLE: Final = 4096
_DISTINCT_RATIO: Final = 0.5
#: Values taken out of Arrow at a time: as many as Pseudonymizer digests per chunk.
_SLICE: Final = 1024
#: Characters of a token after the key id and its dot (docs/token-format.md).
_MAC_CHARS: Final = 24
_INT32_MAX: Final = 2**31 - 1


def _check_normalizer(normalizer: object) -> None:
    if normalizer is not None and not callable(normalizer):
        raise TypeError("normalizer must be a callable str -> str or None")


def _token_plan(columns: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    if not isinstance(columns, Mapping) or not columns:
        raise TypeError("columns must be a non-empty mapping of column name -> token domain")
    plan = []
    for column, domain in columns.items():
        if not isinstance(column, str) or not column:
            raise TypeError("columns must map column names (non-empty str) to domains")
        plan.append((column, check_domain(domain)))
    return tuple(plan)


def _as_arrow(values: Any, column: str) -> Any:
    """A pandas column or Arrow (chunked) array as one Arrow array of text or bytes."""
    pa = require("pyarrow")
    types = pa.types
    if isinstance(values, pa.ChunkedArray):
        arr = values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    elif isinstance(values, pa.Array):
        arr = values
    else:
        try:
            arr = pa.array(values, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            arr = None  # Arrow's message quotes the value: raise without it as __context__
        if arr is None:
            raise TypeError(
                f"column {column!r} mixes value types; pseudonymize needs str or bytes values"
            )
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
    if types.is_dictionary(arr.type):
        arr = arr.cast(arr.type.value_type)
    kind = arr.type
    if types.is_string_view(kind):
        arr = arr.cast(pa.large_string())
    elif types.is_binary_view(kind):
        arr = arr.cast(pa.large_binary())
    elif types.is_null(kind):
        arr = arr.cast(pa.string())
    elif not (
        types.is_string(kind)
        or types.is_large_string(kind)
        or types.is_binary(kind)
        or types.is_large_binary(kind)
    ):
        raise TypeError(
            f"column {column!r} holds {kind} values; pseudonymize needs str or bytes "
            "(convert numbers first, e.g. .astype(str))"
        )
    return arr


def _token_array(pseudonymizer: Pseudonymizer, arr: Any, out_type: Any, column: str) -> Any:
    """The tokens of a null-free text or bytes array, built in Arrow buffers.

    Values leave Arrow a slice of 1024 at a time, so the working set stays
    in the CPU cache; the tokens never become Python strings: the block of
    base64 MACs (:meth:`Pseudonymizer._token_block`) is laid out behind the
    key id with NumPy, every token the same width, and handed to Arrow with
    its offsets. Tokens past the 2 GiB that ``string`` offsets can address
    go into further chunks, as ``pa.array`` would put them.
    """
    np = require("numpy")
    pa = require("pyarrow")
    n = len(arr)
    slices = (arr.slice(start, _SLICE).to_pylist() for start in range(0, n, _SLICE))
    try:
        block = pseudonymizer._token_block(chain.from_iterable(slices))
    except (TypeError, ValueError) as exc:
        # _token_block names the position and type, never the value.
        raise type(exc)(f"column {column!r}: {exc}") from None
    head = np.frombuffer(f"{pseudonymizer.token_key_id}.".encode("ascii"), dtype=np.uint8)
    width = len(head) + _MAC_CHARS
    grid = np.empty((n, width), dtype=np.uint8)
    grid[:, : len(head)] = head
    grid[:, len(head) :] = np.frombuffer(block, dtype=np.uint8).reshape(n, _MAC_CHARS)
    large = pa.types.is_large_string(out_type)
    rows = n if large else _INT32_MAX // width
    parts = (grid[start : start + rows] for start in range(0, max(n, 1), rows))
    chunks = [_string_array(part, width, out_type) for part in parts]
    return chunks[0] if len(chunks) == 1 else pa.chunked_array(chunks, type=out_type)


def _string_array(grid: Any, width: int, out_type: Any) -> Any:
    """An Arrow ``out_type`` array over the rows of ``grid``, one value of ``width`` bytes each."""
    np = require("numpy")
    pa = require("pyarrow")
    offset = np.int64 if pa.types.is_large_string(out_type) else np.int32
    offsets = np.arange(0, (len(grid) + 1) * width, width, dtype=offset)
    return pa.Array.from_buffers(
        out_type, len(grid), [None, pa.py_buffer(offsets), pa.py_buffer(grid)]
    )


def _tokenize_arrow(values: Any, pseudonymizer: Pseudonymizer, column: str, *, dedupe: bool) -> Any:
    """The token column of ``values`` as an Arrow array: nulls stay null, order kept."""
    pa = require("pyarrow")
    pc = require("pyarrow.compute")
    arr = _as_arrow(values, column)
    kind = arr.type
    out_type = (
        pa.large_string()
        if pa.types.is_large_string(kind) or pa.types.is_large_binary(kind)
        else pa.string()
    )
    n = len(arr)
    if n == 0 or arr.null_count == n:
        return pa.nulls(n, type=out_type)
    if dedupe:
        sample = arr.slice(0, _SAMPLE)
        distinct = pc.count_distinct(sample, mode="all").as_py()
        if distinct <= _DISTINCT_RATIO * len(sample):
            encoded = pc.dictionary_encode(arr)
            tokens = _token_array(pseudonymizer, encoded.dictionary, out_type, column)
            return pc.take(tokens, encoded.indices)
    if arr.null_count == 0:
        return _token_array(pseudonymizer, arr, out_type, column)
    np = require("numpy")
    valid = arr.is_valid().to_numpy(zero_copy_only=False)
    tokens = _token_array(pseudonymizer, arr.drop_null(), out_type, column)
    positions = pa.array(np.cumsum(valid) - 1, mask=~valid)
    return pc.take(tokens, positions)


def _token_dtype(dtype: Any) -> Any:
    """The pandas dtype of a token column: the input's string dtype, else Arrow-backed string."""
    pd = require("pandas")
    if isinstance(dtype, pd.StringDtype):
        return dtype
    return pd.StringDtype("pyarrow")


def _check_token_dtype(dtype: Any, column: str) -> None:
    pd = require("pandas")
    api = pd.api.types
    if isinstance(dtype, pd.StringDtype | pd.CategoricalDtype) or is_object(dtype):
        return
    if isinstance(dtype, pd.ArrowDtype):
        pa = require("pyarrow")
        kind = dtype.pyarrow_dtype
        if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_binary(kind):
            return
        if pa.types.is_large_binary(kind) or pa.types.is_string_view(kind):
            return
    if api.is_string_dtype(dtype):
        return
    raise TypeError(
        f"column {column!r} has dtype {dtype}; pseudonymize needs str or bytes values "
        "(convert numbers first, e.g. .astype(str))"
    )


def _pseudonymize_frame(
    frame: Any,
    plan: tuple[tuple[str, str, Any], ...],
    source: KeyringSource,
    normalizer: Callable[[str], str] | None,
    key_id: str | None,
    dedupe: bool,
) -> Any:
    """One partition: each planned column replaced by its tokens (the Dask task)."""
    pd = require("pandas")
    out = frame.copy(deep=False)
    for column, domain, dtype in plan:
        if len(frame) == 0:
            out[column] = frame[column].astype(dtype)
            continue
        pseudonymizer = source.pseudonymizer(domain, normalizer=normalizer, key_id=key_id)
        tokens = _tokenize_arrow(frame[column], pseudonymizer, column, dedupe=dedupe)
        out[column] = pd.Series(pd.array(tokens, dtype=dtype), index=frame.index, name=column)
    return out


def pseudonymize(
    ddf: dd.DataFrame,
    columns: Mapping[str, str],
    *,
    keyring: KeyringSource,
    normalizer: Callable[[str], str] | None = None,
    key_id: str | None = None,
    dedupe: bool = True,
) -> dd.DataFrame:
    """Replace each column of ``columns`` (name -> token domain) by its pseudonymous tokens.

    ``ddf`` is a ``dask.dataframe.DataFrame``; the result is one too, lazy,
    with the same partitions and the token columns as Arrow-backed strings.
    Every token equals ``Pseudonymizer(keyring.load(), domain=...).token(v)``
    (Art. 4(5) pseudonymisation: joins and counts still work; the keys stay
    with the workers, see the module documentation). Missing values stay
    missing. Values must be ``str`` or ``bytes``: a numeric column raises
    :class:`TypeError` here, before anything runs.

    ``key_id`` pins the key every worker must use (while re-tokenising after
    a rotation, or so that a worker with a stale keyring fails instead of
    writing tokens under another key). ``dedupe=False`` tokenises every value
    even where a column repeats (for measurements; the tokens are the same).
    """
    require("dask.dataframe")
    source = check_source(keyring)
    _check_normalizer(normalizer)
    if key_id is not None:
        check_key_id(key_id)
    meta = ddf._meta
    plan = []
    for column, domain in _token_plan(columns):
        if column not in meta.columns:
            raise KeyError(f"the data frame has no column {column!r} to pseudonymize")
        _check_token_dtype(meta[column].dtype, column)
        plan.append((column, domain, _token_dtype(meta[column].dtype)))
    new_meta = meta.copy()
    for column, _, dtype in plan:
        new_meta[column] = meta[column].astype(dtype)
    return map_partitions(
        ddf,
        _pseudonymize_frame,
        tuple(plan),
        source,
        normalizer,
        key_id,
        bool(dedupe),
        meta=new_meta,
    )


def pseudonymize_batches(
    batches: Iterable[pa.RecordBatch],
    columns: Mapping[str, str],
    *,
    keyring: KeyringSource,
    normalizer: Callable[[str], str] | None = None,
    key_id: str | None = None,
    dedupe: bool = True,
) -> Iterator[pa.RecordBatch]:
    """Pseudonymize ``columns`` of each PyArrow ``RecordBatch``; the mapInArrow shape.

    For Spark: ``df.mapInArrow(functools.partial(pseudonymize_batches,
    columns=..., keyring=source), schema)``; the same tokens as
    :func:`pseudonymize`, and token columns typed ``string`` (``large_string``
    for large inputs). Needs PyArrow only.
    """
    pa = require("pyarrow")
    source = check_source(keyring)
    _check_normalizer(normalizer)
    if key_id is not None:
        check_key_id(key_id)
    plan = dict(_token_plan(columns))
    for batch in batches:
        names = batch.schema.names
        missing = [c for c in plan if c not in names]
        if missing:
            raise KeyError(f"the batch has no column {missing[0]!r} to pseudonymize")
        arrays = []
        for name, values in zip(names, batch.columns, strict=True):
            domain = plan.get(name)
            if domain is None or len(values) == 0:
                arrays.append(values if domain is None else _empty_tokens(values, name))
                continue
            pseudonymizer = source.pseudonymizer(domain, normalizer=normalizer, key_id=key_id)
            arrays.append(_tokenize_arrow(values, pseudonymizer, name, dedupe=dedupe))
        yield pa.RecordBatch.from_arrays(arrays, names=names)


def _empty_tokens(values: Any, name: str) -> Any:
    pa = require("pyarrow")
    arr = _as_arrow(values, name)
    large = pa.types.is_large_string(arr.type) or pa.types.is_large_binary(arr.type)
    return pa.array([], type=pa.large_string() if large else pa.string())
