"""Plausibility gates: what no watch can have recorded never reaches the store.

Two levels, both applied to every format:

- records (:func:`clean_samples`, called by each reader before it sums up a
  file): a record dated before :data:`EARLIEST_UTC` or more than
  :data:`FUTURE_MARGIN` after now, or with a position outside the globe, is
  dropped with a warning; when *every* record is like that the file is refused.
- activities (:func:`check_frames`, called by the import pipeline on every
  file it parses, so the readers themselves still return every record the
  file holds): records that repeat a timestamp of their activity (a chained
  FIT part written twice, a sensor record and a GPS record in one second) are
  collapsed into one, each column keeping its first known value; then a start
  or end outside those dates, a negative or infinite
  duration, distance or speed, or a foot activity faster than
  :data:`MAX_RUN_SPEED_MPS` for :data:`SUSTAINED_S` seconds refuses the whole
  file with one line that names what is wrong (``refused: ...``).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import polars as pl

from runback.errors import UnreadableFileError
from runback.io._common import Frames
from runback.sports import sport_family

__all__ = [
    "EARLIEST_UTC",
    "FUTURE_MARGIN",
    "MAX_RUN_SPEED_MPS",
    "SUSTAINED_S",
    "check_frames",
    "clean_samples",
    "collapse_repeated_times",
    "recount_samples",
    "refused",
]

EARLIEST_UTC = datetime(1989, 1, 1, tzinfo=UTC)
"""Nothing is dated before 1989: FIT's epoch is 1989-12-31, GPS receivers for runners came later."""

FUTURE_MARGIN = timedelta(days=1)
"""A record may lie this far after the clock of the computer importing it (time zones, a fast watch)."""

MAX_RUN_SPEED_MPS = 12.0
"""Faster than this for :data:`SUSTAINED_S` is no run or walk: the 100 m world record averages 10.4 m/s."""

SUSTAINED_S = 60.0
"""How long a speed must hold to count as sustained: a GPS jump lasts a few seconds."""


def refused(label: str, reason: str) -> UnreadableFileError:
    """The error that refuses a file, with one line saying what is impossible in it."""
    return UnreadableFileError(label, f"refused: {reason}")


def _latest(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)) + FUTURE_MARGIN


def _when(value: datetime, latest: datetime) -> str:
    if value < EARLIEST_UTC:
        return f"in year {value.year}, before {EARLIEST_UTC.year}"
    if value > latest:
        return f"in year {value.year}, more than a day in the future"
    return f"at {value:%Y-%m-%d %H:%M:%S}Z"


