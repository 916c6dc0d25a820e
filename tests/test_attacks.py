"""Attack files (issue 13): each is one failure (or skip) line naming it, and the good files beside it land.

Every attack file is generated here, none is committed.  Sizes are checked by
the reason given (the limit named), never by timing.
"""

from __future__ import annotations

import gzip
import io
import os
import shutil
import socket
import struct
import subprocess
import sys
import textwrap
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from fitgen import fit_file
from runback.io import read_report
from runback.io._pipeline import run_import
from runback.io._common import MiB, load_source
from runback.io.archive import FoundFile, Member, archive_members, find_files
from runback.io.fit import read_fit
from runback.io.gpx import read_gpx
from runback.io.readers import FIT_MAX_BYTES
from runback.io.tcx import read_tcx
from runback.io._xml import MAX_NAMESPACES, MAX_XML_DEPTH

SAMPLES = Path(__file__).resolve().parents[1] / "sample_data" / "anna"
GOOD = sorted(SAMPLES.glob("*.fit"))[:2]

GPX_HEAD = '<?xml version="1.0"?>\n<gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1">'
TRKPT = '<trkpt lat="52.0" lon="4.0"><time>2025-01-01T10:00:{s:02d}Z</time>{ext}</trkpt>'


def deep_gpx(depth: int = 160_000) -> bytes:
    """160,000 nested ``<extensions>``: gpxpy's deepcopy overflowed the C stack (SIGSEGV)."""
    ext = "<extensions>" * depth + "</extensions>" * depth
    points = "".join(TRKPT.format(s=s, ext=ext if s == 1 else "") for s in range(3))
    return f"{GPX_HEAD}<trk><trkseg>{points}</trkseg></trk></gpx>".encode()


def deep_tcx(depth: int = 160_000) -> bytes:
    nested = "<Extensions>" * depth + "</Extensions>" * depth
    return (
        '<?xml version="1.0"?><TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/'
        'TrainingCenterDatabase/v2"><Activities><Activity Sport="Running"><Id>2025-01-01T10:00:00Z</Id>'
        f'<Lap StartTime="2025-01-01T10:00:00Z"><Track><Trackpoint><Time>2025-01-01T10:00:00Z</Time>{nested}'
        "</Trackpoint></Track></Lap></Activity></Activities></TrainingCenterDatabase>"
    ).encode()


def many_namespaces_gpx(n: int = 20_000) -> bytes:
    """20,000 namespace declarations: gpxpy spent 39 s registering them."""
    decls = "".join(f' xmlns:n{i}="urn:x:{i}"' for i in range(n))
    points = "".join(TRKPT.format(s=s, ext="") for s in range(3))
    return f'{GPX_HEAD[:-1]}{decls}><trk><trkseg>{points}</trkseg></trk></gpx>'.encode()


def stray_xmlns_gpx(n: int = 200_000) -> bytes:
    """``xmlns`` in text, far from any ``=``: gpxpy's namespace regex scans on from each one."""
    points = "".join(TRKPT.format(s=s, ext="") for s in range(3))
    return f"{GPX_HEAD}<trk><name>{' xmlns' * n}</name><trkseg>{points}</trkseg></trk></gpx>".encode()


def _zip(members: list[tuple[str, bytes]], method: int = zipfile.ZIP_STORED) -> bytearray:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return bytearray(buffer.getvalue())


def _central(data: bytearray, name: bytes) -> int:
    """Where the central directory entry of ``name`` starts."""
    at = data.index(b"PK\x01\x02")
    while data[at + 46 : at + 46 + struct.unpack_from("<H", data, at + 28)[0]] != name:
        at = data.index(b"PK\x01\x02", at + 1)
    return at


def non_utf8_name_zip() -> bytes:
    """The UTF-8 flag set on a name that is not UTF-8: zipfile raised UnicodeDecodeError past the walker."""
    data = _zip([("a.fit", GOOD[0].read_bytes()), ("bad.fit", b"x" * 10)])
    at = _central(data, b"bad.fit")
    struct.pack_into("<H", data, at + 8, 0x800)
    data[at + 46 : at + 49] = b"\xff\xfe\xfd"
    return bytes(data)


def unknown_method_zip() -> bytes:
    """One member with compression method 99: that member fails, the other lands."""
    data = _zip([("good.fit", GOOD[0].read_bytes()), ("odd.fit", b"x" * 10)])
    struct.pack_into("<H", data, _central(data, b"odd.fit") + 10, 99)
    return bytes(data)


