"""A data source over SQLAlchemy mapped classes: a subject's rows found along relationships."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import DateTime, Engine, and_, delete, false, or_, select, tuple_, update
from sqlalchemy.orm import (
    Mapper,
    RelationshipDirection,
    RelationshipProperty,
    Session,
    sessionmaker,
)
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeDecorator

from gdprkit._errors import NotTagged, RectificationError, SourceError
from gdprkit._sqlalchemy.models import mapper_of
from gdprkit._util import is_identifier
from gdprkit.rights import RecordErasure, SubjectRef
from gdprkit.tagging import Schema, schema_of

__all__ = ["MappedSource", "subject_sources"]

SessionFactory = Callable[[], Session]

#: ORM-enabled UPDATE/DELETE without looking for the rows among a session's objects:
#: each write runs in a session of its own, which holds none.
_NO_SYNC = {"synchronize_session": False}


def session_factory(bind: object) -> SessionFactory:
    """A session factory from an Engine or a ``sessionmaker`` (never one shared Session)."""
    if isinstance(bind, Engine):
        return sessionmaker(bind)
    if isinstance(bind, sessionmaker):
        return bind
    raise SourceError(
        "bind must be an Engine or a sessionmaker: every read and every write opens a "
        f"session of its own, so that each write is one transaction; got a {type(bind).__name__}"
    )


def mapper_or_error(model: object) -> Mapper[Any]:
    """The mapper of ``model``, or a :class:`~gdprkit.SourceError` naming it."""
    mapper = mapper_of(model)
    if mapper is None:
        raise SourceError(f"{getattr(model, '__qualname__', model)!r} is not a mapped class")
    return mapper


_DIRECTIONS = {
    RelationshipDirection.MANYTOONE: "many-to-one",
    RelationshipDirection.MANYTOMANY: "many-to-many",
    RelationshipDirection.ONETOMANY: "one-to-many",
}


def _relationship(attr: object) -> RelationshipProperty[Any]:
    prop = getattr(attr, "property", None)
    if not isinstance(prop, RelationshipProperty):
        raise SourceError(f"{attr!r} is not a relationship attribute (Customer.invoices)")
    if prop.direction is not RelationshipDirection.ONETOMANY:
        raise SourceError(
            f"{prop} is {_DIRECTIONS[prop.direction]}: only one-to-many relationships are "
            "followed, from the subject's row to rows that belong to it alone (a many-to-one "
            "or many-to-many one leads to rows other subjects share)"
        )
    return prop


def _check_path(model: type, via: Sequence[Any]) -> tuple[Any, ...]:
    """``via``: relationship attributes leading from the root class down to ``model``."""
    for attr in via:
        _relationship(attr)
    for here, nxt in itertools.pairwise(via):
        if here.property.mapper.class_ is not nxt.parent.class_:
            raise SourceError(f"{here} does not lead to the class of {nxt}")
    if via and via[-1].property.mapper.class_ is not model:
        raise SourceError(f"{via[-1]} does not lead to {model.__qualname__}")
    return tuple(via)


def _root_column(root: type, column: object) -> tuple[str, ColumnElement[Any]]:
    """A column attribute of the root class, by attribute or by name: its key and column."""
    mapper = mapper_or_error(root)
    key = column if isinstance(column, str) else getattr(column, "key", None)
    owner = getattr(column, "class_", root)
    if not isinstance(key, str) or key not in mapper.column_attrs or owner is not root:
        raise SourceError(f"the subject and alias columns must be columns of {root.__qualname__}")
    expression: ColumnElement[Any] = getattr(root, key).expression
    return key, expression


def _subject_value(column: ColumnElement[Any], text: str) -> object:
    """The subject's id as the column's Python type; ``None`` when no such value equals it."""
    try:
        kind = column.type.python_type
    except NotImplementedError:
        return text
    if kind is str:
        return text
    try:
        value = kind(text)
    except (TypeError, ValueError):
        return None
    # "0042" is not customer 42: the id must be the value's own spelling
    return value if str(value) == text else None


def _check_timestamps(mapper: Mapper[Any], dialect: str, where: str) -> None:
    """Refuse timestamp columns whose values would come back naive (no instants)."""
    for attr in mapper.column_attrs:
        kind = attr.columns[0].type
        if isinstance(kind, TypeDecorator):  # UTCDateTime, or a type that converts its values
            continue
        if isinstance(kind, DateTime) and (dialect == "sqlite" or not kind.timezone):
            raise SourceError(
                f"{where}.{attr.key} is a DateTime that keeps no time zone on {dialect}, so its "
                "values come back naive; map it as gdprkit.sqlalchemy.UTCDateTime"
            )


class MappedSource:
    """One mapped class as a data source: the subject's rows, found from a root class.

    The root class holds ``subject_column`` (the subject's id, e.g.
    ``Customer.customer_id``); ``via`` names the one-to-many relationships
    from the root down to ``model`` (``(Customer.meters, Meter.readings)``
    for meter readings). :func:`subject_sources` builds one per class from
    the relationships. Reads stream ``batch_size`` rows at a time; each
    write (:meth:`erase`, :meth:`rectify`) is one transaction of its own
    session, changes only rows of the subject and finds them by primary key.
    The id is a bound parameter compared with ``=`` and compared again in
    Python, so no other subject's row ever matches. Records are detached
    snapshots of the mapped class (no session, no lazy loading).
    """

    __slots__ = (
        "_alias",
        "_factory",
        "_keys",
        "_links",
        "_mapper",
        "_name",
        "_order",
        "_path",
        "_pk",
        "_root",
        "_schema",
        "_subject",
        "batch_size",
        "shreddable",
    )

    def __init__(
        self,
        bind: Engine | sessionmaker[Session],
        model: type,
        *,
        subject_column: object,
        via: Sequence[Any] = (),
        alias_columns: Mapping[str, object] | None = None,
        name: str | None = None,
        order_by: Iterable[str] | None = None,
        batch_size: int = 1000,
        shreddable: bool = False,
    ) -> None:
        self._schema: Schema = schema_of(model)
        self._mapper = mapper_or_error(model)
        if self._mapper.inherits is not None or self._mapper.polymorphic_on is not None:
            raise SourceError(f"{self._schema.name} uses mapper inheritance, which is unsupported")
        self._path = _check_path(model, via)
        self._root: type = self._path[0].parent.class_ if self._path else model
        subject_key, self._subject = _root_column(self._root, subject_column)
        self._alias = {k: _root_column(self._root, c)[1] for k, c in (alias_columns or {}).items()}
        self._keys = self._schema.all_fields
        self._pk = tuple(
            self._mapper.get_property_by_column(c).key for c in self._mapper.primary_key
        )
        # the columns that tie a row to its parent (or hold the id): changing them moves the row
        last = self._path[-1].property if self._path else None
        self._links = (
            tuple(self._mapper.get_property_by_column(c).key for _, c in last.local_remote_pairs)
            if last is not None
            else (subject_key,)
        )
        order = tuple(self._pk if order_by is None else order_by)
        for key in order:
            if key not in self._keys:
                raise SourceError(f"order_by names no column of {self._schema.name}: {key!r}")
        self._order = order
        table_name = getattr(self._mapper.persist_selectable, "name", None)
        chosen = name or table_name
        if not isinstance(chosen, str) or not is_identifier(chosen):
            raise SourceError("a source name must be a plain identifier (letters, digits, _)")
        self._name: str = chosen
        if not isinstance(batch_size, int) or batch_size < 1:
            raise SourceError("batch_size must be a positive int")
        self.batch_size = batch_size
        self.shreddable = bool(shreddable)
        self._factory = session_factory(bind)
        with self._factory() as session:
            dialect = session.get_bind(mapper=self._mapper).dialect.name
        _check_timestamps(self._mapper, dialect, self._schema.name)

    def __repr__(self) -> str:
        path = "".join(f".{attr.key}" for attr in self._path)
        return (
            f"<MappedSource {self._name!r}: {self._root.__qualname__}{path} as {self._schema.name}>"
        )

    @property
    def name(self) -> str:
        """The source's name (the table's, by default), used for file names in export packages."""
        return self._name

    @property
    def schemas(self) -> tuple[Schema, ...]:
        """The one schema of this source."""
        return (self._schema,)

    @property
    def subject_field(self) -> str:
        """The column that ties a record to the subject (or to its parent row)."""
        return self._links[0]

    @property
    def key(self) -> tuple[str, ...]:
        """The primary key's attributes: they identify one record."""
        return self._pk

    def record_key(self, record: object) -> tuple[object, ...]:
        """The primary key of ``record``."""
        return tuple(getattr(record, k) for k in self._pk)

    # -- reading ----------------------------------------------------------------------

    def _matches(self, subject: SubjectRef) -> list[tuple[ColumnElement[Any], object]]:
        """(root column, value) pairs of which a row of the subject matches one."""
        pairs = [(self._subject, _subject_value(self._subject, subject.id))]
        for kind, column in sorted(self._alias.items()):
            alias = subject.alias(kind)
            if alias is not None:
                pairs.append((column, _subject_value(column, alias)))
        return [(c, v) for c, v in pairs if v is not None]

    def _joined(self, *columns: Any) -> Any:
        """``SELECT columns`` from the root class joined along the path to the model."""
        stmt = select(*columns)
        if self._path:
            stmt = stmt.select_from(self._root)
            for attr in self._path:
                stmt = stmt.join(attr)
        return stmt

    def _owned(self, subject: SubjectRef) -> ColumnElement[bool]:
        """A WHERE condition on the model's table: the row belongs to ``subject``."""
        pairs = self._matches(subject)
        if not pairs:
            return false()
        found = or_(*(c == v for c, v in pairs))
        if not self._path:
            return found
        pk = [getattr(self._mapper.class_, k) for k in self._pk]
        mine = self._joined(*pk).where(found)
        return pk[0].in_(mine) if len(pk) == 1 else tuple_(*pk).in_(mine)

    def select_statement(self, subject: SubjectRef) -> Any:
        """The SELECT of the subject's rows: the model's columns, then the root's matched ones."""
        pairs = self._matches(subject)
        model = self._mapper.class_
        columns = [getattr(model, k) for k in self._keys]
        checks = [c.label(f"_gdprkit_match_{i}") for i, (c, _) in enumerate(pairs)]
        stmt = self._joined(*columns, *checks).where(or_(false(), *(c == v for c, v in pairs)))
        return stmt.order_by(*(getattr(model, k) for k in self._order))

    def records(self, subject: SubjectRef) -> Iterator[object]:
        """Stream the subject's rows as detached instances of the mapped class."""
        stmt = self.select_statement(subject)
        keys = self._keys
        # (index in the row, value) of the id first, then of each alias
        (index, wanted), *aliases = enumerate(
            [v for _, v in self._matches(subject)] or [None], start=len(keys)
        )
        new = self._mapper.class_manager.new_instance
        with self._factory() as session:
            conn = session.connection(bind_arguments={"mapper": self._mapper})
            result = conn.execution_options(yield_per=self.batch_size).execute(stmt)
            try:
                # Row by row, not a partition at a time: SQLAlchemy still fetches batch_size
                # rows at once, but makes each Row object only when it is asked for, so that
                # they and the instances do not pile up and set off the garbage collector.
                for row in result:
                    # compared again in Python: a case-insensitive collation must not match
                    if row[index] != wanted and not any(row[i] == v for i, v in aliases):
                        continue
                    record = new()
                    # what the ORM's loader does: the row's values become the instance's state
                    record.__dict__.update(zip(keys, row, strict=False))
                    yield record
            finally:
                result.close()  # a server-side cursor, on PostgreSQL: closed before the session

    # -- writes: erasure (Art. 17), rectification (Art. 16) ---------------------------

    def _key_clause(self, key: Sequence[object]) -> ColumnElement[bool]:
        if len(key) != len(self._pk):
            raise SourceError(f"a record key of {self._name!r} has {len(self._pk)} parts")
        model = self._mapper.class_
        return and_(*(getattr(model, k) == v for k, v in zip(self._pk, key, strict=True)))

    def _check_fields(self, fields: Iterable[str], *, emptied: bool = False) -> None:
        model = self._mapper.class_
        for field in fields:
            if field not in self._keys:
                raise SourceError(f"{self._schema.name} has no field {field!r}")
            if emptied and not getattr(getattr(model, field).expression, "nullable", True):
                raise SourceError(
                    f"{self._schema.name}.{field} is NOT NULL, so it cannot be erased from a "
                    "record that keeps other fields; make the column nullable"
                )

    def erase(self, subject: SubjectRef, changes: Iterable[RecordErasure]) -> int:
        """Apply erasure instructions in one transaction; return how many rows changed.

        A record whose every instruction says ``delete`` is deleted; otherwise
        the listed fields are set to NULL. Only rows of ``subject`` are
        touched, found by primary key; a field already NULL is not counted,
        so running it again changes nothing (idempotent).
        """
        model = self._mapper.class_
        mine = self._owned(subject)
        changed = 0
        with self._factory() as session, session.begin():
            for change in changes:
                where = and_(self._key_clause(change.key), mine)
                if change.delete:
                    stmt: Any = delete(model).where(where)
                elif change.fields:
                    self._check_fields(change.fields, emptied=True)
                    columns = [getattr(model, f) for f in change.fields]
                    stmt = (
                        update(model)
                        .where(where, or_(*(c.is_not(None) for c in columns)))
                        .values(dict.fromkeys(change.fields))
                    )
                else:
                    continue
                changed += max(int(session.execute(stmt, execution_options=_NO_SYNC).rowcount), 0)  # type: ignore[attr-defined]
        return changed

    def rectify(
        self,
        subject: SubjectRef,
        changes: Mapping[str, object],
        *,
        key: Iterable[object] | None = None,
    ) -> int:
        """Set ``changes`` on the subject's rows (or the one row with ``key``); return rows changed.

        A column that ties the row to the subject (the id, the key of the
        parent row) cannot be changed: that would move the row to someone
        else. A value the column cannot hold raises
        :class:`~gdprkit.RectificationError` naming the field, never the value.
        """
        self._check_fields(changes)
        for field, value in changes.items():
            if field in self._links:
                raise RectificationError(
                    f"{self._schema.name}.{field} ties the record to its data subject; "
                    "changing it is not a rectification"
                )
            _check_value(self._schema.name, field, getattr(self._mapper.class_, field), value)
        if not changes:
            return 0
        # The rows are found as records() finds them (the id compared again in Python), then
        # changed by primary key: a case-insensitive collation must not widen an UPDATE.
        wanted = None if key is None else tuple(key)
        if wanted is not None and len(wanted) != len(self._pk):
            raise SourceError(f"a record key of {self._name!r} has {len(self._pk)} parts")
        keys = [k for k in map(self.record_key, self.records(subject)) if wanted in (None, k)]
        model = self._mapper.class_
        mine = self._owned(subject)
        changed = 0
        with self._factory() as session, session.begin():
            for k in keys:
                stmt = update(model).where(self._key_clause(k), mine).values(dict(changes))
                result: Any = session.execute(stmt, execution_options=_NO_SYNC)
                changed += max(int(result.rowcount), 0)
        return changed


