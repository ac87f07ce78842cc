"""Tests for gdprkit.retention: rules, facts, holds, verdicts, sweep, cutoffs and SQL push-down."""

from __future__ import annotations

import itertools
import sqlite3
import tomllib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import TypeVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdprkit import NaiveDatetimeError, PolicyError, RetentionError
from gdprkit.retention import (
    Action,
    After,
    AnonymizedOnly,
    ExpiryKind,
    LegalHold,
    MaxOf,
    MinOf,
    Rule,
    Status,
    WhileActive,
    after,
    anonymized_only,
    cutoff,
    evaluate,
    expiry,
    max_of,
    min_of,
    rule_from_mapping,
    rule_to_mapping,
    sql_predicate,
    sqlite_text,
    sweep,
    sweep_counts,
    while_active,
)
from gdprkit.timecalc import STOCKHOLM, Period, start_of_day

D = date.fromisoformat
T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent
BFL = "Bokföringslagen (1999:1078) 7 kap. 2 §"


def sthlm(text: str, fold: int = 0) -> datetime:
    """A wall-clock time in Stockholm."""
    return datetime.fromisoformat(text).replace(tzinfo=STOCKHOLM, fold=fold)


def same_instant(got: datetime | None, expected: str) -> bool:
    """Equal as instants (PEP 495: an ambiguous time never equals across zones) and offsets."""
    want = datetime.fromisoformat(expected)
    return (
        got is not None
        and got.astimezone(UTC) == want.astimezone(UTC)
        and got.utcoffset() == want.utcoffset()
    )


def bookkeeping() -> After:
    return after(
        "fiscal_year_end",
        years=7,
        align="year",
        reason="accounting records are kept to the end of the seventh year",
        legal_reference=BFL,
    )


# --------------------------------------------------------------------------- worked examples


@pytest.mark.parametrize(
    ("fiscal_year_end", "erasable_from"),
    [
        ("2025-12-31", "2033-01-01T00:00+01:00"),
        ("2026-06-30", "2034-01-01T00:00+01:00"),
        ("2009-06-30", "2017-01-01T00:00+01:00"),
        ("2009-12-31", "2017-01-01T00:00+01:00"),
        ("2028-02-29", "2036-01-01T00:00+01:00"),
    ],
    ids=[
        "calendar-fiscal-year-2025",
        "broken-fiscal-year-ending-june-2026",
        "bfn-example-fy-2008-09",
        "bfn-example-fy-2009",
        "leap-day-year-end",
    ],
)
def test_bokforingslagen(fiscal_year_end: str, erasable_from: str) -> None:
    rule = bookkeeping()
    facts = {"fiscal_year_end": D(fiscal_year_end)}
    at = datetime.fromisoformat(erasable_from)
    verdict = evaluate(rule, facts, at, tz=STOCKHOLM)
    assert verdict.status is Status.EXPIRED
    assert same_instant(verdict.expires_at, erasable_from)
    assert verdict.expires_at is not None and verdict.expires_at.tzinfo is STOCKHOLM
    assert verdict.action is Action.ERASE
    assert BFL in verdict.reason and verdict.legal_reference == BFL
    just_before = evaluate(rule, facts, at - timedelta(microseconds=1), tz=STOCKHOLM)
    assert just_before.status is Status.KEEP
    assert just_before.expires_at == verdict.expires_at


@pytest.mark.parametrize(
    ("event", "rule", "expires"),
    [
        (D("2026-03-10"), after("e", months=1), "2026-04-11T00:00+02:00"),
        (D("2026-01-30"), after("e", months=1), "2026-03-01T00:00+01:00"),
        (D("2026-01-31"), after("e", months=1), "2026-03-01T00:00+01:00"),
        (D("2028-01-31"), after("e", months=1), "2028-03-01T00:00+01:00"),
        (D("2028-02-29"), after("e", years=1), "2029-03-01T00:00+01:00"),
        (D("2026-03-28"), after("e", days=1), "2026-03-30T00:00+02:00"),
        (D("2026-01-15"), after("e", months=1, align="month"), "2026-03-01T00:00+01:00"),
        (D("2026-03-10"), after("e"), "2026-03-11T00:00+01:00"),
        (sthlm("2026-03-28T12:00"), after("e", days=1), "2026-03-29T12:00+02:00"),
        (sthlm("2026-10-24T12:00"), after("e", days=1), "2026-10-25T12:00+01:00"),
        (sthlm("2026-03-28T02:30"), after("e", days=1), "2026-03-29T03:30+02:00"),
        (sthlm("2026-10-24T02:30"), after("e", days=1), "2026-10-25T02:30+02:00"),
        (sthlm("2026-01-31T08:00"), after("e", months=1), "2026-02-28T08:00+01:00"),
        (sthlm("2026-03-28T12:00"), after("e", days=1, align="day"), "2026-03-30T00:00+02:00"),
        (datetime(2026, 3, 9, 23, 30, tzinfo=UTC), after("e", months=1), "2026-04-10T00:30+02:00"),
        (D("2026-03-10"), while_active("e"), "2026-03-11T00:00+01:00"),
        (sthlm("2026-03-10T15:00"), while_active("e"), "2026-03-10T15:00+01:00"),
        (
            D("2026-03-10"),
            while_active("e", then=after("e", months=24)),
            "2028-03-11T00:00+01:00",
        ),
    ],
    ids=[
        "one-month-after-mar10",
        "one-month-after-jan30",
        "one-month-after-jan31",
        "one-month-after-jan31-leap-year",
        "one-year-after-leap-day",
        "one-day-across-spring-dst",
        "aligned-to-month-end",
        "zero-period-is-end-of-day",
        "datetime-keeps-wall-clock-spring",
        "datetime-keeps-wall-clock-autumn",
        "datetime-lands-in-gap",
        "datetime-lands-in-repeated-hour",
        "datetime-month-end-clamp",
        "datetime-aligned-to-day",
        "utc-fact-counted-in-policy-zone",
        "while-active-date-ends-with-the-day",
        "while-active-instant",
        "while-active-then-24-months",
    ],
)
def test_expires_at(event: date, rule: Rule, expires: str) -> None:
    verdict = evaluate(rule, {"e": event}, datetime(2000, 1, 1, tzinfo=UTC), tz=STOCKHOLM)
    assert verdict.status is Status.KEEP
    assert same_instant(verdict.expires_at, expires)
    at = datetime.fromisoformat(expires)
    assert evaluate(rule, {"e": event}, at, tz=STOCKHOLM).status is Status.EXPIRED
    assert evaluate(rule, {"e": event}, at - timedelta(microseconds=1), tz=STOCKHOLM).status is (
        Status.KEEP
    )


def test_expiry_function_is_independent_of_now() -> None:
    ex = expiry(bookkeeping(), {"fiscal_year_end": D("2025-12-31")}, tz=STOCKHOLM)
    assert ex.kind is ExpiryKind.AT
    assert same_instant(ex.at, "2033-01-01T00:00+01:00")
    assert ex.rule == bookkeeping()
    assert expiry(bookkeeping(), {}, tz=STOCKHOLM).missing == ("fiscal_year_end",)
    assert expiry(bookkeeping(), {"fiscal_year_end": None}, tz=STOCKHOLM).kind is (
        ExpiryKind.PENDING
    )


# --------------------------------------------------------------------------- facts: missing vs not yet

NOW = sthlm("2030-06-01T12:00")


