"""The load rules of docs/evidence.md, each a pure function returning a FLAGS frame.

Every function takes frames from :mod:`runback.load.metrics` and returns rows
with exactly the columns of ``schema.FLAGS`` (``value`` a ratio or a count,
``threshold`` the lower edge of the band it fell in, ``baseline`` what it was
compared with).  Thresholds are keyword parameters whose defaults are
docs/evidence.md's; their names are unique across rules, so :func:`runback.flags`
can pass ``**thresholds`` through.

A rule needs history to compare with: ``session_spike`` needs the full 30
days before a run inside the athlete's history, the weekly rules need full
ISO weeks before the week (see :func:`runback.load.weekly_load`).  So the
first weeks of a history raise no jump flags: there is nothing to jump from.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import polars as pl

from runback import schema
from runback.load import _segments as seg
from runback.load import messages as msg
from runback.load.pmc import MAX_MONOTONY, acwr, load_column

__all__ = [
    "RULES",
    "acwr_rule",
    "intensity_jump",
    "monotony_rule",
    "no_rest",
    "session_spike",
    "weekly_jump",
]

_BANDS3 = ("small", "moderate", "large")
_EPS = 1e-9


def _finish(df: pl.DataFrame, rule: str, message: tuple[pl.Expr, pl.Expr], **cols: Any) -> pl.DataFrame:
    """Select the FLAGS columns from a rule's candidate rows.

    ``cols`` maps FLAGS column names to expressions (``activity_id`` and
    ``baseline`` default to null); the evidence text is the rule's.
    """
    exprs = {
        **cols,
        "rule": pl.lit(rule),
        "message_en": message[0],
        "message_nl": message[1],
        "evidence": pl.lit(msg.EVIDENCE[rule]),
    }
    return df.select(
        [
            (exprs[name] if name in exprs else pl.lit(None)).cast(dtype).alias(name)
            for name, dtype in schema.FLAGS.items()
        ]
    )


def _band_expr(x: pl.Expr, edges: Sequence[float], names: Sequence[str]) -> tuple[pl.Expr, pl.Expr]:
    """(band name, lower edge) of ``x`` for ascending ``edges``; null up to the first edge.

    A band starts strictly above its edge ("<= 10% none"); the 1e-9 slack keeps a
    ratio like 11 km / 10 km - 1 = 0.10000000000000009 at exactly 10%.
    """
    band: Any = pl.lit(None, pl.String)
    edge: Any = pl.lit(None, pl.Float64)
    for e, name in zip(edges, names, strict=True):
        above = x > e + _EPS
        band = pl.when(above).then(pl.lit(name)).otherwise(band)
        edge = pl.when(above).then(pl.lit(float(e))).otherwise(edge)
    return band, edge


def _check_edges(edges: Sequence[float], name: str) -> None:
    if len(edges) != 3 or list(edges) != sorted(edges):
        raise ValueError(f"{name} must be three ascending ratios, e.g. (0.10, 0.30, 1.00); got {edges!r}")


def session_spike(
    sessions: pl.DataFrame,
    daily: pl.DataFrame,
    *,
    spike_window_days: int = 30,
    spike_bands: Sequence[float] = (0.10, 0.30, 1.00),
) -> pl.DataFrame:
    """Runs much longer than the longest run of the previous 30 days.

    ``value = d_run / max(d of runs in the previous 30 days) - 1``; the window
    is the 30 calendar days before the run's day (other runs on the same day do
    not count).  Bands: <= 10% none, 10-30% small, 30-100% moderate, > 100%
    large.  Where the window holds no run: band ``no_baseline``, no number.
    Runs whose 30-day window reaches before the athlete's first activity are
    not judged (the store does not know what came before).

    Parameters
    ----------
    sessions
        :func:`runback.load.metrics.session_load`.
    daily
        :func:`runback.load.daily_load`.
    spike_window_days
        Length of the comparison window, days.
    spike_bands
        Lower edges of the small, moderate and large bands (ratios).

    References
    ----------
    docs/evidence.md ``session_spike``; Frandsen et al., BJSM 2025.
    """
    _check_edges(spike_bands, "spike_bands")
    if sessions.height == 0 or daily.height == 0:
        return schema.empty(schema.FLAGS)
    base = seg.sort_by_athlete(daily).with_columns(_i=seg.row_index())
    base = base.with_columns(
        _base=pl.when(pl.col("_i") >= spike_window_days).then(
            pl.col("longest_run_m").shift(1).rolling_max(spike_window_days)
        ),
    )
    # days whose longest run passes the first band edge, or with no run in the window: the
    # few candidates, so only they are joined back to the sessions
    first_edge = spike_bands[0] + _EPS
    days = base.filter(
        pl.col("_base").is_not_null()
        & (pl.col("n_runs") > 0)
        & ((pl.col("_base") <= 0) | (pl.col("longest_run_m") > pl.col("_base") * (1 + first_edge)))
    ).select("athlete", "date", "_base")
    runs = (
        sessions.filter(pl.col("is_run") & (pl.col("distance_m") > 0))
        .join(days, on=["athlete", "date"], how="inner")
        .with_columns(_ratio=pl.when(pl.col("_base") > 0).then(pl.col("distance_m") / pl.col("_base") - 1.0))
    )
    band, edge = _band_expr(pl.col("_ratio"), spike_bands, _BANDS3)
    runs = runs.with_columns(
        band=pl.when(pl.col("_base") <= 0).then(pl.lit("no_baseline")).otherwise(band),
        threshold=edge,
        baseline=pl.when(pl.col("_base") > 0).then(pl.col("_base")),
    ).filter(pl.col("band").is_not_null())
    message = msg.session_spike_message(pl.col("band"), pl.col("distance_m"), pl.col("baseline"), pl.col("_ratio"))
    return _finish(
        runs,
        "session_spike",
        message,
        athlete=pl.col("athlete"),
        date=pl.col("date"),
        activity_id=pl.col("activity_id"),
        band=pl.col("band"),
        value=pl.col("_ratio"),
        threshold=pl.col("threshold"),
        baseline=pl.col("baseline"),
    )


def weekly_jump(
    weekly: pl.DataFrame,
    *,
    weekly_shown: float = 0.10,
    weekly_context: float = 0.30,
) -> pl.DataFrame:
    """Weekly running distance rising fast compared with the week before.

    ``value = D_week / D_previous_week - 1`` over ISO weeks; the mean of the 3
    previous weeks is reported alongside in the message.  Bands: 10-30%
    ``shown``, > 30% ``context`` (docs/evidence.md: weak evidence, flagged as
    context).  ``date`` is the Monday of the week; ``baseline`` the previous
    week's distance, metres.

    References
    ----------
    docs/evidence.md ``weekly_jump``; Nielsen et al. 2014; Buist et al. 2008.
    """
    if weekly.height == 0:
        return schema.empty(schema.FLAGS)
    band, edge = _band_expr(pl.col("run_distance_change"), (weekly_shown, weekly_context), ("shown", "context"))
    hits = weekly.with_columns(band=band, threshold=edge).filter(pl.col("band").is_not_null())
    hits = hits.with_columns(
        _prev=pl.col("run_distance_m") / (1.0 + pl.col("run_distance_change")),
        _mean3=pl.col("run_distance_m") / (1.0 + pl.col("run_distance_vs_3wk")),
    )
    message = msg.weekly_jump_message(
        pl.col("band"),
        pl.col("week_start"),
        pl.col("run_distance_m"),
        pl.col("_prev"),
        pl.col("run_distance_change"),
        pl.col("run_distance_vs_3wk"),
        pl.col("_mean3"),
    )
    return _finish(
        hits,
        "weekly_jump",
        message,
        athlete=pl.col("athlete"),
        date=pl.col("week_start"),
        band=pl.col("band"),
        value=pl.col("run_distance_change"),
        threshold=pl.col("threshold"),
        baseline=pl.col("_prev"),
    )


def intensity_jump(
    weekly: pl.DataFrame,
    *,
    intensity_bands: Sequence[float] = (0.10, 0.30, 1.00),
    intensity_min_baseline_min: float = 10.0,
) -> pl.DataFrame:
    """Weekly intensity rising fast compared with the mean of the 3 weeks before.

    Two measures, each ``this week / mean of the 3 previous full weeks - 1``:
    minutes in heart-rate zones 4-5 (minutes faster than threshold pace for
    runs without heart rate; ``high_intensity_min``), and Banister TRIMP per km.
    The larger rise is reported (one row per week).  A minutes baseline below
    ``intensity_min_baseline_min`` is too small to compare with.  Bands as
    ``session_spike``, labelled a heuristic in the message and evidence.
    ``baseline`` is the 3-week mean of the measure reported.

    References
    ----------
    docs/evidence.md ``intensity_jump`` (no direct evidence; weak).
    """
    _check_edges(intensity_bands, "intensity_bands")
    if weekly.height == 0:
        return schema.empty(schema.FLAGS)
    full = pl.col("days_covered") == 7
    i = pl.col("_i")
    full3 = ((i >= 3) & (full.cast(pl.Int32).shift(1).rolling_sum(3) == 3)).fill_null(False)
    hi_mean = pl.col("high_intensity_min").shift(1).rolling_mean(3)
    tpk_mean = pl.col("trimp_per_km").shift(1).rolling_mean(3)
    w = seg.sort_by_athlete(weekly, "week_start").with_columns(_i=seg.row_index()).with_columns(
        _hi_base=pl.when(full3 & (hi_mean >= intensity_min_baseline_min)).then(hi_mean),
        _tpk_base=pl.when(full3 & (tpk_mean > 0)).then(tpk_mean),
    ).with_columns(
        _hi_ratio=pl.col("high_intensity_min") / pl.col("_hi_base") - 1.0,
        _tpk_ratio=pl.col("trimp_per_km") / pl.col("_tpk_base") - 1.0,
    )
    use_tpk = pl.col("_tpk_ratio").is_not_null() & (
        pl.col("_hi_ratio").is_null() | (pl.col("_tpk_ratio") > pl.col("_hi_ratio"))
    )
    w = w.with_columns(
        _measure=pl.when(use_tpk).then(pl.lit("trimp_per_km")).otherwise(pl.lit("high_intensity_min")),
        _ratio=pl.when(use_tpk).then(pl.col("_tpk_ratio")).otherwise(pl.col("_hi_ratio")),
        _value=pl.when(use_tpk).then(pl.col("trimp_per_km")).otherwise(pl.col("high_intensity_min")),
        _base=pl.when(use_tpk).then(pl.col("_tpk_base")).otherwise(pl.col("_hi_base")),
    )
    band, edge = _band_expr(pl.col("_ratio"), intensity_bands, _BANDS3)
    hits = w.with_columns(band=band, threshold=edge).filter(pl.col("band").is_not_null())
    message = msg.intensity_jump_message(
        pl.col("week_start"), pl.col("_measure"), pl.col("_value"), pl.col("_base"), pl.col("_ratio")
    )
    return _finish(
        hits,
        "intensity_jump",
        message,
        athlete=pl.col("athlete"),
        date=pl.col("week_start"),
        band=pl.col("band"),
        value=pl.col("_ratio"),
        threshold=pl.col("threshold"),
        baseline=pl.col("_base"),
    )


def no_rest(daily: pl.DataFrame, *, max_run_days: int = 7) -> pl.DataFrame:
    """Runs on ``max_run_days`` (7) or more consecutive days, i.e. no rest day in 7.

    One row per streak, dated the day the streak reaches ``max_run_days``;
    ``value`` is the streak's full length in days (up to the last day of data),
    ``threshold`` is ``max_run_days``.  A rest day is a day without a run.

    References
    ----------
    docs/evidence.md ``no_rest`` (the physiotherapy guidance; no study threshold; weak).
    """
    if daily.height == 0:
        return schema.empty(schema.FLAGS)
    last_row = (pl.col("athlete") != pl.col("athlete").shift(-1)).fill_null(True)
    d = seg.sort_by_athlete(daily).with_columns(
        # streaks are split by rest days, and by athlete in the group_by below
        _grp=pl.col("rest_day").cast(pl.Int32).cum_sum(),
        _last=pl.when(last_row).then(pl.col("date")).otherwise(None).backward_fill(),
    )
    streaks = (
        d.filter(~pl.col("rest_day"))
        .group_by("athlete", "_grp")
        .agg(start=pl.col("date").min(), end=pl.col("date").max(), days=pl.len(), _last=pl.col("_last").first())
        .filter(pl.col("days") >= max_run_days)
        .sort("athlete", "start")
    )
    message = msg.no_rest_message(pl.col("start"), pl.col("days"), pl.col("end") == pl.col("_last"))
    return _finish(
        streaks,
        "no_rest",
        message,
        athlete=pl.col("athlete"),
        date=pl.col("start") + pl.duration(days=max_run_days - 1),
        band=pl.lit(f"{max_run_days}+_days"),
        value=pl.col("days"),
        threshold=pl.lit(float(max_run_days)),
    )


def monotony_rule(
    daily: pl.DataFrame,
    *,
    monotony_cutoff: float = 2.0,
    monotony_percentile: float = 0.90,
    monotony_min_weeks: int = 8,
    monotony_load: str = "auto",
) -> pl.DataFrame:
    """Weeks with a very even daily load (Foster monotony above the threshold).

    Monotony is taken over each whole ISO week (Monday to Sunday, rest days as 0,
    sd = 0 capped at 10 as in :func:`runback.load.monotony`).  The threshold is the runner's own
    ``monotony_percentile`` of their weekly monotony where they have at least
    ``monotony_min_weeks`` weeks and it lies above ``monotony_cutoff``
    (band ``above_own_p90``), else the common cut-off 2.0 (band ``above_cutoff``).
    ``date`` is the Monday of the week; ``baseline`` the runner's median weekly
    monotony.

    References
    ----------
    docs/evidence.md ``monotony``; Foster 1998.
    """
    if daily.height == 0:
        return schema.empty(schema.FLAGS)
    loads = load_column(seg.sort_by_athlete(daily), monotony_load)
    x = pl.col("load")
    per_week = (
        loads.with_columns(week_start=pl.col("date") - pl.duration(days=pl.col("date").dt.weekday() - 1))
        .group_by("athlete", "week_start")
        .agg(_days=pl.len(), _mean=x.mean(), _sd=x.std(ddof=1), load_name=pl.col("load_name").first())
        # whole ISO weeks inside the history with some load (as monotony(): 7 rest days say nothing)
        .filter((pl.col("_days") == 7) & (pl.col("_mean") > 0))
        .with_columns(
            monotony=pl.when(pl.col("_sd") <= pl.col("_mean") * 1e-9)
            .then(pl.lit(MAX_MONOTONY))
            .otherwise(pl.min_horizontal(pl.col("_mean") / pl.col("_sd"), pl.lit(MAX_MONOTONY)))
        )
    )
    weeks = (
        per_week.with_columns(
            _n=pl.len().over("athlete"),
            _p=pl.col("monotony").quantile(monotony_percentile, interpolation="linear").over("athlete"),
            _median=pl.col("monotony").median().over("athlete"),
        )
        .with_columns(
            _own=(pl.col("_n") >= monotony_min_weeks) & (pl.col("_p") > monotony_cutoff),
        )
        .with_columns(
            threshold=pl.when(pl.col("_own")).then(pl.col("_p")).otherwise(pl.lit(monotony_cutoff)),
            band=pl.when(pl.col("_own")).then(pl.lit("above_own_p90")).otherwise(pl.lit("above_cutoff")),
        )
        .filter(pl.col("monotony") > pl.col("threshold") + _EPS)
        .sort("athlete", "week_start")
    )
    week_start = pl.col("week_start")
    message = msg.monotony_message(
        pl.col("band"), week_start, pl.col("monotony"), pl.col("threshold"), pl.col("load_name")
    )
    return _finish(
        weeks,
        "monotony",
        message,
        athlete=pl.col("athlete"),
        date=week_start,
        band=pl.col("band"),
        value=pl.col("monotony"),
        threshold=pl.col("threshold"),
        baseline=pl.col("_median"),
    )


def acwr_rule(daily: pl.DataFrame, *, acwr_high: float = 1.5, acwr_load: str = "auto") -> pl.DataFrame:
    """Days where the EWMA acute:chronic ratio reaches ``acwr_high`` (opt-in only).

    One row per athlete per ISO week: the day with the highest ratio that week.
    Not part of the default flags: docs/evidence.md calls the evidence weak and
    contested.  ``baseline`` is 1.0 (acute load equal to chronic load).

    References
    ----------
    docs/evidence.md ``acwr``; Williams et al. 2017.
    """
    if daily.height == 0:
        return schema.empty(schema.FLAGS)
    ratios = acwr(daily, load=acwr_load)
    hits = (
        ratios.filter(pl.col("acwr_ewma") >= acwr_high)
        .with_columns(_wk=pl.col("date") - pl.duration(days=pl.col("date").dt.weekday() - 1))
        .sort("athlete", "_wk", "acwr_ewma", "date", descending=[False, False, True, False])
        .unique(["athlete", "_wk"], keep="first", maintain_order=True)
    )
    message = msg.acwr_message(pl.col("date"), pl.col("acwr_ewma"), pl.lit(acwr_high))
    return _finish(
        hits,
        "acwr",
        message,
        athlete=pl.col("athlete"),
        date=pl.col("date"),
        band=pl.lit("high"),
        value=pl.col("acwr_ewma"),
        threshold=pl.lit(acwr_high),
        baseline=pl.lit(1.0),
    )


#: rule id -> function, in the order flags() runs them
RULES: dict[str, Callable[..., pl.DataFrame]] = {
    "session_spike": session_spike,
    "weekly_jump": weekly_jump,
    "intensity_jump": intensity_jump,
    "no_rest": no_rest,
    "monotony": monotony_rule,
    "acwr": acwr_rule,
}
