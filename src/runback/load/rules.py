"""The load rules of docs/evidence.md: each a pure function returning a FLAGS frame, and its declaration.

Every function takes frames from :mod:`runback.load.metrics` and returns rows
with exactly the columns of ``schema.FLAGS`` (``value`` a ratio or a count,
``threshold`` the lower edge of the band it fell in, ``baseline`` what it was
compared with).  Thresholds are keyword parameters whose defaults are
docs/evidence.md's; their names are unique across rules, so
:func:`runback.model.flags` can pass ``**thresholds`` through.  Beside each
function, its :class:`runback.registry.Rule` declares what the rest of
runback says about it: labels, messages, advice, evidence, bands, severity.

Messages follow docs/evidence.md ("Wording"): say what was measured and what
groups of runners showed; never say a load caused pain, that a week is safe,
or that the runner is injured; where the evidence is weak, say so.  Advice
follows Dutch physiotherapy guidance: build up gradually, plan rest days,
keep moving.  The Dutch is written as Dutch, not translated word for word.
Messages are polars expressions over the rule's candidate rows (so thousands
of flags cost no Python loop) and receive the thresholds actually used.

A rule needs history to compare with: ``session_spike`` needs the full window
before a run inside the athlete's history, the weekly rules need full ISO
weeks before the week (see :func:`runback.load.weekly_load`).  So the first
weeks of a history raise no jump flags: there is nothing to jump from.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import polars as pl

from runback import schema
from runback.days import week_start
from runback.fmt import cat, fmt_date, fmt_num, km, pct, pick
from runback.load import _segments as seg
from runback.load.pmc import MAX_MONOTONY, acwr, load_column
from runback.registry import Band, Rule

__all__ = [
    "LOAD_RULES",
    "RULES",
    "SPIKES",
    "acwr_rule",
    "intensity_jump",
    "monotony_rule",
    "no_rest",
    "session_spike",
    "session_spikes",
    "weekly_jump",
]

Message = tuple[pl.Expr, pl.Expr]

_BANDS3 = ("small", "moderate", "large")
_EPS = 1e-9
# the change bands of session_spike and intensity_jump: ratio above the previous
_CHANGE_BANDS = {
    "small": Band({"en": "small", "nl": "klein"}, severity=0),
    "moderate": Band({"en": "moderate", "nl": "matig"}, severity=1),
    "large": Band({"en": "large", "nl": "groot"}, severity=2),
}


def _finish(df: pl.DataFrame, rule: Rule, message: Message, **cols: Any) -> pl.DataFrame:
    """Select the FLAGS columns from a rule's candidate rows.

    ``cols`` maps FLAGS column names to expressions (``activity_id`` and
    ``baseline`` default to null); the id and evidence text are the rule's.
    """
    exprs = {
        **cols,
        "rule": pl.lit(rule.id),
        "message_en": message[0],
        "message_nl": message[1],
        "evidence": pl.lit(rule.evidence["en"]),
    }
    return df.select(
        [
            (exprs[name] if name in exprs else pl.lit(None)).cast(dtype).alias(name)
            for name, dtype in schema.FLAGS.items()
        ]
    )


def _finish_week(
    df: pl.DataFrame, rule: Rule, message: Message, *, value: pl.Expr, baseline: pl.Expr
) -> pl.DataFrame:
    """:func:`_finish` for a rule about an ISO week: dated its Monday, no activity_id."""
    return _finish(
        df,
        rule,
        message,
        athlete=pl.col("athlete"),
        date=pl.col("week_start"),
        band=pl.col("band"),
        value=value,
        threshold=pl.col("threshold"),
        baseline=baseline,
    )


def _band_expr(x: pl.Expr, edges: Sequence[float], names: Sequence[str]) -> tuple[pl.Expr, pl.Expr]:
    """(band name, lower edge) of ``x`` for ascending ``edges``; null up to the first edge.

    A band starts strictly above its edge ("<= 10% none"); the 1e-9 slack keeps a
    ratio like 11 km / 10 km - 1 = 0.10000000000000009 at exactly 10%.
    """
    band: Any = pl.lit(None, pl.String)
    edge: Any = pl.lit(None, pl.Float64)
    for e, name in zip(edges, names, strict=True):
        above = x > e + _EPS
        band = pl.when(above).then(pl.lit(name)).otherwise(band)
        edge = pl.when(above).then(pl.lit(float(e))).otherwise(edge)
    return band, edge

def _check_edges(edges: Sequence[float], name: str) -> None:
    if len(edges) != 3 or list(edges) != sorted(edges):
        raise ValueError(f"{name} must be three ascending ratios, e.g. (0.10, 0.30, 1.00); got {edges!r}")


# --------------------------------------------------------------------------
# session_spike
# --------------------------------------------------------------------------
#: columns of :func:`session_spikes`
SPIKES: dict[str, pl.DataType] = {
    "athlete": pl.String(),
    "activity_id": pl.String(),
    "date": pl.Date(),
    "distance_m": pl.Float64(),
    "baseline_m": pl.Float64(),
    "ratio": pl.Float64(),
    "band": pl.String(),
    "threshold": pl.Float64(),
    "judged": pl.Boolean(),
    "flagged": pl.Boolean(),
}


def session_spikes(
    sessions: pl.DataFrame,
    daily: pl.DataFrame,
    *,
    spike_window_days: int = 30,
    spike_bands: Sequence[float] = (0.10, 0.30, 1.00),
) -> pl.DataFrame:
    """Every run against the longest run of the ``spike_window_days`` days before it.

    The frame the ``session_spike`` rule flags from and the report draws.  The
    window is the calendar days before the run's day (other runs on the same
    day do not count).  A run is ``judged`` when the whole window lies inside
    the athlete's history; before that, ``baseline_m`` is the longest run of
    the days there are (the store does not know what came before).

    Parameters
    ----------
    sessions
        :func:`runback.load.metrics.session_load`.
    daily
        :func:`runback.load.daily_load`.
    spike_window_days
        Length of the comparison window, days.
    spike_bands
        Lower edges of the small, moderate and large bands (ratios).

    Returns
    -------
    pl.DataFrame
        :data:`SPIKES`, one row per run, in the order of ``sessions``:
        ``baseline_m`` the longest run in the window (metres, null without a
        run there), ``ratio = distance_m / baseline_m - 1``, ``band`` one of
        ``no_baseline``, ``none`` (up to the first edge), ``small``,
        ``moderate``, ``large``, ``threshold`` the band's lower edge, and
        ``flagged`` whether the rule flags it (judged, a distance, a band
        other than ``none``).

    References
    ----------
    docs/evidence.md ``session_spike``; Frandsen et al., BJSM 2025.
    """
    _check_edges(spike_bands, "spike_bands")
    if sessions.height == 0 or daily.height == 0:
        return schema.empty(SPIKES)
    i = pl.col("_i")
    before = pl.col("longest_run_m").shift(1)
    base = seg.sort_by_athlete(daily).with_columns(_i=seg.row_index())
    base = base.with_columns(
        # a full window; inside the first window days, every day of the athlete's history before
        _base=pl.when(i >= spike_window_days)
        .then(before.rolling_max(spike_window_days))
        .otherwise(pl.when(i >= 1).then(before).cum_max().over("athlete")),
        _judged=i >= spike_window_days,
    ).select("athlete", "date", "_base", "_judged")
    runs = sessions.filter(pl.col("is_run")).join(base, on=["athlete", "date"], how="left", maintain_order="left")
    has_base = pl.col("_base") > 0
    band, edge = _band_expr(pl.col("ratio"), spike_bands, _BANDS3)
    runs = runs.with_columns(
        baseline_m=pl.when(has_base).then(pl.col("_base")),
        ratio=pl.when(has_base).then(pl.col("distance_m") / pl.col("_base") - 1.0),
        judged=pl.col("_judged").fill_null(False),
    ).with_columns(
        band=pl.when(~has_base.fill_null(False)).then(pl.lit("no_baseline")).otherwise(band.fill_null("none")),
        threshold=edge,
    )
    return runs.with_columns(
        flagged=pl.col("judged") & (pl.col("distance_m") > 0) & (pl.col("band") != "none"),
    ).select([pl.col(c).cast(t) for c, t in SPIKES.items()])


def session_spike_message(
    band: pl.Expr, distance_m: pl.Expr, baseline_m: pl.Expr, ratio: pl.Expr, *, window_days: int
) -> Message:
    """A run compared with the longest run of the previous ``window_days`` days (band ``no_baseline`` without one)."""
    days = str(window_days)
    # band -> range in words and hazard ratio (Frandsen et al. 2025)
    rng_en = pick([(band == "small", "10-30%"), (band == "moderate", "30-100%")], "more than 100%")
    rng_nl = pick([(band == "small", "10 tot 30%"), (band == "moderate", "30 tot 100%")], "meer dan 100%")
    hr_en = pick([(band == "small", "1.6"), (band == "moderate", "1.5")], "2.3")
    hr_nl = pick([(band == "small", "1,6"), (band == "moderate", "1,5")], "2,3")
    en = cat(
        "This ", km(distance_m, "en"), " run was ", pct(ratio), " longer than your longest run in the "
        "previous ", days, " days (", km(baseline_m, "en"), "). In a study of 5,200 runners, runs ", rng_en,
        " longer than the recent longest went with about ", hr_en, " times the rate of running injuries "
        "(anywhere in the body, not only the back) compared with runs at most 10% longer. That is a "
        "pattern in a group, not a verdict on this run; building up long runs step by step is what the "
        "guidance advises.",
    )
    nl = cat(
        "Deze loop van ", km(distance_m, "nl"), " was ", pct(ratio), " langer dan je langste loop in de ",
        days, " dagen ervoor (", km(baseline_m, "nl"), "). In een onderzoek onder 5.200 hardlopers kwamen "
        "blessures (overal in het lichaam, niet alleen in de rug) ongeveer ", hr_nl, " keer zo vaak voor "
        "na lopen die ", rng_nl, " langer waren dan de langste recente loop, vergeleken met lopen die "
        "hooguit 10% langer waren. Dat is een patroon in een groep, geen oordeel over deze loop; het "
        "advies is lange lopen stap voor stap op te bouwen.",
    )
    none_en = cat(
        "You had not run in the ", days, " days before this ", km(distance_m, "en"), " run, so there is no recent "
        "run to compare it with. After a break, the usual advice is to start shorter and build up "
        "distance gradually.",
    )
    none_nl = cat(
        "In de ", days, " dagen voor deze loop van ", km(distance_m, "nl"), " had je niet gelopen, dus er is geen "
        "recente loop om hem mee te vergelijken. Na een pauze is het advies korter te beginnen en de "
        "afstand geleidelijk op te bouwen.",
    )
    no_base = band == "no_baseline"
    return (
        pl.when(no_base).then(none_en).otherwise(en),
        pl.when(no_base).then(none_nl).otherwise(nl),
    )


def session_spike(
    sessions: pl.DataFrame,
    daily: pl.DataFrame,
    *,
    spike_window_days: int = 30,
    spike_bands: Sequence[float] = (0.10, 0.30, 1.00),
) -> pl.DataFrame:
    """Runs much longer than the longest run of the previous 30 days.

    ``value = d_run / max(d of runs in the previous 30 days) - 1``; the window
    is the 30 calendar days before the run's day (other runs on the same day do
    not count).  Bands: <= 10% none, 10-30% small, 30-100% moderate, > 100%
    large.  Where the window holds no run: band ``no_baseline``, no number.
    Runs whose 30-day window reaches before the athlete's first activity are
    not judged (the store does not know what came before).  The rows are the
    ``flagged`` rows of :func:`session_spikes`.

    Parameters
    ----------
    sessions
        :func:`runback.load.metrics.session_load`.
    daily
        :func:`runback.load.daily_load`.
    spike_window_days
        Length of the comparison window, days.
    spike_bands
        Lower edges of the small, moderate and large bands (ratios).

    References
    ----------
    docs/evidence.md ``session_spike``; Frandsen et al., BJSM 2025.
    """
    spikes = session_spikes(sessions, daily, spike_window_days=spike_window_days, spike_bands=spike_bands)
    runs = spikes.filter(pl.col("flagged"))
    message = session_spike_message(
        pl.col("band"), pl.col("distance_m"), pl.col("baseline_m"), pl.col("ratio"), window_days=spike_window_days
    )
    return _finish(
        runs,
        SESSION_SPIKE,
        message,
        athlete=pl.col("athlete"),
        date=pl.col("date"),
        activity_id=pl.col("activity_id"),
        band=pl.col("band"),
        value=pl.col("ratio"),
        threshold=pl.col("threshold"),
        baseline=pl.col("baseline_m"),
    )


SESSION_SPIKE = Rule(
    id="session_spike",
    kind="load",
    function=session_spike,
    inputs=("sessions", "daily"),
    label={"en": "Run much longer than recent runs", "nl": "Loop veel langer dan recente lopen"},
    phrase={"en": "a run much longer than your recent runs", "nl": "een loop veel langer dan je recente lopen"},
    advice={
        "en": "Build up the length of your longest run gradually rather than in one step.",
        "nl": "Bouw de lengte van je langste loop geleidelijk op, niet in één keer.",
    },
    evidence={
        "en": "Dutch physiotherapy guidance: long distances without preparation strain the low back; build up distance gradually. "
        "Frandsen et al., BJSM 2025 (doi 10.1136/bjsports-2024-109380): 5,205 runners, 588,071 sessions; "
        "a run longer than the longest of the previous 30 days went with hazard rate ratios of 1.64 "
        "(1.31-2.05) for 10-30% longer, 1.52 (1.16-2.00) for 30-100% and 2.28 (1.50-3.48) for more than "
        "100%, against at most 10%. Outcome: running-related overuse injury of any site, not back pain "
        "in particular. Strength: moderate.",
        "nl": "Nederlands fysiotherapeutisch advies (lange afstanden zonder voorbereiding). Frandsen e.a., BJSM 2025, 5.205 hardlopers, "
        "588.071 trainingen: hazardratio 1,64 (klein), 1,52 (matig), 2,28 (groot) t.o.v. ≤10%, voor "
        "overbelastingsblessures op elke plek. Bewijs: matig.",
    },
    strength="moderate",
    bands={**_CHANGE_BANDS, "no_baseline": Band({"en": "no baseline", "nl": "geen basis"}, info=True)},
    severity=2,
    ratio=True,
    event="day",
    baseline_unit="m",
)


# --------------------------------------------------------------------------
# weekly_jump
# --------------------------------------------------------------------------
def weekly_jump_message(
    band: pl.Expr,
    week_start: pl.Expr,
    distance_m: pl.Expr,
    previous_m: pl.Expr,
    ratio: pl.Expr,
    vs_3wk: pl.Expr,
    mean_3wk_m: pl.Expr,
) -> Message:
    """A week's running distance compared with the week before (and the 3 weeks before)."""
    ctx_en = (
        pl.when(vs_3wk.is_null())
        .then(pl.lit(""))
        .when(vs_3wk > 0.005)
        .then(cat(", and ", pct(vs_3wk), " more than the mean of the three weeks before (", km(mean_3wk_m, "en"), ")"))
        .otherwise(cat(", but not more than the mean of the three weeks before (", km(mean_3wk_m, "en"), ")"))
    )
    ctx_nl = (
        pl.when(vs_3wk.is_null())
        .then(pl.lit(""))
        .when(vs_3wk > 0.005)
        .then(cat(", en ", pct(vs_3wk), " meer dan gemiddeld in de drie weken daarvoor (", km(mean_3wk_m, "nl"), ")"))
        .otherwise(cat(", maar niet meer dan gemiddeld in de drie weken daarvoor (", km(mean_3wk_m, "nl"), ")"))
    )
    context = band == "context"
    tail_en = pick(
        [
            (
                context,
                "In 874 novice runners, weekly increases of more than 30% went with about 1.6 times the rate "
                "of distance-related injuries, but that difference was not statistically significant, and a "
                "trial of the '10% rule' found no benefit. Shown as context: building up gradually is the "
                "advice, the evidence for a weekly limit is weak.",
            )
        ],
        "Shown for context only: studies of runners found no clear link between weekly increases of this "
        "size and injury.",
    )
    tail_nl = pick(
        [
            (
                context,
                "Bij 874 beginnende hardlopers gingen stijgingen van meer dan 30% per week samen met ongeveer "
                "1,6 keer zo veel blessures door afstand, maar dat verschil was statistisch niet significant, "
                "en in een trial leverde de '10%-regel' geen voordeel op. Ter informatie: geleidelijk opbouwen "
                "is het advies, het bewijs voor een grens per week is zwak.",
            )
        ],
        "Alleen ter informatie: onderzoek onder hardlopers vond geen duidelijk verband tussen zo'n stijging "
        "per week en blessures.",
    )
    en = cat(
        "In the week of ", fmt_date(week_start, "en"), " you ran ", km(distance_m, "en"), ", ", pct(ratio),
        " more than the week before (", km(previous_m, "en"), ")", ctx_en, ". ", tail_en,
    )
    nl = cat(
        "In de week van ", fmt_date(week_start, "nl"), " liep je ", km(distance_m, "nl"), ", ", pct(ratio),
        " meer dan de week ervoor (", km(previous_m, "nl"), ")", ctx_nl, ". ", tail_nl,
    )
    return en, nl


