"""`runback pain ...`: log, list, import, rename and remove journal entries; thin over runback.pain.journal and the store."""

from __future__ import annotations

import argparse
from pathlib import Path

from runback.athletes import DEFAULT_ATHLETE
from runback.cli._app import echo
from runback.cli._options import OutputFormat, emit
from runback.errors import OptionError
from runback.pain.journal import add_entry, import_journal_csv, read_journal, write_template
from runback.store import open_store


def _journal_athlete(store: str | None, athlete: str | None) -> str:
    """The athlete given, else the store's only one, so a runner imported as ``anna`` logs as ``anna``."""
    if athlete is not None:
        return athlete
    athletes = open_store(store).athletes()
    if not athletes:
        return DEFAULT_ATHLETE
    if len(athletes) == 1:
        return athletes[0]
    raise OptionError(f"the store holds {len(athletes)} athletes; choose one with --athlete: {', '.join(athletes)}")


def add_command(args: argparse.Namespace) -> None:
    """Add one journal entry, e.g. `runback pain add 4 --timing after --sleep 6.5 --stress 4`."""
    store = args.store
    athlete = _journal_athlete(store, args.athlete)
    stored = set(read_journal(store, athlete)["entry_id"].to_list())
    entry = add_entry(
        store,
        args.pain,
        args.timing,
        date=args.date,
        time=args.time,
        location=args.location,
        sleep_h=args.sleep,
        sleep_quality=args.sleep_quality,
        stress=args.stress,
        rpe=args.rpe,
        activity_id=args.activity,
        note=args.note,
        athlete=athlete,
    )
    row = entry.row(0, named=True)
    if row["entry_id"] in stored:
        echo(f"Already in the journal, not added again [entry {row['entry_id']}].")
        return
    echo(
        f"Logged pain {row['pain']}/10 ({row['timing']}) on {row['date']} for {row['athlete']} "
        f"[entry {row['entry_id']}]."
    )


def list_command(args: argparse.Namespace) -> None:
    """List the journal entries, oldest first."""
    journal = read_journal(args.store, args.athlete)
    if journal.is_empty() and OutputFormat(args.fmt) is OutputFormat.table:
        # as `runback activities` and `runback report` do: say so rather than print an empty table
        who = f" for {args.athlete}" if args.athlete else ""
        echo(f"no journal entries stored{who}: log one with `runback pain add PAIN --timing WHEN`", err=True)
        return
    emit(journal, args.fmt)


def import_command(args: argparse.Namespace) -> None:
    """Import a journal CSV: all rows or none; entries already stored are skipped."""
    athlete = _journal_athlete(args.store, args.athlete)
    file = Path(args.file)
    added = import_journal_csv(args.store, file, athlete=athlete)
    echo(f"Imported {added} new journal entr{'y' if added == 1 else 'ies'} from {file} for {athlete}.")


def rename_command(args: argparse.Namespace) -> None:
    """Move the journal entries logged under a mistaken name (`runback pain rename --from "anna " --to anna`)."""
    echo(open_store(args.store).rename_journal(args.from_athlete, args.to_athlete).message)


def remove_command(args: argparse.Namespace) -> None:
    """Leave one journal entry out (`runback pain remove ENTRY_ID`); adding it again brings it back."""
    echo(open_store(args.store).remove_journal_entry(args.entry_id, args.athlete).message)


def template_command(args: argparse.Namespace) -> None:
    """Write an empty journal CSV (header row only) to FILE, or print it."""
    file = Path(args.file) if args.file is not None else None
    text = write_template(file)
    if file is None:
        echo(text, nl=False)
    else:
        echo(f"Wrote {file}; fill in one row per entry, then `runback pain import {file}`.")
