"""Strava's ``activities.csv``, in whatever language the account uses.

A Strava bulk export lists every activity in ``activities.csv``: one row per
activity, the activity's file (``activities/123.fit.gz``) in a ``Filename``
column, or no file at all for an activity typed in by hand.  Strava writes
the header, the activity types, the dates and the decimals in the account's
language: ``Aktivitäts-ID, Aktivitätsdatum, Name der Aktivität ...``,
``"09.12.2022, 15:24:49"``, ``"9,44"``.  And it has grown from 87 to 101
columns over the years, repeating some names (the first ``Distance`` is in
kilometres, the second in metres).

:func:`read_strava_activities` reads one such file:

- the columns are found by name through :data:`HEADER_NAMES` (English, German,
  Dutch, French, Spanish, Italian, Portuguese), compared without case, accents
  or punctuation;
- where the names are unknown (another language), by Strava's own layout: the
  first thirteen columns have kept their places since the oldest exports
  (id, date, name, type, description, elapsed time, distance, max heart rate,
  relative effort, commute, private note, gear, filename), and the file
  column is recognised by its values (``activities/<id>.<fit|gpx|tcx>[.gz]``);
  the perceived exertion has no fixed place, so it is then not joined, with a
  warning;
- where neither works, nothing is joined and a warning says so: the activity
  files themselves are still imported;
- a malformed file (a field over 128 KB, an unbalanced quote) gives no
  metadata and a warning naming the file, never an error.

Rows with a file give their activity's name, type and perceived exertion
(:attr:`StravaActivities.by_file`); rows without one become activities of
format ``"manual"`` (:attr:`StravaActivities.manual`): distance, elapsed and
moving time, type and perceived exertion, and no samples.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any

import polars as pl

from runback import schema
from runback.athletes import DEFAULT_ATHLETE
from runback.io._common import content_id
from runback.io.readers import MANUAL_FORMAT, supported_extensions
from runback.sports import sport_name

__all__ = [
    "HEADER_NAMES",
    "MONTHS",
    "STRAVA_CSV",
    "StravaActivities",
    "parse_strava_date",
    "parse_strava_number",
    "read_strava_activities",
]

STRAVA_CSV = "activities.csv"
"""The file name of a Strava export's activity list."""

FIELDS = ("id", "date", "name", "type", "description", "elapsed_s", "distance", "filename", "moving_s", "rpe")
"""The columns runback reads, by runback's own key."""

