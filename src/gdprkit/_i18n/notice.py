"""The texts of the privacy notice, and what each right lets the subject do (Art. 12-14, 21(4))."""

from __future__ import annotations

from typing import Final

from gdprkit._i18n.catalogue import Catalogue, Message

__all__ = ["NOTICE", "RIGHTS"]

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
            "direktmarknadsföring, och då upphör vi med det (artikel 21.2–3). Kontakta oss på "
            "{contact} för att invända.",
            en="You may object at any time to our processing of your personal data for direct "
            "marketing, and we will then stop (Article 21(2)-(3)). To object, contact us at "
            "{contact}.",
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
        # A value [policy] examples lists: gdprkit's example, not the controller's fact.
        "example": Message(sv="exempel", en="example"),
        "examples": Message(
            sv="Uppgifter märkta *(exempel)* är exempel från gdprkit, inte från den "
            "publicerade policyn.",
            en="Values marked *(example)* are example values from gdprkit, not from the "
            "published policy.",
        ),
        "examples_below": Message(
            sv="Kakorna nedan är exempel från gdprkit, inte från den publicerade policyn.",
            en="The cookies below are example values from gdprkit, not from the published policy.",
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
