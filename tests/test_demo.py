"""`runback demo` end to end, and the flags the sample data is built to raise."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from clirun import invoke
from runback.cli._demo import SAMPLE_ATHLETES, find_sample_data

REPO = Path(__file__).resolve().parents[1]


def test_finds_the_sample_data_of_this_clone() -> None:
    assert find_sample_data() == REPO / "sample_data"


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """`runback demo --out OUT --store STORE`, run once for every test here: (out, store, stdout)."""
    out = tmp_path_factory.mktemp("reports")
    store_dir = tmp_path_factory.mktemp("store")
    result = invoke(*["demo", "--out", str(out), "--store", str(store_dir)])
    assert result.exit_code == 0, result.output
    return out, store_dir, result.stdout


@pytest.fixture(scope="module")
def store(demo_run: tuple[Path, Path, str]):  # type: ignore[no-untyped-def]
    """Both sample runners and their journals, as the demo imported them."""
    from runback.store import open_store

    return open_store(demo_run[1])


def test_every_sample_activity_is_imported(store) -> None:  # type: ignore[no-untyped-def]
    acts = store.activities()
    counts = dict(acts.group_by("athlete").len().iter_rows())
    # anna: 99 FIT files; bram: 17 GPX/TCX files + 84 activities in the Strava export
    assert counts == {"anna": 99, "bram": 101}
    bram = acts.filter(pl.col("athlete") == "bram")
    assert bram.filter(pl.col("sport") == "cycling").height == 5
    assert bram.filter(pl.col("rpe").is_not_null()).height > 0  # Strava's Perceived Exertion joined
    anna = acts.filter(pl.col("athlete") == "anna")
    assert set(anna["utc_offset_source"]) == {"fit_local_timestamp"}
    assert set(anna["utc_offset_s"]) == {3600, 7200}
    # bram's GPX/TCX hold UTC only: the demo places them in Europe/Amsterdam (CET, then CEST from 30 March)
    gpx_tcx = bram.filter(pl.col("format") != "fit")
    assert set(gpx_tcx["utc_offset_source"]) == {"athlete_timezone"}
    assert set(gpx_tcx["utc_offset_s"]) == {3600, 7200}
    march = gpx_tcx.filter(pl.col("start_time_local") < dt.datetime(2025, 3, 30))
    assert march.height > 0 and set(march["utc_offset_s"]) == {3600}


def _within(flags: pl.DataFrame, athlete: str, rule: str, first: dt.date, last: dt.date) -> pl.DataFrame:
    return flags.filter(
        (pl.col("athlete") == athlete) & (pl.col("rule") == rule) & pl.col("date").is_between(first, last)
    )


@pytest.mark.parametrize(
    "athlete,ramp_week,spike_day,streak,interval_week,pain_start",
    [
        ("anna", dt.date(2025, 5, 12), dt.date(2025, 6, 1), (dt.date(2025, 5, 13), dt.date(2025, 5, 21)),
         dt.date(2025, 5, 19), dt.date(2025, 6, 1)),
        ("bram", dt.date(2025, 4, 28), dt.date(2025, 8, 2), (dt.date(2025, 4, 26), dt.date(2025, 5, 5)),
         dt.date(2025, 4, 14), dt.date(2025, 8, 2)),
    ],
)
def test_sample_runners_raise_the_flags_they_were_built_for(  # type: ignore[no-untyped-def]
    store,
    athlete: str,
    ramp_week: dt.date,
    spike_day: dt.date,
    streak: tuple[dt.date, dt.date],
    interval_week: dt.date,
    pain_start: dt.date,
) -> None:
    import runback.model
    from runback.pain.journal import read_journal

    flags = runback.model.flags(store.activities(), store.samples(), journal=read_journal(store))
    week = dt.timedelta(days=6)

    jump = _within(flags, athlete, "weekly_jump", ramp_week, ramp_week + week)
    assert jump.height >= 1 and jump["value"].max() > 0.30

    spike = _within(flags, athlete, "session_spike", spike_day, spike_day)
    assert spike["band"].to_list() == ["moderate"]
    assert 0.30 < spike["value"][0] <= 1.0

    assert _within(flags, athlete, "intensity_jump", interval_week, interval_week + week).height >= 1
    assert _within(flags, athlete, "no_rest", streak[0], streak[1] + dt.timedelta(days=1)).height >= 1

    pain_rules = set(_within(flags, athlete, "pain_during_run", pain_start, pain_start + dt.timedelta(days=30))["rule"])
    pain_rules |= set(_within(flags, athlete, "pain_next_morning", pain_start, pain_start + dt.timedelta(days=30))["rule"])
    assert pain_rules == {"pain_during_run", "pain_next_morning"}
    assert _within(flags, athlete, "stress_or_poor_sleep", dt.date(2025, 3, 3), dt.date(2025, 8, 17)).height >= 1
    # the episode fades: nothing says it lasted more than a month
    assert flags.filter((pl.col("athlete") == athlete) & (pl.col("rule") == "pain_persistent")).height == 0
    # and nothing before the first flag of the period is about pain
    first_pain = flags.filter(
        (pl.col("athlete") == athlete) & pl.col("rule").is_in(["pain_during_run", "pain_next_morning"])
    )["date"].min()
    assert first_pain >= pain_start


def test_demo_writes_both_reports_and_the_overview(demo_run: tuple[Path, Path, str]) -> None:
    out, _, stdout = demo_run
    lines = [line for line in stdout.splitlines() if ": " in line]
    printed = {line.split(": ", 1)[0]: Path(line.split(": ", 1)[1]) for line in lines}
    assert set(printed) == {"anna", "bram", "coach overview"}
    assert printed["anna"] == out / "anna.html" and printed["bram"] == out / "bram.html"
    assert printed["coach overview"] == out / "coach" / "index.html"
    for label, path in printed.items():
        assert path.is_file(), label
        html = path.read_text(encoding="utf-8")
        assert html.lstrip().lower().startswith("<!doctype html")
    overview = printed["coach overview"].read_text(encoding="utf-8")
    assert "anna" in overview and "bram" in overview


def test_demo_store_is_temporary_unless_asked_and_open_shows_the_overview(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without --store nothing is left behind but the reports (the store lives in a TemporaryDirectory)."""
    import runback.cli._demo as demo

    made: list[Path] = []
    real = demo.tempfile.TemporaryDirectory

    class Spy(real):  # type: ignore[misc, valid-type]
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            made.append(Path(self.name))

    monkeypatch.setattr(demo.tempfile, "TemporaryDirectory", Spy)
    # a data folder with no activities keeps this fast; the journals are real
    data = tmp_path / "data"
    for athlete in SAMPLE_ATHLETES:
        (data / athlete).mkdir(parents=True)
        (data / athlete / "pain_journal.csv").write_bytes(
            (REPO / "sample_data" / athlete / "pain_journal.csv").read_bytes()
        )
    opened: list[str] = []
    monkeypatch.setattr(demo.webbrowser, "open", opened.append)
    result = invoke(*["demo", "--data", str(data), "--out", str(tmp_path / "out"), "--open"])
    assert result.exit_code == 0, result.output
    assert len(made) == 1 and not made[0].exists()
    index = tmp_path / "out" / "coach" / "index.html"
    assert index.is_file()
    assert opened == [index.resolve().as_uri()]


