"""The report's charts: plotly figures built from the model's frames.

Every builder takes frames already filtered to one athlete and the report
period, and a language; every word on a chart comes from :mod:`._i18n`.
Traces carry per-day or per-week values only (never per-sample), so two years
of daily runs stay small.
"""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from runback.load import daily_load, session_load, session_spikes
from runback.model import RULES_BY_ID
from runback.report._html import OKABE_ITO, base_layout, esc
from runback.report._i18n import fmt_date, rule_label, tr

# the bands of session_spikes (runback.load.rules), in the chart's order
SPIKE_BANDS: tuple[tuple[str, str, str], ...] = (
    # band, colour, marker symbol (shape as well as colour, for colour-blind readers)
    ("nobase", OKABE_ITO["grey"], "circle-open"),
    ("none", OKABE_ITO["blue"], "circle"),
    ("small", OKABE_ITO["yellow"], "square"),
    ("moderate", OKABE_ITO["orange"], "diamond"),
    ("large", OKABE_ITO["vermillion"], "triangle-up"),
)

# the flags made from the logged pain get their own marker on the timeline
PAIN_RULES = frozenset(rule.id for rule in RULES_BY_ID.values() if rule.about_pain)
# heuristic, weak-evidence load rules: drawn quieter
QUIET_RULES = frozenset(rule.id for rule in RULES_BY_ID.values() if rule.quiet)


def _iso(dates: pl.Series) -> list[str]:
    return [d.isoformat() for d in dates.to_list()]


def _nums(series: pl.Series, digits: int = 2) -> list[float | None]:
    # rounded plain lists: compact JSON, and no binary encoding that a reader cannot inspect
    return [None if v is None else round(float(v), digits) for v in series.to_list()]


def run_spikes(activities: pl.DataFrame, *, dates: pl.Series | None = None) -> pl.DataFrame:
    """Each run's distance against the longest run of the 30 days before it, as the load model computes it.

    The load model's :func:`runback.load.session_spikes` (the frame its
    session spike rule flags from) for activities alone, with the bands
    named as the chart names them.  The store-level report passes the frame
    the model computed with the runner's profile instead.

    Parameters
    ----------
    activities : pl.DataFrame
        ``schema.ACTIVITIES`` rows (full history, so the first runs of a
        report period still have their baseline).
    dates : pl.Series, optional
        The local calendar day of each activity (``runback.load.local_dates``,
        which honours the profile's time zone); default ``start_time_local``'s date.

    Returns
    -------
    pl.DataFrame
        ``activity_id, date, distance_m, baseline_m, ratio, band, flagged`` per
        run: ``baseline_m`` is the longest run on the 30 calendar days before
        the run's day (metres, null without a run in that window), ``ratio`` is
        ``distance_m / baseline_m - 1``, ``band`` one of nobase/none/small/
        moderate/large, ``flagged`` whether the rule flags the run.

    References
    ----------
    :func:`runback.load.session_spikes` (Frandsen et al. 2025).
    """
    sessions = session_load(activities, profiles={})
    if dates is not None:
        days = activities.select("activity_id", pl.Series("date", dates, dtype=pl.Date))
        sessions = sessions.drop("date").join(days, on="activity_id", how="left").sort("athlete", "date", "activity_id")
    return chart_spikes(session_spikes(sessions, daily_load(activities, sessions=sessions)))


def chart_spikes(spikes: pl.DataFrame) -> pl.DataFrame:
    """The model's ``session_spikes`` frame with the chart's band names (``nobase`` for ``no_baseline``)."""
    return spikes.select(
        "activity_id", "date", "distance_m", "baseline_m", "ratio",
        pl.col("band").replace({"no_baseline": "nobase"}), "flagged",
    )


# a week whose only flags rest on weak evidence or a rule of thumb: drawn quieter than an evidence-backed one
QUIET_WEEK = "#f3c98b"
# the smallest text a chart shows (px): plotly hides a bar label it would have to shrink below this
MIN_TEXT_PX = 11