def _lighter_week_message(week_start: pl.Expr, distance_m: pl.Expr, previous_m: pl.Expr, ratio: pl.Expr,
                          mean_m: pl.Expr, *, below: float, weeks: int) -> Message:
    """A rise after a lighter week: a return to the runner's usual distance, not a fast rise."""
    en = cat(
        "In the week of ", fmt_date(week_start, "en"), " you ran ", km(distance_m, "en"), ", ", pct(ratio),
        " more than the week before (", km(previous_m, "en"), f"). That week was a lighter one, at least "
        f"{below:.0%} below your mean of the {weeks} weeks before it (", km(mean_m, "en"), "), and this week "
        "was not far above that mean: a return to your usual distance rather than a fast rise.",
    )
    nl = cat(
        "In de week van ", fmt_date(week_start, "nl"), " liep je ", km(distance_m, "nl"), ", ", pct(ratio),
        " meer dan de week ervoor (", km(previous_m, "nl"), f"). Die week was lichter, minstens {below:.0%} "
        f"onder je gemiddelde van de {weeks} weken daarvoor (", km(mean_m, "nl"), "), en deze week lag niet ver "
        "boven dat gemiddelde: een terugkeer naar je gewone afstand, geen snelle stijging.",
    )
    return en, nl


def weekly_jump(
    weekly: pl.DataFrame,
    *,
    weekly_shown: float = 0.10,
    weekly_context: float = 0.30,
    lighter_week_below: float = 0.30,
    lighter_week_mean_weeks: int = 4,
) -> pl.DataFrame:
    """Weekly running distance rising fast compared with the week before.

    ``value = D_week / D_previous_week - 1`` over ISO weeks; the mean of the 3
    previous weeks is reported alongside in the message.  Bands: 10-30%
    ``shown``, > 30% ``context`` (docs/evidence.md: weak evidence, flagged as
    context).  ``date`` is the Monday of the week; ``baseline`` the previous
    week's distance, metres.

    A rise after a lighter week is band ``return_from_lighter_week`` (shown,
    not counted as a flag that fired): the previous week was at least
    ``lighter_week_below`` (30%) below the runner's mean of the
    ``lighter_week_mean_weeks`` (4) full weeks before it (at least 2 of them
    inside the history), and this week is not more than ``weekly_context``
    above that mean.  A recovery or holiday week followed by the usual
    distance is not a fast rise; a week far above the usual distance still is.

    References
    ----------
    docs/evidence.md ``weekly_jump``; Nielsen et al. 2014; Buist et al. 2008.
    """
    if weekly.height == 0:
        return schema.empty(schema.FLAGS)
    band, edge = _band_expr(pl.col("run_distance_change"), (weekly_shown, weekly_context), ("shown", "context"))
    d, i = pl.col("run_distance_m"), pl.col("_i")
    full = pl.col("days_covered") == 7
    # the usual distance before the previous week: its full weeks among the `lighter_week_mean_weeks` before it
    usual = [pl.when(seg.shift(full, k, i).fill_null(False)).then(seg.shift(d, k, i))
             for k in range(2, 2 + lighter_week_mean_weeks)]
    w = seg.sort_by_athlete(weekly, "week_start").with_columns(_i=seg.row_index()).with_columns(
        _usual_n=pl.sum_horizontal([u.is_not_null().cast(pl.Int32) for u in usual]),
        _usual=pl.mean_horizontal(usual),
    )
    hits = w.with_columns(band=band, threshold=edge).filter(pl.col("band").is_not_null())
    hits = hits.with_columns(
        _prev=pl.col("run_distance_m") / (1.0 + pl.col("run_distance_change")),
        _mean3=pl.col("run_distance_m") / (1.0 + pl.col("run_distance_vs_3wk")),
    )
    lighter = (
        (pl.col("_usual_n") >= 2)
        & (pl.col("_prev") <= (1.0 - lighter_week_below) * pl.col("_usual") + _EPS)
        & (pl.col("run_distance_m") <= (1.0 + weekly_context) * pl.col("_usual") + _EPS)
    ).fill_null(False)
    hits = hits.with_columns(band=pl.when(lighter).then(pl.lit("return_from_lighter_week")).otherwise(pl.col("band")))
    jump_en, jump_nl = weekly_jump_message(
        pl.col("band"),
        pl.col("week_start"),
        pl.col("run_distance_m"),
        pl.col("_prev"),
        pl.col("run_distance_change"),
        pl.col("run_distance_vs_3wk"),
        pl.col("_mean3"),
    )
    back_en, back_nl = _lighter_week_message(
        pl.col("week_start"), pl.col("run_distance_m"), pl.col("_prev"), pl.col("run_distance_change"),
        pl.col("_usual"), below=lighter_week_below, weeks=lighter_week_mean_weeks,
    )
    message = (pl.when(lighter).then(back_en).otherwise(jump_en), pl.when(lighter).then(back_nl).otherwise(jump_nl))
    return _finish_week(hits, WEEKLY_JUMP, message, value=pl.col("run_distance_change"), baseline=pl.col("_prev"))


