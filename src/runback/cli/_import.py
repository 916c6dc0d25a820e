"""``runback import`` and ``runback activities``: fill the store and list what it holds."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, NoReturn

import polars as pl
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from runback.cli._app import app
from runback.cli._options import (
    DEFAULT_ATHLETE,
    AthleteOpt,
    FormatOpt,
    ImportAthleteOpt,
    OutputFormat,
    QuietOpt,
    StoreOpt,
    emit,
)
from runback.errors import RunbackError
from runback.store import open_store

TABLE_COLUMNS = [
    "athlete",
    "start_time_local",
    "sport",
    "name",
    "distance_m",
    "moving_s",
    "avg_hr_bpm",
    "format",
    "activity_id",
]
"""What ``runback activities`` shows as a table; CSV and JSON carry every column."""


def _fail(message: str) -> NoReturn:
    """One line on stderr and exit status 1 (typer's vendored click ignores click.ClickException)."""
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(1)


@app.command("import")
def import_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="FIT, GPX or TCX files (also .gz), zip files (Strava or Garmin Connect exports) or folders.",
            show_default=False,
        ),
    ],
    store: StoreOpt = None,
    athlete: ImportAthleteOpt = DEFAULT_ATHLETE,
    tz: Annotated[
        str | None,
        typer.Option(
            "--tz",
            help="The athlete's time zone (e.g. Europe/Amsterdam): GPX and TCX hold UTC times only, "
            "so their local start is placed in it. FIT files keep the offset the watch recorded.",
            show_default=False,
        ),
    ] = None,
    quiet: QuietOpt = False,
) -> None:
    """Import runs into the store; files imported before are not read again.

    Ends with a summary: imported, already present, duplicates, skipped (not an
    activity) and failed, then each failure as FILE: reason. Exit status 1 when
    any file failed.
    """
    st = open_store(store)
    console = Console(stderr=True)
    with Progress(
        TextColumn("importing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=quiet,
    ) as bar:
        task = bar.add_task("import", total=None)

        def progress(done: int, total: int, name: str) -> None:
            bar.update(task, completed=done, total=total)

        try:
            summary = st.import_paths(paths, athlete=athlete, progress=progress, timezone=tz)
        except RunbackError as exc:
            _fail(str(exc))
        except Exception as exc:  # never a traceback for a runner
            _fail(f"import stopped: {type(exc).__name__}: {exc}")
    for line in summary.lines():
        typer.echo(line)
    if not summary.ok:
        raise typer.Exit(1)


@app.command("activities")
def activities_command(
    store: StoreOpt = None,
    athlete: AthleteOpt = None,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """List the stored activities (JSON: a list of objects keyed by the activities columns)."""
    try:
        st = open_store(store)
        if athlete is not None and athlete not in st.athletes():
            # a typo must not read as "this runner has no runs" (as in `runback flags`)
            known = ", ".join(st.athletes()) or "none yet"
            _fail(f"no athlete {athlete!r} in the store {st.root} (athletes: {known})")
        acts = st.activities(athlete)
    except RunbackError as exc:
        _fail(str(exc))
    if OutputFormat(fmt) is OutputFormat.table:
        if acts.is_empty():
            typer.echo("no activities stored" + (f" for {athlete}" if athlete else ""), err=True)
            return
        acts = acts.select(TABLE_COLUMNS).with_columns(
            pl.col("distance_m").round(0), pl.col("moving_s").round(0), pl.col("avg_hr_bpm").round(0)
        )
    emit(acts, fmt, sys.stdout)
