"""A privacy policy as code: controller, purposes with legal bases, recipients, cookies.

``Policy.from_toml()`` checks the whole file and reports every problem at
once, each with its key path. The same declaration renders the Art. 30(1)
record of processing activities, the Art. 13 privacy notice (sv/en) and a
W3C DPV JSON-LD description.
"""

from __future__ import annotations

import os
import zoneinfo
from collections.abc import Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

import attrs

from gdprkit._errors import PolicyError, PolicyProblem, UnknownPurpose
from gdprkit._reader import Problems, Reader
from gdprkit._util import FrozenMap
from gdprkit.vocab import (
    BUILTIN_TAXONOMY,
    DPV,
    Art9Condition,
    CategoryInfo,
    DataCategory,
    LegalBasis,
    Right,
    Taxonomy,
)

if TYPE_CHECKING:
    from gdprkit._render import RecordOfProcessing
    from gdprkit.retention import Rule

__all__ = [
    "EEA",
    "Authority",
    "Controller",
    "CookieDeclaration",
    "CookiePurpose",
    "Policy",
    "Purpose",
    "Recipient",
    "SubjectKind",
    "Text",
]

#: EU member states and the other EEA countries (ISO 3166-1 alpha-2): transfers
#: elsewhere are third-country transfers under GDPR Chapter V.
EEA = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
        "IS",
        "LI",
        "NO",
    ]
)

CookiePurpose = Literal[
    "transmission", "strictly_necessary", "preferences", "analytics", "marketing"
]
_COOKIE_PURPOSES: tuple[CookiePurpose, ...] = (
    "transmission",
    "strictly_necessary",
    "preferences",
    "analytics",
    "marketing",
)


