"""Whether using some fields for a purpose needs the data subject's consent checked first.

Two things make it so: the purpose rests on consent (Art. 6(1)(a)), or a
field is special-category data whose Art. 9(2) condition is explicit consent
(Art. 9(2)(a)), whatever the purpose's Art. 6 basis. ``project()`` asks this
to fail closed when no guard is installed; the consent ledger asks it to know
what to check.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from gdprkit.vocab import Art9Condition, LegalBasis, SpecialCategory, Taxonomy

if TYPE_CHECKING:
    from gdprkit._tagging.schema import Schema, Tag
    from gdprkit.policy import Purpose

__all__ = ["consent_needed", "special_of"]


def special_of(tag: Tag, taxonomy: Taxonomy) -> SpecialCategory | None:
    """The Art. 9(1) category of a tagged field: its own, else its data category's."""
    if tag.special is not None:
        return tag.special
    return taxonomy.special_of(tag.category) if str(tag.category) in taxonomy else None


def consent_needed(
    schema: Schema,
    purpose: str,
    names: Iterable[str],
    declared: Purpose | None,
    taxonomy: Taxonomy,
) -> str | None:
    """Why using ``names`` of ``schema`` for ``purpose`` needs consent, in words, or ``None``.

    ``declared`` is the policy's purpose (None where no policy states its
    basis: then only the fields' own conditions count). The purpose rests on
    consent (Art. 6(1)(a)), or a field is special-category data whose Art.
    9(2) condition, its own or the purpose's, is explicit consent (Art.
    9(2)(a)).
    """
    if declared is not None and declared.basis is LegalBasis.CONSENT:
        return f"purpose {purpose!r} rests on consent (Art. 6(1)(a))"
    for name in names:
        tag = schema.tag(name)
        condition = tag.condition or (declared.special_condition if declared else None)
        if condition is Art9Condition.EXPLICIT_CONSENT and special_of(tag, taxonomy) is not None:
            return (
                f"field {schema.name}.{name} is special-category data used for purpose "
                f"{purpose!r} on explicit consent (Art. 9(2)(a))"
            )
    return None
