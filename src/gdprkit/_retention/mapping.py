"""Retention rules in their policy-file form: a rule read from its table, and written back.

A purpose's ``retention`` table in the policy file (Art. 30(1)(f) GDPR: "the
envisaged time limits for erasure") is read with every problem reported at
once, each with its key path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final

from gdprkit._errors import PolicyError, PolicyProblem, RetentionError
from gdprkit._retention.rules import (
    Action,
    After,
    AnonymizedOnly,
    MaxOf,
    MinOf,
    Rule,
    WhileActive,
    check_rule,
)
from gdprkit.timecalc import ALIGNMENTS, Period

_KINDS: Final = ("after", "while_active", "max_of", "min_of", "anonymized_only")
_META: Final = ("action", "reason", "legal_reference")
_KEYS: Final[Mapping[str, tuple[str, ...]]] = {
    "after": ("kind", "event", "period", "years", "months", "days", "align", *_META),
    "while_active": ("kind", "event", "then", *_META),
    "max_of": ("kind", "rules"),
    "min_of": ("kind", "rules"),
    "anonymized_only": ("kind", "reason", "legal_reference"),
}
_ACTIONS: Final = {a.value: a for a in Action}


def _where(location: str, key: str) -> str:
    return f"{location}.{key}" if location else key


def _kind_of(value: object) -> str:
    """A value's kind for a message, never the value itself."""
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, str):
        return "a string"
    return "a " + type(value).__name__


class _Reader:
    def __init__(self, data: Mapping[str, object], location: str, problems: list[PolicyProblem]):
        self.data, self.location, self.problems = data, location, problems

    def add(self, key: str, message: str) -> None:
        self.problems.append(PolicyProblem(_where(self.location, key), message))

    def text(self, key: str, *, required: bool = False) -> str | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.add(key, "is required")
            return None
        if not isinstance(value, str) or (required and not value.strip()):
            self.add(key, f"must be a non-empty string, got {_kind_of(value)}")
            return None
        return value

    def count(self, key: str) -> int | None:
        value = self.data.get(key)
        if value is None:
            return 0
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.add(key, f"must be a non-negative integer, got {_kind_of(value)}")
            return None
        return value


def _parse(data: object, location: str, problems: list[PolicyProblem]) -> Rule | None:
    if not isinstance(data, Mapping):
        problems.append(PolicyProblem(location, f"must be a table, got {_kind_of(data)}"))
        return None
    r = _Reader(data, location, problems)
    kind = data.get("kind")
    if kind is None:
        r.add("kind", "is required; one of " + ", ".join(_KINDS))
        return None
    if kind not in _KINDS:
        r.add("kind", "must be one of " + ", ".join(_KINDS))
        return None
    allowed = _KEYS[str(kind)]
    for name in data:
        if name not in allowed:
            r.add(str(name), "unknown key; expected one of " + ", ".join(sorted(allowed)))
    before = len(problems)
    reason = r.text("reason") or ""
    legal_reference = r.text("legal_reference") or ""
    action = Action.ERASE
    if "action" in data and "action" in allowed:
        raw_action = data["action"]
        if raw_action in _ACTIONS:
            action = _ACTIONS[str(raw_action)]
        else:
            r.add("action", "must be 'erase' or 'anonymize'")
    rule: Rule | None = None
    if kind == "after":
        event = r.text("event", required=True)
        period = _parse_period(r)
        align = data.get("align")
        if align is not None and align not in ALIGNMENTS:
            r.add("align", "must be 'day', 'month' or 'year'")
        if len(problems) == before and event is not None and period is not None:
            rule = _build(
                r,
                lambda: After(event, period, align, action, reason, legal_reference),  # type: ignore[arg-type]
            )
    elif kind == "while_active":
        event = r.text("event", required=True)
        then = None
        if "then" in data:
            then = _parse(data["then"], _where(location, "then"), problems)
        if len(problems) == before and event is not None:
            rule = _build(r, lambda: WhileActive(event, then, action, reason, legal_reference))
    elif kind in ("max_of", "min_of"):
        items = data.get("rules")
        where = _where(location, "rules")
        parts: list[Rule | None] = []
        if not isinstance(items, list | tuple) or not items:
            r.add("rules", f"must be a non-empty list of rule tables, got {_kind_of(items)}")
        else:
            parts = [_parse(item, f"{where}[{i}]", problems) for i, item in enumerate(items)]
        if len(problems) == before and parts:
            rules = tuple(p for p in parts if p is not None)
            rule = MaxOf(rules) if kind == "max_of" else MinOf(rules)
    elif len(problems) == before:
        rule = AnonymizedOnly(reason, legal_reference)
    return rule


