"""Options and parser behaviour shared by every ``gdprkit`` command."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Final, NoReturn

from gdprkit._cli.status import CommandFailed, Exit

__all__ = ["Parser", "Version", "add_progress_option", "common_options", "instant"]


class Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line, like every other error."""

    def error(self, message: str) -> NoReturn:
        self.exit(Exit.USAGE, f"{self.prog}: {message} (see '{self.prog} --help')\n")


class Version(argparse.Action):
    """``--version``: read on demand, as ``import gdprkit`` keeps it."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        import gdprkit

        print(f"gdprkit {gdprkit.__version__}")
        parser.exit(Exit.OK)


def common_options() -> Parser:
    """``--debug`` and ``--verbose``, also accepted after the command's name."""
    common = Parser(add_help=False)
    common.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show the traceback of an error (for a bug report)",
    )
    common.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS,
        help="log what gdprkit does to stderr (counts and names, never personal data)",
    )
    return common


def add_progress_option(parser: argparse.ArgumentParser) -> None:
    """``--progress`` / ``--no-progress`` for a command that may run long."""
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show progress on stderr (default: only when stderr is a terminal)",
    )


#: The years an instant on the command line may fall in: far from datetime's ends.
_FIRST_YEAR: Final = 1000
_LAST_YEAR: Final = 9000


def instant(text: str | None, option: str) -> datetime:
    """``option``'s ISO 8601 date or datetime; without an offset it is Stockholm time; None: now."""
    from gdprkit.timecalc import STOCKHOLM

    if text is None:
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        value = None
    if value is None:  # raised outside the except block: no ValueError quoting the text rides along
        raise CommandFailed(
            f"{option} must be an ISO 8601 date or datetime, e.g. 2026-04-10T09:00+02:00"
        )
    aware = value if value.tzinfo is not None else value.replace(tzinfo=STOCKHOLM)
    # Deadlines and retention periods are counted from it, in UTC and in Stockholm: near the
    # ends of datetime's range that overflows.
    if not _FIRST_YEAR <= aware.replace(tzinfo=None).year <= _LAST_YEAR:
        raise CommandFailed(
            f"{option} must lie between the years {_FIRST_YEAR} and {_LAST_YEAR}, "
            "e.g. 2026-04-10T09:00+02:00"
        )
    return aware
