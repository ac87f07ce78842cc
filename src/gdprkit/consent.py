"""The consent, objection and restriction ledger (GDPR Art. 7, 18, 21; LEK 9 kap. 28 §).

:class:`Ledger` keeps, in the SQLite store, what decides whether a data
subject's data may be processed for a purpose at a given instant:

* **consent** (Art. 6(1)(a), 7): who consented, when, to which purposes,
  after which notice version, how, and for how long, as append-only
  ISO/IEC TS 27560 shaped :class:`ConsentRecord` evidence (Art. 7(1));
  withdrawal is one call (Art. 7(3)) and reaches forward only;
* **objections** (Art. 21): absolute for direct marketing (Art. 21(3)),
  otherwise effective until the controller records compelling grounds
  (Art. 21(1));
* **restrictions** (Art. 18): only the purposes allowed stay open;
* **cookie consent** (LEK (2022:482) 9 kap. 28 §): ``cookies.<category>``
  pseudo-purposes.

Every answer is "as of an instant": the ledger is a history, not a current
state, so it can still say whether processing last spring was lawful.
Subjects are stored only as keyed tokens of the ledger's
:class:`~gdprkit.pseudonym.Pseudonymizer`: pin its ``key_id`` (or re-tokenise
the ledger) when the keyring rotates, or old entries stop matching.

The ledger is evidence and survives erasure (Art. 7(1), 17(3)(b), (e)): an
erasure must not call anything on it. Old evidence goes only through
:meth:`Ledger.purge_evidence`.
"""

from __future__ import annotations

import builtins
import enum
import json
import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Any, Final

import attrs

from gdprkit._errors import (
    ConsentRequired,
    LedgerError,
    Objected,
    Restricted,
    UnknownPurpose,
)
from gdprkit._util import require_aware, require_text, utc_stamp
from gdprkit.policy import CookieDeclaration, Policy, Purpose
from gdprkit.pseudonym import Pseudonymizer
from gdprkit.store import Store, StoreConnection, check_store
from gdprkit.timecalc import Period
from gdprkit.vocab import DPV, DPV_GDPR, DPV_PD, Art9Condition, LegalBasis

if TYPE_CHECKING:
    from gdprkit.audit import AuditLog
    from gdprkit.tagging import Schema

__all__ = [
    "COOKIE_PREFIX",
    "SCHEMA_VERSION",
    "ConsentEvent",
    "ConsentPurpose",
    "ConsentRecord",
    "ConsentState",
    "Ledger",
    "LedgerError",
    "Objection",
    "Restriction",
]

#: The profile consent records conform to (DPV guide to ISO/IEC TS 27560, GDPR profile).
SCHEMA_VERSION: Final = "https://w3id.org/dpv/schema/dpv-27560#record-eu-gdpr"

#: Cookie consent is granted for ``cookies.<category>`` pseudo-purposes.
COOKIE_PREFIX: Final = "cookies."

_CONTEXT: Final = {
    "dpv": DPV,
    "pd": DPV_PD,
    "eu-gdpr": DPV_GDPR,
    "legal-eu": "https://w3id.org/dpv/legal/eu#",
    "loc": "https://w3id.org/dpv/loc#",
    "dct": "http://purl.org/dc/terms/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
}

#: DPV purposes of the consent-requiring cookie categories (LEGAL.md §9.3).
_COOKIE_DPV: Final = {
    "preferences": DPV + "UserInterfacePersonalisation",
    "analytics": DPV + "ServiceUsageAnalytics",
    "marketing": DPV + "Marketing",
}

#: Runs one read statement: ``store.query`` or a transaction's ``conn.execute(...).fetchall``.
_Query = Callable[[str, Sequence[Any]], list[tuple[Any, ...]]]


def _on(conn: StoreConnection) -> _Query:
    return lambda sql, params: conn.execute(sql, tuple(params)).fetchall()


_LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{1,8})*\Z")


# --------------------------------------------------------------------------- values


class ConsentState(enum.Enum):
    """The state a consent event puts a purpose in (DPV consent status, ISO/IEC TS 27560)."""

    GIVEN = "given"
    RENEWED = "renewed"
    WITHDRAWN = "withdrawn"

    @property
    def dpv(self) -> str:
        """The DPV IRI of the state, e.g. ``https://w3id.org/dpv#ConsentGiven``."""
        return DPV + _STATE_DPV[self]

    @property
    def valid(self) -> bool:
        """Whether the state makes processing lawful (given or renewed; Art. 6(1)(a))."""
        return self is not ConsentState.WITHDRAWN


_STATE_DPV: Final = {
    ConsentState.GIVEN: "ConsentGiven",
    ConsentState.RENEWED: "RenewedConsentGiven",
    ConsentState.WITHDRAWN: "ConsentWithdrawn",
}


@attrs.frozen
class ConsentEvent:
    """One event of a consent record: state, instant, who, how, how long (Art. 7(1), 7(3)).

    ``purposes`` are the record's purposes the event covers (a withdrawal
    may cover fewer than were given); ``expires_at`` is the end of a
    validity ``duration``.
    """

    state: ConsentState
    at: datetime
    by: str
    method: str
    duration: Period | None = None
    purposes: tuple[str, ...] = ()
    expires_at: datetime | None = None


@attrs.frozen
class ConsentPurpose:
    """A purpose as the data subject was told of it when consenting (Art. 7(1), Recital 42).

    A snapshot of the policy at grant time: later policy edits do not
    rewrite what the subject agreed to.
    """

    id: str
    basis: LegalBasis
    condition: Art9Condition | None = None
    dpv: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    data_dpv: tuple[str, ...] = ()
    recipients: tuple[str, ...] = ()
    retention: str | None = None

    def _snapshot(self) -> str:
        return json.dumps(
            {
                "condition": None if self.condition is None else self.condition.value,
                "dpv": list(self.dpv),
                "categories": list(self.categories),
                "data_dpv": list(self.data_dpv),
                "recipients": list(self.recipients),
                "retention": self.retention,
            },
            sort_keys=True,
            ensure_ascii=False,
        )

    @classmethod
    def _from_row(cls, purpose: str, basis: str, snapshot: str) -> ConsentPurpose:
        data = json.loads(snapshot)
        condition = data.get("condition")
        return cls(
            id=purpose,
            basis=LegalBasis(basis),
            condition=None if condition is None else Art9Condition(condition),
            dpv=tuple(data.get("dpv", ())),
            categories=tuple(data.get("categories", ())),
            data_dpv=tuple(data.get("data_dpv", ())),
            recipients=tuple(data.get("recipients", ())),
            retention=data.get("retention"),
        )


