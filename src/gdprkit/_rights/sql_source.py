"""A data source over one table of a DB-API 2 connection, and the SQL it needs.

Identifiers are checked and double-quoted, values are always bound
parameters in the driver's paramstyle, and every write is one transaction.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import attrs

from gdprkit._errors import SourceError
from gdprkit._policy.values import Text
from gdprkit._rights.cells import transpose
from gdprkit._rights.sources import (
    AnonymousTable,
    OneKindSource,
    RecordErasure,
    SubjectRef,
    check_source_name,
    check_source_of_data,
)
from gdprkit._sqlvalues import column_converters, convert_column, field_hints, to_db
from gdprkit._util import is_identifier
from gdprkit.tagging import Schema, schema_of

__all__ = ["SQLSource", "paramstyle_of", "quote_identifier"]


def _placeholder(paramstyle: str, index: int) -> str:
    if paramstyle == "qmark":
        return "?"
    if paramstyle in ("format", "pyformat"):
        return "%s"
    if paramstyle == "numeric":
        return f":{index + 1}"
    if paramstyle == "named":
        return f":p{index}"
    raise SourceError(f"unsupported DB-API paramstyle {paramstyle!r}")


def _params(paramstyle: str, values: list[Any]) -> Any:
    if paramstyle == "named":
        return {f"p{i}": v for i, v in enumerate(values)}
    return tuple(values)


def quote_identifier(name: str) -> str:
    """Double-quote a validated SQL identifier (``schema.table`` allowed)."""
    parts = name.split(".")
    if not parts or not all(is_identifier(p) for p in parts):
        raise SourceError("SQL table and column names must be plain identifiers")
    return ".".join(f'"{p}"' for p in parts)


def paramstyle_of(conn: object) -> str:
    """The DB-API 2 paramstyle of a connection's driver module (``qmark`` for sqlite3)."""
    module = type(conn).__module__.split(".")[0]
    try:
        style = getattr(importlib.import_module(module), "paramstyle", None)
    except ImportError:
        style = None
    if not isinstance(style, str):
        raise SourceError("cannot tell the connection's paramstyle; pass paramstyle=")
    return style


@contextmanager
def _write_transaction(conn: Any) -> Iterator[Any]:
    """A cursor of ``conn`` for one write: commit at the end, roll back on any exception."""
    cursor = conn.cursor()
    try:
        yield cursor
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    finally:
        cursor.close()


def _takes_positionally(model: type, fields: tuple[str, ...]) -> bool:
    """Whether ``model(*values)`` means ``model(**dict(zip(fields, values)))``.

    True for an attrs class or dataclass whose ``__init__`` takes exactly
    ``fields``, in order, as ordinary parameters; passing rows by position
    saves building a dict of keyword arguments per row.
    """
    if not (attrs.has(model) or dataclasses.is_dataclass(model)):
        return False
    try:
        params = list(inspect.signature(model).parameters.values())
    except (TypeError, ValueError):
        return False
    return tuple(p.name for p in params) == fields and all(
        p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD for p in params
    )


@attrs.frozen
class _Rows:
    """How :meth:`SQLSource.records` turns one query's fetched rows into model instances.

    Each column is converted to its field's type as :func:`~gdprkit._sqlvalues.from_db`
    would, a row is kept only if its subject column (or an alias column) holds the
    subject's id, and the model is called with the row. :meth:`by_columns` does a
    batch a column at a time (one C call per value for the common columns);
    :meth:`one_by_one` is its plain twin, which also raises at the row that fails.
    """

    fields: tuple[str, ...]
    model: type
    converters: tuple[tuple[int, type, Callable[[object], object]], ...]
    subject_index: int
    subject_id: str
    aliases: tuple[tuple[int, object], ...]
    positional: bool = attrs.field(init=False)

    @positional.default
    def _positional(self) -> bool:
        return _takes_positionally(self.model, self.fields)

    def _belongs(self, row: Sequence[object]) -> bool:
        return row[self.subject_index] == self.subject_id or any(
            row[i] == alias for i, alias in self.aliases
        )

    def _make(self, row: Sequence[object]) -> object:
        if self.positional:
            return self.model(*row)
        return self.model(**dict(zip(self.fields, row, strict=True)))

    def one_by_one(self, batch: Iterable[Sequence[object]]) -> Iterator[object]:
        """The batch's records, converting and checking one row at a time."""
        for raw in batch:
            row = list(raw)
            for index, keep, convert in self.converters:
                value = row[index]
                if value is not None and type(value) is not keep:
                    row[index] = convert(value)
            if self._belongs(row):
                yield self._make(row)

    def by_columns(self, batch: Sequence[Sequence[object]]) -> Iterator[object] | None:
        """The batch's records, converted a column at a time; None when a value fails to
        convert (then :meth:`one_by_one` raises at its row, after the rows before it).

        The records are made as they are taken, so that only those in use are alive: a
        thousand objects alive at once would set off the garbage collector.
        """
        columns: list[Sequence[object]] = list(transpose(batch, len(self.fields)))
        for index, keep, convert in self.converters:
            converted = convert_column(columns[index], keep, convert)
            if converted is None:
                return None
            columns[index] = converted
        subjects = columns[self.subject_index]
        if subjects.count(self.subject_id) == len(subjects):
            if self.positional:
                return map(self.model, *columns)
            return map(self._make, zip(*columns, strict=True))
        return map(self._make, filter(self._belongs, zip(*columns, strict=True)))


