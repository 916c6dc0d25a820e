"""GPX 1.0 and 1.1 tracks (Garmin, Strava, Nike, TomTom, phone apps) as runback frames.

A document with a DTD is first parsed with :mod:`defusedxml`, which refuses
entity declarations (the "billion laughs") and external entities; only then is
the XML handed to :mod:`gpxpy`.  Parse errors are reported with line and column.  All tracks and segments of a file form one activity, ordered by
time.  Heart rate, cadence and power come from Garmin's TrackPointExtension
(``gpxtpx:hr``, ``gpxtpx:cad``) or plain ``<hr>``/``<cad>``/``<power>``
extension elements; speed from GPX 1.0 ``<speed>`` or an extension ``<speed>``.

Cadence: GPX (like Garmin's FIT and TCX) stores running cadence per foot, in
revolutions per minute; for :data:`runback.sports.FOOT_SPORTS` (running,
walking, hiking) runback doubles it to steps per minute (both feet), as for
every format.  Other sports keep the file's value.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import gpxpy
import gpxpy.gpx
import polars as pl

from runback.athletes import DEFAULT_ATHLETE
from runback.errors import NotAnActivityError, UnreadableFileError
from runback.io._common import Frames, Source, content_id, load_source
from runback.io._plausible import clean_samples
from runback.io._summary import activity_row, finish_samples
from runback.io._xml import check_xml, decode_xml, local, to_float
from runback.sports import FOOT_SPORTS, SPORT_TRACK_NAMES, sport_name

__all__ = ["read_gpx"]

_EXTENSION_FIELDS = {"hr": "heart_rate_bpm", "cad": "cadence_spm", "speed": "speed_mps", "power": "power_w"}


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
            column = _EXTENSION_FIELDS.get(local(element.tag).lower())
            if column is not None:
                value = to_float(element.text)
                if value is not None:
                    row[column] = value
    return row


def read_gpx(source: Source, *, athlete: str = DEFAULT_ATHLETE) -> Frames:
    """Read a GPX file's track as one activity.

    Parameters
    ----------
    source
        Path, bytes or binary file object (gzip-compressed or not).
    athlete
        Who ran it; goes into ``activities.athlete``.

    Returns
    -------
    Frames
        One activity row, its samples (one per timed track point) and no laps.
        ``distance_m`` is the haversine distance along the track where the file
        has none; the summary comes from
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
    raw = load_source(source)
    text = decode_xml(raw.data, raw.name)
    root = check_xml(text, raw.name)  # refuses entity declarations before gpxpy sees them
    if root.split(":")[-1] != "gpx":
        raise UnreadableFileError(raw.name, f"not a GPX document (root element <{root}>)")
    try:
        gpx = gpxpy.parse(text)
    except gpxpy.gpx.GPXXMLSyntaxException as exc:
        cause = exc.__cause__
        line, column = getattr(cause, "position", (None, None))
        message = str(cause).split(":")[0]
        raise UnreadableFileError(raw.name, f"malformed XML: {message} (column {column})", line=line) from exc
    except gpxpy.gpx.GPXException as exc:
        raise UnreadableFileError(raw.name, f"invalid GPX: {exc}") from exc

    rows = [_point_row(p) for track in gpx.tracks for segment in track.segments for p in segment.points]
    if not rows:
        others = []
        if gpx.waypoints:
            others.append(f"{len(gpx.waypoints)} waypoints")
        n_route = sum(len(r.points) for r in gpx.routes)
        if n_route:
            others.append(f"{n_route} route points")
        detail = f" (only {', '.join(others)})" if others else ""
        raise NotAnActivityError(raw.name, f"no track points{detail}")

    samples = pl.DataFrame(rows, infer_schema_length=None)
    n_untimed = samples["timestamp_utc"].null_count()
    if n_untimed == samples.height:
        raise UnreadableFileError(raw.name, f"no timestamps on any of {samples.height} track points")
    warnings: list[str] = []
    if n_untimed:
        warnings.append(
            f"{raw.name}: {n_untimed} of {samples.height} track points have no time and were left out"
        )

    name = next((t.name.strip() for t in gpx.tracks if t.name and t.name.strip()), None) or gpx.name
    type_label = next((t.type for t in gpx.tracks if t.type), None)
    if type_label is None and name and name.strip().lower() in SPORT_TRACK_NAMES:
        type_label = name  # TomTom names the track after its sport ("Running") instead of a <type>
    sport, sub_sport = sport_name(type_label)
    activity_id = content_id(raw.data)
    if sport in FOOT_SPORTS and "cadence_spm" in samples.columns:
        samples = samples.with_columns(pl.col("cadence_spm") * 2)  # per foot -> both feet
    samples, dropped = clean_samples(samples.with_columns(activity_id=pl.lit(activity_id)), raw.name)
    warnings += dropped
    samples = finish_samples(samples)

    activities = activity_row(
        samples,
        activity_id=activity_id,
        athlete=athlete,
        source=raw.name,
        format="gpx",
        sport=sport,
        sub_sport=sub_sport,
        name=name,
        device=(gpx.creator or "").strip() or None,
    )
    return Frames(activities=activities, samples=samples, warnings=tuple(warnings))
