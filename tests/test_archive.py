"""Archives and bulk exports, built at test time from corpus files (never committed)."""

from __future__ import annotations

import gzip
import io
import os
import zipfile
from pathlib import Path

import polars as pl
import pytest

from runback.io import read, read_report
from runback.io.archive import file_kind, strava_metadata

DATA = "corriporai-runpandas/runpandas/tests/io/data"
STRAVA_HEADER = (
    "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,Distance,"
    "Filename,Elapsed Time,Distance,Perceived Exertion\n"
)  # Strava repeats column names; the first of each counts


def strava_zip(corpus: Path, path: Path) -> Path:
    csv = STRAVA_HEADER + (
        '101,"Jan 10, 2021",Zondagloop,Run,,5127,12.6,activities/101.gpx.gz,5127,12594.6,7\n'
        '102,"Nov 25, 2018",Intervals,Trail Run,,821,2.1,activities/102.tcx.gz,821,2153.6,\n'
        '103,"Nov 26, 2018",Gym,Weight Training,,3600,0,,3600,0,5\n'
    )
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("activities.csv", csv)
        zf.writestr("activities/101.gpx.gz", gzip.compress((corpus / DATA / "gpx/stopped_example.gpx").read_bytes()))
        zf.writestr("activities/102.tcx.gz", gzip.compress((corpus / DATA / "tcx/run_garmin.tcx").read_bytes()))
        zf.writestr("profile.json", "{}")
        zf.writestr("media/photo.jpg", b"\xff\xd8\xff\xe0 not really a jpeg")
        zf.writestr("routes/", b"")
    return path


def garmin_zip(corpus: Path, path: Path) -> Path:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("basic.tcx", (corpus / DATA / "tcx/basic.tcx").read_bytes())
        zf.writestr("run.gpx", (corpus / DATA / "gpx/run.gpx").read_bytes())
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip", inner.getvalue())
        zf.writestr("DI_CONNECT/DI-Connect-Fitness/me_summarizedActivities.json", "[]")
        zf.writestr("DI_CONNECT/DI-Connect-User/user_profile.json", "{}")
    return path


def test_file_kinds() -> None:
    assert file_kind("a/b/RUN.FIT") == "activity"
    assert file_kind("123.gpx.gz") == "activity"
    assert file_kind("x.tcx") == "activity"
    assert file_kind("export.zip") == "archive"
    assert file_kind("activities.csv") == "ignore"
    assert file_kind("photo.JPG") == "ignore"
    assert file_kind("LICENSE") == "ignore"
    assert file_kind("track.kml") == "unknown"


def test_strava_metadata_uses_first_of_repeated_columns() -> None:
    meta = strava_metadata((STRAVA_HEADER + "1,d,Run name,Run,,10,1.0,activities/1.fit.gz,10,1000,6\n").encode())
    assert meta == {"activities/1.fit.gz": {"name": "Run name", "type": "Run", "rpe": 6.0}}


def test_strava_export_joins_name_type_and_exertion(corpus: Path, tmp_path: Path) -> None:
    path = strava_zip(corpus, tmp_path / "export_1234.zip")
    before = sorted(os.listdir(tmp_path))
    frames, summary = read_report(path)
    assert sorted(os.listdir(tmp_path)) == before  # nothing extracted to disk
    assert summary.failed == [] and summary.skipped == []
    assert len(summary.imported) == 2
    # row 103 has no file: an activity typed in by hand (issue 12), checked on its own below
    manual = frames.activities.filter(format="manual")
    assert manual.select("name", "sport", "sub_sport", "elapsed_s", "rpe", "n_samples").row(0) == (
        "Gym", "training", "strength_training", 3600.0, 5.0, 0,
    )
    assert summary.manual_activity_ids == manual["activity_id"].to_list()
    acts = frames.activities.filter(pl.col("format") != "manual").sort("start_time_utc")
    assert acts["name"].to_list() == ["Intervals", "Zondagloop"]
    assert acts["sport"].to_list() == ["running", "running"]
    assert acts["sub_sport"].to_list() == ["trail", None]
    assert acts["rpe"].to_list() == [None, 7.0]
    assert acts["source"].to_list() == [f"{path}!activities/102.tcx.gz", f"{path}!activities/101.gpx.gz"]
    assert frames.laps.height == 3  # run_garmin.tcx's laps


