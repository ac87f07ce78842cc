"""Renderings of a policy: the Art. 30(1) record, the privacy notice, DPV JSON-LD."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import attrs

from gdprkit.vocab import DPV, DPV_GDPR, LegalBasis, Right

if TYPE_CHECKING:
    from gdprkit.policy import Policy, Purpose

DPV_VERSION = "https://w3id.org/dpv/2.3"
CONTEXT = {
    "dpv": DPV,
    "pd": "https://w3id.org/dpv/pd#",
    "eu-gdpr": DPV_GDPR,
    "legal-eu": "https://w3id.org/dpv/legal/eu#",
    "legal-se": "https://w3id.org/dpv/legal/se#",
    "loc": "https://w3id.org/dpv/loc#",
    "dct": "http://purl.org/dc/terms/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
}


# -- Art. 30(1) record -----------------------------------------------------------


@attrs.frozen
class ProcessingActivity:
    """One activity of the Art. 30(1) record: items (b)-(g) for one purpose."""

    purpose_id: str
    purposes: str
    data_subjects: tuple[str, ...]
    data_categories: tuple[str, ...]
    recipients: tuple[str, ...]
    transfers: tuple[str, ...]
    erasure_time_limit: str | None
    security_measures: str | None
    legal_basis: str

    def to_dict(self) -> dict[str, Any]:
        """The activity as JSON-ready data, keyed by Art. 30(1) item."""
        return {
            "purpose_id": self.purpose_id,
            "b_purposes": self.purposes,
            "c_data_subjects": list(self.data_subjects),
            "c_data_categories": list(self.data_categories),
            "d_recipients": list(self.recipients),
            "e_transfers": list(self.transfers),
            "f_erasure_time_limit": self.erasure_time_limit,
            "g_security_measures": self.security_measures,
            "legal_basis_not_art30": self.legal_basis,
        }


@attrs.frozen
class RecordOfProcessing:
    """The record of processing activities of GDPR Art. 30(1), items (a)-(g).

    The legal basis is carried along as extra information; it is an Art. 13
    item, not an Art. 30(1) one. Items (f) and (g) are required only "where
    possible": their absence is a warning, not an error.
    """

    controller: dict[str, Any]
    activities: tuple[ProcessingActivity, ...]
    warnings: tuple[str, ...]
    lang: str = "en"

    def to_dict(self) -> dict[str, Any]:
        """The record as JSON-ready data."""
        return {
            "article": "GDPR Art. 30(1)",
            "a_controller": self.controller,
            "activities": [a.to_dict() for a in self.activities],
            "warnings": list(self.warnings),
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """The record as JSON text."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    def to_markdown(self) -> str:
        """The record as a Markdown document, one section per activity."""
        sv = self.lang == "sv"
        c = self.controller
        lines = [
            "# " + ("Register över behandlingar (artikel 30.1)" if sv else
                    "Record of processing activities (Art. 30(1))"),
            "",
            "## " + ("a) Personuppgiftsansvarig" if sv else "(a) Controller"),
            "",
        ]  # fmt: skip
        for key in ("name", "org_number", "address", "email", "phone", "dpo"):
            if c.get(key):
                lines.append(f"- {key}: {c[key]}")
        for act in self.activities:
            none = "–"
            lines += [
                "",
                f"## {act.purposes}",
                "",
                f"- (b) {'Ändamål' if sv else 'Purpose'}: {act.purposes}",
                f"- (c) {'Registrerade' if sv else 'Data subjects'}: "
                + (", ".join(act.data_subjects) or none),
                f"- (c) {'Personuppgifter' if sv else 'Personal data'}: "
                + (", ".join(act.data_categories) or none),
                f"- (d) {'Mottagare' if sv else 'Recipients'}: "
                + (", ".join(act.recipients) or none),
                f"- (e) {'Överföringar till tredjeland' if sv else 'Third-country transfers'}: "
                + (", ".join(act.transfers) or ("inga" if sv else "none")),
                f"- (f) {'Tidsfrister för radering' if sv else 'Time limits for erasure'}: "
                + (act.erasure_time_limit or none),
                f"- (g) {'Säkerhetsåtgärder' if sv else 'Security measures'}: "
                + (act.security_measures or none),
                f"- {'Rättslig grund (artikel 6, inte en punkt i artikel 30)' if sv else 'Legal basis (Art. 6; not an Art. 30 item)'}: "
                + act.legal_basis,
            ]
        if self.warnings:
            lines += ["", "## " + ("Varningar" if sv else "Warnings"), ""]
            lines += [f"- {w}" for w in self.warnings]
        return "\n".join(lines) + "\n"


