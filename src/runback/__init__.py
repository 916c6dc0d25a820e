"""runback: does my training pattern look like the kind that goes with low-back overload?

The public API: readers return polars frames whose columns are defined in
:mod:`runback.schema`; the store keeps them as Parquet; the load model and the
pain journal turn them into flags; the reports show them.
"""

from __future__ import annotations

from runback import schema
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

__version__ = "0.1.0"

__all__ = [
    "FileError",
    "JournalError",
    "NotAnActivityError",
    "OptionError",
    "RunbackError",
    "StoreError",
    "UnreadableFileError",
    "UnsupportedFormatError",
    "schema",
]
