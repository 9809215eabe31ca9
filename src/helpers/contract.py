"""The data contract of each paper: every raw variable its chapter needs.

A contract is written once per paper in ``data/contracts/<slug>.yml`` and read here
into frozen dataclasses. The loader (:mod:`helpers.io`) validates readers' files
against it, each paper's generating process (``helpers.papers.SLUG.process``) takes the
sample design from it, and the book renders :meth:`Contract.to_frame` as the data
dictionary.

Each variable records its name, label (and the Chinese label where the paper is in
Chinese), unit, type, allowed range, whether it is required and whether cells may be
missing (the papers interpolate gaps), its role(s) in the chapter, and for index
indicators the dimension and the +/- direction printed in the paper's indicator table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pandas as pd

from helpers import yamlio
from helpers.errors import InputError, check_choice
from helpers.indices import Indicator
from helpers.paths import DATA_DIR
from helpers.registry import entry

CONTRACTS_DIR = DATA_DIR / "contracts"

DTYPES: tuple[str, ...] = ("str", "float", "year", "flag", "category")
"""``str`` identifiers, ``float`` numbers, ``year`` whole years, ``flag`` 0/1,
``category`` one of the ``allowed`` labels."""

ROLES: tuple[str, ...] = (
    "key",
    "indicator",
    "dea_input",
    "dea_good_output",
    "dea_bad_output",
    "outcome",
    "treatment",
    "regressor",
    "control",
    "mediator",
    "moderator",
    "group",
)
DEA_ROLES: frozenset[str] = frozenset({"dea_input", "dea_good_output", "dea_bad_output"})
NUMERIC_DTYPES: frozenset[str] = frozenset({"float", "year", "flag"})


@dataclass(frozen=True)
class Variable:
    """One column of a paper's raw data.

    ``min`` and ``max`` are inclusive plausibility bounds (``None``: unbounded);
    ``positive`` requires values strictly above zero (DEA inputs and outputs, logged
    indicators). ``weight`` is the index weight printed by the paper, if any.
    """

    name: str
    label: str
    unit: str
    dtype: str
    role: tuple[str, ...]
    required: bool
    missing_ok: bool
    source: str
    label_zh: str | None = None
    min: float | None = None
    max: float | None = None
    positive: bool = False
    allowed: tuple[str, ...] | None = None
    dimension: str | None = None
    direction: str | None = None
    weight: float | None = None
    note: str | None = None

    @property
    def is_numeric(self) -> bool:
        return self.dtype in NUMERIC_DTYPES

    @property
    def is_dea(self) -> bool:
        return bool(DEA_ROLES.intersection(self.role))

    @property
    def rule(self) -> str:
        """The checks a value of this column must pass, in words (the dictionary's "rule")."""
        words = ["required" if self.required else "optional"]
        if self.missing_ok:
            words.append("may be empty")
        if self.allowed:
            words.append("one of " + ", ".join(self.allowed))
        if self.positive:
            words.append("> 0")
        if self.min is not None and self.max is not None:
            words.append(f"{self.min:g} to {self.max:g}")
        elif self.min is not None:
            words.append(f">= {self.min:g}")
        elif self.max is not None:
            words.append(f"<= {self.max:g}")
        return "; ".join(words)


@dataclass(frozen=True)
class Sample:
    """The paper's sampling frame: unit count, years and group counts.

    ``printed_n`` maps a group counted in the frame (``units``, ``region East``, a flag
    such as ``key_city``) to the published column, ``(table, column)``, whose N covers it:
    the data chapter sets the frame's count beside the paper's N divided by its years.
    """

    kind: str
    units: int
    first_year: int
    last_year: int
    source: str
    groups: Mapping[str, Any]
    groups_source: str
    treatment_year: int | None = None
    printed_n: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(range(self.first_year, self.last_year + 1))


@dataclass(frozen=True)
class Contract:
    """A paper's data contract: panel keys, sample design and variables."""

    slug: str
    paper: str
    title: str
    unit_key: str
    time_key: str
    balanced: bool
    balance_reason: str
    sample: Sample
    variables: tuple[Variable, ...]
    cite: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.variables)

    @property
    def keys(self) -> tuple[str, str]:
        return (self.unit_key, self.time_key)

    def variable(self, name: str) -> Variable:
        """The variable called ``name``; :class:`InputError` if the contract has none."""
        for v in self.variables:
            if v.name == name:
                return v
        raise InputError(f"is not a variable of the '{self.slug}' contract", column=name)

    def with_role(self, role: str) -> tuple[Variable, ...]:
        """Variables playing ``role`` (a variable may play several)."""
        check_choice("role", role, ROLES)
        return tuple(v for v in self.variables if role in v.role)

    def indicators(self) -> pd.DataFrame:
        """The index indicator table: name, label, dimension, direction, printed weight."""
        rows = [
            {
                "name": v.name,
                "label": v.label,
                "label_zh": v.label_zh,
                "dimension": v.dimension,
                "direction": v.direction,
                "weight": v.weight,
            }
            for v in self.with_role("indicator")
        ]
        return pd.DataFrame(rows)

    def index_spec(self) -> list[Indicator]:
        """The index indicators as :class:`helpers.indices.Indicator` objects, in contract
        order, with the printed direction (``+`` positive, ``-`` negative) and dimension."""
        return [
            Indicator(v.name, "positive" if v.direction == "+" else "negative", v.dimension)
            for v in self.with_role("indicator")
        ]

    def template(self) -> pd.DataFrame:
        """An empty table with every contract column in order (a header row to fill)."""
        return pd.DataFrame(columns=list(self.names))

    def dictionary(self) -> pd.DataFrame:
        """The data dictionary as a reader reads it: one row per variable with its name, its
        label (and the Chinese label where the paper is in Chinese), unit, role, the checks it
        must pass (:attr:`Variable.rule`) and where the paper describes it."""
        return pd.DataFrame(
            {
                "name": [v.name for v in self.variables],
                "label": [
                    f"{v.label} ({v.label_zh})" if v.label_zh else v.label for v in self.variables
                ],
                "unit": [v.unit for v in self.variables],
                "role": [", ".join(v.role) for v in self.variables],
                "rule": [v.rule for v in self.variables],
                "source": [v.source for v in self.variables],
            }
        )

    def to_frame(self) -> pd.DataFrame:
        """The data dictionary, one row per variable (roles joined by ', ')."""
        rows = []
        for v in self.variables:
            row = {f.name: getattr(v, f.name) for f in fields(v)}
            row["role"] = ", ".join(v.role)
            row["allowed"] = ", ".join(v.allowed) if v.allowed else None
            rows.append(row)
        return pd.DataFrame(rows)


