"""One matplotlib style for every chapter: colour-blind safe, readable in light and dark pages.

* Colours: the Okabe-Ito palette (Okabe and Ito 2008, "Color Universal Design",
  https://jfly.uni-koeln.de/color/), distinguishable under the common colour-vision
  deficiencies. The cycle starts with the high-contrast colours and keeps yellow last, as
  yellow lines are faint on white.
* Background: an opaque white figure. The book has a dark theme, and a transparent figure
  would put black text and axes on a dark page; a white card reads in both themes.
* Size and resolution: 6 x 3.75 inches at 150 dpi (900 pixels wide), with 11-point text and
  10-point ticks. The page shrinks a figure to its column: on a 400-pixel phone (a column of
  about 360 pixels) the ticks are still :data:`MIN_TEXT_PX` pixels high, and on a wide screen
  the figure is shown at most at its own size, so its labels stay near the size of the text.
  :func:`text_px` computes the height a font size takes on a column of a given width.
* Chinese text: labels fall back glyph by glyph from DejaVu Sans to the book's own font, the
  subset of Noto Sans CJK SC that ships with it (:mod:`helpers.fonts`), registered from its
  file, so figures need no system font.
* Tables: pandas may truncate a large frame with "..." or a "rows x columns" caption;
  :func:`apply` sets pandas' display options so that nothing a chapter shows is truncated.

Use :func:`apply` once at the top of a chapter, or :func:`context` around one figure.
The palette constants import nothing, so modules may use them without loading matplotlib.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

from helpers import fonts

# Okabe and Ito (2008), in their published order.
OKABE_ITO: tuple[str, ...] = (
    "#000000",  # black
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#F0E442",  # yellow
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
)
# The order series take colours in: strongest contrast on white first, yellow last.
CYCLE: tuple[str, ...] = tuple(OKABE_ITO[i] for i in (5, 6, 3, 7, 1, 2, 0, 4))
FIGSIZE: tuple[float, float] = (6.0, 3.75)
DPI = 150
FONT_SIZES = {"text": 11.0, "title": 12.0, "label": 11.0, "tick": 10.0, "legend": 10.0}
PHONE_COLUMN_PX = 360  # the text column of a 400-pixel-wide phone screen
MIN_TEXT_PX = 8.0  # the smallest text a reader is asked to read on that column
LATIN_FONT = "DejaVu Sans"  # ships with matplotlib, so it is always there
CJK_FONT = fonts.FAMILY
FACE = "#FFFFFF"
INK = "#1A1A1A"


@functools.cache
def cjk_font() -> str | None:
    """:data:`CJK_FONT`, registered with matplotlib from the shipped file; None if it is absent."""
    from matplotlib import font_manager

    if not any(entry.name == CJK_FONT for entry in font_manager.fontManager.ttflist):
        if not fonts.FIGURE_FONT.is_file():
            return None
        font_manager.fontManager.addfont(str(fonts.FIGURE_FONT))
    return CJK_FONT


def text_px(points: float, column_px: float, figure_inches: float = FIGSIZE[0]) -> float:
    """Height in CSS pixels of ``points``-point text once a figure ``figure_inches`` wide,
    saved at :data:`DPI`, is shrunk to a ``column_px``-pixel column (never enlarged)."""
    scale = min(1.0, column_px / (figure_inches * DPI))
    return points * DPI / 72 * scale


def rc_params() -> dict[str, object]:
    """The book's matplotlib settings as an rc dictionary (for ``rcParams.update``)."""
    from cycler import cycler

    families = [LATIN_FONT] + ([cjk] if (cjk := cjk_font()) else [])
    return {
        "axes.prop_cycle": cycler(color=list(CYCLE)),
        "figure.figsize": FIGSIZE,
        "figure.dpi": DPI,
        "savefig.dpi": DPI,
        "savefig.bbox": "tight",
        "savefig.transparent": False,
        "figure.facecolor": FACE,
        "axes.facecolor": FACE,
        "savefig.facecolor": FACE,
        "text.color": INK,
        "axes.labelcolor": INK,
        "axes.edgecolor": INK,
        "xtick.color": INK,
        "ytick.color": INK,
        "font.family": families,
        "font.size": FONT_SIZES["text"],
        "axes.titlesize": FONT_SIZES["title"],
        "axes.labelsize": FONT_SIZES["label"],
        "xtick.labelsize": FONT_SIZES["tick"],
        "ytick.labelsize": FONT_SIZES["tick"],
        "legend.fontsize": FONT_SIZES["legend"],
        "legend.frameon": False,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.color": "#D9D9D9",
        "grid.linewidth": 0.6,
        "axes.axisbelow": True,
        "lines.linewidth": 1.6,
    }


# pandas' display options under which no frame or Styler a chapter shows is truncated.
PANDAS_OPTIONS: dict[str, object] = {
    "display.max_rows": None,
    "display.max_columns": None,
    "display.max_colwidth": None,
    "display.width": None,
    "styler.render.max_elements": 10_000_000,
    "styler.render.max_rows": None,
    "styler.render.max_columns": None,
}


def apply() -> None:
    """Make the book's style matplotlib's default, and pandas' display untruncated, for the
    rest of the session."""
    import matplotlib as mpl
    import pandas as pd

    mpl.rcParams.update(rc_params())
    for option, value in PANDAS_OPTIONS.items():
        pd.set_option(option, value)


def context() -> AbstractContextManager:
    """The book's style inside a ``with`` block only: ``with style.context(): ...``."""
    import matplotlib as mpl

    return mpl.rc_context(rc_params())


def plot_group_means(
    frame: pd.DataFrame,
    panels: Mapping[str, str],
    *,
    group: str = "region",
    time: str = "year",
    groups: Sequence[str] | None = None,
    stacked: bool = False,
):
    """One panel per column of ``panels`` (column -> title): its mean by ``group`` and
    ``time``, one line per group (in the order of ``groups``, default as found), in the
    book's palette. Panels side by side, or one above the other with ``stacked=True`` (one
    shared time axis; readable on a phone). Returns the figure."""
    import matplotlib.pyplot as plt
    import numpy as np

    means = frame.groupby([group, time])[list(panels)].mean()
    present = list(dict.fromkeys(means.index.get_level_values(group)))
    order = [g for g in (groups or present) if g in present]
    if stacked:
        size = (FIGSIZE[0], 2.6 * len(panels))
        fig, axes = plt.subplots(len(panels), 1, figsize=size, dpi=150, sharex=True)
    else:
        fig, axes = plt.subplots(1, len(panels), figsize=(4 * len(panels), 3.4), dpi=150)
    axes = np.atleast_1d(axes)
    for ax, (column, title) in zip(axes, panels.items(), strict=True):
        for colour, name in zip(CYCLE, order, strict=False):
            part = means.loc[name, column]
            ax.plot(part.index, part.to_numpy(), marker="o", ms=3, color=colour, label=name)
        ax.set_title(f"mean {title}", fontsize=10)
        if not stacked or ax is axes[-1]:
            ax.set_xlabel(time)
        ax.spines[["top", "right"]].set_visible(False)
    axes[0].legend(frameon=False)
    fig.tight_layout()
    return fig
