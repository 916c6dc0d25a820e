"""The load rules of EVIDENCE.md, each a pure function returning a FLAGS frame.

Every function takes frames from :mod:`runback.load.metrics` and returns rows
with exactly the columns of ``schema.FLAGS`` (``value`` a ratio or a count,
``threshold`` the lower edge of the band it fell in, ``baseline`` what it was
compared with).  Thresholds are keyword parameters whose defaults are
EVIDENCE.md's; their names are unique across rules, so :func:`runback.flags`
can pass ``**thresholds`` through.

A rule needs history to compare with: ``session_spike`` needs the full 30
days before a run inside the athlete's history, the weekly rules need full
ISO weeks before the week (see :func:`runback.load.weekly_load`).  So the
first weeks of a history raise no jump flags: there is nothing to jump from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import polars as pl

from runback import schema
from runback.load import messages as msg
from runback.load.pmc import acwr, load_column, monotony

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


def _frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    if not rows:
        return schema.empty(schema.FLAGS)
    return schema.conform(pl.DataFrame(rows, schema=schema.FLAGS), schema.FLAGS)


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
    EVIDENCE.md ``session_spike``; Frandsen et al., BJSM 2025.
    """
    _check_edges(spike_bands, "spike_bands")
    if sessions.height == 0 or daily.height == 0:
        return schema.empty(schema.FLAGS)
    base = daily.sort("athlete", "date").select(
        "athlete",
        "date",
        _base=pl.col("longest_run_m").shift(1).rolling_max(spike_window_days).over("athlete"),
    )
    runs = (
        sessions.filter(pl.col("is_run") & (pl.col("distance_m") > 0))
        .join(base, on=["athlete", "date"], how="inner")
        .filter(pl.col("_base").is_not_null())
        .with_columns(_ratio=pl.when(pl.col("_base") > 0).then(pl.col("distance_m") / pl.col("_base") - 1.0))
    )
    band, edge = _band_expr(pl.col("_ratio"), spike_bands, _BANDS3)
    runs = runs.with_columns(
        band=pl.when(pl.col("_base") <= 0).then(pl.lit("no_baseline")).otherwise(band), threshold=edge
    ).filter(pl.col("band").is_not_null())
    rows = []
    for r in runs.iter_rows(named=True):
        has_base = r["band"] != "no_baseline"
        en, nl = msg.session_spike_message(
            r["band"], r["distance_m"], r["_base"] if has_base else None, r["_ratio"]
        )
        rows.append(
            {
                "athlete": r["athlete"],
                "date": r["date"],
                "activity_id": r["activity_id"],
                "rule": "session_spike",
                "band": r["band"],
                "value": r["_ratio"],
                "threshold": r["threshold"],
                "baseline": r["_base"] if has_base else None,
                "message_en": en,
                "message_nl": nl,
                "evidence": msg.EVIDENCE["session_spike"],
            }
        )
    return _frame(rows)


