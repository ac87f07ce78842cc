"""Pseudonymisation and anonymisation of Dask DataFrames, partition by partition.

Install with ``pip install 'gdprkit[dask]'`` (Dask, pandas and PyArrow). The
functions build lazy Dask graphs; nothing runs until ``.compute()``,
``.persist()`` or a write:

* :func:`pseudonymize` replaces identifier columns by the tokens of
  :class:`~gdprkit.pseudonym.Pseudonymizer` (Art. 4(5), 32(1)(a)); the
  tokens equal those of a single-process ``Pseudonymizer.tokens()``.
* :func:`generalize` applies a :class:`~gdprkit.anonymize.Generalization`
  column by column; :func:`k_anonymity` and :func:`enforce_k` measure and
  enforce k over *all* partitions (an equivalence class may be spread
  over many of them, so a per-partition k would be wrong).
* :func:`pseudonymize_batches` and :func:`generalize_batches` do the same to
  an iterator of PyArrow record batches: the shape of Spark's
  ``DataFrame.mapInArrow``.

How the keys reach the workers
------------------------------
A Dask graph is pickled, shipped to the scheduler and the workers, and its
task names end up in logs and dashboards. Key material must not travel that
way: whoever reads a pickled graph, a spilled task or a debug dump would
hold the means of re-identification, which Art. 4(5) requires to be "kept
separately". So :func:`pseudonymize` takes no :class:`~gdprkit.pseudonym.Keyring`,
only a :class:`KeyringSource`: a *locator* (a file path, an environment
variable name, a store URL) that is pickled into the graph instead. Each
worker process loads the keyring from there the first time a task needs it
and caches the :class:`~gdprkit.pseudonym.Pseudonymizer` for the life of the
process (:func:`forget_keys` drops the cache, e.g. after a rotation). The
client never loads the keys unless it computes a partition itself. Provision
the secret to the workers the way a secret is provisioned to any service: a
mounted secret file (mode ``0600``), or an environment variable set on the
worker (the Nanny's ``env=``, a Kubernetes secret); the scheduler needs
neither.

Vectorisation
-------------
Token columns go through Arrow: each distinct value of a partition is
tokenised once (identifier columns repeat: a customer has thousands of
hourly readings) and the tokens are gathered back with ``take``; a column
whose values are mostly distinct is tokenised value by value, as
``Pseudonymizer.tokens()`` does. Generalisers run on whole columns where
that is exact: :class:`~gdprkit.anonymize.Truncate` on time-zone-aware
datetime columns and :class:`~gdprkit.anonymize.Bucket` /
:class:`~gdprkit.anonymize.EdgeBucket` on numeric columns compute bucket
numbers with NumPy, and call the generaliser once per bucket for its label;
values so close to a bucket edge that floating point could misplace them,
and wall-clock times that a time-zone change makes ambiguous or skips, go
through the generaliser itself. Other generalisers are called once per
distinct value of the partition, or once per row where equality of values
does not imply equality of results (object columns of mixed types). The
results always equal those of :meth:`Generalization.apply` on the rows
(aware datetimes as instants: a wall time that a zone skips, which
:func:`~gdprkit.anonymize.truncate` can return, is held as the same instant).
"""

from __future__ import annotations

import decimal
import functools
import importlib
import math
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any, Final, Literal

import attrs

from gdprkit._errors import AnonymizationError, GdprkitError, KeyringError, NaiveDatetimeError
from gdprkit._pseudonym.inputs import check_domain
from gdprkit._pseudonym.keys import check_key_id
from gdprkit.anonymize import (
    Bucket,
    EdgeBucket,
    From,
    Generalization,
    PostcodePrefix,
    Recode,
    Suppress,
    SuppressionReport,
    Truncate,
    _quasi_identifiers,
)
from gdprkit.pseudonym import Keyring, Pseudonymizer
from gdprkit.store import open as open_store

__all__ = [
    "KeyringSource",
    "enforce_k",
    "forget_keys",
    "generalize",
    "generalize_batches",
    "k_anonymity",
    "pseudonymize",
    "pseudonymize_batches",
]

