"""The commands of :mod:`gdprkit.cli` that live in modules of their own, one per command.

Each module offers ``add_command(sub)``, which adds its subcommand to the
``gdprkit`` parser; ``cli.py`` registers it with a line.
"""
