"""Placing activities on the runner's wall clock where the file itself could not."""

from __future__ import annotations

import zoneinfo

import polars as pl

from runback.errors import OptionError

ASSUMED_UTC = "assumed_utc"
ATHLETE_TIMEZONE = "athlete_timezone"


def check_timezone(timezone: str) -> str:
    """``timezone`` if it is an IANA name this machine knows; else OptionError."""
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise OptionError(f"unknown time zone {timezone!r} (use an IANA name such as Europe/Amsterdam)") from exc
    return timezone


def localize(activities: pl.DataFrame, timezone: str) -> pl.DataFrame:
    """Give activities whose local start was only assumed the athlete's time zone.

    GPX and TCX carry UTC times only, so the readers set ``start_time_local`` to
    the UTC start (``utc_offset_source == "assumed_utc"``).  Here those rows get
    the wall-clock time in ``timezone`` at their start (daylight saving
    included), ``utc_offset_s`` to match, and ``utc_offset_source =
    "athlete_timezone"``.  Rows whose offset the file gave (a FIT activity's
    local timestamp) are left as they are.

    Parameters
    ----------
    activities
        :data:`runback.schema.ACTIVITIES` frame.
    timezone
        IANA time zone name, e.g. ``"Europe/Amsterdam"``.
    """
    check_timezone(timezone)
    assumed = (pl.col("utc_offset_source") == ASSUMED_UTC) & pl.col("start_time_utc").is_not_null()
    local = pl.col("start_time_utc").dt.convert_time_zone(timezone).dt.replace_time_zone(None)
    offset_s = (local - pl.col("start_time_utc").dt.replace_time_zone(None)).dt.total_seconds().cast(pl.Int32)
    return activities.with_columns(
        pl.when(assumed).then(local).otherwise(pl.col("start_time_local")).alias("start_time_local"),
        pl.when(assumed).then(offset_s).otherwise(pl.col("utc_offset_s")).alias("utc_offset_s"),
        pl.when(assumed).then(pl.lit(ATHLETE_TIMEZONE)).otherwise(pl.col("utc_offset_source")).alias("utc_offset_source"),
    )
