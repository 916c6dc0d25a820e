"""The fast FIT path against the reference decoders, and on hand-built files.

Comparison scope (to keep the suite fast on a 2-core machine): every record
field runback uses, for every FIT file of the corpus, over each file's first
``RUNBACK_FIT_COMPARE_RECORDS`` records (default 1500; fitparse decodes about
3,000 records/s, and the corpus holds ~240,000).  Files within that limit
(most of them) are compared completely, including their summary messages and
the final frames.  The total record count of every file is checked against
fitdecode's (MANIFEST ``n_records``).  Set ``RUNBACK_FIT_COMPARE_RECORDS=0``
to compare every record of every file (about two minutes).
"""

from __future__ import annotations

import os
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import corpus_rows
from fitparse.records import Crc

from runback.errors import UnreadableFileError
from runback.io import _fitfast
from runback.io._common import RawFile
from runback.io._fitdecoded import FIT_EPOCH_UNIX_S, RECORD_FIELDS, SUMMARY_FIELDS, Decoded
from runback.io.fit import build_frames, decode, decode_fitdecode, decode_fitparse, read_fit

FIT_ROWS = [r for r in corpus_rows() if r["format"] == "FIT"]
LIMIT = int(os.environ.get("RUNBACK_FIT_COMPARE_RECORDS", "1500")) or None


def _reference(data: bytes) -> Decoded:
    """fitparse's decode; fitdecode's where fitparse 1.2.0 gives up early."""
    ref = decode_fitparse(data, max_records=LIMIT)
    if ref.partial_reason is not None:
        alt = decode_fitdecode(data, max_records=LIMIT)
        if alt.n_records > ref.n_records:
            return alt
    return ref


def _assert_columns_equal(fast: dict[str, np.ndarray], ref: dict[str, np.ndarray], n: int) -> None:
    for name in RECORD_FIELDS:
        a, b = fast[name][:n], ref[name][:n]
        assert a.shape == b.shape == (n,), name
        assert np.array_equal(np.isnan(a), np.isnan(b)), f"{name}: nulls differ"
        ok = ~np.isnan(a)
        np.testing.assert_allclose(a[ok], b[ok], rtol=1e-12, atol=1e-9, err_msg=name)


@pytest.mark.parametrize("row", FIT_ROWS, ids=[r["path"].rsplit("/", 1)[-1] for r in FIT_ROWS])
def test_fast_path_equals_reference(corpus: Path, row: dict[str, str]) -> None:
    data = (corpus / row["path"]).read_bytes()
    fast = _fitfast.decode(data)
    assert fast.engine == "fast"
    # Every record of every file: the count fitdecode gives (MANIFEST).
    assert fast.n_records == int(row["n_records"] or 0)
    ref = _reference(data)
    complete = LIMIT is None or ref.n_records < LIMIT
    n = fast.n_records if complete else LIMIT
    assert ref.n_records == n
    _assert_columns_equal(fast.records, ref.records, n)
    if not complete:
        return
    assert (fast.partial_reason is None) == (ref.partial_reason is None)
    # The summary fields the frame builder reads.
    for mname, fields in SUMMARY_FIELDS.items():
        got, want = fast.messages[mname], ref.messages[mname]
        assert len(got) == len(want), mname
        for g, w in zip(got, want):
            for f in fields:
                if ref.engine == "fitdecode" and isinstance(g.get(f), int) and isinstance(w.get(f), str):
                    continue  # fitdecode's newer profile names a value fitparse's does not know
                assert g.get(f) == w.get(f), (mname, f)
    # And so the same frames.
    raw = RawFile(data, row["path"])
    try:
        a = build_frames(fast, raw)
    except Exception as exc:  # noqa: BLE001 - both engines must raise alike
        with pytest.raises(type(exc)):
            build_frames(ref, raw)
        return
    b = build_frames(ref, raw)
    assert a.samples.equals(b.samples)
    assert a.laps.equals(b.laps)
    assert a.activities.drop("partial_reason").equals(b.activities.drop("partial_reason"))


