"""The athlete profile: sex, HRmax, HRrest, threshold pace and time zone.

Each value comes from the caller ("given", e.g. a CLI option), from a profile
file (``<store>/profiles/<athlete>.toml`` or ``--profile FILE``), or is
estimated from the runner's own data by a stated method, in that order of
precedence: :func:`resolve_profiles` is the one place that decides, for every
command.  Every value carries a ``*_source`` string saying which, so the
frames and reports can show it.

A profile file is TOML with any of these keys::

    sex = "female"                 # "male" or "female"
    hr_max_bpm = 188
    hr_rest_bpm = 52
    threshold_pace = "4:45"        # min:sec per km (or threshold_pace_s_per_km = 285)
    timezone = "Europe/Amsterdam"  # IANA name
"""

from __future__ import annotations

import math
import os
import tomllib
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, overload

import polars as pl

from runback.errors import OptionError
from runback.load._sport import running_activity
from runback.store import StoreLike, as_store

__all__ = [
    "Profile",
    "ProfileArg",
    "complete_profile",
    "estimate_profile",
    "estimates_by_athlete",
    "load_profile",
    "parse_pace",
    "profile_path",
    "read_profile",
    "read_profiles",
    "resolve_profiles",
    "resolve_store_profiles",
]

GIVEN = "given"
FROM_FILE = "profile file"

#: typical adult resting heart rate used when nothing better is known (bpm)
DEFAULT_HR_REST_BPM = 60.0
#: Riegel's endurance exponent (Riegel 1981, "Athletic records and human endurance")
RIEGEL_EXPONENT = 1.06
_VALUES = ("sex", "hr_max_bpm", "hr_rest_bpm", "threshold_pace_s_per_km", "timezone")
#: the values :func:`estimate_profile` can estimate (sex and time zone are never guessed)
_ESTIMATED = ("hr_max_bpm", "hr_rest_bpm", "threshold_pace_s_per_km")


