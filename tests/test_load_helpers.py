"""Builders for the load tests: small activity and sample frames written by hand.

(No tests here; the load test modules import these builders.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import polars as pl

from runback import schema

DAY0 = dt.date(2024, 1, 1)  # a Monday


def activity(
    day: int | dt.date,
    km: float,
    *,
    athlete: str = "a",
    sport: str = "running",
    minutes: float | None = None,
    hour: int = 7,
    aid: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """One activity row: ``day`` days after DAY0 (or a date), ``km`` kilometres."""
    date = day if isinstance(day, dt.date) else DAY0 + dt.timedelta(days=day)
    local = dt.datetime.combine(date, dt.time(hour, 0))
    minutes = km * 6.0 if minutes is None else minutes  # 6 min/km unless told
    row = {
        "activity_id": aid or f"{athlete}-{date.isoformat()}-{hour:02d}-{sport}",
        "athlete": athlete,
        "sport": sport,
        "start_time_local": local,
        "start_time_utc": local.replace(tzinfo=dt.timezone.utc),
        "utc_offset_s": 0,
        "utc_offset_source": "fit_local_timestamp",
        "moving_s": minutes * 60.0,
        "elapsed_s": minutes * 60.0,
        "distance_m": km * 1000.0,
    }
    row.update(extra)
    return row


def activities(rows: Iterable[dict[str, Any]]) -> pl.DataFrame:
    rows = list(rows)
    if not rows:
        return schema.empty(schema.ACTIVITIES)
    return schema.conform(pl.DataFrame(rows, infer_schema_length=None), schema.ACTIVITIES)


def samples(activity_id: str, start: dt.datetime, elapsed: Sequence[float], **cols: Sequence[Any]) -> pl.DataFrame:
    """Samples of one activity at the given elapsed seconds."""
    data: dict[str, Any] = {
        "activity_id": [activity_id] * len(elapsed),
        "timestamp_utc": [start.replace(tzinfo=dt.timezone.utc) + dt.timedelta(seconds=t) for t in elapsed],
        "elapsed_s": [float(t) for t in elapsed],
    }
    data.update({k: list(v) for k, v in cols.items()})
    return schema.conform(pl.DataFrame(data), schema.SAMPLES)


def weekly_routine(weeks: int, pattern: Sequence[float], *, athlete: str = "a", start: dt.date = DAY0) -> pl.DataFrame:
    """``pattern[i]`` km on weekday i (Monday first; 0 = rest), repeated for ``weeks`` weeks."""
    rows = []
    for w in range(weeks):
        for i, km in enumerate(pattern):
            if km > 0:
                rows.append(activity(start + dt.timedelta(days=7 * w + i), km, athlete=athlete))
    return activities(rows)
