"""The machinery behind :mod:`gdprkit.anonymize`, one idea per module.

``checks`` validates arguments without echoing values; ``generalisers`` and
``numbers`` coarsen one value; ``generalization`` applies declared generalisers
to rows; ``risk`` measures equivalence classes and suppresses the small ones.
Users import all of it from :mod:`gdprkit.anonymize`.
"""
