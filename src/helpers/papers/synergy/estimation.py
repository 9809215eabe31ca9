"""Paper 002's published tables: Tables 2-7, every published cell in tidy keys, the
chapter's reading aids and figures.

* :func:`estimate` -- every regression column of Tables 4-7 (:data:`COLUMNS`): pooled OLS
  or FE OLS (:func:`estimate_column`), and the lagged-Nqp FE-IV of Table 6 (1)-(2) with
  Kleibergen-Paap statistics (``xtivreg2 ..., fe``).
* :func:`result_cells` -- Tables 2 and 3 (entropy weights, descriptive statistics) and
  Tables 4-7 as tidy cells.

Standard errors (``se_type``): ``"robust"`` (HC1, what the table notes say) or
``"cluster"`` (by city).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers import results
from helpers.errors import InputError, check_choice
from helpers.fixed_effects import Absorber, FEResult, fe_ols
from helpers.iv import IVResult, fe_iv
from helpers.papers import interface
from helpers.papers.synergy.measurement import (
    Measurement,
    descriptive_statistics,
    measure,
    parse_cuts,
    weights_table,
)
from helpers.papers.synergy.variables import (
    COLUMNS,
    CONTROLS,
    CORE_ROWS,
    DEA_BAD,
    GROUPS,
    IV_COLUMNS,
    PAPER,
    ROW_LABELS,
    SE_TYPES,
    TABLE3_ROWS,
    TABLE3_STATS,
    TIME,
    UNIT,
    Column,
)
from helpers.subgroups import subgroup_difference
from helpers.tables import sign_and_significance
from helpers.verdicts import BAND_IN_SES
from helpers.weak_iv import (
    ARResult,
    EffectiveFResult,
    TFResult,
    anderson_rubin,
    effective_f,
    tf_adjust,
)


def sample_of(data: pd.DataFrame, sample: str) -> pd.DataFrame:
    """The rows of a column's ``sample`` (Tables 6-7)."""
    if sample == "all":
        return data
    if sample == "no-municipalities":
        return data[data["municipality"] == 0]
    if sample in ("nqp-low", "nqp-high"):
        # the halves of the measurement's Nqp median split (its rule: ``nqp_split``)
        return data[data["nqp_high"] == (1 if sample == "nqp-high" else 0)]
    flags = {
        "capital": ("capital", 1),
        "ordinary": ("capital", 0),
        "resource": ("resource_based", 1),
        "non-resource": ("resource_based", 0),
    }
    if sample in flags:
        name, value = flags[sample]
        return data[data[name] == value]
    check_choice("sample", sample, GROUPS)
    return data[data["group"] == sample]


def _vcov(se_type: str) -> dict[str, str | None]:
    return interface.vcov(se_type, SE_TYPES, UNIT)


def _fixed_effects(kind: str) -> list:
    return {"none": [], "twfe": [UNIT, TIME], "province-year": [UNIT, ("province", TIME)]}[kind]


def lagged_iv(frame: pd.DataFrame, *, se_type: str = "robust") -> IVResult:
    """Table 6 (1)-(2): FE-2SLS of Coor on Nqp instrumented by Nqp of the previous year,
    the controls, city and year effects (``xtivreg2 ..., fe``; Kleibergen-Paap statistics)."""
    return fe_iv(
        frame, "coor", ["nqp"], ["nqp_lag"], list(CONTROLS), [UNIT, TIME], **_vcov(se_type)
    )


def estimate_column(data: pd.DataFrame, col: Column, se_type: str = "robust") -> FEResult:
    """One OLS column: pooled OLS or FE, the five controls or none."""
    sample = sample_of(data, col.sample)
    regressors = [col.regressor, *(CONTROLS if col.controls else ())]
    return fe_ols(
        sample, col.outcome, regressors, _fixed_effects(col.fixed_effects), **_vcov(se_type)
    )


Fit = FEResult | IVResult


@dataclass(frozen=True, kw_only=True)
class Estimates(interface.Estimates):
    """Every regression column: ``fits[(table, column)]`` (Table 6 (1) holds the first
    stage, Table 6 (2) the IV); ``iv`` is the full IV result (diagnostics)."""

    iv: IVResult | None = None


