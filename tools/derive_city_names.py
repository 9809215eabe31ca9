"""Derive ``data/reference/cities.csv`` and the name columns of ``provinces.csv`` (run once at
development time; nothing runs it later).

Sources, both MIT-licensed and installed only for this script (they are not dependencies):

* ``cpca`` 0.5.5 (QinYuan Du, https://github.com/DQinYuan/chinese_province_city_area_mapper):
  its ``resources/adcodes.csv`` gives every provincial and prefecture-level division with its
  GB/T 2260 code (12-digit statistical form) and full Chinese name, and
  ``resources/56_nations.csv`` the nationality names stripped from autonomous-prefecture names;
* ``pypinyin`` 0.55.0 (mozillazg): tone-marked pinyin of the short names, corrected by hand
  where it reads a place-name character wrongly (``PINYIN_FIXES``).

English names are the pinyin of the short name (syllables joined, with an apostrophe before
a syllable that starts with a, e or o) except the conventional forms in ``ENGLISH``.  Where two
divisions share an English name the key adds the province: ``Suzhou (Jiangsu)``.

Usage::

    pip install --no-deps --target /tmp/derive cpca==0.5.5 pypinyin==0.55.0
    PYTHONPATH=/tmp/derive python tools/derive_city_names.py
"""

from __future__ import annotations

import csv
import unicodedata
from importlib.util import find_spec
from pathlib import Path

from pypinyin import Style, pinyin

OUT = Path(__file__).resolve().parents[1] / "data" / "reference" / "cities.csv"
PROVINCES = Path(__file__).resolve().parents[1] / "data" / "reference" / "provinces.csv"

SKIPPED = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
"""County-level groupings, not prefecture-level divisions."""

MUNICIPALITIES = {
    "110000": ("北京市", "北京", "110100"),
    "120000": ("天津市", "天津", "120100"),
    "310000": ("上海市", "上海", "310100"),
    "500000": ("重庆市", "重庆", "500100|500200"),
}
"""City panels list the four municipalities as cities: code, full and short name, and the
codes of their district groupings, which some tables use instead."""

RENAMED = {"那曲地区": ("那曲市", "540600")}
"""Changed since the cpca snapshot (Nagqu became a city in 2018): new name and code; the old
ones become aliases."""

FORMER_CODES = {
    "630200": "632100",  # Haidong prefecture -> city, 2013
    "650400": "652100",  # Turpan, 2015
    "650500": "652200",  # Hami, 2016
    "520500": "522400",  # Bijie, 2011
    "520600": "522200",  # Tongren, 2011
    "540200": "542300",  # Shigatse, 2014
    "540300": "542100",  # Qamdo, 2014
    "540400": "542600",  # Nyingchi, 2015
    "540500": "542200",  # Shannan, 2016
}
"""Codes of prefectures that became cities within the papers' sample years (2011-2022):
older yearbook tables carry the old code."""

FORMER = {"襄阳": "襄樊", "普洱": "思茅"}
"""Former names (renamed in 2010 and 2007) still found in older yearbook tables."""

PINYIN_FIXES = {
    "长治": "Cháng zhì",
    "漯河": "Luò hé",
    "朝阳": "Cháo yáng",
    "阿勒泰": "Ā lè tài",
    "锡林郭勒": "Xī lín guō lè",
    "克孜勒苏": "Kè zī lè sū",
    "昌都": "Chāng dū",
    "张掖": "Zhāng yè",
}

ENGLISH = {
    "呼和浩特": "Hohhot",
    "鄂尔多斯": "Ordos",
    "呼伦贝尔": "Hulunbuir",
    "巴彦淖尔": "Bayannur",
    "乌兰察布": "Ulanqab",
    "兴安": "Hinggan",
    "锡林郭勒": "Xilingol",
    "阿拉善": "Alxa",
    "哈尔滨": "Harbin",
    "齐齐哈尔": "Qiqihar",
    "大兴安岭": "Da Hinggan Ling",
    "乌鲁木齐": "Urumqi",
    "克拉玛依": "Karamay",
    "吐鲁番": "Turpan",
    "博尔塔拉": "Bortala",
    "巴音郭楞": "Bayingolin",
    "克孜勒苏": "Kizilsu",
    "喀什": "Kashgar",
    "和田": "Hotan",
    "伊犁": "Ili",
    "阿勒泰": "Altay",
    "阿克苏": "Aksu",
    "拉萨": "Lhasa",
    "日喀则": "Shigatse",
    "昌都": "Qamdo",
    "林芝": "Nyingchi",
    "那曲": "Nagqu",
    "阿里": "Ngari",
    "阿坝": "Ngawa",
    "甘孜": "Garze",
    "果洛": "Golog",
}

EXTRA_ALIASES = {
    "日喀则": "Xigaze",
    "阿坝": "Aba",
    "甘孜": "Ganzi",
    "喀什": "Kashi",
    "和田": "Hetian",
    "伊犁": "Yili",
    "阿勒泰": "Aletai",
    "阿克苏": "Akesu",
}
"""Official Tibetan/Uyghur pinyin or plain pinyin forms that differ from both columns."""