def _build(r: _Reader, make: Callable[[], Rule]) -> Rule | None:
    try:
        return make()
    except RetentionError as exc:
        r.problems.append(PolicyProblem(r.location, str(exc)))
        return None


def _parse_period(r: _Reader) -> Period | None:
    has_period = "period" in r.data
    has_parts = any(k in r.data for k in ("years", "months", "days"))
    if has_period and has_parts:
        r.add("period", "give either period or years/months/days, not both")
        return None
    if has_period:
        text = r.data["period"]
        if not isinstance(text, str):
            r.add("period", f"must be an ISO 8601 duration such as 'P7Y', got {_kind_of(text)}")
            return None
        try:
            return Period.parse(text)
        except RetentionError as exc:
            r.add("period", str(exc))
            return None
    if not has_parts:
        r.add("period", "is required: an ISO 8601 duration such as 'P7Y', or years/months/days")
        return None
    years, months, days = r.count("years"), r.count("months"), r.count("days")
    if years is None or months is None or days is None:
        return None
    return Period(years=years, months=months, days=days)


def rule_from_mapping(data: Mapping[str, object], *, location: str) -> Rule:
    """Build a rule from its policy-file table (Art. 5(1)(e), 30(1)(f) GDPR).

    ``{kind="after", event="fiscal_year_end", period="P7Y", align="year"}``,
    ``{kind="while_active", event="contract_ended", then={...}}``,
    ``{kind="max_of", rules=[...]}``, ``{kind="min_of", rules=[...]}``,
    ``{kind="anonymized_only"}``; ``after`` also takes ``years``/``months``/
    ``days`` instead of ``period``, and every kind but the composites takes
    ``action`` (``"erase"``/``"anonymize"``), ``reason`` and ``legal_reference``.
    Raises :class:`~gdprkit.PolicyError` listing every problem, each located
    at ``location`` plus the key path (``...retention.rules[1].period``).
    """
    problems: list[PolicyProblem] = []
    rule = _parse(data, location, problems)
    if problems or rule is None:
        raise PolicyError(problems or [PolicyProblem(location, "is not a valid rule")])
    return rule


def rule_to_mapping(rule: Rule) -> dict[str, object]:
    """The policy-file table of a rule; :func:`rule_from_mapping` reads it back to an equal rule."""
    check_rule(rule)
    out: dict[str, object]
    if isinstance(rule, After):
        out = {"kind": "after", "event": rule.event, "period": str(rule.period)}
        if rule.align is not None:
            out["align"] = rule.align
    elif isinstance(rule, WhileActive):
        out = {"kind": "while_active", "event": rule.event}
        if rule.then is not None:
            out["then"] = rule_to_mapping(rule.then)
    elif isinstance(rule, MaxOf | MinOf):
        kind = "max_of" if isinstance(rule, MaxOf) else "min_of"
        return {"kind": kind, "rules": [rule_to_mapping(r) for r in rule.rules]}
    else:
        out = {"kind": "anonymized_only"}
    if isinstance(rule, After | WhileActive) and rule.action is not Action.ERASE:
        out["action"] = rule.action.value
    if rule.reason:
        out["reason"] = rule.reason
    if rule.legal_reference:
        out["legal_reference"] = rule.legal_reference
    return out
