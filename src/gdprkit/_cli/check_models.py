"""``gdprkit check-models MODULE...``: the classification gate in a service's CI.

Exit status 0 when every field of every model class the modules define is
tagged or declared ``NotPersonal``; 1, with the list of fields, when some
are not (or no model was found); 2 when a module cannot be imported.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from types import ModuleType
from typing import Any

from gdprkit._cli.paths import importable
from gdprkit._cli.status import CommandFailed

__all__ = ["add_command"]


def add_command(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add ``check-models`` to the ``gdprkit`` command's subparsers."""
    cmd = sub.add_parser(
        "check-models",
        parents=[common],
        help="fail when a model field is neither tagged as personal data nor declared not personal",
        description=(
            "Import each MODULE and check every model class it defines (attrs, dataclasses, "
            "pydantic, SQLAlchemy): each field must carry a tag or a NotPersonal marker."
        ),
    )
    cmd.add_argument("modules", nargs="+", metavar="MODULE", help="a dotted module name")
    cmd.add_argument(
        "--path",
        action="append",
        default=[],
        metavar="DIR",
        help="import modules from this folder too (the service's source root; repeatable); "
        "the working directory is searched first, as with python -m",
    )
    cmd.set_defaults(func=_run)


def _import(name: str) -> ModuleType:
    """The module ``name``; exit status 2 if it cannot be imported, whatever the reason.

    Its own errors show only their type (``--debug`` shows the rest): the
    service's module may quote data in them.
    """
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise CommandFailed(f"cannot import {exc.name or name}: {exc}") from None
    except (ValueError, TypeError):  # an empty or relative name, before anything is run
        problem = f"cannot import {name!r}: it is not a module name (a dotted name such as models)"
    except Exception as exc:
        raise CommandFailed(
            f"importing {name} raised {type(exc).__name__} (--debug shows the traceback)"
        ) from exc
    raise CommandFailed(problem)


def _run(args: argparse.Namespace) -> int:
    from gdprkit._tagging.classify import classify

    with importable(*args.path):
        modules = [_import(name) for name in args.modules]
    report = classify(*modules)
    print(report)
    if not report.models:
        print(f"gdprkit: no model class is defined in {', '.join(args.modules)}", file=sys.stderr)
        return 1
    if not report.ok:
        print(
            "gdprkit: tag each field listed (pd_field, Personal, pd_column) or declare it "
            "NotPersonal (not_personal, NotPersonal, not_personal_column)",
            file=sys.stderr,
        )
        return 1
    return 0
