"""The gdprkit command line as an operator meets it: one table of exit statuses, one line per
error and never a traceback, store URLs, --version, --debug, progress on a terminal only."""

from __future__ import annotations

import io
import os
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import gdprkit as gk
from gdprkit import store as gstore
from gdprkit._cli import export as export_command
from gdprkit._cli.status import Exit
from gdprkit._term import Progress, describe_progress, duration_words
from gdprkit.audit import AuditLog
from gdprkit.cli import main
from gdprkit.pseudonym import Kek, Keyring
from gdprkit.requests import RequestKind, RequestRegister

from .conftest import ELVETA_POLICY, ROOT, service_database

SOURCES = "gdprkit._demo.service:sources"
SECRET = "anna.berg@example.se"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A service database with three invented customers, closed again."""
    path = tmp_path / "elveta.db"
    service_database(path).close()
    return path


def _audit_log(opened: gstore.Store, kek_file: Path) -> AuditLog:
    """The audit log of a store, keyed by a keyring saved in it under the KEK in ``kek_file``."""
    from datetime import UTC, datetime

    keyring = Keyring.generate(at=datetime(2026, 3, 2, tzinfo=UTC))
    keyring.save(opened, kek=Kek.create_file(kek_file))
    return AuditLog(opened, keyring=keyring)


@pytest.fixture
def store_file(tmp_path: Path) -> Path:
    """A gdprkit store holding one audit entry and one open access request."""
    from datetime import UTC, datetime

    path = tmp_path / "gdprkit.db"
    with gstore.open(f"sqlite:///{path}") as opened:
        log = _audit_log(opened, tmp_path / "gdprkit.kek")
        at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
        log.record("policy.loaded", at=at, actor="ops")
        RequestRegister(opened).receive(
            RequestKind.ACCESS, "customer", "C-1042", received_at=at, channel="e-mail"
        )
    return path


def _export(db: Path | str, out: Path, *extra: str) -> list[str]:
    return ["export", "--policy", str(ELVETA_POLICY), "--db", str(db), "--subject", "C-1042",
            "--out", str(out), *extra]  # fmt: skip


def _one_line_error(err: str, fragment: str) -> None:
    assert err.startswith("gdprkit"), err
    assert fragment in err, err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err


# -- the exit statuses ---------------------------------------------------------------------------


def test_one_table_of_exit_statuses_in_the_docs() -> None:
    page = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    section = page.split("## Exit status", 1)[1].split("\n## ", 1)[0]
    documented = {int(n) for n in re.findall(r"^\| (\d+) \|", section, re.M)}
    assert documented == {int(e) for e in Exit}


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"gdprkit {gk.__version__}\n"


# -- bad input: exit status, message, no traceback -----------------------------------------------


def _module(tmp_path: Path, body: str) -> str:
    """A module ``svc_sources`` of a service, in ``tmp_path`` (the working directory)."""
    (tmp_path / "svc_sources.py").write_text(body, encoding="utf-8")
    return "svc_sources:sources"


@pytest.fixture(autouse=True)
def _forget_service_modules() -> Iterator[None]:
    """Each test's ``svc_sources`` is its own: a command runs once per process."""
    yield
    for name in ("svc_sources", "my_sources"):
        sys.modules.pop(name, None)


