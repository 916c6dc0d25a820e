"""The pain journal: self-reported back pain, kept safely in the store.

An entry has a local ``date`` (and optional ``time``), ``pain`` on the 0-10
numeric rating scale (NRS), a ``timing`` (``during``, ``after``,
``next_morning`` or ``other``), a ``location`` (default ``"low back"``) and
optional wellness fields (``sleep_h``, ``sleep_quality`` 1-5, ``stress`` 1-5),
a session ``rpe`` (0-10) and a free ``note``.  Columns: :data:`runback.schema.JOURNAL`.

Storage
-------
Entries live under ``<store>/journal/athlete=<name>/part-<id>.parquet``,
read and written by the store (:meth:`runback.store.Store.journal`,
:meth:`runback.store.Store.append_journal`); this module validates entries
and parses CSV files.  The journal is append-only: every call that adds
entries writes *one new* part file, under the store's lock, and never
rewrites an existing one, so a crash can lose at most the entries being
added, never entries already stored.  The athlete is part of the directory
name only (hive style), so ``pl.scan_parquet(root / "journal",
hive_partitioning=True)`` reads the whole journal.

Every entry has an ``entry_id``: a hash of its content (athlete included).
Adding an entry that is already stored is a no-op, so importing the same CSV
twice adds nothing the second time.

References
----------
``docs/evidence.md``, "Pain journal" (NRS 0-10, timing, wellness 1-5, RPE 0-10).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from runback import schema
from runback.athletes import DEFAULT_ATHLETE, check_athlete
from runback.errors import FileError, JournalError, OptionError, RowProblem, UnreadableFileError
from runback.days import local_day
from runback.sports import running_activity
from runback.store import StoreLike, as_store

__all__ = [
    "CSV_COLUMNS",
    "CSV_COLUMNS_DOC",
    "DEFAULT_LOCATION",
    "REQUIRED_COLUMNS",
    "add_entry",
    "apply_journal_rpe",
    "entry_id",
    "import_journal_csv",
    "journal_dir",
    "make_entry",
    "parse_journal_csv",
    "read_journal",
    "write_template",
]

DEFAULT_LOCATION = "low back"

CSV_COLUMNS: tuple[str, ...] = (
    "date",
    "time",
    "pain",
    "timing",
    "location",
    "sleep_h",
    "sleep_quality",
    "stress",
    "rpe",
    "activity_id",
    "note",
)
"""Columns of a journal CSV, in the order :func:`write_template` writes them."""

REQUIRED_COLUMNS: tuple[str, ...] = ("date", "pain", "timing")

CSV_COLUMNS_DOC: dict[str, str] = {
    "date": "required; local day, YYYY-MM-DD (not in the future)",
    "time": "optional; local time of day, HH:MM",
    "pain": "required; whole number 0-10 (0 no pain, 10 worst imaginable)",
    "timing": "required; during, after, next_morning or other",
    "location": f"optional; where it hurts (default: {DEFAULT_LOCATION})",
    "sleep_h": "optional; hours slept the night before, 0-24 (6.5 or 6,5)",
    "sleep_quality": "optional; 1 (very poor) to 5 (very good)",
    "stress": "optional; 1 (none) to 5 (very high)",
    "rpe": "optional; how hard that day's run felt, 0-10",
    "activity_id": "optional; the activity the entry is about (see `runback activities`)",
    "note": "optional; free text",
}

_HASHED_FIELDS = tuple(c for c in schema.JOURNAL if c != "entry_id")


# --------------------------------------------------------------------------
# validation of one entry (shared by the CSV reader and add_entry)
# --------------------------------------------------------------------------
def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _number(name: str, value: object) -> float:
    """A finite number from a cell; Dutch decimal commas ("6,5") are accepted."""
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number, got {value!r}")
    if isinstance(value, (int, float)):
        out = float(value)
    else:
        text = str(value).strip().replace(",", ".")
        try:
            out = float(text)
        except ValueError:
            raise ValueError(f"{name} must be a number, got {str(value).strip()!r}") from None
    if not math.isfinite(out):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return out


def _whole(name: str, value: object, low: int, high: int) -> int:
    number = _number(name, value)
    if number != int(number) or not low <= number <= high:
        shown = int(number) if number == int(number) else number
        raise ValueError(f"{name} must be a whole number {low}-{high}, got {shown}")
    return int(number)


def _bounded(name: str, value: object, low: float, high: float) -> float:
    number = _number(name, value)
    if not low <= number <= high:
        raise ValueError(f"{name} must be between {low:g} and {high:g}, got {number:g}")
    return number


def _date(value: object, today: dt.date) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        day = value
    else:
        text = str(value).strip()
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(f"date must be YYYY-MM-DD, got {text!r}")
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"date {text!r} does not exist") from None
    if day > today:
        raise ValueError(f"date {day.isoformat()} is in the future (today is {today.isoformat()})")
    return day


def _time(value: object) -> dt.time:
    if isinstance(value, dt.time):
        return value.replace(microsecond=0)
    text = str(value).strip()
    match = re.fullmatch(r"(\d{1,2}):(\d{2})(?::(\d{2}))?", text)
    try:
        if not match:
            raise ValueError
        return dt.time(int(match[1]), int(match[2]), int(match[3] or 0))
    except ValueError:
        raise ValueError(f"time must be HH:MM, got {text!r}") from None


def _timing(value: object) -> str:
    text = re.sub(r"[\s\-]+", "_", str(value).strip().lower())
    if text not in schema.JOURNAL_TIMINGS:
        allowed = ", ".join(schema.JOURNAL_TIMINGS)
        raise ValueError(f"timing must be one of {allowed}, got {str(value).strip()!r}")
    return text


def _text(value: object) -> str | None:
    return None if _blank(value) else str(value).strip()


def _validate(
    raw: Mapping[str, object], *, athlete: str, today: dt.date
) -> tuple[dict[str, Any] | None, list[str]]:
    """Validate one entry; return (the entry, []) or (None, every problem found)."""
    problems: list[str] = []
    out: dict[str, Any] = {"athlete": athlete}

    def field(name: str, convert: Any, *args: Any) -> None:
        value = raw.get(name)
        if _blank(value):
            if name in REQUIRED_COLUMNS:
                problems.append(f"{name} is missing (required)")
            out[name] = None
            return
        try:
            out[name] = convert(value, *args)
        except ValueError as exc:
            problems.append(str(exc))

    field("date", _date, today)
    field("time", _time)
    field("pain", lambda v: _whole("pain", v, 0, 10))
    field("timing", _timing)
    out["location"] = _text(raw.get("location")) or DEFAULT_LOCATION
    field("sleep_h", lambda v: _bounded("sleep_h", v, 0, 24))
    field("sleep_quality", lambda v: _whole("sleep_quality", v, 1, 5))
    field("stress", lambda v: _whole("stress", v, 1, 5))
    field("rpe", lambda v: _bounded("rpe", v, 0, 10))
    out["activity_id"] = _text(raw.get("activity_id"))
    out["note"] = _text(raw.get("note"))
    if problems:
        return None, problems
    out["entry_id"] = entry_id(out)
    return out, []


def entry_id(entry: Mapping[str, Any]) -> str:
    """Stable id of an entry: 16 hex digits of the SHA-256 of its canonical content.

    Every journal column except ``entry_id`` takes part (athlete included), as
    text; so the same entry typed twice, or imported from the same CSV twice,
    gets the same id.
    """

    def canon(value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, (dt.date, dt.time)):
            return value.isoformat()
        if isinstance(value, float):
            return repr(round(value, 6))
        return value if isinstance(value, str) else str(value)

    payload = json.dumps([canon(entry.get(c)) for c in _HASHED_FIELDS], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def make_entry(
    pain: int,
    timing: str,
    *,
    date: dt.date | str | None = None,
    time: dt.time | str | None = None,
    location: str | None = None,
    sleep_h: float | None = None,
    sleep_quality: int | None = None,
    stress: int | None = None,
    rpe: float | None = None,
    activity_id: str | None = None,
    note: str | None = None,
    athlete: str = DEFAULT_ATHLETE,
    today: dt.date | None = None,
) -> pl.DataFrame:
    """Validate one entry and return it as a one-row journal frame.

    Raises
    ------
    OptionError
        Listing every bad value at once (pain outside 0-10, unknown timing,
        date in the future, ...).
    """
    today = today or dt.date.today()
    raw = {
        "date": date if date is not None else today,
        "time": time,
        "pain": pain,
        "timing": timing,
        "location": location,
        "sleep_h": sleep_h,
        "sleep_quality": sleep_quality,
        "stress": stress,
        "rpe": rpe,
        "activity_id": activity_id,
        "note": note,
    }
    entry, problems = _validate(raw, athlete=check_athlete(athlete), today=today)
    if entry is None:
        raise OptionError("bad journal entry: " + "; ".join(problems))
    return _frame([entry])


def _frame(entries: Iterable[Mapping[str, Any]]) -> pl.DataFrame:
    rows = list(entries)
    if not rows:
        return schema.empty(schema.JOURNAL)
    return pl.DataFrame(rows, schema=schema.JOURNAL, orient="row")


# --------------------------------------------------------------------------
# the store
# --------------------------------------------------------------------------
def journal_dir(store: StoreLike, athlete: str) -> Path:
    """The folder holding ``athlete``'s journal parts: ``<root>/journal/athlete=<name>``."""
    return as_store(store).journal_dir(athlete)


