"""``python -m gdprkit``: the command line."""

from gdprkit.cli import main

raise SystemExit(main())
