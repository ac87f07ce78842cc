"""``gdprkit policy check|ropa|notice|dpv FILE``: check a policy file or render it.

``--lang`` is one of the languages gdprkit has texts in (argparse refuses
others with exit status 2), and ``--format`` is accepted only where it means
something: ``ropa`` is Markdown or JSON, ``notice`` is Markdown, ``dpv`` is
JSON-LD, and ``check`` prints a report; a format a command cannot write is
refused (exit status 2) rather than silently ignored.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Final

from gdprkit._cli.status import CommandFailed, Exit
from gdprkit._errors import PolicyError
from gdprkit._i18n import LANGUAGES
from gdprkit._term import Terminal

__all__ = ["add_command"]

#: The formats each action can write; the first is its default.
_FORMATS: Final = {"check": (), "ropa": ("md", "json"), "notice": ("md",), "dpv": ("json",)}


def add_command(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add ``policy`` to the ``gdprkit`` command's subparsers."""
    pol = sub.add_parser("policy", parents=[common], help="check or render a policy file")
    pol.add_argument("action", choices=tuple(_FORMATS))
    pol.add_argument("file", help="the policy TOML file")
    pol.add_argument(
        "--lang", choices=LANGUAGES, default="en", help="language of ropa and notice (default en)"
    )
    pol.add_argument(
        "--format",
        choices=("md", "json"),
        help="ropa: md (default) or json; notice is md only, dpv is json only",
    )
    pol.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from gdprkit.policy import Policy

    formats = _FORMATS[args.action]
    if args.format is not None and args.format not in formats:
        can = f"writes {' or '.join(formats)} only" if formats else "takes no --format"
        raise CommandFailed(f"policy {args.action} {can}, not --format {args.format}")
    if args.action == "check":
        return _check(args.file)
    out = Terminal()
    policy = Policy.from_toml(args.file)
    if args.action == "ropa":
        record = policy.ropa(args.lang)
        out.line(record.to_json() if args.format == "json" else record.to_markdown())
    elif args.action == "notice":
        out.line(policy.render_notice(args.lang))
    else:
        out.line(json.dumps(policy.to_dpv(), ensure_ascii=False, indent=2))
    return Exit.OK


def _check(file: str) -> int:
    """``policy check``: every problem on its own line (status 1), or a summary and warnings."""
    from gdprkit.policy import Policy

    out = Terminal()
    try:
        policy = Policy.from_toml(file)
    except PolicyError as exc:
        # The check's finding, one problem a line: exit status 1, not a usage error.
        for problem in exc.problems:
            print(f"gdprkit: {problem}", file=sys.stderr)
        return Exit.FOUND
    out.line(f"{file}: OK ({len(policy.purposes)} purposes, {len(policy.cookies)} cookies)")
    for warning in policy.ropa().warnings:
        out.line(f"warning: {warning}")
    return Exit.OK
