"""``gdprkit audit verify STORE``: re-check the audit log's keyed chain, read-only.

A keyed log needs its keyring to verify: it is loaded from the same store
(``--keyring``, default ``default``: the keyring whose pseudonymizer the
service gives its :class:`~gdprkit.audit.AuditLog`), unwrapped with the
key-encryption key from ``--kek-env`` (default ``GDPRKIT_KEK``) or
``--kek-file``. A log of legacy entries only needs no key, and the output
says what that means.
"""

from __future__ import annotations

import argparse
import contextlib
from typing import TYPE_CHECKING, Any

from gdprkit._cli import stores
from gdprkit._cli.keys import add_keyring_options, load_keyring
from gdprkit._cli.status import Exit

if TYPE_CHECKING:
    from gdprkit.audit import AuditCheck

__all__ = ["add_command"]


def add_command(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add ``audit verify`` to the ``gdprkit`` command's subparsers."""
    audit = sub.add_parser("audit", parents=[common], help="verify the audit log's keyed chain")
    audit.add_argument("action", choices=("verify",))
    audit.add_argument("db", metavar="STORE", help=stores.STORE_HELP)
    audit.add_argument(
        "--head", help="a head saved earlier ('<seq>:<64 hex digits>'), to catch truncation"
    )
    add_keyring_options(audit, role="MACs the chain", files=False)
    audit.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from gdprkit._errors import KeyringError
    from gdprkit.audit import AuditHead, AuditLog

    expected = None if args.head is None else AuditHead.parse(args.head)
    with stores.open_existing_store(args.db) as store:
        found: AuditCheck | None = None
        # Keyed entries need the audit keyring; the error is not kept as __context__ of a
        # failure to load it.
        with contextlib.suppress(KeyringError):
            found = AuditLog(store).check(expected)
        if found is None:
            found = AuditLog(store, keyring=load_keyring(args, store)).check(expected)
    for line in _report(stores.shown(args.db), found):
        print(line)
    return Exit.OK


def _report(name: str, found: AuditCheck) -> list[str]:
    if found.head is None:
        return [f"{name}: the audit log is empty"]
    lines = [f"{name}: {found.entries} entries, chain intact; head {found.head}"]
    if not found.legacy:
        lines.append(f"all {found.entries} entries are keyed (HMAC under the audit keyring)")
    elif not found.keyed:
        lines.append(
            f"warning: all {found.legacy} entries are legacy (unkeyed SHA-256, from before the "
            "chain was keyed): anyone who can write the store could have written them; "
            "compare with a head saved elsewhere (--head)"
        )
    else:
        lines.append(
            f"entries 1-{found.legacy} are legacy (unkeyed SHA-256, from before the chain was "
            f"keyed) and sealed by keyed entries {found.legacy + 1}-{found.entries}; the legacy "
            "entries are only as trustworthy as the store was before the upgrade"
        )
    return lines
