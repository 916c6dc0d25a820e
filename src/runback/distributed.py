"""runback on Dask: flags, the cohort view and the team report of many runners, computed on a cluster.

Every operation here takes a :class:`dask.distributed.Client` and a store on
a file system every worker sees (:func:`check_shared_store`).  Athletes are
grouped into batches (:func:`plan_batches`) and each batch is computed on a
worker with the same functions a local run uses, reading the store itself;
only the results travel back.  One :func:`runback.model.flags` call costs
about 64 ms however small, against about 4 ms per athlete in a batch, so a
task per athlete would spend most of its time on the fixed part.

This module sits in the report layer: the team report builds the runners'
pages with :mod:`runback.report`.  The command line imports it (and Dask) only
when ``--scheduler`` is given.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import math
import os
import uuid
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl
from distributed import Client, LocalCluster

from runback import schema
from runback.athletes import DEFAULT_ATHLETE, check_athlete
from runback.cohort import COHORT, cohort_standing, runner_standing
from runback.cohort import cohort as cohort_frame
from runback.days import local_day
from runback.errors import OptionError, RunbackError
from runback.io._common import Frames
from runback.io._localize import check_timezone, localize
from runback.io._pipeline import DuplicateDecision, FileNote, ImportSummary, _matches, run_import
from runback.io.archive import file_kind
from runback.io.strava import STRAVA_CSV
from runback.io.wellness import wellness_kind
from runback.load import parse_since
from runback.load.profile import Profile, resolve_store_profiles
from runback.model import flags as model_flags
from runback.model import localize_runs
from runback.pain.journal import read_journal
from runback.report._inputs import last_day, report_inputs
from runback.report.runner import as_date, build_runner_report, check_lang, make_folder
from runback.report.team import PLOTLY_FILE, athlete_order, runner_status, write_built_pages
from runback.store import PreparedImport, Store, as_store

__all__ = [
    "MIN_ATHLETES_PER_BATCH",
    "SharedStoreError",
    "TASKS_PER_WORKER",
    "check_shared_store",
    "cohort",
    "connect",
    "FILES_PER_BATCH",
    "flags",
    "import_paths",
    "import_units",
    "plan_batches",
    "team_report",
]

#: a batch holds at least this many athletes (where there are as many): the ~64 ms fixed cost of a
#: flags call then weighs no more than its athletes' ~4 ms each
MIN_ATHLETES_PER_BATCH = 16

#: at most this many batches per worker: enough to even out athletes of unequal history and to
#: lose little when Dask retries the batch of a worker that died
TASKS_PER_WORKER = 4

#: an import batch holds at least this many files (where there are as many): a task costs a few ms to send
FILES_PER_BATCH = 25

#: what one athlete costs beyond their stored bytes, in bytes: the per-athlete model work
_ATHLETE_BYTES = 32_768


class SharedStoreError(RunbackError):
    """A worker cannot see the store: it must be on a file system every worker mounts."""


@contextlib.contextmanager
def connect(scheduler: str) -> Iterator[Client]:
    """A client for ``scheduler``: ``local`` (one worker process per core), ``local:N``, or an address.

    A local cluster is started here and closed with the client; an address
    (``tcp://host:8786``) connects to a running scheduler, which is left running.

    Raises
    ------
    OptionError
        ``local:N`` with N not a whole number of at least 1.
    """
    if scheduler == "local" or scheduler.startswith("local:"):
        count = scheduler.partition(":")[2]
        try:
            workers = int(count) if count else (os.cpu_count() or 1)
        except ValueError:
            workers = 0
        if workers < 1:
            raise OptionError(f"--scheduler {scheduler!r}: write local, local:N (N workers, at least 1) or an address")
        # loopback only, no dashboard: a local run opens no port to the network
        with LocalCluster(  # type: ignore[no-untyped-call]  # distributed has no type hints here
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                          host="127.0.0.1") as cluster, Client(cluster) as client:  # type: ignore[no-untyped-call]
            yield client
        return
    with Client(scheduler) as client:  # type: ignore[no-untyped-call]
        yield client


def _probe(root: str, name: str, text: str | None) -> str:
    """On a worker: write ``text`` to the probe file (where given), then read it back."""
    path = Path(root) / "_probe" / name
    if text is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        return f"unreadable: {exc.strerror or exc}"


def check_shared_store(client: Client, store: Any) -> None:
    """Check that every worker sees the store: one worker writes a probe file under it, the others read it.

    Raises
    ------
    SharedStoreError
        A worker could not write or read the probe, naming the worker and the store.
    """
    st = as_store(store)
    root = str(Path(st.root).resolve())
    workers = sorted(client.scheduler_info()["workers"])
    if not workers:
        raise SharedStoreError("the Dask cluster has no workers")
    name, text = f"{uuid.uuid4().hex}.txt", f"runback probe {uuid.uuid4().hex}"
    try:
        first = client.submit(_probe, root, name, text, workers=[workers[0]], pure=False).result()
        seen = {w: client.submit(_probe, root, name, None, workers=[w], pure=False).result() for w in workers}
    except OSError as exc:
        raise SharedStoreError(f"worker {workers[0]} cannot write under the store {root}: {exc}") from exc
    finally:
        with contextlib.suppress(OSError):
            (Path(root) / "_probe" / name).unlink()
            (Path(root) / "_probe").rmdir()  # left where another check is probing at the same time
    blind = sorted(w for w, found in seen.items() if found != first)
    if blind:
        raise SharedStoreError(
            f"worker(s) {', '.join(blind)} cannot see the store {root}: put it on a file system every "
            "worker mounts at the same path (NFS, a cluster file system)"
        )


def _athlete_bytes(root: Path, athlete: str) -> int:
    """The bytes an athlete's activities and summaries take in the store (what flags and the team
    report read of them), plus the per-athlete cost."""
    total = _ATHLETE_BYTES
    for table in ("activities", "summaries"):
        folder = root / table / f"athlete={athlete}"
        with contextlib.suppress(OSError), os.scandir(folder) as entries:
            total += sum(e.stat().st_size for e in entries if e.is_file())
    return total


def plan_batches(weights: Mapping[str, float], workers: int) -> list[list[str]]:
    """Athletes grouped into batches of about equal weight.

    The number of batches is the athletes divided by
    :data:`MIN_ATHLETES_PER_BATCH` (rounded up), at most
    :data:`TASKS_PER_WORKER` per worker and at least one; athletes (in sorted
    order) are cut into that many runs of consecutive athletes of about equal
    total weight (the bytes they take in the store), so one athlete with
    years of runs weighs as much as many with a few runs.

    Parameters
    ----------
    weights
        athlete -> weight (any positive unit).
    workers
        The cluster's workers.
    """
    names = sorted(weights)
    if not names:
        return []
    count = max(1, min(math.ceil(len(names) / MIN_ATHLETES_PER_BATCH), TASKS_PER_WORKER * max(workers, 1)))
    target = sum(weights[n] for n in names) / count
    batches: list[list[str]] = [[]]
    carried = 0.0
    for name in names:
        if batches[-1] and carried >= target * len(batches) and len(batches) < count:
            batches.append([])
        batches[-1].append(name)
        carried += weights[name]
    return batches


def _batches(client: Client, st: Store, athletes: Sequence[str]) -> list[list[str]]:
    root = Path(st.root)
    workers = max(1, len(client.scheduler_info()["workers"]))
    return plan_batches({a: float(_athlete_bytes(root, a)) for a in athletes}, workers)


def _concat(frames: Sequence[pl.DataFrame]) -> pl.DataFrame:
    return pl.concat(frames, how="vertical") if len(frames) > 1 else frames[0]


def _batch_flags(
    root: str,
    athletes: list[str],
    since: dt.date | None,
    include_acwr: bool,
    given: Profile | None,
    profile_file: str | None,
    with_cohort: bool,
) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """On a worker: the flags (and the cohort rows) of a batch, read and computed as ``runback flags`` does."""
    st = Store(Path(root)).snapshot()
    activities = _concat([st.activities(a) for a in athletes])
    journal = _concat([read_journal(st, a) for a in athletes])
    wellness = _concat([st.wellness(a) for a in athletes])
    # the per-activity summaries hold all the model needs from samples; the profiles are resolved once
    summaries = _concat([st.summaries(a) for a in athletes]) if activities.height else None
    profiles = resolve_store_profiles(st, activities, given=given, profile_file=profile_file, summaries=summaries)
    if activities.height == 0 and journal.height == 0:
        found = schema.empty(schema.FLAGS)
    else:
        found = model_flags(activities, journal=journal if journal.height else None, profiles=profiles,
                            summaries=summaries, since=since, include_acwr=include_acwr, wellness=wellness)
    if not with_cohort:
        return found, None
    zones = {name: p.timezone for name, p in profiles.items()}
    return found, cohort_frame(localize_runs(activities, profiles), found, journal, zones=zones)


def _selected(st: Store, athlete: str | None) -> list[str]:
    athletes = st.athletes()
    if athlete is None:
        return athletes
    if athlete not in athletes:
        known = ", ".join(athletes) or "none yet"
        raise OptionError(f"no athlete {athlete!r} in the store {st.root} (athletes: {known})")
    return [athlete]


def _run_flags(
    client: Client,
    store: Any,
    *,
    athlete: str | None,
    since: str | dt.date | None,
    include_acwr: bool,
    profile: Profile | None,
    profile_file: str | os.PathLike[str] | None,
    with_cohort: bool,
) -> list[tuple[pl.DataFrame, pl.DataFrame | None]]:
    st = as_store(store)
    since_day = parse_since(since)
    batches = _batches(client, st, _selected(st, athlete))
    root = str(Path(st.root).resolve())
    file = None if profile_file is None else str(Path(profile_file).resolve())
    futures = client.map(_batch_flags, [root] * len(batches), batches, since=since_day, include_acwr=include_acwr,
                         given=profile, profile_file=file, with_cohort=with_cohort, pure=False)
    results: list[tuple[pl.DataFrame, pl.DataFrame | None]] = client.gather(futures)  # type: ignore[no-untyped-call]
    return results


def flags(
    client: Client,
    store: Any,
    *,
    athlete: str | None = None,
    since: str | dt.date | None = None,
    include_acwr: bool = False,
    profile: Profile | None = None,
    profile_file: str | os.PathLike[str] | None = None,
) -> pl.DataFrame:
    """:func:`runback.model.flags` of every athlete in the store (or one), computed in batches on the cluster.

    The same rows as ``runback flags`` computes locally (floats equal within
    1e-9: a batch sums in another order), sorted by athlete, date, rule and
    activity_id.  ``profile`` and ``profile_file`` are the command line's
    ``--hr-max`` ... and ``--profile``; each athlete's own profile file in
    the store is read otherwise.
    """
    results = _run_flags(client, store, athlete=athlete, since=since, include_acwr=include_acwr, profile=profile,
                         profile_file=profile_file, with_cohort=False)
    if not results:
        return schema.empty(schema.FLAGS)
    return _concat([found for found, _ in results]).sort("athlete", "date", "rule", "activity_id", nulls_last=True)


def cohort(
    client: Client,
    store: Any,
    *,
    profile: Profile | None = None,
    profile_file: str | os.PathLike[str] | None = None,
) -> pl.DataFrame:
    """:func:`runback.cohort.cohort` of every athlete in the store, computed in batches on the cluster."""
    results = _run_flags(client, store, athlete=None, since=None, include_acwr=False, profile=profile,
                         profile_file=profile_file, with_cohort=True)
    parts = [rows for _, rows in results if rows is not None]
    if not parts:
        return cohort_frame(schema.empty(schema.ACTIVITIES), schema.empty(schema.FLAGS))
    return _concat(parts).sort("athlete")


def _batch_inputs(root: str, athletes: list[str], given: Profile | None, profile_file: str | None) -> list[Any]:
    """On a worker: each runner's report inputs, as ``runback team-report`` computes them."""
    st = Store(Path(root)).snapshot()
    return [report_inputs(st, a, profile=given, profile_file=profile_file) for a in athletes]