BAD_SOURCES = [
    pytest.param(None, "--sources is required: pass --sources MODULE:CALLABLE", id="missing"),
    pytest.param("", "--sources is required", id="empty"),
    pytest.param("gdprkit._demo.service", "is not MODULE:CALLABLE", id="no callable named"),
    pytest.param("no_such_module:sources", "no module no_such_module in", id="unknown module"),
    pytest.param("gdprkit._demo.service:nope", "has no 'nope'", id="unknown callable"),
    pytest.param("gdprkit._demo.service:TABLES", "TABLES is not callable", id="not callable"),
    pytest.param(
        lambda tmp: _module(
            tmp, "def sources(conn):\n    raise KeyError('anna.berg@example.se')\n"
        ),
        "the callable raised KeyError",
        id="the callable raises",
    ),
    pytest.param(
        lambda tmp: _module(tmp, "import no_such_dependency\ndef sources(conn): return []\n"),
        "needs no_such_dependency, which is not installed",
        id="the module needs what is not installed",
    ),
    pytest.param(
        lambda tmp: _module(tmp, "def sources(conn):\n    return 42\n"),
        "must return a list of data sources",
        id="returns no list",
    ),
    pytest.param(
        lambda tmp: _module(tmp, "def sources(conn):\n    return []\n"),
        "returned no data sources",
        id="returns nothing",
    ),
    pytest.param(
        lambda tmp: _module(tmp, "def sources(conn):\n    return ['customers']\n"),
        "item 0 is a str, not a data source",
        id="returns table names",
    ),
]


