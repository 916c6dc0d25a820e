"""Where the bundled sample data is: two fictional runners for the demo, the notebook and the tests.

``sample_data/`` at the repository's root is the one copy (``scripts/make_sample_data.py``
writes it); a wheel ships it as package data, ``runback/sample_data/``.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from runback.errors import OptionError

SAMPLE_ATHLETES = ("anna", "bram")
"""The two fictional runners in the sample data."""

__all__ = ["SAMPLE_ATHLETES", "is_sample_data", "sample_data_dir"]


def is_sample_data(folder: Path) -> bool:
    """Whether ``folder`` holds both sample runners' folders with their pain journals."""
    return all((folder / athlete / "pain_journal.csv").is_file() for athlete in SAMPLE_ATHLETES)


def sample_data_dir() -> Path:
    """The folder of the sample data: ``anna/`` (FIT files), ``bram/`` (GPX, TCX, a Strava export).

    The copy installed with runback (package data), else the ``sample_data/``
    folder of the clone runback runs from.

    Raises
    ------
    OptionError
        Neither is there (an installation without its data).
    """
    installed = Path(str(files("runback").joinpath("sample_data")))
    candidates = [installed, Path(__file__).resolve().parents[2] / "sample_data"]
    for candidate in candidates:
        if is_sample_data(candidate):
            return candidate
    raise OptionError(
        "the sample data is not installed with runback (looked in "
        + " and ".join(str(c) for c in candidates)
        + "): reinstall runback, or give the folder with --data"
    )
