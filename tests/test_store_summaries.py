"""Summaries stored beside the samples: written by every import, upgraded in stores from before, read alone."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import runback.io._pipeline as pipeline
import runback.store as store_mod
from clirun import invoke
from runback.errors import StoreError
from runback.files import write_atomic as real_write
from runback.samples import sample_data_dir
from runback.io import read_report
from runback.io._common import Frames
from runback.store import TABLES, PreparedImport, Store, doctor, open_store
from runback.summaries import SUMMARIES, SUMMARY_VERSION, summarize_samples

DATA = "corriporai-runpandas/runpandas/tests/io/data"


def by_id(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort("activity_id")


def contents(store: Store) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    return (
        store.activities(corrected=False),
        store.samples(corrected=False).sort("activity_id", "timestamp_utc", "elapsed_s"),
        store.laps(corrected=False).sort("activity_id", "lap_index"),
    )


def assert_summaries_match_samples(store: Store, athlete: str | None = None) -> None:
    stored = store.summaries(athlete, corrected=False)
    assert stored.schema == pl.Schema(SUMMARIES)
    assert_frame_equal(by_id(stored), by_id(summarize_samples(store.samples(athlete, corrected=False))))


@pytest.fixture
def mixed(corpus: Path, tmp_path: Path) -> Path:
    """Real device files of three formats: the sample runners' FIT files, TCX and GPX from the corpus."""
    folder = tmp_path / "runs"
    folder.mkdir()
    for fit in sorted((sample_data_dir() / "anna").glob("*.fit"))[:12]:
        shutil.copy(fit, folder / fit.name)
    for name in ("tcx/basic.tcx", "tcx/run_garmin.tcx", "gpx/garmin_connect.gpx", "gpx/nike_run.gpx"):
        shutil.copy(corpus / DATA / name, folder)
    return folder


def make_old(store: Store, athlete: str = "me") -> None:
    """Make ``store`` look as one written before summaries were stored (main's layout until now):
    no summaries parts on disk or in any manifest, no summary_version."""
    for path in [store._manifest_path(athlete), *store._history(athlete)]:
        manifest = json.loads(path.read_text())
        manifest.pop("summary_version")
        for key in ("parts", "checksums", "retired"):
            manifest[key].pop("summaries")
        path.write_text(json.dumps(manifest))
    for folder in ("summaries", "_retired/summaries"):
        shutil.rmtree(store.root / folder, ignore_errors=True)


def test_an_import_stores_one_summary_per_activity_with_samples(mixed: Path, tmp_path: Path) -> None:
    store = open_store(tmp_path / "store")
    assert store.import_paths(mixed, workers=1).ok
    manifest = store.manifest("me")
    assert manifest["summary_version"] == SUMMARY_VERSION
    # one summaries part beside each samples part, of the same import (the same name)
    assert sorted(manifest["parts"]["summaries"]) == sorted(manifest["parts"]["samples"])
    assert set(manifest["checksums"]["summaries"]) == set(manifest["parts"]["summaries"])
    assert_summaries_match_samples(store)
    with_samples = store.activities().filter(pl.col("n_samples") > 0)["activity_id"]
    assert sorted(store.summaries()["activity_id"]) == sorted(with_samples)
    # only what is asked: some activities, one athlete, the visible ones
    two = with_samples.head(2).to_list()
    assert sorted(store.summaries(activity_ids=two)["activity_id"]) == sorted(two)
    assert store.summaries("bram").is_empty()
    store.exclude(two[0])
    assert two[0] not in store.summaries()["activity_id"].to_list()
    assert two[0] in store.summaries(corrected=False)["activity_id"].to_list()
    assert doctor(store).ok


