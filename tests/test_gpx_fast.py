"""The fast GPX engine against gpxpy (the reference): the same frames or the same error, file by file.

Every GPX file of the corpus and of the sample data, the hand-built edge cases
below (times in every form gpxpy reads, values it refuses, namespaces, depth,
encodings, several tracks) and generated documents are read with both engines;
frames must agree to 1e-9 (in practice they are identical), errors in class and
message (which names the file).
"""

from __future__ import annotations

import gc
import gzip
from pathlib import Path

import gpxpy.parser
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import engines
from conftest import REPO, corpus_rows
from engines import Outcome
from runback.errors import UnreadableFileError
from runback.io import Frames
from runback.io import _gpxfast
from runback.io._xml import MAX_NAMESPACES, MAX_XML_DEPTH, decode_xml, gc_paused
from runback.io.gpx import read_gpx

GPX_ROWS = [r for r in corpus_rows() if r["format"] == "GPX"]
SAMPLE_GPX = sorted((REPO / "sample_data").rglob("*.gpx"))


def assert_same(source: Path | bytes) -> Outcome:
    """Both engines give equal frames (to 1e-9) or the same error naming the file; returns the outcome."""
    return engines.assert_same(read_gpx, source, "fast", "gpxpy")


def fast_reads(data: bytes) -> bool:
    """Whether the fast engine reads ``data`` itself (rather than handing it to gpxpy)."""
    return _gpxfast.parse(decode_xml(data, "x")) is not None


@pytest.mark.parametrize("row", GPX_ROWS, ids=[r["path"].rsplit("/", 1)[-1] for r in GPX_ROWS])
def test_every_corpus_gpx_reads_the_same(corpus: Path, row: dict[str, str]) -> None:
    path = corpus / row["path"]
    assert_same(path)
    if row["n_records"] not in ("", "0"):  # a file with track points is the fast engine's own work
        assert fast_reads(path.read_bytes())


@pytest.mark.parametrize("path", SAMPLE_GPX, ids=[p.name for p in SAMPLE_GPX])
def test_sample_data_gpx_reads_the_same(path: Path) -> None:
    result = assert_same(path)
    assert isinstance(result, Frames) and result.samples.height > 100
    assert fast_reads(path.read_bytes())


GPX11 = "http://www.topografix.com/GPX/1/1"
TPX = "http://www.garmin.com/xmlschemas/TrackPointExtension/v1"


def doc(
    points: str,
    *,
    root: str = f'<gpx version="1.1" creator="watch" xmlns="{GPX11}" xmlns:gpxtpx="{TPX}">',
    before: str = "<trk><name>Run</name><type>running</type><trkseg>",
    after: str = "</trkseg></trk>",
    prolog: str = '<?xml version="1.0" encoding="UTF-8"?>\n',
    end: str = "</gpx>",
) -> bytes:
    return f"{prolog}{root}{before}{points}{after}{end}".encode()


def pt(time: str | None = "2024-03-01T07:00:00Z", *, lat: str = "52.0", lon: str = "4.0", inner: str = "") -> str:
    """One track point; ``time=None`` leaves <time> out."""
    when = f"<time>{time}</time>" if time is not None else ""
    return f'<trkpt lat="{lat}" lon="{lon}">{inner}{when}</trkpt>'


def run(n: int = 3, inner: str = "", start_s: int = 0, lon0: float = 4.0) -> str:
    """``n`` points ten seconds and about 70 m apart, each with ``inner``."""
    return "".join(
        pt(f"2024-03-01T07:{(start_s + 10 * i) // 60:02d}:{(start_s + 10 * i) % 60:02d}Z", lon=f"{lon0 + 0.001 * i}",
           inner=inner)
        for i in range(n)
    )  # fmt: skip


HR = "<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>150</gpxtpx:hr><gpxtpx:cad>85</gpxtpx:cad></gpxtpx:TrackPointExtension></extensions>"


def nested(tag: str, levels: int, leaf: str = "") -> str:
    return f"<{tag}>" * levels + leaf + f"</{tag}>" * levels


