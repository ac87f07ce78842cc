"""Cookie consent: ``cookies.<category>`` pseudo-purposes and the cookies they allow.

LEK (2022:482) 9 kap. 28 § lets a cookie be set or read only with the
user's consent, unless it serves only to transmit a communication or is
strictly necessary for a service the user asked for. The ledger records
cookie consent as consent to a ``cookies.<category>`` pseudo-purpose, one
per category of declared cookies that needs consent (LEGAL.md §9.3).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from gdprkit._consent.records import ConsentPurpose
from gdprkit._errors import LedgerError, UnknownPurpose
from gdprkit.vocab import DPV, LegalBasis

if TYPE_CHECKING:
    from gdprkit.policy import CookieDeclaration, Policy

#: Cookie consent is granted for ``cookies.<category>`` pseudo-purposes.
COOKIE_PREFIX: Final = "cookies."

#: DPV purposes of the consent-requiring cookie categories (LEGAL.md §9.3).
_COOKIE_DPV: Final = {
    "preferences": DPV + "UserInterfacePersonalisation",
    "analytics": DPV + "ServiceUsageAnalytics",
    "marketing": DPV + "Marketing",
}


def cookie_purposes(policy: Policy) -> tuple[str, ...]:
    """The ``cookies.<category>`` pseudo-purposes of the policy's cookies that need consent."""
    categories = dict.fromkeys(c.purpose for c in policy.consent_cookies)
    return tuple(COOKIE_PREFIX + c for c in categories)


def known_purposes(policy: Policy) -> tuple[str, ...]:
    """Every purpose the ledger knows: the policy's, then the cookie pseudo-purposes."""
    return (*policy.purposes, *cookie_purposes(policy))


def cookie_consent_purpose(policy: Policy, pid: str) -> ConsentPurpose:
    """The snapshot of the cookie pseudo-purpose ``pid`` as the user consents to it.

    A category whose declared cookies are all strictly necessary needs no
    consent (LEK (2022:482) 9 kap. 28 § second paragraph): :class:`LedgerError`;
    a category no cookie declares is an :class:`UnknownPurpose`.
    """
    category = pid[len(COOKIE_PREFIX) :]
    cookies = tuple(c for c in policy.cookies if c.purpose == category)
    if cookies and all(c.strictly_necessary for c in cookies):
        raise LedgerError(
            f"purpose {pid!r}: {category} cookies need no consent "
            "(LEK (2022:482) 9 kap. 28 § second paragraph)"
        )
    if not cookies:
        raise UnknownPurpose(pid, known=known_purposes(policy))
    data = ("online.cookie_id",)
    taxonomy = policy.taxonomy
    return ConsentPurpose(
        id=pid,
        basis=LegalBasis.CONSENT,
        dpv=(_COOKIE_DPV[category],) if category in _COOKIE_DPV else (),
        categories=data,
        data_dpv=tuple(taxonomy[d].dpv for d in data if d in taxonomy),
        recipients=tuple(dict.fromkeys(c.provider for c in cookies if c.party == "third")),
        retention="; ".join(f"{c.name}: {c.lifetime or 'session'}" for c in cookies),
    )


def allowed_cookies(policy: Policy, consented: frozenset[str]) -> tuple[CookieDeclaration, ...]:
    """The policy's cookies that may be set or read given the ``consented`` purposes.

    Transmission and strictly necessary cookies always; every other one only
    with consent to ``cookies.<its category>`` or to the policy purpose it
    names as ``consent_purpose``; in policy order (LEK (2022:482) 9 kap. 28 §).
    """
    return tuple(
        c
        for c in policy.cookies
        if c.strictly_necessary
        or COOKIE_PREFIX + c.purpose in consented
        or (c.consent_purpose is not None and c.consent_purpose in consented)
    )
