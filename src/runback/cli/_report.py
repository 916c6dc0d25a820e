"""`runback report` and `runback team-report`: thin wrappers over runback.report."""

from __future__ import annotations

import enum
import webbrowser
from pathlib import Path
from typing import Annotated

import typer

from runback.cli._app import app
from runback.cli._options import StoreOpt


class Lang(str, enum.Enum):
    en = "en"
    nl = "nl"


LangOpt = Annotated[Lang, typer.Option("--lang", help="Language of the report: en or nl.")]


@app.command("report")
def report_cmd(
    store: StoreOpt = None,
    athlete: Annotated[
        str | None,
        typer.Option("--athlete", help="Whose report (may be left out when the store holds one athlete).",
                     show_default=False),
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="First day shown, YYYY-MM-DD (default: all).", show_default=False)
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="HTML file to write (default: runback-report-<athlete>.html).",
                     show_default=False),
    ] = None,
    lang: LangOpt = Lang.en,
    open_: Annotated[bool, typer.Option("--open", help="Open the report in the web browser.")] = False,
) -> None:
    """Write one runner's report: a self-contained HTML file that works offline."""
    from runback.report import write_runner_report
    from runback.report._inputs import open_any_store, resolve_athlete

    st = open_any_store(store)
    name = resolve_athlete(st, athlete)
    path = output or Path(f"runback-report-{name}.html")
    written = write_runner_report(st, name, path, since=since, lang=lang.value)
    typer.echo(f"Wrote {written}")
    if open_:
        webbrowser.open(written.resolve().as_uri())


@app.command("team-report")
def team_report_cmd(
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Folder for index.html and one report per runner.")
    ],
    store: StoreOpt = None,
    lang: LangOpt = Lang.en,
) -> None:
    """Write a coach's overview of every runner (index.html) with each runner's report beside it."""
    from runback.report import write_team_report

    index = write_team_report(store, output, lang=lang.value)
    typer.echo(f"Wrote {index}")
