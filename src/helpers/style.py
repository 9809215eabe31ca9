"""One matplotlib style for every chapter: colour-blind safe, readable in light and dark pages.

* Colours: the Okabe-Ito palette (Okabe and Ito 2008, "Color Universal Design",
  https://jfly.uni-koeln.de/color/), distinguishable under the common colour-vision
  deficiencies. The cycle starts with the high-contrast colours and keeps yellow last, as
  yellow lines are faint on white.
* Background: an opaque white figure. The book has a dark theme, and a transparent figure
  would put black text and axes on a dark page; a white card reads in both themes.
* Size and resolution: 7 x 4.2 inches at 150 dpi, the width of the book's text column.
* Chinese text: labels fall back glyph by glyph from DejaVu Sans to Noto Sans CJK SC (Debian
  package ``fonts-noto-cjk``) when that font is installed. Matplotlib's font cache may
  predate the package, so the font file is registered directly when fontconfig knows it.
  Without the font nothing is added and nothing warns until a Chinese glyph is drawn;
  chapters with optional Chinese labels check :func:`cjk_font` first.

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
FIGSIZE: tuple[float, float] = (7.0, 4.2)
DPI = 150
LATIN_FONT = "DejaVu Sans"  # ships with matplotlib, so it is always there
CJK_FONT = "Noto Sans CJK SC"
FACE = "#FFFFFF"
INK = "#1A1A1A"


@functools.cache
def cjk_font() -> str | None:
    """:data:`CJK_FONT` if it is available to matplotlib (registering it if needed), else None."""
    from matplotlib import font_manager

    if any(entry.name == CJK_FONT for entry in font_manager.fontManager.ttflist):
        return CJK_FONT
    for path in font_manager.findSystemFonts(fontext="ttc"):
        if "NotoSansCJK" in path and "Regular" in path:
            font_manager.fontManager.addfont(path)
            break
    if any(entry.name == CJK_FONT for entry in font_manager.fontManager.ttflist):
        return CJK_FONT
    return None


def rc_params() -> dict[str, object]:
    """The book's matplotlib settings as an rc dictionary (for ``rcParams.update``)."""
    from cycler import cycler

    fonts = [LATIN_FONT] + ([cjk] if (cjk := cjk_font()) else [])
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
        "font.family": fonts,
        "font.size": 10,
        "axes.titlesize": 11,
        "axes.labelsize": 10,
        "legend.fontsize": 9,
        "legend.frameon": False,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.color": "#D9D9D9",
        "grid.linewidth": 0.6,
        "axes.axisbelow": True,
        "lines.linewidth": 1.6,
    }


def apply() -> None:
    """Make the book's style matplotlib's default for the rest of the session."""
    import matplotlib as mpl

    mpl.rcParams.update(rc_params())


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
):
    """One panel per column of ``panels`` (column -> title): its mean by ``group`` and
    ``time``, one line per group (in the order of ``groups``, default as found), in the
    book's palette. Returns the figure."""
    import matplotlib.pyplot as plt
    import numpy as np

    means = frame.groupby([group, time])[list(panels)].mean()
    present = list(dict.fromkeys(means.index.get_level_values(group)))
    order = [g for g in (groups or present) if g in present]
    fig, axes = plt.subplots(1, len(panels), figsize=(4 * len(panels), 3.4), dpi=150)
    axes = np.atleast_1d(axes)
    for ax, (column, title) in zip(axes, panels.items(), strict=True):
        for colour, name in zip(CYCLE, order, strict=False):
            part = means.loc[name, column]
            ax.plot(part.index, part.to_numpy(), marker="o", ms=3, color=colour, label=name)
        ax.set_title(f"mean {title}", fontsize=10)
        ax.set_xlabel(time)
        ax.spines[["top", "right"]].set_visible(False)
    axes[0].legend(frameon=False)
    fig.tight_layout()
    return fig