CASES: dict[str, bytes] = {
    "garmin-like": doc(run(5, "<ele>12.5</ele>" + HR)),
    # times: every form gpxpy's own pattern takes, and the ones it leaves absent
    **{
        f"time {label}": doc(pt("2024-03-01T07:00:00Z") + pt(value, lon="4.001") + pt("2024-03-01T07:00:20Z", lon="4.002"))
        for label, value in {
            "offset": "2024-03-01T09:00:10+02:00",
            "offset without colon": "2024-03-01T09:00:10+0200",
            "offset hours only": "2024-03-01T09:00:10+02",
            "unicode minus": "2024-03-01T05:00:10\u221202:00",
            "no zone": "2024-03-01T07:00:10",
            "milliseconds": "2024-03-01T07:00:10.250Z",
            "nine digits": "2024-03-01T07:00:10.123456789Z",
            "fifteen digits": "2024-03-01T07:00:10.123456789012345Z",
            "sixteen digits": "2024-03-01T07:00:10.1234567890123456Z",
            "space for T": "2024-03-01 07:00:10Z",
            "one-digit fields": "2024-3-1T7:0:10Z",
            "trailing newline": "2024-03-01T07:00:10Z\n",
            "surrounded by whitespace": "\n  2024-03-01T07:00:10Z\n",
            "invalid day": "2023-02-29T07:00:10Z",
            "hour 24": "2024-03-01T24:00:10Z",
            "second 60": "2024-03-01T07:00:60Z",
            "year 0": "0000-03-01T07:00:10Z",
            "garbage": "yesterday",
            "empty": "",
            "offset of a day": "2024-03-01T07:00:10+99:99",
        }.items()
    },
    "time in CDATA": doc(pt() + pt("<![CDATA[2024-03-01T07:00:10Z]]>", lon="4.001")),
    "comments everywhere": doc(pt(inner="<!-- a --><ele>1<!-- b -->2</ele>") + "<!-- c -->" + pt("2024-03-01T07:00:10Z", lon="4.001")),
    "untimed points": doc(pt() + pt(None, lon="4.001") + pt("2024-03-01T07:00:20Z", lon="4.002")),
    "no times": doc(pt(None) + pt(None, lon="4.001")),
    # values gpxpy refuses (the file fails) or reads as absent
    "ele garbage": doc(run(2, "<ele>high</ele>")),
    "ele empty": doc(run(2, "<ele></ele>")),
    "ele blank": doc(run(2, "<ele>  </ele>")),
    "ele padded": doc(run(2, "<ele> 7.5 </ele>")),
    "ele twice": doc(run(2, "<ele>1</ele><ele>x</ele>")),
    "lat missing": doc(pt() + '<trkpt lon="4.0"><time>2024-03-01T07:00:10Z</time></trkpt>'),
    "lat garbage": doc(pt() + pt("2024-03-01T07:00:10Z", lat="north")),
    "lat padded": doc(pt(lat=" 52.0 ") + pt("2024-03-01T07:00:10Z", lat="5_2.0")),
    "lat out of the globe": doc(pt(lat="91") + pt("2024-03-01T07:00:10Z", lat="nan")),
    "every position off the globe": doc(pt(lat="91") + pt("2024-03-01T07:00:10Z", lat="-95")),
    "hdop garbage": doc(run(2, "<hdop>x</hdop>")),
    "hdop fine": doc(run(2, "<hdop>1.5</hdop><sat>7</sat><fix>3d</fix>")),
    "sat as float": doc(run(2, "<sat>7.0</sat>")),
    "fix unknown": doc(run(2, "<fix>4d</fix>")),
    "strings on points": doc(run(2, "<name>p</name><sym>Flag</sym><desc>d</desc><link href='x'><text>t</text></link>")),
    "unknown children": doc(run(2, "<foo><bar>1</bar></foo>")),
    "waypoint garbage": doc(run(2), before=f'<wpt lat="1" lon="x"/><trk><trkseg>'),
    "route number garbage": doc(run(2), before="<rte><number>one</number></rte><trk><trkseg>"),
    "track number garbage": doc(run(2), before="<trk><number>one</number><trkseg>"),
    "bounds garbage": doc(run(2), before='<metadata><bounds minlat="x"/></metadata><trk><trkseg>'),
    "metadata name": doc(run(2), before="<metadata><name>Lunch</name><time>bad</time></metadata><trk><trkseg>"),
    "blank track name": doc(run(2), before="<metadata><name>  Doc  </name></metadata><trk><name>  </name><type> </type><trkseg>"),
    "tomtom track name": doc(run(2), before="<trk><name>Running</name><trkseg>"),
    # extensions
    "extension variants": doc(run(2, "<extensions><x:TPX xmlns:x='u'><x:HR>140</x:HR><Hr>nan</Hr><a><cad>80</cad></a>"
                                     "<power>250</power><speed>3.1</speed><hr>x</hr></x:TPX></extensions>")),
    "two hr, the last wins": doc(run(2, "<extensions><hr>140</hr><b><hr>150</hr></b></extensions>")),
    "second extensions ignored": doc(run(2, "<extensions><hr>140</hr></extensions><extensions><hr>99</hr></extensions>")),
    "hr only on some points": doc(pt() + pt("2024-03-01T07:00:10Z", lon="4.001", inner=HR)),
    # GPX 1.0: <speed> and <course> on points, no extensions
    "gpx 1.0": doc(run(3, "<speed>3.2</speed><course>90</course>" + HR), root=f'<gpx version="1.0" xmlns="http://www.topografix.com/GPX/1/0" xmlns:gpxtpx="{TPX}">'),
    "gpx 1.0 course garbage": doc(run(2, "<course>east</course>"), root='<gpx version="1.0">'),
    "gpx 1.0 speed garbage": doc(run(2, "<speed>fast</speed>"), root='<gpx version="1.0">'),
    "no version": doc(run(2, "<speed>3</speed>" + HR), root=f'<gpx xmlns="{GPX11}" xmlns:gpxtpx="{TPX}">'),
    "version padded": doc(run(2, HR), root=f'<gpx version=" 1.1" xmlns="{GPX11}" xmlns:gpxtpx="{TPX}">'),
    # namespaces, as gpxpy removes the first default one
    "no namespace": doc(run(2, HR), root='<gpx version="1.1" xmlns:gpxtpx="u">'),
    "prefixed root": doc(run(2), root=f'<g:gpx version="1.1" xmlns:g="{GPX11}">', end="</g:gpx>"),
    "default namespace twice": doc(run(2), root=f'<gpx version="1.1" xmlns="{GPX11}" xmlns="{GPX11}">'),
    "reserved namespace": doc(run(2), root='<gpx version="1.1" xmlns="http://www.w3.org/2000/xmlns/">'),
    "namespace with an entity": doc(run(2), root='<gpx version="1.1" xmlns="a&amp;b">'),
    "no-break space before xmlns": doc(run(2), root=f'<gpx version="1.1"\u00a0xmlns="{GPX11}">'),
    "xmlns single quotes": doc(run(2), root=f"<gpx version='1.1' xmlns='{GPX11}'>"),
    "xmlns spaced": doc(run(2), root=f'<gpx version="1.1" xmlns = "{GPX11}">'),
    "xmlns in a comment first": doc(run(2), prolog=f'<!-- <gpx xmlns="{GPX11}"> -->\n'),
    "xmlns in an attribute": doc(run(2), root=f"<gpx version=\"1.1\" creator='a xmlns=\"b\"' xmlns=\"{GPX11}\">"),
    "default namespace again on trk": doc(run(2), before=f'<trk xmlns="{GPX11}"><trkseg>'),
    "other namespace on trkpt": doc('<trkpt xmlns="urn:x" lat="1" lon="2"><time>2024-03-01T07:00:00Z</time></trkpt>' + run(1)),
    f"{MAX_NAMESPACES} namespaces": doc(run(2), root='<gpx version="1.1" ' + " ".join(f'xmlns:n{i}="urn:{i}"' for i in range(MAX_NAMESPACES)) + ">"),
    f"{MAX_NAMESPACES + 1} namespaces": doc(run(2), root='<gpx version="1.1" ' + " ".join(f'xmlns:n{i}="urn:{i}"' for i in range(MAX_NAMESPACES + 1)) + ">"),
    "stray xmlns": doc(run(2), before="<trk><name>" + " xmlns" * 1001 + "</name><trkseg>"),
    # depth: the pre-scan's limit, wherever the nesting is
    # gpx 1, trk 2, trkseg 3, trkpt 4, extensions 5, then the nesting, then <hr>
    "deepest extension read": doc(run(2, "<extensions>" + nested("e", MAX_XML_DEPTH - 6, "<hr>150</hr>") + "</extensions>")),
    "extension one level too deep": doc(run(2, "<extensions>" + nested("e", MAX_XML_DEPTH - 5, "<hr>150</hr>") + "</extensions>")),
    "deep in ele": doc(run(2, "<ele>1" + nested("e", MAX_XML_DEPTH) + "</ele>")),
    "deep in metadata": doc(run(2), before="<metadata>" + nested("m", MAX_XML_DEPTH) + "</metadata><trk><trkseg>"),
    "deep beside the points": doc(run(2) + nested("s", MAX_XML_DEPTH)),
    "deep in an unknown child": doc(run(2, nested("u", MAX_XML_DEPTH))),
    # tracks and segments
    "two segments": doc(run(2) + "</trkseg><trkseg>" + run(2, start_s=120, lon0=4.01)),
    "empty segment": doc(run(2) + "</trkseg><trkseg></trkseg><trkseg>" + run(2, start_s=60)),
    "two tracks close": doc(run(2) + "</trkseg></trk><trk><name>Part 2</name><trkseg>" + run(2, start_s=600)),
    "two tracks hours apart": doc(run(2) + "</trkseg></trk><trk><type>cycling</type><trkseg>"
                                  + run(2).replace("T07:", "T11:")),
    "second track untimed": doc(run(2) + "</trkseg></trk><trk><trkseg>" + pt(None)),
    "empty track": doc(run(2), after="</trkseg></trk><trk></trk>"),
    "waypoints only": doc("", before='<wpt lat="1" lon="2"/>', after=""),
    "route only": doc("", before='<rte><rtept lat="1" lon="2"/><rtept lat="1" lon="3"/></rte>', after=""),
    # documents, encodings
    "doctype without entities": doc(run(2), prolog='<?xml version="1.0"?>\n<!DOCTYPE gpx>\n'),
    "billion laughs": doc(run(2), prolog='<?xml version="1.0"?>\n<!DOCTYPE gpx [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]>\n',
                          before="<trk><name>&b;</name><trkseg>"),
    "latin-1": doc(run(2), prolog='<?xml version="1.0" encoding="ISO-8859-1"?>\n', before="<trk><name>Caf\u00e9</name><trkseg>").decode().encode("latin-1"),
    "utf-16": "\ufeff".encode("utf-16-le") + doc(run(2), prolog='<?xml version="1.0" encoding="UTF-16"?>\n').decode().encode("utf-16-le"),
    "utf-8 bom": b"\xef\xbb\xbf" + doc(run(2)),
    "no declaration": doc(run(2), prolog=""),
    "processing instruction before root": doc(run(2), prolog='<?pi <foo ?>\n'),
    "long comment before root": doc(run(2), prolog="<!--" + "x" * 70_000 + "-->\n"),
    "malformed": doc(run(2)).replace(b"</trkseg>", b"</trk>", 1),
    "undefined entity": doc(run(2), before="<trk><name>&nbsp;</name><trkseg>"),
    "tcx root": b'<TrainingCenterDatabase xmlns="x"/>',
    "empty": b"",
    "blank": b"  \n ",
    "not xml": b"hello",
}