def read_journal(store: StoreLike = None, athlete: str | None = None) -> pl.DataFrame:
    """Every stored journal entry, of one athlete or of all.

    Parameters
    ----------
    store
        A :class:`runback.store.Store`, the store directory, or None for the default store.
    athlete
        Only this athlete; None reads every athlete.

    Returns
    -------
    pl.DataFrame
        :data:`runback.schema.JOURNAL` columns, one row per distinct entry,
        sorted by athlete, date, time (entries without a time first) and entry_id.
    """
    return as_store(store).journal(athlete)


def add_entry(
    store: StoreLike,
    pain: int,
    timing: str,
    *,
    date: dt.date | str | None = None,
    time: dt.time | str | None = None,
    location: str | None = None,
    sleep_h: float | None = None,
    sleep_quality: int | None = None,
    stress: int | None = None,
    rpe: float | None = None,
    activity_id: str | None = None,
    note: str | None = None,
    athlete: str = DEFAULT_ATHLETE,
    today: dt.date | None = None,
) -> pl.DataFrame:
    """Validate one entry and append it to the store's journal.

    Parameters
    ----------
    store
        A :class:`runback.store.Store`, the store directory, or None for the default store.
    pain
        NRS 0-10 (whole number).
    timing
        ``during``, ``after``, ``next_morning`` or ``other``.
    date
        Local day (default: today); never in the future.
    time, location, sleep_h, sleep_quality, stress, rpe, activity_id, note
        See :data:`CSV_COLUMNS_DOC`; ``sleep_h`` in hours, ``rpe`` 0-10.
    athlete
        Whose entry it is.
    today
        The day counted as today (for tests); default the local date.

    Returns
    -------
    pl.DataFrame
        The entry as a one-row journal frame (with its ``entry_id``), whether it
        was new or already stored (then nothing is written).

    Raises
    ------
    OptionError
        Every bad value at once.
    StoreError
        When the store cannot be written.
    """
    entry = make_entry(
        pain,
        timing,
        date=date,
        time=time,
        location=location,
        sleep_h=sleep_h,
        sleep_quality=sleep_quality,
        stress=stress,
        rpe=rpe,
        activity_id=activity_id,
        note=note,
        athlete=athlete,
        today=today,
    )
    as_store(store).append_journal(entry)
    return entry


