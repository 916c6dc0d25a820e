"""`runback report` and `runback team-report`: thin wrappers over runback.report."""

from __future__ import annotations

import argparse
import webbrowser
from pathlib import Path

from runback.cli._app import echo
from runback.cli._profile import given_profile
from runback.report import write_physio_report, write_runner_report, write_team_report
from runback.report._inputs import open_any_store, resolve_athlete


def open_in_browser(path: Path) -> None:
    """Open ``path`` in the web browser; where none can be opened, say where the file is."""
    uri = path.resolve().as_uri()
    try:
        opened = webbrowser.open(uri)
    except Exception:  # a broken browser setup is no reason to fail after the report is written
        opened = False
    if not opened:
        echo(f"could not open a web browser here; open {path.resolve()} yourself", err=True)


def report_command(args: argparse.Namespace) -> None:
    """Write one runner's report: a self-contained HTML file that works offline."""
    st = open_any_store(args.store)
    name = resolve_athlete(st, args.athlete)
    given, profile_file = given_profile(args)
    if args.physio or args.pdf:
        # the physiotherapist's page: HTML, or printed to PDF by headless Chromium
        suffix = ".pdf" if args.pdf else ".html"
        path = Path(args.output) if args.output is not None else Path(f"runback-physio-{name}{suffix}")
        written = write_physio_report(st, name, path, lang=args.lang, pdf=args.pdf,
                                      profile=given, profile_file=profile_file)
    else:
        path = Path(args.output) if args.output is not None else Path(f"runback-report-{name}.html")
        written = write_runner_report(st, name, path, since=args.since, lang=args.lang,
                                      profile=given, profile_file=profile_file)
    echo(f"Wrote {written}")
    if args.open_:
        open_in_browser(Path(written))


def team_report_command(args: argparse.Namespace) -> None:
    """Write a coach's overview of every runner (index.html) with each runner's report beside it."""
    given, profile_file = given_profile(args)
    if args.scheduler is not None:
        # Dask is imported only when asked for
        from runback.cli._distributed import distributed_team_report

        echo(f"Wrote {distributed_team_report(args, given, profile_file)}")
        return
    index = write_team_report(args.store, Path(args.output), lang=args.lang,
                              profile=given, profile_file=profile_file)
    echo(f"Wrote {index}")
