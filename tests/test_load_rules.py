"""Every load rule on small hand-built histories, with the arithmetic in comments."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from test_load_helpers import DAY0, activities, activity, weekly_routine

from runback import schema
from runback.errors import OptionError
from runback.load import Profile, daily_load, session_load, weekly_load
from runback.model import flags
from runback.load.rules import WEEKLY_JUMP, acwr_rule, intensity_jump, monotony_rule, no_rest, session_spike, weekly_jump

PROFILE = Profile.given(hr_max_bpm=200, hr_rest_bpm=60, threshold_pace_s_per_km=240)


def _day(i: int) -> dt.date:
    return DAY0 + dt.timedelta(days=i)


def _spikes(acts: pl.DataFrame, **kw: object) -> pl.DataFrame:
    sessions = session_load(acts, profile=PROFILE)
    return session_spike(sessions, daily_load(acts, sessions=sessions), **kw)  # type: ignore[arg-type]


def test_session_spike_bands() -> None:
    base = [activity(i, 10.0) for i in range(0, 40, 3)]  # 10 km every third day, days 0..39
    acts = activities(
        base
        + [
            activity(42, 13.5, aid="moderate"),  # window days 12..41: longest 10 km -> 13.5/10 - 1 = 0.35
            activity(44, 11.0, aid="none"),  # window 14..43 holds the 13.5 km run -> 11/13.5 - 1 < 0
        ]
    )
    out = _spikes(acts)
    assert out.columns == list(schema.FLAGS)
    assert out["activity_id"].to_list() == ["moderate"]
    row = out.row(0, named=True)
    assert row["rule"] == "session_spike" and row["band"] == "moderate"
    assert row["value"] == pytest.approx(0.35)
    assert row["threshold"] == 0.30
    assert row["baseline"] == 10000.0
    assert row["date"] == _day(42)
    assert "35% longer" in row["message_en"] and "1.5 times" in row["message_en"]
    assert "35% langer" in row["message_nl"] and "1,5 keer" in row["message_nl"]
    assert "Frandsen" in row["evidence"]


@pytest.mark.parametrize(
    "km,band,edge",
    [
        (11.0, None, None),  # exactly 10% longer: "<= 10% none"
        (11.5, "small", 0.10),  # 15%
        (13.0, "small", 0.10),  # exactly 30%: still small
        (20.0, "moderate", 0.30),  # exactly 100%: still moderate
        (20.5, "large", 1.00),  # 105%
    ],
)
def test_session_spike_band_edges(km: float, band: str | None, edge: float | None) -> None:
    acts = activities([activity(i, 10.0) for i in range(0, 40, 3)] + [activity(42, km, aid="x")])
    out = _spikes(acts)
    assert out["band"].to_list() == ([band] if band else [])
    assert out["threshold"].to_list() == ([edge] if edge else [])


def test_session_spike_needs_a_full_window_of_history() -> None:
    # day 10 is only 10 days into the history: the 30-day window is not known, no judgement
    acts = activities([activity(0, 5.0), activity(5, 5.0), activity(10, 20.0)])
    assert _spikes(acts).height == 0


def test_session_spike_no_baseline_after_a_break() -> None:
    # runs on days 0..20, then nothing until day 60: window 30..59 holds no run
    acts = activities([activity(i, 8.0) for i in range(0, 21, 2)] + [activity(60, 12.0, aid="back")])
    out = _spikes(acts)
    row = out.row(0, named=True)
    assert (row["activity_id"], row["band"], row["value"], row["baseline"]) == ("back", "no_baseline", None, None)
    assert "no recent run" in row["message_en"] and "geen" in row["message_nl"]


def test_session_spike_same_day_runs_are_not_each_others_baseline() -> None:
    base = [activity(i, 10.0) for i in range(0, 40, 3)]
    acts = activities(base + [activity(41, 12.0, hour=7, aid="am"), activity(41, 9.0, hour=18, aid="pm")])
    out = _spikes(acts)
    # both compared with days 11..40 (longest 10 km): 12 km is 20% longer, 9 km is shorter
    assert out["activity_id"].to_list() == ["am"]
    assert out["value"].item() == pytest.approx(0.2)


def test_session_spike_only_counts_runs() -> None:
    base = [activity(i, 10.0) for i in range(0, 40, 3)]
    acts = activities(base + [activity(41, 60.0, sport="cycling")])
    assert _spikes(acts).height == 0


def test_weekly_jump_shown_and_context() -> None:
    # full ISO weeks from Monday DAY0: 10, 10, 10, 12, 16 km (one run each, on Wednesday)
    acts = activities([activity(7 * w + 2, km) for w, km in enumerate([10, 10, 10, 12, 16])] + [activity(7 * 4 + 6, 0.001)])
    w = weekly_load(daily_load(acts, profile=PROFILE))
    out = weekly_jump(w)
    # week 3: 12/10 - 1 = 0.20 -> "shown" (10-30%); week 4: 16.001/12 - 1 = 0.3334 -> "context" (> 30%)
    assert out["date"].to_list() == [_day(21), _day(28)]
    assert out["band"].to_list() == ["shown", "context"]
    assert out["value"].to_list() == pytest.approx([0.2, 16.001 / 12 - 1])
    assert out["threshold"].to_list() == [0.10, 0.30]
    assert out["baseline"].to_list() == pytest.approx([10000.0, 12000.0])
    assert out["activity_id"].to_list() == [None, None]
    # the message adds the 3-week comparison: 16.001 / ((10 + 10 + 12) / 3) - 1 = 0.50
    assert "50% more than the mean of the three weeks before" in out["message_en"][1]
    assert "874 novice runners" in out["message_en"][1]
    assert "niet significant" in out["message_nl"][1]


def test_weekly_rise_after_a_lighter_week_is_a_return_not_a_jump() -> None:
    # weeks of 20, 20, 20, 20 km, a lighter week of 10 (50% below the 4-week mean of 20), then 20 again: +100%
    kms = [20, 20, 20, 20, 10, 20]
    acts = activities([activity(7 * w + 2, km) for w, km in enumerate(kms)] + [activity(7 * 5 + 6, 0.001)])
    out = weekly_jump(weekly_load(daily_load(acts, profile=PROFILE)))
    assert out["band"].to_list() == ["return_from_lighter_week"]
    assert out["value"].to_list() == pytest.approx([20.001 / 10 - 1])
    assert out["baseline"].to_list() == pytest.approx([10000.0])
    assert "lighter" in out["message_en"][0] and "mean of the 4 weeks before it (20.0 km)" in out["message_en"][0]
    assert "lichter" in out["message_nl"][0]
    # an informational band: not a flag that fired
    assert WEEKLY_JUMP.bands["return_from_lighter_week"].info
    # a lighter week of 15 (25% below the mean) is not lighter enough: the +33% is "context"
    kms = [20, 20, 20, 20, 15, 20]
    acts = activities([activity(7 * w + 2, km) for w, km in enumerate(kms)] + [activity(7 * 5 + 6, 0.001)])
    assert weekly_jump(weekly_load(daily_load(acts, profile=PROFILE)))["band"].to_list() == ["context"]
    # after the lighter week, a week far above the usual distance (30 km: +50% on the mean) still counts
    kms = [20, 20, 20, 20, 10, 30]
    acts = activities([activity(7 * w + 2, km) for w, km in enumerate(kms)] + [activity(7 * 5 + 6, 0.001)])
    assert weekly_jump(weekly_load(daily_load(acts, profile=PROFILE)))["band"].to_list() == ["context"]
    # the 30% and the 4 weeks are keyword thresholds
    acts = activities([activity(7 * w + 2, km) for w, km in enumerate([20, 20, 20, 20, 15, 20])]
                      + [activity(7 * 5 + 6, 0.001)])
    out = weekly_jump(weekly_load(daily_load(acts, profile=PROFILE)), lighter_week_below=0.2)
    assert out["band"].to_list() == ["return_from_lighter_week"]


def _weekly(hi: list[float], tpk: list[float | None]) -> pl.DataFrame:
    n = len(hi)
    df = pl.DataFrame(
        {
            "athlete": ["a"] * n,
            "week_start": [_day(7 * i) for i in range(n)],
            "days_covered": [7] * n,
            "high_intensity_min": hi,
            "trimp_per_km": tpk,
        }
    )
    return schema.conform(df, schema.WEEKLY)


def test_intensity_jump_high_zone_minutes() -> None:
    # 40, 40, 40 min in zones 4-5, then 60: 60 / mean(40, 40, 40) - 1 = 0.5 -> moderate (and 20 min more)
    out = intensity_jump(_weekly([40, 40, 40, 60], [10, 10, 10, 10]))
    row = out.row(0, named=True)
    assert (row["date"], row["band"], row["threshold"], row["baseline"]) == (_day(21), "moderate", 0.30, 40.0)
    assert row["value"] == pytest.approx(0.5)
    assert "zones 4-5" in row["message_en"] and "no direct evidence" in row["message_en"]
    assert "vuistregel" in row["message_nl"]


def test_intensity_jump_trimp_per_km_and_small_baselines() -> None:
    # minutes: baseline 5 min is below the 10-min floor, so only TRIMP per km counts:
    # 25 / mean(10, 10, 10) - 1 = 1.5 -> large
    out = intensity_jump(_weekly([5, 5, 5, 20], [10, 10, 10, 25]))
    row = out.row(0, named=True)
    assert row["band"] == "large" and row["value"] == pytest.approx(1.5) and row["baseline"] == 10.0
    assert "TRIMP per km" in row["message_en"]
    # the larger of the two rises is reported: minutes +50%, TRIMP/km +20% -> minutes
    out = intensity_jump(_weekly([40, 40, 40, 60], [10, 10, 10, 12]))
    assert out["value"].to_list() == pytest.approx([0.5])
    # no rise, no flag; fewer than 3 previous weeks, no flag
    assert intensity_jump(_weekly([20, 20, 20, 20], [10, 10, 10, 10])).height == 0
    assert intensity_jump(_weekly([20, 20, 60], [10, 10, 30])).height == 0


def test_intensity_jump_needs_an_absolute_rise_too() -> None:
    # 20 -> 30 min is +50% but only 10 more minutes; TRIMP per km 10 -> 11.5 is +15% but only 1.5 more
    assert intensity_jump(_weekly([20, 20, 20, 30], [10.0, 10.0, 10.0, 11.5])).height == 0
    # exactly 20 more minutes counts; 19 does not
    assert intensity_jump(_weekly([20, 20, 20, 40], [10, 10, 10, 10]))["value"].to_list() == pytest.approx([1.0])
    assert intensity_jump(_weekly([20, 20, 20, 39], [10, 10, 10, 10])).height == 0
    # TRIMP per km: a rise of 2.0 counts (+20%: small), 1.9 does not
    out = intensity_jump(_weekly([20, 20, 20, 20], [10, 10, 10, 12]))
    assert out["band"].to_list() == ["small"] and "TRIMP per km" in out["message_en"][0]
    assert intensity_jump(_weekly([20, 20, 20, 20], [10.0, 10.0, 10.0, 11.9])).height == 0
    # the minimums are keyword thresholds
    assert intensity_jump(_weekly([20, 20, 20, 30], [10, 10, 10, 10]), intensity_min_rise_min=10).height == 1
    assert intensity_jump(
        _weekly([20, 20, 20, 20], [10.0, 10.0, 10.0, 11.5]), intensity_min_rise_trimp_per_km=1.0
    ).height == 1


def test_no_rest_streaks() -> None:
    # runs on days 0..8 (9 in a row), rest on day 9, runs on days 10..15 (6 in a row)
    acts = activities([activity(i, 5.0) for i in range(0, 9)] + [activity(i, 5.0) for i in range(10, 16)])
    out = no_rest(daily_load(acts, profile=PROFILE))
    # one flag for the 9-day streak, dated the day it reached 7 (day 6); the 6-day streak is fine
    assert out["date"].to_list() == [_day(6)]
    assert out["value"].to_list() == [9.0]
    assert out["threshold"].to_list() == [7.0]
    assert "9 days in a row" in out["message_en"][0] and "9 dagen achter elkaar" in out["message_nl"][0]
    # the threshold is a parameter: with 6 the second streak counts too (dated day 15)
    out6 = no_rest(daily_load(acts, profile=PROFILE), max_run_days=6)
    assert out6["date"].to_list() == [_day(5), _day(15)]


def test_no_rest_ignores_walks_on_rest_days() -> None:
    acts = activities(
        [activity(i, 5.0) for i in range(0, 3)] + [activity(3, 4.0, sport="walking")] + [activity(i, 5.0) for i in range(4, 8)]
    )
    # the walk on day 3 leaves it a rest day: streaks of 3 and 4 days
    assert no_rest(daily_load(acts, profile=PROFILE)).height == 0


def test_monotony_common_cutoff_with_little_history() -> None:
    # 4 weeks, 10 km Monday-Saturday, Sunday rest; no heart rate -> load = running minutes (60 a day)
    daily = daily_load(weekly_routine(4, [10, 10, 10, 10, 10, 10, 0]), profile=PROFILE)
    out = monotony_rule(daily)
    # per week: mean 360/7 = 51.43; sd (ddof 1) = sqrt((6 x 8.57^2 + 51.43^2)/6) = 22.68 -> 2.2678 > 2.0
    # (the history ends on the last Saturday, so the 4th Sunday is not a week end in the data)
    assert out["date"].to_list() == [_day(0), _day(7), _day(14)]
    assert out["band"].to_list() == ["above_cutoff"] * 3
    assert out["threshold"].to_list() == [2.0] * 3
    assert out["value"].to_list() == pytest.approx([2.267787] * 3, abs=1e-6)
    assert "running time" in out["message_en"][0] and "looptijd" in out["message_nl"][0]


def test_monotony_prefers_the_runners_own_90th_percentile() -> None:
    pattern = [10, 10, 10, 10, 10, 10, 0]
    routine = weekly_routine(10, pattern)
    # 10 identical weeks: monotony 2.2678 every week = the runner's own 90th percentile: nothing unusual
    assert monotony_rule(daily_load(routine, profile=PROFILE)).height == 0
    # an 11th week with a run every day: sd = 0 -> capped at 10, above the own p90 (2.2678)
    extra = activities([activity(70 + i, 10.0) for i in range(7)] + [activity(77, 1.0)])
    out = monotony_rule(daily_load(pl.concat([routine, extra]), profile=PROFILE))
    assert out["date"].to_list() == [_day(70)]
    assert out["band"].to_list() == ["above_own_p90"]
    assert out["value"].to_list() == [10.0]
    assert out["threshold"].to_list() == pytest.approx([2.267787], abs=1e-6)


def test_acwr_rule_is_one_row_per_week_at_the_highest_ratio() -> None:
    loads = [10.0] * 28 + [40.0] * 7
    daily = schema.conform(
        pl.DataFrame({"athlete": ["a"] * 35, "date": [_day(i) for i in range(35)], "trimp_banister": loads}),
        schema.DAILY,
    )
    out = acwr_rule(daily, acwr_load="trimp_banister")
    # EWMA from 0: e_t = l x load + (1 - l) e_{t-1}, l = 2/8 and 2/29; days 28..34 (Mon 29 Jan ..
    # Sun 4 Feb) form one ISO week; the chronic EWMA rises too, so the ratio peaks mid-week
    ea = ec = 0.0
    ratios = []
    for x in loads:
        ea, ec = 0.25 * x + 0.75 * ea, 2 / 29 * x + 27 / 29 * ec
        ratios.append(ea / ec)
    week = ratios[28:35]
    peak = 28 + week.index(max(week))
    assert peak == 30 and max(week) > 1.5
    assert out["date"].to_list() == [_day(peak)]
    assert out["band"].to_list() == ["high"]
    assert out["value"].item() == pytest.approx(max(week))
    assert "contested" in out["message_en"][0]


def test_flags_frame_sorting_since_and_thresholds() -> None:
    base = [activity(i, 10.0) for i in range(0, 40, 3)]
    acts = activities(base + [activity(42, 13.5, aid="spike")] + [activity(i, 3.0) for i in range(50, 58)])
    out = flags(acts, profile=PROFILE)
    assert out.columns == list(schema.FLAGS)
    assert out.sort("athlete", "date", "rule").equals(out)
    assert set(out["rule"]) >= {"session_spike", "no_rest"}
    assert out.filter(pl.col("rule") == "no_rest")["date"].to_list() == [_day(56)]
    later = flags(acts, profile=PROFILE, since="2024-02-15")
    assert later["date"].min() >= dt.date(2024, 2, 15)
    assert later.height < out.height
    # thresholds pass through to the rule that owns them
    assert flags(acts, profile=PROFILE, max_run_days=9).filter(pl.col("rule") == "no_rest").height == 0
    assert "acwr" not in set(out["rule"])


def test_flags_bad_options() -> None:
    acts = activities([activity(0, 5.0)])
    with pytest.raises(OptionError, match="unknown threshold"):
        flags(acts, spike_treshold=0.2)
    with pytest.raises(OptionError, match="YYYY-MM-DD"):
        flags(acts, since="last week")


def test_flags_empty_input() -> None:
    out = flags(activities([]))
    assert out.height == 0 and out.columns == list(schema.FLAGS)


def test_flags_with_a_journal_adds_pain_rules_and_session_rpe(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from runback.pain.journal import parse_journal_csv

    # a GPX-like run without sport ("generic", 6 min/km), and pain 7 during it
    acts = activities([activity(i, 8.0, sport="generic") for i in range(0, 40, 3)])
    csv = tmp_path / "j.csv"
    csv.write_text(
        "date,time,pain,timing,location,sleep_h,sleep_quality,stress,rpe,activity_id,note\n"
        "2024-01-04,08:00,7,during,low back,,,,6,,\n",
        encoding="utf-8",
    )
    journal = parse_journal_csv(csv, athlete="a")
    out = flags(acts, journal=journal, profile=PROFILE)
    assert out.columns == list(schema.FLAGS)
    pain = out.filter(pl.col("rule") == "pain_during_run")
    assert pain["date"].to_list() == [_day(3)]
    # the journal's RPE fills the run's RPE: session-RPE = 6 x 48 min = 288 AU
    from runback.pain.journal import apply_journal_rpe

    named = acts.with_columns(sport=pl.lit("running"))
    d = daily_load(apply_journal_rpe(named, journal), profile=PROFILE)
    assert d.filter(pl.col("date") == _day(3))["srpe_au"].item() == 288.0
    # pain thresholds pass through; unknown names still fail
    # pain 7 > 5 is "too much" by default; with too_much_above=8 it is only "acceptable"
    bands = flags(acts, journal=journal, profile=PROFILE, too_much_above=8).filter(pl.col("rule") == "pain_during_run")["band"]
    assert bands.to_list() != pain["band"].to_list()
    with pytest.raises(OptionError, match="unknown threshold"):
        flags(acts, journal=journal, nonsense=1)
