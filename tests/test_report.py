"""The report builders on frames made by hand: sections, wording, language, offline."""

from __future__ import annotations

import datetime as dt
import re
from html import escape as html_escape

import polars as pl
import pytest

from runback import schema
from runback.errors import OptionError
from runback.report import (
    build_runner_report,
    build_team_index,
    pain_trend,
    run_spikes,
    runner_status,
    team_frame,
)
from runback.report._i18n import ADVICE, EVIDENCE_NL, RULE_LABEL, T, fmt_num, fmt_pct
from runback.report._inputs import resolve_athlete
from synthetic import flag_row, synthetic_frames
from runback.report.runner import calendar_html, recent_flags

RULES = (
    "session_spike weekly_jump intensity_jump no_rest monotony acwr stress_or_poor_sleep "
    "pain_during_run pain_next_morning pain_persistent"
).split()
D0 = dt.date(2024, 1, 1)


def _run(i: int, day: dt.date, km: float, sport: str = "running") -> dict[str, object]:
    t = dt.datetime.combine(day, dt.time(8))
    return {"activity_id": f"a{i}", "athlete": "me", "sport": sport, "start_time_local": t,
            "start_time_utc": t.replace(tzinfo=dt.timezone.utc), "distance_m": km * 1000}


def _outside_plotly(html: str) -> str:
    """The page without the embedded plotly.js (whose source mentions URLs it never fetches here)."""
    start = html.find('<script type="text/javascript">')
    if start < 0:
        return html
    return html[:start] + html[html.index("</script>", start):]


