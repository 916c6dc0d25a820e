"""One set of sport constants: every format treats a sport's cadence alike."""

from __future__ import annotations

import struct
from datetime import UTC, datetime, timedelta

import pytest
from fitparse.profile import FIELD_TYPES
from fitparse.records import Crc

from runback.io import read_fit, read_gpx, read_tcx
from runback.io._fitdecoded import FIT_EPOCH_UNIX_S
from runback.sports import FOOT_SPORTS, GENERIC, known_sport, sport_name

START = datetime(2025, 5, 4, 7, 30, tzinfo=UTC)
PER_FOOT = [80, 85, 90]  # what the files store: strides (or crank revolutions) per minute
FIT_SPORT = {name: number for number, name in FIELD_TYPES["sport"].values.items()}


def _fit_message(local: int, mesg_num: int, fields: list[tuple[int, int, int]], fmt: str, *rows: tuple[int, ...]) -> bytes:
    definition = bytes([0x40 | local, 0, 0]) + struct.pack("<HB", mesg_num, len(fields))
    definition += b"".join(bytes(f) for f in fields)
    return definition + b"".join(bytes([local]) + struct.pack(fmt, *row) for row in rows)


def fit_file(sport: str) -> bytes:
    """A FIT activity: file_id, one record a second with a per-foot cadence, a session."""
    t0 = int(START.timestamp()) - FIT_EPOCH_UNIX_S
    body = _fit_message(0, 0, [(0, 1, 0x00)], "<B", (4,))  # file_id: type activity
    # record: timestamp (date_time), cadence (uint8, rpm)
    body += _fit_message(1, 20, [(253, 4, 0x86), (4, 1, 0x02)], "<IB", *[(t0 + i, c) for i, c in enumerate(PER_FOOT)])
    # session: timestamp, start_time, total_elapsed_time (ms), sport, avg_cadence (rpm)
    body += _fit_message(
        2, 18, [(253, 4, 0x86), (2, 4, 0x86), (7, 4, 0x86), (5, 1, 0x00), (18, 1, 0x02)], "<IIIBB",
        (t0 + 2, t0, 2000, FIT_SPORT[sport], sum(PER_FOOT) // len(PER_FOOT)),
    )
    header = struct.pack("<BBHI4s", 14, 0x20, 2093, len(body), b".FIT")
    whole = header + struct.pack("<H", Crc.calculate(header)) + body
    return whole + struct.pack("<H", Crc.calculate(whole))


def _iso(i: int) -> str:
    return (START + timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%SZ")


def gpx_file(sport: str) -> bytes:
    points = "".join(
        f'<trkpt lat="52.0" lon="{5.0 + i / 10000}"><time>{_iso(i)}</time><extensions>'
        f"<gpxtpx:TrackPointExtension><gpxtpx:cad>{cad}</gpxtpx:cad></gpxtpx:TrackPointExtension>"
        "</extensions></trkpt>"
        for i, cad in enumerate(PER_FOOT)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><gpx version="1.1" creator="test" '
        'xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">'
        f"<trk><type>{sport}</type><trkseg>{points}</trkseg></trk></gpx>"
    ).encode()


def tcx_file(sport: str) -> bytes:
    points = "".join(
        f"<Trackpoint><Time>{_iso(i)}</Time><Cadence>{cad}</Cadence></Trackpoint>" for i, cad in enumerate(PER_FOOT)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><TrainingCenterDatabase '
        'xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">'
        f'<Activities><Activity Sport="{sport}"><Id>{_iso(0)}</Id><Lap StartTime="{_iso(0)}">'
        f"<TotalTimeSeconds>2</TotalTimeSeconds><Track>{points}</Track></Lap></Activity></Activities>"
        "</TrainingCenterDatabase>"
    ).encode()


@pytest.mark.parametrize("sport", ["running", "walking", "hiking", "cycling"])
def test_fit_gpx_and_tcx_agree_on_cadence(sport: str) -> None:
    # FIT and GPX used to disagree on hiking: GPX doubled its cadence, FIT did not
    frames = {
        "fit": read_fit(fit_file(sport)),
        "gpx": read_gpx(gpx_file(sport)),
        "tcx": read_tcx(tcx_file(sport)),
    }
    factor = 2 if sport in FOOT_SPORTS else 1
    for fmt, f in frames.items():
        assert f.activities["sport"].to_list() == [sport], fmt
        assert f.samples["cadence_spm"].to_list() == [c * factor for c in PER_FOOT], fmt
        assert f.activities["avg_cadence_spm"].to_list() == [85.0 * factor], fmt


def test_foot_sports_are_fit_sport_names() -> None:
    # FIT files name their sport by the profile's enum; a misspelt name would never match
    assert FOOT_SPORTS <= set(FIT_SPORT)


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Running", ("running", None)),
        ("9", ("running", None)),
        ("Trail Run", ("running", "trail")),
        ("Hike", ("hiking", None)),
        ("Biking", ("cycling", None)),
        (None, (GENERIC, None)),
        ("  ", (GENERIC, None)),
        ("Stand Up Paddling", ("stand_up_paddling", None)),
    ],
)
def test_sport_name(label: str | None, expected: tuple[str, str | None]) -> None:
    assert sport_name(label) == expected


def test_known_sport_leaves_unknown_labels_alone() -> None:
    assert known_sport(" Ride ") == ("cycling", None)
    assert known_sport("Kitesurf") is None
    assert known_sport(None) is None
