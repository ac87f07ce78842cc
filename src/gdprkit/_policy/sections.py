"""Readers of the small sections of a policy file: [policy], [controller], [authority],
[subjects], [categories] and [rights].

Each reader takes the top-level :class:`~gdprkit._reader.Reader`, records every
problem with its key path and returns what it could read; the caller raises
them all at once.
"""

from __future__ import annotations

import urllib.parse
import zoneinfo
from datetime import date

import attrs

from gdprkit._errors import PolicyError
from gdprkit._policy import required as law
from gdprkit._policy.values import Authority, Controller, SubjectKind, Text
from gdprkit._reader import Problems, Reader
from gdprkit.vocab import BUILTIN_TAXONOMY, CategoryInfo, DataCategory, SpecialCategory, Taxonomy


def read_text(
    r: Reader, name: str, languages: tuple[str, ...], *, required: bool, why: str | None = None
) -> Text | None:
    """A text at ``name``: a table with one entry per policy language, or one string.

    ``why`` says what a required text declares and which article asks for it.
    """
    value = r.raw(name)
    if value is None:
        if required:
            r.missing(name, why)
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


def _section(top: Reader, name: str, why: str | None = None) -> Reader:
    """A required section; when it is missing, an empty one.

    The missing section is the one problem recorded: the keys it would hold
    are read from the empty stand-in into a collector that is dropped, so
    they are not reported once more each.
    """
    return top.table(name, required=True, why=why) or Reader(
        {}, name, Problems(top.problems.source)
    )


@attrs.frozen
class Meta:
    """What the [policy] section declares."""

    version: str
    effective: date | None
    timezone: zoneinfo.ZoneInfo | None
    languages: tuple[str, ...]
    jurisdiction: str


def _machine_zone(name: str) -> bool:
    """Whether ``name`` is a file of the tz database that is no IANA zone of its own.

    ``localtime`` is the machine's own zone, ``posixrules`` and ``Factory`` are
    helpers of the database, and ``right/`` and ``posix/`` are variants of it
    that some machines have (``right/`` counts leap seconds): the same policy
    would decide at other instants on another machine.
    """
    return name in ("localtime", "posixrules", "Factory") or name.startswith(("right/", "posix/"))