@pytest.mark.parametrize(
    ("rule", "facts", "missing"),
    [
        (bookkeeping(), {}, ("fiscal_year_end",)),
        (while_active("contract_ended"), {"other": D("2020-01-01")}, ("contract_ended",)),
        (
            max_of(after("a", days=1), after("b", days=1)),
            {},
            ("a", "b"),
        ),
        (
            max_of(after("a", days=1), after("b", days=1)),
            {"a": D("2020-01-01")},
            ("b",),
        ),
        (
            min_of(after("a", days=1), after("b", days=1)),
            {"a": D("2020-01-01")},
            ("b",),
        ),
        (
            while_active("contract_ended", then=after("last_invoice", months=6)),
            {"contract_ended": D("2020-01-01")},
            ("last_invoice",),
        ),
    ],
    ids=[
        "after-missing",
        "while-active-missing",
        "max-of-both-missing",
        "max-of-one-missing",
        "min-of-one-missing",
        "handover-needs-its-fact-once-ended",
    ],
)
def test_missing_facts_are_unknown(
    rule: Rule, facts: Mapping[str, date], missing: tuple[str, ...]
) -> None:
    verdict = evaluate(rule, facts, NOW, tz=STOCKHOLM)
    assert verdict.status is Status.UNKNOWN
    assert verdict.missing == missing
    assert verdict.expires_at is None
    assert all(name in verdict.reason for name in missing)


@pytest.mark.parametrize(
    ("rule", "facts"),
    [
        (bookkeeping(), {"fiscal_year_end": None}),
        (while_active("contract_ended"), {"contract_ended": None}),
        (
            while_active("contract_ended", then=after("last_invoice", months=6)),
            {"contract_ended": None},
        ),
        (
            max_of(while_active("contract_ended"), after("b", days=1)),
            {"contract_ended": None},
        ),
    ],
    ids=["not-yet-ended", "contract-running", "handover-not-needed-yet", "max-of-open-ended"],
)
def test_none_means_not_happened_yet(rule: Rule, facts: Mapping[str, None]) -> None:
    verdict = evaluate(rule, facts, NOW, tz=STOCKHOLM)
    assert verdict.status is Status.KEEP
    assert verdict.expires_at is None
    assert verdict.missing == ()


def test_while_active_handover_keeps_at_least_until_the_end() -> None:
    rule = while_active("contract_ended", then=after("signed", months=6))
    facts = {"contract_ended": D("2026-03-10"), "signed": D("2020-01-01")}
    verdict = evaluate(rule, facts, sthlm("2026-03-10T23:00"), tz=STOCKHOLM)
    assert verdict.status is Status.KEEP
    assert same_instant(verdict.expires_at, "2026-03-11T00:00+01:00")


# --------------------------------------------------------------------------- composition


def test_max_of_takes_the_latest_and_its_reason() -> None:
    marketing = while_active("contract_ended", reason="marketing to customers")
    rule = max_of(marketing, bookkeeping())
    facts = {"contract_ended": D("2026-03-10"), "fiscal_year_end": D("2026-12-31")}
    verdict = evaluate(rule, facts, sthlm("2030-01-01T00:00"), tz=STOCKHOLM)
    assert verdict.status is Status.KEEP
    assert same_instant(verdict.expires_at, "2034-01-01T00:00+01:00")
    assert verdict.legal_reference == BFL


def test_min_of_takes_the_earliest() -> None:
    rule = min_of(after("a", years=1), after("b", months=1, action=Action.ANONYMIZE))
    facts = {"a": D("2026-01-10"), "b": D("2026-03-10")}
    verdict = evaluate(rule, facts, sthlm("2026-04-11T00:00"), tz=STOCKHOLM)
    assert verdict.status is Status.EXPIRED
    assert verdict.action is Action.ANONYMIZE
    assert same_instant(verdict.expires_at, "2026-04-11T00:00+02:00")


def test_anonymized_only_expires_at_once() -> None:
    rule = anonymized_only(reason="statistics only")
    verdict = evaluate(rule, {}, NOW, tz=STOCKHOLM)
    assert verdict.status is Status.EXPIRED
    assert verdict.action is Action.ANONYMIZE
    assert verdict.expires_at == NOW
    assert "statistics only" in verdict.reason


def test_anonymized_only_in_compositions() -> None:
    keep = after("a", years=1)
    facts = {"a": D("2026-01-10")}
    assert evaluate(max_of(anonymized_only(), keep), facts, NOW, tz=STOCKHOLM).expires_at == (
        evaluate(keep, facts, NOW, tz=STOCKHOLM).expires_at
    )
    verdict = evaluate(min_of(anonymized_only(), keep), {}, NOW, tz=STOCKHOLM)
    assert verdict.status is Status.EXPIRED
    assert verdict.action is Action.ANONYMIZE
    handed = while_active("a", then=anonymized_only())
    assert evaluate(handed, facts, NOW, tz=STOCKHOLM).action is Action.ANONYMIZE


def test_describe_in_words() -> None:
    assert bookkeeping().describe() == (
        "kept until 7 years after fiscal_year_end, to the end of that calendar year, then erased"
        ": accounting records are kept to the end of the seventh year (" + BFL + ")"
    )
    assert (
        after("logged_at", months=3).describe()
        == "kept until 3 months after logged_at, then erased"
    )
    assert after("e", years=1, months=2, days=1, action=Action.ANONYMIZE).describe() == (
        "kept until 1 year, 2 months and 1 day after e, then anonymized"
    )
    assert after("e", days=2, align="day").describe().startswith("kept until the end of the day")
    assert after("e", months=1, align="month").describe().endswith("end of that month, then erased")
    text = while_active("contract_ended", then=after("contract_ended", months=24)).describe()
    assert text == (
        "kept while contract_ended has not happened; "
        "then kept until 24 months after contract_ended, then erased"
    )
    assert while_active("c").describe() == "kept while c has not happened, then erased"
    assert max_of(after("a", days=1), after("b", days=2)).describe() == (
        "kept until the last of these has run out: (1) kept until 1 day after a, then erased; "
        "(2) kept until 2 days after b, then erased"
    )
    assert min_of(after("a", days=1)).describe().startswith("kept until the first of these")
    assert anonymized_only().describe() == "no identifying data kept: anonymized at once"


# --------------------------------------------------------------------------- holds

PLACED = sthlm("2030-01-01T09:00")


def hold(**kwargs: object) -> LegalHold:
    base: dict[str, object] = {
        "reason": "invoice dispute",
        "reference": "Art. 17(3)(e) case 2030-14",
        "placed_at": PLACED,
    }
    base.update(kwargs)
    return LegalHold(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("holds", "now", "status"),
    [
        ((), NOW, Status.EXPIRED),
        ((hold(),), NOW, Status.HELD),
        ((hold(lifted_at=sthlm("2030-03-01T00:00")),), NOW, Status.EXPIRED),
        ((hold(lifted_at=sthlm("2030-06-01T12:00")),), NOW, Status.EXPIRED),
        ((hold(lifted_at=sthlm("2030-06-01T12:01")),), NOW, Status.HELD),
        ((hold(placed_at=sthlm("2030-06-02T00:00")),), NOW, Status.EXPIRED),
        ((hold(placed_at=NOW),), NOW, Status.HELD),
    ],
    ids=[
        "no-hold",
        "active-hold",
        "lifted-before",
        "lifted-exactly-now",
        "lifted-later",
        "placed-later",
        "placed-exactly-now",
    ],
)
def test_holds_override_expiry(holds: tuple[LegalHold, ...], now: datetime, status: Status) -> None:
    rule = after("e", days=1)
    verdict = evaluate(rule, {"e": D("2020-01-01")}, now, tz=STOCKHOLM, holds=holds)
    assert verdict.status is status
    assert same_instant(verdict.expires_at, "2020-01-03T00:00+01:00")
    if status is Status.HELD:
        assert "invoice dispute" in verdict.reason and verdict.holds == holds
        assert "Art. 17(3)(e)" in verdict.legal_reference


