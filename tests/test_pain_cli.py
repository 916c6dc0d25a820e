"""`runback pain add|list|import|template`, in process."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest

from clirun import invoke
from runback.pain.journal import CSV_COLUMNS, read_journal

HEADER = ",".join(CSV_COLUMNS)


@pytest.fixture
def run():
    return invoke


def test_every_pain_command_has_help(run) -> None:
    for cmd in ("add", "list", "import", "template"):
        res = run("pain", cmd, "--help")
        assert res.exit_code == 0, res.output
        assert "Usage: runback pain " + cmd in res.output


def test_add_then_list_as_json_and_csv(run, tmp_path: Path) -> None:
    store = str(tmp_path / "s")
    res = run(
        "pain", "add", "4", "--timing", "after", "--date", "2026-02-01", "--time", "18:30",
        "--sleep", "6.5", "--sleep-quality", "2", "--stress", "4", "--rpe", "7",
        "--activity", "abc", "--note", "after intervals", "--store", store, "--athlete", "anna",
    )
    assert res.exit_code == 0, res.output
    assert "Logged pain 4/10 (after) on 2026-02-01 for anna" in res.output
    res = run("pain", "add", "2", "--timing", "next_morning", "--date", "2026-02-02", "--store", store,
              "--athlete", "anna")
    assert res.exit_code == 0, res.output
    res = run("pain", "add", "2", "--timing", "next_morning", "--date", "2026-02-02", "--store", store,
              "--athlete", "anna")
    assert res.exit_code == 0 and "Already in the journal" in res.output

    res = run("pain", "list", "--store", store, "--format", "json")
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    assert [r["pain"] for r in rows] == [4, 2]
    first = rows[0]
    assert first["date"] == "2026-02-01" and first["time"] == "18:30:00"
    assert (first["sleep_h"], first["sleep_quality"], first["stress"], first["rpe"]) == (6.5, 2, 4, 7.0)
    assert first["activity_id"] == "abc" and first["note"] == "after intervals"
    assert first["location"] == "low back" and rows[1]["location"] == "low back"

    res = run("pain", "list", "--store", store, "--athlete", "nobody", "--format", "csv")
    assert res.exit_code == 0
    assert res.output.splitlines() == [",".join(["athlete", *CSV_COLUMNS[:-1], "note", "entry_id"])]


def test_bad_values_give_one_clear_error_not_a_traceback(run, tmp_path: Path) -> None:
    store = tmp_path / "s"
    res = run("pain", "add", "11", "--timing", "whenever", "--store", str(store))
    assert res.exit_code == 1
    assert "Traceback" not in res.output
    assert "pain must be a whole number 0-10, got 11" in res.output
    assert "timing must be one of during, after, next_morning, other" in res.output
    future = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    res = run("pain", "add", "3", "--timing", "after", "--date", future, "--store", str(store))
    assert res.exit_code == 1 and "in the future" in res.output
    assert read_journal(store).is_empty()


def test_import_lists_bad_rows_and_never_modifies_the_csv(run, tmp_path: Path) -> None:
    store = str(tmp_path / "s")
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{HEADER}\n2026-02-01,,11,after,,,,,,,\n2026-02-02,,x,during,,,,,,,\n", encoding="utf-8")
    res = run("pain", "import", str(bad), "--store", store)
    assert res.exit_code == 1
    assert "2 bad row(s), nothing imported" in res.output
    assert "line 2: pain must be a whole number 0-10, got 11" in res.output
    assert "line 3: pain must be a number, got 'x'" in res.output
    assert "Traceback" not in res.output

    good = tmp_path / "good.csv"
    good.write_text(f"{HEADER}\n2026-02-01,,3,after,,,,,,,\n2026-02-02,,1,next_morning,,,,,,,\n", encoding="utf-8")
    digest = hashlib.sha256(good.read_bytes()).hexdigest()
    res = run("pain", "import", str(good), "--store", store, "--athlete", "bram")
    assert res.exit_code == 0, res.output
    assert "Imported 2 new journal entries" in res.output
    res = run("pain", "import", str(good), "--store", store, "--athlete", "bram")
    assert "Imported 0 new journal entries" in res.output
    assert hashlib.sha256(good.read_bytes()).hexdigest() == digest
    assert read_journal(store, "bram").height == 2


def test_template_to_stdout_and_to_a_file(run, tmp_path: Path) -> None:
    res = run("pain", "template")
    assert res.exit_code == 0 and res.output == HEADER + "\n"
    target = tmp_path / "journal.csv"
    res = run("pain", "template", str(target))
    assert res.exit_code == 0 and target.read_text(encoding="utf-8") == HEADER + "\n"
    res = run("pain", "template", str(target))
    assert res.exit_code == 1 and "already exists" in res.output


def test_list_as_a_table(run, tmp_path: Path) -> None:
    store = str(tmp_path / "s")
    assert run("pain", "add", "3", "--timing", "after", "--date", "2026-02-01", "--note", "stiff", "--store", store).exit_code == 0
    res = run("pain", "list", "--store", store)
    assert res.exit_code == 0, res.output
    assert "2026-02-01" in res.output and "stiff" in res.output and "low back" in res.output


def test_without_athlete_the_entry_goes_to_the_stores_only_athlete(run, tmp_path: Path) -> None:
    """A runner imported as anna who logs pain without --athlete: anna's journal, not a second runner 'me'."""
    store = str(tmp_path / "store")
    res = run("pain", "add", "2", "--timing", "other", "--date", "2026-01-05", "--store", store)
    assert res.exit_code == 0 and "for me " in res.output  # an empty store: the default athlete
    solo = str(tmp_path / "solo")
    csv_file = tmp_path / "j.csv"
    csv_file.write_text("date,pain,timing\n2026-01-06,3,after\n", encoding="utf-8")
    assert run("pain", "add", "1", "--timing", "other", "--date", "2026-01-05",
               "--store", solo, "--athlete", "anna").exit_code == 0
    res = run("pain", "add", "4", "--timing", "after", "--date", "2026-01-06", "--store", solo)
    assert res.exit_code == 0 and "for anna " in res.output, res.output
    res = run("pain", "import", str(csv_file), "--store", solo)
    assert res.exit_code == 0 and "for anna." in res.output, res.output
    assert set(read_journal(solo)["athlete"].to_list()) == {"anna"}
    assert run("pain", "add", "1", "--timing", "other", "--store", solo, "--athlete", "bram").exit_code == 0
    res = run("pain", "add", "1", "--timing", "other", "--store", solo)
    assert res.exit_code == 1 and "choose one with --athlete: anna, bram" in res.output


def test_list_of_an_empty_journal_says_so(run, tmp_path: Path) -> None:
    res = run("pain", "list", "--store", str(tmp_path / "s"))
    assert res.exit_code == 0 and res.stdout == ""
    assert res.stderr == "no journal entries stored: log one with `runback pain add PAIN --timing WHEN`\n"
    res = run("pain", "list", "--store", str(tmp_path / "s"), "--athlete", "anna")
    assert "no journal entries stored for anna" in res.stderr
