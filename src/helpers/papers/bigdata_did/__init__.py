"""The bigdata_did replication (paper 004_e689ae0726649bac): the big-data pilot zones and
new quality productivity, a difference-in-differences on 284 cities, 2014-2022.

The chapter's API (:mod:`helpers.papers.interface`) from the package's layers:
:mod:`~helpers.papers.bigdata_did.variables` (variables, columns, rows),
:mod:`~helpers.papers.bigdata_did.measurement` (the NQP entropy index, the pilot dummy,
mediators), :mod:`~helpers.papers.bigdata_did.process` (the generating process of the
simulated panel and ``load_panel``), :mod:`~helpers.papers.bigdata_did.estimation`
(Tables 2-6, PSM-DID, the imputation estimator, the tidy cells) and, for maintainers and
the known truth, :mod:`~helpers.papers.bigdata_did.calibration`.
"""

from helpers.papers.bigdata_did.calibration import BASELINE_CELL, SWEEP_PARAMETERS, truth
from helpers.papers.bigdata_did.estimation import (
    Estimates,
    ImputationResult,
    descriptive_cells,
    estimate,
    estimate_column,
    fit_columns,
    implied_treated_cities,
    imputation_att,
    measured_pipeline,
    pipeline,
    pre_period_test,
    psm_column,
    regression_cells,
    result_cells,
    sample_of,
    treated_cities,
)
from helpers.papers.bigdata_did.measurement import (
    Measurement,
    descriptive_statistics,
    measure,
    measured,
    weights_table,
)
from helpers.papers.bigdata_did.process import (
    load_panel,
    parameters,
    planted_truth,
    simulate,
    units,
)
from helpers.papers.bigdata_did.variables import (
    COLUMNS,
    CONTROLS,
    CORE_ROWS,
    DEFAULT_SEED,
    KNOBS,
    PAPER,
    PSM_METHODS,
    ROW_LABELS,
    SE_TYPES,
    SLUG,
    SPECIFICATIONS,
    TABLE2_ROWS,
    TABLE2_STATS,
    TIME,
    UNIT,
    Column,
)

__all__ = [
    "BASELINE_CELL",
    "COLUMNS",
    "CONTROLS",
    "CORE_ROWS",
    "DEFAULT_SEED",
    "KNOBS",
    "PAPER",
    "PSM_METHODS",
    "ROW_LABELS",
    "SE_TYPES",
    "SLUG",
    "SPECIFICATIONS",
    "SWEEP_PARAMETERS",
    "TABLE2_ROWS",
    "TABLE2_STATS",
    "TIME",
    "UNIT",
    "Column",
    "Estimates",
    "ImputationResult",
    "Measurement",
    "descriptive_cells",
    "descriptive_statistics",
    "estimate",
    "estimate_column",
    "fit_columns",
    "implied_treated_cities",
    "imputation_att",
    "load_panel",
    "measure",
    "measured",
    "measured_pipeline",
    "parameters",
    "pipeline",
    "planted_truth",
    "pre_period_test",
    "psm_column",
    "regression_cells",
    "result_cells",
    "sample_of",
    "simulate",
    "treated_cities",
    "truth",
    "units",
    "weights_table",
]
