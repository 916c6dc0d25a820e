"""The journal rules: pain during or after runs, next-morning pain, pain that lasts, high pain, pain rising
over days, stress and poor sleep.

Each rule is a pure function from frames to a :data:`runback.schema.FLAGS`
frame; :func:`pain_flags` runs them all.  Every flag carries the measured
value, the threshold, an English and a Dutch message and the evidence with its
strength.  A flag says what was logged and what physiotherapy guidance advises; it never
names a cause or a diagnosis.

How entries are matched to runs
-------------------------------
A run is what the load model counts as running (:func:`runback.sports.running_activity`:
sport ``running``, or a GPX without a sport at running speed); its day is its local day
(:func:`runback.days.local_day`; :func:`runback.model.flags` first puts ``start_time_local``
in the profile's time zone, as the load model does).  An entry that names a run (``activity_id``) belongs to
that run.  Otherwise a ``during``/``after`` entry belongs to a run on the same
day: the last run that started at or before the entry's time, or, without a
time (or with a time before every run), the day's longest run.  A
``next_morning`` entry is dated the morning it describes, so the morning after
a run on day D is an entry dated D+1.

References
----------
``docs/evidence.md``: rules ``pain_during_run``, ``pain_next_morning``,
``pain_persistent``, ``pain_high``, ``pain_rising``, ``stress_or_poor_sleep``.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import polars as pl

from runback import schema
from runback.days import local_day, monday
from runback.fmt import fmt_date, fmt_g
from runback.load import LOAD_RULES
from runback.registry import Band, Rule
from runback.sports import running_activity

__all__ = [
    "EVIDENCE",
    "JOURNAL_RULES",
    "LOAD_RULE_LABELS",
    "PAIN_RULES",
    "WEEK_RULES",
    "pain_during_run",
    "pain_flags",
    "pain_high",
    "pain_next_morning",
    "pain_persistent",
    "pain_rising",
    "stress_or_poor_sleep",
]

def rule_words(rule: str) -> tuple[str, str]:
    """A rule's phrase in English and Dutch (no id: a sentence is for people); an unknown rule: its id."""
    declared = _PHRASES.get(rule)
    return (declared["en"], declared["nl"]) if declared else (rule, rule)


_KEEP_MOVING_EN = "Keep moving: running is generally good for the back."
_KEEP_MOVING_NL = "Blijf bewegen: hardlopen is over het algemeen goed voor de rug."
_TIMING_EN = {"during": "during", "after": "right after"}
_TIMING_NL = {"during": "tijdens", "after": "direct na"}
# Entries without a time of day are placed by their timing: a next-morning report
# at the start of its day, anything else after that day's runs.
_START_OF_DAY = dt.time(0, 0)
_END_OF_DAY = dt.time(23, 59, 59)


@dataclass(frozen=True)
class _Run:
    activity_id: str
    athlete: str
    date: dt.date
    start: dt.time
    distance_m: float


def _runs(activities: pl.DataFrame) -> list[_Run]:
    runs = activities.filter(running_activity() & pl.col("start_time_local").is_not_null())
    return [
        _Run(r["activity_id"], r["athlete"], r["_day"], r["start_time_local"].time(), r["distance_m"] or 0.0)
        for r in runs.with_columns(_day=local_day()).sort("start_time_local").iter_rows(named=True)
    ]


def _span(days: int, lang: str) -> str:
    """``2 weeks`` where ``days`` is whole weeks, else ``10 days`` (Dutch: weken, dagen)."""
    weeks, rest = divmod(days, 7)
    if rest == 0 and weeks:
        return f"{weeks} {('week' if weeks == 1 else 'weeks') if lang == 'en' else ('week' if weeks == 1 else 'weken')}"
    return f"{days} {('day' if days == 1 else 'days') if lang == 'en' else ('dag' if days == 1 else 'dagen')}"


def _effective_time(entry: dict[str, Any]) -> dt.time:
    logged: dt.time | None = entry["time"]
    if logged is not None:
        return logged
    return _START_OF_DAY if entry["timing"] == "next_morning" else _END_OF_DAY


def _flags(rows: Iterable[dict[str, Any]]) -> pl.DataFrame:
    rows = list(rows)
    if not rows:
        return schema.empty(schema.FLAGS)
    return schema.conform(pl.DataFrame(rows, schema=schema.FLAGS, orient="row"), schema.FLAGS).sort(
        ["athlete", "date", "rule", "activity_id"], nulls_last=False
    )


def daily_pain(journal: pl.DataFrame) -> pl.DataFrame:
    """The day's highest logged pain per athlete and day: ``athlete, date, pain``."""
    return (
        journal.filter(pl.col("pain").is_not_null())
        .group_by("athlete", "date")
        .agg(pl.col("pain").max().cast(pl.Int64))
        .sort("athlete", "date")
    )


def _next_morning_pain(journal: pl.DataFrame) -> dict[tuple[str, dt.date], int]:
    mornings = journal.filter(pl.col("timing") == "next_morning").group_by("athlete", "date").agg(pl.col("pain").max())
    return {(r["athlete"], r["date"]): int(r["pain"]) for r in mornings.iter_rows(named=True)}


# --------------------------------------------------------------------------
# pain_during_run
# --------------------------------------------------------------------------
def _match_runs(journal: pl.DataFrame, runs: list[_Run]) -> list[tuple[dict[str, Any], _Run]]:
    """Pair each during/after entry with its run (see the module docstring); unmatched entries are dropped."""
    by_id = {(r.athlete, r.activity_id): r for r in runs}
    by_day: dict[tuple[str, dt.date], list[_Run]] = defaultdict(list)
    for r in runs:
        by_day[(r.athlete, r.date)].append(r)
    pairs = []
    for entry in journal.filter(pl.col("timing").is_in(["during", "after"])).iter_rows(named=True):
        run: _Run | None = by_id.get((entry["athlete"], entry["activity_id"]))
        if run is None:
            same_day = by_day.get((entry["athlete"], entry["date"]), [])
            started = [r for r in same_day if entry["time"] is not None and r.start <= entry["time"]]
            if started:
                run = started[-1]
            elif same_day:
                run = max(same_day, key=lambda r: r.distance_m)
        if run is not None:
            pairs.append((entry, run))
    return pairs


