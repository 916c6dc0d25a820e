"""The sample-level load model as it was before the per-activity summaries: the test oracle.

Copied verbatim from runback.load.metrics (``_sample_metrics`` and ``session_load``),
runback.load.profile (``estimates_by_athlete``, ``sustained_efforts``, the threshold
pace) and runback.checks (``_long_gaps``) as they computed from samples, so
tests/test_summaries.py can check that computing from runback.summaries gives the
same figures, as fitparse is the oracle for the FIT decoder.  Not part of runback:
only tests import it.  ``session_load`` here takes already resolved ``profiles``.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from runback import schema
from runback.load.metrics import ZONE_EDGES, local_dates
from runback.load.profile import (
    _EFFORTS_HOW,
    _EFFORTS_LOOSE_HOW,
    _RIEGEL_HOW,
    EFFORT_AGREEMENT,
    EFFORT_MIN_RUNS,
    MAX_TRUSTED_ELAPSED_S,
    Profile,
)
from runback.sports import running_activity

GAP_CAP_S = 30.0
LONG_GAP_S = 600.0
RIEGEL_EXPONENT = 1.06
EFFORT_WINDOWS_MIN = (20, 30, 40, 50, 60)
MOVING_SPEED_MPS = 0.5
MAX_STEP_SPEED_MPS = 10.0
MAX_STEP_GAP_S = 60.0
MAX_SUSTAINED_RUN_SPEED_MPS = 6.5
ProfileArg = Profile | Mapping[str, Profile] | None

_SESSION_COLS = (
    "trimp_banister",
    "trimp_edwards",
    "z1_min",
    "z2_min",
    "z3_min",
    "z4_min",
    "z5_min",
    "above_threshold_min",
    "hr_run_min",
)


def _profile_frame(profiles: Mapping[str, Profile]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "athlete": list(profiles),
            "_hr_max": [p.hr_max_bpm for p in profiles.values()],
            "_hr_rest": [p.hr_rest_bpm for p in profiles.values()],
            "_female": [p.sex == "female" for p in profiles.values()],
            "_thr_speed": [p.threshold_speed_mps for p in profiles.values()],
        },
        schema={
            "athlete": pl.String,
            "_hr_max": pl.Float64,
            "_hr_rest": pl.Float64,
            "_female": pl.Boolean,
            "_thr_speed": pl.Float64,
        },
    )


def _sample_metrics(samples: pl.DataFrame, acts: pl.DataFrame) -> pl.DataFrame:
    """Per-activity sums over samples: TRIMP, zone and threshold minutes."""
    keep = acts.select("activity_id", "_hr_max", "_hr_rest", "_female", "_thr_speed")
    s = samples.select("activity_id", "timestamp_utc", "elapsed_s", "distance_m", "speed_mps", "heart_rate_bpm")
    s = s.join(keep, on="activity_id", how="inner")
    if s.height == 0:
        return pl.DataFrame(schema={"activity_id": pl.String, **{c: pl.Float64 for c in _SESSION_COLS}})
    t = pl.coalesce(
        pl.col("elapsed_s"),
        (pl.col("timestamp_utc") - pl.col("timestamp_utc").min().over("activity_id")).dt.total_microseconds()
        / 1e6,
    )
    s = s.with_columns(_t=t).sort("activity_id", "_t", "timestamp_utc", nulls_last=True)
    raw_dt = pl.col("_t").diff().over("activity_id")
    s = s.with_columns(
        _raw_dt=raw_dt,
        _dt_min=raw_dt.clip(0.0, GAP_CAP_S).fill_null(0.0) / 60.0,
        _ddist=pl.col("distance_m").diff().over("activity_id"),
    )
    speed = pl.coalesce(
        pl.col("speed_mps"),
        pl.when(pl.col("_raw_dt") > 0).then(pl.col("_ddist") / pl.col("_raw_dt")),
    )
    hr = pl.col("heart_rate_bpm")
    hrr = ((hr - pl.col("_hr_rest")) / (pl.col("_hr_max") - pl.col("_hr_rest"))).clip(0.0, 1.0)
    coef_a = pl.when(pl.col("_female")).then(0.86).otherwise(0.64)
    coef_b = pl.when(pl.col("_female")).then(1.67).otherwise(1.92)
    pct = hr / pl.col("_hr_max")
    zone = (
        pl.when(pct >= ZONE_EDGES[4]).then(5)
        .when(pct >= ZONE_EDGES[3]).then(4)
        .when(pct >= ZONE_EDGES[2]).then(3)
        .when(pct >= ZONE_EDGES[1]).then(2)
        .when(pct >= ZONE_EDGES[0]).then(1)
        .otherwise(0)
    )
    dt = pl.col("_dt_min")
    has_hr = hr.is_not_null() & (hr > 0)
    s = s.with_columns(_zone=zone, _has_hr=has_hr, _speed=speed)
    aggs = [
        (dt * hrr * coef_a * (coef_b * hrr).exp()).filter(has_hr).sum().alias("trimp_banister"),
        (dt * pl.col("_zone")).filter(has_hr).sum().cast(pl.Float64).alias("trimp_edwards"),
        *[dt.filter(has_hr & (pl.col("_zone") == z)).sum().alias(f"z{z}_min") for z in range(1, 6)],
        dt.filter((pl.col("_speed") > pl.col("_thr_speed")) & (pl.col("_speed") <= 10.0))
        .sum()
        .alias("above_threshold_min"),
        dt.filter(has_hr).sum().alias("hr_run_min"),
    ]
    return s.group_by("activity_id").agg(aggs)


def session_load(
    activities: pl.DataFrame,
    samples: pl.DataFrame | None = None,
    *,
    profile: ProfileArg = None,
    profiles: Mapping[str, Profile] | None = None,
    infer_unknown_sport: bool = True,
) -> pl.DataFrame:
    """Load of every activity: one row per activity with its local day.

    Columns: ``athlete, activity_id, date, sport, is_run, distance_m, moving_s,
    rpe, trimp_banister, trimp_edwards, z1_min .. z5_min, high_zone_min,
    above_threshold_min, high_intensity_min, hr_run_min, srpe_au``.  Intensity
    columns are 0 for activities that are not runs.

    Parameters
    ----------
    activities, samples
        schema.ACTIVITIES and (optional) schema.SAMPLES.
    profile
        See :func:`resolve_profiles`.
    profiles
        Already resolved profiles (athlete -> Profile); skips the estimation.
    infer_unknown_sport
        Count activities without a sport (GPX without ``<type>``: "generic") as
        running when their name or average speed says so; see
        :mod:`runback.sports`.  ``is_run`` shows the outcome.

    References
    ----------
    docs/evidence.md, "Intensity measures"; Banister 1991; Edwards 1993; Foster 2001.
    """
    if profiles is None:  # the oracle does not resolve profiles: tests give them resolved
        raise ValueError("reference session_load takes resolved profiles")
    acts = activities.with_columns(date=local_dates(activities, profiles)).join(
        _profile_frame(profiles), on="athlete", how="left"
    )
    acts = acts.with_columns(
        is_run=running_activity(infer_unknown=infer_unknown_sport),
        moving_s=pl.coalesce(pl.col("moving_s"), pl.col("elapsed_s"), pl.lit(0.0)).clip(0.0),
        distance_m=pl.col("distance_m").fill_null(0.0).clip(0.0),
    )
    runs = acts.filter(pl.col("is_run"))
    if samples is not None and samples.height and runs.height:
        per = _sample_metrics(samples, runs)
    else:
        per = pl.DataFrame(schema={"activity_id": pl.String, **{c: pl.Float64 for c in _SESSION_COLS}})
    acts = acts.join(per, on="activity_id", how="left")
    # summary fallback: Banister's original per-session formula from the average HR
    hrr_avg = ((pl.col("avg_hr_bpm") - pl.col("_hr_rest")) / (pl.col("_hr_max") - pl.col("_hr_rest"))).clip(0.0, 1.0)
    coef_a = pl.when(pl.col("_female")).then(0.86).otherwise(0.64)
    coef_b = pl.when(pl.col("_female")).then(1.67).otherwise(1.92)
    no_hr_samples = pl.col("hr_run_min").fill_null(0.0) <= 0
    avg_ok = no_hr_samples & pl.col("avg_hr_bpm").is_not_null() & pl.col("_hr_max").is_not_null()
    minutes = pl.col("moving_s") / 60.0
    acts = acts.with_columns(
        trimp_banister=pl.when(avg_ok)
        .then(minutes * hrr_avg * coef_a * (coef_b * hrr_avg).exp())
        .otherwise(pl.col("trimp_banister")),
        hr_run_min=pl.when(avg_ok).then(minutes).otherwise(pl.col("hr_run_min")),
    )
    zero_if_not_run = [
        pl.when(pl.col("is_run")).then(pl.col(c).fill_null(0.0)).otherwise(0.0).alias(c)
        for c in _SESSION_COLS
    ]
    acts = acts.with_columns(zero_if_not_run)
    has_hr = pl.col("hr_run_min") > 0
    acts = acts.with_columns(
        high_zone_min=pl.col("z4_min") + pl.col("z5_min"),
        srpe_au=pl.when(pl.col("is_run") & pl.col("rpe").is_not_null())
        .then(pl.col("rpe") * minutes)
        .otherwise(0.0),
        hr_run_distance_m=pl.when(pl.col("is_run") & has_hr).then(pl.col("distance_m")).otherwise(0.0),
    ).with_columns(
        high_intensity_min=pl.when(has_hr).then(pl.col("high_zone_min")).otherwise(pl.col("above_threshold_min")),
    )
    return acts.select(
        "athlete",
        "activity_id",
        "date",
        "sport",
        "is_run",
        "distance_m",
        "moving_s",
        "rpe",
        *_SESSION_COLS[:2],
        *_SESSION_COLS[2:7],
        "high_zone_min",
        "above_threshold_min",
        "high_intensity_min",
        "hr_run_min",
        "hr_run_distance_m",
        "srpe_au",
    ).sort("athlete", "date", "activity_id")


def estimates_by_athlete(activities: pl.DataFrame, samples: pl.DataFrame | None) -> pl.DataFrame:
    """Per-athlete raw estimates: ``athlete, hr_max, hr_max_how, hr_low, thr_pace, thr_pace_how``.

    Vectorised over athletes (one pass over the frames); see
    :func:`estimate_profile` for the methods.
    """
    athletes = activities.select("athlete").unique()
    s_hr = None
    if samples is not None and samples.height and "heart_rate_bpm" in samples.columns:
        s_hr = (
            samples.select("activity_id", "elapsed_s", "heart_rate_bpm")
            .filter(pl.col("heart_rate_bpm").is_between(30, 230))
            .join(activities.select("activity_id", "athlete"), on="activity_id", how="inner")
            .sort("activity_id", "elapsed_s")
            .with_columns(_med=pl.col("heart_rate_bpm").rolling_median(5).over("activity_id"))
            .group_by("athlete")
            .agg(_s_max=pl.col("_med").max(), hr_low=pl.col("heart_rate_bpm").min())
        )
    a_max = activities.group_by("athlete").agg(
        _a_max=pl.col("max_hr_bpm").filter(pl.col("max_hr_bpm") <= 230).max()
    )
    out = (
        athletes.join(a_max, on="athlete", how="left")
        .join(_threshold_from_efforts(activities, samples).drop("_eff_runs"), on="athlete", how="left")
        .join(_threshold_by_riegel(activities), on="athlete", how="left")
    )
    if s_hr is not None:
        out = out.join(s_hr, on="athlete", how="left")
    else:
        out = out.with_columns(_s_max=pl.lit(None, pl.Float64), hr_low=pl.lit(None, pl.Float64))
    return out.select(
        "athlete",
        hr_max=pl.coalesce("_s_max", "_a_max"),
        hr_max_how=pl.when(pl.col("_s_max").is_not_null())
        .then(pl.lit("estimated: highest heart rate held over 5 samples"))
        .when(pl.col("_a_max").is_not_null())
        .then(pl.lit("estimated: highest activity maximum heart rate")),
        hr_low=pl.col("hr_low"),
        thr_pace=pl.coalesce("_eff_pace", "_riegel_pace"),
        thr_pace_how=pl.when(pl.col("_eff_pace").is_not_null())
        .then(pl.col("_eff_how"))
        .when(pl.col("_riegel_pace").is_not_null())
        .then(pl.lit(_RIEGEL_HOW)),
    )


def _threshold_by_riegel(activities: pl.DataFrame) -> pl.DataFrame:
    """``athlete, _riegel_pace``: the summaries' fallback (Riegel's 60-min pace of the best run)."""
    elapsed = pl.col("elapsed_s").fill_null(0.0) if "elapsed_s" in activities.columns else pl.lit(0.0)
    runs = activities.filter(
        running_activity()
        & pl.col("moving_s").is_between(600, 3 * 3600)
        & (pl.col("distance_m") > 0)
        & (pl.col("distance_m") / pl.col("moving_s") <= MAX_SUSTAINED_RUN_SPEED_MPS)
        & (elapsed <= MAX_TRUSTED_ELAPSED_S)  # a watch left recording for a day is not one run
    )
    # distance Riegel predicts for 60 min: D2 = D1 * (3600 / T1) ** (1 / 1.06)
    best = runs.group_by("athlete").agg(
        _best_m=(pl.col("distance_m") * (3600.0 / pl.col("moving_s")) ** (1.0 / RIEGEL_EXPONENT)).max()
    )
    return best.select("athlete", _riegel_pace=3600.0 / (pl.col("_best_m") / 1000.0))


def sustained_efforts(activities: pl.DataFrame, samples: pl.DataFrame | None) -> pl.DataFrame:
    """Each run's best sustained effort, from its samples' moving time only.

    For every running activity (see :func:`runback.sports.running_activity`)
    and every window of :data:`EFFORT_WINDOWS_MIN` minutes of *moving* time
    (sample steps at more than 0.5 m/s; steps over a gap of more than 60 s
    or faster than 10 m/s, GPS jumps, do not count), the fastest such
    stretch of the run.  Stretches faster than 6.5 m/s on average are not
    running and are left out.  Each stretch's distance is turned into the
    distance it predicts for 60 minutes by Riegel's formula (exponent 1.06),
    and the run's best prediction is its effort.

    Parameters
    ----------
    activities
        :data:`runback.schema.ACTIVITIES` rows (any number of athletes).
    samples
        :data:`runback.schema.SAMPLES` rows of those activities; ``None`` or
        empty gives an empty frame.

    Returns
    -------
    polars.DataFrame
        One row per run with at least 20 minutes of moving samples:
        ``athlete, activity_id, start_time_utc, window_min`` (the window of
        the best prediction), ``window_speed_mps`` (that stretch's mean
        speed), ``effort_pace_s_per_km`` (the predicted 60-min pace),
        sorted by athlete and effort, fastest first.

    References
    ----------
    Riegel P. S. (1981), Athletic records and human endurance.
    """
    out_schema = {
        "athlete": pl.String(),
        "activity_id": pl.String(),
        "start_time_utc": pl.Datetime("us", "UTC"),
        "window_min": pl.Int32(),
        "window_speed_mps": pl.Float64(),
        "effort_pace_s_per_km": pl.Float64(),
    }
    if samples is None or samples.is_empty():
        return pl.DataFrame(schema=out_schema)
    runs = activities.filter(running_activity()).select("athlete", "activity_id", "start_time_utc")
    steps = (
        samples.select("activity_id", "elapsed_s", "distance_m", "speed_mps")
        .join(runs.select("activity_id"), on="activity_id", how="semi")
        .filter(pl.col("elapsed_s").is_not_null())
        .sort("activity_id", "elapsed_s")
        .with_columns(
            _dt=pl.col("elapsed_s").diff().over("activity_id"),
            _dd=pl.col("distance_m").diff().over("activity_id"),
        )
        # no cumulative distance: the step's distance from its speed
        .with_columns(_dd=pl.coalesce("_dd", pl.col("speed_mps") * pl.col("_dt")))
        .with_columns(
            _moving=(
                (pl.col("_dt") > 0)
                & (pl.col("_dt") <= MAX_STEP_GAP_S)
                & (pl.col("_dd") > MOVING_SPEED_MPS * pl.col("_dt"))
                & (pl.col("_dd") <= MAX_STEP_SPEED_MPS * pl.col("_dt"))
            ).fill_null(False)
        )
        .with_columns(
            _mt=pl.when("_moving").then("_dt").otherwise(0.0).cum_sum().over("activity_id"),
            _md=pl.when("_moving").then("_dd").otherwise(0.0).cum_sum().over("activity_id"),
        )
        .select("activity_id", "_mt", "_md")
    )
    right = steps.rename({"_mt": "_mt0", "_md": "_md0"}).sort("_mt0")
    best: list[pl.DataFrame] = []
    for minutes in EFFORT_WINDOWS_MIN:
        window_s = minutes * 60.0
        ends = steps.filter(pl.col("_mt") >= window_s).with_columns(_key=pl.col("_mt") - window_s).sort("_key")
        if ends.is_empty():
            continue
        # the last sample at or before the window's start, in moving time
        joined = ends.join_asof(
            right, left_on="_key", right_on="_mt0", by="activity_id", strategy="backward", check_sortedness=False
        )
        speeds = joined.select(
            "activity_id",
            _t=pl.col("_mt") - pl.col("_mt0"),
            _d=pl.col("_md") - pl.col("_md0"),
        ).filter((pl.col("_t") > 0) & (pl.col("_d") / pl.col("_t") <= MAX_SUSTAINED_RUN_SPEED_MPS))
        best.append(
            speeds.with_columns(
                window_min=pl.lit(minutes, pl.Int32),
                window_speed_mps=pl.col("_d") / pl.col("_t"),
                # Riegel: the distance this stretch predicts for 60 min, D60 = D (3600 / T) ** (1 / 1.06)
                _d60=pl.col("_d") * (3600.0 / pl.col("_t")) ** (1.0 / RIEGEL_EXPONENT),
            )
            .sort("_d60", descending=True)
            .unique("activity_id", keep="first")
        )
    if not best:
        return pl.DataFrame(schema=out_schema)
    efforts = (
        pl.concat(best)
        .sort("_d60", "window_min", descending=[True, False])
        .unique("activity_id", keep="first")
        .join(runs, on="activity_id", how="inner")
        .select(
            "athlete",
            "activity_id",
            "start_time_utc",
            "window_min",
            "window_speed_mps",
            effort_pace_s_per_km=3600.0 / (pl.col("_d60") / 1000.0),
        )
    )
    return efforts.cast(out_schema).sort(["athlete", "effort_pace_s_per_km", "activity_id"])  # type: ignore[arg-type]


def threshold_pace_runs(activities: pl.DataFrame, samples: pl.DataFrame | None) -> pl.DataFrame:
    """How the sample-based threshold pace was found, per athlete: ``athlete,
    threshold_pace_s_per_km, source, activity_ids`` (the three runs whose efforts
    set it).  Athletes with fewer than three runs with efforts have no row (their
    estimate, if any, falls back to Riegel from the summaries).
    """
    found = _threshold_from_efforts(activities, samples)
    return found.select(
        "athlete", threshold_pace_s_per_km="_eff_pace", source="_eff_how", activity_ids="_eff_runs"
    ).sort("athlete")


def _threshold_from_efforts(activities: pl.DataFrame, samples: pl.DataFrame | None) -> pl.DataFrame:
    """``athlete, _eff_pace, _eff_how, _eff_runs``: the threshold pace several runs' best efforts agree on."""
    ranked = sustained_efforts(activities, samples).with_columns(
        _rank=pl.col("effort_pace_s_per_km").rank("ordinal").over("athlete"),
        _n=pl.len().over("athlete"),
    )
    # for each run, it and the next two slower ones: do they agree within 10% (in speed)?
    trios = ranked.with_columns(
        _p2=pl.col("effort_pace_s_per_km").shift(-2).over("athlete", order_by="_rank"),
        _p1=pl.col("effort_pace_s_per_km").shift(-1).over("athlete", order_by="_rank"),
        _eff_runs=pl.concat_list(
            "activity_id",
            pl.col("activity_id").shift(-1).over("athlete", order_by="_rank"),
            pl.col("activity_id").shift(-2).over("athlete", order_by="_rank"),
        ),
    ).filter((pl.col("_n") >= EFFORT_MIN_RUNS) & pl.col("_p2").is_not_null())
    agree = pl.col("effort_pace_s_per_km") / pl.col("_p2") >= 1.0 - EFFORT_AGREEMENT
    first_agreeing = (
        trios.filter(agree)
        .sort("athlete", "_rank")
        .group_by("athlete")
        .first()
        .select("athlete", "_eff_runs", _eff_pace=pl.col("_p1"), _eff_how=pl.lit(_EFFORTS_HOW))
    )
    best_three = (
        trios.filter(pl.col("_rank") == 1)
        .join(first_agreeing.select("athlete"), on="athlete", how="anti")
        .select("athlete", "_eff_runs", _eff_pace=pl.col("_p1"), _eff_how=pl.lit(_EFFORTS_LOOSE_HOW))
    )
    return pl.concat([first_agreeing, best_three]).cast(
        {"_eff_pace": pl.Float64, "_eff_how": pl.String, "_eff_runs": pl.List(pl.String)}
    )


