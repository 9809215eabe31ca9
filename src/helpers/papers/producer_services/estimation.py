"""Paper 003's published tables: Tables 1-3 by FE-2SLS and two-step IV-GMM, the
endogeneity tests, every published cell in tidy keys, and the chapter's reading aids.

* :func:`estimate` -- the 18 regression columns (:data:`COLUMNS`): the outcome on its
  agglomeration measure, instrumented by its lags, and the seven controls with city and
  year effects (``xtivreg2 ..., fe robust``; ``gmm2s`` for IV-GMM), with Kleibergen-Paap
  and Hansen J statistics.
* :func:`endogeneity` -- Durbin-Wu-Hausman and Davidson-MacKinnon tests (Section 4.1).
* :func:`result_cells` -- every published cell (coefficients and t statistics, the
  diagnostics, N and R2).
* :func:`sample_losses` -- the unit-years each column lost, and why (lags, missing cells,
  singletons).
* :func:`weak_iv` -- Anderson-Rubin sets, the effective F with its Montiel Olea-Pflueger
  critical value and (one instrument) tF beside Kleibergen-Paap, column by column.
* :func:`regional_difference` -- a pooled IV with region interactions and the Wald test that
  a SAGG slope is equal across regions (Table 2's regional claims).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers import results
from helpers.errors import InputError, check_choice
from helpers.inference import chi2_sf, normal_isf, two_sided_p
from helpers.iv import IVResult, endogeneity_tests, fe_iv
from helpers.panel import lag
from helpers.papers import interface
from helpers.papers.producer_services.measurement import Measurement, measure
from helpers.papers.producer_services.variables import (
    BASELINE,
    COLUMNS,
    CONTROLS,
    DIAGNOSTIC_ROWS,
    ESTIMATORS,
    FE,
    OUTCOMES,
    PAPER,
    REGIONS,
    ROW_LABELS,
    SE_TYPES,
    SECTORS,
    TIME,
    UNIT,
    Column,
)
from helpers.simulate.calibration import class_probability
from helpers.tables import sign_and_significance
from helpers.weak_iv import anderson_rubin, effective_f, tf_adjust


def _vcov(se_type: str) -> dict[str, str | None]:
    return interface.vcov(se_type, SE_TYPES, UNIT)


def check_lags(lags: Iterable[int]) -> tuple[int, ...]:
    """Instrument lags: distinct positive integers (the paper: 1 and 2)."""
    lags = tuple(lags)
    if not lags or any(not isinstance(k, (int, np.integer)) or k < 1 for k in lags):
        raise InputError(
            "must be a non-empty list of positive integers, e.g. [1, 2]", parameter="lags"
        )
    if len(set(lags)) != len(lags):
        raise InputError("lags must be distinct", parameter="lags")
    return lags


def with_lags(frame: pd.DataFrame, lags: Iterable[int] = (1, 2)) -> pd.DataFrame:
    """``frame`` with ``L{k}_{measure}`` for each agglomeration measure and lag."""
    out = frame.copy()
    for name in SECTORS:
        for k in check_lags(lags):
            out[f"L{k}_{name}"] = lag(frame, name, unit=UNIT, time=TIME, periods=k).to_numpy()
    return out


def sample_of(data: pd.DataFrame, column: Column, lags: Iterable[int] = (1, 2)) -> pd.DataFrame:
    """The rows of a column: the region's cities (if any), with the instruments observed."""
    part = data if column.region is None else data[data["region"] == column.region]
    needed = [column.outcome, column.sagg, *CONTROLS, *instrument_names(column.sagg, lags)]
    return part.dropna(subset=needed)


def instrument_names(sagg: str, lags: Iterable[int] = (1, 2)) -> list[str]:
    return [f"L{k}_{sagg}" for k in check_lags(lags)]


@dataclass(frozen=True)
class ColumnFit:
    """One estimated column: the IV fit and the R2 as xtivreg2 prints it."""

    fit: IVResult
    r2_xtivreg2: float

    def __getattr__(self, name: str):
        return getattr(self.fit, name)


