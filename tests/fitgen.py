"""A minimal FIT encoder for tests: a file_id, sessions and records, enough to build attack files."""

from __future__ import annotations

import struct
from collections.abc import Sequence

_CRC_TABLE = (
    0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
    0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400,
)  # fmt: skip

FIT_2025 = 1_104_537_600  # 2025-01-01 00:00:00 UTC in seconds since the FIT epoch (1989-12-31)


def fit_crc(data: bytes, crc: int = 0) -> int:
    """The FIT profile's CRC-16."""
    for byte in data:
        for nibble in (byte & 0xF, byte >> 4):
            tmp = _CRC_TABLE[crc & 0xF]
            crc = ((crc >> 4) & 0x0FFF) ^ tmp ^ _CRC_TABLE[nibble]
    return crc


def _definition(local: int, global_num: int, fields: list[tuple[int, int, int]]) -> bytes:
    out = struct.pack("<BBBHB", 0x40 | local, 0, 0, global_num, len(fields))
    return out + b"".join(struct.pack("<BBB", *f) for f in fields)


def fit_file(sessions: Sequence[tuple[int, int]], records: Sequence[tuple[int, int]] = ()) -> bytes:
    """A FIT activity file: ``sessions`` as (start, elapsed seconds), ``records`` as (timestamp, distance m).

    Times are seconds after 2025-01-01 UTC.
    """
    body = bytearray()
    body += _definition(0, 0, [(0, 1, 0x00), (4, 4, 0x86)])  # file_id: type, time_created
    body += struct.pack("<BBI", 0, 4, FIT_2025)  # type 4: activity
    body += _definition(1, 20, [(253, 4, 0x86), (5, 4, 0x86)])  # record: timestamp, distance (cm)
    for t, distance in records:
        body += struct.pack("<BII", 1, FIT_2025 + t, distance * 100)
    # session: timestamp (end), start_time, total_elapsed_time (ms), sport
    body += _definition(2, 18, [(253, 4, 0x86), (2, 4, 0x86), (7, 4, 0x86), (5, 1, 0x00)])
    for start, elapsed in sessions:
        body += struct.pack("<BIIIB", 2, FIT_2025 + start + elapsed, FIT_2025 + start, elapsed * 1000, 1)
    header = struct.pack("<BBHI4s", 14, 0x10, 2093, len(body), b".FIT")
    header += struct.pack("<H", fit_crc(header))
    data = header + bytes(body)
    return data + struct.pack("<H", fit_crc(data))
