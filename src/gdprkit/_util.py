"""Small checks shared by the modules: aware datetimes, identifiers."""

from __future__ import annotations

import re
from datetime import datetime

from gdprkit._errors import NaiveDatetimeError

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def require_aware(value: object, what: str) -> datetime:
    """Return ``value`` if it is a time-zone-aware datetime, else raise a typed error."""
    if not isinstance(value, datetime):
        raise TypeError(f"{what} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise NaiveDatetimeError(
            f"{what} is a naive datetime; pass an aware one (e.g. tzinfo=ZoneInfo('Europe/Stockholm'))"
        )
    return value


def is_identifier(name: str) -> bool:
    """True for a plain ASCII identifier, safe to use as an SQL or file name."""
    return bool(_IDENT.match(name))