def test_summaries_are_written_batch_by_batch_and_committed_at_once(
    mixed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parsed files go to pending parts in batches while the import runs; the manifest changes once, at the end."""
    monkeypatch.setattr(pipeline, "BATCH_FILES", 3)
    store = open_store(tmp_path / "store")
    pending = store.root / "_pending" / "samples" / "athlete=me"
    seen: list[int] = []

    def progress(done: int, total: int, label: str) -> None:
        seen.append(len(list(pending.glob("part-*.parquet"))) if pending.is_dir() else 0)
        assert not store._manifest_path("me").exists()  # nothing committed yet

    assert store.import_paths(mixed, workers=1, progress=progress).ok
    assert max(seen) >= 4  # 16 files in batches of 3: parts pile up pending until the commit
    assert not list(pending.glob("*.parquet"))  # all moved in
    assert len(store.manifest("me")["parts"]["samples"]) == max(seen)
    assert_summaries_match_samples(store)
    acts = store.activities()
    assert store.samples().height == acts["n_samples"].sum()


def test_copies_parsed_in_other_batches_are_left_out_of_every_part(
    mixed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, corpus: Path
) -> None:
    monkeypatch.setattr(pipeline, "BATCH_FILES", 2)
    first = sorted(mixed.glob("*.fit"))[0]
    shutil.copy(first, mixed / "zz-copy.fit")  # the same content, in the last batch
    shutil.copy(first, mixed / f"{first.stem}-again.fit")  # and in the same batch
    shutil.copy(corpus / DATA / "gpx/stopped_example.gpx", mixed / "a-stopped.gpx")  # the same run as the TCX,
    shutil.copy(corpus / DATA / "tcx/stopped_example.tcx", mixed / "zz-stopped.tcx")  # which wins, batches later
    store = open_store(tmp_path / "store")
    summary = store.import_paths(mixed, workers=1)
    assert len(summary.duplicates) == 3
    acts = store.activities()
    assert acts["activity_id"].is_unique().all() and "gpx" not in acts.filter(
        pl.col("source").str.contains("stopped"))["format"].to_list()
    samples = store.samples()
    assert samples.height == acts["n_samples"].sum()
    assert_summaries_match_samples(store)
    assert store.summaries()["activity_id"].is_unique().all()
    assert doctor(store).ok


def test_too_many_batches_are_merged_into_one_part_streaming(
    mixed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "BATCH_FILES", 1)
    monkeypatch.setattr(store_mod, "MAX_PARTS", 3)
    store = open_store(tmp_path / "store")
    files = sorted(mixed.iterdir())
    assert store.import_paths(files[:2], workers=1).ok  # two parts
    assert store.import_paths(files[2:], workers=1).ok  # 14 more: merged into one with the two
    for table in ("activities", "samples", "summaries"):
        assert len(store.manifest("me")["parts"][table]) <= 3
        assert len(list((store.root / table / "athlete=me").glob("*.parquet"))) <= 3
    acts = store.activities()
    assert acts.height == 16 and store.samples().height == acts["n_samples"].sum()
    assert_summaries_match_samples(store)
    assert not list((store.root / "_pending").rglob("*.parquet"))
    assert doctor(store).ok


def test_an_interrupted_import_leaves_the_store_as_it_was(mixed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "BATCH_FILES", 2)
    store = open_store(tmp_path / "store")
    files = sorted(mixed.iterdir())
    assert store.import_paths(files[:3], workers=1).ok
    before = contents(store)

    def interrupt(done: int, total: int, label: str) -> None:
        if done >= 6:
            raise KeyboardInterrupt  # Ctrl-C after three batches were written

    with pytest.raises(KeyboardInterrupt):
        store.import_paths(files, workers=1, progress=interrupt)
    for got, want in zip(contents(store), before):
        assert_frame_equal(got, want)
    assert not list((store.root / "_pending").rglob("*.parquet"))  # its pending parts went with it
    assert doctor(store).ok
    assert len(store.import_paths(files, workers=1).imported) == len(files) - 3
    assert_summaries_match_samples(store)


KILLED_IMPORT = textwrap.dedent(
    """
    import sys, time
    import runback.io._pipeline as pipeline
    from runback.store import open_store
    pipeline.BATCH_FILES = 2

    def progress(done, total, label):
        if done == 4:  # two batches written to pending parts
            print("pending", flush=True)
            time.sleep(120)

    if __name__ == "__main__":
        open_store(sys.argv[1]).import_paths(sys.argv[2], workers=1, progress=progress)
    """
)


def test_a_killed_import_leaves_the_store_as_it_was(mixed: Path, tmp_path: Path) -> None:
    store = open_store(tmp_path / "store")
    files = sorted(mixed.iterdir())
    assert store.import_paths(files[:1], workers=1).ok
    before = contents(store)
    script = tmp_path / "killed.py"
    script.write_text(KILLED_IMPORT)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    with subprocess.Popen(
        [sys.executable, str(script), str(store.root), str(mixed)], stdout=subprocess.PIPE, env=env
    ) as child:
        try:
            assert child.stdout is not None and child.stdout.readline().strip() == b"pending"
            assert list((store.root / "_pending" / "samples" / "athlete=me").glob("part-*.parquet"))
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait()
    for got, want in zip(contents(store), before):
        assert_frame_equal(got, want)
    assert_summaries_match_samples(store)
    report = doctor(store)
    assert not report.ok and all("no manifest lists" in p for p in report.problems)
    # the next import sets the killed one's parts aside and stores everything
    assert store.import_paths(mixed, workers=1).ok
    assert store.activities().height == 16
    assert_summaries_match_samples(store)
    assert doctor(store).ok


def test_a_store_from_before_summaries_is_upgraded_on_first_read(mixed: Path, tmp_path: Path) -> None:
    store = open_store(tmp_path / "store")
    files = sorted(mixed.iterdir())
    for i in range(0, len(files), 6):  # three imports, three commits
        assert store.import_paths(files[i : i + 6], workers=1).ok
    make_old(store)
    before = contents(store)
    want = by_id(summarize_samples(store.samples(corrected=False)))
    assert store.needs_upgrade("me")
    report = doctor(store)
    assert not report.ok and any("need the upgrade" in p for p in report.problems)

    got = store.summaries(corrected=False)
    assert_frame_equal(by_id(got), want)
    assert not store.needs_upgrade("me")
    manifest = store.manifest("me")
    assert manifest["summary_version"] == SUMMARY_VERSION and len(manifest["parts"]["summaries"]) == 3
    for got_frame, want_frame in zip(contents(store), before):
        assert_frame_equal(got_frame, want_frame)  # nothing lost
    assert doctor(store).ok
    assert not list((store.root / "_pending").rglob("*.parquet"))
    # and the next import adds its summaries beside the upgraded ones
    extra = sorted((sample_data_dir() / "anna").glob("*.fit"))[12:14]
    assert store.import_paths(extra, workers=1).ok
    assert_summaries_match_samples(store)


def test_summaries_of_an_older_definition_are_made_again(mixed: Path, tmp_path: Path) -> None:
    store = open_store(tmp_path / "store")
    assert store.import_paths(mixed, workers=1).ok
    path = store._manifest_path("me")
    manifest = json.loads(path.read_text())
    manifest["summary_version"] = SUMMARY_VERSION - 1
    path.write_text(json.dumps(manifest))
    old_parts = set(manifest["parts"]["summaries"])
    assert_summaries_match_samples(store)
    assert not set(store.manifest("me")["parts"]["summaries"]) & old_parts  # new parts, the old ones retired
    assert doctor(store).ok


LOCK_HOLDER = textwrap.dedent(
    """
    import fcntl, sys, time
    with open(sys.argv[1], "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        print("locked", flush=True)
        sys.stdin.readline()
    """
)


def test_a_reader_that_cannot_take_the_lock_computes_the_summaries(mixed: Path, tmp_path: Path) -> None:
    """Another process writes the store (holds its lock): a reader does not wait, it computes the same rows."""
    store = open_store(tmp_path / "store")
    assert store.import_paths(mixed, workers=1).ok
    make_old(store)
    want = by_id(summarize_samples(store.samples(corrected=False)))
    with subprocess.Popen(
        [sys.executable, "-c", LOCK_HOLDER, str(store.root / ".lock")], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    ) as holder:
        assert holder.stdin is not None and holder.stdout is not None
        try:
            assert holder.stdout.readline().strip() == b"locked"
            assert_frame_equal(by_id(store.summaries(corrected=False)), want)
            assert store.needs_upgrade("me")  # not upgraded: the lock was taken
            assert not (store.root / "summaries").exists()
        finally:
            holder.stdin.close()  # the holder lets go and ends
    assert_frame_equal(by_id(store.summaries(corrected=False)), want)
    assert not store.needs_upgrade("me")


def test_a_snapshot_reads_the_upgrade_of_its_own_commit(mixed: Path, tmp_path: Path) -> None:
    store = open_store(tmp_path / "store")
    assert store.import_paths(mixed, workers=1).ok
    make_old(store)
    snap = store.snapshot()
    acts = snap.activities(corrected=False)
    assert_frame_equal(by_id(snap.summaries(corrected=False)), by_id(summarize_samples(snap.samples(corrected=False))))
    assert snap.manifest("me")["summary_version"] == SUMMARY_VERSION
    assert_frame_equal(snap.activities(corrected=False), acts)


def test_a_crash_mid_upgrade_leaves_the_store_readable(
    mixed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store(tmp_path / "store")
    assert store.import_paths(mixed, workers=1).ok
    make_old(store)
    before = contents(store)
    want = by_id(summarize_samples(store.samples(corrected=False)))
    # a kill at the commit: the summaries parts are written, the manifest is not replaced

    def killed_at_the_commit(path: str | os.PathLike[str], data: bytes, **kw: object) -> Path:
        if Path(path) == store._manifest_path("me"):
            raise KeyboardInterrupt("killed")
        return real_write(path, data)

    monkeypatch.setattr(store_mod, "write_atomic", killed_at_the_commit)
    with pytest.raises(KeyboardInterrupt):
        store.upgrade_summaries()
    monkeypatch.setattr(store_mod, "write_atomic", real_write)
    assert store.needs_upgrade("me")
    # what a kill -9 leaves besides: a half-written part under a temporary name and a pending part
    pending = store.root / "_pending" / "summaries" / "athlete=me"
    pending.mkdir(parents=True, exist_ok=True)
    (pending / ".part-0123456789abcdef.parquet.x1y2.tmp").write_bytes(b"PAR1 half")
    summarize_samples(store.samples(corrected=False)).write_parquet(pending / "part-0123456789abcdef.parquet")
    for got, wanted in zip(contents(store), before):
        assert_frame_equal(got, wanted)
    assert not doctor(store).ok
    assert_frame_equal(by_id(store.summaries(corrected=False)), want)  # the upgrade runs again, whole
    assert not store.needs_upgrade("me")
    assert doctor(store, repair=True).ok is False  # the stray pending part was a problem; now set aside
    assert doctor(store).ok
    assert_summaries_match_samples(store)


def test_doctor_repair_upgrades_a_store_from_before(mixed: Path, tmp_path: Path) -> None:
    store = open_store(tmp_path / "store")
    assert store.import_paths(mixed, workers=1).ok
    assert store.import_paths(sample_data_dir() / "bram", athlete="bram", workers=1).ok
    make_old(store, "me")
    make_old(store, "bram")
    checked = invoke("doctor", "--store", str(store.root))
    assert checked.exit_code == 1
    assert "the summaries of athlete bram" in checked.stdout and "the summaries of athlete me" in checked.stdout
    repaired = invoke("doctor", "--repair", "--store", str(store.root))
    assert repaired.exit_code == 0 and "done: stored the summaries of athlete me" in repaired.stdout
    assert not store.needs_upgrade("me") and not store.needs_upgrade("bram")
    assert invoke("doctor", "--store", str(store.root)).exit_code == 0
    assert_summaries_match_samples(store, "me")
    assert_summaries_match_samples(store, "bram")


def test_doctor_finds_summaries_that_do_not_match_the_samples(mixed: Path, tmp_path: Path) -> None:
    store = open_store(tmp_path / "store")
    assert store.import_paths(mixed, workers=1).ok
    store.import_paths(sorted((sample_data_dir() / "anna").glob("*.fit"))[12:14], workers=1)
    # a summaries part lost from the manifest (as an older runback's import would drop it)
    path = store._manifest_path("me")
    manifest = json.loads(path.read_text())
    lost = manifest["parts"]["summaries"].pop()
    manifest["checksums"]["summaries"].pop(lost)
    path.write_text(json.dumps(manifest))
    report = doctor(store)
    assert any("lack 2 activities with samples" in p for p in report.problems)
    doctor(store, repair=True)
    assert doctor(store).ok
    assert_summaries_match_samples(store)


def test_listing_activities_reads_neither_samples_nor_summaries(mixed: Path, tmp_path: Path) -> None:
    store = open_store(tmp_path / "store")
    assert store.import_paths(mixed, workers=1).ok
    ids = store.activities()["activity_id"].to_list()
    for table in ("samples", "summaries", "laps"):
        shutil.rmtree(store.root / table)
    with pytest.raises(StoreError, match="missing"):
        store.summaries()
    listed = invoke("activities", "--store", str(store.root), "--format", "json")
    assert listed.exit_code == 0, listed.output
    assert sorted(row["activity_id"] for row in json.loads(listed.stdout)) == sorted(ids)
    assert invoke("activities", "exclude", ids[0], "--store", str(store.root)).exit_code == 0
    assert invoke("activities", "--all", "--store", str(store.root)).exit_code == 0


def test_two_processes_parse_only_what_is_worth_starting_them(mixed: Path) -> None:
    tasks = [pipeline.Task(p.name, str(p), "me", path=str(p), size=p.stat().st_size) for p in sorted(mixed.iterdir())]
    assert pipeline.choose_workers(tasks) == 1  # 16 files: a worker's start costs more than it saves
    few = tasks * 2
    assert sum(t.size or 0 for t in few) < 10 << 20
    assert pipeline.choose_workers(few) == 1  # 32 small files, well under a second of parsing
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    history = [pipeline.Task(f"{i}.fit", str(i), "me", path=f"{i}.fit", size=75_000) for i in range(1520)]
    assert pipeline.choose_workers(history) == min(cpus, 2)  # five years of runs: about 16 s of parsing


def test_every_table_is_listed_in_a_new_manifest(tmp_path: Path) -> None:
    store = open_store(tmp_path / "store")
    assert set(store.manifest("me")["parts"]) == set(TABLES) and "summaries" in TABLES
    assert store.manifest("me")["summary_version"] == SUMMARY_VERSION


def test_the_lock_is_not_waited_for_by_a_reader(tmp_path: Path) -> None:
    """The non-blocking lock the upgrade tries: refused at once while another open file holds it."""
    store = open_store(tmp_path / "store")
    store.root.mkdir(parents=True)
    with open(store.root / ".lock", "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        with pytest.raises(BlockingIOError), store._lock(wait=False):
            pass


def test_frames_committed_without_summaries_get_them(mixed: Path, tmp_path: Path) -> None:
    """commit_frames (generators) and import_prepared (pending parts written elsewhere) summarise what lacks it."""
    frames, summary = read_report(mixed, athlete="me", workers=1)
    first = frames.activities["activity_id"].head(8).to_list()

    def only(ids: list[str], keep: bool) -> Frames:
        pick = pl.col("activity_id").is_in(ids) if keep else ~pl.col("activity_id").is_in(ids)
        return Frames(frames.activities.filter(pick), frames.samples.filter(pick), frames.laps.filter(pick))

    store = open_store(tmp_path / "store")
    store.commit_frames("me", only(first, True))
    assert_summaries_match_samples(store)

    def prepare(files: dict[str, object], kept: pl.DataFrame, wellness: pl.DataFrame) -> PreparedImport:
        parts = store.write_pending("me", only(first, False))
        assert "summaries" not in parts
        return PreparedImport(summary=summary, index={}, parts=parts)

    store.import_prepared("me", prepare)
    assert store.activities().height == frames.activities.height
    assert_summaries_match_samples(store)
    assert doctor(store).ok


def test_a_damaged_summaries_part_is_made_again_and_loses_no_activity(mixed: Path, tmp_path: Path) -> None:
    store = open_store(tmp_path / "store")
    assert store.import_paths(mixed, workers=1).ok
    before = contents(store)
    part = next((store.root / "summaries" / "athlete=me").glob("*.parquet"))
    data = bytearray(part.read_bytes())
    data[len(data) // 2] ^= 0x10
    part.write_bytes(bytes(data))
    with pytest.raises(StoreError, match="damaged"):
        store.summaries()
    report = doctor(store, repair=True)
    assert any(str(part) in p for p in report.problems)
    assert any("stored the summaries of athlete me" in a for a in report.actions)
    assert doctor(store).ok
    for got, want in zip(contents(store), before):
        assert_frame_equal(got, want)  # the import's activities, samples and laps stay
    assert_summaries_match_samples(store)
    assert store.manifest("me")["files_index"]  # nothing to read again


def test_reading_files_without_a_store_gives_their_summaries(mixed: Path) -> None:
    frames, _ = read_report(mixed, athlete="me", workers=1)
    assert frames.summaries.height == frames.samples["activity_id"].n_unique()
    assert_frame_equal(by_id(frames.summaries), by_id(summarize_samples(frames.samples)))
