"""The book's matplotlib style: palette, resolution, background, Chinese labels."""

from __future__ import annotations

import io
import logging
import warnings
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb, to_rgba
from matplotlib.figure import Figure
from PIL import Image

from helpers import fonts, style

# Okabe and Ito (2008), "Color Universal Design", table of RGB values, in their order:
# black, orange, sky blue, bluish green, yellow, blue, vermillion, reddish purple.
OKABE_ITO_RGB = [
    (0, 0, 0),
    (230, 159, 0),
    (86, 180, 233),
    (0, 158, 115),
    (240, 228, 66),
    (0, 114, 178),
    (213, 94, 0),
    (204, 121, 167),
]
CHINESE = "区域协调发展"  # "regional coordinated development"


def _draw(text: str) -> list[str]:
    """Draw a labelled figure with the current rc settings; return glyph warnings raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = Figure()
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        ax.plot([0, 1], [0, 1], label=text)
        ax.set_title(text)
        ax.set_xlabel(text)
        ax.legend()
        fig.canvas.draw()
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


def _relative_luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of an sRGB colour."""
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(colour)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_palette_is_okabe_ito():
    expected = [v / 255 for rgb in OKABE_ITO_RGB for v in rgb]
    assert [v for c in style.OKABE_ITO for v in to_rgb(c)] == pytest.approx(expected)


def test_cycle_uses_every_okabe_ito_colour_once_with_yellow_last():
    assert sorted(style.CYCLE) == sorted(style.OKABE_ITO)
    assert style.CYCLE[-1] == "#F0E442"
    assert style.rc_params()["axes.prop_cycle"].by_key()["color"] == list(style.CYCLE)


def test_saved_png_has_the_book_size_and_resolution():
    with style.context():
        fig = Figure()
        fig.add_subplot().plot([0, 1])
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
    image = Image.open(io.BytesIO(buffer.getvalue()))
    width = style.FIGSIZE[0]
    assert tuple(fig.get_size_inches()) == style.FIGSIZE
    assert style.DPI >= 150
    assert image.info["dpi"] == pytest.approx((style.DPI, style.DPI), abs=0.5)
    # Cropped to the drawn area ("tight"), never enlarged.
    assert 0.5 * width * style.DPI < image.size[0] <= width * style.DPI


def test_text_is_readable_on_a_phone_and_not_oversized_on_a_wide_screen():
    params = style.rc_params()
    sizes = [
        params[k] for k in ("font.size", "axes.labelsize", "xtick.labelsize", "legend.fontsize")
    ]
    assert min(style.text_px(s, style.PHONE_COLUMN_PX) for s in sizes) >= style.MIN_TEXT_PX
    # a wide column never enlarges the image: text keeps its saved size, below 2x body text
    assert max(style.text_px(s, 1400) for s in sizes) == pytest.approx(max(sizes) * style.DPI / 72)
    assert max(style.text_px(s, 1400) for s in sizes) < 2 * 16
    # the rule can fail: the former 7-inch figure with 9-point legends was too small on a phone
    assert style.text_px(9, style.PHONE_COLUMN_PX, figure_inches=7.0) < style.MIN_TEXT_PX


def test_figure_is_opaque_white_with_dark_text():
    # An opaque white card reads on the light and the dark theme of the book; text on it
    # must reach the WCAG AAA contrast of 7:1 (ratio = (L1 + 0.05) / (L2 + 0.05)).
    params = style.rc_params()
    for key in ("figure.facecolor", "axes.facecolor", "savefig.facecolor"):
        assert to_rgba(params[key]) == (1.0, 1.0, 1.0, 1.0), key
    assert params["savefig.transparent"] is False
    ratio = (_relative_luminance(params["figure.facecolor"]) + 0.05) / (
        _relative_luminance(params["text.color"]) + 0.05
    )
    assert ratio >= 7


def test_apply_makes_the_style_the_default():
    with mpl.rc_context():
        style.apply()
        assert mpl.rcParams["figure.dpi"] == style.DPI
        assert mpl.rcParams["axes.prop_cycle"].by_key()["color"] == list(style.CYCLE)


def test_chinese_labels_render_with_the_shipped_font_without_missing_glyphs():
    assert style.cjk_font() == fonts.FAMILY
    shipped = font_manager.findfont(
        font_manager.FontProperties(family=fonts.FAMILY), fallback_to_default=False
    )
    assert Path(shipped).resolve() == fonts.FIGURE_FONT.resolve()  # not a system font
    with mpl.rc_context({"font.family": ["DejaVu Sans"]}):
        assert _draw(CHINESE), "control: DejaVu Sans alone should lack Chinese glyphs"
    with style.context():
        assert _draw(CHINESE) == []


def test_apply_turns_off_pandas_truncation():
    wide = pd.DataFrame(np.zeros((80, 30)))
    with pd.option_context("display.max_rows", 10, "display.max_columns", 5):
        assert "80 rows x 30 columns" in wide._repr_html_().replace("\u00d7", "x")
        with mpl.rc_context():
            style.apply()
            html = wide._repr_html_()
    assert "rows" not in html.split("</table>")[-1] and "..." not in html


def test_without_the_cjk_font_the_style_stays_quiet(monkeypatch, caplog):
    latin_only = [f for f in font_manager.fontManager.ttflist if "CJK" not in f.name]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", latin_only)
    monkeypatch.setattr(fonts, "FIGURE_FONT", Path("no/such/font.otf"))
    monkeypatch.setattr(style, "cjk_font", style.cjk_font.__wrapped__)
    assert style.cjk_font() is None
    params = style.rc_params()
    assert params["font.family"] == [style.LATIN_FONT]
    with caplog.at_level(logging.WARNING, logger="matplotlib"), mpl.rc_context(params):
        assert _draw("Latin labels only") == []
    assert not [r for r in caplog.records if "findfont" in r.getMessage()]
