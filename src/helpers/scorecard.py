"""The replication scorecard: how much of each paper's printed tables the chapters reproduce.

Every replication chapter writes its cells to ``SLUG/results.csv`` (:mod:`helpers.results`)
under the folder the book is executed into. The scorecard reads whichever of those files
exist, pairs them with the published cells through
:func:`helpers.tables.comparison_table` and :func:`helpers.tables.sign_and_significance`,
and scores each paper and table:

* **share reproduced**: published cells whose replicated value, rounded to the decimals the
  paper prints, equals the printed number; a cell the chapter does not produce counts as
  not reproduced;
* **sign agreement** and **significance agreement** of the coefficients: same sign, and
  significant at 10% (at least one star) in both or in neither;
* **median |difference| in published SEs**: for each coefficient,
  ``(replicated - published) / published SE``, then the median of its absolute value. Where a
  table prints t statistics instead of standard errors (paper 003), the SE is the one the
  printed numbers imply, ``|coef / t|``; an SE printed as zero gives no value.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from helpers import style, verdicts
from helpers import sweep as sweep_book
from helpers.errors import InputError
from helpers.published import (
    audit_sample_sizes,
    audit_stars,
    load_sample_design,
    paper_slugs,
    text_table_contradictions,
)
from helpers.registry import slugs as registry_slugs
from helpers.results import RESULT_COLUMNS, read_results
from helpers.sweep.committed import SWEEPS_DIR, read_committed
from helpers.tables import comparison_table, show, sign_and_significance

RESULTS_FILE = "results.csv"
NO_CHAPTER = "no chapter yet"
_COEF_KEYS = ["paper", "table", "column", "row"]


def chapter_status(results_dir: str | Path, papers: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per paper (``papers``: file stem -> slug, default every registered paper):
    its slug, the results file if a chapter wrote one, and a status.

    ``status`` is ``"chapter"`` when ``results_dir/SLUG/results.csv`` exists and
    :data:`NO_CHAPTER` otherwise (a missing ``results_dir`` means no chapter has run).
    """
    rows = []
    for paper, slug in (paper_slugs() if papers is None else papers).items():
        path = Path(results_dir) / slug / RESULTS_FILE
        found = path.is_file()
        rows.append(
            {
                "paper": paper,
                "slug": slug,
                "results": str(path) if found else "",
                "status": "chapter" if found else NO_CHAPTER,
            }
        )
    return pd.DataFrame(rows)


def load_replicated(status: pd.DataFrame) -> pd.DataFrame:
    """All chapters' replicated cells, read and checked by :func:`helpers.results.read_results`."""
    files = [Path(p) for p in status.loc[status["status"] == "chapter", "results"]]
    frames = [read_results(path) for path in files]
    if not frames:
        return pd.DataFrame(columns=RESULT_COLUMNS)
    return pd.concat(frames, ignore_index=True)


def published_se(published: pd.DataFrame) -> pd.Series:
    """Each published coefficient's standard error, indexed by paper, table, column, row.

    The printed SE where there is one, else ``|coef / t|`` from a printed t statistic;
    NaN where the SE prints as zero or neither is printed.
    """
    by_stat = {
        stat: published.loc[published["stat"] == stat].set_index(_COEF_KEYS)["number"]
        for stat in ("coef", "se", "t")
    }
    coef = by_stat["coef"]
    se = by_stat["se"].reindex(coef.index).abs()
    with np.errstate(divide="ignore", invalid="ignore"):
        implied = (coef / by_stat["t"].reindex(coef.index)).abs()
    se = se.fillna(implied)
    return se.where(se > 0).rename("published_se")


