"""The committed sample data: reproducible, decodable, small, and it contains what it claims.

The pattern checks decode the files with fitparse and gpxpy (not with runback's
own readers) and recompute the few numbers EVIDENCE.md's rules need by hand, so
a bug in runback cannot hide a sample that lost its patterns.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import importlib.metadata
import importlib.util
import io
import sys
import time
import zipfile
from collections import defaultdict
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import fitparse
import gpxpy
import pytest

from runback.schema import JOURNAL_TIMINGS

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_data"
SCRIPT = REPO / "scripts" / "make_sample_data.py"

TCX_NS = {"t": "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"}
JOURNAL_HEADER = "date,time,pain,timing,location,sleep_h,sleep_quality,stress,rpe,activity_id,note"
STRAVA_HEADER = [
    "Activity ID", "Activity Date", "Activity Name", "Activity Type", "Elapsed Time",
    "Distance", "Perceived Exertion", "Filename",
]


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("make_sample_data", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it runs
    spec.loader.exec_module(module)
    return module


def _digests(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_generator_reproduces_every_file_byte_for_byte(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # on a machine far from Amsterdam: nothing may depend on the local time zone
    monkeypatch.setenv("TZ", "Pacific/Auckland")
    time.tzset()
    try:
        _generator().generate(tmp_path, quiet=True)
    finally:
        monkeypatch.undo()
        time.tzset()
    ours, committed = _digests(tmp_path), _digests(SAMPLE)
    differ = sorted(k for k in ours.keys() | committed.keys() if ours.get(k) != committed.get(k))
    # FIT bytes come from fit-tool (0.9.16 wrote the committed files), gzip/zip from zlib
    assert differ == [], f"{len(differ)} files differ (fit-tool {importlib.metadata.version('fit-tool')}): {differ[:5]}"


def test_sample_data_is_small() -> None:
    total = sum(p.stat().st_size for p in SAMPLE.rglob("*") if p.is_file())
    assert total < 10_000_000


def test_layout_matches_the_contract() -> None:
    assert (SAMPLE / "README.md").is_file()
    assert (SAMPLE / "anna" / "pain_journal.csv").is_file()
    assert (SAMPLE / "bram" / "pain_journal.csv").is_file()
    assert (SAMPLE / "bram" / "strava_export.zip").is_file()
    assert len(list((SAMPLE / "anna").glob("*.fit"))) > 90
    assert list((SAMPLE / "bram").glob("*.gpx")) and list((SAMPLE / "bram").glob("*.tcx"))


def test_no_corpus_file_in_the_sample_data(corpus: Path) -> None:
    ours = {hashlib.sha256(p.read_bytes()).hexdigest() for p in SAMPLE.rglob("*") if p.is_file()}
    theirs = {
        hashlib.sha256(p.read_bytes()).hexdigest()
        for p in corpus.rglob("*")
        if p.is_file() and p.stat().st_size < 5_000_000
    }
    assert not ours & theirs


# --------------------------------------------------------------------------
# decoding every file with third-party decoders
# --------------------------------------------------------------------------


def _fit_activity(data: bytes, name: str) -> dict[str, Any]:
    ff = fitparse.FitFile(io.BytesIO(data), check_crc=True)
    msgs = list(ff.get_messages())
    names = {m.name for m in msgs}
    assert {"file_id", "device_info", "record", "lap", "session", "activity"} <= names, name
    (session,) = [m.get_values() for m in msgs if m.name == "session"]
    (activity,) = [m.get_values() for m in msgs if m.name == "activity"]
    records = [m.get_values() for m in msgs if m.name == "record"]
    offset = activity["local_timestamp"] - activity["timestamp"]
    return {
        "name": name,
        "sport": session["sport"],
        "start_local": session["start_time"] + offset,
        "utc_offset_s": offset.total_seconds(),
        "distance_m": session["total_distance"],
        "t": [r["timestamp"] for r in records],
        "hr": [r["heart_rate"] for r in records],
        # FIT running cadence counts one foot; rides are in rpm
        "cad_spm": [
            2 * (r["cadence"] + r["fractional_cadence"]) if session["sport"] == "running" else r["cadence"]
            for r in records
        ],
        "lat": [r["position_lat"] / 2**31 * 180 for r in records],
        "alt": [r["enhanced_altitude"] for r in records],
        "speed": [r["enhanced_speed"] for r in records],
    }


def _gpx_activity(data: bytes, name: str) -> dict[str, Any]:
    gpx = gpxpy.parse(data.decode("utf-8"))
    (track,) = gpx.tracks
    points = [p for seg in track.segments for p in seg.points]
    hr, cad = [], []
    for p in points:
        ext = {e.tag.split("}")[1]: e.text for e in p.extensions[0]}
        hr.append(int(ext["hr"]))
        cad.append(int(ext["cad"]))
    sport = {"running": "running", "cycling": "cycling"}[track.type]
    return {
        "name": name,
        "sport": sport,
        # bram lives in the Netherlands; GPX times are UTC
        "start_local": points[0].time.replace(tzinfo=None) + _cest(points[0].time.replace(tzinfo=None)),
        "distance_m": track.length_2d(),
        "t": [p.time for p in points],
        "hr": hr,
        "cad_spm": [2 * c for c in cad] if sport == "running" else cad,
        "lat": [p.latitude for p in points],
        "alt": [p.elevation for p in points],
    }


def _tcx_activity(data: bytes, name: str) -> dict[str, Any]:
    root = ElementTree.fromstring(data)
    act = root.find("t:Activities/t:Activity", TCX_NS)
    assert act is not None
    tps = act.findall(".//t:Trackpoint", TCX_NS)
    times = [dt.datetime.fromisoformat(tp.findtext("t:Time", namespaces=TCX_NS).replace("Z", "")) for tp in tps]
    return {
        "name": name,
        "sport": {"Running": "running", "Biking": "cycling"}[act.get("Sport")],
        "start_local": times[0] + _cest(times[0]),
        "distance_m": float(tps[-1].findtext("t:DistanceMeters", namespaces=TCX_NS)),
        "t": times,
        "hr": [int(tp.findtext("t:HeartRateBpm/t:Value", namespaces=TCX_NS)) for tp in tps],
        "lat": [float(tp.findtext("t:Position/t:LatitudeDegrees", namespaces=TCX_NS)) for tp in tps],
        "laps": len(act.findall("t:Lap", TCX_NS)),
    }


def _cest(utc: dt.datetime) -> dt.timedelta:
    """Europe/Amsterdam's offset in 2025 (CEST from 30 March 01:00 UTC)."""
    return dt.timedelta(hours=2 if dt.datetime(2025, 3, 30, 1) <= utc < dt.datetime(2025, 10, 26, 1) else 1)


