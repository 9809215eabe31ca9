"""Paper 001's published tables: Tables 2-6, every published cell in tidy keys, and the
chapter's reading aids and figures.

* :func:`estimate` -- Tables 3-6: two-way FE (``fe_ols``), the sample without the special
  provinces, FE-2SLS with the one-year lag of NQP as instrument (``fe_iv``, xtivreg2
  conventions), Jiang Ting's two-step mediation and the East / Central / West split.
* :func:`result_cells` -- every published cell of the paper in the tidy keys of
  :mod:`helpers.results`; a regression that cannot be run on the reader's data yields
  rows with an empty value and the reason.
* Reading aids: :func:`sample_accounting` (the unit-years each column uses and why the
  others drop out), :func:`printed_star_fit` (which reference distribution the printed
  stars fit), :func:`weak_iv_inference` (Anderson-Rubin, effective F, tF beside
  Kleibergen-Paap), :func:`wild_bootstrap_pvalues` (few clusters) and
  :func:`region_differences` (tests of the regional differences of Table 6).

Standard errors (``se_type``): ``"robust"`` is what the table notes say (稳健标准误):
heteroskedasticity-robust HC1 with t(N-K-df_a) inference, Stata's
``reghdfe ..., vce(robust)``; ``"cluster"`` clusters by province with t(G-1) inference,
which is what Stata's ``xtreg, fe robust`` actually computes and what the stars of
Table 6 fit. The IV column follows ``xtivreg2, fe`` without ``small`` (normal inference)
under both choices.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers import results
from helpers.errors import InputError
from helpers.fixed_effects import FEResult, fe_ols
from helpers.inference import normal_isf, star_count, two_sided_p
from helpers.iv import IVResult, fe_iv
from helpers.names import normalise_exclusions
from helpers.panel import lag
from helpers.papers import interface
from helpers.papers.coordination.measurement import Measurement, descriptive_statistics, measure
from helpers.papers.coordination.process import units
from helpers.papers.coordination.variables import (
    COLUMNS,
    CONTROLS,
    DEFAULT_EXCLUDED,
    FE,
    NQP_ROW,
    PAPER,
    REGIONS,
    ROW_LABELS,
    SE_TYPES,
    TABLE2_ROWS,
    TABLE2_STATS,
    TIME,
    UNIT,
)
from helpers.style import plot_group_means
from helpers.subgroups import subgroup_difference
from helpers.weak_iv import (
    ARResult,
    EffectiveFResult,
    TFResult,
    anderson_rubin,
    effective_f,
    tf_adjust,
)
from helpers.wild_bootstrap import wild_cluster_bootstrap

Fit = FEResult | IVResult


@dataclass(frozen=True, kw_only=True)
class Estimates(interface.Estimates):
    """Every regression column of Tables 3-6: ``fits[(table, column)]``, and the provinces
    left out of Table 4 (1)."""

    excluded: tuple[str, ...] = DEFAULT_EXCLUDED


def _vcov(se_type: str) -> dict[str, str | None]:
    return interface.vcov(se_type, SE_TYPES, UNIT)


def two_way_fe(
    frame: pd.DataFrame, outcome: str = "gap", controls: Sequence[str] = CONTROLS, *, se_type: str
) -> FEResult:
    """Eq. (1) / eq. (2): ``outcome`` on NQP and ``controls`` with province and year effects."""
    return fe_ols(frame, outcome, ["nqp", *controls], FE, **_vcov(se_type))


def with_lag(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with ``nqp_lag``, NQP of the same province one year earlier (Stata ``L.nqp``):
    missing in a province's first year and after a year absent from the data."""
    return frame.assign(nqp_lag=lag(frame, "nqp", unit=UNIT, time=TIME))


def _lag_iv(data: pd.DataFrame, se_type: str) -> IVResult:
    return fe_iv(data, "gap", ["nqp"], ["nqp_lag"], list(CONTROLS), FE, **_vcov(se_type))


def lagged_iv(frame: pd.DataFrame, *, se_type: str) -> IVResult:
    """Table 4 (2): FE-2SLS, NQP instrumented by NQP of the previous year (xtivreg2, fe);
    unit-years without a previous year in the data drop out."""
    return _lag_iv(with_lag(frame), se_type)


def parse_provinces(text: str | Sequence[str]) -> tuple[str, ...]:
    """Provinces to exclude, in any form a reader has them (English, pinyin, Chinese full or
    short names, GB/T 2260 codes; one string separated by commas, or a list), as the
    panel's English province keys (:func:`helpers.names.normalise_exclusions`)."""
    return normalise_exclusions(text, parameter="excluded_provinces")


