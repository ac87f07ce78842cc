"""The architecture of issue 12, read from the source with ``ast``: small rooms and layers.

Small rooms: no source file over 600 lines, no class over 300, no function
over 60 (a function's or class's size runs from its ``def``/``class`` line to
its last line). Complexity (at most 12) is ruff's C901, on in ``pyproject.toml``.

Layers (docs/architecture.md, whose table gives each module its layer): a
module imports only from its own layer or below, and no modules import one
another in a circle. Every ``import`` statement counts: at module level, inside
functions, and under ``if TYPE_CHECKING:``. The one exemption, argued on that
page, is the package's type-only re-export of its submodules, and it holds for
the layer rule only.

Re-exports: a name a module keeps only so that it can be imported from there
is written ``from x import Name as Name`` (which type checkers read as a
re-export), never kept with ``noqa: F401``, and it is one of gdprkit's own:
the standard library's, ``typing``'s and attrs' names are not gdprkit's API.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Literal

import attrs
import pytest

from .conftest import ROOT

SRC = ROOT / "src"
PACKAGE = SRC / "gdprkit"

MAX_FILE_LINES = 600
MAX_CLASS_LINES = 300
MAX_FUNCTION_LINES = 60


def _where(path: Path) -> str:
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name


def in_the_package(check: Callable[[Path, str], Iterable[str]]) -> list[str]:
    """What ``check`` finds in every module of the package."""
    return [
        found for path in sorted(PACKAGE.rglob("*.py")) for found in check(path, path.read_text())
    ]


def oversizes(path: Path, text: str) -> Iterator[str]:
    """The parts of one source file over the house limits."""
    where = _where(path)
    total = len(text.splitlines())
    if total > MAX_FILE_LINES:
        yield f"{where}: the file has {total} lines (limit {MAX_FILE_LINES})"
    for node in ast.walk(ast.parse(text, filename=str(path))):
        if isinstance(node, ast.ClassDef):
            kind, limit = "class", MAX_CLASS_LINES
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            kind, limit = "function", MAX_FUNCTION_LINES
        else:
            continue
        size = (node.end_lineno or node.lineno) - node.lineno + 1
        if size > limit:
            yield f"{where}:{node.lineno}: {kind} {node.name} has {size} lines (limit {limit})"


def test_no_file_class_or_function_of_the_package_is_over_its_limit() -> None:
    found = in_the_package(oversizes)
    assert not found, "over the house limits:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def f():\n" + "    x = 1\n" * 59, []),
        ("def f():\n" + "    x = 1\n" * 60, ["m.py:1: function f has 61 lines (limit 60)"]),
        (
            "class C:\n    def f(self):\n" + "        x = 1\n" * 299,
            [
                "m.py:1: class C has 301 lines (limit 300)",
                "m.py:2: function f has 300 lines (limit 60)",
            ],
        ),
        ("x = 1\n" * 601, ["m.py: the file has 601 lines (limit 600)"]),
    ],
    ids=["function-of-60-lines", "function-of-61-lines", "class-of-301-lines", "file-of-601"],
)
def test_the_limits_are_counted_from_the_first_line_to_the_last(
    source: str, expected: list[str]
) -> None:
    assert list(oversizes(Path("m.py"), source)) == expected


# --------------------------------------------------------------------------- layers

ARCHITECTURE = ROOT / "docs" / "architecture.md"
ROOT_PACKAGE = "gdprkit"
_ROW = re.compile(r"^\| `(?P<module>gdprkit[\w.]*)` \| (?P<layer>\d) \|", re.MULTILINE)

Kind = Literal["module", "function", "type-checking"]


@attrs.frozen
class Import:
    """One import statement of one gdprkit module naming another."""

    source: str
    target: str
    line: int
    kind: Kind

    def __str__(self) -> str:
        return f"{self.source}:{self.line} imports {self.target} ({self.kind})"


def modules_of(package_dir: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package (``__init__`` included)."""
    found = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = path.relative_to(package_dir.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _statements(node: ast.AST, kind: Kind) -> Iterator[tuple[ast.Import | ast.ImportFrom, Kind]]:
    """Every import under ``node``, with when it runs: on import, when called, or never."""
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield node, kind
        return
    if isinstance(node, ast.If):
        test, negated = node.test, False
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            test, negated = test.operand, True
        if _is_type_checking(test):
            typing_only, runtime = (node.orelse, node.body) if negated else (node.body, node.orelse)
            for statement in typing_only:
                yield from _statements(statement, "type-checking")
            for statement in runtime:
                yield from _statements(statement, kind)
            return
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) and kind == "module":
        kind = "function"
    for child in ast.iter_child_nodes(node):
        yield from _statements(child, kind)


