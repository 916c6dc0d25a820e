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
from runback.sports import running_activity
from runback.store import StoreLike, as_store
# the constants of the sustained efforts live with the summaries that compute them; kept importable here
from runback.summaries import EFFORT_WINDOWS_MIN as EFFORT_WINDOWS_MIN
from runback.summaries import MAX_STEP_GAP_S as MAX_STEP_GAP_S
from runback.summaries import MAX_STEP_SPEED_MPS as MAX_STEP_SPEED_MPS
from runback.summaries import MAX_SUSTAINED_RUN_SPEED_MPS as MAX_SUSTAINED_RUN_SPEED_MPS
from runback.summaries import MOVING_SPEED_MPS as MOVING_SPEED_MPS
from runback.summaries import RIEGEL_EXPONENT as RIEGEL_EXPONENT
from runback.summaries import summarize_samples

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
    "summaries_of",
    "sustained_efforts",
    "threshold_pace_runs",
]

GIVEN = "given"
FROM_FILE = "profile file"

#: typical adult resting heart rate used when nothing better is known (bpm)
DEFAULT_HR_REST_BPM = 60.0
#: the threshold pace needs this many runs whose best efforts agree
EFFORT_MIN_RUNS = 3
#: efforts "agree" when the slowest of the runs is within this fraction of the fastest
EFFORT_AGREEMENT = 0.10
#: recordings longer than this are not trusted for the summary-based (Riegel) fallback, seconds
MAX_TRUSTED_ELAPSED_S = 6 * 3600.0
_RIEGEL_HOW = "estimated: Riegel (exponent 1.06) 60-min pace from the best run of 10 min to 3 h"
_EFFORTS_HOW = "estimated: median of the best 20-60 min efforts (Riegel-adjusted to 60 min) of 3 runs that agree within 10%"
_EFFORTS_LOOSE_HOW = "estimated: median of the best 20-60 min efforts (Riegel-adjusted to 60 min) of the 3 best runs (they do not agree within 10%)"
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


def _names(activities: pl.DataFrame, athletes: Iterable[str] | None) -> list[str]:
    """The athletes to resolve, sorted: ``athletes``, or those in ``activities``."""
    if athletes is None:
        return sorted(activities.get_column("athlete").drop_nulls().unique().to_list())
    return sorted(set(athletes))