@pytest.mark.parametrize("name", list(CASES), ids=list(CASES))
def test_edge_cases_read_the_same(tmp_path: Path, name: str) -> None:
    path = tmp_path / "edge.gpx"
    path.write_bytes(CASES[name])
    assert_same(path)


@pytest.mark.parametrize(
    "name",
    ["garmin-like", "time offset", "time no zone", "time nine digits", "time trailing newline", "untimed points",
     "gpx 1.0", "no namespace", "hdop fine", "strings on points", "two tracks hours apart", "deepest extension read",
     "latin-1", "utf-16", "comments everywhere"],
)  # fmt: skip
def test_the_fast_engine_reads_ordinary_documents_itself(name: str) -> None:
    assert fast_reads(CASES[name])


@pytest.mark.parametrize(
    "name",
    ["ele garbage", "lat missing", "hdop garbage", "waypoint garbage", "default namespace twice", "reserved namespace",
     "no-break space before xmlns", "extension one level too deep", "deep in ele", "deep beside the points",
     f"{MAX_NAMESPACES + 1} namespaces", "billion laughs", "malformed", "time offset of a day", "route only"],
)  # fmt: skip
def test_the_fast_engine_hands_what_gpxpy_refuses_to_gpxpy(name: str) -> None:
    assert not fast_reads(CASES[name])


