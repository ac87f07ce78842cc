"""Throughput of gdprkit.pseudonym against plain baselines measured in the same run.

Prints ratios (never asserts absolute times, which depend on the machine):

* ``Pseudonymizer.tokens()`` and ``.token()`` against the naive stdlib loop
  ``urlsafe_b64encode(hmac.new(key, v.encode(), sha256).digest())`` — targets
  2x and 1.3x;
* ``Sealer.seal()`` against calling ``AESSIV.encrypt`` directly — target:
  at most 1.3x the time;
* ``tokens()`` against presidio-anonymizer's ``hash`` operator through its
  ``AnonymizerEngine`` — target 5x; run only if presidio is importable
  (it is never a gdprkit dependency; install it into a separate venv).

Usage: ``python bench/bench_pseudonym.py [--n 1000000] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
from collections.abc import Sequence

from _common import best_of  # bench/_common.py: the script's folder is on sys.path
from cryptography.hazmat.primitives.ciphers.aead import AESSIV

from gdprkit.pseudonym import Keyring, Pseudonymizer, Sealer

KEY = bytes(range(32))


def emails(n: int) -> list[str]:
    """``n`` distinct e-mail-like strings of about 25 bytes."""
    return [f"user{i:07d}@example{i % 97:02d}.se" for i in range(n)]


def naive_loop(values: Sequence[str]) -> list[bytes]:
    """The baseline: a fresh HMAC-SHA-256 per value, base64 each."""
    key = KEY
    return [
        base64.urlsafe_b64encode(hmac.new(key, v.encode(), hashlib.sha256).digest()) for v in values
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="values (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing; best counts")
    parser.add_argument(
        "--presidio-n", type=int, default=20_000, help="values for the (slow) presidio run"
    )
    args = parser.parse_args(argv)
    n, repeat = args.n, args.repeat
    values = emails(n)
    keyring = Keyring.from_key(KEY, key_id="bench")
    pseudonymizer = Pseudonymizer(keyring, domain="analytics")
    sealer = Sealer(keyring, domain="support")

    print(f"gdprkit.pseudonym benchmark: {n:,} e-mail-like values, best of {repeat}")
    t_naive = best_of(repeat, lambda: naive_loop(values))
    t_batch = best_of(repeat, lambda: pseudonymizer.tokens(values))
    token = pseudonymizer.token
    t_single = best_of(repeat, lambda: [token(v) for v in values])
    print(f"  naive hmac.new + b64 loop  {n / t_naive / 1e6:6.2f} M/s")
    print(
        f"  Pseudonymizer.tokens()     {n / t_batch / 1e6:6.2f} M/s  "
        f"{t_naive / t_batch:4.2f}x naive (target >= 2.0x)"
    )
    print(
        f"  Pseudonymizer.token() loop {n / t_single / 1e6:6.2f} M/s  "
        f"{t_naive / t_single:4.2f}x naive (target >= 1.3x)"
    )

    # Sealing: an AES-256-SIV key and associated data of the same shape, called directly.
    siv = AESSIV(bytes(range(64)))
    ad = [b"gdprkit/v1/seal\x00bench\x00support"]
    seal = sealer.seal
    m = max(1, n // 4)
    some = values[:m]
    t_raw = best_of(repeat, lambda: [siv.encrypt(v.encode(), ad) for v in some])
    t_seal = best_of(repeat, lambda: [seal(v) for v in some])
    print(f"  AESSIV.encrypt direct      {m / t_raw / 1e6:6.2f} M/s  ({m:,} values)")
    print(
        f"  Sealer.seal()              {m / t_seal / 1e6:6.2f} M/s  "
        f"{t_seal / t_raw:4.2f}x the time (target <= 1.3x)"
    )

    try:
        from presidio_anonymizer import AnonymizerEngine  # type: ignore[import-not-found]
        from presidio_anonymizer.entities import (  # type: ignore[import-not-found]
            OperatorConfig,
            RecognizerResult,
        )
    except ImportError:
        print("  presidio-anonymizer: not importable here; comparison skipped")
        return
    k = min(n, args.presidio_n)
    few = values[:k]
    engine = AnonymizerEngine()
    operators = {"EMAIL_ADDRESS": OperatorConfig("hash", {"salt": KEY})}

    def presidio() -> list[str]:
        return [
            engine.anonymize(
                text=v,
                analyzer_results=[RecognizerResult("EMAIL_ADDRESS", 0, len(v), 1.0)],
                operators=operators,
            ).text
            for v in few
        ]

    t_presidio = best_of(repeat, presidio)
    t_ours = best_of(repeat, lambda: pseudonymizer.tokens(few))
    print(f"  presidio hash operator     {k / t_presidio / 1e6:6.3f} M/s  ({k:,} values)")
    print(
        f"  Pseudonymizer.tokens()     {k / t_ours / 1e6:6.2f} M/s  "
        f"{t_presidio / t_ours:4.0f}x presidio (target >= 5x)"
    )


if __name__ == "__main__":
    main()
