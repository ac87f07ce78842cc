"""Rectification (Art. 16): correcting or completing a subject's personal data in one source,
and the receipt that says whom the correction is communicated to (Art. 19)."""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from gdprkit._errors import RectificationError, SourceError
from gdprkit._i18n import RECEIPT, language
from gdprkit._rights.recipients import RecipientNotification, notification_for
from gdprkit._rights.sources import (
    DataSource,
    RectifiableSource,
    SubjectFieldSource,
    SubjectRef,
)
from gdprkit._util import require_aware
from gdprkit.tagging import Schema
from gdprkit.vocab import Origin

if TYPE_CHECKING:
    from gdprkit.audit import AuditLog
    from gdprkit.policy import Policy, Recipient

__all__ = ["RectificationReceipt", "rectification_receipt", "rectify"]


def _type_ok(value: object, hint: Any) -> bool:
    if hint is None or hint is Any:
        return True
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_type_ok(value, a) for a in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is date:
        return isinstance(value, date) and not isinstance(value, datetime)
    if hint is datetime:
        return isinstance(value, datetime) and value.tzinfo is not None
    if hint is Decimal:
        return isinstance(value, Decimal)
    if isinstance(hint, type):
        return isinstance(value, hint)
    return True


def _check_changes(
    schema: Schema, subject_field: str | None, changes: Mapping[str, object]
) -> None:
    """Refuse a change of a field that is unknown, whose, not personal, derived or mistyped."""
    hints = typing.get_type_hints(schema.model)
    tagged = {f.name: f.tag for f in schema.fields}
    for field, value in changes.items():
        if field not in schema.all_fields:
            raise RectificationError(f"{schema.name} has no field {field!r}")
        if field == subject_field:
            raise RectificationError(
                f"{schema.name}.{field} holds whose records these are; changing it would move "
                "them to another subject, which is not a rectification"
            )
        tag = tagged.get(field)
        if tag is None:
            raise RectificationError(f"{schema.name}.{field} is not personal data of the subject")
        if tag.origin is Origin.DERIVED:
            raise RectificationError(
                f"{schema.name}.{field} is derived by the controller; correct its inputs and "
                "recompute it instead"
            )
        if not _type_ok(value, hints.get(field)):
            expected = getattr(hints.get(field), "__name__", str(hints.get(field)))
            raise RectificationError(
                f"{schema.name}.{field} expects {expected}, got {type(value).__name__}"
            )


def rectify(
    subject: SubjectRef,
    source: DataSource,
    changes: Mapping[str, object],
    *,
    at: datetime,
    key: Iterable[object] | None = None,
    audit: AuditLog | None = None,
    actor: str = "gdprkit",
) -> int:
    """Correct or complete a subject's personal data in one source (GDPR Art. 16).

    Each change is checked against the tagged schema: an unknown field, a
    field that is not personal data, a DERIVED field (rectified by
    recomputing it, not by editing) or a value of the wrong type raises
    :class:`~gdprkit.RectificationError` naming the field, never the value.
    The source must be a :class:`~gdprkit.rights.RectifiableSource`; the
    field that says whose records these are (a
    :class:`~gdprkit.rights.SubjectFieldSource`'s ``subject_field``, else the
    schema's subject id field) is never changed. The audit entry names the
    fields, never the old or the new value. Returns the number of records
    changed.
    """
    require_aware(at, "at")
    if not changes:
        raise RectificationError("no changes given")
    (schema,) = source.schemas
    named = source.subject_field if isinstance(source, SubjectFieldSource) else None
    _check_changes(schema, named or schema.subject_id_field, changes)
    if not isinstance(source, RectifiableSource):
        raise SourceError(f"source {source.name!r} cannot rectify")
    count = int(source.rectify(subject, dict(changes), key=key))
    if audit is not None:
        audit.record(
            "rectification.applied",
            at=at,
            actor=actor,
            subject=subject.id,
            details={"source": source.name, "fields": sorted(changes), "records": count},
        )
    return count


@attrs.frozen
class RectificationReceipt:
    """What a rectification changed, and whom it is communicated to (Art. 16, 19).

    It names the fields, never their old or new values. ``recipients`` are
    the recipients of the purposes the fields serve, told of the correction;
    ``not_notified`` those Art. 19 does not reach, with the reason the policy
    gives. Send :meth:`render` to the data subject.
    """

    subject: SubjectRef
    at: datetime
    source: str
    fields: tuple[str, ...]
    records: int
    recipients: tuple[Recipient, ...] = ()
    not_notified: tuple[Recipient, ...] = ()

    @property
    def notification(self) -> RecipientNotification:
        """Who is told of the correction and who cannot be (Art. 19)."""
        return RecipientNotification(self.recipients, self.not_notified)

    def render(self, lang: str = "en") -> str:
        """The receipt as plain text in ``lang`` (English when gdprkit has no texts in it)."""
        t = RECEIPT.texts(language(lang, default="en"))
        out = [
            t["rectified_title"],
            "",
            t["rectified"],
            f"- {self.source}: {', '.join(self.fields)}",
        ]
        return "\n".join(out + self.notification.lines(lang)) + "\n"


def rectification_receipt(
    subject: SubjectRef,
    source: DataSource,
    fields: Iterable[str],
    policy: Policy,
    *,
    at: datetime,
    records: int,
) -> RectificationReceipt:
    """The receipt of a :func:`rectify` of ``fields`` in ``source``, with its Art. 19 recipients.

    The recipients are those of every purpose the corrected fields are tagged
    for: they received the inaccurate data and are told of the correction
    (Art. 19), unless the policy says that is impossible or disproportionate.
    """
    require_aware(at, "at")
    names = tuple(dict.fromkeys(fields))
    tags = {f.name: f.tag for schema in source.schemas for f in schema.fields}
    unknown = [n for n in names if n not in tags]
    if unknown:
        raise RectificationError(f"source {source.name!r} has no personal field {unknown[0]!r}")
    notification = notification_for(policy, (p for n in names for p in tags[n].purposes))
    return RectificationReceipt(subject, at, source.name, names, records,
                                notification.notified, notification.not_notified)  # fmt: skip
