"""Mediation (Baron-Kenny, Jiang Ting two-step, Sobel, bootstrap) and moderation models.

Every equation is a fixed-effects regression through
:func:`helpers.fixed_effects.fe_ols`, so the absorbed effects and standard
errors follow the same Stata conventions as the baseline tables.

Baron and Kenny (1986) three steps::

    (1) Y = c  X + W'g1 + FE      total effect c
    (2) M = a  X + W'g2 + FE      effect of X on the mediator
    (3) Y = c' X + b M + W'g3 + FE direct effect c', indirect effect a*b

Jiang Ting (2022, *China Industrial Economy* "Mediating and moderating effects in
empirical studies of causal inference") recommends reporting only steps (1) and
(2) and arguing the M -> Y link from theory; :func:`two_step_mediation` returns
exactly those two regressions.  Sobel (1982): ``se(ab) = sqrt(b^2 s_a^2 + a^2 s_b^2)``
with a normal p-value.  The bootstrap resamples clusters (or observations) with
replacement, treats each drawn cluster as a new unit (Stata's ``idcluster``)
and reports the percentile interval of ``a*b``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.errors import InputError
from helpers.fixed_effects import FEResult, FESpec, fe_columns, fe_ols, prepare_frame
from helpers.inference import two_sided_p


@dataclass(frozen=True)
class TwoStepMediation:
    """Jiang Ting two-step: total effect of X on Y and effect of X on the mediator."""

    total: FEResult
    a_path: FEResult


@dataclass(frozen=True)
class MediationResult:
    """Baron-Kenny three steps with the Sobel test and an optional bootstrap interval."""

    total: FEResult
    a_path: FEResult
    direct: FEResult
    indirect: float
    sobel_se: float
    sobel_z: float
    sobel_p: float
    boot_ci: tuple[float, float] | None
    boot_draws: int
    seed: int | None
    level: float

    def summary(self) -> pd.Series:
        x = self.total.params.index[0]
        m = self.direct.params.index[1]
        out = {
            "total c": self.total.params[x],
            "a (X->M)": self.a_path.params[x],
            "b (M->Y | X)": self.direct.params[m],
            "direct c'": self.direct.params[x],
            "indirect a*b": self.indirect,
            "Sobel se": self.sobel_se,
            "Sobel z": self.sobel_z,
            "Sobel p": self.sobel_p,
            "share mediated": self.indirect / self.total.params[x],
        }
        if self.boot_ci is not None:
            out["boot ci low"], out["boot ci high"] = self.boot_ci
        return pd.Series(out)


def sobel(a: float, se_a: float, b: float, se_b: float) -> tuple[float, float, float]:
    """Sobel test of ``a*b = 0``: returns (se, z, two-sided normal p)."""
    se = float(np.sqrt(b**2 * se_a**2 + a**2 * se_b**2))
    z = a * b / se
    return se, float(z), float(two_sided_p(z))


def two_step_mediation(
    data: pd.DataFrame,
    y: str,
    x: str,
    mediator: str,
    controls: Sequence[str] = (),
    fe: Sequence[FESpec] = (),
    **fe_options,
) -> TwoStepMediation:
    """Jiang Ting (2022) two-step mediation: regressions (1) and (2) only."""
    return TwoStepMediation(*_paths(data, y, x, mediator, controls, fe, fe_options, direct=False))


def _paths(frame, y, x, mediator, controls, fe, fe_options, *, direct=True):
    """Regressions (1) total effect, (2) x -> mediator and, with ``direct``, (3) y on both."""
    total = fe_ols(frame, y, [x, *controls], fe, **fe_options)
    a_path = fe_ols(frame, mediator, [x, *controls], fe, **fe_options)
    if not direct:
        return total, a_path
    return total, a_path, fe_ols(frame, y, [x, mediator, *controls], fe, **fe_options)


def mediation(
    data: pd.DataFrame,
    y: str,
    x: str,
    mediator: str,
    controls: Sequence[str] = (),
    fe: Sequence[FESpec] = (),
    *,
    bootstrap: int = 0,
    seed: int = 0,
    cluster_bootstrap: str | None = None,
    level: float = 0.95,
    **fe_options,
) -> MediationResult:
    """Baron-Kenny three-step mediation with Sobel test and a percentile bootstrap of ``a*b``.

    ``bootstrap`` is the number of draws (0 skips it); ``cluster_bootstrap``
    resamples whole clusters (e.g. the unit), renaming each draw as a new unit in
    every absorbed effect that uses that column.  ``fe_options`` go to
    :func:`~helpers.fixed_effects.fe_ols` (``vcov``, ``cluster``, ...).
    """
    if bootstrap < 0:
        raise InputError("must be a non-negative number of draws", column="bootstrap")
    if not 0 < level < 1:
        raise InputError("must lie strictly between 0 and 1", column="level")
    controls = list(controls)
    fe = [fe] if isinstance(fe, str) else list(fe)
    keys = [c for spec in fe for c in fe_columns(spec)]
    keys += [cluster_bootstrap] if cluster_bootstrap else []
    keys += [fe_options["cluster"]] if fe_options.get("cluster") else []
    frame = prepare_frame(data, [y, x, mediator, *controls], keys, what="mediation")
    total, a_path, direct = _paths(frame, y, x, mediator, controls, fe, fe_options)
    a, se_a = a_path.params[x], a_path.bse[x]
    b, se_b = direct.params[mediator], direct.bse[mediator]
    se, z, p = sobel(a, se_a, b, se_b)

    ci = None
    if bootstrap:
        rng = np.random.default_rng(seed)
        draws = np.empty(bootstrap)
        groups = frame[cluster_bootstrap].to_numpy() if cluster_bootstrap else np.arange(len(frame))
        labels, codes = np.unique(groups, return_inverse=True)
        members = [np.flatnonzero(codes == g) for g in range(len(labels))]
        for i in range(bootstrap):
            pick = rng.integers(0, len(labels), len(labels))
            rows = np.concatenate([members[g] for g in pick])
            sample = frame.iloc[rows].copy()
            if cluster_bootstrap:
                new_id = np.repeat(np.arange(len(pick)), [len(members[g]) for g in pick])
                sample[cluster_bootstrap] = new_id
            sample.index = pd.RangeIndex(len(sample))
            a_b = fe_ols(sample, mediator, [x, *controls], fe, drop_singletons=False).params[x]
            b_b = fe_ols(sample, y, [x, mediator, *controls], fe, drop_singletons=False).params[
                mediator
            ]
            draws[i] = a_b * b_b
        tail = (1 - level) / 2
        ci = (float(np.quantile(draws, tail)), float(np.quantile(draws, 1 - tail)))
    return MediationResult(
        total,
        a_path,
        direct,
        float(a * b),
        se,
        z,
        p,
        ci,
        bootstrap,
        seed if bootstrap else None,
        level,
    )


@dataclass(frozen=True)
class ModerationResult:
    """Interaction model ``Y = b1 X + b2 Z + b3 X*Z + ...`` and the variable names used."""

    fit: FEResult
    x: str
    moderator: str
    interaction: str
    centred: bool
    x_mean: float
    moderator_mean: float

    def marginal_effect(self, moderator_value: float) -> float:
        """dY/dX at a moderator value given on the original (uncentred) scale."""
        shift = self.moderator_mean if self.centred else 0.0
        return float(
            self.fit.params[self.x] + self.fit.params[self.interaction] * (moderator_value - shift)
        )


def moderation(
    data: pd.DataFrame,
    y: str,
    x: str,
    moderator: str,
    controls: Sequence[str] = (),
    fe: Sequence[FESpec] = (),
    *,
    center: bool = True,
    **fe_options,
) -> ModerationResult:
    """Moderation by an interaction term, optionally with mean-centred ``x`` and moderator.

    Centring (at the estimation-sample means) leaves the interaction coefficient
    unchanged and makes the main effect of ``x`` its marginal effect at the mean
    of the moderator.
    """
    fe = [fe] if isinstance(fe, str) else list(fe)
    keys = [c for spec in fe for c in fe_columns(spec)]
    keys += [fe_options["cluster"]] if fe_options.get("cluster") else []
    frame = prepare_frame(data, [y, x, moderator, *controls], keys, what="moderation")
    xm, mm = float(frame[x].mean()), float(frame[moderator].mean())
    xs = frame[x] - (xm if center else 0.0)
    ms = frame[moderator] - (mm if center else 0.0)
    inter = f"{x}_x_{moderator}"
    frame = frame.assign(**{x: xs, moderator: ms, inter: xs * ms})
    fit = fe_ols(frame, y, [x, moderator, inter, *controls], fe, **fe_options)
    return ModerationResult(fit, x, moderator, inter, center, xm, mm)
