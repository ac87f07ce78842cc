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


#: The export package's ``index.html`` (Art. 12(1), 15, 20); ``{...}`` are filled in by the page.
PAGE: Final = Catalogue(
    {
        "title": Message(
            sv="Dina personuppgifter hos {name}", en="Your personal data held by {name}"
        ),
        "skip": Message(sv="Hoppa till innehållet", en="Skip to the content"),
        "toc": Message(sv="Innehåll", en="Contents"),
        "intro": Message(
            sv="Detta är vårt svar på din {request}, skapat {at}. Här ser du vilka "
            "personuppgifter vi har om dig, varför vi behandlar dem, hur länge vi sparar dem, "
            "vem vi lämnar ut dem till och vilka rättigheter du har. Allt finns också i "
            "filerna i paketet.",
            en="This is our answer to your {request}, produced on {at}. It shows the personal "
            "data we hold about you, why we process it, how long we keep it, to whom we "
            "disclose it and what your rights are. All of it is also in the files of this "
            "package.",
        ),
        "intro.portability": Message(
            sv="Paketet innehåller de uppgifter som du själv har lämnat till oss eller som har "
            "skapats när du använt tjänsten, och som vi behandlar med stöd av ditt samtycke "
            "eller ett avtal med dig (artikel 20.1). Det som inte ingår står under varje typ "
            "av uppgift, med skälet.",
            en="The package holds the data you provided to us or that your use of the service "
            "generated, and that we process on your consent or a contract with you (Art. "
            "20(1)). What is left out is listed under each kind of data, with the reason.",
        ),
        "access": Message(
            sv="begäran om tillgång till dina personuppgifter (registerutdrag, artikel 15)",
            en="request for access to your personal data (Art. 15 GDPR)",
        ),
        "portability": Message(
            sv="begäran om dataportabilitet (att få ut dina uppgifter för att flytta dem, "
            "artikel 20)",
            en="request for data portability (receiving your data to move it, Art. 20 GDPR)",
        ),
        "nothing": Message(
            sv="Vi behandlar inga personuppgifter om dig.",
            en="We do not process any personal data about you.",
        ),
        "nothing.searched": Message(
            sv="Vi har sökt bland dessa slags uppgifter: {kinds}.",
            en="We searched these kinds of records: {kinds}.",
        ),
        "nothing.more": Message(
            sv="Du har ändå de rättigheter som beskrivs nedan, och kan alltid kontakta oss "
            "eller klaga hos tillsynsmyndigheten.",
            en="You still have the rights described below, and can always contact us or "
            "complain to the supervisory authority.",
        ),
        "what": Message(sv="Vilka uppgifter vi har om dig", en="The data we hold about you"),
        "times": Message(
            sv="Tider visas i tidszonen {tz}.", en="Times are shown in the {tz} time zone."
        ),
        "records.one": Message(sv="{n} post", en="{n} record"),
        "records.many": Message(sv="{n} poster", en="{n} records"),
        "records": Message(sv="Poster", en="Records"),
        "none.held": Message(
            sv="Vi har inga sådana uppgifter om dig.", en="We hold no such data about you."
        ),
        "shown.first": Message(
            sv="Här visas de första {shown} av {total} posterna. Alla finns i filerna {files}.",
            en="The first {shown} of {total} records are shown here. All of them are in the "
            "files {files}.",
        ),
        "same.all": Message(
            sv="Samma i alla poster som visas: {values}.",
            en="The same in every record shown: {values}.",
        ),
        "cats": Message(sv="Typer av uppgifter", en="Categories of data"),
        "from": Message(sv="Varifrån uppgifterna kommer", en="Where the data came from"),
        "sources": Message(sv="Källor", en="Sources"),
        "purposes": Message(sv="Varför vi har dem", en="Why we hold it"),
        "files": Message(sv="Filer", en="Files"),
        "excluded": Message(sv="Inte med i detta paket", en="Left out of this package"),
        "redacted": Message(sv="Utelämnat för att skydda andra", en="Withheld to protect others"),
        "redacted.one": Message(
            sv="{field}: 1 uppgift utelämnad ({reason}).",
            en="{field}: 1 value withheld ({reason}).",
        ),
        "redacted.many": Message(
            sv="{field}: {count} uppgifter utelämnade ({reason}).",
            en="{field}: {count} values withheld ({reason}).",
        ),
        # Why values are withheld from the copy (Art. 15(4), 20(4)); the English text with
        # "GDPR Art. 15(4)" or "GDPR Art. 20(4)" as {article} is also the manifest's reason.
        "redacted.other_person": Message(
            sv="{article}: personuppgifter om någon annan, utelämnade för att skydda dennes "
            "rättigheter och friheter",
            en="{article}: personal data of another person, withheld to protect their rights "
            "and freedoms",
        ),
        "redacted.trade_secret": Message(
            sv="{article} och skäl 63: en affärshemlighet eller immateriell rättighet, "
            "utelämnad för att skydda andras rättigheter",
            en="{article} and Recital 63: a trade secret or intellectual property, withheld to "
            "protect the rights of others",
        ),
        "why": Message(sv="Varför vi behandlar uppgifterna", en="Why we process your data"),
        "basis": Message(sv="Rättslig grund", en="Legal basis"),
        "special": Message(
            sv="Undantag för känsliga personuppgifter", en="Exception for sensitive data"
        ),
        "long": Message(sv="Hur länge vi sparar dem", en="How long we keep it"),
        "erasable": Message(sv="Kan raderas från och med {date}.", en="Can be erased from {date}."),
        "expired": Message(
            sv="Tiden för detta ändamål gick ut {date}.",
            en="The time for this purpose ended on {date}.",
        ),
        "to": Message(sv="Mottagare", en="Recipients"),
        "to.none": Message(sv="Inga.", en="None."),
        "concerns": Message(sv="Gäller", en="Applies to"),
        "transfers": Message(
            sv="Överföring till länder utanför EU/EES", en="Transfers outside the EU/EEA"
        ),
        "transfers.none": Message(
            sv="Vi för inte över dina personuppgifter till länder utanför EU och EES "
            "(Europeiska ekonomiska samarbetsområdet).",
            en="We do not transfer your personal data to countries outside the EU and the EEA "
            "(European Economic Area).",
        ),
        "transfers.some": Message(
            sv="Vi för över personuppgifter till dessa mottagare utanför EU och EES "
            "(Europeiska ekonomiska samarbetsområdet). Varje överföring skyddas enligt "
            "dataskyddsförordningens kapitel V, till exempel med EU-kommissionens "
            "standardavtalsklausuler (artikel 46):",
            en="We transfer personal data to these recipients outside the EU and the EEA "
            "(European Economic Area). Each transfer is protected under Chapter V of the GDPR, "
            "for example by the European Commission's standard contractual clauses (Art. 46):",
        ),
        "safeguards.none": Message(sv="ingen skyddsåtgärd angiven", en="no safeguard stated"),
        "rights": Message(sv="Dina rättigheter", en="Your rights"),
        "contact": Message(
            sv="Vill du använda någon av dina rättigheter, kontakta oss på {contact}. Vi svarar "
            "inom en månad från att vi fick din begäran; är den omfattande kan vi förlänga "
            "tiden med högst två månader, och då säger vi till (artikel 12.3).",
            en="To use any of your rights, contact us at {contact}. We answer within one month "
            "of receiving your request; for a complex request we may take up to two months "
            "more, and we tell you if we do (Art. 12(3)).",
        ),
        "auto": Message(sv="Automatiserade beslut", en="Automated decisions"),
        "complain": Message(
            sv="Klagomål till tillsynsmyndigheten", en="Complaints to the supervisory authority"
        ),
        "complain.text": Message(
            sv="Du har rätt att klaga hos {authority} (artikel 77). Säg gärna till oss först.",
            en="You have the right to lodge a complaint with {authority} (Art. 77). Please tell "
            "us first.",
        ),
        "web": Message(sv="Webbplats", en="Website"),
        "complaint_url": Message(sv="Så lämnar du klagomål", en="How to complain"),
        "address": Message(sv="Adress", en="Address"),
        "email": Message(sv="E-post", en="E-mail"),
        "phone": Message(sv="Telefon", en="Telephone"),
        "files.h": Message(sv="Filerna i paketet", en="The files in this package"),
        "files.csv": Message(
            sv="CSV-filerna (.csv) öppnas i ett kalkylprogram, till exempel Excel eller "
            "LibreOffice Calc: en rad per post.",
            en="The CSV files (.csv) open in a spreadsheet program such as Excel or LibreOffice "
            "Calc: one row per record.",
        ),
        "files.jsonl": Message(
            sv="JSON Lines-filerna (.jsonl) har en post per rad, i ett format som andra "
            "tjänster och program kan läsa in om du vill flytta dina uppgifter.",
            en="The JSON Lines files (.jsonl) hold one record per line, in a format other "
            "services and programs can read in should you want to move your data.",
        ),
        "files.manifest": Message(
            sv="manifest.json beskriver allt på denna sida i maskinläsbar form.",
            en="manifest.json describes everything on this page in machine-readable form.",
        ),
        "files.formula": Message(
            sv="I CSV-filerna börjar celler som ser ut som en kalkylformel (till exempel med "
            "= eller +) med en apostrof ('), så att kalkylprogrammet inte kör dem som "
            "formler. JSON Lines-filerna innehåller de exakta värdena.",
            en="In the CSV files, a cell that begins like a spreadsheet formula (with = or +, "
            "for example) starts with an apostrophe ('), so that the spreadsheet does not run "
            "it as a formula. The JSON Lines files hold the exact values.",
        ),
        "hash.explain": Message(
            sv="SHA-256 är en kontrollsumma: ändras en fil får den en annan summa, så att du "
            "kan se att filen är den vi skickade.",
            en="SHA-256 is a checksum: a file that is changed gets a different sum, so you can "
            "check that a file is the one we sent.",
        ),
        "file": Message(sv="Fil", en="File"),
        "hash": Message(sv="SHA-256", en="SHA-256"),
        "org": Message(sv="Org.nr", en="Org. no."),
        "yes": Message(sv="Ja", en="Yes"),
        "no": Message(sv="Nej", en="No"),
        # Why a field is left out of a portability package (Art. 20(1)), in plain words.
        "reason.derived": Message(
            sv="Beräknat eller härlett av oss, inte lämnat av dig. Rätten till dataportabilitet "
            "gäller bara uppgifter som du själv har lämnat (artikel 20.1 och EU:s "
            "dataskyddsmyndigheters riktlinjer om dataportabilitet, WP242 rev.01).",
            en="Worked out or inferred by us, not provided by you. The right to data "
            "portability covers only data you provided (Art. 20(1) and the EU data protection "
            "authorities' guidelines on data portability, WP242 rev.01).",
        ),
        "reason.third_party": Message(
            sv="Mottaget från någon annan, inte lämnat av dig. Rätten till dataportabilitet "
            "gäller bara uppgifter som du själv har lämnat (artikel 20.1).",
            en="Received from someone else, not provided by you. The right to data portability "
            "covers only data you provided (Art. 20(1)).",
        ),
        "reason.untagged": Message(
            sv="Vi har inte angett detta som en personuppgift om dig, så det ingår inte.",
            en="We have not recorded this as personal data about you, so it is not included.",
        ),
        "reason.basis": Message(
            sv="Vi behandlar uppgiften bara med stöd av {names}, inte ditt samtycke eller ett "
            "avtal med dig, och då gäller inte rätten till dataportabilitet (artikel 20.1 a).",
            en="We process it only on {names}, not on your consent or a contract with you, so "
            "the right to data portability does not apply (Art. 20(1)(a)).",
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
