"""The rendered book, opened page by page in a real browser (headless Debian Chromium).

Which build is tested
    ``_build/html`` when it is newer than every file a build reads (the working tree minus
    ``.git``, caches, build folders and ``tests/``), as it is right after ``make book``;
    the run then takes about 20 seconds. Otherwise the working tree is copied to a
    temporary folder and built there with ``replicate book`` (notebooks, then HTML), once
    per session, which adds the time of a full build (about a minute with five notebooks).
    The repository is never written to, except the screenshots (below).

What a reader must see, on every page of ``_toc.yml``
    the page loads with no browser console error; every internal link, stylesheet, script
    and image resolves to a file of the build (and a ``#fragment`` to an element of it);
    every image loads and sits in a figure with a caption, and has alt text that is not its
    path; every table has rows and is formatted (no raw ``DataFrame``). At 1280 px no table
    is wider than the text column (a table may only exceed it inside the documented
    ``div.nqpf-wide`` wrapper, which the book does not use); at 400 px nothing makes the
    page scroll sideways (a wide table scrolls inside its own wrapper). Captions reach the
    WCAG AA contrast ratio in both themes. pandas never truncated a table ("rows x columns"
    captions, "..." cells). Chinese text is drawn with the book's own font, whatever fonts
    the system has (the browser reports the font it used for each glyph). Every chapter
    page offers its executed notebook and the CSV files in its output folder for download,
    and the search page finds a known term. One test serves a page built to fail every
    check and asserts that each check catches it.

Screenshots (for a person to look at; no test reads them)
    With ``pytest --screenshots`` (``make screenshots``), every page at 1280 px (first screen
    in the light and the dark theme, each figure, the whole page) and at 400 px (first
    screen, whole page) go to ``_build/screenshots/`` (a git-ignored build artifact). They
    took 58 of the 82 seconds of the page visits, so ``make test`` leaves them out.

Offline by design
    Chromium resolves every host except 127.0.0.1 to nothing, so the tests never touch the
    network. The only console errors not counted are external resources failing to load
    for that reason (a CDN script, say); anything the book itself serves must load cleanly.

Requirements
    ``/usr/bin/chromium`` and ``/usr/bin/chromedriver`` (Debian packages ``chromium`` and
    ``chromium-driver``) and the ``selenium`` package; the tests skip with the reason when
    any is missing. Selenium is given both binaries, so it never downloads a browser.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin

import pytest
from browser_support import (
    BOOK_CJK_FONT,
    HTML_DIR,
    REPO_ROOT,
    WCAG_AA,
    PageReport,
    build_in_copy,
    html_is_fresh,
    missing_browser,
    screenshots,
    serve,
    start_chromium,
    toc_pages,
    visit,
)

pytestmark = pytest.mark.browser

PAGES = toc_pages()
# Pages that are executed notebooks: each offers its notebook and its CSV files.
CHAPTERS = [p for p in PAGES if (REPO_ROOT / "notebooks" / f"{Path(p).name}.ipynb").is_file()]
# A term the search must find, and the page it must lead to.
SEARCH_TERM, SEARCH_PAGE = "papermill", "book/conventions.html"


@pytest.fixture(scope="session")
def driver(tmp_path_factory):
    """One headless Chromium for the session (skips when the browser is not installed)."""
    reason = missing_browser()
    if reason:
        pytest.skip(reason)
    pytest.importorskip("selenium", reason="selenium is not installed (it is in the dev lock)")
    browser = start_chromium(tmp_path_factory.mktemp("chromium-profile"))
    yield browser
    browser.quit()


@pytest.fixture(scope="session")
def book_html(driver, tmp_path_factory):
    """The HTML folder to test: the fresh ``_build/html`` or a build in a temporary copy."""
    if html_is_fresh():
        return HTML_DIR
    return build_in_copy(tmp_path_factory.mktemp("book") / "repo")


@pytest.fixture(scope="session")
def base_url(book_html):
    with serve(book_html) as url:
        yield url


@pytest.fixture(scope="session")
def reports() -> dict[str, PageReport]:
    """Each page visited once (and screenshotted with ``--screenshots``), on first use."""
    return {}


@pytest.fixture
def report(request, driver, base_url, book_html, reports) -> PageReport:
    page = request.param
    if page not in reports:
        assert (book_html / f"{page}.html").is_file(), f"{page}.html was not built"
        reports[page] = visit(driver, urljoin(base_url, f"{page}.html"))
        if request.config.getoption("screenshots"):
            screenshots(driver, page)
    return reports[page]


page_reports = pytest.mark.parametrize("report", PAGES, indirect=True)


@page_reports
def test_page_loads_without_console_errors(report):
    assert report.title, f"{report.url} has no title"
    errors = report.console_problems()
    assert not errors, f"console errors on {report.url}:\n" + "\n".join(errors)


@page_reports
def test_internal_links_and_assets_resolve(report, book_html):
    broken = report.broken_targets(book_html)
    assert not broken, f"broken internal targets on {report.url}:\n" + "\n".join(broken)


@page_reports
def test_images_load(report):
    failed = report.images_not_loaded()
    assert not failed, f"images that did not load on {report.url}: {failed}"


@page_reports
def test_every_figure_has_a_caption(report):
    loose, uncaptioned = report.images_outside_figures(), report.figures_without_caption()
    assert not loose, f"images outside a captioned figure on {report.url}: {loose}"
    assert not uncaptioned, f"figures without a caption on {report.url}: {uncaptioned}"


@page_reports
def test_every_table_has_rows(report):
    empty = report.empty_tables()
    assert not empty, f"tables with no rows on {report.url}: {empty}"


@page_reports
def test_every_figure_has_alt_text_that_is_not_its_path(report):
    missing = report.figures_without_alt_text()
    assert not missing, f"figures without real alt text on {report.url}: {missing}"


@page_reports
def test_tables_fit_the_text_column_at_1280_px(report):
    wide = report.tables_wider_than_the_column()
    assert not wide, f"tables wider than the text column on {report.url}:\n" + "\n".join(wide)


@page_reports
def test_nothing_scrolls_the_page_sideways_at_400_px(report):
    overflow = report.page_scrolls_sideways()
    assert not overflow, f"{report.url} scrolls sideways at 400 px:\n" + "\n".join(overflow)


@page_reports
def test_captions_meet_wcag_aa_contrast(report):
    faint = report.low_contrast_captions()
    assert not faint, f"captions below {WCAG_AA}:1 on {report.url}:\n" + "\n".join(faint)


@page_reports
def test_every_table_is_formatted_not_a_raw_frame(report):
    raw = report.unformatted_frames()
    assert not raw, f"raw DataFrames (use helpers.tables.show) on {report.url}: {raw}"


@page_reports
def test_no_table_is_truncated_by_pandas(report):
    cut = report.pandas_truncation()
    assert not cut, f"pandas truncated a table on {report.url}: {cut}"


@page_reports
def test_chinese_is_drawn_with_the_book_font(report):
    wrong = report.chinese_not_in_the_book_font()
    assert not wrong, f"Chinese text not in {BOOK_CJK_FONT} on {report.url}:\n" + "\n".join(wrong)


def test_the_chinese_paper_has_chinese_to_render(driver, base_url, reports, book_html):
    """The font check above must not pass vacuously: the coordination page shows Chinese."""
    page = "book/_generated/coordination"
    if page not in reports:
        reports[page] = visit(driver, urljoin(base_url, f"{page}.html"))
    assert reports[page].chinese_drawn() >= 20, reports[page].cjk


@pytest.mark.parametrize("report", CHAPTERS, indirect=True)
def test_chapter_offers_its_notebook_and_data(report, book_html):
    page = report.url.split("/", 3)[-1].removesuffix(".html")
    csv_files = sorted(p.name for p in (book_html.parents[1] / page).glob("*.csv"))
    offered = {link.rsplit("/", 1)[-1] for link in report.links if "/_downloads/" in link}
    assert any(link.endswith(f"_sources/{page}.ipynb") for link in report.links)
    assert csv_files, f"{page} wrote no CSV file to its output folder"
    assert set(csv_files) <= offered, f"{page} does not offer {set(csv_files) - offered}"


def test_search_finds_a_known_term(driver, base_url):
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(urljoin(base_url, f"search.html?q={SEARCH_TERM}"))
    hits = WebDriverWait(driver, 20).until(
        lambda d: d.execute_script(
            "const a = [...document.querySelectorAll('#search-results ul.search li a')];"
            "return a.length ? a.map(x => x.href) : null"
        )
    )
    assert any(h.split("#")[0].endswith(SEARCH_PAGE) for h in hits), (
        f"searching '{SEARCH_TERM}' did not list {SEARCH_PAGE}; it listed {hits}"
    )


BROKEN_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>broken</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="missing.css">
<style>
@font-face { font-family: "Book Sans CJK SC"; src: url("missing-font.woff2") format("woff2"); }
body { font-family: "Book Sans CJK SC", sans-serif; background: #ffffff; }
</style></head><body><article class="bd-article">
<script>notAFunction();</script>
<a href="missing.html">a missing page</a> <a href="#nowhere">a missing anchor</a>
<img src="missing.png" alt="">
<figure id="fig-bare"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt=""></figure>
<figure id="fig-path"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="
  alt="_images/fig-path.png"><figcaption style="color: #c0c0c0">A faint caption</figcaption>
</figure>
<table id="empty"><thead><tr><th>a</th></tr></thead><tbody></tbody></table>
<table id="too-wide" style="width: 2000px"><tbody><tr><td>...</td></tr></tbody></table>
<table class="dataframe" id="raw"><tbody><tr><th>0</th><td>1.000000</td></tr></tbody></table>
<p>6 rows \u00d7 24 columns</p>
<div style="width: 900px">a block wider than a phone</div>
<p>区域协调发展</p>
</article></body></html>"""


