"""A page for the physiotherapist: the last 12 weeks of one runner on at most two A4 pages, and a PDF of it.

:func:`build_physio_report` is a pure function of the model's frames (the
keywords of :func:`runback.report.build_runner_report`); it draws its one chart
as inline SVG, so the page needs no JavaScript and prints the same everywhere.
:func:`write_pdf` prints any report page to PDF with headless Chromium.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import polars as pl

from runback import schema
from runback.errors import FileError, OptionError
from runback.load.profile import Profile
from runback.model import event_before_pain, load_events
from runback.report._html import OKABE_ITO, Page, esc
from runback.report._i18n import band_label, fmt_date, fmt_num, rule_label, tr
from runback.report._inputs import open_any_store, report_inputs, resolve_athlete
from runback.report.runner import (
    QUIET_RULES,
    _fmt_baseline,
    _fmt_value,
    as_date,
    check_lang,
    day_text,
    event_words,
    fired,
    footer_html,
    profile_html,
    severity_expr,
    strength_text,
    write_text_atomic,
)
from runback.sports import running_activity

__all__ = ["CHROMIUM", "PHYSIO_DAYS", "build_physio_report", "physio_report", "write_pdf", "write_physio_report"]

#: the weeks the page covers, in days
PHYSIO_DAYS = 84
#: flags listed on the page at most (the most severe, then the most recent); the full report has them all
MAX_FLAG_ROWS = 10
MAX_EVENT_ROWS = 8
#: Debian's headless Chromium (``RUNBACK_CHROMIUM`` overrides it)
CHROMIUM = "/usr/bin/chromium"

PRINT_CSS = """
body.physio main { max-width: 760px; }
body.physio h1 { font-size: 1.3rem; }
body.physio h2 { font-size: 1.05rem; margin: 0.9rem 0 0.3rem; }
body.physio table { font-size: 0.85rem; }
body.physio .pain-chart { width: 100%; height: auto; }
body.physio footer { margin-top: 0.8rem; }
@media print {
  body.physio { font-size: 9pt; }
  body.physio h1 { font-size: 14pt; }
  body.physio h2 { font-size: 11pt; margin: 8pt 0 3pt; }
  body.physio table { font-size: 8pt; }
  body.physio th, body.physio td { padding: 1.5pt 3pt; }
  body.physio footer { margin: 6pt 0 0; padding-top: 4pt; font-size: 8pt; }
}
"""


def _pain_chart_svg(days: list[dt.date], pain: dict[dt.date, int], km: dict[dt.date, float], lang: str) -> str:
    """Daily highest pain (dots, joined only on consecutive days) above km per day (bars), as inline SVG."""
    width, left, right = 720, 34, 8
    pain_top, pain_h, gap, bar_h = 8, 110, 24, 40
    step = (width - left - right) / max(len(days), 1)

    def x(i: int) -> float:
        return left + step * (i + 0.5)

    def y(p: float) -> float:
        return pain_top + pain_h * (1 - p / 10.0)

    parts = [
        f'<svg class="pain-chart" viewBox="0 0 {width} {pain_top + pain_h + gap + bar_h + 18}" role="img" '
        f'aria-label="{esc(tr("physio_pain", lang))}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for p in (0, 5, 10):
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(p):.1f}" y2="{y(p):.1f}" stroke="#ddd"/>'
                     f'<text x="{left - 4}" y="{y(p) + 4:.1f}" font-size="11" text-anchor="end">{p}</text>')
    segment: list[str] = []
    for i, day in enumerate(days):
        if day in pain:
            segment.append(f"{x(i):.1f},{y(pain[day]):.1f}")
        if day not in pain or i == len(days) - 1:
            if len(segment) > 1:
                parts.append(f'<polyline points="{" ".join(segment)}" fill="none" stroke="#000" stroke-width="1"/>')
            segment = [] if day not in pain else segment
    for i, day in enumerate(days):
        if day in pain:
            parts.append(f'<circle cx="{x(i):.1f}" cy="{y(pain[day]):.1f}" r="3" fill="{OKABE_ITO["purple"]}">'
                         f"<title>{esc(fmt_date(day, lang))}: {pain[day]}/10</title></circle>")
    top_km = max(km.values(), default=0.0) or 1.0
    base = pain_top + pain_h + gap + bar_h
    for i, day in enumerate(days):
        k = km.get(day, 0.0)
        if k > 0:
            h = bar_h * k / top_km
            parts.append(f'<rect x="{x(i) - step * 0.4:.1f}" y="{base - h:.1f}" width="{step * 0.8:.1f}" '
                         f'height="{h:.1f}" fill="{OKABE_ITO["blue"]}"><title>{esc(fmt_date(day, lang))}: '
                         f"{esc(fmt_num(k, lang))} km</title></rect>")
    parts.append(f'<text x="{left - 4}" y="{base:.1f}" font-size="11" text-anchor="end">0</text>'
                 f'<text x="{left - 4}" y="{base - bar_h + 9:.1f}" font-size="11" text-anchor="end">'
                 f"{esc(fmt_num(top_km, lang, digits=0))}</text>")
    for i, day in enumerate(days):
        if day.weekday() == 0:  # a tick on every Monday
            parts.append(f'<text x="{x(i):.1f}" y="{base + 14}" font-size="11" text-anchor="middle">'
                         f"{esc(fmt_date(day, lang, year=False))}</text>")
    parts.append("</svg>")
    return "".join(parts)


def build_physio_report(
    *,
    athlete: str,
    activities: pl.DataFrame,
    daily: pl.DataFrame,
    flags: pl.DataFrame,
    journal: pl.DataFrame | None = None,
    profile: Any = None,
    events: pl.DataFrame | None = None,
    as_of: dt.date | str | None = None,
    lang: str = "en",
    **_: Any,
) -> str:
    """The physiotherapist's summary of one runner as one HTML page (A4, at most two pages printed).

    The 12 weeks up to ``as_of`` (default: the last day with an activity or a
    journal entry): the daily pain, the load events with the pain of the week
    before and after (and the last event before the current pain, however
    old), the flags with their value and the strength of their evidence, the
    profile, and what runback is not.  Takes the keywords of
    :func:`runback.report.build_runner_report` (the rest are ignored).
    """
    lang = check_lang(lang)
    activities = activities.filter(pl.col("athlete") == athlete)
    flags = flags.filter(pl.col("athlete") == athlete)
    journal = schema.empty(schema.JOURNAL) if journal is None else journal.filter(pl.col("athlete") == athlete)
    daily = daily.filter(pl.col("athlete") == athlete) if "athlete" in daily.columns else daily
    events = load_events(flags, journal) if events is None else events.filter(pl.col("athlete") == athlete)
    seen = [d for d in (*daily["date"].to_list(), *journal["date"].to_list()) if d is not None]
    end = as_date(as_of) or (max(seen) if seen else dt.date.today())
    start = end - dt.timedelta(days=PHYSIO_DAYS - 1)
    days = [start + dt.timedelta(days=i) for i in range(PHYSIO_DAYS)]

    page = Page(lang=lang, title=tr("physio_title", lang, athlete=athlete), body_class="physio", css=PRINT_CSS)
    page.add(f"<header><h1>{esc(tr('physio_title', lang, athlete=athlete))}</h1>\n")
    page.add(f'<p class="lead">{esc(tr("physio_lead", lang, start=fmt_date(start, lang), end=fmt_date(end, lang)))}</p>\n')
    window_journal = journal.filter(pl.col("date").is_between(start, end))
    window_daily = daily.filter(pl.col("date").is_between(start, end))
    runs = activities.filter(running_activity(), pl.col("start_time_local").dt.date().is_between(start, end))
    logged = window_journal["pain"].drop_nulls()
    page.add("<p>" + esc(tr(
        "physio_summary", lang, runs=runs.height,
        km=fmt_num(float(window_daily["run_distance_m"].fill_null(0.0).sum()) / 1000.0, lang),
        entries=window_journal.height,
        low="–" if logged.is_empty() else logged.min(), high="–" if logged.is_empty() else logged.max(),
    )) + "</p></header>\n")

    # the pain, day by day
    pain = {r["date"]: int(r["pain"]) for r in window_journal.filter(pl.col("pain").is_not_null())
            .group_by("date").agg(pl.col("pain").max()).iter_rows(named=True)}
    km = {r["date"]: (r["run_distance_m"] or 0.0) / 1000.0 for r in window_daily.iter_rows(named=True)}
    page.add(f"<section><h2>{esc(tr('physio_pain', lang))}</h2>\n")
    page.add(_pain_chart_svg(days, pain, km, lang))
    page.add(f'<p class="muted">{esc(tr("physio_pain_caption", lang))}</p></section>\n')

    # the load events of the 12 weeks, and the last one before the current pain however old
    from_status = event_before_pain(events, journal, end)
    shown = events.filter(pl.col("date").is_between(start, end))
    if from_status is not None and from_status["date"] < start:
        shown = pl.concat([events.filter(pl.col("date") == from_status["date"], pl.col("rule") == from_status["rule"]),
                           shown])
    shown = shown.sort("date", descending=True).head(MAX_EVENT_ROWS)
    page.add(f"<section><h2>{esc(tr('physio_events', lang))}</h2>\n")
    if shown.is_empty():
        page.add(f"<p>{esc(tr('no_events', lang))}</p>\n")
    else:
        rows = []
        for row in shown.iter_rows(named=True):
            event, before, after = event_words(row, lang, end.year)
            rows.append(f"<tr><td>{esc(rule_label(row['rule'], lang))}: {esc(event)}</td>"
                        f"<td>{esc(before)}</td><td>{esc(after)}</td></tr>")
        head = "".join(f"<th>{esc(tr(k, lang))}</th>" for k in ("col_event", "col_before", "col_after"))
        page.add(f'<table class="events"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>\n')
    page.add("</section>\n")

    # the flags, with value and the strength of the evidence behind them
    recent = fired(flags).filter(pl.col("date").is_between(start, end))
    page.add(f"<section><h2>{esc(tr('physio_flags', lang))}</h2>\n")
    if recent.is_empty():
        page.add(f"<p>{esc(tr('no_flags_period', lang))}</p>\n")
    else:
        top = recent.with_columns(severity_expr()).sort(["severity", "date"], descending=[True, True])
        keys = ("col_date", "col_rule", "col_value", "col_threshold", "col_baseline", "col_strength")
        head = "".join(f"<th>{esc(tr(k, lang))}</th>" for k in keys)
        rows = []
        for row in top.head(MAX_FLAG_ROWS).sort("date", descending=True).iter_rows(named=True):
            rule = row["rule"]
            band = f" · {band_label(row['band'], lang, rule)}" if row.get("band") else ""
            quiet = ' class="quiet"' if rule in QUIET_RULES else ""
            rows.append(
                f"<tr{quiet}><td>{esc(day_text(row['date'], lang, end.year))}</td>"
                f"<td>{esc(rule_label(rule, lang))}{esc(band)}</td>"
                f'<td class="num">{esc(_fmt_value(rule, row["value"], lang))}</td>'
                f'<td class="num">{esc(_fmt_value(rule, row["threshold"], lang))}</td>'
                f'<td class="num">{esc(_fmt_baseline(rule, row["baseline"], lang))}</td>'
                f"<td>{esc(strength_text(rule, lang))}</td></tr>"
            )
        more = recent.height - min(recent.height, MAX_FLAG_ROWS)
        page.add(f'<table class="flags"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>\n')
        if more:
            page.add(f'<p class="muted">+{more}</p>\n')
    page.add("</section>\n")

    page.add(f"<section><h2>{esc(tr('physio_profile', lang))}</h2>\n{profile_html(profile, lang=lang)}</section>\n")
    page.add(footer_html(lang))
    return page.html()


def physio_report(
    store: Any,
    athlete: str | None = None,
    *,
    lang: str = "en",
    profile: Profile | None = None,
    profile_file: str | os.PathLike[str] | None = None,
) -> str:
    """The physiotherapist's page (HTML) from a store (see :func:`build_physio_report`).

    ``profile`` and ``profile_file`` as in :func:`runback.report.runner_report`.
    """
    check_lang(lang)
    store = open_any_store(store)
    name = resolve_athlete(store, athlete)
    return build_physio_report(**report_inputs(store, name, profile=profile, profile_file=profile_file), lang=lang)


def write_physio_report(
    store: Any,
    athlete: str | None,
    path: str | Path,
    *,
    lang: str = "en",
    pdf: bool = False,
    chromium: str | None = None,
    profile: Profile | None = None,
    profile_file: str | os.PathLike[str] | None = None,
) -> Path:
    """Write :func:`physio_report` to ``path``: HTML, or with ``pdf`` a PDF printed by headless Chromium.

    Raises
    ------
    OptionError
        ``pdf`` and headless Chromium is not installed (the message says where it was looked for).
    """
    html_text = physio_report(store, athlete, lang=lang, profile=profile, profile_file=profile_file)
    path = Path(path).expanduser()
    if not pdf:
        return write_text_atomic(path, html_text)
    with tempfile.TemporaryDirectory(prefix="runback-print-") as tmp:
        page = write_text_atomic(Path(tmp) / "physio.html", html_text)
        return write_pdf(page, path, chromium=chromium, lang=lang)


def find_chromium(chromium: str | None = None) -> str | None:
    """The headless Chromium to print with: ``chromium`` or ``$RUNBACK_CHROMIUM`` where given (and only
    that one), else /usr/bin/chromium, else ``chromium`` on PATH; None where there is none."""
    wanted = chromium or os.environ.get("RUNBACK_CHROMIUM")
    if wanted:
        return wanted if Path(wanted).is_file() and os.access(wanted, os.X_OK) else None
    if Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    return shutil.which("chromium")


def write_pdf(html_path: str | Path, pdf_path: str | Path, *, chromium: str | None = None, lang: str = "en") -> Path:
    """Print an HTML page to an A4 PDF with headless Chromium (no network, a fresh profile).

    Raises
    ------
    OptionError
        Chromium is not installed (one line, naming where it was looked for).
    FileError
        Chromium ran but wrote no PDF (its last error line is in the message).
    """
    exe = find_chromium(chromium)
    if exe is None:
        raise OptionError(tr("no_chromium", lang, path=chromium or os.environ.get("RUNBACK_CHROMIUM") or CHROMIUM))
    source = Path(html_path).resolve()
    target = Path(pdf_path).expanduser().resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="runback-chromium-") as profile_dir:
        command = [
            exe, "--headless", "--no-sandbox", "--disable-gpu",
            # nothing reaches the network, and the run leaves no state behind
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
            f"--user-data-dir={profile_dir}", "--no-pdf-header-footer",
            f"--print-to-pdf={target}", source.as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise FileError(str(target), f"headless Chromium could not print the page: {exc}") from exc
    if not target.is_file() or target.stat().st_size == 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise FileError(str(target), f"headless Chromium wrote no PDF: {last}")
    return target
