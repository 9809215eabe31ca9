"""Structural, raw-level simulation of the bigdata_did panel (paper 004).

The process, for the 284 synthetic cities i of :func:`units`
(19 key, 114 resource-based, 67 pilots from 2016) and the years t = 2014-2022. Every
value is a row of ``data/simulation/bigdata_did_parameters.csv`` with its source (a
table cell of paper 004, a calibration target, or a stated assumption):

1. A latent city size ``S_i``: larger in key cities and in pilot cities (Table 3
   columns (1) and (3): pilots have higher NQP levels), smaller in resource-based ones.
2. The pilot's dynamic profile ``P_it = h(t - 2016)`` for pilot cities from 2016 on,
   ``h(k) = 1 + ramp (k - 3) / 3`` (mean 1 over the seven post years; Figure 1's
   growing effects), ``anticipation x h(0)`` in 2015 and 0 otherwise.
3. The mediators: the digital inclusive finance index
   ``DFI_it = national_t + b_i + trend_i (t - 2018) + AR(1) + delta_dfi P_it`` and green
   invention applications ``GIP_it ~ Poisson(exp(m_it + delta_gip P_it))`` (drawn by
   inverse CDF so that parameters move counts smoothly), ``LnGIP = ln(1 + GIP)``.
4. The latent NQP shift common to all 12 indicators (log points, in each indicator's
   good direction)
   ``q_it = g_i (t - 2018) + xi_it + theta_g(i) P_it + kappa_dfi (DFI_it - national_t)
   + kappa_gip (LnGIP_it - national_t) + pre_trend D_i (t - 2015)``
   with a city growth rate ``g_i`` (the endogeneity knob correlates it with D_i),
   an AR(1) shock ``xi`` and direct effects ``theta`` for key, ordinary
   non-resource-based and resource-based cities (Table 6).
5. Indicator j: ``ln x_jit = ln level_j + size_j S_i + resource_j R_i + c_ij growth_j t
   + trait_ij + noise_ijt + d_j q_it`` (logit scale for the two bounded indicators;
   ``d_j = -1`` for energy and SO2 intensity). Percentage growth falls with size,
   ``c_ij = exp(-convergence size_j (S_i - median S))``: with equal percentage growth
   the larger pilots would gain more index points a year than the controls, and
   parallel trends would fail *in levels*, the scale of the index.
6. Controls LnGDP, Fin, Str, Com, Gov with Table 2 moments, correlated with size,
   mostly between cities, not affected by the pilot (they are not bad controls).

The chapter builds NQP as the pooled entropy index of the 12 indicators
(:func:`helpers.papers.bigdata_did.measurement.measured`). The estimand of the TWFE DID is
the ATT on the index *as measured*: the mean over pilot city-years 2016-2022 of ``NQP_it -
NQP_it^0``, where ``NQP^0`` applies the observed panel's entropy weights and min-max bounds
(a fixed linear map, which the regression sees) to the counterfactual indicators of the same
draws with the policy off (:func:`helpers.papers.bigdata_did.calibration.estimand`). The
direct effects and the mediator responses are calibrated
(:func:`helpers.papers.bigdata_did.calibration.calibrate_effects`) so that the mean
estimates over seeds match Table 3 column (4), Table 5 columns (2) and (4) and Table 6;
:func:`helpers.papers.bigdata_did.calibration.calibration_report` shows every target.

Knobs (keyword overrides of :func:`simulate`): ``effect_scale`` (0 switches every
policy effect off), ``noise_scale``, ``pre_trend``, ``anticipation``, ``missing_share``
and ``endogeneity``. :func:`helpers.papers.bigdata_did.calibration.recovery` runs the
baseline DID beside its estimand on one seed, and
:func:`helpers.papers.bigdata_did.calibration.agreement` compares the paper's regression
columns with the published stars.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from helpers.inference import poisson_ppf
from helpers.papers import interface
from helpers.papers.bigdata_did.variables import CONTRACT, CONTROLS, DEFAULT_SEED, KNOBS, SLUG
from helpers.paths import DATA_DIR
from helpers.simulate.frame import frame_rng, panel_frame, pick, synthetic_cities
from helpers.simulate.planted import planted_rows, planted_values
from helpers.simulate.shocks import ar1_within, lognormal, standardise

PARAMETERS_CSV = DATA_DIR / "simulation" / "bigdata_did_parameters.csv"


FIRST_YEAR = 2014


LAST_YEAR = 2022


CENTRE_YEAR = 2018


LOGNORMAL_CONTROLS = ("fin", "str", "gov")


COUNT_COLUMNS = (
    "invention_patents_granted",
    "faculty",
    "students",
    "digital_patent_applications",
)


BOUNDED = {
    "science_education_spending_share": (0.0, 1.0),
    "wastewater_treatment_rate": (0.0, 100.0),
}


def parameters() -> pd.DataFrame:
    """The planted parameter table: parameter, value, unit, source, note."""
    return pd.read_csv(PARAMETERS_CSV)


def _values(overrides: dict[str, float]) -> dict[str, float]:
    return planted_values(
        PARAMETERS_CSV, overrides, non_negative=("noise_scale", "effect_scale", "anticipation")
    )


@dataclass(frozen=True)
class _Draws:
    """Every random number of one simulation, drawn once in a fixed order."""

    size: np.ndarray  # (cities,)
    growth: np.ndarray  # (cities,) city NQP growth
    shock: np.ndarray  # (rows,) NQP shock innovations
    trait: np.ndarray  # (cities, indicators)
    noise: np.ndarray  # (rows, indicators)
    dfi_level: np.ndarray
    dfi_trend: np.ndarray
    dfi_shock: np.ndarray
    gip_level: np.ndarray
    gip_trend: np.ndarray
    gip_shock: np.ndarray
    gip_count: np.ndarray  # uniform (rows,) for the Poisson inverse CDF
    control_between: np.ndarray  # (cities, controls)
    control_within: np.ndarray  # (rows, controls)
    missing: np.ndarray  # uniform (rows, indicators)


def _draw(rng: np.random.Generator, n_units: int, n_rows: int, n_indicators: int) -> _Draws:
    return _Draws(
        size=rng.standard_normal(n_units),
        growth=rng.standard_normal(n_units),
        shock=rng.standard_normal(n_rows),
        trait=rng.standard_normal((n_units, n_indicators)),
        noise=rng.standard_normal((n_rows, n_indicators)),
        dfi_level=rng.standard_normal(n_units),
        dfi_trend=rng.standard_normal(n_units),
        dfi_shock=rng.standard_normal(n_rows),
        gip_level=rng.standard_normal(n_units),
        gip_trend=rng.standard_normal(n_units),
        gip_shock=rng.standard_normal(n_rows),
        gip_count=rng.random(n_rows),
        control_between=rng.standard_normal((n_units, len(CONTROLS))),
        control_within=rng.standard_normal((n_rows, len(CONTROLS))),
        missing=rng.random((n_rows, n_indicators)),
    )


def _bigdata_flags(
    cities: pd.DataFrame, groups: dict, treatment_year: int, rng: np.random.Generator
) -> pd.DataFrame:
    # 19 key cities = the 4 municipalities + the first city of 15 provinces.
    heads = cities.index[cities["first_in_province"] & (cities["municipality"] == 0)]
    key = pick(rng, heads, groups["key_city"] - groups["municipality"])
    cities["key_city"] = (cities.index.isin(key) | (cities["municipality"] == 1)).astype(int)
    ordinary = cities.index[cities["key_city"] == 0]
    resource = pick(rng, ordinary, groups["resource_based"])
    cities["resource_based"] = cities.index.isin(resource).astype(int)
    # As in 2016, the pilots are whole provinces plus the municipalities; the last
    # province drawn is treated only in part (like the Pearl River Delta in Guangdong).
    treated = list(cities.index[cities["municipality"] == 1])
    for province in rng.permutation(cities.loc[cities["municipality"] == 0, "province"].unique()):
        if len(treated) >= groups["treated"]:
            break
        members = cities.index[cities["province"] == province]
        treated += list(members[: groups["treated"] - len(treated)])
    cities["bdpz_year"] = pd.Series(pd.NA, index=cities.index, dtype="Int64")
    cities.loc[treated, "bdpz_year"] = treatment_year
    return cities


def units() -> pd.DataFrame:
    """The 284 synthetic cities: city, province, region, municipality, key_city,
    resource_based and bdpz_year (``Int64``, ``<NA>`` for never; 19 key, 114
    resource-based, 67 treated in 2016), the flags drawn once by
    :func:`helpers.simulate.frame.frame_rng`."""
    cities = synthetic_cities(CONTRACT)
    groups = dict(CONTRACT.sample.groups)
    cities = _bigdata_flags(cities, groups, CONTRACT.sample.treatment_year, frame_rng(SLUG))
    return cities.drop(columns="first_in_province")


@dataclass(frozen=True)
class _Design:
    frame: pd.DataFrame  # city, year, key_city, resource_based, bdpz_year (contract columns)
    city: np.ndarray  # city index of each row
    t: np.ndarray  # years since 2014
    treated: np.ndarray  # 0/1 per city
    event: np.ndarray  # event time per row (nan for never treated)
    n_years: int


@lru_cache(maxsize=1)
def _design() -> _Design:
    """The frame as arrays (cached: it is read from the contract and fixed for every seed)."""
    frame = panel_frame(CONTRACT, units())[
        ["city", "year", "key_city", "resource_based", "bdpz_year"]
    ]
    frame = frame.reset_index(drop=True)
    city = pd.factorize(frame["city"])[0]
    treated = frame.groupby(city)["bdpz_year"].first().notna().to_numpy(float)
    adoption = pd.to_numeric(frame["bdpz_year"]).to_numpy(float, na_value=np.nan)
    return _Design(
        frame=frame,
        city=city,
        t=(frame["year"] - FIRST_YEAR).to_numpy(float),
        treated=treated,
        event=frame["year"].to_numpy(float) - adoption,
        n_years=frame["year"].nunique(),
    )


def _profile(event: np.ndarray, p: dict[str, float], last_k: int) -> np.ndarray:
    """Policy exposure ``P_it``: the ramp after adoption, anticipation the year before."""
    half = last_k / 2
    post = 1 + p["effect_ramp"] * (event - half) / half
    out = np.where(event >= 0, post, 0.0)
    first = 1 - p["effect_ramp"]
    out = np.where(event == -1, p["anticipation"] * first, out)
    return np.nan_to_num(out) * p["effect_scale"]


def _generate(seed: int, p: dict[str, float]) -> tuple[pd.DataFrame, np.ndarray]:
    """The complete raw panel and the uniforms (rows x indicators) that choose its holes."""
    d_ = _design()
    frame, city, t = d_.frame, d_.city, d_.t
    contract = CONTRACT
    spec = contract.index_spec()
    n_units = len(d_.treated)
    draws = _draw(np.random.default_rng(seed), n_units, len(frame), len(spec))
    key = frame.groupby(city)["key_city"].first().to_numpy(float)
    resource = frame.groupby(city)["resource_based"].first().to_numpy(float)
    noise = p["noise_scale"]
    centred = t - (CENTRE_YEAR - FIRST_YEAR)

    # 2. policy exposure (the knobs effect_scale, effect_ramp and anticipation)
    exposure = _profile(d_.event, p, int(np.nanmax(d_.event)))

    # 1. latent size
    size = (
        p["size_sd"] * draws.size
        + p["size_key"] * key
        + p["resource_size"] * resource
        + p["pilot_size"] * d_.treated
    )
    size_std = standardise(size)

    # 3. mediators
    rho_s = p["dfi_size_corr"]
    dfi_national = p["dfi_2014"] + p["dfi_growth"] * t
    dfi_level = p["dfi_between_sd"] * (rho_s * size_std + np.sqrt(1 - rho_s**2) * draws.dfi_level)
    dfi = (
        dfi_national
        + dfi_level[city]
        + noise * p["dfi_trend_sd"] * draws.dfi_trend[city] * centred
        + noise
        * p["dfi_shock_sd"]
        * ar1_within(draws.dfi_shock, d_.n_years, p["shock_persistence"])
        + p["delta_dfi"] * exposure
    )
    gip_national = np.log(p["gip_level"]) + p["gip_growth"] * t
    log_gip = (
        gip_national
        + p["gip_size"] * (size - np.median(size))[city]
        + noise * p["gip_trend_sd"] * draws.gip_trend[city] * centred
        + noise
        * p["gip_shock_sd"]
        * ar1_within(draws.gip_shock, d_.n_years, p["shock_persistence"])
        + p["delta_gip"] * exposure
    )
    gip = poisson_ppf(draws.gip_count, np.exp(log_gip))
    lngip = np.log1p(gip)

    # 4. latent NQP shift
    rho = p["endogeneity"]
    growth = p["growth_sd"] * (np.sqrt(1 - rho**2) * draws.growth + rho * standardise(d_.treated))
    theta = np.where(
        key == 1, p["theta_key"], np.where(resource == 1, p["theta_resource"], p["theta_ordinary"])
    )
    q = (
        growth[city] * centred
        + noise * p["shock_sd"] * ar1_within(draws.shock, d_.n_years, p["shock_persistence"])
        + theta[city] * exposure
        + p["kappa_dfi"] * (dfi - dfi_national)
        + p["kappa_gip"] * (lngip - gip_national)
        + p["pre_trend"] * d_.treated[city] * (t - 1)
    )

    # 5. indicators
    size_gap = (size - np.median(size))[city]
    out = frame.copy()
    for j, ind in enumerate(spec):
        name = ind.column
        sign = 1.0 if ind.direction == "positive" else -1.0
        score = (
            p[f"size.{name}"] * size[city]
            + p[f"resource.{name}"] * resource[city]
            # convergence: percentage growth falls with size (at 1 exactly offsetting the
            # size loading), so larger cities do not gain more index points a year
            + p[f"growth.{name}"] * np.exp(-p["convergence"] * p[f"size.{name}"] * size_gap) * t
            + p["indicator_trait_sd"] * draws.trait[city, j]
            + noise * p["indicator_noise_sd"] * draws.noise[:, j]
            + sign * q
        )
        level = p[f"level.{name}"]
        if name in BOUNDED:
            low, high = BOUNDED[name]
            out[name] = low + (high - low) * expit(logit((level - low) / (high - low)) + score)
        else:
            out[name] = level * np.exp(score)
        if name in COUNT_COLUMNS:
            out[name] = np.round(out[name])

    # 6. controls
    for k, name in enumerate(CONTROLS):
        r = p[f"{name}_size_corr"]
        between = p["control_between_share"]
        within = ar1_within(draws.control_within[:, k], d_.n_years, p["control_persistence"])
        own = np.sqrt(between) * draws.control_between[city, k] + np.sqrt(1 - between) * within
        z = r * size_std[city] + np.sqrt(1 - r**2) * own
        mean, sd = p[f"{name}_mean"], p[f"{name}_sd"]
        if name == "lngdp":
            trend_sd = p["lngdp_growth"] * centred.std()
            out[name] = mean + p["lngdp_growth"] * centred + np.sqrt(sd**2 - trend_sd**2) * z
        elif name == "com":
            out[name] = np.clip(mean + sd * z, 0.01, 0.99)
        else:
            out[name] = lognormal(z, mean, sd)
    out["dfi"] = dfi
    out["green_invention_applications"] = gip
    return out[list(contract.names)], draws.missing


def simulate(seed: int | None = None, **overrides: float) -> pd.DataFrame:
    """A simulated bigdata_did panel (284 cities x 2014-2022) in contract columns.

    ``overrides`` replace rows of :func:`parameters` by name, e.g.
    ``simulate(effect_scale=0)`` (no policy effect), ``simulate(pre_trend=0.02)``,
    ``simulate(anticipation=1)``, ``simulate(endogeneity=0.5)``,
    ``simulate(missing_share=0.05)``. The same seed and overrides give the same panel;
    ``seed=None`` is the book's default seed.
    """
    seed = DEFAULT_SEED if seed is None else seed
    p = _values(overrides)
    panel, uniform = _generate(seed, p)
    if p["missing_share"] == 0:
        return panel
    years = panel["year"]
    interior = ((years > years.min()) & (years < years.max())).to_numpy()
    holes = (uniform < p["missing_share"]) & interior[:, None]
    columns = [i.column for i in CONTRACT.index_spec()]
    values = panel[columns].to_numpy(dtype=float, copy=True)
    values[holes] = np.nan
    panel[columns] = values
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
    """The generating process's planted policy effects and knobs (rows of the parameter
    table)."""
    return planted_rows(
        SLUG,
        [
            "theta_key",
            "theta_ordinary",
            "theta_resource",
            "kappa_dfi",
            "kappa_gip",
            "effect_scale",
            "pre_trend",
            "anticipation",
            "endogeneity",
        ],
    )