def estimate(
    measurement: Measurement, *, se_type: str = "robust", columns: Iterable[Column] = COLUMNS
) -> Estimates:
    """The regression columns (all by default) on the measured panel."""
    return _estimate_frame(measurement.frame, se_type, columns, measurement)


def _estimate_frame(
    frame: pd.DataFrame,
    se_type: str,
    columns: Iterable[Column],
    measurement: Measurement | None = None,
) -> Estimates:
    _vcov(se_type)
    fits, failures, iv = {}, {}, None
    for col in columns:
        key = (col.table, col.column)
        try:
            if key in IV_COLUMNS:
                iv = iv or lagged_iv(frame, se_type=se_type)
                fits[key] = iv.first_stage[0].result if key == IV_COLUMNS[0] else iv
            else:
                fits[key] = estimate_column(frame, col, se_type)
        except InputError as exc:
            failures[key] = str(exc)
    return Estimates(fits=fits, failures=failures, se_type=se_type, measurement=measurement, iv=iv)


def fit_columns(
    frame: pd.DataFrame, columns: Iterable[Column] = COLUMNS, se_type: str = "robust"
) -> pd.DataFrame:
    """Coefficient, SE and p-value of the core regressor of each of ``columns``."""
    est = _estimate_frame(frame, se_type, columns)
    rows = []
    for col in columns:
        fit = est.fits.get((col.table, col.column))
        if fit is None:
            continue
        rows.append(
            {
                "table": col.table,
                "column": col.column,
                "row": ROW_LABELS[col.regressor],
                "coef": float(fit.params[col.regressor]),
                "se": float(fit.bse[col.regressor]),
                "p": float(fit.pvalues[col.regressor]),
                "nobs": int(fit.nobs),
            }
        )
    return pd.DataFrame(rows)


def _model_stats(fit: Fit) -> dict[str, float]:
    """N and Adj. R2 as reghdfe prints it (with the absorbed effects); for the IV the
    centred R2 of ivreg2 (it prints no adjusted one)."""
    r2 = fit.r2_a if isinstance(fit, FEResult) else fit.r2
    return {"N": fit.nobs, "Adj. R2": r2}


def descriptive_cells(descriptives: pd.DataFrame) -> pd.DataFrame:
    """Table 3 as tidy cells."""
    return results.descriptive_cells(
        descriptives,
        paper=PAPER,
        table="Table 3",
        column_labels=TABLE3_STATS,
        row_labels=TABLE3_ROWS,
    )


