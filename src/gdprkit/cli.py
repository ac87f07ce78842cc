"""The ``gdprkit`` command line: ``demo``, ``policy``, ``audit verify``, ``requests due``, ``export``,
``check-models``."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from gdprkit._cli_check_models import add_command as add_check_models
from gdprkit._cli_policy import add_command as add_policy
from gdprkit._errors import GdprkitError, PolicyError, StoreError
from gdprkit._i18n import LANGUAGES
from gdprkit._term import Terminal

if TYPE_CHECKING:
    import sqlite3
    from pathlib import Path

    from gdprkit.policy import Policy
    from gdprkit.rights import ExportResult


def _demo_command(args: argparse.Namespace) -> int:
    from gdprkit._demo.run import run_demo

    return run_demo(directory=args.dir, as_json=args.json)


def _require_store_file(path: str) -> None:
    """Refuse a missing store: opening one would create an empty store at a mistyped path."""
    if not os.path.exists(path):
        raise StoreError("the store file does not exist")


def _audit_command(args: argparse.Namespace) -> int:
    from gdprkit.audit import AuditLog
    from gdprkit.store.sqlite import SQLiteStore

    _require_store_file(args.db)
    with SQLiteStore(args.db) as store:
        head = AuditLog(store).verify(args.head)
    if head is None:
        print(f"{args.db}: the audit log is empty")
    else:
        print(f"{args.db}: {head.seq} entries, chain intact; head {head}")
    return 0


def _parse_at(text: str | None) -> datetime:
    """``--at``: now, or an ISO 8601 date/datetime; without an offset it is Stockholm time."""
    from gdprkit.timecalc import STOCKHOLM

    if text is None:
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            "--at must be an ISO 8601 date or datetime, e.g. 2026-04-10T09:00+02:00"
        ) from None
    return value if value.tzinfo is not None else value.replace(tzinfo=STOCKHOLM)


def _requests_command(args: argparse.Namespace) -> int:
    from gdprkit.requests import RequestRegister
    from gdprkit.store.sqlite import SQLiteStore
    from gdprkit.timecalc import STOCKHOLM

    _require_store_file(args.db)
    try:
        at = _parse_at(args.at)
    except argparse.ArgumentTypeError as exc:
        print(f"gdprkit: {exc}", file=sys.stderr)
        return 2
    if args.limit is not None and args.limit < 1:
        print("gdprkit: --limit must be at least 1", file=sys.stderr)
        return 2
    with SQLiteStore(args.db) as store:
        register = RequestRegister(store)
        requests = register.due(at=at)
    out = Terminal()
    today = at.astimezone(STOCKHOLM).date()
    if not requests:
        out.line(f"{args.db}: no open requests")
        return 0
    shown = requests if args.limit is None else requests[: args.limit]
    rows = []
    for r in shown:
        left = (r.due - today).days
        rows.append(
            (
                r.due.isoformat(),
                "OVERDUE" if r.is_overdue(at) else f"{left} d",
                r.kind.value,
                f"Art. {r.kind.article}",
                r.state.value,
                r.received_at.date().isoformat(),
                "yes" if r.extended else "",
                r.id,
            )
        )
    out.table(
        ("due", "left", "kind", "article", "state", "received", "extended", "request id"), rows
    )
    overdue = sum(1 for r in requests if r.is_overdue(at))
    more = f", {len(requests) - len(shown)} more not shown" if len(shown) < len(requests) else ""
    out.line(f"{len(requests)} open, {overdue} overdue{more}")
    return 0


def _load_sources(spec: str, conn: object) -> list[object]:
    import importlib

    module_name, _, attr = spec.partition(":")
    factory = getattr(importlib.import_module(module_name), attr or "sources")
    return list(factory(conn))


def _fail(message: str) -> int:
    """Report an export that cannot be made; the subject id is personal data: never repeated."""
    print(f"gdprkit: {message}", file=sys.stderr)
    return 1


def _export_command(args: argparse.Namespace) -> int:
    import sqlite3
    from pathlib import Path

    from gdprkit.policy import Policy

    if not args.subject.strip():
        return _fail("--subject must be a non-empty id")
    policy = Policy.from_toml(args.policy)
    db = Path(args.db)
    if not db.is_file():
        return _fail(f"no database file at {args.db}")
    out = Path(args.out)
    # Written beside --out and renamed into place only if the subject has records, so an
    # unknown id (a typo) neither leaves an empty package nor replaces an earlier one.
    staging = out.with_name(f".{out.name}.{os.getpid()}.export")
    try:
        # read-only: never creates or changes the service's database
        conn = sqlite3.connect(db.resolve().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return _fail(f"cannot open the database {args.db}: {exc}")
    result = _export_to(staging, args, conn, policy)
    if result is None:
        return 1
    if result.rows == 0 and not args.allow_empty:
        staging.unlink()
        return _fail(
            f"no records of this {args.kind} in any source; check --subject and --kind "
            "(nothing written; --allow-empty writes a package that confirms no data is held)"
        )
    os.replace(staging, out)
    print(f"{out}: {result.rows} rows, sha256 {result.sha256}")
    return 0


def _export_to(
    staging: Path, args: argparse.Namespace, conn: sqlite3.Connection, policy: Policy
) -> ExportResult | None:
    """Write the subject's package to ``staging`` and close ``conn``; ``None`` once it failed."""
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
            out=staging,
            progress=progress,
            lang=args.lang,
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


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``gdprkit`` command."""
    parser = argparse.ArgumentParser(
        prog="gdprkit", description="GDPR compliance primitives: policy, retention, rights."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="run the Elveta walkthrough on a temporary SQLite store")
    demo.add_argument("--dir", help="keep the store and packages in this folder")
    demo.add_argument("--json", action="store_true", help="print the facts as JSON")
    demo.set_defaults(func=_demo_command)

    add_policy(sub)

    audit = sub.add_parser("audit", help="verify the audit log's hash chain")
    audit.add_argument("action", choices=("verify",))
    audit.add_argument("db", help="the gdprkit SQLite store")
    audit.add_argument(
        "--head", help="a head saved earlier ('<seq>:<sha256>'), to catch truncation"
    )
    audit.set_defaults(func=_audit_command)

    reqs = sub.add_parser("requests", help="list data-subject requests by deadline (Art. 12(3))")
    reqs.add_argument("action", choices=("due",))
    reqs.add_argument("db", help="the gdprkit SQLite store")
    reqs.add_argument(
        "--at",
        help="the instant to count from (ISO 8601; default now, Stockholm time if no offset)",
    )
    reqs.add_argument("--limit", type=int, help="show at most N requests")
    reqs.set_defaults(func=_requests_command)

    export = sub.add_parser("export", help="write a subject's export package (Art. 15 / 20)")
    export.add_argument("--policy", required=True, help="the policy TOML file")
    export.add_argument("--db", required=True, help="the service's SQLite database")
    export.add_argument("--subject", required=True, help="the data subject's id")
    export.add_argument("--kind", default="customer", help="the data subject's kind")
    export.add_argument("--scope", choices=("access", "portability"), default="access")
    export.add_argument(
        "--lang",
        choices=LANGUAGES,
        help="language of the package's page (default: the policy's first language)",
    )
    export.add_argument("--out", required=True, help="where to write the ZIP")
    export.add_argument(
        "--allow-empty",
        action="store_true",
        help="write the package even with no records: Art. 15(1) asks us to confirm that too",
    )
    export.add_argument(
        "--sources",
        default="gdprkit._demo.service:sources",
        help="MODULE:CALLABLE that returns the data sources for a connection",
    )
    export.set_defaults(func=_export_command)

    add_check_models(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status: int = args.func(args)
    except BrokenPipeError:
        # the reader went away (``gdprkit demo | head``): stop quietly, as Unix tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except PolicyError as exc:
        print(f"gdprkit: invalid policy: {exc}", file=sys.stderr)
        return 1
    except GdprkitError as exc:
        print(f"gdprkit: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return status
