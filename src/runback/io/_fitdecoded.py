"""What a FIT decoding engine hands to the frame builder in :mod:`runback.io.fit`.

Both engines (fitparse, the reference, and :mod:`runback.io._fitfast`) reduce a
file to a :class:`Decoded`: the record columns runback uses, as float64 numpy
arrays in FIT units after the profile's scale and offset (NaN = invalid/absent),
and the few summary messages (file_id, activity, session, lap, sport,
device_info) as plain dicts.  Keeping this layer engine-neutral is what lets a
test compare the engines field by field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from fitdecode import profile as fitdecode_profile

# Record fields runback reads, by fitparse profile name.  Values are in FIT
# units after scale/offset: timestamp in seconds since the FIT epoch
# (1989-12-31 00:00 UTC), positions in semicircles, distance m, speed m/s,
# altitude m, heart rate bpm, cadence and fractional_cadence rpm, power W.
RECORD_FIELDS: tuple[str, ...] = (
    "timestamp",
    "position_lat",
    "position_long",
    "distance",
    "speed",
    "enhanced_speed",
    "altitude",
    "enhanced_altitude",
    "heart_rate",
    "cadence",
    "fractional_cadence",
    "power",
)

# Summary messages runback reads (few per file, decoded field by field).
SUMMARY_MESSAGES: tuple[str, ...] = (
    "file_id",
    "activity",
    "session",
    "lap",
    "sport",
    "device_info",
)

# The fields of those messages the frame builder reads (a decoder may give more).
_TIMES = {"timestamp", "start_time", "total_elapsed_time", "total_timer_time"}
_TOTALS = {
    "sport",
    "sub_sport",
    "total_distance",
    "total_ascent",
    "total_descent",
    "avg_heart_rate",
    "max_heart_rate",
    "avg_cadence",
    "avg_running_cadence",
    "avg_fractional_cadence",
    "avg_speed",
    "enhanced_avg_speed",
}
_PRODUCT = {"manufacturer", "product", "garmin_product", "product_name"}
# Session fields newer than fitparse 1.2.0's (2019) profile: the watch's "how did
# that feel?" after a run.  Their numbers and base types come from fitdecode's
# newer profile (:data:`NEWER_FIELDS`), not typed in here.
SESSION_FEEL_FIELDS = {"workout_rpe", "workout_feel"}
SUMMARY_FIELDS: dict[str, set[str]] = {
    "file_id": {"type"} | _PRODUCT,
    "activity": {"timestamp", "local_timestamp"},
    "session": _TIMES | _TOTALS | SESSION_FEEL_FIELDS,
    "lap": _TIMES | _TOTALS,
    "sport": {"sport", "sub_sport", "name"},
    "device_info": {"device_index"} | _PRODUCT,
}



def _newer_fields() -> dict[str, dict[int, Any]]:
    """Summary fields runback reads that fitparse's profile lacks, from fitdecode's profile.

    ``{message name: {field number: fitdecode profile field}}``; each field has
    ``name``, ``def_num``, ``type`` (its base type's name), ``scale`` and ``offset``.
    """
    out: dict[str, dict[int, Any]] = {}
    for mtype in fitdecode_profile.MESSAGE_TYPES.values():
        wanted = SESSION_FEEL_FIELDS if mtype.name == "session" else set()
        found = {f.def_num: f for f in mtype.fields.values() if f.name in wanted}
        if found:
            out[mtype.name] = found
    return out


NEWER_FIELDS: dict[str, dict[int, Any]] = _newer_fields()
"""``{message: {field number: fitdecode field}}`` for the fields fitparse 1.2.0 names ``unknown_<n>``:
session 192 ``workout_feel`` and 193 ``workout_rpe`` (both uint8)."""

FIT_EPOCH_UNIX_S = 631065600  # 1989-12-31T00:00:00Z, the FIT epoch, in Unix seconds


@dataclass
class Decoded:
    """One FIT file (all chained parts) reduced to what runback reads.

    Attributes
    ----------
    records
        ``RECORD_FIELDS`` -> float64 array, one element per record message in
        file order; NaN where the field is absent or holds FIT's invalid value.
    messages
        ``SUMMARY_MESSAGES`` -> list of ``{field name: value}`` dicts in file
        order.  Enums are their profile names (str) where the profile knows the
        value, numbers are scaled, date_time fields stay raw FIT seconds (int).
        A subfield is stored under its own name and its parent's.
    partial_reason
        Why decoding stopped before the end of the file, or None.
    partial_offset
        Byte offset where decoding stopped, where known.
    engine
        Which decoder produced this ("fast", "fitparse" or "fitdecode").
    """

    records: dict[str, np.ndarray]
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    partial_reason: str | None = None
    partial_offset: int | None = None
    engine: str = ""

    @property
    def n_records(self) -> int:
        return int(self.records["timestamp"].shape[0])


def set_field(values: dict[str, Any], name: str, value: Any, *, derived: bool) -> None:
    """Store one decoded field in a message dict, the way both engines must.

    A field read from the file beats one derived from another field's
    components (e.g. ``enhanced_speed`` expanded from ``speed``) unless it is
    invalid; an invalid value never hides a valid one.
    """
    if value is None:
        values.setdefault(name, None)
        return
    if derived and values.get(name) is not None:
        return
    values[name] = value
