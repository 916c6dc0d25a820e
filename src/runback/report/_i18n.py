"""Every word the reports show, in English and Dutch.

One table, so a missing translation is a failing test rather than an English
word in a Dutch report.  Rule messages themselves come from the flags frame
(``message_en`` / ``message_nl``); each rule's label, bands, advice and Dutch
evidence come from its declaration (:data:`runback.model.RULES`).
"""

from __future__ import annotations

import math

from runback import registry
from runback.fmt import DAYS, MONTHS, SHORT_DAYS, SHORT_MONTHS, fmt_num, fmt_pct
from runback.fmt import fmt_date_short as fmt_date
from runback.load.rules import SESSION_SPIKE
from runback.model import RULES, RULES_BY_ID

__all__ = [
    "ADVICE",
    "BAND_LABEL",
    "DAYS",
    "EVIDENCE_NL",
    "LANGS",
    "MONTHS",
    "PLOTLY_LOCALES",
    "RULE_LABEL",
    "SHORT_DAYS",
    "SHORT_MONTHS",
    "SPIKE_WINDOW_DAYS",
    "T",
    "band_label",
    "estimate_method",
    "fmt_date",
    "fmt_num",
    "fmt_pace",
    "fmt_pct",
    "rule_label",
    "tr",
]

LANGS: tuple[str, ...] = ("en", "nl")

