"""The texts of the export package's page (Art. 12(1), 15, 20)."""

from __future__ import annotations

from typing import Final

from gdprkit._i18n.catalogue import Catalogue, Message

__all__ = ["PAGE"]

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
        "intro.none": Message(
            sv="Detta är vårt svar på din {request}, skapat {at}.",
            en="This is our answer to your {request}, produced on {at}.",
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
        # A value [policy] examples lists: gdprkit's example, not the controller's fact.
        "example": Message(sv="exempel", en="example"),
        "examples": Message(
            sv="Uppgifter märkta ”exempel” är exempel från gdprkit, inte från den publicerade "
            "integritetspolicyn.",
            en="Values marked “example” are example values from gdprkit, not from the "
            "published privacy policy.",
        ),
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
