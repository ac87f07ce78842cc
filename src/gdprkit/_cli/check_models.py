"""``gdprkit check-models MODULE...``: the classification gate in a service's CI.

Exit status 0 when every field of every model class the modules define is
tagged or declared ``NotPersonal``; 1, with the list of fields, when some
are not (or no model was found); 2 when a module cannot be imported.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from gdprkit._cli.paths import importable

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


def _run(args: argparse.Namespace) -> int:
    from gdprkit._tagging.classify import classify

    try:
        with importable(*args.path):
            report = classify(*args.modules)
    except ImportError as exc:
        print(f"gdprkit: cannot import {exc.name or 'a module'}: {exc}", file=sys.stderr)
        return 2
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
