"""Model adapters: how gdprkit lists the fields of a model class and what is attached to them.

``@personal_data``, ``schema_of`` and the classification gate work on any
class some adapter handles. attrs classes and dataclasses are built in; the
pydantic v2 and SQLAlchemy 2.0 adapters live in ``gdprkit.pydantic`` and
``gdprkit._sqlalchemy.models`` and are loaded by name the first time a class
is not handled otherwise and that library is already imported (a pydantic
model cannot exist before ``pydantic`` is imported), so ``import gdprkit``
imports neither. Other frameworks register their own with
:func:`register_model_adapter`.

An adapter only lists fields and the objects attached to each (``Annotated``
extras, attrs/dataclass metadata under :data:`TAG_KEY`, pydantic field
metadata, SQLAlchemy column ``info``); :mod:`gdprkit.tagging` picks the
:class:`~gdprkit.tagging.Tag` and :class:`NotPersonal` markers out of them.
"""

from __future__ import annotations

import dataclasses
import importlib
import sys
import types
import typing
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, overload, runtime_checkable

import attrs

from gdprkit._errors import NotTagged

if TYPE_CHECKING:
    from gdprkit._tagging.schema import Schema

__all__ = [
    "TAG_KEY",
    "BatchReading",
    "ColumnsOf",
    "ModelAdapter",
    "ModelField",
    "NotPersonal",
    "adapter_for",
    "annotated_markers",
    "batch_reading",
    "model_fields",
    "not_personal",
    "register_model_adapter",
]

T = TypeVar("T")

#: The key under which a field's tag or :class:`NotPersonal` marker is kept in attrs and
#: dataclass field metadata and in SQLAlchemy column ``info``.
TAG_KEY = "gdprkit.tag"


def _reason(instance: object, attribute: object, value: object) -> None:
    if not isinstance(value, str):
        raise TypeError("NotPersonal.reason must be a string")


@attrs.frozen
class NotPersonal:
    """A field explicitly declared not to hold personal data (Art. 4(1) GDPR).

    Put it where a :class:`~gdprkit.tagging.Tag` would go: ``Annotated[str,
    NotPersonal()]``, :func:`not_personal` for attrs, column ``info`` in
    SQLAlchemy. The classification gate (:func:`gdprkit.check_classified`)
    accepts a field only when it is tagged or declared so, which makes
    "not personal" a decision someone wrote down, not an oversight.
    ``reason`` says why, for the reviewer.
    """

    reason: str = attrs.field(default="", validator=_reason)


@overload
def not_personal(*, reason: str = ..., default: T, **field_options: Any) -> T: ...
@overload
def not_personal(*, reason: str = ..., factory: Callable[[], T], **field_options: Any) -> T: ...
@overload
def not_personal(*, reason: str = ..., **field_options: Any) -> Any: ...
def not_personal(*, reason: str = "", **field_options: Any) -> Any:
    """An attrs field declared not personal data: ``attrs.field(**field_options)`` plus the marker.

    The attrs counterpart of ``Annotated[..., NotPersonal(reason)]``;
    ``field_options`` are those of :func:`attrs.field` (``default``,
    ``factory``, ``converter`` …), except ``metadata``, which carries the marker.
    """
    if "metadata" in field_options:
        raise TypeError("not_personal() sets the field's metadata itself")
    return attrs.field(metadata={TAG_KEY: NotPersonal(reason)}, **field_options)


@attrs.frozen
class ModelField:
    """A field of a model class and the objects attached to it (tags, markers, others)."""

    name: str
    markers: tuple[object, ...] = ()


@runtime_checkable
class ModelAdapter(Protocol):
    """Lists the fields of one kind of model class (attrs, dataclasses, pydantic, SQLAlchemy …)."""

    def handles(self, cls: type) -> bool:
        """Whether ``cls`` is a model class of this kind."""

    def fields(self, cls: type) -> tuple[ModelField, ...]:
        """The fields of ``cls`` in declaration order, with what is attached to each."""

    def declared(self, cls: type, schema: Schema) -> None:
        """Called once ``@personal_data`` has built ``cls``'s schema (pydantic adds it to JSON Schema)."""


#: Reads the values of some fields of a batch of instances: a list per field, in order.
ColumnsOf = Callable[[Sequence[Any]], list[list[object]]]


@runtime_checkable
class BatchReading(Protocol):
    """A :class:`ModelAdapter` that also says how an export reads a batch of its instances.

    Optional, and not public yet (only the shipped SQLAlchemy adapter has
    it). An export holds a batch of records at once and reads their values a
    column at a time, with ``getattr`` per value and 500 records per batch,
    unless the model's adapter says otherwise: the SQLAlchemy adapter reads
    loaded attributes from the instance's ``__dict__`` rather than through
    the ORM's descriptors (a Python call per value), and takes fewer records
    per batch, since each brings an ORM state (see its ``batch_rows``).
    """

    #: How many instances a batch holds; it divides 10,000 (an export's progress step).
    batch_rows: int

    def columns(self, cls: type, fields: tuple[str, ...]) -> ColumnsOf:
        """A function giving the values of ``fields`` of a batch of ``cls`` instances, the
        same that ``getattr`` gives."""


def batch_reading(cls: type) -> BatchReading | None:
    """``cls``'s adapter, if it says how an export reads a batch of its instances."""
    adapter = adapter_for(cls)
    return adapter if isinstance(adapter, BatchReading) else None


