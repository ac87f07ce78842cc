"""The ledger as a ``project()`` guard: refuse what is restricted, objected to, or lacks consent.

:meth:`~gdprkit.consent.Ledger.check` is the :class:`~gdprkit.tagging.Guard`
that ``project()`` calls; :meth:`~gdprkit.consent.Ledger.inactive_purposes`
tells retention which purposes no longer justify keeping the data. Both
weigh the three rights the ledger keeps, so this part builds on the other three.
"""

from __future__ import annotations

import builtins
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from gdprkit._consent.consents import Consents
from gdprkit._consent.objections import Objections
from gdprkit._consent.records import ConsentState
from gdprkit._consent.restrictions import Restrictions
from gdprkit._errors import ConsentRequired, LedgerError, Objected, Restricted
from gdprkit._util import utc_stamp
from gdprkit.vocab import LegalBasis

if TYPE_CHECKING:
    from gdprkit.tagging import Schema


class LedgerGuard(Consents, Objections, Restrictions):
    """The guard part of the ledger: consent, objections and restrictions weighed together."""

    __slots__ = ()

    def check(
        self, obj: builtins.object, schema: Schema, purpose: str, at: datetime | None
    ) -> None:
        """Refuse processing ``obj`` for ``purpose`` at ``at``: restricted, objected, or no consent.

        The :class:`~gdprkit.tagging.Guard` that ``project()`` calls. In order:
        :class:`~gdprkit.Restricted` when a restriction is in force and does
        not allow the purpose (Art. 18(2)); :class:`~gdprkit.Objected` when
        an objection is in force (Art. 21); :class:`~gdprkit.ConsentRequired`
        when the purpose rests on consent and there is none (Art. 6(1)(a)).
        """
        if at is None:
            # as things stand: every recorded restriction and objection counts, and a
            # consent only if it cannot run out (one that can needs an instant)
            self._check_as_it_stands(obj, schema, purpose)
            return
        when = self._at(at)
        p = self._purpose(purpose)
        subject = schema.subject_id(obj)
        if subject is None:
            raise LedgerError(
                f"{schema.name} names no subject id field; declare id_field= or an identifying "
                "field so the ledger can tell whose data it is"
            )
        token = self._token(subject)
        current = self._restriction(self._store.query, token, when)
        if current is not None and not current.allows(p.id):
            raise Restricted(
                f"processing for purpose {p.id!r} is restricted (Art. 18(2)); "
                f"allowed: {', '.join(sorted(current.allowed_purposes)) or 'storage only'}"
            )
        if self.has_objected(subject, p.id, when):
            article = "21(3)" if p.direct_marketing else "21(1)"
            raise Objected(
                f"the data subject objected to processing for purpose {p.id!r} (Art. {article})"
            )
        if p.basis is LegalBasis.CONSENT and not self.has_consent(subject, p.id, when):
            raise ConsentRequired(
                f"purpose {p.id!r} rests on consent and no valid consent exists at `at` "
                "(Art. 6(1)(a), 7)"
            )

    def _check_as_it_stands(self, obj: builtins.object, schema: Schema, purpose: str) -> None:
        p = self._purpose(purpose)
        subject = schema.subject_id(obj)
        if p.basis is LegalBasis.CONSENT and subject is not None:
            rows = self._store.query(
                "SELECT state, expires_at FROM consent_events WHERE subject = ? AND purpose = ?"
                " ORDER BY at DESC, seq DESC LIMIT 1",
                (self._token(subject), p.id),
            )
            if rows and ConsentState(rows[0][0]).valid and rows[0][1] is not None:
                raise TypeError(
                    f"consent for purpose {p.id!r} has a validity period: pass at= to project()"
                )
        self.check(obj, schema, purpose, self._latest_instant())

    def _latest_instant(self) -> datetime:
        """The newest instant any ledger entry speaks of: "as things stand" means then."""
        stamps = [
            row[0]
            for table, column in (
                ("consent_events", "at"),
                ("objections", "at"),
                ("objections", "overridden_at"),
                ("restrictions", "since"),
                ("restrictions", "lifted_at"),
            )
            for row in self._store.query(f"SELECT MAX({column}) FROM {table}")
            if row[0] is not None
        ]
        return datetime.fromisoformat(max(stamps)) if stamps else datetime(1970, 1, 1, tzinfo=UTC)

    def inactive_purposes(self, subject: str, at: datetime) -> frozenset[str]:
        """The policy purposes that no longer justify processing or keeping the data at ``at``.

        Purposes with an objection in force (Art. 17(1)(c), 21) and purposes
        resting on consent without valid consent (Art. 17(1)(b)). Retention
        drops these; a restriction is not among them (Art. 18(2) allows storage).
        """
        when = self._at(at)
        token = self._token(subject)
        consented = self._consented(token, when)
        stamp = utc_stamp(when)
        objected = {
            row[0]
            for row in self._store.query(
                "SELECT DISTINCT purpose FROM objections WHERE subject = ? AND at <= ?"
                " AND (overridden_at IS NULL OR overridden_at > ?)",
                (token, stamp, stamp),
            )
        }
        return frozenset(
            pid
            for pid, p in self._policy.purposes.items()
            if pid in objected or (p.basis is LegalBasis.CONSENT and pid not in consented)
        )
