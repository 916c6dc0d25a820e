"""The coach's overview: one index page listing every runner, each linking to their report.

The runner pages sit beside the index and share one ``plotly.min.js``, so a
team of twenty costs one copy of plotly.js, not twenty.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from runback.days import local_day, monday
from runback.cohort import runner_standing
from runback.errors import OptionError
from runback.load.profile import Profile, read_profiles
from runback.model import RULES_BY_ID
from runback.pain.journal import read_journal
from runback.pain.rules import PAIN_NEXT_MORNING
from runback.report._html import Page, esc, plotly_js
from runback.report._i18n import band_label, fmt_date, fmt_num, fmt_pct, rule_label, tr
from runback.report._inputs import last_day, open_any_store, report_inputs
from runback.report.runner import (
    BAND_SEVERITY,
    QUIET_RULES,
    RULE_SEVERITY,
    STATUS_DAYS,
    as_date,
    build_runner_report,
    check_lang,
    day_text,
    make_folder,
    recent_flags,
    write_text_atomic,
)

PLOTLY_FILE = "plotly.min.js"
INDEX_FILE = "index.html"

# Ostelo et al. 2008: 2 points or 30% is the smallest change that matters (at least 1 point on the 0-10
# scale): the next-morning rule's defaults
PAIN_CHANGE_POINTS = float(PAIN_NEXT_MORNING.params["next_morning_points"])
PAIN_CHANGE_RATIO = float(PAIN_NEXT_MORNING.params["next_morning_fraction"])

TEAM_COLUMNS: dict[str, pl.DataType] = {
    "athlete": pl.String(),
    "last_activity": pl.Date(),
    "status_rules": pl.List(pl.String()),
    "status_bands": pl.List(pl.String()),
    "status_counts": pl.List(pl.Int64()),
    "severity": pl.Int64(),
    "n_flags": pl.Int64(),
    "last_pain": pl.Int64(),
    "last_pain_date": pl.Date(),
    "pain_trend": pl.String(),
    "pain_change": pl.Float64(),
    "week_start": pl.Date(),
    "week_distance_m": pl.Float64(),
    "week_distance_change": pl.Float64(),
    "priority": pl.Int64(),
    "evidence_rank": pl.Int64(),
    "last_entry": pl.Date(),
    "stale": pl.Boolean(),
}

# the rules that lead a status and the overview (high pain, pain rising over days)
LEAD_RULES = frozenset(rule.id for rule in RULES_BY_ID.values() if rule.leads)
PAIN_FLAG_RULES = frozenset(rule.id for rule in RULES_BY_ID.values() if rule.about_pain)


def priority(rules: Sequence[str], trend: str | None) -> int:
    """Where a runner stands in the overview: 3 high or rising pain (a leading rule, or the pain
    trend up), 2 another pain flag, 1 a load flag, 0 none."""
    present = set(rules)
    if present & LEAD_RULES or trend == "up":
        return 3
    if present & PAIN_FLAG_RULES:
        return 2
    return 1 if present else 0


def evidence_rank(rules: Sequence[str]) -> int:
    """The strongest evidence behind a runner's flags (:func:`runback.registry.strength_rank`), 0 without."""
    return max((RULES_BY_ID[r].strength_rank for r in rules if r in RULES_BY_ID), default=0)


def pain_trend(journal: pl.DataFrame, as_of: dt.date) -> tuple[int | None, dt.date | None, str | None, float | None]:
    """The last pain score up to ``as_of`` and its trend.

    The trend compares the mean score of the 7 days ending on the last entry
    with the mean of the 7 days before them: "up" or "down" when the change is
    at least 2 points, or 30% and at least 1 point (Ostelo et al. 2008), else
    "flat"; None when either week has no entry.

    Returns
    -------
    tuple
        ``(last_pain, last_pain_date, trend, change_points)``.
    """
    entries = journal.filter(pl.col("date") <= as_of, pl.col("pain").is_not_null())
    if entries.is_empty():
        return None, None, None, None
    entries = entries.sort("date", "time", nulls_last=False)
    last = entries.row(-1, named=True)
    end = last["date"]
    recent = entries.filter(pl.col("date") > end - dt.timedelta(days=7))["pain"].mean()
    before = entries.filter(
        pl.col("date") <= end - dt.timedelta(days=7), pl.col("date") > end - dt.timedelta(days=14)
    )["pain"].mean()
    if recent is None or before is None:
        return int(last["pain"]), end, None, None
    change = float(recent) - float(before)  # type: ignore[arg-type]
    size = abs(change)
    matters = size >= PAIN_CHANGE_POINTS or (size >= 1.0 and before and size / float(before) >= PAIN_CHANGE_RATIO)  # type: ignore[arg-type]
    trend = "flat" if not matters else ("up" if change > 0 else "down")
    return int(last["pain"]), end, trend, round(change, 2)


