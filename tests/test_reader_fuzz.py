"""Fuzzing the readers: any bytes give frames or one of runback's own errors, nothing else, and end.

Mutated FIT (byte flips, truncation, insertion, deletion on real sample files),
mutated GPX and TCX (tag and attribute mutation, nesting, truncation), mutated
zips (bytes of the local headers and the central directory) and the journal
CSV parser.  Inputs stay small (tens of kilobytes), so no case can hang.

Bounded for CI (a few seconds per test).  For a long run (about 10 minutes)::

    RUNBACK_FUZZ_EXAMPLES=20000 python -m pytest -q tests/test_reader_fuzz.py
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runback.errors import RunbackError
from runback.io import Frames
from runback.io._pipeline import read_one
from runback.io.archive import Member, archive_members, find_files
from runback.io.fit import read_fit
from runback.io.gpx import read_gpx
from runback.io.tcx import read_tcx
from runback.pain.journal import parse_journal_csv

EXAMPLES = int(os.environ.get("RUNBACK_FUZZ_EXAMPLES", "100"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=EXAMPLES <= 100,  # CI runs the same cases every time; a long run explores
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

ROOT = Path(__file__).resolve().parents[1] / "sample_data"
FITS = [p.read_bytes() for p in sorted((ROOT / "anna").glob("*.fit"))[:4]]


def _small_gpx() -> str:
    """The first 40 track points of a sample GPX: a real file, small enough to parse in milliseconds."""
    text = sorted((ROOT / "bram").glob("*.gpx"))[0].read_text()
    cut = [m.end() for m in re.finditer("</trkpt>", text)][39]
    return text[:cut] + "\n  </trkseg>\n </trk>\n</gpx>\n"


GPX = _small_gpx()
_POINTS = re.findall(r'<trkpt lat="([^"]+)" lon="([^"]+)">.*?<time>([^<]+)</time>', GPX, re.S)
TCX = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<TrainingCenterDatabase '
    'xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2" '
    'xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2">\n<Activities>\n'
    f'<Activity Sport="Running"><Id>{_POINTS[0][2]}</Id><Lap StartTime="{_POINTS[0][2]}">'
    "<TotalTimeSeconds>40</TotalTimeSeconds><DistanceMeters>120</DistanceMeters><Track>\n"
    + "".join(
        f"<Trackpoint><Time>{t}</Time><Position><LatitudeDegrees>{lat}</LatitudeDegrees>"
        f"<LongitudeDegrees>{lon}</LongitudeDegrees></Position><HeartRateBpm><Value>140</Value>"
        "</HeartRateBpm><Extensions><ns3:TPX><ns3:RunCadence>85</ns3:RunCadence></ns3:TPX></Extensions>"
        "</Trackpoint>\n"
        for lat, lon, t in _POINTS
    )
    + "</Track></Lap></Activity>\n</Activities>\n</TrainingCenterDatabase>\n"
)


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return buffer.getvalue()


ZIP = _zip([("a.fit", FITS[0]), ("b/run.gpx", GPX.encode()), ("inner.zip", _zip([("c.fit", FITS[1])]))])

# one mutation: (kind, where as a fraction of the length, a byte value, bytes to insert)
MUTATION = st.tuples(
    st.sampled_from(["flip", "set", "truncate", "insert", "delete", "duplicate"]),
    st.floats(min_value=0.0, max_value=1.0),
    st.integers(min_value=0, max_value=255),
    st.binary(max_size=64),
)


def mutate(data: bytes, mutations: list[tuple[str, float, int, bytes]], *, hot: tuple[int, int] | None = None) -> bytes:
    """Apply byte-level mutations; ``hot`` (start, end) puts half of them in that region (a header)."""
    out = bytearray(data)
    for n, (kind, where, value, insert) in enumerate(mutations):
        if not out:
            break
        if hot is not None and n % 2 == 0:
            lo, hi = hot[0] % len(out), min(hot[1], len(out))
            pos = lo + int(where * max(hi - lo - 1, 0))
        else:
            pos = int(where * (len(out) - 1))
        if kind == "flip":
            out[pos] ^= 1 << (value % 8)
        elif kind == "set":
            out[pos] = value
        elif kind == "truncate":
            del out[pos:]
        elif kind == "insert":
            out[pos:pos] = insert
        elif kind == "delete":
            del out[pos : pos + 1 + value % 32]
        else:  # a record or element repeated
            out[pos:pos] = out[pos : pos + 1 + value]
    return bytes(out)


def outcome(read: object, data: bytes) -> Frames | RunbackError:
    """Frames or runback's own error; anything else fails the property (and hypothesis shrinks it)."""
    try:
        frames = read(data)  # type: ignore[operator]
    except RunbackError as exc:
        return exc
    assert isinstance(frames, Frames)
    return frames


