"""Sleep and stress from a Garmin Connect export (issue 12): zipped, in a folder, twice, broken.

The export is written by the test, shaped like Garmin's: a sleep file with one
object per night, a daily summary (UDS) file with one object per day, and the
activity files in a nested UploadedFiles zip.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from runback import schema
from runback.io import read_report
from runback.io._pipeline import run_import
from runback.io.wellness import collapse_wellness, new_wellness, read_wellness, wellness_id, wellness_kind

GPX_NS = 'xmlns="http://www.topografix.com/GPX/1/1" version="1.1" creator="test"'
SLEEP = "DI_CONNECT/DI-Connect-Wellness/2022-11-01_2023-02-09_12345678_sleepData.json"
UDS = "DI_CONNECT/DI-Connect-Aggregator/UDSFile_2022-11-01_2023-02-09.json"
UPLOADS = "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip"


def night(day: str, start: str, end: str, deep: int, light: int, rem: int, awake: int, score: int | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "sleepStartTimestampGMT": start, "sleepEndTimestampGMT": end, "calendarDate": day,
        "sleepWindowConfirmationType": "ENHANCED_CONFIRMED_FINAL", "deepSleepSeconds": deep,
        "lightSleepSeconds": light, "remSleepSeconds": rem, "awakeSleepSeconds": awake,
        "unmeasurableSeconds": 0, "averageRespiration": 14.0, "awakeCount": 1, "avgSleepStress": 14.0,
    }  # fmt: skip
    if score is not None:
        out["sleepScores"] = {"overallScore": score, "qualityScore": 80, "durationScore": 85, "feedback": "POSITIVE"}
    return out


SLEEP_NIGHTS = [
    night("2022-12-09", "2022-12-08T22:41:00.0", "2022-12-09T06:12:00.0", 5400, 15060, 5940, 660, 82),
    night("2022-12-10", "2022-12-09T23:55:00.0", "2022-12-10T05:10:00.0", 2700, 12600, 2700, 900, 51),
    # off the wrist: the watch measured nothing
    {"calendarDate": "2022-12-11", "sleepWindowConfirmationType": "UNCONFIRMED", "deepSleepSeconds": 0,
     "lightSleepSeconds": 0, "remSleepSeconds": 0, "awakeSleepSeconds": 0},
]  # fmt: skip


def day_summary(day: str, rhr: int | None, stress: int) -> dict[str, Any]:
    out: dict[str, Any] = {"userProfilePK": 12345678, "calendarDate": day, "totalSteps": 10234, "minHeartRate": 45}
    if rhr is not None:
        out["restingHeartRate"] = rhr
    out["allDayStress"] = {
        "calendarDate": day,
        "aggregatorList": [
            {"type": "TOTAL", "averageStressLevel": stress, "maxStressLevel": 96},
            {"type": "AWAKE", "averageStressLevel": stress + 7, "maxStressLevel": 96},
        ],
    }
    return out


UDS_DAYS = [day_summary("2022-12-09", 48, 31), day_summary("2022-12-10", 52, 58), day_summary("2022-12-12", None, -1)]


def gpx_run() -> bytes:
    start = dt.datetime(2022, 12, 9, 15, 0, tzinfo=dt.UTC)
    points = "".join(
        f'<trkpt lat="{52.0 + i * 30 / 111_195.0}" lon="5.0">'
        f"<time>{(start + dt.timedelta(seconds=10 * i)).isoformat().replace('+00:00', 'Z')}</time></trkpt>"
        for i in range(100)
    )
    return f"<gpx {GPX_NS}><trk><type>running</type><trkseg>{points}</trkseg></trk></gpx>".encode()


def garmin_zip(path: Path, *, sleep: bytes | None = None, uds: bytes | None = None) -> Path:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("run.gpx", gpx_run())
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(UPLOADS, inner.getvalue())
        zf.writestr(SLEEP, sleep if sleep is not None else json.dumps(SLEEP_NIGHTS))
        zf.writestr(UDS, uds if uds is not None else json.dumps(UDS_DAYS))
        zf.writestr("DI_CONNECT/DI-Connect-Fitness/me_summarizedActivities.json", "[]")
    return path


EXPECTED = [
    # date, sleep_h, sleep_score, stress_avg, resting_hr_bpm
    (dt.date(2022, 12, 9), (5400 + 15060 + 5940) / 3600, 82.0, 31.0, 48.0),
    (dt.date(2022, 12, 10), (2700 + 12600 + 2700) / 3600, 51.0, 58.0, 52.0),
]


def days(wellness: pl.DataFrame) -> list[tuple[Any, ...]]:
    return wellness.select("date", "sleep_h", "sleep_score", "stress_avg", "resting_hr_bpm").rows()


def test_a_garmin_export_gives_sleep_and_stress_per_day_beside_its_activities(tmp_path: Path) -> None:
    frames, summary = read_report(garmin_zip(tmp_path / "garmin.zip"), athlete="anna")
    assert summary.failed == [] and summary.warnings == []
    assert frames.activities["format"].to_list() == ["gpx"]
    assert frames.wellness.schema == pl.Schema(schema.WELLNESS)
    assert days(frames.wellness) == EXPECTED  # the off-wrist night and the day without data are left out
    row = frames.wellness.row(0, named=True)
    assert row["athlete"] == "anna" and row["source"] == "garmin"
    assert row["sleep_start_utc"] == dt.datetime(2022, 12, 8, 22, 41, tzinfo=dt.UTC)
    assert row["wellness_id"] == wellness_id("anna", dt.date(2022, 12, 9), "garmin")
    assert summary.wellness_days == 2
    assert "wellness: 2 day(s) of sleep, stress or resting heart rate" in summary.lines()


def test_the_json_files_dropped_in_a_folder_are_read_too(tmp_path: Path) -> None:
    with zipfile.ZipFile(garmin_zip(tmp_path / "garmin.zip")) as zf:
        zf.extractall(tmp_path / "export")
    frames, summary = read_report(tmp_path / "export")
    assert summary.failed == [] and days(frames.wellness) == EXPECTED
    assert frames.activities.height == 1
    # and one file named on its own
    frames, _ = read_report(tmp_path / "export" / SLEEP)
    assert frames.wellness["sleep_score"].to_list() == [82.0, 51.0]
    assert frames.wellness["stress_avg"].to_list() == [None, None]


def test_importing_the_same_export_again_adds_nothing(tmp_path: Path) -> None:
    path = garmin_zip(tmp_path / "garmin.zip")
    first = run_import([path], athlete="anna")
    again = run_import([path], athlete="anna", kept_wellness=first.frames.wellness)
    assert first.summary.wellness_days == 2
    assert again.frames.wellness.is_empty() and again.summary.wellness_days == 0


def test_a_later_export_adds_only_new_days_and_new_values(tmp_path: Path) -> None:
    first = run_import([garmin_zip(tmp_path / "old.zip", uds=b"[]")], athlete="anna").frames.wellness
    assert first["stress_avg"].to_list() == [None, None]
    later = run_import([garmin_zip(tmp_path / "new.zip")], athlete="anna", kept_wellness=first).frames.wellness
    assert days(later) == EXPECTED  # the stress and resting heart rate complete both days
    stored = collapse_wellness(pl.concat([first, later]))
    assert days(stored) == EXPECTED and stored.height == 2


@pytest.mark.parametrize("broken", [b"{not json", b"\xff\xfe garbage", b""])
def test_an_unreadable_json_member_is_a_warning_naming_it(tmp_path: Path, broken: bytes) -> None:
    path = garmin_zip(tmp_path / "garmin.zip", sleep=broken)
    frames, summary = read_report(path)
    assert summary.failed == [] and frames.activities.height == 1
    (warning,) = summary.warnings
    assert warning.startswith(f"{path}!{SLEEP}: not readable JSON")
    assert frames.wellness["stress_avg"].to_list() == [31.0, 58.0]  # the daily summaries still count


def test_connect_api_shapes_are_read_alike() -> None:
    # Connect's own API nests the score and puts the stress at the top
    nights = [{"calendarDate": "2023-01-02", "sleepStartTimestampGMT": 1672614000000,
               "sleepEndTimestampGMT": 1672641000000, "awakeSleepSeconds": 1800,
               "sleepScores": {"overall": {"value": 77, "qualifierKey": "FAIR"}}}]  # fmt: skip
    part = read_wellness(json.dumps(nights).encode(), "x_sleepData.json")
    assert days(part.wellness) == [(dt.date(2023, 1, 2), 7.0, 77.0, None, None)]
    daily = [{"calendarDate": {"date": "2023-01-02"}, "averageStressLevel": 25, "currentDayRestingHeartRate": 50}]
    part = read_wellness(json.dumps(daily).encode(), "UDSFile_2023.json")
    assert days(part.wellness) == [(dt.date(2023, 1, 2), None, None, 25.0, 50.0)]


def test_file_kinds_by_name() -> None:
    assert wellness_kind(SLEEP) == "sleep"
    assert wellness_kind(UDS) == "daily"
    assert wellness_kind("DI_CONNECT/DI-Connect-Fitness/me_summarizedActivities.json") is None


def test_new_wellness_of_nothing_stored_is_everything_collapsed() -> None:
    part = read_wellness(json.dumps(SLEEP_NIGHTS).encode(), SLEEP).wellness
    assert new_wellness(None, pl.concat([part, part])).height == 2
