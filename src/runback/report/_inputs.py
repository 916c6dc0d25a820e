"""From a store to the frames a report shows: the one place the report calls the model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from runback.errors import OptionError
from runback.load import acwr, daily_load, estimate_profile, pmc, profile_path, read_profile, session_load
from runback.load import session_spikes, weekly_load
from runback.model import flags as model_flags
from runback.model import localize_runs
from runback.pain import pain_vs_load
from runback.pain.journal import read_journal
from runback.store import open_store


def open_any_store(store: Any) -> Any:
    """A ``runback.store.Store`` from a Store, a path, or None (the default store)."""
    if hasattr(store, "activities") and hasattr(store, "athletes"):
        return store
    return open_store(None if store is None else Path(store))


def resolve_athlete(store: Any, athlete: str | None) -> str:
    """The athlete to report on: the one given (if the store has it), or the store's only athlete.

    Raises
    ------
    OptionError
        The store is empty, the athlete is not in it, or it holds several and none was chosen.
    """
    athletes: list[str] = sorted(store.athletes())
    if not athletes:
        raise OptionError(f"the store at {store.root} has no activities yet: import some first")
    if athlete is None:
        if len(athletes) == 1:
            return athletes[0]
        raise OptionError(
            f"the store holds {len(athletes)} athletes; choose one with --athlete: {', '.join(athletes)}"
        )
    if athlete not in athletes:
        raise OptionError(f"no athlete {athlete!r} in the store; it holds: {', '.join(athletes)}")
    return athlete


def report_inputs(store: Any, athlete: str) -> dict[str, Any]:
    """Every frame :func:`runback.report.build_runner_report` takes, computed from the store.

    The model always runs over the athlete's whole history; the report's
    ``since`` only limits what is shown, so baselines (the 30-day longest run,
    the previous weeks) stay right at the start of the period.
    """
    activities = store.activities(athlete)
    samples = store.samples(athlete)
    journal = read_journal(store, athlete)
    profile = estimate_profile(activities, samples, given=_given_profile(store, athlete))
    sessions = session_load(activities, samples, profile=profile)
    daily = daily_load(activities, samples, sessions=sessions)
    weekly = weekly_load(daily)
    flags = model_flags(activities, samples, journal=journal if not journal.is_empty() else None, profile=profile)
    # the pain analysis sees each run on the same local day as the load model
    runs = localize_runs(activities, {athlete: profile})
    analysis = pain_vs_load(journal, runs, flags, daily=daily) if not journal.is_empty() else None
    return {
        "athlete": athlete,
        "activities": activities,
        "daily": daily,
        "weekly": weekly,
        "flags": flags,
        "journal": journal,
        "pain_analysis": analysis,
        "pmc": pmc(daily) if not daily.is_empty() else None,
        "acwr": acwr(daily) if not daily.is_empty() else None,
        "profile": profile,
        "session_spikes": session_spikes(sessions, daily),
    }


def _given_profile(store: Any, athlete: str) -> Any:
    """The athlete's saved profile, ``<store>/profiles/<athlete>.toml``, where one exists."""
    path = profile_path(store.root, athlete)
    return read_profile(path) if path.is_file() else None


def last_day(*frames: tuple[pl.DataFrame | None, str]) -> Any:
    """The latest date in any of the given (frame, date column) pairs, or None."""
    days = []
    for df, col in frames:
        if df is None or df.is_empty():
            continue
        value = df[col].max()
        if value is not None:
            days.append(value.date() if hasattr(value, "date") and callable(value.date) else value)
    return max(days) if days else None
