"""Anonymous forms: declared in the policy or in code, their rows, and the k (and l) they check.

Recital 26; WP29 Opinion 05/2014 (WP216): a form copies no value as it is,
counts k over the set its rows join, and with a sensitive column also l.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import gdprkit as gk
from gdprkit import anonymize

from .conftest import DELETE, change_key

STHLM = ZoneInfo("Europe/Stockholm")
G = anonymize.Generalization
F = anonymize.From


def _monthly(**kw: Any) -> anonymize.AnonymousForm:
    return anonymize.AnonymousForm(
        G({"month": F("read_at", anonymize.Truncate("month"))}),
        5,
        {"kwh_band": anonymize.Measure("sum", "kwh", anonymize.Bucket(100))},
        tz=STHLM,
        **kw,
    )


# -- labels --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unit", "label"),
    [
        ("minute", "2026-03-29T03:07"), ("hour", "2026-03-29T03"), ("day", "2026-03-29"),
        ("week", "2026-W13"), ("month", "2026-03"), ("quarter", "2026-Q1"), ("year", "2026"),
    ],
)  # fmt: skip
def test_a_truncated_time_is_labelled_by_its_unit_in_the_forms_zone(unit, label):
    # 01:07 UTC on 29 March 2026 is 03:07 summer time in Stockholm (the clocks went forward)
    form = anonymize.AnonymousForm(G({"t": F("at", anonymize.Truncate(unit))}), 2, tz=STHLM)
    assert form.rows([{"at": datetime(2026, 3, 29, 1, 7, tzinfo=UTC)}]) == [{"t": label}]


def test_the_month_is_the_local_month():
    # 23:30 UTC on 31 October is 00:30 on 1 November in Stockholm
    rows = _monthly().rows([{"read_at": datetime(2026, 10, 31, 23, 30, tzinfo=UTC),
                             "kwh": Decimal("1.5")}])  # fmt: skip
    assert rows == [{"month": "2026-11", "kwh_band": "0–99"}]


def test_an_aggregate_sums_exactly_and_skips_missing_values():
    at = datetime(2026, 11, 2, 8, tzinfo=STHLM)
    records = [{"read_at": at, "kwh": Decimal("0.1")} for _ in range(999)] + [
        {"read_at": at, "kwh": 0.1}, {"read_at": at, "kwh": None},
    ]  # fmt: skip
    # 1000 x 0.1 = 100 exactly (in binary floats it would fall short, into "0–99")
    assert _monthly().rows(records) == [{"month": "2026-11", "kwh_band": "100–199"}]


def test_count_and_mean():
    form = anonymize.AnonymousForm(
        G({"month": F("at", anonymize.Truncate("month"))}),
        2,
        {"n": anonymize.Measure("count"),
         "mean": anonymize.Measure("mean", "kwh", anonymize.EdgeBucket((1, 2)))},
    )  # fmt: skip
    at = datetime(2026, 11, 2, 8, tzinfo=STHLM)
    rows = form.rows([{"at": at, "kwh": Decimal(1)}, {"at": at, "kwh": Decimal(2)}])
    assert rows == [{"month": "2026-11", "n": "2", "mean": "1"}]  # mean 1.5, in [1, 2): "1"


def test_a_value_that_cannot_be_summed_is_named_by_column_never_shown():
    with pytest.raises(gk.AnonymizationError, match="'kwh_band'") as info:
        _monthly().rows([{"read_at": datetime(2026, 11, 2, tzinfo=STHLM), "kwh": "12.5 kWh"}])
    assert "12.5" not in str(info.value)


def test_a_location_becomes_its_grid_cell():
    form = anonymize.AnonymousForm(G({"cell": F(("lat", "lon"), anonymize.CoarseLocation(10))}), 2)
    (row,) = form.rows([{"lat": 59.4439, "lon": 18.0687}])  # Täby
    lat, lon = (float(x) for x in row["cell"].split(","))
    assert abs(lat - 59.4439) < 0.1 and abs(lon - 18.0687) < 0.2


# -- k and l -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("existing", "k", "written", "smallest"),
    [
        (4, 5, 2, 6),  # both new rows join a class of 4: 6 rows
        (3, 5, 2, 5),
        (2, 5, 0, 4),
        (0, 5, 0, 2),
    ],
    ids=["k = 6", "k = 5 exactly", "4 < 5", "2 < 5"],
)
def test_check_counts_the_class_over_the_set_and_all_new_rows(existing, k, written, smallest):
    form = _monthly()
    new = [{"month": "2026-11", "kwh_band": "0–99"}] * 2
    result = form.check([("2026-11", "0–99")] * existing + [("2026-10", "0–99")] * 9, new)
    assert (len(result.written), result.smallest, result.suppressed) == (
        written, smallest, 2 - written,
    )  # fmt: skip
    assert result.k == (smallest if written else 0)


def test_l_diversity_suppresses_a_class_that_shares_its_sensitive_value():
    form = anonymize.AnonymousForm(
        G({"region": F("postcode", anonymize.PostcodePrefix(2)),
           "heating": F("heating", anonymize.Recode({"heat pump": "heat pump"}, other="other"))}),
        3, sensitive="heating", l=2,
    )  # fmt: skip
    assert form.quasi_identifiers == ("region",)
    existing = [{"region": "18", "heating": "heat pump"}] * 4 + [
        {"region": "11", "heating": "heat pump"}, {"region": "11", "heating": "other"},
    ] * 2  # fmt: skip
    new = form.rows([{"postcode": "183 30", "heating": "heat pump"},
                     {"postcode": "114 55", "heating": "heat pump"}])  # fmt: skip
    result = form.check(existing, new)
    # everyone in region 18 has a heat pump: joining reveals it (homogeneity) -> suppressed
    assert result.written == ({"region": "11", "heating": "heat pump"},)
    assert (result.k, result.l) == (5, 2)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: anonymize.AnonymousForm(G({}, keep=("kwh",)), 5), "copies no value"),
        (lambda: anonymize.AnonymousForm(G({"m": F("t", anonymize.Truncate("month"))}), 1),
         "at least 2"),
        (lambda: anonymize.Measure("sum", "kwh"), "needs a generaliser"),
        (lambda: anonymize.Measure("median", "kwh", anonymize.Bucket(1)), "'sum', 'mean'"),
        (lambda: _monthly(sensitive="month"), "both sensitive and l"),
        (lambda: _monthly(sensitive="month", l=2, quasi_identifiers=("month",)),
         "other than sensitive"),
        (lambda: _monthly(quasi_identifiers="month"), "not a str"),
    ],
    ids=["a kept column", "k = 1", "an exact sum", "an unknown measure", "l missing",
         "the sensitive column as a quasi-identifier", "one str for the quasi-identifiers"],
)  # fmt: skip
def test_a_form_that_would_not_be_anonymous_is_refused(build, message):
    with pytest.raises(gk.AnonymizationError, match=message):
        build()


def test_describe_reads_as_the_plan_shows_it():
    assert _monthly().describe() == (
        "one row per subject and month: month = read_at to the month; kwh_band = sum of kwh "
        "in buckets of 100; k >= 5 over (month, kwh_band)"
    )


# -- declared in the policy file -----------------------------------------------------------


_FORM = {
    "method": "generalize",
    "k": 5,
    "columns": {"dwelling": {"recode": {"house": "house", "flat": "apartment"}},
                "area": {"from": "area_m2", "edges": [60, 100]}},
}  # fmt: skip


def _with_form(minimal_dict: dict[str, Any], form: dict[str, Any], purpose: str = "stats") -> Any:
    data = copy.deepcopy(minimal_dict)
    data["purposes"][purpose]["anonymization"] = {"Home": form}
    return data


def test_a_declared_form_builds_the_same_form_as_code(minimal_dict):
    policy = gk.Policy.from_dict(_with_form(minimal_dict, _FORM))
    declared = policy.purposes["stats"].anonymization_for("Home")
    form = anonymize.AnonymousForm.from_declaration(declared)
    rows = form.rows([{"dwelling": "flat", "area_m2": 75}, {"dwelling": "castle", "area_m2": 40}])
    assert rows == [{"dwelling": "apartment", "area": "60–99"},
                    {"dwelling": "other", "area": "< 60"}]  # fmt: skip
    assert form.k == 5 and form.method == "generalize"


def _bad(form_change: dict[str, Any]) -> dict[str, Any]:
    form = copy.deepcopy(_FORM)
    for key, value in form_change.items():
        change_key(form, key, DELETE if value is None else value)
    return form


@pytest.mark.parametrize(
    ("change", "location", "message"),
    [
        ({"method": None}, "method", "is required"),
        ({"method": "mask"}, "method", "must be 'generalize' or 'aggregate'"),
        ({"k": 1}, "k", "at least 2"),
        ({"k": None}, "k", "WP216"),
        ({"columns": {}}, "columns", "declare at least one column"),
        ({"columns.dwelling": {"from": "dwelling"}}, "columns.dwelling", "copies no value"),
        ({"columns.area.truncate": "month"}, "columns.area", "one generaliser"),
        ({"columns.area": {"truncate": "fortnight"}}, "columns.area.truncate", "must be one of"),
        ({"columns.area": {"bucket": 0}}, "columns.area.bucket", "above 0"),
        ({"columns.area": {"edges": [100, 60]}}, "columns.area.edges", "strictly increasing"),
        ({"columns.area": {"postcode_prefix": 6}}, "columns.area.postcode_prefix", "1 to 5"),
        ({"columns.area": {"from": "lat", "coarse_location": 5}}, "columns.area.from",
         "two fields"),
        ({"columns.area": {"edges": [1], "origin": 3}}, "columns.area.origin",
         "not a setting of edges"),
        ({"columns.area": {"sum": "kwh", "bucket": 10}}, "columns.area",
         "method = 'aggregate'"),
        ({"method": "aggregate"}, "columns", "sum, mean or count"),
        ({"sensitive": "dwelling"}, "l", "is required"),
        ({"l": 2}, "l", "needs the sensitive column"),
        ({"sensitive": "heating", "l": 2}, "sensitive", "one of the columns"),
        ({"colums": {}}, "colums", "unknown key"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)  # fmt: skip
def test_a_declared_form_is_checked_when_the_policy_loads(minimal_dict, change, location, message):
    with pytest.raises(gk.PolicyError) as info:
        gk.Policy.from_dict(_with_form(minimal_dict, _bad(change)), source="p.toml")
    where = f"p.toml: purposes.stats.anonymization.Home.{location}"
    assert any(p.location == where and message in p.message for p in info.value.problems), [
        str(p) for p in info.value.problems
    ]


def test_only_a_purpose_that_keeps_anonymous_data_declares_how(minimal_dict):
    with pytest.raises(gk.PolicyError, match="only a purpose that keeps data as anonymous"):
        gk.Policy.from_dict(_with_form(minimal_dict, _FORM, purpose="service"))
    data = _with_form(minimal_dict, _FORM, purpose="service")
    data["purposes"]["service"]["retention"] = {
        "kind": "after", "event": "ended", "period": "P1Y", "action": "anonymize",
    }  # fmt: skip
    assert gk.Policy.from_dict(data).purposes["service"].anonymization_for("Home") is not None
