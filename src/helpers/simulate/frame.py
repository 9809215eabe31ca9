"""Sampling frames for the simulated panels: units, their group flags, and the years.

Province papers use the 30 real provinces of ``data/reference/provinces.csv`` with their
real names and regions (:func:`provinces`). City papers use synthetic cities named
``City 001``, ``City 002``, ... in synthetic provinces named ``Province 01`` ...
``Province 30`` (:func:`synthetic_cities`): the names make plain that they are not real
places. The synthetic provinces copy the structure of the real 30 (11 East, 8 Central,
11 West; four municipalities, three East and one West, each a single city).

Group counts come from each contract's ``sample`` section (the paper's N per subgroup
divided by its years). Which synthetic city carries which paper-specific flag is drawn by
the paper's own process (its ``units()``) once, with :func:`frame_rng`, a fixed seed per
paper, so the frame is the same on every machine and for every simulation seed.

This module is general: it imports no paper.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.contract import Contract, load_contract
from helpers.errors import InputError
from helpers.paths import DATA_DIR
from helpers.registry import entry

PROVINCES_CSV = DATA_DIR / "reference" / "provinces.csv"


FRAME_SEED = 20240901
"""Seed of the one-off draw that places group flags on synthetic cities."""


def _flag(series: pd.Series) -> pd.Series:
    return series.astype(str).str.strip().str.lower().isin(["true", "1", "yes"]).astype(int)


def provinces() -> pd.DataFrame:
    """The 30 sample provinces: province (English name), name_zh, code, region, municipality."""
    table = pd.read_csv(PROVINCES_CSV, dtype={"code": str})
    table = table[_flag(table["in_sample_30"]).astype(bool)]
    return pd.DataFrame(
        {
            "province": table["name_en"].to_numpy(),
            "name_zh": table["name_zh"].to_numpy(),
            "code": table["code"].to_numpy(),
            "region": table["region"].to_numpy(),
            "municipality": _flag(table["municipality"]).to_numpy(),
        }
    )


def _spread(total: int, bins: int) -> list[int]:
    """``total`` split over ``bins`` as evenly as possible, larger shares first."""
    base, extra = divmod(total, bins)
    return [base + (i < extra) for i in range(bins)]


def synthetic_cities(contract: Contract) -> pd.DataFrame:
    """Cities allocated to synthetic provinces; one city per municipality.

    Columns: city, province, region, municipality and ``first_in_province`` (the first
    city of each province, which papers use to place capitals and key cities).

    Region totals follow the paper where it reports them (producer_services);
    otherwise the non-municipal cities are spread evenly over the 26 provinces.
    """
    shape = provinces()
    shape["province"] = [f"Province {i:02d}" for i in range(1, len(shape) + 1)]
    ordinary = shape[shape["municipality"] == 0]
    per_province = dict.fromkeys(shape.loc[shape["municipality"] == 1, "province"], 1)
    region_totals = contract.sample.groups.get("region")
    if region_totals is None:
        n_free = contract.sample.units - len(per_province)
        per_province |= dict(zip(ordinary["province"], _spread(n_free, len(ordinary)), strict=True))
    else:
        for region, total in region_totals.items():
            in_region = shape[shape["region"] == region]
            own = ordinary[ordinary["region"] == region]["province"]
            n_free = total - int(in_region["municipality"].sum())
            per_province |= dict(zip(own, _spread(n_free, len(own)), strict=True))
    rows = [
        (province, region, municipality, i == 0)
        for province, region, municipality in shape[
            ["province", "region", "municipality"]
        ].itertuples(index=False)
        for i in range(per_province[province])
    ]
    cities = pd.DataFrame(rows, columns=["province", "region", "municipality", "first_in_province"])
    cities.insert(0, "city", [f"City {i:03d}" for i in range(1, len(cities) + 1)])
    return cities


def pick(rng: np.random.Generator, pool: pd.Index, n: int) -> pd.Index:
    """``n`` distinct members of ``pool`` drawn by ``rng``."""
    if n > len(pool):
        raise ValueError(f"cannot flag {n} cities out of a pool of {len(pool)}")
    return pd.Index(rng.choice(pool.to_numpy(), size=n, replace=False))


def frame_rng(slug: str) -> np.random.Generator:
    """The generator that places paper ``slug``'s group flags: seeded by
    :data:`FRAME_SEED` and the paper's position in the registry, so the flags never
    depend on the simulation seed."""
    return np.random.default_rng([FRAME_SEED, entry(slug).position])


def years(slug: str) -> tuple[int, ...]:
    """The paper's sample years, first to last."""
    return load_contract(slug).sample.years


def panel_frame(contract: Contract, units: pd.DataFrame) -> pd.DataFrame:
    """Every unit of ``units`` in every sample year of ``contract`` (the balanced skeleton
    a simulation fills)."""
    index = pd.MultiIndex.from_product(
        [units[contract.unit_key], contract.sample.years], names=list(contract.keys)
    )
    skeleton = index.to_frame(index=False)
    return skeleton.merge(units, on=contract.unit_key, how="left", validate="many_to_one")


def with_regions(panel: pd.DataFrame, unit: str = "province") -> pd.DataFrame:
    """``panel`` with a complete ``region`` column: missing regions (or a missing column) are
    filled from the English province names of ``data/reference/provinces.csv``."""
    if "region" in panel.columns and panel["region"].notna().all():
        return panel
    found = panel[unit].map(provinces().set_index("province")["region"])
    if "region" in panel.columns:
        found = panel["region"].fillna(found)
    unknown = panel.loc[found.isna(), unit].unique().tolist()
    if unknown:
        raise InputError(
            "province names must be the English names of data/reference/provinces.csv "
            "to assign regions (or supply a region column)",
            column=unit,
            rows=unknown,
        )
    return panel.assign(region=found.astype("string"))
