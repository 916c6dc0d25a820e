"""read_fit on every FIT file of the real-data corpus, hand-checked values, and bad input."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import polars as pl
import pytest
from conftest import corpus_rows

from runback import schema
from runback.errors import NotAnActivityError, UnreadableFileError
from runback.io._common import content_id
from runback.io.fit import read_fit, read_fit_many

FIT_ROWS = [r for r in corpus_rows() if r["format"] == "FIT"]

# MANIFEST notes that mark a file whose end does not decode: we keep what
# decodes before the break and mark the activity partial.
_PARTIAL_NOTES = ("corrupt:", "truncated", "bad file CRC", "corrupt header", "no data (EOF)", "undefined local message")
# Decision (the MANIFEST lists it as an activity with 3 records): the SDK's
# DeveloperData.fit has records without any timestamp, so nothing can be placed in time.
_NO_TIMESTAMPS = {"DeveloperData.fit"}
# Forerunner 70-era files time every record from the device's power-on: no date, refused (issue 11).
_DEVICE_RELATIVE = {"antfs-dump.63.fit", "compressed-speed-distance.fit"}
# Records no watch can have written, dropped with a warning: a broken Strava file's last record
# is dated more than a day in the future.
_IMPOSSIBLE_RECORDS = {"strava-android-app-201.10-b1218918.fit": 1}


def _non_activity_type(row: dict[str, str]) -> str | None:
    m = re.search(r"non-activity file type: (\w+)", row["note"])
    return m.group(1) if m else None


def _is_partial(row: dict[str, str]) -> bool:
    return any(k in row["note"] for k in _PARTIAL_NOTES)


@pytest.mark.parametrize("row", FIT_ROWS, ids=[r["path"].rsplit("/", 1)[-1] for r in FIT_ROWS])
def test_every_corpus_fit_file(corpus: Path, row: dict[str, str]) -> None:
    path = corpus / row["path"]
    ftype = _non_activity_type(row)
    if ftype is not None:
        with pytest.raises(NotAnActivityError, match=rf"file type: {ftype}") as info:
            read_fit(path)
        assert info.value.path == str(path)
        return
    if path.name in _NO_TIMESTAMPS:
        with pytest.raises(UnreadableFileError, match="no timestamps"):
            read_fit(path)
        return
    if path.name in _DEVICE_RELATIVE:
        with pytest.raises(UnreadableFileError, match="refused: .*power-on"):
            read_fit(path)
        return

    frames = read_fit(path, athlete="anna")
    acts, samples = frames.activities, frames.samples
    assert acts.schema == pl.Schema(schema.ACTIVITIES)
    assert samples.schema == pl.Schema(schema.SAMPLES)
    assert frames.laps.schema == pl.Schema(schema.LAPS)
    assert acts.height >= 1
    # Record counts agree with fitdecode's (MANIFEST n_records; partial where the file breaks),
    # less the impossible records dropped (issue 11).
    assert samples.height == int(row["n_records"]) - _IMPOSSIBLE_RECORDS.get(path.name, 0)
    assert acts["n_samples"].sum() == samples.height
    assert acts["athlete"].unique().to_list() == ["anna"]
    assert acts["format"].unique().to_list() == ["fit"]
    base = content_id(path.read_bytes())
    assert acts["activity_id"].to_list() == [base] + [f"{base}-{i}" for i in range(1, acts.height)]
    assert set(samples["activity_id"].unique()) <= set(acts["activity_id"])

    # Sports are MANIFEST's (fitdecode's) sports, lower-case FIT names.
    manifest_sports = {tok.split("/")[0] for tok in row["sport"].split("+") if tok}
    if manifest_sports:
        assert set(acts["sport"]) <= manifest_sports | {"generic"}

    partial = _is_partial(row)
    assert acts["partial"].to_list() == [partial] * acts.height
    if partial:
        assert acts["partial_reason"].null_count() == 0
        assert any(str(path) in w for w in frames.warnings)
    else:
        assert acts["partial_reason"].null_count() == acts.height

    # Plausible values.
    assert acts["start_time_utc"].min() >= datetime(1989, 12, 31, tzinfo=timezone.utc)
    assert acts["start_time_utc"].max() < datetime(2030, 1, 1, tzinfo=timezone.utc)
    assert acts["utc_offset_source"].is_in(["fit_local_timestamp", "assumed_utc"]).all()
    assert acts.select((pl.col("utc_offset_s").abs() <= 14 * 3600).all()).item()
    for col in ("elapsed_s", "moving_s", "distance_m", "avg_speed_mps"):
        assert (acts[col].drop_nulls() >= 0).all(), col
    assert samples["timestamp_utc"].null_count() == 0
    assert (samples["elapsed_s"] >= 0).all()
    lat, lon = samples["lat_deg"].drop_nulls(), samples["lon_deg"].drop_nulls()
    assert lat.is_empty() or lat.abs().max() <= 90
    assert lon.is_empty() or lon.abs().max() <= 180
    hr = samples["heart_rate_bpm"].drop_nulls()
    assert hr.is_empty() or (hr.min() >= 0 and hr.max() < 255)
    assert (samples["speed_mps"].drop_nulls() < 150).all()
    # Each session's samples start at or after that session's start (the
    # first session also takes records logged before it, e.g. fenix2's warm-up).
    spans = samples.group_by("activity_id").agg(
        pl.col("timestamp_utc").min().alias("first"), pl.col("timestamp_utc").max().alias("last")
    )
    joined = acts.join(spans, on="activity_id").sort("start_time_utc").slice(1)
    assert (joined["first"] >= joined["start_time_utc"]).all()


def _corpus_file(corpus: Path, name: str) -> Path:
    rows = [r for r in FIT_ROWS if r["path"].endswith("/" + name)]
    assert rows, name
    return corpus / rows[0]["path"]


def test_run_fit_hand_checked(corpus: Path) -> None:
    # runpandas' Forerunner 645 Music run; values read off its session and
    # activity messages (fitparse dump) and converted by hand.
    frames = read_fit(_corpus_file(corpus, "run.fit"))
    (act,) = frames.activities.to_dicts()
    assert act["sport"] == "running" and act["sub_sport"] == "generic"
    assert act["device"] == "garmin fr645m"
    assert act["start_time_utc"] == datetime(2019, 9, 14, 15, 22, 5, tzinfo=timezone.utc)
    # activity.local_timestamp 18:15:00 vs timestamp 16:15:00 UTC: CEST, +2 h
    assert act["utc_offset_s"] == 7200
    assert act["utc_offset_source"] == "fit_local_timestamp"
    assert act["start_time_local"] == datetime(2019, 9, 14, 17, 22, 5)
    assert act["elapsed_s"] == pytest.approx(3164.606)
    assert act["distance_m"] == pytest.approx(5839.77)
    assert (act["ascent_m"], act["descent_m"]) == (234, 233)
    assert (act["avg_hr_bpm"], act["max_hr_bpm"]) == (130, 160)
    # avg_running_cadence 64 strides/min + avg_fractional_cadence 118/128, two feet
    assert act["avg_cadence_spm"] == pytest.approx((64 + 118 / 128) * 2)
    assert act["avg_speed_mps"] == pytest.approx(1.845)
    assert act["name"] == "Run"
    laps = frames.laps
    assert laps.height == 6
    assert laps["lap_index"].to_list() == list(range(6))
    assert laps["distance_m"].sum() == pytest.approx(5839.77, abs=0.5)
    s = frames.samples
    # running cadence in samples is steps/min (twice FIT's per-foot rpm), like the session's
    cad = s["cadence_spm"].drop_nulls()
    assert cad.filter(cad > 0).mean() == pytest.approx(act["avg_cadence_spm"], rel=0.15)
    assert (cad.filter(cad > 0) > 90).mean() > 0.8
    assert s["elapsed_s"][0] == 0.0
    # every position inside the session's bounding box (swc/nec corners, semicircles)
    deg = 180 / 2**31
    assert s["lat_deg"].drop_nulls().is_between(589360407 * deg, 589466497 * deg).all()
    assert s["lon_deg"].drop_nulls().is_between(103724501 * deg, 103907440 * deg).all()


def test_golden_values_against_fitdecode(corpus: Path) -> None:
    fitdecode = pytest.importorskip("fitdecode")
    for name in ("run.fit", "garmin-fenix-5-run.fit", "sample_mulitple_header.fit", "2013-02-06-12-11-14.fit"):
        path = _corpus_file(corpus, name)
        records, sessions = [], []
        with fitdecode.FitReader(str(path)) as reader:
            for frame in reader:
                if isinstance(frame, fitdecode.FitDataMessage):
                    if frame.name == "record":
                        records.append(frame)
                    elif frame.name == "session":
                        sessions.append(frame)
        frames = read_fit(path)
        assert frames.samples.height == len(records)
        acts = frames.activities.sort("start_time_utc")
        got = acts["distance_m"].to_list()
        want = [s.get_value("total_distance") for s in sorted(sessions, key=lambda s: s.get_value("start_time"))]
        assert got == pytest.approx(want)
        first = records[0]
        row = frames.samples.row(0, named=True)
        assert row["heart_rate_bpm"] == first.get_value("heart_rate", fallback=None)
        lat = first.get_value("position_lat", fallback=None)
        if lat is not None:
            assert row["lat_deg"] == pytest.approx(lat * 180 / 2**31)


def test_multisport_gives_one_activity_per_session(corpus: Path) -> None:
    frames = read_fit(_corpus_file(corpus, "triathlon_summary_last.fit"))
    acts = frames.activities
    assert acts["sport"].to_list() == ["swimming", "transition", "cycling", "transition", "running"]
    assert acts["sub_sport"][0] == "open_water"
    # Summary messages first or last in the file: the same activities.
    first = read_fit(_corpus_file(corpus, "triathlon_summary_first.fit")).activities
    assert first.drop("activity_id", "source").equals(acts.drop("activity_id", "source"))
    # Running cadence doubled (steps/min): the run leg's median is a runner's 160-190.
    joined = frames.samples.join(acts.select("activity_id", "sport"), on="activity_id")
    run = joined.filter((pl.col("sport") == "running") & (pl.col("cadence_spm") > 0))
    assert 150 < run["cadence_spm"].median() < 200


def test_cycling_cadence_not_doubled(corpus: Path) -> None:
    fitdecode = pytest.importorskip("fitdecode")
    path = _corpus_file(corpus, "garmin-edge-820-bike.fit")
    with fitdecode.FitReader(str(path)) as reader:
        want = [
            f.get_value("cadence", fallback=None)
            for f in reader
            if isinstance(f, fitdecode.FitDataMessage) and f.name == "record"
        ]
    got = read_fit(path).samples["cadence_spm"].to_list()
    assert got == [None if w is None else float(w) for w in want]
    assert any(w for w in want)


def test_chained_file_reads_every_part(corpus: Path) -> None:
    # fr935 chained x7 (one session), fr920xt chained x4 (five sessions).
    frames = read_fit(_corpus_file(corpus, "garmin-fr935-cr.fit"))
    assert frames.samples.height == 7515
    frames = read_fit(_corpus_file(corpus, "sample_mulitple_header.fit"))
    assert frames.activities.height == 5


def test_gzipped_and_file_object(corpus: Path) -> None:
    import gzip

    path = _corpus_file(corpus, "garmin-fenix-5-walk.fit")
    data = path.read_bytes()
    a = read_fit(gzip.compress(data), name="walk.fit.gz")
    b = read_fit(io.BytesIO(data))
    assert a.samples.equals(b.samples)
    assert a.activities["activity_id"].item() == content_id(data)
    assert a.activities["sport"].item() == "walking"
    assert a.activities["source"].item() == "walk.fit.gz"


def test_truncated_file_keeps_records_before_the_break(corpus: Path) -> None:
    data = _corpus_file(corpus, "run.fit").read_bytes()
    cut = data[: len(data) // 2]
    frames = read_fit(cut, name="battery-died.fit")
    (act,) = frames.activities.to_dicts()
    assert act["partial"] is True
    assert "byte" in act["partial_reason"]
    assert 0 < frames.samples.height < 1202
    assert len(frames.warnings) == 1 and frames.warnings[0].startswith("battery-died.fit: ")


def test_nothing_decodable_names_file_and_offset(corpus: Path) -> None:
    data = _corpus_file(corpus, "run.fit").read_bytes()
    with pytest.raises(UnreadableFileError) as info:
        read_fit(data[:20], name="stub.fit")
    assert info.value.path == "stub.fit"
    assert info.value.offset is not None


@pytest.mark.parametrize(
    ("data", "match"),
    [(b"", "empty file"), (b"<?xml version='1.0'?><gpx></gpx>", "not a FIT file"), (b"\x0e\x10", "not a FIT file")],
)
def test_not_fit_bytes(data: bytes, match: str) -> None:
    with pytest.raises(UnreadableFileError, match=match) as info:
        read_fit(data, name="bad.fit")
    assert str(info.value).startswith("bad.fit")


def test_engine_fitparse_matches_on_a_small_file(corpus: Path) -> None:
    path = _corpus_file(corpus, "garmin-fenix-5-run.fit")
    a, b = read_fit(path, engine="fitparse"), read_fit(path, engine="fast")
    assert a.activities.equals(b.activities)
    assert a.samples.equals(b.samples)
    assert a.laps.equals(b.laps)


def test_unknown_engine() -> None:
    with pytest.raises(ValueError, match="engine"):
        read_fit(b"\x0e\x10\x00\x00\x00\x00\x00\x00.FIT\x00\x00", engine="nope")  # type: ignore[arg-type]


def test_read_fit_many_in_two_processes(corpus: Path) -> None:
    paths = [
        _corpus_file(corpus, name)
        for name in ("garmin-fenix-5-run.fit", "Settings.fit", "garmin-fenix-5-walk.fit", "DeveloperData.fit")
    ]
    results = read_fit_many(paths, athlete="bram", workers=2)
    run, settings, walk, no_time = results
    assert run.activities["sport"].item() == "running" and run.activities["athlete"].item() == "bram"
    assert walk.activities["sport"].item() == "walking"
    assert isinstance(settings, NotAnActivityError) and settings.path == str(paths[1])
    assert isinstance(no_time, UnreadableFileError) and "no timestamps" in str(no_time)
    # the same as one process
    assert run.samples.equals(read_fit(paths[0], athlete="bram").samples)


def test_device_relative_timestamps_are_refused(corpus: Path) -> None:
    # The Forerunner 70 logs FIT "system time" (seconds since power-on, < 0x10000000).
    # Issue 11: such a file has no date (it once gave a 31-year report), so it is refused.
    path = _corpus_file(corpus, "antfs-dump.63.fit")
    with pytest.raises(UnreadableFileError, match="refused: .*power-on") as info:
        read_fit(path)
    assert info.value.path == str(path)


def test_a_corrupt_session_start_loses_to_its_lap_first_record_and_end(corpus: Path) -> None:
    # fenix 2 multisport: session 0 says 08:00:01Z; its lap, first record and
    # end minus elapsed time all say 07:14:44Z (issue 11)
    frames = read_fit(_corpus_file(corpus, "activity-large-fenxi2-multisport.fit"))
    acts = frames.activities
    first = acts.row(0, named=True)
    assert first["start_time_utc"] == datetime(2015, 8, 29, 7, 14, 44, tzinfo=timezone.utc)
    (warning,) = [w for w in frames.warnings if "session 0" in w]
    assert "08:00:01Z" in warning and "07:14:44Z" in warning and "first lap" in warning
    # the sessions no longer overlap: each ends before the next begins
    spans = acts.select("start_time_utc", end=pl.col("start_time_utc") + pl.duration(seconds=pl.col("elapsed_s")))
    assert (spans["end"].head(-1) <= spans["start_time_utc"].tail(-1) + timedelta(seconds=2)).all()


def test_a_session_whose_witnesses_agree_keeps_its_start(corpus: Path) -> None:
    frames = read_fit(_corpus_file(corpus, "activity-small-fenix2-run.fit"))
    assert not any("says it started" in w for w in frames.warnings)