# Strava's column names per language, as its exports write them.  Where a name
# is not certain, the likely variants are all listed: a name that never
# occurs costs nothing, and the structural fallback catches the rest.
HEADER_NAMES: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "en": {
        "id": ("Activity ID",),
        "date": ("Activity Date",),
        "name": ("Activity Name",),
        "type": ("Activity Type",),
        "description": ("Activity Description",),
        "elapsed_s": ("Elapsed Time",),
        "distance": ("Distance",),
        "filename": ("Filename",),
        "moving_s": ("Moving Time",),
        "rpe": ("Perceived Exertion",),
    },
    "de": {
        "id": ("Aktivitäts-ID",),
        "date": ("Aktivitätsdatum",),
        "name": ("Name der Aktivität", "Aktivitätsname"),
        "type": ("Aktivitätsart", "Aktivitätstyp"),
        "description": ("Aktivitätsbeschreibung", "Beschreibung der Aktivität"),
        "elapsed_s": ("Verstrichene Zeit", "Gesamtzeit", "Abgelaufene Zeit"),
        "distance": ("Distanz", "Entfernung", "Strecke"),
        "filename": ("Dateiname",),
        "moving_s": ("Bewegungszeit", "Zeit in Bewegung"),
        "rpe": ("Gefühlte Anstrengung", "Empfundene Anstrengung"),
    },
    "nl": {
        "id": ("Activiteits-ID", "Activiteit-ID", "Activiteiten-ID"),
        "date": ("Datum van activiteit", "Activiteitsdatum", "Activiteitdatum"),
        "name": ("Naam activiteit", "Activiteitsnaam", "Naam van activiteit"),
        "type": ("Activiteitstype", "Type activiteit", "Soort activiteit"),
        "description": ("Beschrijving van activiteit", "Activiteitsbeschrijving", "Beschrijving activiteit"),
        "elapsed_s": ("Verstreken tijd", "Totale tijd"),
        "distance": ("Afstand",),
        "filename": ("Bestandsnaam",),
        "moving_s": ("Beweegtijd", "Bewegingstijd", "Tijd in beweging"),
        "rpe": ("Waargenomen inspanning", "Ervaren inspanning", "Gevoelde inspanning"),
    },
    "fr": {
        "id": ("ID de l'activité", "Identifiant de l'activité"),
        "date": ("Date de l'activité",),
        "name": ("Nom de l'activité",),
        "type": ("Type d'activité", "Type de l'activité"),
        "description": ("Description de l'activité",),
        "elapsed_s": ("Temps écoulé", "Durée totale"),
        "distance": ("Distance",),
        "filename": ("Nom du fichier", "Nom de fichier"),
        "moving_s": ("Temps de déplacement", "Temps en mouvement"),
        "rpe": ("Effort perçu", "Effort ressenti"),
    },
    "es": {
        "id": ("ID de actividad", "ID de la actividad"),
        "date": ("Fecha de la actividad", "Fecha de actividad"),
        "name": ("Nombre de la actividad", "Nombre de actividad"),
        "type": ("Tipo de actividad", "Tipo de la actividad"),
        "description": ("Descripción de la actividad", "Descripción de actividad"),
        "elapsed_s": ("Tiempo transcurrido",),
        "distance": ("Distancia",),
        "filename": ("Nombre del archivo", "Nombre de archivo"),
        "moving_s": ("Tiempo en movimiento",),
        "rpe": ("Esfuerzo percibido",),
    },
    "it": {
        "id": ("ID attività", "ID dell'attività"),
        "date": ("Data attività", "Data dell'attività"),
        "name": ("Nome attività", "Nome dell'attività"),
        "type": ("Tipo attività", "Tipo di attività"),
        "description": ("Descrizione attività", "Descrizione dell'attività"),
        "elapsed_s": ("Tempo trascorso", "Tempo totale"),
        "distance": ("Distanza",),
        "filename": ("Nome file", "Nome del file"),
        "moving_s": ("Tempo in movimento",),
        "rpe": ("Sforzo percepito",),
    },
    "pt": {
        "id": ("ID da atividade", "ID de atividade"),
        "date": ("Data da atividade", "Data de atividade"),
        "name": ("Nome da atividade", "Nome de atividade"),
        "type": ("Tipo de atividade", "Tipo da atividade"),
        "description": ("Descrição da atividade", "Descrição de atividade"),
        "elapsed_s": ("Tempo decorrido",),
        "distance": ("Distância",),
        "filename": ("Nome do arquivo", "Nome do ficheiro"),
        "moving_s": ("Tempo em movimento",),
        "rpe": ("Esforço percebido",),
    },
}
"""Column names per language (ISO 639-1), per runback key; see the module docstring."""

DECIMAL_COMMA = frozenset({"de", "nl", "fr", "es", "it", "pt"})
"""Languages whose exports write decimals with a comma (``"9,44"``)."""

# Strava's fixed first columns (every export since the oldest 87-column one)
_BY_POSITION = {"id": 0, "date": 1, "name": 2, "type": 3, "description": 4, "elapsed_s": 5, "distance": 6, "filename": 12}
# and further ones where the export has them (elapsed time again, moving time, distance in metres)
_BY_POSITION_LONG = {"elapsed_s_2": 15, "moving_s": 16, "distance_2": 17}

_MONTH_WORDS: dict[int, tuple[str, ...]] = {
    1: ("jan", "janv", "januar", "janner", "january", "janvier", "januari", "ene", "enero", "gen", "gennaio", "janeiro"),
    2: ("feb", "febr", "fev", "fevr", "february", "februar", "fevrier", "februari", "febrero", "febbraio", "fevereiro"),
    3: ("mar", "marz", "mrt", "mars", "march", "maart", "marzo", "marco"),
    4: ("apr", "avr", "abr", "april", "avril", "abril", "aprile"),
    5: ("may", "mai", "mei", "mag", "maggio", "mayo", "maio"),
    6: ("jun", "juin", "june", "juni", "junio", "giu", "giugno", "junho"),
    7: ("jul", "juil", "july", "juli", "juillet", "julio", "lug", "luglio", "julho"),
    8: ("aug", "aout", "ago", "august", "augustus", "agosto"),
    9: ("sep", "sept", "set", "september", "septembre", "septiembre", "settembre", "setembro"),
    10: ("oct", "okt", "ott", "out", "october", "oktober", "octobre", "octubre", "ottobre", "outubro"),
    11: ("nov", "november", "novembre", "noviembre", "novembro"),
    12: ("dec", "dez", "dic", "december", "dezember", "decembre", "diciembre", "dicembre", "dezembro"),
}
MONTHS: Mapping[str, int] = {word: month for month, words in _MONTH_WORDS.items() for word in words}
"""Month names and abbreviations (accents removed, lower case) in the export languages -> month number."""