def _batch_last_day(inputs: list[Any]) -> Any:
    """On a worker: the batch's last day with an activity or a journal entry (as the team report finds it)."""
    return last_day(
        *[(r["activities"].with_columns(local_day({r["athlete"]: r["profile"].timezone}).alias("_d")), "_d")
          for r in inputs],
        *[(r["journal"], "date") for r in inputs],
    )


def _batch_cohort(inputs: list[Any]) -> pl.DataFrame:
    """On a worker: the batch's cohort rows (per athlete, so batches concatenate to the group's)."""
    return runner_standing(inputs).select(list(COHORT))


def _batch_pages(inputs: list[Any], day: dt.date | None, lang: str) -> list[tuple[str, dict[str, Any] | None]]:
    """On a worker: each runner's page and overview row."""
    return [
        (build_runner_report(**r, as_of=day, lang=lang, plotly_src=PLOTLY_FILE),
         runner_status(**r, as_of=day) if day is not None else None)
        for r in inputs
    ]


def team_report(
    client: Client,
    store: Any,
    out_dir: str | os.PathLike[str],
    *,
    lang: str = "en",
    as_of: dt.date | str | None = None,
    profile: Profile | None = None,
    profile_file: str | os.PathLike[str] | None = None,
) -> Path:
    """:func:`runback.report.write_team_report` with each runner's frames and page computed on the cluster.

    The workers compute the runners' report inputs and pages in batches; the
    client writes the pages and the index into ``out_dir`` (so only the store
    needs to be shared).  The pages are those a local run writes.

    Raises
    ------
    OptionError
        The store holds no athlete, or ``lang`` / ``as_of`` is not valid.
    """
    lang = check_lang(lang)
    st = as_store(store)
    athletes = athlete_order(st.athletes())
    if not athletes:
        raise OptionError(f"the store at {st.root} has no activities yet: import some first")
    wanted = as_date(as_of)
    root = str(Path(st.root).resolve())
    file = None if profile_file is None else str(Path(profile_file).resolve())
    batches = _batches(client, st, athletes)
    inputs = client.map(_batch_inputs, [root] * len(batches), batches, given=profile, profile_file=file, pure=False)
    if wanted is None:
        days = [d for d in client.gather(client.map(_batch_last_day, inputs, pure=False)) if d is not None]  # type: ignore[no-untyped-call]
        wanted = max(days) if days else None
    pages: list[list[tuple[str, dict[str, Any] | None]]] = client.gather(  # type: ignore[no-untyped-call]
        client.map(_batch_pages, inputs, day=wanted, lang=lang, pure=False)
    )
    out = Path(out_dir).expanduser()
    make_folder(out)
    made = dict(zip([a for b in batches for a in b], [p for b in pages for p in b], strict=True))

    def standing() -> pl.DataFrame:
        # where each runner sits in the whole group: the batches' cohort rows, ranked together
        parts: list[pl.DataFrame] = client.gather(client.map(_batch_cohort, inputs, pure=False))  # type: ignore[no-untyped-call]
        group = pl.concat(parts, how="vertical")
        return group.join(cohort_standing(group), on="athlete", how="left")

    # the local order: it decides the file names of athletes whose names clash
    return write_built_pages(out, ((name, *made[name]) for name in athletes), as_of=wanted, lang=lang, standing=standing)


