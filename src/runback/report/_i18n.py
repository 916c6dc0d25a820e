"""Every word the reports show, in English and Dutch.

One table, so a missing translation is a failing test rather than an English
word in a Dutch report.  Rule messages themselves come from the flags frame
(``message_en`` / ``message_nl``); the advice below paraphrases the Dutch
physiotherapy guidance named in ``docs/evidence.md``.
"""

from __future__ import annotations

import datetime as dt
import math
import re

LANGS: tuple[str, ...] = ("en", "nl")

MONTHS: dict[str, tuple[str, ...]] = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"),
}
SHORT_MONTHS: dict[str, tuple[str, ...]] = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "nl": ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
}
# Monday first, as ISO weeks are
DAYS: dict[str, tuple[str, ...]] = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
}
SHORT_DAYS: dict[str, tuple[str, ...]] = {
    "en": ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"),
    "nl": ("ma", "di", "wo", "do", "vr", "za", "zo"),
}

T: dict[str, dict[str, str]] = {
    # page
    "title": {"en": "runback report: {athlete}", "nl": "runback-rapport: {athlete}"},
    "team_title": {"en": "runback: team overview", "nl": "runback: teamoverzicht"},
    "subtitle": {
        "en": "Training load and self-reported back pain, set against what studies of groups of runners showed.",
        "nl": "Trainingsbelasting en zelf gemelde rugpijn, naast wat onderzoek bij groepen hardlopers liet zien.",
    },
    "period": {"en": "Period", "nl": "Periode"},
    "runs": {"en": "Runs", "nl": "Loopsessies"},
    "distance": {"en": "Running distance", "nl": "Hardloopafstand"},
    "other_activities": {"en": "Other activities", "nl": "Andere activiteiten"},
    "no_data": {"en": "No activities in this period.", "nl": "Geen activiteiten in deze periode."},
    # status
    "status_heading": {"en": "The last two weeks", "nl": "De afgelopen twee weken"},
    "status_window": {"en": "From {start} to {end}.", "nl": "Van {start} tot en met {end}."},
    "no_flags": {
        "en": "None of runback's rules fired in these two weeks. That is a description of your training, "
        "not a promise about your back: keep building up gradually, keep rest days, and keep moving.",
        "nl": "Geen van de regels van runback sloeg aan in deze twee weken. Dat beschrijft je training, "
        "het is geen belofte over je rug: blijf geleidelijk opbouwen, houd rustdagen en blijf bewegen.",
    },
    "measured": {"en": "What runback measured", "nl": "Wat runback mat"},
    "advice": {"en": "What the physiotherapy advice says", "nl": "Wat het fysiotherapeutisch advies zegt"},
    "times": {"en": "{n} times in these two weeks", "nl": "{n} keer in deze twee weken"},
    "running_good": {
        "en": "Running itself is generally good for the back (Maselli et al. 2020; Belavy et al. 2017).",
        "nl": "Hardlopen is in het algemeen goed voor de rug (Maselli e.a. 2020; Belavy e.a. 2017).",
    },
    # weekly
    "sec_weekly": {"en": "Weekly running distance", "nl": "Hardloopafstand per week"},
    "weekly_intro": {
        "en": "Kilometres run per week (Monday to Sunday), labelled with the change from the week before. "
        "Hatched orange bars are weeks in which a rule fired.",
        "nl": "Gelopen kilometers per week (maandag tot en met zondag), met de verandering ten opzichte van "
        "de week ervoor. Gearceerde oranje balken zijn weken waarin een regel aansloeg.",
    },
    "weekly_below": {"en": "Below: {intensity} per week.", "nl": "Daaronder: {intensity} per week."},
    "no_runs": {
        "en": "No runs in this period (runback counts activities recorded as running).",
        "nl": "Geen hardloopsessies in deze periode (runback telt activiteiten die als hardlopen zijn vastgelegd).",
    },
    "high_zone_min": {"en": "minutes in heart-rate zones 4–5", "nl": "minuten in hartslagzone 4–5"},
    "high_intensity_min": {
        "en": "minutes in heart-rate zones 4–5 (above threshold pace for runs without heart rate)",
        "nl": "minuten in hartslagzone 4–5 (boven drempeltempo bij lopen zonder hartslag)",
    },
    "trimp": {"en": "training load (Banister TRIMP)", "nl": "trainingsbelasting (Banister-TRIMP)"},
    "week": {"en": "Week", "nl": "Week"},
    "week_of": {"en": "week of", "nl": "week van"},
    "km": {"en": "km", "nl": "km"},
    "weekly_km": {"en": "km per week", "nl": "km per week"},
    "minutes": {"en": "minutes", "nl": "minuten"},
    "flagged_week": {"en": "week with a flag", "nl": "week met een signaal"},
    "week_plain": {"en": "week", "nl": "week"},
    "change_prev": {"en": "change from the week before", "nl": "verandering t.o.v. de week ervoor"},
    # sessions
    "sec_sessions": {
        "en": "Each run against your longest run of the previous 30 days",
        "nl": "Elke loop tegenover je langste loop van de 30 dagen ervoor",
    },
    "sessions_intro": {
        "en": "Dots: each run's distance. Line: the longest run in the 30 days before it. "
        "A run far above the line is a session spike (Frandsen et al. 2025).",
        "nl": "Stippen: de afstand van elke loop. Lijn: de langste loop in de 30 dagen ervoor. "
        "Een loop ver boven de lijn is een piek in afstand (Frandsen e.a. 2025).",
    },
    "longest_30": {"en": "longest run, previous 30 days", "nl": "langste loop, 30 dagen ervoor"},
    "band_none": {"en": "up to 10% longer", "nl": "tot 10% langer"},
    "band_small": {"en": "10–30% longer", "nl": "10–30% langer"},
    "band_moderate": {"en": "30–100% longer", "nl": "30–100% langer"},
    "band_large": {"en": "more than 100% longer", "nl": "meer dan 100% langer"},
    "band_nobase": {"en": "no run in the 30 days before", "nl": "geen loop in de 30 dagen ervoor"},
    "vs_longest": {"en": "vs longest of previous 30 days", "nl": "t.o.v. langste van 30 dagen ervoor"},
    "date": {"en": "Date", "nl": "Datum"},
    # pain timeline
    "sec_pain": {"en": "Pain, load, sleep and stress", "nl": "Pijn, belasting, slaap en stress"},
    "pain_intro": {
        "en": "Everything on one time axis: running distance per day with the flags as markers, "
        "self-reported pain (0 none, 10 worst), and sleep and stress where you logged them.",
        "nl": "Alles op één tijdas: hardloopafstand per dag met de signalen als markeringen, "
        "zelf gemelde pijn (0 geen, 10 ergst), en slaap en stress waar je die noteerde.",
    },
    "no_journal": {
        "en": "No pain journal entries in this period.",
        "nl": "Geen pijndagboekregels in deze periode.",
    },
    "km_day": {"en": "km per day", "nl": "km per dag"},
    "pain": {"en": "pain (0–10)", "nl": "pijn (0–10)"},
    "sleep_h": {"en": "sleep (hours)", "nl": "slaap (uren)"},
    "stress": {"en": "stress (1–5)", "nl": "stress (1–5)"},
    "sleep_quality": {"en": "sleep quality (1–5)", "nl": "slaapkwaliteit (1–5)"},
    "flag": {"en": "flag", "nl": "signaal"},
    "timing_during": {"en": "during a run", "nl": "tijdens het lopen"},
    "timing_after": {"en": "after a run", "nl": "na het lopen"},
    "timing_next_morning": {"en": "next morning", "nl": "volgende ochtend"},
    "timing_other": {"en": "other", "nl": "ander moment"},
    # pain vs load
    "sec_painload": {"en": "Load against pain", "nl": "Belasting tegenover pijn"},
    "painload_x": {"en": "km run in the 7 days before", "nl": "km gelopen in de 7 dagen ervoor"},
    "painload_n": {
        "en": "This chart sets n = {n} pain scores against the distance run in the 7 days before each. "
        "These are one person's data: a pattern here is a question to discuss with a physiotherapist, "
        "not proof that the load caused the pain.",
        "nl": "Deze grafiek zet n = {n} pijnscores af tegen de afstand gelopen in de 7 dagen ervoor. "
        "Dit zijn gegevens van één persoon: een patroon hier is een vraag om met een fysiotherapeut te "
        "bespreken, geen bewijs dat de belasting de pijn veroorzaakte.",
    },
    "analysis": {"en": "What your journal shows", "nl": "Wat je dagboek laat zien"},
    "any_flag": {"en": "any flag", "nl": "elk signaal"},
    "after_flagged": {"en": "after sessions with a flag", "nl": "na trainingen met een signaal"},
    "after_unflagged": {"en": "after sessions without a flag", "nl": "na trainingen zonder signaal"},
    "mean_pain": {"en": "mean pain in the days after (0–10)", "nl": "gemiddelde pijn in de dagen erna (0–10)"},
    # pmc
    "sec_pmc": {
        "en": "Fitness, fatigue and acute:chronic load (optional, contested)",
        "nl": "Fitheid, vermoeidheid en acute:chronische belasting (optioneel, omstreden)",
    },
    "pmc_caveat": {
        "en": "Shown for completeness, never as a flag. The acute:chronic workload ratio comes from team "
        "sports (Gabbett 2016); its value for predicting injury is contested (Lolli 2019; Impellizzeri "
        "2020/2021: c-statistic about 0.57; Wang 2020), and in 5,205 runners a higher ratio did not go with "
        "more injuries (Frandsen 2025). Read these lines as a description of your training, not a prediction. "
        "The ratio is hidden for the first 28 days.",
        "nl": "Alleen ter volledigheid getoond, nooit als signaal. De acute:chronische belastingsratio komt uit "
        "teamsporten (Gabbett 2016); de waarde ervan om blessures te voorspellen is omstreden (Lolli 2019; "
        "Impellizzeri 2020/2021: c-statistiek ongeveer 0,57; Wang 2020), en bij 5.205 hardlopers ging een "
        "hogere ratio niet samen met meer blessures (Frandsen 2025). Lees deze lijnen als beschrijving van je "
        "training, niet als voorspelling. De ratio ontbreekt de eerste 28 dagen.",
    },
    "ctl": {"en": "fitness (CTL, 42 days)", "nl": "fitheid (CTL, 42 dagen)"},
    "atl": {"en": "fatigue (ATL, 7 days)", "nl": "vermoeidheid (ATL, 7 dagen)"},
    "tsb": {"en": "form (TSB)", "nl": "vorm (TSB)"},
    "load_day": {"en": "load per day", "nl": "belasting per dag"},
    "acwr_ewma": {"en": "ACWR (EWMA 7/28 days)", "nl": "ACWR (EWMA 7/28 dagen)"},
    "acwr_uncoupled": {"en": "ACWR (7 days vs days 8–28)", "nl": "ACWR (7 dagen t.o.v. dag 8–28)"},
    "ratio": {"en": "ratio", "nl": "ratio"},
    "no_pmc": {"en": "Not enough data for these models.", "nl": "Te weinig gegevens voor deze modellen."},
    # calendar
    "sec_calendar": {"en": "Run and rest days", "nl": "Loop- en rustdagen"},
    "cal_run": {"en": "run (darker: longer)", "nl": "loopdag (donkerder: langer)"},
    "cal_other": {"en": "other activity only", "nl": "alleen andere activiteit"},
    "cal_rest": {"en": "rest day", "nl": "rustdag"},
    # flags table
    "sec_flags": {"en": "All flags", "nl": "Alle signalen"},
    "no_flags_period": {"en": "No rule fired in this period.", "nl": "Geen regel sloeg aan in deze periode."},
    "col_date": {"en": "Date", "nl": "Datum"},
    "col_rule": {"en": "Rule", "nl": "Regel"},
    "col_value": {"en": "Value", "nl": "Waarde"},
    "col_threshold": {"en": "Threshold", "nl": "Drempel"},
    "col_message": {"en": "Message", "nl": "Bericht"},
    "col_evidence": {"en": "Evidence", "nl": "Onderbouwing"},
    "sort_hint": {"en": "Click a column header to sort.", "nl": "Klik op een kolomkop om te sorteren."},
    # profile
    "sec_profile": {"en": "Profile used", "nl": "Gebruikt profiel"},
    "prof_hr_max": {"en": "Maximum heart rate", "nl": "Maximale hartslag"},
    "prof_hr_rest": {"en": "Resting heart rate", "nl": "Rusthartslag"},
    "prof_pace": {"en": "Threshold pace", "nl": "Drempeltempo"},
    "prof_sex": {"en": "Sex (for Banister TRIMP)", "nl": "Geslacht (voor Banister-TRIMP)"},
    "prof_tz": {"en": "Time zone", "nl": "Tijdzone"},
    "prof_value": {"en": "Value", "nl": "Waarde"},
    "prof_source": {"en": "Source", "nl": "Bron"},
    "prof_unknown": {"en": "unknown", "nl": "onbekend"},
    "prof_none": {"en": "No profile: heart-rate measures are left out.", "nl": "Geen profiel: hartslagmaten zijn weggelaten."},
    "src_given": {"en": "given", "nl": "opgegeven"},
    "src_file": {"en": "profile file", "nl": "profielbestand"},
    "src_estimated": {"en": "estimated", "nl": "geschat"},
    "male": {"en": "male", "nl": "man"},
    "female": {"en": "female", "nl": "vrouw"},
    "bpm": {"en": "beats/min", "nl": "slagen/min"},
    "per_km": {"en": "/km", "nl": "/km"},
    # footer
    "footer": {
        "en": "What runback is not: it reports associations seen in groups of runners, never a diagnosis "
        "or a prediction for one person. A flag says what was measured and what studies of runners "
        "showed; it does not say a load caused your pain, that a week is safe, or that you are injured. "
        "Keep moving; pain that lasts more than a month or is severe: see a physiotherapist.",
        "nl": "Wat runback niet is: het toont verbanden die bij groepen hardlopers zijn gezien, nooit een "
        "diagnose of een voorspelling voor één persoon. Een signaal zegt wat er gemeten is en wat onderzoek "
        "bij hardlopers liet zien; het zegt niet dat een belasting je pijn veroorzaakte, dat een week veilig "
        "is of dat je geblesseerd bent. Blijf bewegen; bij pijn die langer dan een maand duurt of hevig is: "
        "ga naar een fysiotherapeut.",
    },
    "generated": {"en": "Made with runback {version}, offline.", "nl": "Gemaakt met runback {version}, offline."},
    # team
    "team_intro": {
        "en": "Every runner in the store, as of {date}. Status: the flags of the last 14 days, most severe first.",
        "nl": "Alle lopers in de opslag, op {date}. Status: de signalen van de laatste 14 dagen, ernstigste eerst.",
    },
    "col_runner": {"en": "Runner", "nl": "Loper"},
    "col_status": {"en": "Status (last 14 days)", "nl": "Status (laatste 14 dagen)"},
    "col_pain": {"en": "Last pain", "nl": "Laatste pijn"},
    "col_trend": {"en": "Pain trend", "nl": "Pijnverloop"},
    "col_week_km": {"en": "This week (km)", "nl": "Deze week (km)"},
    "col_week_change": {"en": "vs same days last week", "nl": "t.o.v. dezelfde dagen vorige week"},
    "col_last": {"en": "Last activity", "nl": "Laatste activiteit"},
    "trend_up": {"en": "rising", "nl": "stijgend"},
    "trend_down": {"en": "falling", "nl": "dalend"},
    "trend_flat": {"en": "steady", "nl": "gelijk"},
    "trend_none": {"en": "too few entries", "nl": "te weinig metingen"},
    "none": {"en": "none", "nl": "geen"},
    "no_athletes": {"en": "The store has no athletes yet.", "nl": "De opslag heeft nog geen lopers."},
    "trend_note": {
        "en": "Pain trend: mean of the last 7 days of entries against the 7 days before; a change of 2 points "
        "or more is the smallest that matters to people (Ostelo 2008).",
        "nl": "Pijnverloop: gemiddelde van de laatste 7 dagen met metingen tegenover de 7 dagen ervoor; een "
        "verandering van 2 punten of meer is de kleinste die mensen merken (Ostelo 2008).",
    },
}

