"""Benchmark: the runner report for two years of daily runs (target: < 6 MB, written in < 5 s).

    python benchmarks/bench_report.py [--days 730] [--out /tmp/bench_report.html]

Builds synthetic frames in the model's shapes (one run a day, a ride every
ninth day, a pain entry every third day, a few flags), then times
``build_runner_report`` plus the write, in English and Dutch, and prints the
file size.  Then the same two years through the real load model and pain
analysis (``runback.load`` / ``runback.pain`` on the synthetic activities and
journal, no per-sample data), as ``runner_report`` runs them, plus the report.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the synthetic frames are a test helper

from runback.report import build_runner_report  # noqa: E402
from synthetic import synthetic_frames  # noqa: E402
from runback.report.runner import write_text_atomic  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--out", type=Path, default=Path("/tmp/bench_report.html"))
    args = parser.parse_args()

    t0 = time.perf_counter()
    frames = synthetic_frames(days=args.days)
    t_frames = time.perf_counter() - t0
    n_runs = frames["activities"].filter(frames["activities"]["sport"] == "running").height  # type: ignore[attr-defined]
    print(f"synthetic frames: {args.days} days, {n_runs} runs, made in {t_frames:.2f} s")
    for lang in ("en", "nl"):
        out = args.out.with_name(f"{args.out.stem}_{lang}{args.out.suffix}")
        t0 = time.perf_counter()
        html = build_runner_report(**frames, lang=lang)  # type: ignore[arg-type]
        write_text_atomic(out, html)
        elapsed = time.perf_counter() - t0
        size = out.stat().st_size
        print(f"runner report ({lang}): {size / 1e6:.2f} MB, built and written in {elapsed:.2f} s -> {out}")

    from runback.load import acwr, daily_load, estimate_profile, pmc, weekly_load
    from runback.model import flags
    from runback.pain import pain_vs_load

    activities, journal = frames["activities"], frames["journal"]
    out = args.out.with_name(f"{args.out.stem}_model{args.out.suffix}")
    t0 = time.perf_counter()
    profile = estimate_profile(activities)
    daily = daily_load(activities, profile=profile)
    flagged = flags(activities, journal=journal, profile=profile)
    model = {
        "athlete": frames["athlete"], "activities": activities, "daily": daily, "weekly": weekly_load(daily),
        "flags": flagged, "journal": journal, "pain_analysis": pain_vs_load(journal, activities, flagged, daily=daily),
        "pmc": pmc(daily), "acwr": acwr(daily), "profile": profile,
    }
    t_model = time.perf_counter() - t0
    write_text_atomic(out, build_runner_report(**model, lang="en"))
    elapsed = time.perf_counter() - t0
    print(f"model + runner report (en): {out.stat().st_size / 1e6:.2f} MB, {elapsed:.2f} s "
          f"(model {t_model:.2f} s, {flagged.height} flags) -> {out}")


if __name__ == "__main__":
    main()
