"""Pain set against load, per runner: associations in one runner's own data, never causes.

Three analyses, each one or more rows of :data:`runback.schema.PAIN_VS_LOAD`:

``flag_vs_unflagged``
    For each load rule (and ``any``): the mean pain in the 0-``window_days``
    days after sessions that rule flagged, against the mean pain after sessions
    no rule flagged, with n on both sides and a bootstrap interval for the
    difference.
``weekly_change``
    Spearman correlation of a week's mean pain with that week's change in
    running distance against the week before.
``lag``
    The lag from 0 to ``max_lag_days`` days at which daily running distance and
    pain go together most strongly (largest absolute Spearman correlation).

Definitions
-----------
* A day's pain is the highest pain logged that day (any timing); days without
  an entry are missing, never 0.
* A session is a running activity (as the load model counts them:
  :func:`runback.sports.running_activity`, which also counts GPX runs without a
  sport) on its local day (:func:`runback.days.local_day`).  Its pain is the mean day's pain over the logged days
  from its day to ``window_days`` days later; sessions with no logged day there
  are left out.  Windows of nearby sessions overlap, so sessions are not
  independent: the interval is a rough guide.
* A session is flagged by a rule when the flags frame has that rule with its
  ``activity_id``; or with no ``activity_id`` on the session's day (rules about
  a day, such as too few rest days); or, for the rules about a week (each rule's
  ``week_rule``), in the ISO week the flag is about.  The journal rules made from the
  logged pain itself (``about_pain``) are left out.
* Daily running distance comes from ``daily.run_distance_m`` where ``daily`` is
  given, else it is summed from the running activities; days between a
  runner's first and last activity without a run count as 0 m.
* Minimum data: with fewer than ``min_entries`` (default 8) pain entries a
  runner gets ``enough_data = False``, no estimate and a message saying so.
  Each comparison also needs ``min_sessions`` (3) sessions on each side,
  ``min_weeks`` (4) weeks, or ``min_entries`` days.

Intervals are 95% percentile bootstraps (numpy, seeded, ``n_boot`` resamples;
``n_boot=0`` gives none).  The lag interval does not allow for picking the best
of eight lags, so it is optimistic.

References
----------
``docs/evidence.md``, "Wording": associations seen in data, never a cause.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from runback import schema
from runback.days import local_day, week_start
from runback.fmt import fmt_num
from runback.pain.rules import JOURNAL_RULES, WEEK_RULES, daily_pain, rule_words
from runback.sports import running_activity

__all__ = ["pain_vs_load", "spearman"]

# the journal rules made from the logged pain itself: setting them against pain would be circular
_PAIN_DERIVED = [rule.id for rule in JOURNAL_RULES if rule.about_pain]
_ALL = "any"
_NOT_PROOF_EN = "This is an association, not proof."
_NOT_PROOF_NL = "Dit is een samenhang, geen bewijs."


# --------------------------------------------------------------------------
# statistics (numpy; no scipy dependency)
# --------------------------------------------------------------------------
def _ranks(a: np.ndarray) -> np.ndarray:
    """Ranks 1..n with ties given their average rank."""
    order = np.argsort(a, kind="mergesort")
    ordered = a[order]
    edges = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1], True])
    average = (edges[:-1] + edges[1:] - 1) / 2 + 1
    ranks = np.empty(len(a))
    ranks[order] = np.repeat(average, np.diff(edges))
    return ranks


def spearman(x: Any, y: Any) -> float:
    """Spearman rank correlation of two equal-length sequences; NaN when either is constant or n < 2."""
    xa, ya = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if len(xa) < 2:
        return float("nan")
    rx, ry = _ranks(xa), _ranks(ya)
    rx, ry = rx - rx.mean(), ry - ry.mean()
    denom = np.sqrt((rx * rx).sum() * (ry * ry).sum())
    return float((rx * ry).sum() / denom) if denom > 0 else float("nan")


def _ci(samples: np.ndarray) -> tuple[float | None, float | None]:
    samples = samples[np.isfinite(samples)]
    if samples.size == 0:
        return None, None
    low, high = np.percentile(samples, [2.5, 97.5])
    return float(low), float(high)


def _boot_diff(x: np.ndarray, y: np.ndarray, n_boot: int, rng: np.random.Generator) -> tuple[float | None, float | None]:
    if n_boot <= 0:
        return None, None
    bx = x[rng.integers(0, len(x), (n_boot, len(x)))].mean(axis=1)
    by = y[rng.integers(0, len(y), (n_boot, len(y)))].mean(axis=1)
    return _ci(bx - by)


def _boot_spearman(x: np.ndarray, y: np.ndarray, n_boot: int, rng: np.random.Generator) -> tuple[float | None, float | None]:
    if n_boot <= 0:
        return None, None
    idx = rng.integers(0, len(x), (n_boot, len(x)))
    return _ci(np.array([spearman(x[i], y[i]) for i in idx]))


# --------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------
def _sessions(activities: pl.DataFrame) -> pl.DataFrame:
    return (
        activities.filter(running_activity() & pl.col("start_time_local").is_not_null())
        .select("athlete", "activity_id", local_day().alias("date"))
        .unique(maintain_order=True)
    )


def _run_distance(activities: pl.DataFrame, daily: pl.DataFrame | None) -> pl.DataFrame:
    """``athlete, date, run_distance_m`` for every day from each runner's first to last activity day."""
    if daily is not None and {"athlete", "date", "run_distance_m"} <= set(daily.columns):
        per_day = daily.select("athlete", "date", pl.col("run_distance_m").cast(pl.Float64).fill_null(0.0))
    else:
        acts = activities.filter(pl.col("start_time_local").is_not_null())
        per_day = acts.group_by("athlete", local_day().alias("date")).agg(
            pl.when(running_activity()).then(pl.col("distance_m")).otherwise(0.0)
            .fill_null(0.0).sum().alias("run_distance_m")
        )
    if per_day.is_empty():
        return pl.DataFrame(schema={"athlete": pl.String, "date": pl.Date, "run_distance_m": pl.Float64})
    calendar = (
        per_day.group_by("athlete")
        .agg(pl.date_ranges(pl.col("date").min(), pl.col("date").max()).first().alias("date"))
        .explode("date")
    )
    return (
        calendar.join(per_day, on=["athlete", "date"], how="left")
        .with_columns(pl.col("run_distance_m").fill_null(0.0))
        .sort("athlete", "date")
    )


