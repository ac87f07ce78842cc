"""``gdprkit erasure replay|export`` on real files: the operator's side of a backup restore.

The worked case of tests/test_restore_backup.py from the command line: Elveta's
database backed up on 20 November 2026, Anna (C-1042) erased on 25 November
and journalled, the backup restored, the erasure replayed on 1 December.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from gdprkit import pseudonym, rights
from gdprkit._demo import models, service
from gdprkit.cli import main
from gdprkit.store.sqlite import SQLiteStore

from .conftest import ELVETA_POLICY, service_database

STHLM = ZoneInfo("Europe/Stockholm")
ERASED = datetime(2026, 11, 25, 10, 0, tzinfo=STHLM)
DEMO = "gdprkit._demo.service"


@pytest.fixture
def restored(tmp_path: Path) -> dict[str, str]:
    """A service database restored from a backup taken before Anna's journalled erasure."""
    db, backup, store_path = tmp_path / "elveta.db", tmp_path / "backup.db", tmp_path / "gdprkit.db"
    conn = service_database(db)
    with sqlite3.connect(backup) as copy:
        conn.backup(copy)
    copy.close()
    keys = pseudonym.Keyring.generate(at=ERASED)
    kek = pseudonym.Kek.create_file(tmp_path / "gdprkit.kek")
    (tmp_path / "keys.json").write_text(keys.to_json(kek=kek), encoding="utf-8")
    with SQLiteStore(store_path) as store:
        keys.save(store, kek=kek, name="journal")
        anna = rights.SubjectRef("customer", "C-1042")
        plan = rights.plan_erasure(anna, service.sources(conn), models.policy,
                                   service.facts_for(conn, anna.id), ERASED)  # fmt: skip
        rights.execute_erasure(plan, journal=rights.ErasureJournal(store, keyring=keys))
    conn.close()
    shutil.copyfile(backup, db)
    return {"db": str(db), "store": str(store_path), "keys": str(tmp_path / "keys.json"),
            "kek": str(tmp_path / "gdprkit.kek")}  # fmt: skip


def _replay(files: dict[str, str], *extra: str) -> list[str]:
    return [
        "erasure", "replay", "--since", "2026-11-20T03:00", "--at", "2026-12-01T09:00",
        "--store", files["store"], "--keyring", "journal", "--kek-file", files["kek"],
        "--policy", str(ELVETA_POLICY),
        "--db", files["db"], "--sources", f"{DEMO}:sources", "--facts", f"{DEMO}:facts_for",
        *extra,
    ]  # fmt: skip


def _keys(files: dict[str, str]) -> pseudonym.Keyring:
    kek = pseudonym.Kek.file(files["kek"])
    return pseudonym.Keyring.from_json(Path(files["keys"]).read_bytes(), kek=kek)


def _email(db: str) -> Any:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT email FROM customers WHERE customer_id = 'C-1042'").fetchone()[
            0
        ]


def test_dry_run_then_replay_then_nothing_left(restored, capsys):
    candidates = ("--candidates", f"{DEMO}:subjects")
    assert main(_replay(restored, *candidates, "--dry-run")) == 0
    out = capsys.readouterr().out
    assert "1 erasures executed after 2026-11-20T03:00:00+01:00" in out
    assert "#1 " in out and "would change" in out and "support_tickets 1" in out
    assert _email(restored["db"]) is not None  # nothing written
    assert main(_replay(restored, *candidates)) == 0
    assert "changed customers 1" in capsys.readouterr().out
    assert _email(restored["db"]) is None
    assert main(_replay(restored, *candidates)) == 0
    assert "records changed: 0" in capsys.readouterr().out


def test_without_candidates_the_subject_is_not_found(restored, capsys):
    assert main(_replay(restored)) == 1
    captured = capsys.readouterr()
    assert "subject not found in the restored data" in captured.out
    assert "pass --candidates" in captured.err
    assert "C-1042" not in captured.out + captured.err  # never the id


def test_a_store_url_works_as_well_as_a_path(restored, capsys):
    files = dict(restored, store="sqlite:///" + restored["store"])
    assert main(_replay(files, "--candidates", f"{DEMO}:subjects")) == 0
    assert _email(restored["db"]) is None


