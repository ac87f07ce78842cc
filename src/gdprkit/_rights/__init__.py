"""The machinery behind :mod:`gdprkit.rights`, one idea per module.

``sources`` (whose records, and what a source can do), ``sql_source``,
``scope`` and ``cells`` (what goes into an export package, and how values are
written), ``export`` (the package writer), ``manifest``, ``page``,
``verify``; ``actions``, ``plan``, ``execute`` and ``receipt`` for erasure
(Art. 17); ``rectify`` (Art. 16).
"""