def test_coros_misaligned_fields(corpus: Path) -> None:
    """fitparse 1.2.0 rejects COROS's 1-byte uint32 fields; the fast path reads them as bytes."""
    path = corpus / "dtcooper-python-fitparse/tests/files/coros-pace-2-cycling-misaligned-fields.fit"
    raw = RawFile(path.read_bytes(), str(path))
    fitparse_only = decode_fitparse(raw.data)
    assert fitparse_only.n_records < 11272 and "Invalid field size" in (fitparse_only.partial_reason or "")
    fast = decode(raw)
    assert fast.engine == "fast" and fast.partial_reason is None and fast.n_records == 11272
    assert decode(raw, engine="fitparse").engine == "fitdecode"


def test_fast_path_declines_and_fitparse_takes_over(monkeypatch: pytest.MonkeyPatch) -> None:
    # A compressed_speed_distance field declared uint8[3] instead of byte[3]:
    # fitparse unpacks it differently, so the fast path declines the file.
    data = _fit(
        [
            _file_id(),
            _definition(0, 20, [(253, 4, 0x86), (8, 3, 0x02)]),
            _data(0, "<I3B", T0, 0x10, 0x20, 0x30),
        ]
    )
    with pytest.raises(_fitfast.FastDecodeError):
        _fitfast.decode(data)
    assert decode(RawFile(data, "x.fit")).engine == "fitparse"
    assert read_fit(data).samples.height == 1

    def broken(data: bytes) -> Decoded:
        raise _fitfast.FastDecodeError("simulated")

    monkeypatch.setattr(_fitfast, "decode", broken)
    path = _fit([_file_id(), *_records_plain()])
    assert decode(RawFile(path, "y.fit")).engine == "fitparse"


# ---------------------------------------------------------------------------
# hand-built FIT files (CRCs by fitparse's own Crc, independent of runback's)
# ---------------------------------------------------------------------------

T0 = 1_000_000_000  # FIT seconds: 2021-09-09 01:46:40 UTC


def _fit(messages: list[bytes], *, header_size: int = 14) -> bytes:
    body = b"".join(messages)
    header = struct.pack("<BBHI4s", header_size, 0x20, 2093, len(body), b".FIT")
    if header_size == 14:
        header += struct.pack("<H", Crc.calculate(header))
    whole = header + body
    return whole + struct.pack("<H", Crc.calculate(whole))


def _definition(
    local: int,
    mesg_num: int,
    fields: list[tuple[int, int, int]],
    *,
    big: bool = False,
    dev: list[tuple[int, int, int]] | None = None,
) -> bytes:
    e = ">" if big else "<"
    out = bytes([0x40 | local | (0x20 if dev else 0), 0, 1 if big else 0])
    out += struct.pack(e + "HB", mesg_num, len(fields))
    out += b"".join(bytes(f) for f in fields)
    if dev:
        out += bytes([len(dev)]) + b"".join(bytes(d) for d in dev)
    return out


def _data(local: int, fmt: str, *values: Any, compressed: int | None = None) -> bytes:
    header = 0x80 | (local << 5) | compressed if compressed is not None else local
    return bytes([header]) + struct.pack(fmt, *values)


def _file_id(file_type: int = 4) -> bytes:
    # file_id: type (enum), manufacturer (uint16: 1 = garmin), product (uint16: 2888? no, 1623 = fr620)
    return _definition(1, 0, [(0, 1, 0x00), (1, 2, 0x84), (2, 2, 0x84)]) + _data(1, "<BHH", file_type, 1, 1623)


# record fields: timestamp, lat, long, heart_rate, speed, altitude, cadence, fractional_cadence
_REC = [(253, 4, 0x86), (0, 4, 0x85), (1, 4, 0x85), (3, 1, 0x02), (6, 2, 0x84), (2, 2, 0x84), (4, 1, 0x02), (53, 1, 0x02)]


def _records_plain(big: bool = False) -> list[bytes]:
    e = ">" if big else "<"
    fmt = e + "IiiBHHBB"
    return [
        _definition(0, 20, _REC, big=big),
        _data(0, fmt, T0, 2**30, -(2**29), 150, 3000, 2600, 85, 64),
        _data(0, fmt, T0 + 1, 0x7FFFFFFF, 0x7FFFFFFF, 0xFF, 0xFFFF, 0xFFFF, 0xFF, 0xFF),
    ]


