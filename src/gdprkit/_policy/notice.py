"""The privacy notice of Art. 12-14 and 21(4), rendered as Markdown in Swedish or English.

Its texts are :data:`gdprkit._i18n.NOTICE` and :data:`gdprkit._i18n.RIGHTS`;
a language gdprkit has no texts in is refused with :class:`~gdprkit.UnknownLanguage`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gdprkit._i18n import NOTICE, RIGHTS, Language, language, period_words
from gdprkit._policy.ropa import basis_words
from gdprkit.vocab import Right

if TYPE_CHECKING:
    from gdprkit._policy.values import CookieDeclaration, PolicyView

_Words = dict[str, str]


def notice(policy: PolicyView, lang: str) -> str:
    """Render the privacy notice (Art. 13) as Markdown in ``lang`` (``"sv"`` or ``"en"``).

    Any other language raises :class:`~gdprkit.UnknownLanguage`: a notice in a
    language other than the one asked for would not inform (Art. 12(1)).
    """
    chosen = language(lang)
    t = NOTICE.texts(chosen)
    out = [f"# {t['title']}", "", t["intro"].format(name=policy.controller.name), ""]
    out += _categories(policy, chosen, t)
    out += _purposes(policy, chosen, t)
    out += _rights(policy, chosen, t)
    out += _complaint(policy, chosen, t)
    out += _cookies(policy, chosen, t)
    out += _contact(policy, t)
    return "\n".join(out) + "\n"


def _categories(policy: PolicyView, lang: Language, t: _Words) -> list[str]:
    """The categories of personal data processed, each at its broadest declared level."""
    out = [f"## {t['collect']}", "", t["collect_text"], ""]
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
    return out + [f"- {label}" for label in seen] + [""]


def _purposes(policy: PolicyView, lang: Language, t: _Words) -> list[str]:
    """Each purpose with its legal basis, retention and recipients (Art. 13(1)(c)-(e), 13(2)(a))."""
    out = [f"## {t['use']}", ""]
    for p in policy.purposes.values():
        out += [f"### {p.name.get(lang)}", "", p.description.get(lang), ""]
        if p.anonymized_only:
            out += [t["anon"], ""]
        out.append(f"- {t['basis']}: {basis_words(p, lang)}")
        words = p.retention_words(lang)
        if words:
            out.append(f"- {t['retention']}: {words}")
        if p.recipients:
            names = ", ".join(policy.recipients[r].name.get(lang) for r in p.recipients)
            out.append(f"- {t['recipients']}: {names}")
        out.append("")
    return out


def _rights(policy: PolicyView, lang: Language, t: _Words) -> list[str]:
    """The rights that follow from the bases used, the objection to direct marketing apart."""
    contact = policy.rights_contact or policy.controller.email
    out = [f"## {t['rights']}", "", t["rights_text"].format(contact=contact), ""]
    bases = {p.basis for p in policy.purposes.values()}
    for right in Right:
        if right.value in RIGHTS.messages and any(right in b.rights for b in bases):
            text = RIGHTS.text(right.value, lang)
            out += [f"### {right.label(lang).capitalize()}", "", text, ""]
    if any(p.direct_marketing for p in policy.purposes.values()):
        # Art. 21(4): the right to object is presented clearly and separately.
        out += [f"### {t['object_marketing']}", "", t["object_marketing_text"], ""]
    out += [f"### {t['automated']}", "", policy.automated_decisions.get(lang), ""]
    return out


def _complaint(policy: PolicyView, lang: Language, t: _Words) -> list[str]:
    """Where to lodge a complaint (Art. 13(2)(d), 77)."""
    a = policy.authority
    # the web address as a Markdown autolink, so a rendered notice links to it
    where = ", ".join(x for x in (a.address, a.website and f"<{a.website}>") if x)
    return [
        f"## {t['complaint']}",
        "",
        t["complaint_text"].format(authority=a.name.get(lang)) + (f" ({where})." if where else "."),
        "",
    ]


def _cookies(policy: PolicyView, lang: Language, t: _Words) -> list[str]:
    """The cookie table, with whether each needs consent (LEK 9 kap. 28 §)."""
    if not policy.cookies:
        return []
    out = [f"## {t['cookies']}", "", t["cookies_text"], "", t["cookie_head"]]
    out.append("|---|---|---|---|---|")
    for ck in policy.cookies:
        life = lifetime_words(ck, lang)
        need = t["no"] if ck.strictly_necessary else t["yes"]
        out.append(
            f"| `{ck.name}` | {ck.provider} | {ck.description.get(lang)} | {life} | {need} |"
        )
    out.append("")
    return out


def lifetime_words(cookie: CookieDeclaration, lang: Language) -> str:
    """A cookie's lifetime in words: "session", "12 månader", "90 days" (never ``P12M``)."""
    from gdprkit.timecalc import Period

    if not cookie.persistent or cookie.lifetime is None:
        return NOTICE.text("session", lang)
    period = Period.parse(cookie.lifetime)
    return period_words(lang, years=period.years, months=period.months, days=period.days)


def _contact(policy: PolicyView, t: _Words) -> list[str]:
    """The controller's identity and contact details (Art. 13(1)(a))."""
    c = policy.controller
    out = [f"## {t['contact']}", "", c.name]
    for extra in (c.org_number and f"org. nr {c.org_number}", c.address, c.phone, c.email):
        if extra:
            out.append(extra)
    return out
