"""Where third-party data came from, declared next to the model (Art. 14(2)(f), 15(1)(g)).

Data not collected from the data subject must be traced to its source: an
access package tells the person who it came from. A field names its source
(``pd_field(source=...)``), a model names one for its third-party fields
that do not (``@personal_data(source=...)``), and so may a data source (see
:class:`gdprkit.rights.ThirdPartySource`); each only for data whose origin
is ``third_party``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from gdprkit._errors import PolicyError, PolicyProblem
from gdprkit._policy.values import Text
from gdprkit.vocab import Origin

__all__ = ["source_problems", "source_text"]


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


class _Sourced(Protocol):
    """What the check reads of a field's tag."""

    @property
    def origin(self) -> Origin: ...

    @property
    def source(self) -> Text | None: ...


def source_problems(
    where: str, fields: Sequence[tuple[str, _Sourced]], model_source: Text | None
) -> list[PolicyProblem]:
    """A named source only where data came from a third party (Art. 14(2)(f), 15(1)(g)).

    ``where`` is the model's name, ``fields`` its tagged fields with their tags.
    """
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