def _pairs(values: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple((str(k), str(v)) for k, v in values)


@attrs.frozen
class Text:
    """A text in several languages; lookups fall back to English, then to any language."""

    values: tuple[tuple[str, str], ...] = attrs.field(converter=_pairs)

    @classmethod
    def of(cls, value: str | Mapping[str, str], lang: str = "en") -> Text:
        """A ``Text`` from a mapping of language to text, or one string in ``lang``."""
        if isinstance(value, str):
            return cls(((lang, value),))
        return cls(tuple(value.items()))

    def get(self, lang: str = "en") -> str:
        """The text in ``lang``, else English, else the first language given."""
        table = dict(self.values)
        return table.get(lang) or table.get("en") or (self.values[0][1] if self.values else "")

    def __str__(self) -> str:
        return self.get("en")

    @property
    def languages(self) -> frozenset[str]:
        """The languages the text is given in."""
        return frozenset(lang for lang, _ in self.values)


@attrs.frozen
class Controller:
    """The controller (Art. 4(7)); Art. 13(1)(a), 30(1)(a)."""

    name: str
    email: str
    address: str
    org_number: str | None = None
    phone: str | None = None
    websites: tuple[str, ...] = ()
    dpo: str | None = None
    iri: str | None = None


@attrs.frozen
class Authority:
    """The supervisory authority a subject may complain to (Art. 77); for Sweden, IMY."""

    name: Text
    website: str
    address: str | None = None
    email: str | None = None
    phone: str | None = None
    complaint_url: str | None = None
    dpv: str | None = None


@attrs.frozen
class Recipient:
    """A recipient or category of recipients (Art. 4(9), 13(1)(e), 15(1)(c), 30(1)(d)-(e))."""

    id: str
    name: Text
    kind: str = "processor"
    country: str = "SE"
    safeguards: str | None = None

    @property
    def third_country(self) -> bool:
        """True when the recipient is outside the EEA (a Chapter V transfer)."""
        return self.country.upper() not in EEA


@attrs.frozen
class SubjectKind:
    """A category of data subjects (Art. 30(1)(c)), e.g. direct customers."""

    id: str
    name: Text


@attrs.frozen
class Purpose:
    """A purpose of processing with exactly one Art. 6(1) basis and what that basis requires.

    A legal-obligation purpose names its legal reference (Art. 6(3)); a
    legitimate-interests purpose names its balancing-test assessment
    (Art. 6(1)(f), EDPB Guidelines 1/2024); a direct-marketing purpose is open
    to an absolute objection (Art. 21(2)-(3)).
    """

    id: str
    name: Text
    description: Text
    basis: LegalBasis
    legal_reference: str | None = None
    legitimate_interest_assessment: str | None = None
    direct_marketing: bool = False
    anonymized_only: bool = False
    recipients: tuple[str, ...] = ()
    retention: Rule | None = attrs.field(default=None, eq=False)
    retention_text: Text | None = None
    categories: tuple[DataCategory, ...] = ()
    subjects: tuple[str, ...] = ()
    dpv: tuple[str, ...] = ()
    special_condition: Art9Condition | None = None
    references: tuple[str, ...] = ()

    @property
    def rights(self) -> tuple[Right, ...]:
        """The rights that apply to processing for this purpose.

        They follow from the basis; direct marketing adds the objection of
        Art. 21(2) whatever the basis.
        """
        rights = self.basis.rights
        if self.direct_marketing and Right.OBJECTION not in rights:
            order = list(Right)
            rights = tuple(sorted((*rights, Right.OBJECTION), key=order.index))
        return rights

    def retention_words(self, lang: str = "en") -> str | None:
        """The retention rule in words: the declared text, else the rule's own description."""
        if self.retention_text is not None:
            return self.retention_text.get(lang)
        if self.retention is not None:
            return self.retention.describe()
        return None


@attrs.frozen
class CookieDeclaration:
    """A cookie or other terminal storage (LEK (2022:482) 9 kap. 28 §, ePrivacy Art. 5(3)).

    Whether consent is needed follows from the purpose, not the lifetime
    (WP194): only ``transmission`` and ``strictly_necessary`` are exempt.
    """

    name: str
    provider: str
    purpose: CookiePurpose
    description: Text
    persistent: bool = False
    lifetime: str | None = None
    party: Literal["first", "third"] = "first"
    consent_purpose: str | None = None

    @property
    def strictly_necessary(self) -> bool:
        """True when no consent is needed: transmission or strictly necessary for the service."""
        return self.purpose in ("transmission", "strictly_necessary")


@attrs.frozen(hash=True)
class Policy:
    """A controller's whole privacy policy, validated.

    Build it with :meth:`from_toml` or :meth:`from_dict`; both check the
    complete declaration and raise one :class:`~gdprkit.PolicyError` listing
    every problem.
    """

    controller: Controller
    authority: Authority
    version: str
    effective: date
    timezone: zoneinfo.ZoneInfo
    languages: tuple[str, ...]
    purposes: FrozenMap[str, Purpose]
    subjects: FrozenMap[str, SubjectKind]
    recipients: FrozenMap[str, Recipient]
    taxonomy: Taxonomy = BUILTIN_TAXONOMY
    cookies: tuple[CookieDeclaration, ...] = ()
    rights_contact: str | None = None
    automated_decisions: Text = Text((("en", "none"),))
    security_measures: Text | None = None
    jurisdiction: str = "SE"
    consent_evidence_retention: str | None = None
    source: str = attrs.field(default="", eq=False)

    def __repr__(self) -> str:
        return (
            f"<Policy {self.controller.name!r} version {self.version!r}: "
            f"{len(self.purposes)} purposes, {len(self.cookies)} cookies>"
        )

    # -- loading -------------------------------------------------------------

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str]) -> Policy:
        """Load and validate a policy file; a bad file raises ``PolicyError`` naming file and key."""
        import tomllib  # here, not at the top: ``import gdprkit`` stays light

        name = os.fspath(path)
        try:
            with open(name, "rb") as fh:
                data = tomllib.load(fh)
        except FileNotFoundError:
            raise PolicyError([PolicyProblem(name, "file not found")]) from None
        except OSError as exc:
            raise PolicyError([PolicyProblem(name, f"cannot read: {exc.strerror}")]) from None
        except tomllib.TOMLDecodeError as exc:
            what = "duplicate declaration" if "twice" in str(exc) else "not valid TOML"
            raise PolicyError([PolicyProblem(name, f"{what}: {exc}")]) from None
        return cls.from_dict(data, source=name)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "<dict>") -> Policy:
        """Build and validate a policy from a mapping shaped like the TOML file."""
        return _parse_policy(data, source)

    # -- lookups -------------------------------------------------------------

    def purpose(self, purpose_id: str) -> Purpose:
        """The purpose ``purpose_id``; an unknown id raises :class:`~gdprkit.UnknownPurpose`."""
        try:
            return self.purposes[purpose_id]
        except (KeyError, TypeError):
            raise UnknownPurpose(str(purpose_id), known=self.purposes) from None

    def recipients_of(self, purpose_id: str) -> tuple[Recipient, ...]:
        """The recipients declared for a purpose."""
        return tuple(self.recipients[r] for r in self.purpose(purpose_id).recipients)

    @property
    def strictly_necessary_cookies(self) -> tuple[CookieDeclaration, ...]:
        """Cookies that need no consent (LEK 9 kap. 28 § second paragraph)."""
        return tuple(c for c in self.cookies if c.strictly_necessary)

    @property
    def consent_cookies(self) -> tuple[CookieDeclaration, ...]:
        """Cookies that may be set only with the user's consent (LEK 9 kap. 28 §)."""
        return tuple(c for c in self.cookies if not c.strictly_necessary)

    # -- renderings ----------------------------------------------------------

    def ropa(self, lang: str = "en") -> RecordOfProcessing:
        """The Art. 30(1) record of processing activities, as data (``to_json``, ``to_markdown``)."""
        from gdprkit._render import record_of_processing

        return record_of_processing(self, lang)

    def render_notice(self, lang: str = "sv") -> str:
        """The privacy notice as Markdown in ``lang`` (Art. 12-14, 21(4))."""
        from gdprkit._render import notice

        return notice(self, lang)

    def to_dpv(self) -> dict[str, Any]:
        """The policy as W3C DPV 2.x JSON-LD: one ``dpv:Process`` per purpose."""
        from gdprkit._render import dpv_jsonld

        return dpv_jsonld(self)


