"""The producer_services replication (paper 003_29e01ed6de425a3f): measurement, estimation, cells.

Paper 003 regresses city total factor productivity (DEAP 2.1 DEA-Malmquist, cumulated
to a level with 2003 = 1) on producer-service agglomeration SAGG (a location quotient:
all producer services, the high-end or the low-end ones) for 261 cities, 2003-2017,
with city and year effects, instrumenting SAGG by its first and second lags
(``xtivreg2 ..., fe robust``, 2SLS and two-step GMM). This module holds the chapter's
plumbing, which the data layer's calibration (:mod:`helpers.simulate.producer_services`)
reuses:

* :func:`load_panel` -- the simulated panel (teaching knobs :data:`KNOBS`) or the
  reader's file validated against ``data/contracts/producer_services.yml``.
* :func:`measure` -- Malmquist TFP, TE (technical change, ``techch``) and EC (efficiency
  change, ``effch``) cumulated to levels (:func:`helpers.dea.malmquist`,
  :func:`helpers.dea.cumulate`), the three location quotients of eq. (1)
  (:func:`helpers.measures.location_quotient`) and the seven controls.
* :data:`COLUMNS` / :func:`estimate_column` / :func:`estimate` -- Tables 1-3 with the
  Kleibergen-Paap and Hansen statistics, and :func:`endogeneity` for the
  Durbin-Wu-Hausman and Davidson-MacKinnon tests the text reports.
* :func:`result_cells` -- every published cell of paper 003 in the tidy keys of
  :mod:`helpers.results` (the parentheses hold t statistics: ``stat = "t"``).

R2 (``r2_xtivreg2``): ``xtivreg2, fe`` with year dummies among the regressors reports
``1 - RSS / TSS`` with TSS of the outcome demeaned by city only, so the year effects
count as explained; :class:`helpers.iv.IVResult` ``r2`` absorbs both effects and is
lower. The chapter prints the xtivreg2 form, the one the paper's 0.887 is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from helpers import results
from helpers.chapter_data import load_chapter_panel
from helpers.dea import cumulate, malmquist
from helpers.errors import InputError, check_choice
from helpers.iv import IVResult, endogeneity_tests, fe_iv
from helpers.measures import location_quotient
from helpers.panel import interpolate_within, lag
from helpers.tables import describe

SLUG = "producer_services"
PAPER = "003_29e01ed6de425a3f"
UNIT, TIME = "city", "year"
FE = [UNIT, TIME]
CONTROLS = ("str", "gov", "pgdp", "fdi", "h", "road", "pop")
HIGH_END = ("emp_information", "emp_finance", "emp_research")
LOW_END = ("emp_transport", "emp_leasing")
SECTORS = {"sagg": HIGH_END + LOW_END, "sagg_high": HIGH_END, "sagg_low": LOW_END}
"""Agglomeration measure -> the sector employment columns it sums (Section 3.1 (2))."""
DEA_INPUTS = ("employment", "capital_stock")
DEA_OUTPUT = "real_gdp"
OUTCOMES = {"tfp": "tfpch", "te": "techch", "ec": "effch"}
"""Level -> the Malmquist index it cumulates (TE = technical change, EC = efficiency change)."""
ESTIMATORS = {"2sls": "2sls", "gmm": "gmm2s"}
SE_TYPES = ("robust", "cluster", "conventional")
ORIENTATIONS = ("output", "input")
RTS = ("crs", "vrs")
REGIONS = ("East", "Central", "West")
KNOBS = {
    "effect_scale": 1.0,
    "noise_scale": 1.0,
    "endogeneity": 0.3,
    "missing_share": 0.0,
    "lq_common_share": 0.0,
    "mix_east": 0.0,
    "mix_west": 0.0,
}
"""Teaching knobs of the simulated panel and their default values (the last three plant
agglomeration that moves together within a region and regional input mixes)."""

ROW_LABELS = {
    "sagg": "SAGG",
    "sagg_high": "SAGG",
    "sagg_low": "SAGG",
    "str": "STR",
    "gov": "GOV",
    "pgdp": "PGDP",
    "fdi": "FDI",
    "h": "H",
    "road": "ROAD",
    "pop": "POP",
}
"""Model term -> row label of the published cells (every column prints its SAGG as 'SAGG')."""
DIAGNOSTIC_ROWS = {
    "kp_lm": "Kleibergen-Paap rk LM statistic",
    "kp_f": "Kleibergen-Paap rk Wald F statistic",
    "hansen": "Hansen J statistic",
}


# --------------------------------------------------------------------------- columns
@dataclass(frozen=True)
class Column:
    """One published regression column: outcome, agglomeration measure, estimator, sample."""

    table: str
    column: str
    outcome: str
    sagg: str
    estimator: str = "gmm"
    region: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.table, self.column)


_MEASURES = ("sagg", "sagg_high", "sagg_low")
COLUMNS = (
    *(
        Column("Table 1", f"({k + 1})", "tfp", m, est)
        for k, (est, m) in enumerate((e, m) for e in ("2sls", "gmm") for m in _MEASURES)
    ),
    *(
        Column("Table 2", f"({k + 1})", "tfp", m, "gmm", region)
        for k, (region, m) in enumerate((r, m) for r in REGIONS for m in ("sagg_high", "sagg_low"))
    ),
    *(
        Column("Table 3", f"({k + 1})", outcome, m, "gmm")
        for k, (outcome, m) in enumerate((o, m) for o in ("te", "ec") for m in _MEASURES)
    ),
)
"""The paper's 18 regression columns: Table 1 (2SLS, then IV-GMM; total, high-end,
low-end), Table 2 (IV-GMM; East, Central, West x high-end, low-end), Table 3 (IV-GMM;
TE, then EC; total, high-end, low-end)."""
BASELINE = ("Table 1", "(4)")
"""The paper's main column: IV-GMM, total agglomeration (Section 4.1 reads IV-GMM)."""


