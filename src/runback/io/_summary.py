"""What GPX and TCX share (FIT its moving speed): tidy samples and the activity summary.

Every reader builds a raw samples frame (one row per track point), hands it to
:func:`finish_samples` (sorted by time, ``elapsed_s`` filled, distance computed
from positions where the file has none), then builds the activity row with
:func:`activity_row`, which computes the summary from those samples by
:func:`summarize_samples` and lets the file's own totals win where it has them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import numpy as np
import polars as pl

from runback import schema

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius (IUGG), metres: the haversine distance's sphere."""

MOVING_SPEED_MPS = 0.5
"""Slower than this (1.8 km/h) counts as standing still: slower than any walk."""

CLIMB_THRESHOLD_M = 2.0
"""Altitude changes smaller than this are GPS or barometer noise, not climbing."""


def haversine_m(lat1: pl.Expr, lon1: pl.Expr, lat2: pl.Expr, lon2: pl.Expr) -> pl.Expr:
    """Great-circle distance between two points in degrees, metres (haversine formula)."""
    rad = math.pi / 180.0
    dlat = (lat2 - lat1) * rad
    dlon = (lon2 - lon1) * rad
    a = (dlat / 2).sin() ** 2 + (lat1 * rad).cos() * (lat2 * rad).cos() * (dlon / 2).sin() ** 2
    return 2 * EARTH_RADIUS_M * a.sqrt().arcsin()


SPAN = "span"
"""Optional column of :func:`finish_samples`' input: which recorded span (GPX track
segment) a point belongs to; no distance is counted from one span to the next."""


def finish_samples(samples: pl.DataFrame) -> pl.DataFrame:
    """Sort one activity's samples by time, fill ``elapsed_s``, and distance where absent.

    Rows without a timestamp are dropped (callers report how many).  When no row
    has ``distance_m`` but rows have positions, ``distance_m`` becomes the
    cumulative haversine distance along the track; points without a position
    add nothing and the next point is measured from the last known one.  Where
    the input has a :data:`SPAN` column (GPX track segments), the step from one
    span's last point to the next span's first adds nothing either: a gap in
    the recording is not a straight line run.

    Parameters
    ----------
    samples
        One activity's samples, columns a subset of :data:`runback.schema.SAMPLES`
        (and :data:`SPAN`).

    Returns
    -------
    pl.DataFrame
        Conformed to :data:`runback.schema.SAMPLES`.
    """
    spans = samples[SPAN] if SPAN in samples.columns else pl.Series(SPAN, [0] * samples.height)
    df = schema.conform(samples.drop(SPAN, strict=False), schema.SAMPLES).with_columns(spans.alias(SPAN))
    df = df.filter(pl.col("timestamp_utc").is_not_null()).sort("timestamp_utc", maintain_order=True)
    if df.is_empty():
        return df.drop(SPAN)
    df = df.with_columns(
        elapsed_s=(pl.col("timestamp_utc") - pl.col("timestamp_utc").first()).dt.total_microseconds()
        / 1e6
    )
    if df["distance_m"].null_count() == df.height and df["lat_deg"].null_count() < df.height:
        lat = pl.col("lat_deg").forward_fill()
        lon = pl.col("lon_deg").forward_fill()
        step = haversine_m(lat.shift(1), lon.shift(1), lat, lon).fill_null(0.0).fill_nan(0.0)
        new_span = (pl.col(SPAN) != pl.col(SPAN).shift(1)).fill_null(False)
        step = pl.when(new_span).then(0.0).otherwise(step)
        df = df.with_columns(distance_m=step.cum_sum())
        # before the first position there is no track yet: distance unknown, not 0
        first_fix = df["lat_deg"].is_not_null().arg_true()[0]
        if first_fix > 0:
            df = df.with_columns(
                distance_m=pl.when(pl.int_range(pl.len()) < first_fix)
                .then(None)
                .otherwise(pl.col("distance_m"))
            )
    return df.drop(SPAN)


def _climb(altitude: np.ndarray, threshold_m: float) -> tuple[float, float]:
    """Total ascent and descent, counting a change once it exceeds ``threshold_m``.

    From the last counted point, the altitude must rise (or fall) by at least the
    threshold before the change is added; smaller wiggles are noise.
    """
    ascent = descent = 0.0
    ref = float(altitude[0])
    for value in altitude[1:]:
        change = float(value) - ref
        if change >= threshold_m:
            ascent += change
            ref = float(value)
        elif change <= -threshold_m:
            descent -= change
            ref = float(value)
    return ascent, descent