def _resolve(name: str, modules: Mapping[str, Path]) -> str | None:
    """The module ``name`` loads: itself, or the closest enclosing module of the package."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(module: str, path: Path, modules: Mapping[str, Path]) -> Iterator[Import]:
    """The imports of other modules of the package that ``module`` makes."""
    is_package = path.name == "__init__.py"
    for statement, kind in _statements(ast.parse(path.read_text(), filename=str(path)), "module"):
        if isinstance(statement, ast.Import):
            names = [alias.name for alias in statement.names]
        else:
            base = statement.module or ""
            if statement.level:
                package = module.split(".") if is_package else module.split(".")[:-1]
                package = package[: len(package) - statement.level + 1]
                base = ".".join([*package, base] if base else package)
            # ``from package import name`` imports the submodule ``name`` if there is one.
            names = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                for alias in statement.names
            ]
        for name in names:
            target = _resolve(name, modules)
            if target is not None and target != module:
                yield Import(module, target, statement.lineno, kind)


def package_imports(package_dir: Path) -> list[Import]:
    """Every import between modules of the package."""
    modules = modules_of(package_dir)
    return list(
        dict.fromkeys(i for name, path in modules.items() for i in imports_of(name, path, modules))
    )


def layer_table(text: str) -> dict[str, int]:
    """Module or package -> layer, from the rows of docs/architecture.md's table."""
    rows = [(m["module"], int(m["layer"])) for m in _ROW.finditer(text)]
    table = dict(rows)
    assert len(table) == len(rows), "a module is in the table twice"
    return table


def layer_of(module: str, table: Mapping[str, int]) -> int | None:
    """The layer of the most specific row that holds ``module``; the root package's row
    holds the package alone, so a new module is never placed by default."""
    candidates = [
        row
        for row in table
        if row == module or (row != ROOT_PACKAGE and module.startswith(row + "."))
    ]
    return table[max(candidates, key=len)] if candidates else None


def exempt(imp: Import) -> bool:
    """The package's type-only re-exports of its submodules (docs/architecture.md)."""
    return imp.source == ROOT_PACKAGE and imp.kind == "type-checking"


def upward_imports(imports: Iterable[Import], table: Mapping[str, int]) -> list[str]:
    """The imports from a higher layer, each with both layers."""
    found = []
    for imp in imports:
        low, high = layer_of(imp.source, table), layer_of(imp.target, table)
        if low is not None and high is not None and high > low and not exempt(imp):
            found.append(f"{imp} from layer {high} into layer {low}")
    return found


