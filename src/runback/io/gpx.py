"""GPX 1.0 and 1.1 tracks (Garmin, Strava, Nike, TomTom, phone apps) as runback frames.

A document with a DTD is first parsed with :mod:`defusedxml`, which refuses
entity declarations (the "billion laughs") and external entities; only then is
the XML handed to :mod:`gpxpy`.  Parse errors are reported with line and column.

Tracks and segments are separate recorded spans: no distance or moving time
is counted across the gap between two of them, and tracks more than
:data:`TRACK_GAP_S` apart are separate activities (a GPS logger's day of
outings); the others form one activity, ordered by time.  Heart rate, cadence and power come from Garmin's TrackPointExtension
(``gpxtpx:hr``, ``gpxtpx:cad``) or plain ``<hr>``/``<cad>``/``<power>``
extension elements; speed from GPX 1.0 ``<speed>`` or an extension ``<speed>``.

Cadence: GPX (like Garmin's FIT and TCX) stores running cadence per foot, in
revolutions per minute; for :data:`runback.sports.FOOT_SPORTS` (running,
walking, hiking) runback doubles it to steps per minute (both feet), as for
every format.  Other sports keep the file's value.

Two engines read the document: ``"fast"`` (:mod:`runback.io._gpxfast`, the
track points straight from ElementTree to columns, the default) and
``"gpxpy"`` (the reference).  Both reduce it to a
:class:`~runback.io._gpxfast.GpxTracks`, from which one function builds the
frames, so they can only differ in parsing; the fast engine hands every
document it cannot read exactly as gpxpy does to gpxpy.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

import gpxpy
import gpxpy.gpx
import polars as pl

from runback.athletes import DEFAULT_ATHLETE
from runback.errors import NotAnActivityError, UnreadableFileError
from runback.io import _gpxfast
from runback.io._common import Frames, RawFile, Source, content_id, load_source
from runback.io._gpxfast import EXTENSION_FIELDS, TRACK, GpxTracks
from runback.io._plausible import clean_samples
from runback.io._summary import SPAN, activity_row, finish_samples
from runback.io._xml import check_xml, decode_xml, local, to_float
from runback.io.readers import XML_MAX_BYTES
from runback.sports import FOOT_SPORTS, SPORT_TRACK_NAMES, sport_name

__all__ = ["Engine", "parse_gpxpy", "read_gpx"]

Engine = Literal["fast", "gpxpy"]
"""How a GPX document is parsed: ``"fast"`` (the default) or ``"gpxpy"`` (the reference)."""


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _point_row(point: gpxpy.gpx.GPXTrackPoint) -> dict[str, Any]:
    row: dict[str, Any] = {
        "timestamp_utc": _utc(point.time),
        "lat_deg": point.latitude,
        "lon_deg": point.longitude,
        "altitude_m": point.elevation,
        "speed_mps": point.speed,
    }
    for ext in point.extensions:
        for element in ext.iter():
            column = EXTENSION_FIELDS.get(local(element.tag).lower())
            if column is not None:
                value = to_float(element.text)
                if value is not None:
                    row[column] = value
    return row


TRACK_GAP_S = 3600.0
"""Tracks further apart than this (from one track's last point to the next one's
first) are separate activities: a GPS logger's morning and evening outings."""


def _activity_groups(samples: pl.DataFrame) -> list[list[int]]:
    """The file's tracks grouped into activities: time-ordered, split at gaps over :data:`TRACK_GAP_S`."""
    spans = (
        samples.filter(pl.col("timestamp_utc").is_not_null())
        .group_by(TRACK)
        .agg(first=pl.col("timestamp_utc").min(), last=pl.col("timestamp_utc").max())
        .sort("first", TRACK)
    )
    groups: list[list[int]] = []
    latest = None
    for track, first, last in spans.iter_rows():
        if latest is None or (first - latest).total_seconds() > TRACK_GAP_S:
            groups.append([])
        groups[-1].append(track)
        latest = last if latest is None else max(latest, last)
    return groups


def parse_gpxpy(text: str, name: str) -> GpxTracks:
    """Read a decoded GPX document with gpxpy: the reference engine.

    Raises
    ------
    UnreadableFileError
        Empty, malformed or unsafe XML, not a GPX document, or a value gpxpy refuses.
    """
    root = check_xml(text, name)  # refuses entity declarations before gpxpy sees them
    if root.split(":")[-1] != "gpx":
        raise UnreadableFileError(name, f"not a GPX document (root element <{root}>)")
    try:
        gpx = gpxpy.parse(text)
    except gpxpy.gpx.GPXXMLSyntaxException as exc:
        cause = exc.__cause__
        line, column = getattr(cause, "position", (None, None))
        message = str(cause).split(":")[0]
        raise UnreadableFileError(name, f"malformed XML: {message} (column {column})", line=line) from exc
    except gpxpy.gpx.GPXException as exc:
        raise UnreadableFileError(name, f"invalid GPX: {exc}") from exc

    segments = [(t, segment) for t, track in enumerate(gpx.tracks) for segment in track.segments]
    try:
        rows = [
            {**_point_row(p), SPAN: span, TRACK: t}
            for span, (t, segment) in enumerate(segments)
            for p in segment.points
        ]
    except ValueError as exc:  # gpxpy accepts a time offset of a day or more, which no clock has
        raise UnreadableFileError(name, f"invalid GPX: a track point's time cannot be read ({exc})") from exc
    return GpxTracks(
        points=pl.DataFrame(rows, infer_schema_length=None),
        tracks=[(t.name, t.type) for t in gpx.tracks],
        name=gpx.name,
        creator=gpx.creator,
        n_waypoints=len(gpx.waypoints),
        n_route_points=sum(len(r.points) for r in gpx.routes),
    )


