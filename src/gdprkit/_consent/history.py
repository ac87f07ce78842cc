"""Consent in the store: events appended in time order, and records read back (Art. 7(1)).

A record's events live in ``consent_events``, one row per purpose an event
covers; the latest row of a purpose at an instant decides whether consent
is valid then. Nothing here is ever updated or deleted but by
:meth:`~gdprkit.consent.Ledger.purge_evidence`: the history is the evidence.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from gdprkit._consent.base import LedgerBase, Query, on
from gdprkit._consent.indication import IndicationMethod
from gdprkit._consent.records import (
    ConsentEvent,
    ConsentPurpose,
    ConsentRecord,
    ConsentState,
    ConsentStatus,
)
from gdprkit._errors import LedgerError
from gdprkit._util import utc_stamp
from gdprkit.store._decode import stored_enum, stored_stamp, stored_value
from gdprkit.timecalc import Period

if TYPE_CHECKING:
    from gdprkit.store import StoreConnection

#: The table of consent events, as errors about its rows name it.
_EVENTS: Final = "consent_events"


class ConsentHistory(LedgerBase):
    """Appending consent events and reading consent records and states back."""

    __slots__ = ()

    def _consented(self, token: str, when: datetime) -> frozenset[str]:
        """The purposes whose latest event at ``when`` is given or renewed and not run out."""
        stamp = utc_stamp(when)
        last = {
            row[1]: row
            for row in self._store.query(
                "SELECT seq, purpose, state, expires_at FROM consent_events"
                " WHERE subject = ? AND at <= ? ORDER BY at, seq",
                (token, stamp),
            )
        }
        return frozenset(
            pid
            for pid, (seq, _, state, expires) in last.items()
            if _event_status(seq, state, expires, stamp).valid
        )

    def _status(self, token: str, purpose: str, when: datetime) -> ConsentStatus:
        """What the latest event for ``purpose`` at or before ``when`` adds up to."""
        stamp = utc_stamp(when)
        rows = self._store.query(
            "SELECT seq, state, expires_at FROM consent_events"
            " WHERE subject = ? AND purpose = ? AND at <= ? ORDER BY at DESC, seq DESC LIMIT 1",
            (token, purpose, stamp),
        )
        if not rows:
            return ConsentStatus.NEVER_GIVEN
        seq, state, expires = rows[0]
        return _event_status(seq, state, expires, stamp)

    def _record_states(
        self, q: Query, token: str, when: datetime
    ) -> dict[tuple[str, str], tuple[ConsentState, str | None]]:
        """The latest (state, expires_at) per (record, purpose) at or before ``when``."""
        latest: dict[tuple[str, str], tuple[ConsentState, str | None]] = {}
        for seq, rid, pid, state, expires in q(
            "SELECT seq, record_id, purpose, state, expires_at FROM consent_events"
            " WHERE subject = ? AND at <= ? ORDER BY at, seq",
            (token, utc_stamp(when)),
        ):
            latest[(rid, pid)] = (event_state(state, seq), _expiry(expires, seq))
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
        indication: IndicationMethod | None = None,
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
            " indicated_by, method, duration, expires_at, indication)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                    None if indication is None else indication.value,
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
        return self._records(on(conn), f"r.record_id IN ({marks})", wanted)

    def _records(self, q: Query, where: str, params: Sequence[Any]) -> tuple[ConsentRecord, ...]:
        """The records ``where`` selects (a condition on ``consent_records r``), in order.

        Three queries whatever the number of records: the records, then the
        purposes and the events of all of them, grouped here by record.
        """
        rows = q(
            "SELECT r.record_id, r.subject, r.schema_version, r.controller, r.controller_iri,"
            " r.policy_version, r.notice_version, r.language, r.jurisdiction, r.method,"
            " r.indicated_by, r.withdrawal_method, r.indication"
            f" FROM consent_records r WHERE {where}"
            " ORDER BY r.created_at, r.rowid",
            tuple(params),
        )
        if not rows:
            return ()
        chosen = f"(SELECT r.record_id FROM consent_records r WHERE {where})"
        purposes: dict[Any, list[ConsentPurpose]] = {}
        for rid, purpose, basis, snapshot in q(
            "SELECT record_id, purpose, basis, snapshot FROM consent_record_purposes"
            f" WHERE record_id IN {chosen} ORDER BY record_id, position",
            tuple(params),
        ):
            purposes.setdefault(rid, []).append(
                ConsentPurpose._from_row(purpose, basis, snapshot, rid)
            )
        events: dict[Any, list[tuple[Any, ...]]] = {}
        for ev in q(
            "SELECT event_no, state, at, indicated_by, method, duration, expires_at,"
            f" indication, purpose, seq, record_id FROM consent_events WHERE record_id IN {chosen}"
            " ORDER BY record_id, event_no, seq",
            tuple(params),
        ):
            events.setdefault(ev[10], []).append(ev)
        return tuple(
            self._record(row, tuple(purposes.get(row[0], ())), events.get(row[0], []))
            for row in rows
        )

    def _record(
        self, row: Sequence[Any], purposes: tuple[ConsentPurpose, ...], rows: list[tuple[Any, ...]]
    ) -> ConsentRecord:
        """One record from its row, its purposes and its event rows (one per event and purpose)."""
        rid = row[0]
        events: list[ConsentEvent] = []
        current: tuple[Any, ...] | None = None
        covered: list[str] = []
        for ev in rows:
            if current is not None and current[0] != ev[0]:
                events.append(self._event(current, covered))
                covered = []
            current = ev
            covered.append(ev[8])
        if current is not None:
            events.append(self._event(current, covered))
        return ConsentRecord(
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
            indication=_indication(row[12], "consent_records", rid),
            events=tuple(events),
        )

    def _event(self, row: tuple[Any, ...], purposes: Sequence[str]) -> ConsentEvent:
        _, state, at, by, method, duration, expires, indication, _, seq = row[:10]
        return ConsentEvent(
            state=event_state(state, seq),
            at=self._load(at, _EVENTS, "at", seq),
            by=by,
            method=method,
            duration=None if duration is None else _duration(duration, seq),
            purposes=tuple(purposes),
            expires_at=None if expires is None else self._load(expires, _EVENTS, "expires_at", seq),
            indication=_indication(indication, _EVENTS, seq),
        )


def event_state(value: object, seq: int) -> ConsentState:
    """The state the stored consent event ``seq`` holds."""
    return stored_enum(ConsentState, value, _EVENTS, "state", seq)


def _expiry(value: object, seq: int) -> str | None:
    """A stored expiry kept as text (compared with stamps), checked to be an instant."""
    return None if value is None else stored_stamp(value, _EVENTS, "expires_at", seq)


def _event_status(seq: int, state: object, expires: object, stamp: str) -> ConsentStatus:
    """The status at ``stamp`` that the stored event ``seq`` gives."""
    return ConsentStatus.of(event_state(state, seq), _expiry(expires, seq), stamp)


def _duration(value: str, seq: int) -> Period:
    return stored_value(
        lambda: Period.parse(value), "an ISO 8601 duration", _EVENTS, "duration", seq
    )


def _indication(value: object, table: str, row: object) -> IndicationMethod | None:
    return None if value is None else stored_enum(IndicationMethod, value, table, "indication", row)
