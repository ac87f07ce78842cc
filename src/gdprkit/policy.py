"""A privacy policy as code: controller, purposes with legal bases, recipients, cookies.

``Policy.from_toml()`` checks the whole file and reports every problem at
once, each with its key path. The same declaration renders the Art. 30(1)
record of processing activities, the Art. 13 privacy notice (sv/en) and a
W3C DPV JSON-LD description.
"""

from __future__ import annotations

from gdprkit._errors import PolicyError, PolicyProblem, UnknownPurpose  # noqa: F401
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
from gdprkit._reader import Problems, Reader  # noqa: F401
from gdprkit._util import FrozenMap  # noqa: F401
from gdprkit.vocab import (  # noqa: F401
    BUILTIN_TAXONOMY,
    DPV,
    Art9Condition,
    CategoryInfo,
    DataCategory,
    LegalBasis,
    Right,
    Taxonomy,
)

# The imports marked F401 keep the names this module held before its body moved to
# gdprkit._policy importable from here; they are documented where they live.

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