def read_gpx(source: Source, *, athlete: str = DEFAULT_ATHLETE, engine: Engine = "fast") -> Frames:
    """Read a GPX file's tracks as one activity (or several, for tracks hours apart).

    Parameters
    ----------
    source
        Path, bytes or binary file object (gzip-compressed or not).
    athlete
        Who ran it; goes into ``activities.athlete``.
    engine
        ``"fast"`` (track points straight to columns; hands to gpxpy every
        document it cannot read exactly as gpxpy does) or ``"gpxpy"`` (the
        reference).  Both give the same frames and the same errors.

    Returns
    -------
    Frames
        One activity row per group of tracks (the first has ``activity_id`` =
        the content id, later ones ``<id>-<i>``), its samples (one per timed
        track point) and no laps.  ``distance_m`` is the haversine distance
        along each track segment where the file has none (nothing across the
        gaps between segments); the summary comes from
        :func:`runback.io._summary.summarize_samples`.  The local start is the
        UTC start (``utc_offset_source = "assumed_utc"``): GPX has no time zone.

    Raises
    ------
    UnreadableFileError
        Empty or malformed XML (with line), unsafe XML (entity declarations),
        not a GPX document, or track points without any timestamp.
    NotAnActivityError
        A file with waypoints or a route but no track points.
    """
    if engine not in ("fast", "gpxpy"):
        raise ValueError(f"unknown GPX engine {engine!r} (use 'fast' or 'gpxpy')")
    raw = load_source(source, limit=XML_MAX_BYTES)
    text = decode_xml(raw.data, raw.name)
    parsed = _gpxfast.parse(text) if engine == "fast" else None
    if parsed is None:
        parsed = parse_gpxpy(text, raw.name)
    return build_frames(parsed, raw, athlete=athlete)


def build_frames(parsed: GpxTracks, raw: RawFile, *, athlete: str = DEFAULT_ATHLETE) -> Frames:
    """The frames of a parsed GPX document (either engine); see :func:`read_gpx`."""
    if not parsed.points.height:
        others = []
        if parsed.n_waypoints:
            others.append(f"{parsed.n_waypoints} waypoints")
        if parsed.n_route_points:
            others.append(f"{parsed.n_route_points} route points")
        detail = f" (only {', '.join(others)})" if others else ""
        raise NotAnActivityError(raw.name, f"no track points{detail}")

    samples = parsed.points
    n_untimed = samples["timestamp_utc"].null_count()
    if n_untimed == samples.height:
        raise UnreadableFileError(raw.name, f"no timestamps on any of {samples.height} track points")
    warnings: list[str] = []
    if n_untimed:
        warnings.append(
            f"{raw.name}: {n_untimed} of {samples.height} track points have no time and were left out"
        )
    samples, dropped = clean_samples(samples, raw.name)
    warnings += dropped

    base_id = content_id(raw.data)
    # one track with a timed point (nearly every file) is one activity: no need to group
    single = len(parsed.tracks) == 1 and samples["timestamp_utc"].null_count() < samples.height
    groups = [[0]] if single else _activity_groups(samples)
    parts: list[tuple[pl.DataFrame, pl.DataFrame]] = []
    for i, tracks in enumerate(groups):
        activity_id = base_id if i == 0 else f"{base_id}-{i}"
        mine = [parsed.tracks[t] for t in tracks]
        name = next((n.strip() for n, _ in mine if n and n.strip()), None) or parsed.name
        type_label = next((k for _, k in mine if k), None) or next((k for _, k in parsed.tracks if k), None)
        if type_label is None and name and name.strip().lower() in SPORT_TRACK_NAMES:
            type_label = name  # TomTom names the track after its sport ("Running") instead of a <type>
        sport, sub_sport = sport_name(type_label)
        part = samples.drop(TRACK) if single else samples.filter(pl.col(TRACK).is_in(tracks)).drop(TRACK)
        if sport in FOOT_SPORTS and "cadence_spm" in part.columns:
            part = part.with_columns(pl.col("cadence_spm") * 2)  # per foot -> both feet
        part = finish_samples(part.with_columns(activity_id=pl.lit(activity_id)))
        row = activity_row(
            part,
            activity_id=activity_id,
            athlete=athlete,
            source=raw.name,
            format="gpx",
            sport=sport,
            sub_sport=sub_sport,
            name=name,
            device=(parsed.creator or "").strip() or None,
        )
        parts.append((row, part))
    activities = pl.concat([p[0] for p in parts])
    samples = pl.concat([p[1] for p in parts])
    return Frames(activities=activities, samples=samples, warnings=tuple(warnings))
