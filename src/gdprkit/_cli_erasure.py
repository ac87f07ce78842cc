"""``gdprkit erasure replay|export``: erasures that survive restoring a backup (Art. 17(1)).

``replay`` re-runs, in order, every erasure the journal holds after the
restore point, against the restored service database; ``--dry-run`` opens
the database read-only and lists what would change. ``export`` writes the
journal to a JSON Lines file kept apart from both databases. Exit status 0
when all was done, 1 when an erasure failed or its subject was not found,
2 on bad arguments.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite3

    from gdprkit.store import Store

__all__ = ["add_command"]


def add_command(sub: Any) -> None:
    """Add ``erasure`` (``replay``, ``export``) to the ``gdprkit`` command's subparsers."""
    cmd = sub.add_parser("erasure", help="replay journalled erasures after a restore; export them")
    actions = cmd.add_subparsers(dest="action", required=True)
    replay = actions.add_parser(
        "replay",
        help="erase again what a restored backup brought back",
        description="Re-run, in order, every erasure executed after --since (the time the "
        "restored backup was taken), as of now: retention and legal holds decide as they "
        "stand today. Idempotent; each replay is audited.",
    )
    replay.add_argument("--since", required=True, help="the restore point (ISO 8601)")
    replay.add_argument("--at", help="the replay's instant (ISO 8601; default now)")
    _store_arguments(replay)
    replay.add_argument("--keys", required=True, help="the journal keyring's JSON document")
    replay.add_argument("--policy", required=True, help="the policy TOML file")
    replay.add_argument("--db", required=True, help="the restored service's SQLite database")
    replay.add_argument(
        "--sources", required=True, help="MODULE:CALLABLE giving the data sources for a connection"
    )
    replay.add_argument(
        "--facts", help="MODULE:CALLABLE giving a subject's retention facts (connection, id)"
    )
    replay.add_argument(
        "--candidates", help="MODULE:CALLABLE giving the subjects the restored database holds"
    )
    replay.add_argument("--journal-file", help="replay the entries of an exported journal file")
    replay.add_argument("--dry-run", action="store_true", help="change nothing; list what would")
    replay.set_defaults(func=_replay)
    export = actions.add_parser("export", help="write the erasure journal to a JSON Lines file")
    _store_arguments(export)
    export.add_argument("--out", required=True, help="the file to write")
    export.add_argument("--since", help="only erasures executed after this instant (ISO 8601)")
    export.set_defaults(func=_export)


def _store_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store", required=True, help="the gdprkit store: a SQLite path or a store URL"
    )


def instant(text: str | None, option: str) -> datetime:
    """``option``'s ISO 8601 date or datetime; without an offset it is Stockholm time; None: now.

    A bad value raises :class:`argparse.ArgumentTypeError` naming ``option``,
    with an example of the form; the commands report it with exit status 2.
    """
    from gdprkit.timecalc import STOCKHOLM

    if text is None:
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{option} must be an ISO 8601 date or datetime, e.g. 2026-04-10T09:00+02:00"
        ) from None
    return value if value.tzinfo is not None else value.replace(tzinfo=STOCKHOLM)


def _open_store(where: str) -> Store:
    """The store at a URL, or at an existing SQLite path (a typo must not create a store)."""
    from gdprkit import store
    from gdprkit._errors import StoreError

    if "://" in where:
        return store.open(where)
    if not os.path.exists(where):
        raise StoreError("the store file does not exist")
    return store.SQLiteStore(where)


def _function(spec: str | None, option: str) -> Callable[..., Any] | None:
    """``MODULE:CALLABLE`` imported (the working directory first), or None when not given."""
    if spec is None:
        return None
    module_name, _, name = spec.partition(":")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        found = getattr(importlib.import_module(module_name), name)
    except (ImportError, AttributeError, ValueError) as exc:
        raise argparse.ArgumentTypeError(f"cannot load {option} {spec}: {exc}") from None
    if not callable(found):
        raise argparse.ArgumentTypeError(f"{option} {spec} is not callable")
    return found  # type: ignore[no-any-return]


def _fail(message: str, status: int = 2) -> int:
    print(f"gdprkit: {message}", file=sys.stderr)
    return status


def _replay(args: argparse.Namespace) -> int:
    import sqlite3

    from gdprkit.pseudonym import Keyring

    try:
        since, at = instant(args.since, "--since"), instant(args.at, "--at")
        funcs = {
            o: _function(getattr(args, o), f"--{o}") for o in ("sources", "facts", "candidates")
        }
    except argparse.ArgumentTypeError as exc:
        return _fail(str(exc))
    if not Path(args.db).is_file():
        return _fail(f"no database file at {args.db}")
    try:
        keys = Keyring.from_json(Path(args.keys).read_bytes())
    except OSError as exc:
        return _fail(f"cannot read --keys: {exc.strerror}")
    # a dry run opens the service's database read-only: a command that reads never writes
    uri = Path(args.db).resolve().as_uri() + ("?mode=ro" if args.dry_run else "")
    conn = sqlite3.connect(uri, uri=True)
    try:
        with _open_store(args.store) as store:
            report = _run_replay(args, store, keys, conn, funcs, since=since, at=at)
    finally:
        conn.close()
    print(report)
    failed = any(r.failed for r in report.erasures)
    if report.not_found:
        print(f"gdprkit: {len(report.not_found)} subjects not found: pass --candidates",
              file=sys.stderr)  # fmt: skip
    return 1 if failed or report.not_found else 0


def _run_replay(
    args: argparse.Namespace,
    store: Store,
    keys: Any,
    conn: sqlite3.Connection,
    funcs: dict[str, Callable[..., Any] | None],
    *,
    since: datetime,
    at: datetime,
) -> Any:
    """The replay itself, on an open store and service database."""
    from gdprkit import rights
    from gdprkit.audit import AuditLog
    from gdprkit.policy import Policy
    from gdprkit.pseudonym import Pseudonymizer

    policy = Policy.from_toml(args.policy)
    sources, facts, candidates = funcs["sources"], funcs["facts"], funcs["candidates"]
    assert sources is not None  # --sources is required
    journal = rights.ErasureJournal(store, keyring=keys)
    entries = rights.read_journal(args.journal_file) if args.journal_file else None
    return rights.replay_erasures(
        list(sources(conn)), policy, since=since, now=at, journal=journal, entries=entries,
        candidates=list(candidates(conn)) if candidates else (),
        facts=(lambda s: facts(conn, s.id)) if facts else None,
        dry_run=args.dry_run,
        audit=AuditLog(store, pseudonymizer=Pseudonymizer(keys, domain="audit")),
    )  # fmt: skip


def _export(args: argparse.Namespace) -> int:
    from gdprkit import rights

    try:
        since = instant(args.since, "--since") if args.since else None
    except argparse.ArgumentTypeError as exc:
        return _fail(str(exc))
    with _open_store(args.store) as store:
        count = rights.ErasureJournal(store).export(args.out, since=since)
    print(f"{args.out}: {count} erasures")
    return 0
