"""Type-checked, never run: the public types of gdprkit.audit."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime

from typing_extensions import assert_type

from gdprkit.audit import GENESIS, AuditEntry, AuditHead, AuditLog, JSONValue, canonical_json
from gdprkit.pseudonym import Keyring, Pseudonymizer
from gdprkit.store.sqlite import SQLiteStore

now = datetime(2026, 11, 25, 9, tzinfo=UTC)
store = SQLiteStore(":memory:")
log = AuditLog(store, pseudonymizer=Pseudonymizer(Keyring.generate(), domain="audit"))

# --- details are JSON data, and a caller's own lists and dicts are accepted as they are
fields: list[str] = ["email", "area_m2"]
counts: dict[str, int] = {"customers": 1}
details: dict[str, JSONValue] = {"fields": fields, "counts": counts, "package": None}
entry = log.record("export.produced", at=now, actor="dpo", subject="C-1042", details=details)
assert_type(entry, AuditEntry)
assert_type(entry.details, Mapping[str, JSONValue])
assert_type(entry.to_dict(), dict[str, JSONValue])
assert_type(entry.hash, str)
assert_type(canonical_json(entry.to_dict()), bytes)
assert_type(canonical_json([1, "two", None]), bytes)

log.record("x", at=now, actor="dpo", details={"when": now})  # type: ignore[dict-item]
canonical_json(now)  # type: ignore[arg-type]
log.record("x", at="2026-11-25", actor="dpo")  # type: ignore[arg-type]

# --- reading the chain back
assert_type(log.entries(), Iterator[AuditEntry])
assert_type(log.entries(subject="C-1042"), Iterator[AuditEntry])
assert_type(log.head(), AuditHead | None)
assert_type(log.verify(), AuditHead | None)
assert_type(log.verify("5:" + "0" * 64), AuditHead | None)
assert_type(AuditHead.parse(f"1:{GENESIS}"), AuditHead)
assert_type(AuditHead.parse(f"1:{GENESIS}").seq, int)
assert_type(log.subject_token("C-1042"), str)
