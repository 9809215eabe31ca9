"""Simulated default panels: each paper's sampling frame and, where written, the
structural generating process that fills it.

``simulate(slug, seed)`` and ``write_panel(slug, path, seed)`` are what the
``replicate simulate SLUG [--seed N] [--out FILE]`` command runs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from helpers.errors import check_choice
from helpers.simulate import bigdata_did, coordination, gtfp, producer_services, synergy
from helpers.simulate.frame import panel_frame, provinces, units, years

GENERATORS: dict[str, Callable[..., pd.DataFrame]] = {
    "coordination": coordination.simulate,
    "bigdata_did": bigdata_did.simulate,
    "gtfp": gtfp.simulate,
    "producer_services": producer_services.simulate,
    "synergy": synergy.simulate,
}
DEFAULT_SEEDS: dict[str, int] = {
    "coordination": coordination.DEFAULT_SEED,
    "bigdata_did": bigdata_did.DEFAULT_SEED,
    "gtfp": gtfp.DEFAULT_SEED,
    "producer_services": producer_services.DEFAULT_SEED,
    "synergy": synergy.DEFAULT_SEED,
}
FLOAT_FORMAT = "%.10g"
"""Ten significant digits: far beyond the data's precision, and stable across platforms."""


def simulate(slug: str, seed: int | None = None, **overrides: float) -> pd.DataFrame:
    """The simulated raw panel of paper ``slug`` (default seed if ``seed`` is None)."""
    check_choice("slug", slug, tuple(GENERATORS))
    return GENERATORS[slug](DEFAULT_SEEDS[slug] if seed is None else seed, **overrides)


def write_panel(slug: str, path: str | Path, seed: int | None = None, **overrides: float) -> Path:
    """Write :func:`simulate` as UTF-8 CSV (same seed, same bytes) and return the path."""
    path = Path(path)
    panel = simulate(slug, seed, **overrides)
    panel.to_csv(path, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")
    return path


__all__ = [
    "DEFAULT_SEEDS",
    "GENERATORS",
    "panel_frame",
    "provinces",
    "simulate",
    "units",
    "write_panel",
    "years",
]
