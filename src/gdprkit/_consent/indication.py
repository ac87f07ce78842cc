"""How a data subject indicated consent, and whether that was an affirmative act (Art. 4(11)).

Art. 4(11) GDPR: consent is an unambiguous indication of wishes "by a
statement or by a clear affirmative action". Recital 32 names what counts
(ticking a box on a website, choosing technical settings, another statement
or conduct that clearly indicates acceptance) and what does not: silence,
pre-ticked boxes or inactivity. The CJEU held a pre-ticked checkbox that the
user must untick to refuse not to be consent (C-673/17 *Planet49*, 1 October
2019), and the EDPB that scrolling, swiping or going on using a service is no
clear affirmative action (Guidelines 05/2020 on consent, para. 86).

A grant states its method as one of these values plus free text that
describes it (the ISO/IEC TS 27560 / DPV indication method); gdprkit decides
on the value, never by reading the text.
"""

from __future__ import annotations

import enum
from typing import Final

from gdprkit._errors import InvalidConsent

__all__ = ["IndicationMethod", "check_affirmative"]


class IndicationMethod(enum.Enum):
    """How consent was indicated; only the affirmative ones are consent (Art. 4(11), Recital 32)."""

    #: The subject ticked a box that was not ticked before (Recital 32).
    TICKED_BOX = "ticked_box"
    #: The subject pressed an "accept" or "I agree" button or link.
    CLICKED_ACCEPT = "clicked_accept"
    #: The subject chose settings, e.g. in a cookie or privacy dialog (Recital 32).
    CHOSE_SETTINGS = "chose_settings"
    #: A statement the subject wrote: an e-mail, a letter, a form's free text.
    WRITTEN_STATEMENT = "written_statement"
    #: A declaration the subject signed, on paper or electronically (fits Art. 9(2)(a)).
    SIGNED_STATEMENT = "signed_statement"
    #: A statement the subject made orally, e.g. on a recorded call.
    ORAL_STATEMENT = "oral_statement"
    #: Other conduct that clearly indicates acceptance (Recital 32); describe it in the method.
    OTHER_AFFIRMATIVE_ACT = "other_affirmative_act"
    #: A box ticked in advance that the subject left ticked: not consent (Planet49).
    PRE_TICKED_BOX = "pre_ticked_box"
    #: The subject said nothing: not consent (Recital 32).
    SILENCE = "silence"
    #: The subject did nothing, e.g. did not answer an opt-out: not consent (Recital 32).
    INACTIVITY = "inactivity"
    #: Scrolling, swiping or going on using a service: not consent (EDPB 05/2020, para. 86).
    CONTINUED_USE = "continued_use"

    @property
    def affirmative(self) -> bool:
        """Whether this is a statement or a clear affirmative action (Art. 4(11))."""
        return self not in _NOT_CONSENT

    @property
    def reference(self) -> str:
        """The law that decides whether this method gives consent."""
        return _NOT_CONSENT.get(self, "Art. 4(11), Recital 32")


_NOT_CONSENT: Final = {
    IndicationMethod.PRE_TICKED_BOX: "Art. 4(11), Recital 32; CJEU C-673/17 Planet49",
    IndicationMethod.SILENCE: "Art. 4(11), Recital 32",
    IndicationMethod.INACTIVITY: "Art. 4(11), Recital 32",
    IndicationMethod.CONTINUED_USE: "Art. 4(11), Recital 32; EDPB Guidelines 05/2020, para. 86",
}


def check_affirmative(indication: object) -> IndicationMethod:
    """``indication`` if it is an affirmative act; else :class:`~gdprkit.InvalidConsent`.

    Art. 4(11), Recital 32: silence, pre-ticked boxes and inactivity are not
    consent, so nothing is recorded for them.
    """
    if not isinstance(indication, IndicationMethod):
        raise TypeError(f"indication must be an IndicationMethod, got {type(indication).__name__}")
    if not indication.affirmative:
        raise InvalidConsent(
            f"indication {indication.name} is not a statement or clear affirmative action, so it "
            f"is not consent ({indication.reference}); nothing was recorded"
        )
    return indication
