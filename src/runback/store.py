"""The local store: Parquet files that polars and DuckDB read directly.

Layout under the store root (partitioned by athlete, hive style, so a cluster
engine can read it later)::

    <root>/activities/athlete=<name>/...parquet
    <root>/samples/athlete=<name>/...parquet
    <root>/laps/athlete=<name>/...parquet
    <root>/summaries/athlete=<name>/...parquet   (one row per activity with samples)
    <root>/journal/athlete=<name>/...parquet
    <root>/corrections/athlete=<name>/...parquet
    <root>/profiles/<name>.toml

Every file under the root is read and written here: the readers (``io``)
only turn files into frames, the pain journal (``pain.journal``) only
validates entries, the profile (``load.profile``) only parses its TOML.

The runner's corrections (exclude an activity, include it again, set its
sport, merge two copies of one run) are append-only records beside the
activities; :meth:`Store.activities`, :meth:`Store.samples` and
:meth:`Store.laps` apply them unless asked for the raw view
(``corrected=False``).

The default root is the user's data directory (``platformdirs``), overridden
by the ``RUNBACK_STORE`` environment variable, overridden in turn by ``--store``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import hashlib
import io
import json
import os
import re
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import platformdirs
import polars as pl

from runback import schema
from runback.athletes import DEFAULT_ATHLETE, check_athlete
from runback.errors import OptionError, StoreError, UnreadableFileError
from runback.files import fsync_dir, write_atomic
from runback.io._common import Frames
from runback.io._localize import check_timezone, localize
from runback.io._pipeline import ImportResult, ImportSummary, run_import
from runback.io.wellness import collapse_wellness
from runback.summaries import SAMPLE_COLUMNS, SUMMARIES, SUMMARY_VERSION, summarize_samples, summarize_windows

try:  # POSIX: one import at a time per store
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

STORE_ENV = "RUNBACK_STORE"

__all__ = [
    "Correction",
    "DEFAULT_ATHLETE",
    "DoctorReport",
    "JOURNAL_FIXES",
    "JournalFix",
    "PreparedImport",
    "STORE_ENV",
    "Store",
    "StoreLike",
    "apply_corrections",
    "apply_journal_fixes",
    "as_store",
    "atomic_write_parquet",
    "check_athlete",
    "default_store_dir",
    "doctor",
    "hidden_activities",
    "open_store",
]


def default_store_dir() -> Path:
    """The store used when no ``--store`` is given: ``$RUNBACK_STORE`` or the user data dir."""
    env = os.environ.get(STORE_ENV)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("runback", appauthor=False)) / "store"


def atomic_write_parquet(df: pl.DataFrame, path: Path) -> None:
    """Write ``df`` to ``path`` so that a reader (or a crash) sees the old file or the new one.

    The frame is serialised in memory and written by :func:`runback.files.write_atomic`.
    """
    buf = io.BytesIO()
    df.write_parquet(buf)
    write_atomic(path, buf.getvalue())


def _file_checksum(path: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return {"sha256": digest.hexdigest(), "size": size}


def _sink_parts(sources: Sequence[Path], columns: Mapping[str, pl.DataType], target: Path) -> dict[str, Any]:
    """Concatenate Parquet parts into ``target`` streaming (never the whole table in memory);
    each conformed to ``columns`` as :func:`runback.schema.conform` would.  Returns its checksum.

    Written beside ``target`` under a temporary name first, as :func:`runback.files.write_atomic` does.
    """
    scans = []
    for source in sources:
        have = pl.read_parquet_schema(source)
        unknown = set(have) - set(columns)
        if unknown:
            raise ValueError(f"{source}: columns not in schema: {sorted(unknown)}")
        scans.append(
            pl.scan_parquet(source, hive_partitioning=False).select(
                [(pl.col(c) if c in have else pl.lit(None)).cast(t).alias(c) for c, t in columns.items()]
            )
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        pl.concat(scans, how="vertical").sink_parquet(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(target.parent)
    return _file_checksum(target)


def _summarised(frames: Frames) -> Frames:
    """``frames`` with a summaries row for every activity of its samples (computed where missing)."""
    have = frames.summaries.filter(pl.col("summary_version") == SUMMARY_VERSION)
    missing = frames.samples.filter(~pl.col("activity_id").is_in(have["activity_id"].implode()))
    if missing.is_empty() and have.height == frames.summaries.height:
        return frames
    return dataclasses.replace(frames, summaries=pl.concat([have, summarize_samples(missing)], how="vertical"))


UPGRADE_ROWS = 100_000
"""Samples summarised at once when a store is upgraded: a part holding years of imports is read
in windows of rows (whole activities), so the upgrade's memory does not grow with the history."""


def _summarise_part(path: Path) -> pl.DataFrame:
    """The summaries of one samples part, read in windows of about :data:`UPGRADE_ROWS` rows
    (:func:`runback.summaries.summarize_windows`; a part whose activities are not consecutive is
    summarised whole)."""
    have = pl.read_parquet_schema(path)
    scan = pl.scan_parquet(path, hive_partitioning=False).select(
        [(pl.col(c) if c in have else pl.lit(None)).cast(schema.SAMPLES[c]).alias(c) for c in SAMPLE_COLUMNS]
    )
    n = scan.select(pl.len()).collect().item()
    found = summarize_windows(scan.slice(start, UPGRADE_ROWS).collect() for start in range(0, n, UPGRADE_ROWS))
    return summarize_samples(scan.collect()) if found is None else found


def _spill(root: str, athlete: str, frames: Frames) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """An import worker's spill: a batch's frames as pending parts of the store at ``root``."""
    return Store(Path(root)).write_pending(athlete, frames)


# --------------------------------------------------------------------------
# the store: part files listed in one manifest per athlete
# --------------------------------------------------------------------------
#
# How writes stay atomic.  An import batch writes its new part files (via
# atomic_write_parquet) into <root>/_pending/, outside the folders that readers
# glob; then it atomically replaces the athlete's manifest
# (<root>/_index/athlete=<name>.json), which lists the part files that make up
# the store and names the index of source files seen (written just before it,
# under a new name, in _index/files/athlete=<name>/).  Replacing the manifest
# is the commit.  Only then are the new parts moved into <table>/athlete=<name>/.  A
# kill before the commit leaves the store as it was (the pending files are
# removed by the next import); a kill after it leaves the store as it is after
# (the store reads a listed part from _pending/ until the next import moves it).
# Parts are never rewritten in place; when an athlete has many small parts an
# import merges them into one new part in the same commit and moves the old
# ones to <root>/_retired/ after it, deleting them once no kept manifest lists
# them.  Every part's sha256 and size are in the manifest and checked on read.
# Readers (Store.snapshot) read one manifest per athlete for a whole command.
#
# An import writes its parsed files as pending parts batch by batch while it parses (the
# worker that parsed a batch writes it), and commits them all in one manifest replacement.
# Each import's summaries part has the name of its samples part; the manifest's
# ``summary_version`` says that every activity with samples has a summaries row of that
# definition.  A manifest without it (a store from before) is upgraded on first read.

# the activities as stored: every column but ``correction``, which reading adds
STORED_ACTIVITIES: dict[str, pl.DataType] = {k: v for k, v in schema.ACTIVITIES.items() if k != "correction"}
TABLES: dict[str, dict[str, pl.DataType]] = {
    "activities": STORED_ACTIVITIES,
    "samples": schema.SAMPLES,
    "laps": schema.LAPS,
    # nights and days from the device (Garmin sleep and stress): a later export may add a value
    # to a stored day, so a day can sit in several parts; Store.wellness() collapses them
    "wellness": schema.WELLNESS,
    # one row per activity with samples: the per-sample work of the load model, done at import
    "summaries": SUMMARIES,
}
MANIFEST_FORMAT = 2
MAX_PARTS = 32
"""More part files than this per athlete and table are merged into one at the next import (32: a
five-year import of 1,520 FIT files in batches of 48 files stays below it; commands read the
small summaries parts, so the count hardly shows in their time)."""


KEEP_MANIFESTS = 5
"""Earlier manifests kept beside the current one (``_index/history/``), for ``runback doctor``."""
QUARANTINE = "_quarantine"
"""Where ``runback doctor`` and the tidy step put parts they cannot use: never deleted."""

_PART_NAME = re.compile(r"part-[A-Za-z0-9_.-]{1,80}\.parquet")
_INDEX_NAME = re.compile(r"files-[A-Za-z0-9_-]{1,80}\.json")
_SHA256 = re.compile(r"[0-9a-f]{64}")

JOURNAL_FIXES: dict[str, pl.DataType] = {
    "fix_id": pl.String(),
    "recorded_at_utc": pl.Datetime("us", "UTC"),
    "action": pl.String(),
    "from_athlete": pl.String(),
    "to_athlete": pl.String(),
    "entry_id": pl.String(),
    "note": pl.String(),
}
"""Fixes to the pain journal: ``rename`` (every entry of ``from_athlete`` is ``to_athlete``'s),
``remove`` (leave ``entry_id`` out) and ``restore`` (the entry was added again)."""


DAMAGED_PARQUET: tuple[type[BaseException], ...] = (Exception, pl.exceptions.PanicException)
"""What reading a damaged Parquet file raises: polars raises several types, and a panic
(a BaseException, not an Exception) for some damage the checksum would have caught."""


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _why(exc: BaseException) -> str:
    return str(getattr(exc, "strerror", None) or exc)


def _empty_manifest(athlete: str) -> dict[str, Any]:
    return {
        "format": MANIFEST_FORMAT,
        "athlete": athlete,
        "seq": 0,
        "parts": {t: [] for t in TABLES},
        "checksums": {t: {} for t in TABLES},
        "retired": {t: [] for t in TABLES},
        "files_index": None,
        # every activity with samples has a summaries row of this version (a new athlete: trivially)
        "summary_version": SUMMARY_VERSION,
    }


