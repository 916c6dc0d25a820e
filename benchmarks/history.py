"""Test histories for the scale benchmarks, built from real-device runs: a runner's five years, a team.

The runs are the running activities of the corpus's real-device FIT files
(``MANIFEST.tsv``; read with :func:`runback.io.read`), at least
:data:`MIN_SAMPLES` records each with heart rate, at a running pace, each
content once.  A history
cycles through them, moves each run to its day (a build-up of a few weeks and
an easy week, now and then a week or two off, about six runs a week, morning
starts in :data:`TIMEZONE`) and writes it as a FIT activity file: ``file_id``
(the source's manufacturer and product), one ``record`` per sample (timestamp,
position, distance, speed, altitude, heart rate, cadence, power), a ``lap``, a
``session`` (running) and an ``activity`` with the local time, and a correct
CRC.  Everything follows from the arguments: the same call writes the same
bytes.

- :func:`five_years`: one runner, 1,520 runs over five years (4.5 M samples);
- :func:`team`: ``runner01`` .. ``runnerNN``, each about a year of runs, in a
  folder each (imported with ``--athlete``); each runner's heart rate is moved
  by a few bpm so that their profiles differ.

Run it alone to write the files::

    PYTHONPATH=src python benchmarks/history.py DIR [--runs 1520] [--runners 20]

A folder whose ``<folder>.json`` stamp matches the arguments is kept as it is,
so a second run with the same ``DIR`` writes nothing.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import struct
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import fitparse
import numpy as np
import polars as pl

from runback.io import read

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE.parent.parent / "shared" / "corpus"

MIN_SAMPLES = 300
"""Runs shorter than this many records (FIT SDK examples, 20-record test files) are left out."""

SLOWEST_RUN_S_PER_KM = 555
"""Runs slower than 9:15/km on average are left out: `runback check` calls them walks."""

TIMEZONE = "Europe/Amsterdam"
FIVE_YEARS_START = date(2021, 1, 4)  # a Monday
TEAM_START = date(2025, 1, 6)  # a Monday
GENERATOR_VERSION = 2  # bump when the bytes written change: stamps of older folders stop matching

FIT_EPOCH = datetime(1989, 12, 31, tzinfo=UTC)


# --------------------------------------------------------------------------
# the source runs
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceRun:
    """One real run: its samples as arrays (NaN where the device recorded nothing) and its summary."""

    name: str
    manufacturer: int
    product: int
    offset_s: np.ndarray  # int64, seconds since the first record
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    distance_m: np.ndarray
    speed_mps: np.ndarray
    altitude_m: np.ndarray
    heart_rate_bpm: np.ndarray
    cadence_spm: np.ndarray
    power_w: np.ndarray
    elapsed_s: float
    moving_s: float
    distance_total_m: float

    @property
    def n(self) -> int:
        return int(self.offset_s.size)


def _file_id(path: Path) -> tuple[int, int]:
    """The raw manufacturer and product of a FIT file's first file_id (FIT's invalid 0xFFFF where absent)."""
    try:
        for msg in fitparse.FitFile(str(path)).get_messages("file_id"):
            raw = {f.def_num: f.raw_value for f in msg.fields}
            return tuple(0xFFFF if raw.get(n) is None else int(raw[n]) for n in (1, 2))  # type: ignore[return-value]
    except fitparse.FitParseError:
        pass  # a file broken before its file_id: no device
    return 0xFFFF, 0xFFFF


def _column(samples: pl.DataFrame, name: str) -> np.ndarray:
    return samples[name].cast(pl.Float64).fill_null(float("nan")).to_numpy()


def corpus_runs(corpus: Path = DEFAULT_CORPUS) -> list[SourceRun]:
    """The corpus's real-device runs with samples, each content once, in a fixed order."""
    with (corpus / "MANIFEST.tsv").open(newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter="\t") if r["format"] == "FIT" and "running" in r["sport"]]
    runs: dict[str, SourceRun] = {}
    for row in sorted(rows, key=lambda r: r["path"]):
        path = corpus / row["path"]
        frames = read(path)
        device = _file_id(path)
        for act in frames.activities.sort("start_time_utc").iter_rows(named=True):
            if act["sport"] != "running" or (act["n_samples"] or 0) < MIN_SAMPLES:
                continue
            samples = frames.samples.filter(pl.col("activity_id") == act["activity_id"]).sort("timestamp_utc")
            if samples["heart_rate_bpm"].null_count() > samples.height // 2:
                continue
            seconds = samples["timestamp_utc"].dt.epoch("ms").to_numpy() / 1000.0
            offset = np.round(seconds - seconds[0]).astype(np.int64)
            distance = _column(samples, "distance_m")
            total = act["distance_m"] if act["distance_m"] is not None else float(np.nanmax(distance))
            moving = float(act["moving_s"] or act["elapsed_s"] or offset[-1])
            if total <= 0 or moving / (total / 1000) > SLOWEST_RUN_S_PER_KM:
                continue
            run = SourceRun(
                name=f"{path.name}#{act['start_time_utc']:%H%M%S}",
                manufacturer=device[0],
                product=device[1],
                offset_s=offset,
                lat_deg=_column(samples, "lat_deg"),
                lon_deg=_column(samples, "lon_deg"),
                distance_m=distance,
                speed_mps=_column(samples, "speed_mps"),
                altitude_m=_column(samples, "altitude_m"),
                heart_rate_bpm=_column(samples, "heart_rate_bpm"),
                cadence_spm=_column(samples, "cadence_spm"),
                power_w=_column(samples, "power_w"),
                elapsed_s=float(act["elapsed_s"] or offset[-1]),
                moving_s=moving,
                distance_total_m=float(total),
            )
            # the same run in two files (a corpus file copied under another name) counts once
            key = hashlib.sha256(offset.tobytes() + run.heart_rate_bpm.tobytes() + distance.tobytes()).hexdigest()
            runs.setdefault(key, run)
    if not runs:
        raise SystemExit(f"no running FIT files with samples under {corpus}")
    return list(runs.values())


