"""Where an export package is written before it is complete, and how leftovers are found.

A package holds everything held on a person, so a half-written one must not
be left behind (GDPR Art. 5(1)(f), integrity and confidentiality; Art. 32).
The package is written to a *staging file* beside its destination, created
``0600``, and renamed into place when complete; on any exception the writer
removes it. A process killed outright (``SIGKILL``, power loss) cannot, so the
writer holds a lock on its staging file, and the file's name says who wrote it:

    .<destination name>.gdprkit-export.<pid>.<origin>-<start>.<random>.tmp

``<origin>`` is a hash of the host name, the boot id and the pid namespace
(where the pid means something), ``<start>`` the process's start time in clock
ticks, so that a later process reusing the pid is not taken for the writer
(the marker is ``x`` where ``/proc`` cannot tell, as off Linux). A staging
file is *stale* when nobody holds its lock (``flock``, which the kernel
releases when its holder dies) and, for a file of this very origin, no
process with that pid and start time runs. The next export to the same
destination, and ``gdprkit cleanup DIR``, remove stale files and never one a
running export holds: a file whose lock cannot be tested (no ``flock``, as on
Windows) is kept unless its process is known, here, to have ended.
"""

from __future__ import annotations

import contextlib
import hashlib
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
    r"\.(?P<dest>.+)\." + _TAG + r"\.(?P<pid>[1-9][0-9]{0,9})\."
    r"(?P<marker>(?P<origin>[0-9a-f]{12})-[0-9]+|x)\.[0-9a-f]{8}\.tmp\Z",
    re.DOTALL,  # a destination's name may hold a line break
)
#: How often a writer makes a new staging file when a cleanup removed the one it just made.
_ATTEMPTS = 3
_OPEN_FLAGS = (
    getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
)


def _read(path: str) -> str | None:
    try:
        with open(path, "rb") as fh:
            return fh.read().decode("ascii", "replace").strip()
    except OSError:
        return None


def _origin() -> str | None:
    """Where this process's pids mean something: host, boot and pid namespace, hashed (Linux)."""
    boot = _read("/proc/sys/kernel/random/boot_id")
    try:
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        return None
    if not boot:
        return None
    where = "\0".join((os.uname().nodename, boot, namespace))
    return hashlib.blake2b(where.encode(), digest_size=6).hexdigest()


def process_marker(pid: int) -> str | None:
    """``<origin>-<start>`` of the process ``pid`` as seen from here (Linux), else None.

    ``<start>`` is the process's start time in clock ticks since boot
    (``/proc/<pid>/stat``, field 22): unlike the wall clock it never changes
    while the process runs, and a later process with the same pid has another.
    """
    origin = _origin()
    text = _read(f"/proc/{pid}/stat")
    if origin is None or text is None:
        return None
    # The command name (field 2) is in parentheses and may hold spaces and ")": split after it.
    fields = text[text.rfind(")") + 2 :].split()
    if len(fields) < 20 or not fields[19].isdigit():
        return None
    return f"{origin}-{fields[19]}"


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


def _lock(fd: int) -> bool | None:
    """Take an open file's exclusive lock: True, False when another holds it, None if untestable."""
    if sys.platform == "win32":
        return None
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:
        return None  # a file system without flock
    return True


def _lock_free(path: Path) -> bool | None:
    """Whether nobody holds the lock of the file at ``path`` (None: it cannot be told)."""
    try:
        fd = os.open(path, os.O_RDONLY | _OPEN_FLAGS)
    except OSError:
        return None
    try:
        return _lock(fd)
    finally:
        os.close(fd)  # and with it the lock, if it was taken


def _stale(path: Path, pid: int, marker: str, origin: str | None) -> bool:
    """Whether the process that wrote a staging file has ended (its pid may run another one)."""
    free = _lock_free(path)
    if free is False:
        return False  # a running export holds it
    if origin is not None and origin == _origin():
        # This host, boot and pid namespace: the pid and start time tell whether it still runs.
        return not _pid_running(pid) or process_marker(pid) != marker
    return free is True


def staging_name(destination: str) -> str:
    """A fresh staging file name for a package to be renamed to ``destination``."""
    marker = process_marker(os.getpid()) or "x"
    return f".{destination}.{_TAG}.{os.getpid()}.{marker}.{secrets.token_hex(4)}.tmp"


def create_staging(out: Path) -> tuple[int, Path]:
    """Create a new, empty staging file beside ``out``, ``0600``, and take its lock.

    Returns the open descriptor (the lock lasts until it is closed) and the
    path; a folder where nothing can be created raises
    :class:`~gdprkit.ExportPathError`. A cleanup elsewhere may remove the file
    between its creation and its lock; then another one is made.
    """
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | _OPEN_FLAGS
    for _ in range(_ATTEMPTS):
        path = out.parent / staging_name(out.name)
        try:
            fd = os.open(path, flags, 0o600)
        except OSError as exc:
            raise ExportPathError(
                f"cannot create the package's staging file in the folder of out: {exc.strerror}"
            ) from None
        _lock(fd)
        if os.fstat(fd).st_nlink > 0:
            return fd, path
        os.close(fd)
    raise ExportPathError("the package's staging file was removed each time it was made")


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


def _staging_owner(
    entry: os.DirEntry[str], destination: str | None
) -> tuple[int, str, str | None] | None:
    """The pid, marker and origin of a gdprkit staging file, or None for any other entry."""
    found = _STAGING.match(entry.name)
    if found is None or (destination is not None and found["dest"] != destination):
        return None
    if not entry.is_file(follow_symlinks=False):
        return None
    return int(found["pid"]), found["marker"], found["origin"]


def clean_stale_exports(
    directory: str | os.PathLike[str], *, destination: str | None = None
) -> StagingCleanup:
    """Remove the staging files in ``directory`` that exports killed before they finished left.

    A staging file a running export holds is kept (``in_use``); with
    ``destination``, only the staging files of that package name are looked
    at. Files gdprkit did not name are never touched.
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
        if not _stale(path, *owner):
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