@pytest.mark.parametrize(("sources", "message"), BAD_SOURCES)
def test_a_missing_or_wrong_sources_says_what_to_pass(
    db: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    sources: str | Callable[[Path], str] | None,
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    spec = sources(tmp_path) if callable(sources) else sources
    extra = [] if spec is None else ["--sources", spec]
    out = tmp_path / "p.zip"
    assert main(_export(db, out, "--kind", "customer", *extra)) == Exit.USAGE
    printed = capsys.readouterr()
    _one_line_error(printed.err, message)
    assert SECRET not in printed.err
    assert printed.out == ""
    assert not out.exists()
    assert str(tmp_path) not in sys.path  # the working directory was importable for the lookup


def test_a_sources_module_in_the_working_directory_is_found(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    service = tmp_path / "service"
    service.mkdir()
    (service / "my_sources.py").write_text(
        "from gdprkit._demo import service\n\n\n"
        "def sources(conn):\n    return service.sources(conn)\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(service)
    out = tmp_path / "p.zip"
    args = _export(db, out, "--kind", "customer", "--sources", "my_sources:sources")
    assert main(args) == Exit.OK
    assert capsys.readouterr().out.startswith(f"{out}: ")
    assert gk.rights.verify_package(out)["subject"]["kind"] == "customer"
    assert str(service) not in sys.path


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        (None, "--kind is required: one of customer, partner_customer, website_visitor"),
        ("alien", "unknown --kind 'alien'; the policy declares: customer, partner_customer"),
        ("Customer", "unknown --kind 'Customer'"),
    ],
    ids=["omitted with three kinds in the policy", "a kind the policy lacks", "wrong case"],
)
def test_the_kind_is_one_the_policy_declares(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str | None, message: str
) -> None:
    out = tmp_path / "p.zip"
    extra = [] if kind is None else ["--kind", kind]
    assert main(_export(db, out, "--sources", SOURCES, *extra)) == Exit.USAGE
    _one_line_error(capsys.readouterr().err, message)
    assert list(tmp_path.iterdir()) == [db]  # nothing read, nothing written


def test_the_only_kind_of_a_policy_needs_no_kind(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = ELVETA_POLICY.read_text(encoding="utf-8")
    for kind in ("partner_customer", "website_visitor"):
        text = re.sub(rf"\[subjects\.{kind}\]\n(name\.\w\w = .*\n)+", "", text)
        text = text.replace(f', "{kind}"', "").replace(f'"{kind}", ', "").replace(f'"{kind}"', "")
    policy = tmp_path / "customers-only.toml"
    policy.write_text(text, encoding="utf-8")
    assert list(gk.Policy.from_toml(policy).subjects) == ["customer"]
    args = _export(db, tmp_path / "p.zip", "--sources", SOURCES)
    args[args.index("--policy") + 1] = str(policy)
    assert main(args) == Exit.OK, capsys.readouterr().err
    assert gk.rights.verify_package(tmp_path / "p.zip")["subject"]["kind"] == "customer"


def _latin1_policy(tmp_path: Path) -> Path:
    path = tmp_path / "latin1.toml"
    path.write_bytes(ELVETA_POLICY.read_bytes().replace(b"Direktkunder", b"Direktkunder f\xf6r"))
    return path


def _policy_with(tmp_path: Path, old: str, new: str) -> Path:
    path = tmp_path / "policy.toml"
    path.write_text(ELVETA_POLICY.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    return path


def _deep_policy(tmp_path: Path) -> Path:
    path = tmp_path / "deep.toml"
    path.write_text("x = " + "[" * 50_000 + "]" * 50_000 + "\n", encoding="utf-8")
    return path


BAD_INPUT = [
    pytest.param(lambda tmp, db: [], Exit.USAGE, "required: COMMAND", id="no command"),
    pytest.param(
        lambda tmp, db: ["export", "--nope"], Exit.USAGE, "gdprkit export:", id="unknown option"
    ),
    pytest.param(
        lambda tmp, db: ["policy", "check", str(_latin1_policy(tmp))],
        Exit.FOUND,
        "not UTF-8 text",
        id="policy check: a file that is not UTF-8",
    ),
    pytest.param(
        lambda tmp, db: ["policy", "notice", str(_latin1_policy(tmp))],
        Exit.USAGE,
        "invalid policy: ",
        id="policy notice: a file that is not UTF-8",
    ),
    pytest.param(
        lambda tmp, db: ["policy", "ropa", str(_deep_policy(tmp))],
        Exit.USAGE,
        "nest too deeply",
        id="policy ropa: arrays nested 50,000 deep",
    ),
    pytest.param(
        lambda tmp, db: [
            "policy",
            "check",
            str(_policy_with(tmp, '"Europe/Stockholm"', '"US"')),
        ],
        Exit.FOUND,
        "policy.timezone: unknown time zone 'US'",
        id="policy check: a tz database folder as the time zone",
    ),
    pytest.param(
        lambda tmp, db: ["policy", "dpv", str(tmp / "nope.toml")],
        Exit.USAGE,
        "file not found",
        id="policy dpv: no such file",
    ),
    pytest.param(
        lambda tmp, db: ["audit", "verify", str(tmp / "missing.db")],
        Exit.UNAVAILABLE,
        "missing.db does not exist",
        id="audit verify: no such store file",
    ),
    pytest.param(
        lambda tmp, db: ["audit", "verify", f"sqlite:///{tmp}/missing.db"],
        Exit.UNAVAILABLE,
        "missing.db does not exist",
        id="audit verify: no such store URL",
    ),
    pytest.param(
        lambda tmp, db: ["audit", "verify", str(tmp)],
        Exit.UNAVAILABLE,
        "is a folder, not a store file",
        id="audit verify: a folder",
    ),
    pytest.param(
        lambda tmp, db: ["requests", "due", "sqlite://gdprkit.db"],
        Exit.USAGE,
        "three slashes",
        id="requests due: a SQLite URL with two slashes",
    ),
    pytest.param(
        lambda tmp, db: ["requests", "due", "sqlite:///:memory:"],
        Exit.USAGE,
        "a new, empty store",
        id="requests due: an in-memory store",
    ),
    pytest.param(
        lambda tmp, db: ["requests", "due", "mysql://ops:hunter2@db/gdprkit"],
        Exit.USAGE,
        "not mysql://",
        id="requests due: an unsupported scheme",
    ),
    pytest.param(
        lambda tmp, db: _export(
            "postgresql://ops:hunter2@db/elveta",
            tmp / "p.zip",
            "--kind",
            "customer",
            "--sources",
            SOURCES,
        ),
        Exit.USAGE,
        "--db must be a SQLite database",
        id="export: a PostgreSQL service database",
    ),
    pytest.param(
        lambda tmp, db: _export(
            f"sqlite:///{tmp}/missing.db",
            tmp / "p.zip",
            "--kind",
            "customer",
            "--sources",
            SOURCES,
        ),
        Exit.UNAVAILABLE,
        "no database file at",
        id="export: no such database URL",
    ),
    *(
        pytest.param(
            lambda tmp, db, at=at: ["requests", "due", str(tmp / "missing.db"), "--at", at],
            Exit.USAGE,
            "--at must lie between the years 1000 and 9000",
            id=f"requests due: --at {at}",
        )
        for at in ("9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+14:00", "0999-12-31")
    ),
    pytest.param(
        lambda tmp, db: [
            "erasure",
            "export",
            "--store",
            str(tmp / "missing.db"),
            "--out",
            str(tmp / "j.jsonl"),
            "--since",
            "9999-12-31T23:00:00-12:00",
        ],
        Exit.USAGE,
        "--since must lie between the years 1000 and 9000",
        id="erasure export: --since at the end of time",
    ),
    pytest.param(
        lambda tmp, db: ["check-models", ""],
        Exit.USAGE,
        "cannot import '': it is not a module name",
        id="check-models: an empty module name",
    ),
    pytest.param(
        lambda tmp, db: ["check-models", "..models"],
        Exit.USAGE,
        "cannot import '..models': it is not a module name",
        id="check-models: a relative module name",
    ),
    *(
        pytest.param(
            lambda tmp, db, code=code: [
                "check-models",
                "--path",
                str(_models_module(tmp, code)),
                "broken_models",
            ],
            Exit.USAGE,
            f"importing broken_models raised {error}",
            id=f"check-models: a module that {what}",
        )
        for code, error, what in (
            ("1/0", "ZeroDivisionError", "fails as it is imported"),
            ("def (", "SyntaxError", "is not Python"),
        )
    ),
    pytest.param(
        lambda tmp, db: ["demo", "--dir", str(_file(tmp))],
        Exit.USAGE,
        "is a file; give a folder",
        id="demo: --dir is a file",
    ),
]


def _models_module(tmp: Path, code: str) -> Path:
    """A folder with the module ``broken_models`` of ``code``."""
    folder = tmp / "service"
    folder.mkdir(exist_ok=True)
    (folder / "broken_models.py").write_text(code + "\n", encoding="utf-8")
    return folder


def _file(tmp: Path) -> Path:
    path = tmp / "notes.txt"
    path.write_text("mine\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(("argv", "status", "message"), BAD_INPUT)
def test_bad_input_is_one_line_and_an_exit_status(
    db: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: Callable[[Path, Path], list[str]],
    status: Exit,
    message: str,
) -> None:
    args = argv(tmp_path, db)
    before = sorted(tmp_path.rglob("*"))
    assert main(args) == status
    printed = capsys.readouterr()
    assert printed.out == ""
    assert "hunter2" not in printed.err
    if status is Exit.FOUND and "check" in args:
        # policy check lists each problem on its own line, each one line
        assert all(line.startswith("gdprkit: ") for line in printed.err.splitlines())
        assert message in printed.err and "Traceback" not in printed.err
    else:
        _one_line_error(printed.err, message)
    assert sorted(tmp_path.rglob("*")) == before  # nothing created, not even a store


# -- stores by path or URL ----------------------------------------------------------------------


def _store_forms(path: Path) -> list[str]:
    return [str(path), f"sqlite:///{path}", f"sqlite:///{path.name}"]


def test_store_commands_take_a_path_or_a_url(
    store_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(store_file.parent)  # for the relative URL
    verified, due = set(), set()
    kek_file = str(store_file.parent / "gdprkit.kek")
    for form in _store_forms(store_file):
        assert main(["audit", "verify", form, "--kek-file", kek_file]) == Exit.OK
        verified.add(capsys.readouterr().out.removeprefix(form))
        assert main(["requests", "due", form, "--at", "2026-03-03"]) == Exit.OK
        due.add(capsys.readouterr().out)
    (line,) = verified
    assert line.startswith(": 1 entries, chain intact; head 1:")
    (table,) = due
    assert "access" in table and "1 open, 0 overdue" in table


def test_store_commands_take_a_postgresql_url(
    pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import UTC, datetime

    kek_file = tmp_path / "gdprkit.kek"
    with gstore.open(pg_url) as opened:
        log = _audit_log(opened, kek_file)
        log.record("policy.loaded", at=datetime(2026, 3, 2, tzinfo=UTC), actor="ops")
    assert main(["audit", "verify", pg_url, "--kek-file", str(kek_file)]) == Exit.OK
    out = capsys.readouterr().out
    assert ": 1 entries, chain intact" in out
    password = pg_url.split("://", 1)[1].split("@", 1)[0].partition(":")[2]
    assert password and password not in out
    assert main(["requests", "due", pg_url]) == Exit.OK
    assert "no open requests" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("gdprkit.db", "gdprkit.db"),
        ("sqlite:////var/lib/gdprkit.db", "sqlite:////var/lib/gdprkit.db"),
        (
            "postgresql://ops:hunter2@db.internal:5432/gdprkit",
            "postgresql://ops@db.internal:5432/gdprkit",
        ),
        ("postgres://db.internal/gdprkit?password=hunter2", "postgres://db.internal/gdprkit"),
        ("postgresql://:hunter2@db/gdprkit", "postgresql://db/gdprkit"),
    ],
    ids=["path", "sqlite URL", "password", "password as a parameter", "password without a user"],
)
def test_a_store_is_named_without_its_password(given: str, shown: str) -> None:
    from gdprkit._cli.stores import shown as shown_as

    assert shown_as(given) == shown


# -- what an operator sees when something breaks ------------------------------------------------


@pytest.mark.parametrize(
    ("error", "status", "message"),
    [
        (RuntimeError(SECRET), Exit.INTERNAL, "unexpected RuntimeError"),
        (KeyError(SECRET), Exit.INTERNAL, "run again with --debug"),
        (
            PermissionError(13, "Permission denied", "/srv/out"),
            Exit.UNAVAILABLE,
            "gdprkit: /srv/out: Permission denied",
        ),
        (gk.StoreError("the store is locked"), Exit.UNAVAILABLE, "StoreError: the store is locked"),
        (
            gk.KeyringError("the store holds a key\nthat this keyring lacks"),
            Exit.FOUND,
            "KeyringError: the store holds a key; that this keyring lacks",
        ),
        (gk.AuditIntegrityError("entry 2 was changed"), Exit.FOUND, "entry 2 was changed"),
        (gk.UnknownLanguage("no texts in 'de'"), Exit.USAGE, "UnknownLanguage"),
        (KeyboardInterrupt(), Exit.INTERRUPTED, "gdprkit: interrupted"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_every_error_is_one_line_and_a_status(
    db: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    error: BaseException,
    status: Exit,
    message: str,
) -> None:
    def fail(args: object) -> int:
        raise error

    monkeypatch.setattr(export_command, "_run", fail)
    assert main(_export(db, tmp_path / "p.zip")) == status
    printed = capsys.readouterr()
    _one_line_error(printed.err, message)
    assert SECRET not in printed.err


def test_debug_shows_the_traceback(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def fail(args: object) -> int:
        raise RuntimeError("a bug")

    monkeypatch.setattr(export_command, "_run", fail)
    for argv in (
        ["--debug", *_export(db, tmp_path / "p.zip")],
        [*_export(db, tmp_path / "p.zip"), "--debug"],
    ):
        assert main(argv) == Exit.INTERNAL
        err = capsys.readouterr().err
        assert "Traceback (most recent call last)" in err and "RuntimeError: a bug" in err
        assert err.splitlines()[-1].startswith("gdprkit: unexpected RuntimeError")


def test_debug_shows_what_the_sources_module_raised(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    spec = _module(tmp_path, "def sources(conn):\n    raise LookupError('no table orders')\n")
    argv = _export(db, tmp_path / "p.zip", "--kind", "customer", "--sources", spec, "--debug")
    assert main(argv) == Exit.USAGE
    err = capsys.readouterr().err
    assert "LookupError: no table orders" in err and "Traceback" in err
    assert err.splitlines()[-1] == (
        f"gdprkit: --sources {spec}: the callable raised LookupError (--debug shows the traceback)"
    )


# -- progress ------------------------------------------------------------------------------------


class _Tty(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def _screen(written: str) -> list[str]:
    """What a terminal shows after ``written``: ``\\r`` goes to column 0, ``ESC[K`` erases on."""
    lines, column = [""], 0
    for part in re.split(r"(\r|\n|\x1b\[K)", written):
        if part == "\r":
            column = 0
        elif part == "\n":
            lines, column = [*lines, ""], 0
        elif part == "\x1b[K":
            lines[-1] = lines[-1][:column]
        else:
            line = lines[-1]
            lines[-1] = line[:column] + part + line[column + len(part) :]
            column += len(part)
    return lines


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_progress_on_a_terminal_is_redrawn_and_cleared() -> None:
    tty, clock = _Tty(), _Clock()
    with Progress(tty, clock=clock) as progress:
        progress.update("source 6/7 marketing_preferences", 2)
        clock.now += 1
        progress.update("source 7/7 churn_scores", 2)
        # the bug this replaces: "churn_scores: 2 rowss: 2 rows" left on the screen
        assert _screen(tty.getvalue()) == ["source 7/7 churn_scores: 2 rows"]
    assert _screen(tty.getvalue()) == [""]


@pytest.mark.parametrize("columns", [0, 30], ids=["a terminal of unknown size", "30 columns"])
def test_progress_fits_the_terminal(monkeypatch: pytest.MonkeyPatch, columns: int) -> None:
    tty = _Tty()
    monkeypatch.setattr(tty, "fileno", lambda: 2)
    monkeypatch.setattr("os.get_terminal_size", lambda fd: os.terminal_size((columns, 24)))
    Progress(tty).update("source 4/7 meter_readings", 168)
    shown = "source 4/7 meter_readings: 168 rows"
    assert _screen(tty.getvalue()) == [shown if columns == 0 else shown[:29]]


def test_progress_shows_count_total_rate_and_time_left() -> None:
    tty, clock = _Tty(), _Clock()
    progress = Progress(tty, clock=clock)
    progress.update("seeding", 0, 200, "customers")
    clock.now += 2
    progress.update("seeding", 50, 200, "customers")
    assert _screen(tty.getvalue()) == [
        "seeding: 50 of 200 customers (25%), 25 customers/s, about 6 s left"
    ]
    clock.now += 0.01  # within the redraw interval: not drawn
    progress.update("seeding", 51, 200, "customers")
    assert "51 of 200" not in tty.getvalue()
    clock.now += 6
    progress.update("seeding", 200, 200, "customers")
    assert _screen(tty.getvalue()) == ["seeding: 200 of 200 customers (100%), 25 customers/s"]


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0.2, "1 s"),
        (59.4, "59 s"),
        (60, "1 min"),
        (125, "2 min 5 s"),
        (3600, "1 h"),
        (3780, "1 h 3 min"),
    ],
)
def test_time_left_in_words(seconds: float, words: str) -> None:
    assert duration_words(seconds) == words


def test_progress_counts_without_a_total() -> None:
    assert describe_progress("invoices", 1, None, "rows", 0.0) == "invoices: 1 row"
    assert describe_progress("readings", 30_000, None, "rows", 2.0) == (
        "readings: 30,000 rows, 15,000 rows/s"
    )


def test_progress_is_quiet_off_a_terminal_unless_asked() -> None:
    log, clock = io.StringIO(), _Clock()
    with Progress(log, clock=clock) as quiet:
        quiet.update("customers", 5)
    assert log.getvalue() == ""
    with Progress(log, enabled=True, every=5.0, clock=clock) as asked:
        asked.update("meter_readings", 10_000)
        clock.now += 1
        asked.update("meter_readings", 20_000)  # held back: less than 5 s since the last line
        asked.update("churn_scores", 1)  # a new item: the last count of the one before first
    assert log.getvalue().splitlines() == [
        "meter_readings: 10,000 rows",
        "meter_readings: 20,000 rows, 20,000 rows/s",
        "churn_scores: 1 row",
    ]
    assert "\r" not in log.getvalue() and "\x1b" not in log.getvalue()


def test_export_progress_when_asked(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "p.zip"
    args = _export(db, out, "--kind", "customer", "--sources", SOURCES)
    assert main([*args, "--progress"]) == Exit.OK
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "source 1/7 customers: 1 row"
    assert err[-1] == "source 7/7 churn_scores: 1 row"
    assert main([*args, "--no-progress"]) == Exit.OK
    assert capsys.readouterr().err == ""


# -- the demo ------------------------------------------------------------------------------------


def _demo(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(["demo", *argv]) == Exit.OK, capsys.readouterr().err
    return capsys.readouterr().out


def test_the_demo_run_twice_in_one_folder_starts_afresh(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "demo"
    first = _demo(capsys, "--dir", str(folder))
    (folder / "notes.txt").write_text("the operator's own file\n", encoding="utf-8")
    second = _demo(capsys, "--dir", str(folder))
    token = re.compile(r"\b[a-z0-9]{6}\.[\w.-]+|[0-9]+:[0-9a-f]{64}")  # keys differ per run
    assert token.sub("<key>", second) == token.sub("<key>", first)
    assert "  customers              200\n" in second  # not 400: nothing seeded twice
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "the operator's own file\n"
    for name in ("C-1042-access.zip", "C-1042-portability-index.html", "gdprkit.db"):
        assert (folder / name).is_file()


def test_the_demo_refuses_a_folder_it_did_not_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "elveta.db").write_bytes(b"someone's real database")
    assert main(["demo", "--dir", str(tmp_path)]) == Exit.USAGE
    _one_line_error(capsys.readouterr().err, "holds files that no gdprkit demo wrote")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["elveta.db"]
    assert (tmp_path / "elveta.db").read_bytes() == b"someone's real database"


def test_the_demo_fits_100_columns_introduces_its_people_and_keeps_its_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    out = _demo(capsys)
    lines = out.splitlines()
    (kept,) = [line.split(": ", 1)[1] for line in lines if "folder (kept):" in line]
    # the folder's path is as long as the temporary folder's: measured as a usual one
    usual = [line.replace(kept, "/tmp/gdprkit-demo-k2x9w7qe") for line in lines]
    assert max(len(line) for line in usual) <= 100
    people = out.index("The walkthrough follows three people")
    assert people < out.index("project(anna,")
    assert people < out.index("C-1044's support note") and people < out.index("cookies allowed")
    introduced = out[people : out.index("3. Purpose limitation")]
    for who in ("C-1042", "Anna Berg", "C-1044", "Maja Wallin", "browser-7f3a"):
        assert who in introduced
    folder = Path(kept)
    assert folder.parent == tmp_path and folder.is_dir()
    package = re.search(r"access package: (\S+)", out)
    assert package is not None and Path(package[1]).parent == folder
    assert gk.rights.verify_package(package[1])["scope"] == "access"


def test_a_reader_that_goes_away_ends_the_demo_quietly(tmp_path: Path) -> None:
    """``gdprkit demo | head -1``: status 141 as for SIGPIPE, and nothing on stderr."""
    import subprocess

    with subprocess.Popen(
        [sys.executable, "-m", "gdprkit", "demo", "--dir", str(tmp_path / "demo")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.readline()
        proc.stdout.close()
        err = proc.stderr.read()
        assert proc.wait(timeout=120) == Exit.BROKEN_PIPE
    assert err == b""