def estimate_column(
    data: pd.DataFrame,
    column: Column,
    *,
    se_type: str = "robust",
    lags: Iterable[int] = (1, 2),
    estimator: str | None = None,
) -> ColumnFit:
    """One published column: ``outcome`` on its SAGG (instrumented by ``lags`` of itself)
    and the seven controls with city and year effects (``xtivreg2 ..., fe robust`` with
    year dummies; ``gmm2s`` for IV-GMM). ``estimator`` overrides the column's own."""
    est = column.estimator if estimator is None else estimator
    check_choice("estimator", est, tuple(ESTIMATORS))
    sample = sample_of(data, column, lags)
    fit = fe_iv(
        sample,
        column.outcome,
        [column.sagg],
        instrument_names(column.sagg, lags),
        list(CONTROLS),
        FE,
        estimator=ESTIMATORS[est],
        **_vcov(se_type),
    )
    y = sample[column.outcome].to_numpy(float)
    within_city = y - sample.groupby(UNIT)[column.outcome].transform("mean").to_numpy()
    return ColumnFit(fit, 1 - fit.rss / float(within_city @ within_city))


@dataclass(frozen=True, kw_only=True)
class Estimates(interface.Estimates):
    """Every regression column of Tables 1-3: ``fits[(table, column)]``, with the
    instrument lags and the estimator of Tables 2-3."""

    lags: tuple[int, ...] = (1, 2)
    estimator: str = "gmm"


def check_years(frame: pd.DataFrame, lags: Iterable[int]) -> int:
    """The number of sample years, checked against the lags: the longest lag loses that many
    years of each city, and at least three must remain."""
    lags = check_lags(lags)
    years = sorted(set(frame[TIME]))
    if len(years) < max(lags) + 3:
        raise InputError(
            f"lags up to {max(lags)} need at least {max(lags) + 3} sample years, the data "
            f"have {len(years)} ({years[0]}-{years[-1]})",
            parameter="lags",
            hint="use shorter lags, or a longer first_year..last_year span",
        )
    return len(years)


def check_regions(regions: Iterable[str]) -> tuple[str, ...]:
    """Regions of Table 2 to estimate: a non-empty subset of East, Central, West."""
    regions = tuple(regions)
    for region in regions:
        check_choice("regions", region, REGIONS)
    if not regions:
        raise InputError(f"choose at least one of {list(REGIONS)}", parameter="regions")
    return regions


def estimate(
    measurement: Measurement,
    *,
    se_type: str = "robust",
    lags: Iterable[int] = (1, 2),
    estimator: str = "gmm",
    regions: Iterable[str] = REGIONS,
    columns: Iterable[Column] = COLUMNS,
) -> Estimates:
    """All regression columns on the measured panel.

    Table 1 always shows 2SLS (columns 1-3) beside IV-GMM (4-6), as printed;
    ``estimator`` (``"gmm"``, the paper's, or ``"2sls"``) is used for Tables 2 and 3.
    Table 2 columns of a region not in ``regions`` are not estimated (empty cells).
    """
    return _estimate_frame(
        measurement.frame, se_type, lags, estimator, regions, columns, measurement
    )


def _estimate_frame(
    frame: pd.DataFrame,
    se_type: str = "robust",
    lags: Iterable[int] = (1, 2),
    estimator: str = "gmm",
    regions: Iterable[str] = REGIONS,
    columns: Iterable[Column] = COLUMNS,
    measurement: Measurement | None = None,
) -> Estimates:
    _vcov(se_type)
    lags = check_lags(lags)
    check_choice("estimator", estimator, tuple(ESTIMATORS))
    regions = check_regions(regions)
    check_years(frame, lags)
    data = with_lags(frame, lags)
    fits, failures = {}, {}
    for col in columns:
        if col.region is not None and col.region not in regions:
            failures[col.key] = f"region {col.region} not selected (parameter regions)"
            continue
        chosen = None if col.table == "Table 1" else estimator
        try:
            fits[col.key] = estimate_column(data, col, se_type=se_type, lags=lags, estimator=chosen)
        except InputError as exc:
            failures[col.key] = f"not estimable on these data: {exc}"
    return Estimates(
        fits=fits,
        failures=failures,
        se_type=se_type,
        measurement=measurement,
        lags=lags,
        estimator=estimator,
    )


