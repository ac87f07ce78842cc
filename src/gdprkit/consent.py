"""The consent, objection and restriction ledger (GDPR Art. 7, 18, 21; LEK 9 kap. 28 §).

:class:`Ledger` keeps, in the SQLite store, what decides whether a data
subject's data may be processed for a purpose at a given instant:

* **consent** (Art. 6(1)(a), 7): who consented, when, to which purposes,
  after which notice version, how (an :class:`IndicationMethod`: only an
  affirmative act is consent, Art. 4(11)), and for how long, as append-only
  ISO/IEC TS 27560 shaped :class:`ConsentRecord` evidence (Art. 7(1));
  withdrawal is one call (Art. 7(3)) and reaches forward only; its
  :class:`ConsentStatus` at an instant is given, withdrawn, expired or never
  given;
* **objections** (Art. 21) as decisions (:class:`ObjectionState`): absolute
  for direct marketing (Art. 21(3)); otherwise pending assessment, with the
  purpose restricted meanwhile (Art. 18(1)(d)), until the controller records
  compelling grounds (processing resumes) or upholds it (processing stops
  for good, and the data may be erased, Art. 17(1)(c));
* **restrictions** (Art. 18): of all data held on a subject or of part of
  it (a :class:`RestrictionScope`: a kind of record, some record ids, a
  period); what one covers is only stored, unless a call states an Art.
  18(2) ground; the subject is told before it is lifted (Art. 18(3));
* **cookie consent** (LEK (2022:482) 9 kap. 28 §): ``cookies.<category>``
  pseudo-purposes.

Every answer is "as of an instant": the ledger is a history, not a current
state, so it can still say whether processing last spring was lawful.
Subjects are stored only as keyed tokens of the ledger's
:class:`~gdprkit.pseudonym.Pseudonymizer`: pin its ``key_id`` (or re-tokenise
the ledger) when the keyring rotates, or old entries stop matching.

The ledger is evidence and survives erasure (Art. 7(1), 17(3)(b), (e)): an
erasure must not call anything on it. Old evidence goes only through
:meth:`Ledger.purge_evidence`.
"""

from __future__ import annotations

from typing import Final

from gdprkit._consent import cookies as _cookies
from gdprkit._consent import records as _records
from gdprkit._consent.indication import IndicationMethod
from gdprkit._consent.ledger import Ledger
from gdprkit._consent.objections import Objection, ObjectionState
from gdprkit._consent.records import (
    ConsentEvent,
    ConsentPurpose,
    ConsentRecord,
    ConsentState,
    ConsentStatus,
)
from gdprkit._consent.restrictions import Restriction
from gdprkit._consent.scope import RestrictionScope
from gdprkit._errors import ConsentRequired as ConsentRequired
from gdprkit._errors import LedgerError
from gdprkit._errors import Objected as Objected
from gdprkit._errors import Restricted as Restricted
from gdprkit._errors import UnknownPurpose as UnknownPurpose
from gdprkit._util import require_aware as require_aware
from gdprkit._util import require_text as require_text
from gdprkit._util import utc_stamp as utc_stamp
from gdprkit.policy import CookieDeclaration as CookieDeclaration
from gdprkit.policy import Policy as Policy
from gdprkit.policy import Purpose as Purpose
from gdprkit.pseudonym import Pseudonymizer as Pseudonymizer
from gdprkit.store import Store as Store
from gdprkit.store import StoreConnection as StoreConnection
from gdprkit.store import check_store as check_store
from gdprkit.timecalc import Period as Period
from gdprkit.vocab import DPV as DPV
from gdprkit.vocab import DPV_GDPR as DPV_GDPR
from gdprkit.vocab import DPV_PD as DPV_PD
from gdprkit.vocab import Art9Condition as Art9Condition
from gdprkit.vocab import LegalBasis as LegalBasis

# The names imported `as` themselves above are not this module's API: it exposed them,
# as by-products of its imports, before it became a facade, and they stay importable.
__all__ = [
    "COOKIE_PREFIX",
    "SCHEMA_VERSION",
    "ConsentEvent",
    "ConsentPurpose",
    "ConsentRecord",
    "ConsentState",
    "ConsentStatus",
    "IndicationMethod",
    "Ledger",
    "LedgerError",
    "Objection",
    "ObjectionState",
    "Restriction",
    "RestrictionScope",
]

#: The profile consent records conform to (DPV guide to ISO/IEC TS 27560, GDPR profile).
SCHEMA_VERSION: Final = _records.SCHEMA_VERSION

#: Cookie consent is granted for ``cookies.<category>`` pseudo-purposes.
COOKIE_PREFIX: Final = _cookies.COOKIE_PREFIX
