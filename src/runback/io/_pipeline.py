"""The import pipeline: find files, skip what is known, parse (on both cores), deduplicate.

Used by :func:`runback.io.read` (no store: everything is parsed) and by
:meth:`runback.store.Store.import_paths` (with the store's index, so files
imported before are not parsed again, and with the activities already stored,
so a run is never stored twice).
"""

from __future__ import annotations

import bisect
import hashlib
import io
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from runback import schema
from runback.errors import FileError, NotAnActivityError, UnreadableFileError, UnsupportedFormatError
from runback.io._common import Frames, cannot_read
from runback.io.archive import FoundFile, Member, archive_members, file_kind, find_files
from runback.io.readers import FORMAT_PRIORITY, GZIP_SUFFIX, reader_for, supported_extensions
from runback.sports import known_sport

Progress = Callable[[int, int, str], None]
"""Called after each parsed file with (files done, files to parse, file label)."""

SAME_START_S = 60.0
"""Two activities of one athlete starting within this many seconds may be one run."""

SAME_DISTANCE_RATIO = 0.10
"""... and are one run when their distances differ by at most this fraction of the longer.

The same run's distance differs between formats: a GPX's distance is computed
from its (jittery) positions, a TCX or FIT carries the watch's own; in the
corpus's stopped_example pair they differ by 4.9%.
"""

PARALLEL_FROM = 24
"""With ``workers=None``, parse in worker processes only from this many files on:
starting a process costs about as much as parsing a dozen GPX files."""


@dataclass(frozen=True)
class FileNote:
    """One file's outcome with a reason: skipped, failed or duplicate."""

    path: str
    reason: str
    line: int | None = None
    offset: int | None = None

    def __str__(self) -> str:
        return str(FileError(self.path, self.reason, line=self.line, offset=self.offset))

    @classmethod
    def of(cls, exc: FileError) -> FileNote:
        return cls(exc.path, exc.reason, exc.line, exc.offset)


@dataclass
class ImportSummary:
    """What an import did, file by file.

    Attributes
    ----------
    imported
        Files whose activities were stored (or, for :func:`runback.io.read`, returned).
    already_present
        Files already in the store: unchanged since the last import, or the same
        content under another name.  Nothing was parsed for them.
    duplicates
        Files holding a run already kept from another file (the same content, or
        the same run in another format: see :data:`FORMAT_PRIORITY`); the reason
        names the copy that was kept.
    skipped
        Valid files that hold no activity (FIT settings, a GPX with only
        waypoints ...), with the reason.  Not failures.
    failed
        Files that could not be read, with the reason (and line or byte offset).
    warnings
        Recoverable problems (a truncated file whose records before the break were kept).
    activity_ids
        The ids of the activities stored (returned) by this import.
    """

    imported: list[str] = field(default_factory=list)
    already_present: list[str] = field(default_factory=list)
    duplicates: list[FileNote] = field(default_factory=list)
    skipped: list[FileNote] = field(default_factory=list)
    failed: list[FileNote] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    activity_ids: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no file failed."""
        return not self.failed

    def lines(self) -> list[str]:
        """The closing summary a person reads: counts, then each failure on its own line."""
        out = [
            f"imported: {len(self.imported)} file(s), {len(self.activity_ids)} activit{'y' if len(self.activity_ids) == 1 else 'ies'}",
            f"already present: {len(self.already_present)}",
            f"duplicates: {len(self.duplicates)}",
            f"skipped (not an activity): {len(self.skipped)}",
            f"failed: {len(self.failed)}",
        ]
        out += [f"  {note}" for note in self.failed]
        out += [f"warning: {w}" for w in self.warnings]
        return out


# --------------------------------------------------------------------------
# parsing one file (runs in a worker process: module-level, picklable)
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Task:
    """One file to parse: a path on disk or an archive member's bytes."""

    label: str
    key: str
    athlete: str
    path: str | None = None
    data: bytes | None = field(default=None, repr=False)
    sha256: str | None = None
    meta: Mapping[str, Any] | None = None
    size: int | None = None
    mtime_ns: int | None = None


@dataclass(frozen=True)
class Parsed:
    """A task's result: frames, or why there are none (``status`` "ok", "skipped", "failed")."""

    task: Task
    status: str
    frames: Frames | None = None
    note: FileNote | None = None