# --------------------------------------------------------------------------
# import: files decoded on the workers, committed once by the client
# --------------------------------------------------------------------------
def _walk(folder: Path) -> list[Path]:
    """Files under ``folder``, sorted, hidden ones left out (as a local import walks it)."""
    out: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        out += [Path(dirpath) / name for name in sorted(filenames) if not name.startswith(".")]
    return out


def import_units(paths: Sequence[str | os.PathLike[str]]) -> list[str]:
    """The given paths with plain folders opened into their files, named as a local import names them.

    A folder holding an export's own files (Strava's ``activities.csv``, Garmin
    sleep or stress JSON) stays whole: its activity files take their names
    from those, so one worker reads it.  Zips stay whole too.
    """
    units: list[str] = []
    seen: set[str] = set()
    for given in paths:
        path = Path(given)
        if not path.is_dir():
            units.append(str(given))
            continue
        real = path.resolve()
        files = _walk(real)
        if any(f.name.lower() == STRAVA_CSV or wellness_kind(f.name) is not None for f in files):
            units.append(str(given))
            continue
        for file in files:
            if file_kind(file.name) != "ignore" and str(file) not in seen:
                seen.add(str(file))
                units.append(str(path / file.relative_to(real)))
    return units


def _batch_import(
    root: str,
    units: list[str],
    athlete: str,
    index_json: str,
    kept: pl.DataFrame,
    kept_wellness: pl.DataFrame,
    timezone: str | None,
) -> tuple[ImportSummary, dict[str, Any], dict[str, list[tuple[str, dict[str, Any]]]], pl.DataFrame]:
    """On a worker: decode a batch of files as a local import does, write the new rows as pending parts."""
    index = json.loads(index_json)
    result = run_import(units, athlete=athlete, workers=1, index=index, kept=kept, kept_wellness=kept_wellness)
    frames = result.frames  # with the summaries of its samples, computed here on the worker
    if timezone is not None and frames.activities.height:
        frames = dataclasses.replace(frames, activities=localize(frames.activities, timezone))
    parts = Store(Path(root)).write_pending(athlete, frames)
    return result.summary, result.index, parts, frames.activities