def _visible_text(html: str) -> str:
    """Text a reader sees or a chart shows: tags stripped, figure JSON kept (titles, legends)."""
    body = _outside_plotly(html)
    body = re.sub(r"<script>.*?</script>", "", body, flags=re.S)  # the render/sort code
    body = re.sub(r"<style>.*?</style>", "", body, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


@pytest.fixture(scope="module")
def frames() -> dict[str, object]:
    return synthetic_frames(days=120)


@pytest.fixture(scope="module")
def report_en(frames: dict[str, object]) -> str:
    return build_runner_report(**frames, lang="en")  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def report_nl(frames: dict[str, object]) -> str:
    return build_runner_report(**frames, lang="nl")  # type: ignore[arg-type]


# --------------------------------------------------------------------------
# the i18n table
# --------------------------------------------------------------------------
def test_every_text_has_english_and_dutch() -> None:
    for key, texts in T.items():
        assert set(texts) == {"en", "nl"}, key
        assert all(texts.values()), key
        # same placeholders in both languages
        assert set(re.findall(r"{(\w+)}", texts["en"])) == set(re.findall(r"{(\w+)}", texts["nl"])), key


def test_every_rule_has_a_label_advice_and_dutch_evidence() -> None:
    for rule in RULES:
        assert set(RULE_LABEL[rule]) == {"en", "nl"}
        assert set(ADVICE[rule]) == {"en", "nl"}
        assert EVIDENCE_NL[rule]
    # the rule ids the schema promises are the ones labelled here
    documented = re.findall(r"\b[a-z]+(?:_[a-z]+)+\b|\bmonotony\b|\bacwr\b", schema.FLAGS_DOC["rule"])
    assert set(documented) == set(RULES)


def test_numbers_follow_the_language() -> None:
    assert fmt_num(5139.6, "en") == "5,139.6"
    assert fmt_num(5139.6, "nl") == "5.139,6"
    assert fmt_pct(0.35, "en") == "+35%"
    assert fmt_pct(-0.2, "nl") == "−20%"
    assert fmt_num(None, "en") == "–"


# --------------------------------------------------------------------------
# session spike: each run against the longest run of the previous 30 days
# --------------------------------------------------------------------------
def test_run_spikes_hand_computed() -> None:
    acts = schema.conform(
        pl.DataFrame(
            [
                _run(0, D0, 10.0),  # no run before: no baseline
                _run(1, D0 + dt.timedelta(days=10), 5.0),  # vs 10: -50%
                _run(2, D0 + dt.timedelta(days=20), 13.5),  # vs 10: +35% moderate
                _run(3, D0 + dt.timedelta(days=50), 12.0),  # window days 20..49: 13.5 -> -11%
                _run(4, D0 + dt.timedelta(days=51), 30.0, sport="cycling"),  # not a run
                _run(5, D0 + dt.timedelta(days=80), 14.0),  # window days 50..79: 12 -> +16.7% small
                _run(6, D0 + dt.timedelta(days=111), 8.0),  # window days 81..110: empty
                _run(7, D0 + dt.timedelta(days=112), 17.0),  # vs 8: +112.5% large
                _run(8, D0 + dt.timedelta(days=112), 10.0),  # same day as a7: still vs 8 only, +25%
            ]
        ),
        schema.ACTIVITIES,
    )
    out = run_spikes(acts).sort("activity_id")
    assert out["activity_id"].to_list() == ["a0", "a1", "a2", "a3", "a5", "a6", "a7", "a8"]
    assert out["baseline_m"].to_list() == [None, 10000.0, 10000.0, 13500.0, 12000.0, None, 8000.0, 8000.0]
    assert out["band"].to_list() == ["nobase", "none", "moderate", "none", "small", "nobase", "large", "small"]
    assert out["ratio"][2] == pytest.approx(0.35)
    assert out["ratio"][6] == pytest.approx(1.125)


def test_run_spikes_window_is_the_30_days_before() -> None:
    acts = schema.conform(
        pl.DataFrame([_run(0, D0, 10.0), _run(1, D0 + dt.timedelta(days=30), 5.0),
                      _run(2, D0 + dt.timedelta(days=61), 5.0)]),
        schema.ACTIVITIES,
    )
    out = run_spikes(acts).sort("activity_id")
    # day 30 still sees day 0 (30 days before); day 61 does not see day 30 (31 days before)
    assert out["baseline_m"].to_list() == [None, 10000.0, None]


# --------------------------------------------------------------------------
# the runner report
# --------------------------------------------------------------------------
def test_report_has_every_section(report_en: str) -> None:
    for anchor in ("status", "weekly", "sessions", "pain", "painload", "pmc", "calendar", "flags", "profile"):
        assert f'id="{anchor}"' in report_en, anchor
    for key in ("sec_weekly", "sec_sessions", "sec_pain", "sec_painload", "sec_pmc", "sec_calendar", "sec_flags",
                "sec_profile", "status_heading"):
        assert T[key]["en"] in report_en, key
    assert T["footer"]["en"].split(":")[0] in report_en  # "What runback is not"
    # PMC and ACWR: collapsed by default, with the caveat
    assert re.search(r'<details id="pmc">', report_en)
    assert T["pmc_caveat"]["en"][:60] in report_en
    # one chart each for weekly, sessions, pain timeline, pain vs load, PMC, ACWR
    assert report_en.count('class="rb-plot"') == 6


def test_report_is_offline_and_embeds_plotly_once(report_en: str) -> None:
    assert report_en.count('<script type="text/javascript">') == 1
    assert report_en.count("Plotly.newPlot") == 1
    assert "src=" not in re.sub(r"<script>.*?</script>", "", _outside_plotly(report_en), flags=re.S)
    rest = _outside_plotly(report_en)
    assert not re.search(r"https?://|//cdn|@import|url\(", rest)
    assert "mathjax" not in rest.lower()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in report_en
    assert '"responsive": true' in report_en


def test_status_words_the_recent_flags_with_the_seeds_advice(frames: dict[str, object]) -> None:
    days = 120
    end = D0 + dt.timedelta(days=days - 1)
    flags = schema.conform(
        pl.DataFrame(
            [
                flag_row("me", end - dt.timedelta(days=2), "session_spike", band="large", value=1.2,
                         message_en="This run was 120% longer than your longest run in the last 30 days.",
                         message_nl="Deze loop was 120% langer dan je langste loop van de laatste 30 dagen."),
                flag_row("me", end - dt.timedelta(days=20), "no_rest", message_en="OLD FLAG", message_nl="OUDE"),
            ]
        ),
        schema.FLAGS,
    )
    args = {**frames, "flags": flags}
    en = build_runner_report(**args, lang="en")  # type: ignore[arg-type]
    status_en = en[en.index('id="status"'):en.index('id="weekly"')]
    assert "This run was 120% longer than your longest run in the last 30 days." in status_en
    assert ADVICE["session_spike"]["en"] in status_en
    assert "OLD FLAG" not in status_en  # 20 days ago: outside the last two weeks
    assert ADVICE["no_rest"]["en"] not in status_en
    assert "OLD FLAG" in en  # ... but in the table of all flags
    nl = build_runner_report(**args, lang="nl")  # type: ignore[arg-type]
    status_nl = nl[nl.index('id="status"'):nl.index('id="weekly"')]
    assert "Deze loop was 120% langer dan je langste loop van de laatste 30 dagen." in status_nl
    assert ADVICE["session_spike"]["nl"] in status_nl


def test_status_without_flags_never_calls_a_week_safe(frames: dict[str, object]) -> None:
    html = build_runner_report(**{**frames, "flags": schema.empty(schema.FLAGS)}, lang="en")  # type: ignore[arg-type]
    status = html[html.index('id="status"'):html.index('id="weekly"')]
    assert html_escape(T["no_flags"]["en"]) in status
    assert "safe" not in status.lower()


def test_dutch_report_is_dutch_throughout(report_en: str, report_nl: str) -> None:
    # the figures' JSON may escape non-ASCII ("\u2013" without orjson, "–" with it): compare decoded text
    import json

    def decoded(text: str) -> str:
        return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: json.loads(f'"{m.group(0)}"'), text)

    text_nl = decoded(_visible_text(report_nl))
    text_en = decoded(_visible_text(report_en))
    assert '<html lang="nl">' in report_nl
    for key in ("sec_weekly", "sec_pain", "sec_flags", "col_threshold", "pain", "km_day", "longest_30", "ctl"):
        assert T[key]["nl"] in text_nl, key
    # no English phrase of the table appears in the Dutch page (chart titles, legends, headers included)
    leaks = []
    for key, texts in T.items():
        english = texts["en"].split("{")[0].strip()
        if english != texts["nl"].split("{")[0].strip() and re.search(rf"\b{re.escape(english)}\b", text_nl):
            leaks.append(key)
    assert leaks == []
    # rule labels and evidence too
    assert RULE_LABEL["session_spike"]["nl"] in text_nl
    assert RULE_LABEL["session_spike"]["en"] not in text_nl
    assert EVIDENCE_NL["session_spike"][:40] in text_nl
    # month and day names
    assert "april" in text_nl and "April" in text_en
    assert '"locale": "nl"' in report_nl and "mrt" in report_nl