def drill_down(published: pd.DataFrame, replicated: pd.DataFrame, paper: str) -> pd.DataFrame:
    """Every published cell of ``paper`` beside its replication.

    :func:`helpers.tables.comparison_table` (published, replicated, difference,
    ``matches`` once rounded, stars of each) plus ``published_se`` and ``se_units``,
    the difference in published standard errors (coefficients only).
    """
    cells = comparison_table(published, replicated, paper=paper)
    se = published_se(published[published["paper"] == paper])
    cells = cells.merge(se.reset_index(), on=_COEF_KEYS, how="left")
    coef = cells["stat"] == "coef"
    cells["published_se"] = cells["published_se"].where(coef)
    cells["se_units"] = cells["difference"] / cells["published_se"]
    return cells


def _agreement(published: pd.DataFrame, replicated: pd.DataFrame, paper: str) -> pd.DataFrame:
    """Sign and 10% significance agreement of every coefficient of ``paper``."""
    rows = published.loc[
        (published["paper"] == paper) & (published["stat"] == "coef"), "row"
    ].unique()
    return sign_and_significance(published, replicated, paper, list(rows), min_stars=1)


def _summarise(cells: pd.DataFrame, agreement: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    grouped = cells.groupby(by, sort=False)
    out = pd.DataFrame(
        {
            "cells": grouped.size(),
            "replicated": grouped["replicated"].count(),
            "reproduced": grouped["matches"].sum().astype(int),
        }
    )
    out["share_reproduced"] = out["reproduced"] / out["cells"]
    signs = agreement.groupby(by, sort=False)
    out["coefficients"] = signs.size().reindex(out.index).fillna(0).astype(int)
    out["sign_agreement"] = signs["sign_match"].mean().reindex(out.index)
    out["significance_agreement"] = signs["significance_match"].mean().reindex(out.index)
    out["median_abs_se_diff"] = (
        cells.assign(abs_se=cells["se_units"].abs()).groupby(by, sort=False)["abs_se"].median()
    )
    return out.reset_index()


def table_scores(published: pd.DataFrame, replicated: pd.DataFrame, paper: str) -> pd.DataFrame:
    """One row per published table of ``paper``: the four scores (see the module docstring).

    Columns: ``cells``, ``replicated`` (cells with a value), ``reproduced``,
    ``share_reproduced``, ``coefficients``, ``sign_agreement``, ``significance_agreement``
    (shares of coefficients; NaN for a table without coefficients) and ``median_abs_se_diff``.
    """
    return _summarise(
        drill_down(published, replicated, paper),
        _agreement(published, replicated, paper),
        ["paper", "table"],
    )


def paper_scores(
    published: pd.DataFrame, replicated: pd.DataFrame, papers: Iterable[str]
) -> pd.DataFrame:
    """The same scores over all tables of each paper, one row per paper."""
    frames = [
        _summarise(
            drill_down(published, replicated, paper),
            _agreement(published, replicated, paper),
            ["paper"],
        )
        for paper in papers
    ]
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, ignore_index=True)


def plot_replicated_against_published(cells: pd.DataFrame, title: str = ""):
    """Replicated against published coefficients, one colour per table, with the 45-degree line.

    ``cells`` is :func:`drill_down` output; coefficients the chapter does not produce are
    left out. Points on the line equal the published value.
    """
    import matplotlib.pyplot as plt

    coefs = cells[(cells["stat"] == "coef") & cells["replicated"].notna()]
    with style.context():
        fig, ax = plt.subplots(figsize=(5.6, 5.0))
        for table, part in coefs.groupby("table", sort=False):
            ax.scatter(part["published"], part["replicated"], s=22, alpha=0.85, label=table)
        values = np.concatenate([coefs["published"], coefs["replicated"]]).astype(float)
        low, high = (values.min(), values.max()) if values.size else (-1.0, 1.0)
        pad = 0.05 * (high - low or 1.0)
        limits = (low - pad, high + pad)
        ax.plot(limits, limits, color="0.35", lw=0.9, ls="--", label="45-degree line")
        ax.set_xlim(limits)
        ax.set_ylim(limits)
        ax.set_aspect("equal")
        ax.set_xlabel("published coefficient")
        ax.set_ylabel("replicated coefficient")
        if title:
            ax.set_title(title)
        ax.legend(loc="upper left")
        fig.tight_layout()
    return fig