# how load.profile estimated a value (its ``*_source`` after "estimated: "), in Dutch
ESTIMATE_METHOD_NL: dict[str, str] = {
    "highest heart rate held over 5 samples": "hoogste hartslag die 5 metingen aanhield",
    "highest activity maximum heart rate": "hoogste maximale hartslag van een activiteit",
    "lowest heart rate in any sample": "laagste hartslag in alle metingen",
    "60 bpm, a typical adult value (activity files hold no resting heart rate)": (
        "60 slagen/min, een gangbare waarde voor volwassenen (activiteitsbestanden bevatten geen rusthartslag)"
    ),
    "Riegel (exponent 1.06) 60-min pace from the best run of 10 min to 3 h": (
        "tempo voor 60 min volgens Riegel (exponent 1,06) uit de beste loop van 10 min tot 3 uur"
    ),
    "median of the best 20-60 min efforts (Riegel-adjusted to 60 min) of 3 runs that agree within 10%": (
        "mediaan van de beste inspanningen van 20-60 min (met Riegel omgerekend naar 60 min) van 3 lopen "
        "die binnen 10% overeenkomen"
    ),
    "median of the best 20-60 min efforts (Riegel-adjusted to 60 min) of the 3 best runs "
    "(they do not agree within 10%)": (
        "mediaan van de beste inspanningen van 20-60 min (met Riegel omgerekend naar 60 min) van de 3 beste "
        "lopen (die niet binnen 10% overeenkomen)"
    ),
}


