"""The machinery behind :mod:`gdprkit.pseudonym`, one idea per module.

``secret`` holds key material that never prints; ``keys`` the key values
and ids; ``keyring`` the :class:`~gdprkit.pseudonym.Keyring` and
``persist`` its JSON and store forms; ``tokens`` the one-way tokens and the
normalisers; ``sealing`` the reversible tokens; ``subject_keys``
crypto-shredding; ``inputs`` the checks of what callers pass. The raw
primitives are in :mod:`gdprkit._crypto`.
"""
