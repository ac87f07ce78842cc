"""gdprkit: typed GDPR compliance primitives.

The public API is re-exported here; the capability modules (``retention``,
``pseudonym``, ``anonymize``, ``rights``, ...) and ``__version__`` load on
first use, so that ``import gdprkit`` stays light: it imports neither
``cryptography`` nor ``sqlite3`` nor ``tomllib``. ``dir(gdprkit)`` lists the
public API, the modules that are not loaded yet included.
"""

from __future__ import annotations

import importlib
import logging as _logging
from typing import TYPE_CHECKING, Any

from gdprkit._errors import (
    AnonymizationError,
    AuditIntegrityError,
    ConsentRequired,
    ExportPathError,
    GdprkitError,
    GdprkitWarning,
    InvalidAuditHead,
    InvalidConsent,
    InvalidToken,
    JournalError,
    KekError,
    KeyringError,
    LedgerError,
    NaiveDatetimeError,
    NoGuard,
    NotTagged,
    Objected,
    ObjectionPending,
    PackageIntegrityError,
    PolicyError,
    PolicyProblem,
    ProcessingRefused,
    PurposeNotAllowed,
    RectificationError,
    RequestStateError,
    Restricted,
    RetentionError,
    SourceError,
    StoreError,
    StoreWarning,
    SubjectNotInformed,
    SubjectShredded,
    UnclassifiedFields,
    UnknownKeyId,
    UnknownLanguage,
    UnknownPurpose,
    UnknownRequest,
    UnknownTokenKey,
)
from gdprkit._tagging.classify import Classification, ModelClassification, check_classified
from gdprkit.policy import (
    Authority,
    Controller,
    CookieDeclaration,
    Policy,
    Purpose,
    Recipient,
    SubjectKind,
    Text,
)
from gdprkit.tagging import (
    FieldInfo,
    NotPersonal,
    Personal,
    RestrictionGround,
    Schema,
    Tag,
    install_guards,
    not_personal,
    pd_field,
    personal_data,
    project,
    schema_of,
    using_guards,
)
from gdprkit.vocab import (
    Art9Condition,
    DataCategory,
    LegalBasis,
    Origin,
    Right,
    SpecialCategory,
)

if TYPE_CHECKING:
    from gdprkit import (
        anonymize,
        audit,
        consent,
        dask,
        pseudonym,
        pydantic,
        requests,
        retention,
        rights,
        sqlalchemy,
        store,
        testing,
        timecalc,
    )

_SUBMODULES = frozenset(
    {
        "anonymize",
        "audit",
        "consent",
        "dask",
        "pseudonym",
        "pydantic",
        "requests",
        "retention",
        "rights",
        "sqlalchemy",
        "store",
        "testing",
        "timecalc",
    }
)


#: The installed distribution's version (PEP 440), read from its metadata on first use.
__version__: str

# gdprkit logs under "gdprkit.<concern>" and leaves handlers to the application: without this,
# logging's last resort would print its warnings on stderr (docs/howto/logging.md).
_logging.getLogger(__name__).addHandler(_logging.NullHandler())


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"gdprkit.{name}")
    if name == "__version__":
        from gdprkit._version import version

        globals()["__version__"] = found = version()
        return found
    raise AttributeError(f"module 'gdprkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*__all__, "__version__"})


__all__ = [
    "AnonymizationError",
    "Art9Condition",
    "AuditIntegrityError",
    "Authority",
    "Classification",
    "ConsentRequired",
    "Controller",
    "CookieDeclaration",
    "DataCategory",
    "ExportPathError",
    "FieldInfo",
    "GdprkitError",
    "GdprkitWarning",
    "InvalidAuditHead",
    "InvalidConsent",
    "InvalidToken",
    "JournalError",
    "KekError",
    "KeyringError",
    "LedgerError",
    "LegalBasis",
    "ModelClassification",
    "NaiveDatetimeError",
    "NoGuard",
    "NotPersonal",
    "NotTagged",
    "Objected",
    "ObjectionPending",
    "Origin",
    "PackageIntegrityError",
    "Personal",
    "Policy",
    "PolicyError",
    "PolicyProblem",
    "ProcessingRefused",
    "Purpose",
    "PurposeNotAllowed",
    "Recipient",
    "RectificationError",
    "RequestStateError",
    "Restricted",
    "RestrictionGround",
    "RetentionError",
    "Right",
    "Schema",
    "SourceError",
    "SpecialCategory",
    "StoreError",
    "StoreWarning",
    "SubjectKind",
    "SubjectNotInformed",
    "SubjectShredded",
    "Tag",
    "Text",
    "UnclassifiedFields",
    "UnknownKeyId",
    "UnknownLanguage",
    "UnknownPurpose",
    "UnknownRequest",
    "UnknownTokenKey",
    "anonymize",
    "audit",
    "check_classified",
    "consent",
    "dask",
    "install_guards",
    "not_personal",
    "pd_field",
    "personal_data",
    "project",
    "pseudonym",
    "pydantic",
    "requests",
    "retention",
    "rights",
    "schema_of",
    "sqlalchemy",
    "store",
    "testing",
    "timecalc",
    "using_guards",
]
