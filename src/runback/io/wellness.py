"""Sleep and stress as the runner's device recorded them: Garmin Connect's export.

A Garmin Connect data export (Account > Data management > Export your data)
holds, beside the activity files:

- ``DI_CONNECT/DI-Connect-Wellness/<dates>_<user id>_sleepData.json``: a list
  with one object per night, ``calendarDate`` (the day the runner woke up),
  ``sleepStartTimestampGMT``, ``sleepEndTimestampGMT``, ``deepSleepSeconds``,
  ``lightSleepSeconds``, ``remSleepSeconds``, ``awakeSleepSeconds`` and
  ``sleepScores`` (``overallScore``, 0-100);
- ``DI_CONNECT/DI-Connect-Aggregator/UDSFile_<dates>.json`` (user daily
  summaries): a list with one object per day, ``calendarDate``,
  ``restingHeartRate`` and the day's stress, ``allDayStress.aggregatorList``
  whose ``TOTAL`` entry has ``averageStressLevel`` (0-100; Garmin writes -1 or
  -2 where it had too little data).

:func:`read_wellness` reads either kind into :data:`runback.schema.WELLNESS`
rows, one per athlete and day; the file kind is told by its name
(:func:`wellness_kind`).  Both kinds of one day share a row (its
``wellness_id`` is the athlete, the day and the source):
:func:`collapse_wellness` joins them and :func:`new_wellness` says which rows
an import adds to what is stored, so importing an export twice adds nothing.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import PurePosixPath
from typing import Any

import polars as pl

from runback import schema
from runback.athletes import DEFAULT_ATHLETE
from runback.io._common import content_id

__all__ = [
    "GARMIN_SOURCE",
    "WellnessPart",
    "collapse_wellness",
    "new_wellness",
    "read_wellness",
    "wellness_id",
    "wellness_kind",
]

GARMIN_SOURCE = "garmin"
"""``wellness.source`` of the rows read from a Garmin Connect export."""

_KINDS = (
    ("sleep", re.compile(r"sleepdata[^/]*\.json$", re.IGNORECASE)),
    ("daily", re.compile(r"udsfile[^/]*\.json$", re.IGNORECASE)),
)

MAX_WELLNESS_BYTES = 256 << 20
"""A wellness JSON larger than this (256 MiB) is left out: years of nights are a few MiB."""

_VALUE_COLUMNS = ("sleep_h", "sleep_score", "stress_avg", "resting_hr_bpm", "sleep_start_utc", "sleep_end_utc")


def wellness_kind(name: str) -> str | None:
    """``"sleep"`` (``*_sleepData.json``), ``"daily"`` (``UDSFile_*.json``) or ``None`` by the file's name."""
    base = PurePosixPath(name.replace("\\", "/")).name
    return next((kind for kind, pattern in _KINDS if pattern.search(base)), None)


@dataclass(frozen=True)
class WellnessPart:
    """One wellness file's rows (:data:`runback.schema.WELLNESS`) and its warnings."""

    wellness: pl.DataFrame = field(default_factory=lambda: schema.empty(schema.WELLNESS))
    warnings: tuple[str, ...] = ()


def wellness_id(athlete: str, day: date, source: str) -> str:
    """The id of an athlete's day from one source: the same day always gets the same id."""
    return content_id(f"wellness|{athlete}|{day.isoformat()}|{source}".encode())


