"""Checks the chapter test modules share: the paper's pipeline is the chapter's computation,
and no figure of an executed notebook was drawn twice."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import papers
from helpers.results import write_results
from helpers.runner import RunRecord


def assert_pipeline_gives_the_chapters_bytes(slug: str, record: RunRecord, out: Path) -> None:
    """The paper's ``pipeline`` on the panel and parameters of the executed notebook
    ``record`` writes the same results.csv, byte for byte, as the notebook wrote to
    ``out/SLUG/results.csv``."""
    values = record.parameters
    knobs = {k: values[k] for k in papers.paper(slug).KNOBS if k in values}
    panel = papers.paper(slug).load_panel("simulated", "", values["seed"], **knobs)
    chosen = {k: v for k, v in values.items() if k not in ("data", "mapping", "seed")}
    again = write_results(papers.run_pipeline(slug, panel, **chosen), out / "again.csv")
    assert again.read_bytes() == (out / slug / "results.csv").read_bytes()


def assert_no_figure_drawn_twice(executed: Path) -> None:
    """No hidden cell of the executed notebook shows an image: a glued figure left open is
    drawn again at the end of its cell, as an output no page shows (glue it with
    :func:`helpers.pages.glue_figure`, which closes it)."""
    cells = json.loads(executed.read_text(encoding="utf-8"))["cells"]
    drawn_again = [
        i
        for i, cell in enumerate(cells)
        if "remove-cell" in cell.get("metadata", {}).get("tags", [])
        and any("image/png" in out.get("data", {}) for out in cell.get("outputs", []))
    ]
    assert drawn_again == [], f"{executed.name}: hidden cells {drawn_again} show a figure"