def estimate_method(method: str, lang: str) -> str:
    """How a profile value was estimated, in ``lang``; an unknown method shows as it is."""
    return ESTIMATE_METHOD_NL.get(method, method) if lang == "nl" else method


RULE_LABEL: dict[str, dict[str, str]] = {
    "session_spike": {"en": "Run much longer than recent runs", "nl": "Loop veel langer dan recente lopen"},
    "weekly_jump": {"en": "Weekly distance rising fast", "nl": "Weekafstand stijgt snel"},
    "intensity_jump": {"en": "Intensity rising fast", "nl": "Intensiteit stijgt snel"},
    "no_rest": {"en": "Too few rest days", "nl": "Te weinig rustdagen"},
    "monotony": {"en": "Same load every day", "nl": "Elke dag dezelfde belasting"},
    "acwr": {"en": "Acute:chronic load", "nl": "Acute:chronische belasting"},
    "stress_or_poor_sleep": {
        "en": "Hard session with high stress or poor sleep",
        "nl": "Zware training bij veel stress of slecht slapen",
    },
    "pain_during_run": {"en": "Back pain during or right after a run", "nl": "Rugpijn tijdens of vlak na het lopen"},
    "pain_next_morning": {"en": "More pain the morning after", "nl": "Meer pijn de ochtend erna"},
    "pain_persistent": {"en": "Pain for more than a month", "nl": "Pijn langer dan een maand"},
}

