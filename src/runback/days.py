"""The runner's local day and the ISO week: one definition for load, pain and the reports.

An activity's day is the calendar day of its ``start_time_local``, except
where that wall-clock time only assumed UTC (``utc_offset_source`` null or
``"assumed_utc"``, e.g. a GPX file) and the athlete's time zone is known:
then ``start_time_utc`` is converted to that zone.  A week is an ISO week,
Monday to Sunday, named by its Monday.  Nothing here depends on the machine's
time zone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import polars as pl

__all__ = ["local_day", "local_start", "monday", "week_start"]


def local_start(zones: Mapping[str, str | None] | None = None) -> pl.Expr:
    """Each activity's start on the runner's wall clock (naive datetime), honouring ``zones``.

    Parameters
    ----------
    zones
        athlete -> IANA time zone (None or missing: ``start_time_local`` as it is).
    """
    expr = pl.col("start_time_local")
    given = {a: z for a, z in (zones or {}).items() if z}
    assumed = pl.col("utc_offset_source").is_null() | (pl.col("utc_offset_source") == "assumed_utc")
    for zone in sorted(set(given.values())):
        names = [a for a, z in given.items() if z == zone]
        expr = (
            pl.when(pl.col("athlete").is_in(names) & assumed & pl.col("start_time_utc").is_not_null())
            .then(pl.col("start_time_utc").dt.convert_time_zone(zone).dt.replace_time_zone(None))
            .otherwise(expr)
        )
    return expr


def local_day(zones: Mapping[str, str | None] | None = None) -> pl.Expr:
    """Each activity's local calendar day (see :func:`local_start`)."""
    return local_start(zones).dt.date()


def week_start(day: pl.Expr) -> pl.Expr:
    """The Monday of the ISO week holding ``day`` (a date expression)."""
    return day - pl.duration(days=day.dt.weekday() - 1)


def monday(day: dt.date) -> dt.date:
    """The Monday of the ISO week holding ``day``."""
    return day - dt.timedelta(days=day.weekday())
