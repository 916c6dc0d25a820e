"""What looks wrong in a runner's stored activities, each with the command that would fix it.

The library side of ``runback check``.  It reads the corrected view of the
store (what the model counts) and lists, per athlete:

- **overlap**: two activities kept whose recorded intervals overlap by more
  than half of the shorter one: one run recorded twice is counted twice.
  Fix: ``runback activities merge <id> <id>``.
- **implausible_pace**: a run faster than 6.5 m/s on average (2:34/km: a
  ride or a car), or an activity labelled running slower than 1.8 m/s
  (9:15/km: a walk).  Fix: ``runback activities set <id> --sport ...``.
- **long_gap**: a gap of more than 10 minutes between two samples inside a
  recording (a pause, or the signal lost; distance across it is a guess).
  Fix, where the recording is broken: ``runback activities exclude <id>``.
- **long_recording**: a recording of more than 6 hours (a watch left running).
  Fix: ``runback activities exclude <id>``.
- **profile**: HRmax, HRrest and threshold pace as the model uses them, and
  where each came from (given, the profile file, or which estimate).  Fix for
  an estimate: write your own value in the profile file.

Every item is a row of :data:`runback.schema.CHECKS`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import polars as pl

from runback import schema
from runback.sports import RUN_SPEED_MPS, UNKNOWN_SPORTS, is_running, running_activity
from runback.load.profile import Profile, ProfileArg, resolve_store_profiles, summaries_of, threshold_pace_runs
from runback.store import StoreLike, as_store
from runback.summaries import LONG_GAP_S as LONG_GAP_S
from runback.summaries import MAX_SUSTAINED_RUN_SPEED_MPS

__all__ = [
    "LONG_GAP_S",
    "LONG_RECORDING_S",
    "OVERLAP_SHARE",
    "STUB_M",
    "check_activities",
    "check_store",
]

#: two activities overlapping by more than this share of the shorter one look like one run
OVERLAP_SHARE = 0.5
#: a recording longer than this is listed (a watch left running), seconds
LONG_RECORDING_S = 6 * 3600.0

#: a "run" shorter than this is a stub (a watch started by accident), metres
STUB_M = 500.0

_CHECK_ORDER = ("overlap", "long_recording", "implausible_pace", "long_gap", "profile")


def check_store(
    store: StoreLike = None,
    athlete: str | None = None,
    *,
    given: ProfileArg = None,
    profile_file: str | os.PathLike[str] | None = None,
) -> pl.DataFrame:
    """Everything :func:`check_activities` finds in the store's corrected activities.

    Parameters
    ----------
    store
        A :class:`runback.store.Store` or its folder (None: the default store).
    athlete
        One athlete, or every athlete in the store (None).
    given, profile_file
        Profile values given on the command line, and a ``--profile FILE``
        instead of the store's profile files (see
        :func:`runback.load.profile.resolve_store_profiles`).

    Returns
    -------
    polars.DataFrame
        :data:`runback.schema.CHECKS` rows, per athlete: the activity checks
        in time order, then the profile values.
    """
    st = as_store(store)
    activities = st.activities(athlete)
    # the per-activity summaries hold what the gaps and the profile estimates need: no samples are read
    summaries = st.summaries(athlete) if activities.height else None
    names = sorted(activities.get_column("athlete").drop_nulls().unique().to_list())
    profiles = resolve_store_profiles(
        st, activities, given=given, profile_file=profile_file, athletes=names, summaries=summaries
    )
    paths = {name: str(st.profile_file(name)) for name in names}
    return check_activities(activities, profiles=profiles, profile_paths=paths, summaries=summaries)


def check_activities(
    activities: pl.DataFrame,
    samples: pl.DataFrame | None = None,
    *,
    profiles: Mapping[str, Profile] | None = None,
    profile_paths: Mapping[str, str] | None = None,
    summaries: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """What looks wrong in ``activities`` (see the module docstring), one row per item.

    Parameters
    ----------
    activities
        :data:`runback.schema.ACTIVITIES` rows, any number of athletes (the
        corrected view: what the model counts).
    samples
        Their :data:`runback.schema.SAMPLES`, for the gaps and the threshold
        pace's runs; optional.
    profiles
        Athlete -> resolved :class:`runback.load.Profile`, for the profile items.
    profile_paths
        Athlete -> the profile file to name in the profile items' fixes.
    summaries
        Their :data:`runback.summaries.SUMMARIES` rows, read instead of ``samples``.

    Returns
    -------
    polars.DataFrame
        :data:`runback.schema.CHECKS` rows, sorted by athlete, then the
        activity checks by time, then the profile items.
    """
    acts = schema.conform(activities, schema.ACTIVITIES)
    summaries = summaries_of(samples, summaries)
    frames = [
        _overlaps(acts),
        _long_recordings(acts),
        _implausible_paces(acts),
        _long_gaps(acts, summaries),
        _profile_items(acts, summaries, profiles or {}, profile_paths or {}),
    ]
    out = pl.concat([schema.conform(f, schema.CHECKS) for f in frames], how="vertical")
    order = {name: i for i, name in enumerate(_CHECK_ORDER)}
    return (
        out.with_columns(
            _profile=pl.col("check") == "profile",
            _order=pl.col("check").replace_strict(order, return_dtype=pl.Int32),
        )
        .sort(["athlete", "_profile", "start_time_utc", "_order", "activity_id"], nulls_last=True)
        .drop("_profile", "_order")
    )


def _end() -> pl.Expr:
    return pl.col("start_time_utc") + pl.duration(seconds=pl.col("elapsed_s"))


def _overlaps(acts: pl.DataFrame) -> pl.DataFrame:
    iv = acts.filter(
        pl.col("start_time_utc").is_not_null() & (pl.col("elapsed_s") > 0) & pl.col("athlete").is_not_null()
    ).select("athlete", "activity_id", "sport", "start_time_utc", "elapsed_s", end=_end())
    if iv.height < 2:
        return schema.empty(schema.CHECKS)
    pairs = iv.join_where(
        iv,
        pl.col("athlete") == pl.col("athlete_right"),
        pl.col("start_time_utc") < pl.col("end_right"),
        pl.col("start_time_utc_right") < pl.col("end"),
        pl.col("activity_id") != pl.col("activity_id_right"),
    ).filter(
        # each pair once: the earlier start first (ties by id)
        (pl.col("start_time_utc") < pl.col("start_time_utc_right"))
        | (
            (pl.col("start_time_utc") == pl.col("start_time_utc_right"))
            & (pl.col("activity_id") < pl.col("activity_id_right"))
        )
    )
    overlap_s = (
        pl.min_horizontal("end", "end_right") - pl.max_horizontal("start_time_utc", "start_time_utc_right")
    ).dt.total_microseconds() / 1e6
    share = overlap_s / pl.min_horizontal("elapsed_s", "elapsed_s_right")
    found = pairs.with_columns(value=share).filter(pl.col("value") > OVERLAP_SHARE)
    # a ride and a run are never one effort; an activity without a sport may be either
    a, b = pl.col("sport").str.to_lowercase(), pl.col("sport_right").str.to_lowercase()
    unknown = a.is_null() | b.is_null() | a.is_in(list(UNKNOWN_SPORTS)) | b.is_in(list(UNKNOWN_SPORTS))
    compatible = (unknown | (a == b) | (is_running(a) & is_running(b))).fill_null(True)
    shared = pl.format(
        "{} ({}) and {} ({}) overlap by {}% of the shorter one",
        "activity_id",
        pl.col("sport").fill_null("no sport"),
        "activity_id_right",
        pl.col("sport_right").fill_null("no sport"),
        (pl.col("value") * 100).round(0).cast(pl.Int64),
    )
    return found.select(
        "athlete",
        "activity_id",
        "start_time_utc",
        "value",
        check=pl.lit("overlap"),
        other_activity_id="activity_id_right",
        unit=pl.lit("fraction"),
        message=pl.when(compatible)
        .then(pl.format("{}: one effort recorded twice is counted twice", shared))
        .otherwise(pl.format("{}: different sports, so one of them has a wrong time or sport", shared)),
        fix=pl.when(compatible)
        .then(pl.format("runback activities merge {} {}", "activity_id", "activity_id_right"))
        .otherwise(pl.format("runback activities exclude {}", "activity_id_right")),
    )


def _long_recordings(acts: pl.DataFrame) -> pl.DataFrame:
    found = acts.filter(pl.col("elapsed_s") > LONG_RECORDING_S)
    return found.select(
        "athlete",
        "activity_id",
        "start_time_utc",
        check=pl.lit("long_recording"),
        value="elapsed_s",
        unit=pl.lit("s"),
        message=pl.format(
            "{} was recorded over {} h ({} h moving, {} km): a watch left running? Its load counts as one activity",
            "activity_id",
            (pl.col("elapsed_s") / 3600).round(1),
            (pl.col("moving_s").fill_null(0.0) / 3600).round(1),
            (pl.col("distance_m").fill_null(0.0) / 1000).round(1),
        ),
        fix=pl.format("runback activities exclude {}", "activity_id"),
    )


def _pace_text(pace: pl.Expr) -> pl.Expr:
    """A pace in s/km as "m:ss/km"."""
    whole = pace.round(0).cast(pl.Int64)
    return pl.format("{}:{}/km", whole // 60, (whole % 60).cast(pl.String).str.zfill(2))


def _implausible_paces(acts: pl.DataFrame) -> pl.DataFrame:
    moving = pl.coalesce(pl.col("moving_s"), pl.col("elapsed_s"))
    speed = pl.col("distance_m") / moving
    rated = acts.filter((moving > 0) & (pl.col("distance_m") > 0)).with_columns(
        _speed=speed, _pace=1000.0 / speed
    )
    too_fast = rated.filter(running_activity() & (pl.col("_speed") > MAX_SUSTAINED_RUN_SPEED_MPS))
    too_slow = rated.filter(is_running(pl.col("sport")) & (pl.col("_speed") < RUN_SPEED_MPS[0]))
    fast = too_fast.select(
        "athlete",
        "activity_id",
        "start_time_utc",
        check=pl.lit("implausible_pace"),
        value="_pace",
        unit=pl.lit("s/km"),
        message=pl.format(
            "{} counts as a run at {} on average ({} km): faster than 2:34/km is not running (a ride? a car?)",
            "activity_id",
            _pace_text(pl.col("_pace")),
            (pl.col("distance_m") / 1000).round(1),
        ),
        fix=pl.format("runback activities set {} --sport cycling", "activity_id"),
    )
    stub = pl.col("distance_m") < STUB_M
    slow = too_slow.select(
        "athlete",
        "activity_id",
        "start_time_utc",
        check=pl.lit("implausible_pace"),
        value="_pace",
        unit=pl.lit("s/km"),
        message=pl.when(stub)
        .then(
            pl.format(
                "{} is labelled running but covers {} m in {} min: a recording started by accident?",
                "activity_id",
                pl.col("distance_m").round(0).cast(pl.Int64),
                (moving / 60).round(0).cast(pl.Int64),
            )
        )
        .otherwise(
            pl.format(
                "{} is labelled running at {} on average ({} km): slower than 9:15/km is usually a walk",
                "activity_id",
                _pace_text(pl.col("_pace")),
                (pl.col("distance_m") / 1000).round(1),
            )
        ),
        fix=pl.when(stub)
        .then(pl.format("runback activities exclude {}", "activity_id"))
        .otherwise(pl.format("runback activities set {} --sport walking", "activity_id")),
    )
    return pl.concat([fast, slow], how="vertical")


def _duration_text(seconds: pl.Expr) -> pl.Expr:
    """Seconds as "25 min", "5.5 h" or "12 days"."""
    return (
        pl.when(seconds < 7200)
        .then(pl.format("{} min", (seconds / 60).round(0).cast(pl.Int64)))
        .when(seconds < 2 * 86400)
        .then(pl.format("{} h", (seconds / 3600).round(1)))
        .otherwise(pl.format("{} days", (seconds / 86400).round(0).cast(pl.Int64)))
    )


def _long_gaps(acts: pl.DataFrame, summaries: pl.DataFrame | None) -> pl.DataFrame:
    if summaries is None or summaries.is_empty():
        return schema.empty(schema.CHECKS)
    per_activity = (
        summaries.select("activity_id", _n="long_gaps", _gap="longest_gap_s", _from="longest_gap_from_utc")
        .filter(pl.col("_n") > 0)
        .join(acts.select("activity_id", "athlete"), on="activity_id", how="inner")
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


def _profile_items(
    acts: pl.DataFrame,
    summaries: pl.DataFrame | None,
    profiles: Mapping[str, Profile],
    paths: Mapping[str, str],
) -> pl.DataFrame:
    runs: dict[str, list[str]] = {}
    if profiles and any(
        (p.threshold_pace_s_per_km_source or "").startswith("estimated: median") for p in profiles.values()
    ):
        found = threshold_pace_runs(acts, summaries=summaries)
        runs = {row["athlete"]: row["activity_ids"] for row in found.iter_rows(named=True)}
    days = dict(
        zip(
            acts["activity_id"].to_list(),
            acts["start_time_local"].dt.strftime("%Y-%m-%d").to_list(),
            strict=True,
        )
    )
    rows = []
    for athlete, p in sorted(profiles.items()):
        where = paths.get(athlete, "the profile file")
        for key, label, unit, setting in (
            ("hr_max_bpm", "HRmax", "bpm", "hr_max_bpm = {:.0f}"),
            ("hr_rest_bpm", "HRrest", "bpm", "hr_rest_bpm = {:.0f}"),
            ("threshold_pace_s_per_km", "threshold pace", "s/km", 'threshold_pace = "{}"'),
        ):
            value, source = getattr(p, key), getattr(p, f"{key}_source")
            if value is None:
                shown, how = "unknown", "not given, and too little data to estimate it"
            else:
                shown = _pace(value) + "/km" if unit == "s/km" else f"{value:.0f} {unit}"
                how = source or "unknown"
            if key == "threshold_pace_s_per_km" and runs.get(athlete) and how.startswith("estimated: median"):
                how += " (runs: " + ", ".join(f"{days.get(i, '?')} {i}" for i in runs[athlete]) + ")"
            estimated = value is None or (source or "").startswith("estimated")
            example = setting.format(_pace(value) if unit == "s/km" else value) if value is not None else setting.split(" =")[0] + " = ..."
            rows.append(
                {
                    "athlete": athlete,
                    "check": "profile",
                    "value": None if value is None else float(value),
                    "unit": unit,
                    "message": f"{label} {shown}: {how}",
                    "fix": f"write your own value ({example}) in {where}" if estimated else None,
                }
            )
    if not rows:
        return schema.empty(schema.CHECKS)
    return pl.DataFrame(rows, schema={k: schema.CHECKS[k] for k in rows[0]})


def _pace(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"
