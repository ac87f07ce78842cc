"""Requests in the store: rows of ``subject_requests`` read back as :class:`SubjectRequest` values.

Instants are stored as UTC text; they are loaded in the register's time
zone, in which a deadline day also ends.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING, Any, Final

from gdprkit._errors import UnknownRequest
from gdprkit._requests.values import RequestEvent, RequestKind, RequestState, SubjectRequest
from gdprkit.timecalc import end_of_day

if TYPE_CHECKING:
    from gdprkit.store import StoreConnection

#: Runs one read statement: ``store.query`` or a transaction's ``conn.execute(...).fetchall``.
Query = Callable[[str, Sequence[Any]], list[tuple[Any, ...]]]

#: The columns of ``subject_requests``, in the order :class:`RequestRows` reads them.
COLUMNS: Final = (
    "id, kind, subject_kind, subject_id, received_at, channel, state, due, extended,"
    " extension_reason, extended_at, refusal_reason"
)


def on(conn: StoreConnection) -> Query:
    """A :data:`Query` that reads inside the transaction ``conn``, so it sees its own writes."""
    return lambda sql, params: conn.execute(sql, tuple(params)).fetchall()


class RequestRows:
    """Reads requests, with their history, from the store into :class:`SubjectRequest` values."""

    __slots__ = ("_tz",)

    def __init__(self, tz: tzinfo) -> None:
        self._tz = tz

    def get(self, q: Query, request_id: str) -> SubjectRequest:
        """The request with this id; an unknown id raises :class:`~gdprkit.UnknownRequest`."""
        if not isinstance(request_id, str):
            raise TypeError(f"request_id must be a str, got {type(request_id).__name__}")
        found = self.select(q, "id = ?", (request_id,))
        if not found:
            raise UnknownRequest("no request with this id is in the register")
        return found[0]

    def select(self, q: Query, where: str, params: Sequence[Any]) -> list[SubjectRequest]:
        """The requests ``where`` selects, soonest due first, each with its history."""
        rows = q(
            f"SELECT {COLUMNS} FROM subject_requests WHERE {where} ORDER BY due, received_at, id",
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
