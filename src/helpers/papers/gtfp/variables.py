"""Paper 000's variables and roles, and the columns and rows of its published tables.

Lin Hongliu and Wu Haimin regress the green total factor productivity (GTFP) of 30
provinces, 2010-2019, on a PCA index of new quality productive forces (``prod``) with
province and year fixed effects. The raw variables, their units and roles are in the
paper's data contract, ``data/contracts/gtfp.yml``; this module names the groups of them
the chapter uses, in the order the paper's tables use them.
"""

from __future__ import annotations

from helpers.contract import load_contract
from helpers.papers.interface import Specifications, choices
from helpers.registry import entry

SLUG = "gtfp"
CONTRACT = load_contract(SLUG)
PAPER = CONTRACT.paper
UNIT, TIME = CONTRACT.keys
DEFAULT_SEED = entry(SLUG).default_seed
FE = [UNIT, TIME]

CONTROLS = ("gov", "ent", "fdi", "env")
"""The controls in the order Table 3 adds them (the contract's ``control`` role)."""


MODERATORS = ("high", "prof", "mul")


SERVICE_SECTORS = ("emp_transport", "emp_information", "emp_finance", "emp_leasing", "emp_research")


COUNT_INDICATORS = ("qs_universities", "top_universities")


SHARE_INDICATORS = ("it_employment_share", "new_energy_share")


GTFP_MEASURES = ("ebm", "sbm", "ddf")


GTFP_FORMS = ("cumulative", "index")


PCA_VARIANTS = ("first", "kaiser", "unlogged", "within")
"""How ``prod`` is built: the paper's first component of the logged indicators, Kaiser's
rule, the unlogged indicators, or the logged indicators demeaned by province and year."""


RTS = ("crs", "vrs")
"""Returns to scale of the DEA technology behind GTFP. The paper does not say; the book
assumes constant returns (``crs``), Stata gtfpch's default."""


OUTPUT_SIDE = ("software_revenue", "ecommerce_sales", "new_product_revenue", "telecom_volume")
"""Table 2 indicators that are sales or revenues, hence parts of GDP, the desirable output
of GTFP."""


SE_TYPES = ("conventional", "robust", "cluster")


WILD_BOOTSTRAP_WEBB_MAX = 11
"""Few clusters: the wild cluster bootstrap uses Webb's six-point weights up to this many
clusters (Rademacher weights have too few distinct sign vectors there), Rademacher above."""


REGIONS = ("East", "Central", "West")


DEA_INPUTS = ("labour", "capital", "water", "electricity")


DEA_GOOD, DEA_BAD = ("real_gdp",), ("so2", "cod")


SUPER_EFFICIENCY = {"ebm": True, "sbm": False, "ddf": False}
"""Section 3.2.1: super-efficiency EBM; Table 6's SBM and DDF follow their sources (no
super-efficiency)."""


INTERACTION = {m: f"prod_x_{m}" for m in MODERATORS}


ROW_LABELS = {
    "prod": "prod",
    "prod_1": "prod_1",
    "prod_2": "prod_2",
    "ts": "TS",
    **{term: f"pro*{m}" for m, term in INTERACTION.items()},
    **{m: m for m in MODERATORS},
    **{c: c for c in CONTROLS},
    "_cons": "_cons",
}
"""Model term -> row label of the published cells."""


CORE_ROWS = ("prod", "prod_1", "prod_2", "TS", "pro*high", "pro*prof", "pro*mul")
"""Core rows of every regression column (index, lags, mediator, interactions)."""


COLUMNS = {
    ("Table 3", "(1)"): "baseline, gov only",
    ("Table 3", "(2)"): "baseline, + ent",
    ("Table 3", "(3)"): "baseline, + fdi",
    ("Table 3", "(4)"): "baseline, all controls",
    ("Table 4", "(1)"): "mediation step 1: GTFP",
    ("Table 4", "(2)"): "mediation step 2: TS",
    ("Table 4", "(3)"): "mediation step 3: GTFP on prod and TS",
    ("Table 5", "(1)"): "moderation: baseline",
    ("Table 5", "(2)"): "moderation: high",
    ("Table 5", "(3)"): "moderation: prof",
    ("Table 5", "(4)"): "moderation: mul",
    ("Table 6", "(1)"): "GTFP by EBM-GML",
    ("Table 6", "(2)"): "GTFP by SBM-GML",
    ("Table 6", "(3)"): "GTFP by DDF-GML",
    ("Table 7", "(1)"): "prod",
    ("Table 7", "(2)"): "prod lagged one year",
    ("Table 7", "(3)"): "prod lagged two years",
    ("Table 8", "(1)"): "nationwide",
    ("Table 8", "(2)"): "East",
    ("Table 8", "(3)"): "Central",
    ("Table 8", "(4)"): "West",
}
"""Every regression column of the paper and what it estimates."""