# the per-run chart draws session_spikes with the rule's default window and bands (as the report runs it)
_DAYS = SESSION_SPIKE.params["spike_window_days"]
SPIKE_WINDOW_DAYS: int = int(_DAYS)
_SMALL, _MODERATE, _LARGE = (f"{edge * 100:g}" for edge in SESSION_SPIKE.params["spike_bands"])

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
        "en": "Kilometres run per week (Monday to Sunday), labelled with the change from the week before "
        "where there is room. Hatched orange bars are weeks in which a rule backed by evidence fired; pale "
        "orange bars, weeks with only a flag on weak evidence or a rule of thumb.",
        "nl": "Gelopen kilometers per week (maandag tot en met zondag), met de verandering ten opzichte van "
        "de week ervoor waar daar ruimte voor is. Gearceerde oranje balken zijn weken waarin een regel met "
        "onderbouwing aansloeg; lichtoranje balken, weken met alleen een signaal op zwak bewijs of een vuistregel.",
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
        "en": f"Each run against your longest run of the previous {_DAYS} days",
        "nl": f"Elke loop tegenover je langste loop van de {_DAYS} dagen ervoor",
    },
    "sessions_intro": {
        "en": f"Dots: each run's distance. Line: the longest run in the {_DAYS} days before it. "
        "A run far above the line is a session spike (Frandsen et al. 2025).",
        "nl": f"Stippen: de afstand van elke loop. Lijn: de langste loop in de {_DAYS} dagen ervoor. "
        "Een loop ver boven de lijn is een piek in afstand (Frandsen e.a. 2025).",
    },
    "longest_30": {"en": f"longest run, previous {_DAYS} days", "nl": f"langste loop, {_DAYS} dagen ervoor"},
    "band_none": {"en": f"up to {_SMALL}% longer", "nl": f"tot {_SMALL}% langer"},
    "band_small": {"en": f"{_SMALL}–{_MODERATE}% longer", "nl": f"{_SMALL}–{_MODERATE}% langer"},
    "band_moderate": {"en": f"{_MODERATE}–{_LARGE}% longer", "nl": f"{_MODERATE}–{_LARGE}% langer"},
    "band_large": {"en": f"more than {_LARGE}% longer", "nl": f"meer dan {_LARGE}% langer"},
    "band_nobase": {"en": f"no run in the {_DAYS} days before", "nl": f"geen loop in de {_DAYS} dagen ervoor"},
    "vs_longest": {"en": f"vs longest of previous {_DAYS} days", "nl": f"t.o.v. langste van {_DAYS} dagen ervoor"},
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
    "col_group": {"en": "Against the group", "nl": "Ten opzichte van de groep"},
    "group_place": {
        "en": "weekly km: percentile {km}; flags per 100 runs: percentile {flags}",
        "nl": "km per week: percentiel {km}; signalen per 100 lopen: percentiel {flags}",
    },
    "sleep_h_device": {"en": "sleep, from the watch (hours)", "nl": "slaap, volgens het horloge (uren)"},
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
    # load events
    "sec_events": {"en": "Load events and the pain around them", "nl": "Belastingspieken en de pijn eromheen"},
    "events_intro": {
        "en": "Each run much longer than your recent runs, each week of fast-rising distance and each run of "
        "days without rest, with the pain you logged in the 7 days before and the 7 days after (the day's "
        "highest score). These are one person's data: a pattern here is a question to discuss with a "
        "physiotherapist, not proof that the load caused the pain.",
        "nl": "Elke loop die veel langer was dan je recente lopen, elke week met een snel stijgende afstand en "
        "elke reeks dagen zonder rust, met de pijn die je noteerde in de 7 dagen ervoor en de 7 dagen erna (de "
        "hoogste score van de dag). Dit zijn gegevens van één persoon: een patroon hier is een vraag om met een "
        "fysiotherapeut te bespreken, geen bewijs dat de belasting de pijn veroorzaakte.",
    },
    "no_events": {"en": "No load events in this period.", "nl": "Geen belastingspieken in deze periode."},
    "more_events": {"en": "{n} earlier load events", "nl": "{n} eerdere belastingspieken"},
    "event_day": {
        "en": "the {km} run on {date} ({pct} on the longest of the previous {days} days)",
        "nl": "de loop van {km} op {date} ({pct} t.o.v. de langste van de {days} dagen ervoor)",
    },
    "event_week": {
        "en": "the week of {date} ({km}, {pct} on the week before)",
        "nl": "de week van {date} ({km}, {pct} t.o.v. de week ervoor)",
    },
    "event_streak": {
        "en": "{n} running days in a row from {date}",
        "nl": "{n} loopdagen achter elkaar vanaf {date}",
    },
    "before_none": {"en": "no entry the week before", "nl": "geen meting de week ervoor"},
    "before_range": {"en": "pain {range} the week before", "nl": "pijn {range} de week ervoor"},
    "after_none": {"en": "no entry in the 7 days after", "nl": "geen meting in de 7 dagen erna"},
    "after_zero": {
        "en": "pain 0 on the {n} days logged after",
        "nl": "pijn 0 op de {n} gemeten dagen erna",
    },
    "after_range": {
        "en": "{range} on {n} of the 7 days after",
        "nl": "{range} op {n} van de 7 dagen erna",
    },
    "col_event": {"en": "Load event", "nl": "Belastingspiek"},
    "col_before": {"en": "Pain, 7 days before", "nl": "Pijn, 7 dagen ervoor"},
    "col_after": {"en": "Pain, 7 days after", "nl": "Pijn, 7 dagen erna"},
    "status_event": {
        "en": "The back pain logged since {start} came after this load event: {event}; {before}, {after}.",
        "nl": "De rugpijn die je sinds {start} noteert kwam na deze belastingspiek: {event}; {before}, {after}.",
    },
    # evidence, once per rule
    "sec_evidence": {"en": "What the studies found", "nl": "Wat het onderzoek liet zien"},
    "evidence_intro": {
        "en": "Each rule that fired in this period, once: the guidance and studies behind it and how strong "
        "they are. Rules on weak evidence or a rule of thumb are drawn quieter (grey) in the tables and charts.",
        "nl": "Elke regel die in deze periode aansloeg, één keer: het advies en het onderzoek erachter en hoe "
        "sterk dat is. Regels met zwak bewijs of een vuistregel zijn rustiger (grijs) getekend in de tabellen "
        "en grafieken.",
    },
    "strength_3": {"en": "moderate evidence", "nl": "matig bewijs"},
    "strength_2": {"en": "weak to moderate evidence", "nl": "zwak tot matig bewijs"},
    "strength_1": {"en": "weak evidence", "nl": "zwak bewijs"},
    "strength_advice": {"en": "physiotherapy advice, not a study", "nl": "fysiotherapeutisch advies, geen onderzoek"},
    "strength_0": {"en": "weak, contested evidence", "nl": "zwak, omstreden bewijs"},
    "col_strength": {"en": "Evidence", "nl": "Bewijs"},
    "col_baseline": {"en": "Baseline", "nl": "Basis"},
    "in_words": {"en": "in words", "nl": "in woorden"},
    "advice_label": {"en": "Advice", "nl": "Advies"},
    "outside_period": {
        "en": "Journal entries outside the period of your activities (not drawn):",
        "nl": "Dagboekregels buiten de periode van je activiteiten (niet getekend):",
    },
    "weak_week": {"en": "week with a weak-evidence flag only", "nl": "week met alleen een signaal met zwak bewijs"},
    "pain_flag": {"en": "pain flag", "nl": "pijnsignaal"},
    "load_flag": {"en": "load flag", "nl": "belastingssignaal"},
    "pain_daily_max": {"en": "highest pain of the day", "nl": "hoogste pijn van de dag"},
    # the physiotherapist's page
    "physio_title": {"en": "runback summary for the physiotherapist: {athlete}",
                     "nl": "runback-samenvatting voor de fysiotherapeut: {athlete}"},
    "physio_lead": {
        "en": "Training load and self-reported back pain (0 none, 10 worst) of the last 12 weeks, {start} to {end}. "
        "Made by the runner with runback from their watch files and pain journal.",
        "nl": "Trainingsbelasting en zelf gemelde rugpijn (0 geen, 10 ergst) van de laatste 12 weken, {start} tot en "
        "met {end}. Gemaakt door de loper met runback uit horloge-bestanden en pijndagboek.",
    },
    "physio_pain": {"en": "Pain over the last 12 weeks", "nl": "Pijn in de laatste 12 weken"},
    "physio_pain_caption": {
        "en": "Dots: the day's highest pain score (no dot: no entry that day). Bars below: km run per day.",
        "nl": "Stippen: de hoogste pijnscore van de dag (geen stip: geen meting die dag). Balken: km gelopen per dag.",
    },
    "physio_flags": {"en": "Flags of the last 12 weeks", "nl": "Signalen van de laatste 12 weken"},
    "physio_events": {"en": "Load events and pain before and after", "nl": "Belastingspieken en pijn ervoor en erna"},
    "physio_profile": {"en": "Profile", "nl": "Profiel"},
    "physio_summary": {
        "en": "{runs} runs, {km} km in these 12 weeks; {entries} journal entries, pain {low}–{high}/10.",
        "nl": "{runs} lopen, {km} km in deze 12 weken; {entries} dagboekregels, pijn {low}–{high}/10.",
    },
    "no_chromium": {
        "en": "cannot write a PDF: headless Chromium was not found at {path} (install Debian's chromium package)",
        "nl": "kan geen PDF schrijven: headless Chromium niet gevonden op {path} (installeer Debians chromium-pakket)",
    },
    # team
    "team_intro": {
        "en": "Every runner in the store, as of {date}. Status: the flags of the last 14 days. Runners with high "
        "or rising back pain come first, then the others by the evidence behind their flags.",
        "nl": "Alle lopers in de opslag, op {date}. Status: de signalen van de laatste 14 dagen. Lopers met hevige "
        "of toenemende rugpijn staan bovenaan, de anderen daarna op het bewijs achter hun signalen.",
    },
    "col_runner": {"en": "Runner", "nl": "Loper"},
    "col_status": {"en": "Status (last 14 days)", "nl": "Status (laatste 14 dagen)"},
    "col_pain": {"en": "Last pain", "nl": "Laatste pijn"},
    "col_trend": {"en": "Pain trend", "nl": "Pijnverloop"},
    "col_week_km": {"en": "This week (km)", "nl": "Deze week (km)"},
    "col_week_change": {"en": "vs same days last week", "nl": "t.o.v. dezelfde dagen vorige week"},
    "col_last": {"en": "Last activity", "nl": "Laatste activiteit"},
    "stale": {"en": "no activity or pain entry since {date}", "nl": "geen activiteit of pijnmeting sinds {date}"},
    "team_key": {
        "en": "Colours: red, high or rising back pain (listed first); orange, another pain flag or a load flag "
        "backed by moderate evidence; grey, a load flag on weak evidence or a rule of thumb; 'no recent data', no "
        "activity or pain entry in the last 14 days. Then by the evidence behind the flags, strongest first.",
        "nl": "Kleuren: rood, hevige of toenemende rugpijn (bovenaan); oranje, een ander pijnsignaal of een "
        "belastingssignaal met matig bewijs; grijs, een belastingssignaal met zwak bewijs of een vuistregel; "
        "'geen recente gegevens', geen activiteit of pijnmeting in de laatste 14 dagen. Daarna op het bewijs "
        "achter de signalen, sterkste eerst.",
    },
    "stale_badge": {"en": "no recent data", "nl": "geen recente gegevens"},
    "scroll_cue": {"en": "Swipe sideways to see every column →", "nl": "Veeg opzij voor alle kolommen →"},
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


