"""The answer to an erasure request as the data subject reads it, and the receipt of an erasure.

What went, what stays until when and why with processing restricted
(Art. 17(3), 18(2)), and which recipients are told (Art. 19); the texts are
in :data:`gdprkit._i18n.RECEIPT`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs

from gdprkit._i18n import RECEIPT, language
from gdprkit._rights.actions import ErasureAction, ErasureItem
from gdprkit._rights.anonymous import AnonymizationOutcome, outcome_lines
from gdprkit._rights.recipients import RecipientNotification
from gdprkit._rights.sources import SubjectRef

if TYPE_CHECKING:
    from gdprkit.policy import Recipient

__all__ = ["ErasureReceipt", "render_for_subject"]


def render_for_subject(
    items: Iterable[ErasureItem], notification: RecipientNotification, lang: str
) -> str:
    """Plain text for the subject: what went, what stays until when and why, who is told.

    In Swedish for ``lang="sv"``, else in English; recipients' names in ``lang``.
    Recipients that Art. 19 does not reach are listed with the reason.
    """
    t = RECEIPT.texts(language(lang, default="en"))
    gone: dict[str, set[str]] = {}
    kept: dict[tuple[str, str, str], set[str]] = {}
    for i in items:
        if i.action is ErasureAction.RETAIN:
            # "until 2033-01-01", or the whole phrase "until reviewed": never "until until …"
            until = f"{t['until']} {i.until.date().isoformat()}" if i.until else t["until_reviewed"]
            kept.setdefault((until, i.purpose or "", i.legal_reference or i.reason), set()).add(
                f"{i.source}.{i.field}"
            )
        else:
            gone.setdefault(i.source, set()).add(i.field)
    out = [t["title"], "", t["gone"]]
    out += [f"- {src}: {', '.join(sorted(fields))}" for src, fields in sorted(gone.items())] or [
        "- -"
    ]
    out += ["", t["kept"]]
    for (until, purpose, why), fields in sorted(kept.items()):
        out.append(f"- {', '.join(sorted(fields))}: {until}; {purpose}; {why}")
    if not kept:
        out.append("- -")
    out += notification.lines(lang)
    return "\n".join(out) + "\n"


@attrs.frozen
class ErasureReceipt:
    """What an erasure did: what went, what stays until when and why, what failed (Art. 17, 19).

    ``anonymized`` says, per source, how many anonymous rows joined its
    anonymous set and the k they reached, or why records an anonymized-only
    purpose would keep were erased instead (Recital 26).
    """

    subject: SubjectRef
    at: datetime
    changed: tuple[tuple[str, int], ...]
    retained: tuple[ErasureItem, ...]
    failed: tuple[tuple[str, str], ...]
    shredded: bool
    recipients: tuple[Recipient, ...]
    items: tuple[ErasureItem, ...] = attrs.field(repr=False, default=())
    not_notified: tuple[Recipient, ...] = ()
    anonymized: tuple[AnonymizationOutcome, ...] = ()

    @property
    def complete(self) -> bool:
        """True when every source did its part; a rerun finishes what failed."""
        return not self.failed

    @property
    def total_changed(self) -> int:
        """Records changed by this run (0 on a rerun of a completed erasure)."""
        return sum(n for _, n in self.changed)

    def counts(self) -> dict[str, Any]:
        """What the erasure did in counts, source names and dates: no value, no identifier.

        What the audit log and the erasure journal keep of it (Art. 5(2),
        5(1)(c)): records changed and failed per source, the dates retained
        data is kept until, whether the key was shredded, anonymous rows added.
        """
        return {
            "changed": dict(self.changed),
            "failed": [name for name, _ in self.failed],
            "retained_until": sorted({i.until.isoformat() for i in self.retained if i.until}),
            "shredded": self.shredded,
            "anonymous_rows": {o.source: o.written for o in self.anonymized if o.written},
            "complete": self.complete,
        }

    def render(self, lang: str = "en") -> str:
        """The receipt as text that can be sent to the data subject."""
        notification = RecipientNotification(self.recipients, self.not_notified)
        text = render_for_subject(self.items, notification, lang)
        text += "".join(line + "\n" for line in outcome_lines(self.anonymized, lang))
        if self.failed:
            head = RECEIPT.text("failed", language(lang, default="en"))
            text += f"\n{head}: " + ", ".join(name for name, _ in self.failed) + "\n"
        return text