# --------------------------------------------------------------------------- data
def load_panel(
    data: str = "simulated", mapping: str = "", seed: int | None = None, **knobs: float
) -> pd.DataFrame:
    """The raw panel: ``"simulated"`` (the data layer's generator, ``seed`` and the
    teaching ``knobs`` of :data:`KNOBS`) or a file validated against the contract."""
    return load_chapter_panel(SLUG, data, mapping, seed, knobs, KNOBS)


@dataclass(frozen=True)
class Measurement:
    """The measured panel and how it was built.

    ``frame``: city, year, region, tfp, te, ec (levels, first year = 1), sagg,
    sagg_high, sagg_low and the seven controls. ``malmquist``: the index and its
    distances (:func:`helpers.dea.malmquist`). ``filled``: cells filled by interpolation.
    """

    frame: pd.DataFrame
    malmquist: pd.DataFrame
    filled: pd.DataFrame
    orientation: str
    rts: str


def measure(
    panel: pd.DataFrame,
    *,
    first_year: int = 2003,
    last_year: int = 2017,
    orientation: str = "output",
    rts: str = "crs",
) -> Measurement:
    """The paper's variables on ``first_year``..``last_year``.

    1. Missing sector-employment and control cells are filled by linear interpolation
       within a city (reported in ``filled``); the DEA data may not be missing.
    2. Malmquist index of inputs employment and capital stock and output real GDP
       (DEAP 2.1: ``orientation="output"``, ``rts="crs"``), cumulated:
       ``TFP_i,first = 1``, ``TFP_it = TFP_i,t-1 x tfpch_it`` (Section 3.1 (1)); TE from
       ``techch`` and EC from ``effch`` in the same way.
    3. ``SAGG_jt = (x_jt / y_jt) / (X_t / Y_t)``, eq. (1): ``x`` producer-service employment
       (all five sectors, the three high-end or the two low-end ones), ``y`` the city's
       employment, ``X`` and ``Y`` their sums over the sample's cities in the year.
    """
    check_choice("orientation", orientation, ORIENTATIONS)
    check_choice("rts", rts, RTS)
    years = pd.to_numeric(panel[TIME]).astype(int)
    sample = panel[(years >= first_year) & (years <= last_year)].reset_index(drop=True)
    sample[TIME] = sample[TIME].astype(int)
    present = sorted(set(sample[TIME]))
    if len(present) < 4 or present[0] != first_year:
        raise InputError(
            f"the data must cover first_year and at least four years (two are lost to the "
            f"lagged instruments); found {present}",
            parameter="first_year",
        )
    fillable = [*HIGH_END, *LOW_END, *CONTROLS]
    for col in [*fillable, *DEA_INPUTS, DEA_OUTPUT]:
        sample[col] = pd.to_numeric(sample[col]).astype(float)
    dea_missing = sample[[*DEA_INPUTS, DEA_OUTPUT]].isna().any(axis=1)
    if dea_missing.any():
        keys = sample.loc[dea_missing, [UNIT, TIME]].astype(str).agg("/".join, axis=1)
        raise InputError(
            "the Malmquist index needs every DEA input and output in every year",
            column=", ".join([*DEA_INPUTS, DEA_OUTPUT]),
            rows=keys.tolist(),
        )
    interpolation = interpolate_within(sample, fillable, unit=UNIT, time=TIME)
    sample = interpolation.data
    index = malmquist(
        sample,
        list(DEA_INPUTS),
        DEA_OUTPUT,
        unit=UNIT,
        time=TIME,
        orientation=orientation,
        rts=rts,
        workers=1,
    )
    levels = cumulate(index, list(OUTCOMES.values()), unit=UNIT, time=TIME)
    out = sample[[UNIT, TIME, "region"]].copy()
    out["region"] = out["region"].astype(str)
    for name, source in OUTCOMES.items():
        out[name] = levels[source].to_numpy()
    for name, sectors in SECTORS.items():
        data = sample[[UNIT, TIME, "employment"]].assign(_x=sample[list(sectors)].sum(axis=1))
        out[name] = location_quotient(data, "_x", "employment", unit=UNIT, time=TIME).to_numpy()
    for col in CONTROLS:
        out[col] = sample[col].to_numpy()
    return Measurement(out, index, interpolation.filled, orientation, rts)


