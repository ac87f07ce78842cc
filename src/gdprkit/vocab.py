"""The GDPR's vocabulary as values: legal bases, rights, special categories, origins, data categories.

Each term knows its article and its W3C Data Privacy Vocabulary (DPV 2.x) IRI,
so that every rendering (notice, Art. 30 record, export manifest, JSON-LD)
says the same thing.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Iterator, Mapping

import attrs

from gdprkit._errors import PolicyError, PolicyProblem

__all__ = [
    "BUILTIN_TAXONOMY",
    "DPV",
    "DPV_GDPR",
    "DPV_PD",
    "Art9Condition",
    "CategoryInfo",
    "DataCategory",
    "LegalBasis",
    "Origin",
    "Right",
    "SpecialCategory",
    "Taxonomy",
]

DPV = "https://w3id.org/dpv#"
DPV_PD = "https://w3id.org/dpv/pd#"
DPV_GDPR = "https://w3id.org/dpv/legal/eu/gdpr#"


def _normal(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip()).upper()


class Right(enum.Enum):
    """A data subject's right under the GDPR (Art. 7(3), 13-22, 77)."""

    INFORMATION = "information"
    ACCESS = "access"
    RECTIFICATION = "rectification"
    ERASURE = "erasure"
    RESTRICTION = "restriction"
    NOTIFICATION = "notification"
    PORTABILITY = "portability"
    OBJECTION = "objection"
    AUTOMATED_DECISIONS = "automated_decisions"
    WITHDRAW_CONSENT = "withdraw_consent"
    COMPLAINT = "complaint"

    @property
    def article(self) -> str:
        """The article that grants the right, e.g. ``"15"``."""
        return _RIGHT_INFO[self][0]

    @property
    def dpv(self) -> str:
        """The DPV GDPR-extension IRI of the right, e.g. ``…/gdpr#A15``."""
        return DPV_GDPR + "A" + self.article.replace("(", "-").replace(")", "")

    def label(self, lang: str = "en") -> str:
        """The right's name in ``lang`` ("sv" or "en"; other languages fall back to English)."""
        _, en, sv = _RIGHT_INFO[self]
        return sv if lang == "sv" else en


_RIGHT_INFO: dict[Right, tuple[str, str, str]] = {
    Right.INFORMATION: ("13", "right to be informed", "rätt till information"),
    Right.ACCESS: ("15", "right of access", "rätt till tillgång (registerutdrag)"),
    Right.RECTIFICATION: ("16", "right to rectification", "rätt till rättelse"),
    Right.ERASURE: ("17", "right to erasure", "rätt till radering"),
    Right.RESTRICTION: (
        "18",
        "right to restriction of processing",
        "rätt till begränsning av behandling",
    ),
    Right.NOTIFICATION: ("19", "notification of recipients", "underrättelse till mottagare"),
    Right.PORTABILITY: ("20", "right to data portability", "rätt till dataportabilitet"),
    Right.OBJECTION: ("21", "right to object", "rätt att göra invändningar"),
    Right.AUTOMATED_DECISIONS: (
        "22",
        "rights related to automated decision-making",
        "rätt att inte bli föremål för automatiserade beslut",
    ),
    Right.WITHDRAW_CONSENT: ("7(3)", "right to withdraw consent", "rätt att återkalla samtycke"),
    Right.COMPLAINT: (
        "77",
        "right to lodge a complaint with a supervisory authority",
        "rätt att klaga hos en tillsynsmyndighet",
    ),
}