def _check_value(model: str, field: str, attr: Any, value: object) -> None:
    """Refuse a value the column cannot hold (by its Python type), naming the field only."""
    column = attr.expression
    if value is None:
        if not column.nullable:
            raise RectificationError(f"{model}.{field} cannot be empty (NOT NULL)")
        return
    try:
        expected = column.type.python_type
    except NotImplementedError:
        return
    ok = isinstance(value, expected) and not (isinstance(value, bool) and expected is not bool)
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        ok = True
    if expected is date and isinstance(value, datetime):
        ok = False  # a day is asked for, not an instant
    if isinstance(value, datetime) and (value.tzinfo is None or value.utcoffset() is None):
        raise RectificationError(f"{model}.{field} expects an aware datetime, got a naive one")
    if not ok:
        raise RectificationError(
            f"{model}.{field} expects {expected.__name__}, got {type(value).__name__}"
        )


def _children(mapper: Mapper[Any], subject: str) -> Iterator[Any]:
    """The one-to-many relationships of ``mapper`` to classes of the same kind of subject."""
    for prop in mapper.relationships:
        if prop.direction is not RelationshipDirection.ONETOMANY:
            continue
        target = prop.mapper.class_
        try:
            kind = schema_of(target).subject
        except NotTagged:
            raise SourceError(
                f"{mapper.class_.__qualname__}.{prop.key} leads to {target.__qualname__}, which "
                "is not declared with @personal_data: declare it, or pass follow= to choose "
                "the relationships to follow"
            ) from None
        if kind == subject:
            yield getattr(mapper.class_, prop.key)


