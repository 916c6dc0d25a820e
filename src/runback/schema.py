"""The one place where runback's frames are defined.

Every importer maps its raw fields onto these columns, every model function
reads them, and the store writes them.  Units are part of the column name
(``distance_m``, ``elapsed_s``, ``heart_rate_bpm``); a column without a unit
suffix is a label, a count or a timestamp.  All timestamps ending in ``_utc``
are timezone-aware UTC; ``start_time_local`` is the naive wall-clock time the
runner saw on their watch.

Each schema is an ordered ``dict`` of column name to polars dtype, and each
column has a one-line description in the matching ``*_DOC`` dict, which the
README and ``runback schema`` print.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

UTC = pl.Datetime("us", "UTC")
LOCAL = pl.Datetime("us")

# --------------------------------------------------------------------------
# activities: one row per activity
# --------------------------------------------------------------------------
ACTIVITIES: dict[str, pl.DataType] = {
    "activity_id": pl.String(),
    "athlete": pl.String(),
    "source": pl.String(),
    "format": pl.String(),
    "sport": pl.String(),
    "sub_sport": pl.String(),
    "name": pl.String(),
    "start_time_utc": UTC,
    "start_time_local": LOCAL,
    "utc_offset_s": pl.Int32(),
    "utc_offset_source": pl.String(),
    "elapsed_s": pl.Float64(),
    "moving_s": pl.Float64(),
    "distance_m": pl.Float64(),
    "ascent_m": pl.Float64(),
    "descent_m": pl.Float64(),
    "avg_hr_bpm": pl.Float64(),
    "max_hr_bpm": pl.Float64(),
    "avg_cadence_spm": pl.Float64(),
    "avg_speed_mps": pl.Float64(),
    "device": pl.String(),
    "n_samples": pl.Int64(),
    "rpe": pl.Float64(),
    "partial": pl.Boolean(),
    "partial_reason": pl.String(),
    "correction": pl.String(),
    "feel": pl.Float64(),
    "rpe_source": pl.String(),
}

ACTIVITIES_DOC: dict[str, str] = {
    "activity_id": "stable id: a hash of the activity's content, so the same file always gives the same id",
    "athlete": "who ran it (the --athlete given at import)",
    "source": "file path; for a file inside an archive, 'archive.zip!inner/path.fit'",
    "format": "fit, gpx or tcx; manual for an activity typed in by hand (a row of Strava's activities.csv without a file: no samples)",
    "sport": "lower-case sport: running, walking, cycling, swimming, training, generic ...",
    "sub_sport": "lower-case sub-sport where the file has one (trail, treadmill, road ...)",
    "name": "activity name (from the file, or Strava's activities.csv)",
    "start_time_utc": "start of the activity, UTC",
    "start_time_local": "start of the activity on the runner's wall clock",
    "utc_offset_s": "start_time_local minus start_time_utc, seconds",
    "utc_offset_source": "where the offset came from: fit_local_timestamp, athlete_timezone or assumed_utc",
    "elapsed_s": "wall-clock duration, seconds",
    "moving_s": "time moving (timer time, or time at more than 0.5 m/s), seconds",
    "distance_m": "distance, metres",
    "ascent_m": "total ascent, metres",
    "descent_m": "total descent, metres",
    "avg_hr_bpm": "mean heart rate, beats per minute",
    "max_hr_bpm": "highest heart rate, beats per minute",
    "avg_cadence_spm": "mean cadence; running and walking in steps per minute (both feet), other sports as the device gives it",
    "avg_speed_mps": "distance over moving time, metres per second",
    "device": "recording device or app, e.g. 'garmin fr645m'",
    "n_samples": "number of rows in samples for this activity",
    "rpe": "rate of perceived exertion 0-10 (CR-10) where known (FIT workout_rpe / 10, Strava export, journal); see rpe_source",
    "partial": "true when the file was only partly readable (truncated, bad CRC); the rows before the break are kept",
    "partial_reason": "why the file was only partly readable",
    "correction": "the runner's corrections applied to this row (see CORRECTIONS), e.g. 'sport set to walking (the file says running)'; null when none (and always in the raw view)",
    "feel": "how the run felt, as the watch asked after it (FIT workout_feel): 0 very weak, 25 weak, 50 normal, 75 strong, 100 very strong; null where not asked",
    "rpe_source": "where rpe came from: fit (the watch's workout_rpe), strava (activities.csv's perceived exertion) or journal (the runner's journal); null without an rpe",
}

RPE_SOURCES: tuple[str, ...] = ("fit", "strava", "journal")
"""Values of ``activities.rpe_source``."""

# --------------------------------------------------------------------------
# samples: one row per record (FIT record message, GPX trkpt, TCX Trackpoint)
# --------------------------------------------------------------------------
SAMPLES: dict[str, pl.DataType] = {
    "activity_id": pl.String(),
    "timestamp_utc": UTC,
    "elapsed_s": pl.Float64(),
    "distance_m": pl.Float64(),
    "speed_mps": pl.Float64(),
    "heart_rate_bpm": pl.Float64(),
    "cadence_spm": pl.Float64(),
    "altitude_m": pl.Float64(),
    "lat_deg": pl.Float64(),
    "lon_deg": pl.Float64(),
    "power_w": pl.Float64(),
}

SAMPLES_DOC: dict[str, str] = {
    "activity_id": "the activity this record belongs to",
    "timestamp_utc": "time of the record, UTC",
    "elapsed_s": "seconds since the activity's first record",
    "distance_m": "cumulative distance, metres",
    "speed_mps": "speed, metres per second (FIT enhanced_speed wins over speed)",
    "heart_rate_bpm": "heart rate, beats per minute",
    "cadence_spm": "cadence; steps per minute (both feet) for running and walking, device units otherwise",
    "altitude_m": "altitude, metres (FIT enhanced_altitude wins over altitude)",
    "lat_deg": "latitude, degrees (FIT semicircles converted)",
    "lon_deg": "longitude, degrees (FIT semicircles converted)",
    "power_w": "power, watts",
}

# --------------------------------------------------------------------------
# laps: one row per lap, where the source has laps (FIT lap messages, TCX Lap)
# --------------------------------------------------------------------------
LAPS: dict[str, pl.DataType] = {
    "activity_id": pl.String(),
    "lap_index": pl.Int32(),
    "start_time_utc": UTC,
    "elapsed_s": pl.Float64(),
    "moving_s": pl.Float64(),
    "distance_m": pl.Float64(),
    "avg_hr_bpm": pl.Float64(),
    "max_hr_bpm": pl.Float64(),
    "avg_speed_mps": pl.Float64(),
    "avg_cadence_spm": pl.Float64(),
}

LAPS_DOC: dict[str, str] = {
    "activity_id": "the activity this lap belongs to",
    "lap_index": "0-based lap number within the activity",
    "start_time_utc": "start of the lap, UTC",
    "elapsed_s": "wall-clock duration of the lap, seconds",
    "moving_s": "timer time of the lap, seconds",
    "distance_m": "lap distance, metres",
    "avg_hr_bpm": "mean heart rate in the lap, beats per minute",
    "max_hr_bpm": "highest heart rate in the lap, beats per minute",
    "avg_speed_mps": "mean speed in the lap, metres per second",
    "avg_cadence_spm": "mean cadence in the lap (units as samples.cadence_spm)",
}

# --------------------------------------------------------------------------
# flags: one row per rule that fired (load rules and journal rules alike)
# --------------------------------------------------------------------------
FLAGS: dict[str, pl.DataType] = {
    "athlete": pl.String(),
    "date": pl.Date(),
    "activity_id": pl.String(),
    "rule": pl.String(),
    "band": pl.String(),
    "value": pl.Float64(),
    "threshold": pl.Float64(),
    "baseline": pl.Float64(),
    "message_en": pl.String(),
    "message_nl": pl.String(),
    "evidence": pl.String(),
}

FLAGS_DOC: dict[str, str] = {
    "athlete": "whose flag it is",
    "date": "the athlete's local calendar day the flag is about",
    "activity_id": "the session, for rules about one session (null for rules about a week or a period)",
    "rule": "stable rule id: one of runback.model.RULES, each described in docs/evidence.md",
    "band": "band from docs/evidence.md (small, moderate, large, context, ...)",
    "value": "the measured value (a ratio such as 0.35 for 35% more, a count, or a pain score)",
    "threshold": "the threshold the value was compared with, same units as value",
    "baseline": "what the value was compared with (e.g. the longest run of the previous 30 days, metres)",
    "message_en": "plain-language message in English; never a diagnosis",
    "message_nl": "the same message in Dutch",
    "evidence": "the physiotherapy guidance and study behind the rule, with the strength of that evidence",
}

# --------------------------------------------------------------------------
# pain journal: one row per self-reported entry
# --------------------------------------------------------------------------
JOURNAL: dict[str, pl.DataType] = {
    "athlete": pl.String(),
    "date": pl.Date(),
    "time": pl.Time(),
    "pain": pl.Int8(),
    "timing": pl.String(),
    "location": pl.String(),
    "sleep_h": pl.Float64(),
    "sleep_quality": pl.Int8(),
    "stress": pl.Int8(),
    "rpe": pl.Float64(),
    "activity_id": pl.String(),
    "note": pl.String(),
    "entry_id": pl.String(),
}

JOURNAL_DOC: dict[str, str] = {
    "athlete": "whose entry it is",
    "date": "local calendar day of the entry",
    "time": "local time of day, optional",
    "pain": "pain on the 0-10 numeric rating scale (0 none, 10 worst)",
    "timing": "during, after, next_morning or other",
    "location": "where it hurts (default: low back)",
    "sleep_h": "hours slept the night before, optional",
    "sleep_quality": "sleep quality 1 (very poor) to 5 (very good), optional",
    "stress": "stress 1 (none) to 5 (very high), optional",
    "rpe": "perceived exertion 0-10 of that day's run (or of activity_id), optional",
    "activity_id": "the activity the entry is about, optional",
    "note": "free text, optional",
    "entry_id": "stable hash of the entry's content, so the same entry is never stored twice",
}

JOURNAL_TIMINGS: tuple[str, ...] = ("during", "after", "next_morning", "other")

# --------------------------------------------------------------------------
# corrections: the runner's corrections to stored activities (append-only)
# --------------------------------------------------------------------------
# Stored as <store>/corrections/athlete=<name>/part-<time>-<id>.parquet, one
# file per correction, never rewritten (the athlete is in the folder name).
# Per activity, the newest exclude / include / merge record decides whether it
# counts (an include undoes an exclude or a merge), and the newest set_sport
# record decides its sport.
CORRECTIONS: dict[str, pl.DataType] = {
    "athlete": pl.String(),
    "correction_id": pl.String(),
    "recorded_at_utc": UTC,
    "activity_id": pl.String(),
    "action": pl.String(),
    "sport": pl.String(),
    "kept_activity_id": pl.String(),
    "note": pl.String(),
}

CORRECTIONS_DOC: dict[str, str] = {
    "athlete": "whose activity it is",
    "correction_id": "random id of this record",
    "recorded_at_utc": "when the correction was made, UTC; the newest record for an activity wins",
    "activity_id": "the activity corrected (for a merge: the copy that no longer counts)",
    "action": "exclude (does not count), include (counts again: undoes exclude and merge), set_sport, or merge (the same run as kept_activity_id)",
    "sport": "set_sport: the sport the runner gave (lower case, e.g. walking)",
    "kept_activity_id": "merge: the copy that counts (the more complete one: fit over tcx over gpx, then more samples)",
    "note": "why: the runner's note, or for a merge which copy was kept and why",
}

CORRECTION_ACTIONS: tuple[str, ...] = ("exclude", "include", "set_sport", "merge")

# --------------------------------------------------------------------------
# checks: what looks wrong in the stored activities (``runback check``)
# --------------------------------------------------------------------------
CHECKS: dict[str, pl.DataType] = {
    "athlete": pl.String(),
    "check": pl.String(),
    "activity_id": pl.String(),
    "other_activity_id": pl.String(),
    "start_time_utc": UTC,
    "value": pl.Float64(),
    "unit": pl.String(),
    "message": pl.String(),
    "fix": pl.String(),
}

CHECKS_DOC: dict[str, str] = {
    "athlete": "whose activity or profile it is",
    "check": "overlap, implausible_pace, long_gap, long_recording or profile",
    "activity_id": "the activity it is about (null for profile items)",
    "other_activity_id": "overlap: the other activity",
    "start_time_utc": "start of the activity (overlap: of the earlier one; long_gap: of the gap)",
    "value": "overlap: share of the shorter activity overlapped (0-1); implausible_pace: pace in s/km; long_gap: gap in s; long_recording: elapsed s; profile: the value",
    "unit": "the unit of value: fraction, s/km, s, bpm",
    "message": "what looks wrong, or for profile items the value and where it came from, in plain English",
    "fix": "the command that would fix it (e.g. 'runback activities exclude <id>'); null where nothing needs fixing",
}


# --------------------------------------------------------------------------
# wellness: sleep and stress as the runner's device recorded them, one row per athlete, day and source
# --------------------------------------------------------------------------
# Read from a Garmin Connect export (runback.io.wellness).  The journal's own
# sleep_h and stress, where the runner typed them, win over these.  Several
# rows of one wellness_id (the sleep file and the daily summaries, or a later
# export) collapse into one: a later non-null value wins
# (runback.io.wellness.collapse_wellness).
WELLNESS: dict[str, pl.DataType] = {
    "athlete": pl.String(),
    "date": pl.Date(),
    "sleep_h": pl.Float64(),
    "sleep_score": pl.Float64(),
    "stress_avg": pl.Float64(),
    "resting_hr_bpm": pl.Float64(),
    "sleep_start_utc": UTC,
    "sleep_end_utc": UTC,
    "source": pl.String(),
    "wellness_id": pl.String(),
}

WELLNESS_DOC: dict[str, str] = {
    "athlete": "whose day it is",
    "date": "the calendar day; for sleep, the day the runner woke up (as the journal's sleep_h: the night before)",
    "sleep_h": "hours asleep that night (deep + light + REM sleep, awake time left out); null where not measured",
    "sleep_score": "the device's sleep score 0-100 (Garmin's overall sleep score); null where not given",
    "stress_avg": "the device's average stress level that day, 0-100 (Garmin's all-day stress); null where not measured",
    "resting_hr_bpm": "resting heart rate that day, beats per minute; null where not measured",
    "sleep_start_utc": "when the night's sleep began, UTC",
    "sleep_end_utc": "when the night's sleep ended, UTC",
    "source": "where the row came from: garmin (a Garmin Connect export's sleep and daily summary files)",
    "wellness_id": "stable hash of athlete, date and source, so importing an export again adds nothing twice",
}


_EMPTY: dict[tuple[tuple[str, pl.DataType], ...], pl.DataFrame] = {}


def empty(schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
    """An empty frame with the given schema."""
    # built once per schema and cloned: an import makes thousands of these, and building one
    # costs a hundred times the clone
    key = tuple(schema.items())
    frame = _EMPTY.get(key)
    if frame is None:
        frame = _EMPTY.setdefault(key, pl.DataFrame(schema=dict(schema)))
    return frame.clone()


def conform(df: pl.DataFrame, schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
    """Select, order and cast ``df`` to ``schema``; columns it lacks become null.

    Raises ``ValueError`` when ``df`` carries a column the schema does not know,
    so a misspelt column name in an importer fails loudly instead of vanishing.
    """
    unknown = set(df.columns) - set(schema)
    if unknown:
        raise ValueError(f"columns not in schema: {sorted(unknown)}")
    return df.select(
        [
            (pl.col(name) if name in df.columns else pl.lit(None)).cast(dtype).alias(name)
            for name, dtype in schema.items()
        ]
    )


# ==========================================================================
# load model frames (owner: runback.load)
# ==========================================================================
DAILY: dict[str, pl.DataType] = {
    "athlete": pl.String(),
    "date": pl.Date(),
    "run_distance_m": pl.Float64(),
    "run_moving_s": pl.Float64(),
    "all_moving_s": pl.Float64(),
    "n_runs": pl.Int32(),
    "n_activities": pl.Int32(),
    "rest_day": pl.Boolean(),
    "trimp_banister": pl.Float64(),
    "trimp_edwards": pl.Float64(),
    "z1_min": pl.Float64(),
    "z2_min": pl.Float64(),
    "z3_min": pl.Float64(),
    "z4_min": pl.Float64(),
    "z5_min": pl.Float64(),
    "high_zone_min": pl.Float64(),
    "above_threshold_min": pl.Float64(),
    "high_intensity_min": pl.Float64(),
    "hr_run_min": pl.Float64(),
    "hr_run_distance_m": pl.Float64(),
    "srpe_au": pl.Float64(),
    "longest_run_m": pl.Float64(),
}

DAILY_DOC: dict[str, str] = {
    "athlete": "whose day it is",
    "date": "the athlete's local calendar day; every day from the first to the last activity, rest days included",
    "run_distance_m": "distance run that day (sport running, any sub-sport), metres",
    "run_moving_s": "moving time running that day, seconds",
    "all_moving_s": "moving time of every activity that day (walks, rides, strength included), seconds",
    "n_runs": "number of runs that day",
    "n_activities": "number of activities of any sport that day",
    "rest_day": "true when the athlete did not run that day (other sports may still show in all_moving_s)",
    "trimp_banister": "Banister TRIMP of the day's runs, summed per heart-rate sample, arbitrary units",
    "trimp_edwards": "Edwards TRIMP of the day's runs: zone minutes weighted 1-5, arbitrary units",
    "z1_min": "running minutes at 50-60% of HRmax",
    "z2_min": "running minutes at 60-70% of HRmax",
    "z3_min": "running minutes at 70-80% of HRmax",
    "z4_min": "running minutes at 80-90% of HRmax",
    "z5_min": "running minutes at 90% of HRmax or more",
    "high_zone_min": "z4_min + z5_min",
    "above_threshold_min": "running minutes faster than the runner's threshold pace (all runs with speed samples)",
    "high_intensity_min": "high_zone_min for runs with heart rate, plus above_threshold_min for runs without",
    "hr_run_min": "running minutes with a heart-rate reading (how much of the day TRIMP and zones cover)",
    "hr_run_distance_m": "distance of the day's runs that have heart rate, metres (the base of TRIMP per km)",
    "srpe_au": "session-RPE of the day's runs: RPE (0-10) x minutes, where RPE is known, arbitrary units",
    "longest_run_m": "the longest single run that day, metres (0 on rest days)",
}

WEEKLY: dict[str, pl.DataType] = {
    "athlete": pl.String(),
    "week_start": pl.Date(),
    "days_covered": pl.Int32(),
    "run_distance_m": pl.Float64(),
    "run_distance_change": pl.Float64(),
    "run_distance_vs_3wk": pl.Float64(),
    "run_moving_s": pl.Float64(),
    "all_moving_s": pl.Float64(),
    "n_runs": pl.Int32(),
    "rest_days": pl.Int32(),
    "trimp_banister": pl.Float64(),
    "high_zone_min": pl.Float64(),
    "high_intensity_min": pl.Float64(),
    "trimp_per_km": pl.Float64(),
    "longest_run_m": pl.Float64(),
    "srpe_au": pl.Float64(),
}

WEEKLY_DOC: dict[str, str] = {
    "athlete": "whose week it is",
    "week_start": "Monday of the ISO week (local calendar)",
    "days_covered": "days of the week inside the athlete's history (7 except the first and last week)",
    "run_distance_m": "distance run in the week, metres",
    "run_distance_change": "this week's distance / the previous week's - 1 (0.35 = 35% more); null without a full previous week with running",
    "run_distance_vs_3wk": "this week's distance / the mean of the 3 previous weeks - 1; null without 3 full previous weeks with running",
    "run_moving_s": "moving time running in the week, seconds",
    "all_moving_s": "moving time of every activity in the week, seconds",
    "n_runs": "runs in the week",
    "rest_days": "days in the week without a run (only days inside the athlete's history count)",
    "trimp_banister": "Banister TRIMP of the week's runs, arbitrary units",
    "high_zone_min": "running minutes in heart-rate zones 4 and 5",
    "high_intensity_min": "high_zone_min, plus minutes above threshold pace in runs without heart rate",
    "trimp_per_km": "Banister TRIMP per km run, over runs with heart rate; null without heart rate",
    "longest_run_m": "the longest single run of the week, metres",
    "srpe_au": "session-RPE of the week's runs, arbitrary units",
}

PMC: dict[str, pl.DataType] = {
    "athlete": pl.String(),
    "date": pl.Date(),
    "load": pl.Float64(),
    "ctl": pl.Float64(),
    "atl": pl.Float64(),
    "tsb": pl.Float64(),
}

PMC_DOC: dict[str, str] = {
    "athlete": "whose chart it is",
    "date": "local calendar day",
    "load": "the day's load (the daily column chosen, e.g. trimp_banister)",
    "ctl": "chronic training load ('fitness'): exponentially weighted load, time constant ctl_days, starting at 0",
    "atl": "acute training load ('fatigue'): exponentially weighted load, time constant atl_days, starting at 0",
    "tsb": "training stress balance ('form') going into the day: yesterday's ctl - yesterday's atl (0 on the first day)",
}

ACWR: dict[str, pl.DataType] = {
    "athlete": pl.String(),
    "date": pl.Date(),
    "acwr_coupled": pl.Float64(),
    "acwr_uncoupled": pl.Float64(),
    "acwr_ewma": pl.Float64(),
}

ACWR_DOC: dict[str, str] = {
    "athlete": "whose ratio it is",
    "date": "local calendar day (the last day of the acute window)",
    "acwr_coupled": "mean load of the last 7 days / mean load of the last 28 days (which include those 7); null in the first 28 days or with no chronic load",
    "acwr_uncoupled": "mean load of the last 7 days / mean load of days 8-28 before; null in the first 28 days or with no chronic load",
    "acwr_ewma": "EWMA (lambda 2/(N+1)) of load with N=7 over the same with N=28 (Williams 2017); null in the first 28 days",
}

MONOTONY: dict[str, pl.DataType] = {
    "athlete": pl.String(),
    "date": pl.Date(),
    "monotony": pl.Float64(),
    "strain": pl.Float64(),
}

MONOTONY_DOC: dict[str, str] = {
    "athlete": "whose value it is",
    "date": "local calendar day (the last of the 7 days)",
    "monotony": "Foster monotony over the last 7 days, rest days as 0: mean / standard deviation; capped where the deviation is 0; null before 7 days of history or for 7 rest days",
    "strain": "Foster strain: the 7 days' summed load x monotony",
}


# ==========================================================================
# pain (owner: pain journal work): pain set against load, per runner
# ==========================================================================
PAIN_VS_LOAD: dict[str, pl.DataType] = {
    "athlete": pl.String(),
    "analysis": pl.String(),
    "rule": pl.String(),
    "lag_days": pl.Int32(),
    "method": pl.String(),
    "n": pl.Int64(),
    "n_flagged": pl.Int64(),
    "n_unflagged": pl.Int64(),
    "mean_flagged": pl.Float64(),
    "mean_unflagged": pl.Float64(),
    "estimate": pl.Float64(),
    "ci_low": pl.Float64(),
    "ci_high": pl.Float64(),
    "enough_data": pl.Boolean(),
    "message_en": pl.String(),
    "message_nl": pl.String(),
}

PAIN_VS_LOAD_DOC: dict[str, str] = {
    "athlete": "whose journal and runs",
    "analysis": "flag_vs_unflagged, weekly_change or lag",
    "rule": "flag_vs_unflagged: the load rule (or 'any'); null for the other analyses",
    "lag_days": "lag: the lag (0-7 days) with the strongest association; null for the other analyses",
    "method": "difference in means (NRS points), or spearman (rank correlation, -1 to 1)",
    "n": "sessions (flag_vs_unflagged), weeks (weekly_change) or days (lag) that went into the estimate",
    "n_flagged": "flag_vs_unflagged: flagged sessions with pain logged in the days after",
    "n_unflagged": "flag_vs_unflagged: sessions without any flag, with pain logged in the days after",
    "mean_flagged": "flag_vs_unflagged: mean pain (0-10) in the days after flagged sessions",
    "mean_unflagged": "flag_vs_unflagged: mean pain (0-10) in the days after unflagged sessions",
    "estimate": "difference in mean pain (points) or Spearman correlation; null when there is not enough data",
    "ci_low": "lower end of the 95% bootstrap interval of estimate",
    "ci_high": "upper end of the 95% bootstrap interval of estimate",
    "enough_data": "false when there are too few pain entries, sessions, weeks or days for a number",
    "message_en": "the result in plain English, worded as an association, never a cause",
    "message_nl": "the same in Dutch",
}
