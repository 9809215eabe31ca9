"""Province, city and region names as readers have them, each mapped to one key.

Keys are the English names of the reference tables: ``data/reference/provinces.csv`` for the
31 provincial-level divisions (``Beijing``, ``Inner Mongolia``, ``Shaanxi`` ...) and
``data/reference/cities.csv`` for the 338 prefecture-level divisions (the four municipalities
included); where two cities share an English name the key adds the province
(``Suzhou (Jiangsu)``, ``Suzhou (Anhui)``).  Regions are ``East``, ``Central`` and ``West``.

Accepted forms of a province (each maps to its key):

* English, any case and spacing, with or without a suffix: ``Inner Mongolia``,
  ``Guangxi Zhuang Autonomous Region``, ``Hebei Province``, ``Beijing Municipality``;
* pinyin with or without tone marks, spaces or apostrophes: ``Nei Menggu``, ``Neimenggu``,
  ``Nèi Měnggǔ``, numeric tones ``nei4 meng3 gu3``; and GB/T 2260's ``Nei Mongol``;
* Chinese full and short names: ``内蒙古自治区``, ``内蒙古``, ``广西壮族自治区``, ``广西``;
* GB/T 2260 codes as numbers or text: ``110000``, ``11``, ``"110000"``, ``110000.0``, and the
  12-digit statistical form ``110000000000``.

Untoned ``Shanxi`` is 山西 (as in English usage); 陕西 is ``Shaanxi``, or ``Shǎnxī`` /
``shan3xi1`` with tones.  Cities accept the same kinds of forms (``苏州市``, ``苏州``,
``Suzhou (Jiangsu)``, ``Sūzhōu``, ``320500``, the 4-digit prefix ``3205``, former codes and
names such as 襄樊 for 襄阳) plus the usual short forms of autonomous prefectures (``延边州``).
A name shared by two cities is ambiguous unless tones, the province (``Suzhou, Jiangsu``)
or a province column tell them apart.

Unknown or ambiguous names raise :class:`~helpers.errors.InputError` naming the value and
the closest known names (``difflib``).  The loader (:mod:`helpers.io`) calls
:func:`match_provinces`, :func:`match_cities` and :func:`match_regions` on the ``province``,
``city`` and ``region`` columns; chapters call :func:`normalise_exclusions` on a list of
provinces given by the reader.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd

from helpers.errors import InputError
from helpers.paths import DATA_DIR

PROVINCES_CSV = DATA_DIR / "reference" / "provinces.csv"
CITIES_CSV = DATA_DIR / "reference" / "cities.csv"
REGIONS: tuple[str, ...] = ("East", "Central", "West")

_TONES = {"\u0304": "1", "\u0301": "2", "\u030c": "3", "\u0300": "4"}
_SEPARATORS = set(" -'’‘`_.·")
_LATIN_SUFFIXES = frozenset(
    "province municipality autonomous region special administrative city prefecture league "
    "area district sheng shi zizhiqu zizhizhou diqu meng zhuang hui uygur uyghur uighur "
    "weiwuer".split()
)
_PROVINCE_SUFFIXES = (
    "壮族自治区",
    "回族自治区",
    "维吾尔自治区",
    "特别行政区",
    "自治区",
    "省",
    "市",
)
_CITY_SUFFIXES = ("自治州", "地区", "盟", "市", "州")
_CODE = re.compile(r"^\d+(\.0+)?$")
_QUALIFIED = re.compile(r"^(.+?)\s*(?:\((.+)\)|（(.+)）|[,，]\s*(.+))$")

_REGION_FORMS: dict[str, str] = {
    **{f: "East" for f in ("east", "eastern", "dongbu", "东", "东部", "东部地区", "东部省份")},
    **{f: "Central" for f in ("central", "zhongbu", "中", "中部", "中部地区", "中部省份")},
    **{f: "West" for f in ("west", "western", "xibu", "西", "西部", "西部地区", "西部省份")},
}


@dataclass(frozen=True)
class NameMatch:
    """Result of matching a column of names: ``keys`` aligned with the input (missing where
    the input is missing or not matched), and the values that could not be matched:
    ``unknown`` maps each to its closest known names, ``ambiguous`` to its candidate keys."""

    keys: pd.Series
    unknown: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    ambiguous: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.unknown and not self.ambiguous

    def problems(self, what: str) -> list[tuple[str, list[str], str]]:
        """``(rule, offending values, hint)`` per kind of problem, for error messages."""
        out = []
        if self.unknown:
            shown = [
                f"{v!r}" + (f" (closest: {', '.join(s)})" if s else "")
                for v, s in self.unknown.items()
            ]
            out.append(
                (
                    f"unknown {what} name{'s' if len(shown) > 1 else ''}: {'; '.join(shown)}",
                    list(self.unknown),
                    f"Use an English, pinyin or Chinese name or a GB/T 2260 code (see "
                    f"data/reference/{'cities' if what == 'city' else 'provinces'}.csv)",
                )
            )
        if self.ambiguous:
            shown = [f"{v!r} could be {' or '.join(c)}" for v, c in self.ambiguous.items()]
            out.append(
                (
                    f"ambiguous {what} name{'s' if len(shown) > 1 else ''}: {'; '.join(shown)}",
                    list(self.ambiguous),
                    "Write the key (e.g. 'Suzhou (Jiangsu)'), the Chinese name, the pinyin "
                    "with tones or the code, or give the province",
                )
            )
        return out


# ---------------------------------------------------------------------------- text forms


def _latin(text: str) -> tuple[str, str] | None:
    """``(letters, tones)`` of romanised text (tone marks or digits 1-4 give the tones, in
    order; ``v`` and ``ü`` are ``u``); ``None`` for text with other scripts."""
    letters, tones = [], []
    for ch in unicodedata.normalize("NFD", text.lower()):
        if ch in _TONES:
            tones.append(_TONES[ch])
        elif unicodedata.combining(ch) or ch in _SEPARATORS or ch in "05":
            continue
        elif ch in "1234":
            tones.append(ch)
        elif "a" <= ch <= "z":
            letters.append("u" if ch == "v" else ch)
        else:
            return None
    return "".join(letters), "".join(tones)


def _latin_forms(text: str) -> list[tuple[str, str]]:
    """The whole text, then the text without trailing suffix words (``Hebei Province``)."""
    whole = _latin(text)
    if whole is None or not whole[0]:
        return []
    forms = [whole]
    words = re.split(r"[\s\-_]+", text.strip())
    while len(words) > 1 and words[-1].casefold() in _LATIN_SUFFIXES:
        words = words[:-1]
        stripped = _latin(" ".join(words))
        if stripped and stripped not in forms:
            forms.append(stripped)
    return forms


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _code(value: object) -> str | None:
    """Digits of a code given as a number or as text, else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return str(int(value)) if float(value).is_integer() and value >= 0 else None
    text = str(value).strip()
    return text.split(".")[0] if _CODE.match(text) else None


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating) and np.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