def test_hold_overrides_unknown_and_anonymized_only() -> None:
    assert evaluate(after("e"), {}, NOW, tz=STOCKHOLM, holds=[hold()]).status is Status.HELD
    assert evaluate(anonymized_only(), {}, NOW, tz=STOCKHOLM, holds=[hold()]).status is (
        Status.HELD
    )


def test_hold_applies_to() -> None:
    assert hold().applies_to(subject="C-1", record=7)
    assert hold(subject="C-1").applies_to(subject="C-1")
    assert not hold(subject="C-1").applies_to(subject="C-2")
    assert hold(record=7).applies_to(subject="C-9", record=7)
    assert not hold(subject="C-1", record=7).applies_to(subject="C-1", record=8)


def test_hold_validation() -> None:
    with pytest.raises(NaiveDatetimeError):
        hold(placed_at=datetime(2030, 1, 1))
    with pytest.raises(NaiveDatetimeError):
        hold(lifted_at=datetime(2030, 1, 2))
    with pytest.raises(RetentionError, match="before placed_at"):
        hold(lifted_at=sthlm("2029-12-31T00:00"))
    with pytest.raises(RetentionError, match="reason"):
        hold(reason=" ")
    with pytest.raises(NaiveDatetimeError):
        hold().is_active(datetime(2030, 1, 1))
    with pytest.raises(RetentionError, match="LegalHold"):
        evaluate(after("e"), {}, NOW, tz=STOCKHOLM, holds=["hold"])  # type: ignore[list-item]


def test_hold_lifted_within_the_repeated_hour() -> None:
    # 02:10 (second, CET) is after 02:50 (first, CEST) although its wall time is earlier.
    placed = sthlm("2026-10-25T02:50", fold=0)
    lifted = sthlm("2026-10-25T02:10", fold=1)
    h = hold(placed_at=placed, lifted_at=lifted)
    assert h.is_active(sthlm("2026-10-25T02:55", fold=0))
    assert not h.is_active(sthlm("2026-10-25T02:20", fold=1))


# --------------------------------------------------------------------------- bad input

SECRET = "anna@example.se"


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (datetime(2026, 1, 1, 12), NaiveDatetimeError, "fact 'e' is a naive datetime"),
        (SECRET, RetentionError, "fact 'e' must be a date, an aware datetime or None, got str"),
        (20260101, RetentionError, "got int"),
        (True, RetentionError, "got bool"),
    ],
    ids=["naive-datetime", "string", "int", "bool"],
)
def test_bad_facts_name_the_fact_not_the_value(
    value: object, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message) as info:
        evaluate(after("e"), {"e": value}, NOW, tz=STOCKHOLM)  # type: ignore[dict-item]
    assert str(value) not in str(info.value)


def test_naive_now_and_bad_arguments() -> None:
    with pytest.raises(NaiveDatetimeError):
        evaluate(after("e"), {}, datetime(2030, 1, 1), tz=STOCKHOLM)
    with pytest.raises(TypeError):
        evaluate(after("e"), {}, NOW, tz="Europe/Stockholm")  # type: ignore[arg-type]
    with pytest.raises(RetentionError, match="mapping"):
        evaluate(after("e"), [("e", None)], NOW, tz=STOCKHOLM)  # type: ignore[arg-type]
    with pytest.raises(RetentionError, match="retention rule"):
        evaluate("after", {}, NOW, tz=STOCKHOLM)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: after("e", years=-7), "must not be negative"),
        (lambda: after("e", days=-1), "must not be negative"),
        (lambda: after("e", align="week"), "align must be"),  # type: ignore[arg-type]
        (lambda: after("e", action="erase"), "action must be"),  # type: ignore[arg-type]
        (lambda: after(""), "event must be"),
        (lambda: after(" e"), "event must be"),
        (lambda: after("e", reason=None), "reason must be a string"),  # type: ignore[arg-type]
        (lambda: while_active("e", then="after"), "then must be a rule"),  # type: ignore[arg-type]
        (lambda: max_of(), "at least one rule"),
        (lambda: min_of(after("e"), "x"), "takes rules"),  # type: ignore[arg-type]
        (lambda: After("e", "P7Y"), "period must be a Period"),  # type: ignore[arg-type]
    ],
    ids=[
        "negative-years",
        "negative-days",
        "unknown-align",
        "action-as-string",
        "empty-event",
        "padded-event",
        "reason-none",
        "then-not-a-rule",
        "empty-max-of",
        "min-of-non-rule",
        "period-as-string",
    ],
)
def test_bad_rules(make: object, message: str) -> None:
    with pytest.raises(RetentionError, match=message):
        make()  # type: ignore[operator]


# --------------------------------------------------------------------------- policy mappings

ELVETA_KINDS = {
    "contract": WhileActive,
    "crm": WhileActive,
    "analytics": AnonymizedOnly,
    "monitoring": After,
    "bookkeeping": After,
}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {
                "kind": "after",
                "event": "fiscal_year_end",
                "period": "P7Y",
                "align": "year",
                "action": "erase",
                "reason": "accounting records are kept to the end of the seventh year",
                "legal_reference": BFL,
            },
            bookkeeping(),
        ),
        (
            {
                "kind": "while_active",
                "event": "contract_ended",
                "then": {"kind": "after", "event": "contract_ended", "period": "P24M"},
            },
            while_active("contract_ended", then=after("contract_ended", months=24)),
        ),
        (
            {"kind": "after", "event": "e", "years": 1, "months": 2, "days": 3},
            after("e", years=1, months=2, days=3),
        ),
        (
            {"kind": "after", "event": "e", "months": 3, "action": "anonymize"},
            after("e", months=3, action=Action.ANONYMIZE),
        ),
        (
            {
                "kind": "max_of",
                "rules": [{"kind": "anonymized_only"}, {"kind": "while_active", "event": "c"}],
            },
            max_of(anonymized_only(), while_active("c")),
        ),
        (
            {"kind": "min_of", "rules": ({"kind": "after", "event": "e", "period": "P2W"},)},
            min_of(after("e", days=14)),
        ),
        ({"kind": "anonymized_only", "reason": "stats"}, anonymized_only(reason="stats")),
        (
            {
                "kind": "after",
                "event": "e",
                "months": 2,
                "years": None,
                "align": None,
                "reason": "",
            },
            after("e", months=2),
        ),
    ],
    ids=[
        "bokforingslagen",
        "contract-then-24-months",
        "years-months-days-keys",
        "anonymize-action",
        "max-of",
        "min-of-tuple",
        "anonymized-only",
        "none-is-absent-and-reason-may-be-empty",
    ],
)
def test_rule_from_mapping(data: Mapping[str, object], expected: Rule) -> None:
    assert rule_from_mapping(data, location="policy.toml: x") == expected


def test_elveta_policy_retention_rules_parse() -> None:
    policy = tomllib.loads((ROOT / "examples" / "elveta" / "policy.toml").read_text("utf-8"))
    for purpose, kind in ELVETA_KINDS.items():
        table = dict(policy["purposes"][purpose]["retention"])
        table.pop("description", None)
        rule = rule_from_mapping(table, location=f"purposes.{purpose}.retention")
        assert isinstance(rule, kind), purpose
        assert rule_from_mapping(rule_to_mapping(rule), location="") == rule