def baseline_key(estimator: str = "gmm") -> tuple[str, str]:
    """Table 1's total-agglomeration column of ``estimator``: (4) IV-GMM, (1) 2SLS."""
    check_choice("estimator", estimator, tuple(ESTIMATORS))
    return BASELINE if estimator == "gmm" else ("Table 1", "(1)")


def endogeneity(
    frame: pd.DataFrame,
    *,
    se_type: str = "robust",
    lags: Iterable[int] = (1, 2),
    outcomes: Iterable[str] = tuple(OUTCOMES),
    measures: Iterable[str] = tuple(SECTORS),
) -> pd.DataFrame:
    """Durbin-Wu-Hausman and Davidson-MacKinnon tests of the exogeneity of SAGG in
    eqs. (2)-(4) (text of Section 4.1; the paper prints no statistic), one row per
    outcome and agglomeration measure, on the national sample."""
    outcomes, measures = tuple(outcomes), tuple(measures)
    for outcome in outcomes:
        check_choice("outcomes", outcome, tuple(OUTCOMES))
    for sagg in measures:
        check_choice("measures", sagg, tuple(SECTORS))
    data = with_lags(frame, lags)
    rows = []
    for outcome in outcomes:
        for sagg in measures:
            col = Column("", "", outcome, sagg)
            sample = sample_of(data, col, lags)
            test = endogeneity_tests(
                sample,
                outcome,
                [sagg],
                instrument_names(sagg, lags),
                list(CONTROLS),
                FE,
                **_vcov(se_type),
            )
            rows.append(
                {
                    "outcome": outcome,
                    "sagg": sagg,
                    "durbin": test.durbin,
                    "durbin_p": test.durbin_p,
                    "wu_hausman": test.wu_hausman,
                    "wu_hausman_p": test.wu_hausman_p,
                    "davidson_mackinnon": test.dm_f,
                    "davidson_mackinnon_p": test.dm_p,
                }
            )
    return pd.DataFrame(rows)


def core_coefficients(estimates: Estimates) -> pd.DataFrame:
    """SAGG coefficient, SE, t and p of every estimated column."""
    rows = []
    for col in COLUMNS:
        if col.key not in estimates.fits:
            continue
        fit = estimates.fits[col.key]
        rows.append(
            {
                "table": col.table,
                "column": col.column,
                "outcome": col.outcome,
                "sagg": col.sagg,
                "region": col.region or "all",
                "coef": fit.params[col.sagg],
                "se": fit.bse[col.sagg],
                "t": fit.tvalues[col.sagg],
                "p": fit.pvalues[col.sagg],
            }
        )
    return pd.DataFrame(rows)


def fit_columns(
    frame: pd.DataFrame, columns: Iterable[Column] | None = None, se_type: str = "robust"
) -> pd.DataFrame:
    """SAGG coefficient, SE, t and p of the paper's columns (all, or ``columns``) on a
    measured ``frame`` (:func:`core_coefficients` of the paper's default estimator)."""
    return core_coefficients(_estimate_frame(frame, se_type, columns=columns or COLUMNS))