# ---------------------------------------------------------------------------- the indices


@dataclass
class _Index:
    """Surface forms of one kind of place, each pointing to the keys that carry it."""

    exact: dict[str, set[str]] = field(default_factory=dict)  # casefolded key / English
    english: dict[str, set[str]] = field(default_factory=dict)  # latin letters of English
    pinyin: dict[str, set[str]] = field(default_factory=dict)  # untoned pinyin letters
    toned: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    cjk: dict[str, set[str]] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)
    province: dict[str, str] = field(default_factory=dict)  # key -> province key
    display: dict[str, str] = field(default_factory=dict)  # key -> "key (中文)"

    def add(self, table: dict, form: object, key: str) -> None:
        if form:
            table.setdefault(form, set()).add(key)

    def add_latin(self, text: str, key: str, *, english: bool) -> None:
        for letters, tones in _latin_forms(text)[:1]:
            self.add(self.english if english else self.pinyin, letters, key)
            if tones:
                self.add(self.toned, (letters, tones), key)


def _split(cell: object) -> list[str]:
    return [] if _is_missing(cell) else [p.strip() for p in str(cell).split("|") if p.strip()]


@cache
def _provinces() -> _Index:
    table = pd.read_csv(PROVINCES_CSV, dtype=str, keep_default_na=False)
    index = _Index()
    for row in table.itertuples(index=False):
        key = row.name_en
        index.add(index.exact, key.casefold(), key)
        index.add_latin(key, key, english=True)
        index.add_latin(row.pinyin, key, english=False)
        for alias in _split(row.aliases):
            index.add_latin(alias, key, english=True)
        for name in (row.name_zh, row.name_zh_full):
            index.add(index.cjk, name, key)
        index.codes[row.code] = key
        index.codes[row.code[:2]] = key
        index.province[key] = key
        index.display[key] = f"{key} [{row.name_zh}]"
    return index


