"""FIT decoding speed: fitparse vs runback's fast path, over the corpus's activity files.

Prints records per second (and MB/s) for

- fitparse 1.2.0 alone (iterating every message of every file, as a program
  built on it would),
- runback ``read_fit`` (fast engine, full frames) in one process, best of
  ``--repeat`` runs,
- runback ``read_fit_many`` on both cores (the file list repeated ``--copies``
  times, so that process start-up is spread over a realistic batch),

and the ratios runback / fitparse.

Usage::

    python benchmarks/bench_fit.py [--corpus ../shared/corpus] [--quick]

``--quick`` times fitparse on the files under 1 MB only (its rate per record
hardly depends on file size; the full run spends ~40 s in fitparse on the two
largest files).
"""

from __future__ import annotations

import argparse
import csv
import os
import time
from pathlib import Path

import fitparse
from fitparse.utils import FitParseError

from runback.errors import NotAnActivityError, UnreadableFileError
from runback.io.fit import read_fit, read_fit_many

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE.parent.parent / "shared" / "corpus"


def activity_files(corpus: Path) -> list[Path]:
    """FIT files of the corpus that read_fit reads as activities."""
    with (corpus / "MANIFEST.tsv").open(newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter="\t") if r["format"] == "FIT"]
    out = []
    for row in rows:
        path = corpus / row["path"]
        try:
            read_fit(path)
        except (NotAnActivityError, UnreadableFileError):
            continue
        out.append(path)
    return out


def fitparse_records(path: Path) -> int:
    n = 0
    try:
        for msg in fitparse.FitFile(str(path)).get_messages():
            if msg.name == "record":
                n += 1
    except FitParseError:
        pass  # broken files: count what decoded, as runback does
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--quick", action="store_true", help="fitparse on files under 1 MB only")
    parser.add_argument("--repeat", type=int, default=3, help="runback single-process runs (best is kept)")
    parser.add_argument("--copies", type=int, default=8, help="file list copies for the two-core run")
    args = parser.parse_args()

    files = activity_files(args.corpus)
    sizes = {p: p.stat().st_size for p in files}
    total_mb = sum(sizes.values()) / 1e6
    print(f"{len(files)} activity FIT files, {total_mb:.1f} MB, cpus={os.cpu_count()}")

    fp_files = [p for p in files if not args.quick or sizes[p] < 1_000_000]
    t0 = time.perf_counter()
    fp_n = sum(fitparse_records(p) for p in fp_files)
    fp_s = time.perf_counter() - t0
    fp_rate = fp_n / fp_s
    fp_mb = sum(sizes[p] for p in fp_files) / 1e6
    print(f"fitparse {fitparse.__version__ if hasattr(fitparse, '__version__') else ''}".strip()
          + f": {fp_n} records in {fp_s:.1f} s = {fp_rate:,.0f} records/s ({fp_mb / fp_s:.2f} MB/s)"
          + (" [files < 1 MB]" if args.quick else ""))

    best = float("inf")
    rb_n = 0
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        rb_n = sum(read_fit(p).samples.height for p in files)
        best = min(best, time.perf_counter() - t0)
    rb_rate = rb_n / best
    print(
        f"runback read_fit, 1 process: {rb_n} records in {best:.2f} s = {rb_rate:,.0f} records/s "
        f"({total_mb / best:.1f} MB/s), {rb_rate / fp_rate:.0f}x fitparse"
    )

    batch = [str(p) for p in files] * args.copies
    t0 = time.perf_counter()
    results = read_fit_many(batch, workers=2)
    par_s = time.perf_counter() - t0
    par_n = sum(r.samples.height for r in results if not isinstance(r, Exception))
    par_rate = par_n / par_s
    print(
        f"runback read_fit_many, 2 processes ({len(batch)} files): {par_n} records in {par_s:.2f} s "
        f"= {par_rate:,.0f} records/s, {par_rate / fp_rate:.0f}x fitparse"
    )


if __name__ == "__main__":
    main()
