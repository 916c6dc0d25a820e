"""runback.files.write_atomic: the one atomic-write helper (store parts, manifests, journal, reports)."""

from __future__ import annotations

import stat
from pathlib import Path

import polars as pl
import pytest

from runback.files import write_atomic
from runback.store import atomic_write_parquet

SAMPLE_JOURNAL = Path(__file__).resolve().parents[1] / "sample_data" / "anna" / "pain_journal.csv"


def test_write_creates_folders_and_replaces_whole_files(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "report.html"
    assert write_atomic(target, b"first") == target
    assert target.read_bytes() == b"first"
    assert write_atomic(str(target), "tweede versie \u2013 pijn".encode()) == target
    assert target.read_text(encoding="utf-8") == "tweede versie \u2013 pijn"
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.html"]  # no temporary file left


def test_mode_private_by_default_shareable_on_request(tmp_path: Path) -> None:
    private = write_atomic(tmp_path / "part.parquet", b"x")
    shared = write_atomic(tmp_path / "report.html", b"x", mode=0o644)
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert stat.S_IMODE(shared.stat().st_mode) == 0o644


def test_a_failed_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    (folder / "report.html").mkdir(parents=True)  # a folder where the file should go
    with pytest.raises(OSError):
        write_atomic(folder / "report.html", b"x")
    assert [p.name for p in folder.iterdir()] == ["report.html"]
    assert (folder / "report.html").is_dir()


def test_parquet_goes_through_it(tmp_path: Path) -> None:
    frame = pl.read_csv(SAMPLE_JOURNAL)
    target = tmp_path / "j" / "part.parquet"
    atomic_write_parquet(frame, target)
    assert pl.read_parquet(target).equals(frame)
    assert [p.name for p in target.parent.iterdir()] == ["part.parquet"]
