"""How a purpose keeps data as anonymous data: the declared form per record kind, and its reader.

Removing identifiers is not anonymisation: what is left can still single a
person out, be linked or let something be inferred (Recital 26; WP29
Opinion 05/2014, WP216). A purpose that keeps only anonymous data therefore
declares, per record kind, *how* the data is made anonymous (each output
column from a generaliser, or an aggregation of the subject's records) and
the k (and, where a sensitive attribute is named, the l) the anonymous set
must reach::

    [purposes.analytics.anonymization.MeterReading]
    method = "aggregate"            # one row per customer and month
    k = 5
    columns.month = { from = "read_at", truncate = "month" }
    columns.kwh_band = { sum = "kwh", bucket = 100 }

These values are the declaration; :mod:`gdprkit.anonymize` builds the
generalisers from it (:class:`~gdprkit.anonymize.AnonymousForm`), and
:func:`~gdprkit.rights.execute_erasure` writes the form and checks k.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Final, Literal

import attrs

from gdprkit._reader import Reader, kind_of

if TYPE_CHECKING:
    from gdprkit._retention.rules import Rule

__all__ = [
    "GENERALISERS",
    "AnonymizationDeclaration",
    "AnonymousColumn",
    "read_anonymization",
    "rule_anonymizes",
]

Method = Literal["generalize", "aggregate"]
Measure = Literal["sum", "mean", "count"]

#: The generalisers a column may name, each with the keys it takes besides its own.
GENERALISERS: Final[Mapping[str, tuple[str, ...]]] = {
    "truncate": (),
    "bucket": ("origin",),
    "edges": (),
    "postcode_prefix": (),
    "coarse_location": (),
    "recode": ("other",),
}
_UNITS: Final = ("minute", "hour", "day", "week", "month", "quarter", "year")
_MEASURES: Final = ("sum", "mean", "count")
_KEYS: Final = ("method", "k", "sensitive", "l", "quasi_identifiers", "columns")

Parameter = str | int | float | tuple[object, ...]


@attrs.frozen
class AnonymousColumn:
    """One column of an anonymous form: from which fields, by which generaliser or measure.

    ``generaliser`` is a key of :data:`GENERALISERS` (``None`` only for a
    ``count``); ``parameters`` are its settings (``(("unit", "month"),)``).
    ``measure`` (``sum``, ``mean``, ``count``) makes the column an aggregate of
    the group's values, generalised afterwards.
    """

    name: str
    sources: tuple[str, ...]
    generaliser: str | None
    parameters: tuple[tuple[str, Parameter], ...] = ()
    measure: Measure | None = None

    def parameter(self, name: str) -> Parameter | None:
        """The setting ``name`` of the generaliser, or ``None``."""
        return dict(self.parameters).get(name)


@attrs.frozen
class AnonymizationDeclaration:
    """How one record kind's data is kept as anonymous data, and the k (and l) it must reach.

    ``method`` is ``generalize`` (one anonymous row per record) or
    ``aggregate`` (one row per group of the subject's records, the columns
    without a measure being the group). k is counted over the anonymous set
    the rows join (WP216 on k-anonymity); with a ``sensitive`` column, every
    class must also hold at least ``l`` distinct values of it (l-diversity,
    against inference).
    """

    kind: str
    method: Method
    columns: tuple[AnonymousColumn, ...]
    k: int
    sensitive: str | None = None
    l: int | None = None  # noqa: E741  # the name of the measure
    quasi_identifiers: tuple[str, ...] = ()

    @property
    def fields(self) -> frozenset[str]:
        """The fields of the record kind the form reads."""
        return frozenset(s for c in self.columns for s in c.sources)


def rule_anonymizes(rule: Rule | None) -> bool:
    """Whether a retention rule (or one nested in it) ends in anonymisation, not erasure."""
    from gdprkit._retention.rules import Action

    if rule is None:
        return False
    if rule.action is Action.ANONYMIZE:
        return True
    nested: tuple[Rule, ...] = (
        *getattr(rule, "rules", ()),
        *((rule.then,) if getattr(rule, "then", None) is not None else ()),  # type: ignore[union-attr]
    )
    return any(rule_anonymizes(r) for r in nested)


def read_anonymization(r: Reader) -> tuple[AnonymizationDeclaration, ...]:
    """``[purposes.<id>.anonymization.<Kind>]``: one declaration per record kind."""
    table = r.table("anonymization")
    if table is None:
        return ()
    out = []
    for kind in table.data:
        sub = table.table(kind)
        if sub is not None:
            declaration = _read_kind(kind, sub)
            if declaration is not None:
                out.append(declaration)
    return tuple(out)


def _positive(r: Reader, name: str, *, required: bool) -> int | None:
    """An integer of at least 2 at ``name``: k = 1 or l = 1 is no protection at all."""
    value = r.raw(name)
    if value is None:
        if required:
            r.missing(name, "the k the anonymous set must reach (WP216: singling out)")
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 2:
        r.problem(name, f"must be an integer of at least 2, got {kind_of(value)}")
        return None
    return value


def _read_kind(kind: str, r: Reader) -> AnonymizationDeclaration | None:
    """One record kind's form; ``None`` after a problem (reported)."""
    r.unknown(_KEYS)
    method = r.string("method", required=True, why="'generalize' or 'aggregate'")
    if method is not None and method not in ("generalize", "aggregate"):
        r.problem("method", "must be 'generalize' or 'aggregate'")
        method = None
    k = _positive(r, "k", required=True)
    cols = r.table("columns", required=True, why="the anonymous form's columns")
    read = [_read_column(name, cols) for name in cols.data] if cols is not None else []
    columns = tuple(c for c in read if c is not None)
    if cols is not None and not cols.data:
        r.problem("columns", "declare at least one column")
    for c in columns:
        if c.measure is not None and method == "generalize":
            r.problems.add(f"{r.key('columns')}.{c.name}", "a measure needs method = 'aggregate'")
    if method == "aggregate" and columns and not any(c.measure for c in columns):
        r.problem("columns", "an aggregate needs a column with sum, mean or count")
    names = [c.name for c in columns]
    sensitive = r.string("sensitive")
    diversity = _positive(r, "l", required=sensitive is not None)
    if sensitive is not None and sensitive not in names:
        r.problem("sensitive", "must name one of the columns")
    if diversity is not None and sensitive is None:
        r.problem("l", "l-diversity needs the sensitive column it counts (sensitive = ...)")
    quasi = r.str_list("quasi_identifiers")
    for i, name in enumerate(quasi):
        if name not in names or name == sensitive:
            r.problems.add(
                f"{r.key('quasi_identifiers')}[{i}]", "must name a column other than sensitive"
            )
    if method is None or k is None or len(columns) != len(read) or not columns:
        return None
    return AnonymizationDeclaration(
        kind, method, columns, k, sensitive, diversity,  # type: ignore[arg-type]
        quasi or tuple(n for n in names if n != sensitive),
    )  # fmt: skip


