"""Structural, raw-level simulation of the gtfp panel (paper 000).

The process, for the 30 provinces i of region r(i) and the years t = 2010-2019
(every value is a row of ``data/simulation/gtfp_parameters.csv`` with its source: a
table cell of the paper, a calibration target, or a stated assumption):

1. Latent new quality productive forces ``f_it = mu_r(i) + s_i + (trend + tau_i)(t - 2010)
   + xi_it``; eastern provinces differ more in their growth ``tau_i``, so the index
   varies most within eastern provinces (Table 8: the eastern estimate is precise).
2. The 15 indicators of Table 2 follow ``f``: ``x_jit = level_j size_i^a_j exp(l_j (f_it +
   e_jit))`` (the two university counts are rounded, QS counts may be zero; the two
   shares live on the logit scale inside 0-100). ``prod_it`` is the first principal
   component of the logged indicators, exactly as the chapter builds it
   (:func:`helpers.papers.gtfp.measurement.prod_index`).
3. Industrial structure ``TS_it = ts_i + ts_trend t + beta_TS prod_it + X_it'g_TS + v_it``
   (Table 4 column 2), split into secondary and tertiary value added of GDP.
4. Moderators from raw counts: high-tech and above-scale industrial enterprises (their
   location quotient ``high``), and employment in five productive-service sectors (the
   specialisation ``prof`` and diversification ``mul`` indices), each measured as the
   chapter measures it (:mod:`helpers.measures`).
5. Green productivity ``g_it = a_i + c t + k [b_r(i) prod_it + th_TS TS_it + sum_m th_m
   prod_it z_mit + X_it'gamma] + sigma eps_it``: the direct slopes ``b_r`` by
   region (Table 8 net of the TS path, Table 4 column 3), the moderators' interactions
   (Table 5; ``z_m`` the standardised measured moderator) and the controls' direct slopes
   (Table 4 column 3), all in units of the measured GTFP, times one common factor ``k``.
6. DEA data: labour, capital stock (2000 prices), water and electricity grow with the
   province's size; real GDP is ``exp(g_it) L^0.3 K^0.45 W^0.05 E^0.2`` (constant returns);
   SO2 and COD scale with electricity and water use and fall with ``g`` (green
   productivity also means cleaner output).

The chapter measures GTFP with the super-efficiency EBM and the GML index on these data, so
the measured outcome does not carry ``g`` one for one: the frontier moves, the input mix and
the pollutants add their own variation. The common factor ``k`` is calibrated
(:func:`calibrate_frontier_scale`) so that the mean estimate of the baseline (Table 3 column
4) over calibration seeds equals the published 0.0649;
:func:`helpers.papers.gtfp.calibration.calibration_report` shows every target beside its
simulated mean.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from helpers.errors import InputError
from helpers.inference import normal_ppf
from helpers.papers import interface
from helpers.papers.gtfp.measurement import moderators, prod_index
from helpers.papers.gtfp.variables import (
    CONTRACT,
    CONTROLS,
    COUNT_INDICATORS,
    DEFAULT_SEED,
    MODERATORS,
    SERVICE_SECTORS,
    SHARE_INDICATORS,
    SLUG,
)
from helpers.paths import DATA_DIR
from helpers.simulate.frame import panel_frame, provinces
from helpers.simulate.planted import planted_rows, planted_values, punch_holes
from helpers.simulate.shocks import lognormal, standardise

PARAMETERS_CSV = DATA_DIR / "simulation" / "gtfp_parameters.csv"


BASE_YEAR = 2010


OUTPUT_ELASTICITIES = {"labour": 0.30, "capital": 0.45, "water": 0.05, "electricity": 0.20}


KNOBS: dict[str, float] = {"effect_scale": 1.0}
"""The chapter's teaching knobs (rows of the parameter table a reader may move) and their
planted values: ``effect_scale`` multiplies the planted effects (0 switches them off)."""


def parameters() -> pd.DataFrame:
    """The planted parameter table: parameter, value, unit, source, note."""
    return pd.read_csv(PARAMETERS_CSV)


def _values(overrides: dict[str, float]) -> dict[str, float]:
    for name, value in overrides.items():
        if not np.isfinite(value):
            raise InputError(f"must be a finite number, got {value!r}", parameter=name)
    return planted_values(PARAMETERS_CSV, overrides, non_negative=("noise_scale",))


@dataclass(frozen=True)
class _Draws:
    """Every random number of one simulation, drawn once in a fixed order."""

    level: np.ndarray  # province latent NQPF level
    trend: np.ndarray  # uniform keys that order the provinces within their region
    shock: np.ndarray  # NQPF shock (rows)
    size: np.ndarray  # province economic size
    indicator_between: np.ndarray  # (provinces, indicators)
    indicator_within: np.ndarray  # (rows, indicators)
    control_between: np.ndarray  # (provinces, controls)
    control_within: np.ndarray  # (rows, controls)
    ts_level: np.ndarray
    ts_shock: np.ndarray
    primary_share: np.ndarray
    firm_rate: np.ndarray  # (provinces,) high-tech firm rate
    firm_within: np.ndarray  # (rows,)
    industrial: np.ndarray  # (provinces,)
    service_mix: np.ndarray  # (provinces, sectors)
    service_within: np.ndarray  # (rows, sectors)
    service_size: np.ndarray  # (provinces,)
    g_level: np.ndarray
    g_shock: np.ndarray
    input_mix: np.ndarray  # (provinces, 4)
    input_within: np.ndarray  # (rows, 4)
    emission_level: np.ndarray  # (provinces, 2)
    emission_within: np.ndarray  # (rows, 2)
    missing: np.ndarray  # uniform (rows, indicators)


def _draw(rng: np.random.Generator, n_units: int, n_rows: int, n_indicators: int) -> _Draws:
    return _Draws(
        level=rng.standard_normal(n_units),
        trend=rng.random(n_units),
        shock=rng.standard_normal(n_rows),
        size=rng.standard_normal(n_units),
        indicator_between=rng.standard_normal((n_units, n_indicators)),
        indicator_within=rng.standard_normal((n_rows, n_indicators)),
        control_between=rng.standard_normal((n_units, len(CONTROLS))),
        control_within=rng.standard_normal((n_rows, len(CONTROLS))),
        ts_level=rng.standard_normal(n_units),
        ts_shock=rng.standard_normal(n_rows),
        primary_share=rng.standard_normal(n_units),
        firm_rate=rng.standard_normal(n_units),
        firm_within=rng.standard_normal(n_rows),
        industrial=rng.standard_normal(n_units),
        service_mix=rng.standard_normal((n_units, len(SERVICE_SECTORS))),
        service_within=rng.standard_normal((n_rows, len(SERVICE_SECTORS))),
        service_size=rng.standard_normal(n_units),
        g_level=rng.standard_normal(n_units),
        g_shock=rng.standard_normal(n_rows),
        input_mix=rng.standard_normal((n_units, 4)),
        input_within=rng.standard_normal((n_rows, 4)),
        emission_level=rng.standard_normal((n_units, 2)),
        emission_within=rng.standard_normal((n_rows, 2)),
        missing=rng.random((n_rows, n_indicators)),
    )


def _by_region(region: pd.Series, east: float, central: float, west: float) -> np.ndarray:
    return region.map({"East": east, "Central": central, "West": west}).to_numpy(float)


def _stratified(groups: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Normal scores at the (k + 0.5) / n quantiles, k = rank of ``keys`` within each group:
    every region gets the same spread of province trends, whatever the seed."""
    out = np.empty(len(keys))
    for group in pd.unique(groups):
        members = np.flatnonzero(groups == group)
        ranks = np.argsort(np.argsort(keys[members]))
        out[members] = normal_ppf((ranks + 0.5) / len(members))
    return out


