"""The local store: Parquet files that polars and DuckDB read directly.

Layout under the store root (partitioned by athlete, hive style, so a cluster
engine can read it later)::

    <root>/activities/athlete=<name>/...parquet
    <root>/samples/athlete=<name>/...parquet
    <root>/laps/athlete=<name>/...parquet
    <root>/journal/athlete=<name>/...parquet
    <root>/profiles/<name>.toml

Every file under the root is read and written here: the readers (``io``)
only turn files into frames, the pain journal (``pain.journal``) only
validates entries, the profile (``load.profile``) only parses its TOML.

The default root is the user's data directory (``platformdirs``), overridden
by the ``RUNBACK_STORE`` environment variable, overridden in turn by ``--store``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import json
import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

import platformdirs
import polars as pl

from runback import schema
from runback.athletes import DEFAULT_ATHLETE, check_athlete
from runback.errors import StoreError, UnreadableFileError
from runback.files import fsync_dir, write_atomic
from runback.io._common import Frames
from runback.io._localize import check_timezone, localize
from runback.io._pipeline import ImportSummary, run_import

try:  # POSIX: one import at a time per store
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

STORE_ENV = "RUNBACK_STORE"

__all__ = [
    "DEFAULT_ATHLETE",
    "STORE_ENV",
    "Store",
    "StoreLike",
    "as_store",
    "atomic_write_parquet",
    "check_athlete",
    "default_store_dir",
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
# import merges them into one new part in the same commit and deletes the old
# ones after it.

TABLES: dict[str, dict[str, pl.DataType]] = {
    "activities": schema.ACTIVITIES,
    "samples": schema.SAMPLES,
    "laps": schema.LAPS,
}
MANIFEST_FORMAT = 1
MAX_PARTS = 16
"""More part files than this per athlete and table are merged into one at the next import."""


class Store:
    """A runback store: Parquet files partitioned by athlete, read by polars or DuckDB.

    Layout under :attr:`root`::

        activities/athlete=<name>/part-<id>.parquet
        samples/athlete=<name>/part-<id>.parquet
        laps/athlete=<name>/part-<id>.parquet
        journal/athlete=<name>/part-<id>.parquet   (the pain journal: append-only)
        profiles/<athlete>.toml                 (the athlete's profile, written by the user)
        _index/athlete=<name>.json              (manifest: the part files, the file index's name)
        _index/files/athlete=<name>/files-<id>.json   (index of the source files seen)

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

    # -- reading -----------------------------------------------------------
    def manifest(self, athlete: str) -> dict[str, Any]:
        """The athlete's manifest: ``parts`` per table and ``files_index`` (the index file's name)."""
        path = self._manifest_path(athlete)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {"format": MANIFEST_FORMAT, "athlete": athlete, "parts": {t: [] for t in TABLES}, "files_index": None}
        except OSError as exc:
            raise StoreError(f"cannot read the store's manifest {path}: {exc}") from exc
        try:
            manifest: dict[str, Any] = json.loads(text)
        except json.JSONDecodeError as exc:
            raise StoreError(f"the store's manifest {path} is damaged: {exc}") from exc
        for table in TABLES:
            manifest.setdefault("parts", {}).setdefault(table, [])
        manifest.setdefault("files_index", None)
        return manifest

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
            raise StoreError(f"the store's file index {path} cannot be read: {exc}") from exc
        return files

    def athletes(self) -> list[str]:
        """Athletes with stored activities or a pain journal, sorted."""
        names: set[str] = set()
        index = self.root / "_index"
        if index.is_dir():
            names.update(p.stem.removeprefix("athlete=") for p in index.glob("athlete=*.json"))
        names.update(name for name, _ in self._journal_dirs())
        return sorted(names)

    def _athletes_for(self, athlete: str | None) -> list[str]:
        if athlete is None:
            index = self.root / "_index"
            if not index.is_dir():
                return []
            return sorted(p.stem.removeprefix("athlete=") for p in index.glob("athlete=*.json"))
        return [check_athlete(athlete)]

    def _part_files(self, table: str, athlete: str, manifest: dict[str, Any] | None = None) -> list[Path]:
        manifest = manifest or self.manifest(athlete)
        files = []
        for name in manifest["parts"][table]:
            final = self._part_dir(table, athlete) / name
            # committed but not yet moved (an import was killed right after its commit)
            pending = self._pending_dir(table, athlete) / name
            files.append(final if final.exists() or not pending.exists() else pending)
        return files

    def _read(self, table: str, athlete: str | None, predicate: pl.Expr | None = None) -> pl.DataFrame:
        files = [f for a in self._athletes_for(athlete) for f in self._part_files(table, a)]
        if not files:
            return schema.empty(TABLES[table])
        try:
            frame = pl.scan_parquet(files, hive_partitioning=False)
            if predicate is not None:
                frame = frame.filter(predicate)
            return schema.conform(frame.collect(), TABLES[table])
        except (OSError, pl.exceptions.PolarsError) as exc:
            raise StoreError(f"cannot read the store's {table} under {self.root}: {exc}") from exc

    def activities(self, athlete: str | None = None) -> pl.DataFrame:
        """Stored activities (:data:`runback.schema.ACTIVITIES`), sorted by athlete and start time."""
        return self._read("activities", athlete).sort(["athlete", "start_time_utc"], nulls_last=True)

    def samples(self, athlete: str | None = None, activity_ids: Sequence[str] | None = None) -> pl.DataFrame:
        """Stored samples (:data:`runback.schema.SAMPLES`), optionally of some activities only."""
        predicate = None if activity_ids is None else pl.col("activity_id").is_in(list(activity_ids))
        return self._read("samples", athlete, predicate)

    def laps(self, athlete: str | None = None) -> pl.DataFrame:
        """Stored laps (:data:`runback.schema.LAPS`)."""
        return self._read("laps", athlete)

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

    def _journal_dirs(self) -> list[tuple[str, Path]]:
        base = self.root / "journal"
        if not base.is_dir():
            return []
        return sorted(
            (d.name.split("=", 1)[1], d) for d in base.iterdir() if d.is_dir() and d.name.startswith("athlete=")
        )

    def journal(self, athlete: str | None = None) -> pl.DataFrame:
        """Every stored pain-journal entry (:data:`runback.schema.JOURNAL`), of one athlete or of all.

        One row per distinct ``entry_id``, sorted by athlete, date, time
        (entries without a time first) and entry_id.

        Raises
        ------
        UnreadableFileError
            A damaged part file (named in the error).
        """
        frames: list[pl.DataFrame] = []
        for name, folder in self._journal_dirs():
            if athlete is not None and name != athlete:
                continue
            for part in sorted(folder.glob("*.parquet")):
                try:
                    df = pl.read_parquet(part)
                except Exception as exc:  # polars raises several types for a damaged file
                    raise UnreadableFileError(str(part), f"cannot read journal part: {exc}") from exc
                frames.append(schema.conform(df.with_columns(pl.lit(name).alias("athlete")), schema.JOURNAL))
        if not frames:
            return schema.empty(schema.JOURNAL)
        return (
            pl.concat(frames)
            .unique("entry_id", keep="first", maintain_order=True)
            .sort(["athlete", "date", "time", "entry_id"], nulls_last=False)
        )

    def append_journal(self, entries: pl.DataFrame) -> int:
        """Store the journal entries not stored yet; return how many were added.

        ``entries`` is a :data:`runback.schema.JOURNAL` frame (any number of
        athletes, each entry with its ``entry_id``).  Each athlete's new entries
        go into one new part file, written under the store's lock (the one
        imports take), so an import and a journal entry never interleave.

        Raises
        ------
        StoreError
            When the store cannot be written.
        """
        entries = schema.conform(entries, schema.JOURNAL).unique("entry_id", keep="first", maintain_order=True)
        for name in entries.get_column("athlete").unique().to_list():
            check_athlete(name)
        try:
            with self._lock():
                return self._append_journal(entries)
        except OSError as exc:
            raise StoreError(f"cannot write the store at {self.root}: {exc.strerror or exc}") from exc

    def _append_journal(self, entries: pl.DataFrame) -> int:
        added = 0
        for (athlete,), group in entries.group_by("athlete", maintain_order=True):
            athlete = str(athlete)
            stored = self.journal(athlete)["entry_id"]
            new = group.filter(~pl.col("entry_id").is_in(stored.implode()))
            if new.is_empty():
                continue
            # The part's name derives from its entries, so a retried write lands on the same file.
            part_id = hashlib.sha256("".join(sorted(new["entry_id"])).encode()).hexdigest()[:16]
            atomic_write_parquet(new.drop("athlete"), self.journal_dir(athlete) / f"part-{part_id}.parquet")
            added += new.height
        return added

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
    def _lock(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "a+b") as fh:
            if fcntl is not None:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                if fcntl is not None:
                    fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    def _tidy(self, athlete: str, manifest: dict[str, Any]) -> None:
        """Finish an interrupted import: move committed parts in, remove uncommitted ones."""
        index_dir = self._files_dir(athlete)
        if index_dir.is_dir():
            for path in index_dir.glob("*.json"):
                if path.name != manifest.get("files_index"):
                    path.unlink(missing_ok=True)
        for table in TABLES:
            listed = set(manifest["parts"][table])
            pending = self._pending_dir(table, athlete)
            if pending.is_dir():
                for path in pending.iterdir():
                    if path.name in listed and not (self._part_dir(table, athlete) / path.name).exists():
                        self._part_dir(table, athlete).mkdir(parents=True, exist_ok=True)
                        os.replace(path, self._part_dir(table, athlete) / path.name)
                    else:
                        path.unlink(missing_ok=True)
            final = self._part_dir(table, athlete)
            if final.is_dir():
                for path in final.glob("*.parquet"):
                    if path.name not in listed:
                        path.unlink(missing_ok=True)  # left by a merge killed after its commit

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
            Worker processes for parsing (``None``: both cores when there are many files).
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
            kept = self.activities(athlete)
            files = self.files_index(athlete, manifest)
            result = run_import(
                paths,
                athlete=athlete,
                workers=workers,
                progress=progress,
                index=files,
                kept=kept,
            )
            frames = result.frames
            if timezone is not None and frames.activities.height:
                frames = dataclasses.replace(frames, activities=localize(frames.activities, timezone))
            changed_index = any(files.get(k) != v for k, v in result.index.items())
            if frames.activities.height or changed_index:
                merged = {k: v for k, v in {**files, **result.index}.items() if v is not None}
                self._commit(athlete, manifest, frames, merged)
            return result.summary

    def _commit(self, athlete: str, manifest: dict[str, Any], frames: Frames, files: dict[str, Any]) -> None:
        parts_by_table: dict[str, list[str]] = {t: list(manifest["parts"][t]) for t in TABLES}
        new_manifest = {
            "format": MANIFEST_FORMAT,
            "athlete": athlete,
            "parts": parts_by_table,
            "files_index": None,
        }
        written: list[tuple[str, str]] = []
        retired: list[tuple[str, str]] = []
        try:
            token = uuid.uuid4().hex[:16]
            for table in TABLES:
                new = getattr(frames, table)
                parts = parts_by_table[table]
                if new.height == 0:
                    continue
                if len(parts) + 1 > MAX_PARTS:
                    # merge everything stored so far with the new rows into one part
                    old = pl.read_parquet(self._part_files(table, athlete, manifest), hive_partitioning=False)
                    new = pl.concat([schema.conform(old, TABLES[table]), new], how="vertical")
                    retired += [(table, name) for name in parts]
                    parts.clear()
                name = f"part-{token}.parquet"
                atomic_write_parquet(schema.conform(new, TABLES[table]), self._pending_dir(table, athlete) / name)
                written.append((table, name))
                parts.append(name)
            index_name = f"files-{token}.json"
            index_body = json.dumps(files, separators=(",", ":"), sort_keys=True).encode("utf-8")
            write_atomic(self._files_dir(athlete) / index_name, index_body)
            new_manifest["files_index"] = index_name
            body = json.dumps(new_manifest, indent=1, sort_keys=True).encode("utf-8")
            write_atomic(self._manifest_path(athlete), body)  # the commit
        except BaseException:
            for table, name in written:
                (self._pending_dir(table, athlete) / name).unlink(missing_ok=True)
            if new_manifest["files_index"]:
                (self._files_dir(athlete) / str(new_manifest["files_index"])).unlink(missing_ok=True)
            raise
        for table, name in written:
            final = self._part_dir(table, athlete)
            final.mkdir(parents=True, exist_ok=True)
            os.replace(self._pending_dir(table, athlete) / name, final / name)
            fsync_dir(final)
        for table, name in retired:
            (self._part_dir(table, athlete) / name).unlink(missing_ok=True)
            (self._pending_dir(table, athlete) / name).unlink(missing_ok=True)
        if manifest.get("files_index"):
            (self._files_dir(athlete) / manifest["files_index"]).unlink(missing_ok=True)


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
