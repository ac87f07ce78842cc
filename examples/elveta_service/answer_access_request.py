"""Answer Anna's access request (Art. 15) from the SQLAlchemy models: one package, verified."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from elveta_service import service
from gdprkit import rights

EXPECT = ["customers: 1 rows", "invoices: 2 rows", "meter_readings: 48 rows", "verified"]

now = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Europe/Stockholm"))
folder = service.workdir()
factory = service.open_database(folder)
service.seed(factory)
out = folder / "anna-access.zip"
result = service.answer_access_request(factory, "C-1042", out, at=now)
manifest = rights.verify_package(out)
for kind in manifest["record_kinds"]:
    print(f"{kind['source']}: {kind['rows']} rows ({kind['record_kind']})")
print(f"{out.name}: {result.rows} rows, verified, sha256 {result.sha256[:16]}…")
