"""Plumbing for the browser tests: the book's pages, a fresh build, a local server, Chromium.

Kept out of ``test_browser.py`` so that the test module reads as a list of what a reader
must see. Nothing here writes into the repository except screenshots under
``_build/screenshots/`` (a git-ignored build folder).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

from helpers.pdf import HEADLESS_FLAGS

REPO_ROOT = Path(__file__).resolve().parents[1]
HTML_DIR = REPO_ROOT / "_build" / "html"
SCREENSHOT_DIR = REPO_ROOT / "_build" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM_FLAGS = (
    *HEADLESS_FLAGS,
    "--window-size=1366,900",
    # Tests run offline and must not depend on the network: every host except the local
    # server resolves to nothing, so a CDN script fails fast instead of hanging.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
)
# Everything a build reads lives outside these (the tests do not feed the book).
NOT_BUILD_INPUTS = (
    ".git",
    ".github",
    ".ci",
    ".venv",
    "_build",
    "_output",
    "tests",
    "_scratch",
    "__pycache__",
    ".pytest_cache",
    ".hypothesis",
    ".ruff_cache",
    ".ipynb_checkpoints",
    "*.egg-info",
)
GENERATED = Path("book") / "_generated"
# Folders beside the repository that chapters read (the shared reference cases).
SIBLINGS = ("shared",)


def toc_pages(toc: Path = REPO_ROOT / "_toc.yml") -> list[str]:
    """Every page of a Jupyter Book ``_toc.yml`` (root first), as paths without suffix."""
    spec = yaml.safe_load(toc.read_text(encoding="utf-8"))
    pages = [spec["root"]]

    def walk(entries: list[dict]) -> None:
        for entry in entries:
            if "file" in entry:
                pages.append(entry["file"])
            for key in ("parts", "chapters", "sections"):
                walk(entry.get(key, []))

    walk([spec])
    return [str(Path(page).with_suffix("")) for page in pages]


def _ignorer(root: Path):
    """A ``shutil.copytree`` ignore function for the tree at ``root``."""
    generated_parent = (root / GENERATED.parent).resolve()

    def ignore(directory: str, names: list[str]) -> set[str]:
        ignored = shutil.ignore_patterns(*NOT_BUILD_INPUTS)(directory, names)
        if Path(directory).resolve() == generated_parent:
            ignored.add(GENERATED.name)
        return ignored

    return ignore


def build_inputs(root: Path = REPO_ROOT) -> Iterator[Path]:
    """Every file a fresh build reads: the working tree minus VCS, caches, builds and tests."""
    ignore = _ignorer(root)
    for directory, dirs, files in os.walk(root):
        dropped = ignore(directory, dirs + files)
        dirs[:] = [d for d in dirs if d not in dropped]
        yield from (Path(directory) / f for f in files if f not in dropped)


def html_is_fresh(html: Path = HTML_DIR, root: Path = REPO_ROOT) -> bool:
    """True when ``html`` holds a build newer than every build input (by modification time)."""
    if not (html / "index.html").is_file():
        return False
    built = max(p.stat().st_mtime for p in html.rglob("*") if p.is_file())
    return all(p.stat().st_mtime < built for p in build_inputs(root))


def build_in_copy(dest: Path, root: Path = REPO_ROOT) -> Path:
    """Copy the build inputs to ``dest``, run ``replicate book`` there; return its HTML folder.

    The folders in :data:`SIBLINGS` are linked beside the copy, where chapters look for them.
    ``PYTHONPATH`` points at the copy's ``src`` so that the copy's ``helpers`` (and its
    paths) are imported ahead of the editable install, in this process's children and in
    the notebook kernels they start. The repository itself is never written to.
    """
    shutil.copytree(root, dest, ignore=_ignorer(root))
    for name in SIBLINGS:
        if (root.parent / name).is_dir() and not (dest.parent / name).exists():
            (dest.parent / name).symlink_to(root.parent / name, target_is_directory=True)
    env = {**os.environ, "PYTHONPATH": str(dest / "src")}
    done = subprocess.run(
        [sys.executable, "-m", "helpers", "book"],
        cwd=dest,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        log = (done.stdout + done.stderr)[-4000:]
        raise RuntimeError(f"`replicate book` failed in {dest} (exit {done.returncode}):\n{log}")
    return dest / "_build" / "html"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output clean; failures show up as broken links instead."""


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 at a free port in a thread; yield the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def missing_browser() -> str | None:
    """Why the browser tests cannot run here, or ``None`` when they can."""
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not path.exists():
            return f"{path} not found: install it with `sudo apt-get install {package}`"
    return None


def start_chromium(user_data_dir: Path):
    """Headless Debian Chromium under Selenium, with the browser console log enabled.

    Both binaries are given explicitly, so Selenium Manager never downloads a driver.
    """
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={user_data_dir}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    driver.set_page_load_timeout(30)
    return driver


