"""Answering data subjects: sources, export (Art. 15, 20), erasure (Art. 17), rectification (Art. 16).

A :class:`DataSource` yields a subject's records (:class:`SubjectRef`);
what else a source can do is declared by the protocols it meets:
:class:`ErasableSource`, :class:`ShreddableSource`, :class:`AnonymizingSource`,
:class:`RectifiableSource`, :class:`SubjectFieldSource`,
:class:`ThirdPartySource`. :class:`SQLSource`
and :class:`IterableSource` are the built-in sources.

``export_subject()`` writes what is held on a subject to one verifiable ZIP,
other people's data withheld by a :data:`Redactor` returning
:class:`Redacted`, and ``verify_package()`` re-checks it; ``clean_stale_exports()`` removes
what exports killed mid-way left behind; ``plan_erasure()`` /
``execute_erasure()`` erase what no Art. 17(3) exception keeps; ``rectify()``
corrects a field. ``ErasureJournal`` keeps every executed erasure and
``replay_erasures()`` re-runs them after a backup of the service is restored.
The recipients of Art. 19 are on every receipt (erasure,
``rectification_receipt()``, ``restriction_receipt()``), and
``recipients_for()`` answers "who received my data?" (Art. 15(1)(c)). The request register (Art. 12) is kept by
:mod:`gdprkit.requests`; :class:`SubjectRequest` and its companions are
imported from here.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from gdprkit._rights import sql_source as _sql_source
from gdprkit._rights.actions import ErasureAction, ErasureItem
from gdprkit._rights.anonymous import AnonymizationOutcome, AnonymousPart, NotAnonymous
from gdprkit._rights.execute import RestrictionLedger, execute_erasure
from gdprkit._rights.export import ExportResult, export_subject
from gdprkit._rights.journal import ErasureJournal, JournalEntry, read_journal
from gdprkit._rights.manifest import MANIFEST_SCHEMA_VERSION
from gdprkit._rights.plan import ErasurePlan, plan_erasure
from gdprkit._rights.preview import PREVIEW_ROWS
from gdprkit._rights.receipt import ErasureReceipt
from gdprkit._rights.recipients import (
    ReceivedBy,
    RecipientNotification,
    RecipientsAnswer,
    notification_for,
    recipients_for,
)
from gdprkit._rights.rectify import RectificationReceipt, rectification_receipt, rectify
from gdprkit._rights.redact import Redacted, RedactionGround, Redactor
from gdprkit._rights.replay import ReplayedErasure, ReplayReport, replay_erasures
from gdprkit._rights.restriction import RestrictionReceipt, restriction_receipt
from gdprkit._rights.scope import Scope
from gdprkit._rights.sources import (
    AnonymizingSource,
    DataSource,
    ErasableSource,
    IterableSource,
    RecordErasure,
    RectifiableSource,
    ShreddableSource,
    SubjectFieldSource,
    SubjectRef,
    ThirdPartySource,
)
from gdprkit._rights.sql_source import SQLSource
from gdprkit._rights.staging import StagingCleanup, clean_stale_exports
from gdprkit._rights.verify import verify_package
from gdprkit.requests import RequestKind, RequestRegister, RequestState, SubjectRequest

if TYPE_CHECKING:
    # Deprecated: reached at run time through __getattr__ below, which warns.
    from gdprkit._rights.sql_source import paramstyle_of as paramstyle_of
    from gdprkit._rights.sql_source import quote_identifier as quote_identifier

__all__ = [
    "MANIFEST_SCHEMA_VERSION",
    "PREVIEW_ROWS",
    "AnonymizationOutcome",
    "AnonymizingSource",
    "AnonymousPart",
    "DataSource",
    "ErasableSource",
    "ErasureAction",
    "ErasureItem",
    "ErasureJournal",
    "ErasurePlan",
    "ErasureReceipt",
    "ExportResult",
    "IterableSource",
    "JournalEntry",
    "NotAnonymous",
    "ReceivedBy",
    "RecipientNotification",
    "RecipientsAnswer",
    "RecordErasure",
    "RectifiableSource",
    "RectificationReceipt",
    "Redacted",
    "RedactionGround",
    "Redactor",
    "ReplayReport",
    "ReplayedErasure",
    "RequestKind",
    "RequestRegister",
    "RequestState",
    "RestrictionLedger",
    "RestrictionReceipt",
    "SQLSource",
    "Scope",
    "ShreddableSource",
    "StagingCleanup",
    "SubjectFieldSource",
    "SubjectRef",
    "SubjectRequest",
    "ThirdPartySource",
    "clean_stale_exports",
    "execute_erasure",
    "export_subject",
    "notification_for",
    "plan_erasure",
    "read_journal",
    "recipients_for",
    "rectification_receipt",
    "rectify",
    "replay_erasures",
    "restriction_receipt",
    "verify_package",
]

#: Names this module no longer offers as its API: SQLSource's own SQL helpers.
_MOVED = frozenset({"paramstyle_of", "quote_identifier"})

if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        if name in _MOVED:
            warnings.warn(
                f"gdprkit.rights.{name} is deprecated and will be removed: it is a helper of "
                f"SQLSource, not rights API; it lives in gdprkit._rights.sql_source (private)",
                DeprecationWarning,
                stacklevel=2,
            )
            return getattr(_sql_source, name)
        raise AttributeError(f"module 'gdprkit.rights' has no attribute {name!r}")