# --------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------
# a line inside a quoted value that starts like a journal row: the quote before it never closed
_ROW_START = re.compile(r"[\r\n]\s*\d{4}-\d{2}-\d{2}\s*[,;]")


def _spanning_value(header: Sequence[str], cells: Sequence[str]) -> str | None:
    """Why a row whose values span lines is refused, or None.

    Only a note may hold line breaks (a spreadsheet cell with Alt+Enter); a
    note whose later lines start like journal rows has an unclosed quote.
    """
    for name, cell in zip(header, cells):
        if "\n" not in cell and "\r" not in cell:
            continue
        if name != "note":
            return f"the {name} value spans lines (a quote that does not close?)"
        if _ROW_START.search(cell):
            return "the note swallows the rows after it: a quote (\") in it does not close"
    return None


def parse_journal_csv(
    path: str | os.PathLike[str],
    *,
    athlete: str = DEFAULT_ATHLETE,
    today: dt.date | None = None,
) -> pl.DataFrame:
    """Read and validate a journal CSV (see :data:`CSV_COLUMNS_DOC`); the file is only read.

    The header names the columns (any order; ``date``, ``pain`` and ``timing``
    required, the others optional).  Empty lines are skipped; a UTF-8 byte
    order mark and semicolon separators (Excel in a Dutch locale) are
    accepted; ``sleep_h`` and ``rpe`` accept a decimal comma.  Rows identical
    in content are kept once.

    Raises
    ------
    JournalError
        Listing every bad row at once, each with its line number and reason:
        unknown or missing columns, a missing required value, pain outside
        0-10, an unknown timing, a bad or future date, a word where a number belongs.
    FileError
        When the file cannot be read, or is not UTF-8 text.
    """
    check_athlete(athlete)
    today = today or dt.date.today()
    label = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFileError(
            label, "not UTF-8 text (save it as 'CSV UTF-8')", offset=exc.start
        ) from exc
    except OSError as exc:
        raise FileError(label, f"cannot read file: {exc.strerror or exc}") from exc

    # Physical CSV records end at \n, \r\n or \r only: str.splitlines would also break a
    # note at U+2028 or a form feed and shift every later line number.
    first = next((ln for ln in io.StringIO(text, newline="") if ln.strip()), "")
    # Excel with a Dutch (or other comma-decimal) locale saves CSV with semicolons.
    delimiter = ";" if first.count(";") > first.count(",") else ","
    # strict: a quote that never closes is an error, not a note that swallows the rows after it
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    problems: list[RowProblem] = []
    header: list[str] | None = None
    entries: list[dict[str, Any]] = []
    line = 1
    try:
        for cells in reader:
            start, line = line, reader.line_num + 1  # a quoted note may span lines
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header = [c.strip().lower() for c in cells]
                if "" in header:
                    problems.append(RowProblem(start, "a column without a name (a trailing separator?)"))
                unknown = [c for c in header if c and c not in CSV_COLUMNS]
                missing = [c for c in REQUIRED_COLUMNS if c not in header]
                dupes = sorted({c for c in header if header.count(c) > 1})
                if unknown:
                    problems.append(
                        RowProblem(start, f"unknown column(s) {', '.join(map(repr, unknown))}; "
                                   f"known columns: {','.join(CSV_COLUMNS)}")
                    )
                if missing:
                    problems.append(RowProblem(start, f"missing required column(s): {', '.join(missing)}"))
                if dupes:
                    problems.append(RowProblem(start, f"column(s) given twice: {', '.join(dupes)}"))
                if problems:
                    break
                continue
            if len(cells) != len(header):
                problems.append(RowProblem(start, f"{len(cells)} values, but the header has {len(header)} columns"))
                continue
            spanning = _spanning_value(header, cells)
            if spanning:
                problems.append(RowProblem(start, spanning))
                continue
            entry, reasons = _validate(dict(zip(header, cells)), athlete=athlete, today=today)
            if entry is None:
                problems.append(RowProblem(start, "; ".join(reasons)))
            else:
                entries.append(entry)
    except csv.Error as exc:
        problems.append(RowProblem(line, f"malformed CSV: {exc}"))
    if header is None and not problems:
        problems.append(RowProblem(1, f"empty file: expected a header row {','.join(CSV_COLUMNS)}"))
    if problems:
        raise JournalError(label, problems)
    return _frame(entries).unique("entry_id", keep="first", maintain_order=True)