WEEKLY_JUMP = Rule(
    id="weekly_jump",
    kind="load",
    function=weekly_jump,
    inputs=("weekly",),
    label={"en": "Weekly distance rising fast", "nl": "Weekafstand stijgt snel"},
    phrase={"en": "weekly distance rising fast", "nl": "een snel stijgende weekafstand"},
    advice={
        "en": "Build up your weekly distance gradually and plan enough rest days.",
        "nl": "Bouw je weekafstand geleidelijk op en plan genoeg rustdagen.",
    },
    evidence={
        "en": "Dutch physiotherapy guidance: build up distance gradually. Nielsen et al., JOSPT 2014, 874 novice runners: weekly "
        "increases over 30% vs under 10% gave HR 1.59 (0.96-2.66) for distance-related injuries, not "
        "statistically significant. The '10% rule' showed no benefit in a trial (Buist et al., AJSM 2008: "
        "20.8% vs 20.3% injured). Frandsen et al. 2025 found no relation for the week-to-week ratio. "
        "Strength: weak; shown as context.",
        "nl": "Nederlands fysiotherapeutisch advies (geleidelijk opbouwen). Nielsen e.a., JOSPT 2014, 874 beginners: >30% gaf HR 1,59 "
        "(0,96–2,66), niet significant; de '10%-regel' hielp niet in een trial (Buist e.a. 2008); Frandsen 2025 "
        "vond geen verband met de weekratio. Bewijs: zwak.",
    },
    strength="weak",
    bands={
        "shown": Band({"en": "shown", "nl": "getoond"}, info=True),
        "context": Band({"en": "context", "nl": "context"}),
        "return_from_lighter_week": Band(
            {"en": "return from a lighter week", "nl": "terug na een lichtere week"}, info=True
        ),
    },
    severity=1,
    week_rule=True,
    ratio=True,
    event="week",
    baseline_unit="m",
)


