"""Re-identification risk: k-anonymity, l-diversity, the risk report, and row suppression.

k-anonymity bounds *singling out* within the released table, l-diversity
limits one kind of *inference*; neither says anything about *linkability*
with other releases (WP29 Opinion 05/2014, WP216).
"""

from __future__ import annotations

import operator
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from typing import TypeVar

import attrs

from gdprkit._anonymize import checks
from gdprkit._errors import AnonymizationError
from gdprkit._util import FrozenMap

RowT = TypeVar("RowT", bound=Mapping[str, object])


def _diagnose(
    row: object, index: int, columns: tuple[str, ...], sensitive: str | None = None
) -> AnonymizationError:
    """The typed error for a row whose key could not be built or hashed."""
    if not isinstance(row, Mapping):
        return AnonymizationError(f"row {index} is not a mapping")
    for column in (*columns, sensitive) if sensitive is not None else columns:
        if column not in row:
            kind = "sensitive" if column == sensitive else "quasi-identifier"
            return AnonymizationError(f"row {index} has no {kind} column {column!r}")
        if not isinstance(row[column], Hashable):
            return AnonymizationError(
                f"row {index}: column {column!r} holds an unhashable value "
                f"({type(row[column]).__name__}); values must be hashable"
            )
        try:
            hash(row[column])
        except TypeError:
            return AnonymizationError(
                f"row {index}: column {column!r} holds an unhashable value; values must be hashable"
            )
    return AnonymizationError(f"row {index} could not be read")


def _class_sizes(rows: Iterable[Mapping[str, object]], columns: tuple[str, ...]) -> Counter[object]:
    """Equivalence-class sizes in one pass: a Counter of quasi-identifier tuples."""
    getter = _getter(columns)
    last: object = None
    index = -1

    def keys() -> Iterator[object]:
        nonlocal last, index
        for index, last in enumerate(rows):  # noqa: B007  # both are read by the error path
            yield getter(last)

    try:
        # Counter counts in C; the generator only remembers the row for the error path.
        return Counter(keys())
    except (KeyError, TypeError, IndexError):
        raise _diagnose(last, index, columns) from None


def _getter(columns: tuple[str, ...]) -> Callable[[Mapping[str, object]], object]:
    """The key of a row: its quasi-identifier values (a tuple, or the value for one column)."""
    getter: Callable[[Mapping[str, object]], object] = operator.itemgetter(*columns)
    return getter


def k_anonymity(rows: Iterable[Mapping[str, object]], quasi_identifiers: Sequence[str]) -> int:
    """Return k: the size of the smallest equivalence class over ``quasi_identifiers``.

    Every row shares its quasi-identifier values with at least k-1 others,
    so no row can be singled out by them alone (Sweeney 2002; WP216 on
    generalisation). For no rows the result is 0, which fails every
    ``k >= target`` check: an empty table is not evidence of anything. One
    pass over ``rows``, counting tuples of values in a Counter.
    """
    columns = checks.quasi_identifiers(quasi_identifiers)
    sizes = _class_sizes(rows, columns)
    return min(sizes.values(), default=0)


def _frozen_histogram(value: Mapping[int, int]) -> FrozenMap[int, int]:
    """The histogram frozen (a :class:`FrozenMap` is kept as it is): a report stays hashable."""
    return value if isinstance(value, FrozenMap) else FrozenMap(value)


@attrs.frozen
class RiskReport:
    """A table's equivalence classes over its quasi-identifiers, and its rows at risk."""

    quasi_identifiers: tuple[str, ...]
    rows: int
    k: int  #: smallest class size; 0 for no rows
    classes: int
    #: class size -> number of classes of that size, ascending by size
    histogram: Mapping[int, int] = attrs.field(converter=_frozen_histogram)
    target_k: int
    classes_at_risk: int  #: classes smaller than ``target_k``
    rows_at_risk: int  #: rows in those classes: what :func:`enforce_k` would suppress

    @property
    def meets_target(self) -> bool:
        """True if the table is non-empty and every class has at least ``target_k`` rows."""
        return self.k >= self.target_k


