"""Erasures survive a backup restore (issue 17 point 2; Art. 17(1), 5(2)).

Worked case, end to end on real files: Elveta's service database is backed up
on 20 November 2026. On 25 November Anna (C-1042, contract ended 30 June
2025) and Erik (C-1043, still a customer) are erased, each erasure journalled
in the gdprkit store (SQLite, and PostgreSQL where the store tests run). On
1 December the service database is restored from the backup: their data is
back. Replaying the erasures executed after the restore point erases it
again, while the bookkeeping rows Bokföringslagen keeps until 2032/2033 stay;
a second replay changes nothing. The journal holds no id or name, only keyed
tokens, and a crypto-shredded subject stays shredded: the restore did not
touch the store that held their key.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest

import gdprkit as gk
from gdprkit import pseudonym, retention, rights
from gdprkit._demo import models, service
from gdprkit.audit import AuditLog
from gdprkit.store.sqlite import SQLiteStore

from .conftest import SERVICE_HOURS, service_database

STHLM = ZoneInfo("Europe/Stockholm")
BACKED_UP = datetime(2026, 11, 20, 3, 0, tzinfo=STHLM)
ERASED = datetime(2026, 11, 25, 10, 0, tzinfo=STHLM)
RESTORED = datetime(2026, 12, 1, 9, 0, tzinfo=STHLM)
ANNA = rights.SubjectRef("customer", "C-1042")
ERIK = rights.SubjectRef("customer", "C-1043")


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """The gdprkit store: a SQLite file, or a PostgreSQL database where the store tests run."""
    if request.param == "sqlite":
        opened: Any = SQLiteStore(tmp_path / "gdprkit.db")
    else:
        url = request.getfixturevalue("pg_url")  # skips first where there is no PostgreSQL
        from gdprkit.store.postgres import PostgresStore

        opened = PostgresStore(url)
    with opened:
        yield opened


@attrs.define
class Service:
    """Elveta's service database as a file, its backups and its restores."""

    path: Path
    conn: sqlite3.Connection

    def backup(self, to: Path) -> None:
        with sqlite3.connect(to) as copy:
            self.conn.backup(copy)
        copy.close()

    def restore(self, backup: Path) -> None:
        self.conn.close()
        shutil.copyfile(backup, self.path)
        self.conn = sqlite3.connect(self.path)

    def count(self, table: str, cid: str) -> int:
        sql = f'SELECT count(*) FROM "{table}" WHERE customer_id = ?'
        return int(self.conn.execute(sql, (cid,)).fetchone()[0])

    def email(self, cid: str) -> str | None:
        row = self.conn.execute("SELECT email FROM customers WHERE customer_id = ?", (cid,))
        return row.fetchone()[0]


@pytest.fixture
def elveta(tmp_path: Path) -> Iterator[Service]:
    path = tmp_path / "elveta.db"
    running = Service(path, service_database(path))
    yield running
    running.conn.close()


@attrs.frozen
class Gdprkit:
    """What the controller keeps apart from the service's data: keys, store, journal, audit."""

    journal: rights.ErasureJournal
    audit: AuditLog


@pytest.fixture
def kit(store: Any) -> Gdprkit:
    keys = pseudonym.Keyring.generate(at=BACKED_UP)
    journal = rights.ErasureJournal(store, keyring=keys)
    return Gdprkit(
        journal, AuditLog(store, pseudonymizer=pseudonym.Pseudonymizer(keys, domain="audit"))
    )


def _erase(elveta: Service, kit: Gdprkit, subject: rights.SubjectRef, **kw: Any) -> Any:
    sources = kw.pop("sources", None) or service.sources(elveta.conn)
    plan = rights.plan_erasure(subject, sources, models.policy,
                               service.facts_for(elveta.conn, subject.id), ERASED)  # fmt: skip
    return rights.execute_erasure(plan, journal=kit.journal, audit=kit.audit, **kw)


def _candidates(conn: sqlite3.Connection) -> list[rights.SubjectRef]:
    """Every customer the restored database holds: where the journal finds its subjects."""
    return [rights.SubjectRef("customer", cid) for (cid,) in conn.execute(
        "SELECT customer_id FROM customers")]  # fmt: skip


