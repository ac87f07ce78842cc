"""Answering data subjects: sources, the export package (Art. 15, 20), erasure (Art. 17).

``export_subject()`` writes what is held on a subject to one verifiable ZIP;
``verify_package()`` re-checks it.
"""

from __future__ import annotations

from gdprkit._export import (
    MANIFEST_SCHEMA_VERSION,
    ExportResult,
    export_subject,
    verify_package,
)
from gdprkit._sources import (
    DataSource,
    IterableSource,
    SQLSource,
    SubjectRef,
    paramstyle_of,
    quote_identifier,
)

__all__ = [
    "MANIFEST_SCHEMA_VERSION",
    "DataSource",
    "ExportResult",
    "IterableSource",
    "SQLSource",
    "SubjectRef",
    "export_subject",
    "paramstyle_of",
    "quote_identifier",
    "verify_package",
]
