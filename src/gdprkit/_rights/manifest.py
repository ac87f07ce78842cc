"""The export package's ``manifest.json``: the Art. 15(1)(a)-(h) information, machine-readable.

Its form is published as ``docs/export-manifest.schema.json``; one entry per
record kind says why it is processed, on what basis, for how long, for whom,
where it came from and which fields were left out of the package and why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from gdprkit._rights.labels import field_labels, kind_label
from gdprkit._rights.scope import FieldPlan, Scope
from gdprkit._rights.sources import SubjectRef
from gdprkit.tagging import Schema
from gdprkit.vocab import Origin, Right

if TYPE_CHECKING:
    from gdprkit._policy.values import Text
    from gdprkit.policy import Policy
    from gdprkit.retention import Facts

__all__ = ["MANIFEST_SCHEMA_VERSION", "READABLE_SCHEMAS", "kind_info", "manifest"]

#: The manifest's schema identifier; bump on incompatible change (docs/export-manifest.schema.json).
MANIFEST_SCHEMA_VERSION: Final = "gdprkit.export/2"
#: The schemas :func:`~gdprkit.rights.verify_package` reads: this one and every earlier one.
READABLE_SCHEMAS: Final = frozenset({"gdprkit.export/1", MANIFEST_SCHEMA_VERSION})


def _retention_info(pid: str, policy: Policy, facts: Facts | None, at: datetime) -> dict[str, Any]:
    """A purpose's retention rule in words, and with ``facts`` its status and end (Art. 15(1)(d))."""
    p = policy.purpose(pid)
    retention: dict[str, Any] = {
        "rule": {"en": p.retention_words("en"), "sv": p.retention_words("sv")}
    }
    if p.retention is not None and facts is not None:
        from gdprkit.retention import evaluate

        verdict = evaluate(p.retention, facts, at, tz=policy.timezone)
        retention["status"] = verdict.status.value
        retention["erasable_from"] = verdict.expires_at.isoformat() if verdict.expires_at else None
    return retention


def _purpose_info(pid: str, policy: Policy, facts: Facts | None, at: datetime) -> dict[str, Any]:
    """One purpose of a record kind: name, basis, recipients, retention (Art. 15(1)(a)-(d))."""
    p = policy.purpose(pid)
    return {
        "id": pid,
        "name": {lang: p.name.get(lang) for lang in policy.languages},
        "legal_basis": {"code": p.basis.value, "article": f"GDPR Art. {p.basis.article}",
                        "dpv": p.basis.dpv_gdpr, "label": p.basis.label("en")},
        "legal_reference": p.legal_reference,
        "special_condition": p.special_condition.article if p.special_condition else None,
        "recipients": [
            {"name": policy.recipients[r].name.get("en"), "country": policy.recipients[r].country,
             "safeguards": policy.recipients[r].safeguards}
            for r in p.recipients
        ],
        "retention": _retention_info(pid, policy, facts, at),
        "direct_marketing": p.direct_marketing,
    }  # fmt: skip


def _fields_info(
    schema: Schema, policy: Policy, plan: FieldPlan, languages: Sequence[str]
) -> list[dict[str, Any]]:
    """Every field of a record kind: its name for people, personal or not, exported or not,
    its category and origin."""
    tagged = {f.name: f.tag for f in schema.fields}
    labels = {lang: field_labels(schema, policy.taxonomy, lang) for lang in languages}
    fields = []
    for name in schema.all_fields:
        tag = tagged.get(name)
        entry: dict[str, Any] = {"name": name, "personal": tag is not None,
                                 "exported": name in plan.included,
                                 "label": {lang: labels[lang][name] for lang in languages}}  # fmt: skip
        if tag is not None:
            entry.update(
                category=str(tag.category),
                category_label=policy.taxonomy[str(tag.category)].label("en")
                if str(tag.category) in policy.taxonomy
                else str(tag.category),
                origin=tag.origin.value,
                source_of_data=tag.origin.label("en"),
                purposes=list(tag.purposes),
            )
        fields.append(entry)
    return fields