# --------------------------------------------------------------------------
# intensity_jump
# --------------------------------------------------------------------------
def intensity_jump_message(
    week_start: pl.Expr, measure: pl.Expr, value: pl.Expr, baseline: pl.Expr, ratio: pl.Expr
) -> Message:
    """A week's intensity compared with the mean of the 3 weeks before.

    ``measure`` holds ``"high_intensity_min"`` or ``"trimp_per_km"``.
    """
    tpk = measure == "trimp_per_km"
    what_en = (
        pl.when(tpk)
        .then(
            cat(
                "your heart-rate load per km (TRIMP per km) was ", fmt_num(value, "en"), ", ", pct(ratio),
                " higher than the mean of the three weeks before (", fmt_num(baseline, "en"), ")",
            )
        )
        .otherwise(
            cat(
                "you ran ", fmt_num(value, "en", 0), " minutes in heart-rate zones 4-5 (or faster than your "
                "threshold pace where there was no heart rate), ", pct(ratio), " more than the mean of the "
                "three weeks before (", fmt_num(baseline, "en", 0), " min)",
            )
        )
    )
    what_nl = (
        pl.when(tpk)
        .then(
            cat(
                "was je hartslagbelasting per km (TRIMP per km) ", fmt_num(value, "nl"), ", ", pct(ratio),
                " hoger dan gemiddeld in de drie weken daarvoor (", fmt_num(baseline, "nl"), ")",
            )
        )
        .otherwise(
            cat(
                "liep je ", fmt_num(value, "nl", 0), " minuten in hartslagzone 4-5 (of sneller dan je "
                "drempeltempo waar geen hartslag was), ", pct(ratio), " meer dan gemiddeld in de drie weken "
                "daarvoor (", fmt_num(baseline, "nl", 0), " min)",
            )
        )
    )
    en = cat(
        "In the week of ", fmt_date(week_start, "en"), " ", what_en, ". There is no direct evidence linking "
        "faster intensity increases to back pain; this flag is a rule of thumb from the advice to raise "
        "intensity gradually (faster running does compress the spinal discs more). Building up intensity "
        "step by step is the advice.",
    )
    nl = cat(
        "In de week van ", fmt_date(week_start, "nl"), " ", what_nl, ". Er is geen direct bewijs dat een snelle "
        "stijging in intensiteit samengaat met rugpijn; deze melding is een vuistregel, gebaseerd op het "
        "advies de intensiteit geleidelijk op te voeren (harder lopen drukt de tussenwervelschijven wel meer "
        "samen). Het advies is de intensiteit stap voor stap op te bouwen.",
    )
    return en, nl


