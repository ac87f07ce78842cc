"""gdprkit.dask without the extra: it imports, keeps its names, and names ``gdprkit[dask]``.

These run in the core-only test session too (``tests/test_dask.py`` skips
there), which is where a stray top-level ``import pandas`` would show.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

import gdprkit.dask as gd

#: gdprkit.dask's __all__, written down before the module became a facade.
PUBLIC_NAMES = {
    "KeyringSource",
    "enforce_k",
    "forget_keys",
    "generalize",
    "generalize_batches",
    "k_anonymity",
    "pseudonymize",
    "pseudonymize_batches",
}
#: gdprkit names the module also held before the split.
ALSO_IMPORTABLE = {
    "AnonymizationError",
    "Bucket",
    "EdgeBucket",
    "From",
    "GdprkitError",
    "Generalization",
    "Keyring",
    "KeyringError",
    "NaiveDatetimeError",
    "PostcodePrefix",
    "Pseudonymizer",
    "Recode",
    "Suppress",
    "SuppressionReport",
    "Truncate",
    "open_store",
}
EXTRA = ("dask", "pandas", "pyarrow", "numpy")


def test_every_name_of_the_module_stays_importable() -> None:
    assert set(gd.__all__) == PUBLIC_NAMES
    assert set(dir(gd)) >= PUBLIC_NAMES | ALSO_IMPORTABLE


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)


def test_importing_the_module_loads_none_of_the_extra() -> None:
    done = _run(f"import sys, gdprkit.dask\nprint(sorted(set({EXTRA!r}) & set(sys.modules)))")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "call",
    [
        "gd.k_anonymity(object(), ['postcode3'])",
        "gd.generalize(object(), Generalization({'x': Suppress()}))",
        "next(gd.pseudonymize_batches([object()], {'id': 'analytics'}, keyring=source))",
    ],
    ids=["k_anonymity", "generalize", "pseudonymize_batches"],
)
def test_without_the_extra_a_call_names_it(call: str) -> None:
    code = (
        "import sys\n"
        f"for name in {EXTRA!r}: sys.modules[name] = None  # what an absent package looks like\n"
        "import gdprkit.dask as gd\n"
        "from gdprkit.anonymize import Generalization, Suppress\n"
        "source = gd.KeyringSource.env('GDPRKIT_KEYRING')\n"
        "try:\n"
        f"    {call}\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    done = _run(code)
    assert done.returncode == 0, done.stderr
    assert "pip install 'gdprkit[dask]'" in done.stdout