def pain_during_run(
    journal: pl.DataFrame,
    activities: pl.DataFrame,
    *,
    fine_max: int = 3,
    too_much_above: int = 5,
) -> pl.DataFrame:
    """Back pain logged during or right after a run, in the pain-monitoring bands.

    One flag per run: the highest pain logged ``during`` or ``after`` it.

    Parameters
    ----------
    journal
        :data:`runback.schema.JOURNAL` frame.
    activities
        :data:`runback.schema.ACTIVITIES` frame.
    fine_max
        Pain up to this (NRS points) is fine: no flag.  Default 3.
    too_much_above
        Pain above this is "too much"; from ``fine_max + 1`` up to it, "acceptable
        if it settles by next morning".  Default 5.

    Returns
    -------
    pl.DataFrame
        :data:`runback.schema.FLAGS`; ``value`` the pain (0-10), ``threshold``
        the band's lower edge exceeded (``fine_max`` or ``too_much_above``),
        ``baseline`` the next-morning pain where logged (for the 4-5 band: did it settle?).

    References
    ----------
    ``docs/evidence.md``, rule ``pain_during_run`` (Silbernagel et al. 2007; weak for the back).
    """
    worst: dict[tuple[str, str], tuple[int, dict[str, Any], _Run]] = {}
    for entry, run in _match_runs(journal, _runs(activities)):
        key = (run.athlete, run.activity_id)
        if key not in worst or entry["pain"] > worst[key][0]:
            worst[key] = (entry["pain"], entry, run)
    mornings = _next_morning_pain(journal)
    rows = []
    for pain, entry, run in worst.values():
        if pain <= fine_max:
            continue
        when_en, when_nl = _TIMING_EN[entry["timing"]], _TIMING_NL[entry["timing"]]
        morning = mornings.get((run.athlete, run.date + dt.timedelta(days=1)))
        head_en = f"You logged back pain {pain}/10 {when_en} this run."
        head_nl = f"Je noteerde rugpijn {pain}/10 {when_nl} deze loop."
        if pain > too_much_above:
            band, threshold = "too_much", too_much_above
            en = (f"{head_en} In the pain-monitoring model, more than {too_much_above} is too much: ease off "
                  "or stop, and run shorter or slower next time. If the pain is severe, or lasts more than a "
                  f"month, see a physiotherapist. {_KEEP_MOVING_EN}")
            nl = (f"{head_nl} Volgens het pijnmonitoringsmodel is meer dan {too_much_above} te veel: doe het "
                  "rustiger aan of stop, en loop de volgende keer korter of langzamer. Is de pijn hevig of "
                  f"houdt hij langer dan een maand aan, ga dan naar een fysiotherapeut. {_KEEP_MOVING_NL}")
        else:
            band, threshold = "acceptable_if_settles", fine_max
            en = (f"{head_en} In the pain-monitoring model, {fine_max + 1}-{too_much_above} is acceptable if it "
                  "settles by the next morning.")
            nl = (f"{head_nl} Volgens het pijnmonitoringsmodel is {fine_max + 1}-{too_much_above} acceptabel "
                  "als het de volgende ochtend weer gezakt is.")
            if morning is None:
                en += " Log how your back feels tomorrow morning; if it has not settled, run shorter or slower."
                nl += (" Noteer morgenochtend hoe je rug voelt; is de pijn niet gezakt, loop dan korter of "
                       "langzamer.")
            elif morning <= fine_max:
                en += f" The next morning you logged {morning}/10: it settled."
                nl += f" De volgende ochtend noteerde je {morning}/10: de pijn was gezakt."
            else:
                en += (f" The next morning you logged {morning}/10: it had not settled, so run shorter or "
                       "slower for a while.")
                nl += (f" De volgende ochtend noteerde je {morning}/10: de pijn was niet gezakt, dus loop een "
                       "tijdje korter of langzamer.")
        rows.append({
            "athlete": run.athlete, "date": run.date, "activity_id": run.activity_id,
            "rule": PAIN_DURING_RUN.id, "band": band, "value": float(pain), "threshold": float(threshold),
            "baseline": None if morning is None else float(morning),
            "message_en": en, "message_nl": nl, "evidence": PAIN_DURING_RUN.evidence["en"],
        })
    return _flags(rows)


PAIN_DURING_RUN = Rule(
    id="pain_during_run",
    kind="journal",
    function=pain_during_run,
    inputs=("journal", "activities"),
    label={"en": "Back pain during or right after a run", "nl": "Rugpijn tijdens of vlak na het lopen"},
    phrase={"en": "back pain during or right after a run", "nl": "rugpijn tijdens of vlak na het lopen"},
    advice={
        "en": "Stop or ease off when your back hurts during or right after a run; keep moving, at a lower "
        "distance or intensity.",
        "nl": "Stop of doe rustiger aan als je rug pijn doet tijdens of vlak na het lopen; blijf bewegen, met "
        "minder afstand of intensiteit.",
    },
    evidence={
        "en": "Dutch physiotherapy guidance: stop or ease off when the back hurts during or right after a run. Bands (<=3 fine, "
        "4-5 acceptable if it settles by next morning, >5 too much) from the pain-monitoring model, "
        "Silbernagel et al. 2007 (Achilles tendinopathy; applied to the back by extrapolation). "
        "Evidence: weak for the back.",
        "nl": "Nederlands fysiotherapeutisch advies (stoppen of rustiger aan bij pijn). Pijnmonitoringsmodel, Silbernagel e.a. 2007 "
        "(achillespees; naar de rug doorgetrokken). Bewijs voor de rug: zwak.",
    },
    strength="weak",
    bands={
        "acceptable_if_settles": Band({"en": "acceptable if it settles", "nl": "acceptabel als het zakt"}),
        "too_much": Band({"en": "too much", "nl": "te veel"}, severity=2),
    },
    severity=5,
    about_pain=True,
)


