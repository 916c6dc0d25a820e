"""The public API is a promise: sorted, importable, typed."""

from __future__ import annotations

import polars as pl
import pytest

import runback
from runback import schema


def test_all_is_sorted_and_unique() -> None:
    assert runback.__all__ == sorted(set(runback.__all__))


def test_every_exported_name_exists() -> None:
    missing = [name for name in runback.__all__ if not hasattr(runback, name)]
    assert missing == []


def test_package_is_typed() -> None:
    from importlib.resources import files

    assert files("runback").joinpath("py.typed").is_file()


@pytest.mark.parametrize(
    "dtypes,docs",
    [
        (schema.ACTIVITIES, schema.ACTIVITIES_DOC),
        (schema.SAMPLES, schema.SAMPLES_DOC),
        (schema.LAPS, schema.LAPS_DOC),
        (schema.FLAGS, schema.FLAGS_DOC),
        (schema.JOURNAL, schema.JOURNAL_DOC),
    ],
)
def test_every_column_is_documented(dtypes: dict, docs: dict) -> None:
    assert list(dtypes) == list(docs)


def test_conform_orders_casts_and_fills() -> None:
    df = pl.DataFrame({"distance_m": [1, 2], "activity_id": ["a", "b"]})
    out = schema.conform(df, schema.SAMPLES)
    assert out.columns == list(schema.SAMPLES)
    assert out.schema["distance_m"] == pl.Float64
    assert out["heart_rate_bpm"].null_count() == 2


def test_conform_rejects_unknown_columns() -> None:
    with pytest.raises(ValueError, match="heartrate"):
        schema.conform(pl.DataFrame({"heartrate": [1]}), schema.SAMPLES)


def test_file_error_names_file_line_and_offset() -> None:
    err = runback.UnreadableFileError("runs/a.fit", "bad CRC", offset=771)
    assert str(err) == "runs/a.fit (byte 771): bad CRC"
    err = runback.UnreadableFileError("a.gpx", "not well-formed", line=4)
    assert str(err) == "a.gpx:4: not well-formed"


def test_schema_command_lists_every_documented_frame() -> None:
    from clirun import invoke

    result = invoke("schema")
    assert result.exit_code == 0, result.output
    frames = [name[: -len("_DOC")].lower() for name in dir(schema) if name.endswith("_DOC")]
    for frame in frames:
        assert f"{frame}:" in result.output
    # every column of every frame is printed with its description
    assert "run_distance_change" in result.output and "ci_high" in result.output


@pytest.mark.parametrize(
    "err",
    [
        runback.UnreadableFileError("a.fit", "bad CRC", offset=771),
        runback.NotAnActivityError("s.fit", "settings file"),
        runback.JournalError("j.csv", [runback.errors.RowProblem(3, "pain 11 is not 0-10")]),
    ],
)
def test_errors_survive_pickling(err: Exception) -> None:
    # import workers send errors back to the parent process
    import pickle

    back = pickle.loads(pickle.dumps(err))
    assert type(back) is type(err) and str(back) == str(err)


def test_import_runback_is_light() -> None:
    """`import runback` loads no polars, numpy or plotly; the names load on first use (PEP 562)."""
    import subprocess
    import sys

    code = (
        "import sys, runback; heavy = ('polars', 'numpy', 'plotly');"
        "print(sorted(m for m in heavy if m in sys.modules));"
        "runback.flags; print('polars' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["[]", "True"]


def test_sample_data_is_found() -> None:
    folder = runback.sample_data_dir()
    assert (folder / "anna" / "pain_journal.csv").is_file() and (folder / "bram" / "strava_export.zip").is_file()
