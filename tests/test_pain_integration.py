"""The journal inside the load model: runback.flags(journal=...), session-RPE, and `runback flags`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

import runback.cli  # noqa: F401  (registers the commands)
from runback import schema
from runback.cli._app import app
from runback.load import daily_load
from runback.model import flags
from runback.pain.journal import add_entry, apply_journal_rpe
from runback.pain.rules import PAIN_RULES

START = dt.date(2026, 1, 5)  # a Monday


def day(n: int) -> dt.date:
    return START + dt.timedelta(days=n)


def _activities() -> pl.DataFrame:
    """5 km every other day for 6 weeks, then a 15 km run on day 42 (3x the longest: session_spike, large)."""
    rows = []
    for n in [*range(0, 42, 2), 42]:
        km = 15.0 if n == 42 else 5.0
        start = dt.datetime.combine(day(n), dt.time(8))
        rows.append({
            "activity_id": f"r{n}", "athlete": "anna", "source": "test", "format": "fit", "sport": "running",
            "start_time_local": start, "start_time_utc": start.replace(tzinfo=dt.timezone.utc),
            "utc_offset_s": 0, "utc_offset_source": "fit_local_timestamp",
            "elapsed_s": km * 330, "moving_s": km * 330, "distance_m": km * 1000, "avg_speed_mps": 1000 / 330,
        })
    return schema.conform(pl.DataFrame(rows), schema.ACTIVITIES)


def _journal() -> pl.DataFrame:
    rows = [
        # day 42 morning (before the run) 2/10, 5.5 h sleep; 6/10 right after the 15 km run (RPE 8);
        # next morning 5/10: +3 points.
        {"date": day(42), "time": dt.time(7), "pain": 2, "timing": "other", "sleep_h": 5.5},
        {"date": day(42), "time": dt.time(10), "pain": 6, "timing": "after", "rpe": 8.0},
        {"date": day(43), "time": dt.time(7), "pain": 5, "timing": "next_morning"},
    ]
    df = pl.DataFrame([{"athlete": "anna", "entry_id": f"e{i}", **r} for i, r in enumerate(rows)])
    return schema.conform(df, schema.JOURNAL)


def test_flags_returns_journal_rules_beside_load_rules() -> None:
    acts = _activities()
    without = flags(acts)
    assert "session_spike" in without["rule"].to_list()
    assert not set(without["rule"]) & set(PAIN_RULES)

    out = flags(acts, None, journal=_journal())
    assert out.columns == list(schema.FLAGS)
    on_42 = out.filter(pl.col("date") == day(42))
    assert set(on_42["rule"]) >= {"session_spike", "pain_during_run", "pain_next_morning", "stress_or_poor_sleep"}
    by_rule = {r["rule"]: r for r in on_42.iter_rows(named=True)}
    assert by_rule["pain_during_run"]["band"] == "too_much" and by_rule["pain_during_run"]["activity_id"] == "r42"
    assert by_rule["pain_next_morning"]["value"] == 3.0 and by_rule["pain_next_morning"]["baseline"] == 2.0
    sleep = by_rule["stress_or_poor_sleep"]
    assert sleep["activity_id"] == "r42" and "a run much longer than your recent runs" in sleep["message_en"]
    # The load rules are unchanged by the journal; sorted by athlete, date, rule.
    load_only = out.filter(~pl.col("rule").is_in(list(PAIN_RULES)))
    assert load_only.select("date", "rule", "activity_id").equals(without.select("date", "rule", "activity_id"))
    assert out.select("athlete", "date", "rule").equals(out.select("athlete", "date", "rule").sort("athlete", "date", "rule"))


def test_journal_rpe_feeds_session_rpe() -> None:
    acts = _activities()
    filled = apply_journal_rpe(acts, _journal())
    assert filled.filter(pl.col("activity_id") == "r42")["rpe"].item() == 8.0
    daily = daily_load(filled).filter(pl.col("date") == day(42))
    # session-RPE = CR-10 rating x minutes (Foster 2001): 8 x 15 km x 330 s/km / 60 = 660 AU.
    assert daily["srpe_au"].item() == pytest.approx(8 * 15 * 330 / 60)


def _gpx(path: Path, start: dt.datetime, km: float) -> None:
    """A straight-line run at 3 m/s with a point every 10 s (about 30 m apart along a meridian)."""
    points = []
    n = int(km * 1000 / 30)
    for i in range(n + 1):
        t = start + dt.timedelta(seconds=10 * i)
        lat = 52.0 + i * 30 / 111_195  # 30 m north per point
        points.append(f'<trkpt lat="{lat:.7f}" lon="5.0000000"><time>{t:%Y-%m-%dT%H:%M:%SZ}</time></trkpt>')
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx version="1.1" creator="runback-test" xmlns="http://www.topografix.com/GPX/1/1">'
        f'<trk><name>run</name><type>running</type><trkseg>{"".join(points)}</trkseg></trk></gpx>\n',
        encoding="utf-8",
    )


def test_runback_flags_cli_uses_the_stored_journal(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    runs.mkdir()
    _gpx(runs / "a.gpx", dt.datetime(2026, 2, 2, 8), 3.0)
    _gpx(runs / "b.gpx", dt.datetime(2026, 2, 4, 8), 3.0)
    store = tmp_path / "store"
    runner = CliRunner()
    res = runner.invoke(app, ["import", str(runs), "--store", str(store), "--athlete", "anna", "--quiet"])
    assert res.exit_code == 0, res.output

    res = runner.invoke(app, ["flags", "--store", str(store), "--format", "json"])
    assert res.exit_code == 0, res.output
    assert not {f["rule"] for f in json.loads(res.output)} & set(PAIN_RULES)

    add_entry(store, 7, "after", date="2026-02-04", athlete="anna")
    res = runner.invoke(app, ["flags", "--store", str(store), "--format", "json"])
    assert res.exit_code == 0, res.output
    pain = [f for f in json.loads(res.output) if f["rule"] == "pain_during_run"]
    assert len(pain) == 1
    assert pain[0]["date"] == "2026-02-04" and pain[0]["band"] == "too_much" and pain[0]["value"] == 7.0


def test_pain_vs_load_gives_the_same_with_the_load_models_daily_frame() -> None:
    acts = _activities()
    rows = [{"athlete": "anna", "date": day(n), "pain": (n * 7) % 6, "timing": "other", "entry_id": str(n)}
            for n in range(0, 44)]
    journal = schema.conform(pl.DataFrame(rows), schema.JOURNAL)
    load_flags = flags(acts)
    from runback.pain import pain_vs_load

    ours = pain_vs_load(journal, acts, load_flags, n_boot=50, min_sessions=1)
    theirs = pain_vs_load(journal, acts, load_flags, daily=daily_load(acts), n_boot=50, min_sessions=1)
    assert ours.equals(theirs)
    assert ours.filter(pl.col("analysis") == "lag")["enough_data"].item() is True


SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


@pytest.fixture(scope="module")
def anna() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    if not (SAMPLE / "anna" / "pain_journal.csv").exists():
        pytest.skip("sample_data/anna not found")
    import runback

    frames = runback.read(SAMPLE / "anna", athlete="anna", workers=1)
    from runback.pain import parse_journal_csv

    journal = parse_journal_csv(SAMPLE / "anna" / "pain_journal.csv", athlete="anna")
    return frames.activities, frames.samples, journal


def test_sample_journals_parse() -> None:
    from runback.pain import parse_journal_csv

    if not SAMPLE.exists():
        pytest.skip("sample_data not found")
    assert parse_journal_csv(SAMPLE / "anna" / "pain_journal.csv").height == 111
    assert parse_journal_csv(SAMPLE / "bram" / "pain_journal.csv").height == 30


def test_sample_runner_flags_follow_the_designed_story(anna) -> None:
    # sample_data/README.md: poor sleep or high stress on a hard day on 17 May, 20 May and 1 June;
    # back pain from 1 June, peaking at NRS 6 on 4-5 June, fading, gone by 6 July.
    activities, samples, journal = anna
    out = flags(activities, samples, journal=journal)
    dates = lambda rule: set(out.filter(pl.col("rule") == rule)["date"].to_list())  # noqa: E731
    assert {dt.date(2025, 5, 17), dt.date(2025, 5, 20), dt.date(2025, 6, 1)} <= dates("stress_or_poor_sleep")
    too_much = out.filter((pl.col("rule") == "pain_during_run") & (pl.col("band") == "too_much"))
    assert too_much["date"].to_list() == [dt.date(2025, 6, 4)] and too_much["value"].to_list() == [6.0]
    assert dt.date(2025, 6, 1) in dates("pain_next_morning")  # the 18.5 km run: pain the morning after
    assert dates("pain_persistent") == set()  # it faded: not "a month without improving"
    assert "session_spike" in set(out["rule"])

    from runback.pain import pain_vs_load

    analysis = pain_vs_load(journal, activities, out, n_boot=200)
    assert set(analysis["analysis"]) == {"flag_vs_unflagged", "weekly_change", "lag"}
    lag = analysis.filter(pl.col("analysis") == "lag").row(0, named=True)
    assert lag["enough_data"] and lag["n"] > 90 and lag["ci_low"] <= lag["estimate"] <= lag["ci_high"]