@pytest.fixture(scope="module")
def decoded() -> dict[str, list[dict[str, Any]]]:
    """Every activity of both runners, decoded by fitparse, gpxpy or ElementTree."""
    out: dict[str, list[dict[str, Any]]] = {"anna": [], "bram": []}
    for path in sorted((SAMPLE / "anna").glob("*.fit")):
        out["anna"].append(_fit_activity(path.read_bytes(), path.name))
    for path in sorted((SAMPLE / "bram").glob("*.gpx")):
        out["bram"].append(_gpx_activity(path.read_bytes(), path.name))
    for path in sorted((SAMPLE / "bram").glob("*.tcx")):
        out["bram"].append(_tcx_activity(path.read_bytes(), path.name))
    with zipfile.ZipFile(SAMPLE / "bram" / "strava_export.zip") as zf:
        for name in zf.namelist():
            if not name.startswith("activities/"):
                continue
            data = gzip.decompress(zf.read(name))
            reader = {"fit.gz": _fit_activity, "gpx.gz": _gpx_activity, "tcx.gz": _tcx_activity}
            out["bram"].append(reader[name.split(".", 1)[1]](data, name))
    for acts in out.values():
        acts.sort(key=lambda a: a["start_local"])
    return out


def test_every_activity_decodes_with_realistic_records(decoded: dict[str, list[dict[str, Any]]]) -> None:
    for athlete, acts in decoded.items():
        assert len(acts) >= 95, athlete
        for a in acts:
            gaps = {(b - a_).total_seconds() for a_, b in zip(a["t"], a["t"][1:])}
            assert gaps == {5.0}, a["name"]
            assert len(a["t"]) > 200, a["name"]
            assert 80 <= min(a["hr"]) and max(a["hr"]) <= 195, a["name"]
            assert all(50 < lat < 53 for lat in a["lat"]), a["name"]
            if a["sport"] == "running" and "cad_spm" in a:
                moving = [c for c in a["cad_spm"] if c > 0]
                mean = sum(moving) / len(moving)
                assert 160 <= mean <= 185, (a["name"], mean)


