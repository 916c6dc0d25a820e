"""`runback flags`: print the load flags of the runs in the store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import polars as pl
import typer

from runback import schema
from runback.cli._app import app
from runback.cli._options import AthleteOpt, FormatOpt, OutputFormat, StoreOpt, emit
from runback.errors import OptionError
from runback.load import Profile, parse_pace, parse_since, profile_path, read_profile
from runback.model import flags


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


def _open(store: Path | None) -> Any:
    from runback import store as store_mod  # open_store is the import helper's area

    return store_mod.open_store(store)


@app.command("flags")
def flags_cmd(
    store: StoreOpt = None,
    athlete: AthleteOpt = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Only flags on or after this day (YYYY-MM-DD).", show_default=False),
    ] = None,
    fmt: FormatOpt = OutputFormat.table,
    include_acwr: Annotated[
        bool,
        typer.Option("--acwr", help="Also label acute:chronic load ratios of 1.5 or more (contested evidence)."),
    ] = False,
    profile: Annotated[
        Path | None,
        typer.Option(
            "--profile",
            help="Profile TOML file (default: <store>/profiles/<athlete>.toml where it exists).",
            show_default=False,
        ),
    ] = None,
    hr_max: Annotated[
        float | None, typer.Option("--hr-max", help="Maximal heart rate, bpm.", show_default=False)
    ] = None,
    hr_rest: Annotated[
        float | None, typer.Option("--hr-rest", help="Resting heart rate, bpm.", show_default=False)
    ] = None,
    sex: Annotated[
        str | None,
        typer.Option("--sex", help="male or female (Banister TRIMP coefficients).", show_default=False),
    ] = None,
    threshold_pace: Annotated[
        str | None,
        typer.Option("--threshold-pace", help="Threshold pace, MM:SS per km.", show_default=False),
    ] = None,
    tz: Annotated[
        str | None,
        typer.Option(
            "--tz",
            help="IANA time zone for activities recorded without local time (GPX, TCX), e.g. Europe/Amsterdam.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Flag the training patterns docs/evidence.md associates with low-back overload.

    Rules: session_spike, weekly_jump, intensity_jump, no_rest, monotony (and
    acwr with --acwr), plus the pain rules where a journal is stored. Each flag
    says what was measured and what studies of runners showed; never a diagnosis.
    """
    since_day = parse_since(since)
    if sex is not None and sex not in ("male", "female"):
        raise OptionError(f"--sex must be male or female, not {sex!r}")
    pace = parse_pace(threshold_pace) if threshold_pace is not None else None
    given = Profile.given(sex=sex, hr_max_bpm=hr_max, hr_rest_bpm=hr_rest, threshold_pace_s_per_km=pace, timezone=tz)
    st = _open(store)
    if athlete is not None and athlete not in st.athletes():
        known = ", ".join(st.athletes()) or "none yet"
        raise OptionError(f"no athlete {athlete!r} in the store {st.root} (athletes: {known})")
    activities = st.activities(athlete)
    journal = _journal(st, athlete)
    if activities.height == 0 and journal is None:
        emit(schema.empty(schema.FLAGS), fmt)
        return
    samples = st.samples(athlete) if activities.height else None
    athletes = sorted(activities.get_column("athlete").unique().to_list())
    profiles = _profiles(Path(st.root), athletes, profile_file=profile, given=given)
    out = flags(activities, samples, journal=journal, profile=profiles, since=since_day, include_acwr=include_acwr)
    emit(out.with_columns(pl.col("value", "threshold").round(3)) if fmt == OutputFormat.table else out, fmt,
         table_columns=_TABLE_COLUMNS)


_TABLE_COLUMNS = ("athlete", "date", "rule", "band", "value", "threshold", "message_en")
"""What ``runback flags`` shows as a table; CSV and JSON carry every column."""


def _journal(st: Any, athlete: str | None) -> pl.DataFrame | None:
    """The stored pain journal, where the pain area is installed and one exists."""
    try:
        from runback.pain.journal import read_journal
    except ImportError:
        return None
    journal = read_journal(st, athlete)
    return journal if journal.height else None
