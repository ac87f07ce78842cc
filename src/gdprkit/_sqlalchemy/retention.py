"""Retention cut-offs as SQLAlchemy expressions: a retention job is one statement per table."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import Date, DateTime, false, literal
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeDecorator, TypeEngine

from gdprkit._errors import RetentionError
from gdprkit._sqlalchemy.models import UTCDateTime
from gdprkit.retention import ColumnType, Rule, cutoff
from gdprkit.timecalc import STOCKHOLM

__all__ = ["expired"]


def _column(column: object) -> ColumnElement[Any]:
    """The column expression of a mapped attribute (``Invoice.fiscal_year_end``) or a column."""
    expression = getattr(column, "expression", None)
    if not isinstance(expression, ColumnElement):
        raise RetentionError(
            "expired() needs a column: a mapped attribute such as Invoice.fiscal_year_end, "
            f"or a table column; got a {type(column).__name__}"
        )
    return expression


def _kind(column: ColumnElement[Any]) -> ColumnType:
    """``"date"`` or ``"timestamp"`` from the column's type; other types cannot be cut."""
    name = getattr(column, "key", None) or "the column"
    kind: TypeEngine[Any] = column.type
    if isinstance(kind, UTCDateTime):
        return "timestamp"
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    if isinstance(kind, DateTime):
        if not kind.timezone:
            raise RetentionError(
                f"{name} is a DateTime without time zone: its values are no instants; map it "
                "as gdprkit.sqlalchemy.UTCDateTime (or DateTime(timezone=True) on PostgreSQL)"
            )
        return "timestamp"
    if isinstance(kind, Date):
        return "date"
    raise RetentionError(
        f"{name} is neither a Date nor a DateTime column; retention cuts on the date or "
        "instant of an event (retention.sql_predicate handles ISO text columns)"
    )


def expired(
    column: object, rule: Rule, now: datetime, *, tz: tzinfo = STOCKHOLM
) -> ColumnElement[bool]:
    """A WHERE condition true for rows whose retention under ``rule`` has run out at ``now``.

    ``column`` holds the rule's event (``Invoice.fiscal_year_end``): a
    ``Date`` column, or a time-zone-aware timestamp
    (:class:`~gdprkit.sqlalchemy.UTCDateTime`, ``DateTime(timezone=True)`` on
    PostgreSQL). The condition is ``column < cut-off`` with the cut-off of
    :func:`gdprkit.retention.cutoff` as a bound parameter, so it means what
    ``cutoff`` and ``sql_predicate`` mean: dates exactly as
    :func:`~gdprkit.retention.evaluate` decides, instants never early. A NULL
    event (not happened yet) is never expired; a rule no row can have run out
    of yet gives ``false()``. Use it in ``select()``, ``delete()`` and
    ``update()``, also on a column of another table in a subquery (erase
    readings whose contract ended long enough ago). Storage limitation, Art.
    5(1)(e) GDPR. Legal holds are not applied here: exclude held subjects or
    records yourself.
    """
    expression = _column(column)
    kind = _kind(expression)
    cut = cutoff(rule, now, tz=tz, column_type=kind)
    if cut is None:
        return false()
    value = cut.date() if kind == "date" else cut
    return expression < literal(value, type_=expression.type)
