"""``--sources MODULE:CALLABLE``: the service's own data sources, for ``gdprkit export``.

gdprkit cannot know where a service keeps its records; the service says so
in a function it already has for its own exports: called with the open
database connection, it returns the :class:`~gdprkit.rights.DataSource`
objects to read. The module is looked up in the working directory first
(as ``python -m`` does), then among the installed packages.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, cast

from gdprkit._cli.paths import importable
from gdprkit._cli.status import CommandFailed

if TYPE_CHECKING:
    from gdprkit.rights import DataSource

__all__ = ["SOURCES_HELP", "load_sources", "parse_spec"]

SOURCES_HELP = (
    "MODULE:CALLABLE, a function of the service that takes the database connection and "
    "returns its data sources, e.g. elveta_sources:sources (a module in the working "
    "directory or an installed one)"
)

_HOW = "pass --sources MODULE:CALLABLE, e.g. --sources elveta_sources:sources"


def load_sources(spec: str | None, conn: object) -> list[DataSource]:
    """The data sources that ``spec``'s callable returns for ``conn``; exit status 2 if none.

    Every way it can go wrong says what to pass instead. The callable's own
    errors show only their type: its message might quote a record.
    """
    with importable() as here:
        factory = load_callable(spec, here)
        try:
            made = factory(conn)
            sources = list(made) if isinstance(made, Iterable) else None
        except Exception as exc:
            raise CommandFailed(
                f"--sources {spec}: the callable raised {type(exc).__name__} "
                "(--debug shows the traceback)"
            ) from exc
    return _checked(spec, sources)


def parse_spec(spec: str | None, option: str = "--sources", how: str = _HOW) -> tuple[str, str]:
    """An option's module and attribute names; exit status 2 when it is missing or malformed."""
    if spec is None or not spec.strip():
        raise CommandFailed(f"{option} is required: {how}")
    module_name, colon, attr = spec.partition(":")
    if not colon or not module_name or not attr:
        raise CommandFailed(f"{option} {spec!r} is not MODULE:CALLABLE; {how}")
    return module_name, attr


def load_callable(
    spec: str | None, here: str, option: str = "--sources", how: str = _HOW
) -> Callable[..., object]:
    """The callable an option's ``MODULE:CALLABLE`` names, imported from ``here`` first.

    Every way it can go wrong is a :class:`CommandFailed` (exit status 2)
    that names the option and says what to pass instead.
    """
    module_name, attr = parse_spec(spec, option, how)
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        missing = exc.name or module_name
        if module_name == missing or module_name.startswith(missing + "."):
            raise CommandFailed(
                f"{option} {spec}: no module {module_name} in {here} or the installed "
                f"packages; {how}"
            ) from None
        raise CommandFailed(
            f"{option} {spec}: importing {module_name} needs {missing}, which is not installed"
        ) from exc
    except Exception as exc:
        raise CommandFailed(
            f"{option} {spec}: importing {module_name} raised {type(exc).__name__} "
            "(--debug shows the traceback)"
        ) from exc
    factory = getattr(module, attr, None)
    if factory is None:
        raise CommandFailed(f"{option} {spec}: module {module_name} has no {attr!r}; {how}")
    if not callable(factory):
        raise CommandFailed(f"{option} {spec}: {attr} is not callable; {how}")
    return cast("Callable[..., object]", factory)


def _checked(spec: str | None, sources: list[object] | None) -> list[DataSource]:
    from gdprkit.rights import DataSource

    if sources is None:
        raise CommandFailed(f"--sources {spec}: the callable must return a list of data sources")
    if not sources:
        raise CommandFailed(f"--sources {spec}: the callable returned no data sources")
    out: list[DataSource] = []
    for i, source in enumerate(sources):
        if not isinstance(source, DataSource):
            raise CommandFailed(
                f"--sources {spec}: item {i} is a {type(source).__name__}, not a data source "
                "(gdprkit.rights.DataSource: name, schemas, records)"
            )
        out.append(source)
    return out