def weight_cells(weights: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """Table 2: the replicated entropy weight of each indicator, keyed by the printed row
    (the published rows follow Table 2's order, as the contract does)."""
    pub = published[(published["paper"] == PAPER) & (published["table"] == "Table 2")]
    if len(pub) != len(weights):
        raise InputError("Table 2 rows and contract indicators differ in number", column="row")
    keys = pub[["paper", "table", "column", "row", "stat"]].reset_index(drop=True)
    return keys.assign(
        value=weights["replicated weight"].to_numpy(float),
        stars=pd.array([pd.NA] * len(keys), dtype="Int64"),
    )


def regression_cells(estimates: Estimates, published: pd.DataFrame) -> pd.DataFrame:
    """Tidy cells of Tables 4-7; Table 6 (1) adds the Kleibergen-Paap statistics and the
    Stock-Yogo critical value of the IV."""
    parts = [
        results.regression_cells(
            estimates.fits,
            estimates.failures,
            published,
            paper=PAPER,
            row_labels=ROW_LABELS,
            model_stats=_model_stats,
        )
    ]
    first = IV_COLUMNS[0]
    if first in estimates.fits and estimates.iv is not None:
        iv = estimates.iv
        parts = [
            parts[0][
                ~(
                    (parts[0]["table"] == first[0])
                    & (parts[0]["column"] == first[1])
                    & (parts[0]["stat"] == "value")
                )
            ]
        ]
        stats = {
            "N": estimates.fits[first].nobs,
            "Adj. R2": estimates.fits[first].r2_a,
            "Kleibergen-Paap rk LM": iv.kp_lm,
            "Kleibergen-Paap rk Wald F": iv.kp_f,
            "Stock-Yogo 10% critical value": iv.stock_yogo_10,
        }
        rows = [(PAPER, *first, label, "value", float(v)) for label, v in stats.items()]
        rows.append((PAPER, *first, "Kleibergen-Paap rk LM", "p", float(iv.kp_lm_p)))
        extra = pd.DataFrame(rows, columns=["paper", "table", "column", "row", "stat", "value"])
        extra["stars"] = pd.array([pd.NA] * len(extra), dtype="Int64")
        parts.append(extra)
    return pd.concat(parts, ignore_index=True)


def result_cells(estimates: Estimates, published: pd.DataFrame) -> pd.DataFrame:
    """Every published cell of paper 002: Table 3 (the descriptive statistics) and Table 2
    (the entropy weights) of the measured panel the columns were estimated on, and
    Tables 4-7, in the order the chapter writes them."""
    measurement = estimates.measurement
    return pd.concat(
        [
            descriptive_cells(descriptive_statistics(measurement.frame)),
            weight_cells(weights_table(measurement.index), published),
            regression_cells(estimates, published),
        ],
        ignore_index=True,
    )


def group_sizes(frame: pd.DataFrame, estimates: Estimates | None = None) -> pd.DataFrame:
    """City-years in each subsample of Tables 6-7 (``N``) and, with ``estimates``, the
    observations the regression keeps after reghdfe drops singletons (``N used``)."""
    rows = []
    for col in COLUMNS:
        if col.table in ("Table 6", "Table 7") and (
            col.sample != "all" or col.fixed_effects != "twfe"
        ):
            row = {
                "table": col.table,
                "column": col.column,
                "sample": col.label,
                "N": len(sample_of(frame, col.sample)),
            }
            fit = None if estimates is None else estimates.fits.get((col.table, col.column))
            if estimates is not None:
                row["N used"] = fit.nobs if fit is not None else np.nan
            rows.append(row)
    return pd.DataFrame(rows)


def sample_sums(published: pd.DataFrame) -> pd.Series:
    """The published subsample sizes that should add up to 2904: the median split
    (Table 6 (5)+(6)) and the four digital x regulation groups (Table 7 (5)-(8))."""
    pub = published[(published["paper"] == PAPER) & (published["row"] == "N")]
    n = pub.set_index(["table", "column"])["value"].astype(float)
    return pd.Series(
        {
            "design": float(n[("Table 4", "(2)")]),
            "median split": float(n[("Table 6", "(5)")] + n[("Table 6", "(6)")]),
            "four groups": float(sum(n[("Table 7", c)] for c in ("(5)", "(6)", "(7)", "(8)"))),
        }
    )


def agreement(published: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    """Sign and 10% significance class of the core variable of every published regression
    column, replicated against printed (:func:`helpers.tables.sign_and_significance`)."""
    return sign_and_significance(
        published, cells, PAPER, CORE_ROWS, tables=("Table 4", "Table 5", "Table 6", "Table 7")
    )


# --------------------------------------------------------------------------- inference
@dataclass(frozen=True)
class IVInference:
    """Weak-instrument-robust inference for the lagged-Nqp IV of Table 6 (1)-(2), beside
    the Kleibergen-Paap statistics the paper prints: the Anderson-Rubin test of a zero
    effect and its confidence set (``ar``), the effective first-stage F of Montiel Olea
    and Pflueger with its critical values (``effective``) and the tF adjustment of the
    2SLS t test (``tf``). ``failure`` is the reason when they could not be computed."""

    iv: IVResult | None
    ar: ARResult | None = None
    effective: EffectiveFResult | None = None
    tf: TFResult | None = None
    failure: str = ""

    def table(self, tau: float = 0.10) -> pd.DataFrame:
        """One row per statistic: what it is, its value and the benchmark it is read against."""
        if self.iv is None or self.ar is None:
            return pd.DataFrame(columns=["statistic", "value", "benchmark"])
        iv, ar, eff, tf = self.iv, self.ar, self.effective, self.tf
        level = f"{ar.level:.0%}"
        rows = [
            (
                "2SLS coefficient of Nqp (Wald SE)",
                f"{iv.params['nqp']:.3f} ({iv.bse['nqp']:.3f})",
                "",
            ),
            (
                "Kleibergen-Paap rk Wald F",
                f"{iv.kp_f:.1f}",
                f"Stock-Yogo 10%: {iv.stock_yogo_10:.2f}",
            ),
            (
                "effective F (Montiel Olea-Pflueger)",
                f"{eff.f_eff:.1f}",
                f"critical value, tau = {tau:.0%}: {eff.critical_values.at[tau, 'tsls']:.2f}",
            ),
            (
                "Anderson-Rubin test of a zero effect",
                f"{ar.statistic:.2f}",
                f"p = {ar.pvalue:.4f}",
            ),
            (f"Anderson-Rubin {level} confidence set", str(ar.confidence_set), ""),
            (f"Wald {level} interval", _interval(iv, ar.level), ""),
            (
                "tF critical value for |t| (5%)",
                f"{tf.critical_value:.2f}",
                "1.96 without adjustment",
            ),
            ("tF 95% interval", f"[{tf.ci_low:.4g}, {tf.ci_high:.4g}]", f"p = {tf.pvalue:.4f}"),
        ]
        return pd.DataFrame(rows, columns=["statistic", "value", "benchmark"])


def _interval(fit: Fit, level: float) -> str:
    ci = fit.conf_int(level).loc["nqp"]
    return f"[{ci['ci_low']:.4g}, {ci['ci_high']:.4g}]"


def iv_inference(frame: pd.DataFrame, iv: IVResult | None, se_type: str = "robust") -> IVInference:
    """Anderson-Rubin set, effective F and tF for Table 6 (1)-(2) (``iv``, the fitted
    :func:`lagged_iv`), with the chapter's standard errors: the AR test with ``weakiv``'s
    chi2 convention (no small-sample factor), the effective F with the first-stage factor
    of reghdfe (``weakivtest``), tF from the effective F (one instrument)."""
    if iv is None:
        return IVInference(iv=None, failure="the IV columns could not be estimated")
    args = (frame, "coor", "nqp", ["nqp_lag"], list(CONTROLS), [UNIT, TIME])
    options = _vcov(se_type)
    try:
        ar = anderson_rubin(*args, **options, dof="none")
        effective = effective_f(*args, **options)
        tf = tf_adjust(float(iv.params["nqp"]), float(iv.bse["nqp"]), effective.f_eff)
    except InputError as exc:
        return IVInference(iv=iv, failure=str(exc))
    return IVInference(iv=iv, ar=ar, effective=effective, tf=tf)


SUBGROUP_COMPARISONS = (
    ("Table 6 (5)-(6)", "Nqp above minus at or below the median", "nqp_high", -1),
    ("Table 7 (1)-(2)", "ordinary cities minus capitals and municipalities", "capital", 1),
    ("Table 7 (3)-(4)", "non-resource-based minus resource-based", "resource_based", 1),
    ("Table 7 (5)-(8)", "the four digital x regulation groups", "group", 0),
)
"""The subgroup claims of the paper: columns, what is compared, the grouping column and the
sign that turns :class:`helpers.subgroups.SubgroupTest`'s first-minus-second difference into
the one named (0: more than two groups, a joint test only)."""


def subgroup_tests(frame: pd.DataFrame, se_type: str = "robust") -> pd.DataFrame:
    """For each of :data:`SUBGROUP_COMPARISONS`, a test that the Nqp slope is equal across
    the groups (:func:`helpers.subgroups.subgroup_difference`, fully interacted pooled
    regression: the group slopes equal the separate columns', the covariance is the
    pooled one of the chapter's ``se_type``): columns, comparison, the slopes by group,
    difference and its SE (two groups), statistic (F), df, p and, when it could not be
    computed, the reason."""
    rows = []
    for columns, label, group, orientation in SUBGROUP_COMPARISONS:
        data = frame[frame[group] != ""] if group == "group" else frame.dropna(subset=[group])
        row = {"columns": columns, "comparison": label}
        try:
            test = subgroup_difference(
                data,
                "coor",
                ["nqp", *CONTROLS],
                group,
                [UNIT, TIME],
                param="nqp",
                method="interaction",
                **_vcov(se_type),
            )
        except InputError as exc:
            rows.append(row | {"note": str(exc)})
            continue
        slopes = test.groups["coef"]
        row["slopes"] = ", ".join(f"{_level_name(group, g)} {b:.3f}" for g, b in slopes.items())
        if orientation:
            row["difference"] = orientation * test.difference
            row["difference_se"] = test.difference_se
        row |= {"statistic": test.statistic, "df": test.df[0], "p": test.pvalue, "note": ""}
        rows.append(row)
    columns = ["columns", "comparison", "slopes", "difference", "difference_se"]
    return pd.DataFrame(rows).reindex(columns=[*columns, "statistic", "df", "p", "note"])


def _level_name(group: str, level: object) -> str:
    names = {
        "nqp_high": {0: "at or below", 1: "above"},
        "capital": {0: "ordinary", 1: "capitals"},
        "resource_based": {0: "non-resource", 1: "resource"},
    }
    return names.get(group, {}).get(level, str(level))


# --------------------------------------------------------------------------- samples
def sample_losses(estimates: Estimates) -> pd.DataFrame:
    """Every regression column: the city-years of its sample (``design``), those it lost to
    missing cells (with the variables that were missing), to the lag (the IV's first year
    of each city) and to singletons (reghdfe drops cities observed once in a sample), and
    the observations used; a column that could not be estimated has its reason."""
    frame = estimates.measurement.frame
    rows = []
    for col in COLUMNS:
        key = (col.table, col.column)
        sample = sample_of(frame, col.sample)
        needed = [col.outcome, col.regressor, *(CONTROLS if col.controls else ())]
        if key in IV_COLUMNS:
            needed = ["coor", "nqp", *CONTROLS]
        if col.fixed_effects == "province-year":
            needed.append("province")
        missing = sample[needed].isna()
        lost_cells = missing.any(axis=1)
        lost_lag = pd.Series(False, index=sample.index)
        if key in IV_COLUMNS:
            lost_lag = sample["nqp_lag"].isna() & ~lost_cells
        counts = missing.sum()
        fit = estimates.fits.get(key)
        used = float(fit.nobs) if fit is not None else np.nan
        design, cells, lagged = len(sample), int(lost_cells.sum()), int(lost_lag.sum())
        rows.append(
            {
                "table": col.table,
                "column": col.column,
                "sample": col.label,
                "design": design,
                "missing cells": cells,
                "missing in": ", ".join(f"{v} {n}" for v, n in counts.items() if n) or "",
                "lag": lagged,
                "singletons": design - cells - lagged - used,
                "used": used,
                "note": estimates.failures.get(key, ""),
            }
        )
    return pd.DataFrame(rows)


def median_split_profile(frame: pd.DataFrame) -> pd.DataFrame:
    """What the median split of Table 6 (5)-(6) does to the regressor it splits on: for the
    whole sample and each half, city-years, cities, the range of Nqp, its within-city sd
    (the variation a city-effects regression uses), the cities seen in one year only
    (singletons) and the share of city-years from the later half of the years."""
    late = frame[TIME] > frame[TIME].median()
    parts = {
        "all": frame.index,
        "at or below the median": frame.index[frame["nqp_high"] == 0],
        "above the median": frame.index[frame["nqp_high"] == 1],
    }
    rows = []
    for name, index in parts.items():
        part = frame.loc[index].dropna(subset=["nqp"])
        within = part["nqp"] - part.groupby(UNIT)["nqp"].transform("mean")
        years = part.groupby(UNIT)[TIME].count()
        rows.append(
            {
                "sample": name,
                "city-years": len(part),
                "cities": int(part[UNIT].nunique()),
                "Nqp min": part["nqp"].min(),
                "Nqp max": part["nqp"].max(),
                "within-city sd of Nqp": float(np.sqrt((within**2).sum() / max(len(part) - 1, 1))),
                "cities seen once": int((years == 1).sum()),
                "share of late years": float(late.loc[part.index].mean()),
            }
        )
    return pd.DataFrame(rows)


def within_correlation(frame: pd.DataFrame, first: str, second: str) -> float:
    """Correlation of ``first`` and ``second`` after sweeping out city and year effects (the
    variation the two-way regressions use), on the city-years where both are present."""
    data = frame.dropna(subset=[first, second])
    codes = tuple(pd.factorize(data[c])[0] for c in (UNIT, TIME))
    swept = Absorber(codes).demean(data[[first, second]].to_numpy(float))
    return float(np.corrcoef(swept.T)[0, 1])


def pm25_scale_check(sample: pd.DataFrame, slacks: pd.DataFrame) -> pd.DataFrame:
    """Why a concentration is an odd bad output: for CO2 (a quantity) and PM2.5 (a
    concentration), the elasticity with respect to GDP across city-years (log-log OLS
    slope; a quantity of the scale of the city rises about one for one, a concentration
    does not), and the mean slack ratio of each bad (the share of it the SBM solution
    removes) in the smallest and the largest third of city-years by GDP."""
    log_gdp = np.log(sample["gdp"].to_numpy(float))
    tercile = pd.qcut(log_gdp, 3, labels=False)
    rows = []
    for bad in DEA_BAD:
        ok = np.isfinite(log_gdp) & sample[bad].notna().to_numpy()
        slope = np.polyfit(log_gdp[ok], np.log(sample[bad].to_numpy(float)[ok]), 1)[0]
        ratio = slacks[bad].to_numpy(float)
        rows.append(
            {
                "bad output": bad,
                "elasticity to GDP": float(slope),
                "slack ratio, smallest third": float(np.nanmean(ratio[tercile == 0])),
                "slack ratio, largest third": float(np.nanmean(ratio[tercile == 2])),
            }
        )
    return pd.DataFrame(rows)


def plot_coor_against_nqp(frame: pd.DataFrame, bins: int = 20):
    """Coor against Nqp: every city-year (grey) and the mean of Coor in ``bins`` Nqp
    quantile bins (blue), early and late years apart."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=150)
    ax.scatter(frame["nqp"], frame["coor"], s=4, color="0.75", alpha=0.6, label="city-years")
    middle = frame[TIME].median()
    for part, colour, label in (
        (frame[frame[TIME] <= middle], "#0072B2", "mean, early years"),
        (frame[frame[TIME] > middle], "#D55E00", "mean, late years"),
    ):
        binned = part.groupby(pd.qcut(part["nqp"], bins, duplicates="drop"), observed=True)
        means = binned[["nqp", "coor"]].mean()
        ax.plot(means["nqp"], means["coor"], marker="o", ms=3, color=colour, label=label)
    ax.set_xlabel("Nqp (entropy index)")
    ax.set_ylabel("Coor (DEA efficiency score)")
    ax.legend(frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


SHORT_LABELS = {
    ("Table 4", "(1)"): "pooled, no controls",
    ("Table 4", "(2)"): "baseline",
    ("Table 4", "(3)"): "Nql",
    ("Table 4", "(4)"): "Nqo",
    ("Table 4", "(5)"): "Nqm",
    ("Table 5", "(1)"): "electricity/GDP",
    ("Table 5", "(2)"): "energy/GDP",
    ("Table 5", "(3)"): "patent applications",
    ("Table 5", "(4)"): "patents granted",
    ("Table 5", "(5)"): "digital finance",
    ("Table 6", "(1)"): "IV first stage",
    ("Table 6", "(2)"): "IV",
    ("Table 6", "(3)"): "no municipalities",
    ("Table 6", "(4)"): "province x year",
    ("Table 6", "(5)"): "Nqp low half",
    ("Table 6", "(6)"): "Nqp high half",
    ("Table 7", "(1)"): "capitals",
    ("Table 7", "(2)"): "ordinary",
    ("Table 7", "(3)"): "resource-based",
    ("Table 7", "(4)"): "non-resource",
    ("Table 7", "(5)"): "dual-high",
    ("Table 7", "(6)"): "dual-low",
    ("Table 7", "(7)"): "digital-driven",
    ("Table 7", "(8)"): "pressure-induced",
}
"""A few words per regression column, short enough for a figure read on a phone."""


def plot_core_coefficients(score: pd.DataFrame, band: float = BAND_IN_SES):
    """How far each replicated core coefficient lies from the printed one, in published SEs.

    ``score``: :func:`agreement` rows with the published SE added as ``se_published``.
    One linear axis: the signed distance ``(replicated - published) / published SE`` of
    every regression column, the band of ``band`` published SEs shaded; a filled marker
    where the replication has the printed sign and 10% class, an open one where not.
    """
    import matplotlib.pyplot as plt

    distance = (score["replicated"] - score["published"]) / score["se_published"]
    y = np.arange(len(score))[::-1]
    fig, ax = plt.subplots(figsize=(6, 7.2))
    ax.axvspan(-band, band, color="0.9", zorder=0, label=f"within {band:g} published SEs")
    ax.axvline(0, color="0.5", lw=0.8)
    match = score["both"].to_numpy(bool)
    ax.scatter(
        distance[match], y[match], color="#0072B2", zorder=3, label="sign and class as printed"
    )
    ax.scatter(
        distance[~match],
        y[~match],
        facecolors="white",
        edgecolors="#D55E00",
        linewidths=1.5,
        zorder=3,
        label="sign or class differs",
    )
    labels = [
        f"{t[-1]}{c}: {SHORT_LABELS[(t, c)]}"
        for t, c in zip(score["table"], score["column"], strict=True)
    ]
    ax.set_yticks(y, labels)
    ax.set_ylim(-0.8, len(score) - 0.2)
    ax.set_xlabel("replicated minus published, in published SEs")
    ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.09), ncol=1)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def measure_with(panel: pd.DataFrame, **parameters) -> Measurement:
    """:func:`~helpers.papers.synergy.measurement.measure` with the notebook's parameters by
    name (``winsorize``, ``winsorize_lower`` and ``winsorize_upper`` become its
    ``winsorize_on`` and ``cuts``); the one translation the chapter and :func:`pipeline`
    share."""
    chosen = dict(parameters)
    lower, upper = chosen.pop("winsorize_lower", 1.0), chosen.pop("winsorize_upper", 99.0)
    if "winsorize" in chosen:
        chosen["winsorize_on"] = chosen.pop("winsorize")
    return measure(panel, cuts=parse_cuts(lower, upper), **chosen)


def measured_pipeline(
    panel: pd.DataFrame,
    published: pd.DataFrame,
    *,
    first_year: int,
    last_year: int,
    se_type: str,
    dea_model: str,
    frontier: str,
    rts: str,
    winsorize: bool,
    winsorize_lower: float,
    winsorize_upper: float,
    winsorize_stage: str = "measures",
    winsorize_by: str = "pooled",
    nqp_split: str = "pooled",
    digital_split: str,
) -> tuple[pd.DataFrame, Measurement]:
    """The chapter's computation from a raw panel to its tidy cells, and the measurement
    they were estimated on, with the notebook's parameters by name (``measure``,
    ``estimate``, ``result_cells``)."""
    measurement = measure_with(
        panel,
        first_year=first_year,
        last_year=last_year,
        dea_model=dea_model,
        frontier=frontier,
        rts=rts,
        winsorize=winsorize,
        winsorize_lower=winsorize_lower,
        winsorize_upper=winsorize_upper,
        winsorize_stage=winsorize_stage,
        winsorize_by=winsorize_by,
        nqp_split=nqp_split,
        digital_split=digital_split,
    )
    cells = result_cells(estimate(measurement, se_type=se_type), published)
    return cells, measurement


pipeline = interface.cells_of(measured_pipeline)
