"""Dask benchmark: flags of 2,000 athlete-years locally and on `--scheduler local:2`, and a 1,000-file import.

Generates the athletes straight into a store (summary activities, one year each;
``--samples-s`` adds heart-rate samples to every run), then times what
``runback flags`` computes: locally (one process) and with runback.distributed
on a local cluster of 2 worker processes (the cluster's start-up timed apart).
Then imports 1,000 small GPX runs locally and on 1 and 2 workers.

    python benchmarks/bench_dask.py                                  # 2,000 athlete-years, summary activities
    python benchmarks/bench_dask.py --athletes 200 --samples-s 600   # the variant with samples
    python benchmarks/bench_dask.py --scheduler tcp://scheduler:8786 --root /shared/bench   # a real cluster
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the cohort generator is a test helper
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_store import gpx_run  # noqa: E402
from cohorts import make_cohort_store  # noqa: E402
from runback import distributed  # noqa: E402
from runback.load.profile import resolve_store_profiles  # noqa: E402
from runback.model import flags  # noqa: E402
from runback.pain.journal import read_journal  # noqa: E402
from runback.store import Store, open_store  # noqa: E402

T = TypeVar("T")


def timed(what: str, run: Callable[[], T]) -> tuple[T, float]:
    t0 = time.perf_counter()
    out = run()
    took = time.perf_counter() - t0
    print(f"{what:<44} {took:8.2f} s", flush=True)
    return out, took


def local_flags(store: Store) -> Any:
    """What `runback flags` computes without --scheduler."""
    st = store.snapshot()
    activities = st.activities()
    samples = st.samples() if activities.height else None
    journal = read_journal(st)
    profiles = resolve_store_profiles(st, activities, samples)
    return flags(activities, samples, journal=journal, profile=profiles, wellness=st.wellness())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--athletes", type=int, default=2000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--samples-s", type=int, default=0, help="seconds of 5-s samples per run (0: none)")
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--scheduler", default="local:2", help="local:N or a scheduler's address")
    parser.add_argument("--root", help="folder for the stores (on a real cluster: one every worker sees)")
    parser.add_argument("--skip-import", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="runback-bench-", dir=args.root) as tmp:
        store, _ = timed(f"generate {args.athletes} x {args.days} days",
                         lambda: make_cohort_store(Path(tmp) / "store", args.athletes, days=args.days,
                                                   samples_s=args.samples_s))
        local, t_local = timed("flags, local (one process)", lambda: local_flags(store))
        with distributed.connect(args.scheduler) as client:
            workers = len(client.scheduler_info()["workers"])
            print(f"cluster: {args.scheduler}, {workers} workers", flush=True)
            timed("check the store is shared", lambda: distributed.check_shared_store(client, store))
            remote, t_remote = timed(f"flags, --scheduler {args.scheduler}", lambda: distributed.flags(client, store))
        assert remote.height == local.height, (remote.height, local.height)
        print(f"{local.height} flags; speed-up {t_local / t_remote:.2f}x; per athlete: local "
              f"{1000 * t_local / args.athletes:.1f} ms, Dask {1000 * t_remote / args.athletes:.1f} ms wall")
        if args.skip_import:
            return
        runs = Path(tmp) / "runs"
        runs.mkdir()
        for day in range(args.files):
            (runs / f"run-{day:04d}.gpx").write_text(gpx_run(day, 120), encoding="utf-8")
        base, _ = timed(f"import {args.files} GPX files, local", lambda: open_store(Path(tmp) / "i0").import_paths(runs))
        for n in (1, 2):
            spec = f"local:{n}" if args.scheduler.startswith("local") else args.scheduler
            with distributed.connect(spec) as client:
                got, took = timed(f"import {args.files} GPX files, {spec}",
                                  lambda: distributed.import_paths(client, open_store(Path(tmp) / f"i{n}"), [runs]))
            assert len(got.imported) == len(base.imported) == args.files, got.lines()
            if not args.scheduler.startswith("local"):
                break


if __name__ == "__main__":
    main()
