"""Fuzzing the store's recovery: random damage, then `doctor --repair`, always leaves a readable store.

Bounded for CI (a few seconds).  For a longer run::

    RUNBACK_FUZZ_EXAMPLES=2000 python -m pytest -q tests/test_store_fuzz.py
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

import runback.store as store_mod
from runback.store import Store, doctor, open_store
from runback.summaries import summarize_samples
from test_store_doctor import write_runs

EXAMPLES = int(os.environ.get("RUNBACK_FUZZ_EXAMPLES", "30"))

DAMAGE = st.lists(
    st.tuples(
        st.sampled_from(["flip", "truncate", "delete", "stray", "manifest_gone", "manifest_garbage",
                         "history_gone", "tmp"]),
        st.integers(min_value=0, max_value=10**9),
    ),
    min_size=1,
    max_size=4,
)


@pytest.fixture(scope="module")
def template() -> Iterator[tuple[Path, Path]]:
    """A store with four imports (one of them a merge), and its source files; built once."""
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        runs = write_runs(base / "runs", range(1, 9))
        store = open_store(base / "store")
        old = store_mod.MAX_PARTS
        store_mod.MAX_PARTS = 3
        try:
            for i in range(4):
                assert store.import_paths(runs[2 * i : 2 * i + 2], workers=1).ok
        finally:
            store_mod.MAX_PARTS = old
        yield base / "store", base / "runs"


def _parts(root: Path) -> list[Path]:
    return sorted(p for t in ("activities", "samples", "laps", "summaries") for p in (root / t).rglob("*.parquet"))


def _damage(store: Store, how: str, n: int) -> set[str]:
    """Do one kind of damage; return the names of the parts whose content was damaged."""
    root = store.root
    parts = _parts(root)
    victim = parts[n % len(parts)] if parts else None
    if victim is not None and victim.stat().st_size == 0:
        victim = None  # truncated to nothing already
    if how == "flip" and victim is not None:
        data = bytearray(victim.read_bytes())
        bit = n % (len(data) * 8)
        data[bit // 8] ^= 1 << (bit % 8)
        victim.write_bytes(bytes(data))
        return {victim.name}
    if how == "truncate" and victim is not None:
        whole = victim.read_bytes()
        victim.write_bytes(whole[: n % len(whole)])
        return {victim.name}
    if how == "delete" and victim is not None:
        victim.unlink()
        return {victim.name}
    if how == "stray" and victim is not None:
        (victim.parent / f"part-stray{n}.parquet").write_bytes(victim.read_bytes())
    if how == "manifest_gone":
        store._manifest_path("me").unlink(missing_ok=True)
    if how == "manifest_garbage":
        path = store._manifest_path("me")
        path.write_bytes(os.urandom(n % 64) + b"{")
    if how == "history_gone":
        history = store._history("me")
        if history:
            history[n % len(history)].unlink()
    if how == "tmp":
        (root / "samples" / "athlete=me" / f".part-x.parquet.{n}.tmp").write_bytes(b"half")
    return set()


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(damage=DAMAGE)
def test_doctor_repair_always_leaves_a_readable_store(
    template: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory, damage: list[tuple[str, int]]
) -> None:
    source, runs = template
    root = tmp_path_factory.mktemp("fuzz") / "store"
    shutil.copytree(source, root)
    store = open_store(root)
    before = store.activities()
    by_part = {  # which activities each activities part holds
        name: set(pl.read_parquet(root / "activities" / "athlete=me" / name)["activity_id"])
        for name in store.manifest("me")["parts"]["activities"]
    }
    damaged: set[str] = set()
    for how, n in damage:
        damaged |= _damage(store, how, n)

    doctor(store, repair=True)
    assert doctor(store).ok, doctor(store).problems
    acts, samples = store.activities(), store.samples()
    assert samples.height == acts["n_samples"].sum()
    assert set(samples["activity_id"]) <= set(acts["activity_id"])
    assert_frame_equal(store.summaries(corrected=False).sort("activity_id"),
                       summarize_samples(store.samples(corrected=False)).sort("activity_id"))
    # nothing that was not damaged is lost
    undamaged = {a for name, ids in by_part.items() if name not in damaged for a in ids}
    assert undamaged <= set(acts["activity_id"])
    # and importing the same files again brings back what was damaged
    assert store.import_paths(runs, workers=1).ok
    assert sorted(store.activities()["start_time_utc"]) == sorted(before["start_time_utc"])
    assert doctor(store).ok
    assert_frame_equal(store.summaries(corrected=False).sort("activity_id"),
                       summarize_samples(store.samples(corrected=False)).sort("activity_id"))
    assert not list(root.rglob("*.tmp"))
