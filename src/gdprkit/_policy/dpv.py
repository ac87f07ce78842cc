"""The policy as W3C Data Privacy Vocabulary (DPV 2.x) JSON-LD."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gdprkit.vocab import DPV, DPV_GDPR, LegalBasis

if TYPE_CHECKING:
    from gdprkit._policy.values import PolicyView

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


def dpv_jsonld(policy: PolicyView) -> dict[str, Any]:
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
