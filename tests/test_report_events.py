"""Load events and the pain around them (runback.model.load_events), on the sample runner bram.

bram's back-pain episode begins after his long trail run of 2 August 2025 (a session spike):
the journal holds 0/10 the evening before, then 2-5/10 for days.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from runback import schema
from runback.model import EVENTS, ReportInputs, event_before_pain, load_events
from runback.pain.journal import import_journal_csv
from runback.report._inputs import report_inputs
from runback.samples import sample_data_dir
from runback.store import Store, open_store
from synthetic import flag_row

D = dt.date


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """Both sample runners, every file, with their journals, as the demo imports them."""
    data = sample_data_dir()
    st = open_store(tmp_path_factory.mktemp("store"))
    suffixes = {".fit", ".gpx", ".tcx", ".zip"}
    for athlete in ("anna", "bram"):
        files = sorted(p for p in (data / athlete).iterdir() if p.suffix.lower() in suffixes)
        st.import_paths(files, athlete=athlete, workers=1, timezone="Europe/Amsterdam")
        import_journal_csv(st, data / athlete / "pain_journal.csv", athlete=athlete)
    return st


@pytest.fixture(scope="module")
def bram(store: Store) -> ReportInputs:
    return report_inputs(store, "bram")


def test_bram_trail_run_and_the_pain_after_it(bram: ReportInputs) -> None:
    events = bram.events
    assert events.columns == list(EVENTS)
    trail = events.filter(pl.col("date") == D(2025, 8, 2)).row(0, named=True)
    assert trail["rule"] == "session_spike" and trail["activity_id"] is not None
    assert (trail["first_day"], trail["last_day"]) == (D(2025, 8, 2), D(2025, 8, 2))
    # the week before (26 Jul - 1 Aug): one entry, 0/10 on 1 Aug
    assert (trail["before_days_logged"], trail["before_min"], trail["before_max"]) == (1, 0, 0)
    # the 7 days after (3-9 Aug): daily highest 4, 3, 5, 5, 4, 3 and no entry on 9 Aug
    assert (trail["after_days_logged"], trail["after_days_pain"]) == (6, 6)
    assert (trail["after_min"], trail["after_max"]) == (3, 5)
    # the informational weekly rows (10-30% "shown") and the intensity rule are not events
    assert set(events["rule"]) <= {"session_spike", "weekly_jump", "no_rest"}
    assert "shown" not in events["band"].to_list()


def test_status_names_the_event_before_the_pain_however_old(bram: ReportInputs) -> None:
    # on 17 Aug the 14-day window starts on 4 Aug; the episode began on 2 Aug, the day of the trail run
    found = event_before_pain(bram.events, bram.journal, D(2025, 8, 17))
    assert found is not None and found["date"] == D(2025, 8, 2) and found["rule"] == "session_spike"
    assert found["pain_start"] == D(2025, 8, 2)
    # a month later, with no pain in the last 14 days: nothing to name
    assert event_before_pain(bram.events, bram.journal, D(2025, 9, 20)) is None


def test_event_spans_and_windows_by_hand() -> None:
    day = D(2024, 5, 6)  # a Monday
    flags = schema.conform(
        pl.DataFrame([
            flag_row("me", day, "weekly_jump", band="context", value=0.5, threshold=0.3),
            flag_row("me", day + dt.timedelta(days=20), "no_rest", band="7+_days", value=9, threshold=7),
            flag_row("me", day, "weekly_jump", band="return_from_lighter_week", value=0.5, threshold=0.1),
            flag_row("me", day, "intensity_jump", band="large", value=2.0, threshold=1.0),
        ]),
        schema.FLAGS,
    )
    journal = schema.conform(
        pl.DataFrame({
            "athlete": ["me"] * 5,
            "date": [day - dt.timedelta(days=1), day + dt.timedelta(days=3), day + dt.timedelta(days=7),
                     day + dt.timedelta(days=8), day + dt.timedelta(days=8)],
            "pain": [2, 6, 0, 3, 4],
            "timing": ["other"] * 5,
        }),
        schema.JOURNAL,
    )
    out = load_events(flags, journal)
    assert out["rule"].to_list() == ["weekly_jump", "no_rest"]
    week = out.row(0, named=True)
    # the week itself (6-12 May) is neither before nor after: the 6/10 of 9 May is not counted
    assert (week["first_day"], week["last_day"]) == (day, day + dt.timedelta(days=6))
    assert (week["before_days_logged"], week["before_max"]) == (1, 2)
    assert (week["after_days_logged"], week["after_days_pain"], week["after_min"], week["after_max"]) == (2, 1, 4, 4)
    streak = out.row(1, named=True)
    # dated on its 7th day, 9 days long: 20 - 6 = day 14 .. day 22
    assert (streak["first_day"], streak["last_day"]) == (day + dt.timedelta(days=14), day + dt.timedelta(days=22))
    # before: 13-19 May holds 13 May (0) and 14 May (4)
    assert streak["before_days_logged"] == 2 and streak["before_max"] == 4 and streak["after_days_logged"] == 0
    # without a journal: the events, no pain
    bare = load_events(flags, None)
    assert bare["rule"].to_list() == ["weekly_jump", "no_rest"] and bare["after_max"].null_count() == 2