def test_demo_without_sample_data_says_so(tmp_path: Path) -> None:
    result = invoke(*["demo", "--data", str(tmp_path / "missing"), "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "Error:" in result.output and "missing" in result.output
    assert "Traceback" not in result.output


def test_demo_out_that_is_a_file_says_so(tmp_path: Path) -> None:
    a_file = tmp_path / "reports"
    a_file.write_text("", encoding="utf-8")
    result = invoke(*["demo", "--out", str(a_file)])
    assert result.exit_code == 1
    assert f"Error: {a_file}: is a file, not a folder" in result.output
    assert "bug in runback" not in result.output


def test_reports_and_help_stand_alone(demo_run: tuple[Path, Path, str]) -> None:
    """What a user reads never points outside the repository or cites a "seed": reports (both
    languages) and every help page name Dutch physiotherapy guidance and docs/evidence.md instead."""
    import re

    from clirun import invoke
    from runback.report import write_runner_report
    from test_docs import COMMANDS

    out, store_dir, _ = demo_run
    pages = {p.name if p.parent == out else f"coach/{p.name}": p.read_text(encoding="utf-8")
             for p in [*out.glob("*.html"), *(out / "coach").glob("*.html")]}
    dutch = write_runner_report(store_dir, "anna", out / "nl" / "anna.html", lang="nl")
    pages["nl/anna.html"] = Path(dutch).read_text(encoding="utf-8")
    for path in ["", *COMMANDS]:
        pages[f"runback {path} -h"] = invoke(*path.split(), "-h").stdout
    assert len(pages) >= 5 + len(COMMANDS)
    for name, text in pages.items():
        assert "../shared" not in text and "EVIDENCE.md" not in text, name
        assert re.findall(r"\bseeds?\b", text, flags=re.I) == [], name
    assert "Dutch physiotherapy guidance" in pages["anna.html"]
    assert "Nederlands fysiotherapeutisch advies" in pages["nl/anna.html"]


def test_open_without_a_browser_says_where_the_report_is(demo_run: tuple[Path, Path, str], tmp_path: Path) -> None:
    """`--open` on a server (no display, no browser): the report is written and its path printed."""
    import os
    import subprocess
    import sys

    _, store_dir, _ = demo_run
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    # no browser to find: a BROWSER that does not exist, and a PATH with Python only
    env.update(BROWSER=str(tmp_path / "no-such-browser"), PATH=str(Path(sys.executable).parent),
               PYTHONPATH=os.pathsep.join([str(REPO / "src"), env.get("PYTHONPATH", "")]))
    target = tmp_path / "anna.html"
    proc = subprocess.run(
        [sys.executable, "-m", "runback", "report", "--store", str(store_dir), "--athlete", "anna",
         "-o", str(target), "--open"],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert target.is_file()
    assert f"could not open a web browser here; open {target.resolve()} yourself" in proc.stderr
