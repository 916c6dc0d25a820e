"""The Parquet store: hive layout, re-import without parsing, deduplication, atomic commits."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import runback.io._pipeline as pipeline
import runback.store as store_mod
from runback import schema
from runback.errors import OptionError
from runback.store import Store, open_store

DATA = "corriporai-runpandas/runpandas/tests/io/data"


@pytest.fixture
def runs(corpus: Path, tmp_path: Path) -> Path:
    """A folder of four different runs (two TCX, two GPX)."""
    folder = tmp_path / "runs"
    folder.mkdir()
    for name in ("tcx/basic.tcx", "tcx/run_garmin.tcx", "gpx/garmin_connect.gpx", "gpx/nike_run.gpx"):
        shutil.copy(corpus / DATA / name, folder)
    return folder


def no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(task: pipeline.Task) -> pipeline.Parsed:
        raise AssertionError(f"parsed {task.label} again")

    monkeypatch.setattr(pipeline, "parse_task", refuse)


def snapshot(store: Store) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    return store.activities(), store.samples().sort(["activity_id", "timestamp_utc"]), store.laps()


def test_import_then_read_back(runs: Path, tmp_path: Path) -> None:
    store = open_store(tmp_path / "store")
    summary = store.import_paths(runs, athlete="anna")
    assert summary.ok and len(summary.imported) == 4 and len(summary.activity_ids) == 4
    acts = store.activities()
    assert acts.schema == pl.Schema(schema.ACTIVITIES)
    assert acts.height == 4 and set(acts["athlete"]) == {"anna"}
    assert acts["start_time_utc"].is_sorted()
    assert store.samples().schema == pl.Schema(schema.SAMPLES)
    assert store.samples().height == acts["n_samples"].sum()
    assert store.laps().height == 3 + 3  # run_garmin.tcx and basic.tcx have 3 <Lap> each
    one = acts["activity_id"][0]
    assert set(store.samples(activity_ids=[one])["activity_id"]) == {one}
    assert store.athletes() == ["anna"]
    assert store.activities("bram").is_empty()


def test_store_is_hive_partitioned_for_polars_and_duckdb(runs: Path, tmp_path: Path) -> None:
    root = tmp_path / "store"
    store = open_store(root)
    store.import_paths(runs, athlete="anna")
    store.import_paths(runs / "basic.tcx", athlete="bram")
    direct = pl.scan_parquet(root / "activities/**/*.parquet", hive_partitioning=True).collect()
    assert sorted(direct["athlete"]) == ["anna"] * 4 + ["bram"]
    samples = pl.scan_parquet(root / "samples/**/*.parquet", hive_partitioning=True).collect()
    assert samples.height == store.samples().height
    assert set(samples["athlete"]) == {"anna", "bram"}  # from the folder names

    duckdb = pytest.importorskip("duckdb")
    rows = duckdb.sql(
        f"select athlete, count(*) from read_parquet('{root}/activities/**/*.parquet', hive_partitioning=true) "
        "group by athlete order by athlete"
    ).fetchall()
    assert rows == [("anna", 4), ("bram", 1)]


def test_reimport_of_unchanged_files_parses_nothing(
    runs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store(tmp_path / "store")
    store.import_paths(runs)
    before = snapshot(store)
    no_parsing(monkeypatch)
    summary = store.import_paths(runs)
    assert summary.ok and summary.imported == [] and len(summary.already_present) == 4
    # touched (new mtime) but the same content: recognised by its hash, still not parsed
    os.utime(runs / "basic.tcx", ns=(1, 1))
    shutil.copy(runs / "nike_run.gpx", runs / "copy of nike_run.gpx")
    summary = store.import_paths(runs)
    assert len(summary.already_present) == 5 and summary.imported == []
    for got, want in zip(snapshot(store), before):
        assert_frame_equal(got, want)


def test_same_file_twice_in_one_import_is_stored_once(runs: Path, tmp_path: Path) -> None:
    shutil.copy(runs / "basic.tcx", runs / "basic (1).tcx")
    store = open_store(tmp_path / "store")
    summary = store.import_paths(runs)
    assert len(summary.imported) == 4
    assert [d.path for d in summary.duplicates] == [str(runs / "basic.tcx")]
    assert store.activities().height == 4
    assert store.activities()["activity_id"].is_unique().all()


def test_same_run_as_gpx_and_tcx_is_stored_once(corpus: Path, tmp_path: Path) -> None:
    gpx = corpus / DATA / "gpx/stopped_example.gpx"
    tcx = corpus / DATA / "tcx/stopped_example.tcx"
    store = open_store(tmp_path / "store")
    summary = store.import_paths([gpx, tcx])
    assert summary.imported == [str(tcx)]  # TCX (laps, the watch's distance) wins over GPX
    assert [d.path for d in summary.duplicates] == [str(gpx)]
    assert "same run as" in summary.duplicates[0].reason
    assert store.activities().height == 1
    # and the GPX imported later, on its own, is still recognised as the same run
    other = open_store(tmp_path / "other")
    other.import_paths(tcx)
    later = other.import_paths(gpx)
    assert later.imported == [] and len(later.duplicates) == 1
    assert other.activities()["format"].to_list() == ["tcx"]


def test_a_crash_mid_import_leaves_the_store_as_before(
    runs: Path, corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "store"
    store = open_store(root)
    store.import_paths(runs / "basic.tcx")
    before = snapshot(store)
    direct_before = pl.scan_parquet(root / "samples/**/*.parquet").collect().height

    real_write = store_mod.atomic_write_parquet
    calls = []

    def crash_after_first(df: pl.DataFrame, path: Path) -> None:
        calls.append(path)
        if len(calls) > 1:
            raise KeyboardInterrupt("killed")  # as if the process died here
        real_write(df, path)

    monkeypatch.setattr(store_mod, "atomic_write_parquet", crash_after_first)
    with pytest.raises(KeyboardInterrupt):
        store.import_paths(runs)
    assert len(calls) == 2
    for got, want in zip(snapshot(store), before):
        assert_frame_equal(got, want)
    assert pl.scan_parquet(root / "samples/**/*.parquet").collect().height == direct_before

    monkeypatch.setattr(store_mod, "atomic_write_parquet", real_write)
    summary = store.import_paths(runs)
    assert summary.ok and len(summary.imported) == 3 and summary.already_present == [str(runs / "basic.tcx")]
    assert store.activities().height == 4
    assert pl.scan_parquet(root / "activities/**/*.parquet").collect().height == 4


def test_committed_parts_not_yet_moved_are_read_and_then_moved(runs: Path, tmp_path: Path) -> None:
    root = tmp_path / "store"
    store = open_store(root)
    store.import_paths(runs)
    before = snapshot(store)
    # a kill right after the manifest commit, before the parts were moved in
    for table in ("activities", "samples", "laps"):
        for part in (root / table / "athlete=me").glob("*.parquet"):
            pending = root / "_pending" / table / "athlete=me"
            pending.mkdir(parents=True, exist_ok=True)
            part.rename(pending / part.name)
    for got, want in zip(snapshot(store), before):
        assert_frame_equal(got, want)
    store.import_paths(runs)  # the next import finishes the move
    assert len(list((root / "samples" / "athlete=me").glob("*.parquet"))) == 1
    for got, want in zip(snapshot(store), before):
        assert_frame_equal(got, want)


def test_many_small_imports_are_merged_without_losing_rows(
    runs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_mod, "MAX_PARTS", 2)
    root = tmp_path / "store"
    store = open_store(root)
    for name in sorted(os.listdir(runs)):
        store.import_paths(runs / name)
    assert store.activities().height == 4
    assert store.samples().height == store.activities()["n_samples"].sum()
    assert len(list((root / "activities" / "athlete=me").glob("*.parquet"))) <= 2
    assert len(store.manifest("me")["parts"]["activities"]) <= 2


@pytest.mark.parametrize("name", ["", "a/b", "..", ".hidden", "x=y", " padded "])
def test_bad_athlete_names_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(OptionError, match="athlete name"):
        open_store(tmp_path).import_paths([], athlete=name)


def test_default_store_follows_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNBACK_STORE", str(tmp_path / "env-store"))
    assert open_store().root == tmp_path / "env-store"
    assert open_store(tmp_path / "given").root == tmp_path / "given"


def test_progress_is_reported_per_parsed_file(runs: Path, tmp_path: Path) -> None:
    calls: list[tuple[int, int, str]] = []
    open_store(tmp_path / "store").import_paths(runs, progress=lambda d, t, f: calls.append((d, t, f)))
    assert [(d, t) for d, t, _ in calls] == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert sorted(f for *_, f in calls) == sorted(str(p) for p in runs.iterdir())


def test_worker_processes_give_the_same_frames(runs: Path) -> None:
    from runback.io import read

    one = read(runs, workers=1)
    two = read(runs, workers=2)
    assert_frame_equal(one.activities, two.activities)
    assert_frame_equal(one.samples, two.samples)


def test_failures_are_reported_again_on_reimport(corpus: Path, runs: Path, tmp_path: Path) -> None:
    import zipfile

    (runs / "empty.gpx").write_bytes(b"")
    export = tmp_path / "export.zip"
    with zipfile.ZipFile(export, "w") as zf:
        zf.writestr("activities/1.gpx", (corpus / DATA / "gpx/stopped_example.gpx").read_bytes())
        zf.writestr("activities/2.tcx", (corpus / DATA / "tcx/malformed.tcx").read_bytes())
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04 not a zip")
    store = open_store(tmp_path / "store")
    paths = [runs, export, tmp_path / "broken.zip"]
    first = store.import_paths(paths)
    failed = sorted(n.path for n in first.failed)
    assert failed == sorted([str(runs / "empty.gpx"), f"{export}!activities/2.tcx", str(tmp_path / "broken.zip")])
    again = store.import_paths(paths)
    assert sorted(n.path for n in again.failed) == failed
    assert len(again.already_present) == 5 and again.imported == []


def test_a_partial_copy_loses_to_the_complete_one(corpus: Path, tmp_path: Path) -> None:
    import polars as pl

    from runback.io import find_duplicates

    acts = open_store(tmp_path).activities()  # empty, with the schema
    row = {c: None for c in acts.columns}
    start = pl.datetime(2024, 1, 1, 7, time_zone="UTC")
    new = pl.DataFrame(
        [
            {**row, "activity_id": "a", "athlete": "me", "format": "fit", "source": "a.fit", "distance_m": 9000.0, "partial": True},
            {**row, "activity_id": "b", "athlete": "me", "format": "fit", "source": "b.fit", "distance_m": 9500.0, "partial": False},
            {**row, "activity_id": "c", "athlete": "me", "format": "gpx", "source": "0.gpx", "distance_m": 9400.0, "partial": False},
            {**row, "activity_id": "d", "athlete": "me", "format": "fit", "source": "d.fit", "distance_m": 5000.0, "partial": False},
        ],
        schema=acts.schema,
    ).with_columns(
        # copies overlap in time; d is another run, two hours later (issue 11: time overlap, not distance)
        start_time_utc=pl.when(pl.col("activity_id") == "d").then(start.dt.offset_by("2h")).otherwise(start),
        elapsed_s=pl.lit(3000.0),
    )
    assert find_duplicates(new) == ["b", None, "b", None]  # 5 km is another run


def test_an_unwritable_store_is_a_store_error(runs: Path, tmp_path: Path) -> None:
    from runback.errors import StoreError

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the store should be")
    with pytest.raises(StoreError, match="cannot write the store"):
        open_store(blocker).import_paths(runs)


def test_same_run_as_fit_and_gpx_keeps_the_fit(corpus: Path, tmp_path: Path) -> None:
    fit_module = pytest.importorskip("runback.io.fit", reason="runback.io.fit not merged yet")
    fit = corpus / "dtcooper-python-fitparse/tests/files/activity-small-fenix2-run.fit"
    samples = fit_module.read_fit(fit).samples.drop_nulls(["lat_deg", "timestamp_utc"])
    points = "".join(
        f'<trkpt lat="{r["lat_deg"]}" lon="{r["lon_deg"]}"><time>{r["timestamp_utc"]:%Y-%m-%dT%H:%M:%SZ}</time></trkpt>'
        for r in samples.iter_rows(named=True)
    )
    gpx = tmp_path / "a-strava-copy.gpx"  # sorts before the FIT by name: the format decides, not the order
    gpx.write_text(
        '<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><type>9</type>'
        f"<trkseg>{points}</trkseg></trk></gpx>"
    )
    store = open_store(tmp_path / "store")
    summary = store.import_paths([gpx, fit])
    assert summary.imported == [str(fit)]
    assert [d.path for d in summary.duplicates] == [str(gpx)]
    assert store.activities()["format"].to_list() == ["fit"]


def test_a_crash_while_writing_the_manifest_leaves_the_store_as_before(
    runs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "store"
    store = open_store(root)
    store.import_paths(runs / "basic.tcx")
    before = snapshot(store)
    listing = sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())
    real = store_mod.write_atomic

    def crash_on_manifest(path: Path, data: bytes) -> Path:
        if path.parent.name == "_index":
            raise OSError(28, "No space left on device")
        return real(path, data)

    monkeypatch.setattr(store_mod, "write_atomic", crash_on_manifest)
    with pytest.raises(store_mod.StoreError, match="No space left"):
        store.import_paths(runs)
    for got, want in zip(snapshot(store), before):
        assert_frame_equal(got, want)
    assert sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file()) == listing
    monkeypatch.setattr(store_mod, "write_atomic", real)
    assert len(store.import_paths(runs).imported) == 3