# What the page says about each paper: glue keys ``SLUG-NAME`` hold these texts.
_SUMMARY_FORMATS = {
    "cells": "{:.0f}",
    "reproduced": "{:.0f}",
    "coefficients": "{:.0f}",
    "share_reproduced": "{:.0%}",
    "sign_agreement": "{:.0%}",
    "significance_agreement": "{:.0%}",
    "median_abs_se_diff": "{:.2f}",
}


def summary_texts(scores: pd.Series, slug: str) -> dict[str, str]:
    """Glue key -> printed text for one row of :func:`paper_scores` (``n/a`` for NaN)."""
    return {
        f"{slug}-{name}": (form.format(float(scores[name])) if pd.notna(scores[name]) else "n/a")
        for name, form in _SUMMARY_FORMATS.items()
    }


def paper_section(paper: str, slug: str) -> str:
    """MyST text introducing one paper's scores, quoting the :func:`summary_texts` glue keys."""

    def key(name: str) -> str:
        return f"{{glue:text}}`{slug}-{name}`"

    return "\n".join(
        [
            f"```{{rubric}} Paper {paper[:3]}: {slug}",
            "```",
            f"The chapter reproduces {key('reproduced')} of the {key('cells')} published cells "
            f"({key('share_reproduced')}) once rounded to the printed decimals. Of the "
            f"{key('coefficients')} coefficients, {key('sign_agreement')} have the published "
            f"sign and {key('significance_agreement')} the published significance class at 10%; "
            f"the median coefficient lies {key('median_abs_se_diff')} published standard errors "
            "from the printed value.",
        ]
    )


def figure_name(slug: str) -> str:
    """Glue key and cross-reference name of a paper's replicated-against-published figure."""
    return f"fig-scorecard-{slug}"


def figure_directive(paper: str, slug: str) -> str:
    """The MyST ``glue:figure`` block that places and captions a paper's figure."""
    return "\n".join(
        [
            f"```{{glue:figure}} {figure_name(slug)}",
            f":name: {figure_name(slug)}",
            "",
            f"Paper {paper[:3]} ({slug}): every replicated coefficient against the published one, "
            "one colour per table. Points on the dashed 45-degree line are reproduced exactly; "
            "the default data are simulated.",
            "```",
        ]
    )


DRILL_DOWN_COLUMNS = [
    "paper",
    "table",
    "column",
    "row",
    "stat",
    "published",
    "replicated",
    "difference",
    "stars_published",
    "stars_replicated",
    "matches",
    "se_units",
]


def drill_down_view(cells: pd.DataFrame) -> pd.DataFrame:
    """The drill-down columns a reader needs, renamed for the downloadable `cells.csv`."""
    view = cells.loc[:, DRILL_DOWN_COLUMNS].copy()
    coef = view["stat"] == "coef"
    for column in ("stars_published", "stars_replicated"):
        view[column] = [
            "*" * int(n) if c and pd.notna(n) else ""
            for n, c in zip(view[column], coef, strict=True)
        ]
    return view.rename(
        columns={
            "stars_published": "stars (published)",
            "stars_replicated": "stars (replicated)",
            "matches": "reproduced",
            "se_units": "difference in SEs",
        }
    )


_SHARES = ["share_reproduced", "sign_agreement", "significance_agreement"]
SCORE_LABELS = {
    "paper": "paper",
    "table": "table",
    "cells": "cells",
    "replicated": "with a value",
    "reproduced": "reproduced",
    "share_reproduced": "share reproduced",
    "coefficients": "coefs",
    "sign_agreement": "same sign",
    "significance_agreement": "same class",
    "median_abs_se_diff": "median |difference| in SEs",
}