def test_export_writes_the_journal(restored, tmp_path, capsys):
    out = tmp_path / "journal.jsonl"
    assert main(["erasure", "export", "--store", restored["store"], "--out", str(out),
                 "--keyring", "journal", "--kek-file", restored["kek"]]) == 0  # fmt: skip
    assert "1 erasures" in capsys.readouterr().out
    (entry,) = rights.read_journal(out, keyring=_keys(restored))
    assert entry.subject_kind == "customer"
    assert main(_replay(restored, "--journal-file", str(out), "--candidates",
                        f"{DEMO}:subjects")) == 0  # fmt: skip
    assert _email(restored["db"]) is None


def _exported(restored: dict[str, str], tmp_path: Path) -> Path:
    out = tmp_path / "journal.jsonl"
    assert main(["erasure", "export", "--store", restored["store"], "--out", str(out),
                 "--keys", restored["keys"], "--kek-file", restored["kek"]]) == 0  # fmt: skip
    return out


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda lines: lines[:1] + lines[2:], "line 2 of the journal file does not verify"),
        (lambda lines: lines[:2], "ends at line 2 without its closing line"),
    ],
    ids=["the erasure deleted", "cut short"],
)
def test_a_tampered_journal_file_is_refused(restored, tmp_path, capsys, change, message):
    out = _exported(restored, tmp_path)
    out.write_text("\n".join(change(out.read_text(encoding="utf-8").splitlines())) + "\n",
                   encoding="utf-8")  # fmt: skip
    capsys.readouterr()
    argv = _replay(restored, "--journal-file", str(out), "--candidates", f"{DEMO}:subjects")
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert captured.err.startswith("gdprkit: JournalIntegrityError: ") and message in captured.err
    assert captured.err.count("\n") == 1 and captured.out == ""
    assert _email(restored["db"]) is not None  # nothing was replayed


def test_a_journal_file_without_macs_needs_accept_unverified(restored, tmp_path, capsys):
    out = _exported(restored, tmp_path)
    entries = rights.read_journal(out, keyring=_keys(restored))
    old = ['{"format": "gdprkit.erasure-journal/1"}'] + [json.dumps(e.to_dict()) for e in entries]
    out.write_text("\n".join(old) + "\n", encoding="utf-8")
    argv = _replay(restored, "--journal-file", str(out), "--candidates", f"{DEMO}:subjects")
    assert main(argv) == 1
    assert "--accept-unverified" in capsys.readouterr().err
    assert main([*argv, "--accept-unverified"]) == 0
    assert "1 entries are replayed unverified" in capsys.readouterr().err
    assert _email(restored["db"]) is None
    with SQLiteStore(restored["store"]) as store:
        actions = [r[0] for r in store.query("SELECT action FROM audit_log ORDER BY seq")]
    assert actions[0] == "erasure.journal_unverified" and "erasure.replayed" in actions


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"--since": "last tuesday"}, 2, "--since must be an ISO 8601 date or datetime"),
        ({"--sources": "no_such_module:sources"}, 2, "--sources no_such_module:sources: no module"),
        ({"--db": "missing.db"}, 3, "no database file at missing.db"),
        ({"--store": "missing-store.db"}, 3, "missing-store.db"),
        ({"--keyring": "nobody"}, 1, "KeyringError"),
        ({"--kek-file": "missing.kek"}, 1, "KekError"),
    ],
    ids=["a date that is not ISO", "sources that cannot be imported", "no database",
         "no store (a typo must not create one)", "no such keyring", "no KEK file"],
)  # fmt: skip
def test_bad_arguments_are_refused_with_the_option_named(restored, tmp_path, monkeypatch, capsys,
                                                         change, status, message):  # fmt: skip
    monkeypatch.chdir(tmp_path)
    argv = _replay(restored)
    for option, value in change.items():
        argv[argv.index(option) + 1] = value
    assert main(argv) == status
    assert message in capsys.readouterr().err
    assert not (tmp_path / "missing-store.db").exists()


def test_the_keyring_may_come_from_a_json_file(restored, capsys):
    argv = _replay(restored, "--candidates", f"{DEMO}:subjects")
    at = argv.index("--keyring")
    argv[at : at + 2] = ["--keys", restored["keys"]]
    assert main(argv) == 0
    assert _email(restored["db"]) is None
    argv[argv.index("--keys") + 1] = "missing-keys.json"
    assert main(argv) == 3
    assert "cannot read --keys" in capsys.readouterr().err


def test_keyring_and_keys_together_are_a_usage_error(restored, capsys):
    assert main(_replay(restored, "--keys", restored["keys"])) == 2
    assert "not allowed with argument" in capsys.readouterr().err
