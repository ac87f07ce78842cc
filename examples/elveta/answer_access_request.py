"""Answer an access request (Art. 15): register it, compute its deadline, export and verify."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import models
import service
from _setup import service_db, workdir

from gdprkit import rights, timecalc

EXPECT = ["due 2026-12-28", "verified", "data/invoices.jsonl", "Bokföringslagen"]

STOCKHOLM = ZoneInfo("Europe/Stockholm")
received = datetime(2026, 11, 25, 9, 15, tzinfo=STOCKHOLM)
folder = workdir()
conn = service_db(folder)

# Art. 12(3): one month from receipt; 25 December is a holiday and the 26th too,
# 27 December 2026 is a Sunday, so the answer is due on Monday the 28th.
print(f"request received {received:%Y-%m-%d}, due {timecalc.response_deadline(received)}")

subject = rights.SubjectRef(kind="customer", id="C-1042")
package = rights.export_subject(
    subject,
    service.sources(conn),
    models.policy,
    scope="access",
    at=received,
    out=folder / "C-1042-access.zip",
    facts=service.facts_for(conn, subject.id),
)
manifest = rights.verify_package(package.path)
print(f"{package.path.name}: {package.rows} rows, sha256 {package.sha256[:16]}…, verified")
for f in manifest["files"]:
    print(f"  {f['path']:32} {f.get('rows', '')}")
invoice = next(k for k in manifest["record_kinds"] if k["record_kind"] == "Invoice")
for purpose in invoice["purposes"]:
    print(
        f"  invoices are kept for {purpose['id']}: {purpose['legal_reference'] or purpose['legal_basis']['label']}"
    )
