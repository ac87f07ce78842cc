"""The reader of the [[cookies]] section: every cookie or other terminal storage declared.

LEK (2022:482) 9 kap. 28 § and ePrivacy Art. 5(3): whether consent is
needed follows from the declared purpose, so each cookie must name one.
"""

from __future__ import annotations

from collections.abc import Mapping

from gdprkit._policy import required as law
from gdprkit._policy.sections import read_text
from gdprkit._policy.values import COOKIE_PURPOSES, CookieDeclaration, Purpose
from gdprkit._reader import Reader

_COOKIE_KEYS = (
    "name",
    "provider",
    "purpose",
    "description",
    "lifetime",
    "party",
    "consent_purpose",
)


def read_cookies(
    top: Reader, languages: tuple[str, ...], purposes: Mapping[str, Purpose]
) -> tuple[CookieDeclaration, ...]:
    """The [[cookies]] array of tables; a name declared twice is reported."""
    raw = top.raw("cookies")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        top.problems.add("cookies", "must be an array of tables ([[cookies]])")
        return ()
    cookies: list[CookieDeclaration] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        name = item.get("name") if isinstance(item, Mapping) else None
        if isinstance(name, str):
            if name in seen:
                top.problems.add(f"cookies[{i}].name", f"duplicate cookie {name!r}")
            seen.add(name)
        cookie = read_cookie(Reader(item, f"cookies[{i}]", top.problems), languages, purposes)
        if cookie is not None:
            cookies.append(cookie)
    return tuple(cookies)


def read_cookie(
    r: Reader, languages: tuple[str, ...], purposes: Mapping[str, Purpose]
) -> CookieDeclaration | None:
    """One cookie; ``None`` when it lacks a name, provider, purpose or description (reported)."""
    r.unknown(_COOKIE_KEYS)
    name = r.string("name", required=True, why=law.COOKIE)
    provider = r.string("provider", required=True, why=law.COOKIE_PROVIDER)
    purpose = r.string("purpose", required=True, why=law.COOKIE)
    if purpose is not None and purpose not in COOKIE_PURPOSES:
        r.problem("purpose", "must be one of " + ", ".join(COOKIE_PURPOSES))
        purpose = None
    description = read_text(r, "description", languages, required=True, why=law.COOKIE)
    lifetime = r.string("lifetime", required=True, why=law.COOKIE_LIFETIME)
    persistent = lifetime is not None and lifetime != "session"
    if persistent and lifetime is not None:
        _check_lifetime(r, lifetime)
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


def _check_lifetime(r: Reader, lifetime: str) -> None:
    """A persistent cookie's lifetime must be an ISO 8601 duration."""
    from gdprkit.timecalc import Period

    try:
        Period.parse(lifetime)
    except ValueError:
        r.problem("lifetime", "must be 'session' or an ISO 8601 duration such as 'P13M' or 'P30D'")
