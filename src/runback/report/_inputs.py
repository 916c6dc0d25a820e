"""From a store to the frames a report shows: the one place the report reads the store and calls the model."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import polars as pl

from runback.errors import OptionError
from runback.load.profile import Profile, resolve_store_profiles
from runback.model import ReportInputs
from runback.model import report_inputs as model_inputs
from runback.pain.journal import read_journal
from runback.store import open_store


def open_any_store(store: Any) -> Any:
    """A ``runback.store.Store`` from a Store, a path, or None (the default store)."""
    if hasattr(store, "activities") and hasattr(store, "athletes"):
        return store
    # one commit per athlete for the whole report, however long an import running meanwhile takes
    return open_store(None if store is None else Path(store)).snapshot()


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


def report_inputs(
    store: Any,
    athlete: str,
    *,
    profile: Profile | None = None,
    profile_file: str | os.PathLike[str] | None = None,
) -> ReportInputs:
    """Every frame :func:`runback.report.build_runner_report` takes, computed from the store.

    The athlete's activities, per-activity summaries (not the samples) and
    pain journal, and their profile: the values given in ``profile``, then
    those of their profile file (``profile_file`` instead of the store's where
    given), the rest estimated, exactly as ``runback flags`` resolves them,
    once (:func:`runback.model.report_inputs`).
    """
    activities = store.activities(athlete)
    summaries = store.summaries(athlete)
    resolved = resolve_store_profiles(
        store, activities, given=profile, profile_file=profile_file, athletes=[athlete], summaries=summaries
    )
    return model_inputs(
        athlete, activities, journal=read_journal(store, athlete), profiles=resolved, summaries=summaries,
        wellness=store.wellness(athlete),
    )


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
