"""An append-only, keyed hash chain of audit entries that never holds raw personal data.

Each entry stores an HMAC-SHA256 of its canonical JSON, which includes the
hash of the entry before it, under a key derived from the audit keyring. So a
changed, deleted, inserted or reordered entry breaks the chain, and someone
who can write the store but does not hold the keyring cannot append or
rewrite entries that verify; truncation is caught against a head saved
earlier. Entries an older gdprkit wrote (plain SHA-256) still verify as
*legacy* entries before the first keyed one (:class:`AuditCheck` counts
them). Subjects appear only as keyed tokens (``gdprkit.pseudonym``), never
as identifiers. This is the controller's evidence of accountability (GDPR
Art. 5(2), 24(1), 30) and its integrity (Art. 32(1)(b)).
"""

from __future__ import annotations

from gdprkit._audit.chain import AuditCheck
from gdprkit._audit.entries import GENESIS, AuditEntry, AuditHead, JSONValue, canonical_json
from gdprkit._audit.log import AuditLog
from gdprkit._errors import AuditIntegrityError as AuditIntegrityError
from gdprkit._util import require_aware as require_aware
from gdprkit._util import utc_stamp as utc_stamp

# Besides __all__, the names imported `as` themselves stay importable from here, as
# they were before the module was split.
__all__ = [
    "GENESIS",
    "AuditCheck",
    "AuditEntry",
    "AuditHead",
    "AuditLog",
    "JSONValue",
    "canonical_json",
]
