"""Read FIT activity files into runback's frames.

Two engines decode the bytes: ``"fast"`` (:mod:`runback.io._fitfast`, numpy,
the default) and ``"fitparse"`` (the reference decoder, fitparse 1.2.0, with
fitdecode for the files fitparse rejects).  Both reduce a file to a
:class:`runback.io._fitdecoded.Decoded`, and one builder
below maps that onto :data:`runback.schema.ACTIVITIES`, ``SAMPLES`` and
``LAPS``, so the engines can only differ in decoding, never in meaning.

Mapping (FIT profile names):

- one activity per ``session`` message; records and laps belong to the session
  whose ``start_time`` they follow (a triathlon gives swim, bike and run rows);
  a file with records but no session gives one activity computed from its records;
- ``enhanced_speed`` / ``enhanced_altitude`` win over ``speed`` / ``altitude``;
  semicircles become degrees; FIT's invalid sentinels become null;
- the cadence of :data:`runback.sports.FOOT_SPORTS` (running, walking,
  hiking) is FIT's per-foot rpm (+ ``fractional_cadence``) times two: steps
  per minute, both feet, as in every format;
- the local start time comes from the ``activity`` message's ``local_timestamp``.
"""

from __future__ import annotations

import bisect

import io
import multiprocessing
import os
import warnings
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

import fitdecode
import fitparse
import numpy as np
import polars as pl
from fitdecode import profile as fitdecode_profile
from fitparse.processors import FitFileDataProcessor
from fitparse.utils import FitParseError

from runback import schema
from runback.athletes import DEFAULT_ATHLETE
from runback.errors import NotAnActivityError, UnreadableFileError
from runback.io import _fitfast
from runback.io._common import Frames, RawFile, Source, content_id, load_source
from runback.io._plausible import clean_samples, recount_samples, refused
from runback.io._fitdecoded import (
    FIT_EPOCH_UNIX_S,
    NEWER_FIELDS,
    RECORD_FIELDS,
    SUMMARY_MESSAGES,
    Decoded,
    set_field,
)
from runback.io._summary import MOVING_SPEED_MPS
from runback.io.readers import FIT_MAX_BYTES
from runback.sports import FOOT_SPORTS, GENERIC

__all__ = ["read_fit", "read_fit_many"]

Engine = Literal["fast", "fitparse"]

_SEMICIRCLE_DEG = 180.0 / 2**31
_MAX_UTC_OFFSET_S = 14 * 3600  # the widest real time zone offset
_FIT_SYSTEM_TIME_MAX = 0x10000000  # FIT: smaller date_time values are seconds since power-on


def read_fit(
    source: Source,
    *,
    athlete: str = DEFAULT_ATHLETE,
    engine: Engine = "fast",
    name: str | None = None,
) -> Frames:
    """Read one FIT file (all chained parts) into activities, samples and laps.

    Parameters
    ----------
    source
        Path, bytes or binary file object; gzip-compressed data is unpacked.
    athlete
        Who ran it; fills ``activities.athlete``.
    engine
        ``"fast"`` (numpy decoder; falls back to fitparse where it cannot
        decode a file) or ``"fitparse"`` (the reference decoder; falls back
        to fitdecode for files fitparse 1.2.0 rejects).
    name
        Name to report the file by (default: the path, or ``"<bytes>"``).

    Returns
    -------
    Frames
        ``activities`` (one row per FIT session), ``samples`` (one row per
        record), ``laps``, and ``warnings`` (one line per partly readable file).

    Raises
    ------
    NotAnActivityError
        For settings, workout, monitoring, weight ... files.
    UnreadableFileError
        Empty file, not FIT, or nothing decodable (with the byte offset where
        known); a file whose records carry no timestamps.
    """
    raw = load_source(source, name, limit=FIT_MAX_BYTES)
    decoded = decode(raw, engine=engine)
    return build_frames(decoded, raw, athlete=athlete)


_ErrorInfo = tuple[type, str, str, "int | None", "int | None"]