def _replay(elveta: Service, kit: Gdprkit, **kw: Any) -> rights.ReplayReport:
    return rights.replay_erasures(
        service.sources(elveta.conn), models.policy, since=kw.pop("since", BACKED_UP),
        now=RESTORED, journal=kit.journal, candidates=_candidates(elveta.conn),
        facts=lambda s: service.facts_for(elveta.conn, s.id), audit=kit.audit, **kw,
    )  # fmt: skip


def _erased_again(elveta: Service, cid: str) -> None:
    assert elveta.email(cid) is None
    for table in ("support_tickets", "marketing_preferences", "churn_scores", "contracts",
                  "meter_readings"):  # fmt: skip
        assert elveta.count(table, cid) == 0, table
    # bookkeeping rows stay (Bokföringslagen 7 kap. 2 §, Art. 17(3)(b))
    assert elveta.count("invoices", cid) == 8
    assert elveta.count("customers", cid) == 1


def test_a_restore_brings_the_data_back_and_a_replay_erases_it_again(elveta, kit, tmp_path):
    elveta.backup(tmp_path / "backup.db")
    for subject in (ANNA, ERIK):
        assert _erase(elveta, kit, subject).complete
        _erased_again(elveta, subject.id)
    elveta.restore(tmp_path / "backup.db")
    assert elveta.email("C-1042") is not None  # the erased data is back
    assert elveta.count("meter_readings", "C-1043") == SERVICE_HOURS

    preview = _replay(elveta, kit, dry_run=True)
    assert [e.found for e in preview.erasures] == [True, True]
    assert preview.changed > 0 and "would change" in str(preview)
    assert elveta.email("C-1042") is not None  # a dry run changes nothing

    report = _replay(elveta, kit)
    assert [e.entry.subject_kind for e in report.erasures] == ["customer", "customer"]
    assert report.changed == preview.changed
    for cid in ("C-1042", "C-1043"):
        _erased_again(elveta, cid)
    assert elveta.count("customers", "C-1044") == 1 and elveta.email("C-1044") is not None

    again = _replay(elveta, kit)
    assert again.changed == 0  # idempotent
    replays = [e for e in kit.audit.entries() if e.action == "erasure.replayed"]
    assert len(replays) == 4  # each replay of each erasure is audited
    assert kit.audit.verify() is not None


def test_only_erasures_after_the_restore_point_are_replayed(elveta, kit, tmp_path):
    _erase(elveta, kit, ANNA)  # before the backup: the backup no longer holds her data
    elveta.backup(tmp_path / "backup.db")
    _erase(elveta, kit, ERIK)
    elveta.restore(tmp_path / "backup.db")
    report = _replay(elveta, kit, since=ERASED)  # the backup was taken after Anna's erasure
    assert report.erasures == ()
    report = _replay(elveta, kit, since=datetime(2026, 11, 25, 9, 0, tzinfo=STHLM))
    assert len(report.erasures) == 2 and report.changed > 0  # both were executed at 10:00


def test_the_journal_holds_tokens_never_ids_and_exports_to_a_file(elveta, kit, tmp_path):
    _erase(elveta, kit, ANNA)
    (entry,) = kit.journal.entries()
    assert entry.subject_token == kit.journal.token("C-1042")
    assert entry.sealed_subject is None
    assert entry.sources[0] == "customers" and entry.policy_version == "2026-11"
    assert entry.summary["changed"]["support_tickets"] == 1
    assert entry.summary["retained_until"] == ["2032-01-01T00:00:00+01:00",
                                               "2033-01-01T00:00:00+01:00"]  # fmt: skip
    exported = tmp_path / "journal.jsonl"
    assert kit.journal.export(exported) == 1
    text = exported.read_text(encoding="utf-8")
    for personal in ("C-1042", "Anna", "anna.berg"):
        assert personal not in text
    assert exported.stat().st_mode & 0o077 == 0
    assert rights.read_journal(exported, keyring=kit.journal.keyring) == (entry,)