def runner_status(
    *,
    athlete: str,
    activities: pl.DataFrame,
    daily: pl.DataFrame,
    flags: pl.DataFrame,
    journal: pl.DataFrame | None,
    as_of: dt.date,
    profile: Any = None,
    **_: Any,
) -> dict[str, Any]:
    """One row of the team overview (see ``TEAM_COLUMNS``) for one runner, as of ``as_of``.

    Status: the flags of the 14 days up to ``as_of``, one entry per rule, most
    severe first.  This week: running distance from the Monday of the ISO week
    holding ``as_of`` up to ``as_of``, and its change from the same days of the
    week before (so a Tuesday is not compared with a whole week).
    """
    recent = recent_flags(flags.filter(pl.col("athlete") == athlete), as_of)
    by_rule = (
        recent.group_by("rule", maintain_order=True)
        .agg(pl.col("severity").max(), pl.col("band").first(), pl.len().alias("n"))
        .sort("severity", descending=True, maintain_order=True)
    )
    acts = activities.filter(pl.col("athlete") == athlete, local_day(_zones(athlete, profile)) <= as_of)
    last_activity = acts["start_time_local"].max()
    journal = journal.filter(pl.col("athlete") == athlete) if journal is not None else None
    last_pain, last_pain_date, trend, change = (
        pain_trend(journal, as_of) if journal is not None else (None, None, None, None)
    )
    entry_days: list[dt.date] = [] if journal is None else [d for d in journal["date"].to_list() if d and d <= as_of]
    last_entry = max(entry_days, default=None)
    activity_day: dt.date | None = None if last_activity is None else last_activity.date()  # type: ignore[union-attr]
    latest = max([d for d in (activity_day, last_entry) if d is not None], default=None)
    week = monday(as_of)
    days = daily.filter(pl.col("athlete") == athlete)
    this_week = float(days.filter(pl.col("date").is_between(week, as_of))["run_distance_m"].sum())
    last_week = float(
        days.filter(pl.col("date").is_between(week - dt.timedelta(days=7), as_of - dt.timedelta(days=7)))[
            "run_distance_m"
        ].sum()
    )
    return {
        "athlete": athlete,
        "last_activity": None if last_activity is None else last_activity.date(),  # type: ignore[union-attr]
        "status_rules": by_rule["rule"].to_list(),
        "status_bands": [b or "" for b in by_rule["band"].to_list()],
        "status_counts": by_rule["n"].to_list(),
        "severity": int(by_rule["severity"].max() or 0) if not by_rule.is_empty() else 0,  # type: ignore[arg-type]
        "n_flags": recent.height,
        "last_pain": last_pain,
        "last_pain_date": last_pain_date,
        "pain_trend": trend,
        "pain_change": change,
        "week_start": week,
        "week_distance_m": this_week,
        "week_distance_change": this_week / last_week - 1 if last_week > 0 else None,
        "priority": priority(by_rule["rule"].to_list(), trend),
        "evidence_rank": evidence_rank(by_rule["rule"].to_list()),
        "last_entry": last_entry,
        # nothing logged in the status window: the row describes the past, and says so
        "stale": latest is None or latest < as_of - dt.timedelta(days=STATUS_DAYS - 1),
    }


def _zones(athlete: str, profile: Any) -> dict[str, str | None]:
    """The athlete's time zone from the profile used, for :func:`runback.days.local_day`."""
    return {athlete: getattr(profile, "timezone", None)}