def _read_fit_path(path: str, athlete: str) -> Frames | _ErrorInfo:
    # Module-level so that a process pool can pickle it.  FileError's
    # constructor takes keyword arguments, which exceptions do not pickle,
    # so errors travel back as plain tuples.
    try:
        return read_fit(path, athlete=athlete)
    except (NotAnActivityError, UnreadableFileError) as exc:
        return (type(exc), exc.path, exc.reason, exc.offset, exc.line)


def _unpack(result: Frames | _ErrorInfo) -> Frames | Exception:
    if isinstance(result, Frames):
        return result
    cls, path, reason, offset, line = result
    exc: Exception = cls(path, reason, offset=offset, line=line)
    return exc


def read_fit_many(
    paths: Iterable[str],
    *,
    athlete: str = DEFAULT_ATHLETE,
    workers: int | None = None,
) -> list[Frames | Exception]:
    """Read many FIT files, in parallel processes when there are many.

    Parameters
    ----------
    paths
        FIT file paths.
    athlete
        Who ran them.
    workers
        Number of processes; None = one per CPU, 1 = in this process.

    Returns
    -------
    list
        For each path in order: its :class:`Frames`, or the
        :class:`NotAnActivityError` / :class:`UnreadableFileError` it raised
        (one bad file never stops the others).
    """
    paths = [str(p) for p in paths]
    n = workers if workers is not None else (os.cpu_count() or 1)
    if n <= 1 or len(paths) < 4:
        return [_unpack(_read_fit_path(p, athlete)) for p in paths]
    # spawn, not fork: forking a process whose polars thread pool is running
    # can deadlock the child.
    with ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("spawn")) as pool:
        chunk = max(1, len(paths) // (n * 4))
        results = pool.map(_read_fit_path, paths, [athlete] * len(paths), chunksize=chunk)
        return [_unpack(r) for r in results]


# ---------------------------------------------------------------------------
# decoding
# ---------------------------------------------------------------------------


def _check_fit_header(raw: RawFile) -> None:
    data = raw.data
    if not data:
        raise UnreadableFileError(raw.name, "empty file", offset=0)
    if len(data) < 12 or data[8:12] != b".FIT":
        raise UnreadableFileError(raw.name, "not a FIT file (no '.FIT' signature in the header)", offset=0)


def decode(raw: RawFile, *, engine: Engine = "fast") -> Decoded:
    """Decode a FIT file's bytes with the given engine (see :func:`read_fit`)."""
    _check_fit_header(raw)
    if engine == "fast":
        try:
            return _fitfast.decode(raw.data)
        except _fitfast.FastDecodeError:
            # The fast path declines what it cannot decode exactly; the
            # reference decoder then has its go.
            pass
        engine = "fitparse"
    if engine != "fitparse":
        raise ValueError(f"unknown FIT engine {engine!r} (use 'fast' or 'fitparse')")
    dec = decode_fitparse(raw.data)
    if dec.partial_reason is not None:
        # fitparse 1.2.0 rejects some files other decoders read (a COROS file
        # whose definitions give uint32 fields one byte); try fitdecode there.
        alt = decode_fitdecode(raw.data)
        if alt.n_records > dec.n_records:
            return alt
    return dec


class _RawTimes(FitFileDataProcessor):  # type: ignore[misc]
    """fitparse's data processor, but date_time fields stay raw FIT seconds.

    Its own conversion calls ``datetime.utcfromtimestamp``, deprecated since
    Python 3.12; the frame builder wants the raw seconds anyway.
    """

    def process_type_date_time(self, field_data: Any) -> None:
        pass

    def process_type_local_date_time(self, field_data: Any) -> None:
        pass


def _first(value: Any) -> Any:
    # An array field (size > its base type) comes back as a tuple; runback
    # reads its first element.
    if isinstance(value, tuple):
        return value[0] if value else None
    return value


class _Collector:
    """What fitparse and fitdecode decode, gathered alike into a :class:`Decoded`.

    Both libraries hand out messages whose fields have ``name``, ``value``,
    ``raw_value``, ``field_def`` (None for a field derived from another's
    components) and ``parent_field`` (set for a subfield).
    """

    def __init__(self, max_records: int | None) -> None:
        self.records: dict[str, list[float]] = {k: [] for k in RECORD_FIELDS}
        self.messages: dict[str, list[dict[str, Any]]] = {k: [] for k in SUMMARY_MESSAGES}
        self.max_records = max_records

    def add(self, mname: str, fields: Iterable[Any]) -> bool:
        """Keep one message if runback reads it; True once ``max_records`` records are kept."""
        if mname != "record" and mname not in self.messages:
            return False
        values: dict[str, Any] = {}
        newer = NEWER_FIELDS.get(mname, {})
        for fd in fields:
            derived = fd.field_def is None
            if fd.name.startswith("unknown_") and fd.def_num in newer:
                # fitparse 1.2.0 does not know this field; fitdecode's profile does
                set_field(values, newer[fd.def_num].name, _first(fd.raw_value), derived=derived)
                continue
            # date_time fields as raw FIT seconds, as the fast path gives them
            value = fd.raw_value if fd.name == "timestamp" or isinstance(fd.value, datetime) else fd.value
            if mname == "record":
                value = _first(value)
            set_field(values, fd.name, value, derived=derived)
            if fd.parent_field is not None:
                set_field(values, fd.parent_field.name, value, derived=derived)
        if mname != "record":
            self.messages[mname].append(values)
            return False
        for k in RECORD_FIELDS:
            v = values.get(k)
            self.records[k].append(np.nan if v is None or isinstance(v, (str, bytes, tuple)) else float(v))
        return self.max_records is not None and len(self.records["timestamp"]) >= self.max_records

    def decoded(self, engine: str, reason: str | None, offset: int | None) -> Decoded:
        return Decoded(
            records={k: np.asarray(v, dtype=np.float64) for k, v in self.records.items()},
            messages=self.messages,
            partial_reason=reason,
            partial_offset=offset,
            engine=engine,
        )


def decode_fitparse(data: bytes, *, max_records: int | None = None) -> Decoded:
    """Decode with fitparse, keeping whatever decodes before an error.

    ``max_records`` stops after that many record messages (tests use it to
    compare large files on a prefix).
    """
    collect = _Collector(max_records)
    stream = io.BytesIO(data)
    reason: str | None = None
    offset: int | None = None
    try:
        for msg in fitparse.FitFile(stream, data_processor=_RawTimes()).get_messages():
            if collect.add(msg.name, msg.fields):
                break
    except Exception as exc:  # noqa: BLE001
        # fitparse raises FitParseError on most damage, but struct.error,
        # KeyError, TypeError ... on some corrupt bytes: all mean "stops here".
        reason = str(exc) if isinstance(exc, FitParseError) else f"{type(exc).__name__}: {exc}"
        offset = stream.tell() if not stream.closed else None
    return collect.decoded("fitparse", reason, offset)


def decode_fitdecode(data: bytes, *, max_records: int | None = None) -> Decoded:
    """Decode with fitdecode (for files fitparse 1.2.0 rejects), keeping whatever decodes before an error."""
    collect = _Collector(max_records)
    reason: str | None = None
    offset: int | None = None
    try:
        with warnings.catch_warnings():
            # fitdecode warns (and carries on) on misaligned fields; that is
            # exactly the case it is here for.
            warnings.simplefilter("ignore")
            with fitdecode.FitReader(
                io.BytesIO(data),
                check_crc=fitdecode.CrcCheck.RAISE,
                error_handling=fitdecode.ErrorHandling.WARN,
                keep_raw_chunks=False,
            ) as reader:
                for frame in reader:
                    if isinstance(frame, fitdecode.FitDataMessage) and collect.add(frame.name, frame.fields):
                        break
    except Exception as exc:  # noqa: BLE001 - as for fitparse: damage stops decoding
        reason = str(exc) if isinstance(exc, fitdecode.FitError) else f"{type(exc).__name__}: {exc}"
        offset = getattr(exc, "offset", None)
    return collect.decoded("fitdecode", reason, offset)


# ---------------------------------------------------------------------------
# building frames
# ---------------------------------------------------------------------------

_NON_ACTIVITY_HINT = "not an activity file"


def _num(value: Any) -> float | None:
    if value is None or isinstance(value, (str, bytes, tuple, bool)):
        return None
    return float(value)


def _label(value: Any) -> str | None:
    if value is None:
        return None
    return str(value).lower()


def _file_type(decoded: Decoded) -> tuple[bool, str | None]:
    """(any part says activity, the first declared type)."""
    types = [m.get("type") for m in decoded.messages.get("file_id", [])]
    declared = [t for t in types if t is not None]
    return ("activity" in declared, str(declared[0]) if declared else None)


def _device(decoded: Decoded) -> str | None:
    """'manufacturer product', e.g. 'garmin fr645m', from file_id or the creator device_info."""
    candidates = list(decoded.messages.get("file_id", []))
    candidates += [
        m for m in decoded.messages.get("device_info", []) if m.get("device_index") in ("creator", 0)
    ]
    for msg in candidates:
        manufacturer = _enum_name("manufacturer", msg.get("manufacturer"))
        product = _enum_name("garmin_product", msg.get("garmin_product"))
        if product is None:
            product = msg.get("product_name") or msg.get("product")
        if manufacturer is None and product is None:
            continue
        maker = str(manufacturer).lower() if manufacturer is not None else ""
        model = str(product).lower() if product is not None else ""
        if maker and model.startswith(maker):
            maker = ""  # product_name 'COROS PACE 2' already names the maker
        return " ".join(p for p in (maker, model) if p) or None
    return None


def _enum_name(type_name: str, value: Any) -> Any:
    """A profile name for an enum value fitparse's (2019) profile does not know.

    Devices newer than fitparse's profile (COROS, the Forerunner 645 Music ...)
    get their names from fitdecode's newer profile; a value neither knows
    stays a number.
    """
    if not isinstance(value, int):
        return value
    name = fitdecode_profile.FIELD_TYPES[type_name].enum.get(value)
    return str(name) if name is not None else value


def _utc_offset(decoded: Decoded) -> int | None:
    for msg in decoded.messages.get("activity", []):
        local, utc = msg.get("local_timestamp"), msg.get("timestamp")
        if isinstance(local, int) and isinstance(utc, int):
            # Real offsets are whole quarter hours; the two stamps can be
            # written a second apart.
            offset = round((local - utc) / 900) * 900
            if abs(offset) <= _MAX_UTC_OFFSET_S:
                return offset
    return None


def _session_start(msg: dict[str, Any]) -> float | None:
    start = _num(msg.get("start_time"))
    if start is not None:
        return start
    end, elapsed = _num(msg.get("timestamp")), _num(msg.get("total_elapsed_time"))
    if end is not None and elapsed is not None:
        return end - elapsed
    return None


START_AGREEMENT_S = 60.0
"""Two witnesses of a session's start agree when they lie within this many seconds.

A watch's first record can follow the start button by a few seconds, and
``timestamp - total_elapsed_time`` rounds elapsed time; a corrupt start is off
by minutes or hours (45 minutes in the corpus's fenix 2 multisport file).
"""


def _checked_starts(
    sessions: Sequence[dict[str, Any]], laps: Sequence[dict[str, Any]], ts: np.ndarray, name: str
) -> tuple[list[float | None], list[str]]:
    """Each session's start, cross-checked against its first lap, first record and end minus elapsed.

    A session's ``start_time`` stands unless it agrees with none of the other
    witnesses while at least two of them agree with each other (within
    :data:`START_AGREEMENT_S`): then that consistent majority wins and a
    warning says so.  The witnesses are found by the session's end, which is
    the part of the message the corrupt files still get right: the first lap
    and first record after the previous session's end.
    """
    ends = [_num(s.get("timestamp")) for s in sessions]
    by_end = sorted(range(len(sessions)), key=lambda i: (ends[i] is None, ends[i] or 0.0))
    lap_spans = sorted(
        (end, start)
        for lap in laps
        if (start := _num(lap.get("start_time"))) is not None and (end := _num(lap.get("timestamp"))) is not None
    )
    lap_ends = [end for end, _ in lap_spans]
    stamps = np.sort(ts[~np.isnan(ts)])
    starts: list[float | None] = [None] * len(sessions)
    warnings: list[str] = []
    previous_end = -np.inf
    for i in by_end:
        msg = sessions[i]
        claimed = _session_start(msg)
        starts[i] = claimed
        end = ends[i]
        if end is None:
            continue
        witnesses: list[tuple[str, float]] = []
        # the sessions come by end, so these windows never overlap: linear in laps and records overall
        lo, hi = bisect.bisect_right(lap_ends, previous_end), bisect.bisect_right(lap_ends, end)
        first_lap = min((start for _, start in lap_spans[lo:hi]), default=None)
        if first_lap is not None:
            witnesses.append(("first lap", first_lap))
        first = int(np.searchsorted(stamps, previous_end, side="right"))
        if first < stamps.size and stamps[first] <= end:
            witnesses.append(("first record", float(stamps[first])))
        elapsed = _num(msg.get("total_elapsed_time"))
        if elapsed is not None:
            witnesses.append(("end minus elapsed time", end - elapsed))
        previous_end = end
        if claimed is None or not witnesses:
            continue
        if any(abs(v - claimed) <= START_AGREEMENT_S for _, v in witnesses):
            continue
        groups = [[(n, v) for n, v in witnesses if abs(v - w) <= START_AGREEMENT_S] for _, w in witnesses]
        best = max(groups, key=len)
        if len(best) < 2:
            continue  # no consistent majority: keep what the session says
        starts[i] = best[0][1]
        warnings.append(
            f"{name}: session {i} says it started at {_utc(claimed):%Y-%m-%d %H:%M:%S}Z, but its "
            f"{' and '.join(n for n, _ in best)} say {_utc(best[0][1]):%Y-%m-%d %H:%M:%S}Z; "
            "used the latter"
        )
    return starts, warnings


def _session_key(msg: dict[str, Any]) -> str:
    """A hashable stand-in for a session message: equal messages give equal keys."""
    return repr(sorted(msg.items(), key=lambda item: str(item[0])))


def _speed(msg: dict[str, Any], enhanced: str, legacy: str) -> float | None:
    value = _num(msg.get(enhanced))
    return value if value is not None else _num(msg.get(legacy))


def _cadence(msg: dict[str, Any], whole: str, fraction: str, *, factor: float) -> float | None:
    value = _num(msg.get(whole))
    if value is None:
        return None
    return (value + (_num(msg.get(fraction)) or 0.0)) * factor


WORKOUT_RPE_MAX = 100
"""FIT's workout_rpe is the CR-10 rating times ten (0-100)."""


def _rpe(value: Any) -> float | None:
    """The watch's workout_rpe (0-100) as runback's rpe (0-10); ``None`` outside that range."""
    raw = _num(value)
    return raw / 10 if raw is not None and 0 <= raw <= WORKOUT_RPE_MAX else None


def _feel(value: Any) -> float | None:
    """The watch's workout_feel (0 very weak ... 100 very strong); ``None`` outside 0-100."""
    raw = _num(value)
    return raw if raw is not None and 0 <= raw <= 100 else None


def _nanmean(x: np.ndarray) -> float | None:
    x = x[~np.isnan(x)]
    return float(x.mean()) if x.size else None


def _nanmax(x: np.ndarray) -> float | None:
    x = x[~np.isnan(x)]
    return float(x.max()) if x.size else None


def _utc(seconds_fit: float) -> datetime:
    return datetime.fromtimestamp(seconds_fit + FIT_EPOCH_UNIX_S, tz=timezone.utc)


def build_frames(decoded: Decoded, raw: RawFile, *, athlete: str = DEFAULT_ATHLETE) -> Frames:
    """Map a :class:`Decoded` file onto runback's frames (see the module docstring)."""
    name = raw.name
    rec = decoded.records
    n = decoded.n_records
    sessions = decoded.messages.get("session", [])
    is_activity, declared = _file_type(decoded)

    if not is_activity and declared is not None:
        raise NotAnActivityError(name, f"{_NON_ACTIVITY_HINT} (file type: {declared})")
    ts = rec["timestamp"]
    has_ts = ~np.isnan(ts)
    if n == 0 and not sessions:
        if decoded.partial_reason is not None:
            raise UnreadableFileError(
                name, f"nothing decodable: {decoded.partial_reason}", offset=decoded.partial_offset
            )
        raise NotAnActivityError(
            name, f"{_NON_ACTIVITY_HINT}: no records and no session (file type: {declared})"
        )
    if not has_ts.any() and not any(_session_start(s) is not None for s in sessions):
        if declared is None:
            # muktihari's encoder test file: type unset and nothing timed.
            raise NotAnActivityError(
                name, f"{_NON_ACTIVITY_HINT} (file type: None, no timestamped records)"
            )
        raise UnreadableFileError(name, "no timestamps: the records carry no time")

    warns: list[str] = []
    if decoded.partial_reason is not None:
        where = f" at byte {decoded.partial_offset}" if decoded.partial_offset is not None else ""
        warns.append(
            f"{name}: only partly readable{where} ({decoded.partial_reason}); "
            f"kept the {n} records before the break"
        )
    # FIT date_times below 0x10000000 count from the device's power-on (old
    # watches without a clock fix, e.g. the Forerunner 70): no date at all.
    relative = has_ts & (ts < _FIT_SYSTEM_TIME_MAX)
    if relative.any() and relative.sum() == has_ts.sum():
        raise refused(
            name, "its timestamps count from the device's power-on (FIT system time), not a date: "
            "when it was run is unknown"
        )  # fmt: skip
    if relative.any():
        warns.append(f"{name}: dropped {int(relative.sum())} record(s) timed from the device's power-on, not a date")
    dropped = int((~has_ts).sum())
    if dropped:
        warns.append(f"{name}: {dropped} record(s) without a timestamp left out")
    keep = has_ts & ~relative
    cols = {k: v[keep] for k, v in rec.items()}
    ts = cols["timestamp"]

    # Sessions in time order, each with a start; records/laps go to the last
    # session that started at or before them.
    # A chained file can carry the same session twice (a re-sent copy): once is enough.
    # By key, not by comparing each with all before it: 100,000 sessions took minutes.
    unique: dict[str, dict[str, Any]] = {}
    for msg in sessions:
        unique.setdefault(_session_key(msg), msg)
    sess = list(unique.values()) or [{}]
    starts, start_warnings = _checked_starts(sess, decoded.messages.get("lap", []), ts, name)
    warns += start_warnings
    if len(sess) == 1 and starts[0] is None:
        starts = [float(ts.min()) if ts.size else None]
    order = sorted(range(len(sess)), key=lambda i: (starts[i] is None, starts[i] or 0.0, i))
    sess = [sess[i] for i in order if starts[i] is not None]
    starts_arr = np.array([starts[i] for i in order if starts[i] is not None], dtype=np.float64)
    if not sess:
        raise UnreadableFileError(name, "no timestamps: no session has a start time")
    rec_session = np.clip(np.searchsorted(starts_arr, ts, side="right") - 1, 0, len(sess) - 1)

    base_id = content_id(raw.data)
    ids = [base_id if i == 0 else f"{base_id}-{i}" for i in range(len(sess))]
    offset = _utc_offset(decoded)
    device = _device(decoded)
    sport_msgs = decoded.messages.get("sport", [])
    file_sport = sport_msgs[0] if sport_msgs else {}

    speed = np.where(np.isnan(cols["enhanced_speed"]), cols["speed"], cols["enhanced_speed"])
    altitude = np.where(
        np.isnan(cols["enhanced_altitude"]), cols["altitude"], cols["enhanced_altitude"]
    )
    cadence_rpm = cols["cadence"] + np.nan_to_num(cols["fractional_cadence"], nan=0.0)

    activity_rows: list[dict[str, Any]] = []
    elapsed_all = np.full(ts.shape, np.nan)
    cadence_all = np.full(ts.shape, np.nan)
    # each session's records, in file order, without a pass over all records per session
    by_session = np.argsort(rec_session, kind="stable")
    bounds = np.searchsorted(rec_session[by_session], np.arange(len(sess) + 1))
    for i, msg in enumerate(sess):
        sport = _label(msg.get("sport") if msg.get("sport") is not None else file_sport.get("sport"))
        sport = sport or GENERIC
        sub_sport = _label(
            msg.get("sub_sport") if msg.get("sub_sport") is not None else file_sport.get("sub_sport")
        )
        factor = 2.0 if sport in FOOT_SPORTS else 1.0
        mask = by_session[bounds[i] : bounds[i + 1]]
        s_ts = ts[mask]
        s_speed = speed[mask]
        s_dist = cols["distance"][mask]
        s_alt = altitude[mask]
        s_hr = cols["heart_rate"][mask]
        s_cad = cadence_rpm[mask] * factor
        t0 = float(s_ts.min()) if s_ts.size else float(starts_arr[i])
        elapsed_rec = s_ts - t0

        start = float(starts_arr[i])
        elapsed = _num(msg.get("total_elapsed_time"))
        if elapsed is None and s_ts.size:
            elapsed = float(s_ts.max() - s_ts.min())
        moving = _num(msg.get("total_timer_time"))
        if moving is None and s_ts.size > 1:
            dt = np.diff(s_ts)
            fast = s_speed[1:] > MOVING_SPEED_MPS
            moving = float(dt[fast].sum()) if (~np.isnan(s_speed)).any() else elapsed
        distance = _num(msg.get("total_distance"))
        if distance is None and (~np.isnan(s_dist)).any():
            distance = float(np.nanmax(s_dist) - np.nanmin(s_dist))
        ascent, descent = _num(msg.get("total_ascent")), _num(msg.get("total_descent"))
        if (ascent is None or descent is None) and (~np.isnan(s_alt)).sum() > 1:
            steps = np.diff(s_alt[~np.isnan(s_alt)])
            ascent = ascent if ascent is not None else float(steps[steps > 0].sum())
            descent = descent if descent is not None else float(-steps[steps < 0].sum())
        avg_hr = _num(msg.get("avg_heart_rate"))
        avg_hr = avg_hr if avg_hr is not None else _nanmean(s_hr)
        max_hr = _num(msg.get("max_heart_rate"))
        max_hr = max_hr if max_hr is not None else _nanmax(s_hr)
        avg_cad = _cadence(msg, "avg_cadence", "avg_fractional_cadence", factor=factor)
        if avg_cad is None:
            avg_cad = _nanmean(np.where(s_cad > 0, s_cad, np.nan))
        avg_speed = _speed(msg, "enhanced_avg_speed", "avg_speed")
        if avg_speed is None and distance is not None and moving:
            avg_speed = distance / moving

        rpe = _rpe(msg.get("workout_rpe"))
        start_utc = _utc(start)
        activity_rows.append(
            {
                "activity_id": ids[i],
                "athlete": athlete,
                "source": name,
                "format": "fit",
                "sport": sport,
                "sub_sport": sub_sport,
                "name": file_sport.get("name") if isinstance(file_sport.get("name"), str) else None,
                "start_time_utc": start_utc,
                "start_time_local": (start_utc + timedelta(seconds=offset or 0)).replace(tzinfo=None),
                "utc_offset_s": offset or 0,
                "utc_offset_source": "fit_local_timestamp" if offset is not None else "assumed_utc",
                "elapsed_s": elapsed,
                "moving_s": moving,
                "distance_m": distance,
                "ascent_m": ascent,
                "descent_m": descent,
                "avg_hr_bpm": avg_hr,
                "max_hr_bpm": max_hr,
                "avg_cadence_spm": avg_cad,
                "avg_speed_mps": avg_speed,
                "device": device,
                "n_samples": int(mask.size),
                "rpe": rpe,
                "rpe_source": "fit" if rpe is not None else None,
                "feel": _feel(msg.get("workout_feel")),
                "partial": decoded.partial_reason is not None,
                "partial_reason": (
                    decoded.partial_reason
                    + (f" (byte {decoded.partial_offset})" if decoded.partial_offset is not None else "")
                    if decoded.partial_reason is not None
                    else None
                ),
            }
        )
        elapsed_all[mask] = elapsed_rec
        cadence_all[mask] = s_cad

    # One samples frame for the whole file, grouped by activity, file order within.
    rows = np.argsort(rec_session, kind="stable")

    def col(name: str, values: np.ndarray) -> pl.Series:
        return pl.Series(name, values[rows], dtype=pl.Float64, nan_to_null=True)

    stamps = pl.Series("timestamp_utc", ((ts[rows] + FIT_EPOCH_UNIX_S) * 1_000_000).astype(np.int64))
    samples = pl.DataFrame(
        [
            pl.Series("activity_id", ids, dtype=pl.String).gather(rec_session[rows]),
            stamps.cast(pl.Datetime("us")).dt.replace_time_zone("UTC"),
            col("elapsed_s", elapsed_all),
            col("distance_m", cols["distance"]),
            col("speed_mps", speed),
            col("heart_rate_bpm", cols["heart_rate"]),
            col("cadence_spm", cadence_all),
            col("altitude_m", altitude),
            col("lat_deg", cols["position_lat"] * _SEMICIRCLE_DEG),
            col("lon_deg", cols["position_long"] * _SEMICIRCLE_DEG),
            col("power_w", cols["power"]),
        ]
    )
    activities = pl.DataFrame(activity_rows, schema=schema.ACTIVITIES)
    samples, cleaned = clean_samples(samples, name)
    if cleaned:
        warns += cleaned
        activities = recount_samples(activities, samples)
    laps = _laps(decoded.messages.get("lap", []), starts_arr, ids, activities["sport"].to_list())
    return Frames(activities=activities, samples=samples, laps=laps, warnings=tuple(warns))


def _laps(
    laps: Sequence[dict[str, Any]], starts: np.ndarray, ids: list[str], sports: list[str]
) -> pl.DataFrame:
    rows: list[dict[str, Any]] = []
    timed = [(s, lap) for lap in laps if (s := _session_start(lap)) is not None]
    timed.sort(key=lambda x: x[0])
    counters = [0] * len(ids)
    for start, lap in timed:
        i = int(np.clip(np.searchsorted(starts, start, side="right") - 1, 0, len(ids) - 1))
        factor = 2.0 if sports[i] in FOOT_SPORTS else 1.0
        rows.append(
            {
                "activity_id": ids[i],
                "lap_index": counters[i],
                "start_time_utc": _utc(start),
                "elapsed_s": _num(lap.get("total_elapsed_time")),
                "moving_s": _num(lap.get("total_timer_time")),
                "distance_m": _num(lap.get("total_distance")),
                "avg_hr_bpm": _num(lap.get("avg_heart_rate")),
                "max_hr_bpm": _num(lap.get("max_heart_rate")),
                "avg_speed_mps": _speed(lap, "enhanced_avg_speed", "avg_speed"),
                "avg_cadence_spm": _cadence(lap, "avg_cadence", "avg_fractional_cadence", factor=factor),
            }
        )
        counters[i] += 1
    if not rows:
        return schema.empty(schema.LAPS)
    return pl.DataFrame(rows, schema=schema.LAPS)