def collapse_repeated_times(samples: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """One record per activity and timestamp; each column keeps its first known value.

    Returns the collapsed samples and how many records were merged away.
    """
    if samples.is_empty() or "timestamp_utc" not in samples.columns:
        return samples, 0
    keys = [c for c in ("activity_id", "timestamp_utc") if c in samples.columns]
    timed = samples.filter(pl.col("timestamp_utc").is_not_null())
    if timed.select(pl.struct(keys).is_unique().all()).item():
        return samples, 0
    others = [c for c in samples.columns if c not in keys]
    collapsed = timed.group_by(keys, maintain_order=True).agg(
        [pl.col(c).drop_nulls().first() for c in others]
    )
    untimed = samples.filter(pl.col("timestamp_utc").is_null())
    out = pl.concat([collapsed.select(samples.columns), untimed], how="vertical_relaxed")
    return out.cast(samples.schema), samples.height - out.height


def recount_samples(activities: pl.DataFrame, samples: pl.DataFrame) -> pl.DataFrame:
    """``activities`` with ``n_samples`` counted again from ``samples`` (after records were dropped or merged)."""
    counts = samples.group_by("activity_id").len()
    return activities.with_columns(
        n_samples=pl.col("activity_id").replace_strict(
            counts["activity_id"], counts["len"], default=0, return_dtype=pl.Int64
        )
    )


def clean_samples(
    samples: pl.DataFrame, label: str, *, now: datetime | None = None
) -> tuple[pl.DataFrame, list[str]]:
    """Drop impossible records; refuse a file with no possible record.

    Repeated timestamps are collapsed later, once per file, by :func:`check_frames`.

    Parameters
    ----------
    samples
        Records with (a subset of) the :data:`runback.schema.SAMPLES` columns;
        ``timestamp_utc`` is required, ``lat_deg``/``lon_deg`` are checked where present.
    label
        The file, for the warnings and the error.
    now
        The clock to judge "the future" by (default: this computer's).

    Returns
    -------
    (pl.DataFrame, list[str])
        The records kept (same columns, same order) and one warning per kind of record dropped.

    Raises
    ------
    UnreadableFileError
        ``refused: ...`` when every timed record lies outside the plausible
        dates, or every position outside the globe.
    """
    latest = _latest(now)
    warnings: list[str] = []
    ts = pl.col("timestamp_utc")
    timed = samples.filter(ts.is_not_null())
    early = ts < EARLIEST_UTC
    late = ts > latest
    n_early, n_late = timed.select(early.sum()).item(), timed.select(late.sum()).item()
    if timed.height and n_early + n_late == timed.height:
        first = timed["timestamp_utc"].min()
        assert isinstance(first, datetime)
        raise refused(label, f"every record is dated {_when(first, latest)}")
    bad_position = pl.lit(False)
    n_bad_position = 0
    if "lat_deg" in samples.columns and "lon_deg" in samples.columns:
        lat, lon = pl.col("lat_deg"), pl.col("lon_deg")
        # is_finite is null for a null position: a record without a fix is fine
        bad_position = (
            ~(lat.is_finite() & lon.is_finite()) | (lat.abs() > 90) | (lon.abs() > 180)
        ).fill_null(False)
        n_bad_position = samples.select(bad_position.sum()).item()
        n_positions = samples.select((lat.is_not_null() | lon.is_not_null()).sum()).item()
        if n_positions and n_bad_position == n_positions:
            worst = samples.filter(bad_position).row(0, named=True)
            raise refused(
                label, f"every position lies outside the globe (latitude {worst['lat_deg']}, longitude {worst['lon_deg']})"
            )
    for count, what in (
        (n_early, f"dated before {EARLIEST_UTC.year}"),
        (n_late, "dated more than a day in the future"),
        (n_bad_position, "with a position outside the globe"),
    ):
        if count:
            warnings.append(f"{label}: dropped {count} record(s) {what}")
    if n_early or n_late or n_bad_position:
        samples = samples.filter(~((early | late).fill_null(False) | bad_position))
    return samples, warnings


def _sustained_speed_mps(samples: pl.DataFrame) -> float | None:
    """The highest speed held over :data:`SUSTAINED_S` seconds (distance gained over time), m/s."""
    timed = samples.filter(pl.col("timestamp_utc").is_not_null() & pl.col("distance_m").is_not_null())
    if timed.height < 2:
        return None
    # for each record, the first record at least SUSTAINED_S later (a forward as-of join), and
    # the speed between the two; polars, not numpy: numpy would cost every command 40 ms to start
    timed = timed.sort("timestamp_utc").select(t="timestamp_utc", d="distance_m")
    later = timed.select(t_later="t", d_later="d")
    pairs = timed.with_columns(_key=pl.col("t") + pl.duration(seconds=SUSTAINED_S)).join_asof(
        later, left_on="_key", right_on="t_later", strategy="forward"
    )
    seconds = (pl.col("t_later") - pl.col("t")).dt.total_microseconds().cast(pl.Float64) / 1e6
    speed = pairs.select(((pl.col("d_later") - pl.col("d")) / seconds).alias("v"))["v"]
    speed = speed.filter(speed.is_finite())
    top = speed.max()
    return float(top) if isinstance(top, int | float) else None


_NON_NEGATIVE = {
    "elapsed_s": "elapsed time",
    "moving_s": "moving time",
    "distance_m": "distance",
    "avg_speed_mps": "average speed",
}


def check_frames(frames: Frames, label: str, *, now: datetime | None = None) -> Frames:
    """Collapse repeated timestamps; refuse a file whose activities no watch can have recorded.

    Parameters
    ----------
    frames
        One file's frames, as a reader returns them.
    label
        The file, for the error.
    now
        The clock to judge "the future" by (default: this computer's).

    Returns
    -------
    Frames
        ``frames`` with one record per activity and timestamp (``n_samples`` updated).

    Raises
    ------
    UnreadableFileError
        ``refused: ...``: a start or end before 1989 or more than a day in the
        future, a negative or infinite elapsed time, moving time, distance or
        speed, or a run or walk faster than :data:`MAX_RUN_SPEED_MPS` for
        :data:`SUSTAINED_S` seconds or more.
    """
    latest = _latest(now)
    samples, merged = collapse_repeated_times(frames.samples)
    if merged:
        activities = recount_samples(frames.activities, samples)
        # no warning: two records in one second (a GPS and a sensor record) are common and harmless
        frames = Frames(activities, samples, frames.laps, frames.warnings)
    several = frames.activities.height > 1
    for row in frames.activities.iter_rows(named=True):
        which = f"activity {row['activity_id']}: " if several else ""
        for column, what in _NON_NEGATIVE.items():
            value = row[column]
            if value is not None and (not math.isfinite(value) or value < 0):
                raise refused(label, f"{which}{what} is {value:g}")
        start: datetime | None = row["start_time_utc"]
        if start is not None:
            if start < EARLIEST_UTC or start > latest:
                raise refused(label, f"{which}starts {_when(start, latest)}")
            end = start + timedelta(seconds=row["elapsed_s"] or 0.0)
            if end > latest:
                raise refused(label, f"{which}ends {_when(end, latest)}")
        if sport_family(row["sport"]) != "foot":
            continue
        mine = frames.samples.filter(pl.col("activity_id") == row["activity_id"])
        fastest = _sustained_speed_mps(mine)
        if fastest is not None and fastest > MAX_RUN_SPEED_MPS:
            raise refused(
                label,
                f"{which}a {row['sport']} at {fastest:.1f} m/s ({fastest * 3.6:.0f} km/h) for "
                f"{SUSTAINED_S:.0f} s or more: faster than any runner ({MAX_RUN_SPEED_MPS:g} m/s)",
            )
    return frames