@dataclass(frozen=True)
class Design:
    """One regression column: its sample, outcome, controls and whether NQP is instrumented
    by its lag (``iv``)."""

    sample: pd.DataFrame
    outcome: str = "gap"
    controls: tuple[str, ...] = CONTROLS
    iv: bool = False

    @property
    def used(self) -> list[str]:
        """The measured variables the column needs in a unit-year."""
        return [self.outcome, "nqp", *self.controls] + (["nqp_lag"] if self.iv else [])


def designs(frame: pd.DataFrame, excluded: Sequence[str] = DEFAULT_EXCLUDED) -> dict:
    """Every regression column of Tables 3-6 (Table 5 (1) reprints Table 3 (2)) as a
    :class:`Design`: Table 4 (1) without the ``excluded`` provinces, Table 6 one region each."""
    out = {
        ("Table 3", "(1)"): Design(frame, controls=()),
        ("Table 3", "(2)"): Design(frame),
        ("Table 4", "(1)"): Design(frame[~frame[UNIT].isin(excluded)]),
        ("Table 4", "(2)"): Design(with_lag(frame), iv=True),
        ("Table 5", "(2)"): Design(frame, outcome="upgrading"),
    }
    for column, region in zip(("(1)", "(2)", "(3)"), REGIONS, strict=True):
        out[("Table 6", column)] = Design(frame[frame["region"] == region])
    return out


def _fit(design: Design, se_type: str) -> Fit:
    if design.iv:
        return _lag_iv(design.sample, se_type)
    return two_way_fe(design.sample, design.outcome, design.controls, se_type=se_type)


def estimate(
    measurement: Measurement,
    *,
    se_type: str = "robust",
    excluded: Sequence[str] = DEFAULT_EXCLUDED,
) -> Estimates:
    """All regression columns of the paper on the measured panel."""
    _vcov(se_type)
    frame = measurement.frame
    excluded = parse_provinces(excluded)
    unknown = sorted(set(excluded) - set(frame[UNIT]))
    if unknown:
        raise InputError(
            "not a province of the data",
            parameter="excluded_provinces",
            rows=unknown,
            hint=f"provinces: {', '.join(pd.unique(frame[UNIT]))}",
        )
    fits, failures = {}, {}
    for key, design in designs(frame, excluded).items():
        try:
            fits[key] = _fit(design, se_type)
        except InputError as exc:
            failures[key] = str(exc)
    if ("Table 3", "(2)") in fits:  # Table 5 (1) reprints the baseline (Jiang Ting step 1)
        fits[("Table 5", "(1)")] = fits[("Table 3", "(2)")]
    elif ("Table 3", "(2)") in failures:
        failures[("Table 5", "(1)")] = failures[("Table 3", "(2)")]
    return Estimates(
        fits=fits,
        failures=failures,
        se_type=se_type,
        measurement=measurement,
        excluded=excluded,
    )


def _model_stats(fit: Fit) -> dict[str, float]:
    """R2 as printed: xtreg's within R2 for FE columns, ivreg2's centred (within) R2 for IV."""
    r2 = fit.r2_within if isinstance(fit, FEResult) else fit.r2
    stats = {"R2": r2, "Observations": fit.nobs}
    if isinstance(fit, IVResult):
        stats |= {
            "Kleibergen-Paap rk LM statistic": fit.kp_lm,
            "Kleibergen-Paap rk Wald F statistic": fit.kp_f,
            "Stock-Yogo 10% critical value": fit.stock_yogo_10,
        }
    return stats


def descriptive_cells(descriptives: pd.DataFrame) -> pd.DataFrame:
    """Table 2 as tidy cells (column = printed statistic label, stat = obs/mean/...)."""
    return results.descriptive_cells(
        descriptives,
        paper=PAPER,
        table="Table 2",
        column_labels=TABLE2_STATS,
        row_labels=TABLE2_ROWS,
    )


def regression_cells(
    estimates: Estimates, published: pd.DataFrame, tables: Sequence[str] | None = None
) -> pd.DataFrame:
    """Tidy cells of the regression columns (all, or those of ``tables``); R2 as printed
    (:func:`_model_stats`); a column that could not be estimated gets empty cells and why."""
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
    """Every published cell of paper 001 as tidy cells: Table 2 (the descriptive statistics
    of the measured panel the columns were estimated on) and Tables 3-6."""
    descriptives = descriptive_statistics(estimates.measurement.frame)
    return pd.concat(
        [descriptive_cells(descriptives), regression_cells(estimates, published)],
        ignore_index=True,
    )


