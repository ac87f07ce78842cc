"""Objections to processing (Art. 21): recorded, overridden by compelling grounds, in force.

An objection to direct marketing is absolute (Art. 21(2)-(3)); any other
objection, to processing on public task or legitimate interests (Art.
6(1)(e), (f)), stops the purpose until the controller records compelling
legitimate grounds that override it (Art. 21(1)).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import attrs

from gdprkit._consent.base import LedgerBase, Query, on
from gdprkit._errors import LedgerError
from gdprkit._util import require_aware, require_text, utc_stamp

if TYPE_CHECKING:
    from gdprkit.store import StoreConnection


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


class Objections(LedgerBase):
    """The objection part of the ledger (Art. 21)."""

    __slots__ = ()

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
            self._record_audit("objection.overridden", when, "controller", subject, purposes=[p.id])
            return self._objection(on(conn), token, int(rows[0][0]))

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
        self, q: Query, token: str, purpose: str | None = None
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

    def _objection(self, q: Query, token: str, row_id: int | None) -> Objection:
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
