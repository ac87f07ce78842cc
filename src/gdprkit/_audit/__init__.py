"""The machinery behind :mod:`gdprkit.audit`, one idea per module.

``entries`` holds the entry and head values and the canonical JSON they are
hashed in; ``chain`` the keyed chain (its keys, the MAC of an entry, the walk
that verifies a log); ``log`` the :class:`~gdprkit.audit.AuditLog` in a store.
"""
