"""``gdprkit cleanup DIR``: remove the staging files that killed exports left in a folder.

An export killed outright (``SIGKILL``, a crash, power loss) leaves its
staging file, part of a person's data, beside the package it was writing.
The next export to the same package name removes it; this command removes
every such file in a folder, for a cron job or after an incident. Files of
exports still running are kept, and files gdprkit did not name are never
touched (see :func:`gdprkit.rights.clean_stale_exports`). Exit status 0 when
nothing stale is left, 1 when a stale file could not be removed or the
folder cannot be read.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from gdprkit._errors import ExportPathError

__all__ = ["add_command"]


def add_command(sub: Any) -> None:
    """Add ``cleanup`` to the ``gdprkit`` command's subparsers."""
    cmd = sub.add_parser(
        "cleanup",
        help="remove the staging files of killed exports from a folder",
        description="Remove the staging files (.<package>.gdprkit-export.*.tmp) that exports "
        "killed before they finished left in DIR; files of running exports are kept.",
    )
    cmd.add_argument("dir", metavar="DIR", help="the folder the packages are written to")
    cmd.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from gdprkit.rights import clean_stale_exports

    try:
        result = clean_stale_exports(args.dir)
    except ExportPathError as exc:
        print(f"gdprkit: {args.dir}: {exc}", file=sys.stderr)
        return 1
    for path in result.removed:
        print(f"removed {path}")
    for path in result.in_use:
        print(f"kept {path} (an export that is still running is writing it)")
    for path in result.failed:
        print(f"gdprkit: cannot remove {path}", file=sys.stderr)
    print(
        f"{args.dir}: {len(result.removed)} stale staging file(s) removed, "
        f"{len(result.in_use)} in use"
    )
    return 1 if result.failed else 0
