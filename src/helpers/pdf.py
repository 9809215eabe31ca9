"""The whole book as one PDF, without TeX and without downloads (optional for readers).

Two steps, both offline:

1. ``jupyter-book build . --builder singlehtml`` renders every page of ``_toc.yml`` into
   one HTML file, ``_build/singlehtml/book.html``. The chapters must already be executed
   (``book/_generated/``, written by ``make book``), because the book never runs notebooks.
2. Debian's headless Chromium (package ``chromium``) prints that page to
   ``_build/pdf/book.pdf``. Chromium lays out Chinese text with the system fonts
   (``fonts-noto-cjk``) and runs the book's own MathJax (sphinx-mathjax-offline), so
   formulas are typeset before printing; ``--virtual-time-budget`` gives the page's
   scripts that time before the print. Networking features are switched off and a fresh
   profile is used, so nothing is fetched or remembered.

Run it with ``replicate pdf`` (or ``make pdf``).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from helpers.paths import BUILD_DIR, GENERATED_DIR, REPO_ROOT

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "/usr/bin/chromium")
# Headless Chromium as root on a machine with no network: also used by the browser tests.
HEADLESS_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
CHROMIUM_FLAGS = (
    *HEADLESS_FLAGS,
    "--no-pdf-header-footer",
    "--virtual-time-budget=15000",  # ms of page time for MathJax before printing
)
PRINT_TIMEOUT = 600  # seconds; a full book prints in well under a minute


class PdfBuildError(RuntimeError):
    """A step of the PDF build could not run; the message says what to install or run."""


def find_chromium() -> Path:
    """The headless Chromium executable, or :class:`PdfBuildError` saying how to install it."""
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return Path(found)
    raise PdfBuildError(
        "Chromium is needed to print the book to PDF and was not found; on Debian or Ubuntu "
        "install it with `sudo apt-get install chromium` (no browser is downloaded otherwise)"
    )


def _build_dir(root: Path) -> Path:
    return Path(root) / BUILD_DIR.relative_to(REPO_ROOT)


def build_singlehtml(root: Path = REPO_ROOT) -> Path:
    """Render the executed book at ``root`` into one page, ``_build/singlehtml/book.html``."""
    generated = Path(root) / GENERATED_DIR.relative_to(REPO_ROOT)
    if not any(generated.glob("*.ipynb")):
        raise PdfBuildError(
            f"no executed chapters in {generated}; run `make book` (or `replicate book`) first"
        )
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    command = [str(jupyter_book), "build", str(root), "--builder", "singlehtml"]
    result = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
    out = _build_dir(root) / "singlehtml"
    # The whole book is the root page, book/intro.html; Sphinx writes its asset links
    # relative to the output folder (`_static/...`) although the page sits one level down,
    # so a copy at the top of the folder is the one that finds its styles, images and MathJax.
    root_doc = yaml.safe_load((Path(root) / "_toc.yml").read_text(encoding="utf-8"))["root"]
    built = out / f"{root_doc}.html"
    if result.returncode != 0 or not built.is_file():
        raise PdfBuildError(f"jupyter-book singlehtml build failed:\n{result.stdout[-3000:]}")
    page = out / "book.html"
    shutil.copyfile(built, page)
    return page


def print_to_pdf(page: Path, target: Path, chromium: Path | None = None) -> Path:
    """Print an HTML file to ``target`` with headless Chromium (fresh profile, no network)."""
    chromium = chromium or find_chromium()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="book-pdf-profile-") as profile:
        command = [
            str(chromium),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--print-to-pdf={target}",
            page.resolve().as_uri(),
        ]
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=PRINT_TIMEOUT, check=False
        )
    if result.returncode != 0 or not target.is_file() or target.stat().st_size == 0:
        raise PdfBuildError(f"Chromium did not write {target}:\n{result.stderr[-3000:]}")
    return target


def build_pdf(root: Path = REPO_ROOT) -> Path:
    """Build ``_build/pdf/book.pdf`` from the executed book at ``root`` (after ``make book``)."""
    chromium = find_chromium()  # fail before the HTML build when the browser is missing
    page = build_singlehtml(root)
    return print_to_pdf(page, _build_dir(root) / "pdf" / "book.pdf", chromium)