def _indicators(latent, size, unit_index, d: _Draws, p, contract) -> pd.DataFrame:
    """The 15 Table 2 indicators: common factor ``latent``, a size effect and own noise
    (mostly a persistent province trait)."""
    share = p["indicator_noise_between_share"]
    out = {}
    for j, var in enumerate(contract.with_role("indicator")):
        noise = (
            np.sqrt(share) * d.indicator_between[unit_index, j]
            + np.sqrt(1 - share) * (d.indicator_within[:, j])
        )
        score = p["indicator_loading"] * (latent + p["indicator_noise"] * noise)
        level = p[f"level.{var.name}"]
        if var.name in SHARE_INDICATORS:
            out[var.name] = 100 * expit(logit(level / 100) + score)
        else:
            value = level * np.exp(score + p["indicator_size_elasticity"] * size)
            out[var.name] = np.floor(value) if var.name in COUNT_INDICATORS else value
    frame = pd.DataFrame(out)
    frame["top_universities"] = np.maximum(frame["top_universities"], 1.0)
    return frame


def _controls(unit_index, latent, d: _Draws, p) -> pd.DataFrame:
    """gov, ent, fdi, env: correlated with latent NQPF, mostly between provinces."""
    rho, between = p["control_nqpf_corr"], p["control_between_share"]
    f = standardise(latent)
    out = {}
    for k, name in enumerate(CONTROLS):
        own = np.sqrt(between) * d.control_between[unit_index, k]
        own = own + np.sqrt(1 - between) * d.control_within[:, k]
        z = rho * f + np.sqrt(1 - rho**2) * own
        out[name] = lognormal(z, p[f"{name}_mean"], p[f"{name}_sd"])
    return pd.DataFrame(out)


