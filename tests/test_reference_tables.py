"""data/reference/provinces.csv matches the provincial papers' sample and regions."""

import pandas as pd

from helpers.paths import DATA_DIR

# The East / Central / West split as stated for the provincial papers (issue 2, item 8).
EAST = "Beijing Tianjin Hebei Liaoning Shanghai Jiangsu Zhejiang Fujian Shandong Guangdong Hainan"
CENTRAL = "Shanxi Jilin Heilongjiang Anhui Jiangxi Henan Hubei Hunan"
WEST = (
    "Inner_Mongolia Guangxi Chongqing Sichuan Guizhou Yunnan Shaanxi Gansu Qinghai Ningxia Xinjiang"
)


def _names(text: str) -> set[str]:
    return {name.replace("_", " ") for name in text.split()}


def test_provinces_table():
    prov = pd.read_csv(DATA_DIR / "reference" / "provinces.csv", dtype={"code": str})
    assert len(prov) == 31 and prov["code"].is_unique
    assert prov["code"].str.fullmatch(r"\d{2}0000").all()
    sample = prov[prov["in_sample_30"]]
    assert len(sample) == 30 and "Tibet" not in set(sample["name_en"])
    for region, names in [("East", EAST), ("Central", CENTRAL), ("West", WEST)]:
        assert set(sample.loc[sample["region"] == region, "name_en"]) == _names(names)
    assert set(prov.loc[prov["municipality"], "name_en"]) == {
        "Beijing",
        "Tianjin",
        "Shanghai",
        "Chongqing",
    }
    assert prov["name_zh"].str.len().ge(2).all()
