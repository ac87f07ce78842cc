"""The register of data-subject requests: receiving them, moving them on, and what is due.

Every change is one store transaction with its history entry (and audit
entry); the history runs forward only. ``rows.RequestRows`` reads the
stored requests back as values.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from gdprkit._errors import RequestStateError
from gdprkit._requests.rows import COLUMNS, RequestRows, on
from gdprkit._requests.values import TRANSITIONS, RequestKind, RequestState, SubjectRequest
from gdprkit._util import require_aware, require_text, utc_stamp
from gdprkit.store import Store, StoreConnection, check_store
from gdprkit.timecalc import (
    STOCKHOLM,
    SWEDEN,
    HolidayCalendar,
    end_of_day,
    receipt_date,
    response_deadline,
)

if TYPE_CHECKING:
    from gdprkit.audit import AuditLog


class RequestRegister:
    """The data-subject requests of a controller, in a store (Art. 12).

    ``tz`` decides the local receipt date and when a day ends; ``calendar``
    which days are holidays (Reg. 1182/71 Art. 3(4)). Every change runs in
    one store transaction, with its audit entry when ``audit`` is given
    (the audit log needs a pseudonymizer: the subject appears there only as
    a token).
    """

    __slots__ = ("_audit", "_calendar", "_rows", "_store", "_tz")

    def __init__(
        self,
        store: Store,
        *,
        tz: tzinfo = STOCKHOLM,
        calendar: HolidayCalendar = SWEDEN,
        audit: AuditLog | None = None,
    ) -> None:
        check_store(store)
        if not isinstance(tz, tzinfo):
            raise TypeError(
                f"tz must be a tzinfo such as ZoneInfo('Europe/Stockholm'), got {type(tz).__name__}"
            )
        if not isinstance(calendar, HolidayCalendar):
            raise TypeError("calendar must be a HolidayCalendar (name, is_holiday(day))")
        self._store = store
        self._tz = tz
        self._calendar = calendar
        self._audit = audit
        self._rows = RequestRows(tz)

    def __repr__(self) -> str:
        return f"<RequestRegister in {self._store!r}, calendar {self._calendar.name!r}>"

    # -- changes -------------------------------------------------------------

    def receive(
        self,
        kind: RequestKind,
        subject_kind: str,
        subject_id: str,
        *,
        received_at: datetime,
        channel: str,
    ) -> SubjectRequest:
        """Register a new request; its deadline is one month from the local receipt date (Art. 12(3))."""
        if not isinstance(kind, RequestKind):
            raise TypeError(f"kind must be a RequestKind, got {type(kind).__name__}")
        sk = require_text(subject_kind, "subject_kind")
        sid = require_text(subject_id, "subject_id")
        when = require_aware(received_at, "received_at")
        via = require_text(channel, "channel")
        due = response_deadline(when, calendar=self._calendar, tz=self._tz)
        request_id = str(uuid.uuid4())
        with self._store.transaction() as conn:
            conn.execute(
                f"INSERT INTO subject_requests ({COLUMNS})"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, NULL, NULL, NULL)",
                (
                    request_id,
                    kind.value,
                    sk,
                    sid,
                    utc_stamp(when),
                    via,
                    RequestState.RECEIVED.value,
                    due.isoformat(),
                ),
            )
            self._history(conn, request_id, RequestState.RECEIVED, when, f"via {via}")
            self._record_audit("request.received", when, sid, request_id, kind)
            return self._rows.get(on(conn), request_id)

    def verify(self, request_id: str, *, at: datetime, note: str = "") -> SubjectRequest:
        """Record that the requester's identity was confirmed (Art. 12(6)); the clock does not stop."""
        return self._move(request_id, RequestState.VERIFIED, at, note, "request.verified")

    def complete(self, request_id: str, *, at: datetime, note: str = "") -> SubjectRequest:
        """Record that the request was answered (Art. 12(3)); it must have been verified first."""
        return self._move(request_id, RequestState.DONE, at, note, "request.completed")

    def refuse(self, request_id: str, *, at: datetime, reason: str) -> SubjectRequest:
        """Record that the controller will not act, and why (Art. 12(4), 12(5)).

        The reason is required: the subject must be told it, and that they
        may complain to the supervisory authority and seek a judicial remedy.
        """
        if not isinstance(reason, str):
            raise TypeError(f"reason must be a str, got {type(reason).__name__}")
        if not reason.strip():
            raise RequestStateError(
                "reason is required to refuse a request: the subject must be told why and "
                "about complaining to the supervisory authority (Art. 12(4))"
            )
        return self._move(request_id, RequestState.REFUSED, at, reason, "request.refused")

    def extend(self, request_id: str, *, reason: str, at: datetime) -> SubjectRequest:
        """Extend the deadline by two further months, to three months from receipt (Art. 12(3)).

        Only once, only with a reason (which the subject must be told), only
        while the request is open, and only up to the end of the one-month
        deadline day in the register's time zone; else :class:`~gdprkit.RequestStateError`.
        """
        if not isinstance(reason, str):
            raise TypeError(f"reason must be a str, got {type(reason).__name__}")
        when = require_aware(at, "at")
        with self._store.transaction() as conn:
            request = self._rows.get(on(conn), request_id)
            if not reason.strip():
                raise RequestStateError(
                    "reason is required to extend a request: the subject must be told why (Art. 12(3))"
                )
            if not request.is_open:
                raise RequestStateError(
                    f"a request in state {request.state.value!r} cannot be extended"
                )
            if request.extended:
                raise RequestStateError(
                    "the request was already extended; Art. 12(3) allows one extension"
                )
            self._not_before(request, when)
            first = response_deadline(request.received_at, calendar=self._calendar, tz=self._tz)
            if when >= end_of_day(first, self._tz):
                raise RequestStateError(
                    f"the extension comes too late: it must be made and notified by the end of "
                    f"the one-month deadline {first.isoformat()} (Art. 12(3))"
                )
            due = response_deadline(
                request.received_at, extended=True, calendar=self._calendar, tz=self._tz
            )
            conn.execute(
                "UPDATE subject_requests SET extended = 1, extension_reason = ?, extended_at = ?,"
                " due = ? WHERE id = ?",
                (reason, utc_stamp(when), due.isoformat(), request.id),
            )
            self._history(conn, request.id, request.state, when, f"extended: {reason}")
            self._record_audit(
                "request.extended", when, request.subject_id, request.id, request.kind
            )
            return self._rows.get(on(conn), request.id)

    def _move(
        self, request_id: str, target: RequestState, at: datetime, note: str, action: str
    ) -> SubjectRequest:
        when = require_aware(at, "at")
        if not isinstance(note, str):
            raise TypeError(f"note must be a str, got {type(note).__name__}")
        with self._store.transaction() as conn:
            request = self._rows.get(on(conn), request_id)
            if target not in TRANSITIONS[request.state]:
                allowed = ", ".join(sorted(s.value for s in TRANSITIONS[request.state]))
                raise RequestStateError(
                    f"a request in state {request.state.value!r} cannot become {target.value!r}"
                    f" (allowed: {allowed or 'none, the request is closed'})"
                )
            self._not_before(request, when)
            conn.execute(
                "UPDATE subject_requests SET state = ?, refusal_reason = ? WHERE id = ?",
                (
                    target.value,
                    note if target is RequestState.REFUSED else None,
                    request.id,
                ),
            )
            self._history(conn, request.id, target, when, note)
            self._record_audit(action, when, request.subject_id, request.id, request.kind)
            return self._rows.get(on(conn), request.id)

    def _not_before(self, request: SubjectRequest, when: datetime) -> None:
        if when < request.history[-1].at:
            raise RequestStateError(
                "at is before the request's last recorded step; its history runs forward only"
            )

    def _history(
        self,
        conn: StoreConnection,
        request_id: str,
        state: RequestState,
        at: datetime,
        note: str,
    ) -> None:
        conn.execute(
            "INSERT INTO subject_request_history (request_id, seq, state, at, note)"
            " SELECT ?, COALESCE(MAX(seq), 0) + 1, ?, ?, ? FROM subject_request_history"
            " WHERE request_id = ?",
            (request_id, state.value, utc_stamp(at), note, request_id),
        )

    def _record_audit(
        self, action: str, at: datetime, subject_id: str, request_id: str, kind: RequestKind
    ) -> None:
        if self._audit is not None:
            self._audit.record(
                action,
                at=at,
                actor="controller",
                subject=subject_id,
                details={"request": request_id, "kind": kind.value, "article": kind.article},
            )

    # -- reading -------------------------------------------------------------

    def get(self, request_id: str) -> SubjectRequest:
        """The request with this id; an unknown id raises :class:`UnknownRequest`."""
        return self._rows.get(self._store.query, request_id)

    def open_requests(self) -> list[SubjectRequest]:
        """Every request still to be answered, soonest due first."""
        return self._rows.select(
            self._store.query,
            "state IN ('received', 'verified')",
            (),
        )

    def due(self, *, at: datetime, within: int | None = None) -> list[SubjectRequest]:
        """Open requests due on or before ``within`` days after ``at``'s local date, soonest first.

        ``within=None`` lists every open request; overdue ones come first
        as they are due soonest (Art. 12(3)).
        """
        when = require_aware(at, "at")
        if within is None:
            return self.open_requests()
        if isinstance(within, bool) or not isinstance(within, int):
            raise TypeError(
                f"within must be an int number of days or None, got {type(within).__name__}"
            )
        if within < 0:
            raise ValueError("within must not be negative")
        limit = receipt_date(when, tz=self._tz) + timedelta(days=within)
        return self._rows.select(
            self._store.query,
            "state IN ('received', 'verified') AND due <= ?",
            (limit.isoformat(),),
        )

    def overdue(self, at: datetime) -> list[SubjectRequest]:
        """Open requests whose deadline ended before ``at`` (Art. 12(3)), most overdue first."""
        when = require_aware(at, "at")
        return [r for r in self.open_requests() if r.is_overdue(when)]
