"""The classification gate: every field of every model is tagged or declared not personal.

A service runs it in its own CI (:func:`gdprkit.testing.assert_classified`,
``gdprkit check-models``) so that a new column cannot slip in without anyone
deciding whether it holds personal data (Art. 5(2) accountability, Art. 30
records of processing: what is not known to be held cannot be listed,
retained for a purpose or erased).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from types import ModuleType

import attrs

from gdprkit._errors import NotTagged, UnclassifiedFields
from gdprkit._tagging.models import NotPersonal, adapter_for, is_model
from gdprkit._tagging.schema import Tag

__all__ = ["Classification", "ModelClassification", "check_classified", "classify"]


@attrs.frozen
class ModelClassification:
    """How the fields of one model class are classified."""

    model: str
    personal: tuple[str, ...] = ()
    not_personal: tuple[str, ...] = ()
    unclassified: tuple[str, ...] = ()
    conflicting: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Every field is either tagged or declared ``NotPersonal``, and none is both."""
        return not self.unclassified and not self.conflicting


@attrs.frozen
class Classification:
    """The gate's findings over a set of model classes."""

    models: tuple[ModelClassification, ...]

    @property
    def ok(self) -> bool:
        """Whether every field of every model is classified."""
        return all(m.ok for m in self.models)

    @property
    def unclassified(self) -> tuple[str, ...]:
        """``module.Class.field`` of every field neither tagged nor declared not personal."""
        return tuple(f"{m.model}.{f}" for m in self.models for f in m.unclassified)

    @property
    def conflicting(self) -> tuple[str, ...]:
        """``module.Class.field`` of every field both tagged and declared not personal."""
        return tuple(f"{m.model}.{f}" for m in self.models for f in m.conflicting)

    def __str__(self) -> str:
        fields = sum(
            len(m.personal) + len(m.not_personal) + len(m.unclassified) + len(m.conflicting)
            for m in self.models
        )
        personal = sum(len(m.personal) for m in self.models)
        plain = sum(len(m.not_personal) for m in self.models)
        lines = [
            f"{len(self.models)} model(s), {fields} field(s): {personal} personal, "
            f"{plain} not personal, {len(self.unclassified)} unclassified, "
            f"{len(self.conflicting)} both"
        ]
        lines += [f"  unclassified  {name}" for name in self.unclassified]
        lines += [f"  both          {name}" for name in self.conflicting]
        return "\n".join(lines)


def _classify_model(cls: type) -> ModelClassification:
    personal: list[str] = []
    plain: list[str] = []
    unclassified: list[str] = []
    conflicting: list[str] = []
    for field in adapter_for(cls).fields(cls):
        tagged = any(isinstance(m, Tag) for m in field.markers)
        declared = any(isinstance(m, NotPersonal) for m in field.markers)
        if tagged and declared:
            conflicting.append(field.name)
        elif tagged:
            personal.append(field.name)
        elif declared:
            plain.append(field.name)
        else:
            unclassified.append(field.name)
    return ModelClassification(
        f"{cls.__module__}.{cls.__qualname__}",
        tuple(personal),
        tuple(plain),
        tuple(unclassified),
        tuple(conflicting),
    )


def _models_of(target: object) -> Iterator[type]:
    """The model classes a target stands for: itself, or those a module defines."""
    if isinstance(target, str):
        target = importlib.import_module(target)
    if isinstance(target, ModuleType):
        # Only classes defined there: an imported model is checked where it is defined.
        for value in list(vars(target).values()):
            if is_model(value) and getattr(value, "__module__", None) == target.__name__:
                yield value
        return
    if isinstance(target, type):
        adapter_for(target)  # NotTagged, naming the class, when no adapter handles it
        yield target
        return
    raise NotTagged(
        f"check_classified takes modules, module names and model classes, "
        f"not a {type(target).__name__}"
    )


def classify(*targets: ModuleType | type | str) -> Classification:
    """How every field of the given models is classified (no exception when some are not).

    ``targets`` are model classes, modules (every model class defined in
    them) or module names. See :func:`check_classified`.
    """
    seen: dict[type, None] = {}
    for target in targets:
        for model in _models_of(target):
            seen.setdefault(model)
    return Classification(tuple(_classify_model(m) for m in seen))


def check_classified(*targets: ModuleType | type | str) -> Classification:
    """Fail unless every field of the given models is tagged or declared not personal.

    Works on attrs classes, dataclasses, pydantic models and SQLAlchemy mapped
    classes, whether or not they are declared with ``@personal_data``. A field
    counts as classified when it carries a :class:`~gdprkit.tagging.Tag`
    (``pd_field``, ``Personal``) or a :class:`~gdprkit.NotPersonal` marker;
    :class:`~gdprkit.UnclassifiedFields` lists every field that carries
    neither, or both. Returns the :class:`Classification` when all is well.
    Targets holding no model class at all raise :class:`~gdprkit.NotTagged`:
    a gate that checked nothing must not pass.
    """
    report = classify(*targets)
    if not report.models:
        raise NotTagged("found no model class to check in the given modules and classes")
    if not report.ok:
        raise UnclassifiedFields(report.unclassified, report.conflicting)
    return report
