"""Key-encryption keys (KEKs): what wraps a keyring at rest, kept outside the store.

A keyring saved in the same database as the data it protects would let one
backup of that database undo every pseudonym and every crypto-shred. So a
keyring is only ever written wrapped (AES-256-GCM, with associated data
that binds it to its place) by a key-encryption key that lives elsewhere:
an environment variable, a ``0600`` file, or a callable the service supplies
(a secret manager, a KMS), read when it is used (Art. 4(5) GDPR: the
additional information "kept separately"; Art. 32(1)(a)).

:class:`Kek` reads KEK text: one or more entries ``<kek id>:<key>``
(``key`` in unpadded URL-safe base64, at least 256 bits), separated by
whitespace or commas; the first is the active KEK that wraps, the others
still unwrap (during a rotation). Anything that follows
:class:`KekProvider` may stand in for it, e.g. a KMS or an HSM that never
lets the key out.
"""

from __future__ import annotations

import inspect
import os
import re
import secrets
from collections.abc import Callable
from typing import Any, Final, Literal, Protocol

import attrs

from gdprkit import _crypto
from gdprkit._errors import GdprkitError, KekError
from gdprkit._pseudonym.keys import KEY_ID, new_key_id
from gdprkit._pseudonym.persist import b64, unb64
from gdprkit._pseudonym.secret import KEY_BYTES, MIN_KEY_BYTES, Secret, read_secret_file

__all__ = ["KEK_ENV", "Kek", "KekProvider", "check_kek", "unwrap_with", "wrap_with"]

#: The environment variable :meth:`Kek.env` reads by default.
KEK_ENV: Final = "GDPRKIT_KEK"

# HKDF-SHA256 `info` label of the AES-256-GCM key a KEK wraps keyrings with.
_WRAP_INFO: Final = b"gdprkit/v1/keyring-kek"
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_SEPARATORS = re.compile(r"[\s,]+")


class KekProvider(Protocol):
    """What gdprkit asks of the key-encryption keys: an active id, wrap and unwrap.

    :class:`Kek` is the built-in one. Implement the protocol for a KMS or
    an HSM whose keys never leave it: ``wrap`` must be authenticated
    encryption that binds ``associated_data`` (AES-GCM, AES-KW with the data
    bound, a KMS's encryption context) and say which KEK it used; ``unwrap``
    must raise when the data does not authenticate. gdprkit turns anything
    a provider raises into :class:`~gdprkit.KekError` naming only the
    exception's type.
    """

    @property
    def active_id(self) -> str:
        """The id of the KEK that wraps from now on."""

    def wrap(self, data: bytes, associated_data: bytes) -> tuple[str, bytes]:
        """``data`` wrapped under the active KEK, bound to ``associated_data``; and that KEK's id."""

    def unwrap(self, kek_id: str, wrapped: bytes, associated_data: bytes) -> bytes:
        """What :meth:`wrap` wrapped under ``kek_id``; raises if it does not authenticate."""


def _check_where(_instance: Any, _attribute: Any, value: Any) -> None:
    if not (callable(value) or (isinstance(value, str) and value)):
        raise TypeError("a Kek needs an environment variable name, a path or a callable")


