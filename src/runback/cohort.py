"""A cohort view for the coach and the researcher: one row per athlete, and where each sits in the group.

:func:`cohort` summarises each athlete's history (weeks of data, runs, the
spread of weekly running distance, flags per 100 runs by rule, pain entries);
:func:`cohort_standing` places each runner against the group as a percentile.
Both are per athlete, so a cohort computed in batches (:mod:`runback.distributed`)
is the concatenation of the batches' cohorts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from runback import schema
from runback.days import local_day, week_start
from runback.model import RULES
from runback.sports import running_activity

__all__ = ["COHORT", "STANDING", "cohort", "cohort_standing", "runner_standing"]

#: the percentiles of weekly running distance :func:`cohort` reports
PERCENTILES = (10, 50, 90)

#: columns of :func:`cohort`: one flag-rate column per rule, in the order :data:`runback.model.RULES` runs them
COHORT: dict[str, pl.DataType] = {
    "athlete": pl.String(),
    "weeks": pl.Int64(),
    "runs": pl.Int64(),
    **{f"weekly_distance_p{p}_m": pl.Float64() for p in PERCENTILES},
    "flags_per_100_runs": pl.Float64(),
    **{f"flags_per_100_runs_{rule.id}": pl.Float64() for rule in RULES},
    "pain_entries": pl.Int64(),
}

#: columns of :func:`cohort_standing`
STANDING: dict[str, pl.DataType] = {
    "athlete": pl.String(),
    "weekly_distance_percentile": pl.Float64(),
    "flag_rate_percentile": pl.Float64(),
}


def cohort(
    activities: pl.DataFrame,
    flags: pl.DataFrame,
    journal: pl.DataFrame | None = None,
    *,
    zones: Mapping[str, str | None] | None = None,
) -> pl.DataFrame:
    """One row per athlete: how much data, how much running, how often flagged, how much pain logged.

    Parameters
    ----------
    activities
        :data:`runback.schema.ACTIVITIES` (any number of athletes).
    flags
        :data:`runback.schema.FLAGS` of those athletes (:func:`runback.model.flags`).
    journal
        :data:`runback.schema.JOURNAL`, optional.
    zones
        athlete -> IANA time zone for activities recorded without local time
        (the profiles' ``timezone``), as the load model places them.

    Returns
    -------
    pl.DataFrame
        :data:`COHORT`, sorted by athlete.  ``weeks``: ISO weeks from the first
        to the last run's week, inclusive (0 without runs); ``runs``: activities
        that count as running load; ``weekly_distance_p10_m`` .. ``p90_m``: the
        10th, 50th and 90th percentile (linear interpolation) of the weekly
        running distance over those weeks, weeks without a run counting as 0 m;
        ``flags_per_100_runs``: every flag per 100 runs, and one column per rule
        (null for an athlete without runs); ``pain_entries``: journal rows with a pain score.
    """
    names = set(activities.get_column("athlete").drop_nulls().to_list())
    names |= set(flags.get_column("athlete").drop_nulls().to_list())
    if journal is not None:
        names |= set(journal.get_column("athlete").drop_nulls().to_list())
    base = pl.DataFrame({"athlete": sorted(names)}, schema={"athlete": pl.String()})
    runs = activities.filter(running_activity()).with_columns(week=week_start(local_day(zones)))
    weekly = runs.group_by("athlete", "week").agg(distance_m=pl.col("distance_m").fill_null(0.0).sum())
    span = weekly.group_by("athlete").agg(first=pl.col("week").min(), last=pl.col("week").max())
    every_week = span.select(
        "athlete", week=pl.date_ranges("first", "last", interval="1w")
    ).explode("week")
    filled = every_week.join(weekly, on=["athlete", "week"], how="left").with_columns(
        pl.col("distance_m").fill_null(0.0)
    )
    spread = filled.group_by("athlete").agg(
        weeks=pl.len().cast(pl.Int64),
        **{f"weekly_distance_p{p}_m": pl.col("distance_m").quantile(p / 100, "linear") for p in PERCENTILES},
    )
    run_counts = runs.group_by("athlete").agg(runs=pl.len().cast(pl.Int64))
    per_rule = flags.group_by("athlete").agg(
        _all=pl.len(), **{f"_n_{rule.id}": (pl.col("rule") == rule.id).sum() for rule in RULES}
    )
    pain = (
        journal.filter(pl.col("pain").is_not_null()).group_by("athlete").agg(pain_entries=pl.len().cast(pl.Int64))
        if journal is not None and journal.height
        else pl.DataFrame(schema={"athlete": pl.String(), "pain_entries": pl.Int64()})
    )
    out = (
        base.join(spread, on="athlete", how="left")
        .join(run_counts, on="athlete", how="left")
        .join(per_rule, on="athlete", how="left")
        .join(pain, on="athlete", how="left")
        .with_columns(pl.col("weeks", "runs", "pain_entries").fill_null(0))
    )
    per_100 = pl.when(pl.col("runs") > 0).then(100.0 / pl.col("runs"))
    out = out.with_columns(
        flags_per_100_runs=per_100 * pl.col("_all").fill_null(0),
        **{f"flags_per_100_runs_{rule.id}": per_100 * pl.col(f"_n_{rule.id}").fill_null(0) for rule in RULES},
    )
    return out.select([pl.col(name).cast(dtype) for name, dtype in COHORT.items()]).sort("athlete")


def cohort_standing(cohort_frame: pl.DataFrame) -> pl.DataFrame:
    """Where each runner sits in the group: percentiles of median weekly distance and of flag rate.

    A runner's percentile is the share of the group (in percent) at or below
    their value: the highest value is 100, the lowest 100/n, ties share the
    higher rank.  Runners without runs (null value) get null and do not count
    in the group.

    Parameters
    ----------
    cohort_frame
        :data:`COHORT` (:func:`cohort`) of the whole group.

    Returns
    -------
    pl.DataFrame
        :data:`STANDING`: ``weekly_distance_percentile`` from
        ``weekly_distance_p50_m``, ``flag_rate_percentile`` from
        ``flags_per_100_runs``; sorted by athlete.
    """

    def percentile(column: str) -> pl.Expr:
        value = pl.col(column)
        return 100.0 * value.rank("max") / value.count()

    return cohort_frame.select(
        "athlete",
        weekly_distance_percentile=percentile("weekly_distance_p50_m"),
        flag_rate_percentile=percentile("flags_per_100_runs"),
    ).select([pl.col(name).cast(dtype) for name, dtype in STANDING.items()]).sort("athlete")


def runner_standing(runners: Sequence[Mapping[str, Any]]) -> pl.DataFrame:
    """:func:`cohort_standing` of the runners of a team overview, from their report inputs.

    Parameters
    ----------
    runners
        Each runner's :class:`runback.model.ReportInputs` (or a mapping with
        ``athlete``, ``activities``, ``flags``, ``journal`` and ``profile``), as
        :func:`runback.report.team.write_team_pages` takes them.

    Returns
    -------
    pl.DataFrame
        :data:`STANDING` plus the :data:`COHORT` columns, one row per runner,
        sorted by athlete: join it on ``athlete`` to the overview's rows.
    """
    if not runners:
        return pl.DataFrame(schema={**COHORT, **{k: v for k, v in STANDING.items() if k != "athlete"}})
    zones = {str(r["athlete"]): getattr(r.get("profile"), "timezone", None) for r in runners}
    journals = [r["journal"] for r in runners if r.get("journal") is not None and r["journal"].height]
    rows = cohort(
        pl.concat([schema.conform(r["activities"], schema.ACTIVITIES) for r in runners], how="vertical"),
        pl.concat([schema.conform(r["flags"], schema.FLAGS) for r in runners], how="vertical"),
        pl.concat([schema.conform(j, schema.JOURNAL) for j in journals], how="vertical") if journals else None,
        zones=zones,
    )
    return rows.join(cohort_standing(rows), on="athlete", how="left")
