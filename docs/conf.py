"""Sphinx configuration for the gdprkit documentation (MyST Markdown, furo).

Build with ``nox -s docs`` (``sphinx-build -W --keep-going -b html docs
docs/_build/html``). Every fenced Python block of these pages is run by
``tests/test_docs.py``.
"""

from __future__ import annotations

import importlib
import sys
import types
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# Document the working tree even when gdprkit is not installed in editable mode.
sys.path.insert(0, str(ROOT / "src"))

import gdprkit  # noqa: E402

project = "gdprkit"
author = "Picofrost AB"
copyright = "2026, Picofrost AB"
release = gdprkit.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.viewcode",
]

source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
language = "en"

# -- MyST ----------------------------------------------------------------------

myst_enable_extensions = ["colon_fence", "deflist", "fieldlist", "substitution"]
myst_heading_anchors = 3

# The screenshots of an export package's index.html are made by
# docs/_static/make_screenshot.py; the tutorial shows the desktop one when it exists.
_SCREENSHOT = HERE / "_static" / "export-page-desktop.png"
myst_substitutions = {
    "export_screenshot": (
        "![The index.html page of an access package](/_static/export-page-desktop.png)"
        if _SCREENSHOT.exists()
        else ""
    ),
}

# -- autodoc -------------------------------------------------------------------
#
# MyST passes a fenced {automodule} through the Markdown parser, which would
# read the reStructuredText docstrings as Markdown: the API pages therefore use
# autodoc inside {eval-rst} blocks.

autodoc_default_options = {
    "members": True,
    "undoc-members": True,
    "member-order": "bysource",
}
autodoc_typehints = "signature"
autodoc_typehints_format = "short"
autoclass_content = "class"
# gdprkit.store.postgres imports psycopg at import time; the docs build must not
# need the postgres extra.
autodoc_mock_imports = ["psycopg"]

# No network during the build, so no intersphinx: references to the standard
# library cannot resolve, and nitpicky mode would report each of them.
nitpicky = False

# -- HTML ----------------------------------------------------------------------

html_theme = "furo"
html_title = f"gdprkit {release}"
html_static_path = ["_static"] if (HERE / "_static").is_dir() else []

# -- the gdprkit reference page ------------------------------------------------
#
# ``gdprkit/__init__.py`` re-exports names defined in other modules and in the
# private ``gdprkit._errors``. reference/gdprkit.md lists the re-exports with
# links to the modules that document them, and documents the errors under
# ``gdprkit.``, the name users import them by. Both lists are read from
# ``gdprkit.__all__``, so the page follows the code.


def _public(name: str) -> object:
    return getattr(gdprkit, name)


def _is_public_error(name: str, obj: object) -> bool:
    return (
        name in gdprkit.__all__ and isinstance(obj, type) and issubclass(obj, gdprkit.GdprkitError)
    )


def _error_names() -> list[str]:
    """The public errors in hierarchy order (depth first from GdprkitError)."""
    errors = {
        name
        for name in gdprkit.__all__
        if name[:1].isupper() and _is_public_error(name, _public(name))
    }
    ordered: list[str] = []

    def visit(cls: type) -> None:
        if cls.__name__ in errors and cls.__name__ not in ordered:
            ordered.append(cls.__name__)
        for sub in sorted(cls.__subclasses__(), key=lambda c: c.__name__):
            visit(sub)

    visit(gdprkit.GdprkitError)
    return ordered + sorted(errors - set(ordered))


def _parse_rst(directive: SphinxDirective, lines: list[str]) -> list[nodes.Node]:
    container = nodes.container()
    directive.state.nested_parse(StringList(lines, source="gdprkit.__all__"), 0, container)
    return list(container.children)


class PublicErrors(SphinxDirective):
    """``.. gdprkit-errors::`` (reST): autodoc of every error in ``gdprkit.__all__``."""

    def run(self) -> list[nodes.Node]:
        lines: list[str] = []
        for name in _error_names():
            lines += [f".. autoexception:: gdprkit.{name}", "   :show-inheritance:", ""]
            if name == "PolicyError" and "PolicyProblem" in gdprkit.__all__:
                lines += [".. autoclass:: gdprkit.PolicyProblem", ""]
        return _parse_rst(self, lines)