def weekly_legend_html(lang: str) -> str:
    """The weekly chart's colours as an HTML legend above it (a plotly legend is cut off on a phone)."""
    items = (
        (OKABE_ITO["blue"], "", "week_plain"),
        (OKABE_ITO["vermillion"], " hatched", "flagged_week"),
        (QUIET_WEEK, "", "weak_week"),
    )
    spans = "".join(
        f'<span class="key{extra}" style="background:{colour}"></span>{esc(tr(key, lang))} '
        for colour, extra, key in items
    )
    return f'<p class="legend chart-legend">{spans}</p>\n'


def weekly_figure(
    weekly: pl.DataFrame, flagged_weeks: set[dt.date], *, lang: str, quiet_weeks: set[dt.date] | None = None
) -> go.Figure:
    """Weekly running distance as bars, intensity in a panel below.

    Weeks in ``flagged_weeks`` (an evidence-backed flag) are hatched vermillion; weeks in ``quiet_weeks``
    (only flags on weak evidence or a rule of thumb) are a pale orange, without hatching.  The colours are
    explained by :func:`weekly_legend_html` above the chart.
    """
    weekly = weekly.sort("week_start")
    km = weekly["run_distance_m"].fill_null(0.0) / 1000.0
    change = weekly["run_distance_change"].to_list()
    labels = ["" if c is None else f"{c * 100:+.0f}%".replace("-", "−") for c in change]
    flagged = [d in flagged_weeks for d in weekly["week_start"].to_list()]
    quiet = [d in (quiet_weeks or set()) and not f for d, f in zip(weekly["week_start"].to_list(), flagged)]
    x = _iso(weekly["week_start"])
    intensity_col, intensity_key = _intensity_column(weekly)
    rows = 2 if intensity_col else 1
    fig = make_subplots(
        rows=rows, cols=1, shared_xaxes=True, vertical_spacing=0.08,
        row_heights=[0.65, 0.35] if rows == 2 else [1.0],
    )
    fig.add_trace(
        go.Bar(
            x=x, y=_nums(km), name=tr("weekly_km", lang), text=labels, textposition="outside",
            cliponaxis=False, textfont={"size": MIN_TEXT_PX},
            marker={
                "color": [OKABE_ITO["vermillion"] if f else QUIET_WEEK if q else OKABE_ITO["blue"]
                          for f, q in zip(flagged, quiet)],
                "pattern": {"shape": ["/" if f else "" for f in flagged], "fgcolor": "#ffffff", "size": 6},
            },
            customdata=[
                [lab, tr("flagged_week", lang) if f else tr("weak_week", lang) if q else ""]
                for lab, f, q in zip(labels, flagged, quiet)
            ],
            hovertemplate=(
                f"{tr('week_of', lang)} %{{x|%d-%m-%Y}}<br>%{{y:.1f}} km<br>"
                f"{tr('change_prev', lang)}: %{{customdata[0]}}<br>%{{customdata[1]}}<extra></extra>"
            ),
            showlegend=False,
        ),
        row=1, col=1,
    )
    if intensity_col and intensity_key:
        fig.add_trace(
            go.Bar(
                x=x, y=_nums(weekly[intensity_col].fill_null(0.0), 1), name=tr(intensity_key, lang),
                marker={"color": OKABE_ITO["orange"]},
                hovertemplate=f"{tr('week_of', lang)} %{{x|%d-%m-%Y}}<br>%{{y:.0f}}<extra></extra>",
            ),
            row=2, col=1,
        )
        fig.update_yaxes(title_text="TRIMP" if intensity_key == "trimp" else tr("minutes", lang),
                         row=2, col=1)
    fig.update_yaxes(title_text=tr("km", lang), row=1, col=1)
    layout = base_layout(height=420 if rows == 2 else 320, lang=lang)
    layout.pop("xaxis")
    layout.pop("yaxis")
    # the colours are explained above the chart in HTML; a label too small to read is hidden (hover keeps it)
    fig.update_layout(**layout, bargap=0.15, barmode="overlay", showlegend=False,
                      uniformtext={"minsize": MIN_TEXT_PX, "mode": "hide"})
    return fig


