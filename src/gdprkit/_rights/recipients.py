"""Recipients (Art. 19): who is told of a rectification, erasure or restriction, and who got what.

Art. 19: the controller communicates any rectification (Art. 16), erasure
(Art. 17(1)) or restriction (Art. 18) to each recipient to whom the data have
been disclosed, unless this proves impossible or involves disproportionate
effort, and informs the data subject about those recipients if they ask.
Art. 15(1)(c) and CJEU C-154/21 *Österreichische Post* (12 January 2023): a
subject who asks is told the identity of the actual recipients, not only
their categories, unless that is impossible.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import attrs

from gdprkit._i18n import RECEIPT, language
from gdprkit._rights.sources import DataSource, SubjectRef
from gdprkit.tagging import schema_of

if TYPE_CHECKING:
    from gdprkit.policy import Policy, Recipient

__all__ = [
    "ReceivedBy",
    "RecipientNotification",
    "RecipientsAnswer",
    "notification_for",
    "recipients_for",
]


def _expanded(policy: Policy, ids: Iterable[str]) -> list[Recipient]:
    """The recipients ``ids`` name, a category replaced by its named members where it has any.

    In the policy's order, each once.
    """
    wanted = set(ids)
    out: list[Recipient] = []
    with_members = {r.category for r in policy.recipients.values() if r.category is not None}
    for recipient in policy.recipients.values():
        listed = recipient.id in wanted and recipient.id not in with_members
        if listed or recipient.category in wanted:
            out.append(recipient)
    return out


def _reason(recipient: Recipient, lang: str) -> str:
    """Why Art. 19 does not reach ``recipient``: the ground and the declared reason."""
    ground = RECEIPT.text(recipient.notification, language(lang, default="en"))
    reason = recipient.notification_reason.get(lang) if recipient.notification_reason else ""
    return f"{ground}: {reason}" if reason else ground


@attrs.frozen
class RecipientNotification:
    """Whom a rectification, erasure or restriction is communicated to (Art. 19), and whom not.

    ``notified`` are told; ``not_notified`` are the recipients for whom that
    proves impossible or involves disproportionate effort, each with the
    reason the policy gives. Both are listed to the data subject (Art. 19,
    second sentence).
    """

    notified: tuple[Recipient, ...] = ()
    not_notified: tuple[Recipient, ...] = ()

    @property
    def unnamed(self) -> tuple[Recipient, ...]:
        """Categories among those told: the policy does not name who they are (C-154/21)."""
        return tuple(r for r in self.notified if not r.named)

    def lines(self, lang: str) -> list[str]:
        """The receipt's lines on recipients, in ``lang`` (English when gdprkit lacks it)."""
        t = RECEIPT.texts(language(lang, default="en"))
        out: list[str] = []
        if self.notified:
            out += ["", t["recipients"] + "; ".join(r.name.get(lang) for r in self.notified)]
        if self.not_notified:
            out += ["", t["not_notified"]]
            out += [f"- {r.name.get(lang)}: {_reason(r, lang)}" for r in self.not_notified]
        return out


def notification_for(policy: Policy, purposes: Iterable[str]) -> RecipientNotification:
    """The Art. 19 communication for processing stopped or changed for ``purposes``.

    The recipients of those purposes, each category replaced by the
    recipients named in it; those whose notification the policy declares
    impossible or disproportionate go to ``not_notified`` with their reason.
    """
    ids = [rid for pid in dict.fromkeys(purposes) for rid in policy.purpose(pid).recipients]
    recipients = _expanded(policy, ids)
    return RecipientNotification(
        tuple(r for r in recipients if r.notified), tuple(r for r in recipients if not r.notified)
    )


@attrs.frozen
class ReceivedBy:
    """One recipient of the subject's data, for which purposes, and its category if named."""

    recipient: Recipient
    purposes: tuple[str, ...]
    category: Recipient | None = None


@attrs.frozen
class RecipientsAnswer:
    """The answer to "who received my data?" (Art. 15(1)(c), 19 second sentence; C-154/21)."""

    subject: SubjectRef
    recipients: tuple[ReceivedBy, ...]

    @property
    def unnamed(self) -> tuple[Recipient, ...]:
        """Categories whose members the policy does not name: the answer is incomplete there."""
        return tuple(r.recipient for r in self.recipients if not r.recipient.named)

    def render(self, policy: Policy, lang: str = "en") -> str:
        """Plain text for the subject: each recipient, by identity where known, and what for."""
        t = RECEIPT.texts(language(lang, default="en"))
        out = [t["received_title"], ""]
        for got in self.recipients:
            r = got.recipient
            what = ", ".join(policy.purpose(p).name.get(lang) for p in got.purposes)
            line = f"- {r.name.get(lang)}"
            if got.category is not None:
                line += f" ({got.category.name.get(lang)})"
            elif not r.named:
                line += f" ({t['category_only']})"
            out.append(f"{line}: {t['purposes_for']} {what}")
        if not self.recipients:
            out.append(t["received_none"])
        return "\n".join(out) + "\n"


def _purposes_held(subject: SubjectRef, sources: Iterable[DataSource]) -> list[str]:
    """The purposes of the personal fields that hold a value in the subject's records."""
    seen: dict[str, None] = {}
    for source in sources:
        for record in source.records(subject):
            for f in schema_of(record).fields:
                if getattr(record, f.name) is not None:
                    seen.update(dict.fromkeys(f.tag.purposes))
    return list(seen)


def recipients_for(
    subject: SubjectRef, sources: Iterable[DataSource], policy: Policy
) -> RecipientsAnswer:
    """Who received the subject's data: the recipients of the purposes their data serves.

    The subject's records in ``sources`` say which purposes their data is
    processed for; each purpose's recipients are listed by identity where the
    policy names them (a category is replaced by its named members), with the
    purposes they received data for (Art. 15(1)(c), Art. 19 second sentence).
    A category without named members is listed as a category, and
    :attr:`RecipientsAnswer.unnamed` tells the controller that the identities
    are missing (CJEU C-154/21: they must be given if asked, unless impossible).
    """
    if not isinstance(subject, SubjectRef):
        raise TypeError("subject must be a SubjectRef")
    by_recipient: dict[str, list[str]] = {}
    for pid in _purposes_held(subject, sources):
        for r in _expanded(policy, policy.purpose(pid).recipients):
            by_recipient.setdefault(r.id, []).append(pid)
    received = tuple(
        ReceivedBy(
            r,
            tuple(by_recipient[r.id]),
            policy.recipients.get(r.category) if r.category is not None else None,
        )
        for r in policy.recipients.values()
        if r.id in by_recipient
    )
    return RecipientsAnswer(subject, received)
