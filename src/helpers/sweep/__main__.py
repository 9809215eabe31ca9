"""``python -m helpers.sweep [reduce] [SLUG ...] [--workers N] [--scheduler ADDRESS]``:
regenerate the committed sweeps of ``data/sweeps/`` (what ``make sweeps`` runs; about an
hour on two cores, resumable), or with ``reduce`` only rewrite the committed files from the
finished per-task results under ``_build/sweeps``."""

from __future__ import annotations

import argparse
import sys

from tqdm import tqdm

from helpers.registry import slugs
from helpers.sweep.committed import WORK_DIR, reduce, regenerate, write_manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.sweep", description=__doc__)
    parser.add_argument("papers", nargs="*", help="papers (default: all)")
    parser.add_argument("--reduce", action="store_true", help="only rewrite the committed files")
    parser.add_argument("--workers", type=int, default=None, help="0: serially, without Dask")
    parser.add_argument("--scheduler", default=None, help="tcp://HOST:8786 of a Dask cluster")
    args = parser.parse_args(argv)
    chosen = args.papers or list(slugs())
    unknown = sorted(set(chosen) - set(slugs()))
    if unknown:
        parser.error(f"not a paper of the book: {', '.join(unknown)}")
    if args.reduce:
        for slug in chosen:
            for path in reduce(slug, work=WORK_DIR):
                print(f"[sweeps] {path}")
        print(f"[sweeps] {write_manifest(chosen, work=WORK_DIR)}")
        return 0

    def bar(label: str, total: int):
        return tqdm(total=total, desc=label, file=sys.stderr, dynamic_ncols=True).update

    manifest = regenerate(chosen, workers=args.workers, scheduler=args.scheduler, progress=bar)
    print(f"[sweeps] committed files and {manifest} written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