# --------------------------------------------------------------------------
# the calendar: which days, at what time
# --------------------------------------------------------------------------


def weekly_counts(n_runs: int, weeks: int, rng: random.Random) -> list[int]:
    """Runs per week, ``n_runs`` in all: build-ups of 3-6 weeks, each followed by an easy week, some weeks off."""
    if n_runs > 7 * weeks:
        raise ValueError(f"{n_runs} runs do not fit in {weeks} weeks at one a day")
    weights: list[float] = []
    while len(weights) < weeks:
        level = rng.uniform(0.85, 1.1)
        build = rng.randint(3, 6)
        weights += [level * (0.9 + 0.06 * i) for i in range(build)]
        weights.append(level * 0.65)
        if rng.random() < 0.1:  # ill, injured or on holiday
            weights += [0.0] * rng.randint(1, 2)
    weights = weights[:weeks]
    scale = n_runs / sum(weights)
    counts = [min(7, int(w * scale)) for w in weights]
    # hand out what rounding down left, largest remainder first, never more than 7 a week
    order = sorted(range(weeks), key=lambda i: (weights[i] * scale - int(weights[i] * scale)), reverse=True)
    while sum(counts) < n_runs:
        for i in order:
            if sum(counts) == n_runs:
                break
            if counts[i] < 7 and weights[i] > 0:
                counts[i] += 1
        order = [i for i in order if counts[i] < 7] or [i for i in range(weeks) if counts[i] < 7]
    return counts


def run_starts(n_runs: int, start: date, years: float, seed: int, tz: str = TIMEZONE) -> list[datetime]:
    """The local start of each run (aware, in ``tz``): ``n_runs`` mornings from ``start`` over ``years``."""
    rng = random.Random(seed)
    weeks = max(1, round(years * 52.18))
    zone = ZoneInfo(tz)
    starts = []
    for week, count in enumerate(weekly_counts(n_runs, weeks, rng)):
        for weekday in sorted(rng.sample(range(7), count)):
            day = start + timedelta(weeks=week, days=weekday)
            # weekdays before work, weekends a little later
            minute = rng.randint(6 * 60, 8 * 60 + 30) if weekday < 5 else rng.randint(7 * 60 + 30, 10 * 60)
            starts.append(datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=zone))
    return starts


# --------------------------------------------------------------------------
# the FIT encoder
# --------------------------------------------------------------------------


