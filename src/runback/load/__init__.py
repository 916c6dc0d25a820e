"""The load model: what each runner carried, and the overload patterns docs/evidence.md flags.

Pipeline: :func:`session_load` (one row per activity) -> :func:`daily_load`
(one row per athlete per local day, rest days as zero rows) ->
:func:`weekly_load` (ISO weeks) -> the rules in :mod:`runback.load.rules`
(:data:`LOAD_RULES`), which :func:`runback.model.flags` runs with the journal
rules.  :func:`pmc`, :func:`acwr` and :func:`monotony` describe load over time.  The athlete :class:`Profile` (HRmax, HRrest, threshold pace, sex,
time zone) is given, read from a profile file, or estimated, and says which.
"""

from __future__ import annotations

import datetime as dt

from runback.errors import OptionError
from runback.sports import running_activity
from runback.load.metrics import daily_load, local_dates, resolve_profiles, session_load, weekly_load
from runback.load.pmc import acwr, monotony, pmc
from runback.load.profile import Profile, estimate_profile, load_profile, parse_pace, profile_path, read_profile
from runback.load.rules import LOAD_RULES, session_spikes

__all__ = [
    "LOAD_RULES",
    "Profile",
    "acwr",
    "daily_load",
    "estimate_profile",
    "load_profile",
    "local_dates",
    "monotony",
    "parse_pace",
    "parse_since",
    "pmc",
    "profile_path",
    "read_profile",
    "resolve_profiles",
    "running_activity",
    "session_load",
    "session_spikes",
    "weekly_load",
]


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
