"""The athlete's time zone places GPX/TCX runs (UTC only) on the runner's wall clock."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

import runback
import runback.cli  # noqa: F401
from runback.cli._app import app
from runback.io import localize

GPX = "corriporai-runpandas/runpandas/tests/io/data/gpx/stopped_example.gpx"
FIT = "corriporai-runpandas/runpandas/tests/io/data/fit/run.fit"


def test_localize_by_hand() -> None:
    # 2025-03-29 23:30 UTC is Sunday 00:30 in Amsterdam (CET, +1 h); 2025-03-30 12:00 UTC is after
    # the switch to summer time (CEST, +2 h): 14:00. A FIT row with its own offset is left alone.
    acts = runback.schema.conform(
        pl.DataFrame(
            {
                "activity_id": ["a", "b", "c"],
                "start_time_utc": [dt.datetime(2025, 3, 29, 23, 30), dt.datetime(2025, 3, 30, 12), dt.datetime(2025, 3, 30, 12)],
                "start_time_local": [dt.datetime(2025, 3, 29, 23, 30), dt.datetime(2025, 3, 30, 12), dt.datetime(2025, 3, 30, 7)],
                "utc_offset_s": [0, 0, -18000],
                "utc_offset_source": ["assumed_utc", "assumed_utc", "fit_local_timestamp"],
            }
        ).with_columns(pl.col("start_time_utc").dt.replace_time_zone("UTC")),
        runback.schema.ACTIVITIES,
    )
    out = localize(acts, "Europe/Amsterdam")
    assert out["start_time_local"].to_list() == [
        dt.datetime(2025, 3, 30, 0, 30),
        dt.datetime(2025, 3, 30, 14, 0),
        dt.datetime(2025, 3, 30, 7, 0),
    ]
    assert out["utc_offset_s"].to_list() == [3600, 7200, -18000]
    assert out["utc_offset_source"].to_list() == ["athlete_timezone", "athlete_timezone", "fit_local_timestamp"]


def test_import_with_tz_on_real_files(corpus: Path, tmp_path: Path) -> None:
    store = runback.open_store(tmp_path / "store")
    summary = store.import_paths([corpus / GPX, corpus / FIT], athlete="x", timezone="America/Sao_Paulo")
    assert summary.ok
    acts = store.activities("x").sort("format")
    fit, gpx = acts.row(0, named=True), acts.row(1, named=True)
    # the watch's own offset wins for FIT
    assert fit["utc_offset_source"] == "fit_local_timestamp" and fit["utc_offset_s"] == 7200
    # GPX: the UTC start converted with the standard library, independently of polars
    utc = gpx["start_time_utc"]
    expected = utc.astimezone(zoneinfo.ZoneInfo("America/Sao_Paulo")).replace(tzinfo=None)
    assert gpx["start_time_local"] == expected
    assert gpx["utc_offset_s"] == -3 * 3600 and gpx["utc_offset_source"] == "athlete_timezone"


def test_cli_tz_option_and_a_bad_zone(corpus: Path, tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    result = CliRunner().invoke(app, ["import", str(corpus / GPX), "--store", store, "--tz", "Mars/Olympus", "-q"])
    assert result.exit_code == 1 and "unknown time zone 'Mars/Olympus'" in result.output
    assert runback.open_store(store).activities().height == 0
    result = CliRunner().invoke(app, ["import", str(corpus / GPX), "--store", store, "--tz", "Asia/Tokyo", "-q"])
    assert result.exit_code == 0, result.output
    row = runback.open_store(store).activities().row(0, named=True)
    assert row["utc_offset_s"] == 9 * 3600


def test_bad_zone_in_python_is_an_option_error(tmp_path: Path) -> None:
    with pytest.raises(runback.OptionError, match="Nowhere/Town"):
        runback.open_store(tmp_path).import_paths([], timezone="Nowhere/Town")
