"""Tests for gdprkit.dask: pseudonymisation and anonymisation of Dask DataFrames.

Every fast path is checked against its plain twin: ``Pseudonymizer.tokens()``
for tokens, ``Generalization.apply`` over dict rows for generalisation, and
``gdprkit.anonymize.k_anonymity`` / ``enforce_k`` for the risk measures. The
last test runs the whole job on a two-process ``LocalCluster`` over a
2,000,000-row Parquet data set.
"""

from __future__ import annotations

import base64
import functools
import importlib
import json
import os
import pickle
import stat
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

dask = pytest.importorskip("dask", reason="gdprkit[dask] is not installed (dask)")
dd = pytest.importorskip("dask.dataframe", reason="gdprkit[dask] is not installed (dask)")
np = pytest.importorskip("numpy", reason="gdprkit[dask] is not installed (numpy)")
pd = pytest.importorskip("pandas", reason="gdprkit[dask] is not installed (pandas)")
pa = pytest.importorskip("pyarrow", reason="gdprkit[dask] is not installed (pyarrow)")
pq = pytest.importorskip("pyarrow.parquet", reason="gdprkit[dask] is not installed (pyarrow)")

import gdprkit.dask as gd  # noqa: E402  # after the skips: it needs the extra to run
from gdprkit import AnonymizationError, KekError, KeyringError, NaiveDatetimeError  # noqa: E402
from gdprkit import store as gk_store  # noqa: E402
from gdprkit._dask.columns import _bucket_fast, _edge_bucket_fast, _truncate_fast  # noqa: E402
from gdprkit._dask.keys import _cached_pseudonymizer  # noqa: E402
from gdprkit._dask.tokens import _pseudonymize_frame, _tokenize_arrow  # noqa: E402
from gdprkit._pseudonym.tokens import _TOKEN_INFO  # noqa: E402
from gdprkit.anonymize import (  # noqa: E402
    Bucket,
    Clamp,
    CoarseLocation,
    EdgeBucket,
    From,
    Generalization,
    PostcodePrefix,
    Recode,
    Suppress,
    Truncate,
    enforce_k,
    k_anonymity,
)
from gdprkit.pseudonym import Kek, Keyring, Pseudonymizer, normalize_email  # noqa: E402

KEY = bytes(range(32))
ENV = "GDPRKIT_TEST_DASK_KEYRING"
STOCKHOLM = ZoneInfo("Europe/Stockholm")
SECRET = "Anna-Secret-4711"


#: The key-encryption key that wraps the keyring JSON: in GDPRKIT_KEK, where a worker's
#: KeyringSource reads it by default (set for every test here, and in the workers' env).
KEK_MATERIAL = bytes(range(40, 72))
KEK_TEXT = "kek1:" + base64.urlsafe_b64encode(KEK_MATERIAL).decode().rstrip("=")
KEK = Kek.env()


@pytest.fixture(autouse=True)
def kek_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GDPRKIT_KEK", KEK_TEXT)


@pytest.fixture
def keyring() -> Keyring:
    return Keyring.from_key(KEY, key_id="k1", at=datetime(2026, 1, 1, tzinfo=UTC))


@pytest.fixture
def env_source(keyring: Keyring, monkeypatch: pytest.MonkeyPatch) -> Iterator[gd.KeyringSource]:
    """The keyring in an environment variable of this process, and no stale cache."""
    monkeypatch.setenv(ENV, keyring.to_json(kek=KEK))
    gd.forget_keys()
    yield gd.KeyringSource.env(ENV)
    gd.forget_keys()


def needles(keyring: Keyring, domains: Sequence[str] = ("analytics",)) -> dict[str, bytes]:
    """Every spelling of the key material a leak could take, raw and derived."""
    raw = keyring._key(keyring.active_id).secret.reveal()
    found = {
        "raw key": raw,
        "hex key": raw.hex().encode(),
        "base64url key": base64.urlsafe_b64encode(raw).rstrip(b"="),
        "base64 key": base64.b64encode(raw).rstrip(b"="),
        "raw KEK": KEK_MATERIAL,
        "KEK text": KEK_TEXT.encode(),
    }
    for domain in domains:
        sub = keyring._derive(keyring.active_id, _TOKEN_INFO + domain.encode(), 32)
        found[f"{domain} subkey"] = sub
        found[f"{domain} subkey hex"] = sub.hex().encode()
    return found


def leaks(haystack: bytes | str, keyring: Keyring) -> list[str]:
    data = haystack.encode("utf-8", "surrogatepass") if isinstance(haystack, str) else haystack
    return [name for name, needle in needles(keyring).items() if needle in data]


