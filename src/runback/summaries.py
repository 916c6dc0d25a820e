"""Per-activity summaries of the samples: the per-sample work, done once at import.

Everything the load model and the profile estimates read from samples is kept
here, one row per activity, in a form that gives today's figures exactly for
any profile:

- ``hr_bpm`` / ``hr_min``: minutes at each heart rate (a histogram keyed on the
  exact values recorded).  Banister and Edwards TRIMP, the zone minutes and
  the heart-rate minutes for any HRmax, HRrest and sex are sums over it.
- ``speed_mps`` / ``speed_min``: minutes at each speed in (0, 10] m/s, so the
  minutes faster than any threshold pace are a sum over it.
- ``hr_held_max_bpm`` / ``hr_low_bpm``: the highest heart rate held over 5
  samples and the lowest heart rate (30-230 bpm), for the HRmax and HRrest estimates.
- ``effort_*``: the activity's best sustained effort (Riegel-adjusted to 60 min),
  for the threshold-pace estimate.  Computed for every activity, whatever its
  sport: a runner may correct the sport later.
- ``long_gaps`` / ``longest_gap_*``: gaps of more than 10 minutes between samples.

A sample stands for the time since the previous one, capped at
:data:`GAP_CAP_S` so a paused watch adds nothing.  ``summary_version`` says
which definition wrote the row; the store recomputes rows of older versions
from the samples.
"""

from __future__ import annotations

import itertools

import numpy as np
import polars as pl

from runback.schema import UTC

__all__ = [
    "EFFORT_WINDOWS_MIN",
    "GAP_CAP_S",
    "LONG_GAP_S",
    "MAX_STEP_GAP_S",
    "MAX_STEP_SPEED_MPS",
    "MAX_SUSTAINED_RUN_SPEED_MPS",
    "MOVING_SPEED_MPS",
    "RIEGEL_EXPONENT",
    "SUMMARIES",
    "SUMMARIES_DOC",
    "SUMMARY_VERSION",
    "summarize_samples",
]

#: the definition of the summaries below; raise it whenever what they hold changes
SUMMARY_VERSION = 1

#: longest time one sample may stand for, seconds (longer gaps are pauses)
GAP_CAP_S = 30.0
#: the fastest speed counted as running in the threshold minutes, m/s
MAX_THRESHOLD_SPEED_MPS = 10.0
#: heart rates outside this range are not used for the HRmax / HRrest estimates, bpm
HR_PLAUSIBLE_BPM = (30, 230)
#: a gap between two samples longer than this inside a recording is listed by ``runback check``, seconds
LONG_GAP_S = 600.0
#: Riegel's endurance exponent (Riegel 1981, "Athletic records and human endurance")
RIEGEL_EXPONENT = 1.06
#: windows of moving time the sustained efforts are measured over, minutes
EFFORT_WINDOWS_MIN = (20, 30, 40, 50, 60)
#: a sample step slower than this is not moving (the same threshold as activities.moving_s), m/s
MOVING_SPEED_MPS = 0.5
#: a sample step faster than this is a GPS jump, not running: neither its time nor its distance counts, m/s
MAX_STEP_SPEED_MPS = 10.0
#: a gap between two samples longer than this is a pause or a lost signal: it does not count, seconds
MAX_STEP_GAP_S = 60.0
#: running speeds above this, sustained over a window, are not running (a ride, a car, GPS errors), m/s
MAX_SUSTAINED_RUN_SPEED_MPS = 6.5

_F64 = pl.Float64()
SUMMARIES: dict[str, pl.DataType] = {
    "activity_id": pl.String(),
    "summary_version": pl.Int16(),
    "hr_bpm": pl.List(_F64),
    "hr_min": pl.List(_F64),
    "speed_mps": pl.List(_F64),
    "speed_min": pl.List(_F64),
    "hr_held_max_bpm": _F64,
    "hr_low_bpm": _F64,
    "effort_window_min": pl.Int32(),
    "effort_speed_mps": _F64,
    "effort_pace_s_per_km": _F64,
    "long_gaps": pl.Int32(),
    "longest_gap_s": _F64,
    "longest_gap_from_utc": UTC,
}

SUMMARIES_DOC: dict[str, str] = {
    "activity_id": "the activity these samples belong to",
    "summary_version": "the definition that wrote the row (runback.summaries.SUMMARY_VERSION)",
    "hr_bpm": "each heart rate recorded, bpm, ascending",
    "hr_min": "minutes at each of hr_bpm (a sample stands for the time since the previous one, at most 30 s)",
    "speed_mps": "each speed recorded in (0, 10] m/s, ascending (from distance where the device gave no speed)",
    "speed_min": "minutes at each of speed_mps",
    "hr_held_max_bpm": "highest heart rate held over 5 samples (median of 5), 30-230 bpm",
    "hr_low_bpm": "lowest heart rate recorded, 30-230 bpm",
    "effort_window_min": "window of moving time of the best sustained effort (20-60 min)",
    "effort_speed_mps": "mean speed over that window",
    "effort_pace_s_per_km": "the 60-min pace that effort predicts (Riegel, exponent 1.06)",
    "long_gaps": "gaps of more than 10 min between samples",
    "longest_gap_s": "the longest such gap, seconds",
    "longest_gap_from_utc": "when the longest such gap began, UTC",
}


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema=SUMMARIES)


