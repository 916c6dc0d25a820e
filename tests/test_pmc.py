"""PMC, ACWR and monotony against recurrences and sums written out by hand."""

from __future__ import annotations

import datetime as dt
import math

import polars as pl
import pytest

from runback import schema
from runback.load import acwr, monotony, pmc

DAY0 = dt.date(2024, 1, 1)


def _daily(loads: list[float], *, athlete: str = "a", col: str = "trimp_banister") -> pl.DataFrame:
    n = len(loads)
    df = pl.DataFrame(
        {
            "athlete": [athlete] * n,
            "date": [DAY0 + dt.timedelta(days=i) for i in range(n)],
            col: [float(x) for x in loads],
        }
    )
    return schema.conform(df, schema.DAILY)


def test_pmc_goldencheetah_worked_example() -> None:
    # GoldenCheetah (PMCData): lts = stress x (1 - e^(-1/tau)) + lts_yesterday x e^(-1/tau), from 0.
    # tau = 42: e^(-1/42) = 0.976472, so k = 0.023528; tau = 7: e^(-1/7) = 0.866878, k = 0.133122.
    # loads 100, 0, 50, 0, 0:
    #   day 0: ctl = 100 x 0.023528                  = 2.352831 ; atl = 100 x 0.133122 = 13.312210
    #   day 1: ctl = 2.352831 x 0.976472             = 2.297473 ; atl = 13.312210 x 0.866878 = 11.540061
    #   day 2: ctl = 2.297473 x 0.976472 + 50 x k    = 3.419833 ; atl = 11.540061 x 0.866878 + 50 x 0.133122 = 16.659929
    #   day 3: ctl = 3.419833 x 0.976472             = 3.339370 ; atl = 14.442124
    #   day 4: ctl = 3.339370 x 0.976472             = 3.260801 ; atl = 12.519558
    # tsb = yesterday's ctl - yesterday's atl: 0, 2.352831-13.312210 = -10.959379, -9.242587, -13.240095, -11.102754
    out = pmc(_daily([100, 0, 50, 0, 0]))
    assert out.columns == list(schema.PMC)
    assert out["load"].to_list() == [100.0, 0.0, 50.0, 0.0, 0.0]
    assert out["ctl"].to_list() == pytest.approx([2.352831, 2.297473, 3.419833, 3.339370, 3.260801], abs=1e-6)
    assert out["atl"].to_list() == pytest.approx([13.312210, 11.540061, 16.659929, 14.442124, 12.519558], abs=1e-6)
    assert out["tsb"].to_list() == pytest.approx([0.0, -10.959379, -9.242587, -13.240095, -11.102754], abs=1e-6)


def test_pmc_trainingpeaks_and_runalyze_discretisations() -> None:
    loads = [100, 0, 50, 0, 0]
    # TrainingPeaks: ctl = ctl + (load - ctl) / 42: 100/42 = 2.380952; x 41/42 = 2.324263; +(50-2.324263)/42 = 3.459400
    tp = pmc(_daily(loads), method="trainingpeaks")
    assert tp["ctl"].to_list()[:3] == pytest.approx([2.380952, 2.324263, 3.459400], abs=1e-6)
    # atl = atl + (load - atl) / 7: 14.285714; x 6/7 = 12.244898; + (50 - 12.244898)/7 = 17.638484
    assert tp["atl"].to_list()[:3] == pytest.approx([14.285714, 12.244898, 17.638484], abs=1e-6)
    # Runalyze: k = 2/(N+1): ctl k = 2/43: 4.651163, x 41/43 = 4.434830; atl k = 2/8 = 0.25: 25, 18.75, 26.5625
    ra = pmc(_daily(loads), method="runalyze")
    assert ra["ctl"].to_list()[:2] == pytest.approx([4.651163, 4.434830], abs=1e-6)
    assert ra["atl"].to_list()[:3] == pytest.approx([25.0, 18.75, 26.5625], abs=1e-9)


def test_pmc_time_constants_and_load_column_are_options() -> None:
    d = _daily([10, 10], col="run_distance_m")
    out = pmc(d, method="trainingpeaks", ctl_days=2, atl_days=1, load="run_distance_m")
    # ctl: 10/2 = 5, 5 + (10-5)/2 = 7.5; atl with tau 1 follows the load: 10, 10
    assert out["ctl"].to_list() == [5.0, 7.5]
    assert out["atl"].to_list() == [10.0, 10.0]


