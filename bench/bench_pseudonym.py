"""Pseudonymization against the plain code a user would write, measured in the same run.

Each pair runs its two sides in turn (ABAB…) and prints the minimum and
median of each; the goals are those of issue 16:

* ``Pseudonymizer.tokens()`` against the naive stdlib loop
  ``urlsafe_b64encode(hmac.new(key, v.encode(), sha256).digest())``, at
  100,000 and 1,000,000 values (so the cost's growth shows): goal ≥ 3.5x
  the speed;
* ``Sealer.seal()`` against ``AESSIV.encrypt(v.encode(), ad)`` called
  directly with the same associated data: goal ≤ 1.15x the time, stable
  (the per-round ratios show how stable);
* ``Sealer.unseal()`` against ``AESSIV.decrypt(ciphertext, ad)`` called
  directly on the raw bytes, same associated data: goal ≤ 1.2x the time.
  ``unseal()`` also parses the token, checks its format, finds the key and
  decodes the UTF-8 text, which the raw call does not;
* for orientation, no goal: the floor of the token format against the same
  raw calls. ``seal_floor`` and ``unseal_floor`` time the least any
  function that reads and writes these tokens does, a one-line Python
  function with no checks at all: ``prefix + encrypt(v.encode(),
  ad).hex()`` and ``decrypt(a2b_hex(t.removeprefix(prefix)),
  ad).decode()``. What ``seal()`` and ``unseal()`` pay above it is their
  checks (types, the lowercase hex the format requires); what the floor
  pays above the raw call is the format itself and one Python call;
* ``Pseudonymizer.token()`` called per value, against the naive loop (no
  goal), and ``tokens()`` against presidio-anonymizer's ``hash`` operator if
  presidio is importable (it is never a gdprkit dependency).

Seal and unseal are timed over batches of 2,000 values, many rounds, since
one call takes about a microsecond.

Usage: ``python bench/bench_pseudonym.py [--sizes 100000 1000000] [--rounds 5]
[--quick] [--json PATH] [--check]``.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import sys
from binascii import a2b_hex
from collections.abc import Callable, Sequence
from functools import partial

from _common import GOALS, Report, common_arguments, sizes_of
from cryptography.hazmat.primitives.ciphers.aead import AESSIV

from gdprkit.pseudonym import Keyring, Pseudonymizer, Sealer

KEY = bytes(range(32))
KEY_ID = "bench"
DOMAIN = "support"
#: The associated data of a sealed token, as docs/token-format.md defines it.
SEAL_AD = [b"gdprkit/v1/seal\x00" + KEY_ID.encode() + b"\x00" + DOMAIN.encode()]
BATCH = 2_000


def emails(n: int) -> list[str]:
    """``n`` distinct e-mail-like strings of about 25 bytes."""
    return [f"user{i:07d}@example{i % 97:02d}.se" for i in range(n)]


def naive_loop(values: Sequence[str]) -> list[bytes]:
    """The baseline: a fresh HMAC-SHA-256 per value, base64 each."""
    key = KEY
    return [
        base64.urlsafe_b64encode(hmac.new(key, v.encode(), hashlib.sha256).digest()) for v in values
    ]


def one_by_one(token: Callable[[str], str], values: Sequence[str]) -> list[str]:
    """``token()`` called per value, as a loop over a column would."""
    return [token(v) for v in values]


def bench_tokens(report: Report, sizes: Sequence[int], rounds: int) -> None:
    """tokens() against the naive loop at each size; token() per value at the first."""
    pseudonymizer = Pseudonymizer(Keyring.from_key(KEY, key_id=KEY_ID), domain="analytics")
    tokens, token = pseudonymizer.tokens, pseudonymizer.token
    naive = "naive hmac.new + urlsafe_b64encode loop"
    for n in sizes:
        values = emails(n)
        report.compare(
            f"tokens_{n}",
            "Pseudonymizer.tokens() vs the naive hmac.new + base64 loop",
            ("Pseudonymizer.tokens()", partial(tokens, values)),
            (naive, partial(naive_loop, values)),
            items=n,
            rounds=rounds,
            kind="speed",
            goal=GOALS["tokens"],
        )
        if n == sizes[0]:
            report.compare(
                f"token_loop_{n}",
                "Pseudonymizer.token() per value vs the naive loop (no goal)",
                ("[p.token(v) for v in values]", partial(one_by_one, token, values)),
                (naive, partial(naive_loop, values)),
                items=n,
                rounds=rounds,
                kind="speed",
            )


def bench_sealing(report: Report, rounds: int, batch: int) -> None:
    """seal() and unseal() against the raw AES-SIV calls, same associated data."""
    sealer = Sealer(Keyring.from_key(KEY, key_id=KEY_ID), domain=DOMAIN)
    # Another AES-256-SIV key: the cost does not depend on the key, and the raw side
    # must not reach into gdprkit's key derivation.
    siv = AESSIV(bytes(range(64)))
    encrypt, decrypt, ad = siv.encrypt, siv.decrypt, SEAL_AD
    seal, unseal = sealer.seal, sealer.unseal
    values = emails(batch)
    ciphertexts = [encrypt(v.encode(), ad) for v in values]
    tokens = [seal(v) for v in values]
    if [unseal(t) for t in tokens] != values or [decrypt(c, ad) for c in ciphertexts] != [
        v.encode() for v in values
    ]:
        raise SystemExit("a round trip failed")
    report.compare(
        "seal",
        "Sealer.seal() vs AESSIV.encrypt(v.encode(), ad)",
        ("Sealer.seal(v)", lambda: [seal(v) for v in values]),
        ("AESSIV.encrypt(v.encode(), ad)", lambda: [encrypt(v.encode(), ad) for v in values]),
        items=batch,
        rounds=rounds,
        kind="time",
        goal=GOALS["seal"],
    )
    report.compare(
        "unseal",
        "Sealer.unseal() vs AESSIV.decrypt(ciphertext, ad) on raw bytes",
        ("Sealer.unseal(token) -> str", lambda: [unseal(t) for t in tokens]),
        ("AESSIV.decrypt(raw bytes, ad) -> bytes", lambda: [decrypt(c, ad) for c in ciphertexts]),
        items=batch,
        rounds=rounds,
        kind="time",
        goal=GOALS["unseal"],
    )
    bench_floors(report, siv, values, rounds)


def bench_floors(report: Report, siv: AESSIV, values: Sequence[str], rounds: int) -> None:
    """The token format written as one line with no checks, against the same raw calls.

    What no ``seal()``/``unseal()`` can go below: a Python call, the hex, the
    key id prefix and the text encoding, around the same cipher calls.
    """
    encrypt, decrypt, ad = siv.encrypt, siv.decrypt, SEAL_AD
    prefix = f"{KEY_ID}.s1."
    ciphertexts = [encrypt(v.encode(), ad) for v in values]
    tokens = [prefix + c.hex() for c in ciphertexts]

    def seal(v: str) -> str:
        return prefix + encrypt(v.encode(), ad).hex()

    def unseal(t: str) -> str:
        return decrypt(a2b_hex(t.removeprefix(prefix)), ad).decode()

    if [seal(v) for v in values] != tokens or [unseal(t) for t in tokens] != list(values):
        raise SystemExit("a round trip of the floor failed")
    report.compare(
        "seal_floor",
        "the format's floor: a one-line seal function, no checks, vs AESSIV.encrypt (no goal)",
        ("prefix + encrypt(v.encode(), ad).hex()", lambda: [seal(v) for v in values]),
        ("AESSIV.encrypt(v.encode(), ad)", lambda: [encrypt(v.encode(), ad) for v in values]),
        items=len(values),
        rounds=rounds,
        kind="time",
    )
    report.compare(
        "unseal_floor",
        "the format's floor: a one-line unseal function, no checks, vs AESSIV.decrypt (no goal)",
        ("decrypt(a2b_hex(body), ad).decode()", lambda: [unseal(t) for t in tokens]),
        ("AESSIV.decrypt(raw bytes, ad) -> bytes", lambda: [decrypt(c, ad) for c in ciphertexts]),
        items=len(values),
        rounds=rounds,
        kind="time",
    )


def bench_presidio(report: Report, n: int, rounds: int) -> None:
    """tokens() against presidio-anonymizer's hash operator, if presidio is importable."""
    try:
        from presidio_anonymizer import AnonymizerEngine  # type: ignore[import-not-found]
        from presidio_anonymizer.entities import (  # type: ignore[import-not-found]
            OperatorConfig,
            RecognizerResult,
        )
    except ImportError:
        print("presidio-anonymizer: not importable here; comparison skipped")
        return
    values = emails(n)
    pseudonymizer = Pseudonymizer(Keyring.from_key(KEY, key_id=KEY_ID), domain="analytics")
    engine = AnonymizerEngine()
    operators = {"EMAIL_ADDRESS": OperatorConfig("hash", {"salt": KEY})}

    def presidio() -> list[str]:
        return [
            engine.anonymize(
                text=v,
                analyzer_results=[RecognizerResult("EMAIL_ADDRESS", 0, len(v), 1.0)],
                operators=operators,
            ).text
            for v in values
        ]

    report.compare(
        "presidio",
        "Pseudonymizer.tokens() vs presidio-anonymizer's hash operator (no goal)",
        ("Pseudonymizer.tokens()", lambda: pseudonymizer.tokens(values)),
        ("presidio AnonymizerEngine, hash", presidio),
        items=n,
        rounds=rounds,
        kind="speed",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run every pair and print the figures with their goals."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--presidio-n", type=int, default=20_000, help="values for presidio")
    common_arguments(parser, sizes="values per tokens run")
    args = parser.parse_args(argv)
    report = Report("pseudonym", args, argv)
    sizes = sizes_of(args)
    rounds, seal_rounds, batch = (2, 5, 200) if args.quick else (5, 300, BATCH)
    if args.rounds is not None:
        rounds = seal_rounds = args.rounds
    bench_tokens(report, sizes, rounds)
    bench_sealing(report, seal_rounds, batch)
    bench_presidio(report, min(args.presidio_n, 200) if args.quick else args.presidio_n, rounds)
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
