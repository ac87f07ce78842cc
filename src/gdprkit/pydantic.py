"""pydantic v2 models as tagged personal data, with the tags in their JSON Schema.

Install with ``pip install 'gdprkit[pydantic]'``. Tag a field with
``Annotated[str, gk.Personal(...)]`` (or put the tag in the field's
metadata any other way pydantic allows, e.g. ``Annotated[str, Field(...),
gk.Personal(...)]``), declare a field not personal with
``Annotated[str, gk.NotPersonal()]``, and declare the model with
``@gk.personal_data``: :func:`~gdprkit.schema_of`,
:func:`~gdprkit.project`, the classification gate and the data sources then
treat it as they treat an attrs class. gdprkit loads this module by itself
when it meets a pydantic model; import it only for :func:`tags_json_schema`.

The JSON Schema of a declared model (``Model.model_json_schema()``, and so
FastAPI's OpenAPI document) carries an ``x-gdprkit`` object on the model
(the data subject kind) and on every classified property::

    "email": {"type": "string", "x-gdprkit": {"personal": true,
        "category": "contact.email", "purposes": ["contract", "marketing"],
        "basis": {"contract": "contract", "marketing": "legitimate_interests"},
        "origin": "provided", "identifies": true}}

so that whoever reads the API's schema sees which fields are personal data,
for which purposes and on which legal basis (Art. 13(1)(c), 30(1)(b)-(c)).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from gdprkit._errors import NotTagged
from gdprkit._tagging.models import ModelField, NotPersonal, register_model_adapter
from gdprkit.tagging import Schema, Tag, schema_of

try:
    import pydantic
except ImportError:  # pragma: no cover - exercised without the extra
    raise ImportError(
        "gdprkit.pydantic needs pydantic 2: pip install 'gdprkit[pydantic]'", name="pydantic"
    ) from None

if TYPE_CHECKING:
    from gdprkit.policy import Policy

if not pydantic.VERSION.startswith("2."):  # pragma: no cover - depends on the installed version
    raise ImportError(
        f"gdprkit.pydantic needs pydantic 2, not {pydantic.VERSION}: "
        "pip install 'gdprkit[pydantic]'",
        name="pydantic",
    )

__all__ = ["JSON_SCHEMA_KEY", "tag_json", "tags_json_schema"]

#: The key of gdprkit's annotations in a JSON Schema (an ``x-`` extension keyword).
JSON_SCHEMA_KEY = "x-gdprkit"


def tag_json(tag: Tag, policy: Policy | None = None) -> dict[str, Any]:
    """A tag as the JSON object gdprkit puts under ``x-gdprkit`` (bases only with a policy)."""
    out: dict[str, Any] = {
        "personal": True,
        "category": str(tag.category),
        "purposes": list(tag.purposes),
    }
    if policy is not None:
        out["basis"] = {
            p: policy.purposes[p].basis.value for p in tag.purposes if p in policy.purposes
        }
    out["origin"] = tag.origin.value
    out["identifies"] = tag.identifies
    if tag.special is not None:
        out["special"] = tag.special.value
    if tag.condition is not None:
        out["condition"] = tag.condition.article
    return out


def _not_personal_json(marker: NotPersonal) -> dict[str, Any]:
    return {"personal": False, "reason": marker.reason} if marker.reason else {"personal": False}


def _property_key(properties: Mapping[str, Any], name: str, info: Any) -> str | None:
    """The key of field ``name`` among the schema's properties (its alias, when it has one)."""
    for key in (name, info.alias, info.serialization_alias, info.validation_alias):
        if isinstance(key, str) and key in properties:
            return key
    return None


def tags_json_schema(model: type[pydantic.BaseModel], schema: dict[str, Any]) -> None:
    """Add ``x-gdprkit`` to a model's JSON Schema ``schema`` (in place): subject kind and tags.

    ``@personal_data`` installs this as the model's ``json_schema_extra``;
    call it yourself for a schema generated some other way.
    """
    try:
        own = schema_of(model)
    except NotTagged:
        return
    schema[JSON_SCHEMA_KEY] = {"subject": own.subject}
    properties = schema.get("properties", {})
    for name, info in model.model_fields.items():
        key = _property_key(properties, name, info)
        if key is None:
            continue
        tag = next((m for m in info.metadata if isinstance(m, Tag)), None)
        marker = next((m for m in info.metadata if isinstance(m, NotPersonal)), None)
        if tag is not None:
            properties[key][JSON_SCHEMA_KEY] = tag_json(tag, own.policy)
        elif marker is not None:
            properties[key][JSON_SCHEMA_KEY] = _not_personal_json(marker)


def _chained(
    previous: object, model: type[pydantic.BaseModel]
) -> Callable[[dict[str, Any], type[Any]], None]:
    """A ``json_schema_extra`` that runs the model's own (dict or callable) first, then ours."""

    def extra(schema: dict[str, Any], cls: type[Any]) -> None:
        if isinstance(previous, dict):
            schema.update(previous)
        elif callable(previous):
            if len(inspect.signature(previous).parameters) >= 2:
                previous(schema, cls)
            else:
                previous(schema)
        if cls is model:  # a subclass inherits the config, not the declaration
            tags_json_schema(model, schema)

    return extra


class _PydanticAdapter:
    """pydantic v2 models: a field's markers are its ``FieldInfo.metadata`` (``Annotated`` extras)."""

    def handles(self, cls: type) -> bool:
        return issubclass(cls, pydantic.BaseModel) and cls is not pydantic.BaseModel

    def fields(self, cls: type) -> tuple[ModelField, ...]:
        fields: Mapping[str, Any] = cls.model_fields  # type: ignore[attr-defined]
        return tuple(ModelField(name, tuple(info.metadata)) for name, info in fields.items())

    def declared(self, cls: type, schema: Schema) -> None:
        """Put the tags into the model's JSON Schema (and so into an OpenAPI document)."""
        config: dict[str, Any] = cls.model_config  # type: ignore[attr-defined]
        config["json_schema_extra"] = _chained(config.get("json_schema_extra"), cls)


register_model_adapter(_PydanticAdapter())