def resolve_profiles(
    activities: pl.DataFrame,
    samples: pl.DataFrame | None = None,
    profile: ProfileArg = None,
    *,
    stored: ProfileArg = None,
    athletes: Iterable[str] | None = None,
    summaries: pl.DataFrame | None = None,
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
        frames (any number of athletes), for the estimates.  ``samples`` are
        read only where ``summaries`` is not given.
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
    summaries
        :data:`runback.summaries.SUMMARIES` rows of the activities (e.g.
        :meth:`runback.store.Store.summaries`): the estimates read these
        instead of ``samples``.

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
    names = _names(activities, athletes)
    known: dict[str, Profile | None] = {}
    for name in names:
        given, from_file = _for(profile, name), _for(stored, name)
        known[name] = given.merged(from_file) if given is not None else from_file
    missing = [name for name, p in known.items() if not _complete(p)]
    rows: dict[str, dict[str, Any]] = {}
    if missing:
        estimates = estimates_by_athlete(
            activities.filter(pl.col("athlete").is_in(missing)), samples, summaries=summaries
        )
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
    summaries: pl.DataFrame | None = None,
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
    summaries
        :data:`runback.summaries.SUMMARIES` rows, read instead of ``samples``.
    """
    names = _names(activities, athletes)
    stored = read_profiles(store, names, profile_file=profile_file)
    return resolve_profiles(activities, samples, given, stored=stored, athletes=names, summaries=summaries)


def estimate_profile(
    activities: pl.DataFrame,
    samples: pl.DataFrame | None = None,
    *,
    given: Profile | None = None,
    summaries: pl.DataFrame | None = None,
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
    - **threshold_pace_s_per_km**: from the best sustained efforts inside
      runs (see :func:`sustained_efforts`): each run's fastest stretch of 20,
      30, 40, 50 or 60 minutes of moving time, turned into the pace it
      predicts for 60 minutes by Riegel's formula ``T2 = T1 (D2/D1)^1.06``.
      Stretches faster than 6.5 m/s are not running and do not count.  The
      runs are ranked by their best effort; the estimate is the median of the
      fastest three runs that agree within 10% (so one broken recording, a
      watch left on in a car, never sets it), or of the best three when no
      three agree.  With fewer than three runs with such efforts (no samples,
      short runs), the fallback is the summaries: Riegel's 60-min prediction
      from the best run of 10 min to 3 h (averaging at most 6.5 m/s,
      recorded over at most 6 h).  The source says which method was used.
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
    summaries
        :data:`runback.summaries.SUMMARIES` rows of those activities, read
        instead of ``samples`` (the same estimates, without the samples).

    Returns
    -------
    Profile
    """
    pooled = activities.with_columns(athlete=pl.lit("_", dtype=pl.String))
    return resolve_profiles(pooled, samples, given, athletes=["_"], summaries=summaries)["_"]


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
        est["threshold_pace_s_per_km_source"] = row.get("thr_pace_how") or _RIEGEL_HOW
    return replace(out, **est) if est else out


def summaries_of(samples: pl.DataFrame | None, summaries: pl.DataFrame | None) -> pl.DataFrame | None:
    """``summaries`` where given, else the summaries of ``samples`` (None without either).

    The one step from samples to the load model's inputs: every function that
    takes ``samples`` or ``summaries`` computes from summaries, so both give
    the same figures.
    """
    if summaries is not None:
        return summaries
    if samples is None or samples.is_empty():
        return None
    return summarize_samples(samples)


def estimates_by_athlete(
    activities: pl.DataFrame, samples: pl.DataFrame | None = None, *, summaries: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Per-athlete raw estimates: ``athlete, hr_max, hr_max_how, hr_low, thr_pace, thr_pace_how``.

    Vectorised over athletes (one pass over the frames); see
    :func:`estimate_profile` for the methods.  The sample-based values come
    from ``summaries`` (:data:`runback.summaries.SUMMARIES`), or from the
    summaries of ``samples`` where those are not given.
    """
    summaries = summaries_of(samples, summaries)
    athletes = activities.select("athlete").unique()
    s_hr = None
    if summaries is not None and summaries.height:
        # per activity: the highest heart rate held over 5 samples and the lowest one (30-230 bpm)
        s_hr = (
            summaries.select("activity_id", "hr_held_max_bpm", "hr_low_bpm")
            .filter(pl.col("hr_low_bpm").is_not_null())
            .join(activities.select("activity_id", "athlete"), on="activity_id", how="inner")
            .group_by("athlete")
            .agg(_s_max=pl.col("hr_held_max_bpm").max(), hr_low=pl.col("hr_low_bpm").min())
        )
    a_max = activities.group_by("athlete").agg(
        _a_max=pl.col("max_hr_bpm").filter(pl.col("max_hr_bpm") <= 230).max()
    )
    out = (
        athletes.join(a_max, on="athlete", how="left")
        .join(_threshold_from_efforts(activities, summaries).drop("_eff_runs"), on="athlete", how="left")
        .join(_threshold_by_riegel(activities), on="athlete", how="left")
    )
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
        thr_pace=pl.coalesce("_eff_pace", "_riegel_pace"),
        thr_pace_how=pl.when(pl.col("_eff_pace").is_not_null())
        .then(pl.col("_eff_how"))
        .when(pl.col("_riegel_pace").is_not_null())
        .then(pl.lit(_RIEGEL_HOW)),
    )


def _threshold_by_riegel(activities: pl.DataFrame) -> pl.DataFrame:
    """``athlete, _riegel_pace``: the summaries' fallback (Riegel's 60-min pace of the best run)."""
    elapsed = pl.col("elapsed_s").fill_null(0.0) if "elapsed_s" in activities.columns else pl.lit(0.0)
    runs = activities.filter(
        running_activity()
        & pl.col("moving_s").is_between(600, 3 * 3600)
        & (pl.col("distance_m") > 0)
        & (pl.col("distance_m") / pl.col("moving_s") <= MAX_SUSTAINED_RUN_SPEED_MPS)
        & (elapsed <= MAX_TRUSTED_ELAPSED_S)  # a watch left recording for a day is not one run
    )
    # distance Riegel predicts for 60 min: D2 = D1 * (3600 / T1) ** (1 / 1.06)
    best = runs.group_by("athlete").agg(
        _best_m=(pl.col("distance_m") * (3600.0 / pl.col("moving_s")) ** (1.0 / RIEGEL_EXPONENT)).max()
    )
    return best.select("athlete", _riegel_pace=3600.0 / (pl.col("_best_m") / 1000.0))


def sustained_efforts(
    activities: pl.DataFrame, samples: pl.DataFrame | None = None, *, summaries: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Each run's best sustained effort, from its samples' moving time only.

    For every running activity (see :func:`runback.sports.running_activity`)
    and every window of :data:`EFFORT_WINDOWS_MIN` minutes of *moving* time
    (sample steps at more than 0.5 m/s; steps over a gap of more than 60 s
    or faster than 10 m/s, GPS jumps, do not count), the fastest such
    stretch of the run.  Stretches faster than 6.5 m/s on average are not
    running and are left out.  Each stretch's distance is turned into the
    distance it predicts for 60 minutes by Riegel's formula (exponent 1.06),
    and the run's best prediction is its effort.

    Parameters
    ----------
    activities
        :data:`runback.schema.ACTIVITIES` rows (any number of athletes).
    samples
        :data:`runback.schema.SAMPLES` rows of those activities; ``None`` or
        empty (and no ``summaries``) gives an empty frame.
    summaries
        :data:`runback.summaries.SUMMARIES` rows of those activities (their
        ``effort_*`` columns), read instead of ``samples``.

    Returns
    -------
    polars.DataFrame
        One row per run with at least 20 minutes of moving samples:
        ``athlete, activity_id, start_time_utc, window_min`` (the window of
        the best prediction), ``window_speed_mps`` (that stretch's mean
        speed), ``effort_pace_s_per_km`` (the predicted 60-min pace),
        sorted by athlete and effort, fastest first.

    References
    ----------
    Riegel P. S. (1981), Athletic records and human endurance.
    """
    out_schema = {
        "athlete": pl.String(),
        "activity_id": pl.String(),
        "start_time_utc": pl.Datetime("us", "UTC"),
        "window_min": pl.Int32(),
        "window_speed_mps": pl.Float64(),
        "effort_pace_s_per_km": pl.Float64(),
    }
    summaries = summaries_of(samples, summaries)
    if summaries is None or summaries.is_empty():
        return pl.DataFrame(schema=out_schema)
    # every activity's best effort is in its summary; the runs are those of the (corrected) activities
    runs = activities.filter(running_activity()).select("athlete", "activity_id", "start_time_utc")
    efforts = (
        summaries.select("activity_id", "effort_window_min", "effort_speed_mps", "effort_pace_s_per_km")
        .filter(pl.col("effort_pace_s_per_km").is_not_null())
        .join(runs, on="activity_id", how="inner")
        .select(
            "athlete",
            "activity_id",
            "start_time_utc",
            window_min="effort_window_min",
            window_speed_mps="effort_speed_mps",
            effort_pace_s_per_km="effort_pace_s_per_km",
        )
    )
    return efforts.cast(out_schema).sort(["athlete", "effort_pace_s_per_km", "activity_id"])  # type: ignore[arg-type]


def threshold_pace_runs(
    activities: pl.DataFrame, samples: pl.DataFrame | None = None, *, summaries: pl.DataFrame | None = None
) -> pl.DataFrame:
    """How the sample-based threshold pace was found, per athlete: ``athlete,
    threshold_pace_s_per_km, source, activity_ids`` (the three runs whose efforts
    set it).  Athletes with fewer than three runs with efforts have no row (their
    estimate, if any, falls back to Riegel from the summaries).  ``summaries``
    (:data:`runback.summaries.SUMMARIES`) are read instead of ``samples`` where given.
    """
    found = _threshold_from_efforts(activities, summaries_of(samples, summaries))
    return found.select(
        "athlete", threshold_pace_s_per_km="_eff_pace", source="_eff_how", activity_ids="_eff_runs"
    ).sort("athlete")


def _threshold_from_efforts(activities: pl.DataFrame, summaries: pl.DataFrame | None) -> pl.DataFrame:
    """``athlete, _eff_pace, _eff_how, _eff_runs``: the threshold pace several runs' best efforts agree on."""
    ranked = sustained_efforts(activities, summaries=summaries).with_columns(
        _rank=pl.col("effort_pace_s_per_km").rank("ordinal").over("athlete"),
        _n=pl.len().over("athlete"),
    )
    # for each run, it and the next two slower ones: do they agree within 10% (in speed)?
    trios = ranked.with_columns(
        _p2=pl.col("effort_pace_s_per_km").shift(-2).over("athlete", order_by="_rank"),
        _p1=pl.col("effort_pace_s_per_km").shift(-1).over("athlete", order_by="_rank"),
        _eff_runs=pl.concat_list(
            "activity_id",
            pl.col("activity_id").shift(-1).over("athlete", order_by="_rank"),
            pl.col("activity_id").shift(-2).over("athlete", order_by="_rank"),
        ),
    ).filter((pl.col("_n") >= EFFORT_MIN_RUNS) & pl.col("_p2").is_not_null())
    agree = pl.col("effort_pace_s_per_km") / pl.col("_p2") >= 1.0 - EFFORT_AGREEMENT
    first_agreeing = (
        trios.filter(agree)
        .sort("athlete", "_rank")
        .group_by("athlete")
        .first()
        .select("athlete", "_eff_runs", _eff_pace=pl.col("_p1"), _eff_how=pl.lit(_EFFORTS_HOW))
    )
    best_three = (
        trios.filter(pl.col("_rank") == 1)
        .join(first_agreeing.select("athlete"), on="athlete", how="anti")
        .select("athlete", "_eff_runs", _eff_pace=pl.col("_p1"), _eff_how=pl.lit(_EFFORTS_LOOSE_HOW))
    )
    return pl.concat([first_agreeing, best_three]).cast(
        {"_eff_pace": pl.Float64, "_eff_how": pl.String, "_eff_runs": pl.List(pl.String)}
    )