def import_journal_csv(
    store: StoreLike,
    path: str | os.PathLike[str],
    *,
    athlete: str = DEFAULT_ATHLETE,
    today: dt.date | None = None,
) -> int:
    """Validate a journal CSV and append its new entries to the store.

    All or nothing: a file with any bad row imports nothing (:class:`JournalError`
    lists every bad row).  Entries already stored are skipped, so importing the
    same file twice adds nothing the second time.  The CSV itself is only read.

    Returns
    -------
    int
        The number of entries added.

    Raises
    ------
    JournalError
        Every bad row, with its line number (nothing is imported).
    FileError
        When the CSV cannot be read.
    StoreError
        When the store cannot be written.
    """
    return as_store(store).append_journal(parse_journal_csv(path, athlete=athlete, today=today))


def write_template(path: str | os.PathLike[str] | None = None) -> str:
    """An empty journal CSV: the header row only, columns as in :data:`CSV_COLUMNS`.

    Writes it to ``path`` when given (refusing to overwrite an existing file)
    and returns the text.
    """
    text = ",".join(CSV_COLUMNS) + "\n"
    if path is not None:
        target = Path(path)
        try:
            with target.open("x", encoding="utf-8", newline="") as fh:
                fh.write(text)
        except FileExistsError as exc:
            raise FileError(str(target), "already exists; not overwriting it") from exc
        except OSError as exc:
            raise FileError(str(target), f"cannot write file: {exc.strerror or exc}") from exc
    return text