@FUZZ
@given(source=st.sampled_from(range(len(FITS))), mutations=st.lists(MUTATION, min_size=1, max_size=6))
def test_mutated_fit(source: int, mutations: list[tuple[str, float, int, bytes]]) -> None:
    outcome(read_fit, mutate(FITS[source], mutations, hot=(0, 200)))  # the header and first definitions


# element-level mutations for XML: the document as text
XML_MUTATION = st.tuples(
    st.sampled_from(["rename", "drop_close", "repeat_open", "attribute", "text", "nest", "truncate", "bytes"]),
    st.floats(min_value=0.0, max_value=1.0),
    st.sampled_from(
        ["trkpt", "trk", "trkseg", "gpx", "time", "ele", "extensions", "gpxtpx:hr", "Trackpoint", "Lap",
         "Activity", "Time", "Position", "ns3:TPX", "x:y", "", "a b", "metadata", "Activities"]
    ),
    st.text(max_size=20),
)  # fmt: skip

_TAG = re.compile(r"<(/?)([A-Za-z][\w:.-]*)")
_ATTRIBUTE = re.compile(r'(\w[\w:]*)="([^"]*)"')


def mutate_xml(text: str, mutations: list[tuple[str, float, str, str]]) -> bytes:
    for kind, where, name, value in mutations:
        tags = list(_TAG.finditer(text))
        if not tags:
            break
        tag = tags[int(where * (len(tags) - 1))]
        if kind == "rename":
            text = text[: tag.start(2)] + name + text[tag.end(2) :]
        elif kind == "drop_close":
            closes = [t for t in tags if t.group(1)]
            if closes:
                close = closes[int(where * (len(closes) - 1))]
                end = text.find(">", close.start())
                text = text[: close.start()] + text[end + 1 :]
        elif kind == "repeat_open":
            end = text.find(">", tag.start())
            text = text[: end + 1] + text[tag.start() : end + 1] + text[end + 1 :]
        elif kind == "attribute":
            attributes = list(_ATTRIBUTE.finditer(text))
            if attributes:
                a = attributes[int(where * (len(attributes) - 1))]
                text = text[: a.start(2)] + value.replace('"', "&quot;") + text[a.end(2) :]
        elif kind == "text":
            end = text.find(">", tag.start())
            text = text[: end + 1] + value + text[end + 1 :]
        elif kind == "nest":
            depth = 1 + len(value) * 7  # up to 141: across the depth limit
            text = text[: tag.start()] + f"<{name or 'x'}>" * depth + f"</{name or 'x'}>" * depth + text[tag.start() :]
        elif kind == "truncate":
            text = text[: int(where * len(text))]
        else:
            pos = int(where * len(text))
            text = text[:pos] + value + text[pos:]
    return text.encode("utf-8", errors="surrogatepass")


@FUZZ
@given(mutations=st.lists(XML_MUTATION, min_size=1, max_size=5))
def test_mutated_gpx(mutations: list[tuple[str, float, str, str]]) -> None:
    outcome(read_gpx, mutate_xml(GPX, mutations))


