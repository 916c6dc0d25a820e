"""Session, daily and weekly load, checked against hand-computed values."""

from __future__ import annotations

import datetime as dt
import math

import polars as pl
import pytest
from test_load_helpers import DAY0, activities, activity, samples

from runback import schema
from runback.load import Profile, daily_load, session_load, weekly_load

PROFILE = Profile.given(hr_max_bpm=200, hr_rest_bpm=60, threshold_pace_s_per_km=240, sex="male")


def _one_run_with_samples() -> tuple[pl.DataFrame, pl.DataFrame]:
    acts = activities([activity(0, 0.5, minutes=2, aid="r1")])
    # samples at 0,10,20,30,40 s, then a 60 s pause (watch paused), then 100, 110 s
    smp = samples(
        "r1",
        dt.datetime(2024, 1, 1, 7, 0),
        [0, 10, 20, 30, 40, 100, 110],
        heart_rate_bpm=[150, 150, 150, 150, 150, 190, 190],
        speed_mps=[3.0, 3.0, 3.0, 3.0, 3.0, 5.0, 5.0],
    )
    return acts, smp


def test_banister_trimp_per_sample_with_capped_gap() -> None:
    acts, smp = _one_run_with_samples()
    s = session_load(acts, smp, profile=PROFILE).row(0, named=True)
    # Each sample stands for the time since the previous one, capped at 30 s:
    #   HR 150: 10+10+10+10 = 40 s;  HR 190: 30 (60 s gap capped) + 10 = 40 s.
    # HRr(150) = (150-60)/(200-60) = 0.642857; per minute 0.642857 x 0.64 x e^(1.92 x 0.642857)
    #          = 0.411429 x 3.43597 = 1.413637
    # HRr(190) = 130/140 = 0.928571; per minute 0.594286 x e^(1.782857) = 0.594286 x 5.94679 = 3.534112
    # TRIMP = (40/60) x 1.413637 + (40/60) x 3.534112 = 0.942425 + 2.356075 = 3.298499
    assert s["trimp_banister"] == pytest.approx(3.298499, abs=1e-5)
    # 150/200 = 75% HRmax -> zone 3; 190/200 = 95% -> zone 5; 40 s each = 0.6667 min
    assert s["z3_min"] == pytest.approx(40 / 60)
    assert s["z5_min"] == pytest.approx(40 / 60)
    assert s["z1_min"] == s["z2_min"] == s["z4_min"] == 0
    assert s["high_zone_min"] == pytest.approx(40 / 60)
    # Edwards: 3 x 0.6667 + 5 x 0.6667 = 5.3333
    assert s["trimp_edwards"] == pytest.approx(16 / 3)
    # threshold 4:00/km = 4.1667 m/s: only the 5.0 m/s samples (40 s) are faster
    assert s["above_threshold_min"] == pytest.approx(40 / 60)
    assert s["hr_run_min"] == pytest.approx(80 / 60)
    # with heart rate, high intensity is the zone 4-5 time
    assert s["high_intensity_min"] == pytest.approx(40 / 60)


def test_banister_female_coefficients() -> None:
    acts, smp = _one_run_with_samples()
    female = Profile.given(hr_max_bpm=200, hr_rest_bpm=60, threshold_pace_s_per_km=240, sex="female")
    s = session_load(acts, smp, profile=female).row(0, named=True)
    # 0.86 x e^(1.67 HRr): (40/60) x 0.642857 x 0.86 x e^(1.073571) + (40/60) x 0.928571 x 0.86 x e^(1.550714)
    expected = (40 / 60) * 0.642857143 * 0.86 * math.exp(1.67 * 0.642857143) + (40 / 60) * 0.928571429 * 0.86 * math.exp(
        1.67 * 0.928571429
    )
    assert expected == pytest.approx(3.588459, abs=1e-5)
    assert s["trimp_banister"] == pytest.approx(expected, rel=1e-6)


def test_sample_order_does_not_matter() -> None:
    acts, smp = _one_run_with_samples()
    a = session_load(acts, smp, profile=PROFILE)
    b = session_load(acts, smp.reverse(), profile=PROFILE)
    assert a.equals(b)


def test_run_without_hr_uses_threshold_minutes_for_high_intensity() -> None:
    acts = activities([activity(0, 1.0, minutes=4, aid="r1")])
    # no heart rate; distance grows 50 m per 10 s (5 m/s) then 30 m per 10 s (3 m/s)
    smp = samples("r1", dt.datetime(2024, 1, 1, 7), [0, 10, 20, 30, 40], distance_m=[0, 50, 100, 130, 160])
    s = session_load(acts, smp, profile=PROFILE).row(0, named=True)
    # speed from distance / time: 5, 5, 3, 3 m/s; threshold 4.1667 m/s -> 20 s above
    assert s["above_threshold_min"] == pytest.approx(20 / 60)
    assert s["trimp_banister"] == 0 and s["hr_run_min"] == 0
    assert s["high_intensity_min"] == pytest.approx(20 / 60)