def summarize_samples(
    samples: pl.DataFrame,
    *,
    moving_speed_mps: float = MOVING_SPEED_MPS,
    climb_threshold_m: float = CLIMB_THRESHOLD_M,
) -> dict[str, Any]:
    """The activity summary computed from one activity's samples.

    Parameters
    ----------
    samples
        One activity's samples as returned by :func:`finish_samples` (sorted,
        ``elapsed_s`` filled).
    moving_speed_mps
        A stretch between two samples counts as moving when its speed (distance
        gained over time, or the recorded speed where there is no distance) is
        above this, metres per second.
    climb_threshold_m
        Altitude changes smaller than this are ignored, metres.

    Returns
    -------
    dict
        ``start_time_utc``, ``elapsed_s`` (first to last sample, s), ``moving_s``
        (s; equal to ``elapsed_s`` when the file has neither distance nor speed),
        ``distance_m`` (the largest cumulative distance, m), ``ascent_m``,
        ``descent_m`` (m), ``avg_hr_bpm``, ``max_hr_bpm`` (bpm; zeros ignored),
        ``avg_cadence_spm`` (mean of non-zero cadences), ``avg_speed_mps``
        (distance over moving time, m/s) and ``n_samples``.
    """
    out: dict[str, Any] = {"n_samples": samples.height}
    if samples.is_empty():
        return out
    out["start_time_utc"] = samples["timestamp_utc"][0]
    elapsed = samples["elapsed_s"].to_numpy()
    out["elapsed_s"] = float(elapsed[-1] - elapsed[0])

    dist_col = samples["distance_m"]
    distance = float(dist_col.max()) if dist_col.null_count() < len(dist_col) else None  # type: ignore[arg-type]
    out["distance_m"] = distance

    dt = np.diff(elapsed)
    moving: float | None
    if distance is not None:
        d = dist_col.fill_null(strategy="forward").fill_null(0.0).to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            speed = np.where(dt > 0, np.diff(d) / dt, 0.0)
        moving = float(dt[speed > moving_speed_mps].sum())
    elif samples["speed_mps"].null_count() < samples.height:
        v = samples["speed_mps"].fill_null(0.0).to_numpy()[1:]
        moving = float(dt[v > moving_speed_mps].sum())
    else:
        moving = out["elapsed_s"]
    out["moving_s"] = moving

    alt = samples["altitude_m"].drop_nulls().drop_nans().to_numpy()
    if alt.size >= 2:
        out["ascent_m"], out["descent_m"] = _climb(alt, climb_threshold_m)

    hr = samples["heart_rate_bpm"].filter(samples["heart_rate_bpm"] > 0)
    if len(hr):
        out["avg_hr_bpm"] = float(hr.mean())  # type: ignore[arg-type]
        out["max_hr_bpm"] = float(hr.max())  # type: ignore[arg-type]
    cad = samples["cadence_spm"].filter(samples["cadence_spm"] > 0)
    if len(cad):
        out["avg_cadence_spm"] = float(cad.mean())  # type: ignore[arg-type]
    if distance is not None and moving:
        out["avg_speed_mps"] = distance / moving
    return out


def activity_row(
    samples: pl.DataFrame,
    *,
    overrides: Mapping[str, Any] | None = None,
    **fields: Any,
) -> pl.DataFrame:
    """One activity row: the summary of ``samples``, the file's own values, labels.

    Parameters
    ----------
    samples
        The activity's finished samples (see :func:`finish_samples`).
    overrides
        Totals the file states itself (a TCX lap's timer time, say); a value that
        is not ``None`` wins over the one computed from the samples.
    **fields
        The labels: ``activity_id``, ``athlete``, ``source``, ``format``,
        ``sport``, ``sub_sport``, ``name``, ``device`` ...

    Returns
    -------
    pl.DataFrame
        One row conformed to :data:`runback.schema.ACTIVITIES`.  Without a time
        zone the local start is the UTC start (``utc_offset_source`` is
        ``"assumed_utc"``); ``partial`` is false unless given.
    """
    row: dict[str, Any] = summarize_samples(samples)
    for key, value in (overrides or {}).items():
        if value is not None:
            row[key] = value
    if row.get("avg_speed_mps") is None or (overrides and "moving_s" in overrides):
        if row.get("distance_m") is not None and row.get("moving_s"):
            row["avg_speed_mps"] = row["distance_m"] / row["moving_s"]
    row.update(fields)
    start: datetime | None = row.get("start_time_utc")
    row.setdefault("partial", False)
    if start is not None and "start_time_local" not in row:
        row["start_time_local"] = start.replace(tzinfo=None)
        row["utc_offset_s"] = 0
        row["utc_offset_source"] = "assumed_utc"
    frame = pl.DataFrame([row], schema_overrides={"start_time_utc": schema.UTC}, infer_schema_length=None)
    return schema.conform(frame, schema.ACTIVITIES)