def test_pmc_per_athlete_starts_from_zero() -> None:
    d = pl.concat([_daily([50, 50], athlete="a"), _daily([0, 70], athlete="b")])
    out = pmc(d, method="trainingpeaks", ctl_days=2, atl_days=2)
    # a: 25, 37.5; b: 0, 35 (b's history does not leak into a's)
    assert out["ctl"].to_list() == [25.0, 37.5, 0.0, 35.0]


def test_pmc_rejects_unknown_method() -> None:
    with pytest.raises(ValueError, match="goldencheetah"):
        pmc(_daily([1.0]), method="banister")  # type: ignore[arg-type]


def test_acwr_coupled_uncoupled_and_ewma() -> None:
    loads = [10.0] * 28 + [20.0] * 7  # 35 days
    out = acwr(_daily(loads), load="trimp_banister")
    assert out.columns == list(schema.ACWR)
    # the first 28 days (index 0-27) are null
    assert out["acwr_coupled"][:28].null_count() == 28
    assert out["acwr_ewma"][:28].null_count() == 28
    # index 28: acute = (6 x 10 + 20)/7 = 11.428571; 28 days = (27 x 10 + 20)/28 = 10.357143 -> 1.103448
    #           days 8-28 before = index 1..21, all 10 -> 11.428571 / 10 = 1.142857
    assert out["acwr_coupled"][28] == pytest.approx(80 / 7 / (290 / 28))
    assert out["acwr_uncoupled"][28] == pytest.approx(80 / 70)
    # index 34: acute = 20; 28 days = (21 x 10 + 7 x 20)/28 = 12.5 -> 1.6; days 8-28 = 10 -> 2.0
    assert out["acwr_coupled"][34] == pytest.approx(1.6)
    assert out["acwr_uncoupled"][34] == pytest.approx(2.0)
    # EWMA (Williams 2017): e_t = lambda x load_t + (1 - lambda) e_{t-1}, from 0, lambda = 2/(N+1)
    ea = ec = 0.0
    for x in loads:
        ea = 2 / 8 * x + (1 - 2 / 8) * ea
        ec = 2 / 29 * x + (1 - 2 / 29) * ec
    assert out["acwr_ewma"][34] == pytest.approx(ea / ec)
    assert 1.4 < ea / ec < 1.7  # sanity: load doubled for a week


def test_acwr_null_where_chronic_load_is_zero() -> None:
    out = acwr(_daily([0.0] * 40), load="trimp_banister")
    assert out["acwr_coupled"].null_count() == 40


def test_monotony_and_strain_by_hand() -> None:
    out = monotony(_daily([10, 0, 10, 0, 10, 0, 10]), load="trimp_banister")
    assert out.columns == list(schema.MONOTONY)
    assert out["monotony"][:6].null_count() == 6
    # mean = 40/7 = 5.714286; deviations 4.285714 (x4), -5.714286 (x3);
    # squares 4 x 18.367347 + 3 x 32.653061 = 171.428571; / (7-1) = 28.571429; sd = 5.345225
    # monotony = 5.714286 / 5.345225 = 1.069045; strain = 40 x 1.069045 = 42.761799
    assert out["monotony"][6] == pytest.approx(1.069045, abs=1e-6)
    assert out["strain"][6] == pytest.approx(42.761799, abs=1e-5)


def test_monotony_zero_sd_is_capped_and_rest_week_is_null() -> None:
    out = monotony(_daily([10] * 7 + [0] * 7), load="trimp_banister", max_monotony=10.0)
    # 7 equal days: sd = 0 -> capped at 10; strain = 70 x 10 = 700
    assert out["monotony"][6] == 10.0
    assert out["strain"][6] == 700.0
    # 7 rest days: no load, nothing to say
    assert out["monotony"][13] is None
    assert not any(math.isinf(v) for v in out["monotony"].drop_nulls())


def test_auto_load_uses_running_minutes_without_heart_rate() -> None:
    d = _daily([0.0] * 7).with_columns(run_moving_s=pl.Series([600.0, 0, 600, 0, 600, 0, 600]))
    out = monotony(d, load="auto")
    # no heart rate -> running minutes 10, 0, 10, 0, 10, 0, 10: same as the hand example above
    assert out["monotony"][6] == pytest.approx(1.069045, abs=1e-6)
