"""GPX reader: hand-computed tracks, every corpus GPX file, unsafe and broken XML."""

from __future__ import annotations

import gzip
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import corpus_rows
from runback.errors import NotAnActivityError, UnreadableFileError
from runback.io import read_gpx
from runback.io._common import content_id

GPX_ROWS = [r for r in corpus_rows() if r["format"] == "GPX"]

# one thousandth of a degree along the equator, metres (haversine, R = 6371008.8 m)
MILLIDEGREE_M = 6_371_008.8 * math.radians(0.001)


def gpx_doc(points: list[dict], *, kind: str | None = "running", version: str = "1.1") -> bytes:
    """A GPX document; each point: lon (deg, on the equator), t (s), and optional ele, hr, cad, speed."""
    rows = []
    for p in points:
        inner = ""
        if "ele" in p:
            inner += f"<ele>{p['ele']}</ele>"
        if "t" in p:
            inner += f"<time>2024-03-01T07:{p['t'] // 60:02d}:{p['t'] % 60:02d}Z</time>"
        if "speed" in p:
            inner += f"<speed>{p['speed']}</speed>"
        ext = "".join(f"<gpxtpx:{k}>{p[k]}</gpxtpx:{k}>" for k in ("hr", "cad") if k in p)
        if ext:
            inner += f"<extensions><gpxtpx:TrackPointExtension>{ext}</gpxtpx:TrackPointExtension></extensions>"
        rows.append(f'<trkpt lat="0" lon="{p["lon"]}">{inner}</trkpt>')
    type_el = f"<type>{kind}</type>" if kind else ""
    ns = "http://www.topografix.com/GPX/1/1" if version == "1.1" else "http://www.topografix.com/GPX/1/0"
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="{version}" creator="test watch" xmlns="{ns}" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">'
        f"<trk><name>Morning run</name>{type_el}<trkseg>{''.join(rows)}</trkseg></trk></gpx>"
    ).encode()


def test_summary_is_hand_computed() -> None:
    doc = gpx_doc(
        [
            {"lon": 0.000, "t": 0, "ele": 10, "hr": 150, "cad": 85},
            {"lon": 0.001, "t": 30, "ele": 13, "hr": 160, "cad": 90},
            {"lon": 0.002, "t": 60, "ele": 12, "hr": 170, "cad": 88},
        ]
    )
    frames = read_gpx(doc, athlete="bram")
    a = frames.activities.row(0, named=True)
    assert a["athlete"] == "bram"
    assert a["format"] == "gpx"
    assert a["sport"] == "running"
    assert a["name"] == "Morning run"
    assert a["device"] == "test watch"
    assert a["distance_m"] == pytest.approx(2 * MILLIDEGREE_M, rel=1e-9)
    assert a["elapsed_s"] == 60 and a["moving_s"] == 60
    assert a["avg_speed_mps"] == pytest.approx(2 * MILLIDEGREE_M / 60)
    assert a["avg_hr_bpm"] == 160 and a["max_hr_bpm"] == 170
    # per-foot cadence doubled: (170 + 180 + 176) / 3
    assert a["avg_cadence_spm"] == pytest.approx(526 / 3)
    # +3 m counted (>= 2 m threshold), the 1 m dip is noise
    assert a["ascent_m"] == 3 and a["descent_m"] == 0
    assert a["n_samples"] == 3
    assert a["utc_offset_source"] == "assumed_utc" and a["utc_offset_s"] == 0
    assert a["partial"] is False
    s = frames.samples
    assert s["elapsed_s"].to_list() == [0, 30, 60]
    assert s["cadence_spm"].to_list() == [170, 180, 176]
    assert s["distance_m"].to_list() == pytest.approx([0, MILLIDEGREE_M, 2 * MILLIDEGREE_M])
    assert s["activity_id"].unique().to_list() == [a["activity_id"]]
    assert frames.laps.is_empty()


def test_standing_still_is_not_moving_time() -> None:
    doc = gpx_doc(
        [
            {"lon": 0.000, "t": 0},
            {"lon": 0.001, "t": 30},
            {"lon": 0.001, "t": 90},  # a minute at the traffic light
            {"lon": 0.002, "t": 120},
        ]
    )
    a = read_gpx(doc).activities.row(0, named=True)
    assert a["elapsed_s"] == 120
    assert a["moving_s"] == 60
    assert a["avg_speed_mps"] == pytest.approx(2 * MILLIDEGREE_M / 60)


def test_cycling_cadence_is_kept_as_rpm() -> None:
    doc = gpx_doc([{"lon": 0, "t": 0, "cad": 90}, {"lon": 0.001, "t": 10, "cad": 92}], kind="Biking")
    a = read_gpx(doc).activities.row(0, named=True)
    assert a["sport"] == "cycling"
    assert a["avg_cadence_spm"] == 91


def test_gpx_1_0_speed() -> None:
    doc = gpx_doc([{"lon": 0, "t": 0, "speed": 3.0}, {"lon": 0.001, "t": 30, "speed": 3.5}], kind=None, version="1.0")
    frames = read_gpx(doc)
    assert frames.activities["sport"][0] == "generic"  # GPX 1.0 tracks have no <type>
    assert frames.samples["speed_mps"].to_list() == [3.0, 3.5]