def star_conventions(published: pd.DataFrame, table: str, clusters: dict[str, int]) -> pd.DataFrame:
    """Stars that the printed coef/SE of ``table`` imply under two reference distributions.

    ``normal``: the two-sided normal p-value (``reghdfe, vce(robust)`` with many
    residual df is indistinguishable); ``cluster t(G-1)``: Student t with G-1
    degrees of freedom, G = ``clusters[column]`` provinces, as ``xtreg, fe robust``
    uses. Returns one row per coefficient with both p-values and star counts.
    """
    pub = published[(published["paper"] == PAPER) & (published["table"] == table)]
    coef = pub[pub["stat"] == "coef"].set_index(["column", "row"])
    se = pub[pub["stat"] == "se"].set_index(["column", "row"])["number"]
    out = coef[["column_title", "number", "stars"]].rename(
        columns={"number": "coef", "stars": "printed"}
    )
    out["se"] = se.reindex(out.index)
    z = (out["coef"] / out["se"]).abs()
    g = np.array([clusters[c] for c in out.index.get_level_values("column")], dtype=float)
    out["G"] = g.astype(int)
    out["p normal"] = two_sided_p(z.to_numpy())
    out["p t(G-1)"] = [float(two_sided_p(zi, gi - 1)) for zi, gi in zip(z, g, strict=True)]
    out["stars normal"] = star_count(out["p normal"].to_numpy())
    out["stars t(G-1)"] = star_count(out["p t(G-1)"].to_numpy())
    return out.reset_index()


ACCOUNTING_STEPS = (
    ("outcome", "outcome missing"),
    ("nqp", "NQP index missing"),
    ("controls", "a control missing"),
    ("nqp_lag", "no previous year (lag)"),
)
"""The reasons a unit-year of a column's sample drops out, in the order they are counted."""


def sample_accounting(estimates: Estimates) -> pd.DataFrame:
    """How many unit-years of the data each regression column uses, and why the others drop
    out: outside the column's sample (the excluded provinces, the other regions), then the
    first missing of the outcome, the NQP index, a control and (IV) the previous year's
    index, then the provinces left with one unit-year, which reghdfe and ivreghdfe drop
    (singletons). One row per column of :data:`COLUMNS`; the steps sum to the data's
    unit-years."""
    frame = estimates.measurement.frame
    cases = designs(frame, estimates.excluded)
    cases[("Table 5", "(1)")] = cases[("Table 3", "(2)")]
    rows = []
    for key, title in COLUMNS.items():
        design = cases[key]
        row = {"table": key[0], "column": key[1], "estimates": title, "unit-years": len(frame)}
        row["outside the sample"] = len(frame) - len(design.sample)
        left = design.sample
        for step, label in ACCOUNTING_STEPS:
            columns = {"outcome": [design.outcome], "controls": list(design.controls)}.get(
                step, [step] if step in design.used else []
            )
            gone = left[columns].isna().any(axis=1) if columns else pd.Series(False, left.index)
            row[label] = int(gone.sum())
            left = left[~gone]
        used = int(estimates.fits[key].nobs) if key in estimates.fits else 0
        row["singletons"] = len(left) - used if key in estimates.fits else 0
        row["not estimable"] = 0 if key in estimates.fits else len(left)
        row["used"] = used
        rows.append(row)
    return pd.DataFrame(rows)


def printed_star_fit(published: pd.DataFrame) -> pd.DataFrame:
    """Which reference distribution the paper's printed stars fit, cell by cell.

    Every coefficient of Tables 3-6 printed with its SE, except the IV column (whose
    ``xtivreg2`` inference is normal whether the errors are robust or clustered): the stars
    its coef/SE implies under the normal reference (``reghdfe, vce(robust)`` with ~270
    residual df is indistinguishable) and under Student t with G - 1 df, G the paper's
    provinces in the column (30; 25 without the five special provinces; 11 / 8 / 11 by
    region), as ``xtreg, fe robust`` clusters by province (:func:`star_conventions`).
    """
    frame = units()
    regions = frame["region"].value_counts()
    n = len(frame)
    clusters = {
        "Table 3": {"(1)": n, "(2)": n},
        "Table 4": {"(1)": n - len(DEFAULT_EXCLUDED)},
        "Table 5": {"(1)": n, "(2)": n},
        "Table 6": {
            c: int(regions[r]) for c, r in zip(("(1)", "(2)", "(3)"), REGIONS, strict=True)
        },
    }
    parts = []
    for table, counts in clusters.items():
        columns = [c for t, c in COLUMNS if t == table]
        every = dict.fromkeys(columns, n) | counts  # the IV column is dropped below
        conv = star_conventions(published, table, every)
        parts.append(conv[conv["column"].isin(list(counts))].assign(table=table))
    out = pd.concat(parts, ignore_index=True)
    out["fits normal"] = out["stars normal"] == out["printed"]
    out["fits t(G-1)"] = out["stars t(G-1)"] == out["printed"]
    return out[["table", *out.columns.drop("table")]]