# --------------------------------------------------------------------------
# pain_next_morning
# --------------------------------------------------------------------------
def pain_next_morning(
    journal: pl.DataFrame,
    activities: pl.DataFrame,
    *,
    min_points: float = 2.0,
    min_fraction: float = 0.30,
    lookback_days: int = 7,
) -> pl.DataFrame:
    """Pain the morning after a run day higher than the last pain logged before the run.

    For each athlete's run day D with a ``next_morning`` entry dated D+1: the
    change is that morning's pain (the highest, if several) minus the last
    pain logged before the day's first run (any timing; from D - ``lookback_days``
    up to the run's start; an entry without a time counts as before the run only
    if it is a next-morning report).  It is flagged when the rise is at least
    ``min_points``, or at least ``min_fraction`` of a non-zero earlier pain.

    Parameters
    ----------
    journal, activities
        :data:`runback.schema.JOURNAL` and :data:`runback.schema.ACTIVITIES` frames.
    min_points
        Smallest rise that matters, NRS points.  Default 2 (Ostelo 2008).
    min_fraction
        Or this fraction of the earlier pain.  Default 0.30 (Ostelo 2008).
    lookback_days
        How far back the "pain before the run" may be, days.  Default 7: an older
        entry says little about the day of the run.

    Returns
    -------
    pl.DataFrame
        :data:`runback.schema.FLAGS`, one row per flagged run day, dated the run
        day, with the day's last run as ``activity_id``; ``value`` the rise
        (points), ``threshold`` the rise that counts (``min(min_points,
        min_fraction x baseline)``), ``baseline`` the pain before the run.

    References
    ----------
    ``docs/evidence.md``, rule ``pain_next_morning`` (Ostelo et al. 2008; moderate for the instrument).
    """
    mornings = _next_morning_pain(journal)
    days: dict[tuple[str, dt.date], list[_Run]] = defaultdict(list)
    for run in _runs(activities):
        days[(run.athlete, run.date)].append(run)
    entries: dict[str, list[tuple[dt.date, dt.time, int]]] = defaultdict(list)
    for e in journal.filter(pl.col("pain").is_not_null()).iter_rows(named=True):
        entries[e["athlete"]].append((e["date"], _effective_time(e), int(e["pain"])))
    for athlete_entries in entries.values():
        athlete_entries.sort(key=lambda t: (t[0], t[1]))

    rows = []
    for (athlete, day), runs in sorted(days.items()):
        morning = mornings.get((athlete, day + dt.timedelta(days=1)))
        if morning is None:
            continue
        first, last = runs[0], runs[-1]
        logged = entries[athlete]
        # The last entry strictly before the day's first run (entries are sorted by date, time).
        i = bisect_left(logged, (day, first.start), key=lambda t: (t[0], t[1]))
        if i == 0 or logged[i - 1][0] < day - dt.timedelta(days=lookback_days):
            continue
        when, _, baseline = logged[i - 1]
        rise = morning - baseline
        threshold = min(min_points, min_fraction * baseline) if baseline > 0 else min_points
        if rise <= 0 or rise < threshold:
            continue
        pct = f" ({rise / baseline:.0%})" if baseline > 0 else ""
        rows.append({
            "athlete": athlete, "date": day, "activity_id": last.activity_id, "rule": PAIN_NEXT_MORNING.id,
            "band": "increase", "value": float(rise), "threshold": float(threshold), "baseline": float(baseline),
            "message_en": (
                f"The morning after this run you logged back pain {morning}/10, {rise} point(s){pct} higher "
                f"than the {baseline}/10 you logged before it (on {fmt_date(when, 'en')}). A change of "
                f"{fmt_g(min_points, 'en')} points or {min_fraction:.0%} is the smallest that matters to people. Ease off for a while: run shorter or slower, and "
                f"plan a rest day. {_KEEP_MOVING_EN}"
            ),
            "message_nl": (
                f"De ochtend na deze loop noteerde je rugpijn {morning}/10, {rise} punt(en){pct} hoger dan "
                f"de {baseline}/10 die je ervoor noteerde (op {fmt_date(when, 'nl')}). Een verandering van "
                f"{fmt_g(min_points, 'nl')} punten of {min_fraction:.0%} is de kleinste die voor mensen verschil maakt. Doe het een tijdje rustiger aan: loop "
                f"korter of langzamer, en plan een rustdag. {_KEEP_MOVING_NL}"
            ),
            "evidence": PAIN_NEXT_MORNING.evidence["en"],
        })
    return _flags(rows)


PAIN_NEXT_MORNING = Rule(
    id="pain_next_morning",
    kind="journal",
    function=pain_next_morning,
    inputs=("journal", "activities"),
    label={"en": "More pain the morning after", "nl": "Meer pijn de ochtend erna"},
    phrase={"en": "more back pain the morning after a run", "nl": "meer rugpijn de ochtend na een loop"},
    advice={
        "en": "Keep moving, but lower distance or intensity for the next runs.",
        "nl": "Blijf bewegen, maar verlaag afstand of intensiteit bij de volgende lopen.",
    },
    evidence={
        "en": "Dutch physiotherapy guidance: ease off when the back hurts after a run. The smallest change on the 0-10 pain scale "
        "that matters to people is 2 points or 30% (Ostelo et al. 2008). Evidence: moderate for the instrument.",
        "nl": "Kleinste belangrijke verandering op de NRS: 2 punten of 30% (Ostelo e.a. 2008). "
        "Bewijs voor het meetinstrument: matig.",
    },
    strength="moderate for the instrument",
    bands={"increase": Band({"en": "increase", "nl": "toename"})},
    severity=5,
    about_pain=True,
    aliases={"next_morning_points": "min_points", "next_morning_fraction": "min_fraction"},
)


