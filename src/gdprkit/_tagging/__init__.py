"""The machinery behind :mod:`gdprkit.tagging`, one idea per module.

``registry`` (where ``project()`` finds its guards: installed for the
process, overridden per context) and ``grounds`` (the Art. 18(2) grounds a
call to ``project()`` may state). Import from :mod:`gdprkit.tagging`.
"""
