"""The book's Sphinx extension, driven with the objects Sphinx would pass it."""

from __future__ import annotations

from types import SimpleNamespace

from docutils import nodes
from sphinx.builders.html._assets import _JavaScript

from helpers import sphinx_ext

PAGE = "book/_generated/gtfp"


def _context(*groups: str) -> dict:
    return {
        "pathto": lambda name, resource: f"../../{name}",
        "header_buttons": [{"label": g, "type": "group", "buttons": []} for g in groups],
    }


def test_chapter_csv_files_are_copied_and_offered(tmp_path):
    src, out = tmp_path / "src", tmp_path / "out"
    (src / PAGE).mkdir(parents=True)
    for name in ("results.csv", "panel.csv", "run.json"):
        (src / PAGE / name).write_text("a,b\n1,2\n", encoding="utf-8")
    app = SimpleNamespace(srcdir=str(src), outdir=str(out))
    context = _context("download-buttons")
    sphinx_ext.add_data_downloads(app, PAGE, "page.html", context, None)
    buttons = context["header_buttons"][0]["buttons"]
    assert [b["text"] for b in buttons] == ["panel.csv", "results.csv"]
    assert buttons[1]["url"] == f"../../_downloads/{PAGE}/results.csv"
    assert (out / "_downloads" / PAGE / "results.csv").read_text(encoding="utf-8") == "a,b\n1,2\n"
    assert not (out / "_downloads" / PAGE / "run.json").exists()


def test_prose_pages_offer_no_data(tmp_path):
    (tmp_path / "book" / "intro").mkdir(parents=True)
    (tmp_path / "book" / "intro" / "x.csv").write_text("", encoding="utf-8")
    assert sphinx_ext.chapter_files(tmp_path, "book/intro") == []


def test_launch_buttons_open_the_source_notebook():
    context = _context("launch-buttons")
    binder = f"https://mybinder.org/v2/gh/o/r/main?urlpath=lab/tree/{PAGE}.ipynb"
    colab = f"https://colab.research.google.com/github/o/r/blob/main/{PAGE}.ipynb"
    context["header_buttons"][0]["buttons"] = [{"url": binder}, {"url": colab}]
    sphinx_ext.point_launch_buttons_at_sources(None, PAGE, "page.html", context, None)
    urls = [b["url"] for b in context["header_buttons"][0]["buttons"]]
    assert urls == [
        "https://mybinder.org/v2/gh/o/r/main?urlpath=lab/tree/notebooks/gtfp.ipynb",
        "https://colab.research.google.com/github/o/r/blob/main/notebooks/gtfp.ipynb",
    ]


def test_inline_scripts_registered_twice_appear_once():
    # Sphinx 7 keeps one copy with filename None and one with '' (sphinx-doc/sphinx#13402).
    body = 'const THEBE_JS_URL = "x"'
    scripts = [
        _JavaScript("_static/doctools.js", priority=200),
        _JavaScript(None, body=body),
        _JavaScript("_static/a.js", **{"async": "async"}),
        _JavaScript("", body=body),
        _JavaScript("_static/a.js", **{"async": "async"}),
        _JavaScript("", body="let other = 1"),
    ]
    context = {"script_files": scripts}
    sphinx_ext.drop_duplicate_scripts(None, "p", "page.html", context, None)
    assert context["script_files"] == [scripts[0], scripts[1], scripts[2], scripts[5]]


def _figure(
    alt: str | None, caption: str = "Every replicated coefficient against the published one."
):
    from docutils import nodes

    image = nodes.image(uri="_build/jupyter_execute/abc123.png")
    if alt is not None:
        image["alt"] = alt
    figure = nodes.figure("", image, nodes.caption(text=caption))
    return figure, image


def test_placeholder_alt_texts_are_recognised():
    assert sphinx_ext.is_placeholder_alt(None)
    assert sphinx_ext.is_placeholder_alt("  ")
    assert sphinx_ext.is_placeholder_alt("x/y/fig.png", "x/y/fig.png")
    assert sphinx_ext.is_placeholder_alt("_images/abc123.png")
    assert sphinx_ext.is_placeholder_alt("fig-placebo.svg")
    assert not sphinx_ext.is_placeholder_alt("Kernel density of 1,000 placebo coefficients")


def test_figures_get_their_caption_as_alt_text_unless_they_have_one():
    from docutils.frontend import get_default_settings
    from docutils.parsers.rst import Parser
    from docutils.utils import new_document

    document = new_document("page", get_default_settings(Parser))
    empty, empty_image = _figure(None)
    path, path_image = _figure("_build/jupyter_execute/abc123.png")
    real, real_image = _figure("A scatter of stars against z")
    bare_image = nodes.image(uri="x.png")
    uncaptioned = nodes.figure("", bare_image)
    for node in (empty, path, real, uncaptioned):
        document += node
    transform = sphinx_ext.AltTextFromCaption(document)
    transform.run()
    caption = "Every replicated coefficient against the published one."
    assert empty_image["alt"] == caption and path_image["alt"] == caption
    assert real_image["alt"] == "A scatter of stars against z"
    assert "alt" not in bare_image  # nothing to take it from: left for the browser test to flag
