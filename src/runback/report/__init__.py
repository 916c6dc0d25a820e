"""Offline HTML reports: a runner's report and a coach's overview, in English and Dutch.

Pure builders take the model's frames and return HTML
(:func:`build_runner_report`, :func:`build_team_index`); the store-level
functions read a store, run the load model and the pain journal, and write
files (:func:`runner_report`, :func:`write_runner_report`,
:func:`write_team_report`).  :func:`build_physio_report` makes the
physiotherapist's page (at most two A4 pages, no JavaScript) and
:func:`write_pdf` prints a page to PDF with headless Chromium.  Pages are self-contained: plotly.js is embedded
once (or shared as one ``plotly.min.js`` beside a team's pages), and nothing
is fetched from the network.
"""

from __future__ import annotations

from runback.report._i18n import LANGS
from runback.report._charts import run_spikes
from runback.report.physio import build_physio_report, physio_report, write_pdf, write_physio_report
from runback.report.runner import build_runner_report, runner_report, write_runner_report
from runback.report.team import build_team_index, pain_trend, runner_status, team_frame, write_team_pages, write_team_report

__all__ = [
    "LANGS",
    "build_physio_report",
    "build_runner_report",
    "build_team_index",
    "pain_trend",
    "physio_report",
    "run_spikes",
    "runner_report",
    "runner_status",
    "team_frame",
    "write_pdf",
    "write_physio_report",
    "write_runner_report",
    "write_team_pages",
    "write_team_report",
]
