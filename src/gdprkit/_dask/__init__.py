"""The machinery behind :mod:`gdprkit.dask`, one idea per module.

``extra`` imports the optional dependencies (or names ``gdprkit[dask]``);
``keys`` is the :class:`~gdprkit.dask.KeyringSource` and the per-process
cache; ``tokens`` pseudonymises columns; ``columns`` generalises one column
and ``generalize`` whole frames; ``risk`` measures and enforces k.
"""
