"""The privacy notice of Art. 12-14 and 21(4), rendered as Markdown in Swedish or English."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gdprkit._policy.ropa import basis_words
from gdprkit.vocab import Right

if TYPE_CHECKING:
    from gdprkit._policy.values import PolicyView

_NOTICE = {
    "sv": {
        "title": "Integritetspolicy",
        "intro": "{name} är personuppgiftsansvarig för behandlingen av personuppgifter som "
        "beskrivs i denna integritetspolicy. Här förklarar vi vilka personuppgifter vi "
        "behandlar, varför, med vilken rättslig grund och hur länge.",
        "collect": "Personuppgifter som vi samlar in och behandlar",
        "collect_text": "Personuppgifterna samlas vanligtvis in direkt från dig eller genereras "
        "i samband med att du använder våra tjänster och produkter. Vi behandlar följande "
        "kategorier av personuppgifter:",
        "use": "Hur vi använder personuppgifter",
        "basis": "Rättslig grund",
        "retention": "Lagringstid",
        "recipients": "Mottagare",
        "anon": "För detta ändamål används endast anonymiserade uppgifter.",
        "rights": "Dina rättigheter",
        "rights_text": "Om du vill utöva någon av dina rättigheter, kontakta oss på {contact}. "
        "Vi svarar inom en månad från att vi tagit emot din begäran (artikel 12.3).",
        "object_marketing": "Rätt att invända mot direktmarknadsföring",
        "object_marketing_text": "Du kan när som helst invända mot att vi behandlar dina "
        "personuppgifter för direktmarknadsföring, och då upphör vi med det (artikel 21.2–3). "
        "Kontakta oss på {contact} för att invända.",
        "automated": "Automatiserat beslutsfattande",
        "complaint": "Du kan klaga på vår behandling av personuppgifter",
        "complaint_text": "Säg gärna till oss först. Du har också rätt att lämna in ett "
        "klagomål till {authority}",
        "cookies": "Kakor (cookies)",
        "cookies_text": "Vi sätter bara kakor som är nödvändiga för att överföra "
        "kommunikationen eller för att leverera en tjänst du uttryckligen begärt utan ditt "
        "samtycke (lagen (2022:482) om elektronisk kommunikation 9 kap. 28 §). Övriga kakor "
        "sätts bara om du samtycker, och du kan när som helst ta tillbaka samtycket.",
        "cookie_head": "| Namn | Leverantör | Ändamål | Livslängd | Kräver samtycke |",
        "session": "session",
        "yes": "ja",
        "no": "nej",
        "contact": "Kontakt",
        "example": "exempel",
        "examples": "Uppgifter märkta *(exempel)* är exempel från gdprkit, inte från "
        "den publicerade policyn.",
        "examples_below": "Kakorna nedan är exempel från gdprkit, inte från den "
        "publicerade policyn.",
    },
    "en": {
        "title": "Privacy notice",
        "intro": "{name} is the controller for the processing of personal data described in "
        "this privacy notice. It explains which personal data we process, why, on which "
        "legal basis and for how long.",
        "collect": "Personal data we collect and process",
        "collect_text": "Personal data is usually collected directly from you or generated "
        "when you use our services and products. We process these categories of personal data:",
        "use": "How we use personal data",
        "basis": "Legal basis",
        "retention": "Retention",
        "recipients": "Recipients",
        "anon": "Only anonymised data is used for this purpose.",
        "rights": "Your rights",
        "rights_text": "To exercise any of your rights, contact us at {contact}. We answer "
        "within one month of receiving your request (Article 12(3)).",
        "object_marketing": "Right to object to direct marketing",
        "object_marketing_text": "You may object at any time to our processing of your "
        "personal data for direct marketing, and we will then stop (Article 21(2)-(3)). "
        "To object, contact us at {contact}.",
        "automated": "Automated decision-making",
        "complaint": "You can complain about our processing of personal data",
        "complaint_text": "Please tell us first. You also have the right to lodge a complaint "
        "with {authority}",
        "cookies": "Cookies",
        "cookies_text": "Without your consent we only set cookies that are needed to transmit "
        "the communication or to provide a service you explicitly asked for (Swedish "
        "Electronic Communications Act (2022:482) ch. 9 s. 28). Other cookies are set only "
        "if you consent, and you can withdraw that consent at any time.",
        "cookie_head": "| Name | Provider | Purpose | Lifetime | Needs consent |",
        "session": "session",
        "yes": "yes",
        "no": "no",
        "contact": "Contact",
        "example": "example",
        "examples": "Values marked *(example)* are example values from gdprkit, not from "
        "the published policy.",
        "examples_below": "The cookies below are example values from gdprkit, not from the "
        "published policy.",
    },
}

_RIGHT_TEXT = {
    Right.ACCESS: (
        "You can request a copy of all personal data we process about you (Article 15).",
        "Du kan begära en kopia av alla personuppgifter vi behandlar om dig (artikel 15).",
    ),
    Right.RECTIFICATION: (
        "You can ask us to correct or complete data that is wrong or incomplete (Article 16).",
        "Du kan begära att vi rättar eller kompletterar uppgifter som är felaktiga eller "
        "ofullständiga (artikel 16).",
    ),
    Right.ERASURE: (
        "You can ask us to erase your personal data (Article 17). Data we must keep for "
        "other legal obligations, such as under the Bookkeeping Act, is kept until that "
        "obligation ends.",
        "Du kan begära att vi raderar dina personuppgifter (artikel 17). Uppgifter som vi är "
        "skyldiga att behålla enligt andra rättsliga åtaganden, till exempel bokföringslagen, "
        "sparas tills skyldigheten upphör.",
    ),
    Right.RESTRICTION: (
        "You can ask us to restrict the processing of your data, for example while its "
        "accuracy is checked (Article 18).",
        "Du kan begära att vi begränsar behandlingen av dina uppgifter, till exempel medan "
        "deras riktighet kontrolleras (artikel 18).",
    ),
    Right.PORTABILITY: (
        "You can receive the data you have provided to us in a structured, commonly used "
        "and machine-readable format (Article 20).",
        "Du kan få ut de uppgifter du lämnat till oss i ett strukturerat, allmänt använt och "
        "maskinläsbart format (artikel 20).",
    ),
    Right.OBJECTION: (
        "You can object to processing based on our legitimate interests, on grounds "
        "relating to your particular situation (Article 21(1)).",
        "Du kan invända mot behandling som grundar sig på vårt berättigade intresse, av skäl "
        "som rör din specifika situation (artikel 21.1).",
    ),
    Right.WITHDRAW_CONSENT: (
        "Where processing rests on your consent, you can withdraw it at any time, as easily "
        "as you gave it; this does not affect processing before the withdrawal (Article 7(3)).",
        "När behandlingen grundar sig på ditt samtycke kan du när som helst ta tillbaka det, "
        "lika enkelt som du gav det; det påverkar inte behandling före återkallelsen "
        "(artikel 7.3).",
    ),
}


_Words = dict[str, str]


def _flag(policy: PolicyView, path: str, t: _Words) -> str:
    """`` *(example value …)*`` after a part ``[policy] examples`` lists, else nothing."""
    return f" *({t['example']})*" if policy.is_example(path) else ""


def notice(policy: PolicyView, lang: str) -> str:
    """Render the privacy notice (Art. 13) as Markdown in ``lang``; unknown languages use English."""
    t = _NOTICE.get(lang, _NOTICE["en"])
    out = [f"# {t['title']}", "", t["intro"].format(name=policy.controller.name), ""]
    if policy.examples:
        # Art. 12(1): the reader is told which statements are not the controller's.
        out += [t["examples"], ""]
    out += _categories(policy, lang, t)
    out += _purposes(policy, lang, t)
    out += _rights(policy, lang, t)
    out += _complaint(policy, lang, t)
    out += _cookies(policy, lang, t)
    out += _contact(policy, t)
    return "\n".join(out) + "\n"


def _categories(policy: PolicyView, lang: str, t: _Words) -> list[str]:
    """The categories of personal data processed, each at its broadest declared level.

    A category is marked as an example unless a purpose whose categories are
    not examples declares it or a narrower one; then the subject kinds'
    descriptions (partner customers, say) follow.
    """
    out = [f"## {t['collect']}", "", t["collect_text"], ""]
    declared = {cat for p in policy.purposes.values() for cat in p.categories}
    published = {
        cat
        for p in policy.purposes.values()
        if not policy.is_example(f"purposes.{p.id}.categories")
        for cat in p.categories
    }
    seen: dict[str, bool] = {}
    for p in policy.purposes.values():
        for cat in p.categories:
            # "contact" already covers "contact.email": list the broadest category only
            if any(a in declared for a in cat.ancestors):
                continue
            label = policy.taxonomy[str(cat)].label(lang)
            stated = any(c == cat or cat in c.ancestors for c in published)
            seen[label] = seen.get(label, False) or stated
    out += [
        f"- {label}" + ("" if stated else f" *({t['example']})*") for label, stated in seen.items()
    ]
    out.append("")
    for kind in policy.subjects.values():
        if kind.description is not None:
            flag = _flag(policy, f"subjects.{kind.id}", t)
            out += [f"**{kind.name.get(lang)}:** {kind.description.get(lang)}{flag}", ""]
    return out


def _purposes(policy: PolicyView, lang: str, t: _Words) -> list[str]:
    """Each purpose with its legal basis, retention and recipients (Art. 13(1)(c)-(e), 13(2)(a))."""
    out = [f"## {t['use']}", ""]
    for p in policy.purposes.values():
        at = f"purposes.{p.id}"
        out += [f"### {p.name.get(lang)}", "", p.description.get(lang), ""]
        if p.anonymized_only:
            out += [t["anon"], ""]
        out.append(f"- {t['basis']}: {basis_words(p, lang)}{_flag(policy, at + '.basis', t)}")
        words = p.retention_words(lang)
        if words:
            out.append(f"- {t['retention']}: {words}{_flag(policy, at + '.retention', t)}")
        if p.recipients:
            names = ", ".join(
                policy.recipients[r].name.get(lang)
                + (_flag(policy, f"recipients.{r}", t) or _flag(policy, at + ".recipients", t))
                for r in p.recipients
            )
            out.append(f"- {t['recipients']}: {names}")
        out.append("")
    return out


def _rights(policy: PolicyView, lang: str, t: _Words) -> list[str]:
    """The rights that follow from the bases used, the objection to direct marketing apart."""
    contact = policy.rights_contact or policy.controller.email
    out = [f"## {t['rights']}", "", t["rights_text"].format(contact=contact), ""]
    bases = {p.basis for p in policy.purposes.values()}
    for right, (en, sv) in _RIGHT_TEXT.items():
        if any(right in b.rights for b in bases):
            out += [f"### {right.label(lang).capitalize()}", "", sv if lang == "sv" else en, ""]
    if any(p.direct_marketing for p in policy.purposes.values()):
        # Art. 21(4): the right to object is presented clearly and separately.
        text = t["object_marketing_text"].format(contact=contact)
        out += [f"### {t['object_marketing']}", "", text, ""]
    automated = policy.automated_decisions.get(lang) + _flag(
        policy, "rights.automated_decisions", t
    )
    out += [f"### {t['automated']}", "", automated, ""]
    return out


def _complaint(policy: PolicyView, lang: str, t: _Words) -> list[str]:
    """Where to lodge a complaint (Art. 13(2)(d), 77)."""
    a = policy.authority
    where = ", ".join(x for x in (a.address, a.website) if x)
    return [
        f"## {t['complaint']}",
        "",
        t["complaint_text"].format(authority=a.name.get(lang)) + (f" ({where})." if where else "."),
        "",
    ]


def _cookies(policy: PolicyView, lang: str, t: _Words) -> list[str]:
    """The cookie table, with whether each needs consent (LEK 9 kap. 28 §)."""
    if not policy.cookies:
        return []
    out = [f"## {t['cookies']}", "", t["cookies_text"], ""]
    if policy.is_example("cookies"):
        out += [f"*{t['examples_below']}*", ""]
    out += [t["cookie_head"], "|---|---|---|---|---|"]
    for ck in policy.cookies:
        life = t["session"] if not ck.persistent else (ck.lifetime or "")
        need = t["no"] if ck.strictly_necessary else t["yes"]
        # one mark for the whole table above when every cookie is an example
        flag = "" if policy.is_example("cookies") else _flag(policy, f"cookies.{ck.name}", t)
        out.append(
            f"| `{ck.name}` | {ck.provider} | {ck.description.get(lang)}{flag} | {life} | {need} |"
        )
    out.append("")
    return out


def _contact(policy: PolicyView, t: _Words) -> list[str]:
    """The controller's identity and contact details (Art. 13(1)(a))."""
    c = policy.controller
    out = [f"## {t['contact']}", "", c.name]
    for extra in (c.org_number and f"org. nr {c.org_number}", c.address, c.phone, c.email):
        if extra:
            out.append(extra)
    return out
