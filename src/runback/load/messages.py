"""What each load flag says, in English and Dutch, and the evidence behind it.

Wording follows EVIDENCE.md ("Wording"): say what was measured and what groups
of runners showed; never say a load caused pain, that a week is safe, or that
the runner is injured; where the evidence is weak, say so.  Advice follows the
seeds: build up gradually, plan rest days, keep moving.  The Dutch is written
as Dutch, not translated word for word.
"""

from __future__ import annotations

import datetime as dt

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

Message = tuple[str, str]

#: the seed statement and the study behind each rule, with the strength of the evidence
EVIDENCE: dict[str, str] = {
    "session_spike": (
        "Seed 001: long distances without preparation strain the low back; build up distance gradually. "
        "Frandsen et al., BJSM 2025 (doi 10.1136/bjsports-2024-109380): 5,205 runners, 588,071 sessions; "
        "a run longer than the longest of the previous 30 days went with hazard rate ratios of 1.64 "
        "(1.31-2.05) for 10-30% longer, 1.52 (1.16-2.00) for 30-100% and 2.28 (1.50-3.48) for more than "
        "100%, against at most 10%. Outcome: running-related overuse injury of any site, not back pain "
        "in particular. Strength: moderate."
    ),
    "weekly_jump": (
        "Seed 001: build up distance gradually. Nielsen et al., JOSPT 2014, 874 novice runners: weekly "
        "increases over 30% vs under 10% gave HR 1.59 (0.96-2.66) for distance-related injuries, not "
        "statistically significant. The '10% rule' showed no benefit in a trial (Buist et al., AJSM 2008: "
        "20.8% vs 20.3% injured). Frandsen et al. 2025 found no relation for the week-to-week ratio. "
        "Strength: weak; shown as context."
    ),
    "intensity_jump": (
        "Seeds 001 and 002: raising training intensity too fast strains the low back. No direct evidence: "
        "a trial (Ramskov et al. 2018, Run Clever) found no difference between progressing intensity and "
        "volume. Mechanism only: faster running compresses the spinal discs more (Garbutt et al. 1990: "
        "3.4 / 5.1 / 7.7 mm after 30 min at 70 / 85 / 100% of marathon pace). Strength: weak; the bands "
        "are a heuristic borrowed from session_spike."
    ),
    "no_rest": (
        "Seed 001: plan enough rest days so the muscles can recover; seed 004: alternate activity and "
        "rest. No study threshold found; 7 days in a row is the seeds' advice put into a number. "
        "Strength: weak."
    ),
    "monotony": (
        "Seed 004: alternate activity and rest. Foster 1998: high training monotony (mean / SD of daily "
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

_MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)
_MONTHS_NL = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)


def fmt_num(x: float, lang: str, digits: int = 1) -> str:
    """A number with thousands separators: 5,205.5 (en) or 5.205,5 (nl)."""
    text = f"{x:,.{digits}f}"
    if lang == "nl":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def fmt_date(d: dt.date, lang: str) -> str:
    """4 March 2024 (en) or 4 maart 2024 (nl)."""
    months = _MONTHS_NL if lang == "nl" else _MONTHS_EN
    return f"{d.day} {months[d.month - 1]} {d.year}"


def _pct(ratio: float) -> str:
    return f"{round(ratio * 100):d}%"


def _km(m: float, lang: str) -> str:
    return f"{fmt_num(m / 1000.0, lang)} km"


# band -> (range in words en, nl, hazard ratio), Frandsen et al. 2025
_SPIKE = {
    "small": ("10-30%", "10 tot 30%", 1.64),
    "moderate": ("30-100%", "30 tot 100%", 1.52),
    "large": ("more than 100%", "meer dan 100%", 2.28),
}


def session_spike_message(band: str, distance_m: float, baseline_m: float | None, ratio: float | None) -> Message:
    """Message for one run compared with the longest run of the previous 30 days."""
    if band == "no_baseline" or baseline_m is None or ratio is None:
        return (
            f"You had not run in the 30 days before this {_km(distance_m, 'en')} run, so there is no recent "
            "run to compare it with. After a break, the usual advice is to start shorter and build up "
            "distance gradually.",
            f"In de 30 dagen voor deze loop van {_km(distance_m, 'nl')} had je niet gelopen, dus er is geen "
            "recente loop om hem mee te vergelijken. Na een pauze is het advies korter te beginnen en de "
            "afstand geleidelijk op te bouwen.",
        )
    rng_en, rng_nl, hr = _SPIKE[band]
    en = (
        f"This {_km(distance_m, 'en')} run was {_pct(ratio)} longer than your longest run in the previous "
        f"30 days ({_km(baseline_m, 'en')}). In a study of 5,200 runners, runs {rng_en} longer than the "
        f"recent longest went with about {fmt_num(hr, 'en')} times the rate of running injuries (anywhere "
        "in the body, not only the back) compared with runs at most 10% longer. That is a pattern in a "
        "group, not a verdict on this run; building up long runs step by step is what the guidance advises."
    )
    nl = (
        f"Deze loop van {_km(distance_m, 'nl')} was {_pct(ratio)} langer dan je langste loop in de 30 "
        f"dagen ervoor ({_km(baseline_m, 'nl')}). In een onderzoek onder 5.200 hardlopers kwamen "
        f"blessures (overal in het lichaam, niet alleen in de rug) ongeveer {fmt_num(hr, 'nl')} keer zo "
        f"vaak voor na lopen die {rng_nl} langer waren dan de langste recente loop, vergeleken met lopen "
        "die hooguit 10% langer waren. Dat is een patroon in een groep, geen oordeel over deze loop; het "
        "advies is lange lopen stap voor stap op te bouwen."
    )
    return en, nl