def frame(n: int = 1_000, *, seed: int = 7) -> Any:
    """Elveta-like hourly readings, with a postcode and a location for the generalisers."""
    rng = np.random.default_rng(seed)
    meter = rng.integers(0, 40, n)
    return pd.DataFrame(
        {
            "customer_id": pd.array([f"C-{1042 + m}" for m in meter], dtype="string"),
            "meter_id": pd.array([f"M-{735999000 + m}" for m in meter], dtype="string"),
            "read_at": pd.Timestamp("2026-10-24", tz=STOCKHOLM)
            + pd.to_timedelta(rng.integers(0, 24 * 8 * 60, n), unit="min"),
            "kwh": np.round(rng.gamma(2.0, 0.4, n), 3),
            "area_m2": rng.integers(30, 300, n),
            "postcode": pd.array(rng.choice(["114 55", "183 30", "752 36"], n), dtype="string"),
            "lat": rng.uniform(55.3, 69.0, n),
            "lon": rng.uniform(11.0, 24.0, n),
        }
    )


def rows_of(result: Any) -> list[dict[str, object]]:
    """A computed frame as dict rows, pandas' missing values as None."""
    out = result.astype(object).where(result.notna(), None)
    return [dict(row) for row in out.to_dict("records")]


# --------------------------------------------------------------------------- sources


def test_sources_repr_and_pickle_hold_locators_only(keyring: Keyring, tmp_path: Path) -> None:
    sources = [
        gd.KeyringSource.file(tmp_path / "keyring.json"),
        gd.KeyringSource.env(ENV),
        gd.KeyringSource.store("sqlite:////srv/gdprkit.db", name="analytics"),
    ]
    assert [repr(s) for s in sources] == [
        f"KeyringSource.file({str(tmp_path / 'keyring.json')!r})",
        f"KeyringSource.env({ENV!r})",
        "KeyringSource.store('sqlite:////srv/gdprkit.db', name='analytics')",
    ]
    for source in sources:
        assert pickle.loads(pickle.dumps(source)) == source
        assert leaks(pickle.dumps(source), keyring) == []


def test_store_repr_hides_credentials() -> None:
    source = gd.KeyringSource.store("postgresql://gk:hunter2@db/gk")
    assert "hunter2" not in repr(source)
    assert repr(source) == "KeyringSource.store('postgresql://***@db/gk', name='default')"