def _duration_text(seconds: pl.Expr) -> pl.Expr:
    """Seconds as "25 min", "5.5 h" or "12 days"."""
    return (
        pl.when(seconds < 7200)
        .then(pl.format("{} min", (seconds / 60).round(0).cast(pl.Int64)))
        .when(seconds < 2 * 86400)
        .then(pl.format("{} h", (seconds / 3600).round(1)))
        .otherwise(pl.format("{} days", (seconds / 86400).round(0).cast(pl.Int64)))
    )


def _long_gaps(acts: pl.DataFrame, samples: pl.DataFrame | None) -> pl.DataFrame:
    if samples is None or samples.is_empty():
        return schema.empty(schema.CHECKS)
    gaps = (
        samples.select("activity_id", "timestamp_utc")
        .join(acts.select("activity_id", "athlete"), on="activity_id", how="inner")
        .filter(pl.col("timestamp_utc").is_not_null())
        .sort("activity_id", "timestamp_utc")
        .with_columns(_gap=pl.col("timestamp_utc").diff().over("activity_id").dt.total_microseconds() / 1e6)
        .with_columns(_from=pl.col("timestamp_utc").shift(1).over("activity_id"))
        .filter(pl.col("_gap") > LONG_GAP_S)
    )
    per_activity = (
        gaps.sort("_gap", descending=True)
        .group_by("athlete", "activity_id", maintain_order=True)
        .agg(pl.col("_gap").first(), pl.col("_from").first(), _n=pl.len())
    )
    return per_activity.select(
        "athlete",
        "activity_id",
        check=pl.lit("long_gap"),
        start_time_utc="_from",
        value="_gap",
        unit=pl.lit("s"),
        message=pl.format(
            "{} has {} gap(s) of more than 10 min between samples, the longest {} from {} UTC "
            "(a pause, or the signal lost: the distance across it is a straight line)",
            "activity_id",
            "_n",
            _duration_text(pl.col("_gap")),
            pl.col("_from").dt.strftime("%Y-%m-%d %H:%M"),
        ),
        fix=pl.format("runback activities exclude {}", "activity_id"),
    )