def annotated_markers(hint: object) -> tuple[object, ...]:
    """The extras of ``Annotated[T, extra, ...]``, also inside ``X | None`` (none otherwise)."""
    origin = typing.get_origin(hint)
    if origin is typing.Annotated:
        return tuple(typing.get_args(hint)[1:])
    if origin in (typing.Union, types.UnionType):
        return tuple(m for arg in typing.get_args(hint) for m in annotated_markers(arg))
    return ()


def type_hints(cls: type) -> dict[str, Any]:
    """``cls``'s annotations with their ``Annotated`` extras.

    When some annotation does not resolve (a name imported only under
    ``TYPE_CHECKING``, say, in a relationship), the others are resolved one by
    one, so a tag in a resolvable annotation is never lost because of another.
    """
    try:
        return typing.get_type_hints(cls, include_extras=True)
    except Exception:
        return _hints_one_by_one(cls)


def _hints_one_by_one(cls: type) -> dict[str, Any]:
    hints: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        module = sys.modules.get(klass.__module__)
        globalns = dict(vars(module)) if module is not None else {}
        for name, annotation in vars(klass).get("__annotations__", {}).items():
            resolved = _resolve(name, annotation, globalns, dict(vars(klass)))
            if resolved is not None:
                hints[name] = resolved
    return hints


def _resolve(
    name: str, annotation: object, globalns: dict[str, Any], localns: dict[str, Any]
) -> Any:
    """One annotation resolved, or None when it does not resolve (it then shows no markers)."""
    holder = types.SimpleNamespace(__annotations__={name: annotation})
    try:
        return typing.get_type_hints(holder, globalns, localns, include_extras=True)[name]
    except Exception:
        return None


class _MetadataAdapter:
    """attrs classes or dataclasses: a field's markers are ``metadata[TAG_KEY]`` (``pd_field``,
    ``not_personal``, ``dataclasses.field(metadata=...)``) and its ``Annotated`` extras."""

    def __init__(self, has: Callable[[type], bool], fields: Callable[[Any], Any]) -> None:
        self._has = has
        self._fields = fields

    def handles(self, cls: type) -> bool:
        return self._has(cls)

    def fields(self, cls: type) -> tuple[ModelField, ...]:
        hints = type_hints(cls)
        return tuple(
            ModelField(f.name, _metadata_marker(f.metadata) + annotated_markers(hints.get(f.name)))
            for f in self._fields(cls)
        )

    def declared(self, cls: type, schema: Schema) -> None:
        return None


def _metadata_marker(metadata: typing.Mapping[Any, object]) -> tuple[object, ...]:
    marker = metadata.get(TAG_KEY)
    return () if marker is None else (marker,)


_ADAPTERS: list[ModelAdapter] = [
    _MetadataAdapter(attrs.has, attrs.fields),
    _MetadataAdapter(dataclasses.is_dataclass, dataclasses.fields),
]

#: Adapters shipped with gdprkit for optional libraries: (library, module that registers it).
_PLUGINS: tuple[tuple[str, str], ...] = (
    ("pydantic", "gdprkit.pydantic"),
    ("sqlalchemy", "gdprkit._sqlalchemy.models"),
)


def register_model_adapter(adapter: ModelAdapter) -> None:
    """Teach gdprkit another kind of model class; adapters registered later are asked first."""
    if not isinstance(adapter, ModelAdapter):
        raise TypeError("a model adapter needs handles(cls), fields(cls) and declared(cls, schema)")
    if adapter not in _ADAPTERS:
        _ADAPTERS.insert(0, adapter)


def _find(cls: type) -> ModelAdapter | None:
    for adapter in _ADAPTERS:
        if adapter.handles(cls):
            return adapter
    return None


#: Why a plugin could not load (an unsupported version of its library), by module.
_BROKEN: dict[str, str] = {}


def _load_plugins() -> None:
    """Load the shipped adapter of each optional library that is imported already."""
    for library, module in _PLUGINS:
        if library in sys.modules and module not in sys.modules and module not in _BROKEN:
            try:
                importlib.import_module(module)  # registers its adapter
            except ImportError as exc:
                # An unsupported version of the library must not break attrs models.
                _BROKEN[module] = str(exc)


def adapter_for(cls: type) -> ModelAdapter:
    """The adapter that handles ``cls``; :class:`~gdprkit.NotTagged` when none does."""
    _load_plugins()
    found = _find(cls)
    if found is None:
        hint = "".join(f"; {reason}" for reason in _BROKEN.values())
        raise NotTagged(
            f"{cls.__qualname__} is no model class gdprkit knows (attrs, dataclass, pydantic "
            "model, SQLAlchemy mapped class); apply @attrs.frozen / @dataclass first, "
            f"below @personal_data{hint}"
        )
    return found


def is_model(cls: object) -> bool:
    """Whether some adapter handles ``cls`` (a class of a model kind gdprkit knows)."""
    if not isinstance(cls, type):
        return False
    try:
        adapter_for(cls)
    except NotTagged:
        return False
    return True


def model_fields(cls: type) -> tuple[ModelField, ...]:
    """The fields of ``cls`` with their markers, through its adapter."""
    return adapter_for(cls).fields(cls)