# -- parsing -------------------------------------------------------------------

_TOP_KEYS = (
    "policy",
    "controller",
    "authority",
    "subjects",
    "recipients",
    "categories",
    "purposes",
    "cookies",
    "rights",
)


def _text(r: Reader, name: str, languages: tuple[str, ...], *, required: bool) -> Text | None:
    value = r.raw(name)
    if value is None:
        if required:
            r.problem(name, "is required")
        return None
    if isinstance(value, str):
        if not value.strip():
            r.problem(name, "must not be empty")
            return None
        if len(languages) > 1:
            r.problem(name, "must give a text for every language: " + ", ".join(languages))
        return Text.of(value, languages[0] if languages else "en")
    sub = r.table(name)
    if sub is None:
        return None
    items = []
    for lang in languages:
        text = sub.string(lang, required=True)
        if text is not None:
            items.append((lang, text))
    sub.unknown(languages)
    return Text(tuple(items)) if items else None


def _parse_policy(data: Mapping[str, Any], source: str) -> Policy:
    problems = Problems(source)
    top = Reader(data, "", problems)
    top.unknown(_TOP_KEYS)

    meta = top.table("policy", required=True) or Reader({}, "policy", problems)
    meta.unknown(("version", "effective", "timezone", "languages", "jurisdiction"))
    version = meta.string("version", required=True) or ""
    effective = meta.day("effective", required=True)
    tz_name = meta.string("timezone", required=True)
    timezone = None
    if tz_name is not None:
        try:
            timezone = zoneinfo.ZoneInfo(tz_name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            meta.problem("timezone", f"unknown time zone {tz_name!r} (use an IANA name)")
    languages = meta.str_list("languages") or ("en",)
    for i, lang in enumerate(languages):
        if not (len(lang) == 2 and lang.isalpha() and lang.islower()):
            problems.add(f"policy.languages[{i}]", "must be a two-letter language code")
    jurisdiction = meta.string("jurisdiction", default="SE") or "SE"

    ctl = top.table("controller", required=True) or Reader({}, "controller", problems)
    ctl.unknown(("name", "email", "address", "org_number", "phone", "websites", "dpo", "iri"))
    controller = Controller(
        name=ctl.string("name", required=True) or "",
        email=ctl.string("email", required=True) or "",
        address=ctl.string("address", required=True) or "",
        org_number=ctl.string("org_number"),
        phone=ctl.string("phone"),
        websites=ctl.str_list("websites"),
        dpo=ctl.string("dpo"),
        iri=ctl.string("iri"),
    )

    auth = top.table("authority", required=True) or Reader({}, "authority", problems)
    auth.unknown(("name", "website", "address", "email", "phone", "complaint_url", "dpv"))
    authority = Authority(
        name=_text(auth, "name", languages, required=True) or Text(()),
        website=auth.string("website", required=True) or "",
        address=auth.string("address"),
        email=auth.string("email"),
        phone=auth.string("phone"),
        complaint_url=auth.string("complaint_url"),
        dpv=auth.string("dpv"),
    )

    subjects: dict[str, SubjectKind] = {}
    subs = top.table("subjects", required=True)
    if subs is not None:
        for sid in subs.data:
            sr = subs.table(sid)
            if sr is None:
                continue
            sr.unknown(("name",))
            subjects[sid] = SubjectKind(
                sid, _text(sr, "name", languages, required=True) or Text(())
            )
        if not subjects:
            problems.add("subjects", "declare at least one kind of data subject")

    recipients: dict[str, Recipient] = {}
    recs = top.table("recipients")
    if recs is not None:
        for rid in recs.data:
            rr = recs.table(rid)
            if rr is None:
                continue
            rr.unknown(("name", "kind", "country", "safeguards"))
            country = (rr.string("country", default="SE") or "SE").upper()
            if not (len(country) == 2 and country.isalpha()):
                rr.problem("country", "must be an ISO 3166-1 alpha-2 country code")
            safeguards = rr.string("safeguards")
            if country not in EEA and safeguards is None:
                rr.problem(
                    "safeguards",
                    "a recipient outside the EEA needs its transfer safeguards "
                    "(Art. 46; Art. 13(1)(f), 15(2), 30(1)(e))",
                )
            recipients[rid] = Recipient(
                id=rid,
                name=_text(rr, "name", languages, required=True) or Text(()),
                kind=rr.string("kind", default="processor") or "processor",
                country=country,
                safeguards=safeguards,
            )

    taxonomy = BUILTIN_TAXONOMY
    cats = top.table("categories")
    if cats is not None:
        extra = []
        for cname in cats.data:
            cr = cats.table(cname)
            if cr is None:
                continue
            cr.unknown(("label", "dpv", "special"))
            try:
                category = DataCategory(cname)
            except ValueError as exc:
                problems.add(cats.key(cname), str(exc))
                continue
            label = _text(cr, "label", languages, required=True) or Text(())
            special = None
            if cr.has("special"):
                from gdprkit.vocab import SpecialCategory

                special = cr.parse("special", SpecialCategory.parse)
            dpv = cr.string("dpv", default="PersonalData") or "PersonalData"
            extra.append(
                CategoryInfo(
                    category,
                    label.get("en"),
                    label.get("sv"),
                    dpv if dpv.startswith("http") else "https://w3id.org/dpv/pd#" + dpv,
                    special,
                )
            )
        try:
            taxonomy = taxonomy.extended(extra)
        except PolicyError as exc:
            for p in exc.problems:
                problems.add("categories", p.message)

    purposes: dict[str, Purpose] = {}
    raw_purposes = top.raw("purposes")
    if isinstance(raw_purposes, list):
        # [[purposes]] with an id each: the one shape in which a purpose can be declared twice
        by_id: dict[str, object] = {}
        for i, item in enumerate(raw_purposes):
            pid = item.get("id") if isinstance(item, Mapping) else None
            if not isinstance(pid, str) or not pid:
                problems.add(f"purposes[{i}].id", "is required (a purpose id)")
            elif pid in by_id:
                problems.add(f"purposes[{i}].id", f"duplicate purpose {pid!r}")
            else:
                by_id[pid] = {k: v for k, v in item.items() if k != "id"}
        data = {**data, "purposes": by_id}
        top = Reader(data, "", problems)
    prs = top.table("purposes", required=True)
    if prs is not None:
        for pid in prs.data:
            pr = prs.table(pid)
            if pr is not None:
                purpose = _parse_purpose(pid, pr, languages, taxonomy, subjects, recipients)
                if purpose is not None:
                    purposes[pid] = purpose
        if not prs.data:
            problems.add("purposes", "declare at least one purpose")

    cookies: list[CookieDeclaration] = []
    raw_cookies = top.raw("cookies")
    if raw_cookies is not None:
        if not isinstance(raw_cookies, list):
            problems.add("cookies", "must be an array of tables ([[cookies]])")
        else:
            seen: set[str] = set()
            for i, item in enumerate(raw_cookies):
                name = item.get("name") if isinstance(item, Mapping) else None
                if isinstance(name, str):
                    if name in seen:
                        problems.add(f"cookies[{i}].name", f"duplicate cookie {name!r}")
                    seen.add(name)
                cookie = _parse_cookie(Reader(item, f"cookies[{i}]", problems), languages, purposes)
                if cookie is not None:
                    cookies.append(cookie)

    rights = top.table("rights", required=True) or Reader({}, "rights", problems)
    rights.unknown(
        ("contact", "automated_decisions", "security_measures", "consent_evidence_retention")
    )
    rights_contact = rights.string("contact", required=True)
    automated = _text(rights, "automated_decisions", languages, required=True)
    security = _text(rights, "security_measures", languages, required=False)
    evidence = rights.string("consent_evidence_retention")
    if evidence is not None:
        from gdprkit.timecalc import Period

        try:
            Period.parse(evidence)
        except ValueError:
            rights.problem(
                "consent_evidence_retention", "must be an ISO 8601 duration such as 'P3Y'"
            )

    problems.raise_if_any()
    assert effective is not None
    assert timezone is not None
    assert automated is not None
    return Policy(
        controller=controller,
        authority=authority,
        version=version,
        effective=effective,
        timezone=timezone,
        languages=languages,
        purposes=FrozenMap(purposes),
        subjects=FrozenMap(subjects),
        recipients=FrozenMap(recipients),
        taxonomy=taxonomy,
        cookies=tuple(cookies),
        rights_contact=rights_contact,
        automated_decisions=automated,
        security_measures=security,
        jurisdiction=jurisdiction,
        consent_evidence_retention=evidence,
        source=source,
    )


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
)


