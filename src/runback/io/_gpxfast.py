"""GPX fast path: the track points straight from the C ElementTree to columns.

gpxpy (the reference, :func:`runback.io.gpx.parse_gpxpy`) builds a Python
object per track point and copies every extension element; that is three
quarters of a GPX import.  This module reads the same document into the same
columns in one C parse and one loop over the points, and hands only the small
rest (metadata, waypoints, routes, track names and types: everything but the
track segments) to gpxpy's own field reader, so the names, types and creator
are gpxpy's by construction.

It sees exactly what gpxpy sees: the document with its first ``xmlns="..."``
removed, as gpxpy removes it, parsed by the same expat-based ElementTree, each
field taken from the first child of its name, converted as gpxpy converts it.
Where it cannot be sure of giving gpxpy's answer, :func:`parse` returns
``None`` and the reader takes the reference path, which then also gives the
reference's error for a bad file: a document type declaration (the only place
entities can be declared), malformed XML, more namespaces than
:func:`~runback.io._xml.within_limits` allows, nesting deeper than
:data:`~runback.io._xml.MAX_XML_DEPTH`, a value gpxpy would refuse, a time
this module does not parse itself that Python cannot turn into UTC, or a file
without track points.  The first four are the checks of
:func:`~runback.io._xml.check_structure`, made here on the parse itself
rather than in a second pass over the text.  (The tree is built before its
depth is known: the C ElementTree builds, walks and frees a tree without
recursion, so a deep one costs only its size, bounded by the file size limit.)
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import gpxpy.gpx
import gpxpy.gpxfield
import polars as pl

from runback import schema
from runback.io._summary import SPAN
from runback.io._xml import (
    MAX_XML_DEPTH,
    first_tag,
    gc_paused,
    local,
    may_hold_entities,
    parse_plain,
    tree_depth,
    within_limits,
)

__all__ = ["EXTENSION_FIELDS", "GpxTracks", "TRACK", "parse"]

EXTENSION_FIELDS = {"hr": "heart_rate_bpm", "cad": "cadence_spm", "speed": "speed_mps", "power": "power_w"}
"""Extension elements read (by local name, any case, any depth under ``<extensions>``) and their columns."""

TRACK = "_track"
"""Column of the points frame: the index of the ``<trk>`` a point belongs to."""


@dataclass(frozen=True)
class GpxTracks:
    """What a GPX engine reads from a document, before any frame is built.

    Attributes
    ----------
    points
        One row per track point, in document order: ``timestamp_utc`` (UTC,
        ``None`` where absent or unreadable), ``lat_deg``, ``lon_deg``,
        ``altitude_m``, ``speed_mps``, the :data:`EXTENSION_FIELDS` columns
        that any point has, :data:`~runback.io._summary.SPAN` (the segment's
        index over the whole file) and :data:`TRACK`.
    tracks
        ``(name, type)`` of every ``<trk>``, in document order, as gpxpy reads them.
    name, creator
        The document's ``name`` and ``creator``, as gpxpy reads them.
    n_waypoints, n_route_points
        How many waypoints and route points the document holds.
    """

    points: pl.DataFrame
    tracks: list[tuple[str | None, str | None]]
    name: str | None
    creator: str | None
    n_waypoints: int
    n_route_points: int


# gpxpy drops the document's first default namespace declaration with this very
# pattern before parsing (gpxpy/parser.py), so that GPX elements have bare tags
_DEFAULT_NS = re.compile(r"""\sxmlns=(['"])[^'"]+\1""")
# a namespace name that cannot make the original document malformed where the
# edited one is not (no markup, no entity, no reserved namespace: see _edited)
_PLAIN_URI = re.compile(r"[A-Za-z0-9:/._~%?#=+,;@!$*()-]+")
_RESERVED_URIS = frozenset({"http://www.w3.org/XML/1998/namespace", "http://www.w3.org/2000/xmlns/"})


def _edited(text: str) -> tuple[str, str | None] | None:
    """The document as gpxpy parses it and the namespace removed (if any), or ``None``
    where parsing it could hide a flaw of the original.

    The reference checks the original document (:func:`~runback.io._xml.check_structure`)
    and gpxpy parses the edited one; they can only disagree about the removed
    declaration itself (a reserved or malformed namespace name, a second
    ``xmlns`` in the same tag), so it must be a plain one inside the root's
    start tag, and the root must then be a bare ``gpx`` (checked by the caller).
    """
    match = _DEFAULT_NS.search(text)
    if match is None:
        return text, None
    start = text.find("<gpx")
    if not 0 <= start < match.start() < text.find(">", start):
        return None
    uri = match.group(0).split("=", 1)[1][1:-1]
    if match.group(0)[0] not in " \t\r\n" or not _PLAIN_URI.fullmatch(uri) or uri in _RESERVED_URIS:
        return None
    return text[: match.start()] + text[match.end() :], uri


def _tree(text: str) -> ET.Element | None:
    """The edited document's tree, when the reference's checks before gpxpy would pass on the original.

    Depth is checked later, where the points are read (see :func:`_points`).
    """
    if not text or text.isspace() or may_hold_entities(text):  # isspace: no copy of the text, as strip() makes
        return None
    tag = first_tag(text)
    if tag is None or tag.split(":")[-1] != "gpx":
        return None
    edited = _edited(text)
    if edited is None:
        return None
    parsed = parse_plain(edited[0])
    if parsed is None:
        return None
    root, namespaces = parsed
    if edited[1] is not None:
        namespaces.append(("", edited[1]))  # the declaration gpxpy removed counts in the original
    if root.tag != "gpx" or not within_limits(text, namespaces):
        return None
    return root


# gpxpy's own fields of a track point that can refuse a document: typed
# (float, int) or restricted (fix), beyond the ones this module reads itself
def _checked_fields(fields: list[Any], read: set[str]) -> list[gpxpy.gpxfield.GPXField]:
    return [
        f
        for f in fields
        if isinstance(f, gpxpy.gpxfield.GPXField)
        and f.tag not in read
        and f.attribute is None
        and (f.type_converter is not None or f.possible)
        and f.type_converter is not gpxpy.gpxfield.TIME_TYPE
    ]


_READ_11 = {"ele", "time", "extensions"}
_READ_10 = {"ele", "time", "speed"}
_CHECKED_11 = _checked_fields(gpxpy.gpx.GPX_11_POINT_FIELDS, _READ_11)
_CHECKED_10 = _checked_fields(gpxpy.gpx.GPX_TRACK_POINT_FIELDS, _READ_10)


class _ExtensionColumns(dict[str, str | None]):
    """Extension element tag -> its column (or ``None``), each distinct tag (a file has a handful) looked at once."""

    def __missing__(self, tag: str) -> str | None:
        column = self[tag] = EXTENSION_FIELDS.get(local(tag).lower())
        return column


class _Declined(Exception):
    """The fast path cannot be sure of gpxpy's answer: the reference decides."""


def _shell(root: ET.Element) -> ET.Element:
    """The document without its track segments: what :func:`_header` reads."""
    shell = ET.Element(root.tag, root.attrib)
    for child in root:
        if child.tag == "trk":
            track = ET.Element(child.tag, child.attrib)
            track.extend([c for c in child if c.tag != "trkseg"])
            child = track
        shell.append(child)
    return shell


def _header(shell: ET.Element, version: str | None) -> gpxpy.gpx.GPX:
    """Everything but the track segments, read by gpxpy's own field reader (it refuses what gpxpy refuses)."""
    try:
        header: gpxpy.gpx.GPX = gpxpy.gpxfield.gpx_fields_from_xml(gpxpy.gpx.GPX(), shell, version)  # type: ignore[arg-type]
    except gpxpy.gpx.GPXException:
        raise _Declined from None
    return header


_STRICT_TIME = (
    r"^[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    r"(?:\.[0-9]{1,15})?Z?$"
)


def _times(texts: list[str | None]) -> pl.Series:
    """``<time>`` texts as UTC, as gpxpy and the reference read them.

    The usual form (``2024-03-01T07:00:00Z``, with or without a fraction or
    the ``Z``) is parsed in one vectorised pass: the date and time by polars,
    which, like Python, refuses a day the month does not have; the fraction
    cut to microseconds, as gpxpy cuts it.  Any other text (a time zone offset,
    a space for ``T``, one-digit fields, surrounding whitespace) goes through
    gpxpy's own parser and Python's conversion to UTC.
    """
    raw = pl.Series("t", texts, dtype=pl.String)
    strict = raw.str.contains(_STRICT_TIME) & ~raw.str.starts_with("0000")
    frame = pl.DataFrame({"t": raw, "strict": strict})
    us = (
        pl.when(pl.col("t").str.slice(19, 1) == ".")
        .then(pl.col("t").str.slice(20, 6).str.strip_suffix("Z").str.pad_end(6, "0").cast(pl.Int64, strict=False))
        .otherwise(0)
    )
    parsed = frame.select(
        pl.when(pl.col("strict"))
        .then(
            pl.col("t").str.slice(0, 19).str.strptime(pl.Datetime("us"), "%Y-%m-%dT%H:%M:%S", strict=False)
            + pl.duration(microseconds=us)
        )
        .dt.replace_time_zone("UTC")
        .alias("timestamp_utc")
    )["timestamp_utc"]
    others = [i for i, (text, ok) in enumerate(zip(texts, strict)) if text is not None and not ok]
    if not others:
        return parsed
    values: list[datetime | None] = parsed.to_list()
    for i in others:
        value = gpxpy.gpxfield.TIME_TYPE.from_string(texts[i])  # type: ignore[arg-type]
        try:
            values[i] = None if value is None else (
                value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
            )
        except (ValueError, OverflowError):  # an offset of a day or more: the reference fails its own way
            raise _Declined from None
    return pl.Series("timestamp_utc", values, dtype=schema.UTC)


# decimals written the plain way, which polars and Python's float() read to the same double
_DECIMAL = r"^-?(?:[0-9]{1,30}(?:\.[0-9]{0,30})?|\.[0-9]{1,30})$"


def _floats(texts: list[str | None]) -> pl.Series:
    """Numbers from element texts as gpxpy reads them (``float(text.strip())``; ``None`` stays ``None``).

    Plain decimals (nearly all) are converted in one vectorised pass; any other
    text (an exponent, surrounding whitespace, ``nan`` ...) by Python's ``float``,
    and garbage refuses the file, as in gpxpy.
    """
    raw = pl.Series(texts, dtype=pl.String)
    values = raw.cast(pl.Float64, strict=False)
    odd = (raw.is_not_null() & ~raw.str.contains(_DECIMAL)).arg_true()
    if not len(odd):
        return values
    patched = values.to_list()
    try:
        for i in odd:
            patched[i] = float(texts[i])  # ignores surrounding whitespace, as .strip() does
    except ValueError:
        raise _Declined from None
    return pl.Series(patched, dtype=pl.Float64)


def _points(root: ET.Element, version: str | None) -> tuple[pl.DataFrame | None, bool]:
    """The track points as columns (``None`` where there are none), and whether their depth is unbounded.

    The second value is false when every point is known to nest no deeper than
    :data:`~runback.io._xml.MAX_XML_DEPTH` (its ``ele`` and ``time`` without
    children, its ``extensions`` fewer elements than the levels left, no other
    children): then only the rest of the tree needs a depth check.
    """
    v11 = version == "1.1"
    checked = _CHECKED_11 if v11 else _CHECKED_10
    lats: list[str | None] = []
    lons: list[str | None] = []
    eles: list[str | None] = []
    speeds: list[str | None] = []  # GPX 1.0 only: 1.1 has speed in its extensions
    times: list[str | None] = []
    spans: list[int] = []
    tracks: list[int] = []
    extra: dict[str, dict[int, float]] = {column: {} for column in EXTENSION_FIELDS.values()}
    columns = _ExtensionColumns()
    deep = False
    most = MAX_XML_DEPTH - 4  # elements an <extensions> (at level 5) may hold, itself included
    span = -1
    n = 0
    trk = -1
    for track in root:
        if track.tag != "trk":
            continue
        trk += 1
        for segment in track:
            if segment.tag != "trkseg":
                continue
            span += 1
            points = [p for p in segment if p.tag == "trkpt"]
            if len(points) < len(segment):
                deep = True  # something else in the segment: the full depth check sees to it
            lats += [p.get("lat") for p in points]
            lons += [p.get("lon") for p in points]
            found = [p.find("ele") for p in points]
            eles += [None if e is None else e.text for e in found]
            read = [e for e in found if e is not None]
            found = [p.find("time") for p in points]
            times += [None if e is None else e.text for e in found]
            read += [e for e in found if e is not None]
            if not v11:
                found = [p.find("speed") for p in points]
                speeds += [None if e is None else e.text for e in found]
                read += [e for e in found if e is not None]
            if sum(map(len, read)):
                deep = True  # an <ele>, <time> or <speed> with children
            if v11:
                found = [p.find("extensions") for p in points]
                for i, ext in enumerate(found, n):
                    if ext is None:
                        continue
                    read.append(ext)
                    k = 0
                    for element in ext.iter():
                        k += 1
                        column = columns[element.tag]
                        if column is not None and element.text is not None:
                            try:  # as to_float: garbage and NaN are absent
                                value = float(element.text)
                            except ValueError:
                                continue
                            if value == value:
                                extra[column][i] = value
                    if k > most:
                        deep = True
            if sum(map(len, points)) > len(read):  # some point has children not read: would gpxpy refuse one?
                deep = True
                try:
                    for point in points:
                        for field in checked:
                            field.from_xml(point, version or "")
                except gpxpy.gpx.GPXException:
                    raise _Declined from None
            spans += [span] * len(points)
            tracks += [trk] * len(points)
            n += len(points)
    if not n:
        return None, deep
    if None in lats or None in lons:
        raise _Declined  # gpxpy: lat and lon are mandatory
    data: dict[str, Any] = {
        "timestamp_utc": _times(times),
        "lat_deg": _floats(lats),
        "lon_deg": _floats(lons),
        "altitude_m": _floats(eles),  # an empty <ele/> is absent
        "speed_mps": _floats(speeds) if speeds else pl.Series([None] * n, dtype=pl.Float64),
    }
    for column, values in extra.items():
        if values:
            data[column] = pl.Series([values.get(i) for i in range(n)], dtype=pl.Float64)
    data[SPAN] = pl.Series(spans, dtype=pl.Int64)
    data[TRACK] = pl.Series(tracks, dtype=pl.Int64)
    return pl.DataFrame(data), deep


def parse(text: str) -> GpxTracks | None:
    """Read a GPX document's tracks as the reference would, or ``None`` where only the reference can tell.

    Parameters
    ----------
    text
        The decoded document (:func:`runback.io._xml.decode_xml`).

    Returns
    -------
    GpxTracks or None
        ``None`` for anything this path does not read itself (see the module
        docstring); the caller then reads the document with gpxpy.
    """
    with gc_paused():  # the tree is thousands of objects: see gc_paused
        root = _tree(text)
        if root is None:
            return None
        version = root.get("version")
        try:
            points, deep = _points(root, version)
            if points is None:
                return None  # the reference says what the file holds instead
            shell = _shell(root)
            # the check_structure limit, over the whole tree where the points did not bound it
            if tree_depth(root if deep else shell) > MAX_XML_DEPTH:
                return None
            header = _header(shell, version)
        except _Declined:
            return None
        del root  # freed here, while collection is still paused
    return GpxTracks(
        points=points,
        tracks=[(t.name, t.type) for t in header.tracks],
        name=header.name,
        creator=header.creator,
        n_waypoints=len(header.waypoints),
        n_route_points=sum(len(r.points) for r in header.routes),
    )
