"""`runback check`'s library side: what looks wrong, each item with the command that fixes it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from test_threshold_pace import frames, normal_runs, recording

from runback import schema
from runback.checks import check_activities, check_store
from runback.load import Profile, resolve_profiles
from runback.store import open_store

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
T0 = dt.datetime(2025, 5, 1, 7)


def test_each_problem_is_found_with_its_fix() -> None:
    recs = [
        # one 40 min run saved twice: a GPX from the phone (stopped 10 min early) and the watch's FIT 5 s later
        recording("phone", T0, [(1800, 2.8)], summary={"format": "gpx"}),
        recording("watch", T0 + dt.timedelta(seconds=5), [(2400, 2.8)]),
        # a second run that day, after the first: not the same run
        recording("evening", T0 + dt.timedelta(hours=10), [(1800, 2.8)]),
        # labelled running at 7.5 m/s: a ride
        recording("ride", T0 + dt.timedelta(days=1), [(3600, 7.5)]),
        # labelled running at 1.2 m/s: a walk
        recording("walk", T0 + dt.timedelta(days=2), [(3600, 1.2)]),
        # a run with a 20 min hole in its samples
        recording("hole", T0 + dt.timedelta(days=3), [(900, 2.8), (1200, None), (900, 2.8)], summary={"moving_s": 1800}),
        # a recording of 7 h
        recording("day", T0 + dt.timedelta(days=4), [(1800, 2.8), (7 * 3600 - 1800, None)], summary={"moving_s": 1800}),
    ]
    acts, smp = frames(recs)
    out = check_activities(acts, smp)
    assert out.schema == pl.Schema(schema.CHECKS)
    got = {(r["check"], r["activity_id"]): r for r in out.iter_rows(named=True)}
    assert set(got) == {
        ("overlap", "phone"),
        ("implausible_pace", "ride"),
        ("implausible_pace", "walk"),
        ("long_gap", "hole"),
        ("long_gap", "day"),
        ("long_recording", "day"),
    }
    overlap = got[("overlap", "phone")]
    assert overlap["other_activity_id"] == "watch" and overlap["fix"] == "runback activities merge phone watch"
    assert overlap["value"] == pytest.approx((1800 - 5) / 1800)
    assert got[("implausible_pace", "ride")]["fix"] == "runback activities set ride --sport cycling"
    assert "2:13/km" in got[("implausible_pace", "ride")]["message"]
    assert got[("implausible_pace", "walk")]["fix"] == "runback activities set walk --sport walking"
    gap = got[("long_gap", "hole")]
    assert gap["value"] == 1200.0 and gap["start_time_utc"] == (T0 + dt.timedelta(days=3, seconds=900)).replace(tzinfo=dt.timezone.utc)
    assert gap["fix"] == "runback activities exclude hole"
    assert got[("long_recording", "day")]["value"] == 7 * 3600 and got[("long_recording", "day")]["fix"] == "runback activities exclude day"
    # in time order per athlete
    assert out["start_time_utc"].is_sorted()


def test_profile_items_say_where_each_value_came_from() -> None:
    acts, smp = frames(normal_runs())
    profiles = resolve_profiles(acts, smp, Profile.given(hr_max_bpm=188))
    out = check_activities(acts, smp, profiles=profiles, profile_paths={"me": "/s/profiles/me.toml"})
    items = out.filter(pl.col("check") == "profile")
    assert items.height == 3 and out.height == 3  # six clean runs: nothing else to say
    hr_max, hr_rest, pace = items.iter_rows(named=True)
    assert hr_max["message"] == "HRmax 188 bpm: given" and hr_max["fix"] is None
    assert hr_rest["value"] == 60.0 and "typical adult value" in hr_rest["message"]
    assert hr_rest["fix"] == "write your own value (hr_rest_bpm = 60) in /s/profiles/me.toml"
    assert pace["unit"] == "s/km" and pace["value"] == profiles["me"].threshold_pace_s_per_km
    assert "agree within 10% (runs: 2025-03-" in pace["message"]
    assert pace["fix"] is not None and pace["fix"].startswith('write your own value (threshold_pace = "5:')


def test_the_real_year_shows_the_recording_left_running_until_it_is_excluded(corpus: Path, tmp_path: Path) -> None:
    store = open_store(tmp_path / "store")
    assert store.import_paths(corpus / "corriporai-runpandas" / "examples" / "session", athlete="me", workers=1).ok
    out = check_store(store)
    problems = out.filter(pl.col("check") != "profile")
    assert problems.select("check", "activity_id", "fix").rows() == [
        ("long_recording", "aa351394f3e5f080", "runback activities exclude aa351394f3e5f080"),
        ("long_gap", "aa351394f3e5f080", "runback activities exclude aa351394f3e5f080"),
    ]
    assert problems["message"][0].startswith("aa351394f3e5f080 was recorded over 24.0 h (1.5 h moving, 21.7 km)")
    pace = out.filter(pl.col("message").str.starts_with("threshold pace")).row(0, named=True)
    assert pace["message"].startswith("threshold pace 5:53/km: estimated: median")
    store.exclude("aa351394f3e5f080")
    assert check_store(store).filter(pl.col("check") != "profile").is_empty()


def test_the_sample_data_is_clean(tmp_path: Path) -> None:
    store = open_store(tmp_path / "store")
    assert store.import_paths(SAMPLE / "bram", athlete="bram", workers=1).ok
    out = check_store(store)
    assert out["check"].to_list() == ["profile"] * 3
    assert out["fix"].str.contains(str(store.profile_file("bram"))).all()


def test_a_ride_overlapping_a_run_is_not_offered_as_one_run_and_stubs_are_offered_for_exclusion() -> None:
    acts, smp = frames(
        [
            recording("run", T0, [(1800, 2.8)]),
            recording("bike", T0 + dt.timedelta(minutes=5), [(1800, 6.0)], summary={"sport": "cycling"}),
            recording("stub", T0 + dt.timedelta(days=1), [(20, 0.3)]),
        ]
    )
    out = check_activities(acts, smp)
    overlap = out.filter(pl.col("check") == "overlap").row(0, named=True)
    assert (overlap["activity_id"], overlap["other_activity_id"]) == ("run", "bike")
    assert "different sports" in overlap["message"] and overlap["fix"] == "runback activities exclude bike"
    stub = out.filter(pl.col("activity_id") == "stub").row(0, named=True)
    assert stub["check"] == "implausible_pace" and stub["fix"] == "runback activities exclude stub"
    assert stub["message"] == "stub is labelled running but covers 6 m in 0 min: a recording started by accident?"
