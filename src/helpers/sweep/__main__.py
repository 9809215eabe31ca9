"""``python -m helpers.sweep [--reduce | --figures] [SLUG ...] [--workers N] [--scheduler URL]``:
regenerate the committed sweeps of ``data/sweeps/`` and their figures (what ``make sweeps``
runs; about an hour on two cores, resumable); with ``--reduce`` only rewrite the committed
files from the finished per-task results under ``_build/sweeps``; with ``--figures`` only
draw the committed figures again from the committed files (after a change to a figure)."""

from __future__ import annotations

import argparse
import sys

from tqdm import tqdm

from helpers.registry import slugs
from helpers.sweep.book import write_figures
from helpers.sweep.committed import WORK_DIR, reduce, regenerate, write_manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.sweep", description=__doc__)
    parser.add_argument("papers", nargs="*", help="papers (default: all)")
    parser.add_argument("--reduce", action="store_true", help="only rewrite the committed files")
    parser.add_argument(
        "--figures", action="store_true", help="only draw the committed figures again"
    )
    parser.add_argument("--workers", type=int, default=None, help="0: serially, without Dask")
    parser.add_argument("--scheduler", default=None, help="tcp://HOST:8786 of a Dask cluster")
    args = parser.parse_args(argv)
    chosen = args.papers or list(slugs())
    unknown = sorted(set(chosen) - set(slugs()))
    if unknown:
        parser.error(f"not a paper of the book: {', '.join(unknown)}")
    if args.figures:
        _draw(chosen)
        return 0
    if args.reduce:
        for slug in chosen:
            for path in reduce(slug, work=WORK_DIR):
                print(f"[sweeps] {path}")
        print(f"[sweeps] {write_manifest(chosen, work=WORK_DIR)}")
        _draw(chosen)
        return 0

    def bar(label: str, total: int):
        return tqdm(total=total, desc=label, file=sys.stderr, dynamic_ncols=True).update

    manifest = regenerate(chosen, workers=args.workers, scheduler=args.scheduler, progress=bar)
    print(f"[sweeps] committed files and {manifest} written")
    _draw(chosen)
    return 0


def _draw(chosen: list[str]) -> None:
    for slug in chosen:
        for path in write_figures(slug):
            print(f"[sweeps] {path}")


if __name__ == "__main__":
    sys.exit(main())
