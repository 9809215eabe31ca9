"""What the book shows from the committed sweeps: the recovery table, the default seed's place
in the distribution, the coverage, size-and-power and distribution figures, and the
specification curve. Every function reads ``data/sweeps/SLUG/`` (:mod:`helpers.sweep.committed`),
so a chapter shows the same numbers whatever its own run; the words come from
:mod:`helpers.verdicts`. Figures are captioned by the caller.

The figures depend on the committed files alone, so they are committed too, drawn once
(:func:`write_figures`, run by ``make sweeps`` or ``python -m helpers.sweep --figures``):
a chapter glues the stored images (:func:`figure_images`) instead of drawing four figures
on every run, about a second of each chapter. A test draws them again and compares the
bytes.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pandas as pd

from helpers import style, verdicts
from helpers.errors import InputError
from helpers.inference import normal_isf
from helpers.published import load_cells
from helpers.registry import entry
from helpers.sweep.committed import SWEEPS_DIR, read_committed
from helpers.sweep.engine import RESULT_FILE, Specifications, paper, read_parquet
from helpers.sweep.montecarlo import TEST_LEVEL, percentile_of
from helpers.sweep.specifications import dimensions, keep_share, specification_table
from helpers.tables import show

KEY = ["table", "column", "row"]


def cell_labels(frame: pd.DataFrame) -> list[str]:
    """``Table 4 (2)``, with the row added where a column has several core rows."""
    several = frame.groupby(["table", "column"])["row"].transform("nunique") > 1
    return [
        f"{t} {c}" + (f" {r}" if many else "")
        for t, c, r, many in zip(
            frame["table"], frame["column"], frame["row"], several, strict=True
        )
    ]


def recovery(slug: str, root: Path = SWEEPS_DIR) -> pd.DataFrame:
    """The committed recovery table of paper ``slug`` with a ``cell`` label and whether
    each row is the paper's baseline."""
    table = read_committed(slug, "recovery", root)
    table.insert(0, "cell", cell_labels(table))
    base = paper(slug).BASELINE_CELL
    table["baseline"] = [tuple(k) == tuple(base) for k in table[KEY].itertuples(index=False)]
    return table


def baseline_row(slug: str, root: Path = SWEEPS_DIR) -> pd.Series:
    """The recovery row of the paper's baseline coefficient."""
    table = recovery(slug, root)
    return table[table["baseline"]].iloc[0]


_TABLE_COLUMNS = {
    "cell": "coefficient",
    "truth": "truth (mean)",
    "mean_estimate": "mean estimate",
    "bias": "bias",
    "rmse": "RMSE",
    "se_ratio": "error sd / SE",
    "coverage_95": "cover 95%",
    "coverage_90": "cover 90%",
    "size": "size 5%",
    "power": "power 5%",
}


def recovery_table(slug: str, root: Path = SWEEPS_DIR, digits: int = 3, caption: str | None = None):
    """The recovery table for the page (:func:`helpers.tables.show`): for each core
    coefficient the mean truth, the mean estimate, bias, RMSE, the spread of the estimation
    errors against the mean SE, coverage of the nominal 95% and 90% intervals, size and
    power of the 5% test of ``b = 0``; the baseline's row in bold. Empty size: the target is
    not zero with the effect off."""
    table = recovery(slug, root)
    view = table[list(_TABLE_COLUMNS)].rename(columns=_TABLE_COLUMNS)
    shares = ["cover 95%", "cover 90%", "size 5%", "power 5%"]
    numbers = ["truth (mean)", "mean estimate", "bias", "RMSE"]
    formats = {c: "{:.0%}" for c in shares} | {c: f"{{:.{digits}f}}" for c in numbers}
    formats["error sd / SE"] = "{:.2f}"
    bold = table["baseline"].to_numpy()

    def highlight(row: pd.Series) -> list[str]:
        return ["font-weight: bold" if bold[row.name] else "" for _ in row]

    note = "Baseline in bold; \u2014: no size, the target is not zero with the effect off."
    return show(view, formats, caption=caption, note=note).apply(highlight, axis=1)


