"""A store that verifies and repairs itself: checksums, kept manifests, `runback doctor`, quarantine."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import runback.store as store_mod
from clirun import invoke
from runback.errors import StoreError, UnreadableFileError
from runback.pain.journal import add_entry
from runback.store import Store, doctor, open_store


def gpx_run(day: int, points: int = 40) -> str:
    """A small GPX run on 2025-03-<day>, one point every 5 s heading north."""
    start = dt.datetime(2025, 3, 1, 7, 0, tzinfo=dt.timezone.utc) + dt.timedelta(days=day)
    pts = "".join(
        f'<trkpt lat="{52.0 + i * 0.0001:.6f}" lon="4.9{day:02d}"><ele>1.0</ele>'
        f"<time>{(start + dt.timedelta(seconds=5 * i)):%Y-%m-%dT%H:%M:%SZ}</time></trkpt>"
        for i in range(points)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">'
        f"<trk><name>run {day}</name><type>running</type><trkseg>{pts}</trkseg></trk></gpx>"
    )


def write_runs(folder: Path, days: range) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for day in days:
        path = folder / f"run-{day:02d}.gpx"
        path.write_text(gpx_run(day), encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture
def filled(tmp_path: Path) -> Store:
    """A store with three imports of two runs each (three commits)."""
    store = open_store(tmp_path / "store")
    runs = write_runs(tmp_path / "runs", range(1, 7))
    for i in range(3):
        assert store.import_paths(runs[2 * i : 2 * i + 2], workers=1).ok
    return store


def frames(store: Store) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    return store.activities(), store.samples().sort("activity_id", "timestamp_utc"), store.laps()


def parts(store: Store, table: str = "samples") -> list[Path]:
    return sorted((store.root / table / "athlete=me").glob("*.parquet"))


def test_checksums_are_recorded_and_every_bit_flip_is_caught(filled: Store) -> None:
    manifest = filled.manifest("me")
    for table in ("activities", "samples", "laps"):
        assert set(manifest["checksums"][table]) == set(manifest["parts"][table])
    part = parts(filled)[0]
    good = part.read_bytes()
    caught = 0
    positions = range(0, len(good) * 8, max(len(good) * 8 // 64, 1))  # 64 flips spread over the file
    for bit in positions:
        flipped = bytearray(good)
        flipped[bit // 8] ^= 1 << (bit % 8)
        part.write_bytes(bytes(flipped))
        with pytest.raises(StoreError) as info:
            filled.samples()
        assert str(part) in str(info.value) and "athlete me" in str(info.value)
        assert "runback doctor" in str(info.value)
        caught += 1
    assert caught == len(positions)
    part.write_bytes(good)
    assert filled.samples().height == filled.activities()["n_samples"].sum()


def test_a_truncated_part_names_the_file(filled: Store) -> None:
    part = parts(filled, "activities")[0]
    part.write_bytes(part.read_bytes()[:100])
    with pytest.raises(StoreError, match=f"{part}.*athlete me.*damaged"):
        filled.activities()


def test_a_store_without_checksums_keeps_working_and_gets_them(filled: Store, tmp_path: Path) -> None:
    before = frames(filled)
    path = filled._manifest_path("me")
    old = json.loads(path.read_text())
    old.pop("checksums")
    old.pop("seq")
    old.pop("retired")
    old["format"] = 1
    path.write_text(json.dumps(old))
    for got, want in zip(frames(filled), before):
        assert_frame_equal(got, want)
    filled.import_paths(write_runs(tmp_path / "more", range(10, 11)), workers=1)
    manifest = filled.manifest("me")
    for table in ("activities", "samples", "laps"):
        assert set(manifest["checksums"][table]) == set(manifest["parts"][table])


def test_doctor_records_missing_checksums(filled: Store) -> None:
    path = filled._manifest_path("me")
    old = json.loads(path.read_text())
    old.pop("checksums")
    path.write_text(json.dumps(old))
    report = doctor(filled)
    assert not report.ok and "no checksum" in report.problems[0]
    assert doctor(filled, repair=True).actions
    assert doctor(filled).ok
    assert filled.manifest("me")["checksums"]["samples"]


def test_a_deleted_manifest_is_an_error_and_doctor_restores_it(filled: Store, tmp_path: Path) -> None:
    before = frames(filled)
    n_parts = len(list(filled.root.rglob("*.parquet")))
    filled._manifest_path("me").unlink()
    assert filled.athletes() == ["me"]
    with pytest.raises(StoreError, match="manifest .* is missing; run `runback doctor --repair"):
        filled.activities()
    # the next import refuses rather than tidying away the parts it no longer sees
    with pytest.raises(StoreError, match="missing"):
        filled.import_paths(write_runs(tmp_path / "more", range(10, 11)), workers=1)
    assert len(list(filled.root.rglob("*.parquet"))) == n_parts
    report = doctor(filled, repair=True)
    assert any("restored the manifest of athlete me" in a for a in report.actions)
    for got, want in zip(frames(filled), before):
        assert_frame_equal(got, want)
    assert doctor(filled).ok


@pytest.mark.parametrize("damage", ["{not json", "[]", '{"parts": 3}', '{"parts": {"samples": ["../../x"]}}',
                                    '{"checksums": {"samples": {"a": 1}}}', '{"seq": "x"}'])
def test_a_damaged_manifest_is_one_clear_error_and_doctor_restores_it(filled: Store, damage: str) -> None:
    before = frames(filled)
    filled._manifest_path("me").write_text(damage)
    with pytest.raises(StoreError, match=r"manifest .* is damaged .*runback doctor --repair"):
        filled.activities()
    result = invoke("doctor", "--store", str(filled.root))
    assert result.exit_code == 1 and "is damaged" in result.stdout
    result = invoke("doctor", "--repair", "--store", str(filled.root))
    assert result.exit_code == 0, result.output
    assert "restored the manifest of athlete me" in result.stdout
    for got, want in zip(frames(filled), before):
        assert_frame_equal(got, want)


def test_only_the_last_manifests_are_kept(filled: Store, tmp_path: Path) -> None:
    for day in range(10, 15):
        filled.import_paths(write_runs(tmp_path / f"more{day}", range(day, day + 1)), workers=1)
    history = filled._history("me")
    assert len(history) == store_mod.KEEP_MANIFESTS
    assert json.loads(history[-1].read_text()) == json.loads(filled._manifest_path("me").read_text())


def test_a_part_no_manifest_lists_is_quarantined_never_deleted(filled: Store, tmp_path: Path) -> None:
    stray = filled.root / "activities" / "athlete=me" / "part-stray.parquet"
    stray.write_bytes(parts(filled, "activities")[0].read_bytes())
    filled.import_paths(write_runs(tmp_path / "more", range(10, 11)), workers=1)
    assert not stray.exists()
    assert (filled.root / "_quarantine" / "activities" / "athlete=me" / "part-stray.parquet").exists()


def test_a_part_left_pending_by_a_killed_import_is_quarantined(filled: Store, tmp_path: Path) -> None:
    """A kill between writing a part and the commit: the part was never listed."""
    pending = filled.root / "_pending" / "samples" / "athlete=me"
    pending.mkdir(parents=True, exist_ok=True)
    (pending / "part-killed.parquet").write_bytes(parts(filled)[0].read_bytes())
    report = doctor(filled)
    assert any("part-killed.parquet: a part of athlete me that no manifest lists" in p for p in report.problems)
    filled.import_paths(write_runs(tmp_path / "more", range(10, 11)), workers=1)
    assert (filled.root / "_quarantine" / "_pending" / "samples" / "athlete=me" / "part-killed.parquet").exists()
    assert doctor(filled).ok


def test_a_store_from_before_with_its_manifest_lost_loses_no_part(filled: Store, tmp_path: Path) -> None:
    """The audit's case: delete the manifest of a store without kept manifests, then import."""
    n_parts = len(list(filled.root.rglob("*.parquet")))
    filled._manifest_path("me").unlink()
    for path in filled._history("me"):
        path.unlink()
    filled.import_paths(write_runs(tmp_path / "more", range(10, 11)), workers=1)
    quarantined = list((filled.root / "_quarantine").rglob("*.parquet"))
    assert len(quarantined) == n_parts  # set aside, never deleted