def _parse_manifest(text: str) -> dict[str, Any]:
    """A manifest's JSON, checked for shape (any damage is a ValueError saying what)."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc}") from exc
    if not isinstance(raw, dict):
        raise ValueError("not a JSON object")
    out = _empty_manifest(str(raw.get("athlete", "")))
    out["format"] = raw.get("format", MANIFEST_FORMAT)
    seq = raw.get("seq", 0)
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise ValueError("seq is not a count")
    out["seq"] = seq
    for key in ("parts", "retired"):
        value = raw.get(key, {})
        if not isinstance(value, dict):
            raise ValueError(f"{key} is not an object")
        for table in TABLES:
            names = value.get(table, [])
            if not isinstance(names, list) or not all(isinstance(n, str) and _PART_NAME.fullmatch(n) for n in names):
                raise ValueError(f"{key}.{table} is not a list of part names")
            out[key][table] = list(names)
    checksums = raw.get("checksums", {})
    if not isinstance(checksums, dict):
        raise ValueError("checksums is not an object")
    for table in TABLES:
        entries = checksums.get(table, {})
        if not isinstance(entries, dict):
            raise ValueError(f"checksums.{table} is not an object")
        for name, check in entries.items():
            if not (
                isinstance(check, dict)
                and isinstance(check.get("sha256"), str)
                and _SHA256.fullmatch(check["sha256"])
                and isinstance(check.get("size"), int)
            ):
                raise ValueError(f"checksums.{table}.{name} is not a sha256 and size")
        out["checksums"][table] = {k: {"sha256": v["sha256"], "size": v["size"]} for k, v in entries.items()}
    files_index = raw.get("files_index")
    if files_index is not None and not (isinstance(files_index, str) and _INDEX_NAME.fullmatch(files_index)):
        raise ValueError("files_index is not a file index name")
    out["files_index"] = files_index
    # absent in a manifest written before summaries were stored: the store upgrades it
    version = raw.get("summary_version")
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        raise ValueError("summary_version is not a number")
    out["summary_version"] = version
    return out


@dataclasses.dataclass(frozen=True)
class PreparedImport:
    """An import parsed elsewhere, for :meth:`Store.import_prepared` to commit.

    ``summary`` is what the command prints; ``index`` the new files-index
    entries (None forgets an entry); ``parts`` the pending parts written with
    :meth:`Store.write_pending`, table -> [(name, checksum)].
    """

    summary: ImportSummary
    index: dict[str, Any]
    parts: dict[str, list[tuple[str, dict[str, Any]]]]


@dataclasses.dataclass(frozen=True)
class JournalFix:
    """What one journal fix did: the entries it concerns and a message for the runner."""

    action: str
    from_athlete: str
    to_athlete: str | None
    entry_ids: tuple[str, ...]
    message: str


def apply_journal_fixes(journal: pl.DataFrame, fixes: pl.DataFrame) -> pl.DataFrame:
    """The journal as fixed: renames move entries to another athlete, removals leave entries out.

    Fixes apply oldest first; ``restore`` undoes an earlier ``remove`` of the same entry.
    """
    journal = schema.conform(journal, schema.JOURNAL)
    removed: set[str] = set()
    for fix in fixes.sort("recorded_at_utc", "fix_id").iter_rows(named=True):
        if fix["action"] == "rename":
            journal = journal.with_columns(
                athlete=pl.when(pl.col("athlete") == fix["from_athlete"])
                .then(pl.lit(fix["to_athlete"]))
                .otherwise(pl.col("athlete"))
            )
        elif fix["action"] == "remove":
            removed.add(fix["entry_id"])
        elif fix["action"] == "restore":
            removed.discard(fix["entry_id"])
    return journal.filter(~pl.col("entry_id").is_in(sorted(removed)))


class Store:
    """A runback store: Parquet files partitioned by athlete, read by polars or DuckDB.

    Layout under :attr:`root`::

        activities/athlete=<name>/part-<id>.parquet
        samples/athlete=<name>/part-<id>.parquet
        laps/athlete=<name>/part-<id>.parquet
        summaries/athlete=<name>/part-<id>.parquet   (per-activity summaries of the samples: Store.summaries)
        journal/athlete=<name>/part-<id>.parquet   (the pain journal: append-only)
        corrections/athlete=<name>/part-<time>-<id>.parquet   (the runner's corrections: append-only)
        profiles/<athlete>.toml                 (the athlete's profile, written by the user)
        _index/athlete=<name>.json              (manifest: the part files, their checksums, the file index's name)
        _index/history/athlete=<name>/manifest-<seq>.json   (the last KEEP_MANIFESTS manifests)
        _index/files/athlete=<name>/files-<id>.json   (index of the source files seen)
        journal_fixes/part-<time>-<id>.parquet  (journal entries renamed or removed: append-only)
        _retired/<table>/athlete=<name>/...     (parts a merge replaced, while a kept manifest lists them)
        _quarantine/...                         (what `runback doctor` and imports set aside: never deleted)

    ``pl.scan_parquet(root / "activities/**/*.parquet", hive_partitioning=True)``
    and DuckDB's ``read_parquet(..., hive_partitioning=true)`` read it directly.
    Use :func:`open_store` to get one.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"Store({str(self.root)!r})"

    # -- paths -------------------------------------------------------------
    def _manifest_path(self, athlete: str) -> Path:
        return self.root / "_index" / f"athlete={athlete}.json"

    def _part_dir(self, table: str, athlete: str) -> Path:
        return self.root / table / f"athlete={athlete}"

    def _files_dir(self, athlete: str) -> Path:
        return self.root / "_index" / "files" / f"athlete={athlete}"

    def _pending_dir(self, table: str, athlete: str) -> Path:
        return self.root / "_pending" / table / f"athlete={athlete}"

    def _retired_dir(self, table: str, athlete: str) -> Path:
        # parts a merge replaced, out of the folders that polars and DuckDB glob, kept for
        # snapshots still reading them and for `runback doctor`, until no kept manifest lists them
        return self.root / "_retired" / table / f"athlete={athlete}"

    # -- reading -----------------------------------------------------------
    def snapshot(self) -> Store:
        """This store, its manifests read once and kept: every read sees one commit per athlete.

        A command that reads activities, samples and laps (a report, flags)
        uses one snapshot, so an import committing meanwhile never mixes two
        commits into its frames.  Writes go through the store as usual.
        """
        pinned = Store(self.root)
        pinned._pinned = {}
        return pinned

    _pinned: dict[str, dict[str, Any]] | None = None

    def manifest(self, athlete: str) -> dict[str, Any]:
        """The athlete's manifest: ``parts`` per table, their ``checksums`` and ``files_index``.

        Raises
        ------
        StoreError
            When the manifest is damaged, or missing while earlier ones are kept
            (the error says to run ``runback doctor --repair``).
        """
        if self._pinned is not None and athlete in self._pinned:
            return self._pinned[athlete]
        path = self._manifest_path(athlete)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            if self._history(athlete):
                raise StoreError(
                    f"the store's manifest {path} of athlete {athlete} is missing; "
                    f"run `runback doctor --repair --store {self.root}` to restore the newest good one"
                ) from None
            manifest = _empty_manifest(athlete)
        except (OSError, UnicodeDecodeError) as exc:
            raise StoreError(f"cannot read the store's manifest {path}: {_why(exc)}") from exc
        else:
            try:
                manifest = _parse_manifest(text)
            except ValueError as exc:
                raise StoreError(
                    f"the store's manifest {path} of athlete {athlete} is damaged ({exc}); "
                    f"run `runback doctor --repair --store {self.root}` to restore the newest good one"
                ) from exc
        if self._pinned is not None:
            self._pinned[athlete] = manifest
        return manifest

    def _history_dir(self, athlete: str) -> Path:
        return self.root / "_index" / "history" / f"athlete={athlete}"

    def _history(self, athlete: str) -> list[Path]:
        """The kept manifests of ``athlete``, oldest first."""
        folder = self._history_dir(athlete)
        return sorted(folder.glob("manifest-*.json")) if folder.is_dir() else []

    def files_index(self, athlete: str, manifest: dict[str, Any] | None = None) -> dict[str, Any]:
        """The index of source files seen for ``athlete``: path -> size, mtime, sha256, outcome, ids.

        It lives in its own file, named in the manifest, so that reading a
        store's frames never loads it.
        """
        manifest = manifest or self.manifest(athlete)
        name = manifest.get("files_index")
        if not name:
            return {}
        path = self._files_dir(athlete) / name
        try:
            files: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise StoreError(
                f"the store's file index {path} of athlete {athlete} cannot be read ({exc}); "
                f"run `runback doctor --repair --store {self.root}`"
            ) from exc
        return files

    def athletes(self) -> list[str]:
        """Athletes with stored activities or a pain journal, sorted."""
        names: set[str] = set()
        index = self.root / "_index"
        if index.is_dir():
            names.update(p.stem.removeprefix("athlete=") for p in index.glob("athlete=*.json"))
        names.update(self._historic_athletes())
        names.update(self._journal_athletes())
        return sorted(names)

    def _historic_athletes(self) -> set[str]:
        """Athletes with kept manifests (their current one may be lost: reading them says so)."""
        history = self.root / "_index" / "history"
        if not history.is_dir():
            return set()
        return {d.name.split("=", 1)[1] for d in history.iterdir() if d.name.startswith("athlete=") and any(d.glob("manifest-*.json"))}

    def _athletes_for(self, athlete: str | None) -> list[str]:
        if athlete is None:
            index = self.root / "_index"
            if not index.is_dir():
                return []
            names = {p.stem.removeprefix("athlete=") for p in index.glob("athlete=*.json")}
            return sorted(names | self._historic_athletes())
        return [check_athlete(athlete)]

    def _part_path(self, table: str, athlete: str, name: str) -> Path:
        final = self._part_dir(table, athlete) / name
        for other in (self._pending_dir(table, athlete) / name, self._retired_dir(table, athlete) / name):
            # committed but not yet moved (an import killed right after its commit), or retired
            if not final.exists() and other.exists():
                return other
        return final

    def _part_files(self, table: str, athlete: str, manifest: dict[str, Any] | None = None) -> list[Path]:
        manifest = manifest or self.manifest(athlete)
        return [self._part_path(table, athlete, name) for name in manifest["parts"][table]]

    def _part_bytes(self, table: str, athlete: str, name: str, manifest: dict[str, Any]) -> tuple[Path, bytes]:
        """A listed part's bytes, checked against the manifest's checksum.

        The bytes are read once and parsed from memory: a part that an import
        moves meanwhile (from ``_pending`` in, or out to ``_retired``) is found.
        """
        final = self._part_dir(table, athlete) / name
        pending = self._pending_dir(table, athlete) / name
        retired = self._retired_dir(table, athlete) / name
        # a part only ever moves pending -> final -> retired, so this order finds it wherever it is
        for path in (final, pending, final, retired):
            try:
                data = path.read_bytes()
                break
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise StoreError(f"cannot read {path}: {_why(exc)}") from exc
        else:
            raise StoreError(
                f"{final}: the {table} part of athlete {athlete} listed in the manifest is missing "
                f"(if an import was running, run the command again; else run `runback doctor --repair --store {self.root}`)"
            )
        want = manifest.get("checksums", {}).get(table, {}).get(name)
        if want is not None and (len(data) != want["size"] or _digest(data) != want["sha256"]):
            raise StoreError(
                f"{path}: the {table} part of athlete {athlete} is damaged (its checksum does not match the "
                f"manifest's); run `runback doctor --repair --store {self.root}`"
            )
        return path, data

    def _read(
        self,
        table: str,
        athlete: str | None,
        predicate: pl.Expr | None = None,
        *,
        corrected: bool = False,
    ) -> pl.DataFrame:
        frames = []
        for name in self._athletes_for(athlete):
            manifest = self.manifest(name)
            if not manifest["parts"][table]:
                continue
            where = predicate
            if corrected:
                hidden = hidden_activities(self.corrections(name))
                if hidden:
                    keep = ~pl.col("activity_id").is_in(sorted(hidden))
                    where = keep if where is None else where & keep
            for part in manifest["parts"][table]:
                path, data = self._part_bytes(table, name, part, manifest)
                try:
                    frame = pl.scan_parquet(io.BytesIO(data), hive_partitioning=False)
                    if where is not None:
                        frame = frame.filter(where)
                    frames.append(schema.conform(frame.collect(), TABLES[table]))
                except DAMAGED_PARQUET as exc:
                    raise StoreError(
                        f"{path}: the {table} part of athlete {name} cannot be read ({exc}); "
                        f"run `runback doctor --repair --store {self.root}`"
                    ) from exc
        if not frames:
            return schema.empty(TABLES[table])
        return pl.concat(frames, how="vertical")

    def wellness(self, athlete: str | None = None) -> pl.DataFrame:
        """Nights and days the device recorded (:data:`runback.schema.WELLNESS`): one row per athlete,
        day and source, sorted by athlete and date (Garmin sleep and stress from an export)."""
        return collapse_wellness(self._read("wellness", athlete)).sort(["athlete", "date"])

    def activities(
        self, athlete: str | None = None, *, corrected: bool = True, keep_hidden: bool = False
    ) -> pl.DataFrame:
        """Stored activities (:data:`runback.schema.ACTIVITIES`), sorted by athlete and start time.

        Parameters
        ----------
        athlete
            One athlete's, or everyone's (None).
        corrected
            Apply the runner's corrections (default): excluded activities and
            copies merged into another are left out, corrected sports are
            set, and ``correction`` says what was applied.  ``False`` gives
            the activities as imported (``correction`` null).
        keep_hidden
            With ``corrected``: keep the activities that do not count too, their
            ``correction`` saying why ("not counted: excluded ...").
        """
        raw = self._read("activities", athlete).with_columns(correction=pl.lit(None, pl.String))
        if corrected:
            raw = apply_corrections(raw, self.corrections(athlete), keep_hidden=keep_hidden)
        return schema.conform(raw, schema.ACTIVITIES).sort(["athlete", "start_time_utc"], nulls_last=True)

    def samples(
        self,
        athlete: str | None = None,
        activity_ids: Sequence[str] | None = None,
        *,
        corrected: bool = True,
    ) -> pl.DataFrame:
        """Stored samples (:data:`runback.schema.SAMPLES`), optionally of some activities only.

        With ``corrected`` (default), the samples of excluded activities and of
        copies merged into another are left out.
        """
        predicate = None if activity_ids is None else pl.col("activity_id").is_in(list(activity_ids))
        return self._read("samples", athlete, predicate, corrected=corrected)

    def summaries(
        self,
        athlete: str | None = None,
        activity_ids: Sequence[str] | None = None,
        *,
        corrected: bool = True,
    ) -> pl.DataFrame:
        """Per-activity summaries of the samples (:data:`runback.summaries.SUMMARIES`): what the load
        model and the profile estimates need from samples, without reading them.

        One row per activity with samples, stored beside them at import; with
        ``corrected`` (default), those of excluded activities and of copies
        merged into another are left out.  A store written before summaries
        were stored (or by an older definition) is upgraded here, once, under
        the store's lock (:meth:`upgrade_summaries`); where that cannot be done
        now (a store this process cannot write, an import running) the
        summaries are computed from the samples instead, equal to the stored ones.
        """
        predicate = None if activity_ids is None else pl.col("activity_id").is_in(list(activity_ids))
        frames = []
        for name in self._athletes_for(athlete):
            if not self.needs_upgrade(name) or self._try_upgrade(name):
                frames.append(self._read("summaries", name, predicate, corrected=corrected))
            else:
                frames.append(summarize_samples(self._read("samples", name, predicate, corrected=corrected)))
        return pl.concat(frames, how="vertical") if frames else schema.empty(SUMMARIES)

    def needs_upgrade(self, athlete: str) -> bool:
        """Whether ``athlete``'s stored summaries are missing or of an older definition (see :meth:`summaries`)."""
        return bool(self.manifest(athlete)["summary_version"] != SUMMARY_VERSION)

    def upgrade_summaries(self, athlete: str | None = None) -> list[str]:
        """Store the summaries of every activity with samples, where a store written before them lacks
        them (or holds an older definition): computed from the stored samples part by part and
        committed at once, under the store's lock.  Returns the athletes upgraded.

        Raises
        ------
        StoreError
            When the store cannot be written or a samples part is damaged.
        """
        done = []
        with self._writing():
            for name in self._athletes_for(athlete):
                current = Store(self.root).manifest(name)  # the newest commit, not a snapshot's
                if current["summary_version"] != SUMMARY_VERSION:
                    self._rebuild_summaries(name, current)
                    done.append(name)
        return done

    def _try_upgrade(self, athlete: str) -> bool:
        """Upgrade ``athlete``'s summaries if the lock is free and the store writable; True when this
        store (or snapshot) can now read them from the stored table."""
        try:
            with self._lock(wait=False):
                current = Store(self.root).manifest(athlete)
                new = current
                if current["summary_version"] != SUMMARY_VERSION:
                    new = self._rebuild_summaries(athlete, current)
                if self._pinned is not None:
                    if self._pinned[athlete]["seq"] != current["seq"]:
                        return False  # the snapshot is of an earlier commit: it computes its own
                    self._pinned[athlete] = new
                return True
        except OSError:  # another process holds the lock, or the store is read-only
            return False

    def _rebuild_summaries(self, athlete: str, manifest: dict[str, Any]) -> dict[str, Any]:
        """Summarise every samples part of ``manifest`` and commit the new summaries parts in place of
        the old ones (the caller holds the lock).  Returns the manifest committed."""
        written: list[tuple[str, dict[str, Any]]] = []
        try:
            for part in manifest["parts"]["samples"]:
                rows = _summarise_part(self._checked_path("samples", athlete, part, manifest))
                if rows.height:
                    name = f"part-{uuid.uuid4().hex[:16]}.parquet"
                    written.append(self._write_pending_part("summaries", athlete, name, rows))
            parts_by_table, checksums = self._next_parts(athlete, manifest)
            retired: dict[str, list[str]] = {t: [] for t in TABLES}
            retired["summaries"] = parts_by_table["summaries"]
            parts_by_table["summaries"] = [name for name, _ in written]
            checksums["summaries"] = dict(written)
            new_manifest = {
                "format": MANIFEST_FORMAT,
                "athlete": athlete,
                "seq": manifest["seq"] + 1,
                "parts": parts_by_table,
                "checksums": checksums,
                "retired": retired,
                "files_index": manifest["files_index"],
                "summary_version": SUMMARY_VERSION,
            }
            body = json.dumps(new_manifest, indent=1, sort_keys=True).encode("utf-8")
            write_atomic(self._manifest_path(athlete), body)  # the commit
        except BaseException:
            for name, _ in written:
                self.drop_pending("summaries", athlete, name)
            raise
        self._move_in("summaries", athlete, [name for name, _ in written])
        for name in retired["summaries"]:
            self._retire("summaries", athlete, name)
        self._keep_history(athlete, new_manifest, listed_before=manifest["retired"])
        return new_manifest

    def laps(self, athlete: str | None = None, *, corrected: bool = True) -> pl.DataFrame:
        """Stored laps (:data:`runback.schema.LAPS`); with ``corrected``, not those of excluded activities."""
        return self._read("laps", athlete, corrected=corrected)

    # -- the runner's corrections -------------------------------------------
    #
    # Append-only, as the journal: each correction is one new part file
    # (<root>/corrections/athlete=<name>/part-<time>-<id>.parquet), written
    # under the store's lock and never rewritten; the newest record for an
    # activity wins (see apply_corrections).
    def _corrections_dir(self, athlete: str) -> Path:
        return self.root / "corrections" / f"athlete={check_athlete(athlete)}"

    def corrections(self, athlete: str | None = None) -> pl.DataFrame:
        """Every correction record (:data:`runback.schema.CORRECTIONS`), oldest first.

        Raises
        ------
        UnreadableFileError
            A damaged part file (named in the error).
        """
        return self._read_log("corrections", schema.CORRECTIONS, athlete).sort(
            ["athlete", "recorded_at_utc", "correction_id"]
        )

    def exclude(self, activity_id: str, athlete: str | None = None, *, note: str | None = None) -> Correction:
        """Stop counting an activity (a broken recording, someone else's run); :meth:`include` undoes it.

        ``activity_id`` may be a unique prefix of the id (at least 4 characters).

        Raises
        ------
        OptionError
            When no stored activity (of ``athlete``, if given) has that id, or
            several do.
        """
        with self._writing():
            row = self._find(activity_id, athlete)
            state = self._state(row)
            if state["hidden_by"] == "exclude":
                return self._unchanged(row, f"{_describe(row)} is already excluded; nothing changed")
            record = self._record(row, "exclude", note=note)
            return Correction.of(
                record,
                changed=True,
                message=f"excluded {_describe(row)}; `runback activities include {row['activity_id']}` brings it back",
            )

    def include(self, activity_id: str, athlete: str | None = None) -> Correction:
        """Count an excluded activity again, or a copy merged into another as a run of its own.

        Raises
        ------
        OptionError
            When no stored activity has that id, or several do.
        """
        with self._writing():
            row = self._find(activity_id, athlete)
            state = self._state(row)
            if state["hidden_by"] is None:
                return self._unchanged(row, f"{_describe(row)} is not excluded; nothing changed")
            record = self._record(row, "include")
            message = f"included {_describe(row)} again"
            if state["hidden_by"] == "merge":
                message += f"; it no longer counts as the same run as {state['kept']}"
            return Correction.of(record, changed=True, message=message)

    def set_sport(self, activity_id: str, sport: str, athlete: str | None = None) -> Correction:
        """Set an activity's sport ("this was a walk"); setting the file's own sport again undoes it.

        ``sport`` is a lower-case label such as ``running``, ``walking``,
        ``cycling``, ``hiking`` (spaces and dashes become ``_``).  Only
        ``running`` (and ``trail_running`` ...) counts as running load.

        Raises
        ------
        OptionError
            When the id is unknown or ambiguous, or the sport is not a label.
        """
        label = _sport_label(sport)
        with self._writing():
            row = self._find(activity_id, athlete)
            current = self._state(row)["sport"] or row["sport"]
            if current == label:
                return self._unchanged(row, f"{_describe(row)} is already {label}; nothing changed")
            record = self._record(row, "set_sport", sport=label)
            file_sport = row["sport"] or "no sport"
            undo = f"`runback activities set {row['activity_id']} --sport {row['sport']}` undoes it" if row["sport"] else ""
            message = f"sport of {_describe(row)} set to {label} (the file says {file_sport})"
            return Correction.of(record, changed=True, message=message + (f"; {undo}" if undo else ""))

    def merge(self, id_a: str, id_b: str, athlete: str | None = None) -> Correction:
        """Count two activities as one run: keep the more complete copy, leave the other out.

        The more complete copy is the one in the richer format (FIT, then TCX,
        then GPX), then the one with more samples, then the longer one.
        ``include`` of the copy left out undoes the merge.

        Returns
        -------
        Correction
            The record of the copy left out (``activity_id``), naming the one
            kept (``kept_activity_id``).

        Raises
        ------
        OptionError
            When an id is unknown or ambiguous, both ids are one activity, or
            the two belong to different athletes.
        """
        with self._writing():
            a = self._find(id_a, athlete)
            b = self._find(id_b, athlete)
            if a["activity_id"] == b["activity_id"]:
                raise OptionError(f"{id_a!r} and {id_b!r} are the same activity ({a['activity_id']}); nothing to merge")
            if a["athlete"] != b["athlete"]:
                raise OptionError(
                    f"{a['activity_id']} is {a['athlete']}'s and {b['activity_id']} is {b['athlete']}'s: "
                    "only one runner's activities can be one run"
                )
            kept, dropped = sorted((a, b), key=_completeness)
            state = self._state(dropped)
            if state["hidden_by"] == "merge" and state["kept"] == kept["activity_id"]:
                return self._unchanged(dropped, f"{_describe(dropped)} already counts as the same run as {kept['activity_id']}; nothing changed")
            why = f"{_what(kept)} over {_what(dropped)}"
            record = self._record(dropped, "merge", kept=kept["activity_id"], note=why)
            message = (
                f"merged {a['activity_id']} and {b['activity_id']} as one run: kept {_describe(kept)}, {why}; "
                f"`runback activities include {dropped['activity_id']}` undoes it"
            )
            if self._state(kept)["hidden_by"] is not None:
                message += (
                    f"; note that {kept['activity_id']} itself does not count now "
                    f"(`runback activities include {kept['activity_id']}` counts it again)"
                )
            return Correction.of(record, changed=True, message=message)

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        try:
            with self._lock():
                yield
        except OSError as exc:
            raise StoreError(f"cannot write the store at {self.root}: {exc.strerror or exc}") from exc

    def _find(self, activity_id: str, athlete: str | None) -> dict[str, Any]:
        """The raw row of one stored activity, by its id or a unique prefix of it."""
        wanted = str(activity_id).strip()
        cols = ["activity_id", "athlete", "format", "sport", "name", "source", "start_time_utc", "start_time_local",
                "distance_m", "n_samples", "moving_s", "elapsed_s"]
        acts = self._read("activities", athlete).select(cols)
        exact = acts.filter(pl.col("activity_id") == wanted)
        found = exact if exact.height or len(wanted) < 4 else acts.filter(pl.col("activity_id").str.starts_with(wanted))
        whose = f" of {athlete}" if athlete is not None else ""
        if found.is_empty():
            raise OptionError(
                f"no activity {wanted!r}{whose} in the store at {self.root} (`runback activities` lists the ids)"
            )
        if found.height > 1:
            options = ", ".join(f"{r['activity_id']} ({r['athlete']})" for r in found.head(5).iter_rows(named=True))
            hint = "give --athlete" if found["activity_id"].n_unique() == 1 else "give more of the id"
            raise OptionError(f"activity id {wanted!r}{whose} is ambiguous: {options}; {hint}")
        return found.row(0, named=True)

    def _state(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """The corrections in force for one activity: hidden_by (exclude, merge or None), kept, sport."""
        mine = self.corrections(row["athlete"]).filter(pl.col("activity_id") == row["activity_id"])
        seen = mine.filter(pl.col("action").is_in(["exclude", "include", "merge"]))
        sport = mine.filter(pl.col("action") == "set_sport")
        last = seen.row(-1, named=True) if seen.height else None
        return {
            "hidden_by": last["action"] if last and last["action"] != "include" else None,
            "kept": last["kept_activity_id"] if last else None,
            "sport": sport["sport"][-1] if sport.height else None,
        }

    def _record(
        self,
        row: Mapping[str, Any],
        action: str,
        *,
        sport: str | None = None,
        kept: str | None = None,
        note: str | None = None,
    ) -> dict[str, Any]:
        """Write one correction record (the caller holds the lock); return it."""
        athlete = str(row["athlete"])
        stored = self.corrections(athlete)["recorded_at_utc"]
        now = dt.datetime.now(dt.timezone.utc)
        newest = stored.max() if stored.len() else None
        if isinstance(newest, dt.datetime) and newest >= now:
            now = newest + dt.timedelta(microseconds=1)  # keep "newest wins" strict, whatever the clock does
        record: dict[str, Any] = {
            "athlete": athlete,
            "correction_id": uuid.uuid4().hex[:16],
            "recorded_at_utc": now,
            "activity_id": row["activity_id"],
            "action": action,
            "sport": sport,
            "kept_activity_id": kept,
            "note": note,
        }
        frame = schema.conform(pl.DataFrame([record]), schema.CORRECTIONS).drop("athlete")
        name = f"part-{now:%Y%m%dT%H%M%S%fZ}-{record['correction_id']}.parquet"
        atomic_write_parquet(frame, self._corrections_dir(athlete) / name)
        return record

    def _unchanged(self, row: Mapping[str, Any], message: str) -> Correction:
        return Correction(athlete=str(row["athlete"]), activity_id=str(row["activity_id"]), action=None,
                          changed=False, message=message)

    # -- the pain journal --------------------------------------------------
    #
    # Append-only: every append writes one new part file per athlete and never
    # rewrites one, so a crash can lose at most the entries being added.  The
    # athlete is in the folder name only (hive style).  An entry's ``entry_id``
    # (a hash of its content, made by runback.pain.journal) makes appending an
    # entry already stored a no-op.
    def journal_dir(self, athlete: str) -> Path:
        """The folder of ``athlete``'s journal parts: ``<root>/journal/athlete=<name>``."""
        return self.root / "journal" / f"athlete={check_athlete(athlete)}"

    def _log_dirs(self, table: str) -> list[tuple[str, Path]]:
        base = self.root / table
        if not base.is_dir():
            return []
        return sorted(
            (d.name.split("=", 1)[1], d) for d in base.iterdir() if d.is_dir() and d.name.startswith("athlete=")
        )

    def _log_parts(self, table: str) -> list[tuple[str, Path]]:
        """(athlete, part) of an append-only table; a snapshot lists them once."""
        key = f"log:{table}"
        if self._pinned is not None and key in self._pinned:
            listed: list[tuple[str, Path]] = self._pinned[key]["parts"]
            return listed
        parts = [(name, part) for name, folder in self._log_dirs(table) for part in sorted(folder.glob("*.parquet"))]
        if self._pinned is not None:
            self._pinned[key] = {"parts": parts}
        return parts

    def _read_log(self, table: str, columns: Mapping[str, pl.DataType], athlete: str | None) -> pl.DataFrame:
        """Every part of an append-only table (journal, corrections): one Parquet file per addition."""
        frames: list[pl.DataFrame] = []
        for name, part in self._log_parts(table):
            if athlete is not None and name != athlete:
                continue
            try:
                df = pl.read_parquet(part)
            except FileNotFoundError:
                continue  # quarantined by `runback doctor` meanwhile
            except DAMAGED_PARQUET as exc:
                raise UnreadableFileError(
                    str(part),
                    f"cannot read {table} part ({exc}); run `runback doctor --repair --store {self.root}` "
                    "to set it aside",
                ) from exc
            frames.append(schema.conform(df.with_columns(athlete=pl.lit(name)), columns))
        return pl.concat(frames) if frames else schema.empty(columns)

    def _raw_journal(self, athlete: str | None = None) -> pl.DataFrame:
        return self._read_log("journal", schema.JOURNAL, athlete).unique("entry_id", keep="first", maintain_order=True)

    def journal(self, athlete: str | None = None) -> pl.DataFrame:
        """Every stored pain-journal entry (:data:`runback.schema.JOURNAL`), of one athlete or of all.

        One row per distinct ``entry_id``, sorted by athlete, date, time
        (entries without a time first) and entry_id.  The journal fixes
        (:meth:`rename_journal`, :meth:`remove_journal_entry`) are applied.

        Raises
        ------
        UnreadableFileError
            A damaged part file (named in the error).
        """
        fixes = self.journal_fixes()
        if fixes.is_empty():
            journal = self._raw_journal(athlete)
        else:
            journal = apply_journal_fixes(self._raw_journal(), fixes)
            if athlete is not None:
                journal = journal.filter(pl.col("athlete") == athlete)
        return journal.sort(["athlete", "date", "time", "entry_id"], nulls_last=False)

    def _journal_athletes(self) -> set[str]:
        if not (self.root / "journal_fixes").is_dir():
            return {name for name, _ in self._log_dirs("journal")}
        return set(self.journal()["athlete"].unique().to_list())

    # -- fixes to the journal: entries logged under a mistaken name ---------
    #
    # Append-only as the corrections: each fix is one new part file
    # (<root>/journal_fixes/part-<time>-<id>.parquet), written under the lock
    # and never rewritten; reading applies them oldest first.
    def journal_fixes(self) -> pl.DataFrame:
        """Every journal fix record (:data:`JOURNAL_FIXES`), oldest first."""
        folder = self.root / "journal_fixes"
        frames = []
        for part in sorted(folder.glob("*.parquet")) if folder.is_dir() else []:
            try:
                frames.append(schema.conform(pl.read_parquet(part), JOURNAL_FIXES))
            except FileNotFoundError:
                continue
            except DAMAGED_PARQUET as exc:
                raise UnreadableFileError(
                    str(part),
                    f"cannot read journal fix ({exc}); run `runback doctor --repair --store {self.root}` to set it aside",
                ) from exc
        if not frames:
            return schema.empty(JOURNAL_FIXES)
        return pl.concat(frames).sort("recorded_at_utc", "fix_id")

    def rename_journal(self, from_athlete: str, to_athlete: str, *, note: str | None = None) -> JournalFix:
        """Move every journal entry of ``from_athlete`` (a mistaken name, e.g. ``"anna "``) to ``to_athlete``.

        The entries stay stored as they were; a fix record says whose they are.
        Renaming back undoes it.

        Raises
        ------
        OptionError
            When ``to_athlete`` is not a valid name, or ``from_athlete`` has no entries.
        """
        check_athlete(to_athlete)
        with self._writing():
            journal = self.journal()
            mine = journal.filter(pl.col("athlete") == from_athlete)
            if mine.is_empty():
                known = ", ".join(repr(a) for a in journal["athlete"].unique().sort().to_list()) or "none"
                raise OptionError(f"no journal entries of {from_athlete!r} in the store at {self.root} (athletes: {known})")
            if from_athlete == to_athlete:
                raise OptionError(f"the entries are already {to_athlete!r}'s; nothing to rename")
            self._write_fix("rename", from_athlete, to_athlete=to_athlete, note=note)
            n = mine.height
            return JournalFix(
                "rename", from_athlete, to_athlete, tuple(mine["entry_id"].to_list()),
                f"moved {n} journal entr{'y' if n == 1 else 'ies'} from {from_athlete!r} to {to_athlete!r}; "
                f"`runback pain rename --from {to_athlete} --to NAME` moves {to_athlete!r}'s entries",
            )

    def remove_journal_entry(self, entry_id: str, athlete: str | None = None, *, note: str | None = None) -> JournalFix:
        """Leave one journal entry out (logged by mistake); it stays stored, and adding it again brings it back.

        ``entry_id`` may be a unique prefix of the id (at least 4 characters).

        Raises
        ------
        OptionError
            When no entry (of ``athlete``, if given) has that id, or several do.
        """
        wanted = str(entry_id).strip()
        with self._writing():
            journal = self.journal()
            if athlete is not None:
                journal = journal.filter(pl.col("athlete") == athlete)
            found = journal.filter(pl.col("entry_id") == wanted)
            if found.is_empty() and len(wanted) >= 4:
                found = journal.filter(pl.col("entry_id").str.starts_with(wanted))
            if found.is_empty():
                raise OptionError(f"no journal entry {wanted!r} in the store at {self.root} (`runback pain list` lists them)")
            if found.height > 1:
                raise OptionError(f"journal entry id {wanted!r} is ambiguous: {', '.join(found['entry_id'].head(5))}")
            row = found.row(0, named=True)
            self._write_fix("remove", row["athlete"], entry_id=row["entry_id"], note=note)
            return JournalFix(
                "remove", row["athlete"], None, (row["entry_id"],),
                f"removed journal entry {row['entry_id']} of {row['athlete']!r} (pain {row['pain']} on {row['date']}); "
                "adding it again brings it back",
            )

    def _write_fix(
        self, action: str, from_athlete: str, *, to_athlete: str | None = None, entry_id: str | None = None,
        note: str | None = None,
    ) -> None:
        """Write one journal fix record (the caller holds the lock)."""
        stored = self.journal_fixes()["recorded_at_utc"]
        now = dt.datetime.now(dt.timezone.utc)
        newest = stored.max() if stored.len() else None
        if isinstance(newest, dt.datetime) and newest >= now:
            now = newest + dt.timedelta(microseconds=1)  # keep the order strict, whatever the clock does
        record = {
            "fix_id": uuid.uuid4().hex[:16],
            "recorded_at_utc": now,
            "action": action,
            "from_athlete": from_athlete,
            "to_athlete": to_athlete,
            "entry_id": entry_id,
            "note": note,
        }
        frame = schema.conform(pl.DataFrame([record]), JOURNAL_FIXES)
        name = f"part-{now:%Y%m%dT%H%M%S%fZ}-{record['fix_id']}.parquet"
        atomic_write_parquet(frame, self.root / "journal_fixes" / name)

    def append_journal(self, entries: pl.DataFrame) -> int:
        """Store the journal entries not stored yet; return how many were added.

        ``entries`` is a :data:`runback.schema.JOURNAL` frame (any number of
        athletes, each entry with its ``entry_id``).  Each athlete's new entries
        go into one new part file, written under the store's lock (the one
        imports take), so an import and a journal entry never interleave.
        An entry removed by :meth:`remove_journal_entry` and added again comes back.

        Raises
        ------
        StoreError
            When the store cannot be written.
        """
        entries = schema.conform(entries, schema.JOURNAL).unique("entry_id", keep="first", maintain_order=True)
        for name in entries.get_column("athlete").unique().to_list():
            check_athlete(name)
        with self._writing():
            return self._append_journal(entries)

    def _append_journal(self, entries: pl.DataFrame) -> int:
        added = 0
        fixes = self.journal_fixes()
        log = self._read_log("journal", schema.JOURNAL, None)  # read once: the fixes and every athlete use it
        removed = set(fixes.filter(pl.col("action") == "remove")["entry_id"].to_list())
        shown = (
            set(apply_journal_fixes(log.unique("entry_id", keep="first", maintain_order=True), fixes)["entry_id"].to_list())
            if removed
            else set()
        )
        for (athlete,), group in entries.group_by("athlete", maintain_order=True):
            athlete = str(athlete)
            stored = log.filter(pl.col("athlete") == athlete)["entry_id"]
            for entry in group.filter(pl.col("entry_id").is_in(sorted(removed - shown)))["entry_id"]:
                self._write_fix("restore", athlete, entry_id=entry)
                added += 1
            new = group.filter(~pl.col("entry_id").is_in(stored.implode()))
            if new.is_empty():
                continue
            # The part's name derives from its entries, so a retried write lands on the same file.
            part_id = hashlib.sha256("".join(sorted(new["entry_id"])).encode()).hexdigest()[:16]
            atomic_write_parquet(new.drop("athlete"), self.journal_dir(athlete) / f"part-{part_id}.parquet")
            added += new.height
        return added

    # -- the web server's accounts (runback serve) ------------------------------
    def accounts_path(self) -> Path:
        """The SQLite file of ``runback serve``'s accounts, sessions and invites (it may not exist yet)."""
        return self.root / "accounts.sqlite3"

    # -- athlete profiles ----------------------------------------------------
    def profile_file(self, athlete: str) -> Path:
        """Where the athlete's profile lives: ``<root>/profiles/<athlete>.toml`` (it may not exist)."""
        return self.root / "profiles" / f"{check_athlete(athlete)}.toml"

    def profile_bytes(self, athlete: str) -> bytes | None:
        """The content of the athlete's profile file, or None when there is none.

        Parsing it is :func:`runback.load.profile.load_profile`'s job.

        Raises
        ------
        StoreError
            When the file exists but cannot be read.
        """
        path = self.profile_file(athlete)
        if not path.is_file():
            return None
        try:
            return path.read_bytes()
        except OSError as exc:
            raise StoreError(f"{path}: cannot read profile ({exc.strerror or exc})") from exc

    # -- writing -----------------------------------------------------------
    @contextlib.contextmanager
    def _lock(self, *, write: bool = True, wait: bool = True) -> Iterator[None]:
        """The store's lock: exclusive for a write, shared to look (``write=False``, never writes).

        ``wait=False`` raises :class:`BlockingIOError` at once where another process holds it.
        """
        if not write:
            lock = self.root / ".lock"
            with open(lock if lock.exists() else os.devnull, "rb") as fh:
                if fcntl is not None:
                    fcntl.flock(fh.fileno(), fcntl.LOCK_SH)
                yield
            return
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "a+b") as fh:
            if fcntl is not None:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
            try:
                self._remove_stale_tmp()
                yield
            finally:
                if fcntl is not None:
                    fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    def _remove_stale_tmp(self) -> list[Path]:
        """Remove what killed writes left (``.<name>.<random>.tmp``); only called under the lock.

        Every write into the store holds the lock, so no temporary file found
        then belongs to a write still running.
        """
        removed = []
        for folder, dirs, names in os.walk(self.root):
            if Path(folder) == self.root:
                dirs[:] = [d for d in dirs if d != QUARANTINE]
            for name in names:
                if name.startswith(".") and name.endswith(".tmp"):
                    path = Path(folder) / name
                    path.unlink(missing_ok=True)
                    removed.append(path)
        return removed

    def _quarantine(self, path: Path) -> Path:
        """Move ``path`` into ``<root>/_quarantine/`` (same relative path; never overwrites, never deletes)."""
        target = self.root / QUARANTINE / path.relative_to(self.root)
        n = 0
        while target.exists():
            n += 1
            target = target.with_name(f"{path.name}.{n}")
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
        return target

    def _known_manifests(self, athlete: str) -> list[dict[str, Any]]:
        """The kept manifests that can be read, oldest first."""
        out = []
        for path in self._history(athlete):
            try:
                out.append(_parse_manifest(path.read_text(encoding="utf-8")))
            except (OSError, UnicodeDecodeError, ValueError):
                continue
        return out

    def _tidy(self, athlete: str, manifest: dict[str, Any], *, act: bool = True) -> list[str]:
        """Finish an interrupted import: move committed parts in, set aside what no manifest lists.

        A part that a kept manifest lists stays (a snapshot may still read it,
        ``runback doctor`` may restore it); anything else (an import killed
        before its commit, a part of a lost manifest) goes to ``_quarantine/``:
        this step deletes no part.  Returns what was quarantined (with ``act=False``:
        what would be, and nothing is changed).
        """
        history = self._known_manifests(athlete)
        keep_index = {manifest.get("files_index")} | {m.get("files_index") for m in history}
        index_dir = self._files_dir(athlete)
        if act and index_dir.is_dir():
            for path in index_dir.glob("*.json"):
                if path.name not in keep_index:
                    path.unlink(missing_ok=True)
        quarantined: list[str] = []

        def set_aside(path: Path) -> None:
            quarantined.append(str(self._quarantine(path)) if act else str(path))

        for table in TABLES:
            listed = set(manifest["parts"][table])
            kept = {n for m in history for n in m["parts"][table]} | set(manifest["retired"][table])
            final = self._part_dir(table, athlete)
            pending = self._pending_dir(table, athlete)
            if pending.is_dir():
                for path in pending.iterdir():
                    if path.name in listed and not (final / path.name).exists():
                        if act:
                            final.mkdir(parents=True, exist_ok=True)
                            os.replace(path, final / path.name)
                    elif path.name in listed or path.name in kept:
                        if act and (final / path.name).exists():
                            path.unlink(missing_ok=True)  # a copy of a part already moved in
                    else:
                        set_aside(path)
            if final.is_dir():
                for path in final.glob("*.parquet"):
                    if path.name in kept and path.name not in listed:
                        if act:
                            self._retire(table, athlete, path.name)  # a merge killed before it moved it out
                    elif path.name not in listed:
                        set_aside(path)
            retired = self._retired_dir(table, athlete)
            if retired.is_dir():
                for path in retired.glob("*.parquet"):
                    if path.name in listed and not (final / path.name).exists():
                        if act:  # listed again (`runback doctor` restored an older manifest)
                            final.mkdir(parents=True, exist_ok=True)
                            os.replace(path, final / path.name)
                    elif path.name not in kept and path.name not in listed:
                        set_aside(path)
        return quarantined

    def import_paths(
        self,
        paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
        *,
        athlete: str = DEFAULT_ATHLETE,
        progress: Callable[[int, int, str], None] | None = None,
        workers: int | None = None,
        timezone: str | None = None,
    ) -> ImportSummary:
        """Import files, folders, zips and bulk exports into the store.

        Files unchanged since an earlier import (same size and modification
        time), or whose content was imported before under another name, are not
        parsed again; a run already stored is not stored twice (see
        :func:`runback.io.find_duplicates`).  The batch is committed at once:
        a kill at any moment leaves the store as it was before or after.

        Parameters
        ----------
        paths
            One path or several: ``.fit``/``.gpx``/``.tcx`` (maybe ``.gz``),
            ``.zip`` (Strava and Garmin Connect exports) and folders.
        athlete
            Who ran them (a partition of the store).
        progress
            Called after each parsed file with ``(done, total, file)``.
        workers
            Worker processes for parsing (``None``: two where that is faster than one,
            see :func:`runback.io._pipeline.choose_workers`; else this process).
        timezone
            The athlete's IANA time zone: GPX and TCX files (UTC times only) get
            their local start in it (:func:`runback.io.localize`); FIT files
            keep the offset the watch recorded.

        Returns
        -------
        ImportSummary
            Imported, already present, duplicates, skipped and failed files.
        """
        check_athlete(athlete)
        if timezone is not None:
            check_timezone(timezone)
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        try:
            return self._import(list(paths), athlete, progress, workers, timezone)
        except OSError as exc:
            raise StoreError(f"cannot write the store at {self.root}: {exc.strerror or exc}") from exc

    def _import(
        self,
        paths: list[str | os.PathLike[str]],
        athlete: str,
        progress: Callable[[int, int, str], None] | None,
        workers: int | None,
        timezone: str | None,
    ) -> ImportSummary:
        with self._lock():
            manifest = self.manifest(athlete)
            self._tidy(athlete, manifest)
            kept = self.activities(athlete, corrected=False)  # an excluded run is still present
            files = self.files_index(athlete, manifest)
            try:
                # parsed files go to pending parts batch by batch (written by the workers that parse
                # them): the import holds activity rows, not samples, and commits them all at once
                result = run_import(
                    paths,
                    athlete=athlete,
                    workers=workers,
                    progress=progress,
                    index=files,
                    kept=kept,
                    kept_wellness=self.wellness(athlete),
                    spill=functools.partial(_spill, str(self.root), athlete),
                )
                activities = result.frames.activities
                if timezone is not None and activities.height:
                    activities = localize(activities, timezone)
                pending = self._pending_of(athlete, result, activities)
                changed_index = any(files.get(k) != v for k, v in result.index.items())
                if any(pending.values()) or changed_index:
                    merged = {k: v for k, v in {**files, **result.index}.items() if v is not None}
                    self._commit_pending(athlete, manifest, pending, merged)
            finally:
                # interrupted: its batches; committed: any part of a worker that died mid-batch
                self._drop_unlisted_pending(athlete)
            for manual_id, file_id in result.summary.superseded:
                # a run typed in by hand, stored before, and now its recorded file: count the file
                self._record(
                    self._find(manual_id, athlete), "merge", kept=file_id,
                    note="the recorded file of a run typed in by hand",
                )
            return result.summary

    def _pending_of(
        self, athlete: str, result: ImportResult, activities: pl.DataFrame
    ) -> dict[str, list[tuple[str, dict[str, Any]]]]:
        """The pending parts of an import: each spilled batch completed with its activities part
        (same name, so the batch's parts stay one import for `runback doctor`), copies of runs kept
        elsewhere left out, and what the import holds in memory written as one more batch."""
        pending: dict[str, list[tuple[str, dict[str, Any]]]] = {t: [] for t in TABLES}
        batched: list[str] = []
        for batch in result.spilled:
            parts = batch.parts
            if not batch.kept_ids:
                self._drop_receipt(athlete, parts)
                continue
            if len(batch.kept_ids) < len(batch.activity_ids):
                parts = self._filter_pending(athlete, parts, batch.kept_ids)
            name = next(n for names in parts.values() for n, _ in names)
            mine = activities.filter(pl.col("activity_id").is_in(batch.kept_ids))
            parts = {**parts, "activities": [self._write_pending_part("activities", athlete, name, mine)]}
            batched += batch.kept_ids
            for table, names in parts.items():
                pending[table] += names
        frames = result.frames
        rest = Frames(
            activities=activities.filter(~pl.col("activity_id").is_in(batched)),
            samples=frames.samples, laps=frames.laps, wellness=frames.wellness, summaries=frames.summaries,
        )  # fmt: skip
        for table, names in self.write_pending(athlete, rest).items():
            pending[table] += names
        return pending

    def _filter_pending(
        self, athlete: str, parts: Mapping[str, list[tuple[str, dict[str, Any]]]], keep: Sequence[str]
    ) -> dict[str, list[tuple[str, dict[str, Any]]]]:
        """A batch's pending parts again, with only the rows of the activities ``keep`` (new names)."""
        name = f"part-{uuid.uuid4().hex[:16]}.parquet"
        out: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        for table, names in parts.items():
            for old, _ in names:
                rows = self.read_pending(table, athlete, old).filter(pl.col("activity_id").is_in(list(keep)))
                if rows.height:
                    out.setdefault(table, []).append(self._write_pending_part(table, athlete, name, rows))
        self._drop_receipt(athlete, parts)
        return out

    def _drop_receipt(self, athlete: str, parts: Mapping[str, list[tuple[str, dict[str, Any]]]]) -> None:
        for table, names in parts.items():
            for name, _ in names:
                self.drop_pending(table, athlete, name)

    def _drop_unlisted_pending(self, athlete: str) -> None:
        """Remove the pending parts an import (under the lock) wrote and did not commit (not .tmp files:
        the next write removes those).

        Its tidy step moved or set aside everything pending before it began,
        so a pending part no manifest lists is its own.
        """
        try:
            current = _parse_manifest(self._manifest_path(athlete).read_text(encoding="utf-8"))
        except FileNotFoundError:
            current = _empty_manifest(athlete)
        except (OSError, UnicodeDecodeError, ValueError):
            return  # `runback doctor` sorts it out
        listed = {n for m in [current, *self._known_manifests(athlete)] for t in TABLES for n in m["parts"][t]}
        for table in TABLES:
            folder = self._pending_dir(table, athlete)
            if folder.is_dir():
                for path in folder.glob("part-*.parquet"):
                    if path.name not in listed:
                        path.unlink(missing_ok=True)

    def _write_pending_part(
        self, table: str, athlete: str, name: str, frame: pl.DataFrame
    ) -> tuple[str, dict[str, Any]]:
        path = self._pending_dir(table, athlete) / name
        atomic_write_parquet(schema.conform(frame.drop("correction", strict=False), TABLES[table]), path)
        data = path.read_bytes()  # the checksum of what is on disk
        return name, {"sha256": _digest(data), "size": len(data)}

    def write_pending(self, athlete: str, frames: Frames) -> dict[str, list[tuple[str, dict[str, Any]]]]:
        """Write ``frames`` as pending parts of ``athlete`` (a worker's share of an import).

        Pending parts sit outside the folders readers glob and are listed by
        no manifest, so they change nothing until :meth:`import_prepared`
        commits them; the next import's tidy step sets aside those never
        committed (an interrupted import).  ``frames.summaries`` is written as
        given (:meth:`import_prepared` summarises samples parts that have none).

        Returns
        -------
        dict
            table -> [(part name, {"sha256", "size"})], for the commit.
        """
        check_athlete(athlete)
        written: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        name = f"part-{uuid.uuid4().hex[:16]}.parquet"
        for table in TABLES:
            new = getattr(frames, table)
            if new.height:
                written[table] = [self._write_pending_part(table, athlete, name, new)]
        return written

    def read_pending(self, table: str, athlete: str, name: str) -> pl.DataFrame:
        """A pending part written by :meth:`write_pending`."""
        return schema.conform(pl.read_parquet(self._pending_dir(table, athlete) / name), TABLES[table])

    def drop_pending(self, table: str, athlete: str, name: str) -> None:
        """Remove a pending part that will not be committed."""
        (self._pending_dir(table, athlete) / name).unlink(missing_ok=True)

    def import_prepared(
        self, athlete: str, prepare: Callable[[dict[str, Any], pl.DataFrame, pl.DataFrame], PreparedImport]
    ) -> ImportSummary:
        """An import whose files are parsed elsewhere (on Dask workers), committed here at once.

        Under the store's lock, ``prepare(files_index, kept, kept_wellness)``
        parses the files (skipping those the index knows, leaving out copies
        of ``kept``) and writes the new rows with :meth:`write_pending`; this
        then commits those parts and the new index entries in one manifest
        replacement, as :meth:`import_paths` does: a kill at any moment leaves
        the store as before or after.
        """
        check_athlete(athlete)
        try:
            with self._lock():
                manifest = self.manifest(athlete)
                self._tidy(athlete, manifest)
                files = self.files_index(athlete, manifest)
                prepared = prepare(files, self.activities(athlete, corrected=False), self.wellness(athlete))
                changed_index = any(files.get(k) != v for k, v in prepared.index.items())
                if any(prepared.parts.values()) or changed_index:
                    merged = {k: v for k, v in {**files, **prepared.index}.items() if v is not None}
                    self._commit_pending(athlete, manifest, prepared.parts, merged)
                for manual_id, file_id in prepared.summary.superseded:
                    self._record(
                        self._find(manual_id, athlete), "merge", kept=file_id,
                        note="the recorded file of a run typed in by hand",
                    )
                return prepared.summary
        except OSError as exc:
            raise StoreError(f"cannot write the store at {self.root}: {exc.strerror or exc}") from exc

    def _summarise_pending(self, athlete: str, pending: dict[str, list[tuple[str, dict[str, Any]]]]) -> None:
        """Give every pending samples part a summaries part of its name, where its writer gave none."""
        have = {name for name, _ in pending["summaries"]}
        for name, _ in pending["samples"]:
            if name not in have:
                summaries = summarize_samples(self.read_pending("samples", athlete, name))
                pending["summaries"].append(self._write_pending_part("summaries", athlete, name, summaries))

    def _commit_pending(
        self,
        athlete: str,
        manifest: dict[str, Any],
        given: Mapping[str, list[tuple[str, dict[str, Any]]]],
        files: dict[str, Any],
    ) -> None:
        """Commit pending parts (and the files index) in one manifest replacement.

        Where a table would hold more than :data:`MAX_PARTS` parts, its new
        parts (or, when that is not enough, all its parts) are merged into one
        first, streaming from file to file: a commit never holds a table in memory.
        """
        pending = {t: list(given.get(t, [])) for t in TABLES}
        self._summarise_pending(athlete, pending)
        parts_by_table, checksums = self._next_parts(athlete, manifest)
        retired: dict[str, list[str]] = {t: [] for t in TABLES}
        token = uuid.uuid4().hex[:16]
        merged_name = f"part-{token}.parquet"
        merged: list[str] = []  # tables whose new parts were merged into merged_name
        merged_away: dict[str, list[str]] = {t: [] for t in TABLES}  # their pending parts, dropped after
        index_name = f"files-{token}.json"
        try:
            for table in TABLES:
                old, new = parts_by_table[table], [name for name, _ in pending[table]]
                if len(old) + len(new) <= MAX_PARTS:
                    continue
                whole = len(new) < 2 or len(old) + 1 > MAX_PARTS
                sources = [self._checked_path(table, athlete, n, manifest) for n in old] if whole else []
                sources += [self._pending_dir(table, athlete) / n for n in new]
                checksum = _sink_parts(sources, TABLES[table], self._pending_dir(table, athlete) / merged_name)
                merged.append(table)
                if whole:
                    retired[table] = list(old)
                    for name in old:
                        checksums[table].pop(name, None)
                    old.clear()
                merged_away[table] = new
                pending[table] = [(merged_name, checksum)]
            for table in TABLES:
                for name, checksum in pending[table]:
                    parts_by_table[table].append(name)
                    checksums[table][name] = dict(checksum)
            new_manifest = {
                "format": MANIFEST_FORMAT,
                "athlete": athlete,
                "seq": manifest["seq"] + 1,
                "parts": parts_by_table,
                "checksums": checksums,
                "retired": retired,
                "files_index": index_name,
                "summary_version": manifest["summary_version"],
            }
            index_body = json.dumps(files, separators=(",", ":"), sort_keys=True).encode("utf-8")
            write_atomic(self._files_dir(athlete) / index_name, index_body)
            body = json.dumps(new_manifest, indent=1, sort_keys=True).encode("utf-8")
            write_atomic(self._manifest_path(athlete), body)  # the commit
        except BaseException:
            for table in merged:
                self.drop_pending(table, athlete, merged_name)
            (self._files_dir(athlete) / index_name).unlink(missing_ok=True)
            raise
        for table in TABLES:
            self._move_in(table, athlete, [name for name, _ in pending[table]])
            for name in merged_away[table]:
                self.drop_pending(table, athlete, name)  # merged into one part
            for name in retired[table]:
                self._retire(table, athlete, name)
        self._keep_history(athlete, new_manifest, listed_before=manifest["retired"])

    def _checked_path(self, table: str, athlete: str, name: str, manifest: dict[str, Any]) -> Path:
        """Where a listed part is, its checksum checked (the caller holds the lock: it does not move)."""
        path, _ = self._part_bytes(table, athlete, name, manifest)
        return path

    def commit_frames(self, athlete: str, frames: Frames) -> None:
        """Store frames decoded elsewhere (a Dask worker, a generator) as one commit of ``athlete``.

        The commit is atomic, as an import's: a kill leaves the athlete's data
        as before or after.  The frames are stored as given: no duplicate check
        and no files index entry (:meth:`import_paths` does both); their
        samples are summarised where ``frames.summaries`` lacks them.
        """
        check_athlete(athlete)
        with self._lock():
            manifest = self.manifest(athlete)
            self._tidy(athlete, manifest)
            try:  # the import's own path: pending parts, then one commit that merges by streaming
                pending = self.write_pending(athlete, _summarised(frames))
                self._commit_pending(athlete, manifest, pending, self.files_index(athlete, manifest))
            finally:
                self._drop_unlisted_pending(athlete)  # not committed (interrupted): its parts go

    def _next_parts(
        self, athlete: str, manifest: dict[str, Any]
    ) -> tuple[dict[str, list[str]], dict[str, dict[str, Any]]]:
        """Copies of the manifest's part lists and checksums for the next commit to extend."""
        parts_by_table: dict[str, list[str]] = {t: list(manifest["parts"][t]) for t in TABLES}
        checksums: dict[str, dict[str, Any]] = {t: dict(manifest["checksums"][t]) for t in TABLES}
        for table in TABLES:  # parts stored before checksums were recorded get theirs now
            for name in parts_by_table[table]:
                if name not in checksums[table]:
                    _, data = self._part_bytes(table, athlete, name, manifest)
                    checksums[table][name] = {"sha256": _digest(data), "size": len(data)}
        return parts_by_table, checksums

    def _move_in(self, table: str, athlete: str, names: Sequence[str]) -> None:
        """Move committed parts from the pending folder to the table's (after the manifest lists them)."""
        final = self._part_dir(table, athlete)
        final.mkdir(parents=True, exist_ok=True)
        for name in names:
            os.replace(self._pending_dir(table, athlete) / name, final / name)
        fsync_dir(final)

    def _retire(self, table: str, athlete: str, name: str) -> None:
        source = self._part_dir(table, athlete) / name
        if source.exists():
            target = self._retired_dir(table, athlete)
            target.mkdir(parents=True, exist_ok=True)
            os.replace(source, target / name)

    def _write_manifest(self, athlete: str, manifest: dict[str, Any]) -> None:
        body = json.dumps(manifest, indent=1, sort_keys=True).encode("utf-8")
        write_atomic(self._manifest_path(athlete), body)
        self._keep_history(athlete, manifest)

    def doctor(self, *, repair: bool = False) -> DoctorReport:
        """Check (and with ``repair``, repair) the store under its lock: see :func:`doctor`."""
        if not self.root.is_dir():
            return _doctor(self, repair)  # says there is no store, and creates none
        try:
            with self._lock(write=repair):
                return _doctor(self, repair)
        except OSError as exc:
            raise StoreError(f"{exc.filename or self.root}: {_why(exc)}") from exc

    def _keep_history(
        self, athlete: str, manifest: dict[str, Any], *, listed_before: Mapping[str, list[str]] | None = None
    ) -> None:
        """Keep a copy of the committed manifest; drop all but the newest :data:`KEEP_MANIFESTS`.

        The parts a merge retired stay until no kept manifest lists them: a
        reader's snapshot stays whole for that many commits, and ``runback
        doctor`` can restore any kept manifest.  They, and a file index no kept
        manifest names, are removed with the last manifest that listed them.
        """
        body = json.dumps(manifest, indent=1, sort_keys=True).encode("utf-8")
        write_atomic(self._history_dir(athlete) / f"manifest-{manifest['seq']:010d}.json", body)
        history = self._history(athlete)
        dropped = history[: max(len(history) - KEEP_MANIFESTS, 0)]
        kept = self._known_manifests(athlete)[-KEEP_MANIFESTS:] + [manifest]
        gone: dict[str, set[str]] = {t: set((listed_before or {}).get(t, [])) for t in TABLES}
        for path in dropped:
            try:
                old = _parse_manifest(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, ValueError):
                old = None
            if old is not None:
                for table in TABLES:
                    gone[table] |= set(old["parts"][table])
            path.unlink(missing_ok=True)
        for table in TABLES:
            # listed by a manifest once, by no kept one now: the one case a part is deleted
            still = {n for m in kept for n in m["parts"][table]}
            for name in gone[table] - still:
                (self._retired_dir(table, athlete) / name).unlink(missing_ok=True)
        named = {manifest.get("files_index")} | {m.get("files_index") for m in self._known_manifests(athlete)}
        index_dir = self._files_dir(athlete)
        if index_dir.is_dir():
            for path in index_dir.glob("*.json"):
                if path.name not in named:
                    path.unlink(missing_ok=True)

# --------------------------------------------------------------------------
# runback doctor: check every part, restore a manifest, set aside what is damaged
# --------------------------------------------------------------------------
@dataclasses.dataclass
class DoctorReport:
    """What :func:`doctor` found and (with ``repair``) did.

    Attributes
    ----------
    root
        The store.
    repair
        Whether it repaired (else it only looked).
    checked
        Part files checked (read and compared with their checksum).
    problems
        One line per problem found, naming the file and the athlete.
    actions
        One line per thing done (a manifest restored, a part quarantined ...).
    """

    root: Path
    repair: bool
    checked: int = 0
    problems: list[str] = dataclasses.field(default_factory=list)
    actions: list[str] = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing was wrong."""
        return not self.problems


def doctor(store: StoreLike = None, *, repair: bool = False) -> DoctorReport:
    """Check every part of every athlete in the store; with ``repair``, make the store readable again.

    Checks each manifest (present, of the right shape), each part it lists
    (present, its checksum, readable), the file index, the journal, correction
    and journal-fix parts, parts no manifest lists and files left by killed
    writes.  With ``repair``: a missing or damaged manifest is replaced by the
    newest kept one that can be read; parts that are damaged (and the other
    tables' parts of the same import, so activities, samples and laps stay
    consistent) and parts no manifest lists are moved to ``<store>/_quarantine/``,
    never deleted; parts without checksums get them; when parts were set
    aside the file index is dropped, so the next import of the same files
    reads them again and stores what was lost.

    Returns
    -------
    DoctorReport
        What was found and done.
    """
    return as_store(store).doctor(repair=repair)


def _doctor_athletes(store: Store) -> list[str]:
    names: set[str] = set()
    index = store.root / "_index"
    if index.is_dir():
        names.update(p.stem.removeprefix("athlete=") for p in index.glob("athlete=*.json"))
    names.update(store._historic_athletes())
    for table in TABLES:
        for base in (store.root / table, store.root / "_pending" / table, store.root / "_retired" / table):
            if base.is_dir():
                names.update(d.name.split("=", 1)[1] for d in base.iterdir() if d.name.startswith("athlete="))
    return sorted(names)


def _doctor(store: Store, repair: bool) -> DoctorReport:
    report = DoctorReport(store.root, repair)
    if not store.root.is_dir():
        report.problems.append(f"{store.root}: no store here")
        return report
    for path in store._remove_stale_tmp() if repair else []:
        report.actions.append(f"removed {path} (left by a write that was killed)")
    for athlete in _doctor_athletes(store):
        _doctor_athlete(store, athlete, report)
    for table in ("journal", "corrections"):
        for athlete, part in store._log_parts(table):
            _doctor_log_part(store, part, f"the {table} part of athlete {athlete}", report)
    fixes = store.root / "journal_fixes"
    for part in sorted(fixes.glob("*.parquet")) if fixes.is_dir() else []:
        _doctor_log_part(store, part, "a journal fix", report)
    return report


def _doctor_log_part(store: Store, part: Path, what: str, report: DoctorReport) -> None:
    report.checked += 1
    try:
        pl.read_parquet(part)
    except DAMAGED_PARQUET as exc:
        report.problems.append(f"{part}: {what} cannot be read ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})")
        if report.repair:
            report.actions.append(f"quarantined {part} -> {store._quarantine(part)}")


def _bad_parts(store: Store, athlete: str, manifest: dict[str, Any], report: DoctorReport) -> dict[tuple[str, str], str]:
    bad: dict[tuple[str, str], str] = {}
    for table in TABLES:
        for name in manifest["parts"][table]:
            report.checked += 1
            try:
                _, data = store._part_bytes(table, athlete, name, manifest)
                pl.read_parquet(io.BytesIO(data))
            except StoreError as exc:
                bad[table, name] = "missing" if "missing" in str(exc) else "checksum does not match"
            except DAMAGED_PARQUET as exc:
                bad[table, name] = f"cannot be read ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})"
    return bad


def _doctor_athlete(store: Store, athlete: str, report: DoctorReport) -> None:
    path = store._manifest_path(athlete)
    current: dict[str, Any] | None = None
    try:
        current = _parse_manifest(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if store._history(athlete):
            report.problems.append(f"{path}: the manifest of athlete {athlete} is missing")
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        report.problems.append(f"{path}: the manifest of athlete {athlete} is damaged ({_why(exc)})")
    history = store._known_manifests(athlete)
    base = current
    if base is None and history:
        base = history[-1]
        kept = store._history_dir(athlete) / "manifest-{:010d}.json".format(base["seq"])
        report.actions.append(
            f"restored the manifest of athlete {athlete} from {kept}"
            if report.repair else f"restore the manifest of athlete {athlete} from {kept}"
        )
    changed = base is not current
    if base is None:
        base = _empty_manifest(athlete)
    bad = _bad_parts(store, athlete, base, report)
    for (table, name), why in bad.items():
        report.problems.append(f"{store._part_dir(table, athlete) / name}: the {table} part of athlete {athlete}: {why}")
    files_ok = True
    if base.get("files_index"):
        try:
            store.files_index(athlete, base)
        except StoreError as exc:
            report.problems.append(str(exc))
            files_ok = False
    missing_checks = [(t, n) for t in TABLES for n in base["parts"][t] if n not in base["checksums"][t] and (t, n) not in bad]
    if missing_checks:
        report.problems.append(f"{len(missing_checks)} part(s) of athlete {athlete} have no checksum yet (a store from before checksums)")
    # the parts of an import share its token: set them all aside, so activities, samples and laps agree
    # a damaged summaries part alone is set aside and made again from the samples
    tokens = {name for (table, name) in bad if table != "summaries"}
    dropped = [(t, n) for t in TABLES for n in base["parts"][t] if n in tokens]
    lost = bool(dropped)  # rows only a new import of the files brings back
    dropped += [(t, n) for (t, n) in bad if t == "summaries" and n not in tokens]
    fixed = copy_manifest(base)
    for table, name in dropped:
        fixed["parts"][table].remove(name)
        fixed["checksums"][table].pop(name, None)
    if lost or not files_ok:
        fixed["files_index"] = None
    adopted, replace = _adoptable(store, athlete, fixed, {name for (_, name) in bad})
    if replace:
        for table in TABLES:
            fixed["parts"][table] = []
            fixed["checksums"][table] = {}
    for table, name, data in adopted:
        fixed["parts"][table].append(name)
        fixed["checksums"][table][name] = {"sha256": _digest(data), "size": len(data)}
    if adopted:
        names = sorted({name for _, name, _ in adopted})
        report.problems.append(f"{len(names)} import(s) of athlete {athlete} are stored but not listed in the manifest")
        report.actions.append(f"{'listed' if report.repair else 'list'} again the parts of athlete {athlete}: {', '.join(names)}")
    unlisted = store._tidy(athlete, fixed, act=False)
    for item in unlisted:
        report.problems.append(f"{item}: a part of athlete {athlete} that no manifest lists")
    stale = _summaries_state(store, athlete, fixed, bad)
    if stale:
        report.problems.append(f"the summaries of athlete {athlete} {stale}: they need the upgrade "
                               "(computed from the stored samples, once)")
    if not report.repair:
        return
    for table, name in dropped:
        where = store._part_path(table, athlete, name)
        if where.exists():
            report.actions.append(f"quarantined {where} -> {store._quarantine(where)}")
        else:
            report.actions.append(f"dropped {where} from the manifest (it is missing)")
    for table, name in missing_checks:
        if (table, name) in dropped:
            continue
        _, data = store._part_bytes(table, athlete, name, fixed)
        fixed["checksums"][table][name] = {"sha256": _digest(data), "size": len(data)}
    for table, name, _ in adopted:
        where = store._part_path(table, athlete, name)
        if where.parent != store._part_dir(table, athlete):
            store._part_dir(table, athlete).mkdir(parents=True, exist_ok=True)
            os.replace(where, store._part_dir(table, athlete) / name)
    if changed or dropped or missing_checks or not files_ok or adopted:
        seqs = [m["seq"] for m in history] + [base["seq"]]
        fixed["seq"] = max(seqs) + 1
        fixed["athlete"] = athlete
        fixed["format"] = MANIFEST_FORMAT
        store._write_manifest(athlete, fixed)
        report.actions.append(f"wrote the manifest of athlete {athlete} ({sum(len(v) for v in fixed['parts'].values())} parts)")
        if lost or not files_ok:
            report.actions.append(
                f"the next `runback import` of {athlete}'s files reads them all again and stores what was set aside"
            )
    for item in store._tidy(athlete, fixed):
        report.actions.append(f"quarantined a part of athlete {athlete} that no manifest lists -> {item}")
    if stale or dropped or adopted:  # parts set aside or listed again: their summaries are made again
        upgraded = store._rebuild_summaries(athlete, Store(store.root).manifest(athlete))
        report.actions.append(
            f"stored the summaries of athlete {athlete} from the samples ({len(upgraded['parts']['summaries'])} part(s))"
        )


def _summaries_state(store: Store, athlete: str, manifest: dict[str, Any], bad: Mapping[tuple[str, str], str]) -> str | None:
    """Why ``athlete``'s stored summaries need the upgrade (see :meth:`Store.summaries`), or None.

    Every activity with samples has one summaries row of this definition, and
    no summaries row is of an activity without samples.
    """
    if manifest.get("summary_version") != SUMMARY_VERSION:
        return "are not stored (a store from before summaries) or are of an older definition"

    def column(table: str, columns: list[str]) -> list[pl.DataFrame]:
        out = []
        for name in manifest["parts"][table]:
            if (table, name) in bad:
                continue  # reported, and set aside with its import
            try:
                _, data = store._part_bytes(table, athlete, name, manifest)
                out.append(pl.read_parquet(io.BytesIO(data), columns=columns))
            except DAMAGED_PARQUET:  # a StoreError too
                continue
        return out

    sampled = {i for f in column("samples", ["activity_id"]) for i in f["activity_id"].unique().to_list()}
    rows = column("summaries", ["activity_id", "summary_version"])
    summaries = pl.concat(rows) if rows else pl.DataFrame(schema={"activity_id": pl.String(), "summary_version": pl.Int16()})
    if summaries.filter(pl.col("summary_version") != SUMMARY_VERSION).height:
        return "hold rows of an older definition"
    have = summaries["activity_id"]
    if have.n_unique() != have.len():
        return "hold an activity twice"
    missing = sampled - set(have.to_list())
    if missing:
        return f"lack {len(missing)} activit{'y' if len(missing) == 1 else 'ies'} with samples"
    extra = set(have.to_list()) - sampled
    if extra:
        return f"hold {len(extra)} activit{'y' if len(extra) == 1 else 'ies'} without samples"
    return None


def _adoptable(
    store: Store, athlete: str, manifest: dict[str, Any], damaged: set[str]
) -> tuple[list[tuple[str, str, bytes]], bool]:
    """Whole imports on disk that ``manifest`` does not list (their manifest was lost), safe to list again.

    An import is taken back when its activities part and its samples and
    laps parts (same name) all read, and none of its activities is stored
    already, so a stray copy of a part never counts a run twice; or when it
    is a merge holding every stored activity and more (then it replaces the
    listed parts: the second value is True).
    """
    present: set[str] = set()
    for name in manifest["parts"]["activities"]:
        try:
            _, data = store._part_bytes("activities", athlete, name, manifest)
            present |= set(pl.read_parquet(io.BytesIO(data))["activity_id"].to_list())
        except DAMAGED_PARQUET:  # a part doctor sets aside anyway
            continue
    listed = {n for t in TABLES for n in manifest["parts"][t]}
    candidates: set[str] = set()
    for table in TABLES:
        for folder in (store._part_dir(table, athlete), store._pending_dir(table, athlete)):
            if folder.is_dir():
                candidates |= {p.name for p in folder.glob("part-*.parquet") if p.name not in listed}
    imports: list[tuple[set[str], list[tuple[str, str, bytes]]]] = []
    for name in sorted(candidates - damaged):
        found: list[tuple[str, str, bytes]] = []
        ids: set[str] = set()
        n_samples = 0
        try:
            for table in TABLES:
                paths = [f / name for f in (store._part_dir(table, athlete), store._pending_dir(table, athlete))]
                path = next((p for p in paths if p.exists()), None)
                if path is None:
                    continue
                data = path.read_bytes()
                frame = pl.read_parquet(io.BytesIO(data))
                got = set(frame["activity_id"].to_list())
                if table == "activities":
                    ids, n_samples = got, int(frame["n_samples"].fill_null(0).sum())
                elif not got <= ids:
                    raise ValueError("rows of activities not in this import")
                elif table == "samples" and frame.height != n_samples:
                    raise ValueError("not the samples of these activities")
                schema.conform(frame, TABLES[table])
                found.append((table, name, data))
        except DAMAGED_PARQUET:  # unreadable or inconsistent: left for quarantine
            continue
        tables = [t for t, _, _ in found]
        if tables[:1] == ["activities"] and ids and ("samples" in tables or n_samples == 0):
            imports.append((ids, found))
    out: list[tuple[str, str, bytes]] = []
    replace = False
    imports.sort(key=lambda item: -len(item[0]))
    if imports and present and present < imports[0][0]:
        present, replaced = imports[0]
        out += replaced
        replace = True
        imports = imports[1:]
    for ids, found in imports:
        if not ids & present:
            out += found
            present |= ids
    return out, replace


def copy_manifest(manifest: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of a manifest (its lists and dicts are changed in place by repairs)."""
    copied: dict[str, Any] = json.loads(json.dumps(manifest))
    return copied


# --------------------------------------------------------------------------
# corrections, as pure functions over frames
# --------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Correction:
    """What one correction did: the record written (if any) and a message for the runner.

    Attributes
    ----------
    athlete, activity_id
        The activity corrected (for a merge: the copy left out).
    action
        exclude, include, set_sport or merge; None when nothing changed.
    changed
        False when the activity already was as asked (nothing was written).
    message
        One line for the runner: what was done and how to undo it.
    correction_id, recorded_at_utc, sport, kept_activity_id, note
        The record's columns (:data:`runback.schema.CORRECTIONS`); None when nothing changed.
    """

    athlete: str
    activity_id: str
    action: str | None
    changed: bool
    message: str
    correction_id: str | None = None
    recorded_at_utc: dt.datetime | None = None
    sport: str | None = None
    kept_activity_id: str | None = None
    note: str | None = None

    @classmethod
    def of(cls, record: Mapping[str, Any], *, changed: bool, message: str) -> Correction:
        return cls(changed=changed, message=message, **{k: record[k] for k in schema.CORRECTIONS})


_VISIBILITY = ("exclude", "include", "merge")
_FORMAT_RANK = {"fit": 0, "tcx": 1, "gpx": 2}


def _latest(corrections: pl.DataFrame, actions: Sequence[str]) -> pl.DataFrame:
    """The newest record of ``actions`` per (athlete, activity_id)."""
    return (
        corrections.filter(pl.col("action").is_in(list(actions)))
        .sort("recorded_at_utc", "correction_id")
        .group_by("athlete", "activity_id", maintain_order=True)
        .last()
    )


def hidden_activities(corrections: pl.DataFrame) -> set[str]:
    """Ids of the activities that do not count: newest visibility record an exclude or a merge."""
    latest = _latest(corrections, _VISIBILITY)
    return set(latest.filter(pl.col("action") != "include")["activity_id"].to_list())


def apply_corrections(
    activities: pl.DataFrame, corrections: pl.DataFrame, *, keep_hidden: bool = False
) -> pl.DataFrame:
    """The activities as the runner corrected them.

    Per activity (and athlete), the newest exclude / include / merge record
    decides whether it counts: excluded activities and copies merged into
    another are dropped, an include brings them back.  The newest set_sport
    record sets ``sport``.  ``correction`` says what was applied to each
    remaining row (a sport set, copies merged into it); null where nothing.

    Parameters
    ----------
    activities
        :data:`runback.schema.ACTIVITIES` rows (the raw view).
    corrections
        :data:`runback.schema.CORRECTIONS` records, in any order.
    keep_hidden
        Keep the activities that do not count, ``correction`` saying why
        (``runback activities --all``).

    Returns
    -------
    polars.DataFrame
        :data:`runback.schema.ACTIVITIES` rows, in the input's order.
    """
    acts = schema.conform(activities, schema.ACTIVITIES)
    if corrections.is_empty():
        return acts
    keys = ["athlete", "activity_id"]
    seen = _latest(corrections, _VISIBILITY)
    hidden = seen.filter(pl.col("action") != "include").select(
        *keys,
        _hidden=pl.when(pl.col("action") == "merge")
        .then(pl.format("not counted: the same run as {}", "kept_activity_id"))
        .otherwise(pl.lit("not counted: excluded")),
    )
    sports = _latest(corrections, ["set_sport"]).select(*keys, _sport="sport")
    merged_in = (
        seen.filter(pl.col("action") == "merge")
        .group_by("athlete", "kept_activity_id", maintain_order=True)
        .agg(_merged=pl.format("the same run as {} ({})", "activity_id", "note").str.join("; "))
        .rename({"kept_activity_id": "activity_id"})
    )
    out = (
        acts.join(hidden, on=keys, how="left" if keep_hidden else "anti", nulls_equal=True)
        .join(sports, on=keys, how="left", nulls_equal=True)
        .join(merged_in, on=keys, how="left", nulls_equal=True)
    )
    changed_sport = pl.col("_sport").is_not_null() & (pl.col("_sport") != pl.col("sport").fill_null(""))
    sport_note = pl.when(changed_sport).then(
        pl.format("sport set to {} (the file says {})", "_sport", pl.col("sport").fill_null("no sport"))
    )
    return out.with_columns(
        sport=pl.when(changed_sport).then("_sport").otherwise("sport"),
        correction=pl.concat_str(
            pl.col("_hidden") if keep_hidden else pl.lit(None, pl.String),
            sport_note,
            pl.format("kept as {}", "_merged"),
            separator="; ",
            ignore_nulls=True,
        ),
    ).with_columns(correction=pl.when(pl.col("correction") != "").then("correction")).select(list(schema.ACTIVITIES))


def _completeness(row: Mapping[str, Any]) -> tuple[int, int, float, str]:
    """Sort key: the most complete copy of a run first (FIT > TCX > GPX, more samples, longer)."""
    return (
        _FORMAT_RANK.get(str(row.get("format") or "").lower(), len(_FORMAT_RANK)),
        -int(row.get("n_samples") or 0),
        -float(row.get("moving_s") or row.get("elapsed_s") or 0.0),
        str(row["activity_id"]),
    )


def _what(row: Mapping[str, Any]) -> str:
    return f"{row.get('format') or 'unknown format'} with {int(row.get('n_samples') or 0)} samples"


def _describe(row: Mapping[str, Any]) -> str:
    """``<id> (2025-03-03 07:00 running 12.3 km, <file name>)``: enough for the runner to recognise it."""
    parts = []
    local, start = row.get("start_time_local"), row.get("start_time_utc")
    if isinstance(local, dt.datetime):
        parts.append(f"{local:%Y-%m-%d %H:%M}")
    elif isinstance(start, dt.datetime):
        parts.append(f"{start:%Y-%m-%d %H:%M} UTC")
    parts.append(str(row.get("sport") or "no sport"))
    if row.get("distance_m") is not None:
        parts.append(f"{float(row['distance_m']) / 1000:.1f} km")
    source = str(row.get("source") or "")
    name = source.replace("\\", "/").rsplit("/", 1)[-1].rsplit("!", 1)[-1] if source else ""
    return f"{row['activity_id']} ({' '.join(parts)}" + (f", {name})" if name else ")")


_SPORT_LABEL = re.compile(r"[a-z][a-z0-9_]{0,39}")


def _sport_label(sport: str) -> str:
    label = re.sub(r"[\s-]+", "_", str(sport).strip().lower())
    if not _SPORT_LABEL.fullmatch(label):
        raise OptionError(f"bad sport {sport!r}: use a word such as running, walking, cycling or hiking")
    return label


def open_store(root: str | os.PathLike[str] | None = None) -> Store:
    """The store at ``root`` (``None``: :func:`default_store_dir`); created on first import."""
    return Store(Path(root).expanduser() if root is not None else default_store_dir())


class _HasRoot(Protocol):
    root: Path


StoreLike = Store | _HasRoot | str | os.PathLike[str] | None
"""A :class:`Store`, anything with a ``.root`` folder, a store folder, or None (the default store)."""


def as_store(store: StoreLike) -> Store:
    """The :class:`Store` that ``store`` names (see :data:`StoreLike`)."""
    if isinstance(store, Store):
        return store
    if store is None or isinstance(store, (str, os.PathLike)):  # before .root: every Path has a .root ("/")
        return open_store(store)
    return Store(Path(store.root))