def _parse_purpose(
    pid: str,
    r: Reader,
    languages: tuple[str, ...],
    taxonomy: Taxonomy,
    subjects: Mapping[str, SubjectKind],
    recipients: Mapping[str, Recipient],
) -> Purpose | None:
    r.unknown(_PURPOSE_KEYS)
    name = _text(r, "name", languages, required=True)
    description = _text(r, "description", languages, required=True)
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
    direct_marketing = r.flag("direct_marketing")
    if (
        direct_marketing
        and basis is not None
        and basis
        not in (
            LegalBasis.LEGITIMATE_INTERESTS,
            LegalBasis.CONSENT,
        )
    ):
        r.problem(
            "direct_marketing",
            "direct marketing rests on consent or legitimate interests (Art. 21(2), Recital 47)",
        )
    categories = []
    for i, cname in enumerate(r.str_list("categories")):
        if cname not in taxonomy:
            r.problems.add(f"{r.key('categories')}[{i}]", f"unknown data category {cname!r}")
        else:
            categories.append(DataCategory(cname))
    subject_ids = r.str_list("subjects")
    for i, sid in enumerate(subject_ids):
        if sid not in subjects:
            r.problems.add(f"{r.key('subjects')}[{i}]", f"unknown subject kind {sid!r}")
    recipient_ids = r.str_list("recipients")
    for i, rid in enumerate(recipient_ids):
        if rid not in recipients:
            r.problems.add(f"{r.key('recipients')}[{i}]", f"unknown recipient {rid!r}")
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
    dpv = tuple(d if d.startswith("http") else DPV + d for d in r.str_list("dpv"))
    retention, retention_text = _parse_retention(r, languages)
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
        categories=tuple(categories),
        subjects=subject_ids,
        dpv=dpv,
        special_condition=condition,
        references=r.str_list("references"),
    )


