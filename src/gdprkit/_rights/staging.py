"""Where an export package is written before it is complete, and how leftovers are found.

A package holds everything held on a person, so a half-written one must not
be left behind (GDPR Art. 5(1)(f), integrity and confidentiality; Art. 32).
The package is written to a *staging file* beside its destination, created
``0600``, and renamed into place when complete; on any exception the writer
removes it. A process killed outright (``SIGKILL``, power loss) cannot, so the
staging file's name says which process wrote it:

    .<destination name>.gdprkit-export.<pid>.<start marker>.<random>.tmp

The start marker tells a process from a later one that reuses its pid (on
Linux: the boot id and the process's start time in clock ticks). A staging
file is *stale* when no running process has that pid and marker; the next
export to the same destination, and ``gdprkit cleanup DIR``, remove stale
files and never one that a running export is writing. Where the start
marker cannot be read (no ``/proc``), a file whose pid is running is kept.
Files left by gdprkit before staging names had a marker
(``.<name>.<pid>.export.<random>.tmp``) are removed when their pid has ended.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import stat
import sys
from pathlib import Path

import attrs

from gdprkit._errors import ExportPathError

__all__ = ["StagingCleanup", "check_destination", "clean_stale_exports", "create_staging"]

#: What gdprkit's staging names carry between the destination name and the process.
_TAG = "gdprkit-export"
_STAGING = re.compile(
    r"\.(?P<dest>.+)\." + _TAG + r"\.(?P<pid>[1-9][0-9]{0,9})\.(?P<marker>[0-9a-f]{12}-[0-9]+|x)"
    r"\.[0-9a-f]{8}\.tmp\Z"
)
#: The staging names of gdprkit 0.x before the marker: ``gdprkit export``'s own staging file
#: (``.<name>.<pid>.export``) with ``tempfile.mkstemp``'s random part.
_LEGACY = re.compile(r"\.(?P<dest>.+)\.(?P<pid>[1-9][0-9]{0,9})\.export\.[a-z0-9_]{8}\.tmp\Z")
#: The first bytes of a ZIP local file header: what a legacy staging file starts with.
_ZIP_MAGIC = b"PK\x03\x04"


def _boot_id() -> str | None:
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as fh:
            return fh.read().strip().replace("-", "")[:12] or None
    except OSError:
        return None


def process_marker(pid: int) -> str | None:
    """A text that differs between two processes that had the same ``pid`` (Linux), else None.

    The boot id and the start time of the process in clock ticks since boot
    (``/proc/<pid>/stat``, field 22); neither changes while the process runs,
    unlike the wall clock.
    """
    boot = _boot_id()
    if boot is None or len(boot) != 12:
        return None
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            text = fh.read().decode("ascii", "replace")
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces and ")": split after it.
    fields = text[text.rfind(")") + 2 :].split()
    if len(fields) < 20 or not fields[19].isdigit():
        return None
    return f"{boot}-{fields[19]}"


def _pid_running(pid: int) -> bool:
    """Whether a process with ``pid`` exists; True when that cannot be told (never guess dead)."""
    if sys.platform == "win32":
        return True  # os.kill would terminate it there, not probe it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # EPERM: it exists, run by another user
    return True


def _stale(pid: int, marker: str | None) -> bool:
    """Whether the process that wrote a staging file has ended (its pid may run another one)."""
    if pid == os.getpid():
        return marker is not None and marker != (process_marker(pid) or "x")
    if not _pid_running(pid):
        return True
    if marker is None or marker == "x":
        return False
    current = process_marker(pid)
    return current is not None and current != marker


def staging_name(destination: str) -> str:
    """A fresh staging file name for a package to be renamed to ``destination``."""
    marker = process_marker(os.getpid()) or "x"
    return f".{destination}.{_TAG}.{os.getpid()}.{marker}.{secrets.token_hex(4)}.tmp"


def create_staging(out: Path) -> tuple[int, Path]:
    """Create a new, empty staging file beside ``out``, readable by its owner only (``0600``).

    Returns the open descriptor and the path; a folder where nothing can be
    created raises :class:`~gdprkit.ExportPathError`.
    """
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    flags |= getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    path = out.parent / staging_name(out.name)
    try:
        fd = os.open(path, flags, 0o600)
    except OSError as exc:
        raise ExportPathError(
            f"cannot create the package's staging file in the folder of out: {exc.strerror}"
        ) from None
    return fd, path


def check_destination(out: Path) -> Path:
    """Refuse an ``out`` that cannot take a package, before any data is read.

    ``out`` must name a file that is not a folder or a device, in a folder
    that exists (or can be created) and can be written to; else
    :class:`~gdprkit.ExportPathError`. The message never repeats the path:
    a package's name often holds the subject's id.
    """
    if out.name in ("", ".", ".."):
        raise ExportPathError("out must name the package file (such as answer.zip), not a folder")
    try:
        mode: int | None = os.stat(out).st_mode
    except (FileNotFoundError, NotADirectoryError):
        mode = None
    except OSError as exc:
        raise ExportPathError(f"out cannot be examined: {exc.strerror}") from None
    if mode is not None and stat.S_ISDIR(mode):
        raise ExportPathError(
            "out is an existing folder; give the path of the package file (such as answer.zip)"
        )
    if mode is not None and not stat.S_ISREG(mode):
        raise ExportPathError("out exists and is not a regular file (a device, socket or pipe)")
    if out.parent.exists() and not out.parent.is_dir():
        raise ExportPathError("the folder of out is a file, not a folder")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportPathError(
            f"the folder of out does not exist and cannot be created: {exc.strerror}"
        ) from None
    if not os.access(out.parent, os.W_OK | os.X_OK):
        raise ExportPathError("the folder of out cannot be written to")
    return out


@attrs.frozen
class StagingCleanup:
    """What :func:`clean_stale_exports` found: files removed, files in use, files it could not remove."""

    removed: tuple[Path, ...] = ()
    in_use: tuple[Path, ...] = ()
    failed: tuple[Path, ...] = ()


def _legacy_zip(path: Path) -> bool:
    """Whether a legacy-named file is empty or starts as a ZIP does (gdprkit wrote it)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(_ZIP_MAGIC))
    except OSError:
        return False
    return head in (b"", _ZIP_MAGIC)


