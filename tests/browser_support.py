"""Plumbing for the browser tests: the book's pages, a fresh build, a local server, Chromium.

Kept out of ``test_browser.py`` so that the test module reads as a list of what a reader
must see. Nothing here writes into the repository except screenshots under
``_build/screenshots/`` (a git-ignored build folder).

Every page is read at two widths: :data:`WIDE` (a laptop, where the text column must hold
every table) and :data:`NARROW` (a phone, where nothing may widen the page; a table wider than
the screen scrolls inside its own wrapper). The widths are set through the DevTools protocol,
so the page sees exactly that viewport.
"""

from __future__ import annotations

import functools
import os
import re
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

from helpers.fonts import FAMILY as BOOK_CJK_FONT
from helpers.fonts import cjk_characters
from helpers.pdf import HEADLESS_FLAGS
from helpers.sphinx_ext import is_placeholder_alt

REPO_ROOT = Path(__file__).resolve().parents[1]
HTML_DIR = REPO_ROOT / "_build" / "html"
SCREENSHOT_DIR = REPO_ROOT / "_build" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM_FLAGS = (
    *HEADLESS_FLAGS,
    "--window-size=1280,900",
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
WIDE, NARROW, HEIGHT = 1280, 400, 900
# A table may be wider than the text column at WIDE only inside this documented wrapper
# (book/conventions.md); none of the book's own tables uses it.
WIDE_TABLE_WRAPPER = "nqpf-wide"
WCAG_AA = 4.5  # minimum contrast ratio of normal-size text (WCAG 2.1, 1.4.3)
PANDAS_TRUNCATION = re.compile(r"\d+ rows \u00d7 \d+ columns")
# Full-page screenshots stop here (a few pages are very long).
MAX_SCREENSHOT_HEIGHT = 16000


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


# Collects, in one round trip, what the assertions need from the rendered page at WIDE.
_PAGE_SCRIPT = r"""
const article = document.querySelector('article.bd-article') || document.body;
const text = el => (el ? el.textContent.trim() : '');
const visible = el => el.getClientRects().length > 0;
const label = (t, i) => t.id || text(t.querySelector('caption')).slice(0, 80) || `table ${i + 1}`;

// tables wider than the text column (folded <details> opened for the measurement)
const closed = [...article.querySelectorAll('details:not([open])')];
closed.forEach(d => d.open = true);
const style = getComputedStyle(article);
const column = article.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
const wide = [...article.querySelectorAll('table')]
  .map((t, i) => ({label: label(t, i), width: Math.round(t.getBoundingClientRect().width),
                   column: Math.round(column), exempt: t.closest('.WRAPPER') !== null}))
  .filter(t => t.width > t.column + 1);
closed.forEach(d => d.open = false);

// caption contrast, in the light and the dark theme
const canvas = document.createElement('canvas').getContext('2d');
const rgba = c => {
  canvas.fillStyle = '#000'; canvas.fillStyle = c; const s = canvas.fillStyle;
  if (s[0] === '#') return [1, 3, 5].map(i => parseInt(s.slice(i, i + 2), 16)).concat([1]);
  const m = s.match(/[\d.]+/g).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1];
};
const blend = (top, under) => under.map((v, i) => top[i] * top[3] + v * (1 - top[3]));
const backdrop = el => {
  const layers = [];
  for (let e = el; e; e = e.parentElement) {
    const c = rgba(getComputedStyle(e).backgroundColor);
    if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
  }
  return layers.reverse().reduce((under, top) => blend(top, under), [255, 255, 255]);
};
const luminance = rgb => {
  const [r, g, b] = rgb.map(v => v / 255)
    .map(v => v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};
const ratio = el => {
  const under = backdrop(el);
  const fg = blend(rgba(getComputedStyle(el).color), under);
  const [a, b] = [luminance(fg), luminance(under)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
};
const root = document.documentElement;
const before = root.dataset.theme;
const captions = [];
for (const theme of ['light', 'dark']) {
  root.dataset.theme = theme;
  const texts = 'figcaption, table > caption, .nqpf-cmp-key, .cmp-rep';
  for (const c of article.querySelectorAll(texts)) {
    if (!visible(c) || !text(c)) continue;
    const r = Math.round(ratio(c) * 100) / 100;
    captions.push({theme: theme, text: text(c).slice(0, 60), ratio: r});
  }
}
root.dataset.theme = before || 'light';

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
  figure_images: [...article.querySelectorAll('figure img')].map(img => ({
      src: img.getAttribute('src') || '', alt: img.getAttribute('alt')})),
  figures: [...article.querySelectorAll('figure')].map(f => ({
      id: f.id || '(no id)', caption: text(f.querySelector('figcaption'))})),
  tables: [...article.querySelectorAll('table')].map((t, i) => ({
      label: label(t, i),
      rows: [...t.querySelectorAll('tbody tr')].filter(r => r.querySelector('td, th')).length})),
  wide_tables: wide,
  raw_frames: [...article.querySelectorAll('table.dataframe')]
      .map(t => label(t, [...article.querySelectorAll('table')].indexOf(t))),
  captions: captions,
  ellipsis_cells: [...article.querySelectorAll('td, th')]
      .filter(c => /^(\.\.\.|\u2026)$/.test(c.textContent.trim())).length,
  article_text: article.textContent,
  title: document.title,
};
""".replace("WRAPPER", WIDE_TABLE_WRAPPER)

# At NARROW: does anything make the page itself scroll sideways?
_NARROW_SCRIPT = """
const width = arguments[0];  // the emulated width: a phone may zoom out to wide content
const scrolls = el => ['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(el).overflowX);
const contained = el => {
  for (let e = el.parentElement; e && e !== document.body; e = e.parentElement) {
    if (scrolls(e) && e.getBoundingClientRect().right <= width + 1) return true;
  }
  return false;
};
const offenders = [...document.querySelectorAll('article *')]
  .filter(el => el.getClientRects().length && el.getBoundingClientRect().right > width + 1)
  .filter(el => !contained(el))
  .slice(0, 8)
  .map(el => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`
             + ` (right edge ${Math.round(el.getBoundingClientRect().right)} px)`);
return {width: width, page_width: document.documentElement.scrollWidth, offenders: offenders};
"""

# Marks the elements whose own text holds Chinese, for the font probe.
_CJK_MARK_SCRIPT = """
const cjk = /[\u2e80-\u2fdf\u3001-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]/;
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
const marked = new Set();
for (let n = walker.nextNode(); n && marked.size < 40; n = walker.nextNode()) {
  const el = n.parentElement;
  if (!el || marked.has(el) || !el.getClientRects().length) continue;
  if (['SCRIPT', 'STYLE', 'NOSCRIPT', 'TITLE'].includes(el.tagName)) continue;
  if (cjk.test(n.nodeValue)) {
    el.setAttribute('data-cjk-probe', marked.size);
    marked.add(el);
  }
}
return [...marked].map(el => [...el.childNodes].filter(c => c.nodeType === 3)
                                             .map(c => c.nodeValue).join(''));
"""


def set_viewport(driver, width: int, height: int = HEIGHT) -> None:
    """Give the page a ``width`` x ``height`` viewport (a phone's below 600 px) and wait for
    the layout to settle."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
    )
    driver.execute_async_script(
        "const done = arguments[0];"
        "requestAnimationFrame(() => requestAnimationFrame(() => done()));"
    )


def cjk_rendering(driver) -> list[dict]:
    """For each element whose own text holds Chinese: the characters and the fonts that drew them.

    Uses the DevTools call ``CSS.getPlatformFontsForNode``, which reports the fonts the
    browser actually used for an element's text (``isCustomFont`` for a web font) and how many
    glyphs each drew, so the answer does not depend on which fonts the system has.
    """
    texts = driver.execute_script(_CJK_MARK_SCRIPT)
    if not texts:
        return []
    driver.execute_cdp_cmd("DOM.enable", {})
    driver.execute_cdp_cmd("CSS.enable", {})
    root = driver.execute_cdp_cmd("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    probes = []
    for index, own_text in enumerate(texts):
        node = driver.execute_cdp_cmd(
            "DOM.querySelector", {"nodeId": root, "selector": f'[data-cjk-probe="{index}"]'}
        )["nodeId"]
        fonts = driver.execute_cdp_cmd("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        probes.append(
            {
                "text": own_text.strip()[:40],
                "cjk": sum(1 for ch in own_text if ch in cjk_characters(own_text)),
                "fonts": [
                    {
                        "family": f["familyName"],
                        "custom": f["isCustomFont"],
                        "glyphs": f["glyphCount"],
                    }
                    for f in fonts
                ],
            }
        )
    driver.execute_cdp_cmd("CSS.disable", {})
    return probes


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
    figure_images: list[dict]
    figures: list[dict]
    tables: list[dict]
    wide_tables: list[dict]
    raw_frames: list[str]
    captions: list[dict]
    ellipsis_cells: int
    article_text: str
    narrow: dict
    cjk: list[dict]

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

    def tables_wider_than_the_column(self) -> list[str]:
        """Tables wider than the text column at :data:`WIDE` (outside the documented wrapper)."""
        return [
            f"{t['label']}: {t['width']} px in a {t['column']} px column"
            for t in self.wide_tables
            if not t["exempt"]
        ]

    def unformatted_frames(self) -> list[str]:
        """Tables that are a raw ``DataFrame`` (pandas' own HTML, class ``dataframe``), not a
        formatted table (:func:`helpers.tables.show`, :func:`helpers.tables.side_by_side`)."""
        return list(self.raw_frames)

    def page_scrolls_sideways(self) -> list[str]:
        """At :data:`NARROW`: the page's own horizontal overflow, with what causes it."""
        n = self.narrow
        if n["page_width"] <= n["width"] + 1 and not n["offenders"]:
            return []
        return [f"page {n['page_width']} px wide in a {n['width']} px viewport", *n["offenders"]]

    def low_contrast_captions(self, minimum: float = WCAG_AA) -> list[str]:
        """Captions (and the replicated values set in a lighter grey under the published ones)
        below ``minimum`` contrast against their background, in either theme."""
        return [
            f"{c['theme']}: {c['ratio']:.2f}:1 '{c['text']}'"
            for c in self.captions
            if c["ratio"] < minimum
        ]

    def figures_without_alt_text(self) -> list[str]:
        """Figure images whose alt text is empty, their own path, or a file name."""
        return [i["src"] for i in self.figure_images if is_placeholder_alt(i["alt"], i["src"])]

    def chinese_drawn(self) -> int:
        """How many Chinese characters the browser drew on the page (in any font)."""
        return sum(p["cjk"] for p in self.cjk if p["fonts"])

    def pandas_truncation(self) -> list[str]:
        """Signs that pandas truncated a table: "N rows x M columns" captions, "..." cells."""
        found = PANDAS_TRUNCATION.findall(self.article_text)
        if self.ellipsis_cells:
            found.append(f"{self.ellipsis_cells} table cells that are only '...'")
        return found

    def chinese_not_in_the_book_font(self, family: str = BOOK_CJK_FONT) -> list[str]:
        """Chinese text drawn by any font other than the book's own (a system font, or boxes).

        Text the browser did not draw at all (inside a folded cell) reports no font and is
        left out; :meth:`chinese_drawn` counts what was drawn.
        """
        wrong = []
        for probe in self.cjk:
            if not probe["fonts"]:
                continue
            ours = sum(f["glyphs"] for f in probe["fonts"] if f["custom"] and f["family"] == family)
            if ours < probe["cjk"]:
                used = ", ".join(f"{f['family']} ({f['glyphs']})" for f in probe["fonts"])
                wrong.append(f"'{probe['text']}': {ours} of {probe['cjk']} glyphs; fonts: {used}")
        return wrong


def visit(driver, url: str) -> PageReport:
    """Load ``url`` at :data:`WIDE`, wait for its images and fonts, report what it shows; then
    lay it out at :data:`NARROW` for the horizontal-overflow check, and go back to WIDE."""
    from selenium.webdriver.support.ui import WebDriverWait

    set_viewport(driver, WIDE)
    driver.get_log("browser")  # drop what earlier pages logged
    driver.get(url)
    WebDriverWait(driver, 20).until(
        lambda d: d.execute_script(
            "return document.readyState === 'complete'"
            " && [...document.images].every(img => img.complete)"
        )
    )
    driver.execute_async_script("document.fonts.ready.then(() => arguments[0]())")
    seen = driver.execute_script(_PAGE_SCRIPT)
    seen["cjk"] = cjk_rendering(driver)
    errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    set_viewport(driver, NARROW)
    seen["narrow"] = driver.execute_script(_NARROW_SCRIPT, NARROW)
    set_viewport(driver, WIDE)
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


def _full_page(driver, width: int, path: Path) -> Path:
    """The whole page (up to :data:`MAX_SCREENSHOT_HEIGHT` pixels) as one PNG: the viewport
    is made as tall as the page for the shot, so the page lays itself out as usual."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    set_viewport(driver, width, min(height, MAX_SCREENSHOT_HEIGHT))
    driver.execute_script("window.scrollTo(0, 0)")
    driver.save_screenshot(str(path))
    set_viewport(driver, width)
    return path


def screenshots(driver, page: str, directory: Path = SCREENSHOT_DIR) -> list[Path]:
    """Screenshots of the loaded page at both widths.

    At :data:`WIDE`: the first screen in the dark and the light theme
    (``<page>-<theme>.png``), each figure (``<page>--<figure id>-<theme>.png``) and the whole
    page (``<page>-full-1280.png``). At :data:`NARROW`, in the light theme: the first screen
    (``<page>-400.png``) and the whole page (``<page>-full-400.png``). The page's folders are
    flattened into the name; the page is left at WIDE in the light theme.
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
    saved.append(_full_page(driver, WIDE, directory / f"{stem}-full-{WIDE}.png"))
    set_viewport(driver, NARROW)
    driver.execute_script("window.scrollTo(0, 0)")
    saved.append(directory / f"{stem}-{NARROW}.png")
    driver.save_screenshot(str(saved[-1]))
    saved.append(_full_page(driver, NARROW, directory / f"{stem}-full-{NARROW}.png"))
    set_viewport(driver, WIDE)
    driver.execute_script("window.scrollTo(0, 0)")
    return saved
