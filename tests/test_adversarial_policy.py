"""Whatever a policy file or mapping holds, loading it ends in a policy or a ``PolicyError``.

Hypothesis changes one key of a valid policy (or removes it) to any value a
TOML file or a mapping can hold: wrong types, deep nesting, huge and empty
strings, NUL, bad periods and time zones; and flips, cuts and inserts bytes
of Elveta's policy file. Loading must answer with a policy or with a
``PolicyError`` whose problems each name a key (or the file), quickly: never
another exception and never a hang.
"""

from __future__ import annotations

import copy
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

import gdprkit as gk

from .conftest import ELVETA_POLICY, MINIMAL

_ELVETA_TEXT = ELVETA_POLICY.read_bytes()
_ELVETA = tomllib.loads(_ELVETA_TEXT.decode("utf-8"))


def _paths(node: object, prefix: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, (*prefix, i))


_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20),
    st.binary(max_size=8), st.dates(), st.datetimes(),
    st.sampled_from([
        "", " ", "\x00", "x" * 100_000, "P12M", "P-1M", "P0D", "PT1H", "P1Y2M3W", "9999-99-99",
        "2026-02-30", "Europe/Nowhere", "localtime", "right/Europe/Stockholm", "../../etc/passwd",
        "javascript:alert(1)", "consent", "contract", "9(2)(a)", "health", "\ud800", "sv", "en",
    ]),
)  # fmt: skip
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=3),
    max_leaves=6,
)  # fmt: skip


def _deep(levels: int) -> dict[str, Any]:
    node: dict[str, Any] = {}
    for _ in range(levels):
        node = {"then": node, "kind": "after"}
    return node


def _loaded(load: Any) -> None:
    started = time.monotonic()
    problems = None
    try:
        load()
    except gk.PolicyError as error:
        problems = error.problems
    assert time.monotonic() - started < 10
    assert problems is None or (
        problems and all(isinstance(p.location, str) and p.location for p in problems)
    )


@given(
    base=st.sampled_from([MINIMAL, _ELVETA]),
    pick=st.integers(min_value=0),
    value=_VALUES | st.builds(_deep, st.integers(100, 3000)),
    remove=st.booleans(),
)
def test_any_value_at_any_key_is_a_policy_or_a_policy_error(
    base: dict[str, Any], pick: int, value: object, remove: bool
) -> None:
    paths = list(_paths(base))
    path = paths[pick % len(paths)]
    data: Any = copy.deepcopy(base)
    if not path:
        data = value
    else:
        node = data
        for key in path[:-1]:
            node = node[key]
        if remove and isinstance(node, dict):
            del node[path[-1]]
        else:
            node[path[-1]] = value
    _loaded(lambda: gk.Policy.from_dict(data, source="fuzz.toml"))


_TOKENS = [b"\x00", b"\xff", b"[", b"]", b"{", b"}", b"=", b'"', b"'''", b"\n", b"#", b"1e999",
           b"nan", b"\\u0000", b"\\", b"\r", b"\xc3", b"\xef\xbb\xbf", b"9" * 30]  # fmt: skip


@given(
    st.lists(
        st.tuples(st.integers(min_value=0), st.integers(0, 2), st.sampled_from(_TOKENS)),
        min_size=1,
        max_size=3,
    )
)
def test_any_damaged_policy_file_is_a_policy_or_a_policy_error(
    tmp_path_factory: Any, edits: list[tuple[int, int, bytes]]
) -> None:
    text = bytearray(_ELVETA_TEXT)
    for at, how, token in edits:
        position = at % len(text)
        if how == 0:
            text[position] ^= 0x20
        elif how == 1:
            del text[position : position + 8]
        else:
            text[position:position] = token
    path: Path = tmp_path_factory.mktemp("fuzz") / "policy.toml"
    path.write_bytes(bytes(text))
    _loaded(lambda: gk.Policy.from_toml(path))
