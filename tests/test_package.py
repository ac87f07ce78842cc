"""The package itself: what ``gdprkit`` lists, its version, and that importing it stays light."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import tomllib
import types
from importlib import metadata
from pathlib import Path

import pytest

import gdprkit
from gdprkit import _version

from .conftest import ROOT

#: What ``import gdprkit`` must not load: crypto, the stores' drivers, the TOML parser and
#: the extras; each loads when the code that needs it runs.
HEAVY = ("cryptography", "sqlite3", "tomllib", "dask", "psycopg")

_PROBE = """
import json, sys
loaded = lambda: sorted(m for m in {heavy!r} if m in sys.modules)
steps = {{}}
import gdprkit
steps["import gdprkit"] = loaded()
import gdprkit.policy, gdprkit.tagging, gdprkit.vocab
for module in (gdprkit, gdprkit.policy, gdprkit.tagging, gdprkit.vocab):
    for name in module.__all__:
        if gdprkit._LAZY.get(name) != "gdprkit." + name:
            getattr(module, name)
steps["policy and tagging names"] = loaded()
{then}
steps["then"] = loaded()
print(json.dumps(steps))
"""


def _probe(then: str = "pass") -> dict[str, list[str]]:
    """What of :data:`HEAVY` a fresh interpreter holds after each step, ``then`` last."""
    code = _PROBE.format(heavy=HEAVY, then=then)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    steps: dict[str, list[str]] = json.loads(done.stdout)
    return steps


def test_import_gdprkit_loads_nothing_heavy() -> None:
    steps = _probe()
    assert steps == {"import gdprkit": [], "policy and tagging names": [], "then": []}


@pytest.mark.parametrize(
    ("then", "loads"),
    [
        ("gdprkit.pseudonym", "cryptography"),
        ("gdprkit.store", "sqlite3"),
        ("gdprkit.Policy.from_toml(r'{policy}')", "tomllib"),
    ],
    ids=["pseudonym loads cryptography", "store loads sqlite3", "from_toml loads tomllib"],
)
def test_each_heavy_module_loads_when_it_is_used(then: str, loads: str) -> None:
    policy = ROOT / "examples" / "elveta" / "policy.toml"
    steps = _probe(then.format(policy=policy))
    assert steps["policy and tagging names"] == []
    assert loads in steps["then"]


_LOADS = """
import json, sys
before = set(sys.modules)
import {module}
after_import = sorted(set(sys.modules) - before)
{module}.{name}
after_access = sorted(m for m in set(sys.modules) - before if m.startswith("gdprkit"))
print(json.dumps([after_import, after_access]))
"""


def _loads(name: str, module: str = "gdprkit") -> tuple[list[str], list[str]]:
    """The modules ``import <module>`` adds, then the gdprkit modules after ``<module>.<name>``."""
    done = subprocess.run(
        [sys.executable, "-c", _LOADS.format(module=module, name=name)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    after_import, after_access = json.loads(done.stdout)
    return after_import, after_access


def test_import_gdprkit_loads_only_its_facade_and_logging() -> None:
    # The whole API loads on first use (PEP 562): not attrs, not typing, no gdprkit module.
    # logging loads, for the NullHandler of the gdprkit logger (docs/howto/logging.md).
    after_import, _ = _loads("__name__")
    with_logging, _ = _loads("__name__", module="logging")
    assert set(after_import) - set(with_logging) <= {"gdprkit", "__future__"}
    assert "gdprkit" in after_import
    assert "typing" not in after_import and "attrs" not in after_import


@pytest.mark.parametrize(
    ("name", "loads"),
    [
        ("GdprkitError", {"gdprkit._errors"}),
        ("LegalBasis", {"gdprkit._errors", "gdprkit.vocab"}),
        ("timecalc", {"gdprkit._errors", "gdprkit._util", "gdprkit.timecalc"}),
    ],
    ids=["an error loads the errors", "a vocabulary loads the vocabulary", "a module itself"],
)
def test_a_name_loads_the_module_that_defines_it_and_what_that_imports(
    name: str, loads: set[str]
) -> None:
    _, after_access = _loads(name)
    assert set(after_access) == {"gdprkit"} | loads


def _type_checking_imports() -> dict[str, str]:
    """The names ``gdprkit/__init__.py`` imports for type checkers, each with its module."""
    tree = ast.parse(Path(gdprkit.__file__).read_text(encoding="utf-8"))
    block = next(
        node
        for node in tree.body
        if isinstance(node, ast.If)
        and isinstance(node.test, ast.Name)
        and node.test.id == "TYPE_CHECKING"
    )
    return {
        alias.asname or alias.name: (
            f"gdprkit.{alias.name}" if node.module == "gdprkit" else str(node.module)
        )
        for node in block.body
        if isinstance(node, ast.ImportFrom) and node.module != "typing"
        for alias in node.names
    }


def test_the_name_table_is_all_and_what_type_checkers_see() -> None:
    table, listed = set(gdprkit._LAZY), {*gdprkit.__all__, *gdprkit._OPTIONAL}
    assert sorted(listed - table) == [], "in __all__, not in _LAZY"
    assert sorted(table - listed) == [], "in _LAZY, not in __all__"
    assert len(gdprkit.__all__) + len(gdprkit._OPTIONAL) == len(listed)
    assert _type_checking_imports() == gdprkit._LAZY


_RESOLVES = """
import importlib, json, gdprkit
wrong = []
for name, home in gdprkit._LAZY.items():
    if name in {without!r}:
        continue
    module = importlib.import_module(home)
    expected = module if home == "gdprkit." + name else getattr(module, name)
    if getattr(gdprkit, name) is not expected or name not in vars(gdprkit):
        wrong.append(name)
