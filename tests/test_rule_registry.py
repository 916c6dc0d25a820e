"""The rule registry: every rule declared once, read by flags(), the messages and the reports."""

from __future__ import annotations

import ast
import datetime as dt
import inspect
from pathlib import Path

import polars as pl
import pytest
from test_load_helpers import activities, activity

from runback import days, schema
from runback.errors import OptionError
from runback.load import Profile, daily_load, session_load, session_spikes
from runback.load.rules import session_spike
from runback.model import RULES, RULES_BY_ID, flags, known_thresholds
from runback.pain.rules import pain_next_morning, pain_persistent
from runback.report import run_spikes
from runback.report._i18n import band_label, rule_label

SRC = Path(__file__).resolve().parents[1] / "src" / "runback"
PROFILE = Profile.given(hr_max_bpm=190, hr_rest_bpm=55, threshold_pace_s_per_km=300)


def test_every_rule_is_declared_with_both_languages() -> None:
    assert [r.id for r in RULES] == [
        "session_spike", "weekly_jump", "intensity_jump", "no_rest", "monotony", "acwr",
        "pain_during_run", "pain_next_morning", "pain_persistent", "pain_high", "pain_rising",
        "stress_or_poor_sleep",
    ]
    for rule in RULES:
        for text in (rule.label, rule.phrase, rule.advice, rule.evidence):
            assert set(text) == {"en", "nl"} and all(text.values()), rule.id
        for band in rule.bands.values():
            assert set(band.label) == {"en", "nl"}, rule.id
        assert rule.strength and rule.strength.split()[0] in rule.evidence["en"].lower(), rule.id
        # the inputs are the function's positional parameters, in order
        positional = [
            name for name, p in inspect.signature(rule.function).parameters.items()
            if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        ]
        assert len(positional) == len(rule.inputs), rule.id
    assert [r.id for r in RULES if not r.default] == ["acwr"]


def test_threshold_names_are_unique_across_rules() -> None:
    names = [name for rule in RULES for name in rule.params]
    assert len(names) == len(set(names))
    assert known_thresholds()["next_morning_points"] == 2.0
    assert RULES_BY_ID["pain_persistent"].kwargs({"persistent_days": 40, "max_run_days": 3}) == {"min_days": 40}


def test_flags_rejects_a_journal_threshold_without_a_journal() -> None:
    acts = activities([activity(i, 8.0) for i in range(10)])
    with pytest.raises(OptionError, match="unknown threshold.*next_morning_points"):
        flags(acts, next_morning_points=3)


def test_labels_come_from_the_declarations() -> None:
    assert rule_label("no_rest", "nl") == RULES_BY_ID["no_rest"].label["nl"]
    assert band_label("moderate", "nl", "session_spike") == "matig"
    assert band_label("5+_days", "en", "no_rest") == "5+ days"


# --------------------------------------------------------------------------
# messages say the thresholds that were used
# --------------------------------------------------------------------------
def _spiky() -> pl.DataFrame:
    base = [activity(i, 10.0) for i in range(0, 40, 3)]
    return activities(base + [activity(42, 13.5, aid="long")])


def test_session_spike_message_names_the_window_used() -> None:
    acts = _spiky()
    default = flags(acts, profile=PROFILE).filter(pl.col("rule") == "session_spike")
    assert "previous 30 days" in default["message_en"][0] and "30 dagen ervoor" in default["message_nl"][0]
    out = flags(acts, profile=PROFILE, spike_window_days=21).filter(pl.col("rule") == "session_spike")
    assert out["activity_id"].to_list() == ["long"]
    assert "previous 21 days" in out["message_en"][0] and "30 days" not in out["message_en"][0]
    assert "21 dagen ervoor" in out["message_nl"][0]


def test_no_rest_band_names_the_streak_length_used() -> None:
    acts = activities([activity(i, 5.0) for i in range(6)])
    out = flags(acts, profile=PROFILE, max_run_days=5).filter(pl.col("rule") == "no_rest")
    assert out["band"].to_list() == ["5+_days"] and out["threshold"].to_list() == [5.0]
    assert "6 days in a row" in out["message_en"][0]
    assert band_label(out["band"][0], "nl", "no_rest") == "5+ dagen"


