"""A keyring as a JSON document for a secret manager, wrapped and sealed by a KEK.

Version 2 (``Keyring.to_json``) lists the keys (id, status, creation time)
in clear and carries their material in one ``sealed`` field: AES-GCM (or
whatever the :class:`~gdprkit.pseudonym.KekProvider` does) under the
key-encryption key, with the canonical listing as associated data. So the
tag is a MAC under the KEK over the whole document: any changed byte
either leaves it the same keyring or makes it refused (Art. 32(1)(b):
integrity). Version 1, the material in clear with no integrity check, is
read only by ``Keyring.from_unprotected_json``, to migrate it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Final

from gdprkit._errors import KeyringError
from gdprkit._pseudonym.kek import KekProvider, check_kek, unwrap_with, wrap_with
from gdprkit._pseudonym.keys import KEY_ID, Key, KeyInfo, KeyStatus
from gdprkit._pseudonym.persist import (
    Row,
    b64,
    check_info,
    keyring_error,
    prefixed,
    split_prefixed,
    unb64,
    with_material,
)

__all__ = ["rows_from_json", "rows_from_unprotected_json", "to_json"]

FORMAT: Final = "gdprkit.keyring"
VERSION: Final = 2
UNPROTECTED_VERSION: Final = 1
# The associated-data label of the sealed material; the canonical listing follows it.
_JSON_AD: Final = b"gdprkit/v1/keyring-json\x00"
_MALFORMED: Final = object()
_TOO_DEEP: Final = object()


def _listing(keys: Iterable[Key], retired: Iterable[KeyInfo]) -> list[dict[str, str]]:
    infos = [*(k.info for k in keys), *retired]
    return [
        {"id": i.id, "status": i.status.value, "created_at": i.created_at.isoformat()}
        for i in infos
    ]


def _ad(listing: list[dict[str, str]]) -> bytes:
    """The associated data: the label, then the canonical JSON of format, version and listing."""
    header = {"format": FORMAT, "version": VERSION, "keys": listing}
    canonical = json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return _JSON_AD + canonical.encode("utf-8")


def to_json(keys: tuple[Key, ...], retired: tuple[KeyInfo, ...], kek: KekProvider) -> str:
    """The version-2 document of a keyring (see ``Keyring.to_json``)."""
    check_kek(kek)
    listing = _listing(keys, retired)
    payload = prefixed(k.secret.reveal() for k in keys)
    kek_id, sealed = wrap_with(kek, payload, _ad(listing))
    document = {
        "format": FORMAT,
        "version": VERSION,
        "kek": kek_id,
        "keys": listing,
        "sealed": b64(sealed),
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        raise ValueError("duplicate name")  # caught below; carries no content
    return found


def _document(text: object) -> dict[str, Any]:
    """The parsed top-level object, its format and version checked; never the JSON error."""
    if not isinstance(text, str | bytes):
        raise TypeError(f"text must be str or bytes, got {type(text).__name__}")
    data: Any = None
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates)
    except RecursionError:
        data = _TOO_DEEP
    except ValueError:  # JSONDecodeError keeps the whole document: do not chain it
        data = _MALFORMED
    if data is _TOO_DEEP:
        keyring_error("the keyring JSON is nested too deeply")
    if data is _MALFORMED:
        keyring_error("the keyring JSON is malformed (or names a field twice)")
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        keyring_error(f"the keyring JSON is not a {FORMAT!r} document")
    version = data.get("version")
    if type(version) is not int or version not in (VERSION, UNPROTECTED_VERSION):
        keyring_error(f"unsupported keyring JSON version (this code reads {VERSION})")
    return data


def _fields(entry: object, where: str, allowed: frozenset[str]) -> dict[str, Any]:
    if not isinstance(entry, dict):
        keyring_error(f"{where} must be an object")
    unknown = set(entry) - allowed
    if unknown:
        keyring_error(f"{where} has unknown fields: {', '.join(sorted(map(str, unknown)))}")
    return entry


def _entries(data: dict[str, Any]) -> list[Any]:
    entries = data.get("keys")
    if not isinstance(entries, list) or not entries:
        keyring_error("the keyring JSON has no keys")
    return entries


_TOP: Final = frozenset({"format", "version", "kek", "keys", "sealed"})
_ENTRY: Final = frozenset({"id", "status", "created_at"})


def rows_from_json(text: str | bytes, kek: KekProvider) -> list[Row]:
    """The keys of a version-2 document; any defect or change raises :class:`KeyringError`."""
    check_kek(kek)
    data = _fields(_document(text), "the keyring JSON", _TOP)
    if data["version"] == UNPROTECTED_VERSION:
        keyring_error(
            "this is version-1 keyring JSON, with the keys in clear and no integrity check: "
            "read it once with Keyring.from_unprotected_json() and write it again with "
            "to_json(kek=...)"
        )
    kek_id, sealed = data.get("kek"), data.get("sealed")
    if not isinstance(kek_id, str) or not KEY_ID.fullmatch(kek_id):
        keyring_error("the keyring JSON's kek must be 1 to 16 ASCII letters or digits")
    blob = unb64(sealed) if isinstance(sealed, str) else None
    if blob is None:
        keyring_error("the keyring JSON's sealed is not unpadded URL-safe base64")
    listing: list[dict[str, str]] = []
    infos: list[KeyInfo] = []
    for n, entry in enumerate(_entries(data)):
        fields = _fields(entry, f"keys[{n}]", _ENTRY)
        infos.append(check_info(fields.get("id"), fields.get("status"),
                                fields.get("created_at"), f"keys[{n}]"))  # fmt: skip
        listing.append(fields)
    materials = split_prefixed(unwrap_with(kek, kek_id, blob, _ad(listing)))
    live = [i for i in infos if i.status is not KeyStatus.RETIRED]
    if materials is None or len(materials) != len(live):
        raise KeyringError("the keyring JSON's sealed material does not match its keys")
    found = iter(materials)
    return [
        with_material(i, None if i.status is KeyStatus.RETIRED else next(found), f"keys[{n}]")
        for n, i in enumerate(infos)
    ]


def rows_from_unprotected_json(text: str | bytes) -> list[Row]:
    """The keys of a version-1 document (material in clear, no integrity check)."""
    data = _document(text)
    if data["version"] != UNPROTECTED_VERSION:
        keyring_error("this keyring JSON is not version 1; read it with Keyring.from_json()")
    _fields(data, "the keyring JSON", frozenset({"format", "version", "keys"}))
    rows = []
    for n, entry in enumerate(_entries(data)):
        where = f"keys[{n}]"
        fields = _fields(entry, where, _ENTRY | {"key"})
        material: bytes | None = None
        encoded = fields.get("key")
        if encoded is not None:
            decoded = unb64(encoded) if isinstance(encoded, str) else None
            if decoded is None:
                keyring_error(f"{where}.key is not unpadded URL-safe base64")
            material = decoded
        info = check_info(fields.get("id"), fields.get("status"), fields.get("created_at"), where)
        rows.append(with_material(info, material, where))
    return rows
