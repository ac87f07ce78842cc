"""The ``gdprkit`` command line: ``demo``, ``policy``, ``audit verify``, ``requests due``, ``export``,
``cleanup``, ``check-models``, ``erasure replay|export``.

Every command exits with a status from one table (:class:`gdprkit._cli.status.Exit`,
shown in ``docs/cli.md``) and reports an error as one line on stderr, never a
traceback (``--debug`` shows it).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from collections.abc import Sequence

from gdprkit._cli import audit, check_models, cleanup, erasure, export, policy, requests
from gdprkit._cli.options import Parser, Version, add_progress_option, common_options
from gdprkit._cli.status import Exit, describe, status_of


def _demo_command(args: argparse.Namespace) -> int:
    from gdprkit._demo.run import run_demo

    return run_demo(directory=args.dir, as_json=args.json, progress=args.progress)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``gdprkit`` command."""
    common = common_options()
    parser = Parser(
        prog="gdprkit",
        description="GDPR compliance primitives: policy, retention, rights.",
        epilog="Exit status: 0 ok, 1 a check failed or found a problem, 2 usage or bad input, "
        "3 a file or store cannot be used, 4 unexpected error (see docs/cli.md).",
        # A parser of its own: set_defaults below would change the actions it shares.
        parents=[common_options()],
    )
    parser.set_defaults(debug=False, verbose=False)
    parser.add_argument("--version", action=Version, help="print gdprkit's version and exit")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser(
        "demo", parents=[common], help="run the Elveta walkthrough on an embedded SQLite store"
    )
    demo.add_argument(
        "--dir",
        help="write the stores and packages to this folder: a new or empty one, or one an "
        "earlier demo wrote (it starts afresh there)",
    )
    demo.add_argument("--json", action="store_true", help="print the facts as JSON")
    add_progress_option(demo)
    demo.set_defaults(func=_demo_command)

    policy.add_command(sub, common)

    audit.add_command(sub, common)
    requests.add_command(sub, common)
    export.add_command(sub, common)
    cleanup.add_command(sub, common)
    check_models.add_command(sub, common)
    erasure.add_command(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (the table in ``docs/cli.md``)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error already reported
        return exc.code if isinstance(exc.code, int) else Exit.USAGE
    if args.verbose:
        _log_to_stderr()
    try:
        status: int = args.func(args)
    except KeyboardInterrupt:
        print("gdprkit: interrupted", file=sys.stderr)
        return Exit.INTERRUPTED
    except BrokenPipeError:
        # the reader went away (``gdprkit demo | head``): stop quietly, as Unix tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return Exit.BROKEN_PIPE
    except Exception as exc:
        if args.debug:
            traceback.print_exception(exc)
        print(f"gdprkit: {describe(exc)}", file=sys.stderr)
        return status_of(exc)
    return status


def _log_to_stderr() -> None:
    """``--verbose``: gdprkit's log records (INFO and up) on stderr."""
    logger = logging.getLogger("gdprkit")
    logger.setLevel(logging.INFO)
    if not any(isinstance(h, _StderrHandler) for h in logger.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
        logger.addHandler(handler)


class _StderrHandler(logging.Handler):
    """The handler ``--verbose`` adds (once, however often ``main`` runs in one process).

    It writes to whatever ``sys.stderr`` is at the time, as ``logging.lastResort`` does.
    """

    def emit(self, record: logging.LogRecord) -> None:
        try:
            print(self.format(record), file=sys.stderr)
        except Exception:
            self.handleError(record)
