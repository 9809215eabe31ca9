"""Checks of a regression design on its estimation sample, before anything is estimated.

A design that cannot identify its coefficients gets an :class:`~helpers.errors.InputError`
that names the variable and the reason, instead of a division by zero or a rank message
from inside numpy or linearmodels:

* fewer than two clusters (the cluster-robust variance divides by ``G - 1``), and for IV
  no more clusters than moment conditions (their covariance, Hansen's J weight, is then
  singular; ivreg2 warns and uses a generalised inverse);
* a variable that is constant, or that does not vary within the absorbed effects
  (its within spread is at most :data:`VARIATION_TOL` times its largest absolute value:
  below that, the digits left after demeaning are rounding noise);
* columns that are linear combinations of each other (named with the combination);
* a regressor or instrument so small next to the other columns that a rank test cannot tell
  it from zero (spread ratio below :data:`SCALE_RATIO_TOL`): rescale it.

Stata reports the first two cases as errors too (``reghdfe`` and ``ivreg2`` stop on too few
clusters; ``ivreg2`` drops collinear instruments with a note; a constant outcome leaves
nothing to explain).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import linalg

from helpers.errors import InputError, check_choice

VARIATION_TOL = 1e-7
"""A column whose spread (root mean square deviation, within the absorbed effects where
there are any) is at most this share of its largest absolute value is treated as constant."""

SCALE_RATIO_TOL = 1e-10
"""A regressor or instrument whose spread is below this share of the largest spread in the
design (the constant counts as 1) is too small to be told from zero by a rank test:
linearmodels' and numpy's tolerances are about ``max(N, K) * 2.2e-16``."""

_RANK_TOL = 1e-9


def _spread(values: np.ndarray) -> float:
    """Root mean square, computed on ``values / max|values|`` so that it neither under- nor
    overflows."""
    top = float(np.abs(values).max(initial=0.0))
    return top * float(np.sqrt(np.mean((values / top) ** 2))) if top > 0 else 0.0


def check_clusters(cluster: np.ndarray | pd.Series, column: str) -> int:
    """The number of clusters ``G``; :class:`InputError` when ``G < 2``."""
    labels = pd.unique(pd.Series(cluster))
    count = len(labels)
    if count < 2:
        only = f" (every row has {labels[0]})" if count else ""
        raise InputError(
            f"clustered standard errors need at least two clusters; the estimation sample "
            f"has {count}{only}",
            column=column,
            hint="Cluster on a column with at least two values, or use vcov='robust'",
        )
    return count


def check_variation(
    name: str, raw: np.ndarray, within: np.ndarray, absorbed: Sequence[str], role: str
) -> None:
    """:class:`InputError` when ``raw`` is constant or ``within`` (``raw`` after the absorbed
    effects are swept out, or centred when there are none) has no variation left.

    Spreads are measured relative to the largest absolute value, so that the rule does not
    depend on the variable's unit."""
    level = float(np.abs(raw).max(initial=0.0))
    if level == 0.0 or np.all(raw == raw[0]):
        value = f" (every used row holds {raw[0]:.6g})" if raw.size else ""
        raise InputError(
            f"the {role} is constant in the estimation sample{value}; nothing can be estimated "
            "from it",
            column=name,
            hint="Check the column (a unit or export error often makes it constant)",
        )
    relative = _spread((raw - raw.mean()) / level)
    if relative <= VARIATION_TOL:
        raise InputError(
            f"the {role} is constant up to rounding: its spread is {relative:.1e} of its size, "
            "so what is left after centring is rounding noise",
            column=name,
            hint="Check the column; if the variation is real, subtract a constant first",
        )
    if absorbed and _spread(within / level) <= VARIATION_TOL:
        effects = ", ".join(absorbed)
        raise InputError(
            f"the {role} does not vary within the absorbed effects ({effects}); they absorb it",
            column=name,
            hint=f"It is a function of {effects}: drop it or absorb fewer effects",
        )


def redundant_columns(matrix: np.ndarray, names: Sequence[str]) -> list[tuple[str, list[str]]]:
    """Columns of ``matrix`` that are linear combinations of the others, each with the
    columns it is a combination of (QR with column pivoting on RMS-scaled columns)."""
    if matrix.shape[1] == 0:
        return []
    scale = np.array([_spread(col) for col in matrix.T])
    scale[scale == 0] = 1.0
    scaled = matrix / scale
    _q, r, pivot = linalg.qr(scaled, mode="economic", pivoting=True)
    diag = np.abs(np.diag(r))
    if diag.size == 0 or diag[0] == 0:
        return [(n, []) for n in names]
    rank = int((diag > _RANK_TOL * diag[0] * max(scaled.shape)).sum())
    kept, dropped = pivot[:rank], pivot[rank:]
    found = []
    for j in sorted(dropped):
        coef = np.linalg.lstsq(scaled[:, kept], scaled[:, j], rcond=None)[0]
        partners = [names[k] for k, c in zip(kept, coef, strict=True) if abs(c) > 1e-6]
        found.append((names[j], partners))
    return found


