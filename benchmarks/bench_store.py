"""Store benchmark: import 1,000 small GPX runs, then re-import the unchanged history.

The goal (issue 2): re-importing an unchanged history of 1,000 files parses
nothing and takes under a second.  Run from the repository root::

    python benchmarks/bench_store.py [--files 1000] [--points 120]

It writes the GPX files and the store into a temporary directory and removes them.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from runback.store import open_store  # noqa: E402


def gpx_run(day: int, points: int) -> str:
    """A run on day ``day``: ``points`` one-second-apart fixes on a circle, with heart rate."""
    start = datetime(2021, 1, 1, 7, tzinfo=UTC) + timedelta(days=day)
    rows = []
    for i in range(points):
        angle = 2 * math.pi * i / points
        lat, lon = 52.09 + 0.004 * math.sin(angle), 5.12 + 0.006 * math.cos(angle)
        t = (start + timedelta(seconds=5 * i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        rows.append(
            f'<trkpt lat="{lat:.6f}" lon="{lon:.6f}"><ele>{5 + i % 7}</ele><time>{t}</time>'
            f"<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>{140 + i % 20}</gpxtpx:hr>"
            f"<gpxtpx:cad>{84 + i % 5}</gpxtpx:cad></gpxtpx:TrackPointExtension></extensions></trkpt>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx version="1.1" creator="bench" xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">'
        f"<trk><name>Run {day}</name><type>running</type><trkseg>{''.join(rows)}</trkseg></trk></gpx>\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--points", type=int, default=120)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="runback-bench-") as tmp:
        runs = Path(tmp) / "runs"
        runs.mkdir()
        for day in range(args.files):
            (runs / f"run-{day:04d}.gpx").write_text(gpx_run(day, args.points), encoding="utf-8")
        store = open_store(Path(tmp) / "store")

        t0 = time.perf_counter()
        first = store.import_paths(runs)
        t1 = time.perf_counter()
        again = store.import_paths(runs)
        t2 = time.perf_counter()

        assert len(first.imported) == args.files and not first.failed, first.lines()
        assert len(again.already_present) == args.files and not again.imported, again.lines()
        print(f"files: {args.files} GPX, {args.points} points each")
        print(f"first import:            {t1 - t0:7.2f} s  ({args.files / (t1 - t0):.0f} files/s)")
        print(f"re-import, unchanged:    {t2 - t1:7.3f} s  (nothing parsed)")


if __name__ == "__main__":
    main()