def _merge_summaries(summaries: Sequence[ImportSummary]) -> ImportSummary:
    out = ImportSummary()
    for one in summaries:
        for name in ("imported", "already_present", "duplicates", "skipped", "failed", "warnings", "activity_ids",
                     "duplicate_decisions", "manual_activity_ids", "superseded"):
            getattr(out, name).extend(getattr(one, name))
        out.wellness_days += one.wellness_days
    return out


def _across_batches(
    st: Store,
    athlete: str,
    results: list[tuple[ImportSummary, dict[str, Any], dict[str, list[tuple[str, dict[str, Any]]]], pl.DataFrame]],
    summary: ImportSummary,
    index: dict[str, Any],
    units: Sequence[str],
) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """Copies of one run decoded by different workers: keep one, as a local import would; the pending parts.

    ``summary`` and ``index`` (the batches' merged) are corrected in place.
    """
    frames = [acts.with_columns(_batch=pl.lit(i, pl.Int64)) for i, (*_, acts) in enumerate(results)]
    new = pl.concat(frames, how="vertical") if frames else schema.empty(schema.ACTIVITIES)
    matches = _matches(new, None) if new.height else []
    # which file an id names: the last in file order, as a local import's message names it
    order = {unit: i for i, unit in enumerate(units)}
    in_file_order = new.with_columns(
        _unit=pl.col("source").str.split("!").list.first().replace_strict(order, default=len(order),
                                                                           return_dtype=pl.Int64)
    ).sort("_unit", maintain_order=True)
    sources = dict(zip(in_file_order["activity_id"], in_file_order["source"]))
    dropped: dict[int, dict[str, Any]] = {}  # batch -> activity id -> the match that drops it
    for row, m in zip(new.select("activity_id", "source", "_batch").iter_rows(named=True), matches):
        if m is None:
            continue
        act_id = row["activity_id"]
        dropped.setdefault(row["_batch"], {})[act_id] = m
        if m.kept["activity_id"] != act_id:  # the same content twice needs no decision, as in a local import
            summary.duplicate_decisions.append(DuplicateDecision(
                kept_id=str(m.kept["activity_id"]), kept_source=str(m.kept["source"]), dropped_id=act_id,
                dropped_source=str(row["source"]), match=m.match, why_kept=m.why_kept,
            ))
        summary.activity_ids.remove(act_id)
        if act_id in summary.manual_activity_ids:
            summary.manual_activity_ids.remove(act_id)
    parts: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for i, (_, batch_index, written, _) in enumerate(results):
        mine = dropped.get(i, {})
        if not mine:
            for table, names in written.items():
                parts.setdefault(table, []).extend(names)
        else:  # rewrite the batch's parts without the copies, as one batch again (one name for all tables)
            kept_rows: dict[str, pl.DataFrame] = {}
            for table, names in written.items():
                for name, _ in names:
                    rows = st.read_pending(table, athlete, name)
                    st.drop_pending(table, athlete, name)
                    if "activity_id" in rows.columns:
                        rows = rows.filter(~pl.col("activity_id").is_in(list(mine)))
                    kept_rows[table] = pl.concat([kept_rows[table], rows]) if table in kept_rows else rows
            for t, again in st.write_pending(athlete, Frames(**kept_rows)).items():  # type: ignore[arg-type]
                parts.setdefault(t, []).extend(again)
        for key, entry in batch_index.items():
            ids = (entry or {}).get("activity_ids") or []
            if entry and entry.get("outcome") == "imported" and ids and all(a in mine for a in ids):
                other = str(mine[ids[0]].kept["activity_id"])
                label = _label(summary.imported, key)
                index[key] = {**entry, "outcome": "duplicate", "duplicate_of": other}
                if label in summary.imported:
                    summary.imported.remove(label)
                summary.duplicates.append(
                    FileNote(label, f"same run as {sources.get(other, other)} (activity {other}), kept once")
                )
    return parts