def estimates(
    slug: str, cell: tuple[str, str, str] | None = None, world: str = "on", root: Path = SWEEPS_DIR
) -> pd.DataFrame:
    """The committed Monte Carlo rows of one core cell (default: the baseline) in ``world``,
    the default seed included (``default`` marks it)."""
    frame = read_committed(slug, "montecarlo", root)
    table, column, row = cell or paper(slug).BASELINE_CELL
    part = frame[
        (frame["world"] == world)
        & (frame["table"] == table)
        & (frame["column"] == column)
        & (frame["row"] == row)
    ].copy()
    part["default"] = part["seed"] == entry(slug).default_seed
    return part.reset_index(drop=True)


def default_seed_percentile(
    slug: str, cell: tuple[str, str, str] | None = None, root: Path = SWEEPS_DIR
) -> float:
    """Where the chapter's default seed falls among the sweep's seeds (effect on): the share
    of seeds whose estimate of ``cell`` (default: the baseline) is at or below the default
    seed's."""
    part = estimates(slug, cell, root=root)
    value = part.loc[part["default"], "coef"]
    return percentile_of(part.loc[~part["default"], "coef"], float(value.iloc[0]))


def agreement_summary(slug: str, root: Path = SWEEPS_DIR) -> pd.Series:
    """The distribution of the sign-and-significance agreement over seeds (mean, sd,
    quantiles, the share of seeds meeting the pass mark) and the default seed's place."""
    return read_committed(slug, "agreement_summary", root).iloc[0]


def _mc_error(share: float, n: int) -> float:
    """Two Monte Carlo standard errors of a share estimated on ``n`` seeds."""
    return 2 * math.sqrt(share * (1 - share) / n) if n else math.nan


def recovery_texts(slug: str, root: Path = SWEEPS_DIR) -> dict[str, str]:
    """Glue key -> text for the chapter's "Does the method recover the truth?" section,
    every number formatted and every word chosen by its comparison (:mod:`helpers.verdicts`).
    Keys are prefixed ``SLUG-sweep-``."""
    base = baseline_row(slug, root)
    part = estimates(slug, root=root)
    default = part[part["default"]].iloc[0]
    agreement = agreement_summary(slug, root)
    n = int(base["seeds"])
    band95 = _mc_error(0.95, n)
    texts = {
        "seeds": f"{n}",
        "truth": f"{base['truth']:.4g}",
        "mean": f"{base['mean_estimate']:.4g}",
        "bias": f"{base['bias']:.3g}",
        "bias_mc_se": f"{base['bias_mc_se']:.2g}",
        "bias_word": verdicts.compare(
            abs(base["bias"]),
            2 * base["bias_mc_se"],
            more="larger than",
            less="within",
            same="within",
        ),
        "rmse": f"{base['rmse']:.3g}",
        "se_ratio": f"{base['se_ratio']:.2f}",
        "se_word": verdicts.compare(
            base["se_ratio"],
            1.0,
            more="understate",
            less="overstate",
            same="match",
            tolerance=0.1,
        ),
        "coverage_95": verdicts.percent(base["coverage_95"]),
        "coverage_90": verdicts.percent(base["coverage_90"]),
        "coverage_word": verdicts.compare(
            base["coverage_95"],
            0.95,
            more="above",
            less="below",
            same="close to",
            tolerance=band95,
        ),
        "power": verdicts.percent(base["power"]),
        "size": verdicts.percent(base["size"]) if pd.notna(base["size"]) else "not defined",
        "truth_off": f"{base['truth_off']:.3g}",
        "rejection_off": verdicts.percent(base["rejection_off"]),
        "size_sentence": _size_sentence(base),
        "default_seed": f"{int(default['seed'])}",
        "default_estimate": f"{default['coef']:.4g}",
        "default_percentile": verdicts.percent(default_seed_percentile(slug, root=root)),
        "agreement_mean": verdicts.percent(agreement["mean"]),
        "agreement_sd": verdicts.percent(agreement["sd"]),
        "agreement_q05": verdicts.percent(agreement["q05"]),
        "agreement_q95": verdicts.percent(agreement["q95"]),
        "agreement_default": verdicts.percent(agreement["default_agreement"]),
        "agreement_percentile": verdicts.percent(agreement["default_percentile"]),
        "agreement_pass_share": verdicts.percent(agreement["share_meeting_mark"]),
        "agreement_word": verdicts.meets(agreement["mean"]),
        "mark": verdicts.percent(verdicts.AGREEMENT_SHARE),
        "coverage_outliers": _coverage_outliers(recovery(slug, root), n),
    }
    return {f"{slug}-sweep-{k}": v for k, v in texts.items()}


