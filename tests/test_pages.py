"""What a page says about its data: the banner, the labels, and the cells kept for each kind."""

from __future__ import annotations

import hashlib

import nbformat
import pandas as pd

from helpers.pages import data_banner, data_source, glue_figure, replicated_label
from helpers.runner import keep_cells_for_data

PANEL = pd.DataFrame({"city": ["a", "a", "b", "b"], "year": [2010, 2011, 2010, 2011]})


def test_a_simulated_run_is_labelled_simulated_before_anything_else():
    source = data_source(
        "simulated",
        PANEL,
        "city",
        "year",
        seed=7,
        knobs={"effect_scale": 0.0, "noise": 1.0},
        defaults={"effect_scale": 1.0, "noise": 1.0},
    )
    banner = data_banner(source)
    assert banner.startswith("```{warning}") and "SIMULATED" in banner
    assert "seed 7, knobs effect_scale=0" in banner and "noise" not in banner
    assert "4 rows, 2 units, 2010-2011" in banner
    assert source.label == replicated_label(True) == "simulated"


def test_a_readers_file_is_named_with_its_hash_and_nothing_simulated(tmp_path):
    path = tmp_path / "mine.csv"
    PANEL.to_csv(path, index=False)
    source = data_source(str(path), PANEL, "city", "year", seed=7)
    banner = data_banner(source)
    assert hashlib.sha256(path.read_bytes()).hexdigest() in banner and "mine.csv" in banner
    assert "simulated" not in banner.lower() and source.seed is None
    assert source.label == "replicated"


def test_cells_of_the_other_kind_of_data_are_dropped():
    def notebook():
        cells = [
            nbformat.v4.new_markdown_cell("both"),
            nbformat.v4.new_markdown_cell("sim", metadata={"tags": ["simulated-only"]}),
            nbformat.v4.new_code_cell("real", metadata={"tags": ["readers-data-only"]}),
        ]
        return nbformat.v4.new_notebook(cells=cells)

    simulated, readers = notebook(), notebook()
    keep_cells_for_data(simulated, simulated=True)
    keep_cells_for_data(readers, simulated=False)
    assert [c.source for c in simulated.cells] == ["both", "sim"]
    assert [c.source for c in readers.cells] == ["both", "real"]


def test_glue_figure_closes_the_figure():
    import matplotlib.pyplot as plt

    figure, _ = plt.subplots()
    glue_figure("fig-test", figure)
    assert not plt.fignum_exists(figure.number)
