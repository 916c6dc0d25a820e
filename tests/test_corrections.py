"""The runner's corrections: exclude, include, set a sport, merge two copies of one run.

Append-only records in the store; the newest record for an activity wins; every
read of activities, samples and laps applies them unless asked for the raw view.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import polars as pl
import pytest

from runback import schema
from runback.errors import OptionError
from runback.load import daily_load
from runback.store import Store, apply_corrections, open_store

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


@pytest.fixture
def bram(tmp_path: Path) -> Store:
    """Five of bram's files (three GPX runs, a TCX run and a TCX ride) in a fresh store."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name in (
        "2025-03-03-long-run.gpx",
        "2025-03-05-easy-run.gpx",
        "2025-03-07-progression-run.gpx",
        "2025-03-25-easy-run.tcx",
        "2025-03-26-ride.tcx",
    ):
        shutil.copy(SAMPLE / "bram" / name, folder)
    store = open_store(tmp_path / "store")
    assert store.import_paths(folder, athlete="bram", workers=1).ok
    return store


def _id(store: Store, source_end: str) -> str:
    acts = store.activities(corrected=False)
    return str(acts.filter(pl.col("source").str.ends_with(source_end))["activity_id"].item())


def test_exclude_hides_an_activity_everywhere_and_include_brings_it_back(bram: Store) -> None:
    long_run = _id(bram, "2025-03-03-long-run.gpx")
    before = (bram.activities(), bram.samples(), bram.laps())
    assert before[0].height == 5 and before[0]["correction"].null_count() == 5

    done = bram.exclude(long_run, note="someone else wore my watch")
    assert done.changed and done.action == "exclude" and done.athlete == "bram"
    assert f"runback activities include {long_run}" in done.message
    acts = bram.activities()
    assert acts.height == 4 and long_run not in acts["activity_id"].to_list()
    assert long_run not in bram.samples()["activity_id"].to_list()
    assert bram.samples().height == before[1].height - before[0].filter(pl.col("activity_id") == long_run)["n_samples"].item()
    assert long_run not in bram.samples("bram", activity_ids=[long_run])["activity_id"].to_list()
    # the raw view still holds it, with every column
    raw = bram.activities(corrected=False)
    assert raw.schema == pl.Schema(schema.ACTIVITIES) and raw.height == 5
    assert bram.samples(corrected=False).height == before[1].height
    # the model no longer counts it: 12 km less running that day
    assert daily_load(acts, bram.samples())["run_distance_m"].sum() == pytest.approx(
        daily_load(before[0], before[1])["run_distance_m"].sum() - raw.filter(pl.col("activity_id") == long_run)["distance_m"].item()
    )

    again = bram.exclude(long_run[:8])  # a unique prefix is enough
    assert not again.changed and "already excluded" in again.message
    back = bram.include(long_run)
    assert back.changed and bram.activities().equals(before[0])
    assert bram.samples().sort("activity_id", "timestamp_utc").equals(before[1].sort("activity_id", "timestamp_utc"))
    assert not bram.include(long_run).changed

    # the history is kept: one record per change, oldest first, the note with it
    history = bram.corrections()
    assert history.schema == pl.Schema(schema.CORRECTIONS)
    assert history["action"].to_list() == ["exclude", "include"]
    assert history["note"].to_list() == ["someone else wore my watch", None]
    assert history["recorded_at_utc"].is_sorted() and history["recorded_at_utc"].n_unique() == 2
    assert len(list((bram.root / "corrections" / "athlete=bram").glob("part-*.parquet"))) == 2


def test_set_sport_changes_what_counts_as_running(bram: Store) -> None:
    tcx_run = _id(bram, "2025-03-25-easy-run.tcx")
    runs_before = daily_load(bram.activities(), bram.samples())["n_runs"].sum()
    done = bram.set_sport(tcx_run, "Walking")
    assert done.changed and done.sport == "walking"
    assert "the file says running" in done.message and "--sport running" in done.message
    row = bram.activities().filter(pl.col("activity_id") == tcx_run).row(0, named=True)
    assert row["sport"] == "walking" and row["correction"] == "sport set to walking (the file says running)"
    assert bram.activities(corrected=False).filter(pl.col("activity_id") == tcx_run)["sport"].item() == "running"
    assert daily_load(bram.activities(), bram.samples())["n_runs"].sum() == runs_before - 1
    assert not bram.set_sport(tcx_run, "walking").changed
    # setting the file's own sport again undoes it: no correction shows
    assert bram.set_sport(tcx_run, "running").changed
    row = bram.activities().filter(pl.col("activity_id") == tcx_run).row(0, named=True)
    assert row["sport"] == "running" and row["correction"] is None
    with pytest.raises(OptionError, match="bad sport"):
        bram.set_sport(tcx_run, "!!")


