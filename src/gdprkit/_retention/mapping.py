"""Retention rules in their policy-file form: a rule read from its table, and written back.

A purpose's ``retention`` table in the policy file (Art. 30(1)(f) GDPR: "the
envisaged time limits for erasure") is read with the one reader of
policy-shaped mappings, :class:`gdprkit._reader.Reader`, so that every
problem is reported at once with its key path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final, NamedTuple, TypeAlias

from gdprkit._errors import PolicyError, PolicyProblem, RetentionError
from gdprkit._reader import Problems, Reader, kind_of
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
#: How deep ``then`` chains and ``rules`` lists may nest. Real policies nest two or three
#: levels; the limit keeps a hostile or generated file from exhausting Python's stack.
MAX_DEPTH: Final = 32


class _Meta(NamedTuple):
    """The keys every single rule shares: what happens at expiry, and why."""

    action: Action
    reason: str
    legal_reference: str


_Build: TypeAlias = Callable[[_Meta], Rule]
"""Makes the rule of one table from its shared keys, once the table has no problems."""


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
    problems = Problems()
    rule = _parse(data, location, problems, 0)
    if problems.items or rule is None:
        raise PolicyError(problems.items or [PolicyProblem(location, "is not a valid rule")])
    return rule


def _parse(data: object, path: str, problems: Problems, depth: int) -> Rule | None:
    """The rule of the table at ``path``, or None when ``problems`` say what is wrong with it.

    A key mapped to None counts as absent: the table may be built in Python.
    ``depth`` counts the rules around this one.
    """
    if depth > MAX_DEPTH:
        problems.add(path, f"rules nest more than {MAX_DEPTH} levels deep")
        return None
    r = Reader(data, path, problems, none_is_absent=True)
    if not isinstance(data, Mapping):
        return None  # the reader has reported it
    kind = _read_kind(r)
    if kind is None:
        return None
    r.unknown(_KEYS[kind])
    before = len(problems.items)
    meta = _Meta(
        reason=r.string("reason", default="", blank=True) or "",
        legal_reference=r.string("legal_reference", default="", blank=True) or "",
        action=_read_action(r, kind),
    )
    build = _READERS[kind](r, depth + 1)
    if build is None or len(problems.items) > before:
        return None
    try:
        return build(meta)
    except RetentionError as exc:
        problems.add(path, str(exc))
        return None


def _read_kind(r: Reader) -> str | None:
    kind = r.raw("kind")
    if kind is None:
        r.problem("kind", "is required; one of " + ", ".join(_KINDS))
        return None
    if kind not in _KINDS:
        r.problem("kind", "must be one of " + ", ".join(_KINDS))
        return None
    return str(kind)


def _read_action(r: Reader, kind: str) -> Action:
    if not r.has("action") or "action" not in _KEYS[kind]:
        return Action.ERASE
    raw = r.raw("action")
    if isinstance(raw, str) and raw in _ACTIONS:
        return _ACTIONS[raw]
    r.problem("action", "must be 'erase' or 'anonymize'")
    return Action.ERASE


def _read_after(r: Reader, depth: int) -> _Build | None:
    event = r.string("event", required=True)
    period = _read_period(r)
    align = r.raw("align")
    if align is not None and align not in ALIGNMENTS:
        r.problem("align", "must be 'day', 'month' or 'year'")
        return None
    if event is None or period is None:
        return None
    return lambda m: After(event, period, align, m.action, m.reason, m.legal_reference)


def _read_while_active(r: Reader, depth: int) -> _Build | None:
    event = r.string("event", required=True)
    then = _parse(r.raw("then"), r.key("then"), r.problems, depth) if r.has("then") else None
    if event is None:
        return None
    return lambda m: WhileActive(event, then, m.action, m.reason, m.legal_reference)


def _read_combined(
    r: Reader, depth: int, combine: Callable[[tuple[Rule, ...]], Rule]
) -> _Build | None:
    items = r.raw("rules")
    if not isinstance(items, list | tuple) or not items:
        r.problem("rules", f"must be a non-empty list of rule tables, got {kind_of(items)}")
        return None
    where = r.key("rules")
    parts = [_parse(item, f"{where}[{i}]", r.problems, depth) for i, item in enumerate(items)]
    rules = tuple(p for p in parts if p is not None)
    return lambda m: combine(rules)


def _read_anonymized_only(r: Reader, depth: int) -> _Build:
    return lambda m: AnonymizedOnly(m.reason, m.legal_reference)


_READERS: Final[Mapping[str, Callable[[Reader, int], _Build | None]]] = {
    "after": _read_after,
    "while_active": _read_while_active,
    "max_of": lambda r, depth: _read_combined(r, depth, MaxOf),
    "min_of": lambda r, depth: _read_combined(r, depth, MinOf),
    "anonymized_only": _read_anonymized_only,
}


def _read_period(r: Reader) -> Period | None:
    """``period`` as ISO 8601 text, or ``years``/``months``/``days``; not both."""
    has_period = r.has("period")
    has_parts = any(r.has(k) for k in ("years", "months", "days"))
    if has_period and has_parts:
        r.problem("period", "give either period or years/months/days, not both")
        return None
    if has_period:
        text = r.raw("period")
        if not isinstance(text, str):
            r.problem("period", f"must be an ISO 8601 duration such as 'P7Y', got {kind_of(text)}")
            return None
        try:
            return Period.parse(text)
        except RetentionError as exc:
            r.problem("period", str(exc))
            return None
    if not has_parts:
        r.problem("period", "is required: an ISO 8601 duration such as 'P7Y', or years/months/days")
        return None
    years, months, days = r.count("years"), r.count("months"), r.count("days")
    if years is None or months is None or days is None:
        return None
    return Period(years=years, months=months, days=days)


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
