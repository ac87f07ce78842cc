"""The register of data-subject requests and their Art. 12(3) deadlines.

A request under Art. 15-21 is answered "without undue delay and in any event
within one month of receipt", extendable once by two further months with
reasons given to the subject within that first month (Art. 12(3)); a refusal
tells the subject why and that they may complain to the supervisory
authority (Art. 12(4)). :class:`RequestRegister` keeps each request, its
state and history in the store, and says which are due and which are late.
Deadlines follow :func:`gdprkit.timecalc.response_deadline` (Reg. 1182/71,
Swedish holidays by default, receipt date in Europe/Stockholm).

Unlike the consent ledger, a request keeps the subject's id in clear: the
controller has to find the data to answer it.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, Final
from zoneinfo import ZoneInfo

import attrs

from gdprkit._errors import RequestStateError, UnknownRequest
from gdprkit._util import require_aware, require_text, utc_stamp
from gdprkit.store import Store, StoreConnection, check_store
from gdprkit.timecalc import (
    SWEDEN,
    HolidayCalendar,
    end_of_day,
    receipt_date,
    response_deadline,
)
from gdprkit.vocab import Right

if TYPE_CHECKING:
    from gdprkit.audit import AuditLog

__all__ = [
    "RequestEvent",
    "RequestKind",
    "RequestRegister",
    "RequestState",
    "SubjectRequest",
    "UnknownRequest",
]

_STOCKHOLM: Final = ZoneInfo("Europe/Stockholm")


class RequestKind(enum.Enum):
    """What the data subject asks for: one right of Art. 15-21."""

    ACCESS = "access"
    RECTIFICATION = "rectification"
    ERASURE = "erasure"
    RESTRICTION = "restriction"
    PORTABILITY = "portability"
    OBJECTION = "objection"

    @property
    def right(self) -> Right:
        """The right the request exercises."""
        return Right(self.value)

    @property
    def article(self) -> str:
        """The article that grants the right: ``"15"`` … ``"21"``."""
        return self.right.article

    def label(self, lang: str = "en") -> str:
        """The right's name in ``lang`` (``"sv"`` or ``"en"``)."""
        return self.right.label(lang)


class RequestState(enum.Enum):
    """Where a request stands: received, identity verified (Art. 12(6)), done, or refused (12(4))."""

    RECEIVED = "received"
    VERIFIED = "verified"
    DONE = "done"
    REFUSED = "refused"

    @property
    def open(self) -> bool:
        """True while the request still needs an answer."""
        return self in (RequestState.RECEIVED, RequestState.VERIFIED)


_TRANSITIONS: Final[Mapping[RequestState, frozenset[RequestState]]] = {
    RequestState.RECEIVED: frozenset({RequestState.VERIFIED, RequestState.REFUSED}),
    RequestState.VERIFIED: frozenset({RequestState.DONE, RequestState.REFUSED}),
    RequestState.DONE: frozenset(),
    RequestState.REFUSED: frozenset(),
}


@attrs.frozen
class RequestEvent:
    """One entry of a request's history: the state it is in from ``at``, and a note."""

    state: RequestState
    at: datetime
    note: str = ""


@attrs.frozen
class SubjectRequest:
    """A data-subject request and its Art. 12(3) deadline.

    ``due`` is the last day to answer (local date); an answer is late from
    :attr:`late_from`, the end of that day in the register's time zone.
    """

    id: str
    kind: RequestKind
    subject_kind: str
    subject_id: str = attrs.field(repr=False)
    received_at: datetime
    channel: str
    state: RequestState
    due: date
    late_from: datetime
    extended: bool = False
    extension_reason: str | None = None
    extended_at: datetime | None = None
    refusal_reason: str | None = None
    history: tuple[RequestEvent, ...] = ()

    @property
    def is_open(self) -> bool:
        """True while the request still needs an answer (received or verified)."""
        return self.state.open

    @property
    def closed_at(self) -> datetime | None:
        """When the request was completed or refused, if it was."""
        return None if self.is_open else self.history[-1].at

    def is_overdue(self, at: datetime) -> bool:
        """True when the request is still open at or after the end of its deadline (Art. 12(3))."""
        return self.is_open and require_aware(at, "at") >= self.late_from


_Query = Callable[[str, Sequence[Any]], list[tuple[Any, ...]]]

