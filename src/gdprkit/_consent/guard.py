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
from gdprkit._consent.history import event_state
from gdprkit._consent.objections import Objections, ObjectionState
from gdprkit._consent.restrictions import Restriction, Restrictions
from gdprkit._errors import ConsentRequired, LedgerError, Objected, ObjectionPending, Restricted
from gdprkit._tagging.consent import consent_needed
from gdprkit._util import utc_stamp
from gdprkit.store._decode import stored_time
from gdprkit.tagging import RestrictionGround
from gdprkit.vocab import LegalBasis

if TYPE_CHECKING:
    from gdprkit.policy import Purpose
    from gdprkit.tagging import Schema


def _restricted(purpose: str, kind: str, covering: list[Restriction]) -> str:
    """Why a record may not be processed: which restriction covers it, what it still allows."""
    whole = any(r.scope.whole for r in covering)
    what = "all data held on the subject is" if whole else f"this {kind} record is"
    allowed = sorted(set.intersection(*(set(r.allowed_purposes) for r in covering)))
    return (
        f"{what} restricted (Art. 18): purpose {purpose!r} may process it only on an Art. 18(2) "
        "ground stated with project(..., ground=gdprkit.RestrictionGround...); allowed without "
        f"one: {', '.join(allowed) or 'storage only'}"
    )