_INSTALL: Final = "pip install 'gdprkit[dask]'"
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_USERINFO = re.compile(r"(?<=://)[^/@]*@")

#: Values sampled to decide whether a token column repeats enough to tokenise it by
#: distinct value: dictionary-encoding a column of distinct values costs ~25% of tokenising.
_SAMPLE: Final = 4096
_DISTINCT_RATIO: Final = 0.5

#: Relative error allowed for a bucket number computed in float64, with a wide margin:
#: (x - origin) / width is off by a few ulp, the shortest repr of x by half an ulp.
_FLOAT_MARGIN: Final = 1e-12
_EXACT_FLOAT_INT: Final = 2**53
_SAFE_INT: Final = 2**61

#: inferred dtypes of object columns on which equal values give equal generaliser results
_DEDUPABLE_OBJECTS: Final = frozenset({"string", "bytes", "date", "integer", "boolean", "empty"})
_STRING_GENERALISERS: Final = (PostcodePrefix, Bucket, EdgeBucket, Recode, Suppress)


def _import(name: str) -> Any:
    """Import an optional dependency of the ``dask`` extra, or say how to install it."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        top = name.partition(".")[0]
        raise ImportError(
            f"gdprkit.dask needs {top}, which is not installed: {_INSTALL}", name=top
        ) from exc


# --------------------------------------------------------------------------- keys


def _check_kind(_instance: object, _attribute: object, value: Any) -> None:
    if value not in ("file", "env", "store"):
        raise ValueError("KeyringSource kind must be one of: file, env, store")


def _check_locator(_instance: object, _attribute: object, value: Any) -> None:
    if not isinstance(value, str) or not value:
        raise TypeError("KeyringSource locator must be a non-empty str")


@attrs.frozen(repr=False)
class KeyringSource:
    """Where a worker loads a keyring from: a locator that is safe to pickle and to log.

    Build one with :meth:`file`, :meth:`env` or :meth:`store`. It holds the
    path, variable name or URL and never key material, so it can travel in a
    Dask task graph or a Spark closure; each process that runs a task loads
    the keyring itself (:meth:`load`) and keeps the resulting
    :class:`~gdprkit.pseudonym.Pseudonymizer` (:meth:`pseudonymizer`). This
    keeps the keys "separately" in the sense of Art. 4(5) GDPR: they live in
    the secret store and in the memory of the processes using them, and in no
    pickle, spill file or log.
    """

    kind: Literal["file", "env", "store"] = attrs.field(validator=_check_kind)
    locator: str = attrs.field(validator=_check_locator)
    name: str = attrs.field(default="default", kw_only=True)

    @classmethod
    def file(cls, path: str | os.PathLike[str]) -> KeyringSource:
        """A keyring JSON file (:meth:`Keyring.to_json`) at an absolute path on every worker.

        The file must not be readable by group or others (mode ``0600``, as
        ``ssh`` demands of a private key); :meth:`load` refuses it otherwise.
        The path must be absolute: a worker resolves it in its own working
        directory.
        """
        text = os.fspath(path)
        if not isinstance(text, str) or not os.path.isabs(text):
            raise ValueError("KeyringSource.file needs an absolute path (str or os.PathLike)")
        return cls("file", text)

    @classmethod
    def env(cls, variable: str) -> KeyringSource:
        """An environment variable holding the keyring JSON, set in every worker's environment.

        With ``dask.distributed``, set it on the workers (``Nanny(env=...)``,
        ``LocalCluster(env=...)``, a Kubernetes secret), not on the client.
        """
        if not isinstance(variable, str) or not _ENV_NAME.match(variable):
            raise ValueError("KeyringSource.env needs an environment variable name")
        return cls("env", variable)

    @classmethod
    def store(cls, url: str, *, name: str = "default") -> KeyringSource:
        """A keyring saved with :meth:`Keyring.save` in the gdprkit store at ``url``.

        The store file must be reachable from every worker at the same path
        (``sqlite:////abs/path``); put a database password in the workers'
        environment rather than in the URL, which travels in the graph.
        """
        if not isinstance(url, str) or "://" not in url:
            raise ValueError("KeyringSource.store needs a store URL, e.g. 'sqlite:////srv/gk.db'")
        if url.endswith(":memory:"):
            raise ValueError(
                "an in-memory store exists in one process only; workers cannot load it"
            )
        if not isinstance(name, str) or not name:
            raise ValueError("KeyringSource.store needs a non-empty keyring name")
        return cls("store", url, name=name)

    def load(self) -> Keyring:
        """Read the keyring now, in this process; :class:`~gdprkit.KeyringError` if it cannot.

        Messages name the locator and what is wrong, never the content.
        """
        if self.kind == "env":
            text = os.environ.get(self.locator)
            if not text:
                raise KeyringError(
                    f"environment variable {self.locator!r} is not set in this process "
                    "(set it on the workers)"
                )
            return Keyring.from_json(text)
        if self.kind == "file":
            return Keyring.from_json(self._read_file())
        if self.locator.lower().startswith("sqlite://"):
            path = self.locator[len("sqlite:///") :]
            if not os.path.exists(path):
                raise KeyringError(f"the keyring store file {path!r} does not exist here")
        with open_store(self.locator) as opened:
            return Keyring.load(opened, name=self.name)

    def _read_file(self) -> bytes:
        path = self.locator
        try:
            info = os.stat(path)
        except OSError:
            raise KeyringError(f"keyring file {path!r} is missing or unreadable here") from None
        if os.name == "posix" and info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise KeyringError(
                f"keyring file {path!r} is accessible to group or others; chmod 600 it"
            )
        try:
            with open(path, "rb") as handle:
                return handle.read()
        except OSError:
            raise KeyringError(f"keyring file {path!r} is missing or unreadable here") from None

    def pseudonymizer(
        self,
        domain: str,
        *,
        normalizer: Callable[[str], str] | None = None,
        key_id: str | None = None,
    ) -> Pseudonymizer:
        """The :class:`~gdprkit.pseudonym.Pseudonymizer` for ``domain``, loaded once per process.

        Cached by (source, domain, normalizer, key id) until :func:`forget_keys`;
        use a module-level normalizer (a lambda unpickled per task misses the cache).
        """
        return _cached_pseudonymizer(self, domain, normalizer, key_id)

    def __dask_tokenize__(self) -> tuple[str, str, str, str]:
        return ("gdprkit.KeyringSource", self.kind, self.locator, self.name)

    def __repr__(self) -> str:
        if self.kind == "store":
            shown = _USERINFO.sub("***@", self.locator)
            return f"KeyringSource.store({shown!r}, name={self.name!r})"
        return f"KeyringSource.{self.kind}({self.locator!r})"


@functools.lru_cache(maxsize=64)
def _cached_pseudonymizer(
    source: KeyringSource,
    domain: str,
    normalizer: Callable[[str], str] | None,
    key_id: str | None,
) -> Pseudonymizer:
    return Pseudonymizer(source.load(), domain=domain, normalizer=normalizer, key_id=key_id)


def forget_keys() -> None:
    """Drop this process's cached pseudonymizers, so the next task reloads the keyring.

    After rotating the keyring behind a :class:`KeyringSource`, run it on every
    worker: ``client.run(gdprkit.dask.forget_keys)``.
    """
    _cached_pseudonymizer.cache_clear()


def _check_source(keyring: object) -> KeyringSource:
    if isinstance(keyring, KeyringSource):
        return keyring
    if isinstance(keyring, Keyring):
        raise TypeError(
            "keyring must be a KeyringSource, not a Keyring: the keys would travel in the "
            "task graph; use KeyringSource.file(), .env() or .store()"
        )
    raise TypeError(f"keyring must be a KeyringSource, got {type(keyring).__name__}")


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


# --------------------------------------------------------------------------- token kernel


def _as_arrow(values: Any, column: str) -> Any:
    """A pandas column or Arrow (chunked) array as one Arrow array of text or bytes."""
    pa = _import("pyarrow")
    types = pa.types
    if isinstance(values, pa.ChunkedArray):
        arr = values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    elif isinstance(values, pa.Array):
        arr = values
    else:
        try:
            arr = pa.array(values, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            raise TypeError(
                f"column {column!r} mixes value types; pseudonymize needs str or bytes values"
            ) from None
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


def _tokenize_list(pseudonymizer: Pseudonymizer, values: list[Any], column: str) -> list[str]:
    try:
        return pseudonymizer.tokens(values)
    except (TypeError, ValueError) as exc:
        # tokens() names the position and type, never the value.
        raise type(exc)(f"column {column!r}: {exc}") from None


def _tokenize_arrow(values: Any, pseudonymizer: Pseudonymizer, column: str, *, dedupe: bool) -> Any:
    """The token column of ``values`` as an Arrow array: nulls stay null, order kept."""
    pa = _import("pyarrow")
    pc = _import("pyarrow.compute")
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
            dictionary = encoded.dictionary
            tokens = _tokenize_list(pseudonymizer, dictionary.to_pylist(), column)
            return pc.take(pa.array(tokens, type=out_type), encoded.indices)
    if arr.null_count == 0:
        return pa.array(_tokenize_list(pseudonymizer, arr.to_pylist(), column), type=out_type)
    np = _import("numpy")
    valid = arr.is_valid().to_numpy(zero_copy_only=False)
    tokens = _tokenize_list(pseudonymizer, arr.drop_null().to_pylist(), column)
    positions = pa.array(np.cumsum(valid) - 1, mask=~valid)
    return pc.take(pa.array(tokens, type=out_type), positions)


def _token_dtype(dtype: Any) -> Any:
    """The pandas dtype of a token column: the input's string dtype, else Arrow-backed string."""
    pd = _import("pandas")
    if isinstance(dtype, pd.StringDtype):
        return dtype
    return pd.StringDtype("pyarrow")


def _check_token_dtype(dtype: Any, column: str) -> None:
    pd = _import("pandas")
    api = pd.api.types
    if isinstance(dtype, pd.StringDtype | pd.CategoricalDtype) or _is_object(dtype):
        return
    if isinstance(dtype, pd.ArrowDtype):
        pa = _import("pyarrow")
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
    pd = _import("pandas")
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
    ddf: Any,
    columns: Mapping[str, str],
    *,
    keyring: KeyringSource,
    normalizer: Callable[[str], str] | None = None,
    key_id: str | None = None,
    dedupe: bool = True,
) -> Any:
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
    _import("dask.dataframe")
    source = _check_source(keyring)
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
    return ddf.map_partitions(
        _pseudonymize_frame,
        tuple(plan),
        source,
        normalizer,
        key_id,
        bool(dedupe),
        meta=new_meta,
    )