def intensity_jump(
    weekly: pl.DataFrame,
    *,
    intensity_bands: Sequence[float] = (0.10, 0.30, 1.00),
    intensity_min_baseline_min: float = 10.0,
    intensity_min_rise_min: float = 20.0,
    intensity_min_rise_trimp_per_km: float = 2.0,
) -> pl.DataFrame:
    """Weekly intensity rising fast compared with the mean of the 3 weeks before.

    Two measures, each ``this week / mean of the 3 previous full weeks - 1``:
    minutes in heart-rate zones 4-5 (minutes faster than threshold pace for
    runs without heart rate; ``high_intensity_min``), and Banister TRIMP per km.
    A measure counts only when it also rose by an absolute amount: at least
    ``intensity_min_rise_min`` (20) more minutes than the 3-week mean, or a
    TRIMP per km at least ``intensity_min_rise_trimp_per_km`` (2.0) above it
    (about a fifth of a typical 10-13 TRIMP per km; smaller rises are within a
    runner's week-to-week scatter).  Without it, 15 minutes becoming 20 was a
    "large" 33% rise.  The larger relative rise of the measures that count is
    reported (one row per week).  A minutes baseline below
    ``intensity_min_baseline_min`` is too small to compare with.  Bands as
    ``session_spike``, labelled a heuristic in the message and evidence.
    ``baseline`` is the 3-week mean of the measure reported.

    References
    ----------
    docs/evidence.md ``intensity_jump`` (no direct evidence; weak).
    """
    _check_edges(intensity_bands, "intensity_bands")
    if weekly.height == 0:
        return schema.empty(schema.FLAGS)
    full = pl.col("days_covered") == 7
    i = pl.col("_i")
    full3 = ((i >= 3) & (full.cast(pl.Int32).shift(1).rolling_sum(3) == 3)).fill_null(False)
    hi_mean = pl.col("high_intensity_min").shift(1).rolling_mean(3)
    tpk_mean = pl.col("trimp_per_km").shift(1).rolling_mean(3)
    w = seg.sort_by_athlete(weekly, "week_start").with_columns(_i=seg.row_index()).with_columns(
        _hi_base=pl.when(full3 & (hi_mean >= intensity_min_baseline_min)).then(hi_mean),
        _tpk_base=pl.when(full3 & (tpk_mean > 0)).then(tpk_mean),
    ).with_columns(
        # a relative rise counts only with its absolute rise
        _hi_ratio=pl.when(pl.col("high_intensity_min") - pl.col("_hi_base") >= intensity_min_rise_min - _EPS)
        .then(pl.col("high_intensity_min") / pl.col("_hi_base") - 1.0),
        _tpk_ratio=pl.when(pl.col("trimp_per_km") - pl.col("_tpk_base") >= intensity_min_rise_trimp_per_km - _EPS)
        .then(pl.col("trimp_per_km") / pl.col("_tpk_base") - 1.0),
    )
    use_tpk = pl.col("_tpk_ratio").is_not_null() & (
        pl.col("_hi_ratio").is_null() | (pl.col("_tpk_ratio") > pl.col("_hi_ratio"))
    )
    w = w.with_columns(
        _measure=pl.when(use_tpk).then(pl.lit("trimp_per_km")).otherwise(pl.lit("high_intensity_min")),
        _ratio=pl.when(use_tpk).then(pl.col("_tpk_ratio")).otherwise(pl.col("_hi_ratio")),
        _value=pl.when(use_tpk).then(pl.col("trimp_per_km")).otherwise(pl.col("high_intensity_min")),
        _base=pl.when(use_tpk).then(pl.col("_tpk_base")).otherwise(pl.col("_hi_base")),
    )
    band, edge = _band_expr(pl.col("_ratio"), intensity_bands, _BANDS3)
    hits = w.with_columns(band=band, threshold=edge).filter(pl.col("band").is_not_null())
    message = intensity_jump_message(
        pl.col("week_start"), pl.col("_measure"), pl.col("_value"), pl.col("_base"), pl.col("_ratio")
    )
    return _finish_week(hits, INTENSITY_JUMP, message, value=pl.col("_ratio"), baseline=pl.col("_base"))