def _per(expr: pl.Expr, one: bool) -> pl.Expr:
    """``expr`` per activity; as it is where the frame holds one activity (a file at import), which
    gives the same values without the cost of a window."""
    return expr if one else expr.over("activity_id")


def _timeline(samples: pl.DataFrame, one: bool = False) -> pl.DataFrame:
    """Samples in time order with each one's minutes (``_dt_min``) and speed (``_speed``)."""
    s = samples.select("activity_id", "timestamp_utc", "elapsed_s", "distance_m", "speed_mps", "heart_rate_bpm")
    t = pl.coalesce(
        pl.col("elapsed_s"),
        (pl.col("timestamp_utc") - pl.col("timestamp_utc").min().pipe(_per, one)).dt.total_microseconds()
        / 1e6,
    )
    s = s.with_columns(_t=t).sort("activity_id", "_t", "timestamp_utc", nulls_last=True)
    raw_dt = pl.col("_t").diff().pipe(_per, one)
    speed = pl.coalesce(
        pl.col("speed_mps"),
        pl.when(raw_dt > 0).then(pl.col("distance_m").diff().pipe(_per, one) / raw_dt),
    )
    # one pass: every column from the sorted frame at once (fewer polars calls: this runs per file)
    return s.select(
        "activity_id",
        "heart_rate_bpm",
        _dt_min=raw_dt.clip(0.0, GAP_CAP_S).fill_null(0.0) / 60.0,
        _speed=speed,
    )


def _histograms(line: pl.DataFrame) -> pl.DataFrame:
    """``activity_id, hr_bpm, hr_min, speed_mps, speed_min``: minutes at each exact value."""
    hr = pl.col("heart_rate_bpm")
    dt = pl.col("_dt_min")
    hr_hist = (
        line.filter(hr.is_not_null() & (hr > 0) & (dt > 0))
        .group_by("activity_id", "heart_rate_bpm")
        .agg(dt.sum())
        .sort("activity_id", "heart_rate_bpm")
        .group_by("activity_id", maintain_order=True)
        .agg(hr_bpm=pl.col("heart_rate_bpm"), hr_min=pl.col("_dt_min"))
    )
    speed = pl.col("_speed")
    speed_hist = (
        line.filter((speed > 0) & (speed <= MAX_THRESHOLD_SPEED_MPS) & (dt > 0))
        .group_by("activity_id", "_speed")
        .agg(dt.sum())
        .sort("activity_id", "_speed")
        .group_by("activity_id", maintain_order=True)
        .agg(speed_mps=pl.col("_speed"), speed_min=pl.col("_dt_min"))
    )
    return hr_hist.join(speed_hist, on="activity_id", how="full", coalesce=True)


def _heart_rate_extremes(samples: pl.DataFrame, one: bool = False) -> pl.DataFrame:
    """``activity_id, hr_held_max_bpm, hr_low_bpm``: the inputs of the HRmax and HRrest estimates."""
    low, high = HR_PLAUSIBLE_BPM
    return (
        samples.select("activity_id", "elapsed_s", "heart_rate_bpm")
        .filter(pl.col("heart_rate_bpm").is_between(low, high))
        .sort("activity_id", "elapsed_s")
        .with_columns(_med=pl.col("heart_rate_bpm").rolling_median(5).pipe(_per, one))
        .group_by("activity_id")
        .agg(hr_held_max_bpm=pl.col("_med").max(), hr_low_bpm=pl.col("heart_rate_bpm").min())
    )


