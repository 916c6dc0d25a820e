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

import functools
from collections.abc import Iterable
import itertools
from dataclasses import dataclass

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
    "SAMPLE_COLUMNS",
    "SUMMARY_VERSION",
    "summarize_samples",
    "summarize_windows",
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


def _per(expr: pl.Expr) -> pl.Expr:
    """``expr`` per activity."""
    return expr.over("activity_id")


@dataclass(frozen=True)
class _Exprs:
    """The expressions of :func:`summarize_samples`, built once: building them costs as much Python
    time as running them on a small batch."""

    timeline_t: pl.Expr
    timeline_steps: tuple[pl.Expr, ...]
    timeline: tuple[pl.Expr, ...]
    hr_keep: pl.Expr
    speed_keep: pl.Expr
    held_max: pl.Expr
    step_deltas: tuple[pl.Expr, ...]
    moving_steps: tuple[pl.Expr, ...]
    effort_keep: pl.Expr
    effort_values: tuple[pl.Expr, ...]
    effort_best: pl.Expr
    effort_out: tuple[pl.Expr, ...]
    gap_steps: tuple[pl.Expr, ...]
    gap_aggs: tuple[pl.Expr, ...]
    finish: tuple[pl.Expr, ...]


@functools.cache
def _exprs() -> _Exprs:
    # the timeline: a sample stands for the time since the previous one (capped), with its speed;
    # the steps are columns of their own (an expression used twice under a window runs twice)
    ts = pl.col("timestamp_utc")
    t = pl.coalesce(pl.col("elapsed_s"), (ts - _per(ts.min())).dt.total_microseconds() / 1e6)
    raw_dt = pl.col("_raw_dt")
    speed = pl.coalesce(
        pl.col("speed_mps"),
        pl.when(raw_dt > 0).then(pl.col("_ddist") / raw_dt),
    )
    timeline_steps = (
        _per(pl.col("_t").diff()).alias("_raw_dt"),
        _per(pl.col("distance_m").diff()).alias("_ddist"),
    )
    timeline = (
        pl.col("activity_id"),
        pl.col("heart_rate_bpm"),
        (raw_dt.clip(0.0, GAP_CAP_S).fill_null(0.0) / 60.0).alias("_dt_min"),
        speed.alias("_speed"),
    )
    dt_min, hr, spd = pl.col("_dt_min"), pl.col("heart_rate_bpm"), pl.col("_speed")
    # the efforts: moving time and distance, summed over moving steps only
    dt, dd = pl.col("_dt"), pl.col("_dd")
    step_deltas = (
        _per(pl.col("elapsed_s").diff()).alias("_dt"),
        # no cumulative distance: the step's distance from its speed
        pl.coalesce(_per(pl.col("distance_m").diff()), pl.col("speed_mps") * _per(pl.col("elapsed_s").diff())).alias("_dd"),
    )
    moving = (
        (dt > 0) & (dt <= MAX_STEP_GAP_S) & (dd > MOVING_SPEED_MPS * dt) & (dd <= MAX_STEP_SPEED_MPS * dt)
    ).fill_null(False)
    moving_steps = tuple(
        _per(pl.when(moving).then(step).otherwise(0.0).cum_sum()).alias(name)
        for name, step in (("_mt", dt), ("_md", dd))
    )
    et, ed = pl.col("_t"), pl.col("_d")
    d60 = pl.col("_d60")
    gap = pl.col("_gap")
    return _Exprs(
        timeline_t=t.alias("_t"),
        timeline_steps=timeline_steps,
        timeline=timeline,
        hr_keep=hr.is_not_null() & (hr > 0) & (dt_min > 0),
        speed_keep=(spd > 0) & (spd <= MAX_THRESHOLD_SPEED_MPS) & (dt_min > 0),
        held_max=_per(hr.rolling_median(5)).alias("_med"),
        step_deltas=step_deltas,
        moving_steps=(pl.col("activity_id"), *moving_steps),
        effort_keep=(et > 0) & (ed / et <= MAX_SUSTAINED_RUN_SPEED_MPS),
        effort_values=(
            (ed / et).alias("effort_speed_mps"),
            # Riegel: the distance this stretch predicts for 60 min, D60 = D (3600 / T) ** (1 / 1.06)
            (ed * (3600.0 / et) ** (1.0 / RIEGEL_EXPONENT)).alias("_d60"),
        ),
        effort_best=d60 == d60.max().over("_s"),
        effort_out=(
            pl.col("effort_window_min"),
            pl.col("effort_speed_mps"),
            (3600.0 / (d60 / 1000.0)).alias("effort_pace_s_per_km"),
        ),
        gap_steps=(
            pl.col("activity_id"),
            (_per(ts.diff()).dt.total_microseconds() / 1e6).alias("_gap"),
            _per(ts.shift(1)).alias("_from"),
        ),
        gap_aggs=(
            pl.len().cast(pl.Int32).alias("long_gaps"),
            gap.max().alias("longest_gap_s"),
            # of equal longest gaps the earliest
            pl.col("_from").filter(gap == gap.max()).min().alias("longest_gap_from_utc"),
        ),
        finish=(
            pl.lit(SUMMARY_VERSION, pl.Int16).alias("summary_version"),
            pl.col("long_gaps").fill_null(0),
            *(pl.col(c).fill_null([]) for c in ("hr_bpm", "hr_min", "speed_mps", "speed_min")),
        ),
    )