def _firms(unit_index, region, size, t, latent, d: _Draws, p) -> pd.DataFrame:
    """Above-scale industrial enterprises and high-tech enterprises among them."""
    industrial = p["industrial_firms_median"] * np.exp(0.9 * size + 0.3 * d.industrial[unit_index])
    industrial = np.round(industrial * (1 + p["industrial_firms_growth"]) ** t)
    east = _by_region(region, 1.0, 0.0, 0.0)[unit_index]
    log_rate = (
        np.log(p["hightech_rate"])
        + p["hightech_rate_east"] * east
        + p["hightech_rate_sd"] * d.firm_rate[unit_index]
        + p["hightech_rate_growth"] * t
        + p["hightech_rate_within_sd"] * d.firm_within
    )
    return pd.DataFrame(
        {
            "hightech_firms": np.round(industrial * np.exp(log_rate)),
            "industrial_firms": industrial,
        }
    )


def _services(unit_index, size, d: _Draws, p) -> pd.DataFrame:
    """Employment in the five productive-service sectors: a national mix tilted by a
    persistent province mix and a small yearly drift."""
    national = np.array([p[f"service_share.{s}"] for s in SERVICE_SECTORS])
    tilt = p["service_mix_sd"] * d.service_mix[unit_index] + p["service_within_sd"] * (
        d.service_within
    )
    shares = national * np.exp(tilt)
    shares /= shares.sum(axis=1, keepdims=True)
    total = p["service_employment_median"] * np.exp(size + 0.2 * d.service_size[unit_index])
    return pd.DataFrame(shares * total[:, None], columns=list(SERVICE_SECTORS))


def units() -> pd.DataFrame:
    """The 30 sample provinces (:func:`helpers.simulate.frame.provinces`)."""
    return provinces()


