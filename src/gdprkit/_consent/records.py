"""Consent records: states, events, the purposes consented to, and their DPV form (Art. 7(1)).

A :class:`ConsentRecord` is the evidence of one consent, shaped after
ISO/IEC TS 27560 and rendered as W3C DPV JSON-LD by :meth:`ConsentRecord.to_dpv`.
"""

from __future__ import annotations

import enum
import json
from datetime import datetime
from typing import Any, Final

import attrs

from gdprkit._consent.indication import IndicationMethod
from gdprkit.store._decode import stored_enum, stored_json, stored_value
from gdprkit.timecalc import Period
from gdprkit.vocab import DPV, DPV_GDPR, DPV_PD, Art9Condition, LegalBasis

#: The profile consent records conform to (DPV guide to ISO/IEC TS 27560, GDPR profile).
SCHEMA_VERSION: Final = "https://w3id.org/dpv/schema/dpv-27560#record-eu-gdpr"

#: The table of the purposes a consent record covers, as errors about its rows name it.
_PURPOSES: Final = "consent_record_purposes"

_CONTEXT: Final = {
    "dpv": DPV,
    "pd": DPV_PD,
    "eu-gdpr": DPV_GDPR,
    "legal-eu": "https://w3id.org/dpv/legal/eu#",
    "loc": "https://w3id.org/dpv/loc#",
    "dct": "http://purl.org/dc/terms/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
}


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


class ConsentStatus(enum.Enum):
    """Where consent to a purpose stands at an instant (DPV consent status, LEGAL.md §10.1).

    Not an event, as :class:`ConsentState` is, but what the events up to an
    instant add up to: the latest one given or renewed and its validity
    duration not run out (``GIVEN``, the one status that makes processing
    lawful, Art. 6(1)(a)), run out (``EXPIRED``), withdrawn (``WITHDRAWN``,
    Art. 7(3)), or no event at all (``NEVER_GIVEN``).
    """

    GIVEN = "given"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    NEVER_GIVEN = "never_given"

    @property
    def valid(self) -> bool:
        """Whether processing on consent is lawful in this status (only ``GIVEN``)."""
        return self is ConsentStatus.GIVEN

    @property
    def dpv(self) -> str:
        """The DPV IRI; never given is ``dpv:ConsentUnknown``, as the ledger holds nothing."""
        return DPV + _STATUS_DPV[self]

    @classmethod
    def of(cls, state: ConsentState | None, expires_at: str | None, stamp: str) -> ConsentStatus:
        """The status at the instant ``stamp`` given the latest event's state and expiry (UTC text)."""
        if state is None:
            return cls.NEVER_GIVEN
        if not state.valid:
            return cls.WITHDRAWN
        return cls.GIVEN if expires_at is None or stamp < expires_at else cls.EXPIRED


_STATUS_DPV: Final = {
    ConsentStatus.GIVEN: "ConsentGiven",
    ConsentStatus.WITHDRAWN: "ConsentWithdrawn",
    ConsentStatus.EXPIRED: "ConsentExpired",
    ConsentStatus.NEVER_GIVEN: "ConsentUnknown",
}


@attrs.frozen
class ConsentEvent:
    """One event of a consent record: state, instant, who, how, how long (Art. 7(1), 7(3)).

    ``purposes`` are the record's purposes the event covers (a withdrawal
    may cover fewer than were given); ``expires_at`` is the end of a
    validity ``duration``; ``indication`` is how a grant or renewal was
    indicated (``None`` for a withdrawal, and where it was not stated).
    """

    state: ConsentState
    at: datetime
    by: str
    method: str
    duration: Period | None = None
    purposes: tuple[str, ...] = ()
    expires_at: datetime | None = None
    indication: IndicationMethod | None = None


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
    def _from_row(
        cls, purpose: str, basis: object, snapshot: object, record: str
    ) -> ConsentPurpose:
        """A purpose as ``consent_record_purposes`` keeps it for ``record``; checked as read."""
        data: dict[str, Any] = stored_json(snapshot, dict, _PURPOSES, "snapshot", record)

        def texts(key: str) -> tuple[str, ...]:
            items = data.get(key, [])
            if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
                raise TypeError(key)
            return tuple(items)

        def read() -> ConsentPurpose:
            condition, retention = data.get("condition"), data.get("retention")
            if not isinstance(retention, str | None):
                raise TypeError("retention")
            return cls(
                id=purpose,
                basis=stored_enum(LegalBasis, basis, _PURPOSES, "basis", record),
                condition=None if condition is None else Art9Condition(condition),
                dpv=texts("dpv"),
                categories=texts("categories"),
                data_dpv=texts("data_dpv"),
                recipients=texts("recipients"),
                retention=retention,
            )

        return stored_value(read, "a purpose snapshot", _PURPOSES, "snapshot", record)


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
    jurisdiction, how it was given (``indication``, and ``method`` in words)
    and by whom, how to withdraw, and the append-only events. :meth:`to_dpv`
    renders it as DPV JSON-LD.
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
    indication: IndicationMethod | None = None

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
