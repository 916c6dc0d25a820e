"""Journal rules on hand-built journals whose flags are worked out by hand."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
import pytest

from runback import schema
from runback.pain.rules import (
    EVIDENCE,
    pain_during_run,
    pain_flags,
    pain_high,
    pain_next_morning,
    pain_persistent,
    pain_rising,
    stress_or_poor_sleep,
)

D = dt.date(2026, 2, 2)  # a Monday


def day(n: int) -> dt.date:
    return D + dt.timedelta(days=n)


def activities(*runs: tuple, athlete: str = "anna") -> pl.DataFrame:
    """runs: (activity_id, day offset, hour, distance_m[, sport[, avg_hr_bpm[, avg_speed_mps]]])."""
    rows = []
    for run in runs:
        aid, n, hour, dist, *rest = run
        sport = rest[0] if rest else "running"
        hr = rest[1] if len(rest) > 1 else None
        speed = rest[2] if len(rest) > 2 else None
        rows.append({
            "activity_id": aid, "athlete": athlete, "sport": sport,
            "start_time_local": dt.datetime.combine(day(n), dt.time(hour)),
            "distance_m": float(dist), "avg_hr_bpm": hr, "avg_speed_mps": speed,
        })
    return schema.conform(pl.DataFrame(rows), schema.ACTIVITIES)


def journal(*entries: dict, athlete: str = "anna") -> pl.DataFrame:
    """entries: dicts with 'n' (day offset) and any journal column."""
    rows = []
    for i, e in enumerate(entries):
        e = dict(e)
        rows.append({"athlete": athlete, "date": day(e.pop("n")), "entry_id": f"e{i}", **e})
    return schema.conform(pl.DataFrame(rows), schema.JOURNAL)


def load_flags(*rows: tuple) -> pl.DataFrame:
    """rows: (rule, day offset, activity_id or None)."""
    return schema.conform(
        pl.DataFrame(
            [{"athlete": "anna", "rule": r, "date": day(n), "activity_id": a, "band": "moderate"} for r, n, a in rows]
        ),
        schema.FLAGS,
    )


NO_CAUSE = re.compile(r"\b(caus|because|due to|injur|diagnos|veroorzaak|blessure|door de belasting)", re.I)


def check_messages(flags: pl.DataFrame) -> None:
    assert flags.columns == list(schema.FLAGS)
    for row in flags.iter_rows(named=True):
        assert row["message_en"] and row["message_nl"] and row["message_en"] != row["message_nl"]
        assert row["evidence"] == EVIDENCE[row["rule"]]
        assert re.search(r"Evidence: (weak|moderate|physiotherapy advice)", row["evidence"])
        assert not NO_CAUSE.search(row["message_en"]), row["message_en"]
        assert not NO_CAUSE.search(row["message_nl"]), row["message_nl"]


# ---------------------------------------------------------------- pain_during_run
def test_pain_during_run_bands() -> None:
    acts = activities(("r0", 0, 8, 5000), ("r1", 1, 8, 5000), ("r2", 2, 8, 5000), ("r3", 3, 8, 5000),
                      ("r4", 4, 8, 5000), ("w5", 5, 8, 3000, "walking"))
    j = journal(
        {"n": 0, "pain": 3, "timing": "during"},  # <=3 fine: no flag
        {"n": 1, "pain": 4, "timing": "after"},  # 4-5, settles next morning (2)
        {"n": 2, "pain": 2, "timing": "next_morning"},
        {"n": 2, "pain": 5, "timing": "during"},  # 4-5, not settled next morning (5)
        {"n": 3, "pain": 5, "timing": "next_morning"},
        {"n": 3, "pain": 6, "timing": "after"},  # >5 too much
        {"n": 3, "pain": 4, "timing": "during"},  # same run, lower: the 6 counts
        {"n": 4, "pain": 8, "timing": "other"},  # not during/after: no flag
        {"n": 5, "pain": 9, "timing": "after"},  # after a walk: not a run
    )
    flags = pain_during_run(j, acts)
    check_messages(flags)
    got = flags.select("activity_id", "band", "value", "threshold", "baseline").rows()
    assert got == [
        ("r1", "acceptable_if_settles", 4.0, 3.0, 2.0),
        ("r2", "acceptable_if_settles", 5.0, 3.0, 5.0),
        ("r3", "too_much", 6.0, 5.0, None),
    ]
    en = flags["message_en"].to_list()
    assert "4/10 right after this run" in en[0] and "it settled" in en[0]
    assert "5/10 during this run" in en[1] and "had not settled" in en[1]
    assert "too much" in en[2] and "physiotherapist" in en[2]
    assert "tijdens deze loop" in flags["message_nl"][1]


def test_pain_during_run_matches_the_named_or_the_right_run() -> None:
    acts = activities(("am", 0, 7, 4000), ("pm", 0, 18, 12000), ("x", 1, 7, 3000))
    j = journal(
        {"n": 0, "pain": 5, "timing": "after", "time": dt.time(8, 0)},  # after the 07:00 run
        {"n": 0, "pain": 7, "timing": "after", "time": dt.time(19, 30)},  # after the 18:00 run
        {"n": 1, "pain": 6, "timing": "after", "activity_id": "pm"},  # names yesterday's run, lower than 7
        {"n": 1, "pain": 4, "timing": "during", "activity_id": "unknown"},  # unknown id: same-day run x
    )
    flags = pain_during_run(j, acts)
    assert flags.select("date", "activity_id", "value").rows() == [
        (day(0), "am", 5.0), (day(0), "pm", 7.0), (day(1), "x", 4.0)
    ]
    # Without a time, the day's longest run.
    j = journal({"n": 0, "pain": 6, "timing": "during"})
    assert pain_during_run(j, acts)["activity_id"].to_list() == ["pm"]


def test_pain_during_run_thresholds_are_parameters() -> None:
    acts = activities(("r0", 0, 8, 5000))
    j = journal({"n": 0, "pain": 3, "timing": "after"})
    assert pain_during_run(j, acts).is_empty()
    assert pain_during_run(j, acts, fine_max=2)["band"].to_list() == ["acceptable_if_settles"]
    assert pain_during_run(j, acts, fine_max=1, too_much_above=2)["band"].to_list() == ["too_much"]


# ---------------------------------------------------------------- pain_next_morning
def test_pain_next_morning_two_points_or_thirty_percent() -> None:
    acts = activities(("r0", 0, 18, 5000), ("r2", 2, 18, 5000), ("r4", 4, 18, 5000), ("r6", 6, 18, 5000),
                      ("r8", 8, 18, 5000))
    j = journal(
        # run day 0: before 1 (morning of day 0, 07:00); next morning 3: +2 points -> flag
        {"n": 0, "pain": 1, "timing": "other", "time": dt.time(7)},
        {"n": 1, "pain": 3, "timing": "next_morning"},
        # run day 2: last before = day 1's next-morning 3 (no other entries); morning 4: +1 = 33% -> flag
        {"n": 3, "pain": 4, "timing": "next_morning"},
        # run day 4: last before is day 3's 4; morning 5: +1 = 25% -> no flag
        {"n": 5, "pain": 5, "timing": "next_morning"},
        # run day 6: before = 'after' entry of day 5 (5, end of day); morning 6: +1 = 20% -> no flag
        {"n": 5, "pain": 5, "timing": "after"},
        {"n": 7, "pain": 6, "timing": "next_morning"},
        # run day 8: an entry on day 8 after the run (20:00) is not "before"; before = day 7's 6;
        # morning 4: a drop -> no flag
        {"n": 8, "pain": 1, "timing": "after", "time": dt.time(20)},
        {"n": 9, "pain": 4, "timing": "next_morning"},
    )
    flags = pain_next_morning(j, acts)
    check_messages(flags)
    assert flags.select("date", "activity_id", "value", "threshold", "baseline").rows() == [
        (day(0), "r0", 2.0, pytest.approx(0.3), 1.0),
        (day(2), "r2", 1.0, pytest.approx(0.9), 3.0),
    ]
    assert "3/10, 2 point(s) (200%) higher than the 1/10" in flags["message_en"][0]


def test_pain_next_morning_from_zero_needs_two_points_and_a_recent_baseline() -> None:
    acts = activities(("r0", 0, 18, 5000), ("r2", 2, 18, 5000), ("r20", 20, 18, 5000))
    j = journal(
        {"n": 0, "pain": 0, "timing": "other", "time": dt.time(9)},
        {"n": 1, "pain": 1, "timing": "next_morning"},  # 0 -> 1: no flag (30% of 0 is no threshold)
        {"n": 3, "pain": 3, "timing": "next_morning"},  # 1 -> 3: +2 flag (threshold 30% of 1)
        {"n": 21, "pain": 9, "timing": "next_morning"},  # last before is 18 days back: no baseline
    )
    flags = pain_next_morning(j, acts)
    assert flags.select("date", "value", "threshold").rows() == [(day(2), 2.0, pytest.approx(0.3))]
    assert pain_next_morning(j, acts, lookback_days=30)["date"].to_list() == [day(2), day(20)]


# ---------------------------------------------------------------- pain_persistent
def test_pain_persistent_flags_a_month_without_improving() -> None:
    # Pain 4 every 3rd day from day 0 to day 36 (gaps of 3 < 7): the first pain day more than 28 days
    # in is day 30; 14 days before it, day 15 (logged, 4): drop 0 -> flag on day 30, span 30.
    entries = [{"n": n, "pain": 4, "timing": "other"} for n in range(0, 37, 3)]
    flags = pain_persistent(journal(*entries))
    check_messages(flags)
    assert flags.select("date", "activity_id", "band", "value", "threshold", "baseline").rows() == [
        (day(30), None, "persistent", 30.0, 28.0, 4.0)
    ]
    assert "physiotherapist" in flags["message_en"][0]
    assert "fysiotherapeut" in flags["message_nl"][0]


def test_pain_persistent_not_when_improving_or_short_or_interrupted() -> None:
    # Improving: pain 9 - n // 5 on days 0, 3, ..., 36. Day 30: 3 vs day 15's 6; day 33: 3 vs day 18's 6;
    # day 36: 2 vs day 21's 5: a drop of 3 each time -> no flag.
    improving = [{"n": n, "pain": 9 - n // 5, "timing": "other"} for n in range(0, 37, 3)]
    assert pain_persistent(journal(*improving)).is_empty()
    # Improved once, then stuck: 6 until day 15, then 3. Day 30: 3 vs day 15's 6 (improving); day 33:
    # 3 vs day 18's 3: no drop over the last 2 weeks -> flagged on day 33.
    stuck = [{"n": n, "pain": 6 if n <= 15 else 3, "timing": "other"} for n in range(0, 37, 3)]
    assert pain_persistent(journal(*stuck)).select("date", "value", "baseline").rows() == [(day(33), 33.0, 3.0)]
    # Exactly 28 days: not more than 28.
    short = [{"n": n, "pain": 4, "timing": "other"} for n in range(0, 29, 4)]
    assert pain_persistent(journal(*short)).is_empty()
    # A 7-day gap (day 14 -> day 21) splits it into two episodes of 14 and 15 days.
    split = [{"n": n, "pain": 4, "timing": "other"} for n in [*range(0, 15, 2), *range(21, 37, 3)]]
    assert pain_persistent(journal(*split)).is_empty()
    # Days with pain 0 in between do not end an episode, but 0 is not pain: 0 on days 1..35 every 2 days
    # plus pain on days 0, 6, ..., 36 -> still one episode of 36 days: flagged on day 30.
    mixed = [{"n": n, "pain": 0, "timing": "other"} for n in range(1, 36, 2)]
    mixed += [{"n": n, "pain": 3, "timing": "other"} for n in range(0, 37, 6)]
    assert pain_persistent(journal(*mixed))["date"].to_list() == [day(30)]


def test_pain_persistent_one_flag_per_episode() -> None:
    first = [{"n": n, "pain": 5, "timing": "other"} for n in range(0, 41, 2)]
    second = [{"n": n, "pain": 5, "timing": "other"} for n in range(60, 101, 2)]
    flags = pain_persistent(journal(*first, *second))
    assert flags["date"].to_list() == [day(30), day(90)]


# ---------------------------------------------------------------- stress_or_poor_sleep
def test_stress_or_poor_sleep_on_flagged_or_hard_sessions() -> None:
    acts = activities(
        ("s0", 0, 8, 15000, "running", 140.0),  # flagged session_spike
        ("s1", 1, 8, 5000, "running", 140.0),  # flagged by a day rule (no activity_id)
        ("s2", 2, 8, 5000, "running", 140.0),  # not flagged, usual HR
        ("s3", 3, 8, 5000, "running", 170.0),  # above the usual HR (80th pct of 140 x5, 170 = 140)
        ("s4", 4, 8, 5000, "running", 140.0),  # flagged, but fine wellness
        ("s5", 5, 8, 5000, "running", 140.0),  # flagged, sleep exactly 7 h: not short
    )
    lf = load_flags(("session_spike", 0, "s0"), ("no_rest", 1, None), ("weekly_jump", 4, "s4"),
                    ("session_spike", 5, "s5"))
    j = journal(
        {"n": 0, "pain": 1, "timing": "other", "sleep_h": 5.5},
        {"n": 0, "pain": 1, "timing": "after", "stress": 5},
        {"n": 1, "pain": 1, "timing": "other", "sleep_quality": 2},
        {"n": 2, "pain": 1, "timing": "other", "stress": 5},  # not a hard session: no flag
        {"n": 3, "pain": 1, "timing": "other", "stress": 4, "sleep_h": 8.0},
        {"n": 4, "pain": 1, "timing": "other", "stress": 3, "sleep_h": 8.0, "sleep_quality": 3},
        {"n": 5, "pain": 1, "timing": "other", "sleep_h": 7.0},
    )
    flags = stress_or_poor_sleep(j, acts, lf)
    check_messages(flags)
    assert flags.select("activity_id", "band", "value", "threshold").rows() == [
        ("s0", "present", 5.5, 7.0),
        ("s1", "present", 2.0, 2.0),
        ("s3", "present", 4.0, 4.0),
    ]
    en = flags["message_en"].to_list()
    assert "short sleep (5.5 h, under 7 h) and high stress (5/5)" in en[0] and "a run much longer than your recent runs" in en[0]
    assert "a hard or long session: too few rest days" in en[1]
    assert "harder than your usual runs" in en[2]
    assert "weinig slaap (5,5 uur" in flags["message_nl"][0]
    # Without load flags, only the hard run counts; with fewer than 5 runs there is no "usual".
    assert stress_or_poor_sleep(j, acts, None)["activity_id"].to_list() == ["s3"]
    assert stress_or_poor_sleep(j, acts.head(4), None).is_empty()


# ---------------------------------------------------------------- all four
def test_pain_flags_concatenates_sorted_flags_schema() -> None:
    acts = activities(("r0", 0, 8, 5000), ("r1", 1, 8, 5000))
    j = journal(
        {"n": 0, "pain": 1, "timing": "other", "time": dt.time(7)},
        {"n": 0, "pain": 6, "timing": "after", "sleep_h": 5.0},
        {"n": 1, "pain": 4, "timing": "next_morning"},
    )
    flags = pain_flags(j, activities=acts, load_flags=load_flags(("session_spike", 0, "r0")), daily=None)
    check_messages(flags)
    assert flags.schema == pl.Schema(schema.FLAGS)
    assert flags.select("date", "rule").rows() == [
        (day(0), "pain_during_run"), (day(0), "pain_next_morning"), (day(0), "stress_or_poor_sleep")
    ]
    empty = pain_flags(schema.empty(schema.JOURNAL), activities=acts, load_flags=None, daily=None)
    assert empty.is_empty() and empty.schema == pl.Schema(schema.FLAGS)
    assert pain_flags(None, activities=acts).schema == pl.Schema(schema.FLAGS)


def test_weekly_flags_mark_every_session_of_their_week() -> None:
    # D is a Monday: a weekly_jump flag dated that Monday (no activity_id) marks the runs of that
    # ISO week (days 0-6), not the next Monday's; a no_rest flag (no activity_id) marks its own day only.
    acts = activities(("mon", 0, 8, 5000), ("sun", 6, 8, 5000), ("mon2", 7, 8, 5000), ("wed2", 9, 8, 5000),
                      ("thu2", 10, 8, 5000))
    j = journal(*({"n": n, "pain": 1, "timing": "other", "sleep_h": 5.0} for n in (0, 6, 7, 9, 10)))
    lf = load_flags(("weekly_jump", 0, None), ("monotony", 0, None), ("no_rest", 9, None))
    flags = stress_or_poor_sleep(j, acts, lf)
    assert flags["activity_id"].to_list() == ["mon", "sun", "wed2"]
    assert ("in a week with the same load every day and weekly distance rising fast"
            in flags["message_en"][0])
    assert "en een snel stijgende weekafstand" in flags["message_nl"][0]


def test_runs_are_counted_as_the_load_model_counts_them() -> None:
    # A GPX without a <type> imports as sport "generic": at 3 m/s it is a run, unless its name says ride.
    acts = schema.conform(
        pl.DataFrame([
            {"activity_id": "gpx", "athlete": "anna", "sport": "generic", "name": "Morning",
             "start_time_local": dt.datetime.combine(day(0), dt.time(8)), "distance_m": 9000.0, "moving_s": 3000.0},
            {"activity_id": "ride", "athlete": "anna", "sport": "generic", "name": "Evening ride",
             "start_time_local": dt.datetime.combine(day(1), dt.time(8)), "distance_m": 9000.0, "moving_s": 3000.0},
        ]),
        schema.ACTIVITIES,
    )
    j = journal({"n": 0, "pain": 6, "timing": "after"}, {"n": 1, "pain": 6, "timing": "after"})
    assert pain_during_run(j, acts)["activity_id"].to_list() == ["gpx"]


# ---------------------------------------------------------------- pain_high
def test_pain_high_severe_on_any_entry_whatever_its_timing() -> None:
    # the runner: 7, 8 and 8/10 logged as "other" in the last two weeks, while still running
    j = journal(
        {"n": 0, "pain": 2, "timing": "after"},
        {"n": 3, "pain": 7, "timing": "other", "note": "sharp low back pain"},
        {"n": 6, "pain": 8, "timing": "other"},
        {"n": 6, "pain": 3, "timing": "next_morning"},
        {"n": 9, "pain": 8, "timing": "other"},
    )
    out = pain_high(j)
    check_messages(out)
    assert out.select("date", "band", "value", "threshold").rows() == [
        (day(3), "severe", 7.0, 7.0), (day(6), "severe", 8.0, 7.0), (day(9), "severe", 8.0, 7.0)
    ]
    assert "8/10" in out["message_en"][1] and "physiotherapist" in out["message_en"][1]
    assert "keep moving" in out["message_en"][1] and "blijf bewegen" in out["message_nl"][1]
    # with the severe cut-off at 9, the same days are 5 or more on 3 days of 7 (days 3-9)
    assert pain_high(j, high_pain=9).select("date", "band").rows() == [(day(9), "often")]


def test_pain_high_five_or_more_on_three_of_seven_days() -> None:
    # 5 on days 0, 2, 5: the third is in the 7 days up to day 5 (days -1..5) -> one flag on day 5.
    # Day 6 (6/10) still has 4 such days, but a new flag needs a full window after the last one;
    # day 20, 21, 22 make a new stretch.
    j = journal(*({"n": n, "pain": p, "timing": "after"} for n, p in
                  [(0, 5), (2, 5), (4, 2), (5, 5), (6, 6), (20, 5), (21, 5), (22, 6)]))
    out = pain_high(j)
    check_messages(out)
    assert out.select("date", "band", "value", "threshold", "baseline").rows() == [
        (day(5), "often", 3.0, 3.0, 5.0), (day(22), "often", 3.0, 3.0, 6.0)
    ]
    assert "on 3 days" in out["message_en"][0] and "op 3 dagen" in out["message_nl"][0]
    # 5 on days 0 and 7 and 8: never 3 in one 7-day window
    j = journal(*({"n": n, "pain": 5, "timing": "after"} for n in (0, 7, 8)))
    assert pain_high(j).is_empty()
    # 5 on only two days but a 7 on the third: the severe day carries the flag, no second "often" that day
    j = journal(*({"n": n, "pain": p, "timing": "other"} for n, p in [(0, 5), (1, 5), (2, 7)]))
    assert pain_high(j).select("date", "band").rows() == [(day(2), "severe")]


# ---------------------------------------------------------------- pain_rising
def test_pain_rising_two_points_or_thirty_percent_against_the_week_before() -> None:
    # week before (days 0-6): 1, 1 -> mean 1; then 2 (day 7), 3 (day 9), 4 (day 11)
    # day 7: window days 1-7 = {2}; before: days -6..0 = {1}: +1 point, 100% of 1 and >= 1 point -> rising
    j = journal(*({"n": n, "pain": p, "timing": "after"} for n, p in [(0, 1), (3, 1), (7, 2), (9, 3), (11, 4)]))
    out = pain_rising(j)
    check_messages(out)
    # day 7: now {1 (day 3), 2} mean 1.5 vs before {1 (day 0)} 1.0: +0.5, < 1 point: not yet
    # day 9: now {1, 2, 3} mean 2.0 vs {1}: +1.0 = max(1, min(2, 0.3)) -> rising (one flag for the rise)
    assert out.select("date", "band", "value", "threshold", "baseline").rows() == [(day(9), "rising", 1.0, 1.0, 1.0)]
    assert "rising" in out["message_en"][0] and "Ostelo" not in out["message_en"][0]
    assert "neemt toe" in out["message_nl"][0]
    # from 0: 2 points are needed
    j = journal(*({"n": n, "pain": p, "timing": "other"} for n, p in [(0, 0), (2, 0), (8, 1), (10, 2)]))
    assert pain_rising(j).is_empty()  # day 10: mean 1.5 vs 0
    j = journal(*({"n": n, "pain": p, "timing": "other"} for n, p in [(0, 0), (2, 0), (8, 2), (10, 3)]))
    # day 8: days 2-8 {0, 2} mean 1 vs {0}: +1; day 10: days 4-10 {2, 3} mean 2.5 vs days -3..3 {0, 0}: +2.5
    assert pain_rising(j).select("date", "value", "threshold").rows() == [(day(10), 2.5, 2.0)]
    # from 6 to 7.5 is 1.5 points and 25%: not rising; the thresholds are parameters
    j = journal(*({"n": n, "pain": p, "timing": "other"} for n, p in [(0, 6), (8, 7), (9, 8)]))
    assert pain_rising(j).is_empty()
    assert pain_rising(j, rising_fraction=0.2)["date"].to_list() == [day(9)]
    # no entry in the week before: nothing to compare with
    assert pain_rising(journal({"n": 0, "pain": 8, "timing": "other"})).is_empty()


def test_pain_rising_flags_each_rise_once() -> None:
    # rises to 4 (day 8), stays (days 9-12), falls back to 0 for two weeks, rises again (day 40)
    rows = [(0, 1), (8, 4), (9, 4), (10, 4), (12, 4)] + [(n, 0) for n in range(20, 36, 2)] + [(40, 4)]
    j = journal(*({"n": n, "pain": p, "timing": "other"} for n, p in rows))
    assert pain_rising(j)["date"].to_list() == [day(8), day(40)]


def test_new_pain_rules_run_with_pain_flags_and_their_thresholds() -> None:
    acts = activities(("r0", 0, 8, 5000))
    j = journal({"n": 0, "pain": 0, "timing": "other"}, {"n": 8, "pain": 7, "timing": "other"})
    out = pain_flags(j, activities=acts)
    assert sorted(set(out["rule"])) == ["pain_high", "pain_rising"]
    assert pain_flags(j, activities=acts, high_pain=8, rising_points=8)["rule"].to_list() == []