_COLUMNS: Final = (
    "id, kind, subject_kind, subject_id, received_at, channel, state, due, extended,"
    " extension_reason, extended_at, refusal_reason"
)


class RequestRegister:
    """The data-subject requests of a controller, in a store (Art. 12).

    ``tz`` decides the local receipt date and when a day ends; ``calendar``
    which days are holidays (Reg. 1182/71 Art. 3(4)). Every change runs in
    one store transaction, with its audit entry when ``audit`` is given
    (the audit log needs a pseudonymizer: the subject appears there only as
    a token).
    """

    __slots__ = ("_audit", "_calendar", "_store", "_tz")

    def __init__(
        self,
        store: Store,
        *,
        tz: tzinfo = _STOCKHOLM,
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
                f"INSERT INTO subject_requests ({_COLUMNS})"
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
            return self._get(_on(conn), request_id)

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
            request = self._get(_on(conn), request_id)
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
            return self._get(_on(conn), request.id)

    def _move(
        self, request_id: str, target: RequestState, at: datetime, note: str, action: str
    ) -> SubjectRequest:
        when = require_aware(at, "at")
        if not isinstance(note, str):
            raise TypeError(f"note must be a str, got {type(note).__name__}")
        with self._store.transaction() as conn:
            request = self._get(_on(conn), request_id)
            if target not in _TRANSITIONS[request.state]:
                allowed = ", ".join(sorted(s.value for s in _TRANSITIONS[request.state]))
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
            return self._get(_on(conn), request.id)

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
        return self._get(self._store.query, request_id)

    def open_requests(self) -> list[SubjectRequest]:
        """Every request still to be answered, soonest due first."""
        return self._select(
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
        return self._select(
            self._store.query,
            "state IN ('received', 'verified') AND due <= ?",
            (limit.isoformat(),),
        )

    def overdue(self, at: datetime) -> list[SubjectRequest]:
        """Open requests whose deadline ended before ``at`` (Art. 12(3)), most overdue first."""
        when = require_aware(at, "at")
        return [r for r in self.open_requests() if r.is_overdue(when)]

    def _get(self, q: _Query, request_id: str) -> SubjectRequest:
        if not isinstance(request_id, str):
            raise TypeError(f"request_id must be a str, got {type(request_id).__name__}")
        found = self._select(q, "id = ?", (request_id,))
        if not found:
            raise UnknownRequest("no request with this id is in the register")
        return found[0]

    def _select(self, q: _Query, where: str, params: Sequence[Any]) -> list[SubjectRequest]:
        rows = q(
            f"SELECT {_COLUMNS} FROM subject_requests WHERE {where} ORDER BY due, received_at, id",
            params,
        )
        history: dict[str, list[RequestEvent]] = {}
        if rows:
            marks = ", ".join("?" for _ in rows)
            for rid, state, at, note in q(
                "SELECT request_id, state, at, note FROM subject_request_history"
                f" WHERE request_id IN ({marks}) ORDER BY request_id, seq",
                [r[0] for r in rows],
            ):
                history.setdefault(rid, []).append(
                    RequestEvent(RequestState(state), self._load(at), note)
                )
        return [self._request(row, history.get(row[0], [])) for row in rows]

    def _load(self, text: str) -> datetime:
        return datetime.fromisoformat(text).astimezone(self._tz)

    def _request(self, row: tuple[Any, ...], history: list[RequestEvent]) -> SubjectRequest:
        (
            rid,
            kind,
            sk,
            sid,
            received,
            channel,
            state,
            due,
            extended,
            ext_reason,
            ext_at,
            refusal,
        ) = row
        due_day = date.fromisoformat(due)
        return SubjectRequest(
            id=rid,
            kind=RequestKind(kind),
            subject_kind=sk,
            subject_id=sid,
            received_at=self._load(received),
            channel=channel,
            state=RequestState(state),
            due=due_day,
            late_from=end_of_day(due_day, self._tz),
            extended=bool(extended),
            extension_reason=ext_reason,
            extended_at=None if ext_at is None else self._load(ext_at),
            refusal_reason=refusal,
            history=tuple(history),
        )


def _on(conn: StoreConnection) -> _Query:
    return lambda sql, params: conn.execute(sql, tuple(params)).fetchall()
