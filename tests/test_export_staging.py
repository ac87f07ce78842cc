"""No personal data left behind: unusable destinations, interrupted and killed exports (issue 11).

An export writes a person's data to a staging file beside ``out``. An ``out``
that cannot take the package is refused before any data is read; an exception
or a termination signal removes the staging file; a file left by a killed
process is found and removed by the next export to the same destination and
by ``gdprkit cleanup DIR``, and a running export's file never is.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

import gdprkit as gk
from gdprkit import rights
from gdprkit._cli.status import Exit
from gdprkit._demo import models, service
from gdprkit._rights import staging
from gdprkit.cli import main

from .conftest import ELVETA_POLICY

AT = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
ANNA = rights.SubjectRef(kind="customer", id="C-1042")
BIG_ROWS = 500_000
POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and permissions")


class Spy:
    """A source that notes whether its records were read, and what the folder held meanwhile."""

    name = "tickets"
    schemas = (gk.schema_of(models.SupportTicket),)

    def __init__(self, folder: Path, fail: BaseException | None = None) -> None:
        self.folder = folder
        self.fail = fail
        self.read = False
        self.closed = False
        self.seen: dict[str, int] = {}

    def records(self, subject):
        self.read = True
        try:
            yield models.SupportTicket("T-1", "C-1042", AT, "hej")
            self.seen = {p.name: stat.S_IMODE(p.stat().st_mode) for p in self.folder.iterdir()}
            if self.fail is not None:
                raise self.fail
            yield models.SupportTicket("T-2", "C-1042", AT, "hallå")
        finally:
            self.closed = True


def _export(out, *sources):
    return rights.export_subject(ANNA, list(sources), models.policy, at=AT, out=out)


def _fifo(tmp_path: Path) -> Path:
    path = tmp_path / "C-1042.zip"
    os.mkfifo(path)
    return path


def _under_a_file(tmp_path: Path) -> Path:
    (tmp_path / "plain").write_text("x")
    return tmp_path / "plain" / "C-1042.zip"


@POSIX
@pytest.mark.parametrize(
    ("make_out", "message"),
    [
        (lambda tmp: tmp / "C-1042", "existing folder"),
        (lambda tmp: tmp / "C-1042" / "..", "must name the package file"),
        (_under_a_file, "is a file, not a folder"),
        (_fifo, "not a regular file"),
        (lambda tmp: Path("/proc/self/C-1042.zip"), "staging file|cannot be written"),
    ],
    ids=[
        "out is an existing folder",
        "out ends in ..",
        "folder of out is a file",
        "out is a named pipe",
        "folder of out takes no new files",
    ],
)
def test_an_unusable_out_is_refused_before_any_data_is_read(tmp_path, make_out, message):
    (tmp_path / "C-1042").mkdir()
    out = make_out(tmp_path)
    spy = Spy(tmp_path)
    before = sorted(tmp_path.rglob("*"))
    with pytest.raises(gk.ExportPathError, match=message) as caught:
        _export(out, spy)
    assert not spy.read
    assert sorted(tmp_path.rglob("*")) == before
    assert "C-1042" not in str(caught.value)  # the path (often the subject's id) is not repeated


@POSIX
@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into any folder")
def test_a_folder_without_write_permission_is_refused(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    spy = Spy(tmp_path)
    with pytest.raises(gk.ExportPathError, match="cannot be written"):
        _export(locked / "answer.zip", spy)
    assert not spy.read


@POSIX
def test_staging_file_and_package_are_readable_by_their_owner_only(tmp_path):
    out = tmp_path / "answer.zip"
    spy = Spy(tmp_path)
    old = os.umask(0)  # even with a permissive umask
    try:
        _export(out, spy)
    finally:
        os.umask(old)
    ((name, mode),) = spy.seen.items()
    assert name.startswith(".answer.zip.gdprkit-export.") and name.endswith(".tmp")
    assert mode == 0o600
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answer.zip"]


@pytest.mark.parametrize(
    "error",
    [RuntimeError("database went away"), KeyboardInterrupt(), SystemExit(1)],
    ids=["an error", "KeyboardInterrupt", "SystemExit"],
)
def test_an_interrupted_export_removes_its_staging_file(tmp_path, error):
    out = tmp_path / "answer.zip"
    out.write_bytes(b"an earlier package")
    spy = Spy(tmp_path, fail=error)
    with pytest.raises(type(error)):
        _export(out, spy)
    assert len(spy.seen) == 2  # the staging file was there while the records were read
    assert spy.closed  # the source's own cleanup ran before export_subject returned
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answer.zip"]
    assert out.read_bytes() == b"an earlier package"


# -- stale staging files ------------------------------------------------------------------


def _ended_pid() -> int:
    """The pid of a process that has ended (and was reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _leave(folder: Path, name: str, data: bytes = b"PK\x03\x04 a person's data") -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


@pytest.fixture
def sleeper():
    """A running process that is not this one."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield proc.pid
    proc.kill()
    proc.wait()


def _marker(pid: int) -> str:
    marker = staging.process_marker(pid)
    if marker is None:
        pytest.skip("the start marker needs /proc (Linux)")
    return marker


def _here() -> str:
    """The origin (host, boot, pid namespace) of this process's staging files."""
    return _marker(os.getpid()).split("-")[0]


ELSEWHERE = "0123456789ab-5"  # another host, boot or pid namespace


@POSIX
@pytest.mark.parametrize(
    ("make_name", "locked", "stale"),
    [
        (lambda me, other: f"{_ended_pid()}.{_here()}-1", False, True),
        (lambda me, other: f"{me}.{_marker(me)}", False, False),
        (lambda me, other: f"{me}.{_here()}-1", False, True),
        (lambda me, other: f"{other}.{_marker(other)}", False, False),
        (lambda me, other: f"{other}.{_here()}-1", False, True),
        (lambda me, other: f"{other}.{ELSEWHERE}", False, True),
        (lambda me, other: f"{other}.{ELSEWHERE}", True, False),
        (lambda me, other: f"{_ended_pid()}.x", False, True),
        (lambda me, other: f"{other}.x", True, False),
        (lambda me, other: f"{_ended_pid()}.{_here()}-1", True, False),
    ],
    ids=[
        "its process ended",
        "this process, writing it now",
        "this pid, an earlier process",
        "another running export",
        "a running process that reuses the pid",
        "from another host, boot or container, lock free",
        "from another host, boot or container, lock held",
        "no start marker, lock free",
        "no start marker, lock held",
        "its process ended but the lock is held",
    ],
)
def test_stale_staging_files_are_told_from_live_ones(tmp_path, sleeper, make_name, locked, stale):
    import fcntl

    path = _leave(tmp_path, f".a.zip.gdprkit-export.{make_name(os.getpid(), sleeper)}.0badc0de.tmp")
    with open(path, "rb") as held:
        if locked:
            fcntl.flock(held, fcntl.LOCK_EX)  # as a running export holds its staging file
        result = rights.clean_stale_exports(tmp_path)
    assert path.exists() is not stale
    assert (path in result.removed) is stale
    assert (path in result.in_use) is not stale


@POSIX
def test_a_running_export_holds_the_lock_of_its_staging_file(tmp_path):
    class Watch(Spy):
        def records(self, subject):
            (self.staging,) = self.folder.iterdir()
            self.free = staging._lock_free(self.staging)
            yield from super().records(subject)

    spy = Watch(tmp_path)
    _export(tmp_path / "answer.zip", spy)
    assert spy.free is False


def test_a_staging_file_removed_before_its_lock_is_taken_is_made_again(tmp_path, monkeypatch):
    """A cleanup elsewhere may catch a staging file in the moment between creation and lock."""
    lock = staging._lock
    removed = []

    def racing(fd):
        if len(removed) < 2:
            (made,) = [p for p in tmp_path.iterdir() if p.suffix == ".tmp"]
            made.unlink()
            removed.append(made.name)
        return lock(fd)

    monkeypatch.setattr(staging, "_lock", racing)
    _export(tmp_path / "answer.zip", Spy(tmp_path))
    assert len(removed) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answer.zip"]
    monkeypatch.setattr(staging, "_ATTEMPTS", 2)
    removed.clear()
    with pytest.raises(gk.ExportPathError, match="removed each time"):
        _export(tmp_path / "other.zip", Spy(tmp_path))


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("answer.zip", b"PK\x03\x04"),
        (".answer.zip.12345.export.ab_cd123.tmp", b"PK\x03\x04"),
        (".answer.zip.gdprkit-export.0.x.0badc0de.tmp", b""),
        (".answer.zip.gdprkit-export.12.x.0badc0de.tmp.bak", b""),
        ("notes.txt", b"hej"),
    ],
    ids=["a package", "another program's temporary file", "pid 0", "a copy", "a text file"],
)
def test_files_gdprkit_did_not_name_are_never_touched(tmp_path, name, data):
    path = _leave(tmp_path, name, data)
    assert rights.clean_stale_exports(tmp_path) == rights.StagingCleanup()
    assert path.read_bytes() == data


