"""The command line when things go wrong: safe CSV, journal fixes, OS errors as one line naming the path."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import html
import io
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from clirun import invoke
from runback.cli._options import emit
from runback.pain.journal import add_entry
from runback.store import open_store
from test_store_doctor import gpx_run

FORMULAS = ['=HYPERLINK("http://example.com","click")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_output_prefixes_formulas_and_keeps_numbers() -> None:
    df = pl.DataFrame({"note": [*FORMULAS, "fine", None], "value": [-1.5, 2, 3, 4, 5, 6, -7, 8]})
    out = io.StringIO()
    emit(df, "csv", out)
    got = pl.read_csv(io.StringIO(out.getvalue()))
    assert got["note"].to_list() == [*("'" + f for f in FORMULAS), "fine", None]
    assert got["value"].to_list() == [-1.5, 2, 3, 4, 5, 6, -7, 8]  # numbers stay numbers, negative too
    out = io.StringIO()
    emit(df, "json", out)
    assert pl.read_json(io.StringIO(out.getvalue()))["note"].to_list()[:6] == FORMULAS  # JSON unchanged


def test_activity_names_and_notes_are_safe_in_csv(tmp_path: Path) -> None:
    store = tmp_path / "store"
    gpx = tmp_path / "run.gpx"
    name = html.escape(FORMULAS[0])
    gpx.write_text(gpx_run(3).replace("<name>run 3</name>", f"<name>{name}</name>"))
    assert invoke("import", str(gpx), "--store", str(store), "-q").exit_code == 0
    listed = rows(invoke("activities", "--format", "csv", "--store", str(store)).stdout)
    assert listed[0]["name"] == "'" + FORMULAS[0]
    result = invoke("pain", "add", "3", "--timing", "after", "--note", FORMULAS[1], "--store", str(store))
    assert result.exit_code == 0, result.output
    listed = rows(invoke("pain", "list", "--format", "csv", "--store", str(store)).stdout)
    assert listed[0]["note"] == "'" + FORMULAS[1] and listed[0]["pain"] == "3"


# --------------------------------------------------------------------------
# journal entries logged under a mistaken name
# --------------------------------------------------------------------------
@pytest.fixture
def mistaken(tmp_path: Path) -> Path:
    """A store from before the one name rule: two entries of "anna " (trailing space), one of anna."""
    root = tmp_path / "store"
    add_entry(root, 4, "after", date=dt.date(2025, 3, 1), athlete="anna")
    add_entry(root, 2, "next_morning", date=dt.date(2025, 3, 2), athlete="anna")
    (root / "journal" / "athlete=anna").rename(root / "journal" / "athlete=anna ")
    add_entry(root, 5, "during", date=dt.date(2025, 3, 3), athlete="anna")
    return root


def test_rename_moves_the_entries_of_a_mistaken_name(mistaken: Path) -> None:
    store = open_store(mistaken)
    assert store.athletes() == ["anna", "anna "]
    result = invoke("pain", "rename", "--from", "anna ", "--to", "anna", "--store", str(mistaken))
    assert result.exit_code == 0, result.output
    assert "moved 2 journal entries from 'anna ' to 'anna'" in result.stdout
    assert store.athletes() == ["anna"]
    assert store.journal("anna")["pain"].to_list() == [4, 2, 5]
    # the parts were not rewritten: the fix is a record beside them
    assert (mistaken / "journal" / "athlete=anna ").is_dir() and list((mistaken / "journal_fixes").glob("*.parquet"))


def test_rename_refuses_unknown_and_invalid_names(mistaken: Path) -> None:
    result = invoke("pain", "rename", "--from", "bram", "--to", "anna", "--store", str(mistaken))
    assert result.exit_code == 1 and "no journal entries of 'bram'" in result.stderr
    result = invoke("pain", "rename", "--from", "anna ", "--to", "a/b", "--store", str(mistaken))
    assert result.exit_code == 1 and "athlete name" in result.stderr


def test_remove_leaves_one_entry_out_and_adding_it_again_brings_it_back(tmp_path: Path) -> None:
    root = tmp_path / "store"
    add_entry(root, 4, "after", date=dt.date(2025, 3, 1))
    entry = add_entry(root, 7, "during", date=dt.date(2025, 3, 2), note="logged by mistake")
    entry_id = entry["entry_id"][0]
    result = invoke("pain", "remove", entry_id[:6], "--store", str(root))
    assert result.exit_code == 0 and f"removed journal entry {entry_id}" in result.stdout
    assert open_store(root).journal()["pain"].to_list() == [4]
    result = invoke("pain", "remove", entry_id, "--store", str(root))
    assert result.exit_code == 1 and "no journal entry" in result.stderr
    add_entry(root, 7, "during", date=dt.date(2025, 3, 2), note="logged by mistake")
    assert open_store(root).journal()["pain"].to_list() == [4, 7]


# --------------------------------------------------------------------------
# OS errors a user can cause: one line naming the path
# --------------------------------------------------------------------------
COMMANDS = [
    ["pain", "add", "3", "--timing", "after"],
    ["pain", "list"],
    ["pain", "rename", "--from", "a", "--to", "b"],
    ["doctor", "--repair"],
    ["activities"],
    ["flags"],
]


def one_error_line(stderr: str, path: Path) -> None:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), stderr
    assert str(path) in lines[0] and "a bug in runback" not in lines[0], stderr


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_store_path_through_a_file_is_one_line(tmp_path: Path, command: list[str]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = invoke(*command, "--store", str(blocker / "store"))
    if result.exit_code == 0:  # reading commands may find nothing there, which is no error
        assert command[0] in ("pain", "activities", "flags") and "a bug" not in result.output
        return
    one_error_line(result.stderr, blocker)


def test_import_and_report_into_a_store_path_through_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    run = tmp_path / "run.gpx"
    run.write_text(gpx_run(1))
    result = invoke("import", str(run), "--store", str(blocker / "store"), "-q")
    assert result.exit_code == 1
    one_error_line(result.stderr, blocker)
    good = tmp_path / "store"
    assert invoke("import", str(run), "--store", str(good), "-q").exit_code == 0
    result = invoke("report", "--store", str(good), "-o", str(blocker / "r.html"))
    assert result.exit_code == 1
    one_error_line(result.stderr, blocker)


def test_a_name_too_long_for_the_file_system_is_one_line(tmp_path: Path) -> None:
    long = tmp_path / ("x" * 300)
    result = invoke("pain", "add", "3", "--timing", "after", "--store", str(long))
    assert result.exit_code == 1
    one_error_line(result.stderr, long)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 512 KiB tmpfs: a real full disk (needs root and mount; skipped elsewhere)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command: a full disk cannot be made here")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {done.stderr.decode(errors='replace').strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_a_full_disk_is_one_line_and_the_store_stays_readable(small_disk: Path, tmp_path: Path) -> None:
    store = small_disk / "store"
    first = tmp_path / "first.gpx"
    first.write_text(gpx_run(1))
    assert invoke("import", str(first), "--store", str(store), "-q").exit_code == 0
    before = open_store(store).activities()
    fd = os.open(small_disk / "filler", os.O_WRONLY | os.O_CREAT)  # fill the disk to the last byte
    try:
        for size in (65536, 4096, 1):
            with contextlib.suppress(OSError):
                while True:
                    os.write(fd, b"\0" * size)
    finally:
        os.close(fd)
    big = tmp_path / "big"
    big.mkdir()
    for day in range(2, 8):
        (big / f"run{day}.gpx").write_text(gpx_run(day, points=400))
    result = invoke("import", str(big), "--store", str(store), "-q")
    assert result.exit_code == 1
    assert "No space left on device" in result.stderr and str(store) in result.stderr
    assert "a bug" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    result = invoke("pain", "add", "3", "--timing", "after", "--note", "x" * 2000, "--store", str(store))
    assert result.exit_code == 1 and "No space left on device" in result.stderr and "a bug" not in result.stderr
    assert open_store(store).activities().equals(before)
    (small_disk / "filler").unlink()
    assert invoke("doctor", "--store", str(store)).exit_code == 0
    assert invoke("import", str(big), "--store", str(store), "-q").exit_code == 0


def test_a_read_only_store_is_one_line(small_disk: Path, tmp_path: Path) -> None:
    store = small_disk / "store"
    run = tmp_path / "run.gpx"
    run.write_text(gpx_run(1))
    assert invoke("import", str(run), "--store", str(store), "-q").exit_code == 0
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    for command in (["pain", "add", "3", "--timing", "after"], ["doctor", "--repair"],
                    ["import", str(tmp_path)], ["activities", "exclude", open_store(store).activities()["activity_id"][0]]):
        result = invoke(*command, "--store", str(store))
        assert result.exit_code == 1, (command, result.output)
        assert "Read-only file system" in result.stderr and str(store) in result.stderr, (command, result.stderr)
        assert "a bug" not in result.stderr
    assert invoke("activities", "--store", str(store)).exit_code == 0
    assert invoke("doctor", "--store", str(store)).exit_code == 0  # looking needs no writing
