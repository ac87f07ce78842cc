"""Restrictions of processing (Art. 18): placed on what they cover, the subject told, lifted.

While a restriction is in force the data it covers may be stored; any other
processing needs one of the Art. 18(2) grounds, which a call to ``project()``
states (:class:`~gdprkit.RestrictionGround`), or a purpose the controller
named as allowed. The subject is told before a restriction is lifted (Art.
18(3)). A restriction covers all data held on the subject or part of it
(:class:`~gdprkit.consent.RestrictionScope`); several may be in force at
once, at most one per scope.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Final

import attrs

from gdprkit._consent.base import LedgerBase, Query, on, purpose_ids
from gdprkit._consent.scope import RestrictionScope
from gdprkit._errors import LedgerError, SubjectNotInformed
from gdprkit._util import require_aware, require_text, utc_stamp
from gdprkit.store._decode import stored_texts

if TYPE_CHECKING:
    from gdprkit.store import StoreConnection

_TABLE: Final = "restrictions"
_COLUMNS: Final = "id, since, reason, allowed_purposes, lifted_at, scope, informed_at"
_IN_FORCE: Final = "subject = ? AND since <= ? AND (lifted_at IS NULL OR lifted_at > ?)"


@attrs.frozen
class Restriction:
    """A restriction of processing (Art. 18): what it covers, since when, and what it still allows.

    Art. 18(2): restricted data may be stored; any other processing needs
    the subject's consent, legal claims, another person's rights or an
    important public interest, stated by the call (``project(...,
    ground=...)``), or is one of ``allowed_purposes``, which the controller
    names (an erasure names the purposes that keep data under Art. 17(3)).
    ``scope`` says what it covers; ``informed_at`` is when the subject was
    told it would be lifted (Art. 18(3)).
    """

    allowed_purposes: frozenset[str]
    since: datetime
    reason: str
    lifted_at: datetime | None = None
    scope: RestrictionScope = attrs.field(factory=RestrictionScope.everything)
    informed_at: datetime | None = None

    def allows(self, purpose: str) -> bool:
        """Whether ``purpose`` may still be processed under the restriction without a ground."""
        return purpose in self.allowed_purposes

    def active(self, at: datetime) -> bool:
        """Whether the restriction is in force at ``at``."""
        require_aware(at, "at")
        return self.since <= at and (self.lifted_at is None or at < self.lifted_at)


def _scope(value: object) -> RestrictionScope:
    if value is None:
        return RestrictionScope.everything()
    if not isinstance(value, RestrictionScope):
        raise TypeError(f"scope must be a RestrictionScope or None, got {type(value).__name__}")
    return value


class Restrictions(LedgerBase):
    """The restriction part of the ledger (Art. 18)."""

    __slots__ = ()

    def restrict(
        self,
        subject: str,
        *,
        at: datetime,
        reason: str,
        allowed_purposes: Iterable[str] = (),
        scope: RestrictionScope | None = None,
    ) -> Restriction:
        """Restrict processing of what ``scope`` covers from ``at`` (Art. 18(1)); return it.

        ``scope`` defaults to all data held on the subject. ``reason`` names
        the Art. 18(1) ground (e.g. "18(1)(a) accuracy contested"); it stays
        in the ledger, never in errors or the audit log. ``allowed_purposes``
        (default: none, storage only) may still be processed without an Art.
        18(2) ground. A restriction in force with the same scope is replaced
        (it ends at ``at``). A restriction moves no retention date: it is not
        among :meth:`inactive_purposes`.
        """
        when = self._at(at)
        allowed = purpose_ids(allowed_purposes, "allowed_purposes")
        for pid in allowed:
            self._purpose(pid, "allowed_purposes")
        why = require_text(reason, "reason")
        area = _scope(scope)
        token, stamp, key = self._token(subject), utc_stamp(when), area._to_json()
        with self._store.transaction() as conn:
            self._after_last_restriction(conn, token, stamp)
            conn.execute(
                "UPDATE restrictions SET lifted_at = ? WHERE subject = ? AND lifted_at IS NULL"
                " AND COALESCE(scope, '') = ?",
                (stamp, token, key),
            )
            conn.execute(
                "INSERT INTO restrictions (subject, since, reason, allowed_purposes, scope)"
                " VALUES (?, ?, ?, ?, ?)",
                (token, stamp, why, json.dumps(sorted(allowed)), key or None),
            )
            self._record_audit(
                "restriction.placed", when, "controller", subject, purposes=sorted(allowed),
                scope=area.summary(),
            )  # fmt: skip
            return self._current(on(conn), token, when, area)[1]

    def record_subject_informed(
        self,
        subject: str,
        *,
        at: datetime,
        method: str,
        scope: RestrictionScope | None = None,
    ) -> Restriction:
        """Record that the subject was told the restriction will be lifted (Art. 18(3)).

        Art. 18(3): a subject who obtained a restriction is informed by the
        controller before it is lifted. ``method`` says how (letter, e-mail,
        call). The restriction in force at ``at`` with this ``scope``
        (default: everything) is the one meant; none raises
        :class:`LedgerError`, and so does telling twice.
        """
        how = require_text(method, "method")

        def not_yet(current: Restriction) -> None:
            if current.informed_at is not None:
                raise LedgerError(
                    "the subject was already told that this restriction will be lifted"
                )

        current, when = self._step(
            subject, at, scope, "restriction.subject_informed", not_yet,
            ("informed_at", "informed_method"), how,
        )  # fmt: skip
        return attrs.evolve(current, informed_at=when)

    def lift_restriction(
        self, subject: str, *, at: datetime, scope: RestrictionScope | None = None
    ) -> Restriction:
        """Lift the restriction in force at ``at`` and return it, now ending at ``at`` (Art. 18(3)).

        ``scope`` (default: everything) names which one. Art. 18(3): the
        subject is told before the restriction is lifted, so lifting one for
        which :meth:`record_subject_informed` recorded nothing raises
        :class:`~gdprkit.SubjectNotInformed`; none in force raises
        :class:`LedgerError`.
        """

        def told(current: Restriction) -> None:
            if current.informed_at is None:
                raise SubjectNotInformed(
                    "the subject must be told before a restriction is lifted (Art. 18(3)); "
                    "record it with record_subject_informed() first"
                )

        current, when = self._step(subject, at, scope, "restriction.lifted", told, ("lifted_at",))
        return attrs.evolve(current, lifted_at=when)

    def _step(
        self, subject: str, at: datetime, scope: RestrictionScope | None, action: str,
        check: Callable[[Restriction], None], columns: tuple[str, ...], *values: str,
    ) -> tuple[Restriction, datetime]:  # fmt: skip
        """Set ``columns`` (the instant, then ``values``) on the restriction in force with ``scope``.

        ``check`` may refuse the step; the step is audited in the same
        transaction. Returns the restriction as it was, and the instant.
        """
        when = self._at(at)
        area = _scope(scope)
        token, stamp = self._token(subject), utc_stamp(when)
        assignments = ", ".join(f"{c} = ?" for c in columns)
        with self._store.transaction() as conn:
            self._after_last_restriction(conn, token, stamp)
            row_id, current = self._current(on(conn), token, when, area)
            check(current)
            conn.execute(
                f"UPDATE restrictions SET {assignments} WHERE id = ?", (stamp, *values, row_id)
            )
            self._record_audit(
                action, when, "controller", subject,
                purposes=sorted(current.allowed_purposes), scope=area.summary(),
            )  # fmt: skip
            return current, when

    def restriction(
        self, subject: str, at: datetime, *, scope: RestrictionScope | None = None
    ) -> Restriction | None:
        """The restriction with ``scope`` (default: everything) in force at ``at``, if any (Art. 18)."""
        when = self._at(at)
        key = _scope(scope)._to_json()
        found = [r for _, r in self._in_force(self._store.query, self._token(subject), when, key)]
        return found[0] if found else None

    def restrictions(self, subject: str, at: datetime) -> tuple[Restriction, ...]:
        """Every restriction in force for ``subject`` at ``at``, whatever it covers, oldest first."""
        when = self._at(at)
        return tuple(r for _, r in self._in_force(self._store.query, self._token(subject), when))

    def _current(
        self, q: Query, token: str, when: datetime, scope: RestrictionScope
    ) -> tuple[int, Restriction]:
        """The row id and value of the restriction with ``scope`` in force; none is an error."""
        found = self._in_force(q, token, when, scope._to_json())
        if not found:
            raise LedgerError("no restriction with this scope is in force for this subject at `at`")
        return found[0]

    def _in_force(
        self, q: Query, token: str, when: datetime, key: str | None = None
    ) -> list[tuple[int, Restriction]]:
        """The restrictions in force at ``when`` (only the scope ``key``, when given), oldest first."""
        stamp = utc_stamp(when)
        sql = f"SELECT {_COLUMNS} FROM restrictions WHERE {_IN_FORCE}"
        params: tuple[str, ...] = (token, stamp, stamp)
        if key is not None:
            sql += " AND COALESCE(scope, '') = ?"
            params += (key,)
        return [
            (
                int(row_id),
                Restriction(
                    allowed_purposes=frozenset(
                        stored_texts(allowed, _TABLE, "allowed_purposes", row_id)
                    ),
                    since=self._load(since, _TABLE, "since", row_id),
                    reason=reason,
                    lifted_at=self._until(lifted, "lifted_at", row_id),
                    scope=RestrictionScope._from_json(scope, self._tz, row_id),
                    informed_at=self._until(informed, "informed_at", row_id),
                ),
            )
            for row_id, since, reason, allowed, lifted, scope, informed in q(
                sql + " ORDER BY since, id", params
            )
        ]

    def _until(self, value: object, column: str, row_id: int) -> datetime | None:
        return None if value is None else self._load(value, _TABLE, column, row_id)

    def _after_last_restriction(self, conn: StoreConnection, token: str, stamp: str) -> None:
        row = conn.execute(
            "SELECT MAX(since), MAX(lifted_at), MAX(informed_at) FROM restrictions"
            " WHERE subject = ?",
            (token,),
        ).fetchone()
        if max((t for t in row if t is not None), default="") > stamp:
            raise LedgerError(
                "at is before the last restriction entry of this subject; "
                "the ledger is append-only in time"
            )