def test_anna_fit_files_carry_the_local_time(decoded: dict[str, list[dict[str, Any]]]) -> None:
    offsets = {(a["start_local"].date() < dt.date(2025, 3, 30), a["utc_offset_s"]) for a in decoded["anna"]}
    assert offsets == {(True, 3600.0), (False, 7200.0)}
    assert all(a["start_local"].hour in (9, 12, 18) for a in decoded["anna"])


def test_heart_rate_follows_the_pace(decoded: dict[str, list[dict[str, Any]]]) -> None:
    (intervals,) = [a for a in decoded["anna"] if a["name"] == "2025-05-20-int-6x800.fit"]
    fast = [h for h, v in zip(intervals["hr"], intervals["speed"]) if v > 3.6]
    slow = [h for h, v in zip(intervals["hr"], intervals["speed"]) if 1.5 < v < 2.3]
    assert sum(fast) / len(fast) > sum(slow) / len(slow) + 25


def test_strava_export_has_activities_csv_matching_its_members() -> None:
    with zipfile.ZipFile(SAMPLE / "bram" / "strava_export.zip") as zf:
        names = set(zf.namelist())
        rows = list(csv.DictReader(io.StringIO(zf.read("activities.csv").decode("utf-8"))))
        header = next(csv.reader(io.StringIO(zf.read("activities.csv").decode("utf-8"))))
        for info in zf.infolist():
            assert info.date_time == (2025, 8, 18, 7, 30, 0)
    assert header == STRAVA_HEADER
    assert {r["Filename"] for r in rows} == names - {"activities.csv"}
    assert {n.split(".", 1)[1] for n in names if n.startswith("activities/")} == {"gpx.gz", "tcx.gz", "fit.gz"}
    assert {r["Activity Type"] for r in rows} == {"Run", "Ride"}
    assert any(r["Perceived Exertion"] for r in rows) and any(not r["Perceived Exertion"] for r in rows)


# --------------------------------------------------------------------------
# the patterns the sample claims, recomputed by hand from the decoded files
# --------------------------------------------------------------------------


def _runs_by_day(acts: list[dict[str, Any]]) -> dict[dt.date, float]:
    days: dict[dt.date, float] = defaultdict(float)
    for a in acts:
        if a["sport"] == "running":
            days[a["start_local"].date()] += a["distance_m"]
    return dict(days)


def _weeks(days: dict[dt.date, float]) -> dict[dt.date, float]:
    weeks: dict[dt.date, float] = defaultdict(float)
    for day, d in days.items():
        weeks[day - dt.timedelta(days=day.weekday())] += d
    return dict(weeks)