def problems_of(
    data: object, location: str = "policy.toml: purposes.bookkeeping.retention"
) -> list[str]:
    with pytest.raises(PolicyError) as info:
        rule_from_mapping(data, location=location)  # type: ignore[arg-type]
    return [str(p) for p in info.value.problems]


def test_malformed_mapping_reports_every_problem_with_its_key_path() -> None:
    data = {
        "kind": "max_of",
        "rules": [
            {"kind": "after", "event": "fiscal_year_end", "period": "P7Y", "align": "year"},
            {"kind": "after", "event": "x", "period": "7 years", "align": "week", "colour": 1},
            {"kind": "while_active", "then": {"kind": "after", "event": "y", "years": -1}},
            {"kind": "erase_later"},
            "after",
        ],
    }
    where = "policy.toml: purposes.bookkeeping.retention"
    found = problems_of(data)
    expected_prefixes = [
        f"{where}.rules[1].colour: unknown key",
        f"{where}.rules[1].period: must be an ISO 8601 duration",
        f"{where}.rules[1].align: must be 'day', 'month' or 'year'",
        f"{where}.rules[2].event: is required",
        f"{where}.rules[2].then.years: must be a non-negative integer",
        f"{where}.rules[3].kind: must be one of",
        f"{where}.rules[4]: must be a table, got a string",
    ]
    assert len(found) == len(expected_prefixes)
    for prefix in expected_prefixes:
        assert any(p.startswith(prefix) for p in found), prefix


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({}, "x.kind: is required"),
        ({"kind": "after", "event": "e"}, "x.period: is required"),
        ({"kind": "after", "event": "e", "period": "P1Y", "years": 1}, "x.period: give either"),
        ({"kind": "after", "event": "e", "period": 7}, "x.period: must be an ISO 8601 duration"),
        ({"kind": "after", "event": "e", "years": True}, "x.years: must be a non-negative integer"),
        ({"kind": "after", "event": "e", "days": "3"}, "x.days: must be a non-negative integer"),
        ({"kind": "after", "event": "e", "period": "PT1H"}, "x.period: must be an ISO 8601"),
        ({"kind": "after", "event": "e", "period": "P1Y", "action": "shred"}, "x.action: must be"),
        ({"kind": "after", "event": " e", "period": "P1Y"}, "x: event must be"),
        ({"kind": "after", "event": "", "period": "P1Y"}, "x.event: must be a non-empty string"),
        ({"kind": "after", "event": None, "period": "P1Y"}, "x.event: is required"),
        (
            {"kind": "after", "event": " ", "period": "P1Y"},
            "x.event: must be a non-empty string, got an empty string",
        ),
        ({"kind": "after", "event": "e", "period": "P1Y", "reason": 3}, "x.reason: must be"),
        ({"kind": "max_of", "rules": []}, "x.rules: must be a non-empty list"),
        ({"kind": "max_of"}, "x.rules: must be a non-empty list"),
        ({"kind": "anonymized_only", "action": "erase"}, "x.action: unknown key"),
        ({"kind": "while_active", "event": "c", "then": "P1Y"}, "x.then: must be a table"),
        ({"kind": 3}, "x.kind: must be one of"),
        ([], "x: must be a table, got a list"),
    ],
    ids=[
        "no-kind",
        "no-period",
        "period-and-years",
        "period-not-string",
        "years-bool",
        "days-string",
        "period-with-time",
        "unknown-action",
        "padded-event",
        "empty-event",
        "none-event",
        "blank-event",
        "reason-not-string",
        "empty-rules",
        "no-rules",
        "action-on-anonymized-only",
        "then-not-table",
        "kind-not-string",
        "not-a-table",
    ],
)
def test_malformed_mapping(data: object, problem: str) -> None:
    found = problems_of(data, location="x")
    assert any(p.startswith(problem) for p in found), found


def test_mapping_without_location_prefix() -> None:
    assert problems_of({"kind": "after", "event": "e"}, location="") == [
        "period: is required: an ISO 8601 duration such as 'P7Y', or years/months/days"
    ]


EVENTS = st.sampled_from(["e", "contract_ended", "fiscal_year_end"])
TEXT = st.text(max_size=20)
periods = st.builds(Period, st.integers(0, 20), st.integers(0, 40), st.integers(0, 400))
aligns = st.sampled_from([None, "day", "month", "year"])
actions = st.sampled_from(list(Action))

leaf_rules = st.one_of(
    st.builds(After, EVENTS, periods, aligns, actions, TEXT, TEXT),
    st.builds(WhileActive, EVENTS, st.none(), actions, TEXT, TEXT),
    st.builds(AnonymizedOnly, TEXT, TEXT),
)
all_rules = st.recursive(
    leaf_rules,
    lambda children: st.one_of(
        st.builds(WhileActive, EVENTS, children, actions, TEXT, TEXT),
        st.lists(children, min_size=1, max_size=3).map(lambda rs: MaxOf(tuple(rs))),
        st.lists(children, min_size=1, max_size=3).map(lambda rs: MinOf(tuple(rs))),
    ),
    max_leaves=6,
)


@given(all_rules)
def test_rule_mapping_round_trip(rule: Rule) -> None:
    data = rule_to_mapping(rule)
    assert rule_from_mapping(data, location="r") == rule
    assert isinstance(rule.describe(), str)


# --------------------------------------------------------------------------- cutoff


