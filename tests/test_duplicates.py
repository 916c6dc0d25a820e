"""Duplicates by time overlap (issue 11): one effort counted once, whatever the starts and distances."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from runback import open_store, schema
from runback.io import SAME_RUN_OVERLAP, find_duplicates, read_tcx
from runback.sports import compatible_sports, sport_family

DAY = dt.datetime(2024, 5, 4, 6, 0, tzinfo=dt.UTC)
RUN_TCX = "corriporai-runpandas/runpandas/tests/io/data/tcx/run.tcx"


def activity(
    activity_id: str,
    start: dt.datetime,
    elapsed_s: float | None,
    *,
    fmt: str = "fit",
    sport: str = "running",
    distance_m: float | None = 10_000.0,
    n_samples: int = 100,
    athlete: str = "me",
) -> dict[str, Any]:
    return {
        "activity_id": activity_id,
        "athlete": athlete,
        "format": fmt,
        "source": f"{activity_id}.{fmt}",
        "sport": sport,
        "start_time_utc": start,
        "elapsed_s": elapsed_s,
        "moving_s": elapsed_s,
        "distance_m": distance_m,
        "n_samples": n_samples,
        "partial": False,
    }


def frame(*rows: dict[str, Any]) -> pl.DataFrame:
    return schema.conform(pl.DataFrame(list(rows), schema_overrides={"start_time_utc": schema.UTC}), schema.ACTIVITIES)


# --------------------------------------------------------------------------
# the rule
# --------------------------------------------------------------------------
def test_copies_that_start_apart_and_differ_in_distance_are_one_effort() -> None:
    # a phone app stopped early: 5 s apart, 25 % shorter (the old rule wanted 10 %)
    tcx = activity("t", DAY, 3600.0, fmt="tcx", distance_m=9_300.0)
    gpx = activity("g", DAY + dt.timedelta(seconds=5), 2700.0, fmt="gpx", distance_m=7_000.0)
    assert find_duplicates(frame(gpx, tcx)) == ["t", None]


def test_a_late_started_copy_that_overlaps_most_of_its_span_is_one_effort() -> None:
    # 78 % overlap, starts 10 minutes apart (the old rule wanted 60 s)
    fit = activity("f", DAY, 3600.0)
    gpx = activity("g", DAY + dt.timedelta(minutes=10), 3000.0, fmt="gpx", distance_m=8_000.0)
    assert find_duplicates(frame(fit, gpx)) == [None, "f"]


def test_a_ride_and_a_run_are_never_one_effort() -> None:
    run = activity("r", DAY, 3600.0)
    ride = activity("b", DAY, 3600.0, sport="cycling", fmt="gpx")
    assert find_duplicates(frame(run, ride)) == [None, None]


def test_a_stub_without_a_duration_is_not_merged_into_a_ride() -> None:
    ride = activity("b", DAY, 3600.0, sport="cycling")
    stub = activity("s", DAY, 0.0, sport="cycling", distance_m=0.0, fmt="gpx")
    assert find_duplicates(frame(ride, stub)) == [None, None]


def test_sessions_of_one_file_are_never_copies_of_each_other() -> None:
    leg = activity("x", DAY, 3600.0, sport="generic")
    run = {**activity("x-1", DAY + dt.timedelta(minutes=5), 1200.0), "source": "x.fit"}
    assert find_duplicates(frame(leg, run)) == [None, None]


def test_the_copy_with_more_samples_wins_within_one_format() -> None:
    few = activity("a", DAY, 3600.0, n_samples=50)
    many = activity("b", DAY, 3590.0, n_samples=3600)
    assert find_duplicates(frame(few, many)) == ["b", None]


def test_a_stored_copy_stays() -> None:
    stored = activity("g", DAY, 3600.0, fmt="gpx")
    new = activity("f", DAY + dt.timedelta(seconds=30), 3600.0)
    assert find_duplicates(frame(new), frame(stored)) == ["g"]


def test_sport_families() -> None:
    assert sport_family("trail_running") == sport_family("walking") == "foot"
    assert sport_family(None) == sport_family("generic") == "unknown"
    assert compatible_sports("generic", "running") and compatible_sports(None, "hiking")
    assert not compatible_sports("generic", "cycling")
    assert not compatible_sports("running", "cycling")
    assert compatible_sports("cycling", "cycling")


# --------------------------------------------------------------------------
# properties
# --------------------------------------------------------------------------
durations = st.floats(min_value=60.0, max_value=6 * 3600.0)
sports = st.sampled_from(["running", "walking", "generic", "trail_running"])
formats = st.sampled_from(["fit", "tcx", "gpx"])


@settings(max_examples=200, deadline=None)
@given(
    duration=durations,
    shift=st.floats(min_value=-0.49, max_value=0.49),
    distance_ratio=st.floats(min_value=0.3, max_value=3.0),
    sport_a=sports,
    sport_b=sports,
    fmt_a=formats,
    fmt_b=formats,
)
def test_shifting_a_copy_by_up_to_half_its_duration_still_merges(
    duration: float, shift: float, distance_ratio: float, sport_a: str, sport_b: str, fmt_a: str, fmt_b: str
) -> None:
    a = activity("a", DAY, duration, fmt=fmt_a, sport=sport_a)
    b = activity(
        "b", DAY + dt.timedelta(seconds=shift * duration), duration,
        fmt=fmt_b, sport=sport_b, distance_m=10_000.0 * distance_ratio,
    )  # fmt: skip
    decisions = find_duplicates(frame(a, b))
    assert sorted(decisions, key=str) == sorted([None, "a" if decisions[0] is None else "b"], key=str)
    assert decisions.count(None) == 1


@settings(max_examples=200, deadline=None)
@given(
    first=st.tuples(st.floats(min_value=0, max_value=12 * 3600.0), durations),
    gap=st.floats(min_value=0.0, max_value=6 * 3600.0),
    second_s=durations,
)
def test_two_runs_on_one_day_that_do_not_overlap_never_merge(
    first: tuple[float, float], gap: float, second_s: float
) -> None:
    start, duration = first
    a = activity("a", DAY + dt.timedelta(seconds=start), duration)
    b = activity("b", DAY + dt.timedelta(seconds=start + duration + gap), second_s, fmt="gpx")
    assert find_duplicates(frame(a, b)) == [None, None]


@settings(max_examples=100, deadline=None)
@given(offset=st.floats(min_value=-3600.0, max_value=3600.0), duration=durations, sport=sports)
def test_a_stub_of_0_m_and_0_s_never_merges(offset: float, duration: float, sport: str) -> None:
    run = activity("r", DAY, duration, sport=sport)
    stub = activity("s", DAY + dt.timedelta(seconds=offset), 0.0, distance_m=0.0, sport=sport)
    assert find_duplicates(frame(run, stub)) == [None, None]
    assert find_duplicates(frame(stub), frame(run)) == [None]


def test_the_overlap_threshold_is_half_the_shorter() -> None:
    assert SAME_RUN_OVERLAP == 0.5
    a = activity("a", DAY, 1000.0)
    exactly_half = activity("b", DAY + dt.timedelta(seconds=500), 1000.0)
    assert find_duplicates(frame(a, exactly_half)) == [None, None]  # more than half, not half


# --------------------------------------------------------------------------
# through an import: the decision is in the summary
# --------------------------------------------------------------------------
def _gpx_copy(samples: pl.DataFrame, *, shift_s: int) -> str:
    points = "".join(
        f'<trkpt lat="{r["lat_deg"]}" lon="{r["lon_deg"]}">'
        f"<time>{r['timestamp_utc'] + dt.timedelta(seconds=shift_s):%Y-%m-%dT%H:%M:%SZ}</time></trkpt>"
        for r in samples.iter_rows(named=True)
    )
    return (
        '<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><type>9</type>'
        f"<trkseg>{points}</trkseg></trk></gpx>"
    )


def test_a_phone_copy_stopped_early_is_stored_once(corpus: Path, tmp_path: Path) -> None:
    tcx = corpus / RUN_TCX
    samples = read_tcx(tcx).samples.drop_nulls(["lat_deg", "timestamp_utc"])
    early = samples.head(int(samples.height * 0.7))  # the app stopped at 70 %
    gpx = tmp_path / "phone.gpx"
    gpx.write_text(_gpx_copy(early, shift_s=5))
    store = open_store(tmp_path / "store")
    summary = store.import_paths([gpx, tcx], athlete="x")
    acts = store.activities("x")
    assert acts["format"].to_list() == ["tcx"]
    assert [d.path for d in summary.duplicates] == [str(gpx)]
    (decision,) = summary.duplicate_decisions
    assert decision.kept_source == str(tcx) and decision.dropped_source == str(gpx)
    assert "overlap" in decision.match and "TCX is richer than GPX" in decision.why_kept
    assert str(gpx) in str(decision)


def test_a_copy_of_a_stored_run_is_a_duplicate_and_the_store_keeps_its_copy(
    corpus: Path, tmp_path: Path
) -> None:
    tcx = corpus / RUN_TCX
    samples = read_tcx(tcx).samples.drop_nulls(["lat_deg", "timestamp_utc"])
    gpx = tmp_path / "phone.gpx"
    gpx.write_text(_gpx_copy(samples.head(int(samples.height * 0.7)), shift_s=5))
    store = open_store(tmp_path / "store")
    store.import_paths(gpx, athlete="x")
    later = store.import_paths(tcx, athlete="x")
    assert store.activities("x")["format"].to_list() == ["gpx"]
    (decision,) = later.duplicate_decisions
    assert decision.kept_source == str(gpx) and "already stored" in decision.why_kept
