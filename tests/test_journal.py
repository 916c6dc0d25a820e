"""The pain journal: validation, append-only storage, CSV import, RPE for the load model."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from pathlib import Path

import polars as pl
import pytest

from runback import schema
from runback.athletes import check_athlete
from runback.errors import FileError, JournalError, OptionError, StoreError
from runback.pain.journal import (
    CSV_COLUMNS,
    add_entry,
    apply_journal_rpe,
    import_journal_csv,
    journal_dir,
    make_entry,
    parse_journal_csv,
    read_journal,
    write_template,
)
from runback.store import open_store

SAMPLE_JOURNAL = Path(__file__).resolve().parents[1] / "sample_data" / "anna" / "pain_journal.csv"

TODAY = dt.date(2026, 3, 1)
HEADER = ",".join(CSV_COLUMNS)


def write_csv(path: Path, *rows: str, header: str = HEADER) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------- validation
def test_parse_valid_csv_fills_defaults_and_types(tmp_path: Path) -> None:
    csv = write_csv(
        tmp_path / "j.csv",
        "2026-02-01,07:30,3,next_morning,,6,2,4,,,stiff",
        '2026-02-02,,5,after,upper back,"6,5",,,7.5,abc123,"two\nlines"',
    )
    df = parse_journal_csv(csv, athlete="anna", today=TODAY)
    assert df.schema == pl.Schema(schema.JOURNAL)
    assert df["athlete"].to_list() == ["anna", "anna"]
    assert df["date"].to_list() == [dt.date(2026, 2, 1), dt.date(2026, 2, 2)]
    assert df["time"].to_list() == [dt.time(7, 30), None]
    assert df["pain"].to_list() == [3, 5]
    assert df["location"].to_list() == ["low back", "upper back"]
    assert df["sleep_h"].to_list() == [6.0, 6.5]  # decimal comma accepted
    assert df["sleep_quality"].to_list() == [2, None]
    assert df["stress"].to_list() == [4, None]
    assert df["rpe"].to_list() == [None, 7.5]
    assert df["activity_id"].to_list() == [None, "abc123"]
    assert df["note"].to_list() == ["stiff", "two\nlines"]
    assert df["entry_id"].n_unique() == 2


def test_every_bad_row_is_reported_at_once_with_line_numbers(tmp_path: Path) -> None:
    csv = write_csv(
        tmp_path / "bad.csv",
        "2026-02-01,,11,after,,,,,,,",  # line 2: pain 11
        "2026-02-02,,3,sometimes,,,,,,,",  # line 3: unknown timing
        "",  # line 4: blank, skipped
        "2026-03-02,,3,after,,,,,,,",  # line 5: future (today is 2026-03-01)
        "2026-02-03,,bad,after,,,,,,,",  # line 6: a word where a number belongs
        "2026-02-04,,,after,,,,,,,",  # line 7: missing pain
        "04-02-2026,,2,after,,,,,,,",  # line 8: bad date format
        "2026-02-05,,2,after,,lots,0,6,12,,",  # line 9: four bad values in one row
        "2026-02-06,,2,after,,,,,,,",  # line 10: fine
    )
    with pytest.raises(JournalError) as info:
        parse_journal_csv(csv, today=TODAY)
    problems = {p.line: p.reason for p in info.value.problems}
    assert sorted(problems) == [2, 3, 5, 6, 7, 8, 9]
    assert "pain must be a whole number 0-10, got 11" in problems[2]
    assert "timing must be one of" in problems[3] and "'sometimes'" in problems[3]
    assert "in the future" in problems[5]
    assert "pain must be a number, got 'bad'" in problems[6]
    assert "pain is missing" in problems[7]
    assert "date must be YYYY-MM-DD" in problems[8]
    for word in ("sleep_h", "sleep_quality", "stress", "rpe"):
        assert word in problems[9]
    message = str(info.value)
    assert "7 bad row(s), nothing imported" in message
    assert f"{csv}:line 6:" in message


def test_unknown_and_missing_columns_are_reported(tmp_path: Path) -> None:
    csv = write_csv(tmp_path / "cols.csv", "2026-02-01,3,after", header="date,pijn,timing")
    with pytest.raises(JournalError) as info:
        parse_journal_csv(csv, today=TODAY)
    reasons = " | ".join(p.reason for p in info.value.problems)
    assert "unknown column(s) 'pijn'" in reasons
    assert "missing required column(s): pain" in reasons
    assert {p.line for p in info.value.problems} == {1}


def test_minimal_columns_in_any_order(tmp_path: Path) -> None:
    csv = write_csv(tmp_path / "min.csv", "After,2,2026-02-01", "next morning,1,2026-02-02", header="timing,pain,date")
    df = parse_journal_csv(csv, today=TODAY)
    assert df["timing"].to_list() == ["after", "next_morning"]
    assert df["pain"].to_list() == [2, 1]


def test_wrong_number_of_values_and_empty_file(tmp_path: Path) -> None:
    csv = write_csv(tmp_path / "short.csv", "2026-02-01,,3", header=HEADER)
    with pytest.raises(JournalError, match="line 2: 3 values, but the header has 11 columns"):
        parse_journal_csv(csv, today=TODAY)
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(JournalError, match="empty file"):
        parse_journal_csv(empty, today=TODAY)


def test_missing_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(FileError, match="cannot read file"):
        parse_journal_csv(tmp_path / "nope.csv")
    latin = tmp_path / "latin.csv"
    latin.write_bytes((HEADER + "\n2026-02-01,,3,after,,,,,,,pijn in de r\xfcg\n").encode("latin-1"))
    with pytest.raises(FileError, match="not UTF-8") as info:
        parse_journal_csv(latin, today=TODAY)
    # the byte offset is said once, and the runner learns how to fix the file
    assert str(info.value).count("byte") == 1 and "CSV UTF-8" in str(info.value)


def test_excel_bom_is_accepted(tmp_path: Path) -> None:
    csv = tmp_path / "bom.csv"
    csv.write_bytes(("\ufeff" + HEADER + "\n2026-02-01,,3,after,,,,,,,\n").encode("utf-8"))
    assert parse_journal_csv(csv, today=TODAY)["pain"].to_list() == [3]


# ---------------------------------------------------------------- the store
def test_import_twice_adds_nothing_and_never_touches_the_csv(tmp_path: Path) -> None:
    csv = write_csv(
        tmp_path / "j.csv",
        "2026-02-01,07:30,3,next_morning,,6,2,4,,,",
        "2026-02-02,,5,after,,,,,7,,",
        "2026-02-02,,5,after,,,,,7,,",  # the same entry twice in one file: stored once
    )
    before = sha(csv)
    store = tmp_path / "store"
    assert import_journal_csv(store, csv, athlete="anna", today=TODAY) == 2
    assert import_journal_csv(store, csv, athlete="anna", today=TODAY) == 0
    assert sha(csv) == before
    journal = read_journal(store)
    assert journal.height == 2
    assert journal["pain"].to_list() == [3, 5]
    parts = list((store / "journal" / "athlete=anna").glob("*.parquet"))
    assert len(parts) == 1


def test_bad_file_imports_nothing(tmp_path: Path) -> None:
    csv = write_csv(tmp_path / "j.csv", "2026-02-01,,3,after,,,,,,,", "2026-02-02,,12,after,,,,,,,")
    store = tmp_path / "store"
    with pytest.raises(JournalError):
        import_journal_csv(store, csv, today=TODAY)
    assert read_journal(store).is_empty()


def test_append_only_existing_parts_are_never_rewritten(tmp_path: Path) -> None:
    store = tmp_path / "store"
    add_entry(store, 2, "after", date="2026-02-01", today=TODAY)
    (part,) = (store / "journal" / "athlete=me").glob("*.parquet")
    first = sha(part)
    mtime = part.stat().st_mtime_ns
    add_entry(store, 4, "during", date="2026-02-02", stress=5, today=TODAY)
    add_entry(store, 4, "during", date="2026-02-02", stress=5, today=TODAY)  # duplicate: no-op
    parts = sorted((store / "journal" / "athlete=me").glob("*.parquet"))
    assert len(parts) == 2
    assert sha(part) == first and part.stat().st_mtime_ns == mtime
    assert read_journal(store)["pain"].to_list() == [2, 4]


def test_store_object_with_root_is_accepted(tmp_path: Path) -> None:
    class FakeStore:
        root = tmp_path / "s"

    add_entry(FakeStore(), 1, "other", date="2026-02-01", athlete="bram", today=TODAY)
    add_entry(FakeStore(), 6, "after", date="2026-02-01", athlete="anna", today=TODAY)
    assert read_journal(FakeStore(), "bram")["pain"].to_list() == [1]
    assert read_journal(tmp_path / "s")["athlete"].to_list() == ["anna", "bram"]
    # The athlete lives in the directory name: hive readers see the same journal.
    hive = pl.read_parquet(tmp_path / "s" / "journal", hive_partitioning=True)
    assert sorted(hive["athlete"].to_list()) == ["anna", "bram"]


def test_add_entry_rejects_bad_values_in_one_message(tmp_path: Path) -> None:
    with pytest.raises(OptionError) as info:
        add_entry(tmp_path, 11, "later", date="2026-03-05", today=TODAY)
    text = str(info.value)
    assert "pain must be a whole number 0-10, got 11" in text
    assert "timing must be one of" in text
    assert "in the future" in text
    assert read_journal(tmp_path).is_empty()
    with pytest.raises(OptionError, match="athlete name '../x' cannot be used"):
        add_entry(tmp_path, 1, "after", athlete="../x", today=TODAY)


def test_the_store_reads_and_writes_the_journal(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s")
    entries = parse_journal_csv(SAMPLE_JOURNAL, athlete="anna")
    assert store.append_journal(entries) == entries.height == 111
    assert store.append_journal(entries) == 0  # every entry_id is stored already
    # the layout users read directly: one part, the athlete in the folder name only
    (part,) = (tmp_path / "s" / "journal" / "athlete=anna").glob("part-*.parquet")
    assert "athlete" not in pl.read_parquet(part).columns
    assert journal_dir(store, "anna") == store.journal_dir("anna") == part.parent
    assert store.journal().equals(read_journal(tmp_path / "s"))
    assert store.journal("anna").height == 111 and store.journal("bram").is_empty()
    assert store.athletes() == ["anna"]


def test_journal_entries_wait_for_the_store_lock(tmp_path: Path) -> None:
    store = open_store(tmp_path / "s")
    added: list[int] = []
    writer = threading.Thread(target=lambda: added.append(import_journal_csv(store, SAMPLE_JOURNAL, athlete="anna")))
    with store._lock():  # as an import holds it
        writer.start()
        writer.join(timeout=2.0)
        assert writer.is_alive() and added == []
        assert not (tmp_path / "s" / "journal").exists()
    writer.join()
    assert added == [111] and read_journal(store).height == 111


def test_an_unwritable_store_is_a_store_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder", encoding="utf-8")
    with pytest.raises(StoreError, match="cannot write the store"):
        add_entry(tmp_path / "file" / "store", 3, "after", date="2026-02-01", today=TODAY)


@pytest.mark.parametrize("name", ["anna", "Anna de Vries", "bram_2", "../x", "a=b", ".hidden", " anna", "a\tb", "x" * 101])
def test_journal_athlete_names_follow_the_one_rule(tmp_path: Path, name: str) -> None:
    try:
        check_athlete(name)
    except OptionError as exc:
        with pytest.raises(OptionError) as info:
            make_entry(3, "after", athlete=name, today=TODAY)
        assert str(info.value) == str(exc)
        with pytest.raises(OptionError):
            parse_journal_csv(SAMPLE_JOURNAL, athlete=name)
    else:
        add_entry(tmp_path, 3, "after", date="2026-02-01", athlete=name, today=TODAY)
        assert read_journal(tmp_path, name)["pain"].to_list() == [3]


def test_read_empty_store(tmp_path: Path) -> None:
    df = read_journal(tmp_path / "nothing-here")
    assert df.is_empty() and df.columns == list(schema.JOURNAL)


def test_template_is_header_only_and_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    text = write_template(path)
    assert path.read_text(encoding="utf-8") == text == HEADER + "\n"
    assert parse_journal_csv(path).is_empty()
    with pytest.raises(FileError, match="already exists"):
        write_template(path)


# ---------------------------------------------------------------- RPE
def _activities() -> pl.DataFrame:
    rows = [
        # id, athlete, sport, local start, rpe already known (Strava)
        ("a1", "anna", "running", dt.datetime(2026, 2, 1, 8), None),
        ("a2", "anna", "running", dt.datetime(2026, 2, 2, 8), 6.0),
        ("a3", "anna", "running", dt.datetime(2026, 2, 3, 7), None),
        ("a4", "anna", "running", dt.datetime(2026, 2, 3, 18), None),
        ("a5", "anna", "cycling", dt.datetime(2026, 2, 4, 9), None),
        ("a6", "anna", "running", dt.datetime(2026, 2, 4, 18), None),
        ("b1", "bram", "running", dt.datetime(2026, 2, 1, 8), None),
    ]
    return schema.conform(
        pl.DataFrame(
            rows,
            schema=["activity_id", "athlete", "sport", "start_time_local", "rpe"],
            orient="row",
        ),
        schema.ACTIVITIES,
    )


def _journal(rows: list[tuple[object, ...]]) -> pl.DataFrame:
    return schema.conform(
        pl.DataFrame(rows, schema=["athlete", "date", "time", "rpe", "activity_id"], orient="row"),
        schema.JOURNAL,
    )


def test_apply_journal_rpe_rule() -> None:
    journal = _journal(
        [
            ("anna", dt.date(2026, 2, 1), None, 5.0, None),  # the day's only run: a1 gets 5
            ("anna", dt.date(2026, 2, 1), dt.time(20), 6.0, None),  # later entry that day wins: 6
            ("anna", dt.date(2026, 2, 2), None, 9.0, None),  # a2 has 6 from Strava: what the runner typed wins
            ("anna", dt.date(2026, 2, 3), None, 8.0, None),  # two runs that day: no guess
            ("anna", dt.date(2026, 2, 3), None, 4.0, "a4"),  # ... unless the entry names one
            ("anna", dt.date(2026, 2, 4), None, 7.0, None),  # one run + a ride: the run gets it
            ("anna", dt.date(2026, 2, 5), None, 3.0, None),  # no activity that day: unused
        ]
    )
    out = apply_journal_rpe(_activities(), journal)
    assert out.columns == list(schema.ACTIVITIES)
    assert out["activity_id"].to_list() == ["a1", "a2", "a3", "a4", "a5", "a6", "b1"]
    assert out["rpe"].to_list() == [6.0, 9.0, None, 4.0, None, 7.0, None]
    assert out["rpe_source"].to_list() == ["journal", "journal", None, "journal", None, "journal", None]


def test_apply_journal_rpe_without_journal_rpe_is_identity() -> None:
    acts = _activities()
    assert apply_journal_rpe(acts, schema.empty(schema.JOURNAL)).equals(acts)
    assert apply_journal_rpe(acts, None).equals(acts)


def test_dutch_excel_semicolons_and_decimal_commas(tmp_path: Path) -> None:
    csv = tmp_path / "nl.csv"
    csv.write_bytes(("\ufeffdate;pain;timing;sleep_h;note\n2026-02-01;4;after;6,5;rug stijf, na interval\n").encode())
    df = parse_journal_csv(csv, today=TODAY)
    assert df.select("pain", "sleep_h", "note").rows() == [(4, 6.5, "rug stijf, na interval")]


def test_impossible_date_and_nameless_column(tmp_path: Path) -> None:
    csv = write_csv(tmp_path / "d.csv", "2026-02-30,,3,after,,,,,,,")
    with pytest.raises(JournalError, match="line 2: date '2026-02-30' does not exist"):
        parse_journal_csv(csv, today=TODAY)
    csv = write_csv(tmp_path / "e.csv", "2026-02-01,3,after,", header="date,pain,timing,")
    with pytest.raises(JournalError, match="line 1: a column without a name"):
        parse_journal_csv(csv, today=TODAY)


def test_an_unclosed_quote_is_an_error_not_a_note_that_swallows_rows(tmp_path: Path) -> None:
    # the note of line 3 opens a quote that never closes: before, rows 4-5 became part of it
    path = tmp_path / "unclosed.csv"
    path.write_text(
        "date,pain,timing,note\n2026-02-01,2,after,fine\n2026-02-02,3,after,\"sore\n"
        "2026-02-03,4,after,x\n2026-02-04,5,after,y\n",
        encoding="utf-8",
    )
    with pytest.raises(JournalError) as info:
        parse_journal_csv(path, today=TODAY)
    assert [p.line for p in info.value.problems] == [3]
    assert "malformed CSV" in info.value.problems[0].reason


def test_a_quote_closing_rows_later_is_an_error_on_its_line(tmp_path: Path) -> None:
    path = tmp_path / "swallow.csv"
    path.write_text(
        "date,pain,timing,note\n2026-02-01,2,after,\"sore\n2026-02-02,3,after,x\n2026-02-03,4,after,y\"\n"
        "2026-02-04,1,after,ok\n",
        encoding="utf-8",
    )
    with pytest.raises(JournalError) as info:
        parse_journal_csv(path, today=TODAY)
    assert [p.line for p in info.value.problems] == [2]
    assert "does not close" in info.value.problems[0].reason
    assert "nothing imported" in str(info.value)


def test_only_a_note_may_span_lines(tmp_path: Path) -> None:
    path = tmp_path / "span.csv"
    path.write_text('date,pain,timing,location\n2026-02-01,2,after,"low\nback"\n', encoding="utf-8")
    with pytest.raises(JournalError, match="line 2: the location value spans lines"):
        parse_journal_csv(path, today=TODAY)


def test_line_numbers_count_csv_records_not_unicode_line_separators(tmp_path: Path) -> None:
    # U+2028 and a form feed inside a note are text, not line breaks (str.splitlines thought otherwise)
    path = tmp_path / "u2028.csv"
    path.write_text(
        "date,pain,timing,note\n2026-02-01,2,after,one\u2028two\x0cthree\n2026-02-02,11,after,x\n",
        encoding="utf-8",
    )
    with pytest.raises(JournalError) as info:
        parse_journal_csv(path, today=TODAY)
    assert [p.line for p in info.value.problems] == [3]
    path.write_text("date,pain,timing,note\n2026-02-01,2,after,one\u2028two\n", encoding="utf-8")
    assert parse_journal_csv(path, today=TODAY)["note"].to_list() == ["one\u2028two"]