def pseudonymize_batches(
    batches: Iterable[Any],
    columns: Mapping[str, str],
    *,
    keyring: KeyringSource,
    normalizer: Callable[[str], str] | None = None,
    key_id: str | None = None,
    dedupe: bool = True,
) -> Iterator[Any]:
    """Pseudonymize ``columns`` of each PyArrow ``RecordBatch``; the mapInArrow shape.

    For Spark: ``df.mapInArrow(functools.partial(pseudonymize_batches,
    columns=..., keyring=source), schema)``; the same tokens as
    :func:`pseudonymize`, and token columns typed ``string`` (``large_string``
    for large inputs). Needs PyArrow only.
    """
    pa = _import("pyarrow")
    source = _check_source(keyring)
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
    pa = _import("pyarrow")
    arr = _as_arrow(values, name)
    large = pa.types.is_large_string(arr.type) or pa.types.is_large_binary(arr.type)
    return pa.array([], type=pa.large_string() if large else pa.string())


# --------------------------------------------------------------------------- generalising


def _rule_dtype(rule: From, dtypes: Mapping[str, Any]) -> Any:
    """The pandas dtype of a rule's output column: fixed before any partition runs."""
    pd = _import("pandas")
    generaliser = rule.generaliser
    if isinstance(generaliser, _STRING_GENERALISERS):
        return pd.StringDtype("pyarrow")
    if isinstance(generaliser, Truncate) and len(rule.sources) == 1:
        dtype = dtypes[rule.sources[0]]
        if isinstance(dtype, pd.DatetimeTZDtype):
            return dtype
    return _import("numpy").dtype(object)