def risk_report(
    rows: Iterable[Mapping[str, object]], quasi_identifiers: Sequence[str], *, target_k: int
) -> RiskReport:
    """Measure a table's equivalence classes: k, how many classes, their sizes, what is at risk.

    The histogram shows how close a table is to a target: a k of 1 with
    three singletons calls for suppression, one with three hundred for
    coarser generalisers.
    """
    columns = checks.quasi_identifiers(quasi_identifiers)
    target = checks.positive_int(target_k, "target_k")
    sizes = _class_sizes(rows, columns)
    histogram = Counter(sizes.values())
    small = [size for size in sizes.values() if size < target]
    return RiskReport(
        quasi_identifiers=columns,
        rows=sum(sizes.values()),
        k=min(sizes.values(), default=0),
        classes=len(sizes),
        histogram=FrozenMap(sorted(histogram.items())),
        target_k=target,
        classes_at_risk=len(small),
        rows_at_risk=sum(small),
    )


def l_diversity(
    rows: Iterable[Mapping[str, object]], quasi_identifiers: Sequence[str], sensitive: str
) -> int:
    """Return distinct l: the fewest distinct ``sensitive`` values in any equivalence class.

    k-anonymity does not stop *inference*: if all k rows of a class share
    one sensitive value, knowing someone is in the class reveals it (the
    homogeneity attack; Machanavajjhala et al. 2007; WP216). l >= 2 rules
    that out, but not skewed or semantically close values. For no rows the
    result is 0. One pass; values must be hashable.
    """
    columns = checks.quasi_identifiers(quasi_identifiers)
    sensitive = checks.column(sensitive, "sensitive")
    if sensitive in columns:
        raise AnonymizationError(f"sensitive column {sensitive!r} is also a quasi-identifier")
    getter = _getter(columns)
    values: dict[object, set[object]] = {}
    index = -1
    last: object = None
    try:
        for row in rows:
            index += 1
            last = row
            values.setdefault(getter(row), set()).add(row[sensitive])
    except (KeyError, TypeError, IndexError):
        raise _diagnose(last, index, columns, sensitive) from None
    return min((len(v) for v in values.values()), default=0)


@attrs.frozen
class SuppressionReport:
    """What :func:`enforce_k` did: rows and classes suppressed, k before and after."""

    quasi_identifiers: tuple[str, ...]
    target_k: int
    rows_in: int
    rows_kept: int
    rows_suppressed: int
    classes_kept: int
    classes_suppressed: int
    k_before: int  #: 0 for no rows
    k: int  #: k of the rows kept; >= target_k, or 0 if nothing is kept


def enforce_k(
    rows: Iterable[RowT], quasi_identifiers: Sequence[str], k: int
) -> tuple[list[RowT], SuppressionReport]:
    """Suppress the rows of every equivalence class smaller than ``k``; keep the rest, report.

    Row suppression is the usual complement of generalisation: generalise
    until few classes are small, then drop those. The rows kept are the
    input objects, in input order; the result is k-anonymous
    (``report.k >= k``) or empty. Two passes, so ``rows`` is read into a
    list first. Suppressing many rows biases the data: check
    ``report.rows_suppressed`` and coarsen the generalisers instead.
    """
    columns = checks.quasi_identifiers(quasi_identifiers)
    target = checks.positive_int(k, "k")
    table = list(rows)
    sizes = _class_sizes(table, columns)
    getter = _getter(columns)
    kept = [row for row in table if sizes[getter(row)] >= target]
    big = [size for size in sizes.values() if size >= target]
    return kept, SuppressionReport(
        quasi_identifiers=columns,
        target_k=target,
        rows_in=len(table),
        rows_kept=len(kept),
        rows_suppressed=len(table) - len(kept),
        classes_kept=len(big),
        classes_suppressed=len(sizes) - len(big),
        k_before=min(sizes.values(), default=0),
        k=min(big, default=0),
    )
