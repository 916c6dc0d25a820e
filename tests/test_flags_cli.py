"""`runback flags`, in process, over a store filled with the real year of GPX runs."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from runback import schema
from clirun import invoke
from runback.model import flags
from runback.store import open_store


@pytest.fixture(scope="module")
def store(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("store")
    session = corpus / "corriporai-runpandas" / "examples" / "session"
    open_store(root).import_paths([session], athlete="me")
    return root


def test_flags_help() -> None:
    res = invoke(*["flags", "--help"])
    assert res.exit_code == 0, res.output
    for opt in ("--store", "--athlete", "--since", "--format", "--acwr", "--profile", "--hr-max", "--hr-rest",
                "--sex", "--threshold-pace", "--tz"):
        assert opt in res.output


def test_flags_json_matches_the_library(store: Path) -> None:
    res = invoke(*["flags", "--store", str(store), "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    assert rows and set(rows[0]) == set(schema.FLAGS)
    st = open_store(store)
    expected = flags(st.activities("me"), st.samples("me"))
    assert len(rows) == expected.height
    assert [r["rule"] for r in rows] == expected["rule"].to_list()
    assert {r["rule"] for r in rows} == {"session_spike", "weekly_jump", "intensity_jump"}


def test_flags_since_athlete_acwr_and_formats(store: Path) -> None:
    res = invoke(*["flags", "--store", str(store), "--athlete", "me", "--since", "2021-05-01",
                                   "--format", "csv", "--acwr"])
    assert res.exit_code == 0, res.output
    from io import StringIO

    df = pl.read_csv(StringIO(res.output))
    assert df.columns == list(schema.FLAGS)
    assert df["date"].min() >= "2021-05-01"
    assert "acwr" in set(df["rule"])
    table = invoke(*["flags", "--store", str(store), "--since", "2021-06-01"])
    assert table.exit_code == 0 and "session_spike" in table.output


def test_flags_profile_options_change_intensity(store: Path, tmp_path: Path) -> None:
    base = json.loads(invoke(*["flags", "--store", str(store), "--format", "json"]).output)
    # with HRmax 230 almost no running minutes are in zones 4-5, so fewer intensity flags
    res = invoke(*["flags", "--store", str(store), "--format", "json", "--hr-max", "230",
                                   "--hr-rest", "50", "--sex", "female", "--threshold-pace", "3:30", "--tz",
                                   "America/Recife"])
    assert res.exit_code == 0, res.output
    high = json.loads(res.output)
    n = lambda rows: sum(r["rule"] == "intensity_jump" for r in rows)  # noqa: E731
    assert n(high) != n(base)
    # the same values from the store's profile file give the same answer
    prof = store / "profiles" / "me.toml"
    prof.parent.mkdir(exist_ok=True)
    prof.write_text('hr_max_bpm = 230\nhr_rest_bpm = 50\nsex = "female"\nthreshold_pace = "3:30"\n'
                    'timezone = "America/Recife"\n', encoding="utf-8")
    try:
        from_file = json.loads(invoke(*["flags", "--store", str(store), "--format", "json"]).output)
        assert from_file == high
        # a --profile file elsewhere wins over the store's; an option wins over both
        other = tmp_path / "p.toml"
        other.write_text("hr_max_bpm = 196\n", encoding="utf-8")
        res = invoke(*["flags", "--store", str(store), "--format", "json", "--profile", str(other),
                                       "--hr-rest", "60"])
        assert json.loads(res.output) == base
    finally:
        prof.unlink()


@pytest.mark.parametrize(
    "args,message",
    [
        (["--since", "01-05-2021"], "bad date '01-05-2021'"),
        (["--threshold-pace", "4.30"], "bad pace"),
        (["--sex", "x"], "--sex must be male or female"),
        (["--hr-max", "90"], "hr_max_bpm = 90.0 is outside"),
        (["--tz", "Europe/Nowhere"], "unknown time zone"),
        (["--athlete", "nobody"], "no athlete 'nobody'"),
        (["--profile", "/nonexistent/p.toml"], "cannot read profile"),
    ],
)
def test_flags_bad_options_give_one_line(store: Path, args: list[str], message: str) -> None:
    res = invoke(*["flags", "--store", str(store), *args])
    assert res.exit_code == 1
    out = res.output.strip()
    assert out.startswith("Error: ") and message in out, out
    assert "Traceback" not in out and len(out.splitlines()) == 1


def test_flags_on_an_empty_store(tmp_path: Path) -> None:
    res = invoke(*["flags", "--store", str(tmp_path / "empty"), "--format", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output) == []


def test_flags_includes_the_stored_journal(tmp_path: Path) -> None:
    from runback.pain.journal import import_journal_csv

    root = tmp_path / "s"
    csv = tmp_path / "j.csv"
    csv.write_text(
        "date,time,pain,timing,location,sleep_h,sleep_quality,stress,rpe,activity_id,note\n"
        + "".join(f"{dt.date(2024, 1, 4) + dt.timedelta(days=5 * i)},08:00,5,other,low back,,,,,,\n" for i in range(9)),
        encoding="utf-8",
    )
    assert import_journal_csv(root, csv, athlete="anna") == 9
    # no runs stored, only the journal: the pain rules still speak (pain 5/10 every 5 days for 40 days)
    res = invoke(*["flags", "--store", str(root), "--format", "json"])
    assert res.exit_code == 0, res.output
    assert "pain_persistent" in {r["rule"] for r in json.loads(res.output)}


def test_flags_table_on_an_empty_store_says_so(tmp_path: Path) -> None:
    res = invoke("flags", "--store", str(tmp_path / "empty"))
    assert res.exit_code == 0 and res.stdout == ""
    assert "has no activities and no pain journal yet: import some first" in res.stderr
