"""Monte Carlo sweeps: does a paper's method recover the known truth of its simulated data?

Each paper's pipeline runs on :data:`SEEDS` simulated panels with the effect as planted
(world ``"on"``) and switched off (``"off"``, ``effect_scale=0``), and on the paper's
default seed; every task carries the seed's known truth (``paper.truth``, the value each
core coefficient targets on that seed's data, :mod:`helpers.simulate.truth`).
:func:`core_estimates` keeps the core coefficients (their estimate, SE, stars and truth),
:func:`recovery_summary` turns them into the recovery table of every core coefficient and
:func:`agreement_by_seed` into the distribution of the sign-and-significance agreement with
the published table.

Definitions (each over the seeds of a world):

* **bias** ``mean(b - truth)``, **RMSE** ``sqrt(mean((b - truth)^2))``;
* **coverage** at level ``L``: the share of seeds whose interval ``b +- z_L SE`` (normal
  critical value; the chapters' cluster t(G-1) intervals are a little wider when G is
  small) contains the seed's truth;
* **power**: the share of seeds on which ``b = 0`` is rejected at 5% with the effect on
  (two stars or more: the estimator's own p-value);
* **size**: the same share with the effect off, reported only for a coefficient whose target
  is zero in that world (its mean truth within :data:`NULL_TOLERANCE` mean SEs of 0):
  ``effect_scale=0`` does not switch off every path of every paper (gtfp's route through
  industrial structure, coordination's upgrading slope, bigdata_did's mediators), and a
  rejection of a true non-zero target is not a size.

This module is general: it gets the papers through :func:`helpers.sweep.engine.paper`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from helpers.inference import normal_isf
from helpers.registry import entry
from helpers.simulate.truth import core_cells
from helpers.sweep.engine import TRUTH_STAT, Task, make_task, paper

SEEDS = range(200)
"""The seeds of the committed Monte Carlo sweeps (each world)."""

WORLDS: Mapping[str, Mapping[str, float]] = {"on": {}, "off": {"effect_scale": 0.0}}
"""World -> the process overrides: the effect as planted, and switched off."""

LEVELS = (0.95, 0.90)
"""Nominal levels of the coverage columns."""

TEST_LEVEL = 0.05
"""Level of the test of ``b = 0`` behind power and size (two stars or more)."""

NULL_TOLERANCE = 0.1
"""A coefficient is null with the effect off when its mean target lies within this many
mean standard errors of zero."""

ESTIMATE_COLUMNS = ["world", "seed", "table", "column", "row", "coef", "se", "stars", "truth"]
"""The columns of a paper's committed Monte Carlo file (one row per seed and core cell)."""


def montecarlo_tasks(
    slug: str,
    seeds: Iterable[int] = SEEDS,
    worlds: Mapping[str, Mapping[str, float]] = WORLDS,
    *,
    default_seed: bool = True,
) -> list[Task]:
    """One task per world and seed (the world is the task's spec), each with its truth,
    at the chapter's parameters and the paper's sweep options; with ``default_seed``, also
    the paper's default seed in world ``"on"`` (the chapter's draw, placed in the
    distribution by :func:`default_seed_percentile`)."""
    options = dict(paper(slug).SWEEP_PARAMETERS)
    seeds = list(seeds)
    tasks = [
        make_task(slug, seed=seed, spec=world, parameters=options, knobs=knobs, truth=True)
        for world, knobs in worlds.items()
        for seed in seeds
    ]
    default = entry(slug).default_seed
    if default_seed and default not in seeds:
        tasks.append(make_task(slug, seed=default, spec="on", parameters=options, truth=True))
    return tasks


def paper_core_cells(slug: str) -> list[tuple[str, str, str]]:
    """The core coefficients of paper ``slug`` (its ``CORE_ROWS`` in every published
    regression column), in the published order."""
    module = paper(slug)
    return core_cells(module.PAPER, module.CORE_ROWS)


