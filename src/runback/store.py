"""The local store: Parquet files that polars and DuckDB read directly.

Layout under the store root (partitioned by athlete, hive style, so a cluster
engine can read it later)::

    <root>/activities/athlete=<name>/...parquet
    <root>/samples/athlete=<name>/...parquet
    <root>/laps/athlete=<name>/...parquet
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
from runback.io._pipeline import ImportSummary, run_import
from runback.io.wellness import collapse_wellness

try:  # POSIX: one import at a time per store
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

STORE_ENV = "RUNBACK_STORE"

__all__ = [
    "Correction",
    "DEFAULT_ATHLETE",
    "STORE_ENV",
    "Store",
    "StoreLike",
    "apply_corrections",
    "as_store",
    "atomic_write_parquet",
    "check_athlete",
    "default_store_dir",
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

# the activities as stored: every column but ``correction``, which reading adds
STORED_ACTIVITIES: dict[str, pl.DataType] = {k: v for k, v in schema.ACTIVITIES.items() if k != "correction"}
TABLES: dict[str, dict[str, pl.DataType]] = {
    "activities": STORED_ACTIVITIES,
    "samples": schema.SAMPLES,
    "laps": schema.LAPS,
    # nights and days from the device (Garmin sleep and stress): a later export may add a value
    # to a stored day, so a day can sit in several parts; Store.wellness() collapses them
    "wellness": schema.WELLNESS,
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
        corrections/athlete=<name>/part-<time>-<id>.parquet   (the runner's corrections: append-only)
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
        names.update(name for name, _ in self._log_dirs("journal"))
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
            files = self._part_files(table, name)
            if not files:
                continue
            where = predicate
            if corrected:
                hidden = hidden_activities(self.corrections(name))
                if hidden:
                    keep = ~pl.col("activity_id").is_in(sorted(hidden))
                    where = keep if where is None else where & keep
            try:
                # parts written before a column was added lack it: null there
                frame = pl.scan_parquet(files, hive_partitioning=False, schema=TABLES[table], missing_columns="insert")
                if where is not None:
                    frame = frame.filter(where)
                frames.append(schema.conform(frame.collect(), TABLES[table]))
            except (OSError, pl.exceptions.PolarsError) as exc:
                raise StoreError(f"cannot read the store's {table} under {self.root}: {exc}") from exc
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

    def _read_log(self, table: str, columns: Mapping[str, pl.DataType], athlete: str | None) -> pl.DataFrame:
        """Every part of an append-only table (journal, corrections): one Parquet file per addition."""
        frames: list[pl.DataFrame] = []
        for name, folder in self._log_dirs(table):
            if athlete is not None and name != athlete:
                continue
            for part in sorted(folder.glob("*.parquet")):
                try:
                    df = pl.read_parquet(part)
                except Exception as exc:  # polars raises several types for a damaged file
                    raise UnreadableFileError(str(part), f"cannot read {table} part: {exc}") from exc
                frames.append(schema.conform(df.with_columns(athlete=pl.lit(name)), columns))
        return pl.concat(frames) if frames else schema.empty(columns)

    def journal(self, athlete: str | None = None) -> pl.DataFrame:
        """Every stored pain-journal entry (:data:`runback.schema.JOURNAL`), of one athlete or of all.

        One row per distinct ``entry_id``, sorted by athlete, date, time
        (entries without a time first) and entry_id.

        Raises
        ------
        UnreadableFileError
            A damaged part file (named in the error).
        """
        return (
            self._read_log("journal", schema.JOURNAL, athlete)
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
            kept = self.activities(athlete, corrected=False)  # an excluded run is still present
            files = self.files_index(athlete, manifest)
            result = run_import(
                paths,
                athlete=athlete,
                workers=workers,
                progress=progress,
                index=files,
                kept=kept,
                kept_wellness=self.wellness(athlete),
            )
            frames = result.frames
            if timezone is not None and frames.activities.height:
                frames = dataclasses.replace(frames, activities=localize(frames.activities, timezone))
            changed_index = any(files.get(k) != v for k, v in result.index.items())
            if frames.activities.height or frames.wellness.height or changed_index:
                merged = {k: v for k, v in {**files, **result.index}.items() if v is not None}
                self._commit(athlete, manifest, frames, merged)
            for manual_id, file_id in result.summary.superseded:
                # a run typed in by hand, stored before, and now its recorded file: count the file
                self._record(
                    self._find(manual_id, athlete), "merge", kept=file_id,
                    note="the recorded file of a run typed in by hand",
                )
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
                new = new.drop("correction", strict=False)  # applied when read, never stored
                if len(parts) + 1 > MAX_PARTS:
                    # merge everything stored so far with the new rows into one part
                    old = pl.read_parquet(
                        self._part_files(table, athlete, manifest), hive_partitioning=False,
                        schema=TABLES[table], missing_columns="insert",
                    )
                    new = pl.concat([schema.conform(old, TABLES[table]), schema.conform(new, TABLES[table])], how="vertical")
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
