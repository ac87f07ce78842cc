"""Generalisers and re-identification risk measures for candidate anonymized data.

Anonymized data falls outside the GDPR only if the data subject is "not or no
longer identifiable" by any means reasonably likely to be used (Recital 26).
This module gives the two halves of getting there: *generalisers* that coarsen
quasi-identifiers (location, postcode, dates, numbers, categories) and a
:class:`Generalization` that applies them to rows and drops every column not
declared; and *measures* (:func:`k_anonymity`, :func:`risk_report`,
:func:`l_diversity`) plus :func:`enforce_k`, which suppresses the rows of
equivalence classes that are too small. An :class:`AnonymousForm` puts both
together for one record kind: its columns from generalisers (or an
aggregation with :class:`Measure`), and the k (and l) its anonymous set must
reach; an erasure that keeps data as anonymous data writes that form.

The measures address the WP29 criteria of Opinion 05/2014 (WP216) only in
part: k-anonymity bounds *singling out* within the released table, l-diversity
limits one kind of *inference*; neither says anything about *linkability* with
other releases. A measured k is evidence for a risk assessment, not a verdict.

Error messages name the column, parameter and what was expected, never the
value: the value is usually personal data.
"""

from __future__ import annotations

from typing import Final

from gdprkit._anonymize import checks as _checks
from gdprkit._anonymize import generalisers as _generalisers
from gdprkit._anonymize.forms import AnonymityCheck, AnonymousForm, Measure
from gdprkit._anonymize.generalisers import (
    CoarseLocation,
    DateUnit,
    PostcodePrefix,
    Recode,
    Suppress,
    TimeUnit,
    Truncate,
    coarse_location,
    postcode_prefix,
    truncate,
)
from gdprkit._anonymize.generalization import From, Generalization
from gdprkit._anonymize.numbers import (
    Bucket,
    Clamp,
    EdgeBucket,
    bucket,
    clamp,
    edge_bucket,
)
from gdprkit._anonymize.risk import (
    RiskReport,
    SuppressionReport,
    enforce_k,
    k_anonymity,
    l_diversity,
    risk_report,
)

# isort: split
# The names imported `as` themselves are not this module's API: it held them before its
# body moved to gdprkit._anonymize, and they stay importable.
from gdprkit._errors import AnonymizationError as AnonymizationError
from gdprkit._errors import GdprkitError as GdprkitError
from gdprkit._errors import NaiveDatetimeError as NaiveDatetimeError
from gdprkit._util import FrozenMap as FrozenMap
from gdprkit._util import require_aware as require_aware

# gdprkit.dask imports _quasi_identifiers.
_quasi_identifiers = _checks.quasi_identifiers

__all__ = [
    "EARTH_RADIUS_KM",
    "AnonymityCheck",
    "AnonymousForm",
    "Bucket",
    "Clamp",
    "CoarseLocation",
    "DateUnit",
    "EdgeBucket",
    "From",
    "Generalization",
    "Measure",
    "PostcodePrefix",
    "Recode",
    "RiskReport",
    "Suppress",
    "SuppressionReport",
    "TimeUnit",
    "Truncate",
    "bucket",
    "clamp",
    "coarse_location",
    "edge_bucket",
    "enforce_k",
    "k_anonymity",
    "l_diversity",
    "postcode_prefix",
    "risk_report",
    "truncate",
]

#: Mean Earth radius (IUGG), the sphere the location grid is laid on.
EARTH_RADIUS_KM: Final = _generalisers.EARTH_RADIUS_KM
