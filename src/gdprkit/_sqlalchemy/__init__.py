"""The machinery of :mod:`gdprkit.sqlalchemy`; importing it checks that SQLAlchemy 2 is there."""

from __future__ import annotations

try:
    import sqlalchemy
except ImportError:  # pragma: no cover - exercised without the extra
    raise ImportError(
        "gdprkit.sqlalchemy needs SQLAlchemy 2.0 or newer: pip install 'gdprkit[sqlalchemy]'",
        name="sqlalchemy",
    ) from None

if int(sqlalchemy.__version__.split(".")[0]) < 2:  # pragma: no cover - depends on the version
    raise ImportError(
        f"gdprkit.sqlalchemy needs SQLAlchemy 2.0 or newer, not {sqlalchemy.__version__}: "
        "pip install 'gdprkit[sqlalchemy]'",
        name="sqlalchemy",
    )
