"""Structural, raw-level simulation of the producer_services panel (paper 003).

The process, for the 261 synthetic cities i of :func:`units`
(101 East, 99 Central, 61 West) and the years t = 2003-2017. Every value is a row of
``data/simulation/producer_services_parameters.csv`` with its source (a table cell of
paper 003, a calibration target, a knob, or a stated assumption):

1. City size ``S_i`` (larger in the East) sets employment ``L_it`` (urban-unit
   employees, 10,000 persons, growing ``emp_growth`` a year with an AR(1) wobble) and
   real investment ``I_it`` (10,000 yuan at 2003 prices, growing ``inv_growth`` a year);
   the capital stock is the perpetual inventory of ``I`` with 9.6% depreciation
   (:func:`helpers.panel.perpetual_inventory`, starting stock ``I_0 / (g + delta)``).
2. Producer-service employment: high-end and low-end shares of employment
   ``s^H_it = share_H exp(trait^H_i + a^H_it + e^H_it)``, ``s^L`` alike, where ``a`` is
   a stationary AR(1) (persistence ``lq_persistence``, so the first and second lags are
   strong instruments) and ``e`` a transitory movement correlated with the city's
   productivity shock ``u_it`` (``endogeneity``: reverse causality, the reason the
   paper's DWH tests reject exogeneity). ``u`` is i.i.d. and does not persist in ``a``,
   so the lags are valid in levels; the within transformation still leaves them a
   bias of order 1/T (a lag's ``e`` meets the city mean of ``u``), a small fraction of
   the OLS bias with 13 years. Each group's employment
   is split into its sectors (information, finance, research; transport, leasing) by
   city-specific, slowly varying proportions.
3. Productivity ``ln A_it = a_i + g (t - 2003) + beta^H_r(i) LQ^H_it + beta^L_r(i) LQ^L_it
   + gamma' (X_it - mean_t X_it) + sigma_u s_r(i) u_it``, with ``LQ`` the location quotients
   of eq. (1) that the chapter measures, regional slopes ``beta`` (Table 2), a western shock
   scale ``s_West`` after Table 2's larger western SEs, and the controls X planted at Table 1
   column (4) on their within-city movement (``control_level_effect`` = 0): a fixed-effects
   coefficient identifies only that, and the between-city levels of the controls, if they
   acted too, would be a persistent productivity trait (see below). There is no further
   persistent city productivity trait (``tfp_level_sd`` = 0; see its row for why).
4. Real GDP ``Y_it = A_it L_it^alpha K_it^(1 - alpha)`` (constant returns, so the CRS
   Malmquist index of the chapter measures ``A`` up to the frontier's piecewise-linear
   shape); the controls STR, GOV, PGDP, FDI, H, ROAD, POP are persistent city traits
   plus AR(1) movements, correlated with size (PGDP is driven by capital per worker,
   not by ``A``, so it is not a bad control).

Knobs (keyword overrides of :func:`simulate`): ``effect_scale`` (0 switches both
agglomeration effects off), ``noise_scale``, ``endogeneity``, ``missing_share``, and, off by
default, ``lq_common_share`` with ``mix_east`` / ``mix_west`` (agglomeration that moves
together within a region, and regional input mixes: the only way in this process for a
city's own agglomeration to show up in measured technical change).
:func:`helpers.papers.producer_services.calibration.recovery` runs the baseline on one seed
beside the effect the calibrated process plants.

The chapter measures TFP as the cumulated DEA-Malmquist index, which is a nonlinear,
frontier-relative transform of ``A``; the regional slopes are therefore calibrated
(:func:`helpers.papers.producer_services.calibration.calibrate_slopes`) so that the mean
IV-GMM estimates on the measured TFP match Table 1 columns (4)-(6) and Table 2 (weighted by
the published SEs); :func:`helpers.papers.producer_services.calibration.calibration_report`
shows every target and ``data/simulation/ producer_services_calibration.csv`` stores it.

Cross-seed variance. A persistent productivity trait spreads the cities out from the DEA
frontier, which is then spanned by a handful of cities whose shocks move every other city's
measured TFP: that frontier error does not shrink with ``u`` and makes the estimates vary
across seeds more than their robust SEs say. When the controls acted through their levels
(``control_level_effect`` = 1) they were such a trait (about 0.08 log points of A through
POP) and the sd of the estimates across seeds was 1.2-2 times their mean robust SE in most
columns; acting within cities, it is 0.6-1.1 times in Table 1 and 0.9-1.6 times in Table 2
(seeds 0-19; ``coef_std`` against ``se_mean`` in the calibration table; for the baseline 0.8
there and 1.1 on the 50 fresh seeds of the recovery test, so 20 seeds pin these ratios down
only roughly), and the slopes were recalibrated for this process. The shock scales are set
after the printed SEs (see ``sigma_u`` for how close they now are); they are not calibrated
to the printed significance classes as in the coordination chapter.
:func:`helpers.papers.producer_services.calibration.agreement_by_seed` measures the
agreement seed by seed.

TE and EC (Table 3) are not planted
separately: for a city inside the frontier a rise in its own ``A`` is efficiency
change, and only the cities that span the frontier pass it into technical change (about ten
cities a year here). A city-specific channel into TE, such as spillovers of a city's
agglomeration to the frontier cities at its input mix, keeps inference valid (the regressor
stays independent across cities; only the residual is common), but it cannot add TE without
taking it from EC or adding noise to TFP: in levels TFP = TE x EC, so with the TFP slope held at
Table 1's 0.050 a TE slope of c lowers the EC slope by about c if only the frontier moves, or,
if the followers adopt the frontier shift, puts the pooled agglomeration of about 26 cities
per frontier city into every city's TFP (noise of c sd(LQ) sqrt(26), about 0.05 log points for
c = 0.03, more than ``sigma_u``). The published TE and EC slopes add up to about three times
the TFP slope, which no process with TFP = TE x EC reproduces together.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from helpers.fixed_effects import Absorber
from helpers.panel import perpetual_inventory
from helpers.papers import interface
from helpers.papers.producer_services.variables import (
    CONTRACT,
    CONTROLS,
    DEFAULT_SEED,
    HIGH_END,
    KNOBS,
    LOW_END,
    REGIONS,
    SLUG,
)
from helpers.paths import DATA_DIR
from helpers.simulate.frame import panel_frame, synthetic_cities
from helpers.simulate.planted import planted_rows, planted_values
from helpers.simulate.shocks import ar1_within, lognormal, standardise

PARAMETERS_CSV = DATA_DIR / "simulation" / "producer_services_parameters.csv"


FIRST_YEAR = 2003


LOGNORMAL_CONTROLS = ("str", "gov", "fdi", "h", "road")


HOLED_COLUMNS = (*HIGH_END, *LOW_END, *CONTROLS)


def parameters() -> pd.DataFrame:
    """The planted parameter table: parameter, value, unit, source, note."""
    return pd.read_csv(PARAMETERS_CSV)


def _values(overrides: dict[str, float]) -> dict[str, float]:
    return planted_values(PARAMETERS_CSV, overrides, non_negative=("noise_scale", "effect_scale"))


@dataclass(frozen=True)
class _Draws:
    """Every random number of one simulation, drawn once in a fixed order."""

    size: np.ndarray  # (cities,)
    productivity: np.ndarray  # (cities,) persistent TFP level
    capital_intensity: np.ndarray  # (cities,)
    employment_shock: np.ndarray  # (rows,)
    investment_shock: np.ndarray  # (rows,)
    investment_growth: np.ndarray  # (cities,)
    shock: np.ndarray  # (rows,) productivity shock u
    trait: np.ndarray  # (cities, 2) high/low agglomeration traits
    agglomeration: np.ndarray  # (rows, 2) innovations of the persistent AR(1)
    transitory: np.ndarray  # (rows, 2) own part of the transitory component
    split_between: np.ndarray  # (cities, 5) sector proportions within groups
    split_within: np.ndarray  # (rows, 5)
    control_between: np.ndarray  # (cities, controls)
    control_within: np.ndarray  # (rows, controls)
    missing: np.ndarray  # uniform (rows, holed columns)
    regional: np.ndarray  # (regions x years, 2) innovations of the regional movements


def _draw(rng: np.random.Generator, n_units: int, n_rows: int, n_years: int) -> _Draws:
    k = len(CONTROLS)
    return _Draws(
        size=rng.standard_normal(n_units),
        productivity=rng.standard_normal(n_units),
        capital_intensity=rng.standard_normal(n_units),
        employment_shock=rng.standard_normal(n_rows),
        investment_shock=rng.standard_normal(n_rows),
        investment_growth=rng.standard_normal(n_units),
        shock=rng.standard_normal(n_rows),
        trait=rng.standard_normal((n_units, 2)),
        agglomeration=rng.standard_normal((n_rows, 2)),
        transitory=rng.standard_normal((n_rows, 2)),
        split_between=rng.standard_normal((n_units, 5)),
        split_within=rng.standard_normal((n_rows, 5)),
        control_between=rng.standard_normal((n_units, k)),
        control_within=rng.standard_normal((n_rows, k)),
        missing=rng.random((n_rows, len(HOLED_COLUMNS))),
        regional=rng.standard_normal((len(REGIONS) * n_years, 2)),
    )


def units() -> pd.DataFrame:
    """The 261 synthetic cities (city, province, region, municipality) in the paper's
    regional counts (101 East, 99 Central, 61 West)."""
    return synthetic_cities(CONTRACT).drop(columns="first_in_province")


@dataclass(frozen=True)
class _Design:
    frame: pd.DataFrame  # city, year, region
    city: np.ndarray
    t: np.ndarray
    region: np.ndarray  # region of each city
    n_years: int


@lru_cache(maxsize=1)
def _design() -> _Design:
    frame = panel_frame(CONTRACT, units())[["city", "year", "region"]].reset_index(drop=True)
    city = pd.factorize(frame["city"])[0]
    return _Design(
        frame=frame,
        city=city,
        t=(frame["year"] - FIRST_YEAR).to_numpy(float),
        region=frame.groupby(city)["region"].first().to_numpy(str),
        n_years=frame["year"].nunique(),
    )


def _by_region(region: np.ndarray, p: dict[str, float], prefix: str) -> np.ndarray:
    return np.select([region == r for r in REGIONS], [p[f"{prefix}_{r.lower()}"] for r in REGIONS])


def _quotient(share: np.ndarray, employment: np.ndarray, year: np.ndarray) -> np.ndarray:
    """Location quotient of a group with the given share of employment (eq. 1)."""
    x = pd.Series(share * employment)
    national = x.groupby(year).transform("sum") / pd.Series(employment).groupby(year).transform(
        "sum"
    )
    return share / national.to_numpy()


def _controls(d: _Draws, d_: _Design, size_std: np.ndarray, kl: np.ndarray, p) -> dict:
    """The seven controls: persistent city traits plus AR(1) movements, correlated with size."""
    out = {}
    between = p["control_between_share"]
    t = d_.t
    for k, name in enumerate(CONTROLS):
        within = ar1_within(d.control_within[:, k], d_.n_years, p["control_persistence"])
        own = np.sqrt(between) * d.control_between[d_.city, k] + np.sqrt(1 - between) * within
        r = p[f"{name}_size_corr"]
        z = r * size_std[d_.city] + np.sqrt(1 - r**2) * own
        if name == "pgdp":  # GDP per capita from capital deepening, not from A
            out[name] = (
                p["pgdp_2003"]
                * (kl / np.exp(np.mean(np.log(kl[t == 0])))) ** p["pgdp_capital_elasticity"]
                * np.exp(p["pgdp_sd"] * z)
            )
        elif name == "pop":  # log average population (10,000 persons)
            out[name] = p["pop_mean"] + p["pop_growth"] * t + p["pop_sd"] * z
        else:
            trend = (1 + p[f"{name}_growth"]) ** t
            out[name] = lognormal(z, p[f"{name}_mean"], p[f"{name}_sd"]) * trend
    out["fdi"] = np.minimum(out["fdi"], 0.5)
    out["h"] = np.minimum(out["h"], 0.5)
    return out


def _generate(seed: int, p: dict[str, float]) -> tuple[pd.DataFrame, np.ndarray]:
    """The complete raw panel and the uniforms that choose its holes."""
    d_ = _design()
    frame, city, t, n_years = d_.frame, d_.city, d_.t, d_.n_years
    d = _draw(np.random.default_rng(seed), len(d_.region), len(frame), n_years)
    noise = p["noise_scale"]
    east = (d_.region == "East").astype(float)
    year = frame["year"].to_numpy()

    # 1. size, employment, investment, capital
    size = p["size_sd"] * d.size + p["size_east"] * east
    size_std = standardise(size)
    employment = (
        p["emp_2003"]
        * np.exp(size[city])
        * (1 + p["emp_growth"]) ** t
        * np.exp(p["emp_shock_sd"] * ar1_within(d.employment_shock, n_years, 0.7))
    )
    intensity = p["capital_intensity_sd"] * d.capital_intensity + _by_region(d_.region, p, "mix")
    growth = p["inv_growth"] + p["inv_growth_sd"] * d.investment_growth
    investment = (
        p["inv_2003"]
        * np.exp(size + intensity)[city]
        * (1 + growth[city]) ** t
        * np.exp(p["inv_shock_sd"] * ar1_within(d.investment_shock, n_years, 0.5))
    )
    keys = frame[["city", "year"]].assign(investment=investment)
    capital = perpetual_inventory(
        keys, "investment", unit="city", time="year", delta=p["depreciation"]
    ).to_numpy()

    # 2. agglomeration: shares of employment with AR(1) movements correlated with u
    rho = p["endogeneity"]
    u = d.shock
    shares, quotients = {}, {}
    for j, group in enumerate(("high", "low")):
        own = ar1_within(d.agglomeration[:, j], n_years, p["lq_persistence"])
        regional = ar1_within(d.regional[:, j], n_years, p["lq_persistence"]).reshape(-1, n_years)
        region_row = pd.Index(REGIONS).get_indexer(d_.region[city])
        common = regional[region_row, t.astype(int)]
        share = p["lq_common_share"]
        movement = np.sqrt(1 - share) * own + np.sqrt(share) * common
        transitory = np.sqrt(1 - rho**2) * d.transitory[:, j] + rho * u
        log_share = (
            np.log(p[f"share_{group}"])
            + p[f"share_{group}_size"] * size_std[city]
            + p[f"share_{group}_trend"] * t
            + p["lq_trait_sd"] * d.trait[city, j]
            + p["lq_within_sd"] * movement
            + p["lq_transitory_sd"] * transitory
        )
        shares[group] = np.exp(log_share)
        quotients[group] = _quotient(shares[group], employment, year)

    # 3-4. productivity and output
    kl = capital / employment
    controls = _controls(d, d_, size_std, kl, p)
    # the controls' within-city movement, X_it - mean_t X_it
    within = Absorber((city,)).demean(np.column_stack([controls[c] for c in CONTROLS]))
    level = p["control_level_effect"]
    effect = p["effect_scale"] * (
        _by_region(d_.region, p, "beta_high")[city] * quotients["high"]
        + _by_region(d_.region, p, "beta_low")[city] * quotients["low"]
    )
    log_a = (
        p["tfp_level_sd"] * d.productivity[city]
        + p["tfp_growth"] * t
        + effect
        + sum(
            p[f"gamma_{c}"] * (level * controls[c] + (1 - level) * within[:, k])
            for k, c in enumerate(CONTROLS)
        )
        + noise * p["sigma_u"] * _by_region(d_.region, p, "sigma_ratio")[city] * u
    )
    alpha = p["labour_elasticity"]
    real_gdp = p["gdp_scale"] * np.exp(log_a) * employment**alpha * capital ** (1 - alpha)

    out = frame.copy()
    out["employment"] = employment
    out["capital_stock"] = capital
    out["real_gdp"] = real_gdp
    for group, sectors in (("high", HIGH_END), ("low", LOW_END)):
        offset = 0 if group == "high" else len(HIGH_END)
        weights = np.column_stack(
            [
                p[f"split.{s}"]
                * np.exp(
                    p["split_between_sd"] * d.split_between[city, offset + k]
                    + p["split_within_sd"] * d.split_within[:, offset + k]
                )
                for k, s in enumerate(sectors)
            ]
        )
        weights /= weights.sum(axis=1, keepdims=True)
        for k, s in enumerate(sectors):
            out[s] = shares[group] * employment * weights[:, k]
    for c in CONTROLS:
        out[c] = controls[c]
    return out[list(CONTRACT.names)], d.missing


def simulate(seed: int | None = None, **overrides: float) -> pd.DataFrame:
    """A simulated producer_services panel (261 cities x 2003-2017) in contract columns.

    ``overrides`` replace rows of :func:`parameters` by name, e.g.
    ``simulate(effect_scale=0)`` (no agglomeration effect), ``simulate(endogeneity=0)``
    (SAGG exogenous), ``simulate(noise_scale=2)``, ``simulate(missing_share=0.05)``
    (holes in the sector-employment and control cells of interior years). The same seed
    and overrides give the same panel; ``seed=None`` is the book's default seed.
    """
    seed = DEFAULT_SEED if seed is None else seed
    p = _values(overrides)
    panel, uniform = _generate(seed, p)
    if p["missing_share"] == 0:
        return panel
    years = panel["year"]
    interior = ((years > years.min()) & (years < years.max())).to_numpy()
    holes = (uniform < p["missing_share"]) & interior[:, None]
    values = panel[list(HOLED_COLUMNS)].to_numpy(dtype=float, copy=True)
    values[holes] = np.nan
    panel[list(HOLED_COLUMNS)] = values
    return panel


def load_panel(
    data: str = "simulated",
    mapping: str = "",
    seed: int | None = None,
    *,
    sheet: str = "",
    delimiter: str = "",
    **knobs: float,
) -> pd.DataFrame:
    """The raw panel: ``"simulated"`` (:func:`simulate` with ``seed`` and the teaching
    ``knobs`` of :data:`KNOBS`) or a file validated against the contract."""
    return interface.load_panel(
        SLUG,
        simulate,
        data,
        mapping,
        seed,
        knobs,
        KNOBS,
        sheet=sheet,
        delimiter=delimiter,
    )


def planted_truth() -> pd.DataFrame:
    """The generating process's planted regional slopes of productivity on high-end and
    low-end agglomeration and its knobs (rows of the parameter table)."""
    return planted_rows(
        SLUG,
        [
            "beta_high_east",
            "beta_high_central",
            "beta_high_west",
            "beta_low_east",
            "beta_low_central",
            "beta_low_west",
            "effect_scale",
            "noise_scale",
            "endogeneity",
        ],
    )
