"""A real year of one runner's runs (68 Nike Run Club GPX sessions, July 2020 - July 2021).

The files are in ../shared/corpus/corriporai-runpandas/examples/session/ (67) plus
runpandas' tests/io/data/gpx/nike_run.gpx (the 68th session of the same runner, kept
once in the corpus).  The GPX files have no <type>, so they import as sport "generic";
the load model counts them as runs by their running speed, except one 22 km session
of 39.5 min (9.3 m/s, 33 km/h) on 2020-09-20, which is a ride or a drive, not a run.

Every flag pinned below was checked by hand against the distances and dates (see
the comments); the distances are the importer's haversine distances.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from runback import schema
from runback.io._common import Frames
from runback.io.gpx import read_gpx
from runback.load import Profile, daily_load, resolve_profiles, session_load, weekly_load
from runback.model import flags

D = dt.date


@pytest.fixture(scope="module")
def year(corpus: Path) -> Frames:
    root = corpus / "corriporai-runpandas"
    paths = sorted((root / "examples" / "session").glob("*.gpx"))
    paths.append(root / "runpandas" / "tests" / "io" / "data" / "gpx" / "nike_run.gpx")
    assert len(paths) == 68
    return Frames.concat([read_gpx(p) for p in paths])


@pytest.fixture(scope="module")
def year_flags(year: Frames) -> pl.DataFrame:
    return flags(year.activities, year.samples)


def test_year_loads(year: Frames) -> None:
    acts, smp = year.activities, year.samples
    sessions = session_load(acts, smp)
    assert sessions.height == 68
    # every session but the 33 km/h one counts as a run
    not_runs = sessions.filter(~pl.col("is_run"))
    assert not_runs["date"].to_list() == [D(2020, 9, 20)]
    daily = daily_load(acts, smp, sessions=sessions)
    assert daily.columns == list(schema.DAILY)
    assert daily["date"].min() == D(2020, 7, 3) and daily["date"].max() == D(2021, 7, 4)
    assert daily.height == (D(2021, 7, 4) - D(2020, 7, 3)).days + 1  # rest days as rows
    assert daily["n_runs"].sum() == 67
    # the ride stays visible in all-sport time but not in running distance
    ride = daily.filter(pl.col("date") == D(2020, 9, 20)).row(0, named=True)
    assert ride["run_distance_m"] == 0 and ride["all_moving_s"] > 2000 and ride["rest_day"]
    # heart rate in 66 of 67 runs (the 2020-10-18 evening run has none)
    runs = sessions.filter(pl.col("is_run"))
    assert (runs["hr_run_min"] > 0).sum() == 66
    assert daily["trimp_banister"].sum() > 0


def test_year_profile_estimate(year: Frames) -> None:
    p = resolve_profiles(year.activities, year.samples)["me"]
    # highest HR held over 5 samples; the file maxima top out at 196 too (2020-10-30)
    assert p.hr_max_bpm == 196.0
    assert p.hr_rest_bpm == 60.0
    # Riegel from the best run would take 21.74 km in 88.0 moving min (2021-01-17, a recording left
    # running for 24 h) -> 3:57.6/km.  The best 20-60 min efforts inside the runs instead: 5:10 (09-18),
    # 5:28 (08-09), 5:53 (2021-06-13), 5:57 (2021-07-04) ...; the fastest three within 10% of each
    # other are 08-09, 06-13 and 07-04, whose median is 5:53.4/km
    assert p.threshold_pace_s_per_km == pytest.approx(353.4, abs=0.5)
    assert (p.threshold_pace_s_per_km_source or "").startswith("estimated: median of the best 20-60 min efforts")


def test_year_session_spikes(year_flags: pl.DataFrame) -> None:
    spikes = year_flags.filter(pl.col("rule") == "session_spike")
    got = [(r["date"], r["band"], round(r["baseline"] / 1000, 2), round(r["value"], 3)) for r in spikes.iter_rows(named=True)]
    # (day, band, longest run of the previous 30 days in km, ratio)      run km / longest - 1
    assert got == [
        (D(2020, 8, 14), "small", 6.27, 0.271),  # 7.98 / 6.27 (08-09)
        (D(2020, 10, 7), "small", 7.73, 0.160),  # 8.97 / 7.73 (09-25); the 09-20 ride is not a run
        (D(2020, 10, 12), "small", 8.97, 0.154),  # 10.35 / 8.97 (10-07)
        (D(2020, 11, 16), "small", 8.67, 0.193),  # 10.35 / 8.67 (11-02)
        (D(2020, 12, 6), "small", 10.35, 0.180),  # 12.21 / 10.35 (11-16)
        (D(2021, 1, 17), "large", 10.11, 1.149),  # 21.74 / 10.11 (01-02): more than twice as long
        (D(2021, 3, 28), "small", 7.13, 0.243),  # 8.86 / 7.13 (03-21)
        (D(2021, 4, 4), "small", 8.86, 0.199),  # 10.62 / 8.86 (03-28)
        (D(2021, 4, 25), "small", 10.62, 0.197),  # 12.72 / 10.62 (04-04) = 1.1973
        (D(2021, 5, 28), "moderate", 5.05, 0.455),  # 7.35 / 5.05 (05-02)
        (D(2021, 5, 30), "moderate", 7.35, 0.381),  # 10.15 / 7.35 (05-28)
        (D(2021, 6, 13), "moderate", 10.15, 0.548),  # 15.71 / 10.15 (05-30)
    ]
    assert spikes["activity_id"].null_count() == 0


def test_year_weekly_jumps(year_flags: pl.DataFrame) -> None:
    jumps = year_flags.filter(pl.col("rule") == "weekly_jump")
    got = [(r["date"], r["band"], round(r["value"], 2)) for r in jumps.iter_rows(named=True)]
    assert got == [
        (D(2020, 8, 3), "context", 2.59),  # 4.50 + 6.27 = 10.77 km vs 3.00
        (D(2020, 8, 31), "context", 0.65),  # 8.27 + 1.93 + 1.70 = 11.90 vs 7.23
        (D(2020, 10, 5), "context", 0.69),  # 8.97 vs 5.30
        (D(2020, 10, 12), "context", 0.84),  # 10.35 + 6.15 = 16.50 vs 8.97
        # 6.00 vs 3.05, a lighter week: 3.05 is 80% below the mean of 20.51, 0, 24.75, 16.57 (15.46), and
        # 6.00 is not more than 30% above it: a return from a lighter week, shown, not a jump
        (D(2020, 12, 21), "return_from_lighter_week", 0.97),
        (D(2020, 12, 28), "context", 2.05),  # 8.17 + 10.11 = 18.28 vs 6.00
        (D(2021, 2, 1), "shown", 0.30),  # 4.03 + 12.35 = 16.38 vs 4.11 + 8.50 = 12.61: +29.8%
        # 7.21 + 7.14 = 14.35 vs 5.13 after 34.18, 0, 12.62, 16.38 (mean 15.79): a return, not a jump
        (D(2021, 2, 15), "return_from_lighter_week", 1.80),
        (D(2021, 3, 15), "context", 1.39),  # 5.21 + 7.13 = 12.34 vs 5.17
        (D(2021, 3, 29), "context", 0.78),  # 5.14 + 10.62 = 15.76 vs 8.86
        (D(2021, 5, 24), "context", 3.22),  # 7.35 + 10.15 = 17.50 vs 4.14
        (D(2021, 6, 7), "context", 1.43),  # 4.21 + 15.71 = 19.92 vs 8.20
    ]
    # weeks after an empty week have no base (e.g. 11-17 Jan 2021, 34 km after 0 km): no flag
    assert D(2021, 1, 11) not in jumps["date"].to_list()


def test_year_other_rules(year: Frames, year_flags: pl.DataFrame) -> None:
    counts = dict(year_flags.group_by("rule").len().iter_rows())
    # one to three runs a week, never more than 2 days in a row: no no_rest and no monotony flags
    # intensity_jump needs an absolute rise too (20 min in zones 4-5 or 2 TRIMP per km): 21 weeks -> 12
    assert counts == {"session_spike": 12, "weekly_jump": 12, "intensity_jump": 12}
    # one intensity week checked by hand: 12-18 Oct 2020, 44.0 min in zones 4-5 plus 13.0 min faster
    # than the 5:53/km threshold pace in the 10-18 run without heart rate (none at the 3:58/km the
    # broken recording used to give), against (21.1 + 8.8 + 10.3) / 3 = 13.4 min in the three weeks
    # before -> +326%, large
    weekly = weekly_load(daily_load(year.activities, year.samples))
    wk = weekly.filter(pl.col("week_start").is_between(D(2020, 9, 21), D(2020, 10, 12)))["high_intensity_min"].to_list()
    assert wk == pytest.approx([21.09, 8.80, 10.29, 57.02], abs=0.01)
    row = year_flags.filter((pl.col("rule") == "intensity_jump") & (pl.col("date") == D(2020, 10, 12))).row(0, named=True)
    assert row["band"] == "large" and row["value"] == pytest.approx(57.02 / ((21.09 + 8.80 + 10.29) / 3) - 1, abs=0.01)


def test_year_in_the_runners_time_zone(year: Frames, year_flags: pl.DataFrame) -> None:
    # Recife (UTC-3): the runs start 04:30-17:30 local time, so no run changes day
    recife = flags(year.activities, year.samples, profile=Profile.given(timezone="America/Recife"))
    assert recife.equals(year_flags)
    with_acwr = flags(year.activities, year.samples, include_acwr=True)
    assert with_acwr.filter(pl.col("rule") != "acwr").equals(year_flags)
    assert with_acwr.filter(pl.col("rule") == "acwr")["date"].min() >= D(2020, 7, 31)  # 28 days hidden