_FILE_VALUE = re.compile(
    r"^activities/[^/]+(" + "|".join(re.escape(e) for e in supported_extensions()) + r")(\.gz)?$", re.IGNORECASE
)


def _plain(text: str) -> str:
    """``"Aktivitäts-ID"`` -> ``"aktivitatsid"``: no case, accents, spaces or punctuation."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isalnum()).casefold()


_HEADER_KEYS: dict[str, list[tuple[str, str]]] = {}
for _lang, _names in HEADER_NAMES.items():
    for _key, _variants in _names.items():
        for _variant in _variants:
            _HEADER_KEYS.setdefault(_plain(_variant), []).append((_lang, _key))


@dataclass(frozen=True)
class StravaActivities:
    """What one ``activities.csv`` holds.

    Attributes
    ----------
    by_file
        The activity file (``activities/123.gpx.gz``, relative to the CSV's
        folder) -> ``{"name", "type", "rpe"}`` (any may be ``None``).
    manual
        Activities typed in by hand (rows without a file), as a
        :data:`runback.schema.ACTIVITIES` frame: ``format = "manual"``, no samples.
    language
        The header's language (``"en"``, ``"de"`` ...), ``"layout"`` when the
        columns were found by Strava's layout, ``None`` when not found at all.
    warnings
        One line per problem, each naming the file.
    """

    by_file: dict[str, dict[str, Any]] = field(default_factory=dict)
    manual: pl.DataFrame = field(default_factory=lambda: schema.empty(schema.ACTIVITIES))
    language: str | None = None
    warnings: tuple[str, ...] = ()


def parse_strava_number(text: str | None, *, decimal_comma: bool | None = None) -> float | None:
    """A number as Strava writes it: ``"9.44"``, ``"9,44"``, ``"1.234,5"``, ``"1,234.5"``, ``"3251"``.

    With both separators the later one is the decimal mark.  A lone comma is
    a decimal comma when ``decimal_comma`` is true, a thousands separator when
    it is false (English), and decided by its digits when ``None`` (``"9,44"``
    is 9.44, ``"1,234"`` is 1234).  ``None`` for an empty or unreadable cell.
    """
    if text is None:
        return None
    t = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("'", "")
    if not t:
        return None
    if "," in t and "." in t:
        if t.rfind(",") > t.rfind("."):
            t = t.replace(".", "").replace(",", ".")
        else:
            t = t.replace(",", "")
    elif "," in t:
        thousands = re.fullmatch(r"-?\d{1,3}(,\d{3})+", t) is not None
        if decimal_comma is False or (decimal_comma is None and thousands):
            t = t.replace(",", "")
        else:
            t = t.replace(",", ".")
    try:
        value = float(t)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _duration_s(text: str | None, *, decimal_comma: bool | None) -> float | None:
    """Seconds (``"3251"``, ``"3251,0"``) or ``h:mm:ss``."""
    if text and ":" in text:
        parts = text.strip().split(":")
        if all(p.strip().isdigit() for p in parts) and len(parts) in (2, 3):
            seconds = 0.0
            for p in parts:
                seconds = seconds * 60 + int(p)
            return seconds
        return None
    return parse_strava_number(text, decimal_comma=decimal_comma)


def parse_strava_date(text: str | None, *, day_first: bool = True) -> datetime | None:
    """A date and time as Strava writes it, in any export language, as UTC.

    ``"Dec 9, 2022, 3:24:49 PM"`` (English), ``"09.12.2022, 15:24:49"``
    (German), ``"9 dec. 2022 15:24:49"`` (Dutch), ``"9 déc. 2022, 15:24:49"``
    (French), ``"9 de dez. de 2022 15:24:49"`` (Portuguese), ISO
    ``"2022-12-09 15:24:49"`` ...; month names are read through
    :data:`MONTHS`.  A numeric date with slashes is day first unless
    ``day_first`` is false (English: month first).  Strava's export gives
    these times in UTC.  ``None`` when the text is not such a date.
    """
    if not text or not text.strip():
        return None
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in plain if not unicodedata.combining(c)).casefold()
    tokens = re.findall(r"\d+|[^\W\d_]+", plain)
    words = [t for t in tokens if not t.isdigit()]
    numbers = [t for t in tokens if t.isdigit()]
    month = next((MONTHS[w] for w in words if w in MONTHS), None)
    joined = "".join(words)
    pm = "pm" in words or joined.endswith("pm")
    am = "am" in words or joined.endswith("am")
    try:
        if month is not None:
            year_at = next(i for i, n in enumerate(numbers) if len(n) == 4)
            year = int(numbers[year_at])
            rest = numbers[:year_at] + numbers[year_at + 1 :]
            day, clock = int(rest[0]), rest[1:]
        elif len(numbers) >= 3:
            a, b, c = numbers[:3]
            clock = numbers[3:]
            if len(a) == 4:
                year, month, day = int(a), int(b), int(c)
            else:
                slash = "/" in text
                first, second = (int(b), int(a)) if (day_first or not slash) else (int(a), int(b))
                month, day = first, second
                year = int(c) + (2000 if len(c) == 2 else 0)
        else:
            return None
        hour, minute, second_s = (int(x) for x in (clock + ["0", "0", "0"])[:3])
        if pm and hour < 12:
            hour += 12
        elif am and hour == 12:
            hour = 0
        return datetime(year, month, day, hour, minute, second_s, tzinfo=UTC)
    except (StopIteration, IndexError, ValueError):
        return None


def _columns(header: Sequence[str], rows: Sequence[Sequence[str]]) -> tuple[dict[str, int], str | None]:
    """Where each runback key is: by the header's names, else by Strava's layout."""
    votes: dict[str, int] = {}
    by_name: dict[str, list[int]] = {}
    for i, title in enumerate(header):
        for lang, key in _HEADER_KEYS.get(_plain(title), []):
            votes[lang] = votes.get(lang, 0) + 1
            if i not in by_name.setdefault(key, []):
                by_name[key].append(i)
    if votes:
        language = max(votes, key=lambda lang: (votes[lang], lang == "en"))
        cols = {key: where[0] for key, where in by_name.items()}
        for key in ("elapsed_s", "distance"):
            if len(by_name.get(key, [])) > 1:  # Strava repeats these: the second is the precise one
                cols[key + "_2"] = by_name[key][1]
        if "filename" in cols or "name" in cols:
            return cols, language
    # Strava's layout: the thirteen first columns, the file in the thirteenth
    def file_column(i: int) -> bool:
        values = [r[i].strip() for r in rows if i < len(r) and r[i].strip()]
        return bool(values) and all(_FILE_VALUE.match(v) for v in values)

    ids_numeric = all(r[0].strip().isdigit() for r in rows if r and r[0].strip())
    if len(header) > _BY_POSITION["filename"] and ids_numeric and (not rows or file_column(_BY_POSITION["filename"])):
        cols = dict(_BY_POSITION)
        if len(header) > max(_BY_POSITION_LONG.values()):
            cols.update(_BY_POSITION_LONG)
        return cols, "layout"
    return {}, None


def _manual_id(row: Mapping[str, Any]) -> str:
    """A stable id for a typed-in activity: the same row always gives the same id."""
    text = "|".join(str(row.get(k)) for k in ("strava_id", "start_time_utc", "type", "distance_m", "elapsed_s"))
    return content_id(("strava manual activity|" + text).encode("utf-8"))


def read_strava_activities(data: bytes, label: str, *, athlete: str = DEFAULT_ATHLETE) -> StravaActivities:
    """Read a Strava export's ``activities.csv`` (any language Strava writes).

    Parameters
    ----------
    data
        The file's bytes (UTF-8, with or without a byte-order mark).
    label
        The file as the runner would name it (``export.zip!activities.csv``),
        for warnings and for the manual activities' ``source``.
    athlete
        Goes into the manual activities' ``athlete``.

    Returns
    -------
    StravaActivities
        Never raises for bad content: a malformed file gives empty results and
        a warning naming it.
    """
    text = data.decode("utf-8-sig", errors="replace")
    try:
        all_rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        return StravaActivities(
            warnings=(f"{label}: not read ({exc}); names, types and perceived exertion not joined, "
                      "activities typed in by hand not imported",)
        )  # fmt: skip
    if not all_rows or not any(c.strip() for c in all_rows[0]):
        return StravaActivities()
    header, rows = all_rows[0], [r for r in all_rows[1:] if any(c.strip() for c in r)]
    ragged = next((n for n, r in enumerate(rows, start=2) if len(r) != len(header)), None)
    if ragged is None and text.count('"') % 2:
        ragged = len(rows) + 1  # quotes come in pairs ("" inside a field): an odd count swallowed the rest
    if ragged is not None and len(header) > 1:
        # Strava writes every row with every column: a row that is not is an unbalanced quote
        return StravaActivities(
            warnings=(f"{label}: malformed (row {ragged} has a different number of fields than the header: "
                      "an unbalanced quote?); names, types and perceived exertion not joined, "
                      "activities typed in by hand not imported",)
        )  # fmt: skip
    cols, language = _columns(header, rows)
    if language is None:
        return StravaActivities(
            warnings=(f"{label}: not a layout runback knows; the activity files are imported without "
                      "the names, types and perceived exertion it lists",)
        )  # fmt: skip
    warnings: list[str] = []
    if language == "layout":
        warnings.append(
            f"{label}: column names in a language runback does not know; names and types joined by "
            "Strava's column order, perceived exertion not joined"
        )
    # English (and an unknown language) writes points; a lone comma there is told by its digits
    decimal_comma: bool | None = True if language in DECIMAL_COMMA else None

    def cell(row: Sequence[str], key: str) -> str | None:
        i = cols.get(key)
        value = row[i].strip() if i is not None and i < len(row) else ""
        return value or None

    by_file: dict[str, dict[str, Any]] = {}
    manual: list[dict[str, Any]] = []
    for line, row in enumerate(rows, start=2):
        rpe = parse_strava_number(cell(row, "rpe"), decimal_comma=decimal_comma)
        rpe = rpe if rpe is not None and 0 <= rpe <= 10 else None
        filename = cell(row, "filename")
        if filename:
            by_file[PurePosixPath(filename).as_posix()] = {"name": cell(row, "name"), "type": cell(row, "type"), "rpe": rpe}
            continue
        start = parse_strava_date(cell(row, "date"), day_first=language != "en")
        if start is None:
            warnings.append(f"{label}:{line}: an activity without a file and without a date runback can read "
                            f"({cell(row, 'date')!r}): not imported")  # fmt: skip
            continue
        elapsed = _duration_s(cell(row, "elapsed_s_2") or cell(row, "elapsed_s"), decimal_comma=decimal_comma)
        moving = _duration_s(cell(row, "moving_s"), decimal_comma=decimal_comma)
        metres = parse_strava_number(cell(row, "distance_2"), decimal_comma=decimal_comma)
        if metres is None:
            km = parse_strava_number(cell(row, "distance"), decimal_comma=decimal_comma)
            metres = km * 1000 if km is not None else None  # the first Distance column is in km
        sport, sub_sport = sport_name(cell(row, "type"))
        moving = moving if moving is not None else elapsed
        entry = {
            "strava_id": cell(row, "id"),
            "athlete": athlete,
            "source": f"{label}#{cell(row, 'id') or line}",
            "format": MANUAL_FORMAT,
            "sport": sport,
            "sub_sport": sub_sport,
            "name": cell(row, "name"),
            "start_time_utc": start,
            "start_time_local": start.replace(tzinfo=None),
            "utc_offset_s": 0,
            "utc_offset_source": "assumed_utc",
            "elapsed_s": elapsed,
            "moving_s": moving,
            "distance_m": metres,
            "avg_speed_mps": metres / moving if metres is not None and moving else None,
            "n_samples": 0,
            "rpe": rpe,
            "rpe_source": "strava" if rpe is not None else None,
            "partial": False,
            "type": cell(row, "type"),
        }
        entry["activity_id"] = _manual_id(entry)
        manual.append(entry)
    frame = (
        schema.conform(pl.DataFrame(manual, infer_schema_length=None).drop("strava_id", "type"), schema.ACTIVITIES)
        if manual
        else schema.empty(schema.ACTIVITIES)
    )
    return StravaActivities(by_file=by_file, manual=frame, language=language, warnings=tuple(warnings))
