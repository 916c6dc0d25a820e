"""Time the pain journal on a synthetic 3-year history: CSV import, read, rules, pain_vs_load.

    python benchmarks/bench_pain.py [--years 3] [--athletes 2]

Prints one line per step with the wall time.  Nothing is asserted: figures, not tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from runback import schema  # noqa: E402
from runback.pain import import_journal_csv, pain_flags, pain_vs_load, read_journal  # noqa: E402
from runback.pain.journal import CSV_COLUMNS  # noqa: E402


def synthetic(years: int, athletes: int, seed: int = 0) -> tuple[pl.DataFrame, dict[str, str], pl.DataFrame]:
    rng = np.random.default_rng(seed)
    start = dt.date(2022, 1, 3)
    days = 365 * years
    acts, csvs, flags = [], {}, []
    for a in range(athletes):
        name = f"runner{a}"
        lines = [",".join(CSV_COLUMNS)]
        for n in range(days):
            d = start + dt.timedelta(days=n)
            if rng.random() < 0.6:
                km = float(rng.choice([5, 8, 10, 21]))
                aid = f"{name}-{n}"
                acts.append({"activity_id": aid, "athlete": name, "sport": "running",
                             "start_time_local": dt.datetime.combine(d, dt.time(7 + int(rng.integers(0, 12)))),
                             "distance_m": km * 1000, "avg_hr_bpm": float(rng.normal(150, 8))})
                if km == 21:
                    flags.append({"athlete": name, "date": d, "activity_id": aid, "rule": "session_spike"})
                lines.append(f"{d},19:00,{int(rng.integers(0, 8))},after,,,,,{int(rng.integers(3, 9))},,")
            lines.append(f"{d},07:00,{int(rng.integers(0, 6))},next_morning,,{rng.uniform(5, 9):.1f},"
                         f"{int(rng.integers(1, 6))},{int(rng.integers(1, 6))},,,")
        csvs[name] = "\n".join(lines) + "\n"
    return (schema.conform(pl.DataFrame(acts), schema.ACTIVITIES), csvs,
            schema.conform(pl.DataFrame(flags), schema.FLAGS))


def step(label: str, fn, *args, **kwargs):
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    print(f"{label:<48} {time.perf_counter() - t0:8.3f} s")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--athletes", type=int, default=2)
    args = parser.parse_args()
    activities, csvs, flags = synthetic(args.years, args.athletes)
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        n_rows = 0
        for name, text in csvs.items():
            path = Path(tmp) / f"{name}.csv"
            path.write_text(text, encoding="utf-8")
            n_rows += text.count("\n") - 1
            step(f"import_journal_csv {name} ({text.count(chr(10)) - 1} rows)", import_journal_csv, store, path,
                 athlete=name)
            step(f"import_journal_csv {name} again (adds nothing)", import_journal_csv, store, path, athlete=name)
        journal = step(f"read_journal ({n_rows} entries)", read_journal, store)
        out = step(f"pain_flags ({activities.height} runs)", pain_flags, journal, activities=activities,
                   load_flags=flags, daily=None)
        print(f"  -> {out.height} flags")
        step("pain_vs_load (n_boot=1000)", pain_vs_load, journal, activities, flags, n_boot=1000)


if __name__ == "__main__":
    main()