def _wrap_error(name: str, exc: Exception) -> Exception:
    """The typed error of a failed generaliser, as :meth:`Generalization.apply` words it."""
    if isinstance(exc, AnonymizationError | NaiveDatetimeError):
        return type(exc)(f"column {name!r}: {exc}")
    if isinstance(exc, GdprkitError):
        return exc
    # A user's generaliser may echo the value in its message: keep only the type.
    return AnonymizationError(f"column {name!r}: generaliser raised {type(exc).__name__}")


def _call_each(
    generaliser: Callable[..., object], rows: Iterable[tuple[Any, ...]], name: str
) -> list[object]:
    try:
        return [generaliser(*args) for args in rows]
    except Exception as exc:
        raise _wrap_error(name, exc) from None


def _to_array(values: Sequence[object], dtype: Any) -> Any:
    """A pandas array of ``dtype`` from Python results (tuples stay single objects)."""
    np = _import("numpy")
    pd = _import("pandas")
    if _is_object(dtype):
        return np.fromiter(values, dtype=object, count=len(values))
    return pd.array(values if isinstance(values, np.ndarray) else list(values), dtype=dtype)


def _is_object(dtype: Any) -> bool:
    """Whether ``dtype`` is NumPy's object dtype (Python objects of any type)."""
    np = _import("numpy")
    return isinstance(dtype, np.dtype) and dtype.kind == "O"