SPECIFICATIONS: Specifications = {
    "GTFP model": choices("gtfp_measure", {"ebm": "paper", "sbm": "paper", "ddf": "paper"}),
    "GTFP form": choices("gtfp_form", {"cumulative": "book", "index": "book"}),
    "prod index": choices("pca_variant", {"first": "paper", "kaiser": "book", "unlogged": "book"}),
    "standard errors": choices(
        "se_type", {"conventional": "book", "robust": "book", "cluster": "book"}
    ),
}
"""The specification curve's grid (3 x 2 x 3 x 3 = 54 specifications), the chapter's default
first in each dimension. The paper's: the super-EBM GML (Section 3.2.1) and its Table 6
alternatives SBM and DDF, and the first principal component of the indicators. The book's,
where the paper is silent: the GTFP level (cumulated GML; its N fits a level) or the index,
a Kaiser-rule or an unlogged PCA index, and the standard errors (the tables say only
"standard errors in parentheses": conventional, HC1 or clustered by province)."""


ASSUMPTIONS = (
    (
        "GTFP model",
        '"a non-radial, non-oriented super-efficiency Epsilon-Based Measure (EBM) model that '
        "incorporates undesirable outputs, in conjunction with the Global Malmquist-Luenberger "
        '(GML) index" (Section 3.2.1)',
        "super-efficiency EBM, non-oriented, one global frontier of all province-years",
        "gtfp_measure",
    ),
    (
        "returns to scale",
        "not stated",
        "constant (CRS), Stata gtfpch's default",
        "rts",
    ),
    (
        "EBM epsilon and weights",
        "not stated",
        "Tone and Tsutsui's affinity calibration on the pooled province-years",
        "",
    ),
    (
        "GTFP in the regressions",
        "not stated; N = 300 in Table 3 fits a level, not the index (which loses a year)",
        "the cumulative GML level, 1 in each province's first year",
        "gtfp_form",
    ),
    (
        "SBM and DDF of Table 6",
        '"following the methodologies of Qian Zhengming et al. (2013) and Yue Li et al. '
        '(2017)" (Section 4.4.1); no model details',
        "no super-efficiency; DDF scores as 1 / (1 + D), as gtfpch",
        "gtfp_measure",
    ),
    (
        "NQPF index",
        '"After applying logarithmic transformations to address data heterogeneity, we '
        'employed principal component analysis (PCA) to construct a single composite index." '
        "(Section 3.2.2)",
        "first principal component of the standardised logs (correlation matrix)",
        "pca_variant",
    ),
    (
        "logs of zero counts",
        "not stated",
        "ln(1 + x) for the two university counts",
        "",
    ),
    (
        "missing cells",
        '"Missing data were supplemented using interpolation methods." (Section 3.3)',
        "linear interpolation within each province; a province's first or last years stay "
        "missing and leave the regressions that use them",
        "",
    ),
    (
        "standard errors",
        '"Standard errors in parentheses" (table notes)',
        "conventional, as reghdfe and xtreg, fe print by default",
        "se_type",
    ),
    (
        "controls",
        '"Environmental Regulation, Foreign Direct Investment, Government Funding, Enterprise '
        'Innovation" (Section 3.2.5); no definitions',
        "as the data file has them",
        "",
    ),
    (
        "moderators' scale",
        "not stated",
        "the indices as measured, interactions prod x moderator uncentred",
        "moderators (which ones)",
    ),
    (
        "regions",
        '"divided into eastern, central, and western regions" (Section 4.5); members not listed',
        "the three belts of data/reference/provinces.csv, 11 / 8 / 11 provinces (Table 8's N)",
        "",
    ),
    (
        "placebo",
        '"The core explanatory variable was randomly assigned across observations, and the '
        'baseline regression was repeated 1,000 times." (Section 4.4.3)',
        "prod permuted across all province-years",
        "placebo_draws",
    ),
    (
        "capital stock",
        '"perpetual inventory method (10.96% depreciation)" (Section 3.2.1)',
        "taken as given in the data file (helpers.panel.perpetual_inventory builds it)",
        "",
    ),
)
"""What the paper states and what this book assumes: choice, the paper's words (quoted, or
"not stated"), the book's default, and the chapter parameter that changes it ("" for none)."""