#: the samples columns the summaries read
SAMPLE_COLUMNS = ("activity_id", "timestamp_utc", "elapsed_s", "distance_m", "speed_mps", "heart_rate_bpm")
_CAST = tuple(pl.col(c).cast(t) for c, t in SUMMARIES.items())
_EFFORTS = {
    "activity_id": pl.String(),
    "effort_window_min": pl.Int32(),
    "effort_speed_mps": _F64,
    "effort_pace_s_per_km": _F64,
}


def _timeline(samples: pl.DataFrame) -> pl.DataFrame:
    """Samples in time order with each one's minutes (``_dt_min``) and speed (``_speed``)."""
    ex = _exprs()
    s = samples.select(SAMPLE_COLUMNS).with_columns(ex.timeline_t)
    s = s.sort("activity_id", "_t", "timestamp_utc", nulls_last=True).with_columns(ex.timeline_steps)
    return s.select(ex.timeline)


def _histogram(line: pl.DataFrame, value: str, keep: pl.Expr, names: tuple[str, str]) -> pl.DataFrame:
    """``activity_id`` and two lists: each distinct ``value`` (ascending) and the minutes at it."""
    dt = pl.col("_dt_min")
    sums = line.filter(keep).group_by("activity_id", value).agg(dt.sum()).sort("activity_id", value)
    lists = (pl.col(value).alias(names[0]), dt.alias(names[1]))
    return sums.group_by("activity_id", maintain_order=True).agg(lists)


def _histograms(line: pl.DataFrame) -> pl.DataFrame:
    """``activity_id, hr_bpm, hr_min, speed_mps, speed_min``: minutes at each exact value."""
    ex = _exprs()
    hr_hist = _histogram(line, "heart_rate_bpm", ex.hr_keep, ("hr_bpm", "hr_min"))
    speed_hist = _histogram(line, "_speed", ex.speed_keep, ("speed_mps", "speed_min"))
    return hr_hist.join(speed_hist, on="activity_id", how="full", coalesce=True)


def _heart_rate_extremes(samples: pl.DataFrame) -> pl.DataFrame:
    """``activity_id, hr_held_max_bpm, hr_low_bpm``: the inputs of the HRmax and HRrest estimates."""
    low, high = HR_PLAUSIBLE_BPM
    return (
        samples.select("activity_id", "elapsed_s", "heart_rate_bpm")
        .filter(pl.col("heart_rate_bpm").is_between(low, high))
        .sort("activity_id", "elapsed_s")
        .with_columns(_exprs().held_max)
        .group_by("activity_id")
        .agg(hr_held_max_bpm=pl.col("_med").max(), hr_low_bpm=pl.col("heart_rate_bpm").min())
    )


