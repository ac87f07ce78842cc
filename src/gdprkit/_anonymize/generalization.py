"""Generalization: declared generalisers applied to rows; every other column is dropped."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import attrs

from gdprkit._anonymize import checks
from gdprkit._errors import AnonymizationError, GdprkitError, NaiveDatetimeError
from gdprkit._util import FrozenMap


def _sources(value: str | Iterable[str]) -> tuple[str, ...]:
    return checks.names(value, "From sources")


@attrs.frozen
class From:
    """An output column computed from another column, or from several.

    In a :class:`Generalization`, ``"cell": From(("lat", "lon"),
    CoarseLocation(10))`` calls the generaliser with the source values, in
    order, and names the result ``cell``.
    """

    sources: tuple[str, ...] = attrs.field(converter=_sources)
    generaliser: Callable[..., object] = attrs.field()

    @sources.validator
    def _check_sources(self, _attribute: object, value: tuple[str, ...]) -> None:
        if not value:
            raise AnonymizationError("From needs at least one source column")

    @generaliser.validator
    def _check_generaliser(self, _attribute: object, value: object) -> None:
        if not callable(value):
            raise AnonymizationError("From needs a callable generaliser")


def _rules(value: Mapping[str, Callable[[Any], object] | From]) -> FrozenMap[str, From]:
    if not isinstance(value, Mapping):
        raise AnonymizationError("rules must be a mapping of output column -> generaliser")
    rules: dict[str, From] = {}
    for key, rule in value.items():
        name = checks.column(key, "rules")
        if isinstance(rule, From):
            rules[name] = rule
        elif callable(rule):
            rules[name] = From(name, rule)
        else:
            raise AnonymizationError(f"rule for column {name!r} must be callable or From")
    return FrozenMap(rules)


def _column_names(value: str | Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        raise AnonymizationError("keep and drop take a sequence of column names, not a str")
    return checks.names(value, "keep/drop")


@attrs.frozen
class Generalization:
    """A declared set of generalisers, applied to rows to make candidate anonymized data.

    ``rules`` maps each output column to a generaliser of the same-named
    input column, or to :class:`From` for other or several sources. ``keep``
    lists columns copied verbatim. Every other column is dropped, so an
    identifier added to the source later cannot leak by accident; ``drop``
    documents what is dropped on purpose, and with ``strict=True`` a row
    holding a column that is neither generalised, kept nor dropped is an
    error. Output columns come in the order: rules, then keep.

    Removing direct identifiers is not anonymization (WP216: it leaves
    singling out and linkability); measure the result with :func:`k_anonymity`
    and :func:`enforce_k`.
    """

    rules: Mapping[str, From] = attrs.field(converter=_rules)
    keep: tuple[str, ...] = attrs.field(default=(), kw_only=True, converter=_column_names)
    drop: tuple[str, ...] = attrs.field(default=(), kw_only=True, converter=_column_names)
    strict: bool = attrs.field(default=False, kw_only=True)

    def __attrs_post_init__(self) -> None:
        outputs = set(self.rules)
        for what, clash in (
            ("both kept and dropped", set(self.keep) & set(self.drop)),
            ("both generalised and kept", outputs & set(self.keep)),
            ("both an output and dropped", outputs & set(self.drop)),
        ):
            if clash:
                raise AnonymizationError(f"column {sorted(clash)[0]!r} is {what}")

    @property
    def columns(self) -> tuple[str, ...]:
        """The output columns, in output order."""
        return (*self.rules, *self.keep)

    def _declared(self) -> frozenset[str]:
        sources = {s for rule in self.rules.values() for s in rule.sources}
        return frozenset((*sources, *self.keep, *self.drop))

    def __call__(self, row: Mapping[str, object]) -> dict[str, object]:
        """Return a new dict holding only the generalised and kept columns of ``row``."""
        return self._apply(row, 0, self._declared() if self.strict else None)

    def apply(self, rows: Iterable[Mapping[str, object]]) -> Iterator[dict[str, object]]:
        """Generalise ``rows`` one at a time, as they are consumed (memory does not grow)."""
        declared = self._declared() if self.strict else None
        for i, row in enumerate(rows):
            yield self._apply(row, i, declared)

    def _apply(
        self, row: Mapping[str, object], index: int, declared: frozenset[str] | None
    ) -> dict[str, object]:
        if not isinstance(row, Mapping):
            raise AnonymizationError(f"row {index} is not a mapping")
        if declared is not None:
            for column in row:
                if column not in declared:
                    raise AnonymizationError(
                        f"row {index}: column {column!r} is not generalised, kept or dropped "
                        "(strict=True)"
                    )
        out: dict[str, object] = {}
        for name, rule in self.rules.items():
            args = [_get(row, source, index) for source in rule.sources]
            error: Exception
            try:
                out[name] = rule.generaliser(*args)
                continue
            except (AnonymizationError, NaiveDatetimeError) as exc:
                # Same type, with the column named; our messages never carry the value.
                error = type(exc)(f"row {index}, column {name!r}: {exc}")
            except GdprkitError:
                raise
            except Exception as exc:
                # A user's generaliser may echo the value in its message: keep only the type.
                error = AnonymizationError(
                    f"row {index}, column {name!r}: generaliser raised {type(exc).__name__}"
                )
            # Raised here, not in the handler, so the value-quoting error is not its __context__.
            raise error
        for name in self.keep:
            out[name] = _get(row, name, index)
        return out


def _get(row: Mapping[str, object], column: str, index: int) -> object:
    try:
        return row[column]
    except KeyError:
        raise AnonymizationError(f"row {index} has no column {column!r}") from None
