"""The sweep engine: serial, LocalCluster and a separately started scheduler with two workers
give the same bytes; a sweep killed by its PID resumes and finishes with the same bytes;
tasks print nothing; task keys, seeds, grids and requests are checked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from helpers import sweep
from helpers.cli import main
from helpers.dea.parallel import default_workers
from helpers.errors import InputError
from helpers.papers.interface import Choice
from helpers.sweep import engine
from helpers.sweep.specifications import expand, parameters_of, read_grid

SLUG = "coordination"  # the fastest pipeline (no DEA)
SEEDS = (0, 1, 2)


def tasks(seeds=SEEDS):
    return [sweep.make_task(SLUG, seed=s, truth=True) for s in seeds]


@pytest.fixture(scope="module")
def serial(tmp_path_factory) -> bytes:
    out = tmp_path_factory.mktemp("serial")
    run = sweep.run_sweep(tasks(), out, workers=0)
    assert (run.computed, run.reused) == (len(SEEDS), 0)
    return run.path.read_bytes()


def test_serial_result_holds_cells_and_truth(serial, tmp_path):
    path = tmp_path / "r.parquet"
    path.write_bytes(serial)
    frame = sweep.read_parquet(path)
    assert list(frame.columns) == sweep.COLUMNS
    assert sorted(frame["seed"].unique()) == list(SEEDS)
    truth = frame[frame["stat"] == sweep.TRUTH_STAT]
    assert len(truth) == 9 * len(SEEDS)  # the NQP coefficient of nine columns per seed
    assert truth["value"].notna().all()


@pytest.mark.slow
def test_local_cluster_gives_the_serial_bytes(serial, tmp_path):
    run = sweep.run_sweep(tasks(), tmp_path, workers=2)
    assert run.computed == len(SEEDS)
    assert run.path.read_bytes() == serial


@pytest.mark.slow
def test_scheduler_and_two_worker_processes_give_the_serial_bytes(serial, tmp_path):
    scheduler_file = tmp_path / "scheduler.json"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    common = ["--no-dashboard"]
    scheduler = subprocess.Popen(
        [sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port", "0",
         "--scheduler-file", str(scheduler_file), *common],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )  # fmt: skip
    workers = None
    try:
        deadline = time.monotonic() + 120
        while not scheduler_file.is_file() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(scheduler_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        workers = subprocess.Popen(
            [sys.executable, "-m", "dask", "worker", address, "--nworkers", "2",
             "--nthreads", "1", "--host", "127.0.0.1", *common],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
        )  # fmt: skip
        from distributed import Client

        with Client(address) as client:
            client.wait_for_workers(2, timeout=120)
            assert len(client.scheduler_info()["workers"]) == 2
        run = sweep.run_sweep(tasks(), tmp_path / "out", scheduler=address)
        assert run.computed == len(SEEDS)
        assert run.path.read_bytes() == serial
    finally:
        for process in (workers, scheduler):
            if process is not None:
                process.terminate()
                process.wait(timeout=60)


@pytest.mark.slow
def test_a_killed_sweep_resumes_and_finishes_with_the_same_bytes(serial, tmp_path):
    out = tmp_path / "killed"
    command = [sys.executable, "-m", "helpers", "sweep", SLUG, "--seeds", "0:3",
               "--workers", "0", "--out", str(out)]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not list((out / "tasks").glob("*.parquet")):
        time.sleep(0.05)
    os.kill(process.pid, 9)
    process.wait(timeout=60)
    done = list((out / "tasks").glob("*.parquet"))
    assert 1 <= len(done) < len(SEEDS), "the sweep was not killed mid-way"
    assert not (out / sweep.RESULT_FILE).exists()
    before = {p.name: p.read_bytes() for p in done}
    run = sweep.run_sweep(tasks(), out, workers=0)
    assert (run.reused, run.computed) == (len(done), len(SEEDS) - len(done))
    assert {p.name: p.read_bytes() for p in done} == before  # finished tasks not recomputed
    assert run.path.read_bytes() == serial


QUIET_SCRIPT = """
import os, sys, warnings
import highspy
from tqdm import tqdm
from helpers.sweep import quiet
def noisy():
    highspy.Highs()  # prints HiGHS's banner from C++ once per process
    for _ in tqdm(range(3), delay=0):
        pass
    print("python stdout")
    os.write(2, b"C-level stderr\\n")
    warnings.warn("a warning")