def _compact(iri: str) -> str:
    for prefix, namespace in (("dpv", DPV), ("pd", DPV_PD), ("eu-gdpr", DPV_GDPR)):
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def _iso(at: datetime) -> str:
    return at.isoformat(timespec="seconds" if at.microsecond == 0 else "microseconds")


@attrs.frozen
class ConsentRecord:
    """Evidence of one consent: ISO/IEC TS 27560 mandatory fields and its events (Art. 7(1)).

    LEGAL.md §10.3: record id (UUID4), schema version, subject token,
    controller, purposes with their basis, notice version and language,
    jurisdiction, how it was given and by whom, how to withdraw, and the
    append-only events. :meth:`to_dpv` renders it as DPV JSON-LD.
    """

    record_id: str
    schema_version: str
    subject: str
    controller: str
    purposes: tuple[ConsentPurpose, ...]
    notice_version: str
    language: str
    jurisdiction: str
    method: str
    by: str
    withdrawal_method: str
    events: tuple[ConsentEvent, ...]
    controller_iri: str | None = None
    policy_version: str = ""

    @property
    def purpose_ids(self) -> tuple[str, ...]:
        """The ids of the purposes consented to, in the order given."""
        return tuple(p.id for p in self.purposes)

    @property
    def given_at(self) -> datetime:
        """When consent was first given."""
        return self.events[0].at

    def latest(self, purpose: str) -> ConsentEvent | None:
        """The latest event of this record that covers ``purpose``."""
        for event in reversed(self.events):
            if purpose in event.purposes:
                return event
        return None

    def to_dpv(self) -> dict[str, Any]:
        """The record as W3C DPV JSON-LD, the shape of LEGAL.md §10.1 (DPV-27560 GDPR profile).

        One purpose gives one ``dpv:hasProcess`` object, several give a list.
        Instants are shown in the time zone they were loaded in (the policy's).
        """
        controller: dict[str, Any] = (
            {"@id": self.controller_iri}
            if self.controller_iri
            else {"@type": "dpv:DataController", "dpv:hasName": self.controller}
        )
        processes = [self._process(p) for p in self.purposes]
        every = set(self.purpose_ids)
        statuses = []
        for event in self.events:
            status: dict[str, Any] = {
                "@type": _compact(event.state.dpv),
                "dpv:isIndicatedAtTime": _iso(event.at),
                "dpv:isIndicatedBy": "dpv:DataSubject" if event.by == "data_subject" else event.by,
                "dpv:hasIndicationMethod": event.method,
            }
            if event.state.valid:
                status["dpv:hasDuration"] = (
                    {"@type": "dpv:TemporalDuration", "rdf:value": str(event.duration)}
                    if event.duration is not None
                    else {"@type": "dpv:EndlessDuration"}
                )
            if set(event.purposes) != every:
                status["dct:subject"] = list(event.purposes)
            statuses.append(status)
        return {
            "@context": dict(_CONTEXT),
            "@id": f"urn:uuid:{self.record_id}",
            "@type": "dpv:ConsentRecord",
            "dct:conformsTo": {"@id": self.schema_version},
            "dct:identifier": self.record_id,
            "dpv:hasDataSubject": self.subject,
            "dpv:hasNotice": {
                "@type": "dpv:ConsentNotice",
                "dct:identifier": self.notice_version,
                "dct:language": self.language,
            },
            "dpv:hasDataController": controller,
            "dpv:hasJurisdiction": {"@id": f"loc:{self.jurisdiction}"},
            "dpv:hasApplicableLaw": {"@id": "legal-eu:law-GDPR"},
            "dpv:hasProcess": processes[0] if len(processes) == 1 else processes,
            "dpv:hasConsentStatus": statuses,
        }

    def _process(self, purpose: ConsentPurpose) -> dict[str, Any]:
        bases = [{"@id": _compact(purpose.basis.dpv_gdpr)}]
        if purpose.condition is not None:
            bases.append({"@id": _compact(purpose.condition.dpv)})
        process: dict[str, Any] = {
            "@type": "dpv:Process",
            "dct:identifier": purpose.id,
            "dpv:hasPurpose": [{"@id": _compact(iri)} for iri in purpose.dpv]
            or {"dct:identifier": purpose.id},
            "dpv:hasLegalBasis": bases[0] if len(bases) == 1 else bases,
        }
        if purpose.data_dpv:
            process["dpv:hasPersonalData"] = [
                {"@id": _compact(iri)} for iri in dict.fromkeys(purpose.data_dpv)
            ]
        if purpose.recipients:
            process["dpv:hasRecipient"] = list(purpose.recipients)
        if purpose.retention:
            process["dpv:hasStorageCondition"] = {
                "@type": "dpv:StorageDuration",
                "dct:description": purpose.retention,
            }
        process["dpv:hasConsentControl"] = {
            "@type": "dpv:WithdrawConsent",
            "dct:description": self.withdrawal_method,
        }
        return process


@attrs.frozen
class Objection:
    """An objection to processing for one purpose (Art. 21).

    ``absolute`` objections (direct marketing, Art. 21(2)-(3)) stop the
    purpose for good; others stop it until ``overridden_at``, when the
    controller recorded compelling legitimate grounds (Art. 21(1)).
    """

    purpose: str
    at: datetime
    absolute: bool
    grounds: str | None = attrs.field(default=None, repr=False)
    overridden_at: datetime | None = None
    overriding_grounds: str | None = attrs.field(default=None, repr=False)

    def effective(self, at: datetime) -> bool:
        """Whether the objection stops processing at ``at``."""
        require_aware(at, "at")
        if at < self.at:
            return False
        return self.overridden_at is None or at < self.overridden_at


