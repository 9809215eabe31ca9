"""The coordination replication (paper 001_1101b0c6b88162b7, in Chinese): new quality
productive forces and the regional economic gap, 30 provinces, 2013-2022.

The chapter's API (:mod:`helpers.papers.interface`) from the package's layers:
:mod:`~helpers.papers.coordination.variables` (variables, columns, rows),
:mod:`~helpers.papers.coordination.measurement` (the NQP entropy index, the gap, the
upgrading index), :mod:`~helpers.papers.coordination.process` (the generating process of
the simulated panel and ``load_panel``), :mod:`~helpers.papers.coordination.estimation`
(Tables 2-6, the tidy cells, reading aids) and, for maintainers,
:mod:`~helpers.papers.coordination.calibration`.
"""

from helpers.papers.coordination.estimation import (
    Estimates,
    Fit,
    descriptive_cells,
    estimate,
    lagged_iv,
    parse_provinces,
    pipeline,
    plot_core_coefficients,
    plot_regional_paths,
    regression_cells,
    result_cells,
    star_conventions,
    two_way_fe,
)
from helpers.papers.coordination.measurement import (
    Measurement,
    descriptive_statistics,
    indicator_spec,
    indicator_table,
    measure,
    weights_table,
)
from helpers.papers.coordination.process import (
    KNOBS,
    load_panel,
    parameters,
    planted_truth,
    simulate,
    units,
)
from helpers.papers.coordination.variables import (
    COLUMNS,
    CONTROLS,
    DEFAULT_EXCLUDED,
    DEFAULT_SEED,
    ENTROPY_BY,
    FE,
    GAP_MEASURES,
    NQP_ROW,
    PAPER,
    REGIONS,
    ROW_LABELS,
    SE_TYPES,
    SLUG,
    TABLE2_ROWS,
    TABLE2_STATS,
    TIME,
    UNIT,
)

__all__ = [
    "COLUMNS",
    "CONTROLS",
    "DEFAULT_EXCLUDED",
    "DEFAULT_SEED",
    "ENTROPY_BY",
    "FE",
    "GAP_MEASURES",
    "KNOBS",
    "NQP_ROW",
    "PAPER",
    "REGIONS",
    "ROW_LABELS",
    "SE_TYPES",
    "SLUG",
    "TABLE2_ROWS",
    "TABLE2_STATS",
    "TIME",
    "UNIT",
    "Estimates",
    "Fit",
    "Measurement",
    "descriptive_cells",
    "descriptive_statistics",
    "estimate",
    "indicator_spec",
    "indicator_table",
    "lagged_iv",
    "load_panel",
    "measure",
    "parameters",
    "parse_provinces",
    "pipeline",
    "planted_truth",
    "plot_core_coefficients",
    "plot_regional_paths",
    "regression_cells",
    "result_cells",
    "simulate",
    "star_conventions",
    "two_way_fe",
    "units",
    "weights_table",
]
