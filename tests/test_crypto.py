"""Tests for gdprkit._crypto: the one module that imports ``cryptography``, and its primitives."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import gdprkit
from gdprkit import _crypto

SRC = Path(gdprkit.__file__).parent


def _imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports: statements (under TYPE_CHECKING too) and import_module()."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
        elif (
            isinstance(node, ast.Call)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and ast.unparse(node.func) in {"__import__", "import_module", "importlib.import_module"}
        ):
            found.add(node.args[0].value)
    return found


def test_only_the_crypto_module_imports_cryptography() -> None:
    importers = sorted(
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if any(m.partition(".")[0] == "cryptography" for m in _imported_modules(path))
    )
    assert importers == ["_crypto.py"]


def test_the_import_scan_sees_every_spelling(tmp_path: Path) -> None:
    spellings = [
        "import cryptography",
        "from cryptography.hazmat.primitives import hashes",
        "if TYPE_CHECKING:\n    from cryptography.fernet import Fernet",
        "importlib.import_module('cryptography.exceptions')",
    ]
    for n, line in enumerate(spellings):
        path = tmp_path / f"m{n}.py"
        path.write_text(line + "\n", encoding="utf-8")
        assert any(m.startswith("cryptography") for m in _imported_modules(path)), line


def test_import_gdprkit_does_not_load_cryptography() -> None:
    code = (
        "import sys, gdprkit\n"
        "assert 'cryptography' not in sys.modules, 'import gdprkit loaded cryptography'\n"
        "import gdprkit.pseudonym\n"
        "assert 'cryptography' in sys.modules, 'pseudonym no longer uses cryptography?'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# RFC 5869, test case 3: SHA-256 with an empty salt (what "no salt" means) and empty info.
RFC5869_IKM = bytes([0x0B] * 22)
RFC5869_OKM = "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"


def test_hkdf_sha256_matches_rfc_5869() -> None:
    assert _crypto.hkdf_sha256(RFC5869_IKM, b"", 42).hex() == RFC5869_OKM


def test_keyed_blake2b_is_keyed() -> None:
    one = _crypto.keyed_blake2b(b"\x01" * 32, 18)
    two = _crypto.keyed_blake2b(b"\x02" * 32, 18)
    one.update(b"anna@example.se")
    two.update(b"anna@example.se")
    assert one.digest_size == 18
    assert one.digest() != two.digest()


def test_aes_siv_is_deterministic_and_authenticated() -> None:
    siv = _crypto.AesSiv(bytes(range(64)))
    ad = [b"gdprkit/test"]
    sealed = siv.encrypt(b"anna@example.se", ad)
    assert siv.encrypt(b"anna@example.se", ad) == sealed
    assert siv.decrypt(sealed, ad) == b"anna@example.se"
    flipped = bytes([sealed[0] ^ 1]) + sealed[1:]
    assert siv.decrypt(flipped, ad) is None
    assert siv.decrypt(sealed, [b"gdprkit/other"]) is None
    assert _crypto.AesSiv(bytes(64)).decrypt(sealed, ad) is None
    # The raw method of the unsealing fast path: the same answer, or Unauthentic.
    assert siv.decrypt_raw(sealed, ad) == b"anna@example.se"
    for bad, bad_ad in ((flipped, ad), (sealed, [b"gdprkit/other"]), (sealed[:15], ad)):
        with pytest.raises(_crypto.Unauthentic) as info:
            siv.decrypt_raw(bad, bad_ad)
        assert not info.value.args


def test_aes_gcm_puts_a_fresh_nonce_first_and_authenticates() -> None:
    key = _crypto.new_aes256_key()
    assert len(key) == 32 and key != _crypto.new_aes256_key()
    gcm = _crypto.AesGcm(key)
    first = gcm.encrypt(b"Storgatan 1", b"field")
    second = gcm.encrypt(b"Storgatan 1", b"field")
    assert first[: _crypto.GCM_NONCE_BYTES] != second[: _crypto.GCM_NONCE_BYTES]
    assert len(first) == _crypto.GCM_NONCE_BYTES + len(b"Storgatan 1") + _crypto.GCM_TAG_BYTES
    assert gcm.decrypt(first, b"field") == gcm.decrypt(second, b"field") == b"Storgatan 1"
    assert gcm.decrypt(first, b"other field") is None
    assert gcm.decrypt(first[:-1] + bytes([first[-1] ^ 1]), b"field") is None
