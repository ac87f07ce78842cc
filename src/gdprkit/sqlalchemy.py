"""SQLAlchemy 2.0 integration: tagged mapped classes, a data source over them, retention cut-offs.

Install with ``pip install 'gdprkit[sqlalchemy]'``.

* Tag a mapped column where it is declared: ``pd_column(String, category=...,
  purposes=...)`` (the tag goes into the column's ``info``) or
  ``Mapped[Annotated[str, gk.Personal(...)]]``; declare a column not personal
  with :func:`not_personal_column` or ``Annotated[..., gk.NotPersonal()]``.
  With ``@gk.personal_data`` on the class, :func:`~gdprkit.schema_of`,
  :func:`~gdprkit.project` and the classification gate work on mapped
  classes as on attrs classes.
* :func:`subject_sources` / :class:`MappedSource`: a data subject's rows,
  found from a root class along its one-to-many relationships (a customer,
  her invoices, her meters and their readings), for
  :func:`~gdprkit.rights.export_subject` (Art. 15, 20),
  :func:`~gdprkit.rights.plan_erasure` / :func:`~gdprkit.rights.execute_erasure`
  (Art. 17, also crypto-shredding) and :func:`~gdprkit.rights.rectify`
  (Art. 16); each write is one transaction per source, on SQLite and
  PostgreSQL alike.
* :func:`expired`: the retention cut-off of :func:`gdprkit.retention.cutoff`
  as a WHERE condition, so a retention job is one ``delete()`` per table.
* :class:`UTCDateTime`: a column type for aware instants that SQLite keeps
  correctly too.

The module is named after the library it integrates, as :mod:`gdprkit.dask`
is; inside gdprkit every ``import sqlalchemy`` is absolute, so it reaches the
library, never this module.
"""

from __future__ import annotations

from gdprkit._sqlalchemy.models import UTCDateTime, not_personal_column, pd_column
from gdprkit._sqlalchemy.retention import expired
from gdprkit._sqlalchemy.source import MappedSource, subject_sources

__all__ = [
    "MappedSource",
    "UTCDateTime",
    "expired",
    "not_personal_column",
    "pd_column",
    "subject_sources",
]
