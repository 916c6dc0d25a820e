"""`runback schema`: print the documented columns of runback's frames."""

from __future__ import annotations

import enum
from typing import Annotated

import typer

from runback import schema as s
from runback.cli._app import app


class Frame(str, enum.Enum):
    activities = "activities"
    samples = "samples"
    laps = "laps"
    flags = "flags"
    journal = "journal"
    daily = "daily"
    weekly = "weekly"
    pmc = "pmc"
    acwr = "acwr"
    monotony = "monotony"
    pain_vs_load = "pain_vs_load"
    corrections = "corrections"
    checks = "checks"


_FRAMES = {
    Frame.activities: (s.ACTIVITIES, s.ACTIVITIES_DOC),
    Frame.samples: (s.SAMPLES, s.SAMPLES_DOC),
    Frame.laps: (s.LAPS, s.LAPS_DOC),
    Frame.flags: (s.FLAGS, s.FLAGS_DOC),
    Frame.journal: (s.JOURNAL, s.JOURNAL_DOC),
    Frame.daily: (s.DAILY, s.DAILY_DOC),
    Frame.weekly: (s.WEEKLY, s.WEEKLY_DOC),
    Frame.pmc: (s.PMC, s.PMC_DOC),
    Frame.acwr: (s.ACWR, s.ACWR_DOC),
    Frame.monotony: (s.MONOTONY, s.MONOTONY_DOC),
    Frame.pain_vs_load: (s.PAIN_VS_LOAD, s.PAIN_VS_LOAD_DOC),
    Frame.corrections: (s.CORRECTIONS, s.CORRECTIONS_DOC),
    Frame.checks: (s.CHECKS, s.CHECKS_DOC),
}


@app.command("schema")
def schema_cmd(
    frame: Annotated[Frame | None, typer.Argument(help="Only this frame.")] = None,
) -> None:
    """Print the columns of runback's frames, with dtype, unit and meaning."""
    for name, (dtypes, docs) in _FRAMES.items():
        if frame is not None and name is not frame:
            continue
        typer.echo(f"{name.value}:")
        for col, dtype in dtypes.items():
            typer.echo(f"  {col:<20} {str(dtype):<28} {docs[col]}")