@attrs.frozen
class Restriction:
    """A restriction of processing (Art. 18): only ``allowed_purposes`` besides storage.

    Art. 18(2): restricted data may be stored; any other processing needs
    the subject's consent, legal claims, another person's rights or an
    important public interest, which the controller names as allowed purposes.
    """

    allowed_purposes: frozenset[str]
    since: datetime
    reason: str
    lifted_at: datetime | None = None

    def allows(self, purpose: str) -> bool:
        """Whether ``purpose`` may still be processed under the restriction."""
        return purpose in self.allowed_purposes

    def active(self, at: datetime) -> bool:
        """Whether the restriction is in force at ``at``."""
        require_aware(at, "at")
        return self.since <= at and (self.lifted_at is None or at < self.lifted_at)


# --------------------------------------------------------------------------- input checks


def _ids(value: object, name: str) -> tuple[str, ...]:
    if isinstance(value, str | bytes):
        raise TypeError(f"{name} must be an iterable of purpose ids, not a single string")
    if not isinstance(value, Iterable):
        raise TypeError(f"{name} must be an iterable of purpose ids, got {type(value).__name__}")
    items = tuple(value)
    for item in items:
        if not isinstance(item, str) or not item:
            raise TypeError(f"{name} must hold non-empty purpose ids (str)")
    return tuple(dict.fromkeys(items))


def _duration(value: object) -> Period | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = Period.parse(value)
        except ValueError:
            raise LedgerError(
                "duration must be an ISO 8601 duration such as 'P12M' or 'P13M'"
            ) from None
    if not isinstance(value, Period):
        raise TypeError(
            f"duration must be a Period, an ISO 8601 string or None, not {type(value).__name__}"
        )
    if value.is_zero:
        raise LedgerError("duration must be longer than zero (omit it for no end)")
    return value


def _keep(value: object) -> Period:
    period = _duration(value)
    if period is None:
        raise TypeError("keep must be a Period or an ISO 8601 duration such as 'P3Y'")
    return period


# --------------------------------------------------------------------------- the ledger


