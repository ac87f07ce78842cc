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

__all__ = ["LANGUAGES", "PAGE", "RECEIPT", "Catalogue", "Language", "Message", "language"]

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
        "csv": Message(
            sv="I CSV-filerna har ett värde som börjar med =, +, -, @, tabb eller vagnretur "
            "fått en apostrof (') först, så att ett kalkylprogram inte kör det som en formel. "
            "JSON Lines-filerna har alla värden exakt som vi lagrar dem.",
            en="In the CSV files, a value that starts with =, +, -, @, a tab or a carriage "
            "return has a single quote (') in front, so that a spreadsheet does not run it as "
            "a formula. The JSON Lines files hold every value exactly as we store it.",
        ),
        "none": Message(
            sv="Vi behandlar inga personuppgifter om dig: vi har sökt i alla register som "
            "anges nedan, och inget av dem innehåller något om dig (artikel 15.1).",
            en="We process no personal data about you: we searched every record kind listed "
            "below, and none of them holds anything about you (GDPR Art. 15(1)).",
        ),
        "what": Message(sv="Vilka uppgifter vi har", en="What we hold"),
        "kind": Message(sv="Typ av post", en="Record kind"),
        "rows": Message(sv="Rader", en="Rows"),
        "cats": Message(sv="Kategorier", en="Categories"),
        "from": Message(sv="Varifrån uppgifterna kommer", en="Where it came from"),
        "source": Message(sv="Vi fick uppgifterna från", en="We received it from"),
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
        # Why a value is withheld from the copy (Art. 15(4), 20(4)); the English text is also
        # the manifest's reason. {article} is "15(4)" or "20(4)".
        "redacted": Message(sv="Undantaget för att skydda andra", en="Withheld to protect others"),
        "redacted.other_person": Message(
            sv="artikel {article}: personuppgifter om någon annan, undantagna för att skydda "
            "dennes rättigheter och friheter",
            en="GDPR Art. {article}: personal data of another person, withheld to protect their "
            "rights and freedoms",
        ),
        "redacted.trade_secret": Message(
            sv="artikel {article} och skäl 63: en affärshemlighet eller immateriell rättighet, "
            "undantagen för att skydda andras rättigheter",
            en="GDPR Art. {article} and Recital 63: a trade secret or intellectual property, "
            "withheld to protect the rights of others",
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
