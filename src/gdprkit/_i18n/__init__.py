"""gdprkit's own texts in Swedish and English, held one way: catalogues of messages by id.

What gdprkit writes for a data subject (the export package's page, the
erasure receipt) must be in a language they understand, in clear and plain
words (GDPR Art. 12(1)). Each message is one value holding both languages, so
a text cannot be added in one and forgotten in the other; a lookup names its
language, and a language gdprkit has no texts in is refused with
:class:`~gdprkit.UnknownLanguage`. Callers that promise a fallback (the page
and the receipts fall back to English) say so with :func:`language`'s
``default``. One module per catalogue: ``page``, ``receipt``, ``notice``
(with the rights); ``catalogue`` holds the machinery.
"""

from __future__ import annotations

from gdprkit._i18n.catalogue import (
    LANGUAGES,
    Catalogue,
    Language,
    Message,
    language,
    period_words,
)
from gdprkit._i18n.notice import NOTICE, RIGHTS
from gdprkit._i18n.page import PAGE
from gdprkit._i18n.receipt import RECEIPT

__all__ = [
    "LANGUAGES",
    "NOTICE",
    "PAGE",
    "RECEIPT",
    "RIGHTS",
    "Catalogue",
    "Language",
    "Message",
    "language",
    "period_words",
]
