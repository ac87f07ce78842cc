"""Every code example in the documentation runs.

The fenced Python blocks of each ``docs/**/*.md`` page (and of README.md) run
in order, in one namespace per page, in a temporary working directory that
holds links to the repository's ``examples/`` and ``docs/`` (so
``examples/elveta/policy.toml`` resolves, and files the examples write land in
the temporary directory).

* ```` ```python ```` and ```` ```{code-block} python ```` blocks are executed;
* blocks whose first line starts with ``>>>``, and ```` ```pycon ```` blocks, run
  as doctests in the same namespace;
* a block whose first line starts with ``# doc: no-run`` is shown, not run (for
  examples that need a service this repository does not have);
* a page with a line ``<!-- doc: requires sqlalchemy pydantic -->`` skips, with the
  reason, where one of those modules is not installed (pages about optional extras);
* on a page with a line ``<!-- doc: run-console -->``, ```` ```console ```` blocks run
  too: each ``$ gdprkit ...`` line runs the command line in the page's working
  directory, and the lines up to the next ``$`` are its output (stdout and stderr, as
  a terminal shows them; ``...`` stands for any text); ``$ echo $?`` checks the
  exit status of the command before.

A failure names the page and the line of the block that failed.
"""

from __future__ import annotations

import contextlib
import doctest
import gc
import io
import re
import shlex
import sqlite3
import sys
import traceback
import types
from pathlib import Path

import attrs
import pytest

from gdprkit import cli

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
NO_RUN = "# doc: no-run"
_REQUIRES = re.compile(r"^<!-- doc: requires ([\w. ]+) -->$", re.MULTILINE)
RUN_CONSOLE = "<!-- doc: run-console -->"

_PYTHON = frozenset({"python", "py", "python3"})
_PYCON = frozenset({"pycon", "doctest"})
_CODE_DIRECTIVES = frozenset({"{code-block}", "{code}", "{sourcecode}"})
_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_OPTION = re.compile(r"^:[\w-]+:")


@attrs.frozen
class Block:
    """One runnable code block: its page, the line its code starts on, the code."""

    path: Path
    line: int
    code: str
    doctest: bool
    console: bool = False

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def _language(info: str) -> tuple[str, bool]:
    """(language, is a directive that only wraps other Markdown)."""
    words = info.strip().split()
    if not words:
        return "", False
    head = words[0]
    if head in _CODE_DIRECTIVES:
        return (words[1] if len(words) > 1 else ""), False
    if head.startswith("{"):
        # {note}, {only}, {admonition} ... hold Markdown; {literalinclude},
        # {eval-rst}, {include} ... hold no fenced Python of this page.
        opaque = head in ("{eval-rst}", "{literalinclude}", "{include}", "{toctree}")
        return ("", False) if opaque else ("", True)
    return head, False


def _strip_options(lines: list[str]) -> tuple[list[str], int]:
    """Drop a directive's ``:option:`` lines or ``---`` YAML block; returns lines and count."""
    dropped = 0
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
        if end is not None:
            return lines[end + 1 :], end + 1
    while lines and _OPTION.match(lines[0]):
        lines = lines[1:]
        dropped += 1
    return lines, dropped


def extract_blocks(path: Path, text: str | None = None) -> list[Block]:
    """The runnable Python blocks of a Markdown page, in order."""
    lines = (path.read_text(encoding="utf-8") if text is None else text).splitlines()
    consoles = RUN_CONSOLE in lines
    blocks: list[Block] = []
    # (fence character, length) of the wrapping directives we are inside
    open_wrappers: list[tuple[str, int]] = []
    i = 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if match is None:
            i += 1
            continue
        fence, info = match["fence"], match["info"]
        if open_wrappers and not info.strip():
            char, size = open_wrappers[-1]
            if fence[0] == char and len(fence) >= size:
                open_wrappers.pop()
                i += 1
                continue
        language, wrapper = _language(info)
        if wrapper:
            open_wrappers.append((fence[0], len(fence)))
            i += 1
            continue
        start = i + 1
        end = start
        while end < len(lines):
            close = _FENCE.match(lines[end])
            if (
                close is not None
                and not close["info"].strip()
                and close["fence"][0] == fence[0]
                and len(close["fence"]) >= len(fence)
            ):
                break
            end += 1
        body, dropped = _strip_options(lines[start:end])
        indent = len(match["indent"])
        body = [b[indent:] if b[:indent].isspace() else b for b in body]
        first = next((b for b in body if b.strip()), "")
        if language in _PYTHON | _PYCON and not first.strip().startswith(NO_RUN):
            blocks.append(
                Block(
                    path=path,
                    line=start + dropped + 1,
                    code="\n".join(body) + "\n",
                    doctest=language in _PYCON or first.lstrip().startswith(">>>"),
                )
            )
        elif language == "console" and consoles:
            code = "\n".join(body) + "\n"
            blocks.append(Block(path, start + dropped + 1, code, doctest=False, console=True))
        i = end + 1
    return blocks


def _pages() -> list[Path]:
    pages = sorted(p for p in DOCS.rglob("*.md") if "_build" not in p.parts)
    return [*pages, ROOT / "README.md"]


PAGES = [p for p in _pages() if extract_blocks(p)]


def _run_doctest(block: Block, namespace: dict[str, object]) -> None:
    parser = doctest.DocTestParser()
    test = parser.get_doctest(block.code, namespace, block.where, str(block.path), block.line - 1)
    runner = doctest.DocTestRunner(
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False
    )
    report: list[str] = []
    runner.run(test, out=report.append, clear_globs=False)
    # DocTest works on a copy of the namespace: hand what the block defined to the next block.
    namespace.update(test.globs)
    if runner.failures:
        pytest.fail(f"{block.where}: doctest failed\n" + "".join(report), pytrace=False)


