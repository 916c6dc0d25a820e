"""TCX reader: every corpus TCX file, laps checked against the file's own values, hand-made cases."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conftest import corpus_rows
from runback.errors import NotAnActivityError, UnreadableFileError
from runback.io import read_tcx

TCX_ROWS = [r for r in corpus_rows() if r["format"] == "TCX"]
DATA = "corriporai-runpandas/runpandas/tests/io/data"

NS = (
    'xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2" '
    'xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2"'
)


def tcx_doc(sport: str, points: str, lap_extra: str = "") -> bytes:
    return (
        f'<?xml version="1.0"?>\n<TrainingCenterDatabase {NS}><Activities><Activity Sport="{sport}">'
        "<Id>2024-03-01T07:00:00Z</Id>"
        f'<Lap StartTime="2024-03-01T07:00:00Z"><TotalTimeSeconds>20</TotalTimeSeconds>'
        f"<DistanceMeters>50</DistanceMeters>{lap_extra}<Track>{points}</Track></Lap>"
        "<Creator><Name>Test Watch 1</Name></Creator></Activity></Activities></TrainingCenterDatabase>"
    ).encode()


def tp(t: int, distance: float, *, run_cadence: int | None = None, cadence: int | None = None) -> str:
    ext = f"<Extensions><ns3:TPX><ns3:RunCadence>{run_cadence}</ns3:RunCadence></ns3:TPX></Extensions>" if run_cadence else ""
    cad = f"<Cadence>{cadence}</Cadence>" if cadence else ""
    return (
        f"<Trackpoint><Time>2024-03-01T07:00:{t:02d}Z</Time><DistanceMeters>{distance}</DistanceMeters>"
        f"<HeartRateBpm><Value>{140 + t}</Value></HeartRateBpm>{cad}{ext}</Trackpoint>"
    )


def test_run_cadence_is_doubled_and_lap_totals_win() -> None:
    frames = read_tcx(tcx_doc("Running", tp(0, 0, run_cadence=80) + tp(10, 30, run_cadence=90) + tp(20, 50, run_cadence=85)))
    a = frames.activities.row(0, named=True)
    assert a["sport"] == "running" and a["device"] == "Test Watch 1"
    assert frames.samples["cadence_spm"].to_list() == [160, 180, 170]
    assert a["avg_cadence_spm"] == 170
    assert a["distance_m"] == 50 and a["moving_s"] == 20 and a["elapsed_s"] == 20
    assert a["avg_speed_mps"] == 2.5
    assert a["avg_hr_bpm"] == 150 and a["max_hr_bpm"] == 160
    assert a["start_time_utc"] == datetime(2024, 3, 1, 7, tzinfo=UTC)
    lap = frames.laps.row(0, named=True)
    assert lap["lap_index"] == 0 and lap["moving_s"] == 20 and lap["distance_m"] == 50
    assert lap["avg_speed_mps"] == 2.5  # no LX AvgSpeed: distance over timer time


def test_bike_cadence_is_kept() -> None:
    frames = read_tcx(tcx_doc("Biking", tp(0, 0, cadence=90) + tp(10, 80, cadence=94)))
    assert frames.activities["sport"][0] == "cycling"
    assert frames.samples["cadence_spm"].to_list() == [90, 94]


def test_course_file_is_not_an_activity() -> None:
    doc = f'<TrainingCenterDatabase {NS}><Courses><Course><Name>loop</Name></Course></Courses></TrainingCenterDatabase>'
    with pytest.raises(NotAnActivityError, match="no activities"):
        read_tcx(doc.encode())


def test_trackpoints_without_time_are_unreadable() -> None:
    doc = tcx_doc("Running", "<Trackpoint><DistanceMeters>3</DistanceMeters></Trackpoint>")
    with pytest.raises(UnreadableFileError, match="no timestamps"):
        read_tcx(doc)


def test_entities_are_refused() -> None:
    doc = b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaa">]><TrainingCenterDatabase>&a;</TrainingCenterDatabase>'
    with pytest.raises(UnreadableFileError, match="refused unsafe XML"):
        read_tcx(doc)


def test_malformed_corpus_file_names_line_and_column(corpus: Path) -> None:
    # MANIFEST.tsv: "XML parse error: ParseError: unbound prefix: line 4653, column 6"
    with pytest.raises(UnreadableFileError, match=r"malformed.tcx:4653: malformed XML: unbound prefix \(column 6\)"):
        read_tcx(corpus / DATA / "tcx/malformed.tcx")


def test_garmin_connect_laps_match_the_file(corpus: Path) -> None:
    # values read off run_garmin.tcx by eye: lap 1 StartTime 07:20:49, next lap 07:27:22,
    # TotalTimeSeconds 390, DistanceMeters 1000, HR 137/150, LX AvgSpeed 2.545, AvgRunCadence 87
    frames = read_tcx(corpus / DATA / "tcx/run_garmin.tcx")
    lap = frames.laps.row(0, named=True)
    assert lap["start_time_utc"] == datetime(2018, 11, 25, 7, 20, 49, tzinfo=UTC)
    assert lap["elapsed_s"] == 393
    assert lap["moving_s"] == 390
    assert lap["distance_m"] == 1000
    assert (lap["avg_hr_bpm"], lap["max_hr_bpm"]) == (137, 150)
    assert lap["avg_speed_mps"] == pytest.approx(2.545)
    assert lap["avg_cadence_spm"] == 174
    a = frames.activities.row(0, named=True)
    assert frames.laps.height == 3
    assert a["moving_s"] == 390 + 372 + 54  # the three laps' timer times
    assert a["device"] == "Garmin Forerunner 620"


@pytest.mark.parametrize("row", TCX_ROWS, ids=[r["path"].rsplit("/", 1)[-1] for r in TCX_ROWS])
def test_every_corpus_tcx(corpus: Path, row: dict[str, str]) -> None:
    path = corpus / row["path"]
    if "malformed XML" in row["note"]:
        with pytest.raises(UnreadableFileError) as info:
            read_tcx(path)
        assert info.value.line is not None
        return
    text = path.read_text(encoding="utf-8")
    frames = read_tcx(path)
    a = frames.activities.row(0, named=True)
    assert a["format"] == "tcx" and a["sport"] == row["sport"].lower()
    assert a["n_samples"] == int(row["n_records"]) == frames.samples.height
    assert frames.laps.height == len(re.findall(r"<Lap[\s>]", text))
    lap_distance = sum(float(x) for x in re.findall(r"</Track>\s*|<Lap[^>]*>\s*<TotalTimeSeconds>[^<]*</TotalTimeSeconds>\s*<DistanceMeters>([^<]*)<", text) if x)
    if lap_distance:
        # the watch's own total agrees with the trackpoints' cumulative distance
        assert a["distance_m"] == pytest.approx(lap_distance, rel=0.02)
    assert 0 < a["moving_s"] <= a["elapsed_s"] + 5
    if a["avg_hr_bpm"] is not None:
        assert 60 <= a["avg_hr_bpm"] <= a["max_hr_bpm"] <= 230
    if a["avg_cadence_spm"] is not None:
        assert 130 <= a["avg_cadence_spm"] <= 210  # both feet
    if row["device_or_creator"]:
        assert a["device"] and row["device_or_creator"].startswith(a["device"])
