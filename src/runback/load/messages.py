"""What each load flag says, in English and Dutch, and the evidence behind it.

Wording follows docs/evidence.md ("Wording"): say what was measured and what groups
of runners showed; never say a load caused pain, that a week is safe, or that
the runner is injured; where the evidence is weak, say so.  Advice follows Dutch
physiotherapy guidance: build up gradually, plan rest days, keep moving.  The Dutch is written
as Dutch, not translated word for word.

Messages are polars expressions over the rule's candidate rows (so thousands of
flags cost no Python loop); each ``*_message`` function returns the pair
``(message_en, message_nl)``.  Numbers: ``12.5 km`` / ``12,5 km``,
``1,234`` / ``1.234``; dates: ``4 March 2024`` / ``4 maart 2024``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import overload

import polars as pl

__all__ = [
    "EVIDENCE",
    "acwr_message",
    "fmt_date",
    "fmt_num",
    "intensity_jump_message",
    "monotony_message",
    "no_rest_message",
    "session_spike_message",
    "weekly_jump_message",
]

Message = tuple[pl.Expr, pl.Expr]
Part = str | pl.Expr

#: the guidance and the study behind each rule, with the strength of the evidence
EVIDENCE: dict[str, str] = {
    "session_spike": (
        "Dutch physiotherapy guidance: long distances without preparation strain the low back; build up distance gradually. "
        "Frandsen et al., BJSM 2025 (doi 10.1136/bjsports-2024-109380): 5,205 runners, 588,071 sessions; "
        "a run longer than the longest of the previous 30 days went with hazard rate ratios of 1.64 "
        "(1.31-2.05) for 10-30% longer, 1.52 (1.16-2.00) for 30-100% and 2.28 (1.50-3.48) for more than "
        "100%, against at most 10%. Outcome: running-related overuse injury of any site, not back pain "
        "in particular. Strength: moderate."
    ),
    "weekly_jump": (
        "Dutch physiotherapy guidance: build up distance gradually. Nielsen et al., JOSPT 2014, 874 novice runners: weekly "
        "increases over 30% vs under 10% gave HR 1.59 (0.96-2.66) for distance-related injuries, not "
        "statistically significant. The '10% rule' showed no benefit in a trial (Buist et al., AJSM 2008: "
        "20.8% vs 20.3% injured). Frandsen et al. 2025 found no relation for the week-to-week ratio. "
        "Strength: weak; shown as context."
    ),
    "intensity_jump": (
        "Dutch physiotherapy guidance: raising training intensity too fast strains the low back. No direct evidence: "
        "a trial (Ramskov et al. 2018, Run Clever) found no difference between progressing intensity and "
        "volume. Mechanism only: faster running compresses the spinal discs more (Garbutt et al. 1990: "
        "3.4 / 5.1 / 7.7 mm after 30 min at 70 / 85 / 100% of marathon pace). Strength: weak; the bands "
        "are a heuristic borrowed from session_spike."
    ),
    "no_rest": (
        "Dutch physiotherapy guidance: plan enough rest days so the muscles can recover, and alternate "
        "activity and rest. No study threshold found; 7 days in a row is that advice put into a number. "
        "Strength: weak."
    ),
    "monotony": (
        "Dutch physiotherapy guidance: alternate activity and rest. Foster 1998: high training monotony (mean / SD of daily "
        "load over a week) and strain went with illness and minor injury in 25 athletes; the common 2.0 "
        "cut-off is not in the primary abstract, so runback prefers the runner's own 90th percentile "
        "where there is enough history. Strength: weak."
    ),
    "acwr": (
        "Acute:chronic workload ratio, EWMA with lambda = 2/(N+1), N = 7 and 28 (Williams et al. 2017). "
        "The 1.5 label comes from team sports (Gabbett 2016) and is contested (Lolli 2019, Impellizzeri "
        "2020/2021: c-statistic about 0.57; Wang 2020); in runners Frandsen et al. 2025 found no positive "
        "dose-response. Strength: weak / contested; shown only on request."
    ),
}

_MONTHS = {
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
    "nl": (
        "januari", "februari", "maart", "april", "mei", "juni",
        "juli", "augustus", "september", "oktober", "november", "december",
    ),
}


def _cat(*parts: Part) -> pl.Expr:
    """Concatenate literal text and string expressions."""
    return pl.concat_str([pl.lit(p) if isinstance(p, str) else p for p in parts])


def _pick(cases: Sequence[tuple[pl.Expr, Part]], default: Part) -> pl.Expr:
    """The text of the first true condition, else ``default``."""
    out = pl.lit(default) if isinstance(default, str) else default
    for cond, text in reversed(cases):
        out = pl.when(cond).then(pl.lit(text) if isinstance(text, str) else text).otherwise(out)
    return out


@overload
def fmt_num(x: pl.Expr, lang: str, digits: int = 1) -> pl.Expr: ...
@overload
def fmt_num(x: float, lang: str, digits: int = 1) -> str: ...
def fmt_num(x: pl.Expr | float, lang: str, digits: int = 1) -> pl.Expr | str:
    """``x`` rounded to ``digits`` decimals: 1,234.5 (en) or 1.234,5 (nl).

    ``x`` is a number (gives a string) or a polars expression (gives a string
    expression, exact up to 999,999).
    """
    thousands, decimal = (".", ",") if lang == "nl" else (",", ".")
    if not isinstance(x, pl.Expr):
        text = f"{x:,.{digits}f}"
        return text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)
    scale = 10**digits
    v = (x * scale).round(0).cast(pl.Int64)
    sign = pl.when(v < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    v = v.abs()
    whole = v // scale
    whole_s = (
        pl.when(whole >= 1000)
        .then(_cat((whole // 1000).cast(pl.String), thousands, (whole % 1000).cast(pl.String).str.zfill(3)))
        .otherwise(whole.cast(pl.String))
    )
    if digits == 0:
        return _cat(sign, whole_s)
    return _cat(sign, whole_s, decimal, (v % scale).cast(pl.String).str.zfill(digits))


@overload
def fmt_date(d: pl.Expr, lang: str) -> pl.Expr: ...
@overload
def fmt_date(d: dt.date, lang: str) -> str: ...
def fmt_date(d: pl.Expr | dt.date, lang: str) -> pl.Expr | str:
    """4 March 2024 (en) or 4 maart 2024 (nl), for a date or a polars date expression."""
    if not isinstance(d, pl.Expr):
        return f"{d.day} {_MONTHS[lang][d.month - 1]} {d.year}"
    months = dict(enumerate(_MONTHS[lang], start=1))
    month = d.dt.month().cast(pl.Int64).replace_strict(months, return_dtype=pl.String)
    return _cat(d.dt.day().cast(pl.String), " ", month, " ", d.dt.year().cast(pl.String))


def _pct(ratio: pl.Expr) -> pl.Expr:
    return _cat((ratio * 100).round(0).cast(pl.Int64).cast(pl.String), "%")


def _km(m: pl.Expr, lang: str) -> pl.Expr:
    return _cat(fmt_num(m / 1000.0, lang), " km")


def session_spike_message(band: pl.Expr, distance_m: pl.Expr, baseline_m: pl.Expr, ratio: pl.Expr) -> Message:
    """A run compared with the longest run of the previous 30 days (band ``no_baseline`` without one)."""
    # band -> range in words and hazard ratio (Frandsen et al. 2025)
    rng_en = _pick([(band == "small", "10-30%"), (band == "moderate", "30-100%")], "more than 100%")
    rng_nl = _pick([(band == "small", "10 tot 30%"), (band == "moderate", "30 tot 100%")], "meer dan 100%")
    hr_en = _pick([(band == "small", "1.6"), (band == "moderate", "1.5")], "2.3")
    hr_nl = _pick([(band == "small", "1,6"), (band == "moderate", "1,5")], "2,3")
    en = _cat(
        "This ", _km(distance_m, "en"), " run was ", _pct(ratio), " longer than your longest run in the "
        "previous 30 days (", _km(baseline_m, "en"), "). In a study of 5,200 runners, runs ", rng_en,
        " longer than the recent longest went with about ", hr_en, " times the rate of running injuries "
        "(anywhere in the body, not only the back) compared with runs at most 10% longer. That is a "
        "pattern in a group, not a verdict on this run; building up long runs step by step is what the "
        "guidance advises.",
    )
    nl = _cat(
        "Deze loop van ", _km(distance_m, "nl"), " was ", _pct(ratio), " langer dan je langste loop in de "
        "30 dagen ervoor (", _km(baseline_m, "nl"), "). In een onderzoek onder 5.200 hardlopers kwamen "
        "blessures (overal in het lichaam, niet alleen in de rug) ongeveer ", hr_nl, " keer zo vaak voor "
        "na lopen die ", rng_nl, " langer waren dan de langste recente loop, vergeleken met lopen die "
        "hooguit 10% langer waren. Dat is een patroon in een groep, geen oordeel over deze loop; het "
        "advies is lange lopen stap voor stap op te bouwen.",
    )
    none_en = _cat(
        "You had not run in the 30 days before this ", _km(distance_m, "en"), " run, so there is no recent "
        "run to compare it with. After a break, the usual advice is to start shorter and build up "
        "distance gradually.",
    )
    none_nl = _cat(
        "In de 30 dagen voor deze loop van ", _km(distance_m, "nl"), " had je niet gelopen, dus er is geen "
        "recente loop om hem mee te vergelijken. Na een pauze is het advies korter te beginnen en de "
        "afstand geleidelijk op te bouwen.",
    )
    no_base = band == "no_baseline"
    return (
        pl.when(no_base).then(none_en).otherwise(en),
        pl.when(no_base).then(none_nl).otherwise(nl),
    )


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
        .then(_cat(", and ", _pct(vs_3wk), " more than the mean of the three weeks before (", _km(mean_3wk_m, "en"), ")"))
        .otherwise(_cat(", but not more than the mean of the three weeks before (", _km(mean_3wk_m, "en"), ")"))
    )
    ctx_nl = (
        pl.when(vs_3wk.is_null())
        .then(pl.lit(""))
        .when(vs_3wk > 0.005)
        .then(_cat(", en ", _pct(vs_3wk), " meer dan gemiddeld in de drie weken daarvoor (", _km(mean_3wk_m, "nl"), ")"))
        .otherwise(_cat(", maar niet meer dan gemiddeld in de drie weken daarvoor (", _km(mean_3wk_m, "nl"), ")"))
    )
    context = band == "context"
    tail_en = _pick(
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
    tail_nl = _pick(
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
    en = _cat(
        "In the week of ", fmt_date(week_start, "en"), " you ran ", _km(distance_m, "en"), ", ", _pct(ratio),
        " more than the week before (", _km(previous_m, "en"), ")", ctx_en, ". ", tail_en,
    )
    nl = _cat(
        "In de week van ", fmt_date(week_start, "nl"), " liep je ", _km(distance_m, "nl"), ", ", _pct(ratio),
        " meer dan de week ervoor (", _km(previous_m, "nl"), ")", ctx_nl, ". ", tail_nl,
    )
    return en, nl


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
            _cat(
                "your heart-rate load per km (TRIMP per km) was ", fmt_num(value, "en"), ", ", _pct(ratio),
                " higher than the mean of the three weeks before (", fmt_num(baseline, "en"), ")",
            )
        )
        .otherwise(
            _cat(
                "you ran ", fmt_num(value, "en", 0), " minutes in heart-rate zones 4-5 (or faster than your "
                "threshold pace where there was no heart rate), ", _pct(ratio), " more than the mean of the "
                "three weeks before (", fmt_num(baseline, "en", 0), " min)",
            )
        )
    )
    what_nl = (
        pl.when(tpk)
        .then(
            _cat(
                "was je hartslagbelasting per km (TRIMP per km) ", fmt_num(value, "nl"), ", ", _pct(ratio),
                " hoger dan gemiddeld in de drie weken daarvoor (", fmt_num(baseline, "nl"), ")",
            )
        )
        .otherwise(
            _cat(
                "liep je ", fmt_num(value, "nl", 0), " minuten in hartslagzone 4-5 (of sneller dan je "
                "drempeltempo waar geen hartslag was), ", _pct(ratio), " meer dan gemiddeld in de drie weken "
                "daarvoor (", fmt_num(baseline, "nl", 0), " min)",
            )
        )
    )
    en = _cat(
        "In the week of ", fmt_date(week_start, "en"), " ", what_en, ". There is no direct evidence linking "
        "faster intensity increases to back pain; this flag is a rule of thumb from the advice to raise "
        "intensity gradually (faster running does compress the spinal discs more). Building up intensity "
        "step by step is the advice.",
    )
    nl = _cat(
        "In de week van ", fmt_date(week_start, "nl"), " ", what_nl, ". Er is geen direct bewijs dat een snelle "
        "stijging in intensiteit samengaat met rugpijn; deze melding is een vuistregel, gebaseerd op het "
        "advies de intensiteit geleidelijk op te voeren (harder lopen drukt de tussenwervelschijven wel meer "
        "samen). Het advies is de intensiteit stap voor stap op te bouwen.",
    )
    return en, nl


def no_rest_message(start: pl.Expr, days: pl.Expr, ongoing: pl.Expr) -> Message:
    """A run of consecutive running days."""
    n = days.cast(pl.Int64).cast(pl.String)
    en = _cat(
        "You ran on ", n, " days in a row", pl.when(ongoing).then(pl.lit(" so far")).otherwise(pl.lit("")),
        ", from ", fmt_date(start, "en"), ", without a rest day. The guidance is to plan enough rest days so "
        "your muscles can recover; there is no study-based number for how many, so take this as a reminder "
        "rather than a warning.",
    )
    nl = _cat(
        "Je liep ", n, " dagen achter elkaar", pl.when(ongoing).then(pl.lit(" tot nu toe")).otherwise(pl.lit("")),
        ", vanaf ", fmt_date(start, "nl"), ", zonder rustdag. Het advies is genoeg rustdagen in te plannen "
        "zodat je spieren kunnen herstellen; een in onderzoek vastgestelde grens is er niet, dus zie dit als "
        "geheugensteuntje en niet als waarschuwing.",
    )
    return en, nl


def monotony_message(
    band: pl.Expr, week_start: pl.Expr, value: pl.Expr, threshold: pl.Expr, load_name: pl.Expr
) -> Message:
    """A week with a very even daily load (Foster monotony)."""
    trimp = load_name == "trimp_banister"
    load_en = _pick([(trimp, "heart-rate load (TRIMP)")], "running time")
    load_nl = _pick([(trimp, "hartslagbelasting (TRIMP)")], "looptijd")
    own = band == "above_own_p90"
    thr_en = (
        pl.when(own)
        .then(_cat("your own usual range (90th percentile ", fmt_num(threshold, "en", 2), ")"))
        .otherwise(_cat("the common cut-off of ", fmt_num(threshold, "en")))
    )
    thr_nl = (
        pl.when(own)
        .then(_cat("wat voor jou gewoon is (90e percentiel ", fmt_num(threshold, "nl", 2), ")"))
        .otherwise(_cat("de gebruikelijke grens van ", fmt_num(threshold, "nl")))
    )
    en = _cat(
        "In the week of ", fmt_date(week_start, "en"), " your daily ", load_en, " was very even: monotony ",
        fmt_num(value, "en", 2), ", above ", thr_en, ". Hard, easy and rest days hardly alternated. Foster "
        "linked high monotony with illness and minor injuries in 25 athletes; the evidence is weak. "
        "Alternating harder days with easy days or rest is what the guidance advises.",
    )
    nl = _cat(
        "In de week van ", fmt_date(week_start, "nl"), " was je ", load_nl, " elke dag ongeveer gelijk: "
        "monotonie ", fmt_num(value, "nl", 2), ", boven ", thr_nl, ". Zware dagen, rustige dagen en "
        "rustdagen wisselden elkaar nauwelijks af. Foster zag bij 25 sporters een verband tussen hoge "
        "monotonie en ziekte of kleine blessures; het bewijs is zwak. Het advies is zwaardere dagen af te "
        "wisselen met rustige dagen of rust.",
    )
    return en, nl


def acwr_message(day: pl.Expr, value: pl.Expr, threshold: pl.Expr) -> Message:
    """An acute:chronic ratio at or above the opt-in label."""
    en = _cat(
        "On ", fmt_date(day, "en"), " your acute:chronic load ratio (EWMA, 7 vs 28 days) was ",
        fmt_num(value, "en", 2), ", at or above ", fmt_num(threshold, "en"), ". This ratio comes from team "
        "sports and is contested; in a large study of runners it showed no rising injury rate. Shown only "
        "because you asked for it.",
    )
    nl = _cat(
        "Op ", fmt_date(day, "nl"), " was je verhouding tussen korte- en langetermijnbelasting (EWMA, 7 tegen "
        "28 dagen) ", fmt_num(value, "nl", 2), ", ", fmt_num(threshold, "nl"), " of hoger. Deze maat komt "
        "uit teamsporten en staat ter discussie; in een groot onderzoek onder hardlopers hing hij niet samen "
        "met meer blessures. Je ziet dit alleen omdat je erom vroeg.",
    )
    return en, nl