def _efforts(samples: pl.DataFrame, one: bool = False) -> pl.DataFrame:
    """``activity_id, effort_window_min, effort_speed_mps, effort_pace_s_per_km``: each activity's best
    sustained effort over moving time, Riegel-adjusted to 60 minutes (see
    :func:`runback.load.sustained_efforts`)."""
    dt = pl.col("elapsed_s").diff().pipe(_per, one)
    # no cumulative distance: the step's distance from its speed
    dd = pl.coalesce(pl.col("distance_m").diff().pipe(_per, one), pl.col("speed_mps") * dt)
    moving = (
        (dt > 0) & (dt <= MAX_STEP_GAP_S) & (dd > MOVING_SPEED_MPS * dt) & (dd <= MAX_STEP_SPEED_MPS * dt)
    ).fill_null(False)

    def moving_sum(step: pl.Expr) -> pl.Expr:
        """The running total of ``step`` over moving steps only."""
        return pl.when(moving).then(step).otherwise(0.0).cum_sum().pipe(_per, one)

    steps = (
        samples.select("activity_id", "elapsed_s", "distance_m", "speed_mps")
        .filter(pl.col("elapsed_s").is_not_null())
        .sort("activity_id", "elapsed_s")
        .select("activity_id", _mt=moving_sum(dt), _md=moving_sum(dd))
    )
    # each activity's rows are one stretch of the sorted frame, its moving time never falls: the
    # last sample at or before a window's start is a binary search in that stretch (samples tied on
    # moving time are tied on moving distance too, so which of them is found does not matter)
    mt = steps.get_column("_mt").to_numpy()
    md = steps.get_column("_md").to_numpy()
    ids = steps.get_column("activity_id")
    firsts = ids.ne_missing(ids.shift(1)).arg_true().to_numpy()
    edges = [*firsts.tolist(), steps.height]
    # the stretch (activity) of each row, as an integer key
    stretch = np.repeat(np.arange(len(firsts), dtype=np.int64), np.diff(edges))
    parts: list[tuple[np.ndarray, ...]] = []
    for minutes in EFFORT_WINDOWS_MIN:
        window_s = minutes * 60.0
        start = np.empty(steps.height, dtype=np.int64)
        for lo, hi in itertools.pairwise(edges):
            start[lo:hi] = lo + np.searchsorted(mt[lo:hi], mt[lo:hi] - window_s, side="right") - 1
        full = mt >= window_s
        start = start[full]
        parts.append(
            (stretch[full], np.full(len(start), minutes, dtype=np.int32), mt[full] - mt[start], md[full] - md[start])
        )
    out = {
        "activity_id": pl.String(),
        "effort_window_min": pl.Int32(),
        "effort_speed_mps": _F64,
        "effort_pace_s_per_km": _F64,
    }
    t, d = pl.col("_t"), pl.col("_d")
    speeds = (
        pl.DataFrame(
            {
                "_s": np.concatenate([p[0] for p in parts]),
                "effort_window_min": np.concatenate([p[1] for p in parts]),
                "_t": np.concatenate([p[2] for p in parts]),
                "_d": np.concatenate([p[3] for p in parts]),
            }
        )
        .filter((t > 0) & (d / t <= MAX_SUSTAINED_RUN_SPEED_MPS))
        .with_columns(
            effort_speed_mps=d / t,
            # Riegel: the distance this stretch predicts for 60 min, D60 = D (3600 / T) ** (1 / 1.06)
            _d60=d * (3600.0 / t) ** (1.0 / RIEGEL_EXPONENT),
        )
    )
    if speeds.is_empty():
        return pl.DataFrame(schema=out)
    # each activity's best prediction; of equal ones the shortest window
    return (
        speeds.filter(pl.col("_d60") == pl.col("_d60").max().over("_s"))
        .sort("_s", "effort_window_min")
        .unique("_s", keep="first", maintain_order=True)
        .select(
            activity_id=pl.lit(ids.gather(firsts)).gather(pl.col("_s")),
            effort_window_min="effort_window_min",
            effort_speed_mps="effort_speed_mps",
            effort_pace_s_per_km=3600.0 / (pl.col("_d60") / 1000.0),
        )
        .cast(out)  # type: ignore[arg-type]
    )


def _gaps(samples: pl.DataFrame, one: bool = False) -> pl.DataFrame:
    """``activity_id, long_gaps, longest_gap_s, longest_gap_from_utc``: gaps of more than 10 min."""
    return (
        samples.select("activity_id", "timestamp_utc")
        .filter(pl.col("timestamp_utc").is_not_null())
        .sort("activity_id", "timestamp_utc")
        .select(
            "activity_id",
            _gap=pl.col("timestamp_utc").diff().pipe(_per, one).dt.total_microseconds() / 1e6,
            _from=pl.col("timestamp_utc").shift(1).pipe(_per, one),
        )
        .filter(pl.col("_gap") > LONG_GAP_S)
        .group_by("activity_id", maintain_order=True)
        .agg(
            long_gaps=pl.len().cast(pl.Int32),
            longest_gap_s=pl.col("_gap").max(),
            # of equal longest gaps the earliest
            longest_gap_from_utc=pl.col("_from").filter(pl.col("_gap") == pl.col("_gap").max()).min(),
        )
    )


def summarize_samples(samples: pl.DataFrame) -> pl.DataFrame:
    """One row of :data:`SUMMARIES` per activity in ``samples`` (:data:`runback.schema.SAMPLES`).

    Pure and per activity: summarising two activities together gives the rows
    of summarising each alone, so import can summarise each file as it is read.
    Activities without any sample have no row.
    """
    if samples.is_empty():
        return _empty()
    ids = samples.select(pl.col("activity_id").unique(maintain_order=True))
    one = ids.height == 1
    out = (
        ids.join(_histograms(_timeline(samples, one)), on="activity_id", how="left")
        .join(_heart_rate_extremes(samples, one), on="activity_id", how="left")
        .join(_efforts(samples, one), on="activity_id", how="left")
        .join(_gaps(samples, one), on="activity_id", how="left")
        .with_columns(
            summary_version=pl.lit(SUMMARY_VERSION, pl.Int16),
            long_gaps=pl.col("long_gaps").fill_null(0),
            **{c: pl.col(c).fill_null([]) for c in ("hr_bpm", "hr_min", "speed_mps", "speed_min")},
        )
    )
    return out.select([pl.col(c).cast(t) for c, t in SUMMARIES.items()])