# Collects, in one round trip, what the assertions need from the rendered page.
_PAGE_SCRIPT = """
const article = document.querySelector('article.bd-article') || document.body;
const text = el => (el ? el.textContent.trim() : '');
return {
  links: [...document.querySelectorAll('a[href]')].map(a => a.href),
  assets: [...document.querySelectorAll('link[href]')].map(l => l.href)
      .concat([...document.querySelectorAll('script[src]')].map(s => s.src)),
  images: [...document.querySelectorAll('img')].map(img => ({
      src: img.currentSrc || img.src,
      loaded: img.complete && img.naturalWidth > 0,
      in_figure: img.closest('figure') !== null})),
  article_images: [...article.querySelectorAll('img')].map(img => ({
      src: img.currentSrc || img.src,
      figure: img.closest('figure') ? (img.closest('figure').id || '(no id)') : null})),
  figures: [...article.querySelectorAll('figure')].map(f => ({
      id: f.id || '(no id)', caption: text(f.querySelector('figcaption'))})),
  tables: [...article.querySelectorAll('table')].map((t, i) => ({
      label: t.id || text(t.querySelector('caption')) || `table ${i + 1}`,
      rows: [...t.querySelectorAll('tbody tr')].filter(r => r.querySelector('td, th')).length})),
  title: document.title,
};
"""


@dataclass(frozen=True)
class PageReport:
    """What a reader's browser saw on one page."""

    url: str
    title: str
    console_errors: list[str]
    links: list[str]
    assets: list[str]
    images: list[dict]
    article_images: list[dict]
    figures: list[dict]
    tables: list[dict]

    def console_problems(self) -> list[str]:
        """Console errors, except external resources that cannot load offline."""
        return [m for m in self.console_errors if not external_load_failure(m, self.url)]

    def broken_targets(self, html_root: Path) -> list[str]:
        """Local links, stylesheets, scripts and images that do not resolve in ``html_root``."""
        targets = self.links + self.assets + [image["src"] for image in self.images]
        return sorted({b for t in targets if (b := broken_target(t, self.url, html_root))})

    def images_not_loaded(self) -> list[str]:
        """Local images the browser could not decode or fetch."""
        return [i["src"] for i in self.images if is_local(i["src"], self.url) and not i["loaded"]]

    def images_outside_figures(self) -> list[str]:
        """Images in the text that are not inside a ``<figure>`` (so have no caption)."""
        return [i["src"] for i in self.article_images if i["figure"] is None]

    def figures_without_caption(self) -> list[str]:
        return [f["id"] for f in self.figures if not f["caption"]]

    def empty_tables(self) -> list[str]:
        return [t["label"] for t in self.tables if t["rows"] == 0]


def visit(driver, url: str) -> PageReport:
    """Load ``url``, wait until it and its images have loaded, and report what it shows."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get_log("browser")  # drop what earlier pages logged
    driver.get(url)
    WebDriverWait(driver, 20).until(
        lambda d: d.execute_script(
            "return document.readyState === 'complete'"
            " && [...document.images].every(img => img.complete)"
        )
    )
    seen = driver.execute_script(_PAGE_SCRIPT)
    errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    return PageReport(url=url, console_errors=errors, **seen)


def is_local(url: str, base: str) -> bool:
    """True for a URL served by the local book server (not an external site)."""
    return urlsplit(url).netloc == urlsplit(base).netloc


def external_load_failure(message: str, base: str) -> bool:
    """A console error that only says an external resource could not be fetched offline.

    Chromium logs these as ``URL - Failed to load resource: net::ERR_...``.
    """
    url, _, rest = message.partition(" ")
    return url.startswith("http") and not is_local(url, base) and "net::ERR_" in rest


def broken_target(url: str, base: str, html_root: Path) -> str | None:
    """Why a local ``url`` does not resolve to a file (or an anchor) of the build, else None."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not is_local(url, base):
        return None
    path = html_root / unquote(parts.path).lstrip("/")
    if parts.path.endswith("/"):
        path = path / "index.html"
    if not path.is_file():
        return f"{url}: no file {path.relative_to(html_root)} in the build"
    fragment = unquote(parts.fragment)
    if fragment and path.suffix == ".html":
        page = path.read_text(encoding="utf-8", errors="replace")
        if f'id="{fragment}"' not in page and f'name="{fragment}"' not in page:
            return f"{url}: no element with id '{fragment}' in {path.relative_to(html_root)}"
    return None


def screenshots(driver, page: str, directory: Path = SCREENSHOT_DIR) -> list[Path]:
    """Save the loaded page's first screen, and each of its figures, in both themes.

    Files are ``<directory>/<page>-<theme>.png`` and ``<page>--<figure id>-<theme>.png``,
    the page's folders flattened; the page is left in the light theme.
    """
    from selenium.webdriver.common.by import By

    directory.mkdir(parents=True, exist_ok=True)
    stem = page.replace("/", "__")
    saved = []
    for theme in ("dark", "light"):
        driver.execute_script("document.documentElement.dataset.theme = arguments[0]", theme)
        driver.execute_script("window.scrollTo(0, 0)")
        saved.append(directory / f"{stem}-{theme}.png")
        driver.save_screenshot(str(saved[-1]))
        for figure in driver.find_elements(By.CSS_SELECTOR, "article figure[id]"):
            saved.append(directory / f"{stem}--{figure.get_attribute('id')}-{theme}.png")
            figure.screenshot(str(saved[-1]))
    driver.execute_script("window.scrollTo(0, 0)")
    return saved
