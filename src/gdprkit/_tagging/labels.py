"""Human names for data models and their fields, declared next to them (Art. 12(1)).

What a data subject reads about their data (the export page) names each kind
of record and each field the way a person would, in their language; these
names are declared where the model is (``@personal_data(label=...)``,
``pd_field(label=...)``) rather than derived from class or column names.
"""

from __future__ import annotations

from collections.abc import Mapping, Set

from gdprkit._errors import PolicyError, PolicyProblem
from gdprkit._policy.values import Text

__all__ = ["Label", "as_label", "field_labels_of", "label_problems"]

#: A human name for a model or a field: one text for every language, or one per language.
Label = str | Mapping[str, str] | Text


def as_label(value: object) -> Text | None:
    """A declared label as a :class:`~gdprkit.policy.Text` (a plain string serves every language)."""
    if value is None or isinstance(value, Text):
        return value
    if isinstance(value, str) and value.strip():
        return Text.of(value)
    if isinstance(value, Mapping) and value:
        pairs = list(value.items())
        if all(isinstance(k, str) and k and isinstance(v, str) and v.strip() for k, v in pairs):
            return Text.of(dict(pairs))
    raise PolicyError(
        "label must be a non-empty string or a mapping of language to non-empty text, "
        "e.g. {'sv': 'Mätvärden', 'en': 'Meter readings'}"
    )


def field_labels_of(value: Mapping[str, Label] | None) -> tuple[tuple[str, Text], ...]:
    """``personal_data(field_labels=)`` as pairs; each label checked as ``pd_field``'s is."""
    if value is None:
        return ()
    if not isinstance(value, Mapping):
        raise PolicyError("field_labels must map field names to labels")
    out: list[tuple[str, Text]] = []
    for name, text in value.items():
        converted = as_label(text)
        if not isinstance(name, str) or converted is None:
            raise PolicyError("field_labels must map field names to labels")
        out.append((name, converted))
    return tuple(out)


def label_problems(
    where: str,
    named: tuple[tuple[str, Text], ...],
    labelled: Set[str],
    all_names: tuple[str, ...],
) -> list[PolicyProblem]:
    """A field in ``field_labels`` that does not exist, or that its tag labels already.

    ``labelled`` holds the fields whose tag carries a label of its own.
    """
    problems = []
    for name, _ in named:
        if name not in all_names:
            problems.append(PolicyProblem(f"{where}.{name}", "field_labels names no such field"))
        elif name in labelled:
            problems.append(
                PolicyProblem(
                    f"{where}.{name}", "labelled twice: in its tag and in field_labels; keep one"
                )
            )
    return problems