@dataclass(frozen=True)
class WeakIV:
    """Table 4 (2) with the weak-instrument-robust statistics beside Kleibergen-Paap: the
    FE-2SLS fit, the Anderson-Rubin test of zero and confidence set, the effective
    first-stage F of Montiel Olea and Pflueger with its critical values, and the tF
    interval of Lee, McCrary, Moreira and Porter (:mod:`helpers.weak_iv`)."""

    fit: IVResult
    ar: ARResult
    effective: EffectiveFResult
    tf: TFResult


def weak_iv_inference(frame: pd.DataFrame, *, se_type: str, level: float = 0.95) -> WeakIV:
    """The IV column's weak-instrument-robust inference with the column's own covariance
    (``se_type``) and ``xtivreg2``'s large-sample conventions (``dof="none"``: no
    small-sample factor, chi2 / normal references), as :func:`lagged_iv` reports."""
    data = with_lag(frame)
    options = {"vcov": se_type, "cluster": UNIT if se_type == "cluster" else None, "dof": "none"}
    args = (data, "gap", "nqp", ["nqp_lag"], list(CONTROLS), FE)
    fit = lagged_iv(frame, se_type=se_type)
    ar = anderson_rubin(*args, level=level, **options)
    effective = effective_f(*args, **options)
    tf = tf_adjust(fit.params["nqp"], fit.bse["nqp"], effective.f_eff)
    return WeakIV(fit=fit, ar=ar, effective=effective, tf=tf)


WEBB_MAX_CLUSTERS = 11
"""Up to this many clusters the wild bootstrap uses Webb's six-point weights: Rademacher
weights give only 2^G distinct draws (2,048 for G = 11, 256 for G = 8)."""


def wild_bootstrap_pvalues(estimates: Estimates, *, draws: int, seed: int) -> pd.DataFrame:
    """The OLS columns' NQP coefficient tested against zero three ways: robust (HC1),
    clustered by province with t(G-1), and the restricted wild cluster bootstrap (WCR,
    ``boottest``; Webb weights up to :data:`WEBB_MAX_CLUSTERS` provinces, Rademacher
    above), which does not lean on many clusters. Table 5 (1), a reprint of Table 3 (2), and
    the IV column are left out."""
    cases = designs(estimates.measurement.frame, estimates.excluded)
    rows = []
    for key, design in cases.items():
        if design.iv or key not in estimates.fits:
            continue
        complete = design.sample.dropna(subset=design.used)
        g = int(complete[UNIT].nunique())
        weights = "webb" if g <= WEBB_MAX_CLUSTERS else "rademacher"
        robust = two_way_fe(design.sample, design.outcome, design.controls, se_type="robust")
        clustered = two_way_fe(design.sample, design.outcome, design.controls, se_type="cluster")
        boot = wild_cluster_bootstrap(
            design.sample,
            design.outcome,
            "nqp",
            list(design.controls),
            FE,
            cluster=UNIT,
            draws=draws,
            weights=weights,
            seed=seed,
            conf_int=False,
        )
        rows.append(
            {
                "table": key[0],
                "column": key[1],
                "provinces": g,
                "coef": clustered.params["nqp"],
                "p robust": robust.pvalues["nqp"],
                "p clustered t(G-1)": clustered.pvalues["nqp"],
                "p wild bootstrap": boot.pvalue,
                "weights": weights,
                "draws": boot.draws,
            }
        )
    return pd.DataFrame(rows)


