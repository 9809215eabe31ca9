"""A check the chapter test modules share: the paper's pipeline is the chapter's computation."""

from __future__ import annotations

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