def _run_code(block: Block, namespace: dict[str, object]) -> None:
    # Pad with blank lines so tracebacks give the line numbers of the page.
    source = "\n" * (block.line - 1) + block.code
    code = compile(source, str(block.path), "exec", dont_inherit=True)
    failure = None
    try:
        exec(code, namespace)
    except Exception:
        failure = traceback.format_exc()
    if failure is not None:
        pytest.fail(f"{block.where}: the code block failed\n{failure}", pytrace=False)


@pytest.fixture
def page_workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary working directory where ``examples/`` and ``docs/`` are the repository's."""
    for name in ("examples", "docs"):
        (tmp_path / name).symlink_to(ROOT / name, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_page_examples_run(page: Path, page_workdir: Path) -> None:
    """Each page's Python blocks run, in order, in one namespace."""
    for found in _REQUIRES.finditer(page.read_text(encoding="utf-8")):
        for module in found.group(1).split():
            pytest.importorskip(module, reason=f"{page.name} needs {module} (an optional extra)")
    name = "gdprkit_docs_" + re.sub(r"\W", "_", str(page.relative_to(ROOT)))
    module = types.ModuleType(name)
    module.__file__ = str(page)
    # A real module: dataclasses and typing.get_type_hints look classes' modules up.
    sys.modules[name] = module
    before = _connections()
    try:
        for block in extract_blocks(page):
            if block.console:
                _run_console(block)
            elif block.doctest:
                _run_doctest(block, module.__dict__)
            else:
                _run_code(block, module.__dict__)
    finally:
        del sys.modules[name]
        # A page is a script: its connections would close when the process ends.
        # Close them here, or Python 3.13 warns about unclosed databases later.
        for conn in _connections() - before:
            conn.close()


def _run_console(block: Block) -> None:
    """Run each ``$ gdprkit ...`` of a console block and compare what it printed."""
    status: int | None = None
    for line, command, expected in _console_steps(block):
        where = f"{block.path.relative_to(ROOT)}:{line}"
        if command == "echo $?":
            if status is None or expected.strip() != str(status):
                pytest.fail(
                    f"{where}: exit status {status}, the page says {expected}", pytrace=False
                )
            continue
        words = shlex.split(command)
        if words[:1] != ["gdprkit"]:
            pytest.fail(f"{where}: only gdprkit commands run here, not {command!r}", pytrace=False)
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            status = cli.main(words[1:])
        checker = doctest.OutputChecker()
        flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
        if not checker.check_output(expected, printed.getvalue(), flags):
            pytest.fail(
                f"{where}: $ {command}\n--- the page shows\n{expected}--- it printed\n"
                f"{printed.getvalue()}",
                pytrace=False,
            )


def _console_steps(block: Block) -> list[tuple[int, str, str]]:
    """(line, command, expected output) for each ``$`` line of a console block."""
    steps: list[tuple[int, str, str]] = []
    for offset, text in enumerate(block.code.splitlines()):
        if text.startswith("$ "):
            steps.append((block.line + offset, text[2:].strip(), ""))
        elif steps:
            line, command, expected = steps[-1]
            steps[-1] = (line, command, expected + text + "\n")
    return steps


def _connections() -> set[sqlite3.Connection]:
    return {o for o in gc.get_objects() if isinstance(o, sqlite3.Connection)}


def test_documentation_has_examples() -> None:
    """The collector finds the pages' examples (a broken parser would pass every page)."""
    assert len(PAGES) >= 10
    assert sum(len(extract_blocks(p)) for p in PAGES) >= 40


def test_extract_blocks_reads_fences_and_markers() -> None:
    text = "\n".join(
        [
            "# Page",
            "```python",
            "x = 1",
            "```",
            "````{note}",
            "```{code-block} python",
            ":caption: inside a note",
            "y = x + 1",
            "```",
            "````",
            "```python",
            NO_RUN,
            "spark.read.parquet('s3://…')",
            "```",
            "```console",
            "$ python -m gdprkit demo",
            "```",
            "```pycon",
            ">>> x + y",
            "3",
            "```",
        ]
    )
    blocks = extract_blocks(ROOT / "docs" / "page.md", text)
    assert [(b.line, b.code, b.doctest) for b in blocks] == [
        (3, "x = 1\n", False),
        (8, "y = x + 1\n", False),
        (19, ">>> x + y\n3\n", True),
    ]


def test_console_blocks_compare_output_and_exit_status(tmp_path: Path) -> None:
    """A console block that claims the wrong output or status fails (else every page passes)."""
    version = "```console\n$ gdprkit --version\ngdprkit ...\n$ echo $?\n0\n```"
    page = tmp_path / "page.md"
    for text, passes in [
        (f"{RUN_CONSOLE}\n{version}", True),
        (f"{RUN_CONSOLE}\n" + version.replace("gdprkit ...", "gdprkit 0.0.0-no"), False),
        (f"{RUN_CONSOLE}\n" + version.replace("\n0\n", "\n2\n"), False),
        (f"{RUN_CONSOLE}\n```console\n$ rm -rf /\n```", False),
        (version.replace("gdprkit ...", "not compared"), True),  # no marker: shown, not run
    ]:
        page.write_text(text, encoding="utf-8")
        blocks = [Block(ROOT / "docs" / "x.md", b.line, b.code, b.doctest, b.console)
                  for b in extract_blocks(page)]  # fmt: skip
        try:
            for block in blocks:
                _run_console(block)
        except pytest.fail.Exception:
            assert not passes, text
        else:
            assert passes, text
