"""Every check of gdprkit, one session each; ``bash .ci/run`` runs them all as CI does.

``nox`` runs the default sessions in order: ``tests`` (core only, then every extra),
``wheel`` (the suite against the built wheel), ``coverage`` (the three combined, with a
floor), ``mypy``, ``lint``, ``examples`` and ``docs``; ``nox -s bench`` runs the
benchmarks. Virtualenvs are reused between runs (``.nox/``); a session installs what
changed. Extras are read from ``pyproject.toml`` by name, so no pip newer than the
machine's is needed (no dependency groups).
"""

from __future__ import annotations

import pathlib
import shutil
import tomllib

import nox

nox.options.sessions = ["tests", "wheel", "coverage", "mypy", "lint", "examples", "docs"]
nox.options.reuse_existing_virtualenvs = True

HERE = pathlib.Path(__file__).parent
PYPROJECT = tomllib.loads((HERE / "pyproject.toml").read_text(encoding="utf-8"))
EXTRAS = PYPROJECT["project"]["optional-dependencies"]
ALL_EXTRAS = "test,postgres,dask,sqlalchemy,pydantic"

#: The modules of the optional extras; the coverage floor holds for everything else.
EXTRA_MODULES = [
    "*/gdprkit/dask.py",
    "*/gdprkit/_dask/*",
    "*/gdprkit/store/postgres.py",
    "*/gdprkit/sqlalchemy.py",
    "*/gdprkit/_sqlalchemy/*",
    "*/gdprkit/pydantic.py",
]
#: Combined line and branch coverage of the core modules must not fall below this
#: (94.6 % when the floor was set; 94.1 % with the extras' modules).
CORE_COVERAGE_FLOOR = 93


@nox.session
@nox.parametrize("extras", ["test", ALL_EXTRAS], ids=["core", "all-extras"])
def tests(session: nox.Session, extras: str) -> None:
    """Run the test suite under coverage, with only the core dependencies and with every extra.

    Without the extras the PostgreSQL and Dask tests skip with their reason
    (even where CI otherwise requires PostgreSQL), which proves the core never
    imports them.
    """
    session.install("-e", f".[{extras}]")
    if extras != "test":
        # FastAPI is no extra of gdprkit: the example service's API test needs it. Playwright
        # drives Debian's chromium (.ci/run installs it) to look at the export page.
        session.install("fastapi", "httpx", "playwright")
    # Without the extras the PostgreSQL and browser tests skip; with them, CI requires both.
    env = (
        {"GDPRKIT_REQUIRE_POSTGRES": "0", "GDPRKIT_REQUIRE_BROWSER": "0"}
        if extras == "test"
        else {}
    )
    session.run("coverage", "run", "-m", "pytest", *session.posargs, env=env)


@nox.session
def wheel(session: nox.Session) -> None:
    """Build the wheel, install it (not the tree), and run the test suite and the demo against it.

    The suite runs from a temporary folder, so that nothing but the installed
    package can be imported as ``gdprkit``; ``GDPRKIT_TESTS_AGAINST=installed``
    makes it refuse to start if ``gdprkit`` comes from anywhere but site-packages.
    """
    tmp = pathlib.Path(session.create_tmp())
    dist = tmp / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    session.run("python", "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dist), ".")
    (built,) = dist.glob("gdprkit-*.whl")
    session.install(f"{built}[{ALL_EXTRAS}]")
    # The version does not change between builds: replace the copy a reused venv holds.
    session.install("--force-reinstall", "--no-deps", str(built))
    env = {"GDPRKIT_TESTS_AGAINST": "installed", "COVERAGE_FILE": str(HERE / ".coverage"),
           "GDPRKIT_REQUIRE_BROWSER": "0"}  # fmt: skip
    with session.chdir(tmp):
        session.run(
            "coverage", "run", f"--rcfile={HERE / 'pyproject.toml'}",
            "-m", "pytest", str(HERE / "tests"), f"--rootdir={HERE}", "-p", "no:cacheprovider",
            *session.posargs,
            env=env,
        )  # fmt: skip
        session.run("python", "-m", "gdprkit", "demo", "--json", silent=True)
        session.run("gdprkit", "policy", "check", str(HERE / "examples/elveta/policy.toml"))


@nox.session
def coverage(session: nox.Session) -> None:
    """Combine the coverage of the test sessions; fail below the floor for the core modules."""
    session.install(*(r for r in EXTRAS["test"] if r.startswith("coverage")))
    session.run("coverage", "combine")
    session.run("coverage", "report")
    session.log(f"core modules (all but {', '.join(EXTRA_MODULES)}):")
    session.run(
        "coverage", "report", "--omit", ",".join(EXTRA_MODULES),
        f"--fail-under={CORE_COVERAGE_FLOOR}",
    )  # fmt: skip


@nox.session
def mypy(session: nox.Session) -> None:
    """Type-check the library, the typing examples and the example scripts with mypy --strict."""
    # the example service imports FastAPI, which no extra of gdprkit's installs
    session.install("-e", ".[dev]", "fastapi")
    session.run("mypy", "src", "tests/typing", "examples")


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff: lint and formatting."""
    session.install(*(r for r in EXTRAS["dev"] if r.startswith("ruff")))
    paths = ["src", "tests", "bench", "examples", "noxfile.py"]
    session.run("ruff", "check", *paths)
    session.run("ruff", "format", "--check", *paths)


@nox.session
def examples(session: nox.Session) -> None:
    """Run every example script against a fresh temporary database and check its output."""
    session.install("-e", ".[sqlalchemy,pydantic]")
    session.run("python", "examples/run_all.py")


@nox.session
def docs(session: nox.Session) -> None:
    """Build the documentation with warnings as errors.

    The reference documents the integrations too: autodoc imports them, so their extras are
    installed (gdprkit.pydantic, gdprkit.sqlalchemy and gdprkit.store.postgres refuse to
    import without theirs).
    """
    session.install("-e", ".[docs,postgres,dask,sqlalchemy,pydantic]")
    session.run(
        "sphinx-build", "-W", "--keep-going", "-q", "-b", "html", "docs", "docs/_build/html"
    )


@nox.session
def bench(session: nox.Session) -> None:
    """Run every benchmark against its baseline in the same run; figures also in bench/results/.

    ``nox -s bench -- --quick`` is a smoke run; ``-- --check`` fails when a goal is missed.
    """
    session.install("-e", ".[dask,sqlalchemy]")
    for script in sorted((HERE / "bench").glob("bench_*.py")):
        session.run("python", str(script), *session.posargs)
