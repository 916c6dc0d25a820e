"""Load over time: the performance management chart, ACWR, monotony and strain.

All functions take the daily frame of :func:`runback.load.daily_load` (one row
per athlete per day, rest days as zero rows) and return one row per athlete per
day.  The day's load is one daily column, chosen with ``load=``:

- any numeric column of schema.DAILY (``trimp_banister``, ``run_distance_m``,
  ``srpe_au`` ...);
- ``"run_minutes"``: running minutes (``run_moving_s / 60``);
- ``"auto"``: ``trimp_banister`` for an athlete whose runs carry heart rate for
  at least 90% of their running time, running minutes otherwise (so days
  without heart rate do not look like rest days).
"""

from __future__ import annotations

import math
from typing import Literal

import polars as pl

from runback import schema
from runback.load import _segments as seg

__all__ = [
    "MAX_MONOTONY",
    "PMC_METHODS",
    "acwr",
    "load_column",
    "monotony",
    "pmc",
]

PmcMethod = Literal["goldencheetah", "trainingpeaks", "runalyze"]
PMC_METHODS: tuple[str, ...] = ("goldencheetah", "trainingpeaks", "runalyze")
#: monotony where the daily loads do not vary (sd = 0), and the cap on larger values
MAX_MONOTONY = 10.0
#: share of running time with heart rate above which "auto" uses TRIMP
AUTO_HR_COVERAGE = 0.9


def load_column(daily: pl.DataFrame, load: str) -> pl.DataFrame:
    """``athlete, date, load, load_name``: the chosen daily load (see module docstring).

    ``daily`` must be sorted by athlete and date (see ``_segments.sort_by_athlete``).
    """
    if load == "auto":
        cover = seg.segment_sum(pl.col("hr_run_min")) / (seg.segment_sum(pl.col("run_moving_s")) / 60.0)
        df = daily.select(
            "athlete",
            "date",
            "trimp_banister",
            "run_moving_s",
            _trimp=(cover.fill_nan(None) >= AUTO_HR_COVERAGE).fill_null(False),
        )
        return df.select(
            "athlete",
            "date",
            load=pl.when("_trimp").then(pl.col("trimp_banister")).otherwise(pl.col("run_moving_s") / 60.0),
            load_name=pl.when("_trimp").then(pl.lit("trimp_banister")).otherwise(pl.lit("run_minutes")),
        )
    if load == "run_minutes":
        expr = pl.col("run_moving_s") / 60.0
    elif load in daily.columns and daily.schema[load].is_numeric():
        expr = pl.col(load)
    else:
        numeric = [c for c, t in daily.schema.items() if t.is_numeric()]
        raise ValueError(f"unknown load {load!r}; use 'auto', 'run_minutes' or one of {numeric}")
    return daily.select(
        "athlete", "date", load=expr.cast(pl.Float64).fill_null(0.0), load_name=pl.lit(load)
    )


def _alpha(method: str, days: float) -> float:
    """Weight of today's load in the exponentially weighted average."""
    if days <= 0:
        raise ValueError(f"time constant must be positive, got {days}")
    if method == "goldencheetah":
        return 1.0 - math.exp(-1.0 / days)
    if method == "trainingpeaks":
        return 1.0 / days
    if method == "runalyze":
        return 2.0 / (days + 1.0)
    raise ValueError(f"unknown PMC method {method!r}; use one of {', '.join(PMC_METHODS)}")


def pmc(
    daily: pl.DataFrame,
    *,
    method: PmcMethod = "goldencheetah",
    ctl_days: float = 42,
    atl_days: float = 7,
    load: str = "trimp_banister",
) -> pl.DataFrame:
    """Performance management chart: CTL, ATL and TSB per athlete per day.

    ``ctl_t = ctl_{t-1} + k (load_t - ctl_{t-1})`` starting from 0 the day
    before the athlete's first day, with ``k`` set by ``method``:

    - ``"goldencheetah"``: ``k = 1 - e^(-1/tau)`` (GoldenCheetah's
      ``lts = stress (1 - e^(-1/tau)) + lts_yesterday e^(-1/tau)``);
    - ``"trainingpeaks"``: ``k = 1/tau``;
    - ``"runalyze"``: ``k = 2/(tau + 1)``, an N-day EWMA.

    ATL likewise with ``atl_days``.  ``tsb`` is the form going into the day:
    yesterday's CTL minus yesterday's ATL (0 on the first day).

    Parameters
    ----------
    daily
        schema.DAILY.
    method
        Discretisation, see above.
    ctl_days, atl_days
        Time constants, days.
    load
        Daily load column (see the module docstring).

    Returns
    -------
    pl.DataFrame
        schema.PMC.
    """
    k_ctl, k_atl = _alpha(method, ctl_days), _alpha(method, atl_days)
    if daily.height == 0:
        return schema.empty(schema.PMC)
    df = load_column(seg.sort_by_athlete(daily), load).with_columns(_i=seg.row_index())
    i = pl.col("_i")
    df = df.with_columns(
        ctl=seg.ewm_from_zero(pl.col("load"), k_ctl, i),
        atl=seg.ewm_from_zero(pl.col("load"), k_atl, i),
    ).with_columns(tsb=seg.shift(pl.col("ctl") - pl.col("atl"), 1, i).fill_null(0.0))
    return schema.conform(df.drop("load_name", "_i"), schema.PMC)