@pytest.mark.parametrize(
    ("build", "message"),
    [
        pytest.param(lambda: gd.KeyringSource.file("keyring.json"), "absolute", id="relative-file"),
        pytest.param(lambda: gd.KeyringSource.env("NOT-A-NAME"), "variable", id="bad-env-name"),
        pytest.param(lambda: gd.KeyringSource.store("gdprkit.db"), "URL", id="store-not-url"),
        pytest.param(
            lambda: gd.KeyringSource.store("sqlite:///:memory:"), "one process", id="memory-store"
        ),
        pytest.param(lambda: gd.KeyringSource("vault", "x"), "kind", id="unknown-kind"),
    ],
)
def test_bad_sources_are_refused(build: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()


def test_file_source_loads_a_private_file(keyring: Keyring, tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    path.write_text(keyring.to_json(kek=KEK))
    path.chmod(0o600)
    assert gd.KeyringSource.file(path).load() == keyring


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_file_source_refuses_a_file_others_can_read(keyring: Keyring, tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    path.write_text(keyring.to_json(kek=KEK))
    path.chmod(0o644)
    with pytest.raises(KeyringError, match="chmod 600") as info:
        gd.KeyringSource.file(path).load()
    assert leaks(str(info.value), keyring) == []


def test_file_source_names_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(KeyringError, match="missing or unreadable"):
        gd.KeyringSource.file(tmp_path / "absent.json").load()


def test_env_source(keyring: Keyring, env_source: gd.KeyringSource) -> None:
    assert env_source.load() == keyring


def test_env_source_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)
    with pytest.raises(KeyringError, match="is not set"):
        gd.KeyringSource.env(ENV).load()


def test_store_source(keyring: Keyring, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'gk.db'}"
    with gk_store.open(url) as opened:
        keyring.save(opened, kek=KEK, name="analytics")
    assert gd.KeyringSource.store(url, name="analytics").load() == keyring
    missing = f"sqlite:///{tmp_path / 'absent.db'}"
    with pytest.raises(KeyringError, match="does not exist"):
        gd.KeyringSource.store(missing).load()
    assert not (tmp_path / "absent.db").exists()


def test_a_source_names_where_its_kek_is_and_needs_it(
    keyring: Keyring, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kek_file = tmp_path / "gdprkit.kek"
    kek_file.write_text(KEK_TEXT)
    kek_file.chmod(0o600)
    path = tmp_path / "keyring.json"
    path.write_text(keyring.to_json(kek=KEK))
    path.chmod(0o600)
    source = gd.KeyringSource.file(path, kek=Kek.file(kek_file))
    assert repr(source) == f"KeyringSource.file({str(path)!r}, kek=Kek.file({str(kek_file)!r}))"
    assert pickle.loads(pickle.dumps(source)) == source
    monkeypatch.delenv("GDPRKIT_KEK")
    assert source.load() == keyring  # its own KEK locator, not the environment
    with pytest.raises(KekError, match="'GDPRKIT_KEK' is not set"):
        gd.KeyringSource.file(path).load()
    assert leaks(repr(source) + repr(pickle.dumps(source)), keyring) == []
    with pytest.raises(KekError, match="kek must be"):
        gd.KeyringSource.env(ENV, kek=KEK_TEXT)  # type: ignore[arg-type]


def test_pseudonymizer_is_loaded_once_per_process(env_source: gd.KeyringSource) -> None:
    first = env_source.pseudonymizer("analytics")
    assert env_source.pseudonymizer("analytics") is first
    assert env_source.pseudonymizer("support") is not first
    gd.forget_keys()
    assert env_source.pseudonymizer("analytics") is not first


def test_missing_extra_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.import_module

    def no_dask(name: str, package: str | None = None) -> Any:
        if name.partition(".")[0] == "dask":
            raise ModuleNotFoundError(f"No module named {name!r}")
        return real(name, package)

    monkeypatch.setattr(importlib, "import_module", no_dask)
    with pytest.raises(ImportError, match=r"pip install 'gdprkit\[dask\]'"):
        gd.generalize(object(), Generalization({"x": Suppress()}))


# --------------------------------------------------------------------------- pseudonymize


@pytest.mark.parametrize("dedupe", [True, False], ids=["by-distinct-value", "every-value"])
def test_tokens_equal_the_single_process_ones(
    keyring: Keyring, env_source: gd.KeyringSource, dedupe: bool
) -> None:
    df = frame(3_000)
    df["reading_id"] = pd.array([f"R-{i}" for i in range(len(df))], dtype="string")
    ddf = dd.from_pandas(df, npartitions=4)
    columns = {"customer_id": "analytics", "meter_id": "analytics", "reading_id": "support"}
    out = gd.pseudonymize(ddf, columns, keyring=env_source, dedupe=dedupe)
    result = out.compute(scheduler="sync")
    for column, domain in columns.items():
        plain = Pseudonymizer(keyring, domain=domain)
        assert result[column].tolist() == plain.tokens(df[column].tolist()), column
    pd.testing.assert_frame_equal(result[["kwh", "read_at"]], df[["kwh", "read_at"]])
    assert str(result["customer_id"].dtype) == "string"


@pytest.mark.parametrize(
    "values",
    [
        pytest.param(["a@x.se", None, "b@x.se", "a@x.se"], id="object-with-none"),
        pytest.param(pd.array(["a", None, "a", "a"] * 3, dtype="string"), id="string-with-na"),
        pytest.param(pd.Categorical(["b", "a", None, "b"]), id="categorical"),
        pytest.param([b"\x00\xff", b"x", None, b"x"], id="bytes"),
        pytest.param(pd.array(["é", "e\u0301", ""], dtype=pd.ArrowDtype(pa.string())), id="arrow"),
    ],
)
@pytest.mark.parametrize("dedupe", [True, False], ids=["by-distinct-value", "every-value"])
def test_missing_values_stay_missing(
    keyring: Keyring, env_source: gd.KeyringSource, values: Any, dedupe: bool
) -> None:
    # Dask would turn object columns into strings (and fail on bytes that are not UTF-8).
    with dask.config.set({"dataframe.convert-string": False}):
        ddf = dd.from_pandas(pd.DataFrame({"id": values}), npartitions=2)
        out = gd.pseudonymize(ddf, {"id": "d"}, keyring=env_source, dedupe=dedupe)
        result = out.compute(scheduler="sync")
    plain = Pseudonymizer(keyring, domain="d")
    expected = [None if pd.isna(v) else plain.token(v) for v in list(values)]
    assert [None if pd.isna(t) else t for t in result["id"]] == expected


def test_normalizer_and_pinned_key(keyring: Keyring, monkeypatch: pytest.MonkeyPatch) -> None:
    rotated = keyring.rotate(key_id="k2", material=bytes(range(32, 64)))
    monkeypatch.setenv(ENV, rotated.to_json(kek=KEK))
    gd.forget_keys()
    emails = ["Anna@Example.se", " anna@example.se", "erik@example.se"]
    ddf = dd.from_pandas(pd.DataFrame({"email": emails}), npartitions=2)
    source = gd.KeyringSource.env(ENV)
    out = gd.pseudonymize(
        ddf, {"email": "crm"}, keyring=source, normalizer=normalize_email, key_id="k1"
    ).compute(scheduler="sync")
    plain = Pseudonymizer(rotated, domain="crm", normalizer=normalize_email, key_id="k1")
    assert out["email"].tolist() == plain.tokens(emails)
    assert out["email"][0] == out["email"][1]
    assert all(t.startswith("k1.") for t in out["email"])
    gd.forget_keys()


@given(
    st.lists(
        st.one_of(st.none(), st.text(max_size=6), st.sampled_from(["C-1042", "C-1043"])),
        max_size=80,
    ),
    st.booleans(),
)
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_token_kernel_agrees_with_tokens(
    keyring: Keyring, values: list[str | None], dedupe: bool
) -> None:
    """The Arrow kernel (by distinct value, nulls scattered back) against the plain twin."""
    plain = Pseudonymizer(keyring, domain="analytics")
    arr = pa.array(values, type=pa.string())
    out = _tokenize_arrow(arr, plain, "id", dedupe=dedupe).to_pylist()
    assert out == [None if v is None else plain.token(v) for v in values]


@pytest.mark.parametrize(
    ("kind", "out_kind"),
    [
        (pa.string(), pa.string()),
        (pa.large_string(), pa.large_string()),
        (pa.binary(), pa.string()),
        (pa.large_binary(), pa.large_string()),
        (pa.string_view(), pa.large_string()),
        (pa.dictionary(pa.int32(), pa.string()), pa.string()),
    ],
    ids=str,
)
@pytest.mark.parametrize("dedupe", [False, True], ids=["every-value", "by-distinct-value"])
def test_token_kernel_across_types_and_slices(
    keyring: Keyring, kind: Any, out_kind: Any, dedupe: bool
) -> None:
    """Thousands of values (slices of 1024 out of Arrow), some missing, in every column type."""
    plain = Pseudonymizer(keyring, domain="analytics")
    values = [None if i % 7 == 3 else f"C-{i % (40 if dedupe else 5000)}" for i in range(3000)]
    binary = pa.types.is_binary(kind) or pa.types.is_large_binary(kind)
    arr = pa.array([v.encode() if binary and v else v for v in values], type=kind)
    out = _tokenize_arrow(arr, plain, "id", dedupe=dedupe)
    assert out.type == out_kind
    out.validate(full=True)
    assert out.to_pylist() == [None if v is None else plain.token(v) for v in values]


@pytest.mark.parametrize("dedupe", [False, True], ids=["every-value", "by-distinct-value"])
def test_token_kernel_chunks_a_string_column_past_2_gib(
    keyring: Keyring, monkeypatch: pytest.MonkeyPatch, dedupe: bool
) -> None:
    """Offsets of ``string`` are 32-bit: past them the tokens go into further chunks."""
    from gdprkit._dask import tokens as kernel

    plain = Pseudonymizer(keyring, domain="analytics")
    monkeypatch.setattr(kernel, "_INT32_MAX", 4 * len(plain.token("x")))  # four tokens a chunk
    values: list[str | None] = [f"C-{i % 6 if dedupe else i}" for i in range(9)]
    out = _tokenize_arrow(pa.array(values), plain, "id", dedupe=dedupe)
    assert out.to_pylist() == plain.tokens(values)
    if not dedupe:
        assert [len(chunk) for chunk in out.chunks] == [4, 4, 1]
    values.insert(5, None)
    out = _tokenize_arrow(pa.array(values), plain, "id", dedupe=dedupe)
    assert out.to_pylist() == [None if v is None else plain.token(v) for v in values]
    large = _tokenize_arrow(pa.array(values, type=pa.large_string()), plain, "id", dedupe=dedupe)
    assert isinstance(large, pa.Array)
    assert large.to_pylist() == out.to_pylist()


def test_token_kernel_with_a_normalizer(keyring: Keyring) -> None:
    plain = Pseudonymizer(keyring, domain="crm", normalizer=normalize_email)
    values = [f" User{i}@Example.se" for i in range(1500)]
    out = _tokenize_arrow(pa.array(values), plain, "email", dedupe=False).to_pylist()
    assert out == plain.tokens(values)
    assert out[0] == plain.token("user0@example.se")


def test_pseudonymize_checks_before_running(keyring: Keyring, env_source: gd.KeyringSource) -> None:
    ddf = dd.from_pandas(frame(10), npartitions=1)
    with pytest.raises(TypeError, match=r"column 'kwh' has dtype float64.*astype\(str\)"):
        gd.pseudonymize(ddf, {"kwh": "analytics"}, keyring=env_source)
    with pytest.raises(KeyError, match="no column 'email'"):
        gd.pseudonymize(ddf, {"email": "analytics"}, keyring=env_source)
    with pytest.raises(TypeError, match="not a Keyring"):
        gd.pseudonymize(ddf, {"customer_id": "analytics"}, keyring=keyring)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="domain"):
        gd.pseudonymize(ddf, {"customer_id": ""}, keyring=env_source)


def test_mixed_object_column_names_column_not_value(env_source: gd.KeyringSource) -> None:
    with dask.config.set({"dataframe.convert-string": False}):
        df = pd.DataFrame({"id": [SECRET, 4711]}, dtype=object)
        out = gd.pseudonymize(dd.from_pandas(df, npartitions=1), {"id": "d"}, keyring=env_source)
        with pytest.raises(TypeError, match="column 'id'") as info:
            out.compute(scheduler="sync")
    assert SECRET not in str(info.value)
    assert info.value.__context__ is None  # Arrow's own error quotes the value


def test_empty_partitions(env_source: gd.KeyringSource) -> None:
    ddf = dd.from_pandas(frame(4), npartitions=2)
    empty = ddf[ddf["kwh"] < 0]
    out = gd.pseudonymize(empty, {"customer_id": "analytics"}, keyring=env_source)
    result = out.compute(scheduler="sync")
    assert len(result) == 0
    assert str(result["customer_id"].dtype) == "string"


# --------------------------------------------------------------------------- the graph


def test_key_material_is_in_no_graph_pickle_or_repr(
    keyring: Keyring, env_source: gd.KeyringSource
) -> None:
    """The proof: the keys are loaded on the worker, never carried by the graph."""
    ddf = dd.from_pandas(frame(200), npartitions=3)
    out = gd.pseudonymize(ddf, {"customer_id": "analytics"}, keyring=env_source)
    anon = gd.generalize(out, Generalization({"day": From("read_at", Truncate("day"))}))
    cloudpickle = pytest.importorskip("cloudpickle")
    for collection in (out, anon):
        graph = dict(collection.__dask_graph__())
        optimized = dict(collection.optimize().__dask_graph__())
        haystacks = {
            "pickled collection": pickle.dumps(collection),
            "cloudpickled graph": cloudpickle.dumps(graph),
            "cloudpickled optimized graph": cloudpickle.dumps(optimized),
            "str(graph)": str(graph),
            "repr(expr)": repr(collection.expr),
        }
        for where, haystack in haystacks.items():
            assert leaks(haystack, keyring) == [], where
    # Building the graphs loaded no keys in this process (the client's cache is empty) …
    assert _cached_pseudonymizer.cache_info().currsize == 0
    # … and the search does find a key that is put into a graph (a positive control).
    leaky = ddf.map_partitions(lambda df, _text: df, KEK_TEXT, meta=ddf._meta)
    assert "KEK text" in leaks(cloudpickle.dumps(dict(leaky.__dask_graph__())), keyring)
    # The keyring JSON is wrapped: in a graph it shows no key (the KEK stays apart).
    wrapped = ddf.map_partitions(lambda df, _json: df, keyring.to_json(kek=KEK), meta=ddf._meta)
    assert leaks(cloudpickle.dumps(dict(wrapped.__dask_graph__())), keyring) == []


# --------------------------------------------------------------------------- generalize


RULES: dict[str, Generalization] = {
    "truncate-every-unit": Generalization(
        {
            unit: From("read_at", Truncate(unit))
            for unit in ("minute", "hour", "day", "week", "month", "quarter", "year")
        }
    ),
    "bucket-and-edges": Generalization(
        {
            "kwh": Bucket(0.1, bottom=0.2, top=2.5),
            "kwh_edges": From("kwh", EdgeBucket((0.25, 0.5, Decimal("1.5"), 3))),
            "kwh_dec_edges": From("kwh", EdgeBucket((Decimal("0.3333"), 1))),
            "area_m2": Bucket(25, origin=5, top=255),
            "area_float": From("area_m2", Bucket(12.5)),
            "area_edges": From("area_m2", EdgeBucket((50, 100, 200))),
        }
    ),
    "categories-and-locations": Generalization(
        {
            "postcode": PostcodePrefix(2),
            "region": From("postcode", Recode({"114 55": "Stockholm", "183 30": "Stockholm"})),
            "meter_id": Suppress("*"),
            "cell": From(("lat", "lon"), CoarseLocation(25)),
            "kwh_clamped": From("kwh", Clamp(top=2)),
        },
        keep=("customer_id",),
    ),
}


@pytest.mark.parametrize("name", list(RULES))
def test_generalize_equals_generalization_apply(name: str) -> None:
    generalization = RULES[name]
    df = frame(2_000)
    result = gd.generalize(dd.from_pandas(df, npartitions=3), generalization)
    computed = result.compute(scheduler="sync")
    assert list(computed.columns) == list(generalization.columns)
    assert list(result.dtypes) == list(computed.dtypes)
    assert rows_of(computed) == list(generalization.apply(df.to_dict("records")))


ZONES = ["Europe/Stockholm", "Australia/Lord_Howe", "America/Sao_Paulo", "Asia/Kolkata", "UTC"]


@given(
    st.sampled_from(ZONES),
    st.sampled_from(["minute", "hour", "day", "week", "month", "quarter", "year"]),
    st.lists(st.integers(0, 4 * 365 * 24 * 60), min_size=1, max_size=60),
)
def test_truncate_fast_path_agrees_across_time_zone_changes(
    zone: str, unit: Any, minutes: list[int]
) -> None:
    """DST gaps and folds (30-minute ones at Lord Howe, midnight ones in Brazil until 2019)."""
    start = pd.Timestamp("2016-01-01", tz="UTC")
    series = (start + pd.to_timedelta(minutes, unit="min")).tz_convert(zone)
    series = pd.Series(series.as_unit("us"), name="t")
    assert_truncate_agrees(series, Truncate(unit))


def assert_truncate_agrees(series: Any, truncate: Truncate) -> None:
    """Same instants as the generaliser, value by value.

    Instants, not wall clocks: where local midnight does not exist (Brazil
    until 2019), ``truncate`` returns the wall time 00:00 with the offset
    before the change, which an aware column can only hold as the same
    instant, 01:00 in the offset after it.
    """
    fast = _truncate_fast(series, truncate, "t", series.dtype)
    assert fast is not None
    assert fast.dtype == series.dtype
    plain = [truncate(v) for v in series.tolist()]
    assert [v.timestamp() for v in fast] == [v.timestamp() for v in plain]


@pytest.mark.parametrize(
    ("zone", "start", "unit"),
    [
        pytest.param("Europe/Stockholm", "2016-10-30 00:00Z", "hour", id="stockholm-fold"),
        pytest.param("Europe/Stockholm", "2016-03-27 00:00Z", "minute", id="stockholm-gap"),
        pytest.param("America/Sao_Paulo", "2016-10-15 12:00Z", "day", id="midnight-gap"),
        pytest.param("America/Sao_Paulo", "2016-02-20 12:00Z", "day", id="midnight-fold"),
        pytest.param("Australia/Lord_Howe", "2016-04-02 14:00Z", "hour", id="half-hour-fold"),
    ],
)
def test_truncate_fast_path_at_time_zone_changes(zone: str, start: str, unit: Any) -> None:
    """Every quarter hour of two days around a change, the fallback rows included."""
    times = pd.date_range(start, periods=2 * 24 * 4, freq="15min").tz_convert(zone)
    assert_truncate_agrees(pd.Series(times.as_unit("us")), Truncate(unit))


@given(
    st.lists(st.integers(-10_000, 10_000), min_size=1, max_size=60),
    st.sampled_from([0.1, 0.3, 0.5, 1.0, 2.5, 7.0]),
    st.sampled_from([0, 0.1, -1.7]),
    st.sampled_from([1, 3, 10]),
)
def test_bucket_fast_path_agrees_on_edges(
    steps: list[int], width: float, origin: float, per: int
) -> None:
    """Values on and next to bucket edges, where float arithmetic alone would misplace them."""
    values = np.array([origin + s * width / per for s in steps], dtype=np.float64)
    values = np.concatenate([values, np.nextafter(values, np.inf), np.nextafter(values, -np.inf)])
    bucket = Bucket(width, origin=origin)
    fast = _bucket_fast(values, bucket, "x", pd.StringDtype("pyarrow"))
    assert list(fast) == [bucket(v) for v in values.tolist()]


@given(st.lists(st.integers(-(2**40), 2**40), min_size=1, max_size=60), st.integers(1, 1000))
def test_integer_bucket_fast_path_agrees(values: list[int], width: int) -> None:
    array = np.array(values, dtype=np.int64)
    bucket = Bucket(width, origin=-3, bottom=-3 - 5 * width, top=-3 + 7 * width)
    fast = _bucket_fast(array, bucket, "x", pd.StringDtype("pyarrow"))
    assert list(fast) == [bucket(v) for v in values]


@given(st.lists(st.floats(-5, 5, allow_nan=False), min_size=1, max_size=60))
def test_edge_bucket_fast_path_agrees(values: list[float]) -> None:
    edges = EdgeBucket((-1, 0.1, Decimal("0.5"), 2))
    fast = _edge_bucket_fast(np.array(values), edges, "x", pd.StringDtype("pyarrow"))
    assert list(fast) == [edges(v) for v in values]


@pytest.mark.parametrize(
    ("data", "generalization", "error", "message"),
    [
        pytest.param(
            {"t": [datetime(2026, 1, 1, 12, 30)]},
            Generalization({"t": Truncate("hour")}),
            NaiveDatetimeError,
            "column 't'",
            id="naive-datetime",
        ),
        pytest.param(
            {"kwh": [1.0, float("nan")]},
            Generalization({"kwh": Bucket(0.5)}),
            AnonymizationError,
            "column 'kwh': value must be finite",
            id="nan-bucket",
        ),
        pytest.param(
            {"name": [SECRET]},
            Generalization({"name": lambda v: int(v)}),
            AnonymizationError,
            "column 'name': generaliser raised ValueError",
            id="user-generaliser-value-never-shown",
        ),
    ],
)
def test_generaliser_errors_name_the_column(
    data: Mapping[str, list[object]], generalization: Generalization, error: type, message: str
) -> None:
    ddf = dd.from_pandas(pd.DataFrame(data), npartitions=1)
    with pytest.raises(error, match=message) as info:
        gd.generalize(ddf, generalization).compute(scheduler="sync")
    assert SECRET not in str(info.value)
    assert info.value.__context__ is None


def test_generalize_checks_columns_before_running() -> None:
    ddf = dd.from_pandas(frame(10), npartitions=1)
    with pytest.raises(AnonymizationError, match="no column 'email'"):
        gd.generalize(ddf, Generalization({"email": Suppress()}))
    strict = Generalization({"kwh": Bucket(1)}, keep=("read_at",), strict=True)
    with pytest.raises(AnonymizationError, match="'customer_id' is not generalised"):
        gd.generalize(ddf, strict)
    with pytest.raises(TypeError, match="Generalization"):
        gd.generalize(ddf, {"kwh": Bucket(1)})  # type: ignore[arg-type]


def test_dates_in_object_columns() -> None:
    df = pd.DataFrame({"born": [date(1980, 5, 17), date(1980, 5, 2), date(1991, 1, 1)]})
    generalization = Generalization({"born": Truncate("year")})
    with dask.config.set({"dataframe.convert-string": False}):  # else Dask makes them str
        result = gd.generalize(dd.from_pandas(df, npartitions=2), generalization)
        computed = result.compute(scheduler="sync")
    assert rows_of(computed) == list(generalization.apply(df.to_dict("records")))


def test_generalizations_cross_processes() -> None:
    generalization = RULES["categories-and-locations"]
    assert pickle.loads(pickle.dumps(generalization)) == generalization


# --------------------------------------------------------------------------- risk


def plain_rows(df: Any, qis: Sequence[str]) -> list[dict[str, object]]:
    return [{q: row[q] for q in qis} for row in rows_of(df)]


@pytest.mark.parametrize("npartitions", [1, 3, 7])
def test_k_anonymity_and_enforce_k_match_the_plain_ones(npartitions: int) -> None:
    generalization = Generalization(
        {"day": From("read_at", Truncate("day")), "kwh": Bucket(0.5, top=2)}, keep=("postcode",)
    )
    df = frame(3_000)
    df.loc[df.index[::97], "postcode"] = None  # missing values form one class together
    anon = gd.generalize(dd.from_pandas(df, npartitions=npartitions), generalization)
    computed = anon.compute(scheduler="sync")
    qis = ("day", "kwh", "postcode")
    rows = plain_rows(computed, qis)
    assert gd.k_anonymity(anon, qis) == k_anonymity(rows, qis)
    kept, report = gd.enforce_k(anon, qis, 5)
    plain_kept, plain_report = enforce_k(rows, qis, 5)
    assert report == plain_report
    assert plain_rows(kept.compute(scheduler="sync"), qis) == plain_kept


def test_k_anonymity_of_nothing_is_zero() -> None:
    ddf = dd.from_pandas(frame(10), npartitions=2)
    empty = ddf[ddf["kwh"] < 0]
    assert gd.k_anonymity(empty, ("postcode",)) == 0
    kept, report = gd.enforce_k(empty, ("postcode",), 3)
    assert len(kept.compute()) == 0
    assert (report.rows_in, report.k, report.k_before) == (0, 0, 0)


def test_risk_checks_its_arguments() -> None:
    ddf = dd.from_pandas(frame(10), npartitions=1)
    with pytest.raises(AnonymizationError, match="no quasi-identifier column 'zip'"):
        gd.k_anonymity(ddf, ("zip",))
    with pytest.raises(AnonymizationError, match="not a single str"):
        gd.k_anonymity(ddf, "postcode")
    with pytest.raises(AnonymizationError, match="positive int"):
        gd.enforce_k(ddf, ("postcode",), 0)


# --------------------------------------------------------------------------- Arrow batches


def test_batches_match_the_dask_path(keyring: Keyring, env_source: gd.KeyringSource) -> None:
    df = frame(500)
    table = pa.Table.from_pandas(df, preserve_index=False)
    columns = {"customer_id": "analytics"}
    batches = gd.pseudonymize_batches(
        table.to_batches(max_chunksize=128), columns, keyring=env_source
    )
    tokens = pa.Table.from_batches(list(batches))
    plain = Pseudonymizer(keyring, domain="analytics")
    assert tokens.column("customer_id").to_pylist() == plain.tokens(df["customer_id"].tolist())
    assert tokens.column("kwh").to_pylist() == df["kwh"].tolist()

    generalization = RULES["bucket-and-edges"]
    out = pa.Table.from_batches(
        list(gd.generalize_batches(table.to_batches(max_chunksize=128), generalization))
    )
    expected = list(generalization.apply(df.to_dict("records")))
    assert out.to_pylist() == expected


# --------------------------------------------------------------------------- at scale

HOURS = 1_000
METERS = 2_000  # 2,000 meters x 1,000 hours = 2,000,000 readings


def write_readings(directory: Path, *, files: int = 8, seed: int = 1042) -> int:
    """Hourly Elveta readings as a Parquet data set, built with NumPy and Arrow, not per row."""
    rng = np.random.default_rng(seed)
    per_file = METERS // files
    start = np.datetime64("2026-01-01T00:00", "us")
    for part in range(files):
        meter = np.repeat(np.arange(part * per_file, (part + 1) * per_file), HOURS)
        hour = np.tile(np.arange(HOURS), per_file)
        meter_text = pa.array(meter + 735_999_000_000).cast(pa.string())
        table = pa.table(
            {
                "customer_id": pa.compute.binary_join_element_wise(
                    "C-", pa.array(meter + 1042).cast(pa.string()), ""
                ),
                "meter_id": meter_text,
                "reading_id": pa.compute.binary_join_element_wise(
                    meter_text, pa.array(hour).cast(pa.string()), "-"
                ),
                "read_at": pa.array(
                    start + hour.astype("timedelta64[h]"), pa.timestamp("us", "UTC")
                ),
                "kwh": np.round(rng.gamma(2.0, 0.4, len(meter)), 3),
            }
        )
        pq.write_table(table, directory / f"part-{part:03d}.parquet", row_group_size=125_000)
    return METERS * HOURS


@pytest.mark.slow
def test_two_worker_processes_over_two_million_readings(
    keyring: Keyring, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole job on a LocalCluster; the key only in the workers' environment."""
    distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed")
    data = tmp_path / "readings"
    data.mkdir()
    rows = write_readings(data)
    assert rows >= 2_000_000
    monkeypatch.delenv(ENV, raising=False)  # the client cannot load the keys itself
    gd.forget_keys()
    source = gd.KeyringSource.env(ENV)
    keyfile = tmp_path / "keyring.json"
    keyfile.write_text(keyring.to_json(kek=KEK))
    keyfile.chmod(stat.S_IRUSR | stat.S_IWUSR)

    columns = {"customer_id": "analytics", "meter_id": "analytics", "reading_id": "support"}
    generalization = Generalization(
        {"read_day": From("read_at", Truncate("day")), "kwh_band": From("kwh", Bucket(0.5, top=4))},
        keep=("customer_id",),
    )
    qis = ("read_day", "kwh_band")
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            env={ENV: keyring.to_json(kek=KEK), "GDPRKIT_KEK": KEK_TEXT},
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        ddf = dd.read_parquet(data)
        assert ddf.npartitions >= 2
        tokens = gd.pseudonymize(ddf, columns, keyring=source)
        anon = gd.generalize(tokens, generalization)
        k = gd.k_anonymity(anon, qis)
        result = tokens[list(columns)].compute()
        sample = gd.generalize(ddf, generalization).partitions[0].head(20_000)
        via_file = gd.pseudonymize(
            ddf.partitions[-1], {"customer_id": "analytics"}, keyring=gd.KeyringSource.file(keyfile)
        )["customer_id"].compute()
        logs = json.dumps([client.get_scheduler_logs(), client.get_worker_logs()])
        loaded_on = client.run(lambda: _cached_pseudonymizer.cache_info().currsize)
    assert _cached_pseudonymizer.cache_info().currsize == 0  # the client loaded nothing
    assert all(size >= 1 for size in loaded_on.values())
    assert leaks(logs, keyring) == []

    single = pd.read_parquet(data)
    assert len(result) == rows
    for column, domain in columns.items():
        plain = Pseudonymizer(keyring, domain=domain)
        assert result[column].tolist() == plain.tokens(single[column].tolist()), column
    assert via_file.tolist() == result["customer_id"].iloc[-len(via_file) :].tolist()

    # k against the plain measure, over classes computed independently with NumPy.
    day = single["read_at"].dt.floor("D")
    band = np.minimum(np.floor(single["kwh"].to_numpy() / 0.5), 8)
    plain_k = k_anonymity(
        ({"d": d, "b": b} for d, b in zip(day.tolist(), band.tolist(), strict=True)), ("d", "b")
    )
    assert k == plain_k >= 1
    head = single.head(len(sample)).to_dict("records")
    assert rows_of(sample) == list(generalization.apply(head))


def test_partition_function_pickles_without_keys(
    keyring: Keyring, env_source: gd.KeyringSource
) -> None:
    """What a worker receives for one task: the function, its plan and the locator."""
    task = functools.partial(
        _pseudonymize_frame,
        plan=(("customer_id", "analytics", pd.StringDtype("pyarrow")),),
        source=env_source,
        normalizer=normalize_email,
        key_id=None,
        dedupe=True,
    )
    env_source.pseudonymizer("analytics")  # even with the keys loaded in this process
    assert leaks(pickle.dumps(task), keyring) == []
