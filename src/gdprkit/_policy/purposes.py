"""The reader of the [purposes] section: each purpose with its legal basis and what it needs.

A purpose may be declared as a table (``[purposes.crm]``) or in an array of
tables with ids (``[[purposes]] id = "crm"``); only the second shape can
declare a purpose twice, which is reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from gdprkit._errors import PolicyError
from gdprkit._policy import required as law
from gdprkit._policy.anonymization import read_anonymization, rule_anonymizes
from gdprkit._policy.sections import read_text
from gdprkit._policy.values import Purpose, Recipient, SubjectKind, Text
from gdprkit._reader import Reader
from gdprkit.vocab import DPV, Art9Condition, DataCategory, LegalBasis, Taxonomy

if TYPE_CHECKING:
    from gdprkit._retention.rules import Rule

_PURPOSE_KEYS = (
    "name",
    "description",
    "basis",
    "legal_reference",
    "legitimate_interest_assessment",
    "direct_marketing",
    "anonymized_only",
    "recipients",
    "retention",
    "categories",
    "subjects",
    "dpv",
    "special_condition",
    "references",
    "anonymization",
)


def read_purposes(
    top: Reader,
    languages: tuple[str, ...],
    taxonomy: Taxonomy,
    subjects: Mapping[str, SubjectKind],
    recipients: Mapping[str, Recipient],
) -> dict[str, Purpose]:
    """The [purposes] section, checked against the declared categories, subjects and recipients."""
    purposes: dict[str, Purpose] = {}
    prs = _purpose_tables(top)
    if prs is None:
        return purposes
    for pid in prs.data:
        pr = prs.table(pid)
        if pr is not None:
            purpose = read_purpose(pid, pr, languages, taxonomy, subjects, recipients)
            if purpose is not None:
                purposes[pid] = purpose
    if not prs.data:
        top.problems.add("purposes", f"declare at least one purpose: {law.PURPOSES}")
    return purposes


def _purpose_tables(top: Reader) -> Reader | None:
    """The purposes as one table by id, whichever of the two shapes declares them."""
    raw = top.raw("purposes")
    if not isinstance(raw, list):
        return top.table("purposes", required=True, why=law.PURPOSES)
    # [[purposes]] with an id each: the one shape in which a purpose can be declared twice
    by_id: dict[str, object] = {}
    for i, item in enumerate(raw):
        pid = item.get("id") if isinstance(item, Mapping) else None
        if not isinstance(pid, str) or not pid:
            top.problems.add(f"purposes[{i}].id", "is required (a purpose id)")
        elif pid in by_id:
            top.problems.add(f"purposes[{i}].id", f"duplicate purpose {pid!r}")
        else:
            by_id[pid] = {k: v for k, v in item.items() if k != "id"}
    return Reader(by_id, top.key("purposes"), top.problems)


def read_purpose(
    pid: str,
    r: Reader,
    languages: tuple[str, ...],
    taxonomy: Taxonomy,
    subjects: Mapping[str, SubjectKind],
    recipients: Mapping[str, Recipient],
) -> Purpose | None:
    """One purpose; ``None`` when it lacks a name, a description or a basis (reported)."""
    r.unknown(_PURPOSE_KEYS)
    name = read_text(r, "name", languages, required=True, why=law.PURPOSES)
    description = read_text(r, "description", languages, required=True, why=law.PURPOSES)
    basis, legal_reference, lia = _read_basis(pid, r)
    direct_marketing = _read_direct_marketing(r, basis)
    categories = _read_categories(r, taxonomy)
    subject_ids = _known_ids(r, "subjects", subjects, "subject kind")
    recipient_ids = _known_ids(r, "recipients", recipients, "recipient")
    condition = _read_special_condition(r, categories, taxonomy)
    dpv = tuple(d if d.startswith("http") else DPV + d for d in r.str_list("dpv"))
    retention, retention_text = read_retention(r, languages)
    anonymization = read_anonymization(r)
    if anonymization and not (r.flag("anonymized_only") or rule_anonymizes(retention)):
        r.problem(
            "anonymization",
            "only a purpose that keeps data as anonymous data declares how (anonymized_only, "
            "or a retention rule with action = 'anonymize'; Recital 26)",
        )
    if name is None or description is None or basis is None:
        return None
    return Purpose(
        id=pid,
        name=name,
        description=description,
        basis=basis,
        legal_reference=legal_reference,
        legitimate_interest_assessment=lia,
        direct_marketing=direct_marketing,
        anonymized_only=r.flag("anonymized_only"),
        recipients=recipient_ids,
        retention=retention,
        retention_text=retention_text,
        categories=categories,
        subjects=subject_ids,
        dpv=dpv,
        special_condition=condition,
        references=r.str_list("references"),
        anonymization=anonymization,
    )


def _read_basis(pid: str, r: Reader) -> tuple[LegalBasis | None, str | None, str | None]:
    """The Art. 6(1) basis with the legal reference or assessment it requires."""
    if not r.has("basis"):
        r.problem(
            "basis",
            f"purpose {pid!r} has no legal basis; every purpose needs one of Art. 6(1)(a)-(f), "
            "including one that only anonymizes (anonymization is itself processing, WP216)",
        )
    basis = r.parse("basis", LegalBasis.parse)
    legal_reference = r.string("legal_reference")
    lia = r.string("legitimate_interest_assessment")
    if basis in (LegalBasis.LEGAL_OBLIGATION, LegalBasis.PUBLIC_TASK) and legal_reference is None:
        r.problem(
            "legal_reference",
            "a legal-obligation or public-task purpose must name the law it rests on "
            "(Art. 6(3)), e.g. 'Bokföringslagen (1999:1078) 7 kap. 2 §'",
        )
    if basis is LegalBasis.LEGITIMATE_INTERESTS and lia is None:
        r.problem(
            "legitimate_interest_assessment",
            "a legitimate-interests purpose must reference its balancing test "
            "(Art. 6(1)(f); EDPB Guidelines 1/2024)",
        )
    return basis, legal_reference, lia


def _read_direct_marketing(r: Reader, basis: LegalBasis | None) -> bool:
    """Whether the purpose is direct marketing, which rests on consent or legitimate interests."""
    direct_marketing = r.flag("direct_marketing")
    if (
        direct_marketing
        and basis is not None
        and basis not in (LegalBasis.LEGITIMATE_INTERESTS, LegalBasis.CONSENT)
    ):
        r.problem(
            "direct_marketing",
            "direct marketing rests on consent or legitimate interests (Art. 21(2), Recital 47)",
        )
    return direct_marketing


def _read_categories(r: Reader, taxonomy: Taxonomy) -> tuple[DataCategory, ...]:
    """The data categories of the purpose, each one the taxonomy knows."""
    categories = []
    for i, cname in enumerate(r.str_list("categories")):
        if cname not in taxonomy:
            r.problems.add(f"{r.key('categories')}[{i}]", f"unknown data category {cname!r}")
        else:
            categories.append(DataCategory(cname))
    return tuple(categories)


def _known_ids(r: Reader, name: str, known: Mapping[str, object], what: str) -> tuple[str, ...]:
    """The ids listed at ``name``, each reported unless the policy declares it."""
    ids = r.str_list(name)
    for i, item in enumerate(ids):
        if item not in known:
            r.problems.add(f"{r.key(name)}[{i}]", f"unknown {what} {item!r}")
    return ids


def _read_special_condition(
    r: Reader, categories: tuple[DataCategory, ...], taxonomy: Taxonomy
) -> Art9Condition | None:
    """The Art. 9(2) condition; special-category data without one is reported (Art. 9(1))."""
    condition = r.parse("special_condition", Art9Condition.parse)
    if condition is None and not r.has("special_condition"):
        declared = r.str_list("categories")
        for cat in categories:
            special = taxonomy.special_of(cat)
            if special is not None:
                r.problems.add(
                    f"{r.key('categories')}[{declared.index(str(cat))}]",
                    f"special-category data ({special.value}, Art. 9(1)) needs an Art. 9(2) "
                    "condition in special_condition; an Art. 6 basis alone is not enough",
                )
    return condition


def read_retention(r: Reader, languages: tuple[str, ...]) -> tuple[Rule | None, Text | None]:
    """The purpose's retention rule and its description in words (Art. 5(1)(e), 30(1)(f))."""
    sub = r.table("retention")
    if sub is None:
        return None, None
    text = read_text(sub, "description", languages, required=False)
    spec = {k: v for k, v in sub.data.items() if k != "description"}
    if not spec:
        return None, text
    from gdprkit._retention.mapping import rule_from_mapping

    where = r.problems.where(sub.path)
    try:
        return rule_from_mapping(spec, location=where), text
    except PolicyError as exc:
        r.problems.extend(exc.problems)
        return None, text