def test_monotony_message_names_the_percentile_used() -> None:
    # 11 weeks of 5 km on six days with Wednesday off (monotony about 2.3), then a week with 3 km on
    # the Wednesday (monotony about 6.2): above the runner's own 95th percentile of about 4
    rows = [activity(i, 5.0) for i in range(77) if i % 7 != 2]
    rows += [activity(i, 3.0 if i % 7 == 2 else 5.0) for i in range(77, 84)]
    out = flags(activities(rows), profile=PROFILE, monotony_percentile=0.95, monotony_load="run_moving_s")
    own = out.filter(pl.col("rule") == "monotony")
    assert own["band"].to_list() == ["above_own_p90"]
    assert "95th percentile" in own["message_en"][0] and "90th" not in own["message_en"][0]
    assert "95e percentiel" in own["message_nl"][0]


def test_pain_next_morning_message_names_the_points_used() -> None:
    acts = schema.conform(
        pl.DataFrame([{"activity_id": "r0", "athlete": "a", "sport": "running",
                       "start_time_local": dt.datetime(2026, 2, 2, 18), "distance_m": 5000.0}]),
        schema.ACTIVITIES,
    )
    journal = schema.conform(
        pl.DataFrame([
            {"athlete": "a", "date": dt.date(2026, 2, 2), "entry_id": "e0", "pain": 1, "timing": "other",
             "time": dt.time(7)},
            {"athlete": "a", "date": dt.date(2026, 2, 3), "entry_id": "e1", "pain": 4, "timing": "next_morning"},
        ]),
        schema.JOURNAL,
    )
    out = pain_next_morning(journal, acts, min_points=3.0, min_fraction=0.5)
    assert "A change of 3 points or 50% is the smallest" in out["message_en"][0]
    assert "Een verandering van 3 punten of 50% is de kleinste" in out["message_nl"][0]
    default = pain_next_morning(journal, acts)
    assert "A change of 2 points or 30% is the smallest" in default["message_en"][0]


def test_pain_persistent_message_names_the_window_used() -> None:
    entries = [
        {"athlete": "a", "date": dt.date(2026, 1, 1) + dt.timedelta(days=n), "entry_id": f"e{n}", "pain": 4,
         "timing": "other"}
        for n in range(0, 37, 3)
    ]
    journal = schema.conform(pl.DataFrame(entries), schema.JOURNAL)
    assert "over the last 2 weeks" in pain_persistent(journal)["message_en"][0]
    ten = pain_persistent(journal, window_days=10)
    assert "over the last 10 days" in ten["message_en"][0]
    assert "afgelopen 10 dagen" in ten["message_nl"][0]


# --------------------------------------------------------------------------
# one session_spikes frame for the rule and the chart
# --------------------------------------------------------------------------
def test_session_spike_flags_are_the_flagged_rows_of_session_spikes() -> None:
    acts = _spiky()
    sessions = session_load(acts, profile=PROFILE)
    daily = daily_load(acts, sessions=sessions)
    frame = session_spikes(sessions, daily)
    rule = session_spike(sessions, daily)
    flagged = frame.filter(pl.col("flagged"))
    assert flagged["activity_id"].to_list() == rule["activity_id"].to_list() == ["long"]
    assert flagged["ratio"].to_list() == pytest.approx(rule["value"].to_list())
    # the first 30 days are not judged, but have the longest run so far as a baseline (for the chart)
    early = frame.filter(~pl.col("judged"))
    assert early.height == 10 and not early["flagged"].any()
    assert early["baseline_m"].to_list()[1:] == [10000.0] * 9
    # the chart draws the same frame
    chart = run_spikes(acts).filter(pl.col("flagged"))
    assert chart["activity_id"].to_list() == ["long"]


def test_session_spikes_with_a_narrower_window() -> None:
    acts = activities([activity(0, 20.0), *[activity(i, 10.0) for i in range(25, 60, 3)], activity(61, 12.5)])
    sessions = session_load(acts, profile=PROFILE)
    daily = daily_load(acts, sessions=sessions)
    wide = session_spikes(sessions, daily).filter(pl.col("activity_id").str.contains("2024-03-02"))
    narrow = session_spikes(sessions, daily, spike_window_days=7).filter(
        pl.col("activity_id").str.contains("2024-03-02")
    )
    assert wide["baseline_m"].to_list() == [10000.0] and narrow["band"].to_list() == ["small"]