def weekly_jump_message(
    band: str,
    week_start: dt.date,
    distance_m: float,
    previous_m: float,
    ratio: float,
    vs_3wk: float | None,
    mean_3wk_m: float | None,
) -> Message:
    """Message for a week's running distance compared with the week before."""
    if vs_3wk is None or mean_3wk_m is None:
        ctx_en = ctx_nl = ""
    elif vs_3wk > 0.005:
        ctx_en = f", and {_pct(vs_3wk)} more than the mean of the three weeks before ({_km(mean_3wk_m, 'en')})"
        ctx_nl = f", en {_pct(vs_3wk)} meer dan gemiddeld in de drie weken daarvoor ({_km(mean_3wk_m, 'nl')})"
    else:
        ctx_en = f", but not more than the mean of the three weeks before ({_km(mean_3wk_m, 'en')})"
        ctx_nl = f", maar niet meer dan gemiddeld in de drie weken daarvoor ({_km(mean_3wk_m, 'nl')})"
    en = (
        f"In the week of {fmt_date(week_start, 'en')} you ran {_km(distance_m, 'en')}, {_pct(ratio)} more "
        f"than the week before ({_km(previous_m, 'en')}){ctx_en}. "
    )
    nl = (
        f"In de week van {fmt_date(week_start, 'nl')} liep je {_km(distance_m, 'nl')}, {_pct(ratio)} meer "
        f"dan de week ervoor ({_km(previous_m, 'nl')}){ctx_nl}. "
    )
    if band == "context":
        en += (
            "In 874 novice runners, weekly increases of more than 30% went with about 1.6 times the rate of "
            "distance-related injuries, but that difference was not statistically significant, and a trial of "
            "the '10% rule' found no benefit. Shown as context: building up gradually is the advice, the "
            "evidence for a weekly limit is weak."
        )
        nl += (
            "Bij 874 beginnende hardlopers gingen stijgingen van meer dan 30% per week samen met ongeveer "
            "1,6 keer zo veel blessures door afstand, maar dat verschil was statistisch niet significant, en in een "
            "trial leverde de '10%-regel' geen voordeel op. Ter informatie: geleidelijk opbouwen is het advies, "
            "het bewijs voor een grens per week is zwak."
        )
    else:
        en += (
            "Shown for context only: studies of runners found no clear link between weekly increases of this "
            "size and injury."
        )
        nl += (
            "Alleen ter informatie: onderzoek onder hardlopers vond geen duidelijk verband tussen zo'n "
            "stijging per week en blessures."
        )
    return en, nl


def intensity_jump_message(
    band: str,
    week_start: dt.date,
    measure: str,
    value: float,
    baseline: float,
    ratio: float,
) -> Message:
    """Message for a week's intensity compared with the mean of the 3 weeks before.

    ``measure`` is ``"high_intensity_min"`` or ``"trimp_per_km"``.
    """
    d_en, d_nl = fmt_date(week_start, "en"), fmt_date(week_start, "nl")
    if measure == "trimp_per_km":
        what_en = (
            f"your heart-rate load per km (TRIMP per km) was {fmt_num(value, 'en')}, {_pct(ratio)} higher than "
            f"the mean of the three weeks before ({fmt_num(baseline, 'en')})"
        )
        what_nl = (
            f"was je hartslagbelasting per km (TRIMP per km) {fmt_num(value, 'nl')}, {_pct(ratio)} hoger dan "
            f"gemiddeld in de drie weken daarvoor ({fmt_num(baseline, 'nl')})"
        )
    else:
        what_en = (
            f"you ran {fmt_num(value, 'en', 0)} minutes in heart-rate zones 4-5 (or faster than your threshold "
            f"pace where there was no heart rate), {_pct(ratio)} more than the mean of the three weeks before "
            f"({fmt_num(baseline, 'en', 0)} min)"
        )
        what_nl = (
            f"liep je {fmt_num(value, 'nl', 0)} minuten in hartslagzone 4-5 (of sneller dan je drempeltempo "
            f"waar geen hartslag was), {_pct(ratio)} meer dan gemiddeld in de drie weken daarvoor "
            f"({fmt_num(baseline, 'nl', 0)} min)"
        )
    en = (
        f"In the week of {d_en} {what_en}. There is no direct evidence linking faster intensity increases "
        "to back pain; this flag is a rule of thumb from the advice to raise intensity gradually (faster "
        "running does compress the spinal discs more). Building up intensity step by step is the advice."
    )
    nl = (
        f"In de week van {d_nl} {what_nl}. Er is geen direct bewijs dat een snelle stijging in intensiteit "
        "samengaat met rugpijn; deze melding is een vuistregel, gebaseerd op het advies de intensiteit "
        "geleidelijk op te voeren (harder lopen drukt de tussenwervelschijven wel meer samen). Het advies "
        "is de intensiteit stap voor stap op te bouwen."
    )
    return en, nl


