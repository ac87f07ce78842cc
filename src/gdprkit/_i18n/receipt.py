"""The texts of erasure, rectification and restriction receipts (Art. 16-19)."""

from __future__ import annotations

from typing import Final

from gdprkit._i18n.catalogue import Catalogue, Message

__all__ = ["RECEIPT"]

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
        "not_notified": Message(
            sv="Mottagare som inte underrättas (artikel 19), och varför:",
            en="Recipients not notified (Article 19), and why:",
        ),
        "impossible": Message(sv="det är omöjligt", en="impossible"),
        "disproportionate_effort": Message(
            sv="det skulle kräva oproportionerligt stor ansträngning",
            en="it would involve disproportionate effort",
        ),
        "failed": Message(sv="Ej slutfört för", en="Not yet completed for"),
        "rectified_title": Message(
            sv="Rättelse av personuppgifter (artikel 16)",
            en="Rectification of personal data (Article 16)",
        ),
        "rectified": Message(sv="Rättade uppgifter:", en="Corrected:"),
        "restricted_title": Message(
            sv="Begränsning av behandling (artikel 18)",
            en="Restriction of processing (Article 18)",
        ),
        "restricted": Message(
            sv="Behandlingen begränsas för dessa ändamål:",
            en="Processing is restricted for these purposes:",
        ),
        "received_title": Message(
            sv="Mottagare av dina personuppgifter (artikel 15.1 c och 19)",
            en="Recipients of your personal data (Article 15(1)(c) and 19)",
        ),
        "received_none": Message(
            sv="Inga av dina uppgifter har lämnats ut till mottagare.",
            en="None of your data has been disclosed to recipients.",
        ),
        "category_only": Message(
            sv="en kategori av mottagare; policyn anger inte deras identitet",
            en="a category of recipients; the policy does not give their identities",
        ),
        "purposes_for": Message(sv="för", en="for"),
        # What an erasure kept as anonymous data, or erased instead (Recital 26, WP216).
        "anon.kept": Message(
            sv="Sparas endast som anonyma uppgifter (skäl 26):",
            en="Kept only as anonymous data (Recital 26):",
        ),
        "anon.kept_rows": Message(
            sv="{source}: {rows} anonyma rader, var och en bland minst {k} likadana "
            "(minst {target} krävs)",
            en="{source}: {rows} anonymous rows, each among at least {k} alike ({target} required)",
        ),
        "anon.some_erased": Message(
            sv="{rows} rader raderades i stället, eftersom de hade kunnat peka ut dig",
            en="{rows} more were erased instead, as they could have singled you out",
        ),
        "anon.erased": Message(
            sv="Raderat i stället för anonymiserat:", en="Erased instead of anonymised:"
        ),
        "anon.no_method": Message(
            sv="inget sätt att göra uppgifterna anonyma är angivet, och att bara ta bort "
            "identifierare är inte anonymisering",
            en="no way to make the data anonymous is declared, and removing identifiers "
            "alone is not anonymisation",
        ),
        "anon.no_anonymous_set": Message(
            sv="det finns ingen anonym mängd att spara dem i",
            en="there is no anonymous set to keep them in",
        ),
        "anon.field_not_anonymous": Message(
            sv="den anonyma formen behöver uppgifter som inte sparas för ändamålet",
            en="the anonymous form needs data that is not kept for the purpose",
        ),
        "anon.below_k": Message(
            sv="för få liknande uppgifter att dölja dig bland (k = {k}, minst {target} krävs)",
            en="too few similar records to hide you among (k = {k}, {target} required)",
        ),
    }
)
