"""The sampling frame of each paper: its units, their group flags, and its years.

Province papers (gtfp, coordination) use the 30 real provinces of
``data/reference/provinces.csv`` with their real names and regions. City papers use
synthetic cities named ``City 001``, ``City 002``, ... in synthetic provinces named
``Province 01`` ... ``Province 30``: the names make plain that they are not real places.
The synthetic provinces copy the structure of the real 30 (11 East, 8 Central,
11 West; four municipalities, three East and one West, each a single city).

Group counts come from each contract's ``sample`` section (the paper's N per subgroup
divided by its years). Which synthetic city carries which flag is drawn once with a
fixed seed per paper, so the frame is the same on every machine and for every
simulation seed. Choices the papers do not pin down are stated where they are made.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.contract import SLUGS, Contract, load_contract
from helpers.errors import InputError
from helpers.paths import DATA_DIR

PROVINCES_CSV = DATA_DIR / "reference" / "provinces.csv"
FRAME_SEED = 20240901
"""Seed of the one-off draw that places group flags on synthetic cities."""

LOWCARBON_BATCHES: tuple[tuple[int, int], ...] = ((2010, 35), (2012, 35), (2017, 45))
"""synergy: (pilot year, cities). The years are the NDRC's three low-carbon pilot
batches; the counts are chosen so that the pilot city-years in 2011-2022
(35x12 + 35x11 + 45x6 = 1075) match the 665 + 405 = 1070 high-regulation city-years of
Table 7 columns (5) and (8). The paper does not report the counts."""


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


def _synthetic_cities(contract: Contract) -> pd.DataFrame:
    """Cities allocated to synthetic provinces; one city per municipality.

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


def _pick(rng: np.random.Generator, pool: pd.Index, n: int) -> pd.Index:
    if n > len(pool):
        raise ValueError(f"cannot flag {n} cities out of a pool of {len(pool)}")
    return pd.Index(rng.choice(pool.to_numpy(), size=n, replace=False))


def _synergy_flags(cities: pd.DataFrame, groups: dict, rng: np.random.Generator) -> pd.DataFrame:
    # 28 = the 4 municipalities + one capital (the first city) in 24 of the 26 provinces.
    heads = cities.index[cities["first_in_province"] & (cities["municipality"] == 0)]
    capitals = _pick(rng, heads, groups["capital"] - groups["municipality"])
    cities["capital"] = (cities.index.isin(capitals) | (cities["municipality"] == 1)).astype(int)
    ordinary = cities.index[cities["capital"] == 0]
    resource = _pick(rng, ordinary, groups["resource_based"])
    cities["resource_based"] = cities.index.isin(resource).astype(int)
    pilot = pd.Series(pd.NA, index=cities.index, dtype="Int64")
    pool = cities.index
    for year, count in LOWCARBON_BATCHES:
        chosen = _pick(rng, pool, count)
        pilot[chosen] = year
        pool = pool.difference(chosen)
    cities["lowcarbon_pilot_year"] = pilot
    return cities


def _bigdata_flags(
    cities: pd.DataFrame, groups: dict, treatment_year: int, rng: np.random.Generator
) -> pd.DataFrame:
    # 19 key cities = the 4 municipalities + the first city of 15 provinces.
    heads = cities.index[cities["first_in_province"] & (cities["municipality"] == 0)]
    key = _pick(rng, heads, groups["key_city"] - groups["municipality"])
    cities["key_city"] = (cities.index.isin(key) | (cities["municipality"] == 1)).astype(int)
    ordinary = cities.index[cities["key_city"] == 0]
    resource = _pick(rng, ordinary, groups["resource_based"])
    cities["resource_based"] = cities.index.isin(resource).astype(int)
    # As in 2016, the pilots are whole provinces plus the municipalities; the last
    # province drawn is treated only in part (like the Pearl River Delta in Guangdong).
    treated = list(cities.index[cities["municipality"] == 1])
    for province in rng.permutation(cities.loc[cities["municipality"] == 0, "province"].unique()):
        if len(treated) >= groups["treated"]:
            break
        members = cities.index[cities["province"] == province]
        treated += list(members[: groups["treated"] - len(treated)])
    cities["bdpz_year"] = pd.Series(pd.NA, index=cities.index, dtype="Int64")
    cities.loc[treated, "bdpz_year"] = treatment_year
    return cities


def units(slug: str) -> pd.DataFrame:
    """The units of paper ``slug`` with their group flags, in the paper's counts.

    Province papers: province, name_zh, code, region, municipality (30 rows).
    synergy: city, province, region, municipality, capital, resource_based,
    lowcarbon_pilot_year (242 rows). producer_services: city, province, region,
    municipality (261 rows: 101 East, 99 Central, 61 West). bigdata_did: city, province,
    region, municipality, key_city, resource_based, bdpz_year (284 rows; 19 key,
    114 resource-based, 67 treated in 2016). Flags are 0/1 integers; years are ``Int64``
    with ``<NA>`` for never.
    """
    contract = load_contract(slug)
    if contract.sample.kind == "province":
        return provinces()
    cities = _synthetic_cities(contract)
    groups = dict(contract.sample.groups)
    rng = np.random.default_rng([FRAME_SEED, SLUGS.index(slug)])
    if slug == "synergy":
        cities = _synergy_flags(cities, groups, rng)
    elif slug == "bigdata_did":
        cities = _bigdata_flags(cities, groups, contract.sample.treatment_year, rng)
    return cities.drop(columns="first_in_province")


def years(slug: str) -> tuple[int, ...]:
    """The paper's sample years, first to last."""
    return load_contract(slug).sample.years


def panel_frame(slug: str) -> pd.DataFrame:
    """Every unit in every sample year (the balanced skeleton a simulation fills)."""
    contract = load_contract(slug)
    frame = units(slug)
    index = pd.MultiIndex.from_product(
        [frame[contract.unit_key], years(slug)], names=list(contract.keys)
    )
    skeleton = index.to_frame(index=False)
    return skeleton.merge(frame, on=contract.unit_key, how="left", validate="many_to_one")


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