def test_flags_table_columns_and_values(report_en: str) -> None:
    table = report_en[report_en.index('<table class="sortable flags">'):]
    table = table[: table.index("</table>")]
    headers = re.findall(r"<th(?:\s[^>]*)?>(.*?)</th>", table)
    # issue 14: the evidence is said once per rule, below the table; rows carry value, threshold, baseline
    assert headers == ["Date", "Rule", "Value", "Threshold", "Baseline"]
    assert "+45%" in table  # session_spike 0.45 as a change
    assert "evidence for session_spike" not in table
    evidence = report_en[report_en.index('<section id="evidence">'):]
    assert evidence.count("evidence for session_spike") == 1


def test_since_limits_what_is_shown_not_the_baselines(frames: dict[str, object]) -> None:
    since = D0 + dt.timedelta(days=60)
    html = build_runner_report(**frames, since=since, lang="en")  # type: ignore[arg-type]
    assert "1 Mar 2024 – 29 Apr 2024" in html  # day 60 of a leap year .. day 119
    # the weekly_jump flag of day 40 is before the period: not in the table
    assert "weekly_jump fired" not in html
    # the first run shown still has its 30-day baseline (no "no run in the 30 days before" band)
    assert T["band_nobase"]["en"] not in html
    assert build_runner_report(**frames, since="2024-03-01", lang="en") == html  # type: ignore[arg-type]
    with pytest.raises(OptionError, match="not a date"):
        build_runner_report(**frames, since="March", lang="en")  # type: ignore[arg-type]


