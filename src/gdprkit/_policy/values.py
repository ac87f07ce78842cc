"""The parts of a privacy policy as values: texts, controller, authority, purposes, cookies."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Literal, Protocol

import attrs

from gdprkit.vocab import Art9Condition, DataCategory, LegalBasis, Right, Taxonomy

if TYPE_CHECKING:
    from gdprkit._policy.anonymization import AnonymizationDeclaration
    from gdprkit._retention.rules import Rule

#: EU member states and the other EEA countries (ISO 3166-1 alpha-2): transfers
#: elsewhere are third-country transfers under GDPR Chapter V.
EEA = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
        "IS",
        "LI",
        "NO",
    ]
)

CookiePurpose = Literal[
    "transmission", "strictly_necessary", "preferences", "analytics", "marketing"
]
COOKIE_PURPOSES: tuple[CookiePurpose, ...] = (
    "transmission",
    "strictly_necessary",
    "preferences",
    "analytics",
    "marketing",
)


def _pairs(values: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple((str(k), str(v)) for k, v in values)


@attrs.frozen
class Text:
    """A text in several languages; lookups fall back to English, then to any language."""

    values: tuple[tuple[str, str], ...] = attrs.field(converter=_pairs)

    @classmethod
    def of(cls, value: str | Mapping[str, str], lang: str = "en") -> Text:
        """A ``Text`` from a mapping of language to text, or one string in ``lang``."""
        if isinstance(value, str):
            return cls(((lang, value),))
        return cls(tuple(value.items()))

    def get(self, lang: str = "en") -> str:
        """The text in ``lang``, else English, else the first language given."""
        table = dict(self.values)
        return table.get(lang) or table.get("en") or (self.values[0][1] if self.values else "")

    def __str__(self) -> str:
        return self.get("en")

    @property
    def languages(self) -> frozenset[str]:
        """The languages the text is given in."""
        return frozenset(lang for lang, _ in self.values)


@attrs.frozen
class Controller:
    """The controller (Art. 4(7)); Art. 13(1)(a), 30(1)(a)."""

    name: str
    email: str
    address: str
    org_number: str | None = None
    phone: str | None = None
    websites: tuple[str, ...] = ()
    dpo: str | None = None
    iri: str | None = None


@attrs.frozen
class Authority:
    """The supervisory authority a subject may complain to (Art. 77); for Sweden, IMY."""

    name: Text
    website: str
    address: str | None = None
    email: str | None = None
    phone: str | None = None
    complaint_url: str | None = None
    dpv: str | None = None


Notification = Literal["required", "impossible", "disproportionate_effort"]


@attrs.frozen
class Recipient:
    """A recipient or category of recipients (Art. 4(9), 13(1)(e), 15(1)(c), 30(1)(d)-(e)).

    With ``identity`` it is one recipient named by its legal name (a data
    subject who asks is told the identity of the actual recipients, CJEU
    C-154/21 *Österreichische Post*), optionally in the ``category`` of
    another entry; without it, a category. ``notification`` says whether a
    rectification, erasure or restriction is communicated to it (Art. 19):
    ``required``, or, with ``notification_reason``, ``impossible`` or
    ``disproportionate_effort``, the two grounds Art. 19 allows for not doing so.
    """

    id: str
    name: Text
    kind: str = "processor"
    country: str = "SE"
    safeguards: str | None = None
    identity: str | None = None
    category: str | None = None
    contact: str | None = None
    notification: Notification = "required"
    notification_reason: Text | None = None

    @property
    def third_country(self) -> bool:
        """True when the recipient is outside the EEA (a Chapter V transfer)."""
        return self.country.upper() not in EEA

    @property
    def named(self) -> bool:
        """True for a recipient named by identity, False for a category of recipients."""
        return self.identity is not None

    @property
    def notified(self) -> bool:
        """Whether Art. 19 communications go to it (not impossible, no disproportionate effort)."""
        return self.notification == "required"


@attrs.frozen
class SubjectKind:
    """A category of data subjects (Art. 30(1)(c)), e.g. direct customers.

    ``description`` says what the notice tells about them, e.g. that partner
    customers' data is normally not stored.
    """

    id: str
    name: Text
    description: Text | None = None


@attrs.frozen
class Purpose:
    """A purpose of processing with exactly one Art. 6(1) basis and what that basis requires.

    A legal-obligation purpose names its legal reference (Art. 6(3)); a
    legitimate-interests purpose names its balancing-test assessment
    (Art. 6(1)(f), EDPB Guidelines 1/2024); a direct-marketing purpose is open
    to an absolute objection (Art. 21(2)-(3)). A purpose that keeps data only
    as anonymous data declares, per record kind, how (``anonymization``;
    Recital 26, WP216).
    """

    id: str
    name: Text
    description: Text
    basis: LegalBasis
    legal_reference: str | None = None
    legitimate_interest_assessment: str | None = None
    direct_marketing: bool = False
    anonymized_only: bool = False
    recipients: tuple[str, ...] = ()
    retention: Rule | None = attrs.field(default=None, eq=False)
    retention_text: Text | None = None
    categories: tuple[DataCategory, ...] = ()
    subjects: tuple[str, ...] = ()
    dpv: tuple[str, ...] = ()
    special_condition: Art9Condition | None = None
    references: tuple[str, ...] = ()
    anonymization: tuple[AnonymizationDeclaration, ...] = ()

    def anonymization_for(self, kind: str) -> AnonymizationDeclaration | None:
        """How this purpose keeps records of ``kind`` (a model's name) as anonymous data."""
        return next((d for d in self.anonymization if d.kind == kind), None)

    @property
    def rights(self) -> tuple[Right, ...]:
        """The rights that apply to processing for this purpose.

        They follow from the basis; direct marketing adds the objection of
        Art. 21(2) whatever the basis.
        """
        rights = self.basis.rights
        if self.direct_marketing and Right.OBJECTION not in rights:
            order = list(Right)
            rights = tuple(sorted((*rights, Right.OBJECTION), key=order.index))
        return rights

    def retention_words(self, lang: str = "en") -> str | None:
        """The retention rule in words: the declared text, else the rule's own description."""
        if self.retention_text is not None:
            return self.retention_text.get(lang)
        if self.retention is not None:
            return self.retention.describe()
        return None


@attrs.frozen
class CookieDeclaration:
    """A cookie or other terminal storage (LEK (2022:482) 9 kap. 28 §, ePrivacy Art. 5(3)).

    Whether consent is needed follows from the purpose, not the lifetime
    (WP194): only ``transmission`` and ``strictly_necessary`` are exempt.
    """

    name: str
    provider: str
    purpose: CookiePurpose
    description: Text
    persistent: bool = False
    lifetime: str | None = None
    party: Literal["first", "third"] = "first"
    consent_purpose: str | None = None

    @property
    def strictly_necessary(self) -> bool:
        """True when no consent is needed: transmission or strictly necessary for the service."""
        return self.purpose in ("transmission", "strictly_necessary")


class PolicyView(Protocol):
    """What the renderings (Art. 30 record, privacy notice, DPV) read from a policy.

    :class:`~gdprkit.policy.Policy` has all of it. The renderers are typed
    against this view rather than the class, so that ``Policy.ropa()`` and the
    other renderings can call them without an import cycle between the policy
    and its renderers.
    """

    @property
    def controller(self) -> Controller:
        """The controller (Art. 13(1)(a), 30(1)(a))."""

    @property
    def authority(self) -> Authority:
        """The supervisory authority (Art. 13(2)(d))."""

    @property
    def purposes(self) -> Mapping[str, Purpose]:
        """Purpose id -> purpose, in declaration order."""

    @property
    def subjects(self) -> Mapping[str, SubjectKind]:
        """Subject kind id -> kind."""

    @property
    def recipients(self) -> Mapping[str, Recipient]:
        """Recipient id -> recipient."""

    @property
    def taxonomy(self) -> Taxonomy:
        """The data categories, with their labels and DPV IRIs."""

    @property
    def cookies(self) -> tuple[CookieDeclaration, ...]:
        """The cookies and other terminal storage declared."""

    @property
    def rights_contact(self) -> str | None:
        """Where data subjects exercise their rights, if not the controller's address."""

    @property
    def automated_decisions(self) -> Text:
        """What the notice says about automated decision-making (Art. 13(2)(f))."""

    @property
    def security_measures(self) -> Text | None:
        """The security measures in general terms (Art. 30(1)(g))."""

    @property
    def jurisdiction(self) -> str:
        """The country whose law applies besides the GDPR (ISO 3166-1 alpha-2)."""

    @property
    def examples(self) -> frozenset[str]:
        """Key paths of the parts that are example values, not the published policy."""

    def is_example(self, path: str) -> bool:
        """Whether the part at key ``path`` is an example value (Art. 5(1)(a), 12(1))."""
