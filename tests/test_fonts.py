"""The Chinese font the book ships: it covers every CJK character the book uses."""

from __future__ import annotations

import pytest

from helpers import fonts
from helpers.paths import REPO_ROOT


def test_cjk_characters_are_found_and_latin_ignored():
    assert fonts.cjk_characters("区域协调发展 (regional coordination)，ok\u3000") == set(
        "区域协调发展，"
    )
    assert fonts.is_cjk("新") and fonts.is_cjk("（") and not fonts.is_cjk("a")


def test_the_book_uses_chinese_from_its_sources():
    used = fonts.book_characters(generated=False)
    assert {"省", "份", "年"} <= set(used)  # the Chinese key headers of the data chapter
    assert any(p.name == "coordination.yml" for p in used["区"])


@pytest.mark.parametrize("font", [fonts.FIGURE_FONT, fonts.WEB_FONT], ids=["otf", "woff2"])
def test_the_shipped_subset_covers_every_character_the_book_uses(font):
    used = fonts.book_characters()  # sources, and the executed pages when the book is built
    missing = fonts.missing_characters(used, font)
    where = {c: [str(p.relative_to(REPO_ROOT)) for p in used[c][:2]] for c in missing}
    assert not missing, f"run `python -m helpers.fonts`: {font.name} lacks {where}"


def test_the_check_fails_for_a_character_the_subset_lacks(tmp_path):
    page = tmp_path / "book" / "new.md"
    page.parent.mkdir()
    page.write_text("A new page about 龘.", encoding="utf-8")
    used = fonts.book_characters(tmp_path)
    assert fonts.missing_characters(used, fonts.FIGURE_FONT) == ["龘"]


def test_the_subset_is_renamed_and_licensed():
    from fontTools.ttLib import TTFont

    for path in (fonts.FIGURE_FONT, fonts.WEB_FONT):
        with TTFont(path) as font:
            assert font["name"].getDebugName(1) == fonts.FAMILY
            assert "Noto" not in font["name"].getDebugName(1)
        licence = (path.parent / fonts.LICENCE_FILE).read_text(encoding="utf-8")
        assert "SIL OPEN FONT LICENSE Version 1.1" in licence and "Adobe" in licence


def test_the_stylesheet_declares_the_shipped_web_font():
    css = (REPO_ROOT / "book" / "_static" / "book.css").read_text(encoding="utf-8")
    assert f'font-family: "{fonts.FAMILY}"' in css
    assert f'url("fonts/{fonts.WEB_FONT.name}")' in css
    for first, last in fonts.CJK_BLOCKS:
        assert f"U+{first:04X}-{last:04X}" in css  # the same code points as the subset


@pytest.mark.slow
def test_cutting_the_subset_is_deterministic(tmp_path):
    try:
        source, face = fonts.find_source()
    except fonts.InputError as exc:
        pytest.skip(str(exc))
    runs = []
    for name in ("a", "b"):
        runs.append(
            fonts.make_subset(
                "区域协调发展",
                source,
                face,
                figure_font=tmp_path / name / "f.otf",
                web_font=tmp_path / name / "f.woff2",
            )
        )
    for first, second in zip(*runs, strict=True):
        assert first.read_bytes() == second.read_bytes()
    assert fonts.missing_characters("区域协调发展", runs[0][0]) == []
