"""Benchmark: load and flags for 1,000 athlete-years of daily data.

Synthetic data: 1,000 athletes x 365 days; each athlete runs on about five days
a week (distance, pace and average heart rate drawn at random around personal
levels, with occasional long runs and build-ups) and walks now and then.  The
activities carry summaries only (no samples), so TRIMP comes from the average
heart rate (Banister's per-session form) and zone / threshold minutes are 0;
the per-sample path is covered by the tests, not timed here.

Timed: profile estimation for every athlete, ``session_load``, ``daily_load``,
``weekly_load`` and every load rule including ``acwr`` (i.e. ``runback.flags``
with ``include_acwr=True``), end to end.  Best of 3 runs.

Run: ``python benchmarks/bench_load.py``
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from runback import schema  # noqa: E402
from runback.load import daily_load  # noqa: E402
from runback.model import flags  # noqa: E402

ATHLETES = 1_000
DAYS = 365


def synthetic(seed: int = 0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    a = np.repeat(np.arange(ATHLETES), DAYS)
    d = np.tile(np.arange(DAYS), ATHLETES)
    runs = rng.random(a.size) < 5 / 7
    level_km = rng.uniform(5, 14, ATHLETES)[a]
    build = 1 + 0.3 * np.sin(2 * np.pi * d / rng.uniform(60, 120, ATHLETES)[a])
    km = np.clip(rng.normal(level_km * build, 2.0), 2, None)
    km = np.where(rng.random(a.size) < 0.08, km * rng.uniform(1.5, 2.5, a.size), km)  # long runs
    walk = ~runs & (rng.random(a.size) < 0.3)
    keep = runs | walk
    a, d, km, walk = a[keep], d[keep], km[keep], walk[keep]
    pace = np.where(walk, 700.0, rng.normal(rng.uniform(290, 400, ATHLETES)[a], 20))  # s/km
    hr = np.where(walk, 105.0, rng.normal(rng.uniform(140, 165, ATHLETES)[a], 6))
    start = (np.datetime64("2024-01-01T07:00") + d.astype("timedelta64[D]")).astype("datetime64[us]")
    n = a.size
    df = pl.DataFrame(
        {
            "activity_id": [f"{x}-{y}" for x, y in zip(a, d, strict=True)],
            "athlete": [f"athlete{x:04d}" for x in a],
            "sport": np.where(walk, "walking", "running"),
            "start_time_local": start,
            "utc_offset_s": np.zeros(n, dtype=np.int32),
            "utc_offset_source": ["fit_local_timestamp"] * n,
            "distance_m": np.where(walk, 4000.0, km * 1000),
            "moving_s": np.where(walk, 4.0, km) * pace,
            "avg_hr_bpm": hr,
            "max_hr_bpm": hr + 15,
        }
    ).with_columns(start_time_utc=pl.col("start_time_local").dt.replace_time_zone("UTC"))
    return schema.conform(df, schema.ACTIVITIES)


def main() -> None:
    acts = synthetic()
    print(f"{acts.height:,} activities, {acts['athlete'].n_unique():,} athletes x {DAYS} days")
    times, cpu = [], []
    for _ in range(3):
        t0, c0 = time.perf_counter(), time.process_time()
        out = flags(acts, include_acwr=True)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    t0 = time.perf_counter()
    daily = daily_load(acts)
    t_daily = time.perf_counter() - t0
    print(f"daily_load alone: {t_daily:.2f} s ({daily.height:,} athlete-days)")
    print(f"flags: {out.height:,} flags, by rule: {dict(out.group_by('rule').len().sort('rule').iter_rows())}")
    print(f"load + flags for {ATHLETES:,} athlete-years: best {min(times):.2f} s wall "
          f"(runs: {', '.join(f'{t:.2f}' for t in times)}), {min(cpu):.2f} s CPU over all threads")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {os.cpu_count()} cores, load average {load:.1f} (wall time grows with other work)")


if __name__ == "__main__":
    main()