INTENSITY_JUMP = Rule(
    id="intensity_jump",
    kind="load",
    function=intensity_jump,
    inputs=("weekly",),
    label={"en": "Intensity rising fast", "nl": "Intensiteit stijgt snel"},
    phrase={"en": "intensity rising fast", "nl": "een snel stijgende intensiteit"},
    advice={
        "en": "Raise intensity slowly: fast running and hard sessions in small steps.",
        "nl": "Verhoog de intensiteit langzaam: snel lopen en zware trainingen in kleine stappen.",
    },
    evidence={
        "en": "Dutch physiotherapy guidance: raising training intensity too fast strains the low back. No direct evidence: "
        "a trial (Ramskov et al. 2018, Run Clever) found no difference between progressing intensity and "
        "volume. Mechanism only: faster running compresses the spinal discs more (Garbutt et al. 1990: "
        "3.4 / 5.1 / 7.7 mm after 30 min at 70 / 85 / 100% of marathon pace). Strength: weak; the bands "
        "are a heuristic borrowed from session_spike.",
        "nl": "Nederlands fysiotherapeutisch advies (intensiteit te snel verhoogd). Geen direct bewijs; Run Clever (Ramskov e.a. "
        "2018) vond geen verschil tussen opbouw in intensiteit of volume. Mechanisme: sneller lopen drukt de "
        "tussenwervelschijven meer samen (Garbutt e.a. 1990). Heuristiek; bewijs: zwak.",
    },
    strength="weak",
    bands=_CHANGE_BANDS,
    severity=1,
    week_rule=True,
    ratio=True,
)


# --------------------------------------------------------------------------
# no_rest
# --------------------------------------------------------------------------
def no_rest_message(start: pl.Expr, days: pl.Expr, ongoing: pl.Expr) -> Message:
    """A run of consecutive running days."""
    n = days.cast(pl.Int64).cast(pl.String)
    en = cat(
        "You ran on ", n, " days in a row", pl.when(ongoing).then(pl.lit(" so far")).otherwise(pl.lit("")),
        ", from ", fmt_date(start, "en"), ", without a rest day. The guidance is to plan enough rest days so "
        "your muscles can recover; there is no study-based number for how many, so take this as a reminder "
        "rather than a warning.",
    )
    nl = cat(
        "Je liep ", n, " dagen achter elkaar", pl.when(ongoing).then(pl.lit(" tot nu toe")).otherwise(pl.lit("")),
        ", vanaf ", fmt_date(start, "nl"), ", zonder rustdag. Het advies is genoeg rustdagen in te plannen "
        "zodat je spieren kunnen herstellen; een in onderzoek vastgestelde grens is er niet, dus zie dit als "
        "geheugensteuntje en niet als waarschuwing.",
    )
    return en, nl


def no_rest(daily: pl.DataFrame, *, max_run_days: int = 7) -> pl.DataFrame:
    """Runs on ``max_run_days`` (7) or more consecutive days, i.e. no rest day in 7.

    One row per streak, dated the day the streak reaches ``max_run_days``;
    ``value`` is the streak's full length in days (up to the last day of data),
    ``threshold`` is ``max_run_days``.  A rest day is a day without a run.

    References
    ----------
    docs/evidence.md ``no_rest`` (the physiotherapy guidance; no study threshold; weak).
    """
    if daily.height == 0:
        return schema.empty(schema.FLAGS)
    last_row = (pl.col("athlete") != pl.col("athlete").shift(-1)).fill_null(True)
    d = seg.sort_by_athlete(daily).with_columns(
        # streaks are split by rest days, and by athlete in the group_by below
        _grp=pl.col("rest_day").cast(pl.Int32).cum_sum(),
        _last=pl.when(last_row).then(pl.col("date")).otherwise(None).backward_fill(),
    )
    streaks = (
        d.filter(~pl.col("rest_day"))
        .group_by("athlete", "_grp")
        .agg(start=pl.col("date").min(), end=pl.col("date").max(), days=pl.len(), _last=pl.col("_last").first())
        .filter(pl.col("days") >= max_run_days)
        .sort("athlete", "start")
    )
    message = no_rest_message(pl.col("start"), pl.col("days"), pl.col("end") == pl.col("_last"))
    return _finish(
        streaks,
        NO_REST,
        message,
        athlete=pl.col("athlete"),
        date=pl.col("start") + pl.duration(days=max_run_days - 1),
        band=pl.lit(f"{max_run_days}+_days"),
        value=pl.col("days"),
        threshold=pl.lit(float(max_run_days)),
    )