def test_unzipped_strava_export_folder(corpus: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(strava_zip(corpus, tmp_path / "export.zip")) as zf:
        zf.extractall(tmp_path / "export")
    frames = read(tmp_path / "export")
    files = frames.activities.filter(pl.col("format") != "manual")  # and the typed-in Gym session
    assert frames.activities.filter(format="manual")["name"].to_list() == ["Gym"]
    assert sorted(files["name"].to_list()) == ["Intervals", "Zondagloop"]
    assert frames.activities.filter(rpe=7.0).height == 1


def test_garmin_export_nested_zips(corpus: Path, tmp_path: Path) -> None:
    path = garmin_zip(corpus, tmp_path / "garmin_export.zip")
    frames, summary = read_report(path)
    assert summary.failed == []
    # basic.tcx (2012) and run.gpx (2017) are different runs
    assert sorted(frames.activities["format"].to_list()) == ["gpx", "tcx"]
    inner = f"{path}!DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip"
    assert sorted(frames.activities["source"].to_list()) == [f"{inner}!basic.tcx", f"{inner}!run.gpx"]


def test_corrupt_zip_and_member_fail_alone(corpus: Path, tmp_path: Path) -> None:
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04 this is not a zip")
    good = strava_zip(corpus, tmp_path / "good.zip")
    frames, summary = read_report([tmp_path / "broken.zip", good])
    assert [n.path for n in summary.failed] == [str(tmp_path / "broken.zip")]
    assert "zip" in summary.failed[0].reason
    assert frames.activities.filter(pl.col("format") != "manual").height == 2  # plus the typed-in Gym session


def test_gz_of_each_format(corpus: Path, tmp_path: Path) -> None:
    for name in ("gpx/stopped_example.gpx", "tcx/basic.tcx"):
        src = corpus / DATA / name
        (tmp_path / (src.name + ".gz")).write_bytes(gzip.compress(src.read_bytes()))
    frames, summary = read_report(tmp_path)
    assert summary.failed == []
    assert sorted(frames.activities["format"].to_list()) == ["gpx", "tcx"]


@pytest.mark.parametrize("name", ["notes.kml", "data.xyz"])
def test_unknown_extension_in_a_folder_fails_but_obvious_non_activities_are_ignored(
    corpus: Path, tmp_path: Path, name: str
) -> None:
    (tmp_path / name).write_text("?")
    (tmp_path / "README.md").write_text("my runs")
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8")
    (tmp_path / "run.tcx").write_bytes((corpus / DATA / "tcx/basic.tcx").read_bytes())
    frames, summary = read_report(tmp_path)
    assert frames.activities.height == 1
    assert [n.path for n in summary.failed] == [str(tmp_path / name)]
    assert "unsupported file type" in summary.failed[0].reason


def test_unknown_strava_type_keeps_the_files_sport(corpus: Path, tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("activities.csv", STRAVA_HEADER + "1,d,Ochtendloop,Hardlopen,,1,1,activities/1.tcx,1,1,\n")
        zf.writestr("activities/1.tcx", (corpus / DATA / "tcx/run_garmin.tcx").read_bytes())
    a = read(path).activities.row(0, named=True)
    assert (a["name"], a["sport"]) == ("Ochtendloop", "running")


def fit_available() -> None:
    pytest.importorskip("runback.io.fit", reason="runback.io.fit not merged yet")


def test_strava_export_with_fit(corpus: Path, tmp_path: Path) -> None:
    fit_available()
    path = tmp_path / "export.zip"
    fit = corpus / DATA / "fit/run.fit"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("activities.csv", STRAVA_HEADER + "7,d,Rondje park,Run,,1,1,activities/7.fit.gz,1,1,4\n")
        zf.writestr("activities/7.fit.gz", gzip.compress(fit.read_bytes()))
        zf.writestr("activities/7.json", "{}")
    frames, summary = read_report(path)
    assert summary.failed == [] and len(summary.imported) == 1
    a = frames.activities.row(0, named=True)
    assert (a["format"], a["name"], a["sport"], a["rpe"]) == ("fit", "Rondje park", "running", 4.0)
    assert a["source"] == f"{path}!activities/7.fit.gz"
    assert frames.samples.height == a["n_samples"] > 1000


def test_garmin_export_with_fit_files_in_nested_zips(corpus: Path, tmp_path: Path) -> None:
    fit_available()
    files = corpus / "dtcooper-python-fitparse/tests/files"
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("activity-small-fenix2-run.fit", (files / "activity-small-fenix2-run.fit").read_bytes())
        zf.writestr("Settings.fit", (files / "Settings.fit").read_bytes())  # not an activity: skipped
    path = tmp_path / "garmin.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip", inner.getvalue())
        zf.writestr("DI_CONNECT/DI-Connect-Fitness/summary.json", "[]")
    frames, summary = read_report(path)
    assert summary.failed == [] and len(summary.imported) == 1
    assert [n.path.rsplit("!", 1)[-1] for n in summary.skipped] == ["Settings.fit"]
    assert frames.activities["format"].to_list() == ["fit"]
