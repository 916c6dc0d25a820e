"""Synthetic frames in the model's shapes, for the report's tests and benchmark (a test helper).

Not a model: daily and weekly sums are computed the plain way from the
activities made here, so the report can be built and measured without a
store.  (No tests here; test_report*.py and benchmarks/bench_report.py import it.)
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import polars as pl

from runback import schema


def synthetic_activities(
    *, athlete: str = "me", start: dt.date = dt.date(2024, 1, 1), days: int = 730, rest_every: int = 0, seed: int = 0
) -> pl.DataFrame:
    """One run a day (a rest day every ``rest_every`` days if > 0), a long run on Sundays, a ride on some days."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(days):
        day = start + dt.timedelta(days=i)
        if rest_every and i % rest_every == rest_every - 1:
            continue
        dist = 6000.0 + 2000.0 * math.sin(i / 20.0) + float(rng.normal(0, 500))
        if day.weekday() == 6:
            dist *= 2.2
        moving = dist / 3.0
        t = dt.datetime.combine(day, dt.time(7, 30))
        rows.append(
            {"activity_id": f"{athlete}-{i}", "athlete": athlete, "source": f"run{i}.fit", "format": "fit",
             "sport": "running", "start_time_utc": t.replace(tzinfo=dt.timezone.utc), "start_time_local": t,
             "utc_offset_s": 0, "utc_offset_source": "assumed_utc", "elapsed_s": moving + 60, "moving_s": moving,
             "distance_m": dist, "avg_hr_bpm": 140.0 + float(rng.normal(0, 8)), "partial": False}
        )
        if i % 9 == 4:
            t2 = t + dt.timedelta(hours=10)
            rows.append(
                {"activity_id": f"{athlete}-b{i}", "athlete": athlete, "source": f"ride{i}.fit", "format": "fit",
                 "sport": "cycling", "start_time_utc": t2.replace(tzinfo=dt.timezone.utc), "start_time_local": t2,
                 "utc_offset_s": 0, "utc_offset_source": "assumed_utc", "elapsed_s": 3600.0, "moving_s": 3500.0,
                 "distance_m": 25000.0, "partial": False}
            )
    return schema.conform(pl.DataFrame(rows), schema.ACTIVITIES)


def synthetic_daily(activities: pl.DataFrame) -> pl.DataFrame:
    """Day sums in the ``daily_load`` shape, rest days as zero rows."""
    acts = activities.with_columns(pl.col("start_time_local").dt.date().alias("date"))
    run = pl.col("sport") == "running"
    per_day = acts.group_by("athlete", "date").agg(
        pl.col("distance_m").filter(run).sum().alias("run_distance_m"),
        pl.col("moving_s").filter(run).sum().alias("run_moving_s"),
        pl.col("moving_s").sum().alias("all_moving_s"),
        run.sum().cast(pl.Int64).alias("n_runs"),
        pl.col("distance_m").filter(run).max().alias("longest_run_m"),
    )
    first, last = acts["date"].min(), acts["date"].max()
    assert isinstance(first, dt.date) and isinstance(last, dt.date)
    days = pl.DataFrame({"date": pl.date_range(first, last, eager=True)})
    out = []
    for athlete in per_day["athlete"].unique().sort().to_list():
        d = days.with_columns(pl.lit(athlete).alias("athlete")).join(
            per_day.filter(pl.col("athlete") == athlete), on=["athlete", "date"], how="left"
        )
        out.append(d)
    daily = pl.concat(out).with_columns(
        pl.col("run_distance_m", "run_moving_s", "all_moving_s", "longest_run_m").fill_null(0.0),
        pl.col("n_runs").fill_null(0),
    )
    minutes = pl.col("run_moving_s") / 60.0
    return daily.with_columns(
        (pl.col("all_moving_s") == 0).alias("rest_day"),
        (minutes * 1.6).alias("trimp_banister"),
        (minutes * 2.5).alias("trimp_edwards"),
        (minutes * 0.1).alias("high_zone_min"),
        (minutes * 0.05).alias("above_threshold_min"),
        (minutes * 4.0).alias("srpe_au"),
    ).select(
        "athlete", "date", "run_distance_m", "run_moving_s", "all_moving_s", "n_runs", "rest_day",
        "trimp_banister", "trimp_edwards", "high_zone_min", "above_threshold_min", "srpe_au", "longest_run_m",
    ).sort("athlete", "date")


def synthetic_weekly(daily: pl.DataFrame) -> pl.DataFrame:
    """ISO-week sums in the ``weekly_load`` shape."""
    wk = (
        daily.with_columns((pl.col("date") - pl.duration(days=pl.col("date").dt.weekday() - 1)).alias("week_start"))
        .group_by("athlete", "week_start")
        .agg(
            pl.col("run_distance_m").sum(),
            pl.col("n_runs").sum(),
            pl.col("rest_day").sum().cast(pl.Int64).alias("rest_days"),
            pl.col("trimp_banister").sum(),
            pl.col("high_zone_min").sum(),
            pl.col("longest_run_m").max(),
        )
        .sort("athlete", "week_start")
    )
    prev = pl.col("run_distance_m").shift(1).over("athlete")
    prev3 = pl.col("run_distance_m").shift(1).rolling_mean(3).over("athlete")
    return wk.with_columns(
        pl.when(prev > 0).then(pl.col("run_distance_m") / prev - 1).alias("run_distance_change"),
        pl.when(prev3 > 0).then(pl.col("run_distance_m") / prev3 - 1).alias("run_distance_vs_3wk"),
        (pl.col("trimp_banister") / (pl.col("run_distance_m") / 1000.0)).alias("trimp_per_km"),
    )


