"""Objections to processing (Art. 21) as decisions: pending assessment, then overridden or upheld.

An objection to direct marketing is absolute: upheld from the moment it is
recorded, never overridden (Art. 21(2)-(3)). Any other objection, to
processing on public task or legitimate interests (Art. 6(1)(e), (f)), is
pending assessment from the moment it is recorded: processing for the
purpose is restricted meanwhile (Art. 18(1)(d)), yet the data is not
erasable on it, since Art. 17(1)(c) needs "no overriding legitimate
grounds". The controller ends the assessment either by recording compelling
legitimate grounds (Art. 21(1): processing resumes, the grounds kept as
evidence) or by upholding the objection (processing stops for good, and
erasure under Art. 17(1)(c) becomes available).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Final

import attrs

from gdprkit._consent.base import LedgerBase, Query, on
from gdprkit._errors import LedgerError
from gdprkit._util import require_aware, require_text, utc_stamp
from gdprkit.store._decode import stored_flag

if TYPE_CHECKING:
    from gdprkit.policy import Purpose
    from gdprkit.store import StoreConnection

_TABLE: Final = "objections"
_COLUMNS: Final = (
    "id, purpose, at, absolute, grounds, overridden_at, overriding_grounds, upheld_at,"
    " upholding_reason"
)


class ObjectionState(enum.Enum):
    """Where an objection stands (Art. 21; 18(1)(d); 17(1)(c))."""

    #: Recorded; the controller is weighing its grounds. Processing is restricted (Art. 18(1)(d)).
    PENDING_ASSESSMENT = "pending_assessment"
    #: Compelling legitimate grounds override it (Art. 21(1)): processing resumes.
    OVERRIDDEN = "overridden"
    #: Upheld, or absolute (direct marketing, Art. 21(3)): processing stops for good.
    UPHELD = "upheld"

    @property
    def stops_processing(self) -> bool:
        """Whether processing for the purpose must stop (pending: restricted; upheld: for good)."""
        return self is not ObjectionState.OVERRIDDEN

    @property
    def erasable(self) -> bool:
        """Whether the purpose no longer justifies keeping the data (Art. 17(1)(c)): only upheld."""
        return self is ObjectionState.UPHELD


@attrs.frozen
class Objection:
    """An objection to processing for one purpose, and the controller's decision on it (Art. 21).

    ``absolute`` objections (direct marketing, Art. 21(2)-(3)) are upheld
    from ``at``. Others are pending assessment until ``overridden_at``, when
    the controller recorded compelling legitimate grounds, or ``upheld_at``,
    when it upheld the objection (Art. 21(1)). The subject's ``grounds``,
    the ``overriding_grounds`` and the ``upholding_reason`` are evidence and
    stay out of the repr.
    """

    purpose: str
    at: datetime
    absolute: bool
    grounds: str | None = attrs.field(default=None, repr=False)
    overridden_at: datetime | None = None
    overriding_grounds: str | None = attrs.field(default=None, repr=False)
    upheld_at: datetime | None = None
    upholding_reason: str | None = attrs.field(default=None, repr=False)

    def state(self, at: datetime) -> ObjectionState | None:
        """Where the objection stands at ``at`` (``None`` before it was recorded)."""
        require_aware(at, "at")
        if at < self.at:
            return None
        if self.absolute:
            return ObjectionState.UPHELD
        if self.overridden_at is not None and self.overridden_at <= at:
            return ObjectionState.OVERRIDDEN
        if self.upheld_at is not None and self.upheld_at <= at:
            return ObjectionState.UPHELD
        return ObjectionState.PENDING_ASSESSMENT

    def effective(self, at: datetime) -> bool:
        """Whether the objection stops processing at ``at`` (pending assessment or upheld)."""
        state = self.state(at)
        return state is not None and state.stops_processing


class Objections(LedgerBase):
    """The objection part of the ledger (Art. 21)."""

    __slots__ = ()

    def object(
        self, subject: str, purpose: str, *, at: datetime, grounds: str | None = None
    ) -> Objection:
        """Record the subject's objection to processing for ``purpose`` (Art. 21).

        The basis must be public task or legitimate interests (Art. 21(1)),
        or the purpose direct marketing (Art. 21(2)), else
        :class:`LedgerError`. An objection to direct marketing is upheld
        from ``at`` (Art. 21(3)); any other one is pending assessment until
        :meth:`record_overriding_grounds` or :meth:`uphold_objection`.
        While one stops processing, a new one is not recorded again: that
        one is returned. ``grounds`` is the subject's "particular situation"
        and may hold personal data; it stays in the ledger with the objection.
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
            for _, existing in self._objections(on(conn), token, p.id):
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
            self._record_audit("objection.recorded", when, "data_subject", subject, purposes=[p.id])
            return self._objection(on(conn), token, int(row_id))

    def record_overriding_grounds(
        self, subject: str, purpose: str, *, at: datetime, grounds: str
    ) -> Objection:
        """End the assessment: compelling legitimate grounds override the objection (Art. 21(1)).

        Processing for the purpose resumes from ``at``; ``grounds`` are kept as
        the evidence the controller must be able to show. Never possible for
        direct marketing (Art. 21(3)), nor for an objection already upheld
        or overridden: :class:`LedgerError`.
        """
        why = require_text(grounds, "grounds")
        return self._decide(subject, purpose, at, "overridden_at", "overriding_grounds", why)

    def uphold_objection(
        self, subject: str, purpose: str, *, at: datetime, reason: str
    ) -> Objection:
        """End the assessment: the objection is upheld and processing stops for good (Art. 21(1)).

        From ``at`` the purpose no longer justifies keeping the data, so it is
        among :meth:`inactive_purposes` and erasure under Art. 17(1)(c) is
        available. ``reason`` records why the controller's grounds did not
        override the subject's. An objection to direct marketing needs no
        assessment (it is upheld when recorded, Art. 21(3)); one already
        decided cannot be decided again: :class:`LedgerError`.
        """
        why = require_text(reason, "reason")
        return self._decide(subject, purpose, at, "upheld_at", "upholding_reason", why)

    def has_objected(self, subject: str, purpose: str, at: datetime) -> bool:
        """Whether an objection to ``purpose`` stops processing at ``at`` (pending or upheld)."""
        state = self.objection_state(subject, purpose, at)
        return state is not None and state.stops_processing

    def objection_state(self, subject: str, purpose: str, at: datetime) -> ObjectionState | None:
        """Where the latest objection to ``purpose`` recorded by ``at`` stands then, if any (Art. 21)."""
        when = self._at(at)
        p = self._purpose(purpose)
        return self._objection_state(self._store.query, self._token(subject), p.id, when)

    def objections(self, subject: str) -> tuple[Objection, ...]:
        """Every objection of ``subject``, oldest first."""
        return tuple(o for _, o in self._objections(self._store.query, self._token(subject)))

    def _objection_state(
        self, q: Query, token: str, purpose: str, when: datetime
    ) -> ObjectionState | None:
        recorded = [o for _, o in self._objections(q, token, purpose) if o.at <= when]
        return recorded[-1].state(when) if recorded else None

    def _decide(
        self, subject: str, purpose: str, at: datetime, column: str, text_column: str, text: str
    ) -> Objection:
        """Record the controller's decision on the objection pending assessment at ``at``."""
        when = self._at(at)
        p = self._purpose(purpose)
        _assessable(p)
        token, stamp = self._token(subject), utc_stamp(when)
        with self._store.transaction() as conn:
            self._after_last_objection(conn, token, p.id, stamp)
            row_id = self._pending(on(conn), token, p.id, when)
            conn.execute(
                f"UPDATE objections SET {column} = ?, {text_column} = ? WHERE id = ?",
                (stamp, text, row_id),
            )
            action = "objection.overridden" if column == "overridden_at" else "objection.upheld"
            self._record_audit(action, when, "controller", subject, purposes=[p.id])
            return self._objection(on(conn), token, row_id)

    def _pending(self, q: Query, token: str, purpose: str, when: datetime) -> int:
        """The row id of the objection to ``purpose`` pending assessment at ``when``; else say why not."""
        recorded = [(i, o) for i, o in self._objections(q, token, purpose) if o.at <= when]
        state = recorded[-1][1].state(when) if recorded else None
        if state is not ObjectionState.PENDING_ASSESSMENT:
            raise LedgerError(
                f"no objection to purpose {purpose!r} is pending assessment at `at`"
                + ("" if state is None else f" (the latest was {state.value})")
            )
        return recorded[-1][0]

    def _objections(
        self, q: Query, token: str, purpose: str | None = None
    ) -> list[tuple[int, Objection]]:
        sql = f"SELECT {_COLUMNS} FROM objections WHERE subject = ?"
        params: tuple[str, ...] = (token,)
        if purpose is not None:
            sql += " AND purpose = ?"
            params = (token, purpose)
        return [
            (
                int(row_id),
                Objection(
                    purpose=pid,
                    at=self._load(at, _TABLE, "at", row_id),
                    absolute=stored_flag(absolute, _TABLE, "absolute", row_id),
                    grounds=grounds,
                    overridden_at=self._decided(over_at, "overridden_at", row_id),
                    overriding_grounds=over,
                    upheld_at=self._decided(upheld_at, "upheld_at", row_id),
                    upholding_reason=upheld,
                ),
            )
            for row_id, pid, at, absolute, grounds, over_at, over, upheld_at, upheld in q(
                sql + " ORDER BY at, id", params
            )
        ]

    def _decided(self, value: str | None, column: str, row_id: int) -> datetime | None:
        return None if value is None else self._load(value, _TABLE, column, row_id)

    def _objection(self, q: Query, token: str, row_id: int | None) -> Objection:
        return next(o for i, o in self._objections(q, token) if i == row_id)

    def _after_last_objection(
        self, conn: StoreConnection, token: str, purpose: str, stamp: str
    ) -> None:
        row = conn.execute(
            "SELECT MAX(at), MAX(overridden_at), MAX(upheld_at) FROM objections"
            " WHERE subject = ? AND purpose = ?",
            (token, purpose),
        ).fetchone()
        if max((t for t in row if t is not None), default="") > stamp:
            raise LedgerError(
                f"at is before the last objection entry for purpose {purpose!r}; "
                "the ledger is append-only in time"
            )


def _assessable(purpose: Purpose) -> None:
    """Direct marketing is never assessed: the objection is absolute (Art. 21(3))."""
    if purpose.direct_marketing:
        raise LedgerError(
            f"purpose {purpose.id!r} is direct marketing: an objection to it is absolute, "
            "upheld when recorded, and no grounds can override it (Art. 21(3))"
        )