class LedgerGuard(Consents, Objections, Restrictions):
    """The guard part of the ledger: consent, objections and restrictions weighed together."""

    __slots__ = ()

    def check(
        self, obj: builtins.object, schema: Schema, purpose: str, at: datetime | None
    ) -> None:
        """Refuse processing ``obj`` for ``purpose`` at ``at``: restricted, objected, or no consent.

        The :class:`~gdprkit.tagging.Guard` that ``project()`` calls. In order:
        :class:`~gdprkit.Restricted` when a restriction in force covers the
        record and does not allow the purpose (Art. 18(2));
        :class:`~gdprkit.ObjectionPending` when an objection awaits the
        controller's assessment (Art. 18(1)(d)) and :class:`~gdprkit.Objected`
        when one was upheld (Art. 21);
        :class:`~gdprkit.ConsentRequired` when the purpose rests on consent
        (Art. 6(1)(a)), or a field it uses is special-category data on
        explicit consent (Art. 9(2)(a)), and there is none. Without ``at``, as things stand:
        every recorded entry counts, and a consent only if it cannot run out.
        """
        self._guard(obj, schema, purpose, at, None)

    def check_with_ground(
        self, obj: builtins.object, schema: Schema, purpose: str, at: datetime | None,
        ground: RestrictionGround,
    ) -> None:  # fmt: skip
        """As :meth:`check`, for a call that states an Art. 18(2) ground for restricted data.

        What a restriction covers may then be processed (Art. 18(2): with the
        subject's consent, for legal claims, to protect another person's
        rights, for an important public interest), and so may a purpose an
        objection pending assessment restricts (Art. 18(1)(d)); an upheld
        objection and consent are weighed as always. The ground used is
        recorded in the audit log (purpose, ground, the kinds of record and
        whether an objection was pending; no personal data), so the
        ledger needs one and the call needs ``at``. project() calls this
        for ``project(..., ground=...)`` (:class:`~gdprkit.tagging.GroundedGuard`).
        """
        if not isinstance(ground, RestrictionGround):
            raise TypeError(f"ground must be a RestrictionGround, got {type(ground).__name__}")
        self._guard(obj, schema, purpose, at, ground)

    def _guard(
        self, obj: builtins.object, schema: Schema, purpose: str, at: datetime | None,
        ground: RestrictionGround | None,
    ) -> None:  # fmt: skip
        p = self._purpose(purpose)
        subject = schema.subject_id(obj)
        if subject is None:
            raise LedgerError(
                f"{schema.name} names no subject id field; declare id_field= or an identifying "
                "field so the ledger can tell whose data it is"
            )
        needed = consent_needed(schema, p.id, schema.fields_for(p.id), p, self._policy.taxonomy)
        if at is None and needed is not None:
            self._consent_needs_an_instant(p, subject)
        when = self._latest_instant() if at is None else self._at(at)
        token = self._token(subject)
        covering = [
            r for _, r in self._in_force(self._store.query, token, when)
            if not r.allows(p.id) and r.scope.covers(obj, schema, self._tz)
        ]  # fmt: skip
        if covering and ground is None:
            raise Restricted(_restricted(p.id, schema.name, covering))
        pending = self._weigh_objection(token, p, when, ground)
        if needed is not None and not self.has_consent(subject, p.id, when):
            raise ConsentRequired(
                f"{needed}, and no valid consent to purpose {p.id!r} exists at `at` (Art. 7)"
            )
        if ground is not None and (covering or pending):
            kinds = sorted({r.scope.kind or "everything" for r in covering})
            self._record_ground(subject, p.id, at, ground, kinds, pending)

    def _weigh_objection(
        self, token: str, p: Purpose, when: datetime, ground: RestrictionGround | None
    ) -> bool:
        """Refuse on an objection that stops the purpose; True if one pending lets a ground through.

        Upheld (or direct marketing): :class:`~gdprkit.Objected`, whatever the
        ground (Art. 21(1), (3)). Pending assessment: restricted (Art.
        18(1)(d)), so :class:`~gdprkit.ObjectionPending` unless the call
        states an Art. 18(2) ground.
        """
        state = self._objection_state(self._store.query, token, p.id, when)
        if state is ObjectionState.UPHELD:
            article = "21(3)" if p.direct_marketing else "21(1)"
            raise Objected(
                f"the data subject objected to processing for purpose {p.id!r} and the "
                f"objection stands (Art. {article})"
            )
        if state is ObjectionState.PENDING_ASSESSMENT and ground is None:
            raise ObjectionPending(
                f"the data subject objected to processing for purpose {p.id!r} (Art. 21(1)); "
                "until the controller decides, it is restricted (Art. 18(1)(d)): storage only, "
                "unless project() states an Art. 18(2) ground"
            )
        return state is ObjectionState.PENDING_ASSESSMENT

    def _record_ground(
        self, subject: str, purpose: str, at: datetime | None, ground: RestrictionGround,
        kinds: list[str], pending: bool,
    ) -> None:  # fmt: skip
        """Audit that restricted data was processed on ``ground`` (Art. 18(2)); fail closed if it cannot be."""
        if self._audit is None:
            raise LedgerError(
                "processing restricted data on an Art. 18(2) ground is recorded in the audit "
                "log: give the Ledger an audit= log"
            )
        if at is None:
            raise TypeError(
                f"processing restricted data for purpose {purpose!r} on an Art. 18(2) ground is "
                "recorded with its instant: pass at= to project()"
            )
        self._audit.record(
            "restriction.processed_on_ground", at=at, actor="controller", subject=subject,
            details={"purposes": [purpose], "ground": ground.value, "article": ground.article,
                     "kinds": kinds, "objection_pending": pending},
        )  # fmt: skip

    def _consent_needs_an_instant(self, p: Purpose, subject: str) -> None:
        """As things stand, a consent that can run out cannot be answered: ask for ``at``."""
        rows = self._store.query(
            "SELECT seq, state, expires_at FROM consent_events WHERE subject = ? AND purpose = ?"
            " ORDER BY at DESC, seq DESC LIMIT 1",
            (self._token(subject), p.id),
        )
        if rows and event_state(rows[0][1], rows[0][0]).valid and rows[0][2] is not None:
            raise TypeError(
                f"consent for purpose {p.id!r} has a validity period: pass at= to project()"
            )

    def _latest_instant(self) -> datetime:
        """The newest instant any ledger entry speaks of: "as things stand" means then."""
        latest = datetime(1970, 1, 1, tzinfo=UTC)
        for table, column in (
            ("consent_events", "at"),
            ("objections", "at"),
            ("objections", "overridden_at"),
            ("objections", "upheld_at"),
            ("restrictions", "since"),
            ("restrictions", "lifted_at"),
        ):
            for (stamp,) in self._store.query(f"SELECT MAX({column}) FROM {table}"):
                if stamp is not None:
                    latest = max(latest, stored_time(stamp, None, table, column))
        return latest

    def inactive_purposes(self, subject: str, at: datetime) -> frozenset[str]:
        """The policy purposes that no longer justify processing or keeping the data at ``at``.

        Purposes with an objection upheld (Art. 17(1)(c), 21; an objection to
        direct marketing is upheld when recorded, Art. 21(3)) and purposes
        resting on consent without valid consent (Art. 17(1)(b)). Retention
        drops these. An objection pending assessment is not among them:
        Art. 17(1)(c) needs "no overriding legitimate grounds", which only
        the assessment settles. Nor is a restriction (Art. 18(2) allows
        storage), so neither moves a retention date.
        """
        when = self._at(at)
        token = self._token(subject)
        consented = self._consented(token, when)
        stamp = utc_stamp(when)
        upheld = {
            row[0]
            for row in self._store.query(
                "SELECT DISTINCT purpose FROM objections WHERE subject = ? AND at <= ?"
                " AND (absolute = 1 OR upheld_at <= ?)",
                (token, stamp, stamp),
            )
        }
        return frozenset(
            pid
            for pid, p in self._policy.purposes.items()
            if pid in upheld or (p.basis is LegalBasis.CONSENT and pid not in consented)
        )