def test_the_checks_catch_a_broken_page(driver, tmp_path):
    """Each check, on a page built to fail it: none of them can pass vacuously."""
    (tmp_path / "broken.html").write_text(BROKEN_PAGE, encoding="utf-8")
    with serve(tmp_path) as url:
        seen = visit(driver, urljoin(url, "broken.html"))
        shots = screenshots(driver, "broken", tmp_path / "shots")  # what --screenshots saves
    assert [p.name for p in shots] == [
        "broken-dark.png",
        "broken--fig-bare-dark.png",
        "broken--fig-path-dark.png",
        "broken-light.png",
        "broken--fig-bare-light.png",
        "broken--fig-path-light.png",
        "broken-full-1280.png",
        "broken-400.png",
        "broken-full-400.png",
    ]
    assert all(p.stat().st_size > 0 for p in shots)
    assert any("notAFunction" in m for m in seen.console_problems())
    assert any("missing.png" in m and "404" in m for m in seen.console_problems())
    broken = "\n".join(seen.broken_targets(tmp_path))
    for target in ("missing.css", "missing.html", "missing.png", "'nowhere'"):
        assert target in broken
    assert [src.rsplit("/", 1)[-1] for src in seen.images_not_loaded()] == ["missing.png"]
    assert seen.images_outside_figures() == [urljoin(url, "missing.png")]
    assert seen.figures_without_caption() == ["fig-bare"]
    assert seen.empty_tables() == ["empty"]
    assert len(seen.figures_without_alt_text()) == 2  # an empty alt and a path
    assert [t.split(":")[0] for t in seen.tables_wider_than_the_column()] == ["too-wide"]
    assert seen.unformatted_frames() == ["raw"]
    assert any("div." in line for line in seen.page_scrolls_sideways())
    assert {c.split(":")[0] for c in seen.low_contrast_captions()} == {"light", "dark"}
    assert seen.pandas_truncation() == [
        "6 rows \u00d7 24 columns",
        "1 table cells that are only '...'",
    ]
    assert [w.split("'")[1] for w in seen.chinese_not_in_the_book_font()] == ["区域协调发展"]
