"""What a chapter page says about the data it ran on.

A chapter runs either on a simulated panel or on a reader's file, and its page must say
which before the first number it shows: :func:`data_source` describes the run's data and
:func:`data_banner` writes the admonition that opens the page. On a simulated run the
replicated columns are labelled "simulated" (:func:`replicated_label`).

Cells that only make sense for one kind of data carry a tag: ``simulated-only`` (the planted
truth, recovery of the known effect, sentences about the simulation) or ``readers-data-only``
(what a real-data run means). :func:`helpers.runner.run_notebook` drops the cells of the
other kind from the executed notebook, so a page on a reader's file carries no simulated-only
material and a simulated page no real-data wording.

A figure reaches the page through :func:`glue_figure`, which glues it for a
``{glue:figure}`` directive and closes it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

SIMULATED_ONLY = "simulated-only"
READERS_DATA_ONLY = "readers-data-only"


@dataclass(frozen=True)
class DataSource:
    """The data a chapter ran on: simulated (with its seed and the knobs moved from their
    defaults) or a reader's file (its name and SHA-256), and the panel's extent."""

    simulated: bool
    name: str
    sha256: str
    seed: int | None
    knobs: dict[str, float]
    rows: int
    units: int
    first_year: int
    last_year: int

    @property
    def label(self) -> str:
        """What the chapter's replicated columns are called on this run."""
        return replicated_label(self.simulated)

    def sentence(self) -> str:
        """One line that names the data, e.g. ``simulated panel, seed 2024`` or ``the reader's
        file gtfp.xlsx (SHA-256 1a2b3c4d...)``."""
        if self.simulated:
            moved = ", ".join(f"{k}={v:g}" for k, v in self.knobs.items())
            return f"simulated panel, seed {self.seed}" + (f", knobs {moved}" if moved else "")
        return f"the reader's file {self.name} (SHA-256 {self.sha256[:12]}...)"


def replicated_label(simulated: bool) -> str:
    """``"simulated"`` on a simulated run, ``"replicated"`` on a reader's file."""
    return "simulated" if simulated else "replicated"


def data_source(
    data: str,
    panel: pd.DataFrame,
    unit: str,
    time: str,
    *,
    seed: int | None = None,
    knobs: dict[str, float] | None = None,
    defaults: dict[str, float] | None = None,
) -> DataSource:
    """Describe the run's data: ``data`` is ``"simulated"`` or the reader's file path,
    ``panel`` the raw panel the chapter loaded (keys ``unit`` and ``time``); the knobs that
    differ from ``defaults`` are listed."""
    simulated = data == "simulated"
    knobs, defaults = dict(knobs or {}), dict(defaults or {})
    moved = {k: float(v) for k, v in knobs.items() if defaults.get(k) != v}
    digest = "" if simulated else hashlib.sha256(Path(data).read_bytes()).hexdigest()
    years = pd.to_numeric(panel[time], errors="coerce")
    return DataSource(
        simulated=simulated,
        name="simulated" if simulated else Path(data).name,
        sha256=digest,
        seed=seed if simulated else None,
        knobs=moved if simulated else {},
        rows=len(panel),
        units=int(panel[unit].nunique()),
        first_year=int(years.min()),
        last_year=int(years.max()),
    )


def data_banner(source: DataSource) -> str:
    """The MyST admonition that opens a chapter: on simulated data a warning that the
    numbers are not the paper's, on a reader's file a note naming the file."""
    extent = f"{source.rows} rows, {source.units} units, {source.first_year}-{source.last_year}"
    if source.simulated:
        body = (
            "The data on this page are **SIMULATED**: drawn from a documented generating "
            "process with a known truth, not the paper's data, so no number on this page is "
            f"a finding of the paper. This run: {source.sentence()} ({extent})."
        )
        return f"```{{warning}}\n{body}\n```"
    body = (
        f"This page ran on **your data**: the file `{source.name}` (SHA-256 "
        f"`{source.sha256}`), {extent}. The replicated columns are estimates on that file."
    )
    return f"```{{note}}\n{body}\n```"


def glue_figure(name: str, figure) -> None:
    """Glue the matplotlib ``figure`` under ``name`` (for ``{glue:figure}``) and close it.

    A figure left open is drawn again when its cell ends (the notebook backend shows every
    open figure), as an output that no page shows: about 0.2 s and 100 kB per figure.
    """
    import matplotlib.pyplot as plt
    from myst_nb import glue

    glue(name, figure, display=False)
    plt.close(figure)