def _column_cells(key: tuple[str, str], fit: ColumnFit, labels: set[str]) -> pd.DataFrame:
    col = next(c for c in COLUMNS if c.key == key)
    terms = {col.sagg: "SAGG"} | {c: ROW_LABELS[c] for c in CONTROLS}
    terms = {t: lab for t, lab in terms.items() if lab in labels}
    cells = results.fit_cells(
        fit.fit, paper=PAPER, table=key[0], column=key[1], terms=terms, stats=("coef", "t")
    )
    stats = [
        (DIAGNOSTIC_ROWS["kp_lm"], "value", fit.kp_lm),
        (DIAGNOSTIC_ROWS["kp_lm"], "p", fit.kp_lm_p),
        (DIAGNOSTIC_ROWS["kp_f"], "value", fit.kp_f),
        (DIAGNOSTIC_ROWS["hansen"], "value", fit.overid),
        (DIAGNOSTIC_ROWS["hansen"], "p", fit.overid_p),
        ("N", "value", fit.nobs),
        ("R2", "value", fit.r2_xtivreg2),
    ]
    extra = pd.DataFrame(
        [(PAPER, key[0], key[1], row, stat, float(v), pd.NA) for row, stat, v in stats],
        columns=results.RESULT_COLUMNS,
    )
    extra["stars"] = extra["stars"].astype("Int64")
    return pd.concat([cells, extra], ignore_index=True)


def result_cells(estimates: Estimates, published: pd.DataFrame) -> pd.DataFrame:
    """Every published cell of paper 003 as tidy cells (coef and t of SAGG and the
    controls; KP rk LM and its p, KP rk Wald F, Hansen J and its p, N, R2). A column
    that could not be estimated contributes its published keys with an empty value and why;
    a Hansen J with one instrument (exactly identified) is empty with that reason."""
    pub = published[published["paper"] == PAPER]
    parts = []
    for key, fit in estimates.fits.items():
        printed = pub[(pub["table"] == key[0]) & (pub["column"] == key[1])]
        cells = _column_cells(key, fit, set(printed["row"]))
        cells = cells.merge(printed[results.CELL_KEYS], on=results.CELL_KEYS, how="inner")
        undefined = cells["value"].isna()
        if undefined.any():
            parts.append(
                results.unavailable_cells(
                    cells[undefined],
                    "Hansen J is not defined for an exactly identified equation (one lag)",
                )
            )
            cells = cells[~undefined]
        parts.append(cells)
    for key, reason in estimates.failures.items():
        printed = pub[(pub["table"] == key[0]) & (pub["column"] == key[1])]
        parts.append(results.unavailable_cells(printed, reason))
    return pd.concat(parts, ignore_index=True)