def descriptive_statistics(frame: pd.DataFrame) -> pd.DataFrame:
    """Obs, mean, sd (n-1), min and max of the measured variables (the paper prints none)."""
    return describe(frame, [*OUTCOMES, *SECTORS, *CONTROLS], ("obs", "mean", "sd", "min", "max"))


# --------------------------------------------------------------------------- estimation
def _vcov(se_type: str) -> dict[str, str | None]:
    check_choice("se_type", se_type, SE_TYPES)
    return {"vcov": se_type, "cluster": UNIT if se_type == "cluster" else None}


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


@dataclass(frozen=True)
class Estimates:
    """Every regression column of Tables 1-3: ``fits[(table, column)]``; a column that
    is not estimated has the reason in ``failures``."""

    fits: dict[tuple[str, str], ColumnFit]
    failures: dict[tuple[str, str], str] = field(default_factory=dict)
    se_type: str = "robust"
    lags: tuple[int, ...] = (1, 2)
    estimator: str = "gmm"

    def __getitem__(self, key: tuple[str, str]) -> ColumnFit:
        return self.fits[key]


def check_regions(regions: Iterable[str]) -> tuple[str, ...]:
    """Regions of Table 2 to estimate: a non-empty subset of East, Central, West."""
    regions = tuple(regions)
    for region in regions:
        check_choice("regions", region, REGIONS)
    if not regions:
        raise InputError(f"choose at least one of {list(REGIONS)}", parameter="regions")
    return regions


def estimate(
    frame: pd.DataFrame,
    *,
    se_type: str = "robust",
    lags: Iterable[int] = (1, 2),
    estimator: str = "gmm",
    regions: Iterable[str] = REGIONS,
    columns: Iterable[Column] = COLUMNS,
) -> Estimates:
    """All regression columns on the measured ``frame``.

    Table 1 always shows 2SLS (columns 1-3) beside IV-GMM (4-6), as printed;
    ``estimator`` (``"gmm"``, the paper's, or ``"2sls"``) is used for Tables 2 and 3.
    Table 2 columns of a region not in ``regions`` are not estimated (empty cells).
    """
    _vcov(se_type)
    lags = check_lags(lags)
    check_choice("estimator", estimator, tuple(ESTIMATORS))
    regions = check_regions(regions)
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
    return Estimates(fits, failures, se_type, lags, estimator)


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


# --------------------------------------------------------------------------- tidy cells
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
    from helpers.tables import sign_and_significance

    return sign_and_significance(published, cells, PAPER, ["SAGG"])


def insignificant_match_bound(level: float = 0.10) -> float:
    """The largest probability that a replication reproduces the sign and the class of a
    column printed insignificant at ``level``, when its t statistic is N(mu, 1): the
    t must fall between 0 and the critical value z on the printed side, which is most likely
    at mu = z / 2, with probability ``2 Phi(z / 2) - 1`` (0.59 at 10%;
    :func:`helpers.simulate.calibration.class_probability` at that mean)."""
    from scipy.stats import norm

    from helpers.simulate.calibration import class_probability

    half = norm.isf(level / 2) / 2
    return float(class_probability(half, 1.0, 1.0, False, level=level))


def best_expected_agreement(score: pd.DataFrame, level: float = 0.10) -> float:
    """The best expected share of columns whose sign and class a replication with t ~ N(mu, 1)
    can reproduce, given which published columns are significant (``score``: the rows of
    :func:`agreement`): a significant column can be matched with probability near 1 (large
    mu), an insignificant one at most :func:`insignificant_match_bound`."""
    significant = score["significant_published"].to_numpy(bool)
    return float(np.where(significant, 1.0, insignificant_match_bound(level)).mean())
