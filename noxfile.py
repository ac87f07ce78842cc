"""Every check of gdprkit, one session each: ``nox -s tests mypy lint examples wheel docs bench``."""

from __future__ import annotations

import pathlib
import tomllib

import nox

nox.options.sessions = ["tests", "mypy", "lint", "examples", "wheel"]
nox.options.reuse_existing_virtualenvs = True

HERE = pathlib.Path(__file__).parent
PYPROJECT = tomllib.loads((HERE / "pyproject.toml").read_text(encoding="utf-8"))
EXTRAS = PYPROJECT["project"]["optional-dependencies"]


@nox.session
@nox.parametrize(
    "extras",
    ["test", "test,postgres,dask,sqlalchemy,pydantic"],
    ids=["core", "all-extras"],
)
def tests(session: nox.Session, extras: str) -> None:
    """Run the test suite under coverage, with only the core dependencies and with every extra.

    Without the extras the PostgreSQL, Dask, SQLAlchemy and pydantic tests
    skip with their reason, which proves the core never imports them. With
    them, FastAPI runs the example service's API test too.
    """
    session.install("-e", f".[{extras}]")
    if "sqlalchemy" in extras:
        session.install("fastapi", "httpx")
    session.run("coverage", "run", "-m", "pytest", *session.posargs)
    session.run("coverage", "combine", success_codes=[0, 1])
    session.run("coverage", "report")


@nox.session
def wheel(session: nox.Session) -> None:
    """Build the wheel, install it (not the source tree) and run the demo from it."""
    tmp = session.create_tmp()
    session.run("python", "-m", "pip", "wheel", "--no-deps", "-w", tmp, ".")
    (built,) = pathlib.Path(tmp).glob("gdprkit-*.whl")
    session.install(str(built))
    with session.chdir(tmp):
        session.run("python", "-m", "gdprkit", "demo", "--json", silent=True)
        session.run("gdprkit", "policy", "check", str(HERE / "examples/elveta/policy.toml"))


@nox.session
def mypy(session: nox.Session) -> None:
    """Type-check the library and the typing examples with mypy --strict."""
    session.install("-e", ".[dev]")
    session.run("mypy", "src", "tests/typing")


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff: lint and formatting."""
    session.install("ruff")
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
    """Build the documentation with warnings as errors."""
    session.install("-e", ".[docs]")
    session.run("sphinx-build", "-W", "--keep-going", "-b", "html", "docs", "docs/_build/html")


@nox.session
def bench(session: nox.Session) -> None:
    """Run the benchmarks; each prints ratios against a baseline measured in the same run."""
    session.install("-e", ".")
    for script in sorted((HERE / "bench").glob("bench_*.py")):
        session.run("python", str(script), *session.posargs)