def _intensity_column(weekly: pl.DataFrame) -> tuple[str | None, str | None]:
    """The weekly intensity to show: the model's high-intensity minutes (zones 4-5 where heart rate
    was recorded, above threshold pace where not: the intensity rule of docs/evidence.md), else zone 4-5
    minutes, else TRIMP, else nothing."""
    for col, key in (
        ("high_intensity_min", "high_intensity_min"),
        ("high_zone_min", "high_zone_min"),
        ("trimp_banister", "trimp"),
    ):
        if col in weekly.columns and (weekly[col].fill_null(0.0) > 0).any():
            return col, key
    return None, None


def spikes_figure(spikes: pl.DataFrame, *, lang: str) -> go.Figure:
    """Each run's distance, coloured and shaped by its band, over the 30-day longest run (flagged runs outlined)."""
    fig = go.Figure()
    spikes = spikes.sort("date")
    base = spikes.filter(pl.col("baseline_m").is_not_null())
    fig.add_trace(
        go.Scatter(
            x=_iso(base["date"]), y=_nums(base["baseline_m"] / 1000.0), name=tr("longest_30", lang),
            mode="lines", line={"color": OKABE_ITO["grey"], "width": 1.5, "shape": "hv", "dash": "dot"},
            hovertemplate="%{x|%d-%m-%Y}<br>%{y:.1f} km<extra></extra>",
        )
    )
    for band, colour, symbol in SPIKE_BANDS:
        part = spikes.filter(pl.col("band") == band)
        if part.is_empty():
            continue
        ratios = part["ratio"].to_list()
        flagged = part["flagged"].to_list()
        fig.add_trace(
            go.Scatter(
                x=_iso(part["date"]), y=_nums(part["distance_m"] / 1000.0), name=tr(f"band_{band}", lang),
                mode="markers",
                marker={"color": colour, "symbol": symbol, "size": 8,
                        "line": {"color": "#000000", "width": [1.5 if f else 0.5 for f in flagged]}},
                customdata=["–" if r is None else f"{r * 100:+.0f}%".replace("-", "−") for r in ratios],
                hovertemplate=(
                    f"%{{x|%d-%m-%Y}}<br>%{{y:.1f}} km<br>%{{customdata}} {tr('vs_longest', lang)}<extra></extra>"
                ),
            )
        )
    fig.update_layout(**base_layout(height=340, lang=lang))
    fig.update_yaxes(title_text=tr("km", lang), rangemode="tozero")
    return fig


