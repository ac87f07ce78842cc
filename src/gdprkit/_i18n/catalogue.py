"""Catalogues of messages by id, each message in Swedish and English, and periods in words."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal

import attrs

from gdprkit._errors import UnknownLanguage
from gdprkit._util import FrozenMap

__all__ = ["LANGUAGES", "Catalogue", "Language", "Message", "language", "period_words"]

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


#: Units of time, singular and plural, and the word that joins the last two parts.
_UNITS: Final = Catalogue(
    {
        "years.one": Message(sv="{n} år", en="{n} year"),
        "years.many": Message(sv="{n} år", en="{n} years"),
        "months.one": Message(sv="{n} månad", en="{n} month"),
        "months.many": Message(sv="{n} månader", en="{n} months"),
        "days.one": Message(sv="{n} dag", en="{n} day"),
        "days.many": Message(sv="{n} dagar", en="{n} days"),
        "and": Message(sv="och", en="and"),
    }
)


def period_words(lang: str, *, years: int = 0, months: int = 0, days: int = 0) -> str:
    """A period in words: ``"12 månader"``, ``"1 year and 6 months"``, ``"90 dagar"``.

    What a person reads (a cookie's lifetime, LEK 9 kap. 28 §; a storage
    period, Art. 13(2)(a)) is said in words, not as an ISO 8601 duration.
    """
    parts = [
        _UNITS.text(f"{unit}.{'one' if n == 1 else 'many'}", lang).format(n=n)
        for unit, n in (("years", years), ("months", months), ("days", days))
        if n
    ] or [_UNITS.text("days.many", lang).format(n=0)]
    if len(parts) == 1:
        return parts[0]
    return f"{', '.join(parts[:-1])} {_UNITS.text('and', lang)} {parts[-1]}"