def _efforts(samples: pl.DataFrame) -> pl.DataFrame:
    """``activity_id, effort_window_min, effort_speed_mps, effort_pace_s_per_km``: each activity's best
    sustained effort over moving time, Riegel-adjusted to 60 minutes (see
    :func:`runback.load.sustained_efforts`)."""
    ex = _exprs()
    steps = (
        samples.select("activity_id", "elapsed_s", "distance_m", "speed_mps")
        .filter(pl.col("elapsed_s").is_not_null())
        .sort("activity_id", "elapsed_s")
        .with_columns(ex.step_deltas)
        .select(ex.moving_steps)
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
    speeds = (
        pl.DataFrame(
            {
                name: np.concatenate([p[i] for p in parts])
                for i, name in enumerate(("_s", "effort_window_min", "_t", "_d"))
            }
        )
        .filter(ex.effort_keep)
        .with_columns(ex.effort_values)
    )
    # the key keeps its type: the id, or the integer code summarize_samples gave it
    schema = {**_EFFORTS, "activity_id": ids.dtype}
    if speeds.is_empty():
        return pl.DataFrame(schema=schema)
    # each activity's best prediction; of equal ones the shortest window
    best = speeds.filter(ex.effort_best).sort("_s", "effort_window_min").unique("_s", keep="first", maintain_order=True)
    return best.select(pl.lit(ids.gather(firsts)).gather(pl.col("_s")).alias("activity_id"), *ex.effort_out).cast(
        schema  # type: ignore[arg-type]
    )


def _gaps(samples: pl.DataFrame) -> pl.DataFrame:
    """``activity_id, long_gaps, longest_gap_s, longest_gap_from_utc``: gaps of more than 10 min."""
    ex = _exprs()
    return (
        samples.select("activity_id", "timestamp_utc")
        .filter(pl.col("timestamp_utc").is_not_null())
        .sort("activity_id", "timestamp_utc")
        .select(ex.gap_steps)
        .filter(pl.col("_gap") > LONG_GAP_S)
        .group_by("activity_id", maintain_order=True)
        .agg(ex.gap_aggs)
    )


def summarize_samples(samples: pl.DataFrame) -> pl.DataFrame:
    """One row of :data:`SUMMARIES` per activity in ``samples`` (:data:`runback.schema.SAMPLES`).

    Pure and per activity: summarising two activities together gives the rows
    of summarising each alone, so import summarises a batch of files at once.
    Activities without any sample have no row.
    """
    if samples.is_empty():
        return _empty()
    ids = samples.select(pl.col("activity_id").unique(maintain_order=True))
    names = ids.get_column("activity_id")
    coded = not names.has_nulls()
    if coded:
        # an integer key (each id's place in ``ids``) to sort, window and group on
        ids = ids.with_columns(_code=pl.int_range(pl.len(), dtype=pl.UInt32))
        samples = samples.with_columns(pl.col("activity_id").cast(pl.Enum(names)).to_physical().cast(pl.UInt32))
    key = "_code" if coded else "activity_id"
    out = ids.join(_histograms(_timeline(samples)), left_on=key, right_on="activity_id", how="left")
    for part in (_heart_rate_extremes(samples), _efforts(samples), _gaps(samples)):
        out = out.join(part, left_on=key, right_on="activity_id", how="left")
    return out.with_columns(_exprs().finish).select(_CAST)


def summarize_windows(windows: Iterable[pl.DataFrame]) -> pl.DataFrame | None:
    """:func:`summarize_samples` of a frame given as consecutive windows of its rows, one window at a time.

    Bounds memory where samples are many (an import's batch, a store's part
    read from disk): each activity's rows must be consecutive, as an import
    writes them.  An activity cut by a window's end is carried into the next
    window.  Returns None where an activity's rows turn out not to be
    consecutive: the caller then summarises the whole frame.
    """
    out: list[pl.DataFrame] = []
    done: set[str] = set()
    ahead = iter(windows)
    following = next(ahead, None)
    carry: pl.DataFrame | None = None
    while following is not None:
        rows = following if carry is None else pl.concat([carry, following], how="vertical")
        following, carry = next(ahead, None), None
        if following is not None and rows.height:
            # the last activity may go on in the next window: carried there whole
            last = rows.select(pl.col("activity_id").rle().struct.field("len").last()).item()
            rows, carry = rows.head(rows.height - last), rows.tail(last)
        if rows.is_empty():
            continue
        found = summarize_samples(rows)
        ids = set(found["activity_id"].to_list())
        if ids & done:
            return None
        done |= ids
        out.append(found)
    return pl.concat(out, how="vertical") if out else _empty()