SUFFIXES = ("自治州", "地区", "盟", "市")

PROVINCE_ALIASES = {"150000": "Nei Mongol"}
"""The romanisation GB/T 2260 itself prints for Inner Mongolia."""


def short_name(full: str, nations: list[str]) -> str:
    name = full
    for suffix in SUFFIXES:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    if full.endswith("自治州"):
        stripped = True
        while stripped:
            stripped = False
            for nation in nations:
                for form in (nation, nation.removesuffix("族")):
                    if len(form) > 1 and name.endswith(form) and len(name) > len(form):
                        name = name[: -len(form)]
                        stripped = True
    return name


def toned(short: str) -> str:
    if short in PINYIN_FIXES:
        return PINYIN_FIXES[short]
    syllables = [s[0] for s in pinyin(short, style=Style.TONE)]
    text = " ".join(syllables)
    return text[:1].upper() + text[1:]


def english(short: str, tone_marked: str) -> str:
    if short in ENGLISH:
        return ENGLISH[short]
    tone_marks = {"\u0304", "\u0301", "\u030c", "\u0300"}  # keep the diaeresis of ü
    plain = "".join(c for c in unicodedata.normalize("NFD", tone_marked) if c not in tone_marks)
    plain = unicodedata.normalize("NFC", plain).lower().split()
    word = plain[0] + "".join(("'" if s[0] in "aeo" else "") + s for s in plain[1:])
    return word.capitalize()


def province_columns(adcodes: list[dict[str, str]]) -> None:
    """Add ``name_zh_full``, ``pinyin`` and ``aliases`` to provinces.csv, keeping its rows."""
    full = {r["adcode"][:6]: r["name"] for r in adcodes if r["adcode"][2:] == "0" * 10}
    with PROVINCES.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    base = [f for f in rows[0] if f not in ("name_zh_full", "pinyin", "aliases")]
    for row in rows:
        row["name_zh_full"] = full[row["code"]]
        row["pinyin"] = toned(row["name_zh"])
        row["aliases"] = PROVINCE_ALIASES.get(row["code"], "")
    fields = [*base[:3], "name_zh_full", "pinyin", "aliases", *base[3:]]
    with PROVINCES.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: r[k] for k in fields} for r in rows)


def main() -> None:
    base = Path(find_spec("cpca").origin).parent / "resources"  # data only: no import
    with (base / "adcodes.csv").open(encoding="utf-8") as handle:
        province_columns(list(csv.DictReader(handle)))
    nations = [n.strip() for n in (base / "56_nations.csv").read_text("utf-8").split() if n]
    nations.sort(key=len, reverse=True)
    with PROVINCES.open(encoding="utf-8") as handle:
        province_of = {row["code"][:2]: row["name_en"] for row in csv.DictReader(handle)}
    rows = []
    with (base / "adcodes.csv").open(encoding="utf-8") as handle:
        for rec in csv.DictReader(handle):
            code = rec["adcode"][:6]
            if code[2:] == "0000" or code[4:] != "00" or rec["name"] in SKIPPED:
                continue
            if code[:2] not in province_of:
                continue  # Taiwan, Hong Kong, Macao: outside provinces.csv
            full, new_code = RENAMED.get(rec["name"], (rec["name"], code))
            aliases = [rec["name"]] if full != rec["name"] else []
            old_codes = "|".join(
                c for c in (FORMER_CODES.get(new_code), code) if c and c != new_code
            )
            short = short_name(full, nations)
            rows.append([new_code, full, short, province_of[code[:2]], old_codes, aliases])
    for code, (full, short, alias_codes) in MUNICIPALITIES.items():
        rows.append([code, full, short, province_of[code[:2]], alias_codes, []])
    out = []
    for code, full, short, province, alias_codes, aliases in rows:
        tone_marked = toned(short)
        aliases = aliases + [table[short] for table in (FORMER, EXTRA_ALIASES) if short in table]
        out.append(
            {
                "code": code,
                "name_en": english(short, tone_marked),
                "name_zh": full,
                "name_zh_short": short,
                "pinyin": tone_marked,
                "province": province,
                "alias_codes": alias_codes,
                "aliases": "|".join(aliases),
            }
        )
    names = [r["name_en"] for r in out]
    for r in out:
        r["key"] = (
            r["name_en"] if names.count(r["name_en"]) == 1 else f"{r['name_en']} ({r['province']})"
        )
    out.sort(key=lambda r: r["code"])
    fields = [
        "code",
        "key",
        "name_en",
        "name_zh",
        "name_zh_short",
        "pinyin",
        "province",
        "alias_codes",
        "aliases",
    ]
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: r[k] for k in fields} for r in out)
    print(f"{len(out)} prefecture-level divisions -> {OUT}")


if __name__ == "__main__":
    main()
