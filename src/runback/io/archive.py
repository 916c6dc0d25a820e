"""Finding activity files: plain files, folders, ``.gz``, zip files and bulk exports.

* Folders are walked recursively (hidden files and folders are left out).
* ``.gz`` files are gunzipped in memory by :func:`runback.io._common.load_source`,
  in a stream that stops at the format's size limit (:attr:`runback.io.readers.Reader.max_bytes`).
* Only regular files are read: devices, named pipes and sockets (or links to
  them) are skipped with the reason.
* Zip files are read in memory or streamed from the file, never extracted to
  disk; zips inside zips (a Garmin Connect data export keeps its FIT files in
  ``DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_*.zip``) are opened in
  memory, up to :data:`MAX_NESTING` deep; no more than :data:`MAX_ARCHIVE_BYTES`
  are decompressed from one archive, and any error a member raises is that
  member's failure, never the import's.
* A Strava bulk export (``activities.csv`` beside ``activities/*.fit.gz``,
  ``*.gpx.gz``, ``*.tcx.gz``; zipped or unzipped, in any language Strava
  writes: :mod:`runback.io.strava`) adds each activity's name, type and
  perceived exertion from ``activities.csv``, joined on its file column; its
  rows without a file (activities typed in by hand) become activities of
  format ``manual``.
* A Garmin Connect export's sleep and daily summary JSON
  (``*_sleepData.json``, ``UDSFile_*.json``: :mod:`runback.io.wellness`),
  zipped or dropped in a folder, give wellness rows.

What an export holds beside its activity files comes out as an
:class:`ExportPart`.  Inside archives every other member that is not an
activity file (JSON, CSV, images ...) is ignored silently; in folders, only
obviously non-activity files are, and any other unknown extension is reported
as unsupported.
"""

from __future__ import annotations

import io
import os
import stat
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import polars as pl

from runback import schema
from runback.errors import FileError, UnreadableFileError, UnsupportedFormatError
from runback.io._common import (
    GZIP_MAGIC,
    MiB,
    NotRegularFileError,
    cannot_read,
    load_source,
    not_regular,
    read_limited,
    read_regular,
    too_large,
)
from runback.io.readers import GZIP_SUFFIX, max_bytes_for, reader_for, supported_extensions
from runback.io.strava import STRAVA_CSV, StravaActivities, read_strava_activities
from runback.io.wellness import MAX_WELLNESS_BYTES, read_wellness, wellness_kind

__all__ = [
    "ACTIVITY_EXTENSIONS",
    "ARCHIVE_EXTENSION",
    "MAX_ARCHIVE_BYTES",
    "ExportPart",
    "FoundFile",
    "Inputs",
    "Member",
    "archive_members",
    "file_kind",
    "find_files",
    "find_inputs",
    "strava_metadata",
]

ACTIVITY_EXTENSIONS = frozenset(ext.lstrip(".") for ext in supported_extensions())
"""Extensions runback reads, without the dot (each also as ``.gz``): see :data:`runback.io.readers.READERS`."""

ARCHIVE_EXTENSION = ".zip"
"""Archives this module opens (each also as ``.gz``)."""

NOT_ACTIVITY_EXTENSIONS = frozenset(
    {
        "json", "csv", "tsv", "txt", "md", "rst", "pdf", "html", "htm", "xml", "log", "ini",
        "toml", "yaml", "yml", "parquet", "db", "sqlite", "doc", "docx", "xls", "xlsx", "ods",
        "jpg", "jpeg", "png", "gif", "heic", "webp", "bmp", "tif", "tiff", "svg",
        "mp4", "mov", "avi", "mp3", "m4a", "wav",
    }
)  # fmt: skip
"""Files a folder walk passes over silently: they are obviously not activities."""

MAX_NESTING = 3
"""How deep zips inside zips are opened."""

MAX_MEMBER_BYTES = 1 << 30
"""A zip inside a zip larger than this (1 GiB uncompressed) is refused: a zip bomb, not an export.
Activity files inside archives have their format's limit (:attr:`runback.io.readers.Reader.max_bytes`)."""

MAX_ARCHIVE_BYTES = 4 << 30
"""The most bytes read (decompressed) from one archive, nested zips and every member together: 4 GiB.
Ten years of daily runs as FIT files are about 1 GB; a zip bomb of many large members stops here."""

MAX_CSV_BYTES = 64 * MiB
"""The largest Strava ``activities.csv`` read (a few hundred bytes per activity)."""



