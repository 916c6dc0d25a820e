"""The runner's corrections and `runback check` from the command line, on the sample runner's real files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from clirun import invoke

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "anna"


@pytest.fixture()
def store(tmp_path: Path) -> Path:
    files = sorted(SAMPLE.glob("2025-05-1*.fit"))
    if not files:
        pytest.skip("sample_data/ not found")
    runs = tmp_path / "runs"
    runs.mkdir()
    for f in files:
        shutil.copy(f, runs / f.name)
    root = tmp_path / "store"
    result = invoke("import", runs, "--store", root, "--athlete", "anna", "-q")
    assert result.exit_code == 0, result.output
    return root


def _activities(root: Path, *extra: str) -> list[dict[str, Any]]:
    result = invoke("activities", "--store", root, "--format", "json", *extra)
    assert result.exit_code == 0, result.output
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def test_exclude_include_set_and_merge_change_what_is_counted(store: Path) -> None:
    before = _activities(store)
    first, second = before[0]["activity_id"], before[1]["activity_id"]

    out = invoke("activities", "exclude", first[:8], "--store", store, "--note", "watch left on")
    assert out.exit_code == 0, out.output
    assert f"runback activities include {first}" in out.stdout
    assert first not in {r["activity_id"] for r in _activities(store)}
    raw = {r["activity_id"]: r for r in _activities(store, "--all")}
    assert len(raw) == len(before) and raw[first]["activity_id"] == first
    table = invoke("activities", "--store", store, "--all")
    assert "not counted: excluded" in table.stdout

    assert invoke("activities", "--store", store, "include", first).exit_code == 0
    assert {r["activity_id"] for r in _activities(store)} == {r["activity_id"] for r in before}

    out = invoke("activities", "set", second, "--sport", "walking", "--store", store)
    assert out.exit_code == 0, out.output
    sports = {r["activity_id"]: r["sport"] for r in _activities(store)}
    assert sports[second] == "walking"
    flags = json.loads(invoke("flags", "--store", store, "--format", "json").stdout)
    assert second not in {f["activity_id"] for f in flags}

    out = invoke("activities", "merge", first, before[2]["activity_id"], "--store", store)
    assert out.exit_code == 0, out.output
    assert len(_activities(store)) == len(before) - 1


def test_an_unknown_id_is_one_clear_line(store: Path) -> None:
    out = invoke("activities", "exclude", "zzzzzzzz", "--store", store)
    assert out.exit_code == 1
    assert "zzzzzzzz" in out.stderr and "runback activities" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_check_lists_the_profile_and_says_how_to_fix(store: Path) -> None:
    out = invoke("check", "--store", store, "--format", "json")
    assert out.exit_code == 0, out.output
    rows = json.loads(out.stdout)
    checks = {r["check"] for r in rows}
    assert "profile" in checks
    table = invoke("check", "--store", store)
    assert table.exit_code == 0 and "profile" in table.stdout
    unknown = invoke("check", "--store", store, "--athlete", "nobody")
    assert unknown.exit_code == 1 and "nobody" in unknown.stderr
