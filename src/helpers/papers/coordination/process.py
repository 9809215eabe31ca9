"""Structural, raw-level simulation of the coordination panel (paper 001).

The process, for the 30 provinces i of region r(i) and the years t = 2013-2022
(every value is a row of ``data/simulation/coordination_parameters.csv`` with its
source: a table cell of the paper, a calibration target, or a stated assumption):

1. Latent NQP ``f_it = mu_i + (trend + tau_i)(t - 2013) + xi_it``; eastern provinces
   differ more in their growth ``tau_i`` (Table 6: the eastern estimate is precise,
   the central and western ones are not).
2. The 25 raw indicators of Table 1 follow ``f`` in their printed direction d_j:
   ``x_jit = level_j exp(loading (d_j f_it + e_jit))``, shares and rates on the logit
   scale between the contract's bounds; most of ``e`` is a fixed province trait.
   GDP per capita is not drawn: it is nominal GDP over population, so the index and
   the outcome share it, as in the real data.
3. ``nqp_it`` is the entropy index of the indicators exactly as the chapter builds it
   (:func:`helpers.indices.entropy_index`, pooled, default shift).
4. The structural gap ``G_it = alpha_i + beta_r(i) nqp_it + gamma' X_it +
   delta U_it + eps_it`` with the six controls X of Table 3 (persistent, correlated
   with ``f``) and, off by default, a path through the upgrading index U. ``eps`` is
   i.i.d. by default (knobs: AR(1) persistence; correlation with ``xi``).
5. Log real per-capita GDP ``ln y_it = c_t + s_i G_it`` puts eastern provinces above
   (s = +1) and the others below (s = -1) the national level ``c_t``; real GDP is ``y``
   times population, nominal GDP adds a common deflator and the GDP index is real
   growth, so eq. (3) measures ``|ln y_it - ln mean_i y_it| = |s_i G_it - k_t|``.
6. The upgrading index ``U_it = u_i + trend t + beta_U nqp_it + v_it`` is split into
   sector shares by inverting eq. (5): with a province's primary share of goods
   ``a_i = q1 / (q1 + q2)``, ``q1 + q2 = (3 - U) / (1 + a_i)`` and ``q3 = 1 - q1 - q2``,
   so the measured index equals ``U`` exactly.

Steps 3-5 are solved jointly (GDP per capita enters the index and the index enters
GDP) by iterating to a fixed point. The measured gap does not carry ``beta`` one for
one: it folds near zero above the mean, and the shared GDP per capita ties the index
to the gap shock (reverse causality built into the paper's measures). The regional
slopes are therefore calibrated
(:func:`helpers.papers.coordination.calibration.calibrate_slopes`) so that their mean
estimates equal Table 6.

The shock scales are calibrated to the paper's significance classes, not to its standard
errors alone (:func:`helpers.papers.coordination.calibration.calibrate_noise`). Shocks that
match a printed SE plant the printed t statistic, and a column printed with one star has |t|
near 1.7, so a replication reproduces its class about half the time. The eastern gap shock
and the upgrading shock are instead the largest (at most their SE-matched values) at which
the columns they drive reproduce the printed sign and significance at 10% on 90% of the
calibration seeds; the central and western columns, printed insignificant, keep the shock
that matches their SEs. Slopes and shocks were calibrated in alternation (each shock moves
the measured slope through the fold and the shared GDP per capita) until neither moved.
:func:`helpers.papers.coordination.calibration.calibration_report` shows every target and
every column.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from helpers.indices import entropy_index
from helpers.inference import normal_ppf
from helpers.papers import interface
from helpers.papers.coordination.variables import CONTRACT, CONTROLS, DEFAULT_SEED, SLUG
from helpers.paths import DATA_DIR
from helpers.simulate.frame import panel_frame, provinces
from helpers.simulate.planted import planted_rows, planted_values, punch_holes
from helpers.simulate.shocks import lognormal, standardise

PARAMETERS_CSV = DATA_DIR / "simulation" / "coordination_parameters.csv"


BASE_YEAR = 2013


LOGNORMAL_CONTROLS = ("gov", "tax", "openness", "finance")


DERIVED_INDICATOR = "gdp_per_capita"


FIXED_POINT_TOLERANCE = 1e-10


MAX_ROUNDS = 50


KNOBS: dict[str, float] = {"effect_scale": 1.0}
"""The chapter's teaching knobs (rows of the parameter table a reader may move) and their
planted values: ``effect_scale`` multiplies the planted effects (0 switches them off)."""


def parameters() -> pd.DataFrame:
    """The planted parameter table: parameter, value, unit, source, note."""
    return pd.read_csv(PARAMETERS_CSV)


def _values(overrides: dict[str, float]) -> dict[str, float]:
    return planted_values(PARAMETERS_CSV, overrides, non_negative=("noise_scale",))


@dataclass(frozen=True)
class _Draws:
    """Every random number of one simulation, drawn once in a fixed order."""

    level: np.ndarray  # province latent level
    trend: np.ndarray  # province-specific growth
    shock: np.ndarray  # standardised NQP shock (province-year)
    indicator_noise: np.ndarray  # (rows, indicators)
    indicator_between: np.ndarray  # (provinces, indicators)
    control_between: np.ndarray  # (provinces, controls)
    control_within: np.ndarray  # (rows, controls)
    gap_level: np.ndarray  # province gap levels relative to their region's mean
    gap_shock: np.ndarray  # standardised (rows)
    population: np.ndarray  # province population in the base year
    growth_2012: np.ndarray  # real growth into the base year
    upgrading_level: np.ndarray
    upgrading_shock: np.ndarray
    primary_share: np.ndarray
    missing: np.ndarray  # uniform (rows, indicators)


def _draw(rng: np.random.Generator, n_units: int, n_rows: int, n_indicators: int, p) -> _Draws:
    k = p["gap_level_cv"] ** -2  # gamma shape with mean 1 and the given coefficient of variation
    return _Draws(
        level=rng.standard_normal(n_units),
        trend=rng.permutation(normal_ppf((np.arange(n_units) + 0.5) / n_units)),
        shock=rng.standard_normal(n_rows),
        indicator_noise=rng.standard_normal((n_rows, n_indicators)),
        indicator_between=rng.standard_normal((n_units, n_indicators)),
        control_between=rng.standard_normal((n_units, len(CONTROLS))),
        control_within=rng.standard_normal((n_rows, len(CONTROLS))),
        gap_level=rng.gamma(k, 1 / k, n_units),
        gap_shock=rng.standard_normal(n_rows),
        population=rng.standard_normal(n_units),
        growth_2012=rng.standard_normal(n_units),
        upgrading_level=rng.standard_normal(n_units),
        upgrading_shock=rng.standard_normal(n_rows),
        primary_share=rng.standard_normal(n_units),
        missing=rng.random((n_rows, n_indicators)),
    )


def _by_region(region: pd.Series, east: float, central: float, west: float) -> np.ndarray:
    return region.map({"East": east, "Central": central, "West": west}).to_numpy(float)


def _ar1(innovation: np.ndarray, unit_index: np.ndarray, phi: float) -> np.ndarray:
    """Stationary unit-variance AR(1) within each unit (rows sorted by unit, then year)."""
    out = np.empty_like(innovation)
    scale = np.sqrt(1 - phi**2)
    for i, row in enumerate(innovation):
        same_unit = i > 0 and unit_index[i] == unit_index[i - 1]
        out[i] = phi * out[i - 1] + scale * row if same_unit else row
    return out


def _controls(unit_index: np.ndarray, latent: np.ndarray, d: _Draws, p) -> pd.DataFrame:
    """Controls correlated with latent NQP, mostly between provinces (Table 2 moments);
    the within-province part is a persistent AR(1)."""
    rho, between = p["control_nqp_corr"], p["control_between_share"]
    f = standardise(latent)
    out = {}
    for k, name in enumerate(CONTROLS):
        within = _ar1(d.control_within[:, k], unit_index, p["control_persistence"])
        own = np.sqrt(between) * d.control_between[unit_index, k] + np.sqrt(1 - between) * within
        z = rho * f + np.sqrt(1 - rho**2) * own
        mean, sd = p[f"{name}_mean"], p[f"{name}_sd"]
        if name in LOGNORMAL_CONTROLS:
            out[name] = lognormal(z, mean, sd)
        elif name == "urbanisation":
            out[name] = np.clip(mean + sd * z, 0.30, 0.95)
        else:
            out[name] = mean + sd * z
    return pd.DataFrame(out)


def _indicators(latent: np.ndarray, unit_index: np.ndarray, d: _Draws, p, contract) -> pd.DataFrame:
    """Raw indicators following latent NQP in their printed direction; their own noise
    is mostly a persistent province trait."""
    out = {}
    share = p["indicator_noise_between_share"]
    specs = [v for v in contract.with_role("indicator") if v.name != DERIVED_INDICATOR]
    for j, var in enumerate(specs):
        sign = 1.0 if var.direction == "+" else -1.0
        noise = (
            np.sqrt(share) * d.indicator_between[unit_index, j]
            + np.sqrt(1 - share) * (d.indicator_noise[:, j])
        )
        score = p["indicator_loading"] * (sign * latent + p["indicator_noise"] * noise)
        level = p[f"level.{var.name}"]
        if var.min is not None and var.max is not None:
            low, high = var.min, var.max
            out[var.name] = low + (high - low) * expit(logit((level - low) / (high - low)) + score)
        else:
            out[var.name] = level * np.exp(score)
    return pd.DataFrame(out)


def units() -> pd.DataFrame:
    """The 30 sample provinces (:func:`helpers.simulate.frame.provinces`)."""
    return provinces()


def simulate(seed: int | None = None, **overrides: float) -> pd.DataFrame:
    """A simulated coordination panel (30 provinces x 2013-2022) in contract columns.

    ``overrides`` replace rows of :func:`parameters` by name, e.g.
    ``simulate(effect_scale=0)`` (no effect), ``simulate(endogeneity=0.5)``,
    ``simulate(missing_share=0.05)``. The same seed and overrides give the same panel;
    ``seed=None`` is the book's default seed.
    """
    seed = DEFAULT_SEED if seed is None else seed
    p = _values(overrides)
    contract = CONTRACT
    frame = panel_frame(CONTRACT, provinces())[["province", "year", "region"]]
    units = pd.unique(frame["province"])
    unit_index = pd.Index(units).get_indexer(frame["province"])
    region = frame.groupby("province", sort=False)["region"].first().reindex(units)
    t = (frame["year"] - BASE_YEAR).to_numpy(float)
    n_rows = len(frame)
    spec = contract.index_spec()
    d = _draw(np.random.default_rng(seed), len(units), n_rows, len(spec) - 1, p)

    # 1. latent NQP
    mu = _by_region(region, p["nqp_level_east"], p["nqp_level_central"], p["nqp_level_west"])
    mu = mu + p["nqp_level_sd"] * d.level
    tau_sd = _by_region(
        region, p["nqp_trend_sd_east"], p["nqp_trend_sd_other"], p["nqp_trend_sd_other"]
    )
    tau = p["nqp_trend"] + tau_sd * d.trend
    latent = mu[unit_index] + tau[unit_index] * t + p["nqp_shock_sd"] * d.shock

    # 2. indicators and controls
    panel = frame.reset_index(drop=True)
    indicators = _indicators(latent, unit_index, d, p, contract)
    controls = _controls(unit_index, latent, d, p)

    # 4-6 ingredients that do not depend on the index
    effect = (
        p["effect_scale"]
        * _by_region(region, p["beta_nqp_east"], p["beta_nqp_central"], p["beta_nqp_west"])[
            unit_index
        ]
    )
    rho = p["endogeneity"]
    innovation = np.sqrt(1 - rho**2) * d.gap_shock + rho * d.shock
    sigma = _by_region(region, p["sigma_gap"], p["sigma_gap_other"], p["sigma_gap_other"])
    eps = (
        p["noise_scale"]
        * sigma[unit_index]
        * _ar1(innovation, unit_index, p["gap_shock_persistence"])
    )
    x_gamma = sum(p[f"gamma_{c}"] * controls[c].to_numpy() for c in CONTROLS)
    n_east = int((region == "East").sum())
    gap_mean_other = (len(units) * p["gap_mean"] - n_east * p["gap_mean_east"]) / (
        len(units) - n_east
    )
    gap_level = _by_region(region, p["gap_mean_east"], gap_mean_other, gap_mean_other)
    gap_level = gap_level * d.gap_level
    side = _by_region(region, 1.0, -1.0, -1.0)[unit_index]  # east above the national mean
    ln_national = np.log(p["pcgdp_2013"]) + np.log1p(p["real_growth"]) * t
    population = (
        p["population_median"]
        * np.exp(p["population_dispersion"] * d.population)[unit_index]
        * (1 + p["population_growth"]) ** t
    )
    deflator = (1 + p["inflation"]) ** t
    u_level = p["upgrading_mean"] + p["upgrading_sd"] * d.upgrading_level
    u_shock = p["noise_scale"] * p["sigma_upgrading"] * d.upgrading_shock
    primary_ratio = p["primary_ratio_mean"] + p["primary_ratio_sd"] * d.primary_share
    primary_ratio = np.clip(primary_ratio, 0.02, 0.6)[unit_index]  # q1 / (q1 + q2)

    # 3-6 to a fixed point: GDP per capita -> index -> gap -> GDP per capita
    gdp_per_capita = p["pcgdp_2013"] * np.exp(0.3 * standardise(latent)) * deflator
    alpha = None
    for _ in range(MAX_ROUNDS):
        data = pd.concat([panel, indicators.assign(gdp_per_capita=gdp_per_capita)], axis=1)
        nqp = entropy_index(data, spec, unit="province", time="year").score.to_numpy()
        upgrading = u_level[unit_index] + p["upgrading_trend"] * t
        upgrading = upgrading + p["beta_nqp_upgrading"] * nqp + u_shock
        systematic = effect * nqp + x_gamma + p["gap_on_upgrading"] * upgrading
        if alpha is None:  # province gap levels net of the systematic part, set once
            alpha = gap_level - pd.Series(systematic).groupby(unit_index).mean().to_numpy()
        gap = alpha[unit_index] + systematic + eps
        real_pc = np.exp(ln_national + side * gap)
        updated = real_pc * deflator
        change = np.max(np.abs(updated / gdp_per_capita - 1))
        gdp_per_capita = updated
        if change < FIXED_POINT_TOLERANCE:
            break
    else:
        raise RuntimeError("the coordination simulation did not reach its fixed point")

    real_gdp = real_pc * population / 1e4  # yuan x 10,000 persons -> 100 million yuan
    growth_2012 = p["real_growth"] + 0.01 * d.growth_2012
    real_previous = pd.Series(real_gdp).groupby(unit_index).shift(1).to_numpy(copy=True)
    first = np.isnan(real_previous)
    real_previous[first] = real_gdp[first] / (1 + growth_2012[unit_index][first])
    gdp_index = 100 * real_gdp / real_previous
    nominal = real_gdp * deflator

    goods = (3 - upgrading) / (1 + primary_ratio)  # q1 + q2, from U = 3 - 2 q1 - q2
    primary = primary_ratio * goods
    secondary = goods - primary
    tertiary = 1 - goods

    out = panel.assign(
        gdp=nominal,
        gdp_index=gdp_index,
        population=population,
        gdp_per_capita=gdp_per_capita,
        **{c: indicators[c] for c in indicators},
        va_primary=primary * nominal,
        va_secondary=secondary * nominal,
        va_tertiary=tertiary * nominal,
        **{c: controls[c] for c in CONTROLS},
    )
    out = out[[n for n in contract.names if n in out.columns]]
    columns = [i.column for i in spec if i.column != DERIVED_INDICATOR]
    return punch_holes(out, d.missing, columns, p["missing_share"])


def load_panel(
    data: str = "simulated",
    mapping: str = "",
    seed: int | None = None,
    *,
    sheet: str = "",
    delimiter: str = "",
    **knobs: float,
) -> pd.DataFrame:
    """The raw panel: ``"simulated"`` (:func:`simulate` with ``seed``) or a file path.

    A file is read and validated against the coordination data contract by
    :func:`helpers.io.load`, with the optional column-mapping file ``mapping``.
    Without a ``region`` column the East / Central / West split of
    ``data/reference/provinces.csv`` is added by the English province name.
    """
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
        regions=True,
    )


def planted_truth() -> pd.DataFrame:
    """The generating process's structural slopes and knobs (rows of the parameter table)."""
    return planted_rows(
        SLUG,
        [
            "beta_nqp_east",
            "beta_nqp_central",
            "beta_nqp_west",
            "beta_nqp_upgrading",
            "gap_on_upgrading",
            "effect_scale",
            "endogeneity",
            "gap_shock_persistence",
        ],
        ("value", "unit", "note"),
    )
