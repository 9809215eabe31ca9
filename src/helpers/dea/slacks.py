"""The two terms of the SBM ratio, and the slack of every input and output, unit by unit.

The non-oriented SBM score of Tone (2001), with undesirable outputs as in Tone (2003),

``rho = (1 - 1/m sum_i s-_i / x_io) / (1 + 1/(s + k) (sum_r s+_r / y_ro + sum_l sb_l / b_lo))``

is a ratio: its numerator falls with the *input* slacks (the share of each input the unit
could save), its denominator rises with the *output* slacks (the share by which it could
raise each good output or cut each bad one). One score can come from either term, so a
score of 0.06 does not say "the unit needs 6% of its inputs". :func:`sbm_slacks` solves
the same linear programme as :func:`helpers.dea.efficiency` (``model="sbm"``,
non-oriented) and returns, from its optimal solution, the score, the input term
``1/m sum s-/x``, the output term ``1/(s+k) sum (s+/y + sb/b)`` and each slack ratio.

With the Charnes-Cooper variables of :class:`helpers.dea.programs.SBM` (``t`` fixes the
denominator at one, every other variable is multiplied by ``t``), the optimum gives
``output term = 1/t - 1`` and ``input term = 1 - rho / t``; the slack ratios are the
slack columns divided by ``t`` and by the unit's own data. A programme can have several
optimal solutions with the same score; the terms are those of the one HiGHS returns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.dea.data import as_matrix, reference_mask
from helpers.dea.programs import SBM
from helpers.errors import check_choice


def sbm_slacks(
    X: object,
    Y: object,
    B: object = None,
    *,
    rts: str = "crs",
    reference: object = None,
) -> pd.DataFrame:
    """Score, input and output terms and slack ratios of the non-oriented SBM, row by row.

    Arguments as :func:`helpers.dea.efficiency` (``X`` inputs, ``Y`` good outputs, ``B``
    bad outputs, strictly positive; ``rts`` ``"crs"`` or ``"vrs"``; ``reference`` the
    rows spanning the technology, default all). Returns one row per row of ``X`` with
    ``score``, ``input_term``, ``output_term`` (``score = (1 - input_term) / (1 +
    output_term)``) and the slack ratios ``x1, x2, ...`` (inputs), ``y1, ...`` (good
    outputs) and ``b1, ...`` (bad outputs), named after the columns of DataFrame
    arguments. A unit the reference technology cannot envelop gets NaN, as in
    :func:`helpers.dea.efficiency`. Each unit solves one programme over the whole
    reference set, so pass the frontier units as ``reference`` for speed when their
    scores are known (the reference units of an SBM projection are SBM-efficient,
    Tone 2001, so the terms are unchanged).
    """
    check_choice("rts", rts, ("crs", "vrs"))
    Xa = as_matrix(X, "X")
    n = len(Xa)
    labels = list(X.index) if isinstance(X, pd.DataFrame | pd.Series) else None
    Ya = as_matrix(Y, "Y", n_rows=n, labels=labels)
    Ba = np.zeros((n, 0)) if B is None else as_matrix(B, "B", n_rows=n, labels=labels)
    mask = reference_mask(reference, n)
    names = [
        *_names(X, "x", Xa.shape[1]),
        *_names(Y, "y", Ya.shape[1]),
        *_names(B, "b", Ba.shape[1]),
    ]
    data = np.hstack([Xa, Ya, Ba])
    data = data / data[mask].mean(axis=0)  # units-invariant; keeps HiGHS well scaled
    m, s = Xa.shape[1], Ya.shape[1]
    Xs, Ys, Bs = np.split(data, [m, m + s], axis=1)
    program = SBM(Xs[mask], Ys[mask], Bs[mask], vrs=rts == "vrs", orientation="non")
    slack_columns = np.r_[program.L.sx, program.L.sy, program.L.sb]
    out = np.full((n, 3 + len(names)), np.nan)
    for i in range(n):
        score = program.evaluate(Xs[i], Ys[i], Bs[i], None)
        if np.isnan(score):
            continue
        z = program.prog.primal()
        t = z[program.t]
        ratios = z[slack_columns] / t / data[i]
        out[i] = [score, 1 - score / t, 1 / t - 1, *ratios]
    return pd.DataFrame(out, columns=["score", "input_term", "output_term", *names], index=labels)


def _names(frame: object, prefix: str, count: int) -> list[str]:
    if isinstance(frame, pd.DataFrame):
        return [str(c) for c in frame.columns]
    return [f"{prefix}{j + 1}" for j in range(count)]