def test_summary_only_run_falls_back_to_average_hr() -> None:
    acts = activities([activity(0, 5.0, minutes=30, aid="r1", avg_hr_bpm=150.0)])
    s = session_load(acts, None, profile=PROFILE).row(0, named=True)
    # Banister's per-session form: 30 min x 1.413637 (HRr 0.642857, see above) = 42.409112
    assert s["trimp_banister"] == pytest.approx(30 * 1.4136370613, rel=1e-9)
    assert s["z3_min"] == 0  # zones need samples


def test_srpe_is_rpe_times_minutes() -> None:
    acts = activities([activity(0, 8.0, minutes=45, rpe=6.0), activity(1, 8.0, minutes=45)])
    d = daily_load(acts, profile=PROFILE)
    # 6 x 45 min = 270 AU on day 0; RPE unknown on day 1 -> 0
    assert d["srpe_au"].to_list() == [270.0, 0.0]


def test_daily_load_rest_days_other_sports_and_two_runs_a_day() -> None:
    acts = activities(
        [
            activity(0, 5.0, minutes=30, hour=7),
            activity(0, 3.0, minutes=20, hour=18),  # a second run the same day adds up
            activity(0, 4.0, minutes=50, sport="walking"),  # visible in all_moving_s only
            activity(3, 10.0, minutes=60, sport="running", sub_sport="trail"),
            activity(4, 40.0, minutes=90, sport="cycling"),
        ]
    )
    d = daily_load(acts, profile=PROFILE)
    assert d.columns == list(schema.DAILY)
    assert d["date"].to_list() == [DAY0 + dt.timedelta(days=i) for i in range(5)]
    assert d["run_distance_m"].to_list() == [8000.0, 0.0, 0.0, 10000.0, 0.0]
    assert d["run_moving_s"].to_list() == [3000.0, 0.0, 0.0, 3600.0, 0.0]
    # all sports: day 0 = 30+20+50 min; day 4 = the ride
    assert d["all_moving_s"].to_list() == [6000.0, 0.0, 0.0, 3600.0, 5400.0]
    assert d["n_runs"].to_list() == [2, 0, 0, 1, 0]
    assert d["n_activities"].to_list() == [3, 0, 0, 1, 1]
    assert d["rest_day"].to_list() == [False, True, True, False, True]
    assert d["longest_run_m"].to_list() == [5000.0, 0.0, 0.0, 10000.0, 0.0]


def test_local_calendar_day_and_timezone_for_assumed_utc() -> None:
    # 23:30 UTC on 1 Jan, recorded as GPX (offset only assumed): in Amsterdam it is 00:30 on 2 Jan
    row = activity(0, 5.0, hour=23)
    row["start_time_local"] = dt.datetime(2024, 1, 1, 23, 30)
    row["start_time_utc"] = dt.datetime(2024, 1, 1, 23, 30, tzinfo=dt.timezone.utc)
    row["utc_offset_source"] = "assumed_utc"
    # a FIT run with its own local time keeps it, even with a profile time zone
    fit = activity(5, 5.0, hour=23)
    fit["start_time_utc"] = dt.datetime(2024, 1, 6, 22, 0, tzinfo=dt.timezone.utc)
    acts = activities([row, fit])
    plain = daily_load(acts, profile=PROFILE)
    assert plain.filter(pl.col("n_runs") > 0)["date"].to_list() == [dt.date(2024, 1, 1), dt.date(2024, 1, 6)]
    ams = Profile.given(hr_max_bpm=200, timezone="Europe/Amsterdam")
    d = daily_load(acts, profile=ams)
    assert d.filter(pl.col("n_runs") > 0)["date"].to_list() == [dt.date(2024, 1, 2), dt.date(2024, 1, 6)]


def test_daily_load_per_athlete_profiles() -> None:
    acts = activities([activity(0, 5.0, athlete="x", avg_hr_bpm=150.0), activity(0, 5.0, athlete="y", avg_hr_bpm=150.0)])
    profiles = {
        "x": Profile.given(hr_max_bpm=200, hr_rest_bpm=60),
        "y": Profile.given(hr_max_bpm=200, hr_rest_bpm=60, sex="female"),
    }
    d = daily_load(acts, profile=profiles)
    tx, ty = d["trimp_banister"].to_list()
    # 30 min at HRr 0.642857: male 0.64 e^(1.92 r), female 0.86 e^(1.67 r) per minute
    assert tx == pytest.approx(30 * 0.642857143 * 0.64 * math.exp(1.92 * 0.642857143), rel=1e-6)
    assert ty == pytest.approx(30 * 0.642857143 * 0.86 * math.exp(1.67 * 0.642857143), rel=1e-6)