def test_the_journal_is_exported_like_a_package_never_through_a_planted_file(elveta, kit, tmp_path):
    """The file holds tokens and sealed ids: it is written to a new private staging file,
    never to one someone else made (a link to another file, a file others may read)."""
    _erase(elveta, kit, ANNA)
    target = tmp_path / "journal.jsonl"
    victim = tmp_path / "victim.txt"
    victim.write_text("not yours\n", encoding="utf-8")
    for pid in range(os.getpid() - 2, os.getpid() + 3):  # the names the old writer used
        (tmp_path / f".journal.jsonl.{pid}.tmp").symlink_to(victim)
    assert kit.journal.export(target) == 1
    assert victim.read_text(encoding="utf-8") == "not yours\n"
    assert target.stat().st_mode & 0o077 == 0 and not target.is_symlink()
    with pytest.raises(gk.ExportPathError, match="existing folder"):
        kit.journal.export(tmp_path)
    assert not [p for p in tmp_path.iterdir() if ".gdprkit-export." in p.name]  # no staging left


def test_a_replay_from_an_exported_journal(elveta, kit, tmp_path):
    elveta.backup(tmp_path / "backup.db")
    _erase(elveta, kit, ANNA)
    kit.journal.export(tmp_path / "journal.jsonl")
    elveta.restore(tmp_path / "backup.db")
    entries = rights.read_journal(tmp_path / "journal.jsonl", keyring=kit.journal.keyring)
    report = _replay(elveta, kit, entries=entries)
    assert report.changed > 0
    _erased_again(elveta, "C-1042")


def test_a_legal_hold_placed_since_is_honoured_by_the_replay(elveta, kit, tmp_path):
    elveta.backup(tmp_path / "backup.db")
    _erase(elveta, kit, ANNA)
    elveta.restore(tmp_path / "backup.db")
    hold = retention.LegalHold("dispute over the 2025 invoices", "T-2026-11-30",
                               datetime(2026, 11, 30, tzinfo=STHLM), subject="C-1042")  # fmt: skip
    report = _replay(elveta, kit, holds=[hold])
    assert report.changed == 0  # the hold keeps everything it covers (Art. 17(3)(e))
    assert elveta.email("C-1042") is not None


def test_with_sealed_ids_the_journal_finds_subjects_without_candidates(store, elveta, tmp_path):
    keys = pseudonym.Keyring.generate(at=BACKED_UP)
    kit = Gdprkit(rights.ErasureJournal(store, keyring=keys, seal_subjects=True),
                  AuditLog(store, pseudonymizer=pseudonym.Pseudonymizer(keys, domain="audit")))  # fmt: skip
    elveta.backup(tmp_path / "backup.db")
    _erase(elveta, kit, ANNA)
    elveta.restore(tmp_path / "backup.db")
    report = rights.replay_erasures(service.sources(elveta.conn), models.policy, since=BACKED_UP,
                                    now=RESTORED, journal=kit.journal)  # fmt: skip
    assert report.erasures[0].found and report.changed > 0
    # once no backup older than the erasure is kept, the sealed id is forgotten
    assert kit.journal.forget_subjects(before=RESTORED) == 1
    (entry,) = kit.journal.entries()
    assert entry.sealed_subject is None and entry.subject_token
    elveta.restore(tmp_path / "backup.db")
    lost = rights.replay_erasures(service.sources(elveta.conn), models.policy, since=BACKED_UP,
                                  now=RESTORED, journal=kit.journal)  # fmt: skip
    assert lost.not_found == (entry,)
    assert "subject not found" in str(lost)


# -- crypto-shredding: the key lives in the store, which the restore did not touch --------------


@gk.personal_data(subject="customer", policy=models.policy)
@attrs.frozen
class SealedNote:
    """A customer-service note stored encrypted under the customer's own key."""

    note_id: str
    customer_id: str = gk.pd_field(
        category="identity.customer_id", purposes=("crm",), identifies=True
    )
    body: bytes = gk.pd_field(category="communication.customer_service", purposes=("crm",))