def styled_scores(scores: pd.DataFrame, caption: str | None = None):
    """Scores for the page (:func:`helpers.tables.show`): papers by their slugs, shares as
    percentages, SE differences to two decimals, readable column names, an em dash where a
    score has no value (a table without coefficients has no sign agreement)."""
    formats = {SCORE_LABELS[n]: "{:.0%}" for n in _SHARES} | {
        SCORE_LABELS["median_abs_se_diff"]: "{:.2f}"
    }
    if "paper" in scores:
        scores = scores.assign(paper=scores["paper"].map(paper_slugs()).fillna(scores["paper"]))
    view = scores.rename(columns=SCORE_LABELS)
    formats = {k: v for k, v in formats.items() if k in view.columns}
    note = "\u2014: no coefficient to score."
    return show(view, formats, caption=caption, note=note)


HEADLINE_COLUMNS = [
    "paper",
    "slug",
    "table",
    "column",
    "row",
    "published",
    "stars_published",
    "replicated",
    "stars_replicated",
    "sign_match",
    "significance_match",
    "both",
    "se_units",
]


def headline_agreement(
    published: pd.DataFrame,
    replicated: pd.DataFrame,
    headlines: dict[str, tuple[str, str, str]],
) -> pd.DataFrame:
    """Each paper's headline coefficient beside its replication.

    ``headlines`` maps a paper id to the ``(table, column, row)`` of the coefficient its
    abstract reports. One row per paper: ``slug``, ``table``, ``column``, ``row``,
    ``published`` and ``replicated`` (values), their stars, ``sign_match``,
    ``significance_match`` (10%: at least one star in both or in neither), ``both`` and
    ``se_units`` (the difference in published standard errors). A headline the chapter did
    not produce has no replicated value and agrees on nothing; no headlines give an empty
    frame with these columns.
    """
    rows = []
    for paper, (table, column, row) in headlines.items():
        cells = drill_down(published, replicated, paper)
        hit = cells[
            (cells["table"] == table)
            & (cells["column"] == column)
            & (cells["row"] == row)
            & (cells["stat"] == "coef")
        ]
        if hit.empty:
            raise InputError(
                f"paper {paper} prints no coefficient {row!r} in {table} {column}",
                parameter="headlines",
            )
        cell = hit.iloc[0]
        have = pd.notna(cell["replicated"])
        stars_rep = int(cell["stars_replicated"]) if have else 0
        sign = bool(have and np.sign(cell["replicated"]) == np.sign(cell["published"]))
        significance = bool(have and (stars_rep >= 1) == (int(cell["stars_published"]) >= 1))
        rows.append(
            {
                "paper": paper,
                "slug": paper_slugs().get(paper, paper),
                "table": table,
                "column": column,
                "row": row,
                "published": float(cell["published"]),
                "stars_published": int(cell["stars_published"]),
                "replicated": float(cell["replicated"]) if have else np.nan,
                "stars_replicated": stars_rep if have else np.nan,
                "sign_match": sign,
                "significance_match": significance,
                "both": sign and significance,
                "se_units": float(cell["se_units"]) if have else np.nan,
            }
        )
    return pd.DataFrame(rows, columns=HEADLINE_COLUMNS)


# --------------------------------------------------------------------------- three questions
# The scorecard asks three questions, each answered from computed files:
# (a) does each method recover the planted truth? -- the committed Monte Carlo sweeps;
# (b) how close is the simulated world to the published tables? -- the agreement over seeds,
#     with the chapter's default draw placed in that distribution;
# (c) what does the audit of the published tables find? -- helpers.published.


def _sweep_slugs(slugs: Iterable[str] | None) -> list[str]:
    return list(registry_slugs() if slugs is None else slugs)


