"""The one exception hierarchy of gdprkit, rooted at :class:`GdprkitError`.

Messages name the field, key or purpose and what was expected; they never
carry a personal value or key material.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

__all__ = [
    "AnonymizationError",
    "AuditIntegrityError",
    "ConsentRequired",
    "ExportPathError",
    "GdprkitError",
    "GdprkitWarning",
    "InvalidAuditHead",
    "InvalidConsent",
    "InvalidToken",
    "JournalError",
    "JournalIntegrityError",
    "KekError",
    "KeyringError",
    "LedgerError",
    "NaiveDatetimeError",
    "NoGuard",
    "NotTagged",
    "Objected",
    "ObjectionPending",
    "PackageIntegrityError",
    "PolicyError",
    "PolicyProblem",
    "ProcessingRefused",
    "PurposeNotAllowed",
    "RectificationError",
    "RequestStateError",
    "Restricted",
    "RetentionError",
    "SourceError",
    "StoreError",
    "StoreWarning",
    "StoredRowError",
    "SubjectNotInformed",
    "SubjectShredded",
    "UnclassifiedFields",
    "UnknownKeyId",
    "UnknownLanguage",
    "UnknownPurpose",
    "UnknownRequest",
    "UnknownTokenKey",
]


class GdprkitError(Exception):
    """Base class of every error gdprkit raises on purpose."""


@attrs.frozen
class PolicyProblem:
    """One problem found in a policy or a tagged class: where, and what is wrong."""

    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class PolicyError(GdprkitError, ValueError):
    """A policy, rule or tagged class is invalid; every problem found is listed.

    ``problems`` holds all of them (a file is checked whole, not up to the
    first error), each with its location: file, key path, class or field.
    """

    problems: tuple[PolicyProblem, ...]

    def __init__(self, problems: Iterable[PolicyProblem] | str, *, location: str = "") -> None:
        if isinstance(problems, str):
            problems = (PolicyProblem(location, problems),)
        self.problems = tuple(problems)
        if not self.problems:
            raise ValueError("PolicyError needs at least one problem")
        if len(self.problems) == 1:
            text = str(self.problems[0])
        else:
            text = f"{len(self.problems)} problems:\n" + "\n".join(
                f"  - {p}" for p in self.problems
            )
        super().__init__(text)


class NotTagged(GdprkitError, TypeError):
    """A class or object that was not declared with ``@personal_data``."""


class UnclassifiedFields(GdprkitError, ValueError):
    """Model fields that are neither tagged as personal data nor declared ``NotPersonal``.

    ``fields`` lists every one as ``module.Class.field``; ``conflicting`` the
    fields that are both (names of fields, never their values).
    """

    fields: tuple[str, ...]
    conflicting: tuple[str, ...]

    def __init__(self, fields: Iterable[str], conflicting: Iterable[str] = ()) -> None:
        self.fields = tuple(fields)
        self.conflicting = tuple(conflicting)
        lines = [
            f"  - {f}: neither tagged (Personal, pd_field) nor NotPersonal" for f in self.fields
        ]
        lines += [f"  - {f}: both tagged and NotPersonal" for f in self.conflicting]
        super().__init__(f"{len(lines)} field(s) not classified:\n" + "\n".join(lines))


class UnknownPurpose(GdprkitError, LookupError):
    """A purpose id that the policy does not declare."""

    def __init__(self, purpose: str, *, known: Iterable[str] = ()) -> None:
        self.purpose = purpose
        names = ", ".join(sorted(known))
        hint = f" (the policy declares: {names})" if names else ""
        super().__init__(f"unknown purpose {purpose!r}{hint}")


class ProcessingRefused(GdprkitError):
    """Processing for a purpose is not allowed for this data or this subject."""


class PurposeNotAllowed(ProcessingRefused):
    """No field of the record is tagged for the purpose (Art. 5(1)(b) purpose limitation)."""


class Restricted(ProcessingRefused):
    """Processing is restricted to another purpose (Art. 18(2))."""


class Objected(ProcessingRefused):
    """The data subject objected to processing for this purpose (Art. 21)."""


class ConsentRequired(ProcessingRefused):
    """The purpose rests on consent and no valid consent exists (Art. 6(1)(a), 7)."""


class NaiveDatetimeError(GdprkitError, ValueError):
    """A datetime without time zone was given where an instant is needed."""


class RetentionError(GdprkitError, ValueError):
    """A retention rule or its facts are malformed."""


class KeyringError(GdprkitError, ValueError):
    """A key or keyring is unusable (too short, empty keyring, malformed file)."""


class UnknownKeyId(KeyringError, LookupError):
    """A token or ciphertext names a key id the keyring does not hold."""


class InvalidToken(GdprkitError):
    """A token or ciphertext is malformed, tampered with, or made under another key/domain.

    Deliberately one bare error for every way a token can be bad, as
    ``cryptography.fernet.InvalidToken`` is: the reason would help an attacker.
    """


class UnknownTokenKey(UnknownKeyId, InvalidToken):
    """A token names a key id the keyring does not hold (retired, or another keyring's).

    Both an :class:`UnknownKeyId` (the remedy is a key) and an
    :class:`InvalidToken` (every changed token is an invalid one).
    """


class SubjectShredded(GdprkitError):
    """The data subject's key was destroyed (crypto-shredding, Art. 17)."""


class AnonymizationError(GdprkitError, ValueError):
    """Input to a generaliser or risk measure is unusable."""


class SourceError(GdprkitError):
    """A data source is misconfigured or failed."""


class RectificationError(GdprkitError, ValueError):
    """A rectification names an unknown, non-personal or derived field, or a wrong type (Art. 16)."""


class PackageIntegrityError(GdprkitError):
    """An export package does not verify: a file is missing, extra or changed."""


class UnknownLanguage(GdprkitError, LookupError):
    """A language gdprkit has no texts in (its own texts are in Swedish and English)."""


class AuditIntegrityError(GdprkitError):
    """The audit log's hash chain does not verify."""


class StoreError(GdprkitError):
    """The persistent store is unusable (unknown schema version, bad URL)."""


class LedgerError(GdprkitError, ValueError):
    """A ledger entry does not fit the law or the policy.

    For example consent to a purpose that does not rest on consent, an
    objection to a basis without the right to object, overriding grounds
    for direct marketing (Art. 21(3)), or an entry dated before the last one.
    """


class UnknownRequest(GdprkitError, LookupError):
    """No request with this id is in the register."""


class RequestStateError(GdprkitError, ValueError):
    """A data-subject request cannot make this state change (Art. 12)."""


class KekError(KeyringError):
    """A key-encryption key is missing, malformed or not the one that wrapped a keyring.

    Keyrings at rest (in a store or as JSON) are wrapped by a key-encryption
    key that lives outside the store (Art. 32: keys kept apart from the data
    they protect); loading one without the right key raises this.
    """


class InvalidAuditHead(GdprkitError, ValueError):
    """A saved audit head is not ``<seq>:<64 hex digits>``."""


class ExportPathError(GdprkitError, ValueError):
    """An export package cannot be written where asked: ``out`` is a folder, or not writable.

    Raised before any data is read, so nothing about the subject is left behind.
    """


class GdprkitWarning(UserWarning):
    """Base class of the warnings gdprkit emits; filter them with :mod:`warnings`."""


class StoreWarning(GdprkitWarning):
    """A store works but is exposed, e.g. its file is readable by group or others (Art. 32)."""


class NoGuard(ProcessingRefused):
    """``project()`` for a purpose that needs consent, with no guard installed or passed.

    Consent (Art. 6(1)(a)) and explicit consent (Art. 9(2)(a)) must be
    checked before the data is used, so ``project()`` fails closed rather
    than hand the data out unchecked. Install the consent ledger
    (``gdprkit.install_guards(ledger)``), pass ``guards=[ledger]``, or pass
    ``guards=()`` to state that the caller checked consent itself.
    """


class InvalidConsent(LedgerError):
    """A grant whose indication is no statement or clear affirmative action (Art. 4(11)).

    Recital 32: silence, pre-ticked boxes or inactivity are not consent;
    CJEU C-673/17 *Planet49*: a pre-ticked checkbox is not either. Nothing
    is recorded.
    """


class SubjectNotInformed(LedgerError):
    """A restriction would be lifted before the subject was told it would be (Art. 18(3))."""


class ObjectionPending(Objected, Restricted):
    """An objection to the purpose awaits the controller's assessment (Art. 21(1), 18(1)(d)).

    Processing is restricted meanwhile: an :class:`Objected` and a
    :class:`Restricted` at once, so a stated Art. 18(2) ground lets it through.
    """


class JournalError(GdprkitError, ValueError):
    """An erasure journal (or its exported file) cannot be read: a malformed entry or format."""


class JournalIntegrityError(JournalError):
    """An exported erasure journal file does not verify: a line changed, removed or added.

    Its message names the line, never its content.
    """


class StoredRowError(StoreError):
    """A row of the store does not hold what gdprkit writes there: it was changed outside gdprkit.

    A NULL or text that is no timestamp where an instant is kept, JSON of
    another shape, a state word gdprkit never writes. The message names the
    table, the row (its id or sequence number) and the column, never the
    value found there.
    """
