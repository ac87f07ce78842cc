"""The ledger: one public class, assembled from one part per right it keeps.

:class:`Ledger` is what users hold; this module gives it its constructor.
Its methods come from mixins on the shared ``base.LedgerBase``, one module
each, and read in this order:

* ``consents`` (on the event store of ``history``): ``grant``, ``renew``,
  ``withdraw``, ``has_consent``, ``consent_status``, ``consented_purposes``,
  ``records``, and ``allowed_cookies``, cookie consent being consent to
  ``cookies.<category>`` pseudo-purposes (the cookie rules are in ``cookies``;
  how consent was indicated in ``indication``);
* ``objections``: ``object``, ``record_overriding_grounds``,
  ``uphold_objection``, ``has_objected``, ``objection_state``, ``objections``;
* ``restrictions`` (what each covers in ``scope``): ``restrict``,
  ``record_subject_informed``, ``lift_restriction``, ``restriction``,
  ``restrictions``;
* ``guard``, which weighs the three above: ``check`` and
  ``check_with_ground`` (the ``project()`` guard) and ``inactive_purposes``;
* ``evidence``: ``purge_evidence``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gdprkit._consent.evidence import Evidence
from gdprkit._consent.guard import LedgerGuard
from gdprkit.policy import Policy
from gdprkit.pseudonym import Pseudonymizer
from gdprkit.store import Store, check_store

if TYPE_CHECKING:
    from gdprkit.audit import AuditLog


class Ledger(LedgerGuard, Evidence):
    """Consent, objections and restrictions of data subjects, in a store (Art. 7, 18, 21).

    It is also a :class:`~gdprkit.tagging.Guard`: pass it to
    ``project(obj, purpose, at=..., guards=[ledger])`` to refuse processing
    that is restricted, objected to, or lacks consent. Every write runs in
    one store transaction, together with its audit entry when ``audit`` is
    given (the audit log then needs a pseudonymizer; its details hold
    purpose ids only).
    """

    __slots__ = ()

    def __init__(
        self,
        store: Store,
        policy: Policy,
        *,
        pseudonymizer: Pseudonymizer,
        audit: AuditLog | None = None,
    ) -> None:
        check_store(store)
        if not isinstance(policy, Policy):
            raise TypeError(f"policy must be a Policy, got {type(policy).__name__}")
        if not isinstance(pseudonymizer, Pseudonymizer):
            raise TypeError(
                f"pseudonymizer must be a Pseudonymizer, got {type(pseudonymizer).__name__}"
            )
        self._store = store
        self._policy = policy
        self._pseudonymizer = pseudonymizer
        self._audit = audit
        self._tz = policy.timezone

    def __repr__(self) -> str:
        return f"<Ledger in {self._store!r} for policy {self._policy.version!r}>"

    @property
    def policy(self) -> Policy:
        """The policy whose purposes the ledger knows."""
        return self._policy
