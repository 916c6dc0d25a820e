"""The import pipeline: find files, skip what is known, parse in batches (on two cores where that pays), deduplicate.

Used by :func:`runback.io.read` (no store: everything is parsed) and by
:meth:`runback.store.Store.import_paths` (with the store's index, so files
imported before are not parsed again, and with the activities already stored,
so a run is never stored twice).
"""

from __future__ import annotations

import bisect
import hashlib
import io
import math
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

import polars as pl

from runback import schema
from runback.errors import FileError, NotAnActivityError, UnreadableFileError, UnsupportedFormatError
from runback.io._common import Frames, read_regular
from runback.io._plausible import check_frames
from runback.io.archive import ExportPart, FoundFile, Member, archive_members, file_kind, find_inputs
from runback.io.readers import (
    DUPLICATE_PRIORITY,
    FORMAT_PRIORITY,
    GZIP_SUFFIX,
    MANUAL_FORMAT,
    max_bytes_for,
    reader_for,
    supported_extensions,
)
from runback.io.wellness import new_wellness, wellness_id
from runback.sports import compatible_sports, known_sport
from runback.workers import worker_start
from runback.summaries import summarize_samples, summarize_windows

Progress = Callable[[int, int, str], None]
"""Called after each parsed file with (files done, files to parse, file label)."""

SAME_RUN_OVERLAP = 0.5
"""Two activities of one athlete are one effort when their time spans overlap by
more than this fraction of the shorter span (and their sports are compatible:
:func:`runback.sports.compatible_sports`), whatever their starts and distances.

A phone app stopped early, a watch started late, a GPX whose distance comes from
jittery positions: copies of one run differ in start, length and distance, but
they share most of their time.  Two runs of one day never overlap.
"""

SAME_START_S = 60.0
"""Kept for compatibility: duplicates were once two starts within this many seconds.

No longer used: see :data:`SAME_RUN_OVERLAP`."""

SAME_DISTANCE_RATIO = 0.10
"""Kept for compatibility: duplicates were once distances within this fraction.

No longer used: see :data:`SAME_RUN_OVERLAP`."""

WAVE_BYTES = 256 << 20
"""Archive members waiting to be parsed hold at most about this many bytes (256 MiB): then they are
parsed and let go, so an import's memory follows its largest file, not the size of an export."""

PARALLEL_FROM = 24
"""With ``workers=None``, parse in worker processes only from this many files on:
starting a process costs about as much as parsing a dozen GPX files."""

PARSE_S_PER_MIB = 0.15
"""CPU seconds to parse and summarise one MiB of FIT files (measured: 1,520 real-device
runs, 112 MiB, 16 s in one process); other formats cost more per MiB, so this is the low bound."""

WORKER_START_S = 0.5
"""CPU seconds a worker process takes to start (Python, polars and the readers imported; measured 0.45 s)."""


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


