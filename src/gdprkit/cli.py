"""The ``gdprkit`` command line: ``demo``, ``policy``, ``audit verify``, ``requests due``, ``export``,
``cleanup``, ``check-models``."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

from gdprkit._cli.cleanup import add_command as add_cleanup
from gdprkit._cli.export import add_command as add_export
from gdprkit._cli_check_models import add_command as add_check_models
from gdprkit._errors import GdprkitError, PolicyError, StoreError
from gdprkit._term import Terminal


def _policy_command(args: argparse.Namespace) -> int:
    from gdprkit.policy import Policy

    out = Terminal()
    policy = Policy.from_toml(args.file)
    if args.action == "check":
        out.line(
            f"{args.file}: OK ({len(policy.purposes)} purposes, {len(policy.cookies)} cookies)"
        )
        for warning in policy.ropa().warnings:
            out.line(f"warning: {warning}")
    elif args.action == "ropa":
        record = policy.ropa(args.lang)
        out.line(record.to_json() if args.format == "json" else record.to_markdown())
    elif args.action == "notice":
        out.line(policy.render_notice(args.lang))
    else:
        out.line(json.dumps(policy.to_dpv(), ensure_ascii=False, indent=2))
    return 0


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

    pol = sub.add_parser("policy", help="check or render a policy file")
    pol.add_argument("action", choices=("check", "ropa", "notice", "dpv"))
    pol.add_argument("file", help="the policy TOML file")
    pol.add_argument("--lang", default="en", help="language of ropa/notice (sv or en)")
    pol.add_argument("--format", choices=("md", "json"), default="md", help="ropa format")
    pol.set_defaults(func=_policy_command)

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

    add_export(sub)
    add_cleanup(sub)
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