def test_a_shredded_subject_stays_shredded_after_a_restore(store, elveta, kit, tmp_path):
    keys = pseudonym.SubjectKeys(store, pseudonym.Keyring.generate(at=BACKED_UP))
    elveta.conn.execute("CREATE TABLE notes (note_id TEXT, customer_id TEXT, body BLOB)")
    secret = keys.encrypt("C-1042", "body", "Ringde om värmepumpen, bad om återkomst.",
                          at=BACKED_UP)  # fmt: skip
    elveta.conn.execute("INSERT INTO notes VALUES ('N-1', 'C-1042', ?)", (secret,))
    elveta.conn.commit()

    def sources() -> list[Any]:
        notes = rights.SQLSource(elveta.conn, table="notes", subject_column="customer_id",
                                 model=SealedNote, key=("note_id",), shreddable=True)  # fmt: skip
        return [*service.sources(elveta.conn), notes]

    elveta.backup(tmp_path / "backup.db")
    receipt = _erase(elveta, kit, ANNA, sources=sources(), subject_keys=keys)
    assert receipt.shredded
    elveta.restore(tmp_path / "backup.db")
    (restored,) = elveta.conn.execute("SELECT body FROM notes").fetchone()
    assert restored == secret  # the ciphertext is back ...
    with pytest.raises(gk.SubjectShredded):
        keys.decrypt("C-1042", "body", restored)  # ... and unreadable: the key is gone
    report = rights.replay_erasures(
        sources(), models.policy, since=BACKED_UP, now=RESTORED, journal=kit.journal,
        candidates=_candidates(elveta.conn), subject_keys=keys,
        facts=lambda s: service.facts_for(elveta.conn, s.id),
    )  # fmt: skip
    (replayed,) = report.erasures
    assert replayed.shred is False  # no key was left to destroy
    assert keys.is_shredded("C-1042")


def test_replay_refuses_naive_times(kit):
    with pytest.raises(gk.NaiveDatetimeError):
        rights.replay_erasures([], models.policy, since=datetime(2026, 11, 20), now=RESTORED,
                               journal=kit.journal)  # fmt: skip


KEYS = pseudonym.Keyring.generate(at=BACKED_UP)


def test_a_malformed_journal_file_is_a_journal_error(tmp_path):
    bad = tmp_path / "journal.jsonl"
    bad.write_text('{"format": "something else"}\n', encoding="utf-8")
    with pytest.raises(gk.JournalError, match="does not start with format"):
        rights.read_journal(bad, keyring=KEYS)
    bad.write_text('{"format": "gdprkit.erasure-journal/1"}\n{"seq": "x"}\n', encoding="utf-8")
    with pytest.raises(gk.JournalError, match="line 2 is not a journal entry"):
        rights.read_journal(bad, keyring=KEYS, accept_unverified=True)
    with pytest.raises(gk.JournalError, match="cannot read"):
        rights.read_journal(tmp_path / "missing.jsonl", keyring=KEYS)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b'{"format": "gdprkit.erasure-journal/1"}\n\xff\xfe{}\n', "not UTF-8"),
        (b"\xef\xbb\xbf\x80", "not UTF-8"),
        (b'{"format": "gdprkit.erasure-journal/1"}\n' + b"[" * 100_000 + b"]" * 100_000,
         "not JSON Lines"),
        (b'{"format": "gdprkit.erasure-journal/1"}\n{"subject_token": "k1.t1.ab", "seq": }\n',
         "not JSON Lines"),
    ],
    ids=["a byte that is not UTF-8", "nothing but bad bytes", "nested 100,000 deep",
         "a line cut short"],
)  # fmt: skip
def test_a_journal_file_that_is_no_text_or_no_json_is_a_journal_error(tmp_path, content, problem):
    """Whatever the file holds, the answer is a JournalError, and the parser's error (which
    quotes the line, a subject's token and sealed id among it) is not kept as its context."""
    bad = tmp_path / "journal.jsonl"
    bad.write_bytes(content)
    with pytest.raises(gk.JournalError, match=problem) as caught:
        rights.read_journal(bad, keyring=KEYS, accept_unverified=True)
    assert caught.value.__context__ is None