# --------------------------------------------------------------------------
# pain_persistent
# --------------------------------------------------------------------------
def pain_persistent(
    journal: pl.DataFrame,
    *,
    min_days: int = 28,
    gap_days: int = 7,
    improvement_points: int = 2,
    window_days: int = 14,
) -> pl.DataFrame:
    """Back pain logged for more than ``min_days`` days without improving.

    A pain episode is a run of days with pain >= 1 (the day's highest entry)
    where consecutive pain days are less than ``gap_days`` apart.  On a pain
    day d whose episode started more than ``min_days`` days earlier, the pain
    counts as not improving when it is not at least ``improvement_points`` lower
    than on the last logged day (pain 0 included) at least ``window_days`` days
    before d.  The first such day of an episode is flagged (one flag per episode).

    Parameters
    ----------
    journal
        :data:`runback.schema.JOURNAL` frame.
    min_days
        Span from the episode's first pain day that must be exceeded, days.  Default 28.
    gap_days
        A gap of this many days or more without pain starts a new episode.  Default 7.
    improvement_points
        A drop of this many NRS points counts as improving.  Default 2 (Ostelo 2008).
    window_days
        "Over the last 2 weeks": the drop is measured against ``window_days`` days before.  Default 14.

    Returns
    -------
    pl.DataFrame
        :data:`runback.schema.FLAGS`, ``activity_id`` null; ``value`` the span in
        days on the flagged day, ``threshold`` ``min_days``, ``baseline`` the pain
        ``window_days`` or more days earlier.

    References
    ----------
    ``docs/evidence.md``, rule ``pain_persistent`` (Dutch physiotherapy guidance: see a physiotherapist; advice, not a study).
    """
    daily = daily_pain(journal)
    rows = []
    for (athlete,), days in daily.group_by("athlete", maintain_order=True):
        logged = list(zip(days["date"].to_list(), days["pain"].to_list()))
        logged_days = [d for d, _ in logged]
        pain_days = [(d, p) for d, p in logged if p >= 1]
        episode_start: dt.date | None = None
        flagged = False
        previous: dt.date | None = None
        for day, pain in pain_days:
            if previous is None or (day - previous).days >= gap_days:
                episode_start, flagged = day, False
            previous = day
            assert episode_start is not None
            span = (day - episode_start).days
            if flagged or span <= min_days:
                continue
            # The last logged day (pain 0 included) at least window_days before, within the episode.
            i = bisect_right(logged_days, day - dt.timedelta(days=window_days))
            if i == 0 or logged[i - 1][0] < episode_start:
                continue
            then_day, then = logged[i - 1]
            if then - pain >= improvement_points:
                continue
            flagged = True
            rows.append({
                "athlete": athlete, "date": day, "activity_id": None, "rule": PAIN_PERSISTENT.id,
                "band": "persistent", "value": float(span), "threshold": float(min_days), "baseline": float(then),
                "message_en": (
                    f"You have logged back pain on and off for {span} days (since {fmt_date(episode_start, 'en')}), "
                    f"and it has not dropped by {improvement_points} points or more over the last "
                    f"{_span(window_days, 'en')} ({then}/10 on {fmt_date(then_day, 'en')}, {pain}/10 now). Pain that "
                    "lasts longer than a month without improving: see a physiotherapist. Meanwhile keep moving, "
                    "at a lower distance or intensity."
                ),
                "message_nl": (
                    f"Je noteert al {span} dagen rugpijn (sinds {fmt_date(episode_start, 'nl')}), en die is de "
                    f"afgelopen {_span(window_days, 'nl')} niet met {improvement_points} punten of meer gedaald "
                    f"({then}/10 op {fmt_date(then_day, 'nl')}, nu {pain}/10). Heb je langer dan een maand last "
                    "zonder dat het beter wordt? Neem dan contact op met een fysiotherapeut. Blijf intussen "
                    "bewegen, met een kortere afstand of lagere intensiteit."
                ),
                "evidence": PAIN_PERSISTENT.evidence["en"],
            })
    return _flags(rows)


PAIN_PERSISTENT = Rule(
    id="pain_persistent",
    kind="journal",
    function=pain_persistent,
    inputs=("journal",),
    label={"en": "Pain for more than a month", "nl": "Pijn langer dan een maand"},
    phrase={"en": "back pain that lasts", "nl": "aanhoudende rugpijn"},
    advice={
        "en": "Pain that lasts more than a month without improving: see a physiotherapist.",
        "nl": "Pijn die langer dan een maand duurt zonder te verbeteren: ga naar een fysiotherapeut.",
    },
    evidence={
        "en": "Dutch physiotherapy guidance: pain that lasts longer than a month without improving: see a physiotherapist. "
        "Evidence: physiotherapy advice, not a study.",
        "nl": "Dutch physiotherapy guidance: pijn die langer dan een maand duurt zonder te verbeteren: ga naar een "
        "fysiotherapeut (advies, geen onderzoek).",
    },
    strength="physiotherapy advice, not a study",
    bands={"persistent": Band({"en": "persistent", "nl": "aanhoudend"})},
    severity=6,
    about_pain=True,
    aliases={
        "persistent_days": "min_days",
        "episode_gap_days": "gap_days",
        "improvement_window_days": "window_days",
    },
)


# --------------------------------------------------------------------------
# stress_or_poor_sleep
# --------------------------------------------------------------------------
def _above_usual(activities: pl.DataFrame, quantile: float, min_runs: int) -> set[str]:
    """Runs above the runner's usual intensity: mean HR (or, without HR, mean speed) above their own quantile."""
    runs = activities.filter(running_activity())
    out: set[str] = set()
    for column in ("avg_hr_bpm", "avg_speed_mps"):
        usual = runs.filter(pl.col(column).is_not_null()).with_columns(
            pl.col(column).quantile(quantile, "linear").over("athlete").alias("_usual"),
            pl.len().over("athlete").alias("_n"),
        )
        if column == "avg_speed_mps":  # speed only stands in where the run has no heart rate
            usual = usual.filter(pl.col("avg_hr_bpm").is_null())
        hard = usual.filter((pl.col("_n") >= min_runs) & (pl.col(column) > pl.col("_usual")))
        out.update(hard["activity_id"].to_list())
    return out


