"""Province, city and region names in every form readers have them map to one key."""

from __future__ import annotations

import re
import unicodedata

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.errors import InputError
from helpers.names import (
    CITIES_CSV,
    PROVINCES_CSV,
    match_cities,
    match_provinces,
    match_regions,
    normalise_cities,
    normalise_exclusions,
    normalise_provinces,
    normalise_regions,
)

PROVINCES = pd.read_csv(PROVINCES_CSV, dtype=str, keep_default_na=False)
CITIES = pd.read_csv(CITIES_CSV, dtype=str, keep_default_na=False)


def _untoned(pinyin: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", pinyin) if not unicodedata.combining(c))


def _numeric_tones(pinyin: str) -> str:
    """'Nèi méng gǔ' -> 'nei4 meng2 gu3' (the tone digit after each syllable)."""
    marks = {"\u0304": "1", "\u0301": "2", "\u030c": "3", "\u0300": "4"}
    out = []
    for syllable in pinyin.lower().split():
        decomposed = unicodedata.normalize("NFD", syllable)
        tone = "".join(marks.get(c, "") for c in decomposed)
        out.append(_untoned(syllable) + tone)
    return " ".join(out)


def province_forms(row: pd.Series) -> list[object]:
    code = row["code"]
    forms = [
        row["name_en"],
        row["name_en"].upper(),
        f"  {row['name_en'].lower()}  ",
        row["name_zh"],
        row["name_zh_full"],
        row["pinyin"],  # tone marks, syllables spaced: 'Nèi méng gǔ'
        row["pinyin"].replace(" ", ""),  # 'Nèiménggǔ'
        _numeric_tones(row["pinyin"]),  # 'nei4 meng2 gu3'
        code,
        int(code),
        float(code),
        code[:2],
        int(code[:2]),
        code + "000000",
    ]
    untoned = _untoned(row["pinyin"])
    if row["code"] != "610000":  # untoned 'Shanxi' is 山西 by the documented rule
        forms += [untoned, untoned.replace(" ", ""), untoned.title()]
    return forms


@pytest.mark.parametrize("code", PROVINCES["code"].tolist())
def test_every_province_maps_from_each_of_its_forms(code):
    row = PROVINCES.set_index("code", drop=False).loc[code]
    forms = province_forms(row)
    got = match_provinces(forms)
    assert got.ok, (got.unknown, got.ambiguous)
    assert got.keys.tolist() == [row["name_en"]] * len(forms)


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("Nei Menggu", "Inner Mongolia"),
        ("Neimenggu", "Inner Mongolia"),
        ("Nei Mongol", "Inner Mongolia"),
        ("Inner Mongolia Autonomous Region", "Inner Mongolia"),
        ("内蒙古", "Inner Mongolia"),
        ("内蒙古自治区", "Inner Mongolia"),
        ("广西壮族自治区", "Guangxi"),
        ("广西自治区", "Guangxi"),
        ("Guangxi Zhuang Autonomous Region", "Guangxi"),
        ("Xinjiang Uygur Autonomous Region", "Xinjiang"),
        ("Ningxia Hui Autonomous Region", "Ningxia"),
        ("Hebei Province", "Hebei"),
        ("Beijing Municipality", "Beijing"),
        ("北京市", "Beijing"),
        ("Xizang", "Tibet"),
        ("Shanxi", "Shanxi"),
        ("Shaanxi", "Shaanxi"),
        ("Shǎnxī", "Shaanxi"),
        ("shan3 xi1", "Shaanxi"),
        ("Shānxī", "Shanxi"),
        ("Chong-qing", "Chongqing"),
        ("110000.0", "Beijing"),
    ],
)
def test_documented_province_forms(written, key):
    assert normalise_provinces([written]).tolist() == [key]


def test_missing_names_stay_missing():
    got = match_provinces(["Beijing", None, float("nan"), "  "])
    assert got.ok
    assert got.keys.iloc[0] == "Beijing"
    assert got.keys.iloc[1:].isna().all()


@pytest.mark.parametrize(
    ("written", "closest"),
    [("Pekin", None), ("Beijin", "Beijing"), ("北平", "Beijing"), ("Guangdon", "Guangdong")],
)
def test_unknown_province_names_the_value_and_suggests_close_matches(written, closest):
    with pytest.raises(InputError) as info:
        normalise_provinces(["Hebei", written])
    text = str(info.value)
    assert f"unknown province name: {written!r}" in text
    assert "column 'province'" in text
    if closest:
        assert closest in text.split("closest: ")[1].split(")")[0]


@pytest.mark.parametrize("code", ["990000", "99", 990000, "110100", "1100"])
def test_unknown_province_codes(code):
    with pytest.raises(InputError, match="unknown province name"):
        normalise_provinces([code])


# ------------------------------------------------------------------ cities


def city_forms(row: pd.Series) -> list[object]:
    forms = [
        row["key"],
        row["name_zh"],
        row["name_zh_short"],
        row["pinyin"],
        _numeric_tones(row["pinyin"]),
        row["code"],
        int(row["code"]),
        float(row["code"]),
        f"{row['name_zh_short']}（{row['province']}）",
        f"{row['name_en']}, {row['province']}",
    ]
    if row["code"][2:] != "0000":
        forms.append(row["code"][:4])
    return forms


@pytest.mark.parametrize("code", CITIES["code"].tolist())
def test_every_city_maps_from_each_of_its_forms(code):
    row = CITIES.set_index("code", drop=False).loc[code]
    forms = city_forms(row)
    got = match_cities(forms)
    assert got.ok, (got.unknown, got.ambiguous)
    assert got.keys.tolist() == [row["key"]] * len(forms)