def check_full_rank(matrix: np.ndarray, names: Sequence[str], what: str, absorbed: Sequence[str]):
    """:class:`InputError` naming the first column of ``matrix`` that is a combination of others."""
    redundant = redundant_columns(matrix, names)
    if not redundant:
        return
    name, partners = redundant[0]
    others = ", ".join(partners) if partners else "the other columns"
    where = f" after absorbing {', '.join(absorbed)}" if absorbed else ""
    raise InputError(
        f"the {what} are collinear: '{name}' is a linear combination of {others}{where}",
        column=name,
        hint="Drop one of them; a collinear column identifies nothing",
    )


def check_iv_design(
    data: pd.DataFrame,
    y: str,
    endog: Sequence[str],
    instruments: Sequence[str],
    exog: Sequence[str],
    fe: Sequence,
    vcov: str = "conventional",
    cluster: str | None = None,
    drop_singletons: bool = True,
    level: float = 0.95,
) -> None:
    """Every check of this module on the estimation sample of an FE-IV regression, run by
    :func:`helpers.iv.fe_iv` and :func:`helpers.iv.endogeneity_tests` before they estimate.

    The sample is the one they estimate on: listwise deletion, then singleton groups
    dropped.  Raises :class:`InputError` for a bad option, too few clusters, a constant or
    absorbed outcome, regressor or instrument, collinear instruments (with the exogenous
    regressors), collinear regressors, or a column too small to tell from zero.
    """
    check_choice("vcov", vcov, ("conventional", "robust", "cluster"))
    if vcov == "cluster" and cluster is None:
        raise InputError("vcov='cluster' needs a cluster column", column="cluster")
    if not 0 < level < 1:
        raise InputError("must lie strictly between 0 and 1", column="level")
    if not endog or len(instruments) < len(endog):
        return  # the estimator names these
    from helpers.fixed_effects import (
        Absorber,
        fe_columns,
        fe_label,
        prepare_frame,
        without_singletons,
    )

    endog, instruments, exog = list(endog), list(instruments), list(exog)
    keys = [c for spec in fe for c in fe_columns(spec)]
    keys += [cluster] if vcov == "cluster" and cluster is not None else []
    columns = list(dict.fromkeys([y, *endog, *exog, *instruments]))
    frame = prepare_frame(data, columns, keys, what="fe_iv")
    frame, codes, _ = without_singletons(frame, fe, drop=drop_singletons)
    if vcov == "cluster" and cluster is not None:
        n_clusters = check_clusters(frame[cluster].to_numpy(), cluster)
        n_moments = len(instruments) + len(exog) + (0 if codes else 1)
        if n_clusters <= n_moments:
            raise InputError(
                f"cluster-robust IV statistics need more clusters than instruments: the "
                f"estimation sample has {n_clusters} clusters for {n_moments} moment "
                "conditions (excluded instruments, exogenous regressors and the constant), so "
                "their covariance matrix is singular",
                column=cluster,
                hint="Cluster on a finer variable, or use vcov='robust'",
            )
    raw = frame[columns].to_numpy(float)
    within = Absorber(tuple(codes)).demean(raw) if codes else raw - raw.mean(axis=0)
    absorbed = [fe_label(s) for s in fe]
    position = {name: j for j, name in enumerate(columns)}
    roles = [(y, "outcome")] + [(e, "endogenous regressor") for e in endog]
    roles += [(x, "exogenous regressor") for x in exog]
    roles += [(z, "excluded instrument") for z in instruments]
    role_of = dict(roles)
    for name, role in roles:
        j = position[name]
        check_variation(name, raw[:, j], within[:, j], absorbed, role)

    # the first stages and linearmodels' rank tests include a constant: it sets the scale
    scaled = [*endog, *exog, *instruments]
    spreads = np.array([_spread(within[:, position[c]]) for c in scaled])
    largest = max(float(spreads.max(initial=0.0)), 1.0)
    for name, spread in zip(scaled, spreads, strict=True):
        if spread < SCALE_RATIO_TOL * largest:
            raise InputError(
                f"the {role_of[name]} varies {spread / largest:.1e} times as much as the "
                "largest column of the design (the constant counts as 1); a rank test cannot "
                "tell it from zero",
                column=name,
                hint="Rescale it (e.g. multiply by a power of ten); 2SLS slopes scale with it",
            )

    z_names = [*instruments, *exog]
    z_within = within[:, [position[c] for c in z_names]]
    check_full_rank(z_within, z_names, "instruments and exogenous regressors", absorbed)
    x_names = [*endog, *exog]
    check_full_rank(within[:, [position[c] for c in x_names]], x_names, "regressors", absorbed)