def simulate(seed: int | None = None, **overrides: float) -> pd.DataFrame:
    """A simulated gtfp panel (30 provinces x 2010-2019) in contract columns.

    ``overrides`` replace rows of :func:`parameters` by name, e.g.
    ``simulate(effect_scale=0)`` (no effect of prod), ``simulate(endogeneity=0.5)``,
    ``simulate(missing_share=0.05)``. The same seed and overrides give the same panel;
    ``seed=None`` is the book's default seed.
    """
    seed = DEFAULT_SEED if seed is None else seed
    p = _values(overrides)
    contract = CONTRACT
    frame = panel_frame(CONTRACT, provinces())[["province", "year", "region"]].reset_index(
        drop=True
    )
    units = pd.unique(frame["province"])
    unit_index = pd.Index(units).get_indexer(frame["province"])
    region = frame.groupby("province", sort=False)["region"].first().reindex(units)
    t = (frame["year"] - BASE_YEAR).to_numpy(float)
    n_rows = len(frame)
    n_indicators = len(contract.with_role("indicator"))
    d = _draw(np.random.default_rng(seed), len(units), n_rows, n_indicators)

    # 1. latent NQPF and province size
    size = (p["size_dispersion"] * d.size)[unit_index]
    mu = _by_region(region, p["nqpf_level_east"], p["nqpf_level_central"], p["nqpf_level_west"])
    mu = mu + p["nqpf_level_sd"] * d.level + p["nqpf_size_loading"] * p["size_dispersion"] * d.size
    tau_sd = _by_region(
        region, p["nqpf_trend_sd_east"], p["nqpf_trend_sd_other"], p["nqpf_trend_sd_other"]
    )
    tau = p["nqpf_trend"] + tau_sd * _stratified(region.to_numpy(), d.trend)
    latent = mu[unit_index] + tau[unit_index] * t + p["nqpf_shock_sd"] * d.shock

    # 2. indicators and prod exactly as the chapter measures it
    indicators = _indicators(latent, size, unit_index, d, p, contract)
    prod = prod_index(indicators).score.to_numpy()

    # controls; 3. industrial structure; 4. moderators
    controls = _controls(unit_index, latent, d, p)
    x_ts = sum(p[f"ts_{c}"] * controls[c].to_numpy() for c in CONTROLS)
    ts = p["ts_mean"] + p["ts_sd"] * d.ts_level[unit_index] + p["ts_trend"] * t
    ts = ts + p["beta_ts_prod"] * prod + x_ts + p["noise_scale"] * p["sigma_ts"] * d.ts_shock
    ts = np.maximum(ts, p["ts_floor"])
    firms = _firms(unit_index, region, size, t, latent, d, p)
    services = _services(unit_index, size, d, p)
    raw = pd.concat([frame, firms, services], axis=1)
    moderated = moderators(raw).to_numpy()
    standardised = (moderated - moderated.mean(axis=0)) / moderated.std(axis=0)

    # 5. green productivity in measured-GTFP units, times the calibrated factor k
    rho = p["endogeneity"]
    shock = np.sqrt(1 - rho**2) * d.g_shock + rho * standardise(d.shock)
    slope = (
        p["effect_scale"]
        * _by_region(region, p["beta_prod_east"], p["beta_prod_central"], p["beta_prod_west"])[
            unit_index
        ]
    )
    interaction = sum(
        p["effect_scale"] * p[f"theta_{m}"] * standardised[:, k] for k, m in enumerate(MODERATORS)
    )
    systematic = (slope + interaction) * prod + p["theta_ts"] * ts
    systematic = systematic + sum(p[f"gamma_{c}"] * controls[c].to_numpy() for c in CONTROLS)
    g = (
        p["g_level_sd"] * d.g_level[unit_index]
        + p["g_trend"] * t
        + p["frontier_scale"] * systematic
        + p["noise_scale"] * p["sigma_g"] * shock
    )

    # 6. DEA inputs and outputs
    mix, within = p["input_mix_sd"] * d.input_mix, p["input_within_sd"] * d.input_within
    inputs = {}
    for k, name in enumerate(OUTPUT_ELASTICITIES):
        growth = p[f"{name}_growth"]
        inputs[name] = (
            p[f"{name}_median"]
            * np.exp(size + mix[unit_index, k] + within[:, k])
            * (1 + growth) ** t
        )
    log_output = sum(e * np.log(inputs[n]) for n, e in OUTPUT_ELASTICITIES.items())
    real_gdp = p["gdp_scale"] * np.exp(g + log_output)
    em = p["emission_level_sd"] * d.emission_level[unit_index]
    em_within = p["emission_within_sd"] * d.emission_within
    cleaner = -p["emission_on_g"] * g
    so2 = (
        p["so2_intensity"]
        * inputs["electricity"]
        * np.exp(em[:, 0] + em_within[:, 0] + cleaner + p["so2_trend"] * t)
    )
    cod = (
        p["cod_intensity"]
        * inputs["water"]
        * np.exp(em[:, 1] + em_within[:, 1] + cleaner + p["cod_trend"] * t)
    )
    nominal = real_gdp * (1 + p["inflation"]) ** (t + BASE_YEAR - 2000)
    primary = np.clip(p["primary_share_mean"] + p["primary_share_sd"] * d.primary_share, 0.003, 0.3)
    goods = nominal * (1 - primary[unit_index])
    va_secondary = goods / (1 + ts)

    out = frame.assign(
        **inputs,
        real_gdp=real_gdp,
        so2=so2,
        cod=cod,
        **{c: indicators[c] for c in indicators},
        va_secondary=va_secondary,
        va_tertiary=ts * va_secondary,
        **{c: firms[c] for c in firms},
        **{c: services[c] for c in services},
        **{c: controls[c] for c in CONTROLS},
    )
    out = out[[n for n in contract.names if n in out.columns]]
    return punch_holes(out, d.missing, list(indicators.columns), p["missing_share"])


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

    A file is read and validated against the gtfp data contract by
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


def planted_truth(**overrides: float) -> pd.DataFrame:
    """The generating process's structural slopes and knobs (rows of the parameter table),
    with the values a simulation with ``overrides`` (e.g. ``effect_scale=0``) uses."""
    values = _values(overrides)
    table = planted_rows(
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
    return table.assign(value=[values[name] for name in table.index])