@FUZZ
@given(mutations=st.lists(XML_MUTATION, min_size=1, max_size=5))
def test_mutated_tcx(mutations: list[tuple[str, float, str, str]]) -> None:
    outcome(read_tcx, mutate_xml(TCX, mutations))


@FUZZ
@given(data=st.binary(max_size=2000))
def test_any_bytes_as_each_format(data: bytes) -> None:
    for read in (read_fit, read_gpx, read_tcx):
        outcome(read, data)


_CENTRAL = ZIP.rindex(b"PK\x01\x02") - 200


@FUZZ
@given(mutations=st.lists(MUTATION, min_size=1, max_size=6), where=st.sampled_from(["local", "central"]))
def test_mutated_zip(mutations: list[tuple[str, float, int, bytes]], where: str) -> None:
    """The walker yields members and errors, never raises; every member then reads or fails cleanly."""
    hot = (0, 120) if where == "local" else (_CENTRAL, len(ZIP))
    data = mutate(ZIP, mutations, hot=hot)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.zip"
        path.write_bytes(data)
        found, problems = find_files([path])
        assert problems == []
        for item in archive_members(found[0]):
            if isinstance(item, Member):
                outcome(lambda d, label=item.label: read_one(d, label, athlete="me"), item.data)
            else:
                assert isinstance(item, RunbackError)


JOURNAL = (
    "date,pain,timing,location,sleep_h,rpe,note\n"
    "2025-03-03,2,after,knee,7.5,6,fine\n"
    '2025-03-04,4,during,shin,"6,5",7,"a note, with a comma"\n'
    "2025-03-05,0,after,,8,5,\n"
    "2025-03-06,3,next_morning,achilles,7,6,\"quote \"\"inside\"\"\"\n"
)


@FUZZ
@given(
    mutations=st.lists(MUTATION, min_size=1, max_size=6),
    raw=st.one_of(st.none(), st.binary(max_size=500), st.text(alphabet=',;"\n\r\u2028 0123456789-abc', max_size=300)),
)
def test_journal_csv(mutations: list[tuple[str, float, int, bytes]], raw: bytes | str | None) -> None:
    """Any bytes give a journal frame or a JournalError/FileError: never another exception."""
    if raw is None:
        data = mutate(JOURNAL.encode(), mutations)
    else:
        data = raw.encode() if isinstance(raw, str) else raw
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "journal.csv"
        path.write_bytes(data)
        try:
            parse_journal_csv(path, athlete="me")
        except RunbackError:
            pass


FOUND = [
    # the long fuzz run's findings, kept as regression cases
    ("tcx", '<?xml version="1.0" encoding="undefined"?><TrainingCenterDatabase/>'),  # UnicodeError escaped
    ("gpx", '<?xml version="1.0" encoding="undefined"?><gpx/>'),
    ("gpx", '<?xml version="1.0" encoding="rot13"?><gpx/>'),  # a codec that is not a text encoding
    ("tcx", '<?xml version="1.0" encoding="idna"?><TrainingCenterDatabase>\u00e9.</TrainingCenterDatabase>'),
]


@pytest.mark.parametrize(("kind", "text"), FOUND)
def test_what_the_fuzz_found(kind: str, text: str) -> None:
    read = {"gpx": read_gpx, "tcx": read_tcx}[kind]
    with pytest.raises(RunbackError, match="not valid"):
        read(text.encode())


def test_the_fixtures_read_unmutated(tmp_path: Path) -> None:
    """The fuzz starts from files that read: a mutation, not the seed, is what fails."""
    assert read_gpx(GPX.encode()).samples.height == 40
    assert read_tcx(TCX.encode()).samples.height == 40
    assert all(read_fit(data).activities.height == 1 for data in FITS)
    (tmp_path / "x.zip").write_bytes(ZIP)
    members = [m for m in archive_members(find_files([tmp_path / "x.zip"])[0][0]) if isinstance(m, Member)]
    assert [m.label.rsplit("!", 1)[-1] for m in members] == ["a.fit", "b/run.gpx", "c.fit"]


pytestmark = pytest.mark.filterwarnings("error")