def test_unknown_language_is_an_option_error(frames: dict[str, object]) -> None:
    with pytest.raises(OptionError, match="en, nl"):
        build_runner_report(**frames, lang="de")  # type: ignore[arg-type]


def test_report_without_journal_or_models(frames: dict[str, object]) -> None:
    html = build_runner_report(
        **{**frames, "journal": None, "pmc": None, "acwr": None, "flags": schema.empty(schema.FLAGS)}, lang="en"
    )  # type: ignore[arg-type]
    assert T["no_journal"]["en"] in html
    assert T["no_pmc"]["en"] in html
    assert html.count('class="rb-plot"') == 2  # weekly and sessions


def test_profile_section_names_given_and_estimated_values(frames: dict[str, object]) -> None:
    from types import SimpleNamespace

    profile = SimpleNamespace(
        sex="female", sex_source="given", hr_max_bpm=188.0, hr_max_bpm_source="estimated: highest 1% of samples",
        hr_rest_bpm=None, hr_rest_bpm_source=None, threshold_pace_s_per_km=275.0,
        threshold_pace_s_per_km_source="profile file", timezone="Europe/Amsterdam", timezone_source="given",
    )
    html = build_runner_report(**frames, profile=profile, lang="nl")  # type: ignore[arg-type]
    section = html[html.index('id="profile"'):html.index("<footer>")]
    assert "188 slagen/min" in section and "geschat (highest 1% of samples)" in section
    assert "4:35 /km" in section and "profielbestand" in section
    assert "vrouw" in section and "onbekend" in section


def test_calendar_marks_run_other_and_rest_days() -> None:
    daily = pl.DataFrame(
        {
            "date": [dt.date(2024, 2, 26), dt.date(2024, 2, 27), dt.date(2024, 2, 28), dt.date(2024, 3, 1)],
            "run_distance_m": [5000.0, 0.0, 0.0, 20000.0],
            "n_runs": [1, 0, 0, 1],
            "all_moving_s": [1500.0, 3600.0, 0.0, 6000.0],
            "rest_day": [False, False, True, False],
        }
    )
    html = calendar_html(daily, lang="nl")
    assert "februari 2024" in html and "maart 2024" in html
    assert 'class="d-run1" title="26 feb 2024: 5,0 km"' in html
    assert 'class="d-other"' in html and 'title="27 feb 2024: alleen andere activiteit"' in html
    assert 'class="d-rest" title="28 feb 2024: rustdag"' in html
    assert 'class="d-run2" title="1 mrt 2024: 20,0 km"' in html  # above the median of this runner's runs
    assert 'class="" title="29 feb 2024"' in html  # no data that day


def test_recent_flags_most_severe_first_without_acwr() -> None:
    day = dt.date(2024, 5, 14)
    flags = schema.conform(
        pl.DataFrame(
            [
                flag_row("me", day, "weekly_jump", band="context"),
                flag_row("me", day - dt.timedelta(days=3), "pain_persistent", band="present"),
                flag_row("me", day - dt.timedelta(days=1), "session_spike", band="large"),
                flag_row("me", day - dt.timedelta(days=2), "session_spike", band="small"),
                flag_row("me", day, "acwr", band="context"),
                flag_row("me", day - dt.timedelta(days=14), "no_rest", band="context"),  # day 15 back: outside
            ]
        ),
        schema.FLAGS,
    )
    out = recent_flags(flags, day)
    assert list(zip(out["rule"], out["band"])) == [
        ("pain_persistent", "present"), ("session_spike", "large"), ("session_spike", "small"),
        ("weekly_jump", "context"),
    ]


# --------------------------------------------------------------------------
# the team overview
# --------------------------------------------------------------------------
def _journal(rows: list[tuple[dt.date, int]]) -> pl.DataFrame:
    return schema.conform(
        pl.DataFrame({"athlete": ["me"] * len(rows), "date": [d for d, _ in rows], "pain": [p for _, p in rows],
                      "timing": ["after"] * len(rows)}),
        schema.JOURNAL,
    )