def recovery_scores(slugs: Iterable[str] | None = None, root: Path = SWEEPS_DIR) -> pd.DataFrame:
    """Question (a), one row per paper: its baseline coefficient's mean truth, mean
    estimate, bias (and in mean SEs), RMSE, coverage of the nominal 95% interval, size and
    power of the 5% test (:func:`helpers.sweep.recovery`); and over all its core
    coefficients, how many have a 95% coverage within two Monte Carlo errors of 95%
    (``coverage_ok``) and, of those with a size, how many have it within two Monte Carlo
    errors of 5% (``size_ok`` of ``with_size``)."""
    rows = []
    for slug in _sweep_slugs(slugs):
        table = sweep_book.recovery(slug, root)
        base = table[table["baseline"]].iloc[0]
        n = int(base["seeds"])
        band95 = 2 * np.sqrt(0.95 * 0.05 / n)
        band05 = 2 * np.sqrt(0.05 * 0.95 / n)
        sized = table["size"].dropna()
        rows.append(
            {
                "slug": slug,
                "baseline": base["cell"],
                "seeds": n,
                "truth": base["truth"],
                "mean_estimate": base["mean_estimate"],
                "bias": base["bias"],
                "bias_in_se": base["bias"] / base["mean_se"],
                "rmse": base["rmse"],
                "coverage_95": base["coverage_95"],
                "size": base["size"],
                "power": base["power"],
                "core": len(table),
                "coverage_ok": int(((table["coverage_95"] - 0.95).abs() <= band95).sum()),
                "with_size": len(sized),
                "size_ok": int(((sized - 0.05).abs() <= band05).sum()),
            }
        )
    return pd.DataFrame(rows)


def agreement_scores(slugs: Iterable[str] | None = None, root: Path = SWEEPS_DIR) -> pd.DataFrame:
    """Question (b), one row per paper: the share of its core coefficients with the
    published sign and 10% class, as a distribution over the sweep's seeds (mean, sd, 5%
    and 95% quantiles, the share of seeds meeting the pass mark), and the chapter's
    default draw: its agreement and percentile in that distribution."""
    rows = []
    for slug in _sweep_slugs(slugs):
        summary = sweep_book.agreement_summary(slug, root)
        rows.append({"slug": slug, **summary.to_dict()})
    frame = pd.DataFrame(rows)
    frame["default_seed"] = frame["default_seed"].astype(int)
    frame["seeds"] = frame["seeds"].astype(int)
    return frame


def audit_scores(published: pd.DataFrame) -> pd.DataFrame:
    """Question (c), one row per paper: the audit of its printed stars against coefficient
    and SE (:func:`helpers.published.audit_stars`: checked, consistent, borderline,
    inconsistent), of its printed sample sizes against the design
    (:func:`helpers.published.audit_sample_sizes`) and the text-versus-table contradictions
    listed in ``TABLES.md``."""
    stars = audit_stars(published)
    checked = stars[~stars["status"].isin(["excluded", "se prints as zero"])]
    star_counts = checked.groupby("slug")["status"].value_counts().unstack(fill_value=0)
    sizes = audit_sample_sizes(published, load_sample_design())
    size_counts = sizes.groupby("slug")["status"].value_counts().unstack(fill_value=0)
    texts = text_table_contradictions().groupby("slug").size()
    rows = []
    for slug in paper_slugs().values():
        stars_row = star_counts.loc[slug] if slug in star_counts.index else pd.Series(dtype=int)
        size_row = size_counts.loc[slug] if slug in size_counts.index else pd.Series(dtype=int)
        rows.append(
            {
                "slug": slug,
                "stars_checked": int(stars_row.sum()),
                "stars_consistent": int(stars_row.get("pass", 0)),
                "stars_borderline": int(stars_row.get("borderline", 0)),
                "stars_inconsistent": int(stars_row.get("inconsistent", 0)),
                "stars_unchecked": int(
                    ((stars["slug"] == slug) & ~stars.index.isin(checked.index)).sum()
                ),
                "n_checked": int(size_row.sum()),
                "n_match": int(size_row.get("pass", 0)),
                "n_mismatch": int(size_row.get("mismatch", 0)),
                "text_contradictions": int(texts.get(slug, 0)),
            }
        )
    return pd.DataFrame(rows)


