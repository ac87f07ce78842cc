"""Regenerate ``docs/_static/export-index.png``: the ``index.html`` of an export package.

    python docs/_static/make_screenshot.py [--out PATH] [--chromium PATH]

Seeds the Elveta demo service (3 customers, 48 hourly readings each) in a
temporary SQLite file, writes the access package (Art. 15) of customer
``C-1042`` at a fixed time, extracts its ``index.html`` and takes a headless
Chromium screenshot of the top of the page (1200 x 2400 CSS pixels; Debian:
``apt-get install chromium``). With Pillow importable, blank space below the
page is trimmed and the image is reduced to a 64-colour palette to keep it
small; Pillow is not a gdprkit dependency, and without it the screenshot is
saved as Chromium wrote it.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from gdprkit import rights
from gdprkit._demo import models, service

HERE = Path(__file__).resolve().parent
AT = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
WIDTH, HEIGHT = 1200, 2400
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


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


def screenshot(chromium: str, page: Path, png: Path, work: Path) -> None:
    """A headless Chromium screenshot of ``page``, with a throwaway profile."""
    profile = tempfile.mkdtemp(dir=work)
    subprocess.run(  # noqa: S603  # our own arguments, no shell
        [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--window-size={WIDTH},{HEIGHT}",
            f"--screenshot={png}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    if not png.exists():
        raise SystemExit("chromium wrote no screenshot")


def shrink(raw: Path, out: Path) -> None:
    """Trim blank space at the bottom and use a small palette (if Pillow is there)."""
    try:
        from PIL import Image, ImageChops
    except ImportError:
        print("Pillow not importable: saving the screenshot as it is", file=sys.stderr)
        shutil.copyfile(raw, out)
        return
    with Image.open(raw) as image:
        rgb = image.convert("RGB")
    background = Image.new("RGB", rgb.size, rgb.getpixel((0, rgb.height - 1)))
    box = ImageChops.difference(rgb, background).getbbox()
    if box is not None and box[3] + 32 < rgb.height:
        rgb = rgb.crop((0, 0, rgb.width, box[3] + 32))
    rgb.quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(out, optimize=True)


def main(argv: list[str] | None = None) -> int:
    """Write the screenshot and print where it went."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "export-index.png")
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
        raw = work / "raw.png"
        screenshot(args.chromium, write_page(work), raw, work)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        shrink(raw, args.out)
    print(f"{args.out}: {args.out.stat().st_size / 1024:.0f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
