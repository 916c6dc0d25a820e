"""Garmin Training Center XML (TCX) activities as runback frames.

Parsed with :mod:`defusedxml` (entity expansion and external entities refused;
parse errors name the line and column).  Elements are matched by local name,
so the TrainingCenterDatabase v1/v2 and ActivityExtension (``ns3:TPX``,
``ns3:LX``) namespaces all work whatever their prefix.

Cadence: a Trackpoint's ``ns3:TPX/RunCadence`` (and a Lap's ``ns3:LX/AvgRunCadence``)
is per foot, so runback doubles it to steps per minute; ``<Cadence>`` is a bike's
crank revolutions per minute and is kept as it is, except for
:data:`runback.sports.FOOT_SPORTS` (running, walking, hiking), where it too is
per foot and doubled.

Two engines: ``"fast"`` (the default) parses a document without a document
type declaration with the C ElementTree in one pass (the checks of the
structure pre-scan made on the way: see :func:`runback.io._xml.parse_checked`)
and reads each Trackpoint's children in one loop; ``"defusedxml"`` (the
reference) pre-scans the text, parses it again with :mod:`defusedxml` and
looks each value up by path.  Documents the fast engine does not parse itself
(a DOCTYPE, malformed XML, too deep ...) go the reference way, whose errors
name the line.  Both give the same frames.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, Literal

import polars as pl

from runback import schema
from runback.athletes import DEFAULT_ATHLETE
from runback.errors import NotAnActivityError, UnreadableFileError
from runback.io._common import Frames, RawFile, Source, content_id, load_source
from runback.io._plausible import clean_samples
from runback.io._summary import activity_row, finish_samples
from runback.io._xml import decode_xml, gc_paused, local, parse_checked, parse_time, parse_xml, to_float
from runback.io.readers import XML_MAX_BYTES
from runback.sports import FOOT_SPORTS, sport_name

__all__ = ["Engine", "read_tcx"]

Engine = Literal["fast", "defusedxml"]
"""How a TCX document is parsed and read: ``"fast"`` (the default) or ``"defusedxml"`` (the reference)."""


def _children(element: ET.Element, name: str) -> Iterator[ET.Element]:
    return (child for child in element if local(child.tag) == name)


def _child(element: ET.Element | None, *path: str) -> ET.Element | None:
    """The first descendant along ``path`` of local names, or ``None``."""
    for name in path:
        if element is None:
            return None
        element = next(_children(element, name), None)
    return element


def _text(element: ET.Element | None, *path: str) -> str | None:
    found = _child(element, *path)
    return found.text.strip() if found is not None and found.text else None


def _number(element: ET.Element | None, *path: str) -> float | None:
    return to_float(_text(element, *path))


def _extension_value(element: ET.Element, container: str, name: str) -> float | None:
    """A value from ``Extensions/<container>/<name>`` (``TPX``/``LX``), any namespace."""
    ext = _child(element, "Extensions")
    if ext is None:
        return None
    for block in ext.iter():
        if local(block.tag) == container:
            return _number(block, name)
    return None


def _trackpoint(tp: ET.Element, per_foot: bool) -> dict[str, Any]:
    run_cadence = _extension_value(tp, "TPX", "RunCadence")
    cadence = _number(tp, "Cadence")
    if run_cadence is not None:
        cadence = run_cadence * 2  # RunCadence is always per foot
    elif cadence is not None and per_foot:
        cadence *= 2
    return {
        "timestamp_utc": parse_time(_text(tp, "Time")),
        "lat_deg": _number(tp, "Position", "LatitudeDegrees"),
        "lon_deg": _number(tp, "Position", "LongitudeDegrees"),
        "altitude_m": _number(tp, "AltitudeMeters"),
        "distance_m": _number(tp, "DistanceMeters"),
        "heart_rate_bpm": _number(tp, "HeartRateBpm", "Value"),
        "cadence_spm": cadence,
        "speed_mps": _extension_value(tp, "TPX", "Speed"),
        "power_w": _extension_value(tp, "TPX", "Watts"),
    }


class _LocalNames(dict[str, str]):
    """Tag -> local name, each distinct tag (a file has a dozen) split once."""

    def __missing__(self, tag: str) -> str:
        name = self[tag] = local(tag)
        return name


class _FastTrackpoints:
    """Trackpoints read in one loop over their children, as :func:`_trackpoint` reads them by path.

    The first child of each local name is the one read, as ``_child`` takes the first.
    """

    def __init__(self) -> None:
        self._names = _LocalNames()

    def _first(self, element: ET.Element | None, name: str) -> ET.Element | None:
        if element is None:
            return None
        names = self._names
        for child in element:
            if names[child.tag] == name:
                return child
        return None

    def __call__(self, tp: ET.Element, per_foot: bool) -> dict[str, Any]:
        names = self._names
        first: dict[str, ET.Element] = {}
        for child in tp:
            first.setdefault(names[child.tag], child)
        position = first.get("Position")
        tpx = None  # the first TPX anywhere under the first Extensions, itself included
        extensions = first.get("Extensions")
        if extensions is not None:
            tpx = next((e for e in extensions.iter() if names[e.tag] == "TPX"), None)
        run_cadence = _value(self._first(tpx, "RunCadence"))
        cadence = _value(first.get("Cadence"))
        if run_cadence is not None:
            cadence = run_cadence * 2  # RunCadence is always per foot
        elif cadence is not None and per_foot:
            cadence *= 2
        return {
            "timestamp_utc": parse_time(_stripped(first.get("Time"))),
            "lat_deg": _value(self._first(position, "LatitudeDegrees")),
            "lon_deg": _value(self._first(position, "LongitudeDegrees")),
            "altitude_m": _value(first.get("AltitudeMeters")),
            "distance_m": _value(first.get("DistanceMeters")),
            "heart_rate_bpm": _value(self._first(first.get("HeartRateBpm"), "Value")),
            "cadence_spm": cadence,
            "speed_mps": _value(self._first(tpx, "Speed")),
            "power_w": _value(self._first(tpx, "Watts")),
        }


def _stripped(element: ET.Element | None) -> str | None:
    return element.text.strip() if element is not None and element.text else None


def _value(element: ET.Element | None) -> float | None:
    return to_float(_stripped(element))


def _lap(lap: ET.Element, index: int, points: list[dict[str, Any]], per_foot: bool) -> dict[str, Any]:
    start = parse_time(lap.get("StartTime"))
    timer_s = _number(lap, "TotalTimeSeconds")
    distance = _number(lap, "DistanceMeters")
    # wall-clock length: to the lap's last timed point, at least the timer time
    # (the caller replaces it with the time to the next lap's start where known)
    times = [p["timestamp_utc"] for p in points if p["timestamp_utc"] is not None]
    elapsed = timer_s
    if start is not None and times:
        wall = (max(times) - start).total_seconds()
        elapsed = max(wall, timer_s or 0.0)
    speed = _extension_value(lap, "LX", "AvgSpeed")
    if speed is None and distance is not None and timer_s:
        speed = distance / timer_s
    cadence = _extension_value(lap, "LX", "AvgRunCadence")
    if cadence is not None:
        cadence *= 2
    else:
        cadence = _number(lap, "Cadence")
        if cadence is not None and per_foot:
            cadence *= 2
    return {
        "lap_index": index,
        "start_time_utc": start,
        "elapsed_s": elapsed,
        "moving_s": timer_s,
        "distance_m": distance,
        "avg_hr_bpm": _number(lap, "AverageHeartRateBpm", "Value"),
        "max_hr_bpm": _number(lap, "MaximumHeartRateBpm", "Value"),
        "avg_speed_mps": speed,
        "avg_cadence_spm": cadence,
    }


def _activity(
    activity: ET.Element,
    activity_id: str,
    name: str,
    athlete: str,
    trackpoint: Callable[[ET.Element, bool], dict[str, Any]] = _trackpoint,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, list[str]]:
    sport, sub_sport = sport_name(activity.get("Sport"))
    per_foot = sport in FOOT_SPORTS
    lap_rows: list[dict[str, Any]] = []
    point_rows: list[dict[str, Any]] = []
    for index, lap in enumerate(_children(activity, "Lap")):
        points = [
            trackpoint(tp, per_foot)
            for track in _children(lap, "Track")
            for tp in _children(track, "Trackpoint")
        ]
        lap_rows.append(_lap(lap, index, points, per_foot))
        point_rows.extend(points)
    # a lap's wall-clock time runs to the next lap's start where there is one
    for this, following in zip(lap_rows, lap_rows[1:]):
        if this["start_time_utc"] is not None and following["start_time_utc"] is not None:
            this["elapsed_s"] = (following["start_time_utc"] - this["start_time_utc"]).total_seconds()

    warnings: list[str] = []
    n_untimed = sum(p["timestamp_utc"] is None for p in point_rows)
    if point_rows and n_untimed == len(point_rows):
        raise UnreadableFileError(name, f"no timestamps on any of {len(point_rows)} trackpoints")
    if n_untimed:
        warnings.append(f"{name}: {n_untimed} of {len(point_rows)} trackpoints have no time and were left out")

    start: datetime | None = parse_time(_text(activity, "Id"))
    if start is None and lap_rows:
        start = lap_rows[0]["start_time_utc"]
    if not point_rows and start is None:
        raise UnreadableFileError(name, "no timestamps: the activity has no Id time, lap start or trackpoint")

    samples_raw = pl.DataFrame(point_rows, schema={k: schema.SAMPLES[k] for k in _SAMPLE_COLUMNS})
    samples_raw, dropped = clean_samples(samples_raw.with_columns(activity_id=pl.lit(activity_id)), name)
    warnings += dropped
    samples = finish_samples(samples_raw)
    laps = schema.conform(
        pl.DataFrame(lap_rows, schema={k: schema.LAPS[k] for k in _LAP_COLUMNS}).with_columns(
            activity_id=pl.lit(activity_id)
        ),
        schema.LAPS,
    )

    overrides: dict[str, Any] = {}
    if start is not None:
        overrides["start_time_utc"] = start
        if samples.height:
            overrides["elapsed_s"] = (samples["timestamp_utc"][-1] - start).total_seconds()
    timer = laps["moving_s"]
    if timer.null_count() < laps.height:
        overrides["moving_s"] = float(timer.sum())  # the device's own timer time
    if samples["distance_m"].null_count() == samples.height and laps["distance_m"].null_count() < laps.height:
        overrides["distance_m"] = float(laps["distance_m"].sum())
    lap_max_hr = laps["max_hr_bpm"].max()
    if lap_max_hr is not None and samples["heart_rate_bpm"].null_count() == samples.height:
        overrides["max_hr_bpm"] = lap_max_hr
        weights = laps["moving_s"].fill_null(0.0)
        hr = laps["avg_hr_bpm"]
        if hr.null_count() < laps.height and float((weights * hr.is_not_null()).sum()) > 0:
            overrides["avg_hr_bpm"] = float((hr.fill_null(0.0) * weights).sum()) / float(
                (weights * hr.is_not_null()).sum()
            )

    creator = _child(activity, "Creator")
    device = _text(creator, "Name")
    activities = activity_row(
        samples,
        overrides=overrides,
        activity_id=activity_id,
        athlete=athlete,
        source=name,
        format="tcx",
        sport=sport,
        sub_sport=sub_sport,
        name=_text(activity, "Notes"),
        device=device,
    )
    return activities, samples, laps, warnings


_SAMPLE_COLUMNS = (
    "timestamp_utc",
    "lat_deg",
    "lon_deg",
    "altitude_m",
    "distance_m",
    "heart_rate_bpm",
    "cadence_spm",
    "speed_mps",
    "power_w",
)
_LAP_COLUMNS = (
    "lap_index",
    "start_time_utc",
    "elapsed_s",
    "moving_s",
    "distance_m",
    "avg_hr_bpm",
    "max_hr_bpm",
    "avg_speed_mps",
    "avg_cadence_spm",
)


def read_tcx(source: Source, *, athlete: str = DEFAULT_ATHLETE, engine: Engine = "fast") -> Frames:
    """Read a TCX file's activities (usually one) with their laps and trackpoints.

    Parameters
    ----------
    source
        Path, bytes or binary file object (gzip-compressed or not).
    athlete
        Who ran it; goes into ``activities.athlete``.
    engine
        ``"fast"`` (one C ElementTree pass; documents it does not parse
        itself go the reference way) or ``"defusedxml"`` (the reference:
        structure pre-scan, then :mod:`defusedxml`).  Both give the same
        frames and the same errors.

    Returns
    -------
    Frames
        One activity row per ``Activity`` (the first has ``activity_id`` =
        the content id, later ones ``<id>-<i>``), samples from the Trackpoints
        and one lap row per ``Lap`` (``moving_s`` = TotalTimeSeconds, the timer
        time).  The activity's ``moving_s`` is the sum of the laps' timer times
        and its start the activity's ``Id`` time; the rest of the summary comes
        from the trackpoints (see :func:`runback.io._summary.summarize_samples`).
        ``device`` is ``Creator/Name``.

    Raises
    ------
    UnreadableFileError
        Empty or malformed XML (with line), unsafe XML, not a TCX document,
        or an activity without any timestamp.
    NotAnActivityError
        A TCX file without activities (a course or workout file).
    """
    if engine not in ("fast", "defusedxml"):
        raise ValueError(f"unknown TCX engine {engine!r} (use 'fast' or 'defusedxml')")
    raw = load_source(source, limit=XML_MAX_BYTES)
    text = decode_xml(raw.data, raw.name)
    if engine == "fast":
        with gc_paused():  # the tree and the rows are many objects, none in a cycle
            root = parse_checked(text)
            if root is not None:
                return _frames(root, raw, athlete, _FastTrackpoints())
    return _frames(parse_xml(text, raw.name), raw, athlete, _trackpoint)


def _frames(
    root: ET.Element, raw: RawFile, athlete: str, trackpoint: Callable[[ET.Element, bool], dict[str, Any]]
) -> Frames:
    if local(root.tag) != "TrainingCenterDatabase":
        raise UnreadableFileError(raw.name, f"not a TCX document (root element <{local(root.tag)}>)")
    activities_el = _child(root, "Activities")
    found = list(_children(activities_el, "Activity")) if activities_el is not None else []
    if not found:
        kinds = [local(child.tag) for child in root if local(child.tag) not in ("Author", "Extensions")]
        detail = f" (only {', '.join(kinds)})" if kinds else ""
        raise NotAnActivityError(raw.name, f"no activities{detail}")

    base_id = content_id(raw.data)
    parts = [
        _activity(activity, base_id if i == 0 else f"{base_id}-{i}", raw.name, athlete, trackpoint)
        for i, activity in enumerate(found)
    ]
    return Frames(
        activities=pl.concat([p[0] for p in parts]),
        samples=pl.concat([p[1] for p in parts]),
        laps=pl.concat([p[2] for p in parts]),
        warnings=tuple(w for p in parts for w in p[3]),
    )
