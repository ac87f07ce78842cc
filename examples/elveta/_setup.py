"""Shared set-up for the example scripts: a fresh Elveta service database in a folder."""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path

import service


def workdir() -> Path:
    """The folder to work in: $GDPRKIT_EXAMPLE_DIR (set by run_all.py) or a new temporary one."""
    folder = os.environ.get("GDPRKIT_EXAMPLE_DIR") or tempfile.mkdtemp(prefix="elveta-")
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    return path


def service_db(folder: Path, customers: int = 3) -> sqlite3.Connection:
    """A freshly seeded service database (invented customers C-1042, C-1043, ...)."""
    db = folder / "elveta.db"
    db.unlink(missing_ok=True)
    conn = sqlite3.connect(db)
    service.create_schema(conn)
    service.seed(conn, customers=customers, hours=48)
    return conn
