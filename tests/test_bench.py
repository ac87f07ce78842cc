"""Every benchmark in bench/ runs in quick mode and writes its figures, so none can rot.

The figures themselves are not judged here (a shared machine's times say
nothing): what is checked is that each bench runs, measures both sides of
every pair in turns, and records the goals of issue 16.
"""

from __future__ import annotations

import importlib.util
import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
SCRIPTS = sorted(BENCH.glob("bench_*.py"))

#: What each bench must measure: result keys (a trailing "_" matches any size).
EXPECTED = {
    "import": {"import", "import_wall"},
    "pseudonym": {"tokens_", "seal", "unseal", "seal_floor", "unseal_floor"},
    "retention": {"sweep_", "sweep_linear", "sql_delete_"},
    "export": {"export_", "export_memory"},
    "dask": {"single_", "dask_2_reading_id", "dask_2_arrow", "ceiling", "ceiling_parquet"},
    "sqlalchemy": {"mapped_", "mapped_via_", "sqlalchemy_memory"},
}

#: The goals of issue 16's table: measure -> (op, value).
ISSUE_16 = {
    "import": ("<=", 50.0),
    "unseal": ("<=", 1.2),
    "seal": ("<=", 1.15),
    "sweep": (">=", 0.6),
    "tokens": (">=", 3.5),
    "export": (">=", 0.8),
    "dask": (">=", 1.85),
}


def _load_common() -> Any:
    spec = importlib.util.spec_from_file_location("_bench_common", BENCH / "_common.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_the_goals_are_those_of_issue_16() -> None:
    goals = _load_common().GOALS
    for key, (op, value) in ISSUE_16.items():
        assert (goals[key].op, goals[key].value) == (op, value), key


def test_every_bench_is_covered() -> None:
    assert {p.stem.removeprefix("bench_") for p in SCRIPTS} == set(EXPECTED)


def _check_pair(result: dict[str, Any]) -> None:
    ours, base = result["ours"], result["baseline"]
    # Both sides ran the same number of rounds (ABAB…), each taking some time.
    assert len(ours["times"]) == len(base["times"]) >= 1
    assert all(t > 0 for t in ours["times"] + base["times"])
    assert math.isfinite(result["ratio"]) and result["ratio"] > 0
    assert result["round_ratio_p10"] <= result["round_ratio_p90"]
    assert result["kind"] in ("speed", "time")


@pytest.mark.slow
@pytest.mark.parametrize("script", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_bench_runs_in_quick_mode(script: Path, tmp_path: Path) -> None:
    name = script.stem.removeprefix("bench_")
    if name == "dask":
        for module in ("dask.dataframe", "distributed", "pyarrow"):
            pytest.importorskip(module, reason="gdprkit[dask] is not installed")
    if name == "sqlalchemy":
        pytest.importorskip("sqlalchemy", reason="gdprkit[sqlalchemy] is not installed")
    out = tmp_path / f"{name}.json"
    done = subprocess.run(
        [sys.executable, str(script), "--quick", "--json", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["bench"] == name
    assert figures["quick"] is True
    keys = [r["key"] for r in figures["results"]]
    for wanted in EXPECTED[name]:
        assert any(k == wanted or (wanted.endswith("_") and k.startswith(wanted)) for k in keys), (
            wanted,
            keys,
        )
    for result in figures["results"]:
        if "ours" in result:
            _check_pair(result)
        else:
            assert math.isfinite(result["value"])
        if result["goal"] is not None:
            assert isinstance(result["met"], bool)
            sign = "≥" if result["goal"]["op"] == ">=" else "≤"
            assert f"{sign} {result['goal']['value']:g}" in done.stdout
    _check_summary(tmp_path, figures["results"])


def _check_summary(folder: Path, results: list[dict[str, Any]]) -> None:
    """bench/summary.py turns the JSON into the tables of docs/performance.md."""
    done = subprocess.run(
        [sys.executable, str(BENCH / "summary.py"), str(folder), "--before", str(folder)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    graded = [r for r in results if r["goal"] is not None]
    for result in graded:
        assert f"`{result['key']}`" in done.stdout
    assert done.stdout.startswith("| measure | before | after | goal | met |")
