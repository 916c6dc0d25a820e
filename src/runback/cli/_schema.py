"""`runback schema`: print the documented columns of runback's frames."""

from __future__ import annotations

import argparse

from runback import schema as s
from runback.cli._app import FRAMES, echo
from runback.summaries import SUMMARIES, SUMMARIES_DOC

_FRAMES = {
    "activities": (s.ACTIVITIES, s.ACTIVITIES_DOC),
    "samples": (s.SAMPLES, s.SAMPLES_DOC),
    "summaries": (SUMMARIES, SUMMARIES_DOC),
    "laps": (s.LAPS, s.LAPS_DOC),
    "flags": (s.FLAGS, s.FLAGS_DOC),
    "journal": (s.JOURNAL, s.JOURNAL_DOC),
    "wellness": (s.WELLNESS, s.WELLNESS_DOC),
    "daily": (s.DAILY, s.DAILY_DOC),
    "weekly": (s.WEEKLY, s.WEEKLY_DOC),
    "pmc": (s.PMC, s.PMC_DOC),
    "acwr": (s.ACWR, s.ACWR_DOC),
    "monotony": (s.MONOTONY, s.MONOTONY_DOC),
    "pain_vs_load": (s.PAIN_VS_LOAD, s.PAIN_VS_LOAD_DOC),
    "corrections": (s.CORRECTIONS, s.CORRECTIONS_DOC),
    "checks": (s.CHECKS, s.CHECKS_DOC),
}


def schema_command(args: argparse.Namespace) -> None:
    """Print the columns of runback's frames, with dtype, unit and meaning."""
    for name, (dtypes, docs) in _FRAMES.items():
        if args.frame is not None and name != args.frame:
            continue
        echo(f"{name}:")
        for col, dtype in dtypes.items():
            echo(f"  {col:<20} {str(dtype):<28} {docs[col]}")