class LegalBasis(enum.Enum):
    """The six lawful bases of GDPR Art. 6(1)(a)-(f).

    Each basis knows its article, its DPV IRI, its English and Swedish label,
    and which rights follow from it: objection (Art. 21(1)) for public task and
    legitimate interests, withdrawal (Art. 7(3)) for consent, portability
    (Art. 20(1)(a)) for consent and contract.
    """

    CONSENT = "consent"
    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal_obligation"
    VITAL_INTERESTS = "vital_interests"
    PUBLIC_TASK = "public_task"
    LEGITIMATE_INTERESTS = "legitimate_interests"
    # LEGAL.md's spellings, as aliases of the same members
    VITAL_INTEREST = "vital_interests"  # noqa: PIE796 - an alias on purpose
    LEGITIMATE_INTEREST = "legitimate_interests"  # noqa: PIE796 - an alias on purpose

    @property
    def article(self) -> str:
        """``"6(1)(a)"`` … ``"6(1)(f)"``."""
        return f"6(1)({_BASIS_INFO[self][0]})"

    @property
    def dpv(self) -> str:
        """The generic DPV IRI, e.g. ``https://w3id.org/dpv#Consent``."""
        return DPV + _BASIS_INFO[self][1]

    @property
    def dpv_gdpr(self) -> str:
        """The DPV GDPR-specific IRI, e.g. ``https://w3id.org/dpv/legal/eu/gdpr#A6-1-a``."""
        return f"{DPV_GDPR}A6-1-{_BASIS_INFO[self][0]}"

    def label(self, lang: str = "en") -> str:
        """The basis' name in ``lang`` ("sv" or "en"; others fall back to English)."""
        return _BASIS_INFO[self][3] if lang == "sv" else _BASIS_INFO[self][2]

    @property
    def objectable(self) -> bool:
        """Whether the data subject may object under Art. 21(1) (bases (e) and (f))."""
        return self in (LegalBasis.PUBLIC_TASK, LegalBasis.LEGITIMATE_INTERESTS)

    @property
    def withdrawable(self) -> bool:
        """Whether the data subject may withdraw (Art. 7(3)): only consent."""
        return self is LegalBasis.CONSENT

    @property
    def portable(self) -> bool:
        """Whether Art. 20(1)(a) portability can apply: consent or contract."""
        return self in (LegalBasis.CONSENT, LegalBasis.CONTRACT)

    @property
    def rights(self) -> tuple[Right, ...]:
        """The rights that apply under this basis (DPV's rights-per-basis mapping).

        Art. 17(3)(b) removes erasure for legal obligation and public task,
        Art. 20(3) portability for public task.
        """
        return _BASIS_RIGHTS[self]

    @classmethod
    def parse(cls, text: object) -> LegalBasis:
        """A basis from its value, name or article: ``"contract"``, ``"CONTRACT"``, ``"6(1)(b)"``."""
        if not isinstance(text, str):
            raise TypeError(f"legal basis must be a string, got {type(text).__name__}")
        key = _normal(text)
        for basis in cls:
            info = _BASIS_INFO[basis]
            if key in (basis.name, basis.value.upper(), _normal(basis.article), info[1].upper()):
                return basis
        alias = {"VITAL_INTEREST": "VITAL_INTERESTS", "LEGITIMATE_INTEREST": "LEGITIMATE_INTERESTS"}
        if key in alias:
            return cls[alias[key]]
        raise ValueError(
            f"unknown legal basis {text!r}; expected one of "
            + ", ".join(b.value for b in cls)
            + " (or an article such as 6(1)(b))"
        )


_BASIS_INFO: dict[LegalBasis, tuple[str, str, str, str]] = {
    LegalBasis.CONSENT: ("a", "Consent", "Consent", "Samtycke"),
    LegalBasis.CONTRACT: ("b", "Contract", "Contract", "Avtal"),
    LegalBasis.LEGAL_OBLIGATION: (
        "c",
        "LegalObligation",
        "Legal obligation",
        "Rättslig förpliktelse",
    ),
    LegalBasis.VITAL_INTERESTS: (
        "d",
        "VitalInterest",
        "Vital interests",
        "Grundläggande intressen",
    ),
    # DPV 2.x has no "PublicTask" concept; 6(1)(e) is dpv:PublicInterest
    # (with dpv:OfficialAuthorityOfController), as checked in LEGAL.md §1.1.
    LegalBasis.PUBLIC_TASK: (
        "e",
        "PublicInterest",
        "Public task",
        "Allmänt intresse eller myndighetsutövning",
    ),
    LegalBasis.LEGITIMATE_INTERESTS: (
        "f",
        "LegitimateInterest",
        "Legitimate interests",
        "Berättigat intresse",
    ),
}

_R = Right
_BASIS_RIGHTS: dict[LegalBasis, tuple[Right, ...]] = {
    LegalBasis.CONSENT: (
        _R.INFORMATION, _R.ACCESS, _R.RECTIFICATION, _R.ERASURE, _R.RESTRICTION,
        _R.PORTABILITY, _R.AUTOMATED_DECISIONS, _R.WITHDRAW_CONSENT, _R.COMPLAINT,
    ),
    LegalBasis.CONTRACT: (
        _R.INFORMATION, _R.ACCESS, _R.RECTIFICATION, _R.ERASURE, _R.RESTRICTION,
        _R.PORTABILITY, _R.AUTOMATED_DECISIONS, _R.COMPLAINT,
    ),
    LegalBasis.LEGAL_OBLIGATION: (
        _R.INFORMATION, _R.ACCESS, _R.RECTIFICATION, _R.RESTRICTION, _R.COMPLAINT,
    ),
    LegalBasis.VITAL_INTERESTS: (
        _R.INFORMATION, _R.ACCESS, _R.RECTIFICATION, _R.ERASURE, _R.RESTRICTION,
        _R.AUTOMATED_DECISIONS, _R.COMPLAINT,
    ),
    LegalBasis.PUBLIC_TASK: (
        _R.INFORMATION, _R.ACCESS, _R.RECTIFICATION, _R.RESTRICTION, _R.OBJECTION,
        _R.AUTOMATED_DECISIONS, _R.COMPLAINT,
    ),
    LegalBasis.LEGITIMATE_INTERESTS: (
        _R.INFORMATION, _R.ACCESS, _R.RECTIFICATION, _R.ERASURE, _R.RESTRICTION,
        _R.OBJECTION, _R.AUTOMATED_DECISIONS, _R.COMPLAINT,
    ),
}  # fmt: skip


