"""The tagged view of a model as values: a field's :class:`Tag`, a class's :class:`Schema`.

A tag is checked when it is made (a dotted category, non-empty purpose ids,
known origins and Art. 9 terms); a schema is what ``@personal_data`` builds
from a class's tags once the policy has accepted them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, TypeVar

import attrs

from gdprkit._errors import PolicyError, UnknownPurpose
from gdprkit._policy.values import Text
from gdprkit._tagging.labels import as_label
from gdprkit._tagging.provenance import source_text
from gdprkit.vocab import Art9Condition, DataCategory, Origin, SpecialCategory

if TYPE_CHECKING:
    from gdprkit.policy import Policy


def _purposes(value: str | Iterable[str]) -> tuple[str, ...]:
    items = (value,) if isinstance(value, str) else tuple(value)
    for item in items:
        if not isinstance(item, str) or not item:
            raise PolicyError("purposes must be non-empty strings (purpose ids of the policy)")
    return tuple(dict.fromkeys(items))


def _category(value: str | DataCategory) -> DataCategory:
    if isinstance(value, DataCategory):
        return value
    try:
        return DataCategory(value)
    except ValueError:
        raise PolicyError(
            "category must be a dotted lowercase name such as 'contact.email'"
        ) from None


E = TypeVar("E", Origin, SpecialCategory, Art9Condition)


def _enum(kind: type[E], value: object) -> E:
    if isinstance(value, kind):
        return value
    if isinstance(value, str):
        try:
            return kind.parse(value)
        except ValueError as exc:
            raise PolicyError(str(exc)) from None
    raise PolicyError(f"expected a {kind.__name__}, got {type(value).__name__}")


def _origin(value: object) -> Origin:
    return _enum(Origin, value)


def _special(value: object) -> SpecialCategory | None:
    return None if value is None else _enum(SpecialCategory, value)


def _condition(value: object) -> Art9Condition | None:
    return None if value is None else _enum(Art9Condition, value)


@attrs.frozen
class Tag:
    """What a field holds and why: its category, purposes, origin and Art. 9 status.

    ``source`` names where third-party data came from ("Partner Reseller AB"),
    which an access package tells the subject (Art. 14(2)(f), 15(1)(g)); it
    is only for a field whose ``origin`` is ``third_party``. ``label`` is the
    field's name for people (Art. 12(1)).
    """

    category: DataCategory = attrs.field(converter=_category)
    purposes: tuple[str, ...] = attrs.field(converter=_purposes)
    origin: Origin = attrs.field(default=Origin.PROVIDED, converter=_origin)
    identifies: bool = False
    special: SpecialCategory | None = attrs.field(default=None, converter=_special)
    condition: Art9Condition | None = attrs.field(default=None, converter=_condition)
    description: str | None = None
    label: Text | None = attrs.field(default=None, converter=as_label)
    source: Text | None = attrs.field(default=None, converter=source_text)

    def allows(self, purpose: str) -> bool:
        """Whether the field may be used for ``purpose``."""
        return purpose in self.purposes


@attrs.frozen
class FieldInfo:
    """A tagged field of a schema."""

    name: str
    tag: Tag


@attrs.frozen
class Schema:
    """The tagged view of a data model: subject kind, personal fields and their tags.

    ``label`` and ``field_labels`` are its names for people (Art. 12(1));
    ``source`` is where the model's third-party data came from, for fields
    that do not name their own (``@personal_data(source=...)``; Art. 15(1)(g)).
    """

    model: type = attrs.field(eq=False)
    subject: str
    fields: tuple[FieldInfo, ...]
    all_fields: tuple[str, ...]
    policy: Policy | None = attrs.field(default=None, eq=False, repr=False)
    id_field: str | None = None
    label: Text | None = None
    field_labels: tuple[tuple[str, Text], ...] = ()
    source: Text | None = None

    def field_label(self, field: str) -> Text | None:
        """The declared label of ``field``: its tag's, else ``personal_data(field_labels=)``'s."""
        for f in self.fields:
            if f.name == field and f.tag.label is not None:
                return f.tag.label
        return dict(self.field_labels).get(field)

    @property
    def subject_id_field(self) -> str | None:
        """The field that holds the data subject's id: declared, else the first identifying one."""
        if self.id_field is not None:
            return self.id_field
        ids = self.identifying
        return ids[0] if ids else None

    def subject_id(self, obj: object) -> str | None:
        """The data subject's id in ``obj`` (``None`` when the model names no id field)."""
        name = self.subject_id_field
        if name is None:
            return None
        value = getattr(obj, name)
        return None if value is None else str(value)

    @property
    def name(self) -> str:
        """The model's qualified name."""
        return self.model.__qualname__

    @property
    def personal_fields(self) -> tuple[str, ...]:
        """The names of the tagged (personal) fields, in declaration order."""
        return tuple(f.name for f in self.fields)

    @property
    def identifying(self) -> tuple[str, ...]:
        """The fields marked ``identifies=True``."""
        return tuple(f.name for f in self.fields if f.tag.identifies)

    @property
    def purposes(self) -> frozenset[str]:
        """Every purpose some field is tagged for."""
        return frozenset(p for f in self.fields for p in f.tag.purposes)

    def tag(self, field: str) -> Tag:
        """The tag of ``field``; an untagged or unknown field raises ``KeyError``."""
        for f in self.fields:
            if f.name == field:
                return f.tag
        raise KeyError(field)

    def fields_for(self, purpose: str) -> tuple[str, ...]:
        """The fields tagged for ``purpose``, in declaration order.

        A purpose the policy lacks raises :class:`~gdprkit.UnknownPurpose`.
        """
        self._check_purpose(purpose)
        return tuple(f.name for f in self.fields if f.tag.allows(purpose))

    def _check_purpose(self, purpose: str) -> None:
        known = self.policy.purposes if self.policy is not None else self.purposes
        if purpose not in known:
            raise UnknownPurpose(purpose, known=known)