def _staging_owner(
    entry: os.DirEntry[str], destination: str | None
) -> tuple[int, str | None] | None:
    """The pid and start marker of a gdprkit staging file, or None for any other entry."""
    match = _STAGING.match(entry.name)
    legacy = None if match else _LEGACY.match(entry.name)
    found = match or legacy
    if found is None or (destination is not None and found["dest"] != destination):
        return None
    if not entry.is_file(follow_symlinks=False):
        return None
    if legacy is not None and not _legacy_zip(Path(entry.path)):
        return None
    return int(found["pid"]), (match["marker"] if match else None)


def clean_stale_exports(
    directory: str | os.PathLike[str], *, destination: str | None = None
) -> StagingCleanup:
    """Remove the staging files in ``directory`` left by exports that were killed.

    A staging file whose writing process is still running is kept
    (``in_use``); with ``destination``, only the staging files of that package
    name are looked at. Files gdprkit did not name are never touched.
    :func:`~gdprkit.rights.export_subject` calls this for its destination
    before it writes; ``gdprkit cleanup DIR`` calls it for a whole folder.
    """
    removed: list[Path] = []
    in_use: list[Path] = []
    failed: list[Path] = []
    try:
        entries = list(os.scandir(directory))
    except OSError as exc:
        raise ExportPathError(f"cannot list the folder: {exc.strerror}") from None
    for entry in sorted(entries, key=lambda e: e.name):
        owner = _staging_owner(entry, destination)
        if owner is None:
            continue
        path = Path(entry.path)
        if not _stale(*owner):
            in_use.append(path)
            continue
        try:
            os.unlink(path)
        except FileNotFoundError:
            continue  # another cleanup got there first
        except OSError:
            failed.append(path)
            continue
        removed.append(path)
    return StagingCleanup(tuple(removed), tuple(in_use), tuple(failed))


def discard(path: Path) -> None:
    """Remove a staging file, if it is still there."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
