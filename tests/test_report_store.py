"""Reports end to end: files through the real importer into a store, the real model, the CLI.

Uses six weeks of the bundled sample runner anna (FIT files and her pain
journal; what the data contains is described in sample_data/README.md) and
real GPX files from the corpus.
"""

from __future__ import annotations

import csv
import datetime as dt
import webbrowser
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

import runback.cli  # noqa: F401  (registers the commands)
from runback.cli._app import app
from runback.pain.journal import import_journal_csv
from runback.report import run_spikes, runner_report, write_runner_report, write_team_report
from runback.report._i18n import ADVICE, T
from runback.report._inputs import report_inputs
from runback.store import open_store

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_data"
FIRST, LAST = "2025-05-01", "2025-06-10"


def _window(rows: list[list[str]]) -> list[list[str]]:
    return [rows[0]] + [r for r in rows[1:] if FIRST <= r[0] <= LAST]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """anna: her FIT runs and journal of 1 May - 10 June 2025; gpx: corpus GPX files (no sport recorded)."""
    if not (SAMPLE / "anna" / "pain_journal.csv").is_file():
        pytest.skip("sample_data/ not found")
    root = tmp_path_factory.mktemp("report-store")
    st = open_store(root / "store")
    files = [p for p in sorted((SAMPLE / "anna").glob("*.fit")) if FIRST <= p.name[:10] <= LAST]
    summary = st.import_paths(files, athlete="anna", workers=1)
    assert summary.failed == [] and len(summary.imported) == len(files)
    with (SAMPLE / "anna" / "pain_journal.csv").open(newline="", encoding="utf-8") as fh:
        rows = _window(list(csv.reader(fh)))
    journal = root / "journal.csv"
    with journal.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    assert import_journal_csv(st, journal, athlete="anna") == len(rows) - 1
    corpus = REPO.parent / "shared" / "corpus" / "corriporai-runpandas" / "examples" / "session"
    gpx = sorted(corpus.glob("*.gpx"))[:6]
    if gpx:
        st.import_paths(gpx, athlete="gpx", workers=1)
    return st


def test_runner_report_from_the_store_says_what_the_model_found(store: Any) -> None:
    html = runner_report(store, "anna")
    status = html[html.index('id="status"'):html.index('id="weekly"')]
    # sample_data/README.md: 1 June, 18.5 km after a longest run of 13 km in the 30 days before: +42%
    assert "From 28 May 2025 to 10 Jun 2025." in status
    assert "This 18.5 km run was 42% longer than your longest run in the previous 30 days" in status
    # back pain 6/10 during the run of 4 June: the most severe flag comes first
    assert status.index("Back pain during or right after a run") < status.index("Run much longer than recent runs")
    for rule in ("pain_during_run", "session_spike", "stress_or_poor_sleep"):
        assert ADVICE[rule]["en"] in status, rule
    # the 45% weekly jump of 12 May and the 9 days in a row are before the last two weeks: table only
    table = html[html.index('<table class="sortable flags">'):]
    assert "+45%" in table and "You ran on 9 days in a row, from 13 May 2025" in table
    assert "weekly_jump" not in status
    # the profile used: estimated values, said so
    profile = html[html.index('id="profile"'):html.index("<footer>")]
    assert "190 beats/min" in profile and "estimated (highest heart rate held over 5 samples)" in profile


def test_session_chart_agrees_with_the_session_spike_rule(store: Any) -> None:
    frames = report_inputs(store, "anna")
    flagged = frames["flags"].filter(pl.col("rule") == "session_spike", pl.col("value").is_not_null())
    assert flagged.height >= 1
    spikes = run_spikes(frames["activities"]).join(flagged.select("activity_id", "value"), on="activity_id")
    assert spikes.height == flagged.height
    assert spikes["ratio"].to_list() == pytest.approx(spikes["value"].to_list())


def test_report_of_real_gpx_without_a_sport(store: Any) -> None:
    html = runner_report(store, "gpx", lang="nl")
    # the corpus GPX files record no activity type; at running speed the load model counts them
    # as runs (runback.load._sport), and the report counts what the model counts
    frames = report_inputs(store, "gpx")
    n_runs = int(frames["daily"]["n_runs"].sum())
    assert n_runs == 6
    assert f"Loopsessies<b>{n_runs}</b>" in html
    assert T["no_runs"]["nl"] not in html


