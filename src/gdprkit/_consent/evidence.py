"""Retention of the consent evidence itself: purge records that ended long enough ago.

Consent records are the controller's evidence (Art. 7(1)) and may be needed
for legal claims (Art. 17(3)(e)); an erasure of the subject leaves them, and
they leave the ledger only through :meth:`~gdprkit.consent.Ledger.purge_evidence`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from gdprkit._consent.base import LedgerBase, duration_of
from gdprkit._errors import LedgerError
from gdprkit._util import utc_stamp
from gdprkit.timecalc import Period

#: Where a record's end comes from: its last withdrawal's ``at`` or its last expiry (a MAX).
_END: Final = ("consent_events", "at or expires_at")


def _keep(value: object) -> Period:
    """How long ended records are kept: a duration, never ``None`` (nothing is purged on a guess)."""
    period = duration_of(value)
    if period is None:
        raise TypeError("keep must be a Period or an ISO 8601 duration such as 'P3Y'")
    return period


class Evidence(LedgerBase):
    """The evidence-retention part of the ledger (Art. 7(1), 17(3)(e))."""

    __slots__ = ()

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
                and utc_stamp(period.add_to(self._load(end, *_END))) <= stamp
            ]
            for rid in doomed:
                conn.execute("DELETE FROM consent_records WHERE record_id = ?", (rid,))
            if doomed:
                self._record_audit(
                    "consent.evidence_purged",
                    when,
                    "controller",
                    None,
                    records=len(doomed),
                    keep=str(period),
                )
        if doomed:
            self._store.checkpoint()
        return len(doomed)
