"""Numbers, dates and percentages in English and Dutch: the one place runback formats text.

Flag messages (polars expressions over many rows) and the reports (Python
values) share these functions, so ``12.5 km`` / ``12,5 km``, ``1,234`` /
``1.234`` and ``4 March 2024`` / ``4 maart 2024`` read the same everywhere.
Every function takes a ``lang`` of ``"en"`` or ``"nl"``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import overload

import polars as pl

__all__ = [
    "DAYS",
    "MONTHS",
    "SHORT_DAYS",
    "SHORT_MONTHS",
    "cat",
    "fmt_date",
    "fmt_date_short",
    "fmt_g",
    "fmt_num",
    "fmt_pct",
    "km",
    "pct",
    "pick",
]

Part = str | pl.Expr

MONTHS: dict[str, tuple[str, ...]] = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"),
}
SHORT_MONTHS: dict[str, tuple[str, ...]] = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "nl": ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
}
# Monday first, as ISO weeks are
DAYS: dict[str, tuple[str, ...]] = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
}
SHORT_DAYS: dict[str, tuple[str, ...]] = {
    "en": ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"),
    "nl": ("ma", "di", "wo", "do", "vr", "za", "zo"),
}


def cat(*parts: Part) -> pl.Expr:
    """Concatenate literal text and string expressions."""
    return pl.concat_str([pl.lit(p) if isinstance(p, str) else p for p in parts])


def pick(cases: Sequence[tuple[pl.Expr, Part]], default: Part) -> pl.Expr:
    """The text of the first true condition, else ``default``."""
    out = pl.lit(default) if isinstance(default, str) else default
    for cond, text in reversed(cases):
        out = pl.when(cond).then(pl.lit(text) if isinstance(text, str) else text).otherwise(out)
    return out


def _missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


@overload
def fmt_num(x: pl.Expr, lang: str, digits: int = 1) -> pl.Expr: ...
@overload
def fmt_num(x: float | None, lang: str, digits: int = 1) -> str: ...
def fmt_num(x: pl.Expr | float | None, lang: str, digits: int = 1) -> pl.Expr | str:
    """``x`` rounded to ``digits`` decimals: 1,234.5 (en) or 1.234,5 (nl); ``–`` for a missing value.

    ``x`` is a number (gives a string) or a polars expression (gives a string
    expression, exact up to 999,999).
    """
    thousands, decimal = (".", ",") if lang == "nl" else (",", ".")
    if not isinstance(x, pl.Expr):
        if _missing(x):
            return "–"
        text = f"{x:,.{digits}f}"
        return text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)
    scale = 10**digits
    v = (x * scale).round(0).cast(pl.Int64)
    sign = pl.when(v < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    v = v.abs()
    whole = v // scale
    whole_s = (
        pl.when(whole >= 1000)
        .then(cat((whole // 1000).cast(pl.String), thousands, (whole % 1000).cast(pl.String).str.zfill(3)))
        .otherwise(whole.cast(pl.String))
    )
    if digits == 0:
        return cat(sign, whole_s)
    return cat(sign, whole_s, decimal, (v % scale).cast(pl.String).str.zfill(digits))


def fmt_g(x: float, lang: str) -> str:
    """A number without trailing zeros (``7``, ``6.5`` / ``6,5``)."""
    text = f"{x:g}"
    return text.replace(".", ",") if lang == "nl" else text


@overload
def fmt_date(d: pl.Expr, lang: str) -> pl.Expr: ...
@overload
def fmt_date(d: dt.date, lang: str) -> str: ...
def fmt_date(d: pl.Expr | dt.date, lang: str) -> pl.Expr | str:
    """4 March 2024 (en) or 4 maart 2024 (nl), for a date or a polars date expression."""
    if not isinstance(d, pl.Expr):
        return f"{d.day} {MONTHS[lang][d.month - 1]} {d.year}"
    months = dict(enumerate(MONTHS[lang], start=1))
    month = d.dt.month().cast(pl.Int64).replace_strict(months, return_dtype=pl.String)
    return cat(d.dt.day().cast(pl.String), " ", month, " ", d.dt.year().cast(pl.String))


def fmt_date_short(day: dt.date, lang: str, *, year: bool = True) -> str:
    """``3 Mar 2024`` / ``3 mrt 2024`` (the reports' tables and charts)."""
    text = f"{day.day} {SHORT_MONTHS[lang][day.month - 1]}"
    return f"{text} {day.year}" if year else text


def fmt_pct(ratio: float | None, lang: str) -> str:
    """A change ratio (0.35) as ``+35%`` (a true minus sign for falls); ``–`` for a missing value."""
    if ratio is None or _missing(ratio):
        return "–"
    return f"{ratio * 100:+.0f}%".replace("-", "−")


def pct(ratio: pl.Expr) -> pl.Expr:
    """A ratio expression (0.35) as ``35%``."""
    return cat((ratio * 100).round(0).cast(pl.Int64).cast(pl.String), "%")


def km(metres: pl.Expr, lang: str) -> pl.Expr:
    """Metres as ``12.5 km`` / ``12,5 km``."""
    return cat(fmt_num(metres / 1000.0, lang), " km")