def _coverage_outliers(table: pd.DataFrame, n: int) -> str:
    """Which core coefficients have a 95% coverage outside two Monte Carlo errors of 95%:
    below the band (intervals too short) or above it (conservative intervals)."""
    band = _mc_error(0.95, n)
    rated = table[table["coverage_95"].notna()]
    core = verdicts.count(len(rated), "core coefficient")
    low = rated[rated["coverage_95"] < 0.95 - band]
    high = rated[rated["coverage_95"] > 0.95 + band]
    if low.empty and high.empty:
        return f"All {core} have a 95% coverage within two Monte Carlo errors of 95%"

    def named(part: pd.DataFrame) -> str:
        cells = zip(part["cell"], part["coverage_95"], strict=True)
        return ", ".join(f"{c} ({v:.1%})" for c, v in cells)

    def verb(part: pd.DataFrame) -> tuple[str, str]:
        return ("covers", "its interval is") if len(part) == 1 else ("cover", "their intervals are")

    parts = []
    if len(low):
        covers, interval = verb(low)
        parts.append(
            f"{len(low)} {covers} the truth less often than 95% minus two Monte Carlo errors "
            f"({named(low)}): {interval} too short on this process"
        )
    if len(high):
        covers, interval = verb(high)
        parts.append(
            f"{len(high)} {covers} it more often than 95% plus two Monte Carlo errors "
            f"({named(high)}): {interval} conservative"
        )
    return f"Of {core}, " + "; ".join(parts)


def _size_sentence(base: pd.Series) -> str:
    """What the baseline's rejection rate with the effect off is: a size, or (where its
    target is not zero in that world) a power against that target."""
    rate = verdicts.percent(base["rejection_off"])
    if pd.notna(base["size"]):
        word = verdicts.compare(
            base["size"],
            0.05,
            more="above",
            less="below",
            same="close to",
            tolerance=_mc_error(0.05, int(base["seeds"])),
        )
        return f"rejects the true zero on {rate} of the seeds with the effect off, {word} 5%"
    return (
        f"still has a target of {base['truth_off']:.3g} with the effect off (a path the switch "
        f"leaves on), so its rejection rate there, {rate}, is a power, not a size"
    )


# --------------------------------------------------------------------------- figures
def _row_labels(table: pd.DataFrame) -> list[str]:
    """Row labels of a recovery figure: the cell, the baseline marked."""
    return [
        f"{cell} (baseline)" if base else cell
        for cell, base in zip(table["cell"], table["baseline"], strict=True)
    ]


def _dot_axes(n_rows: int, width: float = 5.2):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(width, 1.2 + 0.3 * n_rows))
    return fig, ax


def plot_coverage(slug: str, level: float = 0.95, root: Path = SWEEPS_DIR):
    """Coverage of the nominal ``level`` interval of every core coefficient over the sweep's
    seeds (effect on), with the band of two Monte Carlo errors around the nominal level;
    hollow markers: outside the band. Rows: core coefficients, the baseline in bold."""
    table = recovery(slug, root)
    column = {0.95: "coverage_95", 0.90: "coverage_90"}[level]
    table = table[table[column].notna()].reset_index(drop=True)
    n = int(table["seeds"].max())
    band = _mc_error(level, n)
    y = np.arange(len(table))[::-1]
    with style.context():
        fig, ax = _dot_axes(len(table))
        ax.axvspan(
            level - band,
            min(1.0, level + band),
            color="#D9D9D9",
            alpha=0.7,
            lw=0,
            label=f"nominal {level:.0%} ± 2 MC errors",
        )
        ax.axvline(level, color=style.INK, lw=0.8)
        inside = (table[column] - level).abs() <= band
        colour = style.CYCLE[0]
        ax.scatter(
            table.loc[inside, column],
            y[inside],
            s=36,
            color=colour,
            zorder=3,
            label="within the band",
        )
        ax.scatter(
            table.loc[~inside, column],
            y[~inside],
            s=36,
            facecolors="white",
            edgecolors=style.CYCLE[1],
            linewidths=1.6,
            zorder=3,
            label="outside",
        )
        ax.set_yticks(y, _row_labels(table))
        low = min(level - 2 * band, float(table[column].min())) - 0.05
        ax.set_xlim(max(0.0, low), 1.01)
        ax.xaxis.set_major_formatter(_percent_formatter())
        ax.set_xlabel(f"{level:.0%} intervals covering the truth ({n} seeds)")
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, fontsize=8)
        fig.tight_layout()
    return fig


