"""`runback cohort`: one row per runner and where each sits in the group."""

from __future__ import annotations

import argparse

import polars as pl

from runback import schema
from runback.cli._app import echo
from runback.cli._options import OutputFormat, emit
from runback.cli._profile import given_profile
from runback.cohort import cohort, cohort_standing
from runback.load.profile import resolve_store_profiles
from runback.model import flags, localize_runs
from runback.pain.journal import read_journal
from runback.store import open_store

_TABLE_COLUMNS = ("athlete", "weeks", "runs", "weekly_distance_p10_m", "weekly_distance_p50_m",
                  "weekly_distance_p90_m", "flags_per_100_runs", "pain_entries", "weekly_distance_percentile",
                  "flag_rate_percentile")
"""What the table shows; CSV and JSON carry every column (the flag rate of each rule too)."""


def cohort_command(args: argparse.Namespace) -> None:
    """Print the cohort view of every runner in the store."""
    given, profile_file = given_profile(args)
    if args.scheduler is not None:
        # Dask is imported only when asked for
        from runback.cli._distributed import distributed_cohort

        rows = distributed_cohort(args, given, profile_file)
    else:
        st = open_store(args.store).snapshot()
        activities = st.activities()
        journal = read_journal(st)
        summaries = st.summaries() if activities.height else None
        profiles = resolve_store_profiles(st, activities, given=given, profile_file=profile_file, summaries=summaries)
        found = flags(activities, journal=journal if journal.height else None, profiles=profiles,
                      summaries=summaries, wellness=st.wellness()) if activities.height or journal.height else None
        zones = {name: p.timezone for name, p in profiles.items()}
        rows = cohort(localize_runs(activities, profiles), found if found is not None else schema.empty(schema.FLAGS), journal,
                      zones=zones)
    out = rows.join(cohort_standing(rows), on="athlete", how="left")
    fmt = OutputFormat(args.fmt)
    if fmt is OutputFormat.table and out.is_empty():
        # as `runback flags` does: say why there is nothing, rather than print an empty table
        echo("the store has no runners yet: import some first (runback import FILES --athlete NAME)", err=True)
        return
    if fmt is OutputFormat.table:
        emit(out.with_columns(pl.col(pl.Float64).round(1)), fmt, table_columns=_TABLE_COLUMNS)
    else:
        emit(out, fmt)

