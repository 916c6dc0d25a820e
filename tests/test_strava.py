"""Strava's activities.csv in the languages Strava writes, typed-in activities, and broken files (issue 12).

Every export here is written by the test: header lines as Strava writes them
(its fixed first thirteen columns, the repeated elapsed time and distance, the
perceived exertion further on), locale dates and decimals, one row with a GPX
file and one typed in by hand.
"""

from __future__ import annotations

import datetime as dt
import gzip
import zipfile
from pathlib import Path

import polars as pl
import pytest

from runback.io import read_report
from runback.io.readers import DUPLICATE_PRIORITY, FORMAT_PRIORITY, MANUAL_FORMAT, READERS
from runback.io.strava import parse_strava_date, parse_strava_number, read_strava_activities

GPX_NS = 'xmlns="http://www.topografix.com/GPX/1/1" version="1.1" creator="test"'
RUN_START = dt.datetime(2022, 12, 9, 15, 24, 49, tzinfo=dt.UTC)
MANUAL_START = dt.datetime(2022, 12, 10, 7, 5, tzinfo=dt.UTC)


def gpx_run(start: dt.datetime = RUN_START, *, n: int = 120, step_s: int = 10) -> bytes:
    """A straight 3 m/s run north, ``n`` points ``step_s`` apart."""
    deg_per_m = 1 / 111_195.0
    points = "".join(
        f'<trkpt lat="{52.0 + i * step_s * 3.0 * deg_per_m}" lon="5.0">'
        f"<time>{(start + dt.timedelta(seconds=i * step_s)).isoformat().replace('+00:00', 'Z')}</time></trkpt>"
        for i in range(n)
    )
    return f"<gpx {GPX_NS}><trk><type>running</type><trkseg>{points}</trkseg></trk></gpx>".encode()


# language: (header line, file row date, manual row date, run type, decimal separator)
LANGUAGES = {
    "en": (
        "Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,Distance,"
        "Max Heart Rate,Relative Effort,Commute,Activity Private Note,Activity Gear,Filename,Athlete Weight,"
        "Bike Weight,Elapsed Time,Moving Time,Distance,Max Speed,Average Speed,Perceived Exertion",
        "Dec 9, 2022, 3:24:49 PM", "Dec 10, 2022, 7:05:00 AM", "Run", ".",
    ),
    "de": (
        "Aktivitäts-ID,Aktivitätsdatum,Name der Aktivität,Aktivitätsart,Aktivitätsbeschreibung,Verstrichene Zeit,"
        "Distanz,Maximale Herzfrequenz,Relative Leistung,Pendeln,Private Notiz zur Aktivität,Aktivitätsausrüstung,"
        "Dateiname,Sportlergewicht,Fahrradgewicht,Verstrichene Zeit,Bewegungszeit,Distanz,Max. Geschwindigkeit,"
        "Durchschnittsgeschwindigkeit,Gefühlte Anstrengung",
        "09.12.2022, 15:24:49", "10.12.2022, 07:05:00", "Lauf", ",",
    ),
    "nl": (
        "Activiteits-ID,Datum van activiteit,Naam activiteit,Activiteitstype,Beschrijving van activiteit,"
        "Verstreken tijd,Afstand,Max. hartslag,Relatieve inspanning,Woon-werkverkeer,Privénotitie van activiteit,"
        "Uitrusting voor activiteit,Bestandsnaam,Gewicht atleet,Gewicht fiets,Verstreken tijd,Beweegtijd,Afstand,"
        "Max. snelheid,Gemiddelde snelheid,Waargenomen inspanning",
        "9 dec. 2022 15:24:49", "10 dec. 2022 07:05:00", "Hardlopen", ",",
    ),
    "fr": (
        "ID de l'activité,Date de l'activité,Nom de l'activité,Type d'activité,Description de l'activité,"
        "Temps écoulé,Distance,Fréquence cardiaque max.,Effort relatif,Trajet domicile-travail,"
        "Note privée sur l'activité,Équipement de l'activité,Nom du fichier,Poids de l'athlète,Poids du vélo,"
        "Temps écoulé,Temps de déplacement,Distance,Vitesse max.,Vitesse moyenne,Effort perçu",
        "9 déc. 2022, 15:24:49", "10 déc. 2022, 07:05:00", "Course à pied", ",",
    ),
    "es": (
        "ID de actividad,Fecha de la actividad,Nombre de la actividad,Tipo de actividad,Descripción de la actividad,"
        "Tiempo transcurrido,Distancia,Frecuencia cardiaca máxima,Esfuerzo relativo,Desplazamiento,"
        "Nota privada de la actividad,Equipo de la actividad,Nombre del archivo,Peso del deportista,"
        "Peso de la bicicleta,Tiempo transcurrido,Tiempo en movimiento,Distancia,Velocidad máxima,Velocidad media,"
        "Esfuerzo percibido",
        "9 dic 2022, 15:24:49", "10 dic 2022, 7:05:00", "Carrera", ",",
    ),
    "it": (
        "ID attività,Data attività,Nome attività,Tipo attività,Descrizione attività,Tempo trascorso,Distanza,"
        "Frequenza cardiaca massima,Sforzo relativo,Spostamento casa-lavoro,Nota privata attività,"
        "Attrezzatura attività,Nome file,Peso atleta,Peso bici,Tempo trascorso,Tempo in movimento,Distanza,"
        "Velocità massima,Velocità media,Sforzo percepito",
        "9 dic 2022, 15:24:49", "10 dic 2022, 07:05:00", "Corsa", ",",
    ),
    "pt": (
        "ID da atividade,Data da atividade,Nome da atividade,Tipo de atividade,Descrição da atividade,"
        "Tempo decorrido,Distância,Frequência cardíaca máxima,Esforço relativo,Trajeto,Nota privada da atividade,"
        "Equipamento da atividade,Nome do arquivo,Peso do atleta,Peso da bicicleta,Tempo decorrido,"
        "Tempo em movimento,Distância,Velocidade máxima,Velocidade média,Esforço percebido",
        "9 de dez. de 2022 15:24:49", "10 de dez. de 2022 07:05:00", "Corrida", ",",
    ),
}  # fmt: skip


