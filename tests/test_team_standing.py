"""The coach overview says where each runner sits in the group (issue 16's cohort view)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from runback.cohort import runner_standing
from runback.report import write_team_report
from runback.report._inputs import report_inputs
from runback.store import open_store

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


def test_the_overview_shows_each_runners_percentile_in_the_group(tmp_path: Path) -> None:
    anna = sorted((SAMPLE / "anna").glob("2025-05-*.fit"))
    bram = sorted((SAMPLE / "bram").glob("2025-03-*.gpx"))
    if not anna or not bram:
        pytest.skip("sample_data/ not found")
    st = open_store(tmp_path / "store")
    st.import_paths(anna, athlete="anna", workers=1)
    st.import_paths(bram, athlete="bram", workers=1)
    standing = runner_standing([report_inputs(st, a) for a in ("anna", "bram")])
    places = {r["athlete"]: r["weekly_distance_percentile"] for r in standing.iter_rows(named=True)}
    assert sorted(places.values()) == [50.0, 100.0]  # two runners: one at or below half, one at the top
    index = write_team_report(st, tmp_path / "team").read_text(encoding="utf-8")
    assert "Against the group" in index
    for athlete, pct in places.items():
        row = re.search(rf'href="{athlete}.html".*?</tr>', index, flags=re.S)
        assert row is not None and f"weekly km: percentile {pct:.0f}" in row.group(0)


def test_one_runner_has_no_group_to_stand_in(tmp_path: Path) -> None:
    files = sorted((SAMPLE / "anna").glob("2025-05-1*.fit"))
    if not files:
        pytest.skip("sample_data/ not found")
    st = open_store(tmp_path / "store")
    st.import_paths(files, athlete="anna", workers=1)
    index = write_team_report(st, tmp_path / "team").read_text(encoding="utf-8")
    assert "Against the group" not in index
