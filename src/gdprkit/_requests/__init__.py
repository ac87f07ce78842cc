"""The machinery of :mod:`gdprkit.requests`, one idea per module.

``values`` (kinds, states, the request and its history), ``rows`` (reading
requests back from the store) and ``register`` (the :class:`RequestRegister`
that receives requests and moves them on). Import from :mod:`gdprkit.requests`.
"""
