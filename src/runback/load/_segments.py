"""Per-athlete window operations on frames sorted by athlete, then date.

``expr.over("athlete")`` hashes the athlete column every time it is used; on a
frame already sorted by athlete the same results come from plain column
operations plus a mask at the athlete boundaries, which is several times
faster for 1,000 athlete-years.  Every helper here assumes that sort order
(:func:`sort_by_athlete` makes sure of it).
"""

from __future__ import annotations

import polars as pl

__all__ = [
    "ewm_from_zero",
    "first_row",
    "row_index",
    "segment_sum",
    "shift",
    "sort_by_athlete",
]

KEY = "athlete"


def sort_by_athlete(df: pl.DataFrame, date: str = "date") -> pl.DataFrame:
    """``df`` sorted by athlete then ``date`` (returned as is when it already is)."""
    if df.height < 2:
        return df
    ok = df.select(
        (
            (pl.col(KEY) > pl.col(KEY).shift(1))
            | ((pl.col(KEY) == pl.col(KEY).shift(1)) & (pl.col(date) > pl.col(date).shift(1)))
        )
        .slice(1)
        .all()
    ).item()
    return df if ok else df.sort(KEY, date)


def first_row() -> pl.Expr:
    """True on each athlete's first row."""
    return (pl.col(KEY) != pl.col(KEY).shift(1)).fill_null(True)


def row_index() -> pl.Expr:
    """0-based row number within the athlete (the day index on a daily frame)."""
    n = pl.int_range(pl.len(), dtype=pl.Int64)
    start = pl.when(first_row()).then(n).otherwise(None).forward_fill()
    return n - start


def shift(x: pl.Expr, k: int, index: pl.Expr) -> pl.Expr:
    """``x`` from ``k`` rows earlier within the athlete; null for the first ``k`` rows."""
    return pl.when(index >= k).then(x.shift(k))


def segment_sum(x: pl.Expr) -> pl.Expr:
    """The athlete's total of ``x`` on every row of the athlete."""
    cs = x.fill_null(0).cum_sum()
    last = (pl.col(KEY) != pl.col(KEY).shift(-1)).fill_null(True)
    end = pl.when(last).then(cs).otherwise(None).backward_fill()
    before = pl.when(first_row()).then(cs - x.fill_null(0)).otherwise(None).forward_fill()
    return end - before


def ewm_from_zero(x: pl.Expr, alpha: float, index: pl.Expr) -> pl.Expr:
    """``y_t = y_{t-1} + alpha (x_t - y_{t-1})`` per athlete, with ``y_{-1} = 0``.

    One pass over the whole column (``g``, from 0 before the first row), then
    each athlete's start is corrected: ``y_t = g_t - g_{s-1} (1-alpha)^(t-s+1)``,
    with ``s`` the athlete's first row.
    """
    decay = 1.0 - alpha
    n = pl.int_range(pl.len(), dtype=pl.Int64).cast(pl.Float64)
    g = x.ewm_mean(alpha=alpha, adjust=False) - x.first() * decay ** (n + 1)
    carry = pl.when(first_row()).then(g.shift(1).fill_null(0.0)).otherwise(None).forward_fill()
    return g - carry * decay ** (index.cast(pl.Float64) + 1)
