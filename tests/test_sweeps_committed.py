"""The committed sweeps of data/sweeps/ (``make sweeps``): complete, consistent with their
own reductions, reproduced byte for byte by rerunning four committed seeds per paper, and
readable by the chapters' functions."""

from __future__ import annotations

import io
import json

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from helpers import papers, sweep
from helpers.errors import InputError
from helpers.published import load_cells
from helpers.registry import entry, slugs
from helpers.sweep.committed import (
    FLOAT_FORMAT,
    MANIFEST,
    SWEEPS_DIR,
    committed_path,
    read_committed,
    timing_table,
)
from helpers.sweep.montecarlo import (
    SEEDS,
    WORLDS,
    agreement_by_seed,
    agreement_distribution,
    core_estimates,
    montecarlo_tasks,
    recovery_summary,
)
from helpers.verdicts import AGREEMENT_SHARE

SLUGS = slugs()

RERUN = {
    # four committed (world, seed) pairs per paper; the cheap papers in both worlds, the
    # DEA papers with the effect off, where their truth needs no second frontier
    "coordination": [("on", 5), ("on", 77), ("off", 5), ("off", 150)],
    "bigdata_did": [("on", 11), ("on", 190), ("off", 11), ("off", 42)],
    "gtfp": [("on", 3), ("off", 3), ("off", 64), ("off", 199)],
    "synergy": [("off", 0), ("off", 17), ("off", 88), ("off", 123)],
    "producer_services": [("off", 1), ("off", 60), ("off", 101), ("off", 180)],
}


def committed_text(frame: pd.DataFrame) -> str:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")
    return buffer.getvalue()


@pytest.mark.parametrize("slug", SLUGS)
def test_committed_montecarlo_covers_200_seeds_per_world_and_the_default_seed(slug):
    frame = read_committed(slug, "montecarlo")
    for world in WORLDS:
        seeds = set(frame.loc[frame["world"] == world, "seed"])
        assert set(SEEDS) <= seeds and len(set(SEEDS)) >= 200, (slug, world)
    assert entry(slug).default_seed in set(frame.loc[frame["world"] == "on", "seed"])
    cells = frame.groupby(["world", "seed"]).size()
    assert cells.nunique() == 1  # every task has every core cell


@pytest.mark.parametrize("slug", SLUGS)
def test_committed_summaries_are_the_reductions_of_the_committed_estimates(slug):
    estimates = read_committed(slug, "montecarlo")
    published = load_cells()
    paper = papers.paper(slug).PAPER
    default = entry(slug).default_seed
    recovery = recovery_summary(estimates, published, paper, [default])
    assert committed_text(recovery) == committed_path(slug, "recovery").read_text()
    by_seed = agreement_by_seed(estimates, published, paper)
    assert committed_text(by_seed) == committed_path(slug, "agreement").read_text()
    summary = agreement_distribution(by_seed, default, AGREEMENT_SHARE).to_frame().T
    assert committed_text(summary) == committed_path(slug, "agreement_summary").read_text()


@pytest.mark.parametrize("slug", SLUGS)
def test_committed_specification_curve_has_at_least_48_specifications(slug):
    table = read_committed(slug, "specifications")
    assert len(table) >= 48
    assert table["coef"].notna().mean() > 0.9
    assert table["keeps"].dtype == bool
    assert list(table["spec"]) == sorted(table["spec"])


@pytest.fixture(scope="module")
def rerun(tmp_path_factory):
    """Four committed seeds per paper rerun on a LocalCluster (about a minute on two cores)."""
    tasks = {}
    for slug, pairs in RERUN.items():
        every = {(t.spec, t.seed): t for t in montecarlo_tasks(slug)}
        tasks[slug] = [every[pair] for pair in pairs]
    out = tmp_path_factory.mktemp("rerun")
    with sweep.cluster(2) as client:
        for slug, chosen in tasks.items():
            sweep.run_sweep(chosen, out / slug, client=client)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("slug", list(RERUN))
def test_rerunning_four_committed_seeds_gives_the_committed_bytes(slug, rerun):
    results = sweep.read_parquet(rerun / slug / sweep.RESULT_FILE)
    again = core_estimates(results, slug)
    committed = read_committed(slug, "montecarlo")
    pairs = pd.MultiIndex.from_tuples(RERUN[slug], names=["world", "seed"])
    chosen = committed.set_index(["world", "seed"]).index.isin(pairs)
    expected = committed_text(committed[chosen].reset_index(drop=True))
    lines = committed_path(slug, "montecarlo").read_text().splitlines()
    header, body = lines[0], lines[1:]
    keep = [line for line, hit in zip(body, chosen, strict=True) if hit]
    assert expected == "\n".join([header, *keep]) + "\n"  # the reader keeps the bytes
    assert committed_text(again) == expected


@pytest.mark.parametrize("slug", SLUGS)
def test_the_chapters_functions_read_the_committed_sweeps(slug):
    table = sweep.recovery(slug)
    assert table["baseline"].sum() == 1
    styled = sweep.recovery_table(slug)
    assert "cover 95%" in styled.to_html()
    percentile = sweep.default_seed_percentile(slug)
    assert 0 <= percentile <= 1
    texts = sweep.recovery_texts(slug) | sweep.specification_texts(slug)
    assert all(key.startswith(f"{slug}-") for key in texts)
    assert all(isinstance(text, str) and text for text in texts.values())
    assert 0 <= sweep.specification_share(slug) <= 1
    figures = sweep.figures(slug)
    assert set(figures) == {
        f"fig-{slug}-{name}"
        for name in ("coverage", "size-power", "baseline-distribution", "specification-curve")
    }
    for fig in figures.values():
        assert fig.axes
        plt.close(fig)


def test_manifest_records_every_paper_and_its_timings():
    manifest = json.loads((SWEEPS_DIR / MANIFEST.name).read_text())
    assert set(manifest["papers"]) == set(SLUGS)
    timings = timing_table()
    assert (timings["wall_seconds"] > 0).all()
    assert (timings["task_seconds"] > 0).all()
    assert (timings["tasks_computed"] > 0).all()


@pytest.mark.parametrize("slug", SLUGS)
def test_the_committed_figures_are_the_figures_of_the_committed_files(slug):
    """A chapter glues the stored images: they must be what the figure functions draw from
    the committed files now, byte for byte."""
    images = sweep.figure_images(slug)
    fresh = sweep.render_figures(slug)
    names = ("coverage", "size-power", "baseline-distribution", "specification-curve")
    assert set(images) == set(fresh) == {f"fig-{slug}-{name}" for name in names}
    for name, png in fresh.items():
        assert images[name].data == png, (
            f"{sweep.figure_path(slug, name)} is stale: python -m helpers.sweep --figures {slug}"
        )


def test_a_missing_figure_image_names_the_command_that_draws_it(tmp_path):
    with pytest.raises(InputError, match=r"python -m helpers\.sweep --figures synergy"):
        sweep.figure_images("synergy", root=tmp_path)