def file_kind(name: str) -> str:
    """``"activity"``, ``"archive"``, ``"ignore"`` (obviously not an activity) or ``"unknown"``."""
    if reader_for(name) is not None:
        return "activity"
    lower = name.lower().removesuffix(GZIP_SUFFIX)
    if lower.endswith(ARCHIVE_EXTENSION):
        return "archive"
    ext = lower.rsplit(".", 1)[-1] if "." in lower else ""
    if ext in NOT_ACTIVITY_EXTENSIONS or not ext or PurePosixPath(lower).name.startswith("."):
        return "ignore"  # README, LICENSE, .DS_Store, photos, JSON: not runs
    return "unknown"


@dataclass(frozen=True)
class FoundFile:
    """A file on disk to import (an activity file or an archive).

    ``label`` is how it is shown and stored (``source``); ``key`` is its
    absolute path, which the store's index uses.
    """

    path: Path
    label: str
    key: str
    size: int
    mtime_ns: int
    kind: str
    meta: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Member:
    """An activity file inside an archive, with its raw (possibly gzipped) bytes."""

    label: str
    key: str
    data: bytes = field(repr=False)
    meta: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class ExportPart:
    """What one export file other than an activity file holds: manual activities, wellness days.

    ``label`` names the file (``export.zip!activities.csv``); ``activities``
    are :data:`runback.schema.ACTIVITIES` rows of format ``manual`` (no
    samples), ``wellness`` :data:`runback.schema.WELLNESS` rows; ``warnings``
    one line per problem, each naming the file.  Their ``athlete`` is a
    placeholder the import pipeline replaces.
    """

    label: str
    key: str
    activities: pl.DataFrame = field(default_factory=lambda: schema.empty(schema.ACTIVITIES), repr=False)
    wellness: pl.DataFrame = field(default_factory=lambda: schema.empty(schema.WELLNESS), repr=False)
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Inputs:
    """What :func:`find_inputs` found: files to read, problems, and export parts read already."""

    files: list[FoundFile]
    problems: list[FileError]
    parts: list[ExportPart]


def strava_metadata(data: bytes) -> dict[str, dict[str, Any]]:
    """Name, type and perceived exertion per file from a Strava ``activities.csv``.

    Returns a mapping from the file column (``activities/123.gpx.gz``,
    relative to the CSV's folder) to ``{"name", "type", "rpe"}``.  Strava
    repeats some column names; the first of each is used.  Rows without a
    filename (manual entries) are left out here: see
    :func:`runback.io.strava.read_strava_activities`, which also reads them,
    in every language Strava writes.
    """
    return read_strava_activities(data, STRAVA_CSV).by_file


def _strava_part(strava: StravaActivities, label: str, key: str) -> ExportPart:
    return ExportPart(label=label, key=key, activities=strava.manual, warnings=strava.warnings)


def _wellness_part(data: bytes, label: str, key: str, kind: str) -> ExportPart:
    part = read_wellness(data, label, kind=kind)
    return ExportPart(label=label, key=key, wellness=part.wellness, warnings=part.warnings)


def _stat_file(
    path: Path, label: str, kind: str, meta: Mapping[str, Any] | None, key: str | None = None
) -> FoundFile:
    st = path.stat()
    if not stat.S_ISREG(st.st_mode):  # a device, pipe or socket (or a link to one): never read
        raise not_regular(label, st.st_mode)
    return FoundFile(
        path=path,
        label=label,
        key=key or str(path.resolve()),
        size=st.st_size,
        mtime_ns=st.st_mtime_ns,
        kind=kind,
        meta=meta,
    )


def _walk(folder: Path) -> Iterator[Path]:
    """Files under ``folder``, sorted, hidden files and folders left out."""
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith("."):
                yield Path(dirpath) / name


def find_files(paths: list[str | os.PathLike[str]]) -> tuple[list[FoundFile], list[FileError]]:
    """Expand the given files and folders into the activity files and archives to read.

    Returns the files found (in a stable order, each once) and one error per
    given path that does not exist or per file of an unsupported type.  (See
    :func:`find_inputs` for what exports hold beside their activity files.)
    """
    found = find_inputs(paths)
    return found.files, found.problems