def stress_or_poor_sleep(
    journal: pl.DataFrame,
    activities: pl.DataFrame,
    load_flags: pl.DataFrame | None,
    wellness: pl.DataFrame | None = None,
    *,
    short_sleep_h: float = 7.0,
    poor_sleep_quality: int = 2,
    high_stress: int = 4,
    poor_sleep_score: float = 60.0,
    high_device_stress: float = 51.0,
    usual_quantile: float = 0.8,
    min_runs: int = 5,
) -> pl.DataFrame:
    """A hard or long run on a day logged with short or poor sleep or high stress.

    A run counts as hard or long when a load rule flagged it (its
    ``activity_id``, or a flag without ``activity_id`` on the run's day, such
    as too few rest days), when it falls in an ISO week flagged by one of the weekly
    rules in :data:`WEEK_RULES` (their flags are dated the week's Monday), or
    when its mean heart rate (without heart rate: mean speed) is above the
    runner's own ``usual_quantile`` of their runs (needs ``min_runs`` runs).
    The day's wellness is the worst of that day's entries: fewest ``sleep_h``,
    lowest ``sleep_quality``, highest ``stress``.  For a day without a journal
    entry, the watch's night and day count instead (``wellness``: Garmin's
    hours asleep, sleep score and average stress); the journal wins where the
    runner logged the day.

    Parameters
    ----------
    journal, activities
        :data:`runback.schema.JOURNAL` and :data:`runback.schema.ACTIVITIES` frames.
    load_flags
        :data:`runback.schema.FLAGS` frame of the load rules (None: none).
    wellness
        :data:`runback.schema.WELLNESS` frame from the device (None: none).
    short_sleep_h
        Sleep under this many hours counts as short.  Default 7.
    poor_sleep_quality
        Sleep quality (1-5) at or below this is the worst band.  Default 2 (poor, very poor).
    high_stress
        Stress (1-5) at or above this is the worst band.  Default 4 (high, very high).
    poor_sleep_score
        A device sleep score (0-100) under this is poor sleep.  Default 60 (Garmin calls
        scores under 60 poor).
    high_device_stress
        A device's average stress of the day (0-100) at or above this is high stress.
        Default 51 (Garmin's medium and high bands, 51-100, for a whole day's average).
    usual_quantile
        The runner's usual intensity, as a quantile of their runs.  Default 0.8 (heuristic).
    min_runs
        Runs needed before "usual intensity" means anything.  Default 5.

    Returns
    -------
    pl.DataFrame
        :data:`runback.schema.FLAGS`, band ``present``; ``value``/``threshold``
        the first signal found: sleep hours vs ``short_sleep_h``, else sleep
        quality vs ``poor_sleep_quality``, else stress vs ``high_stress``.

    References
    ----------
    ``docs/evidence.md``, rule ``stress_or_poor_sleep`` (Dutch physiotherapy guidance; Saw 2016, Milewski 2014; weak-moderate).
    """
    logged = (
        journal.group_by("athlete", "date")
        .agg(pl.col("sleep_h").min(), pl.col("sleep_quality").min(), pl.col("stress").max())
    )
    by_day = {(r["athlete"], r["date"]): r for r in logged.iter_rows(named=True)}
    if wellness is not None:
        for r in wellness.iter_rows(named=True):
            # the journal wins: the watch speaks only for days the runner did not log
            by_day.setdefault((r["athlete"], r["date"]), {
                "sleep_h": None, "sleep_quality": None, "stress": None,
                "device_sleep_h": r["sleep_h"], "sleep_score": r["sleep_score"], "stress_avg": r["stress_avg"],
            })
    flagged_by: dict[str, set[str]] = defaultdict(set)
    day_rules: dict[tuple[str, dt.date], set[str]] = defaultdict(set)
    week_rules: dict[tuple[str, dt.date], set[str]] = defaultdict(set)
    if load_flags is not None:
        for f in load_flags.filter(~pl.col("rule").is_in(PAIN_RULES)).iter_rows(named=True):
            if f["activity_id"] is not None:
                flagged_by[f["activity_id"]].add(f["rule"])
            elif f["rule"] in WEEK_RULES:
                week_rules[(f["athlete"], monday(f["date"]))].add(f["rule"])
            else:
                day_rules[(f["athlete"], f["date"])].add(f["rule"])
    hard = _above_usual(activities, usual_quantile, min_runs)

    rows = []
    for run in _runs(activities):
        w = by_day.get((run.athlete, run.date))
        if w is None:
            continue
        rules = sorted(flagged_by.get(run.activity_id, set()) | day_rules.get((run.athlete, run.date), set()))
        weekly = sorted(week_rules.get((run.athlete, monday(run.date)), set()))
        if not rules and not weekly and run.activity_id not in hard:
            continue
        signals: list[tuple[float, float, str, str]] = []
        if w["sleep_h"] is not None and w["sleep_h"] < short_sleep_h:
            signals.append((w["sleep_h"], short_sleep_h, f"short sleep ({w['sleep_h']:g} h, under {short_sleep_h:g} h)",
                            f"weinig slaap ({fmt_g(w['sleep_h'], 'nl')} uur, minder dan {fmt_g(short_sleep_h, 'nl')} uur)"))
        if w["sleep_quality"] is not None and w["sleep_quality"] <= poor_sleep_quality:
            signals.append((w["sleep_quality"], poor_sleep_quality, f"poor sleep quality ({w['sleep_quality']}/5)",
                            f"slecht geslapen (slaapkwaliteit {w['sleep_quality']}/5)"))
        if w["stress"] is not None and w["stress"] >= high_stress:
            signals.append((w["stress"], high_stress, f"high stress ({w['stress']}/5)",
                            f"veel stress ({w['stress']}/5)"))
        device_h, score, stress = w.get("device_sleep_h"), w.get("sleep_score"), w.get("stress_avg")
        if device_h is not None and device_h < short_sleep_h:
            signals.append((device_h, short_sleep_h,
                            f"short sleep on your watch ({device_h:.1f} h, under {short_sleep_h:g} h)",
                            f"weinig slaap volgens je horloge ({fmt_g(round(device_h, 1), 'nl')} uur, minder dan "
                            f"{fmt_g(short_sleep_h, 'nl')} uur)"))
        if score is not None and score < poor_sleep_score:
            signals.append((score, poor_sleep_score, f"a sleep score of {score:g} on your watch (under {poor_sleep_score:g})",
                            f"een slaapscore van {fmt_g(score, 'nl')} op je horloge (onder {fmt_g(poor_sleep_score, 'nl')})"))
        if stress is not None and stress >= high_device_stress:
            signals.append((stress, high_device_stress, f"a stress level of {stress:g} on your watch (0-100)",
                            f"een stressniveau van {fmt_g(stress, 'nl')} op je horloge (0-100)"))
        if not signals:
            continue
        logged_or_measured = "logged" if device_h is None and score is None and stress is None else "recorded"
        why_en = [rule_words(r)[0] for r in rules]
        why_nl = [rule_words(r)[1] for r in rules]
        if weekly:
            why_en.append(f"in a week with {' and '.join(rule_words(r)[0] for r in weekly)}")
            why_nl.append(f"in een week met {' en '.join(rule_words(r)[1] for r in weekly)}")
        if run.activity_id in hard:
            why_en.append("harder than your usual runs")
            why_nl.append("zwaarder dan je gewoonlijk loopt")
        rows.append({
            "athlete": run.athlete, "date": run.date, "activity_id": run.activity_id,
            "rule": STRESS_OR_POOR_SLEEP.id, "band": "present",
            "value": float(signals[0][0]), "threshold": float(signals[0][1]), "baseline": None,
            "message_en": (
                f"You {logged_or_measured} {' and '.join(s[2] for s in signals)} on the day of this run. What made it a "
                f"hard or long session: {'; '.join(why_en)}. With a lot of stress or poor sleep, the advice is "
                "to train anyway but at a lower intensity."
            ),
            "message_nl": (
                f"Je noteerde {' en '.join(s[3] for s in signals)} op de dag van deze loop. Waarom dit een "
                f"zware of lange training was: {'; '.join(why_nl)}. Het advies bij veel stress of slecht "
                "slapen: train wel, maar met een lagere intensiteit."
            ),
            "evidence": STRESS_OR_POOR_SLEEP.evidence["en"],
        })
    return _flags(rows)


