"""A privacy policy as code: controller, purposes with legal bases, recipients, cookies.

``Policy.from_toml()`` checks the whole file and reports every problem at
once, each with its key path. The same declaration renders the Art. 30(1)
record of processing activities, the Art. 13 privacy notice (sv/en) and a
W3C DPV JSON-LD description.
"""

from __future__ import annotations

from gdprkit._policy import values as _values
from gdprkit._policy.document import Policy
from gdprkit._policy.ropa import ProcessingActivity, RecordOfProcessing
from gdprkit._policy.values import (
    Authority,
    Controller,
    CookieDeclaration,
    CookiePurpose,
    Purpose,
    Recipient,
    SubjectKind,
    Text,
)

# isort: split
# The names imported `as` themselves are not this module's API: it held them before its
# body moved to gdprkit._policy, and they stay importable. They are documented where they live.
from gdprkit._errors import PolicyError as PolicyError
from gdprkit._errors import PolicyProblem as PolicyProblem
from gdprkit._errors import UnknownPurpose as UnknownPurpose
from gdprkit._reader import Problems as Problems
from gdprkit._reader import Reader as Reader
from gdprkit._util import FrozenMap as FrozenMap
from gdprkit.vocab import BUILTIN_TAXONOMY as BUILTIN_TAXONOMY
from gdprkit.vocab import DPV as DPV
from gdprkit.vocab import Art9Condition as Art9Condition
from gdprkit.vocab import CategoryInfo as CategoryInfo
from gdprkit.vocab import DataCategory as DataCategory
from gdprkit.vocab import LegalBasis as LegalBasis
from gdprkit.vocab import Right as Right
from gdprkit.vocab import Taxonomy as Taxonomy

__all__ = [
    "EEA",
    "Authority",
    "Controller",
    "CookieDeclaration",
    "CookiePurpose",
    "Policy",
    "ProcessingActivity",
    "Purpose",
    "Recipient",
    "RecordOfProcessing",
    "SubjectKind",
    "Text",
]

#: EU member states and the other EEA countries (ISO 3166-1 alpha-2): transfers
#: elsewhere are third-country transfers under GDPR Chapter V.
EEA = _values.EEA
