"""The browser tests' own checks, on inputs whose answer is known (no browser needed)."""

from __future__ import annotations

import os
import time

from browser_support import (
    broken_target,
    build_inputs,
    external_load_failure,
    html_is_fresh,
    toc_pages,
)

BASE = "http://127.0.0.1:8000/"


def test_toc_pages_lists_root_then_every_nested_file(tmp_path):
    toc = tmp_path / "_toc.yml"
    toc.write_text(
        "format: jb-book\nroot: book/intro\nparts:\n"
        "  - caption: A\n    chapters:\n      - file: book/a.md\n"
        "        sections:\n          - file: book/a1\n"
        "  - caption: B\n    chapters:\n      - file: book/_generated/b\n",
        encoding="utf-8",
    )
    assert toc_pages(toc) == ["book/intro", "book/a", "book/a1", "book/_generated/b"]


def test_broken_target_finds_missing_files_and_anchors(tmp_path):
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "page.html").write_text('<h1 id="top">x</h1>', encoding="utf-8")
    (tmp_path / "index.html").write_text("", encoding="utf-8")
    assert broken_target(BASE + "book/page.html#top", BASE, tmp_path) is None
    assert broken_target(BASE, BASE, tmp_path) is None
    assert broken_target("https://example.org/missing.html", BASE, tmp_path) is None
    assert "no file" in broken_target(BASE + "book/missing.html", BASE, tmp_path)
    assert "no element with id 'gone'" in broken_target(
        BASE + "book/page.html#gone", BASE, tmp_path
    )


def test_only_external_network_failures_are_excused():
    cdn = "https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"
    assert external_load_failure(
        f"{cdn} - Failed to load resource: net::ERR_NAME_NOT_RESOLVED", BASE
    )
    local = BASE + "_static/x.js - Failed to load resource: net::ERR_FILE_NOT_FOUND"
    assert not external_load_failure(local, BASE)
    assert not external_load_failure(BASE + "book/a.html 61:12 Uncaught SyntaxError: x", BASE)


def test_html_is_stale_when_a_build_input_is_newer(tmp_path):
    (tmp_path / "book").mkdir()
    source = tmp_path / "book" / "page.md"
    source.write_text("# page", encoding="utf-8")
    for ignored in ("tests/test_x.py", "book/_generated/page.ipynb", ".git/HEAD"):
        (tmp_path / ignored).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / ignored).write_text("", encoding="utf-8")
    html = tmp_path / "_build" / "html"
    html.mkdir(parents=True)
    (html / "index.html").write_text("", encoding="utf-8")
    now = time.time()
    os.utime(source, (now - 100, now - 100))
    os.utime(html / "index.html", (now - 50, now - 50))
    assert [p.name for p in build_inputs(tmp_path)] == ["page.md"]
    assert html_is_fresh(html, tmp_path)
    os.utime(source, (now, now))
    assert not html_is_fresh(html, tmp_path)
