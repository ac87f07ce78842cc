"""gdprkit's own texts in Swedish and English, held one way: catalogues of messages by id.

What gdprkit writes for a data subject (the export package's page, the
erasure receipt) must be in a language they understand, in clear and plain
words (GDPR Art. 12(1)). Each message is one value holding both languages, so
a text cannot be added in one and forgotten in the other; a lookup names its
language, and a language gdprkit has no texts in is refused with
:class:`~gdprkit.UnknownLanguage`. Callers that promise a fallback say so
with :func:`language`'s ``default``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal

import attrs

from gdprkit._errors import UnknownLanguage
from gdprkit._util import FrozenMap

__all__ = ["LANGUAGES", "Catalogue", "Language", "Message", "language"]

Language = Literal["sv", "en"]

#: The languages gdprkit's own texts are written in.
LANGUAGES: Final[tuple[Language, ...]] = ("sv", "en")


def language(lang: object, *, default: Language | None = None) -> Language:
    """``lang`` as one of :data:`LANGUAGES`; an unknown one is ``default``, or refused without one."""
    for known in LANGUAGES:
        if lang == known:
            return known
    if default is not None:
        return default
    raise UnknownLanguage(f"gdprkit has no texts in language {lang!r}; expected 'sv' or 'en'")


def _text(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value:
        raise TypeError(f"Message.{attribute.name} must be a non-empty string")


@attrs.frozen
class Message:
    """One text, in Swedish and in English."""

    sv: str = attrs.field(validator=_text)
    en: str = attrs.field(validator=_text)

    def text(self, lang: str) -> str:
        """The text in ``lang`` (``"sv"`` or ``"en"``; any other is refused)."""
        return self.sv if language(lang) == "sv" else self.en


def _messages(value: Mapping[str, Message]) -> FrozenMap[str, Message]:
    for key, message in value.items():
        if not isinstance(message, Message):
            raise TypeError(f"catalogue entry {key!r} must be a Message")
    return FrozenMap(value)


@attrs.frozen
class Catalogue:
    """Messages by id, each in Swedish and English."""

    messages: FrozenMap[str, Message] = attrs.field(converter=_messages, repr=False)

    def __repr__(self) -> str:
        return f"<Catalogue of {len(self.messages)} messages>"

    def text(self, key: str, lang: str) -> str:
        """Message ``key`` in ``lang``; an unknown language raises :class:`~gdprkit.UnknownLanguage`."""
        return self.messages[key].text(lang)

    def texts(self, lang: str) -> dict[str, str]:
        """Every message in ``lang``, by id (for templates that use many of them)."""
        chosen = language(lang)
        return {key: message.text(chosen) for key, message in self.messages.items()}
