"""Bad input: one clear line per bad file, and the rest of the import goes on."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

import runback.cli  # noqa: F401  (registers the commands)
from runback.cli._app import app
from runback.errors import UnreadableFileError
from runback.io import Frames, read_gpx, read_report, read_tcx, readers

DATA = "corriporai-runpandas/runpandas/tests/io/data"
FITPARSE = "dtcooper-python-fitparse/tests/files"


def fit_reader():  # the FIT reader lands from its own branch
    return pytest.importorskip("runback.io.fit", reason="runback.io.fit not merged yet").read_fit


def test_corrupt_crc_keeps_the_records_and_warns(corpus: Path) -> None:
    fit_reader()
    frames, summary = read_report(corpus / FITPARSE / "activity-filecrc.fit")
    assert len(summary.imported) == 1 and summary.failed == []
    assert frames.activities["partial"].to_list() == [True]
    assert any("activity-filecrc.fit" in w for w in summary.warnings)


def test_truncated_fit_keeps_the_records_before_the_break(corpus: Path, tmp_path: Path) -> None:
    fit_reader()
    frames, summary = read_report(corpus / FITPARSE / "activity-unexpected-eof.fit")
    assert frames.activities["partial"].to_list() == [True]
    assert frames.samples.height > 0 and summary.warnings


def test_fit_cut_short_in_tmp_path(corpus: Path, tmp_path: Path) -> None:
    read_fit = fit_reader()
    whole = (corpus / FITPARSE / "sample-activity.fit").read_bytes()
    cut = tmp_path / "battery-died.fit"
    cut.write_bytes(whole[: len(whole) * 2 // 3])
    full = read_fit(corpus / FITPARSE / "sample-activity.fit")
    frames, summary = read_report(cut)
    assert frames.activities["partial"].to_list() == [True]
    assert 0 < frames.samples.height < full.samples.height
    assert any("battery-died.fit" in w for w in summary.warnings)


def test_corrupt_fit_header(tmp_path: Path) -> None:
    read_fit = fit_reader()
    bad = tmp_path / "header.fit"
    bad.write_bytes(b"\x0e\x10garbage-not-a-fit-header" + bytes(100))
    with pytest.raises(UnreadableFileError):
        read_fit(bad)


def test_malformed_xml(corpus: Path) -> None:
    path = corpus / DATA / "tcx/malformed.tcx"
    _, summary = read_report(path)
    assert [(n.path, n.line) for n in summary.failed] == [(str(path), 4653)]
    assert str(summary.failed[0]) == f"{path}:4653: malformed XML: unbound prefix (column 6)"


@pytest.mark.parametrize("name", ["empty.gpx", "empty.tcx", "empty.fit", "empty.gpx.gz"])
def test_empty_file(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(b"")
    _, summary = read_report(tmp_path / name)
    assert [str(n) for n in summary.failed] == [f"{tmp_path / name}: empty file"]


def test_empty_xml_document_to_the_readers() -> None:
    with pytest.raises(UnreadableFileError, match="empty file"):
        read_gpx(b"   \n")
    with pytest.raises(UnreadableFileError, match="empty file"):
        read_tcx(b"")


def test_no_timestamps(tmp_path: Path) -> None:
    path = tmp_path / "untimed.gpx"
    path.write_text(
        '<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>'
        '<trkpt lat="52.1" lon="5.1"/><trkpt lat="52.2" lon="5.1"/></trkseg></trk></gpx>'
    )
    _, summary = read_report(path)
    assert [str(n) for n in summary.failed] == [f"{path}: no timestamps on any of 2 track points"]


def test_unknown_extension(tmp_path: Path) -> None:
    path = tmp_path / "run.xyz"
    path.write_text("hello")
    _, summary = read_report(path)
    assert len(summary.failed) == 1 and summary.failed[0].path == str(path)
    assert "unsupported file type .xyz" in summary.failed[0].reason


def test_folder_with_two_broken_files_imports_the_rest(corpus: Path, tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    runs.mkdir()
    for name in ("tcx/basic.tcx", "tcx/run_garmin.tcx", "gpx/garmin_connect.gpx"):
        shutil.copy(corpus / DATA / name, runs)
    shutil.copy(corpus / DATA / "tcx/malformed.tcx", runs)
    (runs / "empty.gpx").write_bytes(b"")
    result = CliRunner().invoke(app, ["import", str(runs), "--store", str(tmp_path / "store"), "--quiet"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "imported: 3 file(s), 3 activities"
    assert "failed: 2" in lines
    assert f"  {runs / 'empty.gpx'}: empty file" in lines
    assert f"  {runs / 'malformed.tcx'}:4653: malformed XML: unbound prefix (column 6)" in lines
    assert "Traceback" not in result.output


def test_a_reader_bug_is_a_failed_file_not_a_crash(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*args: object, **kwargs: object) -> Frames:
        raise IndexError("list index out of range")

    broken = tuple(replace(r, read=boom) if r.format == "tcx" else r for r in readers.READERS)
    monkeypatch.setattr(readers, "READERS", broken)
    shutil.copy(corpus / DATA / "tcx/basic.tcx", tmp_path)
    shutil.copy(corpus / DATA / "gpx/garmin_connect.gpx", tmp_path)
    frames, summary = read_report(tmp_path, workers=1)
    assert frames.activities.height == 1
    assert [n.reason for n in summary.failed] == ["could not be read (IndexError: list index out of range)"]


def test_waypoint_and_route_files_are_skipped_not_failed(corpus: Path) -> None:
    files = corpus / "tkrajina-gpxpy/test_files"
    frames, summary = read_report([files / "route.gpx", files / "unicode.gpx"])
    assert frames.activities.is_empty() and summary.failed == [] and summary.ok
    assert [str(n) for n in summary.skipped] == [
        f"{files / 'route.gpx'}: no track points (only 55 route points)",
        f"{files / 'unicode.gpx'}: no track points (only 6 waypoints)",
    ]
