"""The exit statuses of every ``gdprkit`` command, and the one-line report of an error.

One table for every command, so that a cron job or a CI step can tell "the
check found something" (1) from "I called it wrongly" (2) from "a file or
store was not there" (3) from "gdprkit itself broke" (4). ``docs/cli.md``
shows the same table; a test keeps the two in step.
"""

from __future__ import annotations

import enum

from gdprkit._errors import (
    ExportPathError,
    GdprkitError,
    InvalidAuditHead,
    PolicyError,
    StoreError,
    UnknownLanguage,
)

__all__ = ["CommandFailed", "Exit", "describe", "status_of"]


class Exit(enum.IntEnum):
    """What a ``gdprkit`` command's exit status means."""

    #: It did what was asked.
    OK = 0
    #: It ran and found a problem: a check failed (policy, audit chain, models), or
    #: gdprkit refused (any other gdprkit error).
    FOUND = 1
    #: Usage or bad input: an unknown option, a bad value (a malformed --head), an invalid
    #: policy file, an unknown --kind or --lang, a --sources that cannot be loaded.
    USAGE = 2
    #: A file, store or database cannot be opened, read or written: missing,
    #: no permission, not a gdprkit store, locked, disk full, a row changed outside
    #: gdprkit (StoredRowError); an export's --out that
    #: cannot take a package (a folder, a folder that cannot be written).
    UNAVAILABLE = 3
    #: An unexpected error: a bug in gdprkit or in the --sources code; --debug shows
    #: the traceback.
    INTERNAL = 4
    #: The terminal went away (SIGHUP) during an export; 128 + SIGHUP. The export
    #: stopped and removed its staging file.
    HANGUP = 129
    #: Interrupted (Ctrl-C); 128 + SIGINT, as the shell reports it.
    INTERRUPTED = 130
    #: The reader of the output went away (``gdprkit demo | head``); 128 + SIGPIPE.
    BROKEN_PIPE = 141
    #: Terminated (SIGTERM, as ``kill`` or a service manager sends it) during an export;
    #: 128 + SIGTERM. The export stopped and removed its staging file.
    TERMINATED = 143


class CommandFailed(Exception):
    """A command stops with a message (one line, no personal data) and an exit status."""

    def __init__(self, message: str, status: Exit = Exit.USAGE) -> None:
        super().__init__(message)
        self.status = status


def status_of(error: BaseException) -> Exit:
    """The exit status for an error that ended a command."""
    if isinstance(error, CommandFailed):
        return error.status
    if isinstance(error, PolicyError | UnknownLanguage | InvalidAuditHead):
        return Exit.USAGE
    if isinstance(error, StoreError | ExportPathError | OSError):
        return Exit.UNAVAILABLE
    if isinstance(error, GdprkitError):
        return Exit.FOUND
    return Exit.INTERNAL


def describe(error: BaseException) -> str:
    """The one line that says what went wrong, without ``gdprkit:`` in front.

    gdprkit's own messages never carry personal data or key material; an
    OSError names its file (a path the operator gave). Anything else is
    unexpected: only its type is shown, since its message may quote a value.
    """
    if isinstance(error, CommandFailed):
        return str(error)
    if isinstance(error, PolicyError):
        first = str(error.problems[0])
        more = len(error.problems) - 1
        return f"invalid policy: {first}" + (
            f" (and {more} more; 'gdprkit policy check FILE' lists them all)" if more else ""
        )
    if isinstance(error, GdprkitError):
        return f"{type(error).__name__}: {_one_line(str(error))}"
    if isinstance(error, OSError):
        where = f"{error.filename}: " if error.filename is not None else ""
        return f"{where}{error.strerror or type(error).__name__}"
    return (
        f"unexpected {type(error).__name__} (a bug in gdprkit or in the --sources code); "
        "run again with --debug to see the traceback"
    )


def _one_line(text: str) -> str:
    """A multi-line message (a list of fields) joined into one line."""
    return "; ".join(part.strip(" -") for part in text.splitlines() if part.strip())