BAND_LABEL: dict[str, dict[str, str]] = {
    "small": {"en": "small", "nl": "klein"},
    "moderate": {"en": "moderate", "nl": "matig"},
    "large": {"en": "large", "nl": "groot"},
    "context": {"en": "context", "nl": "context"},
    "heuristic": {"en": "heuristic", "nl": "heuristiek"},
    "present": {"en": "present", "nl": "aanwezig"},
    "acceptable_if_settles": {"en": "acceptable if it settles", "nl": "acceptabel als het zakt"},
    "too_much": {"en": "too much", "nl": "te veel"},
    "shown": {"en": "shown", "nl": "getoond"},
    "no_baseline": {"en": "no baseline", "nl": "geen basis"},
    "increase": {"en": "increase", "nl": "toename"},
    "persistent": {"en": "persistent", "nl": "aanhoudend"},
    "high": {"en": "high", "nl": "hoog"},
    "above_own_p90": {"en": "above your own 90th percentile", "nl": "boven je eigen 90e percentiel"},
    "above_cutoff": {"en": "above the cut-off", "nl": "boven de grens"},
}

# The advice of Dutch physiotherapy guidance for each rule (docs/evidence.md).
ADVICE: dict[str, dict[str, str]] = {
    "session_spike": {
        "en": "Build up the length of your longest run gradually rather than in one step.",
        "nl": "Bouw de lengte van je langste loop geleidelijk op, niet in één keer.",
    },
    "weekly_jump": {
        "en": "Build up your weekly distance gradually and plan enough rest days.",
        "nl": "Bouw je weekafstand geleidelijk op en plan genoeg rustdagen.",
    },
    "intensity_jump": {
        "en": "Raise intensity slowly: fast running and hard sessions in small steps.",
        "nl": "Verhoog de intensiteit langzaam: snel lopen en zware trainingen in kleine stappen.",
    },
    "no_rest": {
        "en": "Plan enough rest days and alternate activity with rest.",
        "nl": "Plan genoeg rustdagen en wissel activiteit af met rust.",
    },
    "monotony": {
        "en": "Alternate harder and easier days, with rest in between.",
        "nl": "Wissel zwaardere en lichtere dagen af, met rust ertussen.",
    },
    "acwr": {
        "en": "A contested measure: use it as a description, not a reason to change plans on its own.",
        "nl": "Een omstreden maat: gebruik hem als beschrijving, niet als reden om op zich je plan te wijzigen.",
    },
    "stress_or_poor_sleep": {
        "en": "With a lot of stress or poor sleep you can keep training, but at a lower intensity.",
        "nl": "Bij veel stress of slecht slapen kun je blijven trainen, maar op een lagere intensiteit.",
    },
    "pain_during_run": {
        "en": "Stop or ease off when your back hurts during or right after a run; keep moving, at a lower "
        "distance or intensity.",
        "nl": "Stop of doe rustiger aan als je rug pijn doet tijdens of vlak na het lopen; blijf bewegen, met "
        "minder afstand of intensiteit.",
    },
    "pain_next_morning": {
        "en": "Keep moving, but lower distance or intensity for the next runs.",
        "nl": "Blijf bewegen, maar verlaag afstand of intensiteit bij de volgende lopen.",
    },
    "pain_persistent": {
        "en": "Pain that lasts more than a month without improving: see a physiotherapist.",
        "nl": "Pijn die langer dan een maand duurt zonder te verbeteren: ga naar een fysiotherapeut.",
    },
}

