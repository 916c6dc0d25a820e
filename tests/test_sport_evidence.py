"""Sport from the evidence (issue 11): generic is a run only by its name or its cadence; GPX tracks are spans."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from runback import schema
from runback.io import read_fit, read_gpx
from runback.sports import RUN_CADENCE_SPM, running_activity

FENIX2_MULTISPORT = "dtcooper-python-fitparse/tests/files/activity-large-fenxi2-multisport.fit"
GPS_LOGGER = "tkrajina-gpxpy/test_files/cerknicko-jezero.gpx"
START = dt.datetime(2024, 3, 1, 7, 0, tzinfo=dt.UTC)


def is_run(**fields: Any) -> bool:
    row = {"activity_id": "a", "sport": "generic", "distance_m": 10_000.0, "moving_s": 3300.0, **fields}
    acts = schema.conform(pl.DataFrame([row], infer_schema_length=None), schema.ACTIVITIES)
    return bool(acts.select(running_activity()).item())


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        # an explicit FIT generic: speed alone is no evidence any more
        ({"format": "fit"}, False),
        ({"format": "fit", "avg_cadence_spm": 86.0}, True),  # per foot: 172 steps a minute
        ({"format": "fit", "avg_cadence_spm": 172.0}, True),  # both feet
        ({"format": "fit", "avg_cadence_spm": 51.5}, False),  # 103 steps a minute: a walk or a paddle
        ({"format": "fit", "avg_cadence_spm": 88.0, "distance_m": 30_000.0}, False),  # 9 m/s: a crank
        ({"format": "fit", "avg_cadence_spm": 80.0, "distance_m": None, "moving_s": None, "elapsed_s": 0.0}, False),
        ({"format": "fit", "name": "Ochtendloop"}, True),  # the name says run
        ({"format": "fit", "name": "Bike ride", "avg_cadence_spm": 86.0}, False),
        # a GPX without a type: today's speed rule, but the cadence decides where there is one
        ({"format": "gpx"}, True),
        ({"format": "gpx", "avg_cadence_spm": 56.0}, False),  # 3 m/s, but walking steps
        ({"format": "gpx", "avg_cadence_spm": 82.0, "distance_m": 5_000.0}, True),  # 1.5 m/s, running steps
        ({"format": "gpx", "distance_m": 5_000.0}, False),  # 1.5 m/s and no cadence: a walk
        # a known sport is never re-guessed
        ({"format": "fit", "sport": "cycling", "avg_cadence_spm": 86.0}, False),
        ({"format": "fit", "sport": "running"}, True),
    ],
)
def test_unknown_sports_count_as_running_on_the_evidence(fields: dict[str, Any], expected: bool) -> None:
    assert is_run(**fields) is expected


def test_running_cadence_range() -> None:
    assert RUN_CADENCE_SPM == (140.0, 220.0)


def test_the_generic_leg_of_a_multisport_file_is_not_running_load(corpus: Path) -> None:
    # 25 km at 2.1 m/s, sport generic, 51.5 per-foot cadence: once a 40 km "running day"
    acts = read_fit(corpus / FENIX2_MULTISPORT).activities
    runs = acts.filter(running_activity())
    assert acts["sport"][0] == "generic" and acts["distance_m"][0] == pytest.approx(25_072.07)
    assert runs["sport"].unique().to_list() == ["running"]
    assert runs["distance_m"].sum() == pytest.approx(2245.23 + 12740.37)


def gpx_with_cadence(cadence: float, *, speed_mps: float = 3.0, n: int = 120) -> bytes:
    deg_per_m = 1 / 111_195.0
    points = "".join(
        f'<trkpt lat="{52 + i * 5 * speed_mps * deg_per_m}" lon="5"><time>{START + dt.timedelta(seconds=5 * i):%Y-%m-%dT%H:%M:%SZ}</time>'
        f"<extensions><gpxtpx:TrackPointExtension><gpxtpx:cad>{cadence}</gpxtpx:cad></gpxtpx:TrackPointExtension></extensions></trkpt>"
        for i in range(n)
    )
    return (
        '<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">'
        f"<trk><trkseg>{points}</trkseg></trk></gpx>"
    ).encode()


def test_a_typeless_gpx_at_running_speed_with_walking_steps_is_no_run() -> None:
    acts = read_gpx(gpx_with_cadence(55.0)).activities
    assert acts["sport"].item() == "generic" and acts["avg_cadence_spm"].item() == 55.0
    assert not acts.select(running_activity()).item()
    assert read_gpx(gpx_with_cadence(85.0)).activities.select(running_activity()).item()


# --------------------------------------------------------------------------
# GPX tracks and segments are separate spans
# --------------------------------------------------------------------------
def test_a_gps_logger_file_counts_what_was_recorded_not_the_gaps(corpus: Path) -> None:
    # eight tracks (one empty) within two hours: once joined by straight lines into 13.7 km
    acts = read_gpx(corpus / GPS_LOGGER).activities
    assert acts.height == 1
    assert acts["distance_m"].item() == pytest.approx(4575.0, abs=5.0)
    assert acts["moving_s"].item() < 2000.0  # not the 4351 s that counted the gaps as moving


def two_tracks(gap_s: float) -> bytes:
    deg_per_m = 1 / 111_195.0

    def track(start: dt.datetime, lat0: float) -> str:
        pts = "".join(
            f'<trkpt lat="{lat0 + i * 30 * deg_per_m}" lon="5"><time>{start + dt.timedelta(seconds=10 * i):%Y-%m-%dT%H:%M:%SZ}</time></trkpt>'
            for i in range(60)
        )
        return f"<trk><name>Run</name><type>running</type><trkseg>{pts}</trkseg></trk>"

    second = START + dt.timedelta(seconds=590 + gap_s)
    return (
        '<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1">'
        f"{track(START, 52.0)}{track(second, 52.1)}</gpx>"  # the second starts 11 km away
    ).encode()


def test_tracks_within_the_hour_are_one_activity_without_the_gap() -> None:
    frames = read_gpx(two_tracks(gap_s=1200))
    acts = frames.activities
    assert acts.height == 1
    assert acts["distance_m"].item() == pytest.approx(2 * 59 * 30.0, rel=0.01)  # not + 11 km
    assert acts["moving_s"].item() == pytest.approx(2 * 590.0)
    assert acts["elapsed_s"].item() == pytest.approx(590 + 1200 + 590)


def test_tracks_more_than_an_hour_apart_are_separate_activities() -> None:
    data = two_tracks(gap_s=3 * 3600)
    frames = read_gpx(data)
    acts = frames.activities
    assert acts.height == 2
    base = acts["activity_id"][0]
    assert acts["activity_id"].to_list() == [base, f"{base}-1"]
    assert acts["distance_m"].to_list() == pytest.approx([59 * 30.0] * 2, rel=0.01)
    assert acts["n_samples"].to_list() == [60, 60]
    assert frames.samples.group_by("activity_id").len().sort("activity_id")["len"].to_list() == [60, 60]
    assert (acts["sport"] == "running").all()


def test_segments_of_one_track_are_separate_spans() -> None:
    deg_per_m = 1 / 111_195.0
    seg = [
        "".join(
            f'<trkpt lat="{lat0 + i * 30 * deg_per_m}" lon="5"><time>{START + dt.timedelta(seconds=t0 + 10 * i):%Y-%m-%dT%H:%M:%SZ}</time></trkpt>'
            for i in range(30)
        )
        for lat0, t0 in ((52.0, 0), (52.05, 600))
    ]
    data = (
        '<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><type>running</type>'
        f"<trkseg>{seg[0]}</trkseg><trkseg>{seg[1]}</trkseg></trk></gpx>"
    ).encode()
    acts = read_gpx(data).activities
    assert acts["distance_m"].item() == pytest.approx(2 * 29 * 30.0, rel=0.01)  # not + 5.5 km