def _session(sport: int = 1) -> bytes:
    # session: start_time (2), total_elapsed_time (7, s*1000), sport (5), timestamp (253)
    return _definition(2, 18, [(253, 4, 0x86), (2, 4, 0x86), (7, 4, 0x86), (5, 1, 0x00)]) + _data(
        2, "<IIIB", T0 + 1, T0, 1000, sport
    )


@pytest.mark.parametrize("big", [False, True], ids=["little-endian", "big-endian"])
@pytest.mark.parametrize("engine", ["fast", "fitparse"])
def test_hand_built_records(big: bool, engine: str) -> None:
    data = _fit([_file_id(), *_records_plain(big), _session()])
    frames = read_fit(data, engine=engine)  # type: ignore[arg-type]
    s = frames.samples.to_dicts()
    assert len(s) == 2
    first, second = s
    assert first["timestamp_utc"].timestamp() == T0 + FIT_EPOCH_UNIX_S
    assert first["lat_deg"] == 90.0  # 2**30 semicircles
    assert first["lon_deg"] == -45.0
    assert first["heart_rate_bpm"] == 150
    assert first["speed_mps"] == 3.0  # 3000 / 1000
    assert first["altitude_m"] == 20.0  # 2600 / 5 - 500
    assert first["cadence_spm"] == (85 + 64 / 128) * 2  # running: per-foot rpm to steps/min
    # invalid sentinels are null
    assert {k for k, v in second.items() if v is None} == {
        "lat_deg", "lon_deg", "heart_rate_bpm", "speed_mps", "altitude_m", "cadence_spm",
        "distance_m", "power_w",
    }
    assert second["elapsed_s"] == 1.0
    (act,) = frames.activities.to_dicts()
    assert act["sport"] == "running" and act["elapsed_s"] == 1.0
    assert act["device"] == "garmin fr620"
    assert act["utc_offset_source"] == "assumed_utc"


@pytest.mark.parametrize("engine", ["fast", "fitparse"])
def test_compressed_timestamps_and_developer_fields(engine: str) -> None:
    # A full timestamp T0 (T0 % 32 == 0), then compressed headers with offsets
    # 5, 31 and 3: T0+5, T0+31, then 3 < 31 wraps to the next 32 s: T0+35.
    assert T0 % 32 == 0
    dev_id = _definition(3, 207, [(3, 1, 0x02)]) + _data(3, "<B", 0)  # developer_data_id index 0
    desc = _definition(4, 206, [(0, 1, 0x02), (1, 1, 0x02), (2, 1, 0x02)]) + _data(4, "<BBB", 0, 0, 0x84)
    rec = _definition(0, 20, [(3, 1, 0x02)], dev=[(0, 2, 0)])
    data = _fit(
        [
            _file_id(),
            dev_id,
            desc,
            _definition(1, 20, [(253, 4, 0x86), (3, 1, 0x02)], dev=[(0, 2, 0)]),
            _data(1, "<IBH", T0, 100, 7),
            rec,
            _data(0, "<BH", 101, 7, compressed=5),
            _data(0, "<BH", 102, 7, compressed=31),
            _data(0, "<BH", 103, 7, compressed=3),
        ],
        header_size=12,
    )
    s = read_fit(data, engine=engine).samples  # type: ignore[arg-type]
    assert [t.timestamp() - FIT_EPOCH_UNIX_S for t in s["timestamp_utc"]] == [T0, T0 + 5, T0 + 31, T0 + 35]
    assert s["heart_rate_bpm"].to_list() == [100, 101, 102, 103]


def test_records_without_timestamps() -> None:
    data = _fit([_file_id(), _definition(0, 20, [(3, 1, 0x02)]), _data(0, "<B", 120)])
    with pytest.raises(UnreadableFileError, match="no timestamps"):
        read_fit(data, name="notime.fit")


def test_bad_crc_and_header_crc() -> None:
    good = _fit([_file_id(), *_records_plain(), _session()])
    bad = good[:-1] + bytes([good[-1] ^ 0xFF])
    frames = read_fit(bad, name="badcrc.fit")
    assert frames.activities["partial"].item() is True
    assert "CRC" in frames.activities["partial_reason"].item()
    assert frames.samples.height == 2
    bad_header = good[:12] + bytes([good[12] ^ 0xFF]) + good[13:]
    with pytest.raises(UnreadableFileError, match="byte 12") as info:
        read_fit(bad_header, name="badheader.fit", engine="fast")
    assert info.value.offset == 12


