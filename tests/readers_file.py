"""A reader's file for the chapter tests: a simulated panel saved as the reader would save it,
with the unit key under a Chinese header, and the column-mapping file that names it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from helpers.contract import load_contract
from helpers.papers import simulate

CHINESE_KEYS = {"province": "省份", "city": "城市"}


def write_readers_file(
    slug: str, folder: Path, *, last_year: int | None = None, drop: tuple[str, ...] = ()
) -> tuple[Path, Path, pd.DataFrame]:
    """Seed 7 of ``slug``'s panel up to ``last_year``, without the columns ``drop``, its unit
    key renamed to Chinese, written to ``folder``: (data file, mapping file, what was written)."""
    unit = load_contract(slug).unit_key
    raw = simulate(slug, 7)
    if last_year is not None:
        raw = raw[raw["year"] <= last_year]
    raw = raw.drop(columns=list(drop)).rename(columns={unit: CHINESE_KEYS[unit]})
    data = folder / "my_panel.csv"
    raw.to_csv(data, index=False)
    mapping = folder / "mapping.yml"
    mapping.write_text(yaml.safe_dump({CHINESE_KEYS[unit]: unit}, allow_unicode=True), "utf-8")
    return data, mapping, raw