def test_empty_activities_give_empty_frames() -> None:
    d = daily_load(activities([]))
    assert d.height == 0 and d.columns == list(schema.DAILY)
    w = weekly_load(d)
    assert w.height == 0 and w.columns == list(schema.WEEKLY)


def test_weekly_load_changes_need_full_previous_weeks() -> None:
    # history starts on a Wednesday (DAY0 + 2): week 1 covers 5 days
    rows = [activity(2, 10.0)]  # week 1 (partial): 10 km
    rows += [activity(7, 10.0), activity(9, 10.0)]  # week 2: 20 km
    rows += [activity(14, 10.0), activity(16, 20.0)]  # week 3: 30 km
    rows += [activity(21, 10.0), activity(23, 10.0), activity(25, 10.0)]  # week 4: 30 km
    rows += [activity(28, 20.0), activity(30, 20.0), activity(32, 20.0)]  # week 5: 60 km
    w = weekly_load(daily_load(activities(rows), profile=PROFILE))
    assert w.columns == list(schema.WEEKLY)
    # the last week ends with the last activity (a Friday): 5 days
    assert w["days_covered"].to_list() == [5, 7, 7, 7, 5]
    assert w["run_distance_m"].to_list() == [10000.0, 20000.0, 30000.0, 30000.0, 60000.0]
    # week 2 vs partial week 1: no base; week 3: 30/20 - 1 = 0.5; week 4: 0; week 5: 60/30 - 1 = 1
    assert w["run_distance_change"].to_list() == [None, None, 0.5, 0.0, 1.0]
    # vs the mean of 3 full previous weeks: only week 5: 60 / ((20+30+30)/3) - 1 = 1.25
    assert w["run_distance_vs_3wk"].to_list() == [None, None, None, None, pytest.approx(1.25)]
    assert w["n_runs"].to_list() == [1, 2, 2, 3, 3]
    # rest days counted only inside the history: week 1 has 5 days, 1 run -> 4; week 5: 5 days, 3 runs -> 2
    assert w["rest_days"].to_list() == [4, 5, 5, 4, 2]
    assert w["longest_run_m"].to_list() == [10000.0, 10000.0, 20000.0, 10000.0, 20000.0]
    assert w["week_start"].to_list() == [DAY0 + dt.timedelta(days=7 * i) for i in range(5)]


def test_trimp_per_km() -> None:
    acts = activities([activity(0, 5.0, minutes=30, avg_hr_bpm=150.0), activity(1, 5.0, minutes=30)])
    w = weekly_load(daily_load(acts, profile=PROFILE))
    # only the run with heart rate counts: 42.409112 TRIMP / 5 km = 8.481822
    assert w["trimp_per_km"].item() == pytest.approx(30 * 1.4136370613 / 5, rel=1e-9)


@pytest.mark.parametrize(
    "sport,name,km,minutes,is_run",
    [
        ("running", None, 10.0, 60, True),
        ("running", "Trail", 10.0, 90, True),
        ("trail_running", None, 10.0, 90, True),
        ("walking", None, 5.0, 60, False),
        ("generic", None, 10.0, 55, True),  # 3.0 m/s: a running speed
        ("generic", None, 22.0, 40, False),  # 9.2 m/s: a ride or a drive
        ("generic", None, 4.0, 60, False),  # 1.1 m/s: a walk
        ("generic", "Ochtendloop", 4.0, 60, True),  # the name says run
        ("generic", "Sexta-Feira Corrida Matutina", 10.0, 55, True),
        ("generic", "Bike loop", 20.0, 60, False),  # 5.6 m/s, but the name says bike
        (None, "Evening Run", 10.0, 55, True),
        ("cycling", "Run to work by bike", 10.0, 30, False),  # a known sport is never re-guessed
    ],
)
def test_which_activities_count_as_running(sport: str | None, name: str | None, km: float, minutes: float, is_run: bool) -> None:
    acts = activities([activity(0, km, minutes=minutes, sport=sport, name=name)])  # type: ignore[arg-type]
    assert session_load(acts, profile=PROFILE)["is_run"].to_list() == [is_run]


def test_unknown_sport_inference_can_be_switched_off() -> None:
    acts = activities([activity(0, 10.0, minutes=55, sport="generic")])
    assert session_load(acts, profile=PROFILE, infer_unknown_sport=False)["is_run"].to_list() == [False]