def pain_timeline_figure(
    daily: pl.DataFrame,
    journal: pl.DataFrame,
    flags: pl.DataFrame,
    *,
    lang: str,
    wellness: pl.DataFrame | None = None,
) -> go.Figure:
    """Load, flags, pain, sleep and stress on one shared time axis (what a physiotherapist wants to see).

    ``wellness`` (the watch's nights) draws the device's hours of sleep beside the journal's.
    """
    device = (
        wellness.filter(pl.col("sleep_h").is_not_null()).sort("date")
        if wellness is not None and not wellness.is_empty()
        else None
    )
    has_sleep = bool(journal["sleep_h"].is_not_null().any()) or (device is not None and not device.is_empty())
    has_scales = journal["stress"].is_not_null().any() or journal["sleep_quality"].is_not_null().any()
    rows = 2 + int(has_sleep) + int(has_scales)
    heights = [0.32, 0.34] + [0.17] * (rows - 2)
    fig = make_subplots(rows=rows, cols=1, shared_xaxes=True, vertical_spacing=0.05, row_heights=heights)
    daily = daily.sort("date")
    km = daily["run_distance_m"].fill_null(0.0) / 1000.0
    fig.add_trace(
        go.Bar(x=_iso(daily["date"]), y=_nums(km), name=tr("km_day", lang), marker={"color": OKABE_ITO["blue"]},
               hovertemplate="%{x|%d-%m-%Y}<br>%{y:.1f} km<extra></extra>"),
        row=1, col=1,
    )
    if not flags.is_empty():
        top = max(float(km.max() or 0.0), 1.0) * 1.12  # type: ignore[arg-type]
        day_flags = flags.group_by("date").agg(pl.col("rule").unique().sort()).sort("date")
        texts = [", ".join(rule_label(r, lang) for r in rules) for rules in day_flags["rule"].to_list()]
        pain_flag = [bool(set(rules) & PAIN_RULES) for rules in day_flags["rule"].to_list()]
        # a day whose flags all rest on weak evidence or a rule of thumb: a paler marker
        quiet_day = [set(rules) <= QUIET_RULES for rules in day_flags["rule"].to_list()]
        # flags are stars (pain) and downward triangles (load): shapes no pain entry uses
        for is_pain, key, symbol, colour in (
            (False, "load_flag", "triangle-down", OKABE_ITO["vermillion"]),
            (True, "pain_flag", "star", OKABE_ITO["purple"]),
        ):
            keep = [p == is_pain for p in pain_flag]
            if not any(keep):
                continue
            dates = [d for d, k in zip(_iso(day_flags["date"]), keep) if k]
            colours = [QUIET_WEEK if q and not is_pain else colour for q, k in zip(quiet_day, keep) if k]
            fig.add_trace(
                go.Scatter(
                    x=dates, y=[top] * len(dates), name=tr(key, lang), mode="markers",
                    marker={"symbol": symbol, "size": 11, "color": colours},
                    text=[t for t, k in zip(texts, keep) if k], hovertemplate="%{x|%d-%m-%Y}<br>%{text}<extra></extra>",
                ),
                row=1, col=1,
            )
    journal = journal.sort("date", "time", nulls_last=False)
    symbols = {"during": "circle", "after": "square", "next_morning": "diamond", "other": "x"}
    for timing, symbol in symbols.items():
        part = journal.filter(pl.col("timing") == timing)
        if part.is_empty():
            continue
        fig.add_trace(
            go.Scatter(
                x=_iso(part["date"]), y=part["pain"].cast(pl.Float64).to_list(), mode="markers",
                name=tr(f"timing_{timing}", lang), marker={"symbol": symbol, "size": 8},
                hovertemplate=f"%{{x|%d-%m-%Y}}<br>{tr('pain', lang)}: %{{y}}<extra>{tr(f'timing_{timing}', lang)}</extra>",
            ),
            row=2, col=1,
        )
    # the daily maximum as a line that joins consecutive days only: a day without an entry is missing, not 0
    per_day = journal.filter(pl.col("pain").is_not_null()).group_by("date").agg(pl.col("pain").max()).sort("date")
    xs, ys = pain_line(per_day["date"].to_list(), per_day["pain"].to_list())
    fig.add_trace(
        go.Scatter(x=xs, y=ys, mode="lines", connectgaps=False, name=tr("pain_daily_max", lang),
                   line={"color": OKABE_ITO["black"], "width": 1}, showlegend=False, hoverinfo="skip"),
        row=2, col=1,
    )
    fig.update_yaxes(title_text=tr("km", lang), row=1, col=1, rangemode="tozero")
    fig.update_yaxes(title_text=tr("pain", lang), range=[-0.5, 10.5], row=2, col=1)
    row = 3
    if has_sleep:
        sleep = journal.filter(pl.col("sleep_h").is_not_null()).group_by("date").agg(pl.col("sleep_h").mean()).sort("date")
        if not sleep.is_empty():
            fig.add_trace(
                go.Bar(x=_iso(sleep["date"]), y=_nums(sleep["sleep_h"], 1), name=tr("sleep_h", lang),
                       marker={"color": OKABE_ITO["sky"]}, hovertemplate="%{x|%d-%m-%Y}<br>%{y:.1f} h<extra></extra>"),
                row=row, col=1,
            )
        if device is not None and not device.is_empty():
            # the watch's night beside what the runner logged: a line, so both stay visible
            fig.add_trace(
                go.Scatter(x=_iso(device["date"]), y=_nums(device["sleep_h"], 1), name=tr("sleep_h_device", lang),
                           mode="markers", marker={"color": OKABE_ITO["blue"], "symbol": "line-ew-open", "size": 10},
                           hovertemplate="%{x|%d-%m-%Y}<br>%{y:.1f} h<extra></extra>"),
                row=row, col=1,
            )
        fig.update_yaxes(title_text=tr("sleep_h", lang), rangemode="tozero", row=row, col=1)
        row += 1
    if has_scales:
        for col, key, colour, symbol in (
            ("stress", "stress", OKABE_ITO["vermillion"], "triangle-up"),
            ("sleep_quality", "sleep_quality", OKABE_ITO["green"], "circle"),
        ):
            part = journal.filter(pl.col(col).is_not_null()).group_by("date").agg(pl.col(col).mean()).sort("date")
            if part.is_empty():
                continue
            fig.add_trace(
                go.Scatter(x=_iso(part["date"]), y=_nums(part[col], 1), name=tr(key, lang), mode="lines+markers",
                           marker={"color": colour, "symbol": symbol, "size": 6}, line={"color": colour, "width": 1},
                           hovertemplate=f"%{{x|%d-%m-%Y}}<br>{tr(key, lang)}: %{{y}}<extra></extra>"),
                row=row, col=1,
            )
        fig.update_yaxes(title_text="1–5", range=[0.5, 5.5], row=row, col=1)
    layout = base_layout(height=260 + 130 * rows, lang=lang)
    layout.pop("xaxis")
    layout.pop("yaxis")
    fig.update_layout(**layout, bargap=0.1)
    return fig


