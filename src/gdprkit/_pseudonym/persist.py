"""A keyring at rest: its JSON document for a secret manager, and its rows in a store.

Both forms hold the key material: they are as secret as the keys. Reading
either checks every entry and names the entry and field that is wrong,
never the material (Art. 32: confidentiality of the means of
re-identification). The JSON format is specified in
``docs/token-format.md``.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Final, NoReturn

from gdprkit._errors import KeyringError
from gdprkit._pseudonym.inputs import check_text
from gdprkit._pseudonym.keys import KEY_ID, Key, KeyInfo, KeyStatus
from gdprkit._pseudonym.secret import Secret, secret_from
from gdprkit.store import Store, check_store

__all__ = ["Row", "load_rows", "rows_from_json", "save", "to_json"]

_KEYRING_FORMAT: Final = "gdprkit.keyring"
_KEYRING_VERSION: Final = 1

_MALFORMED: Final = object()

#: One key as read back: what may be shown about it, and its material (None when retired).
Row = tuple[KeyInfo, Secret | None]


def _keyring_error(message: str) -> NoReturn:
    raise KeyringError(message)


def _b64(data: bytes) -> str:
    """URL-safe base64 without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes | None:
    """Decode canonical unpadded URL-safe base64, or None (so no exception context holds it)."""
    if len(text) % 4 == 1:
        return None
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        return None
    # Reject non-canonical spellings (set unused low bits): a changed token must not verify.
    if _b64(raw) != text:
        return None
    return raw


# --------------------------------------------------------------------------- JSON


def to_json(keys: Iterable[Key], retired: Iterable[KeyInfo]) -> str:
    """The JSON document of a keyring's live and retired keys (see ``Keyring.to_json``)."""
    entries: list[dict[str, str]] = [
        {
            "id": k.info.id,
            "status": k.info.status.value,
            "created_at": k.info.created_at.isoformat(),
            "key": _b64(k.secret.reveal()),
        }
        for k in keys
    ]
    entries.extend(
        {"id": i.id, "status": i.status.value, "created_at": i.created_at.isoformat()}
        for i in retired
    )
    return json.dumps(
        {"format": _KEYRING_FORMAT, "version": _KEYRING_VERSION, "keys": entries}, indent=2
    )


def rows_from_json(text: str | bytes) -> list[Row]:
    """The keys of a document :func:`to_json` wrote; any defect raises :class:`KeyringError`."""
    if not isinstance(text, str | bytes):
        raise TypeError(f"text must be str or bytes, got {type(text).__name__}")
    data: Any = None
    try:
        data = json.loads(text)
    except ValueError:  # JSONDecodeError keeps the whole document: do not chain it
        data = _MALFORMED
    if data is _MALFORMED:
        _keyring_error("the keyring JSON is malformed")
    if not isinstance(data, dict) or data.get("format") != _KEYRING_FORMAT:
        _keyring_error(f"the keyring JSON is not a {_KEYRING_FORMAT!r} document")
    if data.get("version") != _KEYRING_VERSION:
        _keyring_error(f"unsupported keyring JSON version (this code reads {_KEYRING_VERSION})")
    entries = data.get("keys")
    if not isinstance(entries, list) or not entries:
        _keyring_error("the keyring JSON has no keys")
    return [_json_entry(entry, f"keys[{n}]") for n, entry in enumerate(entries)]


def _json_entry(entry: object, where: str) -> Row:
    if not isinstance(entry, dict):
        _keyring_error(f"{where} must be an object")
    unknown = set(entry) - {"id", "status", "created_at", "key"}
    if unknown:
        _keyring_error(f"{where} has unknown fields: {', '.join(sorted(map(str, unknown)))}")
    material: bytes | None = None
    encoded = entry.get("key")
    if encoded is not None:
        decoded = _unb64(encoded) if isinstance(encoded, str) else None
        if decoded is None:
            _keyring_error(f"{where}.key is not unpadded URL-safe base64")
        material = decoded
    return _parse_row(
        entry.get("id"),
        entry.get("status"),
        entry.get("created_at"),
        material,
        where,
        from_json=True,
    )