def team_frame(rows: Sequence[dict[str, Any]]) -> pl.DataFrame:
    """The overview rows as a frame (columns ``TEAM_COLUMNS``), the runners to look at first on top.

    High or rising back pain first, then other pain flags, then load flags by the strength of the
    evidence behind them (moderate before weak), then by severity and number of flags.
    """
    if not rows:
        return pl.DataFrame(schema=TEAM_COLUMNS)
    return pl.DataFrame(list(rows), schema=TEAM_COLUMNS).sort(
        ["priority", "evidence_rank", "severity", "n_flags", "athlete"], descending=[True, True, True, True, False]
    )


def build_team_index(
    team: pl.DataFrame,
    *,
    as_of: dt.date | None,
    links: dict[str, str],
    lang: str = "en",
    standing: pl.DataFrame | None = None,
) -> str:
    """The coach's index page: one sortable row per runner, linking to their report.

    ``standing`` (:func:`runback.cohort.runner_standing`) adds where each runner sits in the
    group: the percentile of their typical weekly distance and of their flags per 100 runs.
    """
    lang = check_lang(lang)
    page = Page(lang=lang, title=tr("team_title", lang))
    page.add(f"<header><h1>{esc(tr('team_title', lang))}</h1>\n")
    if team.is_empty() or as_of is None:
        page.add(f"<p>{esc(tr('no_athletes', lang))}</p></header>\n")
        return page.html()
    page.add(f'<p class="lead">{esc(tr("team_intro", lang, date=fmt_date(as_of, lang)))}</p></header>\n')
    heads = [("col_runner", ""), ("col_status", ""), ("col_pain", "num"), ("col_trend", ""),
             ("col_week_km", "num"), ("col_week_change", "num"), ("col_last", "")]
    places: dict[str, tuple[float | None, float | None]] = {}
    if standing is not None and standing.height > 1:  # a group of one has no standing
        heads.append(("col_group", ""))
        places = {
            r["athlete"]: (r["weekly_distance_percentile"], r["flag_rate_percentile"])
            for r in standing.iter_rows(named=True)
        }
    head = "".join(f'<th{f" class={c}" if c else ""}>{esc(tr(k, lang))}</th>' for k, c in heads)
    body = []
    for row in team.iter_rows(named=True):
        badges = "".join(
            f'<span class="badge {_badge_class(rule, band)}" title="{esc(band_label(band, lang, rule) if band else "")}">'
            f"{esc(rule_label(rule, lang))}{f' ×{n}' if n > 1 else ''}</span>"
            for rule, band, n in zip(row["status_rules"], row["status_bands"], row["status_counts"])
        ) or f'<span class="muted">{esc(tr("none", lang))}</span>'
        latest = max([d for d in (row["last_activity"], row["last_entry"]) if d is not None], default=None)
        if row["stale"]:
            since = "–" if latest is None else day_text(latest, lang, as_of.year)
            badges = (f'<span class="badge stale" title="{esc(tr("stale", lang, date=since))}">'
                      f'{esc(tr("stale_badge", lang))}: {esc(since)}</span> ') + badges
        trend = row["pain_trend"]
        trend_text = tr(f"trend_{trend}" if trend in ("up", "down", "flat") else "trend_none", lang)
        if row["pain_change"] is not None:
            trend_text += f" ({fmt_num(row['pain_change'], lang, digits=1)})"
        arrow = {"up": "↑ ", "down": "↓ ", "flat": "→ "}.get(trend or "", "")
        pain = row["last_pain"]
        last = row["last_activity"]
        change = row["week_distance_change"]
        pain_date = row["last_pain_date"]
        pain_cls = ' class="num pain-high"' if row["priority"] == 3 else ' class="num"'
        sort_key = row["priority"] * 100_000 + row["evidence_rank"] * 10_000 + row["severity"] * 100 + row["n_flags"]
        body.append(
            f'<tr class="prio{row["priority"]}{" stale" if row["stale"] else ""}">'
            f'<td data-sort="{esc(row["athlete"].lower())}"><a href="{esc(links[row["athlete"]])}">{esc(row["athlete"])}</a></td>'
            f'<td data-sort="{sort_key}">{badges}</td>'
            f'<td{pain_cls} data-sort="{"" if pain is None else pain}">{"–" if pain is None else pain}'
            f'{"" if pain_date is None else " <span class=muted>(" + esc(day_text(pain_date, lang, as_of.year)) + ")</span>"}</td>'
            f'<td data-sort="{"" if row["pain_change"] is None else row["pain_change"]}">{arrow}{esc(trend_text)}</td>'
            f'<td class="num" data-sort="{row["week_distance_m"]:.0f}">{esc(fmt_num(row["week_distance_m"] / 1000.0, lang))}</td>'
            f'<td class="num" data-sort="{"" if change is None else change}">{esc(fmt_pct(change, lang))}</td>'
            f'<td data-sort="{"" if last is None else last.isoformat()}">{"–" if last is None else esc(fmt_date(last, lang))}</td>'
            + (_group_cell(places.get(row["athlete"], (None, None)), lang) if places else "")
            + "</tr>"
        )
    page.add(
        f'<p class="muted">{esc(tr("sort_hint", lang))}</p>\n'
        f'<p class="scroll-cue">{esc(tr("scroll_cue", lang))}</p>\n'
        f'<div class="table-wrap" tabindex="0"><table class="sortable team"><thead><tr>{head}</tr></thead>\n<tbody>\n'
        + "\n".join(body)
        + "\n</tbody></table></div>\n"
        f'<p class="team-key">{esc(tr("team_key", lang))}</p>\n'
        f'<p class="muted">{esc(tr("trend_note", lang))}</p>\n'
        f"<footer><p><b>{esc(tr('footer', lang))}</b></p></footer>\n"
    )
    return page.html()