def test_the_next_export_removes_stale_files_of_its_destination_only(tmp_path):
    pid = _ended_pid()
    mine = _leave(tmp_path, f".answer.zip.gdprkit-export.{pid}.x.0badc0de.tmp")
    other = _leave(tmp_path, f".other.zip.gdprkit-export.{pid}.x.0badc0de.tmp")
    _export(tmp_path / "answer.zip", Spy(tmp_path))
    assert not mine.exists()
    assert other.exists()
    assert rights.clean_stale_exports(tmp_path).removed == (other,)


@pytest.mark.parametrize(
    "destination",
    ["C-1042\nanswer.zip", "answer\r.zip", "svar\u2028.zip"],
    ids=["a line feed", "a carriage return", "a line separator"],
)
def test_stale_files_of_a_destination_with_a_line_break_are_found(tmp_path, destination):
    """A package's name is the operator's to choose; a line break in it must not hide the
    staging files of its killed exports from every cleanup."""
    pid = _ended_pid()
    left = _leave(tmp_path, f".{destination}.gdprkit-export.{pid}.x.0badc0de.tmp")
    _export(tmp_path / destination, Spy(tmp_path))
    assert not left.exists()
    again = _leave(tmp_path, f".{destination}.gdprkit-export.{pid}.x.0badc0de.tmp")
    assert rights.clean_stale_exports(tmp_path).removed == (again,)


