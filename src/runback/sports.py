"""Sport names and what they mean: one set for every reader and for the load model.

Readers map a file's sport label (a GPX ``<type>``, a TCX ``Sport``, Strava's
activity type, FIT's sport enum) onto FIT's lower-case sport names with
:func:`sport_name`; :data:`FOOT_SPORTS` decides, for every format alike, whose
cadence a file stores per foot; :func:`running_activity` decides which
activities count as running load.

Running is sport ``running`` (any sub-sport: road, trail, treadmill ...) and
names like ``trail_running``.  Activities of unknown sport (``generic``,
``unknown`` or none) are judged on the evidence:

- a name that names another sport (ride, bike, walk, fiets, wandel, swim ...)
  makes it no run; a name that says run (run, corrida, hardlopen, duurloop,
  lauf, carrera, course, jog ...) makes it a run;
- otherwise a FIT file's explicit ``generic`` (the watch was told "other") is
  a run only with a running cadence, :data:`RUN_CADENCE_SPM`, at no more than
  a running speed: its speed alone says nothing (a 25 km generic leg at
  2.1 m/s with 103 steps a minute is no run);
- a file that names no sport at all (a GPX without a ``<type>``) is a run
  with a running cadence where it has a cadence, and otherwise when its
  average moving speed is a running speed, :data:`RUN_SPEED_MPS` (9:15 to
  2:34 min/km).

The cadence is the activity's average (``avg_cadence_spm``, zeros left out:
the time standing still does not count), which readers keep as the file gives
it for unknown sports: per foot (Garmin) or both feet (phone apps), so both
readings of the running range count.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import polars as pl

__all__ = [
    "FOOT_SPORTS",
    "GENERIC",
    "RUN_CADENCE_SPM",
    "RUN_SPEED_MPS",
    "SPORT_LABELS",
    "SPORT_TRACK_NAMES",
    "UNKNOWN_SPORTS",
    "compatible_sports",
    "is_running",
    "known_sport",
    "running_activity",
    "sport_family",
    "sport_name",
]

GENERIC = "generic"
"""The sport of an activity whose file names none (FIT's own "unspecified")."""

FOOT_SPORTS = frozenset({"running", "walking", "hiking"})
"""Sports whose cadence is steps per minute (both feet).

FIT, TCX and GPX files store their cadence per foot (strides or revolutions
per minute); every reader doubles it for these sports and keeps other sports'
cadence (a bike's crank rpm) as the file has it.
"""

# Sport names and codes seen in GPX <type>, TCX Sport and Strava's activities.csv,
# mapped onto FIT's lower-case sport (and sub-sport) names.  Strava's GPX export
# writes its numeric activity type ("9" is Run, "1" is Ride, "10" is Walk ...).
SPORT_LABELS: Mapping[str, tuple[str, str | None]] = MappingProxyType(
    {
        "run": ("running", None),
        "running": ("running", None),
        "9": ("running", None),
        "trail run": ("running", "trail"),
        "trailrun": ("running", "trail"),
        "trail_running": ("running", "trail"),
        "virtual run": ("running", "virtual_activity"),
        "virtualrun": ("running", "virtual_activity"),
        "treadmill": ("running", "treadmill"),
        "treadmill_running": ("running", "treadmill"),
        "walk": ("walking", None),
        "walking": ("walking", None),
        "10": ("walking", None),
        "hike": ("hiking", None),
        "hiking": ("hiking", None),
        "4": ("hiking", None),
        "ride": ("cycling", None),
        "biking": ("cycling", None),
        "bike": ("cycling", None),
        "cycling": ("cycling", None),
        "1": ("cycling", None),
        "virtual ride": ("cycling", "virtual_activity"),
        "virtualride": ("cycling", "virtual_activity"),
        "17": ("cycling", "virtual_activity"),
        "e-bike ride": ("e_biking", None),
        "ebikeride": ("e_biking", None),
        "swim": ("swimming", None),
        "swimming": ("swimming", None),
        "16": ("swimming", None),
        "workout": ("training", None),
        "training": ("training", None),
        "weight training": ("training", "strength_training"),
        "weighttraining": ("training", "strength_training"),
        "other": (GENERIC, None),
        "generic": (GENERIC, None),
        # Strava's activity types as a translated export writes them (de, nl, fr, es, it, pt)
        **{label: ("running", None) for label in (
            "lauf", "laufen", "hardlopen", "hardloopsessie", "course à pied", "course", "carrera",
            "carrera a pie", "correr", "corsa", "corrida",
        )},
        **{label: ("running", "trail") for label in (
            "traillauf", "trailrunning", "trail running", "trail-run", "trailrun", "course de trail",
            "carrera por montaña", "corsa in montagna", "corrida de trilha", "corrida em trilha",
        )},
        **{label: ("running", "virtual_activity") for label in (
            "virtueller lauf", "virtuele hardloopsessie", "virtuele run", "course virtuelle",
            "carrera virtual", "corsa virtuale", "corrida virtual",
        )},
        **{label: ("cycling", None) for label in (
            "radfahrt", "radfahren", "fietsrit", "fietsen", "sortie à vélo", "vélo", "bicicleta",
            "salida en bici", "ciclismo", "giro in bici", "bici", "pedalada",
        )},
        **{label: ("cycling", "virtual_activity") for label in (
            "virtuelle radfahrt", "virtuele fietsrit", "virtuele rit", "sortie virtuelle", "sortie à vélo virtuelle",
            "salida virtual en bici", "giro virtuale in bici", "pedalada virtual",
        )},
        **{label: ("walking", None) for label in (
            "spaziergang", "gehen", "wandeling", "wandelen", "marche", "caminata", "caminar", "camminata",
            "caminhada",
        )},
        **{label: ("hiking", None) for label in (
            "wanderung", "wandern", "wandeltocht", "hiken", "randonnée", "senderismo", "excursionismo",
            "escursione", "escursionismo", "trilha",
        )},
        **{label: ("swimming", None) for label in ("schwimmen", "zwemmen", "natation", "natación", "nuoto", "natação")},
        **{label: ("training", None) for label in ("entraînement", "entrenamiento", "allenamento", "treino")},
        **{label: ("training", "strength_training") for label in (
            "krafttraining", "krachttraining", "musculation", "entrenamiento con pesas", "allenamento con i pesi",
            "musculação", "treino com pesos",
        )},
    }
)
"""A file's sport label, lower-cased, -> runback's ``(sport, sub_sport)``.

Strava's translated activity types are from memory of its exports, not from a
list Strava publishes; a type not here keeps the file's own sport (and a typed-in
activity gets the label itself, lower-cased)."""

SPORT_TRACK_NAMES = frozenset({"running", "run", "walking", "hiking", "cycling", "biking", "swimming"})
"""Track names that name the sport: TomTom names a GPX track "Running" instead of giving a ``<type>``."""

RUN_SPEED_MPS = (1.8, 6.5)
"""Average moving speeds counted as running for activities of unknown sport, m/s."""

RUN_CADENCE_SPM = (140.0, 220.0)
"""Running cadence, steps per minute (both feet): walking stays below 140, sprinting near 220.

An unknown sport's cadence may be per foot, so half this range (70-110 per foot) counts too."""

UNKNOWN_SPORTS = (GENERIC, "unknown", "other", "all", "")
"""Sport labels that say nothing about the sport."""

_RUN_WORDS = r"(?i)\b(run|running|runs|corrida|correr|hardlo\w*|\w*loop|\w*lauf|laufen|carrera|course|jog\w*|trail)\b"
_OTHER_WORDS = (
    r"(?i)\b(ride|bike|biking|cycling|fiets\w*|rad\w*|pedal\w*|bicicleta|ciclismo|walk\w*|wandel\w*|"
    r"caminhada|hike|hiking|swim\w*|zwem\w*|nata\w*|row\w*|roei\w*|ski\w*)\b"
)


def sport_name(text: str | None) -> tuple[str, str | None]:
    """Map a file's sport label onto runback's ``(sport, sub_sport)``.

    ``"Running"``, ``"run"`` and Strava's ``"9"`` become ``("running", None)``,
    ``"Biking"`` becomes ``("cycling", None)``; a missing label is ``"generic"``
    and an unknown one is kept lower-cased with spaces as underscores.
    """
    if text is None or not text.strip():
        return GENERIC, None
    key = text.strip().lower()
    if key in SPORT_LABELS:
        return SPORT_LABELS[key]
    return key.replace(" ", "_").replace("-", "_"), None


def known_sport(text: str | None) -> tuple[str, str | None] | None:
    """Like :func:`sport_name`, but ``None`` for a label runback does not know."""
    if text is None:
        return None
    return SPORT_LABELS.get(text.strip().lower())


def sport_family(sport: str | None) -> str:
    """The family a sport belongs to when deciding whether two recordings are one effort.

    ``"foot"`` for running (any running label), walking and hiking: one phone
    app's "walk" can be a watch's "run"; ``"unknown"`` for a missing or generic
    sport (:data:`UNKNOWN_SPORTS`); any other sport is its own family
    (``"cycling"``, ``"swimming"``, ``"transition"`` ...).
    """
    label = (sport or "").strip().lower()
    if label in UNKNOWN_SPORTS:
        return "unknown"
    if label in FOOT_SPORTS or label.startswith("run") or label.endswith("running"):
        return "foot"
    return label


def compatible_sports(a: str | None, b: str | None) -> bool:
    """Whether recordings of sports ``a`` and ``b`` can be copies of one effort.

    The same family (:func:`sport_family`) is compatible; an unknown or generic
    sport is compatible with the foot sports (a GPX without a type and the
    watch's FIT of the same run) and with another unknown one, never with a
    ride, a swim or any other named sport: a ride and a run are never one effort.
    """
    fa, fb = sport_family(a), sport_family(b)
    return fa == fb or {fa, fb} <= {"unknown", "foot"}


def is_running(sport: pl.Expr) -> pl.Expr:
    """True for a running sport label ("running", "trail_running", "run" ...)."""
    s = sport.str.to_lowercase()
    return (s.str.starts_with("run") | s.str.ends_with("running")).fill_null(False)


def running_activity(*, infer_unknown: bool = True) -> pl.Expr:
    """True for activities (schema.ACTIVITIES rows) that count as running load.

    With ``infer_unknown`` (default), activities of unknown sport are judged by
    name, cadence and speed as the module docstring says.
    """
    known = is_running(pl.col("sport"))
    if not infer_unknown:
        return known
    unknown = pl.col("sport").is_null() | pl.col("sport").str.to_lowercase().is_in(UNKNOWN_SPORTS)
    name = pl.col("name").fill_null("")
    moving = pl.coalesce(pl.col("moving_s"), pl.col("elapsed_s"))
    speed = pl.coalesce(pl.col("avg_speed_mps"), pl.col("distance_m") / moving).fill_nan(None)
    by_speed = speed.is_between(*RUN_SPEED_MPS).fill_null(False)
    cadence = pl.col("avg_cadence_spm").fill_nan(None)
    has_cadence = (cadence > 0).fill_null(False)
    low, high = RUN_CADENCE_SPM
    by_cadence = (
        (cadence.is_between(low, high) | cadence.is_between(low / 2, high / 2))  # both feet, or per foot
        & speed.le(RUN_SPEED_MPS[1]).fill_null(True)  # a crank at 90 rpm and 30 km/h is a ride
        & (moving > 0)  # a one-record stub has a cadence but no moving time to have it in
    ).fill_null(False)
    explicit_generic = (pl.col("format") == "fit").fill_null(False)
    # a FIT that says "generic" is judged by cadence alone: its speed says nothing (module docstring)
    evidence = pl.when(explicit_generic | has_cadence).then(by_cadence).otherwise(by_speed)
    says_run = name.str.contains(_RUN_WORDS)
    says_other = name.str.contains(_OTHER_WORDS)
    # another sport's word wins ("bike loop"); then a run word, then the evidence
    inferred = unknown & ~says_other & (says_run | evidence)
    return (known | inferred).fill_null(False)
