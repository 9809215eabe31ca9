"""Run every ``benchmarks/bench_*.py`` and write ``benchmarks/results.csv``.

Each module exposes ``run() -> list[dict]`` with the keys of :data:`COLUMNS`; a
fast implementation and its naive or peer baseline are timed in the same run,
so the ratio between them is meaningful even on a noisy 2-core machine.
Usage: ``python benchmarks/run.py [name ...]`` (names without ``bench_``).
"""

from __future__ import annotations

import csv
import importlib.util
import platform
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
COLUMNS = ["task", "implementation", "n", "seconds", "max_abs_diff"]


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"[bench] {len(rows)} rows -> {target} (Python {platform.python_version()})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
