"""Run every ``benchmarks/bench_*.py`` and write ``benchmarks/results.csv``.

Each module exposes ``run() -> list[dict]`` with the keys of :data:`COLUMNS`; a
fast implementation and its naive or peer baseline are timed in the same run,
so the ratio between them is meaningful even on a noisy 2-core machine.
Usage: ``python benchmarks/run.py [name ...]`` (names without ``bench_``; with names, the
other benchmarks' rows already in ``results.csv`` are kept).
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Timed as the book runs: its kernels use one BLAS thread (helpers.runner.KERNEL_ENV). Set
# before any benchmark module loads numpy.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
COLUMNS = ["task", "implementation", "n", "seconds", "max_abs_diff"]


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cpu_model() -> str:
    try:
        lines = Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines()
    except OSError:
        return platform.processor() or "unknown"
    return next((ln.split(":", 1)[1].strip() for ln in lines if ln.startswith("model name")), "?")


def _environment() -> dict[str, object]:
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
    }


def main(names: list[str]) -> int:
    paths = sorted(HERE.glob("bench_*.py"))
    if names:
        paths = [p for p in paths if p.stem.removeprefix("bench_") in names]
    rows = []
    for path in paths:
        print(f"[bench] {path.stem} ...", flush=True)
        for row in _load(path).run():
            missing = [c for c in COLUMNS if c not in row]
            if missing:
                raise SystemExit(f"{path.name}: row {row} lacks {missing}")
            rows.append({c: row[c] for c in COLUMNS})
            print(
                f"  {row['task']:<44} {row['implementation']:<32} n={row['n']:<7} "
                f"{row['seconds']:9.3f} s  max|diff|={row['max_abs_diff']:.2e}",
                flush=True,
            )
    target = HERE / "results.csv"
    if names and target.exists():  # a partial run keeps the other benchmarks' rows
        with target.open(newline="", encoding="utf-8") as handle:
            fresh = {row["task"] for row in rows}
            rows = [r for r in csv.DictReader(handle) if r["task"] not in fresh] + rows
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    environment = _environment()
    (HERE / "environment.json").write_text(json.dumps(environment, indent=2) + "\n")
    machine = f"{environment['cpu']}, {environment['cores']} cores"
    print(f"[bench] {len(rows)} rows -> {target} ({machine})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
