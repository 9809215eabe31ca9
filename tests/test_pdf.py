"""PDF export: clear failures without Chromium or an executed book, and a real print."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from helpers import pdf


def test_missing_chromium_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    with pytest.raises(pdf.PdfBuildError, match="apt-get install chromium"):
        pdf.find_chromium()


def test_a_book_that_was_not_executed_is_a_clear_error(tmp_path):
    with pytest.raises(pdf.PdfBuildError, match="make book"):
        pdf.build_singlehtml(tmp_path)


@pytest.mark.slow
def test_chromium_prints_chinese_text_to_pdf(tmp_path):
    """A page with Chinese and Latin text prints to a PDF whose text layer holds both."""
    try:
        chromium = pdf.find_chromium()
    except pdf.PdfBuildError as exc:
        pytest.skip(str(exc))
    page = tmp_path / "page.html"
    page.write_text(
        '<!doctype html><html lang="zh"><meta charset="utf-8">'
        "<body><h1>Scorecard</h1><p>新质生产力</p></body></html>",
        encoding="utf-8",
    )
    target = pdf.print_to_pdf(page, tmp_path / "out" / "page.pdf", chromium)
    assert target.read_bytes()[:5] == b"%PDF-"
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian poppler-utils) is needed to read the PDF's text")
    text = subprocess.run(
        ["pdftotext", str(target), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Scorecard" in text
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout
    if not fonts.strip():
        pytest.skip("no Chinese font installed (Debian fonts-noto-cjk): Chinese prints as boxes")
    assert "新质生产力" in text