@dataclass(frozen=True)
class DuplicateDecision:
    """One effort found in two recordings: which copy was kept, which dropped, and why.

    Attributes
    ----------
    kept_id, kept_source
        The activity kept (stored or returned) and its file.
    dropped_id, dropped_source
        The copy left out and its file.
    match
        Why they are one effort: ``"the same file content"`` or the time overlap
        (``"overlap 78% of the shorter"``).
    why_kept
        Why this copy won: already stored, the richer format (FIT over TCX over
        GPX), a complete copy over a partly readable one, more samples, or the
        first by file name.
    """

    kept_id: str
    kept_source: str
    dropped_id: str
    dropped_source: str
    match: str
    why_kept: str

    def __str__(self) -> str:
        return (
            f"{self.dropped_source}: same run as {self.kept_source} ({self.match}); "
            f"kept {self.kept_source}: {self.why_kept}"
        )


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
    duplicate_decisions
        One :class:`DuplicateDecision` per activity left out as a copy of
        another: which copy was kept and why.  Where a recorded file repeats
        an activity typed in by hand that is already stored, the file is kept
        and the decision names the stored manual activity as the dropped copy
        (see :attr:`superseded`).
    manual_activity_ids
        The ids among ``activity_ids`` of activities typed in by hand (format
        ``manual``: rows of Strava's ``activities.csv`` without a file).
    superseded
        Stored manual activities that a recorded file of this import repeats:
        ``(manual activity id, id of the file's activity)``.  The file's
        activity is stored; the store should record the manual one as merged
        into it (a ``merge`` correction), so the run counts once.
    wellness_days
        Rows of wellness (athlete, day, source) this import adds or completes.
    """

    imported: list[str] = field(default_factory=list)
    already_present: list[str] = field(default_factory=list)
    duplicates: list[FileNote] = field(default_factory=list)
    skipped: list[FileNote] = field(default_factory=list)
    failed: list[FileNote] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    activity_ids: list[str] = field(default_factory=list)
    duplicate_decisions: list[DuplicateDecision] = field(default_factory=list)
    manual_activity_ids: list[str] = field(default_factory=list)
    superseded: list[tuple[str, str]] = field(default_factory=list)
    wellness_days: int = 0

    @property
    def ok(self) -> bool:
        """True when no file failed."""
        return not self.failed

    def lines(self) -> list[str]:
        """The closing summary a person reads: counts, each duplicate decision and each failure on its own line."""
        out = [
            f"imported: {len(self.imported)} file(s), {len(self.activity_ids)} activit{'y' if len(self.activity_ids) == 1 else 'ies'}",
            f"already present: {len(self.already_present)}",
            f"duplicates: {len(self.duplicates)}",
        ]
        # which copy of each run was kept, and why: the runner can undo it with `runback activities`
        out += [f"  {decision}" for decision in self.duplicate_decisions]
        out += [
            f"skipped (not an activity): {len(self.skipped)}",
            f"failed: {len(self.failed)}",
        ]
        out += [f"  {note}" for note in self.failed]
        if self.manual_activity_ids:
            out.append(f"typed in by hand (no file): {len(self.manual_activity_ids)} activit"
                       f"{'y' if len(self.manual_activity_ids) == 1 else 'ies'}")  # fmt: skip
        if self.wellness_days:
            out.append(f"wellness: {self.wellness_days} day(s) of sleep, stress or resting heart rate")
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
            data = read_regular(task.path, task.label, max_bytes_for(task.label))
        if not data:
            raise UnreadableFileError(task.label, "empty file")
        frames = check_frames(read_one(data, task.label, athlete=task.athlete), task.label)
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


Spill = Callable[[Frames], dict[str, list[tuple[str, dict[str, Any]]]]]
"""Writes a batch's samples, laps and summaries somewhere (the store's pending parts) and returns
the receipt (table -> [(part name, checksum)]).  It runs in the worker that parsed the batch, so it
must be picklable: a module-level function, or a :func:`functools.partial` of one."""

BATCH_FILES = 48
"""At most this many files are parsed, summarised and written as one batch: summarising many
files at once costs about 2.5x less per file than one by one.  Measured on 1,520 FIT files with
two workers: 96 files a batch 6.1 s and 462 MiB over all processes, 48 files 5.5 s and 411 MiB
(16 -> 32 parts, see ``store.MAX_PARTS``), 32 files 6.0 s and 400 MiB."""

BATCH_BYTES = 16 << 20
"""At most about this many bytes of files per batch (16 MiB; a batch holds at least one file),
so that a batch's frames, not the import's, bound a worker's memory."""

SUMMARY_ROWS = 50_000
"""Samples summarised at once within a batch: as cheap per file as a whole batch at once
(measured: 96 FIT files in one go or 16 at a time cost the same), at a third of the memory."""


@dataclass(frozen=True)
class ParsedBatch:
    """One batch's results, in the order of its tasks.

    Without a spill, each ok result carries its file's frames and ``summaries``
    the batch's summaries; with one, each ok result carries only its activity
    rows (samples and laps were written by the spill) and ``parts`` the receipt.
    """

    results: list[Parsed]
    summaries: pl.DataFrame | None = None
    parts: dict[str, list[tuple[str, dict[str, Any]]]] | None = None


def parse_batch(tasks: Sequence[Task], spill: Spill | None = None) -> ParsedBatch:
    """Parse a batch of tasks, summarise their samples at once and, given a ``spill``, write them out.

    Never raises for a bad file (see :func:`parse_task`); runs in a worker process.
    """
    results = []
    for task in tasks:
        result = parse_task(task)
        if result.status == "ok":
            assert result.frames is not None
            result = Parsed(task, "ok", frames=_apply_meta(result.frames, task.meta, task.label))
        results.append(result)
    frames = _distinct([r.frames for r in results if r.frames is not None])
    if spill is None or (frames.samples.is_empty() and frames.laps.is_empty()):
        return ParsedBatch(results, summaries=_summarize(frames.samples))
    light = [
        # the parent needs the activity rows and the outcome; the file's bytes and frames stay here
        # (let go now: the batch's frames are in one piece, not held twice while summarised)
        Parsed(replace(r.task, data=None), r.status,
               frames=None if r.frames is None else Frames(activities=r.frames.activities, warnings=r.frames.warnings),
               note=r.note)
        for r in results
    ]  # fmt: skip
    del results
    parts = spill(Frames(samples=frames.samples, laps=frames.laps, summaries=_summarize(frames.samples)))
    return ParsedBatch(light, parts=parts)


def _usable_cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def choose_workers(tasks: Sequence[Task]) -> int:
    """The worker processes that make parsing ``tasks`` fastest: 1 (this process) or 2.

    Two workers pay where this process may use two CPUs and the work is worth
    their start: at least twice :data:`WORKER_START_S` per worker of parsing,
    estimated from the files' bytes at :data:`PARSE_S_PER_MIB` (the cheapest
    format per byte, so a guess errs towards one process).  The workers write
    what they parse and send back activity rows only, so this process has
    little to do meanwhile (measured on 1,520 FIT files: 0.9 s of its CPU time
    against 16 s of the workers'); two were faster than one even on a machine
    busy with other work.
    """
    if len(tasks) < PARALLEL_FROM or _usable_cpus() < 2:
        return 1
    size = sum(len(t.data) if t.data is not None else (t.size or 0) for t in tasks)
    return 2 if size / (1 << 20) * PARSE_S_PER_MIB >= 2 * 2 * WORKER_START_S else 1


def _distinct(parts: Sequence[Frames]) -> Frames:
    """The parts in one ``Frames``, each content once: a file whose activities all came before
    (the same bytes again: the ids are their hash) adds no rows, so no run's samples are held twice."""
    seen: set[str] = set()
    out = []
    for part in parts:
        ids = set(part.activities["activity_id"].to_list())
        if not ids or not ids <= seen:
            out.append(part)
            seen |= ids
    return Frames.concat(out)


def _summarize(samples: pl.DataFrame) -> pl.DataFrame:
    """:func:`runback.summaries.summarize_samples` in windows of about :data:`SUMMARY_ROWS` samples
    (an activity's samples are consecutive in a batch)."""
    if samples.height <= SUMMARY_ROWS:
        return summarize_samples(samples)
    found = summarize_windows(samples.iter_slices(SUMMARY_ROWS))
    return summarize_samples(samples) if found is None else found


def _batches(tasks: Sequence[Task], workers: int) -> list[list[Task]]:
    """Tasks cut into batches of consecutive tasks: at most :data:`BATCH_FILES` files and about
    :data:`BATCH_BYTES` bytes each, and at least two per worker where there are files enough."""
    per_batch = max(1, min(BATCH_FILES, math.ceil(len(tasks) / (2 * workers)) if workers > 1 else BATCH_FILES))
    out: list[list[Task]] = []
    current: list[Task] = []
    size = 0
    for task in tasks:
        weight = len(task.data) if task.data is not None else (task.size or 0)
        if current and (len(current) >= per_batch or size + weight > BATCH_BYTES):
            out.append(current)
            current, size = [], 0
        current.append(task)
        size += weight
    if current:
        out.append(current)
    return out


def parse_batches(
    tasks: Sequence[Task], *, workers: int | None, progress: Progress | None, spill: Spill | None = None
) -> Iterator[ParsedBatch]:
    """Parse the tasks in batches, in order, in worker processes when there are many.

    With a ``spill`` the workers write each batch's samples and laps themselves
    and send back only activity rows: the parent then holds no samples, and
    spends no time unpickling them (which made two workers slower than one).
    """
    if workers is None:
        workers = choose_workers(tasks)
    total = len(tasks)
    done = 0
    batches = _batches(tasks, workers)
    finished = 0

    def report(batch: ParsedBatch) -> ParsedBatch:
        nonlocal done, finished
        finished += 1
        for result in batch.results:
            done += 1
            if progress:
                progress(done, total, result.task.label)
        return batch

    if workers > 1 and len(batches) > 1 and _can_spawn():
        try:
            # "spawn", not fork: polars' thread pool does not survive a fork
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(
                max_workers=workers, mp_context=context, initializer=worker_start, initargs=(os.getpid(),)
            ) as pool:
                for batch in pool.map(partial(parse_batch, spill=spill), batches):
                    yield report(batch)
            return
        except BrokenProcessPool:
            pass  # a worker died (out of memory, killed): parse what is left here
    for rest in batches[finished:]:
        yield report(parse_batch(rest, spill))


def parse_all(tasks: Sequence[Task], *, workers: int | None, progress: Progress | None) -> Iterator[Parsed]:
    """Parse the tasks in order, in worker processes when there are many; one result per task."""
    for batch in parse_batches(tasks, workers=workers, progress=progress):
        yield from batch.results


# --------------------------------------------------------------------------
# deduplication
# --------------------------------------------------------------------------
_DEDUP_COLUMNS = [
    "activity_id", "athlete", "format", "source", "sport", "start_time_utc",
    "elapsed_s", "moving_s", "n_samples", "partial",
]  # fmt: skip


def _span_s(row: Mapping[str, Any]) -> tuple[float, float] | None:
    """An activity's time span (start, end) in epoch seconds, or ``None`` without a duration."""
    start = row["start_time_utc"]
    if start is None:
        return None
    duration = next(
        (d for d in (row["elapsed_s"], row["moving_s"]) if d is not None and math.isfinite(d) and d > 0), None
    )
    if duration is None:
        return None  # a 0 s stub (or one without any time) is never a copy of anything
    t0 = float(start.timestamp())
    return t0, t0 + float(duration)


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The overlap of two spans as a fraction of the shorter one."""
    shared = min(a[1], b[1]) - max(a[0], b[0])
    return max(shared, 0.0) / min(a[1] - a[0], b[1] - b[0])


@dataclass(frozen=True)
class _Match:
    kept: Mapping[str, Any]
    match: str
    why_kept: str


@dataclass(frozen=True)
class _Superseded:
    manual: Mapping[str, Any]
    by_id: str
    match: str


def _why_kept(kept: Mapping[str, Any], dropped: Mapping[str, Any], stored: bool) -> str:
    if stored:
        return "it was already stored (a stored activity is not replaced by an import)"
    pk = DUPLICATE_PRIORITY.get(kept["format"], 9)
    pd = DUPLICATE_PRIORITY.get(dropped["format"], 9)
    if MANUAL_FORMAT in (kept["format"], dropped["format"]) and pk != pd:
        return "a recorded file wins over an activity typed in by hand"
    if pk != pd:
        return f"{kept['format'].upper()} is richer than {dropped['format'].upper()}"
    if bool(kept["partial"]) != bool(dropped["partial"]):
        return "a complete copy wins over a partly readable one"
    nk, nd = kept["n_samples"] or 0, dropped["n_samples"] or 0
    if nk != nd:
        return f"more samples ({nk} against {nd})"
    return "the first by file name"


def _matches(
    new: pl.DataFrame, kept: pl.DataFrame | None, superseded: list[_Superseded] | None = None
) -> list[_Match | None]:
    """For each row of ``new``, the kept activity it repeats (with the reasons), or ``None``.

    A new recorded activity that repeats a stored manual one is kept (``None``)
    and listed in ``superseded``.
    """
    accepted: list[dict[str, Any]] = []
    stored: set[int] = set()
    spans: list[tuple[float, int]] = []  # (start, index into accepted), sorted
    longest = 0.0
    ids: dict[str, int] = {}

    def accept(row: dict[str, Any], span: tuple[float, float] | None, *, in_store: bool) -> None:
        nonlocal longest
        index = len(accepted)
        ids.setdefault(row["activity_id"], index)
        row["_span"] = span
        if span is not None:
            bisect.insort(spans, (span[0], index))
            longest = max(longest, span[1] - span[0])
        if in_store:
            stored.add(index)
        accepted.append(row)

    if kept is not None:
        for row in kept.select(_DEDUP_COLUMNS).iter_rows(named=True):
            row["_new"] = False
            accept(row, _span_s(row), in_store=True)
    decisions: list[_Match | None] = [None] * new.height
    ordered = (
        new.select(_DEDUP_COLUMNS)
        .with_row_index("_row")
        .with_columns(
            _priority=pl.col("format").replace_strict(DUPLICATE_PRIORITY, default=9, return_dtype=pl.Int8),
            _partial=pl.col("partial").fill_null(False),
            _samples=-pl.col("n_samples").fill_null(0),
        )
        .sort(["_priority", "_partial", "_samples", "source", "_row"])
    )
    for row in ordered.iter_rows(named=True):
        row["_new"] = True
        index = ids.get(row["activity_id"])
        if index is not None:
            other = accepted[index]
            decisions[row["_row"]] = _Match(other, "the same file content", _why_kept(other, row, index in stored))
            continue
        span = _span_s(row)
        best: tuple[float, int] | None = None
        if span is not None:
            lo = bisect.bisect_left(spans, (span[0] - longest, -1))
            hi = bisect.bisect_left(spans, (span[1], -1))
            for _, i in spans[lo:hi]:
                other = accepted[i]
                if (
                    other["athlete"] != row["athlete"]
                    # sessions of one file (a triathlon's legs) are never copies of each other
                    or (other["_new"] and other["source"] == row["source"])
                    or not compatible_sports(other["sport"], row["sport"])
                ):
                    continue
                share = _overlap(span, other["_span"])
                if share > SAME_RUN_OVERLAP and (best is None or share > best[0]):
                    best = (share, i)
        if best is None:
            accept(row, span, in_store=False)
            continue
        share, found = best
        other, match = accepted[found], f"overlap {share:.0%} of the shorter"
        if found in stored and other["format"] == MANUAL_FORMAT and row["format"] != MANUAL_FORMAT:
            # a recorded file wins over a run typed in by hand, even one stored before
            if superseded is not None:
                superseded.append(_Superseded(other, row["activity_id"], match))
            accept(row, span, in_store=False)
            continue
        decisions[row["_row"]] = _Match(other, match, _why_kept(other, row, found in stored))
    return decisions


def find_duplicates(new: pl.DataFrame, kept: pl.DataFrame | None = None) -> list[str | None]:
    """For each row of ``new``, the id of the kept activity it repeats, or ``None`` to keep it.

    An activity is a duplicate when its ``activity_id`` (a hash of the file's
    content) is already kept, or when the same athlete has a kept activity of a
    compatible sport (:func:`runback.sports.compatible_sports`) whose time span
    (start to start plus elapsed time) overlaps its own by more than
    :data:`SAME_RUN_OVERLAP` of the shorter span; starts and distances do not
    matter.  An activity without a duration never matches, and sessions of one
    file never match each other.  Activities in ``kept`` (the store) always
    stay; among the new ones the FIT copy wins over TCX over GPX
    (:data:`FORMAT_PRIORITY`), then a complete copy over a partly readable
    one, then the copy with more samples, then the first by source.
    """
    return [None if m is None else str(m.kept["activity_id"]) for m in _matches(new, kept)]


# --------------------------------------------------------------------------
# the pipeline
# --------------------------------------------------------------------------
KNOWN = ("imported", "present", "duplicate", "skipped")
"""Index outcomes that a re-import trusts without parsing again (failures are retried)."""

EXPORT_PARTS = 1
"""An archive's index entry carries this once its manual entries and wellness were read
(``"exports"``): an archive indexed before is read once more (its activity files are not parsed again)."""


@dataclass(frozen=True)
class SpilledBatch:
    """A batch of parsed files whose samples, laps and summaries a spill wrote out.

    ``parts`` is the spill's receipt; ``activity_ids`` every activity in the
    batch; ``kept_ids`` those the import keeps (the others are copies of runs
    kept elsewhere: the caller leaves their rows out of what it stores).
    """

    parts: dict[str, list[tuple[str, dict[str, Any]]]]
    activity_ids: tuple[str, ...]
    kept_ids: tuple[str, ...]


@dataclass
class ImportResult:
    """Frames to store, the summary, and the index entries to record."""

    frames: Frames
    summary: ImportSummary
    index: dict[str, dict[str, Any] | None]
    """Index entries to record (``None``: forget that key)."""
    spilled: list[SpilledBatch] = field(default_factory=list)
    """Batches written out by the spill (their activities are in ``frames.activities``, the rest not)."""


def _apply_meta(frames: Frames, meta: Mapping[str, Any] | None, label: str) -> Frames:
    acts = frames.activities.with_columns(source=pl.lit(label))
    if meta:
        updates: list[pl.Expr] = []
        if meta.get("name"):
            updates.append(pl.lit(meta["name"]).alias("name"))
        if meta.get("rpe") is not None:
            updates.append(pl.lit(float(meta["rpe"])).alias("rpe"))
            updates.append(pl.lit("strava").alias("rpe_source"))  # the runner's rating in Strava wins over the watch's
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
    wave_bytes: int = WAVE_BYTES,
    kept_wellness: pl.DataFrame | None = None,
    spill: Spill | None = None,
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
    wave_bytes
        Archive members are parsed (and their bytes let go) whenever those
        waiting hold more than this; see :data:`WAVE_BYTES`.
    kept_wellness
        Wellness rows already stored for this athlete
        (:data:`runback.schema.WELLNESS`); only rows that add a day or a value
        are returned (:func:`runback.io.wellness.new_wellness`).
    spill
        Where parsed batches go (see :data:`Spill`): then the import holds the
        activity rows of what it parsed, not the samples, and the result lists
        the batches written (:attr:`ImportResult.spilled`).  Without one, every
        frame is returned (summaries included).
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

    # each parsed file's activity rows and its batch; a batch's other frames are held here (no
    # spill) or were written out by the spill: the import never holds every file's samples
    parsed: list[tuple[Task, pl.DataFrame, int]] = []
    held: dict[int, Frames] = {}
    receipts: dict[int, dict[str, list[tuple[str, dict[str, Any]]]]] = {}
    waves_done = 0
    pending = 0  # bytes of archive members queued

    def parse_wave() -> None:
        """Parse the queued tasks and let go of their bytes: memory holds one wave, not a whole archive."""
        nonlocal waves_done, pending

        def shifted(done: int, total: int, label: str) -> None:
            assert progress is not None
            progress(waves_done + done, waves_done + total, label)  # counted over all waves

        for batch in parse_batches(tasks, workers=workers, progress=shifted if progress else None, spill=spill):
            number = len(held) + len(receipts)
            if batch.parts is not None:
                receipts[number] = batch.parts
            else:
                frames = _distinct([r.frames for r in batch.results if r.frames is not None])
                held[number] = replace(frames, summaries=batch.summaries if batch.summaries is not None else frames.summaries)
            # the batch's activity rows in one frame, each file's rows a slice of it: a few hundred
            # bytes a file held until the commit, not a frame of its own (about 20 kB)
            mine = [r.frames.activities for r in batch.results if r.status == "ok" and r.frames is not None]
            rows = pl.concat(mine, how="vertical", rechunk=True) if mine else None
            offset = 0
            for result in batch.results:
                task = result.task
                record: dict[str, Any] = {"size": task.size, "mtime_ns": task.mtime_ns, "sha256": task.sha256}
                if result.status == "ok":
                    assert result.frames is not None and rows is not None
                    n = result.frames.activities.height
                    parsed.append((task, rows.slice(offset, n), number))
                    offset += n
                    summary.warnings += list(result.frames.warnings)
                    continue
                assert result.note is not None
                if result.status == "skipped":
                    summary.skipped.append(result.note)
                    new_index[task.key] = {**record, "outcome": "skipped", "reason": result.note.reason}
                else:
                    summary.failed.append(result.note)
                    new_index[task.key] = {**record, "outcome": "failed", "reason": result.note.reason}
        waves_done += len(tasks)
        tasks.clear()
        pending = 0

    inputs = find_inputs(list(paths))
    for problem in inputs.problems:  # a device or pipe is skipped with its reason, not a failure
        (summary.skipped if isinstance(problem, NotAnActivityError) else summary.failed).append(FileNote.of(problem))
    parts: list[ExportPart] = list(inputs.parts)
    for found in inputs.files:
        entry = index.get(found.key)
        if found.kind == "archive":
            prefix = found.key + "!"
            members = {k: e for k, e in index.items() if k.startswith(prefix)}
            if (
                unchanged(entry, found)
                # an archive indexed before runback read exports' manual entries and wellness is read once more
                and entry is not None
                and entry.get("exports") == EXPORT_PARTS
                and all(e.get("outcome") in KNOWN for e in members.values())
            ):
                for k, e in sorted(members.items()):
                    reuse(found.label + "!" + k[len(prefix):], e)
                continue
            for key in members:
                new_index[key] = None  # forget the old listing; the members found now replace it
            broken = False
            try:
                for item in archive_members(found):
                    if isinstance(item, FileError):
                        summary.failed.append(FileNote.of(item))
                        broken = True
                        continue
                    if isinstance(item, ExportPart):
                        parts.append(item)
                        continue
                    _queue(item, athlete, by_sha, tasks, new_index, reuse)
                    pending += len(item.data)
                    if pending > wave_bytes:
                        parse_wave()
            except Exception as exc:  # archive_members reports its own problems; this is a last guard
                summary.failed.append(FileNote(found.label, f"could not be read ({type(exc).__name__}: {exc})"))
                broken = True
            # an archive with an unreadable part is read again next time, so its failure is reported again
            outcome = "failed" if broken else "archive"
            new_index[found.key] = {
                "size": found.size, "mtime_ns": found.mtime_ns, "outcome": outcome, "exports": EXPORT_PARTS,
            }  # fmt: skip
            continue
        if unchanged(entry, found):
            assert entry is not None
            reuse(found.label, entry)
            continue
        try:
            data = read_regular(found.path, found.label, max_bytes_for(found.label))
        except NotAnActivityError as exc:
            summary.skipped.append(FileNote.of(exc))
            continue
        except FileError as exc:
            summary.failed.append(FileNote.of(exc))
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

    parse_wave()

    manual_keys: set[str] = set()
    for export in parts:
        summary.warnings += list(export.warnings)
        manual = _manual_frames(export, athlete, summary)
        if manual is not None:
            parsed.append((Task(export.label, export.key, athlete), manual.activities, -1))
            manual_keys.add(export.key)

    activities = (
        pl.concat([a for _, a, _ in parsed], how="vertical") if parsed else schema.empty(schema.ACTIVITIES)
    )
    superseded: list[_Superseded] = []
    matches = _matches(activities, kept, superseded)
    new_sources = dict(zip(activities["activity_id"], activities["source"]))
    for replaced in superseded:
        summary.superseded.append((str(replaced.manual["activity_id"]), replaced.by_id))
        summary.duplicate_decisions.append(
            DuplicateDecision(
                kept_id=replaced.by_id,
                kept_source=str(new_sources[replaced.by_id]),
                dropped_id=str(replaced.manual["activity_id"]),
                dropped_source=str(replaced.manual["source"]),
                match=replaced.match,
                why_kept="a recorded file wins over an activity typed in by hand",
            )
        )
    decisions = [None if m is None else str(m.kept["activity_id"]) for m in matches]
    for (act_id, source), m in zip(activities.select("activity_id", "source").iter_rows(), matches):
        if m is not None and m.kept["activity_id"] != act_id:
            summary.duplicate_decisions.append(
                DuplicateDecision(
                    kept_id=str(m.kept["activity_id"]),
                    kept_source=str(m.kept["source"]),
                    dropped_id=act_id,
                    dropped_source=source,
                    match=m.match,
                    why_kept=m.why_kept,
                )
            )
    kept_ids = set(kept["activity_id"]) if kept is not None else set()
    sources = dict(new_sources)
    if kept is not None:
        sources.update(zip(kept["activity_id"], kept["source"]))
    kept_activities: list[pl.DataFrame] = []
    in_batch: dict[int, list[str]] = {}
    kept_in_batch: dict[int, list[str]] = {}
    row = 0
    for task, acts, number in parsed:
        ids = acts["activity_id"].to_list()
        mine = decisions[row : row + len(ids)]
        row += len(ids)
        in_batch.setdefault(number, []).extend(ids)
        record = {"size": task.size, "mtime_ns": task.mtime_ns, "sha256": task.sha256, "activity_ids": ids}
        fresh = [i for i, d in zip(ids, mine) if d is None]
        if fresh:
            kept_activities.append(acts.filter(pl.col("activity_id").is_in(fresh)))
            kept_in_batch.setdefault(number, []).extend(fresh)
            summary.activity_ids += fresh
        if task.key in manual_keys:  # typed-in activities: no file of their own to index or list
            summary.manual_activity_ids += fresh
            continue
        if fresh:
            summary.imported.append(task.label)
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

    kept_parts: list[Frames] = []
    for number, frames in held.items():
        keep = pl.col("activity_id").is_in(kept_in_batch.get(number, []))
        kept_parts.append(Frames(
            samples=frames.samples.filter(keep), laps=frames.laps.filter(keep), summaries=frames.summaries.filter(keep)
        ))  # fmt: skip
    rest = Frames.concat(kept_parts)
    wellness = new_wellness(kept_wellness, _wellness_of(parts, athlete))
    summary.wellness_days = wellness.height
    frames = Frames(
        pl.concat(kept_activities, how="vertical") if kept_activities else schema.empty(schema.ACTIVITIES),
        rest.samples, rest.laps, tuple(summary.warnings), wellness, rest.summaries,
    )  # fmt: skip
    spilled = [
        SpilledBatch(receipt, tuple(in_batch.get(number, [])), tuple(kept_in_batch.get(number, [])))
        for number, receipt in receipts.items()
    ]
    return ImportResult(frames=frames, summary=summary, index=new_index, spilled=spilled)


def _manual_frames(part: ExportPart, athlete: str, summary: ImportSummary) -> Frames | None:
    """A part's typed-in activities for ``athlete``; each checked like a file (an impossible one is left out)."""
    if part.activities.is_empty():
        return None
    rows: list[pl.DataFrame] = []
    for i in range(part.activities.height):
        one = part.activities.slice(i, 1).with_columns(athlete=pl.lit(athlete))
        try:
            rows.append(check_frames(Frames(activities=one), str(one["source"].item())).activities)
        except FileError as exc:
            summary.warnings.append(f"{exc}; not imported")
    return Frames(activities=pl.concat(rows)) if rows else None


def _wellness_of(parts: Sequence[ExportPart], athlete: str) -> pl.DataFrame:
    """The parts' wellness rows for ``athlete`` (ids made for the athlete)."""
    found = [p.wellness for p in parts if not p.wellness.is_empty()]
    if not found:
        return schema.empty(schema.WELLNESS)
    rows = pl.concat(found, how="vertical").with_columns(athlete=pl.lit(athlete))
    ids = [wellness_id(athlete, day, source) for day, source in rows.select("date", "source").iter_rows()]
    return rows.with_columns(wellness_id=pl.Series(ids, dtype=pl.String))


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
    "SAME_RUN_OVERLAP",
    "DuplicateDecision",
    "FileNote",
    "ImportResult",
    "ImportSummary",
    "ParsedBatch",
    "choose_workers",
    "SpilledBatch",
    "Task",
    "file_kind",
    "find_duplicates",
    "parse_task",
    "read_one",
    "run_import",
]