def agreement(cells: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """Sign and 10% significance class of SAGG in every published column, published vs
    replicated (:func:`helpers.tables.sign_and_significance`)."""
    return sign_and_significance(published, cells, PAPER, ["SAGG"])


def insignificant_match_bound(level: float = 0.10) -> float:
    """The largest probability that a replication reproduces the sign and the class of a
    column printed insignificant at ``level``, when its t statistic is N(mu, 1): the
    t must fall between 0 and the critical value z on the printed side, which is most likely
    at mu = z / 2, with probability ``2 Phi(z / 2) - 1`` (0.59 at 10%;
    :func:`helpers.simulate.calibration.class_probability` at that mean)."""
    half = normal_isf(level / 2) / 2
    return float(class_probability(half, 1.0, 1.0, False, level=level))


def best_expected_agreement(score: pd.DataFrame, level: float = 0.10) -> float:
    """The best expected share of columns whose sign and class a replication with t ~ N(mu, 1)
    can reproduce, given which published columns are significant (``score``: the rows of
    :func:`agreement`): a significant column can be matched with probability near 1 (large
    mu), an insignificant one at most :func:`insignificant_match_bound`."""
    significant = score["significant_published"].to_numpy(bool)
    return float(np.where(significant, 1.0, insignificant_match_bound(level)).mean())


def sample_losses(estimates: Estimates) -> pd.DataFrame:
    """For each estimated column, the unit-years of its sample years (and region) and where
    they went: ``lags`` (a city's first years, as many as the longest lag, have no lagged
    instrument; the paper does not say so), ``missing`` (a variable of the regression, or
    its lag, still missing after the ``missing_cells`` rule), ``singletons`` (dropped by the
    fixed-effects fit, as reghdfe does) and ``nobs``, the unit-years estimated on."""
    frame = estimates.measurement.frame
    lags = estimates.lags
    data = with_lags(frame, lags)
    first = data.groupby(UNIT)[TIME].transform("min")
    early = data[TIME] < first + max(lags)
    rows = []
    for col in COLUMNS:
        if col.key not in estimates.fits:
            continue
        part = data if col.region is None else data[data["region"] == col.region]
        needed = [col.outcome, col.sagg, *CONTROLS, *instrument_names(col.sagg, lags)]
        complete = part[needed].notna().all(axis=1)
        late = ~early.loc[part.index]
        nobs = estimates.fits[col.key].nobs
        rows.append(
            {
                "table": col.table,
                "column": col.column,
                "unit_years": len(part),
                "lags": int((~late).sum()),
                "missing": int((late & ~complete).sum()),
                "singletons": int((late & complete).sum()) - nobs,
                "nobs": nobs,
            }
        )
    return pd.DataFrame(rows)


def weak_iv(
    estimates: Estimates, keys: Iterable[tuple[str, str]] | None = None, *, level: float = 0.95
) -> pd.DataFrame:
    """Weak-instrument-robust statistics beside each column's Kleibergen-Paap rk Wald F
    (:mod:`helpers.weak_iv`), on the column's own sample with the estimates' SE type and
    ``dof="none"`` (xtivreg2 without ``small``: chi2 inference, as ``weakiv`` after it):

    * the effective F of Montiel Olea and Pflueger (2013) and its generalized TSLS critical
      value for a Nagar bias of at most 10% of the worst case at the 5% level
      (``weakivtest``); ``weak`` when the F is below it;
    * the Anderson-Rubin test of SAGG = 0 and its ``level`` confidence set (test inversion),
      which depends only on the reduced form, so it is the same for the 2SLS and the GMM
      column of a measure and holds whatever the instruments' strength; with two lags it
      also tests that they agree, so a failure of the exclusion restriction can shrink or
      empty it;
    * the column's own Wald interval (coefficient +- z x SE);
    * with one instrument (``lags=(1,)``) the tF critical value and p-value of Lee, McCrary,
      Moreira and Porter (2022) (NaN with more instruments).

    ``keys``: the columns (default every estimated one); columns sharing outcome, measure
    and region share one computation.
    """
    frame = estimates.measurement.frame
    lags = estimates.lags
    data = with_lags(frame, lags)
    vcov = _vcov(estimates.se_type)
    z = float(normal_isf((1 - level) / 2))
    chosen = list(estimates.fits) if keys is None else [k for k in keys if k in estimates.fits]
    cache: dict[tuple, tuple] = {}
    rows = []
    for col in COLUMNS:
        if col.key not in chosen:
            continue
        fit = estimates.fits[col.key]
        shared = (col.outcome, col.sagg, col.region)
        if shared not in cache:
            sample = sample_of(data, col, lags)
            args = (
                sample,
                col.outcome,
                col.sagg,
                instrument_names(col.sagg, lags),
                list(CONTROLS),
                FE,
            )
            cache[shared] = (
                anderson_rubin(*args, **vcov, level=level, dof="none"),
                effective_f(*args, **vcov, dof="none"),
            )
        ar, eff = cache[shared]
        coef, se = float(fit.params[col.sagg]), float(fit.bse[col.sagg])
        pieces = ar.confidence_set.intervals
        single = len(pieces) == 1
        one_instrument = len(lags) == 1
        tf = tf_adjust(coef, se, eff.f_eff) if one_instrument else None
        rows.append(
            {
                "table": col.table,
                "column": col.column,
                "estimator": fit.estimator,
                "coef": coef,
                "wald_low": coef - z * se,
                "wald_high": coef + z * se,
                "kp_f": float(fit.kp_f),
                "f_eff": eff.f_eff,
                "mop_critical": float(eff.critical_values.at[0.10, "tsls"]),
                "weak": eff.is_weak(0.10),
                "ar_p": ar.pvalue,
                "ar_set": str(ar.confidence_set),
                "ar_low": pieces[0][0] if single else np.nan,
                "ar_high": pieces[0][1] if single else np.nan,
                "ar_bounded": ar.confidence_set.is_bounded,
                "ar_pieces": len(pieces),
                "ar_contains_zero": ar.confidence_set.contains(0.0),
                "tf_critical": tf.critical_value if tf else np.nan,
                "tf_p": tf.pvalue if tf else np.nan,
            }
        )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class RegionalDifference:
    """Table 2's SAGG slopes of one measure by region and the Wald test that they are
    equal: ``slopes`` (region -> table column, coef, se, p), ``pairs`` (each pair of
    regions: difference, se, z, p), the joint ``statistic`` (chi2 with ``df``) and its
    ``pvalue``; ``method`` says how the covariance was formed."""

    sagg: str
    slopes: pd.DataFrame
    pairs: pd.DataFrame
    statistic: float
    df: int
    pvalue: float
    method: str


REGIONAL_METHODS = ("stacked", "pooled")


def regional_difference(
    estimates: Estimates, sagg: str, *, method: str = "stacked"
) -> RegionalDifference:
    """Is Table 2's slope of TFP on ``sagg`` (``"sagg_high"`` or ``"sagg_low"``) the same in
    every estimated region? :func:`helpers.subgroups.subgroup_difference` does this for FE
    OLS only; this is its IV counterpart, with the estimates' estimator, lags and SEs.

    ``method="pooled"``: one IV regression on the pooled regions in which SAGG, its lags
    (the instruments) and the controls are interacted with the region, and the year effects
    become region x year effects (``xtivreg2 tfp c.(str ...)#i.region i.region#i.year
    (c.sagg#i.region = c.(L.sagg L2.sagg)#i.region), fe``). Every interacted variable of
    region r is zero outside r, also after absorbing city (nested in regions) and
    region-year effects, so the moment conditions split by region: the pooled 2SLS is the
    regions' 2SLS, and with robust or city-clustered errors the GMM weight matrix is block
    diagonal, so the pooled GMM is the regions' GMM. The slopes are Table 2's columns and
    their covariance is block diagonal (no city is in two regions); xtivreg2's factor
    ``N / (N - cities)`` is the same in the pooled and the regional fits when every city has
    the same number of years.

    ``method="stacked"`` (default; ``suest``-style): the same test from the Table 2 columns
    already estimated, with each column's own variance and zero covariances across regions,
    which is what the pooled fit gives (the tests check the two agree) without a second
    estimation. With conventional SEs the two differ: the pooled fit has one error variance
    for all regions.

    The Wald statistic of ``b_1 = b_2 = ...`` is chi2 with one degree of freedom fewer than
    the regions (xtivreg2 without ``small``); each pair gets a z test.
    """
    check_choice("method", method, REGIONAL_METHODS)
    check_choice("sagg", sagg, ("sagg_high", "sagg_low"))
    columns = [
        c for c in COLUMNS if c.table == "Table 2" and c.sagg == sagg and c.key in estimates.fits
    ]
    regions = [c.region for c in columns]
    if len(regions) < 2:
        raise InputError(
            f"a difference needs Table 2 estimated in at least two regions, got {regions}",
            parameter="regions",
        )
    if method == "pooled":
        b, v = _pooled_slopes(estimates, sagg, regions)
    else:
        fits = [estimates.fits[c.key] for c in columns]
        b = np.array([f.params[sagg] for f in fits])
        v = np.diag([f.bse[sagg] ** 2 for f in fits])
    se = np.sqrt(np.diag(v))
    slopes = pd.DataFrame(
        {
            "column": [c.column for c in columns],
            "coef": b,
            "se": se,
            "p": two_sided_p(b / se, np.inf),
        },
        index=pd.Index(regions, name="region"),
    )
    q = len(regions) - 1
    contrast = np.hstack([np.ones((q, 1)), -np.eye(q)])
    diff = contrast @ b
    statistic = float(diff @ np.linalg.solve(contrast @ v @ contrast.T, diff))
    pairs = []
    for i in range(len(regions)):
        for j in range(i + 1, len(regions)):
            d = float(b[i] - b[j])
            d_se = float(np.sqrt(v[i, i] + v[j, j] - 2 * v[i, j]))
            pairs.append(
                {
                    "pair": f"{regions[i]} - {regions[j]}",
                    "difference": d,
                    "se": d_se,
                    "z": d / d_se,
                    "p": float(two_sided_p(d / d_se, np.inf)),
                }
            )
    return RegionalDifference(
        sagg=sagg,
        slopes=slopes,
        pairs=pd.DataFrame(pairs),
        statistic=statistic,
        df=q,
        pvalue=chi2_sf(statistic, q),
        method=method,
    )


def _pooled_slopes(
    estimates: Estimates, sagg: str, regions: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """The region slopes of ``sagg`` and their covariance from the pooled, region-interacted
    IV fit (:func:`regional_difference`, ``method="pooled"``)."""
    lags = estimates.lags
    data = with_lags(estimates.measurement.frame, lags)
    data = sample_of(data[data["region"].isin(regions)], Column("", "", "tfp", sagg), lags)
    pooled = data[[UNIT, TIME, "region", "tfp"]].copy()
    names: dict[str, list[str]] = {"endog": [], "instruments": [], "exog": []}
    for k, region in enumerate(regions):
        member = (data["region"] == region).to_numpy(float)
        for role, sources in (
            ("endog", [sagg]),
            ("instruments", instrument_names(sagg, lags)),
            ("exog", list(CONTROLS)),
        ):
            for source in sources:
                name = f"{source}__r{k}"
                pooled[name] = data[source].to_numpy(float) * member
                names[role].append(name)
    # the first stages of the interacted regressors have coefficients that are exactly zero
    # with zero variance (other regions' instruments); rounding makes a few variances -0.0
    with np.errstate(invalid="ignore"):
        fit = fe_iv(
            pooled,
            "tfp",
            names["endog"],
            names["instruments"],
            names["exog"],
            [UNIT, ("region", TIME)],
            estimator=ESTIMATORS[estimates.estimator],
            **_vcov(estimates.se_type),
        )
    endog = names["endog"]
    return fit.params[endog].to_numpy(), fit.vcov.loc[endog, endog].to_numpy()


def parse_lags(text: str) -> tuple[int, ...]:
    """Comma-separated instrument lags, e.g. ``"1,2"``, checked by :func:`check_lags`."""
    try:
        lags = tuple(int(k) for k in str(text).split(","))
    except ValueError:
        raise InputError(
            f"must be comma-separated positive integers such as '1,2', got {text!r}",
            parameter="lags",
        ) from None
    return check_lags(lags)


def parse_regions(text: str) -> tuple[str, ...]:
    """Comma-separated regions of Table 2, checked by :func:`check_regions`."""
    return check_regions(r.strip() for r in str(text).split(",") if r.strip())


def measured_pipeline(
    panel: pd.DataFrame,
    published: pd.DataFrame,
    *,
    first_year: int,
    last_year: int,
    se_type: str,
    lags: str,
    estimator: str,
    orientation: str,
    rts: str,
    regions: str,
    missing_cells: str = "interpolate",
) -> tuple[pd.DataFrame, Measurement]:
    """The chapter's computation from a raw panel to its tidy cells, and the measurement
    they were estimated on, with the notebook's parameters by name (``measure``,
    ``estimate``, ``result_cells``)."""
    measurement = measure(
        panel,
        first_year=first_year,
        last_year=last_year,
        orientation=orientation,
        rts=rts,
        missing_cells=missing_cells,
    )
    estimates = estimate(
        measurement,
        se_type=se_type,
        lags=parse_lags(lags),
        estimator=estimator,
        regions=parse_regions(regions),
    )
    return result_cells(estimates, published), measurement


pipeline = interface.cells_of(measured_pipeline)
