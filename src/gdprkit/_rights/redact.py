"""Other people's data inside a subject's records, withheld from their copy (Art. 15(4), 20(4)).

The right to a copy "shall not adversely affect the rights and freedoms of
others" (Art. 15(4); for portability, Art. 20(4)): another person's phone
number written into the subject's support ticket, or a trade secret (Recital
63), is left out of the copy. A *redaction hook* passed to
:func:`~gdprkit.rights.export_subject` sees every value that goes into the
package, with its record, and returns it unchanged, changed, or wrapped in
:class:`Redacted`. The package notes, per record kind and field, how many
values were redacted and on which ground, never what was removed; the
files and their hashes hold what was delivered.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Final, TypeAlias

import attrs

from gdprkit._i18n import PAGE
from gdprkit._rights.cells import transpose

if TYPE_CHECKING:
    from gdprkit._rights.scope import Scope

__all__ = ["Redacted", "RedactionGround", "Redactions", "Redactor"]


class RedactionGround(enum.Enum):
    """Why a value is withheld from the subject's copy (Art. 15(4), Recital 63)."""

    #: Personal data of another person (a name, a phone number in a free text).
    OTHER_PERSON = "other_person"
    #: A trade secret or intellectual property of the controller or of others (Recital 63).
    TRADE_SECRET = "trade_secret"  # noqa: S105 (the ground's name, not a secret)

    def reason(self, article: str, lang: str = "en") -> str:
        """The reason in words, citing ``article`` as given (``"GDPR Art. 15(4)"``, or
        ``"artikel 15.4"`` on a Swedish page)."""
        return PAGE.text(f"redacted.{self.value}", lang).format(article=article)


def _not_redacted(_: object, __: attrs.Attribute[object], value: object) -> None:
    if isinstance(value, Redacted):
        raise TypeError("Redacted.replacement must be the value delivered, not another Redacted")


@attrs.frozen
class Redacted:
    """A redaction hook's answer for a value withheld from the copy (Art. 15(4), 20(4)).

    ``replacement`` is what the copy holds instead: ``None`` (the default,
    an empty cell) or, say, the ticket's text with the other person's number
    masked. ``ground`` says why; the package names the ground, never the value.
    """

    replacement: object = attrs.field(default=None, validator=_not_redacted)
    ground: RedactionGround = attrs.field(
        default=RedactionGround.OTHER_PERSON,
        validator=attrs.validators.instance_of(RedactionGround),
    )


#: A redaction hook: ``(record kind, field, value, record) -> value | Redacted``.
Redactor: TypeAlias = Callable[[str, str, Any, Any], object]

#: The article each scope's copy is limited by.
_ARTICLE: Final = {"access": "15(4)", "portability": "20(4)"}


class Redactions:
    """One record kind's values put through a redaction hook, and the count of what it withheld."""

    __slots__ = ("_counts", "_fields", "_hook", "_kind")

    def __init__(self, hook: Redactor, kind: str, fields: tuple[str, ...]) -> None:
        self._hook = hook
        self._kind = kind
        self._fields = fields
        self._counts: Counter[tuple[str, RedactionGround]] = Counter()

    def __call__(self, values: Sequence[object], record: object) -> list[object]:
        """The values to deliver for ``record``: each as the hook returns it."""
        delivered: list[object] = []
        for field, value in zip(self._fields, values, strict=True):
            answer = self._hook(self._kind, field, value, record)
            if isinstance(answer, Redacted):
                self._counts[field, answer.ground] += 1
                answer = answer.replacement
            delivered.append(answer)
        return delivered

    def columns(
        self, values_of: Callable[[Any], Sequence[object]]
    ) -> Callable[[Sequence[Any]], list[list[object]]]:
        """A function giving the delivered values of a batch of records, a column per field
        (``values_of`` gives a record's values of the fields)."""
        width = len(self._fields)
        return lambda records: transpose([self(values_of(r), r) for r in records], width)

    def entries(self, scope: Scope) -> list[dict[str, Any]]:
        """What the manifest says of them: field, count, ground and reason, in field order."""
        article = _ARTICLE[scope]
        order = {name: index for index, name in enumerate(self._fields)}
        return [
            {
                "field": field,
                "count": count,
                "ground": ground.value,
                "article": f"GDPR Art. {article}",
                "reason": ground.reason(f"GDPR Art. {article}"),
            }
            for (field, ground), count in sorted(
                self._counts.items(), key=lambda item: (order[item[0][0]], item[0][1].value)
            )
        ]