def test_gzip_and_bytes_read_the_same(tmp_path: Path) -> None:
    path = tmp_path / "run.gpx.gz"
    path.write_bytes(gzip.compress(CASES["garmin-like"]))
    assert_same(path)
    assert_same(CASES["garmin-like"])


def test_an_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown GPX engine 'lxml'"):
        read_gpx(CASES["garmin-like"], engine="lxml")  # type: ignore[arg-type]


def test_garbage_collection_is_restored_after_a_read() -> None:
    assert gc.isenabled()
    read_gpx(CASES["garmin-like"])
    assert gc.isenabled()
    gc.disable()
    try:
        read_gpx(CASES["garmin-like"])
        with gc_paused():
            with gc_paused():
                assert not gc.isenabled()
        assert not gc.isenabled()  # off before: stays off
    finally:
        gc.enable()
    with gc_paused():
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # on again only at the last exit
    assert gc.isenabled()


# generated documents: each point's parts drawn from what gpxpy reads, absent and refuses
LAT = st.sampled_from(["52.1", " 52.2 ", "-33.9", "1e1", "abc", "", "nan", "95", None])
ELE = st.sampled_from([None, "", "  ", "12.5", "-3", "x", "1e3"])
TIME = st.sampled_from(
    [None, "", "2024-03-01T07:00:{s:02d}Z", "2024-03-01T07:00:{s:02d}.5Z", "2024-03-01T09:00:{s:02d}+02:00",
     "2024-03-01T07:00:{s:02d}", "2024-03-01 07:00:{s:02d}Z", " 2024-03-01T07:00:{s:02d}Z", "2024-02-30T07:00:{s:02d}Z",
     "1901-12-13T20:45:{s:02d}Z", "2999-01-01T00:00:{s:02d}Z", "noon"]
)  # fmt: skip
EXTRA = st.sampled_from(
    ["", "<hdop>1.5</hdop>", "<hdop>x</hdop>", "<sat>3</sat>", "<sat>3.0</sat>", "<fix>3d</fix>", "<fix>x</fix>",
     "<name>p</name>", "<speed>2.5</speed>", "<speed>x</speed>", "<course>x</course>", "<!-- c -->",
     "<extensions><hr>150</hr><cad>80</cad></extensions>", "<extensions><x:TrackPointExtension xmlns:x='u'>"
     "<x:hr>151</x:hr><x:power>x</x:power></x:TrackPointExtension></extensions>", "<ele>1</ele>"]
)  # fmt: skip
POINT = st.tuples(LAT, ELE, TIME, st.lists(EXTRA, max_size=3))
ROOT = st.sampled_from(
    [f'<gpx version="1.1" creator="w" xmlns="{GPX11}">', '<gpx version="1.0" creator="w">', f'<gpx xmlns="{GPX11}">',
     '<gpx version="1.1">', f'<gpx version="1.1" xmlns="{GPX11}" xmlns="{GPX11}">']
)  # fmt: skip


