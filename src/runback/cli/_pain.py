"""`runback pain ...`: log, list and import the pain journal; thin over runback.pain.journal."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from runback.cli._app import _Group, app
from runback.cli._options import (
    DEFAULT_ATHLETE,
    AthleteOpt,
    FormatOpt,
    OutputFormat,
    StoreOpt,
    emit,
)
from runback.errors import OptionError
from runback.pain.journal import (
    CSV_COLUMNS_DOC,
    add_entry,
    import_journal_csv,
    read_journal,
    write_template,
)

pain_app = typer.Typer(
    cls=_Group,
    name="pain",
    help="Log how your back feels (pain 0-10), list the journal, import or start a journal CSV.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(pain_app, name="pain")

JournalAthleteOpt = Annotated[
    str | None,
    typer.Option(
        "--athlete",
        help=f"Athlete the entries belong to (default: the store's only athlete; '{DEFAULT_ATHLETE}' in an empty store).",
        show_default=False,
    ),
]


def _journal_athlete(store: Path | None, athlete: str | None) -> str:
    """The athlete given, else the store's only one, so a runner imported as ``anna`` logs as ``anna``."""
    if athlete is not None:
        return athlete
    from runback.store import open_store

    athletes = open_store(store).athletes()
    if not athletes:
        return DEFAULT_ATHLETE
    if len(athletes) == 1:
        return athletes[0]
    raise OptionError(f"the store holds {len(athletes)} athletes; choose one with --athlete: {', '.join(athletes)}")


_COLUMNS_HELP = "; ".join(f"{name}: {doc}" for name, doc in CSV_COLUMNS_DOC.items())


@pain_app.command("add")
def add_cmd(
    pain: Annotated[int, typer.Argument(help="Pain 0-10 (0 none, 10 worst).", show_default=False)],
    timing: Annotated[
        str, typer.Option("--timing", help="during, after, next_morning or other.", show_default=False)
    ],
    date: Annotated[
        str | None, typer.Option("--date", help="Day, YYYY-MM-DD (default: today).", show_default=False)
    ] = None,
    time: Annotated[str | None, typer.Option("--time", help="Time of day, HH:MM.", show_default=False)] = None,
    location: Annotated[
        str | None, typer.Option("--location", help="Where it hurts (default: low back).", show_default=False)
    ] = None,
    sleep: Annotated[
        float | None, typer.Option("--sleep", help="Hours slept last night.", show_default=False)
    ] = None,
    sleep_quality: Annotated[
        int | None,
        typer.Option("--sleep-quality", help="Sleep quality 1 (very poor) to 5 (very good).", show_default=False),
    ] = None,
    stress: Annotated[
        int | None, typer.Option("--stress", help="Stress 1 (none) to 5 (very high).", show_default=False)
    ] = None,
    rpe: Annotated[
        float | None, typer.Option("--rpe", help="How hard the run felt, 0-10.", show_default=False)
    ] = None,
    activity: Annotated[
        str | None, typer.Option("--activity", help="The activity id the entry is about.", show_default=False)
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="Free text.", show_default=False)] = None,
    store: StoreOpt = None,
    athlete: JournalAthleteOpt = None,
) -> None:
    """Add one journal entry, e.g. `runback pain add 4 --timing after --sleep 6.5 --stress 4`."""
    athlete = _journal_athlete(store, athlete)
    stored = set(read_journal(store, athlete)["entry_id"].to_list())
    entry = add_entry(
        store,
        pain,
        timing,
        date=date,
        time=time,
        location=location,
        sleep_h=sleep,
        sleep_quality=sleep_quality,
        stress=stress,
        rpe=rpe,
        activity_id=activity,
        note=note,
        athlete=athlete,
    )
    row = entry.row(0, named=True)
    if row["entry_id"] in stored:
        typer.echo(f"Already in the journal, not added again [entry {row['entry_id']}].")
        return
    typer.echo(
        f"Logged pain {row['pain']}/10 ({row['timing']}) on {row['date']} for {row['athlete']} "
        f"[entry {row['entry_id']}]."
    )


@pain_app.command("list")
def list_cmd(
    store: StoreOpt = None,
    athlete: AthleteOpt = None,
    fmt: FormatOpt = OutputFormat.table,
) -> None:
    """List the journal entries, oldest first."""
    emit(read_journal(store, athlete), fmt)


@pain_app.command(
    "import",
    help=f"Import a journal CSV: all rows or none; entries already stored are skipped; the file is only read. Columns: {_COLUMNS_HELP}.",
    short_help="Import a journal CSV (all rows or none; twice adds nothing).",
)
def import_cmd(
    file: Annotated[Path, typer.Argument(help="The journal CSV; it is only read.", show_default=False)],
    store: StoreOpt = None,
    athlete: JournalAthleteOpt = None,
) -> None:
    athlete = _journal_athlete(store, athlete)
    added = import_journal_csv(store, file, athlete=athlete)
    typer.echo(f"Imported {added} new journal entr{'y' if added == 1 else 'ies'} from {file} for {athlete}.")


@pain_app.command(
    "template",
    help=f"Write an empty journal CSV (header row only) to FILE, or print it. Columns: {_COLUMNS_HELP}.",
    short_help="Write an empty journal CSV (header only) to FILE or stdout.",
)
def template_cmd(
    file: Annotated[
        Path | None,
        typer.Argument(help="Write here (never overwrites); default: print it.", show_default=False),
    ] = None,
) -> None:
    text = write_template(file)
    if file is None:
        typer.echo(text, nl=False)
    else:
        typer.echo(f"Wrote {file}; fill in one row per entry, then `runback pain import {file}`.")
