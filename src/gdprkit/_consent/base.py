"""What every part of the ledger shares: its state, subjects as tokens, purposes, reads, audit.

:class:`~gdprkit.consent.Ledger` is one class built from parts, one per
right it keeps (consent, objections, restrictions), plus the ``project()``
guard and evidence retention. Each part is a mixin on :class:`LedgerBase`,
which holds the store, policy, pseudonymizer, audit log and time zone and
the helpers the parts use; the input checks shared by several parts live
here too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from gdprkit._consent.cookies import (
    COOKIE_PREFIX,
    cookie_consent_purpose,
    cookie_purposes,
    known_purposes,
)
from gdprkit._consent.records import ConsentPurpose
from gdprkit._errors import LedgerError, UnknownPurpose
from gdprkit._util import require_aware, require_text
from gdprkit.store._decode import stored_time
from gdprkit.timecalc import Period
from gdprkit.vocab import Art9Condition, LegalBasis

if TYPE_CHECKING:
    from gdprkit.audit import AuditLog
    from gdprkit.policy import Policy, Purpose
    from gdprkit.pseudonym import Pseudonymizer
    from gdprkit.store import Store, StoreConnection

#: Runs one read statement: ``store.query`` or a transaction's ``conn.execute(...).fetchall``.
Query = Callable[[str, Sequence[Any]], list[tuple[Any, ...]]]


def on(conn: StoreConnection) -> Query:
    """A :data:`Query` that reads inside the transaction ``conn``, so it sees its own writes."""
    return lambda sql, params: conn.execute(sql, tuple(params)).fetchall()


def purpose_ids(value: object, name: str) -> tuple[str, ...]:
    """The purpose ids of an iterable, duplicates dropped; a single string is refused."""
    if isinstance(value, str | bytes):
        raise TypeError(f"{name} must be an iterable of purpose ids, not a single string")
    if not isinstance(value, Iterable):
        raise TypeError(f"{name} must be an iterable of purpose ids, got {type(value).__name__}")
    items = tuple(value)
    for item in items:
        if not isinstance(item, str) or not item:
            raise TypeError(f"{name} must hold non-empty purpose ids (str)")
    return tuple(dict.fromkeys(items))


def duration_of(value: object) -> Period | None:
    """A validity duration: a :class:`Period`, an ISO 8601 string, or ``None`` for no end."""
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


class LedgerBase:
    """The state the ledger's parts share, and the helpers they all use.

    Subjects are kept only as tokens of the ledger's pseudonymizer; instants
    are stored as UTC text and loaded back in the policy's time zone.
    """

    __slots__ = ("_audit", "_policy", "_pseudonymizer", "_store", "_tz")

    _audit: AuditLog | None
    _policy: Policy
    _pseudonymizer: Pseudonymizer
    _store: Store
    _tz: tzinfo

    def _token(self, subject: object, name: str = "subject") -> str:
        return self._pseudonymizer.token(require_text(subject, name))

    def _at(self, value: object, name: str = "at") -> datetime:
        return require_aware(value, name)

    def _load(self, value: object, table: str, column: str, row: object = None) -> datetime:
        """A stored instant, in the policy's time zone; a changed row is a StoredRowError."""
        return stored_time(value, self._tz, table, column, row)

    def _purpose(self, purpose: object, name: str = "purpose") -> Purpose:
        """A policy purpose (not a cookie pseudo-purpose)."""
        pid = require_text(purpose, name)
        if pid not in self._policy.purposes:
            raise UnknownPurpose(pid, known=self._policy.purposes)
        return self._policy.purposes[pid]

    def _check_known(self, purpose: object, name: str = "purpose") -> str:
        pid = require_text(purpose, name)
        if pid not in self._policy.purposes and pid not in cookie_purposes(self._policy):
            if pid.startswith(COOKIE_PREFIX):
                self._consent_purpose(pid)  # raises with the precise reason
            raise UnknownPurpose(pid, known=known_purposes(self._policy))
        return pid

    def _consent_purpose(self, pid: str) -> ConsentPurpose:
        """The snapshot of a purpose one may consent to; anything else is a typed error."""
        if pid.startswith(COOKIE_PREFIX):
            return cookie_consent_purpose(self._policy, pid)
        if pid not in self._policy.purposes:
            raise UnknownPurpose(pid, known=known_purposes(self._policy))
        purpose = self._policy.purposes[pid]
        # Explicit consent to special-category data (Art. 9(2)(a)) is consent too, whatever
        # the purpose's Art. 6 basis: the guard checks it, so the ledger must record it.
        explicit = purpose.special_condition is Art9Condition.EXPLICIT_CONSENT
        if purpose.basis is not LegalBasis.CONSENT and not explicit:
            raise LedgerError(
                f"purpose {pid!r} rests on {purpose.basis.value} (Art. {purpose.basis.article}), "
                "not on consent (Art. 6(1)(a)), and its special_condition is not explicit consent "
                "(Art. 9(2)(a)); it cannot be consented to or withdrawn"
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
        self, action: str, at: datetime, actor: str, subject: str | None, **details: Any
    ) -> None:
        """Audit a change with the write it belongs to; ``details`` hold purpose ids or counts only."""
        facts = ", ".join(f"{k}={v}" for k, v in details.items())
        logging.getLogger("gdprkit.consent").info("%s: %s", action, facts)
        if self._audit is not None:
            self._audit.record(action, at=at, actor=actor, subject=subject, details=details)
