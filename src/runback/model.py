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
from runback.pain import pain_vs_load
from runback.pain.journal import apply_journal_rpe
from runback.pain.rules import JOURNAL_RULES
from runback.registry import Rule
from runback.sports import running_activity

__all__ = ["RULES", "RULES_BY_ID", "ReportInputs", "flags", "known_thresholds", "localize_runs", "report_inputs"]

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
        threshold minutes).
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
    available = {"sessions", "daily", "weekly", "activities", "load_flags"} | ({"journal"} if journal is not None else set())
    runnable = tuple(rule for rule in RULES if set(rule.inputs) <= available)
    known = known_thresholds(runnable)
    unknown = sorted(set(thresholds) - set(known))
    if unknown:
        raise OptionError(f"unknown threshold(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    profiles = resolve_profiles(activities, samples, profile)
    if journal is not None:
        activities = apply_journal_rpe(localize_runs(activities, profiles), journal)
    sessions = session_load(activities, samples, profiles=profiles)
    daily = daily_load(activities, samples, sessions=sessions)
    frames: dict[str, pl.DataFrame | None] = {
        "sessions": sessions,
        "daily": daily,
        "weekly": weekly_load(daily),
        "activities": schema.conform(activities, schema.ACTIVITIES),
        "journal": None if journal is None else schema.conform(journal, schema.JOURNAL),
    }
    chosen = [rule for rule in runnable if rule.default or include_acwr]
    load = [rule.run(frames, thresholds) for rule in chosen if rule.kind == "load"]
    frames["load_flags"] = pl.concat(load, how="vertical")
    parts = [*load, *(rule.run(frames, thresholds) for rule in chosen if rule.kind == "journal")]
    out = pl.concat([schema.conform(part, schema.FLAGS) for part in parts], how="vertical")
    if since_day is not None:
        out = out.filter(pl.col("date") >= since_day)
    return out.sort("athlete", "date", "rule", "activity_id", nulls_last=True)


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
) -> ReportInputs:
    """Every frame of one runner's report, over the athlete's whole history.

    The report's ``since`` only limits what is shown, so baselines (the 30-day
    longest run, the previous weeks) stay right at the start of the period.

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
    """
    journal = schema.empty(schema.JOURNAL) if journal is None else journal
    used = estimate_profile(activities, samples, given=profile)
    sessions = session_load(activities, samples, profile=used)
    daily = daily_load(activities, samples, sessions=sessions)
    found = flags(activities, samples, journal=journal if not journal.is_empty() else None, profile=used)
    # the pain analysis sees each run on the same local day as the load model
    runs = localize_runs(activities, {athlete: used})
    has_days = not daily.is_empty()
    return ReportInputs(
        athlete=athlete,
        activities=activities,
        daily=daily,
        weekly=weekly_load(daily),
        flags=found,
        journal=journal,
        pain_analysis=pain_vs_load(journal, runs, found, daily=daily) if not journal.is_empty() else None,
        pmc=pmc(daily) if has_days else None,
        acwr=acwr(daily) if has_days else None,
        profile=used,
        session_spikes=session_spikes(sessions, daily),
    )
