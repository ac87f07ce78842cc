"""Answering data subjects: sources, export (Art. 15, 20), erasure (Art. 17), rectification (Art. 16).

A :class:`DataSource` yields a subject's records (:class:`SubjectRef`);
what else a source can do is declared by the protocols it meets:
:class:`ErasableSource`, :class:`ShreddableSource`,
:class:`RectifiableSource`, :class:`SubjectFieldSource`. :class:`SQLSource`
and :class:`IterableSource` are the built-in sources.

``export_subject()`` writes what is held on a subject to one verifiable ZIP
and ``verify_package()`` re-checks it; ``plan_erasure()`` /
``execute_erasure()`` erase what no Art. 17(3) exception keeps; ``rectify()``
corrects a field. The request register (Art. 12) is kept by
:mod:`gdprkit.requests`; :class:`SubjectRequest` and its companions are
imported from here.
"""

from __future__ import annotations

from gdprkit._rights.actions import ErasureAction, ErasureItem
from gdprkit._rights.execute import RestrictionLedger, execute_erasure
from gdprkit._rights.export import ExportResult, export_subject
from gdprkit._rights.manifest import MANIFEST_SCHEMA_VERSION
from gdprkit._rights.plan import ErasurePlan, plan_erasure
from gdprkit._rights.receipt import ErasureReceipt
from gdprkit._rights.rectify import rectify
from gdprkit._rights.scope import Scope
from gdprkit._rights.sources import (
    DataSource,
    ErasableSource,
    IterableSource,
    RecordErasure,
    RectifiableSource,
    ShreddableSource,
    SubjectFieldSource,
    SubjectRef,
)
from gdprkit._rights.sql_source import SQLSource, paramstyle_of, quote_identifier
from gdprkit._rights.verify import verify_package
from gdprkit.requests import RequestKind, RequestRegister, RequestState, SubjectRequest

__all__ = [
    "MANIFEST_SCHEMA_VERSION",
    "DataSource",
    "ErasableSource",
    "ErasureAction",
    "ErasureItem",
    "ErasurePlan",
    "ErasureReceipt",
    "ExportResult",
    "IterableSource",
    "RecordErasure",
    "RectifiableSource",
    "RequestKind",
    "RequestRegister",
    "RequestState",
    "RestrictionLedger",
    "SQLSource",
    "Scope",
    "ShreddableSource",
    "SubjectFieldSource",
    "SubjectRef",
    "SubjectRequest",
    "execute_erasure",
    "export_subject",
    "paramstyle_of",
    "plan_erasure",
    "quote_identifier",
    "rectify",
    "verify_package",
]
