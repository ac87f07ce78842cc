"""A throw-away PostgreSQL cluster for the tests, and the workers that hammer it.

The cluster is the test run's own: ``initdb`` into a fresh temporary
directory, a server on a free loopback port with its unix socket in that
directory, password authentication with a random password (so the tests also
see that the password never leaks), and ``pg_ctl stop`` plus removal at the
end. Nothing of the machine's own PostgreSQL service is touched.

PostgreSQL refuses to run as root, so under root the cluster belongs to an
unprivileged user (``postgres`` if it exists, else ``nobody``) and the
server commands run through ``runuser``.

The worker functions at the bottom run in child processes (``spawn``), so
they live in an importable module rather than in the test file.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

__all__ = ["Cluster", "find_bindir", "missing_reason"]

#: The Debian package that provides the server binaries (what ``.ci/run`` installs).
DEBIAN_PACKAGE = "postgresql"


def _version_key(path: str) -> tuple[int, ...]:
    found = re.search(r"/postgresql/([0-9.]+)/", path)
    return tuple(int(p) for p in found.group(1).split(".") if p) if found else (0,)


def find_bindir() -> Path | None:
    """The directory holding ``initdb`` and ``pg_ctl``: ``$PG_BINDIR``, Debian's newest, or PATH.

    Debian keeps the server binaries out of PATH, in
    ``/usr/lib/postgresql/<major>/bin``; the newest major wins.
    """
    configured = os.environ.get("PG_BINDIR")
    candidates = [configured] if configured else []
    candidates += sorted(
        (os.path.dirname(p) for p in glob.glob("/usr/lib/postgresql/*/bin/pg_ctl")),
        key=_version_key,
        reverse=True,
    )
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(os.path.dirname(os.path.realpath(on_path)))
    for candidate in candidates:
        folder = Path(candidate)
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


def missing_reason() -> str | None:
    """Why the PostgreSQL tests cannot run here, or ``None`` when they can."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install 'gdprkit[postgres]')"
    if find_bindir() is None:
        return (
            "the PostgreSQL server binaries (initdb, pg_ctl) are not installed "
            f"(apt-get install {DEBIAN_PACKAGE}; .ci/run does this)"
        )
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Cluster:
    """A running throw-away cluster; :meth:`url` gives a URL for one of its databases."""

    user = "gdprkit"

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.password = secrets.token_urlsafe(18)
        self.port = 0
        self._owner: pwd.struct_passwd | None = None
        if os.geteuid() == 0:
            for name in ("postgres", "nobody"):
                with contextlib.suppress(KeyError):
                    self._owner = pwd.getpwnam(name)
                    break
            if self._owner is None:
                raise RuntimeError(
                    "running as root, and there is no unprivileged user to own the cluster"
                )
        # Under /tmp rather than pytest's tmp_path: the cluster's owner must be able to reach it,
        # and pytest's base directory is private to the user running the tests.
        self.root = Path(tempfile.mkdtemp(prefix="gdprkit-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        if self._owner is not None:
            os.chown(self.root, self._owner.pw_uid, self._owner.pw_gid)
        self._started = False

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = [*args]
        if self._owner is not None:
            command = ["runuser", "-u", self._owner.pw_name, "--", *command]
        return subprocess.run(
            command, check=check, capture_output=True, text=True, timeout=120, cwd=self.root
        )

    def start(self) -> None:
        """``initdb`` (password auth, UTF-8) and start the server on a free loopback port."""
        pwfile = self.root / "pwfile"
        pwfile.write_text(self.password + "\n", encoding="utf-8")
        if self._owner is not None:
            os.chown(pwfile, self._owner.pw_uid, self._owner.pw_gid)
        pwfile.chmod(0o600)
        self._run(
            str(self.bindir / "initdb"),
            "-D", str(self.data),
            "-U", self.user,
            f"--pwfile={pwfile}",
            "--auth=scram-sha-256",
            "-E", "UTF8",
            "--locale=C",
            "--no-sync",
        )  # fmt: skip
        pwfile.unlink()
        last_error = ""
        for _ in range(5):  # the free port may be taken between probing and binding
            self.port = _free_port()
            options = (
                f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                "-c max_connections=60"
            )
            done = self._run(
                str(self.bindir / "pg_ctl"),
                "-D", str(self.data),
                "-l", str(self.log),
                "-o", options,
                "-w", "-t", "60",
                "start",
                check=False,
            )  # fmt: skip
            if done.returncode == 0:
                self._started = True
                return
            last_error = self._log_tail()
        raise RuntimeError(f"the PostgreSQL test server did not start:\n{last_error}")

    def _log_tail(self) -> str:
        try:
            return "\n".join(
                self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-20:]
            )
        except OSError:
            return "(no server log)"

    def stop(self) -> None:
        """Stop the server (fast shutdown) and delete the cluster's files."""
        try:
            if self._started:
                self._run(
                    str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop",
                    check=False,
                )  # fmt: skip
                self._started = False
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, dbname: str = "postgres") -> str:
        """A ``postgresql://`` URL (with the password) for database ``dbname``."""
        return f"postgresql://{self.user}:{self.password}@127.0.0.1:{self.port}/{dbname}"

    @contextlib.contextmanager
    def database(self, name: str) -> Iterator[str]:
        """Create database ``name``, yield its URL, drop it afterwards."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield self.url(name)
        finally:
            with psycopg.connect(self.url(), autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- workers, run in child processes --------------------------------------------------------

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def audit_keyring() -> Any:
    """The keyring every writer of the shared audit log keys the chain with."""
    from gdprkit.pseudonym import Keyring

    return Keyring.from_key(bytes(range(32)), key_id="audit1", at=T0)


def append_audit(url: str, worker: int, count: int, barrier: Any) -> None:
    """Append ``count`` audit entries as writer ``worker``, after all writers are ready."""
    from gdprkit import store
    from gdprkit.audit import AuditLog

    with store.open(url, timeout=60) as opened:
        log = AuditLog(opened, keyring=audit_keyring())
        barrier.wait(timeout=60)
        for n in range(count):
            log.record(
                "test.append",
                at=T0 + timedelta(seconds=n),
                actor=f"worker-{worker}",
                details={"worker": worker, "n": n},
            )


def change_consent(
    url: str, worker: int, rounds: int, key: str, kek_text: str, barrier: Any
) -> None:
    """Renew one shared consent record ``rounds`` times, then withdraw everything, as ``worker``.

    Every writer uses the same instants (``T0`` + 1 h to renew, + 2 h to
    withdraw), so the ledger's "not before the last event" rule refuses
    nobody: each renewal must end up in the record as an event of its own,
    and exactly one withdrawal must cover the three cookie categories.
    """
    from gdprkit import store
    from gdprkit.consent import IndicationMethod, Ledger
    from gdprkit.pseudonym import Kek, Keyring, Pseudonymizer

    ring = Keyring.from_json(key, kek=Kek.from_callable(lambda: kek_text))
    with store.open(url, timeout=60) as opened:
        ledger = Ledger(opened, elveta(), pseudonymizer=Pseudonymizer(ring, domain="consent"))
        barrier.wait(timeout=60)
        category = COOKIE_CATEGORIES[worker % len(COOKIE_CATEGORIES)]
        for n in range(rounds):
            ledger.renew(
                "C-1042",
                [f"cookies.{category}"],
                method=f"banner w{worker} r{n}",
                at=T0 + timedelta(hours=1),
                indication=IndicationMethod.CLICKED_ACCEPT,
            )
        barrier.wait(timeout=60)
        ledger.withdraw("C-1042", method=f"settings w{worker}", at=T0 + timedelta(hours=2))


COOKIE_CATEGORIES = ("preferences", "analytics", "marketing")


def elveta() -> Any:
    """Elveta's policy (examples/elveta/policy.toml): its cookies need consent by category."""
    from gdprkit.policy import Policy

    return Policy.from_toml(Path(__file__).resolve().parent.parent / "examples/elveta/policy.toml")