def _column_map(schema: Schema, columns: Mapping[str, str] | None) -> dict[str, str]:
    """Field -> column, each checked; by default each field is the column of the same name."""
    mapping = {f: f for f in schema.all_fields}
    if columns:
        for field, column in columns.items():
            if field not in mapping:
                raise SourceError(f"{schema.name} has no field {field!r}")
            mapping[field] = column
    for column in mapping.values():
        quote_identifier(column)
    return mapping


class _AnonymousSet:
    """:class:`SQLSource`'s anonymous set (Recital 26): the table it reads and adds rows to."""

    __slots__ = ()
    _conn: Any
    _anonymous_table: str | None
    _name: str
    _paramstyle: str
    batch_size: int

    @property
    def keeps_anonymous(self) -> bool:
        """Whether the source has an anonymous table (``anonymous_table=``)."""
        return self._anonymous_table is not None

    def _anonymous(self, columns: Sequence[str]) -> tuple[str, str]:
        if self._anonymous_table is None:
            raise SourceError(f"source {self._name!r} keeps no anonymous set (anonymous_table=)")
        return quote_identifier(self._anonymous_table), ", ".join(
            quote_identifier(c) for c in columns
        )

    def anonymous_rows(self, columns: Sequence[str]) -> Iterator[Sequence[object]]:
        """Stream the anonymous table's rows as values of ``columns``, in that order."""
        table, cols = self._anonymous(columns)
        cursor = self._conn.cursor()
        try:
            cursor.execute(f"SELECT {cols} FROM {table}")
            while batch := cursor.fetchmany(self.batch_size):
                yield from batch
        finally:
            cursor.close()

    def _add_anonymous(self, cursor: Any, anonymous: Sequence[AnonymousTable]) -> int:
        """Insert the anonymous rows with ``cursor``; return how many."""
        added = 0
        for columns, rows in anonymous:
            table, cols = self._anonymous(columns)
            marks = ", ".join(_placeholder(self._paramstyle, i) for i in range(len(columns)))
            for row in rows:
                cursor.execute(
                    f"INSERT INTO {table} ({cols}) VALUES ({marks})",
                    _params(self._paramstyle, list(row)),
                )
                added += 1
        return added


