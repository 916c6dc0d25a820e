"""The fast TCX engine against the reference (pre-scan, then defusedxml): the same frames or the same error.

Every TCX file of the corpus and of the sample data, hand-built edge cases
(first-of-its-name children, extension blocks, namespaces, depth, entities,
encodings) and generated documents are read with both engines.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import engines
from conftest import REPO, corpus_rows
from engines import Outcome
from runback.io import Frames
from runback.io._xml import MAX_NAMESPACES, MAX_XML_DEPTH, decode_xml, parse_checked
from runback.io.tcx import read_tcx

TCX_ROWS = [r for r in corpus_rows() if r["format"] == "TCX"]
SAMPLE_TCX = sorted((REPO / "sample_data").rglob("*.tcx"))


def assert_same(source: Path | bytes) -> Outcome:
    """Both engines give equal frames (to 1e-9) or the same error naming the file; returns the outcome."""
    return engines.assert_same(read_tcx, source, "fast", "defusedxml")


def one_pass(data: bytes) -> bool:
    """Whether the fast engine parses ``data`` itself, in one pass."""
    return parse_checked(decode_xml(data, "x")) is not None


@pytest.mark.parametrize("row", TCX_ROWS, ids=[r["path"].rsplit("/", 1)[-1] for r in TCX_ROWS])
def test_every_corpus_tcx_reads_the_same(corpus: Path, row: dict[str, str]) -> None:
    path = corpus / row["path"]
    result = assert_same(path)
    assert one_pass(path.read_bytes()) == isinstance(result, Frames)  # only the malformed one goes the long way


@pytest.mark.parametrize("path", SAMPLE_TCX, ids=[p.name for p in SAMPLE_TCX])
def test_sample_data_tcx_reads_the_same(path: Path) -> None:
    assert isinstance(assert_same(path), Frames)
    assert one_pass(path.read_bytes())


NS = (
    'xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2" '
    'xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2"'
)


def doc(points: str, *, sport: str = "Running", root: str = f"<TrainingCenterDatabase {NS}>", prolog: str = '<?xml version="1.0"?>\n',
        lap: str = "<TotalTimeSeconds>20</TotalTimeSeconds><DistanceMeters>50</DistanceMeters>") -> bytes:  # fmt: skip
    return (
        f'{prolog}{root}<Activities><Activity Sport="{sport}"><Id>2024-03-01T07:00:00Z</Id>'
        f'<Lap StartTime="2024-03-01T07:00:00Z">{lap}<Track>{points}</Track></Lap>'
        "<Creator><Name>Watch</Name></Creator></Activity></Activities></TrainingCenterDatabase>"
    ).encode()


def tp(t: int, inner: str = "") -> str:
    return (
        f"<Trackpoint><Time>2024-03-01T07:00:{t:02d}Z</Time><Position><LatitudeDegrees>52.0</LatitudeDegrees>"
        f"<LongitudeDegrees>4.{t:03d}</LongitudeDegrees></Position><DistanceMeters>{t * 3}</DistanceMeters>{inner}</Trackpoint>"
    )


def pts(inner: str = "", n: int = 3) -> str:
    return "".join(tp(10 * i, inner) for i in range(n))


def nested(tag: str, levels: int) -> str:
    return f"<{tag}>" * levels + f"</{tag}>" * levels


TPX = "<Extensions><ns3:TPX><ns3:Speed>3.1</ns3:Speed><ns3:RunCadence>85</ns3:RunCadence><ns3:Watts>250</ns3:Watts></ns3:TPX></Extensions>"

CASES: dict[str, bytes] = {
    "garmin-like": doc(pts("<AltitudeMeters>5.5</AltitudeMeters><HeartRateBpm><Value>150</Value></HeartRateBpm>" + TPX)),
    "bike cadence": doc(pts("<Cadence>90</Cadence>"), sport="Biking"),
    "run cadence and cadence": doc(pts("<Cadence>80</Cadence>" + TPX)),
    "foot cadence without TPX": doc(pts("<Cadence>80</Cadence>")),
    "first of each name": doc(pts("<HeartRateBpm><Value>150</Value><Value>99</Value></HeartRateBpm>"
                                  "<HeartRateBpm><Value>98</Value></HeartRateBpm><AltitudeMeters>1</AltitudeMeters>"
                                  "<AltitudeMeters>2</AltitudeMeters>")),
    "second Time ignored": doc("".join(f"<Trackpoint><Time>2024-03-01T07:00:{s:02d}Z</Time><Time>x</Time></Trackpoint>" for s in (0, 10))),
    "first TPX only": doc(pts("<Extensions><a><ns3:TPX><ns3:Speed>2</ns3:Speed></ns3:TPX></a><ns3:TPX><ns3:Speed>9</ns3:Speed>"
                              "<ns3:Watts>1</ns3:Watts></ns3:TPX></Extensions>")),
    "TPX without the value": doc(pts("<Extensions><ns3:TPX></ns3:TPX><ns3:TPX><ns3:Speed>9</ns3:Speed></ns3:TPX></Extensions>")),
    "second Extensions ignored": doc(pts("<Extensions/><Extensions>" + TPX[12:])),
    "other prefix": doc(pts("<Extensions><x:TPX xmlns:x='urn:x'><x:Speed>4</x:Speed></x:TPX></Extensions>")),
    "values padded and garbage": doc(pts("<AltitudeMeters>  7 </AltitudeMeters><HeartRateBpm><Value>x</Value></HeartRateBpm>"
                                         "<DistanceMeters>nan</DistanceMeters>")),
    "empty values": doc(pts("<AltitudeMeters></AltitudeMeters><HeartRateBpm><Value/></HeartRateBpm>")),
    "times in odd forms": doc("".join(f"<Trackpoint><Time>{t}</Time></Trackpoint>" for t in
                                      ["2024-03-01T09:00:00+02:00", " 2024-03-01T07:00:10 ", "2024-03-01T07:00:20.5Z", "x", ""])),
    "untimed trackpoints": doc(tp(0) + "<Trackpoint><DistanceMeters>3</DistanceMeters></Trackpoint>" + tp(20)),
    "no trackpoints": doc(""),
    "no times at all": doc("<Trackpoint><DistanceMeters>3</DistanceMeters></Trackpoint>"),
    "comments and CDATA": doc(pts("<!-- c --><AltitudeMeters><![CDATA[4.5]]></AltitudeMeters>")),
    "no namespace": doc(pts(), root="<TrainingCenterDatabase xmlns:ns3='urn:x'>"),
    "prefixed": doc(pts(), root=f'<t:TrainingCenterDatabase xmlns:t="urn:t">').replace(
        b"</TrainingCenterDatabase>", b"</t:TrainingCenterDatabase>"),
    f"{MAX_NAMESPACES + 1} namespaces": doc(pts(), root="<TrainingCenterDatabase " + " ".join(
        f'xmlns:n{i}="urn:{i}"' for i in range(MAX_NAMESPACES + 1)) + ">"),
    # TrainingCenterDatabase 1, Activities 2, Activity 3, Lap 4, Track 5, Trackpoint 6, Extensions 7, then the nesting
    "deepest read": doc(pts("<Extensions>" + nested("e", MAX_XML_DEPTH - 7) + "</Extensions>")),
    "one level too deep": doc(pts("<Extensions>" + nested("e", MAX_XML_DEPTH - 6) + "</Extensions>")),
    "billion laughs": doc(pts(), prolog='<?xml version="1.0"?>\n<!DOCTYPE t [<!ENTITY a "aa"><!ENTITY b "&a;&a;">]>\n'),
    "doctype without entities": doc(pts(), prolog='<?xml version="1.0"?>\n<!DOCTYPE t>\n'),
    "latin-1": doc(pts(), prolog='<?xml version="1.0" encoding="ISO-8859-1"?>\n').replace(b"Watch", "Montr\u00e9".encode("latin-1")),
    "utf-16": "\ufeff".encode("utf-16-le") + doc(pts(), prolog='<?xml version="1.0" encoding="UTF-16"?>\n').decode().encode("utf-16-le"),
    "malformed": doc(pts()).replace(b"</Track>", b"</Lap>", 1),
    "gpx root": b'<gpx version="1.1"/>',
    "course only": f"<TrainingCenterDatabase {NS}><Courses><Course/></Courses></TrainingCenterDatabase>".encode(),
    "empty": b"",
}


@pytest.mark.parametrize("name", list(CASES), ids=list(CASES))
def test_edge_cases_read_the_same(tmp_path: Path, name: str) -> None:
    path = tmp_path / "edge.tcx"
    path.write_bytes(CASES[name])
    assert_same(path)


@pytest.mark.parametrize(
    ("name", "fast"),
    [("garmin-like", True), ("latin-1", True), ("utf-16", True), ("deepest read", True), ("comments and CDATA", True),
     ("one level too deep", False), (f"{MAX_NAMESPACES + 1} namespaces", False), ("billion laughs", False),
     ("doctype without entities", False), ("malformed", False), ("empty", False)],
)  # fmt: skip
def test_what_the_fast_engine_parses_in_one_pass(name: str, fast: bool) -> None:
    assert one_pass(CASES[name]) is fast


def test_an_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown TCX engine 'lxml'"):
        read_tcx(CASES["garmin-like"], engine="lxml")  # type: ignore[arg-type]


CHILD = st.sampled_from(
    ["<AltitudeMeters>3.5</AltitudeMeters>", "<AltitudeMeters>x</AltitudeMeters>", "<HeartRateBpm><Value>140</Value></HeartRateBpm>",
     "<HeartRateBpm/>", "<Cadence>80</Cadence>", "<DistanceMeters>12</DistanceMeters>", "<DistanceMeters> </DistanceMeters>",
     "<Position><LatitudeDegrees>52</LatitudeDegrees><LongitudeDegrees>4</LongitudeDegrees></Position>",
     "<Position><LongitudeDegrees>4</LongitudeDegrees></Position>", TPX, "<Extensions><ns3:TPX/></Extensions>",
     "<Time>2024-03-01T07:01:00Z</Time>", "<Time>soon</Time>", "<Other>1</Other>", "<!-- c -->"]
)  # fmt: skip


@settings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    sport=st.sampled_from(["Running", "Biking", "Other", ""]),
    laps=st.lists(st.lists(st.lists(CHILD, max_size=5), max_size=3), min_size=1, max_size=2),
)
def test_generated_documents_read_the_same(sport: str, laps: list[list[list[str]]]) -> None:
    body = ""
    for i, lap in enumerate(laps):
        body += f'<Lap StartTime="2024-03-01T07:0{i}:00Z"><TotalTimeSeconds>60</TotalTimeSeconds><Track>'
        body += "".join(f"<Trackpoint><Time>2024-03-01T07:0{i}:{10 * j:02d}Z</Time>{''.join(c)}</Trackpoint>" for j, c in enumerate(lap))
        body += "</Track></Lap>"
    data = (
        f'<TrainingCenterDatabase {NS}><Activities><Activity Sport="{sport}"><Id>2024-03-01T07:00:00Z</Id>{body}'
        "</Activity></Activities></TrainingCenterDatabase>"
    ).encode()
    assert_same(data)
