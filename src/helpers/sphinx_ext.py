"""Sphinx extension for the book's HTML pages (``sphinx: extra_extensions`` in ``_config.yml``).

Five things the stock Jupyter Book 1 stack does not do for this book:

* **The list of papers from the registry.** ``book/_generated/papers.md``, which the intro
  includes, is written from :func:`helpers.papers.papers_table` when the build starts, so the
  intro never lists papers by hand.
* **Chapter data downloads.** A chapter's page is the executed notebook
  ``book/_generated/SLUG.ipynb`` and its files (``results.csv`` and the data it used) are in
  ``book/_generated/SLUG/``. Every CSV there is copied next to the HTML and listed in the
  page's download menu, beside the executed ``.ipynb`` the theme already offers.
* **Launch buttons that open the source notebook.** The theme builds Binder/Colab links from
  the page's path, ``book/_generated/SLUG.ipynb``, which is generated and not in the
  repository; the links are pointed at ``notebooks/SLUG.ipynb`` instead.
* **Each inline script once.** Sphinx 7.x emits inline scripts registered with
  ``add_js_file(None, body=...)`` twice (sphinx-doc/sphinx#13402, fixed in Sphinx 8.2); the
  second copy of sphinx-thebe's ``const THEBE_JS_URL`` is a console error on every page.
* **Alt text from captions.** A figure glued from a notebook has no alt text, and the HTML
  writer then falls back to the image's path, which a screen reader reads out letter by
  letter. :class:`AltTextFromCaption` gives every image of a captioned figure the caption's
  text as its alt text, unless the image already has a real one.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

from helpers.papers import papers_table
from helpers.paths import GENERATED_DIR, NOTEBOOKS_DIR, REPO_ROOT

GENERATED = GENERATED_DIR.relative_to(REPO_ROOT).as_posix()
NOTEBOOKS = NOTEBOOKS_DIR.relative_to(REPO_ROOT).as_posix()
DOWNLOADS = "_downloads"
# Runs after sphinx-book-theme's handlers (priority 501), which build the buttons.
LATE = 900


def chapter_files(srcdir: Path, pagename: str) -> list[Path]:
    """CSV files a chapter page offers for download: ``<srcdir>/<pagename>/*.csv``, sorted."""
    if not pagename.startswith(GENERATED + "/"):
        return []
    return sorted((Path(srcdir) / pagename).glob("*.csv"))


def _button_group(context: dict[str, Any], label: str) -> dict[str, Any] | None:
    return next((b for b in context.get("header_buttons", []) if b.get("label") == label), None)


def add_data_downloads(app, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Copy the chapter's CSV files into the build and list them in the download menu."""
    files = chapter_files(app.srcdir, pagename)
    group = _button_group(context, "download-buttons")
    if not files or group is None:
        return
    target = Path(app.outdir) / DOWNLOADS / pagename
    target.mkdir(parents=True, exist_ok=True)
    root = context["pathto"](DOWNLOADS, 1)
    for file in files:
        shutil.copy2(file, target / file.name)
        group["buttons"].append(
            {
                "type": "link",
                "url": f"{root}/{pagename}/{file.name}",
                "text": file.name,
                "tooltip": f"Download {file.name} (CSV written by this chapter)",
                "icon": "fas fa-table",
                "label": f"download-{file.stem}-button",
            }
        )


def point_launch_buttons_at_sources(
    app, pagename: str, templatename: str, context: dict, doctree
) -> None:
    """Make Binder/Colab/JupyterHub links open ``notebooks/SLUG.ipynb``, not the generated copy."""
    group = _button_group(context, "launch-buttons")
    if group is None or not pagename.startswith(GENERATED + "/"):
        return
    for button in group["buttons"]:
        if "url" in button:
            button["url"] = button["url"].replace(f"{GENERATED}/", f"{NOTEBOOKS}/")


def _asset_key(asset: Any) -> tuple:
    filename = getattr(asset, "filename", asset) or ""
    attributes = getattr(asset, "attributes", {})
    return (str(filename), getattr(asset, "priority", None), tuple(sorted(attributes.items())))


def drop_duplicate_scripts(app, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Keep the first of identical script entries (same file or inline body, same attributes)."""
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple] = set()
    unique = []
    for script in scripts:
        key = _asset_key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def papers_markdown(table: pd.DataFrame) -> str:
    """The registry's papers as a MyST table: a finished chapter links to its page, a
    paper with a bibliography key cites it, a draft says so."""
    lines = ["| chapter | paper | data |", "|---|---|---|"]
    for row in table.itertuples(index=False):
        chapter = (
            f"{{doc}}`{row.slug} </book/_generated/{row.slug}>`"
            if row.chapter == "finished"
            else f"{row.slug} (draft)"
        )
        paper = f"{row.paper} {{cite:p}}`{row.cite}`" if row.cite else row.paper
        lines.append(f"| {chapter} | {paper} | {row.data} |")
    return "\n".join(lines) + "\n"


def write_papers_table(app) -> None:
    """``book/_generated/papers.md`` (:func:`papers_markdown` of the registry), rewritten
    only when it changes so that an unchanged book is not rebuilt."""
    text = papers_markdown(papers_table())
    GENERATED_DIR.mkdir(parents=True, exist_ok=True)
    target = GENERATED_DIR / "papers.md"
    if not target.is_file() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")


_IMAGE_FILE = re.compile(r"\.(png|jpe?g|gif|svg|webp)$", re.IGNORECASE)


def is_placeholder_alt(alt: str | None, uri: str | None = None) -> bool:
    """True when ``alt`` says nothing to a reader: empty, the image's path, or a file name."""
    text = (alt or "").strip()
    if not text or text == (uri or "").strip():
        return True
    return " " not in text and ("/" in text or bool(_IMAGE_FILE.search(text)))


def caption_alt_text(figure: nodes.figure) -> str | None:
    """The figure's caption as one line of plain text, or None without a caption."""
    caption = next(iter(figure.findall(nodes.caption)), None)
    if caption is None:
        return None
    text = " ".join(caption.astext().split())
    return text or None


class AltTextFromCaption(SphinxPostTransform):
    """Give each image of a captioned figure its caption as alt text (see the module doc)."""

    default_priority = 200

    def run(self, **kwargs: Any) -> None:
        for figure in self.document.findall(nodes.figure):
            text = caption_alt_text(figure)
            if text is None:
                continue
            for image in figure.findall(nodes.image):
                if is_placeholder_alt(image.get("alt"), image.get("uri")):
                    image["alt"] = text


def setup(app) -> dict[str, Any]:
    app.connect("builder-inited", write_papers_table)
    app.add_post_transform(AltTextFromCaption)
    app.connect("html-page-context", add_data_downloads, priority=LATE)
    app.connect("html-page-context", point_launch_buttons_at_sources, priority=LATE)
    app.connect("html-page-context", drop_duplicate_scripts, priority=LATE)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
