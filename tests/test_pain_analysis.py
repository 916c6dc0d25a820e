"""pain_vs_load on journals built for known answers, and a shuffle property test."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runback import schema
from runback.pain.analysis import pain_vs_load, spearman

D = dt.date(2026, 1, 5)  # a Monday
NO_CAUSE = re.compile(r"\b(caus|because|due to|led to|result of|veroorzaak|oorzaak|komt door|door de belasting)", re.I)


def day(n: int) -> dt.date:
    return D + dt.timedelta(days=n)


def build(days: int = 80, *, pain_block: bool = False, athlete: str = "anna"):
    """Runs every 4th day; every 8th day a 15 km run flagged session_spike, else 5 km unflagged.

    pain_block=False: pain 5 exactly 1 day after each flagged run, 1 on every other day.
    pain_block=True: pain 5 on days 0-3 after each flagged run, 1 on days 0-3 after unflagged runs.
    """
    runs, flags, pain = [], [], []
    for n in range(0, days, 4):
        flagged = n % 8 == 0
        runs.append({"activity_id": f"{athlete}{n}", "athlete": athlete, "sport": "running",
                     "start_time_local": dt.datetime.combine(day(n), dt.time(8)),
                     "distance_m": 15000.0 if flagged else 5000.0})
        if flagged:
            flags.append({"athlete": athlete, "date": day(n), "activity_id": f"{athlete}{n}", "rule": "session_spike"})
    # A ride on an unflagged day: not a run, so neither a session nor running distance.
    runs.append({"activity_id": "ride", "athlete": athlete, "sport": "cycling",
                 "start_time_local": dt.datetime.combine(day(5), dt.time(8)), "distance_m": 40000.0})
    for n in range(days):
        if pain_block:
            value = 5 if n % 8 < 4 else 1
        else:
            value = 5 if n % 8 == 1 else 1
        pain.append({"athlete": athlete, "date": day(n), "pain": value, "timing": "other", "entry_id": f"{athlete}{n}"})
    return (
        schema.conform(pl.DataFrame(pain), schema.JOURNAL),
        schema.conform(pl.DataFrame(runs), schema.ACTIVITIES),
        schema.conform(pl.DataFrame(flags), schema.FLAGS),
    )


def rows(out: pl.DataFrame, analysis: str) -> list[dict]:
    return out.filter(pl.col("analysis") == analysis).to_dicts()


def check_wording(out: pl.DataFrame) -> None:
    for r in out.iter_rows(named=True):
        assert r["message_en"] and r["message_nl"]
        assert not NO_CAUSE.search(r["message_en"]), r["message_en"]
        assert not NO_CAUSE.search(r["message_nl"]), r["message_nl"]


def test_spearman_matches_a_known_value() -> None:
    # scipy.stats.spearmanr([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]) == 0.8207826816681233 (ties averaged)
    assert spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]) == pytest.approx(0.8207826816681233)
    assert spearman([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    assert np.isnan(spearman([1, 1, 1], [1, 2, 3]))


def test_known_answer_pain_one_day_after_flagged_runs() -> None:
    journal, acts, flags = build()
    out = pain_vs_load(journal, acts, flags, n_boot=200)
    assert out.columns == list(schema.PAIN_VS_LOAD)
    check_wording(out)
    spike, any_ = rows(out, "flag_vs_unflagged")
    assert (spike["rule"], any_["rule"]) == ("session_spike", "any")
    # Flagged runs (days 0, 8, ..., 72): windows of 4 days hold pain 1, 5, 1, 1 -> mean 2.
    # Unflagged runs (days 4, 12, ..., 76): windows hold 1, 1, 1, 1 -> mean 1. Difference 1.
    assert spike["n_flagged"] == 10 and spike["n_unflagged"] == 10 and spike["n"] == 20
    assert spike["mean_flagged"] == pytest.approx(2.0)
    assert spike["mean_unflagged"] == pytest.approx(1.0)
    assert spike["estimate"] == pytest.approx(1.0)
    assert spike["ci_low"] == pytest.approx(1.0) and spike["ci_high"] == pytest.approx(1.0)  # no spread
    assert spike["enough_data"] is True
    assert spike["message_en"].startswith(
        "In the 0-3 days after sessions flagged for a run much longer than your recent runs, "
        "pain was on average 1.0 points higher than after sessions without a flag: 2.0/10 (n=10) against "
        "1.0/10 (n=10); 95% interval +1.0 to +1.0 points."
    )
    assert "association" in spike["message_en"] and "samenhang" in spike["message_nl"]
    assert any_["estimate"] == pytest.approx(1.0)
    # With a window of day 1 only: flagged 5, unflagged 1 -> 4.
    narrow = rows(pain_vs_load(journal, acts, flags, window_days=0, n_boot=0), "flag_vs_unflagged")[0]
    assert narrow["estimate"] == pytest.approx(0.0)  # day 0 only: pain 1 after both
    (lag,) = rows(out, "lag")
    assert lag["lag_days"] == 1
    assert lag["estimate"] > 0.5 and lag["enough_data"] is True
    assert lag["n"] == 77  # runs on days 0..76, so days 1..77 have pain and the distance of the day before
    assert "1 day later" in lag["message_en"] and "1 dag later" in lag["message_nl"]


def test_known_answer_block_difference_is_four() -> None:
    journal, acts, flags = build(pain_block=True)
    spike = rows(pain_vs_load(journal, acts, flags, n_boot=100), "flag_vs_unflagged")[0]
    assert spike["mean_flagged"] == pytest.approx(5.0)
    assert spike["mean_unflagged"] == pytest.approx(1.0)
    assert spike["estimate"] == pytest.approx(4.0)
    assert "4.0 points higher" in spike["message_en"] and "4,0 punt hoger" in spike["message_nl"]


def test_weekly_change_known_answer() -> None:
    # Weekly distances 10, 20, 10, 30, 15, 15 km (one run each Monday); weekly pain = 1 + 2 x (rise > 0).
    distances = [10, 20, 10, 30, 15, 15]
    changes = [None, 1.0, -0.5, 2.0, -0.5, 0.0]
    runs, pain = [], []
    for w, km in enumerate(distances):
        runs.append({"activity_id": f"w{w}", "athlete": "bram", "sport": "running",
                     "start_time_local": dt.datetime.combine(day(7 * w), dt.time(9)), "distance_m": km * 1000.0})
        for k in (1, 3):  # two entries per week
            rise = changes[w] is not None and changes[w] > 0
            pain.append({"athlete": "bram", "date": day(7 * w + k), "pain": 3 if rise else 1 + (k == 3),
                         "timing": "other", "entry_id": f"{w}{k}"})
    journal = schema.conform(pl.DataFrame(pain), schema.JOURNAL)
    acts = schema.conform(pl.DataFrame(runs), schema.ACTIVITIES)
    out = pain_vs_load(journal, acts, None, n_boot=0)
    (weekly,) = rows(out, "weekly_change")
    # Pairs (change, mean pain): (1.0, 3), (-0.5, 1.5), (2.0, 3), (-0.5, 1.5), (0.0, 1.5): n = 5.
    assert weekly["n"] == 5
    expected = spearman([1.0, -0.5, 2.0, -0.5, 0.0], [3, 1.5, 3, 1.5, 1.5])
    assert weekly["estimate"] == pytest.approx(expected)
    # By hand: ranks x 4, 1.5, 5, 1.5, 3 and y 4.5, 2, 4.5, 2, 2 (means 3): sum dx*dy = 7.5,
    # sum dx^2 = 9.5, sum dy^2 = 7.5 -> rho = 7.5 / sqrt(9.5 x 7.5) = 0.8885233.
    assert expected == pytest.approx(0.8885233, abs=1e-6)
    assert weekly["ci_low"] is None and weekly["ci_high"] is None  # n_boot=0
    assert "went with higher pain" in weekly["message_en"]


def test_not_enough_entries_gives_no_numbers() -> None:
    journal, acts, flags = build()
    few = journal.head(7)  # min_entries is 8
    out = pain_vs_load(few, acts, flags, n_boot=50)
    assert out.height == 4
    assert out["enough_data"].to_list() == [False] * 4
    assert out["estimate"].null_count() == 4
    assert out["ci_low"].null_count() == 4
    for msg in out["message_en"]:
        assert msg.startswith("Not enough data: 7 pain entries logged; at least 8")
    for msg in out["message_nl"]:
        assert msg.startswith("Te weinig gegevens: 7 pijnnotities")
    # With 8 entries there are numbers again (here: enough for the lag, too few flagged sessions).
    out = pain_vs_load(journal.head(8), acts, flags, n_boot=0, min_sessions=1)
    assert rows(out, "flag_vs_unflagged")[0]["enough_data"] is True


def test_too_few_sessions_per_side() -> None:
    journal, acts, flags = build(days=12)  # flagged runs on days 0, 8; unflagged on 4
    spike = rows(pain_vs_load(journal, acts, flags, n_boot=0), "flag_vs_unflagged")[0]
    assert (spike["n_flagged"], spike["n_unflagged"]) == (2, 1)
    assert spike["enough_data"] is False and spike["estimate"] is None
    assert "Not enough sessions to compare" in spike["message_en"]


def test_per_runner_and_daily_frame_is_used_when_given() -> None:
    a = build(athlete="anna")
    b = build(athlete="bram", pain_block=True)
    journal, acts, flags = (pl.concat([x, y]) for x, y in zip(a, b))
    out = pain_vs_load(journal, acts, flags, n_boot=0)
    assert out["athlete"].unique().sort().to_list() == ["anna", "bram"]
    by = {(r["athlete"], r["rule"]): r["estimate"] for r in rows(out, "flag_vs_unflagged")}
    assert by[("anna", "session_spike")] == pytest.approx(1.0)
    assert by[("bram", "session_spike")] == pytest.approx(4.0)
    # A daily frame is used instead of the activities when given: here it puts each flagged run's
    # distance on the day after (the painful day), so the strongest lag becomes 0.
    daily = (
        flags.select("athlete", (pl.col("date") + pl.duration(days=1)).alias("date"),
                     pl.lit(15000.0).alias("run_distance_m"))
    )
    lag = {r["athlete"]: r for r in rows(pain_vs_load(journal, acts, flags, n_boot=0), "lag")}
    assert lag["anna"]["lag_days"] == 1
    lag = {r["athlete"]: r for r in rows(pain_vs_load(journal, acts, flags, daily=daily, n_boot=0), "lag")}
    assert lag["anna"]["lag_days"] == 0 and lag["anna"]["estimate"] == pytest.approx(1.0)


def test_results_repeat_with_the_same_seed() -> None:
    journal, acts, flags = build()
    # Make the pain noisy so intervals have width.
    rng = np.random.default_rng(1)
    journal = journal.with_columns(pl.Series("pain", rng.integers(0, 6, journal.height), dtype=pl.Int8))
    one = pain_vs_load(journal, acts, flags, n_boot=300, seed=7)
    two = pain_vs_load(journal, acts, flags, n_boot=300, seed=7)
    assert one.equals(two)
    spike = rows(one, "flag_vs_unflagged")[0]
    assert spike["ci_low"] < spike["estimate"] < spike["ci_high"]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1))
def test_shuffling_pain_dates_removes_the_association_on_average(seed: int) -> None:
    journal, acts, flags = build(days=96, pain_block=True)
    original = rows(pain_vs_load(journal, acts, flags, n_boot=0), "flag_vs_unflagged")[0]["estimate"]
    assert original == pytest.approx(4.0)
    rng = np.random.default_rng(seed)
    estimates = []
    for _ in range(12):
        shuffled = journal.with_columns(pl.Series("date", rng.permutation(journal["date"].to_numpy())))
        est = rows(pain_vs_load(shuffled, acts, flags, n_boot=0), "flag_vs_unflagged")[0]["estimate"]
        estimates.append(est)
    # Under shuffling the expected difference is 0; the mean of 12 shuffles stays far below 4.
    assert abs(float(np.mean(estimates))) < 1.0


def test_package_exports_and_schema_docs() -> None:
    import runback.pain as pain

    assert pain.__all__ == sorted(pain.__all__)
    assert all(hasattr(pain, name) for name in pain.__all__)
    assert list(schema.PAIN_VS_LOAD) == list(schema.PAIN_VS_LOAD_DOC)


def test_weekly_rule_flags_every_session_of_its_week() -> None:
    journal, acts, _ = build(days=40)
    # weekly_jump on the week of day 14 (a Monday): runs on days 16 and 20 fall in it; no_rest on day 24.
    flags = schema.conform(
        pl.DataFrame([
            {"athlete": "anna", "date": day(14), "activity_id": None, "rule": "weekly_jump"},
            {"athlete": "anna", "date": day(24), "activity_id": None, "rule": "no_rest"},
        ]),
        schema.FLAGS,
    )
    out = rows(pain_vs_load(journal, acts, flags, n_boot=0, min_sessions=1), "flag_vs_unflagged")
    by_rule = {r["rule"]: r for r in out}
    assert by_rule["weekly_jump"]["n_flagged"] == 2  # days 16 and 20
    assert by_rule["no_rest"]["n_flagged"] == 1  # day 24
    assert by_rule["any"]["n_flagged"] == 3 and by_rule["any"]["n_unflagged"] == 7
    # Day 16 window (16-19): 5 on day 17 -> mean 2; day 20 window (20-23): all 1 -> mean 1.
    assert by_rule["weekly_jump"]["mean_flagged"] == pytest.approx(1.5)
