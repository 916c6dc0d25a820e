"""GPX reading speed: runback's fast GPX path against the gpxpy reference, on real-device runs.

Writes ``--files`` GPX files (default 1,520: five years of running) into a
temporary directory: the running FIT files of the corpus, decoded with
:func:`runback.io.read` and written back as Garmin Connect writes GPX (GPX 1.1,
``gpxtpx:hr`` and ``gpxtpx:cad`` extensions, times to the millisecond), one
after the other with their dates shifted so that each file is a different run.
Then, in this one process:

- reads every file with ``read_gpx(engine="fast")`` and ``read_gpx(engine="gpxpy")``
  (one after the other for each file, so that both see the same load on a busy
  machine) and prints files/s, samples/s and the ratio fast / gpxpy (goal: at
  least 4), in wall time and in this process's CPU time (steadier where other
  programs share the cores);
- imports the whole folder once into a new store (``Store.import_paths``, the
  registry's reader, default workers) and prints the wall time.

Usage::

    python benchmarks/bench_gpx.py [--files 1520] [--corpus ../shared/corpus] [--no-import]
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from runback.io import read  # noqa: E402
from runback.io.gpx import Engine, read_gpx  # noqa: E402
from runback.store import open_store  # noqa: E402

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE.parent.parent / "shared" / "corpus"
MIN_POINTS = 200
"""Runs with fewer positioned records than this are left out (a 14-record test file is no run)."""

HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<gpx creator="Garmin Connect" version="1.1"\n'
    '  xsi:schemaLocation="http://www.topografix.com/GPX/1/1 http://www.topografix.com/GPX/11.xsd"\n'
    '  xmlns:ns3="http://www.garmin.com/xmlschemas/TrackPointExtension/v1"\n'
    '  xmlns="http://www.topografix.com/GPX/1/1"\n'
    '  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    ' xmlns:ns2="http://www.garmin.com/xmlschemas/GpxExtensions/v3">\n'
    "  <metadata>\n"
    '    <link href="connect.garmin.com">\n      <text>Garmin Connect</text>\n    </link>\n'
    "    <time>{start}</time>\n"
    "  </metadata>\n"
    "  <trk>\n    <name>Morning Run</name>\n    <type>running</type>\n    <trkseg>\n"
)
FOOTER = "    </trkseg>\n  </trk>\n</gpx>\n"
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.000Z"


def running_runs(corpus: Path) -> list[pl.DataFrame]:
    """The samples of every running-only FIT file of the corpus with a real run's worth of positions."""
    with (corpus / "MANIFEST.tsv").open(newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter="\t") if r["format"] == "FIT"]
    runs = []
    for row in rows:
        frames = read(corpus / row["path"], workers=1)
        if frames.activities.is_empty() or set(frames.activities["sport"]) != {"running"}:
            continue
        samples = frames.samples.filter(pl.col("lat_deg").is_not_null() & pl.col("lon_deg").is_not_null())
        if samples.height >= MIN_POINTS:
            runs.append(samples.sort("timestamp_utc"))
    return runs


def point_parts(samples: pl.DataFrame) -> tuple[list[str], list[str]]:
    """Each track point's text before and after its time, as Garmin Connect writes them."""
    lat = [repr(x) for x in samples["lat_deg"].to_list()]
    lon = [repr(x) for x in samples["lon_deg"].to_list()]
    before, after = [], []
    for la, lo, alt, hr, cad in zip(
        lat, lon, samples["altitude_m"].to_list(), samples["heart_rate_bpm"].to_list(),
        samples["cadence_spm"].to_list(),
    ):  # fmt: skip
        ele = f"        <ele>{alt:.1f}</ele>\n" if alt is not None else ""
        before.append(f'      <trkpt lat="{la}" lon="{lo}">\n{ele}        <time>')
        ext = ""
        if hr is not None:
            ext += f"<ns3:hr>{round(hr)}</ns3:hr>"
        if cad is not None:
            ext += f"<ns3:cad>{round(cad / 2)}</ns3:cad>"  # GPX has per-foot cadence
        if ext:
            ext = f"        <extensions>\n          <ns3:TrackPointExtension>{ext}</ns3:TrackPointExtension>\n        </extensions>\n"
        after.append(f"</time>\n{ext}      </trkpt>\n")
    return before, after


