"""`runback wellness list`: the device's nights and days, thin over Store.wellness."""

from __future__ import annotations

import argparse

from runback.cli._app import echo
from runback.cli._options import OutputFormat, emit, require_athlete
from runback.store import open_store

TABLE_COLUMNS = ("athlete", "date", "sleep_h", "sleep_score", "stress_avg", "resting_hr_bpm", "source")
"""What ``runback wellness list`` shows as a table; CSV and JSON carry every column."""


def list_command(args: argparse.Namespace) -> None:
    """List the nights and days the watch recorded."""
    st = open_store(args.store)
    require_athlete(st, args.athlete)
    days = st.wellness(args.athlete)
    fmt = OutputFormat(args.fmt)
    if fmt is OutputFormat.table:
        if days.is_empty():
            echo(f"no sleep or stress from a watch in the store at {st.root}: import a Garmin Connect export "
                 "(runback import export.zip)", err=True)
            return
        emit(days.with_columns(days["sleep_h"].round(2)), fmt, table_columns=TABLE_COLUMNS)
    else:
        emit(days, fmt)
