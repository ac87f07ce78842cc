"""``gdprkit audit verify STORE``: re-check the audit log's chain, read-only."""

from __future__ import annotations

import argparse
from typing import Any

from gdprkit._cli.stores import open_for_reading

__all__ = ["add_command"]


def add_command(sub: Any) -> None:
    """Add ``audit verify`` to the ``gdprkit`` command's subparsers."""
    audit = sub.add_parser("audit", help="verify the audit log's chain")
    audit.add_argument("action", choices=("verify",))
    audit.add_argument("db", help="the gdprkit store: a SQLite file or a store URL (read-only)")
    audit.add_argument(
        "--head", help="a head saved earlier ('<seq>:<sha256>'), to catch truncation"
    )
    audit.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from gdprkit.audit import AuditHead, AuditLog

    expected = None if args.head is None else AuditHead.parse(args.head)
    with open_for_reading(args.db) as store:
        head = AuditLog(store).verify(expected)
    if head is None:
        print(f"{args.db}: the audit log is empty")
    else:
        print(f"{args.db}: {head.seq} entries, chain intact; head {head}")
    return 0