# --------------------------------------------------------------------------
# RPE for the load model
# --------------------------------------------------------------------------
def apply_journal_rpe(activities: pl.DataFrame, journal: pl.DataFrame | None) -> pl.DataFrame:
    """Set ``activities.rpe`` from the journal where the runner logged one; ``rpe_source`` says so.

    The rule, in order:

    1. the journal entry naming the activity (``activity_id``);
    2. else a journal entry of the same athlete on the activity's local day
       (``start_time_local``'s date) that names no activity, but only for a
       run (as the load model counts them) on a day with exactly one run (with two runs the
       entry must name the activity, rather than guess);
    3. else the RPE the export already holds (the watch's ``workout_rpe``, Strava's
       perceived exertion): what the runner typed into the journal wins over it.

    Where several entries qualify, the latest one (by date, then time) counts.

    Parameters
    ----------
    activities
        :data:`runback.schema.ACTIVITIES` frame.
    journal
        :data:`runback.schema.JOURNAL` frame (None: ``activities`` unchanged).

    Returns
    -------
    pl.DataFrame
        ``activities`` with the same columns and row order, ``rpe`` filled where possible.

    References
    ----------
    ``docs/evidence.md``: session-RPE = CR-10 rating x minutes (Foster 2001).
    """
    if journal is None:
        return activities
    rated = journal.filter(pl.col("rpe").is_not_null()).sort(["date", "time"], nulls_last=False)
    if rated.is_empty() or activities.is_empty():
        return activities
    by_activity = (
        rated.filter(pl.col("activity_id").is_not_null())
        .group_by("athlete", "activity_id")
        .agg(pl.col("rpe").last().alias("_rpe_entry"))
    )
    by_day = (
        rated.filter(pl.col("activity_id").is_null())
        .group_by("athlete", "date")
        .agg(pl.col("rpe").last().alias("_rpe_day"))
    )
    day = local_day()  # the one local day (the model localizes GPX/TCX runs first)
    is_run = running_activity()
    out = (
        activities.with_row_index("_row")
        .with_columns(
            day.alias("_date"),
            (is_run.sum().over("athlete", day) == 1).fill_null(False).alias("_only_run"),
        )
        .join(by_activity, on=["athlete", "activity_id"], how="left")
        .join(by_day, left_on=["athlete", "_date"], right_on=["athlete", "date"], how="left")
        .with_columns(_rpe_journal=pl.coalesce(
            pl.col("_rpe_entry"), pl.when(is_run & pl.col("_only_run")).then(pl.col("_rpe_day"))
        ))
        .with_columns(
            rpe=pl.coalesce(pl.col("_rpe_journal"), pl.col("rpe")),
            rpe_source=pl.when(pl.col("_rpe_journal").is_not_null())
            .then(pl.lit("journal"))
            .otherwise(pl.col("rpe_source") if "rpe_source" in activities.columns else pl.lit(None, pl.String)),
        )
        .sort("_row")
    )
    return out.select(activities.columns)