class SQLSource(OneKindSource, _AnonymousSet):
    """A source over one table of a DB-API 2 connection, mapped to a tagged model.

    Table and column names are checked against the model and quoted; the
    subject id is always a bound parameter, compared with ``=`` (never
    ``LIKE``), and each row's subject column is compared again in Python, so
    an id such as ``x' OR '1'='1`` matches nothing. Works with ``sqlite3``
    (qmark) and psycopg (``%s``); the paramstyle is read from the driver.

    With ``anonymous_table``, the source keeps an anonymous set of its record
    kind in that table of the same database (an
    :class:`~gdprkit.rights.AnonymizingSource`): an erasure that keeps the
    records' data as anonymous data adds the anonymous form's rows there, its
    columns named as the form's, in the transaction that erases the records.
    Keep it in the same database, so that a restored backup brings back the
    records and the anonymous set as they were together.
    ``source_of_data`` names where the table's third-party data came from
    (Art. 15(1)(g); see :class:`~gdprkit.rights.ThirdPartySource`).
    """

    __slots__ = (
        "_anonymous_table",
        "_columns",
        "_conn",
        "_hints",
        "_key",
        "_order_by",
        "_paramstyle",
        "_table",
        "batch_size",
        "shreddable",
    )

    def __init__(
        self,
        conn: Any,
        *,
        table: str,
        subject_column: str,
        model: type,
        name: str | None = None,
        columns: Mapping[str, str] | None = None,
        alias_columns: Mapping[str, str] | None = None,
        order_by: Iterable[str] = (),
        paramstyle: str | None = None,
        batch_size: int = 1000,
        key: Iterable[str] = (),
        shreddable: bool = False,
        anonymous_table: str | None = None,
        source_of_data: Text | str | None = None,
    ) -> None:
        self._schema = schema_of(model)
        self._source_of_data = check_source_of_data(self._schema, source_of_data)
        mapping = _column_map(self._schema, columns)
        quote_identifier(table)
        if subject_column not in mapping:
            raise SourceError(
                f"subject column {subject_column!r} is not a field of {self._schema.name}"
            )
        for kind, field in (alias_columns or {}).items():
            if field not in mapping:
                raise SourceError(f"alias {kind!r} names no field of {self._schema.name}")
        order = tuple(order_by)
        for field in order:
            if field not in mapping:
                raise SourceError(f"order_by names no field of {self._schema.name}: {field!r}")
        self._conn = conn
        self._table = table
        self._columns = mapping
        self._subject_field = subject_column
        self._alias_fields = dict(alias_columns or {})
        self._order_by = order
        self._key = tuple(key)
        for field in self._key:
            if field not in mapping:
                raise SourceError(f"key names no field of {self._schema.name}: {field!r}")
        self.shreddable = bool(shreddable)
        if anonymous_table is not None:
            quote_identifier(anonymous_table)
        self._anonymous_table = anonymous_table
        self._name = check_source_name(name or table.split(".")[-1])
        self._paramstyle = paramstyle or paramstyle_of(conn)
        _placeholder(self._paramstyle, 0)
        self._hints = field_hints(self._schema.model)
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError("batch_size must be a positive int")
        self.batch_size = batch_size

    def __repr__(self) -> str:
        return f"<SQLSource {self._name!r}: table {self._table!r} as {self._schema.name}>"

    @property
    def connection(self) -> Any:
        """The DB-API connection."""
        return self._conn

    def _where(self, subject: SubjectRef) -> tuple[str, list[Any]]:
        values: list[Any] = [subject.id]
        clauses = [f"{quote_identifier(self._columns[self._subject_field])} = "
                   f"{_placeholder(self._paramstyle, 0)}"]  # fmt: skip
        for kind, field in sorted(self._alias_fields.items()):
            alias = subject.alias(kind)
            if alias is not None:
                clauses.append(
                    f"{quote_identifier(self._columns[field])} = "
                    f"{_placeholder(self._paramstyle, len(values))}"
                )
                values.append(alias)
        return " OR ".join(clauses), values

    def select_sql(self, subject: SubjectRef) -> tuple[str, Any]:
        """The parameterised SELECT for the subject's rows, and its parameters."""
        cols = ", ".join(quote_identifier(c) for c in self._columns.values())
        where, values = self._where(subject)
        sql = f"SELECT {cols} FROM {quote_identifier(self._table)} WHERE {where}"
        if self._order_by:
            sql += " ORDER BY " + ", ".join(
                quote_identifier(self._columns[f]) for f in self._order_by
            )
        return sql, _params(self._paramstyle, values)

    def records(self, subject: SubjectRef) -> Iterator[object]:
        """Stream the subject's rows as model instances, ``batch_size`` rows at a time."""
        sql, params = self.select_sql(subject)
        fields = tuple(self._columns)
        # Decided once per query, not per row: which columns need converting (as from_db
        # would), how the subject is matched (as _belongs would), how the model is called.
        rows = _Rows(
            fields,
            self._schema.model,
            column_converters(fields, self._hints, lambda f: f"{self._table}.{self._columns[f]}"),
            fields.index(self._subject_field),
            subject.id,
            tuple(
                (fields.index(field), alias)
                for kind, field in self._alias_fields.items()
                if (alias := subject.alias(kind)) is not None
            ),
        )
        cursor = self._conn.cursor()
        try:
            cursor.execute(sql, params)
            while True:
                batch = cursor.fetchmany(self.batch_size)
                if not batch:
                    break
                models = rows.by_columns(batch)
                yield from rows.one_by_one(batch) if models is None else models
        finally:
            cursor.close()

    # -- writes: erasure (Art. 17) and rectification (Art. 16) ------------------

    @property
    def key(self) -> tuple[str, ...]:
        """The fields that identify one record: ``key=``, else every mapped field.

        Without a declared primary key a record is found by all its values
        (NULLs compared with ``IS NULL``), so rows that are equal in every
        column are erased together; declare ``key=`` where the table has one.
        """
        return self._key or tuple(self._columns)

    def record_key(self, record: object) -> tuple[object, ...]:
        """The key of ``record`` (its values of :attr:`key`)."""
        return tuple(getattr(record, f) for f in self.key)

    def _key_where(self, key: list[object], offset: int) -> tuple[str, list[object]]:
        """The WHERE clause that finds one record by its key values, and its parameters."""
        clauses: list[str] = []
        params: list[object] = []
        for field, value in zip(self.key, key, strict=True):
            column = quote_identifier(self._columns[field])
            if value is None:
                clauses.append(f"{column} IS NULL")
            else:
                clauses.append(f"{column} = {_placeholder(self._paramstyle, offset + len(params))}")
                params.append(value)
        return " AND ".join(clauses), params

    def _subject_where(self, offset: int) -> str:
        column = quote_identifier(self._columns[self._subject_field])
        return f"{column} = {_placeholder(self._paramstyle, offset)}"

    def erase(self, subject: SubjectRef, changes: Iterable[RecordErasure]) -> int:
        """Apply erasure instructions in one transaction; return how many rows changed.

        A record whose every instruction says ``delete`` is deleted; otherwise
        the listed fields are set to NULL. Records are found by :attr:`key`
        (the plan took the keys from ``records(subject)``); a field already
        NULL is not counted, so running it again changes nothing (idempotent).
        """
        with _write_transaction(self._conn) as cursor:
            return self._erase(cursor, changes)[0]

    def _erase(self, cursor: Any, changes: Iterable[RecordErasure]) -> tuple[int, int]:
        """Apply the instructions; return the rows changed, and how many were ``anonymized``."""
        table = quote_identifier(self._table)
        changed = anonymized = 0
        for change in changes:
            key = [to_db(k) for k in change.key]
            if len(key) != len(self.key):
                raise SourceError(f"a record key of {self._name!r} has {len(self.key)} parts")
            where, params = self._key_where(key, 0)
            if change.delete:
                sql = f"DELETE FROM {table} WHERE {where}"
            elif change.fields:
                for field in change.fields:
                    if field not in self._columns:
                        raise SourceError(f"{self._schema.name} has no field {field!r}")
                column_list = [quote_identifier(self._columns[f]) for f in change.fields]
                sets = ", ".join(f"{c} = NULL" for c in column_list)
                not_null = " OR ".join(f"{c} IS NOT NULL" for c in column_list)
                sql = f"UPDATE {table} SET {sets} WHERE {where} AND ({not_null})"
            else:
                continue
            cursor.execute(sql, _params(self._paramstyle, params))
            count = max(int(cursor.rowcount), 0)
            changed += count
            anonymized += count if change.anonymized else 0
        return changed, anonymized

    def anonymize(
        self,
        subject: SubjectRef,
        changes: Iterable[RecordErasure],
        anonymous: Sequence[AnonymousTable],
    ) -> tuple[int, int]:
        """Erase the records and add the anonymous rows in one transaction; (records, rows).

        The rows go into ``anonymous_table`` only if a record marked
        ``anonymized`` was still there to change, so a rerun of the same plan
        adds nothing; a failure rolls both back.
        """
        with _write_transaction(self._conn) as cursor:
            changed, anonymized = self._erase(cursor, changes)
            return changed, self._add_anonymous(cursor, anonymous) if anonymized else 0

    def rectify(
        self,
        subject: SubjectRef,
        changes: Mapping[str, object],
        *,
        key: Iterable[object] | None = None,
    ) -> int:
        """Set ``changes`` on the subject's rows (or the one row with ``key``); return rows changed."""
        for field in changes:
            if field not in self._columns:
                raise SourceError(f"{self._schema.name} has no field {field!r}")
        fields = list(changes)
        if not fields:
            return 0
        sets = ", ".join(
            f"{quote_identifier(self._columns[f])} = {_placeholder(self._paramstyle, i)}"
            for i, f in enumerate(fields)
        )
        values: list[object] = [to_db(changes[f]) for f in fields]
        where = self._subject_where(len(values))
        values.append(subject.id)
        if key is not None:
            key_values = [to_db(k) for k in key]
            if len(key_values) != len(self.key):
                raise SourceError(f"a record key of {self._name!r} has {len(self.key)} parts")
            key_where, key_params = self._key_where(key_values, len(values))
            where += " AND " + key_where
            values.extend(key_params)
        with _write_transaction(self._conn) as cursor:
            cursor.execute(
                f"UPDATE {quote_identifier(self._table)} SET {sets} WHERE {where}",
                _params(self._paramstyle, values),
            )
            return max(int(cursor.rowcount), 0)
