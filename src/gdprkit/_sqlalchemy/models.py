"""SQLAlchemy mapped classes as tagged models: the adapter, tagged columns, aware timestamps."""

from __future__ import annotations

import typing
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import DateTime, inspect
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, MappedColumn, Mapper, mapped_column
from sqlalchemy.types import TypeDecorator

from gdprkit._rights.cells import columns_getter
from gdprkit._tagging.models import (
    TAG_KEY,
    ColumnsOf,
    ModelField,
    NotPersonal,
    annotated_markers,
    register_model_adapter,
    type_hints,
)
from gdprkit._util import require_aware
from gdprkit.tagging import Schema, Tag
from gdprkit.vocab import Art9Condition, DataCategory, Origin, SpecialCategory

__all__ = ["UTCDateTime", "mapper_of", "not_personal_column", "pd_column"]


def mapper_of(cls: object) -> Mapper[Any] | None:
    """The mapper of a mapped class (``None`` for anything else, the declarative base too)."""
    if not isinstance(cls, type):
        return None
    found: object = inspect(cls, raiseerr=False)
    return found if isinstance(found, Mapper) else None


def _mapped_markers(hint: object) -> tuple[object, ...]:
    """The ``Annotated`` extras of ``Mapped[Annotated[T, ...]]`` (or of a bare ``Annotated``)."""
    if typing.get_origin(hint) is Mapped:
        (hint,) = typing.get_args(hint)
    return annotated_markers(hint)


class _MappedAdapter:
    """SQLAlchemy 2.0 mapped classes: each column attribute is a field.

    Its markers are the column's ``info[TAG_KEY]`` (:func:`pd_column`,
    :func:`not_personal_column`) and the extras of ``Mapped[Annotated[...]]``.
    Relationships are not fields: the classes they lead to are models of
    their own.
    """

    #: Instances an export holds at once: each brings six objects the garbage collector
    #: tracks (the instance, its ``__dict__``, its ORM state, the state's weak reference to
    #: it with its callback, its set of expired attributes), and a batch of them stays under
    #: the 700 new objects that start a collection (at 500 per batch, collections took a
    #: third of an export's time).
    batch_rows = 100

    def handles(self, cls: type) -> bool:
        return mapper_of(cls) is not None

    def fields(self, cls: type) -> tuple[ModelField, ...]:
        mapper = mapper_of(cls)
        assert mapper is not None
        hints = type_hints(cls)
        # ``Mapper.columns``, keyed by attribute, not ``column_attrs``: that would configure
        # the mappers, which fails while a class named in a relationship is still undefined.
        out = []
        for key, column in mapper.columns.items():
            info = getattr(column, "info", {})
            markers = [info[TAG_KEY]] if TAG_KEY in info else []
            markers += _mapped_markers(hints.get(key))
            out.append(ModelField(key, tuple(markers)))
        return tuple(out)

    def declared(self, cls: type, schema: Schema) -> None:
        return None

    def columns(self, cls: type, fields: tuple[str, ...]) -> ColumnsOf:
        """Loaded values from each instance's ``__dict__``, where the ORM's descriptor finds them.

        An attribute that is not loaded (expired, deferred) is read through the
        descriptor, which loads it; so is a batch holding a subclass's
        instances, which may define its own attributes.
        """
        by_attribute = columns_getter(fields)
        by_key = [itemgetter(field) for field in fields]

        def read(records: Sequence[Any]) -> list[list[object]]:
            if set(map(type, records)) == {cls}:
                loaded = list(map(vars, records))
                try:
                    return [list(map(get, loaded)) for get in by_key]
                except KeyError:
                    pass
            return by_attribute(records)

        return read


register_model_adapter(_MappedAdapter())