def test_clean_stale_exports_refuses_a_missing_folder(tmp_path):
    with pytest.raises(gk.ExportPathError, match="cannot list"):
        rights.clean_stale_exports(tmp_path / "missing")


def test_cleanup_command(tmp_path, capsys, sleeper):
    stale = _leave(tmp_path, f".a.zip.gdprkit-export.{_ended_pid()}.x.0badc0de.tmp")
    live = _leave(tmp_path, f".b.zip.gdprkit-export.{sleeper}.{_marker(sleeper)}.0badc0de.tmp")
    assert main(["cleanup", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"removed {stale}" in out
    assert f"kept {live}" in out
    assert out.endswith("1 stale staging file(s) removed, 1 in use\n")
    assert not stale.exists() and live.exists()
    assert main(["cleanup", str(tmp_path / "missing")]) == Exit.UNAVAILABLE
    assert "cannot list the folder" in capsys.readouterr().err


# -- the command line, killed mid-export -----------------------------------------------------


@pytest.fixture(scope="module")
def big_db(tmp_path_factory) -> Path:
    """A service database in which C-1042 has 500,000 meter readings (and little else)."""
    path = tmp_path_factory.mktemp("big") / "big.db"
    conn = sqlite3.connect(path)
    service.create_schema(conn)
    service.seed(conn, customers=1, hours=BIG_ROWS)
    conn.commit()
    conn.close()
    return path


def _start_export(db: Path, out: Path) -> subprocess.Popen[str]:
    args = ["export", "--policy", str(ELVETA_POLICY), "--db", str(db), "--subject", "C-1042",
            "--kind", "customer", "--sources", "gdprkit._demo.service:sources",
            "--out", str(out)]  # fmt: skip
    return subprocess.Popen(
        [sys.executable, "-m", "gdprkit", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _staging_files(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if ".gdprkit-export." in p.name]


def _wait_until_writing(proc: subprocess.Popen[str], folder: Path) -> Path:
    """Wait until the export has streamed part of the subject's rows into its staging file."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        files = _staging_files(folder)
        if files and files[0].stat().st_size > 256 * 1024:
            return files[0]
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.01)
    raise AssertionError("the export did not start writing")


@POSIX
def test_a_killed_export_leaves_a_private_file_that_the_next_export_removes(big_db, tmp_path):
    out = tmp_path / "answers" / "C-1042.zip"
    out.parent.mkdir()
    proc = _start_export(big_db, out)
    left = _wait_until_writing(proc, out.parent)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    assert left.exists() and not out.exists()
    assert stat.S_IMODE(left.stat().st_mode) == 0o600
    _export(out, Spy(out.parent))  # the next export to the same destination
    assert sorted(p.name for p in out.parent.iterdir()) == ["C-1042.zip"]


@POSIX
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_terminated_export_removes_its_staging_file(big_db, tmp_path, signum):
    out = tmp_path / "C-1042.zip"
    proc = _start_export(big_db, out)
    _wait_until_writing(proc, tmp_path)
    proc.send_signal(signum)
    stdout, stderr = proc.communicate()
    assert proc.returncode == 128 + signum
    assert stdout == ""
    assert stderr.strip() == (
        f"gdprkit: interrupted by {signal.Signals(signum).name}; the export stopped and its "
        "staging file was removed"
    )
    assert list(tmp_path.iterdir()) == []


def test_the_command_refuses_a_folder_as_out(tmp_path, capsys):
    db = tmp_path / "service.db"
    assert main(["export", "--policy", str(ELVETA_POLICY), "--db", str(db), "--subject",
                 "C-1042", "--kind", "customer", "--sources", "gdprkit._demo.service:sources",
                 "--out", str(tmp_path)]) == Exit.UNAVAILABLE  # fmt: skip
    err = capsys.readouterr().err
    assert err == (
        "gdprkit: cannot write the package: out is an existing folder; give the path of the "
        "package file (such as answer.zip)\n"
    )
    assert list(tmp_path.iterdir()) == []  # checked before the database is even opened


def test_a_source_is_closed_when_the_export_fails_while_it_waits(tmp_path):
    class Wrong(Spy):
        def records(self, subject):
            try:
                yield models.SupportTicket("T-1", "C-1042", AT, "hej")
                yield "not a ticket"
                yield models.SupportTicket("T-2", "C-1042", AT, "hallå")
            finally:
                self.closed = True

    source = Wrong(tmp_path)
    with pytest.raises(gk.SourceError, match="yielded a str") as caught:
        _export(tmp_path / "answer.zip", source)
    # Its cleanup ran before the error reached us (the error's frames would keep it alive),
    # while what it needs, such as a database connection, is still open.
    assert source.closed
    assert caught.value.__traceback__ is not None
    assert list(tmp_path.iterdir()) == []


@POSIX
def test_a_cleanup_while_an_export_runs_leaves_it_alone(big_db, tmp_path):
    out = tmp_path / "C-1042.zip"
    proc = _start_export(big_db, out)
    writing = _wait_until_writing(proc, tmp_path)
    result = rights.clean_stale_exports(tmp_path)
    assert result == rights.StagingCleanup(in_use=(writing,))
    stdout, stderr = proc.communicate()
    assert proc.returncode == 0, stderr
    assert f"{BIG_ROWS + 13} rows" in stdout
    rights.verify_package(out)
