"""Anonymous forms: how one record kind becomes anonymous data, and whether the result is.

Removing identifiers is not anonymisation (Recital 26; WP29 Opinion 05/2014,
WP216: singling out, linkability, inference). An :class:`AnonymousForm`
says what the anonymous data of a record kind looks like: every output column
comes from a generaliser (never a value copied as it is), either one row per
record or one row per group of the subject's records (an aggregation), and
the k (and l) the anonymous set must reach. :meth:`AnonymousForm.check`
measures k over the set the new rows join, and keeps only the rows whose
equivalence class reaches it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

import attrs

from gdprkit._anonymize import checks
from gdprkit._anonymize.generalisers import CoarseLocation, PostcodePrefix, Recode, Truncate
from gdprkit._anonymize.generalization import From, Generalization
from gdprkit._anonymize.numbers import Bucket, EdgeBucket
from gdprkit._errors import AnonymizationError
from gdprkit._util import FrozenMap

if TYPE_CHECKING:
    from gdprkit._policy.anonymization import AnonymizationDeclaration, AnonymousColumn

__all__ = ["AnonymityCheck", "AnonymousForm", "Measure"]

#: One anonymous row: column -> label (text) or None.
Row = dict[str, str | None]


def _check_function(_: object, __: object, value: object) -> None:
    if value not in ("sum", "mean", "count"):
        raise AnonymizationError("a measure is 'sum', 'mean' or 'count'")


@attrs.frozen
class Measure:
    """An aggregate of a group's values: ``sum`` or ``mean`` of ``source``, or ``count``.

    The result is generalised by ``generaliser`` (a :class:`Bucket`, say),
    which ``sum`` and ``mean`` must have: the exact total of one household's
    hours singles it out as well as any of them does.
    """

    function: Literal["sum", "mean", "count"] = attrs.field(validator=_check_function)
    source: str | None = None
    generaliser: Callable[[Any], object] | None = None

    def __attrs_post_init__(self) -> None:
        if self.function != "count" and self.source is None:
            raise AnonymizationError(f"a {self.function} measure names its source column")
        if self.function != "count" and self.generaliser is None:
            raise AnonymizationError(
                f"a {self.function} measure needs a generaliser (a Bucket, say): an exact "
                "aggregate of one subject's records singles them out"
            )


def _measures(value: Mapping[str, Measure]) -> FrozenMap[str, Measure]:
    for name, measure in value.items():
        checks.column(name, "measures")
        if not isinstance(measure, Measure):
            raise AnonymizationError(f"measure {name!r} must be a Measure")
    return FrozenMap(value)


def _positive(value: object, what: str) -> int:
    number = checks.positive_int(value, what)
    if number < 2:
        raise AnonymizationError(f"{what} must be at least 2: 1 protects nobody")
    return number


def _k(value: object) -> int:
    return _positive(value, "k")


def _names(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        raise AnonymizationError("quasi_identifiers take a sequence of column names, not a str")
    return checks.names(value, "quasi_identifiers")


def _week_label(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


_UNIT_LABEL: dict[str, Callable[[date], str]] = {
    "year": lambda d: f"{d.year}",
    "quarter": lambda d: f"{d.year}-Q{(d.month - 1) // 3 + 1}",
    "month": lambda d: f"{d.year}-{d.month:02d}",
    "week": _week_label,
    "day": lambda d: d.isoformat()[:10],
    "hour": lambda d: d.isoformat()[:13],
    "minute": lambda d: d.isoformat()[:16],
}


def label(value: object, generaliser: object = None) -> str | None:
    """A generalised value as the text an anonymous set holds (``"2026-11"``, ``"100–199"``).

    Labels compare as text, so rows written now and rows read back from a
    database fall into the same equivalence classes.
    """
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        if isinstance(generaliser, Truncate):
            return _UNIT_LABEL[generaliser.unit](value)
        return value.isoformat()
    if isinstance(value, tuple):
        return ",".join(str(label(v)) for v in value)
    return str(value)


def _describe(generaliser: object, sources: Sequence[str]) -> str:
    """A generaliser in words, for the plan a controller reviews.

    Without ``sources`` the words follow what they generalise (`` in buckets of 100``).
    """
    src = ", ".join(sources)
    if isinstance(generaliser, Truncate):
        return f"{src} to the {generaliser.unit}"
    if isinstance(generaliser, Bucket):
        return f"{src} in buckets of {generaliser.width}"
    if isinstance(generaliser, EdgeBucket):
        return f"{src} in bands split at {', '.join(map(str, generaliser.edges))}"
    if isinstance(generaliser, PostcodePrefix):
        return f"{src} to its first {generaliser.digits} digits"
    if isinstance(generaliser, CoarseLocation):
        return f"{src} to a {generaliser.km:g} km grid"
    if isinstance(generaliser, Recode):
        return f"{src} recoded to {len(set(generaliser.table.values()))} categories"
    return f"{src} by {type(generaliser).__name__}"


@attrs.frozen
class AnonymityCheck:
    """What :meth:`AnonymousForm.check` found: the rows that may be kept, and k (and l).

    ``written`` are the new rows whose equivalence class (over the existing
    anonymous set and every new row) reaches ``target_k`` (and ``target_l``);
    the others are ``suppressed``: their records are erased without an
    anonymous trace. ``k`` is the smallest class a written row is in (0 when
    none is), ``smallest`` the smallest class of any new row.
    """

    target_k: int
    target_l: int | None
    rows: int
    written: tuple[Row, ...] = attrs.field(repr=False)
    k: int
    smallest: int
    l: int | None = None  # noqa: E741  # the measure's name

    @property
    def suppressed(self) -> int:
        """How many new rows are not written (their class is below k or l)."""
        return self.rows - len(self.written)


@attrs.frozen
class AnonymousForm:
    """How one record kind is kept as anonymous data, and the k (and l) the set must reach.

    ``columns`` is a :class:`Generalization` of one record's fields; without
    ``measures`` each record gives one anonymous row of its columns. With
    ``measures``, the subject's records are grouped by those columns and each
    group gives one row, its measures generalised: the month of an hourly
    meter reading and the month's consumption in 100 kWh bands, say. Every
    column comes from a generaliser: a form never copies a value as it is
    (a :class:`Generalization` with ``keep`` is refused). ``tz`` is the zone
    dates are generalised in (the policy's).

    k is counted in rows over ``quasi_identifiers`` (every column but
    ``sensitive`` by default), l as distinct values of ``sensitive`` per
    class. k bounds singling out within the set, l one kind of inference;
    neither measures linkability with other releases (WP216).
    """

    columns: Generalization = attrs.field()
    k: int = attrs.field(converter=_k)
    measures: Mapping[str, Measure] = attrs.field(default=FrozenMap({}), converter=_measures)
    sensitive: str | None = attrs.field(default=None, kw_only=True)
    l: int | None = attrs.field(default=None, kw_only=True)  # noqa: E741
    quasi_identifiers: tuple[str, ...] = attrs.field(default=(), kw_only=True, converter=_names)
    tz: tzinfo | None = attrs.field(default=None, kw_only=True, eq=False)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.columns, Generalization):
            raise AnonymizationError("columns must be a Generalization")
        if self.columns.keep:
            raise AnonymizationError(
                "an anonymous form copies no value as it is: generalise every column "
                "(a Recode lists the categories of a categorical one)"
            )
        outputs = self.output_columns
        if len(set(outputs)) != len(outputs):
            raise AnonymizationError("a measure has the name of a column")
        if (self.sensitive is None) != (self.l is None):
            raise AnonymizationError("l-diversity needs both sensitive and l")
        if self.l is not None:
            _positive(self.l, "l")
        if self.sensitive is not None and self.sensitive not in outputs:
            raise AnonymizationError(f"sensitive column {self.sensitive!r} is not an output")
        qis = self.quasi_identifiers or tuple(c for c in outputs if c != self.sensitive)
        if not qis or any(c not in outputs or c == self.sensitive for c in qis):
            raise AnonymizationError("quasi_identifiers name output columns other than sensitive")
        object.__setattr__(self, "quasi_identifiers", qis)

    @property
    def method(self) -> Literal["generalize", "aggregate"]:
        """``aggregate`` with measures, else ``generalize``."""
        return "aggregate" if self.measures else "generalize"

    @property
    def output_columns(self) -> tuple[str, ...]:
        """The anonymous set's columns: the generalised ones, then the measures."""
        return (*self.columns.columns, *self.measures)

    @property
    def fields(self) -> frozenset[str]:
        """The record fields the form reads; no other field reaches the anonymous set."""
        sources = {s for rule in self.columns.rules.values() for s in rule.sources}
        return frozenset(sources | {m.source for m in self.measures.values() if m.source})

    def describe(self) -> str:
        """The form in words: one row per what, each column from what, and the k (and l)."""
        parts = [f"{name} = {_describe(rule.generaliser, rule.sources)}"
                 for name, rule in self.columns.rules.items()]  # fmt: skip
        for name, m in self.measures.items():
            what = "number of records" if m.function == "count" else f"{m.function} of {m.source}"
            # _describe of no source reads " in buckets of 100": it follows the measure
            parts.append(f"{name} = {what}{_describe(m.generaliser, ()) if m.generaliser else ''}")
        per = (
            "one row per record"
            if self.method == "generalize"
            else "one row per subject and " + (", ".join(self.columns.columns) or "kind")
        )
        rule = f"k >= {self.k} over ({', '.join(self.quasi_identifiers)})"
        if self.l is not None:
            rule += f", l >= {self.l} of {self.sensitive}"
        return f"{per}: {'; '.join(parts)}; {rule}"

    def _local(self, record: Mapping[str, object]) -> dict[str, object]:
        """The record's fields the form reads, aware datetimes moved to ``tz``."""
        out: dict[str, object] = {}
        for name in self.fields:
            value = record.get(name)
            if self.tz is not None and isinstance(value, datetime) and value.tzinfo is not None:
                value = value.astimezone(self.tz)
            out[name] = value
        return out

    def _labels(self, record: Mapping[str, object]) -> Row:
        values = self.columns(self._local(record))
        return {n: label(values[n], self.columns.rules[n].generaliser) for n in values}

    def rows(self, records: Iterable[Mapping[str, object]]) -> list[Row]:
        """The anonymous rows of ``records`` (one subject's): labels, never the values read.

        A value a generaliser cannot take raises
        :class:`~gdprkit.AnonymizationError` naming the column, never the value.
        """
        if not self.measures:
            return [self._labels(r) for r in records]
        groups: dict[tuple[str | None, ...], tuple[Row, list[dict[str, object]]]] = {}
        for record in records:
            key_row = self._labels(record)
            key = tuple(key_row.values())
            groups.setdefault(key, (key_row, []))[1].append(self._local(record))
        return [
            {**key_row, **{n: self._measure(n, m, members) for n, m in self.measures.items()}}
            for key_row, members in groups.values()
        ]

    def _measure(self, name: str, m: Measure, members: list[dict[str, object]]) -> str | None:
        """One measure of a group, generalised and labelled."""
        if m.function == "count":
            value: object = len(members)
        else:
            numbers = [_number(r.get(m.source or ""), name) for r in members]
            present = [n for n in numbers if n is not None]
            if not present:
                return None
            total = sum(present, Decimal(0))
            value = total if m.function == "sum" else total / len(present)
        return label(m.generaliser(value) if m.generaliser else value, m.generaliser)

    def check(
        self, existing: Iterable[Mapping[str, object] | Sequence[object]], new: Sequence[Row]
    ) -> AnonymityCheck:
        """Which ``new`` rows may join the anonymous set ``existing``: those whose class reaches k.

        Each new row's equivalence class is counted over the existing rows
        (as a source gives them back: mappings, or sequences in
        :attr:`output_columns` order) and all new rows; with l, the class must
        also hold l distinct sensitive values. Classes the new rows do not join
        are not this erasure's to judge, and adding rows never shrinks one.
        """
        index = {c: i for i, c in enumerate(self.output_columns)}

        def get(row: Mapping[str, object] | Sequence[object], column: str) -> str | None:
            value = row.get(column) if isinstance(row, Mapping) else row[index[column]]
            return label(value)

        sizes: Counter[tuple[str | None, ...]] = Counter()
        diverse: dict[tuple[str | None, ...], set[str | None]] = {}
        for row in (*existing, *new):
            key = tuple(get(row, c) for c in self.quasi_identifiers)
            sizes[key] += 1
            if self.sensitive is not None:
                diverse.setdefault(key, set()).add(get(row, self.sensitive))
        keys = [tuple(get(row, c) for c in self.quasi_identifiers) for row in new]

        def ok(key: tuple[str | None, ...]) -> bool:
            return sizes[key] >= self.k and (self.l is None or len(diverse[key]) >= self.l)

        written = tuple(row for row, key in zip(new, keys, strict=True) if ok(key))
        kept = [key for key in keys if ok(key)]
        return AnonymityCheck(
            target_k=self.k,
            target_l=self.l,
            rows=len(new),
            written=written,
            k=min((sizes[key] for key in kept), default=0),
            smallest=min((sizes[key] for key in keys), default=0),
            l=min((len(diverse[key]) for key in kept), default=0) if self.l is not None else None,
        )

    @classmethod
    def from_declaration(
        cls, declaration: AnonymizationDeclaration, *, tz: tzinfo | None = None
    ) -> AnonymousForm:
        """The form a policy file declares (``[purposes.<id>.anonymization.<Kind>]``)."""
        rules = {
            c.name: From(c.sources, _generaliser(c))
            for c in declaration.columns
            if c.measure is None
        }
        measures = {
            c.name: Measure(
                c.measure, c.sources[0] if c.sources else None,
                _generaliser(c) if c.generaliser else None,
            )
            for c in declaration.columns
            if c.measure is not None
        }  # fmt: skip
        return cls(
            Generalization(rules),
            declaration.k,
            measures,
            sensitive=declaration.sensitive,
            l=declaration.l,
            quasi_identifiers=declaration.quasi_identifiers,
            tz=tz,
        )


def _number(value: object, column: str) -> Decimal | None:
    """A value to sum, exactly; None stays None (a missing reading is not zero)."""
    if value is None:
        return None
    number = checks.real(value, f"the values summed for {column!r}")
    return Decimal(repr(number)) if isinstance(number, float) else Decimal(number)


def _generaliser(column: AnonymousColumn) -> Callable[..., object]:
    """The generaliser a declared column names, built from its settings."""
    p = column.parameter
    name = column.generaliser
    if name == "truncate":
        return Truncate(p("unit"))  # type: ignore[arg-type]
    if name == "bucket":
        return Bucket(p("width"), origin=p("origin") or 0)  # type: ignore[arg-type]
    if name == "edges":
        return EdgeBucket(p("edges"))  # type: ignore[arg-type]
    if name == "postcode_prefix":
        return PostcodePrefix(p("digits"))  # type: ignore[arg-type]
    if name == "coarse_location":
        return CoarseLocation(p("km"))  # type: ignore[arg-type]
    if name == "recode":
        return Recode(dict(p("table")), other=p("other"))  # type: ignore[arg-type]
    raise AnonymizationError(f"column {column.name!r} names no generaliser gdprkit knows")