@attrs.frozen(repr=False)
class Kek:
    """Key-encryption keys read, on each use, from outside the store. Holds no key itself.

    Build one with :meth:`env`, :meth:`file` or :meth:`from_callable`; it is
    a locator, safe to pickle (except a callable that is not) and to log.
    Make the KEK text with :meth:`generate`. To rotate, put a new entry
    first and keep the old one after it, run
    :func:`~gdprkit.pseudonym.rewrap_keyrings`, then delete the old entry
    (and every copy of it): backups wrapped under it become unreadable.
    """

    _kind: Literal["env", "file", "callable"] = attrs.field(alias="kind")
    _where: str | Callable[[], str | bytes] = attrs.field(alias="where", validator=_check_where)

    @classmethod
    def env(cls, variable: str = KEK_ENV) -> Kek:
        """The KEK text in an environment variable (default ``GDPRKIT_KEK``), read at each use."""
        if not isinstance(variable, str) or not _ENV_NAME.match(variable):
            raise ValueError("Kek.env needs an environment variable name")
        return cls("env", variable)

    @classmethod
    def file(cls, path: str | os.PathLike[str]) -> Kek:
        """The KEK text in a file that only its owner may read (``0600``), read at each use.

        The path is made absolute now, so the locator means the same file in
        a worker with another working directory.
        """
        if not isinstance(path, str | os.PathLike):
            raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
        return cls("file", os.path.abspath(os.fspath(path)))

    @classmethod
    def from_callable(cls, fetch: Callable[[], str | bytes]) -> Kek:
        """The KEK text as ``fetch()`` returns it, called at each use (cache it there if slow).

        For a secret manager or a KMS: ``fetch`` may read a secret, or
        decrypt an envelope with the KMS. To keep the key inside a KMS or an
        HSM instead, implement :class:`KekProvider`.
        """
        if not callable(fetch):
            raise TypeError("Kek.from_callable needs a callable that returns the KEK text")
        return cls("callable", fetch)

    @staticmethod
    def generate(*, key_id: str | None = None) -> str:
        """The text of a new random 256-bit KEK, ``<kek id>:<key>``: as secret as the key.

        Write it straight to where the KEK lives (a secret manager, a
        ``0600`` file); never to a log or a repository.
        """
        if key_id is None:
            key_id = new_key_id(())
        elif not isinstance(key_id, str) or not KEY_ID.fullmatch(key_id):
            raise KekError("a KEK id is 1 to 16 ASCII letters or digits")
        return f"{key_id}:{b64(secrets.token_bytes(KEY_BYTES))}"

    @classmethod
    def create_file(
        cls, path: str | os.PathLike[str], *, key_id: str | None = None, exist_ok: bool = False
    ) -> Kek:
        """Write a new KEK (:meth:`generate`) to a new file only its owner may read; read it.

        The file is created with mode ``0600`` by ``open(2)`` itself, and
        never overwritten: a KEK that is replaced is a KEK that is lost, and
        every keyring it wrapped with it. If it exists,
        :class:`~gdprkit.KekError`, or with ``exist_ok`` the existing file is
        used. For demos and single-host services; elsewhere keep the KEK in
        a secret manager.
        """
        located = cls.file(path)
        target = located._where
        assert isinstance(target, str)
        text = cls.generate(key_id=key_id)
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            if exist_ok:
                return located
            raise KekError(f"KEK file {target!r} exists already; it is never overwritten") from None
        except OSError as exc:
            raise KekError(f"cannot create KEK file {target!r}: {exc.strerror}") from None
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(text + "\n")
        return located

    # -- KekProvider

    @property
    def active_id(self) -> str:
        """The id of the first entry: the KEK that wraps."""
        return self._entries()[0][0]

    @property
    def ids(self) -> tuple[str, ...]:
        """The ids of every KEK the text holds, the active one first."""
        return tuple(key_id for key_id, _ in self._entries())

    def wrap(self, data: bytes, associated_data: bytes) -> tuple[str, bytes]:
        """``data`` wrapped (AES-256-GCM) under the active KEK, bound to ``associated_data``."""
        key_id, secret = self._entries()[0]
        return key_id, _cipher(secret).encrypt(data, associated_data)

    def unwrap(self, kek_id: str, wrapped: bytes, associated_data: bytes) -> bytes:
        """What :meth:`wrap` wrapped under ``kek_id``; :class:`~gdprkit.KekError` otherwise."""
        for key_id, secret in self._entries():
            if key_id == kek_id:
                plain = _cipher(secret).decrypt(wrapped, associated_data)
                if plain is None:
                    raise KekError(
                        f"data wrapped under KEK {kek_id!r} does not unwrap with the KEK of "
                        f"{self._shown()} (another KEK with that id, or changed data)"
                    )
                return plain
        raise KekError(
            f"{self._shown()} holds no KEK {kek_id!r} (it was retired, or this is "
            "another deployment's KEK)"
        )

    # -- reading the text

    def _shown(self) -> str:
        if self._kind == "env":
            return f"environment variable {self._where!r}"
        if self._kind == "file":
            return f"KEK file {self._where!r}"
        return "the KEK callable"

    def _text(self) -> str:
        where = self._where
        if self._kind == "env":
            assert isinstance(where, str)
            text: str | bytes | None = os.environ.get(where)
            if not text:
                raise KekError(
                    f"environment variable {where!r} is not set in this process; it must "
                    "hold the key-encryption key (see Kek.generate)"
                )
        elif self._kind == "file":
            assert isinstance(where, str)
            text = read_secret_file(where, "KEK file", KekError)
        else:
            assert callable(where)
            text = _fetch(where)
        if isinstance(text, bytes):
            try:
                return text.decode("ascii")
            except UnicodeDecodeError:
                pass
            raise KekError(f"the KEK text from {self._shown()} is not ASCII")
        return text

    def _entries(self) -> list[tuple[str, Secret]]:
        shown = self._shown()
        entries: list[tuple[str, Secret]] = []
        for n, entry in enumerate(e for e in _SEPARATORS.split(self._text()) if e):
            key_id, sep, encoded = entry.partition(":")
            material = unb64(encoded) if sep else None
            if not KEY_ID.fullmatch(key_id) or material is None:
                raise KekError(
                    f"the KEK text from {shown} is malformed: entry {n + 1} is not "
                    "'<kek id>:<unpadded URL-safe base64>'"
                )
            if len(material) < MIN_KEY_BYTES:
                raise KekError(f"KEK {key_id!r} from {shown} is shorter than 256 bits")
            if any(key_id == seen for seen, _ in entries):
                raise KekError(f"the KEK text from {shown} holds KEK {key_id!r} twice")
            entries.append((key_id, Secret(material)))
        if not entries:
            raise KekError(f"the KEK text from {shown} holds no KEK")
        return entries

    def __repr__(self) -> str:
        if callable(self._where):
            name = getattr(self._where, "__qualname__", type(self._where).__name__)
            return f"Kek.from_callable({name if name.startswith('<') else f'<{name}>'})"
        return f"Kek.{self._kind}({self._where!r})"