def core_estimates(results: pd.DataFrame, slug: str) -> pd.DataFrame:
    """The core coefficients of a Monte Carlo sweep's results (:data:`ESTIMATE_COLUMNS`):
    per world (the task's spec) and seed, each core cell's coefficient, SE (printed SE,
    or ``|coef / t|`` where the paper prints t statistics), stars and truth; a cell the
    pipeline could not estimate keeps NaN, and a cell no task estimated (gtfp's Table 6
    alternatives, which its sweeps skip) is left out."""
    cells = pd.DataFrame(paper_core_cells(slug), columns=["table", "column", "row"])
    cells["order"] = np.arange(len(cells))
    keys = ["spec", "seed", "table", "column", "row"]
    wide = results.pivot_table(
        index=keys, columns="stat", values="value", aggfunc="first", dropna=False
    )
    stars = results[results["stat"] == "coef"].set_index(keys)["stars"]
    runs = results[keys[:2]].drop_duplicates()
    frame = runs.merge(cells, how="cross").set_index(keys)
    for stat in ("coef", "se", "t", TRUTH_STAT):
        frame[stat] = wide[stat].reindex(frame.index) if stat in wide else np.nan
    frame["stars"] = stars.reindex(frame.index).astype("Int64")
    frame["se"] = frame["se"].fillna((frame["coef"] / frame["t"]).abs())
    frame = frame.reset_index().rename(columns={"spec": "world", TRUTH_STAT: "truth"})
    estimated = frame.groupby(["table", "column", "row"])["coef"].transform(
        lambda coef: coef.notna().any()
    )
    frame = frame[estimated.astype(bool)]
    frame = frame.sort_values(["world", "seed", "order"], kind="mergesort")
    return frame[ESTIMATE_COLUMNS].reset_index(drop=True)


def _critical(level: float) -> float:
    return float(normal_isf((1 - level) / 2))


def _stars_for(level: float) -> int:
    """Stars that mean ``p < level`` (one: 10%, two: 5%, three: 1%)."""
    return {0.10: 1, 0.05: 2, 0.01: 3}[round(level, 2)]


def recovery_summary(
    estimates: pd.DataFrame,
    published: pd.DataFrame,
    paper: str,
    leave_out: Iterable[int] = (),
) -> pd.DataFrame:
    """The recovery table: one row per core coefficient (in the published order).

    Columns: the published coefficient and stars; over the seeds of world ``"on"``: seeds,
    mean truth (and its sd), mean estimate, bias, its Monte Carlo SE, RMSE, the sd of the
    estimates, their mean SE and the sd of the errors against the mean SE (``se_ratio``, 1
    when the SEs measure the errors' spread), coverage of
    the nominal 95% and 90% intervals, power; over world ``"off"``: the mean truth, coverage
    at 95%, the rejection rate of ``b = 0`` and the size (the rejection rate where the
    target is zero, see the module docstring). The seeds ``leave_out`` (the default seed,
    which is not one of the sweep's seeds) are left out of every statistic."""
    pub = _published_core(published, paper)
    estimates = estimates[~estimates["seed"].isin(list(leave_out))]
    rows = []
    for (table, column, row), cell in estimates.groupby(["table", "column", "row"], sort=False):
        on = cell[cell["world"] == "on"]
        off = cell[cell["world"] == "off"]
        out = {"table": table, "column": column, "row": row}
        out |= pub.get((table, column, row), {"published": np.nan, "published_stars": pd.NA})
        out |= _world_stats(on, "on")
        out |= _world_stats(off, "off")
        null = (
            np.isfinite(out["truth_off"])
            and abs(out["truth_off"]) <= NULL_TOLERANCE * (out["mean_se_off"])
        )
        out["size"] = out["rejection_off"] if null else np.nan
        rows.append(out)
    return pd.DataFrame(rows)


def _published_core(published: pd.DataFrame, paper: str) -> dict:
    coefs = published[(published["paper"] == paper) & (published["stat"] == "coef")]
    return {
        (t, c, r): {"published": float(v), "published_stars": int(s) if pd.notna(s) else 0}
        for t, c, r, v, s in zip(
            coefs["table"],
            coefs["column"],
            coefs["row"],
            coefs["number"],
            coefs["stars"],
            strict=True,
        )
    }


