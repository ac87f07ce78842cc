"""The demo's working folder: one it made itself, so that a second run can start afresh there.

``gdprkit demo --dir D`` run twice must not add the invented customers a
second time to the same database, nor meet a keyring it did not write. So
the demo starts from a clean folder every time: a new or empty folder it
marks as its own, or one that carries its mark from an earlier run, from
which it removes the files it wrote (and only those). A folder with other
content and no mark is refused: the demo never deletes what it did not write.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from gdprkit._cli.status import CommandFailed

__all__ = ["MARK", "prepare"]

#: The file that says "an earlier gdprkit demo wrote this folder".
MARK = ".gdprkit-demo"

#: Endings of the files SQLite may keep beside a database.
_SIDECARS = ("", "-wal", "-shm", "-journal")


def prepare(directory: str | None, written: tuple[str, ...]) -> Path:
    """The folder to run in, ready: ``directory``, or a new one in the temporary folder.

    ``written`` names the files a run writes; they are removed from a folder
    an earlier run marked. Raises :class:`CommandFailed` (exit status 2) for a
    path that is a file, or a folder with other content and no mark.
    """
    if directory is None:
        folder = Path(tempfile.mkdtemp(prefix="gdprkit-demo-"))
    else:
        folder = Path(directory)
        _check(folder)
        folder.mkdir(parents=True, exist_ok=True)
    mark = folder / MARK
    if mark.is_file():
        for name in written:
            for ending in _SIDECARS:
                (folder / f"{name}{ending}").unlink(missing_ok=True)
    else:
        mark.write_text(
            "Written by 'gdprkit demo'. A later 'gdprkit demo --dir' here replaces the demo's "
            "files (and only those).\n",
            encoding="utf-8",
        )
    return folder


def _check(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise CommandFailed(f"--dir {folder} is a file; give a folder")
    if folder.is_dir() and not (folder / MARK).is_file() and any(folder.iterdir()):
        raise CommandFailed(
            f"--dir {folder} holds files that no gdprkit demo wrote; "
            "give a new or empty folder (the demo starts afresh in one it wrote before)"
        )
