"""Plain terminal output: headings, aligned tables and a progress line, styled only on a TTY."""

from __future__ import annotations

import os
import sys
import textwrap
import time
from collections.abc import Callable, Iterable, Sequence
from typing import TextIO


class Terminal:
    """Writes headings, key/value lines and aligned tables to a stream.

    With ``width``, key/value lines and the last column of a table wrap to
    fit it (the demo keeps to 100 columns); without, lines are as long as
    their content (a request id is not cut in two).
    """

    def __init__(
        self, stream: TextIO | None = None, *, colour: bool | None = None, width: int | None = None
    ) -> None:
        self.stream = stream if stream is not None else sys.stdout
        if colour is None:
            colour = self.stream.isatty() and "NO_COLOR" not in os.environ
        self.colour = colour
        self.width = width

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
        """A ``key: value`` line; a long value continues on indented lines."""
        label = f"  {key}: "
        lines = [f"{label}{value}"]
        if self.width is not None and " " in str(value).strip():
            # Text wraps; a path or a token stays whole on its line, to be copied as it is.
            lines = textwrap.wrap(
                lines[0],
                self.width,
                subsequent_indent="      ",
                break_long_words=False,
                break_on_hyphens=False,
            ) or [label.rstrip()]
        first = lines[0]
        if first.startswith(label.rstrip()):
            first = "  " + self._style(key + ":", "36") + first[len(label) - 1 :]
        for text in (first, *lines[1:]):
            self.line(text)

    def table(self, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
        """An aligned table with a header row; with ``width``, the last column wraps."""
        body = [[("" if c is None else str(c)) for c in row] for row in rows]
        widths = [len(h) for h in header]
        for row in body:
            for i, cell in enumerate(row):
                widths[i] = max(widths[i], len(cell))
        indent = 2 + sum(w + 2 for w in widths[:-1])
        room = widths[-1] if self.width is None else max(self.width - indent, 16)
        widths[-1] = min(widths[-1], room)
        fmt = "  ".join(f"{{:<{w}}}" for w in widths)
        self.line("  " + self._style(fmt.format(*header).rstrip(), "1"))
        self.line("  " + "  ".join("-" * w for w in widths))
        for row in body:
            last = textwrap.wrap(row[-1], room, break_on_hyphens=False) or [""]
            self.line("  " + fmt.format(*row[:-1], last[0]).rstrip())
            for more in last[1:]:
                self.line(" " * indent + more)


class Progress:
    """One line of progress on a terminal: count, total where known, rate, time left.

    Long work (an export of a subject with years of meter readings, seeding
    the demo) reports through :meth:`update`; on a terminal the line is
    redrawn in place at most every ``interval`` seconds and erased by
    :meth:`done`, so the output that follows starts on a clean line. Where
    the stream is not a terminal (cron, a pipe, a log file) it stays quiet,
    unless ``enabled=True`` asks for it: then it writes a plain line every
    ``every`` seconds and one at the end of each item, which reads well in a log.
    """

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        enabled: bool | None = None,
        interval: float = 0.1,
        every: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.live = self.stream.isatty()
        self.enabled = self.live if enabled is None else enabled
        self._interval = interval if self.live else every
        self._clock = clock
        self._label = ""
        self._started = 0.0
        self._shown_at: float | None = None
        self._pending: str | None = None
        self._drawn = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.done()

    def update(self, label: str, count: int, total: int | None = None, unit: str = "rows") -> None:
        """Report ``count`` of ``total`` (None: unknown) for ``label``; a new label restarts."""
        if not self.enabled:
            return
        now = self._clock()
        if label != self._label:
            self._flush()
            self._label, self._started, self._shown_at = label, now, None
        text = describe_progress(label, count, total, unit, now - self._started)
        finished = total is not None and count >= total
        if not finished and self._shown_at is not None and now - self._shown_at < self._interval:
            self._pending = text  # shown later, or at the end of the item in a log
            return
        self._shown_at, self._pending = now, None
        self._show(text)

    def done(self) -> None:
        """End the report: the last count in a log; on a terminal, erase the line."""
        self._flush()
        if self._drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._drawn = False

    def _flush(self) -> None:
        """In a log, write the item's last count if the interval held it back."""
        if self._pending is not None and not self.live:
            self._show(self._pending)
        self._pending = None

    def _show(self, text: str) -> None:
        if not self.live:
            print(text, file=self.stream, flush=True)
            return
        # Cut to the terminal's width: a wrapped line cannot be redrawn in place.
        try:
            width = os.get_terminal_size(self.stream.fileno()).columns
        except (OSError, ValueError):
            width = 0
        width = width or 80  # a pseudo-terminal may not know its size and say 0
        self.stream.write("\r" + text[: width - 1] + "\x1b[K")
        self.stream.flush()
        self._drawn = True


def describe_progress(label: str, count: int, total: int | None, unit: str, seconds: float) -> str:
    """``label: 1,200 of 5,000 rows (24%), 400 rows/s, about 10 s left``."""
    text = f"{label}: {count:,}"
    if total is not None and total > 0:
        text += f" of {total:,} {_plural(unit, total)} ({100 * count // total}%)"
    else:
        text += f" {_plural(unit, count)}"
    if seconds <= 0 or count <= 0:
        return text
    rate = count / seconds
    text += f", {rate:,.0f} {unit}/s"
    if total is not None and count < total:
        text += f", about {duration_words((total - count) / rate)} left"
    return text


def duration_words(seconds: float) -> str:
    """A short, rounded duration: ``4 s``, ``2 min 5 s``, ``1 h 3 min``."""
    whole = max(1, round(seconds))
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def _plural(unit: str, count: int) -> str:
    """``rows`` for any count but one, ``row`` for one."""
    return unit[:-1] if count == 1 and unit.endswith("s") else unit