def _dedupable(series: Any) -> bool:
    """Whether equal values of ``series`` give equal results of any pure generaliser."""
    pd = _import("pandas")
    dtype = series.dtype
    if _is_object(dtype):
        return bool(pd.api.types.infer_dtype(series, skipna=False) in _DEDUPABLE_OBJECTS)
    return True


def _by_distinct(series: Any, generaliser: Callable[..., object], name: str, dtype: Any) -> Any:
    """Call the generaliser once per distinct value of ``series`` and gather the results."""
    pd = _import("pandas")
    codes, uniques = pd.factorize(series, use_na_sentinel=False)
    results = _call_each(generaliser, ((u,) for u in _pylist(uniques)), name)
    return _to_array(results, dtype).take(codes)


def _pylist(values: Any) -> list[Any]:
    """Python scalars (int, float, str, Timestamp …), as ``to_dict('records')`` gives them."""
    return list(values.tolist())


def _numeric(series: Any) -> Any:
    """The column as a NumPy int64 or float64 array, or None if it is not plainly numeric."""
    np = _import("numpy")
    pd = _import("pandas")
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
    np = _import("numpy")
    pd = _import("pandas")
    n = len(values)
    out = np.empty(n, dtype=object)
    index = np.flatnonzero(certain)
    if len(index):
        keys, uniques = pd.factorize(codes[index])
        representative = np.empty(len(uniques), dtype=np.int64)
        representative[keys] = index
        labels = _call_each(generaliser, ((values[i].item(),) for i in representative), name)
        out[index] = np.fromiter(labels, dtype=object, count=len(labels))[keys]
    rest = np.flatnonzero(~certain)
    if len(rest):
        tail = pd.Series(values[rest])
        out[rest] = np.asarray(
            _by_distinct(tail, generaliser, name, np.dtype(object)), dtype=object
        )
    return _to_array(out, dtype)


def _bucket_fast(values: Any, bucket: Bucket, name: str, dtype: Any) -> Any:
    np = _import("numpy")
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
    np = _import("numpy")
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
    np = _import("numpy")
    pd = _import("pandas")
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
        fixed = _call_each(truncate, ((v,) for v in _pylist(series.iloc[rows])), name)
        result.iloc[rows] = pd.array(fixed, dtype=dtype)
    return result.array


