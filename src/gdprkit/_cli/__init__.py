"""The ``gdprkit`` command line's machinery: exit statuses, store arguments, and the commands
that live in modules of their own, one per command (each registered by ``cli.py``)."""
