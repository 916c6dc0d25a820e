"""``runback import`` and ``runback activities``: fill the store and list what it holds."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import polars as pl

from runback.cli._app import EXIT_INTERRUPTED, Exit, echo, fail
from runback.cli._options import OutputFormat, emit, require_athlete
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

JOURNAL_HEADER = {"date", "pain", "timing"}
"""A CSV whose header holds these columns is a pain journal, not an activity."""


def _journal_csv(path: Path) -> bool:
    """Whether ``path`` is a CSV file whose first line is a pain journal's header."""
    if path.suffix.lower() != ".csv" or not path.is_file():
        return False
    try:
        with path.open(encoding="utf-8-sig", errors="replace") as fh:
            header = fh.readline()
    except OSError:
        return False
    return JOURNAL_HEADER <= {name.strip().strip('"').lower() for name in header.split(",")}


@contextmanager
def _progress_bar(quiet: bool) -> Iterator[Callable[[int, int, str], None] | None]:
    """A transient progress bar on a terminal's stderr; rich is imported only when one is shown."""
    if quiet or not sys.stderr.isatty():  # a bar in a log file or a pipe is noise
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("importing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("import", total=None)

        def progress(done: int, total: int, name: str) -> None:
            bar.update(task, completed=done, total=total)

        yield progress


def import_command(args: argparse.Namespace) -> None:
    """Import runs into the store and print the summary; exit 1 when any file failed."""
    paths = [Path(p) for p in args.paths]
    journals = [p for p in paths if _journal_csv(p)]
    if journals:
        fail(f"{journals[0]} looks like a pain journal (date, pain, timing): "
             f"import it with `runback pain import {journals[0]}`")
    try:
        st = open_store(args.store)
        if getattr(args, "scheduler", None) is not None:
            # Dask is imported only when asked for
            from runback.cli._distributed import distributed_import

            summary = distributed_import(args, paths)
        else:
            with _progress_bar(args.quiet) as progress:
                summary = st.import_paths(paths, athlete=args.athlete, progress=progress, timezone=args.tz)
    except KeyboardInterrupt:
        # the batch is committed at once, at the end: Ctrl-C before then leaves the store as it was
        echo("interrupted: nothing from this run was stored", err=True)
        raise Exit(EXIT_INTERRUPTED) from None
    except RunbackError as exc:
        fail(str(exc))
    except Exception as exc:  # never a traceback for a runner
        fail(f"import stopped: {type(exc).__name__}: {exc}")
    for line in summary.lines():
        echo(line)
    if not summary.ok:
        raise Exit(1)


def activities_command(args: argparse.Namespace) -> None:
    """List the stored activities (JSON: a list of objects keyed by the activities columns)."""
    athlete: str | None = args.athlete
    st = open_store(args.store)
    require_athlete(st, athlete)
    acts = st.activities(athlete, keep_hidden=getattr(args, "raw", False))
    if OutputFormat(args.fmt) is OutputFormat.table:
        if acts.is_empty():
            echo("no activities stored" + (f" for {athlete}" if athlete else ""), err=True)
            return
        # the corrections column only where the runner made some
        shown = TABLE_COLUMNS + (["correction"] if acts["correction"].is_not_null().any() else [])
        acts = acts.select(shown).with_columns(
            pl.col("distance_m").round(0), pl.col("moving_s").round(0), pl.col("avg_hr_bpm").round(0)
        )
    emit(acts, args.fmt, sys.stdout)
