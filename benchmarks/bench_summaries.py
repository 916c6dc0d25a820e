"""What summarising samples costs (runback.summaries.summarize_samples), as import runs it on every file.

Reads the sample data's FIT files (one runner's year: about 100 runs), then
times summarize_samples on each file alone and on all of them as one batch, and
a plain polars pass over the same frames (one group_by sum per activity) for
the ratio, so the figure holds on a busy machine.

    python benchmarks/bench_summaries.py            # best of 5
    python benchmarks/bench_summaries.py --repeat 9
    python benchmarks/bench_summaries.py --folder DIR   # the FIT files of another folder (longer runs)
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import polars as pl  # noqa: E402

from runback.io import read_fit  # noqa: E402
from runback.samples import SAMPLE_ATHLETES, sample_data_dir  # noqa: E402
from runback.summaries import summarize_samples  # noqa: E402


def best(run: Callable[[], object], repeat: int) -> float:
    """The fastest of ``repeat`` runs, seconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return min(times)


def plain_pass(samples: pl.DataFrame) -> pl.DataFrame:
    """The yardstick: one group_by sum over the columns summarising reads."""
    return samples.group_by("activity_id").agg(pl.col("heart_rate_bpm", "speed_mps", "distance_m").sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--folder", type=Path, help="FIT files to read (default: the first sample runner's)")
    args = parser.parse_args()
    folder = args.folder or sample_data_dir() / SAMPLE_ATHLETES[0]
    files = [read_fit(p).samples for p in sorted(folder.glob("*.fit"))]
    files = [f for f in files if f.height]
    batch = pl.concat(files, how="vertical")
    n = len(files)
    print(f"{n} files, {batch.height:,} samples ({batch.height / n:,.0f} per file)")

    alone = best(lambda: [summarize_samples(f) for f in files], args.repeat)
    alone_plain = best(lambda: [plain_pass(f) for f in files], args.repeat)
    together = best(lambda: summarize_samples(batch), args.repeat)
    together_plain = best(lambda: plain_pass(batch), args.repeat)
    print(f"each file alone: {1000 * alone / n:.2f} ms/file, {alone / alone_plain:.1f}x a plain polars pass")
    print(f"one batch:       {1000 * together / n:.2f} ms/file, {together / together_plain:.1f}x a plain polars pass")


if __name__ == "__main__":
    main()