def _cipher(secret: Secret) -> _crypto.AesGcm:
    return _crypto.AesGcm(_crypto.hkdf_sha256(secret.reveal(), _WRAP_INFO, 32))


def _fetch(fetch: Callable[[], str | bytes]) -> str | bytes:
    try:
        text: object = fetch()
    except GdprkitError:
        raise
    except Exception as exc:  # whatever a secret manager raises; its text is not ours to show
        failure = type(exc).__name__
    else:
        if isinstance(text, str | bytes):
            return text
        failure = f"it returned {type(text).__name__}, not the KEK text"
    raise KekError(f"the KEK callable failed ({failure})")


def check_kek(kek: object) -> KekProvider:
    """``kek`` if it follows :class:`KekProvider`, else a :class:`~gdprkit.KekError` naming its type.

    The members are looked up without running them: ``active_id`` of
    :meth:`Kek.env` reads the environment, which a check must not do. The
    commonest mistake is the KEK's text itself (a ``str`` or ``bytes``): the
    message says how to make a provider of it, and never shows the value.
    """
    missing = object()
    members = [inspect.getattr_static(kek, name, missing) for name in ("wrap", "unwrap")]
    if inspect.getattr_static(kek, "active_id", missing) is missing or not all(
        callable(m) for m in members
    ):
        hint = (
            "; the KEK's text itself is not accepted: keep it outside the code and the "
            f"store, e.g. in the {KEK_ENV} environment variable, and pass Kek.env()"
            if isinstance(kek, str | bytes)
            else ""
        )
        raise KekError(
            f"kek must be a key-encryption key provider (Kek.env({KEK_ENV!r}), Kek.file(path), "
            f"Kek.from_callable(fetch) or another KekProvider), got {type(kek).__name__}{hint}"
        )
    checked: KekProvider = kek  # type: ignore[assignment]  # checked member by member above
    return checked


def wrap_with(kek: KekProvider, data: bytes, associated_data: bytes) -> tuple[str, bytes]:
    """``kek.wrap``, with whatever a provider raises or returns amiss made a :class:`KekError`."""
    try:
        kek_id, wrapped = kek.wrap(data, associated_data)
    except GdprkitError:
        raise
    except Exception as exc:
        failure = type(exc).__name__
    else:
        if isinstance(kek_id, str) and KEY_ID.fullmatch(kek_id) and isinstance(wrapped, bytes):
            return kek_id, wrapped
        failure = "it returned something other than (kek id, bytes)"
    raise KekError(f"the key-encryption key provider failed to wrap ({failure})")


def unwrap_with(kek: KekProvider, kek_id: str, wrapped: bytes, associated_data: bytes) -> bytes:
    """``kek.unwrap``, with whatever a provider raises or returns amiss made a :class:`KekError`."""
    try:
        plain: object = kek.unwrap(kek_id, wrapped, associated_data)
    except GdprkitError:
        raise
    except Exception as exc:
        failure = type(exc).__name__
    else:
        if isinstance(plain, bytes):
            return plain
        failure = "it returned something other than bytes"
    raise KekError(
        f"the key-encryption key provider could not unwrap under KEK {kek_id!r} ({failure})"
    )
