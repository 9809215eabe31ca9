"""What ``replicate sweep`` asks for, turned into tasks: the seeds, the grid, the reader's
file, the knobs of the process and the pipeline's parameters, from their command-line text.
"""

from __future__ import annotations

from collections.abc import Mapping

from helpers import yamlio
from helpers.errors import InputError
from helpers.sweep.engine import Task, make_task, paper
from helpers.sweep.specifications import read_grid, specification_tasks

PAPER_GRID = "paper"
"""``--grid`` without a file: the paper's own specification grid."""


def parse_seeds(text: str) -> list[int]:
    """``"0:200"`` (a range, end excluded), ``"3,7,2024"`` or both (``"0:10,2024"``)."""
    seeds: list[int] = []
    for part in str(text).split(","):
        part = part.strip()
        if not part:
            continue
        try:
            if ":" in part:
                low, high = (int(x) for x in part.split(":", 1))
                if high <= low:
                    raise ValueError
                seeds.extend(range(low, high))
            else:
                seeds.append(int(part))
        except ValueError:
            raise InputError(
                f"{part!r} is not a seed or a range A:B with A < B", parameter="seeds"
            ) from None
    if len(set(seeds)) != len(seeds):
        raise InputError("a seed is listed twice", parameter="seeds")
    return seeds


def parse_values(pairs: Mapping[str, str]) -> dict[str, object]:
    """Command-line values as YAML scalars: ``false`` -> False, ``2019`` -> 2019, text
    stays text (the pipeline checks each against its type)."""
    return {
        name: yamlio.safe_load(value) if value.strip() else value for name, value in pairs.items()
    }


def plan(
    slug: str,
    *,
    seeds: str = "",
    grid: str | None = None,
    data: str = "",
    mapping: str = "",
    knobs: Mapping[str, str] | None = None,
    parameters: Mapping[str, str] | None = None,
    truth: bool = True,
) -> list[Task]:
    """The tasks of one ``replicate sweep`` request.

    Without ``grid``: one task per seed at the chapter's parameters (with ``parameters``
    and the process ``knobs``), each with its known truth unless ``truth`` is False. With
    ``grid`` (a YAML file, or :data:`PAPER_GRID` for the paper's own): one task per
    specification and seed (default: the paper's default seed), or per specification on
    the reader's file ``data`` (which takes no seeds, knobs or truth)."""
    module = paper(slug)
    chosen_knobs = {k: float(v) for k, v in (knobs or {}).items()}
    unknown = sorted(set(chosen_knobs) - set(module.KNOBS))
    if unknown:
        raise InputError(
            "not a knob of the process",
            parameter=unknown[0],
            hint=f"knobs: {', '.join(module.KNOBS)}",
        )
    values = parse_values(parameters or {})
    if data and (seeds or chosen_knobs):
        raise InputError("a reader's file takes no seeds or knobs", parameter="data")
    seed_list = parse_seeds(seeds) if seeds else None
    if grid is not None:
        spec_grid = module.SPECIFICATIONS if grid == PAPER_GRID else read_grid(grid)
        return specification_tasks(
            slug,
            spec_grid,
            seeds=seed_list,
            data=data,
            mapping=mapping,
            parameters=values,
            knobs=chosen_knobs,
            truth=truth and not data,
        )
    options = dict(module.SWEEP_PARAMETERS) | values
    if data:
        return [make_task(slug, parameters=options, data=data, mapping=mapping)]
    if not seed_list:
        raise InputError("name the seeds, e.g. --seeds 0:200", parameter="seeds")
    return [
        make_task(slug, seed=seed, parameters=options, knobs=chosen_knobs, truth=truth)
        for seed in seed_list
    ]
