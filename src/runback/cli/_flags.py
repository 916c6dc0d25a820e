"""`runback flags`: print the load flags of the runs in the store."""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl

from runback import schema
from runback.cli._app import echo
from runback.cli._options import OutputFormat, emit
from runback.errors import OptionError
from runback.load import Profile, parse_pace, parse_since, profile_path, read_profile
from runback.model import flags
from runback.pain.journal import read_journal
from runback.store import Store, open_store

_TABLE_COLUMNS = ("athlete", "date", "rule", "band", "value", "threshold", "message_en")
"""What ``runback flags`` shows as a table; CSV and JSON carry every column."""


def _profiles(
    store_root: Path,
    athletes: list[str],
    *,
    profile_file: Path | None,
    given: Profile,
) -> dict[str, Profile]:
    """Per athlete: options given on the command line, then the profile file, then estimates."""
    out: dict[str, Profile] = {}
    file_profile = read_profile(profile_file) if profile_file is not None else None
    for name in athletes:
        from_file = file_profile
        if from_file is None:
            path = profile_path(store_root, name)
            from_file = read_profile(path) if path.is_file() else None
        out[name] = given.merged(from_file)
    return out


def flags_command(args: argparse.Namespace) -> None:
    """Flag the training patterns docs/evidence.md associates with low-back overload."""
    since_day = parse_since(args.since)
    if args.sex is not None and args.sex not in ("male", "female"):
        raise OptionError(f"--sex must be male or female, not {args.sex!r}")
    pace = parse_pace(args.threshold_pace) if args.threshold_pace is not None else None
    given = Profile.given(sex=args.sex, hr_max_bpm=args.hr_max, hr_rest_bpm=args.hr_rest,
                          threshold_pace_s_per_km=pace, timezone=args.tz)
    athlete: str | None = args.athlete
    st = open_store(args.store)
    if athlete is not None and athlete not in st.athletes():
        known = ", ".join(st.athletes()) or "none yet"
        raise OptionError(f"no athlete {athlete!r} in the store {st.root} (athletes: {known})")
    activities = st.activities(athlete)
    journal = _journal(st, athlete)
    fmt = OutputFormat(args.fmt)
    if activities.height == 0 and journal is None:
        if fmt is OutputFormat.table:
            # as `runback report` does: say why there is nothing, rather than print an empty table
            echo(f"the store at {st.root} has no activities and no pain journal yet: import some first "
                 "(runback import FILES, runback pain add PAIN --timing WHEN)", err=True)
            return
        emit(schema.empty(schema.FLAGS), fmt)
        return
    samples = st.samples(athlete) if activities.height else None
    athletes = sorted(activities.get_column("athlete").unique().to_list())
    profile_file = Path(args.profile) if args.profile is not None else None
    profiles = _profiles(Path(st.root), athletes, profile_file=profile_file, given=given)
    out = flags(activities, samples, journal=journal, profile=profiles, since=since_day,
                include_acwr=args.include_acwr)
    if fmt is OutputFormat.table:
        emit(out.with_columns(pl.col("value", "threshold").round(3)), fmt, table_columns=_TABLE_COLUMNS)
    else:
        emit(out, fmt)


def _journal(st: Store, athlete: str | None) -> pl.DataFrame | None:
    """The stored pain journal, where one exists."""
    journal = read_journal(st, athlete)
    return journal if journal.height else None
