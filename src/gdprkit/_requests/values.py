"""Data-subject requests as values: what is asked, where it stands, and its deadline (Art. 12)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date, datetime
from typing import Final

import attrs

from gdprkit._util import require_aware
from gdprkit.vocab import Right


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


#: The states a request may move to from each state; done and refused are final.
TRANSITIONS: Final[Mapping[RequestState, frozenset[RequestState]]] = {
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
