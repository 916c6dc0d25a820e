"""``runback demo``: from an install to reports in one command.

Imports the bundled sample data (two fictional runners, see ``sample_data/README.md``;
installed with runback as package data) into a temporary store, imports each
runner's pain journal, and writes both runners' reports and the coach overview.
"""

from __future__ import annotations

import argparse
import tempfile
import webbrowser
from collections.abc import Callable
from pathlib import Path

from runback.cli._app import echo
from runback.errors import OptionError
from runback.pain.journal import import_journal_csv
from runback.report import write_runner_report, write_team_report
from runback.report.runner import make_folder
from runback.samples import SAMPLE_ATHLETES, sample_data_dir
from runback.store import open_store

SAMPLE_TIMEZONE = "Europe/Amsterdam"
ACTIVITY_SUFFIXES = (".fit", ".gpx", ".tcx", ".zip", ".gz")

__all__ = ["SAMPLE_ATHLETES", "demo_command", "find_sample_data", "run_demo"]


def find_sample_data() -> Path:
    """The sample data installed with runback, else the ``sample_data/`` folder of this clone."""
    return sample_data_dir()


def run_demo(
    out_dir: Path,
    *,
    data: Path | None = None,
    store_dir: Path | None = None,
    echo: Callable[[str], None] = print,
) -> dict[str, Path]:
    """Import the sample runners into a store and write their reports into ``out_dir``.

    Parameters
    ----------
    out_dir
        Folder for the HTML reports (created if missing).
    data
        The sample data folder (default: :func:`find_sample_data`).
    store_dir
        Store to import into (default: a temporary one, deleted afterwards).
    echo
        Where progress lines go.

    Returns
    -------
    dict
        ``{"anna": path, "bram": path, "team": path}``: each runner's stand-alone
        report (``<out_dir>/<athlete>.html``) and the coach overview
        (``<out_dir>/coach/index.html``, with the runners' pages beside it).
    """
    data = Path(data) if data is not None else find_sample_data()
    missing = [a for a in SAMPLE_ATHLETES if not (data / a / "pain_journal.csv").is_file()]
    if missing:
        raise OptionError(
            f"{data}: not a sample data folder (no {', '.join(f'{a}/pain_journal.csv' for a in missing)})"
        )
    out_dir = Path(out_dir)
    make_folder(out_dir)
    with tempfile.TemporaryDirectory(prefix="runback-demo-store-") as tmp:
        store = open_store(Path(store_dir) if store_dir is not None else Path(tmp))
        for athlete in SAMPLE_ATHLETES:
            folder = data / athlete
            files = sorted(p for p in folder.iterdir() if p.suffix.lower() in ACTIVITY_SUFFIXES)
            # both fictional runners live in the Netherlands; bram's GPX/TCX hold UTC only
            summary = store.import_paths(files, athlete=athlete, timezone=SAMPLE_TIMEZONE)
            n_rows = import_journal_csv(store, folder / "pain_journal.csv", athlete=athlete)
            echo(
                f"{athlete}: {len(summary.activity_ids)} activities from {len(summary.imported)} files, "
                f"{len(summary.failed)} failed; {n_rows} journal entries"
            )
            for note in summary.failed:
                echo(f"  failed: {note}")
        written: dict[str, Path] = {}
        for athlete in SAMPLE_ATHLETES:
            written[athlete] = Path(write_runner_report(store, athlete, out_dir / f"{athlete}.html"))
        # the overview links its own copy of each runner's page (sharing one plotly.js),
        # so it gets a folder of its own beside the two stand-alone reports
        written["team"] = Path(write_team_report(store, out_dir / "coach"))
    return written


def demo_command(args: argparse.Namespace) -> None:
    """Import the bundled sample runners into a temporary store and write their reports."""
    out_dir = Path(args.out) if args.out is not None else Path(tempfile.mkdtemp(prefix="runback-demo-"))
    store = Path(args.store) if args.store is not None else None
    data = Path(args.data) if args.data is not None else None
    written = run_demo(out_dir, data=data, store_dir=store, echo=lambda line: echo(line, err=True))
    for athlete in SAMPLE_ATHLETES:
        echo(f"{athlete}: {written[athlete]}")
    echo(f"coach overview: {written['team']}")
    if store is not None:
        echo(f"store: {store}", err=True)
    if args.open_:
        index = written["team"]
        # webbrowser.open says whether a browser took the page; on a server none does
        if not webbrowser.open(index.resolve().as_uri()):
            echo(f"could not open a web browser here; open {index.resolve()} yourself", err=True)
