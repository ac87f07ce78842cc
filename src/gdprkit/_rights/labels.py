"""The names a person reads for a kind of record and its fields, in their language.

Declared labels come first (``@personal_data(label=...)``, ``pd_field(label=...)``,
``field_labels=``); without one, the data category's name from the policy's
taxonomy. Class, table and column names are what a developer reads, not what
a data subject should have to decode (Art. 12(1): concise, intelligible, in
clear and plain language), so a field name is only the last resort, for an
untagged field nobody named.
"""

from __future__ import annotations

from collections import Counter

from gdprkit.tagging import Schema
from gdprkit.vocab import Taxonomy

__all__ = ["field_labels", "kind_label"]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _category_name(category: str, taxonomy: Taxonomy, lang: str) -> str:
    return _capital(taxonomy[category].label(lang)) if category in taxonomy else category


def kind_label(schema: Schema, taxonomy: Taxonomy, lang: str) -> str:
    """The kind's declared label, else the name of the category most of its fields hold.

    Identifying fields (the customer number every record carries) are left
    out of that count when others remain, so meter readings are "Energy
    consumption", not "Customer number".
    """
    if schema.label is not None:
        return schema.label.get(lang)
    fields = [f for f in schema.fields if not f.tag.identifies] or list(schema.fields)
    counts = Counter(str(f.tag.category) for f in fields)
    # most_common keeps first-seen order among equal counts: declaration order breaks ties
    (category, _), *_ = counts.most_common(1)
    return _category_name(category, taxonomy, lang)


def field_labels(schema: Schema, taxonomy: Taxonomy, lang: str) -> dict[str, str]:
    """Every field's name for people, by field name.

    Two fields that would both be called by their category's name ("Postal
    address" for street, postcode and city) keep the field name after it, so
    no two columns read the same; declare labels to avoid that.
    """
    tags = {f.name: f.tag for f in schema.fields}
    names: dict[str, str] = {}
    fallback: set[str] = set()
    for name in schema.all_fields:
        declared = schema.field_label(name)
        if declared is not None:
            names[name] = declared.get(lang)
        elif name in tags:
            names[name] = _category_name(str(tags[name].category), taxonomy, lang)
            fallback.add(name)
        else:
            names[name] = _capital(name.replace("_", " "))
    seen = Counter(names.values())
    for name in fallback:
        if seen[names[name]] > 1:
            names[name] = f"{names[name]} ({name.replace('_', ' ')})"
    return names