def plot_size_power(slug: str, root: Path = SWEEPS_DIR):
    """The rejection rate of the 5% test of ``b = 0`` for every core coefficient: with the
    effect on (power) and off (size where the target is then zero, a hollow marker where it
    is not), with the nominal 5% marked."""
    table = recovery(slug, root)
    y = np.arange(len(table))[::-1]
    null = table["size"].notna().to_numpy()
    with style.context():
        fig, ax = _dot_axes(len(table))
        ax.axvline(TEST_LEVEL, color=style.INK, lw=0.8, ls="--", label="5%")
        ax.scatter(
            table["power"],
            y + 0.12,
            s=36,
            color=style.CYCLE[0],
            zorder=3,
            label="effect on (power)",
        )
        ax.scatter(
            table.loc[null, "rejection_off"],
            y[null] - 0.12,
            s=36,
            color=style.CYCLE[1],
            marker="D",
            zorder=3,
            label="effect off (size)",
        )
        ax.scatter(
            table.loc[~null, "rejection_off"],
            y[~null] - 0.12,
            s=36,
            facecolors="white",
            edgecolors=style.CYCLE[1],
            marker="D",
            linewidths=1.4,
            zorder=3,
            label="effect off, target not zero",
        )
        ax.set_yticks(y, _row_labels(table))
        ax.set_xlim(-0.02, 1.02)
        ax.xaxis.set_major_formatter(_percent_formatter())
        ax.set_xlabel(f"seeds rejecting b = 0 at 5% ({int(table['seeds'].max())} seeds)")
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, fontsize=8)
        fig.tight_layout()
    return fig


def plot_baseline_distribution(slug: str, root: Path = SWEEPS_DIR):
    """The baseline estimate over the sweep's seeds (effect on) as a histogram, with the
    mean truth, the published value and the chapter's default seed marked."""
    import matplotlib.pyplot as plt

    part = estimates(slug, root=root)
    base = baseline_row(slug, root)
    seeds = part.loc[~part["default"], "coef"].dropna()
    default = float(part.loc[part["default"], "coef"].iloc[0])
    table, column, _ = paper(slug).BASELINE_CELL
    with style.context():
        fig, ax = plt.subplots(figsize=(5.2, 3.6))
        ax.hist(seeds, bins=24, color=style.CYCLE[0], alpha=0.75, label=f"{len(seeds)} seeds")
        marks = (
            (base["truth"], style.INK, "-", "truth (mean)"),
            (base["published"], style.CYCLE[2], "--", "published"),
            (default, style.CYCLE[1], ":", f"default seed {entry(slug).default_seed}"),
        )
        for value, colour, line, label in marks:
            ax.axvline(value, color=colour, ls=line, lw=1.8, label=label)
        ax.set_xlabel(f"baseline estimate, {table} {column}")
        ax.set_ylabel("seeds")
        ax.legend(fontsize=8, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2)
        fig.tight_layout()
    return fig


def published_baseline(slug: str) -> float:
    """The published value of paper ``slug``'s baseline coefficient."""
    module = paper(slug)
    cells = load_cells()
    table, column, row = module.BASELINE_CELL
    hit = cells[
        (cells["paper"] == module.PAPER)
        & (cells["table"] == table)
        & (cells["column"] == column)
        & (cells["row"] == row)
        & (cells["stat"] == "coef")
    ]
    return float(hit["number"].iloc[0])


