"""Checks of what callers pass to the pseudonymisation tools: typed errors that never echo it.

A value handed to a pseudonymizer is personal data and a key is a secret,
so no message here repeats the value (only its field name and type), and a
failed encoding is raised outside the ``except`` block that caught it, so
no exception context carries the value either.
"""

from __future__ import annotations

from datetime import UTC, datetime

from gdprkit._util import require_aware

__all__ = [
    "at_or_now",
    "check_domain",
    "check_text",
    "encode_value",
    "not_unicode",
]


def at_or_now(at: datetime | None) -> datetime:
    """``at`` (aware, as UTC) or the current time: a record of when, never a decision."""
    if at is None:
        return datetime.now(UTC)
    return require_aware(at, "at").astimezone(UTC)


def check_domain(domain: object) -> str:
    """``domain`` if it is non-empty text that encodes as UTF-8 (it is bound into every subkey)."""
    if not isinstance(domain, str):
        raise TypeError(f"domain must be a str, got {type(domain).__name__}")
    if not domain:
        raise ValueError("domain must be a non-empty str")
    if not _encodable(domain):
        raise ValueError("domain is not valid Unicode text (lone surrogate)")
    return domain


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def encode_value(value: object, what: str) -> bytes:
    """The bytes of a str (UTF-8) or bytes value; typed errors that never echo the value."""
    if isinstance(value, str):
        try:
            # str.encode: a subclass's own encode() must not choose the bytes.
            return str.encode(value, "utf-8")
        except UnicodeEncodeError:
            pass
        raise not_unicode(what)
    if isinstance(value, bytes):
        return bytes(value)
    raise TypeError(f"{what} must be str or bytes, got {type(value).__name__}")


def not_unicode(what: str) -> ValueError:
    """The error for text with a lone surrogate: it names the field, not the value."""
    return ValueError(f"{what} is not valid Unicode text (lone surrogate)")


def check_text(value: object, what: str) -> str:
    """``value`` if it is non-empty text that encodes as UTF-8 (a subject, a field, a name)."""
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, got {type(value).__name__}")
    if not value:
        raise ValueError(f"{what} must be a non-empty str")
    if not _encodable(value):
        raise not_unicode(what)
    return value
