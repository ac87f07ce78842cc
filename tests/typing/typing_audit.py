"""Type-checked with mypy --strict, never run: gdprkit.audit keeps its types."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime

from typing_extensions import assert_type

from gdprkit.audit import (
    GENESIS,
    AuditCheck,
    AuditEntry,
    AuditHead,
    AuditLog,
    JSONValue,
    canonical_json,
)
from gdprkit.pseudonym import Keyring, Pseudonymizer
from gdprkit.store import SQLiteStore

now = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
store = SQLiteStore.memory()

# --- a log in any store, with or without subject tokens
log = AuditLog(store, pseudonymizer=Pseudonymizer(Keyring.generate(), domain="audit"))
assert_type(log, AuditLog)
assert_type(AuditLog(store), AuditLog)
assert_type(AuditLog(store, keyring=Keyring.generate()), AuditLog)
AuditLog(store, keyring=b"\x00" * 32)  # type: ignore[arg-type]
assert_type(log.subject_token("C-1042"), str)

AuditLog("gdprkit.db")  # type: ignore[arg-type]
AuditLog(store, Pseudonymizer(Keyring.generate(), domain="audit"))  # type: ignore[call-arg]

# --- appending: keyword-only instant and actor, JSON details
entry = log.record("export.created", at=now, actor="dpo")
assert_type(entry, AuditEntry)
assert_type(
    log.record(
        "erasure.executed",
        at=now,
        actor="dpo",
        subject="C-1042",
        details={"changed": 3, "sources": ["customers"], "complete": True, "note": None},
    ),
    AuditEntry,
)
assert_type(entry.seq, int)
assert_type(entry.at, str)
assert_type(entry.subject, str | None)
assert_type(entry.details, Mapping[str, JSONValue])
assert_type(entry.prev_hash, str)
assert_type(entry.hash, str)
assert_type(entry.to_dict(), dict[str, JSONValue])
assert_type(entry.key_id, str | None)
assert_type(entry.mac, str | None)

log.record("export.created", now, actor="dpo")  # type: ignore[call-arg]
log.record("export.created", at=now)  # type: ignore[call-arg]
log.record("export.created", at="2026-11-25", actor="dpo")  # type: ignore[arg-type]
log.record("x", at=now, actor="dpo", details={"when": now})  # type: ignore[dict-item]
entry.seq = 2  # type: ignore[misc]

# --- reading and verifying the chain
assert_type(log.entries(), Iterator[AuditEntry])
assert_type(log.entries(subject="C-1042"), Iterator[AuditEntry])
assert_type(log.head(), AuditHead | None)
assert_type(log.verify(), AuditHead | None)
assert_type(log.verify("5:" + "0" * 64), AuditHead | None)
head = AuditHead.parse("5:" + "0" * 64)
assert_type(head, AuditHead)
assert_type(log.verify(head), AuditHead | None)
found = log.check("5:" + "0" * 64)
assert_type(found, AuditCheck)
assert_type(found.head, AuditHead | None)
assert_type(found.entries, int)
assert_type(found.legacy, int)
assert_type(found.keyed, int)
assert_type(head.seq, int)
assert_type(head.hash, str)
assert_type(str(head), str)
assert_type(GENESIS, str)
assert_type(canonical_json({"b": 1, "a": [True, None]}), bytes)

log.entries("C-1042")  # type: ignore[call-arg]
log.verify(5)  # type: ignore[arg-type]
AuditHead.parse(b"5:00")  # type: ignore[arg-type]

# --- details are JSON data, and a caller's own lists and dicts are accepted as they are
fields: list[str] = ["email", "area_m2"]
counts: dict[str, int] = {"customers": 1}
details: dict[str, JSONValue] = {"fields": fields, "counts": counts, "package": None}
assert_type(log.record("export.produced", at=now, actor="dpo", details=details), AuditEntry)
assert_type(canonical_json([1, "two", None]), bytes)
canonical_json(now)  # type: ignore[arg-type]
