"""The reader of the [recipients] section: recipients by category or by identity, and Art. 19.

A recipient entry is a category (``IT and cloud providers``) or, with
``identity``, one recipient named by its legal name, which a data subject
who asks must be told (CJEU C-154/21 *Österreichische Post*: the identity of
the actual recipients, unless that is impossible). A named recipient may
belong to the ``category`` of another entry, so that the notice can list
categories (Art. 13(1)(e)) while the answer to a subject names identities.
Each may say that communicating a rectification, erasure or restriction to it
(Art. 19) is impossible or involves disproportionate effort, with the reason.
"""

from __future__ import annotations

from typing import Final

from gdprkit._policy import required as law
from gdprkit._policy.sections import read_text
from gdprkit._policy.values import EEA, Recipient, Text
from gdprkit._reader import Reader

__all__ = ["read_recipients"]

_KEYS: Final = (
    "name",
    "kind",
    "country",
    "safeguards",
    "identity",
    "category",
    "contact",
    "notification",
    "notification_reason",
)
_NOTIFICATION: Final = ("required", "impossible", "disproportionate_effort")


def read_recipients(top: Reader, languages: tuple[str, ...]) -> dict[str, Recipient]:
    """The [recipients] section; one outside the EEA needs its transfer safeguards (Art. 46)."""
    recipients: dict[str, Recipient] = {}
    recs = top.table("recipients")
    if recs is None:
        return recipients
    for rid in recs.data:
        rr = recs.table(rid)
        if rr is not None:
            recipients[rid] = _recipient(rid, rr, languages)
    for rid, recipient in recipients.items():
        _check_category(recs.table(rid) or recs, recipient, recipients)
    return recipients


def _recipient(rid: str, rr: Reader, languages: tuple[str, ...]) -> Recipient:
    """One entry, its transfer safeguards and its Art. 19 notification checked."""
    rr.unknown(_KEYS)
    country = (rr.string("country", default="SE") or "SE").upper()
    if not (len(country) == 2 and country.isalpha()):
        rr.problem("country", "must be an ISO 3166-1 alpha-2 country code")
    safeguards = rr.string("safeguards")
    if country not in EEA and safeguards is None:
        rr.problem(
            "safeguards",
            "a recipient outside the EEA needs its transfer safeguards "
            "(Art. 46; Art. 13(1)(f), 15(2), 30(1)(e))",
        )
    notification = rr.string("notification", default="required") or "required"
    if notification not in _NOTIFICATION:
        rr.problem("notification", "must be " + ", ".join(repr(n) for n in _NOTIFICATION))
        notification = "required"
    reason = read_text(rr, "notification_reason", languages, required=False)
    if notification != "required" and reason is None:
        rr.missing(
            "notification_reason",
            "why the recipient cannot be told of a rectification, erasure or restriction; "
            "Art. 19 allows it only where that proves impossible or involves "
            "disproportionate effort",
        )
    if notification == "required" and reason is not None:
        rr.problem("notification_reason", "is only for notification = 'impossible' or "
                   "'disproportionate_effort'")  # fmt: skip
    return Recipient(
        id=rid,
        name=read_text(rr, "name", languages, required=True, why=law.RECIPIENT) or Text(()),
        kind=rr.string("kind", default="processor") or "processor",
        country=country,
        safeguards=safeguards,
        identity=rr.string("identity"),
        category=rr.string("category"),
        contact=rr.string("contact"),
        notification=notification,  # type: ignore[arg-type]
        notification_reason=reason,
    )


def _check_category(rr: Reader, recipient: Recipient, recipients: dict[str, Recipient]) -> None:
    """A named recipient's ``category`` is another entry, itself a category."""
    if recipient.category is None:
        return
    if recipient.identity is None:
        rr.problem("category", "only a recipient named by identity belongs to a category")
        return
    parent = recipients.get(recipient.category)
    if parent is None:
        rr.problem("category", f"unknown recipient {recipient.category!r}")
    elif parent.identity is not None:
        rr.problem("category", "must name a category of recipients (an entry without identity)")
