"""``gdprkit erasure replay|export``: erasures that survive restoring a backup (Art. 17(1)).

``replay`` re-runs, in order, every erasure the journal holds after the
restore point, against the restored service database; ``--dry-run`` opens
the database read-only and lists what would change. ``export`` writes the
journal to a JSON Lines file kept apart from both databases, each line MACed
under the journal keyring; ``replay --journal-file`` verifies it, and reads a
file an older gdprkit wrote without MACs only with ``--accept-unverified``,
which it says on stderr and records in the audit log. Exit status
(``docs/cli.md``): 0 when all was done, 1 when an erasure failed or its
subject was not found, or the journal file does not verify (or has no MACs,
without ``--accept-unverified``), 2 for bad arguments, 3 for a store,
database or key file that cannot be opened.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gdprkit._cli import stores
from gdprkit._cli.keys import add_keyring_options, load_keyring
from gdprkit._cli.options import instant
from gdprkit._cli.paths import importable
from gdprkit._cli.sources import SOURCES_HELP, load_callable, load_sources
from gdprkit._cli.status import CommandFailed, Exit

if TYPE_CHECKING:
    import sqlite3

    from gdprkit._rights.journal import JournalEntry
    from gdprkit.audit import AuditLog
    from gdprkit.pseudonym import Keyring
    from gdprkit.rights import ReplayReport
    from gdprkit.store import Store

__all__ = ["add_command"]


def add_command(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add ``erasure`` (``replay``, ``export``) to the ``gdprkit`` command's subparsers."""
    cmd = sub.add_parser(
        "erasure", parents=[common], help="replay journalled erasures after a restore; export them"
    )
    actions = cmd.add_subparsers(dest="action", required=True)
    replay = actions.add_parser(
        "replay",
        parents=[common],
        help="erase again what a restored backup brought back",
        description="Re-run, in order, every erasure executed after --since (the time the "
        "restored backup was taken), as of now: retention and legal holds decide as they "
        "stand today. Idempotent; each replay is audited.",
    )
    replay.add_argument("--since", required=True, help="the restore point (ISO 8601)")
    replay.add_argument("--at", help="the replay's instant (ISO 8601; default now)")
    replay.add_argument("--store", required=True, help=stores.STORE_HELP)
    add_keyring_options(replay, role="tokens the journal's subjects", files=True)
    replay.add_argument("--policy", required=True, help="the policy TOML file")
    replay.add_argument("--db", required=True, help="the restored service's SQLite database")
    replay.add_argument("--sources", required=True, help=SOURCES_HELP)
    replay.add_argument(
        "--facts", help="MODULE:CALLABLE giving a subject's retention facts (connection, id)"
    )
    replay.add_argument(
        "--candidates", help="MODULE:CALLABLE giving the subjects the restored database holds"
    )
    replay.add_argument("--journal-file", help="replay the entries of an exported journal file")
    replay.add_argument(
        "--accept-unverified",
        action="store_true",
        help="read a --journal-file an older gdprkit wrote without MACs, unverified (audited)",
    )
    replay.add_argument("--dry-run", action="store_true", help="change nothing; list what would")
    replay.set_defaults(func=_replay)
    export = actions.add_parser(
        "export", parents=[common], help="write the erasure journal to a JSON Lines file"
    )
    export.add_argument("--store", required=True, help=stores.STORE_HELP)
    export.add_argument("--out", required=True, help="the file to write")
    export.add_argument("--since", help="only erasures executed after this instant (ISO 8601)")
    add_keyring_options(export, role="tokens the journal's subjects and MACs the file", files=True)
    export.set_defaults(func=_export)


def _function(spec: str | None, option: str) -> Callable[..., Any] | None:
    """``MODULE:CALLABLE`` imported (the working directory first), or None when not given."""
    if spec is None:
        return None
    with importable() as here:
        return load_callable(spec, here, option, "pass MODULE:CALLABLE")


def _replay(args: argparse.Namespace) -> int:
    import sqlite3

    since, at = instant(args.since, "--since"), instant(args.at, "--at")
    facts, candidates = _function(args.facts, "--facts"), _function(args.candidates, "--candidates")
    if not Path(args.db).is_file():
        raise CommandFailed(f"no database file at {args.db}", Exit.UNAVAILABLE)
    # a dry run opens the service's database read-only: a command that reads never writes
    uri = Path(args.db).resolve().as_uri() + ("?mode=ro" if args.dry_run else "")
    conn = sqlite3.connect(uri, uri=True)
    try:
        with stores.open_existing_store(args.store, read_only=args.dry_run) as store:
            keys = load_keyring(args, store)
            report = _run_replay(args, store, keys, conn, facts, candidates, since=since, at=at)
    finally:
        conn.close()
    print(report)
    if report.not_found:
        raise CommandFailed(
            f"{len(report.not_found)} subjects not found: pass --candidates", Exit.FOUND
        )
    return Exit.FOUND if any(r.failed for r in report.erasures) else Exit.OK


def _run_replay(
    args: argparse.Namespace,
    store: Store,
    keys: Keyring,
    conn: sqlite3.Connection,
    facts: Callable[..., Any] | None,
    candidates: Callable[..., Any] | None,
    *,
    since: datetime,
    at: datetime,
) -> ReplayReport:
    """The replay itself, on an open store and service database."""
    from gdprkit import rights
    from gdprkit.audit import AuditLog
    from gdprkit.policy import Policy
    from gdprkit.pseudonym import Pseudonymizer

    policy = Policy.from_toml(args.policy)
    journal = rights.ErasureJournal(store, keyring=keys)
    audit = AuditLog(store, pseudonymizer=Pseudonymizer(keys, domain="audit"))
    entries = _journal_file(args, keys, audit, at) if args.journal_file else None
    return rights.replay_erasures(
        load_sources(args.sources, conn), policy, since=since, now=at, journal=journal,
        entries=entries, candidates=list(candidates(conn)) if candidates else (),
        facts=(lambda s: facts(conn, s.id)) if facts else None,
        dry_run=args.dry_run, audit=audit,
    )  # fmt: skip


def _journal_file(
    args: argparse.Namespace, keys: Keyring, audit: AuditLog, at: datetime
) -> tuple[JournalEntry, ...]:
    """The entries of ``--journal-file``, verified; one without MACs only if accepted, audited."""
    import sys

    from gdprkit._rights.journal import read_journal_file
    from gdprkit._rights.journal_file import LEGACY_FORMAT

    entries, verified = read_journal_file(
        args.journal_file, keyring=keys, accept_unverified=args.accept_unverified
    )
    if not verified:
        print(f"warning: the journal file has no integrity check ({LEGACY_FORMAT}); its "
              f"{len(entries)} entries are replayed unverified", file=sys.stderr)  # fmt: skip
        if not args.dry_run:  # a dry run writes nothing, the audit log neither
            audit.record("erasure.journal_unverified", at=at, actor="gdprkit.replay",
                         details={"format": LEGACY_FORMAT, "entries": len(entries)})  # fmt: skip
    return entries


def _export(args: argparse.Namespace) -> int:
    from gdprkit import rights

    since = instant(args.since, "--since") if args.since else None
    with stores.open_existing_store(args.store) as store:
        journal = rights.ErasureJournal(store, keyring=load_keyring(args, store))
        count = journal.export(args.out, since=since)
    print(f"{args.out}: {count} erasures")
    return Exit.OK
