"""The whole privacy policy: :class:`Policy`, read from TOML or a mapping, section by section."""

from __future__ import annotations

import os
import zoneinfo
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from gdprkit._errors import PolicyError, PolicyProblem, UnknownPurpose
from gdprkit._policy.cookies import read_cookies
from gdprkit._policy.examples import covers, read_examples
from gdprkit._policy.purposes import read_purposes
from gdprkit._policy.recipients import read_recipients
from gdprkit._policy.sections import (
    read_authority,
    read_categories,
    read_controller,
    read_meta,
    read_rights,
    read_subjects,
)
from gdprkit._policy.values import (
    Authority,
    Controller,
    CookieDeclaration,
    Purpose,
    Recipient,
    SubjectKind,
    Text,
)
from gdprkit._reader import Problems, Reader
from gdprkit._util import FrozenMap
from gdprkit.vocab import BUILTIN_TAXONOMY, Taxonomy

if TYPE_CHECKING:
    from gdprkit._policy.ropa import RecordOfProcessing

V = TypeVar("V")


def _frozen(value: Mapping[str, V]) -> FrozenMap[str, V]:
    """The mapping frozen (a :class:`FrozenMap` is kept as it is), so a policy stays hashable.

    The fields say ``Mapping``, what callers may rely on; the value is frozen so
    that a policy built from plain dicts is as immutable and hashable as one read
    from a file.
    """
    return value if isinstance(value, FrozenMap) else FrozenMap(value)


# One converter per field: the attrs plugin of mypy takes the field's type from it.
def _purposes(value: Mapping[str, Purpose]) -> FrozenMap[str, Purpose]:
    return _frozen(value)


def _subjects(value: Mapping[str, SubjectKind]) -> FrozenMap[str, SubjectKind]:
    return _frozen(value)


def _recipients(value: Mapping[str, Recipient]) -> FrozenMap[str, Recipient]:
    return _frozen(value)


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
    purposes: Mapping[str, Purpose] = attrs.field(converter=_purposes)
    subjects: Mapping[str, SubjectKind] = attrs.field(converter=_subjects)
    recipients: Mapping[str, Recipient] = attrs.field(converter=_recipients)
    taxonomy: Taxonomy = BUILTIN_TAXONOMY
    cookies: tuple[CookieDeclaration, ...] = ()
    rights_contact: str | None = None
    automated_decisions: Text = Text((("en", "none"),))
    security_measures: Text | None = None
    jurisdiction: str = "SE"
    consent_evidence_retention: str | None = None
    examples: frozenset[str] = frozenset()
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
        import tomllib  # only when a file is read: ``import gdprkit`` stays light

        name = os.fspath(path)
        try:
            with open(name, "rb") as fh:
                raw = fh.read()
        except FileNotFoundError:
            raise PolicyError([PolicyProblem(name, "file not found")]) from None
        except OSError as exc:
            raise PolicyError([PolicyProblem(name, f"cannot read: {exc.strerror}")]) from None
        text = _utf8(raw, name)
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            what = "duplicate declaration" if "twice" in str(exc) else "not valid TOML"
            raise PolicyError([PolicyProblem(name, f"{what}: {exc}")]) from None
        except RecursionError:
            # tomllib reads nested arrays and inline tables recursively; no policy nests deep.
            raise PolicyError([PolicyProblem(name, "arrays or tables nest too deeply")]) from None
        return cls.from_dict(data, source=name)

    @classmethod
    def from_dict(cls, data: Mapping[str, object], *, source: str = "<dict>") -> Policy:
        """Build and validate a policy from a mapping shaped like the TOML file."""
        return _read_policy(data, source)

    # -- lookups -------------------------------------------------------------

    def purpose(self, purpose_id: str) -> Purpose:
        """The purpose ``purpose_id``; an unknown id raises :class:`~gdprkit.UnknownPurpose`."""
        try:
            return self.purposes[purpose_id]
        except (KeyError, TypeError):
            raise UnknownPurpose(str(purpose_id), known=self.purposes) from None

    def is_example(self, path: str) -> bool:
        """Whether the part at key ``path`` is an example value, not the published policy.

        ``[policy] examples`` lists such parts; a part inside a listed table is
        one too (``"purposes.crm.retention"`` when ``"purposes.crm"`` is listed).
        Renderers mark every example value, so that no invented fact reaches a
        data subject as the controller's (Art. 5(1)(a), 12(1)).
        """
        return covers(self.examples, path)

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
        """The Art. 30(1) record of processing activities, as data (``to_json``, ``to_markdown``).

        ``lang`` is ``"sv"`` or ``"en"``; any other raises :class:`~gdprkit.UnknownLanguage`.
        """
        from gdprkit._i18n import language
        from gdprkit._policy.ropa import record_of_processing

        return record_of_processing(self, language(lang))

    def render_notice(self, lang: str = "sv") -> str:
        """The privacy notice as Markdown in ``lang`` (Art. 12-14, 21(4)).

        ``lang`` is ``"sv"`` or ``"en"``; any other raises :class:`~gdprkit.UnknownLanguage`.
        """
        from gdprkit._policy.notice import notice

        return notice(self, lang)

    def to_dpv(self) -> dict[str, Any]:
        """The policy as W3C DPV 2.x JSON-LD: one ``dpv:Process`` per purpose."""
        from gdprkit._policy.dpv import dpv_jsonld

        return dpv_jsonld(self)


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


def _read_policy(data: Mapping[str, object], source: str) -> Policy:
    """Read every section in file order, then raise every problem found, or build the policy."""
    problems = Problems(source)
    top = Reader(data, "", problems)
    top.unknown(_TOP_KEYS)
    meta = read_meta(top)
    languages = meta.languages
    controller = read_controller(top)
    authority = read_authority(top, languages)
    subjects = read_subjects(top, languages)
    recipients = read_recipients(top, languages)
    taxonomy = read_categories(top, languages)
    purposes = read_purposes(top, languages, taxonomy, subjects, recipients)
    cookies = read_cookies(top, languages, purposes)
    rights = read_rights(top, languages)
    examples = read_examples(top)
    problems.raise_if_any()
    assert meta.effective is not None
    assert meta.timezone is not None
    assert rights.automated_decisions is not None
    return Policy(
        controller=controller,
        authority=authority,
        version=meta.version,
        effective=meta.effective,
        timezone=meta.timezone,
        languages=languages,
        purposes=purposes,
        subjects=subjects,
        recipients=recipients,
        taxonomy=taxonomy,
        cookies=cookies,
        rights_contact=rights.contact,
        automated_decisions=rights.automated_decisions,
        security_measures=rights.security_measures,
        jurisdiction=meta.jurisdiction,
        consent_evidence_retention=rights.consent_evidence_retention,
        examples=examples,
        source=source,
    )


def _utf8(raw: bytes, name: str) -> str:
    """The policy file's text; TOML files are UTF-8, and anything else is located, not guessed."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        start = exc.start
    line = raw.count(b"\n", 0, start) + 1
    # in characters, as an editor counts them (the line before the bad byte is UTF-8)
    column = len(raw[raw.rfind(b"\n", 0, start) + 1 : start].decode("utf-8")) + 1
    raise PolicyError(
        [PolicyProblem(f"{name}: line {line}, column {column}", "not UTF-8 text; save it as UTF-8")]
    )
