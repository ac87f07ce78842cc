"""The ``gdprkit`` command's subcommands that have a module of their own, one per command.

Each module's ``add_command(sub)`` adds its subcommand to the parser of
:mod:`gdprkit.cli`.
"""
