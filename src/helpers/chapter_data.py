"""Where a chapter's raw panel comes from: the data layer's simulated panel (with the
chapter's teaching knobs) or a reader's file validated against the paper's contract."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from helpers.errors import InputError


def load_chapter_panel(
    slug: str,
    data: str = "simulated",
    mapping: str = "",
    seed: int | None = None,
    knobs: Mapping[str, float] | None = None,
    defaults: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """The raw panel of a chapter: ``"simulated"`` (the generator of ``slug`` with ``seed``
    and the teaching ``knobs``, each one of ``defaults``) or a reader's file, with which the
    knobs must keep their ``defaults``."""
    from helpers.io import load_reader_file
    from helpers.simulate import simulate  # imported here: generators import chapter modules

    knobs, defaults = dict(knobs or {}), dict(defaults or {})
    unknown = sorted(set(knobs) - set(defaults))
    if unknown:
        raise InputError(
            "not a teaching knob", parameter=unknown[0], hint=f"knobs: {list(defaults)}"
        )
    if data == "simulated":
        if mapping:
            raise InputError("a mapping file applies to a reader's file only", parameter="mapping")
        return simulate(slug, seed, **knobs)
    moved = [k for k, v in knobs.items() if v != defaults[k]]
    if moved:
        raise InputError(
            "the teaching knobs change the simulated panel only; keep them at their defaults "
            "with a reader's file",
            parameter=moved[0],
        )
    return load_reader_file(slug, data, mapping)


def load_province_panel(
    slug: str, data: str = "simulated", mapping: str = "", seed: int | None = None
) -> pd.DataFrame:
    """:func:`load_chapter_panel` for a provincial paper: a reader's file without a complete
    ``region`` column gets the East / Central / West split of ``data/reference/provinces.csv``
    by English province name (:func:`helpers.simulate.frame.with_regions`)."""
    from helpers.simulate.frame import with_regions

    panel = load_chapter_panel(slug, data, mapping, seed)
    return panel if data == "simulated" else with_regions(panel)