def no_rest_message(start: dt.date, days: int, ongoing: bool) -> Message:
    """Message for a run of consecutive running days."""
    more_en = " so far" if ongoing else ""
    more_nl = " tot nu toe" if ongoing else ""
    en = (
        f"You ran on {days} days in a row{more_en}, from {fmt_date(start, 'en')}, without a rest day. "
        "The guidance is to plan enough rest days so your muscles can recover; there is no study-based "
        "number for how many, so take this as a reminder rather than a warning."
    )
    nl = (
        f"Je liep {days} dagen achter elkaar{more_nl}, vanaf {fmt_date(start, 'nl')}, zonder rustdag. "
        "Het advies is genoeg rustdagen in te plannen zodat je spieren kunnen herstellen; een in onderzoek "
        "vastgestelde grens is er niet, dus zie dit als geheugensteuntje en niet als waarschuwing."
    )
    return en, nl


def monotony_message(
    band: str, week_start: dt.date, value: float, threshold: float, load_name: str
) -> Message:
    """Message for a week with a very even daily load (Foster monotony)."""
    load_en = "heart-rate load (TRIMP)" if load_name == "trimp_banister" else "running time"
    load_nl = "hartslagbelasting (TRIMP)" if load_name == "trimp_banister" else "looptijd"
    if band == "above_own_p90":
        thr_en = f"your own usual range (90th percentile {fmt_num(threshold, 'en', 2)})"
        thr_nl = f"wat voor jou gewoon is (90e percentiel {fmt_num(threshold, 'nl', 2)})"
    else:
        thr_en = f"the common cut-off of {fmt_num(threshold, 'en')}"
        thr_nl = f"de gebruikelijke grens van {fmt_num(threshold, 'nl')}"
    en = (
        f"In the week of {fmt_date(week_start, 'en')} your daily {load_en} was very even: monotony "
        f"{fmt_num(value, 'en', 2)}, above {thr_en}. Hard, easy and rest days hardly alternated. Foster "
        "linked high monotony with illness and minor injuries in 25 athletes; the evidence is weak. "
        "Alternating harder days with easy days or rest is what the guidance advises."
    )
    nl = (
        f"In de week van {fmt_date(week_start, 'nl')} was je {load_nl} elke dag ongeveer gelijk: monotonie "
        f"{fmt_num(value, 'nl', 2)}, boven {thr_nl}. Zware dagen, rustige dagen en rustdagen wisselden "
        "elkaar nauwelijks af. Foster zag bij 25 sporters een verband tussen hoge monotonie en ziekte of "
        "kleine blessures; het bewijs is zwak. Het advies is zwaardere dagen af te wisselen met rustige "
        "dagen of rust."
    )
    return en, nl


def acwr_message(day: dt.date, value: float, threshold: float) -> Message:
    """Message for an acute:chronic ratio at or above the opt-in label."""
    en = (
        f"On {fmt_date(day, 'en')} your acute:chronic load ratio (EWMA, 7 vs 28 days) was "
        f"{fmt_num(value, 'en', 2)}, at or above {fmt_num(threshold, 'en')}. This ratio comes from team "
        "sports and is contested; in a large study of runners it showed no rising injury rate. Shown only "
        "because you asked for it."
    )
    nl = (
        f"Op {fmt_date(day, 'nl')} was je verhouding tussen korte- en langetermijnbelasting (EWMA, 7 tegen "
        f"28 dagen) {fmt_num(value, 'nl', 2)}, {fmt_num(threshold, 'nl')} of hoger. Deze maat komt uit "
        "teamsporten en staat ter discussie; in een groot onderzoek onder hardlopers hing hij niet samen "
        "met meer blessures. Je ziet dit alleen omdat je erom vroeg."
    )
    return en, nl