class Ledger:
    """Consent, objections and restrictions of data subjects, in a store (Art. 7, 18, 21).

    It is also a :class:`~gdprkit.tagging.Guard`: pass it to
    ``project(obj, purpose, at=..., guards=[ledger])`` to refuse processing
    that is restricted, objected to, or lacks consent. Every write runs in
    one store transaction, together with its audit entry when ``audit`` is
    given (the audit log then needs a pseudonymizer; its details hold
    purpose ids only).
    """

    __slots__ = ("_audit", "_policy", "_pseudonymizer", "_store", "_tz")

    def __init__(
        self,
        store: Store,
        policy: Policy,
        *,
        pseudonymizer: Pseudonymizer,
        audit: AuditLog | None = None,
    ) -> None:
        check_store(store)
        if not isinstance(policy, Policy):
            raise TypeError(f"policy must be a Policy, got {type(policy).__name__}")
        if not isinstance(pseudonymizer, Pseudonymizer):
            raise TypeError(
                f"pseudonymizer must be a Pseudonymizer, got {type(pseudonymizer).__name__}"
            )
        self._store = store
        self._policy = policy
        self._pseudonymizer = pseudonymizer
        self._audit = audit
        self._tz: tzinfo = policy.timezone

    def __repr__(self) -> str:
        return f"<Ledger in {self._store!r} for policy {self._policy.version!r}>"

    @property
    def policy(self) -> Policy:
        """The policy whose purposes the ledger knows."""
        return self._policy

    # -- helpers -------------------------------------------------------------

    def _token(self, subject: object, name: str = "subject") -> str:
        return self._pseudonymizer.token(require_text(subject, name))

    def _at(self, value: object, name: str = "at") -> datetime:
        return require_aware(value, name)

    def _load(self, text: str) -> datetime:
        return datetime.fromisoformat(text).astimezone(self._tz)

    def _known(self) -> tuple[str, ...]:
        return (*self._policy.purposes, *self._cookie_purposes())

    def _cookie_purposes(self) -> tuple[str, ...]:
        categories = dict.fromkeys(c.purpose for c in self._policy.consent_cookies)
        return tuple(COOKIE_PREFIX + c for c in categories)

    def _purpose(self, purpose: object, name: str = "purpose") -> Purpose:
        """A policy purpose (not a cookie pseudo-purpose)."""
        pid = require_text(purpose, name)
        if pid not in self._policy.purposes:
            raise UnknownPurpose(pid, known=self._policy.purposes)
        return self._policy.purposes[pid]

    def _check_known(self, purpose: object, name: str = "purpose") -> str:
        pid = require_text(purpose, name)
        if pid not in self._policy.purposes and pid not in self._cookie_purposes():
            if pid.startswith(COOKIE_PREFIX):
                self._consent_purpose(pid)  # raises with the precise reason
            raise UnknownPurpose(pid, known=self._known())
        return pid

    def _consent_purpose(self, pid: str) -> ConsentPurpose:
        """The snapshot of a purpose one may consent to; anything else is a typed error."""
        if pid.startswith(COOKIE_PREFIX):
            category = pid[len(COOKIE_PREFIX) :]
            cookies = tuple(c for c in self._policy.cookies if c.purpose == category)
            if cookies and all(c.strictly_necessary for c in cookies):
                raise LedgerError(
                    f"purpose {pid!r}: {category} cookies need no consent "
                    "(LEK (2022:482) 9 kap. 28 § second paragraph)"
                )
            if not cookies:
                raise UnknownPurpose(pid, known=self._known())
            data = ("online.cookie_id",)
            taxonomy = self._policy.taxonomy
            return ConsentPurpose(
                id=pid,
                basis=LegalBasis.CONSENT,
                dpv=(_COOKIE_DPV[category],) if category in _COOKIE_DPV else (),
                categories=data,
                data_dpv=tuple(taxonomy[d].dpv for d in data if d in taxonomy),
                recipients=tuple(dict.fromkeys(c.provider for c in cookies if c.party == "third")),
                retention="; ".join(f"{c.name}: {c.lifetime or 'session'}" for c in cookies),
            )
        if pid not in self._policy.purposes:
            raise UnknownPurpose(pid, known=self._known())
        purpose = self._policy.purposes[pid]
        if purpose.basis is not LegalBasis.CONSENT:
            raise LedgerError(
                f"purpose {pid!r} rests on {purpose.basis.value} (Art. {purpose.basis.article}), "
                "not on consent (Art. 6(1)(a)); it cannot be consented to or withdrawn"
            )
        taxonomy = self._policy.taxonomy
        names = tuple(str(c) for c in purpose.categories)
        return ConsentPurpose(
            id=pid,
            basis=purpose.basis,
            condition=purpose.special_condition,
            dpv=purpose.dpv,
            categories=names,
            data_dpv=tuple(taxonomy[n].dpv for n in names if n in taxonomy),
            recipients=purpose.recipients,
            retention=purpose.retention_words("en"),
        )

    def _record_audit(
        self,
        action: str,
        *,
        at: datetime,
        actor: str,
        subject: str | None,
        details: Mapping[str, Any],
    ) -> None:
        if self._audit is not None:
            self._audit.record(action, at=at, actor=actor, subject=subject, details=dict(details))

    # -- consent -------------------------------------------------------------

    def grant(
        self,
        subject: str,
        purposes: Iterable[str],
        *,
        notice_version: str,
        method: str,
        at: datetime,
        language: str = "sv",
        by: str = "data_subject",
        duration: Period | str | None = None,
        withdrawal_method: str | None = None,
    ) -> ConsentRecord:
        """Record consent to ``purposes`` and return the new record (Art. 6(1)(a), 7(1)).

        Each purpose must rest on consent in the policy, or be a
        ``cookies.<category>`` pseudo-purpose for a category of declared
        cookies that needs consent (LEK 9 kap. 28 §). ``method`` says how the
        subject gave it (an affirmative act, never a pre-ticked box: Art.
        4(11), Recital 32); ``withdrawal_method`` says how to withdraw and
        defaults to the same channel (Art. 7(3)). ``duration`` bounds its
        validity (ISO/IEC TS 27560 validity duration).
        """
        when = self._at(at)
        ids = _ids(purposes, "purposes")
        if not ids:
            raise LedgerError(
                "purposes must name at least one purpose (Art. 7(2): consent is specific)"
            )
        snapshots = tuple(self._consent_purpose(pid) for pid in ids)
        notice = require_text(notice_version, "notice_version")
        how = require_text(method, "method")
        who = require_text(by, "by")
        lang = require_text(language, "language")
        if not _LANGUAGE.match(lang):
            raise ValueError("language must be a language code such as 'sv' or 'en'")
        withdrawal = (
            f"the same channel as the consent was given ({how})"
            if withdrawal_method is None
            else require_text(withdrawal_method, "withdrawal_method")
        )
        period = _duration(duration)
        token = self._token(subject)
        record_id = str(uuid.uuid4())
        controller = self._policy.controller
        with self._store.transaction() as conn:
            conn.execute(
                "INSERT INTO consent_records (record_id, subject, schema_version, controller,"
                " controller_iri, policy_version, notice_version, language, jurisdiction, method,"
                " indicated_by, withdrawal_method, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    record_id,
                    token,
                    SCHEMA_VERSION,
                    controller.name,
                    controller.iri,
                    self._policy.version,
                    notice,
                    lang,
                    self._policy.jurisdiction,
                    how,
                    who,
                    withdrawal,
                    utc_stamp(when),
                ),
            )
            conn.executemany(
                "INSERT INTO consent_record_purposes (record_id, position, purpose, basis, snapshot)"
                " VALUES (?, ?, ?, ?, ?)",
                [
                    (record_id, i, p.id, p.basis.value, p._snapshot())
                    for i, p in enumerate(snapshots)
                ],
            )
            self._append(conn, token, record_id, 1, ids, ConsentState.GIVEN, when, who, how, period)
            self._record_audit(
                "consent.given",
                at=when,
                actor=who,
                subject=subject,
                details={"purposes": list(ids)},
            )
            return self._records(_on(conn), "r.record_id = ?", (record_id,))[0]

    def renew(
        self,
        subject: str,
        purposes: Iterable[str],
        *,
        method: str,
        at: datetime,
        by: str = "data_subject",
        duration: Period | str | None = None,
    ) -> tuple[ConsentRecord, ...]:
        """Record that the subject renewed consent given earlier (DPV ``RenewedConsentGiven``).

        Renewal refreshes a consent whose validity duration runs out, as the
        DPV guide to ISO/IEC TS 27560 recommends; it needs a record whose
        latest event for the purpose is given or renewed (not withdrawn).
        """
        when = self._at(at)
        ids = _ids(purposes, "purposes")
        if not ids:
            raise LedgerError("purposes must name at least one purpose")
        for pid in ids:
            self._consent_purpose(pid)
        how = require_text(method, "method")
        who = require_text(by, "by")
        period = _duration(duration)
        token = self._token(subject)
        with self._store.transaction() as conn:
            latest = self._record_states(_on(conn), token, when)
            targets: dict[str, list[str]] = {}
            for pid in ids:
                found = [rid for (rid, p), (state, _) in latest.items() if p == pid and state.valid]
                if not found:
                    raise LedgerError(
                        f"purpose {pid!r} has no consent to renew at `at`; record a new grant instead"
                    )
                for rid in found:
                    targets.setdefault(rid, []).append(pid)
            for rid, pids in targets.items():
                self._append(
                    conn, token, rid, None, pids, ConsentState.RENEWED, when, who, how, period
                )
            self._record_audit(
                "consent.renewed",
                at=when,
                actor=who,
                subject=subject,
                details={"purposes": list(ids)},
            )
            return self._records_by_id(conn, targets)

    def withdraw(
        self,
        subject: str,
        purposes: Iterable[str] | None = None,
        *,
        method: str,
        at: datetime,
        by: str = "data_subject",
    ) -> tuple[ConsentRecord, ...]:
        """Withdraw consent in one call; ``None`` withdraws every consent active at ``at`` (Art. 7(3)).

        Processing before ``at`` stays lawful: the answer of
        :meth:`has_consent` for earlier instants does not change. Purposes
        without active consent are skipped; the records that changed are
        returned.
        """
        when = self._at(at)
        ids = None if purposes is None else _ids(purposes, "purposes")
        if ids is not None:
            for pid in ids:
                self._consent_purpose(pid)
        how = require_text(method, "method")
        who = require_text(by, "by")
        token = self._token(subject)
        with self._store.transaction() as conn:
            latest = self._record_states(_on(conn), token, when)
            # "active" means exactly what has_consent() answers: the purpose's latest event
            active = set(self._consented(token, when))
            if ids is not None:
                active &= set(ids)
            # Close every record still open for the purpose, expired ones too, so that
            # no older record can be renewed past this withdrawal.
            targets: dict[str, list[str]] = {}
            for (rid, pid), (state, _) in latest.items():
                if pid in active and state.valid:
                    targets.setdefault(rid, []).append(pid)
            for rid, pids in targets.items():
                self._append(
                    conn, token, rid, None, pids, ConsentState.WITHDRAWN, when, who, how, None
                )
            if targets:
                withdrawn = sorted({p for pids in targets.values() for p in pids})
                self._record_audit(
                    "consent.withdrawn",
                    at=when,
                    actor=who,
                    subject=subject,
                    details={"purposes": withdrawn},
                )
            return self._records_by_id(conn, targets)

    def has_consent(self, subject: str, purpose: str, at: datetime) -> bool:
        """Whether valid consent for ``purpose`` exists at ``at`` (Art. 6(1)(a), 7).

        True iff the latest event at or before ``at`` is given or renewed and
        its validity duration (if any) has not run out at ``at`` (LEGAL.md
        §10.3). A purpose that does not rest on consent has none: ``False``.
        """
        when = self._at(at)
        pid = self._check_known(purpose)
        token = self._token(subject)
        rows = self._store.query(
            "SELECT state, expires_at FROM consent_events"
            " WHERE subject = ? AND purpose = ? AND at <= ? ORDER BY at DESC, seq DESC LIMIT 1",
            (token, pid, utc_stamp(when)),
        )
        if not rows:
            return False
        state, expires = rows[0]
        return bool(ConsentState(state).valid and (expires is None or utc_stamp(when) < expires))

    def consented_purposes(self, subject: str, at: datetime) -> frozenset[str]:
        """Every purpose (and ``cookies.<category>``) with valid consent at ``at`` (Art. 7)."""
        when = self._at(at)
        return self._consented(self._token(subject), when)

    def _consented(self, token: str, when: datetime) -> frozenset[str]:
        stamp = utc_stamp(when)
        last: dict[str, tuple[str, str | None]] = {}
        for pid, state, expires in self._store.query(
            "SELECT purpose, state, expires_at FROM consent_events"
            " WHERE subject = ? AND at <= ? ORDER BY at, seq",
            (token, stamp),
        ):
            last[pid] = (state, expires)
        return frozenset(
            pid
            for pid, (state, expires) in last.items()
            if ConsentState(state).valid and (expires is None or stamp < expires)
        )

    def records(self, subject: str) -> tuple[ConsentRecord, ...]:
        """Every consent record of ``subject``, oldest first: the Art. 7(1) evidence."""
        return self._records(self._store.query, "r.subject = ?", (self._token(subject),))

    def _record_states(
        self, q: _Query, token: str, when: datetime
    ) -> dict[tuple[str, str], tuple[ConsentState, str | None]]:
        """The latest (state, expires_at) per (record, purpose) at or before ``when``."""
        latest: dict[tuple[str, str], tuple[ConsentState, str | None]] = {}
        for rid, pid, state, expires in q(
            "SELECT record_id, purpose, state, expires_at FROM consent_events"
            " WHERE subject = ? AND at <= ? ORDER BY at, seq",
            (token, utc_stamp(when)),
        ):
            latest[(rid, pid)] = (ConsentState(state), expires)
        return latest

    def _append(
        self,
        conn: StoreConnection,
        token: str,
        record_id: str,
        event_no: int | None,
        purposes: Sequence[str],
        state: ConsentState,
        when: datetime,
        by: str,
        method: str,
        duration: Period | None,
    ) -> None:
        """Append one event; refuse one dated before the last event of any of its purposes."""
        stamp = utc_stamp(when)
        for pid in purposes:
            row = conn.execute(
                "SELECT MAX(at) FROM consent_events WHERE subject = ? AND purpose = ?",
                (token, pid),
            ).fetchone()
            if row[0] is not None and row[0] > stamp:
                raise LedgerError(
                    f"at is before the last consent event for purpose {pid!r}; the ledger is "
                    "append-only in time (Art. 7(3): a withdrawal does not reach back)"
                )
        if event_no is None:
            event_no = int(
                conn.execute(
                    "SELECT COALESCE(MAX(event_no), 0) + 1 FROM consent_events WHERE record_id = ?",
                    (record_id,),
                ).fetchone()[0]
            )
        expires = None
        if duration is not None:
            expires = utc_stamp(duration.add_to(when.astimezone(self._tz)))
        conn.executemany(
            "INSERT INTO consent_events (record_id, event_no, subject, purpose, state, at,"
            " indicated_by, method, duration, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    record_id,
                    event_no,
                    token,
                    pid,
                    state.value,
                    stamp,
                    by,
                    method,
                    None if duration is None else str(duration),
                    expires,
                )
                for pid in purposes
            ],
        )

    def _records_by_id(
        self, conn: StoreConnection, ids: Iterable[str]
    ) -> tuple[ConsentRecord, ...]:
        wanted = list(ids)
        if not wanted:
            return ()
        marks = ", ".join("?" for _ in wanted)
        return self._records(_on(conn), f"r.record_id IN ({marks})", wanted)

    def _records(self, q: _Query, where: str, params: Sequence[Any]) -> tuple[ConsentRecord, ...]:
        rows = q(
            "SELECT r.record_id, r.subject, r.schema_version, r.controller, r.controller_iri,"
            " r.policy_version, r.notice_version, r.language, r.jurisdiction, r.method,"
            f" r.indicated_by, r.withdrawal_method FROM consent_records r WHERE {where}"
            " ORDER BY r.created_at, r.rowid",
            tuple(params),
        )
        records = []
        for row in rows:
            rid = row[0]
            purposes = tuple(
                ConsentPurpose._from_row(p, b, s)
                for p, b, s in q(
                    "SELECT purpose, basis, snapshot FROM consent_record_purposes"
                    " WHERE record_id = ? ORDER BY position",
                    (rid,),
                )
            )
            events: list[ConsentEvent] = []
            current: tuple[Any, ...] | None = None
            covered: list[str] = []
            for ev in q(
                "SELECT event_no, state, at, indicated_by, method, duration, expires_at, purpose"
                " FROM consent_events WHERE record_id = ? ORDER BY event_no, seq",
                (rid,),
            ):
                if current is not None and current[0] != ev[0]:
                    events.append(self._event(current, covered))
                    covered = []
                current = ev
                covered.append(ev[7])
            if current is not None:
                events.append(self._event(current, covered))
            records.append(
                ConsentRecord(
                    record_id=rid,
                    schema_version=row[2],
                    subject=row[1],
                    controller=row[3],
                    controller_iri=row[4],
                    policy_version=row[5],
                    purposes=purposes,
                    notice_version=row[6],
                    language=row[7],
                    jurisdiction=row[8],
                    method=row[9],
                    by=row[10],
                    withdrawal_method=row[11],
                    events=tuple(events),
                )
            )
        return tuple(records)

    def _event(self, row: tuple[Any, ...], purposes: Sequence[str]) -> ConsentEvent:
        _, state, at, by, method, duration, expires, _ = row
        return ConsentEvent(
            state=ConsentState(state),
            at=self._load(at),
            by=by,
            method=method,
            duration=None if duration is None else Period.parse(duration),
            purposes=tuple(purposes),
            expires_at=None if expires is None else self._load(expires),
        )

    # -- objection (Art. 21) -------------------------------------------------

    def object(
        self, subject: str, purpose: str, *, at: datetime, grounds: str | None = None
    ) -> Objection:
        """Record the subject's objection to processing for ``purpose`` (Art. 21).

        The basis must be public task or legitimate interests (Art. 21(1)),
        or the purpose direct marketing (Art. 21(2)), else
        :class:`LedgerError`. An objection to direct marketing is absolute
        from ``at`` (Art. 21(3)); any other one stops the purpose until
        :meth:`record_overriding_grounds`. While one is in force, a new one
        is not recorded again: the one in force is returned. ``grounds`` is
        the subject's "particular situation" and may hold personal data; it
        stays in the ledger with the objection.
        """
        when = self._at(at)
        p = self._purpose(purpose)
        if not (p.basis.objectable or p.direct_marketing):
            raise LedgerError(
                f"purpose {p.id!r} rests on {p.basis.value} (Art. {p.basis.article}); "
                "Art. 21 gives a right to object only to processing on Art. 6(1)(e) or (f) "
                "or for direct marketing"
            )
        why = None if grounds is None else require_text(grounds, "grounds")
        token = self._token(subject)
        stamp = utc_stamp(when)
        with self._store.transaction() as conn:
            self._after_last_objection(conn, token, p.id, stamp)
            for _, existing in self._objections(_on(conn), token, p.id):
                if existing.effective(when):
                    return existing
            conn.execute(
                "INSERT INTO objections (subject, purpose, at, absolute, grounds)"
                " VALUES (?, ?, ?, ?, ?)",
                (token, p.id, stamp, int(p.direct_marketing), why),
            )
            # Writers are serialized, so the newest id of this subject and purpose is ours.
            row_id = conn.execute(
                "SELECT MAX(id) FROM objections WHERE subject = ? AND purpose = ?",
                (token, p.id),
            ).fetchone()[0]
            self._record_audit(
                "objection.recorded",
                at=when,
                actor="data_subject",
                subject=subject,
                details={"purposes": [p.id]},
            )
            return self._objection(_on(conn), token, int(row_id))

    def record_overriding_grounds(
        self, subject: str, purpose: str, *, at: datetime, grounds: str
    ) -> Objection:
        """Record compelling legitimate grounds that override an objection (Art. 21(1)).

        Never possible for direct marketing (Art. 21(3)): :class:`LedgerError`.
        The objection in force at ``at`` stops counting from ``at``.
        """
        when = self._at(at)
        p = self._purpose(purpose)
        if p.direct_marketing:
            raise LedgerError(
                f"purpose {p.id!r} is direct marketing: an objection to it is absolute and "
                "no grounds can override it (Art. 21(3))"
            )
        why = require_text(grounds, "grounds")
        token = self._token(subject)
        stamp = utc_stamp(when)
        with self._store.transaction() as conn:
            self._after_last_objection(conn, token, p.id, stamp)
            rows = conn.execute(
                "SELECT id FROM objections WHERE subject = ? AND purpose = ? AND at <= ?"
                " AND overridden_at IS NULL ORDER BY at DESC, id DESC LIMIT 1",
                (token, p.id, stamp),
            ).fetchall()
            if not rows:
                raise LedgerError(f"no objection to purpose {p.id!r} is in force at `at`")
            conn.execute(
                "UPDATE objections SET overridden_at = ?, overriding_grounds = ? WHERE id = ?",
                (stamp, why, rows[0][0]),
            )
            self._record_audit(
                "objection.overridden",
                at=when,
                actor="controller",
                subject=subject,
                details={"purposes": [p.id]},
            )
            return self._objection(_on(conn), token, int(rows[0][0]))

    def has_objected(self, subject: str, purpose: str, at: datetime) -> bool:
        """Whether an objection to ``purpose`` stops processing at ``at`` (Art. 21(1), (3))."""
        when = self._at(at)
        p = self._purpose(purpose)
        stamp = utc_stamp(when)
        rows = self._store.query(
            "SELECT 1 FROM objections WHERE subject = ? AND purpose = ? AND at <= ?"
            " AND (overridden_at IS NULL OR overridden_at > ?) LIMIT 1",
            (self._token(subject), p.id, stamp, stamp),
        )
        return bool(rows)

    def objections(self, subject: str) -> tuple[Objection, ...]:
        """Every objection of ``subject``, oldest first."""
        return tuple(o for _, o in self._objections(self._store.query, self._token(subject)))

    def _objections(
        self, q: _Query, token: str, purpose: str | None = None
    ) -> list[tuple[int, Objection]]:
        sql = (
            "SELECT id, purpose, at, absolute, grounds, overridden_at, overriding_grounds"
            " FROM objections WHERE subject = ?"
        )
        params: tuple[str, ...] = (token,)
        if purpose is not None:
            sql += " AND purpose = ?"
            params = (token, purpose)
        return [
            (
                int(row_id),
                Objection(
                    purpose=pid,
                    at=self._load(at),
                    absolute=bool(absolute),
                    grounds=grounds,
                    overridden_at=None if over_at is None else self._load(over_at),
                    overriding_grounds=over,
                ),
            )
            for row_id, pid, at, absolute, grounds, over_at, over in q(
                sql + " ORDER BY at, id", params
            )
        ]

    def _objection(self, q: _Query, token: str, row_id: int | None) -> Objection:
        return next(o for i, o in self._objections(q, token) if i == row_id)

    def _after_last_objection(
        self, conn: StoreConnection, token: str, purpose: str, stamp: str
    ) -> None:
        row = conn.execute(
            "SELECT MAX(at), MAX(overridden_at) FROM objections WHERE subject = ? AND purpose = ?",
            (token, purpose),
        ).fetchone()
        if max((t for t in row if t is not None), default="") > stamp:
            raise LedgerError(
                f"at is before the last objection entry for purpose {purpose!r}; "
                "the ledger is append-only in time"
            )

    # -- restriction (Art. 18) -----------------------------------------------

    def restrict(
        self, subject: str, *, allowed_purposes: Iterable[str], at: datetime, reason: str
    ) -> Restriction:
        """Restrict processing of the subject's data to ``allowed_purposes`` from ``at`` (Art. 18).

        ``reason`` names the Art. 18(1) ground (e.g. "18(1)(a) accuracy
        contested"). A restriction in force is replaced (it ends at ``at``).
        """
        when = self._at(at)
        allowed = _ids(allowed_purposes, "allowed_purposes")
        for pid in allowed:
            self._purpose(pid, "allowed_purposes")
        why = require_text(reason, "reason")
        token = self._token(subject)
        stamp = utc_stamp(when)
        with self._store.transaction() as conn:
            self._after_last_restriction(conn, token, stamp)
            conn.execute(
                "UPDATE restrictions SET lifted_at = ? WHERE subject = ? AND lifted_at IS NULL",
                (stamp, token),
            )
            conn.execute(
                "INSERT INTO restrictions (subject, since, reason, allowed_purposes)"
                " VALUES (?, ?, ?, ?)",
                (token, stamp, why, json.dumps(sorted(allowed))),
            )
            self._record_audit(
                "restriction.placed",
                at=when,
                actor="controller",
                subject=subject,
                details={"purposes": sorted(allowed)},
            )
            found = self._restriction(_on(conn), token, when)
            assert found is not None
            return found

    def lift_restriction(self, subject: str, *, at: datetime) -> Restriction:
        """Lift the restriction in force at ``at`` and return it, now ending at ``at`` (Art. 18(3)).

        Art. 18(3): the subject is told before the restriction is lifted.
        No restriction in force raises :class:`LedgerError`.
        """
        when = self._at(at)
        token = self._token(subject)
        stamp = utc_stamp(when)
        with self._store.transaction() as conn:
            self._after_last_restriction(conn, token, stamp)
            current = self._restriction(_on(conn), token, when)
            if current is None:
                raise LedgerError("no restriction is in force for this subject at `at`")
            conn.execute(
                "UPDATE restrictions SET lifted_at = ? WHERE subject = ? AND lifted_at IS NULL",
                (stamp, token),
            )
            self._record_audit(
                "restriction.lifted",
                at=when,
                actor="controller",
                subject=subject,
                details={"purposes": sorted(current.allowed_purposes)},
            )
            return attrs.evolve(current, lifted_at=when)

    def restriction(self, subject: str, at: datetime) -> Restriction | None:
        """The restriction in force for ``subject`` at ``at``, if any (Art. 18)."""
        when = self._at(at)
        return self._restriction(self._store.query, self._token(subject), when)

    def _restriction(self, q: _Query, token: str, when: datetime) -> Restriction | None:
        stamp = utc_stamp(when)
        rows = q(
            "SELECT since, reason, allowed_purposes, lifted_at FROM restrictions"
            " WHERE subject = ? AND since <= ? AND (lifted_at IS NULL OR lifted_at > ?)"
            " ORDER BY since DESC, id DESC LIMIT 1",
            (token, stamp, stamp),
        )
        if not rows:
            return None
        since, reason, allowed, lifted = rows[0]
        return Restriction(
            allowed_purposes=frozenset(json.loads(allowed)),
            since=self._load(since),
            reason=reason,
            lifted_at=None if lifted is None else self._load(lifted),
        )

    def _after_last_restriction(self, conn: StoreConnection, token: str, stamp: str) -> None:
        row = conn.execute(
            "SELECT MAX(since), MAX(lifted_at) FROM restrictions WHERE subject = ?", (token,)
        ).fetchone()
        if max((t for t in row if t is not None), default="") > stamp:
            raise LedgerError(
                "at is before the last restriction entry of this subject; "
                "the ledger is append-only in time"
            )

    # -- the guard -----------------------------------------------------------

    def check(
        self, obj: builtins.object, schema: Schema, purpose: str, at: datetime | None
    ) -> None:
        """Refuse processing ``obj`` for ``purpose`` at ``at``: restricted, objected, or no consent.

        The :class:`~gdprkit.tagging.Guard` that ``project()`` calls. In order:
        :class:`~gdprkit.Restricted` when a restriction is in force and does
        not allow the purpose (Art. 18(2)); :class:`~gdprkit.Objected` when
        an objection is in force (Art. 21); :class:`~gdprkit.ConsentRequired`
        when the purpose rests on consent and there is none (Art. 6(1)(a)).
        """
        if at is None:
            # as things stand: every recorded restriction and objection counts, and a
            # consent only if it cannot run out (one that can needs an instant)
            self._check_as_it_stands(obj, schema, purpose)
            return
        when = self._at(at)
        p = self._purpose(purpose)
        subject = schema.subject_id(obj)
        if subject is None:
            raise LedgerError(
                f"{schema.name} names no subject id field; declare id_field= or an identifying "
                "field so the ledger can tell whose data it is"
            )
        token = self._token(subject)
        current = self._restriction(self._store.query, token, when)
        if current is not None and not current.allows(p.id):
            raise Restricted(
                f"processing for purpose {p.id!r} is restricted (Art. 18(2)); "
                f"allowed: {', '.join(sorted(current.allowed_purposes)) or 'storage only'}"
            )
        if self.has_objected(subject, p.id, when):
            article = "21(3)" if p.direct_marketing else "21(1)"
            raise Objected(
                f"the data subject objected to processing for purpose {p.id!r} (Art. {article})"
            )
        if p.basis is LegalBasis.CONSENT and not self.has_consent(subject, p.id, when):
            raise ConsentRequired(
                f"purpose {p.id!r} rests on consent and no valid consent exists at `at` "
                "(Art. 6(1)(a), 7)"
            )

    def _check_as_it_stands(self, obj: builtins.object, schema: Schema, purpose: str) -> None:
        p = self._purpose(purpose)
        subject = schema.subject_id(obj)
        if p.basis is LegalBasis.CONSENT and subject is not None:
            rows = self._store.query(
                "SELECT state, expires_at FROM consent_events WHERE subject = ? AND purpose = ?"
                " ORDER BY at DESC, seq DESC LIMIT 1",
                (self._token(subject), p.id),
            )
            if rows and ConsentState(rows[0][0]).valid and rows[0][1] is not None:
                raise TypeError(
                    f"consent for purpose {p.id!r} has a validity period: pass at= to project()"
                )
        self.check(obj, schema, purpose, self._latest_instant())

    def _latest_instant(self) -> datetime:
        """The newest instant any ledger entry speaks of: "as things stand" means then."""
        stamps = [
            row[0]
            for table, column in (
                ("consent_events", "at"),
                ("objections", "at"),
                ("objections", "overridden_at"),
                ("restrictions", "since"),
                ("restrictions", "lifted_at"),
            )
            for row in self._store.query(f"SELECT MAX({column}) FROM {table}")
            if row[0] is not None
        ]
        return datetime.fromisoformat(max(stamps)) if stamps else datetime(1970, 1, 1, tzinfo=UTC)

    def inactive_purposes(self, subject: str, at: datetime) -> frozenset[str]:
        """The policy purposes that no longer justify processing or keeping the data at ``at``.

        Purposes with an objection in force (Art. 17(1)(c), 21) and purposes
        resting on consent without valid consent (Art. 17(1)(b)). Retention
        drops these; a restriction is not among them (Art. 18(2) allows storage).
        """
        when = self._at(at)
        token = self._token(subject)
        consented = self._consented(token, when)
        stamp = utc_stamp(when)
        objected = {
            row[0]
            for row in self._store.query(
                "SELECT DISTINCT purpose FROM objections WHERE subject = ? AND at <= ?"
                " AND (overridden_at IS NULL OR overridden_at > ?)",
                (token, stamp, stamp),
            )
        }
        return frozenset(
            pid
            for pid, p in self._policy.purposes.items()
            if pid in objected or (p.basis is LegalBasis.CONSENT and pid not in consented)
        )

    # -- cookies (LEK 9 kap. 28 §) ------------------------------------------

    def allowed_cookies(
        self, subject_or_browser_id: str, at: datetime
    ) -> tuple[CookieDeclaration, ...]:
        """The declared cookies that may be set or read at ``at`` (LEK (2022:482) 9 kap. 28 §).

        Transmission and strictly necessary cookies always; every other one
        only with consent active at ``at`` for ``cookies.<its category>`` (or
        for the policy purpose it names as ``consent_purpose``), in policy order.
        """
        when = self._at(at)
        consented = self._consented(
            self._token(subject_or_browser_id, "subject_or_browser_id"), when
        )
        return tuple(
            c
            for c in self._policy.cookies
            if c.strictly_necessary
            or COOKIE_PREFIX + c.purpose in consented
            or (c.consent_purpose is not None and c.consent_purpose in consented)
        )

    # -- evidence retention --------------------------------------------------

    def purge_evidence(self, now: datetime, keep: Period | str | None = None) -> int:
        """Delete consent records that ended more than ``keep`` before ``now``; return how many.

        ``keep`` defaults to the policy's ``[rights] consent_evidence_retention``;
        with neither, nothing is purged on a guess (a typed error says so).

        A record ends when every purpose in it was withdrawn or its validity
        ran out; one with a purpose still open is kept. Consent records are
        the controller's evidence (Art. 7(1)) and may be needed for legal
        claims (Art. 17(3)(e)), so an erasure of the subject must not touch
        the ledger: this is the only way records leave it. Objections and
        restrictions are kept, as they must keep being honoured.
        """
        when = self._at(now, "now")
        if keep is None:
            keep = self._policy.consent_evidence_retention
            if keep is None:
                raise LedgerError(
                    "no keep= given and the policy declares no consent_evidence_retention"
                )
        period = _keep(keep)
        stamp = utc_stamp(when)
        with self._store.transaction() as conn:
            ended = conn.execute(
                """
                WITH last AS (
                    SELECT record_id, state, at, expires_at,
                           ROW_NUMBER() OVER (
                               PARTITION BY record_id, purpose ORDER BY event_no DESC, seq DESC
                           ) AS rn
                    FROM consent_events
                )
                SELECT record_id,
                       MAX(CASE WHEN state = 'withdrawn' THEN at ELSE expires_at END),
                       SUM(CASE WHEN state <> 'withdrawn' AND expires_at IS NULL THEN 1 ELSE 0 END)
                FROM last WHERE rn = 1 GROUP BY record_id
                """
            ).fetchall()
            doomed = [
                rid
                for rid, end, still_open in ended
                if not still_open
                and end <= stamp
                and utc_stamp(period.add_to(self._load(end))) <= stamp
            ]
            for rid in doomed:
                conn.execute("DELETE FROM consent_records WHERE record_id = ?", (rid,))
            if doomed:
                self._record_audit(
                    "consent.evidence_purged",
                    at=when,
                    actor="controller",
                    subject=None,
                    details={"records": len(doomed), "keep": str(period)},
                )
        if doomed:
            self._store.checkpoint()
        return len(doomed)