NO_REST = Rule(
    id="no_rest",
    kind="load",
    function=no_rest,
    inputs=("daily",),
    label={"en": "Too few rest days", "nl": "Te weinig rustdagen"},
    phrase={"en": "too few rest days", "nl": "te weinig rustdagen"},
    advice={
        "en": "Plan enough rest days and alternate activity with rest.",
        "nl": "Plan genoeg rustdagen en wissel activiteit af met rust.",
    },
    evidence={
        "en": "Dutch physiotherapy guidance: plan enough rest days so the muscles can recover, and alternate "
        "activity and rest. No study threshold found; 7 days in a row is that advice put into a number. "
        "Strength: weak.",
        "nl": "Nederlands fysiotherapeutisch advies (plan genoeg rustdagen); geen drempel uit onderzoek gevonden. Bewijs: zwak.",
    },
    strength="weak",
    bands={},  # "<max_run_days>+_days", labelled by runback.registry.band_label
    severity=1,
    event="streak",
)


# --------------------------------------------------------------------------
# monotony
# --------------------------------------------------------------------------
def monotony_message(
    band: pl.Expr, week_start: pl.Expr, value: pl.Expr, threshold: pl.Expr, load_name: pl.Expr, *, percentile: float
) -> Message:
    """A week with a very even daily load (Foster monotony) against the runner's own ``percentile``."""
    nth = round(percentile * 100)
    suffix = "th" if nth % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(nth % 10, "th")
    trimp = load_name == "trimp_banister"
    load_en = pick([(trimp, "heart-rate load (TRIMP)")], "running time")
    load_nl = pick([(trimp, "hartslagbelasting (TRIMP)")], "looptijd")
    own = band == "above_own_p90"
    thr_en = (
        pl.when(own)
        .then(cat(f"your own usual range ({nth}{suffix} percentile ", fmt_num(threshold, "en", 2), ")"))
        .otherwise(cat("the common cut-off of ", fmt_num(threshold, "en")))
    )
    thr_nl = (
        pl.when(own)
        .then(cat(f"wat voor jou gewoon is ({nth}e percentiel ", fmt_num(threshold, "nl", 2), ")"))
        .otherwise(cat("de gebruikelijke grens van ", fmt_num(threshold, "nl")))
    )
    en = cat(
        "In the week of ", fmt_date(week_start, "en"), " your daily ", load_en, " was very even: monotony ",
        fmt_num(value, "en", 2), ", above ", thr_en, ". Hard, easy and rest days hardly alternated. Foster "
        "linked high monotony with illness and minor injuries in 25 athletes; the evidence is weak. "
        "Alternating harder days with easy days or rest is what the guidance advises.",
    )
    nl = cat(
        "In de week van ", fmt_date(week_start, "nl"), " was je ", load_nl, " elke dag ongeveer gelijk: "
        "monotonie ", fmt_num(value, "nl", 2), ", boven ", thr_nl, ". Zware dagen, rustige dagen en "
        "rustdagen wisselden elkaar nauwelijks af. Foster zag bij 25 sporters een verband tussen hoge "
        "monotonie en ziekte of kleine blessures; het bewijs is zwak. Het advies is zwaardere dagen af te "
        "wisselen met rustige dagen of rust.",
    )
    return en, nl


def monotony_rule(
    daily: pl.DataFrame,
    *,
    monotony_cutoff: float = 2.0,
    monotony_percentile: float = 0.90,
    monotony_min_weeks: int = 8,
    monotony_load: str = "auto",
) -> pl.DataFrame:
    """Weeks with a very even daily load (Foster monotony above the threshold).

    Monotony is taken over each whole ISO week (Monday to Sunday, rest days as 0,
    sd = 0 capped at 10 as in :func:`runback.load.monotony`).  The threshold is the runner's own
    ``monotony_percentile`` of their weekly monotony where they have at least
    ``monotony_min_weeks`` weeks and it lies above ``monotony_cutoff``
    (band ``above_own_p90``), else the common cut-off 2.0 (band ``above_cutoff``).
    ``date`` is the Monday of the week; ``baseline`` the runner's median weekly
    monotony.

    References
    ----------
    docs/evidence.md ``monotony``; Foster 1998.
    """
    if daily.height == 0:
        return schema.empty(schema.FLAGS)
    loads = load_column(seg.sort_by_athlete(daily), monotony_load)
    x = pl.col("load")
    per_week = (
        loads.with_columns(week_start=week_start(pl.col("date")))
        .group_by("athlete", "week_start")
        .agg(_days=pl.len(), _mean=x.mean(), _sd=x.std(ddof=1), load_name=pl.col("load_name").first())
        # whole ISO weeks inside the history with some load (as monotony(): 7 rest days say nothing)
        .filter((pl.col("_days") == 7) & (pl.col("_mean") > 0))
        .with_columns(
            monotony=pl.when(pl.col("_sd") <= pl.col("_mean") * 1e-9)
            .then(pl.lit(MAX_MONOTONY))
            .otherwise(pl.min_horizontal(pl.col("_mean") / pl.col("_sd"), pl.lit(MAX_MONOTONY)))
        )
    )
    weeks = (
        per_week.with_columns(
            _n=pl.len().over("athlete"),
            _p=pl.col("monotony").quantile(monotony_percentile, interpolation="linear").over("athlete"),
            _median=pl.col("monotony").median().over("athlete"),
        )
        .with_columns(
            _own=(pl.col("_n") >= monotony_min_weeks) & (pl.col("_p") > monotony_cutoff),
        )
        .with_columns(
            threshold=pl.when(pl.col("_own")).then(pl.col("_p")).otherwise(pl.lit(monotony_cutoff)),
            band=pl.when(pl.col("_own")).then(pl.lit("above_own_p90")).otherwise(pl.lit("above_cutoff")),
        )
        .filter(pl.col("monotony") > pl.col("threshold") + _EPS)
        .sort("athlete", "week_start")
    )
    message = monotony_message(
        pl.col("band"), pl.col("week_start"), pl.col("monotony"), pl.col("threshold"), pl.col("load_name"),
        percentile=monotony_percentile,
    )
    return _finish_week(weeks, MONOTONY, message, value=pl.col("monotony"), baseline=pl.col("_median"))


