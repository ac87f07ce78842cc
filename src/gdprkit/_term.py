"""Plain terminal output: headings and aligned tables, colour only on a TTY."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from typing import TextIO


class Terminal:
    """Writes headings, key/value lines and aligned tables to a stream."""

    def __init__(self, stream: TextIO | None = None, *, colour: bool | None = None) -> None:
        self.stream = stream if stream is not None else sys.stdout
        if colour is None:
            colour = self.stream.isatty() and "NO_COLOR" not in os.environ
        self.colour = colour

    def _style(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.colour else text

    def line(self, text: str = "") -> None:
        """Write one line."""
        print(text, file=self.stream)

    def heading(self, text: str) -> None:
        """A section heading, underlined."""
        self.line()
        self.line(self._style(text, "1"))
        self.line(self._style("=" * len(text), "2"))

    def kv(self, key: str, value: object) -> None:
        """A ``key: value`` line."""
        self.line(f"  {self._style(key + ':', '36')} {value}")

    def table(self, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
        """An aligned table with a header row."""
        body = [[("" if c is None else str(c)) for c in row] for row in rows]
        widths = [len(h) for h in header]
        for row in body:
            for i, cell in enumerate(row):
                widths[i] = max(widths[i], len(cell))
        fmt = "  ".join(f"{{:<{w}}}" for w in widths)
        self.line("  " + self._style(fmt.format(*header).rstrip(), "1"))
        self.line("  " + "  ".join("-" * w for w in widths))
        for row in body:
            self.line("  " + fmt.format(*row).rstrip())
