"""Text for the export package's page: escaped for HTML, with bidi controls made visible.

``html.escape`` stops markup and attribute break-out, but not Unicode's bidi
controls: an override (U+202E) in a value makes the text after it read
backwards ("Trojan Source", CVE-2021-42574), so ``invoice_fdp.exe`` can be
shown for ``invoice_exe.pdf``. The page shows each bidi control as its code
point (``[U+202E]``) instead; right-to-left letters themselves are left as
they are. Every value on the page goes through :func:`escape`.
"""

from __future__ import annotations

import html
from typing import Final

__all__ = ["BIDI_CONTROLS", "escape"]

#: Unicode's explicit bidi formatting characters (UAX #9): marks, embeddings, overrides, isolates.
BIDI_CONTROLS: Final = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_VISIBLE: Final = {ord(c): f"[U+{ord(c):04X}]" for c in BIDI_CONTROLS}


def escape(value: object) -> str:
    """``value`` as text safe in HTML content and in a quoted attribute value."""
    return html.escape(str(value), quote=True).translate(_VISIBLE)
