"""Type-checked with mypy --strict, never run: gdprkit.anonymize keeps its types."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal

from typing_extensions import assert_type

from gdprkit import anonymize
from gdprkit.anonymize import (
    Bucket,
    Clamp,
    CoarseLocation,
    EdgeBucket,
    From,
    Generalization,
    PostcodePrefix,
    Recode,
    RiskReport,
    Suppress,
    SuppressionReport,
    Truncate,
)

# --- generalisers on one value
assert_type(anonymize.postcode_prefix("114 55", digits=3), str)
assert_type(PostcodePrefix(3)("114 55"), str)
assert_type(anonymize.coarse_location(59.33, 18.06, km=10), tuple[float, float])
assert_type(CoarseLocation(km=10)(59.33, 18.06), tuple[float, float])
assert_type(CoarseLocation(km=10).cell(59.33, 18.06), tuple[int, int])

# A date stays a date, an aware datetime stays a datetime.
assert_type(anonymize.truncate(date(2026, 5, 17), "month"), date)
assert_type(anonymize.truncate(datetime(2026, 5, 17, tzinfo=UTC), "hour"), datetime)
assert_type(Truncate("quarter")(date(2026, 5, 17)), date)
assert_type(Truncate("hour")(datetime(2026, 5, 17, tzinfo=UTC)), datetime)

assert_type(anonymize.bucket(142, 50), str)
assert_type(Bucket(50, top=250)(142), str)
assert_type(Bucket(50).range(142), tuple[float, float])
assert_type(Bucket(Decimal("0.5")).range(Decimal("1.2")), tuple[Decimal, Decimal])
assert_type(anonymize.edge_bucket(12_000, (5000, 10_000)), str)
assert_type(EdgeBucket((5000, 10_000)).range(12_000.5), tuple[float, float])
assert_type(anonymize.clamp(300, top=250), int | str)
assert_type(Clamp(bottom=20)(19.5), float | str)
assert_type(Clamp(top=Decimal(1))(Decimal("0.5")), Decimal | str)
assert_type(Recode({"Nibe F1255": "Nibe"})("Nibe F1255"), str | None)
assert_type(Suppress("*")("anything"), str | None)

# --- rows
generalization = Generalization(
    {
        "postcode": PostcodePrefix(3),
        "cell": From(("lat", "lon"), CoarseLocation(km=10)),
        "area": From("area_m2", Bucket(50)),
        "custom": lambda value: str(value).upper(),  # any one-argument callable
    },
    keep=("dwelling",),
    drop=("name", "email"),
)
rows = [{"postcode": "114 55", "lat": 59.33, "lon": 18.06, "area_m2": 142, "dwelling": "villa"}]
assert_type(generalization(rows[0]), dict[str, object])
assert_type(generalization.apply(rows), Iterator[dict[str, object]])
assert_type(generalization.columns, tuple[str, ...])
assert_type(generalization.rules, Mapping[str, From])
assert_type(generalization.keep, tuple[str, ...])

# --- risk
assert_type(anonymize.k_anonymity(rows, quasi_identifiers=("postcode", "dwelling")), int)
assert_type(anonymize.l_diversity(rows, ("postcode",), "dwelling"), int)
report = anonymize.risk_report(rows, ("postcode",), target_k=5)
assert_type(report, RiskReport)
assert_type(report.histogram, Mapping[int, int])
assert_type(report.meets_target, bool)

# enforce_k hands back the caller's own row type.
kept, suppression = anonymize.enforce_k(rows, ("postcode", "dwelling"), 5)
assert_type(kept, list[dict[str, object]])
assert_type(suppression, SuppressionReport)
assert_type(suppression.rows_suppressed, int)

# --- what must not type-check
anonymize.truncate(date(2026, 5, 17), "hour")  # type: ignore[call-overload]
anonymize.truncate(date(2026, 5, 17), "fortnight")  # type: ignore[call-overload]
Truncate("fortnight")  # type: ignore[arg-type]
anonymize.k_anonymity(rows, quasi_identifiers=5)  # type: ignore[arg-type]
anonymize.enforce_k(rows, ("postcode",), k="5")  # type: ignore[arg-type]
anonymize.risk_report(rows, ("postcode",))  # type: ignore[call-arg]
CoarseLocation(km="10")  # type: ignore[arg-type]
Generalization({"postcode": "114"})  # type: ignore[dict-item]
report.k = 7  # type: ignore[misc]
suppression.k = 7  # type: ignore[misc]