def _generalize_column(
    series: Any, generaliser: Callable[..., object], name: str, dtype: Any
) -> Any:
    pd = _import("pandas")
    if len(series) == 0:
        return _to_array([], dtype)
    if isinstance(generaliser, Suppress):
        return _to_array([generaliser.marker] * len(series), dtype)
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
    return _to_array(_call_each(generaliser, ((v,) for v in _pylist(series)), name), dtype)


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
    pd = _import("pandas")
    generalization = plan.generalization
    out: dict[str, Any] = {}
    for (name, rule), dtype in zip(generalization.rules.items(), plan.dtypes, strict=True):
        if len(rule.sources) == 1:
            values = _generalize_column(frame[rule.sources[0]], rule.generaliser, name, dtype)
        else:
            columns = [_pylist(frame[source]) for source in rule.sources]
            rows = zip(*columns, strict=True)
            values = _to_array(_call_each(rule.generaliser, rows, name), dtype)
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
    pd = _import("pandas")
    dtypes = dict(meta.dtypes.items())
    rule_dtypes = tuple(_rule_dtype(rule, dtypes) for rule in generalization.rules.values())
    columns: dict[str, Any] = {}
    for name, dtype in zip(generalization.rules, rule_dtypes, strict=True):
        columns[name] = pd.Series([], dtype=dtype, name=name)
    for name in generalization.keep:
        columns[name] = meta[name]
    return pd.DataFrame(columns, index=meta.index), rule_dtypes


def generalize(ddf: Any, generalization: Generalization) -> Any:
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
    _import("dask.dataframe")
    meta = ddf._meta
    checked = _check_generalization(generalization, list(meta.columns))
    new_meta, dtypes = _output_meta(meta, checked)
    return ddf.map_partitions(_generalize_frame, _Plan(checked, dtypes), meta=new_meta)


def generalize_batches(batches: Iterable[Any], generalization: Generalization) -> Iterator[Any]:
    """Generalise each PyArrow ``RecordBatch`` (through pandas); the mapInArrow shape.

    The same rules and results as :func:`generalize`; object columns (a
    :class:`~gdprkit.anonymize.CoarseLocation` pair) must be typed by the
    caller's Arrow schema.
    """
    pa = _import("pyarrow")
    for batch in batches:
        frame = batch.to_pandas()
        checked = _check_generalization(generalization, list(frame.columns))
        _, dtypes = _output_meta(frame.iloc[:0], checked)
        out = _generalize_frame(frame, _Plan(checked, dtypes))
        yield pa.RecordBatch.from_pandas(out, preserve_index=False)


# --------------------------------------------------------------------------- risk


def _class_sizes(ddf: Any, quasi_identifiers: Sequence[str]) -> tuple[Any, list[str]]:
    _import("dask.dataframe")
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


def k_anonymity(ddf: Any, quasi_identifiers: Sequence[str]) -> int:
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
    pd = _import("pandas")
    if len(small) == 0 or len(frame) == 0:
        return frame
    keys = pd.MultiIndex.from_frame(frame[columns])
    return frame[~keys.isin(small)]


def enforce_k(ddf: Any, quasi_identifiers: Sequence[str], k: int) -> tuple[Any, SuppressionReport]:
    """Suppress the rows of every class smaller than ``k``; the lazy result and a report.

    One pass counts the classes across all partitions (and fills the
    :class:`~gdprkit.anonymize.SuppressionReport`, as
    :func:`gdprkit.anonymize.enforce_k` does); the returned frame drops the
    rows of the small classes when it is computed. The small classes'
    generalised values travel in its graph: they are quasi-identifiers after
    generalisation, not keys, but the rarest ones. Re-reading ``ddf`` must
    give the same rows (persist it first if it is expensive or random).
    """
    dask = _import("dask")
    pd = _import("pandas")
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise AnonymizationError("k must be a positive int")
    sizes, columns = _class_sizes(ddf, quasi_identifiers)
    small, big = sizes[sizes < k], sizes[sizes >= k]
    small_sizes, total, classes, k_before, big_count, big_sum, big_min = dask.compute(
        small, sizes.sum(), sizes.count(), sizes.min(), big.count(), big.sum(), big.min()
    )
    small_index = pd.MultiIndex.from_frame(small_sizes.index.to_frame(index=False)[columns])
    kept = ddf.map_partitions(_drop_small, columns, small_index, meta=ddf._meta)
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
