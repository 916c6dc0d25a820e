"""Plausibility gates at import (issue 11): impossible values are refused or dropped, never stored."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from runback import open_store
from runback.errors import UnreadableFileError
from runback.io import read_gpx, read_report
from runback.io._plausible import MAX_RUN_SPEED_MPS, check_frames, clean_samples

GPX_NS = 'version="1.1" xmlns="http://www.topografix.com/GPX/1/1"'
TCX_NS = 'xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"'
START = dt.datetime(2024, 3, 1, 7, 0, tzinfo=dt.UTC)
FIT_EPOCH_UNIX_S = 631065600


def gpx(points: list[tuple[float, float, dt.datetime]], *, sport: str = "running") -> str:
    body = "".join(f'<trkpt lat="{lat}" lon="{lon}"><time>{t.isoformat().replace("+00:00", "Z")}</time></trkpt>' for lat, lon, t in points)
    return f"<gpx {GPX_NS}><trk><type>{sport}</type><trkseg>{body}</trkseg></trk></gpx>"


def jog(n: int = 60, *, start: dt.datetime = START, step_s: int = 10, speed_mps: float = 3.0) -> list[tuple[float, float, dt.datetime]]:
    """A straight run north: ``speed_mps`` for ``n`` points ``step_s`` apart."""
    deg_per_m = 1 / 111_195.0
    return [(52.0 + i * step_s * speed_mps * deg_per_m, 5.0, start + dt.timedelta(seconds=i * step_s)) for i in range(n)]


def import_one(tmp_path: Path, name: str, text: str | bytes) -> tuple[pl.DataFrame, list[str], list[str]]:
    """Import one file into a fresh store: (stored activities, failure lines, warnings)."""
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    store = open_store(tmp_path / "store")
    summary = store.import_paths(path, athlete="x")
    return store.activities(), [str(n) for n in summary.failed], summary.warnings


# --------------------------------------------------------------------------
# dates
# --------------------------------------------------------------------------
@pytest.mark.parametrize(("year", "why"), [(9999, "more than a day in the future"), (1, "before 1989")])
def test_a_file_dated_in_an_impossible_year_is_refused(tmp_path: Path, year: int, why: str) -> None:
    text = gpx(jog(start=START.replace(year=year)))
    acts, failed, _ = import_one(tmp_path, f"year{year}.gpx", text)
    assert acts.is_empty()
    (line,) = failed
    assert line.startswith(str(tmp_path / f"year{year}.gpx")) and "refused" in line
    assert f"year {year}, {why}" in line


def test_a_few_records_dated_in_the_future_are_dropped_with_a_warning(tmp_path: Path) -> None:
    points = jog()
    points[30] = (points[30][0], points[30][1], START.replace(year=9999))
    acts, failed, warnings = import_one(tmp_path, "glitch.gpx", gpx(points))
    assert failed == [] and acts.height == 1
    assert acts["n_samples"].item() == 59
    assert acts["elapsed_s"].item() == pytest.approx(590.0)  # not 7975 years
    assert any("dropped 1 record(s) dated more than a day in the future" in w for w in warnings)


def test_a_start_before_1989_is_refused_even_when_the_records_are_fine() -> None:
    frames = read_gpx(gpx(jog()).encode())
    bad = frames.activities.with_columns(start_time_utc=pl.lit(dt.datetime(1970, 1, 1, tzinfo=dt.UTC)))
    with pytest.raises(UnreadableFileError, match="refused: starts in year 1970, before 1989"):
        check_frames(type(frames)(bad, frames.samples, frames.laps), "x.gpx")


# --------------------------------------------------------------------------
# positions
# --------------------------------------------------------------------------
def test_a_point_outside_the_globe_is_dropped_not_run_to(tmp_path: Path) -> None:
    points = jog()
    points[20] = (999.0, points[20][1], points[20][2])  # latitude 999: once an 11,000 km run
    acts, failed, warnings = import_one(tmp_path, "lat999.gpx", gpx(points))
    assert failed == []
    assert acts["distance_m"].item() == pytest.approx(59 * 30.0, rel=0.01)
    assert any("dropped 1 record(s) with a position outside the globe" in w for w in warnings)


def test_a_track_wholly_outside_the_globe_is_refused(tmp_path: Path) -> None:
    points = [(999.0, lon, t) for _, lon, t in jog()]
    acts, failed, _ = import_one(tmp_path, "nowhere.gpx", gpx(points))
    assert acts.is_empty()
    (line,) = failed
    assert "refused: every position lies outside the globe (latitude 999.0" in line


# --------------------------------------------------------------------------
# durations, distances, speeds
# --------------------------------------------------------------------------
def tcx(total_time_s: str, distance_m: str = "1000") -> str:
    points = "".join(
        f"<Trackpoint><Time>2024-03-01T07:{m:02d}:00Z</Time><DistanceMeters>{m * 200}</DistanceMeters></Trackpoint>"
        for m in range(6)
    )
    return (
        f'<TrainingCenterDatabase {TCX_NS}><Activities><Activity Sport="Running"><Id>2024-03-01T07:00:00Z</Id>'
        f'<Lap StartTime="2024-03-01T07:00:00Z"><TotalTimeSeconds>{total_time_s}</TotalTimeSeconds>'
        f"<DistanceMeters>{distance_m}</DistanceMeters><Track>{points}</Track></Lap></Activity></Activities>"
        "</TrainingCenterDatabase>"
    )


def test_a_negative_moving_time_is_refused(tmp_path: Path) -> None:
    acts, failed, _ = import_one(tmp_path, "negative.tcx", tcx("-300"))
    assert acts.is_empty()
    (line,) = failed
    assert line == f"{tmp_path / 'negative.tcx'}: refused: moving time is -300"


def test_an_infinite_moving_time_is_refused(tmp_path: Path) -> None:
    _, failed, _ = import_one(tmp_path, "inf.tcx", tcx("INF"))
    assert failed == [f"{tmp_path / 'inf.tcx'}: refused: moving time is inf"]


def test_a_run_faster_than_any_runner_for_a_minute_is_refused(tmp_path: Path) -> None:
    # 15 m/s for 10 minutes: the watch went on in a car
    acts, failed, _ = import_one(tmp_path, "car.gpx", gpx(jog(speed_mps=15.0)))
    assert acts.is_empty()
    (line,) = failed
    assert "refused: a running at 15.0 m/s (54 km/h) for 60 s or more" in line
    assert f"({MAX_RUN_SPEED_MPS:g} m/s)" in line


def test_a_gps_jump_of_a_few_seconds_is_not_sustained(tmp_path: Path) -> None:
    points = jog(step_s=1, n=600)
    lat, lon, t = points[300]
    points[300] = (lat + 0.001, lon, t)  # 111 m off for one second, then back
    acts, failed, _ = import_one(tmp_path, "jump.gpx", gpx(points))
    assert failed == [] and acts.height == 1


def test_a_fast_ride_is_not_a_run() -> None:
    frames = read_gpx(gpx(jog(speed_mps=15.0), sport="cycling").encode())
    assert check_frames(frames, "ride.gpx") is frames


# --------------------------------------------------------------------------
# FIT: device-relative times, repeated records
# --------------------------------------------------------------------------
def fit_file(timestamps_fit_s: list[int]) -> bytes:
    fit_tool = pytest.importorskip("fit_tool")
    from fit_tool.fit_file_builder import FitFileBuilder
    from fit_tool.profile.messages.file_id_message import FileIdMessage
    from fit_tool.profile.messages.record_message import RecordMessage
    from fit_tool.profile.profile_type import FileType, Manufacturer

    assert fit_tool
    builder = FitFileBuilder(auto_define=True)
    file_id = FileIdMessage()
    file_id.type = FileType.ACTIVITY
    file_id.manufacturer = Manufacturer.DEVELOPMENT.value
    file_id.product = 0
    file_id.serial_number = 1
    builder.add(file_id)
    for i, ts in enumerate(timestamps_fit_s):
        record = RecordMessage()
        record.timestamp = (ts + FIT_EPOCH_UNIX_S) * 1000
        record.distance = 3.0 * i
        record.heart_rate = 140
        builder.add(record)
    data: bytes = builder.build().to_bytes()
    return data


def test_device_relative_fit_times_are_refused(tmp_path: Path) -> None:
    # seconds since power-on (< 0x10000000): no date; once a 31-year report
    acts, failed, _ = import_one(tmp_path, "fr70.fit", fit_file(list(range(5000, 5600, 10))))
    assert acts.is_empty()
    (line,) = failed
    assert "refused: its timestamps count from the device's power-on" in line


def test_device_relative_records_among_dated_ones_are_dropped(tmp_path: Path) -> None:
    dated = int((START.timestamp()) - FIT_EPOCH_UNIX_S)
    stamps = [dated + 10 * i for i in range(50)] + [700, 710]
    acts, failed, warnings = import_one(tmp_path, "mixed.fit", fit_file(stamps))
    assert failed == [] and acts["n_samples"].item() == 50
    assert acts["start_time_utc"].item() == START
    assert any("dropped 2 record(s) timed from the device's power-on" in w for w in warnings)


def test_a_repeated_chained_part_is_collapsed(corpus: Path) -> None:
    # activity-activity-filecrc.fit repeats its 14 records in a second chained part: 28 samples, 14 times
    path = corpus / "dtcooper-python-fitparse/tests/files/activity-activity-filecrc.fit"
    frames, summary = read_report(path)
    assert summary.failed == []
    assert frames.samples.height == 14 == frames.samples["timestamp_utc"].n_unique()
    assert frames.activities["n_samples"].item() == 14


def test_two_records_in_one_second_become_one_with_both_values() -> None:
    t = dt.datetime(2024, 3, 1, 7, 0, tzinfo=dt.UTC)
    samples = pl.DataFrame(
        {
            "activity_id": ["a", "a", "a"],
            "timestamp_utc": [t, t, t + dt.timedelta(seconds=1)],
            "heart_rate_bpm": [None, 140.0, 141.0],
            "lat_deg": [52.0, None, 52.0001],
            "lon_deg": [5.0, None, 5.0],
        }
    )
    from runback.io._plausible import collapse_repeated_times

    out, merged = collapse_repeated_times(samples)
    assert merged == 1
    assert out.rows() == [("a", t, 140.0, 52.0, 5.0), ("a", t + dt.timedelta(seconds=1), 141.0, 52.0001, 5.0)]


def test_clean_samples_keeps_good_records_untouched() -> None:
    samples = pl.DataFrame({"timestamp_utc": [START], "lat_deg": [52.0], "lon_deg": [5.0]})
    out, warnings = clean_samples(samples, "x.gpx")
    assert out.equals(samples) and warnings == []