STRESS_OR_POOR_SLEEP = Rule(
    id="stress_or_poor_sleep",
    kind="journal",
    function=stress_or_poor_sleep,
    inputs=("journal", "activities", "load_flags", "wellness"),
    label={
        "en": "Hard session with high stress or poor sleep",
        "nl": "Zware training bij veel stress of slecht slapen",
    },
    phrase={"en": "a hard session with poor sleep or high stress", "nl": "een zware training bij slecht slapen of veel stress"},
    advice={
        "en": "With a lot of stress or poor sleep you can keep training, but at a lower intensity.",
        "nl": "Bij veel stress of slecht slapen kun je blijven trainen, maar op een lagere intensiteit.",
    },
    evidence={
        "en": "Dutch physiotherapy guidance: with a lot of stress or poor sleep, train anyway but at a lower intensity. Subjective "
        "wellness tracks training load (Saw et al., BJSM 2016); short sleep went with more injuries in "
        "young athletes (Milewski et al. 2014, RR 1.7). Evidence: weak-moderate.",
        "nl": "Nederlands fysiotherapeutisch advies (bij stress of slecht slapen op lagere intensiteit). Subjectief welzijn volgt "
        "de belasting (Saw e.a., BJSM 2016); kort slapen en blessures bij jonge sporters (Milewski 2014, RR 1,7). "
        "Bewijs: zwak tot matig.",
    },
    strength="weak-moderate",
    bands={"present": Band({"en": "present", "nl": "aanwezig"})},
    severity=3,
    aliases={"min_runs_for_usual": "min_runs"},
)


# --------------------------------------------------------------------------
# pain_high
# --------------------------------------------------------------------------
_SEVERE_ADVICE_EN = (
    "Ease off: run shorter and slower, or take a few days off running, but keep moving (walking, "
    "everyday activity). Pain this high, or pain that lasts more than a month: see a physiotherapist."
)
_SEVERE_ADVICE_NL = (
    "Doe het rustiger aan: loop korter en langzamer, of sla een paar dagen hardlopen over, maar blijf "
    "bewegen (wandelen, dagelijkse activiteit). Bij pijn die zo hevig is, of die langer dan een maand "
    "duurt: ga naar een fysiotherapeut."
)


def pain_high(
    journal: pl.DataFrame,
    *,
    high_pain: int = 7,
    high_pain_often: int = 5,
    high_pain_often_days: int = 3,
    high_pain_window_days: int = 7,
) -> pl.DataFrame:
    """High back pain: any entry at ``high_pain`` (7) or more, or ``high_pain_often`` (5) or more on 3 of 7 days.

    Every entry counts, whatever its timing (``other`` included): the rule is
    about the pain itself, not about a run.  Band ``severe``: one flag per day
    whose highest entry is at least ``high_pain``; ``value`` that pain,
    ``threshold`` ``high_pain``.  Band ``often``: the first day on which at
    least ``high_pain_often_days`` of the ``high_pain_window_days`` days up to
    it had a highest entry of ``high_pain_often`` or more; ``value`` that number
    of days, ``threshold`` ``high_pain_often_days``, ``baseline`` the highest
    pain of those days.  A new ``often`` flag needs a full window without one
    before it, and a day already flagged ``severe`` gets no ``often`` flag.

    Parameters
    ----------
    journal
        :data:`runback.schema.JOURNAL` frame.
    high_pain
        NRS points from which one entry counts as severe.  Default 7 (7-10 is
        the severe end of the 0-10 scale).
    high_pain_often, high_pain_often_days, high_pain_window_days
        Pain of at least ``high_pain_often`` points on ``high_pain_often_days``
        days of a window of ``high_pain_window_days`` days.  Defaults 5, 3, 7.

    Returns
    -------
    pl.DataFrame
        :data:`runback.schema.FLAGS`, ``activity_id`` null, sorted by athlete and date.

    References
    ----------
    ``docs/evidence.md``, rule ``pain_high`` (Dutch physiotherapy guidance; advice, not a study).
    """
    daily = daily_pain(journal)
    rows = []
    for (athlete,), days in daily.group_by("athlete", maintain_order=True):
        logged = list(zip(days["date"].to_list(), days["pain"].to_list()))
        last_often: dt.date | None = None
        for i, (day, pain) in enumerate(logged):
            if pain >= high_pain:
                rows.append({
                    "athlete": athlete, "date": day, "activity_id": None, "rule": PAIN_HIGH.id, "band": "severe",
                    "value": float(pain), "threshold": float(high_pain), "baseline": None,
                    "message_en": f"On {fmt_date(day, 'en')} you logged back pain {pain}/10: that is severe pain. "
                    + _SEVERE_ADVICE_EN,
                    "message_nl": f"Op {fmt_date(day, 'nl')} noteerde je rugpijn {pain}/10: dat is hevige pijn. "
                    + _SEVERE_ADVICE_NL,
                    "evidence": PAIN_HIGH.evidence["en"],
                })
                continue
            if pain < high_pain_often:
                continue
            start = day - dt.timedelta(days=high_pain_window_days - 1)
            window = [p for d, p in logged[: i + 1] if d >= start and p >= high_pain_often]
            if len(window) < high_pain_often_days:
                continue
            if last_often is not None and (day - last_often).days < high_pain_window_days:
                continue
            last_often = day
            n, top = len(window), max(window)
            rows.append({
                "athlete": athlete, "date": day, "activity_id": None, "rule": PAIN_HIGH.id, "band": "often",
                "value": float(n), "threshold": float(high_pain_often_days), "baseline": float(top),
                "message_en": (
                    f"In the {high_pain_window_days} days up to {fmt_date(day, 'en')} you logged back pain "
                    f"of {high_pain_often}/10 or more on {n} days (up to {top}/10). " + _SEVERE_ADVICE_EN
                ),
                "message_nl": (
                    f"In de {high_pain_window_days} dagen tot en met {fmt_date(day, 'nl')} noteerde je op "
                    f"{n} dagen rugpijn van {high_pain_often}/10 of meer (tot {top}/10). " + _SEVERE_ADVICE_NL
                ),
                "evidence": PAIN_HIGH.evidence["en"],
            })
    return _flags(rows)


