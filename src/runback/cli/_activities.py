"""`runback activities exclude|include|set|merge` and `runback check`: thin over the Store's corrections and runback.checks."""

from __future__ import annotations

import argparse

import polars as pl

from runback.checks import check_store
from runback.cli._app import echo
from runback.cli._options import OutputFormat, emit, require_athlete
from runback.cli._profile import given_profile
from runback.store import Correction, Store, open_store

CHECK_TABLE_COLUMNS = ("athlete", "check", "message", "fix")
"""What ``runback check`` shows as a table; CSV and JSON carry every column."""


def _store(args: argparse.Namespace) -> Store:
    return open_store(getattr(args, "store", None))


def _said(correction: Correction) -> None:
    echo(correction.message)


def exclude_command(args: argparse.Namespace) -> None:
    """Stop counting an activity; it stays stored."""
    _said(_store(args).exclude(args.activity_id, getattr(args, "athlete", None), note=args.note))


def include_command(args: argparse.Namespace) -> None:
    """Count an excluded (or merged-away) activity again."""
    _said(_store(args).include(args.activity_id, getattr(args, "athlete", None)))


def set_command(args: argparse.Namespace) -> None:
    """Set an activity's sport."""
    _said(_store(args).set_sport(args.activity_id, args.sport, getattr(args, "athlete", None)))


def merge_command(args: argparse.Namespace) -> None:
    """Count two activities as one run."""
    first, second = args.activity_ids
    _said(_store(args).merge(first, second, getattr(args, "athlete", None)))


def check_command(args: argparse.Namespace) -> None:
    """List what looks wrong in the stored activities, each with the command that fixes it."""
    given, profile_file = given_profile(args)
    st = _store(args).snapshot()  # activities and samples of one commit
    require_athlete(st, args.athlete)
    found = check_store(st, args.athlete, given=given, profile_file=profile_file)
    fmt = OutputFormat(args.fmt)
    if fmt is OutputFormat.table:
        if found.is_empty():
            echo(f"nothing to check: the store at {st.root} has no activities"
                 + (f" for {args.athlete}" if args.athlete else ""), err=True)
            return
        emit(found.with_columns(pl.col("fix").fill_null("")), fmt, table_columns=CHECK_TABLE_COLUMNS)
    else:
        emit(found, fmt)
