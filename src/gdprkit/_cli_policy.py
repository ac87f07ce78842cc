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

from gdprkit._i18n import LANGUAGES
from gdprkit._term import Terminal

__all__ = ["add_command"]

#: The formats each action can write; the first is its default.
_FORMATS: Final = {"check": (), "ropa": ("md", "json"), "notice": ("md",), "dpv": ("json",)}


def add_command(sub: Any) -> None:
    """Add ``policy`` to the ``gdprkit`` command's subparsers."""
    pol = sub.add_parser("policy", help="check or render a policy file")
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
        print(f"gdprkit: policy {args.action} {can}, not --format {args.format}", file=sys.stderr)
        return 2
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
