"""Turn customers' energy use, housing, equipment and location into an anonymized table, k >= 5."""

from __future__ import annotations

import csv

import service
from _setup import service_db, workdir

from gdprkit import anonymize

EXPECT = ["k before 1", "measured k 5", "no identifier columns"]

folder = workdir()
conn = service_db(folder, customers=200)
generalization = service.analytics_generalization()
rows = list(generalization.apply(service.analytics_rows(conn)))
qis = generalization.columns
kept, report = anonymize.enforce_k(rows, qis, 5)
print(f"k before {report.k_before}, suppressed {report.rows_suppressed} of {len(rows)} rows")
print(
    f"measured k {anonymize.k_anonymity(kept, qis)}, l-diversity of kWh band "
    f"{anonymize.l_diversity(kept, qis[:-1], 'kwh_band')}"
)
identifiers = {"customer_id", "name", "email", "postcode", "street"} & set(qis)
print("no identifier columns" if not identifiers else f"LEAK: {identifiers}")
out = folder / "analytics.csv"
with out.open("w", newline="", encoding="utf-8") as fh:
    writer = csv.DictWriter(fh, fieldnames=qis)
    writer.writeheader()
    writer.writerows(kept)
print(f"wrote {len(kept)} rows to {out}")
