"""The ``gdprkit`` commands that live apart from ``gdprkit.cli``, one module per command.

Each module has an ``add_command(sub)`` that ``gdprkit.cli.build_parser``
calls with its subparsers.
"""