def _world_stats(cell: pd.DataFrame, world: str) -> dict[str, float]:
    """Recovery statistics of one core cell over the seeds of one world."""
    ok = cell[cell["coef"].notna()]
    b, se, truth = (ok[c].to_numpy(float) for c in ("coef", "se", "truth"))
    rejected = ok["stars"].fillna(0).to_numpy(int) >= _stars_for(TEST_LEVEL)
    error = b - truth
    has_truth = np.isfinite(truth)
    n = len(ok)

    def mean(values: np.ndarray) -> float:
        return float(np.mean(values)) if len(values) else np.nan

    def covered(level: float) -> float:
        inside = np.abs(error) <= _critical(level) * se
        return mean(inside[has_truth]) if has_truth.any() else np.nan

    if world == "off":
        return {
            "truth_off": mean(truth) if has_truth.any() else np.nan,
            "mean_se_off": mean(se),
            "coverage_95_off": covered(0.95),
            "rejection_off": mean(rejected),
        }
    return {
        "seeds": n,
        "truth": mean(truth) if has_truth.any() else np.nan,
        "truth_sd": float(np.std(truth, ddof=1)) if has_truth.sum() > 1 else np.nan,
        "mean_estimate": mean(b),
        "bias": mean(error[has_truth]) if has_truth.any() else np.nan,
        "bias_mc_se": float(np.std(error[has_truth], ddof=1) / np.sqrt(has_truth.sum()))
        if has_truth.sum() > 1
        else np.nan,
        "rmse": float(np.sqrt(np.mean(error[has_truth] ** 2))) if has_truth.any() else np.nan,
        "sd_estimate": float(np.std(b, ddof=1)) if n > 1 else np.nan,
        "mean_se": mean(se),
        "se_ratio": _se_ratio(b, error, has_truth, se),
        "coverage_95": covered(0.95),
        "coverage_90": covered(0.90),
        "power": mean(rejected),
    }


def _se_ratio(b: np.ndarray, error: np.ndarray, has_truth: np.ndarray, se: np.ndarray) -> float:
    """The sd over seeds of the estimation error ``b - truth`` (of ``b`` where there is no
    truth) over the mean reported SE: 1 when the SEs measure the error's spread, above 1
    when they understate it. The error, not the estimate: the truth itself moves from seed
    to seed (a frontier, an index), and the interval is about the seed's own truth."""
    spread = error[has_truth] if has_truth.sum() > 1 else b
    if len(spread) < 2:
        return np.nan
    return float(np.std(spread, ddof=1) / np.mean(se))


def agreement_by_seed(
    estimates: pd.DataFrame,
    published: pd.DataFrame,
    paper: str,
    world: str = "on",
    *,
    skip_missing: bool = False,
) -> pd.DataFrame:
    """Per seed of ``world``: the share of core coefficients whose sign and 10%
    significance class match the published table (the rule of
    :func:`helpers.tables.sign_and_significance`: same sign, and one star or more in both
    or in neither; a coefficient not estimated counts as a disagreement, or with
    ``skip_missing`` is not compared), and the number of cells compared."""
    pub = pd.DataFrame.from_dict(_published_core(published, paper), orient="index")
    pub.index = pd.MultiIndex.from_tuples(pub.index, names=["table", "column", "row"])
    part = estimates[estimates["world"] == world].join(pub, on=["table", "column", "row"])
    have = part["coef"].notna()
    same_sign = have & (np.sign(part["coef"]) == np.sign(part["published"]))
    same_class = have & (
        (part["stars"].fillna(-1).astype(int) >= 1) == (part["published_stars"] >= 1)
    )
    part = part.assign(agree=same_sign & same_class)
    if skip_missing:
        part = part[have]
    grouped = part.groupby("seed", sort=True)["agree"]
    return pd.DataFrame({"agreement": grouped.mean(), "cells": grouped.size()}).reset_index()


QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def agreement_distribution(by_seed: pd.DataFrame, default_seed: int, mark: float) -> pd.Series:
    """The agreement over the sweep's seeds (the default seed left out): mean, sd,
    :data:`QUANTILES`, the share of seeds reaching the pass ``mark``, and the default
    seed's agreement with its percentile (the share of the seeds at or below it)."""
    seeds = by_seed[by_seed["seed"] != default_seed]["agreement"].to_numpy(float)
    default = by_seed.loc[by_seed["seed"] == default_seed, "agreement"]
    value = float(default.iloc[0]) if len(default) else np.nan
    out = {
        "seeds": len(seeds),
        "mean": float(np.mean(seeds)),
        "sd": float(np.std(seeds, ddof=1)),
        **{f"q{int(100 * q):02d}": float(np.quantile(seeds, q)) for q in QUANTILES},
        "share_meeting_mark": float(np.mean(seeds >= mark)),
        "default_seed": default_seed,
        "default_agreement": value,
        "default_percentile": percentile_of(seeds, value),
    }
    return pd.Series(out)


def percentile_of(values: Sequence[float], value: float) -> float:
    """The share of ``values`` at or below ``value`` (NaN for a NaN ``value``)."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if not np.isfinite(value) or not len(values):
        return np.nan
    return float(np.mean(values <= value))
