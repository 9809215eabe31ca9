"""``efficiency``: one DEA score per unit for radial, SBM, EBM, DDF and NDDF models."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from helpers.dea.data import as_matrix, reference_mask
from helpers.dea.ebm import EBMParameters, ebm_parameters
from helpers.dea.parallel import check_workers
from helpers.dea.technology import ModelSpec, Technology
from helpers.errors import InputError, check_choice
from helpers.memo import memoize

MODELS = ("radial", "sbm", "ebm", "ddf", "nddf")
RTS = ("crs", "vrs")
ORIENTATIONS = ("input", "output", "non")


class DEAInfeasibleWarning(RuntimeWarning):
    """Some DEA linear programmes had no optimum; their scores are NaN."""


def infeasibility_reason(
    spec: ModelSpec, *, outside_reference: bool, cross: bool, lone_reference: bool = False
) -> str:
    """Why some LPs of ``spec`` can be infeasible by construction, or that none should be."""
    reasons = []
    if lone_reference and spec.super_efficiency:
        reasons.append("a lone reference unit has no super-efficiency score")
    if spec.super_efficiency and spec.vrs and spec.orientation != "non":
        reasons.append("oriented VRS super-efficiency can be infeasible")
    if spec.super_efficiency and spec.model == "ebm":
        reasons.append("super-EBM without bad-output slack weights can be infeasible")
    if cross and (spec.vrs or spec.is_distance):
        reasons.append("mixed-period VRS and directional distances can be infeasible")
    if outside_reference and not spec.super_efficiency and not spec.is_distance:
        reasons.append("units outside the reference set may lie beyond its technology")
    if reasons:
        return "; ".join(reasons)
    return "this model should always be feasible: please report it with the data"


def warn_infeasible(scores: np.ndarray, what: str, reason: str) -> None:
    """Emit one warning counting the NaN scores (infeasible or failed LPs), if any, with the
    ``reason`` that applies to the model (:func:`infeasibility_reason`)."""
    bad = int(np.isnan(scores).sum())
    if bad:
        warnings.warn(
            f"{bad} of {scores.size} {what} linear programmes were infeasible or failed; "
            f"their scores are NaN ({reason})",
            DEAInfeasibleWarning,
            stacklevel=3,
        )


def make_spec(
    model: str,
    rts: str,
    orientation: str,
    super_efficiency: bool,
    *,
    m: int,
    s: int,
    k: int,
    ebm: EBMParameters | None = None,
    weights: object = None,
) -> ModelSpec:
    """Validate the model options and bundle them (``ebm`` must be set for model='ebm')."""
    check_choice("model", model, MODELS)
    check_choice("rts", rts, RTS)
    check_choice("orientation", orientation, ORIENTATIONS)
    if model == "radial" and orientation == "non":
        raise InputError(
            "the radial model needs orientation 'input' or 'output'", column="orientation"
        )
    if model == "radial" and k > 0:
        raise InputError(
            "the radial model has no undesirable outputs; use model 'sbm', 'ebm' or 'ddf'",
            column="B",
        )
    if model in ("ddf", "nddf") and orientation != "non":
        raise InputError(
            "DDF models are oriented by their direction vector; leave orientation='non'",
            column="orientation",
        )
    w = None
    if model == "nddf":
        w = np.ones(m + s + k) if weights is None else np.asarray(weights, dtype=float)
        if w.shape != (m + s + k,) or (w < 0).any():
            raise InputError(
                f"needs {m + s + k} non-negative entries (inputs, goods, bads)", column="weights"
            )
    return ModelSpec(model, rts == "vrs", orientation, bool(super_efficiency), ebm, w)


def directions(direction: object, X, Y, B) -> np.ndarray:
    """Direction vectors ``(g_x, g_y, g_b)`` per unit; negative entries contract.

    ``None`` or ``"outputs"``: the unit's own ``(0, y, -b)``; ``"all"``: ``(-x, y, -b)``;
    an array of ``m + s + k`` entries (same for all units) or one such row per unit.
    """
    n = len(X)
    if direction is None or (isinstance(direction, str) and direction == "outputs"):
        return np.hstack([np.zeros_like(X), Y, -B])
    if isinstance(direction, str):
        check_choice("direction", direction, ("outputs", "all"))
        return np.hstack([-X, Y, -B])
    q = X.shape[1] + Y.shape[1] + B.shape[1]
    try:
        g = np.broadcast_to(np.asarray(direction, dtype=float), (n, q)).copy()
    except ValueError:
        raise InputError(
            f"must have {q} entries (inputs, goods, bads) or shape ({n}, {q})", column="direction"
        ) from None
    if not np.isfinite(g).all() or (np.abs(g).sum(axis=1) == 0).any():
        raise InputError("must be finite and non-zero for every unit", column="direction")
    return g


@memoize(ignore=("workers",))
def efficiency(
    X: object,
    Y: object,
    B: object = None,
    *,
    model: str = "sbm",
    rts: str = "crs",
    orientation: str = "non",
    super_efficiency: bool = False,
    reference: object = None,
    direction: object = None,
    ebm_params: EBMParameters | None = None,
    weights: object = None,
    workers: int | None = None,
) -> np.ndarray:
    """DEA score of every row of ``X``/``Y``/``B`` against the technology of ``reference``.

    Parameters
    ----------
    X, Y, B
        Inputs (n x m), desirable outputs (n x s) and undesirable outputs (n x k, or None);
        arrays or DataFrames, strictly positive.
    model
        ``"radial"`` (CCR/BCC; Shephard output distance ``1/phi`` when output-oriented),
        ``"sbm"`` (Tone 2001; bads as in Tone 2003), ``"ebm"`` (Tone & Tsutsui 2010),
        ``"ddf"`` (radial directional distance, weak disposability of bads, score = beta) or
        ``"nddf"`` (non-radial DDF, score = sum of weighted betas).
    rts
        ``"crs"`` or ``"vrs"`` (adds ``sum lam = 1``).
    orientation
        ``"input"``, ``"output"`` or ``"non"`` (radial needs an orientation; DDF uses
        ``direction`` instead).
    super_efficiency
        Units scoring 1 (0 for DDF) are re-solved against the technology without themselves:
        Andersen-Petersen for radial, Tone (2002) super-SBM, the analogous super-EBM
        (see :class:`helpers.dea.programs.EBM`) and DDF with a free (negative) beta.
        Inefficient units keep their ordinary score (deaR/MaxDEA convention); units outside
        a reference set they do not belong to get the super model too.  Non-oriented
        super-SBM is always feasible; oriented VRS variants, and super-EBM without
        bad-output slack weights, can be infeasible (NaN plus a warning).
    reference
        Boolean mask or integer positions of the rows spanning the technology (default all):
        contemporaneous, global and sequential frontiers are one call each.  Rows outside
        the reference set are evaluated against it (mixed-period distances); the standard
        SBM has no solution for units outside the technology (NaN) unless
        ``super_efficiency=True``.
    direction
        DDF/NDDF direction: None = own ``(0, y, -b)``, ``"all"`` = ``(-x, y, -b)``, or an array.
    ebm_params
        EBM epsilons and weights; default :func:`ebm_parameters` of the reference rows.
    weights
        NDDF weights on (inputs, goods, bads); default 1 each.
    workers
        Threads solving blocks of units in parallel (default ``min(2, os.cpu_count())``).
        Scores are identical for every value: the blocks depend only on the data.

    Returns
    -------
    numpy.ndarray
        One score per row; NaN where the LP was infeasible (one warning counts them).
    """
    workers = check_workers(workers)
    Xa = as_matrix(X, "X")
    n = len(Xa)
    labels = list(X.index) if isinstance(X, pd.DataFrame | pd.Series) else None
    Ya = as_matrix(Y, "Y", n_rows=n, labels=labels)
    Ba = np.zeros((n, 0)) if B is None else as_matrix(B, "B", n_rows=n, labels=labels)
    mask = reference_mask(reference, n)
    if super_efficiency and n == 1:
        raise InputError(
            "super-efficiency needs at least two units: without itself, a lone unit has no "
            "technology to be measured against",
            parameter="super_efficiency",
            hint="Add units, or pass super_efficiency=False",
        )
    spec = make_spec(
        model,
        rts,
        orientation,
        super_efficiency,
        m=Xa.shape[1],
        s=Ya.shape[1],
        k=Ba.shape[1],
        weights=weights,
    )
    if model == "ebm":
        params = ebm_params or ebm_parameters(Xa[mask], Ya[mask], Ba[mask])
        spec = ModelSpec(spec.model, spec.vrs, spec.orientation, spec.super_efficiency, params)
    De = directions(direction, Xa, Ya, Ba) if spec.is_distance else None
    self_pos = np.full(n, -1)
    self_pos[mask] = np.arange(mask.sum())
    tech = Technology(spec, Xa[mask], Ya[mask], Ba[mask])
    scores = tech.scores(Xa, Ya, Ba, De, self_pos, workers=workers)
    lone = bool(mask.sum() == 1)
    if super_efficiency and lone:
        scores[mask] = np.nan  # its super model has an empty technology: no score exists
    reason = infeasibility_reason(
        spec, outside_reference=not mask.all(), cross=False, lone_reference=lone
    )
    warn_infeasible(scores, model.upper(), reason)
    return scores
