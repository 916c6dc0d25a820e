"""The model layer: the load model and the pain journal run together.

:func:`flags` runs every rule; :func:`report_inputs` computes everything a
runner's report shows (:class:`ReportInputs`).  :data:`RULES` collects every rule's declaration (load rules from
:mod:`runback.load.rules`, journal rules from :mod:`runback.pain.rules`) in
the order :func:`flags` runs them; the reports, the coach overview and the
pain analysis read their labels, bands, severity and evidence from here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

import polars as pl

from runback import schema
from runback.days import local_start
from runback.errors import OptionError
from runback.load import LOAD_RULES, Profile, acwr, daily_load, estimate_profile, parse_since, pmc
from runback.load import resolve_profiles, session_load, session_spikes, weekly_load
from runback.load.profile import summaries_of
from runback.pain import pain_vs_load
from runback.pain.journal import apply_journal_rpe
from runback.pain.rules import JOURNAL_RULES, daily_pain
from runback.registry import Rule
from runback.sports import running_activity

__all__ = [
    "EVENTS",
    "RULES",
    "RULES_BY_ID",
    "ReportInputs",
    "event_before_pain",
    "flags",
    "known_thresholds",
    "load_events",
    "localize_runs",
    "report_inputs",
]

#: every rule, in the order flags() runs them: the load rules, then the journal rules
RULES: tuple[Rule, ...] = (*LOAD_RULES, *JOURNAL_RULES)
RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}


def known_thresholds(rules: tuple[Rule, ...] = RULES) -> dict[str, Any]:
    """Threshold name -> default, for ``rules``."""
    return {name: default for rule in rules for name, default in rule.params.items()}


def localize_runs(activities: pl.DataFrame, profiles: dict[str, Profile]) -> pl.DataFrame:
    """``activities`` as the load model sees them, for the journal rules.

    Runs the load model infers (a GPX without a sport at running speed) get
    sport ``running``, and ``start_time_local`` is put in the profile's time
    zone where the file only assumed UTC, so a run falls on the same local day
    in load and pain (:mod:`runback.days`).
    """
    zones = {name: p.timezone for name, p in profiles.items()}
    return activities.with_columns(
        sport=pl.when(running_activity()).then(pl.lit("running")).otherwise(pl.col("sport")),
        start_time_local=local_start(zones),
    )


def flags(
    activities: pl.DataFrame,
    samples: pl.DataFrame | None = None,
    *,
    journal: pl.DataFrame | None = None,
    profile: Profile | dict[str, Profile] | None = None,
    since: str | dt.date | None = None,
    include_acwr: bool = False,
    wellness: pl.DataFrame | None = None,
    summaries: pl.DataFrame | None = None,
    profiles: Mapping[str, Profile] | None = None,
    **thresholds: Any,
) -> pl.DataFrame:
    """Every flag the training data (and, if given, the pain journal) raises.

    Runs every rule of :data:`RULES` whose inputs are there (the journal rules
    need a journal; opt-in rules (``default`` False) need ``include_acwr``) over
    the whole history, then keeps the flags dated on or after ``since``.

    Parameters
    ----------
    activities
        schema.ACTIVITIES (any number of athletes).
    samples
        schema.SAMPLES, optional (needed for per-sample TRIMP, zones and
        threshold minutes, unless ``summaries`` are given).
    journal
        schema.JOURNAL, optional: fills missing ``activities.rpe`` (session-RPE)
        and adds the journal rules of :mod:`runback.pain.rules`.
    profile
        A :class:`Profile` for every athlete, or athlete -> Profile; missing
        values are estimated (see :func:`runback.load.estimate_profile`).
    since
        Keep flags dated on or after this day (date or "YYYY-MM-DD").
    include_acwr
        Add the opt-in rules (the acute:chronic ratio: docs/evidence.md calls its evidence contested).
    wellness
        schema.WELLNESS, optional: the device's sleep and stress, which
        ``stress_or_poor_sleep`` uses for days the journal does not cover.
    summaries
        :data:`runback.summaries.SUMMARIES` rows of the activities (e.g.
        :meth:`runback.store.Store.summaries`), read instead of ``samples``
        (the same flags, without reading samples).
    profiles
        Already resolved profiles (athlete -> Profile, e.g. from
        :func:`runback.load.profile.resolve_store_profiles`): used as they are,
        nothing is estimated again.
    **thresholds
        Keyword thresholds of the rules (each rule's ``params``), e.g.
        ``spike_bands=(0.1, 0.3, 1.0)``, ``max_run_days=7``,
        ``monotony_cutoff=2.0``, ``acwr_high=1.5``, ``next_morning_points=2``.

    Returns
    -------
    pl.DataFrame
        schema.FLAGS columns, sorted by athlete, date, rule (then activity_id).

    Raises
    ------
    OptionError
        For an unknown threshold name or a bad ``since``.

    References
    ----------
    docs/evidence.md, "Rules".
    """
    since_day = parse_since(since)
    if journal is not None and journal.height == 0:
        journal = None
    if wellness is not None and wellness.height == 0:
        wellness = None
    runnable = _runnable(journal, wellness, thresholds)
    summaries = summaries_of(samples, summaries)
    if profiles is None:
        profiles = resolve_profiles(activities, profile=profile, summaries=summaries)
    model = _load_model(activities, summaries, profiles, journal)
    return _run_rules(model, runnable, journal, wellness, since_day, include_acwr, thresholds)


@dataclasses.dataclass(frozen=True)
class _LoadModel:
    """The load model's frames for the rules: the activities it counted (journal RPE filled), per session, day, week."""

    activities: pl.DataFrame
    sessions: pl.DataFrame
    daily: pl.DataFrame
    weekly: pl.DataFrame


def _runnable(journal: pl.DataFrame | None, wellness: pl.DataFrame | None, thresholds: Mapping[str, Any]) -> tuple[Rule, ...]:
    """The rules whose inputs are there; raises for a threshold none of them knows."""
    # the device's nights stand in for a journal where the runner logged none
    has_journal = journal is not None or wellness is not None
    available = {"sessions", "daily", "weekly", "activities", "load_flags", "wellness"} | (
        {"journal"} if has_journal else set()
    )
    runnable = tuple(rule for rule in RULES if set(rule.inputs) <= available)
    known = known_thresholds(runnable)
    unknown = sorted(set(thresholds) - set(known))
    if unknown:
        raise OptionError(f"unknown threshold(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    return runnable


def _load_model(
    activities: pl.DataFrame,
    summaries: pl.DataFrame | None,
    profiles: Mapping[str, Profile],
    journal: pl.DataFrame | None,
) -> _LoadModel:
    """Session, daily and weekly load once, with the journal's RPE where the activities have none
    (so the flags and a report see the same session-RPE)."""
    if journal is not None and journal.height:
        activities = apply_journal_rpe(localize_runs(activities, dict(profiles)), journal)
    sessions = session_load(activities, profiles=profiles, summaries=summaries)
    daily = daily_load(activities, sessions=sessions)
    return _LoadModel(activities, sessions, daily, weekly_load(daily))


def _run_rules(
    model: _LoadModel,
    runnable: tuple[Rule, ...],
    journal: pl.DataFrame | None,
    wellness: pl.DataFrame | None,
    since_day: dt.date | None,
    include_acwr: bool,
    thresholds: Mapping[str, Any],
) -> pl.DataFrame:
    """The flags of the chosen rules over the load model's frames (``journal``/``wellness`` None when empty)."""
    has_journal = journal is not None or wellness is not None
    frames: dict[str, pl.DataFrame | None] = {
        "sessions": model.sessions,
        "daily": model.daily,
        "weekly": model.weekly,
        "activities": schema.conform(model.activities, schema.ACTIVITIES),
        "journal": schema.conform(journal, schema.JOURNAL) if journal is not None else (
            schema.empty(schema.JOURNAL) if has_journal else None
        ),
        "wellness": None if wellness is None else schema.conform(wellness, schema.WELLNESS),
    }
    chosen = [rule for rule in runnable if rule.default or include_acwr]
    load = [rule.run(frames, thresholds) for rule in chosen if rule.kind == "load"]
    frames["load_flags"] = pl.concat(load, how="vertical")
    parts = [*load, *(rule.run(frames, thresholds) for rule in chosen if rule.kind == "journal")]
    out = pl.concat([schema.conform(part, schema.FLAGS) for part in parts], how="vertical")
    if since_day is not None:
        out = out.filter(pl.col("date") >= since_day)
    return out.sort("athlete", "date", "rule", "activity_id", nulls_last=True)


# --------------------------------------------------------------------------
# load events and the pain around them
# --------------------------------------------------------------------------
#: columns of :func:`load_events`
EVENTS: dict[str, pl.DataType] = {
    "athlete": pl.String(),
    "rule": pl.String(),
    "band": pl.String(),
    "date": pl.Date(),
    "first_day": pl.Date(),
    "last_day": pl.Date(),
    "activity_id": pl.String(),
    "value": pl.Float64(),
    "threshold": pl.Float64(),
    "baseline": pl.Float64(),
    "before_days_logged": pl.Int64(),
    "before_min": pl.Int64(),
    "before_max": pl.Int64(),
    "after_days_logged": pl.Int64(),
    "after_days_pain": pl.Int64(),
    "after_min": pl.Int64(),
    "after_max": pl.Int64(),
}

#: the rules whose flags are load events, and the days each covers
EVENT_SPANS: dict[str, str] = {rule.id: rule.event for rule in RULES if rule.event is not None}

# the flags of a band reported for completeness are not events
_INFO_BANDS = sorted({band for rule in RULES for band, spec in rule.bands.items() if spec.info})


def load_events(flags: pl.DataFrame, journal: pl.DataFrame | None, *, window_days: int = 7) -> pl.DataFrame:
    """Each load event with the runner's pain in the days before and after it.

    A load event is a flag that fired of a rule declared with ``event`` (a
    session spike, a weekly jump, a run of days without rest; not the
    informational bands).  It covers the flag's day (``"day"``), its ISO week
    (``"week"``) or the streak of ``value`` days the flag is dated on day
    ``threshold`` of (``"streak"``): ``first_day`` to ``last_day``.  The pain
    of a day is its highest entry, whatever the timing.  *Before*: the
    ``window_days`` days before ``first_day``; *after*: the ``window_days`` days
    after ``last_day`` (the event's own days belong to neither: an entry on the
    day of a run may be from before it).

    Parameters
    ----------
    flags
        :data:`runback.schema.FLAGS` (any athletes).
    journal
        :data:`runback.schema.JOURNAL` (None or empty: the pain columns are null or 0).
    window_days
        Days before and after, default 7.

    Returns
    -------
    pl.DataFrame
        :data:`EVENTS`, sorted by athlete and date: ``before_days_logged`` /
        ``after_days_logged`` the days with an entry, ``before_min`` /
        ``before_max`` the lowest and highest daily pain before,
        ``after_days_pain`` the days after with pain 1 or more, ``after_min`` /
        ``after_max`` the lowest and highest of those days (null without).
    """
    spans = pl.col("rule").replace_strict(EVENT_SPANS, default=None, return_dtype=pl.String)
    events = flags.filter(
        pl.col("rule").is_in(list(EVENT_SPANS)), ~pl.col("band").is_in(_INFO_BANDS).fill_null(False)
    ).with_columns(_span=spans)
    streak_start = pl.col("date") - pl.duration(days=(pl.col("threshold").fill_null(1.0) - 1).cast(pl.Int64))
    events = events.with_columns(
        first_day=pl.when(pl.col("_span") == "streak").then(streak_start).otherwise(pl.col("date")),
    ).with_columns(
        last_day=pl.when(pl.col("_span") == "week")
        .then(pl.col("first_day") + pl.duration(days=6))
        .when(pl.col("_span") == "streak")
        .then(pl.col("first_day") + pl.duration(days=(pl.col("value").fill_null(1.0) - 1).cast(pl.Int64)))
        .otherwise(pl.col("first_day")),
    ).with_row_index("_event")
    pain = daily_pain(journal).rename({"date": "day"}) if journal is not None and journal.height else None
    if pain is None or events.is_empty():
        out = events.with_columns(
            before_days_logged=pl.lit(0, pl.Int64), after_days_logged=pl.lit(0, pl.Int64),
            after_days_pain=pl.lit(0, pl.Int64),
        )
        return schema.conform(out.select([c for c in EVENTS if c in out.columns]), EVENTS).sort("athlete", "date")
    window = pl.duration(days=window_days)
    paired = events.select("_event", "athlete", "first_day", "last_day").join(pain, on="athlete", how="inner")
    before = paired.filter(
        pl.col("day") >= pl.col("first_day") - window, pl.col("day") < pl.col("first_day")
    ).group_by("_event").agg(
        before_days_logged=pl.len().cast(pl.Int64), before_min=pl.col("pain").min(), before_max=pl.col("pain").max()
    )
    after = paired.filter(
        pl.col("day") > pl.col("last_day"), pl.col("day") <= pl.col("last_day") + window
    ).group_by("_event").agg(
        after_days_logged=pl.len().cast(pl.Int64),
        after_days_pain=(pl.col("pain") >= 1).sum().cast(pl.Int64),
        after_min=pl.col("pain").filter(pl.col("pain") >= 1).min(),
        after_max=pl.col("pain").filter(pl.col("pain") >= 1).max(),
    )
    out = (
        events.join(before, on="_event", how="left")
        .join(after, on="_event", how="left")
        .with_columns(pl.col("before_days_logged", "after_days_logged", "after_days_pain").fill_null(0))
    )
    return schema.conform(out.select(list(EVENTS)), EVENTS).sort("athlete", "date", "rule")


def event_before_pain(
    events: pl.DataFrame, journal: pl.DataFrame | None, as_of: dt.date, *, days: int = 14, gap_days: int = 7
) -> dict[str, Any] | None:
    """The most recent load event before the pain logged in the ``days`` days up to ``as_of``, however old.

    The pain of the window (a day with pain 1 or more) belongs to an episode
    that may have started before it: pain days less than ``gap_days`` apart
    (as :func:`runback.pain.rules.pain_persistent` counts an episode).  The
    event named is the last one that started on or before the episode's first
    day.  None without pain in the window or without such an event.

    Parameters
    ----------
    events
        :func:`load_events` of one athlete.
    journal
        :data:`runback.schema.JOURNAL` of that athlete.
    as_of
        The last day of the status window.

    Returns
    -------
    dict or None
        The event's row of :data:`EVENTS`, plus ``pain_start``: the episode's first day.
    """
    if journal is None or journal.is_empty():
        return None
    pain = daily_pain(journal).filter(pl.col("pain") >= 1, pl.col("date") <= as_of)
    pain_days: list[dt.date] = pain["date"].to_list()
    start = as_of - dt.timedelta(days=days - 1)
    in_window = [d for d in pain_days if d >= start]
    if not in_window:
        return None
    first = in_window[0]
    i = pain_days.index(first)
    while i > 0 and (pain_days[i] - pain_days[i - 1]).days < gap_days:
        i -= 1
    episode_start = pain_days[i]
    before = events.filter(pl.col("first_day") <= episode_start).sort("first_day", "date")
    if before.is_empty():
        return None
    return {**before.row(-1, named=True), "pain_start": episode_start}


@dataclasses.dataclass(frozen=True, eq=False)
class ReportInputs(Mapping[str, Any]):
    """Everything a runner's report shows, as the model computed it for one athlete.

    Also a read-only mapping of its fields, so ``build_runner_report(**inputs)``
    and ``inputs["flags"]`` work.
    """

    athlete: str
    activities: pl.DataFrame
    daily: pl.DataFrame
    weekly: pl.DataFrame
    flags: pl.DataFrame
    journal: pl.DataFrame
    pain_analysis: pl.DataFrame | None
    pmc: pl.DataFrame | None
    acwr: pl.DataFrame | None
    profile: Profile
    session_spikes: pl.DataFrame
    events: pl.DataFrame
    wellness: pl.DataFrame

    def __getitem__(self, key: str) -> Any:
        if key not in _INPUT_FIELDS:
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        return iter(_INPUT_FIELDS)

    def __len__(self) -> int:
        return len(_INPUT_FIELDS)


_INPUT_FIELDS = tuple(f.name for f in dataclasses.fields(ReportInputs))


def report_inputs(
    athlete: str,
    activities: pl.DataFrame,
    samples: pl.DataFrame | None = None,
    *,
    journal: pl.DataFrame | None = None,
    profile: Profile | None = None,
    wellness: pl.DataFrame | None = None,
    summaries: pl.DataFrame | None = None,
    profiles: Mapping[str, Profile] | None = None,
) -> ReportInputs:
    """Every frame of one runner's report, over the athlete's whole history.

    The report's ``since`` only limits what is shown, so baselines (the 30-day
    longest run, the previous weeks) stay right at the start of the period.
    The load is computed once, with the journal's RPE filling the runs that
    have none, and the report's daily load and its flags share it.

    Parameters
    ----------
    athlete
        Whose report.
    activities, samples
        schema.ACTIVITIES / schema.SAMPLES of that athlete.
    journal
        schema.JOURNAL of that athlete (None or empty: no journal).
    profile
        The profile values known (given or from a profile file); the rest is
        estimated (:func:`runback.load.estimate_profile`).
    wellness
        schema.WELLNESS of that athlete: the watch's sleep and stress (None: none).
    summaries
        :data:`runback.summaries.SUMMARIES` rows of the activities, read
        instead of ``samples``.
    profiles
        Already resolved profiles (athlete -> Profile): the athlete's is used
        as it is, instead of estimating from ``profile``.
    """
    journal = schema.empty(schema.JOURNAL) if journal is None else journal
    wellness = schema.empty(schema.WELLNESS) if wellness is None else schema.conform(wellness, schema.WELLNESS)
    summaries = summaries_of(samples, summaries)
    if profiles is not None and athlete in profiles:
        used = profiles[athlete]
    else:
        used = estimate_profile(activities, given=profile, summaries=summaries)
    resolved = {athlete: used}
    # flags() treats an empty journal (or wellness) as none
    rule_journal = journal if journal.height else None
    rule_wellness = wellness if wellness.height else None
    model = _load_model(activities, summaries, resolved, rule_journal)
    found = _run_rules(model, _runnable(rule_journal, rule_wellness, {}), rule_journal, rule_wellness, None, False, {})
    daily = model.daily
    # the pain analysis sees each run on the same local day as the load model
    runs = localize_runs(activities, resolved)
    has_days = not daily.is_empty()
    return ReportInputs(
        athlete=athlete,
        activities=activities,
        daily=daily,
        weekly=model.weekly,
        flags=found,
        journal=journal,
        pain_analysis=pain_vs_load(journal, runs, found, daily=daily) if not journal.is_empty() else None,
        pmc=pmc(daily) if has_days else None,
        acwr=acwr(daily) if has_days else None,
        profile=used,
        session_spikes=session_spikes(model.sessions, daily),
        events=load_events(found, journal),
        wellness=wellness,
    )
