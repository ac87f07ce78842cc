"""gdprkit's own texts in Swedish and English, held one way: catalogues of messages by id.

What gdprkit writes for a data subject (the export package's page, the
erasure receipt) must be in a language they understand, in clear and plain
words (GDPR Art. 12(1)). Each message is one value holding both languages, so
a text cannot be added in one and forgotten in the other; a lookup names its
language, and a language gdprkit has no texts in is refused with
:class:`~gdprkit.UnknownLanguage`. Callers that promise a fallback (the page
and the receipts fall back to English) say so with :func:`language`'s
``default``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal

import attrs

from gdprkit._errors import UnknownLanguage
from gdprkit._util import FrozenMap

__all__ = [
    "LANGUAGES",
    "NOTICE",
    "PAGE",
    "RECEIPT",
    "RIGHTS",
    "Catalogue",
    "Language",
    "Message",
    "language",
    "period_words",
]

Language = Literal["sv", "en"]

#: The languages gdprkit's own texts are written in.
LANGUAGES: Final[tuple[Language, ...]] = ("sv", "en")


def language(lang: object, *, default: Language | None = None) -> Language:
    """``lang`` as one of :data:`LANGUAGES`; an unknown one is ``default``, or refused without one."""
    for known in LANGUAGES:
        if lang == known:
            return known
    if default is not None:
        return default
    raise UnknownLanguage(f"gdprkit has no texts in language {lang!r}; expected 'sv' or 'en'")


def _text(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value:
        raise TypeError(f"Message.{attribute.name} must be a non-empty string")


@attrs.frozen
class Message:
    """One text, in Swedish and in English."""

    sv: str = attrs.field(validator=_text)
    en: str = attrs.field(validator=_text)

    def text(self, lang: str) -> str:
        """The text in ``lang`` (``"sv"`` or ``"en"``; any other is refused)."""
        return self.sv if language(lang) == "sv" else self.en


def _messages(value: Mapping[str, Message]) -> FrozenMap[str, Message]:
    for key, message in value.items():
        if not isinstance(message, Message):
            raise TypeError(f"catalogue entry {key!r} must be a Message")
    return FrozenMap(value)


@attrs.frozen
class Catalogue:
    """Messages by id, each in Swedish and English."""

    messages: FrozenMap[str, Message] = attrs.field(converter=_messages, repr=False)

    def __repr__(self) -> str:
        return f"<Catalogue of {len(self.messages)} messages>"

    def text(self, key: str, lang: str) -> str:
        """Message ``key`` in ``lang``; an unknown language raises :class:`~gdprkit.UnknownLanguage`."""
        return self.messages[key].text(lang)

    def texts(self, lang: str) -> dict[str, str]:
        """Every message in ``lang``, by id (for templates that use many of them)."""
        chosen = language(lang)
        return {key: message.text(chosen) for key, message in self.messages.items()}


#: The export package's ``index.html`` (Art. 15(1), 20(1)); ``{...}`` are filled in by the page.
PAGE: Final = Catalogue(
    {
        "title": Message(
            sv="Dina personuppgifter hos {name}", en="Your personal data held by {name}"
        ),
        "intro": Message(
            sv="Detta paket skapades {at} som svar på din {request}. Det innehåller "
            "uppgifterna nedan som JSON Lines- och CSV-filer, och samma information i "
            "maskinläsbar form i manifest.json.",
            en="This package was produced on {at} in answer to your {request}. "
            "It holds the data listed below, in JSON Lines and CSV files, and the same "
            "information in machine-readable form in manifest.json.",
        ),
        "access": Message(
            sv="begäran om tillgång (registerutdrag, artikel 15)",
            en="request for access (GDPR Art. 15)",
        ),
        "portability": Message(
            sv="begäran om dataportabilitet (artikel 20)",
            en="request for data portability (GDPR Art. 20)",
        ),
        "what": Message(sv="Vilka uppgifter vi har", en="What we hold"),
        "kind": Message(sv="Typ av post", en="Record kind"),
        "rows": Message(sv="Rader", en="Rows"),
        "cats": Message(sv="Kategorier", en="Categories"),
        "from": Message(sv="Varifrån uppgifterna kommer", en="Where it came from"),
        "why": Message(sv="Varför vi behandlar dem", en="Why we process it"),
        "basis": Message(sv="Rättslig grund", en="Legal basis"),
        "long": Message(sv="Hur länge vi sparar dem", en="How long we keep it"),
        "to": Message(sv="Mottagare", en="Recipients"),
        "excluded": Message(sv="Inte med i detta paket", en="Left out of this package"),
        "rights": Message(sv="Dina rättigheter", en="Your rights"),
        "contact": Message(
            sv="Kontakta oss för att utöva dina rättigheter:",
            en="To exercise your rights, contact",
        ),
        "complain": Message(
            sv="Du kan klaga till tillsynsmyndigheten",
            en="You can complain to the supervisory authority",
        ),
        "files": Message(sv="Filer", en="Files"),
        "file": Message(sv="Fil", en="File"),
        "hash": Message(sv="SHA-256", en="SHA-256"),
        "auto": Message(sv="Automatiserade beslut", en="Automated decisions"),
        "erasable": Message(sv="kan raderas från och med {date}", en="can be erased from {date}"),
        "org": Message(sv="Org.nr", en="Org. no."),
        # Why a field is left out of a portability package (Art. 20(1)); the English text
        # is also the manifest's reason.
        "excluded.derived": Message(
            sv="art. 20.1: inte lämnade av dig (härledda eller beräknade av oss; WP242 rev.01)",
            en="Art. 20(1): not provided by the data subject (derived or inferred by the "
            "controller; WP242 rev.01)",
        ),
        "excluded.third_party": Message(
            sv="art. 20.1: inte lämnade av dig (mottagna från tredje part)",
            en="Art. 20(1): not provided by the data subject (received from a third party)",
        ),
        "excluded.untagged": Message(
            sv="inte angivet som personuppgift om dig (fält utan märkning)",
            en="not declared as personal data of the subject (untagged field)",
        ),
        "excluded.basis": Message(
            sv="art. 20.1 a: behandlas endast med stöd av {names}, inte samtycke eller avtal",
            en="Art. 20(1)(a): processed only on {names}, not on consent or contract",
        ),
    }
)

#: The erasure plan and receipt as sent to the data subject (Art. 17, 18(2), 19).
RECEIPT: Final = Catalogue(
    {
        "title": Message(
            sv="Radering av personuppgifter (artikel 17)",
            en="Erasure of personal data (Article 17)",
        ),
        "gone": Message(sv="Raderat eller anonymiserat:", en="Erased or anonymised:"),
        "kept": Message(
            sv="Sparas, med begränsad behandling (artikel 18):",
            en="Kept, with processing restricted (Article 18):",
        ),
        "until": Message(sv="till", en="until"),
        "until_reviewed": Message(sv="tills vidare", en="until reviewed"),
        "recipients": Message(
            sv="Mottagare som underrättas (artikel 19): ",
            en="Recipients notified (Article 19): ",
        ),
        "failed": Message(sv="Ej slutfört för", en="Not yet completed for"),
    }
)

#: The privacy notice (Art. 12-14, 21(4)), in Markdown; ``{...}`` are filled in by the notice.
NOTICE: Final = Catalogue(
    {
        "title": Message(
            sv="Integritetspolicy",
            en="Privacy notice",
        ),
        "intro": Message(
            sv="{name} är personuppgiftsansvarig för behandlingen av personuppgifter som "
            "beskrivs i denna integritetspolicy. Här förklarar vi vilka personuppgifter vi "
            "behandlar, varför, med vilken rättslig grund och hur länge.",
            en="{name} is the controller for the processing of personal data described in this"
            " privacy notice. It explains which personal data we process, why, on which "
            "legal basis and for how long.",
        ),
        "collect": Message(
            sv="Personuppgifter som vi samlar in och behandlar",
            en="Personal data we collect and process",
        ),
        "collect_text": Message(
            sv="Personuppgifterna samlas vanligtvis in direkt från dig eller genereras i "
            "samband med att du använder våra tjänster och produkter. Vi behandlar följande"
            " kategorier av personuppgifter:",
            en="Personal data is usually collected directly from you or generated when you use"
            " our services and products. We process these categories of personal data:",
        ),
        "use": Message(
            sv="Hur vi använder personuppgifter",
            en="How we use personal data",
        ),
        "basis": Message(
            sv="Rättslig grund",
            en="Legal basis",
        ),
        "retention": Message(
            sv="Lagringstid",
            en="Retention",
        ),
        "recipients": Message(
            sv="Mottagare",
            en="Recipients",
        ),
        "anon": Message(
            sv="För detta ändamål används endast anonymiserade uppgifter.",
            en="Only anonymised data is used for this purpose.",
        ),
        "rights": Message(
            sv="Dina rättigheter",
            en="Your rights",
        ),
        "rights_text": Message(
            sv="Om du vill utöva någon av dina rättigheter, kontakta oss på {contact}. Vi "
            "svarar inom en månad från att vi tagit emot din begäran (artikel 12.3).",
            en="To exercise any of your rights, contact us at {contact}. We answer within one "
            "month of receiving your request (Article 12(3)).",
        ),
        "object_marketing": Message(
            sv="Rätt att invända mot direktmarknadsföring",
            en="Right to object to direct marketing",
        ),
        "object_marketing_text": Message(
            sv="Du kan när som helst invända mot att vi behandlar dina personuppgifter för "
            "direktmarknadsföring, och då upphör vi med det (artikel 21.2–3). Varje utskick"
            " innehåller en länk för att invända.",
            en="You may object at any time to our processing of your personal data for direct "
            "marketing, and we will then stop (Article 21(2)-(3)). Every message contains a"
            " link to object.",
        ),
        "automated": Message(
            sv="Automatiserat beslutsfattande",
            en="Automated decision-making",
        ),
        "complaint": Message(
            sv="Du kan klaga på vår behandling av personuppgifter",
            en="You can complain about our processing of personal data",
        ),
        "complaint_text": Message(
            sv="Säg gärna till oss först. Du har också rätt att lämna in ett klagomål till "
            "{authority}",
            en="Please tell us first. You also have the right to lodge a complaint with "
            "{authority}",
        ),
        "cookies": Message(
            sv="Kakor (cookies)",
            en="Cookies",
        ),
        "cookies_text": Message(
            sv="Vi sätter bara kakor som är nödvändiga för att överföra kommunikationen eller "
            "för att leverera en tjänst du uttryckligen begärt utan ditt samtycke (lagen "
            "(2022:482) om elektronisk kommunikation 9 kap. 28 §). Övriga kakor sätts bara "
            "om du samtycker, och du kan när som helst ta tillbaka samtycket.",
            en="Without your consent we only set cookies that are needed to transmit the "
            "communication or to provide a service you explicitly asked for (Swedish "
            "Electronic Communications Act (2022:482) ch. 9 s. 28). Other cookies are set "
            "only if you consent, and you can withdraw that consent at any time.",
        ),
        "cookie_head": Message(
            sv="| Namn | Leverantör | Ändamål | Livslängd | Kräver samtycke |",
            en="| Name | Provider | Purpose | Lifetime | Needs consent |",
        ),
        "session": Message(
            sv="session",
            en="session",
        ),
        "yes": Message(
            sv="ja",
            en="yes",
        ),
        "no": Message(
            sv="nej",
            en="no",
        ),
        "contact": Message(
            sv="Kontakt",
            en="Contact",
        ),
    }
)

#: What each right lets the data subject do, keyed by :class:`~gdprkit.vocab.Right` value
#: (Art. 7(3), 15-18, 20, 21(1)); the privacy notice and the export page explain rights with it.
RIGHTS: Final = Catalogue(
    {
        "access": Message(
            sv="Du kan begära en kopia av alla personuppgifter vi behandlar om dig (artikel 15).",
            en="You can request a copy of all personal data we process about you (Article 15).",
        ),
        "rectification": Message(
            sv="Du kan begära att vi rättar eller kompletterar uppgifter som är felaktiga "
            "eller ofullständiga (artikel 16).",
            en="You can ask us to correct or complete data that is wrong or incomplete "
            "(Article 16).",
        ),
        "erasure": Message(
            sv="Du kan begära att vi raderar dina personuppgifter (artikel 17). Uppgifter som "
            "vi är skyldiga att behålla enligt andra rättsliga åtaganden, till exempel "
            "bokföringslagen, sparas tills skyldigheten upphör.",
            en="You can ask us to erase your personal data (Article 17). Data we must keep for"
            " other legal obligations, such as under the Bookkeeping Act, is kept until "
            "that obligation ends.",
        ),
        "restriction": Message(
            sv="Du kan begära att vi begränsar behandlingen av dina uppgifter, till exempel "
            "medan deras riktighet kontrolleras (artikel 18).",
            en="You can ask us to restrict the processing of your data, for example while its "
            "accuracy is checked (Article 18).",
        ),
        "portability": Message(
            sv="Du kan få ut de uppgifter du lämnat till oss i ett strukturerat, allmänt "
            "använt och maskinläsbart format (artikel 20).",
            en="You can receive the data you have provided to us in a structured, commonly "
            "used and machine-readable format (Article 20).",
        ),
        "objection": Message(
            sv="Du kan invända mot behandling som grundar sig på vårt berättigade intresse, av"
            " skäl som rör din specifika situation (artikel 21.1).",
            en="You can object to processing based on our legitimate interests, on grounds "
            "relating to your particular situation (Article 21(1)).",
        ),
        "withdraw_consent": Message(
            sv="När behandlingen grundar sig på ditt samtycke kan du när som helst ta tillbaka"
            " det, lika enkelt som du gav det; det påverkar inte behandling före "
            "återkallelsen (artikel 7.3).",
            en="Where processing rests on your consent, you can withdraw it at any time, as "
            "easily as you gave it; this does not affect processing before the withdrawal "
            "(Article 7(3)).",
        ),
    }
)

#: Units of time, singular and plural, and the word that joins the last two parts.
_UNITS: Final = Catalogue(
    {
        "years.one": Message(sv="{n} år", en="{n} year"),
        "years.many": Message(sv="{n} år", en="{n} years"),
        "months.one": Message(sv="{n} månad", en="{n} month"),
        "months.many": Message(sv="{n} månader", en="{n} months"),
        "days.one": Message(sv="{n} dag", en="{n} day"),
        "days.many": Message(sv="{n} dagar", en="{n} days"),
        "and": Message(sv="och", en="and"),
    }
)


def period_words(lang: str, *, years: int = 0, months: int = 0, days: int = 0) -> str:
    """A period in words: ``"12 månader"``, ``"1 year and 6 months"``, ``"90 dagar"``.

    What a person reads (a cookie's lifetime, LEK 9 kap. 28 §; a storage
    period, Art. 13(2)(a)) is said in words, not as an ISO 8601 duration.
    """
    parts = [
        _UNITS.text(f"{unit}.{'one' if n == 1 else 'many'}", lang).format(n=n)
        for unit, n in (("years", years), ("months", months), ("days", days))
        if n
    ] or [_UNITS.text("days.many", lang).format(n=0)]
    if len(parts) == 1:
        return parts[0]
    return f"{', '.join(parts[:-1])} {_UNITS.text('and', lang)} {parts[-1]}"
