"""Device wellness through the store, the CLI, the stress_or_poor_sleep rule and the report (issue 12)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import polars as pl

from clirun import invoke
from runback import schema
from runback.model import flags
from runback.pain.rules import stress_or_poor_sleep
from runback.store import open_store
from test_wellness import EXPECTED, SLEEP, UDS, UPLOADS, days, garmin_zip, night


def test_the_store_keeps_wellness_once_and_adds_later_values(tmp_path: Path) -> None:
    st = open_store(tmp_path / "store")
    st.import_paths([garmin_zip(tmp_path / "old.zip", uds=b"[]")], athlete="anna")
    assert st.wellness("anna")["stress_avg"].to_list() == [None, None]
    again = st.import_paths([garmin_zip(tmp_path / "old.zip", uds=b"[]")], athlete="anna")
    assert again.wellness_days == 0 and st.wellness("anna").height == 2
    st.import_paths([garmin_zip(tmp_path / "new.zip")], athlete="anna")
    assert days(st.wellness("anna")) == EXPECTED
    assert st.wellness().schema == pl.Schema(schema.WELLNESS)


def test_wellness_list_prints_the_days(tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert invoke("import", garmin_zip(tmp_path / "g.zip"), "--store", store, "--athlete", "anna", "-q").exit_code == 0
    out = invoke("wellness", "list", "--store", store, "--format", "json")
    assert out.exit_code == 0, out.output
    rows = json.loads(out.stdout)
    assert [r["date"] for r in rows] == ["2022-12-09", "2022-12-10"]
    assert rows[1]["sleep_score"] == 51.0 and rows[1]["stress_avg"] == 58.0
    table = invoke("wellness", "list", "--store", store)
    assert "sleep_score" in table.stdout
    empty = invoke("wellness", "list", "--store", tmp_path / "empty")
    assert empty.exit_code == 0 and "no sleep or stress" in empty.stderr


def _hard_day(acts: pl.DataFrame) -> pl.DataFrame:
    """A load flag on the run's day (as too few rest days would raise), so the run counts as hard."""
    day = acts["start_time_local"].dt.date()[0]
    return schema.conform(pl.DataFrame({"athlete": ["anna"], "date": [day], "rule": ["no_rest"]}), schema.FLAGS)


def test_the_watchs_poor_night_flags_a_hard_run_the_journal_does_not_cover(tmp_path: Path) -> None:
    # a poor night before the run of 9 Dec: 4.8 h asleep, score 45 on the watch
    poor = [night("2022-12-09", "2022-12-09T01:00:00.0", "2022-12-09T06:00:00.0", 3600, 10800, 3000, 600, 45)]
    st = open_store(tmp_path / "store")
    st.import_paths([garmin_zip(tmp_path / "poor.zip", sleep=json.dumps(poor).encode())], athlete="anna")
    acts, wellness = st.activities("anna"), st.wellness("anna")
    no_journal = schema.empty(schema.JOURNAL)
    found = stress_or_poor_sleep(no_journal, acts, _hard_day(acts), wellness)
    row = found.row(0, named=True)
    assert found.height == 1 and row["value"] == (3600 + 10800 + 3000) / 3600 and row["threshold"] == 7.0
    assert "on your watch" in row["message_en"] and "horloge" in row["message_nl"]
    assert "a sleep score of 45" in row["message_en"]
    # a good night on the watch (EXPECTED: 7.1 h, score 82, stress 31) raises nothing
    st2 = open_store(tmp_path / "store2")
    st2.import_paths([garmin_zip(tmp_path / "good.zip")], athlete="anna")
    assert stress_or_poor_sleep(no_journal, st2.activities("anna"), _hard_day(acts), st2.wellness("anna")).is_empty()
    # the journal wins: a good night logged that day silences the watch
    journal = schema.conform(
        pl.DataFrame({"athlete": ["anna"], "date": [row["date"]], "pain": [0], "timing": ["other"],
                      "sleep_h": [8.5], "entry_id": ["e1"]}),
        schema.JOURNAL,
    )
    assert stress_or_poor_sleep(journal, acts, _hard_day(acts), wellness).is_empty()
    # runback.flags routes the device's nights to the rule, with or without a journal, and knows its thresholds
    routed = flags(acts, st.samples("anna"), wellness=wellness, poor_sleep_score=50, high_device_stress=60)
    assert set(routed["rule"].to_list()) <= {"stress_or_poor_sleep", "session_spike"}


def test_the_report_shows_the_watchs_sleep_beside_the_journal(tmp_path: Path) -> None:
    st = open_store(tmp_path / "store")
    st.import_paths([garmin_zip(tmp_path / "g.zip")], athlete="anna")
    journal = tmp_path / "j.csv"
    journal.write_text("date,pain,timing,sleep_h\n2022-12-09,2,after,6.5\n", encoding="utf-8")
    assert invoke("pain", "import", journal, "--store", st.root, "--athlete", "anna").exit_code == 0
    out = tmp_path / "r.html"
    assert invoke("report", "--store", st.root, "-o", out).exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert "sleep, from the watch (hours)" in page
    with zipfile.ZipFile(tmp_path / "g.zip") as zf:
        assert {SLEEP, UDS, UPLOADS} <= set(zf.namelist())
