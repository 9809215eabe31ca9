"""Sweeps: a paper's pipeline run over many seeds or many specifications, on Dask.

* :mod:`~helpers.sweep.engine` -- the tasks (one pipeline run each), run serially, on a
  ``LocalCluster`` or on an existing cluster, one result file per task (resumable);
* :mod:`~helpers.sweep.montecarlo` -- the Monte Carlo sweeps: estimates against the known
  truth of each seed (bias, RMSE, coverage, size, power) and the agreement with the
  published tables as a distribution over seeds;
* :mod:`~helpers.sweep.specifications` -- specification grids and curves;
* :mod:`~helpers.sweep.requests` -- what ``replicate sweep`` asks for, as tasks;
* :mod:`~helpers.sweep.committed` -- the committed sweeps of ``data/sweeps/`` (``make
  sweeps``) and their manifest;
* :mod:`~helpers.sweep.book` -- the tables, texts and figures the chapters show.
"""

from helpers.sweep.book import (
    agreement_summary,
    baseline_row,
    default_seed_percentile,
    estimates,
    figure_images,
    figure_path,
    figures,
    plot_baseline_distribution,
    plot_coverage,
    plot_size_power,
    plot_specification_curve,
    recovery,
    recovery_table,
    recovery_texts,
    render_figures,
    specification_curve,
    specification_share,
    specification_texts,
    write_figures,
)
from helpers.sweep.engine import (
    COLUMNS,
    RESULT_FILE,
    TRUTH_STAT,
    SweepError,
    SweepRun,
    Task,
    cluster,
    combine,
    execute,
    make_task,
    quiet,
    read_parquet,
    run_sweep,
    run_task,
    task_log,
    write_parquet,
)
from helpers.sweep.requests import parse_seeds, plan

__all__ = [
    "COLUMNS",
    "RESULT_FILE",
    "TRUTH_STAT",
    "SweepError",
    "SweepRun",
    "Task",
    "agreement_summary",
    "baseline_row",
    "cluster",
    "combine",
    "default_seed_percentile",
    "estimates",
    "execute",
    "figure_images",
    "figure_path",
    "figures",
    "make_task",
    "parse_seeds",
    "plan",
    "plot_baseline_distribution",
    "plot_coverage",
    "plot_size_power",
    "plot_specification_curve",
    "quiet",
    "read_parquet",
    "recovery",
    "recovery_table",
    "recovery_texts",
    "render_figures",
    "run_sweep",
    "run_task",
    "specification_curve",
    "specification_share",
    "specification_texts",
    "task_log",
    "write_figures",
    "write_parquet",
]
