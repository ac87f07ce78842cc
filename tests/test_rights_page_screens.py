"""The export page in a real browser: a phone, a desktop and paper.

Headless Chromium (Debian's ``chromium``) driven by Playwright. At 360 and
390 px the page must not scroll sideways and every table must stay readable:
no word in a cell, and no column label of a stacked card, broken inside a
word (long tokens such as a checksum excepted). Screenshots at 390 and 1280 px
are taken on the way; set ``GDPRKIT_SCREENSHOTS`` to a folder to keep them.
Skips, saying why, where Playwright or Chromium is missing; fails instead
with ``GDPRKIT_REQUIRE_BROWSER=1``, as in CI's test session with every extra.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from gdprkit import rights
from gdprkit._demo import models, service

from .answered import sources as answered_sources
from .answered import withhold_the_neighbours_number
from .conftest import ROOT, service_database


def _load(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _missing(reason: str) -> None:
    """Skip, saying why; fail instead where CI says the browser must be there."""
    if os.environ.get("GDPRKIT_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}, and GDPRKIT_REQUIRE_BROWSER=1", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


try:
    from playwright import sync_api
except ImportError:
    _missing("playwright is not installed (the all-extras test session has it)")
CHROMIUM = os.environ.get("GDPRKIT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    _missing("no Chromium (Debian: apt-get install chromium)")

AT = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
#: The flags docs/_static/make_screenshot.py starts Chromium with (a quiet, throwaway browser).
FLAGS = _load(ROOT / "docs" / "_static" / "make_screenshot.py").FLAGS
#: A word longer than this may break anywhere (a SHA-256): it cannot fit a phone.
LONG_TOKEN = 24

#: Words (runs of letters and digits: "2024-04-11" may break at a hyphen, "2024" may not) of
#: table cells, and of the labels of stacked cards, that the browser broke across lines.
BROKEN_WORDS_JS = """(longToken) => {
  const broken = [];
  const measure = document.createElement('span');
  measure.style.cssText = 'position:absolute;visibility:hidden;white-space:nowrap;font-weight:600';
  document.body.appendChild(measure);
  for (const cell of document.querySelectorAll('td, th')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/[\\p{L}\\p{N}]+/gu)) {
        if (match[0].length > longToken) continue;
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        if (tops.size > 1) broken.push(match[0]);
      }
    }
    const style = getComputedStyle(cell);
    const label = cell.getAttribute('data-label');
    if (label && style.display === 'grid') {
      measure.style.font = style.font;
      measure.style.fontWeight = '600';
      const track = parseFloat(style.gridTemplateColumns.split(' ')[0]);
      for (const word of label.match(/[\\p{L}\\p{N}]+/gu) || []) {
        measure.textContent = word;
        if (measure.getBoundingClientRect().width > track + 0.5) broken.push('label: ' + word);
      }
    }
  }
  measure.remove();
  return broken;
}"""


def _page_file(
    tmp: Path, db: Any, scope: str, lang: str, subject: str = "C-1042", **kw: Any
) -> Path:
    name = f"{scope}-{lang}-{subject}"
    kw.setdefault("sources", service.sources(db))
    result = rights.export_subject(
        rights.SubjectRef("customer", subject), policy=models.policy, scope=scope, at=AT,
        out=tmp / f"{name}.zip", lang=lang, facts=service.facts_for(db, "C-1042"), **kw,
    )  # fmt: skip
    with zipfile.ZipFile(result.path) as zf:
        return Path(zf.extract("index.html", tmp / name))


#: The pages looked at: Anna's own, hers with a reseller's data and a withheld value, and
#: the answer to someone of whom nothing is held.
PAGES = [("access", "sv"), ("access", "en"), ("portability", "sv"), ("answered", "sv"),
         ("answered", "en"), ("nothing", "sv")]  # fmt: skip


@pytest.fixture(scope="module")
def page_files(tmp_path_factory) -> dict[tuple[str, str], Path]:
    tmp = tmp_path_factory.mktemp("screens")
    db = service_database(tmp / "elveta.db")
    try:
        files = {key: _page_file(tmp, db, *key) for key in PAGES[:3]}
        files["nothing", "sv"] = _page_file(tmp, db, "access", "sv", "C-9999")
        sources = answered_sources(db)
        for lang in ("sv", "en"):
            files["answered", lang] = _page_file(
                tmp, db, "access", lang, sources=sources, redact=withhold_the_neighbours_number
            )
        return files
    finally:
        db.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


def _open(browser: Any, path: Path, width: int, media: str = "screen") -> Any:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.emulate_media(media=media)
    page.goto(path.as_uri())
    return page


def _keep(shot: bytes, name: str) -> None:
    folder = os.environ.get("GDPRKIT_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / name).write_bytes(shot)


@pytest.mark.parametrize("width", [360, 390, 768, 1280])
@pytest.mark.parametrize("key", PAGES)
def test_the_page_fits_the_screen_and_its_tables_stay_readable(browser, page_files, key, width):
    page = _open(browser, page_files[key], width)
    try:
        scroll_width, inner_width = page.evaluate(
            "[document.documentElement.scrollWidth, window.innerWidth]"
        )
        assert scroll_width <= inner_width, f"scrolls sideways: {scroll_width} > {inner_width}"
        assert page.evaluate(BROKEN_WORDS_JS, LONG_TOKEN) == []
        if width in (390, 1280):
            shot = page.screenshot(full_page=True)
            assert shot.startswith(b"\x89PNG")
            _keep(shot, f"{key[0]}-{key[1]}-{width}.png")
    finally:
        page.close()


def test_narrow_tables_become_cards_and_wide_ones_stay_tables(browser, page_files):
    """On a phone a row of records is a card, its cells one under another; on a desktop, a row."""
    js = """() => {
      const table = [...document.querySelectorAll('table.rows')][0];
      const cells = [...table.querySelectorAll('tbody tr:first-child td')];
      return [getComputedStyle(table.querySelector('thead')).position,
              new Set(cells.map(c => Math.round(c.getBoundingClientRect().top))).size,
              cells.length];
    }"""
    phone = _open(browser, page_files["access", "sv"], 390)
    desktop = _open(browser, page_files["access", "sv"], 1280)
    try:
        head, rows_on_phone, cells = phone.evaluate(js)
        assert head == "absolute"  # kept for screen readers, out of sight
        assert rows_on_phone == cells > 1
        head, rows_on_desktop, _ = desktop.evaluate(js)
        assert head == "static" and rows_on_desktop == 1
    finally:
        phone.close()
        desktop.close()


def test_the_page_prints_on_a4_without_overflow(browser, page_files):
    page = _open(browser, page_files["access", "sv"], 718, media="print")
    try:
        scroll_width, inner_width, toc = page.evaluate(
            "[document.documentElement.scrollWidth, window.innerWidth,"
            " getComputedStyle(document.querySelector('nav.toc')).display]"
        )
        assert scroll_width <= inner_width
        assert toc == "none"
        assert page.pdf(format="A4").startswith(b"%PDF")
    finally:
        page.close()