def read_one(data: bytes, label: str, *, athlete: str) -> Frames:
    """Parse one activity file's bytes with the reader its name asks for (see :data:`runback.io.readers.READERS`)."""
    reader = reader_for(label)
    if reader is None:
        *first, last = supported_extensions()
        raise UnsupportedFormatError(
            label, f"unsupported file type: runback reads {', '.join(first)} and {last} (also {GZIP_SUFFIX})"
        )
    stream = io.BytesIO(data)
    stream.name = label  # readers name the file by the stream's name
    return reader.read(stream, athlete=athlete)


def parse_task(task: Task) -> Parsed:
    """Parse one task; never raises (an unexpected error is a failed file, not a crash)."""
    try:
        data = task.data
        if data is None:
            assert task.path is not None
            try:
                with open(task.path, "rb") as fh:
                    data = fh.read()
            except OSError as exc:
                raise cannot_read(task.label, exc) from exc
        if not data:
            raise UnreadableFileError(task.label, "empty file")
        frames = read_one(data, task.label, athlete=task.athlete)
        if frames.activities.is_empty():
            raise NotAnActivityError(task.label, "no activity in the file")
        return Parsed(task, "ok", frames=frames)
    except NotAnActivityError as exc:
        return Parsed(task, "skipped", note=FileNote.of(exc))
    except FileError as exc:
        return Parsed(task, "failed", note=FileNote.of(exc))
    except Exception as exc:  # a reader's bug must not abort an import of many files
        return Parsed(task, "failed", note=FileNote(task.label, f"could not be read ({type(exc).__name__}: {exc})"))


def _can_spawn() -> bool:
    """Whether worker processes can start: "spawn" re-imports the main script by its path."""
    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    return main_file is None or os.path.exists(main_file)


def parse_all(tasks: Sequence[Task], *, workers: int | None, progress: Progress | None) -> Iterator[Parsed]:
    """Parse the tasks in order, in worker processes when there are many."""
    if workers is None:
        workers = min(2, os.cpu_count() or 1) if len(tasks) >= PARALLEL_FROM else 1
    total = len(tasks)
    done = 0

    def report(result: Parsed) -> Parsed:
        nonlocal done
        done += 1
        if progress:
            progress(done, total, result.task.label)
        return result

    if workers > 1 and total > 1 and _can_spawn():
        try:
            # "spawn", not fork: polars' thread pool does not survive a fork
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                for result in pool.map(parse_task, tasks, chunksize=4):
                    yield report(result)
            return
        except BrokenProcessPool:
            pass  # a worker died (out of memory, killed): parse what is left here
    for task in tasks[done:]:
        yield report(parse_task(task))


