"""Tag the fields of data models with category, purposes and origin; project for a purpose.

``@personal_data`` checks every tag against the policy when the class is
defined; ``project()`` hands out only the fields a purpose may use
(purpose limitation, GDPR Art. 5(1)(b); data minimisation, Art. 5(1)(c)).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, overload

import attrs

from gdprkit._errors import (
    NotTagged,
    PolicyError,
    PolicyProblem,
    PurposeNotAllowed,
    UnknownPurpose,
)
from gdprkit._models import (
    TAG_KEY,
    ModelAdapter,
    ModelField,
    NotPersonal,
    adapter_for,
    not_personal,
    register_model_adapter,
)
from gdprkit._policy.values import Text
from gdprkit.vocab import BUILTIN_TAXONOMY, Art9Condition, DataCategory, Origin, SpecialCategory

if TYPE_CHECKING:
    from gdprkit.policy import Policy

__all__ = [
    "FieldInfo",
    "Guard",
    "ModelAdapter",
    "ModelField",
    "NotPersonal",
    "Personal",
    "Schema",
    "Tag",
    "install_guards",
    "not_personal",
    "pd_field",
    "personal_data",
    "project",
    "register_model_adapter",
    "schema_of",
    "using_guards",
]

T = TypeVar("T")
C = TypeVar("C", bound=type)

_SCHEMA_ATTR = "__gdprkit_schema__"


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


def source_text(value: object) -> Text | None:
    """Where data came from, as a :class:`~gdprkit.Text`: a ``Text`` (sv/en), or a ``str``.

    A ``str`` (a name such as "Partner Reseller AB") is the same in every
    language. An empty text, or anything else, raises :class:`~gdprkit.PolicyError`.
    """
    if value is None:
        return None
    if isinstance(value, str):
        value = Text.of(value.strip())
    if not isinstance(value, Text):
        raise PolicyError(f"source must be a Text or a str, got {type(value).__name__}")
    if not value.values or not all(text.strip() for _, text in value.values):
        raise PolicyError("source must name where the data came from; it is empty")
    return value


@attrs.frozen
class Tag:
    """What a field holds and why: its category, purposes, origin and Art. 9 status.

    ``source`` names where third-party data came from ("Partner Reseller AB"),
    which an access package tells the subject (Art. 14(2)(f), 15(1)(g)); it
    is only for a field whose ``origin`` is ``third_party``.
    """

    category: DataCategory = attrs.field(converter=_category)
    purposes: tuple[str, ...] = attrs.field(converter=_purposes)
    origin: Origin = attrs.field(default=Origin.PROVIDED, converter=_origin)
    identifies: bool = False
    special: SpecialCategory | None = attrs.field(default=None, converter=_special)
    condition: Art9Condition | None = attrs.field(default=None, converter=_condition)
    description: str | None = None
    source: Text | None = attrs.field(default=None, converter=source_text)

    def allows(self, purpose: str) -> bool:
        """Whether the field may be used for ``purpose``."""
        return purpose in self.purposes


#: ``Annotated[str, Personal(category=..., purposes=...)]`` for stdlib dataclasses.
Personal = Tag


@overload
def pd_field(
    *,
    category: str | DataCategory,
    purposes: str | Iterable[str],
    default: T,
    origin: Origin | str = ...,
    identifies: bool = ...,
    special: SpecialCategory | str | None = ...,
    condition: Art9Condition | str | None = ...,
    description: str | None = ...,
    source: Text | str | None = ...,
    repr: bool = ...,
    eq: bool = ...,
    kw_only: bool = ...,
    validator: Any = ...,
    converter: Any = ...,
) -> T: ...
@overload
def pd_field(
    *,
    category: str | DataCategory,
    purposes: str | Iterable[str],
    factory: Callable[[], T],
    origin: Origin | str = ...,
    identifies: bool = ...,
    special: SpecialCategory | str | None = ...,
    condition: Art9Condition | str | None = ...,
    description: str | None = ...,
    source: Text | str | None = ...,
    repr: bool = ...,
    eq: bool = ...,
    kw_only: bool = ...,
    validator: Any = ...,
    converter: Any = ...,
) -> T: ...
@overload
def pd_field(
    *,
    category: str | DataCategory,
    purposes: str | Iterable[str],
    origin: Origin | str = ...,
    identifies: bool = ...,
    special: SpecialCategory | str | None = ...,
    condition: Art9Condition | str | None = ...,
    description: str | None = ...,
    source: Text | str | None = ...,
    repr: bool = ...,
    eq: bool = ...,
    kw_only: bool = ...,
    validator: Any = ...,
    converter: Any = ...,
) -> Any: ...
def pd_field(
    *,
    category: str | DataCategory,
    purposes: str | Iterable[str],
    origin: Origin | str = Origin.PROVIDED,
    identifies: bool = False,
    special: SpecialCategory | str | None = None,
    condition: Art9Condition | str | None = None,
    description: str | None = None,
    source: Text | str | None = None,
    default: Any = attrs.NOTHING,
    factory: Callable[[], Any] | None = None,
    repr: bool = True,
    eq: bool = True,
    kw_only: bool = False,
    validator: Any = None,
    converter: Any = None,
) -> Any:
    """An attrs field that carries a :class:`Tag`: personal data with its purposes.

    ``identifies=True`` marks a direct identifier (customer id, e-mail): it may
    never be tagged for a purpose that uses only anonymized data. ``special``
    marks Art. 9(1) data; ``condition`` is the Art. 9(2) condition that lifts
    the prohibition (else every purpose must carry one). ``source`` names
    where data with ``origin="third_party"`` came from (Art. 15(1)(g)).
    """
    tag = Tag(
        category=category,
        purposes=purposes,
        origin=origin,
        identifies=identifies,
        special=special,
        condition=condition,
        description=description,
        source=source,
    )
    return attrs.field(
        default=default,
        factory=factory,
        metadata={TAG_KEY: tag},
        repr=repr,
        eq=eq,
        kw_only=kw_only,
        validator=validator,
        converter=converter,
    )


@attrs.frozen
class FieldInfo:
    """A tagged field of a schema."""

    name: str
    tag: Tag


@attrs.frozen
class Schema:
    """The tagged view of a data model: subject kind, personal fields and their tags.

    ``source`` is where the model's third-party data came from, for fields that
    do not name their own (``@personal_data(source=...)``; Art. 15(1)(g)).
    """

    model: type = attrs.field(eq=False)
    subject: str
    fields: tuple[FieldInfo, ...]
    all_fields: tuple[str, ...]
    policy: Policy | None = attrs.field(default=None, eq=False, repr=False)
    id_field: str | None = None
    source: Text | None = None

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


class Guard(Protocol):
    """A check ``project()`` runs before it hands out data (consent, objection, restriction).

    It raises a :class:`~gdprkit.ProcessingRefused` subclass to refuse.
    """

    def check(self, obj: object, schema: Schema, purpose: str, at: datetime | None) -> None:
        """Raise if ``obj`` may not be processed for ``purpose`` at ``at``."""


_GUARDS: ContextVar[tuple[Guard, ...]] = ContextVar("gdprkit_guards", default=())


def install_guards(*guards: Guard) -> None:
    """Make ``guards`` (a consent ledger, say) the ones ``project()`` runs when given none.

    Set once where a service starts; it holds for the current context (and the
    threads and tasks started from it). :func:`using_guards` sets them for a block.
    """
    _GUARDS.set(tuple(guards))


@contextlib.contextmanager
def using_guards(*guards: Guard) -> Iterator[None]:
    """Run a block with ``guards`` as the default guards of ``project()``."""
    token = _GUARDS.set(tuple(guards))
    try:
        yield
    finally:
        _GUARDS.reset(token)


def personal_data(
    *,
    subject: str,
    policy: Policy | None = None,
    id_field: str | None = None,
    source: Text | str | None = None,
) -> Callable[[C], C]:
    """Declare a model class as personal data of one kind of subject.

    Model classes are attrs classes, dataclasses, pydantic v2 models and
    SQLAlchemy 2.0 mapped classes (and what :func:`register_model_adapter` adds).

    Every tag is checked against ``policy`` when the class is defined: an
    unknown purpose or category, Art. 9(1) data without an Art. 9(2)
    condition, or an identifying field tagged for an anonymized-only purpose
    raises :class:`~gdprkit.PolicyError` naming the class and field.
    ``id_field`` names the field holding the subject's id (default: the first
    field tagged ``identifies=True``); ledgers use it to find whose record it is.
    ``source`` names where the model's third-party fields came from, for those
    that do not name their own (Art. 14(2)(f), 15(1)(g)); a model with no
    ``origin="third_party"`` field cannot have one.
    """
    where_from = source_text(source)

    def decorate(cls: C) -> C:
        fields, all_names, problems = _tagged_fields(cls)
        problems += _validate(cls, subject, fields, policy)
        problems += _sources(cls, fields, where_from)
        if id_field is not None and id_field not in all_names:
            problems.append(PolicyProblem(cls.__qualname__, f"id_field {id_field!r} is no field"))
        if problems:
            raise PolicyError(problems)
        schema = Schema(
            model=cls,
            subject=subject,
            fields=tuple(FieldInfo(n, t) for n, t in fields),
            all_fields=all_names,
            policy=policy,
            id_field=id_field,
            source=where_from,
        )
        setattr(cls, _SCHEMA_ATTR, schema)
        adapter_for(cls).declared(cls, schema)
        return cls

    return decorate


def _tagged_fields(cls: type) -> tuple[list[tuple[str, Tag]], tuple[str, ...], list[PolicyProblem]]:
    """The tagged fields of ``cls`` (any model kind an adapter handles), all field names, and
    the fields both tagged and declared :class:`NotPersonal`."""
    out: list[tuple[str, Tag]] = []
    problems: list[PolicyProblem] = []
    fields = adapter_for(cls).fields(cls)
    for field in fields:
        tag = next((m for m in field.markers if isinstance(m, Tag)), None)
        if tag is None:
            continue
        out.append((field.name, tag))
        if any(isinstance(m, NotPersonal) for m in field.markers):
            problems.append(
                PolicyProblem(
                    f"{cls.__qualname__}.{field.name}",
                    "the field is both tagged and declared NotPersonal; keep one",
                )
            )
    return out, tuple(f.name for f in fields), problems


def _sources(
    cls: type, fields: list[tuple[str, Tag]], model_source: Text | None
) -> list[PolicyProblem]:
    """A named source only where data came from a third party (Art. 14(2)(f), 15(1)(g))."""
    where = cls.__qualname__
    problems = [
        PolicyProblem(
            f"{where}.{name}",
            f"source names where third-party data came from (Art. 15(1)(g)), but the field's "
            f"origin is {tag.origin.value!r}; give origin='third_party' or drop source",
        )
        for name, tag in fields
        if tag.source is not None and tag.origin is not Origin.THIRD_PARTY
    ]
    if model_source is not None and not any(t.origin is Origin.THIRD_PARTY for _, t in fields):
        problems.append(
            PolicyProblem(
                where,
                "source names where third-party data came from (Art. 15(1)(g)), but no field "
                "has origin='third_party'",
            )
        )
    return problems


def _validate(
    cls: type, subject: str, fields: list[tuple[str, Tag]], policy: Policy | None
) -> list[PolicyProblem]:
    problems: list[PolicyProblem] = []
    where = cls.__qualname__
    if not isinstance(subject, str) or not subject:
        problems.append(PolicyProblem(where, "subject must name a kind of data subject"))
    elif policy is not None and subject not in policy.subjects:
        problems.append(
            PolicyProblem(
                where,
                f"unknown subject kind {subject!r}; the policy declares: "
                + ", ".join(policy.subjects),
            )
        )
    if not fields:
        problems.append(PolicyProblem(where, "no field is tagged with pd_field() or Personal()"))
    taxonomy = policy.taxonomy if policy is not None else BUILTIN_TAXONOMY
    for name, tag in fields:
        loc = f"{where}.{name}"
        if not tag.purposes:
            problems.append(PolicyProblem(loc, "a personal field needs at least one purpose"))
        if str(tag.category) not in taxonomy:
            problems.append(PolicyProblem(loc, f"unknown data category {str(tag.category)!r}"))
        special = tag.special or (
            taxonomy.special_of(tag.category) if str(tag.category) in taxonomy else None
        )
        for purpose_id in tag.purposes:
            purpose = policy.purposes.get(purpose_id) if policy is not None else None
            if policy is not None and purpose is None:
                problems.append(
                    PolicyProblem(
                        loc,
                        f"unknown purpose {purpose_id!r}; the policy declares: "
                        + ", ".join(policy.purposes),
                    )
                )
                continue
            if purpose is not None and purpose.anonymized_only and tag.identifies:
                problems.append(
                    PolicyProblem(
                        loc,
                        f"identifying field tagged for purpose {purpose_id!r}, which may use "
                        "only anonymized data",
                    )
                )
            if special is not None:
                condition = tag.condition or (purpose.special_condition if purpose else None)
                if condition is None:
                    problems.append(
                        PolicyProblem(
                            loc,
                            f"special-category data ({special.value}, Art. 9(1)) for purpose "
                            f"{purpose_id!r} needs an Art. 9(2) condition (pd_field(condition=...) "
                            "or the purpose's special_condition); an Art. 6 basis alone is not "
                            "enough",
                        )
                    )
    return problems


def schema_of(cls_or_obj: object) -> Schema:
    """The :class:`Schema` of a class declared with ``@personal_data``, or of an instance."""
    cls = cls_or_obj if isinstance(cls_or_obj, type) else type(cls_or_obj)
    schema = cls.__dict__.get(_SCHEMA_ATTR)
    if not isinstance(schema, Schema):
        raise NotTagged(f"{cls.__qualname__} is not declared with @personal_data")
    return schema


def project(
    obj: object,
    purpose: str,
    *,
    policy: Policy | None = None,
    at: datetime | None = None,
    guards: Iterable[Guard] | None = None,
) -> dict[str, Any]:
    """The fields of ``obj`` that ``purpose`` may use, as a new dict (GDPR Art. 5(1)(b)-(c)).

    A purpose the policy lacks raises :class:`~gdprkit.UnknownPurpose`; a
    purpose no field of the class is tagged for raises
    :class:`~gdprkit.PurposeNotAllowed`. Each guard (a consent, objection or
    restriction ledger) may refuse with a ``ProcessingRefused`` subclass;
    without ``guards=`` the ones set by :func:`install_guards` /
    :func:`using_guards` run.
    """
    schema = schema_of(obj)
    if policy is not None and policy is not schema.policy:
        schema = attrs.evolve(schema, policy=policy)
    names = schema.fields_for(purpose)
    if not names:
        raise PurposeNotAllowed(f"no field of {schema.name} is tagged for purpose {purpose!r}")
    for guard in _GUARDS.get() if guards is None else guards:
        guard.check(obj, schema, purpose, at)
    return {name: getattr(obj, name) for name in names}