def test_doctor_sets_a_damaged_part_aside_and_the_next_import_restores_it(filled: Store, tmp_path: Path) -> None:
    before = frames(filled)
    victim = parts(filled)[1]
    listing = [t for t, names in filled.manifest("me")["parts"].items() if victim.name in names]
    assert len(listing) >= 2  # activities and samples (GPX has no laps)
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0x10
    victim.write_bytes(bytes(data))
    report = doctor(filled, repair=True)
    assert any(str(victim) in p for p in report.problems)
    # all three tables' parts of that import went to quarantine together
    assert len(list((filled.root / "_quarantine").rglob(victim.name))) == len(listing)
    assert doctor(filled).ok
    acts = filled.activities()
    assert acts.height == 4 and filled.samples().height == acts["n_samples"].sum()
    assert filled.import_paths(tmp_path / "runs", workers=1).ok
    for got, want in zip(frames(filled), before):
        assert_frame_equal(got.drop("activity_id"), want.drop("activity_id"), check_row_order=False)


def test_stale_tmp_files_are_removed_by_the_next_write(filled: Store) -> None:
    stale = [
        filled.root / "samples" / "athlete=me" / ".part-x.parquet.abc123.tmp",
        filled.root / "_index" / ".athlete=me.json.def456.tmp",
        filled.root / "journal" / "athlete=me" / ".part-y.parquet.0.tmp",
    ]
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half")
    add_entry(filled, 3, "after", date=dt.date(2025, 3, 2))
    assert not any(path.exists() for path in stale)