def _group_cell(place: tuple[float | None, float | None], lang: str) -> str:
    """Where a runner sits in the group: weekly distance and flag rate as the group's percentiles."""
    km, flags = place
    if km is None and flags is None:
        return '<td data-sort="">–</td>'
    text = tr("group_place", lang, km="–" if km is None else f"{km:.0f}",
              flags="–" if flags is None else f"{flags:.0f}")
    return f'<td data-sort="{"" if km is None else km}">{esc(text)}</td>'


def _badge_class(rule: str, band: str | None) -> str:
    """The badge's colour: red for a leading pain rule, grey for a quiet rule, else by severity."""
    if rule in LEAD_RULES:
        return "pain-high"
    if rule in QUIET_RULES:
        return "quiet"
    return f"sev{_sev_class(rule, band)}"


def _sev_class(rule: str, band: str | None) -> int:
    return min(5, RULE_SEVERITY.get(rule, 1) + BAND_SEVERITY.get(band or "", 0))


def report_file_name(athlete: str, taken: set[str]) -> str:
    """A safe, unique file name for an athlete's report (``anna.html``)."""
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", athlete).strip("-.") or "runner"
    name, i = f"{stem}.html", 2
    while name.lower() in taken or name == INDEX_FILE:
        name, i = f"{stem}-{i}.html", i + 1
    taken.add(name.lower())
    return name


def write_team_report(
    store: Any,
    out_dir: str | Path,
    *,
    lang: str = "en",
    as_of: dt.date | str | None = None,
    profile: Profile | None = None,
    profile_file: str | os.PathLike[str] | None = None,
) -> Path:
    """Write the coach's overview and every runner's report into ``out_dir``; returns the index page.

    Parameters
    ----------
    store : runback.store.Store, path or None
        The store (None: the default store).
    out_dir : path
        Created if missing.  Gets ``index.html``, one ``<athlete>.html`` per
        runner and one shared ``plotly.min.js``.
    lang : {"en", "nl"}
        Language of every page.
    as_of : date or "YYYY-MM-DD", optional
        The day "current" means: default the last day with an activity or a
        journal entry of any runner in the store, so every runner is judged on
        the same 14 days.
    profile, profile_file : optional
        Profile values given for every runner, and a profile file instead of
        each runner's own (as ``runback flags``); the rest is estimated per runner.

    Raises
    ------
    OptionError
        The store holds no athlete, or ``lang`` / ``as_of`` is not valid.
    """
    lang = check_lang(lang)
    store = open_any_store(store)
    athletes = athlete_order(store.athletes())
    if not athletes:
        raise OptionError(f"the store at {store.root} has no activities yet: import some first")
    out = Path(out_dir).expanduser()
    day = as_date(as_of)
    make_folder(out)
    if day is None:
        # the last day of any runner, from their activities and journals alone, before any model runs
        known = read_profiles(store, athletes, profile_file=profile_file)
        day = last_day(*(_last_days(store, a, _known_zone(profile, known.get(a))) for a in athletes))
    # one runner at a time: their frames are dropped once their page and status row are written
    runners = (report_inputs(store, a, profile=profile, profile_file=profile_file) for a in athletes)
    return _write_pages(runners, out, day, lang)