@pytest.mark.parametrize(
    "athlete,jump_week,spike_day,streak,interval_week",
    [
        ("anna", dt.date(2025, 5, 12), dt.date(2025, 6, 1), (dt.date(2025, 5, 13), 9), dt.date(2025, 5, 19)),
        ("bram", dt.date(2025, 4, 28), dt.date(2025, 8, 2), (dt.date(2025, 4, 26), 10), dt.date(2025, 4, 14)),
    ],
)
def test_sample_has_the_patterns_it_claims(
    decoded: dict[str, list[dict[str, Any]]],
    athlete: str,
    jump_week: dt.date,
    spike_day: dt.date,
    streak: tuple[dt.date, int],
    interval_week: dt.date,
) -> None:
    acts = decoded[athlete]
    days = _runs_by_day(acts)
    weeks = _weeks(days)
    assert len(weeks) == 24 and min(weeks) == dt.date(2025, 3, 3)

    # weekly_jump (D_week / D_previous_week - 1 > 30%): exactly the ramp week
    jumps = [w for w in sorted(weeks)[1:] if weeks[w] / weeks[w - dt.timedelta(weeks=1)] - 1 > 0.30]
    assert jumps == [jump_week]

    # session_spike (> 30% beyond the longest run of the previous 30 days): the long run
    runs = sorted((a["start_local"], a["distance_m"]) for a in acts if a["sport"] == "running")
    spikes = []
    for when, dist in runs[1:]:
        window = [d for t, d in runs if when - dt.timedelta(days=30) <= t < when]
        if window and dist / max(window) - 1 > 0.30:
            spikes.append(when.date())
    assert spikes == [spike_day]
    # and the weeks after the spike are lighter
    spike_week = spike_day - dt.timedelta(days=spike_day.weekday())
    after = [weeks[spike_week + dt.timedelta(weeks=k)] for k in (1, 2) if spike_week + dt.timedelta(weeks=k) in weeks]
    assert after and max(after) < 0.6 * weeks[spike_week]

    # no_rest: 7+ consecutive running days, exactly once
    run_days = sorted(days)
    streaks, start, length = [], run_days[0], 1
    for prev, day in zip(run_days, run_days[1:]):
        if (day - prev).days == 1:
            length += 1
        else:
            streaks.append((start, length))
            start, length = day, 1
    streaks.append((start, length))
    assert [s for s in streaks if s[1] >= 7] == [streak]

    # intensity_jump: minutes at >= 80% of the highest heart rate seen (zones 4-5)
    # in the interval week, against the mean of the 3 weeks before
    hr_max = max(max(a["hr"]) for a in acts)
    high: dict[dt.date, float] = defaultdict(float)
    for a in acts:
        if a["sport"] == "running":
            week = a["start_local"].date() - dt.timedelta(days=a["start_local"].weekday())
            high[week] += sum(5 for h in a["hr"] if h >= 0.8 * hr_max) / 60
    before = [high[interval_week - dt.timedelta(weeks=k)] for k in (1, 2, 3)]
    assert min(before) > 0, "a baseline of zero would give 'no baseline', not a jump"
    assert high[interval_week] > 2.5 * (sum(before) / 3)


@pytest.mark.parametrize("athlete,spike_day", [("anna", dt.date(2025, 6, 1)), ("bram", dt.date(2025, 8, 2))])
def test_journal_pain_episode_follows_the_spike_and_fades(athlete: str, spike_day: dt.date) -> None:
    text = (SAMPLE / athlete / "pain_journal.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0] == JOURNAL_HEADER
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["timing"] for r in rows} <= set(JOURNAL_TIMINGS)
    assert {"during", "after", "next_morning"} <= {r["timing"] for r in rows}
    for r in rows:
        dt.date.fromisoformat(r["date"])
        dt.time.fromisoformat(r["time"])
        assert 0 <= int(r["pain"]) <= 10

    pain = [(dt.date.fromisoformat(r["date"]), int(r["pain"])) for r in rows]
    assert max(p for d, p in pain if d < spike_day) <= 1  # no real pain before the spike
    episode = [(d, p) for d, p in pain if p >= 3]
    assert spike_day <= episode[0][0] <= spike_day + dt.timedelta(days=1)
    assert max(p for _, p in episode) >= 5
    # it fades: the last entry is 1 or 0, at least 4 points below the peak
    last_day = max(d for d, _ in pain)
    assert max(p for d, p in pain if d == last_day) <= 1
    # pain_next_morning: 2+ points above the last entry before the previous day's run
    entries = sorted((r["date"], r["time"], r["timing"], int(r["pain"])) for r in rows)
    rises = []
    for i, (day, _, timing, p) in enumerate(entries):
        if timing != "next_morning":
            continue
        eve = (dt.date.fromisoformat(day) - dt.timedelta(days=1)).isoformat()
        runs = [j for j, e in enumerate(entries) if e[0] == eve and e[2] in ("during", "after")]
        if runs and runs[0] > 0 and p - entries[runs[0] - 1][3] >= 2:
            rises.append(day)
    assert rises
    # poor sleep and high stress are logged on some days
    assert any(r["sleep_h"] and float(r["sleep_h"]) < 7 and r["stress"] and int(r["stress"]) >= 4 for r in rows)