def test_a_corrupt_journal_part_names_the_file_and_doctor_sets_it_aside(filled: Store) -> None:
    add_entry(filled, 3, "after", date=dt.date(2025, 3, 2))
    part = next((filled.root / "journal" / "athlete=me").glob("*.parquet"))
    part.write_bytes(b"PAR1 not really")
    with pytest.raises(UnreadableFileError, match=f"{part}.*runback doctor --repair"):
        filled.journal()
    result = invoke("pain", "add", "2", "--timing", "other", "--store", str(filled.root))
    assert result.exit_code == 1 and str(part) in result.stderr and "runback doctor" in result.stderr
    result = invoke("doctor", "--repair", "--store", str(filled.root))
    assert result.exit_code == 0 and "quarantined" in result.stdout
    result = invoke("pain", "add", "2", "--timing", "other", "--store", str(filled.root))
    assert result.exit_code == 0, result.output


def test_doctor_on_a_healthy_store_and_on_no_store(filled: Store, tmp_path: Path) -> None:
    result = invoke("doctor", "--store", str(filled.root))
    assert result.exit_code == 0 and "no problems" in result.stdout
    result = invoke("doctor", "--store", str(tmp_path / "nothing"))
    assert result.exit_code == 1 and "no store here" in result.stderr
    assert not (tmp_path / "nothing").exists()


# --------------------------------------------------------------------------
# consistent reads while another process imports
# --------------------------------------------------------------------------
def _import_one_by_one(root: str, paths: list[str], merge_every: int) -> None:
    store_mod.MAX_PARTS = merge_every  # merges too, so parts are retired while the reader reads
    store = open_store(root)
    for path in paths:
        store.import_paths(path, workers=1)


def test_reads_during_imports_see_one_commit(tmp_path: Path) -> None:
    root = tmp_path / "store"
    paths = write_runs(tmp_path / "runs", range(1, 25))
    store = open_store(root)
    store.import_paths(paths[0], workers=1)
    ctx = multiprocessing.get_context("spawn")
    writer = ctx.Process(target=_import_one_by_one, args=(str(root), [str(p) for p in paths[1:]], 3))
    writer.start()
    seen: set[int] = set()
    reads = 0
    try:
        # bounded by a count of reads, not by time: at least 100, at most 20,000, until the writer is done
        while reads < 20000 and (reads < 100 or writer.is_alive()):
            reads += 1
            snap = open_store(root).snapshot()
            acts, samples, laps = snap.activities(), snap.samples(), snap.laps()
            assert samples.height == acts["n_samples"].sum(), f"read {reads}: samples of another commit"
            assert set(samples["activity_id"]) == set(acts["activity_id"]), f"read {reads}"
            assert set(laps["activity_id"]) <= set(acts["activity_id"]), f"read {reads}"
            seen.add(acts.height)
    finally:
        writer.join()
    assert writer.exitcode == 0
    assert open_store(root).activities().height == len(paths)
    assert len(seen) > 1, f"{reads} reads never overlapped an import"


def test_a_snapshot_keeps_reading_its_commit(filled: Store, tmp_path: Path) -> None:
    snap = filled.snapshot()
    before = snap.activities()
    filled.import_paths(write_runs(tmp_path / "more", range(10, 12)), workers=1)
    assert_frame_equal(snap.activities(), before)
    assert snap.samples().height == before["n_samples"].sum()
    assert filled.activities().height == before.height + 2
