"""``gdprkit export``: a subject's package from a service's SQLite database (Art. 15, 20).

The output path is checked before the database is opened; the database is
opened read-only; ``SIGTERM``, ``SIGINT`` and ``SIGHUP`` unwind the export so
that its staging file is removed (exit status 128 + the signal's number). A
subject of whom no source holds anything gets a package that confirms it
(Art. 15(1), first limb): that is an answer, not an error.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from gdprkit._errors import ExportPathError

if TYPE_CHECKING:
    import sqlite3

    from gdprkit.policy import Policy
    from gdprkit.rights import ExportResult

__all__ = ["Interrupted", "add_command", "unwind_on_signals"]


class Interrupted(BaseException):
    """A termination signal arrived; raised so that ``finally`` blocks and cleanups run.

    A ``BaseException``, like ``KeyboardInterrupt``: a source's ``except
    Exception`` must not swallow it.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


#: The signals that end a command line export: terminate, interrupt, and a closed terminal.
_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGINT", "SIGHUP") if hasattr(signal, name)
)


@contextlib.contextmanager
def unwind_on_signals() -> Iterator[None]:
    """Turn ``SIGTERM``, ``SIGINT`` and ``SIGHUP`` into :class:`Interrupted` within the block.

    The default action of ``SIGTERM`` ends the process on the spot, leaving
    the staging file of a half-written package (a person's data) behind.
    A second signal while the first unwinds is ignored, so it cannot cut the
    cleanup short. Handlers can only be set in the main thread; elsewhere the
    block runs unchanged. The previous handlers are restored afterwards.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    fired = False

    def handler(signum: int, _frame: FrameType | None) -> None:
        nonlocal fired
        if not fired:
            fired = True
            raise Interrupted(signum)

    previous = {signum: signal.signal(signum, handler) for signum in _SIGNALS}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def _fail(message: str) -> int:
    """Report an export that cannot be made; the subject id is personal data: never repeated."""
    print(f"gdprkit: {message}", file=sys.stderr)
    return 1


def _load_sources(spec: str, conn: object) -> list[object]:
    import importlib

    module_name, _, attr = spec.partition(":")
    factory = getattr(importlib.import_module(module_name), attr or "sources")
    return list(factory(conn))


def _run(args: argparse.Namespace) -> int:
    import sqlite3

    from gdprkit._rights.staging import check_destination
    from gdprkit.policy import Policy

    if not args.subject.strip():
        return _fail("--subject must be a non-empty id")
    out = Path(args.out)
    try:
        check_destination(out)  # before anything is read: nothing to leave behind
    except ExportPathError as exc:
        return _fail(f"cannot write the package: {exc}")
    policy = Policy.from_toml(args.policy)
    db = Path(args.db)
    if not db.is_file():
        return _fail(f"no database file at {args.db}")
    try:
        # read-only: never creates or changes the service's database
        conn = sqlite3.connect(db.resolve().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return _fail(f"cannot open the database {args.db}: {exc}")
    try:
        with unwind_on_signals():
            result = _export_to(out, args, conn, policy)
    except Interrupted as exc:
        name = signal.Signals(exc.signum).name
        _fail(f"interrupted by {name}; the export stopped and its staging file was removed")
        return 128 + exc.signum
    if result is None:
        return 1
    if not result.personal_data_held:
        print(
            f"{out}: no personal data about this {args.kind} in any source; the package "
            f"confirms it (GDPR Art. 15(1)); sha256 {result.sha256}"
        )
        return 0
    print(f"{out}: {result.rows} rows, sha256 {result.sha256}")
    return 0


def _export_to(
    out: Path, args: argparse.Namespace, conn: sqlite3.Connection, policy: Policy
) -> ExportResult | None:
    """Write the subject's package to ``out`` and close ``conn``; ``None`` once it failed."""
    import sqlite3

    from gdprkit.rights import SubjectRef, export_subject

    tty = sys.stderr.isatty()

    def progress(source: str, rows: int) -> None:
        if tty:
            print(f"\r  {source}: {rows} rows", end="", file=sys.stderr, flush=True)

    try:
        try:
            sources = _load_sources(args.sources, conn)
        except (ImportError, AttributeError, TypeError, ValueError) as exc:
            _fail(f"cannot load --sources {args.sources}: {type(exc).__name__}: {exc}")
            return None
        return export_subject(
            SubjectRef(kind=args.kind, id=args.subject),
            sources,  # type: ignore[arg-type]
            policy,
            scope=args.scope,
            at=datetime.now(UTC),
            out=out,
            progress=progress,
        )
    except sqlite3.Error as exc:
        _fail(f"cannot read the database {args.db}: {exc}")
    except OSError as exc:
        _fail(f"cannot write the package {args.out}: {exc.strerror or exc}")
    finally:
        conn.close()
        if tty:
            print(file=sys.stderr)
    return None


def add_command(sub: Any) -> None:
    """Add ``export`` to the ``gdprkit`` command's subparsers."""
    export = sub.add_parser("export", help="write a subject's export package (Art. 15 / 20)")
    export.add_argument("--policy", required=True, help="the policy TOML file")
    export.add_argument("--db", required=True, help="the service's SQLite database")
    export.add_argument("--subject", required=True, help="the data subject's id")
    export.add_argument("--kind", default="customer", help="the data subject's kind")
    export.add_argument("--scope", choices=("access", "portability"), default="access")
    export.add_argument(
        "--out", required=True, help="the package file to write (a ZIP; not a folder)"
    )
    export.add_argument(
        "--sources",
        default="gdprkit._demo.service:sources",
        help="MODULE:CALLABLE that returns the data sources for a connection",
    )
    export.set_defaults(func=_run)
