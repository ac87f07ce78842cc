"""Restrictions of processing (Art. 18): placed, lifted, and in force at an instant.

While a restriction is in force the data may be stored, and processed only
for the purposes the controller names as allowed under Art. 18(2).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

import attrs

from gdprkit._consent.base import LedgerBase, Query, on, purpose_ids
from gdprkit._errors import LedgerError
from gdprkit._util import require_aware, require_text, utc_stamp

if TYPE_CHECKING:
    from gdprkit.store import StoreConnection


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


class Restrictions(LedgerBase):
    """The restriction part of the ledger (Art. 18)."""

    __slots__ = ()

    def restrict(
        self, subject: str, *, allowed_purposes: Iterable[str], at: datetime, reason: str
    ) -> Restriction:
        """Restrict processing of the subject's data to ``allowed_purposes`` from ``at`` (Art. 18).

        ``reason`` names the Art. 18(1) ground (e.g. "18(1)(a) accuracy
        contested"). A restriction in force is replaced (it ends at ``at``).
        """
        when = self._at(at)
        allowed = purpose_ids(allowed_purposes, "allowed_purposes")
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
                "restriction.placed", when, "controller", subject, purposes=sorted(allowed)
            )
            found = self._restriction(on(conn), token, when)
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
            current = self._restriction(on(conn), token, when)
            if current is None:
                raise LedgerError("no restriction is in force for this subject at `at`")
            conn.execute(
                "UPDATE restrictions SET lifted_at = ? WHERE subject = ? AND lifted_at IS NULL",
                (stamp, token),
            )
            self._record_audit(
                "restriction.lifted",
                when,
                "controller",
                subject,
                purposes=sorted(current.allowed_purposes),
            )
            return attrs.evolve(current, lifted_at=when)

    def restriction(self, subject: str, at: datetime) -> Restriction | None:
        """The restriction in force for ``subject`` at ``at``, if any (Art. 18)."""
        when = self._at(at)
        return self._restriction(self._store.query, self._token(subject), when)

    def _restriction(self, q: Query, token: str, when: datetime) -> Restriction | None:
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