_SETTINGS: Final = frozenset(k for ks in GENERALISERS.values() for k in ks)


def _read_column(name: str, cols: Reader) -> AnonymousColumn | None:
    """One column: its source fields and its generaliser (and measure, in an aggregate)."""
    r = cols.table(name)
    if r is None:
        return None
    r.unknown(("from", *_MEASURES, *GENERALISERS, *_SETTINGS))
    measures = [m for m in _MEASURES if r.has(m)]
    generalisers = [g for g in GENERALISERS if r.has(g)]
    if len(measures) > 1 or len(generalisers) > 1:
        r.problems.add(r.path, "takes one generaliser and at most one of sum, mean, count")
        return None
    measure = measures[0] if measures else None
    sources = _sources(name, r, measure)
    generaliser = generalisers[0] if generalisers else None
    if generaliser is None and measure != "count":
        r.problems.add(
            r.path,
            "needs a generaliser (" + ", ".join(GENERALISERS) + "): an anonymous form copies "
            "no value as it is",
        )
        return None
    parameters = _parameters(r, generaliser, sources) if generaliser else ()
    if parameters is None or sources is None:
        return None
    return AnonymousColumn(name, sources, generaliser, parameters, measure)  # type: ignore[arg-type]


def _sources(name: str, r: Reader, measure: str | None) -> tuple[str, ...] | None:
    """The fields a column reads: ``from``, the measured field, or the column's own name."""
    if measure in ("sum", "mean"):
        if r.has("from"):
            r.problem("from", f"{measure} names its field itself")
        field = r.string(measure)
        return (field,) if field is not None else None
    if measure == "count":
        if r.raw("count") is not True:
            r.problem("count", "must be true")
        return ()
    return r.str_list("from") or (name,)


def _parameters(
    r: Reader, generaliser: str, sources: tuple[str, ...] | None
) -> tuple[tuple[str, Parameter], ...] | None:
    """The generaliser's settings, each checked; ``None`` after a problem (reported)."""
    for extra in _SETTINGS - set(GENERALISERS[generaliser]):
        if r.has(extra):
            r.problem(extra, f"is not a setting of {generaliser}")
    value = r.raw(generaliser)
    if generaliser == "truncate":
        if value not in _UNITS:
            r.problem(generaliser, "must be one of " + ", ".join(_UNITS))
            return None
        return (("unit", str(value)),)
    if generaliser == "postcode_prefix":
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            r.problem(generaliser, "must be the number of digits kept, 1 to 5")
            return None
        return (("digits", value),)
    if generaliser == "coarse_location":
        if sources is not None and len(sources) != 2:
            r.problem("from", "coarse_location reads two fields: latitude and longitude")
        if not _number(value) or float(value) < 0.001:  # type: ignore[arg-type]
            r.problem(generaliser, "must be the grid's cell size in km, at least 0.001")
            return None
        return (("km", float(value)),)  # type: ignore[arg-type]
    if generaliser == "bucket":
        return _bucket(r, value)
    if generaliser == "edges":
        return _edges(r, value)
    return _recode(r, value)


def _number(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float | Decimal)


def _bucket(r: Reader, width: object) -> tuple[tuple[str, Parameter], ...] | None:
    origin = r.raw("origin") if r.has("origin") else 0
    if not _number(width) or width <= 0:  # type: ignore[operator]
        r.problem("bucket", "must be the bucket width, a number above 0")
        return None
    if not _number(origin):
        r.problem("origin", f"must be a number, got {kind_of(origin)}")
        return None
    return (("width", width), ("origin", origin))  # type: ignore[return-value]


def _edges(r: Reader, value: object) -> tuple[tuple[str, Parameter], ...] | None:
    if (
        not isinstance(value, list)
        or not value
        or not all(_number(v) for v in value)
        or any(a >= b for a, b in itertools.pairwise(value))
    ):
        r.problem("edges", "must be a list of strictly increasing numbers")
        return None
    return (("edges", tuple(value)),)


def _recode(r: Reader, value: object) -> tuple[tuple[str, Parameter], ...] | None:
    table = Reader(value, r.key("recode"), r.problems)
    pairs = tuple((key, table.string(key)) for key in table.data)
    other = r.string("other", default="other")
    if not isinstance(value, Mapping) or not pairs or any(v is None for _, v in pairs):
        if isinstance(value, Mapping) and not pairs:
            r.problem("recode", "must map at least one value to its category")
        return None
    return (("table", pairs), ("other", other or "other"))