def _variable(spec: Mapping[str, Any], slug: str) -> Variable:
    known = {f.name for f in fields(Variable)}
    unknown = set(spec) - known
    if unknown:
        raise InputError(
            f"unknown field(s) {sorted(unknown)} in contracts/{slug}.yml",
            column=str(spec.get("name")),
        )
    values = dict(spec)
    values["role"] = tuple(values["role"])
    if values.get("allowed") is not None:
        values["allowed"] = tuple(str(a) for a in values["allowed"])
    variable = Variable(**values)
    check_choice(f"{variable.name}.dtype", variable.dtype, DTYPES)
    for role in variable.role:
        check_choice(f"{variable.name}.role", role, ROLES)
    if variable.direction is not None:
        check_choice(f"{variable.name}.direction", variable.direction, ("+", "-"))
    return variable


def _frozen(groups: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(
        {k: MappingProxyType(dict(v)) if isinstance(v, Mapping) else v for k, v in groups.items()}
    )


@cache
def _read(path: Path) -> Contract:
    spec = yamlio.safe_load(path.read_text(encoding="utf-8"))
    slug = spec["slug"]
    variables = tuple(_variable(v, slug) for v in spec["variables"])
    names = [v.name for v in variables]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise InputError(f"variables listed twice in contracts/{slug}.yml: {duplicated}")
    return Contract(
        slug=slug,
        paper=spec["paper"],
        title=spec["title"],
        unit_key=spec["unit_key"],
        time_key=spec["time_key"],
        balanced=bool(spec["balanced"]),
        balance_reason=spec["balance_reason"],
        cite=spec.get("cite"),
        sample=Sample(
            **{
                **spec["sample"],
                "groups": _frozen(spec["sample"]["groups"]),
                "printed_n": MappingProxyType(
                    {k: tuple(v) for k, v in spec["sample"].get("printed_n", {}).items()}
                ),
            }
        ),
        variables=variables,
    )


def load_contract(slug: str) -> Contract:
    """Read the contract of the registered paper ``slug`` (:mod:`helpers.registry`) from
    ``data/contracts``."""
    entry(slug)
    return _read(CONTRACTS_DIR / f"{slug}.yml")
