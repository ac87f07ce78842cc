"""Consent: grant, renew, withdraw, and whether it holds at an instant (Art. 6(1)(a), 7).

Consent is specific (Art. 7(2)), given by an affirmative act (Art. 4(11)),
as easy to withdraw as to give (Art. 7(3)), and a withdrawal reaches
forward only: what was lawful before it stays lawful. Cookie consent (LEK
9 kap. 28 §) is consent to ``cookies.<category>`` pseudo-purposes, so it is
answered here too.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from gdprkit._consent import cookies
from gdprkit._consent.base import duration_of, on, purpose_ids
from gdprkit._consent.history import ConsentHistory
from gdprkit._consent.indication import IndicationMethod, checked_indication
from gdprkit._consent.records import (
    SCHEMA_VERSION,
    ConsentPurpose,
    ConsentRecord,
    ConsentState,
    ConsentStatus,
)
from gdprkit._errors import LedgerError
from gdprkit._util import require_text, utc_stamp

if TYPE_CHECKING:
    from gdprkit.policy import CookieDeclaration
    from gdprkit.store import StoreConnection
    from gdprkit.timecalc import Period

_LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{1,8})*\Z")


def _language(value: object) -> str:
    """The language of the notice, as a code such as ``sv`` or ``en``."""
    lang = require_text(value, "language")
    if not _LANGUAGE.match(lang):
        raise ValueError("language must be a language code such as 'sv' or 'en'")
    return lang


def _withdrawal_method(value: object, method: str) -> str:
    """How to withdraw: as given, else the channel consent came by (Art. 7(3): as easy)."""
    if value is None:
        return f"the same channel as the consent was given ({method})"
    return require_text(value, "withdrawal_method")


class Consents(ConsentHistory):
    """The consent part of the ledger (Art. 6(1)(a), 7), cookie consent included."""

    __slots__ = ()

    def grant(
        self,
        subject: str,
        purposes: Iterable[str],
        *,
        notice_version: str,
        method: str,
        at: datetime,
        indication: IndicationMethod | None = None,
        language: str = "sv",
        by: str = "data_subject",
        duration: Period | str | None = None,
        withdrawal_method: str | None = None,
    ) -> ConsentRecord:
        """Record consent to ``purposes`` and return the new record (Art. 6(1)(a), 7(1)).

        Each purpose must rest on consent in the policy, or name explicit
        consent as its Art. 9(2) condition (``special_condition = "9(2)(a)"``:
        explicit consent to special-category data, Art. 9(2)(a), whatever the
        Art. 6 basis), or be a ``cookies.<category>`` pseudo-purpose for a category of declared
        cookies that needs consent (LEK 9 kap. 28 §). ``indication`` says
        how the subject gave it, ``method`` the same in words. An indication
        that is no statement or clear affirmative action (a pre-ticked box,
        silence, inactivity, going on using the service) raises
        :class:`~gdprkit.InvalidConsent` and records nothing (Art. 4(11),
        Recital 32; CJEU C-673/17 *Planet49*). Without ``indication`` the
        words of ``method`` are checked for the same (e.g. "pre-ticked box",
        "förkryssad ruta", "continued browsing") and the grant is recorded
        with ``indication=None``. ``withdrawal_method`` says how to withdraw and
        defaults to the same channel (Art. 7(3)). ``duration`` bounds its
        validity (ISO/IEC TS 27560 validity duration).
        """
        when = self._at(at)
        how = require_text(method, "method")
        stated = checked_indication(indication, how)
        ids = purpose_ids(purposes, "purposes")
        if not ids:
            raise LedgerError(
                "purposes must name at least one purpose (Art. 7(2): consent is specific)"
            )
        snapshots = tuple(self._consent_purpose(pid) for pid in ids)
        notice = require_text(notice_version, "notice_version")
        who = require_text(by, "by")
        lang = _language(language)
        withdrawal = _withdrawal_method(withdrawal_method, how)
        period = duration_of(duration)
        token = self._token(subject)
        record_id = str(uuid.uuid4())
        with self._store.transaction() as conn:
            self._insert_record(
                conn, record_id, token, snapshots, at=when, notice_version=notice, language=lang,
                method=how, by=who, withdrawal_method=withdrawal, indication=stated,
            )  # fmt: skip
            self._append(
                conn, token, record_id, 1, ids, ConsentState.GIVEN, when, who, how, period, stated
            )
            self._record_audit("consent.given", when, who, subject, purposes=list(ids))
            return self._records(on(conn), "r.record_id = ?", (record_id,))[0]

    def _insert_record(
        self,
        conn: StoreConnection,
        record_id: str,
        token: str,
        snapshots: Sequence[ConsentPurpose],
        *,
        at: datetime,
        notice_version: str,
        language: str,
        method: str,
        by: str,
        withdrawal_method: str,
        indication: IndicationMethod | None,
    ) -> None:
        """Write a new record's mandatory fields and its purpose snapshots (ISO/IEC TS 27560)."""
        controller = self._policy.controller
        conn.execute(
            "INSERT INTO consent_records (record_id, subject, schema_version, controller,"
            " controller_iri, policy_version, notice_version, language, jurisdiction, method,"
            " indicated_by, withdrawal_method, created_at, indication)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                record_id,
                token,
                SCHEMA_VERSION,
                controller.name,
                controller.iri,
                self._policy.version,
                notice_version,
                language,
                self._policy.jurisdiction,
                method,
                by,
                withdrawal_method,
                utc_stamp(at),
                None if indication is None else indication.value,
            ),
        )
        conn.executemany(
            "INSERT INTO consent_record_purposes (record_id, position, purpose, basis, snapshot)"
            " VALUES (?, ?, ?, ?, ?)",
            [(record_id, i, p.id, p.basis.value, p._snapshot()) for i, p in enumerate(snapshots)],
        )

    def renew(
        self,
        subject: str,
        purposes: Iterable[str],
        *,
        method: str,
        at: datetime,
        indication: IndicationMethod | None = None,
        by: str = "data_subject",
        duration: Period | str | None = None,
    ) -> tuple[ConsentRecord, ...]:
        """Record that the subject renewed consent given earlier (DPV ``RenewedConsentGiven``).

        Renewal refreshes a consent whose validity duration runs out, as the
        DPV guide to ISO/IEC TS 27560 recommends; it needs a record whose
        latest event for the purpose is given or renewed (not withdrawn).
        A renewal is consent given again, so ``indication`` is checked as for
        :meth:`grant` (Art. 4(11), Recital 32).
        """
        when = self._at(at)
        how = require_text(method, "method")
        stated = checked_indication(indication, how)
        ids = purpose_ids(purposes, "purposes")
        if not ids:
            raise LedgerError("purposes must name at least one purpose")
        for pid in ids:
            self._consent_purpose(pid)
        who = require_text(by, "by")
        period = duration_of(duration)
        token = self._token(subject)
        with self._store.transaction() as conn:
            latest = self._record_states(on(conn), token, when)
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
                    conn, token, rid, None, pids, ConsentState.RENEWED, when, who, how, period,
                    stated,
                )  # fmt: skip
            self._record_audit("consent.renewed", when, who, subject, purposes=list(ids))
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
        ids = None if purposes is None else purpose_ids(purposes, "purposes")
        if ids is not None:
            for pid in ids:
                self._consent_purpose(pid)
        how = require_text(method, "method")
        who = require_text(by, "by")
        token = self._token(subject)
        with self._store.transaction() as conn:
            latest = self._record_states(on(conn), token, when)
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
                self._record_audit("consent.withdrawn", when, who, subject, purposes=withdrawn)
            return self._records_by_id(conn, targets)

    def has_consent(self, subject: str, purpose: str, at: datetime) -> bool:
        """Whether valid consent for ``purpose`` exists at ``at`` (Art. 6(1)(a), 7).

        True iff the latest event at or before ``at`` is given or renewed and
        its validity duration (if any) has not run out at ``at`` (LEGAL.md
        §10.3): :meth:`consent_status` is ``GIVEN``. A purpose that does not
        rest on consent has none: ``False``.
        """
        return self.consent_status(subject, purpose, at) is ConsentStatus.GIVEN

    def consent_status(self, subject: str, purpose: str, at: datetime) -> ConsentStatus:
        """Where consent for ``purpose`` stands at ``at``: given, withdrawn, expired, never given.

        As :meth:`has_consent`, but saying why there is none: withdrawn (Art.
        7(3)), its validity duration run out (ISO/IEC TS 27560; the DPV guide
        says to ask the subject to renew it), or never given. A purpose that
        does not rest on consent was never given consent.
        """
        when = self._at(at)
        pid = self._check_known(purpose)
        return self._status(self._token(subject), pid, when)

    def consented_purposes(self, subject: str, at: datetime) -> frozenset[str]:
        """Every purpose (and ``cookies.<category>``) with valid consent at ``at`` (Art. 7)."""
        when = self._at(at)
        return self._consented(self._token(subject), when)

    def records(self, subject: str) -> tuple[ConsentRecord, ...]:
        """Every consent record of ``subject``, oldest first: the Art. 7(1) evidence."""
        return self._records(self._store.query, "r.subject = ?", (self._token(subject),))

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
        return cookies.allowed_cookies(self._policy, consented)
