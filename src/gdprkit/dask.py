"""Pseudonymisation and anonymisation of Dask DataFrames, partition by partition.

Install with ``pip install 'gdprkit[dask]'`` (Dask, pandas and PyArrow). The
functions build lazy Dask graphs; nothing runs until ``.compute()``,
``.persist()`` or a write:

* :func:`pseudonymize` replaces identifier columns by the tokens of
  :class:`~gdprkit.pseudonym.Pseudonymizer` (Art. 4(5), 32(1)(a)); the
  tokens equal those of a single-process ``Pseudonymizer.tokens()``.
* :func:`generalize` applies a :class:`~gdprkit.anonymize.Generalization`
  column by column; :func:`k_anonymity` and :func:`enforce_k` measure and
  enforce k over *all* partitions (an equivalence class may be spread
  over many of them, so a per-partition k would be wrong).
* :func:`pseudonymize_batches` and :func:`generalize_batches` do the same to
  an iterator of PyArrow record batches: the shape of Spark's
  ``DataFrame.mapInArrow``.

How the keys reach the workers
------------------------------
A Dask graph is pickled, shipped to the scheduler and the workers, and its
task names end up in logs and dashboards. Key material must not travel that
way: whoever reads a pickled graph, a spilled task or a debug dump would
hold the means of re-identification, which Art. 4(5) requires to be "kept
separately". So :func:`pseudonymize` takes no :class:`~gdprkit.pseudonym.Keyring`,
only a :class:`KeyringSource`: a *locator* (a file path, an environment
variable name, a store URL) that is pickled into the graph instead. Each
worker process loads the keyring from there the first time a task needs it
and caches the :class:`~gdprkit.pseudonym.Pseudonymizer` for the life of the
process (:func:`forget_keys` drops the cache, e.g. after a rotation). The
client never loads the keys unless it computes a partition itself. Provision
the secret to the workers the way a secret is provisioned to any service: a
mounted secret file (mode ``0600``), or an environment variable set on the
worker (the Nanny's ``env=``, a Kubernetes secret); the scheduler needs
neither.

Vectorisation
-------------
Token columns go through Arrow: each distinct value of a partition is
tokenised once (identifier columns repeat: a customer has thousands of
hourly readings) and the tokens are gathered back with ``take``; a column
whose values are mostly distinct is tokenised value by value, as
``Pseudonymizer.tokens()`` does. Generalisers run on whole columns where
that is exact: :class:`~gdprkit.anonymize.Truncate` on time-zone-aware
datetime columns and :class:`~gdprkit.anonymize.Bucket` /
:class:`~gdprkit.anonymize.EdgeBucket` on numeric columns compute bucket
numbers with NumPy, and call the generaliser once per bucket for its label;
values so close to a bucket edge that floating point could misplace them,
and wall-clock times that a time-zone change makes ambiguous or skips, go
through the generaliser itself. Other generalisers are called once per
distinct value of the partition, or once per row where equality of values
does not imply equality of results (object columns of mixed types). The
results always equal those of :meth:`Generalization.apply` on the rows
(aware datetimes as instants: a wall time that a zone skips, which
:func:`~gdprkit.anonymize.truncate` can return, is held as the same instant).

The machinery lives in ``gdprkit._dask``, one module per idea (keys,
tokens, columns, generalize, risk); this module is its public face.
"""

from __future__ import annotations

from gdprkit import store as _store
from gdprkit._dask.generalize import generalize, generalize_batches
from gdprkit._dask.keys import KeyringSource, forget_keys
from gdprkit._dask.risk import enforce_k, k_anonymity
from gdprkit._dask.tokens import pseudonymize, pseudonymize_batches
from gdprkit._errors import AnonymizationError as AnonymizationError
from gdprkit._errors import GdprkitError as GdprkitError
from gdprkit._errors import KeyringError as KeyringError
from gdprkit._errors import NaiveDatetimeError as NaiveDatetimeError
from gdprkit.anonymize import Bucket as Bucket
from gdprkit.anonymize import EdgeBucket as EdgeBucket
from gdprkit.anonymize import From as From
from gdprkit.anonymize import Generalization as Generalization
from gdprkit.anonymize import PostcodePrefix as PostcodePrefix
from gdprkit.anonymize import Recode as Recode
from gdprkit.anonymize import Suppress as Suppress
from gdprkit.anonymize import SuppressionReport as SuppressionReport
from gdprkit.anonymize import Truncate as Truncate
from gdprkit.pseudonym import Keyring as Keyring
from gdprkit.pseudonym import Pseudonymizer as Pseudonymizer

open_store = _store.open

# Besides __all__, open_store and the names imported `as` themselves stay importable
# from here, as they were before the module was split.
__all__ = [
    "KeyringSource",
    "enforce_k",
    "forget_keys",
    "generalize",
    "generalize_batches",
    "k_anonymity",
    "pseudonymize",
    "pseudonymize_batches",
]
