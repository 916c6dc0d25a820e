"""`runback import --scheduler`: files decoded on 2 worker processes, committed once, as a local import stores them."""

from __future__ import annotations

import gzip
import shutil
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from distributed import Client
from polars.testing import assert_frame_equal

from clirun import invoke
from cohorts import local_client
from runback import distributed
from runback.io import ImportSummary
from runback.io._common import Frames
from runback.samples import sample_data_dir
from runback.store import Store, open_store


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with local_client(2) as client:
        yield client


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """anna's runs, one of them twice (the copy decoded by another worker), a gzipped copy and a broken file."""
    folder = tmp_path_factory.mktemp("inputs") / "runs"
    folder.mkdir()
    for fit in sorted((sample_data_dir() / "anna").glob("*.fit")):
        shutil.copy(fit, folder / fit.name)
    first = sorted(folder.glob("*.fit"))[0]
    shutil.copy(first, folder / "zz-copy-of-the-first-run.fit")
    shutil.copy(first, folder / "zz-copy-2-of-the-first-run.fit")
    (folder / "zz-gzipped.fit.gz").write_bytes(gzip.compress(sorted(folder.glob("*.fit"))[1].read_bytes()))
    (folder / "zz-broken.fit").write_bytes(b"\x0e\x10garbage, not a FIT file")
    return folder


def _same(remote: ImportSummary, local: ImportSummary) -> None:
    for name in ("imported", "already_present", "activity_ids", "manual_activity_ids"):
        assert sorted(getattr(remote, name)) == sorted(getattr(local, name)), name
    for name in ("skipped", "failed"):
        assert sorted(map(str, getattr(remote, name))) == sorted(map(str, getattr(local, name))), name
    # the same files are duplicates of the same kept activity; which file the note names as "same run as"
    # may differ where one content comes 3 times (a local import names the last copy read, not the kept one)
    assert sorted((n.path, n.reason.split("(activity ")[1]) for n in remote.duplicates) == sorted(
        (n.path, n.reason.split("(activity ")[1]) for n in local.duplicates
    )
    assert sorted(map(str, remote.duplicate_decisions)) == sorted(map(str, local.duplicate_decisions))
    assert sorted(remote.lines()) == sorted(local.lines())


def test_an_import_on_two_workers_stores_what_a_local_one_does(client: Client, inputs: Path, tmp_path: Path) -> None:
    local_store, remote_store = open_store(tmp_path / "local"), open_store(tmp_path / "remote")
    local = local_store.import_paths([inputs], athlete="anna", workers=1)
    remote = distributed.import_paths(client, remote_store, [inputs], athlete="anna")
    assert len(local.imported) > 90 and len(local.duplicates) == 3 and len(local.failed) == 1
    # the 4 batches are dealt round-robin: a copy of the first run is decoded by another batch than the first
    units = distributed.import_units([inputs])
    batch = {Path(u).name: i % 4 for i, u in enumerate(units)}
    first = sorted(batch)[0]
    assert {batch["zz-copy-of-the-first-run.fit"], batch["zz-copy-2-of-the-first-run.fit"]} != {batch[first]}
    _same(remote, local)
    keys = ["activity_id"]
    assert_frame_equal(remote_store.activities().sort(keys), local_store.activities().sort(keys))
    assert_frame_equal(remote_store.samples().sort("activity_id", "timestamp_utc"),
                       local_store.samples().sort("activity_id", "timestamp_utc"))
    # the summaries too, computed on the workers beside their samples, each activity once
    assert_frame_equal(remote_store.summaries().sort(keys), local_store.summaries().sort(keys))
    assert not remote_store.needs_upgrade("anna") and remote_store.summaries()["activity_id"].is_unique().all()
    # every worker's parts are committed, none left pending
    assert not any((Path(remote_store.root) / "_pending").rglob("*.parquet"))
    # again: nothing is decoded, every file is already present (the broken one fails again)
    again_local = local_store.import_paths([inputs], athlete="anna", workers=1)
    again = distributed.import_paths(client, remote_store, [inputs], athlete="anna")
    assert not again.imported and len(again.already_present) == len(local.imported) + len(local.duplicates)
    _same(again, again_local)
    assert remote_store.activities().height == local_store.activities().height


def test_the_cli_imports_on_a_scheduler(client: Client, inputs: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    remote = invoke("import", str(inputs), "--store", str(store), "--athlete", "anna", "--tz", "Europe/Amsterdam",
                    "--scheduler", str(client.scheduler_info()["address"]))
    local = invoke("import", str(inputs), "--store", str(tmp_path / "local"), "--athlete", "anna",
                   "--tz", "Europe/Amsterdam", "-q")
    assert remote.exit_code == 1 == local.exit_code  # the broken file
    assert sorted(remote.stdout.splitlines()) == sorted(local.stdout.splitlines())
    assert "failed: 1" in remote.stdout and "zz-broken.fit" in remote.stdout


def test_parts_a_worker_wrote_but_nobody_committed_change_nothing(client: Client, inputs: Path, tmp_path: Path) -> None:
    st = open_store(tmp_path / "store")
    distributed.import_paths(client, st, sorted(inputs.glob("2025-03-0*.fit")), athlete="anna")
    before = st.activities()
    # an import killed after its workers wrote their parts, before the client's commit
    written = st.write_pending("anna", Frames(activities=before.head(1).with_columns(activity_id=pl.lit("x" * 16))))
    assert written["activities"]
    assert_frame_equal(open_store(st.root).activities(), before)
    after = distributed.import_paths(client, st, sorted(inputs.glob("2025-03-1*.fit")), athlete="anna")
    assert after.imported
    assert "x" * 16 not in open_store(st.root).activities()["activity_id"].to_list()
    assert not any((Path(st.root) / "_pending").rglob("*.parquet"))


def test_import_units_open_plain_folders_and_keep_export_folders_whole(inputs: Path, tmp_path: Path) -> None:
    units = distributed.import_units([inputs])
    assert len(units) == len([p for p in inputs.iterdir()]) and units == sorted(units)
    assert all(u.startswith(str(inputs)) for u in units)
    export = tmp_path / "export"
    export.mkdir()
    (export / "activities.csv").write_text("Activity ID,Activity Date,Activity Name,Activity Type\n")
    assert distributed.import_units([export, inputs / "zz-broken.fit"]) == [str(export), str(inputs / "zz-broken.fit")]


def test_the_store_is_checked_before_an_import(client: Client, tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a store")
    with pytest.raises(distributed.SharedStoreError):
        distributed.check_shared_store(client, Store(blocked))
