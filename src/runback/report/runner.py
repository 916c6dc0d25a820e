"""A runner's report: one self-contained HTML page.

:func:`build_runner_report` is a pure function from the model's frames to
HTML; :func:`runner_report` and :func:`write_runner_report` read a store, run
the load model and the pain journal, and call it.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from pathlib import Path
from typing import Any

import polars as pl

from runback import schema
from runback._version import __version__
from runback.days import week_start
from runback.errors import FileError, OptionError
from runback.files import write_atomic
from runback.load import local_dates
from runback.load.profile import Profile
from runback.model import EVENT_SPANS, RULES, RULES_BY_ID, event_before_pain, load_events
from runback.report import _charts
from runback.report._html import Page, esc
from runback.report._i18n import (
    ADVICE,
    DAYS,
    EVIDENCE_NL,
    LANGS,
    MONTHS,
    SHORT_DAYS,
    SPIKE_WINDOW_DAYS,
    band_label,
    estimate_method,
    fmt_date,
    fmt_num,
    fmt_pace,
    fmt_pct,
    rule_label,
    tr,
)
from runback.report._inputs import open_any_store, report_inputs, resolve_athlete
from runback.sports import running_activity

STATUS_DAYS = 14

# How much a flag weighs in a status (higher first), from the rules' declarations: pain that
# lasts or hurts most, then the rules with moderate evidence and the largest bands.
RULE_SEVERITY: dict[str, int] = {rule.id: rule.severity for rule in RULES}
BAND_SEVERITY: dict[str, int] = {band: spec.severity for rule in RULES for band, spec in rule.bands.items()}
# rows the rules report for completeness, not as a flag that fired (a 10-30% weekly rise is
# "shown", a run without a baseline has no number)
INFO_BANDS = frozenset(band for rule in RULES for band, spec in rule.bands.items() if spec.info)
# rules shown on request, never flagged in a status (the acute:chronic ratio)
OPT_IN_RULES = frozenset(rule.id for rule in RULES if not rule.default)

# rules whose value is a change ratio (0.35 = 35% more)
RATIO_RULES = frozenset(rule.id for rule in RULES if rule.ratio)
# heuristic, weak-evidence load rules: drawn quieter than the evidence-backed ones
QUIET_RULES = frozenset(rule.id for rule in RULES if rule.quiet)
# rules that lead the status whenever they fire (high pain, pain rising over days)
LEAD_RULES = frozenset(rule.id for rule in RULES if rule.leads)
# rules whose baseline is a distance in metres
METRE_BASELINES = frozenset(rule.id for rule in RULES if rule.baseline_unit == "m")


# --------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------
def check_lang(lang: str) -> str:
    """``lang`` if the reports speak it, else an OptionError naming the choices."""
    if lang not in LANGS:
        raise OptionError(f"unknown language {lang!r}: choose one of {', '.join(LANGS)}")
    return lang


def as_date(value: dt.date | dt.datetime | str | None) -> dt.date | None:
    """A date from a date, datetime or ``YYYY-MM-DD`` string (None stays None)."""
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise OptionError(f"not a date (YYYY-MM-DD): {value!r}") from exc


def severity_expr() -> pl.Expr:
    """Sort key for flags, most severe highest: rule weight then band weight."""
    rule = pl.col("rule").replace_strict(RULE_SEVERITY, default=1, return_dtype=pl.Int32)
    band = pl.col("band").replace_strict(BAND_SEVERITY, default=0, return_dtype=pl.Int32)
    return (rule * 10 + band).alias("severity")


def fired(flags: pl.DataFrame) -> pl.DataFrame:
    """The rows that are flags that fired: without ``OPT_IN_RULES`` (shown, never flagged) and ``INFO_BANDS``."""
    return flags.filter(
        ~pl.col("rule").is_in(OPT_IN_RULES), ~pl.col("band").is_in(list(INFO_BANDS)).fill_null(False)
    )


def recent_flags(flags: pl.DataFrame, as_of: dt.date, *, days: int = STATUS_DAYS) -> pl.DataFrame:
    """Flags of the ``days`` days up to ``as_of``: the leading rules (high or rising pain) first, then the
    most severe.

    Left out: ``OPT_IN_RULES`` (shown, never flagged) and the informational bands ``INFO_BANDS``.
    """
    start = as_of - dt.timedelta(days=days - 1)
    return (
        fired(flags).filter(pl.col("date").is_between(start, as_of))
        .with_columns(severity_expr(), _lead=pl.col("rule").is_in(list(LEAD_RULES)))
        .sort(["_lead", "severity", "date"], descending=[True, True, True])
        .drop("_lead")
    )


def _message(row: dict[str, Any], lang: str) -> str:
    text = row.get(f"message_{lang}") or row.get("message_en") or ""
    return str(text)


def _evidence(row: dict[str, Any], lang: str) -> str:
    if lang == "nl" and row["rule"] in EVIDENCE_NL:
        return EVIDENCE_NL[row["rule"]]
    return str(row.get("evidence") or "")


def _fmt_value(rule: str, value: float | None, lang: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if rule in RATIO_RULES:
        return fmt_pct(value, lang)
    return fmt_num(value, lang, digits=0 if float(value).is_integer() else 2)


def day_text(day: dt.date, lang: str, year_of: int | None) -> str:
    """A short date, with its year unless it is ``year_of`` (the report period's one year)."""
    return fmt_date(day, lang, year=year_of is None or day.year != year_of)


def _pain_range(low: int | None, high: int | None) -> str:
    return "–" if low is None or high is None else (f"{low}" if low == high else f"{low}–{high}")


def event_words(row: dict[str, Any], lang: str, year_of: int | None = None) -> tuple[str, str, str]:
    """A load event of :func:`runback.model.load_events` in words: (what happened, pain before, pain after)."""
    span = EVENT_SPANS.get(row["rule"], "day")
    first = row.get("first_day") or row["date"]
    when = day_text(first, lang, year_of)
    value, baseline = row.get("value"), row.get("baseline")
    if span == "streak":
        event = tr("event_streak", lang, n=int(value or 0), date=when)
    elif baseline is None or value is None:
        event = f"{rule_label(row['rule'], lang)} ({when})"
    else:
        distance = f"{fmt_num(baseline * (1.0 + value) / 1000.0, lang)} km"
        key = "event_week" if span == "week" else "event_day"
        event = tr(key, lang, km=distance, date=when, pct=fmt_pct(value, lang), days=SPIKE_WINDOW_DAYS)
    if not row.get("before_days_logged"):
        before = tr("before_none", lang)
    else:
        before = tr("before_range", lang, range=_pain_range(row.get("before_min"), row.get("before_max")))
    if not row.get("after_days_logged"):
        after = tr("after_none", lang)
    elif not row.get("after_days_pain"):
        after = tr("after_zero", lang, n=row["after_days_logged"])
    else:
        after = tr("after_range", lang, range=_pain_range(row.get("after_min"), row.get("after_max")),
                   n=row["after_days_pain"])
    return event, before, after


def _for_athlete(df: pl.DataFrame | None, athlete: str) -> pl.DataFrame | None:
    if df is None:
        return None
    if "athlete" in df.columns:
        return df.filter(pl.col("athlete") == athlete)
    return df


def _rows(df: pl.DataFrame, athlete: str) -> pl.DataFrame:
    return df.filter(pl.col("athlete") == athlete) if "athlete" in df.columns else df


def _since(df: pl.DataFrame, col: str, since: dt.date | None) -> pl.DataFrame:
    if since is None or df.is_empty():
        return df
    return df.filter(pl.col(col) >= since)


# --------------------------------------------------------------------------
# sections
# --------------------------------------------------------------------------
def _header(page: Page, athlete: str, runs: pl.DataFrame, other: int, period: tuple[dt.date, dt.date] | None) -> None:
    lang = page.lang
    page.add(f"<header>\n<h1>{esc(tr('title', lang, athlete=athlete))}</h1>\n")
    page.add(f'<p class="lead">{esc(tr("subtitle", lang))}</p>\n')
    if period is None:
        page.add(f"<p>{esc(tr('no_data', lang))}</p>\n</header>\n")
        return
    km = float(runs["distance_m"].fill_null(0.0).sum()) / 1000.0
    page.add(
        '<ul class="facts">'
        f"<li>{esc(tr('period', lang))}<b>{esc(fmt_date(period[0], lang))} – {esc(fmt_date(period[1], lang))}</b></li>"
        f"<li>{esc(tr('runs', lang))}<b>{runs.height}</b></li>"
        f"<li>{esc(tr('distance', lang))}<b>{esc(fmt_num(km, lang))} km</b></li>"
        f"<li>{esc(tr('other_activities', lang))}<b>{other}</b></li>"
        "</ul>\n</header>\n"
    )


def status_html(
    flags: pl.DataFrame,
    as_of: dt.date | None,
    *,
    lang: str,
    events: pl.DataFrame | None = None,
    journal: pl.DataFrame | None = None,
) -> str:
    """The plain-language status of the last two weeks: the flags' own messages and the physiotherapy guidance.

    Pain comes first: the journal rules about the pain itself (high pain, pain
    rising over days, ...) weigh most (:data:`RULE_SEVERITY`).  Where pain was
    logged in the two weeks, the status names the last load event before that
    pain began, however old (:func:`runback.model.event_before_pain`).
    """
    parts = [f'<h2 id="status">{esc(tr("status_heading", lang))}</h2>\n']
    if as_of is None:
        return parts[0] + f"<p>{esc(tr('no_data', lang))}</p>\n"
    recent = recent_flags(flags, as_of)
    start = as_of - dt.timedelta(days=STATUS_DAYS - 1)
    window = esc(tr("status_window", lang, start=fmt_date(start, lang), end=fmt_date(as_of, lang)))
    story = ""
    found = event_before_pain(events, journal, as_of, days=STATUS_DAYS) if events is not None else None
    if found is not None:
        event, before, after = event_words(found, lang, as_of.year)
        story = (f'<p class="event-story">{esc(tr("status_event", lang, start=day_text(found["pain_start"], lang, as_of.year), event=event, before=before, after=after))}</p>\n')
    if recent.is_empty():
        parts.append(f'<div class="status"><p>{window}</p>{story}<p>{esc(tr("no_flags", lang))}</p>'
                     f"<p>{esc(tr('running_good', lang))}</p></div>\n")
        return "".join(parts)
    items = []
    advice: list[str] = []
    # one line per rule: its most severe (then most recent) flag's own message
    for rule in recent["rule"].unique(maintain_order=True).to_list():
        rows = recent.filter(pl.col("rule") == rule)
        top = rows.row(0, named=True)
        count = f" ({esc(tr('times', lang, n=rows.height))})" if rows.height > 1 else ""
        cls = ' class="quiet"' if rule in QUIET_RULES else (' class="pain"' if RULES_BY_ID.get(rule) and RULES_BY_ID[rule].about_pain else "")
        items.append(
            f"<li{cls}><b>{esc(rule_label(rule, lang))}</b> ({esc(fmt_date(top['date'], lang))}): "
            f"{esc(_message(top, lang))}{count}</li>"
        )
        if rule in ADVICE and ADVICE[rule][lang] not in advice:
            advice.append(ADVICE[rule][lang])
    parts.append(f'<div class="status flagged"><p>{window}</p>\n{story}<h3>{esc(tr("measured", lang))}</h3>\n<ul>\n')
    parts.append("\n".join(items))
    parts.append(f"\n</ul>\n<h3>{esc(tr('advice', lang))}</h3>\n<ul>\n")
    parts.append("\n".join(f"<li>{esc(a)}</li>" for a in advice))
    parts.append(f"\n</ul>\n<p>{esc(tr('running_good', lang))}</p></div>\n")
    return "".join(parts)


#: load events shown open (the most recent); the rest are one click away
EVENTS_SHOWN = 6


def events_html(events: pl.DataFrame, *, lang: str, year_of: int | None) -> str:
    """Each load event of the period with the pain of the 7 days before and after, one row each.

    The :data:`EVENTS_SHOWN` most recent are shown; the others follow in a collapsed table.
    """
    if events.is_empty():
        return f"<p>{esc(tr('no_events', lang))}</p>\n"
    ordered = events.sort("date", descending=True)
    out = _events_table(ordered.head(EVENTS_SHOWN), lang=lang, year_of=year_of)
    if ordered.height > EVENTS_SHOWN:
        rest = ordered.slice(EVENTS_SHOWN)
        out += (f'<details class="more-events"><summary>{esc(tr("more_events", lang, n=rest.height))}</summary>\n'
                + _events_table(rest, lang=lang, year_of=year_of) + "</details>\n")
    return out


def _events_table(events: pl.DataFrame, *, lang: str, year_of: int | None) -> str:
    rows = []
    for row in events.iter_rows(named=True):
        event, before, after = event_words(row, lang, year_of)
        quiet = " quiet" if row["rule"] in QUIET_RULES else ""
        hurt = " pain-after" if (row.get("after_days_pain") or 0) > 0 else ""
        rows.append(
            f'<tr class="event{quiet}{hurt}"><td data-label="{esc(tr("col_event", lang))}"><b>{esc(rule_label(row["rule"], lang))}</b><br>'
            f'{esc(event)}</td><td data-label="{esc(tr("col_before", lang))}">{esc(before)}</td>'
            f'<td data-label="{esc(tr("col_after", lang))}">{esc(after)}</td></tr>'
        )
    head = "".join(f"<th>{esc(tr(k, lang))}</th>" for k in ("col_event", "col_before", "col_after"))
    return (
        f'<div class="table-wrap"><table class="events"><thead><tr>{head}</tr></thead>\n<tbody>\n'
        + "\n".join(rows) + "\n</tbody></table></div>\n"
    )


def _flagged_weeks(flags: pl.DataFrame, *, quiet: bool | None = None) -> set[dt.date]:
    """ISO weeks (Mondays) with a flag that fired; ``quiet``: only weeks whose flags are all quiet (True)
    or weeks with at least one evidence-backed flag (False)."""
    if flags.is_empty():
        return set()
    weeks = fired(flags).with_columns(w=week_start(pl.col("date")), q=pl.col("rule").is_in(list(QUIET_RULES)))
    per_week = weeks.group_by("w").agg(pl.col("q").all())
    if quiet is not None:
        per_week = per_week.filter(pl.col("q") == quiet)
    return set(per_week["w"].to_list())


def calendar_html(daily: pl.DataFrame, *, lang: str) -> str:
    """Month grids of run, other-activity and rest days (darker blue: a longer run)."""
    if daily.is_empty():
        return f"<p>{esc(tr('no_data', lang))}</p>\n"
    km = {d: (m or 0.0) / 1000.0 for d, m in zip(daily["date"].to_list(), daily["run_distance_m"].to_list())}
    n_runs = dict(zip(daily["date"].to_list(), daily["n_runs"].fill_null(0).to_list()))
    moving = dict(zip(daily["date"].to_list(), daily["all_moving_s"].fill_null(0.0).to_list()))
    # shade by the runner's own distances: quartiles of their run days
    run_km = sorted(v for d, v in km.items() if n_runs.get(d, 0) > 0)
    cuts = [run_km[int(len(run_km) * q)] for q in (0.25, 0.5, 0.75)] if run_km else [0.0, 0.0, 0.0]
    first, last = min(km), max(km)
    legend = (
        f'<p class="legend muted"><span class="d-run3"></span>{esc(tr("cal_run", lang))}'
        f'<span class="d-other"></span>{esc(tr("cal_other", lang))}'
        f'<span class="d-rest"></span>{esc(tr("cal_rest", lang))}</p>\n'
    )
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        day = dt.date(year, month, 1)
        rows = ["<tr>" + "".join(f'<th title="{esc(DAYS[lang][i])}">{esc(SHORT_DAYS[lang][i])}</th>' for i in range(7)) + "</tr>"]
        cells = ["<td></td>"] * day.weekday()
        while day.month == month:
            title = fmt_date(day, lang)
            if day not in km:
                cls = ""
            elif n_runs.get(day, 0) > 0:
                level = 1 + sum(km[day] > c for c in cuts)
                cls = f"d-run{level}"
                title += f": {fmt_num(km[day], lang)} km"
            elif moving.get(day, 0.0) > 0:
                cls = "d-other"
                title += f": {tr('cal_other', lang)}"
            else:
                cls = "d-rest"
                title += f": {tr('cal_rest', lang)}"
            cells.append(f'<td class="{cls}" title="{esc(title)}">{day.day}</td>')
            if len(cells) == 7:
                rows.append("<tr>" + "".join(cells) + "</tr>")
                cells = []
            day += dt.timedelta(days=1)
        if cells:
            rows.append("<tr>" + "".join(cells) + "<td></td>" * (7 - len(cells)) + "</tr>")
        months.append(
            f'<table class="month"><caption>{esc(MONTHS[lang][month - 1])} {year}</caption>{"".join(rows)}</table>'
        )
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return legend + '<div class="months">\n' + "\n".join(months) + "\n</div>\n"


def _fmt_baseline(rule: str, value: float | None, lang: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if rule in METRE_BASELINES:
        return f"{fmt_num(value / 1000.0, lang)} km"
    return fmt_num(value, lang, digits=0 if float(value).is_integer() else 2)


def flags_table_html(flags: pl.DataFrame, *, lang: str) -> str:
    """Every flag of the period: date, rule and band, the measured value, threshold and baseline (sortable).

    The words and the evidence are said once per rule (:func:`evidence_html`), not on every row.
    """
    if flags.is_empty():
        return f"<p>{esc(tr('no_flags_period', lang))}</p>\n"
    keys = ("col_date", "col_rule", "col_value", "col_threshold", "col_baseline")
    numeric = ("col_value", "col_threshold", "col_baseline")
    head = "".join(f'<th{" class=num" if k in numeric else ""}>{esc(tr(k, lang))}</th>' for k in keys)
    label = {k: esc(tr(k, lang)) for k in keys}
    body = []
    for row in flags.sort(["date", "rule"], descending=[True, False]).iter_rows(named=True):
        rule = row["rule"]
        value, threshold, baseline = row["value"], row["threshold"], row["baseline"]
        band = "" if not row.get("band") else " · " + esc(band_label(row["band"], lang, rule))
        quiet = ' class="quiet"' if rule in QUIET_RULES else ""
        body.append(
            f"<tr{quiet}>"
            f'<td data-label="{label["col_date"]}" data-sort="{row["date"].isoformat()}">'
            f"{esc(fmt_date(row['date'], lang))}</td>"
            f'<td data-label="{label["col_rule"]}" data-sort="{esc(rule)}"><a href="#ev-{esc(rule)}">'
            f"{esc(rule_label(rule, lang))}</a>{band}"
            f'<details class="msg"><summary>{esc(tr("in_words", lang))}</summary>{esc(_message(row, lang))}</details></td>'
            f'<td class="num" data-label="{label["col_value"]}" data-sort="{"" if value is None else value}">'
            f"{esc(_fmt_value(rule, value, lang))}</td>"
            f'<td class="num" data-label="{label["col_threshold"]}" data-sort="{"" if threshold is None else threshold}">'
            f"{esc(_fmt_value(rule, threshold, lang))}</td>"
            f'<td class="num" data-label="{label["col_baseline"]}" data-sort="{"" if baseline is None else baseline}">'
            f"{esc(_fmt_baseline(rule, baseline, lang))}</td>"
            "</tr>"
        )
    return (
        f'<p class="muted">{esc(tr("sort_hint", lang))}</p>\n<p class="scroll-cue">{esc(tr("scroll_cue", lang))}</p>\n'
        f'<div class="table-wrap" tabindex="0"><table class="sortable flags">'
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(body) + "\n</tbody></table></div>\n"
    )


def strength_text(rule: str, lang: str) -> str:
    """How strong a rule's evidence is, in words."""
    known = RULES_BY_ID.get(rule)
    if known is not None and known.strength.startswith("physiotherapy advice"):
        return tr("strength_advice", lang)
    return tr(f"strength_{known.strength_rank if known is not None else 1}", lang)


def evidence_html(flags: pl.DataFrame, *, lang: str) -> str:
    """Each rule of ``flags`` once: a collapsible "what the studies found" with its evidence, strength and advice."""
    if flags.is_empty():
        return ""
    present = set(flags["rule"].to_list())
    order = [rule.id for rule in RULES if rule.id in present] + sorted(present - set(RULES_BY_ID))
    parts = [f'<section id="evidence"><h2>{esc(tr("sec_evidence", lang))}</h2>\n'
             f'<p class="muted">{esc(tr("evidence_intro", lang))}</p>\n']
    for rule in order:
        row = flags.filter(pl.col("rule") == rule).row(0, named=True)
        quiet = " quiet" if rule in QUIET_RULES else ""
        advice = ADVICE.get(rule, {}).get(lang, "")
        parts.append(
            f'<details class="rule-evidence{quiet}" id="ev-{esc(rule)}"><summary>{esc(rule_label(rule, lang))} '
            f'<span class="strength">({esc(strength_text(rule, lang))})</span></summary>\n'
            f"<p>{esc(_evidence(row, lang))}</p>\n"
            + (f"<p><b>{esc(tr('advice_label', lang))}:</b> {esc(advice)}</p>\n" if advice else "")
            + "</details>\n"
        )
    parts.append("</section>\n")
    return "".join(parts)


def _source(text: str | None, lang: str) -> str:
    if not text:
        return tr("prof_unknown", lang)
    if text == "given":
        return tr("src_given", lang)
    if text == "profile file":
        return tr("src_file", lang)
    if text.startswith("estimated"):
        method = text.partition(":")[2].strip()
        return tr("src_estimated", lang) + (f" ({estimate_method(method, lang)})" if method else "")
    return text


def profile_html(profile: Any, *, lang: str) -> str:
    """The profile the heart-rate measures used: each value and whether it was given or estimated."""
    if profile is None:
        return f"<p>{esc(tr('prof_none', lang))}</p>\n"

    def bpm(v: float | None) -> str:
        return tr("prof_unknown", lang) if v is None else f"{fmt_num(v, lang, digits=0)} {tr('bpm', lang)}"

    sex = getattr(profile, "sex", None)
    rows = [
        ("prof_hr_max", bpm(getattr(profile, "hr_max_bpm", None)), getattr(profile, "hr_max_bpm_source", None)),
        ("prof_hr_rest", bpm(getattr(profile, "hr_rest_bpm", None)), getattr(profile, "hr_rest_bpm_source", None)),
        ("prof_pace", fmt_pace(getattr(profile, "threshold_pace_s_per_km", None), lang),
         getattr(profile, "threshold_pace_s_per_km_source", None)),
        ("prof_sex", tr(sex, lang) if sex in ("male", "female") else tr("prof_unknown", lang),
         getattr(profile, "sex_source", None)),
        ("prof_tz", getattr(profile, "timezone", None) or tr("prof_unknown", lang),
         getattr(profile, "timezone_source", None)),
    ]
    body = "\n".join(
        f"<tr><td>{esc(tr(k, lang))}</td><td>{esc(v)}</td><td>{esc(_source(s, lang))}</td></tr>" for k, v, s in rows
    )
    return (
        f'<div class="table-wrap"><table class="profile"><thead><tr><th></th><th>{esc(tr("prof_value", lang))}</th>'
        f"<th>{esc(tr('prof_source', lang))}</th></tr></thead>\n<tbody>\n{body}\n</tbody></table></div>\n"
    )


def footer_html(lang: str) -> str:
    """The closing note and the version that made the page, for the runner's and the physio's reports."""
    return (
        f"<footer><p><b>{esc(tr('footer', lang))}</b></p>"
        f"<p>{esc(tr('generated', lang, version=__version__))}</p></footer>\n"
    )


def _painload_html(page: Page, daily: pl.DataFrame, journal: pl.DataFrame, analysis: pl.DataFrame | None) -> str:
    lang = page.lang
    out = []
    points = _charts.pain_vs_load_points(daily, journal)
    if points.is_empty():
        out.append(f"<p>{esc(tr('no_journal', lang))}</p>\n")
    else:
        out.append(page.figure(_charts.pain_vs_load_figure(points, lang=lang)))
        out.append(f"<p>{esc(tr('painload_n', lang, n=points.height))}</p>\n")
    if analysis is not None and not analysis.is_empty():
        messages = [m for m in analysis.get_column(f"message_{lang}").to_list() if m]
        if messages:
            out.append(f"<h3>{esc(tr('analysis', lang))}</h3>\n<ul>\n")
            out.append("\n".join(f"<li>{esc(m)}</li>" for m in dict.fromkeys(messages)))
            out.append("\n</ul>\n")
        fig = _charts.flagged_pain_figure(analysis, lang=lang) if "mean_flagged" in analysis.columns else None
        if fig is not None:
            out.append(page.figure(fig))
    return "".join(out)


# --------------------------------------------------------------------------
# the report
# --------------------------------------------------------------------------
def build_runner_report(
    *,
    athlete: str,
    activities: pl.DataFrame,
    daily: pl.DataFrame,
    weekly: pl.DataFrame,
    flags: pl.DataFrame,
    journal: pl.DataFrame | None = None,
    pain_analysis: pl.DataFrame | None = None,
    pmc: pl.DataFrame | None = None,
    acwr: pl.DataFrame | None = None,
    profile: Any = None,
    session_spikes: pl.DataFrame | None = None,
    events: pl.DataFrame | None = None,
    wellness: pl.DataFrame | None = None,
    since: dt.date | str | None = None,
    as_of: dt.date | str | None = None,
    lang: str = "en",
    plotly_src: str | None = None,
) -> str:
    """One runner's report as a self-contained HTML page.

    A pure function of the model's frames: pass the athlete's full history
    (so the first runs of the period keep their 30-day baseline) and
    ``since`` to show only the days from ``since`` on.

    Parameters
    ----------
    athlete : str
        Whose report it is; frames with an ``athlete`` column are filtered to it.
    activities : pl.DataFrame
        ``schema.ACTIVITIES``.
    daily, weekly : pl.DataFrame
        ``runback.load.daily_load`` and ``weekly_load`` output.
    flags : pl.DataFrame
        ``schema.FLAGS`` (load and journal rules).
    journal : pl.DataFrame, optional
        ``schema.JOURNAL``.
    pain_analysis : pl.DataFrame, optional
        ``runback.pain.pain_vs_load`` output.
    pmc, acwr : pl.DataFrame, optional
        ``runback.load.pmc`` and ``runback.load.acwr`` output, shown in a collapsed section.
    profile : runback.load.Profile, optional
        The profile used (values and their ``*_source``).
    session_spikes : pl.DataFrame, optional
        ``runback.load.session_spikes`` as the model computed it (the per-run
        chart draws it); default: computed from ``activities`` and ``profile``.
    events : pl.DataFrame, optional
        ``runback.model.load_events`` (default: computed from ``flags`` and ``journal``).
    since : date or "YYYY-MM-DD", optional
        First day shown.
    as_of : date or "YYYY-MM-DD", optional
        The day the status of the last two weeks ends on (default: the last
        day with an activity or a journal entry; a team report passes one day
        for every runner).
    lang : {"en", "nl"}
        Every word on the page, charts included, is in this language.
    plotly_src : str, optional
        Load plotly.js from this relative URL instead of embedding it (team reports share one copy).

    Returns
    -------
    str
        The HTML page.

    References
    ----------
    docs/evidence.md: the rules (the per-run chart draws the model's
    ``session_spikes``; the ACWR caveat) and the Wording section (status, advice and footer).
    """
    lang = check_lang(lang)
    since_day = as_date(since)
    activities = activities.filter(pl.col("athlete") == athlete)
    flags_all = _for_athlete(flags, athlete)
    flags_all = schema.empty(schema.FLAGS) if flags_all is None else flags_all
    journal_all = _for_athlete(journal, athlete)
    journal_all = schema.empty(schema.JOURNAL) if journal_all is None else journal_all
    daily_all = _rows(daily, athlete)
    weekly_all = _rows(weekly, athlete)

    # local days as the load model sees them (a profile's time zone moves GPX runs to the right day)
    act_dates = local_dates(activities, {athlete: profile} if profile is not None else None)
    # the 30-day baseline needs the history before `since`
    spikes_all = _for_athlete(session_spikes, athlete)
    if spikes_all is None:
        spikes = _charts.run_spikes(activities, dates=act_dates)
    else:
        spikes = _charts.chart_spikes(spikes_all)
    act = activities.with_columns(act_dates.alias("_date"))
    if since_day is not None:
        act = act.filter(pl.col("_date") >= since_day)
        spikes = spikes.filter(pl.col("date") >= since_day)
    daily_p = _since(daily_all, "date", since_day)
    weekly_p = weekly_all if since_day is None else weekly_all.filter(
        pl.col("week_start") >= since_day - dt.timedelta(days=since_day.weekday())
    )
    flags_p = _since(flags_all, "date", since_day)
    journal_p = _since(journal_all, "date", since_day)

    runs = act.filter(running_activity())
    # the period is the span of the activities: a journal entry outside it is listed, not drawn
    act_days: list[dt.date] = [d for d in (*daily_p["date"].to_list(), *act["_date"].to_list()) if d is not None]
    period = (min(act_days), max(act_days)) if act_days else None
    outside = journal_p.clear() if period is None else journal_p.filter(~pl.col("date").is_between(*period))
    journal_in = journal_p if period is None else journal_p.filter(pl.col("date").is_between(*period))
    # the status's "now": the last day with an activity or a journal entry (pain logged today counts)
    all_days = act_days + [d for d in journal_p["date"].to_list() if d is not None]
    last = max(all_days) if all_days else None
    year_of = period[0].year if period is not None and period[0].year == period[1].year else None

    events_all = _for_athlete(events, athlete)
    if events_all is None:
        events_all = load_events(flags_all, journal_all)
    events_p = _since(events_all, "date", since_day)

    page = Page(lang=lang, title=tr("title", lang, athlete=athlete), plotly_src=plotly_src)
    _header(page, athlete, runs, act.height - runs.height, period)
    page.add(status_html(flags_all, as_date(as_of) or last, lang=lang, events=events_all, journal=journal_all))

    # load events with the pain before and after: the story averages lose
    page.add(f'<section id="events"><h2>{esc(tr("sec_events", lang))}</h2>\n')
    page.add(f'<p class="muted">{esc(tr("events_intro", lang))}</p>\n')
    page.add(events_html(events_p, lang=lang, year_of=year_of))
    page.add("</section>\n")

    # weekly distance and intensity
    page.add(f'<section id="weekly"><h2>{esc(tr("sec_weekly", lang))}</h2>\n')
    if weekly_p.is_empty() or not (weekly_p["run_distance_m"].fill_null(0.0) > 0).any():
        page.add(f"<p>{esc(tr('no_runs', lang))}</p>\n")
    else:
        intro = tr("weekly_intro", lang)
        key = _charts._intensity_column(weekly_p)[1]
        if key:
            intro += " " + tr("weekly_below", lang, intensity=tr(key, lang))
        page.add(f'<p class="muted">{esc(intro)}</p>\n')
        page.add(_charts.weekly_legend_html(lang))
        page.add(page.figure(_charts.weekly_figure(
            weekly_p, _flagged_weeks(flags_p, quiet=False), lang=lang, quiet_weeks=_flagged_weeks(flags_p, quiet=True)
        )))
    page.add("</section>\n")

    # each run against the longest of the previous 30 days
    page.add(f'<section id="sessions"><h2>{esc(tr("sec_sessions", lang))}</h2>\n')
    if spikes.is_empty():
        page.add(f"<p>{esc(tr('no_runs', lang))}</p>\n")
    else:
        page.add(f'<p class="muted">{esc(tr("sessions_intro", lang))}</p>\n')
        page.add(page.figure(_charts.spikes_figure(spikes, lang=lang)))
    page.add("</section>\n")

    # pain on the load's time axis
    page.add(f'<section id="pain"><h2>{esc(tr("sec_pain", lang))}</h2>\n')
    if journal_p.is_empty():
        page.add(f"<p>{esc(tr('no_journal', lang))}</p>\n")
    else:
        page.add(f'<p class="muted">{esc(tr("pain_intro", lang))}</p>\n')
        if not journal_in.is_empty():
            nights = None if wellness is None or period is None else wellness.filter(
                (pl.col("athlete") == athlete) & pl.col("date").is_between(*period)
            )
            page.add(page.figure(_charts.pain_timeline_figure(daily_p, journal_in, fired(flags_p), lang=lang,
                                                              wellness=nights)))
        if not outside.is_empty():
            page.add(f'<p class="muted">{esc(tr("outside_period", lang))}</p>\n<ul class="outside">\n')
            for row in outside.sort("date").iter_rows(named=True):
                pain = "–" if row["pain"] is None else f"{row['pain']}/10"
                timing = tr(f"timing_{row['timing']}", lang) if row.get("timing") else ""
                page.add(f"<li>{esc(fmt_date(row['date'], lang))}: {esc(pain)} {esc(timing)}</li>\n")
            page.add("</ul>\n")
    page.add("</section>\n")

    # load against pain: the averages, with their n, below the events
    page.add(f'<section id="painload"><h2>{esc(tr("sec_painload", lang))}</h2>\n')
    analysis = _for_athlete(pain_analysis, athlete)
    page.add(_painload_html(page, daily_all, journal_in, analysis))
    page.add("</section>\n")

    # PMC and ACWR: optional, collapsed, with the caveat
    page.add(f'<details id="pmc"><summary>{esc(tr("sec_pmc", lang))}</summary>\n')
    page.add(f'<p class="caveat">{esc(tr("pmc_caveat", lang))}</p>\n')
    pmc_p = _for_athlete(pmc, athlete)
    acwr_p = _for_athlete(acwr, athlete)
    shown = False
    if pmc_p is not None and not (pmc_p := _since(pmc_p, "date", since_day)).is_empty():
        page.add(page.figure(_charts.pmc_figure(pmc_p, lang=lang)))
        shown = True
    if acwr_p is not None:
        acwr_p = _since(acwr_p, "date", since_day)
        value_cols = [c for c in ("acwr_ewma", "acwr_uncoupled") if c in acwr_p.columns]
        if value_cols and acwr_p.select(pl.any_horizontal(pl.col(value_cols).is_not_null()).any()).item():
            page.add(page.figure(_charts.acwr_figure(acwr_p, lang=lang)))
            shown = True
    if not shown:
        page.add(f"<p>{esc(tr('no_pmc', lang))}</p>\n")
    page.add("</details>\n")

    page.add(f'<section id="calendar"><h2>{esc(tr("sec_calendar", lang))}</h2>\n')
    page.add(calendar_html(daily_p, lang=lang))
    page.add("</section>\n")

    page.add(f'<section id="flags"><h2>{esc(tr("sec_flags", lang))}</h2>\n')
    page.add(flags_table_html(flags_p, lang=lang))
    page.add("</section>\n")
    page.add(evidence_html(flags_p, lang=lang))

    page.add(f'<section id="profile"><h2>{esc(tr("sec_profile", lang))}</h2>\n')
    page.add(profile_html(profile, lang=lang))
    page.add("</section>\n")

    page.add(footer_html(lang))
    return page.html()


# --------------------------------------------------------------------------
# from a store
# --------------------------------------------------------------------------
def runner_report(
    store: Any,
    athlete: str | None = None,
    *,
    since: dt.date | str | None = None,
    lang: str = "en",
    profile: Profile | None = None,
    profile_file: str | os.PathLike[str] | None = None,
) -> str:
    """One runner's report (HTML) from a store: the load model and pain journal run over the full history.

    Parameters
    ----------
    store : runback.store.Store, path or None
        The store (None: the default store).
    athlete : str, optional
        Whose report; may be left out when the store holds one athlete.
    since : date or "YYYY-MM-DD", optional
        First day shown.
    lang : {"en", "nl"}
        Language of every word on the page.
    profile, profile_file : optional
        Profile values given (they win) and a profile file instead of the
        store's; the rest is estimated, as ``runback flags`` resolves them.

    Raises
    ------
    OptionError
        Unknown language, bad date, or an athlete the store does not hold (the message lists them).
    """
    check_lang(lang)
    since_day = as_date(since)
    store = open_any_store(store)
    name = resolve_athlete(store, athlete)
    inputs = report_inputs(store, name, profile=profile, profile_file=profile_file)
    return build_runner_report(**inputs, since=since_day, lang=lang)


def write_runner_report(
    store: Any,
    athlete: str | None,
    path: str | Path,
    *,
    since: dt.date | str | None = None,
    lang: str = "en",
    profile: Profile | None = None,
    profile_file: str | os.PathLike[str] | None = None,
) -> Path:
    """Write :func:`runner_report` to ``path`` (UTF-8, written atomically); returns the path."""
    html_text = runner_report(store, athlete, since=since, lang=lang, profile=profile, profile_file=profile_file)
    return write_text_atomic(Path(path), html_text)


def write_text_atomic(path: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) atomically with :func:`runback.files.write_atomic`, readable by all.

    Raises :class:`~runback.errors.FileError` when ``path`` cannot be written (a folder,
    a read-only place, a parent that is a file).
    """
    path = path.expanduser()
    make_folder(path.parent)
    try:
        # 0o644: a report is meant to be shared
        return write_atomic(path, text.encode("utf-8"), mode=0o644)
    except OSError as exc:
        raise FileError(str(path), f"cannot write the file: {exc.strerror or exc}") from exc


def make_folder(path: Path) -> Path:
    """``mkdir -p``, with a :class:`~runback.errors.FileError` for a user instead of an OSError."""
    try:
        if path.exists() and not path.is_dir():
            raise FileError(str(path), "is a file, not a folder")
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FileError(str(path), f"cannot create the folder: {exc.strerror or exc}") from exc
    return path