def pain_line(days: list[dt.date], pains: list[int]) -> tuple[list[str | None], list[float | None]]:
    """x and y of a line through the daily pain that breaks wherever a day has no entry.

    Between two logged days more than one day apart a null point is put in,
    which plotly (``connectgaps=False``) draws as a break.
    """
    xs: list[str | None] = []
    ys: list[float | None] = []
    previous: dt.date | None = None
    for day, pain in zip(days, pains):
        if previous is not None and (day - previous).days > 1:
            xs.append((previous + dt.timedelta(days=1)).isoformat())
            ys.append(None)
        xs.append(day.isoformat())
        ys.append(float(pain))
        previous = day
    return xs, ys


def pain_vs_load_points(daily: pl.DataFrame, journal: pl.DataFrame) -> pl.DataFrame:
    """Each pain score with the distance run in the 7 days before its day (km).

    Returns ``date, pain, timing, km_7d``; entries before the first day of
    ``daily`` have no load history and are left out.
    """
    if journal.is_empty() or daily.is_empty():
        return pl.DataFrame(schema={"date": pl.Date, "pain": pl.Int8, "timing": pl.String, "km_7d": pl.Float64})
    km = (
        daily.select("date", (pl.col("run_distance_m").fill_null(0.0) / 1000.0).alias("km"))
        .sort("date")
        .with_columns(pl.col("km").rolling_sum_by("date", window_size="7d", closed="left").alias("km_7d"))
    )
    first = daily["date"].min()
    return (
        journal.filter(pl.col("date") > first)
        .join(km.select("date", "km_7d"), on="date", how="left")
        .filter(pl.col("km_7d").is_not_null())
        .select("date", "pain", "timing", "km_7d")
        .sort("date")
    )


def pain_vs_load_figure(points: pl.DataFrame, *, lang: str) -> go.Figure:
    """Pain score against the distance of the 7 days before it."""
    fig = go.Figure(
        go.Scatter(
            x=_nums(points["km_7d"], 1), y=points["pain"].cast(pl.Float64).to_list(), mode="markers",
            marker={"color": OKABE_ITO["purple"], "size": 8, "opacity": 0.75, "line": {"width": 0.5, "color": "#000"}},
            text=[fmt_date(d, lang) for d in points["date"].to_list()],
            hovertemplate=f"%{{text}}<br>%{{x:.1f}} km<br>{tr('pain', lang)}: %{{y}}<extra></extra>",
            showlegend=False,
        )
    )
    fig.update_layout(**base_layout(height=320, lang=lang))
    fig.update_xaxes(title_text=tr("painload_x", lang), rangemode="tozero")
    fig.update_yaxes(title_text=tr("pain", lang), range=[-0.5, 10.5])
    return fig