def test_cutoff_examples() -> None:
    now = sthlm("2033-01-01T00:00")
    assert cutoff(bookkeeping(), now, tz=STOCKHOLM) == sthlm("2026-01-01T00:00")
    assert cutoff(bookkeeping(), now - timedelta(microseconds=1), tz=STOCKHOLM) == sthlm(
        "2025-01-01T00:00"
    )
    # A record of the fiscal year ending 2025-12-31 is expired at 2033-01-01 00:00.
    assert start_of_day(D("2025-12-31"), STOCKHOLM) < sthlm("2026-01-01T00:00")
    month = cutoff(after("e", months=1), sthlm("2026-04-11T00:00"), tz=STOCKHOLM)
    assert month is not None and month.date() == D("2026-03-11")
    ts = cutoff(while_active("e"), NOW, tz=STOCKHOLM, column_type="timestamp")
    assert ts == NOW + timedelta(microseconds=1) and ts is not None and ts.tzinfo is UTC


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (max_of(after("a", days=1), after("b", days=1)), "max_of combines the events 'a', 'b'"),
        (min_of(after("a", days=1), while_active("b")), "min_of combines the events 'a', 'b'"),
        (while_active("a", then=after("b", days=1)), "while_active('a', then=...) combines"),
        (anonymized_only(), "anonymized_only"),
        (min_of(after("a", days=1), anonymized_only()), "anonymized_only"),
    ],
    ids=[
        "max-of-two-events",
        "min-of-two-events",
        "handover-to-other-event",
        "anonymized",
        "min-of-anonymized",
    ],
)
def test_no_single_cutoff(rule: Rule, message: str) -> None:
    with pytest.raises(RetentionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        cutoff(rule, NOW, tz=STOCKHOLM)


def test_cutoff_bad_arguments() -> None:
    with pytest.raises(RetentionError, match="column_type"):
        cutoff(after("e"), NOW, tz=STOCKHOLM, column_type="datetime")  # type: ignore[arg-type]
    with pytest.raises(NaiveDatetimeError):
        cutoff(after("e"), datetime(2030, 1, 1), tz=STOCKHOLM)


def test_cutoff_none_when_nothing_can_have_expired() -> None:
    now = datetime(1, 1, 2, tzinfo=UTC)
    assert cutoff(after("e", years=5), now, tz=UTC) is None
    assert cutoff(after("e", years=5), now, tz=UTC, column_type="timestamp") is None
    assert sql_predicate(after("e", years=5), now, tz=UTC, column="c") == ("1 = 0", ())


def test_timestamp_cutoff_is_conservative_at_month_end() -> None:
    # At 28 Feb 12:00 events of 29-31 Jan 00:00 have run out (they end on 28 Feb
    # 00:00) but 28 Jan 23:00 has not: no single threshold is exact, so the
    # cutoff stops at the first event that has not run out.
    rule = after("e", months=1)
    now = sthlm("2026-02-28T12:00")
    t = cutoff(rule, now, tz=STOCKHOLM, column_type="timestamp")
    assert t == sthlm("2026-01-28T12:00") + timedelta(microseconds=1)
    early = sthlm("2026-01-31T00:00")
    assert evaluate(rule, {"e": early}, now, tz=STOCKHOLM).status is Status.EXPIRED
    assert dict(sweep([{"e": early}], rule, now, tz=STOCKHOLM).__next__()[0]) == {"e": early}
    assert next(sweep([{"e": early}], rule, now, tz=STOCKHOLM))[1] is Status.EXPIRED


@pytest.mark.parametrize(
    ("rule", "now"),
    [
        (after("e", days=1), sthlm("2026-03-29T03:20")),
        (after("e", years=1), sthlm("2026-03-29T03:40")),
        (after("e", days=1), sthlm("2026-03-30T02:30")),
        (after("e", days=1), sthlm("2026-10-25T02:30", fold=1)),
        (after("e", days=1), sthlm("2026-10-26T02:30")),
        (after("e", months=1), sthlm("2026-02-28T12:00")),
    ],
    ids=[
        "ends-in-spring-gap",
        "year-ends-in-spring-gap",
        "events-in-spring-gap",
        "now-in-repeated-hour",
        "events-in-repeated-hour",
        "month-end-clamp",
    ],
)
def test_timestamp_cutoff_never_erases_early(rule: Rule, now: datetime) -> None:
    # Every minute (both folds) of the five days around the cutoff.
    t = cutoff(rule, now, tz=STOCKHOLM, column_type="timestamp")
    assert t is not None
    start = datetime.combine(t.astimezone(STOCKHOLM).date() - timedelta(days=2), time())
    events = [
        (start + timedelta(minutes=minute)).replace(tzinfo=STOCKHOLM, fold=fold)
        for minute in range(5 * 24 * 60)
        for fold in (0, 1)
    ]
    rows = [{"e": event} for event in events]
    for row, swept in sweep(rows, rule, now, tz=STOCKHOLM):
        status = evaluate(rule, row, now, tz=STOCKHOLM).status
        assert swept is status, row
        if row["e"] < t:
            assert status is Status.EXPIRED, row


def test_timestamp_cutoff_at_the_last_microsecond_of_a_day() -> None:
    # Events of 28-31 Jan all end on 28 Feb at their own wall time, so at the
    # day's last microsecond all of them have run out; 1 Feb has not.
    now = datetime.combine(D("2026-02-28"), time.max, tzinfo=UTC)
    t = cutoff(after("e", months=1), now, tz=UTC, column_type="timestamp")
    assert t == datetime(2026, 2, 1, tzinfo=UTC)


def test_comparisons_are_by_instant_in_the_repeated_hour() -> None:
    # 02:40 CEST (first pass) is 00:40 UTC; 02:30 CET (second pass) is 01:30 UTC.
    event = sthlm("2026-10-25T02:40", fold=0)
    now = sthlm("2026-10-25T02:30", fold=1)
    rule = while_active("e")
    assert evaluate(rule, {"e": event}, now, tz=STOCKHOLM).status is Status.EXPIRED
    assert next(sweep([{"e": event}], rule, now, tz=STOCKHOLM))[1] is Status.EXPIRED
    both = max_of(while_active("e"), while_active("f"))
    latest = evaluate(both, {"e": event, "f": now}, now, tz=STOCKHOLM).expires_at
    assert latest is not None and latest.astimezone(UTC) == now.astimezone(UTC)


# events around month ends, leap days and the 2026 DST changes
SPECIAL = [(1, 28), (1, 29), (1, 30), (1, 31), (2, 28), (2, 29), (3, 1), (3, 28), (3, 29)]
SPECIAL += [(3, 30), (3, 31), (4, 30), (6, 30), (10, 24), (10, 25), (10, 26), (12, 31)]
NOW_DAYS = [D("2026-03-29"), D("2026-10-25"), D("2028-02-29"), D("2026-03-01"), D("2027-03-01")]
NOW_DAYS += [D("2026-02-28"), D("2026-12-31"), D("2027-01-01"), D("2026-03-31")]
ZONES = [STOCKHOLM, UTC]

single_event_leaves = st.one_of(
    st.builds(After, st.just("e"), periods, aligns, actions),
    st.builds(WhileActive, st.just("e"), st.none(), actions),
)
single_event_rules = st.recursive(
    st.one_of(single_event_leaves, st.builds(AnonymizedOnly)),
    lambda children: st.one_of(
        st.builds(WhileActive, st.just("e"), children),
        st.lists(children, min_size=1, max_size=3).map(lambda rs: MaxOf(tuple(rs))),
        st.lists(children, min_size=1, max_size=3).map(lambda rs: MinOf(tuple(rs))),
    ),
    max_leaves=5,
)


@st.composite
def nows(draw: st.DrawFn, tz: tzinfo) -> datetime:
    if draw(st.booleans()):
        day = draw(st.sampled_from(NOW_DAYS))
    else:
        day = draw(st.dates(min_value=D("2001-01-01"), max_value=D("2060-12-31")))
    special_clocks = [time(0), time(1, 59), time(2, 30), time(3), time(3, 20), time.max]
    clock = draw(st.one_of(st.times(), st.sampled_from(special_clocks)))
    return datetime.combine(day, clock, tzinfo=tz).replace(fold=draw(st.integers(0, 1)))


@st.composite
def event_dates(draw: st.DrawFn) -> date:
    year = draw(st.integers(1995, 2060))
    month, day = draw(st.sampled_from(SPECIAL))
    if month == 2 and day == 29 and year % 4:
        day = 28
    return date(year, month, day)


def _contains_min_of(rule: Rule) -> bool:
    if isinstance(rule, MinOf):
        return True
    if isinstance(rule, MaxOf):
        return any(_contains_min_of(r) for r in rule.rules)
    if isinstance(rule, WhileActive) and rule.then is not None:
        return _contains_min_of(rule.then)
    return False


def _date_window(center: date, tz: tzinfo) -> list[date]:
    return [center + timedelta(days=k) for k in range(-40, 41)]


def _instant_window(t: datetime, tz: tzinfo, extra: list[date]) -> list[datetime]:
    steps = [timedelta(microseconds=1), timedelta(minutes=1), timedelta(minutes=59)]
    steps += [timedelta(hours=1), timedelta(hours=3), timedelta(days=1), timedelta(days=3)]
    out = [t] + [t + s for s in steps] + [t - s for s in steps]
    # wall times every 90 minutes, both folds, on the days near the cutoff and on special days
    local = t.astimezone(tz).date()
    days = [local + timedelta(days=k) for k in range(-4, 5)] + extra
    for day in days:
        for minutes in range(0, 24 * 60, 90):
            for fold in (0, 1):
                wall = datetime.combine(day, time()) + timedelta(minutes=minutes)
                out.append(wall.replace(tzinfo=tz, fold=fold))
    return out


@settings(max_examples=150)
@given(st.data(), single_event_rules, st.sampled_from(ZONES), st.lists(event_dates(), max_size=6))
def test_cutoff_agrees_with_evaluate(
    data: st.DataObject, rule: Rule, tz: tzinfo, specials: list[date]
) -> None:
    now = data.draw(nows(tz))
    try:
        day_cut = cutoff(rule, now, tz=tz)
        ts_cut = cutoff(rule, now, tz=tz, column_type="timestamp")
    except RetentionError:
        # For single-event rules only a rule that expires everything at once has no cutoff.
        assert expiry(rule, {}, tz=tz).kind is ExpiryKind.IMMEDIATE
        return
    assert day_cut is not None and ts_cut is not None
    assert day_cut.astimezone(tz).time() == time(0) and day_cut.tzinfo is tz

    def status(value: date) -> Status:
        return evaluate(rule, {"e": value}, now, tz=tz).status

    # Date events: exact agreement, also at month ends and on DST days.
    for day in _date_window(day_cut.date(), tz) + specials:
        assert (day < day_cut.date()) == (status(day) is Status.EXPIRED), day
        assert (start_of_day(day, tz) < day_cut) == (day < day_cut.date())

    # Timestamp events: everything before the cutoff has run out ...
    for moment in _instant_window(ts_cut, tz, specials):
        if moment < ts_cut:
            assert status(moment) is Status.EXPIRED, moment
    # ... and, without DST (UTC) and without min_of, the cutoff is the first
    # instant that has not run out, so it is as tight as a single threshold can be.
    if tz is UTC and not _contains_min_of(rule):
        assert status(ts_cut) is not Status.EXPIRED
        assert status(ts_cut - timedelta(microseconds=1)) is Status.EXPIRED


# --------------------------------------------------------------------------- sweep

multi_event_rules = st.recursive(
    st.one_of(
        st.builds(After, st.sampled_from(["e", "f"]), periods, aligns, actions),
        st.builds(WhileActive, st.sampled_from(["e", "f"]), st.none(), actions),
        st.builds(AnonymizedOnly),
    ),
    lambda children: st.one_of(
        st.builds(WhileActive, st.sampled_from(["e", "f"]), children),
        st.lists(children, min_size=1, max_size=3).map(lambda rs: MaxOf(tuple(rs))),
        st.lists(children, min_size=1, max_size=3).map(lambda rs: MinOf(tuple(rs))),
    ),
    max_leaves=5,
)


def _rows(now: datetime, tz: tzinfo, specials: list[date]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = [{}, {"e": None}, {"e": None, "f": None}]
    local = now.astimezone(tz).date()
    days: list[date] = []
    for rule_days in (0, 1, 30, 31, 365, 366, 730, 2922):
        days += [local - timedelta(days=rule_days + k) for k in (-1, 0, 1)]
    days += specials
    for i, day in enumerate(days):
        wall = datetime.combine(day, now.astimezone(tz).time())
        rows.append({"e": day, "f": days[-1 - i]})
        rows.append({"e": wall.replace(tzinfo=tz), "f": day})
        rows.append({"e": (wall + timedelta(hours=1)).replace(tzinfo=tz, fold=1)})
        rows.append({"f": day})
    return rows


@settings(max_examples=150)
@given(st.data(), multi_event_rules, st.sampled_from(ZONES), st.lists(event_dates(), max_size=6))
def test_sweep_matches_evaluate(
    data: st.DataObject, rule: Rule, tz: tzinfo, specials: list[date]
) -> None:
    now = data.draw(nows(tz))
    rows = _rows(now, tz, specials)
    swept = list(sweep(rows, rule, now, tz=tz))
    assert [row for row, _ in swept] == rows
    plain = [evaluate(rule, r, now, tz=tz).status for r in rows]  # type: ignore[arg-type]
    assert [s for _, s in swept] == plain


def test_sweep_is_lazy() -> None:
    def endless() -> Iterator[dict[str, object]]:
        for k in itertools.count():
            yield {"e": D("2020-01-01") + timedelta(days=k)}

    head = list(itertools.islice(sweep(endless(), after("e", years=1), NOW, tz=STOCKHOLM), 3))
    assert [s for _, s in head] == [Status.EXPIRED] * 3


#: Rows that are not facts: (subject, record id, the event's date).
KEYED_ROWS = [("C-1", 1, D("2020-01-01")), ("C-2", 2, D("2020-01-01")), ("C-3", 3, None)]


def _keyed(run: Callable[..., T], rule: Rule, holds: Iterable[LegalHold]) -> T:
    """``sweep`` or ``sweep_counts`` over :data:`KEYED_ROWS`, with a key and subject/record readers."""
    return run(
        KEYED_ROWS,
        rule,
        NOW,
        tz=STOCKHOLM,
        key=lambda r: {"e": r[2]},
        holds=holds,
        subject=lambda r: r[0],
        record=lambda r: r[1],
    )


def test_sweep_with_key_and_holds() -> None:
    rows = KEYED_ROWS
    rule = after("e", years=1)

    def run(*holds: LegalHold) -> list[Status]:
        return [s for _, s in _keyed(sweep, rule, holds)]

    assert run() == [Status.EXPIRED, Status.EXPIRED, Status.KEEP]
    assert run(hold(subject="C-1")) == [Status.HELD, Status.EXPIRED, Status.KEEP]
    assert run(hold(record=2)) == [Status.EXPIRED, Status.HELD, Status.KEEP]
    assert run(hold(subject="C-2", record=1)) == [Status.EXPIRED, Status.EXPIRED, Status.KEEP]
    assert run(hold()) == [Status.HELD] * 3
    lifted = hold(subject="C-1", lifted_at=sthlm("2030-02-01T00:00"))
    assert run(lifted) == [Status.EXPIRED, Status.EXPIRED, Status.KEEP]
    anon = sweep(
        rows,
        anonymized_only(),
        NOW,
        tz=STOCKHOLM,
        key=lambda r: {},
        holds=[hold(record=3)],
        record=lambda r: r[1],
    )
    assert [s for _, s in anon] == [Status.EXPIRED, Status.EXPIRED, Status.HELD]
    multi = sweep(
        [{"a": None, "b": D("2020-01-01")}],
        max_of(after("a"), after("b")),
        NOW,
        tz=STOCKHOLM,
        holds=[hold()],
    )
    assert [s for _, s in multi] == [Status.HELD]


def test_sweep_checks_arguments_at_the_call() -> None:
    with pytest.raises(RetentionError, match="subject="):
        sweep([], after("e"), NOW, tz=STOCKHOLM, holds=[hold(subject="C-1")])
    with pytest.raises(RetentionError, match="record="):
        sweep([], after("e"), NOW, tz=STOCKHOLM, holds=[hold(record=1)])
    with pytest.raises(NaiveDatetimeError):
        sweep([], after("e"), datetime(2030, 1, 1), tz=STOCKHOLM)


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (datetime(2026, 1, 1), NaiveDatetimeError),
        ("2026-01-01", RetentionError),
        (7, RetentionError),
    ],
    ids=["naive", "string", "int"],
)
def test_sweep_rejects_bad_facts(value: object, error: type[Exception]) -> None:
    rows: list[dict[str, object]] = [{"e": D("2020-01-01")}, {"e": value}]
    statuses = sweep(rows, after("e"), NOW, tz=STOCKHOLM)
    assert next(statuses)[1] is Status.EXPIRED
    with pytest.raises(error, match="fact 'e'"):
        next(statuses)