def acwr(
    daily: pl.DataFrame,
    *,
    load: str = "auto",
    acute_days: int = 7,
    chronic_days: int = 28,
) -> pl.DataFrame:
    """Acute:chronic workload ratios, null for the first ``chronic_days`` days.

    - ``acwr_coupled``: mean of the last 7 days / mean of the last 28 days
      (which include those 7);
    - ``acwr_uncoupled``: mean of the last 7 days / mean of days 8-28;
    - ``acwr_ewma``: EWMA with ``lambda = 2/(N+1)``, N = 7 over N = 28
      (Williams et al. 2017), both starting from 0.

    A ratio is null where its chronic load is 0.

    References
    ----------
    docs/evidence.md ``acwr``: shown, not flagged by default; contested evidence.
    """
    if daily.height == 0:
        return schema.empty(schema.ACWR)
    df = load_column(seg.sort_by_athlete(daily), load).with_columns(_i=seg.row_index())
    x, i = pl.col("load"), pl.col("_i")
    # windows may reach into the previous athlete's rows only where i < chronic_days, which is
    # masked below (docs/evidence.md: hidden for the first 28 days, i.e. day indexes 0-27)
    acute = x.rolling_mean(acute_days)
    chronic = x.rolling_mean(chronic_days)
    older = x.shift(acute_days).rolling_mean(chronic_days - acute_days)
    e_acute = seg.ewm_from_zero(x, 2.0 / (acute_days + 1), i)
    e_chronic = seg.ewm_from_zero(x, 2.0 / (chronic_days + 1), i)
    ready = i >= chronic_days

    def ratio(num: pl.Expr, den: pl.Expr) -> pl.Expr:
        return pl.when(ready & (den > 0)).then(num / den)

    df = df.with_columns(
        acwr_coupled=ratio(acute, chronic),
        acwr_uncoupled=ratio(acute, older),
        acwr_ewma=ratio(e_acute, e_chronic),
    )
    return schema.conform(df.drop("load", "load_name", "_i"), schema.ACWR)


def monotony(
    daily: pl.DataFrame,
    *,
    load: str = "auto",
    days: int = 7,
    max_monotony: float = 10.0,
) -> pl.DataFrame:
    """Foster monotony and strain over the last ``days`` days, rest days as 0.

    ``monotony = mean / sd`` of the daily loads (sample standard deviation,
    ddof = 1, as a spreadsheet's STDEV); ``strain = sum of the loads x monotony``.
    Where the deviation is 0 (the same load every day) monotony is capped at
    ``max_monotony``, as is any larger value; 7 rest days give null.  Null
    until the athlete has ``days`` days of history.

    References
    ----------
    docs/evidence.md ``monotony``; Foster 1998.
    """
    if daily.height == 0:
        return schema.empty(schema.MONOTONY)
    df = load_column(daily.sort("athlete", "date"), load)
    x = pl.col("load")
    # per athlete (.over), so each athlete's rolling sums start afresh
    mean = x.rolling_mean(days, min_samples=days).over("athlete")
    sd = x.rolling_std(days, min_samples=days, ddof=1).over("athlete")
    total = x.rolling_sum(days, min_samples=days).over("athlete")
    # sd below 1e-9 x mean is 0 up to rounding: treat it as 0 and cap
    mono = (
        pl.when(mean.is_null() | (mean <= 0))
        .then(None)
        .when(sd <= mean * 1e-9)
        .then(pl.lit(max_monotony))
        .otherwise(pl.min_horizontal(mean / sd, pl.lit(max_monotony)))
    )
    df = df.with_columns(monotony=mono).with_columns(strain=total * pl.col("monotony"))
    return schema.conform(df.drop("load", "load_name"), schema.MONOTONY)
