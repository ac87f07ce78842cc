"""Data sources: where a service's records about a subject come from, and what a source can do.

:class:`DataSource` is what every source offers (a name, its schemas, the
subject's records); the optional capabilities are protocols of their own, so
that a source declares them by having the methods (structural typing) and
gdprkit asks for them by name instead of probing attributes:
:class:`ErasableSource` (Art. 17), :class:`ShreddableSource`
(crypto-shredding), :class:`AnonymizingSource` (anonymous data, Recital 26),
:class:`RectifiableSource` (Art. 16), :class:`SubjectFieldSource` and
:class:`ThirdPartySource` (Art. 15(1)(g)).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Protocol, runtime_checkable

import attrs

from gdprkit._errors import PolicyError, SourceError
from gdprkit._policy.values import Text
from gdprkit._rights.names import name_problem, shown
from gdprkit._tagging.provenance import source_text
from gdprkit.tagging import Schema, schema_of
from gdprkit.vocab import Origin

__all__ = [
    "AnonymizingSource",
    "DataSource",
    "ErasableSource",
    "IterableSource",
    "RecordErasure",
    "RectifiableSource",
    "ShreddableSource",
    "SubjectFieldSource",
    "SubjectRef",
    "ThirdPartySource",
]


def _aliases(value: Mapping[str, str] | Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    items = tuple(sorted(dict(value).items()))
    for kind, ident in items:
        if not isinstance(kind, str) or not isinstance(ident, str) or not kind or not ident:
            raise TypeError("aliases map an identifier kind (str) to an identifier (str)")
    return items


@attrs.frozen
class SubjectRef:
    """A data subject: its kind and id (customer ``"C-1042"``), plus alias identifiers.

    Aliases (``{"email": "anna@example.se", "meter_id": "M-77"}``) let a
    source match records keyed on another identifier. The repr hides the
    identifiers: they are personal data.
    """

    kind: str = attrs.field()
    id: str = attrs.field(repr=False)
    aliases: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_aliases, repr=False)

    @kind.validator
    def _check_kind(self, _: attrs.Attribute[str], value: str) -> None:
        if not isinstance(value, str) or not value:
            raise TypeError("SubjectRef.kind must be a non-empty string")

    @id.validator
    def _check_id(self, _: attrs.Attribute[str], value: str) -> None:
        if not isinstance(value, str) or not value:
            raise TypeError("SubjectRef.id must be a non-empty string")

    def alias(self, kind: str) -> str | None:
        """The alias identifier of ``kind``, if given."""
        return dict(self.aliases).get(kind)


@attrs.frozen
class RecordErasure:
    """What to do to one record: delete it, or set ``fields`` to NULL.

    ``anonymized`` marks a record whose data goes into the source's anonymous
    set (:class:`AnonymizingSource`): the anonymous rows are added only if
    such a record was still there to erase, so a rerun adds nothing twice.
    """

    key: tuple[object, ...]
    fields: tuple[str, ...] = ()
    delete: bool = False
    anonymized: bool = False


@runtime_checkable
class DataSource(Protocol):
    """Where records about a subject live: a name, the schema(s) it yields, and the records.

    ``records(subject)`` streams the subject's records (tagged attrs or
    dataclass instances). Sources that support erasure (Art. 17) are also
    :class:`ErasableSource`, those that support rectification (Art. 16)
    :class:`RectifiableSource`; :class:`SQLSource` is both.
    """

    @property
    def name(self) -> str:
        """A short identifier, used for file names in export packages."""

    @property
    def schemas(self) -> tuple[Schema, ...]:
        """The tagged schemas of the records this source yields."""

    def records(self, subject: SubjectRef) -> Iterable[object]:
        """The subject's records, streamed."""


@runtime_checkable
class ErasableSource(DataSource, Protocol):
    """A :class:`~gdprkit.rights.DataSource` that can erase record by record."""

    def record_key(self, record: object) -> tuple[object, ...]:
        """The key that identifies ``record`` in this source."""

    def erase(self, subject: SubjectRef, changes: Iterable[RecordErasure]) -> int:
        """Apply the changes; return how many records changed (0 when already done)."""


@runtime_checkable
class ShreddableSource(ErasableSource, Protocol):
    """An :class:`ErasableSource` that may hold ciphertexts under the subject's key.

    Where ``shreddable`` is true, :func:`~gdprkit.rights.plan_erasure` plans
    to SHRED (destroy the subject's key, crypto-shredding) what it would
    otherwise ERASE, unless the source also keeps something under Art. 17(3).
    """

    @property
    def shreddable(self) -> bool:
        """Whether the source's values are encrypted under the subject's key."""


#: Anonymous rows for :meth:`AnonymizingSource.anonymize`: (columns, rows of values) per form.
AnonymousTable = tuple[Sequence[str], Sequence[Sequence[object]]]


@runtime_checkable
class AnonymizingSource(ErasableSource, Protocol):
    """An :class:`ErasableSource` that keeps an anonymous set of its record kind (Recital 26).

    Where ``keeps_anonymous`` is true, an erasure that keeps a record's data as
    anonymous data (:attr:`~gdprkit.rights.ErasureAction.ANONYMIZE`) reads the
    set (:meth:`anonymous_rows`) to check k, then erases the records and adds
    the anonymous rows in one step (:meth:`anonymize`).
    """

    @property
    def keeps_anonymous(self) -> bool:
        """Whether the source has an anonymous set to add rows to."""

    def anonymous_rows(self, columns: Sequence[str]) -> Iterable[Sequence[object]]:
        """The anonymous set's rows as it is, as values of ``columns`` in that order."""

    def anonymize(
        self,
        subject: SubjectRef,
        changes: Iterable[RecordErasure],
        anonymous: Sequence[AnonymousTable],
    ) -> tuple[int, int]:
        """Erase as :meth:`erase` does and add the rows, at once; return (records, rows).

        The rows are added only if a record marked ``anonymized`` was still
        there to change (a rerun adds nothing); ``(0, 0)`` when all was done.
        """


