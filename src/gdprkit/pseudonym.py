"""Pseudonymisation: keyrings, keyed tokens, reversible sealing and crypto-shredding.

Pseudonymisation (Art. 4(5) GDPR) replaces an identifier by a value that
cannot be attributed to the person *without additional information kept
separately* — here, the keys. Pseudonymised data is still personal data
(Recital 26): whoever holds the keyring can re-link it. The API therefore
keeps this module apart from :mod:`gdprkit.anonymize`, whose output is meant
to fall outside the Regulation. Pseudonymisation and encryption are named
security measures of Art. 32(1)(a) and data-protection-by-design measures of
Art. 25(1).

Four tools, all keyed by a :class:`Keyring`:

* :class:`Pseudonymizer` — deterministic, one-way tokens (keyed BLAKE2b):
  the same value gives the same token within a domain, so joins and counts
  still work, and nobody without the key can go back.
* :class:`Sealer` — deterministic, reversible tokens (AES-SIV): equal values
  still give equal tokens, and a key holder can recover the value.
* :class:`SubjectKeys` — one random data key per data subject (AES-GCM);
  :meth:`SubjectKeys.shred` destroys it, which erases every ciphertext of
  that person at once, wherever copies of it went (crypto-shredding, Art. 17),
  and returns a :class:`ShredResult` that says whether the store confirmed it.
* :func:`normalize_email`, :func:`normalize_phone_se`,
  :func:`normalize_identity` — the explicit normalisers a caller may choose.

Keyrings at rest (:meth:`Keyring.to_json`, :meth:`Keyring.save`) are always
wrapped by a key-encryption key that lives outside the store: :class:`Kek`
reads it from an environment variable, a ``0600`` file or a callable, and
any :class:`KekProvider` (a KMS, an HSM) may stand in for it;
:func:`rewrap_keyrings` moves a store to a new KEK. A backup of the store
alone then reveals no key (``docs/howto/key-management.md``).

The token formats, key derivation labels and test vectors are specified in
``docs/token-format.md`` so that another implementation can reproduce them.
The machinery lives in ``gdprkit._pseudonym`` (one module per tool) and the
raw primitives in ``gdprkit._crypto``, the one module that imports
``cryptography``.
"""

from __future__ import annotations

from typing import Final

from gdprkit._errors import InvalidToken as InvalidToken
from gdprkit._errors import KekError as KekError
from gdprkit._errors import KeyringError as KeyringError
from gdprkit._errors import SubjectShredded as SubjectShredded
from gdprkit._errors import UnknownKeyId as UnknownKeyId
from gdprkit._errors import UnknownTokenKey
from gdprkit._pseudonym import secret as _secret
from gdprkit._pseudonym.kek import KEK_ENV, Kek, KekProvider
from gdprkit._pseudonym.keyring import Keyring
from gdprkit._pseudonym.keyring_store import rewrap_keyrings
from gdprkit._pseudonym.keys import KeyInfo, KeyStatus
from gdprkit._pseudonym.sealing import Sealer
from gdprkit._pseudonym.shredding import ShredResult
from gdprkit._pseudonym.subject_keys import SubjectKeys
from gdprkit._pseudonym.tokens import (
    Pseudonymizer,
    normalize_email,
    normalize_identity,
    normalize_phone_se,
)
from gdprkit._util import require_aware as require_aware
from gdprkit.store import Store as Store
from gdprkit.store import check_store as check_store

#: Length of generated keys, in bytes (256 bits).
KEY_BYTES: Final = _secret.KEY_BYTES
#: Shortest key material accepted, in bytes (256 bits).
MIN_KEY_BYTES: Final = _secret.MIN_KEY_BYTES

# Besides __all__, the names imported `as` themselves stay importable from here, as
# they were before the module was split.
__all__ = [
    "KEK_ENV",
    "KEY_BYTES",
    "MIN_KEY_BYTES",
    "Kek",
    "KekProvider",
    "KeyInfo",
    "KeyStatus",
    "Keyring",
    "Pseudonymizer",
    "Sealer",
    "ShredResult",
    "SubjectKeys",
    "UnknownTokenKey",
    "normalize_email",
    "normalize_identity",
    "normalize_phone_se",
    "rewrap_keyrings",
]