def _known_zone(given: Profile | None, stored: Profile | None) -> str | None:
    """The time zone :func:`runback.load.profile.resolve_profiles` settles on (a time zone is never estimated)."""
    known = given.merged(stored) if given is not None else stored
    return None if known is None else known.timezone


def _last_days(store: Any, athlete: str, zone: str | None) -> tuple[pl.DataFrame, str]:
    """One (frame, date column) of the athlete's activity days and journal days, for :func:`last_day`."""
    days = store.activities(athlete).select(_d=local_day({athlete: zone}))
    journal = read_journal(store, athlete)
    if journal.height:
        days = pl.concat([days, journal.select(_d=pl.col("date"))], how="vertical")
    return days, "_d"


def write_team_pages(
    runners: Sequence[Mapping[str, Any]], out_dir: str | Path, *, lang: str = "en", as_of: dt.date | str | None = None
) -> Path:
    """Write the index and the runner pages from each runner's frames (the keywords of ``build_runner_report``).

    The frame-level half of :func:`write_team_report`; returns the index page.
    """
    lang = check_lang(lang)
    out = Path(out_dir).expanduser()
    make_folder(out)
    day = as_date(as_of) or last_day(
        *[
            (r["activities"].with_columns(local_day(_zones(r["athlete"], r.get("profile"))).alias("_d")), "_d")
            for r in runners
        ],
        *[(r.get("journal"), "date") for r in runners],
    )
    return _write_pages(runners, out, day, lang)


#: what the team's standing needs of each runner (:func:`runback.cohort.runner_standing`)
_STANDING_KEYS = ("athlete", "activities", "flags", "journal", "profile")


def _write_pages(runners: Iterable[Mapping[str, Any]], out: Path, day: dt.date | None, lang: str) -> Path:
    """Each runner's page and status row as their frames come, then the index; returns the index page."""
    kept: list[dict[str, Any]] = []

    def pages() -> Iterator[tuple[str, str, dict[str, Any] | None]]:
        for frames in runners:
            html_text = build_runner_report(**frames, as_of=day, lang=lang, plotly_src=PLOTLY_FILE)
            kept.append({key: frames.get(key) for key in _STANDING_KEYS})
            yield frames["athlete"], html_text, runner_status(**frames, as_of=day) if day is not None else None

    return write_built_pages(out, pages(), as_of=day, lang=lang, standing=lambda: runner_standing(kept) if kept else None)


def write_built_pages(
    out: Path,
    pages: Iterable[tuple[str, str, dict[str, Any] | None]],
    *,
    as_of: dt.date | None,
    lang: str,
    standing: Callable[[], pl.DataFrame | None],
) -> Path:
    """Write built runner pages, then the index; returns the index page.

    ``pages`` gives (athlete, page, status row or None) in the order that
    decides the file names of athletes whose names clash; ``standing`` is
    called once they are written (the team's standing, see
    :func:`build_team_index`).  Used by :func:`write_team_report` and by the
    Dask version, whose workers build the pages.
    """
    write_text_atomic(out / PLOTLY_FILE, plotly_js())
    taken: set[str] = set()
    links: dict[str, str] = {}
    rows = []
    for name, html_text, row in pages:
        links[name] = report_file_name(name, taken)
        write_text_atomic(out / links[name], html_text)
        if row is not None:
            rows.append(row)
    index = build_team_index(team_frame(rows), as_of=as_of, links=links, lang=lang, standing=standing())
    return write_text_atomic(out / INDEX_FILE, index)


def athlete_order(athletes: Sequence[str]) -> list[str]:
    """Athletes in a stable order (case-insensitive), so file names do not depend on the store's listing order."""
    return sorted(athletes, key=lambda a: (a.lower(), a))


__all__ = [
    "INDEX_FILE",
    "PLOTLY_FILE",
    "build_team_index",
    "pain_trend",
    "runner_status",
    "team_frame",
    "write_built_pages",
    "write_team_pages",
    "write_team_report",
]
