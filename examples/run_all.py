"""Run every example script against a fresh temporary folder and check its output.

Each script declares ``EXPECT``: strings its standard output must contain.
``examples/elveta/`` holds scripts beside their modules; ``examples/elveta_service/``
is a package (it needs the ``sqlalchemy`` and ``pydantic`` extras), whose scripts run
as ``python -m elveta_service.<script>`` with ``examples/`` on the import path.
``nox -s examples`` runs this file; CI runs it through ``.ci/run``.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
LIBRARY_MODULES = {"models.py", "service.py", "api.py"}
FOLDERS = ("elveta", "elveta_service")


def expected(script: Path) -> list[str]:
    """The EXPECT list a script declares at module level."""
    tree = ast.parse(script.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "EXPECT" for t in node.targets
        ):
            value = ast.literal_eval(node.value)
            return [str(v) for v in value]
    raise SystemExit(f"{script}: declares no EXPECT list")


def command(script: Path) -> list[str]:
    """How to run a script: by path, or as a module of its package."""
    if (script.parent / "__init__.py").exists():
        return [sys.executable, "-m", f"{script.parent.name}.{script.stem}"]
    return [sys.executable, str(script)]


def main() -> int:
    scripts = sorted(
        p
        for folder in FOLDERS
        for p in (HERE / folder).glob("*.py")
        if p.name not in LIBRARY_MODULES and not p.name.startswith("_")
    )
    failures = 0
    for script in scripts:
        with tempfile.TemporaryDirectory(prefix="gdprkit-example-") as tmp:
            path = os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")]))
            env = dict(os.environ, GDPRKIT_EXAMPLE_DIR=tmp, PYTHONPATH=path)
            proc = subprocess.run(
                command(script),
                capture_output=True,
                text=True,
                env=env,
                cwd=tmp,
                timeout=300,
                check=False,
            )
        missing = [e for e in expected(script) if e not in proc.stdout]
        ok = proc.returncode == 0 and not missing
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {script.relative_to(HERE)}")
        if not ok:
            print(proc.stdout[-3000:])
            print(proc.stderr[-3000:], file=sys.stderr)
            for e in missing:
                print(f"     missing from output: {e!r}")
    print(f"{len(scripts) - failures} passed, {failures} failed")
    return 1 if failures or not scripts else 0


if __name__ == "__main__":
    raise SystemExit(main())
