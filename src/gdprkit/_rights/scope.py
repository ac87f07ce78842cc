"""What an export package holds: everything for access (Art. 15), less for portability (Art. 20)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Final, Literal

import attrs

from gdprkit.tagging import Schema
from gdprkit.vocab import LegalBasis, Origin

if TYPE_CHECKING:
    from gdprkit.policy import Policy

__all__ = ["BASIS", "DERIVED", "THIRD_PARTY", "UNTAGGED", "FieldPlan", "Scope", "plan_fields"]

#: What a package answers: a request for access (Art. 15) or for data portability (Art. 20).
Scope = Literal["access", "portability"]

#: Why a field is left out of a portability package, as the manifest says it (the page
#: words each for the subject, in their language).
DERIVED: Final = (
    "Art. 20(1): not provided by the data subject (derived or inferred by the controller; "
    "WP242 rev.01)"
)
THIRD_PARTY: Final = "Art. 20(1): not provided by the data subject (received from a third party)"
UNTAGGED: Final = "not declared as personal data of the subject (untagged field)"
#: The start of the reason for a field processed on no basis that Art. 20(1)(a) names.
BASIS: Final = "Art. 20(1)(a)"


def _portability_basis_reason(bases: Iterable[LegalBasis]) -> str:
    names = ", ".join(sorted({f"{b.label('en')} ({b.article})" for b in bases}))
    return f"{BASIS}: processed only on {names}, not on consent or contract"


@attrs.frozen
class FieldPlan:
    """The fields of a record kind that go into the package, and why each other one does not."""

    included: tuple[str, ...]
    excluded: tuple[tuple[str, str], ...]


def plan_fields(schema: Schema, policy: Policy, scope: Scope) -> FieldPlan:
    """Which fields of a record kind go into the package, and why the others do not.

    Access covers all personal data, derived and inferred data too (Art. 15,
    EDPB Guidelines 01/2022). Portability covers only what the subject
    provided (not derived or inferred, WP242 rev.01; not received from a third
    party) and is processed on consent or contract (Art. 20(1)(a)).
    """
    if scope == "access":
        # Art. 15 covers all personal data, derived and inferred data too (EDPB 01/2022).
        return FieldPlan(schema.all_fields, ())
    tagged = {f.name: f.tag for f in schema.fields}
    included: list[str] = []
    excluded: list[tuple[str, str]] = []
    for name in schema.all_fields:
        tag = tagged.get(name)
        if tag is None:
            excluded.append((name, UNTAGGED))
            continue
        if not tag.origin.provided_by_subject:
            reason = THIRD_PARTY if tag.origin is Origin.THIRD_PARTY else DERIVED
            excluded.append((name, reason))
            continue
        bases = [policy.purpose(p).basis for p in tag.purposes]
        if not any(b.portable for b in bases):
            excluded.append((name, _portability_basis_reason(bases)))
            continue
        included.append(name)
    return FieldPlan(tuple(included), tuple(excluded))
