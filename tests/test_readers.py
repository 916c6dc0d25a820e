"""The registry of readers: one declaration per format, read by dispatch, archive walker and dedup."""

from __future__ import annotations

from pathlib import Path

import pytest

from runback.io import FORMAT_PRIORITY, READERS, Reader, file_kind, read, reader_for
from runback.io.archive import ACTIVITY_EXTENSIONS

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


def test_each_format_once_with_its_own_priority() -> None:
    formats = [r.format for r in READERS]
    assert len(set(formats)) == len(formats)
    assert len({r.priority for r in READERS}) == len(READERS)
    extensions = [ext for r in READERS for ext in r.extensions]
    assert len(set(extensions)) == len(extensions)
    assert all(ext.startswith(".") and ext == ext.lower() for ext in extensions)


def test_fit_is_kept_over_tcx_over_gpx() -> None:
    assert sorted(FORMAT_PRIORITY, key=FORMAT_PRIORITY.__getitem__) == ["fit", "tcx", "gpx"]
    assert ACTIVITY_EXTENSIONS == {"fit", "gpx", "tcx"}


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("run.fit", "fit"),
        ("a/b/RUN.FIT", "fit"),
        ("activities/123.gpx.gz", "gpx"),
        ("x.TCX.GZ", "tcx"),
        ("export.zip", None),
        ("notes.gz", None),
        ("LICENSE", None),
        ("fit", None),
        ("track.kml", None),
    ],
)
def test_reader_for_a_name(name: str, fmt: str | None) -> None:
    reader = reader_for(name)
    assert (reader.format if reader else None) == fmt


def test_every_suffix_is_an_activity_to_the_archive_walker() -> None:
    for reader in READERS:
        for suffix in reader.suffixes:
            assert file_kind("run" + suffix.upper()) == "activity"
            assert reader_for(Path("folder") / ("run" + suffix)) is reader


@pytest.mark.parametrize("reader", READERS, ids=[r.format for r in READERS])
def test_each_reader_writes_its_format(reader: Reader) -> None:
    path = next(p for p in sorted(SAMPLE.rglob("*")) if reader_for(p) is reader)
    frames = reader.read(path, athlete="anna")
    assert frames.activities["format"].unique().to_list() == [reader.format]
    # and the import pipeline picks the same reader for the file
    assert read(path, athlete="anna", workers=1).activities.equals(frames.activities)
