"""Readers: one module per format, and :func:`read` for whatever a runner points at.

``read_fit``, ``read_gpx`` and ``read_tcx`` read one file;
:func:`read_strava_activities` a Strava export's ``activities.csv`` (any
language) and :func:`read_wellness` a Garmin export's sleep or daily summary
JSON; :data:`READERS`
declares the formats (extensions, which copy of a run wins), :func:`reader_for`
names a file's reader and :func:`file_kind` says whether an import would read a
file as an activity, open it as an archive or pass it over;
:func:`read` takes files, folders, ``.gz``, zip files and Strava or Garmin bulk
exports at once and returns every activity in them, each run once.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from runback.athletes import DEFAULT_ATHLETE
from runback.io._common import Frames
from runback.io._localize import localize
from runback.io._pipeline import (
    SAME_DISTANCE_RATIO,
    SAME_RUN_OVERLAP,
    SAME_START_S,
    DuplicateDecision,
    FileNote,
    ImportSummary,
    Progress,
    find_duplicates,
    run_import,
)
from runback.io.archive import file_kind
from runback.io.readers import DUPLICATE_PRIORITY, FORMAT_PRIORITY, MANUAL_FORMAT, READERS, Reader, reader_for
from runback.io.strava import StravaActivities, read_strava_activities
from runback.io.wellness import collapse_wellness, new_wellness, read_wellness

TYPE_CHECKING = False
if TYPE_CHECKING:
    from runback.io.fit import read_fit
    from runback.io.gpx import read_gpx
    from runback.io.tcx import read_tcx

_READER_MODULES = {"read_fit": "runback.io.fit", "read_gpx": "runback.io.gpx", "read_tcx": "runback.io.tcx"}


def __getattr__(name: str) -> object:
    # the reader modules load fitparse, fitdecode, gpxpy and numpy: only when a reader is asked for
    # (runback.store imports this package, and `runback activities` reads no file)
    if name in _READER_MODULES:
        import importlib

        value = getattr(importlib.import_module(_READER_MODULES[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "DUPLICATE_PRIORITY",
    "FORMAT_PRIORITY",
    "MANUAL_FORMAT",
    "READERS",
    "SAME_DISTANCE_RATIO",
    "SAME_RUN_OVERLAP",
    "SAME_START_S",
    "DuplicateDecision",
    "FileNote",
    "Frames",
    "ImportSummary",
    "Reader",
    "StravaActivities",
    "collapse_wellness",
    "file_kind",
    "find_duplicates",
    "localize",
    "new_wellness",
    "read",
    "read_fit",
    "read_gpx",
    "read_report",
    "read_strava_activities",
    "read_tcx",
    "read_wellness",
    "reader_for",
]

PathArg = str | os.PathLike[str]


def _as_list(paths: PathArg | Sequence[PathArg]) -> list[PathArg]:
    if isinstance(paths, (str, os.PathLike)):
        return [paths]
    return list(paths)


def read_report(
    paths: PathArg | Sequence[PathArg],
    *,
    athlete: str = DEFAULT_ATHLETE,
    workers: int | None = None,
    progress: Progress | None = None,
) -> tuple[Frames, ImportSummary]:
    """Read every activity under ``paths`` and say what happened to each file.

    Parameters
    ----------
    paths
        Files (``.fit``, ``.gpx``, ``.tcx``, each maybe ``.gz``), zip files
        (Strava and Garmin Connect bulk exports included) and folders (walked
        recursively); one path or a list.
    athlete
        Who ran them; goes into ``activities.athlete``.
    workers
        Worker processes for parsing; ``None`` uses two where there are two
        CPUs and the files are worth starting them, else parses in this
        process; ``1`` never starts one.
    progress
        Called after each parsed file with ``(done, total, file)``.

    Returns
    -------
    (Frames, ImportSummary)
        The activities, samples and laps, each run once (see
        :func:`runback.io.find_duplicates`: the same content, or the same run
        in two formats, FIT kept over TCX over GPX over an activity typed in
        by hand), the wellness days of a Garmin export (``Frames.wellness``),
        and the per-file outcome.  A bad file is listed in the summary and
        never stops the others.
    """
    result = run_import(_as_list(paths), athlete=athlete, workers=workers, progress=progress)
    return result.frames, result.summary


def read(
    paths: PathArg | Sequence[PathArg],
    *,
    athlete: str = DEFAULT_ATHLETE,
    workers: int | None = None,
) -> Frames:
    """Every activity under ``paths`` as frames, each run once.

    Like :func:`read_report`, without the summary: files that failed or were
    skipped appear in ``Frames.warnings`` as ``"failed: FILE: reason"`` or
    ``"skipped: FILE: reason"`` lines.
    """
    frames, summary = read_report(paths, athlete=athlete, workers=workers)
    notes = tuple(
        [f"failed: {n}" for n in summary.failed] + [f"skipped: {n}" for n in summary.skipped]
    )
    return Frames(frames.activities, frames.samples, frames.laps, frames.warnings + notes, frames.wellness, frames.summaries)