# Dutch summaries of the evidence column (docs/evidence.md); English reports use the flags' own text.
EVIDENCE_NL: dict[str, str] = {
    "session_spike": "Nederlands fysiotherapeutisch advies (lange afstanden zonder voorbereiding). Frandsen e.a., BJSM 2025, 5.205 hardlopers, "
    "588.071 trainingen: hazardratio 1,64 (klein), 1,52 (matig), 2,28 (groot) t.o.v. ≤10%, voor "
    "overbelastingsblessures op elke plek. Bewijs: matig.",
    "weekly_jump": "Nederlands fysiotherapeutisch advies (geleidelijk opbouwen). Nielsen e.a., JOSPT 2014, 874 beginners: >30% gaf HR 1,59 "
    "(0,96–2,66), niet significant; de '10%-regel' hielp niet in een trial (Buist e.a. 2008); Frandsen 2025 "
    "vond geen verband met de weekratio. Bewijs: zwak.",
    "intensity_jump": "Nederlands fysiotherapeutisch advies (intensiteit te snel verhoogd). Geen direct bewijs; Run Clever (Ramskov e.a. "
    "2018) vond geen verschil tussen opbouw in intensiteit of volume. Mechanisme: sneller lopen drukt de "
    "tussenwervelschijven meer samen (Garbutt e.a. 1990). Heuristiek; bewijs: zwak.",
    "no_rest": "Nederlands fysiotherapeutisch advies (plan genoeg rustdagen); geen drempel uit onderzoek gevonden. Bewijs: zwak.",
    "monotony": "Foster 1998 (ziekte en kleine blessures bij 25 sporters); de grens 2,0 staat niet in de "
    "samenvatting van het oorspronkelijke artikel. Bewijs: zwak.",
    "acwr": "Gabbett 2016 (teamsporten). Omstreden: Lolli 2019, Impellizzeri 2020/2021 (c-statistiek ongeveer "
    "0,57), Wang 2020; bij hardlopers geen positief dosis-responsverband (Frandsen 2025). Bewijs: zwak/omstreden.",
    "stress_or_poor_sleep": "Nederlands fysiotherapeutisch advies (bij stress of slecht slapen op lagere intensiteit). Subjectief welzijn volgt "
    "de belasting (Saw e.a., BJSM 2016); kort slapen en blessures bij jonge sporters (Milewski 2014, RR 1,7). "
    "Bewijs: zwak tot matig.",
    "pain_during_run": "Nederlands fysiotherapeutisch advies (stoppen of rustiger aan bij pijn). Pijnmonitoringsmodel, Silbernagel e.a. 2007 "
    "(achillespees; naar de rug doorgetrokken). Bewijs voor de rug: zwak.",
    "pain_next_morning": "Kleinste belangrijke verandering op de NRS: 2 punten of 30% (Ostelo e.a. 2008). "
    "Bewijs voor het meetinstrument: matig.",
    "pain_persistent": "Dutch physiotherapy guidance: pijn die langer dan een maand duurt zonder te verbeteren: ga naar een "
    "fysiotherapeut (advies, geen onderzoek).",
}


