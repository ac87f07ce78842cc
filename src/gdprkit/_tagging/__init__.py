"""The machinery behind :mod:`gdprkit.tagging`, one idea per module.

``schema`` (a field's :class:`~gdprkit.tagging.Tag`, a class's
:class:`~gdprkit.tagging.Schema`), ``models`` (the model adapters that list a
class's fields and what is attached to them), ``classify`` (the
classification gate over modules and classes), ``registry`` (where
``project()`` finds its guards: installed for the process, overridden per
context) and ``grounds`` (the Art. 18(2) grounds a call to ``project()`` may
state). The decorator, ``schema_of()`` and ``project()`` are in
:mod:`gdprkit.tagging` itself; import from there.
"""