@cache
def _cities() -> _Index:
    table = pd.read_csv(CITIES_CSV, dtype=str, keep_default_na=False)
    index = _Index()
    for row in table.itertuples(index=False):
        key = row.key
        index.add(index.exact, key.casefold(), key)
        index.add_latin(key, key, english=True)
        index.add_latin(row.name_en, key, english=True)
        index.add_latin(row.pinyin, key, english=False)
        for name in (row.name_zh, row.name_zh_short):
            index.add(index.cjk, name, key)
        for alias in _split(row.aliases):
            if _has_cjk(alias):
                index.add(index.cjk, alias, key)
            else:
                index.add_latin(alias, key, english=True)
        for code in [row.code, *_split(row.alias_codes)]:
            index.codes[code] = key
            if code.endswith("00") and code[2:] != "0000":
                index.codes[code[:4]] = key
        index.province[key] = row.province
        index.display[key] = f"{key} [{row.name_zh_short}]"
    return index


# ---------------------------------------------------------------------------- matching


def _lookup(index: _Index, text: str, suffixes: tuple[str, ...]) -> set[str]:
    """Keys whose forms match ``text`` (first the most specific kind of form that does)."""
    folded = " ".join(text.split()).casefold()
    if folded in index.exact:
        return index.exact[folded]
    if _has_cjk(text):
        compact = "".join(text.split())
        found = index.cjk.get(compact, set())
        for suffix in suffixes:
            if found:
                break
            if compact.endswith(suffix) and len(compact) > len(suffix):
                found = index.cjk.get(compact[: -len(suffix)], set())
        return found
    for letters, tones in _latin_forms(text):
        if tones and (letters, tones) in index.toned:
            return index.toned[(letters, tones)]
        for table in (index.english, index.pinyin):
            if letters in table:
                return table[letters]
    return set()


def _suggest(index: _Index, text: str) -> tuple[str, ...]:
    """Up to three known names closest to ``text`` (difflib ratio >= 0.6, or 0.5 for Chinese,
    where two names of two characters sharing one score 0.5)."""
    if _has_cjk(text):
        forms, probe, cutoff = index.cjk, "".join(text.split()), 0.5  # 1 of 2 characters
    else:
        forms = {**index.pinyin, **index.english}
        probe, cutoff = (_latin(text) or ("", ""))[0] or text.casefold(), 0.6
    close = difflib.get_close_matches(probe, list(forms), n=3, cutoff=cutoff)
    keys = dict.fromkeys(k for name in close for k in sorted(forms[name]))
    return tuple(index.display[k] for k in list(keys)[:3])


def _resolve(
    index: _Index, value: object, suffixes: tuple[str, ...], within: str | None
) -> tuple[set[str], str]:
    """Candidate keys for one value, narrowed to the province ``within`` when given."""
    text = str(value).strip()
    code = _code(value)
    if code is not None:
        code = code[:6] if len(code) == 12 else code
        return ({index.codes[code]} if code in index.codes else set()), text
    found = _lookup(index, text, suffixes)
    qualified = _QUALIFIED.match(text)
    if not found and qualified and index is _cities():
        name = qualified.group(1)
        hint = next(g for g in qualified.groups()[1:] if g)
        found = _lookup(index, name, suffixes)
        province = _lookup(_provinces(), hint, _PROVINCE_SUFFIXES)
        if len(province) == 1:
            within = next(iter(province))
    if len(found) > 1 and within is not None:
        narrowed = {k for k in found if index.province[k] == within}
        found = narrowed or found
    return found, text


def _match(
    index: _Index, values: object, suffixes: tuple[str, ...], within: object = None
) -> NameMatch:
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    context = None
    if within is not None:
        context = match_provinces(within).keys
        context.index = series.index
    keys = pd.Series(np.nan, index=series.index, dtype=object)
    unknown: dict[str, tuple[str, ...]] = {}
    ambiguous: dict[str, tuple[str, ...]] = {}
    cache_: dict[tuple[object, object], set[str]] = {}
    for label, value in series.items():
        if _is_missing(value):
            continue
        province = None if context is None else context.get(label)
        province = None if _is_missing(province) else province
        probe = (value if isinstance(value, str) else repr(value), province)
        if probe not in cache_:
            cache_[probe] = _resolve(index, value, suffixes, province)[0]
        found = cache_[probe]
        text = str(value).strip()
        if len(found) == 1:
            keys[label] = next(iter(found))
        elif found:
            ambiguous[text] = tuple(index.display[k] for k in sorted(found))
        else:
            unknown.setdefault(text, _suggest(index, text))
    return NameMatch(keys, unknown, ambiguous)