def test_chained_parts_each_start_afresh() -> None:
    part = _fit([_file_id(), *_records_plain(), _session()])
    frames = read_fit(part + part + b"\x00garbage", name="chain.fit")
    assert frames.samples.height == 4
    assert frames.activities["partial"].to_list() == [True]  # identical sessions kept once
    assert "header" in frames.activities["partial_reason"].item()


# ---------------------------------------------------------------------------
# robustness: a damaged file gives frames or one clear FileError, never a crash
# ---------------------------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from runback.errors import FileError  # noqa: E402

_SMALL = Path(__file__).resolve().parents[1].parent / "shared/corpus/dtcooper-python-fitparse/tests/files/garmin-fenix-5-run.fit"


@pytest.mark.skipif(not _SMALL.exists(), reason="corpus not found")
@settings(max_examples=int(os.environ.get("RUNBACK_FIT_FUZZ_EXAMPLES", "150")), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cut=st.integers(min_value=0, max_value=5000),
    flips=st.lists(st.tuples(st.integers(min_value=0, max_value=5000), st.integers(1, 255)), max_size=4),
    engine=st.sampled_from(["fast", "fitparse"]),
)
def test_damaged_files_fail_cleanly(cut: int, flips: list[tuple[int, int]], engine: str) -> None:
    data = bytearray(_SMALL.read_bytes())
    for at, mask in flips:
        if at < len(data):
            data[at] ^= mask
    data = data[: len(data) - cut % len(data)] if cut else data
    try:
        frames = read_fit(bytes(data), name="damaged.fit", engine=engine)  # type: ignore[arg-type]
    except FileError as exc:
        assert str(exc).startswith("damaged.fit")
        return
    assert frames.activities.height >= 1
    assert frames.activities["n_samples"].sum() == frames.samples.height
    if cut or flips:
        # whatever decoded is at most the whole file's 21 records
        assert frames.samples.height <= 21 * 2


@pytest.mark.parametrize("engine", ["fast", "fitparse"])
def test_activity_values_from_records_without_session(engine: str) -> None:
    # timestamp, distance (m*100), heart_rate, speed (mm/s), altitude ((m+500)*5)
    fields = [(253, 4, 0x86), (5, 4, 0x86), (3, 1, 0x02), (6, 2, 0x84), (2, 2, 0x84)]
    rows = [(0, 0, 100, 5000, 10), (10, 5000, 110, 5000, 15), (20, 10000, 120, 0, 12)]
    data = _fit(
        [_file_id(), _definition(0, 20, fields)]
        + [_data(0, "<IIBHH", T0 + t, d, hr, v, (alt + 500) * 5) for t, d, hr, v, alt in rows]
    )
    frames = read_fit(data, engine=engine)  # type: ignore[arg-type]
    (act,) = frames.activities.to_dicts()
    assert act["sport"] == "generic"  # FIT's own "unspecified"
    assert act["elapsed_s"] == 20.0
    assert act["moving_s"] == 10.0  # the second 10 s end at 0 m/s: not moving
    assert act["distance_m"] == 100.0
    assert (act["avg_hr_bpm"], act["max_hr_bpm"]) == (110.0, 120.0)
    assert (act["ascent_m"], act["descent_m"]) == (5.0, 3.0)
    assert act["avg_speed_mps"] == 10.0  # 100 m over 10 s moving
    assert act["avg_cadence_spm"] is None
    assert frames.laps.is_empty()


def test_crc_equals_fitparse_on_every_corpus_file(corpus: Path) -> None:
    """The compiled CRC gives fitparse's value on every FIT file's bytes, whole and cut at odd places."""
    assert FIT_ROWS, "no FIT files in the corpus manifest"
    for row in FIT_ROWS:
        data = (corpus / row["path"]).read_bytes()
        for piece in (data, data[1:1001], memoryview(data)[3:4004]):
            assert _fitfast.crc16(piece) == Crc.calculate(bytes(piece)), row["path"]