def _row(athlete: str, analysis: str, **values: Any) -> dict[str, Any]:
    return {"athlete": athlete, "analysis": analysis, **values}


def _not_enough(n_entries: int, min_entries: int) -> tuple[str, str]:
    return (
        f"Not enough data: {n_entries} pain entr{'y' if n_entries == 1 else 'ies'} logged; at least "
        f"{min_entries} are needed before pain is set against load.",
        f"Te weinig gegevens: {n_entries} pijnnotitie{'' if n_entries == 1 else 's'}; er zijn er minstens "
        f"{min_entries} nodig om pijn naast de belasting te leggen.",
    )


def _nl(text: str) -> str:
    return text.replace(".", ",")


def _spearman_text(rho: float, low: float | None, high: float | None, n_en: str, n_nl: str) -> tuple[str, str]:
    """``Spearman rho 0.42, n=12 weeks; 95% interval 0.10 to 0.70`` in English and Dutch."""
    both = low is not None and high is not None
    ci_en = f"; 95% interval {low:.2f} to {high:.2f}" if both else ""
    ci_nl = f"; 95%-interval {low:.2f} tot {high:.2f}" if both else ""
    return f"Spearman rho {rho:.2f}{n_en}{ci_en}", _nl(f"Spearman rho {rho:.2f}{n_nl}{ci_nl}")