def three_question_texts(
    recovery: pd.DataFrame, agreement: pd.DataFrame, audit: pd.DataFrame
) -> dict[str, str]:
    """Glue key -> text for the scorecard's three questions: counts over papers and the
    words chosen by them (:mod:`helpers.verdicts`)."""
    n = len(recovery)
    band = 2 * np.sqrt(0.95 * 0.05 / recovery["seeds"])
    near = int(((recovery["coverage_95"] - 0.95).abs() <= band).sum())
    meeting = int((agreement["mean"] >= verdicts.AGREEMENT_SHARE).sum())
    default_above = int((agreement["default_percentile"] > 0.5).sum())
    return {
        "sc-papers": verdicts.count(n, "paper"),
        "sc-seeds": f"{int(recovery['seeds'].min())}",
        "sc-coverage-near": f"{near}",
        "sc-coverage-near-word": verdicts.count(near, "paper"),
        "sc-core": f"{int(recovery['core'].sum())}",
        "sc-core-coverage-ok": f"{int(recovery['coverage_ok'].sum())}",
        "sc-with-size": f"{int(recovery['with_size'].sum())}",
        "sc-size-ok": f"{int(recovery['size_ok'].sum())}",
        "sc-mark": verdicts.percent(verdicts.AGREEMENT_SHARE),
        "sc-meeting": verdicts.count(meeting, "paper"),
        "sc-default-above": verdicts.count(default_above, "paper"),
        "sc-stars-checked": f"{int(audit['stars_checked'].sum())}",
        "sc-stars-inconsistent": f"{int(audit['stars_inconsistent'].sum())}",
        "sc-stars-borderline": f"{int(audit['stars_borderline'].sum())}",
        "sc-n-mismatch": f"{int(audit['n_mismatch'].sum())}",
        "sc-n-checked": f"{int(audit['n_checked'].sum())}",
        "sc-text": f"{int(audit['text_contradictions'].sum())}",
    }


_RECOVERY_VIEW = {
    "slug": "paper",
    "baseline": "baseline",
    "truth": "truth (mean)",
    "mean_estimate": "mean estimate",
    "bias": "bias",
    "bias_in_se": "bias / SE",
    "rmse": "RMSE",
}
_TESTS_VIEW = {
    "slug": "paper",
    "coverage_95": "baseline: cover 95%",
    "size": "baseline: size 5%",
    "power": "baseline: power 5%",
    "coverage_ok": "core coefs: cover near 95%",
    "size_ok": "core coefs: size near 5%",
}


def styled_recovery(recovery: pd.DataFrame, part: str = "estimates"):
    """Question (a) for the page (:func:`helpers.tables.show`), in two narrow tables:
    ``part="estimates"`` (the baseline's truth, mean estimate, bias, RMSE) or ``"tests"``
    (its coverage, size and power, and the core coefficients' counts as ``k of n``)."""
    if part == "estimates":
        view = recovery[list(_RECOVERY_VIEW)].rename(columns=_RECOVERY_VIEW)
        formats = {c: "{:.4f}" for c in ("truth (mean)", "mean estimate", "bias", "RMSE")}
        formats["bias / SE"] = "{:.2f}"
        return show(view, formats, caption="The baseline over the seeds (effect on)")
    counts = {
        "coverage_ok": [
            f"{a} of {b}" for a, b in zip(recovery["coverage_ok"], recovery["core"], strict=True)
        ],
        "size_ok": [
            f"{a} of {b}" for a, b in zip(recovery["size_ok"], recovery["with_size"], strict=True)
        ],
    }
    view = recovery.assign(**counts)[list(_TESTS_VIEW)].rename(columns=_TESTS_VIEW)
    shares = ["baseline: cover 95%", "baseline: size 5%", "baseline: power 5%"]
    note = "\u2014: no size, the baseline's target is not zero with the effect off."
    return show(view, {c: "{:.0%}" for c in shares}, caption="Tests over the seeds", note=note)