def test_unknown_and_ambiguous_ids_are_clear_errors(bram: Store, tmp_path: Path) -> None:
    with pytest.raises(OptionError, match="no activity 'deadbeef0000'"):
        bram.exclude("deadbeef0000")
    with pytest.raises(OptionError, match="no activity 'abc'"):
        bram.include("abc")  # too short to be a prefix
    one = _id(bram, "2025-03-03-long-run.gpx")
    with pytest.raises(OptionError, match=f"no activity '{one}' of anna"):
        bram.exclude(one, athlete="anna")
    with pytest.raises(OptionError, match="same activity"):
        bram.merge(one, one[:6])
    # the same file imported for a second runner: the id alone is ambiguous
    assert bram.import_paths(SAMPLE / "bram" / "2025-03-03-long-run.gpx", athlete="carla", workers=1).ok
    with pytest.raises(OptionError, match="ambiguous.*--athlete"):
        bram.exclude(one)
    assert bram.exclude(one, athlete="carla").changed
    assert one in bram.activities("bram")["activity_id"].to_list()
    assert bram.activities("carla").is_empty()
    assert bram.import_paths(SAMPLE / "bram" / "2025-03-09-long-run.gpx", athlete="carla", workers=1).ok
    with pytest.raises(OptionError, match="only one runner"):
        bram.merge(_id(bram, "2025-03-05-easy-run.gpx"), _id(bram, "2025-03-09-long-run.gpx"))


def test_merge_keeps_the_fit_over_the_gpx_whatever_the_order(tmp_path: Path) -> None:
    store = open_store(tmp_path / "store")
    # a FIT and a GPX stored for one runner (two different runs, told to be one)
    assert store.import_paths(
        [SAMPLE / "anna" / "2025-03-05-easy-run.fit", SAMPLE / "bram" / "2025-03-05-easy-run.gpx"],
        athlete="x",
        workers=1,
    ).ok
    fit = _id(store, ".fit")
    gpx = _id(store, ".gpx")
    done = store.merge(gpx, fit)
    assert (done.action, done.activity_id, done.kept_activity_id) == ("merge", gpx, fit)
    assert done.note is not None and done.note.startswith("fit with") and " over gpx with " in done.note
    assert f"runback activities include {gpx}" in done.message
    acts = store.activities()
    assert acts["activity_id"].to_list() == [fit]
    assert acts["correction"].item() == f"kept as the same run as {gpx} ({done.note})"
    assert set(store.samples()["activity_id"]) == {fit}
    assert not store.merge(fit, gpx).changed  # already one run
    # include undoes the merge
    back = store.include(gpx)
    assert back.changed and "no longer counts as the same run" in back.message
    assert set(store.activities()["activity_id"]) == {fit, gpx}
    assert store.activities()["correction"].null_count() == 2
    # and the order of the ids does not matter
    assert store.merge(fit, gpx).kept_activity_id == fit
    # merging into an excluded copy leaves neither counting, and says so
    store.include(gpx)
    store.exclude(fit)
    done = store.merge(gpx, fit)
    assert f"{fit} itself does not count now" in done.message
    assert store.activities().is_empty()


def test_merge_of_two_gpx_keeps_the_one_with_more_samples(bram: Store) -> None:
    a, b = _id(bram, "2025-03-03-long-run.gpx"), _id(bram, "2025-03-05-easy-run.gpx")
    raw = bram.activities(corrected=False).filter(pl.col("activity_id").is_in([a, b]))
    richer = raw.sort("n_samples", descending=True)["activity_id"][0]
    assert bram.merge(a, b).kept_activity_id == richer


def test_corrections_survive_a_reimport(bram: Store, tmp_path: Path) -> None:
    ride = _id(bram, "2025-03-26-ride.tcx")
    bram.exclude(ride)
    summary = bram.import_paths(SAMPLE / "bram" / "2025-03-26-ride.tcx", athlete="bram", workers=1)
    assert summary.ok and not summary.imported  # still present (in the raw view): not stored twice
    assert ride not in bram.activities()["activity_id"].to_list()
    assert bram.activities(corrected=False)["activity_id"].to_list().count(ride) == 1


def _rec(when: int, aid: str, action: str, **extra: str) -> dict[str, object]:
    return {
        "athlete": "a",
        "correction_id": f"c{when}",
        "recorded_at_utc": dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(minutes=when),
        "activity_id": aid,
        "action": action,
        **extra,
    }


def test_apply_corrections_newest_record_wins_in_any_order() -> None:
    acts = schema.conform(
        pl.DataFrame({"activity_id": ["r1", "r2", "r3"], "athlete": ["a", "a", "a"], "sport": ["running", None, "running"]}),
        schema.ACTIVITIES,
    )
    records = [
        _rec(0, "r1", "exclude"),
        _rec(1, "r1", "include"),
        _rec(2, "r2", "set_sport", sport="walking"),
        _rec(3, "r3", "exclude"),
        _rec(4, "r2", "set_sport", sport="hiking"),
    ]
    frame = schema.conform(pl.DataFrame(records), schema.CORRECTIONS)
    for shuffled in (frame, frame.reverse(), frame.sample(fraction=1.0, shuffle=True, seed=3)):
        out = apply_corrections(acts, shuffled)
        assert out.columns == list(schema.ACTIVITIES)
        assert out["activity_id"].to_list() == ["r1", "r2"]
        assert out["sport"].to_list() == ["running", "hiking"]
        assert out["correction"].to_list() == [None, "sport set to hiking (the file says no sport)"]
    # another athlete's records never touch these rows
    other = frame.with_columns(athlete=pl.lit("b"))
    assert apply_corrections(acts, other).equals(acts)