class SpecialCategory(enum.Enum):
    """The special categories of personal data of GDPR Art. 9(1)."""

    RACIAL_OR_ETHNIC_ORIGIN = "racial_or_ethnic_origin"
    POLITICAL_OPINIONS = "political_opinions"
    RELIGIOUS_OR_PHILOSOPHICAL_BELIEFS = "religious_or_philosophical_beliefs"
    TRADE_UNION_MEMBERSHIP = "trade_union_membership"
    GENETIC = "genetic"
    BIOMETRIC = "biometric"
    HEALTH = "health"
    SEX_LIFE_OR_ORIENTATION = "sex_life_or_orientation"

    @property
    def dpv(self) -> str:
        """The DPV personal-data IRI of the category."""
        return DPV_PD + _SPECIAL_DPV[self]

    @classmethod
    def parse(cls, text: object) -> SpecialCategory:
        """A special category from its value or name (``"health"``, ``"HEALTH"``)."""
        key = _normal(text) if isinstance(text, str) else ""
        for member in cls:
            if key in (member.name, member.value.upper()):
                return member
        raise ValueError(
            f"unknown special category {text!r}; expected one of " + ", ".join(m.value for m in cls)
        )


_SPECIAL_DPV = {
    SpecialCategory.RACIAL_OR_ETHNIC_ORIGIN: "Racial",
    SpecialCategory.POLITICAL_OPINIONS: "PoliticalOpinion",
    SpecialCategory.RELIGIOUS_OR_PHILOSOPHICAL_BELIEFS: "Religion",
    SpecialCategory.TRADE_UNION_MEMBERSHIP: "TradeUnionMembership",
    SpecialCategory.GENETIC: "Genetic",
    SpecialCategory.BIOMETRIC: "Biometric",
    SpecialCategory.HEALTH: "Health",
    SpecialCategory.SEX_LIFE_OR_ORIENTATION: "SexualOrientation",
}


class Art9Condition(enum.Enum):
    """The conditions of GDPR Art. 9(2)(a)-(j) that lift the Art. 9(1) prohibition."""

    EXPLICIT_CONSENT = "a"
    EMPLOYMENT_SOCIAL_SECURITY = "b"
    VITAL_INTERESTS = "c"
    NOT_FOR_PROFIT_BODY = "d"
    MADE_PUBLIC = "e"
    LEGAL_CLAIMS = "f"
    SUBSTANTIAL_PUBLIC_INTEREST = "g"
    HEALTH_OR_SOCIAL_CARE = "h"
    PUBLIC_HEALTH = "i"
    ARCHIVING_RESEARCH_STATISTICS = "j"

    @property
    def article(self) -> str:
        """``"9(2)(a)"`` … ``"9(2)(j)"``."""
        return f"9(2)({self.value})"

    @property
    def dpv(self) -> str:
        """The DPV GDPR-extension IRI, e.g. ``…/gdpr#A9-2-a``."""
        return f"{DPV_GDPR}A9-2-{self.value}"

    @classmethod
    def parse(cls, text: object) -> Art9Condition:
        """A condition from its name, letter or article: ``"explicit_consent"``, ``"a"``, ``"9(2)(a)"``."""
        key = _normal(text) if isinstance(text, str) else ""
        for member in cls:
            if key in (member.name, member.value.upper(), _normal(member.article)):
                return member
        raise ValueError(
            f"unknown Art. 9(2) condition {text!r}; expected a letter a-j, an article "
            "such as 9(2)(a), or one of " + ", ".join(m.name.lower() for m in cls)
        )


