"""The machinery behind :mod:`gdprkit.policy`, one idea per module.

``values`` holds the parts of a policy (texts, controller, purposes, cookies);
``sections``, ``purposes`` and ``cookies`` read the policy file, one small
reader per TOML section; ``document`` is the :class:`Policy` that puts them
together; ``ropa``, ``notice`` and ``dpv`` render it. Users import all of it
from :mod:`gdprkit.policy`.
"""
