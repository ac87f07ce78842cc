"""The receipt of a restriction of processing (Art. 18), with whom it is communicated to (Art. 19).

A restriction itself is recorded in the consent ledger
(:meth:`gdprkit.consent.Ledger.restrict`); this is what the data subject is
sent: which purposes' processing is restricted, and which recipients are told
of it or cannot be, with the reason (Art. 19).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

import attrs

from gdprkit._i18n import RECEIPT, language
from gdprkit._rights.recipients import RecipientNotification, notification_for
from gdprkit._rights.sources import SubjectRef
from gdprkit._util import require_aware

if TYPE_CHECKING:
    from gdprkit.policy import Policy, Recipient

__all__ = ["RestrictionReceipt", "restriction_receipt"]


@attrs.frozen
class RestrictionReceipt:
    """Which processing is restricted from ``at``, and who is told (Art. 18, 19)."""

    subject: SubjectRef
    at: datetime
    purposes: tuple[str, ...]
    recipients: tuple[Recipient, ...] = ()
    not_notified: tuple[Recipient, ...] = ()

    @property
    def notification(self) -> RecipientNotification:
        """Who is told of the restriction and who cannot be (Art. 19)."""
        return RecipientNotification(self.recipients, self.not_notified)

    def render(self, policy: Policy, lang: str = "en") -> str:
        """The receipt as plain text in ``lang``, the purposes by their names in the policy."""
        t = RECEIPT.texts(language(lang, default="en"))
        out = [t["restricted_title"], "", t["restricted"]]
        out += [f"- {policy.purpose(p).name.get(lang)}" for p in self.purposes]
        return "\n".join(out + self.notification.lines(lang)) + "\n"


def restriction_receipt(
    subject: SubjectRef, policy: Policy, *, at: datetime, purposes: Iterable[str]
) -> RestrictionReceipt:
    """The receipt of restricting the subject's processing for ``purposes`` (Art. 18(1)).

    The recipients of those purposes are told of the restriction (Art. 19),
    each category replaced by the recipients named in it, unless the policy
    says that is impossible or involves disproportionate effort. An unknown
    purpose raises :class:`~gdprkit.UnknownPurpose`.
    """
    require_aware(at, "at")
    if not isinstance(subject, SubjectRef):
        raise TypeError("subject must be a SubjectRef")
    restricted = tuple(dict.fromkeys(purposes))
    notification = notification_for(policy, restricted)
    return RestrictionReceipt(
        subject, at, restricted, notification.notified, notification.not_notified
    )
