"""The machinery behind :mod:`gdprkit.tagging`, one idea per module.

``schema`` (a field's :class:`~gdprkit.tagging.Tag`, a class's
:class:`~gdprkit.tagging.Schema`), ``models`` (the model adapters that list a
class's fields and what is attached to them) and ``classify`` (the
classification gate over modules and classes). The decorator, ``schema_of()``
and ``project()`` are in :mod:`gdprkit.tagging` itself.
"""