def _number(value: Any, low: float, high: float) -> float | None:
    """A finite number within [low, high], else ``None`` (Garmin's -1, -2: "not enough data")."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    return number if math.isfinite(number) and low <= number <= high else None


def _day(value: Any) -> date | None:
    """``calendarDate``: ``"2024-03-01"``, or ``{"date": "2024-03-01"}`` in some exports."""
    if isinstance(value, Mapping):
        value = value.get("date")
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _timestamp(value: Any) -> datetime | None:
    """``"2024-02-29T22:41:00.0"`` (GMT) or epoch milliseconds, as UTC."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        try:
            return datetime.fromtimestamp(value / 1000, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    text = value.strip().removesuffix("Z")
    text = re.sub(r"(\.\d{1,6})\d*$", r"\1", text)  # Python reads at most microseconds
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _sleep_score(scores: Any) -> float | None:
    """``sleepScores.overallScore`` (export), ``sleepScores.overall.value`` (Connect's API) or a bare number."""
    if isinstance(scores, Mapping):
        overall = scores.get("overallScore", scores.get("overall"))
        if isinstance(overall, Mapping):
            overall = overall.get("value")
        return _number(overall, 0, 100)
    return _number(scores, 0, 100)


def _sleep_row(night: Mapping[str, Any]) -> dict[str, Any] | None:
    start = _timestamp(night.get("sleepStartTimestampGMT"))
    end = _timestamp(night.get("sleepEndTimestampGMT"))
    stages = [_number(night.get(k), 0, 86_400) for k in ("deepSleepSeconds", "lightSleepSeconds", "remSleepSeconds")]
    asleep = [s for s in stages if s is not None]
    if asleep:
        sleep_s: float | None = sum(asleep)
    elif start is not None and end is not None:
        sleep_s = (end - start).total_seconds() - (_number(night.get("awakeSleepSeconds"), 0, 86_400) or 0.0)
    else:
        sleep_s = None
    sleep_h = _number(sleep_s / 3600 if sleep_s is not None else None, 0, 24)
    score = _sleep_score(night.get("sleepScores"))
    if not sleep_h and score is None:
        return None  # a night the watch was off the wrist: nothing measured
    return {"sleep_h": sleep_h, "sleep_score": score, "sleep_start_utc": start, "sleep_end_utc": end}


def _daily_row(day: Mapping[str, Any]) -> dict[str, Any] | None:
    stress = _number(day.get("averageStressLevel"), 0, 100)
    all_day = day.get("allDayStress")
    if stress is None and isinstance(all_day, Mapping):
        for entry in all_day.get("aggregatorList") or ():
            if isinstance(entry, Mapping) and str(entry.get("type", "")).upper() == "TOTAL":
                stress = _number(entry.get("averageStressLevel"), 0, 100)
    resting = _number(day.get("restingHeartRate"), 20, 150)
    if resting is None:
        resting = _number(day.get("currentDayRestingHeartRate"), 20, 150)
    if stress is None and resting is None:
        return None
    return {"stress_avg": stress, "resting_hr_bpm": resting}


def read_wellness(data: bytes, label: str, *, athlete: str = DEFAULT_ATHLETE, kind: str | None = None) -> WellnessPart:
    """Read one Garmin wellness JSON (sleep or daily summaries) into wellness rows.

    Parameters
    ----------
    data
        The file's bytes.
    label
        The file as the runner would name it (``export.zip!DI_CONNECT/...``), for warnings.
    athlete
        Goes into ``wellness.athlete``.
    kind
        ``"sleep"`` or ``"daily"``; by default told by ``label``'s name (:func:`wellness_kind`).

    Returns
    -------
    WellnessPart
        One row per day the file measured something; never raises for bad
        content: a file that is not such JSON gives no rows and a warning naming it.
    """
    kind = kind or wellness_kind(label)
    if kind is None:
        return WellnessPart(warnings=(f"{label}: not a Garmin sleep or daily summary file; left out",))
    try:
        body = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        return WellnessPart(warnings=(f"{label}: not readable JSON ({exc}); its {kind} data left out",))
    items: Iterable[Any] = body if isinstance(body, list) else [body]
    rows: list[dict[str, Any]] = []
    for item in items:
        if not isinstance(item, Mapping):
            continue
        day = _day(item.get("calendarDate"))
        values = (_sleep_row if kind == "sleep" else _daily_row)(item) if day is not None else None
        if day is None or values is None:
            continue
        rows.append(
            {"athlete": athlete, "date": day, **values, "source": GARMIN_SOURCE,
             "wellness_id": wellness_id(athlete, day, GARMIN_SOURCE)}
        )  # fmt: skip
    if not rows and not isinstance(body, list):
        return WellnessPart(warnings=(f"{label}: no list of days in it; its {kind} data left out",))
    if not rows:
        return WellnessPart()
    frame = schema.conform(pl.DataFrame(rows, infer_schema_length=None), schema.WELLNESS)
    return WellnessPart(wellness=collapse_wellness(frame))


def collapse_wellness(rows: pl.DataFrame) -> pl.DataFrame:
    """One row per ``wellness_id``: in row order, a later non-null value wins over an earlier one.

    Rows of one day from the sleep file and the daily summaries become one
    row; a newer export's values replace an older one's where it has them.
    The result is sorted by athlete, date and source.
    """
    if rows.is_empty():
        return schema.conform(rows, schema.WELLNESS)
    keys = [c for c in schema.WELLNESS if c not in _VALUE_COLUMNS and c != "wellness_id"]
    return schema.conform(
        rows.with_row_index("_order")
        .group_by("wellness_id")
        .agg(
            [pl.col(c).sort_by("_order").last() for c in keys]
            + [pl.col(c).sort_by("_order").drop_nulls().last() for c in _VALUE_COLUMNS]
        ),
        schema.WELLNESS,
    ).sort(["athlete", "date", "source"])


def new_wellness(stored: pl.DataFrame | None, found: pl.DataFrame) -> pl.DataFrame:
    """The rows of ``found`` that add something to ``stored``: a new day, or a value it did not have.

    Both are :data:`runback.schema.WELLNESS` frames; ``stored`` may hold several
    rows per id (it is collapsed first).  A row is returned whole (collapsed
    with what is stored), so appending the result and collapsing on read
    (:func:`collapse_wellness`) gives the newest view; an import of the same
    export again returns nothing.
    """
    found = collapse_wellness(found)
    if stored is None or stored.is_empty() or found.is_empty():
        return found
    before = collapse_wellness(stored)
    after = collapse_wellness(pl.concat([before, found.filter(pl.col("wellness_id").is_in(before["wellness_id"].implode()))]))
    fresh = found.filter(~pl.col("wellness_id").is_in(before["wellness_id"].implode()))
    changed = after.join(before, on=list(schema.WELLNESS), how="anti", nulls_equal=True)
    return collapse_wellness(pl.concat([fresh, changed]))