# --------------------------------------------------------------------------
# one local day, one week start
# --------------------------------------------------------------------------
def test_local_day_and_week_start() -> None:
    frame = schema.conform(
        pl.DataFrame({
            "athlete": ["a", "a", "b"],
            "start_time_local": [dt.datetime(2025, 3, 29, 23, 30)] * 3,
            "start_time_utc": [dt.datetime(2025, 3, 29, 23, 30)] * 3,
            "utc_offset_source": ["assumed_utc", "fit_local_timestamp", "assumed_utc"],
        }).with_columns(pl.col("start_time_utc").dt.replace_time_zone("UTC")),
        schema.ACTIVITIES,
    )
    out = frame.select(d=days.local_day({"a": "Europe/Amsterdam"}), w=days.week_start(days.local_day()))
    # only a's assumed-UTC row moves to Sunday in Amsterdam; a FIT offset and b (no zone) stay Saturday
    assert out["d"].to_list() == [dt.date(2025, 3, 30), dt.date(2025, 3, 29), dt.date(2025, 3, 29)]
    assert out["w"].to_list() == [dt.date(2025, 3, 24)] * 3
    assert days.monday(dt.date(2025, 3, 30)) == dt.date(2025, 3, 24)


def test_load_and_pain_see_a_gpx_run_on_the_same_day() -> None:
    # a run that only knows UTC (a GPX file), 23:30 UTC on Saturday 29 March 2025: Sunday 00:30 in Amsterdam
    utc = dt.datetime(2025, 3, 29, 23, 30)
    acts = schema.conform(
        pl.DataFrame([{
            "activity_id": "gpx", "athlete": "a", "sport": "running", "start_time_local": utc,
            "start_time_utc": utc.replace(tzinfo=dt.timezone.utc), "utc_offset_s": 0,
            "utc_offset_source": "assumed_utc", "distance_m": 10000.0, "moving_s": 3600.0,
        }]),
        schema.ACTIVITIES,
    )
    journal = schema.conform(
        pl.DataFrame([{"athlete": "a", "date": dt.date(2025, 3, 30), "entry_id": "e0", "pain": 6,
                       "timing": "after"}]),
        schema.JOURNAL,
    )
    profile = Profile.given(hr_max_bpm=190, hr_rest_bpm=55, timezone="Europe/Amsterdam")
    out = flags(acts, journal=journal, profile=profile)
    during = out.filter(pl.col("rule") == "pain_during_run")
    assert during.select("date", "activity_id", "band").rows() == [(dt.date(2025, 3, 30), "gpx", "too_much")]
    assert session_load(acts, profile=profile)["date"].to_list() == [dt.date(2025, 3, 30)]


# --------------------------------------------------------------------------
# the layers these modules sit in point down
# --------------------------------------------------------------------------
def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "runback":
            found.update(f"runback.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("runback")}


@pytest.mark.parametrize(
    "modules,forbidden",
    [
        (["registry.py", "days.py", "fmt.py"], ("runback.io", "runback.store", "runback.load", "runback.pain",
                                                "runback.model", "runback.report", "runback.cli")),
        (["load"], ("runback.pain", "runback.model", "runback.report", "runback.cli")),
        (["pain/rules.py", "pain/analysis.py"], ("runback.model", "runback.report", "runback.cli", "runback.load.")),
        (["model.py"], ("runback.report", "runback.cli")),
        (["report"], ("runback.cli",)),
    ],
)
def test_rule_modules_import_only_downwards(modules: list[str], forbidden: tuple[str, ...]) -> None:
    for module in modules:
        paths = sorted((SRC / module).rglob("*.py")) if (SRC / module).is_dir() else [SRC / module]
        for path in paths:
            # the package itself imports every layer: importing it (or its __version__) points up
            bad = {name for name in _imports(path) if name.startswith((*forbidden, "runback.__")) or name == "runback"}
            assert not bad, (path.name, bad)
