"""runback: does my training pattern look like the kind that goes with low-back overload?

The public API: readers return polars frames whose columns are defined in
:mod:`runback.schema`; the store keeps them as Parquet; the load model and the
pain journal turn them into flags; the reports show them.
"""

from __future__ import annotations

from runback import schema
from runback._version import __version__
from runback.errors import (
    FileError,
    JournalError,
    NotAnActivityError,
    OptionError,
    RunbackError,
    StoreError,
    UnreadableFileError,
    UnsupportedFormatError,
)
from runback.io import Frames, ImportSummary, read, read_gpx, read_report, read_tcx
from runback.io.fit import read_fit
from runback.load import Profile, acwr, daily_load, estimate_profile, monotony, pmc, weekly_load
from runback.model import flags
from runback.pain import (
    add_entry,
    apply_journal_rpe,
    import_journal_csv,
    pain_flags,
    pain_vs_load,
    parse_journal_csv,
    read_journal,
    write_template,
)
from runback.report import build_runner_report, runner_report, write_runner_report, write_team_report
from runback.store import Store, open_store


__all__ = [
    "FileError",
    "Frames",
    "ImportSummary",
    "JournalError",
    "NotAnActivityError",
    "OptionError",
    "Profile",
    "RunbackError",
    "Store",
    "StoreError",
    "UnreadableFileError",
    "UnsupportedFormatError",
    "acwr",
    "add_entry",
    "apply_journal_rpe",
    "build_runner_report",
    "daily_load",
    "estimate_profile",
    "flags",
    "import_journal_csv",
    "monotony",
    "open_store",
    "pain_flags",
    "pain_vs_load",
    "parse_journal_csv",
    "pmc",
    "read",
    "read_fit",
    "read_gpx",
    "read_journal",
    "read_report",
    "read_tcx",
    "runner_report",
    "schema",
    "weekly_load",
    "write_runner_report",
    "write_team_report",
    "write_template",
]