def activities_csv(lang: str) -> str:
    header, run_date, manual_date, run_type, dec = LANGUAGES[lang]

    def num(text: str) -> str:
        return '"' + text.replace(".", dec) + '"'

    # a 1190 s GPX run with its file, and a treadmill run typed in: 8.5 km, 45:10 moving, 46:40 elapsed, RPE 6
    run = ["1001", f'"{run_date}"', "Avondloop", run_type, "", "1190", num("3.57"), "160", "40", "false", "", "",
           "activities/1001.gpx.gz", "", "", num("1190.0"), num("1180.0"), num("3570.2"), num("3.2"), num("3.0"), "7"]
    manual = ["1002", f'"{manual_date}"', "Loopband", run_type, '"Typed in, by hand"', "2800", num("8.5"), "", "",
              "false", "", "", "", "", "", num("2800.0"), num("2710.0"), num("8500.0"), "", num("3.1"), "6"]
    return "\n".join([header, ",".join(run), ",".join(manual)]) + "\n"


def strava_zip(path: Path, csv_text: str | bytes, *, extra: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("activities.csv", csv_text)
        zf.writestr("activities/1001.gpx.gz", gzip.compress(gpx_run()))
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return path


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_every_language_joins_names_and_rpe_and_imports_the_typed_in_run(lang: str, tmp_path: Path) -> None:
    path = strava_zip(tmp_path / f"export_{lang}.zip", activities_csv(lang))
    frames, summary = read_report(path)
    assert summary.failed == [] and summary.warnings == []
    acts = frames.activities.sort("start_time_utc")
    assert acts["format"].to_list() == ["gpx", "manual"]
    run, manual = acts.rows(named=True)
    assert (run["name"], run["sport"], run["rpe"], run["rpe_source"]) == ("Avondloop", "running", 7.0, "strava")
    assert run["start_time_utc"] == RUN_START
    assert manual["name"] == "Loopband"
    assert manual["sport"] == "running"
    assert manual["start_time_utc"] == MANUAL_START
    assert (manual["distance_m"], manual["moving_s"], manual["elapsed_s"]) == (8500.0, 2710.0, 2800.0)
    assert (manual["rpe"], manual["rpe_source"], manual["n_samples"]) == (6.0, "strava", 0)
    assert manual["source"] == f"{path}!activities.csv#1002"
    assert summary.manual_activity_ids == [manual["activity_id"]]
    assert frames.samples.filter(pl.col("activity_id") == manual["activity_id"]).is_empty()
    assert "typed in by hand (no file): 1 activity" in summary.lines()


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_each_header_is_recognised_as_its_language(lang: str) -> None:
    assert read_strava_activities(activities_csv(lang).encode(), "a.csv").language == lang


def test_the_german_header_from_the_issue_with_only_a_few_columns() -> None:
    text = (
        "Aktivitäts-ID,Aktivitätsdatum,Name der Aktivität,Aktivitätsart,Distanz,Dateiname,Gefühlte Anstrengung\n"
        '7,"09.12.2022, 15:24:49",Morgenlauf,Lauf,"9,44",activities/7.fit.gz,5\n'
        '8,"10.12.2022, 06:00:00",Laufband,Lauf,"9,44",,\n'
    ).encode()
    out = read_strava_activities(text, "activities.csv")
    assert out.by_file == {"activities/7.fit.gz": {"name": "Morgenlauf", "type": "Lauf", "rpe": 5.0}}
    assert out.manual["distance_m"].to_list() == [9440.0]  # the one distance column is in km


def test_an_unknown_language_is_read_by_strava_s_column_order(tmp_path: Path) -> None:
    # Polish-looking names runback has no table for: the first thirteen columns are where Strava keeps them
    header = ",".join(f"Kolumna {i}" for i in range(21))
    row = ["1001", '"2022-12-09 15:24:49"', "Bieg wieczorny", "Run", "", "1190", "3.57"] + [""] * 5
    row += ["activities/1001.gpx.gz"] + [""] * 8
    manual = ["1002", '"2022-12-10 07:05:00"', "Bieżnia", "Run", "", "2800", "8.5"] + [""] * 14
    path = strava_zip(tmp_path / "export_pl.zip", "\n".join([header, ",".join(row), ",".join(manual)]) + "\n")
    frames, summary = read_report(path)
    acts = frames.activities.sort("start_time_utc")
    assert acts["name"].to_list() == ["Bieg wieczorny", "Bieżnia"]
    assert acts["rpe"].to_list() == [None, None]
    assert acts.filter(format="manual")["distance_m"].to_list() == [8500.0]
    (warning,) = summary.warnings
    assert "activities.csv" in warning and "perceived exertion not joined" in warning


def test_a_layout_runback_does_not_know_imports_the_files_and_warns(tmp_path: Path) -> None:
    path = strava_zip(tmp_path / "odd.zip", "when,what,file\n2022-12-09,run,activities/1001.gpx.gz\n")
    frames, summary = read_report(path)
    assert summary.failed == [] and frames.activities["format"].to_list() == ["gpx"]
    assert frames.activities["name"].to_list() != ["run"]
    (warning,) = summary.warnings
    assert f"{path}!activities.csv" in warning and "names, types and perceived exertion" in warning


@pytest.mark.parametrize(
    "why,csv_text",
    [
        ("a field over 128 KB", activities_csv("en").replace('"Typed in, by hand"', '"' + "x" * 140_000 + '"')),
        ("an unbalanced quote", activities_csv("en").replace('"Typed in, by hand"', '"Typed in, by hand')),
        ("an unbalanced quote in the last row", activities_csv("en").rstrip("\n") + ',"\n'),
    ],
)
def test_a_malformed_csv_drops_the_metadata_with_a_warning_and_the_files_still_import(
    why: str, csv_text: str, tmp_path: Path
) -> None:
    path = strava_zip(tmp_path / "broken.zip", csv_text)
    frames, summary = read_report(path)
    assert summary.failed == [], why
    assert frames.activities["format"].to_list() == ["gpx"]  # no names joined, no manual entry
    assert frames.activities["name"].to_list() != ["Avondloop"]
    (warning,) = summary.warnings
    assert warning.startswith(f"{path}!activities.csv: ") and "not joined" in warning


def test_a_malformed_csv_in_a_folder_warns_too(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    (folder / "activities").mkdir(parents=True)
    (folder / "activities.csv").write_text(activities_csv("de").replace('"Typed in, by hand"', '"oops'))
    (folder / "activities" / "1001.gpx.gz").write_bytes(gzip.compress(gpx_run()))
    frames, summary = read_report(folder)
    assert summary.failed == [] and frames.activities.height == 1
    assert summary.warnings[0].startswith(f"{folder / 'activities.csv'}: malformed")


def test_a_typed_in_copy_of_a_recorded_run_is_dropped_for_the_file(tmp_path: Path) -> None:
    text = activities_csv("nl").replace("10 dec. 2022 07:05:00", "9 dec. 2022 15:25:00")
    frames, summary = read_report(strava_zip(tmp_path / "export.zip", text))
    assert frames.activities["format"].to_list() == ["gpx"]
    (decision,) = summary.duplicate_decisions
    assert decision.why_kept == "a recorded file wins over an activity typed in by hand"
    assert summary.manual_activity_ids == []


def test_a_stored_typed_in_run_is_superseded_by_a_later_file(tmp_path: Path) -> None:
    from runback.store import open_store

    only_csv = tmp_path / "csv"
    only_csv.mkdir()
    (only_csv / "activities.csv").write_text(activities_csv("en").replace("Dec 10, 2022, 7:05:00 AM", "Dec 9, 2022, 3:25:00 PM"))
    store = open_store(tmp_path / "store")
    first = store.import_paths(only_csv, athlete="x")
    (manual_id,) = first.manual_activity_ids
    (tmp_path / "run.gpx").write_bytes(gpx_run())
    frames, summary = read_report(tmp_path / "run.gpx")
    run_id = frames.activities["activity_id"].item()
    second = store.import_paths(tmp_path / "run.gpx", athlete="x")
    assert second.activity_ids == [run_id]  # the file is stored, not dropped as a copy of the typed-in run
    assert second.superseded == [(manual_id, run_id)]
    assert "a recorded file wins over an activity typed in by hand" in "\n".join(second.lines())
    # the store counts the file only: the typed-in copy is merged into it (a correction the runner can undo)
    assert store.activities("x")["activity_id"].to_list() == [run_id]
    (merge,) = store.corrections("x").rows(named=True)
    assert (merge["activity_id"], merge["action"], merge["kept_activity_id"]) == (manual_id, "merge", run_id)


def test_importing_the_typed_in_runs_twice_stores_them_once(tmp_path: Path) -> None:
    from runback.store import open_store

    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "activities.csv").write_text(activities_csv("fr"))
    store = open_store(tmp_path / "store")
    assert len(store.import_paths(folder, athlete="x").manual_activity_ids) == 1
    assert store.import_paths(folder, athlete="x").manual_activity_ids == []
    assert store.activities().filter(format="manual").height == 1


def test_an_activities_csv_named_on_its_own_gives_its_typed_in_runs(tmp_path: Path) -> None:
    (tmp_path / "activities.csv").write_text(activities_csv("it"))
    frames, summary = read_report(tmp_path / "activities.csv")
    assert summary.failed == []
    assert frames.activities.select("format", "name").rows() == [("manual", "Loopband")]


def test_manual_is_the_lowest_duplicate_priority_and_no_reader() -> None:
    assert MANUAL_FORMAT not in FORMAT_PRIORITY and MANUAL_FORMAT not in {r.format for r in READERS}
    assert DUPLICATE_PRIORITY[MANUAL_FORMAT] > max(FORMAT_PRIORITY.values())


@pytest.mark.parametrize(
    "text,day_first,expected",
    [
        ("Dec 9, 2022, 3:24:49 PM", False, dt.datetime(2022, 12, 9, 15, 24, 49)),
        ("Dec 9, 2022, 12:10:00 AM", False, dt.datetime(2022, 12, 9, 0, 10)),
        ("09.12.2022, 15:24:49", True, dt.datetime(2022, 12, 9, 15, 24, 49)),
        ("9 mrt. 2023 06:00:00", True, dt.datetime(2023, 3, 9, 6)),
        ("1 févr. 2023, 06:00:00", True, dt.datetime(2023, 2, 1, 6)),
        ("3 août 2023 18:30:00", True, dt.datetime(2023, 8, 3, 18, 30)),
        ("9 de mai. de 2023 06:00:00", True, dt.datetime(2023, 5, 9, 6)),
        ("12/09/2022 15:24:49", True, dt.datetime(2022, 9, 12, 15, 24, 49)),
        ("12/09/2022 3:24:49 PM", False, dt.datetime(2022, 12, 9, 15, 24, 49)),
        ("2022-12-09 15:24:49", True, dt.datetime(2022, 12, 9, 15, 24, 49)),
        ("9 dic 2022, 3:24:49 p. m.", True, dt.datetime(2022, 12, 9, 15, 24, 49)),
    ],
)
def test_locale_dates(text: str, day_first: bool, expected: dt.datetime) -> None:
    assert parse_strava_date(text, day_first=day_first) == expected.replace(tzinfo=dt.UTC)


@pytest.mark.parametrize("text", ["", "yesterday", "99.99.2022"])
def test_what_is_no_date(text: str) -> None:
    assert parse_strava_date(text) is None


@pytest.mark.parametrize(
    "text,comma,expected",
    [("9,44", True, 9.44), ("9.44", False, 9.44), ("1.234,5", None, 1234.5), ("1,234.5", None, 1234.5),
     ("1,234", False, 1234.0), ("9,44", None, 9.44), ("3251", True, 3251.0), ("", True, None), ("n/a", None, None)],
)  # fmt: skip
def test_locale_numbers(text: str, comma: bool | None, expected: float | None) -> None:
    assert parse_strava_number(text, decimal_comma=comma) == expected
