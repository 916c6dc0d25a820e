"""``runback demo``: from a fresh clone to reports in one command.

Imports the bundled ``sample_data/`` (two fictional runners, see
``sample_data/README.md``) into a temporary store, imports each runner's pain
journal, and writes both runners' reports and the coach overview.
"""

from __future__ import annotations

import tempfile
import webbrowser
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from runback.cli._app import app
from runback.errors import OptionError

SAMPLE_ATHLETES = ("anna", "bram")
SAMPLE_TIMEZONE = "Europe/Amsterdam"
ACTIVITY_SUFFIXES = (".fit", ".gpx", ".tcx", ".zip", ".gz")


def find_sample_data() -> Path:
    """The ``sample_data/`` folder of the clone runback is installed from (editable install).

    Looks beside the source tree (``<clone>/src/runback`` -> ``<clone>/sample_data``),
    then in the current directory and its parents.
    """
    here = Path(__file__).resolve()
    candidates = [parent / "sample_data" for parent in here.parents]
    cwd = Path.cwd().resolve()
    candidates += [base / "sample_data" for base in (cwd, *cwd.parents)]
    for candidate in candidates:
        if all((candidate / athlete / "pain_journal.csv").is_file() for athlete in SAMPLE_ATHLETES):
            return candidate
    raise OptionError(
        "sample_data/ not found: run the demo from a clone of the runback repository "
        "(python3 -m pip install -e .), or give its folder with --data"
    )


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
    from runback.pain.journal import import_journal_csv
    from runback.report import write_runner_report, write_team_report
    from runback.report.runner import make_folder
    from runback.store import open_store

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


@app.command("demo")
def demo(
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder for the reports (default: a new temporary folder).", show_default=False),
    ] = None,
    open_: Annotated[
        bool, typer.Option("--open", help="Open the coach overview in the web browser.")
    ] = False,
    data: Annotated[
        Path | None,
        typer.Option(
            "--data",
            help="Sample data folder (default: sample_data/ of this clone).",
            show_default=False,
        ),
    ] = None,
    store: Annotated[
        Path | None,
        typer.Option(
            "--store",
            help="Import into this store and keep it, to explore with other commands "
            "(default: a temporary store, deleted afterwards).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Import the bundled sample runners into a temporary store and write their reports.

    Two fictional runners, 24 weeks each, with a weekly ramp, a long-run spike, an interval
    week, a stretch without rest days and a back-pain episode. Prints the reports' paths.
    """
    out_dir = out if out is not None else Path(tempfile.mkdtemp(prefix="runback-demo-"))
    written = run_demo(out_dir, data=data, store_dir=store, echo=lambda line: typer.echo(line, err=True))
    for athlete in SAMPLE_ATHLETES:
        typer.echo(f"{athlete}: {written[athlete]}")
    typer.echo(f"coach overview: {written['team']}")
    if store is not None:
        typer.echo(f"store: {store}", err=True)
    if open_:
        webbrowser.open(written["team"].resolve().as_uri())