@pytest.mark.parametrize("label", ["9", "running", "run", "Running"])
def test_sport_labels_mean_running(label: str) -> None:
    doc = gpx_doc([{"lon": 0, "t": 0}, {"lon": 0.001, "t": 30}], kind=label)
    assert read_gpx(doc).activities["sport"][0] == "running"


def test_gzip_gives_the_same_activity_id(tmp_path: Path) -> None:
    doc = gpx_doc([{"lon": 0, "t": 0}, {"lon": 0.001, "t": 30}])
    path = tmp_path / "run.gpx.gz"
    path.write_bytes(gzip.compress(doc))
    frames = read_gpx(path)
    assert frames.activities["activity_id"][0] == content_id(doc) == read_gpx(doc).activities["activity_id"][0]
    assert frames.activities["source"][0] == str(path)


def test_billion_laughs_is_refused() -> None:
    entities = "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    )
    doc = (
        '<?xml version="1.0"?>\n<!DOCTYPE gpx [<!ENTITY lol0 "lol">' + entities + "]>\n"
        '<gpx version="1.1"><trk><name>&lol9;</name></trk></gpx>'
    ).encode()
    with pytest.raises(UnreadableFileError, match="refused unsafe XML"):
        read_gpx(doc)


def test_external_entity_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("s3cret-token")
    doc = (
        f'<?xml version="1.0"?>\n<!DOCTYPE gpx [<!ENTITY x SYSTEM "{secret.as_uri()}">]>\n'
        '<gpx version="1.1"><trk><name>&x;</name><trkseg>'
        '<trkpt lat="0" lon="0"><time>2024-01-01T00:00:00Z</time></trkpt></trkseg></trk></gpx>'
    ).encode()
    with pytest.raises(UnreadableFileError, match="refused unsafe XML") as info:
        read_gpx(doc)
    assert "s3cret" not in str(info.value)


def test_malformed_xml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.gpx"
    path.write_bytes(b'<?xml version="1.0"?>\n<gpx version="1.1">\n<trk>\n<trkseg>\n</trk>\n</gpx>\n')
    with pytest.raises(UnreadableFileError) as info:
        read_gpx(path)
    assert info.value.line == 5
    assert str(info.value).startswith(f"{path}:5: malformed XML: mismatched tag")


def test_no_timestamps_is_unreadable() -> None:
    with pytest.raises(UnreadableFileError, match="no timestamps"):
        read_gpx(gpx_doc([{"lon": 0}, {"lon": 0.001}]))


def test_route_only_is_not_an_activity() -> None:
    doc = b'<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><rte><rtept lat="1" lon="2"/></rte></gpx>'
    with pytest.raises(NotAnActivityError, match="no track points"):
        read_gpx(doc)


def test_a_tcx_file_named_gpx_is_refused() -> None:
    with pytest.raises(UnreadableFileError, match="not a GPX document"):
        read_gpx(b"<TrainingCenterDatabase/>")


def _timed_points(path: Path) -> tuple[int, int]:
    """(track points, track points with a <time>) by a plain ElementTree pass."""
    root = ET.parse(path).getroot()
    points = [e for e in root.iter() if e.tag.rsplit("}", 1)[-1] == "trkpt"]
    timed = [p for p in points if any(c.tag.rsplit("}", 1)[-1] == "time" for c in p)]
    return len(points), len(timed)


# Every point of Mojstrovka.gpx is dated 1901-12-13 (a 32-bit clock's -2**31 s): refused (issue 11).
_IMPOSSIBLE_DATES = {"Mojstrovka.gpx"}


@pytest.mark.parametrize("row", GPX_ROWS, ids=[r["path"].rsplit("/", 1)[-1] for r in GPX_ROWS])
def test_every_corpus_gpx(corpus: Path, row: dict[str, str]) -> None:
    path = corpus / row["path"]
    n_points, n_timed = _timed_points(path)
    if n_points == 0:
        with pytest.raises(NotAnActivityError, match="no track points"):
            read_gpx(path)
        return
    if n_timed == 0:
        with pytest.raises(UnreadableFileError, match="no timestamps"):
            read_gpx(path)
        return
    if path.name in _IMPOSSIBLE_DATES:
        with pytest.raises(UnreadableFileError, match="refused: every record is dated in year 1901"):
            read_gpx(path)
        return
    frames = read_gpx(path)
    a = frames.activities.row(0, named=True)
    assert frames.activities.height == 1
    assert a["n_samples"] == n_timed == frames.samples.height
    assert (n_points > n_timed) == bool(frames.warnings)
    assert a["start_time_utc"] == frames.samples["timestamp_utc"].min()
    assert frames.samples["timestamp_utc"].is_sorted()
    assert 0 <= a["moving_s"] <= a["elapsed_s"] + 1e-9
    if a["distance_m"] is not None:
        assert a["distance_m"] >= 0
    if a["avg_hr_bpm"] is not None:
        assert 40 <= a["avg_hr_bpm"] <= a["max_hr_bpm"] <= 230
    if a["sport"] == "running" and a["avg_cadence_spm"] is not None:
        assert 120 <= a["avg_cadence_spm"] <= 220  # steps per minute, both feet
    if row["sport"].startswith("running") and "gpx.py" not in row["device_or_creator"]:
        assert a["sport"] == "running"