class Origin(enum.Enum):
    """Where personal data came from; Art. 20 portability keys on this (WP242 rev.01).

    PROVIDED: actively given by the subject. OBSERVED: generated by the
    subject's use of the service (meter readings, logins). DERIVED: inferred
    or computed by the controller (a churn score). THIRD_PARTY: received from
    someone else (a partner); Art. 14 and 15(1)(g) apply.
    """

    PROVIDED = "provided"
    OBSERVED = "observed"
    DERIVED = "derived"
    THIRD_PARTY = "third_party"

    @property
    def dpv(self) -> str:
        """The DPV provenance class of data with this origin."""
        return (
            DPV
            + {
                Origin.PROVIDED: "ProvidedPersonalData",
                Origin.OBSERVED: "ObservedPersonalData",
                Origin.DERIVED: "DerivedPersonalData",
                Origin.THIRD_PARTY: "CollectedPersonalData",
            }[self]
        )

    @property
    def provided_by_subject(self) -> bool:
        """True for data "provided by" the subject in the Art. 20(1) sense (provided or observed)."""
        return self in (Origin.PROVIDED, Origin.OBSERVED)

    def label(self, lang: str = "en") -> str:
        """Where the data came from, in words."""
        en, sv = {
            Origin.PROVIDED: ("provided by you", "lämnade av dig"),
            Origin.OBSERVED: (
                "generated by your use of the service",
                "genererade när du använder tjänsten",
            ),
            Origin.DERIVED: ("derived or inferred by us", "härledda eller beräknade av oss"),
            Origin.THIRD_PARTY: ("received from a third party", "mottagna från tredje part"),
        }[self]
        return sv if lang == "sv" else en

    @classmethod
    def parse(cls, text: object) -> Origin:
        """An origin from its value or name."""
        key = _normal(text) if isinstance(text, str) else ""
        for member in cls:
            if key in (member.name, member.value.upper()):
                return member
        raise ValueError(
            f"unknown origin {text!r}; expected one of " + ", ".join(m.value for m in cls)
        )


_CATEGORY_NAME = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*\Z")


@attrs.frozen(order=True)
class DataCategory:
    """A dotted, hierarchical personal-data category: ``contact.email`` is inside ``contact``."""

    name: str = attrs.field()

    @name.validator
    def _check(self, _: attrs.Attribute[str], value: str) -> None:
        if not isinstance(value, str) or not _CATEGORY_NAME.match(value):
            raise ValueError("a data category is dotted lowercase words such as 'contact.email'")

    def __str__(self) -> str:
        return self.name

    @property
    def parent(self) -> DataCategory | None:
        """The enclosing category, or ``None`` at the top."""
        head, dot, _ = self.name.rpartition(".")
        return DataCategory(head) if dot else None

    @property
    def ancestors(self) -> tuple[DataCategory, ...]:
        """Every enclosing category, nearest first."""
        parts = self.name.split(".")
        return tuple(DataCategory(".".join(parts[:i])) for i in range(len(parts) - 1, 0, -1))

    @property
    def root(self) -> DataCategory:
        """The top-level category (``contact`` for ``contact.email``)."""
        return DataCategory(self.name.split(".", 1)[0])

    def is_within(self, other: DataCategory | str) -> bool:
        """True if this category is ``other`` or lies inside it."""
        outer = other.name if isinstance(other, DataCategory) else other
        return self.name == outer or self.name.startswith(outer + ".")


@attrs.frozen
class CategoryInfo:
    """What the taxonomy knows of a category: labels, DPV IRI, Art. 9 status."""

    category: DataCategory
    label_en: str
    label_sv: str
    dpv: str = DPV_PD + "PersonalData"
    special: SpecialCategory | None = None

    def label(self, lang: str = "en") -> str:
        """The category's name in ``lang``."""
        return self.label_sv if lang == "sv" else self.label_en


@attrs.frozen
class Taxonomy(Mapping[str, CategoryInfo]):
    """A closed set of data categories; every parent of a category is in it too."""

    _entries: tuple[tuple[str, CategoryInfo], ...] = attrs.field(alias="entries")
    _index: dict[str, CategoryInfo] = attrs.field(
        init=False, eq=False, hash=False, repr=False,
        default=attrs.Factory(lambda self: dict(self._entries), takes_self=True),
    )  # fmt: skip

    def __getitem__(self, key: str) -> CategoryInfo:
        return self._index[str(key)]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, key: object) -> bool:
        return str(key) in self._index

    def __repr__(self) -> str:
        return f"<Taxonomy: {len(self._index)} categories>"

    def special_of(self, category: DataCategory | str) -> SpecialCategory | None:
        """The Art. 9 category of ``category`` or of its nearest special ancestor."""
        cat = category if isinstance(category, DataCategory) else DataCategory(category)
        for name in (cat, *cat.ancestors):
            info = self._index.get(name.name)
            if info is not None and info.special is not None:
                return info.special
        return None

    def extended(self, extra: Iterable[CategoryInfo], *, location: str = "") -> Taxonomy:
        """A taxonomy with ``extra`` categories added; each parent must exist or be added too."""
        entries = dict(self._entries)
        added = list(extra)
        for info in added:
            entries[info.category.name] = info
        problems = [
            PolicyProblem(
                location,
                f"category {info.category.name!r} has no parent category "
                f"{info.category.parent.name!r} in the taxonomy",
            )
            for info in added
            if info.category.parent is not None and info.category.parent.name not in entries
        ]
        if problems:
            raise PolicyError(problems)
        return Taxonomy(entries=tuple(sorted(entries.items())))