def weekly_jump(
    weekly: pl.DataFrame,
    *,
    weekly_shown: float = 0.10,
    weekly_context: float = 0.30,
) -> pl.DataFrame:
    """Weekly running distance rising fast compared with the week before.

    ``value = D_week / D_previous_week - 1`` over ISO weeks; the mean of the 3
    previous weeks is reported alongside in the message.  Bands: 10-30%
    ``shown``, > 30% ``context`` (EVIDENCE.md: weak evidence, flagged as
    context).  ``date`` is the Monday of the week; ``baseline`` the previous
    week's distance, metres.

    References
    ----------
    EVIDENCE.md ``weekly_jump``; Nielsen et al. 2014; Buist et al. 2008.
    """
    if weekly.height == 0:
        return schema.empty(schema.FLAGS)
    band, edge = _band_expr(pl.col("run_distance_change"), (weekly_shown, weekly_context), ("shown", "context"))
    hits = weekly.with_columns(band=band, threshold=edge).filter(pl.col("band").is_not_null())
    rows = []
    for r in hits.iter_rows(named=True):
        ratio = r["run_distance_change"]
        prev_m = r["run_distance_m"] / (1.0 + ratio)
        vs3 = r["run_distance_vs_3wk"]
        mean3 = r["run_distance_m"] / (1.0 + vs3) if vs3 is not None else None
        en, nl = msg.weekly_jump_message(r["band"], r["week_start"], r["run_distance_m"], prev_m, ratio, vs3, mean3)
        rows.append(
            {
                "athlete": r["athlete"],
                "date": r["week_start"],
                "activity_id": None,
                "rule": "weekly_jump",
                "band": r["band"],
                "value": ratio,
                "threshold": r["threshold"],
                "baseline": prev_m,
                "message_en": en,
                "message_nl": nl,
                "evidence": msg.EVIDENCE["weekly_jump"],
            }
        )
    return _frame(rows)


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
    EVIDENCE.md ``intensity_jump`` (no direct evidence; weak).
    """
    _check_edges(intensity_bands, "intensity_bands")
    if weekly.height == 0:
        return schema.empty(schema.FLAGS)
    full = pl.col("days_covered") == 7
    full3 = (full.cast(pl.Int32).shift(1).rolling_sum(3).over("athlete") == 3).fill_null(False)
    hi_mean = pl.col("high_intensity_min").shift(1).rolling_mean(3).over("athlete")
    tpk_mean = pl.col("trimp_per_km").shift(1).rolling_mean(3).over("athlete")
    w = weekly.sort("athlete", "week_start").with_columns(
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
    rows = []
    for r in hits.iter_rows(named=True):
        en, nl = msg.intensity_jump_message(r["band"], r["week_start"], r["_measure"], r["_value"], r["_base"], r["_ratio"])
        rows.append(
            {
                "athlete": r["athlete"],
                "date": r["week_start"],
                "activity_id": None,
                "rule": "intensity_jump",
                "band": r["band"],
                "value": r["_ratio"],
                "threshold": r["threshold"],
                "baseline": r["_base"],
                "message_en": en,
                "message_nl": nl,
                "evidence": msg.EVIDENCE["intensity_jump"],
            }
        )
    return _frame(rows)


def no_rest(daily: pl.DataFrame, *, max_run_days: int = 7) -> pl.DataFrame:
    """Runs on ``max_run_days`` (7) or more consecutive days, i.e. no rest day in 7.

    One row per streak, dated the day the streak reaches ``max_run_days``;
    ``value`` is the streak's full length in days (up to the last day of data),
    ``threshold`` is ``max_run_days``.  A rest day is a day without a run.

    References
    ----------
    EVIDENCE.md ``no_rest`` (the seeds' advice; no study threshold; weak).
    """
    if daily.height == 0:
        return schema.empty(schema.FLAGS)
    d = daily.sort("athlete", "date").with_columns(
        _grp=pl.col("rest_day").cast(pl.Int32).cum_sum().over("athlete"),
        _last=pl.col("date").max().over("athlete"),
    )
    streaks = (
        d.filter(~pl.col("rest_day"))
        .group_by("athlete", "_grp")
        .agg(start=pl.col("date").min(), end=pl.col("date").max(), days=pl.len(), _last=pl.col("_last").first())
        .filter(pl.col("days") >= max_run_days)
        .sort("athlete", "start")
    )
    rows = []
    for r in streaks.iter_rows(named=True):
        en, nl = msg.no_rest_message(r["start"], r["days"], ongoing=r["end"] == r["_last"])
        rows.append(
            {
                "athlete": r["athlete"],
                "date": r["start"] + dt.timedelta(days=max_run_days - 1),
                "activity_id": None,
                "rule": "no_rest",
                "band": f"{max_run_days}+_days",
                "value": float(r["days"]),
                "threshold": float(max_run_days),
                "baseline": None,
                "message_en": en,
                "message_nl": nl,
                "evidence": msg.EVIDENCE["no_rest"],
            }
        )
    return _frame(rows)


def monotony_rule(
    daily: pl.DataFrame,
    *,
    monotony_cutoff: float = 2.0,
    monotony_percentile: float = 0.90,
    monotony_min_weeks: int = 8,
    monotony_load: str = "auto",
) -> pl.DataFrame:
    """Weeks with a very even daily load (Foster monotony above the threshold).

    Monotony is taken over each ISO week (Monday to Sunday, rest days as 0; see
    :func:`runback.load.monotony`).  The threshold is the runner's own
    ``monotony_percentile`` of their weekly monotony where they have at least
    ``monotony_min_weeks`` weeks and it lies above ``monotony_cutoff``
    (band ``above_own_p90``), else the common cut-off 2.0 (band ``above_cutoff``).
    ``date`` is the Monday of the week; ``baseline`` the runner's median weekly
    monotony.

    References
    ----------
    EVIDENCE.md ``monotony``; Foster 1998.
    """
    if daily.height == 0:
        return schema.empty(schema.FLAGS)
    mono = monotony(daily, load=monotony_load)
    names = load_column(daily, monotony_load).group_by("athlete").agg(load_name=pl.col("load_name").first())
    weeks = (
        mono.filter((pl.col("date").dt.weekday() == 7) & pl.col("monotony").is_not_null())
        .join(names, on="athlete", how="left")
        .with_columns(
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
        .sort("athlete", "date")
    )
    rows = []
    for r in weeks.iter_rows(named=True):
        week_start = r["date"] - dt.timedelta(days=6)
        en, nl = msg.monotony_message(r["band"], week_start, r["monotony"], r["threshold"], r["load_name"])
        rows.append(
            {
                "athlete": r["athlete"],
                "date": week_start,
                "activity_id": None,
                "rule": "monotony",
                "band": r["band"],
                "value": r["monotony"],
                "threshold": r["threshold"],
                "baseline": r["_median"],
                "message_en": en,
                "message_nl": nl,
                "evidence": msg.EVIDENCE["monotony"],
            }
        )
    return _frame(rows)


def acwr_rule(daily: pl.DataFrame, *, acwr_high: float = 1.5, acwr_load: str = "auto") -> pl.DataFrame:
    """Days where the EWMA acute:chronic ratio reaches ``acwr_high`` (opt-in only).

    One row per athlete per ISO week: the day with the highest ratio that week.
    Not part of the default flags: EVIDENCE.md calls the evidence weak and
    contested.  ``baseline`` is 1.0 (acute load equal to chronic load).

    References
    ----------
    EVIDENCE.md ``acwr``; Williams et al. 2017.
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
    rows = []
    for r in hits.iter_rows(named=True):
        en, nl = msg.acwr_message(r["date"], r["acwr_ewma"], acwr_high)
        rows.append(
            {
                "athlete": r["athlete"],
                "date": r["date"],
                "activity_id": None,
                "rule": "acwr",
                "band": "high",
                "value": r["acwr_ewma"],
                "threshold": acwr_high,
                "baseline": 1.0,
                "message_en": en,
                "message_nl": nl,
                "evidence": msg.EVIDENCE["acwr"],
            }
        )
    return _frame(rows)


#: rule id -> function, in the order flags() runs them
RULES: dict[str, Callable[..., pl.DataFrame]] = {
    "session_spike": session_spike,
    "weekly_jump": weekly_jump,
    "intensity_jump": intensity_jump,
    "no_rest": no_rest,
    "monotony": monotony_rule,
    "acwr": acwr_rule,
}