def record_of_processing(policy: Policy, lang: str = "en") -> RecordOfProcessing:
    """Build the Art. 30(1) record from a policy."""
    c = policy.controller
    controller = {
        "name": c.name,
        "org_number": c.org_number,
        "address": c.address,
        "email": c.email,
        "phone": c.phone,
        "dpo": c.dpo,
    }
    warnings = []
    security = policy.security_measures.get(lang) if policy.security_measures else None
    if security is None:
        warnings.append(
            "Art. 30(1)(g): no description of security measures (required where possible)"
        )
    activities = []
    for p in policy.purposes.values():
        recipients = [policy.recipients[r] for r in p.recipients]
        limit = p.retention_words(lang)
        if limit is None:
            warnings.append(
                f"Art. 30(1)(f): purpose {p.id!r} has no time limit for erasure "
                "(required where possible)"
            )
        activities.append(
            ProcessingActivity(
                purpose_id=p.id,
                purposes=p.name.get(lang),
                data_subjects=tuple(policy.subjects[s].name.get(lang) for s in p.subjects),
                data_categories=tuple(
                    policy.taxonomy[str(cat)].label(lang) for cat in p.categories
                ),
                recipients=tuple(r.name.get(lang) for r in recipients),
                transfers=tuple(
                    f"{r.name.get(lang)} ({r.country}; {r.safeguards})"
                    for r in recipients
                    if r.third_country
                ),
                erasure_time_limit=limit,
                security_measures=security,
                legal_basis=_basis_words(p, lang),
            )
        )
    return RecordOfProcessing(controller, tuple(activities), tuple(warnings), lang)


def _basis_words(p: Purpose, lang: str) -> str:
    words = f"{p.basis.label(lang)} ({'artikel' if lang == 'sv' else 'Art.'} {p.basis.article})"
    if p.legal_reference:
        words += f"; {p.legal_reference}"
    if p.special_condition is not None:
        words += f"; Art. {p.special_condition.article}"
    return words


# -- privacy notice -------------------------------------------------------------

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
        "Varje utskick innehåller en länk för att invända.",
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
        "Every message contains a link to object.",
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


def notice(policy: Policy, lang: str) -> str:
    """Render the privacy notice (Art. 13) as Markdown in ``lang``; unknown languages use English."""
    t = _NOTICE.get(lang, _NOTICE["en"])
    c = policy.controller
    out = [f"# {t['title']}", "", t["intro"].format(name=c.name), ""]
    out += [f"## {t['collect']}", "", t["collect_text"], ""]
    declared = {cat for p in policy.purposes.values() for cat in p.categories}
    seen: list[str] = []
    for p in policy.purposes.values():
        for cat in p.categories:
            # "contact" already covers "contact.email": list the broadest category only
            if any(a in declared for a in cat.ancestors):
                continue
            label = policy.taxonomy[str(cat)].label(lang)
            if label not in seen:
                seen.append(label)
    out += [f"- {label}" for label in seen] + [""]
    out += [f"## {t['use']}", ""]
    for p in policy.purposes.values():
        out += [f"### {p.name.get(lang)}", "", p.description.get(lang), ""]
        if p.anonymized_only:
            out += [t["anon"], ""]
        out.append(f"- {t['basis']}: {_basis_words(p, lang)}")
        words = p.retention_words(lang)
        if words:
            out.append(f"- {t['retention']}: {words}")
        if p.recipients:
            names = ", ".join(policy.recipients[r].name.get(lang) for r in p.recipients)
            out.append(f"- {t['recipients']}: {names}")
        out.append("")
    contact = policy.rights_contact or c.email
    out += [f"## {t['rights']}", "", t["rights_text"].format(contact=contact), ""]
    bases = {p.basis for p in policy.purposes.values()}
    for right, (en, sv) in _RIGHT_TEXT.items():
        if any(right in b.rights for b in bases):
            out += [f"### {right.label(lang).capitalize()}", "", sv if lang == "sv" else en, ""]
    if any(p.direct_marketing for p in policy.purposes.values()):
        # Art. 21(4): the right to object is presented clearly and separately.
        out += [f"### {t['object_marketing']}", "", t["object_marketing_text"], ""]
    out += [f"### {t['automated']}", "", policy.automated_decisions.get(lang), ""]
    a = policy.authority
    where = ", ".join(x for x in (a.address, a.website) if x)
    out += [
        f"## {t['complaint']}",
        "",
        t["complaint_text"].format(authority=a.name.get(lang)) + (f" ({where})." if where else "."),
        "",
    ]
    if policy.cookies:
        out += [f"## {t['cookies']}", "", t["cookies_text"], "", t["cookie_head"]]
        out.append("|---|---|---|---|---|")
        for ck in policy.cookies:
            life = t["session"] if not ck.persistent else (ck.lifetime or "")
            need = t["no"] if ck.strictly_necessary else t["yes"]
            out.append(
                f"| `{ck.name}` | {ck.provider} | {ck.description.get(lang)} | {life} | {need} |"
            )
        out.append("")
    out += [f"## {t['contact']}", "", c.name]
    for extra in (c.org_number and f"org. nr {c.org_number}", c.address, c.phone, c.email):
        if extra:
            out.append(extra)
    return "\n".join(out) + "\n"


