"""The gtfp replication (paper 000_4048779d6599a998): measurement, estimation, cells.

Paper 000 regresses the green total factor productivity (GTFP) of 30 provinces,
2010-2019, on a PCA index of new quality productive forces (``prod``) with province
and year fixed effects. This module holds the chapter's plumbing:

* :func:`load_panel` -- the simulated panel (:mod:`helpers.simulate`) or the reader's
  file, validated against ``data/contracts/gtfp.yml`` (:func:`helpers.io.load`).
* :func:`measure` -- the paper's variables: missing cells filled by linear
  interpolation within a province (Section 3.3); GTFP from the super-efficiency EBM
  with undesirable outputs and the GML index (Section 3.2.1; alternatives SBM-GML and
  DDF-GML for Table 6), as the GML index or its cumulative level; ``prod`` = first
  principal component of the logged 15 indicators of Table 2
  (:func:`helpers.indices.pca_index`); TS = tertiary / secondary value added;
  ``high`` (location quotient), ``prof`` (specialisation) and ``mul``
  (diversification) from :mod:`helpers.measures`.
* :func:`estimate` -- Tables 3-8 with two-way FE (:func:`helpers.fixed_effects.fe_ols`).
* :func:`placebo` -- Figure 1: prod permuted across observations
  (:func:`helpers.did.placebo_permutation`).
* :func:`result_cells` -- every published cell of the paper in the tidy keys of
  :mod:`helpers.results`; a column that cannot be estimated yields rows with an
  empty value and the reason.

The contract takes the capital stock at 2000 prices as given (the paper builds it by
the perpetual inventory method with 10.96% depreciation); a reader with investment
series builds it with :func:`helpers.panel.perpetual_inventory` (``delta=0.1096``).

Standard errors (``se_type``): the tables say only "Standard errors in parentheses",
so the default is ``"conventional"`` (Stata ``xtreg, fe`` / ``reghdfe`` without
``vce``); ``"robust"`` (HC1) and ``"cluster"`` (by province, t(G-1)) are options.
``adj. R2`` is reghdfe's adjusted R2 of the model with the fixed effects.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from helpers import results
from helpers.chapter_data import load_province_panel
from helpers.contract import load_contract
from helpers.dea import DEAInfeasibleWarning, cumulate, gml
from helpers.did import PlaceboResult, placebo_permutation
from helpers.errors import InputError, check_choice
from helpers.fixed_effects import FEResult, fe_ols
from helpers.indices import PCAIndex, pca_index
from helpers.measures import (
    diversification_index,
    location_quotient,
    specialisation_index,
    tertiary_secondary_ratio,
)
from helpers.panel import interpolate_within, lag
from helpers.simulate.gtfp import (
    CONTROLS,
    COUNT_INDICATORS,
    MODERATORS,
    SERVICE_SECTORS,
)
from helpers.simulate.planted import planted_rows
from helpers.tables import describe

SLUG = "gtfp"
PAPER = "000_4048779d6599a998"
UNIT, TIME = "province", "year"
FE = [UNIT, TIME]
GTFP_MEASURES = ("ebm", "sbm", "ddf")
GTFP_FORMS = ("cumulative", "index")
PCA_VARIANTS = ("first", "kaiser", "unlogged")
SE_TYPES = ("conventional", "robust", "cluster")
REGIONS = ("East", "Central", "West")
DEA_INPUTS = ("labour", "capital", "water", "electricity")
DEA_GOOD, DEA_BAD = ("real_gdp",), ("so2", "cod")
SUPER_EFFICIENCY = {"ebm": True, "sbm": False, "ddf": False}
"""Section 3.2.1: super-efficiency EBM; Table 6's SBM and DDF follow their sources (no
super-efficiency)."""

INTERACTION = {m: f"prod_x_{m}" for m in MODERATORS}
ROW_LABELS = {
    "prod": "prod",
    "prod_1": "prod_1",
    "prod_2": "prod_2",
    "ts": "TS",
    **{term: f"pro*{m}" for m, term in INTERACTION.items()},
    **{m: m for m in MODERATORS},
    **{c: c for c in CONTROLS},
    "_cons": "_cons",
}
"""Model term -> row label of the published cells."""
CORE_ROWS = ("prod", "prod_1", "prod_2", "TS", "pro*high", "pro*prof", "pro*mul")
"""Core rows of every regression column (index, lags, mediator, interactions)."""

COLUMNS = {
    ("Table 3", "(1)"): "baseline, gov only",
    ("Table 3", "(2)"): "baseline, + ent",
    ("Table 3", "(3)"): "baseline, + fdi",
    ("Table 3", "(4)"): "baseline, all controls",
    ("Table 4", "(1)"): "mediation step 1: GTFP",
    ("Table 4", "(2)"): "mediation step 2: TS",
    ("Table 4", "(3)"): "mediation step 3: GTFP on prod and TS",
    ("Table 5", "(1)"): "moderation: baseline",
    ("Table 5", "(2)"): "moderation: high",
    ("Table 5", "(3)"): "moderation: prof",
    ("Table 5", "(4)"): "moderation: mul",
    ("Table 6", "(1)"): "GTFP by EBM-GML",
    ("Table 6", "(2)"): "GTFP by SBM-GML",
    ("Table 6", "(3)"): "GTFP by DDF-GML",
    ("Table 7", "(1)"): "prod",
    ("Table 7", "(2)"): "prod lagged one year",
    ("Table 7", "(3)"): "prod lagged two years",
    ("Table 8", "(1)"): "nationwide",
    ("Table 8", "(2)"): "East",
    ("Table 8", "(3)"): "Central",
    ("Table 8", "(4)"): "West",
}
"""Every regression column of the paper and what it estimates."""


# --------------------------------------------------------------------------- data
def load_panel(data: str = "simulated", mapping: str = "", seed: int | None = None) -> pd.DataFrame:
    """The raw panel: ``"simulated"`` (the data layer's generator, ``seed``) or a file path.

    A file is read and validated against the gtfp data contract by
    :func:`helpers.io.load`, with the optional column-mapping file ``mapping``.
    Without a ``region`` column the East / Central / West split of
    ``data/reference/provinces.csv`` is added by the English province name.
    """
    return load_province_panel(SLUG, data, mapping, seed)


def indicator_table() -> pd.DataFrame:
    """Table 2 as the contract records it: dimension, indicator, label, unit."""
    return pd.DataFrame(
        [
            {"dimension": v.dimension, "indicator": v.name, "label": v.label, "unit": v.unit}
            for v in load_contract(SLUG).with_role("indicator")
        ]
    )


def logged_indicators(data: pd.DataFrame) -> pd.DataFrame:
    """The 15 indicators in logs; the two university counts, which can be zero, as
    ``ln(1 + x)`` (the paper does not say how it logs zeros)."""
    names = indicator_table()["indicator"].tolist()
    x = data[names].astype(float)
    shift = np.where(np.isin(names, COUNT_INDICATORS), 1.0, 0.0)
    return np.log(x + shift)


def prod_index(data: pd.DataFrame, variant: str = "first") -> PCAIndex:
    """NQPF index ``prod`` (Section 3.2.2) by :func:`helpers.indices.pca_index`.

    ``"first"``: first principal component of the logged indicators (the paper);
    ``"kaiser"``: variance-share weighted components with eigenvalue > 1 of the logged
    indicators; ``"unlogged"``: first component of the raw indicators.
    """
    check_choice("pca_variant", variant, PCA_VARIANTS)
    names = indicator_table()["indicator"].tolist()
    frame = data[names].astype(float) if variant == "unlogged" else logged_indicators(data)
    n_components = "kaiser" if variant == "kaiser" else 1
    return pca_index(frame, names, n_components=n_components, name="prod")


def moderators(data: pd.DataFrame) -> pd.DataFrame:
    """high (location quotient of high-tech in above-scale industrial enterprises),
    prof (Ezcurra specialisation) and mul (Han Feng diversification) of the five
    productive-service sectors, nations = the sample's provinces (Section 3.2.4)."""
    return pd.DataFrame(
        {
            "high": location_quotient(
                data, "hightech_firms", "industrial_firms", unit=UNIT, time=TIME
            ),
            "prof": specialisation_index(data, SERVICE_SECTORS, unit=UNIT, time=TIME),
            "mul": diversification_index(data, SERVICE_SECTORS, unit=UNIT, time=TIME),
        },
        index=data.index,
    )


def gtfp_series(data: pd.DataFrame, measure: str = "ebm", form: str = "cumulative") -> pd.Series:
    """GTFP by the GML index of ``measure`` (CRS, non-oriented, bads SO2 and COD).

    ``form="index"``: the GML index itself (missing in each province's first year);
    ``"cumulative"``: its chained level, 1 in the first year (Stata gtfpch's
    cumulated index).
    """
    check_choice("gtfp_measure", measure, GTFP_MEASURES)
    check_choice("gtfp_form", form, GTFP_FORMS)
    with warnings.catch_warnings():
        # period-frontier programmes feed the EC/TC split and the contemporaneous ML,
        # which GTFP does not use; failures of the global programmes are counted below
        warnings.simplefilter("ignore", DEAInfeasibleWarning)
        index = gml(
            data,
            list(DEA_INPUTS),
            list(DEA_GOOD),
            list(DEA_BAD),
            unit=UNIT,
            time=TIME,
            model=measure,
            super_efficiency=SUPER_EFFICIENCY[measure],
            workers=1,
        )
    failed = int(index["score_global"].isna().sum())
    if failed:
        warnings.warn(
            f"{failed} of {len(index)} global-frontier {measure} programmes failed; "
            "their GTFP is NaN",
            DEAInfeasibleWarning,
            stacklevel=2,
        )
    if form == "cumulative":
        index = cumulate(index, "gml", unit=UNIT, time=TIME)
    return pd.Series(index["gml"].to_numpy(float), index=data.index, name=f"gtfp_{measure}")


@dataclass(frozen=True)
class Measurement:
    """The measured panel and how it was built.

    ``frame``: province, year, region, gtfp (the chosen measure), gtfp_ebm/sbm/ddf,
    prod, prod_1, prod_2, ts, high, prof, mul, the interactions and the controls.
    ``index``: the PCA index (loadings, explained variance). ``filled``: cells filled
    by interpolation.
    """

    frame: pd.DataFrame
    index: PCAIndex
    filled: pd.DataFrame
    gtfp_measure: str
    gtfp_form: str
    pca_variant: str


def measure(
    panel: pd.DataFrame,
    *,
    first_year: int = 2010,
    last_year: int = 2019,
    gtfp_measure: str = "ebm",
    gtfp_form: str = "cumulative",
    pca_variant: str = "first",
    alternatives: bool = True,
) -> Measurement:
    """The paper's variables on the sample years ``first_year``..``last_year``.

    The frontier, the PCA and the agglomeration indices are computed on the sample
    itself. ``alternatives=False`` skips the two Table 6 measures not chosen.
    """
    check_choice("gtfp_measure", gtfp_measure, GTFP_MEASURES)
    check_choice("gtfp_form", gtfp_form, GTFP_FORMS)
    check_choice("pca_variant", pca_variant, PCA_VARIANTS)
    years = pd.to_numeric(panel[TIME]).astype(int)
    sample = panel[(years >= first_year) & (years <= last_year)].reset_index(drop=True)
    sample[TIME] = sample[TIME].astype(int)
    if sample[TIME].nunique() < 3:
        raise InputError(
            f"needs at least three years between first_year and last_year; found "
            f"{sorted(sample[TIME].unique())}",
            parameter="first_year",
        )
    numeric = [v.name for v in load_contract(SLUG).variables if v.is_numeric and v.name != TIME]
    numeric = [c for c in numeric if c in sample.columns]
    for col in numeric:
        sample[col] = pd.to_numeric(sample[col]).astype(float)
    filled = interpolate_within(sample, numeric, unit=UNIT, time=TIME)
    sample = filled.data
    index = prod_index(sample, pca_variant)
    out = sample[[UNIT, TIME, "region", *CONTROLS]].copy()
    out["region"] = out["region"].astype(str)
    measures = GTFP_MEASURES if alternatives else (gtfp_measure,)
    for m in measures:
        out[f"gtfp_{m}"] = gtfp_series(sample, m, gtfp_form)
    out["gtfp"] = out[f"gtfp_{gtfp_measure}"]
    out["prod"] = index.score.to_numpy()
    for k in (1, 2):
        out[f"prod_{k}"] = lag(out, "prod", unit=UNIT, time=TIME, periods=k)
    out["ts"] = tertiary_secondary_ratio(
        sample, "va_tertiary", "va_secondary", unit=UNIT, time=TIME
    ).to_numpy()
    mods = moderators(sample)
    for m in MODERATORS:
        out[m] = mods[m].to_numpy()
        out[INTERACTION[m]] = out["prod"] * out[m]
    return Measurement(out, index, filled.filled, gtfp_measure, gtfp_form, pca_variant)


def loadings_table(index: PCAIndex) -> pd.DataFrame:
    """Loadings of the retained components with Table 2's dimension and label."""
    table = indicator_table().set_index("indicator")[["dimension", "label"]]
    return table.join(index.loadings).reset_index()


DESCRIBED = ("gtfp", "prod", "ts", *MODERATORS, *CONTROLS)


def descriptive_statistics(frame: pd.DataFrame) -> pd.DataFrame:
    """Obs, mean, sd (n-1), min, median, max of the model variables (the paper prints none)."""
    return describe(frame, DESCRIBED)


# --------------------------------------------------------------------------- estimation
def _vcov(se_type: str) -> dict[str, str | None]:
    check_choice("se_type", se_type, SE_TYPES)
    return {"vcov": se_type, "cluster": UNIT if se_type == "cluster" else None}


def two_way_fe(
    frame: pd.DataFrame, outcome: str, regressors: Sequence[str], *, se_type: str = "conventional"
) -> FEResult:
    """Eqs. (1)-(4): ``outcome`` on ``regressors`` with province and year effects."""
    return fe_ols(frame, outcome, list(regressors), FE, **_vcov(se_type))


@dataclass(frozen=True)
class Estimates:
    """Every regression column of Tables 3-8: ``fits[(table, column)]``; a column that
    cannot be estimated has its reason in ``failures``."""

    fits: dict[tuple[str, str], FEResult]
    failures: dict[tuple[str, str], str] = field(default_factory=dict)
    se_type: str = "conventional"

    def __getitem__(self, key: tuple[str, str]) -> FEResult:
        return self.fits[key]


def parse_moderators(text: str | Sequence[str]) -> tuple[str, ...]:
    """Comma-separated moderator names -> tuple, each checked against high, prof, mul."""
    names = text.split(",") if isinstance(text, str) else list(text)
    names = tuple(n.strip() for n in names if n.strip())
    for name in names:
        check_choice("moderators", name, MODERATORS)
    return names


def estimate(
    measurement: Measurement,
    *,
    se_type: str = "conventional",
    moderators: Sequence[str] = MODERATORS,
) -> Estimates:
    """All regression columns of the paper on the measured panel."""
    _vcov(se_type)
    chosen = parse_moderators(moderators)
    frame = measurement.frame
    full = ["prod", *CONTROLS]

    def fe(outcome, regressors, data=frame):
        return lambda: two_way_fe(data, outcome, regressors, se_type=se_type)

    jobs = {("Table 3", f"({k})"): fe("gtfp", ["prod", *CONTROLS[:k]]) for k in range(1, 5)}
    jobs[("Table 4", "(2)")] = fe("ts", full)
    jobs[("Table 4", "(3)")] = fe("gtfp", ["prod", "ts", *CONTROLS])
    for column, m in zip(("(2)", "(3)", "(4)"), MODERATORS, strict=True):
        if m in chosen:
            jobs[("Table 5", column)] = fe("gtfp", ["prod", INTERACTION[m], *CONTROLS, m])
    for column, m in zip(("(1)", "(2)", "(3)"), GTFP_MEASURES, strict=True):
        if f"gtfp_{m}" in frame.columns:
            jobs[("Table 6", column)] = fe(f"gtfp_{m}", full)
    jobs[("Table 7", "(2)")] = fe("gtfp", ["prod_1", *CONTROLS])
    jobs[("Table 7", "(3)")] = fe("gtfp", ["prod_2", *CONTROLS])
    for column, region in zip(("(2)", "(3)", "(4)"), REGIONS, strict=True):
        jobs[("Table 8", column)] = fe("gtfp", full, frame[frame["region"] == region])
    fits, failures = {}, {}
    for key, job in jobs.items():
        try:
            fits[key] = job()
        except InputError as exc:
            failures[key] = str(exc)
    for column, m in zip(("(2)", "(3)", "(4)"), MODERATORS, strict=True):
        if m not in chosen:
            failures[("Table 5", column)] = f"moderator {m} not among the chosen moderators"
    for column, m in zip(("(1)", "(2)", "(3)"), GTFP_MEASURES, strict=True):
        if ("Table 6", column) not in fits and ("Table 6", column) not in failures:
            failures[("Table 6", column)] = f"GTFP by {m.upper()}-GML was not measured"
    baseline = ("Table 3", "(4)")
    # the full model is reprinted as column (1) of Tables 4, 5, 7 and 8
    for key in (("Table 4", "(1)"), ("Table 5", "(1)"), ("Table 7", "(1)"), ("Table 8", "(1)")):
        if baseline in fits:
            fits[key] = fits[baseline]
        else:
            failures[key] = failures[baseline]
    order = {k: i for i, k in enumerate(COLUMNS)}
    fits = dict(sorted(fits.items(), key=lambda kv: order[kv[0]]))
    return Estimates(fits, failures, se_type)


def placebo(
    measurement: Measurement, *, draws: int = 1000, seed: int = 0, se_type: str = "conventional"
) -> PlaceboResult:
    """Figure 1: prod permuted across all observations ``draws`` times, baseline refitted."""
    if int(draws) < 1:
        raise InputError("must be a positive integer", parameter="placebo_draws")
    v = _vcov(se_type)
    return placebo_permutation(
        measurement.frame,
        "gtfp",
        "prod",
        list(CONTROLS),
        FE,
        draws=int(draws),
        seed=seed,
        vcov=v["vcov"],
        cluster=v["cluster"],
    )


# --------------------------------------------------------------------------- tidy cells
def _model_stats(fit: FEResult) -> dict[str, float]:
    return {"N": fit.nobs, "adj. R2": fit.r2_a}


def regression_cells(
    estimates: Estimates, published: pd.DataFrame, tables: Sequence[str] | None = None
) -> pd.DataFrame:
    """Tidy cells of the regression columns (all, or those of ``tables``)."""
    return results.regression_cells(
        estimates.fits,
        estimates.failures,
        published,
        paper=PAPER,
        row_labels=ROW_LABELS,
        model_stats=_model_stats,
        tables=tables,
    )


def result_cells(estimates: Estimates, published: pd.DataFrame) -> pd.DataFrame:
    """Every published cell of paper 000 (Tables 3-8) as tidy cells."""
    return regression_cells(estimates, published)


def core_agreement(published: pd.DataFrame, replicated: pd.DataFrame) -> pd.DataFrame:
    """Sign and 10% significance class of the core term of every published column."""
    from helpers.tables import sign_and_significance

    return sign_and_significance(published, replicated, PAPER, list(CORE_ROWS), min_stars=1)


def planted_truth() -> pd.DataFrame:
    """The generating process's structural slopes and knobs (rows of the parameter table)."""
    return planted_rows(
        SLUG,
        [
            "beta_prod_east",
            "beta_prod_central",
            "beta_prod_west",
            "theta_ts",
            "beta_ts_prod",
            "theta_high",
            "theta_prof",
            "theta_mul",
            "frontier_scale",
            "effect_scale",
            "endogeneity",
        ],
    )


def plot_regional_paths(frame: pd.DataFrame):
    """Mean GTFP and mean prod by region and year (two panels)."""
    import matplotlib.pyplot as plt

    means = frame.groupby(["region", TIME])[["gtfp", "prod"]].mean()
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.4), dpi=150)
    for ax, col, title in zip(axes, ("gtfp", "prod"), ("GTFP", "prod (NQPF index)"), strict=True):
        for region in REGIONS:
            if region in means.index.get_level_values("region"):
                part = means.loc[region, col]
                ax.plot(part.index, part.to_numpy(), marker="o", ms=3, label=region)
        ax.set_title(f"mean {title}", fontsize=10)
        ax.set_xlabel("year")
        ax.spines[["top", "right"]].set_visible(False)
    axes[0].legend(frameon=False)
    fig.tight_layout()
    return fig
