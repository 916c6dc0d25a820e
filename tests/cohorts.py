"""A generated store of many runners, for the Dask tests and benchmarks/bench_dask.py (a test helper).

Summary activities only (no samples) unless asked, written straight into the
store with :meth:`runback.store.Store.commit_frames`: no files to decode.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import polars as pl
from distributed import Client, LocalCluster

from runback import schema
from runback.io._common import Frames
from runback.pain.journal import import_journal_csv
from runback.store import Store, open_store
from synthetic import synthetic_activities


def runner_name(i: int) -> str:
    return f"runner{i:04d}"


def _samples(activities: pl.DataFrame, seconds: int) -> pl.DataFrame:
    """One heart-rate and speed sample every 5 s for the first ``seconds`` of each run."""
    runs = activities.filter(pl.col("sport") == "running").select("activity_id", "start_time_utc")
    offsets = pl.int_range(0, seconds, 5, eager=True)
    out = runs.join(pl.DataFrame({"offset_s": offsets}), how="cross").with_columns(
        timestamp_utc=pl.col("start_time_utc") + pl.duration(seconds=pl.col("offset_s")),
        heart_rate_bpm=(140 + (pl.col("offset_s") % 40)).cast(pl.Float64),
        elapsed_s=pl.col("offset_s").cast(pl.Float64),
        distance_m=3.0 * pl.col("offset_s"),
        speed_mps=pl.lit(3.0),
    )
    return schema.conform(out.drop("start_time_utc", "offset_s"), schema.SAMPLES)


def make_cohort_store(
    root: Path, athletes: int, *, days: int = 84, samples_s: int = 0, start: dt.date = dt.date(2025, 1, 6)
) -> Store:
    """``athletes`` runners of ``days`` days each (varying rest days and volume), a few with a pain journal."""
    store = open_store(root)
    for i in range(athletes):
        name = runner_name(i)
        acts = synthetic_activities(athlete=name, start=start, days=days, rest_every=3 + i % 5, seed=i)
        # some runners run a lot more than others: the group's percentiles mean something
        acts = acts.with_columns(pl.col("distance_m") * (0.6 + 0.8 * (i % 7) / 6))
        store.commit_frames(name, Frames(activities=acts, samples=_samples(acts, samples_s) if samples_s else
                                         schema.empty(schema.SAMPLES)))
        if i % 10 == 0:
            # one journal CSV per runner, imported at once: one store write, not one per entry
            rng = np.random.default_rng(i)
            lines = ["date,pain,timing"] + [
                f"{start + dt.timedelta(days=k)},{int(rng.integers(0, 7))},next_morning" for k in range(0, days, 9)
            ]
            csv = Path(root).parent / f"{Path(root).name}-journals" / f"{name}.csv"  # beside the store, not in it
            csv.parent.mkdir(parents=True, exist_ok=True)
            csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
            import_journal_csv(store, csv, athlete=name, today=start + dt.timedelta(days=days))
    return store


@contextlib.contextmanager
def local_client(workers: int = 2) -> Iterator[Client]:
    """A real local cluster of ``workers`` processes (one thread each), loopback only, no dashboard."""
    # distributed has no type hints for these
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,  # type: ignore[no-untyped-call]
                           dashboard_address=None, host="127.0.0.1")
    client = Client(cluster)  # type: ignore[no-untyped-call]
    try:
        yield client
    finally:
        client.close()  # type: ignore[no-untyped-call]
        cluster.close()