def read_meta(top: Reader) -> Meta:
    """The [policy] section: version, effective date, time zone, languages, jurisdiction."""
    meta = _section(top, "policy")
    meta.unknown(("version", "effective", "timezone", "languages", "jurisdiction", "examples"))
    version = meta.string("version", required=True, why=law.VERSION) or ""
    effective = meta.day("effective", required=True)
    tz_name = meta.string("timezone", required=True, why=law.TIMEZONE)
    timezone = None
    if tz_name is not None and _machine_zone(tz_name):
        meta.problem(
            "timezone",
            f"{tz_name!r} is not an IANA zone: it depends on the machine or its tz database "
            "(use an IANA name: Europe/Stockholm)",
        )
    elif tz_name is not None:
        try:
            timezone = zoneinfo.ZoneInfo(tz_name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            # OSError: a folder of the tz database ("US", "Europe") is no zone, and zoneinfo
            # reports it by trying to read the folder as a file.
            meta.problem(
                "timezone", f"unknown time zone {tz_name!r} (use an IANA name: Europe/Stockholm)"
            )
    languages = meta.str_list("languages") or ("en",)
    for i, lang in enumerate(languages):
        if not (len(lang) == 2 and lang.isalpha() and lang.islower()):
            top.problems.add(f"policy.languages[{i}]", "must be a two-letter language code")
    jurisdiction = meta.string("jurisdiction", default="SE") or "SE"
    return Meta(version, effective, timezone, languages, jurisdiction)


def _web_address(r: Reader, key: str, value: str | None) -> str | None:
    """``value`` if it is an http(s) address, else a problem at ``key`` and None.

    The notice and the export page turn it into a link the data subject
    follows: a ``javascript:`` or ``data:`` address would run in their browser.
    """
    if value is None:
        return None
    try:
        parts = urllib.parse.urlsplit(value) if value.isprintable() and " " not in value else None
    except ValueError:  # an unclosed IPv6 bracket
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        r.problems.add(
            key, "must be an http:// or https:// address (it becomes a link the subject follows)"
        )
        return None
    return value


def read_controller(top: Reader) -> Controller:
    """The [controller] section (Art. 13(1)(a), 30(1)(a))."""
    ctl = _section(top, "controller", law.CONTROLLER)
    ctl.unknown(("name", "email", "address", "org_number", "phone", "websites", "dpo", "iri"))
    return Controller(
        name=ctl.string("name", required=True, why=law.CONTROLLER) or "",
        email=ctl.string("email", required=True, why=law.CONTROLLER) or "",
        address=ctl.string("address", required=True, why=law.CONTROLLER) or "",
        org_number=ctl.string("org_number"),
        phone=ctl.string("phone"),
        websites=tuple(
            site
            for i, given in enumerate(ctl.str_list("websites"))
            if (site := _web_address(ctl, f"{ctl.key('websites')}[{i}]", given)) is not None
        ),
        dpo=ctl.string("dpo"),
        iri=ctl.string("iri"),
    )


def read_authority(top: Reader, languages: tuple[str, ...]) -> Authority:
    """The [authority] section: the supervisory authority of Art. 77."""
    auth = _section(top, "authority", law.AUTHORITY)
    auth.unknown(("name", "website", "address", "email", "phone", "complaint_url", "dpv"))
    return Authority(
        name=read_text(auth, "name", languages, required=True, why=law.AUTHORITY) or Text(()),
        website=_web_address(
            auth, auth.key("website"), auth.string("website", required=True, why=law.AUTHORITY)
        )
        or "",
        address=auth.string("address"),
        email=auth.string("email"),
        phone=auth.string("phone"),
        complaint_url=_web_address(auth, auth.key("complaint_url"), auth.string("complaint_url")),
        dpv=auth.string("dpv"),
    )


def read_subjects(top: Reader, languages: tuple[str, ...]) -> dict[str, SubjectKind]:
    """The [subjects] section: the categories of data subjects (Art. 30(1)(c))."""
    subjects: dict[str, SubjectKind] = {}
    subs = top.table("subjects", required=True, why=law.SUBJECTS)
    if subs is None:
        return subjects
    for sid in subs.data:
        sr = subs.table(sid)
        if sr is None:
            continue
        sr.unknown(("name", "description"))
        subjects[sid] = SubjectKind(
            sid,
            read_text(sr, "name", languages, required=True, why=law.SUBJECTS) or Text(()),
            read_text(sr, "description", languages, required=False),
        )
    if not subjects:
        top.problems.add("subjects", f"declare at least one kind of data subject: {law.SUBJECTS}")
    return subjects


def read_categories(top: Reader, languages: tuple[str, ...]) -> Taxonomy:
    """The [categories] section: the built-in taxonomy with the policy's own categories added."""
    cats = top.table("categories")
    if cats is None:
        return BUILTIN_TAXONOMY
    extra = []
    for cname in cats.data:
        cr = cats.table(cname)
        if cr is None:
            continue
        cr.unknown(("label", "dpv", "special"))
        try:
            category = DataCategory(cname)
        except ValueError as exc:
            top.problems.add(cats.key(cname), str(exc))
            continue
        extra.append(_category(cr, category, languages))
    try:
        return BUILTIN_TAXONOMY.extended(extra)
    except PolicyError as exc:
        for p in exc.problems:
            top.problems.add("categories", p.message)
        return BUILTIN_TAXONOMY


def _category(cr: Reader, category: DataCategory, languages: tuple[str, ...]) -> CategoryInfo:
    label = read_text(cr, "label", languages, required=True) or Text(())
    special = cr.parse("special", SpecialCategory.parse) if cr.has("special") else None
    dpv = cr.string("dpv", default="PersonalData") or "PersonalData"
    return CategoryInfo(
        category,
        label.get("en"),
        label.get("sv"),
        dpv if dpv.startswith("http") else "https://w3id.org/dpv/pd#" + dpv,
        special,
    )


@attrs.frozen
class Rights:
    """What the [rights] section declares."""

    contact: str | None
    automated_decisions: Text | None
    security_measures: Text | None
    consent_evidence_retention: str | None


def read_rights(top: Reader, languages: tuple[str, ...]) -> Rights:
    """The [rights] section: where to exercise them, automated decisions, security measures."""
    rights = _section(top, "rights", law.RIGHTS)
    rights.unknown(
        ("contact", "automated_decisions", "security_measures", "consent_evidence_retention")
    )
    contact = rights.string("contact", required=True, why=law.RIGHTS)
    automated = read_text(
        rights, "automated_decisions", languages, required=True, why=law.AUTOMATED_DECISIONS
    )
    security = read_text(rights, "security_measures", languages, required=False)
    evidence = rights.string("consent_evidence_retention")
    if evidence is not None:
        from gdprkit.timecalc import Period

        try:
            Period.parse(evidence)
        except ValueError:
            rights.problem(
                "consent_evidence_retention", "must be an ISO 8601 duration such as 'P3Y'"
            )
    return Rights(contact, automated, security, evidence)
