"""`flags`, `report` and `team-report` take the same profile options and resolve them the same way.

Given values win over the profile file, which wins over estimates (runback.load.profile.resolve_store_profiles),
whichever command asks; so the flags a report shows are the flags `runback flags` prints.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from clirun import invoke
from runback.load import Profile
from runback.report._inputs import report_inputs
from runback.store import open_store

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "anna"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Seven weeks of the sample runner anna's FIT runs, with a profile file in the store."""
    files = [p for p in sorted(SAMPLE.glob("*.fit")) if "2025-04-21" <= p.name[:10] <= "2025-06-08"]
    if not files:
        pytest.skip("sample_data/ not found")
    st = open_store(tmp_path_factory.mktemp("profile-options") / "store")
    assert st.import_paths(files, athlete="anna", workers=1).failed == []
    st.profile_file("anna").parent.mkdir(parents=True, exist_ok=True)
    st.profile_file("anna").write_text('hr_max_bpm = 200\nsex = "female"\n', encoding="utf-8")
    return st


def _flag_rows(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return sorted((r["rule"], str(r["date"]), r["band"], round(r["value"], 9) if r["value"] is not None else None)
                  for r in rows)


def test_report_and_flags_resolve_the_profile_alike(store: Any) -> None:
    options = ["--hr-max", "172", "--hr-rest", "48"]
    result = invoke("flags", "--store", store.root, "--format", "json", *options)
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    given = Profile.given(hr_max_bpm=172, hr_rest_bpm=48)
    inputs = report_inputs(store, "anna", profile=given)
    assert _flag_rows(inputs.flags.to_dicts()) == _flag_rows(printed)
    # given beats the file (200), the file's sex is kept, the threshold pace is estimated
    profile = inputs.profile
    assert (profile.hr_max_bpm, profile.hr_max_bpm_source) == (172, "given")
    assert (profile.sex, profile.sex_source) == ("female", "profile file")
    assert profile.threshold_pace_s_per_km_source is not None and profile.threshold_pace_s_per_km_source.startswith("estimated")
    # without options the file's 200 bpm counts: a different HRmax gives different intensity flags
    plain = report_inputs(store, "anna")
    assert plain.profile.hr_max_bpm == 200 and plain.profile.hr_max_bpm_source == "profile file"


def test_report_and_team_report_take_the_profile_options(store: Any, tmp_path: Path) -> None:
    out = tmp_path / "anna.html"
    result = invoke("report", "--store", store.root, "-o", out, "--hr-max", "172", "--tz", "Europe/Amsterdam")
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "172" in page
    team = tmp_path / "team"
    result = invoke("team-report", "--store", store.root, "-o", team, "--threshold-pace", "5:10", "--sex", "female")
    assert result.exit_code == 0, result.output
    assert (team / "anna.html").is_file()
    bad = invoke("report", "--store", store.root, "-o", out, "--sex", "x")
    assert bad.exit_code != 0 and "--sex must be male or female" in bad.stderr


def test_a_profile_file_option_replaces_the_stores_file(store: Any, tmp_path: Path) -> None:
    other = tmp_path / "p.toml"
    other.write_text("hr_max_bpm = 181\n", encoding="utf-8")
    inputs = report_inputs(store, "anna", profile_file=other)
    assert inputs.profile.hr_max_bpm == 181 and inputs.profile.sex is None
    result = invoke("report", "--store", store.root, "-o", tmp_path / "r.html", "--profile", other)
    assert result.exit_code == 0, result.output
