"""``gdprkit cleanup DIR``: remove the staging files that killed exports left in a folder.

An export killed outright (``SIGKILL``, a crash, power loss) leaves its
staging file, part of a person's data, beside the package it was writing.
The next export to the same package name removes it; this command removes
every such file in a folder, for a cron job or after an incident. Files of
exports still running are kept, and files gdprkit did not name are never
touched (see :func:`gdprkit.rights.clean_stale_exports`). Exit status 0 when
nothing stale is left, 3 when the folder cannot be read or a stale file could
not be removed (the table in ``docs/cli.md``).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from gdprkit._cli.status import CommandFailed, Exit
from gdprkit._errors import ExportPathError
from gdprkit._term import Terminal

__all__ = ["add_command"]


def add_command(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add ``cleanup`` to the ``gdprkit`` command's subparsers."""
    cmd = sub.add_parser(
        "cleanup",
        parents=[common],
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
        raise CommandFailed(f"{args.dir}: {exc}", Exit.UNAVAILABLE) from None
    out = Terminal()
    for path in result.removed:
        out.line(f"removed {path}")
    for path in result.in_use:
        out.line(f"kept {path} (an export that is still running is writing it)")
    for path in result.failed:
        print(f"gdprkit: cannot remove {path}", file=sys.stderr)
    out.line(
        f"{args.dir}: {len(result.removed)} stale staging file(s) removed, "
        f"{len(result.in_use)} in use"
    )
    return Exit.UNAVAILABLE if result.failed else Exit.OK