def synthetic_pmc(daily: pl.DataFrame) -> pl.DataFrame:
    """Exponentially weighted fitness and fatigue of ``trimp_banister`` (42 and 7 days)."""
    load = pl.col("trimp_banister")
    return daily.sort("athlete", "date").select(
        "athlete", "date", load.alias("load"),
        load.ewm_mean(alpha=1 - math.exp(-1 / 42), adjust=False).over("athlete").alias("ctl"),
        load.ewm_mean(alpha=1 - math.exp(-1 / 7), adjust=False).over("athlete").alias("atl"),
    ).with_columns((pl.col("ctl").shift(1).over("athlete") - pl.col("atl").shift(1).over("athlete")).alias("tsb"))


def synthetic_acwr(daily: pl.DataFrame) -> pl.DataFrame:
    """EWMA and uncoupled acute:chronic ratios, null for the first 28 days."""
    load = pl.col("trimp_banister")
    acute = load.ewm_mean(alpha=2 / 8, adjust=False).over("athlete")
    chronic = load.ewm_mean(alpha=2 / 29, adjust=False).over("athlete")
    a7 = load.rolling_sum(7).over("athlete") / 7
    c21 = load.shift(7).rolling_sum(21).over("athlete") / 21
    idx = pl.int_range(pl.len()).over("athlete")
    return daily.sort("athlete", "date").select(
        "athlete", "date",
        pl.when(idx >= 28).then(acute / chronic).alias("acwr_ewma"),
        pl.when(idx >= 28).then(a7 / c21).alias("acwr_uncoupled"),
        pl.when(idx >= 28).then(a7 / c21).alias("acwr_coupled"),
    )


def synthetic_journal(
    *, athlete: str = "me", start: dt.date = dt.date(2024, 1, 1), days: int = 730, every: int = 3
) -> pl.DataFrame:
    """A pain entry every ``every`` days with sleep and stress, timings cycling."""
    timings = ("after", "next_morning", "during", "other")
    rows = [
        {"athlete": athlete, "date": start + dt.timedelta(days=i), "pain": (i // every) % 7,
         "timing": timings[(i // every) % 4], "location": "low back", "sleep_h": 6.0 + (i % 5) * 0.5,
         "sleep_quality": 1 + i % 5, "stress": 1 + (i // 2) % 5, "entry_id": f"{athlete}-j{i}"}
        for i in range(0, days, every)
    ]
    return schema.conform(pl.DataFrame(rows), schema.JOURNAL)


def flag_row(athlete: str, date: dt.date, rule: str, *, band: str = "moderate", value: float = 0.5,
             threshold: float = 0.3, activity_id: str | None = None, message_en: str = "", message_nl: str = "",
             evidence: str = "") -> dict[str, object]:
    """One row of ``schema.FLAGS``."""
    return {"athlete": athlete, "date": date, "activity_id": activity_id, "rule": rule, "band": band,
            "value": value, "threshold": threshold, "baseline": None, "message_en": message_en or f"{rule} fired",
            "message_nl": message_nl or f"{rule} sloeg aan", "evidence": evidence or f"evidence for {rule}"}


def synthetic_frames(*, athlete: str = "me", days: int = 730, start: dt.date = dt.date(2024, 1, 1)) -> dict[str, object]:
    """Every keyword of ``build_runner_report`` except ``lang``/``since``/``profile``."""
    activities = synthetic_activities(athlete=athlete, start=start, days=days)
    daily = synthetic_daily(activities)
    end = start + dt.timedelta(days=days - 1)
    flags = schema.conform(
        pl.DataFrame(
            [
                flag_row(athlete, end - dt.timedelta(days=3), "session_spike", value=0.45, threshold=0.3,
                         activity_id=f"{athlete}-{days - 4}"),
                flag_row(athlete, end - dt.timedelta(days=1), "no_rest", band="context", value=7, threshold=7),
                flag_row(athlete, end - dt.timedelta(days=2), "pain_during_run", band="too_much", value=6, threshold=5),
                flag_row(athlete, start + dt.timedelta(days=40), "weekly_jump", band="context", value=0.4),
            ]
        ),
        schema.FLAGS,
    ).sort("athlete", "date", "rule")
    return {
        "athlete": athlete,
        "activities": activities,
        "daily": daily,
        "weekly": synthetic_weekly(daily),
        "flags": flags,
        "journal": synthetic_journal(athlete=athlete, start=start, days=days),
        "pain_analysis": None,
        "pmc": synthetic_pmc(daily),
        "acwr": synthetic_acwr(daily),
    }