def _point(s: int, part: tuple[str | None, str | None, str | None, list[str]]) -> str:
    lat, ele, time, extra = part
    attrs = f' lat="{lat}"' if lat is not None else ""
    inner = (f"<ele>{ele}</ele>" if ele is not None else "") + (f"<time>{time.format(s=s)}</time>" if time is not None else "")
    return f'<trkpt{attrs} lon="4.{s:03d}">{inner}{"".join(extra)}</trkpt>'


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(root=ROOT, tracks=st.lists(st.lists(st.lists(POINT, max_size=4), min_size=1, max_size=2), min_size=1, max_size=2))
def test_generated_documents_read_the_same(root: str, tracks: list[list[list[tuple[str | None, str | None, str | None, list[str]]]]]) -> None:
    s = 0
    body = ""
    for segments in tracks:
        body += "<trk><type>running</type>"
        for points in segments:
            body += "<trkseg>" + "".join(_point(s := s + 1, p) for p in points) + "</trkseg>"
        body += "</trk>"
    assert_same(doc("", root=root, before=body, after=""))


def test_reference_parses_with_the_standard_library() -> None:
    """The equality above holds for gpxpy on ElementTree: gpxpy switches to lxml whenever lxml is importable.

    With lxml installed, gpxpy hands lxml the document re-encoded as UTF-8 under
    its original declaration, so a document declared ISO-8859-1 or UTF-16 reads
    differently (measured: the latin-1 and utf-16 edge cases above fail).  A
    dependency that brings lxml in changes the reference: this says so first.
    """
    assert gpxpy.parser.library() == "STDLIB"


def test_a_time_offset_of_a_day_is_a_clear_error_naming_the_file(tmp_path: Path) -> None:
    """gpxpy reads "+99:99" but no datetime holds it: a one-line error naming the file, from both engines."""
    path = tmp_path / "offset.gpx"
    path.write_bytes(CASES["time offset of a day"])
    for engine in ("fast", "gpxpy"):
        with pytest.raises(UnreadableFileError) as info:
            read_gpx(path, engine=engine)
        assert str(info.value).startswith(str(path)) and "time" in str(info.value) and "\n" not in str(info.value)
