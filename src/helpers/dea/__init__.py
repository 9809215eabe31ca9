"""Data envelopment analysis on HiGHS: efficiency scores and productivity indices.

Public API: :func:`efficiency` (radial, SBM, EBM, DDF, NDDF; super-efficiency; any
reference set), :func:`ebm_parameters` / :func:`epsilon_and_weights` / :func:`affinity`
(EBM calibration), :func:`malmquist` (DEAP 2.1), :func:`gml` (global Malmquist-Luenberger
with the contemporaneous ML index), :func:`luenberger` and :func:`cumulate` (index -> levels).
"""

from helpers.dea.ebm import EBMParameters, affinity, ebm_parameters, epsilon_and_weights
from helpers.dea.efficiency import DEAInfeasibleWarning, efficiency
from helpers.dea.gml import gml, luenberger
from helpers.dea.malmquist import cumulate, malmquist

__all__ = [
    "DEAInfeasibleWarning",
    "EBMParameters",
    "affinity",
    "cumulate",
    "ebm_parameters",
    "efficiency",
    "epsilon_and_weights",
    "gml",
    "luenberger",
    "malmquist",
]