def _percent_formatter():
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(1.0, decimals=0)


# --------------------------------------------------------------------------- specifications
def specification_curve(
    slug: str,
    root: Path = SWEEPS_DIR,
    sweep_dir: str | Path | None = None,
    grid: Specifications | None = None,
) -> pd.DataFrame:
    """The specification table of paper ``slug`` (one row per specification): the committed
    one (the default simulated panel), or with ``sweep_dir`` that of a reader's sweep
    (``replicate sweep SLUG --grid [GRID.yml] --data FILE --out SWEEP_DIR``; pass the same
    ``grid``, default the paper's). The other specification functions take this table."""
    if sweep_dir is None:
        return read_committed(slug, "specifications", root)
    results = read_parquet(Path(sweep_dir) / RESULT_FILE)
    return specification_table(results, slug, load_cells(), grid)


def specification_share(
    slug: str, root: Path = SWEEPS_DIR, table: pd.DataFrame | None = None
) -> float:
    """The share of specifications whose baseline keeps the paper's sign and significance
    (the committed curve, or ``table``)."""
    return keep_share(specification_curve(slug, root) if table is None else table)


def specification_texts(
    slug: str, root: Path = SWEEPS_DIR, table: pd.DataFrame | None = None
) -> dict[str, str]:
    """Glue key -> text for the specification curve (prefixed ``SLUG-spec-``): the number of
    specifications, the share keeping the paper's sign and significance, the range of the
    estimates and the default specification's rank (the committed curve, or ``table``)."""
    table = specification_curve(slug, root) if table is None else table
    coef = table["coef"].dropna()
    share = keep_share(table)
    default = table.iloc[0]
    texts = {
        "count": f"{len(table)}",
        "estimated": f"{len(coef)}",
        "share": verdicts.percent(share),
        "min": f"{coef.min():.3g}",
        "max": f"{coef.max():.3g}",
        "default": f"{default['coef']:.3g}",
        "default_percentile": verdicts.percent(percentile_of(coef, float(default["coef"]))),
        "share_word": verdicts.meets(share),
        "mark": verdicts.percent(verdicts.AGREEMENT_SHARE),
    }
    return {f"{slug}-spec-{k}": v for k, v in texts.items()}


def plot_specification_curve(
    slug: str,
    level: float = 0.95,
    root: Path = SWEEPS_DIR,
    table: pd.DataFrame | None = None,
):
    """The specification curve (Simonsohn, Simmons and Nelson 2020): the baseline estimate of
    every specification, sorted, with its ``level`` interval (normal, ``coef +- z SE``),
    filled where it keeps the paper's sign and significance; the published value and zero
    as lines; beneath, one row per option of each dimension with a dot where the
    specification uses it (the chapter's default marked). ``table``: a reader's curve
    (:func:`specification_curve` with ``sweep_dir``) instead of the committed one."""
    import matplotlib.pyplot as plt

    table = specification_curve(slug, root) if table is None else table
    published = published_baseline(slug)
    order = table.assign(_rank=table["coef"].fillna(np.inf)).sort_values("_rank", kind="mergesort")
    x = np.arange(len(order))
    dims = dimensions(order)
    options = [(d, o) for d in dims for o in dict.fromkeys(table[d])]
    z = normal_isf((1 - level) / 2)
    with style.context():
        fig, (top, bottom) = plt.subplots(
            2,
            1,
            figsize=(7.0, 3.0 + 0.22 * len(options)),
            sharex=True,
            gridspec_kw={"height_ratios": [3.0, 0.22 * len(options) + 0.4]},
        )
        keeps = order["keeps"].to_numpy(bool)
        for mask, face, label in (
            (keeps, style.CYCLE[0], "keeps sign and significance"),
            (~keeps, "white", "does not"),
        ):
            top.errorbar(
                x[mask],
                order["coef"][mask],
                yerr=z * order["se"][mask],
                fmt="none",
                ecolor="#9A9A9A",
                elinewidth=0.8,
            )
            top.scatter(
                x[mask],
                order["coef"][mask],
                s=18,
                facecolors=face,
                edgecolors=style.CYCLE[0],
                zorder=3,
                label=label,
            )
        is_default = (order["spec"] == table["spec"].iloc[0]).to_numpy()
        top.scatter(
            x[is_default],
            order["coef"][is_default],
            s=90,
            facecolors="none",
            edgecolors=style.CYCLE[1],
            linewidths=1.8,
            zorder=4,
            label="the chapter's",
        )
        top.axhline(published, color=style.CYCLE[2], ls="--", lw=1.2, label="published")
        top.axhline(0, color=style.INK, lw=0.8)
        top.set_ylabel("baseline estimate")
        top.legend(fontsize=8, ncol=2, loc="upper left")
        ys = np.arange(len(options))[::-1]
        for yy, (dimension, option) in zip(ys, options, strict=True):
            used = (order[dimension] == option).to_numpy()
            bottom.scatter(x[used], np.full(used.sum(), yy), s=10, color=style.INK)
        bottom.set_yticks(ys, [f"{d}: {o}" for d, o in options], fontsize=8)
        bottom.set_xlabel(f"{len(order)} specifications, sorted by the estimate")
        bottom.grid(False)
        bottom.set_xlim(-1, len(order))
        fig.tight_layout()
    return fig