# --------------------------------------------------------------------------
# (a) flagged against unflagged sessions
# --------------------------------------------------------------------------
def _flag_rows(
    athlete: str,
    sessions: pl.DataFrame,
    pain: pl.DataFrame,
    flags: pl.DataFrame,
    *,
    window_days: int,
    min_sessions: int,
    enough_entries: bool,
    not_enough: tuple[str, str],
    n_boot: int,
    rng: np.random.Generator,
) -> list[dict[str, Any]]:
    window = (
        sessions.join(pain.rename({"date": "pain_date"}), on="athlete")
        .filter(
            (pl.col("pain_date") >= pl.col("date"))
            & (pl.col("pain_date") <= pl.col("date") + pl.duration(days=window_days))
        )
        .group_by("activity_id", "date")
        .agg(pl.col("pain").mean().alias("window_pain"))
    )
    by_id = flags.filter(pl.col("activity_id").is_not_null()).select("rule", "activity_id")
    by_day = (
        flags.filter(pl.col("activity_id").is_null() & ~pl.col("rule").is_in(WEEK_RULES))
        .select("rule", "date")
        .join(sessions.select("activity_id", "date"), on="date")
        .select("rule", "activity_id")
    )
    # A weekly rule's flag (dated the week's Monday) flags every session of that week.
    by_week = (
        flags.filter(pl.col("activity_id").is_null() & pl.col("rule").is_in(WEEK_RULES))
        .select("rule", week_start(pl.col("date")).alias("week"))
        .join(sessions.select("activity_id", week_start(pl.col("date")).alias("week")), on="week")
        .select("rule", "activity_id")
    )
    flagged = pl.concat([by_id, by_day, by_week]).unique().join(sessions.select("activity_id"), on="activity_id")
    any_flag = set(flagged["activity_id"].to_list())
    rules = sorted(set(flagged["rule"].to_list()))
    values = dict(zip(window["activity_id"].to_list(), window["window_pain"].to_list()))
    # Sorted by id so the bootstrap draws the same sessions whatever order polars grouped them in.
    unflagged = np.array([values[a] for a in sorted(values) if a not in any_flag])
    out = []
    for rule in [*rules, _ALL]:
        ids = any_flag if rule == _ALL else set(flagged.filter(pl.col("rule") == rule)["activity_id"].to_list())
        x = np.array([values[a] for a in sorted(ids) if a in values])
        if rule == _ALL:
            what_en, what_nl = "flagged by any load rule", "gemarkeerd door een belastingsregel"
        else:
            words = rule_words(rule)
            what_en, what_nl = f"flagged for {words[0]}", f"gemarkeerd voor {words[1]}"
        row = _row(
            athlete, "flag_vs_unflagged", rule=rule, lag_days=None, method="difference in means",
            n=len(x) + len(unflagged), n_flagged=len(x), n_unflagged=len(unflagged),
            mean_flagged=float(x.mean()) if len(x) else None,
            mean_unflagged=float(unflagged.mean()) if len(unflagged) else None,
            estimate=None, ci_low=None, ci_high=None, enough_data=False,
        )
        if not enough_entries:
            row["message_en"], row["message_nl"] = not_enough
        elif len(x) < min_sessions or len(unflagged) < min_sessions:
            row["message_en"] = (
                f"Not enough sessions to compare: {len(x)} {what_en} and {len(unflagged)} without a "
                f"flag have pain logged in the 0-{window_days} days after; at least {min_sessions} of each are needed."
            )
            row["message_nl"] = (
                f"Te weinig trainingen om te vergelijken: {len(x)} {what_nl} en "
                f"{len(unflagged)} zonder markering hebben een pijnnotitie in de 0-{window_days} dagen erna; "
                f"er zijn er minstens {min_sessions} van elk nodig."
            )
        else:
            est = float(x.mean() - unflagged.mean())
            low, high = _boot_diff(x, unflagged, n_boot, rng)
            row.update(estimate=est, ci_low=low, ci_high=high, enough_data=True)
            caveat_en, caveat_nl = f" {_NOT_PROOF_EN}", f" {_NOT_PROOF_NL}"
            if abs(est) < 0.05:
                diff_en, than_en, diff_nl, than_nl = "about the same", "as", "ongeveer even hoog", "als"
                caveat_en = caveat_nl = ""
            else:
                word_en, word_nl = ("higher", "hoger") if est > 0 else ("lower", "lager")
                diff_en, than_en = f"on average {fmt_num(abs(est), 'en')} points {word_en}", "than"
                diff_nl, than_nl = f"gemiddeld {fmt_num(abs(est), 'nl')} punt {word_nl}", "dan"
            ci_en = f"; 95% interval {low:+.1f} to {high:+.1f} points" if low is not None and high is not None else ""
            ci_nl = _nl(f"; 95%-interval {low:+.1f} tot {high:+.1f} punten") if low is not None and high is not None else ""
            row["message_en"] = (
                f"In the 0-{window_days} days after sessions {what_en}, pain was {diff_en} {than_en} after "
                f"sessions without a flag: {fmt_num(float(x.mean()), 'en')}/10 (n={len(x)}) against "
                f"{fmt_num(float(unflagged.mean()), 'en')}/10 (n={len(unflagged)}){ci_en}.{caveat_en}"
            )
            row["message_nl"] = (
                f"In de 0-{window_days} dagen na trainingen {what_nl} was de pijn {diff_nl} {than_nl} na "
                f"trainingen zonder markering: {fmt_num(float(x.mean()), 'nl')}/10 (n={len(x)}) tegenover "
                f"{fmt_num(float(unflagged.mean()), 'nl')}/10 (n={len(unflagged)}){ci_nl}.{caveat_nl}"
            )
        out.append(row)
    return out