_AGREEMENT_VIEW = {
    "slug": "paper",
    "mean": "expected",
    "sd": "sd",
    "q05": "5% quantile",
    "q95": "95% quantile",
    "share_meeting_mark": "seeds meeting the mark",
    "default_seed": "default seed",
    "default_agreement": "default seed's agreement",
    "default_percentile": "its percentile",
}


def styled_agreement(agreement: pd.DataFrame):
    """Question (b) for the page (:func:`helpers.tables.show`): every share a percentage."""
    view = agreement[list(_AGREEMENT_VIEW)].rename(columns=_AGREEMENT_VIEW)
    shares = {c: "{:.0%}" for c in view.columns if c not in ("paper", "default seed")}
    return show(view, shares, caption="Agreement with the published tables over the seeds")


_AUDIT_VIEW = {
    "slug": "paper",
    "stars_checked": "stars checked",
    "stars_consistent": "stars fit",
    "stars_borderline": "stars border",
    "stars_inconsistent": "stars off",
    "stars_unchecked": "stars uncheckable",
    "n_checked": "N checked",
    "n_mismatch": "N off design",
    "text_contradictions": "text vs tables",
}


def styled_audit(audit: pd.DataFrame):
    """Question (c) for the page (:func:`helpers.tables.show`)."""
    view = audit[list(_AUDIT_VIEW)].rename(columns=_AUDIT_VIEW)
    return show(view, caption="The published tables checked against themselves")


def plot_agreement_distributions(
    slugs: Iterable[str] | None = None, root: Path = SWEEPS_DIR, mark: float | None = None
):
    """Question (b) as a figure: for each paper the agreement of every seed of its sweep
    (one dot per seed, jittered), the quartiles as a box, the chapter's default draw as a
    diamond and the pass mark as a dashed line."""
    import matplotlib.pyplot as plt

    chosen = _sweep_slugs(slugs)
    mark = verdicts.AGREEMENT_SHARE if mark is None else mark
    rng = np.random.default_rng(0)
    with style.context():
        fig, ax = plt.subplots(figsize=(5.6, 1.0 + 0.75 * len(chosen)))
        for i, slug in enumerate(chosen[::-1]):
            by_seed = read_committed(slug, "agreement", root)
            summary = sweep_book.agreement_summary(slug, root)
            default = int(summary["default_seed"])
            seeds = by_seed[by_seed["seed"] != default]["agreement"].to_numpy(float)
            ax.boxplot(
                seeds,
                positions=[i],
                orientation="horizontal",
                widths=0.5,
                showfliers=False,
                medianprops={"color": style.INK},
            )
            ax.scatter(
                seeds + rng.uniform(-0.008, 0.008, len(seeds)),
                i + rng.uniform(-0.18, 0.18, len(seeds)),
                s=6,
                alpha=0.35,
                color=style.CYCLE[0],
                label="one seed" if i == 0 else None,
            )
            ax.scatter(
                [summary["default_agreement"]],
                [i],
                marker="D",
                s=60,
                zorder=4,
                color=style.CYCLE[1],
                label="the chapter's default seed" if i == 0 else None,
            )
        ax.axvline(mark, color=style.INK, ls="--", lw=1.0, label=f"pass mark {mark:.0%}")
        ax.set_yticks(range(len(chosen)), chosen[::-1])
        ax.set_xlim(-0.02, 1.02)
        from matplotlib.ticker import PercentFormatter

        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_xlabel("core coefficients with the published sign and 10% class")
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=3, fontsize=8)
        fig.tight_layout()
    return fig