MONOTONY = Rule(
    id="monotony",
    kind="load",
    function=monotony_rule,
    inputs=("daily",),
    label={"en": "Same load every day", "nl": "Elke dag dezelfde belasting"},
    phrase={"en": "the same load every day", "nl": "elke dag dezelfde belasting"},
    advice={
        "en": "Alternate harder and easier days, with rest in between.",
        "nl": "Wissel zwaardere en lichtere dagen af, met rust ertussen.",
    },
    evidence={
        "en": "Dutch physiotherapy guidance: alternate activity and rest. Foster 1998: high training monotony (mean / SD of daily "
        "load over a week) and strain went with illness and minor injury in 25 athletes; the common 2.0 "
        "cut-off is not in the primary abstract, so runback prefers the runner's own 90th percentile "
        "where there is enough history. Strength: weak.",
        "nl": "Foster 1998 (ziekte en kleine blessures bij 25 sporters); de grens 2,0 staat niet in de "
        "samenvatting van het oorspronkelijke artikel. Bewijs: zwak.",
    },
    strength="weak",
    bands={
        "above_own_p90": Band({"en": "above your own 90th percentile", "nl": "boven je eigen 90e percentiel"}),
        "above_cutoff": Band({"en": "above the cut-off", "nl": "boven de grens"}),
    },
    severity=1,
    week_rule=True,
)


# --------------------------------------------------------------------------
# acwr
# --------------------------------------------------------------------------
def acwr_message(day: pl.Expr, value: pl.Expr, threshold: pl.Expr) -> Message:
    """An acute:chronic ratio at or above the opt-in label."""
    en = cat(
        "On ", fmt_date(day, "en"), " your acute:chronic load ratio (EWMA, 7 vs 28 days) was ",
        fmt_num(value, "en", 2), ", at or above ", fmt_num(threshold, "en"), ". This ratio comes from team "
        "sports and is contested; in a large study of runners it showed no rising injury rate. Shown only "
        "because you asked for it.",
    )
    nl = cat(
        "Op ", fmt_date(day, "nl"), " was je verhouding tussen korte- en langetermijnbelasting (EWMA, 7 tegen "
        "28 dagen) ", fmt_num(value, "nl", 2), ", ", fmt_num(threshold, "nl"), " of hoger. Deze maat komt "
        "uit teamsporten en staat ter discussie; in een groot onderzoek onder hardlopers hing hij niet samen "
        "met meer blessures. Je ziet dit alleen omdat je erom vroeg.",
    )
    return en, nl


def acwr_rule(daily: pl.DataFrame, *, acwr_high: float = 1.5, acwr_load: str = "auto") -> pl.DataFrame:
    """Days where the EWMA acute:chronic ratio reaches ``acwr_high`` (opt-in only).

    One row per athlete per ISO week: the day with the highest ratio that week.
    Not part of the default flags: docs/evidence.md calls the evidence weak and
    contested.  ``baseline`` is 1.0 (acute load equal to chronic load).

    References
    ----------
    docs/evidence.md ``acwr``; Williams et al. 2017.
    """
    if daily.height == 0:
        return schema.empty(schema.FLAGS)
    ratios = acwr(daily, load=acwr_load)
    hits = (
        ratios.filter(pl.col("acwr_ewma") >= acwr_high)
        .with_columns(_wk=week_start(pl.col("date")))
        .sort("athlete", "_wk", "acwr_ewma", "date", descending=[False, False, True, False])
        .unique(["athlete", "_wk"], keep="first", maintain_order=True)
    )
    message = acwr_message(pl.col("date"), pl.col("acwr_ewma"), pl.lit(acwr_high))
    return _finish(
        hits,
        ACWR,
        message,
        athlete=pl.col("athlete"),
        date=pl.col("date"),
        band=pl.lit("high"),
        value=pl.col("acwr_ewma"),
        threshold=pl.lit(acwr_high),
        baseline=pl.lit(1.0),
    )


ACWR = Rule(
    id="acwr",
    kind="load",
    function=acwr_rule,
    inputs=("daily",),
    label={"en": "Acute:chronic load", "nl": "Acute:chronische belasting"},
    phrase={"en": "a high acute:chronic load ratio", "nl": "een hoge acute:chronische belasting"},
    advice={
        "en": "A contested measure: use it as a description, not a reason to change plans on its own.",
        "nl": "Een omstreden maat: gebruik hem als beschrijving, niet als reden om op zich je plan te wijzigen.",
    },
    evidence={
        "en": "Acute:chronic workload ratio, EWMA with lambda = 2/(N+1), N = 7 and 28 (Williams et al. 2017). "
        "The 1.5 label comes from team sports (Gabbett 2016) and is contested (Lolli 2019, Impellizzeri "
        "2020/2021: c-statistic about 0.57; Wang 2020); in runners Frandsen et al. 2025 found no positive "
        "dose-response. Strength: weak / contested; shown only on request.",
        "nl": "Gabbett 2016 (teamsporten). Omstreden: Lolli 2019, Impellizzeri 2020/2021 (c-statistiek ongeveer "
        "0,57), Wang 2020; bij hardlopers geen positief dosis-responsverband (Frandsen 2025). Bewijs: zwak/omstreden.",
    },
    strength="weak / contested",
    bands={"high": Band({"en": "high", "nl": "hoog"})},
    severity=0,
    default=False,
)


#: the load rules in the order :func:`runback.model.flags` runs them
LOAD_RULES: tuple[Rule, ...] = (SESSION_SPIKE, WEEKLY_JUMP, INTENSITY_JUMP, NO_REST, MONOTONY, ACWR)

#: rule id -> function, in that order
RULES: dict[str, Callable[..., pl.DataFrame]] = {rule.id: rule.function for rule in LOAD_RULES}