def _home(name: str, obj: object) -> str:
    """The public module that documents ``obj``: the first whose ``__all__`` lists it.

    Public modules are facades over private ones, so ``obj.__module__`` is
    often private (``gdprkit._policy.values``); the facade is where it is documented.
    """
    for short in _PUBLIC_MODULES:
        module = importlib.import_module(f"gdprkit.{short}")
        if name in getattr(module, "__all__", ()) and getattr(module, name, None) is obj:
            return module.__name__
    return getattr(obj, "__module__", "") or ""


class PublicNames(SphinxDirective):
    """``.. gdprkit-reexports::`` (reST): the re-exported names, by documenting module."""

    def run(self) -> list[nodes.Node]:
        by_module: dict[str, list[str]] = {}
        modules: list[str] = []
        for name in sorted(gdprkit.__all__, key=str.lower):
            obj = _public(name)
            if isinstance(obj, types.ModuleType):
                modules.append(f":mod:`{obj.__name__}`")
                continue
            home = _home(name, obj)
            if home.startswith("gdprkit._") or _is_public_error(name, obj):
                continue  # documented on the page itself, under gdprkit.
            by_module.setdefault(home, []).append(f":obj:`~{home}.{name}`")
        lines = [f"- :mod:`{home}`: " + ", ".join(by_module[home]) for home in sorted(by_module)]
        lines.append("- modules: " + ", ".join(modules))
        return _parse_rst(self, lines)


def _skip_errors(
    app: Sphinx, what: str, name: str, obj: object, skip: bool, options: Any
) -> bool | None:
    """A module that re-exports a public error (``pseudonym.UnknownTokenKey``) leaves it
    to the gdprkit page, so that each error is documented once."""
    if what == "module" and _is_public_error(name, obj):
        return True
    return None


_PUBLIC_MODULES = (
    "policy",
    "tagging",
    "vocab",
    "timecalc",
    "retention",
    "pseudonym",
    "anonymize",
    "rights",
    "consent",
    "requests",
    "audit",
    "store",
)


def _public_target(
    app: Sphinx, env: BuildEnvironment, node: Any, contnode: nodes.Element
) -> nodes.Element | None:
    """Resolve references to private homes (``gdprkit._errors.X``) and re-exports (``gdprkit.X``).

    Signatures and docstrings name objects where they are defined; the pages
    document them under a public name. Try ``gdprkit.X``, then the public
    modules, and link the first that is documented.
    """
    if node.get("refdomain") != "py":
        return None
    target = str(node["reftarget"])
    if not target.startswith("gdprkit."):
        return None
    name = target.rsplit(".", 1)[-1]
    domain: Any = env.get_domain("py")
    candidates = [f"gdprkit.{name}", *(f"gdprkit.{m}.{name}" for m in _PUBLIC_MODULES)]
    for candidate in candidates:
        if candidate != target and candidate in domain.objects:
            new = node.deepcopy()
            new["reftarget"] = candidate
            resolved: nodes.Element | None = domain.resolve_xref(
                env, node["refdoc"], app.builder, node["reftype"], candidate, new, contnode
            )
            return resolved
    return None


def _headings_to_rubrics(
    app: Sphinx, what: str, name: str, obj: object, options: Any, lines: list[str]
) -> None:
    """Show the underlined headings of docstrings as rubrics.

    A heading in a docstring would become a section of the page, out of place
    among the API entries, and two modules with the same heading on one site
    would clash ("Schema versions" in the SQLite and PostgreSQL stores).
    """
    for i in range(len(lines) - 1):
        title, rule = lines[i].strip(), lines[i + 1].strip()
        if (
            title
            and len(rule) >= max(3, len(title))
            and len(set(rule)) == 1
            and rule[0] in "=-~^\"'"
        ):
            lines[i] = f".. rubric:: {title}"
            lines[i + 1] = ""


def setup(app: Sphinx) -> dict[str, object]:
    app.add_directive("gdprkit-errors", PublicErrors)
    app.add_directive("gdprkit-reexports", PublicNames)
    app.connect("autodoc-skip-member", _skip_errors)
    app.connect("missing-reference", _public_target)
    app.connect("autodoc-process-docstring", _headings_to_rubrics)
    return {"parallel_read_safe": True}