def match_provinces(values: Iterable[object]) -> NameMatch:
    """Province keys for ``values`` in any accepted form (see the module docstring)."""
    return _match(_provinces(), values, _PROVINCE_SUFFIXES)


def match_cities(values: Iterable[object], provinces: Iterable[object] | None = None) -> NameMatch:
    """City keys for ``values``; ``provinces`` (aligned, any accepted form) settles names
    that two cities share."""
    return _match(_cities(), values, _CITY_SUFFIXES, within=provinces)


def match_regions(values: Iterable[object]) -> NameMatch:
    """``East`` / ``Central`` / ``West`` for English, Chinese or pinyin region labels
    (``东部``, ``东部地区``, ``eastern``, ``Dōngbù`` ...)."""
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    keys = pd.Series(np.nan, index=series.index, dtype=object)
    unknown: dict[str, tuple[str, ...]] = {}
    for label, value in series.items():
        if _is_missing(value):
            continue
        text = "".join(str(value).split())
        words = re.split(r"[\s\-_]+", str(value).strip())
        if len(words) > 1 and words[-1].casefold() == "region":
            text = "".join(words[:-1])
        latin = _latin(text)
        form = latin[0] if latin else text.casefold()
        found = _REGION_FORMS.get(form) or _REGION_FORMS.get(form.removesuffix("region"))
        if found:
            keys[label] = found
        else:
            unknown[str(value).strip()] = REGIONS
    return NameMatch(keys, unknown)


# ---------------------------------------------------------------------------- normalising


def _raise(match: NameMatch, what: str, column: str | None, parameter: str | None) -> None:
    for rule, _values, hint in match.problems(what):
        raise InputError(rule, column=column, parameter=parameter, hint=hint)


def normalise_provinces(values: Iterable[object], *, column: str = "province") -> pd.Series:
    """``values`` as province keys; :class:`InputError` names unknown or ambiguous ones."""
    match = match_provinces(values)
    _raise(match, "province", column, None)
    return match.keys


def normalise_cities(
    values: Iterable[object],
    provinces: Iterable[object] | None = None,
    *,
    column: str = "city",
    unknown: str = "raise",
) -> pd.Series:
    """``values`` as city keys.  Ambiguous names always raise; unknown ones raise, or with
    ``unknown="keep"`` are kept as written (city panels may hold places outside the list)."""
    if unknown not in ("raise", "keep"):
        raise InputError("must be 'raise' or 'keep'", parameter="unknown")
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    match = match_cities(series, provinces)
    if unknown == "keep":
        keys = match.keys.copy()
        kept = keys.isna() & ~series.map(_is_missing)
        keys[kept] = series[kept].map(lambda v: str(v).strip())
        match = NameMatch(keys, {}, match.ambiguous)
    _raise(match, "city", column, None)
    return match.keys


def normalise_regions(values: Iterable[object], *, column: str = "region") -> pd.Series:
    """``values`` as ``East`` / ``Central`` / ``West``; :class:`InputError` otherwise."""
    match = match_regions(values)
    if match.unknown:
        found = ", ".join(repr(v) for v in match.unknown)
        raise InputError(
            f"unknown region label{'s' if len(match.unknown) > 1 else ''} {found}; the papers "
            "use East, Central and West (东部, 中部, 西部)",
            column=column,
            hint="Leave the column out to have regions filled in from data/reference/"
            "provinces.csv (the four-region split's 东北 is not used)",
        )
    return match.keys


def normalise_exclusions(
    values: str | Iterable[object] | None, *, parameter: str = "excluded_provinces"
) -> tuple[str, ...]:
    """A list of provinces given in any accepted form (or one string separated by commas,
    semicolons, 、 or |) as province keys, in the given order without repeats."""
    if values is None:
        return ()
    if isinstance(values, str):
        items: list[object] = [p for p in re.split(r"[,;，；、|]", values) if p.strip()]
    elif isinstance(values, int | float | np.number):
        items = [values]
    else:
        items = list(values)
    match = match_provinces(items)
    _raise(match, "province", None, parameter)
    return tuple(dict.fromkeys(match.keys.dropna()))
