"""The grounds on which restricted data may be processed beyond storage (GDPR Art. 18(2)).

Art. 18(2): where processing has been restricted, the data may, with the
exception of storage, be processed only with the data subject's consent, for
the establishment, exercise or defence of legal claims, for the protection of
the rights of another natural or legal person, or for reasons of important
public interest of the Union or of a Member State. A call to ``project()``
states the one it relies on; the consent ledger records it in the audit log.
"""

from __future__ import annotations

import enum
from typing import Final

__all__ = ["RestrictionGround"]


class RestrictionGround(enum.Enum):
    """One of the four Art. 18(2) grounds for processing restricted data beyond storage."""

    CONSENT = "consent"
    LEGAL_CLAIMS = "legal_claims"
    RIGHTS_OF_OTHERS = "rights_of_others"
    PUBLIC_INTEREST = "public_interest"

    @property
    def article(self) -> str:
        """``"18(2)"``: every ground comes from the same paragraph."""
        return "18(2)"

    def label(self, lang: str = "en") -> str:
        """The ground in words, in ``lang`` ("sv" or "en"; others fall back to English)."""
        en, sv = _LABELS[self]
        return sv if lang == "sv" else en


_LABELS: Final = {
    RestrictionGround.CONSENT: (
        "with the data subject's consent",
        "med den registrerades samtycke",
    ),
    RestrictionGround.LEGAL_CLAIMS: (
        "for the establishment, exercise or defence of legal claims",
        "för att fastställa, göra gällande eller försvara rättsliga anspråk",
    ),
    RestrictionGround.RIGHTS_OF_OTHERS: (
        "for the protection of the rights of another natural or legal person",
        "för att skydda någon annan fysisk eller juridisk persons rättigheter",
    ),
    RestrictionGround.PUBLIC_INTEREST: (
        "for reasons of important public interest of the Union or of a Member State",
        "för skäl som rör ett viktigt allmänt intresse för unionen eller för en medlemsstat",
    ),
}