@dataclass(frozen=True)
class Profile:
    """What runback knows about one runner, and where each value came from.

    Attributes
    ----------
    sex
        "male", "female" or None (unknown: Banister TRIMP then uses the male
        coefficients, Banister's original ones, and says so).
    hr_max_bpm
        Maximal heart rate, beats per minute.
    hr_rest_bpm
        Resting heart rate, beats per minute.
    threshold_pace_s_per_km
        Pace the runner can hold for about an hour, seconds per km.
    timezone
        IANA time zone, used to place activities recorded without a local
        time (GPX/TCX, ``utc_offset_source == "assumed_utc"``) on the right day.
    sex_source, hr_max_bpm_source, hr_rest_bpm_source, threshold_pace_s_per_km_source, timezone_source
        "given", "profile file", "estimated: <method>", or None when unknown.
    """

    sex: str | None = None
    hr_max_bpm: float | None = None
    hr_rest_bpm: float | None = None
    threshold_pace_s_per_km: float | None = None
    timezone: str | None = None
    sex_source: str | None = None
    hr_max_bpm_source: str | None = None
    hr_rest_bpm_source: str | None = None
    threshold_pace_s_per_km_source: str | None = None
    timezone_source: str | None = None

    def __post_init__(self) -> None:
        _validate(self, where="profile")

    @classmethod
    def given(cls, **values: Any) -> Profile:
        """A profile of values given by the caller; each gets source "given".

        ``None`` values are left unknown.
        """
        kwargs: dict[str, Any] = {}
        for key, value in values.items():
            if key not in _VALUES:
                raise OptionError(f"unknown profile value {key!r}; known: {', '.join(_VALUES)}")
            if value is not None:
                kwargs[key] = value
                kwargs[f"{key}_source"] = GIVEN
        return cls(**kwargs)

    def merged(self, fallback: Profile | None) -> Profile:
        """This profile, with values it lacks taken from ``fallback``."""
        if fallback is None:
            return self
        out: dict[str, Any] = {}
        for key in _VALUES:
            if getattr(self, key) is None and getattr(fallback, key) is not None:
                out[key] = getattr(fallback, key)
                out[f"{key}_source"] = getattr(fallback, f"{key}_source")
        return replace(self, **out) if out else self

    @property
    def threshold_speed_mps(self) -> float | None:
        """Threshold pace as a speed, metres per second."""
        if self.threshold_pace_s_per_km is None:
            return None
        return 1000.0 / self.threshold_pace_s_per_km

    def as_dict(self) -> dict[str, Any]:
        """Every value and source, e.g. for a report or JSON."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _validate(p: Profile, *, where: str) -> None:
    def bad(reason: str) -> OptionError:
        return OptionError(f"{where}: {reason}")

    if p.sex is not None and p.sex not in ("male", "female"):
        raise bad(f"sex must be 'male' or 'female', not {p.sex!r}")
    for key, lo, hi in (("hr_max_bpm", 100, 250), ("hr_rest_bpm", 25, 120)):
        v = getattr(p, key)
        if v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            raise bad(f"{key} must be a number, not {v!r}")
        if not lo <= v <= hi:
            raise bad(f"{key} = {v} is outside {lo}-{hi} bpm")
    if p.hr_max_bpm is not None and p.hr_rest_bpm is not None and p.hr_rest_bpm >= p.hr_max_bpm:
        raise bad(f"hr_rest_bpm ({p.hr_rest_bpm}) must be below hr_max_bpm ({p.hr_max_bpm})")
    pace = p.threshold_pace_s_per_km
    if pace is not None:
        if isinstance(pace, bool) or not isinstance(pace, int | float) or not math.isfinite(pace):
            raise bad(f"threshold pace must be a number of seconds per km, not {pace!r}")
        if not 120 <= pace <= 1200:
            raise bad(f"threshold pace {pace} s/km is outside 2:00-20:00 min/km")
    if p.timezone is not None:
        try:
            zoneinfo.ZoneInfo(p.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise bad(f"unknown time zone {p.timezone!r} (use an IANA name such as Europe/Amsterdam)") from exc


def parse_pace(text: str) -> float:
    """Parse a pace "MM:SS" (per km) into seconds per km.

    Raises
    ------
    OptionError
        When ``text`` is not of the form minutes:seconds.
    """
    parts = str(text).strip().split(":")
    try:
        if len(parts) != 2:
            raise ValueError
        minutes, seconds = int(parts[0]), float(parts[1])
        if minutes < 0 or not 0 <= seconds < 60:
            raise ValueError
    except ValueError as exc:
        raise OptionError(f"bad pace {text!r}: use minutes:seconds per km, e.g. 4:45") from exc
    return minutes * 60 + seconds


def profile_path(store: StoreLike, athlete: str) -> Path:
    """Where the store keeps an athlete's profile: ``<store>/profiles/<athlete>.toml``.

    ``store`` is a :class:`runback.store.Store` or its root directory.
    """
    return as_store(store).profile_file(athlete)


def load_profile(store: StoreLike, athlete: str) -> Profile | None:
    """The athlete's saved profile, ``<store>/profiles/<athlete>.toml``, or None if there is none.

    ``store`` is a :class:`runback.store.Store` or its root directory.
    """
    st = as_store(store)
    data = st.profile_bytes(athlete)
    return None if data is None else _parse_profile(data, st.profile_file(athlete))


@overload
def read_profile(path: str | Path) -> Profile: ...
@overload
def read_profile(path: StoreLike, athlete: str) -> Profile | None: ...
def read_profile(path: Any, athlete: str | None = None) -> Profile | None:
    """Read a profile TOML file; every value in it gets source "profile file".

    ``read_profile(path)`` reads that file; ``read_profile(store, athlete)``
    reads the store's ``profiles/<athlete>.toml`` and gives None when the
    athlete has none (as :func:`load_profile`).

    Raises
    ------
    OptionError
        When the file cannot be read, is not valid TOML, or holds a bad value
        or an unknown key (the message names the file).
    """
    if athlete is not None:
        return load_profile(path, athlete)
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise OptionError(f"{path}: cannot read profile ({exc.strerror or exc})") from exc
    return _parse_profile(data, path)


def _parse_profile(content: bytes, path: Path) -> Profile:
    """A profile from the bytes of a TOML file; ``path`` names the file in messages."""
    try:
        data = tomllib.loads(content.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise OptionError(f"{path}: not a valid TOML profile ({exc})") from exc
    if "threshold_pace" in data:
        raw = data.pop("threshold_pace")
        if not isinstance(raw, str):
            raise OptionError(f"{path}: threshold_pace must be a string like \"4:45\"")
        try:
            data["threshold_pace_s_per_km"] = parse_pace(raw)
        except OptionError as exc:
            raise OptionError(f"{path}: {exc}") from exc
    unknown = sorted(set(data) - set(_VALUES))
    if unknown:
        raise OptionError(f"{path}: unknown profile key(s) {', '.join(unknown)}; known: threshold_pace, {', '.join(_VALUES)}")
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        kwargs[key] = value
        kwargs[f"{key}_source"] = FROM_FILE
    try:
        return Profile(**kwargs)
    except OptionError as exc:
        raise OptionError(f"{path}: {str(exc).removeprefix('profile: ')}") from exc


# --------------------------------------------------------------------------
# which value wins: given > profile file > estimate
# --------------------------------------------------------------------------
ProfileArg = Profile | Mapping[str, Profile | None] | None
"""Profile values for every athlete (one :class:`Profile`), per athlete (athlete -> Profile), or none."""


def _for(arg: ProfileArg, athlete: str) -> Profile | None:
    return arg.get(athlete) if isinstance(arg, Mapping) else arg


def _complete(p: Profile | None) -> bool:
    return p is not None and all(getattr(p, key) is not None for key in _ESTIMATED)


def resolve_profiles(
    activities: pl.DataFrame,
    samples: pl.DataFrame | None = None,
    profile: ProfileArg = None,
    *,
    stored: ProfileArg = None,
    athletes: Iterable[str] | None = None,
) -> dict[str, Profile]:
    """One complete profile per athlete: given values, then profile-file values, then estimates.

    The one place that decides which profile value wins, for every command
    (``flags``, ``report``, ``team-report``) and for the library functions
    (:func:`runback.load.flags`, :func:`runback.load.session_load`).  Each
    value keeps its source ("given", "profile file", "estimated: <method>").
    The estimates (see :func:`estimate_profile`) are computed only for
    athletes missing a value that can be estimated; with HRmax, HRrest and
    threshold pace all known, ``activities`` and ``samples`` are not read.

    Parameters
    ----------
    activities, samples
        :data:`runback.schema.ACTIVITIES` / :data:`runback.schema.SAMPLES`
        frames (any number of athletes), for the estimates.
    profile
        The given values (e.g. command-line options): None, one
        :class:`Profile` for every athlete, or a mapping athlete -> Profile.
        These win.
    stored
        The profile files' values, in the same forms (see :func:`read_profiles`);
        they fill what ``profile`` lacks.
    athletes
        The athletes to resolve (default: those in ``activities``).  An athlete
        without activities gets the given and stored values and the defaults
        (a 60 bpm resting heart rate).

    Returns
    -------
    dict[str, Profile]
        Athlete -> profile, sorted by athlete.

    Raises
    ------
    OptionError
        When a given value and a file value together are impossible (a resting
        heart rate at or above the maximal one).
    """
    if athletes is None:
        names = sorted(activities.get_column("athlete").drop_nulls().unique().to_list())
    else:
        names = sorted(set(athletes))
    known: dict[str, Profile | None] = {}
    for name in names:
        given, from_file = _for(profile, name), _for(stored, name)
        known[name] = given.merged(from_file) if given is not None else from_file
    missing = [name for name, p in known.items() if not _complete(p)]
    rows: dict[str, dict[str, Any]] = {}
    if missing:
        estimates = estimates_by_athlete(activities.filter(pl.col("athlete").is_in(missing)), samples)
        rows = {row["athlete"]: row for row in estimates.iter_rows(named=True)}
    return {name: complete_profile(known[name], rows.get(name, {})) for name in names}


def read_profiles(
    store: StoreLike, athletes: Iterable[str], *, profile_file: str | os.PathLike[str] | None = None
) -> dict[str, Profile | None]:
    """The profile-file values of each athlete, for :func:`resolve_profiles`'s ``stored``.

    ``profile_file`` (a ``--profile FILE`` option) stands for every athlete
    when given, instead of the store's files; else each athlete's
    ``<store>/profiles/<athlete>.toml``, or None where there is none.
    """
    if profile_file is not None:
        chosen = read_profile(Path(profile_file))
        return {name: chosen for name in athletes}
    st = as_store(store)
    return {name: load_profile(st, name) for name in athletes}


def resolve_store_profiles(
    store: StoreLike,
    activities: pl.DataFrame,
    samples: pl.DataFrame | None = None,
    *,
    given: ProfileArg = None,
    profile_file: str | os.PathLike[str] | None = None,
    athletes: Iterable[str] | None = None,
) -> dict[str, Profile]:
    """:func:`resolve_profiles` with the profile files read from ``store`` (see :func:`read_profiles`).

    Parameters
    ----------
    store
        A :class:`runback.store.Store` or its root directory.
    activities, samples
        The athletes' frames, for the estimates.
    given
        The given values (command-line options), as :func:`resolve_profiles`'s ``profile``.
    profile_file
        A profile file for every athlete instead of the store's (``--profile FILE``).
    athletes
        The athletes to resolve (default: those in ``activities``).
    """
    names = (
        sorted(activities.get_column("athlete").drop_nulls().unique().to_list())
        if athletes is None
        else sorted(set(athletes))
    )
    stored = read_profiles(store, names, profile_file=profile_file)
    return resolve_profiles(activities, samples, given, stored=stored, athletes=names)


def estimate_profile(
    activities: pl.DataFrame,
    samples: pl.DataFrame | None = None,
    *,
    given: Profile | None = None,
) -> Profile:
    """Fill what ``given`` lacks with estimates from the runner's own data.

    Methods (each stated in the matching ``*_source``):

    - **hr_max_bpm**: the highest heart rate held over 5 consecutive samples
      (a rolling median, so one-sample spikes from a strap or optical sensor
      do not count) over all activities; without samples, the highest
      ``activities.max_hr_bpm``.  Readings above 230 bpm are ignored.
    - **hr_rest_bpm**: watch files carry no resting heart rate, so 60 bpm (a
      typical adult value), or the lowest heart rate seen in any sample
      (>= 30 bpm) where that is lower; always at least 20 bpm below HRmax.
    - **threshold_pace_s_per_km**: Riegel's formula ``T2 = T1 (D2/D1)^1.06``
      turns every run of 10 min to 3 h into the distance it predicts for
      60 min; the threshold pace is the pace of the best such prediction.
      Runs averaging more than 6.5 m/s (GPS errors) are ignored.
    - **sex** and **timezone** are never guessed.

    Parameters
    ----------
    activities
        schema.ACTIVITIES rows of one athlete (rows of several athletes are
        pooled; use :func:`resolve_profiles` per athlete).
    samples
        schema.SAMPLES rows of those activities, optional.
    given
        Values already known (given or from a profile file); these win, and
        nothing is estimated when they hold HRmax, HRrest and threshold pace.

    Returns
    -------
    Profile
    """
    pooled = activities.with_columns(athlete=pl.lit("_", dtype=pl.String))
    return resolve_profiles(pooled, samples, given, athletes=["_"])["_"]


def complete_profile(given: Profile | None, row: Mapping[str, Any]) -> Profile:
    """``given`` with its gaps filled from one row of :func:`estimates_by_athlete`."""
    out = given or Profile()
    est: dict[str, Any] = {}
    hr_max = out.hr_max_bpm
    if hr_max is None and row.get("hr_max") is not None:
        hr_max = float(row["hr_max"])
        est["hr_max_bpm"], est["hr_max_bpm_source"] = hr_max, row["hr_max_how"]
    if out.hr_rest_bpm is None:
        lowest = row.get("hr_low")
        if lowest is not None and lowest < DEFAULT_HR_REST_BPM:
            rest, how = float(lowest), "estimated: lowest heart rate in any sample"
        else:
            rest = DEFAULT_HR_REST_BPM
            how = "estimated: 60 bpm, a typical adult value (activity files hold no resting heart rate)"
        if hr_max is not None and rest > hr_max - 20:
            rest = hr_max - 20
        est["hr_rest_bpm"], est["hr_rest_bpm_source"] = rest, how
    if out.threshold_pace_s_per_km is None and row.get("thr_pace") is not None:
        est["threshold_pace_s_per_km"] = float(row["thr_pace"])
        est["threshold_pace_s_per_km_source"] = (
            "estimated: Riegel (exponent 1.06) 60-min pace from the best run of 10 min to 3 h"
        )
    return replace(out, **est) if est else out


def estimates_by_athlete(activities: pl.DataFrame, samples: pl.DataFrame | None) -> pl.DataFrame:
    """Per-athlete raw estimates: ``athlete, hr_max, hr_max_how, hr_low, thr_pace``.

    Vectorised over athletes (one pass over the frames); see
    :func:`estimate_profile` for the methods.
    """
    athletes = activities.select("athlete").unique()
    s_hr = None
    if samples is not None and samples.height and "heart_rate_bpm" in samples.columns:
        s_hr = (
            samples.select("activity_id", "elapsed_s", "heart_rate_bpm")
            .filter(pl.col("heart_rate_bpm").is_between(30, 230))
            .join(activities.select("activity_id", "athlete"), on="activity_id", how="inner")
            .sort("activity_id", "elapsed_s")
            .with_columns(_med=pl.col("heart_rate_bpm").rolling_median(5).over("activity_id"))
            .group_by("athlete")
            .agg(_s_max=pl.col("_med").max(), hr_low=pl.col("heart_rate_bpm").min())
        )
    a_max = activities.group_by("athlete").agg(
        _a_max=pl.col("max_hr_bpm").filter(pl.col("max_hr_bpm") <= 230).max()
    )
    runs = activities.filter(
        running_activity()
        & pl.col("moving_s").is_between(600, 3 * 3600)
        & (pl.col("distance_m") > 0)
        & (pl.col("distance_m") / pl.col("moving_s") <= 6.5)
    )
    # distance Riegel predicts for 60 min: D2 = D1 * (3600 / T1) ** (1 / 1.06)
    thr = runs.group_by("athlete").agg(
        _best_m=(pl.col("distance_m") * (3600.0 / pl.col("moving_s")) ** (1.0 / RIEGEL_EXPONENT)).max()
    )
    out = athletes.join(a_max, on="athlete", how="left").join(thr, on="athlete", how="left")
    if s_hr is not None:
        out = out.join(s_hr, on="athlete", how="left")
    else:
        out = out.with_columns(_s_max=pl.lit(None, pl.Float64), hr_low=pl.lit(None, pl.Float64))
    return out.select(
        "athlete",
        hr_max=pl.coalesce("_s_max", "_a_max"),
        hr_max_how=pl.when(pl.col("_s_max").is_not_null())
        .then(pl.lit("estimated: highest heart rate held over 5 samples"))
        .when(pl.col("_a_max").is_not_null())
        .then(pl.lit("estimated: highest activity maximum heart rate")),
        hr_low=pl.col("hr_low"),
        thr_pace=3600.0 / (pl.col("_best_m") / 1000.0),
    )
