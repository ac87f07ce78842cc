"""Where a command finds a keyring: in the store, or in a keyring JSON file, and its KEK.

Keyrings at rest are wrapped by a key-encryption key kept outside the store
(Art. 32; ``docs/howto/key-management.md``): ``--kek-env`` (default
``GDPRKIT_KEK``) or ``--kek-file`` names it.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from gdprkit._cli.status import CommandFailed, Exit

if TYPE_CHECKING:
    from gdprkit.pseudonym import KekProvider, Keyring
    from gdprkit.store import Store

__all__ = ["add_keyring_options", "load_keyring"]


def add_keyring_options(parser: argparse.ArgumentParser, *, role: str, files: bool) -> None:
    """``--keyring NAME`` (``--keys PATH`` too, with ``files``) and ``--kek-env``/``--kek-file``.

    ``role`` finishes the sentence "the keyring in the store that ...".
    """
    which = parser.add_mutually_exclusive_group() if files else parser
    which.add_argument(
        "--keyring",
        default="default",
        metavar="NAME",
        help=f"the keyring in the store that {role} (default: default)",
    )
    if files:
        which.add_argument(
            "--keys", metavar="PATH", help="read the keyring from this JSON file instead"
        )
    kek = parser.add_mutually_exclusive_group()
    kek.add_argument(
        "--kek-env",
        default="GDPRKIT_KEK",
        metavar="VAR",
        help="the environment variable that holds the key-encryption key (default GDPRKIT_KEK)",
    )
    kek.add_argument(
        "--kek-file", metavar="PATH", help="a 0600 file that holds the key-encryption key"
    )


def _kek(args: argparse.Namespace) -> KekProvider:
    from gdprkit.pseudonym import Kek

    return Kek.file(args.kek_file) if args.kek_file else Kek.env(args.kek_env)


def load_keyring(args: argparse.Namespace, store: Store) -> Keyring:
    """The keyring the options name, unwrapped with their KEK."""
    from gdprkit.pseudonym import Keyring

    if getattr(args, "keys", None) is None:
        return Keyring.load(store, kek=_kek(args), name=args.keyring)
    try:
        text = Path(args.keys).read_bytes()
    except OSError as exc:
        raise CommandFailed(f"cannot read --keys: {exc.strerror}", Exit.UNAVAILABLE) from None
    return Keyring.from_json(text, kek=_kek(args))
