"""``gdprkit requests due STORE``: the open data-subject requests by deadline (Art. 12(3))."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import TYPE_CHECKING, Any

from gdprkit._cli import stores
from gdprkit._cli.options import instant
from gdprkit._cli.status import CommandFailed, Exit
from gdprkit._term import Terminal

if TYPE_CHECKING:
    from gdprkit.requests import SubjectRequest

__all__ = ["add_command"]


def add_command(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add ``requests due`` to the ``gdprkit`` command's subparsers."""
    reqs = sub.add_parser(
        "requests", parents=[common], help="list data-subject requests by deadline (Art. 12(3))"
    )
    reqs.add_argument("action", choices=("due",))
    reqs.add_argument("db", metavar="STORE", help=stores.STORE_HELP)
    reqs.add_argument(
        "--at",
        help="the instant to count from (ISO 8601; default now, Stockholm time if no offset)",
    )
    reqs.add_argument("--limit", type=int, help="show at most N requests")
    reqs.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from gdprkit.requests import RequestRegister

    at = instant(args.at, "--at")
    if args.limit is not None and args.limit < 1:
        raise CommandFailed("--limit must be at least 1")
    with stores.open_existing_store(args.db) as store:
        requests = RequestRegister(store).due(at=at)
    _print(args, at, requests)
    return Exit.OK


def _print(args: argparse.Namespace, at: datetime, requests: list[SubjectRequest]) -> None:
    from gdprkit.timecalc import STOCKHOLM

    out = Terminal()
    today = at.astimezone(STOCKHOLM).date()
    if not requests:
        out.line(f"{stores.shown(args.db)}: no open requests")
        return
    shown = requests if args.limit is None else requests[: args.limit]
    rows = [
        (
            r.due.isoformat(),
            "OVERDUE" if r.is_overdue(at) else f"{(r.due - today).days} d",
            r.kind.value,
            f"Art. {r.kind.article}",
            r.state.value,
            r.received_at.date().isoformat(),
            "yes" if r.extended else "",
            r.id,
        )
        for r in shown
    ]
    out.table(
        ("due", "left", "kind", "article", "state", "received", "extended", "request id"), rows
    )
    overdue = sum(1 for r in requests if r.is_overdue(at))
    more = f", {len(requests) - len(shown)} more not shown" if len(shown) < len(requests) else ""
    out.line(f"{len(requests)} open, {overdue} overdue{more}")
