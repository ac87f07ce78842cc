"""``gdprkit export``: one subject's export package (Art. 15 access, Art. 20 portability).

Everything that can be checked before a record is read is checked first (the
subject id, the policy, the subject's kind, the database, the package's
destination, the sources), so that a mistake at 3 a.m. costs a second, not a
half-written package. The package is written to a staging file that
:func:`~gdprkit.rights.export_subject` removes on any error; ``SIGTERM``,
``SIGINT`` and ``SIGHUP`` unwind the export so that it is removed then too
(exit status 128 + the signal's number). A subject of whom no source holds
anything gets a package that confirms it (Art. 15(1), first limb): that is an
answer, not an error.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gdprkit._cli.options import add_progress_option
from gdprkit._cli.signals import Interrupted, unwind_on_signals
from gdprkit._cli.sources import SOURCES_HELP, load_sources, parse_spec
from gdprkit._cli.status import CommandFailed, Exit
from gdprkit._errors import ExportPathError
from gdprkit._i18n import LANGUAGES

if TYPE_CHECKING:
    import sqlite3

    from gdprkit.policy import Policy
    from gdprkit.rights import DataSource, ExportResult

__all__ = ["add_command"]

_SQLITE = "sqlite:///"


def add_command(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add ``export`` to the ``gdprkit`` command's subparsers."""
    cmd = sub.add_parser(
        "export",
        parents=[common],
        help="write a subject's export package (Art. 15 / 20)",
        description=(
            "Write the export package of one data subject: every record the service's data "
            "sources hold on them, with the manifest and the page the person reads."
        ),
    )
    cmd.add_argument("--policy", required=True, help="the policy TOML file")
    cmd.add_argument(
        "--db",
        required=True,
        help="the service's SQLite database, read-only: a path or sqlite:///path",
    )
    cmd.add_argument("--sources", help=SOURCES_HELP)
    cmd.add_argument("--subject", required=True, help="the data subject's id")
    cmd.add_argument(
        "--kind", help="the data subject's kind, one the policy declares (needed if it has several)"
    )
    cmd.add_argument("--scope", choices=("access", "portability"), default="access")
    cmd.add_argument(
        "--lang",
        choices=LANGUAGES,
        help="language of the package's page (default: the policy's first language)",
    )
    cmd.add_argument("--out", required=True, help="the package file to write (a ZIP; not a folder)")
    add_progress_option(cmd)
    cmd.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    import sqlite3

    from gdprkit.policy import Policy

    if not args.subject.strip():
        raise CommandFailed("--subject must be a non-empty id")
    parse_spec(args.sources)
    policy = Policy.from_toml(args.policy)
    kind = _kind(args.kind, policy)
    out = _destination(args.out)
    db = _database_path(args.db)
    try:
        # read-only: never creates or changes the service's database
        conn = sqlite3.connect(db.resolve().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise CommandFailed(
            f"cannot open the database {args.db}: {exc}", Exit.UNAVAILABLE
        ) from None
    try:
        with unwind_on_signals():
            sources = load_sources(args.sources, conn)
            result = _export(out, args, kind, conn, policy, sources)
    except Interrupted as stop:
        raise CommandFailed(
            f"interrupted by {stop.name}; the export stopped and its staging file was removed",
            stop.status,
        ) from None
    finally:
        conn.close()
    if not result.personal_data_held:
        print(
            f"{out}: no personal data about this {kind} in any source; the package confirms "
            f"it (GDPR Art. 15(1)); sha256 {result.sha256}"
        )
    else:
        print(f"{out}: {result.rows} rows, sha256 {result.sha256}")
    return Exit.OK


def _destination(argument: str) -> Path:
    """``--out``, checked before anything is read: a package file in a folder that can take it."""
    from gdprkit._rights.staging import check_destination

    try:
        return check_destination(Path(argument))
    except ExportPathError as exc:
        raise CommandFailed(f"cannot write the package: {exc}", Exit.UNAVAILABLE) from None


def _kind(given: str | None, policy: Policy) -> str:
    """``--kind``, checked against the policy's subject kinds (the only one, when omitted)."""
    kinds = sorted(policy.subjects)
    if given is None and len(kinds) == 1:
        return kinds[0]
    if given is None:
        raise CommandFailed(f"--kind is required: one of {', '.join(kinds)} (the policy's kinds)")
    if given not in policy.subjects:
        raise CommandFailed(
            f"unknown --kind {given!r}; the policy declares: {', '.join(kinds) or 'none'}"
        )
    return given


def _database_path(argument: str) -> Path:
    """The service database file ``--db`` names (a path or ``sqlite:///path``); it must exist."""
    if "://" in argument:
        if not argument.startswith(_SQLITE):
            scheme = argument.partition("://")[0]
            raise CommandFailed(
                f"--db must be a SQLite database (a path or sqlite:///path), not {scheme}://; "
                "a service on another database calls gdprkit.rights.export_subject itself"
            )
        argument = argument[len(_SQLITE) :]
    path = Path(argument)
    if not path.is_file():
        raise CommandFailed(f"no database file at {argument}", Exit.UNAVAILABLE)
    return path


def _export(
    out: Path,
    args: argparse.Namespace,
    kind: str,
    conn: sqlite3.Connection,
    policy: Policy,
    sources: list[DataSource],
) -> ExportResult:
    """Write the subject's package to ``out``, with progress by source."""
    import sqlite3

    from gdprkit._term import Progress
    from gdprkit.rights import SubjectRef, export_subject

    position = {s.name: i for i, s in enumerate(sources, start=1)}
    with Progress(enabled=args.progress) as progress:

        def report(source: str, rows: int) -> None:
            progress.update(f"source {position.get(source, '?')}/{len(sources)} {source}", rows)

        try:
            return export_subject(
                SubjectRef(kind=kind, id=args.subject),
                sources,
                policy,
                scope=args.scope,
                at=datetime.now(UTC),
                out=out,
                progress=report,
                lang=args.lang,
            )
        except sqlite3.Error as exc:
            raise CommandFailed(
                f"cannot read the database {args.db}: {exc}", Exit.UNAVAILABLE
            ) from None
        except OSError as exc:
            raise CommandFailed(
                f"cannot write the package {args.out}: {exc.strerror or exc}", Exit.UNAVAILABLE
            ) from None