# --------------------------------------------------------------------------
# deduplication
# --------------------------------------------------------------------------
def _same_run(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    if a["athlete"] != b["athlete"]:
        return False
    da: float | None = a["distance_m"]
    db: float | None = b["distance_m"]
    if da and db:
        return abs(da - db) <= SAME_DISTANCE_RATIO * max(da, db)
    ea: float | None = a["elapsed_s"]
    eb: float | None = b["elapsed_s"]
    if ea and eb:
        return abs(ea - eb) <= SAME_DISTANCE_RATIO * max(ea, eb)
    return True


def find_duplicates(new: pl.DataFrame, kept: pl.DataFrame | None = None) -> list[str | None]:
    """For each row of ``new``, the id of the kept activity it repeats, or ``None`` to keep it.

    An activity is a duplicate when its ``activity_id`` (a hash of the file's
    content) is already kept, or when the same athlete has a kept activity that
    started within :data:`SAME_START_S` seconds and whose distance differs by at
    most :data:`SAME_DISTANCE_RATIO` (elapsed time where a distance is missing).
    Activities in ``kept`` (the store) always stay; among the new ones the FIT
    copy wins over TCX over GPX (:data:`FORMAT_PRIORITY`), a complete copy over
    a partly readable one, then the first by source.
    """
    cols = ["activity_id", "athlete", "format", "source", "start_time_utc", "distance_m", "elapsed_s", "partial"]
    accepted: list[dict[str, Any]] = []
    starts: list[tuple[float, int]] = []
    ids: set[str] = set()

    def accept(row: dict[str, Any]) -> None:
        ids.add(row["activity_id"])
        if row["start_time_utc"] is not None:
            bisect.insort(starts, (row["start_time_utc"].timestamp(), len(accepted)))
        accepted.append(row)

    if kept is not None:
        for row in kept.select(cols).iter_rows(named=True):
            accept(row)
    decisions: list[str | None] = [None] * new.height
    ordered = (
        new.select(cols)
        .with_row_index("_row")
        .with_columns(
            _priority=pl.col("format").replace_strict(FORMAT_PRIORITY, default=9, return_dtype=pl.Int8),
            _partial=pl.col("partial").fill_null(False),
        )
        .sort(["_priority", "_partial", "source", "_row"])
    )
    for row in ordered.iter_rows(named=True):
        if row["activity_id"] in ids:
            decisions[row["_row"]] = row["activity_id"]
            continue
        match = None
        start = row["start_time_utc"]
        if start is not None:
            t = start.timestamp()
            lo = bisect.bisect_left(starts, (t - SAME_START_S, -1))
            hi = bisect.bisect_right(starts, (t + SAME_START_S, len(accepted) + 1))
            match = next((accepted[i] for _, i in starts[lo:hi] if _same_run(row, accepted[i])), None)
        if match is not None:
            decisions[row["_row"]] = match["activity_id"]
        else:
            accept(row)
    return decisions


# --------------------------------------------------------------------------
# the pipeline
# --------------------------------------------------------------------------
KNOWN = ("imported", "present", "duplicate", "skipped")
"""Index outcomes that a re-import trusts without parsing again (failures are retried)."""


@dataclass
class ImportResult:
    """Frames to store, the summary, and the index entries to record."""

    frames: Frames
    summary: ImportSummary
    index: dict[str, dict[str, Any] | None]
    """Index entries to record (``None``: forget that key)."""


def _apply_meta(frames: Frames, meta: Mapping[str, Any] | None, label: str) -> Frames:
    acts = frames.activities.with_columns(source=pl.lit(label))
    if meta:
        updates: list[pl.Expr] = []
        if meta.get("name"):
            updates.append(pl.lit(meta["name"]).alias("name"))
        if meta.get("rpe") is not None:
            updates.append(pl.lit(float(meta["rpe"])).alias("rpe"))
        known = known_sport(meta.get("type"))
        if known is not None:  # an unknown (or translated) type leaves the file's own sport
            sport, sub_sport = known
            updates.append(pl.lit(sport).alias("sport"))
            if sub_sport is not None:
                updates.append(pl.lit(sub_sport).alias("sub_sport"))
        if updates:
            acts = acts.with_columns(updates)
    return Frames(
        activities=schema.conform(acts, schema.ACTIVITIES),
        samples=frames.samples,
        laps=frames.laps,
        warnings=frames.warnings,
    )


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def run_import(
    paths: Sequence[str | os.PathLike[str]],
    *,
    athlete: str,
    workers: int | None = None,
    progress: Progress | None = None,
    index: Mapping[str, Mapping[str, Any]] | None = None,
    kept: pl.DataFrame | None = None,
) -> ImportResult:
    """Find, parse and deduplicate; the caller stores the result.

    Parameters
    ----------
    index
        The store's index of files seen before (key: absolute path, or
        ``path!member`` inside an archive).  A file whose size and modification
        time are unchanged, or whose content hash is known, is not parsed again.
    kept
        Activities already stored for this athlete; new copies of them are duplicates.
    """
    index = index or {}
    by_sha = {e["sha256"]: e for e in index.values() if e.get("sha256") and e.get("outcome") in KNOWN}
    summary = ImportSummary()
    new_index: dict[str, dict[str, Any] | None] = {}
    tasks: list[Task] = []

    def reuse(label: str, entry: Mapping[str, Any]) -> None:
        if entry["outcome"] == "skipped":
            summary.skipped.append(FileNote(label, entry.get("reason") or "not an activity"))
        else:
            summary.already_present.append(label)

    def unchanged(entry: Mapping[str, Any] | None, found: FoundFile) -> bool:
        return bool(
            entry
            and entry.get("size") == found.size
            and entry.get("mtime_ns") == found.mtime_ns
            and entry.get("outcome") in (*KNOWN, "archive")
        )

    found_files, problems = find_files(list(paths))
    summary.failed += [FileNote.of(p) for p in problems]
    for found in found_files:
        entry = index.get(found.key)
        if found.kind == "archive":
            prefix = found.key + "!"
            members = {k: e for k, e in index.items() if k.startswith(prefix)}
            if unchanged(entry, found) and all(e.get("outcome") in KNOWN for e in members.values()):
                for k, e in sorted(members.items()):
                    reuse(found.label + "!" + k[len(prefix):], e)
                continue
            for key in members:
                new_index[key] = None  # forget the old listing; the members found now replace it
            broken = False
            for item in archive_members(found):
                if isinstance(item, FileError):
                    summary.failed.append(FileNote.of(item))
                    broken = True
                    continue
                _queue(item, athlete, by_sha, tasks, new_index, reuse)
            # an archive with an unreadable part is read again next time, so its failure is reported again
            outcome = "failed" if broken else "archive"
            new_index[found.key] = {"size": found.size, "mtime_ns": found.mtime_ns, "outcome": outcome}
            continue
        if unchanged(entry, found):
            assert entry is not None
            reuse(found.label, entry)
            continue
        try:
            data = found.path.read_bytes()
        except OSError as exc:
            summary.failed.append(FileNote.of(cannot_read(found.label, exc)))
            continue
        sha = _sha256(data)
        if sha in by_sha:
            new_index[found.key] = {**by_sha[sha], "size": found.size, "mtime_ns": found.mtime_ns}
            reuse(found.label, by_sha[sha])
            continue
        tasks.append(
            Task(found.label, found.key, athlete, path=str(found.path), sha256=sha,
                 meta=found.meta, size=found.size, mtime_ns=found.mtime_ns)
        )  # fmt: skip
        del data  # the worker reads it again: no need to hold every file in memory

    parsed: list[tuple[Task, Frames]] = []
    for result in parse_all(tasks, workers=workers, progress=progress):
        task = result.task
        record: dict[str, Any] = {"size": task.size, "mtime_ns": task.mtime_ns, "sha256": task.sha256}
        if result.status == "ok":
            assert result.frames is not None
            parsed.append((task, _apply_meta(result.frames, task.meta, task.label)))
            summary.warnings += list(result.frames.warnings)
            continue
        assert result.note is not None
        if result.status == "skipped":
            summary.skipped.append(result.note)
            new_index[task.key] = {**record, "outcome": "skipped", "reason": result.note.reason}
        else:
            summary.failed.append(result.note)
            new_index[task.key] = {**record, "outcome": "failed", "reason": result.note.reason}

    frames = Frames.concat([f for _, f in parsed])
    decisions = find_duplicates(frames.activities, kept)
    kept_ids = set(kept["activity_id"]) if kept is not None else set()
    sources = dict(zip(frames.activities["activity_id"], frames.activities["source"]))
    if kept is not None:
        sources.update(zip(kept["activity_id"], kept["source"]))
    keep_parts: list[Frames] = []
    row = 0
    for task, part in parsed:
        ids = part.activities["activity_id"].to_list()
        mine = decisions[row : row + len(ids)]
        row += len(ids)
        record = {"size": task.size, "mtime_ns": task.mtime_ns, "sha256": task.sha256, "activity_ids": ids}
        fresh = [i for i, d in zip(ids, mine) if d is None]
        if fresh:
            keep = pl.col("activity_id").is_in(fresh)
            keep_parts.append(
                Frames(part.activities.filter(keep), part.samples.filter(keep), part.laps.filter(keep))
            )
            summary.imported.append(task.label)
            summary.activity_ids += fresh
            new_index[task.key] = {**record, "outcome": "imported"}
        elif all(i == d and i in kept_ids for i, d in zip(ids, mine)):
            summary.already_present.append(task.label)
            new_index[task.key] = {**record, "outcome": "present"}
        else:
            other = next(d for d in mine if d is not None)
            summary.duplicates.append(
                FileNote(task.label, f"same run as {sources.get(other, other)} (activity {other}), kept once")
            )
            new_index[task.key] = {**record, "outcome": "duplicate", "duplicate_of": other}

    kept_frames = Frames.concat(keep_parts)
    frames = Frames(kept_frames.activities, kept_frames.samples, kept_frames.laps, tuple(summary.warnings))
    return ImportResult(frames=frames, summary=summary, index=new_index)


def _queue(
    member: Member,
    athlete: str,
    by_sha: Mapping[str, Mapping[str, Any]],
    tasks: list[Task],
    new_index: dict[str, dict[str, Any] | None],
    reuse: Callable[[str, Mapping[str, Any]], None],
) -> None:
    sha = _sha256(member.data)
    if sha in by_sha:
        new_index[member.key] = dict(by_sha[sha])
        reuse(member.label, by_sha[sha])
        return
    tasks.append(Task(member.label, member.key, athlete, data=member.data, sha256=sha, meta=member.meta))


__all__ = [
    "FORMAT_PRIORITY",
    "FileNote",
    "ImportResult",
    "ImportSummary",
    "Task",
    "file_kind",
    "find_duplicates",
    "parse_task",
    "read_one",
    "run_import",
]