class _NoOffset(tzinfo):
    """A broken zone whose offset is unknown: such datetimes count as naive."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str | None:
        return None


def test_sweep_rejects_datetimes_without_offset() -> None:
    row = {"e": datetime(2026, 1, 1, tzinfo=_NoOffset())}
    with pytest.raises(NaiveDatetimeError, match="fact 'e'"):
        list(sweep([row], after("e", days=1), NOW, tz=STOCKHOLM))


# --------------------------------------------------------------------------- sweep_counts


def _counted(statuses: Iterator[Status] | list[Status]) -> dict[Status, int]:
    """The plain twin of sweep_counts: statuses counted one by one, every status a key."""
    found = Counter(statuses)
    return {status: found[status] for status in Status}


fact_values = st.one_of(
    st.none(),
    event_dates(),
    st.dates(min_value=D("1995-01-01"), max_value=D("2060-12-31")),
    st.builds(
        lambda day, minutes, fold, tz: (
            datetime.combine(day, time()) + timedelta(minutes=minutes)
        ).replace(tzinfo=tz, fold=fold),
        event_dates(),
        st.integers(0, 24 * 60 - 1),
        st.integers(0, 1),
        st.sampled_from(ZONES),
    ),
)
fact_rows = st.lists(
    st.dictionaries(st.sampled_from(["e", "f"]), fact_values, max_size=2), max_size=40
)


@settings(max_examples=150)
@given(st.data(), st.one_of(single_event_rules, multi_event_rules), st.sampled_from(ZONES))
def test_sweep_counts_agrees_with_sweep_and_evaluate(
    data: st.DataObject, rule: Rule, tz: tzinfo
) -> None:
    now = data.draw(nows(tz))
    rows = data.draw(fact_rows) + _rows(now, tz, [])
    counts = sweep_counts(rows, rule, now, tz=tz)
    assert counts == _counted([s for _, s in sweep(rows, rule, now, tz=tz)])
    assert counts == _counted([evaluate(rule, r, now, tz=tz).status for r in rows])  # type: ignore[arg-type]
    assert list(counts) == list(Status)


@pytest.mark.parametrize(
    ("rule", "holds", "expected"),
    [
        (after("e", years=1), (), {Status.EXPIRED: 2, Status.KEEP: 1}),
        (
            after("e", years=1),
            (hold(subject="C-1"),),
            {Status.HELD: 1, Status.EXPIRED: 1, Status.KEEP: 1},
        ),
        (after("e", years=1), (hold(),), {Status.HELD: 3}),
        (anonymized_only(), (hold(record=3),), {Status.EXPIRED: 2, Status.HELD: 1}),
        (max_of(after("e"), after("f")), (), {Status.UNKNOWN: 2, Status.KEEP: 1}),
    ],
    ids=["a key", "a hold on a subject", "a hold on everything", "expires at once", "two events"],
)
def test_sweep_counts_with_key_and_holds(
    rule: Rule, holds: tuple[LegalHold, ...], expected: dict[Status, int]
) -> None:
    counts = _keyed(sweep_counts, rule, holds)
    assert counts == {status: expected.get(status, 0) for status in Status}
    assert counts == _counted([s for _, s in _keyed(sweep, rule, holds)])


def test_sweep_counts_reads_any_iterable_once() -> None:
    # At 2030-06-01 12:00 five years after 2025-05-31 have run out (at 2030-06-01 00:00),
    # five years after 2025-06-01 have not.
    days = (D("2025-05-02") + timedelta(days=k) for k in range(400))
    counts = sweep_counts(({"e": day} for day in days), after("e", years=5), NOW, tz=STOCKHOLM)
    assert counts == {Status.KEEP: 370, Status.EXPIRED: 30, Status.UNKNOWN: 0, Status.HELD: 0}
    assert sweep_counts([], after("e"), NOW, tz=STOCKHOLM) == dict.fromkeys(Status, 0)


def test_sweep_counts_checks_arguments_at_the_call() -> None:
    with pytest.raises(RetentionError, match="subject="):
        sweep_counts([], after("e"), NOW, tz=STOCKHOLM, holds=[hold(subject="C-1")])
    with pytest.raises(NaiveDatetimeError):
        sweep_counts([], after("e"), datetime(2030, 1, 1), tz=STOCKHOLM)
    with pytest.raises(TypeError, match="tz"):
        sweep_counts([], after("e"), NOW, tz="Europe/Stockholm")  # type: ignore[call-overload]


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (datetime(2026, 1, 1), NaiveDatetimeError),
        (datetime(2026, 1, 1, tzinfo=_NoOffset()), NaiveDatetimeError),
        ("2026-01-01", RetentionError),
        (7, RetentionError),
    ],
    ids=["naive", "no offset", "string", "int"],
)
def test_sweep_counts_rejects_bad_facts_as_sweep_does(
    value: object, error: type[Exception]
) -> None:
    rows: list[dict[str, object]] = [{"e": D("2020-01-01")}, {"e": value}]
    with pytest.raises(error, match="fact 'e'"):
        sweep_counts(rows, after("e", days=1), NOW, tz=STOCKHOLM)
    with pytest.raises(error, match="fact 'e'"):
        list(sweep(rows, after("e", days=1), NOW, tz=STOCKHOLM))


def _sweep_list(rows: Iterable[object], rule: Rule, **kw: object) -> list[tuple[object, Status]]:
    return list(sweep(rows, rule, NOW, tz=STOCKHOLM, **kw))  # type: ignore[call-overload]


def _sweep_counts(rows: Iterable[object], rule: Rule, **kw: object) -> dict[Status, int]:
    return sweep_counts(rows, rule, NOW, tz=STOCKHOLM, **kw)  # type: ignore[call-overload, no-any-return]


@pytest.mark.parametrize("run", [_sweep_list, _sweep_counts], ids=["sweep", "sweep_counts"])
@pytest.mark.parametrize(
    ("rows", "rule", "key", "got"),
    [
        ([("C-1", D("2020-01-01"))], after("e"), None, "tuple"),
        ([{"e": D("2020-01-01")}, 7], after("e"), None, "int"),
        ([("C-1", D("2020-01-01"))], after("e"), lambda r: r[1], "date"),
        ([("C-1", D("2020-01-01"))], max_of(after("e"), after("f")), None, "tuple"),
    ],
    ids=["a tuple row", "an int after a good row", "a key giving a date", "two events"],
)
def test_sweeping_rows_that_are_not_facts_is_a_retention_error(
    run: Callable[..., object], rows: list[object], rule: Rule, key: object, got: str
) -> None:
    with pytest.raises(RetentionError, match=f"a row's facts must be a mapping, got {got}$"):
        run(rows, rule, **({} if key is None else {"key": key}))


@pytest.mark.parametrize("run", [_sweep_list, _sweep_counts], ids=["sweep", "sweep_counts"])
def test_an_attribute_error_of_the_callers_own_code_is_not_taken_for_bad_facts(
    run: Callable[..., object],
) -> None:
    def rows() -> Iterator[dict[str, object]]:
        yield {"e": D("2020-01-01")}
        raise AttributeError("the caller's own")

    def key(row: dict[str, object]) -> dict[str, object]:
        raise AttributeError("the caller's key")

    with pytest.raises(AttributeError, match="the caller's own"):
        run(rows(), after("e"))
    with pytest.raises(AttributeError, match="the caller's key"):
        run([{"e": None}], after("e"), key=key)


# --------------------------------------------------------------------------- SQL


@pytest.mark.parametrize(
    ("paramstyle", "column_type", "sql", "params"),
    [
        ("qmark", "date", '"ended_on" < ?', ("2026-01-01",)),
        ("named", "date", '"ended_on" < :cutoff', {"cutoff": "2026-01-01"}),
        ("format", "date", '"ended_on" < %s', (D("2026-01-01"),)),
        ("pyformat", "date", '"ended_on" < %(cutoff)s', {"cutoff": D("2026-01-01")}),
        ("qmark", "timestamp", '"ended_on" < ?', ("2025-12-31T23:00:00+00:00",)),
        (
            "pyformat",
            "timestamp",
            '"ended_on" < %(cutoff)s',
            {"cutoff": datetime(2025, 12, 31, 23, tzinfo=UTC)},
        ),
    ],
    ids=[
        "sqlite-qmark",
        "sqlite-named",
        "psycopg-format",
        "psycopg-pyformat",
        "sqlite-ts",
        "psycopg-ts",
    ],
)
def test_sql_predicate_paramstyles(
    paramstyle: str, column_type: str, sql: str, params: object
) -> None:
    got = sql_predicate(  # type: ignore[call-overload]
        bookkeeping(),
        sthlm("2033-01-01T00:00"),
        tz=STOCKHOLM,
        column="ended_on",
        paramstyle=paramstyle,
        column_type=column_type,
    )
    assert got == (sql, params)


def test_sql_predicate_param_name() -> None:
    sql, params = sql_predicate(
        after("e"), NOW, tz=STOCKHOLM, column="c", paramstyle="named", param_name="until"
    )
    assert sql == '"c" < :until' and set(params) == {"until"}


@pytest.mark.parametrize(
    "column",
    ['ended_on"; DROP TABLE t; --', "ended on", '"ended_on"', "1st", "", "t.ended_on"],
    ids=["injection", "space", "quoted", "leading-digit", "empty", "dotted"],
)
def test_sql_predicate_rejects_column_names(column: str) -> None:
    with pytest.raises(RetentionError, match="identifier"):
        sql_predicate(after("e"), NOW, tz=STOCKHOLM, column=column)


def test_sql_predicate_rejects_bad_options() -> None:
    with pytest.raises(RetentionError, match="paramstyle"):
        sql_predicate(after("e"), NOW, tz=STOCKHOLM, column="c", paramstyle="numeric")  # type: ignore[call-overload]
    with pytest.raises(RetentionError, match="param_name"):
        sql_predicate(after("e"), NOW, tz=STOCKHOLM, column="c", param_name="a b")
    with pytest.raises(RetentionError, match="column_type"):
        sql_predicate(after("e"), NOW, tz=STOCKHOLM, column="c", column_type="text")  # type: ignore[call-overload]
    with pytest.raises(RetentionError, match="no single cutoff"):
        sql_predicate(max_of(after("a"), after("b")), NOW, tz=STOCKHOLM, column="c")


@given(
    st.datetimes(
        min_value=datetime(1970, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(STOCKHOLM)
    ),
    st.datetimes(
        min_value=datetime(1970, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
)
def test_sqlite_text_sorts_like_the_instants(a: datetime, b: datetime) -> None:
    assert (sqlite_text(a) < sqlite_text(b)) == (a < b)
    assert sqlite_text(a.date()) == a.date().isoformat()


def test_sqlite_text_rejects_naive_and_strings() -> None:
    with pytest.raises(NaiveDatetimeError):
        sqlite_text(datetime(2026, 1, 1))
    with pytest.raises(TypeError):
        sqlite_text("2026-01-01")  # type: ignore[arg-type]


SQL_CASES = [
    (bookkeeping(), "fiscal_year_end", sthlm("2033-01-01T00:00")),
    (after("e", months=1), "e", sthlm("2026-03-01T00:00")),
    (after("e", months=1), "e", sthlm("2026-02-28T12:00")),
    (after("e", days=1), "e", sthlm("2026-03-29T02:59")),
    (after("e", days=1), "e", sthlm("2026-10-25T02:30", fold=1)),
    (while_active("e", then=after("e", months=24)), "e", sthlm("2028-02-29T08:00")),
    (max_of(after("e", months=3), after("e", days=100, align="month")), "e", NOW),
    (min_of(after("e", years=1), while_active("e")), "e", NOW),
]
SQL_CASE_IDS = [
    "bokforingslagen",
    "month-after-march-1",
    "month-end-clamp",
    "spring-dst",
    "autumn-repeated-hour",
    "contract-then-24-months-leap-day",
    "max-of-same-event",
    "min-of-same-event",
]


def _every(start: datetime, span: timedelta, minutes: int) -> list[datetime]:
    utc = start.astimezone(UTC)
    return [utc + timedelta(minutes=m) for m in range(0, int(span.total_seconds() // 60), minutes)]


@pytest.fixture
def db() -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(":memory:")
    yield conn
    conn.close()


@pytest.mark.parametrize(("rule", "event", "now"), SQL_CASES, ids=SQL_CASE_IDS)
def test_sql_predicate_against_sqlite(
    db: sqlite3.Connection, rule: Rule, event: str, now: datetime
) -> None:
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, ended_on TEXT, ended_at TEXT)")
    day_cut = cutoff(rule, now, tz=STOCKHOLM)
    threshold = cutoff(rule, now, tz=STOCKHOLM, column_type="timestamp")
    assert day_cut is not None and threshold is not None
    # Every 11 hours over eight years, and every 7 minutes within 3 days of either cutoff.
    local = now.astimezone(STOCKHOLM).date()
    moments = _every(
        start_of_day(local - timedelta(days=3000), STOCKHOLM), timedelta(days=3003), 11 * 60
    )
    for center in (day_cut, threshold):
        moments += _every(center - timedelta(days=3), timedelta(days=6), 7)
    facts: dict[int, tuple[date | None, datetime | None]] = {1: (None, None)}
    for i, moment in enumerate(moments, start=2):
        facts[i] = (moment.astimezone(STOCKHOLM).date(), moment.astimezone(STOCKHOLM))
    db.executemany(
        "INSERT INTO t VALUES (?, ?, ?)",
        [(k, d and sqlite_text(d), t and sqlite_text(t)) for k, (d, t) in facts.items()],
    )

    def expired(value: date | datetime | None) -> bool:
        return evaluate(rule, {event: value}, now, tz=STOCKHOLM).status is Status.EXPIRED

    where, params = sql_predicate(rule, now, tz=STOCKHOLM, column="ended_on")
    selected = {k for (k,) in db.execute(f"SELECT id FROM t WHERE {where}", params)}
    assert selected == {k for k, (d, _) in facts.items() if expired(d)}

    where, named = sql_predicate(
        rule, now, tz=STOCKHOLM, column="ended_at", column_type="timestamp", paramstyle="named"
    )
    selected = {k for (k,) in db.execute(f"SELECT id FROM t WHERE {where}", named)}
    # The text comparison in SQLite is the instant comparison in Python ...
    assert selected == {k for k, (_, t) in facts.items() if t is not None and t < threshold}
    # ... and selects only rows that have run out (never erases early).
    assert all(expired(facts[k][1]) for k in selected)
    assert 1 not in selected  # NULL: not happened, never expired

    deleted = db.execute(f"DELETE FROM t WHERE {where}", named).rowcount
    assert deleted == len(selected)
    assert db.execute("SELECT count(*) FROM t WHERE ended_at IS NULL").fetchone() == (1,)