def bad_extra_zip() -> bytes:
    """An extra field that claims more bytes than it has: zipfile refuses the directory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        info = zipfile.ZipInfo("a.fit")
        info.extra = struct.pack("<HH", 0x0001, 16) + b"\0" * 4
        zf.writestr(info, b"x" * 10)
    return buffer.getvalue()


def zero_gz(size: int) -> bytes:
    """``size`` zero bytes gzipped (about a thousandth of the size)."""
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=1) as gz:
        chunk = bytes(MiB)
        for _ in range(size // MiB):
            gz.write(chunk)
        gz.write(bytes(size % MiB))
    return out.getvalue()


def _failures(summary: object) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for note in summary.failed:  # type: ignore[attr-defined]
        out.setdefault(Path(note.path.split("!")[0]).name, []).append(str(note))
    return out


def _folder(tmp_path: Path, attacks: dict[str, bytes]) -> Path:
    folder = tmp_path / "runs"
    folder.mkdir()
    for good in GOOD:
        shutil.copy(good, folder / good.name)
    for name, data in attacks.items():
        (folder / name).write_bytes(data)
    return folder


ATTACKS = {
    # name: (content, what the failure line says)
    "deep.gpx": (deep_gpx, f"elements nested more than {MAX_XML_DEPTH} deep"),
    "deep.tcx": (deep_tcx, f"elements nested more than {MAX_XML_DEPTH} deep"),
    "namespaces.gpx": (many_namespaces_gpx, f"more than {MAX_NAMESPACES} different namespace declarations"),
    "stray.gpx": (stray_xmlns_gpx, "'xmlns' appears 200000 times outside namespace declarations"),
    "non-utf8-name.zip": (non_utf8_name_zip, "not a readable zip archive: UnicodeDecodeError"),
    "bad-extra.zip": (bad_extra_zip, "not a readable zip archive: BadZipFile: Corrupt extra field"),
    "bomb.fit.gz": (lambda: zero_gz(FIT_MAX_BYTES + MiB), "decompressed file too large: runback reads at most 64 MiB"),
}


def test_each_attack_file_is_one_failure_line_and_the_good_files_land(tmp_path: Path) -> None:
    folder = _folder(tmp_path, {name: make() for name, (make, _) in ATTACKS.items()})
    frames, summary = read_report(folder, workers=1)
    assert sorted(Path(p).name for p in summary.imported) == sorted(g.name for g in GOOD)
    assert frames.activities.height == len(GOOD)
    failures = _failures(summary)
    assert sorted(failures) == sorted(ATTACKS)
    for name, (_, reason) in ATTACKS.items():
        assert len(failures[name]) == 1, failures[name]
        assert f"{name}" in failures[name][0] and reason in failures[name][0], failures[name]


def test_the_same_attacks_in_worker_processes(tmp_path: Path) -> None:
    """In worker processes too: no crash of the pool, every good file lands."""
    folder = _folder(tmp_path, {"deep.gpx": deep_gpx(), "deep.tcx": deep_tcx()})
    for i in range(30):  # enough files for the import to start worker processes
        shutil.copy(GOOD[0], folder / f"copy-{i}.fit")
    frames, summary = read_report(folder, workers=2)
    assert sorted(_failures(summary)) == ["deep.gpx", "deep.tcx"]
    assert frames.activities.height == len(GOOD)
    assert len(summary.imported) == len(GOOD)


def test_an_unsupported_compression_method_fails_that_member_only(tmp_path: Path) -> None:
    folder = _folder(tmp_path, {"export.zip": unknown_method_zip()})
    frames, summary = read_report(folder / "export.zip", workers=1)
    assert [Path(p).name for p in summary.imported] == ["export.zip!good.fit"]
    assert [str(n) for n in summary.failed] == [
        f"{folder / 'export.zip'}!odd.fit: cannot read archive member: That compression method is not supported"
    ]


def test_a_bad_zip_inside_a_zip_names_both(tmp_path: Path) -> None:
    outer = _zip([("a.fit", GOOD[0].read_bytes()), ("inner.zip", non_utf8_name_zip())])
    folder = _folder(tmp_path, {"outer.zip": bytes(outer)})
    _, summary = read_report(folder / "outer.zip", workers=1)
    assert [Path(p).name for p in summary.imported] == ["outer.zip!a.fit"]
    (note,) = summary.failed
    assert note.path.endswith("outer.zip!inner.zip") and "UnicodeDecodeError" in note.reason


def test_deep_xml_is_refused_before_any_tree_is_built() -> None:
    with pytest.raises(Exception, match=f"nested more than {MAX_XML_DEPTH} deep"):
        read_gpx(deep_gpx())
    with pytest.raises(Exception, match=f"nested more than {MAX_XML_DEPTH} deep"):
        read_tcx(deep_tcx())
    # a real track point's depth (gpx/trk/trkseg/trkpt/extensions/gpxtpx:TrackPointExtension/gpxtpx:hr) reads
    ext = "<extensions>" * 20 + "</extensions>" * 20
    points = "".join(TRKPT.format(s=s, ext=ext) for s in range(3))
    frames = read_gpx(f"{GPX_HEAD}<trk><trkseg>{points}</trkseg></trk></gpx>".encode())
    assert frames.samples.height == 3


def test_a_gz_bomb_stops_at_the_limit_without_expanding() -> None:
    bomb = zero_gz(FIT_MAX_BYTES + MiB)
    assert len(bomb) < MiB
    with pytest.raises(Exception, match="decompressed file too large: runback reads at most 64 MiB"):
        read_fit(bomb)
    # within the limit, the bytes come through
    assert load_source(zero_gz(3 * MiB), limit=4 * MiB).data == bytes(3 * MiB)


def test_a_file_over_its_format_limit_is_refused_unread(tmp_path: Path) -> None:
    big = tmp_path / "huge.fit"
    with big.open("wb") as fh:
        fh.truncate(FIT_MAX_BYTES + 1)  # sparse: no disk used
    _, summary = read_report(big, workers=1)
    assert [str(n) for n in summary.failed] == [
        f"{big}: file too large ({FIT_MAX_BYTES + 1} bytes): runback reads at most 64 MiB per file"
    ]


def test_an_archive_member_over_its_format_limit_is_refused_by_its_header(tmp_path: Path) -> None:
    data = _zip([("a.fit", GOOD[0].read_bytes()), ("big.fit", bytes(FIT_MAX_BYTES + 1))], zipfile.ZIP_DEFLATED)
    path = tmp_path / "bomb.zip"
    path.write_bytes(data)
    assert path.stat().st_size < MiB
    _, summary = read_report(path, workers=1)
    assert [Path(p).name for p in summary.imported] == ["bomb.zip!a.fit"]
    assert [n.reason for n in summary.failed] == [
        f"archive member too large ({FIT_MAX_BYTES + 1} bytes): runback reads at most 64 MiB per archive member"
    ]


def _found(path: Path) -> FoundFile:
    files, problems = find_files([path])
    assert problems == []
    return files[0]


def test_the_total_decompressed_bytes_of_an_archive_are_bounded(tmp_path: Path) -> None:
    """Three members of 1 MiB with a budget of 2.5 MiB: the third is not read, nested zips share the budget."""
    member = os.urandom(MiB)
    inner = _zip([("c.fit", member)])
    path = tmp_path / "export.zip"
    path.write_bytes(_zip([("a.fit", member), ("b.fit", member), ("inner.zip", bytes(inner))]))
    items = list(archive_members(_found(path), budget=5 * MiB // 2))
    assert [type(i).__name__ for i in items] == ["Member", "Member", "UnreadableFileError"]
    assert str(items[2]).endswith("export.zip!inner.zip: not read: the archive's budget of 2 MiB decompressed is spent")
    # within its budget (the inner zip's bytes count, then its member's) every member comes, the nested one too
    whole = [i for i in archive_members(_found(path), budget=5 * MiB) if isinstance(i, Member)]
    assert [m.label.rsplit("!", 1)[-1] for m in whole] == ["a.fit", "b.fit", "c.fit"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes and /dev/zero are POSIX")
def test_devices_pipes_and_sockets_are_skipped_with_a_reason(tmp_path: Path) -> None:
    folder = _folder(tmp_path, {})
    (folder / "zero.fit").symlink_to("/dev/zero")
    os.mkfifo(folder / "pipe.fit")
    server = socket.socket(socket.AF_UNIX)
    short = Path(f"/tmp/rb-{os.getpid()}.gpx")  # a socket path must be short
    server.bind(str(short))
    try:
        frames, summary = read_report([folder, folder / "pipe.fit", short], workers=1)
    finally:
        server.close()
        short.unlink()
    assert frames.activities.height == len(GOOD) and summary.failed == []
    skipped = sorted(str(n) for n in summary.skipped)
    assert skipped == sorted(
        [
            f"{folder / 'zero.fit'}: not a regular file (a character device): skipped, not read",
            f"{folder / 'pipe.fit'}: not a regular file (a named pipe): skipped, not read",
            f"{folder / 'pipe.fit'}: not a regular file (a named pipe): skipped, not read",
            f"{short}: not a regular file (a socket): skipped, not read",
        ]
    )


def test_many_sessions_are_deduplicated_by_key() -> None:
    """20,000 sessions (quadratic before: minutes for 100,000); re-sent copies count once."""
    distinct = read_fit(fit_file([(i * 7200, 1800) for i in range(20_000)]))
    assert distinct.activities.height == 20_000
    resent = read_fit(fit_file([(0, 1800)] * 20_000, [(t, t * 3) for t in range(0, 1800, 10)]))
    assert resent.activities.height == 1
    assert resent.activities["n_samples"].to_list() == [180]


WORKER_PARENT = textwrap.dedent(
    """
    import multiprocessing, sys, threading, time
    from runback.io._pipeline import Task, parse_all
    data = open(sys.argv[1], "rb").read()
    tasks = [Task(f"slow-{i}.fit", f"k{i}", "me", data=data) for i in range(8)]  # two chunks: two workers
    threading.Thread(target=lambda: list(parse_all(tasks, workers=2, progress=None)), daemon=True).start()
    for _ in range(600):
        if len(multiprocessing.active_children()) >= 2:
            break
        time.sleep(0.05)
    print(" ".join(str(p.pid) for p in multiprocessing.active_children()), flush=True)
    time.sleep(60)
    """
)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")


def _ignores_sigint(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    ignored = next(line for line in status if line.startswith("SigIgn:"))
    return bool(int(ignored.split()[1], 16) & (1 << (2 - 1)))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_ignore_ctrl_c_and_die_with_their_parent(tmp_path: Path) -> None:
    slow = tmp_path / "slow.fit"
    slow.write_bytes(fit_file([(i * 7200, 1800) for i in range(100_000)]))  # seconds of parsing each
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    parent = subprocess.Popen(
        [sys.executable, "-c", WORKER_PARENT, str(slow)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env
    )
    try:
        assert parent.stdout is not None
        pids = [int(p) for p in parent.stdout.readline().split()]
        assert len(pids) == 2 and all(_alive(p) for p in pids)
        # SIGINT (bit 2) joins each worker's ignored set once it has started: Ctrl-C is the parent's
        deadline = time.monotonic() + 30  # a bound for a slow start, not a measurement
        while not all(_ignores_sigint(p) for p in pids) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert all(_ignores_sigint(p) for p in pids)
    finally:
        parent.kill()
        parent.wait()
        assert parent.stdout is not None
        parent.stdout.close()
    deadline = time.monotonic() + 10  # a bound, not a measurement: they go at once
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(p) for p in pids)


def test_an_archive_is_parsed_in_waves_so_memory_follows_the_largest_file(tmp_path: Path) -> None:
    """40 members of 1 MiB, waves of 4 MiB: the import's Python memory peaks far below the archive's 40 MiB."""
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for i in range(40):
            zf.writestr(f"run-{i:02d}.fit", os.urandom(MiB))  # not FIT: each fails at once, by name
    calls: list[tuple[int, int]] = []
    tracemalloc.start()
    try:
        result = run_import([path], athlete="me", workers=1, wave_bytes=4 * MiB,
                            progress=lambda done, total, _: calls.append((done, total)))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(result.summary.failed) == 40
    assert peak < 20 * MiB, peak  # without waves: over 40 MiB
    # progress counts over all waves: done runs 1..40 and the last total is 40
    assert [d for d, _ in calls] == list(range(1, 41)) and calls[-1] == (40, 40)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_pipe_named_like_a_strava_csv_does_not_hang_the_walk(tmp_path: Path) -> None:
    folder = _folder(tmp_path, {})
    os.mkfifo(folder / "activities.csv")
    frames, summary = read_report(folder, workers=1)
    assert frames.activities.height == len(GOOD) and summary.failed == []


def test_an_export_file_given_by_name_is_bounded_like_one_found_in_a_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # before, activities.csv given by name was read whole, whatever its size
    from runback.io import archive, read_report

    csv = tmp_path / "activities.csv"
    csv.write_text("Activity ID,Activity Date,Activity Name,Activity Type\n" + "1,x,y,Run\n" * 200, encoding="utf-8")
    monkeypatch.setattr(archive, "MAX_CSV_BYTES", 1000)
    frames, summary = read_report(csv)
    assert frames.activities.is_empty()
    assert len(summary.failed) == 1 and str(csv) in str(summary.failed[0])