if sys.argv[1] == "quiet":
    with quiet() as messages:
        noisy()
    assert messages == ["UserWarning: a warning"], messages
else:
    noisy()
"""


@pytest.mark.parametrize("mode", ["quiet", "loud"])
def test_quiet_silences_banners_progress_and_warnings(mode):
    done = subprocess.run(
        [sys.executable, "-c", QUIET_SCRIPT, mode], capture_output=True, text=True, check=True
    )
    printed = done.stdout + done.stderr
    if mode == "quiet":
        assert printed == ""
    else:  # the same code without quiet() prints all of it: the check can fail
        assert "HiGHS" in printed and "python stdout" in printed and "C-level" in printed


def test_task_keys_are_deterministic_and_distinct():
    a = sweep.make_task(SLUG, seed=3, parameters={"se_type": "cluster", "entropy_by": "year"})
    b = sweep.make_task(SLUG, seed=3, parameters={"entropy_by": "year", "se_type": "cluster"})
    c = sweep.make_task(SLUG, seed=3, parameters={"entropy_by": "year"})
    assert a.key == b.key != c.key
    assert a.key.startswith("default-000003-")


def test_the_same_task_twice_is_an_error(tmp_path):
    with pytest.raises(InputError, match="twice"):
        sweep.run_sweep([tasks()[0], tasks()[0]], tmp_path, workers=0)


def test_a_failing_task_names_itself_and_keeps_the_others(tmp_path):
    good = sweep.make_task(SLUG, seed=0)
    bad = sweep.make_task(SLUG, seed=1, parameters={"se_type": "bootstrap"})
    with pytest.raises(sweep.SweepError, match=bad.key):
        sweep.run_sweep([good, bad], tmp_path, workers=0)
    assert (tmp_path / "tasks" / f"{good.key}.parquet").is_file()


@pytest.mark.parametrize(
    ("text", "seeds"), [("0:3", [0, 1, 2]), ("5", [5]), ("0:2,2024", [0, 1, 2024])]
)
def test_parse_seeds(text, seeds):
    assert sweep.parse_seeds(text) == seeds


@pytest.mark.parametrize("text", ["3:1", "a:b", "1,1", "x"])
def test_parse_seeds_rejects_bad_text(text):
    with pytest.raises(InputError, match="seed"):
        sweep.parse_seeds(text)


def test_grid_from_yaml_crossed_in_order(tmp_path):
    path = tmp_path / "grid.yml"
    path.write_text(
        "se_type: [robust, cluster]\n"
        "years:\n"
        "  - {label: full, first_year: 2013, last_year: 2022}\n"
        "  - {first_year: 2013, last_year: 2019}\n"
    )
    grid = read_grid(path)
    specs = expand(grid)
    assert len(specs) == 4
    first = parameters_of(specs[0][1])
    assert first == {"se_type": "robust", "first_year": 2013, "last_year": 2022}
    assert specs[1][1]["years"].label == "first_year=2013, last_year=2019"
    tasks_ = sweep.plan(SLUG, grid=str(path), seeds="0:2", truth=False)
    assert len(tasks_) == 8 and {t.seed for t in tasks_} == {0, 1}


def test_two_options_setting_one_parameter_differently_is_an_error():
    choices = {"a": Choice("x", {"se_type": "robust"}), "b": Choice("y", {"se_type": "cluster"})}
    with pytest.raises(InputError, match="se_type"):
        parameters_of(choices)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["sweep", SLUG, "--seeds", "3:1", "--out", "x"], "seeds"),
        (["sweep", SLUG, "--seeds", "0:2", "--knob", "noise=2", "--out", "x"], "knob"),
        (["sweep", SLUG, "--out", "x"], "seeds"),
        (["sweep", SLUG, "--grid", "missing.yml", "--out", "x"], "grid"),
    ],
)
def test_bad_sweep_requests_exit_2_with_a_message(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_every_paper_declares_a_grid_of_at_least_48_specifications():
    from helpers import papers
    from helpers.registry import slugs

    for slug in slugs():
        grid = papers.paper(slug).SPECIFICATIONS
        specs = expand(grid)
        assert len(specs) >= 48, slug
        defaults = parameters_of(specs[0][1])
        chapter = papers.chapter_parameters(slug)
        moved = {k: v for k, v in defaults.items() if k in chapter and chapter[k] != v}
        assert moved == {}, f"{slug}: the first specification is not the chapter's: {moved}"
        for options in grid.values():
            assert {c.source for c in options} <= {"paper", "book"}


def test_combined_file_needs_every_task(tmp_path):
    with pytest.raises(sweep.SweepError, match="no result"):
        sweep.combine(tasks(), tmp_path)


def test_results_rows_are_typed(tmp_path):
    frame = pd.DataFrame(
        {c: ["x"] for c in sweep.COLUMNS} | {"seed": [1], "value": [0.5], "stars": [None]}
    )
    path = sweep.write_parquet(frame, tmp_path / "a.parquet")
    again = sweep.write_parquet(frame, tmp_path / "b.parquet")
    assert path.read_bytes() == again.read_bytes()
    assert str(sweep.read_parquet(path)["stars"].dtype) == "Int64"


def test_run_pipeline_passes_pipeline_options_and_checks_notebook_parameters():
    from helpers import papers

    panel = papers.simulate("bigdata_did", 0)
    with pytest.raises(InputError, match="se_type"):
        papers.run_pipeline("bigdata_did", panel, se_type="bootstrap")
    with pytest.raises(InputError, match="entropy_by"):
        papers.run_pipeline("bigdata_did", panel, entropy_by="decade")
    with pytest.raises(InputError, match="unknown parameter"):
        papers.run_pipeline("bigdata_did", panel, not_a_parameter=1)


def test_sweep_folder_of_a_reader_file_needs_the_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        sweep.make_task(SLUG, data=str(tmp_path / "missing.csv"))
    assert Path(tmp_path).is_dir()


def test_a_grid_on_a_readers_file_gives_its_specification_curve(tmp_path):
    from helpers import papers

    data = papers.write_panel(SLUG, tmp_path / "my_panel.csv", seed=9)
    grid = tmp_path / "grid.yml"
    grid.write_text("se_type: [robust, cluster]\ngap_measure: [absolute, relative]\n")
    out = tmp_path / "sweep"
    argv = ["sweep", SLUG, "--grid", str(grid), "--data", str(data), "--workers", "0"]
    assert main([*argv, "--out", str(out)]) == 0
    spec_grid = read_grid(grid)
    table = sweep.specification_curve(SLUG, sweep_dir=out, grid=spec_grid)
    assert list(table["se_type"]) == ["robust", "robust", "cluster", "cluster"]
    assert table["coef"].notna().all()
    # the same data and specification as the chapter's default: the chapter's estimate
    panel = papers.paper(SLUG).load_panel(str(data))
    cells = papers.run_pipeline(SLUG, panel)
    baseline = cells[
        (cells["table"] == "Table 3")
        & (cells["column"] == "(2)")
        & (cells["row"] == papers.paper(SLUG).BASELINE_CELL[2])
        & (cells["stat"] == "coef")
    ]["value"]
    assert table["coef"].iloc[0] == pytest.approx(float(baseline.iloc[0]), rel=1e-12)
    assert 0 <= sweep.specification_share(SLUG, table=table) <= 1
    with pytest.raises(InputError, match="no seeds"):
        sweep.plan(SLUG, grid=str(grid), data=str(data), seeds="0:2")


def test_a_sweep_task_gives_the_dea_engine_one_thread_by_default(monkeypatch):
    """Each worker process has one core: a task's DEA must not start a second thread."""
    seen = []

    class Paper:
        @staticmethod
        def simulate(seed, **knobs):
            seen.append(default_workers())
            raise RuntimeError("stop here")

    monkeypatch.setattr(engine, "paper", lambda slug: Paper)
    with pytest.raises(RuntimeError, match="stop here"):
        engine.run_task(engine.Task("synergy", seed=1))
    assert seen == [1]
    assert default_workers() == min(2, os.cpu_count() or 1)
