"""`runback import` and `runback activities`, run in-process."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from runback import schema
from clirun import invoke

DATA = "corriporai-runpandas/runpandas/tests/io/data"


@pytest.fixture
def runs(corpus: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "runs"
    folder.mkdir()
    for name in ("tcx/basic.tcx", "tcx/run_garmin.tcx", "gpx/stopped_example.gpx", "tcx/stopped_example.tcx"):
        shutil.copy(corpus / DATA / name, folder)
    return folder


def test_import_prints_the_summary_and_activities_lists_them(runs: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    result = invoke(*["import", str(runs), "--store", str(store), "--athlete", "bram", "--quiet"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines == [
        "imported: 3 file(s), 3 activities",
        "already present: 0",
        "duplicates: 1",
        # which copy of the run was kept, and why (issue: the decision is listed in the summary)
        f"  {runs / 'stopped_example.gpx'}: same run as {runs / 'stopped_example.tcx'} (overlap 100% of the "
        f"shorter); kept {runs / 'stopped_example.tcx'}: TCX is richer than GPX",
        "skipped (not an activity): 0",
        "failed: 0",
    ]
    again = invoke(*["import", str(runs), "--store", str(store), "--athlete", "bram"])
    assert again.exit_code == 0
    assert "already present: 4" in again.stdout.splitlines()

    as_json = invoke(*["activities", "--store", str(store), "--format", "json"])
    assert as_json.exit_code == 0
    rows = json.loads(as_json.stdout)
    assert len(rows) == 3 and all(list(r) == list(schema.ACTIVITIES) for r in rows)
    assert {r["athlete"] for r in rows} == {"bram"}

    as_csv = invoke(*["activities", "--store", str(store), "--format", "csv", "--athlete", "bram"])
    assert as_csv.stdout.splitlines()[0] == ",".join(schema.ACTIVITIES)
    assert len(as_csv.stdout.splitlines()) == 4

    table = invoke(*["activities", "--store", str(store)])
    assert table.exit_code == 0
    assert "start_time_local" in table.stdout and "run_garmin" not in table.stdout
    assert table.stdout.count("bram") == 3


def test_activities_of_an_empty_store(tmp_path: Path) -> None:
    result = invoke(*["activities", "--store", str(tmp_path / "none"), "--format", "json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


def test_activities_of_an_unknown_athlete_names_the_known_ones(runs: Path, tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    assert invoke(*["import", str(runs), "--store", store, "--athlete", "bram", "-q"]).exit_code == 0
    result = invoke(*["activities", "--store", store, "--athlete", "brma", "--format", "json"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no athlete 'brma' in the store") and "athletes: bram" in result.stderr
    assert result.stdout == ""


def test_bad_athlete_is_one_error_line(runs: Path, tmp_path: Path) -> None:
    result = invoke(*["import", str(runs), "--store", str(tmp_path / "s"), "--athlete", "../x"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: athlete name '../x' cannot be used")
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_commands_have_help() -> None:
    for command in ("import", "activities"):
        result = invoke(*[command, "--help"])
        assert result.exit_code == 0 and "--store" in result.stdout


def test_a_journal_csv_is_pointed_to_pain_import(tmp_path: Path) -> None:
    journal = tmp_path / "journal.csv"
    journal.write_text("date,time,pain,timing\n2026-01-05,08:00,3,after\n", encoding="utf-8")
    result = invoke("import", str(journal), "--store", str(tmp_path / "s"), "-q")
    assert result.exit_code == 1
    assert result.stderr == (f"Error: {journal} looks like a pain journal (date, pain, timing): "
                             f"import it with `runback pain import {journal}`\n")
    assert not (tmp_path / "s" / "activities").exists()


def test_activities_table_of_an_empty_store_says_so(tmp_path: Path) -> None:
    result = invoke("activities", "--store", str(tmp_path / "none"))
    assert result.exit_code == 0 and result.stdout == "" and result.stderr == "no activities stored\n"