def _sources_of_data(
    schema: Schema, source_of_data: Text | None, languages: Sequence[str]
) -> list[dict[str, Any]]:
    """Where a record kind's third-party fields came from, one entry per source named (Art. 15(1)(g)).

    A field's own source comes first, then the data source's, then the model's.
    """
    fields_by_source: dict[Text, list[str]] = {}
    for f in schema.fields:
        if f.tag.origin is Origin.THIRD_PARTY:
            named = f.tag.source or source_of_data or schema.source
            if named is not None:
                fields_by_source.setdefault(named, []).append(f.name)
    return [
        {"text": {lang: text.get(lang) for lang in languages}, "fields": names}
        for text, names in fields_by_source.items()
    ]


def kind_info(
    source: str,
    schema: Schema,
    plan: FieldPlan,
    rows: int,
    *,
    policy: Policy,
    facts: Facts | None,
    at: datetime,
    languages: Sequence[str],
    source_of_data: Text | None = None,
    redactions: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """The manifest entry of one source's record kind (Art. 15(1)(a)-(h)).

    ``languages`` are those its labels and texts are given in: the policy's and
    the page's. ``source_of_data`` is where the data source says its
    third-party data came from; ``redactions`` what was withheld from the copy
    (Art. 15(4), 20(4)).
    """
    purposes = sorted({p for f in schema.fields for p in f.tag.purposes})
    rights = sorted(
        {r for pid in purposes for r in policy.purpose(pid).rights},
        key=lambda r: list(Right).index(r),
    )
    return {
        "source": source,
        "record_kind": schema.name,
        "label": {lang: kind_label(schema, policy.taxonomy, lang) for lang in languages},
        "data_subject_kind": schema.subject,
        "rows": rows,
        "purposes": [_purpose_info(pid, policy, facts, at) for pid in purposes],
        "categories": sorted({str(f.tag.category) for f in schema.fields}),
        "origins": sorted({f.tag.origin.value for f in schema.fields}),
        "sources_of_data": _sources_of_data(schema, source_of_data, languages),
        "fields": _fields_info(schema, policy, plan, languages),
        "excluded_fields": [{"field": n, "reason": r} for n, r in plan.excluded],
        "redactions": list(redactions),
        "rights": [
            {"right": r.value, "article": f"GDPR Art. {r.article}", "label": r.label("en")}
            for r in rights
        ],
    }


def manifest(
    subject: SubjectRef,
    policy: Policy,
    scope: Scope,
    at: datetime,
    kinds: Sequence[Mapping[str, Any]],
    files: Sequence[Mapping[str, Any]],
    lang: str,
) -> dict[str, Any]:
    """The whole manifest: controller, authority, subject, record kinds and files.

    ``lang`` is the language of the package's page (``language``; the
    authority's ``name_local``).
    """
    c = policy.controller
    a = policy.authority
    transfers = sorted(
        {
            (r.name.get("en"), r.country, r.safeguards or "")
            for r in policy.recipients.values()
            if r.third_country
        }
    )
    return {
        "schema": MANIFEST_SCHEMA_VERSION,
        "scope": scope,
        "legal_basis_of_request": "GDPR Art. 15" if scope == "access" else "GDPR Art. 20",
        "generated_at": at.astimezone(policy.timezone).isoformat(),
        "policy_version": policy.version,
        "language": lang,
        "controller": {"name": c.name, "org_number": c.org_number, "address": c.address,
                       "email": c.email, "phone": c.phone, "dpo": c.dpo},
        "supervisory_authority": {"name": a.name.get("en"), "name_local": a.name.get(lang),
                                  "website": a.website, "address": a.address, "email": a.email,
                                  "phone": a.phone, "complaint_url": a.complaint_url,
                                  "right": "GDPR Art. 77"},
        "subject": {"kind": subject.kind, "id": subject.id},
        # Art. 15(1), first limb: whether personal data about the subject are processed at all.
        "personal_data_held": any(kind["rows"] for kind in kinds),
        "how_to_exercise_rights": {"contact": policy.rights_contact or c.email,
                                   "response_time": "one month from receipt, extendable by two "
                                   "further months (GDPR Art. 12(3))"},
        "automated_decision_making": {lang: policy.automated_decisions.get(lang) for lang in policy.languages},
        "third_country_transfers": [{"recipient": n, "country": k, "safeguards": s} for n, k, s in transfers],
        "example_values": sorted(policy.examples),
        # CSV cells that would run as spreadsheet formulas start with "'"; JSON Lines are exact.
        "csv_formula_neutralised": True,
        "record_kinds": list(kinds),
        "files": list(files),
    }  # fmt: skip
