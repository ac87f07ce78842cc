"""The version of gdprkit: the installed distribution's, or the source tree's.

Read on first use of ``gdprkit.__version__`` rather than at import, because
:mod:`importlib.metadata` is not free and ``import gdprkit`` stays light.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["UNKNOWN", "from_pyproject", "version"]

#: The version of a tree that is neither installed nor a gdprkit source tree.
UNKNOWN = "0+unknown"

#: ``pyproject.toml`` of the source tree this module sits in (``src/gdprkit/_version.py``).
_SOURCE_PYPROJECT = Path(__file__).resolve().parent.parent.parent / "pyproject.toml"


def version() -> str:
    """The installed distribution's version (PEP 440); in a source tree without one, its own."""
    from importlib import metadata

    try:
        return metadata.version("gdprkit")
    except metadata.PackageNotFoundError:
        return from_pyproject(_SOURCE_PYPROJECT)


def from_pyproject(path: Path) -> str:
    """``project.version`` of gdprkit's ``pyproject.toml`` at ``path``, else :data:`UNKNOWN`."""
    import tomllib

    try:
        with path.open("rb") as fh:
            project = tomllib.load(fh).get("project", {})
    except (OSError, tomllib.TOMLDecodeError):
        return UNKNOWN
    found = project.get("version") if project.get("name") == "gdprkit" else None
    return found if isinstance(found, str) and found else UNKNOWN