# -- DPV JSON-LD ----------------------------------------------------------------


def dpv_jsonld(policy: Policy) -> dict[str, Any]:
    """The policy as DPV 2.x JSON-LD with one ``dpv:Process`` per purpose (LEGAL.md §9.5)."""
    c = policy.controller
    base = (c.websites[0].rstrip("/") if c.websites else "urn:gdprkit") + "/ropa#"
    controller: dict[str, Any] = {
        "@id": c.iri or base + "controller",
        "@type": "dpv:DataController",
        "dpv:hasName": c.name,
        "dpv:hasAddress": c.address,
        "dpv:hasContact": [f"mailto:{c.email}"]
        + ([f"tel:{c.phone.replace(' ', '')}"] if c.phone else []),
    }
    if c.org_number:
        controller["dct:identifier"] = c.org_number
    graph = []
    for p in policy.purposes.values():
        bases: list[dict[str, str]] = [{"@id": p.basis.dpv_gdpr}, {"@id": p.basis.dpv}]
        if p.basis is LegalBasis.LEGITIMATE_INTERESTS:
            bases.append({"@id": DPV + "LegitimateInterestOfController"})
        if p.special_condition is not None:
            bases.append({"@id": p.special_condition.dpv})
        process: dict[str, Any] = {
            "@id": base + p.id,
            "@type": "dpv:Process",
            "dct:title": [{"@value": p.name.get(lang), "@language": lang} for lang in
                          sorted(p.name.languages)],
            "dct:description": [{"@value": p.description.get(lang), "@language": lang}
                                for lang in sorted(p.description.languages)],
            "dct:conformsTo": {"@id": DPV_VERSION},
            "dpv:hasDataController": controller,
            "dpv:hasPurpose": [{"@id": d} for d in p.dpv] or [{"@id": DPV + "Purpose"}],
            "dpv:hasLegalBasis": bases,
            "dpv:hasDataSubject": [{"@id": DPV + "Customer"}] if p.subjects else [],
            "dpv:hasPersonalData": [
                {"@id": iri} for iri in sorted({policy.taxonomy[str(c)].dpv for c in p.categories})
            ],
            "dpv:hasRight": [{"@id": r.dpv} for r in p.rights],
            "dpv:hasJurisdiction": {"@id": "loc:" + policy.jurisdiction},
            "dpv:hasApplicableLaw": {"@id": "legal-eu:law-GDPR"},
        }  # fmt: skip
        words = p.retention_words("en")
        if words:
            process["dpv:hasStorageCondition"] = {
                "@type": "dpv:StorageDuration",
                "dpv:hasDuration": {"@type": "dpv:UntilEventDuration", "rdf:value": words},
            }
        if policy.authority.dpv:
            process["dpv:hasAuthority"] = {"@id": policy.authority.dpv}
        if p.recipients:
            process["dpv:hasRecipient"] = [
                {"dpv:hasName": policy.recipients[r].name.get("en")} for r in p.recipients
            ]
        graph.append(process)
    return {"@context": dict(CONTEXT), "@graph": graph}
