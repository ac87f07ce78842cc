"""gdprkit: typed GDPR compliance primitives.

The public API is re-exported here, and every part of it loads on first
use (PEP 562): ``import gdprkit`` runs this file and :mod:`logging` only, so
it loads neither ``attrs`` nor ``typing``, let alone ``cryptography``,
``sqlite3`` or ``tomllib``. ``from gdprkit import Policy`` and
``gdprkit.Policy`` import the module that defines the name the first time;
``dir(gdprkit)`` and ``__all__`` list the whole API, loaded or not.
"""

from __future__ import annotations

import logging as _logging

# typing.TYPE_CHECKING would import typing (about 10 ms); type checkers treat
# any name TYPE_CHECKING as true, the interpreter reads this one as false.
TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any

    from gdprkit import (
        anonymize,
        audit,
        consent,
        dask,
        pseudonym,
        requests,
        retention,
        rights,
        store,
        testing,
        timecalc,
    )
    from gdprkit import (
        pydantic as pydantic,
    )
    from gdprkit import (
        sqlalchemy as sqlalchemy,
    )
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
        JournalIntegrityError,
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
        StoredRowError,
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
    from gdprkit._tagging.classify import (
        Classification,
        ModelClassification,
        check_classified,
    )
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

#: Every public name and the module it comes from, imported on first access; a
#: name whose module is ``gdprkit.<name>`` is that module itself. A new name goes
#: here, in ``__all__`` (or ``_OPTIONAL``) and in the ``TYPE_CHECKING`` imports above, for
#: type checkers: tests/test_package.py holds the three together.
_LAZY: dict[str, str] = {
    "AnonymizationError": "gdprkit._errors",
    "AuditIntegrityError": "gdprkit._errors",
    "ConsentRequired": "gdprkit._errors",
    "ExportPathError": "gdprkit._errors",
    "GdprkitError": "gdprkit._errors",
    "GdprkitWarning": "gdprkit._errors",
    "InvalidAuditHead": "gdprkit._errors",
    "InvalidConsent": "gdprkit._errors",
    "InvalidToken": "gdprkit._errors",
    "JournalError": "gdprkit._errors",
    "JournalIntegrityError": "gdprkit._errors",
    "KekError": "gdprkit._errors",
    "KeyringError": "gdprkit._errors",
    "LedgerError": "gdprkit._errors",
    "NaiveDatetimeError": "gdprkit._errors",
    "NoGuard": "gdprkit._errors",
    "NotTagged": "gdprkit._errors",
    "Objected": "gdprkit._errors",
    "ObjectionPending": "gdprkit._errors",
    "PackageIntegrityError": "gdprkit._errors",
    "PolicyError": "gdprkit._errors",
    "PolicyProblem": "gdprkit._errors",
    "ProcessingRefused": "gdprkit._errors",
    "PurposeNotAllowed": "gdprkit._errors",
    "RectificationError": "gdprkit._errors",
    "RequestStateError": "gdprkit._errors",
    "Restricted": "gdprkit._errors",
    "RetentionError": "gdprkit._errors",
    "SourceError": "gdprkit._errors",
    "StoreError": "gdprkit._errors",
    "StoredRowError": "gdprkit._errors",
    "StoreWarning": "gdprkit._errors",
    "SubjectNotInformed": "gdprkit._errors",
    "SubjectShredded": "gdprkit._errors",
    "UnclassifiedFields": "gdprkit._errors",
    "UnknownKeyId": "gdprkit._errors",
    "UnknownLanguage": "gdprkit._errors",
    "UnknownPurpose": "gdprkit._errors",
    "UnknownRequest": "gdprkit._errors",
    "UnknownTokenKey": "gdprkit._errors",
    "Classification": "gdprkit._tagging.classify",
    "ModelClassification": "gdprkit._tagging.classify",
    "check_classified": "gdprkit._tagging.classify",
    "Authority": "gdprkit.policy",
    "Controller": "gdprkit.policy",
    "CookieDeclaration": "gdprkit.policy",
    "Policy": "gdprkit.policy",
    "Purpose": "gdprkit.policy",
    "Recipient": "gdprkit.policy",
    "SubjectKind": "gdprkit.policy",
    "Text": "gdprkit.policy",
    "FieldInfo": "gdprkit.tagging",
    "NotPersonal": "gdprkit.tagging",
    "Personal": "gdprkit.tagging",
    "RestrictionGround": "gdprkit.tagging",
    "Schema": "gdprkit.tagging",
    "Tag": "gdprkit.tagging",
    "install_guards": "gdprkit.tagging",
    "not_personal": "gdprkit.tagging",
    "pd_field": "gdprkit.tagging",
    "personal_data": "gdprkit.tagging",
    "project": "gdprkit.tagging",
    "schema_of": "gdprkit.tagging",
    "using_guards": "gdprkit.tagging",
    "Art9Condition": "gdprkit.vocab",
    "DataCategory": "gdprkit.vocab",
    "LegalBasis": "gdprkit.vocab",
    "Origin": "gdprkit.vocab",
    "Right": "gdprkit.vocab",
    "SpecialCategory": "gdprkit.vocab",
    "anonymize": "gdprkit.anonymize",
    "audit": "gdprkit.audit",
    "consent": "gdprkit.consent",
    "dask": "gdprkit.dask",
    "pseudonym": "gdprkit.pseudonym",
    "pydantic": "gdprkit.pydantic",
    "requests": "gdprkit.requests",
    "retention": "gdprkit.retention",
    "rights": "gdprkit.rights",
    "sqlalchemy": "gdprkit.sqlalchemy",
    "store": "gdprkit.store",
    "testing": "gdprkit.testing",
    "timecalc": "gdprkit.timecalc",
}

#: The installed distribution's version (PEP 440), read from its metadata on first use.
__version__: str

# gdprkit logs under "gdprkit.<concern>" and leaves handlers to the application: without this,
# logging's last resort would print its warnings on stderr (docs/howto/logging.md).
_logging.getLogger(__name__).addHandler(_logging.NullHandler())


def __getattr__(name: str) -> Any:
    """A public name, imported from its module on first access, then kept here."""
    from importlib import import_module

    home = _LAZY.get(name)
    if home is not None:
        module = import_module(home)
        found = module if home == f"gdprkit.{name}" else getattr(module, name)
    elif name == "__version__":
        from gdprkit._version import version

        found = version()
    else:
        raise AttributeError(f"module 'gdprkit' has no attribute {name!r}")
    globals()[name] = found
    return found


#: Facades over a library only an extra installs. They are attributes and in ``dir()``, but
#: not in ``__all__``: ``from gdprkit import *`` must work without pydantic or SQLAlchemy.
_OPTIONAL: tuple[str, ...] = ("pydantic", "sqlalchemy")


def __dir__() -> list[str]:
    return sorted({*__all__, *_OPTIONAL, "__version__"})


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
    "JournalIntegrityError",
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
    "StoredRowError",
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
    "requests",
    "retention",
    "rights",
    "schema_of",
    "store",
    "testing",
    "timecalc",
    "using_guards",
]
