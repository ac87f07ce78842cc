"""How a worker gets its keys: a :class:`KeyringSource` locator, loaded once per process.

Key material must not travel in a pickled task graph (Art. 4(5) GDPR: the
additional information is "kept separately"); the graph carries only the
locator, and each worker loads and caches the keyring itself.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable
from typing import Any, Literal

import attrs

from gdprkit._errors import KeyringError
from gdprkit._pseudonym.kek import check_kek
from gdprkit._pseudonym.secret import read_secret_file
from gdprkit.pseudonym import Kek, KekProvider, Keyring, Pseudonymizer
from gdprkit.store import open as open_store

__all__ = ["KeyringSource", "check_source", "forget_keys"]

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_USERINFO = re.compile(r"(?<=://)[^/@]*@")


def _check_kind(_instance: object, _attribute: object, value: Any) -> None:
    if value not in ("file", "env", "store"):
        raise ValueError("KeyringSource kind must be one of: file, env, store")


def _check_locator(_instance: object, _attribute: object, value: Any) -> None:
    if not isinstance(value, str) or not value:
        raise TypeError("KeyringSource locator must be a non-empty str")


@attrs.frozen(repr=False)
class KeyringSource:
    """Where a worker loads a keyring from: a locator that is safe to pickle and to log.

    Build one with :meth:`file`, :meth:`env` or :meth:`store`. It holds the
    path, variable name or URL and never key material, so it can travel in a
    Dask task graph or a Spark closure; each process that runs a task loads
    the keyring itself (:meth:`load`) and keeps the resulting
    :class:`~gdprkit.pseudonym.Pseudonymizer` (:meth:`pseudonymizer`). This
    keeps the keys "separately" in the sense of Art. 4(5) GDPR: they live in
    the secret store and in the memory of the processes using them, and in no
    pickle, spill file or log.

    The keyring is wrapped at rest by a key-encryption key: ``kek`` says
    where a worker finds it, by default the ``GDPRKIT_KEK`` environment
    variable of the worker (:meth:`Kek.env() <gdprkit.pseudonym.Kek.env>`);
    a :class:`~gdprkit.pseudonym.Kek` is a locator too, safe to pickle.
    """

    kind: Literal["file", "env", "store"] = attrs.field(validator=_check_kind)
    locator: str = attrs.field(validator=_check_locator)
    name: str = attrs.field(default="default", kw_only=True)
    kek: KekProvider = attrs.field(
        factory=Kek.env, kw_only=True, validator=lambda _i, _a, v: check_kek(v)
    )

    @classmethod
    def file(cls, path: str | os.PathLike[str], *, kek: KekProvider | None = None) -> KeyringSource:
        """A keyring JSON file (:meth:`Keyring.to_json`) at an absolute path on every worker.

        The file must not be readable by group or others (mode ``0600``, as
        ``ssh`` demands of a private key); :meth:`load` refuses it otherwise.
        The path must be absolute: a worker resolves it in its own working
        directory.
        """
        text = os.fspath(path)
        if not isinstance(text, str) or not os.path.isabs(text):
            raise ValueError("KeyringSource.file needs an absolute path (str or os.PathLike)")
        return cls("file", text, kek=Kek.env() if kek is None else kek)

    @classmethod
    def env(cls, variable: str, *, kek: KekProvider | None = None) -> KeyringSource:
        """An environment variable holding the keyring JSON, set in every worker's environment.

        With ``dask.distributed``, set it on the workers (``Nanny(env=...)``,
        ``LocalCluster(env=...)``, a Kubernetes secret), not on the client.
        """
        if not isinstance(variable, str) or not _ENV_NAME.match(variable):
            raise ValueError("KeyringSource.env needs an environment variable name")
        return cls("env", variable, kek=Kek.env() if kek is None else kek)

    @classmethod
    def store(
        cls, url: str, *, name: str = "default", kek: KekProvider | None = None
    ) -> KeyringSource:
        """A keyring saved with :meth:`Keyring.save` in the gdprkit store at ``url``.

        The store file must be reachable from every worker at the same path
        (``sqlite:////abs/path``); put a database password in the workers'
        environment rather than in the URL, which travels in the graph.
        """
        if not isinstance(url, str) or "://" not in url:
            raise ValueError("KeyringSource.store needs a store URL, e.g. 'sqlite:////srv/gk.db'")
        if url.endswith(":memory:"):
            raise ValueError(
                "an in-memory store exists in one process only; workers cannot load it"
            )
        if not isinstance(name, str) or not name:
            raise ValueError("KeyringSource.store needs a non-empty keyring name")
        return cls("store", url, name=name, kek=Kek.env() if kek is None else kek)

    def load(self) -> Keyring:
        """Read the keyring now, in this process; :class:`~gdprkit.KeyringError` if it cannot.

        Messages name the locator and what is wrong, never the content.
        """
        if self.kind == "env":
            text = os.environ.get(self.locator)
            if not text:
                raise KeyringError(
                    f"environment variable {self.locator!r} is not set in this process "
                    "(set it on the workers)"
                )
            return Keyring.from_json(text, kek=self.kek)
        if self.kind == "file":
            text_bytes = read_secret_file(self.locator, "keyring file", KeyringError)
            return Keyring.from_json(text_bytes, kek=self.kek)
        if self.locator.lower().startswith("sqlite://"):
            path = self.locator[len("sqlite:///") :]
            if not os.path.exists(path):
                raise KeyringError(f"the keyring store file {path!r} does not exist here")
        with open_store(self.locator, read_only=True) as opened:
            return Keyring.load(opened, name=self.name, kek=self.kek)

    def pseudonymizer(
        self,
        domain: str,
        *,
        normalizer: Callable[[str], str] | None = None,
        key_id: str | None = None,
    ) -> Pseudonymizer:
        """The :class:`~gdprkit.pseudonym.Pseudonymizer` for ``domain``, loaded once per process.

        Cached by (source, domain, normalizer, key id) until :func:`forget_keys`;
        use a module-level normalizer (a lambda unpickled per task misses the cache).
        """
        return _cached_pseudonymizer(self, domain, normalizer, key_id)

    def __dask_tokenize__(self) -> tuple[str, str, str, str, str]:
        return ("gdprkit.KeyringSource", self.kind, self.locator, self.name, repr(self.kek))

    def __repr__(self) -> str:
        kek = "" if self.kek == Kek.env() else f", kek={self.kek!r}"
        if self.kind == "store":
            shown = _USERINFO.sub("***@", self.locator)
            return f"KeyringSource.store({shown!r}, name={self.name!r}{kek})"
        return f"KeyringSource.{self.kind}({self.locator!r}{kek})"


@functools.lru_cache(maxsize=64)
def _cached_pseudonymizer(
    source: KeyringSource,
    domain: str,
    normalizer: Callable[[str], str] | None,
    key_id: str | None,
) -> Pseudonymizer:
    return Pseudonymizer(source.load(), domain=domain, normalizer=normalizer, key_id=key_id)


def forget_keys() -> None:
    """Drop this process's cached pseudonymizers, so the next task reloads the keyring.

    After rotating the keyring behind a :class:`KeyringSource`, run it on every
    worker: ``client.run(gdprkit.dask.forget_keys)``.
    """
    _cached_pseudonymizer.cache_clear()


def check_source(keyring: object) -> KeyringSource:
    if isinstance(keyring, KeyringSource):
        return keyring
    if isinstance(keyring, Keyring):
        raise TypeError(
            "keyring must be a KeyringSource, not a Keyring: the keys would travel in the "
            "task graph; use KeyringSource.file(), .env() or .store()"
        )
    raise TypeError(f"keyring must be a KeyringSource, got {type(keyring).__name__}")