# rule id -> {"en": ..., "nl": ...}, read from the rules' declarations
RULE_LABEL: dict[str, dict[str, str]] = {rule.id: dict(rule.label) for rule in RULES}
ADVICE: dict[str, dict[str, str]] = {rule.id: dict(rule.advice) for rule in RULES}
# English reports use the flags' own evidence text
EVIDENCE_NL: dict[str, str] = {rule.id: rule.evidence["nl"] for rule in RULES}
BAND_LABEL: dict[str, dict[str, str]] = {
    band: dict(spec.label) for rule in RULES for band, spec in rule.bands.items()
}


def tr(key: str, lang: str, /, **kwargs: object) -> str:
    """The text for ``key`` in ``lang``, with ``{placeholders}`` filled from ``kwargs``."""
    text = T[key][lang]
    return text.format(**kwargs) if kwargs else text


def rule_label(rule: str, lang: str) -> str:
    """A short name for a rule id; unknown rules show their id."""
    known = RULES_BY_ID.get(rule)
    return known.label[lang] if known is not None else rule


def band_label(band: str, lang: str, rule: str | None = None) -> str:
    """A band name in ``lang`` (the rule's own label where ``rule`` is given); unknown bands show as they are."""
    return registry.band_label(RULES_BY_ID, rule, band, lang)


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