def region_differences(frame: pd.DataFrame, *, se_type: str) -> pd.DataFrame:
    """Tests that the NQP coefficient is the same across regions (Table 6), instead of reading
    "significant in the East, not elsewhere" as a difference: the Wald test that all three
    are equal and the East against each other region, each from one pooled regression fully
    interacted with the region (its region coefficients equal Table 6's; province and year
    effects by region) with the column's covariance
    (:func:`helpers.subgroups.subgroup_difference`)."""
    options = {"vcov": se_type, "cluster": UNIT if se_type == "cluster" else None}
    x = ["nqp", *CONTROLS]
    tests = {"East = Central = West": list(REGIONS)}
    tests |= {f"East = {other}": ["East", other] for other in REGIONS[1:]}
    rows = []
    for name, regions in tests.items():
        part = frame[frame["region"].isin(regions)]
        result = subgroup_difference(part, "gap", x, "region", FE, param="nqp", **options)
        coef = result.groups["coef"]
        rows.append(
            {
                "test": name,
                "difference": coef["East"] - coef[regions[1]] if len(regions) == 2 else np.nan,
                "F": result.statistic,
                "df": f"{result.df[0]}, {result.df[1]:g}",
                "p": result.pvalue,
            }
        )
    return pd.DataFrame(rows)


SHORT_TITLES = {
    ("Table 3", "(1)"): "3 (1) no controls",
    ("Table 3", "(2)"): "3 (2) baseline",
    ("Table 4", "(1)"): "4 (1) five provinces out",
    ("Table 4", "(2)"): "4 (2) IV, lagged NQP",
    ("Table 5", "(1)"): "5 (1) step 1, gap",
    ("Table 5", "(2)"): "5 (2) step 2, upgrading",
    ("Table 6", "(1)"): "6 (1) East",
    ("Table 6", "(2)"): "6 (2) Central",
    ("Table 6", "(3)"): "6 (3) West",
}
"""Axis labels of the regression columns, short enough for a phone."""


def plot_core_coefficients(
    comparison: pd.DataFrame, level: float = 0.95, label: str = "replicated"
):
    """Published and replicated NQP coefficients of every regression column, with intervals.

    ``comparison``: :func:`helpers.tables.comparison_table` rows of the NQP
    coefficient and SE; ``label`` names the replicated series ("simulated" on simulated
    data). Intervals are coef +- z(level) SE (normal), for the eye only. The book's figure
    size (:mod:`helpers.style`).
    """
    import matplotlib.pyplot as plt

    rows = comparison[comparison["row"] == NQP_ROW]
    wide = rows.pivot_table(
        index=["table", "column"], columns="stat", values=["published", "replicated"]
    )
    order = [k for k in COLUMNS if k in wide.index]
    wide = wide.reindex(order)
    crit = normal_isf((1 - level) / 2)
    y = np.arange(len(wide))[::-1]
    fig, ax = plt.subplots()
    for offset, source, name, colour in (
        (0.15, "published", "published", "#0072B2"),
        (-0.15, "replicated", label, "#D55E00"),
    ):
        b = wide[(source, "coef")].to_numpy(float)
        s = wide[(source, "se")].to_numpy(float)
        ax.errorbar(
            b, y + offset, xerr=crit * s, fmt="o", ms=4, color=colour, capsize=2, label=name
        )
    ax.axvline(0, color="0.5", lw=0.8)
    ax.set_yticks(y, [SHORT_TITLES[k] for k in order])
    ax.set_xlabel("coefficient on the NQP index")
    ax.legend(frameon=False, loc="best")
    ax.grid(axis="y", visible=False)
    fig.tight_layout()
    return fig


def plot_regional_paths(frame: pd.DataFrame):
    """Mean NQP index and mean regional gap by region and year (two panels, stacked)."""
    return plot_group_means(
        frame,
        {"nqp": "NQP index", "gap": "regional gap"},
        time=TIME,
        groups=REGIONS,
        stacked=True,
    )


def measured_pipeline(
    panel: pd.DataFrame,
    published: pd.DataFrame,
    *,
    first_year: int,
    last_year: int,
    se_type: str,
    gap_measure: str,
    entropy_by: str,
    excluded_provinces: str,
    gap_reference: str = "log_of_mean",
    entropy_shift: float = 0.0001,
) -> tuple[pd.DataFrame, Measurement]:
    """The chapter's computation from a raw panel to its tidy cells, and the measurement
    they were estimated on, with the notebook's parameters by name (``measure``,
    ``estimate``, ``result_cells``)."""
    measurement = measure(
        panel,
        first_year=first_year,
        last_year=last_year,
        gap_measure=gap_measure,
        entropy_by=entropy_by,
        gap_reference=gap_reference,
        entropy_shift=entropy_shift,
    )
    excluded = parse_provinces(excluded_provinces)
    cells = result_cells(estimate(measurement, se_type=se_type, excluded=excluded), published)
    return cells, measurement


pipeline = interface.cells_of(measured_pipeline)