def _parse_row(
    key_id: object,
    status: object,
    created_at: object,
    material: bytes | None,
    where: str,
    *,
    from_json: bool,
) -> Row:
    if not isinstance(key_id, str) or not KEY_ID.fullmatch(key_id):
        _keyring_error(f"{where}.id must be 1 to 16 ASCII letters or digits")
    if status not in {s.value for s in KeyStatus}:
        _keyring_error(f"{where}.status must be one of: active, previous, retired")
    key_status = KeyStatus(status)
    when: datetime | None = None
    if isinstance(created_at, str):
        try:
            when = datetime.fromisoformat(created_at)
        except ValueError:
            when = None
    if when is None or when.tzinfo is None:
        _keyring_error(f"{where}.created_at must be an ISO 8601 time with offset")
    if key_status is KeyStatus.RETIRED:
        if material is not None:
            _keyring_error(f"{where} is retired but still carries key material")
        return KeyInfo(key_id, when, key_status), None
    if material is None:
        field = "key" if from_json else "material"
        _keyring_error(f"{where}.{field} is missing")
    return KeyInfo(key_id, when, key_status), secret_from(material, f"key {key_id!r}")


# --------------------------------------------------------------------------- the store


def save(store: Store, name: str, keys: tuple[Key, ...], retired: tuple[KeyInfo, ...]) -> None:
    """Write a keyring's keys to ``store`` under ``name`` in one transaction (``Keyring.save``)."""
    check_store(store)
    check_text(name, "name")
    with store.transaction() as conn:
        stored = {
            row[0]: (row[1], row[2])
            for row in conn.execute(
                "SELECT key_id, status, material FROM keyring_keys WHERE keyring = ?", (name,)
            )
        }
        live = {k.info.id: k for k in keys}
        gone = {i.id: i for i in retired}
        for key_id, (status, material) in stored.items():
            if key_id not in live and key_id not in gone:
                raise KeyringError(
                    f"the store holds key {key_id!r} that this keyring lacks; "
                    "load the stored keyring and change that one"
                )
            if key_id in live:
                if status == KeyStatus.RETIRED.value:
                    raise KeyringError(f"key {key_id!r} is retired in the store")
                if not hmac.compare_digest(material, live[key_id].secret.reveal()):
                    raise KeyringError(f"key {key_id!r} has other material in the store")
        # Retire and demote first: the store allows one active key per keyring at any moment.
        for info in retired:
            conn.execute(
                "INSERT INTO keyring_keys (keyring, key_id, created_at, status, material)"
                " VALUES (?, ?, ?, 'retired', NULL) ON CONFLICT (keyring, key_id)"
                " DO UPDATE SET status = 'retired', material = NULL",
                (name, info.id, info.created_at.isoformat()),
            )
        order = sorted(keys, key=lambda k: k.info.status is KeyStatus.ACTIVE)
        for key in order:
            conn.execute(
                "INSERT INTO keyring_keys (keyring, key_id, created_at, status, material)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (keyring, key_id)"
                " DO UPDATE SET status = excluded.status",
                (
                    name,
                    key.info.id,
                    key.info.created_at.isoformat(),
                    key.info.status.value,
                    key.secret.reveal(),
                ),
            )
    if retired:
        store.checkpoint()


def load_rows(store: Store, name: str) -> list[Row]:
    """The keys saved under ``name``; :class:`KeyringError` if there are none (``Keyring.load``)."""
    check_store(store)
    check_text(name, "name")
    rows = store.query(
        "SELECT key_id, status, created_at, material FROM keyring_keys"
        " WHERE keyring = ? ORDER BY created_at, key_id",
        (name,),
    )
    if not rows:
        raise KeyringError(f"the store holds no keyring named {name!r}")
    parsed = []
    for key_id, status, created_at, material in rows:
        where = f"stored key {key_id!r}"
        parsed.append(_parse_row(key_id, status, created_at, material, where, from_json=False))
    return parsed