def find_inputs(paths: list[str | os.PathLike[str]]) -> Inputs:
    """Like :func:`find_files`, and also read the export files found in folders.

    A Strava ``activities.csv`` gives its rows' names, types and perceived
    exertion to the activity files beside it (``FoundFile.meta``) and its rows
    without a file as an :class:`ExportPart`; a Garmin ``*_sleepData.json`` or
    ``UDSFile_*.json`` gives its wellness rows as an :class:`ExportPart`.
    (Inside zips, :func:`archive_members` does the same.)
    """
    found: dict[str, FoundFile] = {}
    problems: list[FileError] = []
    parts: list[ExportPart] = []
    for given in paths:
        path = Path(given)
        label = str(given)
        if path.is_dir():
            strava: dict[Path, dict[str, dict[str, Any]]] = {}
            real = path.resolve()  # once per folder: the files' keys are real paths below it
            files = list(_walk(real))
            for file in files:
                shown = str(path / file.relative_to(real))
                kind = wellness_kind(file.name)
                if file.name.lower() != STRAVA_CSV and kind is None:
                    continue
                try:
                    if file.stat().st_size > MAX_WELLNESS_BYTES:
                        parts.append(ExportPart(shown, str(file), warnings=(f"{shown}: too large to be read; left out",)))
                        continue
                    # a regular file only: a pipe named activities.csv must not hang the walk
                    data = read_regular(file, shown, MAX_WELLNESS_BYTES)
                except OSError as exc:
                    parts.append(ExportPart(shown, str(file), warnings=(f"{cannot_read(shown, exc)}; left out",)))
                    continue  # the activities still import, without names
                except FileError as exc:
                    parts.append(ExportPart(shown, str(file), warnings=(f"{exc}; left out",)))
                    continue
                if kind is not None:
                    parts.append(_wellness_part(data, shown, str(file), kind))
                    continue
                rows = read_strava_activities(data, shown)
                strava[file.parent] = rows.by_file
                parts.append(_strava_part(rows, shown, str(file)))
            for file in files:
                kind = file_kind(file.name)
                if kind == "ignore":
                    continue
                meta = None
                for root, rows_by_file in strava.items():
                    if file.is_relative_to(root):
                        meta = rows_by_file.get(file.relative_to(root).as_posix())
                        break
                label = str(path / file.relative_to(real))  # as the user named the folder
                try:
                    entry = _stat_file(file, label, kind, meta, key=str(file))
                except NotRegularFileError as exc:
                    problems.append(exc)
                    continue
                except OSError as exc:
                    problems.append(cannot_read(label, exc))
                    continue
                found.setdefault(entry.key, entry)
        elif path.exists():
            try:
                entry = _stat_file(path, label, file_kind(path.name), None)
            except NotRegularFileError as exc:
                problems.append(exc)
                continue
            except OSError as exc:
                problems.append(cannot_read(label, exc))
                continue
            kind = wellness_kind(path.name)
            if kind is not None or path.name.lower() == STRAVA_CSV:  # an export's file given by name
                try:  # bounded as the same file found in a folder or a zip is
                    data = read_regular(path, label, MAX_WELLNESS_BYTES if kind is not None else MAX_CSV_BYTES)
                except OSError as exc:
                    problems.append(cannot_read(label, exc))
                    continue
                except FileError as exc:
                    problems.append(exc)
                    continue
                if kind is not None:
                    parts.append(_wellness_part(data, label, entry.key, kind))
                else:  # its typed-in activities (the files it names are not beside it here)
                    parts.append(_strava_part(read_strava_activities(data, label), label, entry.key))
                continue
            found.setdefault(entry.key, entry)
        else:
            problems.append(UnreadableFileError(label, "no such file or folder"))

    result = []
    for entry in found.values():
        if entry.kind in ("activity", "archive"):
            result.append(entry)
        else:
            what = f"file type {entry.path.suffix}" if entry.path.suffix else "file without extension"
            problems.append(
                UnsupportedFormatError(
                    entry.label,
                    f"unsupported {what}: runback reads {', '.join(supported_extensions())} "
                    f"(also {GZIP_SUFFIX}) and {ARCHIVE_EXTENSION}",
                )
            )
    return Inputs(files=result, problems=problems, parts=parts)


class _Budget:
    """What is left of one archive's budget (:data:`MAX_ARCHIVE_BYTES`), shared by the zips nested in it."""

    def __init__(self, total: int) -> None:
        self.total = self.left = total


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, limit: int, budget: _Budget) -> bytes:
    """One member's bytes, streamed and cut off at ``limit`` or at the archive's budget, whichever comes first."""
    if info.file_size > limit:
        raise too_large(label, info.file_size, limit, "archive member")
    spent = UnreadableFileError(
        label, f"not read: the archive's budget of {budget.total // MiB} MiB decompressed is spent"
    )
    if info.file_size > budget.left:
        raise spent
    try:
        with zf.open(info) as member:
            data = read_limited(member, min(limit, budget.left), label, "archive member")
    except FileError:
        if budget.left < limit:
            raise spent from None
        raise
    except (NotImplementedError, RuntimeError) as exc:  # unknown compression, encrypted
        raise UnreadableFileError(label, f"cannot read archive member: {exc}") from exc
    except Exception as exc:  # zlib, zipfile, EOF, a bad extra field, a name that is not text: this member fails
        raise UnreadableFileError(label, f"corrupt archive member: {type(exc).__name__}: {exc}") from exc
    budget.left -= len(data)
    return data