def test_city_keys_and_codes_are_unique_and_belong_to_known_provinces():
    assert CITIES["key"].is_unique and CITIES["code"].is_unique
    assert set(CITIES["province"]) <= set(PROVINCES["name_en"])
    assert (
        CITIES["code"].str[:2]
        == CITIES["province"].map(PROVINCES.set_index("name_en")["code"].str[:2])
    ).all()
    assert len(CITIES) == 338


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("延边州", "Yanbian"),
        ("延边朝鲜族自治州", "Yanbian"),
        ("恩施州", "Enshi"),
        ("襄樊", "Xiangyang"),
        ("那曲地区", "Nagqu"),
        ("542400", "Nagqu"),  # the code before Nagqu became a city
        ("632100", "Haidong"),
        ("Huhehaote", "Hohhot"),
        ("Wulumuqi", "Urumqi"),
        ("Kashi", "Kashgar"),
        ("Xian", "Xi'an"),
        ("Lvliang", "Lüliang"),
        ("Luliang", "Lüliang"),
        ("Shijiazhuang Shi", "Shijiazhuang"),
        ("110100", "Beijing"),
        ("500200", "Chongqing"),
        ("Sūzhōu", "Suzhou (Jiangsu)"),
        ("Sùzhōu", "Suzhou (Anhui)"),
        ("Suzhou, Anhui", "Suzhou (Anhui)"),
        ("苏州（江苏）", "Suzhou (Jiangsu)"),
        ("Fǔzhōu", "Fuzhou (Jiangxi)"),
    ],
)
def test_documented_city_forms(written, key):
    assert normalise_cities([written]).tolist() == [key]


@pytest.mark.parametrize("shared", ["Suzhou", "Fuzhou", "Taizhou", "Yichun", "Yulin"])
def test_a_name_two_cities_share_is_ambiguous_unless_the_province_settles_it(shared):
    with pytest.raises(InputError) as info:
        normalise_cities([shared])
    assert f"{shared!r} could be {shared} (" in str(info.value)
    pair = CITIES[CITIES["name_en"] == shared]
    assert len(pair) == 2
    got = normalise_cities([shared] * 2, provinces=pair["province"].tolist())
    assert got.tolist() == pair["key"].tolist()
    got = normalise_cities([shared] * 2, provinces=pair["code"].str[:2].tolist())
    assert got.tolist() == pair["key"].tolist()


def test_unknown_cities_raise_or_are_kept_as_written():
    with pytest.raises(InputError) as info:
        normalise_cities(["苏州", "Shijiazhuan"])
    assert "unknown city name: 'Shijiazhuan' (closest: Shijiazhuang" in str(info.value)
    kept = normalise_cities(["City 001", "苏州", None], unknown="keep")
    assert kept.iloc[:2].tolist() == ["City 001", "Suzhou (Jiangsu)"]
    assert pd.isna(kept.iloc[2])
    with pytest.raises(InputError, match="ambiguous city name"):
        normalise_cities(["City 001", "Suzhou"], unknown="keep")


# ------------------------------------------------------------------ regions, exclusions


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("East", "East"),
        ("east", "East"),
        ("Eastern", "East"),
        ("Eastern region", "East"),
        ("东部", "East"),
        ("东部地区", "East"),
        ("dongbu", "East"),
        ("Dōngbù", "East"),
        ("中部", "Central"),
        ("中部地区", "Central"),
        ("Central Region", "Central"),
        ("西部", "West"),
        ("西部地区", "West"),
        ("western", "West"),
    ],
)
def test_region_labels(written, key):
    assert normalise_regions([written]).tolist() == [key]


@pytest.mark.parametrize("label", ["东北", "Northeast", "南部"])
def test_unknown_region_label(label):
    with pytest.raises(InputError) as info:
        normalise_regions(["East", label])
    assert repr(label) in str(info.value)
    assert "East, Central and West" in str(info.value)
    assert match_regions([label]).unknown


@pytest.mark.parametrize(
    "written",
    [
        ["Beijing", "Shanghai", "Tianjin", "Chongqing", "Guangdong"],
        ["北京", "上海", "天津", "重庆", "广东"],
        ["北京市", "上海市", "天津市", "重庆市", "广东省"],
        [110000, 310000, 120000, 500000, 440000],
        "北京, 上海, 天津, 重庆, 广东",
        "Beijing;Shanghai;Tianjin;Chongqing;Guangdong",
        "北京、上海、天津、重庆、广东",
        ["Běijīng", "Shanghai", "tianjin", "Chong qing", "44"],
    ],
)
def test_exclusion_lists_in_any_form(written):
    want = ("Beijing", "Shanghai", "Tianjin", "Chongqing", "Guangdong")
    assert normalise_exclusions(written) == want


def test_exclusion_list_edge_cases():
    assert normalise_exclusions(None) == ()
    assert normalise_exclusions([]) == ()
    assert normalise_exclusions(["北京", "Beijing"]) == ("Beijing",)
    with pytest.raises(InputError) as info:
        normalise_exclusions(["Beijing", "Bejing x"])
    assert "parameter 'excluded_provinces'" in str(info.value)
    assert "'Bejing x'" in str(info.value)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(st.one_of(st.text(max_size=8), st.integers(), st.floats(), st.none()), max_size=6))
def test_any_input_gives_keys_or_a_named_input_error(values):
    for fn in (normalise_provinces, normalise_cities, normalise_regions, normalise_exclusions):
        try:
            out = fn(values)
        except InputError as exc:
            assert re.search(r"unknown|ambiguous", str(exc))
        else:
            assert len(out) <= len(values)