def _byte_table() -> np.ndarray:
    table = np.zeros(256, dtype=np.uint32)
    for b in range(256):
        c = b
        for _ in range(8):
            c = (c >> 1) ^ 0xA001 if c & 1 else c >> 1
        table[b] = c
    return table


_CRC_BYTE = _byte_table()
_CRC_BYTE_LIST = _CRC_BYTE.tolist()


def _shift_table(nbytes: int) -> tuple[list[int], list[int]]:
    # the CRC is linear: CRC(A + B) = shift(CRC(A)) ^ CRC(B), shift over len(B) bytes,
    # tabulated for the register's low and high byte
    lo = np.arange(256, dtype=np.uint32)
    hi = lo << 8
    for _ in range(nbytes):
        lo = (lo >> 8) ^ _CRC_BYTE[lo & 0xFF]
        hi = (hi >> 8) ^ _CRC_BYTE[hi & 0xFF]
    return lo.tolist(), hi.tolist()


_BLOCK = 256
_SHIFT_LO, _SHIFT_HI = _shift_table(_BLOCK)


def fit_crc(data: bytes) -> int:
    """The FIT CRC-16 (reflected 0xA001, init 0): blocks of 256 bytes run side by side in numpy."""
    n = len(data)
    nblocks = -(-n // _BLOCK)
    padded = np.zeros(nblocks * _BLOCK, dtype=np.uint8)
    padded[padded.size - n :] = np.frombuffer(data, dtype=np.uint8)  # leading zeros leave an init-0 CRC at 0
    cols = np.ascontiguousarray(padded.reshape(nblocks, _BLOCK).T).astype(np.uint32)
    crc = np.zeros(nblocks, dtype=np.uint32)
    for j in range(_BLOCK):
        crc = (crc >> 8) ^ _CRC_BYTE[(crc ^ cols[j]) & 0xFF]
    out = 0
    for c in crc.tolist():
        out = _SHIFT_LO[out & 0xFF] ^ _SHIFT_HI[out >> 8] ^ c
    return out


def _slow_crc(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc = (crc >> 8) ^ _CRC_BYTE_LIST[(crc ^ byte) & 0xFF]
    return crc


assert fit_crc(b"runback-history" * 100) == _slow_crc(b"runback-history" * 100)


def _definition(local: int, global_num: int, fields: Sequence[tuple[int, int, int]]) -> bytes:
    out = struct.pack("<BBBHB", 0x40 | local, 0, 0, global_num, len(fields))
    return out + b"".join(struct.pack("<BBB", *f) for f in fields)


# record: timestamp, lat, lon, distance, speed, altitude, power, heart rate, cadence, fractional cadence
_RECORD_FIELDS = [
    (253, 4, 0x86), (0, 4, 0x85), (1, 4, 0x85), (5, 4, 0x86), (6, 2, 0x84),
    (2, 2, 0x84), (7, 2, 0x84), (3, 1, 0x02), (4, 1, 0x02), (53, 1, 0x02),
]  # fmt: skip
_RECORD = np.dtype([
    ("header", "u1"), ("timestamp", "<u4"), ("lat", "<i4"), ("lon", "<i4"), ("distance", "<u4"),
    ("speed", "<u2"), ("altitude", "<u2"), ("power", "<u2"), ("hr", "u1"), ("cadence", "u1"), ("fraction", "u1"),
])  # fmt: skip
_SESSION_FIELDS = [
    (253, 4, 0x86), (2, 4, 0x86), (7, 4, 0x86), (8, 4, 0x86), (9, 4, 0x86), (14, 2, 0x84),
    (254, 2, 0x84), (16, 1, 0x02), (17, 1, 0x02), (5, 1, 0x00), (6, 1, 0x00),
]  # fmt: skip
_LAP_FIELDS = [
    (253, 4, 0x86), (2, 4, 0x86), (7, 4, 0x86), (8, 4, 0x86), (9, 4, 0x86), (13, 2, 0x84),
    (254, 2, 0x84), (15, 1, 0x02), (16, 1, 0x02), (25, 1, 0x00),
]  # fmt: skip
_ACTIVITY_FIELDS = [(253, 4, 0x86), (0, 4, 0x86), (5, 4, 0x86), (1, 2, 0x84), (2, 1, 0x00), (3, 1, 0x00), (4, 1, 0x00)]
_FILE_ID_FIELDS = [(0, 1, 0x00), (1, 2, 0x84), (2, 2, 0x84), (3, 4, 0x8C), (4, 4, 0x86)]


def _encode(
    values: np.ndarray, scale: float, offset: float, dtype: str, invalid: int, top: int, bottom: int = 0
) -> np.ndarray:
    """FIT's stored integers (``(value + offset) * scale``), ``invalid`` where missing or out of range."""
    with np.errstate(invalid="ignore"):
        raw = np.round((values + offset) * scale)
        bad = ~np.isfinite(raw) | (raw < bottom) | (raw > top)
    return np.where(bad, invalid, raw).astype(dtype)


def _u8(value: float) -> int:
    return 0xFF if not np.isfinite(value) else int(min(254, max(0, round(value))))


def encode_fit(run: SourceRun, start: datetime, *, hr_shift: int = 0, serial: int = 1) -> bytes:
    """``run`` as a FIT activity file starting at ``start`` (aware; its offset becomes the local time)."""
    t0 = int((start - FIT_EPOCH).total_seconds())
    offset = start.utcoffset()
    local_offset = int(offset.total_seconds()) if offset is not None else 0
    hr = run.heart_rate_bpm + hr_shift
    rpm = run.cadence_spm / 2.0  # FIT's running cadence is per foot, plus 1/128 fractions
    whole = np.floor(rpm)

    rec = np.zeros(run.n, dtype=_RECORD)
    rec["header"] = 1
    rec["timestamp"] = t0 + run.offset_s
    rec["lat"] = _encode(run.lat_deg, 2**31 / 180, 0, "<i4", 0x7FFFFFFF, 2**31 - 2, -(2**31) + 1)
    rec["lon"] = _encode(run.lon_deg, 2**31 / 180, 0, "<i4", 0x7FFFFFFF, 2**31 - 2, -(2**31) + 1)
    rec["distance"] = _encode(run.distance_m, 100, 0, "<u4", 0xFFFFFFFF, 0xFFFFFFFE)
    rec["speed"] = _encode(run.speed_mps, 1000, 0, "<u2", 0xFFFF, 0xFFFE)
    rec["altitude"] = _encode(run.altitude_m, 5, 500, "<u2", 0xFFFF, 0xFFFE)
    rec["power"] = _encode(run.power_w, 1, 0, "<u2", 0xFFFF, 0xFFFE)
    rec["hr"] = _encode(hr, 1, 0, "u1", 0xFF, 0xFE)
    rec["cadence"] = _encode(whole, 1, 0, "u1", 0xFF, 0xFE)
    rec["fraction"] = _encode(np.minimum(rpm - whole, 127 / 128), 128, 0, "u1", 0xFF, 127)

    end = t0 + int(run.offset_s[-1])
    elapsed_ms, timer_ms = round(run.elapsed_s * 1000), round(run.moving_s * 1000)
    distance_cm = round(run.distance_total_m * 100)
    avg_speed = min(0xFFFE, round(run.distance_total_m / run.moving_s * 1000)) if run.moving_s > 0 else 0xFFFF
    avg_hr, max_hr = 0xFF, 0xFF
    if np.isfinite(hr).any():
        avg_hr, max_hr = _u8(float(np.nanmean(hr))), _u8(float(np.nanmax(hr)))

    body = bytearray()
    body += _definition(0, 0, _FILE_ID_FIELDS)
    body += struct.pack("<BBHHII", 0, 4, run.manufacturer, run.product, serial, t0)  # type 4: activity
    body += _definition(1, 20, _RECORD_FIELDS)
    body += rec.tobytes()
    body += _definition(2, 19, _LAP_FIELDS)
    body += struct.pack("<BIIIIIHHBBB", 2, end, t0, elapsed_ms, timer_ms, distance_cm, avg_speed, 0, avg_hr, max_hr, 1)
    body += _definition(3, 18, _SESSION_FIELDS)
    body += struct.pack(
        "<BIIIIIHHBBBB", 3, end, t0, elapsed_ms, timer_ms, distance_cm, avg_speed, 0, avg_hr, max_hr, 1, 0
    )  # sport 1 running, sub_sport 0 generic
    body += _definition(4, 34, _ACTIVITY_FIELDS)
    # type 0 manual, event 26 activity, event_type 1 stop
    body += struct.pack("<BIIIHBBB", 4, end, timer_ms, end + local_offset, 1, 0, 26, 1)
    header = struct.pack("<BBHI4s", 14, 0x20, 2132, len(body), b".FIT")
    header += struct.pack("<H", fit_crc(header))
    data = header + bytes(body)
    return data + struct.pack("<H", fit_crc(data))


# --------------------------------------------------------------------------
# histories
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class History:
    """A folder of FIT files: one athlete's runs."""

    athlete: str
    folder: Path
    files: tuple[Path, ...]
    samples: int


def write_history(
    folder: Path,
    sources: Sequence[SourceRun],
    *,
    athlete: str,
    n_runs: int,
    start: date,
    years: float,
    seed: int,
    hr_shift: int = 0,
    first_source: int = 0,
) -> History:
    """Write ``n_runs`` runs into ``folder`` (kept as it is when its stamp matches these arguments)."""
    params = {
        "generator": GENERATOR_VERSION, "athlete": athlete, "n_runs": n_runs, "start": start.isoformat(),
        "years": years, "seed": seed, "hr_shift": hr_shift, "first_source": first_source,
        "sources": [s.name for s in sources],
    }  # fmt: skip
    stamp = folder.with_name(folder.name + ".json")
    starts = run_starts(n_runs, start, years, seed)
    picks = [sources[(first_source + i) % len(sources)] for i in range(n_runs)]
    names = [f"{s.astimezone(UTC):%Y-%m-%d-%H%M%S}.fit" for s in starts]
    files = tuple(folder / name for name in names)
    samples = sum(p.n for p in picks)
    if stamp.exists() and json.loads(stamp.read_text(encoding="utf-8")) == params and all(f.exists() for f in files):
        return History(athlete, folder, files, samples)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.fit"):
        old.unlink()
    serial = 1_000_000 + seed
    for path, when, run in zip(files, starts, picks, strict=True):
        path.write_bytes(encode_fit(run, when, hr_shift=hr_shift, serial=serial))
    stamp.write_text(json.dumps(params), encoding="utf-8")
    return History(athlete, folder, files, samples)


def five_years(work: Path, sources: Sequence[SourceRun], n_runs: int = 1520) -> History:
    """One runner's five years: ``n_runs`` runs from 2021 on, in ``work/five-years``."""
    return write_history(
        work / "five-years", sources, athlete="me", n_runs=n_runs, start=FIVE_YEARS_START, years=5, seed=15
    )


def team(
    work: Path, sources: Sequence[SourceRun], n_runners: int = 20, runs_per_runner: int | None = None
) -> list[History]:
    """``runner01`` .. : a year each (260-340 runs, or ``runs_per_runner``), in ``work/team/runnerNN``."""
    out = []
    for i in range(1, n_runners + 1):
        rng = random.Random(1000 + i)
        n_runs = runs_per_runner if runs_per_runner is not None else rng.randint(260, 340)
        out.append(
            write_history(
                work / "team" / f"runner{i:02d}", sources, athlete=f"runner{i:02d}", n_runs=n_runs,
                start=TEAM_START, years=1, seed=1000 + i, hr_shift=rng.randint(-8, 8), first_source=i,
            )
        )  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("work", type=Path, help="folder to write the histories into")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--runs", type=int, default=1520, help="runs in the five-year history")
    parser.add_argument("--runners", type=int, default=20)
    parser.add_argument("--runner-runs", type=int, default=None, help="runs per runner (default: 260-340)")
    args = parser.parse_args()
    t = time.perf_counter()
    sources = corpus_runs(args.corpus)
    print(f"{len(sources)} source runs: " + ", ".join(f"{s.name} ({s.n})" for s in sources))
    five = five_years(args.work, sources, args.runs)
    print(f"five years: {len(five.files)} files, {five.samples:,} samples in {five.folder}")
    runners = team(args.work, sources, args.runners, args.runner_runs)
    print(
        f"team: {len(runners)} runners, {sum(len(h.files) for h in runners)} files, "
        f"{sum(h.samples for h in runners):,} samples under {args.work / 'team'}"
    )
    print(f"{time.perf_counter() - t:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
