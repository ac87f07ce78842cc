"""Names that become paths in an export package: source names, and members of a package read back.

A source's name becomes ``data/<name>.jsonl`` and ``data/<name>.csv`` in the
ZIP, and the subject unpacks the ZIP on whatever system they use. A name such
as ``../../evil`` would write outside the folder they unpack into
("zip-slip"), ``NUL`` or ``con`` is a device on Windows, two names differing
only in case overwrite each other on a case-insensitive file system, and a
bidi override makes a name read as something it is not. So every name is
checked where the package uses it, whoever wrote the source, against an
allow-list: ASCII letters, digits, ``_`` and ``-``. Errors name the rule that
is broken; a name is shown only through :func:`ascii`, which cannot carry a
control character to a terminal or a log.
"""

from __future__ import annotations

import re
import stat
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence

from gdprkit._errors import SourceError

__all__ = ["check_source_names", "duplicate_member", "member_problem", "name_problem", "shown"]

#: A source name that is safe as a file name everywhere: 1-64 ASCII letters, digits, _ and -.
_SAFE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]{0,63}\Z")
#: Device names on Windows, whatever the extension (``nul.jsonl`` is the device too).
_DEVICES = frozenset(
    ["CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))]
)
_DRIVE = re.compile(r"[A-Za-z]:")


def shown(name: str) -> str:
    """``name`` for a message: ASCII with every other character escaped, at most ~40 long."""
    return ascii(name if len(name) <= 40 else name[:37] + "...")


def _has_control(text: str) -> bool:
    """Whether ``text`` holds a control (Cc) or format (Cf: bidi overrides, zero-width) character."""
    return any(unicodedata.category(c) in ("Cc", "Cf") for c in text)


def name_problem(name: object) -> str | None:
    """The first rule a source name breaks, in words, or None for a safe name."""
    if not isinstance(name, str):
        return f"is a {type(name).__name__}, not a str"
    rules = (
        (not name, "is empty"),
        ("\x00" in name, "contains a NUL character"),
        (_has_control(name), "contains a control or format character (such as a bidi override)"),
        (name.startswith(("/", "\\")) or bool(_DRIVE.match(name)), "is an absolute path"),
        ("/" in name or "\\" in name, "contains a path separator ('/' or '\\')"),
        (".." in name, "contains '..'"),
        (
            not _SAFE.match(name),
            "holds other characters than ASCII letters, digits, '_' and '-', starts with '-', "
            "or is longer than 64",
        ),
        (name.upper() in _DEVICES, "is a device name on Windows (CON, PRN, AUX, NUL, COMn, LPTn)"),
    )
    return next((rule for broken, rule in rules if broken), None)


def check_source_names(names: Sequence[object]) -> list[str]:
    """Check the sources' names of one package; return them, or raise :class:`~gdprkit.SourceError`.

    Each name must be safe as a file name (see the module), and no two may be
    equal when case is ignored.
    """
    checked: dict[str, int] = {}
    for number, name in enumerate(names, 1):
        problem = name_problem(name)
        if problem is not None or not isinstance(name, str):
            named = f" {shown(name)}" if isinstance(name, str) and name else ""
            raise SourceError(
                f"the name{named} of source {number} {problem}; a source name becomes a file "
                "name in the package (data/<name>.jsonl)"
            )
        first = checked.setdefault(name.casefold(), number)
        if first != number:
            raise SourceError(
                f"sources {first} and {number} have the same name {shown(name)} (case ignored); "
                "a source name becomes a file name, and packages are also unpacked where case "
                "does not count"
            )
    return [str(name) for name in names]


def member_problem(info: zipfile.ZipInfo) -> str | None:
    """Why a ZIP member must not be unpacked (a path leaving the folder, a link), or None."""
    name = info.filename
    parts = name.split("/")
    if not name or "\x00" in name or _has_control(name):
        return "has an empty name or a control character in its name"
    if name.startswith("/") or "\\" in name or ":" in name:
        return "has an absolute path, a backslash or a drive in its name"
    if any(part in ("", ".", "..") for part in parts):
        return "has an empty, '.' or '..' part in its path"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "is a symbolic link"
    return None


def duplicate_member(names: Iterable[str]) -> str | None:
    """A member name that occurs twice, case ignored (one would overwrite the other), or None."""
    seen: set[str] = set()
    for name in names:
        key = name.casefold()
        if key in seen:
            return name
        seen.add(key)
    return None
