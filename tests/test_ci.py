"""CI runs what the README promises first, then every session the noxfile runs by default."""

from __future__ import annotations

import ast
import re

import pytest

from .conftest import ROOT

CI = ROOT / ".ci" / "run"
#: The README's Quick start command that installs the test dependencies and runs the suite.
README_TESTS = re.compile(r"^python -m pip install -e \"\.\[[a-z,]+\]\" && python -m pytest$", re.M)


def _ci_lines() -> list[str]:
    if not CI.is_file():
        pytest.skip("this tree has no .ci/run (an sdist)")
    return CI.read_text(encoding="utf-8").splitlines()


def _nox_defaults() -> list[str]:
    tree = ast.parse((ROOT / "noxfile.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and ast.unparse(node.targets[0]) == "nox.options.sessions"
            and isinstance(node.value, ast.List)
        ):
            return [ast.literal_eval(e) for e in node.value.elts]
    raise AssertionError("noxfile.py sets no nox.options.sessions")


def test_ci_runs_the_readme_test_command_before_nox() -> None:
    (command,) = README_TESTS.findall((ROOT / "README.md").read_text(encoding="utf-8"))
    lines = _ci_lines()
    runs = [i for i, line in enumerate(lines) if line.startswith(command)]
    nox = [i for i, line in enumerate(lines) if line.startswith("python -m nox")]
    assert runs, f".ci/run does not run the README's {command!r}"
    assert nox and runs[0] < nox[0]


def test_ci_runs_the_default_nox_sessions() -> None:
    (nox,) = [line for line in _ci_lines() if line.startswith("python -m nox")]
    sessions = nox.split("--sessions", 1)[1].split("#")[0].split()
    assert sessions == _nox_defaults()
    defined = re.findall(r"^def (\w+)\(session", (ROOT / "noxfile.py").read_text(), re.M)
    assert set(sessions) <= set(defined)