@runtime_checkable
class RectifiableSource(DataSource, Protocol):
    """A :class:`~gdprkit.rights.DataSource` that can correct records in place (Art. 16)."""

    def rectify(
        self,
        subject: SubjectRef,
        changes: Mapping[str, object],
        *,
        key: Iterable[object] | None = None,
    ) -> int:
        """Set ``changes`` on the subject's records (or the one with ``key``); return how many."""


@runtime_checkable
class ThirdPartySource(DataSource, Protocol):
    """A :class:`~gdprkit.rights.DataSource` that names where its third-party data came from.

    An access package tells the subject, for each record kind, any available
    information on where data not collected from them came from (Art.
    15(1)(g); Art. 14(2)(f) at collection). ``source_of_data`` applies to the
    fields of origin ``third_party`` that do not name a source of their own
    (``pd_field(source=...)``), and before the model's
    (``@personal_data(source=...)``): the source knows where its records came
    from. ``None`` names none.
    """

    @property
    def source_of_data(self) -> Text | None:
        """Where the source's third-party data came from ("Partner Reseller AB"), or None."""


@runtime_checkable
class SubjectFieldSource(DataSource, Protocol):
    """A :class:`~gdprkit.rights.DataSource` that names the field saying whose record it is.

    :func:`~gdprkit.rights.rectify` refuses to change that field: it would
    move the records to another subject. Without it, the schema's subject id
    field is the one protected.
    """

    @property
    def subject_field(self) -> str:
        """The field that says whose record it is."""


def check_source_of_data(schema: Schema, value: object) -> Text | None:
    """``value`` as the source of a data source's third-party data, checked against its schema."""
    try:
        text = source_text(value)
    except PolicyError as exc:
        raise SourceError(f"source_of_data: {exc}") from None
    if text is not None and not any(f.tag.origin is Origin.THIRD_PARTY for f in schema.fields):
        raise SourceError(
            f"source_of_data names where third-party data came from (Art. 15(1)(g)), but no "
            f"field of {schema.name} has origin='third_party'"
        )
    return text


def check_source_name(name: str) -> str:
    """Check a built-in source's name when it is made, as every source's is at export time."""
    problem = name_problem(name)
    if problem is not None:
        named = f" {shown(name)}" if isinstance(name, str) and name else ""
        raise SourceError(f"the source name{named} {problem}; it becomes a file name in packages")
    return name


class OneKindSource:
    """What the built-in sources share: a name, one schema, exact subject matching."""

    __slots__ = ("_alias_fields", "_name", "_schema", "_source_of_data", "_subject_field")
    _name: str
    _schema: Schema
    _subject_field: str
    _alias_fields: dict[str, str]
    _source_of_data: Text | None

    @property
    def name(self) -> str:
        """The source's name, used for file names in export packages."""
        return self._name

    @property
    def schemas(self) -> tuple[Schema, ...]:
        """The one schema of this source."""
        return (self._schema,)

    @property
    def subject_field(self) -> str:
        """The field that says whose record it is."""
        return self._subject_field

    @property
    def source_of_data(self) -> Text | None:
        """Where the records' third-party data came from, if named (Art. 15(1)(g))."""
        return self._source_of_data

    def _belongs(self, value_of: Callable[[str], object], subject: SubjectRef) -> bool:
        """Whether a record belongs to ``subject``: exact equality, never a pattern."""
        if value_of(self._subject_field) == subject.id:
            return True
        for kind, field in self._alias_fields.items():
            alias = subject.alias(kind)
            if alias is not None and value_of(field) == alias:
                return True
        return False


class IterableSource(OneKindSource):
    """A source over an iterable (or a callable returning one) of tagged objects.

    Only records whose ``subject_field`` equals the subject's id are yielded;
    with ``alias_fields`` a record also matches on an alias identifier
    (``{"email": "email"}``: alias kind -> field). ``source_of_data`` names
    where the records' third-party data came from (:class:`ThirdPartySource`).
    """

    __slots__ = ("_data",)

    def __init__(
        self,
        name: str,
        model: type,
        data: Iterable[object] | Callable[[SubjectRef], Iterable[object]],
        *,
        subject_field: str,
        alias_fields: Mapping[str, str] | None = None,
        source_of_data: Text | str | None = None,
    ) -> None:
        self._name = check_source_name(name)
        self._schema = schema_of(model)
        self._source_of_data = check_source_of_data(self._schema, source_of_data)
        fields = set(self._schema.all_fields)
        for f in (subject_field, *(alias_fields or {}).values()):
            if f not in fields:
                raise SourceError(f"{self._schema.name} has no field {f!r}")
        self._subject_field = subject_field
        self._alias_fields = dict(alias_fields or {})
        self._data = data

    def __repr__(self) -> str:
        return f"<IterableSource {self._name!r} of {self._schema.name}>"

    def matches(self, record: object, subject: SubjectRef) -> bool:
        """Whether ``record`` belongs to ``subject`` (exact equality, never a pattern)."""
        return self._belongs(lambda field: getattr(record, field), subject)

    def records(self, subject: SubjectRef) -> Iterator[object]:
        """The subject's records, in the iterable's order."""
        data = self._data(subject) if callable(self._data) else self._data
        model = self._schema.model
        for record in data:
            if not isinstance(record, model):
                raise SourceError(
                    f"source {self._name!r} yielded a {type(record).__name__}, "
                    f"not a {self._schema.name}"
                )
            if self.matches(record, subject):
                yield record