PAIN_HIGH = Rule(
    id="pain_high",
    kind="journal",
    function=pain_high,
    inputs=("journal",),
    label={"en": "High back pain", "nl": "Hevige rugpijn"},
    phrase={"en": "high back pain", "nl": "hevige rugpijn"},
    advice={
        "en": "Ease off, but keep moving; with severe pain, or pain that lasts more than a month, see a "
        "physiotherapist.",
        "nl": "Doe het rustiger aan, maar blijf bewegen; bij hevige pijn, of pijn die langer dan een maand "
        "duurt, ga naar een fysiotherapeut.",
    },
    evidence={
        "en": "Dutch physiotherapy guidance: with back pain, keep moving but ease off (lower distance or "
        "intensity); when the pain is severe or lasts more than a month, see a physiotherapist. The cut-offs "
        "(7 or more on the 0-10 scale on any entry, or 5 or more on 3 of 7 days) put 'severe' into numbers "
        "on the usual reading of the 0-10 scale (7-10 severe); no study of runners sets them. Evidence: "
        "physiotherapy advice, not a study.",
        "nl": "Nederlands fysiotherapeutisch advies: blijf bewegen bij rugpijn, maar doe het rustiger aan; bij "
        "hevige pijn of pijn die langer dan een maand duurt: ga naar een fysiotherapeut. De grenzen (7 of meer "
        "op de schaal van 0 tot 10, of 5 of meer op 3 van de 7 dagen) volgen de gangbare lezing van die "
        "schaal (7-10 hevig); geen onderzoek onder hardlopers legt ze vast. Bewijs: advies, geen onderzoek.",
    },
    strength="physiotherapy advice, not a study",
    bands={
        "severe": Band({"en": "severe (7 or more)", "nl": "hevig (7 of meer)"}, severity=2),
        "often": Band({"en": "5 or more on several days", "nl": "op meerdere dagen 5 of meer"}, severity=1),
    },
    severity=8,
    about_pain=True,
    leads=True,
)


# --------------------------------------------------------------------------
# pain_rising
# --------------------------------------------------------------------------
def pain_rising(
    journal: pl.DataFrame,
    *,
    rising_points: float = 2.0,
    rising_fraction: float = 0.30,
    rising_window_days: int = 7,
) -> pl.DataFrame:
    """Back pain rising over days: the last week's mean against the week before.

    On each day d with a pain entry: the mean of the daily highest pain over
    the ``rising_window_days`` days up to d, against the mean over the
    ``rising_window_days`` days before them (both need an entry).  It counts
    as rising when the rise is at least ``rising_points``, or at least
    ``rising_fraction`` of a non-zero earlier mean and at least 1 point (the
    smallest change that matters on the 0-10 scale, Ostelo et al. 2008; the
    coach overview's pain trend uses the same test).  One flag per rise: a
    new flag needs a day that was not rising in between.

    Parameters
    ----------
    journal
        :data:`runback.schema.JOURNAL` frame.
    rising_points
        Smallest rise that matters, NRS points.  Default 2 (Ostelo 2008).
    rising_fraction
        Or this fraction of the earlier mean (with at least 1 point).  Default 0.30 (Ostelo 2008).
    rising_window_days
        Length of each of the two windows, days.  Default 7.

    Returns
    -------
    pl.DataFrame
        :data:`runback.schema.FLAGS`, band ``rising``, ``activity_id`` null;
        ``value`` the rise (points), ``threshold`` the rise that counted for
        that baseline, ``baseline`` the earlier week's mean.

    References
    ----------
    ``docs/evidence.md``, rule ``pain_rising`` (Ostelo et al. 2008; moderate for the instrument).
    """
    daily = daily_pain(journal)
    window = dt.timedelta(days=rising_window_days)
    rows = []
    for (athlete,), days in daily.group_by("athlete", maintain_order=True):
        logged = list(zip(days["date"].to_list(), days["pain"].to_list()))
        rising_before = False
        for day, _ in logged:
            now = [p for d, p in logged if day - window < d <= day]
            then = [p for d, p in logged if day - 2 * window < d <= day - window]
            if not then:
                rising_before = False
                continue
            mean_now, mean_then = sum(now) / len(now), sum(then) / len(then)
            rise = mean_now - mean_then
            threshold = rising_points if mean_then <= 0 else max(1.0, min(rising_points, rising_fraction * mean_then))
            rising = rise >= threshold - 1e-9
            if rising and not rising_before:
                rows.append({
                    "athlete": athlete, "date": day, "activity_id": None, "rule": PAIN_RISING.id, "band": "rising",
                    "value": round(rise, 2), "threshold": round(threshold, 2), "baseline": round(mean_then, 2),
                    "message_en": (
                        f"Your back pain is rising: over the {rising_window_days} days up to "
                        f"{fmt_date(day, 'en')} it averaged {fmt_g(round(mean_now, 1), 'en')}/10, "
                        f"{fmt_g(round(rise, 1), 'en')} points more than the {rising_window_days} days before "
                        f"({fmt_g(round(mean_then, 1), 'en')}/10). A change of {fmt_g(rising_points, 'en')} points or "
                        f"{rising_fraction:.0%} is the smallest that matters to people. Ease off for a while: run "
                        f"shorter or slower. {_KEEP_MOVING_EN} If it keeps rising, is severe or lasts more than a "
                        "month: see a physiotherapist."
                    ),
                    "message_nl": (
                        f"Je rugpijn neemt toe: in de {rising_window_days} dagen tot en met "
                        f"{fmt_date(day, 'nl')} was hij gemiddeld {fmt_g(round(mean_now, 1), 'nl')}/10, "
                        f"{fmt_g(round(rise, 1), 'nl')} punten meer dan in de {rising_window_days} dagen "
                        f"ervoor ({fmt_g(round(mean_then, 1), 'nl')}/10). Een verandering van "
                        f"{fmt_g(rising_points, 'nl')} punten of {rising_fraction:.0%} is de kleinste die voor "
                        f"mensen verschil maakt. Doe het een tijdje rustiger aan: loop korter of langzamer. "
                        f"{_KEEP_MOVING_NL} Blijft hij stijgen, is hij hevig of duurt hij langer dan een maand: "
                        "ga naar een fysiotherapeut."
                    ),
                    "evidence": PAIN_RISING.evidence["en"],
                })
            rising_before = rising
    return _flags(rows)


