"""Load per session, per local calendar day and per ISO week.

Running load is every activity whose sport is running (any sub-sport: road,
trail, treadmill ...).  Walks, rides and strength sessions stay visible in
``all_moving_s`` and ``n_activities`` but add nothing to running load
(docs/evidence.md: "counted in running load only where the rule says so"; no rule
says so).

Intensity (definitions, not injury predictors; docs/evidence.md "Intensity measures"):

- Banister TRIMP per sample: ``minutes x HRr x 0.64 x e^(1.92 HRr)`` (men, and
  when sex is unknown) or ``0.86 x e^(1.67 HRr)`` (women), with
  ``HRr = (HR - HRrest) / (HRmax - HRrest)`` clipped to 0..1.  A sample counts
  for the time since the previous sample, capped at 30 s so a paused watch adds
  nothing.  A run without heart-rate samples but with an average heart rate gets
  Banister's original per-session formula from that average.
- Edwards TRIMP: minutes in 50-60/60-70/70-80/80-90/90-100% HRmax weighted 1-5.
- Minutes faster than the runner's threshold pace (the profile's, or its
  estimate; see :func:`runback.load.estimate_profile`).
- Session-RPE: RPE (CR-10) x minutes (Foster 2001), where RPE is known.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from runback import schema
from runback.days import local_day, week_start
from runback.load import _segments as seg
from runback.sports import is_running, running_activity
from runback.load.profile import Profile, resolve_profiles, summaries_of
from runback.summaries import GAP_CAP_S as GAP_CAP_S

__all__ = [
    "GAP_CAP_S",
    "ZONE_EDGES",
    "daily_load",
    "is_running",
    "local_dates",
    "resolve_profiles",
    "session_load",
    "weekly_load",
]

#: lower edges of heart-rate zones 1-5 as fractions of HRmax (docs/evidence.md)
ZONE_EDGES = (0.5, 0.6, 0.7, 0.8, 0.9)

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
# the session columns a day adds up
_DAILY_SUMS = (*_SESSION_COLS, "high_zone_min", "high_intensity_min", "hr_run_distance_m", "srpe_au")


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


def local_dates(activities: pl.DataFrame, profiles: Mapping[str, Profile] | None = None) -> pl.Series:
    """The athlete's local calendar day of each activity.

    ``start_time_local`` is used as it is, except where its offset was only
    assumed (``utc_offset_source == "assumed_utc"``, e.g. GPX) and the athlete's
    profile names a time zone: then ``start_time_utc`` is converted to that zone.
    Never depends on the machine's time zone.
    """
    zones = {a: p.timezone for a, p in (profiles or {}).items()}
    expr = local_day(zones)
    return activities.select(expr.alias("date")).get_column("date")


def _summary_metrics(summaries: pl.DataFrame, acts: pl.DataFrame) -> pl.DataFrame:
    """Per-activity TRIMP, zone and threshold minutes from the summaries' histograms.

    Each histogram row (minutes at one heart rate or one speed) is weighted as
    every sample at that value was; the activity's profile scalars are joined
    at activity level, before the lists are exploded, and the sums group on an
    integer row key that the explode leaves sorted.
    """
    keep = acts.select("activity_id", "_hr_max", "_hr_rest", "_female", "_thr_speed")
    per = summaries.select("activity_id", "hr_bpm", "hr_min", "speed_mps", "speed_min").join(
        keep, on="activity_id", how="inner"
    )
    if per.height == 0:
        return pl.DataFrame(schema={"activity_id": pl.String, **{c: pl.Float64 for c in _SESSION_COLS}})
    per = per.with_row_index("_k")
    hr = pl.col("hr_bpm")
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
    dt = pl.col("hr_min")
    # an empty histogram explodes to one null row, which adds nothing
    hr_rows = (
        per.select("_k", "_hr_max", "_hr_rest", "_female", "hr_bpm", "hr_min")
        .explode("hr_bpm", "hr_min")
        .with_columns(pl.col("_k").set_sorted(), _zone=zone)
        .select(
            "_k",
            trimp_banister=dt * hrr * coef_a * (coef_b * hrr).exp(),
            trimp_edwards=(dt * pl.col("_zone")).cast(pl.Float64),
            **{f"z{z}_min": pl.when(pl.col("_zone") == z).then(dt) for z in range(1, 6)},
            hr_run_min=dt,
        )
        .group_by("_k", maintain_order=True)
        .sum()
    )
    speed = pl.col("speed_mps")
    above = (
        per.select("_k", "_thr_speed", "speed_mps", "speed_min")
        .explode("speed_mps", "speed_min")
        .with_columns(pl.col("_k").set_sorted())
        .select("_k", above_threshold_min=pl.when(speed > pl.col("_thr_speed")).then(pl.col("speed_min")))
        .group_by("_k", maintain_order=True)
        .sum()
    )
    return per.select("_k", "activity_id").join(hr_rows, on="_k", how="left").join(above, on="_k", how="left").select(
        "activity_id", *(pl.col(c).cast(pl.Float64) for c in _SESSION_COLS)
    )


def session_load(
    activities: pl.DataFrame,
    samples: pl.DataFrame | None = None,
    *,
    profile: ProfileArg = None,
    profiles: Mapping[str, Profile] | None = None,
    infer_unknown_sport: bool = True,
    summaries: pl.DataFrame | None = None,
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
    summaries
        :data:`runback.summaries.SUMMARIES` rows of the activities (e.g.
        :meth:`runback.store.Store.summaries`), read instead of ``samples``:
        the figures are the same, as ``samples`` are summarised first.
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
    summaries = summaries_of(samples, summaries)
    if profiles is None:
        profiles = resolve_profiles(activities, profile=profile, summaries=summaries)
    acts = activities.with_columns(date=local_dates(activities, profiles)).join(
        _profile_frame(profiles), on="athlete", how="left"
    )
    acts = acts.with_columns(
        is_run=running_activity(infer_unknown=infer_unknown_sport),
        moving_s=pl.coalesce(pl.col("moving_s"), pl.col("elapsed_s"), pl.lit(0.0)).clip(0.0),
        distance_m=pl.col("distance_m").fill_null(0.0).clip(0.0),
    )
    runs = acts.filter(pl.col("is_run"))
    if summaries is not None and summaries.height and runs.height:
        per = _summary_metrics(summaries, runs)
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


def daily_load(
    activities: pl.DataFrame,
    samples: pl.DataFrame | None = None,
    *,
    profile: ProfileArg = None,
    sessions: pl.DataFrame | None = None,
    summaries: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Load per athlete per local calendar day, rest days as explicit zero rows.

    One row per athlete per day from the athlete's first to last activity day
    (any sport).  Several activities on one day add up.

    Parameters
    ----------
    activities
        schema.ACTIVITIES.
    samples
        schema.SAMPLES, optional: without samples TRIMP falls back to the
        average heart rate and zone / threshold minutes are 0.
    profile
        None, a :class:`Profile`, or athlete -> Profile; missing values are
        estimated (see :func:`runback.load.estimate_profile`).
    sessions
        The result of :func:`session_load`, if already computed.
    summaries
        :data:`runback.summaries.SUMMARIES` rows, read instead of ``samples``.

    Returns
    -------
    pl.DataFrame
        schema.DAILY, sorted by athlete and date.

    References
    ----------
    docs/evidence.md: rules section ("Day" is the athlete's local calendar day) and
    "Intensity measures".
    """
    if sessions is None:
        sessions = session_load(activities, samples, profile=profile, summaries=summaries)
    sessions = sessions.filter(pl.col("athlete").is_not_null() & pl.col("date").is_not_null())
    if sessions.height == 0:
        return schema.empty(schema.DAILY)
    # one integer key per athlete-day (athlete code x 10^6 + day number): grouping, the
    # calendar grid and the join run on one int column instead of (string, date)
    names = sessions.get_column("athlete").unique().sort()
    day0 = sessions.get_column("date").min()
    span = 1_000_000
    day_no = (pl.col("date") - pl.lit(day0)).dt.total_days()
    code = pl.col("athlete").cast(pl.Enum(names.to_list())).to_physical().cast(pl.Int64)
    run = pl.col("is_run")
    keyed = sessions.with_columns(
        _k=code * span + day_no,
        _run_m=pl.when(run).then(pl.col("distance_m")).otherwise(0.0),
        _run_s=pl.when(run).then(pl.col("moving_s")).otherwise(0.0),
        _run=run.cast(pl.Int32),
    )
    if not keyed.get_column("_k").is_sorted():
        keyed = keyed.sort("_k")
    # plain sums over sorted keys are polars' fast path (no filters inside the aggregation)
    per_day = keyed.group_by("_k", maintain_order=True).agg(
        run_distance_m=pl.col("_run_m").sum(),
        run_moving_s=pl.col("_run_s").sum(),
        all_moving_s=pl.col("moving_s").sum(),
        n_runs=pl.col("_run").sum().cast(pl.Int32),
        n_activities=pl.len().cast(pl.Int32),
        longest_run_m=pl.col("_run_m").max(),
        **{c: pl.col(c).sum() for c in _DAILY_SUMS},
    )
    grid = (
        per_day.group_by(pl.col("_k") // span, maintain_order=True)
        .agg(first=pl.col("_k").first(), last=pl.col("_k").last())
        .select(_k=pl.int_ranges("first", pl.col("last") + 1))
        .explode("_k")
    )
    daily = grid.join(per_day, on="_k", how="left", maintain_order="left")
    numeric = [c for c, t in schema.DAILY.items() if c not in ("athlete", "date", "rest_day")]
    daily = daily.with_columns([pl.col(c).fill_null(0) for c in numeric]).with_columns(
        athlete=pl.lit(names).gather(pl.col("_k") // span),
        date=pl.lit(day0) + pl.duration(days=pl.col("_k") % span),
        rest_day=pl.col("n_runs") == 0,
    )
    return schema.conform(daily.drop("_k"), schema.DAILY)


def weekly_load(daily: pl.DataFrame) -> pl.DataFrame:
    """Load per athlete per ISO week (Monday to Sunday, local calendar).

    Parameters
    ----------
    daily
        schema.DAILY (from :func:`daily_load`).

    Returns
    -------
    pl.DataFrame
        schema.WEEKLY, sorted by athlete and week_start.  The change columns
        compare only with weeks fully inside the athlete's history (7 days
        covered), so a history that starts mid-week does not look like a jump.

    References
    ----------
    docs/evidence.md, the weekly distance rule (formula: D_week / D_previous_week - 1, and
    against the mean of the 3 previous weeks).
    """
    if daily.height == 0:
        return schema.empty(schema.WEEKLY)
    wk = (
        daily.with_columns(week_start=week_start(pl.col("date")))
        .group_by("athlete", "week_start")
        .agg(
            days_covered=pl.len().cast(pl.Int32),
            run_distance_m=pl.col("run_distance_m").sum(),
            run_moving_s=pl.col("run_moving_s").sum(),
            all_moving_s=pl.col("all_moving_s").sum(),
            n_runs=pl.col("n_runs").sum().cast(pl.Int32),
            rest_days=pl.col("rest_day").sum().cast(pl.Int32),
            trimp_banister=pl.col("trimp_banister").sum(),
            high_zone_min=pl.col("high_zone_min").sum(),
            high_intensity_min=pl.col("high_intensity_min").sum(),
            _hr_km=pl.col("hr_run_distance_m").sum() / 1000.0,
            longest_run_m=pl.col("longest_run_m").max(),
            srpe_au=pl.col("srpe_au").sum(),
        )
        .sort("athlete", "week_start")
        .with_columns(_i=seg.row_index())
    )
    full = pl.col("days_covered") == 7
    d, i = pl.col("run_distance_m"), pl.col("_i")
    prev = seg.shift(d, 1, i)
    prev_full = seg.shift(full, 1, i).fill_null(False)
    mean3 = pl.when(i >= 3).then(d.shift(1).rolling_mean(3))
    full3 = (i >= 3) & (full.cast(pl.Int32).shift(1).rolling_sum(3) == 3)
    wk = wk.with_columns(
        run_distance_change=pl.when(prev_full & (prev > 0)).then(d / prev - 1.0),
        run_distance_vs_3wk=pl.when(full3.fill_null(False) & (mean3 > 0)).then(d / mean3 - 1.0),
        trimp_per_km=pl.when(pl.col("_hr_km") > 0).then(pl.col("trimp_banister") / pl.col("_hr_km")),
    )
    return schema.conform(wk.drop("_hr_km", "_i"), schema.WEEKLY)