def _taxonomy(rows: Iterable[tuple[str, str, str, str]]) -> Taxonomy:
    infos = []
    for name, en, sv, dpv in rows:
        special = SpecialCategory.HEALTH if name.startswith("health") else None
        infos.append(CategoryInfo(DataCategory(name), en, sv, DPV_PD + dpv, special))
    return Taxonomy(entries=()).extended(infos)


BUILTIN_TAXONOMY: Taxonomy = _taxonomy(
    [
        ("identity", "identity", "identitet", "Identifying"),
        ("identity.name", "name", "namn", "Name"),
        (
            "identity.national_id",
            "national identity number",
            "personnummer",
            "NationalIdentificationNumber",
        ),
        ("identity.customer_id", "customer number", "kundnummer", "Identifier"),
        ("contact", "contact details", "kontaktuppgifter", "Contact"),
        ("contact.email", "e-mail address", "e-postadress", "EmailAddress"),
        ("contact.phone", "telephone number", "telefonnummer", "TelephoneNumber"),
        ("contact.postal_address", "postal address", "postadress", "PhysicalAddress"),
        ("financial", "financial data", "ekonomiska uppgifter", "Financial"),
        ("financial.invoice", "invoices", "fakturor", "Transaction"),
        ("financial.payment", "payments", "betalningar", "Payment"),
        ("financial.bank_account", "bank account", "bankkonto", "BankAccount"),
        ("location", "location", "plats", "Location"),
        ("location.precise", "precise location", "exakt plats", "Location"),
        ("location.coarse", "coarse location", "grov platsinformation", "Region"),
        ("energy", "energy data", "energidata", "ServiceConsumptionBehaviour"),
        (
            "energy.consumption",
            "energy consumption",
            "energianvändning",
            "ServiceConsumptionBehaviour",
        ),
        (
            "energy.production",
            "energy production",
            "energiproduktion",
            "ServiceConsumptionBehaviour",
        ),
        ("energy.meter_id", "meter id", "mätar-id", "UID"),
        ("housing", "housing", "boende", "Household"),
        ("housing.dwelling_type", "dwelling type", "boendeform", "Household"),
        ("housing.area", "living area", "boyta", "Household"),
        ("housing.heating", "heating system", "uppvärmning", "Household"),
        ("equipment", "equipment", "utrustning", "PersonalPossession"),
        ("equipment.heat_pump", "heat pump", "värmepump", "PersonalPossession"),
        ("equipment.ev_charger", "EV charger", "laddbox", "PersonalPossession"),
        ("equipment.solar", "solar panels", "solceller", "PersonalPossession"),
        ("equipment.battery", "home battery", "batteri", "PersonalPossession"),
        ("online", "online identifiers", "onlineidentifierare", "OnlineIdentifier"),
        ("online.ip_address", "IP address", "IP-adress", "IPAddress"),
        ("online.cookie_id", "cookie identifier", "kak-id", "BrowserFingerprint"),
        ("online.device_id", "device identifier", "enhets-id", "DeviceBased"),
        ("technical", "technical data", "tekniska uppgifter", "Technical"),
        ("technical.logs", "logs", "loggar", "AuthenticationHistory"),
        ("communication", "communication", "kommunikation", "Communication"),
        (
            "communication.customer_service",
            "customer-service messages",
            "kundtjänstärenden",
            "Communication",
        ),
        ("preferences", "preferences", "preferenser", "Preference"),
        ("preferences.marketing", "marketing preferences", "marknadsföringsval", "Preference"),
        ("preferences.privacy", "privacy preferences", "integritetsval", "PrivacyPreference"),
        ("profile", "profiles and scores", "profiler och poäng", "IndividualProfile"),
        ("profile.churn_score", "churn score", "churn-poäng", "IndividualProfile"),
        ("health", "health data", "hälsouppgifter", "Health"),
    ]
)