def pd_column(
    *args: Any,
    category: str | DataCategory,
    purposes: str | Iterable[str],
    origin: Origin | str = Origin.PROVIDED,
    identifies: bool = False,
    special: SpecialCategory | str | None = None,
    condition: Art9Condition | str | None = None,
    description: str | None = None,
    info: Mapping[Any, Any] | None = None,
    **kwargs: Any,
) -> MappedColumn[Any]:
    """A ``mapped_column(*args, **kwargs)`` that carries a :class:`~gdprkit.tagging.Tag`.

    The SQLAlchemy counterpart of :func:`gdprkit.pd_field`: the tag goes into
    the column's ``info``, where :class:`~sqlalchemy.schema.Column` keeps
    application data. ``Mapped[Annotated[T, gk.Personal(...)]]`` does the same.
    """
    tag = Tag(
        category=category,
        purposes=purposes,
        origin=origin,
        identifies=identifies,
        special=special,
        condition=condition,
        description=description,
    )
    return mapped_column(*args, info={**(info or {}), TAG_KEY: tag}, **kwargs)


def not_personal_column(
    *args: Any, reason: str = "", info: Mapping[Any, Any] | None = None, **kwargs: Any
) -> MappedColumn[Any]:
    """A ``mapped_column(*args, **kwargs)`` declared not personal data (:class:`~gdprkit.NotPersonal`)."""
    return mapped_column(*args, info={**(info or {}), TAG_KEY: NotPersonal(reason)}, **kwargs)


#: Appended to the naive UTC text SQLite's DATETIME writes: one C call parses it aware.
_UTC_OFFSET = "+00:00"


def utc_from_text(value: str | None) -> datetime | None:
    """A UTC instant from SQLite's text (``2026-11-01 05:00:00.000000``), aware.

    Equal to ``UTCDateTime.process_result_value`` of what SQLAlchemy's SQLite
    ``DATETIME`` reads (``datetime.fromisoformat``): the text it writes is UTC
    without an offset, so adding one parses it aware in a single call. A text
    that comes back naive that way (a bare date) or that cannot take one (it
    has an offset of its own, or is no timestamp) is read the long way, which
    also raises what that raises.
    """
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value + _UTC_OFFSET)
    except (TypeError, ValueError):
        moment = None
    if moment is not None and moment.tzinfo is UTC:
        return moment
    return _as_utc(datetime.fromisoformat(value))


def _as_utc(value: datetime) -> datetime:
    """A stored timestamp as an aware instant in UTC (a naive one is UTC already)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware timestamp, stored as UTC: ``timestamptz`` on PostgreSQL, UTC text elsewhere.

    SQLite has no time zones: a ``DateTime(timezone=True)`` column there keeps
    the wall time of whatever zone a value had and gives back naive datetimes,
    which retention cannot decide on (a naive datetime is no instant). This
    type refuses naive values (:class:`~gdprkit.NaiveDatetimeError`), writes
    every instant as UTC and reads it back aware, so that stored values sort
    like the instants and :func:`gdprkit.sqlalchemy.expired` compares them
    correctly.
    """

    #: The column type underneath: ``timestamptz`` on PostgreSQL, text on SQLite.
    impl = DateTime(timezone=True)
    #: The type holds no state, so SQLAlchemy may cache statements that use it.
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """An aware value as UTC (naive UTC where the database keeps no zone)."""
        if value is None:
            return None
        utc = require_aware(value, "a UTCDateTime value").astimezone(UTC)
        return utc if dialect.name == "postgresql" else utc.replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """The stored instant, aware, in UTC."""
        return None if value is None else _as_utc(value)

    def result_processor(self, dialect: Dialect, coltype: object) -> Any:
        """On SQLite, the stored text read in one step (:func:`utc_from_text`); elsewhere
        the column type's own reading, then :meth:`process_result_value`.

        SQLAlchemy asks a TypeDecorator to keep its column type's reading; on
        SQLite that is ``datetime.fromisoformat`` of the text and then
        ``replace(tzinfo=UTC)`` here, two steps per value where one does the
        same, and reading timestamps was a large part of an export's time.
        """
        if dialect.name == "sqlite":
            return utc_from_text
        return super().result_processor(dialect, coltype)

    @property
    def python_type(self) -> type[datetime]:
        """``datetime``."""
        return datetime
