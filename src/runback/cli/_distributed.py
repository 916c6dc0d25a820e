"""The command line's ``--scheduler``: connect to Dask, check the store is shared, run the operation there.

Imported only when ``--scheduler`` is given, so a plain command never loads Dask.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import polars as pl

from runback import distributed
from runback.io import ImportSummary
from runback.load.profile import Profile
from runback.store import open_store


def distributed_flags(args: argparse.Namespace, given: Profile | None,
                      profile_file: str | os.PathLike[str] | None) -> pl.DataFrame:
    st = open_store(args.store)
    with distributed.connect(args.scheduler) as client:
        distributed.check_shared_store(client, st)
        return distributed.flags(client, st, athlete=args.athlete, since=args.since, include_acwr=args.include_acwr,
                                 profile=given, profile_file=profile_file)


def distributed_cohort(args: argparse.Namespace, given: Profile | None,
                       profile_file: str | os.PathLike[str] | None) -> pl.DataFrame:
    st = open_store(args.store)
    with distributed.connect(args.scheduler) as client:
        distributed.check_shared_store(client, st)
        return distributed.cohort(client, st, profile=given, profile_file=profile_file)


def distributed_team_report(args: argparse.Namespace, given: Profile | None,
                            profile_file: str | os.PathLike[str] | None) -> Path:
    st = open_store(args.store)
    with distributed.connect(args.scheduler) as client:
        distributed.check_shared_store(client, st)
        return distributed.team_report(client, st, Path(args.output), lang=args.lang, profile=given,
                                       profile_file=profile_file)


def distributed_import(args: argparse.Namespace, paths: list[Path]) -> ImportSummary:
    st = open_store(args.store)
    with distributed.connect(args.scheduler) as client:
        distributed.check_shared_store(client, st)
        return distributed.import_paths(client, st, paths, athlete=args.athlete, timezone=args.tz)
