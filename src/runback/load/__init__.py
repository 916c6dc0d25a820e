"""The load model: what each runner carried, and the overload patterns docs/evidence.md flags.

Pipeline: :func:`session_load` (one row per activity) -> :func:`daily_load`
(one row per athlete per local day, rest days as zero rows) ->
:func:`weekly_load` (ISO weeks) -> the rules in :mod:`runback.load.rules` ->
:func:`flags`.  :func:`pmc`, :func:`acwr` and :func:`monotony` describe load
over time.  The athlete :class:`Profile` (HRmax, HRrest, threshold pace, sex,
time zone) is given, read from a profile file, or estimated, and says which.
"""

from __future__ import annotations

import datetime as dt
import inspect
from typing import Any

import polars as pl

from runback import schema
from runback.errors import OptionError
from runback.load._sport import running_activity
from runback.load.metrics import daily_load, resolve_profiles, session_load, weekly_load
from runback.load.pmc import acwr, monotony, pmc
from runback.load.profile import Profile, estimate_profile, load_profile, parse_pace, profile_path, read_profile
from runback.load.rules import RULES

__all__ = [
    "Profile",
    "acwr",
    "daily_load",
    "estimate_profile",
    "flags",
    "load_profile",
    "monotony",
    "parse_pace",
    "parse_since",
    "pmc",
    "profile_path",
    "read_profile",
    "resolve_profiles",
    "session_load",
    "weekly_load",
]

_RULE_PARAMS: dict[str, set[str]] = {
    rule: {
        name
        for name, p in inspect.signature(fn).parameters.items()
        if p.kind is inspect.Parameter.KEYWORD_ONLY
    }
    for rule, fn in RULES.items()
}


def parse_since(since: str | dt.date | dt.datetime | None) -> dt.date | None:
    """A ``since`` value as a date: a date, a datetime, or "YYYY-MM-DD".

    Raises
    ------
    OptionError
        For anything else.
    """
    if since is None or (isinstance(since, dt.date) and not isinstance(since, dt.datetime)):
        return since
    if isinstance(since, dt.datetime):
        return since.date()
    try:
        return dt.date.fromisoformat(str(since).strip())
    except ValueError as exc:
        raise OptionError(f"bad date {since!r}: use YYYY-MM-DD, e.g. 2024-03-01") from exc


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

    Runs the load rules ``session_spike``, ``weekly_jump``, ``intensity_jump``,
    ``no_rest`` and ``monotony`` (and ``acwr`` when ``include_acwr``) over the
    whole history, then keeps the flags dated on or after ``since``.

    Parameters
    ----------
    activities
        schema.ACTIVITIES (any number of athletes).
    samples
        schema.SAMPLES, optional (needed for per-sample TRIMP, zones and
        threshold minutes).
    journal
        schema.JOURNAL, optional: fills missing ``activities.rpe`` (session-RPE)
        and adds the pain rules of :mod:`runback.pain.rules`.
    profile
        A :class:`Profile` for every athlete, or athlete -> Profile; missing
        values are estimated (see :func:`estimate_profile`).
    since
        Keep flags dated on or after this day (date or "YYYY-MM-DD").
    include_acwr
        Add the opt-in ``acwr`` labels (docs/evidence.md: contested evidence).
    **thresholds
        Keyword parameters of the rule functions in :mod:`runback.load.rules`,
        e.g. ``spike_bands=(0.1, 0.3, 1.0)``, ``max_run_days=7``,
        ``monotony_cutoff=2.0``, ``acwr_high=1.5``.

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
    has_journal = journal is not None
    pain_params: set[str] = set()
    if has_journal:
        from runback.pain.journal import apply_journal_rpe
        from runback.pain.rules import pain_flags

        pain_params = {
            name
            for name, p in inspect.signature(pain_flags).parameters.items()
            if p.kind is inspect.Parameter.KEYWORD_ONLY and name not in ("activities", "load_flags", "daily")
        }
    load_params = set().union(*_RULE_PARAMS.values())
    unknown = sorted(set(thresholds) - load_params - pain_params)
    if unknown:
        known = ", ".join(sorted(load_params | pain_params))
        raise OptionError(f"unknown threshold(s) {', '.join(unknown)}; known: {known}")
    if journal is not None:
        # the journal helpers look for sport "running": name the runs the load model
        # infers (GPX files without a type import as "generic") so before handing over
        activities = activities.with_columns(
            sport=pl.when(running_activity()).then(pl.lit("running")).otherwise(pl.col("sport"))
        )
        activities = apply_journal_rpe(activities, journal)
    profiles = resolve_profiles(activities, samples, profile)
    sessions = session_load(activities, samples, profiles=profiles)
    daily = daily_load(activities, samples, sessions=sessions)
    weekly = weekly_load(daily)

    def kw(rule: str) -> dict[str, Any]:
        return {k: v for k, v in thresholds.items() if k in _RULE_PARAMS[rule]}

    parts = [
        RULES["session_spike"](sessions, daily, **kw("session_spike")),
        RULES["weekly_jump"](weekly, **kw("weekly_jump")),
        RULES["intensity_jump"](weekly, **kw("intensity_jump")),
        RULES["no_rest"](daily, **kw("no_rest")),
        RULES["monotony"](daily, **kw("monotony")),
    ]
    if include_acwr:
        parts.append(RULES["acwr"](daily, **kw("acwr")))
    out = pl.concat(parts, how="vertical")
    if journal is not None:
        pain_kw = {k: v for k, v in thresholds.items() if k in pain_params}
        pain = pain_flags(journal, activities=activities, load_flags=out, daily=daily, **pain_kw)
        out = pl.concat([out, schema.conform(pain, schema.FLAGS)], how="vertical")
    if since_day is not None:
        out = out.filter(pl.col("date") >= since_day)
    return out.sort("athlete", "date", "rule", "activity_id", nulls_last=True)
