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


def _flag(policy: PolicyView, path: str, t: _Words) -> str:
    """`` *(example)*`` after a part ``[policy] examples`` lists, else nothing (Art. 12(1))."""
    return f" *({t['example']})*" if policy.is_example(path) else ""


def notice(policy: PolicyView, lang: str) -> str:
    """Render the privacy notice (Art. 13) as Markdown in ``lang`` (``"sv"`` or ``"en"``).

    Any other language raises :class:`~gdprkit.UnknownLanguage`: a notice in a
    language other than the one asked for would not inform (Art. 12(1)).
    """
    chosen = language(lang)
    t = NOTICE.texts(chosen)
    out = [f"# {t['title']}", "", t["intro"].format(name=policy.controller.name), ""]
    if policy.examples:
        # Art. 12(1): the reader is told which statements are not the controller's.
        out += [t["examples"], ""]
    out += _categories(policy, chosen, t)
    out += _purposes(policy, chosen, t)
    out += _rights(policy, chosen, t)
    out += _complaint(policy, chosen, t)
    out += _cookies(policy, chosen, t)
    out += _contact(policy, t)
    return "\n".join(out) + "\n"


def _categories(policy: PolicyView, lang: Language, t: _Words) -> list[str]:
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


def _purposes(policy: PolicyView, lang: Language, t: _Words) -> list[str]:
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
        text = t["object_marketing_text"].format(contact=contact)
        out += [f"### {t['object_marketing']}", "", text, ""]
    automated = policy.automated_decisions.get(lang)
    out += [f"### {t['automated']}", "", automated + _flag(policy, "rights.automated_decisions", t)]
    out.append("")
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
    out = [f"## {t['cookies']}", "", t["cookies_text"], ""]
    every = policy.is_example("cookies")
    if every:
        out += [f"*{t['examples_below']}*", ""]
    out += [t["cookie_head"], "|---|---|---|---|---|"]
    for ck in policy.cookies:
        life = lifetime_words(ck, lang)
        need = t["no"] if ck.strictly_necessary else t["yes"]
        # one mark for the whole table above when every cookie is an example
        flag = "" if every else _flag(policy, f"cookies.{ck.name}", t)
        out.append(
            f"| `{ck.name}` | {ck.provider} | {ck.description.get(lang)}{flag} | {life} | {need} |"
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
