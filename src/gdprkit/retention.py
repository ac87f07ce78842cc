"""Retention rules, legal holds, verdicts, streaming sweeps and SQL cut-offs.

A rule says how long personal data may be kept after the facts that justify
it (Art. 5(1)(e) GDPR, storage limitation) and what happens then: erasure
(Art. 17) or anonymization. Rules are frozen values built with :func:`after`,
:func:`while_active`, :func:`max_of`, :func:`min_of` and
:func:`anonymized_only`, or read from a policy with :func:`rule_from_mapping`.

**Facts.** A rule is evaluated against a mapping from event names to a
:class:`~datetime.date` (a whole day), an aware :class:`~datetime.datetime`
(an instant), or ``None``:

* a name that is **absent** is an unknown fact: the verdict is ``UNKNOWN``
  and names it in ``missing`` (never erase on doubt, never keep silently);
* a name mapped to ``None`` is a known fact saying the event **has not
  happened yet** (a contract still running, an SQL ``NULL``): the rule keeps
  the data until it happens.

Periods are counted by :func:`gdprkit.timecalc.period_end` (Reg. 1182/71):
"one month after 2026-03-10" has run out at 2026-04-11 00:00 in the policy's
time zone, while a datetime event keeps its wall-clock time.

**Holds.** An active :class:`LegalHold` (Art. 17(3)(e): legal claims; an
authority's order) overrides every expiry: the status is ``HELD`` until it is
lifted.

**Scale.** :func:`sweep` streams statuses over rows with one comparison per
row, and :func:`sweep_counts` counts them as cheaply as a hand-written loop;
:func:`cutoff` and :func:`sql_predicate` push the same decision into a database.
"""

from __future__ import annotations

from typing import TypeAlias

from gdprkit._retention import expiry as _expiry
from gdprkit._retention import rules as _rules
from gdprkit._retention.cutoff import ColumnType, Paramstyle, cutoff, sql_predicate, sqlite_text
from gdprkit._retention.expiry import Expiry, ExpiryKind, Status, Verdict, evaluate, expiry
from gdprkit._retention.mapping import rule_from_mapping, rule_to_mapping
from gdprkit._retention.objects import FieldVerdict, ObjectVerdict, evaluate_object, record_facts
from gdprkit._retention.rules import (
    Action,
    After,
    AnonymizedOnly,
    LegalHold,
    MaxOf,
    MinOf,
    WhileActive,
    after,
    anonymized_only,
    max_of,
    min_of,
    while_active,
)
from gdprkit._retention.sweep import sweep, sweep_counts

# isort: split
# Before gdprkit._retention existed this module imported the gdprkit names below for
# its own use, so they could be imported from it. They stay importable; they are not
# part of its API (see __all__).
from gdprkit._errors import NaiveDatetimeError as NaiveDatetimeError
from gdprkit._errors import PolicyError as PolicyError
from gdprkit._errors import PolicyProblem as PolicyProblem
from gdprkit._errors import RetentionError as RetentionError
from gdprkit._util import is_identifier as is_identifier
from gdprkit._util import require_aware as require_aware
from gdprkit.timecalc import ALIGNMENTS as ALIGNMENTS
from gdprkit.timecalc import STOCKHOLM as STOCKHOLM
from gdprkit.timecalc import Align as Align
from gdprkit.timecalc import Period as Period
from gdprkit.timecalc import first_day_after as first_day_after
from gdprkit.timecalc import localize as localize
from gdprkit.timecalc import period_end as period_end
from gdprkit.timecalc import start_of_day as start_of_day

# The type aliases are bound again here so that their documentation belongs to
# the public names: Sphinx reads an alias's docstring from the module binding it.
FactValue: TypeAlias = _expiry.FactValue
"""A fact: a whole day, an aware instant, or ``None`` for "has not happened yet"."""

Facts: TypeAlias = _expiry.Facts
"""Event name -> fact. An absent name is an unknown fact."""

Rule: TypeAlias = _rules.Rule
"""Any retention rule: :class:`After`, :class:`WhileActive`, :class:`MaxOf`, :class:`MinOf` or
:class:`AnonymizedOnly`.

:meta hide-value:
"""

__all__ = [
    "Action",
    "After",
    "AnonymizedOnly",
    "ColumnType",
    "Expiry",
    "ExpiryKind",
    "FactValue",
    "Facts",
    "FieldVerdict",
    "LegalHold",
    "MaxOf",
    "MinOf",
    "ObjectVerdict",
    "Paramstyle",
    "Rule",
    "Status",
    "Verdict",
    "WhileActive",
    "after",
    "anonymized_only",
    "cutoff",
    "evaluate",
    "evaluate_object",
    "expiry",
    "max_of",
    "min_of",
    "record_facts",
    "rule_from_mapping",
    "rule_to_mapping",
    "sql_predicate",
    "sqlite_text",
    "sweep",
    "sweep_counts",
    "while_active",
]
