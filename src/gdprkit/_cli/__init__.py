"""The ``gdprkit`` command line's machinery: exit statuses, store arguments, commands."""
