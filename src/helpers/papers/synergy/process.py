"""Structural, raw-level simulation of the synergy panel (paper 002).

The process, for the 242 synthetic cities i of :func:`units`
(28 provincial capitals and municipalities, 4 municipalities, 92 resource-based,
115 low-carbon pilots in three batches) and the years t = 2011-2022. Every value is
a row of ``data/simulation/synergy_parameters.csv`` with its source (a table cell of
paper 002, a calibration target, a knob, or a stated assumption):

1. A latent development level ``S_i`` (higher in capitals and municipalities, lower
   in resource-based cities) drives population, GDP per capita (Econ), the controls
   Gov, FDI, Finan and lnpd (Table 3 moments) and the three latent NQP dimensions.
2. Three latent NQP dimensions ``f_dit`` (laborers l, objects o, means m):
   ``f_dit = a_d S_i + g_di (t - 2011) + xi_dit``. The growth rates ``g_li`` and
   ``g_mi`` share a component; ``g_oi`` and the AR(1) shocks ``xi`` are independent,
   so the objects of labour move within cities apart from the rest (Table 4 (4)).
3. The 15 Table 2 indicators follow their dimension in their printed direction,
   lognormal (or logit-normal between bounds) with indicator-specific dispersion
   (which sets their entropy weights), a persistent city trait and noise. The three
   digital-infrastructure indicators of Section 5.4.3 follow a latent ``D_it``
   correlated with the means of labour.
4. ``Nqp`` and its sub-dimensions Nql, Nqo, Nqm are the entropy index of the 15
   indicators as the chapter builds it (pooled, default shift, weights renormalised
   within each tier-1 dimension).
5. Mediators (Table 5): digital financial inclusion (the PKU index /100)
   ``= national_t + city_i + delta_dfi Nqp_it + noise``; green invention applications
   and grants Poisson with ``ln`` means ``city_i + trend + delta Nqp_it + noise``.
   The DFI index is also a Nqp indicator, so steps 4-5 are iterated to a fixed point.
6. Green efficiency ``r_it = baseline_it + effect_it`` (kept smoothly inside (0, 1)),
   ``baseline_it = exp(alpha_i + gamma' X_it + sigma u_it)`` and the effect
   accumulating the changes of the channel ``b_nqp Nqp_it + b_l Nql_it + b_o Nqo_it
   + b_m Nqm_it + kappa_pat (lnpat_it - lnpat_t) + kappa_dfi (dfi_it - dfi_t)``, each scaled by
   the heterogeneity multiplier in force ``m_it = exp(h_cap capital_i + h_res
   resource_i) 2 expit(h_dig Dz_it) + h_pressure pilot_it 1[Dz_it < 0]`` (Table 7; ``Dz_it``
   is the city's digital infrastructure in the year relative to the median city-year, the
   split the chapter makes; the digital switch is bounded, so no city's slope grows
   without bound, and the pressure-induced term is additive, so a negative slope needs
   no floor). The scale
   of the effect is then set so that its two-way within slope on the saturated index
   is ``b_nqp`` on every seed (the shape comes from the b's and the multipliers).
7. DEA data: GDP = exp(Econ) x population; capital stock, employment and energy per
   unit of GDP, and CO2 per unit of energy, are ``level x trait x noise / r``
   (energy and electricity per GDP are therefore the energy-saving mediators of
   Table 5 (1)-(2)); PM2.5 is a concentration falling with ``r`` and over time.

The chapter measures Coor as the SBM score with undesirable outputs on the global frontier
(:func:`helpers.papers.synergy.measurement.measure`), so the planted slopes reach Coor
through the frontier.

Stability across seeds. Three draws used to move the baseline slope (Table 4 (2)) of
every city at once, which the regression SE of one seed cannot see (across seeds its
sd was about 0.26, 3.5 published SEs, against a within-seed SE near 0.1): (a) the
persistent input and emission mix of the four best-practice municipalities that span
the frontier (a lucky mix lowered every other city's score: the median ratio of
measured Coor to planted r had sd 0.08 around 0.40 over six seeds; now 0.03); (b) the
effect was carried by the sub-dimensions alone, and their projection on Nqp (a
difference of positive and negative slopes weighted by within covariances that are
draws) varied tenfold between seeds; (c) multipliers of up to -2.5 with a floor at
-0.3 weighted cities very unequally. Now the frontier cities have the average mix, Nqp
itself carries the effect (the sub-dimension slopes only shape it), the digital
switch is bounded, and the effect's within slope on Nqp is ``b_nqp`` on every seed
(step 6). On the 50 fresh seeds 2000-2049 the baseline's sd is 0.11 against a mean
SE of 0.085, and 90% of the seeds are within two published SEs of the printed baseline;
what is left is the response of the DEA score to the planted efficiency, which differs
between cities (under CRS a small city's PM2.5 slack is nearly all of its PM2.5 whatever
its efficiency, a large city's is not), so it depends on which cities carry each seed's
index variation: :func:`helpers.papers.synergy.calibration.estimand` moves with it (sd 0.09).

The slopes and the heterogeneity multipliers are calibrated
(:func:`helpers.papers.synergy.calibration.calibrate_effects`) to reproduce the paper's
pattern of signs and significance classes as often as possible over the calibration seeds,
with the baseline held within half a published SE of Table 4 (2): the simulated SEs are not
the printed ones, so a printed coefficient of a small group can be significant in the paper
and not here, and matching coefficients would not reproduce what the reader sees.
:func:`helpers.papers.synergy.calibration.calibration_report` shows every column;
:func:`helpers.papers.synergy.calibration.agreement_by_seed` the share reproduced on each
seed.

Energy saving (Table 5 (1)-(2)) works through green efficiency only: energy per unit of
GDP falls with ``r``. A direct response of energy to Nqp, the same in every city, used to
make energy a DEA input that improved with Nqp everywhere, so every city group of Table 7
had a positive slope, whatever its multiplier (the capitals' slope was 0.71 on average
against a printed 0.06).

Knobs (keyword overrides of :func:`simulate`): ``effect_scale`` (0 removes every path
from NQP to efficiency and the mediators), ``noise_scale``, ``endogeneity`` (the
efficiency shock correlated with the NQP shock) and ``missing_share``.
:func:`helpers.papers.synergy.calibration.recovery` compares the baseline estimate with the
effect the same draws carry into measured Coor (``estimand``) and with the fixed calibrated effect.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from helpers.fixed_effects import Absorber
from helpers.inference import poisson_ppf
from helpers.panel import winsorize
from helpers.papers import interface
from helpers.papers.synergy.measurement import nqp_index
from helpers.papers.synergy.variables import (
    CONTRACT,
    CONTROLS,
    DEFAULT_SEED,
    DIGITAL_INDICATORS,
    DIMENSIONS,
    KNOBS,
    SLUG,
)
from helpers.paths import DATA_DIR
from helpers.simulate.frame import frame_rng, panel_frame, pick, synthetic_cities
from helpers.simulate.planted import planted_rows, planted_values
from helpers.simulate.shocks import ar1_within, lognormal, standardise

PARAMETERS_CSV = DATA_DIR / "simulation" / "synergy_parameters.csv"


FIRST_YEAR = 2011


LOGNORMAL_CONTROLS = ("gov", "fdi", "finan")


COUNTS = ("green_patent_applications", "green_patent_grants", "ai_firms")


FIXED_POINT_TOLERANCE = 1e-12


MAX_ROUNDS = 30


LOWCARBON_BATCHES: tuple[tuple[int, int], ...] = ((2010, 35), (2012, 35), (2017, 45))
"""synergy: (pilot year, cities). The years are the NDRC's three low-carbon pilot
batches; the counts are chosen so that the pilot city-years in 2011-2022
(35x12 + 35x11 + 45x6 = 1075) match the 665 + 405 = 1070 high-regulation city-years of
Table 7 columns (5) and (8). The paper does not report the counts."""


def parameters() -> pd.DataFrame:
    """The planted parameter table: parameter, value, unit, source, note."""
    return pd.read_csv(PARAMETERS_CSV)


def _values(overrides: dict[str, float]) -> dict[str, float]:
    return planted_values(PARAMETERS_CSV, overrides, non_negative=("noise_scale", "effect_scale"))


def dimension_of(variable) -> str:
    """Tier-1 dimension key (laborers/objects/means) of a Table 2 indicator."""
    tier1 = (variable.dimension or "").split(" > ")[0].lower()
    for key in DIMENSIONS:
        if key in tier1:
            return key
    raise KeyError(variable.name)


def nqp_indicators() -> tuple:
    """The 15 Table 2 indicators of the contract (those with a printed weight)."""
    return tuple(v for v in CONTRACT.with_role("indicator") if v.weight is not None)


@dataclass(frozen=True)
class _Draws:
    """Every random number of one simulation, drawn once in a fixed order."""

    development: np.ndarray  # (cities,)
    population: np.ndarray  # (cities,)
    density: np.ndarray  # (cities,)
    growth: np.ndarray  # (cities, 4): common l/m, own l, own o, own m
    shock: np.ndarray  # (rows, 3) NQP dimension shocks
    digital: np.ndarray  # (cities, 2) level, growth
    digital_shock: np.ndarray  # (rows,)
    trait: np.ndarray  # (cities, 18) indicator traits
    noise: np.ndarray  # (rows, 18)
    control_between: np.ndarray  # (cities, 5)
    control_within: np.ndarray  # (rows, 5)
    mediator_city: np.ndarray  # (cities, 3): dfi, patents, grants
    mediator_shock: np.ndarray  # (rows, 3)
    counts: np.ndarray  # uniform (rows, 2) for the Poisson inverse CDF
    efficiency_city: np.ndarray  # (cities,)
    efficiency_shock: np.ndarray  # (rows,)
    mix_city: np.ndarray  # (cities, 5): capital, labour, energy, co2, pm
    mix_noise: np.ndarray  # (rows, 6): ... and electricity share
    missing: np.ndarray  # uniform (rows, 15)


def _draw(rng: np.random.Generator, n_units: int, n_rows: int) -> _Draws:
    return _Draws(
        development=rng.standard_normal(n_units),
        population=rng.standard_normal(n_units),
        density=rng.standard_normal(n_units),
        growth=rng.standard_normal((n_units, 4)),
        shock=rng.standard_normal((n_rows, 3)),
        digital=rng.standard_normal((n_units, 2)),
        digital_shock=rng.standard_normal(n_rows),
        trait=rng.standard_normal((n_units, 18)),
        noise=rng.standard_normal((n_rows, 18)),
        control_between=rng.standard_normal((n_units, len(CONTROLS))),
        control_within=rng.standard_normal((n_rows, len(CONTROLS))),
        mediator_city=rng.standard_normal((n_units, 3)),
        mediator_shock=rng.standard_normal((n_rows, 3)),
        counts=rng.random((n_rows, 3)),
        efficiency_city=rng.standard_normal(n_units),
        efficiency_shock=rng.standard_normal(n_rows),
        mix_city=rng.standard_normal((n_units, 5)),
        mix_noise=rng.standard_normal((n_rows, 6)),
        missing=rng.random((n_rows, 15)),
    )


def _synergy_flags(cities: pd.DataFrame, groups: dict, rng: np.random.Generator) -> pd.DataFrame:
    # 28 = the 4 municipalities + one capital (the first city) in 24 of the 26 provinces.
    heads = cities.index[cities["first_in_province"] & (cities["municipality"] == 0)]
    capitals = pick(rng, heads, groups["capital"] - groups["municipality"])
    cities["capital"] = (cities.index.isin(capitals) | (cities["municipality"] == 1)).astype(int)
    ordinary = cities.index[cities["capital"] == 0]
    resource = pick(rng, ordinary, groups["resource_based"])
    cities["resource_based"] = cities.index.isin(resource).astype(int)
    pilot = pd.Series(pd.NA, index=cities.index, dtype="Int64")
    pool = cities.index
    for year, count in LOWCARBON_BATCHES:
        chosen = pick(rng, pool, count)
        pilot[chosen] = year
        pool = pool.difference(chosen)
    cities["lowcarbon_pilot_year"] = pilot
    return cities


def units() -> pd.DataFrame:
    """The 242 synthetic cities: city, province, region, municipality, capital,
    resource_based and lowcarbon_pilot_year (``Int64``, ``<NA>`` for never), in the
    paper's group counts (contract ``sample.groups``), the flags drawn once by
    :func:`helpers.simulate.frame.frame_rng`."""
    cities = synthetic_cities(CONTRACT)
    cities = _synergy_flags(cities, dict(CONTRACT.sample.groups), frame_rng(SLUG))
    return cities.drop(columns="first_in_province")


@dataclass(frozen=True)
class _Design:
    frame: pd.DataFrame  # contract key and group columns
    city: np.ndarray  # city index of each row
    t: np.ndarray  # years since 2011
    capital: np.ndarray  # per city
    municipality: np.ndarray
    resource: np.ndarray
    pilot: np.ndarray  # per row: low-carbon pilot in force
    n_years: int


@lru_cache(maxsize=1)
def _design() -> _Design:
    """The frame as arrays (cached: fixed for every seed)."""
    columns = ["city", "year", "province", "capital", "municipality", "resource_based"]
    frame = panel_frame(CONTRACT, units())[[*columns, "lowcarbon_pilot_year"]].reset_index(
        drop=True
    )
    city = pd.factorize(frame["city"])[0]
    first = frame.groupby(city).first()
    adoption = pd.to_numeric(frame["lowcarbon_pilot_year"]).to_numpy(float, na_value=np.nan)
    return _Design(
        frame=frame,
        city=city,
        t=(frame["year"] - FIRST_YEAR).to_numpy(float),
        capital=first["capital"].to_numpy(float),
        municipality=first["municipality"].to_numpy(float),
        resource=first["resource_based"].to_numpy(float),
        pilot=(frame["year"].to_numpy(float) >= adoption).astype(float),
        n_years=frame["year"].nunique(),
    )


def _indicator(value_level: float, score: np.ndarray, var) -> np.ndarray:
    """An indicator from its score: lognormal, or logit-normal inside the contract bounds."""
    if var.min is not None and var.max is not None:
        low, high = var.min, var.max
        return low + (high - low) * expit(logit((value_level - low) / (high - low)) + score)
    return value_level * np.exp(score)


def _soft_cap(score: np.ndarray, p: dict[str, float]) -> np.ndarray:
    """The upper tail of an indicator's score bent smoothly to at most ``tail_cap`` sds
    above its mean: the largest city-years then share nearly the same maximum, so the
    min-max normalisation (and with it the index scale) is stable across seeds."""
    mean, sd = score.mean(), score.std()
    u = (score - mean) / sd
    knee, width = p["tail_cap"] - p["tail_width"], p["tail_width"]
    bent = np.where(u > knee, knee + width * np.tanh((u - knee) / width), u)
    return mean + sd * bent


def _inside(x: np.ndarray, floor: float, soft: float) -> np.ndarray:
    """``x`` kept smoothly between ``floor`` and 1 (softplus at both ends, width ``soft``)."""
    above = floor + soft * np.logaddexp(0.0, (x - floor) / soft)
    return 1 - soft * np.logaddexp(0.0, (1 - above) / soft)


def _nqp(panel: pd.DataFrame) -> pd.DataFrame:
    """Nqp and its three sub-dimensions as the chapter measures them."""
    index = nqp_index(panel)
    return pd.DataFrame(
        {
            "nqp": index.score.to_numpy(),
            **{k: index.dimension_scores[k].to_numpy() for k in DIMENSIONS},
        }
    )


@dataclass(frozen=True)
class _Latent:
    """The structural pieces a counterfactual run shares with the actual one."""

    panel: pd.DataFrame  # raw contract columns
    nqp: pd.DataFrame  # nqp, laborers, objects, means
    efficiency: np.ndarray  # green efficiency r (share of best practice)


def _generate(seed: int, p: dict[str, float]) -> _Latent:
    d_ = _design()
    frame, city, t = d_.frame, d_.city, d_.t
    n_units, n_years = len(d_.capital), d_.n_years
    draws = _draw(np.random.default_rng(seed), n_units, len(frame))
    noise = p["noise_scale"]
    centred = t - t.mean()

    # 1. development, population, controls
    dev = (
        draws.development
        + p["dev_capital"] * d_.capital
        + p["dev_municipality"] * d_.municipality
        + p["dev_resource"] * d_.resource
    )
    dev = standardise(dev)
    ln_pop = np.log(p["population_median"]) + p["population_dispersion"] * (
        p["population_dev_corr"] * dev
        + np.sqrt(1 - p["population_dev_corr"] ** 2) * draws.population
    )
    population = np.exp(ln_pop[city]) * (1 + p["population_growth"]) ** t
    controls = {}
    for k, name in enumerate(CONTROLS):
        r = p[f"{name}_dev_corr"]
        share = p["control_between_share"]
        within = ar1_within(draws.control_within[:, k], n_years, p["control_persistence"])
        own = np.sqrt(share) * draws.control_between[city, k] + np.sqrt(1 - share) * within
        z = r * dev[city] + np.sqrt(1 - r**2) * own
        mean, sd = p[f"{name}_mean"], p[f"{name}_sd"]
        if name == "econ":
            trend_sd = p["econ_growth"] * centred.std()
            controls[name] = mean + p["econ_growth"] * centred + np.sqrt(sd**2 - trend_sd**2) * z
        elif name == "lnpd":
            controls[name] = mean + sd * z
        else:
            controls[name] = lognormal(z, mean, sd)
    gdp = np.exp(controls["econ"]) * population  # yuan per person x 10,000 persons

    # 2. latent NQP dimensions
    rho = p["growth_lm_corr"]
    growth = {
        "laborers": np.sqrt(rho) * draws.growth[:, 0] + np.sqrt(1 - rho) * draws.growth[:, 1],
        "objects": draws.growth[:, 2],
        "means": np.sqrt(rho) * draws.growth[:, 0] + np.sqrt(1 - rho) * draws.growth[:, 3],
    }
    level, dynamics, latent = {}, {}, {}
    for k, dim in enumerate(DIMENSIONS):
        g = p["nqp_trend"] + p["nqp_growth_sd"] * growth[dim]
        level[dim] = p[f"dev_loading_{dim}"] * dev[city]
        dynamics[dim] = g[city] * t + noise * p["nqp_shock_sd"] * ar1_within(
            draws.shock[:, k], n_years, p["shock_persistence"]
        )
        latent[dim] = level[dim] + dynamics[dim]
    rd = p["digital_means_corr"]
    digital = rd * standardise(latent["means"]) + np.sqrt(1 - rd**2) * (
        draws.digital[city, 0] + 0.15 * draws.digital[city, 1] * centred + 0.3 * draws.digital_shock
    )

    # 3. indicators
    out = frame.copy()
    specs = nqp_indicators()
    contract = CONTRACT
    for j, var in enumerate(specs):
        if var.name == "dfi":  # step 5
            continue
        sign = 1.0 if var.direction == "+" else -1.0
        spread, dim = p[f"spread.{var.name}"], dimension_of(var)
        fixed = spread * (sign * level[dim] + p["indicator_trait_sd"] * draws.trait[city, j])
        # convergence: log growth falls with the city's level so that the indicator's
        # absolute change (what the min-max index sees) does not rise with development;
        # bounded, so that the least developed cities' growth does not explode
        score = (
            fixed
            + spread * sign * dynamics[dim] * np.exp(-p["convergence"] * np.clip(fixed, -0.5, 0.5))
            + spread * noise * p["indicator_noise_sd"] * draws.noise[:, j]
        )
        out[var.name] = _indicator(p[f"level.{var.name}"], _soft_cap(score, p), var)
    for j, name in enumerate(DIGITAL_INDICATORS, start=len(specs)):
        var = contract.variable(name)
        score = p[f"spread.{name}"] * (
            digital
            + p["growth_digital"] * t
            + p["digital_trait_sd"] * draws.trait[city, j]
            + noise * p["digital_noise_sd"] * draws.noise[:, j]
        )
        out[name] = _indicator(p[f"level.{name}"], _soft_cap(score, p), var)
    out["ai_firms"] = np.round(out["ai_firms"])

    # 5. mediators, with the DFI index solved jointly with Nqp (it is also an indicator)
    es = p["effect_scale"]
    dfi_national = p["dfi_2011"] + p["dfi_growth"] * t
    dfi_city = p["dfi_city_sd"] * (0.7 * dev + np.sqrt(1 - 0.49) * draws.mediator_city[:, 0])
    dfi_noise = noise * p["dfi_shock_sd"] * ar1_within(draws.mediator_shock[:, 0], n_years, 0.5)
    nqp = _nqp(out.assign(dfi=100 * (dfi_national + dfi_city[city])))
    for _ in range(MAX_ROUNDS):
        dfi = (
            dfi_national + dfi_city[city] + es * p["delta_dfi"] * nqp["nqp"].to_numpy() + dfi_noise
        )
        updated = _nqp(out.assign(dfi=100 * dfi))
        change = np.max(np.abs(updated["nqp"].to_numpy() - nqp["nqp"].to_numpy()))
        nqp = updated
        if change < FIXED_POINT_TOLERANCE:
            break
    else:
        raise RuntimeError("the synergy simulation did not reach its fixed point")
    out["dfi"] = 100 * dfi
    score = nqp["nqp"].to_numpy()
    ln_app_national = np.log(p["patent_level"]) + p["patent_growth"] * t
    ln_app = (
        ln_app_national
        + p["patent_dev"] * dev[city]
        + p["patent_city_sd"] * draws.mediator_city[city, 1]
        + es * p["delta_applications"] * score
        + noise * p["patent_shock_sd"] * draws.mediator_shock[:, 1]
    )
    ln_grant = (
        ln_app
        + np.log(p["grant_rate"])
        + es * (p["delta_grants"] - p["delta_applications"]) * score
        + noise * p["patent_shock_sd"] * draws.mediator_shock[:, 2]
    )
    out["green_patent_applications"] = poisson_ppf(draws.counts[:, 0], np.exp(ln_app))
    out["green_patent_grants"] = poisson_ppf(draws.counts[:, 1], np.exp(ln_grant))

    # 6. green efficiency
    # efficiency saturates beyond the 1st/99th percentiles of the index (winsorized as
    # the chapter does), so a single outlying city cannot define the frontier
    cuts = (p["saturation_low"], p["saturation_high"])
    # the digital infrastructure a city has in the year (with the common growth its
    # indicators carry), relative to the median city-year in sds: the split the chapter
    # makes of the measured index (a city's mean over the years put the early, low years
    # of well-equipped cities among the low groups of Table 7 with their full slope)
    digital_now = digital + p["growth_digital"] * t
    digital_dev = (digital_now - np.median(digital_now)) / digital_now.std()
    pressure = d_.pilot * (digital_dev < 0)
    # log-linear in the city's groups, times a bounded switch of digital infrastructure
    # (between 0 and 2, 1 at the median: no city's slope grows without bound), plus a
    # slope of the pressure-induced city-years of their own (it may be negative: no
    # floor is needed)
    multiplier = (
        np.exp(p["h_capital"] * d_.capital[city] + p["h_resource"] * d_.resource[city])
        * 2
        * expit(p["h_digital"] * digital_dev)
        + p["h_pressure"] * pressure
    )
    lnpat = np.log1p(out["green_patent_applications"].to_numpy())
    lnpat_dev = lnpat - pd.Series(lnpat).groupby(t).transform("mean").to_numpy()
    dfi_dev = dfi - pd.Series(dfi).groupby(t).transform("mean").to_numpy()
    clipped = winsorize(nqp, ["nqp", *DIMENSIONS], cuts=cuts)
    index_dev = {k: clipped[k].to_numpy() - clipped[k].mean() for k in ("nqp", *DIMENSIONS)}
    # the index carries the effect; the sub-dimensions' own slopes (beyond their part in
    # Nqp) shape it. A channel of the sub-dimensions alone projects on Nqp with a slope
    # that varied tenfold between seeds (the within covariances of the three dimensions
    # are draws), which moved the baseline the regression SE does not see
    channel = (  # centred on the sample means
        p["b_nqp"] * index_dev["nqp"]
        + sum(p[f"b_{k}"] * index_dev[k] for k in DIMENSIONS)
        + p["kappa_patents"] * lnpat_dev
        + p["kappa_dfi"] * dfi_dev
    )
    # the level a city starts from carries the common slopes; each later change of the
    # channel is scaled by the multiplier in force in the year it happens (a city may
    # become a pilot), and the changes accumulate
    change = np.diff(channel.reshape(-1, n_years), axis=1, prepend=np.nan)
    rho_e = p["endogeneity"]
    shock = np.sqrt(1 - rho_e**2) * draws.efficiency_shock + rho_e * draws.shock[:, 2]
    x_gamma = sum(p[f"gamma_{c}"] * (controls[c] - controls[c].mean()) for c in CONTROLS)
    sigma = np.hypot(p["efficiency_city_sd"], p["efficiency_shock_sd"] * noise)
    baseline = p["efficiency_mean"] * np.exp(
        p["efficiency_city_sd"] * (p["efficiency_dev"] * dev + draws.efficiency_city)[city]
        + p["efficiency_trend"] * (t - t.mean())
        + x_gamma
        + noise * p["efficiency_shock_sd"] * ar1_within(shock, n_years, p["efficiency_persistence"])
        - sigma**2 / 2
    )
    # a few best-practice cities span the frontier: municipalities, the largest cities,
    # so that no larger city escapes comparison (PM2.5 is a concentration, not a quantity)
    leaders = np.argsort(np.where(d_.municipality == 1, draws.efficiency_city, np.inf))
    leaders = leaders[: int(p["frontier_cities"])]
    baseline[np.isin(city, leaders)] = p["frontier_efficiency"]
    # green efficiency r (share of best practice) = baseline + the planted effects, kept
    # smoothly inside (0, 1): the frontier of the DEA is a level, not one outlying city-year
    scaled = change * multiplier.reshape(-1, n_years)
    scaled[:, 0] = channel.reshape(-1, n_years)[:, 0]
    effect = np.cumsum(scaled, axis=1).ravel()
    # the slopes b_* and the multipliers set the shape of the effect; its scale is set
    # so that its two-way within slope on the (saturated) index is b_nqp on every seed:
    # which cities happen to carry the index's variation then no longer moves the
    # average slope the baseline estimates
    two_way = Absorber((city, t.astype(int)))
    index_within = two_way.demean(index_dev["nqp"])
    effect *= p["b_nqp"] * (index_within @ index_within) / (index_within @ two_way.demean(effect))
    r = _inside(baseline + es * effect, p["efficiency_floor"], p["frontier_softness"])

    # 7. DEA inputs and outputs (ratios to GDP at the mean efficiency are the stated levels)
    inverse_r = p["efficiency_mean"] / r

    # the best-practice cities have the average input and emission mix: the frontier
    # that every city's score is measured against does not move with their draws
    mix_city = np.where(np.isin(np.arange(n_units), leaders)[:, None], 0.0, draws.mix_city)

    def per_gdp(k: int, name: str) -> np.ndarray:
        return (
            np.exp(
                p["mix_city_sd"] * mix_city[city, k]
                + noise * p["mix_noise_sd"] * draws.mix_noise[:, k]
            )
            * p[name]
        )

    out["gdp"] = gdp
    out["capital_stock"] = gdp * per_gdp(0, "capital_output") * inverse_r
    out["employment"] = gdp * per_gdp(1, "employment_output") * inverse_r
    energy_intensity = (  # tons of standard coal per 10,000 yuan
        per_gdp(2, "energy_intensity") * inverse_r ** p["energy_efficiency_elasticity"]
    )
    out["energy"] = gdp * energy_intensity / 1e4  # 10,000 tce
    out["electricity"] = (
        gdp
        * energy_intensity
        * p["electricity_per_tce"]
        * np.exp(noise * p["mix_noise_sd"] * draws.mix_noise[:, 5])
        / 1e4
    )  # 10,000 kWh
    out["co2"] = out["energy"] * 1e4 * per_gdp(3, "co2_per_tce")
    out["pm25"] = (
        p["pm25_level"]
        * np.exp(p["pm25_trend"] * t)
        * per_gdp(4, "pm25_scale")
        * inverse_r ** p["pm25_efficiency_elasticity"]
        * (gdp / np.median(gdp)) ** p["pm25_size_elasticity"]
    )
    for name in CONTROLS:
        out[name] = controls[name]
    panel = out[list(contract.names)]
    return _Latent(panel, nqp, r)


def simulate(seed: int | None = None, **overrides: float) -> pd.DataFrame:
    """A simulated synergy panel (242 cities x 2011-2022) in contract columns.

    ``overrides`` replace rows of :func:`parameters` by name, e.g.
    ``simulate(effect_scale=0)`` (no effect of NQP), ``simulate(endogeneity=0.5)``,
    ``simulate(missing_share=0.05)``. The same seed and overrides give the same panel;
    ``seed=None`` is the book's default seed.
    """
    seed = DEFAULT_SEED if seed is None else seed
    p = _values(overrides)
    panel = _generate(seed, p).panel
    if p["missing_share"] == 0:
        return panel
    uniform = _draw(np.random.default_rng(seed), len(_design().capital), len(panel)).missing
    years = panel["year"]
    interior = ((years > years.min()) & (years < years.max())).to_numpy()
    holes = (uniform < p["missing_share"]) & interior[:, None]
    columns = [v.name for v in nqp_indicators()]
    values = panel[columns].to_numpy(dtype=float, copy=True)
    values[holes] = np.nan
    panel = panel.copy()
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
    """The generating process's planted slopes and knobs (rows of the parameter table)."""
    return planted_rows(
        SLUG,
        [
            "b_nqp",
            "b_laborers",
            "b_objects",
            "b_means",
            "kappa_patents",
            "kappa_dfi",
            "h_capital",
            "h_resource",
            "h_digital",
            "h_pressure",
            "delta_dfi",
            "delta_applications",
            "delta_grants",
            "effect_scale",
            "endogeneity",
        ],
    )