def tr(key: str, lang: str, /, **kwargs: object) -> str:
    """The text for ``key`` in ``lang``, with ``{placeholders}`` filled from ``kwargs``."""
    text = T[key][lang]
    return text.format(**kwargs) if kwargs else text


def rule_label(rule: str, lang: str) -> str:
    """A short name for a rule id; unknown rules show their id."""
    return RULE_LABEL.get(rule, {}).get(lang, rule)


def band_label(band: str, lang: str) -> str:
    """A band name in ``lang``; unknown bands show as they are."""
    days = re.fullmatch(r"(\d+)\+_days", band)
    if days:
        return f"{days.group(1)}+ {'dagen' if lang == 'nl' else 'days'}"
    return BAND_LABEL.get(band, {}).get(lang, band.replace("_", " "))


def fmt_date(day: dt.date, lang: str, *, year: bool = True) -> str:
    """``3 Mar 2024`` / ``3 mrt 2024``."""
    text = f"{day.day} {SHORT_MONTHS[lang][day.month - 1]}"
    return f"{text} {day.year}" if year else text


def fmt_num(value: float | None, lang: str, *, digits: int = 1) -> str:
    """A number with the language's decimal separator; ``–`` for missing values."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{digits}f}"
    if lang == "nl":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def fmt_pct(ratio: float | None, lang: str) -> str:
    """A change ratio (0.35) as ``+35%``; ``–`` for missing values."""
    if ratio is None or (isinstance(ratio, float) and math.isnan(ratio)):
        return "–"
    return f"{ratio * 100:+.0f}%".replace("-", "−")


def fmt_pace(s_per_km: float | None, lang: str) -> str:
    """Seconds per km as ``4:35 /km``."""
    if s_per_km is None or (isinstance(s_per_km, float) and math.isnan(s_per_km)):
        return tr("prof_unknown", lang)
    total = round(s_per_km)
    return f"{total // 60}:{total % 60:02d} {tr('per_km', lang)}"


# plotly.js locale: Dutch month and day names on date axes, decimal comma, and the
# few interface strings a reader can meet (the mode bar is hidden).
PLOTLY_LOCALES: dict[str, dict[str, object]] = {
    "nl": {
        "dictionary": {
            "Double-click to zoom back out": "Dubbelklik om terug te zoomen",
            "Click to enter Colorscale title": "Klik om een titel in te vullen",
            "Autoscale": "Automatisch schalen",
            "Reset axes": "Assen herstellen",
            "Zoom": "Zoomen",
            "Pan": "Verschuiven",
            "Download plot as a png": "Grafiek downloaden als png",
            "trace": "reeks",
        },
        "format": {
            "days": list(DAYS["nl"][6:] + DAYS["nl"][:6]),  # plotly wants Sunday first
            "shortDays": list(SHORT_DAYS["nl"][6:] + SHORT_DAYS["nl"][:6]),
            "months": list(MONTHS["nl"]),
            "shortMonths": list(SHORT_MONTHS["nl"]),
            "date": "%d-%m-%Y",
            "decimal": ",",
            "thousands": ".",
        },
    }
}