def _every_path(root: type) -> list[tuple[Any, ...]]:
    """Breadth first from ``root``: the shortest relationship path to each class it owns."""
    subject = schema_of(root).subject
    paths: dict[type, tuple[Any, ...]] = {root: ()}
    queue = [root]
    while queue:
        here = queue.pop(0)
        for attr in _children(mapper_or_error(here), subject):
            target = attr.property.mapper.class_
            if target not in paths:
                paths[target] = (*paths[here], attr)
                queue.append(target)
    return list(paths.values())


def _dotted(root: type, dotted: str) -> list[tuple[Any, ...]]:
    """``"meters.readings"``: the paths to each class along it (``meters``, then ``readings``)."""
    cls: type = root
    path: tuple[Any, ...] = ()
    out: list[tuple[Any, ...]] = []
    for part in dotted.split("."):
        mapper = mapper_or_error(cls)
        if part not in mapper.relationships:
            raise SourceError(f"{cls.__qualname__} has no relationship {part!r} (in {dotted!r})")
        attr = getattr(cls, part)
        _relationship(attr)
        path = (*path, attr)
        out.append(path)
        cls = attr.property.mapper.class_
    return out


def subject_sources(
    bind: Engine | sessionmaker[Session],
    root: type,
    *,
    subject_column: object,
    follow: Iterable[str] | None = None,
    alias_columns: Mapping[str, object] | None = None,
    shreddable: Iterable[type] = (),
    batch_size: int = 1000,
) -> tuple[MappedSource, ...]:
    """One :class:`MappedSource` per class holding a subject's rows: ``root`` and what it owns.

    Without ``follow``, every one-to-many relationship from ``root`` is
    followed, transitively, to classes declared for the same kind of subject
    (a relationship to an undeclared class is an error: its rows would be
    missing from access requests and erasures). ``follow`` names the
    relationships to follow instead, dotted from ``root``
    (``("invoices", "meters.readings")``). The sources come children first,
    so that an erasure deletes rows before the rows they refer to. The
    sources of the classes in ``shreddable`` hold ciphertexts under the
    subject's key (crypto-shredding).
    """
    schema_of(root)
    if follow is None:
        paths = _every_path(root)
    else:
        if isinstance(follow, str):
            raise SourceError("follow= takes a list of dotted relationship names, not one string")
        paths = [()] + [p for dotted in follow for p in _dotted(root, dotted)]
    chosen: dict[type, tuple[Any, ...]] = {}
    for path in paths:
        chosen.setdefault(path[-1].property.mapper.class_ if path else root, path)
    shred = frozenset(shreddable)
    ordered = sorted(chosen.items(), key=lambda item: -len(item[1]))
    return tuple(
        MappedSource(
            bind,
            model,
            subject_column=subject_column,
            via=path,
            alias_columns=alias_columns,
            batch_size=batch_size,
            shreddable=model in shred,
        )
        for model, path in ordered
    )
