"""The formats runback reads: one declaration per format.

The import pipeline picks a file's reader here, the archive walker decides here
which files are activities, and the duplicate check takes each format's
priority from here; nothing else lists formats or extensions.  A new format is
one more :class:`Reader` in :data:`READERS` (and its reader module).
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from typing import Any, Protocol

from runback.io._common import MAX_FILE_BYTES, MiB, Frames, Source

__all__ = [
    "DUPLICATE_PRIORITY",
    "FIT_MAX_BYTES",
    "FORMAT_PRIORITY",
    "GZIP_SUFFIX",
    "MANUAL_FORMAT",
    "MANUAL_PRIORITY",
    "READERS",
    "ReadFunction",
    "Reader",
    "reader_for",
    "XML_MAX_BYTES",
    "max_bytes_for",
    "supported_extensions",
]

GZIP_SUFFIX = ".gz"
"""Any activity file may also come gzip-compressed, ``run.fit.gz`` say."""


FIT_MAX_BYTES = 64 * MiB
"""The largest FIT file read: a 100-hour race recorded every second is about 15 MB."""

XML_MAX_BYTES = MAX_FILE_BYTES
"""The largest GPX or TCX file read (128 MiB): a 24-hour run at one point a second is about 30 MB of GPX."""


class ReadFunction(Protocol):
    """A reader: one file (path, bytes or binary file object) to frames."""

    def __call__(self, source: Source, *, athlete: str = ...) -> Frames: ...


class _OnFirstUse:
    """A reader function whose module loads when a file is first read.

    The readers pull in fitparse, fitdecode, gpxpy and numpy; a command that
    reads no file (``runback activities``, ``runback pain add``) should not pay
    for them at start-up.
    """

    def __init__(self, module: str, name: str) -> None:
        self.module, self.name = module, name

    def __call__(self, source: Source, **kwargs: Any) -> Frames:
        function: ReadFunction = getattr(importlib.import_module(self.module), self.name)
        return function(source, **kwargs)

    def __repr__(self) -> str:
        return f"{self.module}.{self.name}"


@dataclass(frozen=True)
class Reader:
    """One file format runback reads.

    Attributes
    ----------
    format
        The format's name, as stored in ``activities.format`` (``"fit"``).
    extensions
        The file name endings it reads, lower case with the dot (``(".fit",)``);
        each is also read gzip-compressed (see :attr:`suffixes`).
    priority
        Which copy of one run is kept when it comes in several formats: the
        lowest number (the richest format) wins.
    read
        The reader function, ``read(source, *, athlete) -> Frames``.
    max_bytes
        The largest file of this format runback reads (after gunzipping); a
        larger one is refused with the limit named, never read into memory.
    """

    format: str
    extensions: tuple[str, ...]
    priority: int
    read: ReadFunction
    max_bytes: int = MAX_FILE_BYTES

    @property
    def suffixes(self) -> tuple[str, ...]:
        """Every file name ending this reader takes, the gzipped ones included."""
        return self.extensions + tuple(ext + GZIP_SUFFIX for ext in self.extensions)


READERS: tuple[Reader, ...] = (
    # FIT first: the richest (laps, power, the device's own totals)
    # 64 MiB: a 100-hour race recorded every second is about 15 MB of FIT
    Reader(format="fit", extensions=(".fit",), priority=0, read=_OnFirstUse("runback.io.fit", "read_fit"),
           max_bytes=FIT_MAX_BYTES),
    # TCX has laps and the watch's distance; XML is 5 to 10 times larger than FIT for the same run
    Reader(format="tcx", extensions=(".tcx",), priority=1, read=_OnFirstUse("runback.io.tcx", "read_tcx"),
           max_bytes=XML_MAX_BYTES),
    # GPX: positions and sensor values only
    Reader(format="gpx", extensions=(".gpx",), priority=2, read=_OnFirstUse("runback.io.gpx", "read_gpx"),
           max_bytes=XML_MAX_BYTES),
)  # fmt: skip
"""The formats runback reads, richest first."""

FORMAT_PRIORITY: dict[str, int] = {r.format: r.priority for r in READERS}
"""Which copy of a run is kept: FIT (richest: laps, power, device totals), then TCX (laps), then GPX."""

MANUAL_FORMAT = "manual"
"""The format of an activity typed in by hand (a row of Strava's ``activities.csv``
without a file): totals only, no samples.  No reader reads it; the Strava
export reader (:mod:`runback.io.strava`) makes it."""

MANUAL_PRIORITY = max(FORMAT_PRIORITY.values()) + 1
"""A typed-in activity is the poorest copy of a run: any recorded file wins over it."""

DUPLICATE_PRIORITY: dict[str, int] = {**FORMAT_PRIORITY, MANUAL_FORMAT: MANUAL_PRIORITY}
"""Which copy of a run the duplicate check keeps: :data:`FORMAT_PRIORITY`, then a manual entry."""


def reader_for(name: str | os.PathLike[str]) -> Reader | None:
    """The reader for a file name (``run.FIT``, ``123.gpx.gz`` ...), or ``None``.

    Only the name counts, case-insensitively; a trailing ``.gz`` is passed over.
    """
    lower = os.fspath(name).lower().removesuffix(GZIP_SUFFIX)
    return next((reader for reader in READERS if lower.endswith(reader.extensions)), None)


def supported_extensions() -> list[str]:
    """The extensions runback reads, sorted: ``[".fit", ".gpx", ".tcx"]`` (each also ``.gz``)."""
    return sorted(ext for reader in READERS for ext in reader.extensions)


def max_bytes_for(name: str | os.PathLike[str]) -> int:
    """The size limit for a file of this name: its format's :attr:`Reader.max_bytes`, else :data:`MAX_FILE_BYTES`."""
    reader = reader_for(name)
    return reader.max_bytes if reader is not None else MAX_FILE_BYTES
