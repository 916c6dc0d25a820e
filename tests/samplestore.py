"""The two sample runners in a fresh store, every file and both journals, as ``runback demo`` imports them."""

from __future__ import annotations

from pathlib import Path

from runback.cli._demo import ACTIVITY_SUFFIXES, SAMPLE_TIMEZONE
from runback.pain.journal import import_journal_csv
from runback.samples import SAMPLE_ATHLETES, sample_data_dir
from runback.store import Store, open_store


def sample_store(root: Path) -> Store:
    """A store at ``root`` holding anna's and bram's activities and pain journals (one worker: steady tests)."""
    data = sample_data_dir()
    st = open_store(root)
    for athlete in SAMPLE_ATHLETES:
        files = sorted(p for p in (data / athlete).iterdir() if p.suffix.lower() in ACTIVITY_SUFFIXES)
        st.import_paths(files, athlete=athlete, workers=1, timezone=SAMPLE_TIMEZONE)
        import_journal_csv(st, data / athlete / "pain_journal.csv", athlete=athlete)
    return st
