"""How gdprkit writes Python values into SQL columns: the inverse of ``_sources._coerce``."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal


def to_db(value: object) -> object:
    """A DB-API parameter for ``value``: ISO text for dates and text for decimals.

    Bools pass through: sqlite3 stores them as 1/0 and PostgreSQL's BOOLEAN
    columns refuse integers.
    """
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
