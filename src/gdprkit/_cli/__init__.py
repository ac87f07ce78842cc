"""The ``gdprkit`` command line's machinery: exit statuses, store arguments, and the commands
that live in modules of their own, one per command.

Each command module has an ``add_command(sub, common)`` that
``gdprkit.cli.build_parser`` calls with its subparsers and the common options.
"""
