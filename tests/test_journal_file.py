"""The exported erasure journal file: every line MACed in a chain, so that a writer of the file
who lacks the journal keyring can neither drop, change, reorder nor add an erasure (Art. 17(1),
32(1)(b)): each way is refused with a typed error naming the line, never its content."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import gdprkit as gk
from gdprkit import pseudonym, rights
from gdprkit.store.sqlite import SQLiteStore

AT = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
KEYS = pseudonym.Keyring.generate(at=AT)


@pytest.fixture
def exported(tmp_path: Path) -> Path:
    """A journal of three erasures, exported under KEYS."""
    with SQLiteStore(tmp_path / "gdprkit.db") as store:
        journal = rights.ErasureJournal(store, keyring=KEYS)
        with store.transaction() as conn:
            for n, subject in enumerate(("C-1042", "C-1043", "C-1044")):
                conn.execute(
                    "INSERT INTO erasure_journal (executed_at, subject_kind, subject_token,"
                    " sources, summary, policy_version) VALUES (?, 'customer', ?, ?, ?, '1')",
                    ((AT + timedelta(hours=n)).isoformat(), journal.token(subject),
                     '["customers"]', json.dumps({"changed": {"customers": 1}})),
                )  # fmt: skip
        out = tmp_path / "journal.jsonl"
        assert journal.export(out) == 3
    return out


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def _edit(path: Path, change: Callable[[list[str]], list[str]]) -> None:
    path.write_text("\n".join(change(_lines(path))) + "\n", encoding="utf-8")


def _with(line: str, **changes: object) -> str:
    return json.dumps({**json.loads(line), **changes}, sort_keys=True)


def _swap(lines: list[str]) -> list[str]:
    return [lines[0], lines[2], lines[1], *lines[3:]]


TAMPERING = [
    ("an erasure deleted", lambda ls: ls[:2] + ls[3:], "line 3 .* does not verify"),
    ("the last erasure deleted", lambda ls: ls[:3] + ls[4:], "line 4 .* does not verify"),
    ("two erasures swapped", _swap, "line 2 .* does not verify"),
    ("an erasure changed", lambda ls: [*ls[:2], _with(ls[2], sources=[]), *ls[3:]],
     "line 3 .* does not verify"),
    ("the count changed", lambda ls: [*ls[:4], _with(ls[4], end=2)], "line 5 .* does not verify"),
    ("the head's key changed", lambda ls: [_with(ls[0], key="zz"), *ls[1:]],
     "line 1 .* names a key the journal keyring lacks"),
    ("the head's MAC changed", lambda ls: [_with(ls[0], mac="0" * 64), *ls[1:]],
     "line 1 .* does not verify"),
    ("cut short after the last erasure", lambda ls: ls[:4], "ends at line 4 .* cut short"),
    ("cut short after the head", lambda ls: ls[:1], "ends at line 1 .* cut short"),
    ("a forged line appended", lambda ls: [*ls, _with(ls[3], seq=9)], "line 6 .* was appended"),
    ("a forged erasure inserted", lambda ls: [*ls[:2], _with(ls[1], seq=9), *ls[2:]],
     "line 3 .* does not verify"),
    ("a line that is no object", lambda ls: [*ls[:2], "[]", *ls[2:]],
     "line 3 .* not a JSON object"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "message"), [t[1:] for t in TAMPERING], ids=[t[0] for t in TAMPERING]
)
def test_a_tampered_file_is_refused_naming_the_line(exported, change, message):
    tokens = [json.loads(line).get("subject_token") for line in _lines(exported)[1:4]]
    assert rights.read_journal(exported, keyring=KEYS)  # untampered, it verifies
    _edit(exported, change)
    with pytest.raises(gk.JournalIntegrityError, match=message) as caught:
        rights.read_journal(exported, keyring=KEYS)
    assert not any(str(t) in str(caught.value) for t in tokens)  # never content


@pytest.mark.parametrize(
    "other",
    [pseudonym.Keyring.generate(at=AT),
     pseudonym.Keyring.from_key(bytes(32), key_id=KEYS.active_id, at=AT)],
    ids=["another keyring", "another key under the same id"],
)  # fmt: skip
def test_a_file_read_with_another_keyring_is_refused(exported, other):
    with pytest.raises(gk.JournalIntegrityError, match="line 1 "):
        rights.read_journal(exported, keyring=other)


def test_the_file_verifies_under_a_previous_key_after_a_rotation(exported):
    rotated = KEYS.rotate(at=AT + timedelta(days=1))
    assert len(rights.read_journal(exported, keyring=rotated)) == 3
    with pytest.raises(gk.JournalIntegrityError, match="line 1 .* names a key"):
        rights.read_journal(exported, keyring=rotated.retire(KEYS.active_id))


def test_a_file_without_macs_is_refused_unless_accepted_unverified(exported, caplog):
    """A file an older gdprkit wrote (format /1, no MAC) is what a downgrade looks like too:
    refused by default, read only when the caller says so, and then logged."""
    entries = rights.read_journal(exported, keyring=KEYS)
    old = ['{"format": "gdprkit.erasure-journal/1"}']
    old += [json.dumps(e.to_dict(), sort_keys=True) for e in entries]
    exported.write_text("\n".join(old) + "\n", encoding="utf-8")
    with pytest.raises(gk.JournalError, match="without an integrity check.*accept_unverified"):
        rights.read_journal(exported, keyring=KEYS)
    with caplog.at_level(logging.WARNING, logger="gdprkit.erasure"):
        assert rights.read_journal(exported, keyring=KEYS, accept_unverified=True) == entries
    assert "accepted without an integrity check: 3 entries" in caplog.text
    for entry in entries:
        assert entry.subject_token not in caplog.text


def test_exporting_needs_the_keyring(exported, tmp_path):
    with (
        SQLiteStore(tmp_path / "gdprkit.db") as store,
        pytest.raises(TypeError, match="pass keyring= to record, export or find"),
    ):
        rights.ErasureJournal(store).export(tmp_path / "again.jsonl")
    assert not (tmp_path / "again.jsonl").exists()