FIGURES = {
    "coverage": plot_coverage,
    "size-power": plot_size_power,
    "baseline-distribution": plot_baseline_distribution,
    "specification-curve": plot_specification_curve,
}
"""The chapters' sweep figures by short name (:func:`figures`)."""


def figures(slug: str, root: Path = SWEEPS_DIR) -> dict[str, object]:
    """Glue name -> figure of every sweep figure of paper ``slug`` (``fig-SLUG-coverage``,
    ``fig-SLUG-size-power``, ``fig-SLUG-baseline-distribution``,
    ``fig-SLUG-specification-curve``), for a chapter to glue and caption."""
    return {glue_name(slug, name): plot(slug, root=root) for name, plot in FIGURES.items()}


def glue_name(slug: str, name: str) -> str:
    """The glue name of sweep figure ``name`` (a key of :data:`FIGURES`) of paper ``slug``."""
    return f"fig-{slug}-{name}"


def figure_path(slug: str, name: str, root: Path = SWEEPS_DIR) -> Path:
    """Where the committed image of figure ``name`` (a key of :func:`figures`) is stored."""
    return root / slug / "figures" / f"{name}.png"


def render_figures(slug: str, root: Path = SWEEPS_DIR) -> dict[str, bytes]:
    """Glue name -> PNG bytes of every sweep figure of ``slug``, drawn as a notebook page
    draws a figure (its own size and resolution, cropped to its artists), without the
    metadata that names the software, so the bytes depend on the figure alone."""
    import matplotlib.pyplot as plt

    images = {}
    for name, figure in figures(slug, root).items():
        buffer = io.BytesIO()
        figure.savefig(
            buffer,
            format="png",
            dpi=figure.dpi,
            bbox_inches="tight",
            facecolor=figure.get_facecolor(),
            metadata={"Software": None},
        )
        plt.close(figure)
        images[name] = buffer.getvalue()
    return images


def write_figures(slug: str, root: Path = SWEEPS_DIR) -> list[Path]:
    """Store :func:`render_figures` of ``slug`` under ``data/sweeps/SLUG/figures/``."""
    paths = []
    for name, png in render_figures(slug, root).items():
        path = figure_path(slug, name, root)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(png)
        paths.append(path)
    return paths


def figure_images(slug: str, root: Path = SWEEPS_DIR) -> dict[str, object]:
    """Glue name -> the committed image of every sweep figure of ``slug``, as
    ``IPython.display.Image`` for a chapter to glue and caption like a figure."""
    from IPython.display import Image

    images = {}
    for name in FIGURES:
        key = glue_name(slug, name)
        path = figure_path(slug, key, root)
        if not path.is_file():
            raise InputError(
                f"the committed image of the sweep figure {key} is missing: {path}",
                parameter="slug",
                hint=f"Draw it with `python -m helpers.sweep --figures {slug}`",
            )
        images[key] = Image(data=path.read_bytes(), format="png")
    return images
