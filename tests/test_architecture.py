"""The house limits of issue 12, read from the source with ``ast``.

Small rooms: no source file over 600 lines, no class over 300, no function
over 60 (a function's or class's size runs from its ``def``/``class`` line to
its last line). Complexity (at most 12) is ruff's C901, on in ``pyproject.toml``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from .conftest import ROOT

SRC = ROOT / "src"
PACKAGE = SRC / "gdprkit"

MAX_FILE_LINES = 600
MAX_CLASS_LINES = 300
MAX_FUNCTION_LINES = 60


@attrs.frozen
class Oversize:
    """A file, class or function over its limit."""

    where: str
    what: str
    lines: int
    limit: int

    def __str__(self) -> str:
        return f"{self.where}: {self.what} has {self.lines} lines (limit {self.limit})"


def oversizes(path: Path, text: str) -> Iterator[Oversize]:
    """The parts of one source file over the house limits."""
    where = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name
    total = len(text.splitlines())
    if total > MAX_FILE_LINES:
        yield Oversize(where, "the file", total, MAX_FILE_LINES)
    for node in ast.walk(ast.parse(text, filename=str(path))):
        if isinstance(node, ast.ClassDef):
            kind, limit = "class", MAX_CLASS_LINES
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            kind, limit = "function", MAX_FUNCTION_LINES
        else:
            continue
        size = (node.end_lineno or node.lineno) - node.lineno + 1
        if size > limit:
            yield Oversize(f"{where}:{node.lineno}", f"{kind} {node.name}", size, limit)


def test_no_file_class_or_function_of_the_package_is_over_its_limit() -> None:
    found = [
        str(o) for path in sorted(PACKAGE.rglob("*.py")) for o in oversizes(path, path.read_text())
    ]
    assert found == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def f():\n" + "    x = 1\n" * 59, []),
        ("def f():\n" + "    x = 1\n" * 60, ["function f has 61 lines (limit 60)"]),
        (
            "class C:\n    def f(self):\n" + "        x = 1\n" * 299,
            ["class C has 301 lines (limit 300)", "function f has 300 lines (limit 60)"],
        ),
        ("x = 1\n" * 601, ["the file has 601 lines (limit 600)"]),
    ],
    ids=["function-of-60-lines", "function-of-61-lines", "class-of-301-lines", "file-of-601"],
)
def test_the_limits_are_counted_from_the_first_line_to_the_last(
    source: str, expected: list[str]
) -> None:
    found = [
        f"{o.what} has {o.lines} lines (limit {o.limit})" for o in oversizes(Path("m.py"), source)
    ]
    assert found == expected