def _label(imported: Sequence[str], key: str) -> str:
    """The label an imported file is listed by, from its index key (its real path)."""
    for label in imported:
        with contextlib.suppress(OSError):
            if str(Path(label).resolve()) == key:
                return label
    return key


def import_paths(
    client: Client,
    store: Any,
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    *,
    athlete: str = DEFAULT_ATHLETE,
    timezone: str | None = None,
) -> ImportSummary:
    """:meth:`runback.store.Store.import_paths` with the files decoded on the cluster's workers.

    The files (plain folders opened into their files, :func:`import_units`)
    are cut into batches of at least :data:`FILES_PER_BATCH`, at most
    :data:`TASKS_PER_WORKER` per worker.  Each worker decodes its batch as a
    local import does (files seen before are not read again, copies of stored
    runs are left out) and writes the new rows as pending parts into the store;
    the client keeps one copy of a run that two workers decoded, then commits
    every part and the files index at once, under the store's lock.  A kill
    leaves the store as before or after; pending parts never committed are set
    aside by the next import.  The summary holds what a local import's holds
    (the lines of one kind may come in another order).

    Raises
    ------
    SharedStoreError
        A worker cannot see the store (:func:`check_shared_store`).
    """
    check_athlete(athlete)
    if timezone is not None:
        check_timezone(timezone)
    st = as_store(store)
    given = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    units = import_units(given)
    workers = max(1, len(client.scheduler_info()["workers"]))
    count = max(1, min(math.ceil(len(units) / FILES_PER_BATCH), TASKS_PER_WORKER * workers))
    batches = [units[i::count] for i in range(count)]  # dealt round-robin: folders of big and small files mix
    batches = [b for b in batches if b]
    root = str(Path(st.root).resolve())

    def prepare(files: dict[str, Any], kept: pl.DataFrame, kept_wellness: pl.DataFrame) -> PreparedImport:
        futures = client.map(_batch_import, [root] * len(batches), batches, athlete=athlete,
                             # as JSON: Dask would read a dict's values as tasks to run
                             index_json=json.dumps(files), kept=kept,
                             kept_wellness=kept_wellness, timezone=timezone, pure=False)
        results = client.gather(futures)  # type: ignore[no-untyped-call]
        summary = _merge_summaries([r[0] for r in results])
        index: dict[str, Any] = {}
        for _, part_index, _, _ in results:
            index.update(part_index)
        parts = _across_batches(st, athlete, results, summary, index, units)
        return PreparedImport(summary=summary, index=index, parts=parts)

    return st.import_prepared(athlete, prepare)