# --------------------------------------------------------------------------
# (b) weekly pain against the weekly change in distance
# --------------------------------------------------------------------------
def _direction(rho: float) -> tuple[str, str]:
    if rho >= 0.1:
        return "higher", "meer"
    if rho <= -0.1:
        return "lower", "minder"
    return "", ""


def _weekly_row(
    athlete: str,
    distance: pl.DataFrame,
    pain: pl.DataFrame,
    *,
    min_weeks: int,
    enough_entries: bool,
    not_enough: tuple[str, str],
    n_boot: int,
    rng: np.random.Generator,
) -> dict[str, Any]:
    weeks = (
        distance.group_by(week_start(pl.col("date")).alias("week"))
        .agg(pl.col("run_distance_m").sum())
        .sort("week")
        .with_columns(prev=pl.col("run_distance_m").shift(1), prev_week=pl.col("week").shift(1))
        .with_columns(
            change=pl.when((pl.col("prev") > 0) & (pl.col("prev_week") == pl.col("week") - pl.duration(weeks=1)))
            .then(pl.col("run_distance_m") / pl.col("prev") - 1)
        )
    )
    weekly_pain = pain.group_by(week_start(pl.col("date")).alias("week")).agg(pl.col("pain").mean())
    pairs = weeks.join(weekly_pain, on="week").drop_nulls(["change", "pain"]).sort("week")
    x, y = pairs["change"].to_numpy(), pairs["pain"].to_numpy()
    row = _row(athlete, "weekly_change", rule=None, lag_days=None, method="spearman", n=len(x),
               n_flagged=None, n_unflagged=None, mean_flagged=None, mean_unflagged=None,
               estimate=None, ci_low=None, ci_high=None, enough_data=False)
    if not enough_entries:
        row["message_en"], row["message_nl"] = not_enough
        return row
    if len(x) < min_weeks:
        row["message_en"] = (
            f"Not enough weeks to compare: {len(x)} week(s) with pain logged and a running distance the week "
            f"before; at least {min_weeks} are needed."
        )
        row["message_nl"] = (
            f"Te weinig weken om te vergelijken: {len(x)} week/weken met pijnnotities en een loopafstand in "
            f"de week ervoor; er zijn er minstens {min_weeks} nodig."
        )
        return row
    rho = spearman(x, y)
    row["enough_data"] = True
    if not np.isfinite(rho):
        row["message_en"] = "Weekly pain or the weekly change in distance did not vary, so there is no correlation to show."
        row["message_nl"] = "De wekelijkse pijn of de verandering in afstand varieerde niet, dus er is geen samenhang te tonen."
        return row
    low, high = _boot_spearman(x, y, n_boot, rng)
    row.update(estimate=rho, ci_low=low, ci_high=high)
    stats_en, stats_nl = _spearman_text(rho, low, high, f", n={len(x)} weeks", f", n={len(x)} weken")
    en, nl = _direction(rho)
    if en:
        row["message_en"] = (
            f"Weeks in which running distance rose more than the week before went with {en} pain that week "
            f"({stats_en}). {_NOT_PROOF_EN}"
        )
        row["message_nl"] = (
            f"Weken waarin de loopafstand meer steeg dan de week ervoor gingen samen met {nl} pijn in die week "
            f"({stats_nl}). {_NOT_PROOF_NL}"
        )
    else:
        row["message_en"] = f"Weekly pain showed no clear relation with the change in running distance ({stats_en})."
        row["message_nl"] = f"De wekelijkse pijn hing niet duidelijk samen met de verandering in loopafstand ({stats_nl})."
    return row