def _wrap(text: str, width: int = 14) -> str:
    """Break a label into lines of about ``width`` characters (plotly needs <br>)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def flagged_pain_figure(analysis: pl.DataFrame, *, lang: str) -> go.Figure | None:
    """Mean pain in the days after flagged sessions and after sessions without a flag, per rule.

    From the ``flag_vs_unflagged`` rows of ``runback.pain.pain_vs_load`` that
    had enough data; None when there are none.
    """
    rows = analysis.filter(
        pl.col("analysis") == "flag_vs_unflagged",
        pl.col("enough_data").fill_null(False),
        pl.col("mean_flagged").is_not_null(),
        pl.col("mean_unflagged").is_not_null(),
    ).sort(pl.col("rule") == "any", descending=True, maintain_order=True)
    if rows.is_empty():
        return None
    labels = [_wrap(tr("any_flag", lang) if r == "any" else rule_label(r, lang)) for r in rows["rule"].to_list()]
    top = max(float(rows["mean_flagged"].max() or 0), float(rows["mean_unflagged"].max() or 0))  # type: ignore[arg-type]
    fig = go.Figure()
    for col, n_col, key, colour, shape in (
        ("mean_flagged", "n_flagged", "after_flagged", OKABE_ITO["vermillion"], "/"),
        ("mean_unflagged", "n_unflagged", "after_unflagged", OKABE_ITO["blue"], ""),
    ):
        fig.add_trace(
            go.Bar(
                x=labels, y=_nums(rows[col]), name=tr(key, lang),
                marker={"color": colour, "pattern": {"shape": shape, "fgcolor": "#ffffff", "fillmode": "overlay"}},
                text=[f"n={v}" for v in rows[n_col].to_list()], textposition="outside", cliponaxis=False,
                hovertemplate=f"{tr(key, lang)}: %{{y:.1f}}/10<br>%{{text}}<extra></extra>",
            )
        )
    fig.update_layout(**base_layout(height=340, lang=lang), barmode="group")
    fig.update_layout(margin={"l": 48, "r": 12, "t": 56, "b": 64})
    # the 0-10 scale, cut to the data so small differences stay visible; the axis says so
    fig.update_yaxes(title_text=tr("mean_pain", lang), range=[0, min(10.0, max(2.0, top * 1.35))])
    return fig


def pmc_figure(pmc: pl.DataFrame, *, lang: str) -> go.Figure:
    """Fitness (CTL), fatigue (ATL) and form (TSB) over time."""
    pmc = pmc.sort("date")
    x = _iso(pmc["date"])
    fig = go.Figure()
    fig.add_trace(go.Bar(x=x, y=_nums(pmc["load"], 1), name=tr("load_day", lang),
                         marker={"color": "#d9d9d9"}, hovertemplate="%{x|%d-%m-%Y}<br>%{y:.0f}<extra></extra>"))
    for col, key, colour, dash in (
        ("ctl", "ctl", OKABE_ITO["blue"], "solid"),
        ("atl", "atl", OKABE_ITO["orange"], "solid"),
        ("tsb", "tsb", OKABE_ITO["green"], "dot"),
    ):
        fig.add_trace(go.Scatter(x=x, y=_nums(pmc[col], 1), name=tr(key, lang), mode="lines",
                                 line={"color": colour, "dash": dash, "width": 2},
                                 hovertemplate="%{x|%d-%m-%Y}<br>%{y:.1f}<extra></extra>"))
    fig.update_layout(**base_layout(height=340, lang=lang), bargap=0)
    fig.update_yaxes(title_text="TRIMP")
    return fig


def acwr_figure(acwr: pl.DataFrame, *, lang: str) -> go.Figure:
    """Acute:chronic ratios over time, without bands (they are contested)."""
    acwr = acwr.sort("date")
    x = _iso(acwr["date"])
    fig = go.Figure()
    for col, key, colour, dash in (
        ("acwr_ewma", "acwr_ewma", OKABE_ITO["purple"], "solid"),
        ("acwr_uncoupled", "acwr_uncoupled", OKABE_ITO["sky"], "dot"),
    ):
        if col in acwr.columns:
            fig.add_trace(go.Scatter(x=x, y=_nums(acwr[col], 2), name=tr(key, lang), mode="lines",
                                     line={"color": colour, "dash": dash, "width": 2}, connectgaps=False,
                                     hovertemplate="%{x|%d-%m-%Y}<br>%{y:.2f}<extra></extra>"))
    fig.update_layout(**base_layout(height=280, lang=lang))
    fig.update_yaxes(title_text=tr("ratio", lang), rangemode="tozero")
    return fig
