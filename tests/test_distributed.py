"""runback on Dask: a real local cluster of 2 worker processes computes what a local run computes.

The cluster listens on loopback only and has no dashboard.  The store holds
200 generated runners (summary activities, a pain journal for every tenth).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from distributed import Client
from polars.testing import assert_frame_equal

from clirun import invoke
from cohorts import local_client, make_cohort_store, runner_name
from runback import distributed, schema
from runback.cohort import COHORT, STANDING, cohort, cohort_standing, runner_standing
from runback.distributed import MIN_ATHLETES_PER_BATCH, SharedStoreError, plan_batches
from runback.load.profile import resolve_store_profiles
from runback.model import flags, localize_runs
from runback.pain.journal import read_journal
from runback.report import write_team_report
from runback.report._inputs import report_inputs
from runback.store import Store

ATHLETES = 200


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return make_cohort_store(tmp_path_factory.mktemp("cohort"), ATHLETES)


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with local_client(2) as client:
        yield client


def _local_flags(store: Store) -> pl.DataFrame:
    """What `runback flags` computes locally: one model call over every athlete."""
    st = store.snapshot()
    activities, journal = st.activities(), read_journal(st)
    profiles = resolve_store_profiles(st, activities, None)
    return flags(activities, None, journal=journal, profile=profiles, wellness=st.wellness())


def test_flags_on_two_workers_equal_a_local_run(client: Client, store: Store) -> None:
    local = _local_flags(store)
    remote = distributed.flags(client, store)
    assert local.height > ATHLETES  # every runner raises flags: the comparison covers them all
    assert remote["athlete"].n_unique() == local["athlete"].n_unique()
    assert_frame_equal(remote, local, rel_tol=1e-9, abs_tol=1e-9)


def test_flags_of_one_athlete_since_a_day(client: Client, store: Store) -> None:
    name = runner_name(10)  # has a journal: the pain rules run too
    remote = distributed.flags(client, store, athlete=name, since="2025-02-01")
    local = _local_flags(store).filter(pl.col("athlete") == name, pl.col("date") >= pl.date(2025, 2, 1))
    assert remote.height > 0
    assert_frame_equal(remote, local, rel_tol=1e-9, abs_tol=1e-9)


def test_cohort_on_two_workers_equals_a_local_run(client: Client, store: Store) -> None:
    st = store.snapshot()
    activities, journal = st.activities(), read_journal(st)
    profiles = resolve_store_profiles(st, activities, None)
    local = cohort(localize_runs(activities, profiles), _local_flags(store), journal)
    remote = distributed.cohort(client, store)
    assert remote.height == ATHLETES and remote.schema == pl.Schema(COHORT)
    assert_frame_equal(remote, local, rel_tol=1e-9, abs_tol=1e-9)
    # every tenth runner logged pain: 10 entries over the 12 weeks
    assert remote.filter(pl.col("pain_entries") > 0)["athlete"].to_list() == [runner_name(i) for i in range(0, 200, 10)]
    assert (remote["weeks"] == 12).all()


def test_the_cli_runs_flags_on_a_scheduler_address(client: Client, store: Store) -> None:
    address = str(client.scheduler_info()["address"])
    remote = invoke("flags", "--store", str(store.root), "--scheduler", address, "--format", "json")
    local = invoke("flags", "--store", str(store.root), "--format", "json")
    assert remote.exit_code == 0 == local.exit_code, remote.output
    got, want = json.loads(remote.stdout), json.loads(local.stdout)
    assert len(got) == len(want) > ATHLETES
    for a, b in zip(got, want, strict=True):
        assert a.keys() == b.keys()
        for key in a:
            if isinstance(a[key], float):
                assert a[key] == pytest.approx(b[key], rel=1e-9, abs=1e-9)
            else:
                assert a[key] == b[key]


def test_the_cli_cohort_on_a_scheduler_equals_local(client: Client, store: Store) -> None:
    address = str(client.scheduler_info()["address"])
    remote = invoke("cohort", "--store", str(store.root), "--scheduler", address, "--format", "csv")
    local = invoke("cohort", "--store", str(store.root), "--format", "csv")
    assert remote.exit_code == 0 == local.exit_code, remote.output
    got, want = pl.read_csv(remote.stdout.encode()), pl.read_csv(local.stdout.encode())
    assert got.height == ATHLETES
    assert {"weekly_distance_percentile", "flag_rate_percentile"} <= set(got.columns)
    assert_frame_equal(got, want, rel_tol=1e-9, abs_tol=1e-9)


def test_team_report_on_two_workers_writes_the_local_pages(client: Client, tmp_path: Path) -> None:
    small = make_cohort_store(tmp_path / "store", 5, days=42)
    local = write_team_report(small, tmp_path / "local")
    remote = distributed.team_report(client, small, tmp_path / "remote")
    assert remote.name == local.name == "index.html"
    names = sorted(p.name for p in local.parent.iterdir())
    assert names == sorted(p.name for p in remote.parent.iterdir())
    assert len(names) == 5 + 2  # the runners, the index and plotly.min.js
    for name in names:
        assert (remote.parent / name).read_bytes() == (local.parent / name).read_bytes(), name


def test_every_worker_sees_the_store(client: Client, store: Store) -> None:
    distributed.check_shared_store(client, store)
    assert not (Path(store.root) / "_probe").exists()  # the probe is removed


def test_a_store_the_workers_cannot_write_is_a_clear_error(client: Client, tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the store should be")
    with pytest.raises(SharedStoreError, match="cannot write under the store"):
        distributed.check_shared_store(client, Store(blocked))


def test_batches_are_sized_from_the_data() -> None:
    even = {runner_name(i): 1.0 for i in range(200)}
    batches = plan_batches(even, workers=2)
    assert len(batches) == 8  # 4 per worker: 200 athletes would make 13 of the minimum size
    assert sorted(a for b in batches for a in b) == sorted(even)
    assert all(len(b) == 25 for b in batches)
    few = plan_batches({runner_name(i): 1.0 for i in range(20)}, workers=2)
    assert len(few) == 2 and all(len(b) >= MIN_ATHLETES_PER_BATCH // 2 for b in few)
    assert plan_batches({"a": 1.0}, workers=8) == [["a"]]
    assert plan_batches({}, workers=2) == []
    # one runner with years of samples weighs as much as many with a few runs
    heavy = {**{runner_name(i): 1.0 for i in range(1, 64)}, runner_name(0): 63.0}
    lumpy = plan_batches(heavy, workers=2)
    assert lumpy[0] == [runner_name(0)]


def test_cohort_counts_by_hand() -> None:
    acts = pl.DataFrame({
        "athlete": ["a", "a", "a", "b"],
        "activity_id": ["1", "2", "3", "4"],
        "sport": ["running", "running", "cycling", "running"],
        "start_time_local": pl.Series([f"2025-01-{d:02d} 08:00" for d in (6, 20, 21, 7)]).str.to_datetime(),
        "distance_m": [10000.0, 4000.0, 30000.0, 5000.0],
    })
    acts = schema.conform(acts, schema.ACTIVITIES)
    found = schema.conform(pl.DataFrame({"athlete": ["a", "a", "b"], "rule": ["session_spike", "session_spike",
                                                                               "no_rest"]}), schema.FLAGS)
    out = cohort(acts, found).to_dicts()
    a, b = out
    # a: weeks of 6, 13 (no run) and 20 January: 10 km, 0 km, 4 km
    assert (a["weeks"], a["runs"], a["weekly_distance_p50_m"]) == (3, 2, 4000.0)
    assert a["weekly_distance_p10_m"] == pytest.approx(800.0) and a["weekly_distance_p90_m"] == pytest.approx(8800.0)
    assert a["flags_per_100_runs"] == 100.0 and a["flags_per_100_runs_session_spike"] == 100.0
    assert b["flags_per_100_runs_no_rest"] == 100.0 and b["flags_per_100_runs_session_spike"] == 0.0
    standing = cohort_standing(cohort(acts, found))
    assert standing.schema == pl.Schema(STANDING)
    assert standing.rows() == [("a", 50.0, 100.0), ("b", 100.0, 100.0)]


def test_the_team_overview_standing_from_report_inputs(tmp_path: Path) -> None:
    small = make_cohort_store(tmp_path / "store", 6, days=42)
    runners = [report_inputs(small, runner_name(i)) for i in range(6)]
    standing = runner_standing(runners)
    assert standing["athlete"].to_list() == [runner_name(i) for i in range(6)]
    # six runners of distinct volume: percentiles 100/6 .. 100, in the order of their median week
    by_volume = standing.sort("weekly_distance_p50_m")["weekly_distance_percentile"].to_list()
    assert by_volume == pytest.approx([100 * (i + 1) / 6 for i in range(6)])
    assert standing["flag_rate_percentile"].drop_nulls().len() == 6
    assert runner_standing([]).height == 0


def test_a_plain_flags_never_imports_dask(store: Store) -> None:
    code = (
        "import sys; from runback.cli import run; "
        f"code = run(['flags', '--store', {str(store.root)!r}, '--format', 'csv']); "
        "print(code, sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "0 []"


def test_cohort_of_an_empty_store_says_so(tmp_path: Path) -> None:
    table = invoke("cohort", "--store", str(tmp_path / "empty"))
    assert table.exit_code == 0 and table.stdout == "" and "no runners yet" in table.stderr
    as_json = invoke("cohort", "--store", str(tmp_path / "empty"), "--format", "json")
    assert as_json.exit_code == 0 and json.loads(as_json.stdout) == []


def test_a_bad_local_scheduler_is_one_error_line(tmp_path: Path) -> None:
    result = invoke("flags", "--store", str(tmp_path), "--scheduler", "local:0")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "Error: --scheduler 'local:0': write local, local:N (N workers, at least 1) or an address"
    ]