# --------------------------------------------------------------------------
# (c) the lag with the strongest association
# --------------------------------------------------------------------------
def _lag_row(
    athlete: str,
    distance: pl.DataFrame,
    pain: pl.DataFrame,
    *,
    max_lag_days: int,
    min_days: int,
    enough_entries: bool,
    not_enough: tuple[str, str],
    n_boot: int,
    rng: np.random.Generator,
) -> dict[str, Any]:
    best: tuple[int, float, np.ndarray, np.ndarray] | None = None
    for lag in range(max_lag_days + 1):
        shifted = distance.with_columns((pl.col("date") + pl.duration(days=lag)).alias("date"))
        pairs = shifted.join(pain, on="date").sort("date")
        x, y = pairs["run_distance_m"].to_numpy(), pairs["pain"].to_numpy()
        if len(x) < min_days:
            continue
        rho = spearman(x, y)
        if np.isfinite(rho) and (best is None or abs(rho) > abs(best[1]) + 1e-12):
            best = (lag, rho, x, y)
    row = _row(athlete, "lag", rule=None, lag_days=None, method="spearman", n=0,
               n_flagged=None, n_unflagged=None, mean_flagged=None, mean_unflagged=None,
               estimate=None, ci_low=None, ci_high=None, enough_data=False)
    if not enough_entries:
        row["message_en"], row["message_nl"] = not_enough
        return row
    if best is None:
        row["message_en"] = (
            f"Not enough days to find a lag: at least {min_days} days with pain logged and a known running "
            "distance (and some variation in both) are needed at some lag from 0 to "
            f"{max_lag_days} days."
        )
        row["message_nl"] = (
            f"Te weinig dagen om een vertraging te vinden: er zijn minstens {min_days} dagen met een "
            "pijnnotitie en een bekende loopafstand (met enige variatie in beide) nodig bij een vertraging "
            f"van 0 tot {max_lag_days} dagen."
        )
        return row
    lag, rho, x, y = best
    low, high = _boot_spearman(x, y, n_boot, rng)
    row.update(lag_days=lag, n=len(x), estimate=rho, ci_low=low, ci_high=high, enough_data=True)
    when_en = "on the same day" if lag == 0 else f"{lag} day{'s' if lag > 1 else ''} later"
    when_nl = "op dezelfde dag" if lag == 0 else f"{lag} dag{'en' if lag > 1 else ''} later"
    stats_en, stats_nl = _spearman_text(rho, low, high, f" over n={len(x)} days", f" over n={len(x)} dagen")
    en, nl = _direction(rho)
    if en:
        row["message_en"] = (
            f"Of the lags from 0 to {max_lag_days} days, pain went most closely with running distance "
            f"{when_en}: days with more running went with {en} pain {when_en} ({stats_en}). {_NOT_PROOF_EN}"
        )
        row["message_nl"] = (
            f"Van de vertragingen van 0 tot {max_lag_days} dagen hing de pijn het sterkst samen met de "
            f"loopafstand {when_nl}: dagen met meer lopen gingen samen met {nl} pijn {when_nl} ({stats_nl}). "
            f"{_NOT_PROOF_NL}"
        )
    else:
        row["message_en"] = (
            f"Pain showed no clear relation with running distance at any lag from 0 to {max_lag_days} days "
            f"(strongest {when_en}: {stats_en})."
        )
        row["message_nl"] = (
            f"De pijn hing bij geen enkele vertraging van 0 tot {max_lag_days} dagen duidelijk samen met de "
            f"loopafstand (het sterkst {when_nl}: {stats_nl})."
        )
    return row