def _zip_members(
    zf: zipfile.ZipFile, label: str, key: str, depth: int, budget: _Budget
) -> Iterator[Member | ExportPart | FileError]:
    infos = [i for i in zf.infolist() if not i.is_dir()]
    strava: dict[str, dict[str, Any]] = {}
    for info in infos:
        if PurePosixPath(info.filename).name.lower() == STRAVA_CSV:
            member_label = f"{label}!{info.filename}"
            try:
                rows = read_strava_activities(
                    _read_member(zf, info, member_label, MAX_CSV_BYTES, budget), member_label
                )
            except FileError as exc:
                yield ExportPart(member_label, f"{key}!{info.filename}", warnings=(f"{exc}; names not joined",))
                continue
            yield _strava_part(rows, member_label, f"{key}!{info.filename}")
            folder = PurePosixPath(info.filename).parent
            for filename, meta in rows.by_file.items():
                strava[(folder / filename).as_posix()] = meta
    for info in sorted(infos, key=lambda i: i.filename):
        name = info.filename
        if any(part.startswith(".") or part == "__MACOSX" for part in PurePosixPath(name).parts):
            continue
        kind = file_kind(name)
        member_label, member_key = f"{label}!{name}", f"{key}!{name}"
        wellness = wellness_kind(name)
        if wellness is not None:
            try:
                if info.file_size > MAX_WELLNESS_BYTES:
                    raise UnreadableFileError(member_label, f"too large ({info.file_size} bytes uncompressed)")
                data = _read_member(zf, info, member_label, MAX_WELLNESS_BYTES, budget)
            except FileError as exc:
                yield ExportPart(member_label, member_key, warnings=(f"{exc}; its {wellness} data left out",))
                continue
            yield _wellness_part(data, member_label, member_key, wellness)
            continue
        if kind not in ("activity", "archive"):
            continue  # a JSON, CSV or picture in an export: not an activity, not a failure
        limit = max_bytes_for(name) if kind == "activity" else MAX_MEMBER_BYTES
        try:
            data = _read_member(zf, info, member_label, limit, budget)
        except FileError as exc:
            yield exc
            continue
        if kind == "activity":
            yield Member(label=member_label, key=member_key, data=data, meta=strava.get(name))
        elif depth >= MAX_NESTING:
            yield UnreadableFileError(member_label, f"zip nested more than {MAX_NESTING} deep")
        else:
            yield from _open_zip(io.BytesIO(data), member_label, member_key, depth + 1, budget)


def _open_zip(
    fileobj: io.BytesIO | Path, label: str, key: str, depth: int, budget: _Budget
) -> Iterator[Member | ExportPart | FileError]:
    try:
        zf = zipfile.ZipFile(fileobj)
    except Exception as exc:  # BadZipFile, OSError, and what a crafted directory raises (UnicodeDecodeError ...)
        yield UnreadableFileError(label, f"not a readable zip archive: {type(exc).__name__}: {exc}")
        return
    with zf:
        try:
            yield from _zip_members(zf, label, key, depth, budget)
        except Exception as exc:  # a crafted directory entry: the rest of this archive is not read
            yield UnreadableFileError(label, f"archive stopped being readable: {type(exc).__name__}: {exc}")


def archive_members(
    found: FoundFile, *, budget: int = MAX_ARCHIVE_BYTES
) -> Iterator[Member | ExportPart | FileError]:
    """The activity files inside a zip (and the zips inside it), streamed from disk.

    Yields a :class:`Member` per activity file, an :class:`ExportPart` per
    Strava ``activities.csv`` or Garmin wellness JSON, and a :class:`FileError`
    per member (or archive) that cannot be read; everything else is passed over.
    A gzip-compressed zip (``export.zip.gz``) is decompressed in memory, up
    to :data:`MAX_MEMBER_BYTES`.  No more than :data:`MAX_ARCHIVE_BYTES` are
    decompressed from one archive (``budget``, in bytes).  Nothing a member
    holds raises: every problem is one :class:`FileError` naming the archive
    (and the member).
    """
    try:
        with found.path.open("rb") as fh:
            magic = fh.read(2)
    except OSError as exc:
        yield cannot_read(found.label, exc)
        return
    left = _Budget(budget)
    if magic == GZIP_MAGIC:
        try:
            data = load_source(found.path, name=found.label, limit=MAX_MEMBER_BYTES).data
        except FileError as exc:
            yield exc
            return
        left.left -= len(data)
        yield from _open_zip(io.BytesIO(data), found.label, found.key, 1, left)
    else:
        yield from _open_zip(found.path, found.label, found.key, 1, left)