def test_pain_trend_hand_computed() -> None:
    day = dt.date(2024, 5, 14)
    j = _journal([(day - dt.timedelta(days=10), 2), (day - dt.timedelta(days=8), 2),
                  (day - dt.timedelta(days=3), 4), (day - dt.timedelta(days=1), 5)])
    # last 7 days: mean 4.5; the 7 before: 2 -> +2.5 points: up
    assert pain_trend(j, day) == (5, day - dt.timedelta(days=1), "up", 2.5)
    j = _journal([(day - dt.timedelta(days=9), 3), (day - dt.timedelta(days=2), 2)])
    # -1 point from 3 is 33%: matters
    assert pain_trend(j, day)[2:] == ("down", -1.0)
    j = _journal([(day - dt.timedelta(days=9), 6), (day - dt.timedelta(days=2), 5)])
    assert pain_trend(j, day)[2:] == ("flat", -1.0)  # 1 point of 6 is 17%
    j = _journal([(day - dt.timedelta(days=2), 5)])
    assert pain_trend(j, day) == (5, day - dt.timedelta(days=2), None, None)
    assert pain_trend(j, day - dt.timedelta(days=3)) == (None, None, None, None)


def test_team_index_lists_runners_most_severe_first(frames: dict[str, object]) -> None:
    as_of = D0 + dt.timedelta(days=119)
    rows = [runner_status(**frames, as_of=as_of)]  # type: ignore[arg-type]
    quiet = synthetic_frames(athlete="bram", days=120)
    quiet["flags"] = schema.empty(schema.FLAGS)
    rows.append(runner_status(**quiet, as_of=as_of))  # type: ignore[arg-type]
    team = team_frame(rows[::-1])
    assert team["athlete"].to_list() == ["me", "bram"]
    me = team.row(0, named=True)
    # synthetic flags at days -3 (session_spike), -1 (no_rest), -2 (pain_during_run too_much)
    assert me["status_rules"] == ["pain_during_run", "session_spike", "no_rest"]
    assert me["week_start"] == dt.date(2024, 4, 29)
    html = build_team_index(team, as_of=as_of, links={"me": "me.html", "bram": "bram.html"}, lang="nl")
    assert '<a href="me.html">me</a>' in html and '<a href="bram.html">bram</a>' in html
    assert html.index("me.html") < html.index("bram.html")
    assert RULE_LABEL["pain_during_run"]["nl"] in html
    assert '<table class="sortable team">' in html and "aria-sort" in html
    assert "Plotly" not in html.replace("Plotly.", "")  # the index has no charts: no plotly.js
    assert "https://" not in html


def test_athlete_must_be_chosen_when_the_store_holds_several() -> None:
    class _Store:
        root = "/tmp/store"

        def __init__(self, names: list[str]) -> None:
            self.names = names

        def athletes(self) -> list[str]:
            return self.names

    assert resolve_athlete(_Store(["anna"]), None) == "anna"
    with pytest.raises(OptionError, match="anna, bram"):
        resolve_athlete(_Store(["bram", "anna"]), None)
    with pytest.raises(OptionError, match="no athlete 'carl'.*anna, bram"):
        resolve_athlete(_Store(["bram", "anna"]), "carl")
    with pytest.raises(OptionError, match="no activities"):
        resolve_athlete(_Store([]), None)


def test_this_week_is_compared_with_the_same_days_last_week() -> None:
    days = [dt.date(2024, 4, 15) + dt.timedelta(days=i) for i in range(10)]  # Mon 15 .. Wed 24 April
    km = [5.0, 3.0, 10.0, 0, 0, 0, 0, 4.0, 0.0, 2.0]
    daily = pl.DataFrame({"athlete": ["me"] * 10, "date": days, "run_distance_m": [k * 1000 for k in km]})
    row = runner_status(athlete="me", activities=schema.empty(schema.ACTIVITIES), daily=daily,
                        flags=schema.empty(schema.FLAGS), journal=None, as_of=dt.date(2024, 4, 23))
    # Mon-Tue this week 4 km; Mon-Tue last week 8 km (not the whole week's 18 km)
    assert row["week_start"] == dt.date(2024, 4, 22)
    assert row["week_distance_m"] == 4000.0
    assert row["week_distance_change"] == pytest.approx(-0.5)
    assert row["status_rules"] == [] and row["severity"] == 0 and row["last_activity"] is None


