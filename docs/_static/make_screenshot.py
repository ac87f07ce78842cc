"""Regenerate the screenshots of an export package's ``index.html`` in the docs.

    python docs/_static/make_screenshot.py [--chromium PATH]

Seeds the Elveta demo service (3 customers, 48 hourly readings each) in a
temporary SQLite file, writes the access package (Art. 15) of customer
``C-1042`` at a fixed time, and takes screenshots of its page in headless
Chromium through Playwright (``pip install playwright``; Debian's
``chromium``, not Playwright's own browser download):

* ``export-page-phone.png``: two screens of a 390 px phone side by side, the
  top of the page and the invoices, whose table rows have become cards;
* ``export-page-desktop.png``: the top of the page at 1280 px.

With Pillow importable the images are put together and reduced to a small
palette to keep them small; Pillow is not a gdprkit dependency, and without
it each screen is saved as Chromium wrote it.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gdprkit import rights
from gdprkit._demo import models, service

HERE = Path(__file__).resolve().parent
AT = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE, DESKTOP = 390, 1280
#: The height of each phone screen and of the desktop view, in CSS pixels.
PHONE_HEIGHT, DESKTOP_HEIGHT = 1350, 1450


def write_page(work: Path) -> Path:
    """The demo customer's access package, its index.html extracted into ``work``."""
    conn = sqlite3.connect(work / "elveta.db")
    try:
        service.create_schema(conn)
        service.seed(conn, customers=3, hours=48)
        result = rights.export_subject(
            rights.SubjectRef("customer", "C-1042"),
            service.sources(conn),
            models.policy,
            at=AT,
            out=work / "access.zip",
            facts=service.facts_for(conn, "C-1042"),
        )
    finally:
        conn.close()
    with zipfile.ZipFile(result.path) as zf:
        return Path(zf.extract("index.html", work))


def screens(chromium: str, page: Path, work: Path) -> dict[str, list[Path]]:
    """The phone's two screens and the desktop's one, as PNG files in ``work``."""
    from playwright.sync_api import sync_playwright

    shots: dict[str, list[Path]] = {"phone": [], "desktop": []}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=FLAGS)
        phone = browser.new_page(viewport={"width": PHONE, "height": PHONE_HEIGHT})
        phone.goto(page.as_uri())
        invoices = phone.evaluate("document.getElementById('k-invoices').offsetTop") - 16
        for i, top in enumerate((0, invoices)):
            shots["phone"].append(_clip(phone, work / f"phone-{i}.png", PHONE, top, PHONE_HEIGHT))
        desktop = browser.new_page(viewport={"width": DESKTOP, "height": DESKTOP_HEIGHT})
        desktop.goto(page.as_uri())
        shots["desktop"].append(_clip(desktop, work / "desktop.png", DESKTOP, 0, DESKTOP_HEIGHT))
        browser.close()
    return shots


def _clip(page: Any, png: Path, width: int, top: int, height: int) -> Path:
    clip = {"x": 0, "y": top, "width": width, "height": height}
    page.screenshot(path=str(png), clip=clip, full_page=True)
    return png


def save(parts: list[Path], out: Path) -> None:
    """Put ``parts`` side by side with a gap, on a small palette (if Pillow is there)."""
    try:
        from PIL import Image
    except ImportError:
        print("Pillow not importable: saving each screen as it is", file=sys.stderr)
        for i, part in enumerate(parts):
            shutil.copyfile(part, out if i == 0 else out.with_stem(f"{out.stem}-{i + 1}"))
        return
    images = [Image.open(p).convert("RGB") for p in parts]
    gap = 24
    width = sum(i.width for i in images) + gap * (len(images) - 1)
    sheet = Image.new("RGB", (width, max(i.height for i in images)), (255, 255, 255))
    x = 0
    for image in images:
        sheet.paste(image, (x, 0))
        x += image.width + gap
    sheet.quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(out, optimize=True)


def main(argv: list[str] | None = None) -> int:
    """Write the screenshots and print where they went."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--chromium",
        default=shutil.which("chromium") or shutil.which("chromium-browser"),
        help="the Chromium executable (default: chromium on PATH)",
    )
    args = parser.parse_args(argv)
    if not args.chromium:
        parser.error("no chromium on PATH; install it (Debian: apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="gdprkit-shot-") as tmp:
        work = Path(tmp)
        shots = screens(args.chromium, write_page(work), work)
        for name, parts in shots.items():
            out = HERE / f"export-page-{name}.png"
            save(parts, out)
            print(f"{out}: {out.stat().st_size / 1024:.0f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
