"""The exported erasure journal file: JSON Lines whose every line is MACed, in a chain.

The file is what brings erasures back after the gdprkit store itself was
restored or lost (Art. 17(1), 5(2)); it lies on disk apart from both
databases, where anyone who can write it could delete a line (an erasure the
replay would then skip, so the person's data stays restored) or change one.
So each line carries an HMAC-SHA256 under a key derived from the journal's
keyring (HKDF, a label of its own), chained to the line before it, and a
closing line gives the count: a line changed, removed, reordered or inserted,
the file cut short or a line appended, or a file MACed under another keyring,
is refused with :class:`~gdprkit.JournalIntegrityError` naming the line
number, never its content (Art. 32(1)(b)). ``docs/token-format.md`` has the
format.

A file an older gdprkit wrote (format ``gdprkit.erasure-journal/1``) has no
MAC. It is refused unless the caller says ``accept_unverified=True``, which
logs a warning (``gdprkit.erasure``) and which ``gdprkit erasure replay
--accept-unverified`` also records in the audit log: re-exporting it from the
store (``gdprkit erasure export``) is the way to a verified file, and the
opt-out is for a store that no longer has the journal.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import os
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any, Final

from gdprkit._errors import JournalError, JournalIntegrityError

if TYPE_CHECKING:
    from gdprkit.pseudonym import Keyring

__all__ = ["JOURNAL_FORMAT", "LEGACY_FORMAT", "JournalWriter", "Line", "journal_lines"]

#: The first line of an exported journal file names its format and version.
JOURNAL_FORMAT: Final = "gdprkit.erasure-journal/2"

#: The format of a file an older gdprkit wrote, without MACs.
LEGACY_FORMAT: Final = "gdprkit.erasure-journal/1"

# HKDF-SHA256 `info` label of the file's MAC key (docs/token-format.md).
_FILE_INFO: Final = b"gdprkit/v1/erasure-journal-file"

#: The chain value before the first line.
_START: Final = "0" * 64

#: A line of the file: its number (from 1) and its JSON value.
Line = tuple[int, Any]


def _canonical(value: dict[str, Any]) -> bytes:
    """The bytes a line's MAC covers: its object without ``mac``, sorted keys, no spaces."""
    body = {k: v for k, v in value.items() if k != "mac"}
    return json.dumps(
        body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def _file_key(keyring: Keyring, key_id: str) -> bytes:
    return keyring._derive(key_id, _FILE_INFO, 32)


def _mac(key: bytes, prev: str, value: dict[str, Any]) -> str:
    """A line's MAC (hex): over the MAC of the line before it and the line's object."""
    return hmac.new(
        key, prev.encode("ascii") + b"\n" + _canonical(value), hashlib.sha256
    ).hexdigest()


class JournalWriter:
    """Writes one journal file: the head, each entry, the closing line; each MACed in a chain."""

    __slots__ = ("_count", "_key", "_out", "_prev")

    def __init__(self, out: IO[str], keyring: Keyring) -> None:
        key_id = keyring.active_id
        self._out, self._key, self._prev, self._count = out, _file_key(keyring, key_id), _START, 0
        self._line({"format": JOURNAL_FORMAT, "key": key_id})

    def _line(self, value: dict[str, Any]) -> None:
        mac = _mac(self._key, self._prev, value)
        self._out.write(json.dumps({**value, "mac": mac}, sort_keys=True) + "\n")
        self._prev = mac

    def entry(self, entry: dict[str, Any]) -> None:
        """Write one entry's line (``JournalEntry.to_dict()``)."""
        self._line(entry)
        self._count += 1

    def close(self) -> int:
        """Write the closing line (the count); return the count."""
        self._line({"end": self._count})
        return self._count


def _lines(path: str | os.PathLike[str]) -> Iterator[Line]:
    """The file's non-blank lines, parsed, with their line numbers; JournalError if not JSON."""
    try:
        with open(os.fspath(path), "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise JournalError(f"cannot read the journal file: {exc.strerror}") from None
    # The errors are raised outside the handlers: a decoder's error quotes the text (tokens,
    # sealed ids), which ``from None`` would keep reachable as ``__context__``.
    try:
        text: str | None = data.decode("utf-8")
    except ValueError:
        text = None
    if text is None:
        raise JournalError("the journal file is not UTF-8 text")
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        value: object = None
        parsed = False
        with contextlib.suppress(ValueError, RecursionError):
            value, parsed = json.loads(line), True
        if not parsed:
            raise JournalError(f"line {number} of the journal file is not JSON: not JSON Lines")
        yield number, value


class _Verifier:
    """Checks the lines after the head in order: each MAC, then the closing line's count."""

    __slots__ = ("_key", "_prev", "end", "entries")

    def __init__(self, head: dict[str, Any], keyring: Keyring) -> None:
        key_id, mac = head.get("key"), head.get("mac")
        if not isinstance(key_id, str) or key_id not in keyring.key_ids:
            raise JournalIntegrityError(
                "line 1 of the journal file names a key the journal keyring lacks (another "
                "keyring, a retired key, or a changed head): the file cannot be verified"
            )
        self._key, self._prev = _file_key(keyring, key_id), _START
        self.entries: list[Line] = []
        self.end = False
        self._check(1, head, mac)

    def _check(self, number: int, value: dict[str, Any], mac: object) -> None:
        expected = _mac(self._key, self._prev, value)
        if not isinstance(mac, str) or not hmac.compare_digest(expected, mac):
            raise JournalIntegrityError(
                f"line {number} of the journal file does not verify: it was changed, or lines "
                "before it were removed, reordered or inserted"
            )
        self._prev = mac

    def line(self, number: int, value: object) -> None:
        """Check one line after the head."""
        if self.end:
            raise JournalIntegrityError(
                f"line {number} of the journal file follows its closing line: it was appended"
            )
        if not isinstance(value, dict):
            raise JournalIntegrityError(f"line {number} of the journal file is not a JSON object")
        self._check(number, value, value.get("mac"))
        if set(value) == {"end", "mac"}:
            if value["end"] != len(self.entries):
                raise JournalIntegrityError(
                    f"line {number} of the journal file gives a count that is not the entries'"
                )
            self.end = True
        else:
            self.entries.append((number, {k: v for k, v in value.items() if k != "mac"}))


def _legacy(rest: Iterator[Line], accept_unverified: bool) -> list[Line]:
    """The entry lines of a file without MACs, if the caller accepts them unverified."""
    if not accept_unverified:
        raise JournalError(
            f"the journal file has format {LEGACY_FORMAT!r}, written by an older gdprkit without "
            "an integrity check: anyone could have removed or changed an erasure in it. Export "
            "the journal again from the store (gdprkit erasure export), or, if the store no "
            "longer holds it, accept it unverified (accept_unverified=True; --accept-unverified)"
        )
    lines = list(rest)
    logging.getLogger("gdprkit.erasure").warning(
        "erasure journal file of format %s accepted without an integrity check: %d entries",
        LEGACY_FORMAT,
        len(lines),
    )
    return lines


def journal_lines(
    path: str | os.PathLike[str], *, keyring: Keyring, accept_unverified: bool
) -> tuple[list[Line], bool]:
    """The entry lines of a journal file, verified, and whether they were (see read_journal).

    False only for a file of the format without MACs, read with
    ``accept_unverified``; every other way a file can be bad raises.
    """
    lines = _lines(path)
    first = next(lines, None)
    head = None if first is None else first[1]
    found = head.get("format") if isinstance(head, dict) else None
    if found == LEGACY_FORMAT:
        return _legacy(lines, accept_unverified), False
    if found != JOURNAL_FORMAT or not isinstance(head, dict):
        raise JournalError(f"the journal file does not start with format {JOURNAL_FORMAT!r}")
    walk = _Verifier(head, keyring)
    last = 1
    for last, value in lines:
        walk.line(last, value)
    if not walk.end:
        raise JournalIntegrityError(
            f"the journal file ends at line {last} without its closing line: it was cut short"
        )
    return walk.entries, True