def test_informational_rows_are_not_a_status() -> None:
    day = dt.date(2024, 5, 14)
    flags = schema.conform(
        pl.DataFrame(
            [
                flag_row("me", day, "weekly_jump", band="shown", value=0.2),  # 10-30%: shown, not flagged
                flag_row("me", day, "session_spike", band="no_baseline", value=None),
                flag_row("me", day, "no_rest", band="7+_days", value=8, threshold=7),
            ]
        ),
        schema.FLAGS,
    )
    assert recent_flags(flags, day)["rule"].to_list() == ["no_rest"]
    from runback.report._i18n import band_label

    assert band_label("7+_days", "nl") == "7+ dagen"
    assert band_label("acceptable_if_settles", "nl") == "acceptabel als het zakt"


def test_pain_chart_rows_follow_what_was_logged(frames: dict[str, object]) -> None:
    from runback.report._charts import pain_timeline_figure

    journal = frames["journal"]
    assert isinstance(journal, pl.DataFrame)
    only_pain = journal.with_columns(pl.lit(None).cast(pl.Float64).alias("sleep_h"),
                                     pl.lit(None).cast(pl.Int8).alias("stress"),
                                     pl.lit(None).cast(pl.Int8).alias("sleep_quality"))
    daily = frames["daily"]
    assert isinstance(daily, pl.DataFrame)
    flags = schema.empty(schema.FLAGS)
    # load and pain only; + sleep hours; + the 1-5 scales
    assert len(pain_timeline_figure(daily, only_pain, flags, lang="en").layout.annotations) == 0
    axes = lambda fig: sorted(k for k in fig.layout.to_plotly_json() if k.startswith("yaxis"))  # noqa: E731
    assert axes(pain_timeline_figure(daily, only_pain, flags, lang="en")) == ["yaxis", "yaxis2"]
    assert len(axes(pain_timeline_figure(daily, journal, flags, lang="en"))) == 4


def test_weekly_intensity_prefers_the_models_high_intensity_minutes(frames: dict[str, object]) -> None:
    weekly = frames["weekly"]
    assert isinstance(weekly, pl.DataFrame)
    with_model = weekly.with_columns((pl.col("high_zone_min") + 1).alias("high_intensity_min"))
    html = build_runner_report(**{**frames, "weekly": with_model}, lang="en")  # type: ignore[arg-type]
    assert T["high_intensity_min"]["en"] in html
    no_hr = weekly.with_columns(pl.lit(0.0).alias("high_zone_min"))
    html = build_runner_report(**{**frames, "weekly": no_hr}, lang="nl")  # type: ignore[arg-type]
    assert T["trimp"]["nl"] in html and T["high_zone_min"]["nl"] not in html


def test_dutch_profile_section_translates_every_estimate_method() -> None:
    import inspect
    import re
    from types import SimpleNamespace

    from runback.load import profile as profile_module
    from runback.report.runner import profile_html

    methods = re.findall(r'"estimated: ([^"<]+)"', inspect.getsource(profile_module))
    assert len(methods) >= 5
    for method in methods:
        profile = SimpleNamespace(
            sex=None, sex_source=None, hr_max_bpm=190.0, hr_max_bpm_source=f"estimated: {method}",
            hr_rest_bpm=None, hr_rest_bpm_source=None, threshold_pace_s_per_km=None,
            threshold_pace_s_per_km_source=None, timezone=None, timezone_source=None,
        )
        section = profile_html(profile, lang="nl")
        assert "geschat (" in section
        assert method not in section, f"English estimate method in the Dutch report: {method}"
        assert method in profile_html(profile, lang="en")
