"""The watch's "how did that feel?": FIT session fields workout_rpe (193) and workout_feel (192)."""

from __future__ import annotations

import datetime as dt

import pytest

from runback.io._common import RawFile
from runback.io._fitdecoded import NEWER_FIELDS
from runback.io.fit import build_frames, decode_fitdecode, read_fit

START = dt.datetime(2024, 3, 1, 7, 0, tzinfo=dt.UTC)


def fit_run(*, rpe: int | None, feel: int | None) -> bytes:
    """A 10-minute run written with fit-tool, whose session carries the fields given."""
    pytest.importorskip("fit_tool")
    from fit_tool.fit_file_builder import FitFileBuilder
    from fit_tool.profile.messages.file_id_message import FileIdMessage
    from fit_tool.profile.messages.record_message import RecordMessage
    from fit_tool.profile.messages.session_message import SessionMessage
    from fit_tool.profile.profile_type import FileType, Manufacturer, Sport

    builder = FitFileBuilder(auto_define=True)
    file_id = FileIdMessage()
    file_id.type = FileType.ACTIVITY
    file_id.manufacturer = Manufacturer.GARMIN.value
    file_id.product = 3990
    file_id.serial_number = 1
    builder.add(file_id)
    t0 = int(START.timestamp()) * 1000
    for i in range(60):
        record = RecordMessage()
        record.timestamp = t0 + i * 10_000
        record.distance = 30.0 * i
        record.heart_rate = 140
        builder.add(record)
    session = SessionMessage()
    session.timestamp = t0 + 590_000
    session.start_time = t0
    session.total_elapsed_time = 590
    session.total_timer_time = 590
    session.total_distance = 1770
    session.sport = Sport.RUNNING
    if rpe is not None:
        session.workout_rpe = rpe
    if feel is not None:
        session.workout_feel = feel
    builder.add(session)
    data: bytes = builder.build().to_bytes()
    return data


def test_field_numbers_come_from_a_maintained_profile() -> None:
    fields = {num: (f.name, f.type.name) for num, f in NEWER_FIELDS["session"].items()}
    assert fields == {192: ("workout_feel", "uint8"), 193: ("workout_rpe", "uint8")}


@pytest.mark.parametrize("engine", ["fast", "fitparse"])
def test_rpe_and_feel_are_read_by_both_engines(engine: str) -> None:
    acts = read_fit(fit_run(rpe=70, feel=75), engine=engine).activities  # type: ignore[arg-type]
    row = acts.row(0, named=True)
    assert (row["rpe"], row["feel"], row["rpe_source"]) == (7.0, 75.0, "fit")
    assert row["sport"] == "running" and row["distance_m"] == 1770


def test_fitdecode_reads_them_alike() -> None:
    data = fit_run(rpe=30, feel=25)
    acts = build_frames(decode_fitdecode(data), RawFile(data, "x.fit")).activities
    assert acts.select("rpe", "feel", "rpe_source").row(0) == (3.0, 25.0, "fit")


@pytest.mark.parametrize("engine", ["fast", "fitparse"])
def test_a_run_without_them_has_no_rpe_and_no_source(engine: str) -> None:
    acts = read_fit(fit_run(rpe=None, feel=None), engine=engine).activities  # type: ignore[arg-type]
    assert acts.select("rpe", "feel", "rpe_source").row(0) == (None, None, None)


def test_feel_without_rpe() -> None:
    acts = read_fit(fit_run(rpe=None, feel=0)).activities
    assert acts.select("rpe", "feel", "rpe_source").row(0) == (None, 0.0, None)