PAIN_RISING = Rule(
    id="pain_rising",
    kind="journal",
    function=pain_rising,
    inputs=("journal",),
    label={"en": "Back pain rising over days", "nl": "Rugpijn neemt toe"},
    phrase={"en": "back pain rising over days", "nl": "toenemende rugpijn"},
    advice={
        "en": "Ease off for a while and keep moving; if the pain keeps rising, is severe or lasts more than a "
        "month, see a physiotherapist.",
        "nl": "Doe het een tijdje rustiger aan en blijf bewegen; blijft de pijn stijgen, is hij hevig of duurt "
        "hij langer dan een maand, ga dan naar een fysiotherapeut.",
    },
    evidence={
        "en": "Dutch physiotherapy guidance: with back pain, keep moving but ease off; see a physiotherapist "
        "when it is severe or lasts more than a month. The smallest change on the 0-10 pain scale that "
        "matters to people is 2 points or 30% (Ostelo et al. 2008); here it is applied to the mean of a week "
        "against the week before. Evidence: moderate for the instrument.",
        "nl": "Nederlands fysiotherapeutisch advies: blijf bewegen bij rugpijn maar doe het rustiger aan; bij "
        "hevige of langer dan een maand durende pijn: naar een fysiotherapeut. Kleinste belangrijke "
        "verandering op de pijnschaal van 0 tot 10: 2 punten of 30% (Ostelo e.a. 2008), hier toegepast op het "
        "weekgemiddelde tegenover de week ervoor. Bewijs voor het meetinstrument: matig.",
    },
    strength="moderate for the instrument",
    bands={"rising": Band({"en": "rising", "nl": "stijgend"})},
    severity=7,
    about_pain=True,
    leads=True,
)


# --------------------------------------------------------------------------
# all of them
# --------------------------------------------------------------------------
def pain_flags(
    journal: pl.DataFrame | None,
    *,
    activities: pl.DataFrame,
    load_flags: pl.DataFrame | None = None,
    daily: pl.DataFrame | None = None,
    wellness: pl.DataFrame | None = None,
    fine_max: int = 3,
    too_much_above: int = 5,
    next_morning_points: float = 2.0,
    next_morning_fraction: float = 0.30,
    lookback_days: int = 7,
    persistent_days: int = 28,
    episode_gap_days: int = 7,
    improvement_points: int = 2,
    improvement_window_days: int = 14,
    high_pain: int = 7,
    high_pain_often: int = 5,
    high_pain_often_days: int = 3,
    high_pain_window_days: int = 7,
    rising_points: float = 2.0,
    rising_fraction: float = 0.30,
    rising_window_days: int = 7,
    short_sleep_h: float = 7.0,
    poor_sleep_quality: int = 2,
    high_stress: int = 4,
    poor_sleep_score: float = 60.0,
    high_device_stress: float = 51.0,
    usual_quantile: float = 0.8,
    min_runs_for_usual: int = 5,
) -> pl.DataFrame:
    """All journal rules: ``pain_during_run``, ``pain_next_morning``, ``pain_persistent``, ``pain_high``,
    ``pain_rising``, ``stress_or_poor_sleep``.

    Parameters
    ----------
    journal
        :data:`runback.schema.JOURNAL` frame (None: no flags).
    activities
        :data:`runback.schema.ACTIVITIES` frame.
    load_flags
        The load rules' :data:`runback.schema.FLAGS` frame; sessions it flags count as hard or long
        for ``stress_or_poor_sleep``.
    daily
        The daily load frame; accepted so :func:`runback.flags` can pass it, not needed by these rules.
    fine_max, too_much_above
        See :func:`pain_during_run`.
    next_morning_points, next_morning_fraction, lookback_days
        See :func:`pain_next_morning` (``min_points``, ``min_fraction``, ``lookback_days``).
    persistent_days, episode_gap_days, improvement_points, improvement_window_days
        See :func:`pain_persistent` (``min_days``, ``gap_days``, ``improvement_points``, ``window_days``).
    high_pain, high_pain_often, high_pain_often_days, high_pain_window_days
        See :func:`pain_high`.
    rising_points, rising_fraction, rising_window_days
        See :func:`pain_rising`.
    wellness
        The device's nights and days (:data:`runback.schema.WELLNESS`), for ``stress_or_poor_sleep``.
    short_sleep_h, poor_sleep_quality, high_stress, poor_sleep_score, high_device_stress, usual_quantile,
    min_runs_for_usual
        See :func:`stress_or_poor_sleep`.

    Returns
    -------
    pl.DataFrame
        Exactly :data:`runback.schema.FLAGS` columns, sorted by athlete, date, rule.

    References
    ----------
    ``docs/evidence.md``: rules ``pain_during_run``, ``pain_next_morning``, ``pain_persistent``,
    ``pain_high``, ``pain_rising``, ``stress_or_poor_sleep``.
    """
    del daily  # part of the contract with runback.flags; the journal rules need only activities
    given = dict(locals())  # the thresholds, by the names runback.flags takes
    if journal is None and (wellness is None or wellness.is_empty()):
        return schema.empty(schema.FLAGS)
    frames = {
        "journal": schema.conform(journal if journal is not None else schema.empty(schema.JOURNAL), schema.JOURNAL),
        "activities": schema.conform(activities, schema.ACTIVITIES),
        "load_flags": load_flags,
        "wellness": None if wellness is None else schema.conform(wellness, schema.WELLNESS),
    }
    parts = [rule.run(frames, {k: v for k, v in given.items() if k in rule.params}) for rule in JOURNAL_RULES]
    return pl.concat(parts).sort(["athlete", "date", "rule", "activity_id"], nulls_last=False)


#: the journal rules, in the order runback.flags runs them
JOURNAL_RULES: tuple[Rule, ...] = (
    PAIN_DURING_RUN, PAIN_NEXT_MORNING, PAIN_PERSISTENT, PAIN_HIGH, PAIN_RISING, STRESS_OR_POOR_SLEEP
)

PAIN_RULES: tuple[str, ...] = tuple(rule.id for rule in JOURNAL_RULES)
"""The rule ids this module raises."""

WEEK_RULES: tuple[str, ...] = tuple(rule.id for rule in LOAD_RULES if rule.week_rule)
"""Load rules about a whole ISO week: their flags are dated the week's Monday, with no activity_id."""

EVIDENCE: dict[str, str] = {rule.id: rule.evidence["en"] for rule in JOURNAL_RULES}
"""The guidance and studies behind each journal rule, with their strength (English)."""

LOAD_RULE_LABELS: dict[str, tuple[str, str]] = {
    rule.id: (rule.phrase["en"], rule.phrase["nl"]) for rule in (*LOAD_RULES, STRESS_OR_POOR_SLEEP)
}
"""Plain (English, Dutch) words for the load rules (and the stress and sleep rule), to use inside a sentence."""

_PHRASES = {rule.id: rule.phrase for rule in (*LOAD_RULES, *JOURNAL_RULES)}
