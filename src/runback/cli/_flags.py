"""`runback flags`: print the load flags of the runs in the store."""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl

from runback import schema
from runback.cli._app import echo
from runback.cli._options import OutputFormat, emit, require_athlete
from runback.cli._profile import given_profile
from runback.load import parse_since
from runback.load.profile import resolve_store_profiles
from runback.model import flags
from runback.pain.journal import read_journal
from runback.store import Store, open_store

_TABLE_COLUMNS = ("athlete", "date", "rule", "band", "value", "threshold", "message_en")
"""What ``runback flags`` shows as a table; CSV and JSON carry every column."""


def flags_command(args: argparse.Namespace) -> None:
    """Flag the training patterns docs/evidence.md associates with low-back overload."""
    since_day = parse_since(args.since)
    given, profile_file = given_profile(args)
    athlete: str | None = args.athlete
    fmt = OutputFormat(args.fmt)
    if args.scheduler is not None:
        # Dask is imported only when asked for
        from runback.cli._distributed import distributed_flags

        _emit(distributed_flags(args, given, profile_file), fmt)
        return
    st = open_store(args.store).snapshot()  # activities, summaries and journal of one commit
    require_athlete(st, athlete)
    activities = st.activities(athlete)
    journal = _journal(st, athlete)
    if activities.height == 0 and journal is None:
        if fmt is OutputFormat.table:
            # as `runback report` does: say why there is nothing, rather than print an empty table
            echo(f"the store at {st.root} has no activities and no pain journal yet: import some first "
                 "(runback import FILES, runback pain add PAIN --timing WHEN)", err=True)
            return
        emit(schema.empty(schema.FLAGS), fmt)
        return
    # the per-activity summaries hold all the model needs from samples; the profile is resolved once
    summaries = st.summaries(athlete) if activities.height else None
    profiles = resolve_store_profiles(st, activities, given=given, profile_file=profile_file, summaries=summaries)
    out = flags(activities, journal=journal, profiles=profiles, summaries=summaries, since=since_day,
                include_acwr=args.include_acwr, wellness=st.wellness(athlete))
    _emit(out, fmt)


def _emit(out: pl.DataFrame, fmt: OutputFormat) -> None:
    if fmt is OutputFormat.table:
        emit(out.with_columns(pl.col("value", "threshold").round(3)), fmt, table_columns=_TABLE_COLUMNS)
    else:
        emit(out, fmt)


def _journal(st: Store, athlete: str | None) -> pl.DataFrame | None:
    """The stored pain journal, where one exists."""
    journal = read_journal(st, athlete)
    return journal if journal.height else None
