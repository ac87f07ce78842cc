"""Requests in the store: rows of ``subject_requests`` read back as :class:`SubjectRequest` values.

Instants are stored as UTC text; they are loaded in the register's time
zone, in which a deadline day also ends.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any, Final

from gdprkit._errors import UnknownRequest
from gdprkit._requests.values import RequestEvent, RequestKind, RequestState, SubjectRequest
from gdprkit.store._decode import stored_date, stored_enum, stored_flag, stored_time
from gdprkit.timecalc import end_of_day

if TYPE_CHECKING:
    from gdprkit.store import StoreConnection

#: Runs one read statement: ``store.query`` or a transaction's ``conn.execute(...).fetchall``.
Query = Callable[[str, Sequence[Any]], list[tuple[Any, ...]]]

#: The tables of requests and their history, as errors about their rows name them.
_REQUESTS: Final = "subject_requests"
_HISTORY: Final = "subject_request_history"

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
            for rid, seq, state, at, note in q(
                "SELECT request_id, seq, state, at, note FROM subject_request_history"
                f" WHERE request_id IN ({marks}) ORDER BY request_id, seq",
                [r[0] for r in rows],
            ):
                row = f"{rid}/{seq}"
                history.setdefault(rid, []).append(
                    RequestEvent(
                        stored_enum(RequestState, state, _HISTORY, "state", row),
                        stored_time(at, self._tz, _HISTORY, "at", row),
                        note,
                    )
                )
        return [self._request(row, history.get(row[0], [])) for row in rows]

    def _load(self, value: object, column: str, row: str) -> datetime:
        return stored_time(value, self._tz, _REQUESTS, column, row)

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
        due_day = stored_date(due, _REQUESTS, "due", rid)
        return SubjectRequest(
            id=rid,
            kind=stored_enum(RequestKind, kind, _REQUESTS, "kind", rid),
            subject_kind=sk,
            subject_id=sid,
            received_at=self._load(received, "received_at", rid),
            channel=channel,
            state=stored_enum(RequestState, state, _REQUESTS, "state", rid),
            due=due_day,
            late_from=end_of_day(due_day, self._tz),
            extended=stored_flag(extended, _REQUESTS, "extended", rid),
            extension_reason=ext_reason,
            extended_at=None if ext_at is None else self._load(ext_at, "extended_at", rid),
            refusal_reason=refusal,
            history=tuple(history),
        )