print(json.dumps(wrong))
"""


def test_every_name_resolves_from_a_fresh_import_to_its_modules_object() -> None:
    # In a fresh interpreter, so that every name goes through the module __getattr__ once
    # and is then kept in the package's namespace.
    # The facades of an extra that is not installed are checked in test_every_listed_name_resolves.
    code = _RESOLVES.format(without=sorted(_without_extra()))
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(done.stdout) == []


def test_star_import_gives_the_whole_api() -> None:
    namespace: dict[str, object] = {}
    exec("from gdprkit import *", namespace)
    assert set(namespace) - {"__builtins__"} == set(gdprkit.__all__)


def test_dir_lists_the_public_api_and_the_modules_not_yet_loaded() -> None:
    listed = dir(gdprkit)
    assert listed == sorted({*gdprkit.__all__, *gdprkit._OPTIONAL, "__version__"})
    # star-importable without any extra: the facades over optional libraries are not in __all__
    assert set(gdprkit._OPTIONAL) == set(EXTRAS) and not set(EXTRAS) & set(gdprkit.__all__)
    modules = {n for n in listed if n in _without_extra() or
               isinstance(getattr(gdprkit, n), types.ModuleType)}  # fmt: skip
    assert modules == {n for n, home in gdprkit._LAZY.items() if home == f"gdprkit.{n}"}
    assert {"dask", "retention", "rights", "store", "timecalc"} <= modules
    assert not [n for n in listed if n.startswith("_") and n != "__version__"]


#: The facades over an optional library, and the extra that installs it.
EXTRAS = {"pydantic": "pydantic", "sqlalchemy": "sqlalchemy"}


def _without_extra() -> set[str]:
    """The facades whose library is not installed here (the core-only nox session)."""
    from importlib.util import find_spec

    return {name for name, library in EXTRAS.items() if find_spec(library) is None}


def test_every_listed_name_resolves() -> None:
    missing = _without_extra()
    for name in [*gdprkit.__all__, *gdprkit._OPTIONAL]:
        if name in missing:
            # without its extra, a facade says which one to install (never a bare ImportError)
            with pytest.raises(ImportError, match=rf"pip install 'gdprkit\[{EXTRAS[name]}\]'"):
                getattr(gdprkit, name)
            continue
        assert getattr(gdprkit, name) is not None, name
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        gdprkit.nope


def test_version_is_the_installed_distributions() -> None:
    assert gdprkit.__version__ == metadata.version("gdprkit")


def _pyproject_version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as fh:
        found: str = tomllib.load(fh)["project"]["version"]
    return found


def test_without_metadata_the_version_comes_from_the_source_tree(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def not_installed(name: str) -> str:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", not_installed)
    # run from src/ the package sits in the source tree; installed from a wheel it does not
    in_tree = Path(_version.__file__).resolve().parents[2] == ROOT
    assert _version.version() == (_pyproject_version() if in_tree else _version.UNKNOWN)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, _version.UNKNOWN),
        ("not [valid", _version.UNKNOWN),
        ('[project]\nname = "other"\nversion = "9.9"\n', _version.UNKNOWN),
        ('[project]\nname = "gdprkit"\ndynamic = ["version"]\n', _version.UNKNOWN),
        ('[project]\nname = "gdprkit"\nversion = "1.2.3rc1"\n', "1.2.3rc1"),
    ],
    ids=["no file", "not TOML", "another project", "no version", "gdprkit's"],
)
def test_version_from_a_pyproject(tmp_path: Path, text: str | None, expected: str) -> None:
    path = tmp_path / "pyproject.toml"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    assert _version.from_pyproject(path) == expected