def _parse_retention(r: Reader, languages: tuple[str, ...]) -> tuple[Rule | None, Text | None]:
    sub = r.table("retention")
    if sub is None:
        return None, None
    text = _text(sub, "description", languages, required=False)
    spec = {k: v for k, v in sub.data.items() if k != "description"}
    if not spec:
        return None, text
    from gdprkit.retention import rule_from_mapping

    where = r.problems.where(sub.path)
    try:
        return rule_from_mapping(spec, location=where), text
    except PolicyError as exc:
        r.problems.extend(exc.problems)
        return None, text


def _parse_cookie(
    r: Reader, languages: tuple[str, ...], purposes: Mapping[str, Purpose]
) -> CookieDeclaration | None:
    r.unknown(
        ("name", "provider", "purpose", "description", "lifetime", "party", "consent_purpose")
    )
    name = r.string("name", required=True)
    provider = r.string("provider", required=True)
    purpose = r.string("purpose", required=True)
    if purpose is not None and purpose not in _COOKIE_PURPOSES:
        r.problem("purpose", "must be one of " + ", ".join(_COOKIE_PURPOSES))
        purpose = None
    description = _text(r, "description", languages, required=True)
    lifetime = r.string("lifetime", required=True)
    persistent = lifetime is not None and lifetime != "session"
    if persistent and lifetime is not None:
        from gdprkit.timecalc import Period

        try:
            Period.parse(lifetime)
        except ValueError:
            r.problem(
                "lifetime", "must be 'session' or an ISO 8601 duration such as 'P13M' or 'P30D'"
            )
    party = r.string("party", default="first")
    if party not in ("first", "third"):
        r.problem("party", "must be 'first' or 'third'")
        party = "first"
    consent_purpose = r.string("consent_purpose")
    if consent_purpose is not None and consent_purpose not in purposes:
        r.problem("consent_purpose", f"unknown purpose {consent_purpose!r}")
    if name is None or provider is None or purpose is None or description is None:
        return None
    return CookieDeclaration(
        name=name,
        provider=provider,
        purpose=purpose,
        description=description,
        persistent=persistent,
        lifetime=lifetime if persistent else None,
        party=party,  # type: ignore[arg-type]
        consent_purpose=consent_purpose,
    )
