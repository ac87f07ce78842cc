"""Type-checked, never run: the public types of gdprkit.timecalc and gdprkit.retention."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

from typing_extensions import assert_type

from gdprkit import retention, timecalc
from gdprkit.retention import Action, Expiry, LegalHold, Rule, Status, Verdict
from gdprkit.timecalc import STOCKHOLM, Holiday, Period

now = datetime(2030, 1, 1, tzinfo=STOCKHOLM)

# --- timecalc
assert_type(Period(years=7), Period)
assert_type(Period.parse("P7Y"), Period)
assert_type(Period(months=1).add_to(date(2026, 1, 31)), date)
assert_type(Period(days=1).add_to(now), datetime)
assert_type(timecalc.response_deadline(date(2026, 1, 31)), date)
assert_type(
    timecalc.response_deadline(now, extended=True, calendar=timecalc.SWEDEN_WITH_EVES), date
)
assert_type(timecalc.response_late_from(date(2026, 1, 31)), datetime)
assert_type(timecalc.SWEDEN.holidays(2026), tuple[Holiday, ...])
assert_type(timecalc.period_end(date(2026, 1, 1), Period(years=7), align="year", tz=UTC), datetime)
timecalc.response_deadline("2026-01-31")  # type: ignore[arg-type]
timecalc.period_end(date(2026, 1, 1), Period(), align="week", tz=UTC)  # type: ignore[arg-type]
Period(years="7")  # type: ignore[arg-type]


class OfficeCalendar:
    name = "office"

    def is_holiday(self, day: date, /) -> bool:
        return day.month == 7


timecalc.response_deadline(date(2026, 6, 10), calendar=OfficeCalendar())
timecalc.response_deadline(date(2026, 6, 10), calendar="SE")  # type: ignore[arg-type]

# --- rules
bfl = retention.after("fiscal_year_end", years=7, align="year")
assert_type(bfl, retention.After)
assert_type(retention.while_active("contract_ended", then=bfl), retention.WhileActive)
assert_type(retention.max_of(bfl, retention.anonymized_only()), retention.MaxOf)
assert_type(retention.min_of(bfl), retention.MinOf)
rule: Rule = retention.max_of(bfl)
assert_type(rule.describe(), str)
assert_type(rule.action, Action)
retention.after("e", years=7, align="decade")  # type: ignore[arg-type]
retention.after("e", action="erase")  # type: ignore[arg-type]
retention.max_of(bfl, "after")  # type: ignore[arg-type]

# --- evaluation
facts = {"fiscal_year_end": date(2025, 12, 31)}
verdict = retention.evaluate(bfl, facts, now, tz=STOCKHOLM)
assert_type(verdict, Verdict)
assert_type(verdict.status, Status)
assert_type(verdict.expires_at, datetime | None)
assert_type(verdict.missing, tuple[str, ...])
assert_type(retention.expiry(bfl, facts, tz=STOCKHOLM), Expiry)
hold = LegalHold("dispute", "Art. 17(3)(e)", now, subject="C-1")
retention.evaluate(bfl, facts, now, tz=STOCKHOLM, holds=[hold])
retention.evaluate(bfl, {"fiscal_year_end": "2025-12-31"}, now, tz=STOCKHOLM)  # type: ignore[dict-item]

# --- sweep: rows come back with their own type
rows = [{"id": 1, "fiscal_year_end": date(2025, 12, 31)}]
assert_type(
    retention.sweep(rows, bfl, now, tz=STOCKHOLM), Iterator[tuple[dict[str, object], Status]]
)
pairs = [(1, date(2025, 12, 31))]
assert_type(
    retention.sweep(pairs, bfl, now, tz=STOCKHOLM, key=lambda p: {"fiscal_year_end": p[1]}),
    Iterator[tuple[tuple[int, date], Status]],
)
retention.sweep(pairs, bfl, now, tz=STOCKHOLM)  # type: ignore[type-var]
assert_type(retention.sweep_counts(rows, bfl, now, tz=STOCKHOLM), dict[Status, int])
assert_type(
    retention.sweep_counts(pairs, bfl, now, tz=STOCKHOLM, key=lambda p: {"e": p[1]}),
    dict[Status, int],
)
retention.sweep_counts(pairs, bfl, now, tz=STOCKHOLM)  # type: ignore[type-var]

# --- cutoffs and SQL
assert_type(retention.cutoff(bfl, now, tz=STOCKHOLM), datetime | None)
assert_type(
    retention.sql_predicate(bfl, now, tz=STOCKHOLM, column="ended_on"),
    tuple[str, tuple[object, ...]],
)
assert_type(
    retention.sql_predicate(bfl, now, tz=STOCKHOLM, column="ended_on", paramstyle="pyformat"),
    tuple[str, dict[str, object]],
)
retention.sql_predicate(bfl, now, tz=STOCKHOLM, column="c", paramstyle="numeric")  # type: ignore[call-overload]
retention.cutoff(bfl, now, tz=STOCKHOLM, column_type="datetime")  # type: ignore[arg-type]
assert_type(retention.rule_from_mapping({"kind": "anonymized_only"}, location="p"), Rule)
assert_type(retention.rule_to_mapping(bfl), dict[str, object])

# --- per object: the policy is a Policy
invoice = object()
per_object = retention.evaluate_object(invoice, facts, now)
assert_type(per_object, retention.ObjectVerdict)
assert_type(per_object["amount"], retention.FieldVerdict)
retention.evaluate_object(invoice, facts, now, policy="policy.toml")  # type: ignore[arg-type]