# --------------------------------------------------------------------------
# the public function
# --------------------------------------------------------------------------
def pain_vs_load(
    journal: pl.DataFrame,
    activities: pl.DataFrame,
    flags: pl.DataFrame | None,
    *,
    daily: pl.DataFrame | None = None,
    window_days: int = 3,
    min_entries: int = 8,
    min_sessions: int = 3,
    min_weeks: int = 4,
    max_lag_days: int = 7,
    n_boot: int = 1000,
    seed: int = 0,
) -> pl.DataFrame:
    """Set each runner's logged pain against their load: flagged sessions, weekly change, lag.

    Parameters
    ----------
    journal
        :data:`runback.schema.JOURNAL` frame.
    activities
        :data:`runback.schema.ACTIVITIES` frame.
    flags
        :data:`runback.schema.FLAGS` frame (e.g. from :func:`runback.flags`); None: no flags.
    daily
        The load model's daily frame (``athlete, date, run_distance_m``); None: summed from ``activities``.
    window_days
        Pain counts for a session from its day to this many days later.  Default 3.
    min_entries
        Fewer pain entries than this (per runner): not enough data, no numbers.  Default 8.
    min_sessions
        Sessions needed on each side of a flagged/unflagged comparison.  Default 3.
    min_weeks
        Weeks needed for the weekly correlation.  Default 4.
    max_lag_days
        Largest lag tried, days.  Default 7.
    n_boot
        Bootstrap resamples for the 95% intervals (0: no intervals).  Default 1000.
    seed
        Seed of the bootstrap's random generator, so results repeat.

    Returns
    -------
    pl.DataFrame
        :data:`runback.schema.PAIN_VS_LOAD`, per athlete: one ``flag_vs_unflagged`` row per
        load rule in ``flags`` plus one for ``any``; one ``weekly_change`` row; one ``lag`` row.
        Sorted by athlete, analysis, rule.

    References
    ----------
    ``docs/evidence.md``, "Wording".  Spearman's rank correlation; percentile bootstrap (Efron).
    """
    journal = schema.conform(journal, schema.JOURNAL)
    activities = schema.conform(activities, schema.ACTIVITIES)
    flags = schema.empty(schema.FLAGS) if flags is None else schema.conform(flags, schema.FLAGS)
    flags = flags.filter(~pl.col("rule").is_in(_PAIN_DERIVED))
    rng = np.random.default_rng(seed)
    # as floats: the daily pain is averaged and handed to numpy below
    pain_all = daily_pain(journal).with_columns(pl.col("pain").cast(pl.Float64))
    sessions_all = _sessions(activities)
    distance_all = _run_distance(activities, daily)
    entries = journal.filter(pl.col("pain").is_not_null()).group_by("athlete").len()
    n_entries = dict(zip(entries["athlete"].to_list(), entries["len"].to_list()))
    athletes = sorted(set(journal["athlete"].drop_nulls()) | set(activities["athlete"].drop_nulls()))

    rows: list[dict[str, Any]] = []
    for athlete in athletes:
        n = n_entries.get(athlete, 0)
        enough = n >= min_entries
        not_enough = _not_enough(n, min_entries)
        pain = pain_all.filter(pl.col("athlete") == athlete)
        distance = distance_all.filter(pl.col("athlete") == athlete).select("date", "run_distance_m")
        rows += _flag_rows(
            athlete, sessions_all.filter(pl.col("athlete") == athlete), pain,
            flags.filter(pl.col("athlete") == athlete), window_days=window_days, min_sessions=min_sessions,
            enough_entries=enough, not_enough=not_enough, n_boot=n_boot, rng=rng,
        )
        pain_days = pain.select("date", "pain")
        rows.append(_weekly_row(athlete, distance, pain_days, min_weeks=min_weeks, enough_entries=enough,
                                not_enough=not_enough, n_boot=n_boot, rng=rng))
        rows.append(_lag_row(athlete, distance, pain_days, max_lag_days=max_lag_days, min_days=min_entries,
                             enough_entries=enough, not_enough=not_enough, n_boot=n_boot, rng=rng))
    if not rows:
        return schema.empty(schema.PAIN_VS_LOAD)
    order = {"flag_vs_unflagged": 0, "weekly_change": 1, "lag": 2}
    out = pl.DataFrame(rows, schema=schema.PAIN_VS_LOAD)
    return out.sort(
        [pl.col("athlete"), pl.col("analysis").replace_strict(order, return_dtype=pl.Int8),
         pl.col("rule") == _ALL, pl.col("rule")],
        nulls_last=False,
    )