def write_runs(runs: list[pl.DataFrame], n: int, folder: Path) -> list[Path]:
    """``n`` GPX files, cycling through ``runs``, one every ``5 years / n`` from 2021-01-01 06:30 UTC."""
    parts = [point_parts(run) for run in runs]
    step = timedelta(days=5 * 365.25 / n)
    first = datetime(2021, 1, 1, 6, 30, tzinfo=UTC)
    paths = []
    for i in range(n):
        run = runs[i % len(runs)]
        before, after = parts[i % len(runs)]
        start = first + i * step
        times = (run["timestamp_utc"] + (start - run["timestamp_utc"][0])).dt.strftime(TIME_FORMAT).to_list()
        body = "".join(b + t + a for b, t, a in zip(before, times, after))
        path = folder / f"{start:%Y-%m-%d_%H%M}_run.gpx"
        path.write_text(HEADER.format(start=times[0]) + body + FOOTER, encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=1520, help="GPX files to write and read (default 1520)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--no-import", action="store_true", help="skip the Store.import_paths timing")
    args = parser.parse_args()

    runs = running_runs(args.corpus)
    print(f"{len(runs)} running FIT files of the corpus as sources ({sum(r.height for r in runs)} positioned records)")
    with tempfile.TemporaryDirectory(prefix="bench-gpx-") as tmp:
        folder = Path(tmp) / "gpx"
        folder.mkdir()
        t0 = time.perf_counter()
        paths = write_runs(runs, args.files, folder)
        size_mb = sum(p.stat().st_size for p in paths) / 1e6
        print(f"wrote {len(paths)} GPX files, {size_mb:.0f} MB, in {time.perf_counter() - t0:.1f} s; cpus={os.cpu_count()}")

        wall = {"fast": 0.0, "gpxpy": 0.0}
        cpu = {"fast": 0.0, "gpxpy": 0.0}
        samples = 0
        for path in paths:
            heights = []
            engine: Engine
            for engine in ("fast", "gpxpy"):
                w0, c0 = time.perf_counter(), time.process_time()
                frames = read_gpx(path, engine=engine)
                wall[engine] += time.perf_counter() - w0
                cpu[engine] += time.process_time() - c0
                heights.append(frames.samples.height)
            samples += heights[0]
            if heights[0] != heights[1]:
                raise SystemExit(f"{path}: fast and gpxpy disagree ({heights[0]} vs {heights[1]} samples)")
        n = len(paths)
        print(f"{'reader':<8}{'wall s':>8}{'files/s':>9}{'samples/s':>11}{'cpu s':>8}")
        for engine in ("fast", "gpxpy"):
            print(
                f"{engine:<8}{wall[engine]:>8.1f}{n / wall[engine]:>9.1f}{samples / wall[engine]:>11,.0f}"
                f"{cpu[engine]:>8.1f}"
            )
        print(
            f"ratio fast / gpxpy: {wall['gpxpy'] / wall['fast']:.2f}x wall, {cpu['gpxpy'] / cpu['fast']:.2f}x cpu "
            f"({samples:,} samples)"
        )

        if not args.no_import:
            store = open_store(Path(tmp) / "store")
            t0 = time.perf_counter()
            summary = store.import_paths(folder)
            seconds = time.perf_counter() - t0
            print(
                f"Store.import_paths of {n} GPX files: {seconds:.1f} s wall ({n / seconds:.1f} files/s); "
                f"{len(summary.imported)} imported, {len(summary.duplicates)} duplicates, {len(summary.failed)} failed"
            )


if __name__ == "__main__":
    main()