def test_since_is_checked_and_applied(store: Any, tmp_path: Path) -> None:
    path = write_runner_report(store, "anna", tmp_path / "r.html", since=dt.date(2025, 6, 1), lang="nl")
    html = path.read_text(encoding="utf-8")
    assert "1 jun 2025 – 10 jun 2025" in html
    table = html[html.index('<table class="sortable flags">'):]
    table = table[: table.index("</table>")]
    assert "+42%" in table  # 1 June
    assert "+45%" not in table  # the weekly jump of 12 May is before the period


def test_cli_report_needs_an_athlete_when_there_are_several(store: Any, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["report", "--store", str(store.root), "-o", str(tmp_path / "x.html")])
    assert result.exit_code == 1
    assert "choose one with --athlete: anna, gpx" in result.output
    assert "Traceback" not in result.output
    result = CliRunner().invoke(app, ["report", "--store", str(store.root), "--athlete", "carl"])
    assert result.exit_code == 1 and "no athlete 'carl'" in result.output
    result = CliRunner().invoke(app, ["report", "--store", str(store.root), "--athlete", "anna", "--since", "june"])
    assert result.exit_code == 1 and "june" in result.output
    result = CliRunner().invoke(app, ["report", "--store", str(store.root), "--athlete", "anna", "--lang", "de"])
    assert result.exit_code == 2


def test_cli_report_writes_and_opens(store: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url) or True)
    out = tmp_path / "anna-nl.html"
    result = CliRunner().invoke(
        app, ["report", "--store", str(store.root), "--athlete", "anna", "--lang", "nl", "-o", str(out), "--open"]
    )
    assert result.exit_code == 0, result.output
    assert out.is_file() and opened == [out.resolve().as_uri()]
    html = out.read_text(encoding="utf-8")
    assert '<html lang="nl">' in html and T["sec_weekly"]["nl"] in html


def test_cli_team_report(store: Any, tmp_path: Path) -> None:
    out = tmp_path / "team"
    result = CliRunner().invoke(app, ["team-report", "--store", str(store.root), "-o", str(out), "--lang", "nl"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["anna.html", "gpx.html", "index.html", "plotly.min.js"]
    index = (out / "index.html").read_text(encoding="utf-8")
    # anna (pain flags in the last 14 days) above gpx (no flags); her last pain score is from the journal
    assert index.index('href="anna.html"') < index.index('href="gpx.html"')
    assert "Rugpijn tijdens of vlak na het lopen" in index
    page = (out / "anna.html").read_text(encoding="utf-8")
    assert '<script type="text/javascript" src="plotly.min.js"></script>' in page
    assert len(page) < 400_000  # plotly.js is shared, not embedded
    assert write_team_report(store, tmp_path / "again", lang="en").name == "index.html"


def test_cli_reports_on_an_empty_store_say_so(tmp_path: Path) -> None:
    for args in (["report"], ["team-report", "-o", str(tmp_path / "team")]):
        result = CliRunner().invoke(app, [*args, "--store", str(tmp_path / "empty")])
        assert result.exit_code == 1
        assert "has no activities yet: import some first" in result.output
    assert not (tmp_path / "team").exists()


def test_cli_report_to_an_unwritable_place_is_one_clear_line(store: Any, tmp_path: Path) -> None:
    a_file = tmp_path / "a_file"
    a_file.write_text("not a folder", encoding="utf-8")
    cases = [
        (["report", "--athlete", "anna", "-o", str(tmp_path)], "cannot write the file: Is a directory"),
        (["report", "--athlete", "anna", "-o", str(a_file / "anna.html")], "is a file, not a folder"),
        (["team-report", "-o", str(a_file)], "is a file, not a folder"),
    ]
    for args, reason in cases:
        result = CliRunner().invoke(app, [*args, "--store", str(store.root)])
        assert result.exit_code == 1, result.output
        assert reason in result.output and "bug in runback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_file"]  # no temporary file left behind
