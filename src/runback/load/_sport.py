"""Which activities count as running load.

Running is sport ``running`` (any sub-sport: road, trail, treadmill ...) and
names like ``trail_running``.  Files that carry no sport (a GPX without a
``<type>``: sport ``generic``, or none) are common; such an activity counts as
running unless its name names another sport (ride, bike, walk, fiets, wandel,
swim ...), when its name says run (run, corrida, hardlopen, duurloop, lauf,
carrera, course, jog ...) or its average moving speed is a running speed,
1.8 to 6.5 m/s (9:15 to 2:34 min/km).
"""

from __future__ import annotations

import polars as pl

__all__ = ["RUN_SPEED_MPS", "is_running", "running_activity"]

#: average moving speeds counted as running for activities of unknown sport, m/s
RUN_SPEED_MPS = (1.8, 6.5)
_UNKNOWN = ("generic", "unknown", "other", "all", "")
_RUN_WORDS = r"(?i)\b(run|running|runs|corrida|correr|hardlo\w*|\w*loop|\w*lauf|laufen|carrera|course|jog\w*|trail)\b"
_OTHER_WORDS = (
    r"(?i)\b(ride|bike|biking|cycling|fiets\w*|rad\w*|pedal\w*|bicicleta|ciclismo|walk\w*|wandel\w*|"
    r"caminhada|hike|hiking|swim\w*|zwem\w*|nata\w*|row\w*|roei\w*|ski\w*)\b"
)


def is_running(sport: pl.Expr) -> pl.Expr:
    """True for a running sport label ("running", "trail_running", "run" ...)."""
    s = sport.str.to_lowercase()
    return (s.str.starts_with("run") | s.str.ends_with("running")).fill_null(False)


def running_activity(*, infer_unknown: bool = True) -> pl.Expr:
    """True for activities (schema.ACTIVITIES rows) that count as running load.

    With ``infer_unknown`` (default), activities of unknown sport are judged by
    name and speed as the module docstring says.
    """
    known = is_running(pl.col("sport"))
    if not infer_unknown:
        return known
    unknown = pl.col("sport").is_null() | pl.col("sport").str.to_lowercase().is_in(_UNKNOWN)
    name = pl.col("name").fill_null("")
    moving = pl.coalesce(pl.col("moving_s"), pl.col("elapsed_s"))
    speed = pl.coalesce(pl.col("avg_speed_mps"), pl.col("distance_m") / moving)
    by_speed = speed.fill_nan(None).is_between(*RUN_SPEED_MPS).fill_null(False)
    says_run = name.str.contains(_RUN_WORDS)
    says_other = name.str.contains(_OTHER_WORDS)
    # another sport's word wins ("bike loop"); then a run word, then the speed
    inferred = unknown & ~says_other & (says_run | by_speed)
    return (known | inferred).fill_null(False)