def import_cycles(imports: Iterable[Import]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    graph: dict[str, set[str]] = {}
    for imp in imports:
        graph.setdefault(imp.source, set()).add(imp.target)
        graph.setdefault(imp.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(graph[node]):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(cycles)


@pytest.fixture(scope="module")
def imports() -> list[Import]:
    return package_imports(PACKAGE)


@pytest.fixture(scope="module")
def table() -> dict[str, int]:
    return layer_table(ARCHITECTURE.read_text(encoding="utf-8"))


def test_every_module_has_a_layer_and_every_row_a_module(table: dict[str, int]) -> None:
    modules = modules_of(PACKAGE)
    assert [m for m in modules if layer_of(m, table) is None] == []
    packages = {m.rpartition(".")[0] for m in modules}
    assert [row for row in table if row not in modules and row not in packages] == []


def test_no_module_imports_from_a_higher_layer(
    imports: list[Import], table: dict[str, int]
) -> None:
    found = upward_imports(imports, table)
    assert not found, "imports from a higher layer:\n" + "\n".join(found)


def test_no_modules_import_one_another_in_a_circle(imports: list[Import]) -> None:
    found = import_cycles(imports)
    assert not found, "modules in a circle of imports, one circle a line:\n" + "\n".join(
        map(", ".join, found)
    )


def _package(tmp_path: Path, files: Mapping[str, str]) -> Path:
    """A package named gdprkit in ``tmp_path`` with the given modules (``__init__`` by default)."""
    package = tmp_path / ROOT_PACKAGE
    for name, text in {"__init__": "", **files}.items():
        path = package.joinpath(*name.split(".")).with_suffix(".py")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return package


TC = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    "


@pytest.mark.parametrize(
    ("files", "upward", "cycles"),
    [
        (
            {"low": "def f():\n    from gdprkit import top\n", "top": ""},
            ["gdprkit.low:2 imports gdprkit.top (function) from layer 1 into layer 0"],
            [],
        ),
        (
            {"low": TC + "from gdprkit.top import T\n", "top": ""},
            ["gdprkit.low:3 imports gdprkit.top (type-checking) from layer 1 into layer 0"],
            [],
        ),
        ({"__init__": TC + "from gdprkit import top\n", "top": ""}, [], []),
        (
            {"__init__": "from gdprkit.top import T\n", "top": ""},
            ["gdprkit:1 imports gdprkit.top (module) from layer 1 into layer 0"],
            [],
        ),
        (
            {
                "low": TC + "from gdprkit.same import S\n",
                "same": "def f():\n    import gdprkit.low\n",
            },
            [],
            [["gdprkit.low", "gdprkit.same"]],
        ),
        (
            {"low": "from . import same\n", "same": "from .low import f\n"},
            [],
            [["gdprkit.low", "gdprkit.same"]],
        ),
        (
            {"__init__": TC + "from gdprkit import top\n", "top": "import gdprkit as gk\n"},
            [],
            [["gdprkit", "gdprkit.top"]],
        ),
        ({"top": "from gdprkit.low.deep import x\n", "low.__init__": "", "low.deep": ""}, [], []),
    ],
    ids=[
        "lazy-import-from-above",
        "type-only-import-from-above",
        "package-type-only-re-export-is-exempt",
        "package-run-time-import-from-above",
        "type-only-and-lazy-import-in-a-circle",
        "relative-imports-in-a-circle",
        "re-exported-module-imports-the-package",
        "import-from-below-is-fine",
    ],
)
def test_the_checks_find_what_they_are_for(
    tmp_path: Path, files: dict[str, str], upward: list[str], cycles: list[list[str]]
) -> None:
    table = {"gdprkit": 0, "gdprkit.low": 0, "gdprkit.same": 0, "gdprkit.top": 1}
    found = package_imports(_package(tmp_path, files))
    assert upward_imports(found, table) == upward
    assert import_cycles(found) == cycles


# --------------------------------------------------------------------------- re-exports


def foreign_reexports(path: Path, text: str) -> Iterator[str]:
    """The imports of ``text`` that re-export a name that is not gdprkit's, or that keep a
    name with ``noqa: F401`` instead of ``as`` itself."""
    where = _where(path)
    lines = text.splitlines()
    for node in ast.walk(ast.parse(text, filename=str(path))):
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        span = lines[node.lineno - 1 : node.end_lineno or node.lineno]
        if any("noqa: F401" in line for line in span):
            yield f"{where}:{node.lineno}: kept with noqa: F401; write `import ... as` the name"
        for alias in node.names:
            if isinstance(node, ast.ImportFrom):
                origin = node.module or ""
                own = node.level > 0 or origin.split(".")[0] == ROOT_PACKAGE
            else:
                origin, own = alias.name, alias.name.split(".")[0] == ROOT_PACKAGE
            if alias.asname == alias.name and not own:
                yield f"{where}:{node.lineno}: re-exports {alias.name} of {origin}"


def test_modules_re_export_only_gdprkit_names() -> None:
    found = in_the_package(foreign_reexports)
    assert not found, "re-exports that are not gdprkit's names:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from gdprkit._util import FrozenMap as FrozenMap\n", []),
        ("from ._util import FrozenMap as FrozenMap\n", []),
        ("from datetime import date\nfrom typing import Any as _Any\n", []),
        ("from datetime import date as date\n", ["m.py:1: re-exports date of datetime"]),
        ("import attrs as attrs\n", ["m.py:1: re-exports attrs of attrs"]),
        (
            "from typing import Any  # noqa: F401\n",
            ["m.py:1: kept with noqa: F401; write `import ... as` the name"],
        ),
        (
            "from gdprkit.vocab import (  # noqa: F401\n    DPV,\n)\n",
            ["m.py:1: kept with noqa: F401; write `import ... as` the name"],
        ),
    ],
    ids=[
        "gdprkit-name-as-itself",
        "relative-name-as-itself",
        "imports-for-own-use",
        "stdlib-name-as-itself",
        "attrs-module-as-itself",
        "typing-name-kept-with-noqa",
        "gdprkit-name-kept-with-noqa",
    ],
)
def test_the_re_export_check_finds_what_it_is_for(source: str, expected: list[str]) -> None:
    assert list(foreign_reexports(Path("m.py"), source)) == expected
