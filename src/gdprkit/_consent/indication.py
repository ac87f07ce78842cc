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
on the value. A grant that states no value is read for the words that name
what is not consent (a pre-ticked box, silence, inactivity, going on using
the service, in English or Swedish) and refused when it has them; otherwise
it is recorded as the affirmative act its words describe, with no value.
"""

from __future__ import annotations

import enum
import re
from typing import Final

from gdprkit._errors import InvalidConsent

__all__ = ["IndicationMethod", "check_affirmative", "checked_indication"]


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


# Words that describe a way of "consenting" Recital 32 says is none. Only used when a grant
# states no IndicationMethod: a stated one is decisive, so a false match can be overridden.
_NOT_CONSENT_WORDS: Final = (
    (IndicationMethod.PRE_TICKED_BOX, (
        r"pre-?\s?(ticked|checked|selected|filled)", r"ticked in advance",
        r"f\u00f6r(kryssad|bockad|ifylld|vald)", r"ikryssad p\u00e5 f\u00f6rhand",
    )),
    (IndicationMethod.SILENCE, (
        r"silen(ce|t)", r"no objections?", r"did not object", r"tystnad",
        r"inga inv\u00e4ndningar",
    )),
    (IndicationMethod.INACTIVITY, (
        r"inactivity", r"opt-?\s?out", r"by default", r"default (setting|option)s?",
        r"did not (answer|reply|respond|untick|opt)", r"no (answer|reply|response)",
        r"implied", r"implicit", r"inaktivitet", r"uteblivet svar", r"f\u00f6rval",
    )),
    (IndicationMethod.CONTINUED_USE, (
        r"continu(ed|ing) (to )?(use|using|brows\w*|visit\w*)", r"scroll\w*", r"swip\w*",
        r"fortsatt (anv\u00e4ndning|surfning|bes\u00f6k)", r"fortsatte (att )?(anv\u00e4nda|surfa)",
    )),
)  # fmt: skip
_NOT_CONSENT_PATTERNS: Final = tuple(
    (method, re.compile(r"\b(?:" + "|".join(words) + r")\b", re.IGNORECASE))
    for method, words in _NOT_CONSENT_WORDS
)


def checked_indication(indication: object, method: str) -> IndicationMethod | None:
    """The stated indication, checked; or, if none is stated, ``None`` once ``method`` passes.

    Art. 4(11), Recital 32: a ``method`` whose words describe silence, a
    pre-ticked box, inactivity or going on using the service (CJEU C-673/17
    *Planet49*; EDPB Guidelines 05/2020, para. 86) is no consent either, so
    :class:`~gdprkit.InvalidConsent` is raised and nothing is recorded. The
    message names the words found, never the rest of the text.
    """
    if indication is not None:
        return check_affirmative(indication)
    for named, pattern in _NOT_CONSENT_PATTERNS:
        found = pattern.search(method)
        if found is not None:
            raise InvalidConsent(
                f"method says {found.group(0)!r}, which describes {named.name}: not a statement "
                f"or clear affirmative action, so it is not consent ({named.reference}); nothing "
                "was recorded. If the subject did act, state how with indication="
            )
    return None
