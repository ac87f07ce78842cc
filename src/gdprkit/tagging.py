"""Tag the fields of data models with category, purposes and origin; project for a purpose.

``@personal_data`` checks every tag against the policy when the class is
defined; ``project()`` hands out only the fields a purpose may use
(purpose limitation, GDPR Art. 5(1)(b); data minimisation, Art. 5(1)(c)).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, overload, runtime_checkable

import attrs

from gdprkit._errors import (
    NoGuard,
    NotTagged,
    PolicyError,
    PolicyProblem,
    PurposeNotAllowed,
)
from gdprkit._errors import UnknownPurpose as UnknownPurpose  # held before Schema moved out
from gdprkit._tagging.consent import consent_needed, special_of
from gdprkit._tagging.grounds import RestrictionGround
from gdprkit._tagging.labels import Label, as_label, field_labels_of, label_problems
from gdprkit._tagging.models import (
    TAG_KEY,
    ModelAdapter,
    ModelField,
    NotPersonal,
    adapter_for,
    not_personal,
    register_model_adapter,
)
from gdprkit._tagging.provenance import source_problems, source_text
from gdprkit._tagging.registry import GuardRegistry
from gdprkit._tagging.schema import FieldInfo, Schema, Tag
from gdprkit.vocab import (
    BUILTIN_TAXONOMY,
    Art9Condition,
    DataCategory,
    Origin,
    SpecialCategory,
)

if TYPE_CHECKING:
    from gdprkit._policy.values import Text
    from gdprkit.policy import Policy

__all__ = [
    "FieldInfo",
    "GroundedGuard",
    "Guard",
    "Label",
    "ModelAdapter",
    "ModelField",
    "NotPersonal",
    "Personal",
    "RestrictionGround",
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
    label: Label | None = ...,
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
    label: Label | None = ...,
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
    label: Label | None = ...,
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
    label: Label | None = None,
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
    the prohibition (else every purpose must carry one). ``label`` is the
    field's name for people (the export page's column heading, Art. 12(1)):
    one string, or one per language; without it the category's name is used.
    ``source`` names where data with ``origin="third_party"`` came from (Art.
    14(2)(f), 15(1)(g)): a ``Text`` (sv/en) or a ``str``.
    """
    tag = Tag(
        category=category,
        purposes=purposes,
        origin=origin,
        identifies=identifies,
        special=special,
        condition=condition,
        description=description,
        label=label,
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


class Guard(Protocol):
    """A check ``project()`` runs before it hands out data (consent, objection, restriction).

    It raises a :class:`~gdprkit.ProcessingRefused` subclass to refuse.
    """

    def check(self, obj: object, schema: Schema, purpose: str, at: datetime | None) -> None:
        """Raise if ``obj`` may not be processed for ``purpose`` at ``at``."""


@runtime_checkable
class GroundedGuard(Protocol):
    """A guard that weighs the Art. 18(2) ground a call states (the consent ledger is one).

    ``project(obj, purpose, ground=...)`` calls :meth:`check_with_ground` on
    such guards and plain :meth:`Guard.check` on the others, which then treat
    the call as stating no ground: restricted data stays refused.
    """

    def check_with_ground(
        self, obj: object, schema: Schema, purpose: str, at: datetime | None,
        ground: RestrictionGround,
    ) -> None:  # fmt: skip
        """Raise if ``obj`` may not be processed for ``purpose`` at ``at``, even on ``ground``."""


_GUARDS: GuardRegistry[Guard] = GuardRegistry("gdprkit_guards")


def install_guards(*guards: Guard) -> None:
    """Make ``guards`` (a consent ledger, say) the ones ``project()`` runs when given none.

    Call it once where the service starts. The guards hold for the whole
    process: in every thread, thread pool and asyncio task, those started
    before the call included, until the next call. ``install_guards()`` with
    no guard removes them, and ``project()`` then refuses purposes that need
    consent (:class:`~gdprkit.NoGuard`). :func:`using_guards` overrides them
    for a block.
    """
    _GUARDS.install(_checked_guards(guards, "install_guards()"))


def _checked_guards(guards: Iterable[object], where: str) -> tuple[Guard, ...]:
    """``guards`` as a tuple, each with a ``check()`` method; else a :class:`TypeError`.

    Checked where they are named, so that ``using_guards([ledger])`` fails
    there, not as an ``AttributeError`` at the first ``project()``.
    """
    checked = tuple(guards)
    for guard in checked:
        if not callable(getattr(guard, "check", None)):
            raise TypeError(
                f"{where} takes guards with a check() method, got {type(guard).__name__}"
            )
    return checked  # type: ignore[return-value]  # each has check(), as the protocol asks


@contextlib.contextmanager
def using_guards(*guards: Guard) -> Iterator[None]:
    """Run a block with ``guards`` as the default guards of ``project()``.

    The override holds in the current context and in the asyncio tasks
    started from it; a thread started in the block sees the installed
    guards. ``using_guards()`` with no guard states, as ``guards=()`` does,
    that the block checked consent, objections and restrictions itself.
    """
    with _GUARDS.using(_checked_guards(guards, "using_guards()")):
        yield


def personal_data(
    *,
    subject: str,
    policy: Policy | None = None,
    id_field: str | None = None,
    label: Label | None = None,
    field_labels: Mapping[str, Label] | None = None,
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

    ``label`` names the kind of record for people, and ``field_labels`` names
    fields that carry no tag of their own (an invoice number, say), so that
    what a data subject reads (the export page) speaks of "Meter readings",
    not ``MeterReading`` (Art. 12(1): clear and plain language). Each is one
    string or one text per language.

    ``source`` names where the model's third-party fields came from, for those
    that do not name their own (Art. 14(2)(f), 15(1)(g)); a model with no
    ``origin="third_party"`` field cannot have one.
    """
    kind_label = as_label(label)
    named = field_labels_of(field_labels)
    where_from = source_text(source)

    def decorate(cls: C) -> C:
        fields, all_names, problems = _tagged_fields(cls)
        problems += _validate(cls, subject, fields, policy)
        where = cls.__qualname__
        problems += _declared_problems(where, fields, all_names, id_field, named, where_from)
        if problems:
            raise PolicyError(problems)
        schema = Schema(
            model=cls,
            subject=subject,
            fields=tuple(FieldInfo(n, t) for n, t in fields),
            all_fields=all_names,
            policy=policy,
            id_field=id_field,
            label=kind_label,
            field_labels=named,
            source=where_from,
        )
        setattr(cls, _SCHEMA_ATTR, schema)
        adapter_for(cls).declared(cls, schema)
        return cls

    return decorate


def _declared_problems(
    where: str,
    fields: list[tuple[str, Tag]],
    all_names: tuple[str, ...],
    id_field: str | None,
    named: tuple[tuple[str, Text], ...],
    source: Text | None,
) -> list[PolicyProblem]:
    """What ``@personal_data``'s own arguments get wrong: a source for data that is not
    third-party, an ``id_field`` that is no field, a label for a field that is not there or
    is labelled in its tag already."""
    problems = source_problems(where, fields, source)
    if id_field is not None and id_field not in all_names:
        problems.append(PolicyProblem(where, f"id_field {id_field!r} is no field"))
    labelled = {name for name, tag in fields if tag.label is not None}
    return problems + label_problems(where, named, labelled, all_names)


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
        special = special_of(tag, taxonomy)
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
    ground: RestrictionGround | None = None,
) -> dict[str, Any]:
    """The fields of ``obj`` that ``purpose`` may use, as a new dict (GDPR Art. 5(1)(b)-(c)).

    A purpose the policy lacks raises :class:`~gdprkit.UnknownPurpose`; a
    purpose no field of the class is tagged for raises
    :class:`~gdprkit.PurposeNotAllowed`. Each guard (a consent, objection or
    restriction ledger) may refuse with a ``ProcessingRefused`` subclass.
    The guards are ``guards=`` when given, else those of a
    :func:`using_guards` block, else those of :func:`install_guards`.

    With no guard at all, a purpose that needs consent fails closed with
    :class:`~gdprkit.NoGuard`: its basis is consent (Art. 6(1)(a)), or a
    field it uses is special-category data on explicit consent (Art.
    9(2)(a)). ``guards=()`` states that the caller checked consent itself.
    Any other purpose gets purpose limitation only: objections (Art. 21) and
    restrictions (Art. 18) are recorded in a ledger, and are weighed only
    where one is installed or passed.

    ``ground`` states the Art. 18(2) ground on which restricted data is
    processed (:class:`RestrictionGround`); guards that weigh it
    (:class:`GroundedGuard`) let restricted data through on it and record it.
    """
    if ground is not None and not isinstance(ground, RestrictionGround):
        raise TypeError(f"ground must be a RestrictionGround, got {type(ground).__name__}")
    schema = schema_of(obj)
    if policy is not None and policy is not schema.policy:
        schema = attrs.evolve(schema, policy=policy)
    names = schema.fields_for(purpose)
    if not names:
        raise PurposeNotAllowed(f"no field of {schema.name} is tagged for purpose {purpose!r}")
    active = _GUARDS.current() if guards is None else _checked_guards(guards, "guards=")
    if active is None:
        pol = schema.policy
        declared = pol.purposes.get(purpose) if pol is not None else None
        taxonomy = pol.taxonomy if pol is not None else BUILTIN_TAXONOMY
        why = consent_needed(schema, purpose, names, declared, taxonomy)
        if why is not None:
            raise NoGuard(
                f"{why}, and no guard is installed or passed: install the consent ledger "
                "(gdprkit.install_guards(ledger)), pass guards=[ledger], or pass guards=() "
                "to state that consent was checked elsewhere"
            )
    for guard in active or ():
        if ground is not None and isinstance(guard, GroundedGuard):
            guard.check_with_ground(obj, schema, purpose, at, ground)
        else:
            guard.check(obj, schema, purpose, at)
    return {name: getattr(obj, name) for name in names}
